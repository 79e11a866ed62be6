/* imu-window-import.c — bringing files in: chooser, drag and drop, progress
 * rows, and what an import ended with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-window"

#include <string.h>

#include <glib/gi18n.h>

#include "imu-import.h"
#include "imu-importer.h"
#include "imu-import-row.h"
#include "imu-window-private.h"

/* One running import. The window may close while it runs: the job then
 * only waits for the worker to stop (the import rolls back when cancelled)
 * and lets the application go. */
typedef struct {
  GWeakRef      window;
  ImuImportRow *row;
  char         *path;
  char         *library_path;
  char         *device_timezone;
  GApplication *app;
} ImportJob;

static void
import_job_free (ImportJob *job)
{
  g_weak_ref_clear (&job->window);
  g_clear_object (&job->row);
  g_free (job->path);
  g_free (job->library_path);
  g_free (job->device_timezone);
  if (job->app != NULL)
    {
      g_application_release (job->app);
      g_object_unref (job->app);
    }
  g_free (job);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImportJob, import_job_free)

/* The zone the file chooser's "Device clock" choice set for the imports it
 * started ("" or NULL: the file's own, else this computer's). */
#define DEVICE_TIMEZONE_KEY "imu-device-timezone"

static void
update_panel (ImuWindow *self)
{
  guint n = imu_window_get_n_imports (self);
  g_autofree char *text = NULL;
  gboolean rows = gtk_list_box_get_row_at_index (self->imports_list, 0) != NULL;

  if (n > 0)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Importing %u file", "Importing %u files", n), n);
  else
    /* Translators: the imports panel when a folder's files are all done and its summary shows */
    text = g_strdup (_("Import finished"));
  gtk_label_set_text (self->imports_label, text);
  gtk_revealer_set_reveal_child (self->imports_revealer, n > 0 || rows);
}

/* Dialogs come one at a time: several imports may fail together. */

static void
dialog_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    ImuWindow        *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "open-session"));
  AdwMessageDialog *next;

  if (g_str_equal (response, "open") && id > 0)
    imu_window_select_session (self, id);
  if (self->dialog == dialog)
    self->dialog = NULL;
  if ((next = g_queue_pop_head (&self->dialogs)) != NULL)
    {
      self->dialog = next;
      gtk_window_present (GTK_WINDOW (next));
      g_object_unref (next);
    }
}

void
imu_window_show_dialog (ImuWindow        *self,
                        AdwMessageDialog *dialog)
{
  g_signal_connect_object (dialog, "response", G_CALLBACK (dialog_response_cb), self, 0);
  if (self->dialog == NULL)
    {
      self->dialog = dialog;
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else
    g_queue_push_tail (&self->dialogs, g_object_ref_sink (dialog));
}

/* Every import error dialog follows one pattern: the heading names the file
 * by its display name, the body says what went wrong and where, with the
 * full path. The core prefixes its messages with the base name ("broken.csv:
 * line 7, …"); the body puts the full path there instead, so a dialog never
 * mixes the two. */
static char *
error_body (const char   *path,
            const char   *name,
            const GError *error)
{
  g_autofree char *display_path = g_filename_display_name (path);
  g_autofree char *prefix = g_strconcat (name, ": ", NULL);
  g_autofree char *path_prefix = g_strconcat (display_path, ": ", NULL);

  if (g_str_has_prefix (error->message, path_prefix))
    return g_strdup (error->message);
  if (g_str_has_prefix (error->message, prefix))
    return g_strconcat (path_prefix, error->message + strlen (prefix), NULL);
  return g_strdup (error->message);
}

static void
show_import_error (ImuWindow    *self,
                   const char   *path,
                   const GError *error,
                   gint64        duplicate_of)
{
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *heading = NULL;
  g_autofree char *body = error_body (path, name, error);
  AdwMessageDialog *dialog;

  if (g_error_matches (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE))
    {
      /* Translators: heading of the dialog shown when a file was imported before */
      heading = g_strdup_printf (_("“%s” Is Already in the Library"), name);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, error->message));
      adw_message_dialog_add_responses (dialog,
                                        "close", _("_Close"),
                                        "open", _("_Open Existing Session"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "open", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "open");
      g_object_set_data (G_OBJECT (dialog), "open-session", GSIZE_TO_POINTER ((gsize) MAX (duplicate_of, 0)));
    }
  else
    {
      /* Translators: heading of the dialog shown when an import failed */
      heading = g_strdup_printf (_("Could Not Import “%s”"), name);
      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
      adw_message_dialog_add_responses (dialog, "close", _("_Close"), NULL);
      adw_message_dialog_set_default_response (dialog, "close");
    }
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_widget_add_css_class (GTK_WIDGET (dialog), "import-error");
  imu_window_show_dialog (self, dialog);
}

