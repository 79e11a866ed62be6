/* imu-cli-profile.c — `imu profile`: statistics, data-quality findings and
 * movement metrics of a session, and its reports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gio/gunixoutputstream.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-cli-progress.h"
#include "imu-profile.h"

/* `--strict`: an E_ finding makes the exit code this ("bad input": the
 * data are unusable as they are). */
#define STRICT_EXIT IMU_CLI_EXIT_BAD_INPUT

/* What the write_*_cb() functions write. */
typedef struct {
  ImuCli     *cli;
  ImuProfile *profile;
} Report;

static gboolean
write_html_cb (GOutputStream *out, gpointer user_data, GError **error)
{
  Report *report = user_data;

  return imu_profile_write_html (report->profile, report->cli->store, out, report->cli->cancellable, error);
}

static gboolean
write_csv_cb (GOutputStream *out, gpointer user_data, GError **error)
{
  Report *report = user_data;

  return imu_profile_write_metrics_csv (report->profile, out, report->cli->cancellable, error);
}

static gboolean
write_json_cb (GOutputStream *out, gpointer user_data, GError **error)
{
  Report *report = user_data;

  return imu_profile_write_json (report->profile, out, report->cli->cancellable, error);
}

/* Writes @path ("-" is stdout); a file through imu_cli_write_file(), so
 * that a failure never leaves a truncated report behind. */
static gboolean
write_output (ImuCli          *cli,
              ImuProfile      *profile,
              const char      *path,
              ImuCliWriteFunc  func,
              GError         **error)
{
  Report report = { cli, profile };

  if (g_str_equal (path, "-"))
    {
      g_autoptr(GOutputStream) out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);

      return func (out, &report, error) && g_output_stream_flush (out, cli->cancellable, error);
    }
  return imu_cli_write_file (path, func, &report, error);
}

static int
output_failed (ImuCli *cli, const GError *error)
{
  int status = imu_cli_report_error (cli, NULL, error);

  return status == IMU_CLI_EXIT_CANCELLED ? status : IMU_CLI_EXIT_OUTPUT;
}

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static double
member_double (JsonObject *o, const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : NAN;
}

static const char *
severity_label (ImuSeverity severity)
{
  switch (severity)
    {
    case IMU_SEVERITY_ERROR: return _("error");
    case IMU_SEVERITY_WARNING: return _("warning");
    case IMU_SEVERITY_INFO:
    default: return _("info");
    }
}

/* The text summary: the session, its streams, its findings. */
static void
print_profile (ImuProfile *profile)
{
  JsonObject *root = json_node_get_object (imu_profile_get_root (profile));
  JsonObject *session = member_object (root, "session");
  JsonArray *streams = json_object_get_array_member (root, "streams");
  guint n_findings = imu_profile_get_n_findings (profile);
  const char *title = json_object_get_string_member_with_default (session, "title", "");

  printf ("%s %" PRId64 " “%s”%s\n", _("Session"), imu_profile_get_session_id (profile), title,
          imu_profile_is_cached (profile) ? _(" (stored profile)") : "");
  for (guint i = 0; streams != NULL && i < json_array_get_length (streams); i++)
    {
      JsonObject *st = json_array_get_object_element (streams, i);
      JsonObject *tm = member_object (st, "time");
      JsonObject *mv = member_object (st, "movement");
      g_autofree char *rate = imu_cli_format_rate (member_double (tm, "effective_rate_hz"));

      printf ("  %-16s %9" PRId64 " %s, %s", json_object_get_string_member_with_default (st, "name", ""),
              json_object_get_int_member_with_default (st, "samples", 0), _("samples"), rate);
      if (isfinite (member_double (tm, "completeness")))
        printf (_(", %.2f %% complete"), 100 * member_double (tm, "completeness"));
      if (mv != NULL && isfinite (member_double (member_object (mv, "enmo"), "mean_mg")))
        printf (_(", ENMO %.1f mg"), member_double (member_object (mv, "enmo"), "mean_mg"));
      printf ("\n");
    }
  if (n_findings == 0)
    {
      printf ("%s\n", _("No finding: the data look clean."));
      return;
    }
  printf ("%s\n", _("Findings:"));
  for (guint i = 0; i < n_findings; i++)
    {
      g_autoptr(ImuFinding) f = imu_profile_dup_finding (profile, i);
      g_autofree char *where = NULL;

      if (f->stream != NULL && f->channel != NULL)
        where = g_strdup_printf ("%s/%s", f->stream, f->channel);
      else if (f->stream != NULL)
        where = g_strdup (f->stream);
      else
        where = g_strdup (g_strcmp0 (f->source, "import") == 0 ? _("import") : "");
      printf ("  %-7s %-18s %-22s %s\n", severity_label (f->severity), f->code, where, f->message);
    }
}

