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
 *
 * The trash: a deleted session leaves the list but keeps every sample
 * until it expires (aged with the store's now_us arguments, a fixed clock)
 * or the trash is emptied; a schema-4 library migrates to the trash's
 * schema with its sessions outside the trash.
 */
#define G_LOG_DOMAIN "imu-test"

#include <stdarg.h>
#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "imu-generator.h"
#include "imu-store-ops.h"
#include "imu-store-private.h"
#include "imu-sync-backup.h"
#include "imu-sync-queue.h"
#include "imu-test-servers.h"
#include "imu-test-util.h"
#include "test-sync-azurite.h"

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

/* ---- the trash ---- */

#define DAY_US (G_GINT64_CONSTANT (86400) * G_USEC_PER_SEC)

static gint64
total_samples (ImuStore *store, gint64 session_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) streams = imu_store_list_streams (store, session_id, &error);
  gint64 n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < streams->len; i++)
    n += ((ImuStreamInfo *) g_ptr_array_index (streams, i))->n_samples;
  return n;
}

static void
test_trash_delete_restore (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *exp_a = g_build_filename (dir, "before", NULL);
  g_autofree char *exp_b = g_build_filename (dir, "after", NULL);
  g_autofree char *uuid = imu_test_sync_library_with_session (library);
  g_autofree char *prefix = g_strndup (uuid, 8);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) trash = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *item;
  gint64 samples;

  export_session (library, exp_a);
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  samples = total_samples (store, 1);
  /* The demo session: 45 min of a 100 Hz accelerometer, a 100 Hz gyroscope and 25 Hz orientation. */
  g_assert_cmpint (samples, >, 0);
  g_clear_object (&store);

  g_assert_cmpint (run_cli (&out, "--library", library, "delete", "1", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Deleted session 1 “"));
  g_assert_nonnull (strstr (out, "in the trash for 30 days"));
  g_clear_pointer (&out, g_free);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  listed = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_DESC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 0);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 0);
  g_assert_cmpint (imu_store_resolve_session (store, "1", &error), ==, 0);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Its samples are still there. */
  g_assert_cmpint (total_samples (store, 1), ==, samples);
  trash = imu_store_list_trash (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (trash->len, ==, 1);
  g_assert_cmpint (((ImuTrashItem *) g_ptr_array_index (trash, 0))->n_samples, ==, samples);
  g_clear_object (&store);

  /* Not synced: a folder target gets no item for it. */
  {
    g_autofree char *usb = g_build_filename (dir, "usb", NULL);
    g_autoptr(GPtrArray) items = NULL;

    g_assert_cmpint (g_mkdir (usb, 0700), ==, 0);
    g_assert_cmpint (run_cli (&out, "--library", library, "target", "add", "usb", "folder", "--path", usb, NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    imu_test_sync_run (library, "usb", TRUE, FALSE, 5);
    items = imu_test_sync_items (library);
    g_assert_cmpuint (items->len, ==, 0);
  }

  g_assert_cmpint (run_cli (&out, "--library", library, "list", "--json", NULL), ==, 0);
  g_assert_cmpstr (g_strstrip (out), ==, "[]");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "--library", library, "trash", "list", "--json", NULL), ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json_parser_get_root (parser))), ==, 1);
  item = json_array_get_object_element (json_node_get_array (json_parser_get_root (parser)), 0);
  g_assert_cmpint (json_object_get_int_member (item, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (item, "uuid"), ==, uuid);
  g_assert_cmpint (json_object_get_int_member (item, "samples"), ==, samples);
  g_clear_pointer (&out, g_free);

  /* Restored by uuid prefix: back in the list with every sample. */
  g_assert_cmpint (run_cli (&out, "--library", library, "trash", "restore", prefix, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Restored session 1 from the trash\n");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "--library", library, "trash", "restore", "1", NULL), ==, 4);
  g_clear_pointer (&out, g_free);
  export_session (library, exp_b);
  assert_same_files (exp_a, exp_b);
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 1);
  g_assert_cmpint (total_samples (store, 1), ==, samples);
  g_clear_object (&store);
  imu_test_rm_rf (dir);
}

static void
test_trash_empty_reuses_space (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *uuid = imu_test_sync_library_with_session (library);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuStoreStats) full = NULL;
  g_autoptr(ImuStoreStats) emptied = NULL;
  g_autoptr(ImuStoreStats) again = NULL;
  g_autoptr(GPtrArray) trash = NULL;
  gint64 id;

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  g_assert_true (imu_store_trash_session (store, 1, g_get_real_time (), &error));
  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_wal_checkpoint_v2 (imu_store_get_db (store), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
                   ==, SQLITE_OK);
  full = imu_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (full->free_bytes, ==, 0);
  g_clear_object (&store);

  g_assert_cmpint (run_cli (&out, "--library", library, "trash", "empty", NULL), ==, 0);
  g_assert_cmpstr (out, ==, "Deleted 1 session for good\n");
  g_clear_pointer (&out, g_free);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  trash = imu_store_list_trash (store, &error);
  g_assert_cmpuint (trash->len, ==, 0);
  g_assert_cmpint (imu_store_resolve_trashed (store, "1", &error), ==, 0);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (total_samples (store, 1), ==, 0);
  g_assert_cmpint (sqlite3_wal_checkpoint_v2 (imu_store_get_db (store), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
                   ==, SQLITE_OK);
  emptied = imu_store_get_stats (store, &error);
  g_assert_no_error (error);
  /* The session's pages are free pages of the file now... */
  g_assert_cmpint (emptied->free_bytes, >, full->file_bytes / 2);
  g_assert_cmpint (emptied->file_bytes, ==, full->file_bytes);

  /* ...which the same session, made again, fills without growing it; and
   * its id is a new one. */
  id = imu_generator_create_demo_session (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, ==, 2);
  g_assert_cmpint (sqlite3_wal_checkpoint_v2 (imu_store_get_db (store), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL),
                   ==, SQLITE_OK);
  again = imu_store_get_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->file_bytes, <=, full->file_bytes);
  g_clear_object (&store);
  imu_test_rm_rf (dir);
}

