/* test-import-csv.c — the CSV importer: sniffing, dialects, bad input, folders
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expected values are read off the fixture files in tests/data/csv/ by
 * hand (or computed with python3 where noted), never by the code under
 * test.
 */
#define G_LOG_DOMAIN "test-import-csv"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "imu-csv-dialect.h"
#include "imu-csv-layout.h"
#include "imu-csv-time.h"
#include "imu-import-private.h"
#include "imu-import.h"
#include "imu-import-csv-private.h"
#include "imu-series.h"
#include "imu-store.h"
#include "imu-test-util.h"

/* ---- helpers ---- */

typedef struct {
  char            *library;
  ImuStore        *store;
  ImuImportResult *result;
  GError          *error;
} Imported;

static void
imported_free (Imported *im)
{
  g_clear_pointer (&im->result, imu_import_result_free);
  g_clear_object (&im->store);
  g_clear_error (&im->error);
  g_free (im->library);
  g_free (im);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Imported, imported_free)

static Imported *
import_path (const char *path, GCancellable *cancellable, ImuProgressFunc progress, gpointer data)
{
  Imported *im = g_new0 (Imported, 1);
  GError *error = NULL;

  im->library = imu_test_library_path ();
  im->store = imu_store_open (im->library, &error);
  g_assert_no_error (error);
  im->result = imu_import_path (im->store, path, NULL, progress, data, NULL, cancellable, &im->error);
  return im;
}

static Imported *
import_fixture (const char *rel)
{
  g_autofree char *path = imu_test_src_file (rel);
  Imported *im = import_path (path, NULL, NULL, NULL);

  if (im->error != NULL)
    g_test_message ("%s: %s", rel, im->error->message);
  g_assert_no_error (im->error);
  g_assert_nonnull (im->result);
  return im;
}

static Imported *
import_text (const char *name, const char *text, gssize len)
{
  g_autofree char *path = imu_test_write_file (name, text, len);

  return import_path (path, NULL, NULL, NULL);
}

static GPtrArray *
streams_of (Imported *im)
{
  GError *error = NULL;
  GPtrArray *streams = imu_store_list_streams (im->store, im->result->session_id, &error);

  g_assert_no_error (error);
  return streams;
}

static ImuStreamInfo *
find_stream (GPtrArray *streams, const char *name)
{
  for (guint i = 0; i < streams->len; i++)
    {
      ImuStreamInfo *s = g_ptr_array_index (streams, i);
      if (g_str_equal (s->name, name))
        return s;
    }
  g_test_message ("no stream named “%s”", name);
  g_assert_not_reached ();
  return NULL;
}

static ImuSession *
session_of (Imported *im)
{
  GError *error = NULL;
  ImuSession *s = imu_store_load_session (im->store, im->result->session_id, &error);

  g_assert_no_error (error);
  return s;
}

/* Channel names and units of a stream, "name[unit] name[unit]". */
static char *
describe_channels (const ImuStreamInfo *s)
{
  GString *str = g_string_new (NULL);

  for (guint c = 0; c < s->n_channels; c++)
    g_string_append_printf (str, "%s%s[%s]", c > 0 ? " " : "", s->channels[c].name,
                            s->channels[c].unit != NULL ? s->channels[c].unit : "");
  return g_string_free (str, FALSE);
}

/* Reads sample @index of @s: its time and its values (room for n_channels). */
static void
read_sample (Imported *im, const ImuStreamInfo *s, gint64 index, gint64 *t, double *values)
{
  GError *error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (im->store, s->id, &error);
  double **cols = g_newa (double *, s->n_channels);

  g_assert_no_error (error);
  for (guint c = 0; c < s->n_channels; c++)
    cols[c] = &values[c];
  g_assert_cmpint (imu_series_read (series, index, 1, t, cols, &error), ==, 1);
  g_assert_no_error (error);
}

static void
assert_sample (Imported *im, const ImuStreamInfo *s, gint64 index, gint64 t_expected,
               const double *expected)
{
  gint64 t = 0;
  double *values = g_newa (double, s->n_channels);

  read_sample (im, s, index, &t, values);
  g_assert_cmpint (t, ==, t_expected);
  for (guint c = 0; c < s->n_channels; c++)
    {
      if (isnan (expected[c]))
        g_assert_true (isnan (values[c]));
      else
        g_assert_cmpfloat (values[c], ==, expected[c]);
    }
}

static int
issue_count (Imported *im, const char *code)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (im->result->issue_counts, code));
}

/* The kept line numbers of an issue code, "5 8". */
static char *
issue_lines (Imported *im, const char *code)
{
  GArray *lines = g_hash_table_lookup (im->result->issue_lines, code);
  GString *s = g_string_new (NULL);

  for (guint i = 0; lines != NULL && i < lines->len; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i > 0 ? " " : "", g_array_index (lines, gint64, i));
  return g_string_free (s, FALSE);
}

static gint64
count_sessions (Imported *im)
{
  GError *error = NULL;
  gint64 n = imu_store_count_sessions (im->store, &error);

  g_assert_no_error (error);
  return n;
}

/* ---- time fields ---- */

static void
test_time_scaled (void)
{
  static const struct {
    const char *text;
    int scale;
    gboolean comma;
    gboolean ok;
    gint64 value;
    int decimals;
  } cases[] = {
    { "1551178506.0100", 9, FALSE, TRUE, G_GINT64_CONSTANT (1551178506010000000), 4 },
    { "1760565906248623000", 0, FALSE, TRUE, G_GINT64_CONSTANT (1760565906248623000), 0 },
    { "-0.5", 9, FALSE, TRUE, -500000000, 1 },
    /* 15 decimals: rounded half away from zero to the ns. */
    { "36.9224040508", 9, FALSE, TRUE, G_GINT64_CONSTANT (36922404051), 10 },
    { "0.000197172164917", 9, FALSE, TRUE, 197172, 15 },
    /* phyphox writes its system time with an exponent: exact, no double. */
    { "1.581431236798E9", 9, FALSE, TRUE, G_GINT64_CONSTANT (1581431236798000000), -1 },
    { "9,800000000E-3", 9, TRUE, TRUE, 9800000, -1 },
    { "-0,0123", 9, TRUE, TRUE, -12300000, 4 },
    { " 42 ", 0, FALSE, TRUE, 42, 0 },
    { "12.", 3, FALSE, TRUE, 12000, 0 },
    { ".5", 3, FALSE, TRUE, 500, 1 },
    { "", 9, FALSE, FALSE, 0, 0 },
    { "abc", 9, FALSE, FALSE, 0, 0 },
    { "1.2.3", 9, FALSE, FALSE, 0, 0 },
    { "99999999999999999999", 0, FALSE, FALSE, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 v = 0;
      int dec = 99;
      gboolean ok = imu_csv_parse_scaled (cases[i].text, strlen (cases[i].text), cases[i].scale,
                                          cases[i].comma, &v, &dec);

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_cmpint (v, ==, cases[i].value);
          g_assert_cmpint (dec, ==, cases[i].decimals);
        }
    }
}

static void
test_time_datetime (void)
{
  /* Expected instants from python3 datetime.fromisoformat(...).timestamp(). */
  static const struct {
    const char *text;
    ImuCsvDateOrder order;
    gboolean ok;
    gint64 ns;
    int tz;
    gboolean has_tz;
    int decimals;
  } cases[] = {
    { "2019-10-16T12:09:01.702+02:00", IMU_CSV_DATE_ISO, TRUE, G_GINT64_CONSTANT (1571220541702000000), 7200, TRUE, 3 },
    { "2019-12-23 21:04:06.690", IMU_CSV_DATE_ISO, TRUE, G_GINT64_CONSTANT (1577135046690000000), 0, FALSE, 3 },
    { "2021-03-04T05:06:07.020Z", IMU_CSV_DATE_ISO, TRUE, G_GINT64_CONSTANT (1614834367020000000), 0, TRUE, 3 },
    { "2019-12-23 21:04:06,5-0530", IMU_CSV_DATE_ISO, TRUE, G_GINT64_CONSTANT (1577154846500000000), -19800, TRUE, 1 },
    { "2020-02-29T00:00:00", IMU_CSV_DATE_ISO, TRUE, G_GINT64_CONSTANT (1582934400000000000), 0, FALSE, 0 },
    { "6/1/2020 10:00:00.033", IMU_CSV_DATE_MDY, TRUE, G_GINT64_CONSTANT (1591005600033000000), 0, FALSE, 3 },
    { "1/6/2020 10:00:00.033", IMU_CSV_DATE_DMY, TRUE, G_GINT64_CONSTANT (1591005600033000000), 0, FALSE, 3 },
    { "1969-12-31 23:59:59", IMU_CSV_DATE_ISO, TRUE, -1000000000, 0, FALSE, 0 },
    { "2019-02-29 00:00:00", IMU_CSV_DATE_ISO, FALSE, 0, 0, FALSE, 0 },
    { "2019-13-01 00:00:00", IMU_CSV_DATE_ISO, FALSE, 0, 0, FALSE, 0 },
    { "2019-12-23 25:00:00", IMU_CSV_DATE_ISO, FALSE, 0, 0, FALSE, 0 },
    { "2019-12-23x21:04:06", IMU_CSV_DATE_ISO, FALSE, 0, 0, FALSE, 0 },
    { "1551178506.01", IMU_CSV_DATE_ISO, FALSE, 0, 0, FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 ns = 0;
      int tz = 99, dec = 99;
      gboolean has_tz = 99;
      gboolean ok = imu_csv_parse_datetime (cases[i].text, strlen (cases[i].text), cases[i].order, 0,
                                            &ns, &tz, &has_tz, &dec);

      g_test_message ("“%s”", cases[i].text);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_cmpint (ns, ==, cases[i].ns);
          g_assert_cmpint (tz, ==, cases[i].tz);
          g_assert_cmpint (has_tz, ==, cases[i].has_tz);
          g_assert_cmpint (dec, ==, cases[i].decimals);
        }
    }
  /* Days before and after the epoch (proleptic Gregorian). */
  g_assert_cmpint (imu_csv_days_from_civil (1970, 1, 1), ==, 0);
  g_assert_cmpint (imu_csv_days_from_civil (2000, 3, 1), ==, 11017);
  g_assert_cmpint (imu_csv_days_from_civil (1600, 1, 1), ==, -135140);
}

