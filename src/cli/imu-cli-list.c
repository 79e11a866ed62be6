/* imu-cli-list.c — `imu list`: the sessions of the library as a table or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-cli-json.h"

#define TITLE_MAX_COLUMNS   40
#define SUBJECT_MAX_COLUMNS 24

enum {
  COL_ID,
  COL_UUID,
  COL_DATE,
  COL_DURATION,
  COL_STREAMS,
  COL_TITLE,
  COL_SUBJECT,
  N_COLUMNS
};

/* Terminal columns a string takes: wide (CJK) characters take two,
 * combining marks none. */
static int
display_width (const char *s)
{
  int width = 0;

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iszerowidth (c))
        continue;
      width += g_unichar_iswide (c) ? 2 : 1;
    }
  return width;
}

/* Cuts @s to at most @max columns, ending with "…" when it was longer. */
static char *
ellipsize (const char *s,
           int         max)
{
  GString *out;
  int width = 0;

  if (display_width (s) <= max)
    return g_strdup (s);

  out = g_string_new (NULL);
  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      int w = g_unichar_iszerowidth (c) ? 0 : g_unichar_iswide (c) ? 2 : 1;

      if (width + w > max - 1)
        break;
      g_string_append_unichar (out, c);
      width += w;
    }
  g_string_append (out, "…");
  return g_string_free (out, FALSE);
}

/* Replaces newlines and tabs so that one session stays on one line. */
static char *
one_line (const char *s)
{
  char *copy = g_strdup (s != NULL ? s : "");

  for (char *p = copy; *p != '\0'; p++)
    if (*p == '\n' || *p == '\r' || *p == '\t')
      *p = ' ';
  return copy;
}

static void
append_padded (GString    *line,
               const char *s,
               int         width,
               gboolean    right)
{
  int pad = MAX (width - display_width (s), 0);

  if (right)
    g_string_append_printf (line, "%*s%s  ", pad, "", s);
  else
    g_string_append_printf (line, "%s%*s  ", s, pad, "");
}

static void
print_table (GPtrArray *rows)
{
  static const gboolean right_aligned[N_COLUMNS] = { TRUE, FALSE, FALSE, TRUE, TRUE, FALSE, FALSE };
  int widths[N_COLUMNS] = { 0 };

  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);

      for (int c = 0; c < N_COLUMNS; c++)
        widths[c] = MAX (widths[c], display_width (cells[c]));
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);
      g_autoptr(GString) line = g_string_new (NULL);

      for (int c = 0; c < N_COLUMNS; c++)
        append_padded (line, cells[c], widths[c], right_aligned[c]);
      /* No trailing blanks when the last columns are empty. */
      g_strchomp (line->str);
      printf ("%s\n", line->str);
    }
}

