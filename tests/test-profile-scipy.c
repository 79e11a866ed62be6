/* test-profile-scipy.c — the profiler's statistics against numpy and scipy
 * (tests/profile_reference.py) on the same samples, exported as CSV:
 * mean, standard deviation, skewness, kurtosis and the normality test to
 * 1e-9 relative, percentiles exactly (or within the sketch's stated rank
 * error), the time base and the Welch dominant frequency
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "imu-export-csv.h"
#include "imu-generator.h"
#include "imu-import.h"
#include "imu-profile.h"
#include "imu-profile-test.h"
#include "imu-test-util.h"

#define REL 1e-9
#define MS G_GINT64_CONSTANT (1000000)

static const char *xyz[] = { "x", "y", "z" };

/* Exports @stream_id and runs the reference on it. */
static JsonNode *
reference (ImuStore   *store,
           gint64      stream_id,
           const char *extra_flag,
           const char *extra_value)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *csv = g_build_filename (dir, "stream.csv", NULL);
  g_autofree char *script = imu_test_src_file ("profile_reference.py");
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_true (imu_export_csv_stream (store, stream_id, G_OUTPUT_STREAM (out), NULL, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  g_assert_no_error (error);
  {
    const char *argv[] = { pt_python (), script, "stats", csv, "--segment", "256",
                           extra_flag, extra_value, NULL };
    text = pt_run (argv);
  }
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

static void
assert_close (const char *what, double ours, double theirs, double rel)
{
  double scale = MAX (fabs (ours), fabs (theirs));

  if (isnan (ours) && isnan (theirs))
    return;
  if (ours == theirs)
    return;
  if (!(fabs (ours - theirs) <= rel * scale))
    g_error ("%s: ours %.17g, numpy/scipy %.17g (relative difference %.3g)", what, ours, theirs,
             fabs (ours - theirs) / scale);
}

static double
member (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n == NULL || JSON_NODE_HOLDS_NULL (n) ? NAN : json_node_get_double (n);
}

/* Compares every channel of a profiled stream with the reference. */
static void
compare_stream (ImuProfile *p,
                const char *stream,
                JsonObject *ref,
                gboolean    with_time)
{
  JsonArray *channels = json_object_get_array_member (ref, "channels");
  static const char *pcts[] = { "p1", "p5", "p25", "p50", "p75", "p95", "p99" };

  for (guint c = 0; c < json_array_get_length (channels); c++)
    {
      JsonObject *rc = json_array_get_object_element (channels, c);
      const char *header = json_object_get_string_member (rc, "name");
      JsonArray *ours_list = json_object_get_array_member (pt_stream (p, stream), "channels");
      JsonObject *oc = json_array_get_object_element (ours_list, c);
      g_autofree char *label = g_strdup_printf ("%s/%s", stream, header);
      JsonObject *onorm = json_object_get_object_member (oc, "normality");
      JsonObject *rnorm = json_object_has_member (rc, "normality") ? json_object_get_object_member (rc, "normality") : NULL;
      gboolean exact = json_object_get_boolean_member (oc, "percentiles_exact");
      static const char *moments[] = { "mean", "std", "skewness", "kurtosis", "min", "max" };

      g_test_message ("%s: %" G_GINT64_FORMAT " values, percentiles %s", label,
                      json_object_get_int_member (oc, "count"), exact ? "exact" : "from the sketch");
      g_assert_cmpint (json_object_get_int_member (oc, "count"), ==, json_object_get_int_member (rc, "count"));
      for (guint i = 0; i < G_N_ELEMENTS (moments); i++)
        {
          g_autofree char *what = g_strdup_printf ("%s %s", label, moments[i]);
          assert_close (what, member (oc, moments[i]), member (rc, moments[i]), REL);
        }
      if (rnorm != NULL)
        {
          static const char *nt[] = { "k2", "p", "z_skew", "p_skew", "z_kurt", "p_kurt" };

          g_assert_nonnull (onorm);
          for (guint i = 0; i < G_N_ELEMENTS (nt); i++)
            {
              g_autofree char *what = g_strdup_printf ("%s normaltest %s", label, nt[i]);
              assert_close (what, member (onorm, nt[i]), member (rnorm, nt[i]), REL);
            }
        }
      for (guint i = 0; i < G_N_ELEMENTS (pcts); i++)
        {
          double ours = member (json_object_get_object_member (oc, "percentiles"), pcts[i]);
          g_autofree char *what = g_strdup_printf ("%s %s", label, pcts[i]);

          if (exact)
            /* The same order statistics, the same interpolation: equal. */
            assert_close (what, ours, member (json_object_get_object_member (rc, "percentiles"), pcts[i]), 0);
          else
            {
              JsonArray *b = json_object_get_array_member (json_object_get_object_member (rc, "percentile_bounds"),
                                                           pcts[i]);
              double lo = json_array_get_double_element (b, 0), hi = json_array_get_double_element (b, 1);

              if (!(ours >= lo && ours <= hi))
                g_error ("%s: %.17g is not within the values at ranks ± the stated error [%.17g, %.17g]",
                         what, ours, lo, hi);
            }
        }
      if (exact)
        {
          g_autofree char *m = g_strdup_printf ("%s median", label);
          g_autofree char *d = g_strdup_printf ("%s MAD", label);

          assert_close (m, member (oc, "median"), member (rc, "median"), 0);
          assert_close (d, member (oc, "mad"), member (rc, "mad"), 1e-12);
          g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (oc, "outliers"), "count"), ==,
                           json_object_get_int_member (rc, "outliers"));
        }
      if (json_object_has_member (rc, "dominant_frequency_hz") && !isnan (member (oc, "dominant_frequency_hz")))
        {
          g_autofree char *what = g_strdup_printf ("%s dominant frequency", label);
          assert_close (what, member (oc, "dominant_frequency_hz"), member (rc, "dominant_frequency_hz"), REL);
        }
    }

  if (with_time)
    {
      JsonObject *rt = json_object_get_object_member (ref, "time");
      JsonObject *ot = json_object_get_object_member (pt_stream (p, stream), "time");

      assert_close ("median interval", member (ot, "median_interval_s") * 1e9, member (rt, "median_interval_ns"), 1e-15);
      assert_close ("effective rate", member (ot, "effective_rate_hz"), member (rt, "effective_rate_hz"), 1e-15);
      g_assert_cmpint (pt_int (ot, "gaps/count"), ==, json_object_get_int_member (rt, "gap_count"));
      assert_close ("gap total", pt_double (ot, "gaps/total_s") * 1e9, member (rt, "gap_total_ns"), 1e-12);
      assert_close ("longest gap", pt_double (ot, "gaps/longest_s") * 1e9, member (rt, "gap_longest_ns"), 1e-12);
      g_assert_cmpint (pt_int (ot, "duplicates/count"), ==, json_object_get_int_member (rt, "duplicates"));
      g_assert_cmpint (pt_int (ot, "backwards/count"), ==, json_object_get_int_member (rt, "backwards"));
      assert_close ("jitter std", member (ot, "jitter_std_s") * 1e9, member (rt, "jitter_std_ns"), REL);
      assert_close ("jitter p99", member (ot, "jitter_p99_s") * 1e9, member (rt, "jitter_p99_ns"), 1e-12);
      assert_close ("completeness", member (ot, "completeness"), member (rt, "completeness"), 1e-12);
    }
}

