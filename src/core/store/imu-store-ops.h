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
  gint64  trashed_us;   /* when it went in the trash, 0 when it is not there */
} ImuSessionSpace;

typedef struct {
  gint64     file_bytes;   /* library.db */
  gint64     wal_bytes;    /* library.db-wal, 0 when none */
  gint64     free_bytes;   /* free pages inside the file */
  gint64     page_size;
  gint64     disk_free;    /* on the library's file system, -1 when unknown */
  GPtrArray *sessions;     /* (element-type ImuSessionSpace), largest first; not those in the trash */
  GPtrArray *trash;        /* (element-type ImuSessionSpace), the sessions in the trash, largest first */
  gint64     trash_bytes;  /* the sum of every kind of bytes of the sessions in @trash */
} ImuStoreStats;

void           imu_store_stats_free (ImuStoreStats *stats);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuStoreStats, imu_store_stats_free)

/* imu_session_space_total: a session's bytes of every kind. */
gint64         imu_session_space_total (const ImuSessionSpace *space);

/* Where the space goes: the sessions, and apart from them those in the
 * trash (their bytes stay in the file until it is emptied). Reads the size
 * of every blob (not the blobs). Blocking. */
ImuStoreStats *imu_store_get_stats  (ImuStore  *store,
                                     GError   **error);

/**
 * imu_store_compact_estimate:
 * @stats: the library's stats, as imu_store_get_stats() gave them
 * @gain: (out) (optional): about the bytes compacting gives back (the free pages)
 * @needed: (out) (optional): bytes of free disk the compaction needs
 *
 * What imu_store_compact() checks before it starts, without writing.
 * Blocking (statvfs).
 *
 * Returns: %FALSE with %IMU_STORE_ERROR_FULL and the reason (what is
 *   needed, what is free, and where) when the disk lacks the room
 */
gboolean imu_store_compact_estimate (ImuStore             *store,
                                     const ImuStoreStats  *stats,
                                     gint64               *gain,
                                     gint64               *needed,
                                     GError              **error);

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

/* ---- the trash ---- */

/* How many days a library keeps a session in the trash unless its
 * library_settings say otherwise. */
#define IMU_TRASH_DAYS_DEFAULT 30

/* A session in the trash. */
typedef struct {
  gint64  session_id;
  char   *uuid;
  char   *title;
  gint64  trashed_us;   /* when it was put there */
  gint64  n_samples;    /* of all its streams */
} ImuTrashItem;

void       imu_trash_item_free       (ImuTrashItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuTrashItem, imu_trash_item_free)

/* The library's trash_days setting (≥ 0). Blocking. */
gint64     imu_store_get_trash_days  (ImuStore *store, GError **error);
gboolean   imu_store_set_trash_days  (ImuStore *store, gint64 days, GError **error);

/**
 * imu_store_trash_session:
 * @now_us: the time it goes in the trash (g_get_real_time(); tests give
 *   another to age it)
 *
 * Puts a session in the trash: it is no longer listed, counted, resolved
 * by id or uuid, or synced, but its streams, samples, envelopes and events
 * stay until the trash is emptied of it. %IMU_STORE_ERROR_NOT_FOUND when
 * there is no such session outside the trash. Blocking.
 */
gboolean   imu_store_trash_session   (ImuStore *store, gint64 session_id, gint64 now_us, GError **error);
/* Takes a session out of the trash, as it was. Blocking. */
gboolean   imu_store_untrash_session (ImuStore *store, gint64 session_id, GError **error);
/* Deletes one session in the trash for good, now (its pages become free
 * pages). %IMU_STORE_ERROR_NOT_FOUND when it is not in the trash. Blocking. */
gboolean   imu_store_delete_trashed  (ImuStore *store, gint64 session_id, GError **error);
/* A session in the trash by id or uuid prefix (as imu_store_resolve_session()
 * does outside it); 0 with %IMU_STORE_ERROR_NOT_FOUND or _AMBIGUOUS. Blocking. */
gint64     imu_store_resolve_trashed (ImuStore *store, const char *id_or_uuid, GError **error);
/* (element-type ImuTrashItem), the most recently trashed first. Blocking. */
GPtrArray *imu_store_list_trash      (ImuStore *store, GError **error);
/**
 * imu_store_empty_trash:
 * @older_than_us: deletes for good the sessions trashed before
 *   @now_us − @older_than_us (0: every session in the trash)
 *
 * Returns: how many sessions were deleted, -1 with @error. Their pages
 *   become free pages, reused by the next writes (imu_store_compact()
 *   gives them back to the disk). Blocking.
 */
gint64     imu_store_empty_trash     (ImuStore *store, gint64 older_than_us, gint64 now_us, GError **error);
/* Empties the trash of the sessions older than the library's trash_days,
 * only taking the write lock when there is one. imu_store_open() calls it.
 * Returns as imu_store_empty_trash(). Blocking. */
gint64     imu_store_expire_trash    (ImuStore *store, gint64 now_us, GError **error);

/* ---- free disk space ---- */

/* What an import needs free on the library's disk before it starts:
 * IMU_DISK_IMPORT_FACTOR times its input's size (the samples in the WAL,
 * then in the file at the checkpoint), and never less than
 * IMU_DISK_MIN_FREE. The one place these thresholds live (docs/library.md,
 * "Free disk space"). */
#define IMU_DISK_IMPORT_FACTOR 2
#define IMU_DISK_MIN_FREE      (G_GINT64_CONSTANT (100) * 1024 * 1024)

/* Bytes free for this user on the file system holding @dir (statvfs:
 * f_bavail × f_frsize), -1 when unknown. Blocking. */
gint64   imu_disk_free                   (const char *dir);

/**
 * imu_store_check_room_for_import:
 * @input_bytes: the size of what is to be imported
 *
 * Refuses, with %IMU_STORE_ERROR_FULL and both sizes in the message, when
 * the library's disk has less free than MAX (@input_bytes ×
 * IMU_DISK_IMPORT_FACTOR, IMU_DISK_MIN_FREE). Unknown free space passes.
 * imu_import_path() calls it before anything is written. Blocking.
 */
gboolean imu_store_check_room_for_import (ImuStore   *store,
                                          gint64      input_bytes,
                                          GError    **error);

G_END_DECLS
