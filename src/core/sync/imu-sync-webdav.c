/* imu-sync-webdav.c — a WebDAV collection as a sync target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * RFC 4918. A file is PUT to a hidden temporary name next to its final
 * one, then MOVEd there (Overwrite: T): the server renames it in one step,
 * so nobody listing or reading the collection sees half a bundle under
 * the real name. Missing collections on the way are made with MKCOL.
 * WebDAV has no object metadata, so the sha256 of KEY lives in a small
 * sidecar KEY.sha256, written (also through a temporary name) after the
 * object; list() hides sidecars and temporary names.
 *
 * Listing is PROPFIND with Depth: 1, one collection at a time (servers
 * often refuse Depth: infinity), parsing the multistatus answer with
 * GMarkup. Authentication is HTTP Basic, sent with every request: only
 * over TLS, or plain http to this computer (or with --insecure).
 *
 * There is no resume: WebDAV has no standard partial PUT, so an
 * interrupted upload starts again (docs/sync.md).
 *
 * libsoup's synchronous API is used from the transfer's worker thread;
 * each instance has its own SoupSession and is used by one thread.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "imu-redact.h"
#include "imu-sync-http.h"
#include "imu-sync-webdav.h"

#define DEFAULT_CONTENT_TYPE "application/octet-stream"
#define PROPFIND_BODY \
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>" \
  "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:resourcetype/><D:getcontentlength/><D:getetag/>" \
  "<D:getlastmodified/></D:prop></D:propfind>"

struct _ImuSyncWebdav
{
  ImuSyncTarget  parent_instance;
  ImuSyncHttp    http;          /* its session, for the calling thread */
  char          *base_url;     /* the collection, no trailing slash */
  char          *base_path;    /* its path, decoded, no trailing slash */
  char          *user;
  char          *authorization;
  GHashTable    *collections;  /* keys of collections known to exist ("a/b/") */
};

G_DEFINE_FINAL_TYPE (ImuSyncWebdav, imu_sync_webdav, IMU_TYPE_SYNC_TARGET)

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static void
set_str (char **ptr, const char *value)
{
  char *copy = g_strdup (value);

  g_free (*ptr);
  *ptr = copy;
}

static char *
key_url (ImuSyncWebdav *self, const char *key)
{
  g_autofree char *escaped = g_uri_escape_string (key != NULL ? key : "", "/", FALSE);

  return g_strconcat (self->base_url, "/", escaped, NULL);
}

static SoupMessage *
build_message (ImuSyncWebdav *self, const char *method, const char *key, const char * const *headers)
{
  g_autofree char *url = key_url (self, key);
  SoupMessage *msg = soup_message_new (method, url);
  SoupMessageHeaders *h;

  g_assert (msg != NULL);
  h = soup_message_get_request_headers (msg);
  /* Sent up front rather than after a 401: a streamed body cannot be
   * sent twice, and it saves a round trip per request. */
  soup_message_headers_replace (h, "Authorization", self->authorization);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (h, headers[i], headers[i + 1]);
  return msg;
}

/* Maps a transport error or a non-2xx status to an IMU_SYNC_ERROR through
 * the one table of imu-sync-http.c; WebDAV words its credential rows
 * itself, since a 401 (the password) and a 403 (the account's rights)
 * ask for different fixes. */
