/* imu-profile-movement.c — movement of an accelerometer: magnitude, ENMO
 * and intensity per epoch, peaks, non-wear, calibration error and
 * auto-calibration; Welch's power spectrum and its dominant frequency
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * References (docs/profile.md has the details):
 * - ENMO: van Hees et al. (2013), PLoS ONE 8(4): e61691.
 * - Intensity cut-points: Hildebrand et al. (2014), Med Sci Sports Exerc
 *   46(9):1816–1824 (moderate 93.2 mg, vigorous 418.3 mg, wrist GENEActiv,
 *   adults) and Hildebrand et al. (2017), Scand J Med Sci Sports
 *   27(12):1814–1823 (sedentary below 45.8 mg, wrist GENEActiv, adults).
 * - Non-wear: van Hees et al. (2011, 2013) as implemented in GGIR
 *   (detect_nonwear_clipping, "2013" approach).
 * - Auto-calibration: van Hees et al. (2014), J Appl Physiol
 *   117(7):738–744, as in GGIR's g.calibrate.
 * - Welch (1967), IEEE Trans Audio Electroacoust 15(2):70–73; the same
 *   estimate as scipy.signal.welch with its defaults (Hann window, 50 %
 *   overlap, constant detrend, density scaling, mean of the segments).
 */
#define G_LOG_DOMAIN "imu-profile"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-profile-private.h"
#include "imu-time.h"

#define NS_PER_S 1e9
#define MG_PER_G 1000.0
/* Epochs kept: about two months at the default 5 s. */
#define MAX_EPOCHS (1 << 20)
/* Static windows whose mean exceeds this on an axis are left out of the
 * calibration (they may be clipped), as GGIR does. */
#define STATIC_MAX_MEAN_G 2.0
/* A static window needs this fraction of the samples its length holds. */
#define STATIC_MIN_FILL 0.8
#define MIN_EPOCH_SAMPLES 10
#define CALIBRATION_MAX_ITER 1000
#define CALIBRATION_TOLERANCE 1e-10

typedef struct {
  gint64 n;
  gint64 first_index;
  double enmo_sum;
  double mag_sum;
  double shift[3];
  double sum[3];
  double sumsq[3];
  guint  peaks;
} Epoch;

typedef struct {
  gint64 n;
  gint64 first_index;
  gint64 first_t;
  double shift[3];
  double sum[3];
  double sumsq[3];
  double min[3];
  double max[3];
} Block;

typedef struct {
  double mean[3];
  gint64 n;
} StaticWindow;

/* Time-aligned windows: [begin, end) of index idx from t0. */
typedef struct {
  gint64 len_ns;
  gint64 idx;
  gint64 begin;
  gint64 end;
} Windows;

struct _ImuMovementProfiler
{
  ImuProfileOptions opt;
  guint        axes[3];
  char        *names[3];
  double       to_g[3];
  gboolean     started;
  gint64       t0;
  gint64       n;
  ImuMoments   magnitude;
  double       enmo_sum;
  double      *mag;
  gsize        mag_cap;

  Windows      ep;
  GArray      *epochs;         /* Epoch */
  gboolean     epochs_truncated;

  Windows      sb;             /* non-wear blocks: half a step each */
  GArray      *blocks;         /* Block */

  Windows      sw;             /* static windows */
  Block        cur_static;
  GArray      *statics;        /* StaticWindow */

  double       peak_threshold;
  gint64       refractory_ns;
  gboolean     in_peak;
  double       peak_max;
  gint64       peak_index;
  gint64       peak_t;
  gboolean     have_last_peak;
  gint64       last_peak_t;
  gint64       n_peaks;
  GArray      *peak_locations;
};

static void
windows_locate (Windows *w,
                gint64   t0,
                gint64   t)
{
  imu_time_window_locate (t0, w->len_ns, t, &w->idx, &w->begin, &w->end);
}

ImuMovementProfiler *
imu_movement_profiler_new (const ImuProfileOptions *options,
                           const ImuStreamInfo     *info,
                           const guint              axes[3])
{
  ImuMovementProfiler *self = g_new0 (ImuMovementProfiler, 1);

  self->opt = *options;
  for (guint k = 0; k < 3; k++)
    {
      self->axes[k] = axes[k];
      self->names[k] = g_strdup (info->channels[axes[k]].name);
      self->to_g[k] = imu_accel_unit_to_g (info->channels[axes[k]].unit);
    }
  imu_moments_init (&self->magnitude);
  self->ep.len_ns = (gint64) llround (options->epoch_s * NS_PER_S);
  self->sb.len_ns = (gint64) llround (options->nonwear_step_s * NS_PER_S / 2);
  self->sw.len_ns = (gint64) llround (options->static_window_s * NS_PER_S);
  /* Sized for the stream's time range, so that a long recording does not
   * grow them (and touch their memory) again and again. */
  {
    gint64 span = info->t_last_ns > info->t_first_ns ? imu_time_sub_sat (info->t_last_ns, info->t_first_ns) : 0;
    guint n_epochs = self->ep.len_ns > 0 ? (guint) MIN (span / self->ep.len_ns + 1, MAX_EPOCHS) : 1;
    guint n_blocks = self->sb.len_ns > 0 ? (guint) MIN (span / self->sb.len_ns + 1, 4 * MAX_EPOCHS) : 1;

    self->epochs = g_array_sized_new (FALSE, TRUE, sizeof (Epoch), n_epochs);
    self->blocks = g_array_sized_new (FALSE, TRUE, sizeof (Block), n_blocks);
  }
  self->statics = g_array_new (FALSE, FALSE, sizeof (StaticWindow));
  self->peak_threshold = options->peak_threshold_g;
  self->refractory_ns = (gint64) llround (options->peak_refractory_s * NS_PER_S);
  self->peak_locations = imu_locations_new ();
  return self;
}

void
imu_movement_profiler_free (ImuMovementProfiler *self)
{
  if (self == NULL)
    return;
  for (guint k = 0; k < 3; k++)
    g_free (self->names[k]);
  g_free (self->mag);
  g_array_unref (self->epochs);
  g_array_unref (self->blocks);
  g_array_unref (self->statics);
  g_array_unref (self->peak_locations);
  g_free (self);
}

/* The epoch holding @t (NULL before the first sample or past the cap). */
static Epoch *
epoch_at (ImuMovementProfiler *self,
          gint64               t)
{
  windows_locate (&self->ep, self->t0, t);
  if (self->ep.idx < 0)
    return NULL;
  if (self->ep.idx >= MAX_EPOCHS)
    {
      self->epochs_truncated = TRUE;
      return NULL;
    }
  if ((gint64) self->epochs->len <= self->ep.idx)
    g_array_set_size (self->epochs, (guint) self->ep.idx + 1);
  return &g_array_index (self->epochs, Epoch, self->ep.idx);
}

