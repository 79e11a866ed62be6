/* imu-session-export.c — a session written out from the window: CSV as it
 * came, CSV per stream, or a bundle, in a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The writing itself is core's, called as `imu export` calls it
 * (imu_export_csv_write() with the source layout's one file or one stream
 * per file, imu_bundle_write()); what is here is where the bytes go: under
 * a hidden temporary name beside the destination, renamed when complete,
 * removed when not.
 */
#define G_LOG_DOMAIN "imu-session-export"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include "imu-bundle.h"
#include "imu-context.h"
#include "imu-export-csv.h"
#include "imu-session-export.h"

/* A title as a file name: no directory separators or control characters,
 * not hidden, not empty. */
static char *
safe_name (const char *title)
{
  GString *name = g_string_new (NULL);

  for (const char *p = title != NULL ? title : ""; *p != '\0'; p++)
    g_string_append_c (name, (*p == '/' || *p == '\\' || (guchar) *p < 0x20) ? '_' : *p);
  g_strstrip (name->str);
  g_string_set_size (name, strlen (name->str));
  if (name->len == 0)
    /* Translators: the file name of an export when the session has no title */
    g_string_append (name, _("Session"));
  if (name->str[0] == '.')
    g_string_prepend_c (name, '_');
  return g_string_free (name, FALSE);
}

gboolean
imu_session_export_is_one_file (ImuSession           *session,
                                ImuSessionExportKind  kind)
{
  g_return_val_if_fail (IMU_IS_SESSION (session), FALSE);

  switch (kind)
    {
    case IMU_SESSION_EXPORT_BUNDLE:
      return TRUE;
    case IMU_SESSION_EXPORT_CSV_SOURCE:
      return imu_export_csv_session_is_one_file (session);
    case IMU_SESSION_EXPORT_CSV_STREAMS:
    default:
      return FALSE;
    }
}

char *
imu_session_export_suggest_name (ImuSession           *session,
                                 ImuSessionExportKind  kind)
{
  g_autofree char *title = NULL;

  g_return_val_if_fail (IMU_IS_SESSION (session), NULL);

  title = safe_name (imu_session_get_title (session));
  if (kind == IMU_SESSION_EXPORT_BUNDLE)
    return g_strconcat (title, IMU_BUNDLE_EXTENSION, NULL);
  if (imu_session_export_is_one_file (session, kind))
    return imu_export_csv_source_file_name (session);
  return g_steal_pointer (&title);
}

/* Progress over several streams: each call of core's writer counts its own
 * samples; the export counts all. */
typedef struct {
  ImuProgressFunc progress;
  gpointer        progress_data;
  guint64         offset;
  guint64         total;
} Counter;

static void
counter_cb (guint64  done,
            guint64  total,
            gpointer user_data)
{
  Counter *counter = user_data;

  if (counter->progress != NULL)
    counter->progress (counter->offset + done, MAX (counter->total, counter->offset + total),
                       counter->progress_data);
}

static void
set_io_error (GError    **error,
              int         saved_errno,
              const char *format,
              ...) G_GNUC_PRINTF (3, 4);

static void
set_io_error (GError    **error,
              int         saved_errno,
              const char *format,
              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s: %s", text, g_strerror (saved_errno));
}

/* Nothing could be made in @folder. */
static void
set_folder_error (GError    **error,
                  int         saved_errno,
                  const char *folder)
{
  g_autofree char *shown = g_filename_display_name (folder);

  if (saved_errno == ENOENT)
    /* Translators: %s is the folder chosen for an export */
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                 _("The folder %s does not exist (any more). Choose another one."), shown);
  else
    /* Translators: %s is a folder that an export could not write in */
    set_io_error (error, saved_errno, _("Could not write in %s"), shown);
}

/* Writes @streams as one CSV to a new file @path (that must not exist:
 * the caller writes inside a fresh temporary folder, or to a temporary
 * name). Synced before it is closed, so that the rename that follows
 * never exposes a file whose bytes are not on disk. */
