/* imu-profile-quality.c — the time base and each channel's statistics and
 * data quality: gaps, jitter, duplicate and backwards timestamps,
 * non-finite values, clipping, flat lines, outliers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-profile"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-lod-private.h"
#include "imu-profile-private.h"
#include "imu-time.h"
#include "imu-series-private.h"
#include "imu-stream-writer.h"

#define NS_PER_S 1e9
/* Gap candidates kept during the pass (see time_profiler_feed). */
#define MAX_GAP_CANDIDATES 65536
/* Bins of the histograms in profile.json and the report. */
#define HISTOGRAM_BINS 40
/* The envelope level searched for outliers: blocks of 256 samples. */
#define OUTLIER_LOD_LEVEL 2

static const double percentile_points[] = { 1, 5, 25, 50, 75, 95, 99 };

/* ---- time base ---- */

typedef struct {
  gint64 index;     /* the sample after the gap */
  gint64 t_before;  /* the sample before it */
  gint64 dt;
} GapCandidate;

struct _ImuTimeProfiler
{
  ImuProfileOptions  opt;
  double             nominal_hz;
  gint64             n;
  gint64             t_prev;
  gint64             t_first;
  gint64             t_last;
  gint64             t_min;
  gint64             t_max;
  ImuQuantiles      *intervals;    /* positive intervals, ns */
  gint64            *positive;     /* scratch */
  gsize              positive_cap;
  gint64             n_duplicates;
  GArray            *duplicates;
  gint64             n_backwards;
  GArray            *backwards;
  /* The first gaps are not known until the median interval is, at the
   * end. An interval can only be among the first K gaps (for whatever
   * threshold) if fewer than K earlier intervals were at least as long:
   * a min-heap of the K longest intervals so far decides, and those
   * candidates are kept in time order. Their expected number is about
   * K·(1 + ln(n/K)). */
  gint64            *heap;
  guint              heap_len;
  guint              heap_cap;
  GArray            *candidates;   /* GapCandidate */
  gboolean           candidates_truncated;
};

ImuTimeProfiler *
imu_time_profiler_new (const ImuProfileOptions *options,
                       const ImuStreamInfo     *info)
{
  ImuTimeProfiler *self = g_new0 (ImuTimeProfiler, 1);

  self->opt = *options;
  self->nominal_hz = info->nominal_rate_hz;
  self->intervals = imu_quantiles_new_integer ();
  self->duplicates = imu_locations_new ();
  self->backwards = imu_locations_new ();
  self->heap_cap = MAX (options->max_listed_gaps, options->max_locations);
  self->heap = g_new (gint64, MAX (self->heap_cap, 1));
  self->candidates = g_array_new (FALSE, FALSE, sizeof (GapCandidate));
  return self;
}

void
imu_time_profiler_free (ImuTimeProfiler *self)
{
  if (self == NULL)
    return;
  imu_quantiles_free (self->intervals);
  g_free (self->positive);
  g_array_unref (self->duplicates);
  g_array_unref (self->backwards);
  g_free (self->heap);
  g_array_unref (self->candidates);
  g_free (self);
}

static void
heap_push (ImuTimeProfiler *self,
           gint64           v)
{
  gint64 *h = self->heap;
  guint i;

  if (self->heap_cap == 0)
    return;
  if (self->heap_len < self->heap_cap)
    {
      i = self->heap_len++;
      h[i] = v;
      while (i > 0 && h[(i - 1) / 2] > h[i])
        {
          gint64 tmp = h[i];
          h[i] = h[(i - 1) / 2];
          h[(i - 1) / 2] = tmp;
          i = (i - 1) / 2;
        }
      return;
    }
  /* Replace the minimum and sift down. */
  h[0] = v;
  i = 0;
  for (;;)
    {
      guint l = 2 * i + 1, r = l + 1, m = i;
      gint64 tmp;

      if (l < self->heap_len && h[l] < h[m])
        m = l;
      if (r < self->heap_len && h[r] < h[m])
        m = r;
      if (m == i)
        break;
      tmp = h[i];
      h[i] = h[m];
      h[m] = tmp;
      i = m;
    }
}

void
imu_time_profiler_feed (ImuTimeProfiler       *self,
                        const ImuProfileChunk *chunk)
{
  const gint64 *t = chunk->t;
  gsize n_pos = 0;
  guint i = 0;

  if (chunk->n == 0)
    return;
  if (self->positive_cap < chunk->n)
    {
      g_free (self->positive);
      self->positive = g_new (gint64, chunk->n);
      self->positive_cap = chunk->n;
    }
  if (self->n == 0)
    {
      self->t_first = self->t_min = self->t_max = self->t_prev = t[0];
      i = 1;
    }
  for (; i < chunk->n; i++)
    {
      gint64 dt = t[i] - self->t_prev;

      if (G_LIKELY (dt > 0))
        {
          self->positive[n_pos++] = dt;
          if (G_UNLIKELY (self->heap_len < self->heap_cap || dt > self->heap[0]))
            {
              if (self->candidates->len < MAX_GAP_CANDIDATES)
                {
                  GapCandidate c = { chunk->first_index + i, self->t_prev, dt };
                  g_array_append_val (self->candidates, c);
                }
              else
                self->candidates_truncated = TRUE;
              heap_push (self, dt);
            }
        }
      else if (dt == 0)
        {
          self->n_duplicates++;
          imu_locations_add (self->duplicates, self->opt.max_locations,
                             chunk->first_index + i, t[i], 0, 0, NAN);
        }
      else
        {
          self->n_backwards++;
          imu_locations_add (self->backwards, self->opt.max_locations,
                             chunk->first_index + i, t[i], 0, 0, (double) dt / NS_PER_S);
        }
      self->t_prev = t[i];
    }
  for (i = 0; i < chunk->n; i++)
    {
      self->t_min = MIN (self->t_min, t[i]);
      self->t_max = MAX (self->t_max, t[i]);
    }
  self->t_prev = t[chunk->n - 1];
  self->t_last = t[chunk->n - 1];
  self->n += chunk->n;
  imu_quantiles_add_integers (self->intervals, self->positive, n_pos);
}

