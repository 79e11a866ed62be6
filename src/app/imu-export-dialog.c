/* imu-export-dialog.c — exporting a session: format, destination, progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog asks for the format, then for where (GtkFileChooserNative:
 * GTK 4.8 has no GtkFileDialog), then runs imu_session_export_async() and
 * shows its progress with Cancel. While it runs the dialog stops being
 * modal: the window behind it stays usable.
 */
#define G_LOG_DOMAIN "imu-export-dialog"

#include <string.h>

#include <glib/gi18n.h>

#include "imu-bundle.h"
#include "imu-export-csv.h"
#include "imu-export-dialog.h"

struct _ImuExportDialog
{
  AdwWindow       parent_instance;

  char           *library_path;
  gint64          session_id;
  char           *title;
  ImuSession     *session;      /* a snapshot for names and the origin */
  GCancellable   *cancellable;  /* of the running export; NULL when none */
  GApplication   *app;          /* held while the export runs */
  gboolean        destroyed;
  double          fraction;

  AdwWindowTitle *window_title;
  GtkStack       *stack;
  AdwActionRow   *source_row;
  GtkCheckButton *source_check;
  GtkCheckButton *streams_check;
  GtkCheckButton *bundle_check;
  GtkWidget      *export_button;
  GtkLabel       *progress_title;
  GtkLabel       *destination_label;
  GtkProgressBar *progress_bar;
  GtkLabel       *progress_label;
  GtkWidget      *cancel_button;
};

enum {
  SIGNAL_DONE,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (ImuExportDialog, imu_export_dialog, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

static void
kind_toggled_cb (ImuExportDialog *self)
{
  /* The export button says whether a file or a folder comes next. */
  gboolean one = imu_session_export_is_one_file (self->session, imu_export_dialog_get_kind (self));

  gtk_button_set_label (GTK_BUTTON (self->export_button), one ? _("_Export…") : _("_Export to Folder…"));
}

static void
set_progress (ImuExportDialog *self,
              guint64          done,
              guint64          total)
{
  g_autofree char *text = NULL;

  self->fraction = total > 0 ? CLAMP ((double) done / (double) total, 0.0, 1.0) : 0.0;
  gtk_progress_bar_set_fraction (self->progress_bar, self->fraction);
  /* Translators: how far an export has come, "42 % written" */
  text = g_strdup_printf (_("%u %% written"), (guint) (self->fraction * 100.0));
  gtk_label_set_text (self->progress_label, text);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  ImuExportDialog *self = user_data;

  if (self->cancellable != NULL && !g_cancellable_is_cancelled (self->cancellable))
    set_progress (self, done, total);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ImuExportDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *written = NULL;

  written = imu_session_export_finish (result, &error);
  g_clear_object (&self->cancellable);
  g_signal_emit (self, signals[SIGNAL_DONE], 0, written, error);
  if (!self->destroyed)
    gtk_window_destroy (GTK_WINDOW (self));
  if (self->app != NULL)
    {
      g_application_release (self->app);
      g_clear_object (&self->app);
    }
}

void
imu_export_dialog_start (ImuExportDialog *self,
                         const char      *destination)
{
  g_autofree char *name = NULL;
  g_autofree char *heading = NULL;
  g_autofree char *shown = NULL;

  g_return_if_fail (IMU_IS_EXPORT_DIALOG (self));
  g_return_if_fail (destination != NULL);
  g_return_if_fail (self->cancellable == NULL);

  /* Translators: the heading while a session is exported */
  heading = g_strdup_printf (_("Exporting “%s”…"), self->title);
  gtk_label_set_text (self->progress_title, heading);
  shown = g_filename_display_name (destination);
  gtk_label_set_text (self->destination_label, shown);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->destination_label), shown);
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->progress_label, _("Starting…"));
  gtk_stack_set_visible_child_name (self->stack, "progress");
  gtk_widget_grab_focus (self->cancel_button);
  /* The window behind stays usable while the export runs. */
  gtk_window_set_modal (GTK_WINDOW (self), FALSE);

  /* The application stays until the worker has finished or cleaned up,
   * even when the window closes meanwhile. */
  if ((self->app = g_application_get_default ()) != NULL)
    {
      g_object_ref (self->app);
      g_application_hold (self->app);
    }
  self->cancellable = g_cancellable_new ();
  imu_session_export_async (self->library_path, self->session_id, imu_export_dialog_get_kind (self),
                            destination, progress_cb, g_object_ref (self), g_object_unref,
                            self->cancellable, export_done_cb, g_object_ref (self));
}

