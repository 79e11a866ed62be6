/* imu-window.c — the main window: library list, session view, imports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-window"

#include <string.h>

#include <glib/gi18n.h>

#include "imu-backup-dialog.h"
#include "imu-preferences-window.h"
#include "imu-store-ops.h"
#include "imu-session-row.h"
#include "imu-subject-page.h"
#include "imu-trash-dialog.h"
#include "imu-window-private.h"
#include "imu-sync-popover.h"

G_DEFINE_FINAL_TYPE (ImuWindow, imu_window, ADW_TYPE_APPLICATION_WINDOW)

/* The sort dropdown's items, in its order. */
static const char * const sort_keys[] = { "date-desc", "date-asc", "title", "duration-desc" };

static void update_state (ImuWindow *self);

void
imu_window_show_toast (ImuWindow *self,
                       AdwToast  *toast)
{
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static ImuSession *
selected_session (ImuWindow *self)
{
  return gtk_single_selection_get_selected_item (self->selection);
}

/* Searching and sorting */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  ImuWindow *self = user_data;

  return imu_session_matches (IMU_SESSION (item), self->search_folded);
}

/* Titles sort by a collation key of their casefolded text ("apnea" before
 * "Bike"), computed once per title and kept on the session: sorting 10,000
 * sessions compares far more often than titles change. */
typedef struct {
  char *title;
  char *key;
} TitleKey;

static void
title_key_free (gpointer data)
{
  TitleKey *key = data;

  g_free (key->title);
  g_free (key->key);
  g_free (key);
}

static const char *
title_key (ImuSession *session)
{
  static GQuark quark;
  const char *title = imu_session_get_title (session);
  TitleKey *key;

  if (quark == 0)
    quark = g_quark_from_static_string ("imu-title-collate-key");
  if (title == NULL)
    title = "";
  key = g_object_get_qdata (G_OBJECT (session), quark);
  if (key == NULL || g_strcmp0 (key->title, title) != 0)
    {
      g_autofree char *folded = g_utf8_casefold (title, -1);

      key = g_new0 (TitleKey, 1);
      key->title = g_strdup (title);
      key->key = g_utf8_collate_key (folded, -1);
      g_object_set_qdata_full (G_OBJECT (session), quark, key, title_key_free);
    }
  return key->key;
}

static int
compare_int64 (gint64 a,
               gint64 b)
{
  return a < b ? -1 : a > b;
}

static int
sort_func (gconstpointer a,
           gconstpointer b,
           gpointer      user_data)
{
  ImuWindow *self = user_data;
  ImuSession *sa = IMU_SESSION ((gpointer) a);
  ImuSession *sb = IMU_SESSION ((gpointer) b);
  guint mode = gtk_drop_down_get_selected (self->sort_dropdown);
  int c = 0;

  switch (mode)
    {
    case 1: /* oldest first */
      c = compare_int64 (imu_session_get_start_ns (sa), imu_session_get_start_ns (sb));
      break;
    case 2: /* title */
      c = strcmp (title_key (sa), title_key (sb));
      break;
    case 3: /* longest first */
      c = compare_int64 (imu_session_get_duration_ns (sb), imu_session_get_duration_ns (sa));
      break;
    case 0: /* newest first */
    default:
      c = compare_int64 (imu_session_get_start_ns (sb), imu_session_get_start_ns (sa));
      break;
    }
  /* Ties keep a stable, meaningful order: newest first, then by id. */
  if (c == 0)
    c = compare_int64 (imu_session_get_start_ns (sb), imu_session_get_start_ns (sa));
  if (c == 0)
    c = compare_int64 (imu_session_get_id (sa), imu_session_get_id (sb));
  return c;
}

static void
update_count (ImuWindow *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint total = self->library != NULL ? g_list_model_get_n_items (imu_library_get_sessions (self->library)) : 0;
  g_autofree char *text = NULL;

  if (self->search_folded != NULL && *self->search_folded != '\0')
    /* Translators: sessions found by a search, of all sessions */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u session", "%u of %u sessions", total),
                            shown, total);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u session", "%u sessions", total), total);
  gtk_label_set_text (self->count_label, text);

  if (shown == 0 && gtk_filter_list_model_get_pending (self->filter_model) == 0 && total > 0)
    gtk_stack_set_visible_child_name (self->sidebar_stack, "no-results");
  else
    gtk_stack_set_visible_child_name (self->sidebar_stack, "list");
}

