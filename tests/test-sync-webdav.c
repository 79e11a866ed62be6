/* test-sync-webdav.c — the WebDAV backend against a real WebDAV server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * tests/servers/start-webdav.mjs (npm webdav-server v2, HTTP Basic, one
 * user) serves a temporary folder, so a test can see the files the client
 * wrote; the server logs each request ("METHOD URL STATUS"), which shows
 * whether the client used MOVE and never wrote the final name directly.
 * Skipped with a message when node or tests/servers/node_modules is missing.
 */
#define G_LOG_DOMAIN "imu-test"

#include <string.h>

#include <glib/gstdio.h>

#include "imu-sync-webdav.h"
#include "imu-test-servers.h"
#include "imu-test-util.h"

#define USER "alice"
#define PASSWORD "imu-test-dav-password-93b1c7"

static struct {
  char        *root;       /* what the server serves */
  char        *log;
  GSubprocess *server;
  guint16      port;
} srv;

static void
server_stop (void)
{
  imu_test_stop_server (srv.server);
  g_clear_object (&srv.server);
}

static gboolean
server_up (void)
{
  g_autofree char *script = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) error = NULL;

  if (!imu_test_node_available ("webdav-server"))
    return FALSE;
  if (srv.server != NULL)
    return TRUE;
  dir = imu_test_tmpdir ();
  srv.root = g_build_filename (dir, "root", NULL);
  g_assert_cmpint (g_mkdir (srv.root, 0700), ==, 0);
  srv.log = g_build_filename (dir, "webdav.log", NULL);
  script = imu_test_servers_path ("start-webdav.mjs");
  {
    const char *argv[] = { "node", script, "--root", srv.root, "--user", USER, "--password", PASSWORD,
                           "--port", "0", "--log", srv.log, NULL };

    srv.server = imu_test_spawn_with_port (argv, &srv.port, &error);
    g_assert_no_error (error);
  }
  atexit (server_stop);
  return TRUE;
}

static char *
collection_url (void)
{
  return g_strdup_printf ("http://127.0.0.1:%u/imu/", srv.port);
}

static ImuSyncTargetConfig *
make_config (const char *name, const char *prefix)
{
  g_autofree char *url = collection_url ();
  ImuSyncTargetConfig *config = imu_sync_target_config_new (name, "webdav", url);

  g_free (config->config_json);
  config->config_json = g_strdup ("{\"user\": \"" USER "\"}");
  g_free (config->prefix);
  config->prefix = g_strdup (prefix);
  return config;
}

static ImuSyncTarget *
make_target (const char *prefix, const char *password)
{
  g_autoptr(ImuSyncTargetConfig) config = make_config ("dav-test", prefix);
  g_autofree char *secret = g_strdup_printf ("{\"password\": \"%s\"}", password);
  g_autoptr(GError) error = NULL;
  ImuSyncTarget *target = imu_sync_target_new (config, secret, &error);

  g_assert_no_error (error);
  g_assert_true (IMU_IS_SYNC_WEBDAV (target));
  return target;
}

static char *
random_file (gsize size, guint32 seed)
{
  g_autofree char *dir = imu_test_tmpdir ();
  char *path = g_build_filename (dir, "data.bin", NULL);
  g_autofree guint8 *buf = g_malloc (MAX (size, 1));
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < size; i++)
    buf[i] = (guint8) g_rand_int (rand);
  g_file_set_contents (path, (const char *) buf, (gssize) size, &error);
  g_assert_no_error (error);
  return path;
}