static gboolean
write_csv_to (ImuStore      *store,
              GPtrArray     *streams,
              int            fd,
              const char    *path,
              Counter       *counter,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GOutputStream) out = g_unix_output_stream_new (fd, TRUE);

  if (!imu_export_csv_write (store, streams, out, counter_cb, counter, cancellable, error))
    return FALSE;
  if (!g_output_stream_flush (out, cancellable, error))
    return FALSE;
  if (fsync (fd) != 0)
    {
      set_io_error (error, errno, "%s", path);
      return FALSE;
    }
  return g_output_stream_close (out, cancellable, error);
}

/* What mkstemp and mkdtemp leave private becomes an ordinary file. */
static void
make_ordinary (const char *path,
               int         mode)
{
  mode_t mask = umask (0);

  umask (mask);
  g_chmod (path, mode & ~mask);
}

static char *
folder_display (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  return g_filename_display_name (dir);
}

/* Says which file went wrong and where, before what went wrong. */
static void
prefix_where (GError    **error,
              const char *path)
{
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *folder = folder_display (path);

  /* Translators: the start of an export error: the file, then its folder */
  g_prefix_error (error, _("Could not write “%s” in %s: "), name, folder);
}

static gboolean
export_one_csv (ImuStore      *store,
                GPtrArray     *streams,
                const char    *path,
                Counter       *counter,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *tmp_name = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *tmp = g_build_filename (dir, tmp_name, NULL);
  int fd;

  if ((fd = g_mkstemp (tmp)) < 0)
    {
      set_folder_error (error, errno, dir);
      return FALSE;
    }
  if (!write_csv_to (store, streams, fd, tmp, counter, cancellable, error))
    {
      g_unlink (tmp);
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        prefix_where (error, path);
      return FALSE;
    }
  make_ordinary (tmp, 0666);
  if (g_rename (tmp, path) != 0)
    {
      int saved_errno = errno;
      g_autofree char *name = g_filename_display_basename (path);
      g_autofree char *folder = g_filename_display_name (dir);

      g_unlink (tmp);
      set_io_error (error, saved_errno, _("Could not write “%s” in %s"), name, folder);
      return FALSE;
    }
  return TRUE;
}

/* Removes a temporary folder of an export that did not finish, with the
 * files it wrote into it (only plain files are ever written there). */
static void
remove_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

/* "Title", or "Title (2)"… when that is taken: a folder export never
 * writes into what is there. */
static char *
free_folder_name (const char *parent,
                  const char *base)
{
  char *path = g_build_filename (parent, base, NULL);

  for (guint n = 2; g_file_test (path, G_FILE_TEST_EXISTS); n++)
    {
      g_autofree char *name = g_strdup_printf ("%s (%u)", base, n);

      g_free (path);
      path = g_build_filename (parent, name, NULL);
    }
  return path;
}

