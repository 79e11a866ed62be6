/* imu-stream-writer.c — appends samples to a stream: chunks and LOD
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-stream-writer"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "imu-codec.h"
#include "imu-lod-private.h"
#include "imu-store-private.h"
#include "imu-stream-writer.h"

struct _ImuStreamWriter
{
  ImuStore       *store;
  ImuStreamInfo  *info;
  guint           n_channels;

  /* the chunk being filled */
  gint64         *t;
  double        **columns;
  gint8          *decimals;
  guint           fill;
  guint           lod_fed;     /* samples of this chunk already given to the LOD builder */
  gint64          seq;
  gint64          first_index;

  ImuLodBuilder  *lod;
  GByteArray     *buf;
  gint64          n_samples;
  gboolean        finished;
};

ImuStreamWriter *
imu_stream_writer_new (ImuStore             *store,
                       const ImuStreamInfo  *info,
                       GError              **error)
{
  g_autoptr(ImuStreamWriter) self = NULL;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (info->session_id > 0, NULL);

  if (info->n_channels > IMU_STREAM_MAX_CHANNELS)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_FAILED,
                   _("Stream “%s” has %u channels; at most %d are supported."),
                   info->name, info->n_channels, IMU_STREAM_MAX_CHANNELS);
      return NULL;
    }

  self = g_new0 (ImuStreamWriter, 1);
  self->store = g_object_ref (store);
  self->info = imu_stream_info_copy (info);
  self->info->n_samples = 0;
  self->n_channels = info->n_channels;
  self->t = g_new (gint64, IMU_CHUNK_SAMPLES);
  self->columns = g_new (double *, MAX (self->n_channels, 1));
  self->decimals = g_new (gint8, MAX (self->n_channels, 1));
  for (guint c = 0; c < self->n_channels; c++)
    {
      self->columns[c] = g_new (double, IMU_CHUNK_SAMPLES);
      self->decimals[c] = (gint8) CLAMP (info->channels[c].decimals, -1, 18);
    }
  self->lod = imu_lod_builder_new (self->n_channels);
  self->buf = g_byte_array_new ();

  if (!imu_store_insert_stream (store, self->info, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
imu_stream_writer_free (ImuStreamWriter *self)
{
  if (self == NULL)
    return;
  for (guint c = 0; c < self->n_channels; c++)
    g_free (self->columns[c]);
  g_free (self->columns);
  g_free (self->decimals);
  g_free (self->t);
  g_clear_pointer (&self->lod, imu_lod_builder_free);
  g_clear_pointer (&self->buf, g_byte_array_unref);
  g_clear_pointer (&self->info, imu_stream_info_free);
  g_clear_object (&self->store);
  g_free (self);
}

void
imu_stream_writer_set_decimals (ImuStreamWriter *self,
                                guint            channel,
                                int              decimals)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (channel < self->n_channels);

  self->decimals[channel] = (gint8) CLAMP (decimals, -1, 18);
  self->info->channels[channel].decimals = self->decimals[channel];
}

/* Writes the chunk being filled (INSERT OR REPLACE, so a recorder can write
 * the same growing chunk every second) and feeds new samples to the LOD. */
static gboolean
write_chunk (ImuStreamWriter *self, GError **error)
{
  ImuChunkView view = {
    .n_samples = self->fill,
    .n_channels = self->n_channels,
    .t = self->t,
    .columns = (const double **) self->columns,
    .decimals_hint = self->decimals,
  };
  gint64 t_min = G_MAXINT64, t_max = G_MININT64;
  sqlite3_stmt *stmt;
  int rc;

  if (self->fill == 0)
    return TRUE;

  if (self->fill > self->lod_fed)
    {
      const double **cols = g_newa (const double *, MAX (self->n_channels, 1));

      for (guint c = 0; c < self->n_channels; c++)
        cols[c] = self->columns[c] + self->lod_fed;
      if (!imu_lod_builder_add (self->lod, self->store, self->info->id, self->t + self->lod_fed,
                                cols, self->fill - self->lod_fed, error))
        return FALSE;
      self->lod_fed = self->fill;
    }

  for (guint i = 0; i < self->fill; i++)
    {
      t_min = MIN (t_min, self->t[i]);
      t_max = MAX (t_max, self->t[i]);
    }

  g_byte_array_set_size (self->buf, 0);
  if (!imu_codec_encode (&view, 3, self->buf, error))
    return FALSE;
  if (!(stmt = imu_store_prepare (self->store,
                                  "INSERT OR REPLACE INTO chunks (stream_id, seq, first_index, n_samples, t_min_ns, t_max_ns, data) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->info->id);
  sqlite3_bind_int64 (stmt, 2, self->seq);
  sqlite3_bind_int64 (stmt, 3, self->first_index);
  sqlite3_bind_int (stmt, 4, (int) self->fill);
  sqlite3_bind_int64 (stmt, 5, t_min);
  sqlite3_bind_int64 (stmt, 6, t_max);
  sqlite3_bind_blob (stmt, 7, self->buf->data, (int) self->buf->len, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (self->store, rc, "writing samples", error);
  return TRUE;
}

gboolean
imu_stream_writer_append (ImuStreamWriter  *self,
                          gint64            t_ns,
                          const double     *values,
                          GError          **error)
{
  guint i;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);

  i = self->fill;
  self->t[i] = t_ns;
  for (guint c = 0; c < self->n_channels; c++)
    self->columns[c][i] = values[c];
  if (self->n_samples == 0)
    self->info->t_first_ns = t_ns;
  self->info->t_last_ns = t_ns;
  self->n_samples++;
  self->fill++;

  if (self->fill == IMU_CHUNK_SAMPLES)
    {
      if (!write_chunk (self, error))
        return FALSE;
      self->seq++;
      self->first_index += self->fill;
      self->fill = 0;
      self->lod_fed = 0;
    }
  return TRUE;
}

static gboolean
update_row (ImuStreamWriter *self, GError **error)
{
  self->info->n_samples = self->n_samples;
  return imu_store_update_stream (self->store, self->info, self->seq + (self->fill > 0 ? 1 : 0), error);
}

gboolean
imu_stream_writer_flush (ImuStreamWriter  *self,
                         GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (!self->finished, FALSE);

  return write_chunk (self, error)
         && imu_lod_builder_flush (self->lod, self->store, self->info->id, error)
         && update_row (self, error);
}

gboolean
imu_stream_writer_finish (ImuStreamWriter  *self,
                          GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->finished)
    return TRUE;
  if (!imu_stream_writer_flush (self, error))
    return FALSE;
  self->finished = TRUE;
  return TRUE;
}

gint64
imu_stream_writer_get_stream_id (ImuStreamWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->info->id;
}

gint64
imu_stream_writer_get_n_samples (ImuStreamWriter *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_samples;
}

const ImuStreamInfo *
imu_stream_writer_get_info (ImuStreamWriter *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->info;
}
