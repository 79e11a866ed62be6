/* imu-cli-event.c — `imu event`: a session's markers and notes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   imu event add SESSION --at TIME --label L [--duration D] [--kind K] [--note N]
 *   imu event list SESSION [--json]
 *   imu event edit SESSION EVENT [--at T] [--duration D] [--label L] [--kind K] [--note N]
 *   imu event delete SESSION EVENT
 *   imu event import SESSION FILE
 *   imu event export SESSION -o FILE
 *
 * TIME is from the session's start (1:02:03.250, 62.25) or absolute ISO
 * 8601; files are CSV or JSON Lines (imu-event-file.h, docs/cli.md).
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-cli.h"
#include "imu-cli-json.h"

/* What the subcommands' options fill. */
typedef struct {
  char    *at;
  char    *duration;
  char    *label;
  char    *kind;
  char    *note;
  char    *output;
} EventArgs;

static void
event_args_clear (EventArgs *a)
{
  g_free (a->at);
  g_free (a->duration);
  g_free (a->label);
  g_free (a->kind);
  g_free (a->note);
  g_free (a->output);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (EventArgs, event_args_clear)

static int
usage_error_from (ImuCli *cli, const GError *error)
{
  return imu_cli_usage_error (cli, "%s", error->message);
}

/* The event @text names among @events (by id), or NULL after a message. */
static ImuEvent *
find_event (ImuCli     *cli,
            GPtrArray  *events,
            ImuSession *session,
            const char *text,
            int        *status)
{
  char *end = NULL;
  gint64 id = g_ascii_strtoll (text, &end, 10);
  g_autofree char *session_id = g_strdup_printf ("%" PRId64, imu_session_get_id (session));

  if (end == text || *end != '\0' || id <= 0)
    {
      *status = imu_cli_usage_error (cli, _("“%s” is not an event id (imu event list shows them)"), text);
      return NULL;
    }
  for (guint i = 0; i < events->len; i++)
    {
      ImuEvent *e = g_ptr_array_index (events, i);

      if (e->id == id)
        return e;
    }
  /* TRANSLATORS: "imu: session 3 has no event 12 (imu event list 3 shows them)" */
  fprintf (stderr, _("imu: session %s has no event %s (imu event list %s shows them)\n"), session_id, text, session_id);
  *status = IMU_CLI_EXIT_NOT_FOUND;
  return NULL;
}

/* Applies the options given to @e; FALSE after a usage message. */
static gboolean
apply_args (ImuCli          *cli,
            const EventArgs *a,
            ImuSession      *session,
            ImuEvent        *e,
            int             *status)
{
  g_autoptr(GError) error = NULL;

  if (a->at != NULL && !imu_event_time_parse (a->at, imu_session_get_start_ns (session), &e->t_ns, &error))
    {
      *status = usage_error_from (cli, error);
      return FALSE;
    }
  if (a->duration != NULL && !imu_event_duration_parse (a->duration, &e->duration_ns, &error))
    {
      *status = usage_error_from (cli, error);
      return FALSE;
    }
  if (a->label != NULL)
    {
      g_free (e->label);
      e->label = g_strdup (a->label);
    }
  if (a->kind != NULL)
    {
      if (*g_strstrip (a->kind) == '\0')
        {
          *status = imu_cli_usage_error (cli, _("an event's kind cannot be empty"));
          return FALSE;
        }
      g_free (e->kind);
      e->kind = g_strdup (a->kind);
    }
  if (a->note != NULL)
    imu_event_set_note (e, a->note);
  return TRUE;
}

static JsonNode *
event_json (const ImuEvent *e,
            gint64          start_ns)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, e->id);
  imu_event_build_json (b, e, start_ns);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_event (ImuCli         *cli,
             const ImuEvent *e,
             gint64          start_ns)
{
  if (cli->json)
    {
      g_autoptr(JsonNode) root = event_json (e, start_ns);

      imu_cli_json_print (root);
    }
  else if (cli->quiet)
    printf ("%" PRId64 "\n", e->id);
  else
    {
      g_autofree char *offset = imu_event_format_offset (e->t_ns - start_ns);

      /* The id first and alone before a tab, as imu import prints sessions. */
      printf ("%" PRId64 "\t%s\t%s\t%s\n", e->id, offset, e->kind, e->label);
    }
}

