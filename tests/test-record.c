/* test-record.c — the recorder, its sources and `imu record`, with real
 * sockets and real data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expected values come from the test's own reading of its inputs (the
 * lines it sends, the real Sensor Logger export parsed here with
 * g_ascii_strtoll/g_ascii_strtod), never from the code under test.
 */
#include <inttypes.h>
#include <pty.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "imu-core.h"
#include "imu-recording-lock-private.h"
#include "phyphox-sim.h"
#include "imu-test-util.h"

#define WAIT_US (20 * G_USEC_PER_SEC)

/* ---- helpers ---- */

static gint64
stats_samples (ImuRecorder *recorder, const char *name)
{
  g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (recorder);
  gint64 n = 0;

  for (guint i = 0; i < stats->len; i++)
    {
      ImuRecordStreamStats *st = g_ptr_array_index (stats, i);

      if (name == NULL || g_str_equal (st->name, name))
        n += st->samples;
    }
  return n;
}

/* Waits until the recorder has @n samples (all streams), or fails. */
static void
wait_samples (ImuRecorder *recorder, gint64 n)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  while (stats_samples (recorder, NULL) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
  g_assert_cmpint (stats_samples (recorder, NULL), ==, n);
}

static gint64
issue_count (ImuRecorder *recorder, const char *code)
{
  g_autoptr(GHashTable) counts = imu_recorder_dup_issue_counts (recorder);
  gint64 *n = g_hash_table_lookup (counts, code);

  return n != NULL ? *n : 0;
}

static ImuStreamInfo *
find_stream (ImuSession *session, const char *name)
{
  GPtrArray *streams = imu_session_get_streams (session);

  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      ImuStreamInfo *s = g_ptr_array_index (streams, i);

      if (g_str_equal (s->name, name))
        return s;
    }
  return NULL;
}

/* Every sample of a stream: times and n_channels columns. */
typedef struct {
  gint64   n;
  gint64  *t;
  double **v;
  guint    n_channels;
} Samples;

static void
samples_free (Samples *s)
{
  for (guint c = 0; c < s->n_channels; c++)
    g_free (s->v[c]);
  g_free (s->v);
  g_free (s->t);
  g_free (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Samples, samples_free)

static Samples *
read_samples (ImuStore *store, const ImuStreamInfo *info)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (store, info->id, &error);
  Samples *s = g_new0 (Samples, 1);

  g_assert_no_error (error);
  s->n = imu_series_get_n_samples (series);
  s->n_channels = imu_series_get_n_channels (series);
  s->t = g_new (gint64, MAX (s->n, 1));
  s->v = g_new0 (double *, s->n_channels);
  for (guint c = 0; c < s->n_channels; c++)
    s->v[c] = g_new (double, MAX (s->n, 1));
  g_assert_cmpint (imu_series_read (series, 0, s->n, s->t, s->v, &error), ==, s->n);
  g_assert_no_error (error);
  return s;
}

static ImuRecorder *
start_recorder (const char *library, const char *format, guint commit_ms, gboolean one_session)
{
  g_autoptr(GError) error = NULL;
  ImuRecorderOptions options = { .title = "test", .commit_interval_ms = commit_ms, .format = format };
  ImuRecorder *recorder = imu_recorder_new (library, &options);

  g_assert_true (imu_recorder_start (recorder, one_session, &error));
  g_assert_no_error (error);
  return recorder;
}

static ImuRecordSource *
start_source (ImuRecorder *recorder, const char *spec, const ImuRecordSourceOptions *options)
{
  g_autoptr(GError) error = NULL;
  ImuRecordSource *source = imu_record_source_new (spec, options, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (imu_record_source_start (source, recorder, &error));
  g_assert_no_error (error);
  return source;
}

static guint16
address_port (const char *address)
{
  const char *colon = strrchr (address, ':');
  guint64 port = 0;

  g_assert_nonnull (colon);
  g_assert_true (g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL));
  return (guint16) port;
}

static void
send_udp (GSocket *socket, GSocketAddress *to, const char *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_socket_send_to (socket, to, text, strlen (text), NULL, &error), ==, (gssize) strlen (text));
  g_assert_no_error (error);
}

/* ---- UDP ---- */

static void
test_udp_lines (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) recorder = start_recorder (library, "record-udp", 100, TRUE);
  g_autoptr(ImuRecordSource) source = start_source (recorder, "udp:127.0.0.1:0", NULL);
  g_autofree char *address = imu_record_source_dup_address (source);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, address_port (address));
  g_autoptr(GArray) ids = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(Samples) udp = NULL;
  g_autoptr(Samples) gyro = NULL;
  g_autofree char *line = NULL;
  g_autofree char *json = NULL;
  /* Now, to the millisecond: the samples then keep the laptop's pace. */
  gint64 t0 = g_get_real_time () / 1000 * 1000000;
  ImuStreamInfo *s;

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (address, "udp://127.0.0.1:"));
  ids = imu_recorder_dup_session_ids (recorder);
  g_assert_cmpuint (ids->len, ==, 1);

  /* Another connection opening the library now must not take the live
   * recording for a dead one. */
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_RECORDING);
  g_clear_object (&session);

  /* A header, then 50 lines, several in one datagram. */
  send_udp (socket, to, "time,ax (g),ay (g),az (g)\n");
  for (int i = 0; i < 50; i += 2)
    {
      g_autofree char *two = g_strdup_printf ("%" PRId64 ",%.3f,0.5,-1.25\n%" PRId64 ",%.3f,0.5,-1.25\n",
                                              t0 + i * 10000000, i * 0.001,
                                              t0 + (i + 1) * 10000000, (i + 1) * 0.001);
      send_udp (socket, to, two);
    }
  /* Bad input: one field, two fields, a time in 2255, a time past int64. */
  send_udp (socket, to, "garbage\n");
  send_udp (socket, to, "1,2\n");
  send_udp (socket, to, "9000000000,1,2,3\n");
  send_udp (socket, to, "99999999999999999999999,1,2,3\n");
  json = g_strdup_printf ("{\"sensor\":\"gyro\",\"t\":%" PRId64 ",\"x\":1.5,\"y\":2,\"z\":-3}\n", t0);
  send_udp (socket, to, json);
  send_udp (socket, to, "{\"sensor\":\"gyro\",\"t\":\n");
  wait_samples (recorder, 51);
  /* The bad lines come after the good ones in the same socket. */
  while (issue_count (recorder, IMU_RECORD_ISSUE_MALFORMED) < 4)
    g_usleep (10000);

  imu_record_source_stop (source);
  g_assert_true (imu_recorder_stop (recorder, &error));
  g_assert_no_error (error);
  g_assert_cmpint (issue_count (recorder, IMU_RECORD_ISSUE_MALFORMED), ==, 4);
  g_assert_cmpint (issue_count (recorder, IMU_RECORD_ISSUE_TIME_RANGE), ==, 1);

  session = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_COMPLETE);
  g_assert_cmpstr (imu_session_get_origin (session), ==, "recorded");

  s = find_stream (session, "udp");
  g_assert_nonnull (s);
  g_assert_cmpuint (s->n_channels, ==, 3);
  g_assert_cmpstr (s->channels[0].name, ==, "ax");
  g_assert_cmpstr (s->channels[0].unit, ==, "g");
  g_assert_cmpstr (s->channels[2].name, ==, "az");
  udp = read_samples (store, s);
  g_assert_cmpint (udp->n, ==, 50);
  for (int i = 0; i < 50; i++)
    {
      char text[32];

      g_snprintf (text, sizeof text, "%.3f", i * 0.001);
      g_assert_cmpint (udp->t[i], ==, t0 + i * 10000000);
      g_assert_true (udp->v[0][i] == g_ascii_strtod (text, NULL));
      g_assert_true (udp->v[1][i] == 0.5);
      g_assert_true (udp->v[2][i] == -1.25);
    }

  s = find_stream (session, "gyro");
  g_assert_nonnull (s);
  g_assert_cmpuint (s->n_channels, ==, 3);
  gyro = read_samples (store, s);
  g_assert_cmpint (gyro->n, ==, 1);
  g_assert_cmpint (gyro->t[0], ==, t0);
  g_assert_true (gyro->v[0][0] == 1.5 && gyro->v[1][0] == 2.0 && gyro->v[2][0] == -3.0);
  line = imu_recording_lock_path (library, imu_session_get_uuid (session));
  g_assert_false (g_file_test (line, G_FILE_TEST_EXISTS));
}

