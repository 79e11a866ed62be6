/* imu-store.c — the library file: one SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-store"

#include <inttypes.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "imu-codec.h"
#include "imu-core-resources.h"
#include "imu-library-hold-private.h"
#include "imu-chunk-private.h"
#include "imu-lod-private.h"
#include "imu-recording-lock-private.h"
#include "imu-store-ops.h"
#include "imu-store-private.h"

/* "IMUS": marks the SQLite file as an IMU Studio library, so that opening some
 * other program's database never migrates it. */
#define IMU_APPLICATION_ID 0x494D5553
#define MIGRATIONS_PATH "/io/github/imustudio/core/migrations"
#define BUSY_TIMEOUT_MS 10000

struct _ImuStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *stmts;      /* sql → sqlite3_stmt* */
  int         version;
  guint       tx_depth;
  ImuLibraryHold *hold;   /* the process's hold on the library (imu-library-hold.c) */

  /* Waiting for another writer (busy_cb) */
  ImuStoreWaitFunc wait_func;
  gpointer         wait_data;
  GCancellable    *wait_cancellable;
  gint64           busy_since;
  gboolean         wait_told;
};

G_DEFINE_FINAL_TYPE (ImuStore, imu_store, G_TYPE_OBJECT)
G_DEFINE_QUARK (imu-store-error-quark, imu_store_error)
G_DEFINE_BOXED_TYPE (ImuEvent, imu_event, imu_event_copy, imu_event_free)
G_DEFINE_BOXED_TYPE (ImuImportAudit, imu_import_audit, imu_import_audit_copy, imu_import_audit_free)

typedef struct {
  int   number;
  char *resource;
} Migration;

static int
migration_cmp (gconstpointer a, gconstpointer b)
{
  return ((const Migration *) a)->number - ((const Migration *) b)->number;
}

static void
migration_clear (gpointer data)
{
  g_free (((Migration *) data)->resource);
}

/* Migrations are the resources NNNN-name.sql under MIGRATIONS_PATH. */
static GArray *
list_migrations (void)
{
  g_auto(GStrv) names = NULL;

  /* Naming the resource keeps its object file (whose constructor registers
   * it) in programs that link the static library. */
  (void) imu_core_get_resource ();
  names = g_resources_enumerate_children (MIGRATIONS_PATH, 0, NULL);
  GArray *list = g_array_new (FALSE, TRUE, sizeof (Migration));

  g_array_set_clear_func (list, migration_clear);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      Migration m;

      m.number = atoi (names[i]);
      if (m.number <= 0 || !g_str_has_suffix (names[i], ".sql"))
        continue;
      m.resource = g_strconcat (MIGRATIONS_PATH "/", names[i], NULL);
      g_array_append_val (list, m);
    }
  g_array_sort (list, migration_cmp);
  return list;
}

int
imu_store_schema_version (void)
{
  g_autoptr(GArray) list = list_migrations ();

  return list->len > 0 ? g_array_index (list, Migration, list->len - 1).number : 0;
}

static int
map_sqlite_code (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL: return IMU_STORE_ERROR_FULL;
    case SQLITE_IOERR:
      return rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC ? IMU_STORE_ERROR_FULL : IMU_STORE_ERROR_FAILED;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return IMU_STORE_ERROR_BUSY;
    case SQLITE_READONLY:
    case SQLITE_PERM: return IMU_STORE_ERROR_READONLY;
    case SQLITE_CORRUPT: return IMU_STORE_ERROR_CORRUPT;
    case SQLITE_NOTADB: return IMU_STORE_ERROR_NOT_A_LIBRARY;
    case SQLITE_CANTOPEN: return IMU_STORE_ERROR_OPEN;
    default: return IMU_STORE_ERROR_FAILED;
    }
}

/* SQLite's busy handler: called with count 0, 1, 2… while another
 * connection holds the lock this one needs. Returns 0 to give up. */
static int
busy_cb (void *data,
         int   count)
{
  ImuStore *self = data;
  gint64 now = g_get_monotonic_time ();
  gint64 waited_ms;

  if (count == 0)
    {
      self->busy_since = now;
      self->wait_told = FALSE;
    }
  waited_ms = (now - self->busy_since) / 1000;
  if (self->wait_func == NULL)
    {
      if (waited_ms >= BUSY_TIMEOUT_MS)
        return 0;
    }
  else
    {
      if (g_cancellable_is_cancelled (self->wait_cancellable))
        return 0;
      if (!self->wait_told && waited_ms >= 1000)
        {
          g_autofree char *holder = self->hold != NULL ? imu_library_hold_dup_writer (self->hold) : NULL;

          self->wait_told = TRUE;
          self->wait_func (self, holder, self->wait_data);
        }
    }
  /* 1 ms doubling to 50 ms: quick when the other writer commits soon. */
  g_usleep (MIN (1000 << MIN (count, 6), 50000));
  return 1;
}

void
imu_store_set_wait_func (ImuStore         *self,
                         ImuStoreWaitFunc  func,
                         gpointer          user_data,
                         GCancellable     *cancellable)
{
  g_return_if_fail (IMU_IS_STORE (self));

  self->wait_func = func;
  self->wait_data = user_data;
  g_set_object (&self->wait_cancellable, cancellable);
}

/* A cached statement that stepped to a row and was left there keeps a read
 * transaction open. A write on top of it cannot wait for another writer
 * (SQLite answers SQLITE_BUSY at once: waiting could not help a stale
 * snapshot), and it holds back checkpoints. Outside a transaction no
 * caller is in the middle of a result, so every write starts by ending
 * them. */
static void
end_reads (ImuStore *self)
{
  if (self->tx_depth > 0)
    return;
  for (sqlite3_stmt *stmt = sqlite3_next_stmt (self->db, NULL); stmt != NULL; stmt = sqlite3_next_stmt (self->db, stmt))
    if (sqlite3_stmt_busy (stmt))
      sqlite3_reset (stmt);
}

void
imu_store_end_reads (ImuStore *self)
{
  end_reads (self);
}

gboolean
imu_store_fail (ImuStore   *self,
                int         rc,
                const char *what,
                GError    **error)
{
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);
  int code = map_sqlite_code (rc);

  if (code == IMU_STORE_ERROR_BUSY && g_cancellable_is_cancelled (self->wait_cancellable))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("Cancelled while waiting for another program to finish writing to the library"));
      return FALSE;
    }
  if (code == IMU_STORE_ERROR_BUSY)
    {
      g_autofree char *holder = self->hold != NULL ? imu_library_hold_dup_writer (self->hold) : NULL;

      if (holder != NULL)
        g_set_error (error, IMU_STORE_ERROR, code,
                     _("%s: %s is writing to the library and did not finish within %d s; try again when it has finished"),
                     self->path, holder, BUSY_TIMEOUT_MS / 1000);
      else
        g_set_error (error, IMU_STORE_ERROR, code,
                     _("%s: another program is writing to the library and did not finish within %d s; try again when it has finished"),
                     self->path, BUSY_TIMEOUT_MS / 1000);
      return FALSE;
    }

  if (code == IMU_STORE_ERROR_FULL)
    g_set_error (error, IMU_STORE_ERROR, code,
                 _("%s: the disk is full while %s (%s). Free some space and try again."),
                 self->path, what, detail);
  else
    g_set_error (error, IMU_STORE_ERROR, code, _("%s: %s failed: %s"), self->path, what, detail);
  return FALSE;
}

sqlite3 *
imu_store_get_db (ImuStore *self)
{
  g_return_val_if_fail (IMU_IS_STORE (self), NULL);
  return self->db;
}

