/* imu-trash-dialog.c — the sessions in the trash: restore, delete now, empty
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every change runs in a worker thread on a connection of its own, then
 * the worker reads the trash again, so what the list shows is what the
 * file holds. A restored session comes back to the window's list through
 * imu_library_refresh().
 */
#define G_LOG_DOMAIN "imu-trash-dialog"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "imu-store-ops.h"
#include "imu-trash-dialog.h"

typedef enum {
  OP_LIST,
  OP_RESTORE,
  OP_DELETE,
  OP_EMPTY,
} Op;

struct _ImuTrashDialog
{
  AdwWindow       parent_instance;

  ImuLibrary     *library;
  GCancellable   *cancellable;
  guint           busy;
  guint           n_items;

  GtkStack       *stack;
  GtkListBox     *list;
  GtkLabel       *days_label;
  GtkWidget      *empty_button;
};

G_DEFINE_FINAL_TYPE (ImuTrashDialog, imu_trash_dialog, ADW_TYPE_WINDOW)

typedef struct {
  char      *path;
  Op         op;
  gint64     session_id;
  GPtrArray *items;   /* the trash afterwards */
  gint64     days;
} Job;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_clear_pointer (&job->items, g_ptr_array_unref);
  g_free (job);
}

static void
job_thread (GTask        *task,
            gpointer      source,
            gpointer      data,
            GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (job->path, &error);
  gboolean ok = store != NULL;

  if (ok)
    switch (job->op)
      {
      case OP_RESTORE:
        ok = imu_store_untrash_session (store, job->session_id, &error);
        break;
      case OP_DELETE:
        ok = imu_store_delete_trashed (store, job->session_id, &error);
        break;
      case OP_EMPTY:
        ok = imu_store_empty_trash (store, 0, g_get_real_time (), &error) >= 0;
        break;
      case OP_LIST:
      default:
        break;
      }
  /* Read again also after a failure: the list shows what is there. */
  if (store != NULL)
    {
      g_autoptr(GError) list_error = NULL;

      job->items = imu_store_list_trash (store, ok ? &error : &list_error);
      job->days = imu_store_get_trash_days (store, ok ? &error : &list_error);
      ok = ok && job->items != NULL && job->days >= 0;
    }
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static char *
format_day (gint64 us)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_local (utc) : NULL;

  /* Translators: a date and time in the trash's list (strftime format) */
  return local != NULL ? g_date_time_format (local, _("%-d %b %Y, %H:%M")) : g_strdup ("?");
}

static void
restore_clicked_cb (GtkButton      *button,
                    ImuTrashDialog *self)
{
  imu_trash_dialog_restore (self, (gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "session-id")));
}

static void
delete_clicked_cb (GtkButton      *button,
                   ImuTrashDialog *self)
{
  imu_trash_dialog_delete_now (self, (gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (button), "session-id")));
}

static GtkWidget *
make_row (ImuTrashDialog     *self,
          const ImuTrashItem *item,
          gint64              days)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *restore = gtk_button_new_with_mnemonic (_("_Restore"));
  GtkWidget *remove = gtk_button_new_with_mnemonic (_("_Delete Now"));
  g_autofree char *title = g_markup_escape_text (item->title != NULL && *item->title ? item->title : _("Untitled"), -1);
  g_autofree char *deleted = format_day (item->trashed_us);
  g_autofree char *expires = format_day (item->trashed_us + days * 86400 * G_USEC_PER_SEC);
  /* Translators: under a session in the trash: "Deleted 7 Dec 2026, 22:37 · gone for good after 6 Jan 2027, 22:37" */
  g_autofree char *subtitle = g_strdup_printf (_("Deleted %s · gone for good after %s"), deleted, expires);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  g_object_set_data (G_OBJECT (row), "session-id", GSIZE_TO_POINTER ((gsize) item->session_id));
  for (guint i = 0; i < 2; i++)
    {
      GtkWidget *button = i == 0 ? restore : remove;

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (button), "session-id", GSIZE_TO_POINTER ((gsize) item->session_id));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
    }
  gtk_widget_add_css_class (remove, "destructive-action");
  g_signal_connect_object (restore, "clicked", G_CALLBACK (restore_clicked_cb), self, 0);
  g_signal_connect_object (remove, "clicked", G_CALLBACK (delete_clicked_cb), self, 0);
  return row;
}

static void
show_items (ImuTrashDialog *self,
            GPtrArray      *items,
            gint64          days)
{
  GtkWidget *child;
  g_autofree char *days_text = NULL;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  for (guint i = 0; i < items->len; i++)
    gtk_list_box_append (self->list, make_row (self, g_ptr_array_index (items, i), days));
  self->n_items = items->len;
  days_text = g_strdup_printf (ngettext ("Deleted sessions stay here for %d day, then they are gone for good. "
                                         "Preferences → Storage sets how long.",
                                         "Deleted sessions stay here for %d days, then they are gone for good. "
                                         "Preferences → Storage sets how long.", (unsigned long) days), (int) days);
  gtk_label_set_text (self->days_label, days_text);
  gtk_stack_set_visible_child_name (self->stack, items->len > 0 ? "list" : "empty");
  gtk_widget_set_sensitive (self->empty_button, items->len > 0);
}

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(ImuTrashDialog) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  Job *job = g_task_get_task_data (G_TASK (result));
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  g_weak_ref_clear (weak);
  g_free (weak);
  if (self == NULL)
    return;
  self->busy--;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;
  if (job->items != NULL)
    show_items (self, job->items, MAX (job->days, 0));
  if (job->op == OP_RESTORE && ok && self->library != NULL)
    imu_library_refresh (self->library);
  if (!ok)
    {
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("The Trash Could Not Be Changed"),
                                                           error->message));
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"), NULL);
      gtk_window_present (GTK_WINDOW (dialog));
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->list), self->busy == 0);
}