static gboolean
parse_epoch (ImuCli *cli, double epoch, ImuProfileOptions *options, int *status)
{
  if (isnan (epoch))
    return TRUE;
  if (!(epoch >= 0.01 && epoch <= 86400))
    {
      *status = imu_cli_usage_error (cli, _("--epoch must be between 0.01 and 86400 seconds"));
      return FALSE;
    }
  options->epoch_s = epoch;
  return TRUE;
}

static int
profile_all (ImuCli                  *cli,
             const ImuProfileOptions *options,
             gboolean                 force,
             gboolean                 strict,
             gboolean                 json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(JsonArray) out = json_array_new ();
  gboolean any_error = FALSE, any_failed = FALSE;
  int status = IMU_CLI_EXIT_OK;

  if (imu_cli_open_existing_store (cli, &error) == NULL)
    return imu_cli_report_error (cli, NULL, error);
  if (!(sessions = imu_store_list_sessions (cli->store, NULL, IMU_SESSION_SORT_DATE_ASC, &error)))
    return imu_cli_report_error (cli, NULL, error);

  if (!json)
    printf ("%6s  %-30s  %-9s  %6s  %8s  %5s  %8s\n", _("ID"), _("TITLE"), _("PROFILE"), _("ERRORS"),
            _("WARNINGS"), _("NOTES"), _("SECONDS"));
  for (guint i = 0; i < sessions->len; i++)
    {
      ImuSession *session = g_ptr_array_index (sessions, i);
      gint64 id = imu_session_get_id (session);
      g_autoptr(ImuProfile) profile = NULL;
      g_autoptr(ImuCliProgress) progress = NULL;
      g_autoptr(GError) local = NULL;
      gboolean needs = TRUE;
      const char *state;
      gint64 start = g_get_monotonic_time ();
      double seconds;
      g_autofree char *title = g_utf8_substring (imu_session_get_title (session), 0,
                                                 MIN (g_utf8_strlen (imu_session_get_title (session), -1), 30));

      if (!force && !imu_profile_needs_update (cli->store, id, options, &needs, &local))
        needs = TRUE;
      g_clear_error (&local);
      progress = imu_cli_progress_new (cli, imu_session_get_title (session), IMU_CLI_PROGRESS_ROWS);
      if (!needs)
        {
          profile = imu_profile_get_or_compute (cli->store, id, options, NULL, NULL, cli->cancellable, &local);
          state = _("stored");
        }
      else
        {
          profile = imu_profile_compute (cli->store, id, options, imu_cli_progress_update, progress,
                                         cli->cancellable, &local);
          if (profile != NULL && !imu_profile_save (cli->store, profile, &local))
            g_clear_pointer (&profile, imu_profile_unref);
          state = _("computed");
        }
      imu_cli_progress_clear (progress);
      seconds = (g_get_monotonic_time () - start) / 1e6;
      if (profile == NULL)
        {
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return imu_cli_report_error (cli, NULL, local);
          imu_cli_report_error (cli, imu_session_get_title (session), local);
          any_failed = TRUE;
          state = _("failed");
        }
      else
        any_error |= imu_profile_count_findings (profile, IMU_SEVERITY_ERROR) > 0;

      if (json)
        {
          JsonObject *o = json_object_new ();

          json_object_set_int_member (o, "id", id);
          json_object_set_string_member (o, "uuid", imu_session_get_uuid (session));
          json_object_set_string_member (o, "title", imu_session_get_title (session));
          json_object_set_string_member (o, "profile", profile == NULL ? "failed" : needs ? "computed" : "stored");
          if (profile != NULL)
            {
              json_object_set_int_member (o, "errors", imu_profile_count_findings (profile, IMU_SEVERITY_ERROR));
              json_object_set_int_member (o, "warnings", imu_profile_count_findings (profile, IMU_SEVERITY_WARNING));
              json_object_set_int_member (o, "infos", imu_profile_count_findings (profile, IMU_SEVERITY_INFO));
            }
          json_object_set_double_member (o, "seconds", round (seconds * 1000) / 1000);
          json_array_add_object_element (out, o);
        }
      else if (profile != NULL)
        printf ("%6" PRId64 "  %-30s  %-9s  %6u  %8u  %5u  %8.2f\n", id, title, state,
                imu_profile_count_findings (profile, IMU_SEVERITY_ERROR),
                imu_profile_count_findings (profile, IMU_SEVERITY_WARNING),
                imu_profile_count_findings (profile, IMU_SEVERITY_INFO), seconds);
      else
        printf ("%6" PRId64 "  %-30s  %-9s  %6s  %8s  %5s  %8.2f\n", id, title, state, "-", "-", "-", seconds);
      fflush (stdout);
    }
  if (json)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), out);
      imu_cli_json_print (node);
    }
  if (any_failed)
    status = IMU_CLI_EXIT_LIBRARY;
  else if (strict && any_error)
    status = STRICT_EXIT;
  return status;
}

