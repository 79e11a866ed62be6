/* test-sync-http.c — the one table from HTTP outcomes to sync errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /sync/http/table/… checks every row of imu_sync_error_from_http()
 * (docs/sync.md, "HTTP outcomes") against codes written out here, and
 * /sync/http/backends/… runs the Azure, S3 and WebDAV backends against a
 * small HTTP server on loopback that answers what the test asks for, so
 * that the three are seen to agree on the code and on Retry-After.
 */
#define G_LOG_DOMAIN "test-sync"

#include <string.h>

#include <libsoup/soup.h>

#include "imu-sync-http.h"
#include "imu-sync-target.h"
#include "imu-test-util.h"

/* ---- the table ---- */

typedef struct {
  guint    status;
  int      code;          /* -1: success (no error) */
  gboolean retried;       /* imu_sync_error_is_transient() and Retry-After honoured */
} Row;

/* Written out from the issue and docs/sync.md, not from the code. */
static const Row rows[] = {
  { 200, -1, FALSE }, { 201, -1, FALSE }, { 204, -1, FALSE }, { 206, -1, FALSE },
  { 401, IMU_SYNC_ERROR_AUTH, FALSE }, { 403, IMU_SYNC_ERROR_AUTH, FALSE },
  { 404, IMU_SYNC_ERROR_NOT_FOUND, FALSE }, { 410, IMU_SYNC_ERROR_NOT_FOUND, FALSE },
  { 409, IMU_SYNC_ERROR_CONFLICT, FALSE }, { 412, IMU_SYNC_ERROR_CONFLICT, FALSE },
  { 408, IMU_SYNC_ERROR_THROTTLED, TRUE }, { 429, IMU_SYNC_ERROR_THROTTLED, TRUE },
  { 503, IMU_SYNC_ERROR_THROTTLED, TRUE },
  { 500, IMU_SYNC_ERROR_SERVER, TRUE }, { 502, IMU_SYNC_ERROR_SERVER, TRUE },
  { 504, IMU_SYNC_ERROR_SERVER, TRUE }, { 501, IMU_SYNC_ERROR_SERVER, TRUE },
  { 507, IMU_SYNC_ERROR_SERVER, TRUE }, { 599, IMU_SYNC_ERROR_SERVER, TRUE },
  { 100, IMU_SYNC_ERROR_PROTOCOL, FALSE }, { 301, IMU_SYNC_ERROR_PROTOCOL, FALSE },
  { 304, IMU_SYNC_ERROR_PROTOCOL, FALSE }, { 400, IMU_SYNC_ERROR_PROTOCOL, FALSE },
  { 405, IMU_SYNC_ERROR_PROTOCOL, FALSE }, { 411, IMU_SYNC_ERROR_PROTOCOL, FALSE },
  { 413, IMU_SYNC_ERROR_PROTOCOL, FALSE }, { 416, IMU_SYNC_ERROR_PROTOCOL, FALSE },
};

static void
test_table_statuses (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr(GError) with_header = NULL;
      g_autoptr(GError) without = NULL;
      guint wait = 99, wait_none = 99;

      g_test_message ("HTTP %u", rows[i].status);
      with_header = imu_sync_error_from_http (rows[i].status, NULL, "7", "upload of k", "https://h/c", NULL, &wait);
      without = imu_sync_error_from_http (rows[i].status, NULL, NULL, "upload of k", "https://h/c", NULL, &wait_none);
      if (rows[i].code < 0)
        {
          g_assert_null (with_header);
          g_assert_null (without);
          g_assert_cmpuint (wait, ==, 0);
          continue;
        }
      g_assert_error (with_header, IMU_SYNC_ERROR, rows[i].code);
      g_assert_error (without, IMU_SYNC_ERROR, rows[i].code);
      g_assert_cmpint (imu_sync_error_is_transient (with_header), ==, rows[i].retried);
      /* Retry-After counts only where the outcome is retried. */
      g_assert_cmpuint (wait, ==, rows[i].retried ? 7 : 0);
      g_assert_cmpuint (wait_none, ==, 0);
    }
}

