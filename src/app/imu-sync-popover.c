/* imu-sync-popover.c — the sync queue, from the header bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Shows what the controller knows (it reads the library off the main
 * thread); the buttons only ask the controller, which does the work in its
 * worker thread. Pause cancels the transfers in flight: they stay queued
 * and resume where they were.
 */
#define G_LOG_DOMAIN "imu-sync-popover"

#include <glib/gi18n.h>

#include "imu-context.h"
#include "imu-session.h"
#include "imu-sync-popover.h"

struct _ImuSyncPopover
{
  GtkPopover         parent_instance;

  ImuSyncController *controller;
  GtkListBox        *list;
  GtkWidget         *empty_label;
  int                n_targets;    /* -1 until read */
  GtkWidget         *sync_button;
  GtkWidget         *pause_button;
  GtkWidget         *spinner;
  GtkBox            *pull_box;
  guint              n_items;
  GListModel        *sessions;   /* ImuSession*, for titles; nullable */
  GCancellable      *cancellable;
  gboolean           targets_loading;
};

G_DEFINE_FINAL_TYPE (ImuSyncPopover, imu_sync_popover, GTK_TYPE_POPOVER)

static const char *
state_label (const ImuSyncItem *item)
{
  switch (item->state)
    {
    case IMU_SYNC_STATE_QUEUED:          return _("Waiting");
    case IMU_SYNC_STATE_TRANSFERRING:    return item->direction == IMU_SYNC_PUSH ? _("Sending") : _("Receiving");
    case IMU_SYNC_STATE_VERIFYING:       return _("Verifying");
    case IMU_SYNC_STATE_DONE:            return _("Done");
    case IMU_SYNC_STATE_RETRYING:        return _("Will try again");
    case IMU_SYNC_STATE_NEEDS_ATTENTION: return _("Needs attention");
    default:                             return "";
    }
}

/* The session's title when the library has it (a pull's may not be
 * there yet), else the start of its uuid. */
static char *
item_name (ImuSyncPopover *self, const ImuSyncItem *item)
{
  guint n = self->sessions != NULL ? g_list_model_get_n_items (self->sessions) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ImuSession) session = g_list_model_get_item (self->sessions, i);

      if (g_strcmp0 (imu_session_get_uuid (session), item->session_uuid) == 0
          && imu_session_get_title (session) != NULL && imu_session_get_title (session)[0] != '\0')
        return g_strdup (imu_session_get_title (session));
    }
  return g_strndup (item->session_uuid, 8);
}

static GtkWidget *
item_row (ImuSyncPopover *self, const ImuSyncItem *item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title, *state, *bar;
  g_autofree char *text = NULL;
  g_autofree char *uuid = item_name (self, item);

  /* TRANSLATORS: "session 1a2b3c4d → target" (sending) or "← target" (fetching) */
  text = item->direction == IMU_SYNC_PUSH ? g_strdup_printf (_("%s → %s"), uuid, item->target_name)
                                          : g_strdup_printf (_("%s ← %s"), uuid, item->target_name);
  title = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (title, TRUE);
  state = gtk_label_new (state_label (item));
  gtk_widget_add_css_class (state, "caption");
  if (item->state == IMU_SYNC_STATE_NEEDS_ATTENTION)
    gtk_widget_add_css_class (state, "error");
  else
    gtk_widget_add_css_class (state, "dim-label");
  gtk_box_append (GTK_BOX (top), title);
  gtk_box_append (GTK_BOX (top), state);
  gtk_box_append (GTK_BOX (box), top);

  bar = gtk_progress_bar_new ();
  if (item->state == IMU_SYNC_STATE_DONE)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), 1.0);
  else if (item->bytes_total > 0)
    gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar),
                                   CLAMP ((double) item->bytes_done / (double) item->bytes_total, 0.0, 1.0));
  gtk_box_append (GTK_BOX (box), bar);
  if (item->last_error != NULL && item->state != IMU_SYNC_STATE_DONE)
    {
      GtkWidget *err = gtk_label_new (item->last_error);

      gtk_label_set_wrap (GTK_LABEL (err), TRUE);
      gtk_label_set_xalign (GTK_LABEL (err), 0);
      gtk_label_set_max_width_chars (GTK_LABEL (err), 40);
      gtk_widget_add_css_class (err, "caption");
      gtk_box_append (GTK_BOX (box), err);
    }
  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  return box;
}

