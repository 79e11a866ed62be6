/* imu-profile-private.h — what the profiler's files share: the chunk a
 * pass hands to its accumulators, the accumulators themselves, findings in
 * the making and small JSON helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A stream is profiled by accumulators, each fed every chunk of the stream
 * in order: one for the time base, one per channel (statistics and data
 * quality), one for movement (the accelerometer triple) and one per
 * accelerometer axis for its power spectrum. Accumulators own all their
 * state, so a pass can split them between threads; they are finished one
 * after another in the calling thread, the time base first (the others
 * need its effective rate).
 */
#pragma once

#include <json-glib/json-glib.h>

#include "imu-profile.h"
#include "imu-profile-stats.h"
#include "imu-series.h"

G_BEGIN_DECLS

/**
 * ImuProfileChunk:
 * @n: samples in the chunk
 * @first_index: index of its first sample in the stream
 * @t: @n timestamps (ns)
 * @cols: per channel @n values, or %NULL for a channel not decoded
 */
typedef struct {
  guint           n;
  gint64          first_index;
  const gint64   *t;
  double * const *cols;
} ImuProfileChunk;

/**
 * ImuStreamSummary:
 *
 * What the time base found, for the other accumulators' conclusions.
 */
typedef struct {
  gint64  n_samples;
  gint64  t_first;         /* first sample */
  gint64  t_last;          /* last sample */
  double  rate_hz;         /* effective (median interval), else nominal, else 0 */
  double  median_interval_s;
} ImuStreamSummary;

/**
 * ImuLocation:
 * @index: sample index in the stream
 * @t_ns: time of that sample
 * @length: samples covered (0 for a point)
 * @duration_ns: time covered (0 for a point)
 * @value: the value there, or NaN
 */
typedef struct {
  gint64 index;
  gint64 t_ns;
  gint64 length;
  gint64 duration_ns;
  double value;
} ImuLocation;

/* Appends a location when fewer than @max are kept. */
void      imu_locations_add      (GArray *locations,
                                  guint   max,
                                  gint64  index,
                                  gint64  t_ns,
                                  gint64  length,
                                  gint64  duration_ns,
                                  double  value);
GArray   *imu_locations_new      (void);

/**
 * ImuFindingDraft:
 *
 * A finding of one stream, before the profile turns it into JSON.
 */
typedef struct {
  char   *code;
  char   *channel;     /* nullable */
  gint64  count;
  char   *message;
  GArray *locations;   /* ImuLocation; nullable */
} ImuFindingDraft;

/* Takes @locations. */
ImuFindingDraft *imu_finding_draft_new  (const char *code,
                                         const char *channel,
                                         gint64      count,
                                         GArray     *locations,
                                         const char *format,
                                         ...) G_GNUC_PRINTF (5, 6);
void             imu_finding_draft_free (gpointer draft);

/* JSON helpers: NaN and ±Inf become null. */
void      imu_json_set_double    (JsonObject *object, const char *member, double value);
/* Rounded to @decimals decimals (shorter JSON for per-epoch series). */
void      imu_json_set_rounded   (JsonObject *object, const char *member, double value, int decimals);
JsonNode *imu_json_double_node   (double value);
double    imu_json_round         (double value, int decimals);
/* The shortest text that reads back as @v ("45.8"), locale-independent. */
void      imu_format_shortest    (char buf[G_ASCII_DTOSTR_BUF_SIZE], double v);
/* "2019-10-16T10:09:01.702Z" (milliseconds, UTC). */
char     *imu_format_time_iso    (gint64 t_ns);
char     *imu_profile_format_duration    (double seconds);
JsonNode *imu_locations_to_json  (GArray *locations);
/* A double in a document: a JSON number, or NaN for null or missing. */
double    imu_json_get_double    (JsonObject *object, const char *member);

/* Unit conversion of an acceleration channel to g: 1 for "g", 1e-3 for
 * "mg", 1/9.80665 for "m/s^2", 1/64 for "1/64 g"; 0 when unknown. */
double    imu_accel_unit_to_g    (const char *unit);
/* The first three channels of kind "accel" whose unit converts to g,
 * preferring names not starting with "gravity"; FALSE when there are none. */
