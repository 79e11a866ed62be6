/* test-sync-azure.c — sync against a real Azurite on loopback
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every test starts its own Azurite (tests/servers/start-azurite.sh) on a
 * free port with a fresh location; faults (503 + Retry-After, 500s) are
 * injected by a small proxy in this process, in front of the real server.
 */
#define G_LOG_DOMAIN "test-sync"

#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "imu-bundle.h"
#include "imu-core.h"
#include "imu-secrets.h"
#include "imu-store-private.h"
#include "imu-sync-azure.h"
#include "imu-sync-scheduler.h"
#include "imu-test-util.h"
#include "test-sync-azurite.h"

#define SMALL 3000

static ImuStore *
new_library (char **path_out)
{
  g_autoptr(GError) error = NULL;
  char *path = imu_test_library_path ();
  ImuStore *store = imu_store_open (path, &error);

  g_assert_no_error (error);
  if (path_out != NULL)
    *path_out = path;
  else
    g_free (path);
  return store;
}

static gboolean
run_scheduler (const char *library, guint directions, guint max_wait_s)
{
  g_autoptr(ImuSyncScheduler) scheduler = imu_sync_scheduler_new (library);
  g_autoptr(GError) error = NULL;

  imu_sync_scheduler_set_directions (scheduler, directions);
  imu_sync_scheduler_set_network_available (scheduler, 1);
  if ((directions & (1 << IMU_SYNC_PULL)) != 0)
    g_assert_cmpint (imu_sync_scheduler_discover (scheduler, NULL, &error), >=, 0);
  g_assert_no_error (error);
  return imu_sync_scheduler_run (scheduler, FALSE, max_wait_s, NULL, &error) && error == NULL;
}

static ImuSyncItem *
only_item (ImuStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = imu_sync_queue_list_items (store, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  return imu_sync_item_copy (g_ptr_array_index (items, 0));
}

static GPtrArray *
list_remote (ImuSyncTargetConfig *config, const char *secret_json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncTarget) target = imu_sync_target_new (config, secret_json, &error);
  GPtrArray *objects;

  g_assert_no_error (error);
  objects = imu_sync_target_list (target, NULL, NULL, &error);
  g_assert_no_error (error);
  return objects;
}

/* ---- push, then pull into an empty library ---- */

static void
test_push_pull (void)
{
  g_autoptr(TestAzurite) az = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lib_a = NULL, *lib_b = NULL, *url = NULL, *sas = NULL, *port = NULL;
  g_autoptr(ImuStore) a = NULL, b = NULL;
  g_autoptr(ImuSyncTargetConfig) ta = NULL, tb = NULL;
  g_autoptr(ImuSyncItem) item = NULL;
  g_autoptr(ImuSession) sa = NULL;
  g_autoptr(GPtrArray) remote = NULL;
  g_autofree char *secret = NULL;
  gint64 id_a, id_b;
  guint blocks_before;

  if (!test_azurite_available ())
    return;
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  g_free (test_azure_admin ("create-container", port, "push-pull", NULL));
  url = test_azure_container_url (az->port, "push-pull");

  a = new_library (&lib_a);
  id_a = test_make_session (a, "Pushed", SMALL);
  sa = imu_store_load_session (a, id_a, &error);
  ta = test_add_azure_target (a, "cloud", url, "lab/one", "shared-key", TEST_AZURE_KEY);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (a, ta->id, &error), ==, 1);
  g_assert_true (run_scheduler (lib_a, 1 << IMU_SYNC_PUSH, 30));
  item = only_item (a);
  g_assert_cmpstr (imu_sync_state_to_string (item->state), ==, "done");
  g_assert_cmpint (item->bytes_done, ==, item->bytes_total);

  /* The layout: <prefix>/sessions/<uuid>/bundle.imub and manifest.json. */
  secret = g_strdup_printf ("{\"key\":\"%s\"}", TEST_AZURE_KEY);
  remote = list_remote (ta, secret);
  g_assert_cmpuint (remote->len, ==, 2);
  {
    g_autofree char *k1 = g_strdup_printf ("lab/one/sessions/%s/bundle.imub", imu_session_get_uuid (sa));
    g_autofree char *k2 = g_strdup_printf ("lab/one/sessions/%s/manifest.json", imu_session_get_uuid (sa));

    g_assert_cmpstr (((ImuSyncObject *) g_ptr_array_index (remote, 0))->key, ==, k1);
    g_assert_cmpstr (((ImuSyncObject *) g_ptr_array_index (remote, 1))->key, ==, k2);
    g_assert_cmpstr (((ImuSyncObject *) g_ptr_array_index (remote, 0))->sha256, ==, item->sha256);
  }

  /* Pushing twice makes no second copy and sends nothing again. */
  blocks_before = imu_sync_azure_get_put_block_count ();
  g_assert_cmpint (imu_sync_queue_enqueue (a, ta->id, imu_session_get_uuid (sa), IMU_SYNC_PUSH, TRUE, &error), >, 0);
  g_assert_true (run_scheduler (lib_a, 1 << IMU_SYNC_PUSH, 30));
  g_assert_cmpuint (imu_sync_azure_get_put_block_count (), ==, blocks_before);
  g_clear_pointer (&remote, g_ptr_array_unref);
  remote = list_remote (ta, secret);
  g_assert_cmpuint (remote->len, ==, 2);

  /* Pull into an empty library, with a read+list SAS token. */
  sas = test_azure_admin ("sas", port, "push-pull", "rl", "60", NULL);
  b = new_library (&lib_b);
  tb = test_add_azure_target (b, "cloud", url, "lab/one", "sas", sas);
  g_assert_true (run_scheduler (lib_b, 1 << IMU_SYNC_PULL, 30));
  id_b = imu_store_resolve_session (b, imu_session_get_uuid (sa), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id_b, >, 0);
  {
    g_autoptr(ImuSession) sb = imu_store_load_session (b, id_b, &error);

    g_assert_cmpstr (imu_session_get_uuid (sb), ==, imu_session_get_uuid (sa));
    g_assert_cmpstr (imu_session_get_title (sb), ==, "Pushed");
  }
  test_assert_session (b, id_b, SMALL);

  /* Pulling again never duplicates. */
  g_assert_true (run_scheduler (lib_b, 1 << IMU_SYNC_PULL, 30));
  g_assert_cmpint (imu_store_count_sessions (b, NULL), ==, 1);
}