static Block *
block_at (ImuMovementProfiler *self,
          gint64               t)
{
  windows_locate (&self->sb, self->t0, t);
  if (self->sb.idx < 0 || self->sb.idx >= 4 * MAX_EPOCHS)
    return NULL;
  if ((gint64) self->blocks->len <= self->sb.idx)
    g_array_set_size (self->blocks, (guint) self->sb.idx + 1);
  return &g_array_index (self->blocks, Block, self->sb.idx);
}

static double
block_std (const Block *b, guint k)
{
  double n = (double) b->n;

  if (b->n < 2)
    return NAN;
  return sqrt (MAX ((b->sumsq[k] - b->sum[k] * b->sum[k] / n) / (n - 1), 0.0));
}

static void
static_close (ImuMovementProfiler *self)
{
  Block *b = &self->cur_static;
  StaticWindow w;
  double limit = self->opt.static_std_mg / MG_PER_G;

  if (b->n < 2)
    return;
  for (guint k = 0; k < 3; k++)
    {
      w.mean[k] = b->shift[k] + b->sum[k] / (double) b->n;
      if (!(block_std (b, k) < limit) || fabs (w.mean[k]) >= STATIC_MAX_MEAN_G)
        return;
    }
  w.n = b->n;
  g_array_append_val (self->statics, w);
}

static void
peak_close (ImuMovementProfiler *self)
{
  self->in_peak = FALSE;
  if (self->have_last_peak && self->peak_t - self->last_peak_t < self->refractory_ns)
    return;
  self->have_last_peak = TRUE;
  self->last_peak_t = self->peak_t;
  self->n_peaks++;
  imu_locations_add (self->peak_locations, self->opt.max_locations, self->peak_index, self->peak_t,
                     0, 0, self->peak_max);
  {
    gint64 e, begin, end;

    imu_time_window_locate (self->t0, self->ep.len_ns, self->peak_t, &e, &begin, &end);

    if (e >= 0 && e < (gint64) self->epochs->len)
      g_array_index (self->epochs, Epoch, e).peaks++;
  }
}

/* Adds a run of samples, summed about its first sample @s0 (S1 = Σ(x − s0),
 * S2 = Σ(x − s0)²), to an accumulator summing about its own first sample:
 * Σ(x − c) = S1 + n·δ and Σ(x − c)² = S2 + 2δ·S1 + n·δ² with δ = s0 − c. */
static void
add_run (Block        *b,
         gint64        n,
         gint64        first_index,
         gint64        first_t,
         const double  s0[3],
         const double  s1[3],
         const double  s2[3],
         const double *mn,
         const double *mx)
{
  if (n == 0)
    return;
  if (b->n == 0)
    {
      b->first_index = first_index;
      b->first_t = first_t;
      for (guint k = 0; k < 3; k++)
        {
          b->shift[k] = s0[k];
          b->min[k] = INFINITY;
          b->max[k] = -INFINITY;
        }
    }
  for (guint k = 0; k < 3; k++)
    {
      double delta = s0[k] - b->shift[k];

      b->sum[k] += s1[k] + (double) n * delta;
      b->sumsq[k] += s2[k] + 2 * delta * s1[k] + (double) n * delta * delta;
      if (mn != NULL)
        {
          b->min[k] = MIN (b->min[k], mn[k]);
          b->max[k] = MAX (b->max[k], mx[k]);
        }
    }
  b->n += n;
}

void
imu_movement_profiler_feed (ImuMovementProfiler   *self,
                            const ImuProfileChunk *chunk)
{
  const double *cx = chunk->cols[self->axes[0]];
  const double *cy = chunk->cols[self->axes[1]];
  const double *cz = chunk->cols[self->axes[2]];
  const double fx = self->to_g[0], fy = self->to_g[1], fz = self->to_g[2];
  const gint64 *t = chunk->t;
  guint n = chunk->n, i;
  double *gx, *gy, *gz, *mag, *valid_mag;
  gboolean all_valid = TRUE;
  gsize n_valid = 0;

  if (n == 0)
    return;
  if (self->mag_cap < n)
    {
      g_free (self->mag);
      self->mag = g_new (double, 5 * (gsize) n);
      self->mag_cap = n;
    }
  gx = self->mag;
  gy = gx + n;
  gz = gy + n;
  mag = gz + n;
  valid_mag = mag + n;
  if (!self->started)
    {
      self->started = TRUE;
      self->t0 = t[0];
      /* Empty windows, so that the first sample opens each. */
      self->ep.begin = self->ep.end = G_MININT64;
      self->sb.begin = self->sb.end = G_MININT64;
      self->sw.begin = self->sw.end = G_MININT64;
    }

  /* In g, and the magnitude. */
  for (i = 0; i < n; i++)
    {
      double a = cx[i] * fx, b = cy[i] * fy, c = cz[i] * fz;
      double m = sqrt (a * a + b * b + c * c);

      gx[i] = a;
      gy[i] = b;
      gz[i] = c;
      mag[i] = m;
      all_valid &= (m - m) == 0;
    }
  if (all_valid)
    {
      imu_moments_add (&self->magnitude, mag, n);
      n_valid = n;
    }
  else
    {
      for (i = 0; i < n; i++)
        if (isfinite (mag[i]))
          valid_mag[n_valid++] = mag[i];
      imu_moments_add (&self->magnitude, valid_mag, n_valid);
    }
  self->n += (gint64) n_valid;

  /* Runs of samples that share their epoch, non-wear block and static
   * window, summed in registers, then added to the three. */
  i = 0;
  while (i < n)
    {
      gint64 begin, end;
      double s0[3], s1[3] = { 0, 0, 0 }, s2[3] = { 0, 0, 0 };
      double mn[3] = { INFINITY, INFINITY, INFINITY }, mx[3] = { -INFINITY, -INFINITY, -INFINITY };
      double enmo = 0, msum = 0;
      gint64 count = 0;
      guint j, first;
      Epoch *ep = NULL;
      Block *bl = NULL;

      if (t[i] >= self->ep.end || t[i] < self->ep.begin)
        epoch_at (self, t[i]);
      if (t[i] >= self->sb.end || t[i] < self->sb.begin)
        block_at (self, t[i]);
      if (t[i] >= self->sw.end || t[i] < self->sw.begin)
        {
          static_close (self);
          memset (&self->cur_static, 0, sizeof self->cur_static);
          windows_locate (&self->sw, self->t0, t[i]);
        }
      begin = MAX (MAX (self->ep.begin, self->sb.begin), self->sw.begin);
      end = MIN (MIN (self->ep.end, self->sb.end), self->sw.end);
      for (j = i; j < n && t[j] >= begin && t[j] < end; j++)
        ;
      for (first = i; first < j && !isfinite (mag[first]); first++)
        ;
      if (first == j)
        {
          i = j;
          continue;
        }
      s0[0] = gx[first];
      s0[1] = gy[first];
      s0[2] = gz[first];
      for (guint k = first; k < j; k++)
        {
          double m = mag[k];
          double d0 = gx[k] - s0[0], d1 = gy[k] - s0[1], d2 = gz[k] - s0[2];

          if (!all_valid && !isfinite (m))
            continue;
          s1[0] += d0;
          s1[1] += d1;
          s1[2] += d2;
          s2[0] += d0 * d0;
          s2[1] += d1 * d1;
          s2[2] += d2 * d2;
          mn[0] = gx[k] < mn[0] ? gx[k] : mn[0];
          mn[1] = gy[k] < mn[1] ? gy[k] : mn[1];
          mn[2] = gz[k] < mn[2] ? gz[k] : mn[2];
          mx[0] = gx[k] > mx[0] ? gx[k] : mx[0];
          mx[1] = gy[k] > mx[1] ? gy[k] : mx[1];
          mx[2] = gz[k] > mx[2] ? gz[k] : mx[2];
          enmo += m > 1.0 ? m - 1.0 : 0.0;
          msum += m;
          count++;
        }
      self->enmo_sum += enmo;

      if (self->ep.idx >= 0 && self->ep.idx < (gint64) self->epochs->len)
        ep = &g_array_index (self->epochs, Epoch, self->ep.idx);
      if (self->sb.idx >= 0 && self->sb.idx < (gint64) self->blocks->len)
        bl = &g_array_index (self->blocks, Block, self->sb.idx);
      if (ep != NULL)
        {
          Block tmp = { 0 };

          if (ep->n > 0)
            {
              tmp.n = ep->n;
              memcpy (tmp.shift, ep->shift, sizeof tmp.shift);
              memcpy (tmp.sum, ep->sum, sizeof tmp.sum);
              memcpy (tmp.sumsq, ep->sumsq, sizeof tmp.sumsq);
            }
          else
            ep->first_index = chunk->first_index + first;
          add_run (&tmp, count, 0, 0, s0, s1, s2, NULL, NULL);
          ep->n = tmp.n;
          memcpy (ep->shift, tmp.shift, sizeof tmp.shift);
          memcpy (ep->sum, tmp.sum, sizeof tmp.sum);
          memcpy (ep->sumsq, tmp.sumsq, sizeof tmp.sumsq);
          ep->enmo_sum += enmo;
          ep->mag_sum += msum;
        }
      if (bl != NULL)
        add_run (bl, count, chunk->first_index + first, t[first], s0, s1, s2, mn, mx);
      add_run (&self->cur_static, count, chunk->first_index + first, t[first], s0, s1, s2, NULL, NULL);
      i = j;
    }

  /* Peaks: the highest sample of each run above the threshold. */
  for (i = 0; i < n; i++)
    {
      double m = mag[i];

      if (G_LIKELY (!(m >= self->peak_threshold) && !self->in_peak))
        continue;
      if (!isfinite (m))
        continue;
      if (m >= self->peak_threshold)
        {
          if (!self->in_peak || m > self->peak_max)
            {
              self->in_peak = TRUE;
              self->peak_max = m;
              self->peak_index = chunk->first_index + i;
              self->peak_t = t[i];
            }
        }
      else
        peak_close (self);
    }
}

