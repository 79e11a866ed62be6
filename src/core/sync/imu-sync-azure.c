/* imu-sync-azure.c — Azure Blob Storage as a sync target (SAS or Shared Key)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Uploads are block blobs: Put Block for each ≈4 MiB block (with its
 * Content-MD5, so the service refuses a block damaged on the way), then
 * Put Block List, which also sets the content type and x-ms-meta-sha256.
 * Block ids are derived from the bundle's sha256 and the block's index, so
 * an interrupted upload of the same bytes asks the service which blocks it
 * already holds (Get Block List, uncommitted) and sends only the others.
 *
 * Requests are signed with a SAS token appended to the query, or with
 * Shared Key: https://learn.microsoft.com/rest/api/storageservices/authorize-with-shared-key
 * (path-style URLs on Azurite repeat the account in the canonicalized
 * resource: /devstoreaccount1/devstoreaccount1/container/blob).
 *
 * libsoup's synchronous API is used from the transfer's worker thread;
 * each instance has its own SoupSession and is used by one thread.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "imu-redact.h"
#include "imu-sync-azure.h"
#include "imu-sync-http.h"

#define API_VERSION "2020-10-02"
#define BLOCK_ID_FORMAT "imu-%.16s-%08u"   /* same length for every block */

static gint put_block_count;

struct _ImuSyncAzure
{
  ImuSyncTarget  parent_instance;
  ImuSyncHttp    http;          /* its session, for the calling thread */
  char          *container_url;   /* no trailing slash, no query */
  char          *container_path;  /* the URL's path, "/account/container" on Azurite */
  char          *account;
  char          *sas;             /* without "?" */
  guint8        *key;             /* Shared Key, decoded */
  gsize          key_len;
  char          *container;       /* its name, for messages */
  gboolean       may_create;      /* make a missing container (account key only) */
  gboolean       container_ready; /* made or found once */
};

G_DEFINE_FINAL_TYPE (ImuSyncAzure, imu_sync_azure, IMU_TYPE_SYNC_TARGET)

guint
imu_sync_azure_get_put_block_count (void)
{
  return (guint) g_atomic_int_get (&put_block_count);
}

/* ---- SAS description ---- */

static char *
query_param (const char *query, const char *name)
{
  g_autoptr(GHashTable) params = NULL;
  const char *q = query;

  if (q == NULL)
    return NULL;
  if (*q == '?')
    q++;
  params = g_uri_parse_params (q, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, name));
}

gboolean
imu_sync_azure_parse_sas (const char  *sas,
                          char       **permissions,
                          char       **resource,
                          char       **expiry)
{
  g_autofree char *sig = query_param (sas, "sig");
  g_autofree char *sp = query_param (sas, "sp");
  g_autofree char *sr = query_param (sas, "sr");
  g_autofree char *srt = query_param (sas, "srt");

  if (sig == NULL)
    return FALSE;
  if (permissions != NULL)
    {
      GString *s = g_string_new (NULL);
      static const struct { char c; const char *name; } names[] = {
        { 'r', N_("read") }, { 'a', N_("add") }, { 'c', N_("create") }, { 'w', N_("write") },
        { 'd', N_("delete") }, { 'x', N_("delete versions") }, { 'l', N_("list") }, { 't', N_("tags") },
        { 'f', N_("filter") }, { 'm', N_("move") }, { 'e', N_("execute") }, { 'i', N_("immutability") },
      };

      for (const char *p = sp != NULL ? sp : ""; *p != '\0'; p++)
        for (guint i = 0; i < G_N_ELEMENTS (names); i++)
          if (names[i].c == *p)
            g_string_append_printf (s, "%s%s", s->len > 0 ? ", " : "", _(names[i].name));
      g_string_prepend (s, "): ");
      g_string_prepend (s, sp != NULL ? sp : "");
      g_string_prepend (s, "(sp=");
      *permissions = g_string_free (s, FALSE);
    }
  if (resource != NULL)
    {
      const char *what = sr == NULL ? (srt != NULL ? _("account (service SAS)") : _("unknown"))
                         : g_str_equal (sr, "c") ? _("container")
                         : g_str_equal (sr, "b") ? _("one blob")
                         : g_str_equal (sr, "d") ? _("a directory")
                         : g_str_equal (sr, "bs") ? _("a blob snapshot")
                         : g_str_equal (sr, "bv") ? _("a blob version") : sr;
      *resource = g_strdup_printf ("(sr=%s): %s", sr != NULL ? sr : "", what);
    }
  if (expiry != NULL)
    *expiry = query_param (sas, "se");
  return TRUE;
}