static void
test_udp_sensorstream (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) recorder = start_recorder (library, "record-udp", 100, TRUE);
  g_autoptr(ImuRecordSource) source = start_source (recorder, "udp:127.0.0.1:0", NULL);
  g_autofree char *address = imu_record_source_dup_address (source);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, address_port (address));
  g_autoptr(GArray) ids = imu_recorder_dup_session_ids (recorder);
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  static const char * const names[] = { "accelerometer", "gyroscope", "magnetometer" };
  static const char * const units[] = { "m/s^2", "rad/s", "µT" };

  g_assert_no_error (error);
  /* Sensorstream IMU+GPS: seconds since the app started, then id and
   * three values per sensor. */
  for (int i = 0; i < 10; i++)
    {
      g_autofree char *text = g_strdup_printf ("%d.%02d, 3, 0.%d, -0.2, 9.81, 4, 0.01, 0.0%d, -0.03, 5, %d.5, 20, -30\n",
                                               12, i, i, i, i);
      send_udp (socket, to, text);
    }
  wait_samples (recorder, 30);
  imu_record_source_stop (source);
  g_assert_true (imu_recorder_stop (recorder, &error));
  g_assert_no_error (error);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      ImuStreamInfo *s = find_stream (session, names[k]);
      g_autoptr(Samples) got = NULL;

      g_assert_nonnull (s);
      g_assert_cmpuint (s->n_channels, ==, 3);
      g_assert_cmpstr (s->channels[1].unit, ==, units[k]);
      got = read_samples (store, s);
      g_assert_cmpint (got->n, ==, 10);
      for (int i = 0; i < 10; i++)
        {
          char text[32];

          /* Relative seconds, 10 ms apart, from one origin. */
          g_assert_cmpint (got->t[i] - got->t[0], ==, (gint64) i * 10000000);
          if (k == 0)
            {
              g_snprintf (text, sizeof text, "0.%d", i);
              g_assert_true (got->v[0][i] == g_ascii_strtod (text, NULL));
              g_assert_true (got->v[2][i] == 9.81);
            }
          else if (k == 2)
            {
              g_snprintf (text, sizeof text, "%d.5", i);
              g_assert_true (got->v[0][i] == g_ascii_strtod (text, NULL));
            }
        }
    }
}

/* A device clock that jumps two hours ahead, then back: two events, and
 * the stream's times go on at the pace of the laptop's clock. */
static void
test_udp_clock_jump (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) recorder = start_recorder (library, "record-udp", 100, TRUE);
  g_autoptr(ImuRecordSource) source = start_source (recorder, "udp:127.0.0.1:0", NULL);
  g_autofree char *address = imu_record_source_dup_address (source);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (loopback, address_port (address));
  g_autoptr(GArray) ids = imu_recorder_dup_session_ids (recorder);
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(Samples) got = NULL;
  gint64 t0 = g_get_real_time () / 1000 * 1000000;
  const gint64 hours2 = G_GINT64_CONSTANT (7200000000000);
  /* 10 ms apart in the device's clock; samples 10–19 two hours ahead. */
  const gint64 jump[30] = { [10] = 1, [11] = 1, [12] = 1, [13] = 1, [14] = 1,
                            [15] = 1, [16] = 1, [17] = 1, [18] = 1, [19] = 1 };

  g_assert_no_error (error);
  for (int i = 0; i < 30; i++)
    {
      g_autofree char *line = g_strdup_printf ("{\"sensor\":\"acc\",\"t\":%" PRId64 ",\"x\":%d}\n",
                                               t0 + i * 10000000 + (jump[i] ? hours2 : 0), i);

      send_udp (socket, to, line);
      /* The laptop's clock moves too: 10 ms a sample. */
      g_usleep (10000);
    }
  wait_samples (recorder, 30);
  imu_record_source_stop (source);
  g_assert_true (imu_recorder_stop (recorder, &error));
  g_assert_no_error (error);
  g_assert_cmpint (issue_count (recorder, IMU_RECORD_ISSUE_CLOCK_JUMP), ==, 2);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  got = read_samples (store, find_stream (session, "acc"));
  g_assert_cmpint (got->n, ==, 30);
  for (int i = 1; i < 30; i++)
    {
      /* No two-hour hole or overlap: each step is the device's 10 ms, or
       * at a jump the laptop's pace (within a second). */
      gint64 step = got->t[i] - got->t[i - 1];

      g_assert_true (got->v[0][i] == (double) i);
      if (i == 10 || i == 20)
        g_assert_cmpint (step, <, G_GINT64_CONSTANT (1000000000));
      else
        g_assert_cmpint (step, ==, 10000000);
      g_assert_cmpint (step, >=, 0);
    }
  events = imu_store_list_events (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  for (guint k = 0; k < 2; k++)
    {
      ImuEvent *e = g_ptr_array_index (events, k);

      g_assert_cmpstr (e->kind, ==, "device");
      g_assert_cmpint (e->t_ns, ==, got->t[k == 0 ? 10 : 20]);
      g_assert_nonnull (strstr (e->payload_json, k == 0 ? "\"jump_ns\":7" : "\"jump_ns\":-7"));
    }
}

/* ---- serial, through a pseudo-terminal ---- */

/* "0.000197172164917" s → ns, rounded half away from zero, by hand. */
static gint64
ns_of (const char *text)
{
  const char *dot = strchr (text, '.');
  gint64 ns = g_ascii_strtoll (text, NULL, 10) * G_GINT64_CONSTANT (1000000000);
  gint64 frac = 0;
  guint k = 0;

  g_assert_true (*text != '-');
  for (const char *p = dot != NULL ? dot + 1 : ""; *p >= '0' && *p <= '9'; p++, k++)
    {
      if (k < 9)
        frac = frac * 10 + (*p - '0');
      else if (k == 9 && *p >= '5')
        frac++;
    }
  for (; k < 9; k++)
    frac *= 10;
  return ns + frac;
}

