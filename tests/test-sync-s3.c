/* test-sync-s3.c — the S3 backend against s3rver behind a SigV4-verifying proxy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * s3rver (npm) stores the objects; tests/servers/s3-verify-proxy.mjs in
 * front of it checks every request's signature with AWS's own signer, so a
 * wrong signature fails these tests, and logs each request ("METHOD URL
 * STATUS"), which is how the tests count UploadPart requests. Skipped with
 * a message when node or tests/servers/node_modules is missing.
 */
#define G_LOG_DOMAIN "imu-test"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "imu-sync-s3.h"
#include "imu-sync-scheduler.h"
#include "imu-test-servers.h"
#include "imu-test-util.h"

#define ACCESS_KEY "S3RVER"          /* the one key s3rver knows */
#define SECRET "imu-test-S3-secret-7f3a9c2e51"
#define BUCKET "imu"
#define MiB (1 << 20)

static struct {
  char        *dir;        /* s3rver's data */
  char        *log;        /* the proxy's request log */
  GSubprocess *s3rver;
  GSubprocess *proxy;
  guint16      s3rver_port;
  guint16      proxy_port;
} srv;

static void
s3rver_start (void)
{
  /* s3rver's own command line, behind a guard against its abort race. */
  g_autofree char *bin = imu_test_servers_path ("s3rver-run.js");
  g_autofree char *port = g_strdup_printf ("%u", srv.s3rver_port);
  /* s3rver encrypts its ListObjectsV2 continuation tokens with DES, which
   * OpenSSL 3 keeps in its legacy provider. */
  const char *argv[] = { "node", "--openssl-legacy-provider", bin, "-d", srv.dir, "-a", "127.0.0.1", "-p", port,
                         "--configure-bucket", BUCKET, "--silent", NULL };
  g_autoptr(GError) error = NULL;

  /* Its stdout would mix with the TAP output. */
  srv.s3rver = imu_test_spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE, &error);
  g_assert_no_error (error);
  g_assert_true (imu_test_wait_port (srv.s3rver_port, 20000));
}

static void
s3rver_stop (void)
{
  imu_test_stop_server (srv.s3rver);
  g_clear_object (&srv.s3rver);
}

static void
servers_stop (void)
{
  s3rver_stop ();
  imu_test_stop_server (srv.proxy);
  g_clear_object (&srv.proxy);
}

static gboolean
servers_up (void)
{
  g_autofree char *proxy = NULL;
  g_autofree char *upstream = NULL;
  g_autoptr(GError) error = NULL;

  if (!imu_test_node_available ("s3rver") || !imu_test_node_available ("@aws-sdk/signature-v4"))
    return FALSE;
  if (srv.proxy != NULL)
    return TRUE;
  srv.dir = imu_test_tmpdir ();
  srv.log = g_build_filename (srv.dir, "proxy.log", NULL);
  srv.s3rver_port = imu_test_free_port ();
  s3rver_start ();
  proxy = imu_test_servers_path ("s3-verify-proxy.mjs");
  upstream = g_strdup_printf ("%u", srv.s3rver_port);
  {
    const char *argv[] = { "node", proxy, "--upstream", upstream, "--data", srv.dir, "--access-key", ACCESS_KEY,
                           "--secret-key", SECRET, "--region", "us-east-1", "--port", "0", "--log", srv.log,
                           /* Small pages: every list walks continuation tokens. */
                           "--max-keys", "3", NULL };

    srv.proxy = imu_test_spawn_with_port (argv, &srv.proxy_port, &error);
    g_assert_no_error (error);
  }
  atexit (servers_stop);
  return TRUE;
}

static char *
endpoint (void)
{
  return g_strdup_printf ("http://127.0.0.1:%u", srv.proxy_port);
}

static ImuSyncTargetConfig *
make_config (const char *name, const char *prefix)
{
  g_autofree char *url = endpoint ();
  ImuSyncTargetConfig *config = imu_sync_target_config_new (name, "s3", url);

  g_free (config->config_json);
  config->config_json = g_strdup ("{\"bucket\": \"" BUCKET "\", \"region\": \"us-east-1\", "
                                  "\"access_key\": \"" ACCESS_KEY "\", \"path_style\": true}");
  g_free (config->prefix);
  config->prefix = g_strdup (prefix);
  return config;
}

static ImuSyncTarget *
make_target (const char *prefix, const char *secret)
{
  g_autoptr(ImuSyncTargetConfig) config = make_config ("s3-test", prefix);
  g_autofree char *secret_json = g_strdup_printf ("{\"secret_key\": \"%s\"}", secret);
  g_autoptr(GError) error = NULL;
  ImuSyncTarget *target = imu_sync_target_new (config, secret_json, &error);

  g_assert_no_error (error);
  g_assert_true (IMU_IS_SYNC_S3 (target));
  return target;
}

