/* imu-compare.c — two to four sessions side by side: alignment and differences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Cross-correlation without an FFT: the acceleration magnitude of each
 * session is averaged into bins of 1 s, 0.1 s and one sample period while
 * the stream is read once. The best lag is searched over ±max_lag on the
 * 1 s bins, then refined within ±1.5 bins on each finer grid, and last to a
 * fraction of a sample by a parabola through the peak. A search over
 * 24 h at 100 Hz costs about 3·10⁸ multiply-adds.
 */
#define G_LOG_DOMAIN "imu-compare"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-compare.h"
#include "imu-series.h"
#include "imu-session.h"
#include "imu-stream-writer.h"
#include "imu-time.h"

G_DEFINE_QUARK (imu-compare-error-quark, imu_compare_error)

#define BLOCK 65536
#define STANDARD_GRAVITY 9.80665

/* ---- --align ---- */

gboolean
imu_align_spec_parse (const char    *text,
                      ImuAlignSpec  *spec,
                      GError       **error)
{
  g_return_val_if_fail (text != NULL && spec != NULL, FALSE);

  memset (spec, 0, sizeof *spec);
  if (g_str_equal (text, "start"))
    spec->method = IMU_ALIGN_START;
  else if (g_str_equal (text, "xcorr"))
    spec->method = IMU_ALIGN_XCORR;
  else if (g_str_has_prefix (text, "event:") && text[6] != '\0')
    {
      spec->method = IMU_ALIGN_EVENT;
      spec->event_label = g_strdup (text + 6);
    }
  else if (g_str_has_prefix (text, "offset:"))
    {
      char *end = NULL;
      double s = g_ascii_strtod (text + 7, &end);

      if (end == text + 7 || *end != '\0' || !isfinite (s) || fabs (s) > 86400.0 * 365)
        goto bad;
      spec->method = IMU_ALIGN_OFFSET;
      spec->offset_ns = (gint64) llround (s * 1e9);
    }
  else
    goto bad;
  return TRUE;

bad:
  g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT,
               /* TRANSLATORS: %s is what was given to --align */
               _("“%s” is no way to align: give start, xcorr, event:LABEL or offset:SECONDS"), text);
  return FALSE;
}

void
imu_align_spec_clear (ImuAlignSpec *spec)
{
  if (spec != NULL)
    g_clear_pointer (&spec->event_label, g_free);
}

void
imu_comparison_free (ImuComparison *c)
{
  if (c == NULL)
    return;
  for (guint i = 0; i < c->n_members; i++)
    {
      g_free (c->members[i].title);
      g_free (c->members[i].stream_name);
    }
  for (guint i = 0; i < c->n_channels; i++)
    {
      g_free (c->channels[i].name);
      g_free (c->channels[i].unit);
    }
  g_free (c->channels);
  g_free (c);
}

/* ---- streams and units ---- */

static gboolean
is_accel (const ImuChannelInfo *ch)
{
  return g_strcmp0 (ch->kind, "accel") == 0;
}

/* The first three acceleration channels of @info, or FALSE. */
static gboolean
accel_channels (const ImuStreamInfo *info, guint idx[3])
{
  guint n = 0;

  for (guint i = 0; i < info->n_channels && n < 3; i++)
    if (is_accel (&info->channels[i]))
      idx[n++] = i;
  return n == 3;
}

static const ImuStreamInfo *
choose_stream (GPtrArray *streams, const char *name)
{
  guint idx[3];

  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      const ImuStreamInfo *s = g_ptr_array_index (streams, i);

      if (name != NULL ? g_ascii_strcasecmp (s->name, name) == 0 : accel_channels (s, idx))
        return s;
    }
  if (name == NULL && streams != NULL && streams->len > 0)
    return g_ptr_array_index (streams, 0);
  return NULL;
}

/* The factor that turns a value in @from into @to, or NAN when they are
 * not the same quantity. Empty units convert 1:1 into anything. */
