/* imu-bundle.c — session bundles: write, check, import (docs/bundle.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A bundle is a tar + zstd (or zip) archive whose first entry is
 * manifest.json. The manifest comes first so that a reader knows, before
 * it decompresses anything else, which files to expect, how big each is
 * and what its sha256 must be: that is what lets it refuse extra files,
 * zip bombs and tampered bytes while streaming, with a flat memory.
 *
 * Writing therefore takes two passes over the samples: the first computes
 * each CSV's size and sha256 (tar needs the size in the entry header, and
 * the manifest needs both before the first stream is written), the second
 * writes the same bytes into the archive. Both passes format the same
 * chunks the same way, and the second pass checks that it did.
 */
#define G_LOG_DOMAIN "imu-bundle"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <nettle/sha2.h>

#include "imu-bundle.h"
#include "imu-bundle-edits.h"
#include "imu-comparison-store.h"
#include "imu-export-csv.h"
#include "imu-json.h"
#include "imu-time.h"
#include "imu-number.h"
#include "imu-session-builder.h"
#include "imu-store-private.h"
#include "imu-stream-writer.h"

#define IO_BLOCK (1 << 20)
#define NS_PER_S G_GINT64_CONSTANT (1000000000)

G_DEFINE_QUARK (imu-bundle-error-quark, imu_bundle_error)
G_DEFINE_BOXED_TYPE (ImuBundleInfo, imu_bundle_info, imu_bundle_info_copy, imu_bundle_info_free)

ImuBundleInfo *
imu_bundle_info_copy (const ImuBundleInfo *info)
{
  ImuBundleInfo *copy = g_memdup2 (info, sizeof *info);

  copy->uuid = g_strdup (info->uuid);
  copy->title = g_strdup (info->title);
  copy->sha256 = g_strdup (info->sha256);
  copy->manifest_json = g_strdup (info->manifest_json);
  return copy;
}

void
imu_bundle_info_free (ImuBundleInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->uuid);
  g_free (info->title);
  g_free (info->sha256);
  g_free (info->manifest_json);
  g_free (info);
}

gboolean
imu_bundle_archive_from_string (const char       *name,
                                ImuBundleArchive *out)
{
  if (g_strcmp0 (name, "tar") == 0 || g_strcmp0 (name, "tar.zst") == 0 || g_strcmp0 (name, "tar+zstd") == 0)
    *out = IMU_BUNDLE_ARCHIVE_TAR_ZSTD;
  else if (g_strcmp0 (name, "zip") == 0)
    *out = IMU_BUNDLE_ARCHIVE_ZIP;
  else
    return FALSE;
  return TRUE;
}

static char *
sha256_hex (struct sha256_ctx *sha)
{
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex = g_malloc (SHA256_DIGEST_SIZE * 2 + 1);

  sha256_digest (sha, SHA256_DIGEST_SIZE, digest);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}

static char *
sha256_of_bytes (const void *data, gsize len)
{
  struct sha256_ctx sha;

  sha256_init (&sha);
  sha256_update (&sha, len, data);
  return sha256_hex (&sha);
}

/* ---- a GOutputStream that hashes, counts and (optionally) archives ---- */

#define IMU_TYPE_BUNDLE_SINK (imu_bundle_sink_get_type ())
G_DECLARE_FINAL_TYPE (ImuBundleSink, imu_bundle_sink, IMU, BUNDLE_SINK, GOutputStream)

struct _ImuBundleSink
{
  GOutputStream      parent_instance;
  struct sha256_ctx  sha;
  gint64             bytes;
  struct archive    *archive;   /* borrowed; NULL for the counting pass */
};

G_DEFINE_FINAL_TYPE (ImuBundleSink, imu_bundle_sink, G_TYPE_OUTPUT_STREAM)

static gssize
imu_bundle_sink_write_fn (GOutputStream  *stream,
                          const void     *buffer,
                          gsize           count,
                          GCancellable   *cancellable,
                          GError        **error)
{
  ImuBundleSink *self = IMU_BUNDLE_SINK (stream);

  if (self->archive != NULL)
    {
      la_ssize_t n = archive_write_data (self->archive, buffer, count);

      if (n < 0 || (gsize) n != count)
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                       _("Cannot write into the archive: %s"), archive_error_string (self->archive));
          return -1;
        }
    }
  sha256_update (&self->sha, count, buffer);
  self->bytes += (gint64) count;
  return (gssize) count;
}

static void
imu_bundle_sink_class_init (ImuBundleSinkClass *klass)
{
  G_OUTPUT_STREAM_CLASS (klass)->write_fn = imu_bundle_sink_write_fn;
}

static void
imu_bundle_sink_init (ImuBundleSink *self)
{
  sha256_init (&self->sha);
}

static ImuBundleSink *
bundle_sink_new (struct archive *archive)
{
  ImuBundleSink *self = g_object_new (IMU_TYPE_BUNDLE_SINK, NULL);

  self->archive = archive;
  return self;
}

/* ---- describing a session as JSON ---- */

static void
set_nullable_double (JsonObject *o, const char *name, double v)
{
  if (isfinite (v))
    json_object_set_double_member (o, name, v);
  else
    json_object_set_null_member (o, name);
}

/* The session object of session.json and the manifest, with the edit
 * times a merge needs (imu-bundle-edits.h); NULL on a store error. */
static JsonObject *
session_to_json (ImuStore *store, ImuSession *session, GError **error)
{
  JsonObject *o = json_object_new ();
  JsonArray *tags = json_array_new ();
  const char * const *t = imu_session_get_tags (session);
  g_autofree char *frame = NULL, *firmware = NULL;
  JsonObject *device = json_object_new ();

  g_object_get (session, "frame", &frame, "device-firmware", &firmware, NULL);
  json_object_set_string_member (o, "uuid", imu_session_get_uuid (session));
  json_object_set_string_member (o, "title", imu_session_get_title (session));
  json_object_set_string_member (o, "subject", imu_session_get_subject (session));
  json_object_set_string_member (o, "activity", imu_session_get_activity (session));
  for (guint i = 0; t != NULL && t[i] != NULL; i++)
    json_array_add_string_element (tags, t[i]);
  json_object_set_array_member (o, "tags", tags);
  json_object_set_string_member (o, "notes", imu_session_get_notes (session));
  json_object_set_int_member (o, "start_ns", imu_session_get_start_ns (session));
  json_object_set_int_member (o, "end_ns", imu_session_get_end_ns (session));
  json_object_set_double_member (o, "nominal_rate_hz", imu_session_get_nominal_rate (session));
  json_object_set_int_member (o, "tz_offset_s", imu_session_get_tz_offset (session));
  json_object_set_string_member (o, "frame", frame != NULL ? frame : "");
  json_object_set_string_member (o, "origin", imu_session_get_origin (session));
  json_object_set_string_member (o, "origin_path", imu_session_get_origin_path (session));
  json_object_set_string_member (o, "origin_sha256", imu_session_get_origin_sha256 (session));
  json_object_set_string_member (o, "state", imu_session_state_to_string (imu_session_get_state (session)));
  json_object_set_int_member (o, "created_us", imu_session_get_created_us (session));
  json_object_set_int_member (o, "updated_us", imu_session_get_updated_us (session));
  json_object_set_string_member (device, "vendor", imu_session_get_device_vendor (session));
  json_object_set_string_member (device, "model", imu_session_get_device_model (session));
  json_object_set_string_member (device, "serial", imu_session_get_device_serial (session));
  json_object_set_string_member (device, "firmware", firmware != NULL ? firmware : "");
  json_object_set_object_member (o, "device", device);
  if (!imu_bundle_edits_write (store, imu_session_get_id (session), o, error))
    {
      json_object_unref (o);
      return NULL;
    }
  return o;
}

static JsonObject *
stream_to_json (const ImuStreamInfo *info, const char *file)
{
  JsonObject *o = json_object_new ();
  JsonObject *tf = json_object_new ();
  JsonArray *channels = json_array_new ();

  json_object_set_string_member (o, "file", file);
  json_object_set_string_member (o, "name", info->name);
  json_object_set_string_member (o, "kind", info->kind != NULL ? info->kind : "");
  json_object_set_double_member (o, "nominal_rate_hz", info->nominal_rate_hz);
  json_object_set_int_member (o, "n_samples", info->n_samples);
  json_object_set_int_member (o, "t_first_ns", info->t_first_ns);
  json_object_set_int_member (o, "t_last_ns", info->t_last_ns);
  json_object_set_string_member (tf, "kind", imu_time_kind_to_string (info->time_format.kind));
  json_object_set_int_member (tf, "decimals", info->time_format.decimals);
  json_object_set_int_member (tf, "tz_offset_s", info->time_format.tz_offset_s);
  json_object_set_int_member (tf, "origin_ns", info->time_format.origin_ns);
  if (info->time_format.column != NULL)
    json_object_set_string_member (tf, "column", info->time_format.column);
  else
    json_object_set_null_member (tf, "column");
  json_object_set_object_member (o, "time_format", tf);
  for (guint c = 0; c < info->n_channels; c++)
    {
      const ImuChannelInfo *ch = &info->channels[c];
      JsonObject *co = json_object_new ();

      json_object_set_string_member (co, "name", ch->name != NULL ? ch->name : "");
      json_object_set_string_member (co, "unit", ch->unit != NULL ? ch->unit : "");
      if (ch->kind != NULL)
        json_object_set_string_member (co, "kind", ch->kind);
      else
        json_object_set_null_member (co, "kind");
      json_object_set_int_member (co, "decimals", ch->decimals);
      set_nullable_double (co, "range_min", ch->range_min);
      set_nullable_double (co, "range_max", ch->range_max);
      json_array_add_object_element (channels, co);
    }
  json_object_set_array_member (o, "channels", channels);
  return o;
}

static char *
json_to_text (JsonNode *node, gboolean pretty)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  return json_generator_to_data (gen, NULL);
}

static GBytes *
json_object_to_bytes (JsonObject *o)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), o);
  char *text = json_to_text (node, TRUE);
  gsize len = strlen (text);

  /* A final newline, as text files have. */
  text = g_realloc (text, len + 2);
  text[len] = '\n';
  text[len + 1] = '\0';
  return g_bytes_new_take (text, len + 1);
}

