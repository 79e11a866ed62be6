/* imu-sync-backup.h — library backups kept on a sync target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `imu db backup --to TARGET`, `imu db backups`, `imu db restore
 * TARGET:NAME` (docs/library.md, "Backups on a sync target"). A backup is
 * the checked copy imu_store_backup() makes, compressed with zstd and
 * stored as <prefix>/backups/library-YYYYMMDDTHHMMSSZ.db.zst beside a
 * sidecar NAME.sha256 in sha256sum's format, through the target's own
 * put/get/list, so every kind of target holds backups the same way.
 */
#pragma once

#include <gio/gio.h>

#include "imu-import.h"
#include "imu-store.h"
#include "imu-sync-target.h"

G_BEGIN_DECLS

/* One backup on a target. */
typedef struct {
  char   *name;        /* "library-20261207T183000Z.db.zst", without the prefix */
  char   *key;         /* the object's full key */
  gint64  time_us;     /* when it was made (UTC, from the name) */
  gint64  size;        /* compressed bytes */
} ImuSyncBackup;

void imu_sync_backup_free (ImuSyncBackup *backup);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSyncBackup, imu_sync_backup_free)

/**
 * imu_sync_backup_put:
 * @now_us: the time the backup is named by (µs since the epoch, UTC)
 * @name: (out) (optional): the backup's name on the target
 *
 * Backs @store up into a temporary file (imu_store_backup(): consistent
 * and checked), compresses it with zstd, and stores it and its sha256
 * sidecar on @target. A name that exists already on the target is
 * refused (%G_IO_ERROR_EXISTS). Temporary files are removed whatever
 * happens. Blocking (the disk and the network).
 */
gboolean    imu_sync_backup_put     (ImuStore        *store,
                                     ImuSyncTarget   *target,
                                     gint64           now_us,
                                     char           **name,
                                     ImuProgressFunc  progress,
                                     gpointer         progress_data,
                                     GCancellable    *cancellable,
                                     GError         **error);

/* The backups on @target, oldest first (element-type ImuSyncBackup).
 * Blocking (the network). */
GPtrArray  *imu_sync_backup_list    (ImuSyncTarget   *target,
                                     GCancellable    *cancellable,
                                     GError         **error);

/**
 * imu_sync_backup_restore:
 * @name: a backup's name as imu_sync_backup_list() gives it
 * @dest: the new library's path; must not exist
 *
 * Fetches the backup and its sidecar, checks the download's sha256
 * against the sidecar (%IMU_SYNC_ERROR_INTEGRITY when they differ),
 * decompresses it, and restores it with imu_store_restore() (application
 * id, schema, integrity_check, then the store's own check). Nothing is
 * written at @dest unless every check passed. Blocking.
 */
gboolean    imu_sync_backup_restore (ImuSyncTarget   *target,
                                     const char      *name,
                                     const char      *dest,
                                     ImuProgressFunc  progress,
                                     gpointer         progress_data,
                                     GCancellable    *cancellable,
                                     GError         **error);

G_END_DECLS
