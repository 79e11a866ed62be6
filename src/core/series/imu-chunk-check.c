/* imu-chunk-check.c — the integrity check of a stream's chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Part of imu_store_check(): unlike the chunk cursor, which stops at the
 * first problem, the check reads every chunk and lists every problem it
 * finds (sequence, sample index, blob, shape, time range, totals).
 */
#define G_LOG_DOMAIN "imu-series"

#include <inttypes.h>
#include <stdarg.h>

#include <glib/gi18n-lib.h>

#include "imu-chunk-private.h"
#include "imu-codec.h"

static void problem (GPtrArray *problems, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
problem (GPtrArray  *problems,
         const char *format,
         ...)
{
  va_list ap;

  va_start (ap, format);
  g_ptr_array_add (problems, g_strdup_vprintf (format, ap));
  va_end (ap);
}

gboolean
imu_chunk_check (ImuStore            *store,
                 const ImuStreamInfo *info,
                 gint64               n_chunks_recorded,
                 GPtrArray           *problems,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autofree gint64 *t = g_new (gint64, IMU_CODEC_MAX_SAMPLES);
  sqlite3_stmt *stmt;
  gint64 expect_seq = 0, expect_index = 0, t_first = G_MAXINT64, t_last = G_MININT64;
  gint64 first_t = 0, last_t = 0;
  int rc;

  if (!(stmt = imu_store_prepare (store,
                                  "SELECT seq, first_index, n_samples, t_min_ns, t_max_ns, data FROM chunks "
                                  "WHERE stream_id = ? ORDER BY seq", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, info->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      gint64 first_index = sqlite3_column_int64 (stmt, 1);
      gint64 n = sqlite3_column_int64 (stmt, 2);
      gint64 t_min = sqlite3_column_int64 (stmt, 3), t_max = sqlite3_column_int64 (stmt, 4);
      const guint8 *data = sqlite3_column_blob (stmt, 5);
      gsize len = (gsize) sqlite3_column_bytes (stmt, 5);
      guint ns = 0, nc = 0;
      g_autoptr(GError) local_error = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (seq != expect_seq)
        problem (problems, _("stream %" PRId64 ": chunk %" PRId64 " follows chunk %" PRId64),
                 info->id, seq, expect_seq - 1);
      if (first_index != expect_index)
        problem (problems, _("stream %" PRId64 ": chunk %" PRId64 " starts at sample %" PRId64
                             ", expected %" PRId64), info->id, seq, first_index, expect_index);
      if (!imu_codec_peek (data, len, &ns, &nc, &local_error)
          || !imu_codec_decode (data, len, t, NULL, 0, &local_error))
        problem (problems, _("stream %" PRId64 ": chunk %" PRId64 " does not decode: %s"),
                 info->id, seq, local_error->message);
      else
        {
          gint64 lo = G_MAXINT64, hi = G_MININT64;

          if ((gint64) ns != n || nc != info->n_channels)
            problem (problems, _("stream %" PRId64 ": chunk %" PRId64 " holds %u×%u values, expected %"
                                 PRId64 "×%u"), info->id, seq, ns, nc, n, info->n_channels);
          for (guint i = 0; i < ns; i++)
            {
              lo = MIN (lo, t[i]);
              hi = MAX (hi, t[i]);
            }
          if (ns > 0 && (lo != t_min || hi != t_max))
            problem (problems, _("stream %" PRId64 ": chunk %" PRId64 " time range is recorded wrongly"),
                     info->id, seq);
          if (ns > 0)
            {
              if (expect_seq == 0)
                first_t = t[0];
              last_t = t[ns - 1];
            }
        }
      t_first = MIN (t_first, t_min);
      t_last = MAX (t_last, t_max);
      expect_seq = seq + 1;
      expect_index = first_index + n;
    }
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "reading chunks", error);
  if (expect_index != info->n_samples)
    problem (problems, _("stream %" PRId64 ": chunks hold %" PRId64 " samples, the stream says %"
                         PRId64), info->id, expect_index, info->n_samples);
  if (expect_seq != n_chunks_recorded)
    problem (problems, _("stream %" PRId64 ": %" PRId64 " chunks, the stream says %" PRId64),
             info->id, expect_seq, n_chunks_recorded);
  if (info->n_samples > 0 && (first_t != info->t_first_ns || last_t != info->t_last_ns))
    problem (problems, _("stream %" PRId64 ": first/last sample times disagree with the stream row"), info->id);
  (void) t_first;
  (void) t_last;
  return TRUE;
}