/* ---- a container that does not exist yet ---- */

/* With the account key the container is made on first use (as rclone
 * does); with "create": "no", or with a SAS token, the push needs
 * attention and its message names the container. */
static void
test_missing_container (void)
{
  g_autoptr(TestAzurite) az = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *port = NULL;
  g_autofree char *secret = NULL;

  if (!test_azurite_available ())
    return;
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  secret = g_strdup_printf ("{\"key\":\"%s\"}", TEST_AZURE_KEY);

  /* Account key: created, then the push lands. */
  {
    g_autofree char *lib = NULL;
    g_autofree char *url = test_azure_container_url (az->port, "made-on-first-use");
    g_autoptr(ImuStore) store = new_library (&lib);
    g_autoptr(ImuSyncTargetConfig) t = NULL;
    g_autoptr(ImuSyncItem) item = NULL;
    g_autoptr(GPtrArray) remote = NULL;

    test_make_session (store, "New container", SMALL);
    t = test_add_azure_target (store, "cloud", url, "", "shared-key", TEST_AZURE_KEY);
    g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, t->id, &error), ==, 1);
    g_assert_true (run_scheduler (lib, 1 << IMU_SYNC_PUSH, 30));
    item = only_item (store);
    g_assert_cmpstr (imu_sync_state_to_string (item->state), ==, "done");
    remote = list_remote (t, secret);
    g_assert_cmpuint (remote->len, ==, 2);
  }

  /* Account key, creating turned off; and a SAS token. */
  for (int sas = 0; sas <= 1; sas++)
    {
      g_autofree char *lib = NULL;
      g_autofree char *name = g_strdup_printf ("not-there-%d", sas);
      g_autofree char *url = test_azure_container_url (az->port, name);
      g_autofree char *token = sas ? test_azure_admin ("sas", port, name, "rwl", "60", NULL) : NULL;
      g_autofree char *expect = g_strdup_printf ("the container “%s” does not exist at %s", name, url);
      g_autoptr(ImuStore) store = new_library (&lib);
      g_autoptr(ImuSyncTargetConfig) t = NULL;
      g_autoptr(ImuSyncItem) item = NULL;

      test_make_session (store, "Nowhere", SMALL);
      t = test_add_azure_target (store, "cloud", url, "", sas ? "sas" : "shared-key", sas ? token : TEST_AZURE_KEY);
      if (!sas)
        {
          g_free (t->config_json);
          t->config_json = g_strdup ("{\"auth\":\"shared-key\",\"create\":\"no\"}");
          g_assert_true (imu_sync_queue_update_target (store, t, &error));
          g_assert_no_error (error);
        }
      g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, t->id, &error), ==, 1);
      run_scheduler (lib, 1 << IMU_SYNC_PUSH, 30);
      item = only_item (store);
      g_assert_cmpstr (imu_sync_state_to_string (item->state), ==, "needs-attention");
      g_assert_nonnull (strstr (item->last_error, expect));
      g_assert_nonnull (strstr (item->last_error, sas ? "a SAS token cannot create it" : "without --no-create"));
      /* and it still does not exist */
      {
        g_autofree char *listed = test_azure_admin ("list-containers", port, NULL);

        g_assert_null (strstr (listed, name));
      }
    }
}

