/* imu-cli-demo.c — `imu demo`: the demo session, made once per library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-generator.h"

/* "acc_x, acc_y, acc_z (g)" */
static char *
describe_channels (const ImuStreamInfo *info)
{
  g_autoptr(GString) s = g_string_new (NULL);
  gboolean same_unit = TRUE;

  for (guint i = 1; i < info->n_channels; i++)
    if (g_strcmp0 (info->channels[i].unit, info->channels[0].unit) != 0)
      same_unit = FALSE;

  for (guint i = 0; i < info->n_channels; i++)
    {
      const ImuChannelInfo *ch = &info->channels[i];

      g_string_append_printf (s, "%s%s", i > 0 ? ", " : "", ch->name);
      if (!same_unit && ch->unit != NULL && *ch->unit != '\0')
        g_string_append_printf (s, " (%s)", ch->unit);
    }
  if (same_unit && info->n_channels > 0 && info->channels[0].unit != NULL && *info->channels[0].unit != '\0')
    g_string_append_printf (s, " (%s)", info->channels[0].unit);
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void
print_summary (ImuSession *session,
               GPtrArray  *streams,
               GPtrArray  *events,
               gboolean    created)
{
  g_autofree char *duration = imu_cli_format_duration (imu_session_get_duration_ns (session));
  g_autofree char *start = imu_cli_format_local_time (imu_session_get_start_ns (session));
  const char * const *tag_list = imu_session_get_tags (session);
  g_autofree char *tags = tag_list != NULL ? g_strjoinv (", ", (char **) tag_list) : g_strdup ("");
  g_autofree char *samples_number = NULL;
  guint n_channels = 0;
  gint64 n_samples = 0;

  for (guint i = 0; i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);

      n_channels += info->n_channels;
      n_samples += info->n_samples;
    }
  samples_number = g_strdup_printf ("%" PRId64, n_samples);

  /* The id first and alone before a tab, as `imu import` prints it. */
  printf ("%" PRId64 "\t", imu_session_get_id (session));
  /* TRANSLATORS: "“Interval training”: 3 streams, 9 channels, 607500 samples, 0:44:59, 10 events" */
  printf (_("“%s”: %u streams, %u channels, %s samples, %s, %u events\n"),
          imu_session_get_title (session), streams->len, n_channels, samples_number,
          duration, events->len);
  printf ("  %s\n", created ? _("Created in the library.") : _("Already in the library: reused."));
  printf (_("  Subject: %s\n"), imu_session_get_subject (session));
  printf (_("  Activity: %s\n"), imu_session_get_activity (session));
  printf (_("  Tags: %s\n"), tags);
  printf (_("  Start: %s, duration %s\n"), start, duration);

  printf (_("  Streams:\n"));
  for (guint i = 0; i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);
      g_autofree char *channels = describe_channels (info);
      g_autofree char *rate = imu_cli_format_rate (imu_cli_stream_rate_hz (info));
      g_autofree char *count = g_strdup_printf ("%" PRId64, info->n_samples);

      /* TRANSLATORS: "    accelerometer: acc_x, acc_y, acc_z (g), 100 Hz, 270000 samples" */
      printf (_("    %s: %s, %s, %s samples\n"), info->name, channels, rate, count);
    }

  printf (_("  Events:\n"));
  for (guint i = 0; i < events->len; i++)
    {
      const ImuEvent *event = g_ptr_array_index (events, i);
      g_autofree char *at = imu_cli_format_duration (event->t_ns - imu_session_get_start_ns (session));

      if (event->duration_ns > 0)
        {
          g_autofree char *length = imu_cli_format_duration (event->duration_ns);

          /* TRANSLATORS: "    0:10:00  Interval 1 (marker, 0:02:00)" */
          printf (_("    %s  %s (%s, %s)\n"), at, event->label, event->kind, length);
        }
      else
        printf (_("    %s  %s (%s)\n"), at, event->label, event->kind);
    }
}

int
imu_cli_demo (ImuCli  *cli,
              int      argc,
              char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(GPtrArray) events = NULL;
  ImuStore *store;
  gboolean created = FALSE;
  gint64 id;
  int status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print the session as a JSON object"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, NULL,
                                        _("Adds the demo session to the library (a 45-minute interval "
                                          "training with accelerometer, gyroscope, magnetometer and "
                                          "events), or finds the one already there, and prints what "
                                          "it holds."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);

  store = imu_cli_get_store (cli, &error);
  if (store == NULL)
    return imu_cli_report_error (cli, cli->library_path, error);

  id = imu_generator_create_demo_session (store, &created, cli->cancellable, &error);
  if (id <= 0)
    return imu_cli_report_error (cli, cli->library_path, error);

  session = imu_store_load_session (store, id, &error);
  if (session != NULL)
    streams = imu_store_list_streams (store, id, &error);
  if (streams != NULL)
    events = imu_store_list_events (store, id, &error);
  if (events == NULL)
    return imu_cli_report_error (cli, cli->library_path, error);

  if (cli->json)
    {
      g_autoptr(JsonNode) node = imu_cli_json_session (session, streams);

      imu_cli_json_print (node);
    }
  else
    print_summary (session, streams, events, created);
  return IMU_CLI_EXIT_OK;
}
