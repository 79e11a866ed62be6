/* imu-window-compare.c — the window's comparisons: Compare With…, saved ones
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-window"

#include <glib/gi18n.h>

#include "imu-compare-view.h"
#include "imu-comparison-store.h"
#include "imu-session-view.h"
#include "imu-window-private.h"

static ImuCompareView *ensure_view (ImuWindow *self);

static void
view_closed_cb (ImuCompareView *view, ImuWindow *self)
{
  ImuSession *session = self->library != NULL && self->selected_id > 0
                        ? imu_library_lookup (self->library, self->selected_id) : NULL;
  AdwViewStack *tabs = session != NULL && self->session_view != NULL ? imu_session_view_get_stack (self->session_view) : NULL;

  gtk_stack_set_visible_child_name (self->content_stack, tabs != NULL ? "session" : "none");
  adw_view_switcher_title_set_stack (self->switcher_title, tabs);
  adw_view_switcher_bar_set_stack (self->switcher_bar, tabs);
  adw_view_switcher_title_set_title (self->switcher_title, session != NULL ? imu_session_get_title (session) : "");
  /* Back to the list the comparison was started from (rather than to
   * whatever GTK picks next, such as the session's title field). */
  gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
view_saved_cb (ImuCompareView *view, gint64 id, ImuWindow *self)
{
  imu_window_show_toast (self, adw_toast_new (_("Comparison saved")));
}

static ImuCompareView *
ensure_view (ImuWindow *self)
{
  if (self->compare_view == NULL)
    {
      self->compare_view = IMU_COMPARE_VIEW (imu_compare_view_new ());
      gtk_stack_add_named (self->content_stack, GTK_WIDGET (self->compare_view), "compare");
      g_signal_connect_object (self->compare_view, "closed", G_CALLBACK (view_closed_cb), self, 0);
      g_signal_connect_object (self->compare_view, "saved", G_CALLBACK (view_saved_cb), self, 0);
    }
  return self->compare_view;
}

static void
show_view (ImuWindow *self)
{
  gtk_stack_set_visible_child_name (self->content_stack, "compare");
  adw_view_switcher_title_set_stack (self->switcher_title, NULL);
  adw_view_switcher_bar_set_stack (self->switcher_bar, NULL);
  adw_view_switcher_title_set_title (self->switcher_title, _("Comparison"));
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  gtk_widget_grab_focus (imu_compare_view_get_plot (self->compare_view));
}

/* win.compare-sessions (ax): 2 to 4 session ids, the reference first. */
static void
compare_sessions_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ImuWindow *self = user_data;
  gsize n = 0;
  const gint64 *ids = g_variant_get_fixed_array (param, &n, sizeof (gint64));

  if (self->library == NULL || n < 2 || n > IMU_COMPARE_MAX_SESSIONS)
    return;
  imu_compare_view_open (ensure_view (self), self->library, ids, (guint) n);
  show_view (self);
}

/* win.open-comparison (x): a saved comparison. */
static void
open_comparison_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ImuWindow *self = user_data;

  if (self->library == NULL)
    return;
  imu_compare_view_open_saved (ensure_view (self), self->library, g_variant_get_int64 (param));
  show_view (self);
}

/* ---- Compare With… ---- */

static void
check_toggled_cb (GtkCheckButton *check, AdwMessageDialog *dialog)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "checks");
  guint n = 0;

  for (guint i = 0; i < checks->len; i++)
    if (gtk_check_button_get_active (g_ptr_array_index (checks, i)))
      n++;
  adw_message_dialog_set_response_enabled (dialog, "compare", n >= 1 && n < IMU_COMPARE_MAX_SESSIONS);
}