typedef struct {
  ImuWindow *window;
  char      *title;
} AddedData;

static void
added_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  AddedData *data = user_data;
  ImuWindow *self = data->window;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GError) error = NULL;

  session = imu_library_add_session_finish (IMU_LIBRARY (object), result, &error);
  if (gtk_widget_in_destruction (GTK_WIDGET (self)) || IMU_LIBRARY (object) != self->library)
    ;
  else if (session == NULL)
    g_warning ("The imported session cannot be read back: %s", error->message);
  else
    {
      g_autofree char *escaped = g_markup_escape_text (imu_session_get_title (session), -1);
      g_autofree char *title = g_strdup_printf (_("Imported “%s”"), escaped);
      AdwToast *toast = adw_toast_new (title);

      adw_toast_set_button_label (toast, _("_Open"));
      adw_toast_set_action_name (toast, "win.select-session");
      adw_toast_set_action_target_value (toast, g_variant_new_int64 (imu_session_get_id (session)));
      imu_window_show_toast (self, toast);
      /* The first session of a library opens by itself: there is nothing
       * else to look at. */
      if (g_list_model_get_n_items (imu_library_get_sessions (self->library)) == 1)
        imu_window_select_session (self, imu_session_get_id (session));
    }
  g_object_unref (data->window);
  g_free (data->title);
  g_free (data);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(ImportJob) job = user_data;
  g_autoptr(ImuWindow) self = g_weak_ref_get (&job->window);
  g_autoptr(ImuImportResult) import_result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 duplicate_of = 0;

  import_result = imu_import_path_finish (result, &duplicate_of, &error);

  if (self == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  if (gtk_widget_get_parent (GTK_WIDGET (job->row)) == GTK_WIDGET (self->imports_list))
    gtk_list_box_remove (self->imports_list, GTK_WIDGET (job->row));
  update_panel (self);

  if (import_result != NULL)
    {
      /* The window may have moved to another library meanwhile. */
      if (self->library != NULL && g_str_equal (imu_library_get_path (self->library), job->library_path))
        {
          AddedData *data = g_new0 (AddedData, 1);

          data->window = g_object_ref (self);
          data->title = g_strdup (import_result->title);
          imu_library_add_session_async (self->library, import_result->session_id, NULL, added_cb, data);
        }
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *name = g_filename_display_basename (job->path);
      g_autofree char *escaped = g_markup_escape_text (name, -1);
      g_autofree char *text = g_strdup_printf (_("Import of “%s” cancelled"), escaped);

      imu_window_show_toast (self, adw_toast_new (text));
      return;
    }
  show_import_error (self, job->path, error, duplicate_of);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  imu_import_row_set_progress (IMU_IMPORT_ROW (user_data), done, total);
}