/* ---- requests ---- */

typedef struct {
  const char *name;
  char       *value;
} Param;

static int
param_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (((const Param *) a)->name, ((const Param *) b)->name);
}

static char *
rfc1123_now (void)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

  /* Not strftime: %a and %b follow the locale, HTTP dates are English. */
  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d GMT",
                          days[g_date_time_get_day_of_week (now) - 1], g_date_time_get_day_of_month (now),
                          months[g_date_time_get_month (now) - 1], g_date_time_get_year (now),
                          g_date_time_get_hour (now), g_date_time_get_minute (now), g_date_time_get_second (now));
}

static char *
escape_blob_name (const char *blob)
{
  return g_uri_escape_string (blob, "/", FALSE);
}

static int
str_ptr_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Shared Key: the string to sign, per the Azure documentation (version
 * 2009-09-19 and later). Only the standard headers we send are filled. */
static void
sign_shared_key (ImuSyncAzure *self, SoupMessage *msg, const char *path, GArray *params,
                 gint64 content_length, const char *content_type, const char *content_md5)
{
  SoupMessageHeaders *h = soup_message_get_request_headers (msg);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GHmac) hmac = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *auth = NULL;
  SoupMessageHeadersIter iter;
  const char *name, *value;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_string_append_printf (s, "%s\n", soup_message_get_method (msg));
  g_string_append (s, "\n\n");                                    /* Content-Encoding, Content-Language */
  if (content_length > 0)
    g_string_append_printf (s, "%" PRId64, content_length);
  g_string_append_c (s, '\n');
  g_string_append_printf (s, "%s\n", content_md5 != NULL ? content_md5 : "");
  g_string_append_printf (s, "%s\n", content_type != NULL ? content_type : "");
  g_string_append (s, "\n\n\n\n\n\n");                            /* Date … Range */

  soup_message_headers_iter_init (&iter, h);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strncasecmp (name, "x-ms-", 5) == 0)
      g_ptr_array_add (names, g_ascii_strdown (name, -1));
  g_ptr_array_sort (names, str_ptr_cmp);
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);

      g_string_append_printf (s, "%s:%s\n", n, soup_message_headers_get_one (h, n));
    }
  g_string_append_printf (s, "/%s%s", self->account, path);
  for (guint i = 0; params != NULL && i < params->len; i++)
    {
      const Param *p = &g_array_index (params, Param, i);

      g_string_append_printf (s, "\n%s:%s", p->name, p->value);
    }

  hmac = g_hmac_new (G_CHECKSUM_SHA256, self->key, self->key_len);
  g_hmac_update (hmac, (const guchar *) s->str, (gssize) s->len);
  g_hmac_get_digest (hmac, digest, &digest_len);
  signature = g_base64_encode (digest, digest_len);
  auth = g_strdup_printf ("SharedKey %s:%s", self->account, signature);
  soup_message_headers_replace (h, "Authorization", auth);
}

/**
 * build_message:
 * @blob: (nullable): the blob's name, NULL for a container request
 * @params: "name", "value", … NULL (values unescaped)
 *
 * A signed request. The body (when any) is set here, because Shared Key
 * signs its length, type and MD5.
 */
static SoupMessage *
build_message (ImuSyncAzure *self, const char *method, const char *blob, GBytes *body,
               const char *content_type, const char *content_md5, const char * const *headers,
               const char * const *params)
{
  g_autoptr(GArray) list = g_array_new (FALSE, TRUE, sizeof (Param));
  g_autoptr(GString) url = g_string_new (self->container_url);
  g_autoptr(GString) path = g_string_new (self->container_path);
  g_autofree char *date = rfc1123_now ();
  SoupMessage *msg;
  SoupMessageHeaders *h;

  if (blob != NULL)
    {
      g_autofree char *escaped = escape_blob_name (blob);

      g_string_append_printf (url, "/%s", escaped);
      g_string_append_printf (path, "/%s", escaped);
    }
  for (guint i = 0; params != NULL && params[i] != NULL; i += 2)
    {
      Param p = { params[i], g_strdup (params[i + 1]) };

      g_array_append_val (list, p);
    }
  g_array_sort (list, param_cmp);
  for (guint i = 0; i < list->len; i++)
    {
      const Param *p = &g_array_index (list, Param, i);
      g_autofree char *v = g_uri_escape_string (p->value, NULL, FALSE);

      g_string_append_printf (url, "%c%s=%s", i == 0 ? '?' : '&', p->name, v);
    }
  if (self->sas != NULL)
    g_string_append_printf (url, "%c%s", list->len == 0 ? '?' : '&', self->sas);

  msg = soup_message_new (method, url->str);
  g_assert (msg != NULL);
  h = soup_message_get_request_headers (msg);
  soup_message_headers_replace (h, "x-ms-date", date);
  soup_message_headers_replace (h, "x-ms-version", API_VERSION);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    soup_message_headers_replace (h, headers[i], headers[i + 1]);
  if (content_md5 != NULL)
    soup_message_headers_replace (h, "Content-MD5", content_md5);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, content_type, body);
  else if (g_str_equal (method, "PUT"))
    soup_message_headers_set_content_length (h, 0);
  if (self->key != NULL)
    sign_shared_key (self, msg, path->str, list, body != NULL ? (gint64) g_bytes_get_size (body) : 0,
                     body != NULL ? content_type : NULL, content_md5);
  for (guint i = 0; i < list->len; i++)
    g_free (g_array_index (list, Param, i).value);
  return msg;
}

