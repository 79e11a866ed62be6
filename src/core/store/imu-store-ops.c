/* imu-store-ops.c — looking after a library: back up, restore, where the space goes, compact
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-store"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "imu-store-ops.h"
#include "imu-store-private.h"

/* IMU Studio's PRAGMA application_id ("IMUS"). */
#define IMU_APPLICATION_ID 1229804883
/* Pages per backup step: small enough that writers waiting on the
 * library get their turn between steps. */
#define BACKUP_STEP_PAGES 1024

static gboolean
same_file (const char *a, const char *b)
{
  GStatBuf sa, sb;

  return g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static gboolean
set_sqlite_error (GError **error, sqlite3 *db, int rc, const char *path)
{
  int code = (rc & 0xff) == SQLITE_FULL ? IMU_STORE_ERROR_FULL
           : (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB ? IMU_STORE_ERROR_CORRUPT
           : IMU_STORE_ERROR_FAILED;

  g_set_error (error, IMU_STORE_ERROR, code, "%s: %s", path,
               db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

/* "ok", or the first problem integrity_check reports. */
static char *
integrity (sqlite3 *db)
{
  sqlite3_stmt *stmt = NULL;
  char *result = NULL;

  if (sqlite3_prepare_v2 (db, "PRAGMA integrity_check(1)", -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    result = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return result != NULL ? result : g_strdup (sqlite3_errmsg (db));
}

static gint64
pragma_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK && sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static gboolean
fsync_path (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = fsync (fd) == 0;
  close (fd);
  return ok;
}

/* Copies @src (an open connection) into a new single-file database at
 * @dest through @dest.partial, checks it, renames it. */
static gboolean
copy_database (sqlite3         *src,
               const char      *src_name,
               const char      *dest,
               ImuProgressFunc  progress,
               gpointer         progress_data,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autofree char *partial = g_strconcat (dest, ".partial", NULL);
  g_autofree char *problem = NULL;
  sqlite3 *out = NULL;
  sqlite3_backup *backup;
  gboolean ok = FALSE;
  int rc;

  if (g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s already exists: give the backup a new name"), dest);
      return FALSE;
    }
  g_unlink (partial);
  if ((rc = sqlite3_open_v2 (partial, &out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL)) != SQLITE_OK)
    {
      set_sqlite_error (error, out, rc, partial);
      goto out;
    }
  if (!(backup = sqlite3_backup_init (out, "main", src, "main")))
    {
      set_sqlite_error (error, out, sqlite3_errcode (out), partial);
      goto out;
    }
  for (;;)
    {
      rc = sqlite3_backup_step (backup, BACKUP_STEP_PAGES);
      if (progress != NULL)
        progress ((guint64) (sqlite3_backup_pagecount (backup) - sqlite3_backup_remaining (backup)),
                  (guint64) sqlite3_backup_pagecount (backup), progress_data);
      if (rc == SQLITE_DONE)
        break;
      if (g_cancellable_is_cancelled (cancellable))
        {
          sqlite3_backup_finish (backup);
          g_cancellable_set_error_if_cancelled (cancellable, error);
          goto out;
        }
      if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        {
          /* A writer holds the library: let it finish its step. */
          sqlite3_sleep (20);
          continue;
        }
      if (rc != SQLITE_OK)
        {
          sqlite3_backup_finish (backup);
          set_sqlite_error (error, NULL, rc, src_name);
          goto out;
        }
    }
  if ((rc = sqlite3_backup_finish (backup)) != SQLITE_OK)
    {
      set_sqlite_error (error, out, rc, partial);
      goto out;
    }
  /* One file: the copy carries no WAL of its own. */
  if ((rc = sqlite3_exec (out, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL)) != SQLITE_OK)
    {
      set_sqlite_error (error, out, rc, partial);
      goto out;
    }
  problem = integrity (out);
  if (g_strcmp0 (problem, "ok") != 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("%s: the copy fails its integrity check (%s)"), dest, problem);
      goto out;
    }
  sqlite3_close (out);
  out = NULL;
  if (!fsync_path (partial) || g_rename (partial, dest) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", dest, g_strerror (errsv));
      goto out;
    }
  ok = TRUE;

out:
  if (out != NULL)
    sqlite3_close (out);
  if (!ok)
    g_unlink (partial);
  return ok;
}

gboolean
imu_store_backup (ImuStore        *store,
                  const char      *dest,
                  ImuProgressFunc  progress,
                  gpointer         progress_data,
                  GCancellable    *cancellable,
                  GError         **error)
{
  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (dest != NULL, FALSE);

  if (same_file (dest, imu_store_get_path (store)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s is the library itself: give the backup a new name"), dest);
      return FALSE;
    }
  return copy_database (imu_store_get_db (store), imu_store_get_path (store), dest,
                        progress, progress_data, cancellable, error);
}

gboolean
imu_store_restore (const char      *backup,
                   const char      *dest,
                   ImuProgressFunc  progress,
                   gpointer         progress_data,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autofree char *uri = NULL;
  g_autofree char *problem = NULL;
  g_autoptr(ImuStore) check = NULL;
  sqlite3 *in = NULL;
  gint64 app_id, version;
  gboolean ok = FALSE;
  int rc;

  g_return_val_if_fail (backup != NULL && dest != NULL, FALSE);

  if (!g_file_test (backup, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_OPEN, _("%s: there is no such file"), backup);
      return FALSE;
    }
  if (g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s already exists: restore into a new library path (never over a library)"), dest);
      return FALSE;
    }

  /* Read-only and immutable: the backup is never changed by looking at it. */
  uri = g_strconcat ("file:", backup, "?mode=ro&immutable=1", NULL);
  if ((rc = sqlite3_open_v2 (uri, &in, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL)) != SQLITE_OK)
    {
      set_sqlite_error (error, in, rc, backup);
      goto out;
    }
  app_id = pragma_int (in, "PRAGMA application_id");
  version = pragma_int (in, "PRAGMA user_version");
  if (app_id != IMU_APPLICATION_ID)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_A_LIBRARY,
                   _("%s is not an IMU Studio library"), backup);
      goto out;
    }
  if (version > imu_store_schema_version ())
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NEWER_SCHEMA,
                   _("%s was written by a newer IMU Studio (schema %" PRId64 "; this one reads up to %d)"),
                   backup, version, imu_store_schema_version ());
      goto out;
    }
  problem = integrity (in);
  if (g_strcmp0 (problem, "ok") != 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("%s fails its integrity check (%s): it is not restored"), backup, problem);
      goto out;
    }
  if (!copy_database (in, backup, dest, progress, progress_data, cancellable, error))
    goto out;
  sqlite3_close (in);
  in = NULL;

  /* Opened once as a library: migrations of an older backup run now, and
   * the store's own checks see it before anyone uses it. */
  if (!(check = imu_store_open (dest, error)))
    {
      g_unlink (dest);
      goto out;
    }
  {
    g_autoptr(GPtrArray) problems = NULL;
    g_autoptr(GError) check_error = NULL;

    if (!imu_store_check (check, &problems, cancellable, &check_error))
      {
        if (check_error != NULL)
          g_propagate_error (error, g_steal_pointer (&check_error));
        else
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                       _("%s fails the library's own check (%s): it is not restored"), backup,
                       problems != NULL && problems->len > 0 ? (const char *) g_ptr_array_index (problems, 0) : "");
        g_clear_object (&check);
        g_unlink (dest);
        goto out;
      }
  }
  ok = TRUE;

out:
  if (in != NULL)
    sqlite3_close (in);
  return ok;
}

