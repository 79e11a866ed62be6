/* imu-import.c — importing files, folders and archives into a library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The pipeline: detect the format by content, hash the input (in a thread
 * of its own, at the same time as the import), open one transaction, let
 * the format's importer stream samples into writers, then either commit the
 * session with its audit row, or roll everything back and keep only an
 * audit row that says what went wrong.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <nettle/sha2.h>

#include "imu-context.h"
#include "imu-bundle.h"
#include "imu-import-private.h"
#include "imu-store-private.h"

G_DEFINE_QUARK (imu-import-error-quark, imu_import_error)
G_DEFINE_BOXED_TYPE (ImuImportResult, imu_import_result, imu_import_result_copy, imu_import_result_free)

struct _ImuImportContext
{
  ImuStore        *store;
  ImuSession      *session;
  GCancellable    *cancellable;
  GPtrArray       *writers;        /* ImuStreamWriter* */
  GHashTable      *stream_names;   /* names used */
  GHashTable      *issue_counts;   /* code → count */
  GHashTable      *issue_lines;    /* code → GArray<gint64> */
  GPtrArray       *events;         /* ImuEvent* */
  gint64           lines_ok;
  gint64           lines_bad;
  guint64          total_bytes;
  ImuProgressFunc  progress;
  gpointer         progress_data;
  char            *format;
  char             delimiter;
  gboolean         utf8_valid;
};

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
  copy->issue_counts = result->issue_counts != NULL ? g_hash_table_ref (result->issue_counts) : NULL;
  copy->issue_lines = result->issue_lines != NULL ? g_hash_table_ref (result->issue_lines) : NULL;
  return copy;
}

/* ---- the context, for importers ---- */

ImuSession *imu_import_context_get_session (ImuImportContext *ctx) { return ctx->session; }
ImuStore *imu_import_context_get_store (ImuImportContext *ctx) { return ctx->store; }
GCancellable *imu_import_context_get_cancellable (ImuImportContext *ctx) { return ctx->cancellable; }
guint64 imu_import_context_get_total_bytes (ImuImportContext *ctx) { return ctx->total_bytes; }

ImuStreamWriter *
imu_import_context_add_stream (ImuImportContext    *ctx,
                               const ImuStreamInfo *info,
                               GError             **error)
{
  g_autoptr(ImuStreamInfo) copy = imu_stream_info_copy (info);
  ImuStreamWriter *writer;

  copy->session_id = imu_session_get_id (ctx->session);
  for (guint n = 2; g_hash_table_contains (ctx->stream_names, copy->name); n++)
    {
      g_free (copy->name);
      copy->name = g_strdup_printf ("%s %u", info->name, n);
    }
  if (!(writer = imu_stream_writer_new (ctx->store, copy, error)))
    return NULL;
  g_hash_table_add (ctx->stream_names, g_strdup (copy->name));
  g_ptr_array_add (ctx->writers, writer);
  return writer;
}

void
imu_import_context_issue (ImuImportContext *ctx,
                          const char       *code,
                          gint64            line)
{
  gpointer count = g_hash_table_lookup (ctx->issue_counts, code);
  GArray *lines;

  if (count == NULL)
    {
      g_hash_table_insert (ctx->issue_counts, g_strdup (code), GINT_TO_POINTER (1));
      lines = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (ctx->issue_lines, g_strdup (code), lines);
    }
  else
    {
      g_hash_table_insert (ctx->issue_counts, g_strdup (code), GINT_TO_POINTER (GPOINTER_TO_INT (count) + 1));
      lines = g_hash_table_lookup (ctx->issue_lines, code);
    }
  if (line > 0 && lines->len < IMU_IMPORT_KEPT_LINES)
    g_array_append_val (lines, line);
}

void
imu_import_context_count_line (ImuImportContext *ctx,
                               gboolean          accepted)
{
  if (accepted)
    ctx->lines_ok++;
  else
    ctx->lines_bad++;
}

gboolean
imu_import_context_too_many_errors (ImuImportContext *ctx)
{
  gint64 total = ctx->lines_ok + ctx->lines_bad;

  if (ctx->lines_bad == 0)
    return FALSE;
  if (total < IMU_IMPORT_MIN_LINES_FOR_RATIO)
    return ctx->lines_bad * 2 > total;
  return (double) ctx->lines_bad > IMU_IMPORT_MAX_BAD_FRACTION * (double) total;
}

void
imu_import_context_progress (ImuImportContext *ctx,
                             guint64           bytes_done)
{
  if (ctx->progress != NULL)
    ctx->progress (MIN (bytes_done, ctx->total_bytes), ctx->total_bytes, ctx->progress_data);
}