/* ---- splitting, headers ---- */

static char *
split_to_string (const char *line, char delim, gboolean quotes)
{
  ImuCsvField f[16];
  guint n = imu_csv_split (line, strlen (line), delim, quotes, f, G_N_ELEMENTS (f));
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < MIN (n, G_N_ELEMENTS (f)); i++)
    g_string_append_printf (s, "<%.*s>", (int) f[i].len, f[i].p);
  return g_string_free (s, FALSE);
}

static void
test_split (void)
{
  static const struct { const char *line; char delim; gboolean quotes; const char *fields; } cases[] = {
    { "1,2,3", ',', FALSE, "<1><2><3>" },
    { "1,,3,", ',', FALSE, "<1><><3><>" },
    { "", ',', FALSE, "<>" },
    { "\"a,b\",\"c\"\"d\",e", ',', TRUE, "<a,b><c\"\"d><e>" },
    { " \"x\" ;2", ';', TRUE, "<x><2>" },
    { "1\t2\t\t4", '\t', FALSE, "<1><2><><4>" },
    { "   0.000    0.0100   0.0200", ' ', FALSE, "<0.000><0.0100><0.0200>" },
    { "a|b", '|', FALSE, "<a><b>" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = split_to_string (cases[i].line, cases[i].delim, cases[i].quotes);
      g_assert_cmpstr (got, ==, cases[i].fields);
    }
}

static void
test_units (void)
{
  static const struct { const char *header; const char *name; const char *unit; } cases[] = {
    { "Acceleration x (m/s^2)", "Acceleration x", "m/s^2" },
    { "bmi160_a_x[mg]", "bmi160_a_x", "mg" },
    { "unit--timestamp[ms]", "unit--timestamp", "ms" },
    { "epoch (ms)", "epoch", "ms" },
    { "time (01:00)", "time", "01:00" },
    { "x-axis (g)", "x-axis", "g" },
    { "gyro_z (deg/s)", "gyro_z", "deg/s" },
    { "mag_x (µT)", "mag_x", "µT" },
    { "pitch [mDeg]", "pitch", "mDeg" },
    { "Acc_X", "Acc_X", "" },
    { "(ms)", "(ms)", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = NULL;
      g_autofree char *unit = NULL;

      imu_csv_split_unit (cases[i].header, &name, &unit);
      g_assert_cmpstr (name, ==, cases[i].name);
      g_assert_cmpstr (unit, ==, cases[i].unit);
    }
}

static void
test_axis (void)
{
  static const struct { const char *name; gboolean ok; const char *prefix; char axis; } cases[] = {
    { "Acc_X", TRUE, "Acc", 'x' },
    { "accelerationX", TRUE, "acceleration", 'x' },
    { "quaternionW", TRUE, "quaternion", 'w' },
    { "Ax", TRUE, "A", 'x' },
    { "gz", TRUE, "g", 'z' },
    { "x", TRUE, "", 'x' },
    { "x-axis", TRUE, "", 'x' },
    { "Accelerometer Y", TRUE, "Accelerometer", 'y' },
    { "bmi160_a_z", TRUE, "bmi160_a", 'z' },
    { "index", FALSE, NULL, 0 },
    { "yaw", FALSE, NULL, 0 },
    { "speed", FALSE, NULL, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *prefix = NULL;
      char axis = 0;
      gboolean ok = imu_csv_axis_split (cases[i].name, &prefix, &axis);

      g_test_message ("%s", cases[i].name);
      g_assert_cmpint (ok, ==, cases[i].ok);
      if (ok)
        {
          g_assert_cmpstr (prefix, ==, cases[i].prefix);
          g_assert_cmpint (axis, ==, cases[i].axis);
        }
    }
}

/* ---- sniffing ---- */

static void
test_sniff_delimiters (void)
{
  static const struct { const char *text; char delim; gboolean comma; guint n; gboolean header; } cases[] = {
    { "t,x,y\n1,2,3\n2,3,4\n", ',', FALSE, 3, TRUE },
    { "t;x;y\n1;0,5;3\n2;0,25;4\n", ';', TRUE, 3, TRUE },
    { "t;x;y\n1;0.5;3\n2;0.25;4\n", ';', FALSE, 3, TRUE },
    { "t\tx\ty\n1\t2\t3\n", '\t', FALSE, 3, TRUE },
    { "t|x|y\n1|2|3\n2|3|4\n", '|', FALSE, 3, TRUE },
    { "  t   x   y\n  1   2   3\n  2   3   4\n", ' ', FALSE, 3, TRUE },
    { "1,2,3\n2,3,4\n", ',', FALSE, 3, FALSE },
    /* A trailing delimiter on every line is not a column. */
    { " a;b;c;\n 1;2;3;\n 2;3;4;\n", ';', FALSE, 3, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ImuCsvDialect d;
      GError *error = NULL;

      g_test_message ("case %u", i);
      g_assert_true (imu_csv_dialect_sniff (cases[i].text, strlen (cases[i].text), TRUE, &d, &error));
      g_assert_no_error (error);
      g_assert_cmpint (d.delimiter, ==, cases[i].delim);
      g_assert_cmpint (d.decimal_comma, ==, cases[i].comma);
      g_assert_cmpuint (d.n_fields, ==, cases[i].n);
      g_assert_cmpint (d.header != NULL, ==, cases[i].header);
      imu_csv_dialect_clear (&d);
    }
}

static void
test_sniff_refusals (void)
{
  static const struct { const char *text; gsize len; int code; } cases[] = {
    { "", 0, IMU_IMPORT_ERROR_EMPTY },
    { "\xEF\xBB\xBF", 3, IMU_IMPORT_ERROR_EMPTY },
    { "\n\n  \n", 5, IMU_IMPORT_ERROR_EMPTY },
    { "time,x,y,z\n", 11, IMU_IMPORT_ERROR_NO_DATA },
    { "PK\003\004\0\0\0\0garbage\n", 16, IMU_IMPORT_ERROR_UNRECOGNIZED },
    { "\x89\xfe\xaa\xb3\n\x01\x02\x90\xff\n\xc3\xc3\xfa\n", 14, IMU_IMPORT_ERROR_UNRECOGNIZED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      ImuCsvDialect d;
      GError *error = NULL;

      g_test_message ("case %u", i);
      g_assert_false (imu_csv_dialect_sniff (cases[i].text, cases[i].len, TRUE, &d, &error));
      g_assert_error (error, IMU_IMPORT_ERROR, cases[i].code);
      g_clear_error (&error);
      imu_csv_dialect_clear (&d);
    }
}

static void
test_sniff_public (void)
{
  static const struct { const char *text; gboolean csv; } cases[] = {
    { "time,x,y,z\n1,2,3,4\n2,3,4,5\n", TRUE },
    { "1551178506.0000,0.328125,0.984375,0.203125\n1551178506.0100,0.828125,-0.359375,-0.375000\n", TRUE },
    { "{\"t\": 1, \"kind\": \"mark\"}\n{\"t\": 2, \"kind\": \"mark\"}\n", FALSE },
    { ".csv files in this archive are in the following format:\nThe first row is the initial time.\n", FALSE },
    /* Delimited text all the same: the importer says what is wrong with it. */
    { "name,comment\nfoo,bar\nbaz,qux\n", TRUE },
    { "time,x,y,z\n", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u", i);
      g_assert_cmpint (imu_import_csv_sniff ((const guint8 *) cases[i].text, strlen (cases[i].text)), ==,
                       cases[i].csv);
    }
}

/* ---- dialects, end to end ---- */

static void
test_movella (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/movella-dot.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  g_autoptr(ImuSession) session = session_of (im);
  ImuStreamInfo *acc, *gyr;
  g_autofree char *acc_ch = NULL, *gyr_ch = NULL;

  g_assert_cmpstr (im->result->format, ==, "movella-dot");
  g_assert_cmpstr (im->result->delimiter, ==, ",");
  g_assert_cmpuint (streams->len, ==, 2);
  acc = find_stream (streams, "accelerometer");
  gyr = find_stream (streams, "gyroscope");
  acc_ch = describe_channels (acc);
  gyr_ch = describe_channels (gyr);
  g_assert_cmpstr (acc_ch, ==, "Acc_X[m/s^2] Acc_Y[m/s^2] Acc_Z[m/s^2]");
  g_assert_cmpstr (gyr_ch, ==, "Gyr_X[deg/s] Gyr_Y[deg/s] Gyr_Z[deg/s]");
  g_assert_cmpint (acc->n_samples, ==, 6);
  g_assert_cmpfloat (acc->nominal_rate_hz, ==, 60.0);
  g_assert_cmpint (acc->time_format.kind, ==, IMU_TIME_RELATIVE_S);
  g_assert_cmpstr (acc->time_format.column, ==, "SampleTimeFine");

  /* SampleTimeFine wraps at 2^32 µs between rows 3 and 4: times go on. */
  assert_sample (im, acc, 0, 0, (double[]) { 0.123456, -0.234567, 9.812345 });
  assert_sample (im, acc, 3, 50671000, (double[]) { 0.126456, -0.231567, 9.809345 });
  assert_sample (im, gyr, 5, 84004000, (double[]) { 0.017346, -0.018457, 0.039568 });
  g_assert_cmpint (issue_count (im, IMU_ISSUE_TIME_BACKWARDS), ==, 0);

  g_assert_cmpstr (imu_session_get_device_vendor (session), ==, "Movella");
  g_assert_cmpstr (imu_session_get_device_model (session), ==, "DOT");
  {
    g_autofree char *fw = NULL;
    g_object_get (session, "device-firmware", &fw, NULL);
    g_assert_cmpstr (fw, ==, "2.4.0");
  }
  /* No date in the file: relative times, and the session says so. */
  g_assert_nonnull (strstr (imu_session_get_notes (session), "relative"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "OutputRate: 60Hz"));
}

static void
test_movella_quaternion (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/movella-dot-quat.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  ImuStreamInfo *q, *free_acc;
  g_autofree char *q_ch = NULL, *f_ch = NULL;

  g_assert_cmpuint (streams->len, ==, 2);
  q = find_stream (streams, "orientation");
  free_acc = find_stream (streams, "FreeAcc");
  q_ch = describe_channels (q);
  f_ch = describe_channels (free_acc);
  g_assert_cmpstr (q_ch, ==, "Quat_W[] Quat_X[] Quat_Y[] Quat_Z[]");
  g_assert_cmpstr (f_ch, ==, "FreeAcc_X[m/s^2] FreeAcc_Y[m/s^2] FreeAcc_Z[m/s^2]");
  g_assert_cmpstr (q->kind, ==, "orientation");
  g_assert_cmpint (q->n_samples, ==, 4);
  assert_sample (im, q, 3, 50000000, (double[]) { 0.999959, 0.001237, -0.008126, 0.002004 });
  assert_sample (im, free_acc, 0, 0, (double[]) { 0.012, -0.034, 0.056 });
}

static void
test_actilife (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/actilife-raw.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  g_autoptr(ImuSession) session = session_of (im);
  ImuStreamInfo *acc;
  g_autofree char *ch = NULL;

  g_assert_cmpstr (im->result->format, ==, "actigraph-csv");
  g_assert_cmpuint (streams->len, ==, 1);
  acc = find_stream (streams, "accelerometer");
  ch = describe_channels (acc);
  g_assert_cmpstr (ch, ==, "Accelerometer X[g] Accelerometer Y[g] Accelerometer Z[g]");
  g_assert_cmpint (acc->n_samples, ==, 5);
  g_assert_cmpfloat (acc->nominal_rate_hz, ==, 30.0);
  g_assert_cmpint (acc->time_format.kind, ==, IMU_TIME_NONE);
  /* Start 6/1/2020 10:00:00 (UTC wall clock) + i / 30 Hz, to the ns. */
  assert_sample (im, acc, 0, G_GINT64_CONSTANT (1591005600000000000), (double[]) { 0.012, -0.981, 0.145 });
  assert_sample (im, acc, 1, G_GINT64_CONSTANT (1591005600033333333), (double[]) { 0.015, -0.979, 0.141 });
  assert_sample (im, acc, 4, G_GINT64_CONSTANT (1591005600133333333), (double[]) { 0.013, -0.982, 0.143 });
  g_assert_cmpstr (imu_session_get_device_vendor (session), ==, "ActiGraph");
  g_assert_cmpstr (imu_session_get_device_model (session), ==, "GT3X+");
  g_assert_cmpstr (imu_session_get_device_serial (session), ==, "NEO1F12345678");

  /* A day-first export with timestamps: "2/6/2020" is the 2nd of June. */
  {
    const char *text =
      "------------ Data File Created By ActiGraph GT3X+ ActiLife v6.13.3 Firmware v2.5.0 date format d/M/yyyy at 30 Hz  Filter Normal -----------\n"
      "Serial Number: NEO1F12345678\n"
      "Start Time 10:00:00\n"
      "Start Date 2/6/2020\n"
      "Epoch Period (hh:mm:ss) 00:00:00\n"
      "Download Time 12:31:05\n"
      "Download Date 3/6/2020\n"
      "Current Memory Address: 0\n"
      "Current Battery Voltage: 4.21     Mode = 12\n"
      "--------------------------------------------------\n"
      "Timestamp,Accelerometer X,Accelerometer Y,Accelerometer Z\n"
      "2/6/2020 10:00:00.000,0.012,-0.981,0.145\n"
      "2/6/2020 10:00:00.033,0.015,-0.979,0.141\n"
      "2/6/2020 10:00:00.067,0.009,-0.984,0.149\n";
    g_autoptr(Imported) im2 = import_text ("actilife-timestamps.csv", text, -1);
    g_autoptr(GPtrArray) streams2 = NULL;

    g_assert_no_error (im2->error);
    streams2 = streams_of (im2);
    acc = g_ptr_array_index (streams2, 0);
    g_assert_cmpint (acc->time_format.kind, ==, IMU_TIME_DATETIME);
    /* 2020-06-02 10:00:00.067 UTC (python3) */
    assert_sample (im2, acc, 2, G_GINT64_CONSTANT (1591092000067000000), (double[]) { 0.009, -0.984, 0.149 });
  }
}

static void
test_phyphox_decimal_comma (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/phyphox-decimal-comma.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  ImuStreamInfo *s;
  g_autofree char *ch = NULL;

  g_assert_cmpstr (im->result->delimiter, ==, ";");
  g_assert_cmpuint (streams->len, ==, 1);
  s = g_ptr_array_index (streams, 0);
  ch = describe_channels (s);
  g_assert_cmpstr (ch, ==, "Acceleration x[m/s^2] Acceleration y[m/s^2] Acceleration z[m/s^2] Absolute acceleration[m/s^2]");
  g_assert_cmpint (s->n_samples, ==, 4);
  g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_RELATIVE_S);
  assert_sample (im, s, 0, 0, (double[]) { 0.1234, -0.025, 9.81, 9.811 });
  assert_sample (im, s, 3, 29400000, (double[]) { 0.126, -0.022, 9.807, 9.808 });
}

static void
test_bmi160 (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/bmi160.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  ImuStreamInfo *s;
  g_autofree char *ch = NULL;

  g_assert_cmpuint (streams->len, ==, 1);
  s = find_stream (streams, "accelerometer");
  ch = describe_channels (s);
  g_assert_cmpstr (ch, ==, "bmi160_a_x[mg] bmi160_a_y[mg] bmi160_a_z[mg]");
  g_assert_cmpint (s->n_samples, ==, 5);
  g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_EPOCH_MS);
  g_assert_cmpstr (s->time_format.column, ==, "unit--timestamp[ms]");
  g_assert_cmpint (s->channels[0].decimals, ==, 3);
  assert_sample (im, s, 0, G_GINT64_CONSTANT (1591005600000000000), (double[]) { 12.207, -3.662, 1001.587 });
  assert_sample (im, s, 4, G_GINT64_CONSTANT (1591005600040000000), (double[]) { 12.207, -3.662, 998.535 });
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 0);
}

static void
test_metawear (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/metawear.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  g_autoptr(ImuSession) session = session_of (im);
  ImuStreamInfo *s;
  g_autofree char *ch = NULL;

  g_assert_cmpstr (im->result->format, ==, "metawear");
  g_assert_cmpuint (streams->len, ==, 1);
  s = g_ptr_array_index (streams, 0);
  ch = describe_channels (s);
  /* epoch (ms) is the time; "time (01:00)" and "elapsed (s)" are dropped. */
  g_assert_cmpstr (ch, ==, "x-axis[g] y-axis[g] z-axis[g]");
  g_assert_cmpstr (s->time_format.column, ==, "epoch (ms)");
  assert_sample (im, s, 0, G_GINT64_CONSTANT (1596633449402000000), (double[]) { 0.061, -0.015, 1.010 });
  assert_sample (im, s, 3, G_GINT64_CONSTANT (1596633449432000000), (double[]) { 0.059, -0.017, 1.012 });
  g_assert_cmpint (imu_session_get_tz_offset (session), ==, 3600);

  /* Without the epoch column, the wall clock of "time (01:00)" is read at
   * +01:00: the same instant as epoch (ms) above. */
  {
    const char *text = "time (01:00),x-axis (g),y-axis (g),z-axis (g)\n"
                       "2020-08-05T14:17:29.402,0.061,-0.015,1.010\n"
                       "2020-08-05T14:17:29.412,0.060,-0.016,1.011\n";
    g_autoptr(Imported) im2 = import_text ("metawear-wallclock.csv", text, -1);
    g_autoptr(GPtrArray) streams2 = NULL;

    g_assert_no_error (im2->error);
    streams2 = streams_of (im2);
    s = g_ptr_array_index (streams2, 0);
    g_assert_cmpint (s->time_format.tz_offset_s, ==, 3600);
    assert_sample (im2, s, 0, G_GINT64_CONSTANT (1596633449402000000), (double[]) { 0.061, -0.015, 1.010 });
  }
}

static void
test_tab_bom_crlf (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/tab-bom-crlf.tsv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  ImuStreamInfo *s;
  g_autofree char *ch = NULL;

  g_assert_cmpstr (im->result->delimiter, ==, "\t");
  s = g_ptr_array_index (streams, 0);
  ch = describe_channels (s);
  /* The BOM is not part of the first header. */
  g_assert_cmpstr (s->time_format.column, ==, "time_ms");
  g_assert_cmpstr (ch, ==, "ax[g] ay[g] az[g]");
  g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_RELATIVE_MS);
  /* The last line has no newline; CR are not part of the values. */
  g_assert_cmpint (s->n_samples, ==, 4);
  assert_sample (im, s, 3, 30000000, (double[]) { 0.13, 0.23, 0.95 });
}

static void
test_pipe_spaces_quoted (void)
{
  {
    g_autoptr(Imported) im = import_fixture ("data/csv/pipe.csv");
    g_autoptr(GPtrArray) streams = streams_of (im);
    ImuStreamInfo *s = find_stream (streams, "gyroscope");

    g_assert_cmpstr (im->result->delimiter, ==, "|");
    g_assert_cmpint (s->n_samples, ==, 3);
    assert_sample (im, s, 1, G_GINT64_CONSTANT (1700000000005000000), (double[]) { 0.6, -0.4, 0.35 });
  }
  {
    g_autoptr(Imported) im = import_fixture ("data/csv/spaces.txt");
    g_autoptr(GPtrArray) streams = streams_of (im);
    ImuStreamInfo *s = g_ptr_array_index (streams, 0);

    g_assert_cmpstr (im->result->delimiter, ==, " ");
    g_assert_cmpint (s->n_samples, ==, 4);
    assert_sample (im, s, 2, 40000000, (double[]) { 0.012, 0.022, 0.992 });
  }
  {
    g_autoptr(Imported) im = import_fixture ("data/csv/quoted.csv");
    g_autoptr(GPtrArray) streams = streams_of (im);
    ImuStreamInfo *s = g_ptr_array_index (streams, 0);
    g_autofree char *ch = describe_channels (s);

    /* The free-text column (quoted, with commas and "") is skipped. */
    g_assert_cmpuint (streams->len, ==, 1);
    g_assert_cmpstr (ch, ==, "Acc X[m/s^2] Acc Y[m/s^2] Acc Z[m/s^2]");
    g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_ISO8601);
    g_assert_cmpint (s->n_samples, ==, 3);
    assert_sample (im, s, 1, G_GINT64_CONSTANT (1614834367020000000), (double[]) { 0.6, -1.4, 9.76 });
  }
}

static void
test_bad_lines (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/bad-lines.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  ImuStreamInfo *s = g_ptr_array_index (streams, 0);
  static const struct { const char *code; const char *lines; } expected[] = {
    { IMU_ISSUE_NUMERIC_FORMAT, "5" },
    { IMU_ISSUE_COLUMN_COUNT, "8" },
    { IMU_ISSUE_TIME_PARSE, "10" },
    { IMU_ISSUE_UTF8, "20" },
    { IMU_ISSUE_EMPTY_FIELD, "12" },
    { IMU_ISSUE_NONFINITE, "14" },
    { IMU_ISSUE_DUPLICATE_TIME, "16" },
    { IMU_ISSUE_TIME_BACKWARDS, "18" },
  };
  g_autoptr(GPtrArray) audits = NULL;
  GError *error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *lines = issue_lines (im, expected[i].code);

      g_test_message ("%s", expected[i].code);
      g_assert_cmpint (issue_count (im, expected[i].code), ==, 1);
      g_assert_cmpstr (lines, ==, expected[i].lines);
    }
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, G_N_ELEMENTS (expected));
  /* 30 data lines, one blank, four rejected. */
  g_assert_cmpint (im->result->rows, ==, 25);
  g_assert_cmpint (s->n_samples, ==, 25);
  /* Kept lines 2 3 4 6 7 9 11 12 …: line 12 (empty ay) is sample 7, NaN
   * stored; line 14 (sample 9) keeps its nan and inf. */
  assert_sample (im, s, 7, G_GINT64_CONSTANT (1700000000100000000), (double[]) { 0.1, NAN, 0.3 });
  {
    gint64 t;
    double v[3];

    read_sample (im, s, 9, &t, v);
    g_assert_cmpint (t, ==, G_GINT64_CONSTANT (1700000000120000000));
    g_assert_true (isnan (v[0]));
    g_assert_true (isinf (v[2]) && v[2] > 0);
  }
  /* The duplicate and the step back are kept, in file order. */
  assert_sample (im, s, 11, G_GINT64_CONSTANT (1700000000130000000), (double[]) { 0.101, 0.201, 0.301 });
  assert_sample (im, s, 13, G_GINT64_CONSTANT (1700000000125000000), (double[]) { 0.102, 0.202, 0.302 });
  /* The line that is not UTF-8 marks the import. */
  audits = imu_store_list_import_audits (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audits->len, ==, 1);
  g_assert_false (((ImuImportAudit *) g_ptr_array_index (audits, 0))->utf8_valid);
}

