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
      add_number (b, "mean", ch->mean[0]);
      json_builder_set_member_name (b, "sessions");
      json_builder_begin_array (b);
      for (guint i = 1; i < c->n_members; i++)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "id");
          json_builder_add_int_value (b, c->members[i].session_id);
          add_number (b, "rms_difference", ch->rms[i]);
          add_number (b, "correlation", ch->correlation[i]);
          add_number (b, "mean", ch->mean[i]);
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

static JsonNode *
saved_json (const ImuSavedComparison *saved)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_int_value (b, saved->id);
  json_builder_set_member_name (b, "uuid");
  json_builder_add_string_value (b, saved->uuid);
  json_builder_set_member_name (b, "title");
  json_builder_add_string_value (b, saved->title);
  json_builder_set_member_name (b, "align");
  json_builder_add_string_value (b, saved->align);
  json_builder_set_member_name (b, "updated_us");
  json_builder_add_int_value (b, saved->updated_us);
  json_builder_set_member_name (b, "sessions");
  json_builder_begin_array (b);
  for (guint i = 0; i < saved->n_members; i++)
    {
      const ImuSavedMember *m = &saved->members[i];

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_int_value (b, m->session_id);
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, m->session_title);
      json_builder_set_member_name (b, "stream");
      if (m->stream_name != NULL)
        json_builder_add_string_value (b, m->stream_name);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "offset_ns");
      json_builder_add_int_value (b, m->offset_ns);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static int
list_saved (ImuCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = imu_comparison_store_list (cli->store, &error);

  if (list == NULL)
    return imu_cli_report_error (cli, NULL, error);
  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      g_autoptr(JsonArray) array = json_array_new ();

      for (guint i = 0; i < list->len; i++)
        json_array_add_element (array, saved_json (g_ptr_array_index (list, i)));
      json_node_set_array (root, array);
      imu_cli_json_print (root);
      return IMU_CLI_EXIT_OK;
    }
  if (list->len == 0)
    printf (_("No saved comparisons.\n"));
  for (guint i = 0; i < list->len; i++)
    {
      const ImuSavedComparison *saved = g_ptr_array_index (list, i);
      g_autoptr(GString) who = g_string_new (NULL);

      for (guint k = 0; k < saved->n_members; k++)
        {
          const ImuSavedMember *m = &saved->members[k];

          if (k > 0)
            g_string_append (who, ", ");
          if (k == 0)
            g_string_append_printf (who, "%" PRId64, m->session_id);
          else
            g_string_append_printf (who, "%" PRId64 " (%+.3f s)", m->session_id, (double) m->offset_ns / 1e9);
        }
      g_autofree char *id = g_strdup_printf ("%" PRId64, saved->id);

      /* TRANSLATORS: "3  “Wrist vs chest”  sessions 1, 2 (+0.250 s)" */
      printf (_("%s  “%s”  sessions %s\n"), id, saved->title, who->str);
    }
  return IMU_CLI_EXIT_OK;
}

