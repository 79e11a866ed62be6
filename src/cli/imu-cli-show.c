/* imu-cli-show.c — `imu show`: everything about one session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-cli-json.h"

/* Issue lines shown per code in the text output (the JSON has them all). */
#define SHOWN_LINES 5

static void
field (const char *label,
       const char *value)
{
  /* Labels are translated, so pad by characters, not bytes. */
  int pad = 12 - (int) g_utf8_strlen (label, -1);

  if (value == NULL || *value == '\0')
    return;
  printf ("  %s%*s %s\n", label, MAX (pad, 0), "", value);
}

static char *
time_range (gint64 first_ns,
            gint64 last_ns,
            gint64 start_ns,
            gboolean dated)
{
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;

  if (!dated)
    {
      /* No date: elapsed times from the start, never 1970-01-01. */
      first = imu_cli_format_duration (first_ns - start_ns);
      last = imu_cli_format_duration (last_ns - start_ns);
      /* TRANSLATORS: a stream's times in a session without a date: "+0:00:00 → +0:01:40" */
      return g_strdup_printf (_("+%s → +%s"), first, last);
    }
  first = imu_cli_format_utc_iso8601 (first_ns);
  last = imu_cli_format_utc_iso8601 (last_ns);

  return g_strdup_printf ("%s → %s", first != NULL ? first : "?", last != NULL ? last : "?");
}

static void
print_session (ImuSession *session,
               guint       n_events)
{
  const char * const *tags = imu_session_get_tags (session);
  g_autofree char *frame = NULL;
  g_autofree char *firmware = NULL;
  g_autofree char *id = g_strdup_printf ("%" PRId64, imu_session_get_id (session));
  g_autofree char *tags_text = tags != NULL ? g_strjoinv (", ", (char **) tags) : NULL;
  g_autofree char *duration = imu_cli_format_duration (imu_session_get_duration_ns (session));
  g_autofree char *rate = NULL;
  g_autofree char *device = NULL;
  g_autofree char *events = g_strdup_printf ("%u", n_events);
  g_autofree char *origin = NULL;
  g_autofree char *created = imu_cli_format_local_time (imu_session_get_created_us (session) * 1000);
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  GString *device_text = g_string_new (NULL);
  const char *parts[2];

  g_object_get (session, "frame", &frame, "device-firmware", &firmware, NULL);

  if (!imu_session_time_is_dated (session))
    {
      /* Times are elapsed only: no clock, never 1 January 1970. */
      start = imu_session_time_format (session, imu_session_get_start_ns (session), IMU_SESSION_TIME_ISO);
    }
  else if (imu_session_get_start_ns (session) != 0 || imu_session_get_end_ns (session) != 0)
    {
      /* The clock of the list and the window (imu-session-time.h), then UTC. */
      g_autofree char *shown = imu_session_time_format (session, imu_session_get_start_ns (session),
                                                        IMU_SESSION_TIME_ISO);
      g_autofree char *utc = imu_cli_format_utc_iso8601 (imu_session_get_start_ns (session));
      g_autofree char *end_shown = imu_session_time_format (session, imu_session_get_end_ns (session),
                                                            IMU_SESSION_TIME_ISO);
      g_autofree char *end_utc = imu_cli_format_utc_iso8601 (imu_session_get_end_ns (session));

      /* TRANSLATORS: "2019-02-26 11:55:06 UTC+01:00 (2019-02-26T10:55:06Z)" */
      start = g_strdup_printf (_("%s (%s)"), shown, utc != NULL ? utc : "?");
      end = g_strdup_printf (_("%s (%s)"), end_shown, end_utc != NULL ? end_utc : "?");
    }
  if (imu_session_get_nominal_rate (session) > 0)
    rate = imu_cli_format_rate (imu_session_get_nominal_rate (session));

  parts[0] = imu_session_get_device_vendor (session);
  parts[1] = imu_session_get_device_model (session);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    if (parts[i] != NULL && *parts[i] != '\0')
      g_string_append_printf (device_text, "%s%s", device_text->len > 0 ? " " : "", parts[i]);
  if (imu_session_get_device_serial (session) != NULL && *imu_session_get_device_serial (session) != '\0')
    /* TRANSLATORS: a device's serial number */
    g_string_append_printf (device_text, _(", serial %s"), imu_session_get_device_serial (session));
  if (firmware != NULL && *firmware != '\0')
    /* TRANSLATORS: a device's firmware version */
    g_string_append_printf (device_text, _(", firmware %s"), firmware);
  device = g_string_free (device_text, FALSE);

  if (imu_session_get_origin_path (session) != NULL && *imu_session_get_origin_path (session) != '\0')
    origin = g_strdup_printf ("%s: %s", imu_session_get_origin (session), imu_session_get_origin_path (session));
  else
    origin = g_strdup (imu_session_get_origin (session));

  printf (_("Session %s “%s”\n"), id, imu_session_get_title (session));
  field (_("UUID:"), imu_session_get_uuid (session));
  field (_("Subject:"), imu_session_get_subject (session));
  field (_("Activity:"), imu_session_get_activity (session));
  field (_("Tags:"), tags_text);
  field (_("Notes:"), imu_session_get_notes (session));
  field (_("Start:"), start);
  field (_("End:"), end);
  field (_("Duration:"), duration);
  field (_("Rate:"), rate);
  field (_("Frame:"), frame);
  field (_("State:"), imu_session_state_to_string (imu_session_get_state (session)));
  field (_("Origin:"), origin);
  field (_("SHA-256:"), imu_session_get_origin_sha256 (session));
  field (_("Device:"), device);
  field (_("Events:"), events);
  field (_("Created:"), created);
}

