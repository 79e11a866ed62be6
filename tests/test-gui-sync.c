/* test-gui-sync.c — the sync parts of the window: Preferences → Sync, the
 * target dialog, the row icons and the sync popover (under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-gui-sync"

#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "imu-import.h"
#include "imu-preferences-window.h"
#include "imu-secrets.h"
#include "imu-session-row.h"
#include "imu-sync-page.h"
#include "imu-sync-popover.h"
#include "imu-target-dialog.h"
#include "imu-test-util.h"
#include "imu-window-private.h"
#include "test-gui-util.h"

static char *
make_library_with_session (char **uuid)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *csv = gui_test_write_generated_csv (dir, "walk.csv", 7, 50, 20);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(ImuSession) session = NULL;

  g_assert_no_error (error);
  result = imu_import_path (store, csv, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, result->session_id, &error);
  g_assert_no_error (error);
  *uuid = g_strdup (imu_session_get_uuid (session));
  return g_steal_pointer (&path);
}

static void
add_folder_target (const char *library, const char *name, const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library, &error);
  g_autoptr(ImuSyncTargetConfig) config = imu_sync_target_config_new (name, "folder", dir);

  g_assert_no_error (error);
  config->allow_metered = -1;
  imu_sync_queue_add_target (store, config, &error);
  g_assert_no_error (error);
}

static ImuSessionRow *
first_row (ImuWindow *window)
{
  g_autoptr(GPtrArray) rows = NULL;

  gui_test_wait_for ((rows = gui_test_visible_rows (window), rows->len > 0 ? TRUE : (g_ptr_array_unref (rows), rows = NULL, FALSE)),
                     10000, "a row");
  return g_ptr_array_index (rows, 0);
}

static void
wait_state (ImuSyncController *controller, const char *uuid, ImuSyncState state)
{
  gui_test_wait_for (!imu_sync_controller_get_running (controller)
                     && imu_sync_controller_lookup (controller, uuid) != NULL
                     && imu_sync_controller_lookup (controller, uuid)->state == state,
                     60000, imu_sync_state_to_string (state));
}

/* With no transfers, the popover says whether there is no target or
 * nothing waiting (it told people with a target to add one). */
static void
test_popover_empty (void)
{
  g_autofree char *uuid = NULL;
  g_autofree char *library = make_library_with_session (&uuid);
  g_autofree char *dir = imu_test_tmpdir ();
  ImuWindow *window = gui_test_open_window (library);
  GtkWidget *popover = GTK_WIDGET (gtk_menu_button_get_popover (window->sync_button));
  g_autofree char *text = NULL;

  gtk_menu_button_popup (window->sync_button);
  gui_test_wait_for ((g_free (text), text = gui_test_collect_text (popover),
                      strstr (text, "No sync targets yet. Add one in Preferences → Sync.") != NULL),
                     10000, "the no-target text");
  gtk_popover_popdown (GTK_POPOVER (popover));

  add_folder_target (library, "usb", dir);
  gtk_menu_button_popup (window->sync_button);
  gui_test_wait_for ((g_free (text), text = gui_test_collect_text (popover),
                      strstr (text, "Nothing is waiting to be sent or fetched.") != NULL),
                     10000, "the nothing-waiting text");
  g_assert_null (strstr (text, "Add one in Preferences"));
  g_free (gui_test_screenshot (popover, "sync-popover-empty"));
  gtk_popover_popdown (GTK_POPOVER (popover));
  gui_test_close_window (window);
}

/* Add a folder target through the dialog, Sync Now, the bundle lands in
 * the folder and the row says "synced". */
