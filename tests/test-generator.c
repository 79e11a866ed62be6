/* test-generator.c — the realistic IMU data generator and the demo session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-generator"

#include <math.h>
#include <string.h>

#include "imu-core.h"
#include "imu-generator.h"
#include "imu-test-util.h"

/* 2024-03-12 17:30:00 UTC (date -u -d @1710264600). */
#define START_NS (G_GINT64_CONSTANT (1710264600) * 1000000000)
#define MINUTE_NS (G_GINT64_CONSTANT (60) * 1000000000)

static GBytes *
generate_csv (guint64 seed,
              double  rate_hz,
              gint64  duration_ns)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  ImuGeneratorCsvOptions options = {
    .seed = seed,
    .rate_hz = rate_hz,
    .start_ns = START_NS,
    .duration_ns = duration_ns,
  };

  g_assert_true (imu_generator_write_csv (out, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

/* The CSV as lines (without their "\n"; the file must end with one).
 * Split by hand: g_strsplit() of a 10 MB text is quadratic under ASan. */
static GStrv
csv_lines (GBytes *bytes)
{
  gsize len = 0;
  const char *data = g_bytes_get_data (bytes, &len);
  GPtrArray *lines = g_ptr_array_new ();
  const char *p = data, *end = data + len;

  g_assert_cmpuint (len, >, 0);
  g_assert_cmpint (data[len - 1], ==, '\n');
  while (p < end)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));

      g_ptr_array_add (lines, g_strndup (p, (gsize) (nl - p)));
      p = nl + 1;
    }
  g_ptr_array_add (lines, NULL);
  return (GStrv) g_ptr_array_free (lines, FALSE);
}

/* TRUE when @field is an optional '-', one or more digits, '.', and exactly
 * @decimals digits. */
static gboolean
has_fixed_decimals (const char *field,
                    int         decimals)
{
  const char *p = field;
  const char *dot;

  if (*p == '-')
    p++;
  dot = strchr (p, '.');
  if (dot == NULL || dot == p || (int) strlen (dot + 1) != decimals)
    return FALSE;
  for (const char *q = p; *q != '\0'; q++)
    if (q != dot && !g_ascii_isdigit (*q))
      return FALSE;
  return TRUE;
}

/* Microseconds since the epoch from "1710264600.000007" (exact: no double). */
static gint64
parse_time_us (const char *field)
{
  g_auto(GStrv) parts = g_strsplit (field, ".", 2);

  g_assert_nonnull (parts[1]);
  g_assert_cmpuint (strlen (parts[1]), ==, 6);
  return g_ascii_strtoll (parts[0], NULL, 10) * 1000000 + g_ascii_strtoll (parts[1], NULL, 10);
}

static void
test_csv_deterministic (void)
{
  g_autoptr(GBytes) a = generate_csv (7, 100.0, 10 * MINUTE_NS);
  g_autoptr(GBytes) b = generate_csv (7, 100.0, 10 * MINUTE_NS);
  g_autoptr(GBytes) c = generate_csv (8, 100.0, 10 * MINUTE_NS);
  g_autofree char *sum_a = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, a);
  g_autofree char *sum_b = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, b);

  /* Same seed, same bytes; another seed, other data. */
  g_assert_true (g_bytes_equal (a, b));
  g_assert_cmpstr (sum_a, ==, sum_b);
  g_assert_false (g_bytes_equal (a, c));
}