static gboolean
check_response (ImuSyncTarget *target, SoupMessage *msg, GBytes *body, const GError *transport, const char *what,
                GError **error)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  guint status = transport == NULL ? soup_message_get_status (msg) : 0;
  const char *reason = "";
  GError *e;

  if (transport == NULL && status >= 200 && status < 300)
    return TRUE;
  if (transport == NULL && soup_message_get_reason_phrase (msg) != NULL)
    reason = soup_message_get_reason_phrase (msg);
  e = imu_sync_http_error (target, msg, status, transport, what, reason);
  if (g_error_matches (e, IMU_SYNC_ERROR, IMU_SYNC_ERROR_AUTH))
    {
      g_free (e->message);
      e->message = status == 401
                   ? g_strdup_printf (_("%s: the server refused user “%s” and its password (HTTP 401 %s). Check them "
                                        "(an app password if the account has two-factor login) and run “imu target "
                                        "secret %s --password-from-stdin”, then “imu sync --retry”. Nothing was lost."),
                                      what, self->user, reason, config->name)
                   : g_strdup_printf (_("%s: user “%s” may not do this here (HTTP 403 %s). Check the account’s "
                                        "permissions on %s, then run “imu sync --retry”. Nothing was lost."),
                                      what, self->user, reason, config->url);
      imu_redact_error (e);
    }
  g_propagate_error (error, e);
  return FALSE;
}

/* ---- PROPFIND ---- */

typedef struct {
  char     *path;        /* decoded, without a trailing slash */
  gboolean  collection;
  gint64    size;
  char     *etag;
  gint64    modified_us;
} Entry;

static void
entry_free (gpointer data)
{
  Entry *e = data;

  g_free (e->path);
  g_free (e->etag);
  g_free (e);
}

typedef struct {
  GPtrArray *entries;
  Entry     *current;
} PropfindXml;

/* The decoded path of an href, which may be a path or a whole URL. */
static char *
href_path (const char *href)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *raw = NULL;
  char *path;

  if (g_str_has_prefix (href, "http://") || g_str_has_prefix (href, "https://"))
    {
      uri = g_uri_parse (href, G_URI_FLAGS_ENCODED, NULL);
      raw = g_strdup (uri != NULL ? g_uri_get_path (uri) : href);
    }
  else
    raw = g_strdup (href);
  path = g_uri_unescape_string (raw, NULL);
  if (path == NULL)
    path = g_strdup (raw);
  while (strlen (path) > 1 && path[strlen (path) - 1] == '/')
    path[strlen (path) - 1] = '\0';
  return path;
}

static void
propfind_start (gpointer data, const char *name)
{
  PropfindXml *x = data;

  if (g_str_equal (name, "response"))
    {
      g_clear_pointer (&x->current, entry_free);
      x->current = g_new0 (Entry, 1);
      x->current->size = -1;
    }
}

static void
propfind_end (gpointer data, const char *name, const char *parent, const char *raw)
{
  PropfindXml *x = data;
  g_autofree char *text = g_strstrip (g_strdup (raw));
  Entry *e = x->current;

  if (e != NULL)
    {
      if (g_str_equal (name, "href") && g_str_equal (parent, "response"))
        {
          g_free (e->path);
          e->path = href_path (text);
        }
      else if (g_str_equal (name, "collection") && g_str_equal (parent, "resourcetype"))
        e->collection = TRUE;
      else if (g_str_equal (name, "getcontentlength") && *text != '\0')
        e->size = g_ascii_strtoll (text, NULL, 10);
      else if (g_str_equal (name, "getetag") && *text != '\0')
        set_str (&e->etag, text);
      else if (g_str_equal (name, "getlastmodified") && *text != '\0')
        {
          g_autoptr(GDateTime) dt = soup_date_time_new_from_http_string (text);

          if (dt != NULL)
            e->modified_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
        }
      else if (g_str_equal (name, "response"))
        {
          if (e->path != NULL)
            g_ptr_array_add (x->entries, g_steal_pointer (&x->current));
          else
            g_clear_pointer (&x->current, entry_free);
        }
    }
}

/* PROPFIND @key (a collection, "" for the base) with @depth: its entries,
 * the collection itself first when the server lists it. */