/* A file of @size pseudo-random bytes (fixed seed: the same bytes each run). */
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

/* Lines of the proxy's log that match @regex, for one test's prefix. */
static guint
count_requests (const char *regex)
{
  return imu_test_count_lines (srv.log, regex);
}

/* Unfinished multipart uploads in s3rver's folder: a folder with the
 * upload's key file. (A part still being written when its upload is
 * aborted makes s3rver create the folder again, without a key: no upload,
 * just the emulator's leftovers. S3 says a part in flight during an abort
 * may or may not land.) */
static guint
count_pending_uploads (void)
{
  g_autofree char *dir = g_build_filename (srv.dir, BUCKET, "._S3rver_uploads", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *key = g_build_filename (dir, name, "key", NULL);

      if (g_file_test (key, G_FILE_TEST_EXISTS))
        n++;
    }
  return n;
}

/* Parts of unfinished uploads that s3rver holds whole: a part file of the
 * right size for its number, with its .md5 beside it (written last). */
static guint
count_stored_parts (guint64 size, guint part_size)
{
  g_autofree char *dir = g_build_filename (srv.dir, BUCKET, "._S3rver_uploads", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *id;
  guint n = 0;

  while (d != NULL && (id = g_dir_read_name (d)) != NULL)
    for (guint i = 0; (guint64) i * part_size < size; i++)
      {
        g_autofree char *name = g_strdup_printf ("%u", i + 1);
        g_autofree char *part = g_build_filename (dir, id, name, NULL);
        g_autofree char *md5 = g_strconcat (part, ".md5", NULL);
        GStatBuf st;

        g_autofree char *data = NULL, *recorded = NULL, *actual = NULL;
        gsize len = 0;

        /* A part counts only when s3rver holds it whole with its checksum
         * written out: a kill can land after the data but while the .md5 is
         * being written, and the client then rightly sends that part again. */
        if (g_stat (part, &st) != 0 || (guint64) st.st_size != MIN ((guint64) part_size, size - (guint64) i * part_size)
            || !g_file_get_contents (md5, &recorded, NULL, NULL)
            || !g_file_get_contents (part, &data, &len, NULL))
          continue;
        actual = g_compute_checksum_for_data (G_CHECKSUM_MD5, (const guchar *) data, len);
        g_strstrip (recorded);
        if (g_str_has_prefix (recorded, "\""))
          {
            memmove (recorded, recorded + 1, strlen (recorded));
            if (*recorded && recorded[strlen (recorded) - 1] == '"')
              recorded[strlen (recorded) - 1] = '\0';
          }
        if (g_ascii_strcasecmp (recorded, actual) == 0)
          n++;
      }
  return n;
}

static void
round_trip (const char *prefix, gsize size, guint part_size, guint expected_parts)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuSyncObject) head = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = random_file (size, 42);
  g_autofree char *sha = imu_test_sha256_file (path);
  g_autofree char *key = NULL;
  g_autofree char *back_dir = imu_test_tmpdir ();
  g_autofree char *back = g_build_filename (back_dir, "back.bin", NULL);
  g_autofree char *back_sha = NULL;
  g_autofree char *part_re = g_strdup_printf ("^PUT /" BUCKET "/%s/sessions/u1/bundle\\.imub\\?partNumber=\\d+&uploadId=\\w+ 200$", prefix);
  g_autofree char *expected_key = g_strdup_printf ("%s/sessions/u1/bundle.imub", prefix);
  g_autofree char *single_re = g_strdup_printf ("^PUT /" BUCKET "/%s/sessions/u1/bundle\\.imub 200$", prefix);
  ImuSyncTransfer transfer = { 0 };
  guint parts_before = imu_sync_s3_get_upload_part_count ();
  gboolean found = FALSE;

  if (!servers_up ())
    return;
  target = make_target (prefix, SECRET);
  imu_sync_s3_set_part_size (IMU_SYNC_S3 (target), part_size);
  key = imu_sync_target_session_key (target, "u1", "bundle.imub");
  g_assert_cmpstr (key, ==, expected_key);

  g_assert_true (imu_sync_target_put (target, key, path, sha, "application/octet-stream", &transfer, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (transfer.bytes_done, ==, size);
  g_assert_cmpuint (imu_sync_s3_get_upload_part_count () - parts_before, ==, expected_parts);
  g_assert_cmpuint (count_requests (part_re), ==, expected_parts);
  g_assert_cmpuint (count_requests (single_re), ==, expected_parts == 0 ? 1 : 0);
  imu_sync_transfer_clear (&transfer);

  head = imu_sync_target_head (target, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (head->size, ==, (gint64) size);
  g_assert_cmpstr (head->sha256, ==, sha);

  list = imu_sync_target_list (target, prefix, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < list->len; i++)
    {
      ImuSyncObject *o = g_ptr_array_index (list, i);

      if (g_str_equal (o->key, key))
        {
          g_assert_cmpint (o->size, ==, (gint64) size);
          found = TRUE;
        }
    }
  g_assert_true (found);

  g_assert_true (imu_sync_target_get (target, key, back, NULL, NULL, &error));
  g_assert_no_error (error);
  back_sha = imu_test_sha256_file (back);
  g_assert_cmpstr (back_sha, ==, sha);

  g_assert_true (imu_sync_target_remove (target, key, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&head, imu_sync_object_free);
  head = imu_sync_target_head (target, key, NULL, &error);
  g_assert_null (head);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Removing what is gone is not an error. */
  g_assert_true (imu_sync_target_remove (target, key, NULL, &error));
  g_assert_no_error (error);
}

static void
test_round_trip_single (void)
{
  round_trip ("single", 100 * 1024 + 7, IMU_SYNC_S3_PART_SIZE, 0);
}

static void
test_round_trip_multipart (void)
{
  /* 5 MiB + 123 bytes in 1 MiB parts: 6 parts, the last of 123 bytes. */
  round_trip ("multi", 5 * MiB + 123, MiB, 6);
}

static void
test_round_trip_empty (void)
{
  round_trip ("empty", 0, IMU_SYNC_S3_PART_SIZE, 0);
}

/* A bucket that does not exist is made on first use (as rclone does);
 * with "create": "no" the put fails with a message that names it. */
static void
test_missing_bucket (void)
{
  const char *names[] = { "made-on-first-use", "not-there" };
  g_autofree char *path = random_file (1000, 7);
  g_autofree char *sha = imu_test_sha256_file (path);

  if (!servers_up ())
    return;
  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr(ImuSyncTargetConfig) config = make_config ("s3-new", "p");
      g_autoptr(ImuSyncTarget) target = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *secret_json = g_strdup_printf ("{\"secret_key\": \"%s\"}", SECRET);
      g_autofree char *created_re = g_strdup_printf ("^PUT /%s 200$", names[k]);
      gboolean ok;

      g_free (config->config_json);
      config->config_json = g_strdup_printf ("{\"bucket\": \"%s\", \"region\": \"us-east-1\", "
                                             "\"access_key\": \"" ACCESS_KEY "\", \"path_style\": true%s}",
                                             names[k], k == 1 ? ", \"create\": \"no\"" : "");
      target = imu_sync_target_new (config, secret_json, &error);
      g_assert_no_error (error);
      ok = imu_sync_target_put (target, "p/sessions/u1/bundle.imub", path, sha, "application/octet-stream",
                                NULL, NULL, &error);
      if (k == 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
          g_assert_cmpuint (count_requests (created_re), ==, 1);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND);
          g_assert_nonnull (strstr (error->message, "bucket “not-there” does not exist"));
          g_assert_cmpuint (count_requests (created_re), ==, 0);
        }
    }
}

/* A key with spaces and non-ASCII letters is signed and stored as it is. */
static void
test_unicode_key (void)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuSyncObject) head = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = random_file (1000, 7);
  g_autofree char *sha = imu_test_sha256_file (path);
  const char *key = "unicode/Jürgen's run 日本/a+b (1).bin";

  if (!servers_up ())
    return;
  target = make_target ("unicode", SECRET);
  g_assert_true (imu_sync_target_put (target, key, path, sha, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  list = imu_sync_target_list (target, "unicode/Jürgen", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((ImuSyncObject *) g_ptr_array_index (list, 0))->key, ==, key);
  head = imu_sync_target_head (target, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (head->sha256, ==, sha);
  g_assert_true (imu_sync_target_remove (target, key, NULL, &error));
  g_assert_no_error (error);
}

/* ListObjectsV2 in pages of 3 (the proxy's --max-keys): 7 objects come
 * back from 3 requests, the last 2 with a continuation token. */
static void
test_list_pages (void)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = random_file (10, 8);
  g_autofree char *sha = imu_test_sha256_file (path);

  if (!servers_up ())
    return;
  target = make_target ("page", SECRET);
  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *key = g_strdup_printf ("page/sessions/u%u/bundle.imub", i);

      g_assert_true (imu_sync_target_put (target, key, path, sha, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  list = imu_sync_target_list (target, "page/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 7);
  for (guint i = 0; i < 7; i++)
    {
      g_autofree char *key = g_strdup_printf ("page/sessions/u%u/bundle.imub", i);
      ImuSyncObject *o = g_ptr_array_index (list, i);

      g_assert_cmpstr (o->key, ==, key);
      g_assert_cmpint (o->size, ==, 10);
    }
  g_assert_cmpuint (count_requests ("^GET /" BUCKET "\\?list-type=2&prefix=page%2F 200$"), ==, 1);
  g_assert_cmpuint (count_requests ("^GET /" BUCKET "\\?continuation-token=[A-Za-z0-9%]+&list-type=2&prefix=page%2F 200$"), ==, 2);
}

/* The proxy refuses a signature made with another secret, and the error
 * says what to check. */
static void
test_wrong_secret (void)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = random_file (100, 1);
  g_autofree char *sha = imu_test_sha256_file (path);
  guint refused_before;

  if (!servers_up ())
    return;
  refused_before = count_requests (" 403 SignatureDoesNotMatch$");
  target = make_target ("wrong", "not-the-right-secret-0000");
  list = imu_sync_target_list (target, "wrong/", NULL, &error);
  g_assert_null (list);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "SignatureDoesNotMatch"));
  g_assert_nonnull (strstr (error->message, "secret key"));
  g_assert_nonnull (strstr (error->message, "region"));
  g_assert_null (strstr (error->message, "not-the-right-secret-0000"));
  g_clear_error (&error);
  g_assert_false (imu_sync_target_put (target, "wrong/x", path, sha, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_AUTH);
  g_assert_false (imu_sync_error_is_transient (error));
  g_assert_cmpuint (count_requests (" 403 SignatureDoesNotMatch$") - refused_before, ==, 2);
}

typedef struct {
  guint         saves;         /* resume states saved */
  guint         stop_after;    /* parts recorded before stopping */
  gboolean      kill_server;   /* stop by killing s3rver, else by cancelling */
  GCancellable *cancellable;
} Interrupt;

static guint
recorded_parts (const char *resume_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o;

  g_assert_true (json_parser_load_from_data (parser, resume_json, -1, NULL));
  o = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (o, "backend"), ==, "s3");
  g_assert_cmpstr (json_object_get_string_member (o, "upload_id"), !=, "");
  return json_array_get_length (json_object_get_array_member (o, "parts"));
}

static void
interrupt_cb (ImuSyncTransfer *transfer, gboolean resume_changed, gpointer data)
{
  Interrupt *in = data;

  if (!resume_changed)
    return;
  in->saves++;
  if (recorded_parts (transfer->resume_json) != in->stop_after)
    return;
  if (in->kill_server)
    s3rver_stop ();
  else
    g_cancellable_cancel (in->cancellable);
}

/* Drops the last recorded part from a resume state: a crash after the part
 * was sent but before it was recorded. */
static char *
forget_last_part (const char *resume_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  JsonArray *parts;

  g_assert_true (json_parser_load_from_data (parser, resume_json, -1, NULL));
  parts = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "parts");
  json_array_remove_element (parts, json_array_get_length (parts) - 1);
  json_generator_set_root (gen, json_parser_get_root (parser));
  return json_generator_to_data (gen, NULL);
}

