/* test-sync-offline.c — no network: items wait, and go when it is back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Run by test-sync-offline.sh inside `unshare -n` with only loopback up:
 * there GNetworkMonitor reports no network while Azurite, started in the
 * same namespace, still answers on 127.0.0.1.
 */
#define G_LOG_DOMAIN "test-sync"

#include <string.h>

#include "imu-core.h"
#include "imu-sync-scheduler.h"
#include "imu-test-util.h"
#include "test-sync-azurite.h"

typedef struct {
  GMainLoop *loop;
  gboolean   timed_out;
} Wait;

static gboolean
timeout_cb (gpointer data)
{
  Wait *w = data;

  w->timed_out = TRUE;
  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

static void
idle_cb (ImuSyncScheduler *scheduler, gpointer data)
{
  Wait *w = data;

  if (imu_sync_scheduler_get_n_running (scheduler) == 0)
    g_main_loop_quit (w->loop);
}

/* Runs the main loop for @seconds, or until the scheduler is idle when
 * @until_idle. */
static void
spin (ImuSyncScheduler *scheduler, guint seconds, gboolean until_idle)
{
  Wait w = { g_main_loop_new (NULL, FALSE), FALSE };
  guint timer = g_timeout_add_seconds (seconds, timeout_cb, &w);
  gulong handler = until_idle ? g_signal_connect (scheduler, "idle", G_CALLBACK (idle_cb), &w) : 0;

  g_main_loop_run (w.loop);
  if (!w.timed_out)
    g_source_remove (timer);
  if (handler != 0)
    g_signal_handler_disconnect (scheduler, handler);
  g_main_loop_unref (w.loop);
}

static const char *
item_state (ImuStore *store, const char *target)
{
  g_autoptr(GPtrArray) items = imu_sync_queue_list_items (store, 0, NULL);

  for (guint i = 0; items != NULL && i < items->len; i++)
    {
      const ImuSyncItem *item = g_ptr_array_index (items, i);

      if (g_str_equal (item->target_name, target))
        return imu_sync_state_to_string (item->state);
    }
  return "none";
}

static void
test_offline (void)
{
  g_autoptr(TestAzurite) az = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = NULL;
  g_autoptr(ImuSyncTargetConfig) cloud = NULL;
  g_autoptr(ImuSyncTargetConfig) folder = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *url = NULL, *port = NULL;
  GNetworkMonitor *monitor = g_network_monitor_get_default ();

  if (!test_azurite_available ())
    return;
  if (g_network_monitor_get_network_available (monitor))
    {
      g_test_skip ("GNetworkMonitor reports a network: run this test through test-sync-offline.sh (unshare -n)");
      return;
    }
  az = test_azurite_start (0, NULL);
  port = g_strdup_printf ("%u", az->port);
  g_free (test_azure_admin ("create-container", port, "offline", NULL));
  url = test_azure_container_url (az->port, "offline");

  store = imu_store_open (lib, &error);
  g_assert_no_error (error);
  test_make_session (store, "Field", 2000);
  cloud = test_add_azure_target (store, "cloud", url, "", "shared-key", TEST_AZURE_KEY);
  folder = imu_sync_target_config_new ("stick", "folder", dir);
  g_assert_true (imu_sync_queue_add_target (store, folder, &error));
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, cloud->id, &error), ==, 1);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, folder->id, &error), ==, 1);

  scheduler = imu_sync_scheduler_new (lib);
  g_assert_true (imu_sync_scheduler_start (scheduler, &error));
  g_assert_no_error (error);
  /* No network: the folder needs none and goes; the cloud item waits. */
  spin (scheduler, 3, FALSE);
  g_assert_cmpstr (item_state (store, "stick"), ==, "done");
  g_assert_cmpstr (item_state (store, "cloud"), ==, "queued");
  g_assert_true (imu_sync_scheduler_is_idle (scheduler));

  /* Connectivity is reported back: it goes at once. */
  imu_sync_scheduler_set_network_available (scheduler, 1);
  spin (scheduler, 60, TRUE);
  g_assert_cmpstr (item_state (store, "cloud"), ==, "done");
  imu_sync_scheduler_stop (scheduler);
  spin (scheduler, 5, TRUE);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  test_sync_setup_env ();
  g_test_add_func ("/sync/offline/waits-for-network", test_offline);
  return g_test_run ();
}