static void
test_push (void)
{
  g_autofree char *uuid = NULL;
  g_autofree char *library = make_library_with_session (&uuid);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *bundle = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  ImuWindow *window = gui_test_open_window (library);
  GtkWidget *prefs = imu_preferences_window_new (GTK_WINDOW (window));
  ImuSyncPage *page;
  ImuTargetDialog *dialog;
  GtkWidget *icon;
  GtkWidget *popover;

  gtk_window_present (GTK_WINDOW (prefs));
  pages = gui_test_find_all (prefs, IMU_TYPE_SYNC_PAGE);
  g_assert_cmpuint (pages->len, ==, 1);
  page = g_ptr_array_index (pages, 0);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), ADW_PREFERENCES_PAGE (page));
  gui_test_wait_for (!imu_sync_page_get_busy (page), 10000, "the targets to load");
  g_assert_cmpuint (imu_sync_page_get_n_targets (page), ==, 0);

  dialog = IMU_TARGET_DIALOG (imu_sync_page_add_target (page));
  gtk_editable_set_text (GTK_EDITABLE (imu_target_dialog_get_row (dialog, "name")), "usb");
  adw_combo_row_set_selected (ADW_COMBO_ROW (imu_target_dialog_get_row (dialog, "kind")), 0);
  g_assert_true (gtk_widget_get_visible (imu_target_dialog_get_row (dialog, "path")));
  g_assert_false (gtk_widget_get_visible (imu_target_dialog_get_row (dialog, "secret")));
  gtk_editable_set_text (GTK_EDITABLE (imu_target_dialog_get_row (dialog, "path")), dir);
  gui_test_iterate_ms (200);
  shot = gui_test_screenshot (GTK_WIDGET (dialog), "sync-target-dialog");
  g_test_message ("screenshot: %s", shot);
  g_clear_pointer (&shot, g_free);
  imu_target_dialog_save (dialog);
  gui_test_wait_for (imu_sync_page_get_n_targets (page) == 1 && !imu_sync_page_get_busy (page), 10000,
                     "the target in the list");
  imu_sync_page_test_target (page, "usb");
  gui_test_wait_for (!imu_sync_page_get_busy (page), 20000, "the test");
  gui_test_iterate_ms (300);
  shot = gui_test_screenshot (prefs, "sync-preferences");
  g_test_message ("screenshot: %s", shot);
  gtk_window_destroy (GTK_WINDOW (prefs));

  imu_sync_controller_sync_now (window->sync_controller);
  wait_state (window->sync_controller, uuid, IMU_SYNC_STATE_DONE);
  bundle = g_build_filename (dir, "sessions", uuid, "bundle.imub", NULL);
  g_assert_true (g_file_test (bundle, G_FILE_TEST_IS_REGULAR));

  icon = imu_session_row_get_sync_icon (first_row (window));
  g_assert_true (gtk_widget_get_visible (icon));
  g_assert_cmpstr (gtk_image_get_icon_name (GTK_IMAGE (icon)), ==, "emblem-ok-symbolic");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (icon), ==, "Synced with usb");

  popover = GTK_WIDGET (gtk_menu_button_get_popover (window->sync_button));
  gtk_menu_button_popup (window->sync_button);
  gui_test_wait_for (gtk_widget_get_mapped (popover) && !imu_sync_controller_get_running (window->sync_controller),
                     10000, "the popover");
  gui_test_iterate_ms (300);
  g_assert_cmpuint (imu_sync_popover_get_n_items (IMU_SYNC_POPOVER (popover)), ==, 1);
  g_free (shot);
  shot = gui_test_screenshot (popover, "sync-popover");
  g_test_message ("screenshot: %s", shot);
  gtk_popover_popdown (GTK_POPOVER (popover));

  gui_test_close_window (window);
}

/* A folder that cannot be made needs attention, and the row says why. */
static void
test_attention (void)
{
  g_autofree char *uuid = NULL;
  g_autofree char *library = make_library_with_session (&uuid);
  g_autofree char *dir = imu_test_tmpdir ();
  /* Under a plain file no folder can be made (even for root). */
  g_autofree char *file = g_build_filename (dir, "a-file", NULL);
  g_autofree char *bad = g_build_filename (file, "stick", NULL);
  ImuWindow *window;
  GtkWidget *icon;
  const char *tooltip;

  g_assert_true (g_file_set_contents (file, "x", 1, NULL));
  add_folder_target (library, "broken", bad);
  window = gui_test_open_window (library);
  imu_sync_controller_sync_now (window->sync_controller);
  wait_state (window->sync_controller, uuid, IMU_SYNC_STATE_NEEDS_ATTENTION);

  icon = imu_session_row_get_sync_icon (first_row (window));
  gui_test_wait_for (g_strcmp0 (gtk_image_get_icon_name (GTK_IMAGE (icon)), "dialog-warning-symbolic") == 0,
                     5000, "the warning icon");
  tooltip = gtk_widget_get_tooltip_text (icon);
  g_test_message ("tooltip: %s", tooltip);
  g_assert_true (g_str_has_prefix (tooltip, "Needs attention (broken): "));
  g_assert_cmpuint (strlen (tooltip), >, strlen ("Needs attention (broken): ") + 5);
  gui_test_close_window (window);
}

