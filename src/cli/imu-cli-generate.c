/* imu-cli-generate.c — `imu generate`: a realistic synthetic recording as CSV
 * or as an Axivity AX3 device file (--format cwa)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-cli-progress.h"
#include "imu-generator.h"

/* The default start, so that the same seed always gives the same file. */
#define DEFAULT_START "2024-03-12T17:30:00Z"
#define DEFAULT_RATE_HZ 100.0
#define DEFAULT_SEED 1

/* Parses "2024-03-12T17:30:00Z", "2024-03-12T18:30:00+01:00",
 * "2024-03-12 17:30:00" (UTC when no offset) or "2024-03-12" (midnight UTC). */
static gboolean
parse_start (const char *text,
             gint64     *out_ns)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *normalized = g_strdup (text);

  if (strlen (normalized) > 10 && normalized[10] == ' ')
    normalized[10] = 'T';
  dt = g_date_time_new_from_iso8601 (normalized, utc);
  if (dt == NULL && strlen (normalized) == 10)
    {
      g_autofree char *midnight = g_strconcat (normalized, "T00:00:00", NULL);

      dt = g_date_time_new_from_iso8601 (midnight, utc);
    }
  if (dt == NULL)
    return FALSE;
  *out_ns = (g_date_time_to_unix (dt) * 1000000 + g_date_time_get_microsecond (dt)) * 1000;
  return TRUE;
}

