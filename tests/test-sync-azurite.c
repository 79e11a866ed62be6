/* test-sync-azurite.c — a real Azurite on loopback for the sync tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-sync"

#include <signal.h>
#include <string.h>

#include "imu-secrets.h"
#include "imu-store-private.h"
#include "imu-test-util.h"
#include "test-sync-azurite.h"

#define START_NS (G_GINT64_CONSTANT (1710264600) * 1000000000)

static char *
servers_dir (void)
{
  return imu_test_src_file ("servers");
}

gboolean
test_azurite_available (void)
{
  g_autofree char *dir = servers_dir ();
  g_autofree char *bin = g_build_filename (dir, "node_modules", ".bin", "azurite-blob", NULL);
  g_autofree char *sdk = g_build_filename (dir, "node_modules", "@azure", "storage-blob", NULL);
  g_autofree char *node = g_find_program_in_path ("node");

  if (node == NULL)
    {
      g_test_skip ("node is not installed: the Azurite tests need it (scripts/deps.sh installs it)");
      return FALSE;
    }
  if (!g_file_test (bin, G_FILE_TEST_IS_EXECUTABLE) || !g_file_test (sdk, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("tests/servers/node_modules has no Azurite: run `npm ci` in tests/servers (scripts/deps.sh does)");
      return FALSE;
    }
  return TRUE;
}

static gboolean
port_open (guint port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) conn = NULL;

  g_socket_client_set_timeout (client, 1);
  conn = g_socket_client_connect_to_host (client, "127.0.0.1", (guint16) port, NULL, NULL);
  return conn != NULL;
}

TestAzurite *
test_azurite_start (guint port, const char *location)
{
  g_autofree char *dir = servers_dir ();
  g_autofree char *script = g_build_filename (dir, "start-azurite.sh", NULL);
  g_autofree char *port_text = port != 0 ? g_strdup_printf ("%u", port) : NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autofree char *line = NULL;
  g_auto(GStrv) parts = NULL;
  TestAzurite *az = g_new0 (TestAzurite, 1);

  az->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, "sh", script,
                                  port_text != NULL ? port_text : "", location != NULL ? location : "", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (az->process));
  line = g_data_input_stream_read_line (in, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  parts = g_strsplit (line, " ", 2);
  az->port = (guint) g_ascii_strtoull (parts[0], NULL, 10);
  az->location = g_strdup (parts[1]);
  g_assert_cmpuint (az->port, >, 0);
  for (int i = 0; i < 300 && !port_open (az->port); i++)
    g_usleep (100000);
  g_assert_true (port_open (az->port));
  return az;
}

void
test_azurite_kill (TestAzurite *az, gboolean graceful)
{
  if (az->process == NULL)
    return;
  g_subprocess_send_signal (az->process, graceful ? SIGTERM : SIGKILL);
  g_subprocess_wait (az->process, NULL, NULL);
  g_clear_object (&az->process);
}

void
test_azurite_free (TestAzurite *az)
{
  if (az == NULL)
    return;
  test_azurite_kill (az, FALSE);
  if (az->location != NULL)
    imu_test_rm_rf (az->location);
  g_free (az->location);
  g_free (az);
}

char *
test_azure_admin (const char *first_arg, ...)
{
  g_autofree char *dir = servers_dir ();
  g_autofree char *script = g_build_filename (dir, "azure-admin.js", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) "node");
  g_ptr_array_add (argv, script);
  va_start (args, first_arg);
  for (arg = first_arg; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_newv ((const char * const *) argv->pdata,
                         G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (p))
    g_error ("azure-admin.js %s failed: %s", first_arg, err);
  return g_strstrip (g_steal_pointer (&out));
}

char *
test_azure_container_url (guint port, const char *container)
{
  return g_strdup_printf ("http://127.0.0.1:%u/" TEST_AZURE_ACCOUNT "/%s", port, container);
}

ImuSyncTargetConfig *
test_add_azure_target (ImuStore *store, const char *name, const char *url,
                       const char *prefix, const char *auth, const char *secret)
{
  g_autoptr(GError) error = NULL;
  ImuSyncTargetConfig *config = imu_sync_target_config_new (name, "azure", url);
  g_autofree char *secret_json = NULL;

  g_free (config->prefix);
  config->prefix = g_strdup (prefix != NULL ? prefix : "");
  g_free (config->config_json);
  config->config_json = g_strdup_printf ("{\"auth\":\"%s\",\"account\":\"" TEST_AZURE_ACCOUNT "\"}", auth);
  g_assert_true (imu_sync_queue_add_target (store, config, &error));
  g_assert_no_error (error);
  secret_json = g_strdup_printf ("{\"%s\":\"%s\"}", g_str_equal (auth, "sas") ? "sas" : "key", secret);
  g_assert_true (imu_secrets_store (config->secret_id, "test", secret_json, &error));
  g_assert_no_error (error);
  return config;
}

void
test_sync_setup_env (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *config = g_build_filename (dir, "config", NULL);
  g_autofree char *cache = g_build_filename (dir, "cache", NULL);

  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  g_setenv ("IMU_SECRETS_BACKEND", "file", TRUE);
}

static guint64
mix (guint64 x)
{
  /* splitmix64: a fixed function of the index, so expected values are
   * computed again here rather than read back from a library. */
  x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15);
  x = (x ^ (x >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  x = (x ^ (x >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return x ^ (x >> 31);
}

void
test_sample (gint64 i, gint64 *t_ns, double v[4])
{
  *t_ns = START_NS + i * 10000000;
  for (guint c = 0; c < 4; c++)
    v[c] = (double) ((gint64) (mix ((guint64) i * 4 + c) % 2000001) - 1000000) / 1e6;
}

gint64
test_make_session (ImuStore *store, const char *title, gint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = imu_session_new ();
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("imu", 4);
  g_autoptr(ImuStreamWriter) w = NULL;
  gint64 id;

  g_assert_true (imu_store_begin (store, &error));
  g_object_set (session, "title", title, "subject", "Athlete 3", "activity", "run", "origin", "recorded", NULL);
  g_assert_true (imu_store_insert_session (store, session, &error));
  id = imu_session_get_id (session);
  info->session_id = id;
  imu_stream_info_set_channel (info, 0, "ax", "g", "accel");
  imu_stream_info_set_channel (info, 1, "ay", "g", "accel");
  imu_stream_info_set_channel (info, 2, "az", "g", "accel");
  imu_stream_info_set_channel (info, 3, "gx", "deg/s", "gyro");
  for (guint c = 0; c < 4; c++)
    info->channels[c].decimals = 6;
  info->time_format.kind = IMU_TIME_EPOCH_S;
  info->time_format.decimals = 2;
  info->nominal_rate_hz = 100;
  w = imu_stream_writer_new (store, info, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < 4; c++)
    imu_stream_writer_set_decimals (w, c, 6);
  for (gint64 i = 0; i < n; i++)
    {
      gint64 t;
      double v[4];

      test_sample (i, &t, v);
      g_assert_true (imu_stream_writer_append (w, t, v, &error));
    }
  g_assert_true (imu_stream_writer_finish (w, &error));
  {
    g_autoptr(ImuEvent) e = imu_event_new (START_NS + 2000000000, "marker", "start");
    g_autoptr(ImuEvent) e2 = imu_event_new (START_NS + 4000000000, "note", "halfway, \"ok\"");

    e->session_id = id;
    e->payload_json = g_strdup ("{\"lap\":1}");
    e2->session_id = id;
    g_assert_true (imu_store_add_event (store, e, &error));
    g_assert_true (imu_store_add_event (store, e2, &error));
  }
  g_assert_true (imu_store_refresh_session_range (store, id, &error));
  g_assert_true (imu_store_commit (store, &error));
  g_assert_no_error (error);
  return id;
}

void
test_assert_session (ImuStore *store, gint64 id, gint64 n)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_store_load_session (store, id, &error);
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(ImuSeries) series = NULL;
  g_autofree gint64 *t = g_new (gint64, IMU_CHUNK_SAMPLES);
  g_autofree double *buf = g_new (double, 4 * IMU_CHUNK_SAMPLES);
  double *cols[4] = { buf, buf + IMU_CHUNK_SAMPLES, buf + 2 * IMU_CHUNK_SAMPLES, buf + 3 * IMU_CHUNK_SAMPLES };
  const ImuStreamInfo *info;
  gint64 i = 0;

  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_subject (s), ==, "Athlete 3");
  g_assert_cmpstr (imu_session_get_origin (s), ==, "recorded");
  g_assert_cmpuint (imu_session_get_streams (s)->len, ==, 1);
  info = g_ptr_array_index (imu_session_get_streams (s), 0);
  g_assert_cmpint (info->n_samples, ==, n);
  g_assert_cmpstr (info->channels[3].unit, ==, "deg/s");
  series = imu_series_new (store, info->id, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < imu_series_get_n_chunks (series); k++)
    {
      gint64 got = imu_series_read_chunk (series, k, t, cols, &error);

      g_assert_no_error (error);
      for (gint64 j = 0; j < got; j++, i++)
        {
          gint64 et;
          double ev[4];

          test_sample (i, &et, ev);
          g_assert_cmpint (t[j], ==, et);
          for (guint c = 0; c < 4; c++)
            if (memcmp (&cols[c][j], &ev[c], sizeof (double)) != 0)
              g_error ("sample %" G_GINT64_FORMAT " channel %u: %.17g, expected %.17g", i, c, cols[c][j], ev[c]);
        }
    }
  g_assert_cmpint (i, ==, n);
  events = imu_store_list_events (store, id, &error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 0))->payload_json, ==, "{\"lap\":1}");
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 1))->label, ==, "halfway, \"ok\"");
}