static GPtrArray *
propfind (ImuSyncWebdav *self, const char *key, const char *depth, GCancellable *cancellable, GError **error)
{
  const char *headers[] = { "Depth", depth, NULL };
  g_autoptr(SoupMessage) msg = build_message (self, "PROPFIND", key, headers);
  g_autoptr(GBytes) request = g_bytes_new_static (PROPFIND_BODY, strlen (PROPFIND_BODY));
  g_autoptr(GBytes) body = NULL;
  g_autofree char *what = g_strdup_printf (_("listing %s"), *key != '\0' ? key : "/");
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func (entry_free);
  g_autofree char *root = NULL;
  PropfindXml x = { entries, NULL };

  soup_message_set_request_body_from_bytes (msg, "application/xml; charset=utf-8", request);
  if (!(body = imu_sync_http_send (&self->http, msg, what, cancellable, error)))
    return NULL;
  if (soup_message_get_status (msg) == 207)
    root = imu_sync_xml_parse (body, propfind_start, propfind_end, &x, NULL);
  g_clear_pointer (&x.current, entry_free);
  if (root == NULL)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL,
                   _("%s: the server did not answer a WebDAV multistatus (HTTP %u); is %s a WebDAV collection?"),
                   what, soup_message_get_status (msg), imu_sync_target_get_config (IMU_SYNC_TARGET (self))->url);
      return NULL;
    }
  return g_steal_pointer (&entries);
}

/* The key of a listed path, NULL when it is not under the base. */
static const char *
path_to_key (ImuSyncWebdav *self, const char *path)
{
  gsize n = strlen (self->base_path);

  if (strncmp (path, self->base_path, n) != 0 || path[n] != '/')
    return NULL;
  return path + n + 1;
}

static gboolean
is_hidden_name (const char *key)
{
  const char *base = strrchr (key, '/');

  base = base != NULL ? base + 1 : key;
  return strstr (base, IMU_SYNC_WEBDAV_TMP_MARK) != NULL || g_str_has_suffix (base, IMU_SYNC_WEBDAV_SHA256_SUFFIX);
}

static gboolean
list_collection (ImuSyncWebdav *self, const char *dir, const char *prefix, GPtrArray *objects, guint depth,
                 GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) entries = propfind (self, dir, "1", cancellable, &local_error);

  if (entries == NULL)
    {
      /* A collection that does not exist holds nothing. */
      if (g_error_matches (local_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      const char *key = path_to_key (self, e->path);
      g_autofree char *dir_key = NULL;

      if (key == NULL)
        continue;
      if (e->collection)
        {
          dir_key = g_strconcat (key, "/", NULL);
          /* The collection itself, or one that cannot hold the prefix. */
          if (g_str_equal (dir_key, dir) || !(g_str_has_prefix (dir_key, prefix) || g_str_has_prefix (prefix, dir_key)))
            continue;
          if (depth > 32)
            continue;
          if (!list_collection (self, dir_key, prefix, objects, depth + 1, cancellable, error))
            return FALSE;
        }
      else if (g_str_has_prefix (key, prefix) && !is_hidden_name (key))
        {
          ImuSyncObject *o = g_new0 (ImuSyncObject, 1);

          o->key = g_strdup (key);
          o->size = e->size;
          o->etag = g_strdup (e->etag);
          o->modified_us = e->modified_us;
          g_ptr_array_add (objects, o);
        }
    }
  return TRUE;
}

static GPtrArray *
imu_sync_webdav_list (ImuSyncTarget *target, const char *prefix, GCancellable *cancellable, GError **error)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (target);
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_object_free);
  const char *p = prefix != NULL ? prefix : "";
  const char *slash = strrchr (p, '/');
  g_autofree char *dir = slash != NULL ? g_strndup (p, (gsize) (slash - p + 1)) : g_strdup ("");

  if (!list_collection (self, dir, p, objects, 0, cancellable, error))
    return NULL;
  return g_steal_pointer (&objects);
}

/* ---- writing ---- */

/* MKCOL for each collection of @key's path that is not known to exist:
 * first the deepest (usually all the others exist), then, when its parent
 * is missing (409), from the top down. */