int
imu_cli_generate (ImuCli  *cli,
                  int      argc,
                  char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(ImuCliProgress) progress = NULL;
  g_autofree char *output = NULL;
  g_autofree char *start_text = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *duration_text = NULL;
  g_autofree char *rate_text = NULL;
  g_autofree char *rows_number = NULL;
  g_autofree char *size_text = NULL;
  g_autofree char *format = NULL;
  double hours = NAN, minutes = NAN, rate_hz = DEFAULT_RATE_HZ, length_s;
  gint64 seed = DEFAULT_SEED;
  ImuGeneratorCsvOptions options = { 0 };
  gboolean cwa, gt3x;
  g_autoptr(GFileInfo) info = NULL;
  gint64 n_rows;
  int status;
  gboolean ok;
  const GOptionEntry entries[] = {
    { "hours", 0, 0, G_OPTION_ARG_DOUBLE, &hours,
      N_("Length of the recording in hours (default: 1)"), N_("H") },
    { "minutes", 0, 0, G_OPTION_ARG_DOUBLE, &minutes,
      N_("Length of the recording in minutes"), N_("M") },
    { "rate", 0, 0, G_OPTION_ARG_DOUBLE, &rate_hz,
      N_("Samples per second (default: 100)"), N_("HZ") },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed,
      N_("Seed of the random schedule and noise: the same seed gives the same file (default: 1)"),
      N_("N") },
    { "start", 0, 0, G_OPTION_ARG_STRING, &start_text,
      N_("Time of the first sample, ISO 8601, UTC unless an offset is given "
         "(default: 2024-03-12T17:30:00Z)"), N_("ISO8601") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("csv, cwa for an Axivity AX3 device file (packed samples at ±8 g, the AX3's rates "
         "only) or gt3x for an ActiGraph wGT3X-BT file (±8 g, 30 to 100 Hz in steps of 10); "
         "default: from the file's extension, else csv"), N_("FORMAT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("The file to write (replaced when it exists)"), N_("FILE") },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, NULL,
                                        _("Writes a realistic synthetic IMU recording as CSV: a "
                                          "trunk-worn sensor during rest, walking and running bouts, "
                                          "with accelerometer (g, 5 decimals) and gyroscope (deg/s, "
                                          "3 decimals) columns and epoch-second timestamps; or, with "
                                          "--format cwa or gt3x, its accelerometer as an Axivity AX3 "
                                          "or an ActiGraph wGT3X-BT device file. The same options "
                                          "always give the same bytes."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;

  if (argc > 1)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
  if (output == NULL)
    return imu_cli_usage_error (cli, _("no output file: give one with -o FILE.csv"));
  if (format == NULL)
    {
      cwa = g_str_has_suffix (output, ".cwa") || g_str_has_suffix (output, ".CWA");
      gt3x = g_str_has_suffix (output, ".gt3x") || g_str_has_suffix (output, ".GT3X");
    }
  else if (g_str_equal (format, "cwa") || g_str_equal (format, "csv") || g_str_equal (format, "gt3x"))
    {
      cwa = g_str_equal (format, "cwa");
      gt3x = g_str_equal (format, "gt3x");
    }
  else
    return imu_cli_usage_error (cli, _("--format must be csv, cwa or gt3x, not “%s”"), format);
  if (!isnan (hours) && !isnan (minutes))
    return imu_cli_usage_error (cli, _("give either --hours or --minutes, not both"));
  length_s = !isnan (hours) ? hours * 3600.0 : !isnan (minutes) ? minutes * 60.0 : 3600.0;
  if (!(length_s > 0))
    return imu_cli_usage_error (cli, _("the length must be more than zero"));
  if (length_s > 366.0 * 86400.0)
    return imu_cli_usage_error (cli, _("the length must be at most a year"));
  if (!(rate_hz >= IMU_GENERATOR_MIN_RATE_HZ && rate_hz <= IMU_GENERATOR_MAX_RATE_HZ))
    return imu_cli_usage_error (cli, _("--rate must be between %g and %g Hz"),
                                IMU_GENERATOR_MIN_RATE_HZ, IMU_GENERATOR_MAX_RATE_HZ);
  if (seed < 0)
    return imu_cli_usage_error (cli, _("--seed must be zero or more"));

  options.seed = (guint64) seed;
  options.rate_hz = rate_hz;
  options.duration_ns = (gint64) llround (length_s * 1e9);
  if (!parse_start (start_text != NULL ? start_text : DEFAULT_START, &options.start_ns))
    return imu_cli_usage_error (cli, _("--start “%s” is not an ISO 8601 date and time "
                                       "(like 2024-03-12T17:30:00Z)"), start_text);
  if (options.start_ns < 0)
    return imu_cli_usage_error (cli, _("--start must be after 1970-01-01"));
  if (cwa && !imu_generator_cwa_rate_valid (rate_hz))
    return imu_cli_usage_error (cli, _("--rate must be an AX3 rate for --format cwa: 6.25, 12.5, 25, "
                                       "50, 100, 200, 400, 800, 1600 or 3200 Hz"));
  if (cwa && options.start_ns % 1000000000 != 0)
    return imu_cli_usage_error (cli, _("--start must be on a whole second for --format cwa"));
  if (gt3x && !imu_generator_gt3x_rate_valid (rate_hz))
    return imu_cli_usage_error (cli, _("--rate must be a wGT3X-BT rate for --format gt3x: 30, 40, 50, "
                                       "60, 70, 80, 90 or 100 Hz"));
  if (gt3x && (options.start_ns % 1000000000 != 0 || options.duration_ns % 1000000000 != 0))
    return imu_cli_usage_error (cli, _("--start and the length must be whole seconds for --format gt3x"));

  file = g_file_new_for_commandline_arg (output);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cli->cancellable, &error);
  if (out == NULL)
    {
      status = imu_cli_report_error (cli, output, error);
      return status == IMU_CLI_EXIT_CANCELLED ? status : IMU_CLI_EXIT_OUTPUT;
    }

  basename = g_file_get_basename (file);
  progress = imu_cli_progress_new (cli, basename, IMU_CLI_PROGRESS_ROWS);
  if (cwa)
    {
      ImuGeneratorCwaOptions cwa_options = {
        .seed = options.seed,
        .rate_hz = options.rate_hz,
        .start_ns = options.start_ns,
        .duration_ns = options.duration_ns,
      };

      ok = imu_generator_write_cwa (G_OUTPUT_STREAM (out), &cwa_options,
                                    imu_cli_progress_update, progress,
                                    cli->cancellable, &error);
    }
  else if (gt3x)
    {
      ImuGeneratorGt3xOptions gt3x_options = {
        .seed = options.seed,
        .rate_hz = options.rate_hz,
        .start_ns = options.start_ns,
        .duration_ns = options.duration_ns,
      };

      ok = imu_generator_write_gt3x (G_OUTPUT_STREAM (out), &gt3x_options,
                                     imu_cli_progress_update, progress,
                                     cli->cancellable, &error);
    }
  else
    ok = imu_generator_write_csv (G_OUTPUT_STREAM (out), &options,
                                  imu_cli_progress_update, progress,
                                  cli->cancellable, &error);
  imu_cli_progress_clear (progress);
  if (ok)
    ok = g_output_stream_close (G_OUTPUT_STREAM (out), cli->cancellable, &error);
  else
    g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
  if (!ok)
    {
      /* A partial file would look like a complete, shorter recording. */
      g_file_delete (file, NULL, NULL);
      status = imu_cli_report_error (cli, output, error);
      if (status == IMU_CLI_EXIT_CANCELLED || status == IMU_CLI_EXIT_USAGE)
        return status;
      return error->domain == IMU_GENERATOR_ERROR ? IMU_CLI_EXIT_USAGE : IMU_CLI_EXIT_OUTPUT;
    }

  n_rows = imu_generator_count_samples (options.duration_ns, options.rate_hz);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, NULL);
  size_text = g_format_size (info != NULL ? (guint64) g_file_info_get_size (info) : 0);
  duration_text = imu_cli_format_duration (options.duration_ns);
  rate_text = imu_cli_format_rate (rate_hz);
  rows_number = g_strdup_printf ("%" PRId64, n_rows);

  if (cwa || gt3x)
    /* TRANSLATORS: "week.cwa: 60480000 samples, 168:00:00 at 100 Hz, 258.0 MB" */
    printf (_("%s: %s samples, %s at %s, %s\n"), output, rows_number, duration_text, rate_text, size_text);
  else
    /* TRANSLATORS: "day.csv: 8640000 rows, 24:00:00 at 100 Hz, 555.6 MB" */
    printf (_("%s: %s rows, %s at %s, %s\n"), output, rows_number, duration_text, rate_text, size_text);
  return IMU_CLI_EXIT_OK;
}