static double
unit_factor (const char *from, const char *to)
{
  static const struct { const char *name; const char *quantity; double si; } units[] = {
    { "g", "a", STANDARD_GRAVITY }, { "m/s^2", "a", 1.0 }, { "m/s²", "a", 1.0 }, { "m/s2", "a", 1.0 },
    { "mg", "a", STANDARD_GRAVITY / 1000.0 },
    { "deg/s", "w", G_PI / 180.0 }, { "dps", "w", G_PI / 180.0 }, { "°/s", "w", G_PI / 180.0 }, { "rad/s", "w", 1.0 },
    { "uT", "b", 1e-6 }, { "µT", "b", 1e-6 }, { "mT", "b", 1e-3 }, { "T", "b", 1.0 }, { "G", "b", 1e-4 },
  };
  int a = -1, b = -1;

  if (from == NULL || to == NULL || *from == '\0' || *to == '\0' || g_str_equal (from, to))
    return 1.0;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      if (g_str_equal (units[i].name, from))
        a = (int) i;
      if (g_str_equal (units[i].name, to))
        b = (int) i;
    }
  if (a < 0 || b < 0 || !g_str_equal (units[a].quantity, units[b].quantity))
    return NAN;
  return units[a].si / units[b].si;
}

/* ---- a member being compared ---- */

typedef struct {
  ImuSession          *session;
  const ImuStreamInfo *info;
  ImuSeries           *series;
  gint64               start_ns;  /* first sample */
  gint64               end_ns;    /* last sample */
} Member;

static void
member_clear (Member *m)
{
  g_clear_pointer (&m->series, imu_series_free);
  g_clear_object (&m->session);
}

/* ---- bins of |a| ---- */

typedef struct {
  gint64  width_ns;
  gint64  n;
  float  *mean;   /* NAN where no sample fell */
} Bins;

static void
bins_clear (Bins *b)
{
  g_clear_pointer (&b->mean, g_free);
}

/* Fills @bins[k] (widths set, mean NULL) with the mean |a| of @m per bin,
 * bin 0 starting at the member's first sample. The magnitude is in g. */
static gboolean
member_bins (Member *m, Bins *bins, guint n_levels, GCancellable *cancellable, GError **error)
{
  guint idx[3];
  gint64 total = imu_series_get_n_samples (m->series);
  double to_g;
  g_autofree gint64 *t = g_new (gint64, BLOCK);
  g_autofree double *x = g_new (double, BLOCK);
  g_autofree double *y = g_new (double, BLOCK);
  g_autofree double *z = g_new (double, BLOCK);
  g_autofree guint32 **counts = g_new0 (guint32 *, n_levels);

  if (!accel_channels (m->info, idx))
    {
      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_STREAM,
                   /* TRANSLATORS: "the stream “gyroscope” of “Run” has no acceleration x, y and z" */
                   _("the stream “%s” of “%s” has no acceleration x, y and z to cross-correlate"),
                   m->info->name, imu_session_get_title (m->session));
      return FALSE;
    }
  to_g = 1.0 / unit_factor ("g", m->info->channels[idx[0]].unit);
  if (!isfinite (to_g))
    to_g = 1.0;

  for (guint l = 0; l < n_levels; l++)
    {
      bins[l].n = (m->end_ns - m->start_ns) / bins[l].width_ns + 1;
      bins[l].mean = g_new0 (float, bins[l].n);
      counts[l] = g_new0 (guint32, bins[l].n);
    }

  for (gint64 first = 0; first < total; first += BLOCK)
    {
      double *columns[IMU_STREAM_MAX_CHANNELS] = { NULL };
      gint64 got;

      columns[idx[0]] = x;
      columns[idx[1]] = y;
      columns[idx[2]] = z;
      if ((got = imu_series_read (m->series, first, BLOCK, t, columns, error)) < 0)
        goto fail;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto fail;
      for (gint64 i = 0; i < got; i++)
        {
          double mag = sqrt (x[i] * x[i] + y[i] * y[i] + z[i] * z[i]) * to_g;
          gint64 d = t[i] - m->start_ns;

          if (!isfinite (mag) || d < 0)
            continue;
          for (guint l = 0; l < n_levels; l++)
            {
              gint64 k = d / bins[l].width_ns;

              if (k < bins[l].n)
                {
                  bins[l].mean[k] += (float) mag;
                  counts[l][k]++;
                }
            }
        }
    }
  for (guint l = 0; l < n_levels; l++)
    {
      for (gint64 k = 0; k < bins[l].n; k++)
        bins[l].mean[k] = counts[l][k] > 0 ? bins[l].mean[k] / (float) counts[l][k] : NAN;
      g_free (counts[l]);
    }
  return TRUE;

