/* imu-import.c — importing files, folders and archives into a library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pipeline: find the importer in the registry (by content, or the one
 * the caller forced), hash the input (a file as its importer reads it, a
 * folder or archive in a thread of its own), let the importer write
 * through one session builder, then either finish the builder (commit
 * with the audit row) or fail it (roll back, keep only an audit row that
 * says what went wrong). Nothing here names a concrete format: the
 * registry's flags say what an importer does itself.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <nettle/sha2.h>

#include "imu-context.h"
#include "imu-hash-input-stream.h"
#include "imu-import-private.h"
#include "imu-store-ops.h"

G_DEFINE_QUARK (imu-import-error-quark, imu_import_error)
G_DEFINE_BOXED_TYPE (ImuImportResult, imu_import_result, imu_import_result_copy, imu_import_result_free)

/* ---- results ---- */

void
imu_import_result_free (ImuImportResult *result)
{
  if (result == NULL)
    return;
  g_free (result->uuid);
  g_free (result->title);
  g_free (result->format);
  g_free (result->delimiter);
  g_free (result->sha256);
  g_free (result->device_clock);
  g_clear_pointer (&result->issue_counts, g_hash_table_unref);
  g_clear_pointer (&result->issue_lines, g_hash_table_unref);
  g_free (result);
}

ImuImportResult *
imu_import_result_copy (const ImuImportResult *result)
{
  ImuImportResult *copy = g_memdup2 (result, sizeof *result);

  copy->uuid = g_strdup (result->uuid);
  copy->title = g_strdup (result->title);
  copy->format = g_strdup (result->format);
  copy->delimiter = g_strdup (result->delimiter);
  copy->sha256 = g_strdup (result->sha256);
  copy->device_clock = g_strdup (result->device_clock);
  copy->issue_counts = result->issue_counts != NULL ? g_hash_table_ref (result->issue_counts) : NULL;
  copy->issue_lines = result->issue_lines != NULL ? g_hash_table_ref (result->issue_lines) : NULL;
  return copy;
}

/* ---- hashing, in a thread of its own ---- */

typedef struct {
  char         *path;
  GCancellable *cancellable;
  char         *hex;
  guint64       bytes;
  GError       *error;
} HashJob;

static gboolean
hash_file_into (struct sha256_ctx *sha, const char *path, guint64 *bytes, GCancellable *cancellable, GError **error)
{
  g_autofree guint8 *buf = g_malloc (1 << 20);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"), path, g_strerror (errsv));
      return FALSE;
    }
#ifdef POSIX_FADV_SEQUENTIAL
  posix_fadvise (fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  while ((n = read (fd, buf, 1 << 20)) != 0)
    {
      if (n < 0)
        {
          int errsv = errno;
          if (errsv == EINTR)
            continue;
          close (fd);
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read: %s"), path, g_strerror (errsv));
          return FALSE;
        }
      sha256_update (sha, (size_t) n, buf);
      *bytes += (guint64) n;
      if (g_cancellable_is_cancelled (cancellable))
        break;
    }
  close (fd);
  return TRUE;
}

static char *
digest_hex (struct sha256_ctx *sha)
{
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex = g_malloc (SHA256_DIGEST_SIZE * 2 + 1);

  sha256_digest (sha, SHA256_DIGEST_SIZE, digest);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}

static void
collect_files (const char *dir, const char *rel, GPtrArray *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *relpath = rel != NULL ? g_build_filename (rel, name, NULL) : g_strdup (name);
      GStatBuf st;

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, relpath, out);
      else if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode))
        /* Only regular files: opening a FIFO would wait for a writer
         * forever. The folder importer skips the others with a note. */
        g_ptr_array_add (out, g_steal_pointer (&relpath));
    }
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* A folder's identity: the sorted list of "relative path\0sha256\n" of its
 * files, hashed. Renaming the folder keeps it; changing any byte does not.
 * The files the folder importer parsed come with the sha256 of the bytes
 * it read (@known: relative path → hex), so that the identity is of what
 * was parsed even when a file changes during the import; the others are
 * read here. */
