/* imu-chunk-private.h — how the series module fills chunks from the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-chunk.h"
#include "imu-store-private.h"

G_BEGIN_DECLS

/* Copies @data into @self and checks it against the chunk's index row
 * @info and the stream's channel count: the blob's header must be sound
 * (IMU_CODEC_ERROR_*) and say @info->n_samples samples of @n_channels
 * channels (else IMU_STORE_ERROR_CORRUPT). On failure @self is left empty. */
gboolean  imu_chunk_fill           (ImuChunk            *self,
                                    gint64               stream_id,
                                    guint                n_channels,
                                    const ImuChunkInfo  *info,
                                    const guint8        *data,
                                    gsize                len,
                                    GError             **error);

/* Reads chunk @seq of a stream by its primary key into @self (a missing
 * chunk is IMU_STORE_ERROR_CORRUPT). Blocking, on @store's thread. */
gboolean  imu_chunk_load           (ImuChunk            *self,
                                    ImuStore            *store,
                                    gint64               stream_id,
                                    guint                n_channels,
                                    guint                seq,
                                    GError             **error);

/* The integrity check of one stream's chunks (imu_store_check()): adds a
 * message to @problems for every problem found; fails only when the
 * library cannot be read. Blocking, on @store's thread. */
gboolean  imu_chunk_check          (ImuStore            *store,
                                    const ImuStreamInfo *info,
                                    gint64               n_chunks_recorded,
                                    GPtrArray           *problems,
                                    GCancellable        *cancellable,
                                    GError             **error);

G_END_DECLS