/* The message of each row, word for word, with and without detail. */
static void
test_table_messages (void)
{
  static const struct { guint status; const char *detail; const char *message; } m[] = {
    { 401, "AuthenticationFailed",
      "upload of k: the storage refused the credentials (HTTP 401 AuthenticationFailed). Replace the target’s "
      "secret, then retry. Nothing was lost." },
    { 404, NULL, "upload of k: not found (HTTP 404)" },
    { 410, "Gone", "upload of k: not found (HTTP 410 Gone)" },
    { 412, "Precondition Failed",
      "upload of k: the storage refused it because the object changed or is in use (HTTP 412 Precondition "
      "Failed). Retry when nothing else writes to it. Nothing was lost." },
    { 503, "ServerBusy", "upload of k: the storage is busy (HTTP 503 ServerBusy); will try again" },
    { 429, "", "upload of k: the storage is busy (HTTP 429); will try again" },
    { 502, "Bad Gateway", "upload of k: the storage is failing (HTTP 502 Bad Gateway); will try again" },
    { 507, "Insufficient Storage",
      "upload of k: the storage has no room left (HTTP 507 Insufficient Storage); will try again" },
    { 400, "BadRequest", "upload of k: unexpected answer HTTP 400 BadRequest" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (m); i++)
    {
      g_autoptr(GError) error = imu_sync_error_from_http (m[i].status, NULL, NULL, "upload of k", "https://h/c",
                                                          m[i].detail, NULL);

      g_assert_nonnull (error);
      g_assert_cmpstr (error->message, ==, m[i].message);
    }
}

/* Retry-After in both of its forms (RFC 9110 §10.2.3), on a retried row. */
static void
test_table_retry_after (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 120);
  g_autofree char *date = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  guint wait = 0;

  e1 = imu_sync_error_from_http (503, NULL, date, "x", "u", NULL, &wait);
  g_assert_error (e1, IMU_SYNC_ERROR, IMU_SYNC_ERROR_THROTTLED);
  /* A date two minutes ahead: 120 s, give or take the second it took. */
  g_assert_cmpuint (wait, >=, 119);
  g_assert_cmpuint (wait, <=, 121);
  e2 = imu_sync_error_from_http (500, NULL, "soon", "x", "u", NULL, &wait);
  g_assert_error (e2, IMU_SYNC_ERROR, IMU_SYNC_ERROR_SERVER);
  g_assert_cmpuint (wait, ==, 0);
  e3 = imu_sync_error_from_http (429, NULL, "86400", "x", "u", NULL, &wait);
  g_assert_cmpuint (wait, ==, 86400);
}

