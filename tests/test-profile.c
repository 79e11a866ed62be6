/* test-profile.c — the profiler on signals with known defects at known
 * places: exact codes, counts and locations; statistics against values
 * worked out by hand; the stored profile and when it is recomputed; the
 * outputs; the `imu profile` command
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "imu-import.h"
#include "imu-profile.h"
#include "imu-profile-private.h"
#include "imu-profile-stats.h"
#include "imu-store-private.h"
#include "imu-profile-test.h"
#include "imu-test-util.h"

#define MS G_GINT64_CONSTANT (1000000)

static const char *xyz[] = { "x", "y", "z" };

static ImuStore *
new_store (char **path_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = imu_test_library_path ();
  ImuStore *store = imu_store_open (path, &error);

  g_assert_no_error (error);
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return store;
}

/* ---- statistics ---- */

static void
test_stats_moments (void)
{
  const double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
  ImuMoments m, a, b;
  ImuNormalTest nt;
  g_autoptr(ImuQuantiles) q = imu_quantiles_new (0);

  imu_moments_init (&m);
  imu_moments_add (&m, x, G_N_ELEMENTS (x));
  /* By hand: mean 5, Σ(x − 5)² = 32, Σ(x − 5)³ = 42, Σ(x − 5)⁴ = 356. */
  g_assert_cmpint (m.n, ==, 8);
  g_assert_cmpfloat_with_epsilon (m.mean, 5.0, 1e-15);
  g_assert_cmpfloat_with_epsilon (imu_moments_variance (&m), 32.0 / 7, 1e-14);
  /* g1 = (42/8) / (32/8)^1.5 = 0.65625; G1 = g1·√(8·7)/6. */
  g_assert_cmpfloat_with_epsilon (imu_moments_skewness (&m, TRUE), 0.65625, 1e-14);
  g_assert_cmpfloat_with_epsilon (imu_moments_skewness (&m, FALSE), 0.65625 * sqrt (56.0) / 6, 1e-14);
  /* b2 = 44.5 / 16 = 2.78125; G2 = ((n² − 1)·b2 − 3(n − 1)²) / ((n − 2)(n − 3)) = 28.21875 / 30. */
  g_assert_cmpfloat_with_epsilon (imu_moments_kurtosis (&m, TRUE), 2.78125 - 3, 1e-14);
  g_assert_cmpfloat_with_epsilon (imu_moments_kurtosis (&m, FALSE), 0.940625, 1e-14);
  g_assert_cmpfloat (m.min, ==, 2);
  g_assert_cmpfloat (m.max, ==, 9);

  /* Merging two halves gives the same moments. */
  imu_moments_init (&a);
  imu_moments_init (&b);
  imu_moments_add (&a, x, 3);
  imu_moments_add (&b, x + 3, 5);
  imu_moments_merge (&a, &b);
  g_assert_cmpfloat_with_epsilon (a.mean, m.mean, 1e-14);
  g_assert_cmpfloat_with_epsilon (a.m2, m.m2, 1e-12);
  g_assert_cmpfloat_with_epsilon (a.m3, m.m3, 1e-12);
  g_assert_cmpfloat_with_epsilon (a.m4, m.m4, 1e-12);

  /* scipy.stats.normaltest / skewtest / kurtosistest of the same data
   * (scipy 1.10.1): 1.8017203381476752, p 0.406220091458396; skew z
   * 1.0989278845672403 (p 0.27179952272039476), kurtosis z
   * 0.7707644534280531 (p 0.440846560410447). */
  g_assert_true (imu_normal_test (&m, &nt));
  g_assert_cmpfloat_with_epsilon (nt.k2, 1.8017203381476752, 1e-12);
  g_assert_cmpfloat_with_epsilon (nt.p, 0.406220091458396, 1e-12);
  g_assert_cmpfloat_with_epsilon (nt.z_skew, 1.0989278845672403, 1e-12);
  g_assert_cmpfloat_with_epsilon (nt.p_skew, 0.27179952272039476, 1e-12);
  g_assert_cmpfloat_with_epsilon (nt.z_kurt, 0.7707644534280531, 1e-12);
  g_assert_cmpfloat_with_epsilon (nt.p_kurt, 0.440846560410447, 1e-12);

  /* numpy.percentile by hand: h = (n − 1)·q, linear between neighbours. */
  imu_quantiles_add (q, x, G_N_ELEMENTS (x));
  imu_quantiles_finish (q);
  g_assert_true (imu_quantiles_is_exact (q));
  g_assert_cmpfloat_with_epsilon (imu_quantiles_percentile (q, 1), 2.14, 1e-14);
  g_assert_cmpfloat_with_epsilon (imu_quantiles_percentile (q, 25), 4.0, 1e-14);
  g_assert_cmpfloat_with_epsilon (imu_quantiles_percentile (q, 50), 4.5, 1e-14);
  g_assert_cmpfloat_with_epsilon (imu_quantiles_percentile (q, 75), 5.5, 1e-14);
  g_assert_cmpfloat_with_epsilon (imu_quantiles_percentile (q, 99), 8.86, 1e-14);
  g_assert_cmpfloat (imu_quantiles_median (q), ==, 4.5);
  /* |x − 4.5| = 2.5 .5 .5 .5 .5 .5 2.5 4.5: the median of those is 0.5. */
  g_assert_cmpfloat (imu_quantiles_abs_dev_percentile (q, 4.5, -INFINITY, INFINITY, 50), ==, 0.5);
  g_assert_cmpint (imu_quantiles_count_below (q, 4, FALSE), ==, 1);
  g_assert_cmpint (imu_quantiles_count_below (q, 4, TRUE), ==, 4);
  /* 0.6745·|9 − 4.5| / 0.5 = 6.07 is the only robust z above 3.5. */
  g_assert_cmpint (imu_quantiles_count_robust_outliers (q, 4.5, 0.5, 3.5), ==, 1);
}

static void
test_stats_distributions (void)
{
  /* scipy.stats.norm.cdf(1.96), norm.cdf(-5), norm.sf(8), chi2.sf(3, 2). */
  g_assert_cmpfloat_with_epsilon (imu_normal_cdf (1.96), 0.9750021048517795, 1e-15);
  g_assert_cmpfloat (fabs (imu_normal_cdf (-5) / 2.866515718791933e-07 - 1), <, 1e-12);
  g_assert_cmpfloat (fabs (imu_normal_sf (8) / 6.22096057427174e-16 - 1), <, 1e-12);
  g_assert_cmpfloat_with_epsilon (imu_chi2_sf_2 (3.0), 0.22313016014842982, 1e-15);
  g_assert_cmpfloat (imu_normal_cdf (0), ==, 0.5);
}

static int
double_cmp (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The sketch's answers: the true rank of each value it gives (counted here
 * by sorting) is within its stated bound, and the bound within 0.1 %. */