/* SUM (length (column)) of @table's rows of session @id, by plain SQL on a
 * connection of the test's own. */
static gint64
blob_bytes (const char *library, const char *sql, gint64 id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n;

  g_assert_cmpint (sqlite3_open_v2 (library, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* `imu db stats` lists the sessions in the trash apart, with their bytes,
 * and not among the others. */
static void
test_stats_trash (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root, *trashed;
  JsonArray *sessions, *trash;
  gint64 samples, envelopes;

  g_assert_no_error (error);
  /* The demo session in the trash is not the demo any more: a second one
   * is made. */
  g_assert_cmpint (imu_generator_create_demo_session (store, NULL, NULL, &error), ==, 1);
  g_assert_true (imu_store_trash_session (store, 1, g_get_real_time (), &error));
  g_assert_no_error (error);
  g_assert_cmpint (imu_generator_create_demo_session (store, NULL, NULL, &error), ==, 2);
  g_clear_object (&store);

  samples = blob_bytes (library, "SELECT SUM (length (data)) FROM chunks WHERE stream_id IN "
                                 "(SELECT id FROM streams WHERE session_id = ?1)", 1);
  envelopes = blob_bytes (library, "SELECT SUM (length (data)) FROM lod WHERE stream_id IN "
                                   "(SELECT id FROM streams WHERE session_id = ?1)", 1);
  g_assert_cmpint (samples, >, 100000);

  g_assert_cmpint (run_cli (&out, "--library", library, "db", "stats", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  sessions = json_object_get_array_member (root, "sessions");
  trash = json_object_get_array_member (root, "trash");
  g_assert_cmpuint (json_array_get_length (sessions), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (sessions, 0), "id"), ==, 2);
  g_assert_cmpuint (json_array_get_length (trash), ==, 1);
  trashed = json_array_get_object_element (trash, 0);
  g_assert_cmpint (json_object_get_int_member (trashed, "id"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (trashed, "samples_bytes"), ==, samples);
  g_assert_cmpint (json_object_get_int_member (trashed, "envelopes_bytes"), ==, envelopes);
  g_assert_cmpint (json_object_get_int_member (root, "trash_bytes"), ==,
                   samples + envelopes + json_object_get_int_member (trashed, "profiles_bytes")
                   + json_object_get_int_member (trashed, "events_bytes"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--library", library, "db", "stats", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "\nIn the trash: 1 session, "));
  g_assert_nonnull (strstr (out, "\n1\t“Interval training” (in the trash): samples "));
  imu_test_rm_rf (dir);
}

/* `imu db backup --to` an Azure Blob target (Azurite, shared key), `imu db
 * backups` lists it, `imu db restore TARGET:NAME` gives a library whose
 * export equals the original's. */
static void
test_backup_azurite (void)
{
  g_autoptr(TestAzurite) az = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *library = NULL;
  g_autofree char *restored = NULL;
  g_autofree char *exp_a = NULL;
  g_autofree char *exp_b = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *url = NULL;
  g_autofree char *port = NULL;
  g_autofree char *out = NULL;
  g_autofree char *source = NULL;
  g_autoptr(ImuSyncTargetConfig) config = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *list;
  JsonObject *backup;

  if (!test_azurite_available ())
    return;
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  g_free (test_azure_admin ("create-container", port, "backups", NULL));
  dir = imu_test_tmpdir ();
  library = g_build_filename (dir, "library.db", NULL);
  restored = g_build_filename (dir, "restored.db", NULL);
  exp_a = g_build_filename (dir, "export-original", NULL);
  exp_b = g_build_filename (dir, "export-restored", NULL);
  uuid = imu_test_sync_library_with_session (library);
  {
    g_autoptr(ImuStore) store = imu_store_open (library, &error);

    g_assert_no_error (error);
    url = test_azure_container_url (az->port, "backups");
    config = test_add_azure_target (store, "azure", url, "lab", "shared-key", TEST_AZURE_KEY);
  }

  g_assert_cmpint (run_cli (&out, "--library", library, "db", "backup", "--to", "azure", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Backed up "));
  g_assert_nonnull (strstr (out, " to target “azure” as library-"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--library", library, "db", "backups", "--json", NULL), ==, 0);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  list = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  backup = json_array_get_object_element (list, 0);
  g_assert_cmpstr (json_object_get_string_member (backup, "target"), ==, "azure");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (backup, "name"), "library-"));
  g_assert_true (g_str_has_suffix (json_object_get_string_member (backup, "name"), ".db.zst"));
  g_assert_cmpint (json_object_get_int_member (backup, "bytes"), >, 0);
  source = g_strdup_printf ("azure:%s", json_object_get_string_member (backup, "name"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (run_cli (&out, "--library", library, "db", "restore", source, "--to", restored, NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Restored azure:library-"));
  export_session (library, exp_a);
  export_session (restored, exp_b);
  assert_same_files (exp_a, exp_b);
  imu_test_rm_rf (dir);
}

static gint64
new_session (ImuStore *store, const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_session_new ();

  imu_session_set_title (s, title);
  imu_store_insert_session (store, s, &error);
  g_assert_no_error (error);
  return imu_session_get_id (s);
}

static void
test_trash_expiry (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) trash = NULL;
  gint64 now = g_get_real_time ();
  gint64 a, b, c;

  g_assert_no_error (error);
  g_assert_cmpint (imu_store_get_trash_days (store, &error), ==, IMU_TRASH_DAYS_DEFAULT);
  a = new_session (store, "a");
  b = new_session (store, "b");
  c = new_session (store, "c");
  /* Trashed 31, 29 and 5 days ago by the clock the store is given. */
  g_assert_true (imu_store_trash_session (store, a, now - 31 * DAY_US, &error));
  g_assert_true (imu_store_trash_session (store, b, now - 29 * DAY_US, &error));
  g_assert_true (imu_store_trash_session (store, c, now - 5 * DAY_US, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  /* Opening the library expires what is older than 30 days: a alone. */
  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  trash = imu_store_list_trash (store, &error);
  g_assert_cmpuint (trash->len, ==, 2);
  g_assert_cmpint (((ImuTrashItem *) g_ptr_array_index (trash, 0))->session_id, ==, c);
  g_assert_cmpint (((ImuTrashItem *) g_ptr_array_index (trash, 1))->session_id, ==, b);
  g_assert_cmpint (imu_store_resolve_trashed (store, "1", &error), ==, 0);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&trash, g_ptr_array_unref);

  /* Ten days from now by the given clock, with 30 days kept: b (39 days) goes. */
  g_assert_cmpint (imu_store_expire_trash (store, now + 10 * DAY_US, &error), ==, 1);
  /* Kept 7 days: c (5 days) stays today, goes in 3 days. */
  g_assert_true (imu_store_set_trash_days (store, 7, &error));
  g_assert_cmpint (imu_store_get_trash_days (store, &error), ==, 7);
  g_assert_cmpint (imu_store_expire_trash (store, now, &error), ==, 0);
  g_assert_cmpint (imu_store_empty_trash (store, 6 * DAY_US, now, &error), ==, 0);
  g_assert_cmpint (imu_store_expire_trash (store, now + 3 * DAY_US, &error), ==, 1);
  g_assert_no_error (error);
  trash = imu_store_list_trash (store, &error);
  g_assert_cmpuint (trash->len, ==, 0);
}

static void
sql_exec (const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", path, message);
  sqlite3_close (db);
}

static char *
read_migration (const char *name)
{
  g_autofree char *file = NULL;
  g_autofree char *rel = g_strconcat ("../src/core/store/migrations/", name, NULL);
  char *sql = NULL;

  file = imu_test_src_file (rel);
  g_assert_true (g_file_get_contents (file, &sql, NULL, NULL));
  return sql;
}

/* A library written at schema 4 gets the trash's column and setting, its
 * sessions outside the trash, each keeping its streams. */
static void
test_trash_migrate (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *m1 = read_migration ("0001-initial.sql");
  g_autofree char *m2 = read_migration ("0002-profiles.sql");
  g_autofree char *m3 = read_migration ("0003-sync.sql");
  g_autofree char *m4 = read_migration ("0004-session-ids.sql");
  g_autofree char *schema4 = g_strconcat (
    "PRAGMA journal_mode = WAL; BEGIN;",
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_us INTEGER NOT NULL);",
    m1, m2, m3, m4,
    "INSERT INTO schema_migrations VALUES (1, '0001-initial.sql', 1), (2, '0002-profiles.sql', 2),"
    " (3, '0003-sync.sql', 3), (4, '0004-session-ids.sql', 4);"
    "PRAGMA application_id = 1229804883;"
    "INSERT INTO sessions (id, uuid, title, start_ns, created_us, updated_us) VALUES"
    " (5, '00000000-0000-4000-8000-000000000005', 'five', 10, 1, 1),"
    " (9, '00000000-0000-4000-8000-000000000009', 'nine', 20, 1, 1);"
    "INSERT INTO streams (id, session_id, name, n_channels, n_samples) VALUES (1, 5, 'acc', 3, 7), (2, 9, 'gyro', 3, 11);"
    "COMMIT;", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) trash = NULL;

  sql_exec (path, schema4);
  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_get_version (store), ==, imu_store_schema_version ());
  listed = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_ASC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 2);
  g_assert_cmpint (imu_session_get_id (g_ptr_array_index (listed, 0)), ==, 5);
  g_assert_cmpint (imu_session_get_id (g_ptr_array_index (listed, 1)), ==, 9);
  trash = imu_store_list_trash (store, &error);
  g_assert_cmpuint (trash->len, ==, 0);
  g_assert_cmpint (imu_store_get_trash_days (store, &error), ==, 30);
  g_assert_true (imu_store_trash_session (store, 9, g_get_real_time (), &error));
  g_clear_pointer (&trash, g_ptr_array_unref);
  trash = imu_store_list_trash (store, &error);
  g_assert_cmpuint (trash->len, ==, 1);
  g_assert_cmpint (((ImuTrashItem *) g_ptr_array_index (trash, 0))->n_samples, ==, 11);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 1);
  g_assert_no_error (error);
}

/* ---- a full disk: a small tmpfs ---- */

static gboolean
run_quiet (const char * const *argv)
{
  int status = -1;

  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                       | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL)
         && g_spawn_check_wait_status (status, NULL);
}

static void
test_disk_full_tmpfs (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *out = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *uuid = NULL;
  g_autofree char *floor = g_format_size ((guint64) IMU_DISK_MIN_FREE);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  const char *mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir, NULL };
  const char *umount_argv[] = { "umount", dir, NULL };
  gint64 avail;

  if (!run_quiet (mount_argv))
    {
      g_test_skip ("cannot mount a tmpfs here (needs root): the full-disk checks are not run");
      return;
    }
  avail = imu_disk_free (dir);
  g_assert_cmpint (avail, >, 7 * 1024 * 1024);
  g_assert_cmpint (avail, <=, 8 * 1024 * 1024);

  /* The demo session: about 3.5 MB of library. */
  uuid = imu_test_sync_library_with_session (library);

  /* An import refuses up front: 8 MiB are below the 100 MiB floor. */
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  g_assert_false (imu_store_check_room_for_import (store, 1000, &error));
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_FULL);
  g_assert_nonnull (strstr (error->message, floor));
  g_clear_error (&error);
  g_clear_object (&store);

  csv = imu_test_write_file ("small.csv", "time,ax,ay,az\n0.00,1,2,3\n0.01,1,2,4\n0.02,1,2,5\n", -1);
  g_assert_cmpint (run_cli (&out, "--library", library, "import", csv, NULL), ==, 5);
  g_assert_nonnull (strstr (out, "nothing was imported"));
  g_assert_nonnull (strstr (out, floor));
  g_clear_pointer (&out, g_free);
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 1);
  g_clear_object (&store);

  /* Compact refuses before writing anything: with SQLite's temporary
   * folder on the same small disk, the copy and the WAL need twice the
   * compacted size (about 7 MB), more than is free. */
  before = imu_test_sha256_file (library);
  g_setenv ("SQLITE_TMPDIR", dir, TRUE);
  g_assert_cmpint (run_cli (&out, "--library", library, "db", "compact", NULL), ==, 5);
  g_unsetenv ("SQLITE_TMPDIR");
  g_assert_nonnull (strstr (out, "of free disk space, and there is"));
  g_assert_nonnull (strstr (out, "nothing was changed"));
  g_clear_pointer (&out, g_free);
  after = imu_test_sha256_file (library);
  g_assert_cmpstr (before, ==, after);

  g_assert_true (run_quiet (umount_argv));
  imu_test_rm_rf (dir);
}

/* The recorder on a disk that fills up: it keeps a margin of free space
 * (src/core/record: a quarter of a file system this small), so it stops
 * by itself before SQLite finds the disk full — exit 5, a message that
 * says why, what it committed stays, the session is complete and the
 * library healthy. */
static void
test_disk_full_record (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *work = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *csv = g_build_filename (work, "two-hours.csv", NULL);
  g_autofree char *source = g_strconcat ("replay:", csv, NULL);
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  const char *mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir, NULL };
  const char *umount_argv[] = { "umount", dir, NULL };

  if (!run_quiet (mount_argv))
    {
      g_test_skip ("cannot mount a tmpfs here (needs root): the full-disk recording is not run");
      return;
    }
  /* 2 h at 100 Hz, 6 channels: more than 8 MiB of library. */
  g_assert_cmpint (run_cli (&out, "generate", "--hours", "2", "--seed", "3", "-o", csv, NULL), ==, 0);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "--library", library, "record", "--source", source, "--speed", "20000", NULL), ==, 5);
  g_assert_nonnull (strstr (out, "is nearly full"));
  g_assert_null (strstr (out, "database or disk is full"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (&out, "--library", library, "check", NULL), ==, 0);
  g_clear_pointer (&out, g_free);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_COMPLETE);
  g_assert_cmpint (total_samples (store, 1), >, 100000);
  g_clear_object (&session);
  g_clear_object (&store);

  g_assert_true (run_quiet (umount_argv));
  imu_test_rm_rf (dir);
  imu_test_rm_rf (work);
}

int
main (int argc, char **argv)
{
  imu_test_sync_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/db-ops/backup/folder-cli", test_backup_folder_cli);
  g_test_add_func ("/db-ops/backup/s3", test_backup_s3);
  g_test_add_func ("/db-ops/trash/delete-restore", test_trash_delete_restore);
  g_test_add_func ("/db-ops/trash/empty-reuses-space", test_trash_empty_reuses_space);
  g_test_add_func ("/db-ops/trash/expiry", test_trash_expiry);
  g_test_add_func ("/db-ops/trash/migrate", test_trash_migrate);
  g_test_add_func ("/db-ops/stats/trash", test_stats_trash);
  g_test_add_func ("/db-ops/backup/azurite", test_backup_azurite);
  g_test_add_func ("/db-ops/disk/tmpfs", test_disk_full_tmpfs);
  g_test_add_func ("/db-ops/disk/record-full", test_disk_full_record);
  return g_test_run ();
}