static int
event_list (ImuCli *cli, ImuSession *session, GPtrArray *events)
{
  gint64 start = imu_session_get_start_ns (session);

  if (cli->json)
    {
      g_autoptr(JsonArray) array = json_array_new ();
      g_autoptr(JsonNode) root = NULL;

      for (guint i = 0; i < events->len; i++)
        json_array_add_element (array, event_json (g_ptr_array_index (events, i), start));
      root = json_node_init_array (json_node_alloc (), array);
      imu_cli_json_print (root);
      return IMU_CLI_EXIT_OK;
    }

  if (events->len == 0)
    {
      if (!cli->quiet)
        fprintf (stderr, _("imu: the session has no events\n"));
      return IMU_CLI_EXIT_OK;
    }
  for (guint i = 0; i < events->len; i++)
    {
      const ImuEvent *e = g_ptr_array_index (events, i);
      g_autofree char *offset = imu_event_format_offset (e->t_ns - start);
      g_autofree char *local = imu_cli_format_local_time (e->t_ns);
      g_autofree char *duration = e->duration_ns > 0 ? imu_event_format_offset (e->duration_ns) : g_strdup ("");
      g_autofree char *note = imu_event_dup_note (e);

      printf ("%" PRId64 "\t%s\t%s\t%s\t%s\t%s\t%s\n", e->id, offset, local, duration, e->kind, e->label,
              note != NULL ? note : "");
    }
  return IMU_CLI_EXIT_OK;
}

static gboolean
write_events (GOutputStream *out, gpointer user_data, GError **error)
{
  gpointer *args = user_data;

  return imu_event_file_write (out, GPOINTER_TO_INT (args[0]), args[1], *(gint64 *) args[2], NULL, error);
}

static int
event_export (ImuCli *cli, ImuSession *session, GPtrArray *events, const char *output)
{
  g_autoptr(GError) error = NULL;
  gint64 start = imu_session_get_start_ns (session);
  ImuEventFileFormat format = imu_event_file_format_for_name (output);

  if (g_str_equal (output, "-"))
    {
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr(GBytes) bytes = NULL;

      if (!imu_event_file_write (out, IMU_EVENT_FILE_CSV, events, start, NULL, &error)
          || !g_output_stream_close (out, NULL, &error))
        return imu_cli_report_error (cli, NULL, error);
      bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
      fwrite (g_bytes_get_data (bytes, NULL), 1, g_bytes_get_size (bytes), stdout);
      return IMU_CLI_EXIT_OK;
    }
  {
    gpointer args[3] = { GINT_TO_POINTER (format), events, &start };

    if (!imu_cli_write_file (output, write_events, args, &error))
      {
        fprintf (stderr, "imu: %s\n", error->message);
        return IMU_CLI_EXIT_OUTPUT;
      }
  }
  if (!cli->quiet)
    fprintf (stderr, ngettext ("imu: wrote %u event to %s\n", "imu: wrote %u events to %s\n", events->len),
             events->len, output);
  return IMU_CLI_EXIT_OK;
}

static int
event_import (ImuCli *cli, ImuSession *session, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = imu_event_file_read (path, imu_session_get_start_ns (session), cli->cancellable, &error);

  if (events == NULL)
    {
      /* The message names the file (and line and column). */
      fprintf (stderr, "imu: %s\n", error->message);
      return IMU_CLI_EXIT_BAD_INPUT;
    }
  /* All of the file or nothing. */
  if (!imu_store_begin (cli->store, &error))
    return imu_cli_report_error (cli, NULL, error);
  for (guint i = 0; i < events->len; i++)
    {
      ImuEvent *e = g_ptr_array_index (events, i);

      e->session_id = imu_session_get_id (session);
      if (!imu_store_add_event (cli->store, e, &error))
        {
          imu_store_rollback (cli->store);
          return imu_cli_report_error (cli, NULL, error);
        }
    }
  if (!imu_store_touch_session (cli->store, imu_session_get_id (session), &error)
      || !imu_store_commit (cli->store, &error))
    {
      imu_store_rollback (cli->store);
      return imu_cli_report_error (cli, NULL, error);
    }
  if (!cli->quiet)
    fprintf (stderr, ngettext ("imu: added %u event from %s\n", "imu: added %u events from %s\n", events->len),
             events->len, path);
  return IMU_CLI_EXIT_OK;
}

/* Writes @e (added or changed) and marks the session changed, in one transaction. */
static gboolean
save_event (ImuCli *cli, ImuSession *session, ImuEvent *e, gboolean add, GError **error)
{
  if (!imu_store_begin (cli->store, error))
    return FALSE;
  if (!(add ? imu_store_add_event (cli->store, e, error) : imu_store_update_event (cli->store, e, error))
      || !imu_store_touch_session (cli->store, imu_session_get_id (session), error)
      || !imu_store_commit (cli->store, error))
    {
      imu_store_rollback (cli->store);
      return FALSE;
    }
  return TRUE;
}