/* The <Code> of an Azure error body, for messages ("" when none). */
static char *
azure_error_detail (GBytes *body)
{
  gsize len = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  g_autofree char *text = data != NULL ? g_strndup (data, MIN (len, 4096)) : NULL;
  const char *c, *ce;

  if (text == NULL)
    return g_strdup ("");
  c = strstr (text, "<Code>");
  ce = c != NULL ? strstr (c, "</Code>") : NULL;
  if (c != NULL && ce != NULL)
    return g_strndup (c + 6, (gsize) (ce - c - 6));
  return g_strdup ("");
}

/* Maps a transport error or a non-2xx status to an IMU_SYNC_ERROR through
 * the one table of imu-sync-http.c; only the credential row gets Azure's
 * own words, which say which secret to replace. */
static gboolean
check_response (ImuSyncTarget *target, SoupMessage *msg, GBytes *body, const GError *transport,
                const char *what, GError **error)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  guint status = transport == NULL ? soup_message_get_status (msg) : 0;
  g_autofree char *detail = NULL;
  GError *e;

  if (transport == NULL && status >= 200 && status < 300)
    return TRUE;
  detail = transport == NULL ? azure_error_detail (body) : g_strdup ("");
  e = imu_sync_http_error (target, msg, status, transport, what, detail);
  if (status == 404 && g_str_equal (detail, "ContainerNotFound"))
    {
      g_free (e->message);
      e->message = self->key == NULL
                   ? g_strdup_printf (_("%s: the container “%s” does not exist at %s, and a SAS token cannot create "
                                        "it. Create the container, or give the target the account key."),
                                      what, self->container, config->url)
                   : g_strdup_printf (_("%s: the container “%s” does not exist at %s. Create it, or let IMU Studio "
                                        "create it (add the target without --no-create)."),
                                      what, self->container, config->url);
    }
  if (g_error_matches (e, IMU_SYNC_ERROR, IMU_SYNC_ERROR_AUTH))
    {
      g_autofree char *more = *detail != '\0' ? g_strconcat (" ", detail, NULL) : g_strdup ("");

      g_free (e->message);
      e->message = self->sas != NULL
                   ? g_strdup_printf (_("%s: the storage refused the SAS token (HTTP %u%s). It may have expired or "
                                        "lack a permission: create a new one and run “imu target secret %s "
                                        "--sas-from-stdin”, then “imu sync --retry”. Nothing was lost."),
                                      what, status, more, config->name)
                   : g_strdup_printf (_("%s: the storage refused the account key (HTTP %u%s). Check it and run "
                                        "“imu target secret %s --key-from-stdin”, then “imu sync --retry”. Nothing "
                                        "was lost."),
                                      what, status, more, config->name);
      imu_redact_error (e);
    }
  g_propagate_error (error, e);
  return FALSE;
}

/* With the account key, a missing container is made on first use, as
 * rclone does (Create Container; 409 ContainerAlreadyExists is fine);
 * "create": "no" in the target's configuration (imu target add
 * --no-create) turns that off. A SAS token cannot create one: a missing
 * container then fails with a message that names it (check_response). */
static gboolean
ensure_container (ImuSyncAzure *self, GCancellable *cancellable, GError **error)
{
  const char *params[] = { "restype", "container", NULL };
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *what = NULL;

  if (self->container_ready || self->key == NULL || !self->may_create)
    return TRUE;
  msg = build_message (self, "PUT", NULL, NULL, NULL, NULL, NULL, params);
  what = g_strdup_printf (_("creating the container “%s”"), self->container);
  if (imu_sync_http_send_status (&self->http, msg, 409, what, cancellable, error) == 0)
    return FALSE;
  self->container_ready = TRUE;
  return TRUE;
}

