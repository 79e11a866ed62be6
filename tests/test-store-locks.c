/* test-store-locks.c — a library stays whole when the process that holds it
 * open also opens and closes the library's files by other means, as GTK's
 * file chooser does when it sniffs the content type of the files it lists.
 *
 * POSIX record locks belong to the process, and closing any descriptor of a
 * file drops all of them (https://sqlite.org/howtocorrupt.html §2.2): the
 * next `imu` that closes the library then believes it is the last user and
 * deletes the WAL from under the window. These tests do exactly that and
 * check that committed writes stay visible to other processes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "imu-core.h"
#include "imu-test-util.h"

#ifndef IMU_CLI_PATH
#error "IMU_CLI_PATH must name the built imu executable"
#endif

/* What GIO's content-type sniffing does to a file: open, read its first
 * bytes, close. */
static void
sniff_file (const char *path)
{
  char buf[4096];
  int fd = open (path, O_RDONLY | O_CLOEXEC);

  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (read (fd, buf, sizeof buf), >=, 0);
  g_assert_cmpint (close (fd), ==, 0);
}

/* And what GTK's file chooser asks of GIO for every file it lists: the
 * content type, which GIO sniffs from the file's first bytes when the name
 * does not settle it. */
static void
query_content_type (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE, G_FILE_QUERY_INFO_NONE, NULL, &error);
  g_assert_no_error (error);
}

static void
sniff_library_files (const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);

      if (!g_file_test (file, G_FILE_TEST_EXISTS))
        continue;
      sniff_file (file);
      query_content_type (file);
    }
}

/* Runs `imu --library PATH list --json` in another process and returns the
 * titles it lists. */
static GPtrArray *
titles_seen_by_cli (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *titles = g_ptr_array_new_with_free_func (g_free);
  JsonNode *root;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           IMU_CLI_PATH, "--library", path, "list", "--json", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("imu list failed: %s", err);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (root)); i++)
    {
      JsonObject *o = json_array_get_object_element (json_node_get_array (root), i);
      g_ptr_array_add (titles, g_strdup (json_object_get_string_member (o, "title")));
    }
  return titles;
}

static gboolean
has_title (GPtrArray *titles, const char *title)
{
  for (guint i = 0; i < titles->len; i++)
    if (g_str_equal (g_ptr_array_index (titles, i), title))
      return TRUE;
  return FALSE;
}

static gint64
add_session (ImuStore *store, const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_session_new ();

  imu_session_set_title (s, title);
  g_assert_true (imu_store_insert_session (store, s, &error));
  g_assert_no_error (error);
  return imu_session_get_id (s);
}

static void
assert_library_files_exist (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (shm, G_FILE_TEST_EXISTS));
}

/* The reviewer's repro: the window holds the library, its file chooser
 * sniffs the library's files, `imu list` runs and exits, the window adds a
 * marker. The marker must be in the library for everyone. */
static void
test_foreign_close_then_cli (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;

  g_assert_no_error (error);
  add_session (store, "before the dialog");

  sniff_library_files (path);
  before = titles_seen_by_cli (path);
  g_assert_true (has_title (before, "before the dialog"));

  /* The other process must not have taken the WAL and its index away. */
  assert_library_files_exist (path);

  add_session (store, "after the dialog");
  after = titles_seen_by_cli (path);
  g_assert_true (has_title (after, "before the dialog"));
  g_assert_true (has_title (after, "after the dialog"));

  /* And after the window quits, both are in the file. */
  g_clear_object (&store);
  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 2);
}

/* Several connections of one process (the window's workers), one of them
 * closing in between; every write still lands for other processes. */
static void
test_foreign_close_several_connections (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) a = imu_store_open (path, &error);
  g_autoptr(ImuStore) b = NULL;
  g_autoptr(GPtrArray) seen = NULL;

  g_assert_no_error (error);
  b = imu_store_open (path, &error);
  g_assert_no_error (error);

  for (int round = 0; round < 3; round++)
    {
      g_autofree char *title = g_strdup_printf ("round %d", round);

      sniff_library_files (path);
      g_clear_pointer (&seen, g_ptr_array_unref);
      seen = titles_seen_by_cli (path);
      assert_library_files_exist (path);
      add_session (round % 2 ? a : b, title);
    }
  g_clear_object (&a);                  /* b stays open */
  sniff_library_files (path);
  g_clear_pointer (&seen, g_ptr_array_unref);
  seen = titles_seen_by_cli (path);
  assert_library_files_exist (path);
  add_session (b, "last");
  g_clear_pointer (&seen, g_ptr_array_unref);
  seen = titles_seen_by_cli (path);
  g_assert_cmpuint (seen->len, ==, 4);
  g_assert_true (has_title (seen, "round 0"));
  g_assert_true (has_title (seen, "round 2"));
  g_assert_true (has_title (seen, "last"));
}

/* When the last connection of the process closes, SQLite checkpoints and
 * removes the WAL and its index, so that library.db alone is the whole
 * library again (copying that one file copies everything). */
