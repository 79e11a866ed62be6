/* test-db-ops.c — library operations: backups on a sync target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A backup is stored on a folder target (through `imu`) and on the S3
 * emulator (s3rver behind the SigV4-verifying proxy, as test-sync-s3.c
 * starts them; skipped with a message when node or tests/servers/
 * node_modules is missing), listed, restored, and the restored library's
 * sessions export byte for byte as the original's. A backup with one byte
 * flipped on the target is refused and nothing is written.
 */
#define G_LOG_DOMAIN "imu-test"

#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "imu-store-ops.h"
#include "imu-sync-backup.h"
#include "imu-sync-queue.h"
#include "imu-test-servers.h"
#include "imu-test-util.h"

#define ACCESS_KEY "S3RVER"          /* the one key s3rver knows */
#define SECRET "imu-test-db-ops-secret-41c9"
#define BUCKET "imu"

static int
run_cli (char **output, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *cli = g_getenv ("IMU_CLI") != NULL ? g_getenv ("IMU_CLI") : IMU_CLI_PATH;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) cli);
  va_start (args, output);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  return imu_test_run ((const char * const *) argv->pdata, NULL, NULL, output);
}

/* Exports session 1 of @library into a new folder @dir with `imu export`. */
static void
export_session (const char *library, const char *dir)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (run_cli (&out, "--library", library, "export", "1", "-o", dir, NULL), ==, 0);
}

/* Every file of @a is in @b with the same bytes, and the other way round. */
static void
assert_same_files (const char *a, const char *b)
{
  g_autoptr(GDir) da = g_dir_open (a, 0, NULL);
  g_autoptr(GDir) db = g_dir_open (b, 0, NULL);
  const char *name;
  guint na = 0, nb = 0;

  g_assert_nonnull (da);
  g_assert_nonnull (db);
  while ((name = g_dir_read_name (da)) != NULL)
    {
      g_autofree char *pa = g_build_filename (a, name, NULL);
      g_autofree char *pb = g_build_filename (b, name, NULL);
      g_autofree char *ca = NULL, *cb = NULL;
      gsize la = 0, lb = 0;

      g_assert_true (g_file_get_contents (pa, &ca, &la, NULL));
      g_assert_true (g_file_get_contents (pb, &cb, &lb, NULL));
      g_assert_cmpuint (la, >, 0);
      g_assert_cmpmem (ca, la, cb, lb);
      na++;
    }
  while (g_dir_read_name (db) != NULL)
    nb++;
  /* The demo session has three streams: three CSV files. */
  g_assert_cmpuint (na, ==, 3);
  g_assert_cmpuint (nb, ==, na);
}

/* Flips one byte in the middle of @path. */
static void
flip_byte (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, 100);
  data[len / 2] ^= 0x01;
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
}

/* No temporary folder of a backup or restore is left in @dir. */
static void
assert_no_work_dirs (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (d)) != NULL)
    g_assert_false (g_str_has_prefix (name, ".imu-backup-"));
}

