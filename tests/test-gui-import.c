/* test-gui-import.c — importing in the window: progress rows, several at
 * once, errors naming the line, duplicates, cancel, drag and drop
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test-gui"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "imu-import.h"
#include "imu-import-row.h"
#include "imu-test-util.h"
#include "test-gui-util.h"

#define NS G_GINT64_CONSTANT (1000000000)

static gint64
count_in_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  gint64 n;

  g_assert_no_error (error);
  n = imu_store_count_sessions (store, &error);
  g_assert_no_error (error);
  return n;
}

/* A small CSV written here: @rows rows at 100 Hz from 2024-05-01 08:00:00
 * UTC, acceleration (0, 0, 1) g plus a ramp on x, gyroscope zero. Line
 * @bad_from (and every @bad_every-th after it; 0: none) has "abc" in
 * column 2. */
static char *
write_csv (const char *dir,
           const char *name,
           guint       rows,
           guint       bad_from,
           guint       bad_every)
{
  g_autoptr(GString) csv = g_string_new ("timestamp,acc_x (g),acc_y (g),acc_z (g),gyr_x (deg/s),gyr_y (deg/s),gyr_z (deg/s)\n");
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < rows; i++)
    {
      guint line = i + 2; /* the header is line 1 */
      gboolean bad = bad_every > 0 && line >= bad_from && (line - bad_from) % bad_every == 0;

      /* 1714550400 s + i × 0.01 s, written with integer arithmetic */
      g_string_append_printf (csv, "%u.%06u,", 1714550400u + i / 100, (i % 100) * 10000);
      if (bad)
        g_string_append (csv, "abc,");
      else
        g_string_append_printf (csv, "0.%05u,", i % 100000);
      g_string_append (csv, "0.00000,1.00000,0.000,0.000,0.000\n");
    }
  g_file_set_contents (path, csv->str, csv->len, &error);
  g_assert_no_error (error);
  return path;
}

static void
import (ImuWindow  *window,
        const char *path)
{
  const char *paths[] = { path, NULL };

  g_action_group_activate_action (G_ACTION_GROUP (window), "import-paths", g_variant_new_strv (paths, -1));
}

static ImuImportRow *
first_import_row (ImuWindow *window)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (imu_window_get_imports_list (window), 0);

  return row != NULL ? IMU_IMPORT_ROW (row) : NULL;
}

/* A CSV imported by the action shows a progress row, lands as a session,
 * and the library's first session opens. */
static void
test_csv (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  /* 500 rows; lines 40, 170, 300 and 430 (4 of 500, under the 10 % that
   * refuses a file) say "abc" in column 2 and are left out. */
  g_autofree char *csv = write_csv (dir, "walk.csv", 500, 40, 130);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) audits = NULL;
  g_autofree char *details = NULL;
  ImuWindow *window;
  ImuImportRow *row;
  gint64 id;

  window = gui_test_open_window (library);
  g_assert_cmpstr (imu_window_get_state (window), ==, "empty");
  import (window, csv);
  /* The row is there at once, before any byte is read. */
  g_assert_cmpuint (imu_window_get_n_imports (window), ==, 1);
  row = first_import_row (window);
  g_assert_nonnull (row);
  g_assert_cmpstr (imu_import_row_get_path (row), ==, csv);

  gui_test_wait_for (imu_window_get_n_imports (window) == 0, 20000, "the import to end");
  gui_test_wait_for (g_list_model_get_n_items (imu_window_get_visible_sessions (window)) == 1, 10000,
                     "the imported session to be listed");
  g_assert_cmpstr (imu_window_get_state (window), ==, "library");
  g_assert_null (imu_window_get_dialog (window));

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 1);
  {
    g_autoptr(GPtrArray) sessions = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_DESC, &error);
    g_assert_no_error (error);
    id = imu_session_get_id (g_ptr_array_index (sessions, 0));
  }
  audits = imu_store_list_import_audits (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audits->len, ==, 1);
  g_assert_cmpint (((ImuImportAudit *) g_ptr_array_index (audits, 0))->rows, ==, 496);
  /* The first session of a library opens by itself. */
  gui_test_wait_for (imu_session_view_get_session_id (imu_window_get_session_view (window)) == id, 5000,
                     "the imported session to open");

  /* Its details name the file, the rows and the lines left out. */
  gui_test_wait_for (imu_session_view_get_session (imu_window_get_session_view (window)) != NULL, 10000,
                     "the session's details");
  details = imu_details_page_dup_text (imu_session_view_get_details_page (imu_window_get_session_view (window)));
  g_test_message ("%s", details);
  g_assert_nonnull (strstr (details, csv));
  g_assert_nonnull (strstr (details, "Rows: 496"));
  g_assert_nonnull (strstr (details, "Delimiter: comma"));
  g_assert_nonnull (strstr (details, "Text encoding: valid UTF-8"));
  g_assert_nonnull (strstr (details, "E_NUMERIC_FORMAT: 4 times, first on lines 40, 170, 300, 430"));
  g_assert_nonnull (strstr (details, "Channel: acc_x: unit g"));
  {
    ImuSessionView *view = imu_window_get_session_view (window);
    g_autoptr(GPtrArray) expanders = gui_test_find_all (GTK_WIDGET (imu_session_view_get_details_page (view)),
                                                        ADW_TYPE_EXPANDER_ROW);
    g_autoptr(GPtrArray) scrollers = gui_test_find_all (GTK_WIDGET (imu_session_view_get_details_page (view)),
                                                        GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj;

    adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "details");
    g_assert_cmpuint (expanders->len, >=, 1);
    adw_expander_row_set_expanded (g_ptr_array_index (expanders, 0), TRUE);
    gui_test_iterate_ms (300);
    adj = gtk_scrolled_window_get_vadjustment (g_ptr_array_index (scrollers, 0));
    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    g_free (gui_test_screenshot (GTK_WIDGET (window), "details-import"));
  }

  gui_test_close_window (window);
}

