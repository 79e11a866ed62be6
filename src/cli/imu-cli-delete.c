/* imu-cli-delete.c — `imu delete`: move a session to the library's trash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-store-ops.h"

int
imu_cli_delete (ImuCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autofree char *id = NULL;
  gint64 days;
  int status;

  context = imu_cli_option_context_new (cli, _("SESSION"),
                                        _("Moves a session to the library's trash, without asking: it "
                                          "is no longer listed or synced, and is deleted for good with "
                                          "its streams, samples and events once it has been there for "
                                          "the library's trash days (see imu trash). SESSION is a numeric "
                                          "id or a uuid prefix of at least 4 hex digits."),
                                        NULL);
  if (!(session = imu_cli_parse_session_command (cli, context, argc, argv, &status)))
    return status;

  if (!imu_store_trash_session (cli->store, imu_session_get_id (session), g_get_real_time (), &error)
      || (days = imu_store_get_trash_days (cli->store, &error)) < 0)
    return imu_cli_report_error (cli, NULL, error);

  id = g_strdup_printf ("%" PRId64, imu_session_get_id (session));
  if (!cli->quiet)
    {
      g_autofree char *n_days = g_strdup_printf ("%" PRId64, days);

      /* TRANSLATORS: "Deleted session 3 “Morning run” (uuid 1b4e28ba-…): it stays in the trash for 30 days (imu trash restore 3 brings it back)" */
      printf (ngettext ("Deleted session %s “%s” (uuid %s): it stays in the trash for %s day "
                        "(imu trash restore %s brings it back)\n",
                        "Deleted session %s “%s” (uuid %s): it stays in the trash for %s days "
                        "(imu trash restore %s brings it back)\n", (gulong) MIN (days, G_MAXLONG)),
              id, imu_session_get_title (session), imu_session_get_uuid (session), n_days, id);
    }
  return IMU_CLI_EXIT_OK;
}