static void
check_sketch (const double *x, gsize n, ImuQuantiles *q)
{
  g_autofree double *sorted = g_memdup2 (x, n * sizeof *x);
  double bound = imu_quantiles_get_rank_error (q);

  g_assert_false (imu_quantiles_is_exact (q));
  g_assert_cmpfloat (bound, >, 0);
  g_assert_cmpfloat (bound, <=, 0.001);
  qsort (sorted, n, sizeof *sorted, double_cmp);
  for (gsize i = 1; i < n; i++)
    g_assert_cmpfloat (sorted[i - 1], <=, sorted[i]);
  for (guint k = 0; k <= 100; k++)
    {
      gint64 rank = (gint64) ((n - 1) * (k / 100.0));
      double v = imu_quantiles_select (q, rank);
      gsize lo = 0, hi = n;
      gint64 below, upto;

      /* values < v */
      while (lo < hi)
        {
          gsize mid = (lo + hi) / 2;
          if (sorted[mid] < v) lo = mid + 1; else hi = mid;
        }
      below = (gint64) lo;
      lo = 0;
      hi = n;
      while (lo < hi)
        {
          gsize mid = (lo + hi) / 2;
          if (sorted[mid] <= v) lo = mid + 1; else hi = mid;
        }
      upto = (gint64) lo;
      /* v's true ranks are [below, upto): one of them within the bound */
      g_assert_cmpfloat ((double) (rank - (upto - 1)), <=, bound * n + 1e-9);
      g_assert_cmpfloat ((double) (below - rank), <=, bound * n + 1e-9);
    }
}

static void
test_stats_sketch (void)
{
  const gsize n = 2000000;
  g_autofree double *x = g_new (double, n);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(ImuQuantiles) floats = imu_quantiles_new (5);
  g_autoptr(ImuQuantiles) wide = imu_quantiles_new (6);

  /* Not decimal: the exact structure gives way to the sketch at once. */
  for (gsize i = 0; i < n; i++)
    x[i] = g_rand_double_range (rand, -3, 3) * g_rand_double (rand);
  for (gsize i = 0; i < n; i += 4096)
    imu_quantiles_add (floats, x + i, MIN (4096, n - i));
  imu_quantiles_finish (floats);
  g_assert_cmpint (imu_quantiles_get_count (floats), ==, n);
  check_sketch (x, n, floats);

  /* Decimal with 6 decimals over ±5000: more distinct far keys than the
   * exact structure holds, so it converts to the sketch part-way. */
  for (gsize i = 0; i < n; i++)
    x[i] = pt_round (g_rand_double_range (rand, -5000, 5000), 6);
  for (gsize i = 0; i < n; i += 4096)
    imu_quantiles_add (wide, x + i, MIN (4096, n - i));
  imu_quantiles_finish (wide);
  check_sketch (x, n, wide);
}

static void
test_stats_exact_wide (void)
{
  /* Decimal values with 5 decimals: exact whatever their spread within
   * the caps, and bit-identical answers. */
  const gsize n = 300001;
  g_autofree double *x = g_new (double, n);
  g_autofree double *sorted = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  g_autoptr(ImuQuantiles) q = imu_quantiles_new (5);

  for (gsize i = 0; i < n; i++)
    x[i] = pt_round (g_rand_double_range (rand, -16, 16) * g_rand_double (rand), 5);
  imu_quantiles_add (q, x, n);
  imu_quantiles_finish (q);
  g_assert_true (imu_quantiles_is_exact (q));
  sorted = g_memdup2 (x, n * sizeof *x);
  qsort (sorted, n, sizeof *sorted, double_cmp);
  for (gsize r = 0; r < n; r += 997)
    g_assert_cmpfloat (imu_quantiles_select (q, (gint64) r), ==, sorted[r]);
  g_assert_cmpfloat (imu_quantiles_median (q), ==, sorted[n / 2]);
}

static void
test_fft (void)
{
  const guint n = 64;
  double x[64], copy[64], power[33], work[128];
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);

  for (guint i = 0; i < n; i++)
    x[i] = copy[i] = g_rand_double_range (rand, -1, 1);
  imu_fft_real_power (copy, n, power, work);
  /* The definition, term by term. */
  for (guint k = 0; k <= n / 2; k++)
    {
      double re = 0, im = 0;

      for (guint j = 0; j < n; j++)
        {
          re += x[j] * cos (2 * G_PI * j * k / n);
          im -= x[j] * sin (2 * G_PI * j * k / n);
        }
      g_assert_cmpfloat_with_epsilon (power[k], re * re + im * im, 1e-10);
    }
}

/* ---- time base ---- */

static void
test_time_defects (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  const gsize n = 3000;
  g_autofree gint64 *t = g_new (gint64, n);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "defects");
  PtStream spec = { "imu", "accel", 100, 3, xyz, "g", "accel", 5, 0, n, t, cols };
  JsonObject *tm, *f;
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);

  /* Intervals of 10 ms, except: 510 ms before sample 1001 and 210 ms
   * before 2001 (gaps), 0 before 1500 (a duplicate), −4 ms before 2500
   * (backwards). */
  t[0] = PT_T0;
  for (gsize i = 1; i < n; i++)
    {
      gint64 dt = 10 * MS;

      if (i == 1001)
        dt = 510 * MS;
      else if (i == 2001)
        dt = 210 * MS;
      else if (i == 1500)
        dt = 0;
      else if (i == 2500)
        dt = -4 * MS;
      t[i] = t[i - 1] + dt;
    }
  for (gsize i = 0; i < n; i++)
    {
      cols[0][i] = g_rand_double_range (rand, -0.1, 0.1);
      cols[1][i] = g_rand_double_range (rand, -0.1, 0.1);
      cols[2][i] = 1 + g_rand_double_range (rand, -0.1, 0.1);
    }
  pt_add_stream (store, session, &spec);

  /* A second stream: nominally 50 Hz, but 500 intervals of 18 ms and 499
   * of 20 ms: median 18 ms (55.6 Hz), and |Δt − 18| = 2 ms for 499. */
  {
    const gsize m = 1000;
    g_autofree gint64 *t2 = g_new (gint64, m);
    double **c2 = pt_columns_new (1, m);
    const char *names[] = { "v" };
    PtStream s2 = { "clock", "other", 50, 1, names, "", "other", 3, 0, m, t2, c2 };

    t2[0] = PT_T0;
    for (gsize i = 1; i < m; i++)
      t2[i] = t2[i - 1] + (i % 2 == 1 ? 18 : 20) * MS;
    for (gsize i = 0; i < m; i++)
      c2[0][i] = g_rand_double (rand);
    pt_add_stream (store, session, &s2);
    pt_columns_free (c2, 1);
  }

  p = pt_profile (store, session, NULL);
  tm = json_object_get_object_member (pt_stream (p, "imu"), "time");
  g_assert_cmpfloat (pt_double (tm, "median_interval_s"), ==, 0.01);
  g_assert_cmpfloat (pt_double (tm, "effective_rate_hz"), ==, 100);
  g_assert_cmpint (pt_int (tm, "gaps/count"), ==, 2);
  g_assert_cmpfloat_with_epsilon (pt_double (tm, "gaps/total_s"), 0.72, 1e-12);
  g_assert_cmpfloat_with_epsilon (pt_double (tm, "gaps/longest_s"), 0.51, 1e-12);
  g_assert_cmpint (pt_int (tm, "duplicates/count"), ==, 1);
  g_assert_cmpint (pt_int (tm, "backwards/count"), ==, 1);
  /* The clock ends 29 990 + 700 − 10 − 14 = 30 666 ms after the start:
   * 3067 intervals + 1 samples expected, 2999 distinct present. */
  g_assert_cmpint (pt_int (tm, "expected_samples"), ==, 3068);
  g_assert_cmpfloat_with_epsilon (pt_double (tm, "completeness"), 2999.0 / 3068, 1e-12);
  g_assert_cmpfloat (pt_double (tm, "jitter_std_s"), ==, 0);

  f = pt_finding (p, "W_GAP", "imu", NULL);
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 2);
  pt_assert_indexes (f, (gint64[]) { 1001, 2001 }, 2);
  {
    JsonObject *first = json_array_get_object_element (json_object_get_array_member (f, "locations"), 0);
    /* It starts at the sample before it and lasts the interval. */
    g_assert_cmpint (json_object_get_int_member (first, "t_ns"), ==, t[1000]);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (first, "duration_s"), 0.51, 1e-12);
    g_assert_cmpint (json_object_get_int_member (first, "length"), ==, 50);
  }
  f = pt_finding (p, "W_DUPLICATE_TIME", "imu", NULL);
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 1);
  pt_assert_indexes (f, (gint64[]) { 1500 }, 1);
  f = pt_finding (p, "E_TIME_BACKWARDS", "imu", NULL);
  g_assert_nonnull (f);
  g_assert_cmpstr (json_object_get_string_member (f, "severity"), ==, "error");
  pt_assert_indexes (f, (gint64[]) { 2500 }, 1);
  g_assert_null (pt_finding (p, "W_RATE_MISMATCH", "imu", NULL));
  g_assert_null (pt_finding (p, "W_JITTER", "imu", NULL));
  g_assert_cmpuint (imu_profile_count_findings (p, IMU_SEVERITY_ERROR), ==, 1);

  tm = json_object_get_object_member (pt_stream (p, "clock"), "time");
  g_assert_cmpfloat (pt_double (tm, "median_interval_s"), ==, 0.018);
  g_assert_nonnull (pt_finding (p, "W_RATE_MISMATCH", "clock", NULL));
  f = pt_finding (p, "W_JITTER", "clock", NULL);
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 499);
  g_assert_cmpfloat_with_epsilon (pt_double (tm, "jitter_p99_s"), 0.002, 1e-15);
  g_assert_cmpint (pt_int (tm, "gaps/count"), ==, 0);

  pt_columns_free (cols, 3);
}