void
imu_import_context_set_format (ImuImportContext *ctx, const char *format)
{
  g_free (ctx->format);
  ctx->format = g_strdup (format);
}

void
imu_import_context_set_delimiter (ImuImportContext *ctx, char delimiter)
{
  ctx->delimiter = delimiter;
}

void
imu_import_context_set_utf8_valid (ImuImportContext *ctx, gboolean valid)
{
  ctx->utf8_valid = valid;
}

void
imu_import_context_add_event (ImuImportContext *ctx,
                              gint64            t_ns,
                              gint64            duration_ns,
                              const char       *kind,
                              const char       *label,
                              const char       *payload_json)
{
  ImuEvent *event = imu_event_new (t_ns, kind, label);

  event->duration_ns = duration_ns;
  event->payload_json = g_strdup (payload_json);
  g_ptr_array_add (ctx->events, event);
}

static ImuImportContext *
context_new (ImuStore *store, GCancellable *cancellable, ImuProgressFunc progress, gpointer data)
{
  ImuImportContext *ctx = g_new0 (ImuImportContext, 1);

  ctx->store = g_object_ref (store);
  ctx->session = imu_session_new ();
  ctx->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  ctx->writers = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_stream_writer_free);
  ctx->stream_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx->issue_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ctx->issue_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  ctx->events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
  ctx->progress = progress;
  ctx->progress_data = data;
  ctx->utf8_valid = TRUE;
  return ctx;
}

static void
context_free (ImuImportContext *ctx)
{
  g_clear_pointer (&ctx->writers, g_ptr_array_unref);
  g_clear_pointer (&ctx->stream_names, g_hash_table_unref);
  g_clear_pointer (&ctx->issue_counts, g_hash_table_unref);
  g_clear_pointer (&ctx->issue_lines, g_hash_table_unref);
  g_clear_pointer (&ctx->events, g_ptr_array_unref);
  g_clear_object (&ctx->session);
  g_clear_object (&ctx->cancellable);
  g_clear_object (&ctx->store);
  g_free (ctx->format);
  g_free (ctx);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuImportContext, context_free)

