/* imu-record-source-phyphox.c — a phone running phyphox, polled over its remote interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `phyphox:URL` (`phyphox:http://192.168.1.20:8080`) reads the experiment
 * a phone runs with "Allow remote access" on, through the REST interface
 * documented at https://phyphox.org/wiki/index.php/Remote-interface_communication:
 *
 * - GET /config: the experiment's title, its buffers, its sensor inputs
 *   (`{"source": "accelerometer", "outputs": [{"x": "accX"}, …, {"t":
 *   "acc_time"}]}`) and its export sets (`{"set": NAME, "sources":
 *   [{"label": …, "buffer": …}]}`). One stream per sensor input (or, for
 *   an experiment without sensor inputs, per export set with a time).
 * - GET /get?acc_time=T&accX=T|acc_time&…: each buffer's values whose time
 *   is after T, the last time seen ("full" the first time), so that every
 *   value comes once. The answer is `{"buffer": {NAME: {"size", "updateMode",
 *   "buffer": [values]}}, "status": {"session", "measuring", "timedRun",
 *   "countDown"}}`. Values are printed with 8 significant digits; the phone
 *   nudges a threshold up by one unit of its 8th digit, so a value printed
 *   rounded down does not come again.
 * - GET /time: `[{"event": "START"|"PAUSE", "experimentTime": s,
 *   "systemTime": s since 1970}]`, which maps experiment time (seconds
 *   since the first start, pauses left out) to the phone's clock. Without
 *   it (phyphox before 1.1.8) times are placed at the arrival of the first
 *   sample. The time base is recorded as a `device` event.
 * - GET /control?cmd=start when asked (ImuRecordSourceOptions.start), and
 *   /control?cmd=stop at the end if this source started it.
 *
 * A response that cannot be read is E_MALFORMED and polling goes on; a
 * phone that pauses or does not answer is polled again.
 */
#define G_LOG_DOMAIN "imu-record"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "imu-record-source.h"

#define POLL_INTERVAL_MS 100
#define REQUEST_TIMEOUT_S 3
#define MAX_CHANNELS 8

typedef struct {
  char   *name;                     /* the stream */
  char   *time_buffer;
  guint   n_channels;
  char   *buffers[MAX_CHANNELS];
  char   *channels[MAX_CHANNELS];   /* their names in the stream */
  char   *units[MAX_CHANNELS];
  char   *kind;
  guint   handle;
  gboolean have_last;
  double  last_t;                   /* the last experiment time seen */
} PhyphoxStream;

#define IMU_TYPE_RECORD_SOURCE_PHYPHOX (imu_record_source_phyphox_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecordSourcePhyphox, imu_record_source_phyphox, IMU, RECORD_SOURCE_PHYPHOX, GObject)

struct _ImuRecordSourcePhyphox
{
  GObject      parent_instance;

  char        *url;          /* without a trailing slash */
  gboolean     start_phone;
  char        *title;
  GPtrArray   *streams;      /* PhyphoxStream */
  GThread     *thread;
  ImuRecorder *recorder;
  gint         stopping;     /* atomic */

  /* The worker's. */
  SoupSession *session;
  gboolean     started_phone;
  gboolean     measuring;
  char        *phone_session;
  GArray      *starts;       /* (experiment ns, phone ns) of each START */
  gboolean     have_base;
  gint64       arrival_base_ns;
};

typedef struct { gint64 experiment_ns; gint64 system_ns; } TimeMapping;

static void source_iface_init (ImuRecordSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ImuRecordSourcePhyphox, imu_record_source_phyphox, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IMU_TYPE_RECORD_SOURCE, source_iface_init))

/* phyphox sensor → stream, kind, unit (the units the phone's sensors give). */
static const struct { const char *source, *stream, *kind, *unit; } sensors[] = {
  { "accelerometer",       "accelerometer",       "accel", "m/s^2" },
  { "linear_acceleration", "linear_acceleration", "accel", "m/s^2" },
  { "gravity",             "gravity",             "accel", "m/s^2" },
  { "gyroscope",           "gyroscope",           "gyro",  "rad/s" },
  { "magnetic_field",      "magnetometer",        "mag",   "µT" },
  { "pressure",            "pressure",            "other", "hPa" },
  { "light",               "light",               "other", "lx" },
  { "proximity",           "proximity",           "other", "cm" },
  { "temperature",         "temperature",         "other", "°C" },
  { "humidity",            "humidity",            "other", "%" },
  { "attitude",            "attitude",            "orientation", "" },
};