static GBytes *
events_to_jsonl (ImuStore *store, gint64 session_id, gint64 *n_events, GError **error)
{
  g_autoptr(GPtrArray) events = imu_store_list_events (store, session_id, error);
  GString *out;

  if (events == NULL)
    return NULL;
  out = g_string_new (NULL);
  for (guint i = 0; i < events->len; i++)
    {
      const ImuEvent *e = g_ptr_array_index (events, i);
      g_autoptr(JsonObject) o = json_object_new ();
      g_autoptr(JsonNode) node = NULL;
      g_autofree char *line = NULL;

      json_object_set_int_member (o, "t_ns", e->t_ns);
      json_object_set_int_member (o, "duration_ns", e->duration_ns);
      json_object_set_string_member (o, "kind", e->kind != NULL ? e->kind : "");
      json_object_set_string_member (o, "label", e->label != NULL ? e->label : "");
      if (e->payload_json != NULL)
        json_object_set_string_member (o, "payload", e->payload_json);
      else
        json_object_set_null_member (o, "payload");
      if (e->uid != NULL)
        {
          json_object_set_string_member (o, "uid", e->uid);
          json_object_set_int_member (o, "updated_us", e->updated_us);
        }
      node = json_node_init_object (json_node_alloc (), o);
      line = json_to_text (node, FALSE);
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  *n_events = events->len;
  return g_string_free_to_bytes (out);
}

static GBytes *
device_to_json (ImuStore *store, ImuSession *session, GError **error)
{
  g_autoptr(JsonObject) o = json_object_new ();
  g_autofree char *firmware = NULL;
  sqlite3_stmt *stmt;
  const char *ranges = NULL;

  g_object_get (session, "device-firmware", &firmware, NULL);
  json_object_set_string_member (o, "vendor", imu_session_get_device_vendor (session));
  json_object_set_string_member (o, "model", imu_session_get_device_model (session));
  json_object_set_string_member (o, "serial", imu_session_get_device_serial (session));
  json_object_set_string_member (o, "firmware", firmware != NULL ? firmware : "");
  if (!(stmt = imu_store_prepare (store, "SELECT d.ranges FROM sessions s JOIN devices d ON d.id = s.device_id "
                                         "WHERE s.id = ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, imu_session_get_id (session));
  if (sqlite3_step (stmt) == SQLITE_ROW)
    ranges = (const char *) sqlite3_column_text (stmt, 0);
  /* JSON text from the library travels as a string: re-serialising it
   * would change its digits (0.003 → 0.0030000000000000001). */
  if (ranges != NULL)
    json_object_set_string_member (o, "ranges", ranges);
  else
    json_object_set_null_member (o, "ranges");
  sqlite3_reset (stmt);
  return json_object_to_bytes (o);
}

static GBytes *
calibration_to_json (ImuStore *store, gint64 session_id, GError **error)
{
  g_autoptr(JsonObject) o = json_object_new ();
  JsonArray *list = json_array_new ();
  sqlite3_stmt *stmt;
  int rc;

  json_object_set_array_member (o, "streams", list);
  if (!(stmt = imu_store_prepare (store, "SELECT st.name, c.source, c.data FROM calibration c "
                                         "JOIN streams st ON st.id = c.stream_id WHERE st.session_id = ? "
                                         "ORDER BY st.id", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *c = json_object_new ();

      json_object_set_string_member (c, "stream", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_string_member (c, "source", (const char *) sqlite3_column_text (stmt, 1));
      json_object_set_string_member (c, "data", (const char *) sqlite3_column_text (stmt, 2));
      json_array_add_object_element (list, c);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "reading calibration", error);
      return NULL;
    }
  return json_object_to_bytes (o);
}

static gboolean
table_exists (ImuStore *store, const char *name)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", NULL);
  gboolean exists = FALSE;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    exists = sqlite3_column_int64 (stmt, 0) > 0;
  sqlite3_reset (stmt);
  return exists;
}

/* The profiles table belongs to the profile module (migration 0002); the
 * bundle carries its row as it is, column by column, so that it does not
 * depend on that schema: {"table": "profiles", "columns": {…}}. */
static GBytes *
profile_to_json (ImuStore *store, gint64 session_id, GError **error)
{
  g_autoptr(JsonObject) o = NULL;
  JsonObject *columns;
  sqlite3_stmt *stmt;
  int rc;

  if (!table_exists (store, "profiles"))
    return NULL;
  if (!(stmt = imu_store_prepare (store, "SELECT * FROM profiles WHERE session_id = ? LIMIT 1", NULL)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        imu_store_fail (store, rc, "reading the profile", error);
      return NULL;
    }
  o = json_object_new ();
  columns = json_object_new ();
  json_object_set_string_member (o, "table", "profiles");
  for (int c = 0; c < sqlite3_column_count (stmt); c++)
    {
      const char *name = sqlite3_column_name (stmt, c);

      if (g_str_equal (name, "id") || g_str_equal (name, "session_id"))
        continue;
      switch (sqlite3_column_type (stmt, c))
        {
        case SQLITE_INTEGER:
          json_object_set_int_member (columns, name, sqlite3_column_int64 (stmt, c));
          break;
        case SQLITE_FLOAT:
          json_object_set_double_member (columns, name, sqlite3_column_double (stmt, c));
          break;
        case SQLITE_TEXT:
          json_object_set_string_member (columns, name, (const char *) sqlite3_column_text (stmt, c));
          break;
        default:
          json_object_set_null_member (columns, name);
          break;
        }
    }
  json_object_set_object_member (o, "columns", columns);
  sqlite3_reset (stmt);
  return json_object_to_bytes (o);
}

/* ---- writing ---- */

typedef struct {
  char    *path;          /* inside the archive */
  char    *content_type;
  char    *purpose;
  GBytes  *data;          /* small files, in memory */
  gint64   stream_id;     /* samples: written by imu_export_csv_stream() */
  gint64   bytes;
  char    *sha256;
} OutFile;

static void
out_file_free (OutFile *f)
{
  g_free (f->path);
  g_free (f->content_type);
  g_free (f->purpose);
  g_clear_pointer (&f->data, g_bytes_unref);
  g_free (f->sha256);
  g_free (f);
}

static OutFile *
out_file_new_bytes (const char *path, const char *content_type, const char *purpose, GBytes *data)
{
  OutFile *f = g_new0 (OutFile, 1);
  gsize len = 0;
  const void *p = g_bytes_get_data (data, &len);

  f->path = g_strdup (path);
  f->content_type = g_strdup (content_type);
  f->purpose = g_strdup (purpose);
  f->data = g_bytes_ref (data);
  f->bytes = (gint64) len;
  f->sha256 = sha256_of_bytes (p, len);
  return f;
}

static char *
stream_entry_name (guint index, const char *name)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "streams/%u-", index);
  for (const char *p = name; *p != '\0'; p++)
    g_string_append_c (s, g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.' ? *p : '_');
  g_string_append (s, ".csv");
  return g_string_free (s, FALSE);
}

typedef struct {
  ImuProgressFunc progress;
  gpointer        data;
  guint64         base;
  guint64         total;
} ProgressRelay;

static void
relay_progress (guint64 done, guint64 total, gpointer data)
{
  ProgressRelay *r = data;

  if (r->progress != NULL)
    r->progress (r->base + done, r->total, r->data);
}

/* libarchive writes through these, so that the bundle's own sha256 and
 * size come for free while it is written. */
typedef struct {
  int                fd;
  struct sha256_ctx  sha;
  gint64             bytes;
  int                errsv;
} FileOut;

static la_ssize_t
file_out_write_cb (struct archive *a, void *data, const void *buffer, size_t length)
{
  FileOut *fo = data;
  const guint8 *p = buffer;
  size_t left = length;

  while (left > 0)
    {
      ssize_t n = write (fo->fd, p, left);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          fo->errsv = errno;
          archive_set_error (a, errno, "%s", g_strerror (errno));
          return -1;
        }
      p += n;
      left -= (size_t) n;
    }
  sha256_update (&fo->sha, length, buffer);
  fo->bytes += (gint64) length;
  return (la_ssize_t) length;
}

static gboolean
write_entry_header (struct archive *a, const char *path, gint64 size, gint64 mtime_s, GError **error)
{
  struct archive_entry *entry = archive_entry_new ();
  int rc;

  archive_entry_set_pathname (entry, path);
  archive_entry_set_size (entry, size);
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  archive_entry_set_mtime (entry, mtime_s, 0);
  rc = archive_write_header (a, entry);
  archive_entry_free (entry);
  if (rc != ARCHIVE_OK)
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                   _("Cannot write the archive entry “%s”: %s"), path, archive_error_string (a));
      return FALSE;
    }
  return TRUE;
}

gboolean
imu_bundle_write (ImuStore          *store,
                  gint64             session_id,
                  const char        *path,
                  ImuBundleArchive   archive_kind,
                  ImuProgressFunc    progress,
                  gpointer           progress_data,
                  GCancellable      *cancellable,
                  ImuBundleInfo    **info_out,
                  GError           **error)
{
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) out_file_free);
  g_autoptr(JsonObject) manifest = json_object_new ();
  g_autoptr(JsonObject) session_doc = json_object_new ();
  g_autoptr(GBytes) manifest_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *tmp_path = NULL;
  JsonArray *streams_json, *streams_json2, *files_json;
  GPtrArray *streams;
  ProgressRelay relay = { progress, progress_data, 0, 0 };
  struct archive *a = NULL;
  FileOut fo = { .fd = -1 };
  gint64 n_events = 0, n_samples = 0, mtime_s;
  JsonObject *session_json;
  gboolean ok = FALSE;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (!(session = imu_store_load_session (store, session_id, error)))
    return FALSE;
  streams = imu_session_get_streams (session);
  /* Entries carry the session's last change as their time, not "now", so
   * that the same session gives the same bytes. */
  mtime_s = imu_session_get_updated_us (session) / G_USEC_PER_SEC;

  /* The small files. */
  if (!(session_json = session_to_json (store, session, error)))
    goto out;
  json_object_set_object_member (session_doc, "session", session_json);
  streams_json = json_array_new ();
  streams_json2 = json_array_new ();
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);
      g_autofree char *file = stream_entry_name (i, info->name);

      json_array_add_object_element (streams_json, stream_to_json (info, file));
      json_array_add_object_element (streams_json2, stream_to_json (info, file));
      n_samples += info->n_samples;
    }
  json_object_set_array_member (session_doc, "streams", streams_json2);
  bytes = json_object_to_bytes (session_doc);
  g_ptr_array_add (files, out_file_new_bytes ("session.json", "application/json", "session", bytes));
  g_clear_pointer (&bytes, g_bytes_unref);
  if (!(bytes = device_to_json (store, session, error)))
    goto out;
  g_ptr_array_add (files, out_file_new_bytes ("device.json", "application/json", "device", bytes));
  g_clear_pointer (&bytes, g_bytes_unref);
  if (!(bytes = calibration_to_json (store, session_id, error)))
    goto out;
  g_ptr_array_add (files, out_file_new_bytes ("calib.json", "application/json", "calibration", bytes));
  g_clear_pointer (&bytes, g_bytes_unref);
  if (!(bytes = events_to_jsonl (store, session_id, &n_events, error)))
    goto out;
  g_ptr_array_add (files, out_file_new_bytes ("events.jsonl", "application/x-ndjson", "events", bytes));
  g_clear_pointer (&bytes, g_bytes_unref);
  {
    g_autoptr(GError) local_error = NULL;

    if ((bytes = profile_to_json (store, session_id, &local_error)) != NULL)
      {
        g_ptr_array_add (files, out_file_new_bytes ("profile.json", "application/json", "profile", bytes));
        g_clear_pointer (&bytes, g_bytes_unref);
      }
    else if (local_error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        goto out;
      }
  }

  /* Pass 1: the size and sha256 of each stream's CSV. */
  relay.total = 2 * (guint64) n_samples;
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);
      g_autoptr(ImuBundleSink) sink = bundle_sink_new (NULL);
      OutFile *f = g_new0 (OutFile, 1);

      f->path = stream_entry_name (i, info->name);
      f->content_type = g_strdup ("text/csv");
      f->purpose = g_strdup ("samples");
      f->stream_id = info->id;
      g_ptr_array_add (files, f);
      if (!imu_export_csv_stream (store, info->id, G_OUTPUT_STREAM (sink), relay_progress, &relay, cancellable, error))
        goto out;
      f->bytes = sink->bytes;
      f->sha256 = sha256_hex (&sink->sha);
      relay.base += (guint64) info->n_samples;
    }

  /* The manifest. */
  json_object_set_string_member (manifest, "format", IMU_BUNDLE_FORMAT_NAME);
  json_object_set_int_member (manifest, "version", IMU_BUNDLE_VERSION);
  json_object_set_string_member (manifest, "generator", "IMU Studio " IMU_VERSION);
  if (!(session_json = session_to_json (store, session, error)))
    goto out;
  json_object_set_object_member (manifest, "session", session_json);
  json_object_set_array_member (manifest, "streams", streams_json);
  {
    /* The saved comparisons the session is part of (docs/bundle.md). */
    g_autoptr(GError) local_error = NULL;
    JsonNode *comparisons = imu_comparison_store_session_json (store, session_id, &local_error);

    if (comparisons != NULL)
      json_object_set_member (manifest, "comparisons", comparisons);
    else if (local_error != NULL)
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        goto out;
      }
  }
  files_json = json_array_new ();
  for (guint i = 0; i < files->len; i++)
    {
      const OutFile *f = g_ptr_array_index (files, i);
      JsonObject *fo_json = json_object_new ();

      json_object_set_string_member (fo_json, "path", f->path);
      json_object_set_int_member (fo_json, "bytes", f->bytes);
      json_object_set_string_member (fo_json, "sha256", f->sha256);
      json_object_set_string_member (fo_json, "content_type", f->content_type);
      json_object_set_string_member (fo_json, "purpose", f->purpose);
      json_array_add_object_element (files_json, fo_json);
    }
  json_object_set_array_member (manifest, "files", files_json);
  manifest_bytes = json_object_to_bytes (manifest);

  /* Pass 2: the archive, under a temporary name. */
  tmp_path = g_strdup_printf ("%s.tmp-XXXXXX", path);
  fo.fd = g_mkstemp (tmp_path);
  if (fo.fd < 0)
    {
      int errsv = errno;

      g_clear_pointer (&tmp_path, g_free);
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                   _("%s: cannot create a file next to it: %s"), path, g_strerror (errsv));
      goto out;
    }
  sha256_init (&fo.sha);
  a = archive_write_new ();
  if (archive_kind == IMU_BUNDLE_ARCHIVE_ZIP)
    {
      archive_write_set_format_zip (a);
      archive_write_set_options (a, "zip:compression=deflate");
    }
  else
    {
      archive_write_set_format_pax_restricted (a);
      archive_write_add_filter_zstd (a);
      archive_write_set_filter_option (a, "zstd", "compression-level", "3");
      /* Compression on a second core while this one formats the CSV.
       * zstd's output is the same for any number of worker threads ≥ 1,
       * so bundles stay byte-for-byte reproducible. Older libarchive
       * ignores the option. */
      archive_write_set_filter_option (a, "zstd", "threads", "2");
    }
  /* No padding to 10 KiB records: the last block is as long as it needs. */
  archive_write_set_bytes_in_last_block (a, 1);
  if (archive_write_open2 (a, &fo, NULL, file_out_write_cb, NULL, NULL) != ARCHIVE_OK)
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                   _("%s: cannot start the archive: %s"), path, archive_error_string (a));
      goto out;
    }

  {
    gsize len = 0;
    const void *p = g_bytes_get_data (manifest_bytes, &len);

    if (!write_entry_header (a, "manifest.json", (gint64) len, mtime_s, error))
      goto out;
    if (archive_write_data (a, p, len) != (la_ssize_t) len)
      {
        g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                     _("%s: cannot write manifest.json: %s"), path, archive_error_string (a));
        goto out;
      }
  }

  relay.base = (guint64) n_samples;
  for (guint i = 0; i < files->len; i++)
    {
      const OutFile *f = g_ptr_array_index (files, i);

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      if (!write_entry_header (a, f->path, f->bytes, mtime_s, error))
        goto out;
      if (f->data != NULL)
        {
          gsize len = 0;
          const void *p = g_bytes_get_data (f->data, &len);

          if (len > 0 && archive_write_data (a, p, len) != (la_ssize_t) len)
            {
              g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                           _("%s: cannot write %s: %s"), path, f->path, archive_error_string (a));
              goto out;
            }
        }
      else
        {
          g_autoptr(ImuBundleSink) sink = bundle_sink_new (a);
          g_autofree char *hex = NULL;
          const ImuStreamInfo *info = NULL;

          for (guint k = 0; k < streams->len; k++)
            if (((ImuStreamInfo *) g_ptr_array_index (streams, k))->id == f->stream_id)
              info = g_ptr_array_index (streams, k);
          if (!imu_export_csv_stream (store, f->stream_id, G_OUTPUT_STREAM (sink), relay_progress, &relay,
                                      cancellable, error))
            {
              g_prefix_error (error, "%s: %s: ", path, f->path);
              goto out;
            }
          hex = sha256_hex (&sink->sha);
          if (sink->bytes != f->bytes || !g_str_equal (hex, f->sha256))
            {
              g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_FAILED,
                           _("%s: the samples of %s changed while the bundle was written; try again"),
                           path, f->path);
              goto out;
            }
          if (info != NULL)
            relay.base += (guint64) info->n_samples;
        }
    }

  if (archive_write_close (a) != ARCHIVE_OK)
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                   _("%s: cannot finish the archive: %s"), path,
                   fo.errsv != 0 ? g_strerror (fo.errsv) : archive_error_string (a));
      goto out;
    }
  if (fsync (fo.fd) != 0 || close (fo.fd) != 0)
    {
      int errsv = errno;

      fo.fd = -1;
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                   _("%s: cannot write: %s"), path, g_strerror (errsv));
      goto out;
    }
  fo.fd = -1;
  {
    /* mkstemp makes the file private; a bundle is an ordinary file. */
    mode_t mask = umask (0);

    umask (mask);
    g_chmod (tmp_path, 0666 & ~mask);
  }
  if (g_rename (tmp_path, path) != 0)
    {
      int errsv = errno;

      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_WRITE,
                   _("%s: cannot write: %s"), path, g_strerror (errsv));
      goto out;
    }
  g_clear_pointer (&tmp_path, g_free);

  if (info_out != NULL)
    {
      ImuBundleInfo *info = g_new0 (ImuBundleInfo, 1);
      gsize len = 0;
      const char *p = g_bytes_get_data (manifest_bytes, &len);

      info->uuid = g_strdup (imu_session_get_uuid (session));
      info->title = g_strdup (imu_session_get_title (session));
      info->bytes = fo.bytes;
      info->sha256 = sha256_hex (&fo.sha);
      info->manifest_json = g_strndup (p, len);
      info->n_streams = streams != NULL ? streams->len : 0;
      info->n_samples = n_samples;
      info->n_events = n_events;
      *info_out = info;
    }
  ok = TRUE;

