/* test-import-producers.c — other producers' files (issue 9 §3): classes of input
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each test writes a small synthetic file that reproduces one class of
 * input other producers write (a sensor clock in µs without a unit,
 * several devices interleaved, a label column in every row, a stated rate
 * the data does not keep, a unit the data contradicts). The expected
 * times, rates, names, units and issue counts are worked out by hand
 * from the text in the test, never by the code under test.
 */
#define G_LOG_DOMAIN "test-import-producers"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "imu-import.h"
#include "imu-series.h"
#include "imu-store.h"
#include "imu-test-util.h"

typedef struct {
  char            *library;
  ImuStore        *store;
  ImuImportResult *result;
  GPtrArray       *streams;
  GError          *error;
} Imported;

static void
imported_free (Imported *im)
{
  g_clear_pointer (&im->streams, g_ptr_array_unref);
  g_clear_pointer (&im->result, imu_import_result_free);
  g_clear_object (&im->store);
  g_clear_error (&im->error);
  g_free (im->library);
  g_free (im);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Imported, imported_free)

static Imported *
import_at (const char *path)
{
  Imported *im = g_new0 (Imported, 1);
  GError *error = NULL;

  im->library = imu_test_library_path ();
  im->store = imu_store_open (im->library, &error);
  g_assert_no_error (error);
  im->result = imu_import_path (im->store, path, NULL, NULL, NULL, NULL, NULL, &im->error);
  if (im->error != NULL)
    g_test_message ("%s: %s", path, im->error->message);
  g_assert_no_error (im->error);
  g_assert_nonnull (im->result);
  im->streams = imu_store_list_streams (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  return im;
}

/* Imports @text written to a new file named @name. */
static Imported *
import_text (const char *name, const char *text)
{
  g_autofree char *path = imu_test_write_file (name, text, -1);

  return import_at (path);
}

static const ImuStreamInfo *
stream_at (Imported *im, guint i)
{
  g_assert_cmpuint (i, <, im->streams->len);
  return g_ptr_array_index (im->streams, i);
}

static char *
describe_channels (const ImuStreamInfo *s)
{
  GString *str = g_string_new (NULL);

  for (guint c = 0; c < s->n_channels; c++)
    g_string_append_printf (str, "%s%s[%s]", c > 0 ? " " : "", s->channels[c].name,
                            s->channels[c].unit != NULL ? s->channels[c].unit : "");
  return g_string_free (str, FALSE);
}

static int
issue_count (Imported *im, const char *code)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (im->result->issue_counts, code));
}

static guint
n_issue_codes (Imported *im)
{
  return g_hash_table_size (im->result->issue_counts);
}

static char *
notes_of (Imported *im)
{
  GError *error = NULL;
  g_autoptr(ImuSession) s = imu_store_load_session (im->store, im->result->session_id, &error);

  g_assert_no_error (error);
  return g_strdup (imu_session_get_notes (s) != NULL ? imu_session_get_notes (s) : "");
}

/* Sample @index of @s: its time and its values. */
static gint64
sample (Imported *im, const ImuStreamInfo *s, gint64 index, double *values)
{
  GError *error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (im->store, s->id, &error);
  double **cols = g_newa (double *, s->n_channels);
  gint64 t = 0;

  g_assert_no_error (error);
  for (guint c = 0; c < s->n_channels; c++)
    cols[c] = &values[c];
  g_assert_cmpint (imu_series_read (series, index, 1, &t, cols, &error), ==, 1);
  g_assert_no_error (error);
  return t;
}

/* ---- constant and label columns ---- */

/* A MicroStrain-like sparse log: "state" (S) and "extension" (-0.5) in
 * every row, IMU packets (ax, ay, az) at t = 0, 2, 4 … ms and filter
 * packets (qw … qz) at t = 1, 5, 9 … ms interleaved, written a little out
 * of order as the real logger does (each filter row before the IMU row
 * it follows in time). */
