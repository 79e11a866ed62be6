/* test-import-real.c — acceptance: every CSV of ../shared/data/real imports right
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The expected streams, channel names, units, sample counts, first and
 * last values and timestamps were read from the files with python3 (csv
 * module, decimal.Decimal for times, datetime.fromisoformat for dates),
 * not with the code under test. The files are used where they are
 * (imu_test_real_file), never copied.
 */
#define G_LOG_DOMAIN "test-import-real"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "imu-import.h"
#include "imu-series.h"
#include "imu-store.h"
#include "imu-test-util.h"

typedef struct {
  ImuStore        *store;
  ImuImportResult *result;
  GPtrArray       *streams;
} Imported;

static void
imported_free (Imported *im)
{
  g_clear_pointer (&im->streams, g_ptr_array_unref);
  g_clear_pointer (&im->result, imu_import_result_free);
  g_clear_object (&im->store);
  g_free (im);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Imported, imported_free)

/* Imports ../shared/data/real/@rel into a new library; NULL when skipped. */
static Imported *
import_real (const char *rel)
{
  g_autofree char *path = imu_test_real_file (rel);
  g_autofree char *library = NULL;
  GError *error = NULL;
  Imported *im;

  if (path == NULL)
    return NULL;
  im = g_new0 (Imported, 1);
  library = imu_test_library_path ();
  im->store = imu_store_open (library, &error);
  g_assert_no_error (error);
  im->result = imu_import_path (im->store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  im->streams = imu_store_list_streams (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  return im;
}

typedef struct {
  const char *name;
  const char *channels;     /* "name[unit] name[unit]" */
  gint64      n_samples;
  gint64      t_first;
  double      first[16];
  gint64      t_last;
  double      last[16];
} Expected;

static char *
describe_channels (const ImuStreamInfo *s)
{
  GString *str = g_string_new (NULL);

  for (guint c = 0; c < s->n_channels; c++)
    g_string_append_printf (str, "%s%s[%s]", c > 0 ? " " : "", s->channels[c].name,
                            s->channels[c].unit != NULL ? s->channels[c].unit : "");
  return g_string_free (str, FALSE);
}

static const ImuStreamInfo *
find_stream (Imported *im, const char *name)
{
  for (guint i = 0; i < im->streams->len; i++)
    {
      const ImuStreamInfo *s = g_ptr_array_index (im->streams, i);
      if (g_str_equal (s->name, name))
        return s;
    }
  g_test_message ("no stream “%s”", name);
  g_assert_not_reached ();
  return NULL;
}

static void
check_sample (Imported *im, const ImuStreamInfo *s, gint64 index, gint64 t_expected, const double *expected)
{
  GError *error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (im->store, s->id, &error);
  double *values = g_newa (double, s->n_channels);
  double **cols = g_newa (double *, s->n_channels);
  gint64 t = 0;

  g_assert_no_error (error);
  for (guint c = 0; c < s->n_channels; c++)
    cols[c] = &values[c];
  g_assert_cmpint (imu_series_read (series, index, 1, &t, cols, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (t, ==, t_expected);
  for (guint c = 0; c < s->n_channels; c++)
    g_assert_cmpfloat (values[c], ==, expected[c]);
}

static void
check_stream (Imported *im, const Expected *e)
{
  const ImuStreamInfo *s = find_stream (im, e->name);
  g_autofree char *channels = describe_channels (s);

  g_test_message ("stream %s", e->name);
  g_assert_cmpstr (channels, ==, e->channels);
  g_assert_cmpint (s->n_samples, ==, e->n_samples);
  g_assert_cmpint (s->t_first_ns, ==, e->t_first);
  g_assert_cmpint (s->t_last_ns, ==, e->t_last);
  check_sample (im, s, 0, e->t_first, e->first);
  check_sample (im, s, e->n_samples - 1, e->t_last, e->last);
}

static int
issue_count (Imported *im, const char *code)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (im->result->issue_counts, code));
}

static ImuSession *
session_of (Imported *im)
{
  GError *error = NULL;
  ImuSession *s = imu_store_load_session (im->store, im->result->session_id, &error);

  g_assert_no_error (error);
  return s;
}

static void
test_ax3_unix (void)
{
  static const Expected acc = {
    "accelerometer", "x[g] y[g] z[g]", 210,
    G_GINT64_CONSTANT (1551178506000000000), { 0.328125, 0.984375, 0.203125 },
    G_GINT64_CONSTANT (1551178508107500000), { 0.8125, -0.390625, -0.453125 },
  };
  g_autoptr(Imported) im = import_real ("imu_csv/ggir-ax3/ax3_testfile_unix_timestamps.csv");

  if (im == NULL)
    return;
  g_assert_cmpstr (im->result->format, ==, "axivity-csv");
  g_assert_cmpuint (im->streams->len, ==, 1);
  check_stream (im, &acc);
  g_assert_cmpint (find_stream (im, "accelerometer")->time_format.kind, ==, IMU_TIME_EPOCH_S);
  g_assert_cmpint (find_stream (im, "accelerometer")->time_format.decimals, ==, 4);
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 0);
}

static void
test_ax6_datetime (void)
{
  static const Expected acc = {
    "accelerometer", "x[g] y[g] z[g]", 210,
    G_GINT64_CONSTANT (1577135046690000000), { 0.007324, 0.071289, 0.008789 },
    G_GINT64_CONSTANT (1577135048800000000), { -0.011719, 0.076172, 0.007324 },
  };
  static const Expected gyr = {
    "gyroscope", "gx[deg/s] gy[deg/s] gz[deg/s]", 210,
    G_GINT64_CONSTANT (1577135046690000000), { 0.274658, -0.503540, 15.769958 },
    G_GINT64_CONSTANT (1577135048800000000), { 0.320435, -0.511169, 15.792846 },
  };
  g_autoptr(Imported) im = import_real ("imu_csv/ggir-ax6/ax6_testfile_formatted_timestamps.csv");

  if (im == NULL)
    return;
  g_assert_cmpuint (im->streams->len, ==, 2);
  check_stream (im, &acc);
  check_stream (im, &gyr);
  g_assert_cmpint (find_stream (im, "gyroscope")->time_format.kind, ==, IMU_TIME_DATETIME);
  g_assert_cmpint (find_stream (im, "gyroscope")->channels[2].decimals, ==, 6);
}

static void
test_garmin_iso (void)
{
  static const Expected acc = {
    "accelerometer", "x[mg] y[mg] z[mg]", 10000,
    G_GINT64_CONSTANT (1571220541702000000), { -36, 620, -824 },
    G_GINT64_CONSTANT (1571221499704000000), { 304, 240, -928 },
  };
  g_autoptr(Imported) im = import_real ("imu_csv/flirt-garmin/acc.csv");
  g_autoptr(ImuSession) session = NULL;
  const ImuStreamInfo *s;

  if (im == NULL)
    return;
  g_assert_cmpstr (im->result->delimiter, ==, ";");
  check_stream (im, &acc);
  s = find_stream (im, "accelerometer");
  g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_ISO8601);
  g_assert_cmpint (s->time_format.tz_offset_s, ==, 7200);
  g_assert_cmpfloat (s->nominal_rate_hz, ==, 25.0);
  /* 93 rows repeat the time of the row before (counted with python3); kept. */
  g_assert_cmpint (issue_count (im, "W_DUPLICATE_TIME"), ==, 93);
  g_assert_cmpint (issue_count (im, "W_TIME_BACKWARDS"), ==, 0);
  g_assert_cmpint (im->result->rows, ==, 10000);
  session = session_of (im);
  g_assert_cmpint (imu_session_get_tz_offset (session), ==, 7200);
}