/* Two files at once: two rows at once, two sessions. */
static void
test_several (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *a = write_csv (dir, "a.csv", 300, 0, 0);
  g_autofree char *b = gui_test_write_generated_csv (dir, "b.csv", 7, 100, 60);
  const char *paths[] = { a, b, NULL };
  ImuWindow *window;

  window = gui_test_open_window (library);
  g_action_group_activate_action (G_ACTION_GROUP (window), "import-paths", g_variant_new_strv (paths, -1));
  g_assert_cmpuint (imu_window_get_n_imports (window), ==, 2);
  gui_test_wait_for (imu_window_get_n_imports (window) == 0, 30000, "both imports to end");
  gui_test_wait_for (g_list_model_get_n_items (imu_window_get_visible_sessions (window)) == 2, 10000,
                     "two sessions");
  g_assert_cmpint (count_in_file (library), ==, 2);
  gui_test_close_window (window);
}

/* A file with too many bad lines is refused with a dialog naming the file,
 * the first bad line and its column; the library stays empty. */
static void
test_broken (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  /* 150 rows; lines 7, 12, 17 … 147 (29 of 150, 19 %) say "abc" in column 2. */
  g_autofree char *csv = write_csv (dir, "broken.csv", 150, 7, 5);
  AdwMessageDialog *dialog;
  const char *body;
  ImuWindow *window;

  window = gui_test_open_window (library);
  import (window, csv);
  gui_test_wait_for (imu_window_get_dialog (window) != NULL, 20000, "the error dialog");
  dialog = imu_window_get_dialog (window);
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("dialog: %s / %s", adw_message_dialog_get_heading (dialog), body);
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), "broken.csv"));
  g_assert_nonnull (strstr (body, "broken.csv"));
  g_assert_nonnull (strstr (body, "line 7"));
  g_assert_nonnull (strstr (body, "column 2"));
  g_assert_nonnull (strstr (body, "E_NUMERIC_FORMAT"));
  /* One pattern: the name in a title-case heading, the full path in the
   * body, never the base name alone. */
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Could Not Import “broken.csv”");
  {
    g_autofree char *prefix = g_strconcat (csv, ": line 7", NULL);

    g_assert_true (g_str_has_prefix (body, prefix));
  }
  g_free (gui_test_screenshot (GTK_WIDGET (dialog), "import-error"));

  adw_message_dialog_response (dialog, "close");
  gui_test_iterate_ms (100);
  g_assert_null (imu_window_get_dialog (window));
  g_assert_cmpuint (imu_window_get_n_imports (window), ==, 0);
  g_assert_cmpstr (imu_window_get_state (window), ==, "empty");
  g_assert_cmpint (count_in_file (library), ==, 0);
  gui_test_close_window (window);
}