static void
test_constant_columns_sparse (void)
{
  g_autoptr(GString) text = g_string_new ("state,extension,timestamp,scaledAccelX,scaledAccelY,scaledAccelZ,"
                                          "estOrientQuaternionW,estOrientQuaternionX,estOrientQuaternionY,estOrientQuaternionZ\n");
  g_autoptr(Imported) im = NULL;
  g_autofree char *notes = NULL;
  double v[4];

  /* 40 IMU rows at 1730000000000000000 + i × 2 ms (i = 0 … 39) and, before
   * every second one (i = 1, 3, … 39), a filter row 1 ms later than it:
   * 20 filter rows at +3, +7, … +79 ms. Written filter-first, so in file
   * order a filter time is followed by an earlier IMU time 20 times. */
  for (guint i = 0; i < 40; i++)
    {
      if (i % 2 == 1)
        g_string_append_printf (text, "S,-0.5,%" G_GINT64_FORMAT ",,,,1,0,0,%u\n",
                                G_GINT64_CONSTANT (1730000000000000000) + (gint64) (i * 2 + 1) * 1000000, i);
      g_string_append_printf (text, "S,-0.5,%" G_GINT64_FORMAT ",0.01,0.02,1.00,,,,\n",
                              G_GINT64_CONSTANT (1730000000000000000) + (gint64) i * 2 * 1000000);
    }
  im = import_text ("zlog.csv", text->str);

  g_assert_cmpstr (im->result->format, ==, "microstrain");
  g_assert_cmpint (im->result->rows, ==, 60);
  /* Two packet kinds, two streams: no stream of all 60 rows. */
  g_assert_cmpuint (im->streams->len, ==, 2);
  g_assert_cmpstr (stream_at (im, 0)->name, ==, "scaledAccel");
  g_assert_cmpint (stream_at (im, 0)->n_samples, ==, 40);
  g_assert_cmpstr (stream_at (im, 1)->name, ==, "estOrientQuaternion");
  g_assert_cmpint (stream_at (im, 1)->n_samples, ==, 20);
  g_assert_cmpint (sample (im, stream_at (im, 1), 0, v), ==, G_GINT64_CONSTANT (1730000000003000000));
  g_assert_cmpfloat (v[3], ==, 1.0);
  /* Within each kind times only go forward. */
  g_assert_cmpint (issue_count (im, "W_TIME_BACKWARDS"), ==, 0);
  g_assert_cmpuint (n_issue_codes (im), ==, 0);
  notes = notes_of (im);
  g_assert_nonnull (strstr (notes, "Columns with one value in every row, kept here rather than as streams: "
                                   "state = S, extension = -0.5."));
}

/* A plain file with a label column of text: the label goes to the notes;
 * a constant numeric channel of an ordinary file stays a channel. */
static void
test_constant_columns_plain (void)
{
  g_autoptr(Imported) im = import_text ("walk.csv",
                                        "time (s),mode,ax,ay,az\n"
                                        "0.00,walk,0.1,0,1.0\n"
                                        "0.01,walk,0.2,0,1.0\n"
                                        "0.02,walk,0.3,0,1.0\n"
                                        "0.03,walk,0.4,0,1.0\n"
                                        "0.04,walk,0.5,0,1.0\n");
  g_autofree char *notes = notes_of (im);
  g_autofree char *channels = NULL;

  g_assert_cmpuint (im->streams->len, ==, 1);
  channels = describe_channels (stream_at (im, 0));
  g_assert_cmpstr (channels, ==, "ax[g] ay[g] az[g]");
  g_assert_nonnull (strstr (notes, "kept here rather than as streams: mode = walk."));
}

/* A label is only known from the first 256 rows: a row after them that
 * holds another value is kept, with W_LABEL_CHANGED on its line. */
static void
test_constant_columns_changed (void)
{
  g_autoptr(GString) text = g_string_new ("time (s),mode,ax,ay,az\n");
  g_autoptr(Imported) im = NULL;
  GArray *lines;

  for (guint i = 0; i < 300; i++)
    g_string_append_printf (text, "%u.%02u,%s,0.1,0,1.0\n", i / 100, i % 100, i == 280 ? "run" : "walk");
  im = import_text ("walk.csv", text->str);
  g_assert_cmpint (im->result->rows, ==, 300);
  g_assert_cmpint (stream_at (im, 0)->n_samples, ==, 300);
  g_assert_cmpint (issue_count (im, "W_LABEL_CHANGED"), ==, 1);
  g_assert_cmpuint (n_issue_codes (im), ==, 1);
  /* Data row 281 (i = 280) is line 282. */
  lines = g_hash_table_lookup (im->result->issue_lines, "W_LABEL_CHANGED");
  g_assert_cmpint (g_array_index (lines, gint64, 0), ==, 282);
}

/* ---- sensor clocks without a unit ---- */

/* A Movella-DOT-like export: a preamble with StartTime and OutputRate,
 * then PacketCounter and a Timestamp column in µs of the sensor's clock
 * (3.2e11 µs, 89 h since power-on) that the header gives no unit: 181
 * rows 16667 µs apart (60 Hz, 3.00006 s). Read by magnitude as epoch ms,
 * it was a session in 1980 of 50 min at 0.06 Hz. */
static char *
movella_like (gboolean with_start)
{
  GString *text = g_string_new (NULL);

  g_string_append (text, "DeviceTag:,1\n");
  g_string_append (text, "Firmware Version:,2.0.0\n");
  if (with_start)
    g_string_append (text, "StartTime:,2024-05-01 10:00:00.250\n");
  g_string_append (text, "OutputRate:,60Hz\n\n");
  g_string_append (text, "PacketCounter,Timestamp,Acc_X,Acc_Y,Acc_Z\n");
  for (guint k = 0; k <= 180; k++)
    g_string_append_printf (text, "%u,%" G_GINT64_FORMAT ",0.1%u,0.2,9.81\n", k,
                            G_GINT64_CONSTANT (320000000000) + (gint64) k * 16667, k % 10);
  return g_string_free (text, FALSE);
}