/* ---- XML answers (List Blobs, Get Block List) ---- */

typedef struct {
  /* List Blobs */
  GPtrArray *objects;
  ImuSyncObject *current;
  char      *next_marker;
  /* Get Block List */
  GHashTable *blocks;     /* name → size */
  char      *block_name;
  gint64     block_size;
} XmlState;

static void
xml_start (gpointer data, const char *element)
{
  XmlState *st = data;

  if (g_str_equal (element, "Blob") && st->objects != NULL)
    st->current = g_new0 (ImuSyncObject, 1);
}

static void
xml_end (gpointer data, const char *element, const char *parent, const char *text)
{
  XmlState *st = data;

  if (st->current != NULL)
    {
      if (g_str_equal (element, "Name") && g_str_equal (parent, "Blob"))
        st->current->key = g_strdup (text);
      else if (g_str_equal (element, "Content-Length"))
        st->current->size = g_ascii_strtoll (text, NULL, 10);
      else if (g_str_equal (element, "Etag"))
        st->current->etag = g_strdup (text);
      else if (g_ascii_strcasecmp (element, "sha256") == 0 && g_str_equal (parent, "Metadata"))
        st->current->sha256 = g_strdup (text);
      else if (g_str_equal (element, "Blob"))
        {
          if (st->current->key != NULL)
            g_ptr_array_add (st->objects, st->current);
          else
            imu_sync_object_free (st->current);
          st->current = NULL;
        }
    }
  else if (g_str_equal (element, "NextMarker"))
    {
      g_free (st->next_marker);
      st->next_marker = *text != '\0' ? g_strdup (text) : NULL;
    }
  else if (st->blocks != NULL && g_str_equal (element, "Name") && g_str_equal (parent, "Block"))
    {
      g_free (st->block_name);
      st->block_name = g_strdup (text);
    }
  else if (st->blocks != NULL && g_str_equal (element, "Size") && g_str_equal (parent, "Block"))
    st->block_size = g_ascii_strtoll (text, NULL, 10);
  else if (st->blocks != NULL && g_str_equal (element, "Block") && st->block_name != NULL)
    {
      g_hash_table_insert (st->blocks, g_steal_pointer (&st->block_name), GSIZE_TO_POINTER ((gsize) st->block_size));
      st->block_size = 0;
    }
}

static gboolean
parse_xml (GBytes *body, XmlState *st, GError **error)
{
  g_autofree char *root = imu_sync_xml_parse (body, xml_start, xml_end, st, error);

  if (st->current != NULL)
    imu_sync_object_free (st->current);
  g_free (st->block_name);
  return root != NULL;
}

/* ---- vfuncs ---- */

static gboolean
imu_sync_azure_setup (ImuSyncTarget *target, const char *secret, GError **error)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  g_autofree char *auth = imu_sync_target_config_dup_string (config, "auth");
  g_autofree char *account = imu_sync_target_config_dup_string (config, "account");
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (!(uri = imu_sync_http_parse_url (config, error)))
    return FALSE;
  if (g_uri_get_query (uri) != NULL)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                   _("the container URL must not carry a query (give the SAS token with --sas-from-stdin)"));
      return FALSE;
    }
  self->container_url = g_strdup (config->url);
  while (g_str_has_suffix (self->container_url, "/"))
    self->container_url[strlen (self->container_url) - 1] = '\0';
  self->container_path = g_strdup (g_uri_get_path (uri));
  while (g_str_has_suffix (self->container_path, "/"))
    self->container_path[strlen (self->container_path) - 1] = '\0';
  if (*self->container_path == '\0')
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                   _("the URL names no container (https://ACCOUNT.blob.core.windows.net/CONTAINER)"));
      return FALSE;
    }
  self->container = g_path_get_basename (self->container_path);
  {
    g_autofree char *create = imu_sync_target_config_dup_string (config, "create");

    self->may_create = g_strcmp0 (create, "no") != 0;
  }
  host = g_uri_get_host (uri);
  if (account != NULL && *account != '\0')
    self->account = g_steal_pointer (&account);
  else if (strchr (host, '.') != NULL && !g_hostname_is_ip_address (host))
    self->account = g_strndup (host, strchr (host, '.') - host);
  else
    {
      /* Path-style (Azurite, IP endpoints): /ACCOUNT/CONTAINER. */
      g_auto(GStrv) parts = g_strsplit (self->container_path + 1, "/", 2);
      self->account = g_strdup (parts[0]);
    }

  if (g_strcmp0 (auth, "shared-key") == 0)
    {
      g_autofree char *key = imu_sync_secret_dup_string (secret, "key");

      if (key == NULL)
        {
          g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                       _("its account key is not in the secret store; run “imu target secret %s --key-from-stdin”"),
                       config->name);
          return FALSE;
        }
      imu_redact_add_secret (key);
      self->key = g_base64_decode (key, &self->key_len);
      if (self->key_len == 0)
        {
          g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("the account key is not base64"));
          return FALSE;
        }
    }
  else if (g_strcmp0 (auth, "sas") == 0)
    {
      g_autofree char *sas = imu_sync_secret_dup_string (secret, "sas");

      if (sas == NULL)
        {
          g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                       _("its SAS token is not in the secret store; run “imu target secret %s --sas-from-stdin”"),
                       config->name);
          return FALSE;
        }
      imu_redact_add_secret (sas);
      self->sas = g_strdup (sas[0] == '?' ? sas + 1 : sas);
    }
  else if (g_strcmp0 (auth, "none") != 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("unknown authentication “%s”"), auth != NULL ? auth : "");
      return FALSE;
    }

  imu_sync_http_init (&self->http, target, check_response);
  return TRUE;
}