/* ---- resume after the server dies mid-upload ---- */

typedef struct {
  TestAzurite *az;
  gboolean     killed;
  guint        puts_at_kill;
  guint        puts_at_restart;
  guint        present_at_restart;   /* blocks the server holds, as the Azure SDK sees them */
} ResumeState;

static void
resume_item_changed_cb (ImuSyncScheduler *scheduler, const ImuSyncItem *item, gpointer data)
{
  ResumeState *rs = data;
  guint port;
  g_autofree char *location = NULL;

  if (rs->killed || item->state != IMU_SYNC_STATE_TRANSFERRING || item->bytes_done < 2 * IMU_SYNC_AZURE_BLOCK_SIZE)
    return;
  /* Stop the server (it saves what it acknowledged), then bring it back
   * on the same port with the same data. */
  rs->killed = TRUE;
  port = rs->az->port;
  location = g_strdup (rs->az->location);
  test_azurite_kill (rs->az, TRUE);
  rs->puts_at_kill = imu_sync_azure_get_put_block_count ();
  g_free (rs->az->location);
  rs->az->location = NULL;
  test_azurite_free (rs->az);
  rs->az = test_azurite_start (port, location);
  rs->puts_at_restart = imu_sync_azure_get_put_block_count ();
  /* Asked with Azure's own SDK (not the code under test). The retry cannot
   * start before this handler returns: it is scheduled on this context. */
  {
    g_autofree char *port_text = g_strdup_printf ("%u", port);
    g_autofree char *key = g_strdup_printf ("sessions/%s/bundle.imub", item->session_uuid);
    g_autofree char *n = test_azure_admin ("uncommitted-blocks", port_text, "resume", key, NULL);

    rs->present_at_restart = (guint) g_ascii_strtoull (n, NULL, 10);
  }
}

static void
test_resume (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = NULL, *url = NULL, *port = NULL;
  g_autoptr(ImuStore) a = NULL, b = NULL;
  g_autoptr(ImuSyncTargetConfig) t = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = NULL;
  g_autoptr(ImuSyncItem) item = NULL;
  ResumeState rs = { 0 };
  guint n_blocks, before, phase1, phase2;
  gint64 id;

  if (!test_azurite_available ())
    return;
  rs.az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", rs.az->port);
  g_free (test_azure_admin ("create-container", port, "resume", NULL));
  url = test_azure_container_url (rs.az->port, "resume");
  a = new_library (&lib);
  /* ≈ 2.4 M samples: a bundle of about a dozen 4 MiB blocks. */
  id = test_make_session (a, "Long", 2400000);
  t = test_add_azure_target (a, "cloud", url, "", "shared-key", TEST_AZURE_KEY);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (a, t->id, &error), ==, 1);

  before = imu_sync_azure_get_put_block_count ();
  scheduler = imu_sync_scheduler_new (lib);
  imu_sync_scheduler_set_network_available (scheduler, 1);
  g_signal_connect (scheduler, "item-changed", G_CALLBACK (resume_item_changed_cb), &rs);
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 120, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (rs.killed);

  item = only_item (a);
  g_assert_cmpstr (imu_sync_state_to_string (item->state), ==, "done");
  n_blocks = (guint) ((item->bytes_total + IMU_SYNC_AZURE_BLOCK_SIZE - 1) / IMU_SYNC_AZURE_BLOCK_SIZE);
  g_assert_cmpuint (n_blocks, >=, 4);
  phase1 = rs.puts_at_kill - before;
  phase2 = imu_sync_azure_get_put_block_count () - rs.puts_at_restart;
  g_test_message ("%u blocks: %u Put Block before the kill, %u blocks held by the server after the restart, "
                  "%u Put Block after it", n_blocks, phase1, rs.present_at_restart, phase2);
  /* What was acknowledged before the kill was kept (a stopping Azurite
   * saves it), and exactly the blocks the server lacked were sent — plus
   * one for manifest.json, the small second object of the push. */
  g_assert_cmpuint (phase1, >=, 2);
  g_assert_cmpuint (rs.present_at_restart, >=, 2);
  g_assert_cmpuint (phase2, ==, n_blocks - rs.present_at_restart + 1);

  /* And what landed is the session, sample for sample. */
  {
    g_autofree char *lib_b = NULL;
    g_autofree char *sas = test_azure_admin ("sas", port, "resume", "rl", "60", NULL);
    g_autoptr(ImuSyncTargetConfig) tb = NULL;
    g_autoptr(ImuSession) s = imu_store_load_session (a, id, &error);
    gint64 id_b;

    b = new_library (&lib_b);
    tb = test_add_azure_target (b, "cloud", url, "", "sas", sas);
    g_assert_true (run_scheduler (lib_b, 1 << IMU_SYNC_PULL, 60));
    id_b = imu_store_resolve_session (b, imu_session_get_uuid (s), &error);
    g_assert_no_error (error);
    test_assert_session (b, id_b, 2400000);
  }
  test_azurite_free (rs.az);
}