static void
phyphox_stream_free (gpointer data)
{
  PhyphoxStream *s = data;

  g_free (s->name);
  g_free (s->time_buffer);
  for (guint c = 0; c < s->n_channels; c++)
    {
      g_free (s->buffers[c]);
      g_free (s->channels[c]);
      g_free (s->units[c]);
    }
  g_free (s->kind);
  g_free (s);
}

static gint64
seconds_to_ns (double s)
{
  return (gint64) llround (s * 1e9);
}

/* GET URL/PATH; the body, or NULL with @error. Blocking. */
static GBytes *
http_get (SoupSession *session, const char *url, const char *path_and_query, GError **error)
{
  g_autofree char *uri = g_strconcat (url, path_and_query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_GET, uri);
  g_autoptr(GBytes) body = NULL;
  guint status;

  if (msg == NULL)
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                   _("“%s” is not a URL"), uri);
      return NULL;
    }
  if (!(body = soup_session_send_and_read (session, msg, NULL, error)))
    return NULL;
  status = soup_message_get_status (msg);
  if (status != SOUP_STATUS_OK)
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_FAILED,
                   _("HTTP %u %s"), status, soup_message_get_reason_phrase (msg));
      return NULL;
    }
  return g_steal_pointer (&body);
}

static JsonNode *
parse_json (GBytes *body, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  gsize len = 0;
  const char *data = g_bytes_get_data (body, &len);

  if (!json_parser_load_from_data (parser, data, (gssize) len, error))
    return NULL;
  return json_node_ref (json_parser_get_root (parser));
}

/* "Acceleration x (m/s^2)" → "Acceleration x", "m/s^2" */
static void
split_label (const char *label, char **name, char **unit)
{
  const char *open = strrchr (label, '(');
  const char *close = open != NULL ? strchr (open, ')') : NULL;

  if (open != NULL && close != NULL && open > label)
    {
      *name = g_strstrip (g_strndup (label, open - label));
      *unit = g_strndup (open + 1, close - open - 1);
    }
  else
    {
      *name = g_strdup (label);
      *unit = g_strdup ("");
    }
}

static void
add_stream (ImuRecordSourcePhyphox *self,
            PhyphoxStream          *s,
            const char             *kind,
            const char * const     *channel_names,
            const char * const     *units)
{
  s->kind = g_strdup (kind);
  for (guint c = 0; c < s->n_channels; c++)
    {
      s->channels[c] = g_strdup (channel_names[c]);
      s->units[c] = g_strdup (units[c]);
    }
  g_ptr_array_add (self->streams, s);
}