int
imu_cli_list (ImuCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(JsonArray) json_sessions = NULL;
  g_autofree char *search = NULL;
  g_autofree char *sort = NULL;
  g_autofree char *only_subject = NULL;
  gboolean with_profile = FALSE;
  gboolean csv = FALSE;
  ImuSessionSort sort_order = IMU_SESSION_SORT_DATE_DESC;
  ImuStore *store = NULL;
  int status;
  const GOptionEntry entries[] = {
    { "search", 's', 0, G_OPTION_ARG_STRING, &search,
      N_("Only sessions whose title, subject, activity, tags or notes contain TEXT"), N_("TEXT") },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort,
      N_("Order: date (newest first, the default), title, or duration (longest first)"), N_("KEY") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &only_subject,
      N_("Only the sessions of SUBJECT (the whole name, in any case)"), N_("SUBJECT") },
    { "with-profile", 0, 0, G_OPTION_ARG_NONE, &with_profile,
      N_("With the key numbers of each session’s profile (ENMO, minutes per intensity, peaks, "
         "time worn, findings), profiling the sessions that need it"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print a JSON array of sessions"), NULL },
    { "csv", 0, 0, G_OPTION_ARG_NONE, &csv,
      N_("With --with-profile: print CSV, one row per session"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, NULL,
                                        _("Lists the sessions of the library: id, uuid prefix, start "
                                          "date (local time), duration, number of streams, title "
                                          "and subject."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
  if (csv && !with_profile)
    return imu_cli_usage_error (cli, _("--csv needs --with-profile"));
  if (csv && cli->json)
    return imu_cli_usage_error (cli, _("give either --json or --csv, not both"));

  if (sort == NULL || g_str_equal (sort, "date"))
    sort_order = IMU_SESSION_SORT_DATE_DESC;
  else if (g_str_equal (sort, "title"))
    sort_order = IMU_SESSION_SORT_TITLE;
  else if (g_str_equal (sort, "duration"))
    sort_order = IMU_SESSION_SORT_DURATION_DESC;
  else
    return imu_cli_usage_error (cli, _("unknown sort key “%s” (use date, title or duration)"), sort);

  /* No library yet is an empty list, not a reason to create one. */
  if (!imu_cli_library_exists (cli))
    sessions = g_ptr_array_new ();
  else
    {
      store = imu_cli_get_store (cli, &error);
      if (store == NULL)
        return imu_cli_report_error (cli, NULL, error);
      sessions = imu_store_list_sessions (store, search, sort_order, &error);
      if (sessions == NULL)
        return imu_cli_report_error (cli, NULL, error);
    }
  if (only_subject != NULL)
    {
      g_autofree char *wanted = g_utf8_casefold (only_subject, -1);

      for (guint i = sessions->len; i-- > 0;)
        {
          g_autofree char *have = g_utf8_casefold (imu_session_get_subject (sessions->pdata[i]) != NULL
                                                   ? imu_session_get_subject (sessions->pdata[i]) : "", -1);

          if (!g_str_equal (have, wanted))
            g_ptr_array_remove_index (sessions, i);
        }
    }
  if (with_profile && (sessions->len > 0 || csv))
    return imu_cli_list_with_profile (cli, store, sessions, cli->json ? "json" : csv ? "csv" : "table");

  if (cli->json)
    json_sessions = json_array_new ();
  rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  if (!cli->json)
    {
      char **header = g_new0 (char *, N_COLUMNS + 1);

      header[COL_ID] = g_strdup (_("ID"));
      header[COL_UUID] = g_strdup (_("UUID"));
      header[COL_DATE] = g_strdup (_("DATE"));
      header[COL_DURATION] = g_strdup (_("DURATION"));
      header[COL_STREAMS] = g_strdup (_("STREAMS"));
      header[COL_TITLE] = g_strdup (_("TITLE"));
      header[COL_SUBJECT] = g_strdup (_("SUBJECT"));
      g_ptr_array_add (rows, header);
    }

  for (guint i = 0; i < sessions->len; i++)
    {
      ImuSession *session = g_ptr_array_index (sessions, i);
      g_autoptr(GPtrArray) streams = NULL;
      g_autofree char *title = NULL;
      g_autofree char *subject = NULL;
      const char *uuid;
      char **cells;

      streams = imu_store_list_streams (store, imu_session_get_id (session), &error);
      if (streams == NULL)
        return imu_cli_report_error (cli, NULL, error);

      if (json_sessions != NULL)
        {
          json_array_add_element (json_sessions, imu_cli_json_session (session, streams));
          continue;
        }

      uuid = imu_session_get_uuid (session);
      title = one_line (imu_session_get_title (session));
      subject = one_line (imu_session_get_subject (session));
      cells = g_new0 (char *, N_COLUMNS + 1);
      cells[COL_ID] = g_strdup_printf ("%" PRId64, imu_session_get_id (session));
      cells[COL_UUID] = g_strndup (uuid != NULL ? uuid : "", 8);
      /* The one rule of the list, the window and `imu show` (imu-session-time.h). */
      cells[COL_DATE] = imu_session_time_format (session, imu_session_get_start_ns (session),
                                                 IMU_SESSION_TIME_ISO);
      cells[COL_DURATION] = imu_cli_format_duration (imu_session_get_duration_ns (session));
      cells[COL_STREAMS] = g_strdup_printf ("%u", streams->len);
      cells[COL_TITLE] = ellipsize (title, TITLE_MAX_COLUMNS);
      cells[COL_SUBJECT] = ellipsize (subject, SUBJECT_MAX_COLUMNS);
      g_ptr_array_add (rows, cells);
    }

  if (json_sessions != NULL)
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), json_sessions);

      imu_cli_json_print (root);
    }
  else if (sessions->len > 0)
    print_table (rows);
  else if (search != NULL)
    imu_cli_warning (cli, _("no session matches “%s”"), search);
  else if (only_subject != NULL)
    imu_cli_warning (cli, _("no session of subject “%s”"), only_subject);
  else
    imu_cli_warning (cli, _("the library has no sessions"));
  return IMU_CLI_EXIT_OK;
}