sqlite3_stmt *
imu_store_prepare (ImuStore   *self,
                   const char *sql,
                   GError    **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->stmts, sql);
  int rc;

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      imu_store_fail (self, rc, "prepare", error);
      return NULL;
    }
  g_hash_table_insert (self->stmts, g_strdup (sql), stmt);
  return stmt;
}

gboolean
imu_store_exec (ImuStore   *self,
                const char *sql,
                GError    **error)
{
  char *errmsg = NULL;
  int rc = sqlite3_exec (self->db, sql, NULL, NULL, &errmsg);

  if (rc != SQLITE_OK)
    {
      int code = map_sqlite_code (rc);

      if (code == IMU_STORE_ERROR_BUSY)
        {
          sqlite3_free (errmsg);
          return imu_store_fail (self, rc, sql, error);
        }
      g_set_error (error, IMU_STORE_ERROR, code, _("%s: %s"), self->path,
                   errmsg != NULL ? errmsg : sqlite3_errstr (rc));
      sqlite3_free (errmsg);
      return FALSE;
    }
  return TRUE;
}

static void
imu_store_finalize (GObject *object)
{
  ImuStore *self = IMU_STORE (object);

  g_clear_pointer (&self->stmts, g_hash_table_unref);
  g_clear_object (&self->wait_cancellable);
  if (self->hold != NULL)
    {
      /* The last connection of the process closes after the hold's locks
       * are gone (so SQLite can checkpoint and remove the WAL) and before
       * the hold's descriptors are closed (which would drop this
       * connection's locks); no other connection opens meanwhile. */
      imu_library_hold_lock ();
      if (imu_library_hold_release (self->hold))
        {
          sqlite3_close_v2 (self->db);
          imu_library_hold_free (self->hold);
        }
      else
        sqlite3_close_v2 (self->db);
      imu_library_hold_unlock ();
    }
  else if (self->db != NULL)
    sqlite3_close_v2 (self->db);
  g_free (self->path);

  G_OBJECT_CLASS (imu_store_parent_class)->finalize (object);
}

static void
imu_store_class_init (ImuStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = imu_store_finalize;
}

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
imu_store_init (ImuStore *self)
{
  self->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
}

char *
imu_store_default_path (void)
{
  const char *env = g_getenv ("IMU_LIBRARY");

  if (env != NULL && *env != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "imu-studio", "library.db", NULL);
}

static gboolean
query_int (ImuStore *self, const char *sql, gint64 *out, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (self->db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    return imu_store_fail (self, rc, "query", error);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64 (stmt, 0);
  else
    *out = 0;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return imu_store_fail (self, rc, "query", error);
  return TRUE;
}

/* Reads the schema version without writing anything, so that a file from a
 * newer version (or another program) is left byte-for-byte untouched. */
static gboolean
inspect (ImuStore *self, gboolean *is_new, GError **error)
{
  gint64 n_tables = 0, app_id = 0, has_migrations = 0, version = 0;

  if (!query_int (self, "PRAGMA application_id", &app_id, error))
    {
      if (g_error_matches (*error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_A_LIBRARY)
          || g_error_matches (*error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT))
        {
          g_clear_error (error);
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_A_LIBRARY,
                       _("%s is not an IMU Studio library (not an SQLite database)."), self->path);
        }
      return FALSE;
    }
  if (!query_int (self, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", &n_tables, error))
    return FALSE;
  *is_new = n_tables == 0;
  if (*is_new)
    return TRUE;
  if (!query_int (self, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'",
                  &has_migrations, error))
    return FALSE;
  if (app_id != IMU_APPLICATION_ID || !has_migrations)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_A_LIBRARY,
                   _("%s is an SQLite database of another program, not an IMU Studio library. "
                     "It was not changed."), self->path);
      return FALSE;
    }
  if (!query_int (self, "SELECT coalesce(max(version), 0) FROM schema_migrations", &version, error))
    return FALSE;
  self->version = (int) version;
  if (version > imu_store_schema_version ())
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NEWER_SCHEMA,
                   _("%s was written by a newer version of IMU Studio (library schema %d; this "
                     "version reads up to %d). Update IMU Studio to open it. The file was not changed."),
                   self->path, (int) version, imu_store_schema_version ());
      return FALSE;
    }
  return TRUE;
}

/* Whether migration @number is recorded as applied. Checking each number
 * (rather than comparing with the highest) also applies a migration that
 * was merged after a higher-numbered one. */
static gboolean
is_applied (ImuStore *self, int number)
{
  g_autofree char *sql = NULL;
  gint64 n = 0;

  if (self->version == 0)
    return FALSE;
  sql = g_strdup_printf ("SELECT count(*) FROM schema_migrations WHERE version = %d", number);
  return query_int (self, sql, &n, NULL) && n > 0;
}

static gboolean
sqlite_has_migrations_table (ImuStore *self)
{
  gint64 n = 0;

  return query_int (self, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'",
                    &n, NULL) && n > 0;
}

static gboolean
is_applied_locked (ImuStore *self, int number)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM schema_migrations WHERE version = %d", number);
  gint64 n = 0;

  return query_int (self, sql, &n, NULL) && n > 0;
}

/* A migration that rebuilt a table must leave every reference whole. */
static gboolean
check_foreign_keys (ImuStore *self, GError **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA foreign_key_check", -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return imu_store_fail (self, rc, "checking foreign keys", error);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("a row of table %s refers to a missing row of table %s"),
                   (const char *) sqlite3_column_text (stmt, 0), (const char *) sqlite3_column_text (stmt, 2));
      sqlite3_finalize (stmt);
      return FALSE;
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (self, rc, "checking foreign keys", error);
  return TRUE;
}

static gboolean
apply_migrations (ImuStore *self, GError **error)
{
  g_autoptr(GArray) list = list_migrations ();

  for (guint i = 0; i < list->len; i++)
    {
      const Migration *m = &g_array_index (list, Migration, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *sql = NULL;
      g_autofree char *record = NULL;
      g_autoptr(GError) local_error = NULL;

      if (is_applied (self, m->number))
        {
          /* Perhaps applied by another connection since inspect(). */
          self->version = MAX (self->version, m->number);
          continue;
        }

      bytes = g_resources_lookup_data (m->resource, 0, &local_error);
      if (bytes == NULL)
        {
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_MIGRATION,
                       _("Migration %d is missing: %s"), m->number, local_error->message);
          return FALSE;
        }
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      record = g_strdup_printf ("INSERT INTO schema_migrations (version, name, applied_us) "
                                "VALUES (%d, '%s', %" PRId64 ");",
                                m->number, strrchr (m->resource, '/') + 1, g_get_real_time ());

      /* Foreign keys off while a migration runs, as SQLite's procedure for
       * rebuilding a table asks (lang_altertable.html#otheralter): with
       * them on, dropping the old table would cascade into every child
       * table. The pragma is a no-op inside a transaction, so it goes
       * around it, and the keys are checked before the commit instead. */
      if (!imu_store_exec (self, "PRAGMA foreign_keys = OFF", error))
        return FALSE;
      if (!imu_store_exec (self, "BEGIN IMMEDIATE", error))
        {
          imu_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
          return FALSE;
        }
      /* Another connection may have applied it while this one waited for
       * the write lock (two processes opening a new library at once). */
      if (sqlite_has_migrations_table (self) && is_applied_locked (self, m->number))
        {
          imu_store_exec (self, "COMMIT", NULL);
          if (!imu_store_exec (self, "PRAGMA foreign_keys = ON", error))
            return FALSE;
          self->version = MAX (self->version, m->number);
          continue;
        }
      if (!imu_store_exec (self, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                                 " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                 " applied_us INTEGER NOT NULL)", &local_error)
          || !imu_store_exec (self, sql, &local_error)
          || !imu_store_exec (self, record, &local_error)
          || !imu_store_exec (self, "PRAGMA application_id = 1229804883", &local_error)
          || !check_foreign_keys (self, &local_error)
          || !imu_store_exec (self, "COMMIT", &local_error))
        {
          imu_store_exec (self, "ROLLBACK", NULL);
          imu_store_exec (self, "PRAGMA foreign_keys = ON", NULL);
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_MIGRATION,
                       _("Could not upgrade %s to schema %d: %s"),
                       self->path, m->number, local_error->message);
          return FALSE;
        }
      if (!imu_store_exec (self, "PRAGMA foreign_keys = ON", error))
        return FALSE;
      self->version = MAX (self->version, m->number);
    }
  return TRUE;
}

