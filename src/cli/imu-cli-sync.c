/* imu-cli-sync.c — `imu sync`: push and pull sessions, `imu sync status`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-redact.h"
#include "imu-sync-scheduler.h"

/* Exit codes of `imu sync` beyond the common ones (docs/sync.md). */
#define IMU_CLI_EXIT_SYNC       8   /* some transfers need attention */
#define IMU_CLI_EXIT_SYNC_LATER 9   /* some transfers wait for a retry or for the network */

static JsonNode *
item_to_json (const ImuSyncItem *item)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "id", item->id);
  json_object_set_string_member (o, "target", item->target_name);
  json_object_set_string_member (o, "uuid", item->session_uuid);
  json_object_set_string_member (o, "direction", imu_sync_direction_to_string (item->direction));
  json_object_set_string_member (o, "state", imu_sync_state_to_string (item->state));
  json_object_set_int_member (o, "attempts", item->attempts);
  json_object_set_int_member (o, "bytes_done", item->bytes_done);
  json_object_set_int_member (o, "bytes_total", item->bytes_total);
  if (item->next_attempt_us > 0 && item->state == IMU_SYNC_STATE_RETRYING)
    json_object_set_int_member (o, "next_attempt_us", item->next_attempt_us);
  if (item->sha256 != NULL)
    json_object_set_string_member (o, "sha256", item->sha256);
  if (item->last_error != NULL)
    {
      g_autofree char *clean = imu_redact (item->last_error);

      json_object_set_string_member (o, "error", clean);
    }
  return json_node_init_object (json_node_alloc (), o);
}

static void
print_item_line (const ImuSyncItem *item)
{
  g_autofree char *clean = imu_redact (item->last_error);
  const char *arrow = item->direction == IMU_SYNC_PUSH ? "→" : "←";

  switch (item->state)
    {
    case IMU_SYNC_STATE_TRANSFERRING:
      if (item->bytes_total > 0)
        fprintf (stderr, "%s %.8s %s %s: %.1f / %.1f MiB (%d%%)\n", imu_sync_direction_to_string (item->direction),
                 item->session_uuid, arrow, item->target_name, item->bytes_done / 1048576.0,
                 item->bytes_total / 1048576.0, (int) (100 * item->bytes_done / MAX (item->bytes_total, 1)));
      else
        fprintf (stderr, "%s %.8s %s %s: %s\n", imu_sync_direction_to_string (item->direction),
                 item->session_uuid, arrow, item->target_name, _("starting"));
      break;
    case IMU_SYNC_STATE_VERIFYING:
      fprintf (stderr, "%s %.8s %s %s: %s\n", imu_sync_direction_to_string (item->direction), item->session_uuid,
               arrow, item->target_name, _("verifying"));
      break;
    case IMU_SYNC_STATE_DONE:
      fprintf (stderr, "%s %.8s %s %s: %s\n", imu_sync_direction_to_string (item->direction), item->session_uuid,
               arrow, item->target_name, _("done"));
      break;
    case IMU_SYNC_STATE_RETRYING:
      fprintf (stderr, _("%s %.8s %s %s: will retry in %" PRId64 " s: %s\n"),
               imu_sync_direction_to_string (item->direction), item->session_uuid, arrow, item->target_name,
               MAX ((item->next_attempt_us - g_get_real_time ()) / G_USEC_PER_SEC, 0), clean != NULL ? clean : "");
      break;
    case IMU_SYNC_STATE_NEEDS_ATTENTION:
      fprintf (stderr, _("%s %.8s %s %s: NEEDS ATTENTION: %s\n"), imu_sync_direction_to_string (item->direction),
               item->session_uuid, arrow, item->target_name, clean != NULL ? clean : "");
      break;
    case IMU_SYNC_STATE_QUEUED:
    default:
      break;
    }
}

typedef struct {
  ImuCli     *cli;
  GHashTable *last_state;   /* item id → state + 1 */
  gint64      last_line_us;
} Progress;

