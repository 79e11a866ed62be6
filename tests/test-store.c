/* test-store.c — the library file, the stream writer, series and envelopes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-store"

#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "imu-core.h"
#include "imu-test-util.h"

static void
sql_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *err = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &err) != SQLITE_OK)
    g_error ("%s: %s", sql, err);
  sqlite3_close (db);
}

static gint64
sql_int (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

static void
test_open_new (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_cmpint (imu_store_get_version (store), ==, imu_store_schema_version ());
  g_assert_cmpint (imu_store_schema_version (), >=, 1);
  g_clear_object (&store);
  /* 0x494D5553 = "IMUS" */
  g_assert_cmpint (sql_int (path, "PRAGMA application_id"), ==, 1229804883);
  g_assert_cmpint (sql_int (path, "SELECT max(version) FROM schema_migrations"), ==, imu_store_schema_version ());
  g_assert_cmpstr (sql_int (path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                  "('sessions','devices','streams','channels','chunks','lod','events','calibration','imports')") == 9
                   ? "ok" : "missing tables", ==, "ok");
  /* WAL is a property of the file */
  {
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;

    sqlite3_open (path, &db);
    sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &stmt, NULL);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "wal");
    sqlite3_finalize (stmt);
    sqlite3_close (db);
  }
  /* opening again applies nothing new */
  {
    gint64 applied = sql_int (path, "SELECT count(*) FROM schema_migrations");

    g_assert_cmpint (applied, >=, 1);
    store = imu_store_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpint (sql_int (path, "SELECT count(*) FROM schema_migrations"), ==, applied);
  }
}

static void
test_open_newer_schema (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autofree char *before = NULL, *after = NULL;

  g_assert_no_error (error);
  g_clear_object (&store);
  sql_exec (path, "INSERT INTO schema_migrations (version, name, applied_us) VALUES (9999, '9999-future.sql', 1);"
                  "PRAGMA wal_checkpoint(TRUNCATE);");
  before = imu_test_sha256_file (path);
  store = imu_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NEWER_SCHEMA);
  g_assert_nonnull (strstr (error->message, "9999"));
  after = imu_test_sha256_file (path);
  g_assert_cmpstr (before, ==, after);
}

/* Several connections open the same new library at once (the window, its
 * sync controller and an import started from the command line): each one
 * either creates it or finds it being created, and every one opens it.
 * Before the fix, one in about forty rounds under load said "an SQLite
 * database of another program" (it read the application id before another
 * connection's first migration committed and the tables after) or
 * "database is locked" (switching to WAL). A race: this test fails by
 * chance when the bug is back, so it runs many rounds. */
#define OPENERS 4
#define ROUNDS  32

typedef struct {
  char   *path;
  GMutex  lock;
  GCond   cond;
  int     waiting;
  int     round;
  GError *errors[OPENERS];
} OpenRace;

static OpenRace race;

static gpointer
open_race_thread (gpointer data)
{
  int i = GPOINTER_TO_INT (data);
  ImuStore *store;
  int round;

  /* All start together. */
  g_mutex_lock (&race.lock);
  round = race.round;
  if (++race.waiting == OPENERS)
    g_cond_broadcast (&race.cond);
  while (race.waiting < OPENERS && race.round == round)
    g_cond_wait (&race.cond, &race.lock);
  g_mutex_unlock (&race.lock);

  store = imu_store_open (race.path, &race.errors[i]);
  if (store != NULL)
    {
      g_assert_cmpint (imu_store_get_version (store), ==, imu_store_schema_version ());
      g_object_unref (store);
    }
  return NULL;
}

static void
test_open_concurrently (void)
{
  g_autofree char *dir = imu_test_tmpdir ();

  g_mutex_init (&race.lock);
  g_cond_init (&race.cond);
  for (int r = 0; r < ROUNDS; r++)
    {
      GThread *threads[OPENERS];
      g_autofree char *name = g_strdup_printf ("library-%d.db", r);

      race.path = g_build_filename (dir, name, NULL);
      race.waiting = 0;
      race.round = r;
      for (int i = 0; i < OPENERS; i++)
        threads[i] = g_thread_new ("opener", open_race_thread, GINT_TO_POINTER (i));
      for (int i = 0; i < OPENERS; i++)
        g_thread_join (threads[i]);
      for (int i = 0; i < OPENERS; i++)
        {
          if (race.errors[i] != NULL)
            g_test_message ("round %d, opener %d: %s", r, i, race.errors[i]->message);
          g_assert_no_error (race.errors[i]);
        }
      g_assert_cmpint (sql_int (race.path, "PRAGMA application_id"), ==, 1229804883);
      g_assert_cmpint (sql_int (race.path, "SELECT count(*) FROM schema_migrations"), ==,
                       imu_store_schema_version ());
      g_clear_pointer (&race.path, g_free);
    }
  g_mutex_clear (&race.lock);
  g_cond_clear (&race.cond);
}