static gboolean
export_folder (ImuStore      *store,
               ImuSession    *session,
               GPtrArray     *streams,
               const char    *parent,
               Counter       *counter,
               GCancellable  *cancellable,
               char         **written,
               GError       **error)
{
  g_autofree char *base = safe_name (imu_session_get_title (session));
  g_autofree char *tmp_name = g_strdup_printf (".%s.XXXXXX", base);
  g_autofree char *tmp = g_build_filename (parent, tmp_name, NULL);
  g_autofree char *path = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  if (g_mkdtemp (tmp) == NULL)
    {
      set_folder_error (error, errno, parent);
      return FALSE;
    }

  for (guint i = 0; i < streams->len; i++)
    {
      ImuStreamInfo *info = g_ptr_array_index (streams, i);
      g_autofree char *name = imu_export_csv_stream_file_name (info->name);
      g_autofree char *file = NULL;
      g_autoptr(GPtrArray) one = g_ptr_array_new ();
      int fd;

      /* Two streams of one name get two files. */
      if (g_hash_table_contains (names, name))
        {
          g_autofree char *stem = g_strndup (name, strlen (name) - strlen (".csv"));

          for (guint n = 2; g_hash_table_contains (names, name); n++)
            {
              g_free (name);
              name = g_strdup_printf ("%s (%u).csv", stem, n);
            }
        }
      g_hash_table_add (names, g_strdup (name));
      file = g_build_filename (tmp, name, NULL);
      fd = g_open (file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0)
        {
          int saved_errno = errno;
          g_autofree char *folder = g_filename_display_name (parent);

          set_io_error (error, saved_errno, _("Could not write in %s"), folder);
          remove_folder (tmp);
          return FALSE;
        }
      g_ptr_array_add (one, info);
      if (!write_csv_to (store, one, fd, file, counter, cancellable, error))
        {
          remove_folder (tmp);
          if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_autofree char *shown = g_build_filename (parent, base, name, NULL);

              prefix_where (error, shown);
            }
          return FALSE;
        }
      counter->offset += (guint64) MAX (info->n_samples, 0);
    }

  make_ordinary (tmp, 0777);
  path = free_folder_name (parent, base);
  if (g_rename (tmp, path) != 0)
    {
      int saved_errno = errno;
      g_autofree char *name = g_filename_display_basename (path);
      g_autofree char *folder = g_filename_display_name (parent);

      remove_folder (tmp);
      /* Translators: a folder an export could not make, and where */
      set_io_error (error, saved_errno, _("Could not make the folder “%s” in %s"), name, folder);
      return FALSE;
    }
  if (written != NULL)
    *written = g_steal_pointer (&path);
  return TRUE;
}

gboolean
imu_session_export (ImuStore              *store,
                    gint64                 session_id,
                    ImuSessionExportKind   kind,
                    const char            *destination,
                    ImuProgressFunc        progress,
                    gpointer               progress_data,
                    GCancellable          *cancellable,
                    char                 **written,
                    GError               **error)
{
  g_autoptr(ImuSession) session = NULL;
  Counter counter = { progress, progress_data, 0, 0 };
  GPtrArray *streams;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (destination != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(session = imu_store_load_session (store, session_id, error)))
    {
      g_prefix_error (error, _("Could not read the session from the library: "));
      return FALSE;
    }

  if (kind == IMU_SESSION_EXPORT_BUNDLE)
    {
      if (!imu_bundle_write (store, session_id, destination, IMU_BUNDLE_ARCHIVE_TAR_ZSTD,
                             progress, progress_data, cancellable, NULL, error))
        {
          if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            prefix_where (error, destination);
          return FALSE;
        }
      if (written != NULL)
        *written = g_strdup (destination);
      return TRUE;
    }

  streams = imu_session_get_streams (session);
  if (streams == NULL || streams->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("This session holds no samples: there is nothing to write as CSV. "
                             "Export it as a bundle to keep its events and details."));
      return FALSE;
    }
  for (guint i = 0; i < streams->len; i++)
    counter.total += (guint64) MAX (((ImuStreamInfo *) g_ptr_array_index (streams, i))->n_samples, 0);

  if (imu_session_export_is_one_file (session, kind))
    {
      /* The layout it came in: one CSV with every stream (imu export
       * --layout source). */
      if (!export_one_csv (store, streams, destination, &counter, cancellable, error))
        return FALSE;
      if (written != NULL)
        *written = g_strdup (destination);
      return TRUE;
    }
  return export_folder (store, session, streams, destination, &counter, cancellable, written, error);
}

/* In a worker thread */

typedef struct {
  char                 *library_path;
  gint64                session_id;
  ImuSessionExportKind  kind;
  char                 *destination;
  GMainContext         *context;

  /* Progress, handed to @context at most once per frame or so. */
  GMutex                lock;
  guint64               done, total;
  gboolean              posted;
  ImuProgressFunc       progress;
  gpointer              progress_data;
  GDestroyNotify        progress_notify;
  GCancellable         *cancellable;    /* the task's, while the worker runs */
  gint                  ref_count;
} ExportJob;

