/* imu-stream-writer.h — appends samples to a stream: chunks and LOD
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-codec.h"
#include "imu-store.h"

G_BEGIN_DECLS

/* Samples per chunk. */
#define IMU_CHUNK_SAMPLES 4096

/* The most channels one stream holds. A stream's envelopes (LOD) are one
 * codec chunk per level holding the time and the min and max of every
 * channel, 1 + 2 × n columns, and a chunk holds at most
 * IMU_CODEC_MAX_CHANNELS: so 127. Importers check it up front, before
 * any row is read, so that a wide file is refused with a message rather
 * than failing in the middle of its first chunk. */
#define IMU_STREAM_MAX_CHANNELS ((IMU_CODEC_MAX_CHANNELS - 1) / 2)

typedef struct _ImuStreamWriter ImuStreamWriter;

/**
 * imu_stream_writer_new:
 * @store: an open store; the caller holds a transaction around the writes
 * @info: the stream to create (its session_id must be set); copied
 *
 * Inserts the stream row and returns a writer. Memory stays flat: only the
 * current chunk and the LOD accumulators are held. Blocking.
 */
ImuStreamWriter *imu_stream_writer_new     (ImuStore             *store,
                                            const ImuStreamInfo  *info,
                                            GError              **error);
/* Appends one sample (n_channels values). Writes a chunk when one fills. */
gboolean         imu_stream_writer_append  (ImuStreamWriter      *self,
                                            gint64                t_ns,
                                            const double         *values,
                                            GError              **error);
/* Sets per-channel decimals hints (fixed decimals of the source). */
void             imu_stream_writer_set_decimals (ImuStreamWriter *self,
                                                 guint            channel,
                                                 int              decimals);
/* Writes what remains (partial chunk, LOD tails) and updates the stream row
 * (sample count, time range, channel decimals). Blocking. */
gboolean         imu_stream_writer_finish  (ImuStreamWriter      *self,
                                            GError              **error);
/* Writes the chunk being filled now (the recorder commits every second);
 * the writer goes on appending to a new chunk. */
gboolean         imu_stream_writer_flush   (ImuStreamWriter      *self,
                                            GError              **error);
gint64           imu_stream_writer_get_stream_id (ImuStreamWriter *self);
gint64           imu_stream_writer_get_n_samples (ImuStreamWriter *self);
const ImuStreamInfo *imu_stream_writer_get_info  (ImuStreamWriter *self);
void             imu_stream_writer_free    (ImuStreamWriter      *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuStreamWriter, imu_stream_writer_free)

G_END_DECLS