/* ---- auto-calibration ---- */

typedef struct {
  const char *status;  /* "calibrated", "not_improved", "sphere_not_populated", "no_static_windows" */
  guint       n;
  double      error_before;
  double      error_after;
  double      offset[3];
  double      scale[3];
  guint       iterations;
  gboolean    populated;
} Calibration;

static double
calibration_error (const StaticWindow *w,
                   guint               n,
                   const double        offset[3],
                   const double        scale[3])
{
  double sum = 0;

  for (guint i = 0; i < n; i++)
    {
      double s = 0;

      for (guint k = 0; k < 3; k++)
        {
          double c = (w[i].mean[k] + offset[k]) * scale[k];
          s += c * c;
        }
      sum += fabs (sqrt (s) - 1.0);
    }
  return sum / n;
}

/* van Hees et al. (2014): fit per-axis offsets and scales so that the
 * means of still windows lie on the unit sphere. Each iteration projects
 * the corrected points on the sphere and regresses, axis by axis with
 * weights, the projections on the corrected values; points far from the
 * sphere get less weight (1/distance, at most 100). */
static void
calibrate (const StaticWindow *w,
           guint               n,
           double              sphere_min,
           Calibration        *cal)
{
  g_autofree double *curr = NULL;
  g_autofree double *closest = NULL;
  g_autofree double *weight = NULL;
  double res_prev = INFINITY;

  memset (cal, 0, sizeof *cal);
  for (guint k = 0; k < 3; k++)
    {
      cal->offset[k] = 0;
      cal->scale[k] = 1;
    }
  cal->n = n;
  if (n == 0)
    {
      cal->status = "no_static_windows";
      cal->error_before = cal->error_after = NAN;
      return;
    }
  cal->error_before = calibration_error (w, n, cal->offset, cal->scale);
  cal->error_after = NAN;
  cal->populated = TRUE;
  for (guint k = 0; k < 3; k++)
    {
      double lo = INFINITY, hi = -INFINITY;

      for (guint i = 0; i < n; i++)
        {
          lo = MIN (lo, w[i].mean[k]);
          hi = MAX (hi, w[i].mean[k]);
        }
      if (!(lo < -sphere_min && hi > sphere_min))
        cal->populated = FALSE;
    }
  if (!cal->populated)
    {
      cal->status = "sphere_not_populated";
      return;
    }

  curr = g_new (double, 3 * n);
  closest = g_new (double, 3 * n);
  weight = g_new (double, n);
  for (guint i = 0; i < n; i++)
    weight[i] = 1.0;

  for (guint iter = 0; iter < CALIBRATION_MAX_ITER; iter++)
    {
      double res = 0, wsum = 0;

      for (guint i = 0; i < n; i++)
        {
          double norm = 0;

          for (guint k = 0; k < 3; k++)
            {
              curr[3 * i + k] = (w[i].mean[k] + cal->offset[k]) * cal->scale[k];
              norm += curr[3 * i + k] * curr[3 * i + k];
            }
          norm = sqrt (norm);
          for (guint k = 0; k < 3; k++)
            closest[3 * i + k] = curr[3 * i + k] / norm;
          wsum += weight[i];
        }
      for (guint k = 0; k < 3; k++)
        {
          double mx = 0, my = 0, sxy = 0, sxx = 0, a, b;

          for (guint i = 0; i < n; i++)
            {
              mx += weight[i] * curr[3 * i + k];
              my += weight[i] * closest[3 * i + k];
            }
          mx /= wsum;
          my /= wsum;
          for (guint i = 0; i < n; i++)
            {
              double dx = curr[3 * i + k] - mx;
              sxy += weight[i] * dx * (closest[3 * i + k] - my);
              sxx += weight[i] * dx * dx;
            }
          if (!(sxx > 0))
            {
              cal->status = "sphere_not_populated";
              cal->populated = FALSE;
              return;
            }
          b = sxy / sxx;
          a = my - b * mx;
          for (guint i = 0; i < n; i++)
            curr[3 * i + k] = a + b * curr[3 * i + k];
          cal->offset[k] += a / (cal->scale[k] * b);
          cal->scale[k] *= b;
        }
      for (guint i = 0; i < n; i++)
        {
          double d2 = 0;

          for (guint k = 0; k < 3; k++)
            {
              double d = curr[3 * i + k] - closest[3 * i + k];
              d2 += d * d;
              res += weight[i] * d * d / wsum;
            }
          weight[i] = MIN (1.0 / sqrt (d2), 100.0);
        }
      res = 3 * res / (3.0 * n);
      cal->iterations = iter + 1;
      if (fabs (res - res_prev) < CALIBRATION_TOLERANCE)
        break;
      res_prev = res;
    }
  cal->error_after = calibration_error (w, n, cal->offset, cal->scale);
  cal->status = cal->error_after < cal->error_before ? "calibrated" : "not_improved";
}