static void
test_serial_pty (void)
{
  g_autofree char *file = imu_test_real_file ("imu_csv/pms67-mpu6050/imu_data.csv");
  g_autofree char *library = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  g_autoptr(ImuRecordSource) source = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(Samples) got = NULL;
  g_autofree char *spec = NULL;
  char name[256];
  int master = -1, slave = -1;
  guint n_rows = 0;
  ImuStreamInfo *s;

  if (file == NULL)
    return;
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "t,Ax,Ay,Az,Gx,Gy,Gz");
  g_assert_cmpint (openpty (&master, &slave, name, NULL, NULL), ==, 0);

  library = imu_test_library_path ();
  recorder = start_recorder (library, "record-serial", 100, TRUE);
  spec = g_strdup_printf ("serial:%s@115200", name);
  source = start_source (recorder, spec, NULL);
  /* The device prints its header and its lines, as the logger wrote them. */
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autofree char *line = g_strconcat (lines[i], "\n", NULL);

      if (*lines[i] == '\0')
        continue;
      g_assert_cmpint (write (master, line, strlen (line)), ==, (gssize) strlen (line));
      n_rows += i > 0;
    }
  g_assert_cmpuint (n_rows, ==, 2000);
  wait_samples (recorder, n_rows);
  imu_record_source_stop (source);
  g_assert_true (imu_recorder_stop (recorder, &error));
  g_assert_no_error (error);
  close (master);
  close (slave);

  ids = imu_recorder_dup_session_ids (recorder);
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  s = find_stream (session, "serial");
  g_assert_nonnull (s);
  g_assert_cmpuint (s->n_channels, ==, 6);
  g_assert_cmpstr (s->channels[0].name, ==, "Ax");
  g_assert_cmpstr (s->channels[5].name, ==, "Gz");
  got = read_samples (store, s);
  g_assert_cmpint (got->n, ==, n_rows);
  /* Times from the device's column (seconds from its start), placed at the
   * arrival of the first line; values as written. */
  for (guint i = 1; i <= n_rows; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);

      g_assert_cmpint (got->t[i - 1] - got->t[0], ==, ns_of (f[0]));
      for (guint c = 0; c < 6; c++)
        g_assert_true (got->v[c][i - 1] == g_ascii_strtod (f[c + 1], NULL));
    }
}

/* A port that is not there, and a file that is no port, are refused at
 * start with the port's name and what is wrong; a pseudo-terminal opens
 * but is not listed (libserialport lists real ports only). */
static void
test_serial_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecordSource) missing = NULL;
  g_autoptr(ImuRecordSource) file = NULL;
  g_autoptr(GPtrArray) ports = NULL;
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(ImuRecorder) recorder = NULL;
  char name[256];
  int master = -1, slave = -1;

  ImuRecordSourceOptions options = { 0 };
  ImuRecorderOptions ropts = { .title = "test", .commit_interval_ms = 100, .format = "record-serial" };

  recorder = imu_recorder_new (library, &ropts);
  missing = imu_record_source_new ("serial:/dev/ttyIMUTESTNONE@9600", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (imu_record_source_start (missing, recorder, &error));
  g_assert_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN);
  g_assert_true (g_str_has_prefix (error->message, "/dev/ttyIMUTESTNONE: "));
  g_assert_nonnull (strstr (error->message, "--list-serial"));
  g_clear_error (&error);

  file = imu_record_source_new ("serial:/dev/null", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (imu_record_source_start (file, recorder, &error));
  g_assert_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN);
  g_assert_cmpstr (error->message, ==, "/dev/null: not a serial port or terminal");
  g_clear_error (&error);

  g_assert_cmpint (openpty (&master, &slave, name, NULL, NULL), ==, 0);
  ports = imu_record_serial_list ();
  for (guint i = 0; i < ports->len; i++)
    g_assert_cmpstr (g_ptr_array_index (ports, i), !=, name);
  g_assert_null (imu_record_serial_describe (name));
  close (master);
  close (slave);
}

/* ---- phyphox remote access ---- */

static gint64
stat_samples_of (ImuRecorder *recorder, const char *name)
{
  g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (recorder);

  for (guint i = 0; i < stats->len; i++)
    {
      ImuRecordStreamStats *st = g_ptr_array_index (stats, i);

      if (g_str_equal (st->name, name))
        return st->samples;
    }
  return 0;
}

static void
wait_phyphox (ImuRecorder *recorder, gint64 n_acc)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_US;

  while (stat_samples_of (recorder, "accelerometer") < n_acc
         || stat_samples_of (recorder, "gyroscope") < n_acc / 2)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
  g_assert_cmpint (stat_samples_of (recorder, "accelerometer"), ==, n_acc);
  g_assert_cmpint (stat_samples_of (recorder, "gyroscope"), ==, n_acc / 2);
}

/* The phone's clock at the first start, in ns, written out by hand. */
#define T0_NS G_GINT64_CONSTANT (1700000000123000000)
/* The phone is paused at experiment time 1.5 s for 10 s of its clock. */
#define PAUSE_NS G_GINT64_CONSTANT (10000000000)

/* Records an experiment the source starts itself: 150 accelerometer
 * samples, a pause of ten seconds, 150 more, one broken /get, 100 more;
 * then the session holds every sample once, at the phone's time of it
 * (through /time's START events), with its values, and the phone got
 * /control?cmd=stop. */