static void
compare_with_response_cb (AdwMessageDialog *dialog, const char *response, ImuWindow *self)
{
  GPtrArray *checks = g_object_get_data (G_OBJECT (dialog), "checks");
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 first = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "first-id");

  if (!g_str_equal (response, "compare") || first <= 0)
    return;
  g_array_append_val (ids, first);
  for (guint i = 0; i < checks->len && ids->len < IMU_COMPARE_MAX_SESSIONS; i++)
    {
      GtkCheckButton *check = g_ptr_array_index (checks, i);

      if (gtk_check_button_get_active (check))
        {
          gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (check), "session-id");

          g_array_append_val (ids, id);
        }
    }
  if (ids->len >= 2)
    g_action_group_activate_action (G_ACTION_GROUP (self), "compare-sessions",
                                    g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ids->data, ids->len,
                                                               sizeof (gint64)));
}

static void
compare_with_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ImuWindow *self = user_data;
  ImuSession *first = self->library != NULL && self->selected_id > 0
                      ? imu_library_lookup (self->library, self->selected_id) : NULL;
  GListModel *sessions;
  GtkWidget *dialog, *list, *scroller;
  GPtrArray *checks;
  gint64 *first_id;
  g_autofree char *body = NULL;

  if (first == NULL)
    return;
  sessions = imu_library_get_sessions (self->library);
  /* TRANSLATORS: %s is the session's title */
  body = g_strdup_printf (_("Choose one to three sessions to show with “%s”, which is the reference."),
                          imu_session_get_title (first));
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Compare With"), body);
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Sessions"), -1);
  checks = g_ptr_array_new ();
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr(ImuSession) s = g_list_model_get_item (sessions, i);
      GtkWidget *check;
      gint64 *id;

      if (imu_session_get_id (s) == self->selected_id)
        continue;
      check = gtk_check_button_new_with_label (imu_session_get_title (s));
      gtk_widget_set_margin_start (check, 6);
      gtk_widget_set_margin_top (check, 6);
      gtk_widget_set_margin_bottom (check, 6);
      id = g_new (gint64, 1);
      *id = imu_session_get_id (s);
      g_object_set_data_full (G_OBJECT (check), "session-id", id, g_free);
      g_signal_connect (check, "toggled", G_CALLBACK (check_toggled_cb), dialog);
      gtk_list_box_append (GTK_LIST_BOX (list), check);
      g_ptr_array_add (checks, check);
    }
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"),
                                    "compare", _("_Compare"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "compare", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "compare", FALSE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  first_id = g_new (gint64, 1);
  *first_id = self->selected_id;
  g_object_set_data_full (G_OBJECT (dialog), "first-id", first_id, g_free);
  g_object_set_data_full (G_OBJECT (dialog), "checks", checks, (GDestroyNotify) g_ptr_array_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (compare_with_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- Saved Comparisons ---- */

typedef struct {
  char   *path;
  gint64  delete_id;   /* 0: only list */
} ListJob;

static void
list_job_free (ListJob *job)
{
  g_free (job->path);
  g_free (job);
}

static void
list_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ListJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (job->path, &error);
  GPtrArray *list;

  if (store == NULL || (job->delete_id > 0 && !imu_comparison_store_delete (store, job->delete_id, &error))
      || !(list = imu_comparison_store_list (store, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, list, (GDestroyNotify) g_ptr_array_unref);
}

static void run_list (AdwMessageDialog *dialog, gint64 delete_id);

static void
open_row_cb (GtkButton *button, AdwMessageDialog *dialog)
{
  ImuWindow *self = IMU_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (button), "comparison-id");

  gtk_window_close (GTK_WINDOW (dialog));
  g_action_group_activate_action (G_ACTION_GROUP (self), "open-comparison", g_variant_new_int64 (id));
}

static void
delete_row_cb (GtkButton *button, AdwMessageDialog *dialog)
{
  run_list (dialog, *(gint64 *) g_object_get_data (G_OBJECT (button), "comparison-id"));
}

static void
list_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(AdwMessageDialog) dialog = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = g_task_propagate_pointer (G_TASK (result), &error);
  GtkListBox *box = g_object_get_data (G_OBJECT (dialog), "list");
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_list_box_remove (box, child);
  if (list == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot read the saved comparisons: %s"), error->message);

      adw_message_dialog_set_body (dialog, text);
      return;
    }
  adw_message_dialog_set_body (dialog, list->len == 0 ? _("No comparisons are saved in this library yet: "
                                                          "open one with Compare With… in a session’s menu, "
                                                          "then Save.")
                                                      : "");
  for (guint i = 0; i < list->len; i++)
    {
      const ImuSavedComparison *c = g_ptr_array_index (list, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *open = gtk_button_new_with_mnemonic (_("_Open"));
      GtkWidget *del = gtk_button_new_from_icon_name ("user-trash-symbolic");
      g_autoptr(GString) sub = g_string_new (NULL);
      gint64 *id1 = g_new (gint64, 1), *id2 = g_new (gint64, 1);

      for (guint k = 0; k < c->n_members; k++)
        {
          if (k > 0)
            g_string_append (sub, _(" vs "));
          g_string_append (sub, c->members[k].session_title);
        }
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), c->title);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), sub->str);
      *id1 = *id2 = c->id;
      g_object_set_data_full (G_OBJECT (open), "comparison-id", id1, g_free);
      g_object_set_data_full (G_OBJECT (del), "comparison-id", id2, g_free);
      gtk_widget_set_valign (open, GTK_ALIGN_CENTER);
      gtk_widget_set_valign (del, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (del, "flat");
      gtk_widget_set_tooltip_text (del, _("Delete the comparison (not its sessions)"));
      g_signal_connect (open, "clicked", G_CALLBACK (open_row_cb), dialog);
      g_signal_connect (del, "clicked", G_CALLBACK (delete_row_cb), dialog);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), open);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), del);
      gtk_list_box_append (box, row);
    }
}