static void
search_changed_cb (ImuWindow *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *folded = g_utf8_casefold (text, -1);
  g_autofree char *stripped = g_strstrip (g_strdup (folded));
  GtkFilterChange change = GTK_FILTER_CHANGE_DIFFERENT;

  if (g_strcmp0 (stripped, self->search_folded) == 0)
    return;
  /* Typing more only narrows the list, deleting only widens it: the
   * filter model then looks at fewer rows. */
  if (self->search_folded != NULL && strstr (stripped, self->search_folded) != NULL)
    change = GTK_FILTER_CHANGE_MORE_STRICT;
  else if (self->search_folded != NULL && strstr (self->search_folded, stripped) != NULL)
    change = GTK_FILTER_CHANGE_LESS_STRICT;
  g_free (self->search_folded);
  self->search_folded = g_steal_pointer (&stripped);
  /* Without a search there is no filter at all: the list model then passes
   * every session through at once instead of looking at each. */
  if (*self->search_folded == '\0')
    gtk_filter_list_model_set_filter (self->filter_model, NULL);
  else if (gtk_filter_list_model_get_filter (self->filter_model) == NULL)
    gtk_filter_list_model_set_filter (self->filter_model, GTK_FILTER (self->filter));
  else
    gtk_filter_changed (GTK_FILTER (self->filter), change);
  update_count (self);
}

static void
stop_search_cb (ImuWindow *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
sort_changed_cb (ImuWindow *self)
{
  guint mode = gtk_drop_down_get_selected (self->sort_dropdown);

  if (self->sorter == NULL)
    return;
  if (mode < G_N_ELEMENTS (sort_keys))
    g_settings_set_string (self->settings, "session-sort", sort_keys[mode]);
  gtk_sorter_changed (GTK_SORTER (self->sorter), GTK_SORTER_CHANGE_DIFFERENT);
}

/* The list */

static void
drop_context_menu (gpointer data)
{
  GtkWidget *menu = data;

  if (gtk_widget_get_parent (menu) != NULL)
    gtk_widget_unparent (menu);
  g_object_unref (menu);
}

static void
row_pressed_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GtkListItem     *item)
{
  GtkWidget *row = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (gesture));
  ImuWindow *self = IMU_WINDOW (gtk_widget_get_root (row));
  GtkWidget *menu;
  GdkRectangle rect = { (int) x, (int) y, 1, 1 };

  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection),
                                   gtk_list_item_get_position (item), TRUE);

  /* One menu per row widget, made on first use: rows are recycled. */
  menu = g_object_get_data (G_OBJECT (row), "context-menu");
  if (menu == NULL)
    {
      /* gtk_widget_get_template_child() finds only bound children: the
       * menu is one (before, the context menu came up empty). */
      menu = gtk_popover_menu_new_from_model (self->row_menu);
      gtk_popover_set_has_arrow (GTK_POPOVER (menu), FALSE);
      gtk_widget_set_halign (menu, GTK_ALIGN_START);
      gtk_widget_set_parent (menu, row);
      /* The row may unparent its children (the menu among them) before its
       * data goes: the data holds a reference of its own. */
      g_object_set_data_full (G_OBJECT (row), "context-menu", g_object_ref (menu), drop_context_menu);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (menu), &rect);
  gtk_popover_popup (GTK_POPOVER (menu));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
setup_row_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              ImuWindow                *self)
{
  GtkWidget *row = imu_session_row_new ();
  GtkGesture *gesture = gtk_gesture_click_new ();

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_SECONDARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (row_pressed_cb), item);
  gtk_widget_add_controller (row, GTK_EVENT_CONTROLLER (gesture));
  gtk_list_item_set_child (item, row);
}

static void
bind_row_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ImuWindow                *self)
{
  imu_session_row_set_session (IMU_SESSION_ROW (gtk_list_item_get_child (item)),
                               gtk_list_item_get_item (item));
  imu_session_row_set_sync_controller (IMU_SESSION_ROW (gtk_list_item_get_child (item)), self->sync_controller);
}

static void
unbind_row_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               ImuWindow                *self)
{
  imu_session_row_set_session (IMU_SESSION_ROW (gtk_list_item_get_child (item)), NULL);
}

static void
list_activate_cb (ImuWindow *self,
                  guint      position)
{
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
back_clicked_cb (ImuWindow *self)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
update_actions (ImuWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "delete-session");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), selected_session (self) != NULL);
  imu_window_export_update_actions (self);
}

static void
session_title_cb (ImuWindow *self)
{
  ImuSession *session = selected_session (self);

  adw_view_switcher_title_set_title (self->switcher_title,
                                     session != NULL ? imu_session_get_title (session) : "");
}