static void
test_mpu6050_relative (void)
{
  static const Expected acc = {
    "accelerometer", "Ax[g] Ay[g] Az[g]", 2000,
    0, { 0.09814453125, 0.0263671875, 0.816162109375 },
    /* "36.9224040508" s, rounded to the ns */
    G_GINT64_CONSTANT (36922404051), { 0.16259765625, 0.091552734375, 0.866943359375 },
  };
  static const Expected gyr = {
    "gyroscope", "Gx[] Gy[] Gz[]", 2000,
    0, { -0.679389312977, 1.07633587786, -1.15267175573 },
    G_GINT64_CONSTANT (36922404051), { -3.45801526718, -1.3893129771, 1.59541984733 },
  };
  g_autoptr(Imported) im = import_real ("imu_csv/pms67-mpu6050/imu_data.csv");
  g_autoptr(ImuSession) session = NULL;
  const ImuStreamInfo *s;

  if (im == NULL)
    return;
  g_assert_cmpuint (im->streams->len, ==, 2);
  check_stream (im, &acc);
  check_stream (im, &gyr);
  s = find_stream (im, "accelerometer");
  g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_RELATIVE_S);
  g_assert_cmpint (s->time_format.origin_ns, ==, 0);
  g_assert_cmpstr (s->time_format.column, ==, "t");
  session = session_of (im);
  g_assert_nonnull (strstr (imu_session_get_notes (session), "relative"));
}

