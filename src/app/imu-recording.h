/* imu-recording.h — one live recording of a window: a source and the
 * recorder, started and stopped off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The recorder writes on its own store connection in its own thread
 * (docs/record.md); this object only starts and stops it in a worker and
 * tells the main thread, after each durable commit, that the library grew.
 * What a view shows of the recording it reads back from the library.
 */
#pragma once

#include <gio/gio.h>

#include "imu-record-source.h"
#include "imu-recorder.h"

G_BEGIN_DECLS

#define IMU_TYPE_RECORDING (imu_recording_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecording, imu_recording, IMU, RECORDING, GObject)

/*
 * Properties:
 *   "active"   boolean  read-only: started and not yet stopped
 * Signals:
 *   "committed" ()               a commit reached the disk (main thread)
 *   "finished"  (GError*)        the recording stopped (by stop(), the end
 *                                of a replay, or an error: then @error,
 *                                else NULL)
 */

typedef struct {
  const char         *spec;            /* "sensorlogger:8000", "udp:9000"… */
  const char         *title;           /* nullable */
  const char         *subject;         /* nullable */
  const char * const *tags;            /* nullable */
  double              speed;           /* replay: ×N (0: 1) */
  gboolean            phyphox_start;   /* phyphox: start the experiment */
  gint64              resume_session_id;
} ImuRecordingOptions;

/* Checks the spec (no I/O); NULL with IMU_RECORD_ERROR_SOURCE. */
ImuRecording *imu_recording_new          (const char                *library_path,
                                          const ImuRecordingOptions *options,
                                          GError                   **error);

/* Starts the source and the recorder in a worker. Does not block. */
void          imu_recording_start_async  (ImuRecording        *self,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean      imu_recording_start_finish (ImuRecording        *self,
                                          GAsyncResult        *result,
                                          GError             **error);
/* Stops the source, writes what arrived, marks the sessions complete, in a
 * worker. Does not block; "finished" follows. */
void          imu_recording_stop_async   (ImuRecording        *self,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean      imu_recording_stop_finish  (ImuRecording        *self,
                                          GAsyncResult        *result,
                                          GError             **error);

gboolean      imu_recording_get_active   (ImuRecording *self);
/* The source's kind (its row of the table). */
const ImuRecordSourceKind *imu_recording_get_kind (ImuRecording *self);
/* What to show: the URL to type into a phone, the port… (after start) */
const char   *imu_recording_get_address  (ImuRecording *self);
/* Whether @session_id is one of the sessions this recording writes. */
gboolean      imu_recording_has_session  (ImuRecording *self,
                                          gint64        session_id);
/* (element-type gint64) the sessions committed so far. */
GArray       *imu_recording_dup_session_ids (ImuRecording *self);
/* (element-type ImuRecordStreamStats) */
GPtrArray    *imu_recording_dup_stats    (ImuRecording *self);
/* Issue code → gint64* count. */
GHashTable   *imu_recording_dup_issue_counts (ImuRecording *self);
/* Monotonic µs of the start. */
gint64        imu_recording_get_started_us (ImuRecording *self);

G_END_DECLS