void
imu_store_stats_free (ImuStoreStats *stats)
{
  if (stats == NULL)
    return;
  g_clear_pointer (&stats->sessions, g_ptr_array_unref);
  g_clear_pointer (&stats->trash, g_ptr_array_unref);
  g_free (stats);
}

static void
session_space_free (ImuSessionSpace *s)
{
  g_free (s->title);
  g_free (s);
}

gint64
imu_session_space_total (const ImuSessionSpace *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->samples + s->envelopes + s->profiles + s->events;
}

static int
compare_space (gconstpointer a, gconstpointer b)
{
  gint64 x = imu_session_space_total (*(ImuSessionSpace * const *) a);
  gint64 y = imu_session_space_total (*(ImuSessionSpace * const *) b);

  return x < y ? 1 : x > y ? -1 : 0;
}

ImuStoreStats *
imu_store_get_stats (ImuStore  *store,
                     GError   **error)
{
  g_autoptr(ImuStoreStats) stats = g_new0 (ImuStoreStats, 1);
  g_autofree char *wal = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) fs = NULL;
  sqlite3 *db;
  sqlite3_stmt *stmt;
  GStatBuf st;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  db = imu_store_get_db (store);
  stats->page_size = pragma_int (db, "PRAGMA page_size");
  stats->free_bytes = pragma_int (db, "PRAGMA freelist_count") * stats->page_size;
  stats->file_bytes = g_stat (imu_store_get_path (store), &st) == 0 ? (gint64) st.st_size : 0;
  wal = g_strconcat (imu_store_get_path (store), "-wal", NULL);
  stats->wal_bytes = g_stat (wal, &st) == 0 ? (gint64) st.st_size : 0;
  file = g_file_new_for_path (imu_store_get_path (store));
  fs = g_file_query_filesystem_info (file, G_FILE_ATTRIBUTE_FILESYSTEM_FREE, NULL, NULL);
  stats->disk_free = fs != NULL && g_file_info_has_attribute (fs, G_FILE_ATTRIBUTE_FILESYSTEM_FREE)
                     ? (gint64) g_file_info_get_attribute_uint64 (fs, G_FILE_ATTRIBUTE_FILESYSTEM_FREE) : -1;

  stats->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) session_space_free);
  stats->trash = g_ptr_array_new_with_free_func ((GDestroyNotify) session_space_free);
  if (!(stmt = imu_store_prepare (store,
                                  "SELECT s.id, s.title, COALESCE (s.trashed_us, 0),"
                                  " (SELECT COALESCE (SUM (length (c.data)), 0) FROM chunks c JOIN streams t ON c.stream_id = t.id WHERE t.session_id = s.id),"
                                  " (SELECT COALESCE (SUM (length (l.data)), 0) FROM lod l JOIN streams t ON l.stream_id = t.id WHERE t.session_id = s.id),"
                                  " (SELECT COALESCE (SUM (length (p.json)), 0) FROM profiles p WHERE p.session_id = s.id),"
                                  " (SELECT COALESCE (SUM (length (e.label) + COALESCE (length (e.payload), 0)), 0) FROM events e WHERE e.session_id = s.id)"
                                  " FROM sessions s", error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ImuSessionSpace *s = g_new0 (ImuSessionSpace, 1);

      s->session_id = sqlite3_column_int64 (stmt, 0);
      s->title = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      s->trashed_us = sqlite3_column_int64 (stmt, 2);
      s->samples = sqlite3_column_int64 (stmt, 3);
      s->envelopes = sqlite3_column_int64 (stmt, 4);
      s->profiles = sqlite3_column_int64 (stmt, 5);
      s->events = sqlite3_column_int64 (stmt, 6);
      if (s->trashed_us != 0)
        {
          stats->trash_bytes += imu_session_space_total (s);
          g_ptr_array_add (stats->trash, s);
        }
      else
        g_ptr_array_add (stats->sessions, s);
    }
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "measuring the sessions", error);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  g_ptr_array_sort (stats->sessions, compare_space);
  g_ptr_array_sort (stats->trash, compare_space);
  return g_steal_pointer (&stats);
}