static void
test_phyphox_session (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  g_autoptr(ImuRecordSource) source = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(GHashTable) issues = NULL;
  g_autoptr(Samples) acc = NULL;
  g_autoptr(Samples) gyr = NULL;
  g_autofree char *url = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *address = NULL;
  ImuRecordSourceOptions options = { .start = TRUE };
  PhyphoxSim *sim = phyphox_sim_new (TRUE, FALSE);
  ImuStreamInfo *s;
  gint64 deadline;

  url = phyphox_sim_dup_url (sim);
  spec = g_strdup_printf ("phyphox:%s/", url);
  recorder = start_recorder (library, "record-phyphox", 100, TRUE);
  source = start_source (recorder, spec, &options);
  address = imu_record_source_dup_address (source);
  g_assert_true (g_str_has_prefix (address, url));
  g_assert_nonnull (strstr (address, "(Acceleration and gyroscope)"));
  g_assert_cmpuint (phyphox_sim_count (sim, "start"), ==, 1);

  phyphox_sim_feed (sim, 150);
  wait_phyphox (recorder, 150);
  /* Paused: no new data; the experiment time goes on at 1.5 s. */
  phyphox_sim_pause (sim, 1.5, PHYPHOX_SIM_T0 + 1.5);
  g_usleep (400 * 1000);
  g_assert_cmpint (stat_samples_of (recorder, "accelerometer"), ==, 150);
  phyphox_sim_resume (sim, 1.5, PHYPHOX_SIM_T0 + 11.5);
  phyphox_sim_feed (sim, 300);
  wait_phyphox (recorder, 300);
  phyphox_sim_break_get (sim);
  deadline = g_get_monotonic_time () + WAIT_US;
  while (phyphox_sim_broken (sim) == 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (10000);
    }
  phyphox_sim_feed (sim, 400);
  wait_phyphox (recorder, 400);
  imu_record_source_stop (source);
  g_assert_cmpuint (phyphox_sim_count (sim, "stop"), ==, 1);
  issues = imu_recorder_dup_issue_counts (recorder);
  g_assert_true (imu_recorder_stop (recorder, &error));
  g_assert_no_error (error);
  phyphox_sim_free (sim);
  g_assert_cmpint (*(gint64 *) g_hash_table_lookup (issues, IMU_RECORD_ISSUE_MALFORMED), ==, 1);

  ids = imu_recorder_dup_session_ids (recorder);
  g_assert_cmpuint (ids->len, ==, 1);
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);

  s = find_stream (session, "accelerometer");
  g_assert_nonnull (s);
  g_assert_cmpuint (s->n_channels, ==, 3);
  g_assert_cmpstr (s->channels[0].name, ==, "x");
  g_assert_cmpstr (s->channels[2].name, ==, "z");
  g_assert_cmpstr (s->channels[0].unit, ==, "m/s^2");
  acc = read_samples (store, s);
  g_assert_cmpint (acc->n, ==, 400);
  g_assert_cmpint (acc->t[0], ==, T0_NS);
  g_assert_cmpint (acc->t[149], ==, T0_NS + 1490000000);
  g_assert_cmpint (acc->t[150], ==, T0_NS + PAUSE_NS + 1500000000);
  g_assert_cmpint (acc->t[399], ==, T0_NS + PAUSE_NS + 3990000000);
  g_assert_cmpfloat (acc->v[0][399], ==, 0.399);
  g_assert_cmpfloat (acc->v[1][399], ==, -49.875);
  for (guint i = 0; i < 400; i++)
    {
      g_assert_cmpint (acc->t[i], ==, T0_NS + (i >= 150 ? PAUSE_NS : 0) + (gint64) i * 10000000);
      g_assert_cmpfloat (acc->v[0][i], ==, PHYPHOX_SIM_ACC_X (i));
      g_assert_cmpfloat (acc->v[1][i], ==, PHYPHOX_SIM_ACC_Y ((double) i));
      g_assert_cmpfloat (acc->v[2][i], ==, 9.81);
    }

  s = find_stream (session, "gyroscope");
  g_assert_nonnull (s);
  g_assert_cmpstr (s->channels[1].unit, ==, "rad/s");
  gyr = read_samples (store, s);
  g_assert_cmpint (gyr->n, ==, 200);
  g_assert_cmpint (gyr->t[199], ==, T0_NS + PAUSE_NS + 3980000000);
  g_assert_cmpfloat (gyr->v[0][199], ==, 49.75);
  g_assert_cmpfloat (gyr->v[2][199], ==, 1.99);
  for (guint j = 0; j < 200; j++)
    {
      g_assert_cmpint (gyr->t[j], ==, T0_NS + (j >= 75 ? PAUSE_NS : 0) + (gint64) j * 20000000);
      g_assert_cmpfloat (gyr->v[0][j], ==, j * 0.25);
      g_assert_cmpfloat (gyr->v[1][j], ==, -0.5);
      g_assert_cmpfloat (gyr->v[2][j], ==, j / 100.0);
    }
}

/* A phone without /time (phyphox before 1.1.8), measuring already: times
 * are placed at the arrival of the first sample, 10 ms apart, and the
 * phone, which this source did not start, is not stopped. */
static void
test_phyphox_arrival (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  g_autoptr(ImuRecordSource) source = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(Samples) acc = NULL;
  g_autofree char *url = NULL;
  g_autofree char *spec = NULL;
  PhyphoxSim *sim = phyphox_sim_new (FALSE, TRUE);
  gint64 before, after;

  url = phyphox_sim_dup_url (sim);
  spec = g_strdup_printf ("phyphox:%s", url);
  recorder = start_recorder (library, "record-phyphox", 100, TRUE);
  before = g_get_real_time () * 1000;
  source = start_source (recorder, spec, NULL);
  phyphox_sim_feed (sim, 50);
  wait_phyphox (recorder, 50);
  after = g_get_real_time () * 1000;
  imu_record_source_stop (source);
  g_assert_true (imu_recorder_stop (recorder, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (phyphox_sim_count (sim, "start"), ==, 0);
  g_assert_cmpuint (phyphox_sim_count (sim, "stop"), ==, 0);
  phyphox_sim_free (sim);

  ids = imu_recorder_dup_session_ids (recorder);
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  acc = read_samples (store, find_stream (session, "accelerometer"));
  g_assert_cmpint (acc->n, ==, 50);
  g_assert_cmpint (acc->t[0], >=, before);
  g_assert_cmpint (acc->t[0], <=, after);
  for (guint i = 0; i < 50; i++)
    g_assert_cmpint (acc->t[i] - acc->t[0], ==, (gint64) i * 10000000);
}

/* `imu record --source phyphox:URL` records what the phone has, as the
 * core does: a session of 100 accelerometer and 50 gyroscope samples at
 * the phone's times. */
static void
test_phyphox_cli (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(Samples) acc = NULL;
  g_autoptr(Samples) gyr = NULL;
  g_autofree char *url = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  PhyphoxSim *sim = phyphox_sim_new (TRUE, TRUE);
  int wait_status = 0;
  gint64 id;

  url = phyphox_sim_dup_url (sim);
  spec = g_strdup_printf ("phyphox:%s", url);
  phyphox_sim_feed (sim, 100);
  {
    const char *argv[] = { IMU_CLI_PATH, "--quiet", "--library", library, "record", "--source", spec,
                           "--duration", "1", "--commit-interval", "100", NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &wait_status, &error));
  }
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  g_assert_cmpuint (phyphox_sim_count (sim, "stop"), ==, 0);
  phyphox_sim_free (sim);
  id = g_ascii_strtoll (out, NULL, 10);
  g_assert_cmpint (id, >, 0);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  acc = read_samples (store, find_stream (session, "accelerometer"));
  gyr = read_samples (store, find_stream (session, "gyroscope"));
  g_assert_cmpint (acc->n, ==, 100);
  g_assert_cmpint (gyr->n, ==, 50);
  g_assert_cmpint (acc->t[0], ==, T0_NS);
  g_assert_cmpint (acc->t[99], ==, T0_NS + 990000000);
  g_assert_cmpfloat (acc->v[0][99], ==, 0.099);
  g_assert_cmpint (gyr->t[49], ==, T0_NS + 980000000);
  g_assert_cmpfloat (gyr->v[0][49], ==, 12.25);
}

/* No phone at the address: start fails, naming it. */
static void
test_phyphox_unreachable (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecordSource) source = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  ImuRecorderOptions ropts = { .title = "test", .commit_interval_ms = 100, .format = "record-phyphox" };
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *prefix = NULL;

  /* A port bound but not listening refuses connections. */
  g_assert_true (g_socket_bind (socket, any, FALSE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  spec = g_strdup_printf ("phyphox:http://127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  prefix = g_strdup_printf ("%s: ", spec + strlen ("phyphox:"));
  recorder = imu_recorder_new (library, &ropts);
  source = imu_record_source_new (spec, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (imu_record_source_start (source, recorder, &error));
  g_assert_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_clear_error (&error);
  g_assert_null (imu_record_source_new ("phyphox:192.168.1.20", NULL, NULL, &error));
  g_assert_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE);
}

/* ---- Sensor Logger push ---- */

typedef struct {
  char   *name;      /* "accelerometer" */
  gint64  t;
  char   *values;    /* "\"z\":1.36…,\"y\":…,\"x\":…" as written in the file */
} PushSample;

static void
push_sample_free (PushSample *p)
{
  g_free (p->name);
  g_free (p->values);
  g_free (p);
}

static int
push_sample_cmp (gconstpointer a, gconstpointer b)
{
  const PushSample *x = *(const PushSample * const *) a, *y = *(const PushSample * const *) b;

  return x->t < y->t ? -1 : x->t > y->t ? 1 : strcmp (x->name, y->name);
}

/* The export's rows, read here: time (ns), seconds_elapsed, then values. */
static void
read_export (const char *dir, const char *file, GPtrArray *out)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *text = NULL;
  g_autofree char *name = g_ascii_strdown (file, strlen (file) - strlen (".csv"));
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  header = g_strsplit (g_strstrip (lines[0]), ",", -1);
  g_assert_cmpstr (header[0], ==, "time");
  g_assert_cmpstr (header[1], ==, "seconds_elapsed");
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (g_strstrip (lines[i]), ",", -1);
      PushSample *p;
      GString *values;

      if (*lines[i] == '\0')
        continue;
      g_assert_cmpuint (g_strv_length (f), ==, g_strv_length (header));
      p = g_new0 (PushSample, 1);
      p->name = g_strdup (name);
      p->t = g_ascii_strtoll (f[0], NULL, 10);
      values = g_string_new (NULL);
      for (guint c = 2; f[c] != NULL; c++)
        g_string_append_printf (values, "%s\"%s\":%s", c > 2 ? "," : "", header[c], f[c]);
      p->values = g_string_free (values, FALSE);
      g_ptr_array_add (out, p);
    }
}

static guint
post (SoupSession *http, const char *url, const char *body)
{
  g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, url);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  reply = soup_session_send_and_read (http, msg, NULL, &error);
  g_assert_no_error (error);
  return soup_message_get_status (msg);
}