/* ---- data quality ---- */

static void
test_quality_clipping (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  const gsize n = 2000;
  g_autofree gint64 *t = pt_regular_times (n, 100);
  double **known = pt_columns_new (3, n);
  double **unknown = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "clipping");
  PtStream with_range = { "ranged", "accel", 100, 3, xyz, "g", "accel", 5, 8, n, t, known };
  PtStream without = { "free", "accel", 100, 3, xyz, "g", "accel", 5, 0, n, t, unknown };
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);
  JsonObject *f;

  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < 3; c++)
      {
        known[c][i] = g_rand_double_range (rand, -1, 1);
        unknown[c][i] = g_rand_double_range (rand, -1, 1);
      }
  /* Range ±8 g: 5 samples at +8 from 100, 2 at +8 from 300 (too short a
   * run), 4 at −7.99 (within 0.1 % of the span) from 500. */
  for (gsize i = 100; i < 105; i++)
    known[0][i] = 8;
  known[0][300] = known[0][301] = 8;
  for (gsize i = 500; i < 504; i++)
    known[0][i] = -7.99;
  /* No range: the channel's largest value 1.5 four times from 200 and once
   * alone at 700; its smallest, −1.5, three times from 800. */
  for (gsize i = 200; i < 204; i++)
    unknown[1][i] = 1.5;
  unknown[1][700] = 1.5;
  for (gsize i = 800; i < 803; i++)
    unknown[1][i] = -1.5;
  pt_add_stream (store, session, &with_range);
  pt_add_stream (store, session, &without);

  p = pt_profile (store, session, NULL);
  f = pt_finding (p, "W_CLIPPING", "ranged", "x");
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 2);
  pt_assert_indexes (f, (gint64[]) { 100, 500 }, 2);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (
                     json_object_get_array_member (f, "locations"), 0), "length"), ==, 5);
  g_assert_cmpint (pt_int (pt_channel (p, "ranged", "x"), "clipping/samples"), ==, 9);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (pt_channel (p, "ranged", "x"),
                                                                                 "clipping"), "basis"), ==, "range");
  g_assert_null (pt_finding (p, "W_CLIPPING", "ranged", "y"));

  f = pt_finding (p, "W_CLIPPING", "free", "y");
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 2);
  pt_assert_indexes (f, (gint64[]) { 200, 800 }, 2);
  g_assert_cmpfloat (pt_double (pt_channel (p, "free", "y"), "clipping/high/limit"), ==, 1.5);
  g_assert_cmpint (pt_int (pt_channel (p, "free", "y"), "clipping/high/runs"), ==, 1);
  g_assert_cmpint (pt_int (pt_channel (p, "free", "y"), "clipping/low/runs"), ==, 1);
  g_assert_null (pt_finding (p, "W_CLIPPING", "free", "x"));

  pt_columns_free (known, 3);
  pt_columns_free (unknown, 3);
}

static void
test_quality_flatline (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  const gsize n = 6000;
  g_autofree gint64 *t = pt_regular_times (n, 100);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "flat");
  PtStream spec = { "imu", "gyro", 100, 3, xyz, "deg/s", "gyro", 3, 0, n, t, cols };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  JsonObject *f, *loc;

  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < 3; c++)
      cols[c][i] = g_rand_double_range (rand, -5, 5);
  /* x stuck at 0.5 for samples 2000..3599 (16 one-second windows), and
   * for 5 s from 4500 (too short to report). */
  for (gsize i = 2000; i < 3600; i++)
    cols[0][i] = 0.5;
  for (gsize i = 4500; i < 5000; i++)
    cols[0][i] = -2;
  pt_add_stream (store, session, &spec);

  p = pt_profile (store, session, NULL);
  f = pt_finding (p, "W_FLATLINE", "imu", "x");
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 1);
  pt_assert_indexes (f, (gint64[]) { 2000 }, 1);
  loc = json_array_get_object_element (json_object_get_array_member (f, "locations"), 0);
  g_assert_cmpint (json_object_get_int_member (loc, "length"), ==, 1600);
  g_assert_cmpfloat (json_object_get_double_member (loc, "duration_s"), ==, 16);
  g_assert_cmpfloat (pt_double (pt_channel (p, "imu", "x"), "flat/total_s"), ==, 16);
  g_assert_null (pt_finding (p, "W_FLATLINE", "imu", "y"));
  pt_columns_free (cols, 3);
}

static void
test_quality_outliers_nonfinite (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  const gsize n = 5000;
  g_autofree gint64 *t = pt_regular_times (n, 50);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "outliers");
  PtStream spec = { "imu", "mag", 50, 3, xyz, "uT", "mag", 5, 0, n, t, cols };
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  JsonObject *f, *ch;

  /* Uniform noise in ±1: median ≈ 0, MAD ≈ 0.5, so no robust z reaches
   * 0.6745 · 1 / 0.5 = 1.35 — but the three spikes of 10 do. */
  for (gsize i = 0; i < n; i++)
    for (guint c = 0; c < 3; c++)
      cols[c][i] = g_rand_double_range (rand, -1, 1);
  cols[0][123] = 10;
  cols[0][2345] = -10;
  cols[0][4000] = 10;
  /* y: two NaN and an infinity. */
  cols[1][10] = NAN;
  cols[1][20] = NAN;
  cols[1][30] = INFINITY;
  pt_add_stream (store, session, &spec);

  p = pt_profile (store, session, NULL);
  f = pt_finding (p, "W_OUTLIER", "imu", "x");
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 3);
  pt_assert_indexes (f, (gint64[]) { 123, 2345, 4000 }, 3);
  g_assert_null (pt_finding (p, "W_OUTLIER", "imu", "z"));

  f = pt_finding (p, "E_NONFINITE", "imu", "y");
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 3);
  pt_assert_indexes (f, (gint64[]) { 10, 20, 30 }, 3);
  ch = pt_channel (p, "imu", "y");
  g_assert_cmpint (pt_int (ch, "count"), ==, n - 3);
  g_assert_cmpint (pt_int (ch, "non_finite"), ==, 3);
  g_assert_true (isfinite (pt_double (ch, "mean")));
  g_assert_cmpuint (imu_profile_count_findings (p, IMU_SEVERITY_ERROR), ==, 1);
  pt_columns_free (cols, 3);
}