/* A name without an extension gets the format's. */
static char *
with_extension (const char *path,
                const char *extension)
{
  g_autofree char *base = g_path_get_basename (path);

  if (strchr (base, '.') != NULL)
    return g_strdup (path);
  return g_strconcat (path, extension, NULL);
}

static void
chooser_response_cb (GtkNativeDialog *chooser,
                     int              response,
                     ImuExportDialog *self)
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
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Choose a Local Folder"),
                                                           _("Exports are written to files on this computer.")));
      adw_message_dialog_add_responses (dialog, "close", _("_Close"), NULL);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  if (imu_export_dialog_get_kind (self) == IMU_SESSION_EXPORT_BUNDLE)
    {
      g_autofree char *named = with_extension (path, IMU_BUNDLE_EXTENSION);

      imu_export_dialog_start (self, named);
    }
  else if (imu_session_export_is_one_file (self->session, imu_export_dialog_get_kind (self)))
    {
      g_autofree char *named = with_extension (path, ".csv");

      imu_export_dialog_start (self, named);
    }
  else
    imu_export_dialog_start (self, path);
}

static void
export_clicked_cb (ImuExportDialog *self)
{
  ImuSessionExportKind kind = imu_export_dialog_get_kind (self);
  gboolean one = imu_session_export_is_one_file (self->session, kind);
  g_autofree char *name = imu_session_export_suggest_name (self->session, kind);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (one ? _("Export Session") : _("Choose a Folder for the Export"),
                                         GTK_WINDOW (self),
                                         one ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (one)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      if (kind == IMU_SESSION_EXPORT_BUNDLE)
        {
          gtk_file_filter_set_name (filter, _("IMU Studio session bundles"));
          gtk_file_filter_add_suffix (filter, IMU_BUNDLE_EXTENSION + 1);
        }
      else
        {
          gtk_file_filter_set_name (filter, _("CSV files"));
          gtk_file_filter_add_suffix (filter, "csv");
        }
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
    }
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
cancel_clicked_cb (ImuExportDialog *self)
{
  imu_export_dialog_cancel (self);
}

static gboolean
imu_export_dialog_close_request (GtkWindow *window)
{
  ImuExportDialog *self = IMU_EXPORT_DIALOG (window);

  /* Closing a running export cancels it; the dialog goes when the worker
   * has cleaned up. */
  if (self->cancellable != NULL)
    {
      imu_export_dialog_cancel (self);
      gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
      return TRUE;
    }
  return GTK_WINDOW_CLASS (imu_export_dialog_parent_class)->close_request (window);
}

static void
imu_export_dialog_dispose (GObject *object)
{
  ImuExportDialog *self = IMU_EXPORT_DIALOG (object);

  self->destroyed = TRUE;
  /* The worker stops; its callback (which holds the dialog) lets the
   * application go. */
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->session);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (imu_export_dialog_parent_class)->dispose (object);
}

static void
imu_export_dialog_finalize (GObject *object)
{
  ImuExportDialog *self = IMU_EXPORT_DIALOG (object);

  g_free (self->library_path);
  g_free (self->title);

  G_OBJECT_CLASS (imu_export_dialog_parent_class)->finalize (object);
}