/* s3rver dies once 3 of 8 parts are recorded (others may be in flight:
 * parts go up IMU_SYNC_S3_CONCURRENCY at a time); started again, the
 * upload resumes from ListParts and sends only the parts the storage does
 * not hold — also when the last recorded part's record is lost (found by
 * its MD5). The proxy's log says which parts the storage took. */
static void
test_resume_after_crash (void)
{
  static const char part_ok_re[] = "^PUT /" BUCKET "/crash/sessions/u2/bundle\\.imub\\?partNumber=\\d+&uploadId=\\w+ 200$";
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuSyncTarget) again = NULL;
  g_autoptr(ImuSyncObject) head = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = random_file (7 * MiB + MiB / 2, 3);
  g_autofree char *sha = imu_test_sha256_file (path);
  g_autofree char *back_dir = imu_test_tmpdir ();
  g_autofree char *back = g_build_filename (back_dir, "back.bin", NULL);
  g_autofree char *back_sha = NULL;
  g_autofree char *resume = NULL;
  Interrupt in = { 0, 3, TRUE, NULL };
  ImuSyncTransfer transfer = { 0 };
  const char *key = "crash/sessions/u2/bundle.imub";
  guint taken, recorded, before, sent;
  gboolean ok;

  if (!servers_up ())
    return;
  target = make_target ("crash", SECRET);
  imu_sync_s3_set_part_size (IMU_SYNC_S3 (target), MiB);
  transfer.changed = interrupt_cb;
  transfer.user_data = &in;
  g_assert_false (imu_sync_target_put (target, key, path, sha, NULL, &transfer, NULL, &error));
  /* The proxy answers 502 when s3rver is gone: worth another try. */
  g_assert_true (imu_sync_error_is_transient (error));
  g_clear_error (&error);
  /* What the storage holds: parts acknowledged (in the log), and maybe one
   * that s3rver wrote whole but died before acknowledging. */
  taken = count_stored_parts (7 * MiB + MiB / 2, MiB);
  recorded = recorded_parts (transfer.resume_json);
  g_assert_cmpuint (recorded_parts (transfer.resume_json), >=, 3);
  g_assert_cmpuint (recorded_parts (transfer.resume_json), <=, count_requests (part_ok_re));
  g_assert_cmpuint (count_requests (part_ok_re), <=, taken);
  g_assert_cmpuint (taken, <, 8);

  s3rver_start ();
  resume = forget_last_part (transfer.resume_json);
  imu_sync_transfer_clear (&transfer);
  transfer.resume_json = g_steal_pointer (&resume);
  transfer.changed = NULL;
  again = make_target ("crash", SECRET);
  imu_sync_s3_set_part_size (IMU_SYNC_S3 (again), MiB);
  before = imu_sync_s3_get_upload_part_count ();
  ok = imu_sync_target_put (again, key, path, sha, NULL, &transfer, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  /* The parts the storage lists are not sent again — among them every
   * acknowledged one, the forgotten last included, which only ListParts
   * names now. A part s3rver wrote to disk but had not yet recorded when it
   * was killed is not listed, and is rightly sent again: so between
   * 8 − taken (all on disk listed) and 8 − recorded (only acknowledged). */
  sent = imu_sync_s3_get_upload_part_count () - before;
  g_assert_cmpuint (sent, >=, 8 - taken);
  g_assert_cmpuint (sent, <=, 8 - recorded);
  g_assert_cmpuint (count_stored_parts (7 * MiB + MiB / 2, MiB), ==, 0);
  g_assert_cmpuint (count_requests ("^GET /" BUCKET "/crash/sessions/u2/bundle\\.imub\\?uploadId=\\w+ 200 \\(ListParts\\)$"), ==, 1);
  g_assert_cmpuint (count_requests ("^POST /" BUCKET "/crash/sessions/u2/bundle\\.imub\\?uploads= 200$"), ==, 1);
  imu_sync_transfer_clear (&transfer);

  head = imu_sync_target_head (again, key, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (head->size, ==, 7 * MiB + MiB / 2);
  g_assert_true (imu_sync_target_get (again, key, back, NULL, NULL, &error));
  g_assert_no_error (error);
  back_sha = imu_test_sha256_file (back);
  g_assert_cmpstr (back_sha, ==, sha);
  g_assert_cmpuint (count_pending_uploads (), ==, 0);
}

/* A cancelled upload keeps its parts for a resume; removing the item's key
 * aborts it and the storage holds no unfinished upload any more. */
static void
test_cancel_aborts (void)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(GPtrArray) uploads = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *path = random_file (4 * MiB, 4);
  g_autofree char *sha = imu_test_sha256_file (path);
  Interrupt in = { 0, 2, FALSE, cancellable };
  ImuSyncTransfer transfer = { 0 };
  const char *key = "cancel/sessions/u3/bundle.imub";

  if (!servers_up ())
    return;
  target = make_target ("cancel", SECRET);
  imu_sync_s3_set_part_size (IMU_SYNC_S3 (target), MiB);
  transfer.changed = interrupt_cb;
  transfer.user_data = &in;
  g_assert_false (imu_sync_target_put (target, key, path, sha, NULL, &transfer, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  imu_sync_transfer_clear (&transfer);

  uploads = imu_sync_s3_list_uploads (IMU_SYNC_S3 (target), "cancel/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uploads->len, ==, 1);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (uploads, 0), "cancel/sessions/u3/bundle.imub\n"));
  g_assert_cmpuint (count_pending_uploads (), ==, 1);

  g_assert_true (imu_sync_target_remove (target, key, NULL, &error));
  g_assert_no_error (error);
  g_clear_pointer (&uploads, g_ptr_array_unref);
  uploads = imu_sync_s3_list_uploads (IMU_SYNC_S3 (target), "cancel/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uploads->len, ==, 0);
  g_assert_cmpuint (count_pending_uploads (), ==, 0);
  g_assert_cmpuint (count_requests ("^DELETE /" BUCKET "/cancel/sessions/u3/bundle\\.imub\\?uploadId=\\w+ 204"), ==, 1);
}

/* ---- through the scheduler: push, pull, a damaged bundle ---- */

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

static void
test_scheduler_push_pull (void)
{
  g_autofree char *lib_a = imu_test_library_path ();
  g_autofree char *lib_b = imu_test_library_path ();
  g_autofree char *lib_c = imu_test_library_path ();
  g_autofree char *uuid = NULL;
  g_autofree char *object = NULL;
  g_autofree char *secret = g_strdup_printf ("{\"secret_key\": \"%s\"}", SECRET);
  g_autofree char *logs = NULL;
  g_autofree gchar *data = NULL;
  g_autoptr(ImuSyncItem) push = NULL;
  g_autoptr(ImuSyncItem) pull = NULL;
  g_autoptr(ImuSyncItem) bad = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  if (!servers_up ())
    return;
  uuid = imu_test_sync_library_with_session (lib_a);
  {
    g_autoptr(ImuSyncTargetConfig) a = make_config ("lab-s3", "sched");
    g_autoptr(ImuSyncTargetConfig) b = make_config ("lab-s3", "sched");
    g_autoptr(ImuSyncTargetConfig) c = make_config ("lab-s3", "sched");

    imu_test_sync_add_target (lib_a, a, secret);
    imu_test_sync_add_target (lib_b, b, secret);
    imu_test_sync_add_target (lib_c, c, secret);
  }

  imu_test_sync_run (lib_a, "lab-s3", TRUE, FALSE, 30);
  push = only_item (lib_a, IMU_SYNC_PUSH);
  g_assert_cmpstr (imu_sync_state_to_string (push->state), ==, "done");
  g_assert_cmpstr (push->session_uuid, ==, uuid);

  imu_test_sync_run (lib_b, "lab-s3", FALSE, TRUE, 30);
  pull = only_item (lib_b, IMU_SYNC_PULL);
  g_assert_cmpstr (imu_sync_state_to_string (pull->state), ==, "done");
  g_assert_true (imu_test_sync_has_session (lib_b, uuid));

  /* One byte of the stored bundle flipped: the pull refuses it. */
  object = g_strdup_printf ("%s/" BUCKET "/sched/sessions/%s/bundle.imub._S3rver_object", srv.dir, uuid);
  g_file_get_contents (object, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 1000);
  data[len / 2] ^= 0x01;
  g_file_set_contents (object, data, (gssize) len, &error);
  g_assert_no_error (error);
  imu_test_sync_run (lib_c, "lab-s3", FALSE, TRUE, 5);
  bad = only_item (lib_c, IMU_SYNC_PULL);
  g_assert_cmpstr (imu_sync_state_to_string (bad->state), !=, "done");
  g_assert_nonnull (bad->last_error);
  g_assert_nonnull (strstr (bad->last_error, "sha256"));
  g_assert_false (imu_test_sync_has_session (lib_c, uuid));

  /* Nothing logged in the process (debug messages included) holds the secret. */
  logs = imu_test_captured_logs ();
  g_assert_null (strstr (logs, SECRET));
}

/* ---- the command line ---- */

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

/* `imu target add … s3`, `imu target test`, `imu sync`, a wrong secret:
 * with every debug message on, the secret never shows. */
static void
test_cli_no_secret_in_logs (void)
{
  g_autofree char *lib = imu_test_library_path ();
  g_autofree char *url = NULL;
  g_autofree char *uuid = NULL;
  g_autoptr(GString) all = g_string_new (NULL);
  g_autoptr(GRegex) signature = g_regex_new ("Signature=[0-9a-f]{64}", 0, 0, NULL);
  char *out = NULL;
  int status;

  if (!servers_up ())
    return;
  url = endpoint ();
  uuid = imu_test_sync_library_with_session (lib);

  status = run_cli (SECRET "\n", &out, "--library", lib, "target", "add", "cli-s3", "s3", "--endpoint", url,
                    "--region", "us-east-1", "--bucket", BUCKET, "--access-key", ACCESS_KEY, "--secret-from-stdin",
                    "--prefix", "cli", NULL);
  g_string_append (all, out);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  status = run_cli (NULL, &out, "--library", lib, "target", "test", "cli-s3", NULL);
  g_string_append (all, out);
  g_assert_nonnull (strstr (out, "write and delete a probe object: ok"));
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  status = run_cli (NULL, &out, "--library", lib, "sync", "--target", "cli-s3", NULL);
  g_string_append (all, out);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  status = run_cli ("wrong-secret-for-the-cli-test\n", &out, "--library", lib, "target", "secret", "cli-s3",
                    "--secret-from-stdin", NULL);
  g_string_append (all, out);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  status = run_cli (NULL, &out, "--library", lib, "target", "test", "cli-s3", NULL);
  g_string_append (all, out);
  g_assert_nonnull (strstr (out, "SignatureDoesNotMatch"));
  g_assert_cmpint (status, ==, 8);
  g_clear_pointer (&out, g_free);

  g_assert_null (strstr (all->str, SECRET));
  g_assert_null (strstr (all->str, "wrong-secret-for-the-cli-test"));
  g_assert_false (g_regex_match (signature, all->str, 0, NULL));
  /* The debug messages were on: the output is not just silent. */
  g_assert_nonnull (strstr (all->str, "imu-"));
}

/* ---- cancelling a push for good ---- */

typedef struct {
  GCancellable *cancellable;
  guint         stop_after;    /* parts recorded before stopping the run */
  gint64        bytes_total;
} StopRun;

static void
stop_run_cb (ImuSyncScheduler *scheduler, const ImuSyncItem *item, gpointer data)
{
  StopRun *stop = data;

  if (item->direction != IMU_SYNC_PUSH || item->resume_state == NULL)
    return;
  stop->bytes_total = item->bytes_total;
  if (recorded_parts (item->resume_state) >= stop->stop_after)
    g_cancellable_cancel (stop->cancellable);
}

/* A scheduler's multipart push is stopped part-way (its run cancelled, as
 * when the app quits): the item stays queued with its upload id and the
 * storage keeps the upload. `imu sync cancel` then aborts that upload
 * (one AbortMultipartUpload, ListMultipartUploads through the verifying
 * proxy shows none) and takes the push out of the queue. */
static void
test_scheduler_cancel (void)
{
  static const char abort_re[] = "^DELETE /" BUCKET "/schedcancel/sessions/[0-9a-f-]+/bundle\\.imub\\?uploadId=\\w+ 204";
  g_autofree char *lib = imu_test_library_path ();
  g_autofree char *secret = g_strdup_printf ("{\"secret_key\": \"%s\"}", SECRET);
  g_autofree char *uuid = NULL;
  g_autofree char *key = NULL;
  g_autofree char *out = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuSyncItem) stopped = NULL;
  g_autoptr(ImuSyncObject) head = NULL;
  g_autoptr(GPtrArray) uploads = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "lab-s3", NULL };
  StopRun stop = { cancellable, 2, 0 };
  int status;

  if (!servers_up ())
    return;
  uuid = imu_test_sync_library_with_session (lib);
  {
    g_autoptr(ImuSyncTargetConfig) config = make_config ("lab-s3", "schedcancel");

    /* Parts of 16 KiB: the demo session's bundle becomes a multipart
     * upload of many parts, so the run stops long before the last. */
    g_free (config->config_json);
    config->config_json = g_strdup ("{\"bucket\": \"" BUCKET "\", \"region\": \"us-east-1\", "
                                    "\"access_key\": \"" ACCESS_KEY "\", \"path_style\": true, "
                                    "\"part_size\": 16384}");
    imu_test_sync_add_target (lib, config, secret);
    store = imu_store_open (lib, &error);
    g_assert_no_error (error);
    g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, config->id, &error), ==, 1);
  }

  scheduler = imu_sync_scheduler_new (lib);
  imu_sync_scheduler_set_targets (scheduler, names);
  imu_sync_scheduler_set_directions (scheduler, 1u << IMU_SYNC_PUSH);
  imu_sync_scheduler_set_network_available (scheduler, 1);
  g_signal_connect (scheduler, "item-changed", G_CALLBACK (stop_run_cb), &stop);
  g_assert_false (imu_sync_scheduler_run (scheduler, FALSE, 30, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_test_message ("bundle: %" G_GINT64_FORMAT " bytes", stop.bytes_total);
  /* More than a few parts: stopping after 2 leaves some unsent. */
  g_assert_cmpint (stop.bytes_total, >, 8 * 16384);

  /* Stopped, not cancelled: queued again, resumable, the upload kept. */
  stopped = only_item (lib, IMU_SYNC_PUSH);
  g_assert_cmpstr (imu_sync_state_to_string (stopped->state), ==, "queued");
  g_assert_nonnull (stopped->resume_state);
  g_assert_cmpuint (recorded_parts (stopped->resume_state), >=, 2);
  target = make_target ("schedcancel", SECRET);
  uploads = imu_sync_s3_list_uploads (IMU_SYNC_S3 (target), "schedcancel/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uploads->len, ==, 1);
  key = g_strdup_printf ("schedcancel/sessions/%s/bundle.imub", uuid);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (uploads, 0), key));
  g_assert_cmpuint (count_requests (abort_re), ==, 0);

  /* By uuid prefix, as the other commands take it. */
  {
    g_autofree char *prefix = g_strndup (uuid, 8);

    status = run_cli (NULL, &out, "--library", lib, "sync", "cancel", prefix, "--target", "lab-s3", NULL);
  }
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "1 transfer of session"));

  g_clear_pointer (&uploads, g_ptr_array_unref);
  uploads = imu_sync_s3_list_uploads (IMU_SYNC_S3 (target), "schedcancel/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uploads->len, ==, 0);
  g_assert_cmpuint (count_requests (abort_re), ==, 1);
  /* No object either: the upload never completed. */
  head = imu_sync_target_head (target, key, NULL, &error);
  g_assert_null (head);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The queue holds nothing for the session, and nothing pending at all. */
  items = imu_sync_queue_list_items (store, 0, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < items->len; i++)
    g_assert_cmpstr (((ImuSyncItem *) g_ptr_array_index (items, i))->session_uuid, !=, uuid);
  g_assert_cmpint (imu_sync_queue_count_pending (store, NULL, (1u << IMU_SYNC_PUSH) | (1u << IMU_SYNC_PULL)), ==, 0);

  /* A second cancel finds nothing to do. */
  g_clear_pointer (&out, g_free);
  status = run_cli (NULL, &out, "--library", lib, "sync", "cancel", uuid, NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "has no transfer to cancel"));
  g_assert_cmpuint (count_requests (abort_re), ==, 1);
}