/* ---- finishing ---- */

static const char *
intensity_of (const ImuProfileOptions *opt,
              double                   enmo_mg)
{
  if (enmo_mg < opt->light_mg)
    return "sedentary";
  if (enmo_mg < opt->moderate_mg)
    return "light";
  if (enmo_mg < opt->vigorous_mg)
    return "moderate";
  return "vigorous";
}

static JsonNode *
double_array3 (const double v[3], int decimals)
{
  JsonArray *a = json_array_new ();

  for (guint k = 0; k < 3; k++)
    json_array_add_element (a, imu_json_double_node (decimals >= 0 ? imu_json_round (v[k], decimals) : v[k]));
  return json_node_init_array (json_node_alloc (), a);
}

/* GGIR's non-wear rule on blocks of one step: each block is judged on the
 * window centred on it (shifted inwards at the ends of the recording); an
 * axis counts when its standard deviation and range are both below the
 * limits; a block is non-wear when enough axes count, or when one does
 * and both neighbours are non-wear. Fills @flags (one per block). */
static guint
nonwear_blocks (ImuMovementProfiler    *self,
                const ImuStreamSummary *summary,
                guint8                **flags_out)
{
  gint64 step_ns = 2 * self->sb.len_ns;
  gint64 span = imu_time_add_sat (imu_time_sub_sat (summary->t_last, self->t0),
                                 (gint64) llround (summary->median_interval_s * NS_PER_S));
  gint64 n_blocks = step_ns > 0 ? span / step_ns : 0;
  guint per_window = (guint) llround (2 * self->opt.nonwear_window_s / self->opt.nonwear_step_s);
  gint64 n_sub = 2 * n_blocks;
  g_autofree guint *axes = NULL;
  guint8 *flags;

  *flags_out = NULL;
  if (n_blocks <= 0 || n_sub < per_window)
    return 0;
  axes = g_new0 (guint, n_blocks);
  flags = g_new0 (guint8, n_blocks);
  for (gint64 h = 0; h < n_blocks; h++)
    {
      gint64 first = CLAMP (2 * h + 1 - (gint64) per_window / 2, 0, n_sub - (gint64) per_window);
      ImuMoments mom[3];
      double lo[3], hi[3];
      gint64 n = 0;

      for (guint k = 0; k < 3; k++)
        {
          imu_moments_init (&mom[k]);
          lo[k] = INFINITY;
          hi[k] = -INFINITY;
        }
      for (gint64 s = first; s < first + per_window && s < (gint64) self->blocks->len; s++)
        {
          const Block *b = &g_array_index (self->blocks, Block, s);

          if (b->n == 0)
            continue;
          n += b->n;
          for (guint k = 0; k < 3; k++)
            {
              ImuMoments part;

              imu_moments_init (&part);
              part.n = b->n;
              part.mean = b->shift[k] + b->sum[k] / (double) b->n;
              part.m2 = MAX (b->sumsq[k] - b->sum[k] * b->sum[k] / (double) b->n, 0.0);
              part.min = b->min[k];
              part.max = b->max[k];
              imu_moments_merge (&mom[k], &part);
              lo[k] = MIN (lo[k], b->min[k]);
              hi[k] = MAX (hi[k], b->max[k]);
            }
        }
      if (n < 2)
        continue;
      for (guint k = 0; k < 3; k++)
        if (imu_moments_std (&mom[k]) < self->opt.nonwear_std_mg / MG_PER_G
            && hi[k] - lo[k] < self->opt.nonwear_range_mg / MG_PER_G)
          axes[h]++;
    }
  for (gint64 h = 0; h < n_blocks; h++)
    flags[h] = axes[h] >= self->opt.nonwear_min_axes;
  /* A block with one axis between two non-wear blocks is non-wear too. */
  for (gint64 h = 1; h + 1 < n_blocks; h++)
    if (axes[h] == 1 && self->opt.nonwear_min_axes > 1
        && axes[h - 1] >= self->opt.nonwear_min_axes && axes[h + 1] >= self->opt.nonwear_min_axes)
      flags[h] = 1;
  *flags_out = flags;
  return (guint) n_blocks;
}

static int
double_cmp (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Whether gravity is in the signal: over an epoch, acceleration from
 * movement largely averages out (it changes velocity, and the wearer goes
 * nowhere fast), gravity does not; and whoever wears a sensor rests now
 * and then. So with gravity the mean vector of every epoch is about 1 g
 * long, while "user acceleration" (phones and watches that subtract
 * gravity) gives near 0 g in the quieter epochs — not always during
 * movement: in the frame of a swinging wrist the centripetal acceleration
 * does not average out. Returns the 5th percentile over epochs (of at
 * least MIN_EPOCH_SAMPLES samples) of the mean vector's length, or the
 * mean magnitude when there is no such epoch. */
static double
gravity_estimate (ImuMovementProfiler *self)
{
  g_autoptr(GArray) norms = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint e = 0; e < self->epochs->len; e++)
    {
      const Epoch *ep = &g_array_index (self->epochs, Epoch, e);
      double s = 0;

      if (ep->n < MIN_EPOCH_SAMPLES)
        continue;
      for (guint k = 0; k < 3; k++)
        {
          double m = ep->shift[k] + ep->sum[k] / (double) ep->n;
          s += m * m;
        }
      s = sqrt (s);
      g_array_append_val (norms, s);
    }
  if (norms->len == 0)
    return self->magnitude.n > 0 ? self->magnitude.mean : NAN;
  g_array_sort (norms, double_cmp);
  return g_array_index (norms, double, (guint) ((norms->len - 1) * 0.05));
}

