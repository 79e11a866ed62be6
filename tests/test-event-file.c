/* test-event-file.c — events as CSV and JSON Lines (imu-event-file.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Instants worked out by hand (and checked with Python's datetime):
 * 2024-05-01T10:00:00Z is 1714557600 s after the epoch.
 */
#include <string.h>

#include <gio/gio.h>

#include "imu-core.h"
#include "imu-test-util.h"

#define S G_GINT64_CONSTANT (1000000000)
#define START (G_GINT64_CONSTANT (1714557600) * S)

static void
test_time_parse (void)
{
  struct { const char *text; gint64 expect; } cases[] = {
    { "0", START },
    { "62.25", START + 62 * S + 250000000 },
    { "1:02.25", START + 62 * S + 250000000 },
    { "1:02:03.250", START + 3723 * S + 250000000 },
    { " 0:00:00.000000001 ", START + 1 },
    { "-0:00:01.5", START - 1500000000 },
    { "2024-05-01T10:01:02Z", START + 62 * S },
    { "2024-05-01T10:01:02.123456789Z", START + 62 * S + 123456789 },
    { "2024-05-01 12:01:02+02:00", START + 62 * S },
    { "2024-01-15T12:00:00+01:00", G_GINT64_CONSTANT (1705316400) * S },
  };
  const char *bad[] = { "", "abc", "1:60", "1:2:3:4", "1.5:00", "2024-13-01T00:00:00Z", "2300-01-01T00:00:00Z",
                        "1:", "12:00pm", "2024-05-01T10:00:00.Z" };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 t = 0;

      g_assert_true (imu_event_time_parse (cases[i].text, START, &t, &error));
      g_assert_no_error (error);
      g_assert_cmpint (t, ==, cases[i].expect);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 t = 0;

      g_assert_false (imu_event_time_parse (bad[i], START, &t, &error));
      g_assert_error (error, IMU_EVENT_FILE_ERROR, IMU_EVENT_FILE_ERROR_TIME);
    }
}

static void
test_duration_and_offset (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *a = imu_event_format_offset (3723 * S + 250000000);
  g_autofree char *b = imu_event_format_offset (-1500000000);
  g_autofree char *c = imu_event_format_offset (0);
  gint64 d = -1;

  g_assert_cmpstr (a, ==, "1:02:03.250");
  g_assert_cmpstr (b, ==, "-0:00:01.500");
  g_assert_cmpstr (c, ==, "0:00:00.000");
  g_assert_true (imu_event_duration_parse ("2.5", &d, NULL));
  g_assert_cmpint (d, ==, 2500000000);
  g_assert_true (imu_event_duration_parse ("0:01:00", &d, NULL));
  g_assert_cmpint (d, ==, 60 * S);
  g_assert_false (imu_event_duration_parse ("-3", &d, &error));
  g_assert_error (error, IMU_EVENT_FILE_ERROR, IMU_EVENT_FILE_ERROR_TIME);
}

static void
test_note (void)
{
  g_autoptr(ImuEvent) e = imu_event_new (START, "marker", "Start");
  g_autofree char *none = NULL;
  g_autofree char *note = NULL;

  none = imu_event_dup_note (e);
  g_assert_null (none);
  e->payload_json = g_strdup ("{\"source\":\"watch\"}");
  imu_event_set_note (e, "felt \"good\"");
  note = imu_event_dup_note (e);
  g_assert_cmpstr (note, ==, "felt \"good\"");
  /* Other members stay. */
  g_assert_nonnull (strstr (e->payload_json, "\"source\":\"watch\""));
  imu_event_set_note (e, NULL);
  g_assert_cmpstr (e->payload_json, ==, "{\"source\":\"watch\"}");
}

static GPtrArray *
sample_events (void)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
  ImuEvent *a = imu_event_new (START + 1500000000, "marker", "Sprint, 1");
  ImuEvent *b = imu_event_new (START + 3723 * S + 123456789, "note", "He said \"stop\"");

  a->duration_ns = 12 * S + 500000000;
  imu_event_set_note (b, "line one, line two");
  g_ptr_array_add (events, a);
  g_ptr_array_add (events, b);
  return events;
}

static char *
write_events (const char *name, ImuEventFileFormat format, GPtrArray *events)
{
  g_autofree char *dir = imu_test_tmpdir ();
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, NULL);

  g_assert_nonnull (out);
  g_assert_true (imu_event_file_write (G_OUTPUT_STREAM (out), format, events, START, NULL, NULL));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL));
  return path;
}

static void
assert_same (GPtrArray *got, GPtrArray *want)
{
  g_assert_cmpuint (got->len, ==, want->len);
  for (guint i = 0; i < got->len; i++)
    {
      ImuEvent *g = g_ptr_array_index (got, i);
      ImuEvent *w = g_ptr_array_index (want, i);
      g_autofree char *gn = imu_event_dup_note (g);
      g_autofree char *wn = imu_event_dup_note (w);

      g_assert_cmpint (g->t_ns, ==, w->t_ns);
      g_assert_cmpint (g->duration_ns, ==, w->duration_ns);
      g_assert_cmpstr (g->kind, ==, w->kind);
      g_assert_cmpstr (g->label, ==, w->label);
      g_assert_cmpstr (gn, ==, wn);
    }
}