static void
test_too_many_errors (void)
{
  GString *text = g_string_new ("time,x,y,z\n");
  g_autoptr(Imported) im = NULL;

  /* 200 lines, 30 of them bad: 15 % > 10 %. */
  for (int i = 0; i < 200; i++)
    {
      if (i % 20 < 3)
        g_string_append_printf (text, "%d.5,oops,1,2\n", 1700000000 + i);
      else
        g_string_append_printf (text, "%d.5,0.5,1,2\n", 1700000000 + i);
    }
  im = import_text ("many-bad.csv", text->str, (gssize) text->len);
  g_string_free (text, TRUE);
  g_assert_error (im->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_MANY_ERRORS);
  g_assert_nonnull (strstr (im->error->message, "many-bad.csv"));
  g_assert_nonnull (strstr (im->error->message, "line 2, column 2 (x)"));
  g_assert_cmpint (count_sessions (im), ==, 0);
}

/* ---- times outside 1900–2190 (imu-time.h) ---- */

/* Epoch seconds outside the range are refused per line as E_TIME_RANGE,
 * whether they fit in int64 nanoseconds (9000000000 s, 2255) or not
 * (99999999999 s), and so are times just before 1900; 2190-01-01 itself
 * (6942585600 s, computed with python3's datetime) is kept. */