static void
test_clock_us_with_start (void)
{
  g_autofree char *text = movella_like (TRUE);
  g_autoptr(Imported) im = import_text ("dot.csv", text);
  g_autofree char *notes = notes_of (im);
  g_autofree char *channels = NULL;
  const ImuStreamInfo *s;
  double v[3];

  g_assert_cmpstr (im->result->format, ==, "movella-dot");
  g_assert_cmpint (im->result->rows, ==, 181);
  g_assert_cmpuint (im->streams->len, ==, 1);
  s = stream_at (im, 0);
  channels = describe_channels (s);
  g_assert_cmpstr (s->name, ==, "accelerometer");
  g_assert_cmpstr (channels, ==, "Acc_X[m/s^2] Acc_Y[m/s^2] Acc_Z[m/s^2]");
  g_assert_cmpint (s->n_samples, ==, 181);
  /* StartTime 2024-05-01 10:00:00.250 UTC is the first sample; the last
   * is 180 × 16667 µs = 3.00006 s later. */
  g_assert_cmpint (s->t_first_ns, ==, G_GINT64_CONSTANT (1714557600250000000));
  g_assert_cmpint (s->t_last_ns, ==, G_GINT64_CONSTANT (1714557600250000000) + G_GINT64_CONSTANT (3000060000));
  g_assert_cmpint (sample (im, s, 1, v), ==, G_GINT64_CONSTANT (1714557600250000000) + 16667000);
  g_assert_cmpfloat (v[0], ==, 0.11);
  /* OutputRate says 60 Hz; 1e6 / 16667 µs = 59.9988 Hz agrees. */
  g_assert_cmpfloat (s->nominal_rate_hz, ==, 60.0);
  g_assert_cmpint (issue_count (im, "I_TIME_UNIT_INFERRED"), ==, 1);
  g_assert_cmpuint (n_issue_codes (im), ==, 1);
  g_assert_cmpint (g_array_index ((GArray *) g_hash_table_lookup (im->result->issue_lines, "I_TIME_UNIT_INFERRED"),
                                  gint64, 0), ==, 6);
  g_assert_nonnull (strstr (notes, "Column “Timestamp” does not say its unit: it was read as µs, "
                                   "in which its rows are 60 Hz apart."));
  g_assert_nonnull (strstr (notes, "The times of column “Timestamp” count from the start time of line 3."));
}

/* Without StartTime the clock counts from time 0, its first value there. */
static void
test_clock_us_without_start (void)
{
  g_autofree char *text = movella_like (FALSE);
  g_autoptr(Imported) im = import_text ("dot.csv", text);
  const ImuStreamInfo *s = stream_at (im, 0);

  g_assert_cmpint (s->t_first_ns, ==, 0);
  g_assert_cmpint (s->t_last_ns, ==, G_GINT64_CONSTANT (3000060000));
  g_assert_cmpint (issue_count (im, "I_TIME_UNIT_INFERRED"), ==, 1);
}

/* Units the header gives by a suffix are taken as written, whatever the
 * magnitude: "timestamp_us" of small values, "TimeUS", "SampleTimeFine". */
static void
test_clock_named_units (void)
{
  static const struct { const char *header; gint64 step_ns; } cases[] = {
    { "timestamp_us", 10000000 },  /* 10000 µs */
    { "TimeUS", 10000000 },
    { "timestampMs", G_GINT64_CONSTANT (10000000000) },  /* 10000 ms: 0.1 Hz, as written */
    { "t (s)", G_GINT64_CONSTANT (10000000000000) },     /* 10000 s */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strdup_printf ("%s,ax,ay,az\n0,0,0,1\n10000,0,0,1\n20000,0,0,1\n30000,0,0,1\n",
                                               cases[i].header);
      g_autoptr(Imported) im = import_text ("named.csv", text);
      const ImuStreamInfo *s = stream_at (im, 0);

      g_test_message ("%s", cases[i].header);
      g_assert_cmpint (s->t_first_ns, ==, 0);
      g_assert_cmpint (s->t_last_ns, ==, 3 * cases[i].step_ns);
      g_assert_cmpint (issue_count (im, "I_TIME_UNIT_INFERRED"), ==, 0);
    }
}

/* Clocks whose magnitude already gives a plausible reading keep it:
 * epoch ms at 1 Hz (as µs it would be 1 kHz, but not a date), epoch
 * seconds at 0.5 Hz (a date in 2024), relative seconds with decimals. */