/* ---- movement ---- */

static void
test_movement_calibration (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  const double rate = 50;
  const double gain[3] = { 1.02, 0.98, 1.01 };
  const double bias[3] = { 0.03, -0.02, 0.05 };
  const double s = G_SQRT2 / 2;
  const double orient[][3] = {
    { 1, 0, 0 }, { -1, 0, 0 }, { 0, 1, 0 }, { 0, -1, 0 }, { 0, 0, 1 }, { 0, 0, -1 },
    { s, s, 0 }, { -s, 0, s }, { 0, -s, -s }, { s, 0, -s }, { 0, s, s }, { -s, -s, 0 },
  };
  const guint n_orient = G_N_ELEMENTS (orient);
  const gsize per = 30 * 50;   /* 30 s: three still 10 s windows each */
  const gsize n = n_orient * per;
  g_autofree gint64 *t = pt_regular_times (n, rate);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "calibration");
  PtStream spec = { "acc", "accel", rate, 3, xyz, "g", "accel", 5, 0, n, t, cols };
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);
  JsonObject *cal;
  double expected_before = 0;

  for (guint o = 0; o < n_orient; o++)
    {
      double norm = 0;

      for (gsize i = o * per; i < (o + 1) * per; i++)
        for (guint k = 0; k < 3; k++)
          cols[k][i] = orient[o][k] * gain[k] + bias[k] + g_rand_double_range (rand, -0.002, 0.002);
      /* The error of this orientation's still windows, from the model
       * (the noise averages out to well below a milli-g). */
      for (guint k = 0; k < 3; k++)
        norm += (orient[o][k] * gain[k] + bias[k]) * (orient[o][k] * gain[k] + bias[k]);
      expected_before += fabs (sqrt (norm) - 1) / n_orient;
    }
  pt_add_stream (store, session, &spec);

  p = pt_profile (store, session, NULL);
  cal = json_object_get_object_member (json_object_get_object_member (pt_stream (p, "acc"), "movement"),
                                       "calibration");
  g_assert_cmpint (pt_int (cal, "static_windows"), ==, 3 * n_orient);
  g_assert_cmpstr (json_object_get_string_member (cal, "status"), ==, "calibrated");
  g_assert_cmpfloat_with_epsilon (pt_double (cal, "error_before_mg"), expected_before * 1000, 1.0);
  g_assert_cmpfloat (pt_double (cal, "error_after_mg"), <, 1.5);
  /* The fit undoes the model: corrected = (measured + offset) · scale. */
  for (guint k = 0; k < 3; k++)
    {
      JsonArray *offset = json_object_get_array_member (cal, "offset_g");
      JsonArray *scale = json_object_get_array_member (cal, "scale");

      g_assert_cmpfloat_with_epsilon (json_array_get_double_element (offset, k), -bias[k], 0.002);
      g_assert_cmpfloat_with_epsilon (json_array_get_double_element (scale, k), 1 / gain[k], 0.002);
    }
  g_assert_nonnull (pt_finding (p, "W_CALIBRATION", "acc", NULL));
  pt_columns_free (cols, 3);
}

static void
test_movement_frequency_peaks (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  const gsize n = 6000;
  g_autofree gint64 *t = pt_regular_times (n, 100);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "frequency");
  PtStream spec = { "acc", "accel", 100, 3, xyz, "g", "accel", 5, 0, n, t, cols };
  JsonObject *mv;
  guint spikes = 0;

  /* Sines exactly on Welch bins (100 Hz / 256 = 0.390625 Hz): x 8 bins
   * (3.125 Hz), y 20 bins (7.8125 Hz), z 4 bins (1.5625 Hz) about 1 g. */
  for (gsize i = 0; i < n; i++)
    {
      double s = (double) i / 100;

      cols[0][i] = 0.05 * sin (2 * G_PI * 3.125 * s);
      cols[1][i] = 0.05 * sin (2 * G_PI * 7.8125 * s);
      cols[2][i] = 1 + 0.05 * sin (2 * G_PI * 1.5625 * s);
    }
  /* Peaks: one sample of 2.5 g every second from 0.5 s (59 of them); a
   * second spike 0.1 s after four of them (within the 0.25 s refractory
   * time: not counted); two samples in a row above the threshold once
   * (one peak). */
  for (gsize i = 50; i < n; i += 100)
    {
      cols[2][i] = 2.5;
      spikes++;
    }
  cols[2][1060] = cols[2][2060] = cols[2][3060] = cols[2][4060] = 2.2;
  cols[2][5051] = 2.4;
  pt_add_stream (store, session, &spec);

  p = pt_profile (store, session, NULL);
  g_assert_cmpfloat (pt_double (pt_channel (p, "acc", "x"), "dominant_frequency_hz"), ==, 3.125);
  g_assert_cmpfloat (pt_double (pt_channel (p, "acc", "y"), "dominant_frequency_hz"), ==, 7.8125);
  g_assert_cmpfloat (pt_double (pt_channel (p, "acc", "z"), "dominant_frequency_hz"), ==, 1.5625);
  mv = json_object_get_object_member (pt_stream (p, "acc"), "movement");
  g_assert_cmpint (pt_int (mv, "peaks/count"), ==, spikes);
  g_assert_cmpint (spikes, ==, 60);
  g_assert_cmpint (pt_int (mv, "spectrum/segment"), ==, 256);
  pt_columns_free (cols, 3);
}

static void
test_movement_nonwear (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  const double rate = 10;
  const gsize n = 4 * 3600 * 10;
  g_autofree gint64 *t = pt_regular_times (n, rate);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "nonwear");
  PtStream spec = { "acc", "accel", rate, 3, xyz, "g", "accel", 5, 0, n, t, cols };
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  JsonObject *f, *loc, *mv;

  /* Four hours: moving (±0.2 g noise on every axis) except between 60
   * and 180 min, when the sensor lies still (±3 mg). */
  for (gsize i = 0; i < n; i++)
    {
      double minute = (double) i / rate / 60;
      double a = minute >= 60 && minute < 180 ? 0.003 : 0.2;

      cols[0][i] = g_rand_double_range (rand, -a, a);
      cols[1][i] = g_rand_double_range (rand, -a, a);
      cols[2][i] = 1 + g_rand_double_range (rand, -a, a);
    }
  pt_add_stream (store, session, &spec);

  p = pt_profile (store, session, NULL);
  /* GGIR's rule by hand: 16 blocks of 15 min; block h is judged on the
   * hour centred on it, [15h − 22.5, 15h + 37.5) min, shifted inside the
   * recording. Only blocks 6–9 (90–150 min) have their whole hour inside
   * the still 60–180 min, so one period from 90 min, 60 min long. */
  f = pt_finding (p, "W_NONWEAR", "acc", NULL);
  g_assert_nonnull (f);
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 1);
  pt_assert_indexes (f, (gint64[]) { 90 * 60 * 10 }, 1);
  loc = json_array_get_object_element (json_object_get_array_member (f, "locations"), 0);
  g_assert_cmpfloat (json_object_get_double_member (loc, "duration_s"), ==, 3600);
  mv = json_object_get_object_member (pt_stream (p, "acc"), "movement");
  g_assert_cmpint (pt_int (mv, "nonwear/blocks"), ==, 16);
  g_assert_cmpfloat (pt_double (mv, "nonwear/total_s"), ==, 3600);
  /* 60 min of 5 s epochs are non-wear. */
  g_assert_cmpint (pt_int (mv, "intensity/nonwear/epochs"), ==, 720);
  pt_columns_free (cols, 3);
}