static void
test_time_range_epoch (void)
{
  GString *text = g_string_new ("time,ax,ay,az\n");
  g_autoptr(Imported) im = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autofree char *lines = NULL;
  ImuStreamInfo *s;

  /* Lines 2–21: 1700000000.00 … 1700000000.19. */
  for (int i = 0; i < 20; i++)
    g_string_append_printf (text, "1700000000.%02d,0.1,0.2,0.98\n", i);
  g_string_append (text, "9000000000.00,0.1,0.2,0.98\n");     /* line 22 */
  g_string_append (text, "99999999999.00,0.1,0.2,0.98\n");    /* line 23 */
  g_string_append (text, "-2208988801.00,0.1,0.2,0.98\n");    /* line 24: 1899-12-31T23:59:59Z */
  g_string_append (text, "1700000000.x,0.1,0.2,0.98\n");      /* line 25: not a time */
  g_string_append (text, "6942585600.00,0.1,0.2,0.98\n");     /* line 26: 2190-01-01T00:00:00Z */
  im = import_text ("epoch-range.csv", text->str, (gssize) text->len);
  g_string_free (text, TRUE);
  g_assert_no_error (im->error);

  lines = issue_lines (im, IMU_ISSUE_TIME_RANGE);
  g_assert_cmpint (issue_count (im, IMU_ISSUE_TIME_RANGE), ==, 3);
  g_assert_cmpstr (lines, ==, "22 23 24");
  g_assert_cmpint (issue_count (im, IMU_ISSUE_TIME_PARSE), ==, 1);
  g_assert_cmpint (im->result->rows, ==, 21);
  streams = streams_of (im);
  s = g_ptr_array_index (streams, 0);
  g_assert_cmpint (s->n_samples, ==, 21);
  g_assert_cmpint (s->t_last_ns, ==, G_GINT64_CONSTANT (6942585600) * 1000000000);
  /* The sampling interval of the first rows is 10 ms. */
  g_assert_cmpfloat (s->nominal_rate_hz, ==, 100.0);
}

