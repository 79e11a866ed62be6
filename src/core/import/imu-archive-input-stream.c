/* imu-archive-input-stream.c — the current entry of a libarchive reader as a GInputStream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>

#include <archive.h>
#include <glib/gi18n-lib.h>

#include "imu-archive-input-stream.h"

struct _ImuArchiveInputStream
{
  GInputStream    parent_instance;
  struct archive *archive;
  gint64          limit;       /* -1: none */
  gint64          bytes;
  gboolean        over_limit;
};

G_DEFINE_FINAL_TYPE (ImuArchiveInputStream, imu_archive_input_stream, G_TYPE_INPUT_STREAM)

static gssize
imu_archive_input_stream_read (GInputStream  *stream,
                               void          *buffer,
                               gsize          count,
                               GCancellable  *cancellable,
                               GError       **error)
{
  ImuArchiveInputStream *self = IMU_ARCHIVE_INPUT_STREAM (stream);
  la_ssize_t n;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return -1;
  /* The limit is checked before decompressing: a bomb stops after one
   * buffer past it, not after its gigabytes. */
  if (self->limit >= 0 && self->bytes >= self->limit)
    {
      guint8 probe;

      if (archive_read_data (self->archive, &probe, 1) == 0)
        return 0;
      self->over_limit = TRUE;
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("the archive decompresses to more than %" PRId64 " bytes"), (int64_t) self->limit);
      return -1;
    }
  if (self->limit >= 0)
    count = (gsize) MIN ((guint64) count, (guint64) (self->limit - self->bytes));
  n = archive_read_data (self->archive, buffer, count);
  if (n < 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Cannot read from the archive: %s"),
                   archive_error_string (self->archive) != NULL
                   ? archive_error_string (self->archive) : _("unknown error"));
      return -1;
    }
  self->bytes += n;
  return (gssize) n;
}

static gboolean
imu_archive_input_stream_close (GInputStream  *stream,
                                GCancellable  *cancellable,
                                GError       **error)
{
  /* The reader belongs to the caller, who moves it to the next entry. */
  return TRUE;
}

static void
imu_archive_input_stream_class_init (ImuArchiveInputStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  stream_class->read_fn = imu_archive_input_stream_read;
  stream_class->close_fn = imu_archive_input_stream_close;
}

static void
imu_archive_input_stream_init (ImuArchiveInputStream *self)
{
  self->limit = -1;
}

GInputStream *
imu_archive_input_stream_new (struct archive *archive)
{
  ImuArchiveInputStream *self;

  g_return_val_if_fail (archive != NULL, NULL);

  self = g_object_new (IMU_TYPE_ARCHIVE_INPUT_STREAM, NULL);
  self->archive = archive;
  return G_INPUT_STREAM (self);
}

void
imu_archive_input_stream_set_limit (ImuArchiveInputStream *self,
                                    gint64                 limit)
{
  g_return_if_fail (IMU_IS_ARCHIVE_INPUT_STREAM (self));
  self->limit = limit;
}

gint64
imu_archive_input_stream_get_bytes (ImuArchiveInputStream *self)
{
  g_return_val_if_fail (IMU_IS_ARCHIVE_INPUT_STREAM (self), 0);
  return self->bytes;
}

gboolean
imu_archive_input_stream_over_limit (ImuArchiveInputStream *self)
{
  g_return_val_if_fail (IMU_IS_ARCHIVE_INPUT_STREAM (self), FALSE);
  return self->over_limit;
}