static void
start_single_import (ImuWindow  *self,
                     const char *path,
                     const char *device_timezone)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ImuImportOptions options = { 0 };
  GApplication *app;
  ImportJob *job;

  job = g_new0 (ImportJob, 1);
  g_weak_ref_init (&job->window, self);
  job->path = g_strdup (path);
  job->library_path = g_strdup (imu_library_get_path (self->library));
  job->device_timezone = g_strdup (device_timezone);
  job->row = g_object_ref (IMU_IMPORT_ROW (imu_import_row_new (path, cancellable)));
  /* A running import keeps the application alive even if the window
   * closes, so that it can finish or roll back cleanly. */
  if ((app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)))) != NULL)
    {
      job->app = g_object_ref (app);
      g_application_hold (app);
    }

  gtk_list_box_append (self->imports_list, GTK_WIDGET (job->row));
  update_panel (self);

  options.device_timezone = job->device_timezone;
  imu_import_path_async (job->library_path, path, &options,
                         progress_cb, g_object_ref (job->row), g_object_unref,
                         cancellable, import_done_cb, job);
}

/* ---- a lab's folder of device files: one session and one row per file ----
 *
 * A worker thread lists the folder's device files (reading the head of
 * every file), then imports them with imu_import_files() on its own
 * connection, all processors at once. What it reports comes to the main
 * context in order: the list (one row per file), progress, each file's
 * outcome, the end (a summary). A folder of no device files is one
 * session, as before. */

typedef struct {
  gatomicrefcount  ref;
  GWeakRef         window;
  char            *path;
  char            *library_path;
  char            *device_timezone;
  GCancellable    *cancellable;
  GApplication    *app;
  GMainContext    *context;
  /* The main thread's */
  ImuImportRow    *folder_row;     /* while the folder is listed */
  GPtrArray       *rows;           /* ImuImportRow*, one per device file */
  guint            n_imported;
  guint            n_duplicate;
  guint            n_failed;
  guint            n_cancelled;
  GString         *failures;       /* "name: message" lines */
} FolderJob;

static FolderJob *
folder_job_ref (FolderJob *job)
{
  g_atomic_ref_count_inc (&job->ref);
  return job;
}

static void
folder_job_unref (FolderJob *job)
{
  if (!g_atomic_ref_count_dec (&job->ref))
    return;
  g_weak_ref_clear (&job->window);
  g_free (job->path);
  g_free (job->library_path);
  g_free (job->device_timezone);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->folder_row);
  g_clear_pointer (&job->rows, g_ptr_array_unref);
  g_string_free (job->failures, TRUE);
  if (job->app != NULL)
    {
      g_application_release (job->app);
      g_object_unref (job->app);
    }
  g_main_context_unref (job->context);
  g_free (job);
}

typedef enum {
  FOLDER_LISTED,      /* paths: the device files; NULL: not a folder of them */
  FOLDER_FILE,        /* one report of imu_import_files() */
  FOLDER_DONE,
} FolderMessageKind;

typedef struct {
  FolderJob          *job;
  FolderMessageKind   kind;
  GPtrArray          *paths;
  ImuImportFileState  state;
  guint               index;
  guint64             done;
  guint64             total;
  gint64              session_id;
  char               *message;
} FolderMessage;

static void
folder_message_free (FolderMessage *m)
{
  folder_job_unref (m->job);
  g_clear_pointer (&m->paths, g_ptr_array_unref);
  g_free (m->message);
  g_free (m);
}

static void
folder_remove_rows (ImuWindow *self, FolderJob *job)
{
  if (job->folder_row != NULL && gtk_widget_get_parent (GTK_WIDGET (job->folder_row)) == GTK_WIDGET (self->imports_list))
    gtk_list_box_remove (self->imports_list, GTK_WIDGET (job->folder_row));
  for (guint i = 0; job->rows != NULL && i < job->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (job->rows, i);

      if (gtk_widget_get_parent (row) == GTK_WIDGET (self->imports_list))
        gtk_list_box_remove (self->imports_list, row);
    }
  update_panel (self);
}

static void
folder_added_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(ImuSession) session = imu_library_add_session_finish (IMU_LIBRARY (object), result, NULL);
}

static void
folder_summary_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            FolderJob        *job)
{
  g_autoptr(ImuWindow) self = g_weak_ref_get (&job->window);

  if (self != NULL && !gtk_widget_in_destruction (GTK_WIDGET (self)))
    folder_remove_rows (self, job);
}

/* The end of a folder: its rows stay (each says how its file ended) until
 * the summary is closed. */