/* Pull from the folder into a second, empty library. */
static void
test_pull (void)
{
  g_autofree char *uuid = NULL;
  g_autofree char *library = make_library_with_session (&uuid);
  g_autofree char *empty = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  ImuWindow *window;
  GListModel *sessions;

  add_folder_target (library, "usb", dir);
  window = gui_test_open_window (library);
  imu_sync_controller_sync_now (window->sync_controller);
  wait_state (window->sync_controller, uuid, IMU_SYNC_STATE_DONE);
  gui_test_close_window (window);

  add_folder_target (empty, "usb", dir);
  window = gui_test_open_window (empty);
  g_assert_cmpuint (g_list_model_get_n_items (imu_library_get_sessions (window->library)), ==, 0);
  imu_sync_controller_pull (window->sync_controller, "usb");
  wait_state (window->sync_controller, uuid, IMU_SYNC_STATE_DONE);
  gui_test_wait_for (imu_library_get_loaded (window->library)
                     && g_list_model_get_n_items (imu_library_get_sessions (window->library)) == 1,
                     20000, "the fetched session in the list");
  sessions = imu_library_get_sessions (window->library);
  {
    g_autoptr(ImuSession) s = g_list_model_get_item (sessions, 0);

    g_assert_cmpstr (imu_session_get_uuid (s), ==, uuid);
  }
  gui_test_close_window (window);
}

/* A target that uploads automatically gets the library's sessions as soon
 * as the window has read the library, without Sync Now. */
static void
test_auto_upload (void)
{
  g_autofree char *uuid = NULL;
  g_autofree char *library = make_library_with_session (&uuid);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *bundle = NULL;
  g_autoptr(GError) error = NULL;
  ImuWindow *window;

  add_folder_target (library, "usb", dir);
  {
    g_autoptr(ImuStore) store = imu_store_open (library, &error);
    g_autoptr(ImuSyncTargetConfig) t = imu_sync_queue_get_target (store, "usb", &error);
    g_autofree char *key = NULL;

    g_assert_no_error (error);
    key = g_strdup_printf ("auto_upload.%" G_GINT64_FORMAT, t->id);
    imu_sync_queue_set_setting (store, key, "1", &error);
    g_assert_no_error (error);
  }
  window = gui_test_open_window (library);
  wait_state (window->sync_controller, uuid, IMU_SYNC_STATE_DONE);
  bundle = g_build_filename (dir, "sessions", uuid, "bundle.imub", NULL);
  g_assert_true (g_file_test (bundle, G_FILE_TEST_IS_REGULAR));
  gui_test_close_window (window);
}

/* The first button under @widget whose tooltip is @tooltip. */
static GtkWidget *
find_button (GtkWidget *widget, const char *tooltip)
{
  g_autoptr(GPtrArray) buttons = gui_test_find_all (widget, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, i)), tooltip) == 0)
      return g_ptr_array_index (buttons, i);
  return NULL;
}

static AdwMessageDialog *
find_message_dialog (void)
{
  /* Owned by GTK (transfer none). */
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) w = g_list_model_get_item (toplevels, i);

      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return ADW_MESSAGE_DIALOG (w);
    }
  return NULL;
}

/* A WebDAV target added in the dialog keeps its password in the secret
 * store; Remove on the Preferences page takes the password with it (it
 * used to stay in the keyring). */
