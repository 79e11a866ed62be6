/* fuzz-geneactiv.c — the GENEActiv .bin reader and importer on any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each input is read twice: by the reader alone (imu-geneactiv.h), page
 * by page, checking what it promises of every page; then as a file named
 * input.bin through the whole import, which must either land one session
 * or leave the library as it was (fuzz-import-common.h).
 */
#include <math.h>

#include "fuzz-import-common.h"
#include "imu-geneactiv.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
read_pages (const uint8_t *data, size_t size)
{
  g_autoptr(GInputStream) in = g_memory_input_stream_new_from_data (data, (gssize) size, NULL);
  g_autoptr(ImuGeneactivReader) reader = imu_geneactiv_reader_new (in, "input.bin");
  g_autoptr(ImuGeneactivHeader) header = NULL;
  ImuGeneactivPage page = { 0 };
  gboolean got = TRUE;

  if (!(header = imu_geneactiv_reader_read_header (reader, NULL, NULL)))
    return;
  /* A header that was accepted can be divided by. */
  for (guint a = 0; a < 3; a++)
    if (header->gain[a] == 0 || !isfinite (header->gain[a]) || !isfinite (header->offset[a]))
      __builtin_trap ();
  if (header->volts == 0)
    __builtin_trap ();
  while (got && imu_geneactiv_reader_next_page (reader, &page, &got, NULL, NULL) && got)
    {
      if (page.problem == IMU_GENEACTIV_PAGE_BAD_HEADER && (page.n_samples != 0 || page.reason == NULL))
        __builtin_trap ();
      if (page.n_samples > 0 && (page.rate_hz <= 0 || page.line <= 0 || page.data_line <= page.line))
        __builtin_trap ();
      for (guint k = 0; k < page.n_samples; k++)
        if (page.x[k] < -2048 || page.x[k] > 2047 || page.light[k] > 1023 || page.button[k] > 1)
          __builtin_trap ();
      if (imu_geneactiv_reader_get_offset (reader) > size)
        __builtin_trap ();
    }
  imu_geneactiv_page_clear (&page);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > (1 << 20))
    return 0;
  read_pages (data, size);
  fuzz_import_bytes (data, size, "input.bin");
  return 0;
}
