/* test-profile-real.c — every real recording under ../shared/data/real that
 * imports is profiled without error, with a valid profile.json and
 * plausible results; the known defects of some are found
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test"

#include <math.h>
#include <string.h>

#include "imu-import.h"
#include "imu-profile.h"
#include "imu-profile-test.h"
#include "imu-test-util.h"

/* Everything in ../shared/data/real (PROVENANCE.tsv); binary formats the
 * importer does not read yet are skipped with a message. */
static const char *real_files[] = {
  "imu_csv/flirt-garmin/acc.csv",
  "imu_csv/flirt-empatica-e4/ACC.csv",
  "imu_csv/ggir-ax3/ax3_testfile_unix_timestamps.csv",
  "imu_csv/ggir-ax6/ax6_testfile_formatted_timestamps.csv",
  "imu_csv/pms67-mpu6050/imu_data.csv",
  "imu_csv/airbrakes-microstrain/zplus.csv",
  "applewatch/ucancme-sensorlogger-watch/WristMotion.csv",
  "sensorlogger/bennyjhui-iphone12",
  "cwa/ggirread/ax3_testfile.cwa",
  "cwa/ggirread/ax6_testfile.cwa",
  "cwa/openmovement-pedometer/example-610-steps.cwa",
  "cwa/paradigma-ax6/test_data.CWA",
  "gt3x/ggir/actigraph_testfile.gt3x",
  "geneactiv/ggirread/GENEActiv_testfile.bin",
  "parquet/paradigma-ax6/test_data.parquet",
};

/* Imports @path and profiles it; NULL (with a test message) when the
 * importer refuses the file. */
static ImuProfile *
import_and_profile (ImuStore *store, const char *path, const char *rel)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  ImuProfile *p;

  result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  if (result == NULL)
    {
      g_test_message ("%s does not import (%s): not profiled", rel, error->message);
      return NULL;
    }
  p = imu_profile_get_or_compute (store, result->session_id, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  pt_assert_valid (p);
  return p;
}

/* One named recording, or NULL after g_test_skip(). */
static ImuProfile *
profile_real (ImuStore *store, const char *rel)
{
  g_autofree char *path = imu_test_real_file (rel);
  ImuProfile *p;

  if (path == NULL)
    return NULL;
  p = import_and_profile (store, path, rel);
  if (p == NULL)
    g_test_skip ("the importer does not read this file");
  return p;
}

/* What any profile of real data must look like. */
static void
assert_plausible (ImuProfile *p, const char *rel)
{
  JsonArray *streams = json_object_get_array_member (pt_root (p), "streams");

  g_assert_cmpuint (json_array_get_length (streams), >=, 1);
  for (guint i = 0; i < json_array_get_length (streams); i++)
    {
      JsonObject *st = json_array_get_object_element (streams, i);
      JsonObject *tm = json_object_get_object_member (st, "time");
      JsonArray *channels = json_object_get_array_member (st, "channels");
      JsonNode *mv = json_object_get_member (st, "movement");
      double rate = pt_double (tm, "effective_rate_hz");

      g_test_message ("%s: stream %s, %" G_GINT64_FORMAT " samples, %.4g Hz, completeness %.4f, %" G_GINT64_FORMAT
                      " gaps", rel, json_object_get_string_member (st, "name"), pt_int (st, "samples"), rate,
                      pt_double (tm, "completeness"), pt_int (tm, "gaps/count"));
      g_assert_cmpint (pt_int (st, "samples"), >, 0);
      /* A device's housekeeping streams are slow: a GT3X battery record
       * comes once a minute (0.0167 Hz). */
      g_assert_true (rate > 0.001 && rate < 20000);
      /* Above 1 when samples come faster than the median interval says
       * (two interleaved packet streams). */
      g_assert_cmpfloat (pt_double (tm, "completeness"), >, 0);
      g_assert_true (isfinite (pt_double (tm, "completeness")));
      for (guint c = 0; c < json_array_get_length (channels); c++)
        {
          JsonObject *ch = json_array_get_object_element (channels, c);
          gint64 n = pt_int (ch, "count");

          if (n == 0)
            continue;
          g_assert_cmpfloat (pt_double (ch, "min"), <=, pt_double (ch, "percentiles/p1"));
          g_assert_cmpfloat (pt_double (ch, "percentiles/p1"), <=, pt_double (ch, "percentiles/p50"));
          g_assert_cmpfloat (pt_double (ch, "percentiles/p50"), <=, pt_double (ch, "percentiles/p99"));
          g_assert_cmpfloat (pt_double (ch, "percentiles/p99"), <=, pt_double (ch, "max"));
          g_assert_cmpfloat (pt_double (ch, "mean"), >=, pt_double (ch, "min"));
          g_assert_cmpfloat (pt_double (ch, "mean"), <=, pt_double (ch, "max"));
        }
      if (mv != NULL && JSON_NODE_HOLDS_OBJECT (mv))
        {
          JsonObject *m = json_node_get_object (mv);
          double mag = pt_double (m, "magnitude/mean_g");
          double g = pt_double (m, "gravity_g");

          g_test_message ("%s: %s: mean |a| %.4g g, |mean a| per epoch %.4g g, gravity %s", rel,
                          json_object_get_string_member (st, "name"), mag, g,
                          json_object_get_boolean_member (m, "gravity") ? "yes" : "no");
          /* With gravity, the magnitude is about 1 g on average and the
           * quieter epochs' mean vectors are long; without (user
           * acceleration), those are short. */
          if (json_object_get_boolean_member (m, "gravity"))
            {
              g_assert_true (mag > 0.7 && mag < 1.5);
              g_assert_true (g >= 0.5 && g < 1.3);
            }
          else
            g_assert_cmpfloat (g, <, 0.5);
        }
    }
}