out:
  /* Freed without archive_write_fail() also on failure: libarchive
   * 3.6 then skips its client's close, and its buffer leaks. The bytes
   * the close still writes go to the temporary file, deleted below. */
  if (a != NULL)
    archive_write_free (a);
  if (fo.fd >= 0)
    close (fo.fd);
  if (tmp_path != NULL)
    g_unlink (tmp_path);
  return ok;
}

/* ---- reading ---- */

typedef struct {
  char    *path;
  gint64   bytes;
  char    *sha256;
  char    *purpose;
  int      stream;      /* index into the manifest's streams, or -1 */
  gboolean seen;
} InFile;

static void
in_file_free (InFile *f)
{
  g_free (f->path);
  g_free (f->sha256);
  g_free (f->purpose);
  g_free (f);
}

typedef struct {
  ImuStreamInfo   *info;
  gint64           n_samples;  /* declared */
  ImuStreamWriter *writer;     /* owned by the builder; NULL when verifying */
  gint64           rows;
  gboolean         header_seen;
  GByteArray      *line;       /* a line cut by a block boundary */
  double          *values;
} InStream;

static void
in_stream_free (InStream *s)
{
  imu_stream_info_free (s->info);
  g_byte_array_unref (s->line);
  g_free (s->values);
  g_free (s);
}