JsonNode *
imu_movement_profiler_finish (ImuMovementProfiler    *self,
                              const ImuStreamSummary *summary,
                              GPtrArray              *findings)
{
  JsonObject *o = json_object_new ();
  JsonObject *mag = json_object_new ();
  JsonObject *peaks = json_object_new ();
  double mean_mag = self->magnitude.n > 0 ? self->magnitude.mean : NAN;
  double gravity_g = gravity_estimate (self);
  gboolean gravity = self->n > 0 && gravity_g >= self->opt.gravity_min_g;
  double epoch_s = self->opt.epoch_s;
  double duration_min = self->n > 0 ? (double) (summary->t_last - self->t0) / NS_PER_S / 60.0 : 0;
  g_autofree guint8 *nonwear = NULL;
  guint n_blocks = 0;
  gint64 step_ns = 2 * self->sb.len_ns;

  if (self->in_peak)
    peak_close (self);

  {
    JsonArray *axes = json_array_new ();

    for (guint k = 0; k < 3; k++)
      json_array_add_string_element (axes, self->names[k]);
    json_object_set_array_member (o, "axes", axes);
    json_object_set_member (o, "to_g", double_array3 (self->to_g, -1));
  }
  json_object_set_int_member (o, "samples", self->n);
  json_object_set_boolean_member (o, "gravity", gravity);
  imu_json_set_double (o, "gravity_g", gravity_g);

  imu_json_set_double (mag, "mean_g", mean_mag);
  imu_json_set_double (mag, "std_g", imu_moments_std (&self->magnitude));
  imu_json_set_double (mag, "min_g", self->magnitude.n > 0 ? self->magnitude.min : NAN);
  imu_json_set_double (mag, "max_g", self->magnitude.n > 0 ? self->magnitude.max : NAN);
  json_object_set_object_member (o, "magnitude", mag);

  json_object_set_int_member (peaks, "count", self->n_peaks);
  imu_json_set_double (peaks, "threshold_g", self->opt.peak_threshold_g);
  imu_json_set_double (peaks, "refractory_s", self->opt.peak_refractory_s);
  imu_json_set_double (peaks, "per_minute", duration_min > 0 ? (double) self->n_peaks / duration_min : NAN);
  json_object_set_object_member (o, "peaks", peaks);
  if (self->n_peaks > 0)
    g_ptr_array_add (findings,
                     imu_finding_draft_new ("I_PEAKS", NULL, self->n_peaks, g_array_ref (self->peak_locations),
                                            ngettext ("%" PRId64 " acceleration peak above %g g "
                                                      "(at least %g s apart).",
                                                      "%" PRId64 " acceleration peaks above %g g "
                                                      "(at least %g s apart).", (gulong) self->n_peaks),
                                            self->n_peaks, self->opt.peak_threshold_g, self->opt.peak_refractory_s));

  if (!gravity)
    {
      json_object_set_null_member (o, "enmo");
      json_object_set_null_member (o, "intensity");
      json_object_set_null_member (o, "nonwear");
      json_object_set_null_member (o, "calibration");
      json_object_set_null_member (o, "epochs");
      if (self->n > 0)
        g_ptr_array_add (findings,
                         imu_finding_draft_new ("I_GRAVITY_REMOVED", NULL, 1, NULL,
                                                _("Averaged over an epoch the acceleration is only %.3g g "
                                                  "(1 g with gravity): gravity has been removed from this "
                                                  "accelerometer (user acceleration), so ENMO, intensity, "
                                                  "non-wear and calibration do not apply."),
                                                gravity_g));
      return json_node_init_object (json_node_alloc (), o);
    }

  /* ENMO. */
  {
    JsonObject *enmo = json_object_new ();

    imu_json_set_double (enmo, "mean_mg", self->enmo_sum / (double) self->n * MG_PER_G);
    imu_json_set_double (enmo, "epoch_s", epoch_s);
    json_object_set_object_member (o, "enmo", enmo);
  }

  /* Non-wear. */
  {
    JsonObject *nw = json_object_new ();
    GArray *locs = imu_locations_new ();
    gint64 periods = 0, blocks_nw = 0;

    n_blocks = nonwear_blocks (self, summary, &nonwear);
    json_object_set_boolean_member (nw, "evaluated", n_blocks > 0);
    json_object_set_int_member (nw, "blocks", n_blocks);
    for (guint h = 0; h < n_blocks; h++)
      {
        guint start = h;

        if (!nonwear[h])
          continue;
        while (h + 1 < n_blocks && nonwear[h + 1])
          h++;
        periods++;
        blocks_nw += h - start + 1;
        {
          /* The first sample of the period: its first non-empty half block. */
          gint64 index = -1, t = self->t0 + (gint64) start * step_ns;

          for (guint s = 2 * start; s <= 2 * h + 1 && s < self->blocks->len; s++)
            if (g_array_index (self->blocks, Block, s).n > 0)
              {
                index = g_array_index (self->blocks, Block, s).first_index;
                t = g_array_index (self->blocks, Block, s).first_t;
                break;
              }
          imu_locations_add (locs, self->opt.max_locations, index, t, 0,
                             (gint64) (h - start + 1) * step_ns, NAN);
        }
      }
    json_object_set_int_member (nw, "periods", periods);
    imu_json_set_double (nw, "total_s", (double) blocks_nw * (double) step_ns / NS_PER_S);
    json_object_set_object_member (o, "nonwear", nw);
    if (periods > 0)
      {
        g_autofree char *total = imu_profile_format_duration ((double) blocks_nw * (double) step_ns / NS_PER_S);

        g_ptr_array_add (findings,
                         imu_finding_draft_new ("W_NONWEAR", NULL, periods, locs,
                                                ngettext ("%" PRId64 " period when the sensor was not worn "
                                                          "(%s in all): standard deviation below %g mg and range "
                                                          "below %g mg on at least %u axes over %g min.",
                                                          "%" PRId64 " periods when the sensor was not worn "
                                                          "(%s in all): standard deviation below %g mg and range "
                                                          "below %g mg on at least %u axes over %g min.",
                                                          (gulong) periods),
                                                periods, total, self->opt.nonwear_std_mg, self->opt.nonwear_range_mg,
                                                self->opt.nonwear_min_axes, self->opt.nonwear_window_s / 60));
      }
    else
      g_array_unref (locs);
    if (n_blocks == 0 && self->n > 0)
      g_ptr_array_add (findings,
                       imu_finding_draft_new ("I_NONWEAR_NOT_EVALUATED", NULL, 1, NULL,
                                              _("The recording is shorter than the %g min non-wear window: "
                                                "non-wear was not evaluated."),
                                              self->opt.nonwear_window_s / 60));
  }

  /* Calibration. */
  {
    JsonObject *co = json_object_new ();
    g_autoptr(GArray) used = g_array_new (FALSE, FALSE, sizeof (StaticWindow));
    double need = STATIC_MIN_FILL * self->opt.static_window_s * summary->rate_hz;
    Calibration cal;

    static_close (self);
    memset (&self->cur_static, 0, sizeof self->cur_static);
    for (guint i = 0; i < self->statics->len; i++)
      {
        StaticWindow *w = &g_array_index (self->statics, StaticWindow, i);
        if ((double) w->n >= need)
          g_array_append_val (used, *w);
      }
    calibrate ((StaticWindow *) (void *) used->data, used->len, self->opt.sphere_min_g, &cal);
    json_object_set_int_member (co, "static_windows", cal.n);
    json_object_set_string_member (co, "status", cal.status);
    imu_json_set_double (co, "error_before_mg", cal.error_before * MG_PER_G);
    imu_json_set_double (co, "error_after_mg", cal.error_after * MG_PER_G);
    json_object_set_boolean_member (co, "sphere_populated", cal.populated);
    if (cal.populated)
      {
        json_object_set_member (co, "offset_g", double_array3 (cal.offset, -1));
        json_object_set_member (co, "scale", double_array3 (cal.scale, -1));
        json_object_set_int_member (co, "iterations", cal.iterations);
      }
    else
      {
        json_object_set_null_member (co, "offset_g");
        json_object_set_null_member (co, "scale");
        json_object_set_null_member (co, "iterations");
      }
    json_object_set_object_member (o, "calibration", co);

    if (cal.n > 0 && cal.error_before * MG_PER_G > self->opt.calibration_error_mg)
      {
        if (cal.populated)
          g_ptr_array_add (findings,
                           imu_finding_draft_new ("W_CALIBRATION", NULL, cal.n, NULL,
                                                  _("Still periods read %.3g mg away from 1 g on average "
                                                    "(over %u windows of %g s), more than %g mg. "
                                                    "Auto-calibration brings it to %.3g mg with offsets "
                                                    "%+.4f, %+.4f, %+.4f g and scales %.4f, %.4f, %.4f."),
                                                  cal.error_before * MG_PER_G, cal.n, self->opt.static_window_s,
                                                  self->opt.calibration_error_mg, cal.error_after * MG_PER_G,
                                                  cal.offset[0], cal.offset[1], cal.offset[2],
                                                  cal.scale[0], cal.scale[1], cal.scale[2]));
        else
          g_ptr_array_add (findings,
                           imu_finding_draft_new ("W_CALIBRATION", NULL, cal.n, NULL,
                                                  _("Still periods read %.3g mg away from 1 g on average "
                                                    "(over %u windows of %g s), more than %g mg. The sensor "
                                                    "did not rest in enough orientations (beyond ±%g g on "
                                                    "every axis) to estimate a correction."),
                                                  cal.error_before * MG_PER_G, cal.n, self->opt.static_window_s,
                                                  self->opt.calibration_error_mg, self->opt.sphere_min_g));
      }
    else if (cal.n == 0 && self->n > 0)
      g_ptr_array_add (findings,
                       imu_finding_draft_new ("I_NO_STATIC_PERIODS", NULL, 0, NULL,
                                              _("No %g s window was still enough (standard deviation below %g mg "
                                                "on every axis) to check the calibration."),
                                              self->opt.static_window_s, self->opt.static_std_mg));
  }

  /* Epochs: columns, one value per epoch (null where an epoch has no
   * sample), and the time spent in each intensity class. */
  {
    JsonObject *eo = json_object_new ();
    JsonObject *io = json_object_new ();
    JsonObject *cut = json_object_new ();
    guint n_ep = self->epochs->len;
    JsonArray *a_n = json_array_sized_new (n_ep), *a_enmo = json_array_sized_new (n_ep);
    JsonArray *a_mag = json_array_sized_new (n_ep);
    JsonArray *a_mean[3], *a_std[3];
    JsonArray *a_class = json_array_sized_new (n_ep), *a_nw = json_array_sized_new (n_ep);
    JsonArray *a_peaks = json_array_sized_new (n_ep);
    JsonArray *a_mean_all = json_array_new (), *a_std_all = json_array_new ();
    const char *classes[] = { "sedentary", "light", "moderate", "vigorous", "nonwear" };
    gint64 class_epochs[G_N_ELEMENTS (classes)] = { 0 };

    for (guint k = 0; k < 3; k++)
      {
        a_mean[k] = json_array_sized_new (n_ep);
        a_std[k] = json_array_sized_new (n_ep);
      }
    for (guint e = 0; e < self->epochs->len; e++)
      {
        const Epoch *ep = &g_array_index (self->epochs, Epoch, e);
        gint64 t_start = self->t0 + (gint64) e * self->ep.len_ns;
        gint64 block = step_ns > 0 ? (t_start - self->t0) / step_ns : 0;
        gboolean nw = nonwear != NULL && block < n_blocks && nonwear[block];

        json_array_add_int_element (a_n, ep->n);
        json_array_add_int_element (a_peaks, ep->peaks);
        json_array_add_int_element (a_nw, nw ? 1 : 0);
        if (ep->n == 0)
          {
            json_array_add_null_element (a_enmo);
            json_array_add_null_element (a_mag);
            json_array_add_null_element (a_class);
            for (guint k = 0; k < 3; k++)
              {
                json_array_add_null_element (a_mean[k]);
                json_array_add_null_element (a_std[k]);
              }
            continue;
          }
        {
          double enmo_mg = ep->enmo_sum / (double) ep->n * MG_PER_G;
          const char *cls = nw ? "nonwear" : intensity_of (&self->opt, enmo_mg);

          json_array_add_element (a_enmo, imu_json_double_node (imu_json_round (enmo_mg, 3)));
          json_array_add_element (a_mag, imu_json_double_node (imu_json_round (ep->mag_sum / (double) ep->n, 6)));
          json_array_add_string_element (a_class, cls);
          for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
            if (g_str_equal (cls, classes[c]))
              class_epochs[c]++;
          for (guint k = 0; k < 3; k++)
            {
              double n = (double) ep->n;
              double mean = ep->shift[k] + ep->sum[k] / n;
              double sd = ep->n > 1 ? sqrt (MAX ((ep->sumsq[k] - ep->sum[k] * ep->sum[k] / n) / (n - 1), 0.0)) : NAN;

              json_array_add_element (a_mean[k], imu_json_double_node (imu_json_round (mean, 6)));
              json_array_add_element (a_std[k], imu_json_double_node (imu_json_round (sd, 6)));
            }
        }
      }
    imu_json_set_double (eo, "epoch_s", epoch_s);
    json_object_set_int_member (eo, "t0_ns", self->t0);
    {
      g_autofree char *iso = imu_format_time_iso (self->t0);
      json_object_set_string_member (eo, "start", iso);
    }
    json_object_set_int_member (eo, "count", self->epochs->len);
    json_object_set_boolean_member (eo, "truncated", self->epochs_truncated);
    json_object_set_array_member (eo, "samples", a_n);
    json_object_set_array_member (eo, "enmo_mg", a_enmo);
    for (guint k = 0; k < 3; k++)
      {
        json_array_add_array_element (a_mean_all, a_mean[k]);
        json_array_add_array_element (a_std_all, a_std[k]);
      }
    json_object_set_array_member (eo, "mean_g", a_mean_all);
    json_object_set_array_member (eo, "std_g", a_std_all);
    json_object_set_array_member (eo, "magnitude_g", a_mag);
    json_object_set_array_member (eo, "intensity", a_class);
    json_object_set_array_member (eo, "nonwear", a_nw);
    json_object_set_array_member (eo, "peaks", a_peaks);
    json_object_set_object_member (o, "epochs", eo);

    imu_json_set_double (cut, "light_mg", self->opt.light_mg);
    imu_json_set_double (cut, "moderate_mg", self->opt.moderate_mg);
    imu_json_set_double (cut, "vigorous_mg", self->opt.vigorous_mg);
    json_object_set_object_member (io, "cut_points", cut);
    json_object_set_string_member (io, "source",
                                   "Hildebrand et al. 2014 (Med Sci Sports Exerc 46:1816) and 2017 "
                                   "(Scand J Med Sci Sports 27:1814), wrist GENEActiv, adults");
    for (guint c = 0; c < G_N_ELEMENTS (classes); c++)
      {
        JsonObject *co = json_object_new ();

        json_object_set_int_member (co, "epochs", class_epochs[c]);
        imu_json_set_double (co, "minutes", (double) class_epochs[c] * epoch_s / 60.0);
        json_object_set_object_member (io, classes[c], co);
      }
    json_object_set_object_member (o, "intensity", io);
  }
  if (self->epochs_truncated)
    g_ptr_array_add (findings,
                     imu_finding_draft_new ("I_EPOCHS_TRUNCATED", NULL, MAX_EPOCHS, NULL,
                                            _("Only the first %d epochs are kept."), MAX_EPOCHS));

  return json_node_init_object (json_node_alloc (), o);
}