/* The streams of an experiment's /config. */
static gboolean
read_config (ImuRecordSourcePhyphox *self, JsonNode *root, GError **error)
{
  JsonObject *config = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonArray *inputs = config != NULL && json_object_has_member (config, "inputs")
                      ? json_object_get_array_member (config, "inputs") : NULL;
  JsonArray *exports = config != NULL && json_object_has_member (config, "export")
                       ? json_object_get_array_member (config, "export") : NULL;

  if (config == NULL)
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_FAILED,
                   _("its /config is no JSON object"));
      return FALSE;
    }
  if (json_object_has_member (config, "title"))
    self->title = g_strdup (json_object_get_string_member_with_default (config, "title", ""));

  for (guint i = 0; inputs != NULL && i < json_array_get_length (inputs); i++)
    {
      JsonObject *input = json_array_get_object_element (inputs, i);
      const char *source = input != NULL ? json_object_get_string_member_with_default (input, "source", NULL) : NULL;
      JsonArray *outputs = input != NULL && json_object_has_member (input, "outputs")
                           ? json_object_get_array_member (input, "outputs") : NULL;
      const char *names[MAX_CHANNELS], *units[MAX_CHANNELS];
      const char *stream = source, *kind = "other", *unit = "";
      PhyphoxStream *s;

      if (source == NULL || outputs == NULL)
        continue;
      for (guint k = 0; k < G_N_ELEMENTS (sensors); k++)
        if (g_str_equal (sensors[k].source, source))
          {
            stream = sensors[k].stream;
            kind = sensors[k].kind;
            unit = sensors[k].unit;
          }
      s = g_new0 (PhyphoxStream, 1);
      for (guint o = 0; o < json_array_get_length (outputs); o++)
        {
          JsonObject *output = json_array_get_object_element (outputs, o);
          g_autoptr(GList) members = output != NULL ? json_object_get_members (output) : NULL;
          const char *component = members != NULL ? members->data : NULL;
          const char *buffer = component != NULL ? json_object_get_string_member_with_default (output, component, NULL) : NULL;

          if (buffer == NULL || *buffer == '\0')
            continue;
          if (g_str_equal (component, "t"))
            {
              g_free (s->time_buffer);
              s->time_buffer = g_strdup (buffer);
            }
          else if (!g_str_equal (component, "accuracy") && s->n_channels < MAX_CHANNELS)
            {
              names[s->n_channels] = component;
              units[s->n_channels] = unit;
              s->buffers[s->n_channels++] = g_strdup (buffer);
            }
        }
      if (s->time_buffer == NULL || s->n_channels == 0)
        {
          phyphox_stream_free (s);
          continue;
        }
      s->name = g_strdup (stream);
      add_stream (self, s, kind, names, units);
    }

  /* An experiment without sensor inputs (Bluetooth, audio analysis): its
   * export sets, each with a buffer labelled as time. */
  for (guint i = 0; self->streams->len == 0 && exports != NULL && i < json_array_get_length (exports); i++)
    {
      JsonObject *set = json_array_get_object_element (exports, i);
      JsonArray *sources = set != NULL && json_object_has_member (set, "sources")
                           ? json_object_get_array_member (set, "sources") : NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) units = g_ptr_array_new_with_free_func (g_free);
      PhyphoxStream *s;

      if (sources == NULL)
        continue;
      s = g_new0 (PhyphoxStream, 1);
      for (guint k = 0; k < json_array_get_length (sources); k++)
        {
          JsonObject *src = json_array_get_object_element (sources, k);
          const char *label = src != NULL ? json_object_get_string_member_with_default (src, "label", "") : "";
          const char *buffer = src != NULL ? json_object_get_string_member_with_default (src, "buffer", NULL) : NULL;
          char *name, *unit;

          if (buffer == NULL)
            continue;
          if (s->time_buffer == NULL && g_ascii_strncasecmp (label, "time", 4) == 0)
            {
              s->time_buffer = g_strdup (buffer);
              continue;
            }
          if (s->n_channels == MAX_CHANNELS)
            continue;
          split_label (label, &name, &unit);
          g_ptr_array_add (names, name);
          g_ptr_array_add (units, unit);
          s->buffers[s->n_channels++] = g_strdup (buffer);
        }
      if (s->time_buffer == NULL || s->n_channels == 0)
        {
          phyphox_stream_free (s);
          continue;
        }
      s->name = g_strdup (json_object_get_string_member_with_default (set, "set", "phyphox"));
      add_stream (self, s, "other", (const char * const *) names->pdata, (const char * const *) units->pdata);
    }

  if (self->streams->len == 0)
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_FAILED,
                   _("its experiment “%s” has no sensor with a time buffer to record"),
                   self->title != NULL ? self->title : "");
      return FALSE;
    }
  return TRUE;
}

/* Reads /time; FALSE when the phone has none (phyphox before 1.1.8). */
static gboolean
fetch_time (ImuRecordSourcePhyphox *self)
{
  g_autoptr(GBytes) body = http_get (self->session, self->url, "/time", NULL);
  g_autoptr(JsonNode) root = body != NULL ? parse_json (body, NULL) : NULL;
  JsonArray *events;

  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return FALSE;
  events = json_node_get_array (root);
  g_array_set_size (self->starts, 0);
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *e = json_array_get_object_element (events, i);
      TimeMapping m;

      if (e == NULL || g_strcmp0 (json_object_get_string_member_with_default (e, "event", ""), "START") != 0
          || !json_object_has_member (e, "experimentTime") || !json_object_has_member (e, "systemTime"))
        continue;
      m.experiment_ns = seconds_to_ns (json_object_get_double_member (e, "experimentTime"));
      /* systemTime is the phone's clock in milliseconds, divided by 1000. */
      m.system_ns = (gint64) llround (json_object_get_double_member (e, "systemTime") * 1e3) * G_GINT64_CONSTANT (1000000);
      g_array_append_val (self->starts, m);
    }
  return self->starts->len > 0;
}

/* Experiment time → Unix ns: through the latest START at or before it,
 * else at the arrival of the first sample. */
static gint64
wall_time (ImuRecordSourcePhyphox *self, gint64 t_ns)
{
  const TimeMapping *best = NULL;

  for (guint i = 0; i < self->starts->len; i++)
    {
      const TimeMapping *m = &g_array_index (self->starts, TimeMapping, i);

      if (best == NULL || m->experiment_ns <= t_ns)
        best = m;
    }
  if (best != NULL)
    return best->system_ns + (t_ns - best->experiment_ns);
  return self->arrival_base_ns + t_ns;
}

