/* imu-cli-compare.c — `imu compare`: two to four sessions aligned, and how they differ
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-cli.h"
#include "imu-cli-json.h"

static const char *
method_name (ImuAlignMethod method)
{
  switch (method)
    {
    case IMU_ALIGN_START:  return "start";
    case IMU_ALIGN_EVENT:  return "event";
    case IMU_ALIGN_XCORR:  return "xcorr";
    case IMU_ALIGN_OFFSET: return "offset";
    default:               return "";
    }
}

static void
add_number (JsonBuilder *b, const char *name, double value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static JsonNode *
comparison_json (const ImuComparison *c)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "align");
  json_builder_add_string_value (b, method_name (c->method));
  json_builder_set_member_name (b, "sessions");
  json_builder_begin_array (b);
  for (guint i = 0; i < c->n_members; i++)
    {
      const ImuCompareMember *m = &c->members[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, m->session_id);
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, m->title);
      json_builder_set_member_name (b, "stream");
      json_builder_add_string_value (b, m->stream_name);
      add_number (b, "rate_hz", m->rate_hz);
      json_builder_set_member_name (b, "offset_ns");
      json_builder_add_int_value (b, m->offset_ns);
      add_number (b, "offset_s", (double) m->offset_ns / 1e9);
      if (c->method == IMU_ALIGN_XCORR && i > 0)
        {
          add_number (b, "correlation", m->correlation);
          json_builder_set_member_name (b, "clear_peak");
          json_builder_add_boolean_value (b, m->clear_peak);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "range");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "t0_ns");
  json_builder_add_int_value (b, c->t0_ns);
  json_builder_set_member_name (b, "t1_ns");
  json_builder_add_int_value (b, c->t1_ns);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (guint k = 0; k < c->n_channels; k++)
    {
      const ImuCompareChannel *ch = &c->channels[k];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, ch->name);
      json_builder_set_member_name (b, "unit");
      json_builder_add_string_value (b, ch->unit);
      json_builder_set_member_name (b, "sessions");
      json_builder_begin_array (b);
      for (guint i = 1; i < c->n_members; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, c->members[i].session_id);
          add_number (b, "rms_difference", ch->rms[i]);
          add_number (b, "correlation", ch->correlation[i]);
          json_builder_set_member_name (b, "samples");
          json_builder_add_int_value (b, ch->n[i]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_comparison (const ImuComparison *c)
{
  g_autofree char *range = imu_cli_format_duration (c->t1_ns - c->t0_ns);
  g_autofree char *from = imu_cli_format_local_time (c->t0_ns);

  for (guint i = 0; i < c->n_members; i++)
    {
      const ImuCompareMember *m = &c->members[i];
      g_autofree char *rate = imu_cli_format_rate (m->rate_hz);
      g_autofree char *id = g_strdup_printf ("%" PRId64, m->session_id);

      if (i == 0)
        /* TRANSLATORS: "1 “Run A” (accelerometer, 100 Hz): the reference" */
        printf (_("%s “%s” (%s, %s): the reference\n"), id, m->title, m->stream_name, rate);
      else if (c->method == IMU_ALIGN_XCORR && !m->clear_peak && !isfinite (m->correlation))
        /* TRANSLATORS: "2 “Run B” (accelerometer, 50 Hz): +0.000 s — too little shared movement to correlate: aligned by start" */
        printf (_("%s “%s” (%s, %s): %+.3f s — too little shared movement to correlate: aligned by start\n"),
                id, m->title, m->stream_name, rate, (double) m->offset_ns / 1e9);
      else if (c->method == IMU_ALIGN_XCORR && !m->clear_peak)
        /* TRANSLATORS: "2 “Run B” (accelerometer, 50 Hz): +12.345 s — no clear correlation peak (best r = 0.12): aligned by start" */
        printf (_("%s “%s” (%s, %s): %+.3f s — no clear correlation peak (best r = %.2f): aligned by start\n"),
                id, m->title, m->stream_name, rate, (double) m->offset_ns / 1e9, m->correlation);
      else if (c->method == IMU_ALIGN_XCORR)
        /* TRANSLATORS: "2 “Run B” (accelerometer, 50 Hz): −12.345 s (correlation 0.98)" */
        printf (_("%s “%s” (%s, %s): %+.3f s (correlation %.3f)\n"),
                id, m->title, m->stream_name, rate, (double) m->offset_ns / 1e9, m->correlation);
      else
        printf (_("%s “%s” (%s, %s): %+.3f s\n"), id, m->title, m->stream_name, rate, (double) m->offset_ns / 1e9);
    }
  /* TRANSLATORS: "Compared 0:09:47 from 2024-03-12 17:30:12" */
  printf (_("Compared %s from %s\n"), range, from);
  for (guint k = 0; k < c->n_channels; k++)
    {
      const ImuCompareChannel *ch = &c->channels[k];

      for (guint i = 1; i < c->n_members; i++)
        {
          g_autofree char *id = g_strdup_printf ("%" PRId64, c->members[i].session_id);

          /* TRANSLATORS: "  acc_x (g), session 2: RMS difference 0.0061, correlation 0.998" */
          printf (_("  %s (%s), session %s: RMS difference %.4g, correlation %.3f\n"),
                  ch->name, *ch->unit != '\0' ? ch->unit : "-", id, ch->rms[i], ch->correlation[i]);
        }
    }
}