/* ---- a refused credential needs attention, and loses nothing ---- */

static void
test_auth (gconstpointer data)
{
  gboolean expired = GPOINTER_TO_INT (data);
  g_autoptr(TestAzurite) az = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = NULL, *url = NULL, *port = NULL, *sas = NULL;
  g_autoptr(ImuStore) a = NULL;
  g_autoptr(ImuSyncTargetConfig) t = NULL;
  g_autoptr(ImuSyncItem) item = NULL;
  gint64 id;

  if (!test_azurite_available ())
    return;
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  g_free (test_azure_admin ("create-container", port, "auth", NULL));
  url = test_azure_container_url (az->port, "auth");
  if (expired)
    sas = test_azure_admin ("sas", port, "auth", "racwdl", "-10", NULL);
  else
    {
      /* A valid token whose signature was changed. */
      g_autofree char *good = test_azure_admin ("sas", port, "auth", "racwdl", "60", NULL);
      char *sig = strstr (good, "sig=");

      g_assert_nonnull (sig);
      sig[4] = sig[4] == 'A' ? 'B' : 'A';
      sas = g_steal_pointer (&good);
    }
  a = new_library (&lib);
  id = test_make_session (a, "Kept", SMALL);
  t = test_add_azure_target (a, "cloud", url, "", "sas", sas);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (a, t->id, &error), ==, 1);
  g_assert_true (run_scheduler (lib, 1 << IMU_SYNC_PUSH, 10));

  item = only_item (a);
  g_assert_cmpstr (imu_sync_state_to_string (item->state), ==, "needs-attention");
  g_assert_cmpint (item->attempts, ==, 1);
  g_assert_nonnull (strstr (item->last_error, "imu target secret cloud --sas-from-stdin"));
  /* Nothing lost, and no secret in the message. */
  test_assert_session (a, id, SMALL);
  g_assert_null (strstr (item->last_error, strstr (sas, "sig=") + 4));
}

/* ---- a damaged download is refused ---- */

static void
test_flipped_byte (void)
{
  g_autoptr(TestAzurite) az = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lib_a = NULL, *lib_b = NULL, *url = NULL, *port = NULL, *sas = NULL;
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *bundle = g_build_filename (dir, "b.imub", NULL);
  g_autofree char *key = NULL;
  g_autoptr(ImuStore) a = NULL, b = NULL;
  g_autoptr(ImuSyncTargetConfig) ta = NULL, tb = NULL;
  g_autoptr(ImuSyncItem) item = NULL;
  g_autoptr(ImuBundleInfo) info = NULL;
  g_autoptr(ImuSession) s = NULL;
  g_autofree char *data = NULL;
  gsize len;
  gint64 id;

  if (!test_azurite_available ())
    return;
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  g_free (test_azure_admin ("create-container", port, "flip", NULL));
  url = test_azure_container_url (az->port, "flip");
  a = new_library (&lib_a);
  id = test_make_session (a, "Flip", SMALL);
  s = imu_store_load_session (a, id, &error);
  ta = test_add_azure_target (a, "cloud", url, "", "shared-key", TEST_AZURE_KEY);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (a, ta->id, &error), ==, 1);
  g_assert_true (run_scheduler (lib_a, 1 << IMU_SYNC_PUSH, 30));

  /* The same bundle with one byte flipped replaces the blob; its
   * manifest.json still names the right sha256. */
  g_assert_true (imu_bundle_write (a, id, bundle, IMU_BUNDLE_ARCHIVE_TAR_ZSTD, NULL, NULL, NULL, &info, &error));
  g_assert_true (g_file_get_contents (bundle, &data, &len, &error));
  data[len / 2] ^= 0x20;
  g_assert_true (g_file_set_contents (bundle, data, (gssize) len, &error));
  key = g_strdup_printf ("sessions/%s/bundle.imub", imu_session_get_uuid (s));
  g_free (test_azure_admin ("put-blob", port, "flip", key, bundle, info->sha256, NULL));

  sas = test_azure_admin ("sas", port, "flip", "rl", "60", NULL);
  b = new_library (&lib_b);
  tb = test_add_azure_target (b, "cloud", url, "", "sas", sas);
  g_assert_true (run_scheduler (lib_b, 1 << IMU_SYNC_PULL, 30));
  item = only_item (b);
  g_assert_cmpstr (imu_sync_state_to_string (item->state), ==, "needs-attention");
  g_assert_cmpint (item->attempts, ==, IMU_SYNC_MAX_INTEGRITY_ATTEMPTS);
  g_assert_nonnull (strstr (item->last_error, "sha256"));
  g_assert_cmpint (imu_store_count_sessions (b, NULL), ==, 0);
}

