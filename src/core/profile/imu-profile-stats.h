/* imu-profile-stats.h — one-pass statistics for the profiler: moments,
 * percentiles (exact or with a bounded rank error) and the
 * D'Agostino–Pearson normality test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Conventions (docs/profile.md, "Statistics"): the standard deviation is
 * the sample one (ddof = 1); skewness and excess kurtosis are the
 * bias-corrected estimators G1 and G2, i.e. scipy.stats.skew(x, bias=False)
 * and scipy.stats.kurtosis(x, fisher=True, bias=False); percentiles follow
 * numpy.percentile's default (method="linear"); the normality test is
 * scipy.stats.normaltest. Every function here works on finite values only:
 * the caller counts and leaves out NaN and ±Inf.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ImuMoments:
 * @n: number of values
 * @mean: their mean
 * @m2: Σ(x − mean)²
 * @m3: Σ(x − mean)³
 * @m4: Σ(x − mean)⁴
 * @min: smallest value (+Inf when @n is 0)
 * @max: largest value (−Inf when @n is 0)
 *
 * Running central moments. Values are added a block at a time: each block
 * is summed about its own mean (two passes over data that sits in the
 * cache) and merged with the running totals by the pairwise update of
 * Chan et al. and Pébay (2008), which keeps full double precision where
 * Σx, Σx², … would cancel catastrophically.
 */
typedef struct {
  gint64 n;
  double mean;
  double m2;
  double m3;
  double m4;
  double min;
  double max;
} ImuMoments;

void     imu_moments_init      (ImuMoments       *m);
/* Adds @n finite values. */
void     imu_moments_add       (ImuMoments       *m,
                                const double     *x,
                                gsize             n);
void     imu_moments_merge     (ImuMoments       *m,
                                const ImuMoments *other);
/* Sample variance and standard deviation (ddof = 1); NaN when n < 2. */
double   imu_moments_variance  (const ImuMoments *m);
double   imu_moments_std       (const ImuMoments *m);
/* Skewness and excess kurtosis as scipy.stats.skew/kurtosis with @bias;
 * NaN where scipy gives NaN (constant data, too few values). */
double   imu_moments_skewness  (const ImuMoments *m,
                                gboolean          bias);
double   imu_moments_kurtosis  (const ImuMoments *m,
                                gboolean          bias);

/**
 * ImuNormalTest:
 * @k2: D'Agostino–Pearson K² = z_skew² + z_kurt²
 * @p: its p-value, the χ²(2) survival function exp(−K²/2)
 * @z_skew: the skewness test statistic (scipy.stats.skewtest)
 * @p_skew: its two-sided p-value
 * @z_kurt: the kurtosis test statistic (scipy.stats.kurtosistest)
 * @p_kurt: its two-sided p-value
 */
typedef struct {
  double k2;
  double p;
  double z_skew;
  double p_skew;
  double z_kurt;
  double p_kurt;
} ImuNormalTest;

/* The D'Agostino–Pearson test as scipy.stats.normaltest computes it.
 * Returns FALSE (and leaves @out untouched) when it is undefined: fewer
 * than 8 values (scipy raises) or constant data. */
gboolean imu_normal_test       (const ImuMoments *m,
                                ImuNormalTest    *out);

/* The standard normal distribution, through erfc so that tails keep their
 * relative precision: Φ(z) and 1 − Φ(z). */
double   imu_normal_cdf        (double z);
double   imu_normal_sf         (double z);
/* The survival function of the χ² distribution with 2 degrees of freedom. */
double   imu_chi2_sf_2         (double x);

/* numpy's linear interpolation between two neighbouring order statistics
 * (numpy.lib.function_base._lerp, the same floating-point operations). */
double   imu_lerp_numpy        (double a,
                                double b,
                                double t);

/**
 * ImuQuantiles:
 *
 * The distribution of one channel (or of the sampling intervals), kept in
 * bounded memory during one pass, for percentiles, the median, the median
 * absolute deviation, counts in ranges and histograms afterwards.
 *
 * Exact mode: IMU columns are mostly decimal-scaled integers (a CSV with 5
 * decimals, ADC counts). When a value equals k / 10^d exactly for an
 * integer k (checked value by value), the structure counts occurrences of
 * k in pages of 4096 consecutive keys allocated on first use, with rarely
 * seen far keys (long gaps between samples) in a small hash table. Every
 * answer is then exact, and values come back bit-identical.
 *
 * Sketch mode: when values are not decimal-scaled (a float column), when d
 * is unknown, or when the exact structure would outgrow its memory cap
 * (IMU_QUANTILES_MAX_PAGES pages, IMU_QUANTILES_MAX_FAR far keys), it turns
 * into a deterministic merge-and-reduce quantile sketch (Manku, Rajagopalan
 * and Lindsay 1998): buffers of IMU_QUANTILES_SKETCH_K values per level;
 * a full buffer is sorted and every other value is promoted to the next
 * level with twice the weight. One such compaction moves the rank of any
 * value by at most the weight of the buffer's items; the structure adds
 * these weights up as it goes, so it knows a guaranteed bound on the rank
 * error of every answer (imu_quantiles_get_rank_error()). Level h compacts
 * at most n / (2^h·K) times, each time with error ≤ 2^h, so the bound is at
 * most (⌊log2(n / K)⌋ + 1) · n / K: with K = 32768 it stays below 0.1 % of
 * n up to n = 2^40 values.
 */