JsonNode *
imu_time_profiler_finish (ImuTimeProfiler  *self,
                          GPtrArray        *findings,
                          ImuStreamSummary *summary)
{
  JsonObject *o = json_object_new ();
  JsonObject *gaps = json_object_new ();
  JsonObject *dups = json_object_new ();
  JsonObject *back = json_object_new ();
  JsonArray *list = json_array_new ();
  ImuQuantiles *q = self->intervals;
  double median = NAN, rate = 0, threshold = NAN;
  gint64 n_intervals, n_gaps = 0;
  double gap_total = 0, gap_longest = NAN;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;

  imu_quantiles_finish (q);
  n_intervals = imu_quantiles_get_count (q);

  memset (summary, 0, sizeof *summary);
  summary->n_samples = self->n;
  summary->t_first = self->t_first;
  summary->t_last = self->t_last;

  start = self->n > 0 ? imu_format_time_iso (self->t_first) : NULL;
  end = self->n > 0 ? imu_format_time_iso (self->t_last) : NULL;
  json_object_set_string_member (o, "start", start);
  json_object_set_string_member (o, "end", end);
  imu_json_set_double (o, "duration_s", self->n > 0 ? (double) (self->t_max - self->t_min) / NS_PER_S : NAN);
  imu_json_set_double (o, "nominal_rate_hz", self->nominal_hz > 0 ? self->nominal_hz : NAN);

  if (n_intervals > 0)
    {
      median = imu_quantiles_median (q);
      rate = NS_PER_S / median;
      threshold = self->opt.gap_factor * median;
    }
  summary->rate_hz = rate > 0 ? rate : self->nominal_hz;
  summary->median_interval_s = median / NS_PER_S;

  imu_json_set_double (o, "effective_rate_hz", rate > 0 ? rate : NAN);
  imu_json_set_double (o, "median_interval_s", median / NS_PER_S);
  json_object_set_int_member (o, "intervals", n_intervals);
  json_object_set_boolean_member (o, "intervals_exact", imu_quantiles_is_exact (q));
  imu_json_set_double (o, "rate_error",
                       rate > 0 && self->nominal_hz > 0 ? (rate - self->nominal_hz) / self->nominal_hz : NAN);

  /* Rate. */
  if (rate > 0 && self->nominal_hz > 0
      && fabs (rate - self->nominal_hz) / self->nominal_hz > self->opt.rate_tolerance)
    {
      g_ptr_array_add (findings,
                       imu_finding_draft_new ("W_RATE_MISMATCH", NULL, 1, NULL,
                                              _("The effective rate is %.4g Hz (median interval %.6g s) "
                                                "but the nominal rate is %.4g Hz (%+.2f %%)."),
                                              rate, median / NS_PER_S, self->nominal_hz,
                                              100.0 * (rate - self->nominal_hz) / self->nominal_hz));
    }

  /* Jitter: over regular intervals (not gaps). */
  if (n_intervals > 0)
    {
      gint64 n_regular = 0, n_off = 0;
      double mean_regular = NAN, m2 = NAN, p99;
      double tol = self->opt.jitter_tolerance * median;

      imu_quantiles_range_moments (q, 1, threshold, &n_regular, &mean_regular, &m2);
      p99 = imu_quantiles_abs_dev_percentile (q, median, 1, threshold, 99);
      imu_json_set_double (o, "jitter_std_s", n_regular > 1 ? sqrt (m2 / (double) (n_regular - 1)) / NS_PER_S : NAN);
      imu_json_set_double (o, "jitter_p99_s", p99 / NS_PER_S);
      imu_json_set_double (o, "jitter_p99_fraction", p99 / median);
      n_off = imu_quantiles_count_below (q, median - tol, FALSE)
              + (imu_quantiles_count_below (q, threshold, TRUE) - imu_quantiles_count_below (q, median + tol, TRUE));
      json_object_set_int_member (o, "jittery_intervals", n_off);
      if (p99 > tol)
        g_ptr_array_add (findings,
                         imu_finding_draft_new ("W_JITTER", NULL, n_off, NULL,
                                                _("Sampling intervals vary: 99 %% are within %.3g ms of the "
                                                  "median %.4g ms, more than the %.3g %% tolerated; %" PRId64
                                                  " intervals are off by more than %.3g ms."),
                                                p99 / 1e6, median / 1e6, 100.0 * self->opt.jitter_tolerance,
                                                n_off, tol / 1e6));
    }
  else
    {
      json_object_set_null_member (o, "jitter_std_s");
      json_object_set_null_member (o, "jitter_p99_s");
      json_object_set_null_member (o, "jitter_p99_fraction");
      json_object_set_int_member (o, "jittery_intervals", 0);
    }

  /* Gaps. */
  imu_json_set_double (gaps, "threshold_s", threshold / NS_PER_S);
  if (n_intervals > 0)
    {
      gint64 n_in = 0;
      double mean = NAN, m2 = NAN;

      n_gaps = n_intervals - imu_quantiles_count_below (q, threshold, TRUE);
      if (n_gaps > 0)
        {
          imu_quantiles_range_moments (q, nextafter (threshold, INFINITY), INFINITY, &n_in, &mean, &m2);
          gap_total = mean * (double) n_in;
          gap_longest = imu_quantiles_select (q, n_intervals - 1);
        }
    }
  json_object_set_int_member (gaps, "count", n_gaps);
  imu_json_set_double (gaps, "total_s", gap_total / NS_PER_S);
  imu_json_set_double (gaps, "longest_s", gap_longest / NS_PER_S);
  {
    GArray *locs = imu_locations_new ();
    guint listed = 0;

    for (guint i = 0; i < self->candidates->len && n_gaps > 0; i++)
      {
        GapCandidate *c = &g_array_index (self->candidates, GapCandidate, i);
        gint64 missing;

        if (!((double) c->dt > threshold))
          continue;
        missing = MAX ((gint64) llround ((double) c->dt / median) - 1, 0);
        if (listed < self->opt.max_listed_gaps)
          {
            JsonObject *g = json_object_new ();
            g_autofree char *when = imu_format_time_iso (c->t_before);

            json_object_set_int_member (g, "index", c->index);
            json_object_set_int_member (g, "t_ns", c->t_before);
            json_object_set_string_member (g, "time", when);
            imu_json_set_double (g, "duration_s", (double) c->dt / NS_PER_S);
            json_object_set_int_member (g, "missing_samples", missing);
            json_array_add_object_element (list, g);
            listed++;
          }
        imu_locations_add (locs, self->opt.max_locations, c->index, c->t_before, missing, c->dt, NAN);
      }
    json_object_set_array_member (gaps, "list", g_steal_pointer (&list));
    json_object_set_boolean_member (gaps, "list_complete",
                                    !self->candidates_truncated && (gint64) listed == n_gaps);
    if (n_gaps > 0)
      {
        g_autofree char *total = imu_profile_format_duration (gap_total / NS_PER_S);
        g_autofree char *longest = imu_profile_format_duration (gap_longest / NS_PER_S);

        g_ptr_array_add (findings,
                         imu_finding_draft_new ("W_GAP", NULL, n_gaps, locs,
                                                ngettext ("%" PRId64 " gap longer than %.4g s "
                                                          "(%.3g × the median interval): %s in all, "
                                                          "the longest %s.",
                                                          "%" PRId64 " gaps longer than %.4g s "
                                                          "(%.3g × the median interval): %s in all, "
                                                          "the longest %s.", (gulong) n_gaps),
                                                n_gaps, threshold / NS_PER_S, self->opt.gap_factor, total, longest));
      }
    else
      g_array_unref (locs);
  }
  json_object_set_object_member (o, "gaps", gaps);

  json_object_set_int_member (dups, "count", self->n_duplicates);
  json_object_set_int_member (back, "count", self->n_backwards);
  json_object_set_object_member (o, "duplicates", dups);
  json_object_set_object_member (o, "backwards", back);
  if (self->n_duplicates > 0)
    g_ptr_array_add (findings,
                     imu_finding_draft_new ("W_DUPLICATE_TIME", NULL, self->n_duplicates,
                                            g_array_ref (self->duplicates),
                                            ngettext ("%" PRId64 " sample has the same time as the one before.",
                                                      "%" PRId64 " samples have the same time as the one before.",
                                                      (gulong) self->n_duplicates),
                                            self->n_duplicates));
  if (self->n_backwards > 0)
    g_ptr_array_add (findings,
                     imu_finding_draft_new ("E_TIME_BACKWARDS", NULL, self->n_backwards,
                                            g_array_ref (self->backwards),
                                            ngettext ("%" PRId64 " sample is earlier than the one before.",
                                                      "%" PRId64 " samples are earlier than the one before.",
                                                      (gulong) self->n_backwards),
                                            self->n_backwards));

  /* Completeness: distinct samples over those a regular clock would have
   * given between the first and the last. */
  if (n_intervals > 0)
    {
      gint64 expected = (gint64) llround ((double) (self->t_max - self->t_min) / median) + 1;

      json_object_set_int_member (o, "expected_samples", expected);
      imu_json_set_double (o, "completeness", (double) (self->n - self->n_duplicates) / (double) expected);
    }
  else
    {
      json_object_set_null_member (o, "expected_samples");
      json_object_set_null_member (o, "completeness");
    }

  return json_node_init_object (json_node_alloc (), o);
}