static char *
batch_json (GPtrArray *samples, guint from, guint to, gint64 message_id)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "{\"messageId\":%" PRId64 ",\"sessionId\":\"7f1c\",\"deviceId\":\"iphone12\",\"payload\":[",
                          message_id);
  for (guint i = from; i < to; i++)
    {
      PushSample *p = g_ptr_array_index (samples, i);

      g_string_append_printf (s, "%s{\"name\":\"%s\",\"time\":%" PRId64 ",\"values\":{%s},\"accuracy\":3}",
                              i > from ? "," : "", p->name, p->t, p->values);
    }
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static void
test_sensorlogger_equals_import (void)
{
  g_autofree char *dir = imu_test_real_file ("sensorlogger/bennyjhui-iphone12");
  g_autofree char *library = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  g_autoptr(ImuRecordSource) source = NULL;
  g_autoptr(GPtrArray) samples = g_ptr_array_new_with_free_func ((GDestroyNotify) push_sample_free);
  g_autoptr(SoupSession) http = soup_session_new ();
  g_autoptr(GArray) ids = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) recorded = NULL;
  g_autoptr(ImuSession) imported = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autofree char *url = NULL;
  g_autofree char *local_url = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *first_batch = NULL;
  g_autofree char *host = NULL;
  guint16 port;
  const char *path;
  GPtrArray *streams;
  gint64 message_id = 0;
  guint from = 0;
  ImuRecordSourceOptions options = { 0 };

  if (dir == NULL)
    return;
  read_export (dir, "Accelerometer.csv", samples);
  read_export (dir, "Gyroscope.csv", samples);
  read_export (dir, "Magnetometer.csv", samples);
  g_ptr_array_sort (samples, push_sample_cmp);
  g_assert_cmpuint (samples->len, ==, 3 * 1038);

  library = imu_test_library_path ();
  recorder = start_recorder (library, "record-sensorlogger", 100, FALSE);
  source = start_source (recorder, "sensorlogger:127.0.0.1:0", &options);
  url = imu_record_source_dup_address (source);
  path = strstr (url + strlen ("http://"), "/");
  /* /push/ and 128 bits in hex. */
  g_assert_true (g_str_has_prefix (path, "/push/"));
  g_assert_cmpuint (strlen (path), ==, strlen ("/push/") + 32);
  host = g_strndup (url, path - url);
  port = address_port (host);
  local_url = g_strdup_printf ("http://127.0.0.1:%u%s", port, path);

  /* A wrong token and another path: 404, counted, nothing recorded. */
  wrong = g_strdup_printf ("http://127.0.0.1:%u/push/00000000000000000000000000000000", port);
  g_assert_cmpuint (post (http, wrong, "{\"payload\":[]}"), ==, SOUP_STATUS_NOT_FOUND);
  g_clear_pointer (&wrong, g_free);
  wrong = g_strdup_printf ("http://127.0.0.1:%u/", port);
  g_assert_cmpuint (post (http, wrong, "{}"), ==, SOUP_STATUS_NOT_FOUND);
  g_assert_cmpint (issue_count (recorder, IMU_RECORD_ISSUE_NOT_FOUND), ==, 2);
  /* A body over the cap (8 MiB): refused, counted. */
  {
    g_autofree char *big = g_malloc (9 * 1024 * 1024 + 1);

    memset (big, ' ', 9 * 1024 * 1024);
    big[9 * 1024 * 1024] = '\0';
    g_assert_cmpuint (post (http, local_url, big), ==, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE);
    g_assert_cmpint (issue_count (recorder, IMU_RECORD_ISSUE_TOO_LARGE), ==, 1);
  }
  /* A body that is no JSON: refused, counted, the recording goes on. */
  g_assert_cmpuint (post (http, local_url, "{\"payload\": [tru"), ==, SOUP_STATUS_BAD_REQUEST);
  g_assert_cmpint (issue_count (recorder, IMU_RECORD_ISSUE_MALFORMED), ==, 1);

  /* The phone: a batch per 200 ms of the recording, one every 50 ms. */
  while (from < samples->len)
    {
      gint64 window_end = ((PushSample *) g_ptr_array_index (samples, from))->t + 200000000;
      g_autofree char *body = NULL;
      guint to = from;

      while (to < samples->len && ((PushSample *) g_ptr_array_index (samples, to))->t < window_end)
        to++;
      body = batch_json (samples, from, to, ++message_id);
      g_assert_cmpuint (post (http, local_url, body), ==, SOUP_STATUS_OK);
      if (first_batch == NULL)
        first_batch = g_steal_pointer (&body);
      from = to;
      g_usleep (50000);
    }
  /* The phone resends its first batch (same messageId): not twice. */
  g_assert_cmpuint (post (http, local_url, first_batch), ==, SOUP_STATUS_OK);
  /* A second phone, side by side: a session of its own. */
  {
    g_autofree char *other = g_strdup_printf ("{\"messageId\":1,\"sessionId\":\"a\",\"deviceId\":\"pixel7\",\"payload\":["
                                              "{\"name\":\"gyroscope\",\"time\":%" PRId64 ",\"values\":{\"x\":0.5,\"y\":0.25,\"z\":-1}},"
                                              "{\"name\":\"barometer\",\"time\":%" PRId64 ",\"values\":{\"pressure\":1013.25,\"relativeAltitude\":0}}]}",
                                              G_GINT64_CONSTANT (1760565906248623000), G_GINT64_CONSTANT (1760565906248623000));

    g_assert_cmpuint (post (http, local_url, other), ==, SOUP_STATUS_OK);
  }
  wait_samples (recorder, samples->len + 2);

  imu_record_source_stop (source);
  g_assert_true (imu_recorder_stop (recorder, &error));
  g_assert_no_error (error);
  /* The port is closed with the recording. */
  {
    g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, local_url);
    g_autoptr(GBytes) reply = soup_session_send_and_read (http, msg, NULL, &error);

    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED);
    g_clear_error (&error);
  }

  ids = imu_recorder_dup_session_ids (recorder);
  g_assert_cmpuint (ids->len, ==, 2);
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  recorded = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (recorded), ==, IMU_SESSION_STATE_COMPLETE);
  g_assert_cmpstr (imu_session_get_device_serial (recorded), ==, "iphone12");
  {
    g_autoptr(ImuSession) pixel = imu_store_load_session (store, g_array_index (ids, gint64, 1), &error);

    g_assert_no_error (error);
    g_assert_cmpint (imu_session_get_state (pixel), ==, IMU_SESSION_STATE_COMPLETE);
    g_assert_cmpstr (imu_session_get_device_serial (pixel), ==, "pixel7");
    g_assert_cmpuint (imu_session_get_streams (pixel)->len, ==, 2);
    g_assert_cmpstr (find_stream (pixel, "gyroscope")->channels[0].unit, ==, "rad/s");
    /* A sensor the table does not know: its name, no unit. */
    g_assert_cmpuint (find_stream (pixel, "barometer")->n_channels, ==, 2);
    g_assert_cmpstr (find_stream (pixel, "barometer")->channels[0].name, ==, "pressure");
  }

  result = imu_import_path (store, dir, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  imported = imu_store_load_session (store, result->session_id, &error);
  g_assert_no_error (error);

  /* Sample for sample: the same streams, channels, units, times, values. */
  streams = imu_session_get_streams (imported);
  g_assert_cmpuint (streams->len, ==, 3);
  g_assert_cmpuint (imu_session_get_streams (recorded)->len, ==, 3);
  for (guint i = 0; i < streams->len; i++)
    {
      ImuStreamInfo *want = g_ptr_array_index (streams, i);
      ImuStreamInfo *got = find_stream (recorded, want->name);
      g_autoptr(Samples) a = NULL;
      g_autoptr(Samples) b = NULL;

      g_assert_nonnull (got);
      g_assert_cmpuint (got->n_channels, ==, want->n_channels);
      for (guint c = 0; c < want->n_channels; c++)
        {
          g_assert_cmpstr (got->channels[c].name, ==, want->channels[c].name);
          g_assert_cmpstr (got->channels[c].unit, ==, want->channels[c].unit);
        }
      a = read_samples (store, want);
      b = read_samples (store, got);
      g_assert_cmpint (a->n, ==, 1038);
      g_assert_cmpint (b->n, ==, a->n);
      g_assert_cmpmem (b->t, b->n * sizeof (gint64), a->t, a->n * sizeof (gint64));
      for (guint c = 0; c < want->n_channels; c++)
        g_assert_cmpmem (b->v[c], b->n * sizeof (double), a->v[c], a->n * sizeof (double));
    }
  /* And the export's first row, read here. */
  {
    ImuStreamInfo *acc = find_stream (recorded, "accelerometer");
    g_autoptr(Samples) a = read_samples (store, acc);

    g_assert_cmpint (a->t[0], ==, G_GINT64_CONSTANT (1760565906248623000));
    g_assert_cmpstr (acc->channels[0].name, ==, "z");
    g_assert_true (a->v[0][0] == g_ascii_strtod ("1.3691425733476876", NULL));
    g_assert_cmpstr (acc->channels[0].unit, ==, "m/s^2");
  }
}