typedef struct {
  const char        *path;
  int                fd;
  struct archive    *a;
  guint8            *in_buf;       /* compressed input, for the read callback */
  guint8            *buf;          /* decompressed data */
  struct sha256_ctx  file_sha;     /* of the bundle file itself */
  gint64             file_bytes;   /* read so far */
  gint64             file_size;
  GCancellable      *cancellable;
  ImuProgressFunc    progress;
  gpointer           progress_data;

  JsonNode          *manifest_root;
  JsonObject        *manifest;     /* borrowed from manifest_root */
  char              *manifest_text;
  char              *uuid;         /* the session's, lower case */
  GPtrArray         *files;        /* InFile* */
  GHashTable        *by_path;      /* path → InFile* */
  GPtrArray         *streams;      /* InStream* */
  gint64             declared_total;
  gint64             decompressed;

  /* import: the builder owns the session, its streams and the transaction */
  ImuSessionBuilder *builder;
  ImuStore          *store;
  ImuSession        *session;
  GBytes            *events;
  GBytes            *device;
  GBytes            *calib;
  GBytes            *profile;
  gint64             n_events;
  GPtrArray         *collected_events;  /* imu_bundle_read_edits(): ImuEvent*, else NULL */
  gboolean           allow_duplicate;
  gint64            *duplicate_of;
} Reader;

static void
reader_clear (Reader *r)
{
  if (r->a != NULL)
    archive_read_free (r->a);
  if (r->fd >= 0)
    close (r->fd);
  g_free (r->buf);
  g_free (r->in_buf);
  g_clear_pointer (&r->manifest_root, json_node_unref);
  g_free (r->manifest_text);
  g_free (r->uuid);
  g_clear_pointer (&r->files, g_ptr_array_unref);
  g_clear_pointer (&r->by_path, g_hash_table_unref);
  g_clear_pointer (&r->streams, g_ptr_array_unref);
  g_clear_object (&r->session);
  g_clear_pointer (&r->events, g_bytes_unref);
  g_clear_pointer (&r->device, g_bytes_unref);
  g_clear_pointer (&r->calib, g_bytes_unref);
  g_clear_pointer (&r->profile, g_bytes_unref);
}

static la_ssize_t
reader_read_cb (struct archive *a, void *data, const void **buffer)
{
  Reader *r = data;
  ssize_t n;

  do
    n = read (r->fd, r->in_buf, IO_BLOCK);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      archive_set_error (a, errno, "%s", g_strerror (errno));
      return -1;
    }
  sha256_update (&r->file_sha, (size_t) n, r->in_buf);
  r->file_bytes += n;
  *buffer = r->in_buf;
  if (r->progress != NULL && r->file_size > 0)
    r->progress ((guint64) MIN (r->file_bytes, r->file_size), (guint64) r->file_size, r->progress_data);
  return n;
}

static gboolean
reader_open (Reader *r, const char *path, GError **error)
{
  GStatBuf st;

  r->path = path;
  /* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
   * writer forever (a pulled bundle path that someone replaced by a pipe,
   * `imu import <(…)`). Only regular files are read; for them the flag
   * changes nothing. */
  r->fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NONBLOCK, 0);
  if (r->fd < 0)
    {
      int errsv = errno;

      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_READ, _("%s: cannot open: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  if (fstat (r->fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_READ,
                   _("%s: not a regular file (a pipe, a device or a socket); a bundle is read from a file"), path);
      return FALSE;
    }
  r->file_size = st.st_size;
  r->buf = g_malloc (IO_BLOCK);
  r->in_buf = g_malloc (IO_BLOCK);
  sha256_init (&r->file_sha);
  r->a = archive_read_new ();
  archive_read_support_format_tar (r->a);
  archive_read_support_format_zip (r->a);
  archive_read_support_filter_zstd (r->a);
  archive_read_support_filter_none (r->a);
  if (archive_read_open (r->a, r, NULL, reader_read_cb, NULL) != ARCHIVE_OK)
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_NOT_A_BUNDLE,
                   _("%s: not a bundle (not a tar or zip archive): %s"), path, archive_error_string (r->a));
      return FALSE;
    }
  return TRUE;
}

/* Reads the rest of the file into the file hash: libarchive may stop
 * before the end (padding after the last entry). */
static gboolean
reader_hash_rest (Reader *r, GError **error)
{
  for (;;)
    {
      ssize_t n = read (r->fd, r->buf, IO_BLOCK);

      if (n == 0)
        return TRUE;
      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_READ, _("%s: cannot read: %s"), r->path, g_strerror (errsv));
          return FALSE;
        }
      sha256_update (&r->file_sha, (size_t) n, r->buf);
      r->file_bytes += n;
    }
}

/* A name that stays inside the folder it would be extracted to. */
static gboolean
entry_name_is_safe (const char *name)
{
  g_auto(GStrv) parts = NULL;

  if (name == NULL || *name == '\0' || strlen (name) > 512)
    return FALSE;
  if (name[0] == '/' || strchr (name, '\\') != NULL || strchr (name, ':') != NULL)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return FALSE;
  parts = g_strsplit (name, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || g_str_equal (parts[i], ".") || g_str_equal (parts[i], ".."))
      return FALSE;
  return TRUE;
}

/* An entry's name as a message can show it: archives carry any bytes,
 * and messages are UTF-8 (the terminal, the app, the audit row). */
static char *
shown_name (const char *name)
{
  return g_utf8_make_valid (name != NULL ? name : "", -1);
}

static gboolean
check_entry (Reader *r, struct archive_entry *entry, GError **error)
{
  const char *name = archive_entry_pathname (entry);
  g_autofree char *shown = shown_name (name);

  if (!entry_name_is_safe (name))
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_UNSAFE_ENTRY,
                   _("%s: refused: the entry “%s” has an unsafe name (absolute, “..” or control characters)"),
                   r->path, shown);
      return FALSE;
    }
  if (archive_entry_hardlink (entry) != NULL || archive_entry_symlink (entry) != NULL
      || archive_entry_filetype (entry) != AE_IFREG)
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_UNSAFE_ENTRY,
                   _("%s: refused: the entry “%s” is not a regular file (a link, a device or a folder)"),
                   r->path, shown);
      return FALSE;
    }
  return TRUE;
}

/* Next entry header: 1, 0 at the end, -1 on error. */
static int
reader_next (Reader *r, struct archive_entry **entry, GError **error)
{
  int rc = archive_read_next_header (r->a, entry);

  if (rc == ARCHIVE_EOF)
    return 0;
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_READ,
                   _("%s: the archive is damaged: %s"), r->path, archive_error_string (r->a));
      return -1;
    }
  return 1;
}

