/* imu-record-source-sensorlogger.c — Sensor Logger's HTTP push
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sensor Logger (tszheichoi/awesome-sensor-logger, PUSHING.md) posts JSON
 * batches to a URL the user types into the phone:
 *
 *   {"messageId": 12, "sessionId": "…", "deviceId": "…",
 *    "payload": [{"name": "accelerometer", "time": 1698…000 (epoch ns),
 *                 "values": {"x": …, "y": …, "z": …}, "accuracy": 3}, …]}
 *
 * Each device is a session of its own; each sensor name a stream, with the
 * stream names and units the CSV importer gives Sensor Logger's files
 * (imu_csv_sensorlogger_sensor() and _unit()). On a shared network the
 * endpoint is only found by whoever was shown its URL: the path carries a
 * random 128-bit token made for each recording, and any other path gets
 * 404 and is counted. Bodies are capped. The port is opened by start()
 * and closed by stop().
 */
#define G_LOG_DOMAIN "imu-record"

#include <ifaddrs.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "imu-csv-layout.h"
#include "imu-record-source.h"
#include "imu-stream-writer.h"

#define DEFAULT_PORT 8000
/* A second of 20 sensors at 500 Hz is under 2 MiB of JSON. */
#define BODY_MAX (8 * 1024 * 1024)
/* Message ids remembered per device, to drop a batch the phone resent. */
#define SEEN_WINDOW 4096

#define IMU_TYPE_RECORD_SOURCE_SENSORLOGGER (imu_record_source_sensorlogger_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecordSourceSensorlogger, imu_record_source_sensorlogger, IMU,
                      RECORD_SOURCE_SENSORLOGGER, GObject)

typedef struct {
  guint   handle;
  guint   n_channels;
  char  **channels;
} PushStream;

typedef struct {
  GHashTable *seen;     /* messageId → itself */
  gint64      max_seen;
} PushDevice;

struct _ImuRecordSourceSensorlogger
{
  GObject       parent_instance;

  char         *address;   /* NULL: every address */
  guint16       port;
  char         *token;     /* 32 hex digits */
  char         *path;      /* "/push/TOKEN" */
  ImuRecorder  *recorder;

  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  GMutex        mutex;
  GCond         cond;
  gboolean      started;
  GError       *start_error;

  GHashTable   *streams;   /* "device\x1fname\x1fchannels" → PushStream* (server thread) */
  GHashTable   *devices;   /* deviceId → PushDevice* (server thread) */
};

static void source_iface_init (ImuRecordSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ImuRecordSourceSensorlogger, imu_record_source_sensorlogger, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IMU_TYPE_RECORD_SOURCE, source_iface_init))

static void
push_stream_free (PushStream *s)
{
  g_strfreev (s->channels);
  g_free (s);
}

static void
push_device_free (PushDevice *d)
{
  g_hash_table_unref (d->seen);
  g_free (d);
}

/* Whether @id was seen from @device already (a batch the phone resent). */
static gboolean
seen_before (ImuRecordSourceSensorlogger *self, const char *device, gint64 id)
{
  PushDevice *d = g_hash_table_lookup (self->devices, device);

  if (d == NULL)
    {
      d = g_new0 (PushDevice, 1);
      d->seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
      d->max_seen = G_MININT64;
      g_hash_table_insert (self->devices, g_strdup (device), d);
    }
  if (g_hash_table_contains (d->seen, &id))
    return TRUE;
  g_hash_table_add (d->seen, g_memdup2 (&id, sizeof id));
  if (id > d->max_seen)
    d->max_seen = id;
  if (g_hash_table_size (d->seen) > 2 * SEEN_WINDOW)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, d->seen);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        if (*(gint64 *) key < d->max_seen - SEEN_WINDOW)
          g_hash_table_iter_remove (&iter);
    }
  return FALSE;
}