static void
test_empatica (void)
{
  static const Expected acc = {
    "accelerometer", "x[1/64 g] y[1/64 g] z[1/64 g]", 9998,
    G_GINT64_CONSTANT (1560279825000000000), { -61, 25, 6 },
    /* start + 9997 / 32 Hz */
    G_GINT64_CONSTANT (1560280137406250000), { -30, 41, 37 },
  };
  g_autoptr(Imported) im = import_real ("imu_csv/flirt-empatica-e4/ACC.csv");
  g_autoptr(ImuSession) session = NULL;

  if (im == NULL)
    return;
  g_assert_cmpstr (im->result->format, ==, "empatica-e4");
  check_stream (im, &acc);
  g_assert_cmpfloat (find_stream (im, "accelerometer")->nominal_rate_hz, ==, 32.0);
  session = session_of (im);
  g_assert_cmpstr (imu_session_get_device_vendor (session), ==, "Empatica");
  g_assert_cmpstr (imu_session_get_device_model (session), ==, "E4");
}

static void
test_empatica_folder (void)
{
  g_autoptr(Imported) im = import_real ("imu_csv/flirt-empatica-e4");

  if (im == NULL)
    return;
  /* info.txt describes the export; it is not data. */
  g_assert_cmpstr (im->result->format, ==, "empatica-e4");
  g_assert_cmpuint (im->streams->len, ==, 1);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, 9998);
}

static void
test_empatica_info_refused (void)
{
  g_autofree char *path = imu_test_real_file ("imu_csv/flirt-empatica-e4/info.txt");
  g_autofree char *library = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  GError *error = NULL;

  if (path == NULL)
    return;
  library = imu_test_library_path ();
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED);
  g_assert_nonnull (strstr (error->message, "info.txt"));
  g_clear_error (&error);
}