fail:
  for (guint l = 0; l < n_levels; l++)
    g_free (counts[l]);
  return FALSE;
}

/* Pearson r of ref[j + lag] and mem[j] over the bins where both exist;
 * NAN when fewer than 10 pairs (or no variance). */
static double
lag_correlation (const Bins *ref, const Bins *mem, gint64 lag, gint64 *pairs)
{
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  gint64 n = 0;
  gint64 j0 = MAX (0, -lag);
  gint64 j1 = MIN (mem->n, ref->n - lag);

  for (gint64 j = j0; j < j1; j++)
    {
      double a = ref->mean[j + lag];
      double b = mem->mean[j];

      if (isnan (a) || isnan (b))
        continue;
      sx += a;
      sy += b;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
      n++;
    }
  if (pairs != NULL)
    *pairs = n;
  /* Lags where the two overlap by less than half the shorter one say little. */
  if (n < 10 || n < MIN (ref->n, mem->n) / 2)
    return NAN;
  {
    double cov = sxy - sx * sy / (double) n;
    double vx = sxx - sx * sx / (double) n;
    double vy = syy - sy * sy / (double) n;

    if (vx <= 0 || vy <= 0)
      return NAN;
    return cov / sqrt (vx * vy);
  }
}

/* The lag in [lo, hi] with the best r; *second the best r farther than
 * @apart lags from it. */
static gint64
best_lag (const Bins *ref, const Bins *mem, gint64 lo, gint64 hi, gint64 apart,
          double *best_r, double *second, GCancellable *cancellable)
{
  gint64 n = hi - lo + 1;
  g_autofree double *r = g_new (double, n);
  gint64 best = lo;
  double rb = -INFINITY;
  double r2 = -INFINITY;

  for (gint64 i = 0; i < n; i++)
    {
      r[i] = lag_correlation (ref, mem, lo + i, NULL);
      if (!isnan (r[i]) && r[i] > rb)
        {
          rb = r[i];
          best = lo + i;
        }
      if ((i & 63) == 0 && g_cancellable_is_cancelled (cancellable))
        break;
    }
  for (gint64 i = 0; i < n; i++)
    if (!isnan (r[i]) && llabs (lo + i - best) > apart && r[i] > r2)
      r2 = r[i];
  *best_r = rb;
  if (second != NULL)
    *second = r2;
  return best;
}

/* Cross-correlation of @mem against @ref: the offset (add to the member's
 * times) and its r; FALSE in *clear when no single peak stands out. */