static PushStream *
get_stream (ImuRecordSourceSensorlogger *self, const char *device, const char *name,
            GPtrArray *channels)
{
  g_autoptr(GString) key = g_string_new (device);
  PushStream *s;

  g_string_append_printf (key, "\x1f%s", name);
  for (guint c = 0; c < channels->len; c++)
    g_string_append_printf (key, "\x1f%s", (const char *) g_ptr_array_index (channels, c));
  if ((s = g_hash_table_lookup (self->streams, key->str)) == NULL)
    {
      g_autoptr(ImuStreamInfo) info = imu_stream_info_new (name, channels->len);
      const char *stream_name = NULL, *kind = NULL;

      if (imu_csv_sensorlogger_sensor (name, &stream_name, &kind))
        {
          g_free (info->name);
          info->name = g_strdup (stream_name);
        }
      for (guint c = 0; c < channels->len; c++)
        {
          const char *channel = g_ptr_array_index (channels, c);
          g_autofree char *prefix = NULL;
          char axis = 0;
          gboolean is_axis = imu_csv_axis_split (channel, &prefix, &axis);

          imu_stream_info_set_channel (info, c, channel, imu_csv_sensorlogger_unit (kind, is_axis, NULL), kind);
        }
      g_free (info->kind);
      info->kind = g_strdup (kind != NULL ? kind : "other");
      info->time_format.kind = IMU_TIME_EPOCH_NS;
      info->time_format.decimals = 0;
      info->time_format.column = g_strdup ("time");

      s = g_new0 (PushStream, 1);
      s->n_channels = channels->len;
      s->channels = g_new0 (char *, channels->len + 1);
      for (guint c = 0; c < channels->len; c++)
        s->channels[c] = g_strdup (g_ptr_array_index (channels, c));
      s->handle = imu_recorder_add_stream (self->recorder, device, info);
      g_hash_table_insert (self->streams, g_string_free (g_steal_pointer (&key), FALSE), s);
    }
  return s;
}

static void
bad_message (ImuRecordSourceSensorlogger *self, const char *device, const char *why)
{
  imu_recorder_issue (self->recorder, device, IMU_RECORD_ISSUE_MALFORMED, why);
}

/* One element of a batch's payload. */
static void
feed_item (ImuRecordSourceSensorlogger *self, const char *device, JsonNode *node)
{
  g_autoptr(GPtrArray) channels = g_ptr_array_new ();
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GList) members = NULL;
  JsonObject *item, *vals;
  JsonNode *time_node;
  const char *name;
  PushStream *s;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      bad_message (self, device, _("a payload element is not an object"));
      return;
    }
  item = json_node_get_object (node);
  name = json_object_has_member (item, "name") ? json_object_get_string_member_with_default (item, "name", NULL) : NULL;
  time_node = json_object_get_member (item, "time");
  if (name == NULL || *name == '\0' || time_node == NULL || !JSON_NODE_HOLDS_VALUE (time_node)
      || !json_object_has_member (item, "values") || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (item, "values")))
    {
      bad_message (self, device, _("a payload element lacks its name, time or values"));
      return;
    }
  vals = json_object_get_object_member (item, "values");
  members = json_object_get_members (vals);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *v = json_object_get_member (vals, l->data);
      GType type = JSON_NODE_HOLDS_VALUE (v) ? json_node_get_value_type (v) : G_TYPE_INVALID;
      double d;

      /* Text values (a location's provider) are not samples. */
      if (type == G_TYPE_INT64)
        d = (double) json_node_get_int (v);
      else if (type == G_TYPE_DOUBLE)
        d = json_node_get_double (v);
      else
        continue;
      g_ptr_array_add (channels, l->data);
      g_array_append_val (values, d);
    }
  if (channels->len == 0 || channels->len > IMU_STREAM_MAX_CHANNELS)
    {
      bad_message (self, device, _("a payload element has no numeric values"));
      return;
    }
  s = get_stream (self, device, name, channels);

  if (json_node_get_value_type (time_node) == G_TYPE_INT64)
    imu_recorder_append (self->recorder, s->handle, json_node_get_int (time_node), (const double *) values->data);
  else if (json_node_get_value_type (time_node) == G_TYPE_DOUBLE
           && json_node_get_double (time_node) > -9.2e18 && json_node_get_double (time_node) < 9.2e18)
    imu_recorder_append (self->recorder, s->handle, (gint64) json_node_get_double (time_node),
                         (const double *) values->data);
  else if (json_node_get_value_type (time_node) == G_TYPE_STRING)
    {
      gint64 t;

      if (g_ascii_string_to_signed (json_node_get_string (time_node), 10, G_MININT64, G_MAXINT64, &t, NULL))
        imu_recorder_append (self->recorder, s->handle, t, (const double *) values->data);
      else
        bad_message (self, device, _("a time is not a number"));
    }
  else
    bad_message (self, device, _("a time is not a number"));
}