static void
test_microstrain_sparse (void)
{
  static const Expected acc = {
    "scaledAccel", "scaledAccelX[g] scaledAccelY[g] scaledAccelZ[g]", 3058,
    G_GINT64_CONSTANT (1730147596612924198), { -0.01504970, 0.02612370, 0.99952114 },
    G_GINT64_CONSTANT (1730147599672976896), { -0.00146150, 0.05611797, 0.99808592 },
  };
  static const Expected quat = {
    "estOrientQuaternion",
    "estOrientQuaternionW[] estOrientQuaternionX[] estOrientQuaternionY[] estOrientQuaternionZ[]", 1529,
    G_GINT64_CONSTANT (1730147596612447367), { 0.01297110, -0.84393674, -0.53626829, 0.00434371 },
    G_GINT64_CONSTANT (1730147599671041024), { 0.02308796, -0.84159368, -0.53933972, 0.01731400 },
  };
  static const Expected speed = {
    "speed", "speed[]", 1529,
    G_GINT64_CONSTANT (1730147596612447367), { 0.0 },
    G_GINT64_CONSTANT (1730147599671041024), { 0.54646220 },
  };
  static const char * const names[] = {
    "scaledAccel", "scaledGyro", "deltaVel", "deltaTheta", "estOrientQuaternion",
    "estPressureAlt", "estAttitudeUncertQuaternion", "estAngularRate", "estCompensatedAccel",
    "estLinearAccel", "estGravityVector", "current_altitude", "speed",
  };
  g_autoptr(Imported) im = import_real ("imu_csv/airbrakes-microstrain/zplus.csv");

  if (im == NULL)
    return;
  g_assert_cmpstr (im->result->format, ==, "microstrain");
  g_autoptr(ImuSession) session = NULL;

  /* state (the label S) and extension (-0.5 in all 4587 rows, python3)
   * are the log's labels: they go to the notes, not to a stream of every
   * row. invalid_fields (always empty) is skipped; the IMU packets and
   * the filter packets are separate streams. */
  g_assert_cmpuint (im->streams->len, ==, G_N_ELEMENTS (names));
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_assert_cmpstr (((ImuStreamInfo *) g_ptr_array_index (im->streams, i))->name, ==, names[i]);
  check_stream (im, &acc);
  check_stream (im, &quat);
  check_stream (im, &speed);
  g_assert_cmpstr (find_stream (im, "scaledGyro")->channels[0].unit, ==, "rad/s");
  g_assert_cmpfloat (find_stream (im, "scaledAccel")->nominal_rate_hz, ==, 1000.0);
  g_assert_cmpfloat (find_stream (im, "estOrientQuaternion")->nominal_rate_hz, ==, 500.0);
  /* In file order the times step back 1049 times and repeat twice
   * (python3); within each packet kind (3058 IMU rows, 1529 filter rows)
   * they never do, and no stream holds both kinds any more. No packet
   * leaves a field of its own empty. */
  g_assert_cmpint (issue_count (im, "W_TIME_BACKWARDS"), ==, 0);
  g_assert_cmpint (issue_count (im, "W_DUPLICATE_TIME"), ==, 0);
  g_assert_cmpint (issue_count (im, "W_EMPTY_FIELD"), ==, 0);
  g_assert_cmpint (im->result->rows, ==, 4587);
  session = session_of (im);
  g_assert_nonnull (strstr (imu_session_get_notes (session),
                            "Columns with one value in every row, kept here rather than as streams: "
                            "state = S, extension = -0.5."));
}

static const Expected sl_acc = {
  "accelerometer", "z[m/s^2] y[m/s^2] x[m/s^2]", 1038,
  G_GINT64_CONSTANT (1760565906248623000), { 1.3691425733476876, 0.5297403520546853, 2.553125563177466 },
  G_GINT64_CONSTANT (1760565916648687900), { 0.13885317489504814, -0.06969216131484135, -0.08950312425997108 },
};
static const Expected sl_gyr = {
  "gyroscope", "z[rad/s] y[rad/s] x[rad/s]", 1038,
  G_GINT64_CONSTANT (1760565906248623000), { -0.839608907699585, -0.10497740656137466, -0.539340615272522 },
  G_GINT64_CONSTANT (1760565916648687900), { -0.017576167359948158, 0.06989758461713791, -0.3482896089553833 },
};
static const Expected sl_mag = {
  "magnetometer", "z[µT] y[µT] x[µT]", 1038,
  G_GINT64_CONSTANT (1760565906248623000), { 16.948707580566406, 113.78167724609375, -134.01991271972656 },
  G_GINT64_CONSTANT (1760565916648687900), { -15.569656372070312, 49.82880783081055, -36.252410888671875 },
};

static void
test_sensorlogger_files (void)
{
  static const struct { const char *file; const Expected *e; } files[] = {
    { "sensorlogger/bennyjhui-iphone12/Accelerometer.csv", &sl_acc },
    { "sensorlogger/bennyjhui-iphone12/Gyroscope.csv", &sl_gyr },
    { "sensorlogger/bennyjhui-iphone12/Magnetometer.csv", &sl_mag },
  };

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(Imported) im = import_real (files[i].file);
      const ImuStreamInfo *s;

      if (im == NULL)
        return;
      g_assert_cmpstr (im->result->format, ==, "sensorlogger");
      g_assert_cmpuint (im->streams->len, ==, 1);
      check_stream (im, files[i].e);
      s = find_stream (im, files[i].e->name);
      /* time is ns; seconds_elapsed is dropped as a second time column. */
      g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_EPOCH_NS);
      g_assert_cmpstr (s->time_format.column, ==, "time");
      g_assert_cmpfloat (s->nominal_rate_hz, ==, 100.0);
    }
}