static void
print_streams (ImuSession *session)
{
  GPtrArray *streams = imu_session_get_streams (session);
  gboolean dated = imu_session_time_is_dated (session);

  printf ("%s\n", _("Streams"));
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);
      g_autofree char *rate = imu_cli_format_rate (imu_cli_stream_rate_hz (info));
      g_autofree char *samples = g_strdup_printf ("%" PRId64, info->n_samples);
      int name_width = 4;

      /* TRANSLATORS: "accelerometer (accel): 1000 samples, 100 Hz" */
      printf (_("  %s (%s): %s samples, %s"), info->name,
              info->kind != NULL && *info->kind != '\0' ? info->kind : "?", samples, rate);
      if (info->nominal_rate_hz <= 0 && info->n_samples > 1)
        printf (" %s", _("(effective)"));
      printf ("\n");
      if (info->n_samples > 0)
        {
          g_autofree char *range = time_range (info->t_first_ns, info->t_last_ns,
                                                   imu_session_get_start_ns (session), dated);
          g_autofree char *duration = imu_cli_format_duration (info->t_last_ns - info->t_first_ns);

          printf ("    %s (%s)\n", range, duration);
        }
      for (guint c = 0; c < info->n_channels; c++)
        name_width = MAX (name_width, (int) g_utf8_strlen (info->channels[c].name, -1));
      for (guint c = 0; c < info->n_channels; c++)
        {
          const ImuChannelInfo *ch = &info->channels[c];
          const char *unit = ch->unit != NULL && *ch->unit != '\0' ? ch->unit : "-";
          int pad = name_width - (int) g_utf8_strlen (ch->name, -1);
          /* Units such as "µT" are wider in bytes than on screen. */
          int unit_pad = 8 - (int) g_utf8_strlen (unit, -1);

          printf ("    %s%*s  %s%*s %s\n", ch->name, MAX (pad, 0), "", unit, MAX (unit_pad, 0), "",
                  ch->kind != NULL && *ch->kind != '\0' ? ch->kind : "-");
        }
    }
}

