/* imu-test-servers.c — storage servers on loopback for the sync tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "imu-test-servers.h"

/* A server dies with the test, even when an assertion aborts it. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocess *
imu_test_spawn (const char * const *argv, GSubprocessFlags flags, GError **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

char *
imu_test_servers_path (const char *rel)
{
  const char *srcdir = g_getenv ("IMU_TEST_SRCDIR");

  return g_build_filename (srcdir != NULL ? srcdir : ".", "servers", rel, NULL);
}

gboolean
imu_test_node_available (const char *module)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *rel = g_build_filename ("node_modules", module, NULL);
  g_autofree char *dir = imu_test_servers_path (rel);

  if (node == NULL)
    {
      g_test_skip ("node is not installed (apt-get install nodejs npm): server test skipped");
      return FALSE;
    }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *msg = g_strdup_printf ("%s is missing (run “npm ci” in tests/servers): server test skipped", dir);

      g_test_skip (msg);
      return FALSE;
    }
  return TRUE;
}

guint16
imu_test_free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (socket);
  g_socket_bind (socket, any, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

gboolean
imu_test_wait_port (guint16 port, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) conn = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

      if (conn != NULL)
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

GSubprocess *
imu_test_spawn_with_port (const char * const *argv, guint16 *port, GError **error)
{
  g_autoptr(GSubprocess) process = imu_test_spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  g_autoptr(GDataInputStream) out = NULL;

  if (process == NULL)
    return NULL;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
      guint64 n;

      if (line == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s ended without printing PORT=", argv[1]);
          imu_test_stop_server (process);
          return NULL;
        }
      if (g_str_has_prefix (line, "PORT=") && g_ascii_string_to_unsigned (line + 5, 10, 1, 65535, &n, NULL))
        {
          *port = (guint16) n;
          return g_steal_pointer (&process);
        }
    }
}

void
imu_test_stop_server (GSubprocess *process)
{
  if (process == NULL)
    return;
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
}

guint
imu_test_count_lines (const char *path, const char *regex)
{
  g_autofree char *text = NULL;
  g_autoptr(GRegex) re = g_regex_new (regex, G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  guint n = 0;

  g_assert_nonnull (re);
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return 0;
  g_regex_match (re, text, 0, &match);
  while (g_match_info_matches (match))
    {
      n++;
      g_match_info_next (match, NULL);
    }
  return n;
}

int
imu_test_run (const char * const *argv, const char * const *envp, const char *stdin_text, char **output)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                       | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  if (envp != NULL)
    g_subprocess_launcher_set_environ (launcher, (char **) envp);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, stdin_text != NULL ? stdin_text : "", NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  if (output != NULL)
    *output = g_steal_pointer (&out);
  return g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
}

/* ---- sync with a library ---- */

#include "imu-generator.h"
#include "imu-secrets.h"
#include "imu-sync-scheduler.h"
#include "imu-test-util.h"

static GMutex logs_lock;
static GString *logs;

static GLogWriterOutput
capture_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer data)
{
  g_mutex_lock (&logs_lock);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].value != NULL)
      {
        if (fields[i].length < 0)
          g_string_append (logs, fields[i].value);
        else
          g_string_append_len (logs, fields[i].value, fields[i].length);
        g_string_append_c (logs, '\n');
      }
  g_mutex_unlock (&logs_lock);
  return g_log_writer_default (level, fields, n_fields, data);
}

void
imu_test_sync_init (void)
{
  g_autofree char *config = imu_test_tmpdir ();
  g_autofree char *cache = imu_test_tmpdir ();

  g_setenv ("IMU_SECRETS_BACKEND", "file", TRUE);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache, TRUE);
  logs = g_string_new (NULL);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

char *
imu_test_captured_logs (void)
{
  char *text;

  g_mutex_lock (&logs_lock);
  text = g_strdup (logs != NULL ? logs->str : "");
  g_mutex_unlock (&logs_lock);
  return text;
}

char *
imu_test_sync_library_with_session (const char *library_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library_path, &error);
  g_autoptr(ImuSession) session = NULL;
  gint64 id;

  g_assert_no_error (error);
  id = imu_generator_create_demo_session (store, NULL, NULL, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  return g_strdup (imu_session_get_uuid (session));
}

void
imu_test_sync_add_target (const char *library_path, ImuSyncTargetConfig *config, const char *secret)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library_path, &error);

  g_assert_no_error (error);
  imu_sync_queue_add_target (store, config, &error);
  g_assert_no_error (error);
  if (secret != NULL)
    {
      imu_secrets_store (config->secret_id, "IMU Studio test target", secret, &error);
      g_assert_no_error (error);
    }
}

void
imu_test_sync_run (const char *library_path, const char *target, gboolean push, gboolean pull, guint max_wait_s)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = imu_sync_scheduler_new (library_path);
  const char *names[] = { target, NULL };

  imu_sync_scheduler_set_targets (scheduler, names);
  imu_sync_scheduler_set_directions (scheduler, (push ? 1u << IMU_SYNC_PUSH : 0) | (pull ? 1u << IMU_SYNC_PULL : 0));
  imu_sync_scheduler_set_network_available (scheduler, 1);
  if (push)
    {
      g_autoptr(ImuStore) store = imu_store_open (library_path, &error);
      g_autoptr(ImuSyncTargetConfig) config = NULL;

      g_assert_no_error (error);
      config = imu_sync_queue_get_target (store, target, &error);
      g_assert_no_error (error);
      g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, config->id, &error), >=, 0);
      g_assert_no_error (error);
    }
  if (pull)
    {
      g_assert_cmpint (imu_sync_scheduler_discover (scheduler, NULL, &error), >=, 0);
      g_assert_no_error (error);
    }
  imu_sync_scheduler_run (scheduler, FALSE, max_wait_s, NULL, &error);
  g_assert_no_error (error);
}

GPtrArray *
imu_test_sync_items (const char *library_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library_path, &error);
  GPtrArray *items;

  g_assert_no_error (error);
  items = imu_sync_queue_list_items (store, 0, &error);
  g_assert_no_error (error);
  return items;
}

gboolean
imu_test_sync_has_session (const char *library_path, const char *uuid)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library_path, &error);

  g_assert_no_error (error);
  return imu_store_resolve_session (store, uuid, NULL) > 0;
}