static void
test_movement_enmo (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  g_autoptr(ImuProfile) p10 = NULL;
  const gsize n = 6000;
  g_autofree gint64 *t = pt_regular_times (n, 100);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "enmo");
  /* In milli-g, to check the unit conversion too. */
  PtStream spec = { "acc", "accel", 100, 3, xyz, "mg", "accel", 1, 0, n, t, cols };
  JsonObject *ep;
  JsonArray *enmo, *cls;
  ImuProfileOptions opt;
  const double expect[] = { 20, 200, 1000 * sqrt (0.36 + 2.25) - 1000 };
  const char *classes[] = { "sedentary", "moderate", "vigorous" };

  /* 20 s each: |a| = 1.02 g, 1.2 g, √(0.6² + 1.5²) g. */
  for (gsize i = 0; i < n; i++)
    {
      guint part = (guint) (i / 2000);

      cols[0][i] = 0;
      cols[1][i] = part == 2 ? 600 : 0;
      cols[2][i] = part == 0 ? 1020 : part == 1 ? 1200 : 1500;
    }
  pt_add_stream (store, session, &spec);

  p = pt_profile (store, session, NULL);
  ep = json_object_get_object_member (json_object_get_object_member (pt_stream (p, "acc"), "movement"), "epochs");
  g_assert_cmpint (pt_int (ep, "count"), ==, 12);
  enmo = json_object_get_array_member (ep, "enmo_mg");
  cls = json_object_get_array_member (ep, "intensity");
  for (guint e = 0; e < 12; e++)
    {
      g_assert_cmpfloat_with_epsilon (json_array_get_double_element (enmo, e), expect[e / 4], 1e-3);
      g_assert_cmpstr (json_array_get_string_element (cls, e), ==, classes[e / 4]);
    }
  g_assert_cmpint (pt_int (json_object_get_object_member (json_object_get_object_member (pt_stream (p, "acc"),
                                                                                         "movement"), "intensity"),
                           "moderate/epochs"), ==, 4);

  /* --epoch 10: six epochs. */
  imu_profile_options_init (&opt);
  opt.epoch_s = 10;
  p10 = pt_profile (store, session, &opt);
  ep = json_object_get_object_member (json_object_get_object_member (pt_stream (p10, "acc"), "movement"), "epochs");
  g_assert_cmpint (pt_int (ep, "count"), ==, 6);
  g_assert_cmpfloat (pt_double (pt_root (p10), "options/epoch_s"), ==, 10);
  pt_columns_free (cols, 3);
}

/* ---- edge cases ---- */

static void
test_tiny_streams (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  gint64 session = pt_new_session (store, "tiny");
  g_autofree gint64 *t = pt_regular_times (5, 100);
  double **cols = pt_columns_new (3, 5);
  PtStream empty = { "empty", "accel", 100, 3, xyz, "g", "accel", 5, 0, 0, t, cols };
  PtStream one = { "one", "accel", 100, 3, xyz, "g", "accel", 5, 0, 1, t, cols };
  PtStream five = { "five", "accel", 0, 3, xyz, "g", "accel", 5, 0, 5, t, cols };
  JsonObject *ch;

  for (guint i = 0; i < 5; i++)
    {
      cols[0][i] = 0.01 * i;
      cols[1][i] = 0;
      cols[2][i] = 1;
    }
  pt_add_stream (store, session, &empty);
  pt_add_stream (store, session, &one);
  pt_add_stream (store, session, &five);
  p = pt_profile (store, session, NULL);

  /* Nothing to say about nothing: nulls, no crash, a valid document. */
  ch = pt_channel (p, "empty", "x");
  g_assert_cmpint (pt_int (ch, "count"), ==, 0);
  g_assert_true (isnan (pt_double (ch, "mean")));
  g_assert_true (isnan (pt_double (json_object_get_object_member (pt_stream (p, "empty"), "time"),
                                   "effective_rate_hz")));
  ch = pt_channel (p, "one", "z");
  g_assert_cmpint (pt_int (ch, "count"), ==, 1);
  g_assert_cmpfloat (pt_double (ch, "mean"), ==, 1);
  g_assert_true (isnan (pt_double (ch, "std")));
  /* Five samples: a standard deviation, no normality test (scipy needs 8). */
  ch = pt_channel (p, "five", "x");
  g_assert_cmpfloat_with_epsilon (pt_double (ch, "std"), sqrt (0.00025), 1e-15);
  g_assert_true (JSON_NODE_HOLDS_NULL (json_object_get_member (ch, "normality")));
  g_assert_cmpfloat (pt_double (ch, "percentiles/p50"), ==, 0.02);
  g_assert_cmpuint (imu_profile_count_findings (p, IMU_SEVERITY_ERROR), ==, 0);
  pt_columns_free (cols, 3);
}

/* Times at the ends of int64 nanoseconds (2262 and 1677), which no import
 * accepts any more but an old library or a bundle may hold: the profile
 * ends (it used to loop for ever: a window's end overflowed) and counts
 * every sample. */
static void
test_extreme_times (void)
{
  const gint64 ends[] = { G_MAXINT64 - 5000 * G_GINT64_CONSTANT (10000000), G_MININT64 };

  for (guint e = 0; e < G_N_ELEMENTS (ends); e++)
    {
      g_autofree char *path = imu_test_library_path ();
      g_autoptr(GError) error = NULL;
      g_autoptr(ImuStore) store = imu_store_open (path, &error);
      const char *names[] = { "x", "y", "z" };
      g_autofree gint64 *t = g_new (gint64, 5000);
      double **cols = pt_columns_new (3, 5000);
      g_autoptr(ImuProfile) profile = NULL;
      gint64 id;
      PtStream spec = { "acc", "accel", 100, 3, names, "g", "accel", 3, 8, 5000, NULL, NULL };

      g_assert_no_error (error);
      for (gsize i = 0; i < 5000; i++)
        {
          t[i] = ends[e] + (gint64) i * 10000000;
          cols[0][i] = 0.0;
          cols[1][i] = 0.0;
          cols[2][i] = 1.0;   /* a device lying still: flat lines, the windowed checks run */
        }
      spec.t = t;
      spec.cols = cols;
      id = pt_new_session (store, "edge of time");
      pt_add_stream (store, id, &spec);
      profile = pt_profile (store, id, NULL);
      g_assert_cmpint (pt_int (pt_channel (profile, "acc", "z"), "count"), ==, 5000);
      pt_columns_free (cols, 3);
    }
}