/* Relative times whose origin (time 0 here) plus offset leaves the range,
 * and the first rows holding times 1.8e19 ns apart, whose interval does
 * not fit in int64 (the rate estimate once overflowed on them; UBSan). */
static void
test_time_range_relative (void)
{
  GString *text = g_string_new ("t (s),ax,ay,az\n");
  g_autoptr(Imported) im = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autofree char *lines = NULL;
  ImuStreamInfo *s;

  g_string_append (text, "0.00,0.1,0.2,0.98\n");              /* line 2 */
  g_string_append (text, "-9000000000.0,0.1,0.2,0.98\n");     /* line 3: 1684 */
  g_string_append (text, "9000000000.0,0.1,0.2,0.98\n");      /* line 4: 2255 */
  /* Lines 5–24: 0.01 … 0.20 s. */
  for (int i = 1; i <= 20; i++)
    g_string_append_printf (text, "%d.%02d,0.1,0.2,0.98\n", i / 100, i % 100);
  g_string_append (text, "7000000000,0.1,0.2,0.98\n");        /* line 25: 2191-10 */
  im = import_text ("relative-range.csv", text->str, (gssize) text->len);
  g_string_free (text, TRUE);
  g_assert_no_error (im->error);

  lines = issue_lines (im, IMU_ISSUE_TIME_RANGE);
  g_assert_cmpstr (lines, ==, "3 4 25");
  g_assert_cmpint (im->result->rows, ==, 21);
  streams = streams_of (im);
  s = g_ptr_array_index (streams, 0);
  g_assert_cmpint (s->t_first_ns, ==, 0);
  g_assert_cmpint (s->t_last_ns, ==, 200000000);
  g_assert_cmpfloat (s->nominal_rate_hz, ==, 100.0);
}

/* A date after 2190 is a time out of range, not text: before, a column of
 * them was skipped as text and the rows were stored at 1970 with exit 0. */
static void
test_time_range_dates (void)
{
  GString *text = g_string_new ("timestamp,ax,ay,az\n");
  g_autoptr(Imported) im = NULL;
  g_autoptr(Imported) all = NULL;
  g_autofree char *lines = NULL;

  for (int i = 0; i < 10; i++)
    g_string_append_printf (text, "2024-05-01T10:00:00.%02dZ,0.1,0.2,0.98\n", i);
  g_string_append (text, "2300-01-01T00:00:00.00Z,0.1,0.2,0.98\n");   /* line 12 */
  im = import_text ("dates-range.csv", text->str, (gssize) text->len);
  g_string_free (text, TRUE);
  g_assert_no_error (im->error);
  lines = issue_lines (im, IMU_ISSUE_TIME_RANGE);
  g_assert_cmpstr (lines, ==, "12");
  g_assert_cmpint (issue_count (im, IMU_ISSUE_TIME_PARSE), ==, 0);
  g_assert_cmpint (im->result->rows, ==, 10);

  all = import_text ("dates-all-2300.csv",
                     "timestamp,ax,ay,az\n"
                     "2300-01-01T00:00:00.00Z,0.1,0.2,0.98\n"
                     "2300-01-01T00:00:00.01Z,0.1,0.2,0.98\n"
                     "2300-01-01T00:00:00.02Z,0.1,0.2,0.98\n", -1);
  g_assert_error (all->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_MANY_ERRORS);
  g_assert_nonnull (strstr (all->error->message, "dates-all-2300.csv: line 2, column 1 (timestamp): "));
  g_assert_nonnull (strstr (all->error->message, "E_TIME_RANGE"));
  g_assert_cmpint (count_sessions (all), ==, 0);
}

/* Times from a start and a rate (ActiLife) that run past 2190: the start
 * is 2189-12-31 23:59:59 at 30 Hz, so rows 0–30 (lines 12–42) end at
 * exactly 2190-01-01 and rows 31 and 32 (lines 43, 44) are out. */
static void
test_time_range_rate (void)
{
  GString *text = g_string_new (NULL);
  g_autoptr(Imported) im = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autofree char *lines = NULL;
  ImuStreamInfo *s;

  g_string_append (text,
                   "------------ Data File Created By ActiGraph GT3X+ ActiLife v6.13.3 Firmware v2.5.0 date format M/d/yyyy at 30 Hz  Filter Normal -----------\n"
                   "Serial Number: NEO1F12345678\n"
                   "Start Time 23:59:59\n"
                   "Start Date 12/31/2189\n"
                   "Epoch Period (hh:mm:ss) 00:00:00\n"
                   "Download Time 12:31:05\n"
                   "Download Date 1/1/2190\n"
                   "Current Memory Address: 0\n"
                   "Current Battery Voltage: 4.21     Mode = 12\n"
                   "--------------------------------------------------\n"
                   "Accelerometer X,Accelerometer Y,Accelerometer Z\n");
  for (int i = 0; i < 33; i++)
    g_string_append (text, "0.012,-0.981,0.145\n");
  im = import_text ("actilife-2190.csv", text->str, (gssize) text->len);
  g_string_free (text, TRUE);
  g_assert_no_error (im->error);
  lines = issue_lines (im, IMU_ISSUE_TIME_RANGE);
  g_assert_cmpstr (lines, ==, "43 44");
  streams = streams_of (im);
  s = g_ptr_array_index (streams, 0);
  g_assert_cmpint (s->n_samples, ==, 31);
  g_assert_cmpint (s->t_first_ns, ==, G_GINT64_CONSTANT (6942585599) * 1000000000);
  g_assert_cmpint (s->t_last_ns, ==, G_GINT64_CONSTANT (6942585600) * 1000000000);
}

/* ---- a header separated from its data ---- */

/* A header, then three lines that are not data, then the rows: the header
 * is still the header (a gyroscope in deg/s), the three lines are skipped
 * and named in the notes. Before, the file was read as headerless and its
 * columns became x, y, z of an accelerometer in g. */
static void
test_header_after_junk (void)
{
  GString *text = g_string_new ("time,gx (deg/s),gy (deg/s),gz (deg/s)\n"
                                "# recorded with a bench rig\n"
                                "# operator: A. N. Other\n"
                                "# units as in the header\n");
  g_autoptr(Imported) im = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autofree char *channels = NULL;
  ImuStreamInfo *s;

  for (int i = 0; i < 30; i++)
    g_string_append_printf (text, "1700000000.%02d,1.5,-2.5,30.25\n", i);
  im = import_text ("header-junk.csv", text->str, (gssize) text->len);
  g_string_free (text, TRUE);
  g_assert_no_error (im->error);
  g_assert_cmpstr (im->result->format, ==, "csv");
  streams = streams_of (im);
  g_assert_cmpuint (streams->len, ==, 1);
  s = g_ptr_array_index (streams, 0);
  channels = describe_channels (s);
  g_assert_cmpstr (channels, ==, "gx[deg/s] gy[deg/s] gz[deg/s]");
  g_assert_cmpstr (s->kind, ==, "gyro");
  g_assert_cmpint (s->n_samples, ==, 30);
  assert_sample (im, s, 0, G_GINT64_CONSTANT (1700000000000000000), (double[]) { 1.5, -2.5, 30.25 });
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 0);
  session = session_of (im);
  g_assert_nonnull (strstr (imu_session_get_notes (session),
                            "Lines 2–4, between the header (line 1) and the data, were skipped: "
                            "they do not have the header's 4 fields."));
}

/* A header with a field fewer than the data cannot name its columns: the
 * file is read by position, and the notes say why. */
static void
test_header_width_mismatch (void)
{
  GString *text = g_string_new ("time,gx,gy\n# note\n# note\n# note\n");
  g_autoptr(Imported) im = NULL;
  g_autoptr(ImuSession) session = NULL;

  for (int i = 0; i < 30; i++)
    g_string_append_printf (text, "1700000000.%02d,1.5,-2.5,30.25\n", i);
  im = import_text ("header-narrow.csv", text->str, (gssize) text->len);
  g_string_free (text, TRUE);
  g_assert_no_error (im->error);
  session = session_of (im);
  g_assert_nonnull (strstr (imu_session_get_notes (session),
                            "No header was found: line 1 looks like one but has 3 fields where the data "
                            "(from line 5) has 4, so the columns are named by position."));
}

/* ---- wide files ---- */

/* A stream holds at most 127 channels (its envelopes hold 1 + 2 × 127 =
 * 255 columns in one chunk of at most 256). 127 value columns import;
 * 128 and 200 are refused up front as a bad header naming the limit, not
 * an internal store error (exit 5) in the first chunk. */