static void
note_time_base (ImuRecordSourcePhyphox *self, gint64 first_t_ns)
{
  g_autofree char *payload = NULL;
  gint64 offset;

  if (self->have_base)
    return;
  self->have_base = TRUE;
  if (self->starts->len == 0)
    self->arrival_base_ns = g_get_real_time () * 1000 - first_t_ns;
  offset = wall_time (self, 0);
  payload = g_strdup_printf ("{\"time_base\": \"%s\", \"offset_ns\": %" G_GINT64_FORMAT "}",
                             self->starts->len > 0 ? "phone" : "arrival", offset);
  imu_recorder_add_event (self->recorder, NULL, wall_time (self, first_t_ns), "device",
                          self->starts->len > 0 ? _("phyphox time from the phone’s clock")
                                                : _("phyphox time from the first sample’s arrival"),
                          payload);
}

static double
value_at (JsonArray *values, guint i)
{
  JsonNode *node = json_array_get_element (values, i);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NAN;
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE || json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_double (node);
  return NAN;
}

static JsonArray *
buffer_values (JsonObject *buffers, const char *name)
{
  JsonObject *b;

  if (buffers == NULL || !json_object_has_member (buffers, name))
    return NULL;
  b = json_object_get_object_member (buffers, name);
  if (b == NULL || !json_object_has_member (b, "buffer"))
    return NULL;
  return json_object_get_array_member (b, "buffer");
}

/* One /get: what came after the last times seen. */
static void
poll_once (ImuRecordSourcePhyphox *self)
{
  g_autoptr(GString) query = g_string_new ("/get?");
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *response, *status, *buffers;
  gboolean measuring;
  const char *session;

  for (guint i = 0; i < self->streams->len; i++)
    {
      PhyphoxStream *s = g_ptr_array_index (self->streams, i);
      char threshold[G_ASCII_DTOSTR_BUF_SIZE] = "full";

      if (s->have_last)
        g_ascii_dtostr (threshold, sizeof threshold, s->last_t);
      g_string_append_printf (query, "%s%s=%s", i > 0 ? "&" : "", s->time_buffer, threshold);
      for (guint c = 0; c < s->n_channels; c++)
        g_string_append_printf (query, "&%s=%s%s%s", s->buffers[c], threshold,
                                s->have_last ? "%7C" : "", s->have_last ? s->time_buffer : "");
    }

  if (!(body = http_get (self->session, self->url, query->str, &error)))
    {
      /* A phone out of reach, asleep or busy: asked again next time. */
      g_debug ("%s/get: %s", self->url, error->message);
      return;
    }
  root = parse_json (body, &error);
  response = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  buffers = response != NULL && json_object_has_member (response, "buffer")
            ? json_object_get_object_member (response, "buffer") : NULL;
  status = response != NULL && json_object_has_member (response, "status")
           ? json_object_get_object_member (response, "status") : NULL;
  if (buffers == NULL || status == NULL)
    {
      g_autofree char *detail = g_strdup_printf ("GET /get: %s",
                                                 error != NULL ? error->message
                                                 : "no \"buffer\" and \"status\" objects");

      imu_recorder_issue (self->recorder, NULL, IMU_RECORD_ISSUE_MALFORMED, detail);
      return;
    }

  /* A new phyphox session (the experiment reloaded) or its data cleared
   * starts the experiment's time again: everything anew. */
  session = json_object_get_string_member_with_default (status, "session", "");
  measuring = json_object_get_boolean_member_with_default (status, "measuring", FALSE);
  if (self->phone_session != NULL && g_strcmp0 (session, self->phone_session) != 0)
    for (guint i = 0; i < self->streams->len; i++)
      ((PhyphoxStream *) g_ptr_array_index (self->streams, i))->have_last = FALSE;
  g_free (self->phone_session);
  self->phone_session = g_strdup (session);
  /* A start after a pause is a new START in /time. */
  if (measuring && !self->measuring)
    fetch_time (self);
  self->measuring = measuring;

  for (guint i = 0; i < self->streams->len; i++)
    {
      PhyphoxStream *s = g_ptr_array_index (self->streams, i);
      JsonArray *times = buffer_values (buffers, s->time_buffer);
      JsonArray *channels[MAX_CHANNELS];
      guint n;
      gboolean ok = times != NULL;

      for (guint c = 0; ok && c < s->n_channels; c++)
        ok = (channels[c] = buffer_values (buffers, s->buffers[c])) != NULL;
      if (!ok)
        {
          g_autofree char *detail = g_strdup_printf ("GET /get: no buffer of %s", s->name);

          imu_recorder_issue (self->recorder, NULL, IMU_RECORD_ISSUE_MALFORMED, detail);
          continue;
        }
      n = json_array_get_length (times);
      for (guint c = 0; c < s->n_channels; c++)
        if (json_array_get_length (channels[c]) != n)
          {
            g_autofree char *detail = g_strdup_printf ("GET /get: %s holds %u values, %s %u",
                                                       s->buffers[c], json_array_get_length (channels[c]),
                                                       s->time_buffer, n);

            imu_recorder_issue (self->recorder, NULL, IMU_RECORD_ISSUE_MALFORMED, detail);
            n = MIN (n, json_array_get_length (channels[c]));
          }
      for (guint k = 0; k < n; k++)
        {
          double t = value_at (times, k);
          double v[MAX_CHANNELS];
          gint64 t_ns;

          if (!isfinite (t))
            continue;
          t_ns = seconds_to_ns (t);
          note_time_base (self, t_ns);
          for (guint c = 0; c < s->n_channels; c++)
            v[c] = value_at (channels[c], k);
          imu_recorder_append (self->recorder, s->handle, wall_time (self, t_ns), v);
          s->last_t = t;
          s->have_last = TRUE;
        }
    }
}