static void
folder_show_summary (ImuWindow *self, FolderJob *job)
{
  g_autofree char *name = g_filename_display_basename (job->path);
  g_autofree char *heading = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  AdwMessageDialog *dialog;
  guint n = job->rows->len;

  if (job->n_cancelled > 0)
    /* Translators: heading of the summary of a folder's import, %s is the folder */
    heading = g_strdup_printf (_("Import of “%s” Cancelled"), name);
  else if (job->n_failed > 0)
    heading = g_strdup_printf (_("Some Files of “%s” Could Not Be Imported"), name);
  else
    heading = g_strdup_printf (_("Imported “%s”"), name);
  /* Translators: the summary of a folder's import: "4 device files: 3 imported, …" */
  g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE,
                                             "%u device file: %u imported, %u skipped as already in the library, %u failed",
                                             "%u device files: %u imported, %u skipped as already in the library, %u failed",
                                             n),
                          n, job->n_imported, job->n_duplicate, job->n_failed);
  if (job->n_cancelled > 0)
    {
      g_string_append (body, "\n");
      g_string_append_printf (body, g_dngettext (GETTEXT_PACKAGE,
                                                 "%u file was not imported: nothing of it was kept.",
                                                 "%u files were not imported: nothing of them was kept.",
                                                 job->n_cancelled),
                              job->n_cancelled);
    }
  if (job->failures->len > 0)
    {
      g_string_append (body, "\n\n");
      g_string_append (body, job->failures->str);
    }
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body->str));
  adw_message_dialog_add_responses (dialog, "close", _("_Close"), NULL);
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  gtk_widget_add_css_class (GTK_WIDGET (dialog), "import-summary");
  g_signal_connect_data (dialog, "response", G_CALLBACK (folder_summary_response_cb),
                         folder_job_ref (job), (GClosureNotify) (void (*) (void)) folder_job_unref, 0);
  imu_window_show_dialog (self, dialog);
}

static gboolean
folder_message_cb (gpointer data)
{
  FolderMessage *m = data;
  FolderJob *job = m->job;
  g_autoptr(ImuWindow) self = g_weak_ref_get (&job->window);

  if (self == NULL || gtk_widget_in_destruction (GTK_WIDGET (self)))
    return G_SOURCE_REMOVE;

  if (m->kind == FOLDER_LISTED)
    {
      if (job->folder_row != NULL && gtk_widget_get_parent (GTK_WIDGET (job->folder_row)) == GTK_WIDGET (self->imports_list))
        gtk_list_box_remove (self->imports_list, GTK_WIDGET (job->folder_row));
      g_clear_object (&job->folder_row);
      if (m->paths == NULL)
        {
          /* Not a folder of device files: one session of it all. */
          if (self->library != NULL && g_str_equal (imu_library_get_path (self->library), job->library_path))
            start_single_import (self, job->path, job->device_timezone);
          update_panel (self);
          return G_SOURCE_REMOVE;
        }
      for (guint i = 0; i < m->paths->len; i++)
        {
          ImuImportRow *row = IMU_IMPORT_ROW (imu_import_row_new (g_ptr_array_index (m->paths, i), job->cancellable));

          g_ptr_array_add (job->rows, g_object_ref (row));
          gtk_list_box_append (self->imports_list, GTK_WIDGET (row));
        }
      update_panel (self);
      return G_SOURCE_REMOVE;
    }
  if (m->kind == FOLDER_DONE)
    {
      if (job->rows->len > 0)
        folder_show_summary (self, job);
      else
        folder_remove_rows (self, job);
      return G_SOURCE_REMOVE;
    }

  if (m->index >= job->rows->len)
    return G_SOURCE_REMOVE;
  {
    ImuImportRow *row = g_ptr_array_index (job->rows, m->index);
    g_autofree char *name = g_filename_display_basename (imu_import_row_get_path (row));

    switch (m->state)
      {
      case IMU_IMPORT_FILE_PROGRESS:
        imu_import_row_set_progress (row, m->done, m->total);
        break;
      case IMU_IMPORT_FILE_IMPORTED:
        job->n_imported++;
        /* Translators: how one file of a folder's import ended */
        imu_import_row_set_outcome (row, _("Imported"), NULL, FALSE);
        if (self->library != NULL && g_str_equal (imu_library_get_path (self->library), job->library_path))
          imu_library_add_session_async (self->library, m->session_id, NULL, folder_added_cb, NULL);
        break;
      case IMU_IMPORT_FILE_DUPLICATE:
        job->n_duplicate++;
        imu_import_row_set_outcome (row, _("Already in the library"), NULL, FALSE);
        break;
      case IMU_IMPORT_FILE_FAILED:
        {
          g_autoptr(GError) error = g_error_new_literal (IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_FAILED, m->message);
          g_autofree char *body = error_body (imu_import_row_get_path (row), name, error);

          job->n_failed++;
          imu_import_row_set_outcome (row, _("Failed"), body, TRUE);
          g_string_append_printf (job->failures, "%s%s", job->failures->len > 0 ? "\n" : "", body);
        }
        break;
      case IMU_IMPORT_FILE_CANCELLED:
      default:
        job->n_cancelled++;
        imu_import_row_set_outcome (row, _("Cancelled"), NULL, FALSE);
        break;
      }
    if (m->state != IMU_IMPORT_FILE_PROGRESS)
      update_panel (self);
  }
  return G_SOURCE_REMOVE;
}