static void
test_csv_round_trip (void)
{
  g_autoptr(GPtrArray) events = sample_events ();
  g_autofree char *path = write_events ("events.csv", IMU_EVENT_FILE_CSV, events);
  g_autofree char *text = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_cmpstr (text, ==,
                   "time,offset,duration_s,kind,label,note\n"
                   "2024-05-01T10:00:01.500Z,0:00:01.500,12.5,marker,\"Sprint, 1\",\n"
                   "2024-05-01T11:02:03.123456789Z,1:02:03.123,0,note,\"He said \"\"stop\"\"\",\"line one, line two\"\n");
  /* Read back against another start: the absolute time wins. */
  back = imu_event_file_read (path, START + 99 * S, NULL, &error);
  g_assert_no_error (error);
  assert_same (back, events);
}

static void
test_jsonl_round_trip (void)
{
  g_autoptr(GPtrArray) events = sample_events ();
  g_autofree char *path = write_events ("events.jsonl", IMU_EVENT_FILE_JSONL, events);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GPtrArray) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_cmpstr (lines[0], ==,
                   "{\"time\":\"2024-05-01T10:00:01.500Z\",\"offset\":\"0:00:01.500\",\"t_ns\":1714557601500000000,"
                   "\"duration_s\":12.5,\"kind\":\"marker\",\"label\":\"Sprint, 1\"}");
  back = imu_event_file_read (path, 0, NULL, &error);
  g_assert_no_error (error);
  assert_same (back, events);
}

static void
test_read_hand_written (void)
{
  static const char csv[] =
    "\xef\xbb\xbfOffset;Label\n";   /* not comma-separated: one column named "offset;label" */
  static const char good[] =
    "label,offset,duration\r\n"
    "Warm-up,0:00:00,5:00\r\n"
    "\r\n"
    "Drill,0:05:30.5,\r\n";
  g_autofree char *p1 = imu_test_write_file ("semi.csv", csv, sizeof csv - 1);
  g_autofree char *p2 = imu_test_write_file ("good.csv", good, sizeof good - 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  ImuEvent *e;

  g_assert_null (imu_event_file_read (p1, START, NULL, &error));
  g_assert_error (error, IMU_EVENT_FILE_ERROR, IMU_EVENT_FILE_ERROR_MISSING);
  g_assert_cmpstr (error->message, ==, "semi.csv:1:1: the header names no time column (time, offset or t_ns)");
  g_clear_error (&error);

  events = imu_event_file_read (p2, START, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  e = g_ptr_array_index (events, 0);
  g_assert_cmpint (e->t_ns, ==, START);
  g_assert_cmpint (e->duration_ns, ==, 300 * S);
  g_assert_cmpstr (e->kind, ==, "marker");
  g_assert_cmpstr (e->label, ==, "Warm-up");
  e = g_ptr_array_index (events, 1);
  g_assert_cmpint (e->t_ns, ==, START + 330 * S + 500000000);
  g_assert_cmpint (e->duration_ns, ==, 0);
}

static void
test_read_errors (void)
{
  struct { const char *name; const char *text; int code; const char *message; } cases[] = {
    { "bad-time.csv", "time,label\n2024-05-01T10:00:00Z,a\n10 o'clock,b\n", IMU_EVENT_FILE_ERROR_TIME,
      "bad-time.csv:3:1: “10 o'clock” is not a time: give it from the session's start (1:02:03.250, 62.25) "
      "or as a date and time (2024-05-01T10:00:00Z)" },
    { "bad-duration.csv", "label,offset,duration_s\nx,0:01,soon\n", IMU_EVENT_FILE_ERROR_TIME,
      "bad-duration.csv:2:8: “soon” is not a duration: give seconds (2.5) or h:mm:ss.fff" },
    { "fields.csv", "offset,label\n1,a,b\n", IMU_EVENT_FILE_ERROR_SYNTAX,
      "fields.csv:2:1: 3 fields where the header names 2" },
    { "quote.csv", "offset,label\n1,\"open\n", IMU_EVENT_FILE_ERROR_SYNTAX,
      "quote.csv:2:3: a quoted field does not end on its line" },
    { "bad.jsonl", "{\"offset\":\"1\"}\n[1,2]\n", IMU_EVENT_FILE_ERROR_SYNTAX,
      "bad.jsonl:2:1: the line is not a JSON object" },
    { "notime.jsonl", "{\"label\":\"x\"}\n", IMU_EVENT_FILE_ERROR_MISSING,
      "notime.jsonl:1:1: the event has no time" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = imu_test_write_file (cases[i].name, cases[i].text, strlen (cases[i].text));
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = imu_event_file_read (path, START, NULL, &error);

      g_assert_null (events);
      g_assert_error (error, IMU_EVENT_FILE_ERROR, cases[i].code);
      g_assert_cmpstr (error->message, ==, cases[i].message);
    }
}

int
main (int argc, char **argv)
{
  g_setenv ("TZ", "UTC", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/event-file/time-parse", test_time_parse);
  g_test_add_func ("/event-file/duration-offset", test_duration_and_offset);
  g_test_add_func ("/event-file/note", test_note);
  g_test_add_func ("/event-file/csv-round-trip", test_csv_round_trip);
  g_test_add_func ("/event-file/jsonl-round-trip", test_jsonl_round_trip);
  g_test_add_func ("/event-file/read-hand-written", test_read_hand_written);
  g_test_add_func ("/event-file/read-errors", test_read_errors);
  return g_test_run ();
}