/* Reads an entry wholly into memory, at most @limit bytes. */
static GBytes *
read_small_entry (Reader *r, const char *name, gint64 limit, GError **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();

  for (;;)
    {
      la_ssize_t n = archive_read_data (r->a, r->buf, IO_BLOCK);

      if (n == 0)
        break;
      if (n < 0)
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_READ,
                       _("%s: cannot read %s: %s"), r->path, name, archive_error_string (r->a));
          return NULL;
        }
      if ((gint64) data->len + n > limit)
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_TOO_LARGE,
                       _("%s: refused: %s is larger than %" PRId64 " bytes"), r->path, name, limit);
          return NULL;
        }
      g_byte_array_append (data, r->buf, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

static gboolean
is_hex64 (const char *s)
{
  if (s == NULL || strlen (s) != 64)
    return FALSE;
  for (const char *p = s; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

static gboolean
bad_manifest (Reader *r, GError **error, const char *what)
{
  g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_MANIFEST,
               _("%s: manifest.json is not valid: %s"), r->path, what);
  return FALSE;
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
member_int (JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

static double
member_double (JsonObject *o, const char *name, double fallback)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  if (n == NULL || JSON_NODE_TYPE (n) != JSON_NODE_VALUE)
    return fallback;
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE || json_node_get_value_type (n) == G_TYPE_INT64)
    return json_node_get_double (n);
  return fallback;
}

static ImuStreamInfo *
stream_from_json (JsonObject *o)
{
  JsonArray *channels = json_object_get_array_member (o, "channels");
  JsonObject *tf = json_object_get_object_member (o, "time_format");
  ImuStreamInfo *info;
  const char *s;
  gint64 v;

  info = imu_stream_info_new (member_string (o, "name"), json_array_get_length (channels));
  g_free (info->kind);
  info->kind = g_strdup (member_string (o, "kind"));
  info->nominal_rate_hz = member_double (o, "nominal_rate_hz", 0);
  for (guint c = 0; c < info->n_channels; c++)
    {
      JsonObject *co = json_array_get_object_element (channels, c);
      ImuChannelInfo *ch = &info->channels[c];

      imu_stream_info_set_channel (info, c, member_string (co, "name"), member_string (co, "unit"),
                                   member_string (co, "kind"));
      ch->decimals = member_int (co, "decimals", &v) ? (int) v : -1;
      ch->range_min = member_double (co, "range_min", NAN);
      ch->range_max = member_double (co, "range_max", NAN);
    }
  s = member_string (tf, "kind");
  info->time_format.kind = imu_time_kind_from_string (s != NULL ? s : "none");
  info->time_format.decimals = member_int (tf, "decimals", &v) ? (int) v : -1;
  info->time_format.tz_offset_s = member_int (tf, "tz_offset_s", &v) ? (int) CLAMP (v, -24 * 3600, 24 * 3600) : 0;
  info->time_format.origin_ns = member_int (tf, "origin_ns", &v) ? v : 0;
  g_free (info->time_format.column);
  info->time_format.column = g_strdup (member_string (tf, "column"));
  return info;
}

static gboolean
parse_manifest (Reader *r, GBytes *bytes, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  JsonArray *files, *streams;
  const char *format;
  gint64 version;
  gsize len = 0;
  const char *text = g_bytes_get_data (bytes, &len);

  /* An empty entry has no data pointer at all: json-glib would refuse it
   * without an error. imu_json_parse() says "empty" and bounds the size
   * and the nesting before json-glib's recursive parser sees the text. */
  r->manifest_text = g_strndup (text != NULL ? text : "", len);
  if (!(r->manifest_root = imu_json_parse (r->manifest_text, (gssize) len, IMU_BUNDLE_MAX_MANIFEST_BYTES, &local_error)))
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_MANIFEST,
                   _("%s: manifest.json is not JSON: %s"), r->path, local_error->message);
      return FALSE;
    }
  if (!JSON_NODE_HOLDS_OBJECT (r->manifest_root))
    return bad_manifest (r, error, _("it is not a JSON object"));
  r->manifest = json_node_get_object (r->manifest_root);
  format = member_string (r->manifest, "format");
  if (g_strcmp0 (format, IMU_BUNDLE_FORMAT_NAME) != 0)
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_NOT_A_BUNDLE,
                   _("%s: not an IMU Studio bundle (manifest.json has format “%s”)"),
                   r->path, format != NULL ? format : "");
      return FALSE;
    }
  if (!member_int (r->manifest, "version", &version) || version < 1)
    return bad_manifest (r, error, _("“version” is missing"));
  if (version > IMU_BUNDLE_VERSION)
    {
      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_VERSION,
                   _("%s: this bundle has version %" PRId64 ", written by a newer IMU Studio; "
                     "this one reads version %d. Update IMU Studio to import it."),
                   r->path, version, IMU_BUNDLE_VERSION);
      return FALSE;
    }
  if (!json_object_has_member (r->manifest, "session")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (r->manifest, "session")))
    return bad_manifest (r, error, _("“session” is missing"));
  if (member_string (json_object_get_object_member (r->manifest, "session"), "uuid") == NULL
      || !g_uuid_string_is_valid (member_string (json_object_get_object_member (r->manifest, "session"), "uuid")))
    return bad_manifest (r, error, _("the session has no valid “uuid”"));
  {
    g_autoptr(GError) edits_error = NULL;

    if (!imu_bundle_edits_check (json_object_get_object_member (r->manifest, "session"), &edits_error))
      return bad_manifest (r, error, edits_error->message);
  }
  /* RFC 4122 uuids are case-insensitive; the library keeps them in lower
   * case, so that a bundle whose writer used upper case is still found
   * by the duplicate check. */
  r->uuid = g_ascii_strdown (member_string (json_object_get_object_member (r->manifest, "session"), "uuid"), -1);
  if (!json_object_has_member (r->manifest, "files")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (r->manifest, "files")))
    return bad_manifest (r, error, _("“files” is missing"));
  if (!json_object_has_member (r->manifest, "streams")
      || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (r->manifest, "streams")))
    return bad_manifest (r, error, _("“streams” is missing"));

  files = json_object_get_array_member (r->manifest, "files");
  if (json_array_get_length (files) > IMU_BUNDLE_MAX_FILES)
    return bad_manifest (r, error, _("too many files"));
  r->files = g_ptr_array_new_with_free_func ((GDestroyNotify) in_file_free);
  r->by_path = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *n = json_array_get_element (files, i);
      JsonObject *fo;
      InFile *f;
      gint64 size;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return bad_manifest (r, error, _("an entry of “files” is not an object"));
      fo = json_node_get_object (n);
      if (!entry_name_is_safe (member_string (fo, "path")))
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_UNSAFE_ENTRY,
                       _("%s: refused: manifest.json lists an unsafe path “%s”"), r->path,
                       member_string (fo, "path") != NULL ? member_string (fo, "path") : "");
          return FALSE;
        }
      if (!member_int (fo, "bytes", &size) || size < 0 || !is_hex64 (member_string (fo, "sha256")))
        return bad_manifest (r, error, _("a file has no valid “bytes” or “sha256”"));
      if (g_str_equal (member_string (fo, "path"), "manifest.json")
          || g_hash_table_contains (r->by_path, member_string (fo, "path")))
        return bad_manifest (r, error, _("a file is listed twice"));
      f = g_new0 (InFile, 1);
      f->path = g_strdup (member_string (fo, "path"));
      f->bytes = size;
      f->sha256 = g_strdup (member_string (fo, "sha256"));
      f->purpose = g_strdup (member_string (fo, "purpose") != NULL ? member_string (fo, "purpose") : "");
      f->stream = -1;
      g_ptr_array_add (r->files, f);
      g_hash_table_insert (r->by_path, f->path, f);
      if (size > IMU_BUNDLE_MAX_TOTAL_BYTES - r->declared_total)
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_TOO_LARGE,
                       _("%s: refused: the bundle declares more than %" PRId64
                         " GiB of data, the most IMU Studio imports"),
                       r->path, IMU_BUNDLE_MAX_TOTAL_BYTES >> 30);
          return FALSE;
        }
      r->declared_total += size;
      if (!g_str_equal (f->purpose, "samples") && size > IMU_BUNDLE_MAX_JSON_BYTES)
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_TOO_LARGE,
                       _("%s: refused: %s declares %" PRId64 " bytes, more than the %" PRId64
                         " MiB such a file may have"), r->path, f->path, size, IMU_BUNDLE_MAX_JSON_BYTES >> 20);
          return FALSE;
        }
    }
  for (guint i = 0; i < 4; i++)
    {
      static const char * const required[] = { "session.json", "device.json", "calib.json", "events.jsonl" };

      if (!g_hash_table_contains (r->by_path, required[i]))
        {
          g_autofree char *what = g_strdup_printf (_("“files” does not list %s"), required[i]);
          return bad_manifest (r, error, what);
        }
    }
  /* The reader keeps the small files by purpose: each purpose belongs to
   * its one file and that file to its purpose, so that none is missing
   * when it is applied and none is read twice. */
  for (guint i = 0; i < r->files->len; i++)
    {
      static const char * const known[][2] = {
        { "session.json", "session" }, { "device.json", "device" }, { "calib.json", "calibration" },
        { "events.jsonl", "events" }, { "profile.json", "profile" },
      };
      InFile *f = g_ptr_array_index (r->files, i);

      for (guint k = 0; k < G_N_ELEMENTS (known); k++)
        if (g_str_equal (f->path, known[k][0]) != g_str_equal (f->purpose, known[k][1]))
          {
            g_autofree char *what = g_strdup_printf (_("%s must have the purpose “%s”, and only it"),
                                                     known[k][0], known[k][1]);
            return bad_manifest (r, error, what);
          }
    }

  streams = json_object_get_array_member (r->manifest, "streams");
  r->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) in_stream_free);
  for (guint i = 0; i < json_array_get_length (streams); i++)
    {
      JsonNode *n = json_array_get_element (streams, i);
      JsonObject *so;
      InFile *f;
      InStream *s;
      gint64 v;
      JsonNode *ch;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return bad_manifest (r, error, _("an entry of “streams” is not an object"));
      so = json_node_get_object (n);
      f = member_string (so, "file") != NULL ? g_hash_table_lookup (r->by_path, member_string (so, "file")) : NULL;
      ch = json_object_get_member (so, "channels");
      if (f == NULL || f->stream >= 0 || !g_str_equal (f->purpose, "samples")
          || member_string (so, "name") == NULL || ch == NULL || !JSON_NODE_HOLDS_ARRAY (ch)
          || json_array_get_length (json_node_get_array (ch)) == 0
          || json_array_get_length (json_node_get_array (ch)) > 4096
          || !json_object_has_member (so, "time_format")
          || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (so, "time_format"))
          || !member_int (so, "n_samples", &v) || v < 0)
        return bad_manifest (r, error, _("a stream is incomplete (file, name, channels, time_format, n_samples)"));
      for (guint c = 0; c < json_array_get_length (json_node_get_array (ch)); c++)
        if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (json_node_get_array (ch), c)))
          return bad_manifest (r, error, _("a channel is not an object"));
      {
        const char *kind = member_string (json_object_get_object_member (so, "time_format"), "kind");
        ImuTimeKind parsed;

        /* An unknown kind is a newer IMU Studio's: read as "none" it would
         * give every sample a made-up time. */
        if (kind != NULL && !imu_time_kind_parse (kind, &parsed))
          return bad_manifest (r, error, _("a stream's time format is of a kind this version does not know"));
      }
      f->stream = (int) i;
      s = g_new0 (InStream, 1);
      s->info = stream_from_json (so);
      s->n_samples = v;
      s->line = g_byte_array_new ();
      s->values = g_new0 (double, s->info->n_channels);
      g_ptr_array_add (r->streams, s);
    }
  for (guint i = 0; i < r->files->len; i++)
    {
      InFile *f = g_ptr_array_index (r->files, i);

      if (g_str_equal (f->purpose, "samples") && f->stream < 0)
        return bad_manifest (r, error, _("a samples file belongs to no stream"));
    }
  return TRUE;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static gint64
days_from_civil (gint64 y, int m, int d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static gboolean
parse_digits (const char **p, const char *end, int n, int *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (*p >= end || !g_ascii_isdigit (**p))
        return FALSE;
      v = v * 10 + (**p - '0');
      (*p)++;
    }
  *out = v;
  return TRUE;
}

/* "2019-10-16T12:09:01.702+02:00" or "2019-12-23 21:04:06.690": exactly
 * what imu_export_csv_stream() writes for these kinds. */
static gboolean
parse_calendar (const char *s, gsize len, const ImuTimeFormat *tf, gint64 *out)
{
  const char *p = s, *end = s + len;
  int year, month, day, hour, minute, second, offset = tf->tz_offset_s;
  gint64 frac = 0;
  int frac_digits = 0;

  if (!parse_digits (&p, end, 4, &year) || p >= end || *p++ != '-'
      || !parse_digits (&p, end, 2, &month) || p >= end || *p++ != '-'
      || !parse_digits (&p, end, 2, &day) || p >= end || (*p != 'T' && *p != ' '))
    return FALSE;
  p++;
  if (!parse_digits (&p, end, 2, &hour) || p >= end || *p++ != ':'
      || !parse_digits (&p, end, 2, &minute) || p >= end || *p++ != ':'
      || !parse_digits (&p, end, 2, &second))
    return FALSE;
  if (p < end && *p == '.')
    {
      p++;
      while (p < end && g_ascii_isdigit (*p))
        {
          if (frac_digits >= 9)
            return FALSE;
          frac = frac * 10 + (*p++ - '0');
          frac_digits++;
        }
      if (frac_digits == 0)
        return FALSE;
      for (int i = frac_digits; i < 9; i++)
        frac *= 10;
    }
  if (p < end && *p == 'Z')
    {
      offset = 0;
      p++;
    }
  else if (p < end && (*p == '+' || *p == '-'))
    {
      int sign = *p++ == '-' ? -1 : 1, oh, om;

      if (!parse_digits (&p, end, 2, &oh) || p >= end || *p++ != ':' || !parse_digits (&p, end, 2, &om))
        return FALSE;
      offset = sign * (oh * 3600 + om * 60);
    }
  /* Years outside what the library represents would overflow the
   * nanoseconds below; parse_row() refuses such times anyway. */
  if (p != end || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60
      || year < 1899 || year > 2191)
    return FALSE;
  *out = ((days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second) - offset) * NS_PER_S + frac;
  return TRUE;
}