static void
test_backup_folder_cli (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *usb = g_build_filename (dir, "usb", NULL);
  g_autofree char *backups_dir = g_build_filename (usb, "backups", NULL);
  g_autofree char *restored = g_build_filename (dir, "restored.db", NULL);
  g_autofree char *damaged_dest = g_build_filename (dir, "damaged.db", NULL);
  g_autofree char *exp_a = g_build_filename (dir, "export-original", NULL);
  g_autofree char *exp_b = g_build_filename (dir, "export-restored", NULL);
  g_autofree char *uuid = NULL;
  g_autofree char *out = NULL;
  g_autofree char *object = NULL;
  g_autofree char *sidecar = NULL;
  g_autofree char *sidecar_text = NULL;
  g_autofree char *object_sha = NULL;
  g_autofree char *expected_sidecar = NULL;
  g_autofree char *spec = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GRegex) name_re = g_regex_new ("^library-\\d{8}T\\d{6}Z\\.db\\.zst$", 0, 0, NULL);
  JsonArray *list;
  JsonObject *entry;
  const char *name;
  GStatBuf st;

  uuid = imu_test_sync_library_with_session (library);
  g_assert_cmpint (g_mkdir (usb, 0700), ==, 0);
  g_assert_cmpint (run_cli (&out, "--library", library, "target", "add", "usb", "folder", "--path", usb, NULL), ==, 0);
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--library", library, "db", "backup", "--to", "usb", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "to target “usb” as library-"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--library", library, "db", "backups", "--json", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  list = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  entry = json_array_get_object_element (list, 0);
  name = json_object_get_string_member (entry, "name");
  g_assert_true (g_regex_match (name_re, name, 0, NULL));
  g_assert_cmpstr (json_object_get_string_member (entry, "target"), ==, "usb");
  object = g_build_filename (backups_dir, name, NULL);
  g_assert_cmpint (g_stat (object, &st), ==, 0);
  g_assert_cmpint (json_object_get_int_member (entry, "bytes"), ==, (gint64) st.st_size);
  /* The date is the name's time in ISO 8601. */
  {
    g_autofree char *iso = g_strdup_printf ("%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", name + 8, name + 12, name + 14,
                                            name + 17, name + 19, name + 21);
    g_assert_cmpstr (json_object_get_string_member (entry, "date"), ==, iso);
  }
  /* zstd's magic number: the backup is compressed. */
  {
    g_autofree char *data = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (object, &data, &len, NULL));
    g_assert_cmpmem (data, 4, "\x28\xb5\x2f\xfd", 4);
  }
  /* The sidecar is sha256sum's line for the object. */
  sidecar = g_strconcat (object, ".sha256", NULL);
  g_assert_true (g_file_get_contents (sidecar, &sidecar_text, NULL, NULL));
  object_sha = imu_test_sha256_file (object);
  expected_sidecar = g_strdup_printf ("%s  %s\n", object_sha, name);
  g_assert_cmpstr (sidecar_text, ==, expected_sidecar);

  spec = g_strconcat ("usb:", name, NULL);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "--library", library, "db", "restore", spec, "--to", restored, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  export_session (library, exp_a);
  export_session (restored, exp_b);
  assert_same_files (exp_a, exp_b);

  /* Never over an existing file: the restored library is left as it is. */
  {
    g_autofree char *before = imu_test_sha256_file (restored);
    g_autofree char *after = NULL;

    g_assert_cmpint (run_cli (&out, "--library", library, "db", "restore", spec, "--to", restored, NULL), ==, 7);
    g_assert_nonnull (strstr (out, "already exists"));
    g_clear_pointer (&out, g_free);
    after = imu_test_sha256_file (restored);
    g_assert_cmpstr (before, ==, after);
  }

  /* One byte flipped on the target: refused, nothing at the path. */
  flip_byte (object);
  g_assert_cmpint (run_cli (&out, "--library", library, "db", "restore", spec, "--to", damaged_dest, NULL), ==, 5);
  g_assert_nonnull (strstr (out, "is damaged"));
  g_assert_nonnull (strstr (out, "nothing was restored"));
  g_assert_false (g_file_test (damaged_dest, G_FILE_TEST_EXISTS));
  assert_no_work_dirs (dir);
  imu_test_rm_rf (dir);
}

/* ---- the S3 emulator ---- */

static struct {
  char        *dir;
  GSubprocess *s3rver;
  GSubprocess *proxy;
  guint16      s3rver_port;
  guint16      proxy_port;
} srv;

static void
servers_stop (void)
{
  imu_test_stop_server (srv.s3rver);
  g_clear_object (&srv.s3rver);
  imu_test_stop_server (srv.proxy);
  g_clear_object (&srv.proxy);
}

static gboolean
servers_up (void)
{
  g_autofree char *bin = NULL;
  g_autofree char *port = NULL;
  g_autofree char *proxy = NULL;
  g_autofree char *log = NULL;
  g_autoptr(GError) error = NULL;

  if (!imu_test_node_available ("s3rver") || !imu_test_node_available ("@aws-sdk/signature-v4"))
    return FALSE;
  srv.dir = imu_test_tmpdir ();
  srv.s3rver_port = imu_test_free_port ();
  bin = imu_test_servers_path ("s3rver-run.js");
  port = g_strdup_printf ("%u", srv.s3rver_port);
  {
    const char *argv[] = { "node", "--openssl-legacy-provider", bin, "-d", srv.dir, "-a", "127.0.0.1", "-p", port,
                           "--configure-bucket", BUCKET, "--silent", NULL };

    srv.s3rver = imu_test_spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
    g_assert_no_error (error);
    g_assert_true (imu_test_wait_port (srv.s3rver_port, 20000));
  }
  proxy = imu_test_servers_path ("s3-verify-proxy.mjs");
  log = g_build_filename (srv.dir, "proxy.log", NULL);
  {
    const char *argv[] = { "node", proxy, "--upstream", port, "--data", srv.dir, "--access-key", ACCESS_KEY,
                           "--secret-key", SECRET, "--region", "us-east-1", "--port", "0", "--log", log, NULL };

    srv.proxy = imu_test_spawn_with_port (argv, &srv.proxy_port, &error);
    g_assert_no_error (error);
  }
  atexit (servers_stop);
  return TRUE;
}

