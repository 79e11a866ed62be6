/* imu-cli-trash.c — `imu trash`: the sessions `imu delete` and the window put aside
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-store-ops.h"

static char *
format_utc (gint64 us)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup ("?");
}

static int
trash_list (ImuCli *cli, ImuStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  gint64 days;

  if (!(items = imu_store_list_trash (store, &error)) || (days = imu_store_get_trash_days (store, &error)) < 0)
    return imu_cli_report_error (cli, NULL, error);
  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_array (b);
      for (guint i = 0; i < items->len; i++)
        {
          const ImuTrashItem *item = g_ptr_array_index (items, i);
          g_autofree char *trashed = format_utc (item->trashed_us);
          g_autofree char *expires = format_utc (item->trashed_us + days * 86400 * G_USEC_PER_SEC);

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, item->session_id);
          json_builder_set_member_name (b, "uuid");
          json_builder_add_string_value (b, item->uuid);
          json_builder_set_member_name (b, "title");
          json_builder_add_string_value (b, item->title);
          json_builder_set_member_name (b, "trashed");
          json_builder_add_string_value (b, trashed);
          json_builder_set_member_name (b, "expires");
          json_builder_add_string_value (b, expires);
          json_builder_set_member_name (b, "samples");
          json_builder_add_int_value (b, item->n_samples);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      imu_cli_json_print (root);
      return IMU_CLI_EXIT_OK;
    }
  for (guint i = 0; i < items->len; i++)
    {
      const ImuTrashItem *item = g_ptr_array_index (items, i);
      g_autofree char *trashed = format_utc (item->trashed_us);
      g_autofree char *expires = format_utc (item->trashed_us + days * 86400 * G_USEC_PER_SEC);

      /* The id first and alone before a tab, as imu list's scripts expect. */
      printf ("%" PRId64 "\t", item->session_id);
      /* TRANSLATORS: "“Morning run” (uuid 1b4e28ba-…): deleted 2026-12-07T18:30:00Z, deleted for good after 2027-01-06T18:30:00Z" */
      printf (_("“%s” (uuid %s): deleted %s, deleted for good after %s\n"), item->title, item->uuid, trashed, expires);
    }
  return IMU_CLI_EXIT_OK;
}

static int
trash_restore (ImuCli *cli, ImuStore *store, const char *which)
{
  g_autoptr(GError) error = NULL;
  gint64 id;

  if (!(id = imu_store_resolve_trashed (store, which, &error)) || !imu_store_untrash_session (store, id, &error))
    return imu_cli_report_error (cli, NULL, error);
  if (!cli->quiet)
    {
      g_autofree char *n = g_strdup_printf ("%" PRId64, id);

      /* TRANSLATORS: "Restored session 3 from the trash" */
      printf (_("Restored session %s from the trash\n"), n);
    }
  return IMU_CLI_EXIT_OK;
}

static int
trash_empty (ImuCli *cli, ImuStore *store, gint64 older_than_days)
{
  g_autoptr(GError) error = NULL;
  gint64 n;

  n = imu_store_empty_trash (store, older_than_days * 86400 * G_USEC_PER_SEC, g_get_real_time (), &error);
  if (n < 0)
    return imu_cli_report_error (cli, NULL, error);
  if (!cli->quiet)
    printf (ngettext ("Deleted %u session for good\n", "Deleted %u sessions for good\n", (gulong) n), (guint) n);
  return IMU_CLI_EXIT_OK;
}

static int
trash_days (ImuCli *cli, ImuStore *store, const char *value)
{
  g_autoptr(GError) error = NULL;
  gint64 days;

  if (value != NULL)
    {
      guint64 v;

      if (!g_ascii_string_to_unsigned (value, 10, 0, 36500, &v, NULL))
        return imu_cli_usage_error (cli, _("“%s” is not a number of days (0 to 36500)"), value);
      if (!imu_store_set_trash_days (store, (gint64) v, &error))
        return imu_cli_report_error (cli, NULL, error);
    }
  if ((days = imu_store_get_trash_days (store, &error)) < 0)
    return imu_cli_report_error (cli, NULL, error);
  if (!cli->quiet)
    {
      g_autofree char *n = g_strdup_printf ("%" PRId64, days);

      printf (ngettext ("Deleted sessions stay in the trash for %s day\n",
                        "Deleted sessions stay in the trash for %s days\n", (gulong) MIN (days, G_MAXLONG)), n);
    }
  return IMU_CLI_EXIT_OK;
}

int
imu_cli_trash (ImuCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  gint older_than = -1;
  ImuStore *store;
  const char *sub;
  int status;
  const GOptionEntry entries[] = {
    { "older-than", 0, 0, G_OPTION_ARG_INT, &older_than,
      N_("empty: only the sessions deleted more than DAYS days ago"), N_("DAYS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("list: print JSON"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("list | restore SESSION | empty [--older-than DAYS] | days [N]"),
                                        _("The library's trash: the sessions imu delete and the window's "
                                          "Delete put there, kept with every sample for the library's trash "
                                          "days (days; 30 unless set) and then deleted for good when the "
                                          "library is next opened. list shows them, restore brings one back, "
                                          "empty deletes them for good now."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return imu_cli_usage_error (cli, _("say what to do: list, restore, empty or days"));
  sub = argv[1];
  if (g_str_equal (sub, "restore") ? argc != 3 : g_str_equal (sub, "days") ? argc > 3 : argc != 2)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[argc - 1]);
  if (older_than != -1 && (!g_str_equal (sub, "empty") || older_than < 0))
    return imu_cli_usage_error (cli, _("--older-than takes a number of days ≥ 0, with empty"));
  if (!g_str_equal (sub, "list") && !g_str_equal (sub, "restore") && !g_str_equal (sub, "empty")
      && !g_str_equal (sub, "days"))
    return imu_cli_usage_error (cli, _("“%s” is not something imu trash does: list, restore, empty or days"), sub);

  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (g_str_equal (sub, "list"))
    return trash_list (cli, store);
  if (g_str_equal (sub, "restore"))
    return trash_restore (cli, store, argv[2]);
  if (g_str_equal (sub, "empty"))
    return trash_empty (cli, store, MAX (older_than, 0));
  return trash_days (cli, store, argc == 3 ? argv[2] : NULL);
}