typedef struct {
  const char     *wal;
  gint64          target;
  ImuProgressFunc progress;
  gpointer        progress_data;
  GCancellable   *cancellable;
  gint64          last_us;
} CompactWatch;

/* Called by SQLite every few thousand steps of the VACUUM: reports how
 * much of the rewritten file is in the WAL so far, and stops it when the
 * caller cancels (non-zero interrupts: SQLite rolls the VACUUM back). */
static int
compact_progress (void *data)
{
  CompactWatch *w = data;
  gint64 now = g_get_monotonic_time ();

  if (g_cancellable_is_cancelled (w->cancellable))
    return 1;
  if (w->progress != NULL && now - w->last_us > 100000)
    {
      GStatBuf st;
      gint64 done = g_stat (w->wal, &st) == 0 ? (gint64) st.st_size : 0;

      w->last_us = now;
      w->progress ((guint64) MIN (done, w->target), (guint64) w->target, w->progress_data);
    }
  return 0;
}

/* The folder SQLite puts its temporary files in on Unix (unixTempFileDir()
 * in its os_unix.c): $SQLITE_TMPDIR, $TMPDIR, /var/tmp, /usr/tmp, /tmp,
 * the first that is a writable folder. */
static const char *
sqlite_temp_dir (void)
{
  const char *dirs[] = { g_getenv ("SQLITE_TMPDIR"), g_getenv ("TMPDIR"), "/var/tmp", "/usr/tmp", "/tmp" };

  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (dirs[i] != NULL && g_file_test (dirs[i], G_FILE_TEST_IS_DIR) && access (dirs[i], W_OK | X_OK) == 0)
      return dirs[i];
  return ".";
}

