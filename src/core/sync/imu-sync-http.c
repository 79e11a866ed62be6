/* imu-sync-http.c — what the HTTP backends share: the outcome table, requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Before this table each backend had its own chain of ifs, and they
 * disagreed: Azure called a 503 a server failure and S3 and WebDAV a
 * request to slow down, only Azure honoured Retry-After on a 500, and the
 * three worded a TLS failure differently. The codes decide what the
 * scheduler does (imu_sync_error_is_transient()), so they are chosen here
 * and nowhere else.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "imu-redact.h"
#include "imu-sync-http.h"

/* What a status means, before any message is written. */
static ImuSyncError
code_of_status (guint status)
{
  switch (status)
    {
    case 401:
    case 403:
      return IMU_SYNC_ERROR_AUTH;
    case 404:
    case 410:
      return IMU_SYNC_ERROR_NOT_FOUND;
    case 409:
    case 412:
      return IMU_SYNC_ERROR_CONFLICT;
    /* 503 is "Service Unavailable": S3 sends it as SlowDown, Azure as
     * ServerBusy, both asking the client to come back later, so it sits
     * with 408 and 429 rather than with the failures. */
    case 408:
    case 429:
    case 503:
      return IMU_SYNC_ERROR_THROTTLED;
    default:
      break;
    }
  if (status >= 500 && status < 600)
    return IMU_SYNC_ERROR_SERVER;
  return IMU_SYNC_ERROR_PROTOCOL;
}

GError *
imu_sync_error_from_http (guint         status,
                          const GError *transport,
                          const char   *retry_after,
                          const char   *what,
                          const char   *where,
                          const char   *detail,
                          guint        *wait_seconds)
{
  g_autofree char *more = NULL;
  GError *error = NULL;
  ImuSyncError code;

  g_return_val_if_fail (what != NULL, NULL);

  if (wait_seconds != NULL)
    *wait_seconds = 0;
  if (where == NULL)
    where = "";

  if (transport != NULL)
    {
      /* A cancel is what the caller asked for: it goes back as it is, so
       * that no face shows it as a failure. */
      if (g_error_matches (transport, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_error_copy (transport);
      /* Any TLS failure (an untrusted certificate, a failed handshake, a
       * server that does not speak TLS) gets one message. The library's
       * words go in brackets: they end with a full stop of their own. */
      if (transport->domain == G_TLS_ERROR)
        error = g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_TLS,
                             _("%s: no secure connection to %s (%s). Check the address, and that the server’s "
                               "certificate is valid and trusted by this computer."),
                             what, where, transport->message);
      else
        /* DNS (G_RESOLVER_ERROR), a refused, reset or timed-out
         * connection, a proxy that does not answer: the storage cannot be
         * reached now, which is worth another try later. */
        error = g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_NETWORK,
                             _("%s: cannot reach %s: %s; will try again"), what, where, transport->message);
      imu_redact_error (error);
      return error;
    }

  if (status >= 200 && status < 300)
    return NULL;

  more = detail != NULL && *detail != '\0' ? g_strconcat (" ", detail, NULL) : g_strdup ("");
  code = code_of_status (status);
  switch (code)
    {
    case IMU_SYNC_ERROR_AUTH:
      error = g_error_new (IMU_SYNC_ERROR, code,
                           _("%s: the storage refused the credentials (HTTP %u%s). Replace the target’s secret, "
                             "then retry. Nothing was lost."), what, status, more);
      break;
    case IMU_SYNC_ERROR_NOT_FOUND:
      error = g_error_new (IMU_SYNC_ERROR, code, _("%s: not found (HTTP %u%s)"), what, status, more);
      break;
    case IMU_SYNC_ERROR_CONFLICT:
      error = g_error_new (IMU_SYNC_ERROR, code,
                           _("%s: the storage refused it because the object changed or is in use (HTTP %u%s). "
                             "Retry when nothing else writes to it. Nothing was lost."), what, status, more);
      break;
    case IMU_SYNC_ERROR_THROTTLED:
      error = g_error_new (IMU_SYNC_ERROR, code, _("%s: the storage is busy (HTTP %u%s); will try again"),
                           what, status, more);
      break;
    case IMU_SYNC_ERROR_SERVER:
      if (status == 507)
        error = g_error_new (IMU_SYNC_ERROR, code, _("%s: the storage has no room left (HTTP 507%s); will try again"),
                             what, more);
      else
        error = g_error_new (IMU_SYNC_ERROR, code, _("%s: the storage is failing (HTTP %u%s); will try again"),
                             what, status, more);
      break;
    case IMU_SYNC_ERROR_PROTOCOL:
    default:
      error = g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL, _("%s: unexpected answer HTTP %u%s"),
                           what, status, more);
      break;
    }
  /* Only an outcome that is retried can be told when to come back. */
  if (wait_seconds != NULL && imu_sync_error_is_transient (error))
    *wait_seconds = imu_sync_parse_retry_after (retry_after);
  imu_redact_error (error);
  return error;
}

