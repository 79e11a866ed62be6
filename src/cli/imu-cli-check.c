/* imu-cli-check.c — `imu check`: the library's integrity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-cli-json.h"

int
imu_cli_check (ImuCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  gboolean healthy;
  gboolean status_shown = FALSE;
  ImuStore *store;
  int status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print {\"healthy\": …, \"problems\": […]}"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, NULL,
                                        _("Checks the library: SQLite integrity and foreign keys, "
                                          "then that every chunk decodes and that sample counts, "
                                          "time ranges and envelopes agree. Reads every chunk. "
                                          "Exits 0 when the library is healthy."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);

  store = imu_cli_open_existing_store (cli, &error);
  if (store == NULL)
    return imu_cli_report_error (cli, NULL, error);

  /* The check reports no progress: say what is going on while it reads. */
  if (!cli->quiet && isatty (STDERR_FILENO))
    {
      fprintf (stderr, _("Checking %s…"), cli->library_path);
      fflush (stderr);
      status_shown = TRUE;
    }
  healthy = imu_store_check (store, &problems, cli->cancellable, &error);
  if (status_shown)
    fprintf (stderr, "\r\033[K");
  if (error != NULL)
    return imu_cli_report_error (cli, NULL, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "healthy");
      json_builder_add_boolean_value (b, healthy);
      json_builder_set_member_name (b, "problems");
      json_builder_begin_array (b);
      for (guint i = 0; problems != NULL && i < problems->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (problems, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      imu_cli_json_print (root);
    }
  else
    {
      for (guint i = 0; problems != NULL && i < problems->len; i++)
        printf ("%s\n", (const char *) g_ptr_array_index (problems, i));
      if (healthy && !cli->quiet)
        printf (_("%s: the library is healthy\n"), cli->library_path);
      else if (!healthy)
        fprintf (stderr, _("imu: %s: the library has problems (see above)\n"), cli->library_path);
    }
  return healthy ? IMU_CLI_EXIT_OK : IMU_CLI_EXIT_LIBRARY;
}