/* Outcomes without an answer: TLS, DNS, the connection, a cancel. */
static void
test_table_transport (void)
{
  static const struct { GQuark (*domain) (void); int code; int expected; } t[] = {
    { g_tls_error_quark, G_TLS_ERROR_BAD_CERTIFICATE, IMU_SYNC_ERROR_TLS },
    { g_tls_error_quark, G_TLS_ERROR_HANDSHAKE, IMU_SYNC_ERROR_TLS },
    { g_tls_error_quark, G_TLS_ERROR_NOT_TLS, IMU_SYNC_ERROR_TLS },
    { g_resolver_error_quark, G_RESOLVER_ERROR_NOT_FOUND, IMU_SYNC_ERROR_NETWORK },
    { g_resolver_error_quark, G_RESOLVER_ERROR_TEMPORARY_FAILURE, IMU_SYNC_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, IMU_SYNC_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_HOST_UNREACHABLE, IMU_SYNC_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_NETWORK_UNREACHABLE, IMU_SYNC_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_TIMED_OUT, IMU_SYNC_ERROR_NETWORK },
    { g_io_error_quark, G_IO_ERROR_CONNECTION_CLOSED, IMU_SYNC_ERROR_NETWORK },
  };

  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    {
      g_autoptr(GError) transport = g_error_new_literal (t[i].domain (), t[i].code, "it went wrong");
      g_autoptr(GError) error = NULL;
      guint wait = 99;

      /* The status of a request that got no answer means nothing. */
      error = imu_sync_error_from_http (200, transport, "5", "download of k", "https://store.example/c", NULL, &wait);
      g_assert_error (error, IMU_SYNC_ERROR, t[i].expected);
      g_assert_cmpuint (wait, ==, 0);
      if (t[i].expected == IMU_SYNC_ERROR_TLS)
        {
          g_assert_cmpstr (error->message, ==,
                           "download of k: no secure connection to https://store.example/c (it went wrong). Check the "
                           "address, and that the server’s certificate is valid and trusted by this computer.");
          g_assert_false (imu_sync_error_is_transient (error));
        }
      else
        {
          g_assert_cmpstr (error->message, ==,
                           "download of k: cannot reach https://store.example/c: it went wrong; will try again");
          g_assert_true (imu_sync_error_is_transient (error));
        }
    }

  {
    g_autoptr(GError) cancel = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
    g_autoptr(GError) error = imu_sync_error_from_http (0, cancel, NULL, "x", "u", NULL, NULL);

    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
  /* libsoup may quote the URL it failed on, signature and all. */
  {
    g_autoptr(GError) transport = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                       "https://a/c/k?sv=1&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D refused");
    g_autoptr(GError) error = imu_sync_error_from_http (0, transport, NULL, "x", "u", NULL, NULL);

    g_assert_null (strstr (error->message, "c2VjcmV0LXNpZ25hdHVyZQ"));
    g_assert_nonnull (strstr (error->message, "sig=[REDACTED]"));
  }
}

/* ---- the three backends against one server ---- */

typedef struct {
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  guint         port;
  guint         status;       /* what every request gets */
  char         *retry_after;  /* nullable */
  GMutex        lock;
} Server;

static void
handler_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  Server *s = data;

  g_mutex_lock (&s->lock);
  soup_server_message_set_status (msg, s->status, NULL);
  if (s->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", s->retry_after);
  g_mutex_unlock (&s->lock);
}

static gpointer
server_thread (gpointer data)
{
  Server *s = data;

  g_main_context_push_thread_default (s->context);
  g_main_loop_run (s->loop);
  g_main_context_pop_thread_default (s->context);
  return NULL;
}