GError *
imu_sync_http_error (ImuSyncTarget *target,
                     SoupMessage   *msg,
                     guint          status,
                     const GError  *transport,
                     const char    *what,
                     const char    *detail)
{
  const char *retry_after = NULL;
  GError *error;
  guint wait = 0;

  if (transport == NULL)
    retry_after = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  error = imu_sync_error_from_http (status, transport, retry_after, what,
                                    imu_sync_target_get_config (target)->url, detail, &wait);
  if (imu_sync_error_is_transient (error))
    imu_sync_target_set_retry_after (target, wait);
  return error;
}

GUri *
imu_sync_http_parse_url (const ImuSyncTargetConfig *config, GError **error)
{
  if (!imu_sync_check_url_security (config->url, config->insecure, error))
    return NULL;
  return g_uri_parse (config->url, G_URI_FLAGS_ENCODED, error);
}

/* ---- requests ---- */

#define TIMEOUT_S 120
/* Of an answer that is not a success, what is read for the backend's
 * words (an error document is a few hundred bytes). */
#define ERROR_BODY_MAX (64 * 1024)

void
imu_sync_http_init (ImuSyncHttp *http, ImuSyncTarget *target, ImuSyncHttpCheck check)
{
  http->target = target;
  http->check = check;
  /* TLS is verified with the system's trust store (libsoup's default);
   * nothing here turns that off. */
  http->session = soup_session_new_with_options ("timeout", TIMEOUT_S, "idle-timeout", 60,
                                                 "user-agent", "IMU-Studio/" IMU_VERSION, NULL);
}

void
imu_sync_http_clear (ImuSyncHttp *http)
{
  g_clear_object (&http->session);
}

GBytes *
imu_sync_http_send (const ImuSyncHttp *http, SoupMessage *msg, const char *what,
                    GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) transport = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (http->session, msg, cancellable, &transport);

  if (!http->check (http->target, msg, body, transport, what, error))
    return NULL;
  return body != NULL ? g_steal_pointer (&body) : g_bytes_new (NULL, 0);
}

guint
imu_sync_http_send_status (const ImuSyncHttp *http, SoupMessage *msg, guint ok_status,
                           const char *what, GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) transport = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read (http->session, msg, cancellable, &transport);

  if (transport == NULL && ok_status != 0 && soup_message_get_status (msg) == ok_status)
    return ok_status;
  if (!http->check (http->target, msg, body, transport, what, error))
    return 0;
  return soup_message_get_status (msg);
}

