/* imu-profile-stats.c — one-pass statistics for the profiler
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-profile"

#include <math.h>
#include <string.h>

#include "imu-profile-stats.h"

/* ---- moments ---- */

void
imu_moments_init (ImuMoments *m)
{
  memset (m, 0, sizeof *m);
  m->min = INFINITY;
  m->max = -INFINITY;
}

/* Merges the central sums of block b into a (Pébay 2008, eq. 3.1). */
static void
merge_central (ImuMoments *a,
               gint64      nb_i,
               double      mean_b,
               double      m2b,
               double      m3b,
               double      m4b)
{
  double na, nb, n, delta, delta_n, delta_n2, term;

  if (nb_i == 0)
    return;
  if (a->n == 0)
    {
      a->n = nb_i;
      a->mean = mean_b;
      a->m2 = m2b;
      a->m3 = m3b;
      a->m4 = m4b;
      return;
    }
  na = (double) a->n;
  nb = (double) nb_i;
  n = na + nb;
  delta = mean_b - a->mean;
  delta_n = delta / n;
  delta_n2 = delta_n * delta_n;
  term = delta * delta_n * na * nb;

  a->m4 += m4b + term * delta_n2 * (na * na - na * nb + nb * nb)
           + 6.0 * delta_n2 * (na * na * m2b + nb * nb * a->m2)
           + 4.0 * delta_n * (na * m3b - nb * a->m3);
  a->m3 += m3b + term * delta_n * (na - nb) + 3.0 * delta_n * (na * m2b - nb * a->m2);
  a->m2 += m2b + term;
  a->mean += delta_n * nb;
  a->n += nb_i;
}

/* Two doubles at a time with GCC vector extensions (SSE2 on x86-64, NEON
 * on AArch64); memcpy loads assume no alignment. */
typedef double V2 __attribute__ ((vector_size (16)));

static inline V2
v2_load (const double *p)
{
  V2 v;

  memcpy (&v, p, sizeof v);
  return v;
}

void
imu_moments_add (ImuMoments   *m,
                 const double *x,
                 gsize         n)
{
  /* Blocks of at most 4096 values: the second pass reads from the cache. */
  while (n > 0)
    {
      gsize nb = MIN (n, (gsize) 4096), i;
      V2 s0 = { 0, 0 }, s1 = { 0, 0 };
      double tail = 0;
      double lo = m->min, hi = m->max;
      double mean, c_tail = 0, a2 = 0, a3 = 0, a4 = 0;
      V2 c = { 0, 0 }, v2 = { 0, 0 }, v3 = { 0, 0 }, v4 = { 0, 0 }, mu;

      /* Partial sums: independent dependency chains, and a smaller
       * rounding error than one running sum. */
      for (i = 0; i + 4 <= nb; i += 4)
        {
          s0 += v2_load (x + i);
          s1 += v2_load (x + i + 2);
        }
      for (; i < nb; i++)
        tail += x[i];
      for (i = 0; i < nb; i++)
        {
          lo = x[i] < lo ? x[i] : lo;
          hi = x[i] > hi ? x[i] : hi;
        }
      s0 += s1;
      mean = ((s0[0] + s0[1]) + tail) / (double) nb;

      mu = (V2) { mean, mean };
      for (i = 0; i + 2 <= nb; i += 2)
        {
          V2 d = v2_load (x + i) - mu, d2 = d * d;

          c += d;
          v2 += d2;
          v3 += d2 * d;
          v4 += d2 * d2;
        }
      for (; i < nb; i++)
        {
          double d = x[i] - mean, d2 = d * d;

          c_tail += d;
          a2 += d2;
          a3 += d2 * d;
          a4 += d2 * d2;
        }
      /* The residual Σ(x − mean) corrects the rounding of the mean (the
       * "corrected two-pass" algorithm of Chan, Golub and LeVeque). */
      {
        double cs = (c[0] + c[1]) + c_tail, corr = cs / (double) nb;
        double m2b = ((v2[0] + v2[1]) + a2) - cs * corr;

        merge_central (m, (gint64) nb, mean + corr, m2b, (v3[0] + v3[1]) + a3, (v4[0] + v4[1]) + a4);
      }
      m->min = lo;
      m->max = hi;
      x += nb;
      n -= nb;
    }
}

void
imu_moments_merge (ImuMoments       *m,
                   const ImuMoments *other)
{
  merge_central (m, other->n, other->mean, other->m2, other->m3, other->m4);
  m->min = MIN (m->min, other->min);
  m->max = MAX (m->max, other->max);
}

double
imu_moments_variance (const ImuMoments *m)
{
  if (m->n < 2)
    return NAN;
  return m->m2 / (double) (m->n - 1);
}

double
imu_moments_std (const ImuMoments *m)
{
  return sqrt (imu_moments_variance (m));
}

/* scipy treats the data as constant when the biased variance is below
 * (float64 resolution · mean)²; skewness and kurtosis are then NaN. */
static gboolean
is_constant (const ImuMoments *m)
{
  double m2 = m->m2 / (double) m->n;
  double r = 1e-15 * m->mean;

  return m2 <= r * r;
}

double
imu_moments_skewness (const ImuMoments *m,
                      gboolean          bias)
{
  double n = (double) m->n, m2, m3, g1;

  if (m->n < 1 || is_constant (m))
    return NAN;
  m2 = m->m2 / n;
  m3 = m->m3 / n;
  g1 = m3 / pow (m2, 1.5);
  if (!bias && m->n > 2)
    g1 = sqrt ((n - 1.0) * n) / (n - 2.0) * m3 / pow (m2, 1.5);
  return g1;
}