static char *
issues_to_json (ImuImportContext *ctx)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) codes = g_list_sort (g_hash_table_get_keys (ctx->issue_counts), (GCompareFunc) strcmp);

  json_builder_begin_object (b);
  for (GList *l = codes; l != NULL; l = l->next)
    {
      GArray *lines = g_hash_table_lookup (ctx->issue_lines, l->data);

      json_builder_set_member_name (b, l->data);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, GPOINTER_TO_INT (g_hash_table_lookup (ctx->issue_counts, l->data)));
      json_builder_set_member_name (b, "lines");
      json_builder_begin_array (b);
      for (guint i = 0; lines != NULL && i < lines->len; i++)
        json_builder_add_int_value (b, g_array_index (lines, gint64, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
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

      if (g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        continue;
      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect_files (path, relpath, out);
      else
        g_ptr_array_add (out, g_steal_pointer (&relpath));
    }
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* A folder's identity: the sorted list of "relative path\0sha256\n" of its
 * files, hashed. Renaming the folder keeps it; changing any byte does not. */
static gpointer
hash_worker (gpointer data)
{
  HashJob *job = data;
  struct sha256_ctx sha;

  sha256_init (&sha);
  if (g_file_test (job->path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

      collect_files (job->path, NULL, files);
      g_ptr_array_sort (files, compare_strings);
      for (guint i = 0; i < files->len; i++)
        {
          g_autofree char *full = g_build_filename (job->path, g_ptr_array_index (files, i), NULL);
          g_autofree char *hex = NULL;
          struct sha256_ctx one;

          sha256_init (&one);
          if (!hash_file_into (&one, full, &job->bytes, job->cancellable, &job->error))
            return NULL;
          hex = digest_hex (&one);
          sha256_update (&sha, strlen (g_ptr_array_index (files, i)) + 1, g_ptr_array_index (files, i));
          sha256_update (&sha, strlen (hex), (const guint8 *) hex);
          sha256_update (&sha, 1, (const guint8 *) "\n");
        }
    }
  else if (!hash_file_into (&sha, job->path, &job->bytes, job->cancellable, &job->error))
    return NULL;
  job->hex = digest_hex (&sha);
  return NULL;
}

/* ---- detection ---- */

typedef enum {
  KIND_CSV,
  KIND_FOLDER,
  KIND_ARCHIVE,
  KIND_BUNDLE,     /* an IMU Studio session bundle (imu-bundle.c) */
} InputKind;

static gboolean
read_head (const char *path, guint8 *buf, gsize size, gsize *len, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  do
    n = read (fd, buf, size);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int errsv = errno;
      close (fd);
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  *len = (gsize) n;
  return TRUE;
}

static gboolean
detect (const char *path, InputKind *kind, char **format, GError **error)
{
  guint8 head[8192];
  gsize len = 0;
  g_autofree char *base = g_path_get_basename (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      *kind = KIND_FOLDER;
      *format = g_strdup ("folder");
      return TRUE;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: no such file or folder"), path);
      return FALSE;
    }
  if (!read_head (path, head, sizeof head, &len, error))
    return FALSE;
  if (len == 0)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_EMPTY, _("%s: the file is empty (0 bytes)"), path);
      return FALSE;
    }

  /* Device binaries we recognise but do not read yet get a message that
   * names them, rather than "not a CSV". */
  if (len >= 4 && memcmp (head, "PAR1", 4) == 0)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("%s: this is an Apache Parquet file, which IMU Studio cannot import. "
                     "Export it to CSV first."), path);
      return FALSE;
    }
  if (len >= 2 && head[0] == 'M' && head[1] == 'D' && (g_str_has_suffix (base, ".cwa") || g_str_has_suffix (base, ".CWA")))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("%s: this is an Axivity CWA device file, which this version of IMU Studio cannot import. "
                     "Convert it with cwa-convert to CSV first."), path);
      return FALSE;
    }
  if (len >= 15 && memmem (head, len, "Device Identity", 15) != NULL && g_str_has_suffix (base, ".bin"))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("%s: this is a GENEActiv device file, which this version of IMU Studio cannot import. "
                     "Export it to CSV with the GENEActiv software first."), path);
      return FALSE;
    }
  /* A session bundle is an archive whose first entry is its manifest. */
  if (((len >= 4 && memcmp (head, "PK\003\004", 4) == 0)
       || (len >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
       || (len >= 262 && memcmp (head + 257, "ustar", 5) == 0))
      && imu_bundle_sniff (path))
    {
      *kind = KIND_BUNDLE;
      *format = g_strdup ("bundle");
      return TRUE;
    }
  if (len >= 4 && memcmp (head, "PK\003\004", 4) == 0)
    {
      if (g_str_has_suffix (base, ".gt3x"))
        {
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                       _("%s: this is an ActiGraph GT3X device file, which this version of IMU Studio cannot import. "
                         "Export it to raw CSV with ActiLife first."), path);
          return FALSE;
        }
      *kind = KIND_ARCHIVE;
      *format = g_strdup ("zip");
      return TRUE;
    }
  if ((len >= 262 && memcmp (head + 257, "ustar", 5) == 0)
      || (len >= 4 && head[0] == 0x28 && head[1] == 0xb5 && head[2] == 0x2f && head[3] == 0xfd)
      || (len >= 2 && head[0] == 0x1f && head[1] == 0x8b))
    {
      *kind = KIND_ARCHIVE;
      *format = g_strdup ("archive");
      return TRUE;
    }
  if (imu_import_csv_sniff (head, len))
    {
      *kind = KIND_CSV;
      *format = g_strdup ("csv");
      return TRUE;
    }
  g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
               _("%s: not a format IMU Studio can import (it is neither delimited text such as CSV nor a "
                 "folder or archive of such files)"), path);
  return FALSE;
}