gboolean
imu_sync_http_delete (const ImuSyncHttp *http, SoupMessage *msg, const char *what,
                      GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) body = imu_sync_http_send (http, msg, what, cancellable, &local_error);

  if (body == NULL && !g_error_matches (local_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  return TRUE;
}

ImuSyncObject *
imu_sync_http_head (const ImuSyncHttp *http, SoupMessage *msg, const char *key,
                    const char *sha256_header, GCancellable *cancellable, GError **error)
{
  g_autofree char *what = g_strdup_printf (_("looking up %s"), key);
  g_autoptr(GBytes) body = imu_sync_http_send (http, msg, what, cancellable, error);
  SoupMessageHeaders *h;
  ImuSyncObject *object;
  const char *last_modified;

  if (body == NULL)
    return NULL;
  h = soup_message_get_response_headers (msg);
  object = g_new0 (ImuSyncObject, 1);
  object->key = g_strdup (key);
  object->size = soup_message_headers_get_content_length (h);
  if (sha256_header != NULL)
    object->sha256 = g_strdup (soup_message_headers_get_one (h, sha256_header));
  object->etag = g_strdup (soup_message_headers_get_one (h, "ETag"));
  last_modified = soup_message_headers_get_one (h, "Last-Modified");
  if (last_modified != NULL)
    {
      g_autoptr(GDateTime) dt = soup_date_time_new_from_http_string (last_modified);

      if (dt != NULL)
        object->modified_us = g_date_time_to_unix (dt) * G_USEC_PER_SEC;
    }
  return object;
}

gboolean
imu_sync_http_get_file (const ImuSyncHttp *http, SoupMessage *msg, const char *local_path,
                        const char *what, ImuSyncTransfer *transfer,
                        GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) transport = NULL;
  g_autoptr(GError) read_error = NULL;
  g_autoptr(GInputStream) in = soup_session_send (http->session, msg, cancellable, &transport);
  SoupMessageHeaders *h = soup_message_get_response_headers (msg);
  gint64 expected = -1;
  gboolean ok;

  if (in == NULL || !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    {
      g_autoptr(GBytes) body = NULL;

      if (in != NULL)
        body = g_input_stream_read_bytes (in, ERROR_BODY_MAX, NULL, NULL);
      http->check (http->target, msg, body, transport, what, error);
      if (in != NULL)
        g_input_stream_close (in, NULL, NULL);
      return FALSE;
    }
  /* A chunked answer has no length to hold the body to. */
  if (soup_message_headers_get_encoding (h) == SOUP_ENCODING_CONTENT_LENGTH)
    expected = soup_message_headers_get_content_length (h);
  if (transfer != NULL && expected > 0)
    transfer->bytes_total = (guint64) expected;
  ok = imu_sync_receive_file (in, expected, local_path, what, transfer, cancellable, &read_error, error);
  if (read_error != NULL)
    http->check (http->target, msg, NULL, read_error, what, error);
  g_input_stream_close (in, NULL, NULL);
  return ok;
}

void
imu_sync_http_wrote_body_data_cb (SoupMessage *msg, guint chunk_size, gpointer data)
{
  ImuSyncHttpProgress *progress = data;

  progress->sent += chunk_size;
  imu_sync_transfer_progress (progress->transfer, progress->base + progress->sent);
}

/* ---- XML answers ---- */

typedef struct {
  GPtrArray       *stack;   /* local names */
  GString         *text;
  ImuSyncXmlStart  start;
  ImuSyncXmlEnd    end;
  gpointer         data;
  char            *root;
} Xml;

/* The name without a namespace prefix ("s3:Key" → "Key"). */
static const char *
local_name (const char *element)
{
  const char *colon = strrchr (element, ':');

  return colon != NULL ? colon + 1 : element;
}

static void
xml_start (GMarkupParseContext *ctx, const char *element, const char **names, const char **values,
           gpointer data, GError **error)
{
  Xml *x = data;
  const char *name = local_name (element);

  if (x->root == NULL)
    x->root = g_strdup (name);
  g_ptr_array_add (x->stack, g_strdup (name));
  g_string_truncate (x->text, 0);
  if (x->start != NULL)
    x->start (x->data, name);
}

static void
xml_text (GMarkupParseContext *ctx, const char *text, gsize len, gpointer data, GError **error)
{
  Xml *x = data;

  g_string_append_len (x->text, text, (gssize) len);
}

static void
xml_end (GMarkupParseContext *ctx, const char *element, gpointer data, GError **error)
{
  Xml *x = data;
  const char *parent = x->stack->len >= 2 ? g_ptr_array_index (x->stack, x->stack->len - 2) : "";

  if (x->end != NULL)
    x->end (x->data, local_name (element), parent, x->text->str);
  g_string_truncate (x->text, 0);
  g_ptr_array_remove_index (x->stack, x->stack->len - 1);
}

char *
imu_sync_xml_parse (GBytes          *body,
                    ImuSyncXmlStart  start,
                    ImuSyncXmlEnd    end,
                    gpointer         data,
                    GError         **error)
{
  static const GMarkupParser parser = { xml_start, xml_end, xml_text, NULL, NULL };
  g_autoptr(GMarkupParseContext) ctx = NULL;
  gsize len = 0;
  const char *text = body != NULL ? g_bytes_get_data (body, &len) : NULL;
  Xml x = { g_ptr_array_new_with_free_func (g_free), g_string_new (NULL), start, end, data, NULL };
  gboolean ok;

  if (text == NULL)
    text = "";
  /* GMarkup refuses a byte order mark; some gateways send one. */
  if (len >= 3 && (guchar) text[0] == 0xef && (guchar) text[1] == 0xbb && (guchar) text[2] == 0xbf)
    {
      text += 3;
      len -= 3;
    }
  ctx = g_markup_parse_context_new (&parser, 0, &x, NULL);
  ok = g_markup_parse_context_parse (ctx, text, (gssize) len, NULL) && g_markup_parse_context_end_parse (ctx, NULL);
  g_ptr_array_unref (x.stack);
  g_string_free (x.text, TRUE);
  if (!ok || x.root == NULL)
    {
      g_free (x.root);
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL, _("the storage answered XML that cannot be read"));
      return NULL;
    }
  return x.root;
}

/* ---- resume state ---- */

JsonBuilder *
imu_sync_resume_begin (const char *backend, const char *sha256)
{
  JsonBuilder *b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "backend");
  json_builder_add_string_value (b, backend);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, sha256);
  return b;
}

char *
imu_sync_resume_end (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* ---- secrets ---- */

char *
imu_sync_secret_dup_string (const char *secret, const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (secret == NULL || !json_parser_load_from_data (parser, secret, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root), member, NULL));
}