static gboolean
ensure_collections (ImuSyncWebdav *self, const char *key, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) dirs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *what = NULL;
  const char *deepest;

  for (const char *p = strchr (key, '/'); p != NULL; p = strchr (p + 1, '/'))
    g_ptr_array_add (dirs, g_strndup (key, (gsize) (p - key + 1)));
  if (dirs->len == 0)
    return TRUE;
  deepest = g_ptr_array_index (dirs, dirs->len - 1);
  if (g_hash_table_contains (self->collections, deepest))
    return TRUE;

  /* 405: it exists already. 409: its parent does not. */
  msg = build_message (self, "MKCOL", deepest, NULL);
  what = g_strdup_printf (_("creating the collection %s"), deepest);
  if (imu_sync_http_send_status (&self->http, msg, 405, what, cancellable, &local_error) == 0)
    {
      if (soup_message_get_status (msg) != 409)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      /* From the top, the target's own collection included: a person
       * naming https://host/dav/imu/ expects "imu" to be made. */
      g_ptr_array_insert (dirs, 0, g_strdup (""));
      for (guint i = 0; i < dirs->len - 1; i++)
        {
          const char *dir = g_ptr_array_index (dirs, i);
          g_autoptr(SoupMessage) mkcol = NULL;
          g_autofree char *what_dir = NULL;

          if (g_hash_table_contains (self->collections, dir))
            continue;
          mkcol = build_message (self, "MKCOL", dir, NULL);
          what_dir = g_strdup_printf (_("creating the collection %s"), *dir != '\0' ? dir : "/");
          if (imu_sync_http_send_status (&self->http, mkcol, 405, what_dir, cancellable, error) == 0)
            return FALSE;
          g_hash_table_add (self->collections, g_strdup (dir));
        }
      g_clear_object (&msg);
      msg = build_message (self, "MKCOL", deepest, NULL);
      if (imu_sync_http_send_status (&self->http, msg, 405, what, cancellable, error) == 0)
        return FALSE;
    }
  for (guint i = 0; i < dirs->len; i++)
    g_hash_table_add (self->collections, g_strdup (g_ptr_array_index (dirs, i)));
  return TRUE;
}

static char *
tmp_key_for (const char *key)
{
  const char *slash = strrchr (key, '/');
  g_autofree char *dir = slash != NULL ? g_strndup (key, (gsize) (slash - key + 1)) : g_strdup ("");
  const char *name = slash != NULL ? slash + 1 : key;

  return g_strdup_printf ("%s.%s" IMU_SYNC_WEBDAV_TMP_MARK "%08x", dir, name, g_random_int ());
}

/* PUT @body (a stream of @length bytes) to a temporary name, then MOVE it
 * to @key. */
static gboolean
put_via_move (ImuSyncWebdav *self, const char *key, GInputStream *body, gssize length, const char *content_type,
              ImuSyncTransfer *transfer, const char *what, GCancellable *cancellable, GError **error)
{
  g_autofree char *tmp = tmp_key_for (key);
  g_autofree char *destination = key_url (self, key);
  g_autoptr(SoupMessage) put = build_message (self, "PUT", tmp, NULL);
  const char *move_headers[] = { "Destination", destination, "Overwrite", "T", NULL };
  g_autoptr(SoupMessage) move = NULL;
  g_autoptr(GError) local_error = NULL;
  ImuSyncHttpProgress progress = { transfer, 0, 0 };
  guint status;

  soup_message_set_request_body (put, content_type, body, length);
  g_signal_connect (put, "wrote-body-data", G_CALLBACK (imu_sync_http_wrote_body_data_cb), &progress);
  status = imu_sync_http_send_status (&self->http, put, 0, what, cancellable, error);
  g_signal_handlers_disconnect_by_func (put, imu_sync_http_wrote_body_data_cb, &progress);
  if (status == 0)
    goto fail;
  move = build_message (self, "MOVE", tmp, move_headers);
  if (imu_sync_http_send_status (&self->http, move, 0, what, cancellable, error) == 0)
    goto fail;
  return TRUE;

fail:
  {
    /* Leave no temporary file behind (best effort: it is hidden anyway). */
    g_autoptr(SoupMessage) del = build_message (self, "DELETE", tmp, NULL);
    g_autoptr(GBytes) ignored = soup_session_send_and_read (self->http.session, del, NULL, NULL);
  }
  return FALSE;
}

