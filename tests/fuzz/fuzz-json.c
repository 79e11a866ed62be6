/* fuzz-json.c — imu_json_parse() on any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>

#include "imu-json.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = imu_json_parse ((const char *) data, (gssize) size, 1 << 20, &error);

  /* Exactly one of the two. */
  if ((root == NULL) == (error == NULL))
    __builtin_trap ();
  return 0;
}