/* ---- FFT and Welch ---- */

typedef struct {
  guint   n;         /* real length */
  guint   m;         /* complex length, n / 2 */
  guint   n_swaps;   /* bit-reversal permutation as swaps */
  guint  *swap_a;
  guint  *swap_b;
  double *tw_re;     /* stage with half-length h: e^{−2πij/2h} at [h + j] */
  double *tw_im;
  double *post_re;   /* e^{−2πik/n}, k = 0..m */
  double *post_im;
} FftPlan;

static void
fft_plan_init (FftPlan *p,
               guint    n)
{
  guint bits = 0;

  p->n = n;
  p->m = n / 2;
  while ((1u << bits) < p->m)
    bits++;
  p->swap_a = g_new (guint, p->m);
  p->swap_b = g_new (guint, p->m);
  p->n_swaps = 0;
  for (guint i = 0; i < p->m; i++)
    {
      guint r = 0;

      for (guint b = 0; b < bits; b++)
        if (i & (1u << b))
          r |= 1u << (bits - 1 - b);
      if (r > i)
        {
          p->swap_a[p->n_swaps] = i;
          p->swap_b[p->n_swaps] = r;
          p->n_swaps++;
        }
    }
  p->tw_re = g_new0 (double, MAX (p->m, 2));
  p->tw_im = g_new0 (double, MAX (p->m, 2));
  for (guint h = 1; h < p->m; h <<= 1)
    for (guint j = 0; j < h; j++)
      {
        p->tw_re[h + j] = cos (G_PI * j / h);
        p->tw_im[h + j] = -sin (G_PI * j / h);
      }
  p->post_re = g_new (double, p->m + 1);
  p->post_im = g_new (double, p->m + 1);
  for (guint k = 0; k <= p->m; k++)
    {
      p->post_re[k] = cos (2 * G_PI * k / n);
      p->post_im[k] = -sin (2 * G_PI * k / n);
    }
}