static int
compare_error (ImuCli *cli, const GError *error)
{
  if (g_error_matches (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_STREAM)
      || g_error_matches (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_EVENT)
      || g_error_matches (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NOT_FOUND))
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
  g_autofree char *save_title = NULL;
  g_autofree char *open_id = NULL;
  g_autofree char *delete_id = NULL;
  gboolean list = FALSE;
  double max_lag_s = 0;
  gint64 ids[IMU_COMPARE_MAX_SESSIONS];
  gint64 saved_id = 0;
  ImuAlignSpec align = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "stream", 0, 0, G_OPTION_ARG_STRING, &stream,
      N_("The stream to compare in each session (default: the first with acceleration)"), N_("NAME") },
    { "align", 0, 0, G_OPTION_ARG_STRING, &align_text,
      N_("How to align: start, event:LABEL, xcorr or offset:SECONDS (default: start)"), N_("HOW") },
    { "max-lag", 0, 0, G_OPTION_ARG_DOUBLE, &max_lag_s,
      N_("With --align xcorr: how far to look each way, in seconds (default: 300)"), N_("SECONDS") },
    { "save", 0, 0, G_OPTION_ARG_STRING, &save_title,
      N_("Save the comparison in the library under this title"), N_("TITLE") },
    { "list", 0, 0, G_OPTION_ARG_NONE, &list, N_("List the saved comparisons"), NULL },
    { "open", 0, 0, G_OPTION_ARG_STRING, &open_id,
      N_("Compare again the sessions of a saved comparison, with its offsets"), N_("ID") },
    { "delete", 0, 0, G_OPTION_ARG_STRING, &delete_id,
      N_("Delete a saved comparison (not its sessions)"), N_("ID") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Print the comparison as one JSON object"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("SESSION SESSION [SESSION [SESSION]] | --list | --open ID | --delete ID"),
                                        _("Aligns two to four sessions on the first one's clock and prints "
                                          "each one's offset and, per channel of the compared stream, the "
                                          "RMS of its difference from the first and their correlation over "
                                          "the time they share. Stored samples are not changed. --save keeps "
                                          "the comparison (its sessions, streams and offsets) in the library; "
                                          "--open compares them again with those offsets."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if ((list ? 1 : 0) + (open_id != NULL ? 1 : 0) + (delete_id != NULL ? 1 : 0) > 1)
    return imu_cli_usage_error (cli, _("give only one of --list, --open and --delete"));
  if ((list || open_id != NULL || delete_id != NULL) && argc > 1)
    return imu_cli_usage_error (cli, _("--list, --open and --delete take no sessions"));
  if ((list || delete_id != NULL) && (save_title != NULL || align_text != NULL || stream != NULL))
    return imu_cli_usage_error (cli, _("--list and --delete take no --save, --align or --stream"));
  if (open_id != NULL && (align_text != NULL || stream != NULL))
    return imu_cli_usage_error (cli, _("--open compares with the saved streams and offsets: no --align or --stream"));
  if (save_title != NULL && *g_strstrip (save_title) == '\0')
    return imu_cli_usage_error (cli, _("--save needs a title"));
  if ((list || open_id != NULL || delete_id != NULL) && imu_cli_open_existing_store (cli, &error) == NULL)
    return imu_cli_report_error (cli, NULL, error);
  if (list)
    return list_saved (cli);
  if (delete_id != NULL)
    {
      g_autoptr(ImuSavedComparison) saved = imu_comparison_store_load (cli->store, delete_id, &error);

      if (saved == NULL || !imu_comparison_store_delete (cli->store, saved->id, &error))
        return compare_error (cli, error);
      return IMU_CLI_EXIT_OK;
    }
  if (open_id != NULL)
    {
      g_autoptr(ImuSavedComparison) saved = imu_comparison_store_load (cli->store, open_id, &error);
      const char *saved_stream = NULL;

      if (saved == NULL)
        return compare_error (cli, error);
      imu_saved_comparison_to_align_spec (saved, &align, &saved_stream);
      for (guint i = 0; i < saved->n_members; i++)
        ids[i] = saved->members[i].session_id;
      comparison = imu_compare_sessions (cli->store, ids, saved->n_members, saved_stream, &align, 0, 0,
                                         cli->cancellable, &error);
      if (comparison == NULL)
        return compare_error (cli, error);
      if (save_title != NULL)
        {
          /* A copy under a new title, with the same offsets. */
          g_autoptr(ImuSavedComparison) copy = imu_saved_comparison_new_from_result (comparison, save_title, saved->align);

          if (!imu_comparison_store_save (cli->store, copy, &error))
            return compare_error (cli, error);
          saved_id = copy->id;
        }
      goto print;
    }
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
    return compare_error (cli, error);
  if (save_title != NULL)
    {
      g_autoptr(ImuSavedComparison) saved = imu_saved_comparison_new_from_result (comparison, save_title, align_text);

      if (!imu_comparison_store_save (cli->store, saved, &error))
        return compare_error (cli, error);
      saved_id = saved->id;
    }

print:
  if (cli->json)
    {
      g_autoptr(JsonNode) root = comparison_json (comparison);

      imu_cli_json_print (root);
    }
  else
    {
      print_comparison (comparison);
      if (saved_id > 0)
        /* TRANSLATORS: %s is the saved comparison's id */
        {
          g_autofree char *id = g_strdup_printf ("%" PRId64, saved_id);

          /* TRANSLATORS: %s is the saved comparison's id, twice */
          printf (_("Saved as comparison %s (imu compare --open %s)\n"), id, id);
        }
    }
  return IMU_CLI_EXIT_OK;
}