static void
test_open_not_a_library (void)
{
  g_autofree char *text = imu_test_write_file ("notes.db", "hello, this is text\n", -1);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *other = g_build_filename (dir, "other.sqlite", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autofree char *before = NULL, *after = NULL;

  store = imu_store_open (text, &error);
  g_assert_null (store);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_A_LIBRARY);
  g_clear_error (&error);

  sql_exec (other, "CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');");
  before = imu_test_sha256_file (other);
  store = imu_store_open (other, &error);
  g_assert_null (store);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_A_LIBRARY);
  after = imu_test_sha256_file (other);
  g_assert_cmpstr (before, ==, after);
}

static ImuSession *
make_session (ImuStore *store, const char *title, const char *subject, gint64 start_ns)
{
  g_autoptr(GError) error = NULL;
  ImuSession *s = imu_session_new ();
  const char *tags[] = { "sprint", "Intervals", NULL };

  imu_session_set_title (s, title);
  imu_session_set_subject (s, subject);
  imu_session_set_activity (s, "running");
  imu_session_set_tags (s, tags);
  imu_session_set_notes (s, "windy day");
  g_object_set (s, "start-ns", start_ns, "end-ns", start_ns + 60 * G_GINT64_CONSTANT (1000000000),
                "device-vendor", "Axivity", "device-model", "AX6", "device-serial", "12345", NULL);
  imu_store_insert_session (store, s, &error);
  g_assert_no_error (error);
  return s;
}

static void
test_session_crud (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) a = make_session (store, "Morning run", "Zoë", 1000);
  g_autoptr(ImuSession) b = make_session (store, "Track day", "Ben", 2000);
  g_autoptr(ImuSession) loaded = NULL;
  g_autoptr(GPtrArray) list = NULL;

  g_assert_cmpint (imu_session_get_id (a), >, 0);
  g_assert_cmpint (strlen (imu_session_get_uuid (a)), ==, 36);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 2);

  loaded = imu_store_load_session (store, imu_session_get_id (a), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_title (loaded), ==, "Morning run");
  g_assert_cmpstr (imu_session_get_subject (loaded), ==, "Zoë");
  g_assert_cmpstr (imu_session_get_tags (loaded)[1], ==, "Intervals");
  g_assert_null (imu_session_get_tags (loaded)[2]);
  g_assert_cmpstr (imu_session_get_device_model (loaded), ==, "AX6");
  g_assert_cmpint (imu_session_get_duration_ns (loaded), ==, 60 * G_GINT64_CONSTANT (1000000000));
  /* both sessions share one device row */
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM devices"), ==, 1);

  /* edit and save */
  imu_session_set_title (loaded, "Morning run (edited)");
  imu_store_update_session (store, loaded, &error);
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = imu_store_load_session (store, imu_session_get_id (a), &error);
  g_assert_cmpstr (imu_session_get_title (loaded), ==, "Morning run (edited)");

  /* search is case-insensitive beyond ASCII, across fields */
  list = imu_store_list_sessions (store, "ZOË", IMU_SESSION_SORT_DATE_DESC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = imu_store_list_sessions (store, "intervals", IMU_SESSION_SORT_DATE_DESC, &error);
  g_assert_cmpuint (list->len, ==, 2);
  /* newest first */
  g_assert_cmpstr (imu_session_get_title (g_ptr_array_index (list, 0)), ==, "Track day");
  g_clear_pointer (&list, g_ptr_array_unref);
  list = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_TITLE, &error);
  g_assert_cmpstr (imu_session_get_title (g_ptr_array_index (list, 0)), ==, "Morning run (edited)");

  /* resolve by id and uuid prefix */
  g_assert_cmpint (imu_store_resolve_session (store, "2", &error), ==, imu_session_get_id (b));
  {
    char prefix[9];
    g_strlcpy (prefix, imu_session_get_uuid (b), sizeof prefix);
    g_assert_cmpint (imu_store_resolve_session (store, prefix, &error), ==, imu_session_get_id (b));
  }
  g_assert_cmpint (imu_store_resolve_session (store, "zzzz", &error), ==, 0);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* delete */
  imu_store_delete_session (store, imu_session_get_id (a), &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 1);
  imu_store_delete_session (store, imu_session_get_id (a), &error);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
}