static void
folder_post (FolderJob *job, FolderMessage *m)
{
  m->job = folder_job_ref (job);
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, folder_message_cb, m,
                              (GDestroyNotify) folder_message_free);
}

static void
folder_report_cb (const ImuImportFileReport *r,
                  gpointer                   data)
{
  FolderMessage *m = g_new0 (FolderMessage, 1);

  m->kind = FOLDER_FILE;
  m->state = r->state;
  m->index = r->index;
  m->done = r->done;
  m->total = r->total;
  m->session_id = r->session_id;
  m->message = r->error != NULL ? g_strdup (r->error->message) : NULL;
  folder_post (data, m);
}

/* The job's last reference may hold widgets and the application: it goes
 * on the main context, never in the worker. */
static gboolean
folder_unref_cb (gpointer data)
{
  folder_job_unref (data);
  return G_SOURCE_REMOVE;
}

static gpointer
folder_worker (gpointer data)
{
  FolderJob *job = data;
  g_autoptr(GPtrArray) devices = imu_import_list_device_files (job->path, NULL);
  FolderMessage *listed = g_new0 (FolderMessage, 1);

  listed->kind = FOLDER_LISTED;
  listed->paths = devices != NULL ? g_ptr_array_ref (devices) : NULL;
  folder_post (job, listed);
  if (devices != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(ImuStore) store = imu_store_open (job->library_path, &error);
      ImuImportOptions options = { 0 };

      options.device_timezone = job->device_timezone;
      if (store != NULL)
        imu_import_files (store, devices, &options, 0, folder_report_cb, job, job->cancellable, NULL);
      else
        for (guint i = 0; i < devices->len; i++)
          {
            ImuImportFileReport r = { i, g_ptr_array_index (devices, i), IMU_IMPORT_FILE_FAILED, 0, 0, NULL, 0, error };

            folder_report_cb (&r, job);
          }
      {
        FolderMessage *done = g_new0 (FolderMessage, 1);

        done->kind = FOLDER_DONE;
        folder_post (job, done);
      }
    }
  g_main_context_invoke (job->context, folder_unref_cb, job);
  return NULL;
}