static void
imu_export_dialog_class_init (ImuExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = imu_export_dialog_dispose;
  object_class->finalize = imu_export_dialog_finalize;
  window_class->close_request = imu_export_dialog_close_request;

  signals[SIGNAL_DONE] =
    g_signal_new ("done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_POINTER);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, source_row);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, source_check);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, streams_check);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, bundle_check);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, progress_title);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, destination_label);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ImuExportDialog, cancel_button);
  gtk_widget_class_bind_template_callback (widget_class, kind_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, export_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, cancel_clicked_cb);
}

static void
imu_export_dialog_init (ImuExportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * imu_export_dialog_new:
 *
 * Does not block (it looks whether the session's origin is a folder).
 */
ImuExportDialog *
imu_export_dialog_new (GtkWindow  *parent,
                       const char *library_path,
                       ImuSession *session)
{
  ImuExportDialog *self;
  g_autofree char *source_name = NULL;
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (library_path != NULL, NULL);
  g_return_val_if_fail (IMU_IS_SESSION (session), NULL);

  self = g_object_new (IMU_TYPE_EXPORT_DIALOG, "transient-for", parent, NULL);
  self->library_path = g_strdup (library_path);
  self->session_id = imu_session_get_id (session);
  self->session = g_object_ref (session);
  self->title = g_strdup (imu_session_get_title (session) != NULL ? imu_session_get_title (session) : "");
  adw_window_title_set_subtitle (self->window_title, self->title);

  if (imu_export_csv_session_is_one_file (session))
    {
      source_name = imu_export_csv_source_file_name (session);
      /* Translators: the source layout of a session imported from one CSV */
      subtitle = g_strdup_printf (_("One file like “%s”, with the columns and time format it was imported with"),
                                  source_name);
    }
  else
    subtitle = g_strdup (_("This session did not come from one CSV file: a folder with one CSV per stream"));
  adw_action_row_set_subtitle (self->source_row, subtitle);
  kind_toggled_cb (self);
  return self;
}

ImuSessionExportKind
imu_export_dialog_get_kind (ImuExportDialog *self)
{
  g_return_val_if_fail (IMU_IS_EXPORT_DIALOG (self), IMU_SESSION_EXPORT_CSV_SOURCE);

  if (gtk_check_button_get_active (self->bundle_check))
    return IMU_SESSION_EXPORT_BUNDLE;
  if (gtk_check_button_get_active (self->streams_check))
    return IMU_SESSION_EXPORT_CSV_STREAMS;
  return IMU_SESSION_EXPORT_CSV_SOURCE;
}

void
imu_export_dialog_set_kind (ImuExportDialog      *self,
                            ImuSessionExportKind  kind)
{
  g_return_if_fail (IMU_IS_EXPORT_DIALOG (self));

  switch (kind)
    {
    case IMU_SESSION_EXPORT_BUNDLE:
      gtk_check_button_set_active (self->bundle_check, TRUE);
      break;
    case IMU_SESSION_EXPORT_CSV_STREAMS:
      gtk_check_button_set_active (self->streams_check, TRUE);
      break;
    case IMU_SESSION_EXPORT_CSV_SOURCE:
    default:
      gtk_check_button_set_active (self->source_check, TRUE);
      break;
    }
}

gboolean
imu_export_dialog_get_running (ImuExportDialog *self)
{
  g_return_val_if_fail (IMU_IS_EXPORT_DIALOG (self), FALSE);
  return self->cancellable != NULL;
}

double
imu_export_dialog_get_fraction (ImuExportDialog *self)
{
  g_return_val_if_fail (IMU_IS_EXPORT_DIALOG (self), 0);
  return self->fraction;
}

void
imu_export_dialog_cancel (ImuExportDialog *self)
{
  g_return_if_fail (IMU_IS_EXPORT_DIALOG (self));

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  gtk_widget_set_sensitive (self->cancel_button, FALSE);
  gtk_label_set_text (self->progress_label, _("Cancelling…"));
}

gint64
imu_export_dialog_get_session_id (ImuExportDialog *self)
{
  g_return_val_if_fail (IMU_IS_EXPORT_DIALOG (self), 0);
  return self->session_id;
}

const char *
imu_export_dialog_get_title (ImuExportDialog *self)
{
  g_return_val_if_fail (IMU_IS_EXPORT_DIALOG (self), NULL);
  return self->title;
}