static gboolean
xcorr_offset (Member *ref, Member *mem, gint64 max_lag_ns, gint64 *offset_ns, double *r_out,
              gboolean *clear, GCancellable *cancellable, GError **error)
{
  double rate = MAX (imu_series_get_n_samples (ref->series) > 1
                     ? (double) (imu_series_get_n_samples (ref->series) - 1) * 1e9 / (double) MAX (1, ref->end_ns - ref->start_ns)
                     : 1.0,
                     imu_series_get_n_samples (mem->series) > 1
                     ? (double) (imu_series_get_n_samples (mem->series) - 1) * 1e9 / (double) MAX (1, mem->end_ns - mem->start_ns)
                     : 1.0);
  gint64 fine_ns = (gint64) llround (1e9 / MIN (rate, 1000.0));
  /* The coarse grid: 1 s, or finer for short sessions, so that the shorter
   * one still spans some 64 bins; a middle grid when coarse and fine are
   * far apart. */
  gint64 shorter = MIN (ref->end_ns - ref->start_ns, mem->end_ns - mem->start_ns);
  gint64 coarse_ns = CLAMP (shorter / 64, fine_ns, IMU_NS_PER_SECOND);
  gint64 middle_ns = (gint64) llround (sqrt ((double) coarse_ns * (double) fine_ns));
  Bins rb[3] = { { coarse_ns, 0, NULL }, { middle_ns, 0, NULL }, { fine_ns, 0, NULL } };
  Bins mb[3] = { { coarse_ns, 0, NULL }, { middle_ns, 0, NULL }, { fine_ns, 0, NULL } };
  guint levels;
  gint64 lag, lag_bins;
  double r = NAN, second = NAN;
  gboolean ok = FALSE;

  if (coarse_ns <= fine_ns)
    levels = 1;
  else if (coarse_ns / fine_ns < 20)
    {
      levels = 2;
      rb[1].width_ns = mb[1].width_ns = fine_ns;
    }
  else
    levels = 3;
  if (!member_bins (ref, rb, levels, cancellable, error) || !member_bins (mem, mb, levels, cancellable, error))
    goto out;

  /* Coarse: every lag of 1 s bins within ±max_lag, around the starts. The
   * member's bin j is the reference's bin j + lag when the member's times
   * plus (ref.start − mem.start + lag·width) are the reference's. */
  lag_bins = max_lag_ns / rb[0].width_ns;
  lag = best_lag (&rb[0], &mb[0], -lag_bins, lag_bins, MAX (3, 3 * IMU_NS_PER_SECOND / coarse_ns), &r, &second, cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto out;
  *clear = isfinite (r) && r >= 0.3 && (!isfinite (second) || r - second >= 0.05);

  /* Finer grids: within ±1.5 coarse bins of the lag found. */
  for (guint l = 1; l < levels; l++)
    {
      double ratio = (double) rb[l - 1].width_ns / (double) rb[l].width_ns;
      gint64 centre = (gint64) llround ((double) lag * ratio);
      gint64 span = (gint64) ceil (1.5 * ratio);

      lag = best_lag (&rb[l], &mb[l], centre - span, centre + span, 0, &r, NULL, cancellable);
    }

  {
    /* A parabola through the peak and its neighbours: a fraction of a bin. */
    const Bins *fr = &rb[levels - 1];
    const Bins *fm = &mb[levels - 1];
    double ym = lag_correlation (fr, fm, lag - 1, NULL);
    double yp = lag_correlation (fr, fm, lag + 1, NULL);
    double frac = 0.0;

    if (isfinite (ym) && isfinite (yp) && isfinite (r) && (ym - 2 * r + yp) < 0)
      frac = CLAMP (0.5 * (ym - yp) / (ym - 2 * r + yp), -0.5, 0.5);
    *offset_ns = ref->start_ns - mem->start_ns + (gint64) llround (((double) lag + frac) * (double) fr->width_ns)
                 /* Bins average their samples: a bin's time is its middle
                  * on both grids, so the half widths cancel. */
                 ;
  }
  *r_out = r;
  ok = TRUE;

out:
  for (guint l = 0; l < 3; l++)
    {
      bins_clear (&rb[l]);
      bins_clear (&mb[l]);
    }
  return ok;
}

/* ---- differences ---- */

/* Reads a stream in order, a block at a time, keeping two samples around
 * the time asked for. */
typedef struct {
  ImuSeries *series;
  guint      n_channels;
  const guint *map;         /* the member's channel for each reference channel */
  guint      n_map;
  gint64     total;
  gint64     first;         /* index of t[0] */
  gint64     len;
  gint64    *t;
  double    *cols[IMU_STREAM_MAX_CHANNELS];
  gint64     pos;           /* t[pos] ≤ u < t[pos + 1] once found */
} Cursor;

static gboolean
cursor_fill (Cursor *c, GError **error)
{
  /* Keep the last sample of the block: it brackets the next time. */
  gint64 keep = c->len > 0 ? 1 : 0;
  gint64 start = c->first + c->len - keep;
  double *cols[IMU_STREAM_MAX_CHANNELS] = { NULL };
  gint64 got;

  for (guint k = 0; k < c->n_map; k++)
    cols[c->map[k]] = c->cols[c->map[k]];
  if ((got = imu_series_read (c->series, start, BLOCK, c->t, cols, error)) < 0)
    return FALSE;
  c->first = start;
  c->len = got;
  c->pos = 0;
  return TRUE;
}

/* Value of reference channel @k of the member at its own time @u by linear
 * interpolation; FALSE when @u lies outside the member's samples. Times
 * asked for must not decrease. */
static gboolean
cursor_at (Cursor *c, gint64 u, double *out, GError **error, gboolean *failed)
{
  for (;;)
    {
      if (c->pos + 1 < c->len && c->t[c->pos + 1] <= u)
        {
          c->pos++;
          continue;
        }
      if (c->pos + 1 >= c->len)
        {
          if (c->first + c->len >= c->total)
            return FALSE;
          if (!cursor_fill (c, error))
            {
              *failed = TRUE;
              return FALSE;
            }
          continue;
        }
      break;
    }
  if (u < c->t[c->pos])
    return FALSE;
  {
    gint64 ta = c->t[c->pos], tb = c->t[c->pos + 1];
    double w = tb > ta ? (double) (u - ta) / (double) (tb - ta) : 0.0;

    for (guint k = 0; k < c->n_map; k++)
      {
        double a = c->cols[c->map[k]][c->pos];
        double b = c->cols[c->map[k]][c->pos + 1];

        out[k] = a + (b - a) * w;
      }
  }
  return TRUE;
}

typedef struct {
  double sd, sdd;            /* differences */
  double sx, sy, sxx, syy, sxy;
  gint64 n;
} Acc;

static gboolean
compare_channels (ImuComparison *c, Member *members, guint n, gint64 t0, gint64 t1,
                  GCancellable *cancellable, GError **error)
{
  const ImuStreamInfo *ri = members[0].info;
  guint nc = ri->n_channels;
  g_autofree guint *maps = g_new0 (guint, (gsize) n * nc);
  g_autofree double *factors = g_new (double, (gsize) n * nc);
  g_autofree Acc *acc = g_new0 (Acc, (gsize) n * nc);
  g_autofree gint64 *rt = g_new (gint64, BLOCK);
  double *rcols[IMU_STREAM_MAX_CHANNELS] = { NULL };
  Cursor cursors[IMU_COMPARE_MAX_SESSIONS] = { { 0 } };
  gint64 first, total;
  gboolean ok = FALSE;
  double *vals = g_new (double, nc);

  /* Each reference channel's partner: the same name, else the same place. */
  for (guint m = 1; m < n; m++)
    {
      const ImuStreamInfo *mi = members[m].info;

      for (guint k = 0; k < nc; k++)
        {
          guint found = G_MAXUINT;

          for (guint j = 0; j < mi->n_channels && found == G_MAXUINT; j++)
            if (g_ascii_strcasecmp (mi->channels[j].name, ri->channels[k].name) == 0)
              found = j;
          if (found == G_MAXUINT && k < mi->n_channels)
            found = k;
          if (found == G_MAXUINT)
            {
              g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_STREAM,
                           /* TRANSLATORS: "“Run 2” has no channel to compare with “gx”" */
                           _("“%s” has no channel to compare with “%s”"),
                           imu_session_get_title (members[m].session), ri->channels[k].name);
              goto out;
            }
          maps[m * nc + k] = found;
          factors[m * nc + k] = unit_factor (mi->channels[found].unit, ri->channels[k].unit);
          if (!isfinite (factors[m * nc + k]))
            {
              g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_UNITS,
                           /* TRANSLATORS: "the channel “ax” is in deg/s in “Run 2” but in g in “Run 1”" */
                           _("the channel “%s” is in %s in “%s” but in %s in “%s”"), ri->channels[k].name,
                           mi->channels[found].unit, imu_session_get_title (members[m].session),
                           ri->channels[k].unit, imu_session_get_title (members[0].session));
              goto out;
            }
        }
      cursors[m].series = members[m].series;
      cursors[m].total = imu_series_get_n_samples (members[m].series);
      cursors[m].t = g_new (gint64, BLOCK);
      cursors[m].map = &maps[m * nc];
      cursors[m].n_map = nc;
      for (guint k = 0; k < nc; k++)
        if (cursors[m].cols[maps[m * nc + k]] == NULL)
          cursors[m].cols[maps[m * nc + k]] = g_new (double, BLOCK);
    }
  for (guint k = 0; k < nc; k++)
    rcols[k] = g_new (double, BLOCK);

  first = imu_series_index_at_time (members[0].series, t0, error);
  if (first < 0)
    goto out;
  total = imu_series_get_n_samples (members[0].series);
  for (gint64 at = first; at < total; at += BLOCK)
    {
      gint64 got = imu_series_read (members[0].series, at, BLOCK, rt, rcols, error);
      gboolean done = FALSE;

      if (got < 0 || g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      for (gint64 i = 0; i < got && !done; i++)
        {
          if (rt[i] >= t1)
            {
              done = TRUE;
              break;
            }
          for (guint m = 1; m < n; m++)
            {
              gboolean failed = FALSE;

              if (!cursor_at (&cursors[m], rt[i] - c->members[m].offset_ns, vals, error, &failed))
                {
                  if (failed)
                    goto out;
                  continue;
                }
              for (guint k = 0; k < nc; k++)
                {
                  double a = rcols[k][i];
                  double b = vals[k] * factors[m * nc + k];
                  Acc *s = &acc[m * nc + k];

                  if (!isfinite (a) || !isfinite (b))
                    continue;
                  s->sd += b - a;
                  s->sdd += (b - a) * (b - a);
                  s->sx += a;
                  s->sy += b;
                  s->sxx += a * a;
                  s->syy += b * b;
                  s->sxy += a * b;
                  s->n++;
                }
            }
        }
      if (done)
        break;
    }

  c->n_channels = nc;
  c->channels = g_new0 (ImuCompareChannel, nc);
  for (guint k = 0; k < nc; k++)
    {
      ImuCompareChannel *ch = &c->channels[k];

      ch->name = g_strdup (ri->channels[k].name);
      ch->unit = g_strdup (ri->channels[k].unit != NULL ? ri->channels[k].unit : "");
      ch->rms[0] = 0.0;
      ch->correlation[0] = 1.0;
      ch->mean[0] = n > 1 && acc[nc + k].n > 0 ? acc[nc + k].sx / (double) acc[nc + k].n : NAN;
      for (guint m = 1; m < n; m++)
        {
          const Acc *s = &acc[m * nc + k];
          double nn = (double) s->n;

          ch->n[m] = s->n;
          ch->rms[m] = s->n > 0 ? sqrt (s->sdd / nn) : NAN;
          ch->mean[m] = s->n > 0 ? s->sy / nn : NAN;
          if (s->n >= 2)
            {
              double cov = s->sxy - s->sx * s->sy / nn;
              double vx = s->sxx - s->sx * s->sx / nn;
              double vy = s->syy - s->sy * s->sy / nn;

              ch->correlation[m] = vx > 0 && vy > 0 ? cov / sqrt (vx * vy) : NAN;
            }
          else
            ch->correlation[m] = NAN;
        }
    }
  ok = TRUE;

out:
  for (guint k = 0; k < nc; k++)
    g_free (rcols[k]);
  for (guint m = 1; m < n; m++)
    {
      g_free (cursors[m].t);
      for (guint j = 0; j < IMU_STREAM_MAX_CHANNELS; j++)
        g_free (cursors[m].cols[j]);
    }
  g_free (vals);
  return ok;
}