double
imu_moments_kurtosis (const ImuMoments *m,
                      gboolean          bias)
{
  double n = (double) m->n, m2, m4, b2;

  if (m->n < 1 || is_constant (m))
    return NAN;
  m2 = m->m2 / n;
  m4 = m->m4 / n;
  b2 = m4 / pow (m2, 2.0);
  if (!bias && m->n > 3)
    b2 = 1.0 / (n - 2) / (n - 3) * ((n * n - 1.0) * m4 / pow (m2, 2.0) - 3 * pow (n - 1, 2.0)) + 3.0;
  return b2 - 3.0;
}

/* ---- distributions ---- */

/* Cephes' MAXLOG, log(DBL_MAX): below e^−MAXLOG its functions return 0
 * rather than a subnormal number; scipy.special inherits that, and so do
 * we, so that tiny p-values agree (0, not 5e-313). */
#define CEPHES_MAXLOG 7.09782712893383996843e2

/* Φ(z) as Cephes' ndtr (which scipy.special uses): erf near 0, erfc in
 * the tails. */
double
imu_normal_cdf (double z)
{
  double x = z * G_SQRT2 / 2.0, az = fabs (x), y;

  if (isnan (z))
    return NAN;
  if (az < G_SQRT2 / 2.0)
    return 0.5 + 0.5 * erf (x);
  y = az * az > CEPHES_MAXLOG ? 0.0 : 0.5 * erfc (az);
  return x > 0 ? 1.0 - y : y;
}

double
imu_normal_sf (double z)
{
  return imu_normal_cdf (-z);
}

/* The χ²(k) survival function is Q(k/2, x/2); for k = 2 that is e^(−x/2). */
double
imu_chi2_sf_2 (double x)
{
  if (isnan (x))
    return NAN;
  if (x <= 0)
    return 1.0;
  if (x / 2.0 > CEPHES_MAXLOG)
    return 0.0;
  return exp (-x / 2.0);
}

double
imu_lerp_numpy (double a,
                double b,
                double t)
{
  double diff = b - a;
  double r = a + diff * t;

  /* numpy interpolates from the nearer end, so that t = 1 gives b exactly. */
  if (t >= 0.5)
    r = b - diff * (1 - t);
  return r;
}

gboolean
imu_normal_test (const ImuMoments *m,
                 ImuNormalTest    *out)
{
  double n = (double) m->n;
  double b1, b2, y, beta2, w2, delta, alpha, z_skew;
  double e, varb2, x, sqrtbeta1, a, term1, denom, term2, z_kurt;
  double nn;

  if (m->n < 8 || is_constant (m))
    return FALSE;

  /* Skewness test (D'Agostino 1970), as scipy.stats.skewtest. */
  b1 = (m->m3 / n) / pow (m->m2 / n, 1.5);
  y = b1 * sqrt (((n + 1) * (n + 3)) / (6.0 * (n - 2)));
  nn = (double) (m->n * m->n + 27 * m->n - 70);
  beta2 = (3.0 * nn * (n + 1) * (n + 3) / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9)));
  w2 = -1 + sqrt (2 * (beta2 - 1));
  delta = 1 / sqrt (0.5 * log (w2));
  alpha = sqrt (2.0 / (w2 - 1));
  if (y == 0)
    y = 1;
  z_skew = delta * log (y / alpha + sqrt ((y / alpha) * (y / alpha) + 1));

  /* Kurtosis test (Anscombe and Glynn 1983), as scipy.stats.kurtosistest. */
  b2 = (m->m4 / n) / pow (m->m2 / n, 2.0);
  e = 3.0 * (n - 1) / (n + 1);
  varb2 = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1.) * (n + 3) * (n + 5));
  x = (b2 - e) / sqrt (varb2);
  sqrtbeta1 = 6.0 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9))
              * sqrt ((6.0 * (n + 3) * (n + 5)) / (n * (n - 2) * (n - 3)));
  a = 6.0 + 8.0 / sqrtbeta1 * (2.0 / sqrtbeta1 + sqrt (1 + 4.0 / (sqrtbeta1 * sqrtbeta1)));
  term1 = 1 - 2 / (9.0 * a);
  denom = 1 + x * sqrt (2 / (a - 4.0));
  if (denom == 0.0)
    return FALSE;
  term2 = (denom > 0 ? 1.0 : -1.0) * pow ((1 - 2.0 / a) / fabs (denom), 1 / 3.0);
  z_kurt = (term1 - term2) / sqrt (2 / (9.0 * a));

  out->z_skew = z_skew;
  out->p_skew = 2 * imu_normal_sf (fabs (z_skew));
  out->z_kurt = z_kurt;
  out->p_kurt = 2 * imu_normal_sf (fabs (z_kurt));
  out->k2 = z_skew * z_skew + z_kurt * z_kurt;
  out->p = imu_chi2_sf_2 (out->k2);
  return TRUE;
}

/* ---- quantiles ---- */

#define PAGE_SIZE_KEYS (1 << IMU_QUANTILES_PAGE_BITS)
#define PAGE_MASK      (PAGE_SIZE_KEYS - 1)
#define SUB_BITS       6
#define SUB_SIZE       (1 << SUB_BITS)
#define N_SUB          (PAGE_SIZE_KEYS / SUB_SIZE)
#define MAX_LEVELS     64
/* Adding then subtracting 1.5·2^52 rounds a double below 2^51 to the
 * nearest integer (ties to even) without a libm call. */
#define ROUND_MAGIC    6755399441055744.0
#define KEY_LIMIT      2251799813685248.0   /* 2^51 */

typedef struct {
  double *buf;     /* capacity 2·K */
  guint   len;
  guint   parity;
} SketchLevel;

typedef struct {
  gint64  key;
  guint64 count;
} FarEntry;

struct _ImuQuantiles
{
  gboolean   integer;
  int        decimals;
  double     scale;
  gboolean   exact;
  gboolean   finished;
  gint64     n;

  /* exact mode */
  gint64     page_lo;
  guint      dir_len;
  guint32  **dir;
  guint      n_pages;
  GHashTable *far;         /* gint64 key → FarEntry */