/* ---- one channel ---- */

typedef struct {
  double  limit;        /* the rail (known range) or the extreme so far */
  gint64  run_len;
  gint64  run_index;
  gint64  run_t;
  gint64  run_t_last;
  gint64  runs;
  gint64  samples;
  GArray *locations;
} ClipSide;

struct _ImuChannelProfiler
{
  ImuProfileOptions opt;
  guint        channel;
  gint64       stream_id;
  guint        n_channels;
  gint64       stream_samples;  /* samples seen (finite or not) */
  char        *name;
  char        *unit;
  char        *kind;
  int          decimals;
  gboolean     sensor;          /* accel, gyro, mag: clipping applies */
  gboolean     have_range;
  double       range_min;
  double       range_max;

  ImuMoments   moments;
  ImuQuantiles *q;
  gint64       n_nonfinite;
  GArray      *nonfinite;
  double      *finite;
  gsize        finite_cap;

  ClipSide     hi;
  ClipSide     lo;

  /* Flat lines: windows of flat_window_s from the first sample. */
  gboolean     have_window;
  gint64       t0;
  gint64       window_ns;
  gint64       win;             /* index of the current window */
  gint64       win_begin;
  gint64       win_end;
  gint64       win_n;
  gint64       win_first_index;
  gint64       win_first_t;
  gint64       win_last_t;
  double       win_shift;
  double       win_sum;
  double       win_sumsq;
  gboolean     run_active;
  gint64       run_first_win;
  gint64       run_last_win;
  gint64       run_index;
  gint64       run_t;
  gint64       run_samples;
  gint64       flat_segments;
  gint64       flat_windows;
  GArray      *flat_locations;
};