static gboolean
same_file_system (const char *a, const char *b)
{
  GStatBuf sa, sb;

  return g_stat (a, &sa) == 0 && g_stat (b, &sb) == 0 && sa.st_dev == sb.st_dev;
}

static char *library_dir (ImuStore *store);

gboolean
imu_store_compact_estimate (ImuStore             *store,
                            const ImuStoreStats  *stats,
                            gint64               *gain,
                            gint64               *needed,
                            GError              **error)
{
  g_autofree char *lib_dir = NULL;
  const char *tmp_dir;
  gboolean same_disk;
  gint64 after, need, lib_free, tmp_free;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  if (gain != NULL)
    *gain = stats->free_bytes;
  after = MAX (stats->file_bytes - stats->free_bytes, stats->page_size);
  /* VACUUM writes the compacted copy into a temporary file (in SQLite's
   * temporary folder), then every page of it into the WAL beside the
   * library, which already holds stats->wal_bytes. */
  lib_dir = library_dir (store);
  tmp_dir = sqlite_temp_dir ();
  lib_free = imu_disk_free (lib_dir);
  tmp_free = imu_disk_free (tmp_dir);
  same_disk = same_file_system (lib_dir, tmp_dir);
  need = same_disk ? 2 * after : after;
  if (needed != NULL)
    *needed = same_disk ? need : need + after;
  if (lib_free >= 0 && lib_free < need)
    {
      g_autofree char *have = g_format_size ((guint64) lib_free);
      g_autofree char *want = g_format_size ((guint64) need);

      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_FULL,
                   _("compacting %s needs %s of free disk space, and there is %s: nothing was changed"),
                   imu_store_get_path (store), want, have);
      return FALSE;
    }
  if (!same_disk && tmp_free >= 0 && tmp_free < after)
    {
      g_autofree char *have = g_format_size ((guint64) tmp_free);
      g_autofree char *want = g_format_size ((guint64) after);

      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_FULL,
                   _("compacting %s needs %s free in the temporary folder %s, and there is %s: nothing was "
                     "changed (SQLITE_TMPDIR chooses another folder)"),
                   imu_store_get_path (store), want, tmp_dir, have);
      return FALSE;
    }
  return TRUE;
}

