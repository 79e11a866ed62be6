/* imu-chunk.h — one encoded chunk of a stream, copied out of the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ImuChunkInfo:
 * @seq: the chunk's position in its stream, 0, 1, 2…
 * @first_index: index of its first sample in the stream
 * @n_samples: number of samples it holds
 * @t_min_ns: its smallest timestamp
 * @t_max_ns: its largest timestamp
 * @n_bytes: length of its encoded blob
 *
 * A chunk's row of the chunk index, without its samples.
 */
typedef struct {
  guint   seq;
  gint64  first_index;
  guint   n_samples;
  gint64  t_min_ns;
  gint64  t_max_ns;
  gsize   n_bytes;
} ImuChunkInfo;

typedef struct _ImuChunk ImuChunk;

/**
 * imu_chunk_new:
 *
 * An empty chunk, to be filled by imu_chunk_cursor_next(). A chunk keeps
 * its buffer between fills, so a reader that reuses one allocates nothing
 * per chunk.
 */
ImuChunk            *imu_chunk_new             (void);
void                 imu_chunk_free            (ImuChunk        *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuChunk, imu_chunk_free)

/* What the chunk index says about the chunk; its shape has been checked
 * against the encoded header when the chunk was filled. */
const ImuChunkInfo  *imu_chunk_get_info        (const ImuChunk  *self);
gint64               imu_chunk_get_stream_id   (const ImuChunk  *self);
guint                imu_chunk_get_n_channels  (const ImuChunk  *self);

/**
 * imu_chunk_get_decimals:
 *
 * How the chunk stores @channel: the number of decimals when it is stored
 * as decimal-scaled integers (0 for plain integers), or -1 (also when
 * the section table cannot be read). Reads the section table only; does
 * not block.
 */
int                  imu_chunk_get_decimals    (const ImuChunk  *self,
                                                guint            channel);

/**
 * imu_chunk_decode:
 * @t: (nullable): room for n_samples timestamps
 * @columns: (nullable): n_channels pointers, each %NULL (skip that channel)
 *   or room for n_samples doubles
 *
 * Decodes the requested parts of the chunk. Only the sections asked for are
 * read and checked, so decoding two columns costs two columns. Does not
 * block and touches only the chunk's bytes: several threads may decode
 * columns of one chunk at once.
 *
 * Returns: %FALSE with %IMU_CODEC_ERROR_CORRUPT (or another codec error),
 *   prefixed with the chunk and stream, when the blob cannot be decoded
 */
gboolean             imu_chunk_decode          (const ImuChunk  *self,
                                                gint64          *t,
                                                double         **columns,
                                                GError         **error);

G_END_DECLS