static void
test_wide_files (void)
{
  static const guint widths[] = { 127, 128, 200, 300 };

  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      GString *text = g_string_new ("time");
      g_autoptr(Imported) im = NULL;
      g_autofree char *name = g_strdup_printf ("wide-%u.csv", widths[w]);

      for (guint c = 0; c < widths[w]; c++)
        g_string_append_printf (text, ",c%u", c);
      g_string_append_c (text, '\n');
      for (int r = 0; r < 5; r++)
        {
          g_string_append_printf (text, "1700000000.%02d", r);
          for (guint c = 0; c < widths[w]; c++)
            g_string_append_printf (text, ",%u.5", c);
          g_string_append_c (text, '\n');
        }
      im = import_text (name, text->str, (gssize) text->len);
      g_string_free (text, TRUE);
      g_test_message ("%u columns", widths[w]);
      if (widths[w] <= 127)
        {
          g_autoptr(GPtrArray) streams = NULL;

          g_assert_no_error (im->error);
          streams = streams_of (im);
          g_assert_cmpuint (((ImuStreamInfo *) g_ptr_array_index (streams, 0))->n_channels, ==, 127);
        }
      else
        {
          g_autofree char *expected =
            g_strdup_printf ("%s: line 1: stream “data” would have %u channels, one per column; "
                             "a stream holds at most 127.", name, widths[w]);

          g_assert_error (im->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER);
          g_assert_true (g_str_has_prefix (im->error->message, expected));
          g_assert_cmpint (count_sessions (im), ==, 0);
        }
    }
}

/* ---- the origin of relative times from a StartTime line ---- */

/* A Movella-style preamble line "StartTime:,2021-06-01 10:00:00.5" places
 * the sensor clock's first sample there (read as UTC: the line has no
 * offset), and the notes say where the origin came from. 2021-06-01
 * 10:00:00.5 UTC is 1622541600.5 s (python3's datetime); the second sample
 * is 16667 µs later (4294933963 − 4294917296). */
static void
test_start_time_movella (void)
{
  g_autoptr(Imported) im = import_text ("movella-start.csv",
                                        "DeviceTag:,D4:22:CD:00:12:34\n"
                                        "StartTime:,2021-06-01 10:00:00.5\n"
                                        "OutputRate:,60Hz\n"
                                        "\n"
                                        "PacketCounter,SampleTimeFine,Acc_X,Acc_Y,Acc_Z\n"
                                        "100,4294917296,0.1,0.2,9.8\n"
                                        "101,4294933963,0.1,0.2,9.8\n"
                                        "102,3334,0.1,0.2,9.8\n", -1);
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(ImuSession) session = NULL;
  ImuStreamInfo *s;

  g_assert_no_error (im->error);
  g_assert_cmpstr (im->result->format, ==, "movella-dot");
  streams = streams_of (im);
  s = g_ptr_array_index (streams, 0);
  g_assert_cmpint (s->time_format.origin_ns, ==, G_GINT64_CONSTANT (1622541600500000000));
  assert_sample (im, s, 0, G_GINT64_CONSTANT (1622541600500000000), (double[]) { 0.1, 0.2, 9.8 });
  assert_sample (im, s, 1, G_GINT64_CONSTANT (1622541600516667000), (double[]) { 0.1, 0.2, 9.8 });
  /* 3334 after the wrap at 2^32: 4294967296 − 4294933963 + 3334 = 36667 µs on. */
  assert_sample (im, s, 2, G_GINT64_CONSTANT (1622541600553334000), (double[]) { 0.1, 0.2, 9.8 });
  session = session_of (im);
  g_assert_nonnull (strstr (imu_session_get_notes (session),
                            "The times of column “SampleTimeFine” count from the start time of line 2."));
  g_assert_null (strstr (imu_session_get_notes (session), "1970"));
}

/* "StartTime: 2024-05-01T10:00:00.25Z" above a column of relative seconds
 * (what `imu export` writes for them): 2024-05-01T10:00:00Z is 1714557600 s
 * (python3's datetime). Without the line the same file starts at 1970. */
static void
test_start_time_relative (void)
{
  g_autoptr(Imported) im = import_text ("relative-start.csv",
                                        "StartTime: 2024-05-01T10:00:00.25Z\n"
                                        "t (s),x,y,z\n"
                                        "0.00,0.01,0.02,1.01\n"
                                        "0.02,0.02,0.03,1.02\n"
                                        "0.04,0.03,0.04,1.03\n", -1);
  g_autoptr(GPtrArray) streams = NULL;
  ImuStreamInfo *s;

  g_assert_no_error (im->error);
  streams = streams_of (im);
  s = g_ptr_array_index (streams, 0);
  g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_RELATIVE_S);
  g_assert_cmpint (s->time_format.origin_ns, ==, G_GINT64_CONSTANT (1714557600250000000));
  assert_sample (im, s, 2, G_GINT64_CONSTANT (1714557600290000000), (double[]) { 0.03, 0.04, 1.03 });
}

static void
test_refusals (void)
{
  static const struct { const char *name; const char *text; gssize len; int code; const char *where; } cases[] = {
    { "empty.csv", "", 0, IMU_IMPORT_ERROR_EMPTY, "empty.csv" },
    { "header-only.csv", "time,ax,ay,az\n", -1, IMU_IMPORT_ERROR_NO_DATA, "header-only.csv" },
    { "garbage.csv", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", 20, IMU_IMPORT_ERROR_UNRECOGNIZED, "garbage.csv" },
    { "words.csv", "name,comment\nfoo,bar\nbaz,qux\n", -1, IMU_IMPORT_ERROR_BAD_HEADER, "words.csv: line 1" },
    { "prose.txt", "Dear reader,\nthese are not, in any way,\nnumbers.\n", -1, IMU_IMPORT_ERROR_UNRECOGNIZED, "prose.txt" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Imported) im = import_text (cases[i].name, cases[i].text, cases[i].len);

      g_test_message ("%s", cases[i].name);
      g_assert_error (im->error, IMU_IMPORT_ERROR, cases[i].code);
      g_assert_nonnull (strstr (im->error->message, cases[i].where));
      g_assert_cmpint (count_sessions (im), ==, 0);
    }
}

static void
test_bad_header (void)
{
  /* Delimited text with a time column but nothing to import. */
  const char *text = "time,label\n2020-01-01 00:00:00,start\n2020-01-01 00:00:01,stop\n";
  g_autoptr(Imported) im = import_text ("labels.csv", text, -1);

  g_assert_error (im->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER);
  g_assert_nonnull (strstr (im->error->message, "labels.csv: line 1"));
  g_assert_nonnull (strstr (im->error->message, "time, label"));
  g_assert_cmpint (count_sessions (im), ==, 0);
}

static void
test_sparse_packets (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/sparse-packets.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  ImuStreamInfo *acc, *q;
  g_autofree char *lines = NULL;

  /* "state" (text) and "invalid_fields" (always empty) are skipped. */
  g_assert_cmpuint (streams->len, ==, 2);
  acc = find_stream (streams, "scaledAccel");
  q = find_stream (streams, "estOrientQuaternion");
  g_assert_cmpint (acc->n_samples, ==, 5);
  g_assert_cmpint (q->n_samples, ==, 3);
  assert_sample (im, acc, 0, G_GINT64_CONSTANT (1730147596613000000), (double[]) { -0.01504970, 0.02612370, 0.99952114 });
  assert_sample (im, acc, 3, G_GINT64_CONSTANT (1730147596616000000), (double[]) { -0.01188521, NAN, 0.99747646 });
  assert_sample (im, q, 2, G_GINT64_CONSTANT (1730147596616500000), (double[]) { 0.01300313, -0.84392464, -0.53628677, 0.00431728 });
  /* The empty field inside a filled packet is a warning; the other
   * packet's empty columns are not. */
  g_assert_cmpint (issue_count (im, IMU_ISSUE_EMPTY_FIELD), ==, 1);
  lines = issue_lines (im, IMU_ISSUE_EMPTY_FIELD);
  g_assert_cmpstr (lines, ==, "7");
}

static void
test_relative_and_no_time (void)
{
  {
    g_autoptr(Imported) im = import_fixture ("data/csv/relative.csv");
    g_autoptr(GPtrArray) streams = streams_of (im);
    g_autoptr(ImuSession) session = session_of (im);
    ImuStreamInfo *s = g_ptr_array_index (streams, 0);

    g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_RELATIVE_S);
    g_assert_cmpint (s->time_format.origin_ns, ==, 0);
    g_assert_cmpint (s->time_format.decimals, ==, 2);
    assert_sample (im, s, 0, 0, (double[]) { 0.01, 0.02, 1.01 });
    assert_sample (im, s, 3, 60000000, (double[]) { 0.04, 0.05, 1.04 });
    /* x, y, z whose norm is 1 at rest: an accelerometer in g. */
    g_assert_cmpstr (s->name, ==, "accelerometer");
    g_assert_cmpstr (s->channels[0].unit, ==, "g");
    g_assert_nonnull (strstr (imu_session_get_notes (session), "relative"));
  }
  {
    g_autoptr(Imported) im = import_fixture ("data/csv/no-time.csv");
    g_autoptr(GPtrArray) streams = streams_of (im);
    g_autoptr(ImuSession) session = session_of (im);
    ImuStreamInfo *s = g_ptr_array_index (streams, 0);

    g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_NONE);
    assert_sample (im, s, 2, 2000000000, (double[]) { 0.03, 0.04, 1.03 });
    g_assert_nonnull (strstr (imu_session_get_notes (session), "no time column"));
  }
}

static void
test_latin1_header (void)
{
  g_autoptr(Imported) im = import_fixture ("data/csv/latin1.csv");
  g_autoptr(GPtrArray) streams = streams_of (im);
  ImuStreamInfo *s = g_ptr_array_index (streams, 0);
  g_autofree char *ch = describe_channels (s);

  g_assert_cmpstr (ch, ==, "mag_x[µT] mag_y[µT] mag_z[µT]");
  g_assert_cmpstr (s->kind, ==, "mag");
  assert_sample (im, s, 2, G_GINT64_CONSTANT (1700000000100000000), (double[]) { 13.0, -3.75, 40.375 });
}