  /* exact mode, after finish */
  gint64    *page_prefix;  /* [dir_len + 1] */
  gint64   **sub_prefix;   /* [dir_len][N_SUB] for allocated pages */
  FarEntry  *far_sorted;
  gint64    *far_prefix;   /* [n_far + 1] */
  guint      n_far;
  gint64     key_min;
  gint64     key_max;

  /* sketch mode */
  SketchLevel levels[MAX_LEVELS];
  guint      n_levels;
  double     error;        /* absolute bound on the rank error */
  guint64   *sort_tmp;     /* radix sort scratch, 2·K */
  guint64   *sort_tmp2;

  /* sketch mode, after finish */
  double    *items;
  gint64    *cum;          /* cum[i]: weight of items[0..i] inclusive */
  gsize      n_items;
};

static guint
far_hash (gconstpointer key)
{
  return g_int64_hash (key);
}

static gboolean
far_equal (gconstpointer a, gconstpointer b)
{
  return g_int64_equal (a, b);
}

static ImuQuantiles *
quantiles_new (void)
{
  ImuQuantiles *self = g_new0 (ImuQuantiles, 1);

  self->exact = TRUE;
  self->scale = 1.0;
  return self;
}

ImuQuantiles *
imu_quantiles_new (int decimals)
{
  ImuQuantiles *self = quantiles_new ();

  self->decimals = decimals;
  if (decimals < 0 || decimals > 15)
    self->exact = FALSE;
  else
    self->scale = pow (10.0, decimals);
  return self;
}

ImuQuantiles *
imu_quantiles_new_integer (void)
{
  ImuQuantiles *self = quantiles_new ();

  self->integer = TRUE;
  return self;
}

static void
free_exact (ImuQuantiles *self)
{
  for (guint p = 0; p < self->dir_len; p++)
    {
      g_free (self->dir[p]);
      if (self->sub_prefix != NULL)
        g_free (self->sub_prefix[p]);
    }
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->sub_prefix, g_free);
  g_clear_pointer (&self->page_prefix, g_free);
  g_clear_pointer (&self->far, g_hash_table_unref);
  g_clear_pointer (&self->far_sorted, g_free);
  g_clear_pointer (&self->far_prefix, g_free);
  self->dir_len = 0;
  self->n_pages = 0;
  self->n_far = 0;
}

void
imu_quantiles_free (ImuQuantiles *self)
{
  if (self == NULL)
    return;
  free_exact (self);
  for (guint l = 0; l < MAX_LEVELS; l++)
    g_free (self->levels[l].buf);
  g_free (self->sort_tmp);
  g_free (self->sort_tmp2);
  g_free (self->items);
  g_free (self->cum);
  g_free (self);
}

static inline double
key_value (const ImuQuantiles *self,
           gint64              key)
{
  return self->integer ? (double) key : (double) key / self->scale;
}

/* -- sketch -- */

/* Doubles as unsigned integers in the same order (negative values have
 * their bits flipped, positive ones their sign bit set). */
static inline guint64
double_to_ordered (double v)
{
  guint64 u;

  memcpy (&u, &v, sizeof u);
  return (u & G_GUINT64_CONSTANT (0x8000000000000000)) ? ~u : u | G_GUINT64_CONSTANT (0x8000000000000000);
}

static inline double
ordered_to_double (guint64 u)
{
  double v;

  u = (u & G_GUINT64_CONSTANT (0x8000000000000000)) ? u & ~G_GUINT64_CONSTANT (0x8000000000000000) : ~u;
  memcpy (&v, &u, sizeof v);
  return v;
}

/* LSD radix sort, 11 bits a pass, skipping passes where every key has
 * the same digit: a full buffer sorts about ten times faster than qsort. */
static void
radix_sort_u64 (guint64 *a,
                guint64 *tmp,
                gsize    n)
{
  guint64 *src = a, *dst = tmp;

  for (guint shift = 0; shift < 64; shift += 11)
    {
      gsize counts[2048] = { 0 };
      gsize pos = 0;
      guint64 *t;

      for (gsize i = 0; i < n; i++)
        counts[(src[i] >> shift) & 2047]++;
      if (counts[(src[0] >> shift) & 2047] == n)
        continue;
      for (guint d = 0; d < 2048; d++)
        {
          gsize c = counts[d];
          counts[d] = pos;
          pos += c;
        }
      for (gsize i = 0; i < n; i++)
        dst[counts[(src[i] >> shift) & 2047]++] = src[i];
      t = src;
      src = dst;
      dst = t;
    }
  if (src != a)
    memcpy (a, src, n * sizeof *a);
}

static void
sort_doubles (ImuQuantiles *self,
              double       *v,
              gsize         n)
{
  if (n < 2)
    return;
  if (self->sort_tmp == NULL)
    {
      self->sort_tmp = g_new (guint64, 2 * IMU_QUANTILES_SKETCH_K);
      self->sort_tmp2 = g_new (guint64, 2 * IMU_QUANTILES_SKETCH_K);
    }
  g_assert (n <= 2 * IMU_QUANTILES_SKETCH_K);
  for (gsize i = 0; i < n; i++)
    self->sort_tmp[i] = double_to_ordered (v[i]);
  radix_sort_u64 (self->sort_tmp, self->sort_tmp2, n);
  for (gsize i = 0; i < n; i++)
    v[i] = ordered_to_double (self->sort_tmp[i]);
}

static SketchLevel *
sketch_level (ImuQuantiles *self,
              guint         h)
{
  SketchLevel *l = &self->levels[h];

  g_assert (h < MAX_LEVELS);
  if (l->buf == NULL)
    l->buf = g_new (double, 2 * IMU_QUANTILES_SKETCH_K);
  self->n_levels = MAX (self->n_levels, h + 1);
  return l;
}

/* Sorts level @h and promotes every other value (alternating which one
 * between compactions) to level h + 1. Any rank moves by at most 2^h. */
