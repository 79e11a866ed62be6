/* imu-store-ops.h — looking after a library: back up, restore, where the space goes, compact
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `imu db` (docs/library.md, "Looking after a library"). Backups use
 * SQLite's online backup API, so the app, a sync or an import can go on
 * using the library while it is copied; every copy is checked with
 * `PRAGMA integrity_check` before it takes its name.
 */
#pragma once

#include <gio/gio.h>

#include "imu-import.h"
#include "imu-store.h"

G_BEGIN_DECLS

/**
 * imu_store_backup:
 * @dest: the backup's path: a new file (an existing one is refused, and so
 *   is the library itself)
 * @progress: (nullable): pages copied / pages in all, on this thread
 *
 * Copies the library as it is at one instant into @dest, a single file
 * (no -wal), writing through "@dest.partial" renamed at the end, then
 * checks the copy. Blocking.
 *
 * Returns: %FALSE with @error set (%G_IO_ERROR_EXISTS, %G_IO_ERROR_CANCELLED,
 *   %IMU_STORE_ERROR_CORRUPT when the copy fails its check, …); nothing is
 *   left under @dest then
 */
gboolean imu_store_backup   (ImuStore        *store,
                             const char      *dest,
                             ImuProgressFunc  progress,
                             gpointer         progress_data,
                             GCancellable    *cancellable,
                             GError         **error);

/**
 * imu_store_restore:
 * @backup: a backup (or any library file)
 * @dest: where the restored library goes: a new path, never a library in use
 *
 * Checks @backup (an IMU Studio library, not newer than this build, that
 * passes `integrity_check`) and only then copies it to @dest the way
 * imu_store_backup() copies, and opens the copy once to check it again.
 * Blocking.
 */
gboolean imu_store_restore  (const char      *backup,
                             const char      *dest,
                             ImuProgressFunc  progress,
                             gpointer         progress_data,
                             GCancellable    *cancellable,
                             GError         **error);

/* Bytes one session takes, by what they hold. */
typedef struct {
  gint64  session_id;
  char   *title;
  gint64  samples;      /* chunk blobs */
  gint64  envelopes;    /* LOD blobs */
  gint64  profiles;
  gint64  events;       /* labels and payloads */
} ImuSessionSpace;

typedef struct {
  gint64     file_bytes;   /* library.db */
  gint64     wal_bytes;    /* library.db-wal, 0 when none */
  gint64     free_bytes;   /* free pages inside the file */
  gint64     page_size;
  gint64     disk_free;    /* on the library's file system, -1 when unknown */
  GPtrArray *sessions;     /* (element-type ImuSessionSpace), largest first */
} ImuStoreStats;

void           imu_store_stats_free (ImuStoreStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuStoreStats, imu_store_stats_free)

/* Where the space goes. Reads the size of every blob (not the blobs).
 * Blocking. */
ImuStoreStats *imu_store_get_stats  (ImuStore  *store,
                                     GError   **error);

/**
 * imu_store_compact:
 * @needed: (out) (optional): bytes of free disk the compaction needs
 *
 * Rewrites the library without its free pages (VACUUM), then truncates the
 * WAL. Refused, before anything is written, with %IMU_STORE_ERROR_FULL and
 * the sizes in the message when the disk lacks room for the rewritten
 * file twice over (its copy in the WAL and the temporary one). @progress
 * follows the copy in the WAL. Cancelling stops it with nothing changed.
 * Other connections wait meanwhile. Blocking.
 */
gboolean imu_store_compact  (ImuStore        *store,
                             gint64          *needed,
                             ImuProgressFunc  progress,
                             gpointer         progress_data,
                             GCancellable    *cancellable,
                             GError         **error);

G_END_DECLS