char *
imu_import_detect (const char *path, GError **error)
{
  InputKind kind;
  char *format = NULL;

  if (!detect (path, &kind, &format, error))
    return NULL;
  return format;
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

static void
record_failure (ImuStore *store, const char *path, const char *sha256, guint64 bytes,
                ImuImportContext *ctx, double duration, const GError *failure)
{
  g_autoptr(ImuImportAudit) audit = g_new0 (ImuImportAudit, 1);
  g_autoptr(GError) error = NULL;

  audit->path = g_strdup (path);
  audit->sha256 = g_strdup (sha256 != NULL ? sha256 : "");
  audit->bytes = (gint64) bytes;
  audit->rows = ctx != NULL ? ctx->lines_ok : 0;
  audit->format = g_strdup (ctx != NULL && ctx->format != NULL ? ctx->format : "");
  if (ctx != NULL && ctx->delimiter != 0)
    audit->delimiter = g_strndup (&ctx->delimiter, 1);
  audit->utf8_valid = ctx != NULL ? ctx->utf8_valid : TRUE;
  audit->duration_s = duration;
  audit->issues_json = ctx != NULL ? issues_to_json (ctx) : g_strdup ("{}");
  audit->error = g_strdup (failure->message);
  if (!imu_store_add_import_audit (store, audit, &error))
    g_debug ("could not record the failed import: %s", error->message);
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
  g_autoptr(ImuImportContext) ctx = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GCancellable) hash_cancel = g_cancellable_new ();
  g_autoptr(ImuImportAudit) audit = NULL;
  g_autofree char *format = NULL;
  g_autofree char *title = NULL;
  HashJob job = { 0 };
  GThread *hasher = NULL;
  InputKind kind;
  gint64 started = g_get_monotonic_time ();
  gint64 total_rows = 0;
  double duration;
  gboolean ok = FALSE, in_tx = FALSE;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  if (duplicate_of != NULL)
    *duplicate_of = 0;

  if (!detect (path, &kind, &format, error))
    return NULL;
  /* A bundle carries its own session (uuid, metadata, events) and
   * checksums: it has a pipeline of its own. */
  if (kind == KIND_BUNDLE)
    return imu_bundle_import (store, path, options, progress, progress_data, duplicate_of, cancellable, error);

  job.path = g_strdup (path);
  job.cancellable = hash_cancel;
  hasher = g_thread_new ("imu-import-hash", hash_worker, &job);

  ctx = context_new (store, cancellable, progress, progress_data);
  ctx->total_bytes = path_size (path);
  imu_import_context_set_format (ctx, format);

  title = options != NULL && options->title != NULL && *options->title ? g_strdup (options->title) : default_title (path);
  imu_session_set_title (ctx->session, title);
  if (options != NULL)
    {
      imu_session_set_subject (ctx->session, options->subject);
      imu_session_set_activity (ctx->session, options->activity);
      imu_session_set_tags (ctx->session, options->tags);
    }
  g_object_set (ctx->session, "origin", "imported", "origin-path", path, NULL);

  if (!imu_store_begin (store, &local_error))
    goto out;
  in_tx = TRUE;
  if (!imu_store_insert_session (store, ctx->session, &local_error))
    goto out;

  switch (kind)
    {
    case KIND_CSV:
      {
        g_autoptr(GFile) file = g_file_new_for_path (path);
        g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, &local_error);
        g_autofree char *base = g_path_get_basename (path);

        if (in == NULL)
          {
            /* A cancel that lands while opening stays a cancel. */
            if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
              {
                g_autofree char *detail = g_strdup (local_error->message);

                g_clear_error (&local_error);
                g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"), path, detail);
              }
            goto out;
          }
        if (!imu_import_csv (ctx, G_INPUT_STREAM (in), base, NULL, ctx->total_bytes, 0, &local_error))
          goto out;
      }
      break;
    case KIND_FOLDER:
    case KIND_ARCHIVE:
      if (!imu_import_multi (ctx, path, kind == KIND_ARCHIVE, &local_error))
        goto out;
      break;
    default:
      g_assert_not_reached ();
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    goto out;
  if (imu_import_context_too_many_errors (ctx))
    {
      g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_MANY_ERRORS,
                   _("%s: %" PRId64 " of %" PRId64 " lines could not be read; "
                     "this does not look like data IMU Studio understands"),
                   path, ctx->lines_bad, ctx->lines_bad + ctx->lines_ok);
      goto out;
    }

  for (guint i = 0; i < ctx->writers->len; i++)
    {
      ImuStreamWriter *w = g_ptr_array_index (ctx->writers, i);

      if (!imu_stream_writer_finish (w, &local_error))
        goto out;
      total_rows += imu_stream_writer_get_n_samples (w);
    }
  if (total_rows == 0)
    {
      g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                   _("%s: there are no samples in it (only a header or metadata)"), path);
      goto out;
    }

  /* The hash decides whether these bytes are already in the library. */
  g_thread_join (g_steal_pointer (&hasher));
  if (job.error != NULL)
    {
      local_error = g_steal_pointer (&job.error);
      goto out;
    }
  if (!(options != NULL && options->allow_duplicate))
    {
      gint64 existing = imu_store_find_session_by_sha256 (store, job.hex, &local_error);

      if (local_error != NULL)
        goto out;
      if (existing > 0)
        {
          g_autoptr(ImuSession) other = imu_store_load_session (store, existing, NULL);

          if (duplicate_of != NULL)
            *duplicate_of = existing;
          g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE,
                       _("%s is already in the library as session %" PRId64 " “%s” (%s)"),
                       path, existing, other != NULL ? imu_session_get_title (other) : "",
                       other != NULL ? imu_session_get_uuid (other) : "");
          imu_store_rollback (store);
          in_tx = FALSE;
          goto out;
        }
    }

  for (guint i = 0; i < ctx->events->len; i++)
    {
      ImuEvent *event = g_ptr_array_index (ctx->events, i);

      event->session_id = imu_session_get_id (ctx->session);
      if (!imu_store_add_event (store, event, &local_error))
        goto out;
    }

  {
    g_autoptr(GPtrArray) streams = imu_store_list_streams (store, imu_session_get_id (ctx->session), &local_error);
    gint64 start = G_MAXINT64, end = G_MININT64;
    double rate = imu_session_get_nominal_rate (ctx->session);

    if (streams == NULL)
      goto out;
    for (guint i = 0; i < streams->len; i++)
      {
        ImuStreamInfo *s = g_ptr_array_index (streams, i);

        if (s->n_samples == 0)
          continue;
        start = MIN (start, s->t_first_ns);
        end = MAX (end, s->t_last_ns);
        if (rate <= 0 && s->nominal_rate_hz > 0)
          rate = s->nominal_rate_hz;
      }
    g_object_set (ctx->session, "start-ns", start, "end-ns", end, "nominal-rate", rate,
                  "origin-sha256", job.hex, NULL);
    if (!imu_store_update_session (store, ctx->session, &local_error))
      goto out;
  }

  duration = (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC;
  audit = g_new0 (ImuImportAudit, 1);
  audit->session_id = imu_session_get_id (ctx->session);
  audit->path = g_strdup (path);
  audit->sha256 = g_strdup (job.hex);
  audit->bytes = (gint64) job.bytes;
  audit->rows = ctx->lines_ok;
  audit->format = g_strdup (ctx->format);
  if (ctx->delimiter != 0)
    audit->delimiter = g_strndup (&ctx->delimiter, 1);
  audit->utf8_valid = ctx->utf8_valid;
  audit->duration_s = duration;
  audit->issues_json = issues_to_json (ctx);
  if (!imu_store_add_import_audit (store, audit, &local_error))
    goto out;

  if (!imu_store_commit (store, &local_error))
    goto out;
  in_tx = FALSE;
  ok = TRUE;

  result = g_new0 (ImuImportResult, 1);
  result->session_id = imu_session_get_id (ctx->session);
  result->uuid = g_strdup (imu_session_get_uuid (ctx->session));
  result->title = g_strdup (imu_session_get_title (ctx->session));
  result->format = g_strdup (ctx->format);
  result->delimiter = g_strdup (audit->delimiter);
  result->bytes = audit->bytes;
  result->rows = ctx->lines_ok;
  result->sha256 = g_strdup (job.hex);
  result->issue_counts = g_hash_table_ref (ctx->issue_counts);
  result->issue_lines = g_hash_table_ref (ctx->issue_lines);
  result->duration_s = duration;
  imu_import_context_progress (ctx, ctx->total_bytes);

out:
  if (hasher != NULL)
    {
      g_cancellable_cancel (hash_cancel);
      g_thread_join (hasher);
    }
  if (!ok)
    {
      if (in_tx)
        imu_store_rollback (store);
      /* A failed import leaves only its audit row; a cancelled one nothing. */
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
          && !g_error_matches (local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE))
        record_failure (store, path, job.hex, job.bytes, ctx,
                        (double) (g_get_monotonic_time () - started) / G_USEC_PER_SEC, local_error);
      /* Store errors during an import are reported as import errors, so
       * callers deal with one domain; disk full keeps its own code. */
      if (local_error->domain == IMU_STORE_ERROR)
        {
          int code = local_error->code == IMU_STORE_ERROR_FULL ? IMU_IMPORT_ERROR_DISK_FULL : IMU_IMPORT_ERROR_STORE;
          g_set_error (error, IMU_IMPORT_ERROR, code, "%s", local_error->message);
        }
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  g_free (job.path);
  g_free (job.hex);
  g_clear_error (&job.error);
  return ok ? g_steal_pointer (&result) : NULL;
}

/* ---- async ---- */

typedef struct {
  char             *library_path;
  char             *path;
  ImuImportOptions  options;
  char             *title, *subject, *activity;
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
      d->options.allow_duplicate = options->allow_duplicate;
    }
  d->options.title = d->title;
  d->options.subject = d->subject;
  d->options.activity = d->activity;
  d->options.tags = (const char * const *) d->tags;
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