static void
sketch_compact (ImuQuantiles *self,
                guint         h)
{
  while (h + 1 < MAX_LEVELS)
    {
      SketchLevel *l = &self->levels[h];
      SketchLevel *up;
      guint pairs, rest;

      if (l->len < IMU_QUANTILES_SKETCH_K)
        return;
      sort_doubles (self, l->buf, l->len);
      pairs = l->len / 2;
      rest = l->len - 2 * pairs;
      up = sketch_level (self, h + 1);
      l = &self->levels[h];
      for (guint i = 0; i < pairs; i++)
        up->buf[up->len++] = l->buf[2 * i + l->parity];
      /* An odd value out (the largest) stays at this level. */
      if (rest)
        l->buf[0] = l->buf[l->len - 1];
      l->len = rest;
      l->parity ^= 1;
      self->error += ldexp (1.0, (int) h);
      h++;
    }
}

static void
sketch_push (ImuQuantiles *self,
             guint         h,
             double        v)
{
  SketchLevel *l = sketch_level (self, h);

  l->buf[l->len++] = v;
  if (l->len >= IMU_QUANTILES_SKETCH_K)
    sketch_compact (self, h);
}

static void
sketch_add (ImuQuantiles *self,
            const double *x,
            gsize         n)
{
  while (n > 0)
    {
      SketchLevel *l = sketch_level (self, 0);
      gsize take = MIN (n, (gsize) (IMU_QUANTILES_SKETCH_K - l->len));

      memcpy (l->buf + l->len, x, take * sizeof *x);
      l->len += (guint) take;
      x += take;
      n -= take;
      if (l->len >= IMU_QUANTILES_SKETCH_K)
        sketch_compact (self, 0);
    }
}

/* @count copies of @v: one item at level h for each bit h of @count, so
 * the conversion itself adds no error. */
static void
sketch_add_weighted (ImuQuantiles *self,
                     double        v,
                     guint64       count)
{
  for (guint h = 0; count != 0; h++, count >>= 1)
    if (count & 1)
      sketch_push (self, h, v);
}

static void
far_foreach_to_sketch (gpointer key, gpointer value, gpointer data)
{
  ImuQuantiles *self = data;
  FarEntry *e = value;

  sketch_add_weighted (self, key_value (self, e->key), e->count);
}

/* Leaves exact mode: every counted key becomes weighted sketch items. */
static void
convert_to_sketch (ImuQuantiles *self)
{
  g_debug ("quantiles: %u pages, %u far keys: switching to the sketch",
           self->n_pages, self->far != NULL ? g_hash_table_size (self->far) : 0);
  self->exact = FALSE;
  for (guint p = 0; p < self->dir_len; p++)
    {
      guint32 *page = self->dir[p];

      if (page == NULL)
        continue;
      for (guint j = 0; j < PAGE_SIZE_KEYS; j++)
        if (page[j] != 0)
          sketch_add_weighted (self, key_value (self, ((self->page_lo + p) * PAGE_SIZE_KEYS) + j), page[j]);
    }
  if (self->far != NULL)
    g_hash_table_foreach (self->far, far_foreach_to_sketch, self);
  free_exact (self);
}

/* -- exact -- */

static gboolean
far_add (ImuQuantiles *self,
         gint64        key)
{
  FarEntry *e;

  if (self->far == NULL)
    self->far = g_hash_table_new_full (far_hash, far_equal, NULL, g_free);
  e = g_hash_table_lookup (self->far, &key);
  if (e != NULL)
    {
      e->count++;
      return TRUE;
    }
  if (g_hash_table_size (self->far) >= IMU_QUANTILES_MAX_FAR)
    return FALSE;
  e = g_new (FarEntry, 1);
  e->key = key;
  e->count = 1;
  g_hash_table_insert (self->far, &e->key, e);
  return TRUE;
}

/* The key's page is missing or outside the directory: grows the
 * directory (within IMU_QUANTILES_MAX_DIR pages), allocates the page
 * (within IMU_QUANTILES_MAX_PAGES) or counts the key as a far one.
 * FALSE when the exact structure is full. */
static gboolean
exact_add_slow (ImuQuantiles *self,
                gint64        key)
{
  gint64 page = key >> IMU_QUANTILES_PAGE_BITS;
  gint64 p;

  if (self->dir_len == 0)
    {
      self->page_lo = page;
      self->dir_len = 1;
      self->dir = g_new0 (guint32 *, 1);
    }
  p = page - self->page_lo;
  if (p < 0 || p >= (gint64) self->dir_len)
    {
      gint64 lo = MIN (self->page_lo, page);
      gint64 hi = MAX (self->page_lo + (gint64) self->dir_len - 1, page);
      gint64 want;
      guint new_len, shift;

      if (hi - lo + 1 > IMU_QUANTILES_MAX_DIR)
        return far_add (self, key);
      /* Grow by half again at least, so that a directory growing a page
       * at a time costs amortised constant time. */
      want = MIN (MAX (hi - lo + 1, (gint64) self->dir_len * 3 / 2), (gint64) IMU_QUANTILES_MAX_DIR);
      if (p < 0)
        lo = hi - want + 1;
      else
        hi = lo + want - 1;
      new_len = (guint) (hi - lo + 1);
      shift = (guint) (self->page_lo - lo);
      self->dir = g_renew (guint32 *, self->dir, new_len);
      memmove (self->dir + shift, self->dir, self->dir_len * sizeof *self->dir);
      memset (self->dir, 0, shift * sizeof *self->dir);
      memset (self->dir + shift + self->dir_len, 0, (new_len - shift - self->dir_len) * sizeof *self->dir);
      self->page_lo = lo;
      self->dir_len = new_len;
      p = page - self->page_lo;
    }
  if (self->dir[p] == NULL)
    {
      if (self->n_pages >= IMU_QUANTILES_MAX_PAGES)
        return FALSE;
      self->dir[p] = g_new0 (guint32, PAGE_SIZE_KEYS);
      self->n_pages++;
    }
  self->dir[p][key & PAGE_MASK]++;
  return TRUE;
}