static gboolean
control (ImuRecordSourcePhyphox *self, const char *cmd, GError **error)
{
  g_autofree char *path = g_strdup_printf ("/control?cmd=%s", cmd);
  g_autoptr(GBytes) body = http_get (self->session, self->url, path, error);
  g_autoptr(JsonNode) root = body != NULL ? parse_json (body, error) : NULL;
  JsonObject *result = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;

  if (root == NULL)
    return FALSE;
  if (result == NULL || !json_object_get_boolean_member_with_default (result, "result", FALSE))
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_FAILED,
                   _("the phone refused /control?cmd=%s"), cmd);
      return FALSE;
    }
  return TRUE;
}

static gpointer
phyphox_worker (gpointer data)
{
  ImuRecordSourcePhyphox *self = data;

  while (!g_atomic_int_get (&self->stopping))
    {
      gint64 next = g_get_monotonic_time () + POLL_INTERVAL_MS * 1000;

      poll_once (self);
      while (!g_atomic_int_get (&self->stopping) && g_get_monotonic_time () < next)
        g_usleep (10 * 1000);
    }
  /* What arrived since the last poll, then the phone stopped if we started it. */
  poll_once (self);
  if (self->started_phone)
    {
      g_autoptr(GError) error = NULL;

      if (!control (self, "stop", &error))
        g_warning ("%s: %s", self->url, error->message);
    }
  return NULL;
}

static gboolean
phyphox_start (ImuRecordSource *source, ImuRecorder *recorder, GError **error)
{
  ImuRecordSourcePhyphox *self = IMU_RECORD_SOURCE_PHYPHOX (source);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) local = NULL;

  /* One session, used by the worker only once start() returns. */
  self->session = soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S, NULL);
  if (!(body = http_get (self->session, self->url, "/config", &local))
      || !(root = parse_json (body, &local))
      || !read_config (self, root, &local))
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                   _("%s: cannot read the phyphox experiment (is “Allow remote access” on?): %s"),
                   self->url, local->message);
      g_ptr_array_set_size (self->streams, 0);
      g_clear_object (&self->session);
      return FALSE;
    }
  self->recorder = g_object_ref (recorder);
  imu_recorder_set_device (recorder, NULL, "phyphox", self->title);
  for (guint i = 0; i < self->streams->len; i++)
    {
      PhyphoxStream *s = g_ptr_array_index (self->streams, i);
      g_autoptr(ImuStreamInfo) info = imu_stream_info_new (s->name, s->n_channels);

      for (guint c = 0; c < s->n_channels; c++)
        imu_stream_info_set_channel (info, c, s->channels[c], s->units[c], s->kind);
      g_free (info->kind);
      info->kind = g_strdup (s->kind);
      info->time_format.kind = IMU_TIME_EPOCH_NS;
      info->time_format.column = g_strdup (s->time_buffer);
      s->handle = imu_recorder_add_stream (recorder, NULL, info);
    }

  fetch_time (self);
  if (self->start_phone)
    {
      g_autoptr(GBytes) status_body = http_get (self->session, self->url, "/get", NULL);
      g_autoptr(JsonNode) status_root = status_body != NULL ? parse_json (status_body, NULL) : NULL;
      JsonObject *response = status_root != NULL && JSON_NODE_HOLDS_OBJECT (status_root)
                             ? json_node_get_object (status_root) : NULL;
      JsonObject *status = response != NULL && json_object_has_member (response, "status")
                           ? json_object_get_object_member (response, "status") : NULL;

      if (status == NULL || !json_object_get_boolean_member_with_default (status, "measuring", FALSE))
        {
          if (!control (self, "start", &local))
            {
              g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                           _("%s: cannot start the experiment: %s"), self->url, local->message);
              g_clear_object (&self->recorder);
              g_clear_object (&self->session);
              return FALSE;
            }
          self->started_phone = TRUE;
        }
    }
  /* The first poll reads /time again if the phone starts measuring. */
  self->measuring = FALSE;
  self->thread = g_thread_new ("imu-record-phyphox", phyphox_worker, self);
  return TRUE;
}

