/* test-sync-queue.c — the sync queue, redaction, and a folder target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here runs without a server: the queue's rules, the
 * redaction of secrets, and push/pull through a folder target.
 */
#define G_LOG_DOMAIN "test-sync"

#include <string.h>

#include <glib/gstdio.h>

#include "imu-core.h"
#include "imu-bundle.h"
#include "imu-redact.h"
#include "imu-sync-scheduler.h"
#include "imu-test-util.h"
#include "test-sync-azurite.h"

/* A network monitor whose answers the test sets. */
#define TEST_TYPE_MONITOR (test_monitor_get_type ())
G_DECLARE_FINAL_TYPE (TestMonitor, test_monitor, TEST, MONITOR, GObject)

struct _TestMonitor
{
  GObject  parent_instance;
  gboolean available;
  gboolean metered;
};

enum { MON_PROP_0, MON_PROP_AVAILABLE, MON_PROP_METERED, MON_PROP_CONNECTIVITY };

static void
test_monitor_iface_init (GNetworkMonitorInterface *iface)
{
}

static gboolean
test_monitor_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  return TRUE;
}

static void
test_monitor_initable_iface_init (GInitableIface *iface)
{
  iface->init = test_monitor_initable_init;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestMonitor, test_monitor, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, test_monitor_initable_iface_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_NETWORK_MONITOR, test_monitor_iface_init))

static void
test_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TestMonitor *self = TEST_MONITOR (object);

  switch (prop_id)
    {
    case MON_PROP_AVAILABLE:
      g_value_set_boolean (value, self->available);
      break;
    case MON_PROP_METERED:
      g_value_set_boolean (value, self->metered);
      break;
    case MON_PROP_CONNECTIVITY:
      g_value_set_enum (value, self->available ? G_NETWORK_CONNECTIVITY_FULL : G_NETWORK_CONNECTIVITY_LOCAL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
test_monitor_class_init (TestMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = test_monitor_get_property;
  g_object_class_override_property (object_class, MON_PROP_AVAILABLE, "network-available");
  g_object_class_override_property (object_class, MON_PROP_METERED, "network-metered");
  g_object_class_override_property (object_class, MON_PROP_CONNECTIVITY, "connectivity");
}

static void
test_monitor_init (TestMonitor *self)
{
}

static const char *
state_of_only_item (ImuStore *store)
{
  g_autoptr(GPtrArray) items = imu_sync_queue_list_items (store, 0, NULL);

  g_assert_cmpuint (items->len, ==, 1);
  return imu_sync_state_to_string (((ImuSyncItem *) g_ptr_array_index (items, 0))->state);
}

/* A metered connection holds network targets back unless allowed; the
 * monitor saying the network is back wakes the scheduler. The target is
 * an Azure URL on a loopback port where nothing listens: once allowed to
 * run, the item fails to connect and waits for a retry. */
static void
test_metered (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autoptr(ImuStore) store = imu_store_open (lib, &error);
  g_autoptr(TestMonitor) monitor = g_object_new (TEST_TYPE_MONITOR, NULL);
  g_autoptr(ImuSyncTargetConfig) t = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago and is closed again. */
  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_socket_listener_close (listener);
  url = g_strdup_printf ("http://127.0.0.1:%u/" TEST_AZURE_ACCOUNT "/nothing", port);
  test_make_session (store, "Metered", 100);
  t = test_add_azure_target (store, "cloud", url, "", "shared-key", TEST_AZURE_KEY);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, t->id, &error), ==, 1);

  monitor->available = TRUE;
  monitor->metered = TRUE;
  scheduler = imu_sync_scheduler_new (lib);
  imu_sync_scheduler_set_network_monitor (scheduler, G_NETWORK_MONITOR (monitor));
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 5, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (state_of_only_item (store), ==, "queued");

  /* No network at all: the same. */
  monitor->metered = FALSE;
  monitor->available = FALSE;
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 5, NULL, &error));
  g_assert_cmpstr (state_of_only_item (store), ==, "queued");

  /* Metered, but this target may use it: it runs (and cannot connect). */
  monitor->available = TRUE;
  monitor->metered = TRUE;
  t->allow_metered = 1;
  g_assert_true (imu_sync_queue_update_target (store, t, &error));
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 0, NULL, &error));
  g_assert_cmpstr (state_of_only_item (store), ==, "retrying");
}