static void
test_options_invalid (void)
{
  g_autoptr(GError) error = NULL;
  ImuProfileOptions o;

  imu_profile_options_init (&o);
  g_assert_true (imu_profile_options_validate (&o, &error));
  o.welch_segment = 100;   /* not a power of two */
  g_assert_false (imu_profile_options_validate (&o, &error));
  g_assert_error (error, IMU_PROFILE_ERROR, IMU_PROFILE_ERROR_INVALID_OPTIONS);
  g_clear_error (&error);
  imu_profile_options_init (&o);
  o.nonwear_window_s = 1000;   /* not a whole number of steps */
  g_assert_false (imu_profile_options_validate (&o, &error));
  g_assert_error (error, IMU_PROFILE_ERROR, IMU_PROFILE_ERROR_INVALID_OPTIONS);
}

/* ---- the stored profile ---- */

static gint64
small_session (ImuStore *store, const char *title, gsize n)
{
  g_autofree gint64 *t = pt_regular_times (n, 100);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, title);
  PtStream spec = { "acc", "accel", 100, 3, xyz, "g", "accel", 5, 0, n, t, cols };
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);

  for (gsize i = 0; i < n; i++)
    {
      cols[0][i] = g_rand_double_range (rand, -0.3, 0.3);
      cols[1][i] = g_rand_double_range (rand, -0.3, 0.3);
      cols[2][i] = 1 + g_rand_double_range (rand, -0.3, 0.3);
    }
  pt_add_stream (store, session, &spec);
  pt_columns_free (cols, 3);
  return session;
}

static gint64
sql_int (ImuStore *store, const char *sql)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, sql, NULL);
  gint64 v;

  g_assert_nonnull (stmt);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  v = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return v;
}