/* ---- crash safety ---- */

static void
test_crash_sigkill (void)
{
  g_autofree char *library = imu_test_library_path ();
  const char *env = g_getenv ("IMU_TEST_RECORD_KILLS");
  int kills = env != NULL ? atoi (env) : 20;
  gint64 total_committed = 0, total_found = 0;

  g_assert_cmpint (kills, >, 0);
  for (int k = 0; k < kills; k++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSubprocess) flood = NULL;
      g_autoptr(GBytes) out = NULL;
      g_autofree char *check_out = NULL;
      g_auto(GStrv) lines = NULL;
      g_autoptr(ImuStore) store = NULL;
      g_autoptr(ImuSession) session = NULL;
      g_autofree char *lock = NULL;
      const char *check_argv[] = { IMU_CLI_PATH, "--library", library, "check", NULL };
      gint64 session_id = 0, committed = -1;
      int wait_status = 0;
      int delay_ms = g_test_rand_int_range (150, 1500);
      gsize len;

      flood = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                IMU_RECORD_FLOOD_PATH, library, "100", NULL);
      g_assert_no_error (error);
      g_usleep ((gulong) delay_ms * 1000);
      g_subprocess_force_exit (flood);  /* SIGKILL */
      g_assert_true (g_subprocess_communicate (flood, NULL, NULL, &out, NULL, &error));
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_signaled (flood));
      g_assert_cmpint (g_subprocess_get_term_sig (flood), ==, SIGKILL);

      lines = g_strsplit (g_bytes_get_data (out, &len) != NULL ? (const char *) g_bytes_get_data (out, NULL) : "", "\n", -1);
      for (guint i = 0; lines[i] != NULL; i++)
        {
          if (g_str_has_prefix (lines[i], "session "))
            session_id = g_ascii_strtoll (lines[i] + 8, NULL, 10);
          else if (g_str_has_prefix (lines[i], "committed "))
            committed = g_ascii_strtoll (lines[i] + 10, NULL, 10);
        }
      if (session_id == 0)
        {
          /* Killed before its session row was committed: nothing to find. */
          g_test_message ("kill %d after %d ms: before the session began", k + 1, delay_ms);
          continue;
        }

      /* `imu check` first: it is the first to open the library. */
      g_assert_true (g_spawn_sync (NULL, (char **) check_argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                                   &check_out, NULL, &wait_status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (wait_status, NULL));

      store = imu_store_open (library, &error);
      g_assert_no_error (error);
      session = imu_store_load_session (store, session_id, &error);
      g_assert_no_error (error);
      g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_INTERRUPTED);
      lock = imu_recording_lock_path (library, imu_session_get_uuid (session));
      g_assert_false (g_file_test (lock, G_FILE_TEST_EXISTS));

      if (find_stream (session, "flood") == NULL)
        g_assert_cmpint (committed, <=, 0);
      else
        {
          g_autoptr(Samples) got = read_samples (store, find_stream (session, "flood"));

          /* Everything committed is there, in order, once. */
          g_assert_cmpint (got->n, >=, committed);
          for (gint64 i = 0; i < got->n; i++)
            {
              g_assert_cmpint (got->t[i], ==, G_GINT64_CONSTANT (1700000000000000000) + i * 5000);
              g_assert_true (got->v[0][i] == (double) i);
              g_assert_true (got->v[1][i] == (double) -i / 4.0);
            }
          total_found += got->n;
        }
      total_committed += MAX (committed, 0);
      g_test_message ("kill %d after %d ms: %" PRId64 " samples known committed, found complete",
                      k + 1, delay_ms, committed);
    }
  g_test_message ("%d SIGKILLs: %" PRId64 " samples known committed, %" PRId64 " found",
                  kills, total_committed, total_found);
  g_assert_cmpint (total_found, >=, total_committed);
}