int
imu_cli_event (ImuCli  *cli,
               int      argc,
               char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_auto(EventArgs) a = { 0 };
  const char *sub;
  int status;
  int wanted;
  const GOptionEntry entries[] = {
    { "at", 0, 0, G_OPTION_ARG_STRING, &a.at,
      N_("When: from the session's start (1:02:03.250, 62.25) or a date and time (2024-05-01T10:00:00Z)"), N_("TIME") },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &a.duration, N_("How long: seconds or h:mm:ss.fff (default: an instant)"), N_("D") },
    { "label", 0, 0, G_OPTION_ARG_STRING, &a.label, N_("The event's label"), N_("LABEL") },
    { "kind", 0, 0, G_OPTION_ARG_STRING, &a.kind, N_("marker, note, … (default: marker)"), N_("KIND") },
    { "note", 0, 0, G_OPTION_ARG_STRING, &a.note, N_("A note on the event (\"\" removes it)"), N_("NOTE") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &a.output,
      N_("export: the file to write (CSV, or JSON Lines for *.jsonl; - for standard output)"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Print JSON"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("add|list|edit|delete|import|export SESSION [EVENT|FILE]"),
                                        _("Adds, lists, changes, deletes, imports and exports a session's "
                                          "events (markers and notes). TIME is from the session's start "
                                          "(1:02:03.250 or seconds) or a date and time in ISO 8601 "
                                          "(without an offset, local time). Files are CSV "
                                          "(time,offset,duration_s,kind,label,note) or JSON Lines."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return imu_cli_usage_error (cli, _("say what to do: add, list, edit, delete, import or export"));
  sub = argv[1];
  if (g_str_equal (sub, "add") || g_str_equal (sub, "list") || g_str_equal (sub, "export"))
    wanted = 3;
  else if (g_str_equal (sub, "edit") || g_str_equal (sub, "delete") || g_str_equal (sub, "import"))
    wanted = 4;
  else
    return imu_cli_usage_error (cli, _("“%s” is not something imu event does: add, list, edit, delete, import or export"), sub);
  if (argc < wanted)
    return imu_cli_usage_error (cli, wanted == 3 ? _("no session given") : _("a session and an event id (or a file) are needed"));
  if (argc > wanted)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[wanted]);

  if (g_str_equal (sub, "add") && (a.at == NULL || a.label == NULL))
    return imu_cli_usage_error (cli, _("imu event add needs --at and --label"));
  if (g_str_equal (sub, "export") && a.output == NULL)
    return imu_cli_usage_error (cli, _("imu event export needs -o FILE"));
  if (g_str_equal (sub, "edit") && a.at == NULL && a.duration == NULL && a.label == NULL && a.kind == NULL && a.note == NULL)
    return imu_cli_usage_error (cli, _("nothing to change: give --at, --duration, --label, --kind or --note"));

  if (!(session = imu_cli_open_session (cli, argv[2], &status)))
    return status;
  if (!(events = imu_store_list_events (cli->store, imu_session_get_id (session), &error)))
    return imu_cli_report_error (cli, NULL, error);

  if (g_str_equal (sub, "list"))
    return event_list (cli, session, events);
  if (g_str_equal (sub, "export"))
    return event_export (cli, session, events, a.output);
  if (g_str_equal (sub, "import"))
    return event_import (cli, session, argv[3]);

  if (g_str_equal (sub, "add"))
    {
      g_autoptr(ImuEvent) e = imu_event_new (0, "marker", "");

      e->session_id = imu_session_get_id (session);
      if (!apply_args (cli, &a, session, e, &status))
        return status;
      if (!save_event (cli, session, e, TRUE, &error))
        return imu_cli_report_error (cli, NULL, error);
      print_event (cli, e, imu_session_get_start_ns (session));
      return IMU_CLI_EXIT_OK;
    }

  {
    ImuEvent *e = find_event (cli, events, session, argv[3], &status);

    if (e == NULL)
      return status;
    if (g_str_equal (sub, "delete"))
      {
        if (!imu_store_begin (cli->store, &error))
          return imu_cli_report_error (cli, NULL, error);
        if (!imu_store_delete_event (cli->store, e->id, &error)
            || !imu_store_touch_session (cli->store, imu_session_get_id (session), &error)
            || !imu_store_commit (cli->store, &error))
          {
            imu_store_rollback (cli->store);
            return imu_cli_report_error (cli, NULL, error);
          }
        if (!cli->quiet)
          /* TRANSLATORS: "Deleted event 12 “Sprint”" */
          printf (_("Deleted event %s “%s”\n"), argv[3], e->label);
        return IMU_CLI_EXIT_OK;
      }
    if (!apply_args (cli, &a, session, e, &status))
      return status;
    if (!save_event (cli, session, e, FALSE, &error))
      return imu_cli_report_error (cli, NULL, error);
    print_event (cli, e, imu_session_get_start_ns (session));
    return IMU_CLI_EXIT_OK;
  }
}
