/* imu-series.h — reading samples back: ranges and envelopes (LOD)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-chunk.h"
#include "imu-store.h"

G_BEGIN_DECLS

typedef struct _ImuSeries ImuSeries;

/**
 * ImuEnvelope:
 *
 * The answer to "min/max for N buckets between t0 and t1". Bucket i covers
 * the time slice [t0 + i·(t1−t0)/N, t0 + (i+1)·(t1−t0)/N). Each bucket gives
 * the contiguous sample index range it summarises (@i_first..@i_last,
 * inclusive; @i_first > @i_last when empty), the times of those samples,
 * and per channel the exact min and max over exactly those samples (NaN
 * is skipped; a bucket of only NaN has NaN min/max). Samples are assigned
 * to buckets by time, in blocks of the LOD level chosen for the query (so a
 * bucket edge may be off by less than one LOD block, and @t_first/@t_last
 * say exactly what each bucket holds).
 */
typedef struct {
  guint    n_buckets;
  guint    n_channels;
  gint64   t0, t1;
  guint    level;          /* LOD level used: 0 = raw samples */
  gint64  *i_first;        /* [n_buckets] */
  gint64  *i_last;
  gint64  *t_first;
  gint64  *t_last;
  double **min;            /* [n_channels][n_buckets] */
  double **max;
} ImuEnvelope;

void         imu_envelope_free (ImuEnvelope *env);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuEnvelope, imu_envelope_free)

/**
 * imu_series_new:
 *
 * Opens a stream for reading on @store's connection (so in @store's thread):
 * loads the chunk index into memory (one row per chunk). Blocking.
 */
ImuSeries   *imu_series_new              (ImuStore   *store,
                                          gint64      stream_id,
                                          GError    **error);
void         imu_series_free             (ImuSeries  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSeries, imu_series_free)

const ImuStreamInfo *imu_series_get_info (ImuSeries  *self);
guint        imu_series_get_n_channels   (ImuSeries  *self);
gint64       imu_series_get_n_samples    (ImuSeries  *self);
gint64       imu_series_get_t_first      (ImuSeries  *self);
gint64       imu_series_get_t_last       (ImuSeries  *self);

/* Index of the first sample with t ≥ @t_ns (n_samples when none).
 * Assumes chunks in time order (true unless timestamps went backwards). */
gint64       imu_series_index_at_time    (ImuSeries  *self,
                                          gint64      t_ns,
                                          GError    **error);

/**
 * imu_series_read:
 * @first: index of the first sample
 * @n: number of samples (clamped to what exists)
 * @t: (nullable): room for @n timestamps
 * @columns: (nullable): n_channels pointers (each nullable) to room for @n values
 *
 * Reads samples by index. Blocking (decodes the chunks involved, only the
 * columns asked for; the last few decoded chunks are cached).
 *
 * Returns: the number of samples read, or -1 on error
 */
gint64       imu_series_read             (ImuSeries  *self,
                                          gint64      first,
                                          gint64      n,
                                          gint64     *t,
                                          double    **columns,
                                          GError    **error);

/* Number of chunks, and one whole chunk by position. @t and @columns need
 * IMU_CHUNK_SAMPLES room. A pass over the whole stream is faster with an
 * ImuChunkCursor (imu-chunk-cursor.h), which steps through the chunks
 * instead of looking each one up. */
guint        imu_series_get_n_chunks     (ImuSeries  *self);
/* Index of the first sample of chunk @chunk (0 … n_chunks; n_chunks gives
 * the number of samples), from the chunk index. Does not block. */
gint64       imu_series_get_chunk_first_index (ImuSeries *self,
                                               guint      chunk);
gint64       imu_series_read_chunk       (ImuSeries  *self,
                                          guint       chunk,
                                          gint64     *t,
                                          double    **columns,
                                          GError    **error);
/* Decimals the source had for a channel (-1 when variable). */
int          imu_series_get_decimals     (ImuSeries  *self,
                                          guint       channel);

/**
 * imu_series_get_last_chunk_info:
 * @found: set to whether the stream has a chunk
 *
 * The index row of a stream's last chunk, without opening the stream (one
 * lookup by primary key, whatever the stream's length): what changes when
 * samples are appended. Blocking.
 */
gboolean     imu_series_get_last_chunk_info (ImuStore     *store,
                                             gint64        stream_id,
                                             ImuChunkInfo *info,
                                             gboolean     *found,
                                             GError      **error);

/**
 * imu_series_envelope:
 * @t0: start of the window (ns)
 * @t1: end of the window (ns), > @t0
 * @n_buckets: number of time slices (pixels), 1..65536
 *
 * Computes min/max per channel per bucket from the LOD envelopes, in time
 * proportional to @n_buckets (plus decoding at the two window edges), never
 * to the number of samples in the window. When the window holds fewer
 * samples than a few per bucket, raw samples are used (level 0). Blocking.
 */
ImuEnvelope *imu_series_envelope         (ImuSeries  *self,
                                          gint64      t0,
                                          gint64      t1,
                                          guint       n_buckets,
                                          GError    **error);

G_END_DECLS