static void
selection_changed_cb (ImuWindow *self)
{
  ImuSession *session = selected_session (self);

  /* The header bar shows the selected session's title, also after a rename. */
  if (self->titled_session != NULL)
    g_signal_handlers_disconnect_by_func (self->titled_session, session_title_cb, self);
  g_set_object (&self->titled_session, session);
  if (session != NULL)
    g_signal_connect_object (session, "notify::title", G_CALLBACK (session_title_cb), self, G_CONNECT_SWAPPED);

  if (session != NULL)
    self->selected_id = imu_session_get_id (session);
  if (session != NULL || self->session_view != NULL)
    imu_session_view_set_session (imu_window_get_session_view (self), self->library, session);
  gtk_stack_set_visible_child_name (self->content_stack, session != NULL ? "session" : "none");
  /* In a narrow window the list and the session take turns: a click on a
   * row shows the session. */
  if (session != NULL)
    adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  /* Tabs only mean something with a session. */
  adw_view_switcher_title_set_stack (self->switcher_title,
                                     session != NULL ? imu_session_view_get_stack (self->session_view) : NULL);
  adw_view_switcher_bar_set_stack (self->switcher_bar,
                                   session != NULL ? imu_session_view_get_stack (self->session_view) : NULL);
  session_title_cb (self);
  update_actions (self);
}

static gboolean select_now (ImuWindow *self, ImuSession *session);

static void
visible_items_changed_cb (ImuWindow *self)
{
  update_count (self);
  /* A selection asked for while the filter was still working. */
  if (self->select_when_filtered != 0 && gtk_filter_list_model_get_pending (self->filter_model) == 0)
    {
      ImuSession *session = self->library != NULL ? imu_library_lookup (self->library, self->select_when_filtered) : NULL;

      self->select_when_filtered = 0;
      if (session != NULL)
        select_now (self, session);
    }
}

/* States */

static void
update_state (ImuWindow *self)
{
  const char *state;

  if (self->load_failed)
    state = "error";
  else if (self->library == NULL || !imu_library_get_loaded (self->library))
    state = "loading";
  else if (g_list_model_get_n_items (imu_library_get_sessions (self->library)) == 0)
    state = "empty";
  else
    state = "library";

  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (state, "loading"));
  gtk_stack_set_visible_child_name (self->main_stack, state);
  update_count (self);
}

static void
library_items_changed_cb (ImuWindow *self,
                          guint      position,
                          guint      removed,
                          guint      added)
{
  update_state (self);
  /* A new session (an import, an undone deletion) goes to the targets
   * that upload automatically. */
  if (added > 0 && self->sync_controller != NULL && self->library != NULL
      && imu_library_get_loaded (self->library))
    imu_sync_controller_upload_new (self->sync_controller);
}

static void
library_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ImuWindow) self = user_data;
  ImuLibrary *library = IMU_LIBRARY (object);
  g_autoptr(GError) error = NULL;

  if (!imu_library_load_finish (library, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || library != self->library)
        return;
      adw_status_page_set_description (self->error_page, error->message);
      self->load_failed = TRUE;
      g_ptr_array_set_size (self->queued_imports, 0);
      update_state (self);
      return;
    }
  if (library != self->library)
    return;
  update_state (self);
  if (self->sync_controller != NULL)
    imu_sync_controller_upload_new (self->sync_controller);
  if (self->selected_id != 0)
    imu_window_select_session (self, self->selected_id);
  imu_window_start_queued_imports (self);
}

static void
flush_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  GApplication *app = user_data;
  g_autoptr(GError) error = NULL;

  if (!imu_library_flush_finish (IMU_LIBRARY (object), result, &error))
    g_warning ("Could not delete sessions from %s: %s",
               imu_library_get_path (IMU_LIBRARY (object)), error->message);
  if (app != NULL)
    {
      g_application_release (app);
      g_object_unref (app);
    }
}

static void
flush_library (ImuWindow  *self,
               ImuLibrary *library)
{
  GApplication *app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));

  if (library == NULL || imu_library_get_n_pending_deletions (library) == 0)
    return;
  /* The application stays alive until the file has let them go. */
  if (app != NULL)
    g_application_hold (app);
  imu_library_flush_async (library, flush_done_cb, app != NULL ? g_object_ref (app) : NULL);
}

static void open_library (ImuWindow *self, const char *path);
static void check_disk (ImuWindow *self);
static void disk_banner_response_cb (ImuWindow *self, int response);