ImuChannelProfiler *
imu_channel_profiler_new (const ImuProfileOptions *options,
                          const ImuStreamInfo     *info,
                          guint                    channel)
{
  ImuChannelProfiler *self = g_new0 (ImuChannelProfiler, 1);
  const ImuChannelInfo *ci = &info->channels[channel];

  self->opt = *options;
  self->channel = channel;
  self->stream_id = info->id;
  self->n_channels = info->n_channels;
  self->name = g_strdup (ci->name);
  self->unit = g_strdup (ci->unit != NULL ? ci->unit : "");
  self->kind = g_strdup (ci->kind);
  self->decimals = ci->decimals;
  self->sensor = ci->kind != NULL && (g_str_equal (ci->kind, "accel") || g_str_equal (ci->kind, "gyro")
                                      || g_str_equal (ci->kind, "mag"));
  self->have_range = isfinite (ci->range_min) && isfinite (ci->range_max) && ci->range_max > ci->range_min;
  self->range_min = ci->range_min;
  self->range_max = ci->range_max;
  imu_moments_init (&self->moments);
  self->nonfinite = imu_locations_new ();
  self->hi.locations = imu_locations_new ();
  self->lo.locations = imu_locations_new ();
  if (self->have_range)
    {
      double tol = options->clip_range_fraction * (self->range_max - self->range_min);

      self->hi.limit = self->range_max - tol;
      self->lo.limit = self->range_min + tol;
    }
  else
    {
      self->hi.limit = -INFINITY;
      self->lo.limit = INFINITY;
    }
  self->window_ns = (gint64) llround (options->flat_window_s * NS_PER_S);
  self->flat_locations = imu_locations_new ();
  return self;
}

void
imu_channel_profiler_set_decimals (ImuChannelProfiler *self,
                                   int                 decimals)
{
  g_return_if_fail (self->q == NULL);
  if (self->decimals < 0)
    self->decimals = decimals;
}

void
imu_channel_profiler_free (ImuChannelProfiler *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->unit);
  g_free (self->kind);
  imu_quantiles_free (self->q);
  g_array_unref (self->nonfinite);
  g_free (self->finite);
  g_array_unref (self->hi.locations);
  g_array_unref (self->lo.locations);
  g_array_unref (self->flat_locations);
  g_free (self);
}

/* A run at a limit ended: count it when long enough. */
static void
clip_end_run (ImuChannelProfiler *self,
              ClipSide           *side)
{
  if (side->run_len >= (gint64) self->opt.clip_min_run)
    {
      side->runs++;
      side->samples += side->run_len;
      imu_locations_add (side->locations, self->opt.max_locations, side->run_index, side->run_t,
                         side->run_len, side->run_t_last - side->run_t, side->limit);
    }
  side->run_len = 0;
}

static inline void
clip_at_limit (ClipSide *side,
               gint64    index,
               gint64    t)
{
  if (side->run_len == 0)
    {
      side->run_index = index;
      side->run_t = t;
    }
  side->run_len++;
  side->run_t_last = t;
}

/* Clipping without a known range: runs of the largest (smallest) value
 * seen so far; a new extreme forgets the runs of the old one. */
static inline void
clip_extreme_hi (ImuChannelProfiler *self, double x, gint64 index, gint64 t)
{
  ClipSide *s = &self->hi;

  if (x > s->limit)
    {
      s->limit = x;
      s->runs = s->samples = 0;
      g_array_set_size (s->locations, 0);
      s->run_len = 0;
      clip_at_limit (s, index, t);
    }
  else if (x == s->limit)
    clip_at_limit (s, index, t);
  else if (s->run_len > 0)
    clip_end_run (self, s);
}

static inline void
clip_extreme_lo (ImuChannelProfiler *self, double x, gint64 index, gint64 t)
{
  ClipSide *s = &self->lo;

  if (x < s->limit)
    {
      s->limit = x;
      s->runs = s->samples = 0;
      g_array_set_size (s->locations, 0);
      s->run_len = 0;
      clip_at_limit (s, index, t);
    }
  else if (x == s->limit)
    clip_at_limit (s, index, t);
  else if (s->run_len > 0)
    clip_end_run (self, s);
}