static void
test_redact (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "GET https://a.blob.core.windows.net/c/b?sv=2021-08-06&se=2030-01-01&sr=c&sp=rl&sig=abc%2Bdef%3D",
      "GET https://a.blob.core.windows.net/c/b?sv=2021-08-06&se=2030-01-01&sr=c&sp=rl&sig=[REDACTED]" },
    { "url ?X-Amz-Credential=AKIA123%2F2024&X-Amz-Signature=deadbeef&x=1",
      "url ?X-Amz-Credential=[REDACTED]&X-Amz-Signature=[REDACTED]&x=1" },
    { "Authorization: SharedKey devstoreaccount1:Zm9vYmFy\r\nx-ms-date: today",
      "Authorization: [REDACTED]\r\nx-ms-date: today" },
    { "signed SharedKey acct:AbC+/= done", "signed SharedKey acct:[REDACTED] done" },
    { "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=c2VjcmV0;EndpointSuffix=x",
      "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=[REDACTED];EndpointSuffix=x" },
    { "no secrets here, signature of a letter", "no secrets here, signature of a letter" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = imu_redact (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  /* A registered secret disappears wherever it is, escaped or not. */
  imu_redact_add_secret ("s3cr3t/key+with=chars");
  {
    g_autofree char *out = imu_redact ("key s3cr3t/key+with=chars and s3cr3t%2Fkey%2Bwith%3Dchars");

    g_assert_cmpstr (out, ==, "key [REDACTED] and [REDACTED]");
  }
  g_assert_null (imu_redact (NULL));
}

/* TLS always; plain http only to this computer, or when asked for. */
static void
test_url_security (void)
{
  static const struct { const char *url; gboolean insecure; int code; } cases[] = {
    { "https://acct.blob.core.windows.net/c", FALSE, -1 },
    { "http://127.0.0.1:10000/devstoreaccount1/c", FALSE, -1 },
    { "http://127.3.4.5/x", FALSE, -1 },
    { "http://[::1]:8080/x", FALSE, -1 },
    { "http://localhost/x", FALSE, -1 },
    { "http://acct.blob.core.windows.net/c", FALSE, IMU_SYNC_ERROR_INSECURE },
    { "http://192.168.1.10/c", FALSE, IMU_SYNC_ERROR_INSECURE },
    { "http://192.168.1.10/c", TRUE, -1 },
    { "ftp://127.0.0.1/c", FALSE, IMU_SYNC_ERROR_CONFIG },
    { "not a url", FALSE, IMU_SYNC_ERROR_CONFIG },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok = imu_sync_check_url_security (cases[i].url, cases[i].insecure, &error);

      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, IMU_SYNC_ERROR, cases[i].code);
        }
    }
  /* And an Azure target is refused up front. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ImuSyncTargetConfig) c = imu_sync_target_config_new ("far", "azure", "http://10.0.0.1/acct/c");
    g_autoptr(ImuSyncTarget) t = NULL;

    g_free (c->config_json);
    c->config_json = g_strdup ("{\"auth\":\"sas\"}");
    t = imu_sync_target_new (c, "{\"sas\":\"sv=1&sig=abc\"}", &error);
    g_assert_null (t);
    g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INSECURE);
  }
}

static void
test_queue_rules (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(ImuStore) store = imu_store_open (lib, &error);
  g_autoptr(ImuSyncTargetConfig) t = imu_sync_target_config_new ("stick", "folder", dir);
  g_autoptr(ImuSyncTargetConfig) dup = imu_sync_target_config_new ("stick", "folder", dir);
  g_autoptr(ImuSyncItem) first = NULL;
  g_autoptr(ImuSyncItem) second = NULL;
  g_autoptr(ImuSyncItem) none = NULL;
  g_autoptr(GArray) exclude = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint both = (1 << IMU_SYNC_PUSH) | (1 << IMU_SYNC_PULL);

  g_assert_no_error (error);
  test_make_session (store, "One", 100);
  test_make_session (store, "Two", 100);
  g_assert_true (imu_sync_queue_add_target (store, t, &error));
  g_assert_cmpuint (strlen (t->secret_id), ==, 36);
  /* Names are unique. */
  g_assert_false (imu_sync_queue_add_target (store, dup, &error));
  g_assert_nonnull (strstr (error->message, "already a sync target called “stick”"));
  g_clear_error (&error);

  /* Queueing twice makes one item per session. */
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, t->id, &error), ==, 2);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, t->id, &error), ==, 0);
  g_assert_cmpint (imu_sync_queue_count_pending (store, NULL, both), ==, 2);

  /* Claims: oldest first, never one that is running, none for other targets. */
  first = imu_sync_queue_claim_next (store, g_get_real_time (), NULL, NULL, both, &error);
  g_assert_no_error (error);
  g_assert_cmpint (first->state, ==, IMU_SYNC_STATE_TRANSFERRING);
  g_array_append_val (exclude, first->id);
  second = imu_sync_queue_claim_next (store, g_get_real_time (), exclude, NULL, both, &error);
  g_assert_cmpint (second->id, !=, first->id);
  g_array_append_val (exclude, second->id);
  none = imu_sync_queue_claim_next (store, g_get_real_time (), exclude, NULL, both, &error);
  g_assert_null (none);
  g_assert_no_error (error);

  /* A retry waits for its time. */
  second->state = IMU_SYNC_STATE_RETRYING;
  second->next_attempt_us = g_get_real_time () + (gint64) 3600 * G_USEC_PER_SEC;
  second->last_error = g_strdup ("GET x?sig=SECRETSIG failed");
  g_assert_true (imu_sync_queue_save_item (store, second, &error));
  g_assert_null (imu_sync_queue_claim_next (store, g_get_real_time (), NULL, NULL, both, &error));
  g_assert_cmpint (imu_sync_queue_next_retry_us (store, NULL, both), ==, second->next_attempt_us);
  {
    g_autoptr(ImuSyncItem) stored = imu_sync_queue_get_item (store, second->id, &error);

    /* Errors are stored redacted. */
    g_assert_cmpstr (stored->last_error, ==, "GET x?sig=[REDACTED] failed");
  }

  /* A dead process left the first transferring: recovery queues it again. */
  g_assert_cmpint (imu_sync_queue_recover (store, &error), ==, 1);
  {
    g_autoptr(ImuSyncItem) again = imu_sync_queue_claim_next (store, g_get_real_time (), NULL, NULL, both, &error);

    g_assert_cmpint (again->id, ==, first->id);
  }
  /* --retry brings the retrying one back now. */
  g_assert_cmpint (imu_sync_queue_retry (store, t->id, &error), ==, 1);
  g_assert_cmpint (imu_sync_queue_count_pending (store, NULL, 1 << IMU_SYNC_PULL), ==, 0);

  /* Metered: off by default, the target's choice wins. */
  g_assert_false (imu_sync_queue_allow_metered (store, t));
  t->allow_metered = 1;
  g_assert_true (imu_sync_queue_allow_metered (store, t));
  g_assert_true (imu_sync_queue_set_setting (store, "allow_metered", "1", &error));
  g_assert_true (imu_sync_queue_allow_metered (store, NULL));
}