typedef struct _ImuQuantiles ImuQuantiles;

#define IMU_QUANTILES_PAGE_BITS   12
#define IMU_QUANTILES_MAX_PAGES   1024      /* 16 MiB of counters */
#define IMU_QUANTILES_MAX_DIR     65536     /* span of the paged key window, in pages */
#define IMU_QUANTILES_MAX_FAR     65536     /* distinct keys outside the window */
#define IMU_QUANTILES_SKETCH_K    32768

/* @decimals: 0..15 for decimal-scaled values, -1 to start as a sketch. */
ImuQuantiles *imu_quantiles_new           (int            decimals);
/* Integer keys (timestamps intervals in ns): always exact unless the
 * memory caps are reached. */
ImuQuantiles *imu_quantiles_new_integer   (void);
void          imu_quantiles_free          (ImuQuantiles  *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuQuantiles, imu_quantiles_free)

/* Adds @n finite values (values mode). */
void          imu_quantiles_add           (ImuQuantiles  *self,
                                           const double  *x,
                                           gsize          n);
/* Adds @n integer keys (integer mode). */
void          imu_quantiles_add_integers  (ImuQuantiles  *self,
                                           const gint64  *k,
                                           gsize          n);
/* Ends the input; every query below needs it. */
void          imu_quantiles_finish        (ImuQuantiles  *self);

gint64        imu_quantiles_get_count     (ImuQuantiles  *self);
/* TRUE in exact mode, and for a sketch that never compacted. */
gboolean      imu_quantiles_is_exact      (ImuQuantiles  *self);
/* Guaranteed bound on the rank error of any answer, as a fraction of the
 * count: 0 in exact mode. */
double        imu_quantiles_get_rank_error (ImuQuantiles *self);
/* Bytes of memory held (for tests and benchmarks). */
gsize         imu_quantiles_get_memory    (ImuQuantiles  *self);

/* The value of rank @rank (0-based) in sorted order. */
double        imu_quantiles_select        (ImuQuantiles  *self,
                                           gint64         rank);
/* numpy.percentile (q in 0..100, linear) and numpy.median. */
double        imu_quantiles_percentile    (ImuQuantiles  *self,
                                           double         q);
double        imu_quantiles_median        (ImuQuantiles  *self);
/**
 * imu_quantiles_abs_dev_percentile:
 * @center: the point deviations are measured from (the median)
 * @lo: (inclusive) only values ≥ @lo count…
 * @hi: (inclusive) …and ≤ @hi
 * @q: 0..100
 *
 * numpy.percentile(|x − center|, q) over the values in [@lo, @hi];
 * q = 50 and the whole range gives the median absolute deviation
 * (numpy.median(|x − median|), not scaled by 1.4826). NaN when no value
 * is in range.
 */
double        imu_quantiles_abs_dev_percentile (ImuQuantiles *self,
                                                double        center,
                                                double        lo,
                                                double        hi,
                                                double        q);
/* Number of values < @x (or ≤ @x when @inclusive). */
gint64        imu_quantiles_count_below   (ImuQuantiles  *self,
                                           double         x,
                                           gboolean       inclusive);
/* Number of values x with 0.6745 · |x − @median| / @mad > @z_max (the
 * robust z-score of Iglewicz and Hoaglin), evaluated with exactly these
 * floating-point operations; 0 when @mad is not > 0. */
gint64        imu_quantiles_count_robust_outliers (ImuQuantiles *self,
                                                   double        median,
                                                   double        mad,
                                                   double        z_max);
/* Count, mean and Σ(v − mean)² of the values in [@lo, @hi]. */
void          imu_quantiles_range_moments (ImuQuantiles  *self,
                                           double         lo,
                                           double         hi,
                                           gint64        *count,
                                           double        *mean,
                                           double        *m2);
/* Counts values in @n_bins equal bins between @lo and @hi (the last bin
 * includes @hi). */
void          imu_quantiles_histogram     (ImuQuantiles  *self,
                                           double         lo,
                                           double         hi,
                                           guint          n_bins,
                                           gint64        *counts);

G_END_DECLS