static void
flat_end_run (ImuChannelProfiler *self)
{
  gint64 n_windows;

  if (!self->run_active)
    return;
  self->run_active = FALSE;
  n_windows = self->run_last_win - self->run_first_win + 1;
  if ((double) n_windows * self->opt.flat_window_s >= self->opt.flat_min_s - 1e-9)
    {
      self->flat_segments++;
      self->flat_windows += n_windows;
      imu_locations_add (self->flat_locations, self->opt.max_locations, self->run_index, self->run_t,
                         self->run_samples, n_windows * self->window_ns, NAN);
    }
}

static void
flat_close_window (ImuChannelProfiler *self)
{
  gboolean flat = FALSE;

  if (self->win_n >= 2)
    {
      double n = (double) self->win_n;
      double var = (self->win_sumsq - self->win_sum * self->win_sum / n) / (n - 1);

      flat = sqrt (MAX (var, 0.0)) <= self->opt.flat_std_max;
    }
  if (flat && self->run_active && self->win == self->run_last_win + 1)
    {
      self->run_last_win = self->win;
      self->run_samples += self->win_n;
    }
  else
    {
      flat_end_run (self);
      if (flat)
        {
          self->run_active = TRUE;
          self->run_first_win = self->run_last_win = self->win;
          self->run_index = self->win_first_index;
          self->run_t = self->win_first_t;
          self->run_samples = self->win_n;
        }
    }
  self->win_n = 0;
}

static void
flat_open_window (ImuChannelProfiler *self,
                  gint64              t)
{
  imu_time_window_locate (self->t0, self->window_ns, t, &self->win, &self->win_begin, &self->win_end);
  self->win_n = 0;
}

/* Clipping, sample by sample; the caller only calls for samples that
 * reach a limit or end a run, which is rare. */
static void
clip_sample (ImuChannelProfiler *self,
             double              v,
             gint64              index,
             gint64              t)
{
  if (!isfinite (v))
    return;
  if (self->have_range)
    {
      if (v >= self->hi.limit)
        clip_at_limit (&self->hi, index, t);
      else if (self->hi.run_len > 0)
        clip_end_run (self, &self->hi);
      if (v <= self->lo.limit)
        clip_at_limit (&self->lo, index, t);
      else if (self->lo.run_len > 0)
        clip_end_run (self, &self->lo);
    }
  else
    {
      clip_extreme_hi (self, v, index, t);
      clip_extreme_lo (self, v, index, t);
    }
}

void
imu_channel_profiler_feed (ImuChannelProfiler    *self,
                           const ImuProfileChunk *chunk)
{
  const double *x = chunk->cols[self->channel];
  const gint64 *t = chunk->t;
  const double *fin = x;
  gsize n_fin = chunk->n;
  gboolean all_finite = TRUE;
  guint n = chunk->n, i;

  if (n == 0)
    return;
  if (self->q == NULL)
    self->q = imu_quantiles_new (self->decimals);
  self->stream_samples = chunk->first_index + n;

  /* x − x is 0 for a finite x and NaN otherwise: one test for both. */
  for (i = 0; i < n; i++)
    all_finite &= (x[i] - x[i]) == 0;
  if (G_UNLIKELY (!all_finite))
    {
      if (self->finite_cap < n)
        {
          g_free (self->finite);
          self->finite = g_new (double, n);
          self->finite_cap = n;
        }
      n_fin = 0;
      for (i = 0; i < n; i++)
        if (isfinite (x[i]))
          self->finite[n_fin++] = x[i];
        else
          {
            self->n_nonfinite++;
            imu_locations_add (self->nonfinite, self->opt.max_locations,
                               chunk->first_index + i, t[i], 0, 0, x[i]);
          }
      fin = self->finite;
    }
  imu_moments_add (&self->moments, fin, n_fin);
  imu_quantiles_add (self->q, fin, n_fin);

  /* Clipping: a sample needs a closer look only when it reaches a limit
   * or a run is open (NaN fails every comparison and is skipped there). */
  if (self->sensor)
    {
      double hl = self->hi.limit, ll = self->lo.limit;

      for (i = 0; i < n; i++)
        if (G_UNLIKELY (x[i] >= hl || x[i] <= ll || (self->hi.run_len | self->lo.run_len) != 0))
          {
            clip_sample (self, x[i], chunk->first_index + i, t[i]);
            hl = self->hi.limit;
            ll = self->lo.limit;
          }
    }

  /* Flat lines: the samples of one window at a time, summed in
   * registers about the window's first value. */
  if (!self->have_window)
    {
      self->have_window = TRUE;
      self->t0 = t[0];
      flat_open_window (self, t[0]);
    }
  i = 0;
  while (i < n)
    {
      gint64 begin, end;
      double shift, sum = 0, sumsq = 0;
      gint64 count = 0;
      guint j;

      if (t[i] >= self->win_end || t[i] < self->win_begin)
        {
          flat_close_window (self);
          flat_open_window (self, t[i]);
        }
      begin = self->win_begin;
      end = self->win_end;
      for (j = i; j < n && t[j] >= begin && t[j] < end; j++)
        ;
      if (j == i)
        {
          /* Only a sample at the very end of int64 time belongs to no
           * window (the last one's end is clamped): count it out. */
          i++;
          continue;
        }
      if (self->win_n == 0)
        {
          /* The window's first finite sample sets the shift. */
          guint k = i;

          while (k < j && !isfinite (x[k]))
            k++;
          if (k == j)
            {
              i = j;
              continue;
            }
          self->win_shift = x[k];
          self->win_sum = self->win_sumsq = 0;
          self->win_first_index = chunk->first_index + k;
          self->win_first_t = t[k];
        }
      shift = self->win_shift;
      if (all_finite)
        {
          for (guint k = i; k < j; k++)
            {
              double d = x[k] - shift;
              sum += d;
              sumsq += d * d;
            }
          count = j - i;
        }
      else
        for (guint k = i; k < j; k++)
          if (isfinite (x[k]))
            {
              double d = x[k] - shift;
              sum += d;
              sumsq += d * d;
              count++;
            }
      self->win_sum += sum;
      self->win_sumsq += sumsq;
      self->win_n += count;
      self->win_last_t = t[j - 1];
      i = j;
    }
}

