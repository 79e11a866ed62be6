/* phyphox-sim.c — a phone running phyphox, as its remote interface answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Answers /config, /get, /control and /time in the shapes of
 * https://phyphox.org/wiki/index.php/Remote-interface_communication and of
 * the app's RemoteServer: values printed as Java's DecimalFormat
 * "0.#######E0" prints them (8 significant digits, "1.23E-1", "0E0"), a
 * threshold nudged up by one unit of its 8th digit, and a reference
 * buffer's times deciding which values of the others are sent.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libsoup/soup.h>

#include "phyphox-sim.h"

struct _PhyphoxSim
{
  GMutex        lock;
  gboolean      with_time;
  gboolean      measuring;
  guint         n_acc;
  gboolean      break_next;
  guint         broken;
  guint         starts;
  guint         stops;
  GString      *events;     /* the JSON objects of /time, comma-separated */
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  char         *url;
  GMutex        ready_lock;
  GCond         ready;
};

/* Java's DecimalFormat("0.#######E0"). */
static void
append_java (GString *out, double v)
{
  char buf[64];
  char *e, *end;

  if (v == 0)
    {
      g_string_append (out, "0E0");
      return;
    }
  g_snprintf (buf, sizeof buf, "%.7E", v);
  e = strchr (buf, 'E');
  *e = '\0';
  end = e - 1;
  while (*end == '0')
    *end-- = '\0';
  if (*end == '.')
    *end = '\0';
  g_string_append_printf (out, "%sE%d", buf, atoi (e + 1));
}

static void
add_event (PhyphoxSim *sim, const char *event, double experiment_time, double system_time)
{
  g_string_append_printf (sim->events, "%s{\"event\": \"%s\", \"experimentTime\": %.17g, \"systemTime\": %.3f}",
                          sim->events->len > 0 ? ", " : "", event, experiment_time, system_time);
}

typedef double (*Signal) (guint i);

static double acc_t (guint i) { return PHYPHOX_SIM_ACC_T (i); }
static double acc_x (guint i) { return PHYPHOX_SIM_ACC_X (i); }
static double acc_y (guint i) { return PHYPHOX_SIM_ACC_Y ((double) i); }
static double acc_z (guint i) { return PHYPHOX_SIM_ACC_Z (i); }
static double gyr_t (guint i) { return PHYPHOX_SIM_GYR_T (i); }
static double gyr_x (guint i) { return PHYPHOX_SIM_GYR_X (i); }
static double gyr_y (guint i) { return PHYPHOX_SIM_GYR_Y (i); }
static double gyr_z (guint i) { return PHYPHOX_SIM_GYR_Z (i); }

static const struct { const char *name; Signal f; gboolean gyro; } buffers[] = {
  { "acc_time", acc_t, FALSE }, { "accX", acc_x, FALSE }, { "accY", acc_y, FALSE }, { "accZ", acc_z, FALSE },
  { "gyr_time", gyr_t, TRUE },  { "gyrX", gyr_x, TRUE },  { "gyrY", gyr_y, TRUE },  { "gyrZ", gyr_z, TRUE },
};