static gboolean
parse_time (const char *s, gsize len, const ImuTimeFormat *tf, gint64 *out)
{
  gint64 v;

  switch (tf->kind)
    {
    case IMU_TIME_EPOCH_S:
      return imu_number_parse_int64_decimal (s, len, 9, out, NULL);
    case IMU_TIME_EPOCH_MS:
      return imu_number_parse_int64_decimal (s, len, 6, out, NULL);
    case IMU_TIME_EPOCH_US:
      return imu_number_parse_int64_decimal (s, len, 3, out, NULL);
    case IMU_TIME_EPOCH_NS:
      return imu_number_parse_int64_decimal (s, len, 0, out, NULL);
    case IMU_TIME_RELATIVE_S:
      if (!imu_number_parse_int64_decimal (s, len, 9, &v, NULL))
        return FALSE;
      *out = imu_time_add_sat (v, tf->origin_ns);
      return TRUE;
    case IMU_TIME_RELATIVE_MS:
      if (!imu_number_parse_int64_decimal (s, len, 6, &v, NULL))
        return FALSE;
      *out = imu_time_add_sat (v, tf->origin_ns);
      return TRUE;
    case IMU_TIME_ISO8601:
    case IMU_TIME_DATETIME:
      return parse_calendar (s, len, tf, out);
    case IMU_TIME_NONE:
    default:
      return imu_number_parse_int64_decimal (s, len, 9, out, NULL);
    }
}

static gboolean
bad_row (Reader *r, const InFile *f, InStream *s, const char *what, GError **error)
{
  g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_DATA,
               _("%s: %s, line %" PRId64 ": %s"), r->path, f->path, s->rows + 2, what);
  return FALSE;
}

static gboolean
parse_row (Reader *r, const InFile *f, InStream *s, const char *line, gsize len, GError **error)
{
  const char *p = line, *end = line + len, *comma;
  gint64 t;

  if (!s->header_seen)
    {
      s->header_seen = TRUE;
      return TRUE;
    }
  comma = memchr (p, ',', (gsize) (end - p));
  if (comma == NULL || !parse_time (p, (gsize) (comma - p), &s->info->time_format, &t))
    return bad_row (r, f, s, _("the time cannot be read"), error);
  /* The library holds times of 1900–2190 only (imu-time.h): profiles and
   * plots compute spans without overflow within it. */
  if (!imu_time_in_range (t))
    return bad_row (r, f, s, _("the time is outside 1900–2190"), error);
  p = comma + 1;
  for (guint c = 0; c < s->info->n_channels; c++)
    {
      const char *field_end;

      comma = memchr (p, ',', (gsize) (end - p));
      field_end = comma != NULL ? comma : end;
      if ((c + 1 < s->info->n_channels) != (comma != NULL)
          || !imu_number_parse (p, (gsize) (field_end - p), FALSE, &s->values[c], NULL))
        return bad_row (r, f, s, _("a value cannot be read or the row has the wrong number of fields"), error);
      p = field_end + 1;
    }
  if (s->rows >= s->n_samples)
    return bad_row (r, f, s, _("more rows than the manifest says"), error);
  s->rows++;
  if (s->writer != NULL && !imu_stream_writer_append (s->writer, t, s->values, error))
    return FALSE;
  return TRUE;
}

static gboolean
feed_samples (Reader *r, const InFile *f, InStream *s, const guint8 *data, gsize len, GError **error)
{
  const guint8 *p = data, *end = data + len;

  while (p < end)
    {
      const guint8 *nl = memchr (p, '\n', (gsize) (end - p));

      if (nl == NULL)
        {
          if (s->line->len + (end - p) > 1 << 20)
            return bad_row (r, f, s, _("a line is too long"), error);
          g_byte_array_append (s->line, p, (guint) (end - p));
          break;
        }
      if (s->line->len > 0)
        {
          gboolean ok;

          g_byte_array_append (s->line, p, (guint) (nl - p));
          ok = parse_row (r, f, s, (const char *) s->line->data, s->line->len, error);
          g_byte_array_set_size (s->line, 0);
          if (!ok)
            return FALSE;
        }
      else if (!parse_row (r, f, s, (const char *) p, (gsize) (nl - p), error))
        return FALSE;
      p = nl + 1;
    }
  return TRUE;
}

static gboolean
create_session (Reader *r, gboolean allow_duplicate, GError **error)
{
  JsonObject *so = json_object_get_object_member (r->manifest, "session");
  JsonObject *dev = json_object_has_member (so, "device") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (so, "device"))
                    ? json_object_get_object_member (so, "device") : NULL;
  JsonNode *tags_node = json_object_get_member (so, "tags");
  g_autoptr(GPtrArray) tags = g_ptr_array_new ();
  const char *state = member_string (so, "state");
  const char *origin = member_string (so, "origin");
  gint64 v;
  int st = IMU_SESSION_STATE_COMPLETE;

  r->session = g_object_ref (imu_session_builder_get_session (r->builder));
  if (!allow_duplicate)
    g_object_set (r->session, "uuid", r->uuid, NULL);
  if (tags_node != NULL && JSON_NODE_HOLDS_ARRAY (tags_node))
    {
      JsonArray *arr = json_node_get_array (tags_node);

      for (guint i = 0; i < json_array_get_length (arr); i++)
        if (JSON_NODE_HOLDS_VALUE (json_array_get_element (arr, i))
            && json_node_get_value_type (json_array_get_element (arr, i)) == G_TYPE_STRING)
          g_ptr_array_add (tags, (gpointer) json_array_get_string_element (arr, i));
    }
  g_ptr_array_add (tags, NULL);
  for (int i = IMU_SESSION_STATE_RECORDING; i <= IMU_SESSION_STATE_COMPLETE; i++)
    if (g_strcmp0 (state, imu_session_state_to_string (i)) == 0)
      st = i;
  if (origin == NULL || !(g_str_equal (origin, "recorded") || g_str_equal (origin, "imported")
                          || g_str_equal (origin, "bundle") || g_str_equal (origin, "generated")))
    origin = "bundle";
  g_object_set (r->session,
                "title", member_string (so, "title") != NULL ? member_string (so, "title") : "",
                "subject", member_string (so, "subject") != NULL ? member_string (so, "subject") : "",
                "activity", member_string (so, "activity") != NULL ? member_string (so, "activity") : "",
                "notes", member_string (so, "notes") != NULL ? member_string (so, "notes") : "",
                "frame", member_string (so, "frame") != NULL ? member_string (so, "frame") : "",
                "origin", origin,
                "origin-path", member_string (so, "origin_path") != NULL ? member_string (so, "origin_path") : "",
                "origin-sha256", member_string (so, "origin_sha256") != NULL ? member_string (so, "origin_sha256") : "",
                "tags", (char **) tags->pdata,
                "start-ns", member_int (so, "start_ns", &v) ? v : 0,
                "end-ns", member_int (so, "end_ns", &v) ? v : 0,
                "nominal-rate", MAX (member_double (so, "nominal_rate_hz", 0), 0.0),
                "tz-offset", member_int (so, "tz_offset_s", &v) ? (int) CLAMP (v, -24 * 3600, 24 * 3600) : 0,
                "state", st,
                NULL);
  if (dev != NULL)
    g_object_set (r->session,
                  "device-vendor", member_string (dev, "vendor") != NULL ? member_string (dev, "vendor") : "",
                  "device-model", member_string (dev, "model") != NULL ? member_string (dev, "model") : "",
                  "device-serial", member_string (dev, "serial") != NULL ? member_string (dev, "serial") : "",
                  "device-firmware", member_string (dev, "firmware") != NULL ? member_string (dev, "firmware") : "",
                  NULL);
  /* The row as the bundle has it is final: the builder neither derives
   * times nor saves the session again (finish_import() sets its own
   * created/updated times). */
  imu_session_builder_set_session_final (r->builder, TRUE);
  if (imu_session_builder_get_session_id (r->builder, error) == 0)
    return FALSE;

  for (guint i = 0; i < r->streams->len; i++)
    {
      InStream *s = g_ptr_array_index (r->streams, i);
      ImuStreamWriter *w;

      if (!(w = imu_session_builder_add_stream (r->builder, s->info, error)))
        return FALSE;
      for (guint c = 0; c < s->info->n_channels; c++)
        imu_stream_writer_set_decimals (w, c, s->info->channels[c].decimals);
      s->writer = w;
    }
  return TRUE;
}

static gboolean
bad_json (Reader *r, const char *file, const char *what, GError **error)
{
  g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_DATA, _("%s: %s: %s"), r->path, file, what);
  return FALSE;
}

static JsonNode *
parse_json_bytes (Reader *r, GBytes *bytes, const char *file, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(JsonNode) root = NULL;
  gsize len = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &len) : NULL;

  if (!(root = imu_json_parse (data, (gssize) len, IMU_BUNDLE_MAX_JSON_BYTES, &local_error)))
    {
      bad_json (r, file, local_error->message, error);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      bad_json (r, file, _("not a JSON object"), error);
      return NULL;
    }
  return g_steal_pointer (&root);
}

/* events.jsonl: one event per line. Checked when verifying, stored when
 * importing. */