static void
test_folder_push_pull (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib_a = imu_test_library_path ();
  g_autofree char *lib_b = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(ImuStore) a = imu_store_open (lib_a, &error);
  g_autoptr(ImuStore) b = imu_store_open (lib_b, &error);
  g_autoptr(ImuSyncTargetConfig) ta = imu_sync_target_config_new ("stick", "folder", dir);
  g_autoptr(ImuSyncTargetConfig) tb = imu_sync_target_config_new ("stick", "folder", dir);
  g_autoptr(ImuSyncScheduler) push = imu_sync_scheduler_new (lib_a);
  g_autoptr(ImuSyncScheduler) pull = imu_sync_scheduler_new (lib_b);
  g_autoptr(ImuSession) s = NULL;
  g_autofree char *bundle = NULL;
  g_autofree char *tmp_glob_dir = NULL;
  gint64 id;

  id = test_make_session (a, "Stick", 5000);
  s = imu_store_load_session (a, id, &error);
  g_free (ta->prefix);
  ta->prefix = g_strdup ("/team/");
  g_free (tb->prefix);
  tb->prefix = g_strdup ("team");
  g_assert_true (imu_sync_queue_add_target (a, ta, &error));
  g_assert_true (imu_sync_queue_add_target (b, tb, &error));
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (a, ta->id, &error), ==, 1);
  /* Offline does not matter to a folder. */
  imu_sync_scheduler_set_network_available (push, 0);
  g_assert_true (imu_sync_scheduler_run (push, FALSE, 10, NULL, &error));
  g_assert_no_error (error);
  bundle = g_build_filename (dir, "team", "sessions", imu_session_get_uuid (s), "bundle.imub", NULL);
  g_assert_true (g_file_test (bundle, G_FILE_TEST_IS_REGULAR));
  {
    g_autoptr(ImuBundleInfo) info = imu_bundle_verify (bundle, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (info->uuid, ==, imu_session_get_uuid (s));
  }

  g_assert_cmpint (imu_sync_scheduler_discover (pull, NULL, &error), ==, 1);
  g_assert_true (imu_sync_scheduler_run (pull, FALSE, 10, NULL, &error));
  g_assert_no_error (error);
  test_assert_session (b, imu_store_resolve_session (b, imu_session_get_uuid (s), NULL), 5000);
  /* Nothing new to fetch the second time. */
  g_assert_cmpint (imu_sync_scheduler_discover (pull, NULL, &error), ==, 0);
}

