/* imu-sync-controller.h — the sync scheduler of a window's library, run off
 * the main thread, seen from the main thread as per-session states
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-sync-queue.h"

G_BEGIN_DECLS

#define IMU_TYPE_SYNC_CONTROLLER (imu_sync_controller_get_type ())
G_DECLARE_FINAL_TYPE (ImuSyncController, imu_sync_controller, IMU, SYNC_CONTROLLER, GObject)

ImuSyncController *imu_sync_controller_new          (const char *library_path);
const char        *imu_sync_controller_get_library_path (ImuSyncController *self);

/* Queues a push of every session to every target, then works the queue. */
void               imu_sync_controller_sync_now     (ImuSyncController *self);
/* Queues pushes of new and changed sessions to the targets whose "upload
 * automatically" setting is on (library setting "auto_upload.ID" = "1"),
 * and works them; nothing when there are none. */
void               imu_sync_controller_upload_new   (ImuSyncController *self);
/* Lists @target_name (NULL: all) and fetches the sessions the library lacks. */
void               imu_sync_controller_pull         (ImuSyncController *self,
                                                     const char        *target_name);
/* Stops the running transfers (they stay queued, resumable). */
void               imu_sync_controller_pause        (ImuSyncController *self);
void               imu_sync_controller_resume       (ImuSyncController *self);
gboolean           imu_sync_controller_get_paused   (ImuSyncController *self);
gboolean           imu_sync_controller_get_running  (ImuSyncController *self);
/* Re-reads the queue from the library (off the main thread). */
void               imu_sync_controller_refresh      (ImuSyncController *self);

/* The queue as last seen: (element-type ImuSyncItem), oldest first. */
GPtrArray         *imu_sync_controller_get_items    (ImuSyncController *self);
/* The push item of @uuid that says most (needs attention before
 * transferring before queued before done), or NULL: local only. */
const ImuSyncItem *imu_sync_controller_lookup       (ImuSyncController *self,
                                                     const char        *session_uuid);

G_END_DECLS