void
imu_window_open_library (ImuWindow  *self,
                         const char *path)
{
  g_return_if_fail (IMU_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (self->library != NULL && g_str_equal (imu_library_get_path (self->library), path))
    return;
  open_library (self, path);
}

static void
sync_error_cb (ImuWindow  *self,
               const char *message)
{
  imu_window_show_toast (self, adw_toast_new (message));
}

/* A pull brought sessions: the list is read again (the selection stays). */
static void
sessions_arrived_cb (ImuWindow *self,
                     gint64     n)
{
  g_autofree char *path = NULL;
  g_autofree char *message = NULL;
  gint64 selected = self->selected_id;

  if (self->library == NULL)
    return;
  path = g_strdup (imu_library_get_path (self->library));
  open_library (self, path);
  self->selected_id = selected;
  message = g_strdup_printf (ngettext ("%d session fetched", "%d sessions fetched", (unsigned long) n), (int) n);
  imu_window_show_toast (self, adw_toast_new (message));
}

static void
set_sync_controller (ImuWindow  *self,
                     const char *path)
{
  if (self->sync_controller != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->sync_controller, self);
      imu_sync_controller_pause (self->sync_controller);
    }
  g_clear_object (&self->sync_controller);
  self->sync_controller = imu_sync_controller_new (path);
  g_signal_connect_object (self->sync_controller, "error", G_CALLBACK (sync_error_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->sync_controller, "sessions-arrived", G_CALLBACK (sessions_arrived_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_menu_button_set_popover (self->sync_button, imu_sync_popover_new (self->sync_controller));
  imu_sync_controller_refresh (self->sync_controller);
}

static void
open_library (ImuWindow  *self,
              const char *path)
{
  g_autofree char *basename = NULL;
  g_autofree char *default_path = NULL;
  gboolean same = self->library != NULL && g_str_equal (imu_library_get_path (self->library), path);

  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);

  /* Toasts of the old library go: their deletions are committed now. */
  g_hash_table_remove_all (self->delete_toasts);
  flush_library (self, self->library);
  if (self->library != NULL)
    g_signal_handlers_disconnect_by_data (imu_library_get_sessions (self->library), self);

  if (self->session_view != NULL)
    imu_session_view_set_session (self->session_view, NULL, NULL);
  /* The subject page lets go of the old library's sessions. */
  if (gtk_stack_get_child_by_name (self->content_stack, "subject") != NULL)
    {
      imu_subject_page_set_library (IMU_SUBJECT_PAGE (gtk_stack_get_child_by_name (self->content_stack, "subject")), NULL);
      if (g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "subject") == 0)
        gtk_stack_set_visible_child_name (self->content_stack, "none");
    }
  self->selected_id = 0;
  g_set_object (&self->library, NULL);
  self->library = imu_library_new (path);
  if (!same)
    set_sync_controller (self, path);
  imu_sync_popover_set_sessions (IMU_SYNC_POPOVER (gtk_menu_button_get_popover (self->sync_button)),
                                 imu_library_get_sessions (self->library));
  gtk_sort_list_model_set_model (self->sort_model, imu_library_get_sessions (self->library));
  g_signal_connect_object (imu_library_get_sessions (self->library), "items-changed",
                           G_CALLBACK (library_items_changed_cb), self, G_CONNECT_SWAPPED);

  basename = g_filename_display_basename (path);
  adw_window_title_set_subtitle (self->library_title, basename);
  adw_window_title_set_subtitle (self->empty_title, basename);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->library_title), path);
  self->load_failed = FALSE;

  default_path = imu_store_default_path ();
  g_settings_set_string (self->settings, "last-library", g_str_equal (path, default_path) ? "" : path);

  gtk_stack_set_visible_child_name (self->main_stack, "loading");
  gtk_spinner_set_spinning (self->loading_spinner, TRUE);
  self->load_cancellable = g_cancellable_new ();
  imu_library_load_async (self->library, self->load_cancellable, library_loaded_cb, g_object_ref (self));
  self->disk_dismissed = FALSE;
  check_disk (self);
  imu_window_record_update_actions (self);
}

/* Deleting, undoably */

static void
commit_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ImuWindow) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!imu_library_commit_delete_finish (IMU_LIBRARY (object), result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not delete the session: %s"), error->message);

      if (!gtk_widget_in_destruction (GTK_WIDGET (self)))
        imu_window_show_toast (self, adw_toast_new (text));
      g_warning ("%s", text);
    }
}

static void
delete_toast_dismissed_cb (AdwToast  *toast,
                           ImuWindow *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (toast), "session-id"));
  ImuLibrary *library = g_object_get_data (G_OBJECT (toast), "library");

  /* Toasts are dismissed also while the window goes away. */
  if (self->delete_toasts != NULL)
    g_hash_table_remove (self->delete_toasts, &id);
  /* Undo took it out of the pending set already; then this does nothing. */
  imu_library_commit_delete_async (library, id, commit_done_cb, g_object_ref (self));
}

