/* fuzz-bundle.c — reading session bundles (.imub) from any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz-import-common.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > (1 << 20))
    return 0;
  fuzz_import_bytes (data, size, "session.imub");
  return 0;
}