static void
print_audit_issues (const char *issues_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GList) codes = NULL;
  JsonObject *issues;
  JsonNode *root;

  if (issues_json == NULL || !json_parser_load_from_data (parser, issues_json, -1, NULL))
    return;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  issues = json_node_get_object (root);
  codes = g_list_sort (json_object_get_members (issues), (GCompareFunc) g_strcmp0);
  for (GList *l = codes; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (issues, l->data);
      g_autoptr(GString) lines = g_string_new (NULL);
      g_autofree char *count_text = NULL;
      gint64 count = 0;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *issue = json_node_get_object (node);
          JsonArray *array = json_object_has_member (issue, "lines")
                             ? json_object_get_array_member (issue, "lines") : NULL;

          count = json_object_get_int_member_with_default (issue, "count", 0);
          for (guint i = 0; array != NULL && i < json_array_get_length (array) && i < SHOWN_LINES; i++)
            g_string_append_printf (lines, "%s%" PRId64, i > 0 ? ", " : "",
                                    json_array_get_int_element (array, i));
          if (array != NULL && (gint64) MIN (json_array_get_length (array), SHOWN_LINES) < count)
            g_string_append (lines, ", …");
        }
      else if (JSON_NODE_HOLDS_VALUE (node))
        count = json_node_get_int (node);

      count_text = g_strdup_printf ("%" PRId64, count);
      if (lines->len > 0)
        /* TRANSLATORS: "E_NUMERIC_FORMAT: 3 (lines 12, 40, 41)" */
        printf (_("    %s: %s (lines %s)\n"), (const char *) l->data, count_text, lines->str);
      else
        printf ("    %s: %s\n", (const char *) l->data, count_text);
    }
}

static void
print_audits (GPtrArray *audits)
{
  if (audits == NULL || audits->len == 0)
    return;
  printf ("%s\n", _("Imports"));
  for (guint i = 0; i < audits->len; i++)
    {
      const ImuImportAudit *a = g_ptr_array_index (audits, i);
      g_autofree char *delimiter = NULL;
      g_autofree char *bytes = NULL;
      g_autofree char *rows = NULL;

      if (a->delimiter == NULL)
        delimiter = g_strdup (_("none"));
      else if (g_str_equal (a->delimiter, "\t"))
        delimiter = g_strdup (_("tab"));
      else if (g_str_equal (a->delimiter, " "))
        delimiter = g_strdup (_("space"));
      else
        delimiter = g_strdup_printf ("“%s”", a->delimiter);

      bytes = g_strdup_printf ("%" PRId64, a->bytes);
      rows = g_strdup_printf ("%" PRId64, a->rows);
      printf ("  %s\n", a->path);
      printf ("    sha256 %s\n", a->sha256 != NULL ? a->sha256 : "?");
      /* TRANSLATORS: "1234 bytes, 1000 rows, format csv, delimiter “,”, valid UTF-8, 0.012 s" */
      printf (_("    %s bytes, %s rows, format %s, delimiter %s, %s, %.3f s\n"),
              bytes, rows, a->format != NULL && *a->format != '\0' ? a->format : "?", delimiter,
              a->utf8_valid ? _("valid UTF-8") : _("invalid UTF-8"), a->duration_s);
      if (a->error != NULL)
        printf (_("    failed: %s\n"), a->error);
      print_audit_issues (a->issues_json);
    }
}

int
imu_cli_show (ImuCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) audits = NULL;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print the session as one JSON object"), NULL },
    { NULL }
  };
  int status;

  context = imu_cli_option_context_new (cli, _("SESSION"),
                                        _("Shows a session's metadata, device, streams and channels, "
                                          "and the audit of its imports. SESSION is a numeric id or "
                                          "a uuid prefix of at least 4 hex digits."),
                                        entries);
  if (!(session = imu_cli_parse_session_command (cli, context, argc, argv, &status)))
    return status;

  events = imu_store_list_events (cli->store, imu_session_get_id (session), &error);
  if (events == NULL)
    return imu_cli_report_error (cli, NULL, error);
  audits = imu_store_list_import_audits (cli->store, imu_session_get_id (session), &error);
  if (audits == NULL)
    return imu_cli_report_error (cli, NULL, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) root = imu_cli_json_session_detail (session, events->len, audits);

      imu_cli_json_print (root);
      return IMU_CLI_EXIT_OK;
    }

  print_session (session, events->len);
  print_streams (session);
  print_audits (audits);
  return IMU_CLI_EXIT_OK;
}