static GHashTable *
get_uncommitted_blocks (ImuSyncAzure *self, const char *key, GCancellable *cancellable, GError **error)
{
  static const char * const params[] = { "comp", "blocklist", "blocklisttype", "uncommitted", NULL };
  g_autoptr(SoupMessage) msg = build_message (self, "GET", key, NULL, NULL, NULL, NULL, params);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) body = imu_sync_http_send (&self->http, msg, _("Get Block List"), cancellable, &local_error);
  XmlState st = { 0 };

  st.blocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (body == NULL)
    {
      /* No blob yet, no blocks. */
      if (g_error_matches (local_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
        return st.blocks;
      g_hash_table_unref (st.blocks);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!parse_xml (body, &st, error))
    {
      g_hash_table_unref (st.blocks);
      return NULL;
    }
  return st.blocks;
}

static char *
block_id (const char *sha256, guint index)
{
  g_autofree char *raw = g_strdup_printf (BLOCK_ID_FORMAT, sha256, index);

  return g_base64_encode ((const guchar *) raw, strlen (raw));
}

static char *
base64_md5 (const guint8 *data, gsize len)
{
  g_autoptr(GChecksum) md5 = g_checksum_new (G_CHECKSUM_MD5);
  guint8 digest[16];
  gsize digest_len = sizeof digest;

  g_checksum_update (md5, data, (gssize) len);
  g_checksum_get_digest (md5, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}

static char *
resume_to_json (const char *sha256, guint block_size, guint n_blocks, const gboolean *sent)
{
  g_autoptr(JsonBuilder) b = imu_sync_resume_begin ("azure", sha256);

  json_builder_set_member_name (b, "block_size");
  json_builder_add_int_value (b, block_size);
  json_builder_set_member_name (b, "blocks");
  json_builder_add_int_value (b, n_blocks);
  json_builder_set_member_name (b, "sent");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_blocks; i++)
    if (sent[i])
      json_builder_add_int_value (b, i);
  json_builder_end_array (b);
  return imu_sync_resume_end (b);
}

typedef struct {
  ImuSyncAzure   *self;
  const char     *key;
  const char     *sha256;
  const char     *local_path;
  int             fd;
  guint64         size;
  GArray         *todo;       /* block indices to send */
  gint            next;       /* atomic: the next entry of @todo to take */
  GAsyncQueue    *results;    /* BlockResult* */
  GCancellable   *stop;
  const char     *what;
} BlockUpload;

typedef struct {
  guint    index;
  gsize    len;
  GError  *error;
} BlockResult;

static void
forward_cancel_cb (GCancellable *cancellable, gpointer data)
{
  g_cancellable_cancel (G_CANCELLABLE (data));
}

/* One sender: takes block indices until none are left, or until the
 * upload stops; pushes one result per block it took. */
static gpointer
block_sender_worker (gpointer data)
{
  BlockUpload *up = data;
  g_autofree guint8 *buf = g_malloc (IMU_SYNC_AZURE_BLOCK_SIZE);
  ImuSyncHttp http;

  imu_sync_http_init (&http, IMU_SYNC_TARGET (up->self), check_response);
  for (;;)
    {
      gint k = g_atomic_int_add (&up->next, 1);
      BlockResult *r;
      guint i;
      guint64 off;
      gsize len;

      if (k >= (gint) up->todo->len)
        break;
      i = g_array_index (up->todo, guint, k);
      off = (guint64) i * IMU_SYNC_AZURE_BLOCK_SIZE;
      len = (gsize) MIN ((guint64) IMU_SYNC_AZURE_BLOCK_SIZE, up->size - off);
      r = g_new0 (BlockResult, 1);
      r->index = i;
      r->len = len;
      if (!g_cancellable_set_error_if_cancelled (up->stop, &r->error)
          && imu_sync_read_at (up->fd, buf, len, off, up->local_path, &r->error))
        {
          g_autofree char *id = block_id (up->sha256, i);
          g_autofree char *md5 = base64_md5 (buf, len);
          g_autoptr(GBytes) body = g_bytes_new_static (buf, len);
          const char *params[5] = { "comp", "block", "blockid", id, NULL };
          g_autoptr(SoupMessage) msg = build_message (up->self, "PUT", up->key, body, "application/octet-stream",
                                                      md5, NULL, params);
          g_autoptr(GBytes) answer = NULL;

          g_atomic_int_inc (&put_block_count);
          answer = imu_sync_http_send (&http, msg, up->what, up->stop, &r->error);
        }
      g_async_queue_push (up->results, r);
    }
  imu_sync_http_clear (&http);
  return NULL;
}

static gboolean
imu_sync_azure_put (ImuSyncTarget *target, const char *key, const char *local_path, const char *sha256,
                    const char *content_type, ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (target);
  g_autoptr(GHashTable) have = NULL;
  g_autoptr(GString) xml = NULL;
  g_autofree gboolean *sent = NULL;
  g_autofree char *what = g_strdup_printf (_("upload of %s"), key);
  guint n_blocks;
  guint64 size = 0, done = 0;
  int fd;
  gboolean ok = FALSE;

  g_return_val_if_fail (sha256 != NULL && strlen (sha256) == 64, FALSE);

  if ((fd = imu_sync_open_upload (local_path, transfer, &size, error)) < 0)
    return FALSE;
  n_blocks = (guint) ((size + IMU_SYNC_AZURE_BLOCK_SIZE - 1) / IMU_SYNC_AZURE_BLOCK_SIZE);
  sent = g_new0 (gboolean, MAX (n_blocks, 1));

  if (!ensure_container (self, cancellable, error))
    goto out;
  /* The service is the truth about what it holds: ask it, whatever the
   * library recorded (a crash may have come after a block was sent but
   * before that was saved, or the service may have dropped blocks). */
  if (!(have = get_uncommitted_blocks (self, key, cancellable, error)))
    goto out;
  for (guint i = 0; i < n_blocks; i++)
    {
      g_autofree char *id = block_id (sha256, i);
      guint64 len = MIN ((guint64) IMU_SYNC_AZURE_BLOCK_SIZE, size - (guint64) i * IMU_SYNC_AZURE_BLOCK_SIZE);
      gpointer found;

      if (g_hash_table_lookup_extended (have, id, NULL, &found) && GPOINTER_TO_SIZE (found) == len)
        {
          sent[i] = TRUE;
          done += len;
        }
    }
  if (done > 0)
    g_debug ("resuming %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes already there", key, done, size);
  imu_sync_transfer_progress (transfer, done);

  {
    /* The missing blocks go IMU_SYNC_AZURE_PARALLEL_BLOCKS at a time, each
     * sender thread with its own HTTP session; this thread collects what
     * they acknowledge and records it (the library connection is this
     * thread's). */
    g_autoptr(GAsyncQueue) results = g_async_queue_new ();
    g_autoptr(GCancellable) stop = g_cancellable_new ();
    g_autoptr(GPtrArray) threads = g_ptr_array_new ();
    BlockUpload up = { self, key, sha256, local_path, fd, size, NULL, 0, results, stop, NULL };
    g_autoptr(GError) first_error = NULL;
    gulong handler = cancellable != NULL ? g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb),
                                                                 stop, NULL) : 0;
    guint n_todo;

    up.todo = g_array_new (FALSE, FALSE, sizeof (guint));
    up.what = what;
    for (guint i = 0; i < n_blocks; i++)
      if (!sent[i])
        g_array_append_val (up.todo, i);
    n_todo = up.todo->len;
    for (guint t = 0; t < MIN (n_todo, (guint) IMU_SYNC_AZURE_PARALLEL_BLOCKS); t++)
      g_ptr_array_add (threads, g_thread_new ("imu-azure-put", block_sender_worker, &up));
    for (guint k = 0; k < n_todo; k++)
      {
        BlockResult *r = g_async_queue_pop (results);

        if (r->error != NULL)
          {
            /* The first failure stops the others; what they acknowledged
             * until then is still recorded below. */
            if (first_error == NULL)
              first_error = g_steal_pointer (&r->error);
            g_clear_error (&r->error);
            g_cancellable_cancel (stop);
          }
        else if (r->index < n_blocks)
          {
            sent[r->index] = TRUE;
            done += r->len;
            {
              g_autofree char *resume = resume_to_json (sha256, IMU_SYNC_AZURE_BLOCK_SIZE, n_blocks, sent);

              imu_sync_transfer_save_resume (transfer, resume);
            }
            imu_sync_transfer_progress (transfer, done);
          }
        g_free (r);
      }
    for (guint t = 0; t < threads->len; t++)
      g_thread_join (g_ptr_array_index (threads, t));
    if (handler != 0)
      g_cancellable_disconnect (cancellable, handler);
    g_array_unref (up.todo);
    if (first_error != NULL)
      {
        /* A cancellation of the whole put is reported as such. */
        if (!g_cancellable_set_error_if_cancelled (cancellable, error))
          g_propagate_error (error, g_steal_pointer (&first_error));
        goto out;
      }
  }

  /* Commit the blocks in order, with the type and the checksum. */
  xml = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>");
  for (guint i = 0; i < n_blocks; i++)
    {
      g_autofree char *id = block_id (sha256, i);

      g_string_append_printf (xml, "<Latest>%s</Latest>", id);
    }
  g_string_append (xml, "</BlockList>");
  {
    static const char * const params[] = { "comp", "blocklist", NULL };
    g_autoptr(GBytes) body = g_bytes_new (xml->str, xml->len);
    const char *headers[] = { "x-ms-blob-content-type", content_type != NULL ? content_type : "application/octet-stream",
                              "x-ms-meta-sha256", sha256, NULL };
    g_autoptr(SoupMessage) msg = build_message (self, "PUT", key, body, "application/xml", NULL, headers, params);
    g_autoptr(GBytes) answer = NULL;

    if (!(answer = imu_sync_http_send (&self->http, msg, what, cancellable, error)))
      goto out;
  }
  ok = TRUE;

