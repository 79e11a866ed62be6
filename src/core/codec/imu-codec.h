/* imu-codec.h — lossless, compressed encoding of sample chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IMU_CODEC_ERROR (imu_codec_error_quark ())

typedef enum {
  IMU_CODEC_ERROR_CORRUPT,      /* the blob is truncated, has a bad checksum or bad sections */
  IMU_CODEC_ERROR_VERSION,      /* the blob was written by a newer codec */
  IMU_CODEC_ERROR_MISMATCH,     /* the blob does not have the shape the caller expected */
  IMU_CODEC_ERROR_FAILED,       /* zstd or another internal failure while encoding */
} ImuCodecError;

GQuark imu_codec_error_quark (void);

/* The largest number of samples one chunk may hold. */
#define IMU_CODEC_MAX_SAMPLES 65536
/* The largest number of channels one chunk may hold. */
#define IMU_CODEC_MAX_CHANNELS 256

/**
 * ImuChunkView:
 * @n_samples: number of samples (rows), 1..IMU_CODEC_MAX_SAMPLES
 * @n_channels: number of value columns, 0..IMU_CODEC_MAX_CHANNELS
 * @t: @n_samples timestamps, int64 nanoseconds (any values, any order)
 * @columns: @n_channels pointers to @n_samples doubles each
 * @decimals_hint: (nullable): per channel, the number of decimals the source
 *   text had when it was fixed (0..18), or -1 when unknown/variable. Only a
 *   hint to speed up the encoder; the encoder always verifies exactness.
 *
 * A borrowed, columnar view of one chunk of samples.
 */
typedef struct {
  guint           n_samples;
  guint           n_channels;
  const gint64   *t;
  const double  **columns;
  const gint8    *decimals_hint;
} ImuChunkView;

/**
 * imu_codec_encode:
 * @view: the samples
 * @zstd_level: zstd compression level (1..19; 3 is a good default)
 * @out: bytes are appended here
 *
 * Encodes one chunk. Decoding gives back every timestamp exactly and every
 * double bit-identical (including -0.0, ±Inf, every NaN payload, subnormals).
 * Per column the smallest exact representation is chosen (decimal-scaled
 * integers with deltas, small integers, float32, raw float64; exceptions
 * stored aside), then compressed with zstd. Timestamps are delta-of-delta
 * encoded. Columns are stored in independent sections so that a reader can
 * decode only the ones it needs. Does not block on I/O; thread-safe.
 *
 * Returns: %TRUE on success
 */
gboolean imu_codec_encode (const ImuChunkView *view,
                           int                 zstd_level,
                           GByteArray         *out,
                           GError            **error);

/**
 * imu_codec_peek:
 *
 * Reads the header of an encoded chunk: its sample and channel counts.
 */
gboolean imu_codec_peek (const guint8 *data,
                         gsize         len,
                         guint        *n_samples,
                         guint        *n_channels,
                         GError      **error);

/**
 * imu_codec_decode:
 * @data: an encoded chunk
 * @len: its length
 * @t_out: (nullable): room for n_samples timestamps, or %NULL to skip them
 * @columns_out: (nullable): an array of n_channels pointers, each either
 *   %NULL (skip that channel) or room for n_samples doubles
 * @n_columns_out: length of @columns_out (must equal the chunk's channel
 *   count when @columns_out is not %NULL)
 *
 * Decodes the requested parts of a chunk. Never reads or writes out of
 * bounds on corrupt input: returns %IMU_CODEC_ERROR_CORRUPT instead.
 * Thread-safe.
 */
gboolean imu_codec_decode (const guint8  *data,
                           gsize          len,
                           gint64        *t_out,
                           double       **columns_out,
                           guint          n_columns_out,
                           GError       **error);

/**
 * imu_codec_column_decimals:
 *
 * After decoding, tells how a column is stored: the number of decimals when
 * it is stored as decimal-scaled integers (0 for plain integers), or -1.
 * Used by exporters to write numbers with the decimals the source had.
 */
int imu_codec_column_decimals (const guint8 *data,
                               gsize         len,
                               guint         channel);

G_END_DECLS
