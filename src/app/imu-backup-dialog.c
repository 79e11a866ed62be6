/* imu-backup-dialog.c — File → Back Up Library…: where, progress, the check's result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog offers a file (GtkFileChooserNative: GTK 4.8 has no
 * GtkFileDialog) or, when the library has sync targets, one of them. A
 * worker thread opens its own connection and runs imu_store_backup() or
 * imu_sync_backup_put(), both of which copy with SQLite's online backup
 * API and refuse a copy that fails PRAGMA integrity_check; the window
 * behind stays usable meanwhile (the dialog stops being modal), and
 * closing the dialog cancels the backup.
 */
#define G_LOG_DOMAIN "imu-backup-dialog"

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "imu-backup-dialog.h"
#include "imu-store-ops.h"
#include "imu-sync-backup.h"
#include "imu-sync-queue.h"
#include "imu-sync-targets.h"

/* How often the progress bar follows the worker's count. */
#define PROGRESS_INTERVAL_MS 100

/* What the worker and the dialog share: the worker writes the counts, the
 * dialog's timeout reads them. */
typedef struct {
  gint   ref_count;
  GMutex lock;
  gint64 done;
  gint64 total;
} Progress;

struct _ImuBackupDialog
{
  AdwWindow       parent_instance;

  char           *library_path;
  GStrv           targets;       /* names, once read */
  GCancellable   *cancellable;   /* of the running backup; NULL when none */
  GCancellable   *targets_cancellable;
  Progress       *progress;
  guint           progress_source;
  const char     *outcome;
  char           *message;
  gboolean        destroyed;

  GtkStack       *stack;
  AdwActionRow   *target_row;
  GtkDropDown    *target_dropdown;
  GtkLabel       *progress_title;
  GtkLabel       *destination_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_label;
  GtkWidget      *cancel_button;
  AdwStatusPage  *result_page;
};

G_DEFINE_FINAL_TYPE (ImuBackupDialog, imu_backup_dialog, ADW_TYPE_WINDOW)

static Progress *
progress_ref (Progress *p)
{
  g_atomic_int_inc (&p->ref_count);
  return p;
}

static void
progress_unref (Progress *p)
{
  if (g_atomic_int_dec_and_test (&p->ref_count))
    {
      g_mutex_clear (&p->lock);
      g_free (p);
    }
}

/* In the worker. */
static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Progress *p = user_data;

  g_mutex_lock (&p->lock);
  p->total = (gint64) total;
  p->done = (gint64) done;
  g_mutex_unlock (&p->lock);
}

static gboolean
progress_tick_cb (gpointer user_data)
{
  ImuBackupDialog *self = user_data;
  g_autofree char *text = NULL;
  gint64 done, total;
  double fraction;

  g_mutex_lock (&self->progress->lock);
  done = self->progress->done;
  total = self->progress->total;
  g_mutex_unlock (&self->progress->lock);
  fraction = total > 0 ? CLAMP ((double) done / (double) total, 0.0, 1.0) : 0.0;

  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    return G_SOURCE_CONTINUE;
  gtk_progress_bar_set_fraction (self->progress_bar, fraction);
  /* Translators: how far a backup has come, "42 % copied" */
  text = g_strdup_printf (_("%u %% copied"), (guint) (fraction * 100.0));
  gtk_label_set_text (self->progress_label, text);
  return G_SOURCE_CONTINUE;
}

/* The library's sync targets */