/* A deleted session's id is never given to another session, not even when
 * it was the newest (SQLite's default rowid is max + 1). */
static void
test_session_ids_never_reused (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) a = make_session (store, "one", "A", 1000);
  g_autoptr(ImuSession) b = make_session (store, "two", "B", 2000);
  g_autoptr(ImuSession) c = NULL;
  g_autoptr(ImuSession) d = NULL;

  g_assert_cmpint (imu_session_get_id (a), ==, 1);
  g_assert_cmpint (imu_session_get_id (b), ==, 2);
  g_assert_true (imu_store_delete_session (store, 2, &error));
  c = make_session (store, "three", "C", 3000);
  g_assert_cmpint (imu_session_get_id (c), ==, 3);
  /* And across connections and reopening. */
  g_assert_true (imu_store_delete_session (store, 3, &error));
  g_clear_object (&store);
  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  d = make_session (store, "four", "D", 4000);
  g_assert_cmpint (imu_session_get_id (d), ==, 4);
}

static char *
read_migration (const char *name)
{
  g_autofree char *file = imu_test_src_file (name);
  g_autoptr(GError) error = NULL;
  char *sql = NULL;

  g_file_get_contents (file, &sql, NULL, &error);
  g_assert_no_error (error);
  return sql;
}

/* A library written at schema 3 (the last release before session ids
 * stopped being reused) keeps every row and reference through migration
 * 4, and its next session id follows the highest one. */
static void
test_migrate_session_ids (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) next = NULL;
  g_autofree char *m1 = read_migration ("../src/core/store/migrations/0001-initial.sql");
  g_autofree char *m2 = read_migration ("../src/core/store/migrations/0002-profiles.sql");
  g_autofree char *m3 = read_migration ("../src/core/store/migrations/0003-sync.sql");
  g_autofree char *schema3 = g_strconcat (
    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; BEGIN;",
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us INTEGER NOT NULL);",
    m1, m2, m3,
    "INSERT INTO schema_migrations VALUES (1, '0001-initial.sql', 1), (2, '0002-profiles.sql', 2), (3, '0003-sync.sql', 3);"
    "PRAGMA application_id = 1229804883;"
    "INSERT INTO devices (id, vendor, model, serial) VALUES (1, 'Axivity', 'AX3', '42');"
    "INSERT INTO sessions (id, uuid, title, device_id, start_ns, created_us, updated_us) VALUES"
    " (5, '00000000-0000-4000-8000-000000000005', 'five', 1, 10, 1, 1),"
    " (9, '00000000-0000-4000-8000-000000000009', 'nine', NULL, 20, 1, 1);"
    "INSERT INTO streams (id, session_id, name, n_channels) VALUES (1, 5, 'acc', 3), (2, 9, 'gyro', 3);"
    "INSERT INTO events (session_id, t_ns, kind, label, created_us) VALUES (9, 25, 'mark', 'sprint', 1);"
    "INSERT INTO imports (session_id, path, sha256, bytes, created_us) VALUES (5, '/tmp/five.csv', 'ab', 10, 1);"
    "COMMIT;", NULL);

  sql_exec (path, schema3);
  g_assert_cmpint (sql_int (path, "SELECT max(version) FROM schema_migrations"), ==, 3);

  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_get_version (store), >=, 4);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sessions"), ==, 2);
  g_assert_cmpint (sql_int (path, "SELECT device_id FROM sessions WHERE id = 5"), ==, 1);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM streams"), ==, 2);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM events WHERE session_id = 9"), ==, 1);
  g_assert_cmpint (sql_int (path, "SELECT session_id FROM imports"), ==, 5);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sqlite_schema WHERE name IN ('sessions_start', 'sessions_sha256')"), ==, 2);

  /* The references still cascade: deleting session 9 takes its stream and
   * its event along; the import audit of session 5 is kept with no session. */
  g_assert_true (imu_store_delete_session (store, 9, &error));
  g_assert_true (imu_store_delete_session (store, 5, &error));
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM streams"), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM events"), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM imports WHERE session_id IS NULL"), ==, 1);

  next = make_session (store, "ten", "T", 30);
  g_assert_cmpint (imu_session_get_id (next), ==, 10);
}