/* A file larger than the read buffer: lines split across refills, the
 * parser thread, progress and the exact last value. */
static void
progress_cb (guint64 done, guint64 total, gpointer data)
{
  guint64 *last = data;

  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, last[0]);
  last[0] = done;
  last[1]++;
}

static char *
write_big_csv (guint n_rows)
{
  g_autofree char *dir = imu_test_tmpdir ();
  char *path = g_build_filename (dir, "big.csv", NULL);
  GString *s = g_string_new ("timestamp,ax,ay,az,gx,gy,gz\n");

  for (guint i = 0; i < n_rows; i++)
    g_string_append_printf (s, "%u.%06u,%d.%05u,-0.%05u,1.%05u,%d.%03u,-%u.%03u,0.%03u\n",
                            1700000000 + i / 100, (i % 100) * 10000, (int) (i % 3) - 1, i % 100000,
                            (i * 7) % 100000, (i * 13) % 100000, (int) (i % 5), i % 1000, i % 7, (i * 3) % 1000,
                            (i * 11) % 1000);
  g_assert_true (g_file_set_contents (path, s->str, (gssize) s->len, NULL));
  g_string_free (s, TRUE);
  return path;
}

static void
test_big_file (void)
{
  /* 60000 rows ≈ 3.4 MB: bigger than the 256 KiB buffer and the 2 MiB
   * under which parsing stays on the calling thread. */
  g_autofree char *path = write_big_csv (60000);
  guint64 progress[2] = { 0, 0 };
  g_autoptr(Imported) im = import_path (path, NULL, progress_cb, progress);
  g_autoptr(GPtrArray) streams = NULL;
  ImuStreamInfo *acc, *gyr;
  guint i = 59999;

  g_assert_no_error (im->error);
  streams = streams_of (im);
  acc = find_stream (streams, "accelerometer");
  gyr = find_stream (streams, "gyroscope");
  g_assert_cmpint (acc->n_samples, ==, 60000);
  g_assert_cmpint (gyr->n_samples, ==, 60000);
  g_assert_cmpint (acc->channels[1].decimals, ==, 5);
  g_assert_cmpint (gyr->channels[0].decimals, ==, 3);
  /* Row 59999: "1700000599.990000,1.59999,-0.19993,1.79987,4.999,-2.997,0.989" */
  assert_sample (im, acc, i, G_GINT64_CONSTANT (1700000599990000000), (double[]) { 1.59999, -0.19993, 1.79987 });
  assert_sample (im, gyr, i, G_GINT64_CONSTANT (1700000599990000000), (double[]) { 4.999, -2.997, 0.989 });
  /* Row 31234: "1700000312.340000,0.31234,-0.18638,1.06042,4.234,-0.702,0.574" */
  assert_sample (im, acc, 31234, G_GINT64_CONSTANT (1700000312340000000), (double[]) { 0.31234, -0.18638, 1.06042 });
  assert_sample (im, gyr, 31234, G_GINT64_CONSTANT (1700000312340000000), (double[]) { 4.234, -0.702, 0.574 });
  g_assert_cmpuint (progress[1], >=, 3);
  g_assert_cmpuint (progress[0], ==, im->result->bytes);
}

static void
test_long_line (void)
{
  /* A 600 KiB note on line 300: longer than the read buffer, which grows. */
  GString *text = g_string_new ("time,x,y,z,note\n");
  g_autoptr(Imported) im = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  ImuStreamInfo *s;

  for (int i = 0; i < 400; i++)
    {
      g_string_append_printf (text, "%d.25,0.5,%d,1,", 1700000000 + i, i);
      if (i == 298)
        for (int k = 0; k < 600 * 1024; k++)
          g_string_append_c (text, 'a' + k % 26);
      else
        g_string_append (text, "ok");
      g_string_append_c (text, '\n');
    }
  im = import_text ("long-line.csv", text->str, (gssize) text->len);
  g_string_free (text, TRUE);
  g_assert_no_error (im->error);
  streams = streams_of (im);
  s = g_ptr_array_index (streams, 0);
  g_assert_cmpint (s->n_samples, ==, 400);
  assert_sample (im, s, 298, G_GINT64_CONSTANT (1700000298250000000), (double[]) { 0.5, 298, 1 });
  assert_sample (im, s, 399, G_GINT64_CONSTANT (1700000399250000000), (double[]) { 0.5, 399, 1 });
}

static void
cancel_cb (guint64 done, guint64 total, gpointer data)
{
  if (done > 0 && done < total)
    g_cancellable_cancel (G_CANCELLABLE (data));
}