int
imu_cli_profile (ImuCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(ImuProfile) profile = NULL;
  g_autoptr(ImuCliProgress) progress = NULL;
  g_autofree char *html = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *json_path = NULL;
  gboolean json = FALSE, strict = FALSE, all = FALSE, force = FALSE;
  double epoch = NAN;
  ImuProfileOptions options;
  int status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print profile.json on standard output (docs/profile.md)"), NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &json_path,
      N_("Write profile.json to PATH"), N_("PATH") },
    { "html", 0, 0, G_OPTION_ARG_FILENAME, &html,
      N_("Write the report (one self-contained HTML page) to PATH"), N_("PATH") },
    { "csv", 0, 0, G_OPTION_ARG_FILENAME, &csv,
      N_("Write the per-epoch metrics (metrics.csv) to PATH"), N_("PATH") },
    { "epoch", 0, 0, G_OPTION_ARG_DOUBLE, &epoch,
      N_("Epoch length for ENMO and intensity, in seconds (default: 5)"), N_("SECONDS") },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict,
      N_("Exit with code 2 when the profile has an error (an E_ finding)"), NULL },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all,
      N_("Profile every session whose stored profile is missing or outdated, and print a table"), NULL },
    { "force", 0, 0, G_OPTION_ARG_NONE, &force,
      N_("Compute again even when the stored profile is up to date"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("SESSION"),
                                        _("Profiles a session in one pass over its samples: per channel "
                                          "count, range, mean, standard deviation, skewness, kurtosis, "
                                          "percentiles and a normality test; the time base (effective rate, "
                                          "jitter, gaps, duplicate and backwards times); data quality "
                                          "(clipping, flat lines, outliers, non-wear, calibration); and "
                                          "movement (magnitude, ENMO and intensity per epoch, peaks, "
                                          "dominant frequency). Each finding has a stable code (E_ error, "
                                          "W_ warning, I_ note). The profile is stored in the library and "
                                          "computed again only when the data, the options or the profiler "
                                          "change."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  json |= cli->json;
  imu_profile_options_init (&options);
  if (!parse_epoch (cli, epoch, &options, &status))
    return status;

  if (all)
    {
      if (argc > 1)
        return imu_cli_usage_error (cli, _("give either SESSION or --all, not both"));
      if (html != NULL || csv != NULL || json_path != NULL)
        return imu_cli_usage_error (cli, _("--html, --csv and --output need one SESSION, not --all"));
      return profile_all (cli, &options, force, strict, json);
    }
  if (argc < 2)
    return imu_cli_usage_error (cli, _("which session? Give an id or a uuid prefix, or --all"));
  if (argc > 2)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[2]);
  if (json && ((html != NULL && g_str_equal (html, "-")) || (csv != NULL && g_str_equal (csv, "-"))))
    return imu_cli_usage_error (cli, _("--json already writes to standard output"));

  if (!(session = imu_cli_open_session (cli, argv[1], &status)))
    return status;

  progress = imu_cli_progress_new (cli, imu_session_get_title (session), IMU_CLI_PROGRESS_ROWS);
  if (force)
    {
      profile = imu_profile_compute (cli->store, imu_session_get_id (session), &options,
                                     imu_cli_progress_update, progress, cli->cancellable, &error);
      if (profile != NULL && !imu_profile_save (cli->store, profile, &error))
        g_clear_pointer (&profile, imu_profile_unref);
    }
  else
    profile = imu_profile_get_or_compute (cli->store, imu_session_get_id (session), &options,
                                          imu_cli_progress_update, progress, cli->cancellable, &error);
  imu_cli_progress_clear (progress);
  if (profile == NULL)
    return imu_cli_report_error (cli, NULL, error);

  if (json_path != NULL && !write_output (cli, profile, json_path, write_json_cb, &error))
    return output_failed (cli, error);
  if (html != NULL && !write_output (cli, profile, html, write_html_cb, &error))
    return output_failed (cli, error);
  if (csv != NULL && !write_output (cli, profile, csv, write_csv_cb, &error))
    return output_failed (cli, error);

  if (json)
    {
      if (!write_output (cli, profile, "-", write_json_cb, &error))
        return output_failed (cli, error);
    }
  else if (!cli->quiet && g_strcmp0 (json_path, "-") != 0 && g_strcmp0 (html, "-") != 0
           && g_strcmp0 (csv, "-") != 0)
    {
      print_profile (profile);
      if (json_path != NULL && !g_str_equal (json_path, "-"))
        printf ("%s\n", json_path);
      if (html != NULL && !g_str_equal (html, "-"))
        printf ("%s\n", html);
      if (csv != NULL && !g_str_equal (csv, "-"))
        printf ("%s\n", csv);
    }
  if (strict && imu_profile_count_findings (profile, IMU_SEVERITY_ERROR) > 0)
    return STRICT_EXIT;
  return IMU_CLI_EXIT_OK;
}