static void
test_clock_plausible_kept (void)
{
  g_autoptr(Imported) ms = import_text ("ms.csv", "time,ax,ay,az\n"
                                        "1714557600250,0,0,1\n1714557601250,0,0,1\n1714557602250,0,0,1\n");
  g_autoptr(Imported) s2 = import_text ("s.csv", "time,ax,ay,az\n"
                                        "1714557600,0,0,1\n1714557602,0,0,1\n1714557604,0,0,1\n");
  g_autoptr(Imported) rel = import_text ("rel.csv", "time,ax,ay,az\n"
                                         "0.0,0,0,1\n2.5,0,0,1\n5.0,0,0,1\n");

  g_assert_cmpint (stream_at (ms, 0)->t_first_ns, ==, G_GINT64_CONSTANT (1714557600250000000));
  g_assert_cmpint (stream_at (ms, 0)->t_last_ns, ==, G_GINT64_CONSTANT (1714557602250000000));
  g_assert_cmpint (stream_at (s2, 0)->t_last_ns, ==, G_GINT64_CONSTANT (1714557604000000000));
  g_assert_cmpint (stream_at (rel, 0)->t_last_ns, ==, G_GINT64_CONSTANT (5000000000));
  g_assert_cmpuint (n_issue_codes (ms) + n_issue_codes (s2) + n_issue_codes (rel), ==, 0);
}

/* ---- several devices interleaved ---- */

/* A Movella-DOT-like export of two sensors: "Address" names the device
 * of each row, and each device's SampleTimeFine (µs, wrapping at 2^32)
 * runs on its own. Device 01 counts from 1000000, device 02 from
 * 2^32 - 50001 and wraps after its third step; 12 rows each, 16667 µs
 * apart, alternating. */
static void
test_devices_movella (void)
{
  g_autoptr(GString) text = g_string_new ("PacketCounter,Address,SampleTimeFine,Acc_X,Acc_Y,Acc_Z\n");
  g_autoptr(Imported) im = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *channels = NULL;
  double v[3];

  for (guint k = 0; k < 12; k++)
    {
      g_string_append_printf (text, "%u,D4:22:CD:00:00:01,%" G_GINT64_FORMAT ",0.%u,0.2,9.8\n", k,
                              G_GINT64_CONSTANT (1000000) + (gint64) k * 16667, k);
      g_string_append_printf (text, "%u,D4:22:CD:00:00:02,%" G_GINT64_FORMAT ",-0.%u,0.2,9.8\n", k,
                              (G_GINT64_CONSTANT (4294967296) - 50001 + (gint64) k * 16667) % G_GINT64_CONSTANT (4294967296), k);
    }
  im = import_text ("dots.csv", text->str);

  g_assert_cmpstr (im->result->format, ==, "movella-dot");
  g_assert_cmpint (im->result->rows, ==, 24);
  g_assert_cmpuint (im->streams->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const ImuStreamInfo *s = stream_at (im, i);

      g_assert_cmpstr (s->name, ==, i == 0 ? "D4:22:CD:00:00:01" : "D4:22:CD:00:00:02");
      channels = (g_free (channels), describe_channels (s));
      g_assert_cmpstr (channels, ==, "Acc_X[m/s^2] Acc_Y[m/s^2] Acc_Z[m/s^2]");
      g_assert_cmpint (s->n_samples, ==, 12);
      /* Each clock counts from its own first sample: 11 × 16667 µs. */
      g_assert_cmpint (s->t_first_ns, ==, 0);
      g_assert_cmpint (s->t_last_ns, ==, G_GINT64_CONSTANT (183337000));
      g_assert_cmpfloat (s->nominal_rate_hz, ==, 60.0);
    }
  g_assert_cmpint (sample (im, stream_at (im, 1), 3, v), ==, 3 * G_GINT64_CONSTANT (16667000));
  g_assert_cmpfloat (v[0], ==, -0.3);
  g_assert_cmpuint (n_issue_codes (im), ==, 0);
  notes = notes_of (im);
  g_assert_nonnull (strstr (notes, "Column “Address” names the device of each row: each device has streams of its own."));
}

/* Devices named by a number, epoch ms, two streams per row: device 2's
 * rows are 5 ms earlier than device 1's before them, so in file order
 * the time steps back on every second row; per device it never does. */