static void
item_changed_cb (ImuSyncScheduler *scheduler, const ImuSyncItem *item, gpointer data)
{
  Progress *p = data;
  gpointer before = g_hash_table_lookup (p->last_state, &item->id);
  gboolean state_changed = GPOINTER_TO_INT (before) != (int) item->state + 1;
  gint64 now = g_get_monotonic_time ();

  if (p->cli->quiet || p->cli->json)
    return;
  /* State changes always; progress once a second. */
  if (!state_changed && now - p->last_line_us < G_USEC_PER_SEC)
    return;
  g_hash_table_insert (p->last_state, g_memdup2 (&item->id, sizeof item->id), GINT_TO_POINTER ((int) item->state + 1));
  p->last_line_us = now;
  print_item_line (item);
}

static int
sync_status (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  ImuStore *store;
  int status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Print a JSON array"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, "status", _("Shows the sync queue: every transfer and its state."), entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (!(store = imu_cli_get_store (cli, &error)) || !(items = imu_sync_queue_list_items (store, 0, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (cli->json)
    {
      g_autoptr(JsonArray) arr = json_array_new ();
      g_autoptr(JsonNode) root = NULL;

      for (guint i = 0; i < items->len; i++)
        json_array_add_element (arr, item_to_json (g_ptr_array_index (items, i)));
      root = json_node_init_array (json_node_alloc (), arr);
      imu_cli_json_print (root);
      return IMU_CLI_EXIT_OK;
    }
  if (items->len == 0 && !cli->quiet)
    printf ("%s\n", _("The sync queue is empty."));
  for (guint i = 0; i < items->len; i++)
    {
      const ImuSyncItem *item = g_ptr_array_index (items, i);
      g_autofree char *clean = imu_redact (item->last_error);

      printf ("%s\t%s\t%s\t%s\t%" PRId64 "/%" PRId64 "%s%s\n", item->session_uuid,
              imu_sync_direction_to_string (item->direction), item->target_name,
              imu_sync_state_to_string (item->state), item->bytes_done, item->bytes_total,
              clean != NULL ? "\t" : "", clean != NULL ? clean : "");
    }
  return IMU_CLI_EXIT_OK;
}

/* The uuid of SESSION: a session of the library (id or uuid prefix), or
 * else the uuid of a queued pull that starts with it (the session is not
 * here yet). */
static char *
resolve_session_uuid (ImuCli *cli, ImuStore *store, const char *arg, GError **error)
{
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *lower = g_ascii_strdown (arg, -1);
  const char *found = NULL;

  if ((session = imu_cli_load_session (cli, arg, &local_error)) != NULL)
    return g_strdup (imu_session_get_uuid (session));
  if (!g_error_matches (local_error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND) || strlen (arg) < 4)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  if (!(items = imu_sync_queue_list_items (store, 0, error)))
    return NULL;
  for (guint i = 0; i < items->len; i++)
    {
      const ImuSyncItem *item = g_ptr_array_index (items, i);

      if (!g_str_has_prefix (item->session_uuid, lower) || g_strcmp0 (found, item->session_uuid) == 0)
        continue;
      if (found != NULL)
        {
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_AMBIGUOUS,
                       _("“%s” matches several sessions in the sync queue; give more of the uuid"), arg);
          return NULL;
        }
      found = item->session_uuid;
    }
  if (found == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return g_strdup (found);
}

static int
sync_cancel (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = NULL;
  g_autofree char *target = NULL;
  g_autofree char *uuid = NULL;
  ImuStore *store;
  gint64 n;
  int status;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, N_("Cancel only the transfers to or from this target"), N_("NAME") },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("cancel SESSION"),
                                        _("Cancels the session’s transfers that are not done: they leave the sync "
                                          "queue, and an unfinished upload is discarded on the storage (an S3 "
                                          "multipart upload is aborted). SESSION is an id or a uuid prefix."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return imu_cli_usage_error (cli, _("which session? (imu sync cancel SESSION)"));
  if (argc > 2)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[2]);
  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!(uuid = resolve_session_uuid (cli, store, argv[1], &error)))
    return imu_cli_report_error (cli, argv[1], error);

  scheduler = imu_sync_scheduler_new (imu_store_get_path (store));
  n = imu_sync_scheduler_cancel_session (scheduler, uuid, target, cli->cancellable, &error);
  if (n < 0)
    {
      if (error->domain == IMU_SYNC_ERROR)
        {
          imu_redact_error (error);
          fprintf (stderr, "imu: %s\n", error->message);
          return IMU_CLI_EXIT_SYNC;
        }
      return imu_cli_report_error (cli, NULL, error);
    }
  if (!cli->quiet)
    {
      if (n == 0)
        fprintf (stderr, _("Session %s has no transfer to cancel.\n"), uuid);
      else
        fprintf (stderr, ngettext ("%" PRId64 " transfer of session %s cancelled.\n",
                           "%" PRId64 " transfers of session %s cancelled.\n", (gulong) n),
                 (int64_t) n, uuid);
    }
  return IMU_CLI_EXIT_OK;
}