gboolean  imu_find_accel_triple  (const ImuStreamInfo *info,
                                  guint                axes[3]);

/* Time base (imu-profile-quality.c). */
typedef struct _ImuTimeProfiler ImuTimeProfiler;
ImuTimeProfiler *imu_time_profiler_new    (const ImuProfileOptions *options,
                                           const ImuStreamInfo     *info);
void             imu_time_profiler_feed   (ImuTimeProfiler         *self,
                                           const ImuProfileChunk   *chunk);
/* Adds findings (ImuFindingDraft) and fills @summary. */
JsonNode        *imu_time_profiler_finish (ImuTimeProfiler         *self,
                                           GPtrArray               *findings,
                                           ImuStreamSummary        *summary);
void             imu_time_profiler_free   (ImuTimeProfiler         *self);

/* One channel: statistics and data quality (imu-profile-quality.c). */
typedef struct _ImuChannelProfiler ImuChannelProfiler;
ImuChannelProfiler *imu_channel_profiler_new    (const ImuProfileOptions *options,
                                                 const ImuStreamInfo     *info,
                                                 guint                    channel);
/* Decimals to try for exact percentiles when the stream does not say. */
void                imu_channel_profiler_set_decimals (ImuChannelProfiler *self,
                                                       int                 decimals);
void                imu_channel_profiler_feed   (ImuChannelProfiler      *self,
                                                 const ImuProfileChunk   *chunk);
/* @series: (nullable): the stream, to find where the outliers are (reads
 * the few envelope rows and chunks that hold them). */
JsonNode           *imu_channel_profiler_finish (ImuChannelProfiler      *self,
                                                 const ImuStreamSummary  *summary,
                                                 ImuSeries               *series,
                                                 GPtrArray               *findings,
                                                 GError                 **error);
void                imu_channel_profiler_free   (ImuChannelProfiler      *self);

/* Movement of an accelerometer triple (imu-profile-movement.c). */
typedef struct _ImuMovementProfiler ImuMovementProfiler;
ImuMovementProfiler *imu_movement_profiler_new    (const ImuProfileOptions *options,
                                                   const ImuStreamInfo     *info,
                                                   const guint              axes[3]);
void                 imu_movement_profiler_feed   (ImuMovementProfiler     *self,
                                                   const ImuProfileChunk   *chunk);
JsonNode            *imu_movement_profiler_finish (ImuMovementProfiler     *self,
                                                   const ImuStreamSummary  *summary,
                                                   GPtrArray               *findings);
void                 imu_movement_profiler_free   (ImuMovementProfiler     *self);

/* Welch's power spectrum of one channel (imu-profile-movement.c). */
typedef struct _ImuWelch ImuWelch;
ImuWelch  *imu_welch_new      (guint                  segment,
                               guint                  channel);
void       imu_welch_feed     (ImuWelch              *self,
                               const ImuProfileChunk *chunk);
/* {"dominant_frequency_hz", "peak_psd", "segments", "segment", "resolution_hz"} */
JsonNode  *imu_welch_finish   (ImuWelch              *self,
                               double                 rate_hz);
void       imu_welch_free     (ImuWelch              *self);

/**
 * imu_fft_real_power:
 * @x: @n real samples (n a power of two, ≥ 4); overwritten
 * @power: (out): n/2 + 1 values |X_k|², k = 0..n/2
 * @work: 2·n doubles of scratch
 *
 * |DFT|² of a real signal by a radix-2 complex FFT of half the length
 * (the even and odd samples as real and imaginary parts).
 */
void       imu_fft_real_power (double *x,
                               guint   n,
                               double *power,
                               double *work);

/* Report writers' access to the stored profile (imu-profile.c). */
ImuProfile *imu_profile_new_take_root (JsonNode *root,
                                       gboolean  cached);
/* profile.json text: json-glib's output with every number rewritten in
 * its shortest round-trip form ("45.8", not "45.799999999999997"). */
char       *imu_profile_root_to_text  (JsonNode *root,
                                       gboolean  pretty,
                                       gsize    *length);

G_END_DECLS