/* A generated recording (the realistic model: rest, walking, running)
 * through the real import pipeline. */
static void
test_generated (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autoptr(ImuStore) store = NULL;
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *csv = g_build_filename (dir, "generated.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (csv);
  g_autoptr(GFileOutputStream) out = NULL;
  ImuGeneratorCsvOptions gen = { 42, 100, PT_T0, (gint64) 20 * 60 * 1000000000 };
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(ImuProfile) p = NULL;
  g_autoptr(GPtrArray) streams = NULL;

  if (pt_python () == NULL)
    {
      g_test_skip ("python3 with numpy, scipy and jsonschema is missing");
      return;
    }
  store = imu_store_open (lib, &error);
  g_assert_no_error (error);
  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_true (imu_generator_write_csv (G_OUTPUT_STREAM (out), &gen, NULL, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  result = imu_import_path (store, csv, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  p = pt_profile (store, result->session_id, NULL);
  streams = imu_store_list_streams (store, result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (streams->len, >=, 1);
  for (guint i = 0; i < streams->len; i++)
    {
      ImuStreamInfo *info = g_ptr_array_index (streams, i);
      g_autoptr(JsonNode) ref = reference (store, info->id, NULL, NULL);

      compare_stream (p, info->name, json_node_get_object (ref), TRUE);
    }
}

/* Irregular time, NaNs, a skewed channel: the time base and the moments
 * of finite values. */
static void
test_irregular (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuProfile) p = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);
  const gsize n = 40000;
  g_autofree gint64 *t = g_new (gint64, n);
  double **cols = pt_columns_new (3, n);
  PtStream spec = { "irregular", "accel", 50, 3, xyz, "g", "accel", 4, 0, n, t, cols };
  gint64 session, stream;

  if (pt_python () == NULL)
    {
      g_test_skip ("python3 with numpy, scipy and jsonschema is missing");
      return;
    }
  store = imu_store_open (lib, &error);
  g_assert_no_error (error);
  session = pt_new_session (store, "irregular");
  /* 20 ms ± up to 1.5 ms of jitter in 0.1 ms steps; every 5000th interval
   * a gap of 0.1–2 s; a duplicate every 7001; backwards every 9001. */
  t[0] = PT_T0;
  for (gsize i = 1; i < n; i++)
    {
      gint64 dt = 20 * MS + g_rand_int_range (rand, -15, 16) * 100000;

      if (i % 5000 == 0)
        dt = g_rand_int_range (rand, 100, 2000) * MS;
      if (i % 7001 == 0)
        dt = 0;
      if (i % 9001 == 0)
        dt = -3 * MS;
      t[i] = t[i - 1] + dt;
    }
  for (gsize i = 0; i < n; i++)
    {
      double u = g_rand_double (rand);

      cols[0][i] = g_rand_double_range (rand, -1, 1) + g_rand_double_range (rand, -1, 1);
      cols[1][i] = -log (1 - u) * 0.3;                    /* exponential: skewed */
      cols[2][i] = i % 997 == 3 ? NAN : 1 + 0.1 * tan (0.9 * (u - 0.5) * G_PI); /* heavy tails */
    }
  stream = pt_add_stream (store, session, &spec);
  p = pt_profile (store, session, NULL);
  {
    g_autoptr(JsonNode) ref = reference (store, stream, NULL, NULL);
    compare_stream (p, "irregular", json_node_get_object (ref), TRUE);
  }
  pt_columns_free (cols, 3);
}

/* Full-precision floats: the percentiles come from the sketch, each within
 * its stated rank error of numpy's. */
static void
test_sketch (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuProfile) p = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  const gsize n = 300000;
  g_autofree gint64 *t = pt_regular_times (n, 200);
  double **cols = pt_columns_new (3, n);
  PtStream spec = { "floats", "gyro", 200, 3, xyz, "rad/s", "gyro", -1, 0, n, t, cols };
  gint64 session, stream;
  double bound;
  char bound_text[G_ASCII_DTOSTR_BUF_SIZE];

  if (pt_python () == NULL)
    {
      g_test_skip ("python3 with numpy, scipy and jsonschema is missing");
      return;
    }
  store = imu_store_open (lib, &error);
  g_assert_no_error (error);
  session = pt_new_session (store, "floats");
  for (gsize i = 0; i < n; i++)
    {
      cols[0][i] = sin (i * 0.001) * g_rand_double (rand);
      cols[1][i] = g_rand_double_range (rand, -2, 2) / 3.0;
      cols[2][i] = exp (g_rand_double_range (rand, -5, 5));
    }
  stream = pt_add_stream (store, session, &spec);
  p = pt_profile (store, session, NULL);
  bound = pt_double (pt_channel (p, "floats", "x"), "rank_error");
  g_assert_cmpfloat (bound, >, 0);
  g_assert_cmpfloat (bound, <=, 0.001);
  g_assert_false (json_object_get_boolean_member (pt_channel (p, "floats", "x"), "percentiles_exact"));
  g_assert_nonnull (pt_finding (p, "I_APPROXIMATE_PERCENTILES", "floats", "x"));
  g_ascii_formatd (bound_text, sizeof bound_text, "%.17g", bound);
  {
    g_autoptr(JsonNode) ref = reference (store, stream, "--rank-error", bound_text);
    compare_stream (p, "floats", json_node_get_object (ref), TRUE);
  }
  pt_columns_free (cols, 3);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/profile/scipy/generated", test_generated);
  g_test_add_func ("/core/profile/scipy/irregular", test_irregular);
  g_test_add_func ("/core/profile/scipy/sketch", test_sketch);
  return g_test_run ();
}