static void
test_cache (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = new_store (NULL);
  gint64 session = small_session (store, "cached", 3000);
  ImuProfileOptions opt;
  gboolean needs = FALSE;

  imu_profile_options_init (&opt);
  g_assert_true (imu_profile_needs_update (store, session, &opt, &needs, &error));
  g_assert_true (needs);
  {
    g_autoptr(ImuProfile) first = imu_profile_get_or_compute (store, session, &opt, NULL, NULL, NULL, &error);
    g_autoptr(ImuProfile) again = NULL;

    g_assert_no_error (error);
    g_assert_false (imu_profile_is_cached (first));
    g_assert_cmpint (sql_int (store, "SELECT count(*) FROM profiles"), ==, 1);
    g_assert_cmpint (sql_int (store, "SELECT profiler_version FROM profiles"), ==, IMU_PROFILER_VERSION);
    again = imu_profile_get_or_compute (store, session, &opt, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (imu_profile_is_cached (again));
    pt_assert_valid (again);
    g_assert_cmpstr (json_object_get_string_member (pt_root (again), "data_fingerprint"), ==,
                     json_object_get_string_member (pt_root (first), "data_fingerprint"));
  }

  /* A new title: the stored profile stays, with the new title. */
  {
    g_autoptr(ImuSession) s = imu_store_load_session (store, session, &error);
    g_autoptr(ImuProfile) p = NULL;

    imu_session_set_title (s, "renamed");
    g_assert_true (imu_store_update_session (store, s, &error));
    p = imu_profile_get_or_compute (store, session, &opt, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (imu_profile_is_cached (p));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (pt_root (p), "session"), "title"),
                     ==, "renamed");
  }

  /* Other options: computed again. */
  opt.epoch_s = 2;
  {
    g_autoptr(ImuProfile) p = imu_profile_get_or_compute (store, session, &opt, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_false (imu_profile_is_cached (p));
    g_assert_cmpfloat (pt_double (pt_root (p), "options/epoch_s"), ==, 2);
  }

  /* Another profiler version: computed again. */
  g_assert_true (imu_store_exec (store, "UPDATE profiles SET profiler_version = 0", &error));
  {
    g_autoptr(ImuProfile) p = imu_profile_get_or_compute (store, session, &opt, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_false (imu_profile_is_cached (p));
    g_assert_cmpint (sql_int (store, "SELECT profiler_version FROM profiles"), ==, IMU_PROFILER_VERSION);
  }

  /* Other data (a stream more): computed again, and it has two streams. */
  {
    g_autofree gint64 *t = pt_regular_times (500, 25);
    double **cols = pt_columns_new (1, 500);
    const char *names[] = { "p" };
    PtStream extra = { "pressure", "other", 25, 1, names, "hPa", "other", 2, 0, 500, t, cols };
    g_autoptr(ImuProfile) p = NULL;

    for (guint i = 0; i < 500; i++)
      cols[0][i] = 1000 + i * 0.01;
    pt_add_stream (store, session, &extra);
    pt_columns_free (cols, 1);
    g_assert_true (imu_profile_needs_update (store, session, &opt, &needs, &error));
    g_assert_true (needs);
    p = imu_profile_get_or_compute (store, session, &opt, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_false (imu_profile_is_cached (p));
    g_assert_cmpint (pt_int (pt_root (p), "summary/streams"), ==, 2);
  }
  g_assert_true (imu_profile_needs_update (store, session, &opt, &needs, &error));
  g_assert_false (needs);

  /* Deleting the session deletes its profile. */
  g_assert_true (imu_store_delete_session (store, session, &error));
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM profiles"), ==, 0);
}

typedef struct {
  GMainLoop  *loop;
  ImuProfile *profile;
  GError     *error;
  guint       progress_calls;
  guint64     last_done;
  guint64     last_total;
  gboolean    progress_in_main;
  GThread    *main_thread;
} AsyncState;

static void
async_progress_cb (guint64 done, guint64 total, gpointer data)
{
  AsyncState *st = data;

  st->progress_calls++;
  g_assert_cmpuint (done, <=, total);
  g_assert_cmpuint (done, >=, st->last_done);
  st->last_done = done;
  st->last_total = total;
  st->progress_in_main &= g_thread_self () == st->main_thread;
}

static void
async_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  AsyncState *st = data;

  st->profile = imu_profile_get_or_compute_finish (result, &st->error);
  g_main_loop_quit (st->loop);
}

static void
test_async (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autoptr(ImuStore) store = new_store (&path);
  gint64 session = small_session (store, "async", 300000);
  AsyncState st = { 0 };
  g_autoptr(GCancellable) cancel = g_cancellable_new ();

  st.loop = g_main_loop_new (NULL, FALSE);
  st.main_thread = g_thread_self ();
  st.progress_in_main = TRUE;

  /* Cancelled before it starts: G_IO_ERROR_CANCELLED, nothing stored. */
  g_cancellable_cancel (cancel);
  imu_profile_get_or_compute_async (path, session, NULL, async_progress_cb, &st, NULL, cancel,
                                    async_done_cb, &st);
  g_main_loop_run (st.loop);
  g_assert_error (st.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (st.profile);
  g_clear_error (&st.error);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM profiles"), ==, 0);

  imu_profile_get_or_compute_async (path, session, NULL, async_progress_cb, &st, NULL, NULL,
                                    async_done_cb, &st);
  g_main_loop_run (st.loop);
  g_assert_no_error (st.error);
  g_assert_nonnull (st.profile);
  g_assert_cmpuint (st.progress_calls, >=, 1);
  g_assert_true (st.progress_in_main);
  g_assert_cmpuint (st.last_total, ==, 300000);
  g_assert_cmpuint (st.last_done, ==, 300000);
  g_assert_cmpint (imu_profile_get_session_id (st.profile), ==, session);
  g_assert_cmpint (sql_int (store, "SELECT count(*) FROM profiles"), ==, 1);
  /* A stream this long is split between two threads; the results are
   * those of one thread. */
  {
    ImuProfileOptions one;
    g_autoptr(ImuProfile) single = NULL;
    g_autofree char *a = NULL;
    g_autofree char *b = NULL;

    imu_profile_options_init (&one);
    one.threads = 1;
    single = pt_profile (store, session, &one);
    a = imu_profile_root_to_text (json_object_get_member (pt_root (single), "streams"), FALSE, NULL);
    b = imu_profile_root_to_text (json_object_get_member (pt_root (st.profile), "streams"), FALSE, NULL);
    g_assert_cmpstr (a, ==, b);
  }
  g_clear_pointer (&st.profile, imu_profile_unref);
  g_main_loop_unref (st.loop);
}

/* ---- outputs ---- */

static char *
write_to_file (ImuProfile *p, ImuStore *store, const char *name, int which)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = imu_test_tmpdir ();
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);

  g_assert_no_error (error);
  if (which == 0)
    g_assert_true (imu_profile_write_json (p, G_OUTPUT_STREAM (out), NULL, &error));
  else if (which == 1)
    g_assert_true (imu_profile_write_metrics_csv (p, G_OUTPUT_STREAM (out), NULL, &error));
  else
    g_assert_true (imu_profile_write_html (p, store, G_OUTPUT_STREAM (out), NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  return path;
}

static void
test_outputs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuProfile) p = NULL;
  g_autoptr(ImuProfile) back = NULL;
  const gsize n = 12000;
  g_autofree gint64 *t = g_new (gint64, n);
  double **cols = pt_columns_new (3, n);
  gint64 session = pt_new_session (store, "Outputs <&> test");
  PtStream spec = { "accelerometer", "accel", 100, 3, xyz, "g", "accel", 5, 0, n, t, cols };
  g_autoptr(GRand) rand = g_rand_new_with_seed (10);
  g_autofree char *json_path = NULL, *csv_path = NULL, *html_path = NULL;
  g_autofree char *json = NULL, *csv = NULL, *html = NULL;
  g_auto(GStrv) lines = NULL;

  for (gsize i = 0; i < n; i++)
    {
      /* a 6 s gap at sample 6000 (60 s) */
      t[i] = PT_T0 + (gint64) i * 10 * MS + (i >= 6000 ? 6000 * MS : 0);
      cols[0][i] = 0.2 * sin (i / 20.0) + g_rand_double_range (rand, -0.01, 0.01);
      cols[1][i] = g_rand_double_range (rand, -0.05, 0.05);
      cols[2][i] = 1 + (i % 400 < 200 ? 0.4 : 0) + g_rand_double_range (rand, -0.05, 0.05);
    }
  pt_add_stream (store, session, &spec);
  p = pt_profile (store, session, NULL);

  json_path = write_to_file (p, store, "profile.json", 0);
  g_assert_true (g_file_get_contents (json_path, &json, NULL, &error));
  /* Numbers in their shortest form, the document read back the same. */
  g_assert_nonnull (strstr (json, "\"light_mg\": 45.8,"));
  back = imu_profile_new_from_json (json, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_profile_get_n_findings (back), ==, imu_profile_get_n_findings (p));
  {
    g_autoptr(ImuFinding) f = imu_profile_dup_finding (back, 0);
    g_assert_cmpstr (f->code, ==, "W_GAP");
    g_assert_cmpint (f->severity, ==, IMU_SEVERITY_WARNING);
    g_assert_cmpstr (f->stream, ==, "accelerometer");
  }
  g_assert_null (imu_profile_new_from_json ("{\"schema\": \"other\"}", -1, &error));
  g_assert_error (error, IMU_PROFILE_ERROR, IMU_PROFILE_ERROR_CORRUPT);
  g_clear_error (&error);

  /* metrics.csv: a header and one row per 5 s epoch (126 s: 26 epochs),
   * the epoch 60–65 s in the gap empty. */
  csv_path = write_to_file (p, store, "metrics.csv", 1);
  g_assert_true (g_file_get_contents (csv_path, &csv, NULL, &error));
  lines = g_strsplit (csv, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "start,stream,samples,enmo_mg,mean_x_g,std_x_g,mean_y_g,std_y_g,mean_z_g,std_z_g,"
                                 "magnitude_g,intensity,nonwear,peaks");
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 26 + 1);
  g_assert_true (g_str_has_prefix (lines[1], "2024-03-12T17:30:00.000Z,accelerometer,500,"));
  g_assert_true (g_str_has_prefix (lines[13], "2024-03-12T17:31:00.000Z,accelerometer,0,,,,,,,,,,0,0"));
  g_assert_cmpstr (lines[27], ==, "");

  /* report.html: self-contained. */
  html_path = write_to_file (p, store, "report.html", 2);
  g_assert_true (g_file_get_contents (html_path, &html, NULL, &error));
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
  g_assert_nonnull (strstr (html, "<svg"));
  g_assert_nonnull (strstr (html, "<polygon"));
  g_assert_nonnull (strstr (html, "W_GAP"));
  g_assert_nonnull (strstr (html, "Outputs &lt;&amp;&gt; test"));
  g_assert_null (strstr (html, "<script"));
  g_assert_null (strstr (html, "src="));
  g_assert_null (strstr (html, "<link"));
  g_assert_null (strstr (html, "url("));
  g_assert_null (strstr (html, "@import"));

  /* Rendered by a headless Chromium when there is one. */
  {
    const char *browsers[] = { "chromium", "chromium-browser", "google-chrome" };
    g_autofree char *browser = NULL;

    for (guint i = 0; i < G_N_ELEMENTS (browsers) && browser == NULL; i++)
      browser = g_find_program_in_path (browsers[i]);
    if (browser == NULL)
      g_test_message ("no chromium: report.html not rendered");
    else
      {
        g_autofree char *png = g_build_filename (imu_test_builddir (), "profile-report.png", NULL);
        g_autofree char *shot = g_strdup_printf ("--screenshot=%s", png);
        g_autofree char *url = g_filename_to_uri (html_path, NULL, &error);
        g_autofree char *profile_dir = imu_test_tmpdir ();
        g_autofree char *user_data = g_strdup_printf ("--user-data-dir=%s", profile_dir);
        const char *argv[] = { browser, "--headless", "--no-sandbox", "--disable-gpu",
                               "--disable-background-networking", user_data, shot,
                               "--window-size=1280,2400", url, NULL };
        g_autoptr(GSubprocess) proc = NULL;
        GStatBuf st;

        g_unlink (png);
        proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
        g_assert_no_error (error);
        g_assert_true (g_subprocess_wait (proc, NULL, &error));
        g_assert_cmpint (g_stat (png, &st), ==, 0);
        g_assert_cmpint (st.st_size, >, 20000);
        g_test_message ("report rendered to %s", png);
      }
  }
  pt_columns_free (cols, 3);
}