static void
test_last_close_cleans_up (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr(GError) error = NULL;
  ImuStore *a = imu_store_open (path, &error);
  ImuStore *b;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_no_error (error);
  b = imu_store_open (path, &error);
  g_assert_no_error (error);
  add_session (a, "one");
  add_session (b, "two");
  g_object_unref (a);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_object_unref (b);
  g_assert_false (g_file_test (wal, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (shm, G_FILE_TEST_EXISTS));

  /* The main file alone holds both sessions (read with SQLite directly,
   * in rollback-journal terms: no WAL beside it). */
  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM sessions", -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 2);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* Another process cannot delete the WAL even while this one has closed and
 * reopened connections many times after sniffs. */
static void
test_reopen_after_foreign_close (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) keeper = imu_store_open (path, &error);
  g_autoptr(GPtrArray) seen = NULL;

  g_assert_no_error (error);
  for (int i = 0; i < 5; i++)
    {
      g_autofree char *title = g_strdup_printf ("worker %d", i);
      g_autoptr(ImuStore) worker = imu_store_open (path, &error);

      g_assert_no_error (error);
      sniff_library_files (path);
      add_session (worker, title);
    }
  g_clear_pointer (&seen, g_ptr_array_unref);
  seen = titles_seen_by_cli (path);
  assert_library_files_exist (path);
  add_session (keeper, "keeper");
  g_clear_pointer (&seen, g_ptr_array_unref);
  seen = titles_seen_by_cli (path);
  g_assert_cmpuint (seen->len, ==, 6);
  g_assert_true (has_title (seen, "keeper"));
}

/* Holds the library's write lock from another process (the sqlite3 shell)
 * for @seconds; returns once it holds it. */
static GSubprocess *
hold_write_lock (const char *path, int seconds)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_strdup_printf ("BEGIN IMMEDIATE;\nUPDATE sessions SET title = title;\n"
                                             ".print locked\n.shell sleep %d\nCOMMIT;\n", seconds);
  GSubprocess *proc;
  GOutputStream *in;
  GDataInputStream *out;
  g_autofree char *line = NULL;

  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                           "sqlite3", path, NULL);
  g_assert_no_error (error);
  in = g_subprocess_get_stdin_pipe (proc);
  g_output_stream_write_all (in, script, strlen (script), NULL, NULL, &error);
  g_assert_no_error (error);
  g_output_stream_close (in, NULL, NULL);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "locked");
  g_object_unref (out);
  return proc;
}

typedef struct {
  guint  calls;
  char  *holder;
} Waited;

static void
waited_cb (ImuStore *store, const char *holder, gpointer data)
{
  Waited *w = data;

  w->calls++;
  g_free (w->holder);
  w->holder = g_strdup (holder);
}

static gboolean
have_sqlite3_shell (void)
{
  g_autofree char *exe = g_find_program_in_path ("sqlite3");

  if (exe == NULL)
    g_test_skip ("the sqlite3 shell is not installed (Debian package sqlite3)");
  return exe != NULL;
}

/* A write waits its turn behind another program's long transaction (an
 * import), is told once who holds the library, and lands when it commits.
 * It used to fail at once: a read the store had left open made SQLite
 * refuse to wait. */
static void
test_writer_waits (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(ImuSession) loaded = NULL;
  Waited w = { 0 };
  gint64 id, t0;

  g_assert_no_error (error);
  if (!have_sqlite3_shell ())
    return;
  id = add_session (store, "to delete");
  imu_store_set_wait_func (store, waited_cb, &w, NULL);
  holder = hold_write_lock (path, 2);

  t0 = g_get_monotonic_time ();
  loaded = imu_store_load_session (store, id, &error);   /* a read first, as `imu delete` does */
  g_assert_no_error (error);
  g_assert_true (imu_store_delete_session (store, id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, G_USEC_PER_SEC);
  g_assert_cmpuint (w.calls, ==, 1);
  g_assert_nonnull (w.holder);
  g_assert_true (g_str_has_prefix (w.holder, "process "));
  g_assert_nonnull (strstr (w.holder, "(sqlite3 "));
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 0);
  g_subprocess_wait (holder, NULL, NULL);
  g_free (w.holder);
}

static gboolean
cancel_cb (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static gpointer
cancel_later_worker (gpointer data)
{
  g_usleep (1500 * 1000);
  cancel_cb (data);
  return NULL;
}

/* Ctrl+C (the cancellable) stops the wait; nothing is written. */
static void
test_writer_wait_cancelled (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Waited w = { 0 };
  GThread *thread;
  gint64 id;

  g_assert_no_error (error);
  if (!have_sqlite3_shell ())
    return;
  id = add_session (store, "kept");
  imu_store_set_wait_func (store, waited_cb, &w, cancellable);
  holder = hold_write_lock (path, 4);
  thread = g_thread_new ("cancel", cancel_later_worker, cancellable);
  g_assert_false (imu_store_delete_session (store, id, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_thread_join (thread);
  g_assert_cmpuint (w.calls, ==, 1);
  g_subprocess_wait (holder, NULL, NULL);
  g_clear_error (&error);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 1);
  g_free (w.holder);
}

/* `imu delete` beside a long import waits, says so, and succeeds. */
static void
test_cli_waits (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GSubprocess) holder = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL, *err = NULL;

  g_assert_no_error (error);
  if (!have_sqlite3_shell ())
    return;
  add_session (store, "to delete");
  g_clear_object (&store);
  holder = hold_write_lock (path, 2);
  proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                           IMU_CLI_PATH, "--library", path, "delete", "1", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_nonnull (strstr (err, "imu: waiting for process "));
  g_assert_nonnull (strstr (err, "(sqlite3 "));
  g_assert_nonnull (strstr (out, "Deleted session 1"));
  g_subprocess_wait (holder, NULL, NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/store/locks/foreign-close-then-cli", test_foreign_close_then_cli);
  g_test_add_func ("/core/store/locks/foreign-close-several-connections", test_foreign_close_several_connections);
  g_test_add_func ("/core/store/locks/reopen-after-foreign-close", test_reopen_after_foreign_close);
  g_test_add_func ("/core/store/locks/last-close-cleans-up", test_last_close_cleans_up);
  g_test_add_func ("/core/store/locks/writer-waits", test_writer_waits);
  g_test_add_func ("/core/store/locks/writer-wait-cancelled", test_writer_wait_cancelled);
  g_test_add_func ("/core/store/locks/cli-waits", test_cli_waits);
  return g_test_run ();
}
