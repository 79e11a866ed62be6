/* imu-chunk-cursor.c — a stream's encoded chunks, in order, for streaming passes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-chunk-cursor"

#include <inttypes.h>

#include <glib/gi18n-lib.h>

#include "imu-chunk-cursor.h"
#include "imu-chunk-private.h"
#include "imu-series-private.h"

struct _ImuChunkCursor
{
  ImuSeries    *series;      /* borrowed */
  ImuStore     *store;
  sqlite3_stmt *stmt;        /* owned: see imu_chunk_cursor_new() */
  guint         next;        /* position of the chunk the next step returns */
  guint         end;         /* the series' chunk count when the cursor was made */
  gint64        first_index; /* of the chunk the next step returns */
  gboolean      done;        /* the statement has returned its last row */
  gboolean      failed;
};

ImuChunkCursor *
imu_chunk_cursor_new (ImuSeries  *series,
                      guint       first_chunk,
                      GError    **error)
{
  g_autoptr(ImuChunkCursor) self = NULL;
  ImuStore *store;
  int rc;

  g_return_val_if_fail (series != NULL, NULL);

  store = imu_series_get_store (series);
  self = g_new0 (ImuChunkCursor, 1);
  self->series = series;
  self->store = g_object_ref (store);
  self->end = imu_series_get_n_chunks (series);
  self->next = MIN (first_chunk, self->end);
  self->first_index = imu_series_get_chunk_first_index (series, self->next);
  /* A statement of its own, not one of the store's cached ones: the cursor
   * stays in the middle of its rows between calls, and a cached statement
   * would be reset under it by anyone preparing the same SQL on this
   * connection (another cursor, a nested export). The upper bound keeps the
   * pass to the chunks the series' index holds, even when a recorder on
   * another connection appends while the pass runs. */
  rc = sqlite3_prepare_v2 (imu_store_get_db (store),
                           "SELECT seq, first_index, n_samples, t_min_ns, t_max_ns, data FROM chunks "
                           "WHERE stream_id = ?1 AND seq >= ?2 AND seq < ?3 ORDER BY seq",
                           -1, &self->stmt, NULL);
  if (rc != SQLITE_OK)
    {
      imu_store_fail (store, rc, "preparing to read samples", error);
      return NULL;
    }
  sqlite3_bind_int64 (self->stmt, 1, imu_series_get_info (series)->id);
  sqlite3_bind_int64 (self->stmt, 2, self->next);
  sqlite3_bind_int64 (self->stmt, 3, self->end);
  return g_steal_pointer (&self);
}

void
imu_chunk_cursor_free (ImuChunkCursor *self)
{
  if (self == NULL)
    return;
  if (self->stmt != NULL)
    sqlite3_finalize (self->stmt);
  g_clear_object (&self->store);
  g_free (self);
}

gint64
imu_chunk_cursor_next (ImuChunkCursor  *self,
                       ImuChunk        *chunk,
                       GError         **error)
{
  gint64 stream_id;
  ImuChunkInfo info;
  gint64 seq;
  int rc;

  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (chunk != NULL, -1);
  g_return_val_if_fail (!self->failed, -1);

  stream_id = imu_series_get_info (self->series)->id;
  if (self->done)
    return 0;
  rc = sqlite3_step (self->stmt);
  if (rc == SQLITE_DONE)
    {
      /* Stepping a finished statement again would run it again from the
       * start; resetting it now also ends its read of the library. */
      sqlite3_reset (self->stmt);
      self->done = TRUE;
      if (self->next == self->end)
        return 0;
      /* Rows at the end are gone: the index the series loaded had them. */
      self->failed = TRUE;
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("Chunk %u of stream %" PRId64 " is missing; run “imu check”."), self->next, stream_id);
      return -1;
    }
  if (rc != SQLITE_ROW)
    {
      self->failed = TRUE;
      imu_store_fail (self->store, rc, "reading samples", error);
      return -1;
    }

  seq = sqlite3_column_int64 (self->stmt, 0);
  if (seq != self->next)
    {
      /* The rows come in order of seq, so a larger one means a gap. */
      self->failed = TRUE;
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("Chunk %u of stream %" PRId64 " is missing; run “imu check”."), self->next, stream_id);
      return -1;
    }
  info.seq = self->next;
  info.first_index = sqlite3_column_int64 (self->stmt, 1);
  info.n_samples = (guint) CLAMP (sqlite3_column_int64 (self->stmt, 2), 0, G_MAXUINT);
  info.t_min_ns = sqlite3_column_int64 (self->stmt, 3);
  info.t_max_ns = sqlite3_column_int64 (self->stmt, 4);
  info.n_bytes = 0;
  /* Checked against the previous row rather than the series' index: the
   * last chunk of a stream being recorded is rewritten as it fills, and
   * may have grown since the index was read. */
  if (info.first_index != self->first_index || info.n_samples == 0)
    {
      self->failed = TRUE;
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("Chunk %u of stream %" PRId64 " does not match the stream; run “imu check”."),
                   self->next, stream_id);
      return -1;
    }
  if (!imu_chunk_fill (chunk, stream_id, imu_series_get_n_channels (self->series), &info,
                       sqlite3_column_blob (self->stmt, 5), (gsize) sqlite3_column_bytes (self->stmt, 5), error))
    {
      self->failed = TRUE;
      return -1;
    }
  self->next++;
  self->first_index += info.n_samples;
  return info.n_samples;
}