/* ---- faults injected by a proxy in front of the real server ---- */

typedef struct {
  GMutex       lock;
  guint        upstream_port;
  SoupServer  *server;
  GMainContext *context;
  GMainLoop   *loop;
  GThread     *thread;
  guint        port;
  /* rules */
  const char  *match;         /* a query substring, e.g. "comp=block&" */
  const char  *match_method;  /* and this method */
  guint        fail_count;    /* how many matching requests fail */
  guint        fail_status;
  const char  *retry_after;
  guint        delay_ms;      /* matching requests beyond the failures wait this long */
  /* what was seen */
  guint        matched;
  gint64       fail_time_us[8];
  gint64       after_fail_time_us;  /* the first matching request after the failures */
} Proxy;

static void
proxy_handler (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  Proxy *p = data;
  GUri *uri = soup_server_message_get_uri (msg);
  const char *q = g_uri_get_query (uri);
  g_autofree char *target = g_strdup_printf ("http://127.0.0.1:%u%s%s%s", p->upstream_port, g_uri_get_path (uri),
                                             q != NULL ? "?" : "", q != NULL ? q : "");
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) up = soup_message_new (soup_server_message_get_method (msg), target);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) answer = NULL;
  g_autoptr(GError) error = NULL;
  SoupMessageHeadersIter iter;
  const char *name, *value;
  /* Only requests about the bundle: its manifest.json goes the same way. */
  gboolean matches = p->match != NULL && q != NULL && strstr (q, p->match) != NULL
                     && g_str_has_suffix (g_uri_get_path (uri), "/bundle.imub")
                     && g_str_equal (soup_server_message_get_method (msg), p->match_method);

  if (matches)
    {
      g_mutex_lock (&p->lock);
      if (p->matched < p->fail_count)
        {
          p->fail_time_us[p->matched++] = g_get_monotonic_time ();
          g_mutex_unlock (&p->lock);
          if (p->retry_after != NULL)
            soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", p->retry_after);
          soup_server_message_set_status (msg, p->fail_status, NULL);
          return;
        }
      if (p->matched == p->fail_count)
        p->after_fail_time_us = g_get_monotonic_time ();
      p->matched++;
      g_mutex_unlock (&p->lock);
      if (p->delay_ms > 0)
        g_usleep (p->delay_ms * 1000);
    }

  soup_message_headers_iter_init (&iter, soup_server_message_get_request_headers (msg));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strcasecmp (name, "Host") != 0 && g_ascii_strcasecmp (name, "Content-Length") != 0
        && g_ascii_strcasecmp (name, "Connection") != 0 && g_ascii_strcasecmp (name, "Accept-Encoding") != 0)
      soup_message_headers_append (soup_message_get_request_headers (up), name, value);
  body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  if (g_bytes_get_size (body) > 0 || g_str_equal (soup_server_message_get_method (msg), "PUT"))
    soup_message_set_request_body_from_bytes (up, soup_message_headers_get_content_type (
                                                    soup_message_get_request_headers (up), NULL), body);
  answer = soup_session_send_and_read (session, up, NULL, &error);
  if (answer == NULL)
    {
      soup_server_message_set_status (msg, 502, NULL);
      return;
    }
  soup_message_headers_iter_init (&iter, soup_message_get_response_headers (up));
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strcasecmp (name, "Content-Length") != 0 && g_ascii_strcasecmp (name, "Transfer-Encoding") != 0
        && g_ascii_strcasecmp (name, "Connection") != 0)
      soup_message_headers_append (soup_server_message_get_response_headers (msg), name, value);
  soup_server_message_set_status (msg, soup_message_get_status (up), NULL);
  if (!g_str_equal (soup_server_message_get_method (msg), "HEAD") && g_bytes_get_size (answer) > 0)
    soup_message_body_append_bytes (soup_server_message_get_response_body (msg), answer);
  else
    soup_message_headers_set_content_length (soup_server_message_get_response_headers (msg),
                                             soup_message_headers_get_content_length (
                                               soup_message_get_response_headers (up)));
}