/* A library at schema 5 gains the saved comparisons (0006) and keeps its
 * sessions; a comparison goes with any of its sessions, never the other
 * way round. */
static void
test_migrate_comparisons (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autofree char *m1 = read_migration ("../src/core/store/migrations/0001-initial.sql");
  g_autofree char *m2 = read_migration ("../src/core/store/migrations/0002-profiles.sql");
  g_autofree char *m3 = read_migration ("../src/core/store/migrations/0003-sync.sql");
  g_autofree char *m4 = read_migration ("../src/core/store/migrations/0004-session-ids.sql");
  g_autofree char *m5 = read_migration ("../src/core/store/migrations/0005-trash.sql");
  g_autofree char *schema5 = g_strconcat (
    "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF; BEGIN;",
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us INTEGER NOT NULL);",
    m1, m2, m3, m4, m5,
    "INSERT INTO schema_migrations VALUES (1, '0001-initial.sql', 1), (2, '0002-profiles.sql', 2),"
    " (3, '0003-sync.sql', 3), (4, '0004-session-ids.sql', 4), (5, '0005-trash.sql', 5);"
    "PRAGMA application_id = 1229804883;"
    "INSERT INTO sessions (id, uuid, title, start_ns, created_us, updated_us) VALUES"
    " (3, '00000000-0000-4000-8000-000000000003', 'three', 10, 1, 1),"
    " (4, '00000000-0000-4000-8000-000000000004', 'four', 20, 1, 1),"
    " (6, '00000000-0000-4000-8000-000000000006', 'six', 30, 1, 1);"
    "COMMIT;", NULL);

  sql_exec (path, schema5);
  g_assert_cmpint (sql_int (path, "SELECT max(version) FROM schema_migrations"), ==, 5);

  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_get_version (store), >=, 6);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM schema_migrations WHERE version = 6 AND name = '0006-comparisons.sql'"), ==, 1);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sessions"), ==, 3);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                  "('comparisons', 'comparison_members', 'comparison_members_session', "
                                  "'comparisons_session_deleted')"), ==, 4);

  sql_exec (path, "PRAGMA foreign_keys = ON;"
                  "INSERT INTO comparisons (id, uuid, title, created_us, updated_us) VALUES"
                  " (1, '10000000-0000-4000-8000-000000000001', 'three and four', 1, 1),"
                  " (2, '10000000-0000-4000-8000-000000000002', 'four and six', 1, 1);"
                  "INSERT INTO comparison_members VALUES (1, 0, 3, NULL, 0), (1, 1, 4, 'acc', -5),"
                  " (2, 0, 4, NULL, 0), (2, 1, 6, NULL, 7);");
  /* A fifth member, or a member that is no session, is refused. */
  {
    sqlite3 *db = NULL;

    g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
    sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO comparison_members VALUES (1, 4, 6, NULL, 0)", NULL, NULL, NULL),
                     ==, SQLITE_CONSTRAINT);
    g_assert_cmpint (sqlite3_exec (db, "INSERT INTO comparison_members VALUES (1, 2, 99, NULL, 0)", NULL, NULL, NULL),
                     ==, SQLITE_CONSTRAINT);
    sqlite3_close (db);
  }

  /* Deleting session 6 deletes comparison 2 and keeps comparison 1. */
  g_assert_true (imu_store_delete_session (store, 6, &error));
  g_assert_no_error (error);
  g_assert_cmpint (sql_int (path, "SELECT group_concat(id) FROM comparisons"), ==, 1);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM comparison_members"), ==, 2);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sessions"), ==, 2);
  /* Deleting the comparison keeps its sessions. */
  sql_exec (path, "PRAGMA foreign_keys = ON; DELETE FROM comparisons WHERE id = 1;");
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM comparison_members"), ==, 0);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM sessions"), ==, 2);
}