out:
  close (fd);
  return ok;
}

static ImuSyncObject *
imu_sync_azure_head (ImuSyncTarget *target, const char *key, GCancellable *cancellable, GError **error)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (target);
  g_autoptr(SoupMessage) msg = build_message (self, "HEAD", key, NULL, NULL, NULL, NULL, NULL);

  return imu_sync_http_head (&self->http, msg, key, "x-ms-meta-sha256", cancellable, error);
}

static GPtrArray *
imu_sync_azure_list (ImuSyncTarget *target, const char *prefix, GCancellable *cancellable, GError **error)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (target);
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_object_free);
  g_autofree char *marker = NULL;

  do
    {
      const char *params[] = { "restype", "container", "comp", "list", "include", "metadata",
                               prefix != NULL ? "prefix" : NULL, prefix, marker != NULL ? "marker" : NULL, marker,
                               NULL };
      g_autoptr(SoupMessage) msg = NULL;
      g_autoptr(GBytes) body = NULL;
      XmlState st = { 0 };

      /* A NULL in the middle would end the list early: compact it. */
      if (prefix == NULL)
        {
          params[6] = params[8];
          params[7] = params[9];
          params[8] = NULL;
        }
      msg = build_message (self, "GET", NULL, NULL, NULL, NULL, NULL, params);
      if (!(body = imu_sync_http_send (&self->http, msg, _("listing the container"), cancellable, error)))
        return NULL;
      st.objects = objects;
      if (!parse_xml (body, &st, error))
        {
          g_free (st.next_marker);
          return NULL;
        }
      g_free (marker);
      marker = st.next_marker;
    }
  while (marker != NULL);
  return g_steal_pointer (&objects);
}

