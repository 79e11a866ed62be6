/* imu-recorder.h — writes live samples into the library, crash-safely
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A recorder owns one session builder in record mode per session it
 * records (one per phone for Sensor Logger, one for other sources) on a
 * store connection of its own, in a thread of its own: sources hand it
 * samples from any thread without ever waiting for the disk, and it
 * commits what arrived at least every commit interval (docs/record.md).
 */
#pragma once

#include <gio/gio.h>

#include "imu-stream-info.h"

G_BEGIN_DECLS

#define IMU_RECORD_ERROR (imu_record_error_quark ())

typedef enum {
  IMU_RECORD_ERROR_SOURCE,    /* a source spec that cannot be used ("udp:x") */
  IMU_RECORD_ERROR_LISTEN,    /* the port cannot be opened */
  IMU_RECORD_ERROR_RECORDING, /* the session is being recorded by another program */
  IMU_RECORD_ERROR_FAILED,
  IMU_RECORD_ERROR_DISK_FULL, /* the library's disk is below the recording's margin */
} ImuRecordError;

GQuark imu_record_error_quark (void);

/* Issue codes of a recording (counted per code, the first few kept). */
#define IMU_RECORD_ISSUE_MALFORMED     "E_MALFORMED"      /* a line or message that cannot be read */
#define IMU_RECORD_ISSUE_TIME_RANGE    "E_TIME_RANGE"     /* a time outside 1900–2190 (dropped) */
#define IMU_RECORD_ISSUE_CHANNELS      "E_CHANNEL_COUNT"  /* a sample with another number of values (dropped) */
#define IMU_RECORD_ISSUE_TOO_LARGE     "E_TOO_LARGE"      /* a request body over the cap (refused) */
#define IMU_RECORD_ISSUE_NOT_FOUND     "W_NOT_FOUND"      /* a request for another path (404) */
#define IMU_RECORD_ISSUE_OVERLOAD      "E_OVERLOAD"       /* samples dropped: the disk could not keep up */
#define IMU_RECORD_ISSUE_BACKWARDS     "W_TIME_BACKWARDS" /* earlier than the stream's previous sample (kept) */
#define IMU_RECORD_ISSUE_DUPLICATE     "W_DUPLICATE_TIME" /* equal to the previous sample (kept) */
#define IMU_RECORD_ISSUE_LATE          "W_LATE"           /* arrived over a second later than its peers */
#define IMU_RECORD_ISSUE_CLOCK_JUMP    "I_CLOCK_JUMP"     /* the device clock jumped (an event) */

/* Issue details kept per code. */
#define IMU_RECORD_KEPT_ISSUES 5

/* The free space a recording keeps on the library's file system: it does
 * not start below it, and stops cleanly (sessions complete, everything
 * committed) when a commit leaves less, so that SQLite never meets a full
 * disk halfway through a commit. On a small file system (a memory card, a
 * tmpfs) the margin is a quarter of its size instead. */
#define IMU_RECORD_DISK_MARGIN (G_GINT64_CONSTANT (16) * 1024 * 1024)

/* The commit interval: default and floor, in milliseconds. */
#define IMU_RECORD_COMMIT_INTERVAL_MS     1000
#define IMU_RECORD_MIN_COMMIT_INTERVAL_MS 100

/**
 * ImuRecorderOptions:
 * @title: (nullable): the session's title (else "Recording DATE")
 * @subject: (nullable)
 * @tags: (nullable): NULL-terminated
 * @commit_interval_ms: 0 for IMU_RECORD_COMMIT_INTERVAL_MS; at least
 *   IMU_RECORD_MIN_COMMIT_INTERVAL_MS
 * @origin_path: (nullable): the source as given ("udp:9000"), kept as the
 *   session's origin and in its audit row
 * @format: (nullable): the audit row's format ("record-udp")
 * @time_scale: how much faster than real time the source's clock runs
 *   (a replay at ×N: N; 0 means 1), so that its pace is not a clock jump
 * @resume_session_id: 0, or a session to continue (an interrupted one, or a
 *   complete one): its streams go on where they ended, after an event that
 *   spans the gap, and a source's stream of the same name and channels
 *   continues the one stored. Resuming rewrites the session's streams once
 *   (their samples are copied, in one transaction), so it takes time in
 *   proportion to what the session holds.
 */
typedef struct {
  const char         *title;
  const char         *subject;
  const char * const *tags;
  guint               commit_interval_ms;
  const char         *origin_path;
  const char         *format;
  double              time_scale;
  gint64              resume_session_id;
} ImuRecorderOptions;

/**
 * ImuRecordStreamStats:
 *
 * What a stream received so far (imu_recorder_dup_stats()).
 */
