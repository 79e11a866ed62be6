/* imu-cli-edit.c — `imu edit`: a session's title, subject, activity, tags and notes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the Details page edits, from the command line.
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-cli-json.h"

/* The session's tags with @add appended (unless present) and @remove taken out. */
static char **
edited_tags (const char * const *tags,
             char              **add,
             char              **remove)
{
  g_autoptr(GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr(GPtrArray) kept = g_ptr_array_new ();

  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    if (remove == NULL || !g_strv_contains ((const char * const *) remove, tags[i]))
      g_ptr_array_add (kept, (gpointer) tags[i]);
  for (guint i = 0; add != NULL && add[i] != NULL; i++)
    {
      gboolean present = FALSE;

      if (*g_strstrip (add[i]) == '\0')
        continue;
      for (guint j = 0; j < kept->len && !present; j++)
        present = g_str_equal (g_ptr_array_index (kept, j), add[i]);
      if (!present && !(remove != NULL && g_strv_contains ((const char * const *) remove, add[i])))
        g_ptr_array_add (kept, add[i]);
    }
  for (guint i = 0; i < kept->len; i++)
    g_strv_builder_add (b, g_ptr_array_index (kept, i));
  return g_strv_builder_end (b);
}

int
imu_cli_edit (ImuCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *activity = NULL;
  g_autofree char *notes = NULL;
  g_auto(GStrv) tags = NULL;
  g_auto(GStrv) untags = NULL;
  g_auto(GStrv) new_tags = NULL;
  g_autofree char *id = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, N_("New title"), N_("TITLE") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject, N_("Subject or athlete (\"\" clears it)"), N_("SUBJECT") },
    { "activity", 0, 0, G_OPTION_ARG_STRING, &activity, N_("Activity (\"\" clears it)"), N_("ACTIVITY") },
    { "tag", 0, 0, G_OPTION_ARG_STRING_ARRAY, &tags, N_("Add a tag (repeat for several)"), N_("TAG") },
    { "untag", 0, 0, G_OPTION_ARG_STRING_ARRAY, &untags, N_("Remove a tag (repeat for several)"), N_("TAG") },
    { "notes", 0, 0, G_OPTION_ARG_STRING, &notes, N_("Notes (\"\" clears them)"), N_("NOTES") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Print the session as JSON afterwards"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("SESSION"),
                                        _("Changes a session's title, subject, activity, tags or notes. "
                                          "Options not given leave their field as it is."),
                                        entries);
  if (!(session = imu_cli_parse_session_command (cli, context, argc, argv, &status)))
    return status;

  if (title == NULL && subject == NULL && activity == NULL && notes == NULL && tags == NULL && untags == NULL)
    return imu_cli_usage_error (cli, _("nothing to change: give --title, --subject, --activity, --tag, --untag or --notes"));
  if (title != NULL && *g_strstrip (title) == '\0')
    return imu_cli_usage_error (cli, _("a session's title cannot be empty"));

  if (title != NULL)
    imu_session_set_title (session, title);
  if (subject != NULL)
    imu_session_set_subject (session, subject);
  if (activity != NULL)
    imu_session_set_activity (session, activity);
  if (notes != NULL)
    imu_session_set_notes (session, notes);
  if (tags != NULL || untags != NULL)
    {
      new_tags = edited_tags (imu_session_get_tags (session), tags, untags);
      imu_session_set_tags (session, (const char * const *) new_tags);
    }

  if (!imu_store_update_session (cli->store, session, &error))
    return imu_cli_report_error (cli, NULL, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = imu_cli_json_session (session, NULL);

      imu_cli_json_print (root);
      return IMU_CLI_EXIT_OK;
    }
  id = g_strdup_printf ("%" PRId64, imu_session_get_id (session));
  if (!cli->quiet)
    /* TRANSLATORS: "Updated session 3 “Morning run”" */
    printf (_("Updated session %s “%s”\n"), id, imu_session_get_title (session));
  return IMU_CLI_EXIT_OK;
}
