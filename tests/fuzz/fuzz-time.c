/* fuzz-time.c — the time parsers of CSV fields
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>

#include "imu-csv-time.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *s = (const char *) data;
  ImuCsvDateOrder order;
  gint64 t = 0;
  int tz = 0, decimals = 0;
  gboolean has_tz = FALSE;

  if (size > 512)
    return 0;
  for (int scale = 0; scale <= 9; scale += 3)
    imu_csv_parse_scaled (s, size, scale, scale == 3, &t, &decimals);
  if (imu_csv_looks_like_datetime (s, size, &order))
    imu_csv_parse_datetime (s, size, order, 3600, &t, &tz, &has_tz, &decimals);
  for (order = IMU_CSV_DATE_ISO; order <= IMU_CSV_DATE_DMY; order++)
    imu_csv_parse_datetime (s, size, order, 0, &t, &tz, &has_tz, &decimals);
  imu_csv_parse_tz_offset (s, size, &tz);
  return 0;
}