int
imu_cli_sync (ImuCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = NULL;
  g_autoptr(GArray) target_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_auto(GStrv) names = NULL;
  gboolean once = FALSE, watch = FALSE, pull = FALSE, no_push = FALSE, retry = FALSE, offline = FALSE;
  int max_wait = 120;
  char *allow_metered = NULL;
  Progress progress = { cli, NULL, 0 };
  guint directions;
  ImuStore *store;
  int status, attention = 0, later = 0;
  const GOptionEntry entries[] = {
    { "target", 0, 0, G_OPTION_ARG_STRING_ARRAY, &names, N_("Sync with this target only (repeat for several)"), N_("NAME") },
    { "once", 0, 0, G_OPTION_ARG_NONE, &once, N_("Work the queue and return (the default)"), NULL },
    { "watch", 0, 0, G_OPTION_ARG_NONE, &watch,
      N_("Keep running: sync new sessions as they appear and when the network comes back"), NULL },
    { "pull", 0, 0, G_OPTION_ARG_NONE, &pull, N_("Also fetch the sessions the targets hold that this library lacks"), NULL },
    { "no-push", 0, 0, G_OPTION_ARG_NONE, &no_push, N_("Do not send this library's sessions"), NULL },
    { "retry", 0, 0, G_OPTION_ARG_NONE, &retry, N_("Try again now what needs attention or waits for a retry"), NULL },
    { "max-wait", 0, 0, G_OPTION_ARG_INT, &max_wait,
      N_("With --once, wait at most this many seconds for retries (default 120)"), N_("SECONDS") },
    { "allow-metered-default", 0, 0, G_OPTION_ARG_STRING, &allow_metered,
      N_("The library's setting for metered connections: yes or no (targets may override it)"), N_("yes|no") },
    { "offline", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &offline, "For tests: behave as if there were no network", NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Print the transfers and their states as JSON at the end"), NULL },
    { NULL }
  };

  if (argc >= 2 && g_str_equal (argv[1], "status"))
    return sync_status (cli, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "cancel"))
    return sync_cancel (cli, argc - 1, argv + 1);

  context = imu_cli_option_context_new (cli, _("[status | cancel SESSION]"),
                                        _("Sends the library's sessions to its sync targets as bundles (and with "
                                          "--pull fetches the ones it lacks), at most two transfers at once, "
                                          "resuming interrupted uploads. “imu sync status” shows the queue."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    {
      g_free (allow_metered);
      return status;
    }
  if (argc > 1)
    {
      g_free (allow_metered);
      return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
    }
  if (once && watch)
    {
      g_free (allow_metered);
      return imu_cli_usage_error (cli, _("choose --once or --watch"));
    }

  if (!(store = imu_cli_get_store (cli, &error)) || !(targets = imu_sync_queue_list_targets (store, &error)))
    {
      g_free (allow_metered);
      return imu_cli_report_error (cli, NULL, error);
    }
  if (allow_metered != NULL)
    {
      gboolean yes = g_str_equal (allow_metered, "yes"), no = g_str_equal (allow_metered, "no");

      if (!yes && !no)
        {
          g_free (allow_metered);
          return imu_cli_usage_error (cli, _("--allow-metered-default takes yes or no"));
        }
      g_free (allow_metered);
      if (!imu_sync_queue_set_setting (store, "allow_metered", yes ? "1" : "0", &error))
        return imu_cli_report_error (cli, NULL, error);
    }
  if (targets->len == 0)
    {
      fprintf (stderr, "%s\n", _("imu: there is no sync target; add one with “imu target add NAME KIND …”"));
      return IMU_CLI_EXIT_USAGE;
    }
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      g_autoptr(ImuSyncTargetConfig) t = imu_sync_queue_get_target (store, names[i], &error);

      if (t == NULL)
        return imu_cli_report_error (cli, NULL, error);
    }
  for (guint i = 0; i < targets->len; i++)
    {
      const ImuSyncTargetConfig *t = g_ptr_array_index (targets, i);

      if (names != NULL && !g_strv_contains ((const char * const *) names, t->name))
        continue;
      g_array_append_val (target_ids, t->id);
      if (retry && imu_sync_queue_retry (store, t->id, &error) < 0)
        return imu_cli_report_error (cli, NULL, error);
      if (!no_push && imu_sync_queue_enqueue_all_pushes (store, t->id, &error) < 0)
        return imu_cli_report_error (cli, NULL, error);
    }

  directions = (no_push ? 0 : 1 << IMU_SYNC_PUSH) | (pull ? 1 << IMU_SYNC_PULL : 0);
  scheduler = imu_sync_scheduler_new (imu_store_get_path (store));
  imu_sync_scheduler_set_targets (scheduler, (const char * const *) names);
  imu_sync_scheduler_set_directions (scheduler, directions);
  if (offline)
    imu_sync_scheduler_set_network_available (scheduler, 0);
  if (watch)
    imu_sync_scheduler_set_poll_interval (scheduler, 10);
  if (pull)
    {
      gint64 queued = imu_sync_scheduler_discover (scheduler, cli->cancellable, &error);

      if (queued < 0)
        {
          imu_redact_error (error);
          fprintf (stderr, _("imu: cannot list what the targets hold: %s\n"), error->message);
          g_clear_error (&error);
          later++;
        }
      else if (queued > 0 && !cli->quiet && !cli->json)
        fprintf (stderr, _("%" PRId64 " sessions to fetch\n"), queued);
    }

  progress.last_state = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_signal_connect (scheduler, "item-changed", G_CALLBACK (item_changed_cb), &progress);
  if (!imu_sync_scheduler_run (scheduler, watch, (guint) MAX (max_wait, 0), cli->cancellable, &error))
    {
      g_hash_table_unref (progress.last_state);
      if (error->domain == IMU_SYNC_ERROR)
        {
          fprintf (stderr, "imu: %s\n", error->message);
          return IMU_CLI_EXIT_SYNC;
        }
      return imu_cli_report_error (cli, NULL, error);
    }
  g_hash_table_unref (progress.last_state);

  if (!(items = imu_sync_queue_list_items (store, 0, &error)))
    return imu_cli_report_error (cli, NULL, error);
  {
    g_autoptr(JsonArray) arr = json_array_new ();
    int done = 0;

    for (guint i = 0; i < items->len; i++)
      {
        const ImuSyncItem *item = g_ptr_array_index (items, i);
        gboolean selected = FALSE;

        for (guint k = 0; k < target_ids->len; k++)
          selected |= g_array_index (target_ids, gint64, k) == item->target_id;
        if (!selected || (directions & (1u << item->direction)) == 0)
          continue;
        json_array_add_element (arr, item_to_json (item));
        if (item->state == IMU_SYNC_STATE_DONE)
          done++;
        else if (item->state == IMU_SYNC_STATE_NEEDS_ATTENTION)
          attention++;
        else
          later++;
      }
    if (cli->json)
      {
        g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), json_array_ref (arr));

        imu_cli_json_print (root);
      }
    else if (!cli->quiet)
      fprintf (stderr, _("%d done, %d need attention, %d waiting\n"), done, attention, later);
  }
  if (attention > 0)
    return IMU_CLI_EXIT_SYNC;
  if (later > 0)
    return IMU_CLI_EXIT_SYNC_LATER;
  return IMU_CLI_EXIT_OK;
}
