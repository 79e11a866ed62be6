/* imu-session.h — a session's metadata (a row of the sessions table)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

#include "imu-stream-info.h"

G_BEGIN_DECLS

typedef enum {
  IMU_SESSION_STATE_RECORDING,
  IMU_SESSION_STATE_INTERRUPTED,
  IMU_SESSION_STATE_COMPLETE,
} ImuSessionState;

#define IMU_TYPE_SESSION (imu_session_get_type ())
G_DECLARE_FINAL_TYPE (ImuSession, imu_session, IMU, SESSION, GObject)

/**
 * ImuSession:
 *
 * Plain data: a snapshot of one session's metadata and its streams as read
 * from (or about to be written to) a library. Changing a property changes
 * only this object; imu_store_update_session() saves it. Properties notify,
 * so list rows can bind to them.
 *
 * Properties: id (int64), uuid, title, subject, activity, notes (strings),
 * tags (strv), start-ns, end-ns (int64), nominal-rate (double),
 * tz-offset (int, seconds), frame, origin, origin-path, origin-sha256,
 * device-vendor, device-model, device-serial, device-firmware (strings),
 * state (ImuSessionState as int), created-us, updated-us (int64).
 */
ImuSession          *imu_session_new              (void);
gint64               imu_session_get_id           (ImuSession *self);
const char          *imu_session_get_uuid         (ImuSession *self);
const char          *imu_session_get_title        (ImuSession *self);
void                 imu_session_set_title        (ImuSession *self, const char *title);
const char          *imu_session_get_subject      (ImuSession *self);
void                 imu_session_set_subject      (ImuSession *self, const char *subject);
const char          *imu_session_get_activity     (ImuSession *self);
void                 imu_session_set_activity     (ImuSession *self, const char *activity);
const char          *imu_session_get_notes        (ImuSession *self);
void                 imu_session_set_notes        (ImuSession *self, const char *notes);
const char * const  *imu_session_get_tags         (ImuSession *self);
void                 imu_session_set_tags         (ImuSession *self, const char * const *tags);
gint64               imu_session_get_start_ns     (ImuSession *self);
gint64               imu_session_get_end_ns       (ImuSession *self);
gint64               imu_session_get_duration_ns  (ImuSession *self);
double               imu_session_get_nominal_rate (ImuSession *self);
int                  imu_session_get_tz_offset    (ImuSession *self);
const char          *imu_session_get_origin       (ImuSession *self);
const char          *imu_session_get_origin_path  (ImuSession *self);
const char          *imu_session_get_origin_sha256 (ImuSession *self);
const char          *imu_session_get_device_vendor (ImuSession *self);
const char          *imu_session_get_device_model  (ImuSession *self);
const char          *imu_session_get_device_serial (ImuSession *self);
ImuSessionState      imu_session_get_state        (ImuSession *self);
gint64               imu_session_get_created_us   (ImuSession *self);
gint64               imu_session_get_updated_us   (ImuSession *self);

/* Streams (borrowed; loaded by imu_store_load_session() and by importers). */
GPtrArray           *imu_session_get_streams      (ImuSession *self);
void                 imu_session_add_stream       (ImuSession *self, ImuStreamInfo *info);

/* TRUE when @text (casefolded) is found in title, subject, activity, tags or notes. */
gboolean             imu_session_matches          (ImuSession *self, const char *casefolded_text);

const char          *imu_session_state_to_string  (ImuSessionState state);

G_END_DECLS
