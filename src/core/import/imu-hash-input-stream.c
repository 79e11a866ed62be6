/* imu-hash-input-stream.c — a stream that takes the sha256 of what is read through it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The import pipeline identifies a file by its sha256. Hashing the file in
 * a second read (as a thread next to the parser once did) checksums other
 * bytes than were parsed when the file changes during the import, and
 * reads a pipe's data away from the parser. Hashing what the parser reads,
 * as it reads it, checksums exactly the data that landed.
 */
#define G_LOG_DOMAIN "imu-import"

#include <nettle/sha2.h>

#include "imu-hash-input-stream.h"

#define DRAIN_BLOCK (256 * 1024)

struct _ImuHashInputStream
{
  GFilterInputStream  parent_instance;
  struct sha256_ctx   sha;
  guint64             bytes;
};

G_DEFINE_FINAL_TYPE (ImuHashInputStream, imu_hash_input_stream, G_TYPE_FILTER_INPUT_STREAM)

static gssize
imu_hash_input_stream_read (GInputStream  *stream,
                            void          *buffer,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  ImuHashInputStream *self = IMU_HASH_INPUT_STREAM (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n = g_input_stream_read (base, buffer, count, cancellable, error);

  if (n > 0)
    {
      sha256_update (&self->sha, (size_t) n, buffer);
      self->bytes += (guint64) n;
    }
  return n;
}

/* A skip must hash the bytes too: the base stream would seek past them. */
static gssize
imu_hash_input_stream_skip (GInputStream  *stream,
                            gsize          count,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autofree guint8 *buf = g_malloc (MIN (count, DRAIN_BLOCK));

  return imu_hash_input_stream_read (stream, buf, MIN (count, DRAIN_BLOCK), cancellable, error);
}

static void
imu_hash_input_stream_class_init (ImuHashInputStreamClass *klass)
{
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  stream_class->read_fn = imu_hash_input_stream_read;
  stream_class->skip = imu_hash_input_stream_skip;
}

static void
imu_hash_input_stream_init (ImuHashInputStream *self)
{
  sha256_init (&self->sha);
}

GInputStream *
imu_hash_input_stream_new (GInputStream *base)
{
  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);

  return g_object_new (IMU_TYPE_HASH_INPUT_STREAM, "base-stream", base, NULL);
}

guint64
imu_hash_input_stream_get_bytes (ImuHashInputStream *self)
{
  g_return_val_if_fail (IMU_IS_HASH_INPUT_STREAM (self), 0);
  return self->bytes;
}

char *
imu_hash_input_stream_dup_sha256 (ImuHashInputStream *self)
{
  struct sha256_ctx copy;
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex;

  g_return_val_if_fail (IMU_IS_HASH_INPUT_STREAM (self), NULL);

  /* sha256_digest() resets its context: take the digest of a copy, so
   * that reading may go on. */
  copy = self->sha;
  sha256_digest (&copy, SHA256_DIGEST_SIZE, digest);
  hex = g_malloc (SHA256_DIGEST_SIZE * 2 + 1);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}

gboolean
imu_hash_input_stream_drain (ImuHashInputStream  *self,
                             GCancellable        *cancellable,
                             GError             **error)
{
  g_autofree guint8 *buf = NULL;
  gssize n;

  g_return_val_if_fail (IMU_IS_HASH_INPUT_STREAM (self), FALSE);

  buf = g_malloc (DRAIN_BLOCK);
  while ((n = imu_hash_input_stream_read (G_INPUT_STREAM (self), buf, DRAIN_BLOCK, cancellable, error)) > 0)
    ;
  return n == 0;
}
