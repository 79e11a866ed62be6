/* imu-sync-folder.h — a sync target that is a plain folder (USB stick, share)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-sync-target.h"

G_BEGIN_DECLS

#define IMU_TYPE_SYNC_FOLDER (imu_sync_folder_get_type ())
G_DECLARE_FINAL_TYPE (ImuSyncFolder, imu_sync_folder, IMU, SYNC_FOLDER, ImuSyncTarget)

G_END_DECLS