/* The same bytes twice: the second import offers the existing session. */
static void
test_duplicate (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *csv = write_csv (dir, "twice.csv", 200, 0, 0);
  g_autofree char *copy = g_build_filename (dir, "copy of twice.csv", NULL);
  g_autofree char *contents = NULL;
  gsize len;
  AdwMessageDialog *dialog;
  ImuWindow *window;
  gint64 first;

  g_assert_true (g_file_get_contents (csv, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (copy, contents, len, NULL));

  window = gui_test_open_window (library);
  import (window, csv);
  gui_test_wait_for (g_list_model_get_n_items (imu_window_get_visible_sessions (window)) == 1, 20000, "the first import");
  gui_test_wait_for (imu_session_view_get_session_id (imu_window_get_session_view (window)) != 0, 5000, "it to open");
  first = imu_session_view_get_session_id (imu_window_get_session_view (window));
  /* Look elsewhere, then import the copy. */
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (gtk_list_view_get_model (imu_window_get_list_view (window))),
                                     GTK_INVALID_LIST_POSITION);
  g_assert_cmpint (imu_session_view_get_session_id (imu_window_get_session_view (window)), ==, 0);

  import (window, copy);
  gui_test_wait_for (imu_window_get_dialog (window) != NULL, 20000, "the duplicate dialog");
  dialog = imu_window_get_dialog (window);
  g_assert_true (adw_message_dialog_has_response (dialog, "open"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "already in the library"));
  adw_message_dialog_response (dialog, "open");
  gui_test_iterate_ms (100);
  g_assert_cmpint (imu_session_view_get_session_id (imu_window_get_session_view (window)), ==, first);
  g_assert_cmpint (count_in_file (library), ==, 1);
  gui_test_close_window (window);
}

/* Cancel halfway through a big file: nothing of it stays in the library. */
static void
test_cancel (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *small = write_csv (dir, "small.csv", 100, 0, 0);
  /* 6 hours at 100 Hz: 2,160,000 rows, about 130 MB. */
  g_autofree char *big = gui_test_write_generated_csv (dir, "big.csv", 3, 100, 6 * 3600);
  g_autoptr(GError) error = NULL;
  ImuImportRow *row;
  ImuWindow *window;
  double fraction;

  {
    g_autoptr(ImuStore) store = imu_store_open (library, &error);
    g_autoptr(ImuImportResult) result = imu_import_path (store, small, NULL, NULL, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
  }

  window = gui_test_open_window (library);
  import (window, big);
  row = first_import_row (window);
  g_assert_nonnull (row);
  g_object_ref (row);
  gui_test_wait_for (imu_import_row_get_fraction (row) > 0.05, 60000, "the import to get going");
  /* At once: on a loaded machine a screenshot here takes long enough for
   * the import to finish (test_several takes the one of a running import). */
  imu_import_row_cancel (row);
  fraction = imu_import_row_get_fraction (row);
  g_assert_cmpfloat (fraction, <, 0.9);
  g_test_message ("cancelled at %.0f %%", fraction * 100);
  g_object_unref (row);

  gui_test_wait_for (imu_window_get_n_imports (window) == 0, 30000, "the import to stop");
  gui_test_iterate_ms (300);
  g_assert_null (imu_window_get_dialog (window));
  g_assert_cmpuint (g_list_model_get_n_items (imu_window_get_visible_sessions (window)), ==, 1);
  g_assert_cmpint (count_in_file (library), ==, 1);

  /* The same file again, to the end: the picture of an import running
   * (taking it above would have let the cancelled one finish). */
  import (window, big);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "import"));
  gui_test_wait_for (imu_window_get_n_imports (window) == 0, 60000, "the second import to end");
  gui_test_wait_for (g_list_model_get_n_items (imu_window_get_visible_sessions (window)) == 2, 10000,
                     "the imported session in the list");
  g_assert_cmpint (count_in_file (library), ==, 2);
  gui_test_close_window (window);
}