static void
test_csv_header_and_rows (void)
{
  struct {
    double rate_hz;
    gint64 duration_ns;
    guint  rows;       /* ⌊duration × rate⌋, by hand */
  } cases[] = {
    { 100.0, 10 * MINUTE_NS, 60000 },
    { 50.0, 3 * MINUTE_NS, 9000 },
    { 3.0, G_GINT64_CONSTANT (7500000000), 22 },     /* 7.5 s × 3 Hz = 22.5 */
    { 1000.0, G_GINT64_CONSTANT (2000000000), 2000 },
    { 100.0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = generate_csv (1, cases[i].rate_hz, cases[i].duration_ns);
      g_auto(GStrv) lines = csv_lines (bytes);

      g_assert_cmpstr (lines[0], ==,
                       "timestamp,acc_x (g),acc_y (g),acc_z (g),gyr_x (deg/s),gyr_y (deg/s),gyr_z (deg/s)");
      g_assert_cmpuint (g_strv_length (lines) - 1, ==, cases[i].rows);
      g_assert_cmpint (imu_generator_count_samples (cases[i].duration_ns, cases[i].rate_hz), ==, cases[i].rows);
    }
}

static void
test_csv_fixed_decimals (void)
{
  g_autoptr(GBytes) bytes = generate_csv (3, 100.0, 5 * MINUTE_NS);
  g_auto(GStrv) lines = csv_lines (bytes);
  static const int decimals[7] = { 6, 5, 5, 5, 3, 3, 3 };

  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (fields), ==, 7);
      for (guint c = 0; c < 7; c++)
        if (!has_fixed_decimals (fields[c], decimals[c]))
          g_error ("line %u, column %u: “%s” does not have %d decimals", i + 1, c + 1, fields[c], decimals[c]);
      g_assert_cmpint (fields[0][0], !=, '-');
    }
}

static void
test_csv_timestamps (void)
{
  struct {
    double rate_hz;
    gint64 duration_ns;
    double step_us;    /* 1e6 / rate */
  } cases[] = {
    { 100.0, 30 * MINUTE_NS, 10000.0 },
    { 3.0, 10 * MINUTE_NS, 333333.333 },
    { 1000.0, MINUTE_NS, 1000.0 },
  };

  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr(GBytes) bytes = generate_csv (11, cases[k].rate_hz, cases[k].duration_ns);
      g_auto(GStrv) lines = csv_lines (bytes);
      guint n = g_strv_length (lines) - 1;
      gint64 first = 0, prev = 0, t = 0;
      double mean_step;

      g_assert_cmpuint (n, >, 100);
      for (guint i = 1; lines[i] != NULL; i++)
        {
          g_autofree char *field = g_strndup (lines[i], strcspn (lines[i], ","));

          t = parse_time_us (field);
          if (i == 1)
            first = t;
          else if (t <= prev)
            g_error ("line %u: time %s is not after the previous row", i + 1, field);
          prev = t;
        }

      /* The first sample is exactly at the start. */
      g_assert_cmpint (first, ==, START_NS / 1000);
      mean_step = (double) (t - first) / (n - 1);
      g_assert_cmpfloat_with_epsilon (mean_step, cases[k].step_us, 1.0);
    }
}

static void
test_csv_gravity_at_rest (void)
{
  g_autoptr(GBytes) bytes = generate_csv (5, 100.0, 2 * MINUTE_NS);
  g_auto(GStrv) lines = csv_lines (bytes);

  /* Every recording begins with a minute of rest: the accelerometer then
   * reads gravity alone, 1 g give or take bias and noise. */
  for (guint i = 1; i <= 6000; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);
      double x = g_ascii_strtod (f[1], NULL);
      double y = g_ascii_strtod (f[2], NULL);
      double z = g_ascii_strtod (f[3], NULL);
      double m = sqrt (x * x + y * y + z * z);

      if (fabs (m - 1.0) > 0.02)
        g_error ("line %u: |a| = %.5f g at rest", i + 1, m);
    }
}

/* Counts steps in @seconds of one activity with hysteresis on |a|: a step
 * is |a| going above @high after having been below @low. */
static guint
count_steps (ImuGeneratorActivity activity,
             double               seconds,
             double               high,
             double               low)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuGenerator) gen = imu_generator_new (99, 100.0, START_NS, &error);
  ImuGeneratorBout bouts[] = {
    { IMU_GENERATOR_ACTIVITY_REST, 60, 0 },
    { activity, 10 + seconds, 0 },
  };
  gboolean armed = FALSE;
  guint steps = 0;

  g_assert_no_error (error);
  imu_generator_set_script (gen, bouts, G_N_ELEMENTS (bouts));
  for (guint i = 0; i < (guint) ((70 + seconds) * 100); i++)
    {
      double acc[3], gyr[3], m;

      imu_generator_next (gen, acc, gyr);
      if (i < 70 * 100)
        continue;   /* rest, and 10 s to get going */
      g_assert_cmpint (imu_generator_get_activity (gen), ==, activity);
      m = sqrt (acc[0] * acc[0] + acc[1] * acc[1] + acc[2] * acc[2]);
      if (m < low)
        armed = TRUE;
      else if (m > high && armed)
        {
          steps++;
          armed = FALSE;
        }
    }
  return steps;
}