static void
test_import_audit (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(ImuProfile) p = NULL;
  g_autoptr(GString) csv = g_string_new ("time,acc_x (g),acc_y (g),acc_z (g)\n");
  g_autofree char *path = NULL;
  JsonObject *f, *audit;

  for (guint i = 0; i < 400; i++)
    {
      if (i == 150 || i == 300)
        g_string_append_printf (csv, "%u.%02u,abc,0.1,1.0\n", 1710264600 + i / 100, i % 100);
      else
        g_string_append_printf (csv, "%u.%02u,0.0%u,0.1,1.0\n", 1710264600 + i / 100, i % 100, i % 10);
    }
  path = imu_test_write_file ("bad-lines.csv", csv->str, (gssize) csv->len);
  result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  p = pt_profile (store, result->session_id, NULL);

  /* Lines 152 and 302 (the header is line 1) were rejected at import. */
  f = pt_finding (p, "E_NUMERIC_FORMAT", NULL, NULL);
  g_assert_nonnull (f);
  g_assert_cmpstr (json_object_get_string_member (f, "source"), ==, "import");
  g_assert_cmpint (json_object_get_int_member (f, "count"), ==, 2);
  {
    JsonArray *locs = json_object_get_array_member (f, "locations");
    g_assert_cmpuint (json_array_get_length (locs), ==, 2);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (locs, 0), "line"), ==, 152);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (locs, 1), "line"), ==, 302);
  }
  audit = json_array_get_object_element (json_object_get_array_member (pt_root (p), "imports"), 0);
  g_assert_cmpstr (json_object_get_string_member (audit, "sha256"), ==, result->sha256);
  g_assert_cmpint (json_object_get_int_member (audit, "bytes"), ==, (gint64) csv->len);
  g_assert_cmpint (json_object_get_int_member (audit, "rows"), ==, 398);
  g_assert_cmpstr (json_object_get_string_member (audit, "delimiter"), ==, ",");
  g_assert_true (json_object_get_boolean_member (audit, "utf8_valid"));
  g_assert_cmpint (pt_int (audit, "issues/E_NUMERIC_FORMAT/count"), ==, 2);
}

/* ---- `imu profile` ---- */

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *r)
{
  g_free (r->out);
  g_free (r->err);
}

static Run
imu (const char *library, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = NULL;
  Run r = { 0 };
  va_list ap;
  const char *arg;

  g_ptr_array_add (argv, (char *) IMU_CLI_PATH);
  g_ptr_array_add (argv, (char *) "--library");
  g_ptr_array_add (argv, (char *) library);
  va_start (ap, library);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_newv ((const char * const *) argv->pdata,
                         G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &r.out, &r.err, &error));
  g_assert_no_error (error);
  r.status = g_subprocess_get_exit_status (p);
  return r;
}

static void
test_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *html = g_build_filename (dir, "report.html", NULL);
  g_autofree char *csv = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *json_file = g_build_filename (dir, "out.json", NULL);
  g_autofree char *clean_id = NULL, *bad_id = NULL;
  gint64 clean, bad;
  Run r;

  {
    g_autoptr(ImuStore) store = new_store (&path);
    const gsize n = 2000;
    g_autofree gint64 *t = pt_regular_times (n, 100);
    double **cols = pt_columns_new (3, n);
    PtStream spec = { "acc", "accel", 100, 3, xyz, "g", "accel", 5, 0, n, t, cols };

    clean = small_session (store, "clean", 3000);
    bad = pt_new_session (store, "with NaN");
    for (gsize i = 0; i < n; i++)
      {
        cols[0][i] = i % 7 * 0.01;
        cols[1][i] = i % 5 * 0.01;
        cols[2][i] = i == 77 ? NAN : 1 + i % 3 * 0.01;
      }
    pt_add_stream (store, bad, &spec);
    pt_columns_free (cols, 3);
  }
  clean_id = g_strdup_printf ("%" G_GINT64_FORMAT, clean);
  bad_id = g_strdup_printf ("%" G_GINT64_FORMAT, bad);

  /* --json: profile.json on stdout. */
  r = imu (path, "profile", clean_id, "--json", "--epoch", "2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(ImuProfile) p = imu_profile_new_from_json (r.out, -1, &error);

    g_assert_no_error (error);
    g_assert_cmpint (imu_profile_get_session_id (p), ==, clean);
    g_assert_cmpfloat (pt_double (pt_root (p), "options/epoch_s"), ==, 2);
    pt_assert_valid (p);
  }
  run_clear (&r);

  /* Reports to files; the text summary names them. */
  r = imu (path, "profile", bad_id, "--html", html, "--csv", csv, "-o", json_file, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "E_NONFINITE"));
  g_assert_nonnull (strstr (r.out, html));
  g_assert_true (g_file_test (html, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (csv, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (json_file, G_FILE_TEST_EXISTS));
  run_clear (&r);

  /* --strict: an E_ finding is exit code 2; a clean session 0. */
  r = imu (path, "profile", bad_id, "--strict", NULL);
  g_assert_cmpint (r.status, ==, 2);
  run_clear (&r);
  r = imu (path, "profile", clean_id, "--strict", NULL);
  g_assert_cmpint (r.status, ==, 0);
  run_clear (&r);

  /* --all: a table of every session; the second time all are stored. */
  r = imu (path, "profile", "--all", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_autoptr(JsonParser) parser = json_parser_new ();
    JsonArray *a;

    g_assert_true (json_parser_load_from_data (parser, r.out, -1, &error));
    a = json_node_get_array (json_parser_get_root (parser));
    g_assert_cmpuint (json_array_get_length (a), ==, 2);
    for (guint i = 0; i < 2; i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (a, i), "profile"), ==, "stored");
  }
  run_clear (&r);
  r = imu (path, "profile", "--all", "--strict", "--epoch", "3", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.out, "computed"));
  g_assert_nonnull (strstr (r.out, "with NaN"));
  run_clear (&r);

  /* Usage errors and a missing session. */
  r = imu (path, "profile", NULL);
  g_assert_cmpint (r.status, ==, 1);
  run_clear (&r);
  r = imu (path, "profile", clean_id, "--epoch", "0", NULL);
  g_assert_cmpint (r.status, ==, 1);
  run_clear (&r);
  r = imu (path, "profile", "999", NULL);
  g_assert_cmpint (r.status, ==, 4);
  run_clear (&r);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/profile/stats/moments", test_stats_moments);
  g_test_add_func ("/core/profile/time/extreme", test_extreme_times);
  g_test_add_func ("/core/profile/stats/distributions", test_stats_distributions);
  g_test_add_func ("/core/profile/stats/sketch-rank-error", test_stats_sketch);
  g_test_add_func ("/core/profile/stats/exact-wide", test_stats_exact_wide);
  g_test_add_func ("/core/profile/stats/fft", test_fft);
  g_test_add_func ("/core/profile/time/defects", test_time_defects);
  g_test_add_func ("/core/profile/quality/clipping", test_quality_clipping);
  g_test_add_func ("/core/profile/quality/flatline", test_quality_flatline);
  g_test_add_func ("/core/profile/quality/outliers-nonfinite", test_quality_outliers_nonfinite);
  g_test_add_func ("/core/profile/movement/calibration", test_movement_calibration);
  g_test_add_func ("/core/profile/movement/frequency-peaks", test_movement_frequency_peaks);
  g_test_add_func ("/core/profile/movement/nonwear", test_movement_nonwear);
  g_test_add_func ("/core/profile/movement/enmo-intensity", test_movement_enmo);
  g_test_add_func ("/core/profile/edge/tiny-streams", test_tiny_streams);
  g_test_add_func ("/core/profile/edge/invalid-options", test_options_invalid);
  g_test_add_func ("/core/profile/store/cache", test_cache);
  g_test_add_func ("/core/profile/store/async", test_async);
  g_test_add_func ("/core/profile/outputs", test_outputs);
  g_test_add_func ("/core/profile/import-audit", test_import_audit);
  g_test_add_func ("/cli/profile", test_cli);
  return g_test_run ();
}