/* Switching a new file to WAL needs it to itself for a moment, and SQLite
 * does not wait for that through the busy handler: when another connection
 * is opening the same new library, try again for up to the busy timeout.
 * Once the file is in WAL mode (whoever switched it) this is a no-op. */
static gboolean
set_wal (ImuStore *self, GError **error)
{
  gint64 deadline = g_get_monotonic_time () + BUSY_TIMEOUT_MS * (gint64) 1000;
  gulong wait_us = 1000;

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      if (imu_store_exec (self, "PRAGMA journal_mode = WAL", &local_error))
        return TRUE;
      if (!g_error_matches (local_error, IMU_STORE_ERROR, IMU_STORE_ERROR_BUSY)
          || g_get_monotonic_time () >= deadline)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_usleep (wait_us);
      wait_us = MIN (wait_us * 2, 50000);
    }
}

static ImuStore *
open_locked (const char  *path,
             GError     **error)
{
  g_autoptr(ImuStore) self = NULL;
  g_autofree char *dir = NULL;
  gboolean is_new = FALSE;
  int rc;

  G_STATIC_ASSERT (IMU_APPLICATION_ID == 1229804883);

  self = g_object_new (IMU_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_OPEN,
                   _("Cannot create the folder %s for the library: %s"), dir, g_strerror (errsv));
      return NULL;
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_OPEN,
                   _("Cannot open the library %s: %s"), path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_handler (self->db, busy_cb, self);

  /* One read transaction: another connection creating the library at
   * this moment is seen either before or after its first migration, never
   * half-way (tables but no application id yet). */
  if (!imu_store_exec (self, "BEGIN", error))
    return NULL;
  if (!inspect (self, &is_new, error))
    {
      imu_store_exec (self, "ROLLBACK", NULL);
      return NULL;
    }
  if (!imu_store_exec (self, "COMMIT", error))
    return NULL;

  /* WAL lets the window read while an import writes on another connection;
   * synchronous=FULL makes every commit durable (a recorder's last second). */
  if (!set_wal (self, error)
      || !imu_store_exec (self, "PRAGMA synchronous = FULL", error)
      || !imu_store_exec (self, "PRAGMA foreign_keys = ON", error)
      || !imu_store_exec (self, "PRAGMA cache_size = -8192", error))
    return NULL;

  if (!apply_migrations (self, error))
    return NULL;

  self->hold = imu_library_hold_acquire (path);

  /* A session a dead recorder left `recording` is found by whoever opens
   * the library next (imu-recording-lock.c). Opening never fails for it:
   * the next open tries again. */
  {
    g_autoptr(GError) recover_error = NULL;

    if (imu_store_recover_recordings (self, &recover_error) < 0)
      g_debug ("%s: interrupted recordings not recovered: %s", path, recover_error->message);
  }
  /* Sessions longer in the trash than the library keeps them go now; like
   * the recovery, the next open tries again when this one cannot. */
  {
    g_autoptr(GError) expire_error = NULL;

    if (imu_store_expire_trash (self, g_get_real_time (), &expire_error) < 0)
      g_debug ("%s: the trash was not emptied of expired sessions: %s", path, expire_error->message);
  }
  return g_steal_pointer (&self);
}

ImuStore *
imu_store_open (const char  *path,
                GError     **error)
{
  ImuStore *self;

  g_return_val_if_fail (path != NULL, NULL);

  /* Opening holds the process's library lock throughout: a connection
   * of this process is never open on a library without the hold, not even
   * while another of its connections is the last to close. */
  imu_library_hold_lock ();
  self = open_locked (path, error);
  imu_library_hold_unlock ();
  return self;
}

const char *
imu_store_get_path (ImuStore *self)
{
  g_return_val_if_fail (IMU_IS_STORE (self), NULL);
  return self->path;
}

int
imu_store_get_version (ImuStore *self)
{
  g_return_val_if_fail (IMU_IS_STORE (self), 0);
  return self->version;
}

gboolean
imu_store_begin (ImuStore *self, GError **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);

  end_reads (self);
  if (self->tx_depth == 0)
    sql = g_strdup ("BEGIN IMMEDIATE");
  else
    sql = g_strdup_printf ("SAVEPOINT sp%u", self->tx_depth);
  if (!imu_store_exec (self, sql, error))
    return FALSE;
  self->tx_depth++;
  return TRUE;
}

gboolean
imu_store_commit (ImuStore *self, GError **error)
{
  g_autofree char *sql = NULL;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  if (self->tx_depth == 1)
    sql = g_strdup ("COMMIT");
  else
    sql = g_strdup_printf ("RELEASE sp%u", self->tx_depth - 1);
  if (!imu_store_exec (self, sql, error))
    return FALSE;
  self->tx_depth--;
  return TRUE;
}

void
imu_store_rollback (ImuStore *self)
{
  g_autofree char *sql = NULL;

  g_return_if_fail (IMU_IS_STORE (self));
  g_return_if_fail (self->tx_depth > 0);

  if (self->tx_depth == 1)
    sql = g_strdup ("ROLLBACK");
  else
    sql = g_strdup_printf ("ROLLBACK TO sp%u; RELEASE sp%u", self->tx_depth - 1, self->tx_depth - 1);
  /* A ROLLBACK can fail only when SQLite already rolled back on its own
   * (after SQLITE_FULL, for instance); either way the work is gone. */
  if (!imu_store_exec (self, sql, NULL) && self->tx_depth == 1)
    g_debug ("rollback after automatic rollback");
  self->tx_depth--;
}

/* ---- JSON helpers ---- */

static char *
strv_to_json (const char * const *strv)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; strv != NULL && strv[i] != NULL; i++)
    json_builder_add_string_value (b, strv[i]);
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