static void
test_sensorlogger_folder (void)
{
  g_autoptr(Imported) im = import_real ("sensorlogger/bennyjhui-iphone12");

  if (im == NULL)
    return;
  g_assert_cmpstr (im->result->format, ==, "sensorlogger");
  g_assert_cmpuint (im->streams->len, ==, 3);
  check_stream (im, &sl_acc);
  check_stream (im, &sl_gyr);
  check_stream (im, &sl_mag);
}

static void
test_applewatch_wristmotion (void)
{
  static const Expected rot = {
    "rotationRate", "rotationRateX[rad/s] rotationRateY[rad/s] rotationRateZ[rad/s]", 1702,
    G_GINT64_CONSTANT (1719102681279387400), { 0.262128084897995, 0.5849967002868652, 1.0596885681152344 },
    G_GINT64_CONSTANT (1719102710739710200), { 0.2781836986541748, 0.18111930787563324, -0.09446906298398972 },
  };
  /* Core Motion's gravity: its norm is 1, so g. */
  static const Expected grav = {
    "gravity", "gravityX[g] gravityY[g] gravityZ[g]", 1702,
    G_GINT64_CONSTANT (1719102681279387400), { -0.18771232664585114, -0.49000799655914307, -0.851267397403717 },
    G_GINT64_CONSTANT (1719102710739710200), { -0.17240431904792786, -0.8946589827537537, -0.41214296221733093 },
  };
  static const Expected acc = {
    "acceleration", "accelerationX[g] accelerationY[g] accelerationZ[g]", 1702,
    G_GINT64_CONSTANT (1719102681279387400), { -0.04818853735923767, 0.05490368604660034, -0.007420897483825684 },
    G_GINT64_CONSTANT (1719102710739710200), { 0.017985373735427856, 0.02767002582550049, -0.02027583122253418 },
  };
  static const Expected quat = {
    "quaternion", "quaternionW[] quaternionX[] quaternionY[] quaternionZ[]", 1702,
    G_GINT64_CONSTANT (1719102681279387400), { 0.9620985452264089, 0.2546558230890979, -0.09755358742914558, 1.6361076650927252e-17 },
    G_GINT64_CONSTANT (1719102710739710200), { -0.38575197520392857, -0.15325373840310816, 0.5200402063251324, 0.7465029961899056 },
  };
  g_autoptr(Imported) im = import_real ("applewatch/ucancme-sensorlogger-watch/WristMotion.csv");

  if (im == NULL)
    return;
  g_assert_cmpuint (im->streams->len, ==, 4);
  check_stream (im, &rot);
  check_stream (im, &grav);
  check_stream (im, &acc);
  check_stream (im, &quat);
  g_assert_cmpstr (find_stream (im, "rotationRate")->kind, ==, "gyro");
  g_assert_cmpstr (find_stream (im, "quaternion")->kind, ==, "orientation");
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/import-real/ggir-ax3-unix", test_ax3_unix);
  g_test_add_func ("/core/import-real/ggir-ax6-datetime", test_ax6_datetime);
  g_test_add_func ("/core/import-real/flirt-garmin-iso8601", test_garmin_iso);
  g_test_add_func ("/core/import-real/pms67-mpu6050-relative", test_mpu6050_relative);
  g_test_add_func ("/core/import-real/empatica-e4-acc", test_empatica);
  g_test_add_func ("/core/import-real/empatica-e4-folder", test_empatica_folder);
  g_test_add_func ("/core/import-real/empatica-e4-info-refused", test_empatica_info_refused);
  g_test_add_func ("/core/import-real/microstrain-sparse", test_microstrain_sparse);
  g_test_add_func ("/core/import-real/sensorlogger-files", test_sensorlogger_files);
  g_test_add_func ("/core/import-real/sensorlogger-folder", test_sensorlogger_folder);
  g_test_add_func ("/core/import-real/applewatch-wristmotion", test_applewatch_wristmotion);

  return g_test_run ();
}