static void
test_round_trip (void)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuSyncObject) head = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = random_file (3 * 1024 * 1024 + 17, 5);
  g_autofree char *sha = imu_test_sha256_file (path);
  g_autofree char *key = NULL;
  g_autofree char *back_dir = imu_test_tmpdir ();
  g_autofree char *back = g_build_filename (back_dir, "back.bin", NULL);
  g_autofree char *back_sha = NULL;
  g_autofree char *on_server = NULL;
  g_autofree char *on_server_sha = NULL;
  g_autofree char *sidecar = NULL;
  g_autofree char *expected_sidecar = NULL;
  g_autofree char *sidecar_path = NULL;
  ImuSyncTransfer transfer = { 0 };

  if (!server_up ())
    return;
  target = make_target ("rt", PASSWORD);
  key = imu_sync_target_session_key (target, "u1", "bundle.imub");
  g_assert_cmpstr (key, ==, "rt/sessions/u1/bundle.imub");

  /* The target's collection and the ones under it do not exist yet. */
  g_assert_true (imu_sync_target_put (target, key, path, sha, "application/octet-stream", &transfer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (transfer.bytes_done, ==, 3 * 1024 * 1024 + 17);
  imu_sync_transfer_clear (&transfer);

  /* What the server holds: the same bytes, and the sha256 beside them in
   * sha256sum's format. */
  on_server = g_build_filename (srv.root, "imu", "rt", "sessions", "u1", "bundle.imub", NULL);
  on_server_sha = imu_test_sha256_file (on_server);
  g_assert_cmpstr (on_server_sha, ==, sha);
  sidecar_path = g_strconcat (on_server, ".sha256", NULL);
  g_assert_true (g_file_get_contents (sidecar_path, &sidecar, NULL, NULL));
  expected_sidecar = g_strdup_printf ("%s  bundle.imub\n", sha);
  g_assert_cmpstr (sidecar, ==, expected_sidecar);

  /* Written under a temporary name and moved: the final name was never
   * the target of a PUT. */
  g_assert_cmpuint (imu_test_count_lines (srv.log, "^PUT /imu/rt/sessions/u1/bundle\\.imub "), ==, 0);
  g_assert_cmpuint (imu_test_count_lines (srv.log, "^PUT /imu/rt/sessions/u1/\\.bundle\\.imub\\.imu-tmp-[0-9a-f]{8} 201$"), ==, 1);
  g_assert_cmpuint (imu_test_count_lines (srv.log, "^MOVE /imu/rt/sessions/u1/\\.bundle\\.imub\\.imu-tmp-[0-9a-f]{8} 201$"), ==, 1);
  g_assert_cmpuint (imu_test_count_lines (srv.log, "^MKCOL /imu/ 201$"), ==, 1);
  g_assert_cmpuint (imu_test_count_lines (srv.log, "^MKCOL /imu/rt/sessions/u1/ 201$"), ==, 1);

  head = imu_sync_target_head (target, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (head->size, ==, 3 * 1024 * 1024 + 17);
  g_assert_cmpstr (head->sha256, ==, sha);

  /* The list shows the object, not its sidecar nor a temporary name. */
  list = imu_sync_target_list (target, "rt/sessions/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((ImuSyncObject *) g_ptr_array_index (list, 0))->key, ==, key);
  g_assert_cmpint (((ImuSyncObject *) g_ptr_array_index (list, 0))->size, ==, 3 * 1024 * 1024 + 17);

  g_assert_true (imu_sync_target_get (target, key, back, NULL, NULL, &error));
  g_assert_no_error (error);
  back_sha = imu_test_sha256_file (back);
  g_assert_cmpstr (back_sha, ==, sha);

  g_assert_true (imu_sync_target_remove (target, key, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (on_server, G_FILE_TEST_EXISTS));
  g_clear_pointer (&head, imu_sync_object_free);
  head = imu_sync_target_head (target, key, NULL, &error);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_true (imu_sync_target_remove (target, key, NULL, &error));
  g_assert_no_error (error);
}

/* A temporary file left by a crash is hidden from the list. */
static void
test_list_hides_temporary (void)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = random_file (10, 6);
  g_autofree char *sha = imu_test_sha256_file (path);
  g_autofree char *stale = NULL;

  if (!server_up ())
    return;
  target = make_target ("hide", PASSWORD);
  g_assert_true (imu_sync_target_put (target, "hide/sessions/u/a.bin", path, sha, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  stale = g_build_filename (srv.root, "imu", "hide", "sessions", "u", ".b.bin.imu-tmp-0badf00d", NULL);
  g_assert_true (g_file_set_contents (stale, "half", -1, NULL));
  list = imu_sync_target_list (target, "hide/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((ImuSyncObject *) g_ptr_array_index (list, 0))->key, ==, "hide/sessions/u/a.bin");
}

static void
test_wrong_password (void)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;

  if (!server_up ())
    return;
  target = make_target ("wrong", "not-the-password-0000");
  list = imu_sync_target_list (target, "wrong/", NULL, &error);
  g_assert_null (list);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, USER));
  g_assert_nonnull (strstr (error->message, "--password-from-stdin"));
  g_assert_null (strstr (error->message, "not-the-password-0000"));
}

/* Plain http to another host needs --insecure. */
static void
test_http_needs_insecure (void)
{
  g_autoptr(ImuSyncTargetConfig) config = imu_sync_target_config_new ("far", "webdav", "http://dav.example.org/imu/");
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(GError) error = NULL;

  g_free (config->config_json);
  config->config_json = g_strdup ("{\"user\": \"" USER "\"}");
  target = imu_sync_target_new (config, "{\"password\": \"" PASSWORD "\"}", &error);
  g_assert_null (target);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INSECURE);
  g_clear_error (&error);
  config->insecure = TRUE;
  target = imu_sync_target_new (config, "{\"password\": \"" PASSWORD "\"}", &error);
  g_assert_no_error (error);
  g_assert_nonnull (target);
}

static ImuSyncItem *
only_item (const char *library_path, ImuSyncDirection direction)
{
  g_autoptr(GPtrArray) items = imu_test_sync_items (library_path);
  ImuSyncItem *found = NULL;

  for (guint i = 0; i < items->len; i++)
    {
      ImuSyncItem *item = g_ptr_array_index (items, i);

      if (item->direction == direction)
        {
          g_assert_null (found);
          found = imu_sync_item_copy (item);
        }
    }
  g_assert_nonnull (found);
  return found;
}

/* Push a session from one library, pull it into another; then a bundle
 * with one byte flipped on the server is refused. */
static void
test_scheduler_push_pull (void)
{
  g_autofree char *lib_a = imu_test_library_path ();
  g_autofree char *lib_b = imu_test_library_path ();
  g_autofree char *lib_c = imu_test_library_path ();
  g_autofree char *secret = g_strdup ("{\"password\": \"" PASSWORD "\"}");
  g_autofree char *uuid = NULL;
  g_autofree char *object = NULL;
  g_autofree char *logs = NULL;
  g_autofree gchar *data = NULL;
  g_autoptr(ImuSyncItem) push = NULL;
  g_autoptr(ImuSyncItem) pull = NULL;
  g_autoptr(ImuSyncItem) bad = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (!server_up ())
    return;
  uuid = imu_test_sync_library_with_session (lib_a);
  {
    g_autoptr(ImuSyncTargetConfig) a = make_config ("lab-dav", "sched");
    g_autoptr(ImuSyncTargetConfig) b = make_config ("lab-dav", "sched");
    g_autoptr(ImuSyncTargetConfig) c = make_config ("lab-dav", "sched");

    imu_test_sync_add_target (lib_a, a, secret);
    imu_test_sync_add_target (lib_b, b, secret);
    imu_test_sync_add_target (lib_c, c, secret);
  }

  imu_test_sync_run (lib_a, "lab-dav", TRUE, FALSE, 30);
  push = only_item (lib_a, IMU_SYNC_PUSH);
  g_assert_cmpstr (imu_sync_state_to_string (push->state), ==, "done");

  imu_test_sync_run (lib_b, "lab-dav", FALSE, TRUE, 30);
  pull = only_item (lib_b, IMU_SYNC_PULL);
  g_assert_cmpstr (imu_sync_state_to_string (pull->state), ==, "done");
  g_assert_true (imu_test_sync_has_session (lib_b, uuid));

  object = g_build_filename (srv.root, "imu", "sched", "sessions", uuid, "bundle.imub", NULL);
  g_file_get_contents (object, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 1000);
  data[len / 3] ^= 0x40;
  g_file_set_contents (object, data, (gssize) len, &error);
  g_assert_no_error (error);
  imu_test_sync_run (lib_c, "lab-dav", FALSE, TRUE, 5);
  bad = only_item (lib_c, IMU_SYNC_PULL);
  g_assert_cmpstr (imu_sync_state_to_string (bad->state), !=, "done");
  g_assert_nonnull (bad->last_error);
  g_assert_nonnull (strstr (bad->last_error, "sha256"));
  g_assert_false (imu_test_sync_has_session (lib_c, uuid));

  logs = imu_test_captured_logs ();
  g_assert_null (strstr (logs, PASSWORD));
}

static int
run_cli (const char *stdin_text, char **output, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) envp = g_get_environ ();
  const char *cli = g_getenv ("IMU_CLI") != NULL ? g_getenv ("IMU_CLI") : IMU_CLI_PATH;
  const char *arg;
  va_list args;

  envp = g_environ_setenv (envp, "G_MESSAGES_DEBUG", "all", TRUE);
  g_ptr_array_add (argv, (gpointer) cli);
  va_start (args, output);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return imu_test_run ((const char * const *) argv->pdata, (const char * const *) envp, stdin_text, output);
}

static void
test_cli_no_secret_in_logs (void)
{
  g_autofree char *lib = imu_test_library_path ();
  g_autofree char *url = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *basic = g_base64_encode ((const guchar *) USER ":" PASSWORD, strlen (USER ":" PASSWORD));
  g_autoptr(GString) all = g_string_new (NULL);
  char *out = NULL;
  int status;

  if (!server_up ())
    return;
  url = collection_url ();
  uuid = imu_test_sync_library_with_session (lib);

  status = run_cli (PASSWORD "\n", &out, "--library", lib, "target", "add", "cli-dav", "webdav", "--url", url,
                    "--user", USER, "--password-from-stdin", "--prefix", "cli", NULL);
  g_string_append (all, out);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  status = run_cli (NULL, &out, "--library", lib, "target", "test", "cli-dav", NULL);
  g_string_append (all, out);
  g_assert_nonnull (strstr (out, "write, move and delete a probe object: ok"));
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  status = run_cli (NULL, &out, "--library", lib, "sync", "--target", "cli-dav", NULL);
  g_string_append (all, out);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  status = run_cli ("wrong-password-for-the-cli-test\n", &out, "--library", lib, "target", "secret", "cli-dav",
                    "--password-from-stdin", NULL);
  g_string_append (all, out);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  status = run_cli (NULL, &out, "--library", lib, "target", "test", "cli-dav", NULL);
  g_string_append (all, out);
  g_assert_nonnull (strstr (out, "HTTP 401"));
  g_assert_cmpint (status, ==, 8);
  g_clear_pointer (&out, g_free);

  g_assert_null (strstr (all->str, PASSWORD));
  g_assert_null (strstr (all->str, "wrong-password-for-the-cli-test"));
  g_assert_null (strstr (all->str, basic));
  g_assert_nonnull (strstr (all->str, "imu-"));
}

int
main (int argc, char **argv)
{
  imu_test_sync_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/webdav/round-trip", test_round_trip);
  g_test_add_func ("/sync/webdav/list-hides-temporary", test_list_hides_temporary);
  g_test_add_func ("/sync/webdav/auth/wrong-password", test_wrong_password);
  g_test_add_func ("/sync/webdav/http-needs-insecure", test_http_needs_insecure);
  g_test_add_func ("/sync/webdav/scheduler/push-pull-damaged", test_scheduler_push_pull);
  g_test_add_func ("/sync/webdav/cli/no-secret-in-logs", test_cli_no_secret_in_logs);
  return g_test_run ();
}
