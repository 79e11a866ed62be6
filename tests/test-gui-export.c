/* test-gui-export.c — exporting a session from the window: CSV as imported,
 * CSV per stream, bundle; progress, cancel, errors and the toast
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The file chooser cannot be driven under Xvfb: the tests open the dialog
 * through the window's action, pick the format as a click would, and hand
 * it the path the chooser would give (imu_export_dialog_start(), what the
 * chooser's Export response calls).
 */
#define G_LOG_DOMAIN "imu-test-gui"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "imu-bundle.h"
#include "imu-generator.h"
#include "imu-import.h"
#include "imu-test-util.h"
#include "imu-window-private.h"
#include "test-gui-util.h"

/* The fixture: two sensors in one CSV, 12 rows at 50 Hz from
 * 2024-05-01 08:00:00 UTC, every unit in the header. Written here by hand;
 * the source layout must give it back byte for byte. */
static const char fixture_csv[] =
  "time,ax (g),ay (g),az (g),gx (deg/s),gy (deg/s),gz (deg/s)\n"
  "1714550400.000,0.012,-0.034,0.998,1.25,-0.50,0.75\n"
  "1714550400.020,0.013,-0.033,0.997,1.30,-0.45,0.70\n"
  "1714550400.040,0.015,-0.031,0.999,1.35,-0.40,0.65\n"
  "1714550400.060,0.014,-0.030,1.001,1.40,-0.35,0.60\n"
  "1714550400.080,0.011,-0.032,1.002,1.45,-0.30,0.55\n"
  "1714550400.100,0.010,-0.035,1.000,1.50,-0.25,0.50\n"
  "1714550400.120,0.009,-0.036,0.998,1.55,-0.20,0.45\n"
  "1714550400.140,0.008,-0.037,0.996,1.60,-0.15,0.40\n"
  "1714550400.160,0.010,-0.034,0.997,1.65,-0.10,0.35\n"
  "1714550400.180,0.012,-0.033,0.999,1.70,-0.05,0.30\n"
  "1714550400.200,0.013,-0.031,1.000,1.75,0.00,0.25\n"
  "1714550400.220,0.014,-0.030,1.001,1.80,0.05,0.20\n";
#define FIXTURE_ROWS 12

typedef struct {
  char      *library;
  char      *dir;        /* where exports go */
  gint64     id;
  char      *uuid;
  ImuWindow *window;
} Fixture;

static void
fixture_open (Fixture *f,
              gboolean demo)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;

  f->library = imu_test_library_path ();
  f->dir = imu_test_tmpdir ();
  store = imu_store_open (f->library, &error);
  g_assert_no_error (error);
  if (demo)
    f->id = imu_generator_create_demo_session (store, NULL, NULL, &error);
  else
    {
      g_autofree char *csv = imu_test_write_file ("two_sensors.csv", fixture_csv, -1);
      g_autoptr(ImuImportResult) result = imu_import_path (store, csv, NULL, NULL, NULL, NULL, NULL, &error);

      g_assert_no_error (error);
      f->id = result->session_id;
    }
  g_assert_no_error (error);
  session = imu_store_load_session (store, f->id, &error);
  g_assert_no_error (error);
  f->uuid = g_strdup (imu_session_get_uuid (session));
  g_clear_object (&store);

  f->window = gui_test_open_window (f->library);
  /* Nothing to export before a session is selected and read. */
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "export-session"));
  g_assert_true (imu_window_select_session (f->window, f->id));
  gui_test_wait_for (imu_session_view_get_session (imu_window_get_session_view (f->window)) != NULL
                     && !imu_session_view_get_loading (imu_window_get_session_view (f->window)),
                     20000, "the session to load");
}

static void
fixture_close (Fixture *f)
{
  gui_test_close_window (f->window);
  g_free (f->library);
  g_free (f->dir);
  g_free (f->uuid);
}

/* Whether @model (a menu of the window) has an item for @action. */
static gboolean
menu_has_action (GMenuModel *model,
                 const char *action)
{
  g_assert_nonnull (model);
  for (int i = 0; i < g_menu_model_get_n_items (model); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (model, i, G_MENU_LINK_SECTION);

      for (int k = 0; section != NULL && k < g_menu_model_get_n_items (section); k++)
        {
          g_autofree char *name = NULL;

          if (g_menu_model_get_item_attribute (section, k, G_MENU_ATTRIBUTE_ACTION, "s", &name)
              && g_str_equal (name, action))
            return TRUE;
        }
    }
  return FALSE;
}

/* The export dialog, opened as Ctrl+E, the session menu or the row's
 * context menu open it: through win.export-session. */