static void
test_devices_numbered (void)
{
  g_autoptr(GString) text = g_string_new ("timestamp,device_id,ax,ay,az,gx,gy,gz\n");
  g_autoptr(Imported) im = NULL;
  static const char * const names[] = {
    "device_id 1 accelerometer", "device_id 1 gyroscope", "device_id 2 accelerometer", "device_id 2 gyroscope",
  };

  for (guint k = 0; k < 10; k++)
    {
      g_string_append_printf (text, "%" G_GINT64_FORMAT ",1,0,0,1,0.5,0,0\n", G_GINT64_CONSTANT (1714557600000) + k * 10);
      g_string_append_printf (text, "%" G_GINT64_FORMAT ",2,0,0,1,0,0.5,0\n", G_GINT64_CONSTANT (1714557600000) + k * 10 - 5);
    }
  im = import_text ("gateway.csv", text->str);

  g_assert_cmpint (im->result->rows, ==, 20);
  g_assert_cmpuint (im->streams->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      const ImuStreamInfo *s = stream_at (im, i);
      gint64 first = G_GINT64_CONSTANT (1714557600000000000) - (i >= 2 ? 5000000 : 0);

      g_assert_cmpstr (s->name, ==, names[i]);
      g_assert_cmpint (s->n_samples, ==, 10);
      g_assert_cmpint (s->t_first_ns, ==, first);
      g_assert_cmpint (s->t_last_ns, ==, first + 90000000);
      g_assert_cmpfloat (s->nominal_rate_hz, ==, 100.0);
    }
  g_assert_cmpint (issue_count (im, "W_TIME_BACKWARDS"), ==, 0);
  g_assert_cmpuint (n_issue_codes (im), ==, 0);
}

/* A device column with one value is a label for the notes. */
static void
test_devices_one (void)
{
  g_autoptr(Imported) im = import_text ("one.csv",
                                        "time (s),device_id,ax,ay,az\n"
                                        "0.00,7,0,0,1\n0.01,7,0,0,1\n0.02,7,0,0,1\n0.03,7,0,0,1\n");
  g_autofree char *notes = notes_of (im);
  g_autofree char *channels = NULL;

  g_assert_cmpuint (im->streams->len, ==, 1);
  channels = describe_channels (stream_at (im, 0));
  g_assert_cmpstr (channels, ==, "ax[g] ay[g] az[g]");
  g_assert_nonnull (strstr (notes, "kept here rather than as streams: device_id = 7."));
}

/* More devices than a file may interleave: refused with the file, line
 * and column, and the library keeps no session. */
static void
test_devices_too_many (void)
{
  g_autoptr(GString) text = g_string_new ("timestamp,device_id,ax,ay,az\n");
  g_autofree char *path = NULL;
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  ImuImportResult *result;
  GError *error = NULL;

  /* Devices 1 … 70, twice: the 65th device is on data line 65 (line 66). */
  for (guint round = 0; round < 2; round++)
    for (guint dev = 1; dev <= 70; dev++)
      g_string_append_printf (text, "%" G_GINT64_FORMAT ",%u,0,0,1\n",
                              G_GINT64_CONSTANT (1714557600000) + round * 10, dev);
  path = imu_test_write_file ("crowd.csv", text->str, -1);
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER);
  g_assert_nonnull (strstr (error->message, "crowd.csv: line 66, column 2 (device_id): the file names more than 64 devices"));
  g_clear_error (&error);
  sessions = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_DESC, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sessions->len, ==, 0);
}

/* ---- stated and delivered rates ---- */