static void
test_backup_s3 (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *library = NULL;
  g_autofree char *restored = NULL;
  g_autofree char *damaged_dest = NULL;
  g_autofree char *exp_a = NULL;
  g_autofree char *exp_b = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *url = NULL;
  g_autofree char *name = NULL;
  g_autofree char *download = NULL;
  g_autofree char *sha = NULL;
  g_autoptr(ImuSyncTargetConfig) config = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) backups = NULL;
  g_autoptr(GError) error = NULL;
  ImuSyncTransfer transfer = { 0 };
  const ImuSyncBackup *backup;

  if (!servers_up ())
    return;
  dir = imu_test_tmpdir ();
  library = g_build_filename (dir, "library.db", NULL);
  restored = g_build_filename (dir, "restored.db", NULL);
  damaged_dest = g_build_filename (dir, "damaged.db", NULL);
  exp_a = g_build_filename (dir, "export-original", NULL);
  exp_b = g_build_filename (dir, "export-restored", NULL);
  uuid = imu_test_sync_library_with_session (library);

  url = g_strdup_printf ("http://127.0.0.1:%u", srv.proxy_port);
  config = imu_sync_target_config_new ("s3-backups", "s3", url);
  g_free (config->config_json);
  config->config_json = g_strdup ("{\"bucket\": \"" BUCKET "\", \"region\": \"us-east-1\", "
                                  "\"access_key\": \"" ACCESS_KEY "\", \"path_style\": true}");
  g_free (config->prefix);
  config->prefix = g_strdup ("lab");
  target = imu_sync_target_new (config, "{\"secret_key\": \"" SECRET "\"}", &error);
  g_assert_no_error (error);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  /* A fixed time names the backup. 2026-12-07T18:30:00Z */
  g_assert_true (imu_sync_backup_put (store, target, G_GINT64_CONSTANT (1796668200) * G_USEC_PER_SEC, &name,
                                      NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "library-20261207T183000Z.db.zst");
  /* The same second again would overwrite it: refused. */
  g_assert_false (imu_sync_backup_put (store, target, G_GINT64_CONSTANT (1796668200) * G_USEC_PER_SEC, NULL,
                                       NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_clear_error (&error);
  g_clear_object (&store);

  backups = imu_sync_backup_list (target, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (backups->len, ==, 1);
  backup = g_ptr_array_index (backups, 0);
  g_assert_cmpstr (backup->name, ==, "library-20261207T183000Z.db.zst");
  g_assert_cmpstr (backup->key, ==, "lab/backups/library-20261207T183000Z.db.zst");
  g_assert_cmpint (backup->time_us, ==, G_GINT64_CONSTANT (1796668200) * G_USEC_PER_SEC);

  /* What the list says is what the object holds. */
  download = g_build_filename (dir, "download.zst", NULL);
  g_assert_true (imu_sync_target_get (target, backup->key, download, &transfer, NULL, &error));
  g_assert_no_error (error);
  imu_sync_transfer_clear (&transfer);
  {
    GStatBuf st;

    g_assert_cmpint (g_stat (download, &st), ==, 0);
    g_assert_cmpint (backup->size, ==, (gint64) st.st_size);
  }

  g_assert_true (imu_sync_backup_restore (target, backup->name, restored, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  export_session (library, exp_a);
  export_session (restored, exp_b);
  assert_same_files (exp_a, exp_b);

  /* A byte flipped on the target: the object is replaced by the flipped
   * bytes (the sidecar keeps the true sha256). */
  flip_byte (download);
  sha = imu_test_sha256_file (download);
  g_assert_true (imu_sync_target_put (target, backup->key, download, sha, "application/zstd", &transfer, NULL, &error));
  g_assert_no_error (error);
  imu_sync_transfer_clear (&transfer);
  g_assert_false (imu_sync_backup_restore (target, backup->name, damaged_dest, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY);
  g_assert_nonnull (strstr (error->message, "is damaged"));
  g_clear_error (&error);
  g_assert_false (g_file_test (damaged_dest, G_FILE_TEST_EXISTS));
  assert_no_work_dirs (dir);

  /* A name that is not a backup's. */
  g_assert_false (imu_sync_backup_restore (target, "library.db", damaged_dest, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  imu_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  imu_test_sync_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/db-ops/backup/folder-cli", test_backup_folder_cli);
  g_test_add_func ("/db-ops/backup/s3", test_backup_s3);
  return g_test_run ();
}
