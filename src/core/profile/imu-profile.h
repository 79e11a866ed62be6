/* imu-profile.h — profiling a session: statistics, data-quality findings,
 * movement metrics, and the reports (profile.json, metrics.csv, report.html)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * docs/profile.md explains every number and finding code;
 * docs/profile.schema.json is the JSON Schema of profile.json.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "imu-import.h"
#include "imu-store.h"

G_BEGIN_DECLS

#define IMU_PROFILE_ERROR (imu_profile_error_quark ())

typedef enum {
  IMU_PROFILE_ERROR_INVALID_OPTIONS, /* an option out of range */
  IMU_PROFILE_ERROR_CORRUPT,         /* a stored profile cannot be read (a damaged chunk keeps
                                      * the series' IMU_STORE_ERROR_CORRUPT or IMU_CODEC_ERROR_*) */
  IMU_PROFILE_ERROR_WRITE,           /* an output cannot be written */
  IMU_PROFILE_ERROR_FAILED,
} ImuProfileError;

GQuark imu_profile_error_quark (void);

/* The "schema" and "version" members of profile.json. */
#define IMU_PROFILE_SCHEMA         "imu-studio/profile"
#define IMU_PROFILE_SCHEMA_VERSION 1
/* The profiler's own version: stored with each cached profile, which is
 * recomputed when it differs. Raise it whenever a number could change. */
#define IMU_PROFILER_VERSION       1

/**
 * ImuProfileOptions:
 *
 * Every threshold of the profiler, with the defaults that
 * imu_profile_options_init() sets (docs/profile.md, "Parameters", says
 * where each default comes from). Durations are in seconds, accelerations
 * in g or mg as named.
 */
typedef struct {
  /* Time base */
  double gap_factor;              /* 1.5: an interval > gap_factor × the median interval is a gap */
  double rate_tolerance;          /* 0.02: |effective − nominal| / nominal above this: W_RATE_MISMATCH */
  double jitter_tolerance;        /* 0.05: p99 |interval − median| / median above this: W_JITTER */
  /* Clipping */
  guint  clip_min_run;            /* 3: consecutive samples at a limit that make a clipping run */
  double clip_range_fraction;     /* 0.001: "at the sensor range" = within this fraction of the range span */
  /* Flat lines */
  double flat_window_s;           /* 1: windows the standard deviation is computed over */
  double flat_std_max;            /* 0: a window with std ≤ this (channel units) is flat */
  double flat_min_s;              /* 10: shortest flat line reported */
  /* Outliers */
  double outlier_z;               /* 3.5: robust z = 0.6745·|x − median| / MAD above this is an outlier */
  double outlier_max_fraction;    /* 0.01: above this fraction the channel is heavy-tailed, not outlying */
  /* Non-wear (van Hees et al. 2011/2013, GGIR) */
  double nonwear_window_s;        /* 3600: window judged around each step */
  double nonwear_step_s;          /* 900: blocks flagged */
  double nonwear_std_mg;          /* 13 */
  double nonwear_range_mg;        /* 50 */
  guint  nonwear_min_axes;        /* 2 */
  /* Calibration (van Hees et al. 2014) */
  double static_window_s;         /* 10 */
  double static_std_mg;           /* 13 */
  double calibration_error_mg;    /* 10: mean | |a| − 1 g | of static windows above this: W_CALIBRATION */
  double sphere_min_g;            /* 0.3: static means must reach ±this on every axis to fit */
  /* Movement */
  double epoch_s;                 /* 5 */
  double light_mg;                /* 45.8: ENMO at or above is light (Hildebrand et al. 2017) */
  double moderate_mg;             /* 93.2: … moderate (Hildebrand et al. 2014) */
  double vigorous_mg;             /* 418.3: … vigorous (Hildebrand et al. 2014) */
  double peak_threshold_g;        /* 1.5: magnitude peaks above this count */
  double peak_refractory_s;       /* 0.25: no second peak within this time */
  double gravity_min_g;           /* 0.5: quieter epochs' mean vector shorter than this: gravity removed */
  guint  welch_segment;           /* 256: Welch segment length in samples (power of two, 16..65536) */
  /* Reporting */
  guint  max_locations;           /* 10: locations kept per finding */
  guint  max_listed_gaps;         /* 100: gaps listed in the time block */
  guint  threads;                 /* 0: one per processor, at most 2 per stream */
} ImuProfileOptions;

void      imu_profile_options_init     (ImuProfileOptions       *options);
gboolean  imu_profile_options_validate (const ImuProfileOptions *options,
                                        GError                 **error);