static void
fft_plan_clear (FftPlan *p)
{
  g_clear_pointer (&p->swap_a, g_free);
  g_clear_pointer (&p->swap_b, g_free);
  g_clear_pointer (&p->tw_re, g_free);
  g_clear_pointer (&p->tw_im, g_free);
  g_clear_pointer (&p->post_re, g_free);
  g_clear_pointer (&p->post_im, g_free);
}

typedef double V2 __attribute__ ((vector_size (16)));

static inline V2
v2_load (const double *p)
{
  V2 v;

  memcpy (&v, p, sizeof v);
  return v;
}

static inline void
v2_store (double *p, V2 v)
{
  memcpy (p, &v, sizeof v);
}

/* In-place iterative radix-2 decimation-in-time FFT (forward, e^{−i…}).
 * The first stage has trivial twiddles and is written out; later stages
 * read their twiddles contiguously. */
static void
fft_complex (const FftPlan *p,
             double        *re,
             double        *im)
{
  guint m = p->m;

  for (guint s = 0; s < p->n_swaps; s++)
    {
      guint a = p->swap_a[s], b = p->swap_b[s];
      double tr = re[a], ti = im[a];

      re[a] = re[b];
      im[a] = im[b];
      re[b] = tr;
      im[b] = ti;
    }
  if (m >= 2)
    for (guint i = 0; i < m; i += 2)
      {
        double ar = re[i], ai = im[i], br = re[i + 1], bi = im[i + 1];

        re[i] = ar + br;
        im[i] = ai + bi;
        re[i + 1] = ar - br;
        im[i + 1] = ai - bi;
      }
  /* Later stages, two butterflies at a time (GCC vector extensions: SSE2
   * on x86-64, NEON on AArch64, plain code elsewhere); loads and stores go
   * through memcpy, so no alignment is assumed. */
  for (guint h = 2; h < m; h <<= 1)
    {
      const double *wr = p->tw_re + h, *wi = p->tw_im + h;

      for (guint i = 0; i < m; i += 2 * h)
        {
          double *r0 = re + i, *i0 = im + i, *r1 = re + i + h, *i1 = im + i + h;

          for (guint j = 0; j < h; j += 2)
            {
              V2 xr = v2_load (r1 + j), xi = v2_load (i1 + j);
              V2 c = v2_load (wr + j), sn = v2_load (wi + j);
              V2 vr = xr * c - xi * sn, vi = xr * sn + xi * c;
              V2 ur = v2_load (r0 + j), ui = v2_load (i0 + j);

              v2_store (r0 + j, ur + vr);
              v2_store (i0 + j, ui + vi);
              v2_store (r1 + j, ur - vr);
              v2_store (i1 + j, ui - vi);
            }
        }
    }
}

