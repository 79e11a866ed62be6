/* imu-chunk.c — one encoded chunk of a stream, copied out of the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-chunk"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-chunk-private.h"
#include "imu-codec.h"

/* The bytes are a copy, not SQLite's buffer: SQLite's is only valid until
 * its statement steps again, and a chunk is decoded after that, in
 * whichever thread needs its columns. */
struct _ImuChunk
{
  ImuChunkInfo  info;
  gint64        stream_id;
  guint         n_channels;
  guint8       *data;
  gsize         len;
  gsize         cap;
};

ImuChunk *
imu_chunk_new (void)
{
  return g_new0 (ImuChunk, 1);
}

void
imu_chunk_free (ImuChunk *self)
{
  if (self == NULL)
    return;
  g_free (self->data);
  g_free (self);
}

const ImuChunkInfo *
imu_chunk_get_info (const ImuChunk *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return &self->info;
}

gint64
imu_chunk_get_stream_id (const ImuChunk *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->stream_id;
}

guint
imu_chunk_get_n_channels (const ImuChunk *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_channels;
}

int
imu_chunk_get_decimals (const ImuChunk *self,
                        guint           channel)
{
  g_return_val_if_fail (self != NULL, -1);
  if (self->len == 0 || channel >= self->n_channels)
    return -1;
  return imu_codec_column_decimals (self->data, self->len, channel);
}

gboolean
imu_chunk_decode (const ImuChunk  *self,
                  gint64          *t,
                  double         **columns,
                  GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->len > 0, FALSE);

  if (!imu_codec_decode (self->data, self->len, t, columns, columns != NULL ? self->n_channels : 0, error))
    {
      g_prefix_error (error, _("Chunk %u of stream %" PRId64 ": "), self->info.seq, self->stream_id);
      return FALSE;
    }
  return TRUE;
}

gboolean
imu_chunk_fill (ImuChunk            *self,
                gint64               stream_id,
                guint                n_channels,
                const ImuChunkInfo  *info,
                const guint8        *data,
                gsize                len,
                GError             **error)
{
  guint ns = 0, nc = 0;

  self->len = 0;
  self->info = *info;
  self->info.n_bytes = len;
  self->stream_id = stream_id;
  self->n_channels = n_channels;
  if (!imu_codec_peek (data, len, &ns, &nc, error))
    {
      g_prefix_error (error, _("Chunk %u of stream %" PRId64 ": "), info->seq, stream_id);
      return FALSE;
    }
  if (nc != n_channels || ns != info->n_samples)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("Chunk %u of stream %" PRId64 " does not match the stream; run “imu check”."),
                   info->seq, stream_id);
      return FALSE;
    }
  if (self->cap < len)
    {
      /* A little room to spare: the chunks of a stream differ by a few
       * bytes, and a reader reusing this chunk should not reallocate for
       * every slightly longer one. */
      g_free (self->data);
      self->cap = len + len / 4;
      self->data = g_malloc (self->cap);
    }
  memcpy (self->data, data, len);
  self->len = len;
  return TRUE;
}

gboolean
imu_chunk_load (ImuChunk  *self,
                ImuStore  *store,
                gint64     stream_id,
                guint      n_channels,
                guint      seq,
                GError   **error)
{
  sqlite3_stmt *stmt;
  ImuChunkInfo info;
  gboolean ok;
  int rc;

  self->len = 0;
  if (!(stmt = imu_store_prepare (store,
                                  "SELECT first_index, n_samples, t_min_ns, t_max_ns, data FROM chunks "
                                  "WHERE stream_id = ? AND seq = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, stream_id);
  sqlite3_bind_int64 (stmt, 2, seq);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                     _("Chunk %u of stream %" PRId64 " is missing; run “imu check”."), seq, stream_id);
      else
        imu_store_fail (store, rc, "reading samples", error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  info.seq = seq;
  info.first_index = sqlite3_column_int64 (stmt, 0);
  info.n_samples = (guint) CLAMP (sqlite3_column_int64 (stmt, 1), 0, G_MAXUINT);
  info.t_min_ns = sqlite3_column_int64 (stmt, 2);
  info.t_max_ns = sqlite3_column_int64 (stmt, 3);
  info.n_bytes = 0;
  ok = imu_chunk_fill (self, stream_id, n_channels, &info, sqlite3_column_blob (stmt, 4),
                       (gsize) sqlite3_column_bytes (stmt, 4), error);
  sqlite3_reset (stmt);
  return ok;
}