static guint
feed_batch (ImuRecordSourceSensorlogger *self, const char *body, gsize len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *payload;
  const char *device;

  if (!json_parser_load_from_data (parser, body, (gssize) len, &error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      bad_message (self, NULL, _("a request body is not a JSON object"));
      return SOUP_STATUS_BAD_REQUEST;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  device = json_object_get_string_member_with_default (root, "deviceId", NULL);
  if (device == NULL || *device == '\0')
    device = "phone";
  if (!json_object_has_member (root, "payload") || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "payload")))
    {
      bad_message (self, NULL, _("a request has no payload array"));
      return SOUP_STATUS_BAD_REQUEST;
    }
  if (json_object_has_member (root, "messageId")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (root, "messageId"))
      && json_node_get_value_type (json_object_get_member (root, "messageId")) == G_TYPE_INT64
      && seen_before (self, device, json_object_get_int_member (root, "messageId")))
    return SOUP_STATUS_OK;
  payload = json_object_get_array_member (root, "payload");
  for (guint i = 0; i < json_array_get_length (payload); i++)
    feed_item (self, device, json_array_get_element (payload, i));
  return SOUP_STATUS_OK;
}

static void
early_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  ImuRecordSourceSensorlogger *self = user_data;
  goffset length = soup_message_headers_get_content_length (soup_server_message_get_request_headers (msg));

  /* Refused before the body is read; what comes of it is not kept. */
  if (length > BODY_MAX)
    {
      soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
      imu_recorder_issue (self->recorder, NULL, IMU_RECORD_ISSUE_TOO_LARGE, path);
      soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
    }
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  ImuRecordSourceSensorlogger *self = user_data;
  SoupMessageBody *body;
  g_autoptr(GBytes) bytes = NULL;
  const char *data;
  gsize len;

  if (!g_str_equal (path, self->path))
    {
      g_autofree char *detail = g_strdup_printf ("%s %s", soup_server_message_get_method (msg), path);

      /* The path is not logged in full: it could be a guess at the token. */
      if (strlen (detail) > 64)
        detail[64] = '\0';
      imu_recorder_issue (self->recorder, NULL, IMU_RECORD_ISSUE_NOT_FOUND, detail);
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  if (g_strcmp0 (soup_server_message_get_method (msg), SOUP_METHOD_POST) != 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
      return;
    }
  body = soup_server_message_get_request_body (msg);
  if (body->length > BODY_MAX)
    {
      imu_recorder_issue (self->recorder, NULL, IMU_RECORD_ISSUE_TOO_LARGE, path);
      soup_server_message_set_status (msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, NULL);
      return;
    }
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &len);
  soup_server_message_set_status (msg, feed_batch (self, data, len), NULL);
}

static gpointer
server_worker (gpointer data)
{
  ImuRecordSourceSensorlogger *self = data;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new ("server-header", "IMU Studio", NULL);
  soup_server_add_early_handler (self->server, NULL, early_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, handler_cb, self, NULL);
  if (self->address != NULL)
    {
      g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (self->address);
      g_autoptr(GSocketAddress) addr = inet != NULL ? g_inet_socket_address_new (inet, self->port) : NULL;

      if (addr == NULL)
        {
          g_set_error (&error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE, _("“%s” is not an IP address."), self->address);
          ok = FALSE;
        }
      else
        ok = soup_server_listen (self->server, addr, 0, &error);
    }
  else
    ok = soup_server_listen_all (self->server, self->port, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  if (ok)
    {
      GSList *uris = soup_server_get_uris (self->server);

      if (uris != NULL)
        self->port = (guint16) g_uri_get_port (uris->data);
      g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
    }

  g_mutex_lock (&self->mutex);
  self->started = TRUE;
  if (!ok)
    {
      self->start_error = g_error_new (IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                                       _("Cannot listen on port %u for Sensor Logger: %s"),
                                       self->port, error->message);
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  if (ok)
    g_main_loop_run (self->loop);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  /* What the disconnect left to finish. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

static gboolean
sl_start (ImuRecordSource *source, ImuRecorder *recorder, GError **error)
{
  ImuRecordSourceSensorlogger *self = IMU_RECORD_SOURCE_SENSORLOGGER (source);

  self->recorder = g_object_ref (recorder);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("imu-record-sensorlogger", server_worker, self);
  g_mutex_lock (&self->mutex);
  while (!self->started)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);
  if (self->start_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_propagate_error (error, g_steal_pointer (&self->start_error));
      return FALSE;
    }
  return TRUE;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static void
sl_stop (ImuRecordSource *source)
{
  ImuRecordSourceSensorlogger *self = IMU_RECORD_SOURCE_SENSORLOGGER (source);

  if (self->thread != NULL)
    {
      g_autoptr(GSource) idle = g_idle_source_new ();

      g_source_set_callback (idle, quit_cb, g_main_loop_ref (self->loop), (GDestroyNotify) g_main_loop_unref);
      g_source_attach (idle, self->context);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_object (&self->recorder);
}

/* The first IPv4 address of this computer a phone on its network can reach. */
static char *
dup_lan_address (void)
{
  struct ifaddrs *list = NULL;
  char *found = NULL;

  if (getifaddrs (&list) != 0)
    return g_strdup ("127.0.0.1");
  for (struct ifaddrs *i = list; i != NULL && found == NULL; i = i->ifa_next)
    {
      g_autoptr(GSocketAddress) addr = NULL;
      GInetAddress *inet;

      if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET)
        continue;
      addr = g_socket_address_new_from_native (i->ifa_addr, sizeof (struct sockaddr_in));
      inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr));
      if (!g_inet_address_get_is_loopback (inet))
        found = g_inet_address_to_string (inet);
    }
  freeifaddrs (list);
  return found != NULL ? found : g_strdup ("127.0.0.1");
}