/* Counts @n keys; FALSE (with the first @*done counted) when full. */
static gboolean
exact_add_keys (ImuQuantiles *self,
                const gint64 *keys,
                gsize         n,
                gsize        *done)
{
  guint32 **dir = self->dir;
  gint64 page_lo = self->page_lo;
  guint64 dir_len = self->dir_len;

  for (gsize i = 0; i < n; i++)
    {
      gint64 k = keys[i];
      guint64 p = (guint64) ((k >> IMU_QUANTILES_PAGE_BITS) - page_lo);

      if (G_LIKELY (p < dir_len && dir[p] != NULL))
        dir[p][k & PAGE_MASK]++;
      else
        {
          if (!exact_add_slow (self, k))
            {
              *done = i;
              return FALSE;
            }
          dir = self->dir;
          page_lo = self->page_lo;
          dir_len = self->dir_len;
        }
    }
  *done = n;
  return TRUE;
}

/* Counts decimal-scaled values as their keys k = x·10^d, checking that
 * each value is exactly k / 10^d (the parsed double of the decimal text is
 * the correctly rounded quotient, which this division computes). FALSE,
 * with the first @*done counted, at the first value that is not, or when
 * the structure is full. */
static gboolean
exact_add_values (ImuQuantiles *self,
                  const double *x,
                  gsize         n,
                  gsize        *done)
{
  const double scale = self->scale;
  guint32 **dir = self->dir;
  gint64 page_lo = self->page_lo;
  guint64 dir_len = self->dir_len;

  for (gsize i = 0; i < n; i++)
    {
      double y = x[i] * scale;
      gboolean in_range = fabs (y) < KEY_LIMIT;
      double r = ((in_range ? y : 0.0) + ROUND_MAGIC) - ROUND_MAGIC;
      gint64 k = (gint64) r;
      guint64 p;

      if (G_UNLIKELY (!in_range || (scale == 1.0 ? r : (double) k / scale) != x[i]))
        {
          *done = i;
          return FALSE;
        }
      p = (guint64) ((k >> IMU_QUANTILES_PAGE_BITS) - page_lo);
      if (G_LIKELY (p < dir_len && dir[p] != NULL))
        dir[p][k & PAGE_MASK]++;
      else
        {
          if (!exact_add_slow (self, k))
            {
              *done = i;
              return FALSE;
            }
          dir = self->dir;
          page_lo = self->page_lo;
          dir_len = self->dir_len;
        }
    }
  *done = n;
  return TRUE;
}

void
imu_quantiles_add (ImuQuantiles *self,
                   const double *x,
                   gsize         n)
{
  g_return_if_fail (!self->finished && !self->integer);

  if (n == 0)
    return;
  if (self->exact && (guint64) self->n + n >= G_MAXUINT32)
    convert_to_sketch (self);
  self->n += (gint64) n;
  if (self->exact)
    {
      gsize done = 0;

      if (exact_add_values (self, x, n, &done))
        return;
      /* Not decimal-scaled, or full: the values counted so far become
       * sketch items, and the rest of this block follows them. */
      convert_to_sketch (self);
      x += done;
      n -= done;
    }
  sketch_add (self, x, n);
}

void
imu_quantiles_add_integers (ImuQuantiles *self,
                            const gint64 *k,
                            gsize         n)
{
  gsize done = 0;

  g_return_if_fail (!self->finished && self->integer);

  if (n == 0)
    return;
  if (self->exact && (guint64) self->n + n >= G_MAXUINT32)
    convert_to_sketch (self);
  self->n += (gint64) n;
  if (self->exact)
    {
      if (exact_add_keys (self, k, n, &done))
        return;
      convert_to_sketch (self);
    }
  for (gsize i = done; i < n; i++)
    {
      double v = (double) k[i];
      sketch_add (self, &v, 1);
    }
}

static int
far_entry_cmp (gconstpointer a, gconstpointer b)
{
  gint64 x = ((const FarEntry *) a)->key, y = ((const FarEntry *) b)->key;

  return x < y ? -1 : x > y;
}

static void
finish_exact (ImuQuantiles *self)
{
  gint64 total = 0;
  gboolean have = FALSE;

  self->page_prefix = g_new0 (gint64, self->dir_len + 1);
  self->sub_prefix = g_new0 (gint64 *, MAX (self->dir_len, 1));
  for (guint p = 0; p < self->dir_len; p++)
    {
      guint32 *page = self->dir[p];

      self->page_prefix[p] = total;
      if (page == NULL)
        continue;
      self->sub_prefix[p] = g_new (gint64, N_SUB);
      for (guint s = 0; s < N_SUB; s++)
        {
          self->sub_prefix[p][s] = total - self->page_prefix[p];
          for (guint j = s * SUB_SIZE; j < (s + 1) * SUB_SIZE; j++)
            {
              if (page[j] != 0)
                {
                  gint64 key = ((self->page_lo + p) * PAGE_SIZE_KEYS) + j;

                  if (!have || key < self->key_min)
                    self->key_min = key;
                  if (!have || key > self->key_max)
                    self->key_max = key;
                  have = TRUE;
                }
              total += page[j];
            }
        }
    }
  self->page_prefix[self->dir_len] = total;

  if (self->far != NULL)
    {
      GHashTableIter iter;
      gpointer value;
      guint i = 0;

      self->n_far = g_hash_table_size (self->far);
      self->far_sorted = g_new (FarEntry, MAX (self->n_far, 1));
      g_hash_table_iter_init (&iter, self->far);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        self->far_sorted[i++] = *(FarEntry *) value;
      qsort (self->far_sorted, self->n_far, sizeof (FarEntry), far_entry_cmp);
      self->far_prefix = g_new (gint64, self->n_far + 1);
      self->far_prefix[0] = 0;
      for (i = 0; i < self->n_far; i++)
        {
          self->far_prefix[i + 1] = self->far_prefix[i] + (gint64) self->far_sorted[i].count;
          if (!have || self->far_sorted[i].key < self->key_min)
            self->key_min = self->far_sorted[i].key;
          if (!have || self->far_sorted[i].key > self->key_max)
            self->key_max = self->far_sorted[i].key;
          have = TRUE;
        }
    }
  g_assert (!have || total + (self->far_prefix ? self->far_prefix[self->n_far] : 0) == self->n);
}