static char *
read_sidecar (ImuSyncWebdav *self, const char *key, GCancellable *cancellable, GError **error)
{
  g_autofree char *sidecar = g_strconcat (key, IMU_SYNC_WEBDAV_SHA256_SUFFIX, NULL);
  g_autoptr(SoupMessage) msg = build_message (self, "GET", sidecar, NULL);
  g_autofree char *what = g_strdup_printf (_("reading %s"), sidecar);
  g_autoptr(GBytes) body = imu_sync_http_send (&self->http, msg, what, cancellable, error);
  gsize len = 0;
  const char *data;

  if (body == NULL)
    return NULL;
  data = g_bytes_get_data (body, &len);
  if (data == NULL || len < 64)
    return g_strdup ("");
  for (guint i = 0; i < 64; i++)
    if (!g_ascii_isxdigit (data[i]))
      return g_strdup ("");
  return g_ascii_strdown (data, 64);
}

static ImuSyncObject *
imu_sync_webdav_head (ImuSyncTarget *target, const char *key, GCancellable *cancellable, GError **error)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (target);
  g_autoptr(SoupMessage) msg = build_message (self, "HEAD", key, NULL);
  g_autoptr(ImuSyncObject) object = NULL;
  g_autoptr(GError) local_error = NULL;

  /* WebDAV has no object metadata: the sha256 is in the sidecar. */
  if (!(object = imu_sync_http_head (&self->http, msg, key, NULL, cancellable, error)))
    return NULL;
  if (soup_message_headers_get_encoding (soup_message_get_response_headers (msg)) != SOUP_ENCODING_CONTENT_LENGTH)
    {
      /* Some servers answer HEAD without a length: ask PROPFIND. */
      g_autoptr(GPtrArray) entries = propfind (self, key, "0", cancellable, error);

      if (entries == NULL)
        return NULL;
      object->size = entries->len > 0 ? ((Entry *) g_ptr_array_index (entries, 0))->size : -1;
    }
  object->sha256 = read_sidecar (self, key, cancellable, &local_error);
  if (object->sha256 == NULL && !g_error_matches (local_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (object->sha256 != NULL && *object->sha256 == '\0')
    g_clear_pointer (&object->sha256, g_free);
  return g_steal_pointer (&object);
}

static gboolean
imu_sync_webdav_put (ImuSyncTarget *target, const char *key, const char *local_path, const char *sha256,
                     const char *content_type, ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (target);
  g_autoptr(GFile) file = g_file_new_for_path (local_path);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(ImuSyncObject) landed = NULL;
  g_autofree char *what = g_strdup_printf (_("upload of %s"), key);
  g_autofree char *sidecar = g_strconcat (key, IMU_SYNC_WEBDAV_SHA256_SUFFIX, NULL);
  g_autofree char *sidecar_text = NULL;
  const char *name = strrchr (key, '/') != NULL ? strrchr (key, '/') + 1 : key;
  goffset size;

  g_return_val_if_fail (sha256 != NULL && strlen (sha256) == 64, FALSE);

  if (!(in = g_file_read (file, cancellable, &local_error))
      || !(info = g_file_input_stream_query_info (in, G_FILE_ATTRIBUTE_STANDARD_SIZE, cancellable, &local_error)))
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot open: %s"), local_path, local_error->message);
      return FALSE;
    }
  size = g_file_info_get_size (info);
  if (transfer != NULL)
    transfer->bytes_total = (guint64) size;
  /* Starting over: WebDAV cannot append to what an earlier try sent. */
  imu_sync_transfer_progress (transfer, 0);

  if (!ensure_collections (self, key, cancellable, error))
    return FALSE;
  if (!put_via_move (self, key, G_INPUT_STREAM (in), size, content_type != NULL ? content_type : DEFAULT_CONTENT_TYPE,
                     transfer, what, cancellable, error))
    return FALSE;

  sidecar_text = g_strdup_printf ("%s  %s\n", sha256, name);
  {
    g_autoptr(GInputStream) side = g_memory_input_stream_new_from_data (g_strdup (sidecar_text), -1, g_free);

    if (!put_via_move (self, sidecar, side, (gssize) strlen (sidecar_text), "text/plain", NULL, what,
                       cancellable, error))
      return FALSE;
  }

  /* Check what the server holds now. */
  if (!(landed = imu_sync_webdav_head (target, key, cancellable, error)))
    return FALSE;
  if (landed->size != size || g_strcmp0 (landed->sha256, sha256) != 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
                   _("%s: the server holds %" PRId64 " bytes with sha256 %s, expected %" PRId64
                     " bytes with sha256 %s"),
                   what, landed->size, landed->sha256 != NULL ? landed->sha256 : _("(none)"), (gint64) size, sha256);
      return FALSE;
    }
  imu_sync_transfer_progress (transfer, (guint64) size);
  return TRUE;
}