gboolean
imu_store_compact (ImuStore        *store,
                   gint64          *needed,
                   ImuProgressFunc  progress,
                   gpointer         progress_data,
                   GCancellable    *cancellable,
                   GError         **error)
{
  g_autoptr(ImuStoreStats) stats = NULL;
  g_autofree char *wal = NULL;
  CompactWatch watch = { 0 };
  sqlite3 *db;
  gint64 after;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  if (!(stats = imu_store_get_stats (store, error)))
    return FALSE;
  if (!imu_store_compact_estimate (store, stats, NULL, needed, error))
    return FALSE;
  after = MAX (stats->file_bytes - stats->free_bytes, stats->page_size);

  db = imu_store_get_db (store);
  wal = g_strconcat (imu_store_get_path (store), "-wal", NULL);
  watch.wal = wal;
  watch.target = after;
  watch.progress = progress;
  watch.progress_data = progress_data;
  watch.cancellable = cancellable;
  sqlite3_progress_handler (db, 10000, compact_progress, &watch);
  rc = sqlite3_exec (db, "VACUUM", NULL, NULL, NULL);
  sqlite3_progress_handler (db, 0, NULL, NULL);
  if (rc == SQLITE_INTERRUPT && g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (rc != SQLITE_OK)
    return imu_store_fail (store, rc, "compacting the library", error);
  /* Put the rewritten pages into the file and give the WAL's space back. */
  if ((rc = sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL)) != SQLITE_OK
      && rc != SQLITE_BUSY)
    return imu_store_fail (store, rc, "writing the compacted library", error);
  if (progress != NULL)
    progress ((guint64) after, (guint64) after, progress_data);
  return TRUE;
}

/* ---- the trash ---- */

void
imu_trash_item_free (ImuTrashItem *item)
{
  if (item == NULL)
    return;
  g_free (item->uuid);
  g_free (item->title);
  g_free (item);
}

gint64
imu_store_get_trash_days (ImuStore  *store,
                          GError   **error)
{
  sqlite3_stmt *stmt;
  gint64 days = IMU_TRASH_DAYS_DEFAULT;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), -1);

  if (!(stmt = imu_store_prepare (store, "SELECT value FROM library_settings WHERE key = 'trash_days'", error)))
    return -1;
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    days = MAX (sqlite3_column_int64 (stmt, 0), 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "reading the trash setting", error);
      return -1;
    }
  return days;
}

gboolean
imu_store_set_trash_days (ImuStore  *store,
                          gint64     days,
                          GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (days >= 0, FALSE);

  imu_store_end_reads (store);
  if (!(stmt = imu_store_prepare (store, "INSERT INTO library_settings (key, value) VALUES ('trash_days', ?1) "
                                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, days);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "storing the trash setting", error);
  return TRUE;
}

/* Runs @sql on @session_id (bound as ?1, and @now_us as ?2). Returns the
 * rows it changed, -1 with @error. */
static gint64
trash_update (ImuStore *store, const char *sql, gint64 session_id, gint64 now_us, const char *what,
              GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  imu_store_end_reads (store);
  if (!(stmt = imu_store_prepare (store, sql, error)))
    return -1;
  sqlite3_bind_int64 (stmt, 1, session_id);
  sqlite3_bind_int64 (stmt, 2, now_us);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, what, error);
      return -1;
    }
  return sqlite3_changes (imu_store_get_db (store));
}

gboolean
imu_store_trash_session (ImuStore  *store,
                         gint64     session_id,
                         gint64     now_us,
                         GError   **error)
{
  gint64 n;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  n = trash_update (store, "UPDATE sessions SET trashed_us = ?2 WHERE id = ?1 AND trashed_us IS NULL",
                    session_id, now_us, "putting a session in the trash", error);
  if (n == 0)
    g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                 _("There is no session %" PRId64 " in %s."), session_id, imu_store_get_path (store));
  return n > 0;
}