static void
test_all (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autoptr(ImuStore) store = imu_store_open (lib, &error);
  g_autofree char *probe = imu_test_real_file ("PROVENANCE.tsv");
  guint profiled = 0;

  g_assert_no_error (error);
  if (probe == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (real_files); i++)
    {
      g_autofree char *path = g_build_filename (g_getenv ("IMU_SHARED_DATA"), "real", real_files[i], NULL);
      g_autoptr(ImuProfile) p = NULL;

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        {
          g_test_message ("%s is absent", real_files[i]);
          continue;
        }
      p = import_and_profile (store, path, real_files[i]);
      if (p == NULL)
        continue;
      assert_plausible (p, real_files[i]);
      profiled++;
    }
  g_test_message ("%u real recordings profiled", profiled);
  g_assert_cmpuint (profiled, >=, 7);
}

static void
test_garmin_duplicates (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autoptr(ImuStore) store = imu_store_open (lib, &error);
  g_autoptr(ImuProfile) p = profile_real (store, "imu_csv/flirt-garmin/acc.csv");
  JsonObject *f, *tm;

  if (p == NULL)
    return;
  /* PROVENANCE.tsv: 10 000 rows over 958 s at 25 Hz, one 550 s gap and 93
   * duplicate timestamps. */
  f = pt_finding (p, "W_DUPLICATE_TIME", NULL, NULL);
  g_assert_nonnull (f);
  g_assert_cmpstr (json_object_get_string_member (f, "source"), ==, "profile");
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 93);
  tm = json_object_get_object_member (json_array_get_object_element (json_object_get_array_member (pt_root (p),
                                                                                                  "streams"), 0),
                                      "time");
  g_assert_cmpfloat_with_epsilon (pt_double (tm, "median_interval_s"), 0.04, 1e-9);
  g_assert_nonnull (pt_finding (p, "W_GAP", NULL, NULL));
  g_assert_cmpfloat_with_epsilon (pt_double (tm, "gaps/longest_s"), 550, 10);
}

static void
test_applewatch_gap (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autoptr(ImuStore) store = imu_store_open (lib, &error);
  g_autoptr(ImuProfile) p = profile_real (store, "applewatch/ucancme-sensorlogger-watch/WristMotion.csv");
  JsonObject *f, *loc;
  JsonArray *streams;
  gboolean found = FALSE;

  if (p == NULL)
    return;
  /* PROVENANCE.tsv: 100 Hz, 1702 rows over 29.5 s with one 12.4 s gap. */
  f = pt_finding (p, "W_GAP", NULL, NULL);
  g_assert_nonnull (f);
  loc = json_array_get_object_element (json_object_get_array_member (f, "locations"), 0);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (loc, "duration_s"), 12.4, 0.1);
  streams = json_object_get_array_member (pt_root (p), "streams");
  for (guint i = 0; i < json_array_get_length (streams); i++)
    {
      JsonObject *tm = json_object_get_object_member (json_array_get_object_element (streams, i), "time");

      if (pt_int (tm, "gaps/count") == 1)
        {
          g_assert_cmpfloat_with_epsilon (pt_double (tm, "gaps/longest_s"), 12.4, 0.1);
          g_assert_cmpfloat_with_epsilon (pt_double (tm, "effective_rate_hz"), 100, 1);
          found = TRUE;
        }
    }
  g_assert_true (found);
}

static void
test_sensorlogger_user_acceleration (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autoptr(ImuStore) store = imu_store_open (lib, &error);
  g_autoptr(ImuProfile) p = profile_real (store, "sensorlogger/bennyjhui-iphone12");

  if (p == NULL)
    return;
  /* Sensor Logger's Accelerometer.csv is user acceleration (gravity
   * removed), in m/s². */
  g_assert_nonnull (pt_finding (p, "I_GRAVITY_REMOVED", NULL, NULL));
  g_assert_cmpint (pt_int (pt_root (p), "summary/streams"), ==, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/profile/real/all", test_all);
  g_test_add_func ("/core/profile/real/garmin-duplicates", test_garmin_duplicates);
  g_test_add_func ("/core/profile/real/applewatch-gap", test_applewatch_gap);
  g_test_add_func ("/core/profile/real/sensorlogger-user-acceleration", test_sensorlogger_user_acceleration);
  return g_test_run ();
}