static void
phyphox_stop (ImuRecordSource *source)
{
  ImuRecordSourcePhyphox *self = IMU_RECORD_SOURCE_PHYPHOX (source);

  g_atomic_int_set (&self->stopping, TRUE);
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  g_clear_object (&self->session);
  g_clear_object (&self->recorder);
}

static char *
phyphox_dup_address (ImuRecordSource *source)
{
  ImuRecordSourcePhyphox *self = IMU_RECORD_SOURCE_PHYPHOX (source);

  if (self->title != NULL && *self->title != '\0')
    return g_strdup_printf ("%s (%s)", self->url, self->title);
  return g_strdup (self->url);
}

static void
source_iface_init (ImuRecordSourceInterface *iface)
{
  iface->start = phyphox_start;
  iface->stop = phyphox_stop;
  iface->dup_address = phyphox_dup_address;
}

static void
imu_record_source_phyphox_dispose (GObject *object)
{
  phyphox_stop (IMU_RECORD_SOURCE (object));

  G_OBJECT_CLASS (imu_record_source_phyphox_parent_class)->dispose (object);
}

static void
imu_record_source_phyphox_finalize (GObject *object)
{
  ImuRecordSourcePhyphox *self = IMU_RECORD_SOURCE_PHYPHOX (object);

  g_free (self->url);
  g_free (self->title);
  g_free (self->phone_session);
  g_ptr_array_unref (self->streams);
  g_array_unref (self->starts);

  G_OBJECT_CLASS (imu_record_source_phyphox_parent_class)->finalize (object);
}

static void
imu_record_source_phyphox_class_init (ImuRecordSourcePhyphoxClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_record_source_phyphox_dispose;
  object_class->finalize = imu_record_source_phyphox_finalize;
}

static void
imu_record_source_phyphox_init (ImuRecordSourcePhyphox *self)
{
  self->streams = g_ptr_array_new_with_free_func (phyphox_stream_free);
  self->starts = g_array_new (FALSE, FALSE, sizeof (TimeMapping));
}

static ImuRecordSource *
phyphox_create (const char                   *argument,
                const ImuRecordSourceOptions *options,
                GError                      **error)
{
  g_autoptr(ImuRecordSourcePhyphox) self = NULL;
  g_autoptr(GUri) uri = NULL;

  if (argument == NULL || *argument == '\0'
      || !(uri = g_uri_parse (argument, G_URI_FLAGS_NONE, NULL))
      || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 && g_strcmp0 (g_uri_get_scheme (uri), "https") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                   _("The phyphox source needs the address the phone shows under “Allow remote access”: "
                     "phyphox:http://192.168.1.20:8080"));
      return NULL;
    }
  self = g_object_new (IMU_TYPE_RECORD_SOURCE_PHYPHOX, NULL);
  self->url = g_strdup (argument);
  while (g_str_has_suffix (self->url, "/"))
    self->url[strlen (self->url) - 1] = '\0';
  self->start_phone = options->start;
  return IMU_RECORD_SOURCE (g_steal_pointer (&self));
}

const ImuRecordSourceKind imu_record_source_phyphox = {
  .scheme = "phyphox",
  .usage = "phyphox:URL",
  .description = N_("A phone running phyphox with remote access on, polled over its REST interface"),
  .per_device = FALSE,
  .create = phyphox_create,
};