static void
start_folder_import (ImuWindow  *self,
                     const char *path,
                     const char *device_timezone)
{
  FolderJob *job = g_new0 (FolderJob, 1);
  GApplication *app;

  g_atomic_ref_count_init (&job->ref);
  g_weak_ref_init (&job->window, self);
  job->path = g_strdup (path);
  job->library_path = g_strdup (imu_library_get_path (self->library));
  job->device_timezone = g_strdup (device_timezone);
  job->cancellable = g_cancellable_new ();
  job->context = g_main_context_ref_thread_default ();
  job->rows = g_ptr_array_new_with_free_func (g_object_unref);
  job->failures = g_string_new (NULL);
  job->folder_row = g_object_ref (IMU_IMPORT_ROW (imu_import_row_new (path, job->cancellable)));
  if ((app = G_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)))) != NULL)
    {
      job->app = g_object_ref (app);
      g_application_hold (app);
    }
  gtk_list_box_append (self->imports_list, GTK_WIDGET (job->folder_row));
  update_panel (self);
  g_thread_unref (g_thread_new ("imu-import-folder", folder_worker, folder_job_ref (job)));
  folder_job_unref (job);
}

static void
import_path_in_zone (ImuWindow  *self,
                     const char *path,
                     const char *device_timezone)
{
  g_return_if_fail (IMU_IS_WINDOW (self));
  g_return_if_fail (path != NULL);

  if (self->library == NULL)
    return;
  if (device_timezone != NULL && *device_timezone == '\0')
    device_timezone = NULL;
  /* The import's own connection would race the window's first opening of
   * a new library (migrations); it waits until the library is read. */
  if (!imu_library_get_loaded (self->library))
    {
      g_ptr_array_add (self->queued_imports, g_strdup (path));
      return;
    }
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    start_folder_import (self, path, device_timezone);
  else
    start_single_import (self, path, device_timezone);
}

void
imu_window_import_path (ImuWindow  *self,
                        const char *path)
{
  import_path_in_zone (self, path, g_object_get_data (G_OBJECT (self), DEVICE_TIMEZONE_KEY));
}

void
imu_window_start_queued_imports (ImuWindow *self)
{
  g_autoptr(GPtrArray) paths = g_steal_pointer (&self->queued_imports);

  self->queued_imports = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; paths != NULL && i < paths->len; i++)
    imu_window_import_path (self, g_ptr_array_index (paths, i));
}

guint
imu_window_get_n_imports (ImuWindow *self)
{
  guint n = 0;

  g_return_val_if_fail (IMU_IS_WINDOW (self), 0);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->imports_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (IMU_IS_IMPORT_ROW (child) && !imu_import_row_get_finished (IMU_IMPORT_ROW (child)))
      n++;
  return n;
}

GtkListBox *
imu_window_get_imports_list (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return self->imports_list;
}

AdwMessageDialog *
imu_window_get_dialog (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return self->dialog;
}

void
imu_window_cancel_imports (ImuWindow *self)
{
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->imports_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (IMU_IS_IMPORT_ROW (child))
      imu_import_row_cancel (IMU_IMPORT_ROW (child));
}

static void
import_files (ImuWindow *self,
              GSList    *files)
{
  guint refused = 0;

  for (GSList *l = files; l != NULL; l = l->next)
    {
      g_autofree char *path = g_file_get_path (l->data);

      if (path != NULL)
        imu_window_import_path (self, path);
      else
        refused++;
    }
  if (refused > 0)
    imu_window_show_toast (self, adw_toast_new (_("Only files on this computer can be imported")));
}

/* The file chooser */

static void
chooser_response_cb (GtkNativeDialog *dialog,
                     int              response,
                     ImuWindow       *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (dialog));
      GSList *list = NULL;

      const char *zone = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "device-timezone");

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        list = g_slist_append (list, g_list_model_get_item (files, i));
      /* The choice holds for what this chooser imports, and is what the
       * next chooser offers first. */
      g_object_set_data_full (G_OBJECT (self), DEVICE_TIMEZONE_KEY,
                              g_strdup (zone != NULL && !g_str_equal (zone, "local") ? zone : ""), g_free);
      import_files (self, list);
      g_slist_free_full (list, g_object_unref);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

/* Adds @pattern to @filter: "*.csv" as a suffix, which GTK matches
 * whatever the case (devices write test_data.CWA), anything else as is. */