static char **
strv_from_json (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *out = g_ptr_array_new ();
  JsonNode *root;

  if (json != NULL && json_parser_load_from_data (parser, json, -1, NULL)
      && (root = json_parser_get_root (parser)) != NULL && JSON_NODE_HOLDS_ARRAY (root))
    {
      JsonArray *arr = json_node_get_array (root);

      for (guint i = 0; i < json_array_get_length (arr); i++)
        {
          const char *s = json_array_get_string_element (arr, i);
          if (s != NULL)
            g_ptr_array_add (out, g_strdup (s));
        }
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

char *
imu_time_format_to_json (const ImuTimeFormat *fmt)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, imu_time_kind_to_string (fmt->kind));
  json_builder_set_member_name (b, "decimals");
  json_builder_add_int_value (b, fmt->decimals);
  json_builder_set_member_name (b, "tz_offset_s");
  json_builder_add_int_value (b, fmt->tz_offset_s);
  json_builder_set_member_name (b, "origin_ns");
  json_builder_add_int_value (b, fmt->origin_ns);
  if (fmt->column != NULL)
    {
      json_builder_set_member_name (b, "column");
      json_builder_add_string_value (b, fmt->column);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

void
imu_time_format_from_json (ImuTimeFormat *fmt,
                           const char    *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *obj;

  g_clear_pointer (&fmt->column, g_free);
  fmt->kind = IMU_TIME_NONE;
  fmt->decimals = -1;
  fmt->tz_offset_s = 0;
  fmt->origin_ns = 0;
  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL)
      || (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  obj = json_node_get_object (root);
  fmt->kind = imu_time_kind_from_string (json_object_get_string_member_with_default (obj, "kind", "none"));
  fmt->decimals = (int) json_object_get_int_member_with_default (obj, "decimals", -1);
  fmt->tz_offset_s = (int) json_object_get_int_member_with_default (obj, "tz_offset_s", 0);
  fmt->origin_ns = json_object_get_int_member_with_default (obj, "origin_ns", 0);
  if (json_object_has_member (obj, "column"))
    fmt->column = g_strdup (json_object_get_string_member (obj, "column"));
}

/* ---- sessions ---- */

#define SESSION_COLUMNS \
  "s.id, s.uuid, s.title, s.subject, s.activity, s.tags, s.notes, s.start_ns, s.end_ns, " \
  "s.nominal_rate, s.tz_offset_s, s.frame, s.origin, s.origin_path, s.origin_sha256, s.state, " \
  "s.created_us, s.updated_us, d.vendor, d.model, d.serial, d.firmware"

static const char *
col_text (sqlite3_stmt *stmt, int i)
{
  const char *s = (const char *) sqlite3_column_text (stmt, i);
  return s != NULL ? s : "";
}

static ImuSessionState
state_from_string (const char *s)
{
  if (g_strcmp0 (s, "recording") == 0)
    return IMU_SESSION_STATE_RECORDING;
  if (g_strcmp0 (s, "interrupted") == 0)
    return IMU_SESSION_STATE_INTERRUPTED;
  return IMU_SESSION_STATE_COMPLETE;
}

static ImuSession *
session_from_row (sqlite3_stmt *stmt)
{
  ImuSession *session = imu_session_new ();
  g_auto(GStrv) tags = strv_from_json (col_text (stmt, 5));

  g_object_set (session,
                "id", sqlite3_column_int64 (stmt, 0),
                "uuid", col_text (stmt, 1),
                "title", col_text (stmt, 2),
                "subject", col_text (stmt, 3),
                "activity", col_text (stmt, 4),
                "tags", tags,
                "notes", col_text (stmt, 6),
                "start-ns", sqlite3_column_int64 (stmt, 7),
                "end-ns", sqlite3_column_int64 (stmt, 8),
                "nominal-rate", sqlite3_column_double (stmt, 9),
                "tz-offset", sqlite3_column_int (stmt, 10),
                "frame", col_text (stmt, 11),
                "origin", col_text (stmt, 12),
                "origin-path", col_text (stmt, 13),
                "origin-sha256", col_text (stmt, 14),
                "state", (int) state_from_string (col_text (stmt, 15)),
                "created-us", sqlite3_column_int64 (stmt, 16),
                "updated-us", sqlite3_column_int64 (stmt, 17),
                "device-vendor", col_text (stmt, 18),
                "device-model", col_text (stmt, 19),
                "device-serial", col_text (stmt, 20),
                "device-firmware", col_text (stmt, 21),
                NULL);
  return session;
}

static const char *
sort_clause (ImuSessionSort sort)
{
  switch (sort)
    {
    case IMU_SESSION_SORT_DATE_ASC: return " ORDER BY s.start_ns ASC, s.id ASC";
    case IMU_SESSION_SORT_TITLE: return " ORDER BY s.title COLLATE NOCASE ASC, s.id ASC";
    case IMU_SESSION_SORT_DURATION_DESC: return " ORDER BY (s.end_ns - s.start_ns) DESC, s.id DESC";
    case IMU_SESSION_SORT_DATE_DESC:
    default: return " ORDER BY s.start_ns DESC, s.id DESC";
    }
}

static ImuStreamInfo *stream_from_row (sqlite3_stmt *stmt);
static gboolean load_channels (ImuStore *self, GHashTable *by_id, gint64 session_id, GError **error);

GPtrArray *
imu_store_list_sessions (ImuStore        *self,
                         const char      *search,
                         ImuSessionSort   sort,
                         GError         **error)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) streams_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autofree char *folded = NULL;
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), NULL);

  if (search != NULL && *search != '\0')
    folded = g_utf8_casefold (search, -1);

  /* Sessions in the trash are not listed (imu-store-ops.h). */
  sql = g_strconcat ("SELECT " SESSION_COLUMNS " FROM sessions s LEFT JOIN devices d ON d.id = s.device_id"
                     " WHERE s.trashed_us IS NULL", sort_clause (sort), NULL);
  if (!(stmt = imu_store_prepare (self, sql, error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ImuSession *session = session_from_row (stmt);

      /* Matching in C rather than with LIKE: casefolding must handle
       * non-ASCII titles and names ("Zoë", "Ärzte"). */
      if (folded != NULL && !imu_session_matches (session, folded))
        {
          g_object_unref (session);
          continue;
        }
      g_ptr_array_add (sessions, session);
    }
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (self, rc, "listing sessions", error);
      return NULL;
    }

  /* Streams of all sessions in one pass (for the list's stream badges). */
  {
    g_autoptr(GHashTable) sessions_by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
    g_autoptr(GArray) ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), sessions->len);

    for (guint i = 0; i < sessions->len; i++)
      {
        ImuSession *s = g_ptr_array_index (sessions, i);
        gint64 id = imu_session_get_id (s);
        g_array_append_val (ids, id);
      }
    for (guint i = 0; i < sessions->len; i++)
      g_hash_table_insert (sessions_by_id, &g_array_index (ids, gint64, i), g_ptr_array_index (sessions, i));

    if (!(stmt = imu_store_prepare (self,
                                    "SELECT id, session_id, name, kind, nominal_rate, n_channels, n_samples, "
                                    "t_first_ns, t_last_ns, time_format FROM streams ORDER BY session_id, id",
                                    error)))
      return NULL;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 session_id = sqlite3_column_int64 (stmt, 1);
        ImuSession *s = g_hash_table_lookup (sessions_by_id, &session_id);
        ImuStreamInfo *info;

        if (s == NULL)
          continue;
        info = stream_from_row (stmt);
        imu_session_add_stream (s, info);
        g_hash_table_insert (streams_by_id, &info->id, info);
      }
    if (rc != SQLITE_DONE)
      {
        imu_store_fail (self, rc, "listing streams", error);
        return NULL;
      }
    if (!load_channels (self, streams_by_id, 0, error))
      return NULL;
  }

  return g_steal_pointer (&sessions);
}

/* Columns: id, session_id, name, kind, nominal_rate, n_channels, n_samples,
 * t_first_ns, t_last_ns, time_format */
static ImuStreamInfo *
stream_from_row (sqlite3_stmt *stmt)
{
  guint n_channels = (guint) sqlite3_column_int (stmt, 5);
  ImuStreamInfo *info = imu_stream_info_new (col_text (stmt, 2), n_channels);

  info->id = sqlite3_column_int64 (stmt, 0);
  info->session_id = sqlite3_column_int64 (stmt, 1);
  info->kind = g_strdup (col_text (stmt, 3));
  info->nominal_rate_hz = sqlite3_column_double (stmt, 4);
  info->n_samples = sqlite3_column_int64 (stmt, 6);
  info->t_first_ns = sqlite3_column_int64 (stmt, 7);
  info->t_last_ns = sqlite3_column_int64 (stmt, 8);
  imu_time_format_from_json (&info->time_format, col_text (stmt, 9));
  return info;
}

/* Fills the channels of the streams in @by_id (stream id → info); all
 * channels when @session_id is 0. */