static void
write_in (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

/* Rows of a Sensor Logger file: @n rows @step_ms apart from @t0_ns. */
static char *
sensorlogger_rows (gint64 t0_ns, guint n, guint step_ms, const char *xyz)
{
  GString *text = g_string_new ("time,seconds_elapsed,z,y,x\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%" G_GINT64_FORMAT ",%u.%03u,%s\n", t0_ns + (gint64) i * step_ms * 1000000,
                            i * step_ms / 1000, i * step_ms % 1000, xyz);
  return g_string_free (text, FALSE);
}

/* Sensor Logger asks for 10 ms (100 Hz) from both sensors; the phone
 * delivers the accelerometer at 10 ms and the gyroscope at 20 ms (50 Hz):
 * 100 Hz stays the nominal rate, the gyroscope gets W_RATE_MISMATCH. */
static void
test_rate_mismatch_sensorlogger (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *acc = sensorlogger_rows (G_GINT64_CONSTANT (1698219600000000000), 20, 10, "0.1,0.2,0.3");
  g_autofree char *gyr = sensorlogger_rows (G_GINT64_CONSTANT (1698219600000000000), 20, 20, "0.01,0.02,0.03");
  g_autoptr(Imported) im = NULL;
  g_autofree char *notes = NULL;

  write_in (dir, "Metadata.csv",
            "version,device name,recording epoch time,recording time,recording timezone,platform,appVersion,"
            "device id,sensors,sampleRateMs,standardisation,platform version\n"
            "3,Pixel 7,1698219600000,2023-10-25_09-40-00,UTC,android,1.24.1,abc,Accelerometer|Gyroscope,10|10,true,14\n");
  write_in (dir, "Accelerometer.csv", acc);
  write_in (dir, "Gyroscope.csv", gyr);
  im = import_at (dir);

  g_assert_cmpuint (im->streams->len, ==, 2);
  g_assert_cmpstr (stream_at (im, 0)->name, ==, "accelerometer");
  g_assert_cmpfloat (stream_at (im, 0)->nominal_rate_hz, ==, 100.0);
  g_assert_cmpstr (stream_at (im, 1)->name, ==, "gyroscope");
  g_assert_cmpfloat (stream_at (im, 1)->nominal_rate_hz, ==, 100.0);
  /* 20 rows 20 ms apart: 0 … 380 ms. */
  g_assert_cmpint (stream_at (im, 1)->t_last_ns - stream_at (im, 1)->t_first_ns, ==, 380000000);
  g_assert_cmpint (issue_count (im, "W_RATE_MISMATCH"), ==, 1);
  g_assert_cmpuint (n_issue_codes (im), ==, 1);
  notes = notes_of (im);
  g_assert_nonnull (strstr (notes, "Stream “gyroscope”: 100 Hz stated, 50 Hz in the data (the median interval of its first rows); "
                                   "the stated rate is kept as the nominal rate."));
  g_assert_null (strstr (notes, "Stream “accelerometer”"));
}

/* A preamble's rate 4 % off the data is no mismatch; 25 % off is. */
static void
test_rate_mismatch_preamble (void)
{
  static const struct { const char *rate; int n_mismatch; } cases[] = {
    { "104Hz", 0 },  /* data: 100 Hz, 4 % */
    { "125Hz", 1 },  /* 25 % */
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GString) text = g_string_new (NULL);
      g_autoptr(Imported) im = NULL;

      g_string_append_printf (text, "Sample rate:,%s\n\ntime (s),ax,ay,az\n", cases[i].rate);
      for (guint k = 0; k < 20; k++)
        g_string_append_printf (text, "%u.%02u,0,0,1\n", k / 100, k % 100);
      im = import_text ("rate.csv", text->str);
      g_test_message ("%s", cases[i].rate);
      g_assert_cmpfloat (stream_at (im, 0)->nominal_rate_hz, ==, i == 0 ? 104.0 : 125.0);
      g_assert_cmpint (issue_count (im, "W_RATE_MISMATCH"), ==, cases[i].n_mismatch);
    }
}

/* ---- units not stated or stated wrongly ---- */

/* A Sensor Logger folder of every motion file an iPhone writes, with
 * "Standardise Units & Frames" off: the uncalibrated accelerometer is in
 * g (Core Motion's), the calibrated one and gravity in m/s². The phone
 * lies flat: raw z ≈ -1 g, gravity z ≈ -9.81 m/s². */
static char *
sl_xyz_rows (const char *x, const char *y, const char *z_base, guint n)
{
  GString *text = g_string_new ("time,seconds_elapsed,z,y,x\n");

  for (guint i = 0; i < n; i++)
    g_string_append_printf (text, "%" G_GINT64_FORMAT ",0.%02u,%s%u,%s,%s\n",
                            G_GINT64_CONSTANT (1698219600000000000) + (gint64) i * 10000000, i, z_base, i % 10, y, x);
  return g_string_free (text, FALSE);
}

static const char *
unit_of (Imported *im, const char *stream, guint channel)
{
  for (guint i = 0; i < im->streams->len; i++)
    {
      const ImuStreamInfo *s = g_ptr_array_index (im->streams, i);

      if (g_str_equal (s->name, stream))
        return s->channels[channel].unit;
    }
  for (guint i = 0; i < im->streams->len; i++)
    g_test_message ("stream “%s”", ((const ImuStreamInfo *) g_ptr_array_index (im->streams, i))->name);
  g_test_message ("no stream “%s”", stream);
  g_assert_not_reached ();
  return NULL;
}

static void
write_sensorlogger_folder (const char *dir, const char *platform, const char *standardisation,
                           const char *uncal_z)
{
  g_autofree char *meta = g_strdup_printf ("version,device name,recording epoch time,recording time,recording timezone,"
                                           "platform,appVersion,device id,sensors,sampleRateMs,standardisation,platform version\n"
                                           "3,Phone,1698219600000,2023-10-25_09-40-00,UTC,%s,1.40,abc,"
                                           "Accelerometer|AccelerometerUncalibrated|Gravity|Barometer|Orientation,10|10|10|10|10,%s,17\n",
                                           platform, standardisation);
  g_autofree char *acc = sl_xyz_rows ("0.02", "-0.01", "0.0", 20);        /* user acceleration: about 0 */
  g_autofree char *uncal = sl_xyz_rows ("0.010", "-0.020", uncal_z, 20);
  g_autofree char *grav = sl_xyz_rows ("0.05", "-0.08", "-9.80", 20);
  g_autoptr(GString) baro = g_string_new ("time,seconds_elapsed,relativeAltitude,pressure\n");
  g_autoptr(GString) orient = g_string_new ("time,seconds_elapsed,qz,qy,qx,qw,roll,pitch,yaw\n");

  for (guint i = 0; i < 20; i++)
    {
      gint64 t = G_GINT64_CONSTANT (1698219600000000000) + (gint64) i * 10000000;

      g_string_append_printf (baro, "%" G_GINT64_FORMAT ",0.%02u,0.0%u,1013.2%u\n", t, i, i % 10, i % 10);
      g_string_append_printf (orient, "%" G_GINT64_FORMAT ",0.%02u,0,0,0,1,0.0%u,0,1.5\n", t, i, i % 10);
    }
  write_in (dir, "Metadata.csv", meta);
  write_in (dir, "Accelerometer.csv", acc);
  write_in (dir, "AccelerometerUncalibrated.csv", uncal);
  write_in (dir, "Gravity.csv", grav);
  write_in (dir, "Barometer.csv", baro->str);
  write_in (dir, "Orientation.csv", orient->str);
}