gboolean
imu_store_untrash_session (ImuStore  *store,
                           gint64     session_id,
                           GError   **error)
{
  gint64 n;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  n = trash_update (store, "UPDATE sessions SET trashed_us = NULL WHERE id = ?1 AND trashed_us IS NOT NULL "
                           "AND ?2 = ?2", session_id, 0, "taking a session out of the trash", error);
  if (n == 0)
    g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                 _("There is no session %" PRId64 " in the trash of %s."), session_id, imu_store_get_path (store));
  return n > 0;
}

gint64
imu_store_resolve_trashed (ImuStore    *store,
                           const char  *id_or_uuid,
                           GError     **error)
{
  g_autofree char *pattern = NULL;
  sqlite3_stmt *stmt;
  gint64 id = 0;
  guint n = 0;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), 0);
  g_return_val_if_fail (id_or_uuid != NULL, 0);

  /* A number is an id first; failing that, it and anything else of hex
   * digits is a uuid prefix, as imu_store_resolve_session() reads it (a
   * prefix such as "20481337" is all decimal digits). */
  if (*id_or_uuid != '\0' && strspn (id_or_uuid, "0123456789") == strlen (id_or_uuid))
    {
      if (!(stmt = imu_store_prepare (store, "SELECT id FROM sessions WHERE id = ?1 AND trashed_us IS NOT NULL", error)))
        return 0;
      sqlite3_bind_int64 (stmt, 1, g_ascii_strtoll (id_or_uuid, NULL, 10));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        id = sqlite3_column_int64 (stmt, 0);
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          imu_store_fail (store, rc, "finding a session in the trash", error);
          return 0;
        }
      if (id > 0)
        return id;
    }
  if (strlen (id_or_uuid) >= 4 && strspn (id_or_uuid, "0123456789abcdefABCDEF-") == strlen (id_or_uuid))
    {
      g_autofree char *lower = g_ascii_strdown (id_or_uuid, -1);

      if (!(stmt = imu_store_prepare (store, "SELECT id FROM sessions WHERE uuid LIKE ?1 AND trashed_us IS NOT NULL "
                                             "LIMIT 2", error)))
        return 0;
      pattern = g_strconcat (lower, "%", NULL);
      sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          id = sqlite3_column_int64 (stmt, 0);
          n++;
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          imu_store_fail (store, rc, "finding a session in the trash", error);
          return 0;
        }
    }
  if (n == 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no session “%s” in the trash of %s."), id_or_uuid, imu_store_get_path (store));
      return 0;
    }
  if (n > 1)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_AMBIGUOUS,
                   _("“%s” matches several sessions in the trash: give more digits of the uuid."), id_or_uuid);
      return 0;
    }
  return id;
}

GPtrArray *
imu_store_list_trash (ImuStore  *store,
                      GError   **error)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_trash_item_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  if (!(stmt = imu_store_prepare (store, "SELECT s.id, s.uuid, s.title, s.trashed_us, "
                                         "(SELECT COALESCE (SUM (t.n_samples), 0) FROM streams t WHERE t.session_id = s.id) "
                                         "FROM sessions s WHERE s.trashed_us IS NOT NULL "
                                         "ORDER BY s.trashed_us DESC, s.id DESC", error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ImuTrashItem *item = g_new0 (ImuTrashItem, 1);

      item->session_id = sqlite3_column_int64 (stmt, 0);
      item->uuid = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      item->title = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      item->trashed_us = sqlite3_column_int64 (stmt, 3);
      item->n_samples = sqlite3_column_int64 (stmt, 4);
      g_ptr_array_add (items, item);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "listing the trash", error);
      return NULL;
    }
  return g_steal_pointer (&items);
}