int
imu_cli_compare (ImuCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuComparison) comparison = NULL;
  g_autofree char *stream = NULL;
  g_autofree char *align_text = NULL;
  double max_lag_s = 0;
  gint64 ids[IMU_COMPARE_MAX_SESSIONS];
  ImuAlignSpec align = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "stream", 0, 0, G_OPTION_ARG_STRING, &stream,
      N_("The stream to compare in each session (default: the first with acceleration)"), N_("NAME") },
    { "align", 0, 0, G_OPTION_ARG_STRING, &align_text,
      N_("How to align: start, event:LABEL, xcorr or offset:SECONDS (default: start)"), N_("HOW") },
    { "max-lag", 0, 0, G_OPTION_ARG_DOUBLE, &max_lag_s,
      N_("With --align xcorr: how far to look each way, in seconds (default: 300)"), N_("SECONDS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Print the comparison as one JSON object"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("SESSION SESSION [SESSION [SESSION]]"),
                                        _("Aligns two to four sessions on the first one's clock and prints "
                                          "each one's offset and, per channel of the compared stream, the "
                                          "RMS of its difference from the first and their correlation over "
                                          "the time they share. Stored samples are not changed."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc < 3)
    return imu_cli_usage_error (cli, _("give two to four sessions"));
  if (argc - 1 > IMU_COMPARE_MAX_SESSIONS)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[IMU_COMPARE_MAX_SESSIONS + 1]);
  if (!imu_align_spec_parse (align_text != NULL ? align_text : "start", &align, &error))
    return imu_cli_usage_error (cli, "%s", error->message);
  if (max_lag_s < 0 || !isfinite (max_lag_s) || max_lag_s > 86400)
    {
      imu_align_spec_clear (&align);
      return imu_cli_usage_error (cli, _("--max-lag must be between 0 and 86400 seconds"));
    }
  align.max_lag_ns = (gint64) llround (max_lag_s * 1e9);

  for (int i = 1; i < argc; i++)
    {
      g_autoptr(ImuSession) session = imu_cli_open_session (cli, argv[i], &status);

      if (session == NULL)
        {
          imu_align_spec_clear (&align);
          return status;
        }
      ids[i - 1] = imu_session_get_id (session);
    }

  comparison = imu_compare_sessions (cli->store, ids, (guint) argc - 1, stream, &align, 0, 0,
                                     cli->cancellable, &error);
  imu_align_spec_clear (&align);
  if (comparison == NULL)
    {
      if (g_error_matches (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_STREAM)
          || g_error_matches (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_EVENT))
        {
          fprintf (stderr, "imu: %s\n", error->message);
          return IMU_CLI_EXIT_NOT_FOUND;
        }
      if (error->domain == IMU_COMPARE_ERROR)
        {
          fprintf (stderr, "imu: %s\n", error->message);
          return IMU_CLI_EXIT_BAD_INPUT;
        }
      return imu_cli_report_error (cli, NULL, error);
    }

  if (cli->json)
    {
      g_autoptr(JsonNode) root = comparison_json (comparison);

      imu_cli_json_print (root);
    }
  else
    print_comparison (comparison);
  return IMU_CLI_EXIT_OK;
}
