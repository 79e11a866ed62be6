/* imu-cli-record.c — `imu record`: record a live source into the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>

#include "imu-cli.h"
#include "imu-cli-json.h"

#define STATUS_INTERVAL_MS 500

typedef struct {
  ImuCli          *cli;
  ImuRecorder     *recorder;
  ImuRecordSource *source;
  GMainLoop       *loop;
  gint64           started_us;
  gint64           duration_us;   /* 0: until stopped */
  gboolean         tty;
  guint            lines_drawn;
  guint            streams_told;  /* --json: "stream" events sent */
  gint64           last_json_us;
  guint            tick_id;
} Recording;

/* One JSON object per line on stdout: scripts read it line by line. */
static void
print_json_line (JsonBuilder *builder)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;

  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
  fflush (stdout);
}

static void
add_stats (JsonBuilder *b, const ImuRecordStreamStats *st)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "session");
  json_builder_add_int_value (b, st->session_id);
  json_builder_set_member_name (b, "device");
  json_builder_add_string_value (b, st->session_key);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, st->name);
  json_builder_set_member_name (b, "channels");
  json_builder_add_int_value (b, st->n_channels);
  json_builder_set_member_name (b, "samples");
  json_builder_add_int_value (b, st->samples);
  json_builder_set_member_name (b, "committed");
  json_builder_add_int_value (b, st->committed);
  json_builder_set_member_name (b, "rate_hz");
  json_builder_add_double_value (b, st->rate_hz);
  json_builder_set_member_name (b, "backwards");
  json_builder_add_int_value (b, st->backwards);
  json_builder_set_member_name (b, "duplicates");
  json_builder_add_int_value (b, st->duplicates);
  json_builder_set_member_name (b, "late");
  json_builder_add_int_value (b, st->late);
  json_builder_set_member_name (b, "clock_jumps");
  json_builder_add_int_value (b, st->clock_jumps);
  json_builder_set_member_name (b, "clock_offset_s");
  json_builder_add_double_value (b, (double) st->clock_offset_ns / 1e9);
  json_builder_end_object (b);
}

static void
add_issues (JsonBuilder *b, ImuRecorder *recorder)
{
  g_autoptr(GHashTable) counts = imu_recorder_dup_issue_counts (recorder);
  g_autoptr(GList) codes = g_list_sort (g_hash_table_get_keys (counts), (GCompareFunc) strcmp);

  json_builder_set_member_name (b, "issues");
  json_builder_begin_object (b);
  for (GList *l = codes; l != NULL; l = l->next)
    {
      g_autoptr(GPtrArray) details = imu_recorder_dup_issue_details (recorder, l->data);

      json_builder_set_member_name (b, l->data);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, *(gint64 *) g_hash_table_lookup (counts, l->data));
      json_builder_set_member_name (b, "first");
      json_builder_begin_array (b);
      for (guint i = 0; i < details->len; i++)
        json_builder_add_string_value (b, g_ptr_array_index (details, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

static void
json_event (Recording *r, const char *event)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (r->recorder);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "event");
  json_builder_add_string_value (b, event);
  json_builder_set_member_name (b, "elapsed_s");
  json_builder_add_double_value (b, (double) (g_get_monotonic_time () - r->started_us) / G_USEC_PER_SEC);
  json_builder_set_member_name (b, "streams");
  json_builder_begin_array (b);
  for (guint i = 0; i < stats->len; i++)
    add_stats (b, g_ptr_array_index (stats, i));
  json_builder_end_array (b);
  add_issues (b, r->recorder);
  json_builder_end_object (b);
  print_json_line (b);
}

static char *
format_count (gint64 n)
{
  return g_strdup_printf ("%" PRId64, n);
}

/* A line per stream on the terminal, redrawn in place. */
static void
draw_status (Recording *r)
{
  g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (r->recorder);
  g_autoptr(GHashTable) counts = imu_recorder_dup_issue_counts (r->recorder);
  g_autofree char *elapsed = imu_cli_format_duration ((g_get_monotonic_time () - r->started_us) * 1000);
  gint64 other = 0;
  GHashTableIter iter;
  gpointer code, count;

  if (r->lines_drawn > 0)
    fprintf (stderr, "\033[%uA", r->lines_drawn);
  r->lines_drawn = 0;
  fprintf (stderr, "\r\033[K");
  /* TRANSLATORS: the first line of imu record's status: "Recording 0:01:05" */
  fprintf (stderr, _("Recording %s"), elapsed);
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &code, &count))
    if (((const char *) code)[0] == 'E' || g_str_equal (code, IMU_RECORD_ISSUE_NOT_FOUND))
      other += *(gint64 *) count;
  if (other > 0)
    {
      g_autofree char *n = format_count (other);

      /* TRANSLATORS: messages a recording could not read, or requests it refused */
      fprintf (stderr, _(" — %s bad messages"), n);
    }
  fputc ('\n', stderr);
  r->lines_drawn++;
  for (guint i = 0; i < stats->len; i++)
    {
      ImuRecordStreamStats *st = g_ptr_array_index (stats, i);
      g_autofree char *samples = format_count (st->samples);
      g_autofree char *issues = format_count (st->backwards + st->duplicates + st->late + st->clock_jumps);
      g_autofree char *name = *st->session_key != '\0' ? g_strdup_printf ("%s/%s", st->session_key, st->name)
                                                        : g_strdup (st->name);

      fprintf (stderr, "\r\033[K  ");
      /* TRANSLATORS: a stream's status line: "accelerometer: 1234 samples, 99.98 Hz, 0 time issues" */
      fprintf (stderr, _("%s: %s samples, %.2f Hz, %s time issues"), name, samples, st->rate_hz, issues);
      fputc ('\n', stderr);
      r->lines_drawn++;
    }
  fflush (stderr);
}