static void
add_pattern (GtkFileFilter *filter,
             const char    *pattern)
{
  if (g_str_has_prefix (pattern, "*.") && strpbrk (pattern + 2, "*?[") == NULL)
    gtk_file_filter_add_suffix (filter, pattern + 2);
  else
    gtk_file_filter_add_pattern (filter, pattern);
}

/* The file filters of the import dialog, from the importer registry: every
 * file a reading importer takes, then one filter per format (those only
 * recognised too: picking one explains what to do with it), then all
 * files. A new format shows up here without a change to this file. */
static void
add_registry_filters (GtkFileChooser *chooser)
{
  g_autoptr(GtkFileFilter) supported = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  const ImuImporter *const *table;
  guint n = 0;

  table = imu_importer_table (&n);
  gtk_file_filter_set_name (supported, _("All supported files"));
  for (guint i = 0; i < n; i++)
    if (imu_importer_reads (table[i]))
      for (guint k = 0; table[i]->patterns != NULL && table[i]->patterns[k] != NULL; k++)
        add_pattern (supported, table[i]->patterns[k]);
  gtk_file_chooser_add_filter (chooser, supported);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, imu_importer_get_display_name (table[i]));
      for (guint k = 0; table[i]->patterns != NULL && table[i]->patterns[k] != NULL; k++)
        add_pattern (filter, table[i]->patterns[k]);
      gtk_file_chooser_add_filter (chooser, filter);
    }

  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (chooser, all);
}

static int
compare_zone_names (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The tz database's zones (zone1970.tab), sorted, each checked with
 * GTimeZone; UTC first. */
static GPtrArray *
list_time_zones (void)
{
  GPtrArray *zones = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  const char *tzdir = g_getenv ("TZDIR");
  g_autofree char *tab = g_build_filename (tzdir != NULL ? tzdir : "/usr/share/zoneinfo", "zone1970.tab", NULL);

  if (!g_file_get_contents (tab, &text, NULL, NULL))
    return zones;
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = NULL;
      g_autoptr(GTimeZone) zone = NULL;

      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      fields = g_strsplit (lines[i], "\t", 4);
      if (g_strv_length (fields) < 3 || (zone = g_time_zone_new_identifier (fields[2])) == NULL)
        continue;
      g_ptr_array_add (zones, g_strdup (fields[2]));
    }
  g_ptr_array_sort (zones, compare_zone_names);
  return zones;
}

/* "Device clock": for device files that store no offset (Axivity CWA; a
 * GT3X or GENEActiv file's own zone wins unless one is chosen here), as
 * `imu import --device-timezone` does. */
static void
add_device_timezone_choice (ImuWindow      *self,
                            GtkFileChooser *chooser)
{
  g_autoptr(GPtrArray) zones = list_time_zones ();
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  const char *current = g_object_get_data (G_OBJECT (self), DEVICE_TIMEZONE_KEY);

  g_ptr_array_add (ids, (gpointer) "local");
  /* Translators: the default of the "Device clock" choice of the import dialog */
  g_ptr_array_add (labels, (gpointer) _("File’s own time zone, else this computer’s"));
  g_ptr_array_add (ids, (gpointer) "UTC");
  g_ptr_array_add (labels, (gpointer) "UTC");
  for (guint i = 0; i < zones->len; i++)
    {
      g_ptr_array_add (ids, g_ptr_array_index (zones, i));
      g_ptr_array_add (labels, g_ptr_array_index (zones, i));
    }
  g_ptr_array_add (ids, NULL);
  g_ptr_array_add (labels, NULL);
  /* Translators: a choice of the import dialog: the time zone of device files' clocks */
  gtk_file_chooser_add_choice (chooser, "device-timezone", _("Device clock"),
                               (const char **) ids->pdata, (const char **) labels->pdata);
  gtk_file_chooser_set_choice (chooser, "device-timezone",
                               current != NULL && *current != '\0' ? current : "local");
}