static char *
folder_identity (const char *path, GHashTable *known, guint64 *bytes, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  struct sha256_ctx sha;

  sha256_init (&sha);
  collect_files (path, NULL, files);
  g_ptr_array_sort (files, compare_strings);
  for (guint i = 0; i < files->len; i++)
    {
      const char *rel = g_ptr_array_index (files, i);
      const char *parsed = known != NULL ? g_hash_table_lookup (known, rel) : NULL;
      g_autofree char *hex = NULL;

      if (parsed != NULL)
        {
          GStatBuf st;
          g_autofree char *full = g_build_filename (path, rel, NULL);

          hex = g_strdup (parsed);
          if (g_stat (full, &st) == 0)
            *bytes += (guint64) st.st_size;
        }
      else
        {
          g_autofree char *full = g_build_filename (path, rel, NULL);
          struct sha256_ctx one;

          sha256_init (&one);
          if (!hash_file_into (&one, full, bytes, cancellable, error))
            return NULL;
          hex = digest_hex (&one);
        }
      sha256_update (&sha, strlen (rel) + 1, (const guint8 *) rel);
      sha256_update (&sha, strlen (hex), (const guint8 *) hex);
      sha256_update (&sha, 1, (const guint8 *) "\n");
    }
  return digest_hex (&sha);
}

/* The hash thread of an archive, or of a file its importer reads by path. */
static gpointer
hash_worker (gpointer data)
{
  HashJob *job = data;
  struct sha256_ctx sha;

  sha256_init (&sha);
  if (hash_file_into (&sha, job->path, &job->bytes, job->cancellable, &job->error))
    job->hex = digest_hex (&sha);
  return NULL;
}

/* ---- detection ---- */

/* Only regular files and folders are imported. A pipe (a FIFO, or a
 * process substitution such as `imu import <(cat f.csv)`, which is a pipe
 * at /dev/fd/N) can be read only once, while detection, the importer and
 * the checksum each read the input; opening a FIFO without a writer waits
 * forever. A device or a socket is no recording either. Checked with
 * stat(), which opens nothing. */
static gboolean
check_input_kind (const char *path, GError **error)
{
  GStatBuf st;
  const char *kind;

  if (g_stat (path, &st) != 0 || S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    return TRUE;   /* a missing file is said so by the next step */
  if (S_ISFIFO (st.st_mode))
    kind = _("a pipe (FIFO)");
  else if (S_ISSOCK (st.st_mode))
    kind = _("a socket");
  else
    kind = _("a device");
  g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ,
               _("%s: not a regular file but %s; IMU Studio imports files and folders. "
                 "Save the data to a file first (for example `cat … > data.csv`)."),
               path, kind);
  return FALSE;
}

char *
imu_import_detect (const char *path, GError **error)
{
  const ImuImporter *importer;

  g_return_val_if_fail (path != NULL, NULL);

  if (!check_input_kind (path, error))
    return NULL;
  if ((importer = imu_importer_detect (path, error)) == NULL)
    return NULL;
  return g_strdup (importer->name);
}

GPtrArray *
imu_import_list_device_files (const char  *path,
                              GPtrArray  **others)
{
  g_autoptr(GPtrArray) files = NULL;
  g_autoptr(GPtrArray) devices = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) rest = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (path != NULL, NULL);

  if (others != NULL)
    *others = NULL;
  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    return NULL;
  files = g_ptr_array_new_with_free_func (g_free);
  collect_files (path, NULL, files);
  g_ptr_array_sort (files, compare_strings);
  for (guint i = 0; i < files->len; i++)
    {
      char *full = g_build_filename (path, g_ptr_array_index (files, i), NULL);
      const ImuImporter *importer = imu_importer_detect (full, NULL);

      if (importer != NULL && (importer->flags & IMU_IMPORTER_DEVICE_FILE))
        g_ptr_array_add (devices, full);
      else
        g_ptr_array_add (rest, full);
    }
  if (devices->len == 0)
    return NULL;
  if (others != NULL)
    *others = g_steal_pointer (&rest);
  return g_steal_pointer (&devices);
}