/* Tests hold an export after its first progress, to look at the
 * progress before the export ends; see imu_session_export_hold_for_testing(). */
static GMutex   hold_lock;
static GCond    hold_cond;
static gboolean hold_exports;

void
imu_session_export_hold_for_testing (gboolean hold)
{
  g_mutex_lock (&hold_lock);
  hold_exports = hold;
  g_cond_broadcast (&hold_cond);
  g_mutex_unlock (&hold_lock);
}

static void
wait_while_held (GCancellable *cancellable)
{
  g_mutex_lock (&hold_lock);
  /* A cancellation ends the wait too: it has no signal on this cond. */
  while (hold_exports && !g_cancellable_is_cancelled (cancellable))
    g_cond_wait_until (&hold_cond, &hold_lock, g_get_monotonic_time () + 10 * G_TIME_SPAN_MILLISECOND);
  g_mutex_unlock (&hold_lock);
}

static void
export_job_unref (gpointer data)
{
  ExportJob *job = data;

  if (!g_atomic_int_dec_and_test (&job->ref_count))
    return;
  /* The last reference may go in the worker thread; what the progress
   * reports to (a dialog) goes back where it came from. */
  if (job->progress_notify != NULL)
    imu_context_post_free (job->context, job->progress_notify, job->progress_data);
  g_mutex_clear (&job->lock);
  g_main_context_unref (job->context);
  g_free (job->library_path);
  g_free (job->destination);
  g_free (job);
}

static ExportJob *
export_job_ref (ExportJob *job)
{
  g_atomic_int_inc (&job->ref_count);
  return job;
}

static gboolean
report_progress_cb (gpointer user_data)
{
  ExportJob *job = user_data;
  guint64 done, total;

  g_mutex_lock (&job->lock);
  done = job->done;
  total = job->total;
  job->posted = FALSE;
  g_mutex_unlock (&job->lock);
  if (job->progress != NULL)
    job->progress (done, total, job->progress_data);
  return G_SOURCE_REMOVE;
}

static void
worker_progress_cb (guint64  done,
                    guint64  total,
                    gpointer user_data)
{
  ExportJob *job = user_data;
  gboolean post;

  g_mutex_lock (&job->lock);
  job->done = done;
  job->total = total;
  post = !job->posted;
  job->posted = TRUE;
  g_mutex_unlock (&job->lock);
  /* One report waits at a time; it reads the latest numbers. */
  if (post)
    imu_context_post (job->context, report_progress_cb, export_job_ref (job), export_job_unref);
  if (done > 0)
    wait_while_held (job->cancellable);
}

static void
export_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr(ImuStore) store = NULL;
  g_autofree char *written = NULL;
  GError *error = NULL;

  if (!(store = imu_store_open (job->library_path, &error)))
    {
      g_prefix_error (&error, _("Could not open the library: "));
      g_task_return_error (task, error);
      return;
    }
  job->cancellable = cancellable;
  if (!imu_session_export (store, job->session_id, job->kind, job->destination,
                           worker_progress_cb, job, cancellable, &written, &error))
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_steal_pointer (&written), g_free);
}

void
imu_session_export_async (const char            *library_path,
                          gint64                 session_id,
                          ImuSessionExportKind   kind,
                          const char            *destination,
                          ImuProgressFunc        progress,
                          gpointer               progress_data,
                          GDestroyNotify         progress_notify,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (library_path != NULL);
  g_return_if_fail (destination != NULL);

  job = g_new0 (ExportJob, 1);
  job->ref_count = 1;
  job->library_path = g_strdup (library_path);
  job->session_id = session_id;
  job->kind = kind;
  job->destination = g_strdup (destination);
  job->context = g_main_context_ref_thread_default ();
  g_mutex_init (&job->lock);
  job->progress = progress;
  job->progress_data = progress_data;
  job->progress_notify = progress_notify;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, imu_session_export_async);
  g_task_set_task_data (task, job, export_job_unref);
  g_task_run_in_thread (task, export_worker);
}

char *
imu_session_export_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