static gboolean
load_channels (ImuStore *self, GHashTable *by_id, gint64 session_id, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (session_id != 0)
    {
      if (!(stmt = imu_store_prepare (self,
                                      "SELECT c.stream_id, c.idx, c.name, c.unit, c.kind, c.decimals, c.range_min, c.range_max "
                                      "FROM channels c JOIN streams s ON s.id = c.stream_id WHERE s.session_id = ?",
                                      error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, session_id);
    }
  else if (!(stmt = imu_store_prepare (self,
                                       "SELECT stream_id, idx, name, unit, kind, decimals, range_min, range_max FROM channels",
                                       error)))
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 stream_id = sqlite3_column_int64 (stmt, 0);
      guint idx = (guint) sqlite3_column_int (stmt, 1);
      ImuStreamInfo *info = g_hash_table_lookup (by_id, &stream_id);
      ImuChannelInfo *ch;

      if (info == NULL || idx >= info->n_channels)
        continue;
      imu_stream_info_set_channel (info, idx, col_text (stmt, 2), col_text (stmt, 3), col_text (stmt, 4));
      ch = &info->channels[idx];
      ch->decimals = sqlite3_column_int (stmt, 5);
      ch->range_min = sqlite3_column_type (stmt, 6) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 6);
      ch->range_max = sqlite3_column_type (stmt, 7) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 7);
    }
  if (rc != SQLITE_DONE)
    return imu_store_fail (self, rc, "reading channels", error);
  return TRUE;
}

GPtrArray *
imu_store_list_streams (ImuStore  *self,
                        gint64     session_id,
                        GError   **error)
{
  g_autoptr(GPtrArray) streams = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_stream_info_free);
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), NULL);

  if (!(stmt = imu_store_prepare (self,
                                  "SELECT id, session_id, name, kind, nominal_rate, n_channels, n_samples, "
                                  "t_first_ns, t_last_ns, time_format FROM streams WHERE session_id = ? ORDER BY id",
                                  error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ImuStreamInfo *info = stream_from_row (stmt);
      g_ptr_array_add (streams, info);
      g_hash_table_insert (by_id, &info->id, info);
    }
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (self, rc, "listing streams", error);
      return NULL;
    }
  if (!load_channels (self, by_id, session_id, error))
    return NULL;
  return g_steal_pointer (&streams);
}

ImuStreamInfo *
imu_store_load_stream (ImuStore  *self,
                       gint64     stream_id,
                       GError   **error)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new (g_int64_hash, g_int64_equal);
  g_autoptr(ImuStreamInfo) info = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (self,
                                  "SELECT id, session_id, name, kind, nominal_rate, n_channels, n_samples, "
                                  "t_first_ns, t_last_ns, time_format FROM streams WHERE id = ?",
                                  error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, stream_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no stream %" PRId64 " in %s."), stream_id, self->path);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      imu_store_fail (self, rc, "reading a stream", error);
      return NULL;
    }
  info = stream_from_row (stmt);
  sqlite3_reset (stmt);

  if (!(stmt = imu_store_prepare (self,
                                  "SELECT stream_id, idx, name, unit, kind, decimals, range_min, range_max "
                                  "FROM channels WHERE stream_id = ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, stream_id);
  g_hash_table_insert (by_id, &info->id, info);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      guint idx = (guint) sqlite3_column_int (stmt, 1);
      ImuChannelInfo *ch;

      if (idx >= info->n_channels)
        continue;
      imu_stream_info_set_channel (info, idx, col_text (stmt, 2), col_text (stmt, 3), col_text (stmt, 4));
      ch = &info->channels[idx];
      ch->decimals = sqlite3_column_int (stmt, 5);
      ch->range_min = sqlite3_column_type (stmt, 6) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 6);
      ch->range_max = sqlite3_column_type (stmt, 7) == SQLITE_NULL ? NAN : sqlite3_column_double (stmt, 7);
    }
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (self, rc, "reading channels", error);
      return NULL;
    }
  return g_steal_pointer (&info);
}

