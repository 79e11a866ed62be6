/* fuzz-number.c — the number parsers of CSV fields, and their round trip
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "imu-number.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *s = (const char *) data;
  double v = 0, back = 0;
  gint64 i = 0;
  int decimals = 0;

  if (size > 512)
    return 0;
  for (int comma = 0; comma <= 1; comma++)
    if (imu_number_parse (s, size, comma, &v, &decimals))
      {
        char buf[IMU_NUMBER_BUF_SIZE];
        gsize n = imu_number_format (buf, v, decimals);

        /* The codec's promise: what is written parses back bit for bit. */
        if (n >= sizeof buf || !imu_number_parse (buf, n, FALSE, &back, NULL)
            || (!isnan (v) && memcmp (&v, &back, sizeof v) != 0) || (isnan (v) != isnan (back)))
          __builtin_trap ();
      }
  for (int scale = 0; scale <= 9; scale += 3)
    if (imu_number_parse_int64_decimal (s, size, scale, &i, &decimals))
      {
        char buf[IMU_NUMBER_BUF_SIZE];

        imu_number_format_int64_decimal (buf, i, scale, decimals);
      }
  return 0;
}
