/* imu-compare.h — two to four sessions side by side: alignment and differences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The first session is the reference. Each other one gets an offset: add
 * it to that session's times to put them on the reference's clock. The
 * offset comes from the sessions' starts, from an event found by label in
 * each, from a number the caller gives, or from the cross-correlation of
 * the acceleration magnitude (docs/compare.md). Differences are computed
 * per channel of the compared stream over the range the aligned sessions
 * share, with the other sessions' samples interpolated at the reference's
 * times and converted to its units. Stored samples are never changed.
 */
#pragma once

#include <gio/gio.h>

#include "imu-store.h"

G_BEGIN_DECLS

#define IMU_COMPARE_ERROR (imu_compare_error_quark ())

typedef enum {
  IMU_COMPARE_ERROR_ARGUMENT,   /* fewer than 2 or more than 4 sessions, a bad --align */
  IMU_COMPARE_ERROR_NO_STREAM,  /* a session lacks the stream, or has no samples */
  IMU_COMPARE_ERROR_NO_EVENT,   /* align by event: a session has no event of that label */
  IMU_COMPARE_ERROR_NO_OVERLAP, /* once aligned, the sessions share no time */
  IMU_COMPARE_ERROR_UNITS,      /* channels whose units cannot be converted into each other */
  IMU_COMPARE_ERROR_NOT_FOUND,  /* no saved comparison of that id or uuid */
} ImuCompareError;

GQuark imu_compare_error_quark (void);

#define IMU_COMPARE_MAX_SESSIONS 4
/* How far cross-correlation looks by default, each way. */
#define IMU_COMPARE_DEFAULT_MAX_LAG_NS (G_GINT64_CONSTANT (300) * G_GINT64_CONSTANT (1000000000))

typedef enum {
  IMU_ALIGN_START,    /* the starts coincide */
  IMU_ALIGN_EVENT,    /* an event of the same label coincides */
  IMU_ALIGN_XCORR,    /* the best cross-correlation of |a| */
  IMU_ALIGN_OFFSET,   /* the offset the caller gives, for every other session */
} ImuAlignMethod;

typedef struct {
  ImuAlignMethod method;
  char          *event_label;   /* IMU_ALIGN_EVENT */
  gint64         offset_ns;     /* IMU_ALIGN_OFFSET */
  gint64         max_lag_ns;    /* IMU_ALIGN_XCORR: 0 for the default */
  /* IMU_ALIGN_OFFSET, when n_offsets is the number of sessions: each
   * session's own offset (offsets_ns[0], the reference's, is ignored)
   * instead of offset_ns for all; a saved comparison reopens this way. */
  guint          n_offsets;
  gint64         offsets_ns[IMU_COMPARE_MAX_SESSIONS];
} ImuAlignSpec;

/**
 * imu_align_spec_parse:
 * @text: "start", "xcorr", "event:LABEL" or "offset:SECONDS" (may be
 *   negative and fractional)
 *
 * Returns: %FALSE with %IMU_COMPARE_ERROR_ARGUMENT when @text is none of
 *   these. Free @spec's label with imu_align_spec_clear().
 */
gboolean imu_align_spec_parse (const char    *text,
                               ImuAlignSpec  *spec,
                               GError       **error);
void     imu_align_spec_clear (ImuAlignSpec  *spec);

typedef struct {
  gint64    session_id;
  char     *title;
  gint64    stream_id;
  char     *stream_name;
  double    rate_hz;        /* effective rate of the compared stream */
  gint64    offset_ns;      /* 0 for the reference */
  double    correlation;    /* xcorr: of |a| at the offset found; NAN otherwise */
  gboolean  clear_peak;     /* xcorr: whether one peak stands out; when not,
                             * the offset is that of the starts */
} ImuCompareMember;

typedef struct {
  char    *name;            /* the reference's channel */
  char    *unit;            /* the reference's unit: the others are converted into it */
  double   rms[IMU_COMPARE_MAX_SESSIONS];         /* RMS of (session − reference); [0] is 0 */
  double   correlation[IMU_COMPARE_MAX_SESSIONS]; /* Pearson r with the reference; [0] is 1 */
  gint64   n[IMU_COMPARE_MAX_SESSIONS];           /* reference samples compared */
  /* Mean of each session's values over the samples compared, in the
   * reference's unit ([0]: the reference's, over those compared with the
   * second session); NAN when none. */
  double   mean[IMU_COMPARE_MAX_SESSIONS];
} ImuCompareChannel;

typedef struct {
  ImuAlignMethod     method;
  guint              n_members;
  ImuCompareMember   members[IMU_COMPARE_MAX_SESSIONS];
  guint              n_channels;
  ImuCompareChannel *channels;
  gint64             t0_ns;  /* the range compared, on the reference's clock */
  gint64             t1_ns;
} ImuComparison;

void imu_comparison_free (ImuComparison *comparison);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuComparison, imu_comparison_free)

/**
 * imu_compare_sessions:
 * @session_ids: 2 to 4 sessions, the reference first
 * @stream_name: (nullable): the stream to compare in each; %NULL for each
 *   session's first stream with acceleration channels (else its first)
 * @align: how to align them
 * @t0_ns: start of the range to compare on the reference's clock, or 0
 *   for the whole shared range
 * @t1_ns: its end (exclusive), or 0
 *
 * Reads the streams (blocking; memory grows with the length of the
 * sessions at 4 bytes per sample for cross-correlation, else stays flat).
 *
 * Returns: (transfer full): the comparison, or %NULL with @error set
 */
ImuComparison *imu_compare_sessions (ImuStore            *store,
                                     const gint64        *session_ids,
                                     guint                n_sessions,
                                     const char          *stream_name,
                                     const ImuAlignSpec  *align,
                                     gint64               t0_ns,
                                     gint64               t1_ns,
                                     GCancellable        *cancellable,
                                     GError             **error);

G_END_DECLS