/* The options as a JSON object (for profile.json) and a short hash of
 * those that change results (threads and nothing else excluded). */
JsonNode *imu_profile_options_to_json  (const ImuProfileOptions *options);
char     *imu_profile_options_hash     (const ImuProfileOptions *options);

typedef enum {
  IMU_SEVERITY_INFO,
  IMU_SEVERITY_WARNING,
  IMU_SEVERITY_ERROR,
} ImuSeverity;

const char  *imu_severity_to_string  (ImuSeverity severity);
/* From a code's prefix: E_ error, W_ warning, anything else info. */
ImuSeverity  imu_severity_from_code  (const char *code);

/**
 * ImuFinding:
 * @code: stable code, "W_GAP" (docs/profile.md lists them all)
 * @severity: from the code's prefix
 * @source: "profile", or "import" for a code carried from the import audit
 * @stream: (nullable): the stream it is about
 * @channel: (nullable): the channel it is about
 * @count: how many (gaps, samples, runs, periods…: the message says)
 * @message: one translated sentence
 *
 * One finding, as listed in profile.json (which also has its locations).
 */
typedef struct {
  char        *code;
  ImuSeverity  severity;
  char        *source;
  char        *stream;
  char        *channel;
  gint64       count;
  char        *message;
} ImuFinding;

void         imu_finding_free        (ImuFinding *finding);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuFinding, imu_finding_free)

/**
 * ImuProfile:
 *
 * A session's profile. Its content is the profile.json document (the
 * schema is docs/profile.schema.json); accessors cover what the CLI and
 * the GUI need at a glance. Reference counted, immutable, thread-safe to
 * read.
 */
typedef struct _ImuProfile ImuProfile;

#define IMU_TYPE_PROFILE (imu_profile_get_type ())
GType        imu_profile_get_type        (void) G_GNUC_CONST;
ImuProfile  *imu_profile_ref             (ImuProfile *self);
void         imu_profile_unref           (ImuProfile *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuProfile, imu_profile_unref)

/* Parses a profile.json document (checks schema and version). */
ImuProfile  *imu_profile_new_from_json   (const char  *json,
                                          gssize       length,
                                          GError     **error);
/* The document (borrowed; do not modify). */
JsonNode    *imu_profile_get_root        (ImuProfile  *self);
gint64       imu_profile_get_session_id  (ImuProfile  *self);
/* Whether imu_profile_get_or_compute() returned it from the library's
 * cache rather than computing it. */
gboolean     imu_profile_is_cached       (ImuProfile  *self);
/* Findings, in the order of profile.json (errors first). */
guint        imu_profile_get_n_findings  (ImuProfile  *self);
ImuFinding  *imu_profile_dup_finding     (ImuProfile  *self,
                                          guint        index);
/* Number of findings of a severity. */
guint        imu_profile_count_findings  (ImuProfile  *self,
                                          ImuSeverity  severity);

/**
 * imu_profile_compute:
 * @store: the library (its thread)
 * @options: (nullable): thresholds, NULL for the defaults
 * @progress: (nullable): samples done / total, called from this thread
 * @cancellable: (nullable)
 *
 * Profiles a session: one streaming pass per stream over the stored
 * samples, with memory that does not grow with the number of samples
 * (per-epoch results grow with the duration). The calling thread reads the
 * chunks on @store's connection, through the series' chunk cursor
 * (imu-chunk-cursor.h), whose errors it returns; a stream of more than a
 * few hundred thousand samples is shared with a second thread, each
 * decoding the columns of its part of the work (options->threads = 1
 * keeps it to one).
 * Does not store the result. Blocking.
 *
 * Returns: (transfer full): the profile, or %NULL with @error set
 */
ImuProfile  *imu_profile_compute         (ImuStore                *store,
                                          gint64                   session_id,
                                          const ImuProfileOptions *options,
                                          ImuProgressFunc          progress,
                                          gpointer                 progress_data,
                                          GCancellable            *cancellable,
                                          GError                 **error);

/**
 * imu_profile_get_or_compute:
 *
 * Returns the profile stored in the library when it was computed by this
 * profiler version, with the same options, from the same data (the
 * session's streams, chunks and import audits: their data fingerprint);
 * otherwise computes it with imu_profile_compute(), stores it (replacing
 * the old one) and returns it. Blocking.
 */
ImuProfile  *imu_profile_get_or_compute  (ImuStore                *store,
                                          gint64                   session_id,
                                          const ImuProfileOptions *options,
                                          ImuProgressFunc          progress,
                                          gpointer                 progress_data,
                                          GCancellable            *cancellable,
                                          GError                 **error);