/* A manifest on the target that is not one — empty, or nested 75 000
 * deep (it used to overflow json-glib's stack in the worker, and every
 * retry crashed again) — makes the pull need attention with the reason;
 * nothing is imported and nothing crashes. */
static void
test_folder_pull_bad_manifest (void)
{
  const char *kinds[] = { "empty", "deep" };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *lib_a = imu_test_library_path ();
      g_autofree char *lib_b = imu_test_library_path ();
      g_autofree char *dir = imu_test_tmpdir ();
      g_autoptr(ImuStore) a = imu_store_open (lib_a, &error);
      g_autoptr(ImuStore) b = imu_store_open (lib_b, &error);
      g_autoptr(ImuSyncTargetConfig) ta = imu_sync_target_config_new ("stick", "folder", dir);
      g_autoptr(ImuSyncTargetConfig) tb = imu_sync_target_config_new ("stick", "folder", dir);
      g_autoptr(ImuSyncScheduler) push = imu_sync_scheduler_new (lib_a);
      g_autoptr(ImuSyncScheduler) pull = imu_sync_scheduler_new (lib_b);
      g_autoptr(ImuSession) s = NULL;
      g_autoptr(GPtrArray) items = NULL;
      g_autoptr(GString) text = g_string_new (NULL);
      g_autofree char *manifest = NULL;
      ImuSyncItem *item;
      gint64 id;

      id = test_make_session (a, "Stick", 500);
      s = imu_store_load_session (a, id, &error);
      g_assert_true (imu_sync_queue_add_target (a, ta, &error));
      g_assert_true (imu_sync_queue_add_target (b, tb, &error));
      g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (a, ta->id, &error), ==, 1);
      g_assert_true (imu_sync_scheduler_run (push, FALSE, 10, NULL, &error));
      g_assert_no_error (error);

      manifest = g_build_filename (dir, "sessions", imu_session_get_uuid (s), "manifest.json", NULL);
      g_assert_true (g_file_test (manifest, G_FILE_TEST_IS_REGULAR));
      if (k == 1)
        {
          for (int i = 0; i < 75000; i++)
            g_string_append_c (text, '[');
          for (int i = 0; i < 75000; i++)
            g_string_append_c (text, ']');
        }
      g_assert_true (g_file_set_contents (manifest, text->str, (gssize) text->len, &error));

      g_assert_cmpint (imu_sync_scheduler_discover (pull, NULL, &error), ==, 1);
      imu_sync_scheduler_run (pull, FALSE, 10, NULL, NULL);
      items = imu_sync_queue_list_items (b, tb->id, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (items->len, ==, 1);
      item = g_ptr_array_index (items, 0);
      g_assert_cmpint (item->state, ==, IMU_SYNC_STATE_NEEDS_ATTENTION);
      g_assert_nonnull (strstr (item->last_error, "is not an IMU Studio manifest: "));
      g_assert_nonnull (strstr (item->last_error, k == 0 ? "empty, where JSON was expected"
                                                         : "JSON nested more than 64 levels deep"));
      g_assert_cmpint (imu_store_count_sessions (b, &error), ==, 0);
    }
}