static void
test_cadence (void)
{
  /* Walking: 1.8–2.0 steps/s; running: 2.6–3.0 steps/s, with impact peaks
   * well above 2 g and a flight phase near 0 g. Over 120 s, with one step
   * of slack for where the window cuts. */
  guint walk = count_steps (IMU_GENERATOR_ACTIVITY_WALK, 120, 1.12, 0.9);
  guint run = count_steps (IMU_GENERATOR_ACTIVITY_RUN, 120, 2.0, 0.3);

  g_test_message ("steps in 120 s: %u walking, %u running", walk, run);

  g_assert_cmpuint (walk, >=, 1.8 * 120 * 0.97 - 1);
  g_assert_cmpuint (walk, <=, 2.0 * 120 * 1.03 + 1);
  g_assert_cmpuint (run, >=, 2.6 * 120 * 0.97 - 1);
  g_assert_cmpuint (run, <=, 3.0 * 120 * 1.03 + 1);
}

static void
test_gyro_agrees_with_gravity (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuGenerator) gen = imu_generator_new (4, 100.0, START_NS, &error);
  /* Standing upright, then lying down on the back: pitch goes to −80°. */
  ImuGeneratorBout bouts[] = {
    { IMU_GENERATOR_ACTIVITY_REST, 60, 0 },
    { IMU_GENERATOR_ACTIVITY_REST, 60, -80 },
  };
  double g0[3] = { 0 }, g1[3] = { 0 }, bias = 0, turned_deg = 0, angle_deg, dot, n0, n1;

  g_assert_no_error (error);
  imu_generator_set_script (gen, bouts, G_N_ELEMENTS (bouts));
  for (guint i = 0; i < 12000; i++)
    {
      double acc[3], gyr[3];

      imu_generator_next (gen, acc, gyr);
      /* Gravity direction: the mean of the last 10 s of each posture. */
      for (guint c = 0; c < 3; c++)
        {
          if (i >= 5000 && i < 6000)
            g0[c] += acc[c];
          if (i >= 11000)
            g1[c] += acc[c];
        }
      /* The gyroscope's bias: its mean while standing still (breathing
       * sways the trunk back and forth 15 times in that minute). */
      if (i < 6000)
        bias += gyr[1] / 6000;
      /* Pitch turns about the sensor's y axis (roll is within a few
       * degrees), so y carries the turn: integrate it, less the bias. */
      if (i >= 6000)
        turned_deg += (gyr[1] - bias) * 0.01;
    }
  dot = g0[0] * g1[0] + g0[1] * g1[1] + g0[2] * g1[2];
  n0 = sqrt (g0[0] * g0[0] + g0[1] * g0[1] + g0[2] * g0[2]);
  n1 = sqrt (g1[0] * g1[0] + g1[1] * g1[1] + g1[2] * g1[2]);
  angle_deg = acos (dot / (n0 * n1)) * 180.0 / G_PI;
  g_test_message ("gravity turned %.2f°, the gyroscope %.2f°", angle_deg, turned_deg);

  /* Gravity turned by the posture change (80°, and a few degrees of roll). */
  g_assert_cmpfloat (angle_deg, >, 77.0);
  g_assert_cmpfloat (angle_deg, <, 83.0);
  /* The gyroscope saw the same turn. */
  g_assert_cmpfloat (fabs (fabs (turned_deg) - angle_deg), <, 3.0);
}