static void
test_remove_secret (void)
{
  g_autofree char *uuid = NULL;
  g_autofree char *library = make_library_with_session (&uuid);
  g_autofree char *secret_id = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *file_text = NULL;
  g_autoptr(GPtrArray) pages = NULL;
  g_autoptr(GError) error = NULL;
  ImuWindow *window = gui_test_open_window (library);
  GtkWidget *prefs = imu_preferences_window_new (GTK_WINDOW (window));
  const char *password = "gui-dav-password-for-the-remove-test";
  AdwMessageDialog *confirm;
  ImuTargetDialog *dialog;
  ImuSyncPage *page;
  GtkWidget *remove;

  gtk_window_present (GTK_WINDOW (prefs));
  pages = gui_test_find_all (prefs, IMU_TYPE_SYNC_PAGE);
  page = g_ptr_array_index (pages, 0);
  adw_preferences_window_set_visible_page (ADW_PREFERENCES_WINDOW (prefs), ADW_PREFERENCES_PAGE (page));
  gui_test_wait_for (!imu_sync_page_get_busy (page), 10000, "the targets to load");

  dialog = IMU_TARGET_DIALOG (imu_sync_page_add_target (page));
  gtk_editable_set_text (GTK_EDITABLE (imu_target_dialog_get_row (dialog, "name")), "dav");
  adw_combo_row_set_selected (ADW_COMBO_ROW (imu_target_dialog_get_row (dialog, "kind")), 3);
  g_assert_true (gtk_widget_get_visible (imu_target_dialog_get_row (dialog, "secret")));
  gtk_editable_set_text (GTK_EDITABLE (imu_target_dialog_get_row (dialog, "url")), "https://cloud.example.org/dav/");
  gtk_editable_set_text (GTK_EDITABLE (imu_target_dialog_get_row (dialog, "user")), "coach");
  gtk_editable_set_text (GTK_EDITABLE (imu_target_dialog_get_row (dialog, "secret")), password);
  imu_target_dialog_save (dialog);
  gui_test_wait_for (imu_sync_page_get_n_targets (page) == 1 && !imu_sync_page_get_busy (page), 10000,
                     "the target in the list");

  {
    g_autoptr(ImuStore) store = imu_store_open (library, &error);
    g_autoptr(ImuSyncTargetConfig) t = NULL;

    g_assert_no_error (error);
    t = imu_sync_queue_get_target (store, "dav", &error);
    g_assert_no_error (error);
    secret_id = g_strdup (t->secret_id);
  }
  secret = imu_secrets_lookup (secret_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"gui-dav-password-for-the-remove-test\"}");
  g_clear_pointer (&secret, g_free);

  /* The row's Remove button, then Remove in the confirmation. */
  remove = find_button (GTK_WIDGET (page), "Remove");
  g_assert_nonnull (remove);
  g_signal_emit_by_name (remove, "clicked");
  gui_test_wait_for ((confirm = find_message_dialog ()) != NULL, 5000, "the confirmation");
  adw_message_dialog_response (confirm, "remove");
  gui_test_wait_for (imu_sync_page_get_n_targets (page) == 0 && !imu_sync_page_get_busy (page), 10000,
                     "the target to leave the list");

  secret = imu_secrets_lookup (secret_id, &error);
  g_assert_null (secret);
  g_assert_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  {
    g_autofree char *path = imu_secrets_file_path ();

    g_assert_true (g_file_get_contents (path, &file_text, NULL, &error));
    g_assert_null (strstr (file_text, password));
    g_assert_null (strstr (file_text, secret_id));
  }
  gtk_window_destroy (GTK_WINDOW (prefs));
  gui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  /* Staged bundles go to a cache folder of the test's own. */
  g_autofree char *cache = g_dir_make_tmp ("imu-gui-sync-cache-XXXXXX", NULL);

  g_autofree char *config = g_dir_make_tmp ("imu-gui-sync-config-XXXXXX", NULL);

  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  /* Secrets go to a private file of the test's own, whatever keyring the
   * desktop running the tests has. */
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("IMU_SECRETS_BACKEND", "file", TRUE);
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/sync/push", test_push);
  g_test_add_func ("/gui/sync/popover-empty", test_popover_empty);
  g_test_add_func ("/gui/sync/needs-attention", test_attention);
  g_test_add_func ("/gui/sync/pull", test_pull);
  g_test_add_func ("/gui/sync/auto-upload", test_auto_upload);
  g_test_add_func ("/gui/sync/remove-secret", test_remove_secret);

  return g_test_run ();
}