typedef struct {
  ImuSyncScheduler *scheduler;
  const char       *uuid;
  gint64            cancelled;     /* what cancel_session returned, -1 before */
  guint             removed;       /* "item-removed" emissions */
} CancelInProcess;

static void
cancel_in_process_cb (ImuSyncScheduler *scheduler, const ImuSyncItem *item, gpointer data)
{
  CancelInProcess *c = data;
  g_autoptr(GError) error = NULL;

  if (c->cancelled >= 0 || item->resume_state == NULL || recorded_parts (item->resume_state) < 2)
    return;
  /* On the scheduler's own thread, while the transfer runs. */
  c->cancelled = imu_sync_scheduler_cancel_session (scheduler, c->uuid, NULL, NULL, &error);
  g_assert_no_error (error);
}

static void
item_removed_cb (ImuSyncScheduler *scheduler, const ImuSyncItem *item, gpointer data)
{
  CancelInProcess *c = data;

  g_assert_cmpstr (item->session_uuid, ==, c->uuid);
  c->removed++;
}

/* The same cancel while the scheduler runs the upload in this process:
 * the transfer stops (its cancellable), "item-removed" says so, the run
 * ends normally with nothing left in the queue, and the storage holds no
 * unfinished upload and no object. */
static void
test_scheduler_cancel_running (void)
{
  g_autofree char *lib = imu_test_library_path ();
  g_autofree char *secret = g_strdup_printf ("{\"secret_key\": \"%s\"}", SECRET);
  g_autofree char *uuid = NULL;
  g_autofree char *key = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuSyncObject) head = NULL;
  g_autoptr(GPtrArray) uploads = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GError) error = NULL;
  const char *names[] = { "lab-s3", NULL };
  CancelInProcess c = { NULL, NULL, -1, 0 };

  if (!servers_up ())
    return;
  uuid = imu_test_sync_library_with_session (lib);
  {
    g_autoptr(ImuSyncTargetConfig) config = make_config ("lab-s3", "runcancel");

    g_free (config->config_json);
    config->config_json = g_strdup ("{\"bucket\": \"" BUCKET "\", \"region\": \"us-east-1\", "
                                    "\"access_key\": \"" ACCESS_KEY "\", \"path_style\": true, "
                                    "\"part_size\": 16384}");
    imu_test_sync_add_target (lib, config, secret);
    store = imu_store_open (lib, &error);
    g_assert_no_error (error);
    g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, config->id, &error), ==, 1);
  }

  scheduler = imu_sync_scheduler_new (lib);
  c.scheduler = scheduler;
  c.uuid = uuid;
  imu_sync_scheduler_set_targets (scheduler, names);
  imu_sync_scheduler_set_directions (scheduler, 1u << IMU_SYNC_PUSH);
  imu_sync_scheduler_set_network_available (scheduler, 1);
  g_signal_connect (scheduler, "item-changed", G_CALLBACK (cancel_in_process_cb), &c);
  g_signal_connect (scheduler, "item-removed", G_CALLBACK (item_removed_cb), &c);
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 30, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (c.cancelled, ==, 1);
  g_assert_cmpuint (c.removed, ==, 1);

  items = imu_sync_queue_list_items (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 0);
  target = make_target ("runcancel", SECRET);
  uploads = imu_sync_s3_list_uploads (IMU_SYNC_S3 (target), "runcancel/", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uploads->len, ==, 0);
  key = g_strdup_printf ("runcancel/sessions/%s/bundle.imub", uuid);
  head = imu_sync_target_head (target, key, NULL, &error);
  g_assert_null (head);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND);
}