static void
test_resume (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) flood = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("flood", 2);
  g_autoptr(Samples) got = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GArray) ids = NULL;
  const char *check_argv[] = { IMU_CLI_PATH, "--library", library, "check", NULL };
  ImuRecorderOptions options = { .commit_interval_ms = 100 };
  const char *text;
  gint64 session_id = 0, before;
  guint stream;
  int wait_status = 0;

  /* A recording killed mid-way… */
  flood = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, IMU_RECORD_FLOOD_PATH, library, "100", NULL);
  g_assert_no_error (error);
  g_usleep (1500 * 1000);
  g_subprocess_force_exit (flood);
  g_assert_true (g_subprocess_communicate (flood, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  text = g_bytes_get_data (out, NULL);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "session "));
  session_id = g_ascii_strtoll (text + 8, NULL, 10);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_INTERRUPTED);
  g_assert_nonnull (find_stream (session, "flood"));
  before = find_stream (session, "flood")->n_samples;
  g_assert_cmpint (before, >, 0);
  g_clear_object (&session);

  /* …goes on where it ended: the same stream, after an event over the gap. */
  options.resume_session_id = session_id;
  recorder = imu_recorder_new (library, &options);
  g_assert_true (imu_recorder_start (recorder, TRUE, &error));
  g_assert_no_error (error);
  ids = imu_recorder_dup_session_ids (recorder);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_cmpint (g_array_index (ids, gint64, 0), ==, session_id);
  imu_stream_info_set_channel (info, 0, "i", "", "other");
  imu_stream_info_set_channel (info, 1, "minus_quarter", "", "other");
  stream = imu_recorder_add_stream (recorder, NULL, info);
  for (gint64 i = before; i < before + 5000; i++)
    {
      double v[2] = { (double) i, (double) -i / 4.0 };

      imu_recorder_append (recorder, stream, G_GINT64_CONSTANT (1700000000000000000) + i * 5000, v);
    }
  g_assert_true (imu_recorder_stop (recorder, &error));
  g_assert_no_error (error);

  g_assert_true (g_spawn_sync (NULL, (char **) check_argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &wait_status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (wait_status, NULL));

  session = imu_store_load_session (store, session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_COMPLETE);
  g_assert_cmpuint (imu_session_get_streams (session)->len, ==, 1);
  got = read_samples (store, find_stream (session, "flood"));
  g_assert_cmpint (got->n, ==, before + 5000);
  for (gint64 i = 0; i < got->n; i++)
    {
      g_assert_cmpint (got->t[i], ==, G_GINT64_CONSTANT (1700000000000000000) + i * 5000);
      g_assert_true (got->v[0][i] == (double) i);
      g_assert_true (got->v[1][i] == (double) -i / 4.0);
    }
  events = imu_store_list_events (store, session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 0))->kind, ==, "note");
  g_assert_cmpint (((ImuEvent *) g_ptr_array_index (events, 0))->t_ns, ==,
                   G_GINT64_CONSTANT (1700000000000000000) + (before - 1) * 5000);
  g_assert_cmpint (((ImuEvent *) g_ptr_array_index (events, 0))->duration_ns, >, 0);
}

/* ---- imu record ---- */

static char *
read_line (GDataInputStream *in)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (in, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

static JsonObject *
parse_event (const char *line, JsonParser *parser)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, line, -1, &error));
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* The export's rows of one file, read here. */
static void
read_rows (const char *path, GArray *t, GArray *z)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      gint64 tt;
      double zz;

      if (g_strv_length (f) < 3)
        continue;
      tt = g_ascii_strtoll (f[0], NULL, 10);
      zz = g_ascii_strtod (f[2], NULL);
      g_array_append_val (t, tt);
      g_array_append_val (z, zz);
    }
}

static void
run_replay (const char *file, const char *speed, gboolean sigterm, gint64 *session_id, GArray *t, GArray *z,
            const char *library)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) imu = NULL;
  g_autoptr(GDataInputStream) in = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *spec = g_strdup_printf ("replay:%s", file);
  g_autofree char *line = NULL;
  g_autofree char *last = NULL;
  JsonObject *event;
  JsonArray *sessions;

  imu = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, IMU_CLI_PATH, "--library", library, "record",
                          "--source", spec, "--speed", speed, "--title", "replayed", "--json", NULL);
  g_assert_no_error (error);
  in = g_data_input_stream_new (g_subprocess_get_stdout_pipe (imu));
  line = read_line (in);
  g_assert_nonnull (line);
  event = parse_event (line, parser);
  g_assert_cmpstr (json_object_get_string_member (event, "event"), ==, "started");
  if (sigterm)
    {
      g_usleep (1500 * 1000);
      g_subprocess_send_signal (imu, SIGTERM);
    }
  while ((line = (g_free (line), read_line (in))) != NULL)
    {
      g_free (last);
      last = g_strdup (line);
    }
  g_assert_true (g_subprocess_wait_check (imu, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (last);
  event = parse_event (last, parser);
  g_assert_cmpstr (json_object_get_string_member (event, "event"), ==, "stopped");
  sessions = json_object_get_array_member (event, "sessions");
  g_assert_cmpuint (json_array_get_length (sessions), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (sessions, 0), "state"), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (sessions, 0), "title"), ==, "replayed");
  *session_id = json_object_get_int_member (json_array_get_object_element (sessions, 0), "id");
  read_rows (file, t, z);
}

static void
check_replayed (const char *library, gint64 session_id, GArray *t, GArray *z, gboolean whole)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library, &error);
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(Samples) got = NULL;
  ImuStreamInfo *s;

  g_assert_no_error (error);
  session = imu_store_load_session (store, session_id, &error);
  g_assert_no_error (error);
  s = find_stream (session, "accelerometer");
  g_assert_nonnull (s);
  got = read_samples (store, s);
  if (whole)
    g_assert_cmpint (got->n, ==, (gint64) t->len);
  else
    {
      /* 1.5 s of a 10.4 s file at ×1, then SIGTERM: a prefix of it. */
      g_assert_cmpint (got->n, >, 10);
      g_assert_cmpint (got->n, <, (gint64) t->len);
    }
  for (gint64 i = 0; i < got->n; i++)
    {
      g_assert_cmpint (got->t[i], ==, g_array_index (t, gint64, i));
      g_assert_true (got->v[0][i] == g_array_index (z, double, i));
    }
}

static void
test_cli_replay (void)
{
  g_autofree char *file = imu_test_real_file ("sensorlogger/bennyjhui-iphone12/Accelerometer.csv");
  g_autofree char *library = NULL;
  g_autoptr(GArray) t = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) z = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 id = 0;

  if (file == NULL)
    return;
  library = imu_test_library_path ();
  /* 10.4 s at ×40: the replay ends by itself, whole. */
  run_replay (file, "40", FALSE, &id, t, z, library);
  check_replayed (library, id, t, z, TRUE);
}

static void
test_cli_sigterm (void)
{
  g_autofree char *file = imu_test_real_file ("sensorlogger/bennyjhui-iphone12/Accelerometer.csv");
  g_autofree char *library = NULL;
  g_autoptr(GArray) t = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) z = g_array_new (FALSE, FALSE, sizeof (double));
  gint64 id = 0;

  if (file == NULL)
    return;
  library = imu_test_library_path ();
  run_replay (file, "1", TRUE, &id, t, z, library);
  check_replayed (library, id, t, z, FALSE);
}

static void
test_cli_usage (void)
{
  const char *argv1[] = { IMU_CLI_PATH, "record", "--source", "carrier-pigeon:1", NULL };
  const char *argv2[] = { IMU_CLI_PATH, "record", "--source", "udp:1", "--commit-interval", "5000", NULL };
  const char *argv3[] = { IMU_CLI_PATH, "record", NULL };
  const char * const *all[] = { argv1, argv2, argv3 };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) all[i], NULL, G_SPAWN_STDERR_TO_DEV_NULL | G_SPAWN_STDOUT_TO_DEV_NULL,
                                   NULL, NULL, NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 1);
    }
}