static void
test_events (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) s = make_session (store, "Run", "A", 0);
  g_autoptr(ImuEvent) e1 = imu_event_new (5000, "marker", "Start");
  g_autoptr(ImuEvent) e2 = imu_event_new (1000, "note", "Before");
  g_autoptr(GPtrArray) events = NULL;

  e1->session_id = e2->session_id = imu_session_get_id (s);
  e2->payload_json = g_strdup ("{\"by\":\"coach\"}");
  imu_store_add_event (store, e1, &error);
  g_assert_no_error (error);
  imu_store_add_event (store, e2, &error);
  g_assert_no_error (error);

  events = imu_store_list_events (store, imu_session_get_id (s), &error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 0))->label, ==, "Before");
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 0))->payload_json, ==, "{\"by\":\"coach\"}");
  g_clear_pointer (&events, g_ptr_array_unref);

  g_free (e1->label);
  e1->label = g_strdup ("Start of interval");
  e1->t_ns = 500;
  imu_store_update_event (store, e1, &error);
  g_assert_no_error (error);
  events = imu_store_list_events (store, imu_session_get_id (s), &error);
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 0))->label, ==, "Start of interval");
  g_clear_pointer (&events, g_ptr_array_unref);

  imu_store_delete_event (store, e2->id, &error);
  g_assert_no_error (error);
  events = imu_store_list_events (store, imu_session_get_id (s), &error);
  g_assert_cmpuint (events->len, ==, 1);

  /* deleting the session deletes its events */
  imu_store_delete_session (store, imu_session_get_id (s), &error);
  g_assert_cmpint (sql_int (path, "SELECT count(*) FROM events"), ==, 0);
}

/* Deterministic test data: times with jitter and a gap, values with a few
 * specials (NaN, -0.0, ±Inf are stored exactly; envelopes skip NaN). */
typedef struct {
  gsize    n;
  guint    n_channels;
  gint64  *t;
  double **cols;
} Data;

static void
data_free (Data *d)
{
  for (guint c = 0; c < d->n_channels; c++)
    g_free (d->cols[c]);
  g_free (d->cols);
  g_free (d->t);
  g_free (d);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Data, data_free)

static Data *
make_data (gsize n, guint n_channels, guint32 seed, gboolean specials)
{
  Data *d = g_new0 (Data, 1);
  GRand *rand = g_rand_new_with_seed (seed);
  gint64 t = G_GINT64_CONSTANT (1700000000000000000);

  d->n = n;
  d->n_channels = n_channels;
  d->t = g_new (gint64, n);
  d->cols = g_new (double *, n_channels);
  for (guint c = 0; c < n_channels; c++)
    d->cols[c] = g_new (double, n);
  for (gsize i = 0; i < n; i++)
    {
      t += 10000000 + g_rand_int_range (rand, -20000, 20000);
      if (i == n / 3)
        t += G_GINT64_CONSTANT (5000000000);  /* a 5 s gap */
      d->t[i] = t;
      for (guint c = 0; c < n_channels; c++)
        {
          /* values with 5 decimals, as a CSV would give */
          double v = (double) g_rand_int_range (rand, -200000, 200000) / 1e5 + (c == 2 ? 1.0 : 0.0);
          d->cols[c][i] = v;
        }
      if (specials && i % 997 == 5)
        d->cols[0][i] = NAN;
      if (specials && i % 1999 == 7)
        d->cols[1][i] = -0.0;
      if (specials && i == 12345 % n)
        d->cols[1][i] = INFINITY;
    }
  g_rand_free (rand);
  return d;
}

static gint64
write_stream (ImuStore *store, gint64 session_id, const Data *d, gboolean flush_often)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("accelerometer", d->n_channels);
  g_autoptr(ImuStreamWriter) w = NULL;
  double *row = g_newa (double, d->n_channels);
  const char *names[] = { "x", "y", "z", "a", "b", "c" };

  info->session_id = session_id;
  info->nominal_rate_hz = 100;
  for (guint c = 0; c < d->n_channels; c++)
    imu_stream_info_set_channel (info, c, names[c % 6], "g", "accel");
  imu_store_begin (store, &error);
  g_assert_no_error (error);
  w = imu_stream_writer_new (store, info, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < d->n_channels; c++)
    imu_stream_writer_set_decimals (w, c, 5);
  for (gsize i = 0; i < d->n; i++)
    {
      for (guint c = 0; c < d->n_channels; c++)
        row[c] = d->cols[c][i];
      imu_stream_writer_append (w, d->t[i], row, &error);
      g_assert_no_error (error);
      if (flush_often && i % 777 == 0)
        {
          imu_stream_writer_flush (w, &error);
          g_assert_no_error (error);
        }
    }
  imu_stream_writer_finish (w, &error);
  g_assert_no_error (error);
  imu_store_commit (store, &error);
  g_assert_no_error (error);
  return imu_stream_writer_get_stream_id (w);
}