/* ---- the whole ---- */

static const ImuEvent *
find_event (GPtrArray *events, const char *label)
{
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const ImuEvent *e = g_ptr_array_index (events, i);

      if (e->label != NULL && g_utf8_collate (e->label, label) == 0)
        return e;
    }
  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      const ImuEvent *e = g_ptr_array_index (events, i);
      g_autofree char *a = e->label != NULL ? g_utf8_casefold (e->label, -1) : NULL;
      g_autofree char *b = g_utf8_casefold (label, -1);

      if (a != NULL && g_str_equal (a, b))
        return e;
    }
  return NULL;
}

ImuComparison *
imu_compare_sessions (ImuStore            *store,
                      const gint64        *session_ids,
                      guint                n,
                      const char          *stream_name,
                      const ImuAlignSpec  *align,
                      gint64               t0_ns,
                      gint64               t1_ns,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autoptr(ImuComparison) c = g_new0 (ImuComparison, 1);
  Member members[IMU_COMPARE_MAX_SESSIONS] = { { 0 } };
  gint64 lo, hi;
  gboolean ok = FALSE;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);
  g_return_val_if_fail (align != NULL, NULL);

  if (n < 2 || n > IMU_COMPARE_MAX_SESSIONS)
    {
      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT,
                   _("compare two to four sessions (%u given)"), n);
      return NULL;
    }

  c->method = align->method;
  c->n_members = n;
  for (guint i = 0; i < n; i++)
    {
      Member *m = &members[i];
      ImuCompareMember *cm = &c->members[i];

      if (!(m->session = imu_store_load_session (store, session_ids[i], error)))
        goto out;
      if (!(m->info = choose_stream (imu_session_get_streams (m->session), stream_name)) || m->info->n_samples < 2)
        {
          if (stream_name != NULL && m->info == NULL)
            g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_STREAM,
                         /* TRANSLATORS: "“Run” has no stream “gyroscope”" */
                         _("“%s” has no stream “%s”"), imu_session_get_title (m->session), stream_name);
          else
            g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_STREAM,
                         _("“%s” has no samples to compare"), imu_session_get_title (m->session));
          goto out;
        }
      if (!(m->series = imu_series_new (store, m->info->id, error)))
        goto out;
      m->start_ns = imu_series_get_t_first (m->series);
      m->end_ns = imu_series_get_t_last (m->series);
      cm->session_id = session_ids[i];
      cm->title = g_strdup (imu_session_get_title (m->session));
      cm->stream_id = m->info->id;
      cm->stream_name = g_strdup (m->info->name);
      cm->rate_hz = m->end_ns > m->start_ns ? (double) (imu_series_get_n_samples (m->series) - 1) * 1e9 / (double) (m->end_ns - m->start_ns) : 0.0;
      cm->correlation = NAN;
      cm->clear_peak = TRUE;
    }

  /* Offsets. */
  {
    g_autoptr(GPtrArray) ref_events = NULL;
    const ImuEvent *ref_event = NULL;

    if (align->method == IMU_ALIGN_EVENT)
      {
        if (!(ref_events = imu_store_list_events (store, session_ids[0], error)))
          goto out;
        if (!(ref_event = find_event (ref_events, align->event_label)))
          {
            g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_EVENT,
                         /* TRANSLATORS: "“Run” has no event “Start”" */
                         _("“%s” has no event “%s”"), c->members[0].title, align->event_label);
            goto out;
          }
      }
    for (guint i = 1; i < n; i++)
      {
        ImuCompareMember *cm = &c->members[i];

        switch (align->method)
          {
          case IMU_ALIGN_START:
            cm->offset_ns = members[0].start_ns - members[i].start_ns;
            break;
          case IMU_ALIGN_OFFSET:
            cm->offset_ns = align->n_offsets == n ? align->offsets_ns[i] : align->offset_ns;
            break;
          case IMU_ALIGN_EVENT:
            {
              g_autoptr(GPtrArray) events = imu_store_list_events (store, session_ids[i], error);
              const ImuEvent *e;

              if (events == NULL)
                goto out;
              if (!(e = find_event (events, align->event_label)))
                {
                  g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_EVENT,
                               _("“%s” has no event “%s”"), cm->title, align->event_label);
                  goto out;
                }
              cm->offset_ns = ref_event->t_ns - e->t_ns;
            }
            break;
          case IMU_ALIGN_XCORR:
          default:
            {
              gint64 lag = align->max_lag_ns > 0 ? align->max_lag_ns : IMU_COMPARE_DEFAULT_MAX_LAG_NS;
              gint64 offset = 0;
              double r = NAN;
              gboolean clear = FALSE;

              if (!xcorr_offset (&members[0], &members[i], lag, &offset, &r, &clear, cancellable, error))
                goto out;
              cm->correlation = r;
              cm->clear_peak = clear;
              /* No clear peak: say so and keep the starts together rather than guess. */
              cm->offset_ns = clear ? offset : members[0].start_ns - members[i].start_ns;
            }
            break;
          }
      }
  }

  /* The range all aligned sessions share, on the reference's clock. */
  lo = members[0].start_ns;
  hi = members[0].end_ns;
  for (guint i = 1; i < n; i++)
    {
      lo = MAX (lo, imu_time_add_sat (members[i].start_ns, c->members[i].offset_ns));
      hi = MIN (hi, imu_time_add_sat (members[i].end_ns, c->members[i].offset_ns));
    }
  if (t0_ns != 0)
    lo = MAX (lo, t0_ns);
  if (t1_ns != 0)
    hi = MIN (hi, t1_ns);
  if (hi <= lo)
    {
      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_OVERLAP,
                   _("once aligned, the sessions share no time to compare"));
      goto out;
    }
  c->t0_ns = lo;
  c->t1_ns = hi;
  if (!compare_channels (c, members, n, lo, imu_time_add_sat (hi, 1), cancellable, error))
    goto out;
  ok = TRUE;

out:
  for (guint i = 0; i < n; i++)
    member_clear (&members[i]);
  return ok ? g_steal_pointer (&c) : NULL;
}