static gboolean
apply_events (Reader *r, GError **error)
{
  gsize len = 0;
  /* An empty events.jsonl (a session without events) has no data pointer:
   * there is nothing to walk, and no pointer arithmetic on NULL. */
  const char *data = r->events != NULL ? g_bytes_get_data (r->events, &len) : NULL;
  const char *p = data, *end = data != NULL ? data + len : NULL;
  g_autoptr(GHashTable) uids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gint64 line_no = 0;

  while (p != NULL && p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = nl != NULL ? nl : end;
      g_autoptr(JsonNode) root = NULL;
      g_autoptr(GError) local_error = NULL;
      JsonObject *o;
      const char *uid;
      gint64 t, d = 0, updated = 0;

      line_no++;
      if (line_end == p)
        {
          p = line_end + 1;
          continue;
        }
      if (!(root = imu_json_parse (p, line_end - p, IMU_BUNDLE_MAX_JSON_BYTES, &local_error))
          || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_autofree char *what = local_error != NULL
                                  ? g_strdup_printf (_("line %" PRId64 " is not a JSON object: %s"), line_no,
                                                     local_error->message)
                                  : g_strdup_printf (_("line %" PRId64 " is not a JSON object"), line_no);
          return bad_json (r, "events.jsonl", what, error);
        }
      o = json_node_get_object (root);
      if (!member_int (o, "t_ns", &t))
        {
          g_autofree char *what = g_strdup_printf (_("line %" PRId64 " has no “t_ns”"), line_no);
          return bad_json (r, "events.jsonl", what, error);
        }
      member_int (o, "duration_ns", &d);
      uid = member_string (o, "uid");
      if (json_object_has_member (o, "uid") && !imu_bundle_edits_uid_is_valid (uid))
        {
          g_autofree char *what = g_strdup_printf (_("line %" PRId64 " has a “uid” that is not 1 to 64 letters, "
                                                     "digits or dashes"), line_no);
          return bad_json (r, "events.jsonl", what, error);
        }
      if (uid != NULL && !g_hash_table_add (uids, g_strdup (uid)))
        {
          g_autofree char *what = g_strdup_printf (_("line %" PRId64 ": another event has the “uid” %s"), line_no, uid);
          return bad_json (r, "events.jsonl", what, error);
        }
      member_int (o, "updated_us", &updated);
      r->n_events++;
      if (r->builder != NULL || r->collected_events != NULL)
        {
          ImuEvent *e = imu_event_new (t, member_string (o, "kind") != NULL ? member_string (o, "kind") : "marker",
                                       member_string (o, "label") != NULL ? member_string (o, "label") : "");

          e->duration_ns = d;
          e->payload_json = g_strdup (member_string (o, "payload"));
          e->uid = g_strdup (uid);
          e->updated_us = uid != NULL ? MAX (updated, 0) : 0;
          if (r->builder != NULL)
            imu_session_builder_take_event (r->builder, e);
          else
            g_ptr_array_add (r->collected_events, e);
        }
      p = line_end + 1;
    }
  return TRUE;
}

static gboolean
apply_device (Reader *r, GError **error)
{
  g_autoptr(JsonNode) root = parse_json_bytes (r, r->device, "device.json", error);
  g_autofree char *ranges = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (root == NULL)
    return FALSE;
  if (r->store == NULL)
    return TRUE;
  ranges = g_strdup (member_string (json_node_get_object (root), "ranges"));
  if (ranges == NULL)
    return TRUE;
  if (!(stmt = imu_store_prepare (r->store, "UPDATE devices SET ranges = ?1 WHERE id = "
                                            "(SELECT device_id FROM sessions WHERE id = ?2)", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, ranges, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 2, imu_session_get_id (r->session));
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (r->store, rc, "saving the device ranges", error);
  return TRUE;
}

static gboolean
apply_calibration (Reader *r, GError **error)
{
  g_autoptr(JsonNode) root = parse_json_bytes (r, r->calib, "calib.json", error);
  JsonNode *list;
  JsonArray *arr;

  if (root == NULL)
    return FALSE;
  list = json_object_get_member (json_node_get_object (root), "streams");
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list))
    return bad_json (r, "calib.json", _("“streams” is missing"), error);
  arr = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (arr); i++)
    {
      JsonNode *n = json_array_get_element (arr, i);
      JsonObject *c;
      g_autofree char *data = NULL;
      const char *name, *source;
      sqlite3_stmt *stmt;
      int rc;

      if (!JSON_NODE_HOLDS_OBJECT (n))
        return bad_json (r, "calib.json", _("an entry is not an object"), error);
      c = json_node_get_object (n);
      name = member_string (c, "stream");
      source = member_string (c, "source");
      data = g_strdup (member_string (c, "data"));
      if (name == NULL || data == NULL)
        return bad_json (r, "calib.json", _("an entry has no “stream” or “data”"), error);
      if (r->store == NULL)
        continue;
      if (!(stmt = imu_store_prepare (r->store, "INSERT OR REPLACE INTO calibration (stream_id, source, data) "
                                                "SELECT id, ?1, ?2 FROM streams WHERE session_id = ?3 AND name = ?4",
                                      error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, source != NULL ? source : "imported", -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 2, data, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, imu_session_get_id (r->session));
      sqlite3_bind_text (stmt, 4, name, -1, SQLITE_TRANSIENT);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return imu_store_fail (r->store, rc, "saving calibration", error);
    }
  return TRUE;
}

/* The profile row goes back column by column, for the columns this
 * library's profiles table has; a library without the table skips it. */
static gboolean
apply_profile (Reader *r, GError **error)
{
  g_autoptr(JsonNode) root = parse_json_bytes (r, r->profile, "profile.json", error);
  g_autoptr(GString) sql = NULL;
  g_autoptr(GPtrArray) names = NULL;
  JsonNode *columns_node;
  JsonObject *columns;
  sqlite3_stmt *stmt;
  int rc;

  if (root == NULL)
    return FALSE;
  columns_node = json_object_get_member (json_node_get_object (root), "columns");
  if (columns_node == NULL || !JSON_NODE_HOLDS_OBJECT (columns_node))
    return bad_json (r, "profile.json", _("“columns” is missing"), error);
  if (r->store == NULL || !table_exists (r->store, "profiles"))
    return TRUE;
  columns = json_node_get_object (columns_node);
  names = g_ptr_array_new_with_free_func (g_free);
  if (!(stmt = imu_store_prepare (r->store, "SELECT name FROM pragma_table_info('profiles')", error)))
    return FALSE;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *name = (const char *) sqlite3_column_text (stmt, 0);

      if (json_object_has_member (columns, name) && !g_str_equal (name, "id") && !g_str_equal (name, "session_id"))
        g_ptr_array_add (names, g_strdup (name));
    }
  sqlite3_reset (stmt);
  sql = g_string_new ("INSERT OR REPLACE INTO profiles (session_id");
  for (guint i = 0; i < names->len; i++)
    g_string_append_printf (sql, ", \"%s\"", (char *) g_ptr_array_index (names, i));
  g_string_append (sql, ") VALUES (?");
  for (guint i = 0; i < names->len; i++)
    g_string_append (sql, ", ?");
  g_string_append (sql, ")");
  if (sqlite3_prepare_v2 (imu_store_get_db (r->store), sql->str, -1, &stmt, NULL) != SQLITE_OK)
    return imu_store_fail (r->store, sqlite3_errcode (imu_store_get_db (r->store)), "saving the profile", error);
  sqlite3_bind_int64 (stmt, 1, imu_session_get_id (r->session));
  for (guint i = 0; i < names->len; i++)
    {
      JsonNode *v = json_object_get_member (columns, g_ptr_array_index (names, i));

      if (JSON_NODE_HOLDS_NULL (v) || !JSON_NODE_HOLDS_VALUE (v))
        sqlite3_bind_null (stmt, (int) i + 2);
      else if (json_node_get_value_type (v) == G_TYPE_INT64)
        sqlite3_bind_int64 (stmt, (int) i + 2, json_node_get_int (v));
      else if (json_node_get_value_type (v) == G_TYPE_DOUBLE)
        sqlite3_bind_double (stmt, (int) i + 2, json_node_get_double (v));
      else if (json_node_get_value_type (v) == G_TYPE_STRING)
        sqlite3_bind_text (stmt, (int) i + 2, json_node_get_string (v), -1, SQLITE_TRANSIENT);
      else
        sqlite3_bind_null (stmt, (int) i + 2);
    }
  rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (r->store, rc, "saving the profile", error);
  return TRUE;
}

