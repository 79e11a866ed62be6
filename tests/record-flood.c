/* record-flood.c — floods a recording until it is killed (tests/test-record.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * record-flood LIBRARY COMMIT_MS
 *
 * Records one session with one stream "flood" of two channels: sample i
 * has time T0 + 5 i µs and the values i and −i/4 (exact in a double). It
 * prints "session ID" once the session row is committed, then, after each
 * durable commit, "committed N": every sample below N is in the library
 * from then on, whatever happens next. The test kills it with SIGKILL and
 * checks exactly that.
 */
#include <stdio.h>
#include <stdlib.h>

#include "imu-core.h"

#define T0_NS G_GINT64_CONSTANT (1700000000000000000)

static ImuRecorder *recorder;

static void
committed_cb (gpointer data)
{
  g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (recorder);

  /* On the recorder's thread, after the commit: the count is durable. */
  if (stats->len > 0)
    {
      ImuRecordStreamStats *st = g_ptr_array_index (stats, 0);

      printf ("committed %" G_GINT64_FORMAT "\n", st->committed);
      fflush (stdout);
    }
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("flood", 2);
  g_autoptr(GArray) ids = NULL;
  ImuRecorderOptions options = { 0 };
  guint stream;

  if (argc != 3)
    {
      fprintf (stderr, "usage: record-flood LIBRARY COMMIT_MS\n");
      return 2;
    }
  options.title = "flood";
  options.commit_interval_ms = (guint) atoi (argv[2]);
  options.format = "record-flood";
  recorder = imu_recorder_new (argv[1], &options);
  imu_recorder_set_commit_func (recorder, committed_cb, NULL);
  if (!imu_recorder_start (recorder, TRUE, &error))
    {
      fprintf (stderr, "record-flood: %s\n", error->message);
      return 1;
    }
  ids = imu_recorder_dup_session_ids (recorder);
  printf ("session %" G_GINT64_FORMAT "\n", g_array_index (ids, gint64, 0));
  fflush (stdout);

  imu_stream_info_set_channel (info, 0, "i", "", "other");
  imu_stream_info_set_channel (info, 1, "minus_quarter", "", "other");
  stream = imu_recorder_add_stream (recorder, NULL, info);
  /* At most 200 000 samples a second (5 µs apart, so the stream's clock
   * keeps the laptop's pace and no clock jump is seen): a flood. */
  for (gint64 i = 0;; i++)
    {
      double v[2] = { (double) i, (double) -i / 4.0 };

      imu_recorder_append (recorder, stream, T0_NS + i * 5000, v);
      if (i % 1000 == 999)
        g_usleep (5000);
    }
  return 0;
}