static gpointer
proxy_thread (gpointer data)
{
  Proxy *p = data;

  g_main_context_push_thread_default (p->context);
  g_main_loop_run (p->loop);
  g_main_context_pop_thread_default (p->context);
  return NULL;
}

static Proxy *
proxy_start (guint upstream_port)
{
  Proxy *p = g_new0 (Proxy, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_mutex_init (&p->lock);
  p->upstream_port = upstream_port;
  p->context = g_main_context_new ();
  p->loop = g_main_loop_new (p->context, FALSE);
  g_main_context_push_thread_default (p->context);
  p->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (p->server, NULL, proxy_handler, p, NULL);
  g_assert_true (soup_server_listen_local (p->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  g_main_context_pop_thread_default (p->context);
  uris = soup_server_get_uris (p->server);
  p->port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  p->thread = g_thread_new ("proxy", proxy_thread, p);
  return p;
}

static void
proxy_free (Proxy *p)
{
  g_main_loop_quit (p->loop);
  g_thread_join (p->thread);
  g_main_context_push_thread_default (p->context);
  g_object_unref (p->server);
  g_main_context_pop_thread_default (p->context);
  g_main_loop_unref (p->loop);
  g_main_context_unref (p->context);
  g_mutex_clear (&p->lock);
  g_free (p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Proxy, proxy_free)

static void
test_fault (gconstpointer data)
{
  gboolean retry_after = GPOINTER_TO_INT (data);
  g_autoptr(TestAzurite) az = NULL;
  g_autoptr(Proxy) proxy = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = NULL, *url = NULL, *port = NULL, *sas = NULL;
  g_autoptr(ImuStore) a = NULL;
  g_autoptr(ImuSyncTargetConfig) t = NULL;
  g_autoptr(ImuSyncItem) item = NULL;

  if (!test_azurite_available ())
    return;
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  g_free (test_azure_admin ("create-container", port, "faults", NULL));
  proxy = proxy_start (az->port);
  if (retry_after)
    {
      /* The first Put Block: 503 with Retry-After: 2. */
      proxy->match = "comp=block&";
      proxy->match_method = "PUT";
      proxy->fail_count = 1;
      proxy->fail_status = 503;
      proxy->retry_after = "2";
    }
  else
    {
      /* Put Block List fails twice with 500, then goes through. */
      proxy->match = "comp=blocklist";
      proxy->match_method = "PUT";
      proxy->fail_count = 2;
      proxy->fail_status = 500;
    }
  url = test_azure_container_url (proxy->port, "faults");
  sas = test_azure_admin ("sas", port, "faults", "racwdl", "60", NULL);
  a = new_library (&lib);
  test_make_session (a, "Faults", SMALL);
  t = test_add_azure_target (a, "cloud", url, "", "sas", sas);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (a, t->id, &error), ==, 1);
  g_assert_true (run_scheduler (lib, 1 << IMU_SYNC_PUSH, 60));

  item = only_item (a);
  g_assert_cmpstr (imu_sync_state_to_string (item->state), ==, "done");
  g_assert_cmpuint (proxy->matched, ==, proxy->fail_count + 1);
  if (retry_after)
    {
      gint64 waited = proxy->after_fail_time_us - proxy->fail_time_us[0];

      g_test_message ("retried %.3f s after the 503", waited / 1e6);
      g_assert_cmpint (waited, >=, 2 * G_USEC_PER_SEC);
    }
}

/* ---- secrets: never in the library file, never in a log ---- */

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return FALSE;
  return memmem (data, len, needle, strlen (needle)) != NULL;
}

static void
test_secrets (void)
{
  g_autoptr(TestAzurite) az = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = NULL, *url = NULL, *port = NULL, *sas = NULL, *bad_sas = NULL;
  g_autoptr(ImuStore) a = NULL;
  g_autoptr(ImuSyncTargetConfig) t = NULL;
  g_autofree char *sig = NULL;
  g_autofree char *bad_sig = NULL;
  g_autofree char *imu = g_build_filename (imu_test_builddir (), "..", "src", "cli", "imu", NULL);

  if (!test_azurite_available ())
    return;
  if (!g_file_test (imu, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("the imu executable is not built");
      return;
    }
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  g_free (test_azure_admin ("create-container", port, "secrets", NULL));
  url = test_azure_container_url (az->port, "secrets");
  sas = test_azure_admin ("sas", port, "secrets", "racwdl", "60", NULL);
  sig = g_strdup (strstr (sas, "sig=") + 4);
  /* A second, broken token, so that the run also logs a failure. */
  bad_sas = g_strdup (sas);
  strstr (bad_sas, "sig=")[4] ^= 1;
  bad_sig = g_strdup (strstr (bad_sas, "sig=") + 4);

  a = new_library (&lib);
  test_make_session (a, "Secret", SMALL);
  g_clear_object (&a);

  /* Through the CLI, as a person would, with every debug message on. */
  {
    const char *cases[][3] = {
      { "good", "sas", NULL },
      { "bad", "sas", NULL },
      { "keyed", "key", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE
                                                                      | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                      | G_SUBPROCESS_FLAGS_STDERR_MERGE);
        g_autoptr(GSubprocess) p = NULL;
        g_autofree char *out = NULL;
        const char *secret = i == 0 ? sas : i == 1 ? bad_sas : TEST_AZURE_KEY;

        g_subprocess_launcher_setenv (l, "G_MESSAGES_DEBUG", "all", TRUE);
        if (i < 2)
          p = g_subprocess_launcher_spawn (l, &error, imu, "--library", lib, "target", "add", cases[i][0], "azure",
                                           "--container-url", url, "--sas-from-stdin", NULL);
        else
          p = g_subprocess_launcher_spawn (l, &error, imu, "--library", lib, "target", "add", cases[i][0], "azure",
                                           "--container-url", url, "--account", TEST_AZURE_ACCOUNT,
                                           "--key-from-stdin", "--prefix", "k", NULL);
        g_assert_no_error (error);
        g_assert_true (g_subprocess_communicate_utf8 (p, secret, NULL, &out, NULL, &error));
        g_assert_true (g_subprocess_get_successful (p));
        g_assert_null (strstr (out, sig));
      }
  }
  {
    const char *runs[][6] = {
      { "target", "test", "good", NULL },
      { "target", "test", "bad", NULL },
      { "target", "test", "keyed", NULL },
      { "sync", "--once", "--max-wait", "5", NULL },
      { "sync", "status", NULL },
      { "target", "list", "--json", NULL },
    };

    for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
      {
        g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                                      | G_SUBPROCESS_FLAGS_STDERR_MERGE);
        g_autoptr(GSubprocess) p = NULL;
        g_autoptr(GPtrArray) argv = g_ptr_array_new ();
        g_autofree char *out = NULL;

        g_subprocess_launcher_setenv (l, "G_MESSAGES_DEBUG", "all", TRUE);
        g_ptr_array_add (argv, imu);
        g_ptr_array_add (argv, (gpointer) "--library");
        g_ptr_array_add (argv, lib);
        for (guint k = 0; runs[i][k] != NULL; k++)
          g_ptr_array_add (argv, (gpointer) runs[i][k]);
        g_ptr_array_add (argv, NULL);
        p = g_subprocess_launcher_spawnv (l, (const char * const *) argv->pdata, &error);
        g_assert_no_error (error);
        g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, NULL, &error));
        g_test_message ("imu %s %s: %s", runs[i][0], runs[i][1], out);
        if (i == 1)
          g_assert_nonnull (strstr (out, "FAILED"));
        if (i == 3)
          g_assert_nonnull (strstr (out, "NEEDS ATTENTION"));
        g_assert_null (strstr (out, sig));
        g_assert_null (strstr (out, bad_sig));
        g_assert_null (strstr (out, TEST_AZURE_KEY));
      }
  }

  /* Not in the library file, nor in its journal. */
  {
    g_autofree char *wal = g_strconcat (lib, "-wal", NULL);
    g_autofree char *sig_decoded = g_uri_unescape_string (sig, NULL);

    g_assert_true (g_file_test (lib, G_FILE_TEST_EXISTS));
    g_assert_false (file_contains (lib, sig));
    g_assert_false (file_contains (lib, sig_decoded));
    g_assert_false (file_contains (lib, bad_sig));
    g_assert_false (file_contains (lib, TEST_AZURE_KEY));
    g_assert_false (file_contains (wal, sig));
    g_assert_false (file_contains (wal, sig_decoded));
    g_assert_false (file_contains (wal, TEST_AZURE_KEY));
  }
  /* The file store is private. */
  {
    g_autofree char *path = imu_secrets_file_path ();
    GStatBuf st;

    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    g_assert_true (file_contains (path, sig));
  }
}