gint64
imu_store_empty_trash (ImuStore  *store,
                       gint64     older_than_us,
                       gint64     now_us,
                       GError   **error)
{
  sqlite3_stmt *stmt;
  gint64 n;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), -1);
  g_return_val_if_fail (older_than_us >= 0, -1);

  /* The streams, chunks, envelopes and events go with their session
   * (ON DELETE CASCADE); the import audit rows stay, as for a deletion. */
  imu_store_end_reads (store);
  if (!(stmt = imu_store_prepare (store, "DELETE FROM sessions WHERE trashed_us IS NOT NULL AND trashed_us <= ?1",
                                  error)))
    return -1;
  sqlite3_bind_int64 (stmt, 1, older_than_us == 0 ? G_MAXINT64 : now_us - older_than_us);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "emptying the trash", error);
      return -1;
    }
  n = sqlite3_changes (imu_store_get_db (store));
  return n;
}

gboolean
imu_store_delete_trashed (ImuStore  *store,
                          gint64     session_id,
                          GError   **error)
{
  gint64 n;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  n = trash_update (store, "DELETE FROM sessions WHERE id = ?1 AND trashed_us IS NOT NULL AND ?2 = ?2",
                    session_id, 0, "deleting a session in the trash", error);
  if (n == 0)
    g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                 _("There is no session %" PRId64 " in the trash of %s."), session_id, imu_store_get_path (store));
  return n > 0;
}

gint64
imu_store_expire_trash (ImuStore  *store,
                        gint64     now_us,
                        GError   **error)
{
  sqlite3_stmt *stmt;
  gint64 days, limit;
  gboolean any;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), -1);

  if ((days = imu_store_get_trash_days (store, error)) < 0)
    return -1;
  /* A day's µs times days, kept within int64. */
  limit = now_us - MIN (days, G_MAXINT64 / G_USEC_PER_SEC / 86400 / 2) * 86400 * G_USEC_PER_SEC;
  /* Only a reader unless something expired: opening never waits for the
   * write lock for nothing. */
  if (!(stmt = imu_store_prepare (store, "SELECT EXISTS (SELECT 1 FROM sessions WHERE trashed_us IS NOT NULL "
                                         "AND trashed_us <= ?1)", error)))
    return -1;
  sqlite3_bind_int64 (stmt, 1, limit);
  rc = sqlite3_step (stmt);
  any = rc == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      imu_store_fail (store, rc, "looking for expired sessions in the trash", error);
      return -1;
    }
  if (!any)
    return 0;
  return imu_store_empty_trash (store, now_us - limit, now_us, error);
}

/* ---- free disk space ---- */

gint64
imu_disk_free (const char *dir)
{
  struct statvfs st;

  g_return_val_if_fail (dir != NULL, -1);

  if (statvfs (dir, &st) != 0)
    return -1;
  return (gint64) st.f_bavail * (gint64) st.f_frsize;
}

static char *
library_dir (ImuStore *store)
{
  return g_path_get_dirname (imu_store_get_path (store));
}

gboolean
imu_store_check_room_for_import (ImuStore   *store,
                                 gint64      input_bytes,
                                 GError    **error)
{
  g_autofree char *dir = NULL;
  gint64 avail, need;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  dir = library_dir (store);
  avail = imu_disk_free (dir);
  need = MAX (MAX (input_bytes, 0) * IMU_DISK_IMPORT_FACTOR, IMU_DISK_MIN_FREE);
  if (avail >= 0 && avail < need)
    {
      g_autofree char *want = g_format_size ((guint64) need);
      g_autofree char *have = g_format_size ((guint64) avail);
      g_autofree char *floor = g_format_size ((guint64) IMU_DISK_MIN_FREE);

      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_FULL,
                   _("the disk of %s has %s free, and an import needs %s (twice the input's size, at least %s): "
                     "nothing was imported; free some space first"),
                   imu_store_get_path (store), have, want, floor);
      return FALSE;
    }
  return TRUE;
}