static void
assert_same_bits (double a, double b, gsize i)
{
  if (memcmp (&a, &b, sizeof a) != 0)
    g_error ("sample %" G_GSIZE_FORMAT ": %.17g != %.17g", i, a, b);
}

static void
check_roundtrip (gboolean flush_often)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) s = make_session (store, "Run", "A", 0);
  g_autoptr(Data) d = make_data (10007, 3, 42, TRUE);
  gint64 stream_id = write_stream (store, imu_session_get_id (s), d, flush_often);
  g_autoptr(ImuSeries) series = NULL;
  g_autofree gint64 *t = g_new (gint64, d->n);
  double *cols[3];
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(ImuStore) other = NULL;

  for (guint c = 0; c < 3; c++)
    cols[c] = g_new (double, d->n);
  series = imu_series_new (store, stream_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_series_get_n_samples (series), ==, 10007);
  g_assert_cmpint (imu_series_get_t_first (series), ==, d->t[0]);
  g_assert_cmpint (imu_series_get_t_last (series), ==, d->t[d->n - 1]);
  g_assert_cmpuint (imu_series_get_n_chunks (series), ==, 3); /* 4096 + 4096 + 1815 */
  g_assert_cmpint (imu_series_get_decimals (series, 0), ==, 5);
  g_assert_cmpint (imu_series_read (series, 0, (gint64) d->n, t, cols, &error), ==, 10007);
  g_assert_no_error (error);
  for (gsize i = 0; i < d->n; i++)
    {
      g_assert_cmpint (t[i], ==, d->t[i]);
      for (guint c = 0; c < 3; c++)
        assert_same_bits (cols[c][i], d->cols[c][i], i);
    }
  /* a range across a chunk border */
  g_assert_cmpint (imu_series_read (series, 4000, 200, t, cols, &error), ==, 200);
  g_assert_cmpint (t[0], ==, d->t[4000]);
  g_assert_cmpint (t[199], ==, d->t[4199]);
  /* past the end is clamped */
  g_assert_cmpint (imu_series_read (series, 10000, 100, t, NULL, &error), ==, 7);

  /* index at time */
  g_assert_cmpint (imu_series_index_at_time (series, d->t[5000], &error), ==, 5000);
  g_assert_cmpint (imu_series_index_at_time (series, d->t[5000] + 1, &error), ==, 5001);
  g_assert_cmpint (imu_series_index_at_time (series, 0, &error), ==, 0);
  g_assert_cmpint (imu_series_index_at_time (series, G_MAXINT64, &error), ==, 10007);

  g_assert_true (imu_store_check (store, &problems, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);

  /* another connection sees the same */
  other = imu_store_open (path, &error);
  g_assert_no_error (error);
  g_clear_pointer (&series, imu_series_free);
  series = imu_series_new (other, stream_id, &error);
  g_assert_cmpint (imu_series_get_n_samples (series), ==, 10007);
  for (guint c = 0; c < 3; c++)
    g_free (cols[c]);
}

static void test_stream_roundtrip (void) { check_roundtrip (FALSE); }
static void test_stream_roundtrip_flushed (void) { check_roundtrip (TRUE); }

/* The envelope of every bucket equals the min/max over exactly the samples
 * it says it holds; buckets partition the window's samples in order. */