static const char config_json[] =
  "{\"crc32\": \"5f1c2a7b\", \"title\": \"Acceleration and gyroscope\", "
  "\"localTitle\": \"Acceleration and gyroscope\", \"category\": \"Raw Sensors\", \"localCategory\": \"Raw Sensors\", "
  "\"buffers\": [{\"name\": \"accX\", \"size\": 0}, {\"name\": \"accY\", \"size\": 0}, {\"name\": \"accZ\", \"size\": 0}, "
  "{\"name\": \"acc_time\", \"size\": 0}, {\"name\": \"gyrX\", \"size\": 0}, {\"name\": \"gyrY\", \"size\": 0}, "
  "{\"name\": \"gyrZ\", \"size\": 0}, {\"name\": \"gyr_time\", \"size\": 0}], "
  "\"inputs\": [{\"source\": \"accelerometer\", \"outputs\": [{\"x\": \"accX\"}, {\"y\": \"accY\"}, {\"z\": \"accZ\"}, {\"t\": \"acc_time\"}]}, "
  "{\"source\": \"gyroscope\", \"outputs\": [{\"x\": \"gyrX\"}, {\"y\": \"gyrY\"}, {\"z\": \"gyrZ\"}, {\"t\": \"gyr_time\"}]}], "
  "\"export\": [{\"set\": \"Accelerometer\", \"sources\": [{\"label\": \"Time (s)\", \"buffer\": \"acc_time\"}, "
  "{\"label\": \"Acceleration x (m/s^2)\", \"buffer\": \"accX\"}, {\"label\": \"Acceleration y (m/s^2)\", \"buffer\": \"accY\"}, "
  "{\"label\": \"Acceleration z (m/s^2)\", \"buffer\": \"accZ\"}]}, "
  "{\"set\": \"Gyroscope\", \"sources\": [{\"label\": \"Time (s)\", \"buffer\": \"gyr_time\"}, "
  "{\"label\": \"Gyroscope x (rad/s)\", \"buffer\": \"gyrX\"}, {\"label\": \"Gyroscope y (rad/s)\", \"buffer\": \"gyrY\"}, "
  "{\"label\": \"Gyroscope z (rad/s)\", \"buffer\": \"gyrZ\"}]}]}";

static void
respond (SoupServerMessage *msg, guint status, const char *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
handle_get (PhyphoxSim *sim, SoupServerMessage *msg, GHashTable *query)
{
  g_autoptr(GString) out = g_string_new ("{\"buffer\":{\n");
  gboolean first = TRUE;

  if (sim->break_next)
    {
      sim->break_next = FALSE;
      sim->broken++;
      respond (msg, 200, "{\"buffer\":{\n\"acc_time\":{\"size\":0,\"updateMode\":\"partial\", \"buffer\":[1.5E0,");
      return;
    }
  for (guint b = 0; b < G_N_ELEMENTS (buffers); b++)
    {
      const char *value = query != NULL ? g_hash_table_lookup (query, buffers[b].name) : NULL;
      guint n = buffers[b].gyro ? sim->n_acc / 2 : sim->n_acc;
      Signal ref = buffers[b].gyro ? gyr_t : acc_t;
      double threshold = -INFINITY;
      gboolean firstv = TRUE;

      if (value == NULL)
        continue;
      if (!g_str_equal (value, "full"))
        {
          const char *bar = strchr (value, '|');
          g_autofree char *number = bar != NULL ? g_strndup (value, bar - value) : g_strdup (value);

          threshold = g_ascii_strtod (number, NULL);
          threshold += pow (10, floor (log10 (fabs (threshold) / 1e7)));
        }
      g_string_append_printf (out, "%s\"%s\":{\"size\":0,\"updateMode\":\"%s\", \"buffer\":[",
                              first ? "" : ",\n", buffers[b].name, isinf (threshold) ? "full" : "partial");
      first = FALSE;
      for (guint i = 0; i < n; i++)
        {
          if (ref (i) <= threshold)
            continue;
          if (!firstv)
            g_string_append_c (out, ',');
          firstv = FALSE;
          append_java (out, buffers[b].f (i));
        }
      g_string_append (out, "]}");
    }
  g_string_append_printf (out, "\n},\n\"status\":{\n\"session\":\"a1b2c3\", \"measuring\":%s, \"timedRun\":false, \"countDown\":0\n}\n}\n",
                          sim->measuring ? "true" : "false");
  respond (msg, 200, out->str);
}

static void
handler_cb (SoupServer        *server,
            SoupServerMessage *msg,
            const char        *path,
            GHashTable        *query,
            gpointer           data)
{
  PhyphoxSim *sim = data;
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sim->lock);

  if (g_str_equal (path, "/config"))
    respond (msg, 200, config_json);
  else if (g_str_equal (path, "/get"))
    handle_get (sim, msg, query);
  else if (g_str_equal (path, "/time") && sim->with_time)
    {
      g_autofree char *body = g_strdup_printf ("[%s]", sim->events->str);

      respond (msg, 200, body);
    }
  else if (g_str_equal (path, "/control"))
    {
      const char *cmd = query != NULL ? g_hash_table_lookup (query, "cmd") : NULL;

      if (g_strcmp0 (cmd, "start") == 0)
        {
          sim->starts++;
          sim->measuring = TRUE;
          add_event (sim, "START", 0, PHYPHOX_SIM_T0);
          respond (msg, 200, "{\"result\": true}");
        }
      else if (g_strcmp0 (cmd, "stop") == 0)
        {
          sim->stops++;
          sim->measuring = FALSE;
          respond (msg, 200, "{\"result\": true}");
        }
      else
        respond (msg, 200, "{\"result\": false}");
    }
  else
    respond (msg, 404, "{\"error\": \"Not found.\"}");
}

