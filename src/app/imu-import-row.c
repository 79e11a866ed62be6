/* imu-import-row.c — one running import: its file, progress and Cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-import-row"

#include <glib/gi18n.h>

#include "imu-import-row.h"

struct _ImuImportRow
{
  GtkListBoxRow   parent_instance;

  char           *path;
  GCancellable   *cancellable;
  guint64         done;
  guint64         total;
  gboolean        finished;   /* set_outcome() was called: the status says how it ended */

  GtkLabel       *name_label;
  GtkLabel       *status_label;
  GtkLabel       *message_label;
  GtkProgressBar *progress_bar;
  GtkWidget      *cancel_button;
};

G_DEFINE_FINAL_TYPE (ImuImportRow, imu_import_row, GTK_TYPE_LIST_BOX_ROW)

static void
update_status (ImuImportRow *self)
{
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  g_autofree char *text = NULL;

  /* Progress can arrive after the window closed and the row was disposed. */
  if (self->status_label == NULL || self->progress_bar == NULL || self->finished)
    return;
  if (self->cancellable == NULL || g_cancellable_is_cancelled (self->cancellable))
    {
      gtk_label_set_text (self->status_label, _("Cancelling…"));
      return;
    }
  if (self->total == 0)
    {
      gtk_label_set_text (self->status_label, _("Starting…"));
      gtk_progress_bar_pulse (self->progress_bar);
      return;
    }
  done = g_format_size (self->done);
  total = g_format_size (self->total);
  /* Translators: bytes read of an import, "12.5 MB of 40.0 MB" */
  text = g_strdup_printf (_("%s of %s"), done, total);
  gtk_label_set_text (self->status_label, text);
  gtk_progress_bar_set_fraction (self->progress_bar, imu_import_row_get_fraction (self));
}

static void
cancel_clicked_cb (ImuImportRow *self)
{
  imu_import_row_cancel (self);
}

static void
imu_import_row_dispose (GObject *object)
{
  ImuImportRow *self = IMU_IMPORT_ROW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_IMPORT_ROW);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (imu_import_row_parent_class)->dispose (object);
}

static void
imu_import_row_finalize (GObject *object)
{
  ImuImportRow *self = IMU_IMPORT_ROW (object);

  g_free (self->path);

  G_OBJECT_CLASS (imu_import_row_parent_class)->finalize (object);
}

static void
imu_import_row_class_init (ImuImportRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_import_row_dispose;
  object_class->finalize = imu_import_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-import-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuImportRow, name_label);
  gtk_widget_class_bind_template_child (widget_class, ImuImportRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, ImuImportRow, message_label);
  gtk_widget_class_bind_template_child (widget_class, ImuImportRow, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ImuImportRow, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
imu_import_row_init (ImuImportRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * imu_import_row_new:
 * @path: the file, folder or archive being imported
 * @cancellable: cancelled by the row's Cancel button
 */
GtkWidget *
imu_import_row_new (const char   *path,
                    GCancellable *cancellable)
{
  ImuImportRow *self;
  g_autofree char *name = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (G_IS_CANCELLABLE (cancellable), NULL);

  self = g_object_new (IMU_TYPE_IMPORT_ROW, NULL);
  self->path = g_strdup (path);
  self->cancellable = g_object_ref (cancellable);
  name = g_filename_display_basename (path);
  gtk_label_set_text (self->name_label, name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_label), path);
  update_status (self);
  return GTK_WIDGET (self);
}

const char *
imu_import_row_get_path (ImuImportRow *self)
{
  g_return_val_if_fail (IMU_IS_IMPORT_ROW (self), NULL);
  return self->path;
}

GCancellable *
imu_import_row_get_cancellable (ImuImportRow *self)
{
  g_return_val_if_fail (IMU_IS_IMPORT_ROW (self), NULL);
  return self->cancellable;
}

void
imu_import_row_set_progress (ImuImportRow *self,
                             guint64       done,
                             guint64       total)
{
  g_return_if_fail (IMU_IS_IMPORT_ROW (self));

  self->done = done;
  self->total = total;
  update_status (self);
}

double
imu_import_row_get_fraction (ImuImportRow *self)
{
  g_return_val_if_fail (IMU_IS_IMPORT_ROW (self), 0);

  if (self->total == 0)
    return 0;
  return CLAMP ((double) self->done / (double) self->total, 0.0, 1.0);
}

/**
 * imu_import_row_set_outcome:
 * @status: how the file's import ended ("Imported", "Failed"), short
 * @message: (nullable): a failure's message, shown under the bar
 * @failed: whether to show it as an error
 *
 * A row of a folder's import stays until the folder is done: it then says
 * how its file ended, and its cancel button goes. Does not block.
 */
void
imu_import_row_set_outcome (ImuImportRow *self,
                            const char   *status,
                            const char   *message,
                            gboolean      failed)
{
  g_return_if_fail (IMU_IS_IMPORT_ROW (self));

  if (self->status_label == NULL)
    return;
  self->finished = TRUE;
  gtk_label_set_text (self->status_label, status);
  /* The bar has nothing left to say: the status and message do. */
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), FALSE);
  gtk_widget_set_visible (self->cancel_button, FALSE);
  if (message != NULL)
    {
      gtk_label_set_text (self->message_label, message);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->message_label), message);
      gtk_widget_set_visible (GTK_WIDGET (self->message_label), TRUE);
    }
  if (failed)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self), "import-failed");
    }
}

gboolean
imu_import_row_get_finished (ImuImportRow *self)
{
  g_return_val_if_fail (IMU_IS_IMPORT_ROW (self), FALSE);
  return self->finished;
}

const char *
imu_import_row_get_message (ImuImportRow *self)
{
  g_return_val_if_fail (IMU_IS_IMPORT_ROW (self), NULL);
  if (self->message_label == NULL || !gtk_widget_get_visible (GTK_WIDGET (self->message_label)))
    return NULL;
  return gtk_label_get_text (self->message_label);
}

void
imu_import_row_cancel (ImuImportRow *self)
{
  g_return_if_fail (IMU_IS_IMPORT_ROW (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->cancel_button != NULL)
    gtk_widget_set_sensitive (self->cancel_button, FALSE);
  update_status (self);
}