static void
test_units_sensorlogger_ios (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(Imported) im = NULL;

  /* Raw z: -1.000 … -1.009 g. */
  write_sensorlogger_folder (dir, "ios", "false", "-1.00");
  im = import_at (dir);
  g_assert_cmpuint (im->streams->len, ==, 5);
  g_assert_cmpstr (unit_of (im, "accelerometer", 0), ==, "m/s^2");
  g_assert_cmpstr (unit_of (im, "accelerometer uncalibrated", 0), ==, "g");
  g_assert_cmpstr (unit_of (im, "accelerometer uncalibrated", 2), ==, "g");
  g_assert_cmpstr (unit_of (im, "gravity", 0), ==, "m/s^2");
  g_assert_cmpstr (unit_of (im, "Barometer", 0), ==, "m");
  g_assert_cmpstr (unit_of (im, "Barometer", 1), ==, "hPa");
  g_assert_cmpstr (unit_of (im, "orientation", 0), ==, "");
  g_assert_cmpstr (unit_of (im, "orientation", 4), ==, "rad");
  /* The labels agree with the data. */
  g_assert_cmpuint (n_issue_codes (im), ==, 0);
}

/* Android writes the uncalibrated accelerometer in m/s²; a file whose
 * data are in g all the same (norm 1.000 … 1.009, steady) is labelled g
 * by its data, with W_UNIT_MISMATCH and a note. */
static void
test_units_sensorlogger_data_overrule (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(Imported) im = NULL;
  g_autofree char *notes = NULL;
  g_autofree char *dir2 = imu_test_tmpdir ();
  g_autoptr(Imported) agree = NULL;

  write_sensorlogger_folder (dir, "android", "true", "-1.00");
  im = import_at (dir);
  g_assert_cmpstr (unit_of (im, "accelerometer uncalibrated", 0), ==, "g");
  g_assert_cmpstr (unit_of (im, "accelerometer uncalibrated", 1), ==, "g");
  g_assert_cmpstr (unit_of (im, "accelerometer uncalibrated", 2), ==, "g");
  g_assert_cmpstr (unit_of (im, "gravity", 0), ==, "m/s^2");
  g_assert_cmpint (issue_count (im, "W_UNIT_MISMATCH"), ==, 1);
  g_assert_cmpuint (n_issue_codes (im), ==, 1);
  notes = notes_of (im);
  /* Norms of (0.01, -0.02, -1.00x): the median of 20 is the 11th,
   * z = -1.005 → sqrt(0.0001 + 0.0004 + 1.010025) = 1.00525. */
  g_assert_nonnull (strstr (notes, "Stream “accelerometer uncalibrated”: labelled m/s^2, but the median norm of its first rows, "
                                   "1.005, is gravity in g; the values are kept and labelled g."));

  /* The same phone's data in m/s² (z ≈ -9.80): no note. */
  write_sensorlogger_folder (dir2, "android", "true", "-9.80");
  agree = import_at (dir2);
  g_assert_cmpstr (unit_of (agree, "accelerometer uncalibrated", 0), ==, "m/s^2");
  g_assert_cmpuint (n_issue_codes (agree), ==, 0);
}

/* A header that says g over a resting sensor's 9.81: the data win. */
static void
test_units_header_overruled (void)
{
  g_autoptr(GString) text = g_string_new ("time (s),ax (g),ay (g),az (g)\n");
  g_autoptr(Imported) im = NULL;
  g_autofree char *channels = NULL;

  for (guint i = 0; i < 10; i++)
    g_string_append_printf (text, "0.%02u,0.0%u,0.1,9.81\n", i, i);
  im = import_text ("wrong.csv", text->str);
  channels = describe_channels (stream_at (im, 0));
  g_assert_cmpstr (channels, ==, "ax[m/s^2] ay[m/s^2] az[m/s^2]");
  g_assert_cmpint (issue_count (im, "W_UNIT_MISMATCH"), ==, 1);
}

/* MetaWear names the sensor and its rate in the file name; a file
 * without units in its header takes them from there. */