static Server *
server_start (void)
{
  Server *s = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_mutex_init (&s->lock);
  s->context = g_main_context_new ();
  s->loop = g_main_loop_new (s->context, FALSE);
  /* The server's sources belong to its own context, which its thread runs
   * while the backend under test blocks this one. */
  g_main_context_push_thread_default (s->context);
  s->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (s->server, NULL, handler_cb, s, NULL);
  g_assert_true (soup_server_listen_local (s->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  g_main_context_pop_thread_default (s->context);
  uris = soup_server_get_uris (s->server);
  s->port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  s->thread = g_thread_new ("test-http-server", server_thread, s);
  return s;
}

static void
server_answer (Server *s, guint status, const char *retry_after)
{
  g_mutex_lock (&s->lock);
  s->status = status;
  g_free (s->retry_after);
  s->retry_after = g_strdup (retry_after);
  g_mutex_unlock (&s->lock);
}

static void
server_stop (Server *s)
{
  g_main_loop_quit (s->loop);
  g_thread_join (s->thread);
  g_main_context_push_thread_default (s->context);
  soup_server_disconnect (s->server);
  g_object_unref (s->server);
  g_main_context_pop_thread_default (s->context);
  g_main_loop_unref (s->loop);
  g_main_context_unref (s->context);
  g_mutex_clear (&s->lock);
  g_free (s->retry_after);
  g_free (s);
}

/* An Azure, an S3 and a WebDAV target, all at @scheme://127.0.0.1:@port. */
static GPtrArray *
three_targets (const char *scheme, guint port)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *azure_url = g_strdup_printf ("%s://127.0.0.1:%u/devstoreaccount1/c", scheme, port);
  g_autofree char *s3_url = g_strdup_printf ("%s://127.0.0.1:%u", scheme, port);
  g_autofree char *dav_url = g_strdup_printf ("%s://127.0.0.1:%u/dav/", scheme, port);
  g_autoptr(ImuSyncTargetConfig) azure = imu_sync_target_config_new ("az", "azure", azure_url);
  g_autoptr(ImuSyncTargetConfig) s3 = imu_sync_target_config_new ("s3", "s3", s3_url);
  g_autoptr(ImuSyncTargetConfig) dav = imu_sync_target_config_new ("dav", "webdav", dav_url);
  g_autoptr(GError) error = NULL;
  ImuSyncTarget *t;

  g_free (azure->config_json);
  azure->config_json = g_strdup ("{\"auth\":\"sas\"}");
  g_free (s3->config_json);
  s3->config_json = g_strdup ("{\"bucket\":\"b\",\"region\":\"us-east-1\",\"access_key\":\"AKTEST\"}");
  g_free (dav->config_json);
  dav->config_json = g_strdup ("{\"user\":\"coach\"}");

  t = imu_sync_target_new (azure, "{\"sas\":\"sv=2021-08-06&sp=rl&sig=dGVzdC1zaWduYXR1cmU%3D\"}", &error);
  g_assert_no_error (error);
  g_ptr_array_add (targets, t);
  t = imu_sync_target_new (s3, "{\"secret_key\":\"s3-secret-key-for-the-table-test\"}", &error);
  g_assert_no_error (error);
  g_ptr_array_add (targets, t);
  t = imu_sync_target_new (dav, "{\"password\":\"dav-password-for-the-table-test\"}", &error);
  g_assert_no_error (error);
  g_ptr_array_add (targets, t);
  return targets;
}

/* Every backend maps the same answer to the same code and wait. */
static void
test_backends_agree (void)
{
  static const struct { guint status; int code; guint wait; } answers[] = {
    { 503, IMU_SYNC_ERROR_THROTTLED, 3 }, { 429, IMU_SYNC_ERROR_THROTTLED, 3 },
    { 500, IMU_SYNC_ERROR_SERVER, 3 }, { 502, IMU_SYNC_ERROR_SERVER, 3 }, { 504, IMU_SYNC_ERROR_SERVER, 3 },
    { 401, IMU_SYNC_ERROR_AUTH, 0 }, { 403, IMU_SYNC_ERROR_AUTH, 0 },
    { 404, IMU_SYNC_ERROR_NOT_FOUND, 0 }, { 409, IMU_SYNC_ERROR_CONFLICT, 0 },
    { 412, IMU_SYNC_ERROR_CONFLICT, 0 }, { 400, IMU_SYNC_ERROR_PROTOCOL, 0 },
  };
  Server *s = server_start ();
  g_autoptr(GPtrArray) targets = three_targets ("http", s->port);

  for (guint a = 0; a < G_N_ELEMENTS (answers); a++)
    {
      server_answer (s, answers[a].status, "3");
      for (guint i = 0; i < targets->len; i++)
        {
          ImuSyncTarget *t = g_ptr_array_index (targets, i);
          g_autoptr(GError) error = NULL;
          g_autoptr(ImuSyncObject) o = NULL;

          g_test_message ("HTTP %u, %s", answers[a].status, imu_sync_target_get_config (t)->kind);
          /* A stale value from an earlier answer must not survive. */
          imu_sync_target_set_retry_after (t, 1000);
          o = imu_sync_target_head (t, "sessions/x/bundle.imub", NULL, &error);
          g_assert_null (o);
          g_assert_error (error, IMU_SYNC_ERROR, answers[a].code);
          if (answers[a].wait > 0)
            g_assert_cmpuint (imu_sync_target_take_retry_after (t), ==, answers[a].wait);
          else
            g_assert_cmpuint (imu_sync_target_take_retry_after (t), ==, 1000);
        }
    }
  server_stop (s);
}

/* A server that answers every connection at once with plain text and
 * closes it: what a TLS client meets when it dials an http port. (A
 * SoupServer would wait for the end of a request line that a TLS
 * ClientHello never sends, and both sides would wait for each other.) */
typedef struct {
  GSocketListener *listener;
  GCancellable    *cancellable;
  GThread         *thread;
  guint            port;
} PlainServer;

static gpointer
plain_thread (gpointer data)
{
  PlainServer *p = data;

  for (;;)
    {
      g_autoptr(GSocketConnection) c = g_socket_listener_accept (p->listener, NULL, p->cancellable, NULL);
      static const char answer[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

      if (c == NULL)
        return NULL;
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (c)), answer, sizeof answer - 1, NULL,
                                 NULL, NULL);
      g_io_stream_close (G_IO_STREAM (c), NULL, NULL);
    }
}