typedef struct {
  double median;
  double mad;
  double z;
} OutlierTest;

static inline gboolean
is_outlier (const OutlierTest *o, double x)
{
  return 0.6745 * fabs (x - o->median) / o->mad > o->z;
}

/* The samples of one channel that the outlier search reads, in pieces of
 * at most a chunk: the series decodes only this channel's column of the
 * chunks that hold the pieces and keeps the last few decoded. */
typedef struct {
  ImuSeries *series;
  double   **cols;     /* [n_channels]: only the channel's is set */
  gint64    *t;        /* [IMU_CHUNK_SAMPLES] */
  double    *v;
} OutlierScan;

/* Adds the outliers among samples [first, first + n). */
static gboolean
scan_outliers (ImuChannelProfiler *self,
               OutlierScan        *scan,
               gint64              n_samples,
               const OutlierTest  *test,
               gint64              first,
               gint64              n,
               GArray             *locations,
               GError            **error)
{
  gint64 end = MIN (first + n, n_samples);

  for (gint64 i = first; i < end && locations->len < self->opt.max_locations; )
    {
      gint64 got = imu_series_read (scan->series, i, MIN (end - i, IMU_CHUNK_SAMPLES), scan->t, scan->cols, error);

      if (got < 0)
        return FALSE;
      if (got == 0)
        break;
      for (gint64 k = 0; k < got && locations->len < self->opt.max_locations; k++)
        {
          double v = scan->v[k];

          if (isfinite (v) && is_outlier (test, v))
            imu_locations_add (locations, self->opt.max_locations, i + k, scan->t[k], 0, 0, v);
        }
      i += got;
    }
  return TRUE;
}

/* The first outliers, found without another pass over the samples: the
 * envelope rows (min/max per 256 samples) say which blocks hold one, and
 * only the chunks of those blocks are read. Without envelopes, reads the
 * samples in order. */
static gboolean
locate_outliers (ImuChannelProfiler *self,
                 ImuSeries          *series,
                 guint               n_channels,
                 gint64              n_samples,
                 const OutlierTest  *test,
                 GArray             *locations,
                 GError            **error)
{
  gint64 block = imu_lod_block_size (OUTLIER_LOD_LEVEL);
  gint64 n_blocks = (n_samples + block - 1) / block;
  g_autofree double **cols = g_new0 (double *, MAX (n_channels, 1));
  g_autofree gint64 *t = g_new (gint64, IMU_CHUNK_SAMPLES);
  g_autofree double *v = g_new (double, IMU_CHUNK_SAMPLES);
  OutlierScan scan = { series, cols, t, v };
  gboolean ok = TRUE;

  cols[self->channel] = v;
  for (gint64 seq = 0; ok && seq * IMU_LOD_ROW_BLOCKS < n_blocks && locations->len < self->opt.max_locations; seq++)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(ImuLodRow) row = imu_lod_row_read (imu_series_get_store (series), self->stream_id,
                                                   OUTLIER_LOD_LEVEL, seq, n_channels, &local);

      if (row == NULL)
        {
          g_debug ("no envelope row %" PRId64 " (%s): scanning the samples", seq, local->message);
          ok = scan_outliers (self, &scan, n_samples, test, seq * IMU_LOD_ROW_BLOCKS * block,
                              n_samples, locations, error);
          break;
        }
      for (guint b = 0; ok && b < row->n_blocks && locations->len < self->opt.max_locations; b++)
        {
          double mn = row->min[self->channel][b], mx = row->max[self->channel][b];

          if ((isfinite (mn) && is_outlier (test, mn)) || (isfinite (mx) && is_outlier (test, mx)))
            ok = scan_outliers (self, &scan, n_samples, test, (seq * IMU_LOD_ROW_BLOCKS + b) * block,
                                block, locations, error);
        }
    }
  return ok;
}

static JsonNode *
clip_side_json (const ClipSide *side)
{
  JsonObject *o = json_object_new ();

  imu_json_set_double (o, "limit", side->limit);
  json_object_set_int_member (o, "runs", side->runs);
  json_object_set_int_member (o, "samples", side->samples);
  return json_node_init_object (json_node_alloc (), o);
}

