/* fuzz-cwa.c — the Axivity CWA decoder and its importer on any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The bytes are a CWA file. They go through the decoder directly (header,
 * every block, the timeline, with its promises checked: every sample of a
 * good block comes out once, in order within a run, with values inside
 * what the format can store), then through the whole import path as
 * "input.cwa".
 */
#include <math.h>

#include "fuzz-import-common.h"
#include "imu-cwa.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  gint64 emitted;
  gint64 last_block;
} Count;

static gboolean
sample_cb (gint64 t_local_ns, const double *accel, const double *gyro, const double *mag,
           const ImuCwaAux *aux, gint64 block_index, gpointer user_data, GError **error)
{
  Count *c = user_data;

  /* int16 counts at 1/256 g at most; gyro ranges are 8000 deg/s at most. */
  for (guint a = 0; a < 3; a++)
    {
      if (!(fabs (accel[a]) <= 128.0) || (gyro != NULL && !(fabs (gyro[a]) <= 8000.0))
          || (mag != NULL && !(fabs (mag[a]) <= 2048.0)))
        __builtin_trap ();
    }
  if (block_index < c->last_block)
    __builtin_trap ();
  c->last_block = block_index;
  c->emitted++;
  (void) t_local_ns;
  (void) aux;
  return TRUE;
}

static void
fuzz_decoder (const uint8_t *data, size_t size)
{
  g_autoptr(ImuCwaTimeline) timeline = NULL;
  g_autofree ImuCwaBlock *block = g_new (ImuCwaBlock, 1);
  ImuCwaHeader header;
  Count count = { 0, -1 };
  gint64 pushed = 0;

  if (!imu_cwa_header_parse (data, size, &header))
    return;
  timeline = imu_cwa_timeline_new (sample_cb, &count);
  for (size_t off = IMU_CWA_HEADER_BYTES, i = 0; off + IMU_CWA_BLOCK_BYTES <= size; off += IMU_CWA_BLOCK_BYTES, i++)
    {
      if (imu_cwa_block_decode (data + off, &header, block) != IMU_CWA_BLOCK_OK)
        {
          imu_cwa_timeline_break (timeline, NULL);
          continue;
        }
      if (block->n_samples > IMU_CWA_MAX_SAMPLES)
        __builtin_trap ();
      pushed += block->n_samples;
      imu_cwa_timeline_push (timeline, block, (gint64) i, NULL);
    }
  imu_cwa_timeline_break (timeline, NULL);
  if (count.emitted != pushed)
    __builtin_trap ();

  {
    const char *cursor = header.metadata;
    char *name, *value;

    while (imu_cwa_metadata_next (&cursor, &name, &value))
      {
        if (!g_utf8_validate (name, -1, NULL) || !g_utf8_validate (value, -1, NULL))
          __builtin_trap ();
        g_free (name);
        g_free (value);
      }
  }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (size > (1 << 20))
    return 0;
  fuzz_decoder (data, size);
  fuzz_import_bytes (data, size, "input.cwa");
  return 0;
}