/* Files dropped on the window are imported. */
static void
test_drop (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *a = write_csv (dir, "dropped-a.csv", 120, 0, 0);
  g_autofree char *b = write_csv (dir, "dropped-b.csv", 130, 0, 0);
  g_autoptr(GListModel) controllers = NULL;
  g_autoptr(GFile) fa = g_file_new_for_path (a);
  g_autoptr(GFile) fb = g_file_new_for_path (b);
  g_autoptr(GSList) files = NULL;
  g_auto(GValue) value = G_VALUE_INIT;
  GtkDropTarget *target = NULL;
  gboolean accepted = FALSE;
  ImuWindow *window;

  window = gui_test_open_window (library);
  controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (c))
        target = GTK_DROP_TARGET (c);
    }
  g_assert_nonnull (target);
  g_assert_true (g_type_is_a (gtk_drop_target_get_gtypes (target, NULL)[0], GDK_TYPE_FILE_LIST));

  files = g_slist_append (g_slist_append (NULL, fa), fb);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (files));
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
  g_assert_cmpuint (imu_window_get_n_imports (window), ==, 2);
  gui_test_wait_for (g_list_model_get_n_items (imu_window_get_visible_sessions (window)) == 2, 30000,
                     "the dropped files to land");
  gui_test_close_window (window);
}

/* `imu generate` of a device file (the format from the name's extension):
 * @minutes at 100 Hz from 2024-03-12T17:30:00 on the device's clock. */
static void
generate_device_file (const char *dir,
                      const char *name,
                      int         minutes,
                      int         seed)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *min = g_strdup_printf ("%d", minutes);
  g_autofree char *seed_text = g_strdup_printf ("%d", seed);
  const char *argv[] = { IMU_CLI_PATH, "--quiet", "generate", "--minutes", min, "--seed", seed_text,
                         "-o", path, NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
import_in_zone (ImuWindow  *window,
                const char *path,
                const char *zone)
{
  const char *paths[] = { path, NULL };

  g_action_group_activate_action (G_ACTION_GROUP (window), "import-paths-in-zone",
                                  g_variant_new ("(^ass)", paths, zone));
}

/* A lab's folder: three generated device files and a corrupt one. One row
 * per file, three sessions, the failure's row and the summary with its
 * message; the device clock read in the zone given. Again: all three
 * skipped as already in the library. */
static void
test_device_folder (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "visit 1", NULL);
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *corrupt = g_build_filename (folder, "d-corrupt.cwa", NULL);
  g_autofree char *first = g_build_filename (folder, "a.cwa", NULL);
  g_autofree char *bytes = NULL;
  GtkListBox *list;
  AdwMessageDialog *dialog;
  const char *body;
  ImuWindow *window;
  gsize len = 0;
  guint n_failed = 0;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  generate_device_file (folder, "a.cwa", 3, 1);
  generate_device_file (folder, "b.gt3x", 2, 2);
  generate_device_file (folder, "c.cwa", 4, 3);
  /* 100 bytes of a CWA header: detected as CWA, no block to read. */
  g_assert_true (g_file_get_contents (first, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (corrupt, bytes, 100, NULL));

  window = gui_test_open_window (library);
  /* Berlin is UTC+01:00 on 12 March 2024. */
  import_in_zone (window, folder, "Europe/Berlin");
  gui_test_wait_for (imu_window_get_dialog (window) != NULL, 60000, "the folder's summary");
  dialog = imu_window_get_dialog (window);
  body = adw_message_dialog_get_body (dialog);
  g_test_message ("summary: %s / %s", adw_message_dialog_get_heading (dialog), body);
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Some Files of “visit 1” Could Not Be Imported");
  g_assert_true (g_str_has_prefix (body, "4 device files: 3 imported, 0 skipped as already in the library, 1 failed\n\n"));
  {
    g_autofree char *line = g_strconcat ("\n", corrupt, ": ", NULL);

    g_assert_nonnull (strstr (body, line));
  }

  /* One row per file, in path order, each saying how it ended. */
  list = imu_window_get_imports_list (window);
  for (int i = 0; i < 4; i++)
    {
      ImuImportRow *row = IMU_IMPORT_ROW (gtk_list_box_get_row_at_index (list, i));
      static const char *const names[] = { "a.cwa", "b.gt3x", "c.cwa", "d-corrupt.cwa" };
      g_autofree char *base = g_path_get_basename (imu_import_row_get_path (row));

      g_assert_cmpstr (base, ==, names[i]);
      g_assert_true (imu_import_row_get_finished (row));
      if (imu_import_row_get_message (row) != NULL)
        {
          n_failed++;
          g_assert_cmpint (i, ==, 3);
          g_assert_true (g_str_has_prefix (imu_import_row_get_message (row), corrupt));
        }
    }
  g_assert_cmpuint (n_failed, ==, 1);
  g_assert_null (gtk_list_box_get_row_at_index (list, 4));
  g_assert_cmpuint (imu_window_get_n_imports (window), ==, 0);
  gui_test_wait_for (g_list_model_get_n_items (imu_window_get_visible_sessions (window)) == 3, 10000,
                     "the three sessions to be listed");
  gui_test_iterate_ms (200);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "import-device-folder"));
  g_free (gui_test_screenshot (GTK_WIDGET (dialog), "import-device-folder-summary"));
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ImuStore) store = imu_store_open (library, &error);
    g_autoptr(GPtrArray) sessions = NULL;

    g_assert_no_error (error);
    sessions = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_DESC, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (sessions->len, ==, 3);
    for (guint i = 0; i < sessions->len; i++)
      {
        ImuSession *session = g_ptr_array_index (sessions, i);

        /* 17:30 in Berlin is 16:30 UTC: 1710261000 s since the epoch
         * (2024-03-12T16:30:00Z). The GT3X file states its own zone. */
        if (g_str_equal (imu_session_get_title (session), "b"))
          continue;
        g_assert_cmpint (imu_session_get_start_ns (session), ==, G_GINT64_CONSTANT (1710261000) * NS);
      }
  }

  adw_message_dialog_response (dialog, "close");
  gui_test_iterate_ms (100);
  g_assert_null (gtk_list_box_get_row_at_index (list, 0));

  /* Again: nothing new, three skipped by their checksum. */
  import_in_zone (window, folder, "Europe/Berlin");
  gui_test_wait_for (imu_window_get_dialog (window) != NULL, 60000, "the second summary");
  body = adw_message_dialog_get_body (imu_window_get_dialog (window));
  g_assert_true (g_str_has_prefix (body, "4 device files: 0 imported, 3 skipped as already in the library, 1 failed\n\n"));
  adw_message_dialog_response (imu_window_get_dialog (window), "close");
  gui_test_iterate_ms (100);
  g_assert_cmpint (count_in_file (library), ==, 3);
  gui_test_close_window (window);
}