static gboolean
finish_import (Reader *r, GError **error)
{
  JsonObject *so = json_object_get_object_member (r->manifest, "session");
  sqlite3_stmt *stmt;
  gint64 created = 0, updated = 0;
  int rc;

  if (!imu_session_builder_end_streams (r->builder, error))
    return FALSE;
  if (!apply_events (r, error) || !apply_device (r, error) || !apply_calibration (r, error)
      || !imu_bundle_edits_store (r->store, imu_session_get_id (r->session), so, error))
    return FALSE;
  if (r->profile != NULL && !apply_profile (r, error))
    return FALSE;
  if (json_object_has_member (r->manifest, "comparisons"))
    {
      g_autoptr(GError) local_error = NULL;

      /* Those whose sessions are now all in the library come back. */
      if (!imu_comparison_store_restore_json (r->store, json_object_get_member (r->manifest, "comparisons"),
                                              NULL, &local_error))
        {
          if (local_error->domain == IMU_COMPARE_ERROR)
            return bad_manifest (r, error, local_error->message);
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }
  /* The session's own times, as the bundle has them (the insert stamped
   * them with now). */
  member_int (so, "created_us", &created);
  member_int (so, "updated_us", &updated);
  if (created > 0 && updated > 0)
    {
      if (!(stmt = imu_store_prepare (r->store, "UPDATE sessions SET created_us = ?1, updated_us = ?2 WHERE id = ?3", error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, created);
      sqlite3_bind_int64 (stmt, 2, updated);
      sqlite3_bind_int64 (stmt, 3, imu_session_get_id (r->session));
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return imu_store_fail (r->store, rc, "saving the session times", error);
    }
  return TRUE;
}

static gint64
find_session_by_uuid (ImuStore *store, const char *uuid, GError **error)
{
  /* Case-insensitive: a library may hold a uuid in upper case from before
   * uuids were stored in lower case. */
  sqlite3_stmt *stmt = imu_store_prepare (store, "SELECT id FROM sessions WHERE lower (uuid) = lower (?1)", error);
  gint64 id = 0;
  int rc;

  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "looking up a session", error);
      return -1;
    }
  return id;
}

/* Reads and checks the whole bundle; with r->builder set, imports it
 * into the builder's session (described once the manifest is read). */
static gboolean
read_bundle (Reader *r, gboolean manifest_only, GError **error)
{
  struct archive_entry *entry;
  g_autoptr(GBytes) manifest = NULL;
  int rc;

  rc = reader_next (r, &entry, error);
  if (rc <= 0)
    {
      if (rc == 0)
        g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_NOT_A_BUNDLE, _("%s: not a bundle (an empty archive)"), r->path);
      return FALSE;
    }
  if (g_strcmp0 (archive_entry_pathname (entry), "manifest.json") != 0)
    {
      g_autofree char *shown = shown_name (archive_entry_pathname (entry));

      g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_NOT_A_BUNDLE,
                   _("%s: not a bundle (its first entry is “%s”, not manifest.json)"),
                   r->path, shown);
      return FALSE;
    }
  if (!check_entry (r, entry, error))
    return FALSE;
  if (!(manifest = read_small_entry (r, "manifest.json", IMU_BUNDLE_MAX_MANIFEST_BYTES, error)))
    return FALSE;
  r->decompressed = (gint64) g_bytes_get_size (manifest);
  if (!parse_manifest (r, manifest, error))
    return FALSE;
  if (manifest_only)
    return TRUE;

  if (r->builder != NULL)
    {
      const char *uuid = r->uuid;
      gint64 existing;

      /* A bundle already in the library is a no-op: found by its uuid,
       * before a sample is read. */
      if ((existing = find_session_by_uuid (r->store, uuid, error)) < 0)
        return FALSE;
      if (existing > 0 && !r->allow_duplicate)
        {
          g_autoptr(ImuSession) other = imu_store_load_session (r->store, existing, NULL);

          if (r->duplicate_of != NULL)
            *r->duplicate_of = existing;
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE,
                       _("%s is already in the library as session %" PRId64 " “%s” (uuid %s)"),
                       r->path, existing, other != NULL ? imu_session_get_title (other) : "", uuid);
          return FALSE;
        }
      if (!create_session (r, r->allow_duplicate, error))
        return FALSE;
    }

  while ((rc = reader_next (r, &entry, error)) > 0)
    {
      const char *name = archive_entry_pathname (entry);
      g_autoptr(GByteArray) small = NULL;
      struct sha256_ctx sha;
      g_autofree char *hex = NULL;
      InFile *f;
      InStream *s = NULL;
      gint64 bytes = 0;

      if (g_cancellable_set_error_if_cancelled (r->cancellable, error))
        return FALSE;
      if (!check_entry (r, entry, error))
        return FALSE;
      f = g_hash_table_lookup (r->by_path, name);
      if (f == NULL || f->seen)
        {
          g_autofree char *shown = shown_name (name);

          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_EXTRA_FILE,
                       f == NULL ? _("%s: refused: the archive holds “%s”, which manifest.json does not list")
                                 : _("%s: refused: the archive holds “%s” twice"),
                       r->path, shown);
          return FALSE;
        }
      f->seen = TRUE;
      if (f->stream >= 0)
        s = g_ptr_array_index (r->streams, f->stream);
      else
        small = g_byte_array_new ();
      sha256_init (&sha);
      for (;;)
        {
          la_ssize_t n = archive_read_data (r->a, r->buf, IO_BLOCK);

          if (n == 0)
            break;
          if (n < 0)
            {
              g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_READ,
                           _("%s: cannot read %s: %s"), r->path, name, archive_error_string (r->a));
              return FALSE;
            }
          bytes += n;
          r->decompressed += n;
          if (r->decompressed > r->declared_total + (gint64) g_bytes_get_size (manifest) + IMU_BUNDLE_SLACK_BYTES)
            {
              g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_TOO_LARGE,
                           _("%s: refused: it decompresses to more than the %" PRId64
                             " bytes its manifest declares (at %s)"),
                           r->path, r->declared_total, name);
              return FALSE;
            }
          if (bytes > f->bytes)
            continue;   /* counted above: too many bytes is a checksum error at the end */
          sha256_update (&sha, (size_t) n, r->buf);
          if (s != NULL)
            {
              if (!feed_samples (r, f, s, r->buf, (gsize) n, error))
                return FALSE;
            }
          else
            g_byte_array_append (small, r->buf, (guint) n);
        }
      hex = sha256_hex (&sha);
      if (bytes != f->bytes || !g_str_equal (hex, f->sha256))
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_CHECKSUM,
                       _("%s: refused: %s does not match manifest.json (%" PRId64 " bytes with sha256 %s, "
                         "expected %" PRId64 " bytes with sha256 %s): the bundle is damaged or was changed"),
                       r->path, name, bytes, hex, f->bytes, f->sha256);
          return FALSE;
        }
      if (s != NULL)
        {
          if (s->line->len > 0 && !parse_row (r, f, s, (const char *) s->line->data, s->line->len, error))
            return FALSE;
          if (s->rows != s->n_samples)
            {
              g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_DATA,
                           _("%s: %s has %" PRId64 " rows, the manifest says %" PRId64),
                           r->path, name, s->rows, s->n_samples);
              return FALSE;
            }
        }
      else if (g_str_equal (f->purpose, "events"))
        r->events = g_byte_array_free_to_bytes (g_steal_pointer (&small));
      else if (g_str_equal (f->purpose, "device"))
        r->device = g_byte_array_free_to_bytes (g_steal_pointer (&small));
      else if (g_str_equal (f->purpose, "calibration"))
        r->calib = g_byte_array_free_to_bytes (g_steal_pointer (&small));
      else if (g_str_equal (f->purpose, "profile"))
        r->profile = g_byte_array_free_to_bytes (g_steal_pointer (&small));
    }
  if (rc < 0)
    return FALSE;
  for (guint i = 0; i < r->files->len; i++)
    {
      InFile *f = g_ptr_array_index (r->files, i);

      if (!f->seen)
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_MISSING_FILE,
                       _("%s: refused: manifest.json lists %s, but the archive does not hold it"), r->path, f->path);
          return FALSE;
        }
    }
  if (!reader_hash_rest (r, error))
    return FALSE;

  if (r->builder != NULL)
    return finish_import (r, error);
  /* Verifying: parse the small files as an import would. */
  if (!apply_events (r, error))
    return FALSE;
  {
    g_autoptr(JsonNode) d = parse_json_bytes (r, r->device, "device.json", error);
    g_autoptr(JsonNode) c = d != NULL ? parse_json_bytes (r, r->calib, "calib.json", error) : NULL;

    if (c == NULL)
      return FALSE;
  }
  return TRUE;
}

static ImuBundleInfo *
reader_info (Reader *r)
{
  ImuBundleInfo *info = g_new0 (ImuBundleInfo, 1);
  JsonObject *so = json_object_get_object_member (r->manifest, "session");

  info->uuid = g_strdup (r->uuid);
  info->title = g_strdup (member_string (so, "title") != NULL ? member_string (so, "title") : "");
  info->bytes = r->file_bytes;
  info->sha256 = sha256_hex (&r->file_sha);
  info->manifest_json = g_strdup (r->manifest_text);
  info->n_streams = r->streams->len;
  for (guint i = 0; i < r->streams->len; i++)
    info->n_samples += ((InStream *) g_ptr_array_index (r->streams, i))->n_samples;
  info->n_events = r->n_events;
  return info;
}

gboolean
imu_bundle_sniff (const char *path)
{
  Reader r = { .fd = -1 };
  struct archive_entry *entry = NULL;
  gboolean ok;

  g_return_val_if_fail (path != NULL, FALSE);

  /* Only the first entry's name decides: a bundle that fails its checks
   * (a newer version, an unsafe name, a broken manifest) is still a
   * bundle, and must be refused with its own reason rather than read as
   * an archive of CSV files under a new uuid. */
  ok = reader_open (&r, path, NULL) && reader_next (&r, &entry, NULL) > 0
       && g_strcmp0 (archive_entry_pathname (entry), "manifest.json") == 0;
  reader_clear (&r);
  return ok;
}

ImuBundleInfo *
imu_bundle_peek (const char    *path,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Reader r = { .fd = -1, .cancellable = cancellable };
  ImuBundleInfo *info = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (reader_open (&r, path, error) && read_bundle (&r, TRUE, error) && reader_hash_rest (&r, error))
    info = reader_info (&r);
  reader_clear (&r);
  return info;
}

ImuBundleInfo *
imu_bundle_verify (const char    *path,
                   GCancellable  *cancellable,
                   GError       **error)
{
  Reader r = { .fd = -1, .cancellable = cancellable };
  ImuBundleInfo *info = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  if (reader_open (&r, path, error) && read_bundle (&r, FALSE, error))
    info = reader_info (&r);
  reader_clear (&r);
  return info;
}

gboolean
imu_bundle_read_into (ImuSessionBuilder  *builder,
                      const char         *path,
                      gboolean            allow_duplicate,
                      gint64             *duplicate_of,
                      ImuProgressFunc     progress,
                      gpointer            progress_data,
                      GCancellable       *cancellable,
                      GError            **error)
{
  Reader r = { .fd = -1, .cancellable = cancellable, .progress = progress, .progress_data = progress_data };
  g_autofree char *sha = NULL;
  gboolean ok;

  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (builder), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  r.builder = builder;
  r.store = imu_session_builder_get_store (builder);
  r.allow_duplicate = allow_duplicate;
  r.duplicate_of = duplicate_of;
  imu_session_builder_set_format (builder, "bundle");
  ok = reader_open (&r, path, error);
  /* A failed import's audit row gets the bundle's size; its sha256 only
   * once every byte was read. */
  imu_session_builder_set_source (builder, NULL, r.file_size);
  ok = ok && read_bundle (&r, FALSE, error);
  if (ok)
    {
      sha = sha256_hex (&r.file_sha);
      imu_session_builder_set_source (builder, sha, r.file_bytes);
    }
  reader_clear (&r);
  return ok;
}

ImuImportResult *
imu_bundle_import (ImuStore               *store,
                   const char             *path,
                   const ImuImportOptions *options,
                   ImuProgressFunc         progress,
                   gpointer                progress_data,
                   gint64                 *duplicate_of,
                   GCancellable           *cancellable,
                   GError                **error)
{
  ImuImportOptions forced = { 0 };

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  /* Through the import pipeline with the bundle importer forced: the same
   * builder, the same audit row on success and on failure. */
  if (options != NULL)
    forced = *options;
  forced.format = "bundle";
  return imu_import_path (store, path, &forced, progress, progress_data, duplicate_of, cancellable, error);
}

ImuBundleEdits *
imu_bundle_read_edits (const char    *path,
                       GCancellable  *cancellable,
                       GError       **error)
{
  Reader r = { .fd = -1, .cancellable = cancellable };
  ImuBundleEdits *edits = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  r.collected_events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
  /* Reading the bundle checks events.jsonl, which collects its events. */
  if (reader_open (&r, path, error) && read_bundle (&r, FALSE, error))
    {
      edits = g_new0 (ImuBundleEdits, 1);
      edits->session = json_object_ref (json_object_get_object_member (r.manifest, "session"));
      edits->events = g_steal_pointer (&r.collected_events);
    }
  g_clear_pointer (&r.collected_events, g_ptr_array_unref);
  reader_clear (&r);
  return edits;
}

void
imu_bundle_edits_free (ImuBundleEdits *edits)
{
  if (edits == NULL)
    return;
  g_clear_pointer (&edits->session, json_object_unref);
  g_clear_pointer (&edits->events, g_ptr_array_unref);
  g_free (edits);
}