static char *
sl_dup_address (ImuRecordSource *source)
{
  ImuRecordSourceSensorlogger *self = IMU_RECORD_SOURCE_SENSORLOGGER (source);
  g_autofree char *host = self->address != NULL && !g_str_equal (self->address, "0.0.0.0")
                          ? g_strdup (self->address) : dup_lan_address ();

  return g_strdup_printf ("http://%s:%u%s", host, self->port, self->path);
}

static void
source_iface_init (ImuRecordSourceInterface *iface)
{
  iface->start = sl_start;
  iface->stop = sl_stop;
  iface->dup_address = sl_dup_address;
}

static void
imu_record_source_sensorlogger_dispose (GObject *object)
{
  sl_stop (IMU_RECORD_SOURCE (object));

  G_OBJECT_CLASS (imu_record_source_sensorlogger_parent_class)->dispose (object);
}

static void
imu_record_source_sensorlogger_finalize (GObject *object)
{
  ImuRecordSourceSensorlogger *self = IMU_RECORD_SOURCE_SENSORLOGGER (object);

  g_free (self->address);
  g_free (self->token);
  g_free (self->path);
  g_hash_table_unref (self->streams);
  g_hash_table_unref (self->devices);
  g_clear_error (&self->start_error);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (imu_record_source_sensorlogger_parent_class)->finalize (object);
}

static void
imu_record_source_sensorlogger_class_init (ImuRecordSourceSensorloggerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_record_source_sensorlogger_dispose;
  object_class->finalize = imu_record_source_sensorlogger_finalize;
}

static void
imu_record_source_sensorlogger_init (ImuRecordSourceSensorlogger *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->streams = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) push_stream_free);
  self->devices = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) push_device_free);
}

static ImuRecordSource *
sl_create (const char                   *argument,
           const ImuRecordSourceOptions *options,
           GError                      **error)
{
  g_autoptr(ImuRecordSourceSensorlogger) self = g_object_new (IMU_TYPE_RECORD_SOURCE_SENSORLOGGER, NULL);
  guint8 token[16];
  GString *hex = g_string_new (NULL);
  guint64 port = DEFAULT_PORT;

  if (argument != NULL && *argument != '\0')
    {
      const char *colon = strrchr (argument, ':');

      if (colon != NULL)
        {
          self->address = g_strndup (argument, colon - argument);
          argument = colon + 1;
        }
      if (!g_ascii_string_to_unsigned (argument, 10, 0, 65535, &port, NULL))
        {
          g_string_free (hex, TRUE);
          g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                       _("The Sensor Logger source takes a port: sensorlogger[:[ADDRESS:]PORT]."));
          return NULL;
        }
    }
  self->port = (guint16) port;

  /* 128 bits from the kernel's generator, new for each recording. */
  if (getrandom (token, sizeof token, 0) != sizeof token)
    {
      g_string_free (hex, TRUE);
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_FAILED,
                   _("Cannot make a random token for the push address."));
      return NULL;
    }
  for (guint i = 0; i < sizeof token; i++)
    g_string_append_printf (hex, "%02x", token[i]);
  self->token = g_string_free (hex, FALSE);
  self->path = g_strdup_printf ("/push/%s", self->token);
  return IMU_RECORD_SOURCE (g_steal_pointer (&self));
}

const ImuRecordSourceKind imu_record_source_sensorlogger = {
  .scheme = "sensorlogger",
  .usage = "sensorlogger[:[ADDRESS:]PORT]",
  .description = N_("Phones pushing with Sensor Logger over HTTP (a session per phone)"),
  .per_device = TRUE,
  .create = sl_create,
};