static gboolean
imu_sync_azure_get (ImuSyncTarget *target, const char *key, const char *local_path,
                    ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (target);
  g_autoptr(SoupMessage) msg = build_message (self, "GET", key, NULL, NULL, NULL, NULL, NULL);
  g_autofree char *what = g_strdup_printf (_("download of %s"), key);

  return imu_sync_http_get_file (&self->http, msg, local_path, what, transfer, cancellable, error);
}

static gboolean
imu_sync_azure_remove (ImuSyncTarget *target, const char *key, GCancellable *cancellable, GError **error)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (target);
  g_autoptr(SoupMessage) msg = build_message (self, "DELETE", key, NULL, NULL, NULL, NULL, NULL);
  g_autofree char *what = g_strdup_printf (_("deleting %s"), key);

  return imu_sync_http_delete (&self->http, msg, what, cancellable, error);
}

static gboolean
imu_sync_azure_test (ImuSyncTarget *target, ImuSyncTestReport *report, GCancellable *cancellable, GError **error)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *probe = imu_sync_target_session_key (target, ".imu-probe", uuid);

  imu_sync_test_report_add (report, _("container: %s"), config->url);
  if (self->sas != NULL)
    {
      g_autofree char *sp = NULL, *sr = NULL, *se = NULL;

      imu_sync_test_report_add (report, _("authentication: SAS token"));
      if (imu_sync_azure_parse_sas (self->sas, &sp, &sr, &se))
        {
          g_autoptr(GDateTime) expiry = se != NULL ? g_date_time_new_from_iso8601 (se, NULL) : NULL;
          g_autoptr(GDateTime) now = g_date_time_new_now_utc ();

          imu_sync_test_report_add (report, _("SAS permissions %s"), sp);
          imu_sync_test_report_add (report, _("SAS scope %s"), sr);
          if (expiry == NULL)
            imu_sync_test_report_add (report, _("SAS expiry (se=%s): unknown"), se != NULL ? se : "");
          else if (g_date_time_compare (expiry, now) <= 0)
            {
              imu_sync_test_report_add (report, _("SAS expiry (se=%s): EXPIRED — create a new SAS token"), se);
              report->ok = FALSE;
            }
          else
            imu_sync_test_report_add (report, _("SAS expiry (se=%s): in %" PRId64 " days"), se,
                                      g_date_time_difference (expiry, now) / G_TIME_SPAN_DAY);
        }
      else
        {
          imu_sync_test_report_add (report, _("SAS token: no sig= found, it is not a SAS token"));
          report->ok = FALSE;
        }
    }
  else if (self->key != NULL)
    imu_sync_test_report_add (report, _("authentication: Shared Key (account %s)"), self->account);

  imu_sync_test_report_list (report, target, NULL, cancellable);

  {
    const char *headers[] = { "x-ms-blob-type", "BlockBlob", NULL };
    g_autoptr(GBytes) body = g_bytes_new_static ("probe\n", 6);
    g_autoptr(SoupMessage) msg = build_message (self, "PUT", probe, body, "text/plain", NULL, headers, NULL);
    g_autoptr(GError) write_error = NULL;
    g_autoptr(GBytes) answer = imu_sync_http_send (&self->http, msg, _("writing a probe object"), cancellable,
                                                   &write_error);

    if (imu_sync_test_report_probe (report, target, probe, write_error, cancellable))
      imu_sync_test_report_add (report, _("write and delete a probe object: ok"));
  }
  return TRUE;
}

