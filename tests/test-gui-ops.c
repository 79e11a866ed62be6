/* test-gui-ops.c — library operations in the window: File → Back Up
 * Library…, the Trash, Preferences → Storage and the low-disk banner
 * (under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-gui-ops"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "imu-backup-dialog.h"
#include "imu-import.h"
#include "imu-preferences-window.h"
#include "imu-store-ops.h"
#include "imu-store-private.h"
#include "imu-sync-queue.h"
#include "imu-test-servers.h"
#include "imu-test-util.h"
#include "imu-trash-dialog.h"
#include "imu-window-private.h"
#include "test-gui-util.h"

/* A library with @n generated sessions (20 s at 50 Hz each: 1000 rows). */
static char *
make_library (guint n)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("walk-%u.csv", i);
      g_autofree char *csv = gui_test_write_generated_csv (dir, name, 7 + i, 50, 20);
      g_autoptr(ImuImportResult) result = imu_import_path (store, csv, NULL, NULL, NULL, NULL, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpint (result->session_id, ==, i + 1);
    }
  return g_steal_pointer (&path);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

/* One integer of @sql on the file @path, read on a connection of the test's own. */
static gint64
sql_int (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 v;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  /* The window's workers write meanwhile. */
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

static char *
sql_text (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *v;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  /* The window's workers write meanwhile. */
  sqlite3_busy_timeout (db, 10000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

static gint64
n_streams (const char *library, gint64 id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT COUNT (*) FROM streams WHERE session_id = %" G_GINT64_FORMAT, id);

  return sql_int (library, sql);
}

static void
shot (GtkWidget *widget, const char *name)
{
  g_autofree char *path = NULL;

  gui_test_iterate_ms (300);
  path = gui_test_screenshot (widget, name);
  g_test_message ("screenshot: %s", path);
}

/* File → Back Up Library… writes a file that passes integrity_check and
 * holds the sessions, sample for sample; with a sync target the dialog
 * offers it, and the backup lands there. */
static void
test_backup (void)
{
  g_autofree char *library = make_library (2);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *dest = g_build_filename (dir, "copy.db", NULL);
  g_autofree char *folder = g_build_filename (dir, "usb", NULL);
  g_autofree char *backups = g_build_filename (folder, "backups", NULL);
  g_autofree char *check = NULL;
  g_autoptr(GDir) listing = NULL;
  ImuWindow *window = gui_test_open_window (library);
  ImuBackupDialog *dialog;
  gint64 rows = sql_int (library, "SELECT SUM (n_samples) FROM streams");
  guint n_zst = 0;
  const char *name;

  g_assert_cmpint (rows, >, 0);
  g_action_group_activate_action (G_ACTION_GROUP (window), "backup-library", NULL);
  dialog = IMU_BACKUP_DIALOG (find_toplevel (IMU_TYPE_BACKUP_DIALOG));
  g_assert_nonnull (dialog);
  gui_test_wait_for (imu_backup_dialog_get_targets (dialog) != NULL, 10000, "the targets");
  g_assert_null (imu_backup_dialog_get_targets (dialog)[0]);
  shot (GTK_WIDGET (dialog), "ops-backup-choose");

  imu_backup_dialog_start_file (dialog, dest);
  g_assert_true (imu_backup_dialog_get_running (dialog));
  /* The window is not held by the dialog meanwhile. */
  g_assert_false (gtk_window_get_modal (GTK_WINDOW (dialog)));
  gui_test_wait_for (imu_backup_dialog_get_outcome (dialog) != NULL, 30000, "the backup");
  g_assert_cmpstr (imu_backup_dialog_get_outcome (dialog), ==, "done");
  g_assert_nonnull (strstr (imu_backup_dialog_get_message (dialog), "passes SQLite’s integrity check"));
  shot (GTK_WIDGET (dialog), "ops-backup-done");
  gtk_window_destroy (GTK_WINDOW (dialog));

  check = sql_text (dest, "PRAGMA integrity_check");
  g_assert_cmpstr (check, ==, "ok");
  g_assert_cmpint (sql_int (dest, "SELECT COUNT (*) FROM sessions"), ==, 2);
  g_assert_cmpint (sql_int (dest, "SELECT SUM (n_samples) FROM streams"), ==, rows);
  /* The chunks' bytes are the same bytes. */
  g_assert_cmpint (sql_int (dest, "SELECT SUM (length (data)) FROM chunks"), ==,
                   sql_int (library, "SELECT SUM (length (data)) FROM chunks"));

  /* A second backup to the same name is refused, with the reason. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "backup-library", NULL);
  dialog = IMU_BACKUP_DIALOG (find_toplevel (IMU_TYPE_BACKUP_DIALOG));
  imu_backup_dialog_start_file (dialog, dest);
  gui_test_wait_for (imu_backup_dialog_get_outcome (dialog) != NULL, 30000, "the refusal");
  g_assert_cmpstr (imu_backup_dialog_get_outcome (dialog), ==, "failed");
  g_assert_nonnull (strstr (imu_backup_dialog_get_message (dialog), "already exists"));
  shot (GTK_WIDGET (dialog), "ops-backup-failed");
  gtk_window_destroy (GTK_WINDOW (dialog));

  /* To a sync target. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ImuStore) store = imu_store_open (library, &error);
    g_autoptr(ImuSyncTargetConfig) config = imu_sync_target_config_new ("usb", "folder", folder);

    g_assert_no_error (error);
    g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
    config->allow_metered = -1;
    imu_sync_queue_add_target (store, config, &error);
    g_assert_no_error (error);
  }
  g_action_group_activate_action (G_ACTION_GROUP (window), "backup-library", NULL);
  dialog = IMU_BACKUP_DIALOG (find_toplevel (IMU_TYPE_BACKUP_DIALOG));
  gui_test_wait_for (imu_backup_dialog_get_targets (dialog) != NULL, 10000, "the targets");
  g_assert_cmpstr (imu_backup_dialog_get_targets (dialog)[0], ==, "usb");
  shot (GTK_WIDGET (dialog), "ops-backup-choose-target");
  imu_backup_dialog_start_target (dialog, "usb");
  gui_test_wait_for (imu_backup_dialog_get_outcome (dialog) != NULL, 30000, "the backup to the target");
  g_assert_cmpstr (imu_backup_dialog_get_outcome (dialog), ==, "done");
  gtk_window_destroy (GTK_WINDOW (dialog));
  listing = g_dir_open (backups, 0, NULL);
  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    n_zst += g_str_has_prefix (name, "library-") && g_str_has_suffix (name, ".db.zst");
  g_assert_cmpuint (n_zst, ==, 1);

  gui_test_close_window (window);
  imu_test_rm_rf (dir);
}

static guint
n_trashed (const char *library)
{
  return (guint) sql_int (library, "SELECT COUNT (*) FROM sessions WHERE trashed_us IS NOT NULL");
}

/* Deletes a session as Delete does, and lets its toast go (then it goes to
 * the trash). Libadwaita 1.2 crashes when a toast is dismissed during its
 * animation: the test waits for it. */
static void
delete_now (ImuWindow *window, gint64 id)
{
  AdwToast *toast;

  imu_window_delete_session (window, id);
  gui_test_iterate_ms (600);
  if ((toast = g_hash_table_lookup (window->delete_toasts, &id)) != NULL)
    adw_toast_dismiss (toast);
  gui_test_iterate_ms (600);
}

/* Delete a session, it goes to the trash when its toast goes; the Trash
 * lists it, Restore brings it back to the list; Delete Now and Empty Trash
 * (after its confirmation) delete for good. */
static void
test_trash (void)
{
  g_autofree char *library = make_library (3);
  ImuWindow *window = gui_test_open_window (library);
  GListModel *sessions = imu_library_get_sessions (window->library);
  ImuTrashDialog *dialog;
  AdwMessageDialog *confirm;

  gui_test_wait_for (g_list_model_get_n_items (sessions) == 3, 10000, "three sessions");
  delete_now (window, 2);
  delete_now (window, 3);
  g_assert_cmpuint (g_list_model_get_n_items (sessions), ==, 1);
  gui_test_wait_for (n_trashed (library) == 2, 10000, "two sessions in the trash");

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-trash", NULL);
  dialog = IMU_TRASH_DIALOG (find_toplevel (IMU_TYPE_TRASH_DIALOG));
  g_assert_nonnull (dialog);
  gui_test_wait_for (!imu_trash_dialog_get_busy (dialog), 10000, "the trash");
  g_assert_cmpuint (imu_trash_dialog_get_n_items (dialog), ==, 2);
  g_assert_nonnull (imu_trash_dialog_get_row (dialog, 2));
  g_assert_nonnull (imu_trash_dialog_get_row (dialog, 3));
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (imu_trash_dialog_get_row (dialog, 2))),
                                   "Deleted "));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (imu_trash_dialog_get_row (dialog, 2))),
                            " · gone for good after "));
  shot (GTK_WIDGET (dialog), "ops-trash");

  imu_trash_dialog_restore (dialog, 2);
  gui_test_wait_for (!imu_trash_dialog_get_busy (dialog), 10000, "the restore");
  g_assert_cmpuint (imu_trash_dialog_get_n_items (dialog), ==, 1);
  g_assert_null (imu_trash_dialog_get_row (dialog, 2));
  gui_test_wait_for (g_list_model_get_n_items (sessions) == 2, 10000, "the restored session in the list");
  g_assert_nonnull (imu_library_lookup (window->library, 2));
  g_assert_cmpint (sql_int (library, "SELECT SUM (n_samples) FROM streams WHERE session_id = 2"), ==, 1000 * n_streams (library, 2));

  /* Empty Trash asks first; Cancel keeps it. */
  confirm = imu_trash_dialog_empty (dialog);
  shot (GTK_WIDGET (confirm), "ops-trash-empty-confirm");
  adw_message_dialog_response (confirm, "cancel");
  gui_test_iterate_ms (200);
  g_assert_cmpuint (n_trashed (library), ==, 1);
  confirm = imu_trash_dialog_empty (dialog);
  adw_message_dialog_response (confirm, "empty");
  gui_test_wait_for (!imu_trash_dialog_get_busy (dialog) && imu_trash_dialog_get_n_items (dialog) == 0, 10000,
                     "the empty trash");
  g_assert_cmpint (sql_int (library, "SELECT COUNT (*) FROM sessions"), ==, 2);
  g_assert_cmpint (sql_int (library, "SELECT COUNT (*) FROM streams WHERE session_id = 3"), ==, 0);
  shot (GTK_WIDGET (dialog), "ops-trash-empty");

  /* Delete Now, one session. */
  delete_now (window, 1);
  gui_test_wait_for (n_trashed (library) == 1, 10000, "session 1 in the trash");
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-trash", NULL);
  dialog = IMU_TRASH_DIALOG (find_toplevel (IMU_TYPE_TRASH_DIALOG));
  gui_test_wait_for (!imu_trash_dialog_get_busy (dialog), 10000, "the trash");
  g_assert_cmpuint (imu_trash_dialog_get_n_items (dialog), ==, 1);
  imu_trash_dialog_delete_now (dialog, 1);
  gui_test_wait_for (!imu_trash_dialog_get_busy (dialog) && imu_trash_dialog_get_n_items (dialog) == 0, 10000,
                     "the deletion");
  g_assert_cmpint (sql_int (library, "SELECT COUNT (*) FROM sessions"), ==, 1);
  gtk_window_destroy (GTK_WINDOW (dialog));
  gui_test_close_window (window);
}