void
imu_window_delete_session (ImuWindow *self,
                           gint64     session_id)
{
  ImuSession *session;
  AdwToast *toast;
  g_autofree char *escaped = NULL;
  g_autofree char *title = NULL;
  guint position = gtk_single_selection_get_selected (self->selection);
  gboolean was_selected;

  g_return_if_fail (IMU_IS_WINDOW (self));

  if (self->library == NULL || !(session = imu_library_lookup (self->library, session_id)))
    return;
  was_selected = session == selected_session (self);

  escaped = g_markup_escape_text (imu_session_get_title (session), -1);
  /* Translators: a toast after deleting a session, with Undo */
  title = g_strdup_printf (_("Session “%s” deleted"), escaped);
  if (!imu_library_delete_session (self->library, session_id))
    return;

  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_action_name (toast, "win.undo-delete");
  adw_toast_set_action_target_value (toast, g_variant_new_int64 (session_id));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data (G_OBJECT (toast), "session-id", GSIZE_TO_POINTER ((gsize) session_id));
  g_object_set_data_full (G_OBJECT (toast), "library", g_object_ref (self->library), g_object_unref);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (delete_toast_dismissed_cb), self, 0);
  g_hash_table_insert (self->delete_toasts, g_memdup2 (&session_id, sizeof session_id), toast);
  imu_window_show_toast (self, toast);

  /* The next session takes the place of the deleted one, as in a mail
   * client, so that Delete can be pressed again. */
  if (was_selected)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));

      if (n > 0 && position != GTK_INVALID_LIST_POSITION)
        gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), MIN (position, n - 1), TRUE);
    }
}

static void
delete_session_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ImuWindow *self = user_data;
  ImuSession *session = selected_session (self);

  if (session != NULL)
    imu_window_delete_session (self, imu_session_get_id (session));
}

static void
undo_delete_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ImuWindow *self = user_data;
  gint64 id = g_variant_get_int64 (parameter);

  AdwToast *toast = g_hash_table_lookup (self->delete_toasts, &id);

  if (self->library != NULL && imu_library_undo_delete (self->library, id))
    imu_window_select_session (self, id);
  /* Undo from the keyboard or a test leaves the toast up otherwise. */
  if (toast != NULL)
    adw_toast_dismiss (toast);
}

static void
select_session_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ImuWindow *self = user_data;

  imu_window_select_session (self, g_variant_get_int64 (parameter));
  gtk_window_present (GTK_WINDOW (self));
}

static void
search_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  ImuWindow *self = user_data;

  if (g_str_equal (gtk_stack_get_visible_child_name (self->main_stack), "library"))
    {
      adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
      gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
    }
}

/* A subject's sessions over time (imu-subject-page.c), in the content
 * pane instead of a session; made on first use. */

static void
subject_title_cb (ImuWindow *self)
{
  GtkWidget *page = gtk_stack_get_child_by_name (self->content_stack, "subject");

  if (page != NULL && gtk_stack_get_visible_child (self->content_stack) == page)
    adw_view_switcher_title_set_title (self->switcher_title,
                                       imu_subject_page_get_subject (IMU_SUBJECT_PAGE (page)) != NULL
                                       ? imu_subject_page_get_subject (IMU_SUBJECT_PAGE (page)) : _("Subjects"));
}

static void
show_subject (ImuWindow  *self,
              const char *subject)
{
  GtkWidget *page = gtk_stack_get_child_by_name (self->content_stack, "subject");

  if (self->library == NULL || !imu_library_get_loaded (self->library))
    return;
  if (page == NULL)
    {
      page = imu_subject_page_new ();
      gtk_stack_add_named (self->content_stack, page, "subject");
      g_signal_connect_object (page, "notify::subject", G_CALLBACK (subject_title_cb), self, G_CONNECT_SWAPPED);
    }
  /* No session is shown beside a subject; choosing one of the page's rows
   * selects it again. */
  gtk_selection_model_unselect_all (GTK_SELECTION_MODEL (self->selection));
  imu_subject_page_set_library (IMU_SUBJECT_PAGE (page), self->library);
  if (subject == NULL || *subject == '\0')
    {
      GListModel *subjects = imu_subject_page_get_subjects (IMU_SUBJECT_PAGE (page));
      g_autoptr(GtkStringObject) first = g_list_model_get_item (subjects, 0);

      subject = first != NULL ? gtk_string_object_get_string (first) : NULL;
      imu_subject_page_set_subject (IMU_SUBJECT_PAGE (page), subject);
    }
  else
    imu_subject_page_set_subject (IMU_SUBJECT_PAGE (page), subject);
  gtk_stack_set_visible_child (self->content_stack, page);
  subject_title_cb (self);
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
show_subject_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  show_subject (user_data, g_variant_get_string (parameter, NULL));
}