static gboolean
imu_sync_webdav_get (ImuSyncTarget *target, const char *key, const char *local_path,
                     ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (target);
  g_autoptr(SoupMessage) msg = build_message (self, "GET", key, NULL);
  g_autofree char *what = g_strdup_printf (_("download of %s"), key);

  return imu_sync_http_get_file (&self->http, msg, local_path, what, transfer, cancellable, error);
}

static gboolean
delete_key (ImuSyncWebdav *self, const char *key, GCancellable *cancellable, GError **error)
{
  g_autoptr(SoupMessage) msg = build_message (self, "DELETE", key, NULL);
  g_autofree char *what = g_strdup_printf (_("deleting %s"), key);

  return imu_sync_http_delete (&self->http, msg, what, cancellable, error);
}

static gboolean
imu_sync_webdav_remove (ImuSyncTarget *target, const char *key, GCancellable *cancellable, GError **error)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (target);
  g_autofree char *sidecar = g_strconcat (key, IMU_SYNC_WEBDAV_SHA256_SUFFIX, NULL);

  return delete_key (self, key, cancellable, error) && delete_key (self, sidecar, cancellable, error);
}

static gboolean
imu_sync_webdav_test (ImuSyncTarget *target, ImuSyncTestReport *report, GCancellable *cancellable, GError **error)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *probe = imu_sync_target_session_key (target, ".imu-probe", uuid);
  g_autofree char *prefix = imu_sync_target_sessions_prefix (target);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  imu_sync_test_report_add (report, _("collection: %s"), config->url);
  imu_sync_test_report_add (report, _("authentication: HTTP Basic, user %s"), self->user);

  entries = propfind (self, "", "0", cancellable, &local_error);
  if (entries == NULL && g_error_matches (local_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
    {
      /* Uploads would make it: do so now, so that the rest can be checked. */
      g_autoptr(SoupMessage) msg = build_message (self, "MKCOL", "", NULL);

      g_clear_error (&local_error);
      if (imu_sync_http_send_status (&self->http, msg, 405, _("creating the collection"), cancellable, &local_error) != 0)
        {
          imu_sync_test_report_add (report, _("reach the collection: it did not exist; created it"));
          g_hash_table_add (self->collections, g_strdup (""));
          entries = g_ptr_array_new ();
        }
    }
  if (entries == NULL)
    {
      imu_sync_test_report_add (report, _("reach the collection: failed: %s"), local_error->message);
      report->ok = FALSE;
      g_clear_error (&local_error);
    }
  else if (entries->len > 0)
    imu_sync_test_report_add (report, _("reach the collection: ok (WebDAV)"));

  imu_sync_test_report_list (report, target, prefix, cancellable);

  {
    static const char probe_text[] = "probe\n";
    g_autoptr(GInputStream) body = g_memory_input_stream_new_from_data (probe_text, (gssize) strlen (probe_text), NULL);
    g_autofree char *probe_dir = g_path_get_dirname (probe);
    g_autofree char *probe_dir_key = g_strconcat (probe_dir, "/", NULL);

    if (ensure_collections (self, probe, cancellable, &local_error))
      put_via_move (self, probe, body, (gssize) strlen (probe_text), "text/plain", NULL, _("writing a probe object"),
                    cancellable, &local_error);
    if (imu_sync_test_report_probe (report, target, probe, local_error, cancellable))
      {
        imu_sync_test_report_add (report, _("write, move and delete a probe object: ok"));
        /* The probe's own collection goes too. */
        delete_key (self, probe_dir_key, cancellable, NULL);
        g_hash_table_remove (self->collections, probe_dir_key);
      }
  }
  return TRUE;
}

static gboolean
imu_sync_webdav_setup (ImuSyncTarget *target, const char *secret, GError **error)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *credentials = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *path = NULL;
  g_autofree char *password = NULL;

  if (!(uri = imu_sync_http_parse_url (config, error)))
    return FALSE;
  if (g_uri_get_query (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                   _("the URL must be plain (https://HOST/PATH/), without a query or a user; give the user with --user"));
      return FALSE;
    }
  self->user = imu_sync_target_config_dup_string (config, "user");
  if (self->user == NULL || *self->user == '\0' || strchr (self->user, ':') != NULL)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("it needs a user name without “:” (--user NAME)"));
      return FALSE;
    }
  password = imu_sync_secret_dup_string (secret, "password");
  if (password == NULL)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                   _("its password is not in the secret store; run “imu target secret %s --password-from-stdin”"),
                   config->name);
      return FALSE;
    }
  imu_redact_add_secret (password);
  credentials = g_strdup_printf ("%s:%s", self->user, password);
  encoded = g_base64_encode ((const guchar *) credentials, strlen (credentials));
  imu_redact_add_secret (encoded);
  self->authorization = g_strconcat ("Basic ", encoded, NULL);
  memset (credentials, 0, strlen (credentials));
  memset (password, 0, strlen (password));

  self->base_url = g_strdup (config->url);
  while (g_str_has_suffix (self->base_url, "/"))
    self->base_url[strlen (self->base_url) - 1] = '\0';
  path = g_uri_unescape_string (g_uri_get_path (uri), NULL);
  self->base_path = path != NULL ? g_steal_pointer (&path) : g_strdup (g_uri_get_path (uri));
  while (g_str_has_suffix (self->base_path, "/"))
    self->base_path[strlen (self->base_path) - 1] = '\0';

  imu_sync_http_init (&self->http, target, check_response);
  return TRUE;
}