/* Cancelling a session's push takes its item out of the queue (a run
 * afterwards sends nothing), removes the temporary file a crashed copy
 * left on the folder target, and leaves other sessions' items alone. */
static void
test_folder_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(ImuStore) store = imu_store_open (lib, &error);
  g_autoptr(ImuSyncTargetConfig) t = imu_sync_target_config_new ("stick", "folder", dir);
  g_autoptr(ImuSyncScheduler) scheduler = imu_sync_scheduler_new (lib);
  g_autoptr(ImuSession) one = NULL;
  g_autoptr(ImuSession) two = NULL;
  g_autoptr(ImuSyncItem) item = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *session_dir = NULL;
  g_autofree char *leftover = NULL;
  g_autofree char *unrelated = NULL;
  g_autofree char *bundle = NULL;
  gint64 id_one, id_two, item_id, pull_id;

  g_assert_no_error (error);
  id_one = test_make_session (store, "One", 100);
  id_two = test_make_session (store, "Two", 100);
  one = imu_store_load_session (store, id_one, &error);
  two = imu_store_load_session (store, id_two, &error);
  g_assert_no_error (error);
  g_assert_true (imu_sync_queue_add_target (store, t, &error));
  item_id = imu_sync_queue_enqueue (store, t->id, imu_session_get_uuid (one), IMU_SYNC_PUSH, FALSE, &error);
  g_assert_cmpint (item_id, >, 0);
  g_assert_cmpint (imu_sync_queue_enqueue (store, t->id, imu_session_get_uuid (two), IMU_SYNC_PUSH, FALSE, &error),
                   >, 0);
  /* A pull of a session that is not here yet: cancelled by id below. */
  pull_id = imu_sync_queue_enqueue (store, t->id, "0f0e0d0c-0b0a-4908-8706-050403020100", IMU_SYNC_PULL, FALSE, &error);
  g_assert_cmpint (pull_id, >, 0);

  /* A process died while copying session One: its item says transferring,
   * and the target holds the copy's temporary file. */
  item = imu_sync_queue_get_item (store, item_id, &error);
  g_assert_no_error (error);
  item->state = IMU_SYNC_STATE_TRANSFERRING;
  item->attempts = 1;
  item->bytes_done = 4096;
  g_assert_true (imu_sync_queue_save_item (store, item, &error));
  session_dir = g_build_filename (dir, "sessions", imu_session_get_uuid (one), NULL);
  g_assert_cmpint (g_mkdir_with_parents (session_dir, 0755), ==, 0);
  leftover = g_build_filename (session_dir, ".imu-tmp-bundle.imub-Ab12Cd", NULL);
  unrelated = g_build_filename (session_dir, ".imu-tmp-manifest.json-Ab12Cd", NULL);
  g_assert_true (g_file_set_contents (leftover, "partial", -1, &error));
  g_assert_true (g_file_set_contents (unrelated, "{}", -1, &error));

  g_assert_cmpint (imu_sync_scheduler_cancel_session (scheduler, imu_session_get_uuid (one), "stick", NULL, &error),
                   ==, 1);
  g_assert_no_error (error);
  g_assert_false (g_file_test (leftover, G_FILE_TEST_EXISTS));
  /* Only the bundle's temporary files: the manifest goes in one step. */
  g_assert_true (g_file_test (unrelated, G_FILE_TEST_EXISTS));
  g_clear_pointer (&item, imu_sync_item_free);
  item = imu_sync_queue_get_item (store, item_id, &error);
  g_assert_null (item);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Twice: nothing left to cancel. */
  g_assert_cmpint (imu_sync_scheduler_cancel_session (scheduler, imu_session_get_uuid (one), NULL, NULL, &error),
                   ==, 0);
  g_assert_no_error (error);

  /* By id; a second time it is not there. */
  g_assert_true (imu_sync_queue_cancel (store, pull_id, &error));
  g_assert_no_error (error);
  g_assert_false (imu_sync_queue_cancel (store, pull_id, &error));
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  items = imu_sync_queue_list_items (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (items->len, ==, 1);
  g_assert_cmpstr (((ImuSyncItem *) g_ptr_array_index (items, 0))->session_uuid, ==, imu_session_get_uuid (two));

  /* A run sends session Two and never One: the cancelled push is not retried. */
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 10, NULL, &error));
  g_assert_no_error (error);
  bundle = g_build_filename (session_dir, "bundle.imub", NULL);
  g_assert_false (g_file_test (bundle, G_FILE_TEST_EXISTS));
  g_clear_pointer (&bundle, g_free);
  bundle = g_build_filename (dir, "sessions", imu_session_get_uuid (two), "bundle.imub", NULL);
  g_assert_true (g_file_test (bundle, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (imu_sync_queue_count_pending (store, NULL, (1 << IMU_SYNC_PUSH) | (1 << IMU_SYNC_PULL)), ==, 0);
}

/* Retry-After, as RFC 9110 §10.2.3 writes it: seconds or an HTTP date. */
static void
test_retry_after (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GDateTime) later = g_date_time_add_seconds (now, 90);
  g_autoptr(GDateTime) earlier = g_date_time_add_seconds (now, -90);
  /* IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT" */
  g_autofree char *later_text = g_date_time_format (later, "%a, %d %b %Y %H:%M:%S GMT");
  g_autofree char *earlier_text = g_date_time_format (earlier, "%a, %d %b %Y %H:%M:%S GMT");
  guint wait;

  g_assert_cmpuint (imu_sync_parse_retry_after (NULL), ==, 0);
  g_assert_cmpuint (imu_sync_parse_retry_after (""), ==, 0);
  g_assert_cmpuint (imu_sync_parse_retry_after ("0"), ==, 0);
  g_assert_cmpuint (imu_sync_parse_retry_after ("2"), ==, 2);
  g_assert_cmpuint (imu_sync_parse_retry_after ("120"), ==, 120);
  /* At most a day; nonsense and negative numbers are no answer. */
  g_assert_cmpuint (imu_sync_parse_retry_after ("86400"), ==, 86400);
  g_assert_cmpuint (imu_sync_parse_retry_after ("86401"), ==, 0);
  g_assert_cmpuint (imu_sync_parse_retry_after ("-5"), ==, 0);
  g_assert_cmpuint (imu_sync_parse_retry_after ("soon"), ==, 0);
  /* A date 90 s ahead: 90 or 91 s (whole seconds, rounded up). */
  wait = imu_sync_parse_retry_after (later_text);
  g_test_message ("%s → %u s", later_text, wait);
  g_assert_cmpuint (wait, >=, 89);
  g_assert_cmpuint (wait, <=, 91);
  /* A date in the past: at once. */
  g_assert_cmpuint (imu_sync_parse_retry_after (earlier_text), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_sync_setup_env ();
  g_test_add_func ("/sync/redact", test_redact);
  g_test_add_func ("/sync/retry-after", test_retry_after);
  g_test_add_func ("/sync/queue/rules", test_queue_rules);
  g_test_add_func ("/sync/url-security", test_url_security);
  g_test_add_func ("/sync/folder/push-pull", test_folder_push_pull);
  g_test_add_func ("/sync/folder/pull-bad-manifest", test_folder_pull_bad_manifest);
  g_test_add_func ("/sync/folder/cancel", test_folder_cancel);
  g_test_add_func ("/sync/scheduler/metered-and-offline", test_metered);
  return g_test_run ();
}