static void
run (ImuTrashDialog *self,
     Op              op,
     gint64          session_id)
{
  /* The task holds the dialog weakly: a dialog that has gone must not be
   * finalized late by a worker's result, after its parent. */
  GWeakRef *weak = g_new0 (GWeakRef, 1);
  g_autoptr(GTask) task = NULL;
  Job *job = g_new0 (Job, 1);

  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->cancellable, job_done_cb, weak);

  job->path = g_strdup (imu_library_get_path (self->library));
  job->op = op;
  job->session_id = session_id;
  self->busy++;
  gtk_widget_set_sensitive (GTK_WIDGET (self->list), FALSE);
  g_task_set_source_tag (task, run);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_thread);
}

static void
empty_response_cb (AdwMessageDialog *dialog,
                   const char       *response,
                   ImuTrashDialog   *self)
{
  if (g_str_equal (response, "empty"))
    run (self, OP_EMPTY, 0);
}

static void
empty_clicked_cb (ImuTrashDialog *self)
{
  imu_trash_dialog_empty (self);
}

static void
imu_trash_dialog_dispose (GObject *object)
{
  ImuTrashDialog *self = IMU_TRASH_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_TRASH_DIALOG);
  g_clear_object (&self->library);

  G_OBJECT_CLASS (imu_trash_dialog_parent_class)->dispose (object);
}

static void
imu_trash_dialog_finalize (GObject *object)
{
  ImuTrashDialog *self = IMU_TRASH_DIALOG (object);

  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (imu_trash_dialog_parent_class)->finalize (object);
}

static void
imu_trash_dialog_class_init (ImuTrashDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_trash_dialog_dispose;
  object_class->finalize = imu_trash_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-trash-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuTrashDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ImuTrashDialog, list);
  gtk_widget_class_bind_template_child (widget_class, ImuTrashDialog, days_label);
  gtk_widget_class_bind_template_child (widget_class, ImuTrashDialog, empty_button);
  gtk_widget_class_bind_template_callback (widget_class, empty_clicked_cb);
}

static void
imu_trash_dialog_init (ImuTrashDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

/**
 * imu_trash_dialog_new:
 *
 * Does not block.
 */
ImuTrashDialog *
imu_trash_dialog_new (GtkWindow  *parent,
                      ImuLibrary *library)
{
  ImuTrashDialog *self;

  g_return_val_if_fail (IMU_IS_LIBRARY (library), NULL);

  self = g_object_new (IMU_TYPE_TRASH_DIALOG, "transient-for", parent, NULL);
  self->library = g_object_ref (library);
  run (self, OP_LIST, 0);
  return self;
}

gboolean
imu_trash_dialog_get_busy (ImuTrashDialog *self)
{
  g_return_val_if_fail (IMU_IS_TRASH_DIALOG (self), FALSE);
  return self->busy > 0;
}

guint
imu_trash_dialog_get_n_items (ImuTrashDialog *self)
{
  g_return_val_if_fail (IMU_IS_TRASH_DIALOG (self), 0);
  return self->n_items;
}

GtkWidget *
imu_trash_dialog_get_row (ImuTrashDialog *self,
                          gint64          session_id)
{
  g_return_val_if_fail (IMU_IS_TRASH_DIALOG (self), NULL);

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->list)); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    if ((gint64) GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (row), "session-id")) == session_id)
      return row;
  return NULL;
}

void
imu_trash_dialog_restore (ImuTrashDialog *self,
                          gint64          session_id)
{
  g_return_if_fail (IMU_IS_TRASH_DIALOG (self));
  run (self, OP_RESTORE, session_id);
}

void
imu_trash_dialog_delete_now (ImuTrashDialog *self,
                             gint64          session_id)
{
  g_return_if_fail (IMU_IS_TRASH_DIALOG (self));
  run (self, OP_DELETE, session_id);
}

AdwMessageDialog *
imu_trash_dialog_empty (ImuTrashDialog *self)
{
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  g_return_val_if_fail (IMU_IS_TRASH_DIALOG (self), NULL);

  body = g_strdup_printf (ngettext ("The %u session in the trash is deleted for good, with its samples and events. "
                                    "This cannot be undone.",
                                    "The %u sessions in the trash are deleted for good, with their samples and "
                                    "events. This cannot be undone.", self->n_items), self->n_items);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Empty the Trash?"), body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "empty", _("_Empty Trash"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "empty", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (empty_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}