static ImuExportDialog *
open_dialog (Fixture *f)
{
  ImuExportDialog *dialog;

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (f->window), "export-session"));
  {
    /* Ctrl+E, as the shortcuts window says. */
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (gui_test_get_app ()),
                                                                  "win.export-session");

    g_assert_cmpstr (accels[0], ==, "<Control>e");
  }
  g_action_group_activate_action (G_ACTION_GROUP (f->window), "export-session", NULL);
  dialog = imu_window_get_export_dialog (f->window);
  g_assert_nonnull (dialog);
  g_assert_cmpint (imu_export_dialog_get_session_id (dialog), ==, f->id);
  gui_test_iterate_ms (100);
  return dialog;
}

static void
wait_done (Fixture *f)
{
  gui_test_wait_for (imu_window_get_export_dialog (f->window) == NULL, 60000, "the export to end");
  gui_test_iterate_ms (100);
}

/* Waits until the export has reported progress, or has ended before
 * the test saw any.  The test's reference keeps the dialog readable
 * meanwhile: an export that ends destroys its dialog. */
static gboolean
wait_progress (ImuExportDialog *dialog)
{
  g_autoptr(ImuExportDialog) held = g_object_ref (dialog);

  gui_test_wait_for (imu_export_dialog_get_fraction (held) > 0 || !imu_export_dialog_get_running (held),
                     30000, "progress");
  return imu_export_dialog_get_running (held);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* The format's check button: 0 CSV as imported, 1 per stream, 2 bundle
 * (their order in the dialog). */
static GtkWidget *
format_check (ImuExportDialog *dialog,
              guint            index)
{
  g_autoptr(GPtrArray) checks = gui_test_find_all (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON);

  g_assert_cmpuint (checks->len, ==, 3);
  return g_ptr_array_index (checks, index);
}

/* The names in @dir, sorted, joined by spaces ("" when empty). */
static char *
list_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

/* The toast says what was exported. */
static void
assert_toast (Fixture    *f,
              const char *title)
{
  g_autofree char *text = gui_test_collect_text (GTK_WIDGET (f->window));
  g_autofree char *expected = g_strdup_printf (_("Exported “%s”"), title);

  g_assert_nonnull (strstr (text, expected));
}

/* A session from one CSV goes back as that CSV: the same header, the same
 * rows, byte for byte (the fixture above), and nothing else is left in the
 * folder (no temporary file). */
static void
test_csv_source (void)
{
  Fixture f = { 0 };
  ImuExportDialog *dialog;
  g_autofree char *path = NULL;
  g_autofree char *written = NULL;
  g_autofree char *names = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(GError) error = NULL;

  fixture_open (&f, FALSE);
  /* Export… is in the session menu and in a row's context menu. */
  g_assert_true (menu_has_action (f.window->session_menu, "win.export-session"));
  g_assert_true (menu_has_action (f.window->row_menu, "win.export-session"));
  {
    /* A right click on the row shows that menu, with Export… in it. */
    g_autoptr(GPtrArray) rows = gui_test_visible_rows (f.window);
    GtkWidget *row, *menu;
    g_autofree char *text = NULL;
    GListModel *controllers;

    g_assert_cmpuint (rows->len, ==, 1);
    row = g_ptr_array_index (rows, 0);
    controllers = gtk_widget_observe_controllers (row);
    for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
      {
        g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

        if (GTK_IS_GESTURE_CLICK (controller)
            && gtk_gesture_single_get_button (GTK_GESTURE_SINGLE (controller)) == GDK_BUTTON_SECONDARY)
          g_signal_emit_by_name (controller, "pressed", 1, 40.0, 20.0);
      }
    g_object_unref (controllers);
    menu = g_object_get_data (G_OBJECT (row), "context-menu");
    g_assert_nonnull (menu);
    gui_test_iterate_ms (200);
    text = gui_test_collect_text (menu);
    g_assert_nonnull (strstr (text, "Export…"));
    g_free (gui_test_screenshot (menu, "export-row-menu"));
    gtk_popover_popdown (GTK_POPOVER (menu));
  }
  dialog = open_dialog (&f);
  g_assert_cmpint (imu_export_dialog_get_kind (dialog), ==, IMU_SESSION_EXPORT_CSV_SOURCE);
  shot = gui_test_screenshot (GTK_WIDGET (dialog), "export-dialog");
  g_clear_pointer (&shot, g_free);

  path = g_build_filename (f.dir, "two_sensors.csv", NULL);
  imu_export_dialog_start (dialog, path);
  g_assert_true (imu_export_dialog_get_running (dialog));
  wait_done (&f);

  g_assert_true (g_file_get_contents (path, &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (written, ==, fixture_csv);
  names = list_dir (f.dir);
  g_assert_cmpstr (names, ==, "two_sensors.csv");
  assert_toast (&f, "two_sensors");
  shot = gui_test_screenshot (GTK_WIDGET (f.window), "export-toast");
  fixture_close (&f);
}

/* One file per stream: a new folder named after the session, with the
 * accelerometer's and the gyroscope's columns each under its time column. */
static void
test_csv_streams (void)
{
  Fixture f = { 0 };
  ImuExportDialog *dialog;
  g_autofree char *folder = NULL;
  g_autofree char *names = NULL;
  g_autofree char *again = NULL;
  g_autoptr(GError) error = NULL;

  fixture_open (&f, FALSE);
  /* The name is taken: the export makes "two_sensors (2)". */
  folder = g_build_filename (f.dir, "two_sensors", NULL);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  dialog = open_dialog (&f);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (format_check (dialog, 1)), TRUE);
  g_assert_cmpint (imu_export_dialog_get_kind (dialog), ==, IMU_SESSION_EXPORT_CSV_STREAMS);
  imu_export_dialog_start (dialog, f.dir);
  wait_done (&f);

  names = list_dir (f.dir);
  g_assert_cmpstr (names, ==, "two_sensors two_sensors (2)");
  again = g_build_filename (f.dir, "two_sensors (2)", NULL);
  g_clear_pointer (&names, g_free);
  names = list_dir (again);
  g_assert_cmpstr (names, ==, "accelerometer.csv gyroscope.csv");
  {
    g_autofree char *acc_path = g_build_filename (again, "accelerometer.csv", NULL);
    g_autofree char *acc = NULL;
    g_auto(GStrv) lines = NULL;

    g_assert_true (g_file_get_contents (acc_path, &acc, NULL, &error));
    g_assert_no_error (error);
    lines = g_strsplit (acc, "\n", -1);
    g_assert_cmpstr (lines[0], ==, "time,ax (g),ay (g),az (g)");
    g_assert_cmpstr (lines[1], ==, "1714550400.000,0.012,-0.034,0.998");
    g_assert_cmpstr (lines[FIXTURE_ROWS], ==, "1714550400.220,0.014,-0.030,1.001");
  }
  fixture_close (&f);
}

/* A bundle holds the same session: imported into another library it has
 * the same uuid and every sample. */
static void
test_bundle (void)
{
  Fixture f = { 0 };
  ImuExportDialog *dialog;
  g_autofree char *path = NULL;
  g_autofree char *names = NULL;
  g_autofree char *other = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(ImuSession) session = NULL;
  GPtrArray *streams;

  fixture_open (&f, FALSE);
  dialog = open_dialog (&f);
  imu_export_dialog_set_kind (dialog, IMU_SESSION_EXPORT_BUNDLE);
  path = g_build_filename (f.dir, "two_sensors.imub", NULL);
  imu_export_dialog_start (dialog, path);
  wait_done (&f);
  names = list_dir (f.dir);
  g_assert_cmpstr (names, ==, "two_sensors.imub");
  assert_toast (&f, "two_sensors");

  other = imu_test_library_path ();
  store = imu_store_open (other, &error);
  g_assert_no_error (error);
  result = imu_bundle_import (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->uuid, ==, f.uuid);
  session = imu_store_load_session (store, result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_uuid (session), ==, f.uuid);
  streams = imu_session_get_streams (session);
  g_assert_cmpuint (streams->len, ==, 2);
  for (guint i = 0; i < streams->len; i++)
    g_assert_cmpint (((ImuStreamInfo *) g_ptr_array_index (streams, i))->n_samples, ==, FIXTURE_ROWS);
  fixture_close (&f);
}

/* A longer export shows its progress, the window keeps drawing, and
 * Cancel leaves nothing behind: no bundle, no temporary file. */
static void
test_progress_cancel (void)
{
  Fixture f = { 0 };
  ImuExportDialog *dialog;
  g_autofree char *path = NULL;
  g_autofree char *names = NULL;
  g_autofree char *text = NULL;

  fixture_open (&f, TRUE);
  dialog = open_dialog (&f);
  imu_export_dialog_set_kind (dialog, IMU_SESSION_EXPORT_BUNDLE);
  path = g_build_filename (f.dir, "demo.imub", NULL);
  imu_session_export_hold_for_testing (TRUE);
  imu_export_dialog_start (dialog, path);
  /* Not modal while it runs: the window stays usable. */
  g_assert_false (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_true (wait_progress (dialog));
  imu_export_dialog_cancel (dialog);
  text = gui_test_collect_text (GTK_WIDGET (dialog));
  g_assert_nonnull (strstr (text, _("Cancelling…")));
  wait_done (&f);
  imu_session_export_hold_for_testing (FALSE);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  names = list_dir (f.dir);
  g_assert_cmpstr (names, ==, "");
  /* A cancelled export is no error to show. */
  g_assert_null (imu_window_get_dialog (f.window));
  fixture_close (&f);
}

/* The progress as a person sees it, then the whole bundle. */
static void
test_progress_shown (void)
{
  Fixture f = { 0 };
  ImuExportDialog *dialog;
  g_autofree char *path = NULL;
  g_autofree char *shot = NULL;
  g_autofree char *text = NULL;

  fixture_open (&f, TRUE);
  dialog = open_dialog (&f);
  imu_export_dialog_set_kind (dialog, IMU_SESSION_EXPORT_BUNDLE);
  /* Readable in the dark style too. */
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_free (gui_test_screenshot (GTK_WIDGET (dialog), "export-dialog-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  path = g_build_filename (f.dir, "demo.imub", NULL);
  imu_session_export_hold_for_testing (TRUE);
  imu_export_dialog_start (dialog, path);
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  g_assert_true (wait_progress (dialog));
  text = gui_test_collect_text (GTK_WIDGET (dialog));
  g_assert_nonnull (strstr (text, "Exporting “Interval training”…"));
  g_assert_nonnull (strstr (text, path));
  shot = gui_test_screenshot (GTK_WIDGET (dialog), "export-progress");
  imu_session_export_hold_for_testing (FALSE);
  wait_done (&f);
  g_assert_null (dialog);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  fixture_close (&f);
}

/* Closing the window while an export runs stops the export and leaves
 * nothing behind. */
static void
test_close_window (void)
{
  Fixture f = { 0 };
  ImuExportDialog *dialog;
  g_autofree char *path = NULL;
  g_autofree char *dir = NULL;

  fixture_open (&f, TRUE);
  dialog = open_dialog (&f);
  imu_export_dialog_set_kind (dialog, IMU_SESSION_EXPORT_BUNDLE);
  path = g_build_filename (f.dir, "demo.imub", NULL);
  imu_session_export_hold_for_testing (TRUE);
  imu_export_dialog_start (dialog, path);
  g_assert_true (wait_progress (dialog));
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &dialog);
  dir = g_strdup (f.dir);
  fixture_close (&f);
  imu_session_export_hold_for_testing (FALSE);
  {
    gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
    g_autofree char *names = list_dir (dir);

    /* The worker notices the cancellation at its next chunk. */
    while (*names != '\0' && g_get_monotonic_time () < deadline)
      {
        gui_test_iterate_ms (50);
        g_free (names);
        names = list_dir (dir);
      }
    g_assert_cmpstr (names, ==, "");
  }
  /* The worker has returned once the dialog is gone: nothing of it
   * outlives the test. */
  gui_test_wait_for (dialog == NULL, 20000, "the export's end");
}

/* A folder that cannot be written: a dialog says what and where, and no
 * file appears. */
static void
test_error (void)
{
  Fixture f = { 0 };
  ImuExportDialog *dialog;
  g_autofree char *missing = NULL;
  g_autofree char *path = NULL;
  AdwMessageDialog *message;
  g_autofree char *heading = NULL;

  fixture_open (&f, FALSE);
  dialog = open_dialog (&f);
  missing = g_build_filename (f.dir, "gone", NULL);
  path = g_build_filename (missing, "two_sensors.csv", NULL);
  imu_export_dialog_start (dialog, path);
  wait_done (&f);
  message = imu_window_get_dialog (f.window);
  g_assert_nonnull (message);
  heading = g_strdup_printf (_("Could Not Export “%s”"), "two_sensors");
  g_assert_cmpstr (adw_message_dialog_get_heading (message), ==, heading);
  /* Where: the folder, in full. */
  g_assert_nonnull (strstr (adw_message_dialog_get_body (message), missing));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_free (gui_test_screenshot (GTK_WIDGET (message), "export-error"));
  adw_message_dialog_response (message, "close");
  fixture_close (&f);
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/export/csv-source", test_csv_source);
  g_test_add_func ("/gui/export/csv-streams", test_csv_streams);
  g_test_add_func ("/gui/export/bundle", test_bundle);
  g_test_add_func ("/gui/export/progress-shown", test_progress_shown);
  g_test_add_func ("/gui/export/progress-cancel", test_progress_cancel);
  g_test_add_func ("/gui/export/error", test_error);
  g_test_add_func ("/gui/export/close-window", test_close_window);

  return g_test_run ();
}
