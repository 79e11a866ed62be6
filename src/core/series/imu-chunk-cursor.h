/* imu-chunk-cursor.h — a stream's encoded chunks, in order, for streaming passes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-chunk.h"
#include "imu-series.h"

G_BEGIN_DECLS

typedef struct _ImuChunkCursor ImuChunkCursor;

/**
 * imu_chunk_cursor_new:
 * @series: the stream to read; it must outlive the cursor
 * @first_chunk: position of the first chunk to read (0 for all of them)
 *
 * A cursor over the encoded chunks of @series from @first_chunk on, in
 * sample order: one step through the chunk table, where reading chunk after
 * chunk with imu_series_read_chunk() would look each one up by its key.
 * It is for passes over a whole stream (profile, export): the encoded
 * chunks it hands out can be decoded in any thread, column by column, with
 * imu_chunk_decode().
 *
 * The cursor holds a read statement open on @series' connection until it is
 * freed (SQLite then keeps the library's snapshot of its start), so free it
 * when the pass is done. Use it in @series' thread only. Blocking (prepares
 * the statement).
 */
ImuChunkCursor *imu_chunk_cursor_new  (ImuSeries       *series,
                                       guint            first_chunk,
                                       GError         **error);
void            imu_chunk_cursor_free (ImuChunkCursor  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuChunkCursor, imu_chunk_cursor_free)

/**
 * imu_chunk_cursor_next:
 * @chunk: filled with the next chunk (its buffer is reused)
 *
 * Copies the next chunk out of the library into @chunk and checks it: its
 * sequence number follows the previous chunk's (else
 * %IMU_STORE_ERROR_CORRUPT: a chunk is missing), its first sample index is
 * where the previous chunk ended (else %IMU_STORE_ERROR_CORRUPT), and its
 * encoded header is sound (%IMU_CODEC_ERROR_CORRUPT) and says the stream's
 * channel count and the chunk's sample count (else
 * %IMU_STORE_ERROR_CORRUPT). The columns are checked as they are decoded.
 * The cursor reads the chunks the series' index held when the cursor was
 * made, as stored when each is read (the last chunk of a stream being
 * recorded may have grown). Blocking.
 *
 * Returns: the number of samples in @chunk (≥ 1), 0 after the last chunk,
 *   or -1 on error. An error ends the pass: do not call it again.
 */
gint64          imu_chunk_cursor_next (ImuChunkCursor  *self,
                                       ImuChunk        *chunk,
                                       GError         **error);

G_END_DECLS