int
main (int argc, char **argv)
{
  imu_test_sync_init ();
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync/s3/round-trip/single", test_round_trip_single);
  g_test_add_func ("/sync/s3/round-trip/empty", test_round_trip_empty);
  g_test_add_func ("/sync/s3/round-trip/multipart", test_round_trip_multipart);
  g_test_add_func ("/sync/s3/unicode-key", test_unicode_key);
  g_test_add_func ("/sync/s3/missing-bucket", test_missing_bucket);
  g_test_add_func ("/sync/s3/list/pages", test_list_pages);
  g_test_add_func ("/sync/s3/auth/wrong-secret", test_wrong_secret);
  g_test_add_func ("/sync/s3/resume/after-crash", test_resume_after_crash);
  g_test_add_func ("/sync/s3/cancel-aborts", test_cancel_aborts);
  g_test_add_func ("/sync/s3/scheduler/push-pull-damaged", test_scheduler_push_pull);
  g_test_add_func ("/sync/s3/cli/no-secret-in-logs", test_cli_no_secret_in_logs);
  g_test_add_func ("/sync/s3/scheduler/cancel", test_scheduler_cancel);
  g_test_add_func ("/sync/s3/scheduler/cancel-running", test_scheduler_cancel_running);
  return g_test_run ();
}