static void
test_invalid_arguments (void)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  ImuGeneratorCsvOptions options = { 1, 0.0, START_NS, MINUTE_NS };
  GError *error = NULL;

  g_assert_false (imu_generator_write_csv (out, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  options.rate_hz = 20000.0;
  g_assert_false (imu_generator_write_csv (out, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  options.rate_hz = 100.0;
  options.start_ns = -1000000000;
  g_assert_false (imu_generator_write_csv (out, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  options.start_ns = START_NS;
  options.duration_ns = -1;
  g_assert_false (imu_generator_write_csv (out, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  options.duration_ns = 60 * MINUTE_NS;
  g_cancellable_cancel (cancellable);
  g_assert_false (imu_generator_write_csv (out, &options, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (done, >=, last[0]);
  g_assert_cmpuint (done, <=, total);
  last[0] = done;
  last[1] = total;
  last[2]++;
}

static void
test_csv_progress (void)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;
  ImuGeneratorCsvOptions options = { 1, 100.0, START_NS, 30 * MINUTE_NS };
  guint64 last[3] = { 0, 0, 0 };

  g_assert_true (imu_generator_write_csv (out, &options, progress_cb, last, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (last[0], ==, 180000);
  g_assert_cmpuint (last[1], ==, 180000);
  g_assert_cmpuint (last[2], >, 1);
}

static ImuStreamInfo *
find_stream (GPtrArray  *streams,
             const char *name)
{
  for (guint i = 0; i < streams->len; i++)
    {
      ImuStreamInfo *info = g_ptr_array_index (streams, i);

      if (g_strcmp0 (info->name, name) == 0)
        return info;
    }
  g_error ("no stream “%s” in the demo session", name);
  return NULL;
}

static void
check_stream (ImuStreamInfo *info,
              const char    *kind,
              double         rate_hz,
              gint64         n_samples,
              const char    *unit,
              const char    *first_channel)
{
  g_assert_cmpstr (info->kind, ==, kind);
  g_assert_cmpfloat (info->nominal_rate_hz, ==, rate_hz);
  g_assert_cmpuint (info->n_channels, ==, 3);
  g_assert_cmpint (info->n_samples, ==, n_samples);
  g_assert_cmpstr (info->channels[0].name, ==, first_channel);
  for (guint c = 0; c < 3; c++)
    g_assert_cmpstr (info->channels[c].unit, ==, unit);
}

static void
test_demo_session (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(ImuSeries) series = NULL;
  ImuStreamInfo *acc;
  gboolean created = FALSE;
  gint64 id, again;
  guint n_intervals = 0, n_notes = 0;
  double buf[3][600];
  double *columns[3] = { buf[0], buf[1], buf[2] };
  const char * const *tags;

  g_assert_no_error (error);
  g_assert_cmpint (imu_generator_find_demo_session (store, &error), ==, 0);
  g_assert_no_error (error);

  id = imu_generator_create_demo_session (store, &created, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_true (created);

  /* A second call finds it instead of making another. */
  again = imu_generator_create_demo_session (store, &created, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, id);
  g_assert_false (created);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 1);
  g_assert_cmpint (imu_generator_find_demo_session (store, &error), ==, id);

  session = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_title (session), ==, "Interval training");
  g_assert_cmpstr (imu_session_get_activity (session), ==, "Running");
  g_assert_cmpstr (imu_session_get_subject (session), !=, "");
  tags = imu_session_get_tags (session);
  g_assert_nonnull (tags);
  g_assert_true (g_strv_contains (tags, "demo"));
  g_assert_true (g_strv_contains (tags, "intervals"));
  g_assert_cmpstr (imu_session_get_origin (session), ==, "generated");
  g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_COMPLETE);
  /* It starts where the events say: 2024-03-12 17:30:00 UTC. */
  g_assert_cmpint (imu_session_get_start_ns (session), ==, START_NS);
  /* 45 minutes: the last sample is 10 ms before 45:00, give or take jitter. */
  g_assert_cmpint (imu_session_get_duration_ns (session), >, G_GINT64_CONSTANT (2699900000000));
  g_assert_cmpint (imu_session_get_duration_ns (session), <, G_GINT64_CONSTANT (2700000000000));

  /* 45 min × 60 s × 100 Hz = 270000 samples; the magnetometer at 25 Hz 67500. */
  streams = imu_store_list_streams (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (streams->len, ==, 3);
  acc = find_stream (streams, "accelerometer");
  check_stream (acc, "accel", 100.0, 270000, "g", "acc_x");
  check_stream (find_stream (streams, "gyroscope"), "gyro", 100.0, 270000, "deg/s", "gyr_x");
  check_stream (find_stream (streams, "magnetometer"), "mag", 25.0, 67500, "µT", "mag_x");

  /* The session starts at rest: 1 g. */
  series = imu_series_new (store, acc->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_series_read (series, 0, 600, NULL, columns, &error), ==, 600);
  g_assert_no_error (error);
  g_assert_cmpint (imu_series_get_decimals (series, 0), ==, 5);
  for (guint i = 0; i < 600; i++)
    {
      double m = sqrt (buf[0][i] * buf[0][i] + buf[1][i] * buf[1][i] + buf[2][i] * buf[2][i]);

      g_assert_cmpfloat (fabs (m - 1.0), <, 0.02);
    }

  /* Warm-up, six intervals, cool-down, stretching and a coach's note. */
  events = imu_store_list_events (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 10);
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 0))->label, ==, "Warm-up");
  /* The warm-up starts 2 min in and lasts 8 min. */
  g_assert_cmpint (((ImuEvent *) g_ptr_array_index (events, 0))->t_ns, ==,
                   START_NS + 2 * MINUTE_NS);
  g_assert_cmpint (((ImuEvent *) g_ptr_array_index (events, 0))->duration_ns, ==, 8 * MINUTE_NS);
  for (guint i = 0; i < events->len; i++)
    {
      ImuEvent *event = g_ptr_array_index (events, i);

      if (g_str_has_prefix (event->label, "Interval "))
        {
          g_autofree char *expected = g_strdup_printf ("Interval %u", n_intervals + 1);

          g_assert_cmpstr (event->label, ==, expected);
          g_assert_cmpint (event->duration_ns, ==, 2 * MINUTE_NS);
          /* Intervals start every 3.5 minutes from 10:00. */
          g_assert_cmpint (event->t_ns, ==, START_NS + 10 * MINUTE_NS + n_intervals * 210 * G_GINT64_CONSTANT (1000000000));
          n_intervals++;
        }
      if (g_strcmp0 (event->kind, "note") == 0)
        n_notes++;
    }
  g_assert_cmpuint (n_intervals, ==, 6);
  g_assert_cmpuint (n_notes, ==, 1);
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, events->len - 1))->label, ==, "Stretching");
}

static void
test_demo_cancelled (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  gboolean created = TRUE;

  g_assert_no_error (error);
  g_cancellable_cancel (cancellable);
  g_assert_cmpint (imu_generator_create_demo_session (store, &created, cancellable, &error), ==, 0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (created);
  g_clear_error (&error);

  /* Nothing is left: the transaction was rolled back. */
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 0);
  g_assert_no_error (error);
}

static void
demo_ready_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static gint64
create_demo_async (const char  *path,
                   gboolean    *created,
                   GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  imu_generator_create_demo_session_async (path, NULL, demo_ready_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return imu_generator_create_demo_session_finish (result, created, error);
}

static void
test_demo_async (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  gboolean created = FALSE;
  gint64 id, again;

  id = create_demo_async (path, &created, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_true (created);

  again = create_demo_async (path, &created, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, id);
  g_assert_false (created);

  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_store_count_sessions (store, &error), ==, 1);
  g_assert_cmpint (imu_generator_find_demo_session (store, &error), ==, id);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/generator/csv/deterministic", test_csv_deterministic);
  g_test_add_func ("/core/generator/csv/header-and-rows", test_csv_header_and_rows);
  g_test_add_func ("/core/generator/csv/fixed-decimals", test_csv_fixed_decimals);
  g_test_add_func ("/core/generator/csv/timestamps", test_csv_timestamps);
  g_test_add_func ("/core/generator/csv/gravity-at-rest", test_csv_gravity_at_rest);
  g_test_add_func ("/core/generator/csv/progress", test_csv_progress);
  g_test_add_func ("/core/generator/invalid-arguments", test_invalid_arguments);
  g_test_add_func ("/core/generator/model/cadence", test_cadence);
  g_test_add_func ("/core/generator/model/gyro-agrees-with-gravity", test_gyro_agrees_with_gravity);
  g_test_add_func ("/core/generator/demo/session", test_demo_session);
  g_test_add_func ("/core/generator/demo/cancelled", test_demo_cancelled);
  g_test_add_func ("/core/generator/demo/async", test_demo_async);

  return g_test_run ();
}