static void
list_targets_thread (GTask        *task,
                     gpointer      source,
                     gpointer      data,
                     GCancellable *cancellable)
{
  const char *path = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  if (store == NULL || !(targets = imu_sync_queue_list_targets (store, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < targets->len; i++)
    g_strv_builder_add (names, ((ImuSyncTargetConfig *) g_ptr_array_index (targets, i))->name);
  g_task_return_pointer (task, g_strv_builder_end (names), (GDestroyNotify) g_strfreev);
}

static void
targets_listed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(ImuBackupDialog) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  GStrv names = g_task_propagate_pointer (G_TASK (result), &error);

  g_weak_ref_clear (weak);
  g_free (weak);
  if (self == NULL)
    {
      g_strfreev (names);
      return;
    }
  if (names == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot list the sync targets of %s: %s", self->library_path, error->message);
      return;
    }
  g_strfreev (self->targets);
  self->targets = names;
  if (self->destroyed)
    return;
  gtk_drop_down_set_model (self->target_dropdown,
                           G_LIST_MODEL (gtk_string_list_new ((const char * const *) names)));
  g_object_unref (gtk_drop_down_get_model (self->target_dropdown));
  gtk_widget_set_visible (GTK_WIDGET (self->target_row), names[0] != NULL);
}

/* The backup */

typedef struct {
  char     *library_path;
  char     *dest;      /* a file, or NULL */
  char     *target;    /* a target's name, or NULL */
  Progress *progress;
} Backup;

static void
backup_free (Backup *b)
{
  g_free (b->library_path);
  g_free (b->dest);
  g_free (b->target);
  progress_unref (b->progress);
  g_free (b);
}

static void
backup_thread (GTask        *task,
               gpointer      source,
               gpointer      data,
               GCancellable *cancellable)
{
  Backup *b = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (b->library_path, &error);
  g_autofree char *name = NULL;
  GStatBuf st;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (b->dest != NULL)
    {
      if (!imu_store_backup (store, b->dest, progress_cb, b->progress, cancellable, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      {
        g_autofree char *size = g_format_size (g_stat (b->dest, &st) == 0 ? (guint64) st.st_size : 0);
        g_autofree char *shown = g_filename_display_name (b->dest);

        /* Translators: the result of a backup to a file: "/media/usb/lib.db (120.3 MB) passes SQLite’s integrity check." */
        g_task_return_pointer (task, g_strdup_printf (_("%s (%s) is a consistent copy of the library and passes "
                                                        "SQLite’s integrity check."), shown, size), g_free);
      }
      return;
    }
  {
    g_autoptr(ImuSyncTarget) target = imu_sync_targets_open (store, b->target, &error);

    if (target == NULL
        || !imu_sync_backup_put (store, target, g_get_real_time (), &name, progress_cb, b->progress,
                                 cancellable, &error))
      {
        g_task_return_error (task, g_steal_pointer (&error));
        return;
      }
    /* Translators: the result of a backup to a sync target: "library-20261207T183000Z.db.zst is on “lab”: …" */
    g_task_return_pointer (task, g_strdup_printf (_("%s is on “%s”: checked with SQLite’s integrity check, "
                                                    "compressed, with its SHA-256 beside it."), name, b->target),
                           g_free);
  }
}

static void
show_result (ImuBackupDialog *self,
             const char      *outcome,
             const char      *title,
             const char      *message,
             const char      *icon)
{
  self->outcome = outcome;
  g_free (self->message);
  self->message = g_strdup (message);
  if (self->destroyed)
    return;
  adw_status_page_set_title (self->result_page, title);
  adw_status_page_set_description (self->result_page, message);
  adw_status_page_set_icon_name (self->result_page, icon);
  gtk_stack_set_visible_child_name (self->stack, "result");
}

static void
backup_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(ImuBackupDialog) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = g_task_propagate_pointer (G_TASK (result), &error);
  GApplication *app = g_task_get_source_object (G_TASK (result));

  g_weak_ref_clear (weak);
  g_free (weak);
  /* The application was held for the worker; it lets go now. */
  if (app != NULL)
    g_application_release (app);
  if (self == NULL)
    return;
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  if (message != NULL)
    show_result (self, "done", _("Library Backed Up"), message, "emblem-ok-symbolic");
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A cancelled backup is not an error to show: the dialog goes. */
      self->outcome = "cancelled";
      if (!self->destroyed)
        gtk_window_destroy (GTK_WINDOW (self));
    }
  else
    show_result (self, "failed", _("Backup Failed"), error->message, "dialog-warning-symbolic");
}

static void
start (ImuBackupDialog *self,
       const char      *dest,
       const char      *target)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *shown = NULL;
  GApplication *app;
  GWeakRef *weak;
  Backup *b;

  g_return_if_fail (self->cancellable == NULL);

  heading = g_strdup (_("Backing Up the Library…"));
  gtk_label_set_text (self->progress_title, heading);
  shown = dest != NULL ? g_filename_display_name (dest)
                       /* Translators: where a backup goes, "to the sync target “lab”" */
                       : g_strdup_printf (_("to the sync target “%s”"), target);
  gtk_label_set_text (self->destination_label, shown);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->destination_label), shown);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, _("Starting…"));
  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_widget_grab_focus (self->cancel_button);
  /* The window behind stays usable while the backup runs. */
  gtk_window_set_modal (GTK_WINDOW (self), FALSE);
  self->outcome = NULL;

  /* The application stays until the worker has finished or cleaned up,
   * even when the dialog and its window go meanwhile (the task holds it as
   * its source object, and the dialog only weakly). */
  if ((app = g_application_get_default ()) != NULL)
    g_application_hold (app);
  self->cancellable = g_cancellable_new ();
  g_mutex_lock (&self->progress->lock);
  self->progress->done = 0;
  self->progress->total = 0;
  g_mutex_unlock (&self->progress->lock);
  self->progress_source = g_timeout_add (PROGRESS_INTERVAL_MS, progress_tick_cb, self);

  b = g_new0 (Backup, 1);
  b->library_path = g_strdup (self->library_path);
  b->dest = g_strdup (dest);
  b->target = g_strdup (target);
  b->progress = progress_ref (self->progress);
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (app, self->cancellable, backup_done_cb, weak);
  g_task_set_source_tag (task, start);
  g_task_set_task_data (task, b, (GDestroyNotify) backup_free);
  g_task_run_in_thread (task, backup_thread);
}

void
imu_backup_dialog_start_file (ImuBackupDialog *self,
                              const char      *dest)
{
  g_return_if_fail (IMU_IS_BACKUP_DIALOG (self));
  g_return_if_fail (dest != NULL);
  start (self, dest, NULL);
}

