/* fuzz-import.c — the whole import path (detection, CSV and archives) on any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks the file's name, so that detection by extension is
 * fuzzed too; the rest is the file.
 */
#include "fuzz-import-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *names[] = { "input.csv", "input.tsv", "input.txt", "input.zip", "input.tar.gz", "input" };

  if (size < 1 || size > (1 << 20))
    return 0;
  fuzz_import_bytes (data + 1, size - 1, names[data[0] % G_N_ELEMENTS (names)]);
  return 0;
}