static void
imu_sync_webdav_finalize (GObject *object)
{
  ImuSyncWebdav *self = IMU_SYNC_WEBDAV (object);

  imu_sync_http_clear (&self->http);
  g_free (self->base_url);
  g_free (self->base_path);
  g_free (self->user);
  if (self->authorization != NULL)
    memset (self->authorization, 0, strlen (self->authorization));
  g_free (self->authorization);
  g_hash_table_unref (self->collections);
  G_OBJECT_CLASS (imu_sync_webdav_parent_class)->finalize (object);
}

static void
imu_sync_webdav_class_init (ImuSyncWebdavClass *klass)
{
  ImuSyncTargetClass *target_class = IMU_SYNC_TARGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = imu_sync_webdav_finalize;
  /* No abort: a put deletes its temporary name itself when it fails or is
   * cancelled, and the name (random) is kept nowhere a later abort could
   * find it; a leftover from a crash stays hidden from list(). */
  target_class->setup = imu_sync_webdav_setup;
  target_class->put = imu_sync_webdav_put;
  target_class->get = imu_sync_webdav_get;
  target_class->head = imu_sync_webdav_head;
  target_class->list = imu_sync_webdav_list;
  target_class->remove = imu_sync_webdav_remove;
  target_class->test = imu_sync_webdav_test;
}

static void
imu_sync_webdav_init (ImuSyncWebdav *self)
{
  self->collections = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