static void
update_buttons (ImuSyncPopover *self)
{
  gboolean paused = imu_sync_controller_get_paused (self->controller);
  gboolean running = imu_sync_controller_get_running (self->controller);

  gtk_button_set_label (GTK_BUTTON (self->pause_button), paused ? _("_Resume") : _("_Pause"));
  gtk_widget_set_sensitive (self->pause_button, running || paused);
  gtk_widget_set_visible (self->spinner, running);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), running);
}

/* With no transfers listed: either there is no target to sync to, or
 * nothing waits for one (it said "add a target" to people who had one). */
static void
update_empty_label (ImuSyncPopover *self)
{
  if (self->n_targets == 0)
    gtk_label_set_text (GTK_LABEL (self->empty_label), _("No sync targets yet. Add one in Preferences → Sync."));
  else if (self->n_targets > 0)
    gtk_label_set_text (GTK_LABEL (self->empty_label), _("Nothing is waiting to be sent or fetched."));
  else
    gtk_label_set_text (GTK_LABEL (self->empty_label), "");
}

static void
update_list (ImuSyncPopover *self)
{
  GPtrArray *items = imu_sync_controller_get_items (self->controller);

  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL;)
    gtk_list_box_remove (self->list, child);
  /* Newest first: what just happened is on top. */
  for (guint i = items->len; i > 0; i--)
    gtk_list_box_append (self->list, item_row (self, g_ptr_array_index (items, i - 1)));
  self->n_items = items->len;
  update_empty_label (self);
  gtk_widget_set_visible (self->empty_label, items->len == 0);
  gtk_widget_set_visible (GTK_WIDGET (self->list), items->len > 0);
}

static void
pause_clicked_cb (ImuSyncPopover *self)
{
  if (imu_sync_controller_get_paused (self->controller))
    imu_sync_controller_sync_now (self->controller);
  else
    imu_sync_controller_pause (self->controller);
}

static void
pull_clicked_cb (GtkButton *button, ImuSyncPopover *self)
{
  imu_sync_controller_pull (self->controller, g_object_get_data (G_OBJECT (button), "target-name"));
}

static void
targets_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (data, &error);
  GPtrArray *targets = store != NULL ? imu_sync_queue_list_targets (store, &error) : NULL;

  if (targets == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, targets, (GDestroyNotify) g_ptr_array_unref);
}

