/* imu-sync-webdav.h — a WebDAV collection as a sync target (Nextcloud, ownCloud, Apache mod_dav…)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-sync-target.h"

G_BEGIN_DECLS

#define IMU_TYPE_SYNC_WEBDAV (imu_sync_webdav_get_type ())
G_DECLARE_FINAL_TYPE (ImuSyncWebdav, imu_sync_webdav, IMU, SYNC_WEBDAV, ImuSyncTarget)

/* WebDAV has no object metadata: the sha256 of KEY is kept in KEY + this,
 * as "HEX  NAME\n" (the format of sha256sum, so `sha256sum -c` checks it). */
#define IMU_SYNC_WEBDAV_SHA256_SUFFIX ".sha256"
/* Uploads go to a hidden temporary name with this mark, then MOVE. */
#define IMU_SYNC_WEBDAV_TMP_MARK ".imu-tmp-"

G_END_DECLS
