/* imu-hash-input-stream.h — a stream that takes the sha256 of what is read through it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IMU_TYPE_HASH_INPUT_STREAM (imu_hash_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (ImuHashInputStream, imu_hash_input_stream, IMU, HASH_INPUT_STREAM, GFilterInputStream)

/**
 * imu_hash_input_stream_new:
 * @base: the stream to read; closed with this one
 *
 * Every byte read (or skipped) through the returned stream goes into a
 * sha256, in order: the checksum is of exactly the bytes the reader saw,
 * read once. Does not block; its reads block as @base's do.
 */
GInputStream *imu_hash_input_stream_new        (GInputStream       *base);

/* Bytes read through the stream so far. */
guint64       imu_hash_input_stream_get_bytes  (ImuHashInputStream *self);

/* The lowercase hex sha256 of the bytes read so far (the stream may go on
 * reading). Does not block. */
char         *imu_hash_input_stream_dup_sha256 (ImuHashInputStream *self);

/**
 * imu_hash_input_stream_drain:
 *
 * Reads what is left of the stream into the checksum, so that it covers
 * the whole input even when its reader stopped before the end. Blocking.
 */
gboolean      imu_hash_input_stream_drain      (ImuHashInputStream  *self,
                                                GCancellable        *cancellable,
                                                GError             **error);

G_END_DECLS