JsonNode *
imu_channel_profiler_finish (ImuChannelProfiler     *self,
                             const ImuStreamSummary *summary,
                             ImuSeries              *series,
                             GPtrArray              *findings,
                             GError                **error)
{
  JsonObject *o = json_object_new ();
  JsonObject *pct = json_object_new ();
  JsonObject *clip = json_object_new ();
  JsonObject *flat = json_object_new ();
  JsonObject *outl = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  ImuMoments *m = &self->moments;
  ImuNormalTest nt;
  double median = NAN, mad = NAN;
  gint64 n = m->n;

  if (self->q == NULL)
    self->q = imu_quantiles_new (self->decimals);
  imu_quantiles_finish (self->q);
  node = json_node_init_object (json_node_alloc (), o);

  json_object_set_string_member (o, "name", self->name);
  json_object_set_string_member (o, "unit", self->unit);
  json_object_set_string_member (o, "kind", self->kind);
  json_object_set_int_member (o, "count", n);
  json_object_set_int_member (o, "non_finite", self->n_nonfinite);
  imu_json_set_double (o, "min", n > 0 ? m->min : NAN);
  imu_json_set_double (o, "max", n > 0 ? m->max : NAN);
  imu_json_set_double (o, "mean", n > 0 ? m->mean : NAN);
  imu_json_set_double (o, "std", imu_moments_std (m));
  imu_json_set_double (o, "skewness", imu_moments_skewness (m, FALSE));
  imu_json_set_double (o, "kurtosis", imu_moments_kurtosis (m, FALSE));
  for (guint i = 0; i < G_N_ELEMENTS (percentile_points); i++)
    {
      char key[8];

      g_snprintf (key, sizeof key, "p%g", percentile_points[i]);
      imu_json_set_double (pct, key, imu_quantiles_percentile (self->q, percentile_points[i]));
    }
  json_object_set_object_member (o, "percentiles", pct);
  if (n > 0)
    {
      median = imu_quantiles_median (self->q);
      mad = imu_quantiles_abs_dev_percentile (self->q, median, -INFINITY, INFINITY, 50);
    }
  imu_json_set_double (o, "median", median);
  imu_json_set_double (o, "mad", mad);
  json_object_set_boolean_member (o, "percentiles_exact", imu_quantiles_is_exact (self->q));
  imu_json_set_double (o, "rank_error", imu_quantiles_get_rank_error (self->q));
  if (imu_normal_test (m, &nt))
    {
      JsonObject *no = json_object_new ();

      imu_json_set_double (no, "k2", nt.k2);
      imu_json_set_double (no, "p", nt.p);
      imu_json_set_double (no, "z_skew", nt.z_skew);
      imu_json_set_double (no, "p_skew", nt.p_skew);
      imu_json_set_double (no, "z_kurt", nt.z_kurt);
      imu_json_set_double (no, "p_kurt", nt.p_kurt);
      json_object_set_object_member (o, "normality", no);
    }
  else
    json_object_set_null_member (o, "normality");

  /* Histogram between min and max. */
  if (n > 0)
    {
      JsonObject *h = json_object_new ();
      JsonArray *counts = json_array_new ();
      gint64 bins[HISTOGRAM_BINS];
      guint n_bins = m->max > m->min ? HISTOGRAM_BINS : 1;

      imu_quantiles_histogram (self->q, m->min, m->max, n_bins, bins);
      for (guint b = 0; b < n_bins; b++)
        json_array_add_int_element (counts, bins[b]);
      imu_json_set_double (h, "lo", m->min);
      imu_json_set_double (h, "hi", m->max);
      json_object_set_array_member (h, "counts", counts);
      json_object_set_object_member (o, "histogram", h);
    }
  else
    json_object_set_null_member (o, "histogram");

  if (self->n_nonfinite > 0)
    g_ptr_array_add (findings,
                     imu_finding_draft_new ("E_NONFINITE", self->name, self->n_nonfinite,
                                            g_array_ref (self->nonfinite),
                                            ngettext ("%" PRId64 " value is not a finite number (NaN or infinite).",
                                                      "%" PRId64 " values are not finite numbers (NaN or infinite).",
                                                      (gulong) self->n_nonfinite),
                                            self->n_nonfinite));

  /* Clipping. */
  if (self->sensor && n > 0)
    {
      gint64 runs, samples;

      clip_end_run (self, &self->hi);
      clip_end_run (self, &self->lo);
      runs = self->hi.runs + self->lo.runs;
      samples = self->hi.samples + self->lo.samples;
      json_object_set_string_member (clip, "basis", self->have_range ? "range" : "extreme");
      json_object_set_member (clip, "high", clip_side_json (&self->hi));
      json_object_set_member (clip, "low", clip_side_json (&self->lo));
      json_object_set_int_member (clip, "runs", runs);
      json_object_set_int_member (clip, "samples", samples);
      json_object_set_object_member (o, "clipping", g_steal_pointer (&clip));
      if (runs > 0)
        {
          GArray *locs = imu_locations_new ();
          guint a = 0, b = 0;

          /* Both sides' first runs, in sample order. */
          while (locs->len < self->opt.max_locations && (a < self->hi.locations->len || b < self->lo.locations->len))
            {
              ImuLocation *la = a < self->hi.locations->len ? &g_array_index (self->hi.locations, ImuLocation, a) : NULL;
              ImuLocation *lb = b < self->lo.locations->len ? &g_array_index (self->lo.locations, ImuLocation, b) : NULL;

              if (la != NULL && (lb == NULL || la->index <= lb->index))
                {
                  g_array_append_val (locs, *la);
                  a++;
                }
              else
                {
                  g_array_append_val (locs, *lb);
                  b++;
                }
            }
          g_ptr_array_add (findings,
                           self->have_range
                           ? imu_finding_draft_new ("W_CLIPPING", self->name, runs, locs,
                                                    ngettext ("%" PRId64 " run of %" PRId64
                                                              " samples or more at the sensor range (%g to %g %s), "
                                                              "%" PRId64 " samples in all.",
                                                              "%" PRId64 " runs of %" PRId64
                                                              " samples or more at the sensor range (%g to %g %s), "
                                                              "%" PRId64 " samples in all.", (gulong) runs),
                                                    runs, (gint64) self->opt.clip_min_run, self->range_min,
                                                    self->range_max, self->unit, samples)
                           : imu_finding_draft_new ("W_CLIPPING", self->name, runs, locs,
                                                    ngettext ("%" PRId64 " run of %" PRId64
                                                              " samples or more repeating the channel's extreme "
                                                              "value (%g or %g %s), %" PRId64 " samples in all.",
                                                              "%" PRId64 " runs of %" PRId64
                                                              " samples or more repeating the channel's extreme "
                                                              "value (%g or %g %s), %" PRId64 " samples in all.",
                                                              (gulong) runs),
                                                    runs, (gint64) self->opt.clip_min_run, self->lo.limit,
                                                    self->hi.limit, self->unit, samples));
        }
    }
  else
    json_object_set_null_member (o, "clipping");
  if (clip != NULL)
    json_object_unref (clip);

  /* Flat lines. */
  if (self->have_window)
    {
      flat_close_window (self);
      flat_end_run (self);
    }
  json_object_set_int_member (flat, "segments", self->flat_segments);
  imu_json_set_double (flat, "total_s", (double) self->flat_windows * self->opt.flat_window_s);
  json_object_set_object_member (o, "flat", flat);
  if (self->flat_segments > 0)
    {
      g_autofree char *total = imu_profile_format_duration ((double) self->flat_windows * self->opt.flat_window_s);

      g_ptr_array_add (findings,
                       imu_finding_draft_new ("W_FLATLINE", self->name, self->flat_segments,
                                              g_array_ref (self->flat_locations),
                                              ngettext ("%" PRId64 " flat line (standard deviation ≤ %g %s "
                                                        "over %g s windows for %g s or more), %s in all.",
                                                        "%" PRId64 " flat lines (standard deviation ≤ %g %s "
                                                        "over %g s windows for %g s or more), %s in all.",
                                                        (gulong) self->flat_segments),
                                              self->flat_segments, self->opt.flat_std_max, self->unit,
                                              self->opt.flat_window_s, self->opt.flat_min_s, total));
    }

  /* Outliers by robust z-score (Iglewicz and Hoaglin 1993). */
  imu_json_set_double (outl, "z_max", self->opt.outlier_z);
  if (n > 0 && mad > 0)
    {
      OutlierTest test = { median, mad, self->opt.outlier_z };
      gint64 count = imu_quantiles_count_robust_outliers (self->q, median, mad, self->opt.outlier_z);
      double fraction = (double) count / (double) n;
      double half = self->opt.outlier_z * mad / 0.6745;
      gboolean reported = count > 0 && fraction <= self->opt.outlier_max_fraction;

      json_object_set_int_member (outl, "count", count);
      imu_json_set_double (outl, "fraction", fraction);
      imu_json_set_double (outl, "low", median - half);
      imu_json_set_double (outl, "high", median + half);
      json_object_set_boolean_member (outl, "reported", reported);
      if (reported)
        {
          GArray *locs = imu_locations_new ();

          if (series != NULL && !locate_outliers (self, series, self->n_channels, self->stream_samples, &test,
                                                 locs, error))
            {
              g_array_unref (locs);
              json_object_set_object_member (o, "outliers", outl);
              return NULL;
            }
          g_ptr_array_add (findings,
                           imu_finding_draft_new ("W_OUTLIER", self->name, count, locs,
                                                  ngettext ("%" PRId64 " value lies outside %.6g … %.6g %s "
                                                            "(robust z-score above %g).",
                                                            "%" PRId64 " values lie outside %.6g … %.6g %s "
                                                            "(robust z-score above %g).", (gulong) count),
                                                  count, median - half, median + half, self->unit,
                                                  self->opt.outlier_z));
        }
    }
  else
    {
      json_object_set_int_member (outl, "count", 0);
      json_object_set_null_member (outl, "fraction");
      json_object_set_null_member (outl, "low");
      json_object_set_null_member (outl, "high");
      json_object_set_boolean_member (outl, "reported", FALSE);
    }
  json_object_set_object_member (o, "outliers", outl);

  if (!imu_quantiles_is_exact (self->q) && n > 0)
    g_ptr_array_add (findings,
                     imu_finding_draft_new ("I_APPROXIMATE_PERCENTILES", self->name, n, NULL,
                                            _("Values are not decimal numbers with fixed decimals, so percentiles "
                                              "come from a sketch: each within %.2g %% of its rank."),
                                            100.0 * imu_quantiles_get_rank_error (self->q)));
  return g_steal_pointer (&node);
}