/* Cancelling a folder's import: the summary says so, each session kept is
 * whole, and the window was never blocked (the rows came while it ran). */
static void
test_device_folder_cancel (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "visit 2", NULL);
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  AdwMessageDialog *dialog;
  ImuWindow *window;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  for (int i = 0; i < 4; i++)
    {
      g_autofree char *name = g_strdup_printf ("visit-%d.cwa", i);

      generate_device_file (folder, name, 240, i + 1);
    }
  window = gui_test_open_window (library);
  import_in_zone (window, folder, "");
  gui_test_wait_for (imu_window_get_n_imports (window) == 4, 20000, "a row per file");
  /* The rows of a folder share one cancel: any row stops them all. */
  imu_import_row_cancel (first_import_row (window));
  gui_test_wait_for (imu_window_get_dialog (window) != NULL, 60000, "the folder's summary");
  dialog = imu_window_get_dialog (window);
  g_test_message ("summary: %s / %s", adw_message_dialog_get_heading (dialog), adw_message_dialog_get_body (dialog));
  g_assert_cmpstr (adw_message_dialog_get_heading (dialog), ==, "Import of “visit 2” Cancelled");
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "nothing of"));
  adw_message_dialog_response (dialog, "close");
  gui_test_iterate_ms (100);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ImuStore) store = imu_store_open (library, &error);
    g_autoptr(GPtrArray) sessions = NULL;
    gboolean healthy;
    g_autoptr(GPtrArray) problems = NULL;

    g_assert_no_error (error);
    sessions = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_DESC, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (sessions->len, <, 4);
    /* Each kept session is whole: 4 hours at 100 Hz. */
    for (guint i = 0; i < sessions->len; i++)
      g_assert_cmpint (imu_session_get_duration_ns (g_ptr_array_index (sessions, i)), >=, (gint64) 4 * 3600 * NS - NS);
    healthy = imu_store_check (store, &problems, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (healthy);
  }
  gui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/import/csv", test_csv);
  g_test_add_func ("/gui/import/several", test_several);
  g_test_add_func ("/gui/import/broken", test_broken);
  g_test_add_func ("/gui/import/duplicate", test_duplicate);
  g_test_add_func ("/gui/import/cancel", test_cancel);
  g_test_add_func ("/gui/import/drop", test_drop);
  g_test_add_func ("/gui/import/device-folder", test_device_folder);
  g_test_add_func ("/gui/import/device-folder-cancel", test_device_folder_cancel);

  return g_test_run ();
}