gboolean
imu_store_insert_stream (ImuStore      *self,
                         ImuStreamInfo *info,
                         GError       **error)
{
  g_autofree char *time_json = imu_time_format_to_json (&info->time_format);
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (self,
                                  "INSERT INTO streams (session_id, name, kind, nominal_rate, n_channels, time_format) "
                                  "VALUES (?, ?, ?, ?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, info->session_id);
  sqlite3_bind_text (stmt, 2, info->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, info->kind != NULL ? info->kind : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_double (stmt, 4, info->nominal_rate_hz);
  sqlite3_bind_int (stmt, 5, (int) info->n_channels);
  sqlite3_bind_text (stmt, 6, time_json, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "adding a stream", error);
  info->id = sqlite3_last_insert_rowid (self->db);

  if (!(stmt = imu_store_prepare (self,
                                  "INSERT INTO channels (stream_id, idx, name, unit, kind, decimals, range_min, range_max) "
                                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", error)))
    return FALSE;
  for (guint i = 0; i < info->n_channels; i++)
    {
      const ImuChannelInfo *ch = &info->channels[i];

      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, info->id);
      sqlite3_bind_int (stmt, 2, (int) i);
      sqlite3_bind_text (stmt, 3, ch->name != NULL ? ch->name : "", -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, ch->unit != NULL ? ch->unit : "", -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 5, ch->kind != NULL ? ch->kind : "", -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (stmt, 6, ch->decimals);
      if (isnan (ch->range_min))
        sqlite3_bind_null (stmt, 7);
      else
        sqlite3_bind_double (stmt, 7, ch->range_min);
      if (isnan (ch->range_max))
        sqlite3_bind_null (stmt, 8);
      else
        sqlite3_bind_double (stmt, 8, ch->range_max);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        return imu_store_fail (self, rc, "adding a channel", error);
    }
  return TRUE;
}

gboolean
imu_store_update_stream (ImuStore            *self,
                         const ImuStreamInfo *info,
                         gint64               n_chunks,
                         GError             **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (self,
                                  "UPDATE streams SET n_samples = ?, n_chunks = ?, t_first_ns = ?, t_last_ns = ?, "
                                  "nominal_rate = ? WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, info->n_samples);
  sqlite3_bind_int64 (stmt, 2, n_chunks);
  if (info->n_samples > 0)
    {
      sqlite3_bind_int64 (stmt, 3, info->t_first_ns);
      sqlite3_bind_int64 (stmt, 4, info->t_last_ns);
    }
  sqlite3_bind_double (stmt, 5, info->nominal_rate_hz);
  sqlite3_bind_int64 (stmt, 6, info->id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "updating a stream", error);

  if (!(stmt = imu_store_prepare (self, "UPDATE channels SET decimals = ? WHERE stream_id = ? AND idx = ?", error)))
    return FALSE;
  for (guint i = 0; i < info->n_channels; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int (stmt, 1, info->channels[i].decimals);
      sqlite3_bind_int64 (stmt, 2, info->id);
      sqlite3_bind_int (stmt, 3, (int) i);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        return imu_store_fail (self, rc, "updating a channel", error);
    }
  return TRUE;
}

gboolean
imu_store_refresh_session_range (ImuStore *self,
                                 gint64    session_id,
                                 GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (self,
                                  "UPDATE sessions SET "
                                  " start_ns = (SELECT min(t_first_ns) FROM streams WHERE session_id = ?1 AND n_samples > 0),"
                                  " end_ns = (SELECT max(t_last_ns) FROM streams WHERE session_id = ?1 AND n_samples > 0)"
                                  " WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "updating a session's time range", error);
  return TRUE;
}

ImuSession *
imu_store_load_session (ImuStore  *self,
                        gint64     session_id,
                        GError   **error)
{
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), NULL);

  if (!(stmt = imu_store_prepare (self,
                                  "SELECT " SESSION_COLUMNS " FROM sessions s LEFT JOIN devices d "
                                  "ON d.id = s.device_id WHERE s.id = ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no session %" PRId64 " in %s."), session_id, self->path);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      imu_store_fail (self, rc, "reading a session", error);
      return NULL;
    }
  session = session_from_row (stmt);
  sqlite3_reset (stmt);

  if (!(streams = imu_store_list_streams (self, session_id, error)))
    return NULL;
  for (guint i = 0; i < streams->len; i++)
    imu_session_add_stream (session, imu_stream_info_copy (g_ptr_array_index (streams, i)));
  return g_steal_pointer (&session);
}

gint64
imu_store_resolve_session (ImuStore   *self,
                           const char *id_or_uuid,
                           GError    **error)
{
  g_autofree char *pattern = NULL;
  sqlite3_stmt *stmt;
  gint64 found = 0;
  guint n = 0;
  int rc;
  char *end = NULL;
  guint64 numeric;

  g_return_val_if_fail (IMU_IS_STORE (self), 0);
  g_return_val_if_fail (id_or_uuid != NULL, 0);

  numeric = g_ascii_strtoull (id_or_uuid, &end, 10);
  if (*id_or_uuid != '\0' && end != NULL && *end == '\0' && numeric > 0 && numeric <= G_MAXINT64)
    {
      if (!(stmt = imu_store_prepare (self, "SELECT id FROM sessions WHERE id = ? AND trashed_us IS NULL", error)))
        return 0;
      sqlite3_bind_int64 (stmt, 1, (gint64) numeric);
      if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        return sqlite3_column_int64 (stmt, 0);
      if (rc != SQLITE_DONE)
        return imu_store_fail (self, rc, "finding a session", error), 0;
    }

  if (strlen (id_or_uuid) >= 4 && strspn (id_or_uuid, "0123456789abcdefABCDEF-") == strlen (id_or_uuid))
    {
      g_autofree char *lower = g_ascii_strdown (id_or_uuid, -1);

      pattern = g_strconcat (lower, "%", NULL);
      if (!(stmt = imu_store_prepare (self, "SELECT id FROM sessions WHERE uuid LIKE ? AND trashed_us IS NULL LIMIT 2", error)))
        return 0;
      sqlite3_bind_text (stmt, 1, pattern, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          found = sqlite3_column_int64 (stmt, 0);
          n++;
        }
      if (rc != SQLITE_DONE)
        return imu_store_fail (self, rc, "finding a session", error), 0;
      if (n > 1)
        {
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_AMBIGUOUS,
                       _("“%s” matches several sessions: give more digits of the uuid."), id_or_uuid);
          return 0;
        }
      if (n == 1)
        return found;
    }

  g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
               _("There is no session “%s” in %s."), id_or_uuid, self->path);
  return 0;
}

/* Finds or adds the device row for the session's device fields; 0 when none. */
static gboolean
upsert_device (ImuStore *self, ImuSession *session, gint64 *device_id, GError **error)
{
  g_autofree char *vendor = NULL, *model = NULL, *serial = NULL, *firmware = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_object_get (session, "device-vendor", &vendor, "device-model", &model,
                "device-serial", &serial, "device-firmware", &firmware, NULL);
  *device_id = 0;
  if (!*vendor && !*model && !*serial && !*firmware)
    return TRUE;

  if (!(stmt = imu_store_prepare (self,
                                  "INSERT INTO devices (vendor, model, serial, firmware) VALUES (?, ?, ?, ?) "
                                  "ON CONFLICT (vendor, model, serial, firmware) DO UPDATE SET vendor = excluded.vendor "
                                  "RETURNING id", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, vendor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, model, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, serial, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, firmware, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (stmt)) != SQLITE_ROW)
    return imu_store_fail (self, rc, "adding a device", error);
  *device_id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

static void
bind_session (sqlite3_stmt *stmt, ImuSession *session, gint64 device_id)
{
  g_autofree char *frame = NULL, *origin = NULL, *origin_path = NULL, *origin_sha = NULL;
  g_autofree char *tags = strv_to_json (imu_session_get_tags (session));

  g_object_get (session, "frame", &frame, "origin", &origin, "origin-path", &origin_path,
                "origin-sha256", &origin_sha, NULL);
  sqlite3_bind_text (stmt, 1, imu_session_get_title (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, imu_session_get_subject (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, imu_session_get_activity (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, tags, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, imu_session_get_notes (session), -1, SQLITE_TRANSIENT);
  if (device_id > 0)
    sqlite3_bind_int64 (stmt, 6, device_id);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_int64 (stmt, 7, imu_session_get_start_ns (session));
  sqlite3_bind_int64 (stmt, 8, imu_session_get_end_ns (session));
  sqlite3_bind_double (stmt, 9, imu_session_get_nominal_rate (session));
  sqlite3_bind_int (stmt, 10, imu_session_get_tz_offset (session));
  sqlite3_bind_text (stmt, 11, frame, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 12, *origin ? origin : "imported", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 13, origin_path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 14, origin_sha, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 15, imu_session_state_to_string (imu_session_get_state (session)), -1, SQLITE_STATIC);
}

gboolean
imu_store_insert_session (ImuStore   *self,
                          ImuSession *session,
                          GError    **error)
{
  g_autofree char *uuid = NULL;
  gint64 device_id = 0;
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  end_reads (self);
  g_return_val_if_fail (IMU_IS_SESSION (session), FALSE);

  if (*imu_session_get_uuid (session) == '\0')
    {
      uuid = g_uuid_string_random ();
      g_object_set (session, "uuid", uuid, NULL);
    }
  if (!upsert_device (self, session, &device_id, error))
    return FALSE;
  if (!(stmt = imu_store_prepare (self,
                                  "INSERT INTO sessions (title, subject, activity, tags, notes, device_id, start_ns, end_ns, "
                                  "nominal_rate, tz_offset_s, frame, origin, origin_path, origin_sha256, state, uuid, "
                                  "created_us, updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                                  "?14, ?15, ?16, ?17, ?17)", error)))
    return FALSE;
  bind_session (stmt, session, device_id);
  sqlite3_bind_text (stmt, 16, imu_session_get_uuid (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 17, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      if (rc == SQLITE_CONSTRAINT_UNIQUE)
        {
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_FAILED,
                       _("A session with uuid %s is already in %s."), imu_session_get_uuid (session), self->path);
          return FALSE;
        }
      return imu_store_fail (self, rc, "adding a session", error);
    }
  g_object_set (session, "id", sqlite3_last_insert_rowid (self->db), "created-us", now, "updated-us", now, NULL);
  return TRUE;
}

/* Notes when each metadata field that @session changes was edited, for
 * merging with another library's copy (docs/sync.md). The fields are the
 * ones a person edits; the others come from the recording. */
static gboolean
record_field_edits (ImuStore *self, ImuSession *session, gint64 now, GError **error)
{
  g_autofree char *tags = NULL;
  sqlite3_stmt *stmt;
  int rc;

  tags = strv_to_json (imu_session_get_tags (session));
  if (!(stmt = imu_store_prepare (self,
                                  "INSERT INTO session_edits (session_id, field, updated_us) "
                                  "SELECT s.id, f.field, ?7 FROM sessions s, (SELECT 'title' AS field UNION ALL "
                                  "SELECT 'subject' UNION ALL SELECT 'activity' UNION ALL SELECT 'tags' UNION ALL "
                                  "SELECT 'notes') f WHERE s.id = ?1 AND CASE f.field "
                                  "WHEN 'title' THEN s.title IS NOT ?2 WHEN 'subject' THEN s.subject IS NOT ?3 "
                                  "WHEN 'activity' THEN s.activity IS NOT ?4 WHEN 'tags' THEN s.tags IS NOT ?5 "
                                  "ELSE s.notes IS NOT ?6 END "
                                  "ON CONFLICT (session_id, field) DO UPDATE SET "
                                  "updated_us = MAX (excluded.updated_us, updated_us + 1)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, imu_session_get_id (session));
  sqlite3_bind_text (stmt, 2, imu_session_get_title (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, imu_session_get_subject (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, imu_session_get_activity (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, tags, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, imu_session_get_notes (session), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "noting which fields were edited", error);
  return TRUE;
}

gboolean
imu_store_update_session (ImuStore   *self,
                          ImuSession *session,
                          GError    **error)
{
  gint64 device_id = 0;
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  end_reads (self);
  g_return_val_if_fail (IMU_IS_SESSION (session), FALSE);

  if (!upsert_device (self, session, &device_id, error))
    return FALSE;
  if (!record_field_edits (self, session, now, error))
    return FALSE;
  if (!(stmt = imu_store_prepare (self,
                                  "UPDATE sessions SET title = ?1, subject = ?2, activity = ?3, tags = ?4, notes = ?5, "
                                  "device_id = ?6, start_ns = ?7, end_ns = ?8, nominal_rate = ?9, tz_offset_s = ?10, "
                                  "frame = ?11, origin = ?12, origin_path = ?13, origin_sha256 = ?14, state = ?15, "
                                  "updated_us = ?17 WHERE id = ?16", error)))
    return FALSE;
  bind_session (stmt, session, device_id);
  sqlite3_bind_int64 (stmt, 16, imu_session_get_id (session));
  sqlite3_bind_int64 (stmt, 17, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "saving a session", error);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no session %" PRId64 " in %s."), imu_session_get_id (session), self->path);
      return FALSE;
    }
  g_object_set (session, "updated-us", now, NULL);
  return TRUE;
}

gboolean
imu_store_delete_session (ImuStore  *self,
                          gint64     session_id,
                          GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  end_reads (self);

  if (!(stmt = imu_store_prepare (self, "DELETE FROM sessions WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "deleting a session", error);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no session %" PRId64 " in %s."), session_id, self->path);
      return FALSE;
    }
  return TRUE;
}

gint64
imu_store_count_sessions (ImuStore *self, GError **error)
{
  gint64 n = 0;

  g_return_val_if_fail (IMU_IS_STORE (self), -1);
  if (!query_int (self, "SELECT count(*) FROM sessions WHERE trashed_us IS NULL", &n, error))
    return -1;
  return n;
}

/* ---- events ---- */

ImuEvent *
imu_event_new (gint64 t_ns, const char *kind, const char *label)
{
  ImuEvent *event = g_new0 (ImuEvent, 1);

  event->t_ns = t_ns;
  event->kind = g_strdup (kind != NULL ? kind : "marker");
  event->label = g_strdup (label != NULL ? label : "");
  return event;
}

ImuEvent *
imu_event_copy (const ImuEvent *event)
{
  ImuEvent *copy = g_memdup2 (event, sizeof *event);

  copy->kind = g_strdup (event->kind);
  copy->label = g_strdup (event->label);
  copy->payload_json = g_strdup (event->payload_json);
  copy->uid = g_strdup (event->uid);
  return copy;
}

void
imu_event_free (ImuEvent *event)
{
  if (event == NULL)
    return;
  g_free (event->kind);
  g_free (event->label);
  g_free (event->payload_json);
  g_free (event->uid);
  g_free (event);
}

char *
imu_event_make_uid (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *uid = g_string_sized_new (32);

  for (const char *p = uuid; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (uid, *p);
  return g_string_free (uid, FALSE);
}

gboolean
imu_store_add_event (ImuStore *self, ImuEvent *event, GError **error)
{
  gint64 now = g_get_real_time ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  end_reads (self);
  g_return_val_if_fail (event != NULL, FALSE);

  if (!(stmt = imu_store_prepare (self,
                                  "INSERT INTO events (session_id, t_ns, duration_ns, kind, label, payload, created_us, "
                                  "uid, updated_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", error)))
    return FALSE;
  if (event->uid == NULL)
    event->uid = imu_event_make_uid ();
  if (event->updated_us <= 0)
    event->updated_us = now;
  sqlite3_bind_int64 (stmt, 1, event->session_id);
  sqlite3_bind_int64 (stmt, 2, event->t_ns);
  sqlite3_bind_int64 (stmt, 3, event->duration_ns);
  sqlite3_bind_text (stmt, 4, event->kind != NULL ? event->kind : "marker", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, event->label != NULL ? event->label : "", -1, SQLITE_TRANSIENT);
  if (event->payload_json != NULL)
    sqlite3_bind_text (stmt, 6, event->payload_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, now);
  sqlite3_bind_text (stmt, 8, event->uid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 9, event->updated_us);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        {
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                       _("There is no session %" PRId64 " in %s."), event->session_id, self->path);
          return FALSE;
        }
      return imu_store_fail (self, rc, "adding an event", error);
    }
  event->id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

gboolean
imu_store_update_event (ImuStore *self, const ImuEvent *event, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  end_reads (self);
  g_return_val_if_fail (event != NULL, FALSE);

  if (!(stmt = imu_store_prepare (self,
                                  "UPDATE events SET t_ns = ?, duration_ns = ?, kind = ?, label = ?, payload = ?, "
                                  "updated_us = MAX (updated_us + 1, ?7) WHERE id = ?6",
                                  error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event->t_ns);
  sqlite3_bind_int64 (stmt, 2, event->duration_ns);
  sqlite3_bind_text (stmt, 3, event->kind != NULL ? event->kind : "marker", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, event->label != NULL ? event->label : "", -1, SQLITE_TRANSIENT);
  if (event->payload_json != NULL)
    sqlite3_bind_text (stmt, 5, event->payload_json, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, event->id);
  sqlite3_bind_int64 (stmt, 7, g_get_real_time ());
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "saving an event", error);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no event %" PRId64 " in %s."), event->id, self->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
imu_store_delete_event (ImuStore *self, gint64 event_id, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  end_reads (self);

  /* The tombstone keeps a merge with another library's copy from bringing
   * the event back (docs/sync.md). */
  if (!(stmt = imu_store_prepare (self, "INSERT OR REPLACE INTO event_tombstones (session_id, uid, deleted_us) "
                                        "SELECT session_id, uid, ?2 FROM events WHERE id = ?1 AND uid IS NOT NULL", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event_id);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "deleting an event", error);
  if (!(stmt = imu_store_prepare (self, "DELETE FROM events WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, event_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "deleting an event", error);
  if (sqlite3_changes (self->db) == 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no event %" PRId64 " in %s."), event_id, self->path);
      return FALSE;
    }
  return TRUE;
}

gboolean
imu_store_touch_session (ImuStore *self, gint64 session_id, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  end_reads (self);

  if (!(stmt = imu_store_prepare (self, "UPDATE sessions SET updated_us = MAX(updated_us + 1, ?) WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 2, session_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "marking a session changed", error);
  return TRUE;
}

GPtrArray *
imu_store_list_events (ImuStore *self, gint64 session_id, GError **error)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), NULL);

  if (!(stmt = imu_store_prepare (self,
                                  "SELECT id, session_id, t_ns, duration_ns, kind, label, payload, uid, updated_us FROM events "
                                  "WHERE session_id = ? ORDER BY t_ns, id", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ImuEvent *event = imu_event_new (sqlite3_column_int64 (stmt, 2), col_text (stmt, 4), col_text (stmt, 5));

      event->id = sqlite3_column_int64 (stmt, 0);
      event->session_id = sqlite3_column_int64 (stmt, 1);
      event->duration_ns = sqlite3_column_int64 (stmt, 3);
      if (sqlite3_column_type (stmt, 6) != SQLITE_NULL)
        event->payload_json = g_strdup (col_text (stmt, 6));
      if (sqlite3_column_type (stmt, 7) != SQLITE_NULL)
        event->uid = g_strdup (col_text (stmt, 7));
      event->updated_us = sqlite3_column_int64 (stmt, 8);
      g_ptr_array_add (events, event);
    }
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (self, rc, "listing events", error);
      return NULL;
    }
  return g_steal_pointer (&events);
}

/* ---- import audits ---- */

void
imu_import_audit_free (ImuImportAudit *audit)
{
  if (audit == NULL)
    return;
  g_free (audit->path);
  g_free (audit->sha256);
  g_free (audit->format);
  g_free (audit->delimiter);
  g_free (audit->issues_json);
  g_free (audit->error);
  g_free (audit);
}

ImuImportAudit *
imu_import_audit_copy (const ImuImportAudit *audit)
{
  ImuImportAudit *copy = g_memdup2 (audit, sizeof *audit);

  copy->path = g_strdup (audit->path);
  copy->sha256 = g_strdup (audit->sha256);
  copy->format = g_strdup (audit->format);
  copy->delimiter = g_strdup (audit->delimiter);
  copy->issues_json = g_strdup (audit->issues_json);
  copy->error = g_strdup (audit->error);
  return copy;
}

gboolean
imu_store_add_import_audit (ImuStore *self, ImuImportAudit *audit, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);
  end_reads (self);

  if (audit->created_us == 0)
    audit->created_us = g_get_real_time ();
  if (!(stmt = imu_store_prepare (self,
                                  "INSERT INTO imports (session_id, path, sha256, bytes, rows, format, delimiter, utf8_valid, "
                                  "duration_s, issues, error, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                  error)))
    return FALSE;
  if (audit->session_id > 0)
    sqlite3_bind_int64 (stmt, 1, audit->session_id);
  sqlite3_bind_text (stmt, 2, audit->path != NULL ? audit->path : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, audit->sha256 != NULL ? audit->sha256 : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, audit->bytes);
  sqlite3_bind_int64 (stmt, 5, audit->rows);
  sqlite3_bind_text (stmt, 6, audit->format != NULL ? audit->format : "", -1, SQLITE_TRANSIENT);
  if (audit->delimiter != NULL)
    sqlite3_bind_text (stmt, 7, audit->delimiter, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 8, audit->utf8_valid ? 1 : 0);
  sqlite3_bind_double (stmt, 9, audit->duration_s);
  sqlite3_bind_text (stmt, 10, audit->issues_json != NULL ? audit->issues_json : "{}", -1, SQLITE_TRANSIENT);
  if (audit->error != NULL)
    sqlite3_bind_text (stmt, 11, audit->error, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 12, audit->created_us);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (self, rc, "recording the import", error);
  audit->id = sqlite3_last_insert_rowid (self->db);
  return TRUE;
}

GPtrArray *
imu_store_list_import_audits (ImuStore *self, gint64 session_id, GError **error)
{
  g_autoptr(GPtrArray) audits = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_import_audit_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), NULL);

  if (!(stmt = imu_store_prepare (self,
                                  "SELECT id, coalesce(session_id, 0), path, sha256, bytes, rows, format, delimiter, utf8_valid, "
                                  "duration_s, issues, error, created_us FROM imports WHERE (?1 = 0 OR session_id = ?1) "
                                  "ORDER BY id", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ImuImportAudit *a = g_new0 (ImuImportAudit, 1);

      a->id = sqlite3_column_int64 (stmt, 0);
      a->session_id = sqlite3_column_int64 (stmt, 1);
      a->path = g_strdup (col_text (stmt, 2));
      a->sha256 = g_strdup (col_text (stmt, 3));
      a->bytes = sqlite3_column_int64 (stmt, 4);
      a->rows = sqlite3_column_int64 (stmt, 5);
      a->format = g_strdup (col_text (stmt, 6));
      a->delimiter = sqlite3_column_type (stmt, 7) == SQLITE_NULL ? NULL : g_strdup (col_text (stmt, 7));
      a->utf8_valid = sqlite3_column_int (stmt, 8) != 0;
      a->duration_s = sqlite3_column_double (stmt, 9);
      a->issues_json = g_strdup (col_text (stmt, 10));
      a->error = sqlite3_column_type (stmt, 11) == SQLITE_NULL ? NULL : g_strdup (col_text (stmt, 11));
      a->created_us = sqlite3_column_int64 (stmt, 12);
      g_ptr_array_add (audits, a);
    }
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (self, rc, "listing imports", error);
      return NULL;
    }
  return g_steal_pointer (&audits);
}

gint64
imu_store_find_session_by_sha256 (ImuStore *self, const char *sha256, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), 0);

  /* Sessions keep the sha256 of their origin; the audit table remembers every
   * successful import, including bundles re-imported under the same uuid.
   * A session in the trash holds nothing: its bytes may come in again. */
  if (!(stmt = imu_store_prepare (self,
                                  "SELECT id FROM sessions WHERE origin_sha256 = ?1 AND trashed_us IS NULL UNION ALL "
                                  "SELECT i.session_id FROM imports i JOIN sessions s ON s.id = i.session_id "
                                  "WHERE i.sha256 = ?1 AND s.trashed_us IS NULL "
                                  "LIMIT 1", error)))
    return 0;
  sqlite3_bind_text (stmt, 1, sha256, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return imu_store_fail (self, rc, "looking for a duplicate", error), 0;
  sqlite3_reset (stmt);
  return id;
}

/* ---- check ---- */

static void
problem (GPtrArray *problems, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
problem (GPtrArray *problems, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (problems, g_strdup_vprintf (format, args));
  va_end (args);
}


gboolean
imu_store_check (ImuStore      *self,
                 GPtrArray    **problems_out,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), FALSE);

  if (!(stmt = imu_store_prepare (self, "PRAGMA integrity_check", error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    if (g_strcmp0 (col_text (stmt, 0), "ok") != 0)
      problem (problems, "integrity_check: %s", col_text (stmt, 0));
  if (rc != SQLITE_DONE)
    return imu_store_fail (self, rc, "integrity_check", error);

  if (!(stmt = imu_store_prepare (self, "PRAGMA foreign_key_check", error)))
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    problem (problems, _("foreign key: a row of %s refers to a missing row of %s"),
             col_text (stmt, 0), col_text (stmt, 2));
  if (rc != SQLITE_DONE)
    return imu_store_fail (self, rc, "foreign_key_check", error);

  {
    g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
    g_autoptr(GArray) n_chunks = g_array_new (FALSE, FALSE, sizeof (gint64));

    if (!(stmt = imu_store_prepare (self, "SELECT id, n_chunks FROM streams ORDER BY id", error)))
      return FALSE;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
      {
        gint64 id = sqlite3_column_int64 (stmt, 0), nc = sqlite3_column_int64 (stmt, 1);
        g_array_append_val (ids, id);
        g_array_append_val (n_chunks, nc);
      }
    if (rc != SQLITE_DONE)
      return imu_store_fail (self, rc, "listing streams", error);

    for (guint i = 0; i < ids->len; i++)
      {
        g_autoptr(ImuStreamInfo) info = imu_store_load_stream (self, g_array_index (ids, gint64, i), error);

        if (info == NULL)
          return FALSE;
        if (!imu_chunk_check (self, info, g_array_index (n_chunks, gint64, i), problems, cancellable, error))
          return FALSE;
        if (!imu_lod_check (self, info, problems, cancellable, error))
          return FALSE;
      }
  }

  if (problems_out != NULL)
    *problems_out = g_ptr_array_ref (problems);
  return problems->len == 0;
}