static void
test_units_metawear_file_name (void)
{
  g_autoptr(GString) gyr = g_string_new ("epoch (ms),time (01:00),elapsed (s),x-axis,y-axis,z-axis\n");
  g_autoptr(GString) acc = g_string_new ("epoch (ms),time (01:00),elapsed (s),x-axis (g),y-axis (g),z-axis (g)\n");
  g_autoptr(Imported) g = NULL;
  g_autoptr(Imported) a = NULL;
  g_autofree char *channels = NULL;
  g_autofree char *notes = NULL;

  /* 12 rows 40 ms apart (25 Hz) from 1596633449402 ms. */
  for (guint i = 0; i < 12; i++)
    {
      gint64 ms = G_GINT64_CONSTANT (1596633449402) + i * 40;

      g_string_append_printf (gyr, "%" G_GINT64_FORMAT ",2020-08-05T14:17:29.%03u,%u.%03u,1.2%u,-0.5,3.0\n",
                              ms, (guint) (402 + i * 40) % 1000, i * 40 / 1000, i * 40 % 1000, i % 10);
      g_string_append_printf (acc, "%" G_GINT64_FORMAT ",2020-08-05T14:17:29.%03u,%u.%03u,0.06,-0.01,1.0%u\n",
                              ms, (guint) (402 + i * 40) % 1000, i * 40 / 1000, i * 40 % 1000, i % 10);
    }
  g = import_text ("MetaWear_2020-08-05T14.17.29.402_C4BB0C4DE8E2_Gyroscope_25.000Hz_1.4.4.csv", gyr->str);
  g_assert_cmpstr (g->result->format, ==, "metawear");
  g_assert_cmpuint (g->streams->len, ==, 1);
  g_assert_cmpstr (stream_at (g, 0)->name, ==, "gyroscope");
  g_assert_cmpstr (stream_at (g, 0)->kind, ==, "gyro");
  channels = describe_channels (stream_at (g, 0));
  g_assert_cmpstr (channels, ==, "x-axis[deg/s] y-axis[deg/s] z-axis[deg/s]");
  g_assert_cmpfloat (stream_at (g, 0)->nominal_rate_hz, ==, 25.0);
  g_assert_cmpint (stream_at (g, 0)->t_first_ns, ==, G_GINT64_CONSTANT (1596633449402000000));
  g_assert_cmpuint (n_issue_codes (g), ==, 0);

  /* The name says 100 Hz, the rows are 25 Hz apart. */
  a = import_text ("MetaWear_2020-08-05T14.17.29.402_C4BB0C4DE8E2_Accelerometer_100.000Hz_1.4.4.csv", acc->str);
  g_assert_cmpstr (stream_at (a, 0)->name, ==, "accelerometer");
  g_assert_cmpstr (stream_at (a, 0)->channels[0].unit, ==, "g");
  g_assert_cmpfloat (stream_at (a, 0)->nominal_rate_hz, ==, 100.0);
  g_assert_cmpint (issue_count (a, "W_RATE_MISMATCH"), ==, 1);
  notes = notes_of (a);
  g_assert_nonnull (strstr (notes, "Stream “accelerometer”: 100 Hz stated, 25 Hz in the data"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/import-producers/constant/sparse-log", test_constant_columns_sparse);
  g_test_add_func ("/core/import-producers/constant/label-text", test_constant_columns_plain);
  g_test_add_func ("/core/import-producers/constant/label-changed", test_constant_columns_changed);
  g_test_add_func ("/core/import-producers/clock/us-with-start", test_clock_us_with_start);
  g_test_add_func ("/core/import-producers/clock/us-without-start", test_clock_us_without_start);
  g_test_add_func ("/core/import-producers/clock/named-units", test_clock_named_units);
  g_test_add_func ("/core/import-producers/clock/plausible-kept", test_clock_plausible_kept);
  g_test_add_func ("/core/import-producers/devices/movella-address", test_devices_movella);
  g_test_add_func ("/core/import-producers/devices/numbered", test_devices_numbered);
  g_test_add_func ("/core/import-producers/devices/one", test_devices_one);
  g_test_add_func ("/core/import-producers/devices/too-many", test_devices_too_many);
  g_test_add_func ("/core/import-producers/rate/sensorlogger-mismatch", test_rate_mismatch_sensorlogger);
  g_test_add_func ("/core/import-producers/rate/preamble", test_rate_mismatch_preamble);
  g_test_add_func ("/core/import-producers/units/sensorlogger-ios", test_units_sensorlogger_ios);
  g_test_add_func ("/core/import-producers/units/sensorlogger-data-overrule", test_units_sensorlogger_data_overrule);
  g_test_add_func ("/core/import-producers/units/header-overruled", test_units_header_overruled);
  g_test_add_func ("/core/import-producers/units/metawear-file-name", test_units_metawear_file_name);
  return g_test_run ();
}