static guint64
path_size (const char *path)
{
  GStatBuf st;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
      guint64 total = 0;

      collect_files (path, NULL, files);
      for (guint i = 0; i < files->len; i++)
        {
          g_autofree char *full = g_build_filename (path, g_ptr_array_index (files, i), NULL);
          if (g_stat (full, &st) == 0)
            total += (guint64) st.st_size;
        }
      return total;
    }
  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

static char *
default_title (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base && !g_file_test (path, G_FILE_TEST_IS_DIR))
    *dot = '\0';
  return g_steal_pointer (&base);
}

/* The importer to use: the forced one, or the registry's best guess. */
static const ImuImporter *
choose_importer (const char *path, const ImuImportOptions *options, GError **error)
{
  const ImuImporter *importer;

  if (!check_input_kind (path, error))
    return NULL;
  if (options == NULL || options->format == NULL || *options->format == '\0')
    return imu_importer_detect (path, error);
  if ((importer = imu_importer_lookup (options->format)) == NULL)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNKNOWN_FORMAT,
                   _("“%s” is not a format IMU Studio knows; `imu formats` lists them"), options->format);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: no such file or folder"), path);
      return NULL;
    }
  return importer;
}

ImuImportResult *
imu_import_path (ImuStore               *store,
                 const char             *path,
                 const ImuImportOptions *options,
                 ImuProgressFunc         progress,
                 gpointer                progress_data,
                 gint64                 *duplicate_of,
                 GCancellable           *cancellable,
                 GError                **error)
{
  g_autoptr(ImuSessionBuilder) builder = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GCancellable) hash_cancel = g_cancellable_new ();
  g_autofree char *base = NULL;
  g_autoptr(GInputStream) hashed = NULL;
  const ImuImporter *importer;
  ImuImportInput input = { 0 };
  HashJob job = { 0 };
  GThread *hasher = NULL;
  gboolean whole_session;
  gint64 dup = 0;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (duplicate_of != NULL)
    *duplicate_of = 0;

  /* The builder exists from the start, so that even a file no importer
   * takes leaves its one audit row. */
  builder = imu_session_builder_new (store, path, IMU_SESSION_BUILDER_IMPORT);
  if (!(importer = choose_importer (path, options, &local_error)))
    goto out;
  imu_session_builder_set_format (builder, importer->name);
  whole_session = (importer->flags & IMU_IMPORTER_WHOLE_SESSION) != 0;

  input.path = path;
  input.name = base = g_path_get_basename (path);
  input.size = input.total_bytes = path_size (path);
  input.progress = progress;
  input.progress_data = progress_data;
  input.cancellable = cancellable;
  input.options = options;
  input.duplicate_of = &dup;
  imu_session_builder_set_source (builder, NULL, (gint64) input.total_bytes);

  /* Room on the disk first (imu-store-ops.h holds the thresholds): a full
   * disk refuses up front instead of failing half-way. */
  {
    g_autoptr(GError) room_error = NULL;

    if (!imu_store_check_room_for_import (store, (gint64) input.total_bytes, &room_error))
      {
        g_set_error_literal (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DISK_FULL, room_error->message);
        goto out;
      }
  }

  /* An input that carries a whole session (a bundle) describes and
   * checksums itself; any other is hashed here, while it is imported. A
   * file that its importer reads as a stream is hashed as it is read: the
   * checksum is then of the very bytes that were parsed, even when the
   * file changes during the import. A folder or an archive (read by
   * libarchive from its path) is hashed in a thread of its own. */
  if (!whole_session)
    {
      ImuSession *session = imu_session_builder_get_session (builder);
      g_autofree char *title = options != NULL && options->title != NULL && *options->title
                               ? g_strdup (options->title) : default_title (path);

      if ((importer->flags & IMU_IMPORTER_MEMBERS) && !g_file_test (path, G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GFile) file = g_file_new_for_path (path);
          g_autoptr(GFileInputStream) in = NULL;
          g_autoptr(GError) open_error = NULL;

          if (!(in = g_file_read (file, cancellable, &open_error)))
            {
              if (g_error_matches (open_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                local_error = g_steal_pointer (&open_error);
              else
                g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"),
                             path, open_error->message);
              goto out;
            }
          hashed = imu_hash_input_stream_new (G_INPUT_STREAM (in));
          input.stream = hashed;
        }
      else if (g_file_test (path, G_FILE_TEST_IS_DIR))
        /* A folder: the folder importer hashes the files it parses as it
         * reads them; the rest are hashed after (folder_identity ()). */
        input.member_sha256 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      else
        {
          job.path = g_strdup (path);
          job.cancellable = hash_cancel;
          hasher = g_thread_new ("imu-import-hash", hash_worker, &job);
        }

      imu_session_set_title (session, title);
      if (options != NULL)
        {
          imu_session_set_subject (session, options->subject);
          imu_session_set_activity (session, options->activity);
          imu_session_set_tags (session, options->tags);
        }
      g_object_set (session, "origin", "imported", "origin-path", path, NULL);
    }

  if (!imu_session_builder_begin (builder, &local_error))
    goto out;
  if (!importer->import (importer, builder, &input, &local_error))
    goto out;

  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    goto out;
  if (imu_session_builder_too_many_errors (builder))
    {
      gint64 bad = imu_session_builder_get_lines_bad (builder);

      g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_MANY_ERRORS,
                   _("%s: %" PRId64 " of %" PRId64 " lines could not be read; "
                     "this does not look like data IMU Studio understands"),
                   path, bad, bad + imu_session_builder_get_lines_ok (builder));
      goto out;
    }
  if (!imu_session_builder_end_streams (builder, &local_error))
    goto out;

  if (!whole_session)
    {
      if (imu_session_builder_get_n_samples (builder) == 0)
        {
          g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                       _("%s: there are no samples in it (only a header or metadata)"), path);
          goto out;
        }

      /* The hash decides whether these bytes are already in the library. */
      if (hashed != NULL)
        {
          g_autoptr(GError) read_error = NULL;

          /* An importer that stopped before the end leaves the rest unread:
           * the checksum still covers the whole input, read once. */
          if (!imu_hash_input_stream_drain (IMU_HASH_INPUT_STREAM (hashed), cancellable, &read_error))
            {
              if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                local_error = g_steal_pointer (&read_error);
              else
                g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read: %s"),
                             path, read_error->message);
              goto out;
            }
          job.hex = imu_hash_input_stream_dup_sha256 (IMU_HASH_INPUT_STREAM (hashed));
          job.bytes = imu_hash_input_stream_get_bytes (IMU_HASH_INPUT_STREAM (hashed));
        }
      else if (input.member_sha256 != NULL)
        {
          if (!(job.hex = folder_identity (path, input.member_sha256, &job.bytes, cancellable, &local_error)))
            goto out;
        }
      else
        {
          g_thread_join (g_steal_pointer (&hasher));
          if (job.error != NULL)
            {
              local_error = g_steal_pointer (&job.error);
              goto out;
            }
        }
      imu_session_builder_set_source (builder, job.hex, (gint64) job.bytes);
      if (!(options != NULL && options->allow_duplicate))
        {
          gint64 existing = imu_store_find_session_by_sha256 (store, job.hex, &local_error);

          if (local_error != NULL)
            goto out;
          if (existing > 0)
            {
              g_autoptr(ImuSession) other = imu_store_load_session (store, existing, NULL);

              dup = existing;
              g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE,
                           _("%s is already in the library as session %" PRId64 " “%s” (%s)"),
                           path, existing, other != NULL ? imu_session_get_title (other) : "",
                           other != NULL ? imu_session_get_uuid (other) : "");
              goto out;
            }
        }
    }

  if ((result = imu_session_builder_finish (builder, &local_error)) != NULL)
    imu_import_input_progress (&input, input.total_bytes);