static void
test_cancel (void)
{
  g_autofree char *path = write_big_csv (60000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(Imported) im = import_path (path, cancellable, cancel_cb, cancellable);

  g_assert_error (im->error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (count_sessions (im), ==, 0);
}

/* ---- folders and archives ---- */

static void
check_sensorlogger_export (Imported *im)
{
  g_autoptr(GPtrArray) streams = streams_of (im);
  g_autoptr(ImuSession) session = session_of (im);
  g_autoptr(GPtrArray) events = NULL;
  ImuStreamInfo *acc, *gyr, *grav, *orient;
  g_autofree char *acc_ch = NULL, *or_ch = NULL;
  ImuEvent *ev;
  GError *error = NULL;

  g_assert_cmpstr (im->result->format, ==, "sensorlogger");
  /* Barometer.csv (header only) is not a stream. */
  g_assert_cmpuint (streams->len, ==, 4);
  acc = find_stream (streams, "accelerometer");
  gyr = find_stream (streams, "gyroscope");
  grav = find_stream (streams, "gravity");
  orient = find_stream (streams, "orientation");
  acc_ch = describe_channels (acc);
  or_ch = describe_channels (orient);
  g_assert_cmpstr (acc_ch, ==, "z[m/s^2] y[m/s^2] x[m/s^2]");
  g_assert_cmpstr (or_ch, ==, "qz[] qy[] qx[] qw[] roll[rad] pitch[rad] yaw[rad]");
  g_assert_cmpstr (gyr->channels[0].unit, ==, "rad/s");
  g_assert_cmpstr (grav->channels[0].unit, ==, "m/s^2");
  g_assert_cmpint (acc->n_samples, ==, 5);
  g_assert_cmpint (gyr->n_samples, ==, 4);
  g_assert_cmpint (grav->n_samples, ==, 3);
  g_assert_cmpint (orient->n_samples, ==, 3);
  /* Rates from Metadata.csv's sampleRateMs (10|10|10|20). */
  g_assert_cmpfloat (acc->nominal_rate_hz, ==, 100.0);
  g_assert_cmpfloat (orient->nominal_rate_hz, ==, 50.0);
  assert_sample (im, acc, 4, G_GINT64_CONSTANT (1698219600145000000), (double[]) { 0.0163, -0.0416, 0.0829 });
  assert_sample (im, orient, 0, G_GINT64_CONSTANT (1698219600110000000),
                 (double[]) { 0.01, 0.02, 0.03, 0.9993, 0.061, -0.042, 1.571 });

  g_assert_cmpstr (imu_session_get_title (session), ==, "Sensor Logger 2023-10-25 09:40:00, Pixel 7");
  g_assert_cmpstr (imu_session_get_device_model (session), ==, "Pixel 7");
  g_assert_cmpstr (imu_session_get_device_serial (session), ==, "abc123def");
  /* Europe/Zurich in October 2023: summer time, UTC+2. */
  g_assert_cmpint (imu_session_get_tz_offset (session), ==, 7200);
  g_assert_nonnull (strstr (imu_session_get_notes (session), "Barometer.csv"));

  events = imu_store_list_events (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  ev = g_ptr_array_index (events, 0);
  g_assert_cmpint (ev->t_ns, ==, G_GINT64_CONSTANT (1698219600120000000));
  g_assert_cmpint (ev->duration_ns, ==, 250000000);
  g_assert_cmpstr (ev->label, ==, "jump");
}

static void
test_sensorlogger_folder (void)
{
  g_autofree char *dir = imu_test_src_file ("data/csv/sensorlogger-export");
  g_autoptr(Imported) im = import_path (dir, NULL, NULL, NULL);

  g_assert_no_error (im->error);
  /* The default title is the folder's name: the metadata replaces it. */
  check_sensorlogger_export (im);
}

/* Runs python3 to write an archive of @dir's files to @out. A zip goes
 * through a pipe, so that zipfile cannot seek back and writes the sizes
 * in data descriptors after each entry (general purpose bit 3). */
static gboolean
make_archive (const char *dir, const char *out, const char *kind)
{
  static const char *script =
    "import os, sys, zipfile, tarfile\n"
    "d, kind, out = sys.argv[1], sys.argv[2], sys.argv[3]\n"
    "files = []\n"
    "for root, _, names in os.walk(d):\n"
    "    for n in names:\n"
    "        files.append(os.path.relpath(os.path.join(root, n), d))\n"
    "files.sort()\n"
    "if kind == 'zip':\n"
    "    z = zipfile.ZipFile(sys.stdout.buffer, 'w', zipfile.ZIP_DEFLATED)\n"
    "    for f in files:\n"
    "        z.write(os.path.join(d, f), f)\n"
    "    z.close()\n"
    "else:\n"
    "    with tarfile.open(out, 'w:gz') as t:\n"
    "        for f in files:\n"
    "            t.add(os.path.join(d, f), f)\n";
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *python = g_find_program_in_path ("python3");

  if (python == NULL)
    {
      g_test_skip ("python3 is needed to write the test archive");
      return FALSE;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  proc = g_subprocess_launcher_spawn (launcher, &error, python, "-c", script, dir, kind, out, NULL);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) stdout_bytes = NULL;

    g_assert_true (g_subprocess_communicate (proc, NULL, NULL, &stdout_bytes, NULL, &error));
    g_assert_no_error (error);
    g_assert_true (g_subprocess_get_successful (proc));
    if (g_str_equal (kind, "zip"))
      g_assert_true (g_file_set_contents (out, g_bytes_get_data (stdout_bytes, NULL),
                                          (gssize) g_bytes_get_size (stdout_bytes), NULL));
  }
  return TRUE;
}

static void
test_sensorlogger_zip (void)
{
  g_autofree char *dir = imu_test_src_file ("data/csv/sensorlogger-export");
  g_autofree char *tmp = imu_test_tmpdir ();
  g_autofree char *zip = g_build_filename (tmp, "sensorlogger-export.zip", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_autoptr(Imported) im = NULL;

  if (!make_archive (dir, zip, "zip"))
    return;
  /* The first local header says "sizes in a data descriptor". */
  g_assert_true (g_file_get_contents (zip, &bytes, &len, NULL));
  g_assert_cmpuint (len, >, 30);
  g_assert_cmpint (memcmp (bytes, "PK\003\004", 4), ==, 0);
  g_assert_cmpint (bytes[6] & 0x08, ==, 0x08);

  im = import_path (zip, NULL, NULL, NULL);
  g_assert_no_error (im->error);
  check_sensorlogger_export (im);
}

static void
check_phyphox_export (Imported *im)
{
  g_autoptr(GPtrArray) streams = streams_of (im);
  g_autoptr(ImuSession) session = session_of (im);
  ImuStreamInfo *s;

  g_assert_cmpstr (im->result->format, ==, "phyphox");
  g_assert_cmpuint (streams->len, ==, 1);
  s = find_stream (streams, "accelerometer");
  g_assert_cmpint (s->n_samples, ==, 3);
  /* meta/time.csv: START at system time 1.581431236798E9 s, experiment
   * time 0; "Time (s)" 1.008022222E-2 → +10080222 ns (python3). */
  g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_RELATIVE_S);
  g_assert_cmpint (s->time_format.origin_ns, ==, G_GINT64_CONSTANT (1581431236798000000));
  assert_sample (im, s, 0, G_GINT64_CONSTANT (1581431236808080222),
                 (double[]) { -3.122634888E-1, 1.945129395E-1, 9.801345825E0, 9.808242760E0 });
  assert_sample (im, s, 2, G_GINT64_CONSTANT (1581431236828142000),
                 (double[]) { -2.902634888E-1, 1.745129395E-1, 9.821345825E0, 9.827189520E0 });
  g_assert_cmpstr (imu_session_get_device_model (session), ==, "SM-G973F");
  g_assert_cmpstr (imu_session_get_device_vendor (session), ==, "samsung");
  g_assert_cmpint (imu_session_get_tz_offset (session), ==, 3600);
}

static void
test_phyphox_folder_and_tar (void)
{
  g_autofree char *dir = imu_test_src_file ("data/csv/phyphox-export");
  g_autofree char *tmp = imu_test_tmpdir ();
  g_autofree char *tar = g_build_filename (tmp, "phyphox-export.tar.gz", NULL);

  {
    g_autoptr(Imported) im = import_path (dir, NULL, NULL, NULL);

    g_assert_no_error (im->error);
    check_phyphox_export (im);
  }
  if (!make_archive (dir, tar, "tar"))
    return;
  {
    g_autoptr(Imported) im = import_path (tar, NULL, NULL, NULL);

    g_assert_no_error (im->error);
    check_phyphox_export (im);
  }
}

static void
test_folder_of_csvs (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *a = g_build_filename (dir, "left-wrist.csv", NULL);
  g_autofree char *b = g_build_filename (dir, "readme.txt", NULL);
  g_autofree char *c = g_build_filename (dir, "right-wrist.csv", NULL);
  g_autoptr(Imported) im = NULL;
  g_autoptr(GPtrArray) streams = NULL;

  g_assert_true (g_file_set_contents (a, "time,x,y,z\n1700000000.00,0.1,0.2,0.97\n1700000000.01,0.1,0.2,0.98\n", -1, NULL));
  g_assert_true (g_file_set_contents (b, "Two wrists, one session.\n", -1, NULL));
  g_assert_true (g_file_set_contents (c, "time,x,y,z\n1700000000.00,0.3,0.2,0.93\n1700000000.01,0.3,0.2,0.94\n1700000000.02,0.3,0.2,0.95\n", -1, NULL));
  im = import_path (dir, NULL, NULL, NULL);
  g_assert_no_error (im->error);
  streams = streams_of (im);
  /* Each CSV one stream named after its file; the .txt is not data. */
  g_assert_cmpuint (streams->len, ==, 2);
  g_assert_cmpint (find_stream (streams, "left-wrist")->n_samples, ==, 2);
  g_assert_cmpint (find_stream (streams, "right-wrist")->n_samples, ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/import-csv/time/scaled", test_time_scaled);
  g_test_add_func ("/core/import-csv/time/datetime", test_time_datetime);
  g_test_add_func ("/core/import-csv/split", test_split);
  g_test_add_func ("/core/import-csv/header/units", test_units);
  g_test_add_func ("/core/import-csv/header/axis", test_axis);
  g_test_add_func ("/core/import-csv/sniff/delimiters", test_sniff_delimiters);
  g_test_add_func ("/core/import-csv/sniff/refusals", test_sniff_refusals);
  g_test_add_func ("/core/import-csv/sniff/public", test_sniff_public);
  g_test_add_func ("/core/import-csv/dialect/movella-dot", test_movella);
  g_test_add_func ("/core/import-csv/dialect/movella-dot-quaternion", test_movella_quaternion);
  g_test_add_func ("/core/import-csv/dialect/actilife", test_actilife);
  g_test_add_func ("/core/import-csv/dialect/phyphox-decimal-comma", test_phyphox_decimal_comma);
  g_test_add_func ("/core/import-csv/dialect/bmi160-trailing-delimiter", test_bmi160);
  g_test_add_func ("/core/import-csv/dialect/metawear", test_metawear);
  g_test_add_func ("/core/import-csv/dialect/tab-bom-crlf", test_tab_bom_crlf);
  g_test_add_func ("/core/import-csv/dialect/pipe-spaces-quoted", test_pipe_spaces_quoted);
  g_test_add_func ("/core/import-csv/dialect/sparse-packets", test_sparse_packets);
  g_test_add_func ("/core/import-csv/dialect/relative-and-no-time", test_relative_and_no_time);
  g_test_add_func ("/core/import-csv/dialect/latin1-header", test_latin1_header);
  g_test_add_func ("/core/import-csv/bad/lines", test_bad_lines);
  g_test_add_func ("/core/import-csv/bad/too-many-errors", test_too_many_errors);
  g_test_add_func ("/core/import-csv/bad/refusals", test_refusals);
  g_test_add_func ("/core/import-csv/bad/header", test_bad_header);
  g_test_add_func ("/core/import-csv/bad/time-range-epoch", test_time_range_epoch);
  g_test_add_func ("/core/import-csv/bad/time-range-relative", test_time_range_relative);
  g_test_add_func ("/core/import-csv/bad/time-range-dates", test_time_range_dates);
  g_test_add_func ("/core/import-csv/bad/time-range-rate", test_time_range_rate);
  g_test_add_func ("/core/import-csv/bad/wide-files", test_wide_files);
  g_test_add_func ("/core/import-csv/header/after-junk-lines", test_header_after_junk);
  g_test_add_func ("/core/import-csv/dialect/start-time-movella", test_start_time_movella);
  g_test_add_func ("/core/import-csv/dialect/start-time-relative", test_start_time_relative);
  g_test_add_func ("/core/import-csv/header/width-mismatch", test_header_width_mismatch);
  g_test_add_func ("/core/import-csv/stream/big-file", test_big_file);
  g_test_add_func ("/core/import-csv/stream/long-line", test_long_line);
  g_test_add_func ("/core/import-csv/stream/cancel", test_cancel);
  g_test_add_func ("/core/import-csv/multi/sensorlogger-folder", test_sensorlogger_folder);
  g_test_add_func ("/core/import-csv/multi/sensorlogger-zip-data-descriptors", test_sensorlogger_zip);
  g_test_add_func ("/core/import-csv/multi/phyphox-folder-and-tar", test_phyphox_folder_and_tar);
  g_test_add_func ("/core/import-csv/multi/folder-of-csvs", test_folder_of_csvs);

  return g_test_run ();
}