/* The selected session's subject, or the first subject. */
static void
show_subjects_action (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  ImuWindow *self = user_data;
  ImuSession *session = selected_session (self);
  g_autofree char *subject = g_strdup (session != NULL ? imu_session_get_subject (session) : NULL);

  show_subject (self, subject);
}

/* The demo session */

static void
demo_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ImuWindow) self = user_data;
  g_autoptr(GError) error = NULL;
  gint64 id;

  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (self), "open-demo")), TRUE);
  if (!(id = imu_library_create_demo_finish (IMU_LIBRARY (object), result, &error)))
    {
      g_autofree char *text = g_strdup_printf (_("Could not make the demo session: %s"), error->message);

      imu_window_show_toast (self, adw_toast_new (text));
      return;
    }
  if (IMU_LIBRARY (object) == self->library)
    {
      update_state (self);
      imu_window_select_session (self, id);
    }
}

static void
open_demo_action (GSimpleAction *action,
                  GVariant      *parameter,
                  gpointer       user_data)
{
  ImuWindow *self = user_data;
  GAction *self_action = g_action_map_lookup_action (G_ACTION_MAP (self), "open-demo");

  if (self->library == NULL)
    return;
  /* Made once per click: a second click while it runs would find the
   * half-written session. */
  g_simple_action_set_enabled (G_SIMPLE_ACTION (self_action), FALSE);
  imu_window_show_toast (self, adw_toast_new (_("Making the demo session…")));
  imu_library_create_demo_async (self->library, NULL, demo_done_cb, g_object_ref (self));
}

/* Window state */

static void
save_window_state (ImuWindow *self)
{
  int width, height;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized", gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

void
imu_window_flush (ImuWindow *self)
{
  g_return_if_fail (IMU_IS_WINDOW (self));

  g_hash_table_remove_all (self->delete_toasts);
  flush_library (self, self->library);
  imu_window_cancel_imports (self);
}

static gboolean
imu_window_close_request (GtkWindow *window)
{
  ImuWindow *self = IMU_WINDOW (window);

  /* A recording asks first, and stops before the window goes. */
  if (imu_window_record_close_request (self))
    return TRUE;
  save_window_state (self);
  imu_window_flush (self);

  return GTK_WINDOW_CLASS (imu_window_parent_class)->close_request (window);
}

static void
imu_window_dispose (GObject *object)
{
  ImuWindow *self = IMU_WINDOW (object);

  imu_window_import_dispose (self);
  imu_window_export_dispose (self);
  g_clear_handle_id (&self->disk_timer, g_source_remove);
  g_cancellable_cancel (self->disk_cancellable);
  g_clear_object (&self->disk_cancellable);
  imu_window_record_dispose (self);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->library != NULL)
    {
      flush_library (self, self->library);
      g_signal_handlers_disconnect_by_data (imu_library_get_sessions (self->library), self);
    }
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_WINDOW);
  self->session_view = NULL;

  g_clear_pointer (&self->delete_toasts, g_hash_table_unref);
  if (self->titled_session != NULL)
    g_signal_handlers_disconnect_by_func (self->titled_session, session_title_cb, self);
  g_clear_object (&self->titled_session);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter);
  g_clear_object (&self->sorter);
  g_clear_object (&self->library);
  if (self->sync_controller != NULL)
    imu_sync_controller_pause (self->sync_controller);
  g_clear_object (&self->sync_controller);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (imu_window_parent_class)->dispose (object);
}

static void
imu_window_finalize (GObject *object)
{
  ImuWindow *self = IMU_WINDOW (object);

  g_free (self->search_folded);

  G_OBJECT_CLASS (imu_window_parent_class)->finalize (object);
}

static void
imu_window_class_init (ImuWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = imu_window_dispose;
  object_class->finalize = imu_window_finalize;
  window_class->close_request = imu_window_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, session_menu);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, row_menu);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, record_button);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, empty_record_button);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, empty_title);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, library_title);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, sort_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, sidebar_stack);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, list_view);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, count_label);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, switcher_title);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, session_box);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, imports_revealer);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, imports_label);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, imports_list);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, sort_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, list_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, back_clicked_cb);
  /* The subject page ("people"), for the selected session's subject. */
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_p, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.show-subjects", NULL);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, disk_banner);
  gtk_widget_class_bind_template_child (widget_class, ImuWindow, disk_label);
  gtk_widget_class_bind_template_callback (widget_class, disk_banner_response_cb);

}