/* |X_k|² of a real signal whose even samples are in @re and odd samples
 * in @im (m each), from the complex FFT of z_j = x_2j + i·x_2j+1: with E_k
 * and O_k the transforms of the even and odd samples,
 * E_k = (Z_k + conj Z_{m−k}) / 2, O_k = (Z_k − conj Z_{m−k}) / 2i and
 * X_k = E_k + e^{−2πik/n} O_k. */
static void
fft_real_power_packed (const FftPlan *p,
                       double        *re,
                       double        *im,
                       double        *power)
{
  guint m = p->m;

  fft_complex (p, re, im);
  power[0] = (re[0] + im[0]) * (re[0] + im[0]);
  power[m] = (re[0] - im[0]) * (re[0] - im[0]);
  for (guint k = 1; k < m; k++)
    {
      double zr = re[k], zi = im[k], cr = re[m - k], ci = -im[m - k];
      double er = (zr + cr) * 0.5, ei = (zi + ci) * 0.5;
      double dr = (zr - cr) * 0.5, di = (zi - ci) * 0.5;
      /* O = D / i = (di, −dr) */
      double or_ = di, oi = -dr;
      double wr = p->post_re[k], wi = p->post_im[k];
      double xr = er + or_ * wr - oi * wi;
      double xi = ei + or_ * wi + oi * wr;

      power[k] = xr * xr + xi * xi;
    }
}

void
imu_fft_real_power (double *x,
                    guint   n,
                    double *power,
                    double *work)
{
  FftPlan p;

  g_return_if_fail (n >= 4 && (n & (n - 1)) == 0);
  fft_plan_init (&p, n);
  for (guint j = 0; j < n / 2; j++)
    {
      work[j] = x[2 * j];
      work[n / 2 + j] = x[2 * j + 1];
    }
  fft_real_power_packed (&p, work, work + n / 2, power);
  fft_plan_clear (&p);
}

struct _ImuWelch
{
  guint    channel;
  guint    n;          /* segment length */
  FftPlan  plan;
  double  *window;
  double   window_ss;  /* Σ w² */
  double  *buf;        /* the segment being filled */
  guint    len;
  double  *power;
  double  *work;
  double  *sum;        /* Σ over segments of |X_k|² */
  gint64   segments;
  gint64   skipped;    /* segments with a non-finite value */
};

ImuWelch *
imu_welch_new (guint segment,
               guint channel)
{
  ImuWelch *self = g_new0 (ImuWelch, 1);

  g_return_val_if_fail (segment >= 16 && (segment & (segment - 1)) == 0, NULL);

  self->channel = channel;
  self->n = segment;
  fft_plan_init (&self->plan, segment);
  self->window = g_new (double, segment);
  /* The periodic Hann window, as scipy.signal.get_window("hann", n). */
  for (guint j = 0; j < segment; j++)
    {
      self->window[j] = 0.5 - 0.5 * cos (2 * G_PI * j / segment);
      self->window_ss += self->window[j] * self->window[j];
    }
  self->buf = g_new (double, segment);
  self->power = g_new (double, segment / 2 + 1);
  self->work = g_new (double, segment);
  self->sum = g_new0 (double, segment / 2 + 1);
  return self;
}

void
imu_welch_free (ImuWelch *self)
{
  if (self == NULL)
    return;
  fft_plan_clear (&self->plan);
  g_free (self->window);
  g_free (self->buf);
  g_free (self->power);
  g_free (self->work);
  g_free (self->sum);
  g_free (self);
}

static void
welch_segment (ImuWelch *self)
{
  guint n = self->n, m = n / 2;
  double *re = self->work, *im = self->work + m;
  V2 acc0 = { 0, 0 }, acc1 = { 0, 0 }, mu;
  double mean;

  for (guint j = 0; j < n; j += 4)
    {
      acc0 += v2_load (self->buf + j);
      acc1 += v2_load (self->buf + j + 2);
    }
  acc0 += acc1;
  mean = (acc0[0] + acc0[1]) / n;
  if (!isfinite (mean))
    {
      self->skipped++;
      return;
    }
  /* Constant detrend and the window, packed straight into the FFT's
   * input: even samples as real parts, odd ones as imaginary parts. */
  mu = (V2) { mean, mean };
  for (guint j = 0; j < m; j++)
    {
      V2 v = (v2_load (self->buf + 2 * j) - mu) * v2_load (self->window + 2 * j);

      re[j] = v[0];
      im[j] = v[1];
    }
  fft_real_power_packed (&self->plan, re, im, self->power);
  for (guint k = 0; k <= m; k++)
    self->sum[k] += self->power[k];
  self->segments++;
}

void
imu_welch_feed (ImuWelch              *self,
                const ImuProfileChunk *chunk)
{
  const double *x = chunk->cols[self->channel];
  guint i = 0;

  while (i < chunk->n)
    {
      guint take = MIN (chunk->n - i, self->n - self->len);

      memcpy (self->buf + self->len, x + i, take * sizeof *x);
      self->len += take;
      i += take;
      if (self->len == self->n)
        {
          welch_segment (self);
          /* 50 % overlap: the second half starts the next segment. */
          memmove (self->buf, self->buf + self->n / 2, self->n / 2 * sizeof *self->buf);
          self->len = self->n / 2;
        }
    }
}

JsonNode *
imu_welch_finish (ImuWelch *self,
                  double    rate_hz)
{
  JsonObject *o = json_object_new ();
  guint half = self->n / 2, best = 0;
  double best_psd = -1, scale;

  json_object_set_int_member (o, "segment", self->n);
  json_object_set_int_member (o, "segments", self->segments);
  imu_json_set_double (o, "resolution_hz", rate_hz > 0 ? rate_hz / self->n : NAN);
  if (self->segments == 0 || !(rate_hz > 0))
    {
      json_object_set_null_member (o, "dominant_frequency_hz");
      json_object_set_null_member (o, "peak_psd");
      return json_node_init_object (json_node_alloc (), o);
    }
  /* Density scaling, one-sided: doubled except at 0 and Nyquist. */
  scale = 1.0 / (rate_hz * self->window_ss * (double) self->segments);
  for (guint k = 1; k <= half; k++)
    {
      double psd = self->sum[k] * scale * (k < half ? 2.0 : 1.0);

      if (psd > best_psd)
        {
          best_psd = psd;
          best = k;
        }
    }
  imu_json_set_double (o, "dominant_frequency_hz", (double) best * rate_hz / self->n);
  imu_json_set_double (o, "peak_psd", best_psd);
  return json_node_init_object (json_node_alloc (), o);
}