/* Sorts each level, then merges the levels into one sorted list of items
 * with the cumulative weight up to each. */
static void
finish_sketch (ImuQuantiles *self)
{
  guint pos[MAX_LEVELS] = { 0 };
  gsize n = 0;
  gint64 total = 0;

  for (guint h = 0; h < self->n_levels; h++)
    {
      n += self->levels[h].len;
      sort_doubles (self, self->levels[h].buf, self->levels[h].len);
    }
  self->n_items = n;
  self->items = g_new (double, MAX (n, 1));
  self->cum = g_new (gint64, MAX (n, 1));
  for (gsize j = 0; j < n; j++)
    {
      guint best = G_MAXUINT;

      for (guint h = 0; h < self->n_levels; h++)
        if (pos[h] < self->levels[h].len
            && (best == G_MAXUINT || self->levels[h].buf[pos[h]] < self->levels[best].buf[pos[best]]))
          best = h;
      self->items[j] = self->levels[best].buf[pos[best]++];
      total += (gint64) 1 << best;
      self->cum[j] = total;
    }
  g_assert (total == self->n);
  /* The level buffers are no longer needed. */
  for (guint h = 0; h < MAX_LEVELS; h++)
    g_clear_pointer (&self->levels[h].buf, g_free);
  g_clear_pointer (&self->sort_tmp, g_free);
  g_clear_pointer (&self->sort_tmp2, g_free);
}

void
imu_quantiles_finish (ImuQuantiles *self)
{
  g_return_if_fail (!self->finished);

  self->finished = TRUE;
  if (self->exact)
    finish_exact (self);
  else
    finish_sketch (self);
}

gint64
imu_quantiles_get_count (ImuQuantiles *self)
{
  return self->n;
}

gboolean
imu_quantiles_is_exact (ImuQuantiles *self)
{
  /* A sketch that never had to compact holds every value with weight 1:
   * its answers are exact too (fewer than IMU_QUANTILES_SKETCH_K values). */
  return self->exact || self->error == 0;
}

double
imu_quantiles_get_rank_error (ImuQuantiles *self)
{
  if (self->exact || self->n == 0)
    return 0.0;
  return self->error / (double) self->n;
}

gsize
imu_quantiles_get_memory (ImuQuantiles *self)
{
  gsize bytes = sizeof *self;

  bytes += (gsize) self->n_pages * PAGE_SIZE_KEYS * sizeof (guint32);
  bytes += self->dir_len * sizeof (guint32 *);
  if (self->far != NULL)
    bytes += g_hash_table_size (self->far) * (sizeof (FarEntry) + 32);
  for (guint h = 0; h < MAX_LEVELS; h++)
    if (self->levels[h].buf != NULL)
      bytes += 2 * IMU_QUANTILES_SKETCH_K * sizeof (double);
  bytes += self->n_items * (sizeof (double) + sizeof (gint64));
  return bytes;
}

/* -- queries, exact mode: everything is a count of keys ≤ K -- */

static gint64
exact_cum (const ImuQuantiles *self,
           gint64              key)
{
  gint64 c = 0;

  if (self->dir_len > 0)
    {
      gint64 p = (key >> IMU_QUANTILES_PAGE_BITS) - self->page_lo;

      if (p >= (gint64) self->dir_len)
        c = self->page_prefix[self->dir_len];
      else if (p >= 0)
        {
          const guint32 *page = self->dir[p];

          c = self->page_prefix[p];
          if (page != NULL)
            {
              guint off = (guint) (key & PAGE_MASK);
              guint s = off >> SUB_BITS;

              c += self->sub_prefix[p][s];
              for (guint j = s << SUB_BITS; j <= off; j++)
                c += page[j];
            }
        }
    }
  if (self->n_far > 0)
    {
      guint lo = 0, hi = self->n_far;

      /* the first far key > key */
      while (lo < hi)
        {
          guint mid = (lo + hi) / 2;
          if (self->far_sorted[mid].key <= key)
            lo = mid + 1;
          else
            hi = mid;
        }
      c += self->far_prefix[lo];
    }
  return c;
}

