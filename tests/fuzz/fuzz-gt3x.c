/* fuzz-gt3x.c — ActiGraph GT3X: log.bin records, info.txt and whole files from any bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first byte picks what the rest is:
 *   0 (mod 3): log.bin, fed to the record decoder in pieces whose size the
 *      second byte picks (so that records split across reads are fuzzed);
 *      the third byte picks the sample rate (0: from PARAMETERS);
 *   1: info.txt;
 *   2: a whole .gt3x file (a zip), through the import pipeline.
 * The decoder's promises are checked: sample times never go backwards,
 * and it never gives more samples than a second's worth per record plus
 * the idle sleep it was allowed to fill.
 */
#include <math.h>

#include "fuzz-import-common.h"
#include "imu-gt3x.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

typedef struct {
  gint64 last_t;
  gint64 n;
} Seen;

static gboolean
accel_cb (gpointer user_data, gint64 t, const double *xyz, gboolean filled, GError **error)
{
  Seen *seen = user_data;

  if (t <= seen->last_t || !isfinite (xyz[0]) || !isfinite (xyz[1]) || !isfinite (xyz[2]))
    __builtin_trap ();
  seen->last_t = t;
  seen->n++;
  return TRUE;
}

static void
fuzz_log (const uint8_t *data, size_t size, size_t piece, double rate)
{
  static const ImuGt3xSink sink = { .accel = accel_cb };
  Seen seen = { G_MININT64, 0 };
  g_autoptr(ImuGt3xDecoder) decoder = imu_gt3x_decoder_new (rate, 256, FALSE, &sink, &seen);
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  /* A short fill keeps one input fast (a month at 100 Hz is 268 M
   * samples); longer sleeps take the same path, counted and not filled. */
  imu_gt3x_decoder_set_max_fill (decoder, 10);
  for (size_t off = 0; ok && off < size; off += piece)
    ok = imu_gt3x_decoder_feed (decoder, data + off, MIN (piece, size - off), &error);
  if (ok)
    ok = imu_gt3x_decoder_end (decoder, &error);
  /* A refusal says why. */
  if (!ok && error == NULL)
    __builtin_trap ();
  if (imu_gt3x_decoder_get_n_recorded (decoder) + imu_gt3x_decoder_get_n_filled (decoder) != seen.n)
    __builtin_trap ();
}

static void
fuzz_info (const uint8_t *data, size_t size)
{
  g_autoptr(ImuGt3xInfo) info = imu_gt3x_info_parse ((const char *) data, size);
  gint64 ns;

  if (info->keys->len != info->values->len)
    __builtin_trap ();
  imu_gt3x_ticks_to_ns (info->start_ticks, &ns);
  g_free (imu_gt3x_time_zone_text (info->time_zone));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const size_t pieces[] = { 1, 3, 9, 64, 137, 4096, 65536, 1 << 20 };

  if (size < 3 || size > (1 << 20))
    return 0;
  switch (data[0] % 3)
    {
    case 0:
      fuzz_log (data + 3, size - 3, pieces[data[1] % G_N_ELEMENTS (pieces)], data[2] == 0 ? NAN : data[2]);
      break;
    case 1:
      fuzz_info (data + 1, size - 1);
      break;
    default:
      fuzz_import_bytes (data + 1, size - 1, "input.gt3x");
      break;
    }
  return 0;
}