static gboolean
stop_cb (gpointer data)
{
  Recording *r = data;

  g_main_loop_quit (r->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
cancelled_cb (GCancellable *cancellable, gpointer data)
{
  return stop_cb (data);
}

static gboolean
tick_cb (gpointer data)
{
  Recording *r = data;
  gint64 now = g_get_monotonic_time ();

  if (imu_recorder_has_failed (r->recorder) || imu_record_source_is_done (r->source)
      || (r->duration_us > 0 && now - r->started_us >= r->duration_us))
    {
      r->tick_id = 0;
      g_main_loop_quit (r->loop);
      return G_SOURCE_REMOVE;
    }
  if (r->cli->json)
    {
      g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (r->recorder);

      /* A new stream is told at once; the rest once a second. */
      if (stats->len > r->streams_told || now - r->last_json_us >= G_USEC_PER_SEC)
        {
          json_event (r, stats->len > r->streams_told ? "stream" : "status");
          r->streams_told = stats->len;
          r->last_json_us = now;
        }
    }
  else if (r->tty)
    draw_status (r);
  return G_SOURCE_CONTINUE;
}

static void
print_session (ImuCli *cli, ImuStore *store, gint64 id, JsonArray *json_sessions)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = imu_store_load_session (store, id, &error);
  g_autofree char *duration = NULL;
  g_autofree char *streams_text = NULL;
  g_autofree char *samples_text = NULL;
  g_autofree char *samples_number = NULL;
  GPtrArray *streams;
  guint n_streams;
  gint64 samples = 0;

  if (session == NULL)
    {
      imu_cli_report_error (cli, NULL, error);
      return;
    }
  if (json_sessions != NULL)
    {
      json_array_add_element (json_sessions, imu_cli_json_session (session, NULL));
      return;
    }
  streams = imu_session_get_streams (session);
  n_streams = streams != NULL ? streams->len : 0;
  for (guint i = 0; i < n_streams; i++)
    samples += ((ImuStreamInfo *) g_ptr_array_index (streams, i))->n_samples;
  duration = imu_cli_format_duration (imu_session_get_duration_ns (session));
  streams_text = g_strdup_printf (ngettext ("%u stream", "%u streams", n_streams), n_streams);
  /* TRANSLATORS: %s is a number of samples */
  samples_number = format_count (samples);
  samples_text = g_strdup_printf (ngettext ("%s sample", "%s samples", (gulong) MIN (samples, G_MAXLONG)),
                                  samples_number);
  /* The id first and alone before a tab, as `imu import` prints it. */
  printf ("%" PRId64 "\t", id);
  /* TRANSLATORS: "“Recording 2026-05-01 10:00” (complete): 3 streams, 3114 samples, 0:00:10" */
  printf (_("“%s” (%s): %s, %s, %s\n"), imu_session_get_title (session),
          imu_session_state_to_string (imu_session_get_state (session)),
          streams_text, samples_text, duration);
}

/* Prints @error; a replay input that cannot be read is bad input (2), as
 * for `imu import`; other recorder errors (a port in use, a session that
 * another program records) are 5, like the library's. */
static int
report_record_error (ImuCli *cli, const char *what, const GError *error)
{
  int status = imu_cli_report_error (cli, what, error);

  if (g_error_matches (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE))
    return IMU_CLI_EXIT_BAD_INPUT;
  return status;
}

int
imu_cli_record (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  g_autoptr(ImuRecordSource) source = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GString) sources_help = g_string_new (NULL);
  g_autofree char *spec = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *header = NULL;
  g_autofree char *address = NULL;
  g_autofree char *format = NULL;
  g_autofree char *resume = NULL;
  g_auto(GStrv) tags = NULL;
  double speed = 1.0;
  double duration = 0;
  gboolean list_serial = FALSE;
  gboolean start_phone = FALSE;
  int commit_ms = IMU_RECORD_COMMIT_INTERVAL_MS;
  const ImuRecordSourceKind *kind = NULL;
  const ImuRecordSourceKind * const *table = imu_record_source_table ();
  ImuRecordSourceOptions source_options = { 0 };
  ImuRecorderOptions options = { 0 };
  Recording r = { 0 };
  ImuStore *store;
  guint term_id;
  gulong cancel_id;
  int status = IMU_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "source", 0, 0, G_OPTION_ARG_STRING, &spec,
      N_("What to record: udp:PORT, sensorlogger[:PORT], serial:DEVICE[@BAUD], phyphox:URL or replay:PATH"), N_("SOURCE") },
    { "start", 0, 0, G_OPTION_ARG_NONE, &start_phone,
      N_("phyphox: start the phone’s experiment if it is not measuring, and stop it at the end"), NULL },
    { "list-serial", 0, 0, G_OPTION_ARG_NONE, &list_serial,
      N_("List the serial ports and exit"), NULL },
    { "speed", 0, 0, G_OPTION_ARG_DOUBLE, &speed,
      N_("Replay this many times faster than real time (default 1)"), N_("N") },
    { "header", 0, 0, G_OPTION_ARG_STRING, &header,
      N_("The CSV header of UDP or serial lines when the sender sends none"), N_("CSV") },
    { "title", 0, 0, G_OPTION_ARG_STRING, &title,
      N_("Title of the new session (default: “Recording” and the date)"), N_("TITLE") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject,
      N_("Subject or athlete"), N_("SUBJECT") },
    { "tag", 0, 0, G_OPTION_ARG_STRING_ARRAY, &tags,
      N_("Add a tag (repeat for several)"), N_("TAG") },
    { "duration", 0, 0, G_OPTION_ARG_DOUBLE, &duration,
      N_("Stop after this many seconds (default: at Ctrl+C)"), N_("SECONDS") },
    { "commit-interval", 0, 0, G_OPTION_ARG_INT, &commit_ms,
      N_("Commit what arrived at least this often (100 to 1000, default 1000)"), N_("MS") },
    { "resume", 0, 0, G_OPTION_ARG_STRING, &resume,
      N_("Continue this session (an interrupted one) instead of making a new one"), N_("SESSION") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print events as JSON lines on standard output"), NULL },
    { NULL }
  };

  for (guint i = 0; table[i] != NULL; i++)
    g_string_append_printf (sources_help, "%s  %-32s %s", i > 0 ? "\n" : "", table[i]->usage,
                            _(table[i]->description));
  context = imu_cli_option_context_new (cli, NULL,
                                        _("Records a live source into a new session until Ctrl+C, "
                                          "SIGTERM, --duration or the end of a replay, committing "
                                          "what arrived at least every second, and prints the "
                                          "session’s id. A session a crash leaves behind is "
                                          "marked interrupted, with everything committed kept."),
                                        entries);
  g_option_context_set_description (context, sources_help->str);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);
  if (list_serial)
    {
      g_autoptr(GPtrArray) ports = imu_record_serial_list ();

      for (guint i = 0; i < ports->len; i++)
        {
          const char *port = g_ptr_array_index (ports, i);
          g_autofree char *what = imu_record_serial_describe (port);

          if (what != NULL)
            printf ("%s\t%s\n", port, what);
          else
            printf ("%s\n", port);
        }
      return IMU_CLI_EXIT_OK;
    }
  if (spec == NULL)
    return imu_cli_usage_error (cli, _("no source: give --source udp:PORT, sensorlogger[:PORT], "
                                       "serial:DEVICE[@BAUD], phyphox:URL or replay:PATH"));
  if (commit_ms < IMU_RECORD_MIN_COMMIT_INTERVAL_MS || commit_ms > IMU_RECORD_COMMIT_INTERVAL_MS)
    return imu_cli_usage_error (cli, _("--commit-interval must be between %d and %d ms"),
                                IMU_RECORD_MIN_COMMIT_INTERVAL_MS, IMU_RECORD_COMMIT_INTERVAL_MS);
  if (duration < 0 || !isfinite (duration))
    return imu_cli_usage_error (cli, _("--duration must be a positive number of seconds"));

  source_options.speed = speed;
  source_options.csv_header = header;
  source_options.library_path = cli->library_path;
  source_options.start = start_phone;
  if (!(source = imu_record_source_new (spec, &source_options, &kind, &error)))
    return imu_cli_usage_error (cli, "%s", error->message);

  /* Opening the library first creates it when missing and recovers the
   * recordings dead programs left. */
  if (!(store = imu_cli_get_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);

  if (resume != NULL)
    {
      if (kind->per_device)
        return imu_cli_usage_error (cli, _("--resume continues one session; %s makes a session per device"),
                                    kind->scheme);
      if ((options.resume_session_id = imu_store_resolve_session (store, resume, &error)) <= 0)
        return imu_cli_report_error (cli, resume, error);
    }

  format = g_strdup_printf ("record-%s", kind->scheme);
  options.title = title;
  options.subject = subject;
  options.tags = (const char * const *) tags;
  options.commit_interval_ms = (guint) commit_ms;
  options.origin_path = spec;
  options.format = format;
  options.time_scale = g_str_equal (kind->scheme, "replay") ? speed : 1.0;
  recorder = imu_recorder_new (cli->library_path, &options);
  /* The source first: one that cannot start leaves nothing in the
   * library. What it hands over meanwhile waits in the recorder. */
  if (!imu_record_source_start (source, recorder, &error))
    return report_record_error (cli, NULL, error);
  if (!imu_recorder_start (recorder, !kind->per_device, &error))
    {
      imu_record_source_stop (source);
      return report_record_error (cli, NULL, error);
    }

  address = imu_record_source_dup_address (source);
  loop = g_main_loop_new (NULL, FALSE);
  r.cli = cli;
  r.recorder = recorder;
  r.source = source;
  r.loop = loop;
  r.started_us = g_get_monotonic_time ();
  r.duration_us = (gint64) (duration * G_USEC_PER_SEC);
  r.tty = !cli->quiet && !cli->json && isatty (STDERR_FILENO);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      ids = imu_recorder_dup_session_ids (recorder);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "event");
      json_builder_add_string_value (b, "started");
      json_builder_set_member_name (b, "source");
      json_builder_add_string_value (b, spec);
      json_builder_set_member_name (b, "address");
      json_builder_add_string_value (b, address);
      json_builder_set_member_name (b, "sessions");
      json_builder_begin_array (b);
      for (guint i = 0; i < ids->len; i++)
        json_builder_add_int_value (b, g_array_index (ids, gint64, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
      print_json_line (b);
      g_clear_pointer (&ids, g_array_unref);
    }
  else
    {
      /* The address is what a phone needs: shown even with --quiet. */
      /* TRANSLATORS: "Recording from http://192.168.1.20:8000/push/…; Ctrl+C stops." */
      fprintf (stderr, _("Recording from %s; Ctrl+C stops.\n"), address);
      /* A phone's camera reads the address off the terminal. */
      if (r.tty && g_str_has_prefix (address, "http"))
        {
          g_autoptr(ImuQrCode) qr = imu_qr_code_new (address, NULL);
          g_autofree char *text = qr != NULL ? imu_qr_code_to_text (qr) : NULL;

          if (text != NULL)
            fprintf (stderr, "%s", text);
        }
    }

  term_id = g_unix_signal_add (SIGTERM, stop_cb, &r);
  cancel_id = g_cancellable_connect (cli->cancellable, G_CALLBACK (cancelled_cb), &r, NULL);
  r.tick_id = g_timeout_add (STATUS_INTERVAL_MS, tick_cb, &r);
  if (!g_cancellable_is_cancelled (cli->cancellable))
    g_main_loop_run (loop);
  g_source_remove (term_id);
  g_cancellable_disconnect (cli->cancellable, cancel_id);
  g_clear_handle_id (&r.tick_id, g_source_remove);
  if (r.tty)
    draw_status (&r);

  /* Stop listening first, then write what arrived and finish. */
  imu_record_source_stop (source);
  if (!imu_recorder_stop (recorder, &error))
    status = imu_cli_report_error (cli, NULL, error);

  ids = imu_recorder_dup_session_ids (recorder);
  if (cli->json)
    {
      g_autoptr(JsonArray) sessions = json_array_new ();
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (recorder);
      g_autoptr(JsonNode) node = NULL;

      for (guint i = 0; i < ids->len; i++)
        print_session (cli, store, g_array_index (ids, gint64, i), sessions);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "event");
      json_builder_add_string_value (b, "stopped");
      json_builder_set_member_name (b, "streams");
      json_builder_begin_array (b);
      for (guint i = 0; i < stats->len; i++)
        add_stats (b, g_ptr_array_index (stats, i));
      json_builder_end_array (b);
      add_issues (b, recorder);
      json_builder_set_member_name (b, "sessions");
      node = json_node_init_array (json_node_alloc (), sessions);
      json_builder_add_value (b, g_steal_pointer (&node));
      json_builder_end_object (b);
      print_json_line (b);
    }
  else
    for (guint i = 0; i < ids->len; i++)
      print_session (cli, store, g_array_index (ids, gint64, i), NULL);
  if (ids->len == 0 && status == IMU_CLI_EXIT_OK)
    imu_cli_warning (cli, _("nothing arrived: no session was recorded"));
  return status;
}