out:
  if (hasher != NULL)
    {
      g_cancellable_cancel (hash_cancel);
      g_thread_join (hasher);
    }
  if (result == NULL)
    {
      /* The failure's audit row keeps the input's checksum, as a hashing
       * thread would have taken it: the rest of the file is read into it
       * (not for a cancel, which leaves no row). */
      if (hashed != NULL && job.hex == NULL && !g_cancellable_is_cancelled (cancellable)
          && imu_hash_input_stream_drain (IMU_HASH_INPUT_STREAM (hashed), cancellable, NULL))
        {
          job.hex = imu_hash_input_stream_dup_sha256 (IMU_HASH_INPUT_STREAM (hashed));
          job.bytes = imu_hash_input_stream_get_bytes (IMU_HASH_INPUT_STREAM (hashed));
        }
      /* The failure's audit row keeps what was hashed of the input. */
      if (job.hex != NULL && imu_session_builder_get_sha256 (builder) == NULL)
        imu_session_builder_set_source (builder, job.hex, (gint64) job.bytes);
      if (duplicate_of != NULL)
        *duplicate_of = dup;
      imu_session_builder_fail (builder, g_steal_pointer (&local_error), error);
    }
  g_free (job.path);
  g_free (job.hex);
  g_clear_error (&job.error);
  g_clear_pointer (&input.member_sha256, g_hash_table_unref);
  return g_steal_pointer (&result);
}