static void
import_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  ImuWindow *self = user_data;
  gboolean folders = g_str_equal (g_action_get_name (G_ACTION (action)), "import-folder");
  GtkFileChooserNative *chooser;

  if (self->library == NULL)
    return;

  chooser = gtk_file_chooser_native_new (folders ? _("Import Folders") : _("Import Files"),
                                         GTK_WINDOW (self),
                                         folders ? GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Import"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (!folders)
    add_registry_filters (GTK_FILE_CHOOSER (chooser));
  add_device_timezone_choice (self, GTK_FILE_CHOOSER (chooser));
  g_signal_connect_object (chooser, "response", G_CALLBACK (chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
import_paths_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  ImuWindow *self = user_data;
  g_autofree const char **paths = g_variant_get_strv (parameter, NULL);

  for (guint i = 0; paths[i] != NULL; i++)
    imu_window_import_path (self, paths[i]);
}

/* import-paths-in-zone: (paths, zone): as import-paths, with the zone of
 * device files' clocks ("" for the file's own, else this computer's). An
 * unknown zone is refused with a message, as the command line does. */
static void
import_paths_in_zone_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  ImuWindow *self = user_data;
  g_autofree const char **paths = NULL;
  const char *zone = NULL;
  g_autoptr(GVariant) strv = g_variant_get_child_value (parameter, 0);

  g_variant_get_child (parameter, 1, "&s", &zone);
  paths = g_variant_get_strv (strv, NULL);
  if (*zone != '\0')
    {
      g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (zone);

      if (tz == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("“%s” is not a time zone"), zone);

          imu_window_show_toast (self, adw_toast_new (text));
          return;
        }
    }
  for (guint i = 0; paths[i] != NULL; i++)
    import_path_in_zone (self, paths[i], zone);
}

/* Drag and drop */

static gboolean
drop_cb (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         ImuWindow     *self)
{
  GdkFileList *list;
  g_autoptr(GSList) files = NULL;

  gtk_widget_remove_css_class (GTK_WIDGET (self->toast_overlay), "drop-highlight");
  if (!G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST) || self->library == NULL)
    return FALSE;
  list = g_value_get_boxed (value);
  files = gdk_file_list_get_files (list);
  if (files == NULL)
    return FALSE;
  import_files (self, files);
  return TRUE;
}

static GdkDragAction
drop_enter_cb (GtkDropTarget *target,
               double         x,
               double         y,
               ImuWindow     *self)
{
  gtk_widget_add_css_class (GTK_WIDGET (self->toast_overlay), "drop-highlight");
  return GDK_ACTION_COPY;
}

static void
drop_leave_cb (GtkDropTarget *target,
               ImuWindow     *self)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->toast_overlay), "drop-highlight");
}

static const GActionEntry import_actions[] = {
  { "import", import_action, NULL, NULL, NULL },
  { "import-folder", import_action, NULL, NULL, NULL },
  { "import-paths", import_paths_action, "as", NULL, NULL },
  { "import-paths-in-zone", import_paths_in_zone_action, "(ass)", NULL, NULL },
};

void
imu_window_import_init (ImuWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), import_actions, G_N_ELEMENTS (import_actions), self);
  self->drop_target = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect_object (self->drop_target, "drop", G_CALLBACK (drop_cb), self, 0);
  g_signal_connect_object (self->drop_target, "enter", G_CALLBACK (drop_enter_cb), self, 0);
  g_signal_connect_object (self->drop_target, "leave", G_CALLBACK (drop_leave_cb), self, 0);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (self->drop_target));
  g_queue_init (&self->dialogs);
  self->queued_imports = g_ptr_array_new_with_free_func (g_free);
  update_panel (self);
}

void
imu_window_import_dispose (ImuWindow *self)
{
  AdwMessageDialog *dialog;

  if (self->imports_list != NULL)
    imu_window_cancel_imports (self);
  g_clear_pointer (&self->queued_imports, g_ptr_array_unref);
  while ((dialog = g_queue_pop_head (&self->dialogs)) != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (dialog));
      g_object_unref (dialog);
    }
  if (self->dialog != NULL)
    {
      AdwMessageDialog *shown = g_steal_pointer (&self->dialog);

      gtk_window_destroy (GTK_WINDOW (shown));
    }
}