static JsonObject *
cli_stats (const char *library, JsonParser *parser)
{
  const char *argv[] = { IMU_CLI_PATH, "--library", library, "db", "stats", "--json", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (imu_test_run (argv, NULL, NULL, &out), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
assert_same_spaces (GPtrArray *spaces, JsonArray *json)
{
  g_assert_cmpuint (spaces->len, ==, json_array_get_length (json));
  for (guint i = 0; i < spaces->len; i++)
    {
      const ImuSessionSpace *s = g_ptr_array_index (spaces, i);
      JsonObject *o = json_array_get_object_element (json, i);

      g_assert_cmpint (s->session_id, ==, json_object_get_int_member (o, "id"));
      g_assert_cmpint (s->samples, ==, json_object_get_int_member (o, "samples_bytes"));
      g_assert_cmpint (s->envelopes, ==, json_object_get_int_member (o, "envelopes_bytes"));
      g_assert_cmpint (s->profiles, ==, json_object_get_int_member (o, "profiles_bytes"));
      g_assert_cmpint (s->events, ==, json_object_get_int_member (o, "events_bytes"));
    }
}

static char *
label_text_below (GtkWidget *page)
{
  return gui_test_collect_text (page);
}

/* Preferences → Storage shows what `imu db stats --json` says; Compact
 * gives the free pages back; the trash days setting is the library's. */
static void
test_storage (void)
{
  g_autofree char *library = make_library (3);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) after_parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autofree char *file_size = NULL;
  g_autofree char *trash_size = NULL;
  ImuWindow *window;
  GtkWidget *prefs;
  ImuPreferencesWindow *p;
  const ImuStoreStats *stats;
  JsonObject *cli;
  gint64 disk;

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ImuStore) store = imu_store_open (library, &error);

    g_assert_no_error (error);
    g_assert_true (imu_store_trash_session (store, 2, g_get_real_time (), &error));
    /* Session 3 goes for good: its pages are free pages to compact. */
    g_assert_true (imu_store_trash_session (store, 3, g_get_real_time (), &error));
    g_assert_true (imu_store_delete_trashed (store, 3, &error));
    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_wal_checkpoint_v2 (imu_store_get_db (store), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
                     ==, SQLITE_OK);
  }
  window = gui_test_open_window (library);
  prefs = imu_preferences_window_new (GTK_WINDOW (window));
  p = IMU_PREFERENCES_WINDOW (prefs);
  gtk_window_present (GTK_WINDOW (prefs));
  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "storage");
  gui_test_wait_for (!imu_preferences_window_get_storage_busy (p) && imu_preferences_window_get_stats (p) != NULL,
                     10000, "the stats");
  stats = imu_preferences_window_get_stats (p);

  cli = cli_stats (library, parser);
  g_assert_cmpint (stats->file_bytes, ==, json_object_get_int_member (cli, "file_bytes"));
  g_assert_cmpint (stats->wal_bytes, ==, json_object_get_int_member (cli, "wal_bytes"));
  g_assert_cmpint (stats->free_bytes, ==, json_object_get_int_member (cli, "free_bytes"));
  g_assert_cmpint (stats->trash_bytes, ==, json_object_get_int_member (cli, "trash_bytes"));
  g_assert_cmpint (stats->free_bytes, >, 0);
  g_assert_cmpint (stats->trash_bytes, >, 0);
  /* Other programs write to this disk meanwhile: within 1 %. */
  disk = json_object_get_int_member (cli, "disk_free");
  g_assert_cmpint (ABS (stats->disk_free - disk), <=, disk / 100);
  assert_same_spaces (stats->sessions, json_object_get_array_member (cli, "sessions"));
  assert_same_spaces (stats->trash, json_object_get_array_member (cli, "trash"));
  g_assert_cmpuint (stats->sessions->len, ==, 1);
  g_assert_cmpuint (stats->trash->len, ==, 1);

  /* What the page shows is those numbers. */
  text = label_text_below (prefs);
  file_size = g_format_size ((guint64) json_object_get_int_member (cli, "file_bytes"));
  trash_size = g_format_size ((guint64) json_object_get_int_member (cli, "trash_bytes"));
  g_assert_nonnull (strstr (text, file_size));
  g_assert_nonnull (strstr (text, trash_size));
  g_assert_nonnull (strstr (text, "About "));
  g_assert_null (imu_preferences_window_get_compact_refusal (p));
  shot (prefs, "ops-storage");

  imu_preferences_window_compact (p);
  g_assert_true (imu_preferences_window_get_storage_busy (p));
  gui_test_wait_for (!imu_preferences_window_get_storage_busy (p), 30000, "the compaction");
  stats = imu_preferences_window_get_stats (p);
  g_assert_cmpint (stats->free_bytes, ==, 0);
  cli = cli_stats (library, after_parser);
  g_assert_cmpint (json_object_get_int_member (cli, "free_bytes"), ==, 0);
  g_assert_cmpint (stats->file_bytes, ==, json_object_get_int_member (cli, "file_bytes"));
  g_assert_cmpint (sql_int (library, "SELECT SUM (n_samples) FROM streams WHERE session_id = 1"), ==, 1000 * n_streams (library, 1));

  /* The trash days are the library's setting. */
  g_free (text);
  text = sql_text (library, "SELECT value FROM library_settings WHERE key = 'trash_days'");
  g_assert_cmpstr (text, ==, "30");
  {
    GPtrArray *spins = gui_test_find_all (prefs, GTK_TYPE_SPIN_BUTTON);
    GtkSpinButton *days = NULL;

    for (guint i = 0; i < spins->len; i++)
      if (gtk_spin_button_get_digits (g_ptr_array_index (spins, i)) == 0)
        days = g_ptr_array_index (spins, i);
    g_assert_nonnull (days);
    gtk_spin_button_set_value (days, 7);
    g_ptr_array_unref (spins);
  }
  gui_test_wait_for ((g_free (text), text = sql_text (library, "SELECT value FROM library_settings WHERE key = 'trash_days'"),
                      g_str_equal (text, "7")), 10000, "the new trash days");
  gtk_window_destroy (GTK_WINDOW (prefs));
  gui_test_close_window (window);
}