static void
imu_sync_azure_finalize (GObject *object)
{
  ImuSyncAzure *self = IMU_SYNC_AZURE (object);

  imu_sync_http_clear (&self->http);
  g_free (self->container_url);
  g_free (self->container_path);
  g_free (self->account);
  g_free (self->container);
  if (self->sas != NULL)
    memset (self->sas, 0, strlen (self->sas));
  g_free (self->sas);
  if (self->key != NULL)
    memset (self->key, 0, self->key_len);
  g_free (self->key);
  G_OBJECT_CLASS (imu_sync_azure_parent_class)->finalize (object);
}

static void
imu_sync_azure_class_init (ImuSyncAzureClass *klass)
{
  ImuSyncTargetClass *target_class = IMU_SYNC_TARGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = imu_sync_azure_finalize;
  /* No abort: the blocks of a put that never committed are uncommitted
   * blocks, which Azure Blob Storage discards on its own after 7 days
   * (Put Block: "uncommitted blocks are garbage collected"), and a blob
   * holds no other trace of them. */
  target_class->setup = imu_sync_azure_setup;
  target_class->put = imu_sync_azure_put;
  target_class->get = imu_sync_azure_get;
  target_class->head = imu_sync_azure_head;
  target_class->list = imu_sync_azure_list;
  target_class->remove = imu_sync_azure_remove;
  target_class->test = imu_sync_azure_test;
}

static void
imu_sync_azure_init (ImuSyncAzure *self)
{
}