static void
test_envelope_brute_force (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) s = make_session (store, "Long", "A", 0);
  g_autoptr(Data) d = make_data (300001, 2, 7, TRUE);
  gint64 stream_id = write_stream (store, imu_session_get_id (s), d, FALSE);
  g_autoptr(ImuSeries) series = imu_series_new (store, stream_id, &error);
  GRand *rand = g_rand_new_with_seed (99);
  gint64 span = d->t[d->n - 1] - d->t[0];
  guint levels_seen = 0;

  for (guint iter = 0; iter < 300; iter++)
    {
      double frac = pow (10, g_rand_double_range (rand, -5, 0.1));
      gint64 width = MAX (1000, (gint64) (frac * (double) span));
      gint64 t0 = d->t[0] - span / 20 + (gint64) (g_rand_double (rand) * (double) (span + span / 10));
      gint64 t1 = t0 + width;
      guint n = (guint) g_rand_int_range (rand, 1, 2500);
      g_autoptr(ImuEnvelope) env = imu_series_envelope (series, t0, t1, n, &error);
      gint64 i0 = 0, i1 = 0, expect_next;

      g_assert_no_error (error);
      levels_seen |= 1u << env->level;
      /* window's sample range, brute force */
      while (i0 < (gint64) d->n && d->t[i0] < t0)
        i0++;
      i1 = i0;
      while (i1 < (gint64) d->n && d->t[i1] < t1)
        i1++;
      expect_next = i0;
      for (guint b = 0; b < n; b++)
        {
          if (env->i_first[b] > env->i_last[b])
            continue;
          g_assert_cmpint (env->i_first[b], ==, expect_next);
          expect_next = env->i_last[b] + 1;
          g_assert_cmpint (env->t_first[b], ==, d->t[env->i_first[b]]);
          g_assert_cmpint (env->t_last[b], ==, d->t[env->i_last[b]]);
          /* the bucket's first sample lies in its own time slice */
          {
            double rel = (double) (env->t_first[b] - t0);
            double lo = (double) b * (double) (t1 - t0) / n;
            double hi = (double) (b + 1) * (double) (t1 - t0) / n;
            double slack = 1e-9 * (double) (t1 - t0) + 1;
            g_assert_cmpfloat (rel, >=, lo - slack);
            g_assert_cmpfloat (rel, <, hi + slack);
          }
          for (guint c = 0; c < 2; c++)
            {
              double mn = NAN, mx = NAN;

              for (gint64 i = env->i_first[b]; i <= env->i_last[b]; i++)
                {
                  double v = d->cols[c][i];
                  if (isnan (v))
                    continue;
                  if (isnan (mn) || v < mn)
                    mn = v;
                  if (isnan (mx) || v > mx)
                    mx = v;
                }
              if (isnan (mn))
                g_assert_true (isnan (env->min[c][b]));
              else
                {
                  g_assert_cmpfloat (env->min[c][b], ==, mn);
                  g_assert_cmpfloat (env->max[c][b], ==, mx);
                }
            }
        }
      g_assert_cmpint (expect_next, ==, i1);
    }
  /* raw samples and at least two LOD levels were exercised */
  g_assert_true (levels_seen & 1);
  g_assert_cmpint (__builtin_popcount (levels_seen), >=, 3);
  g_rand_free (rand);
}

static void
test_rollback (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) s = imu_session_new ();

  imu_store_begin (store, &error);
  imu_store_insert_session (store, s, &error);
  g_assert_no_error (error);
  /* nested */
  imu_store_begin (store, &error);
  imu_store_rollback (store);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 1);
  imu_store_rollback (store);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 0);
}

static void
test_check_finds_problems (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) s = make_session (store, "Run", "A", 0);
  g_autoptr(Data) d = make_data (9000, 3, 5, FALSE);
  g_autoptr(GPtrArray) problems = NULL;

  write_stream (store, imu_session_get_id (s), d, FALSE);
  g_clear_object (&store);
  sql_exec (path, "UPDATE streams SET n_samples = n_samples + 1; DELETE FROM lod WHERE level = 1 AND seq = 0;");
  store = imu_store_open (path, &error);
  g_assert_false (imu_store_check (store, &problems, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, >=, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/store/open/new", test_open_new);
  g_test_add_func ("/core/store/open/newer-schema", test_open_newer_schema);
  g_test_add_func ("/core/store/open/not-a-library", test_open_not_a_library);
  g_test_add_func ("/core/store/open/concurrently", test_open_concurrently);
  g_test_add_func ("/core/store/session/crud", test_session_crud);
  g_test_add_func ("/core/store/events", test_events);
  g_test_add_func ("/core/store/session/ids-never-reused", test_session_ids_never_reused);
  g_test_add_func ("/core/store/migrate/session-ids", test_migrate_session_ids);
  g_test_add_func ("/core/store/migrate/comparisons", test_migrate_comparisons);
  g_test_add_func ("/core/store/transaction/rollback", test_rollback);
  g_test_add_func ("/core/store/stream/roundtrip", test_stream_roundtrip);
  g_test_add_func ("/core/store/stream/roundtrip-flushed", test_stream_roundtrip_flushed);
  g_test_add_func ("/core/store/lod/envelope-brute-force", test_envelope_brute_force);
  g_test_add_func ("/core/store/check/finds-problems", test_check_finds_problems);

  return g_test_run ();
}