typedef struct {
  char   *session_key;      /* "" for a source's one session, else the device */
  gint64  session_id;       /* 0 until the session row is committed */
  char   *name;             /* the stream's name in its session */
  guint   n_channels;
  gint64  samples;          /* accepted */
  gint64  committed;        /* committed durably */
  double  rate_hz;          /* effective: (n − 1) / (t_last − t_first), 0 when unknown */
  gint64  backwards;
  gint64  duplicates;
  gint64  late;
  gint64  clock_jumps;
  gint64  clock_offset_ns;  /* the laptop's clock minus the device's, smallest seen */
} ImuRecordStreamStats;

void imu_record_stream_stats_free (ImuRecordStreamStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuRecordStreamStats, imu_record_stream_stats_free)

/**
 * ImuRecorderCommitFunc:
 *
 * Called on the recorder's thread after each durable commit.
 */
typedef void (*ImuRecorderCommitFunc) (gpointer user_data);

#define IMU_TYPE_RECORDER (imu_recorder_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecorder, imu_recorder, IMU, RECORDER, GObject)

/* Does not block; nothing is opened until start(). */
ImuRecorder *imu_recorder_new            (const char               *library_path,
                                          const ImuRecorderOptions *options);

void         imu_recorder_set_commit_func (ImuRecorder           *self,
                                           ImuRecorderCommitFunc  func,
                                           gpointer               user_data);

/**
 * imu_recorder_start:
 * @one_session: begin the source's one session now (key ""); %FALSE for a
 *   source that makes a session per device as devices appear
 *
 * Opens the library on the recorder's own thread and, with @one_session,
 * commits the session row in state `recording`. Blocks until that is done.
 * Fails with %IMU_RECORD_ERROR_DISK_FULL when the library's disk has less
 * free than IMU_RECORD_DISK_MARGIN.
 */
gboolean     imu_recorder_start          (ImuRecorder  *self,
                                          gboolean      one_session,
                                          GError      **error);

/**
 * imu_recorder_add_stream:
 * @session_key: (nullable): the device ("" or NULL: the one session); a
 *   new key begins a new session at the next commit
 * @info: the stream; copied
 *
 * Thread-safe, does not block. May be called (as may append()) before
 * start(): what comes waits for the first commit.
 *
 * Returns: the stream's handle for append(), from 1
 */
guint        imu_recorder_add_stream     (ImuRecorder         *self,
                                          const char          *session_key,
                                          const ImuStreamInfo *info);
/* Describes the session of @session_key (the device, for its title and
 * device fields) before its first commit. Thread-safe. */
void         imu_recorder_set_device     (ImuRecorder *self,
                                          const char  *session_key,
                                          const char  *vendor,
                                          const char  *model);

/**
 * imu_recorder_append:
 * @values: as many as the stream has channels
 *
 * Hands one sample to the recorder. Checks its time (out of range:
 * dropped and counted; backwards, duplicate, late: counted; a jump of the
 * device clock by more than a minute: an event, and later times shifted
 * so that the stream goes on where it was). Thread-safe, never blocks on
 * the disk.
 */
void         imu_recorder_append         (ImuRecorder  *self,
                                          guint         stream,
                                          gint64        t_ns,
                                          const double *values);

/* Counts an issue (IMU_RECORD_ISSUE_*) of @session_key's session (NULL:
 * the first), keeping @detail for the first few. Thread-safe. */
void         imu_recorder_issue          (ImuRecorder *self,
                                          const char  *session_key,
                                          const char  *code,
                                          const char  *detail);
/* Adds an event to @session_key's session (NULL: every session). Thread-safe. */
void         imu_recorder_add_event      (ImuRecorder *self,
                                          const char  *session_key,
                                          gint64       t_ns,
                                          const char  *kind,
                                          const char  *label,
                                          const char  *payload_json);

/* A snapshot. Thread-safe. (element-type ImuRecordStreamStats) */
GPtrArray   *imu_recorder_dup_stats      (ImuRecorder *self);
/* Issue code → count, and code → kept details (GPtrArray of strings). Thread-safe. */
GHashTable  *imu_recorder_dup_issue_counts (ImuRecorder *self);
GPtrArray   *imu_recorder_dup_issue_details (ImuRecorder *self,
                                             const char  *code);
/* The ids of the sessions committed so far, in the order they began. Thread-safe. */
GArray      *imu_recorder_dup_session_ids (ImuRecorder *self);

/**
 * imu_recorder_stop:
 *
 * Writes what arrived, marks each session `complete` with its audit row
 * and commits, then closes the library. Blocking. After an error during
 * the recording (a store error) the sessions are `interrupted` and that
 * error is returned; after the disk fell below IMU_RECORD_DISK_MARGIN the
 * sessions were finished (`complete`) and %IMU_RECORD_ERROR_DISK_FULL,
 * which says so, is returned.
 */
gboolean     imu_recorder_stop           (ImuRecorder  *self,
                                          GError      **error);

/* Whether the recorder stopped by itself after an error (see stop()). Thread-safe. */
gboolean     imu_recorder_has_failed     (ImuRecorder *self);

G_END_DECLS