/* ---- a disk running out ---- */

static gboolean
run_quiet (const char * const *argv)
{
  int status = -1;

  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL
                       | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL)
         && g_spawn_check_wait_status (status, NULL);
}

static void
write_filler (const char *path, gsize bytes)
{
  g_autofree char *zeros = g_malloc0 (bytes);

  g_assert_true (g_file_set_contents (path, zeros, (gssize) bytes, NULL));
}

/* On a 48 MiB tmpfs the margin is a quarter of it, 12 MiB (below
 * IMU_RECORD_DISK_MARGIN's 16 MiB): below it a recording does not start;
 * running, it stops cleanly when a commit leaves less, the session
 * complete and every sample up to its last commit stored. */
static void
test_disk_low_space (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "library.db", NULL);
  g_autofree char *filler = g_build_filename (dir, "filler", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuRecorder) refused = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(Samples) stored = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(GRand) again = g_rand_new_with_seed (11);
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("accelerometer", 3);
  ImuRecorderOptions options = { .title = "low disk", .commit_interval_ms = 100, .format = "record-test" };
  const char *mount_argv[] = { "mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", dir, NULL };
  const char *umount_argv[] = { "umount", dir, NULL };
  const gint64 t0 = G_GINT64_CONSTANT (1700000000000000000);
  gint64 sent = 0;
  guint stream;

  if (!run_quiet (mount_argv))
    {
      g_test_skip ("cannot mount a tmpfs here (needs root): the low-disk recording is not run");
      return;
    }

  /* 38 MiB taken: 10 MiB free, below the 12 MiB margin. */
  write_filler (filler, 38 * 1024 * 1024);
  refused = imu_recorder_new (library, &options);
  g_assert_false (imu_recorder_start (refused, TRUE, &error));
  g_assert_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, "nothing was recorded"));
  g_assert_nonnull (strstr (error->message, "12.6\xc2\xa0MB"));
  g_clear_error (&error);
  /* Not even the library was made. */
  g_assert_false (g_file_test (library, G_FILE_TEST_EXISTS));
  /* `imu record` says the same, and exits 5. */
  {
    const char *argv[] = { IMU_CLI_PATH, "--library", library, "record", "--source", "udp:127.0.0.1:0",
                           "--duration", "1", NULL };
    g_autofree char *err = NULL;
    int wait_status = 0;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                                 NULL, &err, &wait_status, NULL));
    g_assert_true (WIFEXITED (wait_status));
    g_assert_cmpint (WEXITSTATUS (wait_status), ==, 5);
    g_assert_nonnull (strstr (err, "nothing was recorded; free some space first"));
  }

  /* 20 MiB taken: 28 MiB free, 16 MiB to record into, random values that
   * do not compress (about 100 000 samples a second), until the recorder
   * stops by itself. */
  g_assert_cmpint (g_unlink (filler), ==, 0);
  write_filler (filler, 20 * 1024 * 1024);
  recorder = imu_recorder_new (library, &options);
  g_assert_true (imu_recorder_start (recorder, TRUE, &error));
  g_assert_no_error (error);
  imu_stream_info_set_channel (info, 0, "x", "m/s^2", "accel");
  imu_stream_info_set_channel (info, 1, "y", "m/s^2", "accel");
  imu_stream_info_set_channel (info, 2, "z", "m/s^2", "accel");
  stream = imu_recorder_add_stream (recorder, NULL, info);
  while (!imu_recorder_has_failed (recorder) && sent < 4000000)
    {
      for (guint k = 0; k < 2000; k++, sent++)
        {
          double v[3] = { g_rand_double (rand), g_rand_double (rand), g_rand_double (rand) };

          imu_recorder_append (recorder, stream, t0 + sent * 10000000, v);
        }
      g_usleep (20000);
    }
  g_assert_true (imu_recorder_has_failed (recorder));
  ids = imu_recorder_dup_session_ids (recorder);
  g_assert_cmpuint (ids->len, ==, 1);
  g_assert_false (imu_recorder_stop (recorder, &error));
  g_assert_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_DISK_FULL);
  g_assert_nonnull (strstr (error->message, "the recording stopped"));
  g_clear_error (&error);
  /* It stopped with room left: the margin, less one commit at most. */
  g_assert_cmpint (imu_disk_free (dir), >, 0);

  /* Complete, and every sample up to the last commit, in order, exact. */
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  session = imu_store_load_session (store, g_array_index (ids, gint64, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_COMPLETE);
  stored = read_samples (store, find_stream (session, "accelerometer"));
  g_assert_cmpint (stored->n, >, 10000);
  g_assert_cmpint (stored->n, <=, sent);
  for (gint64 k = 0; k < stored->n; k++)
    {
      g_assert_cmpint (stored->t[k], ==, t0 + k * 10000000);
      for (guint c = 0; c < 3; c++)
        g_assert_cmpfloat (stored->v[c][k], ==, g_rand_double (again));
    }
  g_clear_object (&session);
  g_clear_object (&store);
  g_clear_object (&recorder);
  g_clear_object (&refused);
  /* And the library is whole. */
  {
    const char *argv[] = { IMU_CLI_PATH, "--library", library, "check", NULL };
    int wait_status = 0;

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                 NULL, NULL, NULL, NULL, &wait_status, NULL));
    g_assert_true (g_spawn_check_wait_status (wait_status, NULL));
  }

  if (!run_quiet (umount_argv))
    {
      g_autoptr(GDir) d = g_dir_open ("/proc/self/fd", 0, NULL);
      const char *name;

      while ((name = g_dir_read_name (d)) != NULL)
        {
          g_autofree char *link = g_build_filename ("/proc/self/fd", name, NULL);
          g_autofree char *target = g_file_read_link (link, NULL);

          if (target != NULL && g_str_has_prefix (target, dir))
            g_test_message ("still open: %s", target);
        }
      g_assert_not_reached ();
    }
  imu_test_rm_rf (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/record/udp/lines", test_udp_lines);
  g_test_add_func ("/record/udp/sensorstream", test_udp_sensorstream);
  g_test_add_func ("/record/udp/clock-jump", test_udp_clock_jump);
  g_test_add_func ("/record/serial/pty", test_serial_pty);
  g_test_add_func ("/record/serial/errors", test_serial_errors);
  g_test_add_func ("/record/phyphox/session", test_phyphox_session);
  g_test_add_func ("/record/phyphox/arrival", test_phyphox_arrival);
  g_test_add_func ("/record/phyphox/unreachable", test_phyphox_unreachable);
  g_test_add_func ("/record/phyphox/cli", test_phyphox_cli);
  g_test_add_func ("/record/sensorlogger/equals-import", test_sensorlogger_equals_import);
  g_test_add_func ("/record/crash/sigkill", test_crash_sigkill);
  g_test_add_func ("/record/crash/resume", test_resume);
  g_test_add_func ("/record/cli/replay", test_cli_replay);
  g_test_add_func ("/record/cli/sigterm", test_cli_sigterm);
  g_test_add_func ("/record/cli/usage", test_cli_usage);
  g_test_add_func ("/record/disk/low-space", test_disk_low_space);
  return g_test_run ();
}