static gpointer
sim_worker (gpointer data)
{
  PhyphoxSim *sim = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (sim->context);
  sim->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (sim->server, NULL, handler_cb, sim, NULL);
  g_assert_true (soup_server_listen_local (sim->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (sim->server);
  sim->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_mutex_lock (&sim->ready_lock);
  g_cond_signal (&sim->ready);
  g_mutex_unlock (&sim->ready_lock);
  g_main_loop_run (sim->loop);
  g_clear_object (&sim->server);
  g_main_context_pop_thread_default (sim->context);
  return NULL;
}

PhyphoxSim *
phyphox_sim_new (gboolean with_time, gboolean measuring)
{
  PhyphoxSim *sim = g_new0 (PhyphoxSim, 1);

  g_mutex_init (&sim->lock);
  g_mutex_init (&sim->ready_lock);
  g_cond_init (&sim->ready);
  sim->with_time = with_time;
  sim->measuring = measuring;
  sim->events = g_string_new (NULL);
  if (measuring)
    add_event (sim, "START", 0, PHYPHOX_SIM_T0);
  sim->context = g_main_context_new ();
  sim->loop = g_main_loop_new (sim->context, FALSE);
  g_mutex_lock (&sim->ready_lock);
  sim->thread = g_thread_new ("phyphox-sim", sim_worker, sim);
  while (sim->url == NULL)
    g_cond_wait (&sim->ready, &sim->ready_lock);
  g_mutex_unlock (&sim->ready_lock);
  return sim;
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
phyphox_sim_free (PhyphoxSim *sim)
{
  g_main_context_invoke (sim->context, quit_cb, sim->loop);
  g_thread_join (sim->thread);
  g_main_loop_unref (sim->loop);
  g_main_context_unref (sim->context);
  g_string_free (sim->events, TRUE);
  g_free (sim->url);
  g_mutex_clear (&sim->lock);
  g_mutex_clear (&sim->ready_lock);
  g_cond_clear (&sim->ready);
  g_free (sim);
}

char *
phyphox_sim_dup_url (PhyphoxSim *sim)
{
  return g_strdup (sim->url);
}

void
phyphox_sim_feed (PhyphoxSim *sim, guint n_acc)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sim->lock);

  sim->n_acc = n_acc;
}

void
phyphox_sim_pause (PhyphoxSim *sim, double experiment_time, double system_time)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sim->lock);

  sim->measuring = FALSE;
  add_event (sim, "PAUSE", experiment_time, system_time);
}

void
phyphox_sim_resume (PhyphoxSim *sim, double experiment_time, double system_time)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sim->lock);

  sim->measuring = TRUE;
  add_event (sim, "START", experiment_time, system_time);
}

void
phyphox_sim_break_get (PhyphoxSim *sim)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sim->lock);

  sim->break_next = TRUE;
}

guint
phyphox_sim_count (PhyphoxSim *sim, const char *cmd)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sim->lock);

  return g_str_equal (cmd, "start") ? sim->starts : sim->stops;
}

guint
phyphox_sim_broken (PhyphoxSim *sim)
{
  g_autoptr(GMutexLocker) locker = g_mutex_locker_new (&sim->lock);

  return sim->broken;
}