/* The smallest key K with cum(K) > rank. */
static gint64
exact_select_key (const ImuQuantiles *self,
                  gint64              rank)
{
  gint64 lo = self->key_min, hi = self->key_max;

  while (lo < hi)
    {
      gint64 mid = lo + (hi - lo) / 2;
      if (exact_cum (self, mid) > rank)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* The largest key whose value is ≤ v (< v when @strict). */
static gint64
key_floor (const ImuQuantiles *self,
           double              v,
           gboolean            strict)
{
  double y = self->integer ? v : v * self->scale;
  gint64 k;

  if (isnan (v))
    return G_MININT64 / 2;
  if (y >= 4e18)
    return G_MAXINT64 / 2;
  if (y <= -4e18)
    return G_MININT64 / 2;
  k = (gint64) floor (y);
  /* The product may be off by a rounding: settle on the exact boundary. */
  while (strict ? key_value (self, k + 1) < v : key_value (self, k + 1) <= v)
    k++;
  while (strict ? key_value (self, k) >= v : key_value (self, k) > v)
    k--;
  return k;
}

/* -- queries, sketch mode -- */

static gsize
sketch_select_index (const ImuQuantiles *self,
                     gint64              rank)
{
  gsize lo = 0, hi = self->n_items;

  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;
      if (self->cum[mid] > rank)
        hi = mid;
      else
        lo = mid + 1;
    }
  return MIN (lo, self->n_items - 1);
}

/* Estimated number of values < v (≤ v when @inclusive). */
static gint64
sketch_count_below (const ImuQuantiles *self,
                    double              v,
                    gboolean            inclusive)
{
  gsize lo = 0, hi = self->n_items;

  while (lo < hi)
    {
      gsize mid = (lo + hi) / 2;
      if (inclusive ? self->items[mid] <= v : self->items[mid] < v)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo == 0 ? 0 : self->cum[lo - 1];
}

/* -- public queries -- */

double
imu_quantiles_select (ImuQuantiles *self,
                      gint64        rank)
{
  g_return_val_if_fail (self->finished, NAN);

  if (self->n == 0)
    return NAN;
  rank = CLAMP (rank, 0, self->n - 1);
  if (self->exact)
    return key_value (self, exact_select_key (self, rank));
  return self->items[sketch_select_index (self, rank)];
}

double
imu_quantiles_percentile (ImuQuantiles *self,
                          double        q)
{
  gint64 n = self->n, i0, i1;
  double h, prev;

  if (n == 0)
    return NAN;
  /* numpy.percentile: q / 100, virtual index (n − 1)·q, then _lerp. */
  h = (double) (n - 1) * (q / 100.0);
  prev = floor (h);
  if (h >= (double) (n - 1))
    i0 = i1 = n - 1;
  else if (h < 0)
    i0 = i1 = 0;
  else
    {
      i0 = (gint64) prev;
      i1 = i0 + 1;
    }
  return imu_lerp_numpy (imu_quantiles_select (self, i0), imu_quantiles_select (self, i1), h - prev);
}

double
imu_quantiles_median (ImuQuantiles *self)
{
  gint64 n = self->n;

  if (n == 0)
    return NAN;
  if (n % 2 == 1)
    return imu_quantiles_select (self, n / 2);
  return (imu_quantiles_select (self, n / 2 - 1) + imu_quantiles_select (self, n / 2)) / 2;
}

gint64
imu_quantiles_count_below (ImuQuantiles *self,
                           double        x,
                           gboolean      inclusive)
{
  g_return_val_if_fail (self->finished, 0);

  if (self->n == 0 || isnan (x))
    return 0;
  if (self->exact)
    return exact_cum (self, key_floor (self, x, !inclusive));
  return sketch_count_below (self, x, inclusive);
}

/* Folded ranks, exact mode: distances in units of half a key step from
 * c2 = 2·center·scale, so that a median halfway between two keys stays an
 * integer. Counts keys in [klo, khi] at distance ≤ d. */
static gint64
fold_count (const ImuQuantiles *self,
            gint64              c2,
            gint64              klo,
            gint64              khi,
            gint64              d)
{
  /* |2k − c2| ≤ d  ⇔  ⌈(c2 − d)/2⌉ ≤ k ≤ ⌊(c2 + d)/2⌋ */
  gint64 a = c2 - d, b = c2 + d;
  gint64 lo = a >= 0 ? (a + 1) / 2 : -((-a) / 2);
  gint64 hi = b >= 0 ? b / 2 : -((-b + 1) / 2);

  lo = MAX (lo, klo);
  hi = MIN (hi, khi);
  if (lo > hi)
    return 0;
  return exact_cum (self, hi) - exact_cum (self, lo - 1);
}

typedef struct {
  double  d;
  gint64  w;
} WeightedDistance;

static int
weighted_distance_cmp (gconstpointer a, gconstpointer b)
{
  double x = ((const WeightedDistance *) a)->d, y = ((const WeightedDistance *) b)->d;

  return x < y ? -1 : x > y;
}

double
imu_quantiles_abs_dev_percentile (ImuQuantiles *self,
                                  double        center,
                                  double        lo,
                                  double        hi,
                                  double        q)
{
  gint64 m, i0, i1;
  double h, prev, v[2];
  gint64 ranks[2];

  g_return_val_if_fail (self->finished, NAN);

  if (self->n == 0 || isnan (center))
    return NAN;
  m = imu_quantiles_count_below (self, hi, TRUE) - imu_quantiles_count_below (self, lo, FALSE);
  if (m <= 0)
    return NAN;
  h = (double) (m - 1) * (q / 100.0);
  prev = floor (h);
  if (h >= (double) (m - 1))
    i0 = i1 = m - 1;
  else
    {
      i0 = (gint64) MAX (prev, 0);
      i1 = i0 + 1;
    }
  ranks[0] = i0;
  ranks[1] = i1;

  if (self->exact)
    {
      double cs = self->integer ? center * 2 : center * 2 * self->scale;
      gint64 c2 = (gint64) llround (cs);
      gint64 klo = key_floor (self, lo, TRUE) + 1;
      gint64 khi = key_floor (self, hi, FALSE);
      gint64 dmax = 2 * (MAX (llabs (self->key_max), llabs (self->key_min))) + llabs (c2) + 2;

      for (guint r = 0; r < 2; r++)
        {
          gint64 a = 0, b = dmax;
          gint64 k;

          while (a < b)
            {
              gint64 mid = a + (b - a) / 2;
              if (fold_count (self, c2, klo, khi, mid) > ranks[r])
                b = mid;
              else
                a = mid + 1;
            }
          /* Distance a is held by the key above or below the center;
           * compute it as numpy would, from the value itself. */
          k = (c2 + a) / 2;
          if ((c2 + a) % 2 != 0 || fold_count (self, c2, k, k, a) == 0)
            k = (c2 - a) / 2;
          v[r] = fabs (key_value (self, k) - center);
        }
    }
  else
    {
      g_autofree WeightedDistance *wd = g_new (WeightedDistance, MAX (self->n_items, 1));
      gsize n_wd = 0;
      gint64 total = 0;

      for (gsize i = 0; i < self->n_items; i++)
        if (self->items[i] >= lo && self->items[i] <= hi)
          {
            wd[n_wd].d = fabs (self->items[i] - center);
            wd[n_wd].w = self->cum[i] - (i > 0 ? self->cum[i - 1] : 0);
            n_wd++;
          }
      if (n_wd == 0)
        return NAN;
      qsort (wd, n_wd, sizeof *wd, weighted_distance_cmp);
      for (guint r = 0; r < 2; r++)
        {
          /* The sketch's estimate of m may differ from its item weights. */
          gint64 rank = ranks[r];
          gsize i;

          total = 0;
          for (i = 0; i < n_wd; i++)
            {
              total += wd[i].w;
              if (total > rank)
                break;
            }
          v[r] = wd[MIN (i, n_wd - 1)].d;
        }
    }
  return imu_lerp_numpy (v[0], v[1], h - prev);
}

static inline gboolean
robust_outlier (double x,
                double median,
                double mad,
                double z_max)
{
  return 0.6745 * fabs (x - median) / mad > z_max;
}

gint64
imu_quantiles_count_robust_outliers (ImuQuantiles *self,
                                     double        median,
                                     double        mad,
                                     double        z_max)
{
  gint64 count = 0;

  g_return_val_if_fail (self->finished, 0);

  if (self->n == 0 || !(mad > 0) || isnan (median))
    return 0;
  if (self->exact)
    {
      gint64 kmed = key_floor (self, median, FALSE);
      gint64 a, b;

      /* Above: the first key past the median that is an outlier. */
      a = kmed + 1;
      b = self->key_max + 1;
      while (a < b)
        {
          gint64 mid = a + (b - a) / 2;
          if (robust_outlier (key_value (self, mid), median, mad, z_max))
            b = mid;
          else
            a = mid + 1;
        }
      if (a <= self->key_max)
        count += self->n - exact_cum (self, a - 1);
      /* Below: the last key at or before the median that is one. */
      a = self->key_min - 1;
      b = kmed;
      while (a < b)
        {
          gint64 mid = b - (b - a) / 2;
          if (robust_outlier (key_value (self, mid), median, mad, z_max))
            a = mid;
          else
            b = mid - 1;
        }
      if (a >= self->key_min)
        count += exact_cum (self, a);
      return count;
    }
  for (gsize i = 0; i < self->n_items; i++)
    if (robust_outlier (self->items[i], median, mad, z_max))
      count += self->cum[i] - (i > 0 ? self->cum[i - 1] : 0);
  return count;
}

void
imu_quantiles_range_moments (ImuQuantiles *self,
                             double        lo,
                             double        hi,
                             gint64       *count,
                             double       *mean,
                             double       *m2)
{
  gint64 n = 0;
  double sum = 0, dev = 0, mu;

  g_return_if_fail (self->finished);

  *count = 0;
  *mean = NAN;
  *m2 = NAN;
  if (self->n == 0 || isnan (lo) || isnan (hi) || lo > hi)
    return;

  for (guint pass = 0; pass < 2; pass++)
    {
      mu = pass == 1 ? sum / (double) n : 0;
      if (self->exact)
        {
          gint64 klo = key_floor (self, lo, TRUE) + 1;
          gint64 khi = key_floor (self, hi, FALSE);
          gint64 plo = MAX ((klo >> IMU_QUANTILES_PAGE_BITS) - self->page_lo, 0);
          gint64 phi = MIN ((khi >> IMU_QUANTILES_PAGE_BITS) - self->page_lo, (gint64) self->dir_len - 1);

          for (gint64 p = plo; p <= phi; p++)
            {
              const guint32 *page = self->dir[p];
              gint64 base = (self->page_lo + p) * PAGE_SIZE_KEYS;

              if (page == NULL)
                continue;
              for (guint j = 0; j < PAGE_SIZE_KEYS; j++)
                {
                  gint64 key = base + j;

                  if (page[j] == 0 || key < klo || key > khi)
                    continue;
                  if (pass == 0)
                    {
                      n += page[j];
                      sum += key_value (self, key) * page[j];
                    }
                  else
                    {
                      double d = key_value (self, key) - mu;
                      dev += d * d * page[j];
                    }
                }
            }
          for (guint i = 0; i < self->n_far; i++)
            {
              gint64 key = self->far_sorted[i].key;
              double c = (double) self->far_sorted[i].count;

              if (key < klo || key > khi)
                continue;
              if (pass == 0)
                {
                  n += self->far_sorted[i].count;
                  sum += key_value (self, key) * c;
                }
              else
                {
                  double d = key_value (self, key) - mu;
                  dev += d * d * c;
                }
            }
        }
      else
        {
          for (gsize i = 0; i < self->n_items; i++)
            {
              double v = self->items[i];
              gint64 w = self->cum[i] - (i > 0 ? self->cum[i - 1] : 0);

              if (v < lo || v > hi)
                continue;
              if (pass == 0)
                {
                  n += w;
                  sum += v * (double) w;
                }
              else
                dev += (v - mu) * (v - mu) * (double) w;
            }
        }
      if (n == 0)
        return;
    }
  *count = n;
  *mean = sum / (double) n;
  *m2 = dev;
}

void
imu_quantiles_histogram (ImuQuantiles *self,
                         double        lo,
                         double        hi,
                         guint         n_bins,
                         gint64       *counts)
{
  gint64 prev;

  g_return_if_fail (self->finished);

  memset (counts, 0, n_bins * sizeof *counts);
  if (self->n == 0 || n_bins == 0 || !(hi >= lo))
    return;
  prev = imu_quantiles_count_below (self, lo, FALSE);
  for (guint b = 0; b < n_bins; b++)
    {
      gint64 c;

      if (b + 1 == n_bins)
        c = imu_quantiles_count_below (self, hi, TRUE);
      else
        c = imu_quantiles_count_below (self, lo + (hi - lo) * (b + 1) / n_bins, FALSE);
      counts[b] = c - prev;
      prev = c;
    }
}