/* ---- `imu sync --watch` killed mid-queue, then run again ---- */

static void
test_watch_restart (void)
{
  g_autoptr(TestAzurite) az = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = NULL, *url = NULL, *port = NULL;
  g_autoptr(ImuStore) a = NULL;
  g_autoptr(ImuSyncTargetConfig) t = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) remote = NULL;
  g_autofree char *imu = g_build_filename (imu_test_builddir (), "..", "src", "cli", "imu", NULL);
  g_autoptr(GSubprocess) watch = NULL;
  g_autoptr(GSubprocess) again = NULL;
  g_autoptr(Proxy) proxy = NULL;
  g_autofree char *sas = NULL;
  g_autofree char *sas_secret = NULL;
  gboolean seen_transfer = FALSE;

  if (!test_azurite_available ())
    return;
  if (!g_file_test (imu, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("the imu executable is not built");
      return;
    }
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  g_free (test_azure_admin ("create-container", port, "watch", NULL));
  /* On a quiet machine a whole bundle goes up in less time than the
   * queue's progress is saved (200 ms) and polled (50 ms): every Put Block
   * waits 300 ms in a proxy, so a transfer is surely seen under way. */
  proxy = proxy_start (az->port);
  proxy->match = "comp=block&";
  proxy->match_method = "PUT";
  proxy->delay_ms = 300;
  url = test_azure_container_url (proxy->port, "watch");
  sas = test_azure_admin ("sas", port, "watch", "racwdl", "60", NULL);
  sas_secret = g_strdup_printf ("{\"sas\":\"%s\"}", sas);
  a = new_library (&lib);
  test_make_session (a, "W1", 600000);
  test_make_session (a, "W2", 600000);
  test_make_session (a, "W3", 600000);
  test_make_session (a, "W4", 600000);
  t = test_add_azure_target (a, "cloud", url, "", "sas", sas);

  watch = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                            imu, "--library", lib, "sync", "--watch", NULL);
  g_assert_no_error (error);
  /* Kill it (no chance to clean up) once a transfer has sent something. */
  for (int i = 0; i < 600 && !seen_transfer; i++)
    {
      g_autoptr(GPtrArray) now = NULL;

      g_usleep (50000);
      now = imu_sync_queue_list_items (a, 0, NULL);
      for (guint k = 0; now != NULL && k < now->len; k++)
        {
          const ImuSyncItem *it = g_ptr_array_index (now, k);

          if (it->state == IMU_SYNC_STATE_TRANSFERRING && it->bytes_done > 0)
            seen_transfer = TRUE;
        }
    }
  g_assert_true (seen_transfer);
  g_subprocess_force_exit (watch);
  g_subprocess_wait (watch, NULL, NULL);

  again = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                            imu, "--library", lib, "sync", "--once", NULL);
  g_assert_true (g_subprocess_wait (again, NULL, &error));
  g_assert_cmpint (g_subprocess_get_exit_status (again), ==, 0);

  items = imu_sync_queue_list_items (a, 0, &error);
  g_assert_cmpuint (items->len, ==, 4);
  for (guint k = 0; k < items->len; k++)
    g_assert_cmpstr (imu_sync_state_to_string (((ImuSyncItem *) g_ptr_array_index (items, k))->state), ==, "done");
  /* One bundle and one manifest per session, nothing else. */
  remote = list_remote (t, sas_secret);
  g_assert_cmpuint (remote->len, ==, 8);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_sync_setup_env ();

  g_test_add_func ("/sync/azure/push-pull", test_push_pull);
  g_test_add_func ("/sync/azure/missing-container", test_missing_container);
  g_test_add_func ("/sync/azure/resume-after-server-restart", test_resume);
  g_test_add_data_func ("/sync/azure/auth/bad-signature", GINT_TO_POINTER (FALSE), test_auth);
  g_test_add_data_func ("/sync/azure/auth/expired-sas", GINT_TO_POINTER (TRUE), test_auth);
  g_test_add_func ("/sync/azure/pull/flipped-byte", test_flipped_byte);
  g_test_add_data_func ("/sync/azure/fault/503-retry-after", GINT_TO_POINTER (TRUE), test_fault);
  g_test_add_data_func ("/sync/azure/fault/500-twice", GINT_TO_POINTER (FALSE), test_fault);
  g_test_add_func ("/sync/azure/secrets-not-logged-nor-stored", test_secrets);
  g_test_add_func ("/sync/azure/watch-killed-and-restarted", test_watch_restart);
  return g_test_run ();
}