/* The window warns when the library's disk has less free than the setting. */
static void
test_low_disk_banner (void)
{
  g_autofree char *library = make_library (1);
  g_autoptr(GSettings) settings = g_settings_new (IMU_APP_ID);
  ImuWindow *window = gui_test_open_window (library);
  g_autofree char *text = NULL;

  gui_test_iterate_ms (300);
  g_assert_false (gtk_info_bar_get_revealed (window->disk_banner));
  /* No test machine has 10 TB free. */
  g_settings_set_double (settings, "low-disk-warning-gb", 10000);
  gui_test_wait_for (gtk_info_bar_get_revealed (window->disk_banner), 10000, "the banner");
  text = g_strdup (gtk_label_get_text (window->disk_label));
  g_test_message ("banner: %s", text);
  g_assert_true (g_str_has_prefix (text, "The library’s disk has "));
  /* 10,000 GB, as g_format_size() writes it (with a no-break space). */
  g_assert_nonnull (strstr (text, "less than the 10.0\u00a0TB set in Preferences → Storage"));
  shot (GTK_WIDGET (window), "ops-low-disk");
  g_settings_set_double (settings, "low-disk-warning-gb", 0);
  gui_test_wait_for (!gtk_info_bar_get_revealed (window->disk_banner), 10000, "no banner");
  g_settings_reset (settings, "low-disk-warning-gb");
  gui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *cache = g_dir_make_tmp ("imu-gui-ops-cache-XXXXXX", NULL);

  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/ops/backup", test_backup);
  g_test_add_func ("/gui/ops/trash", test_trash);
  g_test_add_func ("/gui/ops/storage", test_storage);
  g_test_add_func ("/gui/ops/low-disk-banner", test_low_disk_banner);
  return g_test_run ();
}
