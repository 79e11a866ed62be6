/* imu-cli-delete.c — `imu delete`: remove a session and everything it holds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "imu-cli.h"

int
imu_cli_delete (ImuCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autofree char *id = NULL;
  int status;

  context = imu_cli_option_context_new (cli, _("SESSION"),
                                        _("Deletes a session with its streams, samples and events, "
                                          "without asking. SESSION is a numeric id or a uuid prefix "
                                          "of at least 4 hex digits."),
                                        NULL);
  if (!(session = imu_cli_parse_session_command (cli, context, argc, argv, &status)))
    return status;

  if (!imu_store_delete_session (cli->store, imu_session_get_id (session), &error))
    return imu_cli_report_error (cli, NULL, error);

  id = g_strdup_printf ("%" PRId64, imu_session_get_id (session));
  if (!cli->quiet)
    /* TRANSLATORS: "Deleted session 3 “Morning run” (uuid 1b4e28ba-…)" */
    printf (_("Deleted session %s “%s” (uuid %s)\n"), id,
            imu_session_get_title (session), imu_session_get_uuid (session));
  return IMU_CLI_EXIT_OK;
}