/* Whether imu_profile_get_or_compute() would compute (no stored profile,
 * or an outdated one). Blocking (reads the chunk index, not the samples). */
gboolean     imu_profile_needs_update    (ImuStore                *store,
                                          gint64                   session_id,
                                          const ImuProfileOptions *options,
                                          gboolean                *needs_update,
                                          GError                 **error);
/* The stored profile, or %NULL without error when there is none. Blocking. */
ImuProfile  *imu_profile_load            (ImuStore    *store,
                                          gint64       session_id,
                                          GError     **error);
/* Stores @profile as the session's latest. Blocking. */
gboolean     imu_profile_save            (ImuStore    *store,
                                          ImuProfile  *profile,
                                          GError     **error);

/**
 * imu_profile_get_or_compute_async:
 * @library_path: the library file, opened on a new connection in a worker
 *   thread
 * @progress: (nullable): invoked on the caller's thread-default main
 *   context, throttled to about 20 Hz
 *
 * Runs imu_profile_get_or_compute() in a worker thread. Cancelling
 * @cancellable stops the pass within a chunk and finishes with
 * G_IO_ERROR_CANCELLED; nothing is stored then.
 */
void         imu_profile_get_or_compute_async  (const char              *library_path,
                                                gint64                   session_id,
                                                const ImuProfileOptions *options,
                                                ImuProgressFunc          progress,
                                                gpointer                 progress_data,
                                                GDestroyNotify           progress_destroy,
                                                GCancellable            *cancellable,
                                                GAsyncReadyCallback      callback,
                                                gpointer                 user_data);
ImuProfile  *imu_profile_get_or_compute_finish (GAsyncResult  *result,
                                                GError       **error);

/* Writers (imu-profile-report.c). Blocking; @out is not closed. */

/* profile.json, pretty-printed, with a final newline. */
gboolean     imu_profile_write_json      (ImuProfile     *self,
                                          GOutputStream  *out,
                                          GCancellable   *cancellable,
                                          GError        **error);
/**
 * imu_profile_write_metrics_csv:
 *
 * metrics.csv: one row per epoch of every accelerometer stream with
 * gravity: start (ISO 8601 UTC), stream, samples, ENMO (mg), mean and
 * standard deviation of each axis (g), mean magnitude (g), intensity class,
 * non-wear flag, peaks. Epochs without samples have empty fields.
 */
gboolean     imu_profile_write_metrics_csv (ImuProfile   *self,
                                            GOutputStream *out,
                                            GCancellable  *cancellable,
                                            GError       **error);
/**
 * imu_profile_write_html:
 * @store: (nullable): the library, for the signal plots (drawn from its
 *   LOD envelopes); %NULL leaves the plots out
 *
 * report.html: one self-contained page (inline CSS and SVG, no script, no
 * external request): summary, findings, a plot and histograms per stream,
 * the epoch intensity chart, the import audit.
 */
gboolean     imu_profile_write_html      (ImuProfile     *self,
                                          ImuStore       *store,
                                          GOutputStream  *out,
                                          GCancellable   *cancellable,
                                          GError        **error);

/**
 * ImuProfileKeyNumbers:
 * @duration_s: the session's duration
 * @movement_stream: (nullable): the stream the movement numbers are of
 *   (the first accelerometer stream with gravity); %NULL: none, and the
 *   movement numbers are NaN
 * @enmo_mean_mg: mean ENMO over the stream
 * @sedentary_min: minutes of epochs per intensity class (Hildebrand cut
 *   points, the profile's options)
 * @peaks_per_min: magnitude peaks per minute
 * @wear_s: time worn (the epochs' time less non-wear); NaN when non-wear
 *   was not evaluated (a recording shorter than its window)
 * @errors: findings of each severity
 *
 * The numbers a coach compares across sessions, from a profile
 * (imu-profile-summary.c). `imu list --with-profile` prints them.
 */
typedef struct {
  double  duration_s;
  char   *movement_stream;
  double  enmo_mean_mg;
  double  sedentary_min, light_min, moderate_min, vigorous_min;
  double  peaks_per_min;
  double  wear_s;
  guint   errors, warnings, infos;
} ImuProfileKeyNumbers;

void         imu_profile_get_key_numbers   (ImuProfile           *self,
                                            ImuProfileKeyNumbers *out);
void         imu_profile_key_numbers_clear (ImuProfileKeyNumbers *numbers);

/* A person's name for a finding or import issue code (imu-finding-titles.c). */
const char *imu_finding_code_title (const char *code);

G_END_DECLS
