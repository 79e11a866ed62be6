/* imu-plot-overview.c — the strip that shows the whole session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A thin band per lane with the envelope of its visible channels over the
 * whole session, and on top the visible window as a rectangle that can be
 * dragged. The bands change only with the data, the size, the theme or a
 * channel's visibility, so the widget caches them as a texture; the window,
 * the selection and the markers are drawn over it every frame.
 */

#define G_LOG_DOMAIN "imu-plot"

#include <math.h>

#include "imu-plot-private.h"

#define BAND_PAD 3

static gint64
session_end (const ImuPlotScene *scene)
{
  return MAX (scene->s1 + 1, scene->s0 + 1);
}

double
imu_plot_overview_x_of (const ImuPlotGeometry *geom, const ImuPlotScene *scene, gint64 t_ns)
{
  return geom->overview.origin.x
         + (double) (t_ns - scene->s0) / (double) (session_end (scene) - scene->s0) * geom->overview.size.width;
}

gint64
imu_plot_overview_t_of (const ImuPlotGeometry *geom, const ImuPlotScene *scene, double x)
{
  return scene->s0 + (gint64) llround ((x - geom->overview.origin.x) / geom->overview.size.width
                                       * (double) (session_end (scene) - scene->s0));
}

/**
 * imu_plot_overview_build:
 *
 * One bar per column and lane: the union of the lane's visible channels,
 * each lane scaled to its own band.
 */
void
imu_plot_overview_build (ImuPlotScene *scene, ImuPlotGeometry *geom)
{
  ImuPlotGeometry window = { 0 };
  guint n_lanes = scene->lanes->len;
  int cols = (int) geom->overview.size.width;
  double band_h;
  g_autofree double *mn = g_new (double, MAX (cols, 1));
  g_autofree double *mx = g_new (double, MAX (cols, 1));

  geom->overview_empty = TRUE;
  if (n_lanes == 0 || cols <= 0)
    return;
  window.t0 = scene->s0;
  window.t1 = session_end (scene);
  window.n_cols = cols;
  band_h = (geom->overview.size.height - 2 * BAND_PAD) / n_lanes;

  for (guint i = 0; i < n_lanes; i++)
    {
      const ImuPlotLane *lane = g_ptr_array_index (scene->lanes, i);
      const ImuPlotStream *st = g_ptr_array_index (scene->streams, lane->stream);
      GArray *bars = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
      double lo = INFINITY, hi = -INFINITY, top, ky;
      GdkRGBA color = { 0.5, 0.5, 0.5, 1 };
      gboolean have_color = FALSE;

      g_ptr_array_add (geom->overview_bars, bars);
      for (int k = 0; k < cols; k++)
        mn[k] = mx[k] = NAN;
      for (guint c = 0; c < lane->n_channels; c++)
        {
          if (!lane->visible[c])
            continue;
          if (!have_color)
            {
              imu_plot_palette_get (scene->dark, lane->color[c], &color);
              have_color = TRUE;
            }
          imu_plot_columns_accumulate (&window, st->overview, lane->channels[c], lane->scale[c],
                                       0, cols - 1, mn, mx);
        }
      color.alpha = 0.8;
      g_array_append_val (geom->overview_colors, color);
      for (int k = 0; k < cols; k++)
        if (!isnan (mn[k]))
          {
            lo = MIN (lo, mn[k]);
            hi = MAX (hi, mx[k]);
          }
      if (!(lo <= hi))
        continue;
      if (hi - lo < 1e-12)
        {
          lo -= 1;
          hi += 1;
        }
      top = geom->overview.origin.y + BAND_PAD + i * band_h;
      ky = (band_h - 1) / (hi - lo);
      for (int k = 0; k < cols; k++)
        {
          double y0, y1;
          graphene_rect_t r;

          if (isnan (mn[k]))
            continue;
          y0 = floor (top + (hi - mx[k]) * ky);
          y1 = MAX (floor (top + (hi - mn[k]) * ky) + 1, y0 + 1);
          r = GRAPHENE_RECT_INIT (geom->overview.origin.x + k, y0, 1, y1 - y0);
          g_array_append_val (bars, r);
          geom->overview_empty = FALSE;
        }
    }
}

/* The part that changes only with data, size and theme. */
void
imu_plot_overview_draw (ImuPlotScene *scene, const ImuPlotGeometry *geom, ImuPlotPainter *p)
{
  ImuPlotColors colors;

  imu_plot_colors_get (scene->dark, &colors);
  imu_plot_painter_round (p, &geom->overview, 4, NULL, &colors.frame);
  for (guint i = 0; i < geom->overview_bars->len; i++)
    imu_plot_painter_rects (p, g_ptr_array_index (geom->overview_bars, i),
                            &g_array_index (geom->overview_colors, GdkRGBA, i));
}

/* The part that changes with the view: window, selection, markers. */
void
imu_plot_overview_draw_window (ImuPlotScene *scene, const ImuPlotGeometry *geom, ImuPlotPainter *p)
{
  const graphene_rect_t *o = &geom->overview;
  ImuPlotColors colors;
  GdkRGBA shade;
  double xa, xb;

  if (scene->lanes->len == 0)
    return;
  imu_plot_colors_get (scene->dark, &colors);

  for (guint i = 0; i < scene->events->len; i++)
    {
      const ImuEvent *ev = g_ptr_array_index (scene->events, i);
      double x = floor (imu_plot_overview_x_of (geom, scene, ev->t_ns));

      if (x >= o->origin.x && x < o->origin.x + o->size.width)
        imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (x, o->origin.y + 1, 1, o->size.height - 2), &colors.marker);
    }
  if (scene->sel1 > scene->sel0)
    {
      xa = CLAMP (imu_plot_overview_x_of (geom, scene, scene->sel0), o->origin.x, o->origin.x + o->size.width);
      xb = CLAMP (imu_plot_overview_x_of (geom, scene, scene->sel1), o->origin.x, o->origin.x + o->size.width);
      imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (xa, o->origin.y, MAX (xb - xa, 1), o->size.height),
                             &colors.accent_fill);
    }

  /* The window: what lies outside it is dimmed, so the eye finds it. */
  xa = floor (CLAMP (imu_plot_overview_x_of (geom, scene, scene->t0), o->origin.x, o->origin.x + o->size.width));
  xb = ceil (CLAMP (imu_plot_overview_x_of (geom, scene, scene->t1), o->origin.x, o->origin.x + o->size.width));
  if (xb - xa < 5)
    {
      double mid = (xa + xb) / 2;

      xa = floor (mid - 2.5);
      xb = xa + 5;
    }
  shade = colors.background;
  shade.alpha = 0.55;
  if (xa > o->origin.x)
    imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (o->origin.x, o->origin.y, xa - o->origin.x, o->size.height), &shade);
  if (xb < o->origin.x + o->size.width)
    imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (xb, o->origin.y, o->origin.x + o->size.width - xb, o->size.height),
                           &shade);
  imu_plot_painter_round (p, &GRAPHENE_RECT_INIT (xa, o->origin.y, xb - xa, o->size.height), 3,
                          &colors.accent_fill, &colors.accent);
}