void
imu_backup_dialog_start_target (ImuBackupDialog *self,
                                const char      *target)
{
  g_return_if_fail (IMU_IS_BACKUP_DIALOG (self));
  g_return_if_fail (target != NULL);
  start (self, NULL, target);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     ImuBackupDialog *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    path = g_file_get_path (file);
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  if (response != GTK_RESPONSE_ACCEPT)
    return;
  if (path == NULL)
    {
      show_result (self, "failed", _("Backup Failed"), _("Backups are written to files on this computer: choose a "
                                                          "local folder."), "dialog-warning-symbolic");
      return;
    }
  imu_backup_dialog_start_file (self, path);
}

static void
file_clicked_cb (ImuBackupDialog *self)
{
  GtkFileChooserNative *chooser;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *name = g_date_time_format (now, "library-%Y-%m-%d.db");

  chooser = gtk_file_chooser_native_new (_("Back Up Library"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Back Up"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
target_clicked_cb (ImuBackupDialog *self)
{
  guint i = gtk_drop_down_get_selected (self->target_dropdown);

  if (self->targets != NULL && i < g_strv_length (self->targets))
    imu_backup_dialog_start_target (self, self->targets[i]);
}

static void
cancel_clicked_cb (ImuBackupDialog *self)
{
  imu_backup_dialog_cancel (self);
}

static void
close_clicked_cb (ImuBackupDialog *self)
{
  gtk_window_close (GTK_WINDOW (self));
}

static gboolean
imu_backup_dialog_close_request (GtkWindow *window)
{
  ImuBackupDialog *self = IMU_BACKUP_DIALOG (window);

  /* Closing a running backup cancels it (nothing is left under its name);
   * the dialog goes when the worker has cleaned up. */
  if (self->cancellable != NULL)
    {
      imu_backup_dialog_cancel (self);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (imu_backup_dialog_parent_class)->close_request (window);
}

static void
imu_backup_dialog_dispose (GObject *object)
{
  ImuBackupDialog *self = IMU_BACKUP_DIALOG (object);

  self->destroyed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->targets_cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_BACKUP_DIALOG);

  G_OBJECT_CLASS (imu_backup_dialog_parent_class)->dispose (object);
}

static void
imu_backup_dialog_finalize (GObject *object)
{
  ImuBackupDialog *self = IMU_BACKUP_DIALOG (object);

  g_free (self->library_path);
  g_free (self->message);
  g_strfreev (self->targets);
  g_clear_object (&self->targets_cancellable);
  progress_unref (self->progress);

  G_OBJECT_CLASS (imu_backup_dialog_parent_class)->finalize (object);
}

static void
imu_backup_dialog_class_init (ImuBackupDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = imu_backup_dialog_dispose;
  object_class->finalize = imu_backup_dialog_finalize;
  window_class->close_request = imu_backup_dialog_close_request;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-backup-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, target_row);
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, target_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, progress_title);
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, destination_label);
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ImuBackupDialog, result_page);
  gtk_widget_class_bind_template_callback (widget_class, file_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, target_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, close_clicked_cb);
}

static void
imu_backup_dialog_init (ImuBackupDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->progress = g_new0 (Progress, 1);
  self->progress->ref_count = 1;
  g_mutex_init (&self->progress->lock);
  self->targets_cancellable = g_cancellable_new ();
}

/**
 * imu_backup_dialog_new:
 *
 * Does not block.
 */
ImuBackupDialog *
imu_backup_dialog_new (GtkWindow  *parent,
                       const char *library_path)
{
  ImuBackupDialog *self;
  g_autoptr(GTask) task = NULL;
  GWeakRef *weak;

  g_return_val_if_fail (library_path != NULL, NULL);

  self = g_object_new (IMU_TYPE_BACKUP_DIALOG, "transient-for", parent, NULL);
  self->library_path = g_strdup (library_path);
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, self->targets_cancellable, targets_listed_cb, weak);
  g_task_set_source_tag (task, imu_backup_dialog_new);
  g_task_set_task_data (task, g_strdup (library_path), g_free);
  g_task_run_in_thread (task, list_targets_thread);
  return self;
}

gboolean
imu_backup_dialog_get_running (ImuBackupDialog *self)
{
  g_return_val_if_fail (IMU_IS_BACKUP_DIALOG (self), FALSE);
  return self->cancellable != NULL;
}

const char * const *
imu_backup_dialog_get_targets (ImuBackupDialog *self)
{
  g_return_val_if_fail (IMU_IS_BACKUP_DIALOG (self), NULL);
  return (const char * const *) self->targets;
}

void
imu_backup_dialog_cancel (ImuBackupDialog *self)
{
  g_return_if_fail (IMU_IS_BACKUP_DIALOG (self));

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  gtk_label_set_text (self->progress_label, _("Cancelling…"));
}

const char *
imu_backup_dialog_get_outcome (ImuBackupDialog *self)
{
  g_return_val_if_fail (IMU_IS_BACKUP_DIALOG (self), NULL);
  return self->outcome;
}

const char *
imu_backup_dialog_get_message (ImuBackupDialog *self)
{
  g_return_val_if_fail (IMU_IS_BACKUP_DIALOG (self), NULL);
  return self->message;
}