static void
targets_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  ImuSyncPopover *self = IMU_SYNC_POPOVER (source);
  g_autoptr(GPtrArray) targets = g_task_propagate_pointer (G_TASK (result), NULL);

  self->targets_loading = FALSE;
  /* A popover disposed meanwhile: its widgets are gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self->pull_box))) != NULL;)
    gtk_box_remove (self->pull_box, child);
  for (guint i = 0; targets != NULL && i < targets->len; i++)
    {
      const ImuSyncTargetConfig *t = g_ptr_array_index (targets, i);
      g_autofree char *label = g_strdup_printf (_("Get Sessions from %s…"), t->name);
      GtkWidget *b = gtk_button_new_with_label (label);

      gtk_widget_add_css_class (b, "flat");
      g_object_set_data_full (G_OBJECT (b), "target-name", g_strdup (t->name), g_free);
      g_signal_connect_object (b, "clicked", G_CALLBACK (pull_clicked_cb), self, 0);
      gtk_box_append (self->pull_box, b);
    }
  gtk_widget_set_sensitive (self->sync_button, targets != NULL && targets->len > 0);
  self->n_targets = targets != NULL ? (int) targets->len : 0;
  update_empty_label (self);
}

void
imu_sync_popover_reload_targets (ImuSyncPopover *self)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (IMU_IS_SYNC_POPOVER (self));
  if (self->targets_loading)
    return;
  self->targets_loading = TRUE;
  task = g_task_new (self, NULL, targets_done_cb, NULL);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, g_strdup (imu_sync_controller_get_library_path (self->controller)), g_free);
  imu_task_run_in_thread (task, targets_thread);
}

guint
imu_sync_popover_get_n_items (ImuSyncPopover *self)
{
  g_return_val_if_fail (IMU_IS_SYNC_POPOVER (self), 0);
  return self->n_items;
}

static void
imu_sync_popover_show (GtkWidget *widget)
{
  ImuSyncPopover *self = IMU_SYNC_POPOVER (widget);

  GTK_WIDGET_CLASS (imu_sync_popover_parent_class)->show (widget);
  imu_sync_popover_reload_targets (self);
  imu_sync_controller_refresh (self->controller);
}

static void
imu_sync_popover_dispose (GObject *object)
{
  ImuSyncPopover *self = IMU_SYNC_POPOVER (object);

  g_cancellable_cancel (self->cancellable);
  if (self->controller != NULL)
    g_signal_handlers_disconnect_by_data (self->controller, self);
  g_clear_object (&self->controller);
  g_clear_object (&self->sessions);
  G_OBJECT_CLASS (imu_sync_popover_parent_class)->dispose (object);
}

static void
imu_sync_popover_finalize (GObject *object)
{
  g_object_unref (IMU_SYNC_POPOVER (object)->cancellable);
  G_OBJECT_CLASS (imu_sync_popover_parent_class)->finalize (object);
}

static void
imu_sync_popover_class_init (ImuSyncPopoverClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = imu_sync_popover_dispose;
  G_OBJECT_CLASS (klass)->finalize = imu_sync_popover_finalize;
  GTK_WIDGET_CLASS (klass)->show = imu_sync_popover_show;
}

static void
imu_sync_popover_init (ImuSyncPopover *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *heading = gtk_label_new (_("Sync"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  self->cancellable = g_cancellable_new ();
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_hexpand (heading, TRUE);
  self->spinner = gtk_spinner_new ();
  gtk_box_append (GTK_BOX (buttons), heading);
  gtk_box_append (GTK_BOX (buttons), self->spinner);
  self->pause_button = gtk_button_new_with_mnemonic (_("_Pause"));
  g_signal_connect_swapped (self->pause_button, "clicked", G_CALLBACK (pause_clicked_cb), self);
  gtk_box_append (GTK_BOX (buttons), self->pause_button);
  self->sync_button = gtk_button_new_with_mnemonic (_("Sync _Now"));
  gtk_widget_add_css_class (self->sync_button, "suggested-action");
  gtk_box_append (GTK_BOX (buttons), self->sync_button);
  gtk_box_append (GTK_BOX (box), buttons);

  self->n_targets = -1;
  self->empty_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->empty_label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (self->empty_label), 36);
  gtk_widget_add_css_class (self->empty_label, "dim-label");
  gtk_box_append (GTK_BOX (box), self->empty_label);

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  /* Room for the boxed list's border and shadow inside the scrolled window. */
  gtk_widget_set_margin_start (GTK_WIDGET (self->list), 2);
  gtk_widget_set_margin_end (GTK_WIDGET (self->list), 2);
  gtk_widget_set_margin_top (GTK_WIDGET (self->list), 2);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->list), 4);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->list));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 360);
  gtk_widget_set_size_request (scrolled, 340, -1);
  gtk_box_append (GTK_BOX (box), scrolled);

  self->pull_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 0));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->pull_box));
  gtk_popover_set_child (GTK_POPOVER (self), box);
}

GtkWidget *
imu_sync_popover_new (ImuSyncController *controller)
{
  ImuSyncPopover *self = g_object_new (IMU_TYPE_SYNC_POPOVER, NULL);

  self->controller = g_object_ref (controller);
  g_signal_connect_object (self->sync_button, "clicked", G_CALLBACK (imu_sync_controller_sync_now),
                           controller, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (controller, "changed", G_CALLBACK (update_list), self);
  g_signal_connect_swapped (controller, "notify::running", G_CALLBACK (update_buttons), self);
  g_signal_connect_swapped (controller, "notify::paused", G_CALLBACK (update_buttons), self);
  update_list (self);
  update_buttons (self);
  return GTK_WIDGET (self);
}

void
imu_sync_popover_set_sessions (ImuSyncPopover *self, GListModel *sessions)
{
  g_return_if_fail (IMU_IS_SYNC_POPOVER (self));
  g_set_object (&self->sessions, sessions);
  update_list (self);
}