static void
run_list (AdwMessageDialog *dialog, gint64 delete_id)
{
  ImuWindow *self = IMU_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (dialog)));
  g_autoptr(GTask) task = g_task_new (NULL, NULL, list_done_cb, g_object_ref (dialog));
  ListJob *job = g_new0 (ListJob, 1);

  job->path = g_strdup (imu_library_get_path (self->library));
  job->delete_id = delete_id;
  g_task_set_source_tag (task, run_list);
  g_task_set_task_data (task, job, (GDestroyNotify) list_job_free);
  g_task_run_in_thread (task, list_worker);
}

static void
comparisons_action (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  ImuWindow *self = user_data;
  GtkWidget *dialog, *list, *scroller;

  if (self->library == NULL)
    return;
  dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Saved Comparisons"), _("Reading…"));
  list = gtk_list_box_new ();
  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");
  gtk_accessible_update_property (GTK_ACCESSIBLE (list), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Saved Comparisons"), -1);
  scroller = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scroller), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scroller), 360);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroller), list);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), scroller);
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  g_object_set_data (G_OBJECT (dialog), "list", list);
  gtk_window_present (GTK_WINDOW (dialog));
  run_list (ADW_MESSAGE_DIALOG (dialog), 0);
}

static void
update_compare_actions (ImuWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "compare-with");
  gboolean can = self->library != NULL && self->selected_id > 0
                 && imu_library_lookup (self->library, self->selected_id) != NULL
                 && g_list_model_get_n_items (imu_library_get_sessions (self->library)) >= 2;

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), can);
}

static void
selected_cb (ImuWindow *self)
{
  update_compare_actions (self);
}

static const GActionEntry compare_actions[] = {
  { "compare-sessions", compare_sessions_action, "ax", NULL, NULL },
  { "open-comparison", open_comparison_action, "x", NULL, NULL },
  { "compare-with", compare_with_action, NULL, NULL, NULL },
  { "comparisons", comparisons_action, NULL, NULL, NULL },
};

void
imu_window_compare_init (ImuWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), compare_actions, G_N_ELEMENTS (compare_actions), self);
  g_signal_connect_object (self->selection, "notify::selected-item", G_CALLBACK (selected_cb), self, G_CONNECT_SWAPPED);
  update_compare_actions (self);
}