/* Library operations */

/* How often the window looks at the free space of the library's disk. */
#define DISK_CHECK_INTERVAL_S 30

static void
disk_free_thread (GTask        *task,
                  gpointer      source,
                  gpointer      data,
                  GCancellable *cancellable)
{
  g_autofree char *dir = g_path_get_dirname (data);
  gint64 *free_bytes = g_new (gint64, 1);

  /* statvfs may wait on a network file system: never on the window's thread. */
  *free_bytes = imu_disk_free (dir);
  g_task_return_pointer (task, free_bytes, g_free);
}

static void
disk_free_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ImuWindow) self = user_data;
  g_autofree gint64 *free_bytes = g_task_propagate_pointer (G_TASK (result), NULL);
  double threshold_gb;
  gint64 threshold;

  if (free_bytes == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)) || self->settings == NULL)
    return;
  threshold_gb = g_settings_get_double (self->settings, "low-disk-warning-gb");
  threshold = (gint64) (threshold_gb * 1e9);
  if (*free_bytes >= 0 && threshold > 0 && *free_bytes < threshold && !self->disk_dismissed)
    {
      g_autofree char *have = g_format_size ((guint64) *free_bytes);
      g_autofree char *want = g_format_size ((guint64) threshold);
      /* Translators: the low-disk banner: "The library’s disk has 1.2 GB free, less than the 2.0 GB set in Preferences → Storage. Imports and recordings need room." */
      g_autofree char *text = g_strdup_printf (_("The library’s disk has %s free, less than the %s set in "
                                                 "Preferences → Storage. Imports and recordings need room."),
                                               have, want);

      gtk_label_set_text (self->disk_label, text);
      gtk_info_bar_set_revealed (self->disk_banner, TRUE);
    }
  else
    gtk_info_bar_set_revealed (self->disk_banner, FALSE);
}

static void
check_disk (ImuWindow *self)
{
  g_autoptr(GTask) task = NULL;

  if (self->library == NULL)
    return;
  g_cancellable_cancel (self->disk_cancellable);
  g_clear_object (&self->disk_cancellable);
  self->disk_cancellable = g_cancellable_new ();
  task = g_task_new (NULL, self->disk_cancellable, disk_free_cb, g_object_ref (self));
  g_task_set_source_tag (task, check_disk);
  g_task_set_task_data (task, g_strdup (imu_library_get_path (self->library)), g_free);
  g_task_run_in_thread (task, disk_free_thread);
}

static gboolean
disk_timer_cb (gpointer user_data)
{
  check_disk (user_data);
  return G_SOURCE_CONTINUE;
}

static void
disk_banner_response_cb (ImuWindow *self,
                         int        response)
{
  if (response == GTK_RESPONSE_CLOSE)
    {
      self->disk_dismissed = TRUE;
      gtk_info_bar_set_revealed (self->disk_banner, FALSE);
    }
}

static void
show_storage_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  GtkWidget *prefs = imu_preferences_window_new (GTK_WINDOW (user_data));

  adw_preferences_window_set_visible_page_name (ADW_PREFERENCES_WINDOW (prefs), "storage");
  gtk_window_present (GTK_WINDOW (prefs));
}

static void
backup_library_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ImuWindow *self = user_data;

  if (self->library != NULL)
    gtk_window_present (GTK_WINDOW (imu_backup_dialog_new (GTK_WINDOW (self), imu_library_get_path (self->library))));
}

static void
show_trash_action (GSimpleAction *action,
                   GVariant      *parameter,
                   gpointer       user_data)
{
  ImuWindow *self = user_data;

  /* A deletion whose toast is still up is not in the trash yet: its Undo
   * is the toast's. */
  if (self->library != NULL)
    gtk_window_present (GTK_WINDOW (imu_trash_dialog_new (GTK_WINDOW (self), self->library)));
}

static const GActionEntry win_actions[] = {
  { "delete-session", delete_session_action, NULL, NULL, NULL },
  { "undo-delete", undo_delete_action, "x", NULL, NULL },
  { "select-session", select_session_action, "x", NULL, NULL },
  { "open-demo", open_demo_action, NULL, NULL, NULL },
  { "search", search_action, NULL, NULL, NULL },
  { "show-subject", show_subject_action, "s", NULL, NULL },
  { "show-subjects", show_subjects_action, NULL, NULL, NULL },
  { "backup-library", backup_library_action, NULL, NULL, NULL },
  { "show-trash", show_trash_action, NULL, NULL, NULL },
  { "show-storage", show_storage_action, NULL, NULL, NULL },
};