/* ---- async ---- */

typedef struct {
  char             *library_path;
  char             *path;
  ImuImportOptions  options;
  char             *title, *subject, *activity, *format, *device_timezone;
  char            **tags;
  ImuProgressRelay *progress;   /* NULL: nobody listens */
  gint64            duplicate_of;
} ImportData;

static void
import_data_free (ImportData *d)
{
  g_free (d->library_path);
  g_free (d->path);
  g_free (d->title);
  g_free (d->subject);
  g_free (d->activity);
  g_free (d->format);
  g_free (d->device_timezone);
  g_strfreev (d->tags);
  g_clear_pointer (&d->progress, imu_progress_relay_unref);
  g_free (d);
}

static void
import_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportData *d = task_data;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ImuImportResult *result;

  if (!(store = imu_store_open (d->library_path, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  result = imu_import_path (store, d->path, &d->options,
                            d->progress != NULL ? imu_progress_relay_report : NULL, d->progress,
                            &d->duplicate_of, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) imu_import_result_free);
}

void
imu_import_path_async (const char             *library_path,
                       const char             *path,
                       const ImuImportOptions *options,
                       ImuProgressFunc         progress,
                       gpointer                progress_data,
                       GDestroyNotify          progress_destroy,
                       GCancellable           *cancellable,
                       GAsyncReadyCallback     callback,
                       gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportData *d;

  g_return_if_fail (library_path != NULL);
  g_return_if_fail (path != NULL);

  d = g_new0 (ImportData, 1);
  d->library_path = g_strdup (library_path);
  d->path = g_strdup (path);
  if (options != NULL)
    {
      d->title = g_strdup (options->title);
      d->subject = g_strdup (options->subject);
      d->activity = g_strdup (options->activity);
      d->tags = g_strdupv ((char **) options->tags);
      d->format = g_strdup (options->format);
      d->device_timezone = g_strdup (options->device_timezone);
      d->options.allow_duplicate = options->allow_duplicate;
    }
  d->options.title = d->title;
  d->options.subject = d->subject;
  d->options.activity = d->activity;
  d->options.tags = (const char * const *) d->tags;
  d->options.format = d->format;
  d->options.device_timezone = d->device_timezone;
  /* Progress goes back to the caller's context, throttled; so does the
   * caller's data (a widget) when the task ends, in whatever thread. */
  if (progress != NULL)
    d->progress = imu_progress_relay_new (progress, progress_data, progress_destroy);
  else if (progress_destroy != NULL)
    progress_destroy (progress_data);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, imu_import_path_async);
  /* The outcome as it is: a cancel that came after the import committed
   * must not report "cancelled" for a session that is in the library. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, d, (GDestroyNotify) import_data_free);
  g_task_run_in_thread (task, import_thread);
}

ImuImportResult *
imu_import_path_finish (GAsyncResult  *result,
                        gint64        *duplicate_of,
                        GError       **error)
{
  ImportData *d;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == imu_import_path_async, NULL);

  d = g_task_get_task_data (G_TASK (result));
  if (duplicate_of != NULL)
    *duplicate_of = d->duplicate_of;
  return g_task_propagate_pointer (G_TASK (result), error);
}