static PlainServer *
plain_start (void)
{
  PlainServer *p = g_new0 (PlainServer, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  p->listener = g_socket_listener_new ();
  p->cancellable = g_cancellable_new ();
  g_assert_true (g_socket_listener_add_address (p->listener, addr, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                                &bound, &error));
  g_assert_no_error (error);
  p->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  p->thread = g_thread_new ("test-plain-server", plain_thread, p);
  return p;
}

static void
plain_stop (PlainServer *p)
{
  g_cancellable_cancel (p->cancellable);
  g_thread_join (p->thread);
  g_socket_listener_close (p->listener);
  g_object_unref (p->listener);
  g_object_unref (p->cancellable);
  g_free (p);
}

/* https to a server that speaks plain http: one TLS message for all; a
 * port nobody listens on: unreachable, retried, for all. */
static void
test_backends_tls_and_refused (void)
{
  PlainServer *s = plain_start ();
  g_autoptr(GPtrArray) tls = three_targets ("https", s->port);
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) closed = NULL;
  guint closed_port;

  for (guint i = 0; i < tls->len; i++)
    {
      ImuSyncTarget *t = g_ptr_array_index (tls, i);
      g_autoptr(GError) e = NULL;
      g_autoptr(ImuSyncObject) o = imu_sync_target_head (t, "k", NULL, &e);
      g_autofree char *prefix = g_strdup_printf ("looking up k: no secure connection to %s (",
                                                 imu_sync_target_get_config (t)->url);

      g_test_message ("%s: %s", imu_sync_target_get_config (t)->kind, e != NULL ? e->message : "(none)");
      g_assert_null (o);
      g_assert_error (e, IMU_SYNC_ERROR, IMU_SYNC_ERROR_TLS);
      g_assert_true (g_str_has_prefix (e->message, prefix));
      g_assert_true (g_str_has_suffix (e->message, ". Check the address, and that the server’s certificate is "
                                                   "valid and trusted by this computer."));
    }
  plain_stop (s);

  /* A port that was free a moment ago, bound and closed again. */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_assert_true (g_socket_bind (sock, any, FALSE, &error));
  bound = g_socket_get_local_address (sock, &error);
  closed_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);
  closed = three_targets ("http", closed_port);
  for (guint i = 0; i < closed->len; i++)
    {
      ImuSyncTarget *t = g_ptr_array_index (closed, i);
      g_autoptr(GError) e = NULL;
      g_autoptr(ImuSyncObject) o = imu_sync_target_head (t, "k", NULL, &e);
      g_autofree char *prefix = g_strdup_printf ("looking up k: cannot reach %s: ", imu_sync_target_get_config (t)->url);

      g_assert_null (o);
      g_assert_error (e, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NETWORK);
      g_assert_true (g_str_has_prefix (e->message, prefix));
      g_assert_true (g_str_has_suffix (e->message, "; will try again"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/http/table/statuses", test_table_statuses);
  g_test_add_func ("/sync/http/table/messages", test_table_messages);
  g_test_add_func ("/sync/http/table/retry-after", test_table_retry_after);
  g_test_add_func ("/sync/http/table/transport", test_table_transport);
  g_test_add_func ("/sync/http/backends/agree", test_backends_agree);
  g_test_add_func ("/sync/http/backends/tls-and-refused", test_backends_tls_and_refused);
  return g_test_run ();
}