static void
imu_window_init (ImuWindow *self)
{
  GtkListItemFactory *factory;
  GtkEventController *shortcuts;
  g_autofree char *sort = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (IMU_APP_ID);
  self->delete_toasts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  g_action_map_add_action_entries (G_ACTION_MAP (self), win_actions, G_N_ELEMENTS (win_actions), self);

  /* library → sorted → searched → selection. Sorting comes first so that a
   * search keeps the order without sorting again. */
  self->sorter = gtk_custom_sorter_new (sort_func, self, NULL);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->sort_model = gtk_sort_list_model_new (NULL, g_object_ref (GTK_SORTER (self->sorter)));
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)), NULL);
  /* Sorting and filtering 10,000 sessions in slices keeps the window
   * drawing while a library is read or a search is typed. */
  gtk_sort_list_model_set_incremental (self->sort_model, TRUE);
  gtk_filter_list_model_set_incremental (self->filter_model, TRUE);
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (visible_items_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_model, "notify::pending",
                           G_CALLBACK (visible_items_changed_cb), self, G_CONNECT_SWAPPED);

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row_cb), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row_cb), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  /* Delete in the list deletes the selected session; elsewhere (the
   * search entry, a text field) the key keeps its usual meaning. */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Delete, 0),
                                                          gtk_named_action_new ("win.delete-session")));
  gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (shortcuts),
                                        gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_KP_Delete, 0),
                                                          gtk_named_action_new ("win.delete-session")));
  gtk_widget_add_controller (GTK_WIDGET (self->list_view), shortcuts);

  sort = g_settings_get_string (self->settings, "session-sort");
  for (guint i = 0; i < G_N_ELEMENTS (sort_keys); i++)
    if (g_str_equal (sort, sort_keys[i]))
      gtk_drop_down_set_selected (self->sort_dropdown, i);

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  imu_window_import_init (self);
  imu_window_export_init (self);
  imu_window_record_init (self);
  imu_window_compare_init (self);
  update_actions (self);

  self->disk_timer = g_timeout_add_seconds (DISK_CHECK_INTERVAL_S, disk_timer_cb, self);
  g_signal_connect_object (self->settings, "changed::low-disk-warning-gb", G_CALLBACK (check_disk), self,
                           G_CONNECT_SWAPPED);
}

ImuWindow *
imu_window_new (GtkApplication *application)
{
  return g_object_new (IMU_TYPE_WINDOW, "application", application, NULL);
}

ImuLibrary *
imu_window_get_library (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return self->library;
}

gboolean
imu_window_select_session (ImuWindow *self,
                           gint64     session_id)
{
  ImuSession *session;

  g_return_val_if_fail (IMU_IS_WINDOW (self), FALSE);

  if (self->library == NULL || !(session = imu_library_lookup (self->library, session_id)))
    return FALSE;
  /* A search that hides the session would make selecting it fail. */
  if (!imu_session_matches (session, self->search_folded))
    gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");

  if (select_now (self, session))
    return TRUE;
  if (gtk_filter_list_model_get_pending (self->filter_model) > 0)
    {
      self->select_when_filtered = session_id;
      return TRUE;
    }
  return FALSE;
}

static gboolean
select_now (ImuWindow  *self,
            ImuSession *session)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ImuSession) item = g_list_model_get_item (G_LIST_MODEL (self->filter_model), i);

      if (item == session)
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
          gtk_widget_activate_action (GTK_WIDGET (self->list_view), "list.scroll-to-item", "u", i);
          adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
          return TRUE;
        }
    }
  return FALSE;
}

const char *
imu_window_get_state (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return gtk_stack_get_visible_child_name (self->main_stack);
}

GListModel *
imu_window_get_visible_sessions (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return G_LIST_MODEL (self->filter_model);
}

/* Returns: (transfer none): the session view, made now if it was not yet */
ImuSessionView *
imu_window_get_session_view (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);

  if (self->session_view == NULL)
    {
      self->session_view = IMU_SESSION_VIEW (imu_session_view_new ());
      g_signal_connect_object (self->session_view, "notify::loading",
                               G_CALLBACK (update_actions), self, G_CONNECT_SWAPPED);
      gtk_widget_set_vexpand (GTK_WIDGET (self->session_view), TRUE);
      gtk_box_append (self->session_box, GTK_WIDGET (self->session_view));
    }
  return self->session_view;
}

GtkListView *
imu_window_get_list_view (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return self->list_view;
}

GtkEditable *
imu_window_get_search_entry (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return GTK_EDITABLE (self->search_entry);
}

GtkDropDown *
imu_window_get_sort_dropdown (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return self->sort_dropdown;
}
