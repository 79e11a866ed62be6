/* imu-plot-render.c — geometry and drawing of a plot, on screen and to files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Drawing has two steps, as in Sysprof's charts. imu_plot_geometry_new()
 * turns a scene (view, lanes, fetched data) into what will be drawn, in
 * pixels: one min/max bar per pixel column and channel when there are more
 * samples than pixels, a polyline of the samples otherwise, ticks and
 * labels. It runs when the view, the size or the data change, never per
 * frame. imu_plot_render() then only emits those shapes, to a GtkSnapshot
 * (bars as colour nodes, lines in one cairo node per lane) or to a cairo
 * context (exports): the same code draws the screen and the files.
 */

#define G_LOG_DOMAIN "imu-plot"

#include <math.h>
#include <string.h>
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>

#include "imu-plot-private.h"

/* Colours: the GNOME (libadwaita) palette, a darker shade on light
 * backgrounds and a lighter one on dark, so every trace keeps its contrast. */
static const char * const palette_light[IMU_PLOT_N_PALETTE] = {
  "#1c71d8", "#26a269", "#c64600", "#813d9c", "#c01c28", "#865e3c",
};
static const char * const palette_dark[IMU_PLOT_N_PALETTE] = {
  "#62a0ea", "#57e389", "#ffa348", "#dc8add", "#f66151", "#cdab8f",
};

void
imu_plot_palette_get (gboolean dark, guint index, GdkRGBA *rgba)
{
  gdk_rgba_parse (rgba, (dark ? palette_dark : palette_light)[index % IMU_PLOT_N_PALETTE]);
}

void
imu_plot_colors_get (gboolean dark, ImuPlotColors *c)
{
  if (dark)
    {
      c->background = (GdkRGBA) { 0.118, 0.118, 0.118, 1 };
      c->foreground = (GdkRGBA) { 1, 1, 1, 0.92 };
      c->dim = (GdkRGBA) { 1, 1, 1, 0.6 };
      c->grid = (GdkRGBA) { 1, 1, 1, 0.08 };
      c->frame = (GdkRGBA) { 1, 1, 1, 0.18 };
      c->accent = (GdkRGBA) { 0.471, 0.682, 0.929, 1 };
      c->accent_fill = (GdkRGBA) { 0.471, 0.682, 0.929, 0.18 };
      c->marker = (GdkRGBA) { 0.965, 0.827, 0.176, 1 };
      c->marker_text = (GdkRGBA) { 0, 0, 0, 0.87 };
      c->popup = (GdkRGBA) { 0.212, 0.212, 0.227, 0.96 };
    }
  else
    {
      c->background = (GdkRGBA) { 1, 1, 1, 1 };
      c->foreground = (GdkRGBA) { 0, 0, 0, 0.82 };
      c->dim = (GdkRGBA) { 0, 0, 0, 0.55 };
      c->grid = (GdkRGBA) { 0, 0, 0, 0.07 };
      c->frame = (GdkRGBA) { 0, 0, 0, 0.16 };
      c->accent = (GdkRGBA) { 0.110, 0.443, 0.847, 1 };
      c->accent_fill = (GdkRGBA) { 0.208, 0.518, 0.894, 0.15 };
      c->marker = (GdkRGBA) { 0.898, 0.647, 0.039, 1 };
      c->marker_text = (GdkRGBA) { 0, 0, 0, 0.87 };
      c->popup = (GdkRGBA) { 0.98, 0.98, 0.98, 0.96 };
    }
}

/* Lanes. */

ImuPlotLane *
imu_plot_lane_copy (const ImuPlotLane *lane)
{
  ImuPlotLane *copy = g_new0 (ImuPlotLane, 1);
  guint n = lane->n_channels;

  copy->stream = lane->stream;
  copy->title = g_strdup (lane->title);
  copy->unit = g_strdup (lane->unit);
  copy->n_channels = n;
  copy->channels = g_memdup2 (lane->channels, sizeof (guint) * MAX (n, 1));
  copy->names = g_new0 (char *, n + 1);
  for (guint c = 0; c < n; c++)
    copy->names[c] = g_strdup (lane->names[c]);
  copy->scale = g_memdup2 (lane->scale, sizeof (double) * MAX (n, 1));
  copy->visible = g_memdup2 (lane->visible, sizeof (gboolean) * MAX (n, 1));
  copy->color = g_memdup2 (lane->color, sizeof (guint) * MAX (n, 1));
  copy->y_fixed = lane->y_fixed;
  copy->y_lo = lane->y_lo;
  copy->y_hi = lane->y_hi;
  return copy;
}

void
imu_plot_lane_free (ImuPlotLane *lane)
{
  g_free (lane->title);
  g_free (lane->unit);
  g_free (lane->channels);
  g_strfreev (lane->names);
  g_free (lane->scale);
  g_free (lane->visible);
  g_free (lane->color);
  g_free (lane);
}

/* Scenes. */

void
imu_plot_scene_init (ImuPlotScene *scene)
{
  memset (scene, 0, sizeof *scene);
  scene->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_plot_stream_free);
  scene->lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_plot_lane_free);
  scene->events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
  scene->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

void
imu_plot_scene_clear (ImuPlotScene *scene)
{
  g_clear_pointer (&scene->streams, g_ptr_array_unref);
  g_clear_pointer (&scene->lanes, g_ptr_array_unref);
  g_clear_pointer (&scene->events, g_ptr_array_unref);
  g_clear_pointer (&scene->labels, g_hash_table_unref);
  g_clear_pointer (&scene->label_font, pango_font_description_free);
  g_clear_object (&scene->pango);
  g_clear_pointer (&scene->title, g_free);
}

/**
 * imu_plot_scene_label:
 *
 * A layout of @text in the label font, shaped once and kept: labels repeat
 * from frame to frame (ticks during a pan), and shaping is the costly part
 * of drawing text. Borrowed; valid until the cache is reset, which happens
 * only between geometry builds.
 */
PangoLayout *
imu_plot_scene_label (ImuPlotScene *scene, const char *text)
{
  PangoLayout *layout = g_hash_table_lookup (scene->labels, text);

  if (layout != NULL)
    return layout;
  if (scene->label_font == NULL)
    {
      const PangoFontDescription *base = pango_context_get_font_description (scene->pango);
      int size;

      scene->label_font = base != NULL ? pango_font_description_copy (base)
                                       : pango_font_description_from_string ("Sans 10");
      size = pango_font_description_get_size (scene->label_font);
      if (size <= 0)
        size = 10 * PANGO_SCALE;
      /* Tick labels a little smaller than body text, as in GNOME's charts. */
      pango_font_description_set_size (scene->label_font, MAX (size * 85 / 100, 7 * PANGO_SCALE));
    }
  layout = pango_layout_new (scene->pango);
  pango_layout_set_font_description (layout, scene->label_font);
  pango_layout_set_text (layout, text, -1);
  g_hash_table_insert (scene->labels, g_strdup (text), layout);
  return layout;
}

/* Painter. */

void
imu_plot_painter_rect (ImuPlotPainter *p, const graphene_rect_t *r, const GdkRGBA *c)
{
  if (p->snapshot != NULL)
    gtk_snapshot_append_color (p->snapshot, c, r);
  else
    {
      gdk_cairo_set_source_rgba (p->cr, c);
      cairo_rectangle (p->cr, r->origin.x, r->origin.y, r->size.width, r->size.height);
      cairo_fill (p->cr);
    }
}

void
imu_plot_painter_rects (ImuPlotPainter *p, GArray *rects, const GdkRGBA *c)
{
  const graphene_rect_t *r = (const graphene_rect_t *) (gpointer) rects->data;

  if (p->snapshot != NULL)
    for (guint i = 0; i < rects->len; i++)
      gtk_snapshot_append_color (p->snapshot, c, &r[i]);
  else if (rects->len > 0)
    {
      /* One path, one fill: exports stay small and fast. */
      for (guint i = 0; i < rects->len; i++)
        cairo_rectangle (p->cr, r[i].origin.x, r[i].origin.y, r[i].size.width, r[i].size.height);
      gdk_cairo_set_source_rgba (p->cr, c);
      cairo_fill (p->cr);
    }
}

static void
rounded_path (cairo_t *cr, const graphene_rect_t *r, double radius)
{
  double x = r->origin.x, y = r->origin.y, w = r->size.width, h = r->size.height;

  radius = MIN (radius, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - radius, y + radius, radius, -G_PI / 2, 0);
  cairo_arc (cr, x + w - radius, y + h - radius, radius, 0, G_PI / 2);
  cairo_arc (cr, x + radius, y + h - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, x + radius, y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

void
imu_plot_painter_round (ImuPlotPainter *p, const graphene_rect_t *r, double radius,
                        const GdkRGBA *fill, const GdkRGBA *border)
{
  if (p->snapshot != NULL)
    {
      GskRoundedRect rr;

      gsk_rounded_rect_init_from_rect (&rr, r, radius);
      if (fill != NULL)
        {
          gtk_snapshot_push_rounded_clip (p->snapshot, &rr);
          gtk_snapshot_append_color (p->snapshot, fill, r);
          gtk_snapshot_pop (p->snapshot);
        }
      if (border != NULL)
        gtk_snapshot_append_border (p->snapshot, &rr, (float[4]) { 1, 1, 1, 1 },
                                    (GdkRGBA[4]) { *border, *border, *border, *border });
    }
  else
    {
      rounded_path (p->cr, r, radius);
      if (fill != NULL)
        {
          gdk_cairo_set_source_rgba (p->cr, fill);
          cairo_fill_preserve (p->cr);
        }
      if (border != NULL)
        {
          cairo_new_path (p->cr);
          graphene_rect_t in = GRAPHENE_RECT_INIT (r->origin.x + 0.5, r->origin.y + 0.5,
                                                   r->size.width - 1, r->size.height - 1);
          rounded_path (p->cr, &in, MAX (radius - 0.5, 0));
          gdk_cairo_set_source_rgba (p->cr, border);
          cairo_set_line_width (p->cr, 1);
          cairo_stroke (p->cr);
        }
      cairo_new_path (p->cr);
    }
}

void
imu_plot_painter_text (ImuPlotPainter *p, PangoLayout *layout, double x, double y, const GdkRGBA *c)
{
  if (p->snapshot != NULL)
    {
      gtk_snapshot_save (p->snapshot);
      gtk_snapshot_translate (p->snapshot, &GRAPHENE_POINT_INIT (x, y));
      gtk_snapshot_append_layout (p->snapshot, layout, c);
      gtk_snapshot_restore (p->snapshot);
    }
  else
    {
      cairo_move_to (p->cr, x, y);
      gdk_cairo_set_source_rgba (p->cr, c);
      pango_cairo_show_layout (p->cr, layout);
    }
}

cairo_t *
imu_plot_painter_begin_cairo (ImuPlotPainter *p, const graphene_rect_t *bounds)
{
  if (p->snapshot != NULL)
    return gtk_snapshot_append_cairo (p->snapshot, bounds);
  cairo_save (p->cr);
  cairo_rectangle (p->cr, bounds->origin.x, bounds->origin.y, bounds->size.width, bounds->size.height);
  cairo_clip (p->cr);
  return cairo_reference (p->cr);
}

void
imu_plot_painter_end_cairo (ImuPlotPainter *p, cairo_t *cr)
{
  if (p->snapshot == NULL)
    cairo_restore (p->cr);
  cairo_destroy (cr);
}

void
imu_plot_painter_push_clip (ImuPlotPainter *p, const graphene_rect_t *r)
{
  if (p->snapshot != NULL)
    gtk_snapshot_push_clip (p->snapshot, r);
  else
    {
      cairo_save (p->cr);
      cairo_rectangle (p->cr, r->origin.x, r->origin.y, r->size.width, r->size.height);
      cairo_clip (p->cr);
    }
}

void
imu_plot_painter_pop_clip (ImuPlotPainter *p)
{
  if (p->snapshot != NULL)
    gtk_snapshot_pop (p->snapshot);
  else
    cairo_restore (p->cr);
}

/* Layout. */

void
imu_plot_layout_lanes (int width, int height, guint n_lanes, guint lane,
                       graphene_rect_t *header, graphene_rect_t *area)
{
  double dw = MAX (1, width - IMU_PLOT_MARGIN_LEFT - IMU_PLOT_MARGIN_RIGHT);
  double avail = height - IMU_PLOT_AXIS_HEIGHT - IMU_PLOT_LANES_TOP
                 - (double) (MAX (n_lanes, 1) - 1) * IMU_PLOT_LANE_GAP;
  /* Whole pixels, so that lanes and their bars sit on the pixel grid. */
  double lane_h = floor (MAX (avail / MAX (n_lanes, 1), IMU_PLOT_LANE_HEADER + 1));
  double top = IMU_PLOT_LANES_TOP + lane * (lane_h + IMU_PLOT_LANE_GAP);

  if (header != NULL)
    *header = GRAPHENE_RECT_INIT (IMU_PLOT_MARGIN_LEFT, top, dw, IMU_PLOT_LANE_HEADER);
  if (area != NULL)
    *area = GRAPHENE_RECT_INIT (IMU_PLOT_MARGIN_LEFT, top + IMU_PLOT_LANE_HEADER,
                                dw, lane_h - IMU_PLOT_LANE_HEADER);
}

double
imu_plot_geometry_x_of (const ImuPlotGeometry *geom, gint64 t_ns)
{
  return geom->x0 + (double) (t_ns - geom->t0) / (double) (geom->t1 - geom->t0) * geom->dw;
}

gint64
imu_plot_geometry_t_of (const ImuPlotGeometry *geom, double x)
{
  return geom->t0 + (gint64) llround ((x - geom->x0) / geom->dw * (double) (geom->t1 - geom->t0));
}

/* Geometry of a lane. */

static void
lane_geom_free (gpointer data)
{
  ImuPlotLaneGeom *lg = data;

  /* n_channels is not kept here: the arrays are NULL-terminated. */
  for (guint c = 0; lg->bars != NULL && lg->bars[c] != NULL; c++)
    g_array_unref (lg->bars[c]);
  for (guint c = 0; lg->lines != NULL && lg->lines[c] != NULL; c++)
    g_array_unref (lg->lines[c]);
  for (guint c = 0; lg->edges != NULL && lg->edges[c] != NULL; c++)
    g_array_unref (lg->edges[c]);
  for (guint c = 0; lg->col_min != NULL && lg->col_min[c] != NULL; c++)
    {
      g_free (lg->col_min[c]);
      g_free (lg->col_max[c]);
    }
  g_free (lg->bars);
  g_free (lg->lines);
  g_free (lg->edges);
  g_free (lg->col_min);
  g_free (lg->col_max);
  g_free (lg);
}

/* Index of the first raw sample with t ≥ @t. */
static gint64
lower_bound (const ImuPlotData *d, gint64 t)
{
  gint64 lo = 0, hi = d->n;

  while (lo < hi)
    {
      gint64 mid = lo + (hi - lo) / 2;

      if (d->t[mid] < t)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static inline int
column_of (const ImuPlotGeometry *geom, gint64 t)
{
  double k = floor ((double) (t - geom->t0) * geom->n_cols / (double) (geom->t1 - geom->t0));

  /* Far outside the window (old data while zoomed in): just outside. */
  return (int) CLAMP (k, -1, geom->n_cols);
}

/* Merges an envelope's buckets into the columns [k_lo, k_hi]. A bucket is
 * placed by the times of the samples it holds, so an envelope fetched for
 * another view (kept while the new one is read) lands where it belongs,
 * stretched or squeezed. */
static void
columns_from_envelope (const ImuPlotGeometry *geom, const ImuPlotData *d, guint sc, double scale,
                       int k_lo, int k_hi, double *mn, double *mx)
{
  const ImuEnvelope *env = d->env;

  for (guint b = 0; b < env->n_buckets; b++)
    {
      int ka, kb, step;
      double lo, hi;

      if (env->i_first[b] > env->i_last[b] || env->t_last[b] < geom->t0 || env->t_first[b] >= geom->t1)
        continue;
      lo = env->min[sc][b] * scale;
      hi = env->max[sc][b] * scale;
      if (isnan (lo) || isnan (hi))
        continue;
      ka = column_of (geom, env->t_first[b]);
      kb = column_of (geom, env->t_last[b]);
      /* A bucket holding a gap: its samples lie at its two ends, the
       * columns between stay empty (as they do where no bucket is). */
      step = ka < kb - 1 && env->i_last[b] > env->i_first[b]
             && (env->t_last[b] - env->t_first[b]) / (env->i_last[b] - env->i_first[b]) > d->gap_ns
             ? kb - ka : 1;
      for (int k = ka; k <= kb; k += step)
        {
          if (k < k_lo || k > k_hi)
            continue;
          if (isnan (mn[k]) || lo < mn[k])
            mn[k] = lo;
          if (isnan (mx[k]) || hi > mx[k])
            mx[k] = hi;
        }
    }
}

static void
columns_from_raw (const ImuPlotGeometry *geom, const ImuPlotData *d, guint sc, double scale,
                  int k_lo, int k_hi, double *mn, double *mx)
{
  for (gint64 i = lower_bound (d, geom->t0); i < d->n && d->t[i] < geom->t1; i++)
    {
      int k = column_of (geom, d->t[i]);
      double v = d->cols[sc][i] * scale;

      if (k < k_lo || k > k_hi || !isfinite (v))
        continue;
      if (isnan (mn[k]) || v < mn[k])
        mn[k] = v;
      if (isnan (mx[k]) || v > mx[k])
        mx[k] = v;
    }
}

/**
 * imu_plot_columns_accumulate:
 * @mn: @mx: per column min and max so far (NaN: none), updated
 *
 * Merges what @d holds of stream channel @sc (× @scale) into the columns
 * [k_lo, k_hi] of @geom's window (its t0, t1 and n_cols only).
 */
void
imu_plot_columns_accumulate (const ImuPlotGeometry *geom, const ImuPlotData *d, guint sc, double scale,
                             int k_lo, int k_hi, double *mn, double *mx)
{
  k_lo = MAX (k_lo, 0);
  k_hi = MIN (k_hi, geom->n_cols - 1);
  if (d == NULL || sc >= d->n_channels || k_hi < k_lo)
    return;
  if (d->env != NULL)
    columns_from_envelope (geom, d, sc, scale, k_lo, k_hi, mn, mx);
  else
    columns_from_raw (geom, d, sc, scale, k_lo, k_hi, mn, mx);
}

/* Columns that @d's range covers. */
static void
covered_columns (const ImuPlotGeometry *geom, const ImuPlotData *d, int *k_lo, int *k_hi)
{
  double lo = floor ((double) (d->r0 - geom->t0) * geom->n_cols / (double) (geom->t1 - geom->t0));
  double hi = ceil ((double) (d->r1 - geom->t0) * geom->n_cols / (double) (geom->t1 - geom->t0)) - 1;

  /* In doubles first: a range far outside the view must not overflow. */
  *k_lo = (int) CLAMP (lo, 0, geom->n_cols);
  *k_hi = (int) CLAMP (hi, -1, geom->n_cols - 1);
}

/**
 * imu_plot_stream_pick:
 * @fallback: (out): what fills the columns @primary does not cover
 *
 * What to draw a stream's window [t0, t1] from. A raw overview (a short
 * stream, read whole) is exact everywhere, so it wins whenever it has few
 * enough samples in the window for a polyline; otherwise the data fetched
 * for the view, with the overview filling in what that does not cover yet.
 */
gboolean
imu_plot_stream_is_whole (const ImuPlotStream *st, gint64 t0, gint64 t1, int cols)
{
  const ImuPlotData *ov = st->overview;

  return ov != NULL && ov->env == NULL
         && lower_bound (ov, t1) - lower_bound (ov, t0) <= (gint64) cols * IMU_PLOT_RAW_PER_PX;
}

const ImuPlotData *
imu_plot_stream_pick (const ImuPlotStream *st, gint64 t0, gint64 t1, int cols,
                      const ImuPlotData **fallback)
{
  const ImuPlotData *ov = st->overview;

  *fallback = NULL;
  if (imu_plot_stream_is_whole (st, t0, t1, cols))
    return ov;
  if (st->view == NULL)
    return ov;
  *fallback = ov;
  return st->view;
}

static void
build_lane (ImuPlotScene *scene, ImuPlotGeometry *geom, const ImuPlotLane *lane, ImuPlotLaneGeom *lg,
            guint lane_index)
{
  ImuPlotStream *st = g_ptr_array_index (scene->streams, lane->stream);
  const ImuPlotData *primary = NULL, *fallback = NULL;
  guint n = lane->n_channels;
  int cols = geom->n_cols;
  double vmin = INFINITY, vmax = -INFINITY, range, step, px_per_sample = 0;
  int decimals;
  gint64 ra = 0, rb = -1, gap_ns = G_MAXINT64;
  gboolean raw;
  int raw_lo = 0, raw_hi = -1;
  g_autofree double *cov0 = NULL;
  g_autofree double *cov1 = NULL;

  imu_plot_layout_lanes (geom->width, geom->height, scene->lanes->len, lane_index, &lg->header, &lg->area);
  lg->bars = g_new0 (GArray *, n + 1);
  lg->lines = g_new0 (GArray *, n + 1);
  lg->edges = g_new0 (GArray *, n + 1);
  lg->col_min = g_new0 (double *, n + 1);
  lg->col_max = g_new0 (double *, n + 1);

  primary = imu_plot_stream_pick (st, geom->t0, geom->t1, cols, &fallback);

  if (primary != NULL && primary->env == NULL && primary->n > 1)
    {
      ra = MAX (lower_bound (primary, geom->t0) - 1, 0);
      rb = MIN (lower_bound (primary, geom->t1), primary->n - 1);
      if (rb > ra)
        {
          px_per_sample = geom->dw / (double) (geom->t1 - geom->t0)
                          * (double) (primary->t[primary->n - 1] - primary->t[0]) / (double) (primary->n - 1);
          gap_ns = primary->gap_ns;
        }
    }

  for (guint c = 0; c < n; c++)
    {
      guint sc = lane->channels[c];
      double *mn = g_new (double, MAX (cols, 1));
      double *mx = g_new (double, MAX (cols, 1));
      int k_lo = 0, k_hi = -1;

      lg->col_min[c] = mn;
      lg->col_max[c] = mx;
      lg->bars[c] = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
      lg->lines[c] = g_array_new (FALSE, FALSE, sizeof (graphene_point_t));
      lg->edges[c] = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
      for (int k = 0; k < cols; k++)
        mn[k] = mx[k] = NAN;
      if (!lane->visible[c] || primary == NULL || sc >= primary->n_channels)
        continue;

      covered_columns (geom, primary, &k_lo, &k_hi);
      imu_plot_columns_accumulate (geom, primary, sc, lane->scale[c], k_lo, k_hi, mn, mx);
      if (fallback != NULL)
        {
          imu_plot_columns_accumulate (geom, fallback, sc, lane->scale[c], 0, k_lo - 1, mn, mx);
          imu_plot_columns_accumulate (geom, fallback, sc, lane->scale[c], k_hi + 1, cols - 1, mn, mx);
        }
      for (int k = 0; k < cols; k++)
        if (!isnan (mn[k]))
          {
            vmin = MIN (vmin, mn[k]);
            vmax = MAX (vmax, mx[k]);
          }
    }

  /* A polyline also shows the stretch from the last sample before the
   * window to the first inside it (and the same at the end): the values
   * where it crosses the edges belong to the visible data. */
  if (primary != NULL && primary->env == NULL && rb > ra)
    for (guint c = 0; c < n; c++)
      {
        guint sc = lane->channels[c];
        gint64 edges[2] = { geom->t0, geom->t1 };

        if (!lane->visible[c] || sc >= primary->n_channels)
          continue;
        for (guint e = 0; e < 2; e++)
          {
            gint64 i = lower_bound (primary, edges[e]);
            double a, b, f, v;

            /* An edge inside a gap crosses no line. */
            if (i <= 0 || i >= primary->n || primary->t[i] - primary->t[i - 1] > gap_ns)
              continue;
            a = primary->cols[sc][i - 1];
            b = primary->cols[sc][i];
            f = (double) (edges[e] - primary->t[i - 1]) / (double) MAX (primary->t[i] - primary->t[i - 1], 1);
            v = (a + (b - a) * f) * lane->scale[c];
            if (isfinite (v))
              {
                vmin = MIN (vmin, v);
                vmax = MAX (vmax, v);
              }
          }
      }

  /* The y axis: the visible data, padded. */
  if (!(vmin <= vmax))
    {
      vmin = -1;
      vmax = 1;
    }
  else if (vmin == vmax)
    {
      double d = fabs (vmin) > 0 ? fabs (vmin) * 0.1 : 1;

      vmin -= d;
      vmax += d;
    }
  range = vmax - vmin;
  lg->lo = vmin - IMU_PLOT_Y_PAD * range;
  lg->hi = vmax + IMU_PLOT_Y_PAD * range;
  if (lane->y_fixed && lane->y_hi > lane->y_lo)
    {
      lg->lo = lane->y_lo;
      lg->hi = lane->y_hi;
    }

  /* Labels about 30 px apart, and never fewer than two: a lower step
   * until two fit (a short lane, or data that just spans one step). */
  step = imu_plot_axis_nice_step ((lg->hi - lg->lo) * 30 / MAX (lg->area.size.height, 1), &decimals);
  for (int tries = 0; tries < 8 && floor (lg->hi / step) - ceil (lg->lo / step) + 1 < 2; tries++)
    step = imu_plot_axis_nice_step (step / 2.0001, &decimals);
  lg->decimals = decimals;
  lg->n_yticks = 0;
  for (double v = ceil (lg->lo / step) * step; v <= lg->hi && lg->n_yticks < IMU_PLOT_MAX_TICKS; v += step)
    {
      g_autofree char *text = imu_plot_axis_format_value (fabs (v) < step * 1e-6 ? 0 : v, decimals);
      guint i = lg->n_yticks++;

      lg->ytick_y[i] = floor (lg->area.origin.y + (lg->hi - v) / (lg->hi - lg->lo) * lg->area.size.height) + 0.5;
      lg->ytick_label[i] = imu_plot_scene_label (scene, text);
    }

  /* Shapes, in pixels. */
  raw = primary != NULL && primary->env == NULL && rb > ra;
  if (raw)
    covered_columns (geom, primary, &raw_lo, &raw_hi);
  /* Channels are drawn in order, so a bar that the later channels' bars
   * already cover in its column is never seen: it is not emitted. Walking
   * the channels from the last, each column keeps the span covered so far
   * (one interval; disjoint pieces keep the larger). Noisy channels that
   * overlap, the usual IMU picture, lose many of their bars this way. */
  /* Several channels' envelopes: translucent bands with opaque outlines
   * (docs/plot.md), where nothing is hidden and nothing is dropped. */
  {
    guint n_visible = 0;

    for (guint c = 0; c < n; c++)
      n_visible += lane->visible[c] ? 1 : 0;
    lg->bands = n_visible >= 2;
  }
  cov0 = g_new (double, MAX (cols, 1));
  cov1 = g_new (double, MAX (cols, 1));
  for (int k = 0; k < cols; k++)
    cov0[k] = cov1[k] = 0;
  for (guint cc = n; cc-- > 0;)
    {
      guint c = cc;
      const double *mn = lg->col_min[c], *mx = lg->col_max[c];
      double top = lg->area.origin.y, h = lg->area.size.height;
      double ky = h / (lg->hi - lg->lo);
      double prev_lo = NAN, prev_hi = NAN;
      double prev_ytop = NAN, prev_ybot = NAN;
      graphene_rect_t *last = NULL;
      int last_edge[2] = { -1, -1 };   /* indices in lg->edges[c]: max, min */

      if (!lane->visible[c])
        continue;

      if (raw)
        {
          /* Zoomed in: a polyline through the samples in view (and one on
           * each side, so the line runs to the edges). A non-finite value
           * breaks the line (NaN point), and so does a gap in time. */
          guint sc = lane->channels[c];

          g_array_set_size (lg->lines[c], 0);
          for (gint64 i = ra; i <= rb; i++)
            {
              double v = primary->cols[sc][i] * lane->scale[c];
              graphene_point_t pt = GRAPHENE_POINT_INIT (imu_plot_geometry_x_of (geom, primary->t[i]),
                                                         isfinite (v) ? top + (lg->hi - v) * ky : NAN);

              if (i > ra && primary->t[i] - primary->t[i - 1] > gap_ns)
                {
                  graphene_point_t pen_up = GRAPHENE_POINT_INIT (pt.x, NAN);

                  g_array_append_val (lg->lines[c], pen_up);
                }
              g_array_append_val (lg->lines[c], pt);
            }
          lg->dots = px_per_sample >= 12;
          /* Bars only where a pan outran the samples: the fallback's. */
          if (fallback == NULL)
            continue;
        }

      for (int k = 0; k < cols; k++)
        {
          double lo = mn[k], hi = mx[k];
          double y0, y1;

          if (isnan (lo) || (raw && k >= raw_lo && k <= raw_hi))
            {
              /* No data, or the polyline draws these columns. */
              prev_lo = prev_hi = NAN;
              prev_ytop = prev_ybot = NAN;
              last = NULL;
              last_edge[0] = last_edge[1] = -1;
              continue;
            }
          if (lg->bands)
            {
              /* The outlines: the column's max and min rows, joined to
               * the previous column's by a vertical step. */
              double ytop = CLAMP (floor (top + (lg->hi - hi) * ky), top, top + h - 1);
              double ybot = CLAMP (floor (top + (lg->hi - lo) * ky), top, top + h - 1);
              double rows[2][2] = {
                { isnan (prev_ytop) ? ytop : MIN (ytop, prev_ytop), isnan (prev_ytop) ? ytop : MAX (ytop, prev_ytop) },
                { isnan (prev_ybot) ? ybot : MIN (ybot, prev_ybot), isnan (prev_ybot) ? ybot : MAX (ybot, prev_ybot) },
              };
              for (guint e = 0; e < 2; e++)
                {
                  graphene_rect_t *le = last_edge[e] >= 0
                                        ? &g_array_index (lg->edges[c], graphene_rect_t, last_edge[e]) : NULL;
                  double ea = rows[e][0], eb = rows[e][1] + 1;

                  if (le != NULL && le->origin.y == ea && le->size.height == eb - ea
                      && le->origin.x + le->size.width == geom->x0 + k)
                    le->size.width += 1;
                  else
                    {
                      graphene_rect_t r = GRAPHENE_RECT_INIT (geom->x0 + k, ea, 1, eb - ea);

                      g_array_append_val (lg->edges[c], r);
                      last_edge[e] = (int) lg->edges[c]->len - 1;
                    }
                }
              prev_ytop = ytop;
              prev_ybot = ybot;
            }
          /* Join the previous column, so that a steep edge is one
           * unbroken vertical stroke rather than dots. */
          if (!isnan (prev_lo))
            {
              if (lo > prev_hi)
                lo = prev_hi;
              if (hi < prev_lo)
                hi = prev_lo;
            }
          prev_lo = mn[k];
          prev_hi = mx[k];
          y0 = floor (top + (lg->hi - hi) * ky);
          y1 = floor (top + (lg->hi - lo) * ky) + 1;
          y0 = CLAMP (y0, top, top + h - 1);
          y1 = CLAMP (y1, y0 + 1, top + h);
          if (!lg->bands && y0 >= cov0[k] && y1 <= cov1[k])
            {
              last = NULL;
              continue;
            }
          if (cov1[k] <= cov0[k] || (y0 <= cov1[k] && y1 >= cov0[k]))
            {
              cov0[k] = cov1[k] > cov0[k] ? MIN (cov0[k], y0) : y0;
              cov1[k] = MAX (cov1[k], y1);
            }
          else if (y1 - y0 > cov1[k] - cov0[k])
            {
              cov0[k] = y0;
              cov1[k] = y1;
            }
          /* Neighbouring columns of the same extent make one wider bar. */
          if (last != NULL && last->origin.y == y0 && last->size.height == y1 - y0
              && last->origin.x + last->size.width == geom->x0 + k)
            last->size.width += 1;
          else
            {
              graphene_rect_t r = GRAPHENE_RECT_INIT (geom->x0 + k, y0, 1, y1 - y0);

              g_array_append_val (lg->bars[c], r);
              last = &g_array_index (lg->bars[c], graphene_rect_t, lg->bars[c]->len - 1);
            }
        }
    }
}

ImuPlotGeometry *
imu_plot_geometry_new (ImuPlotScene *scene)
{
  return imu_plot_geometry_new_reusing (scene, NULL);
}

/**
 * imu_plot_geometry_new_reusing:
 * @previous: (nullable): a geometry of the same size and overview data,
 *   whose overview bars are taken over instead of being made again
 *
 * The overview changes only with its data, the size and the channels
 * shown; the view changes at every pan. Reusing saves a pass over the
 * whole-session envelope of every channel per frame.
 */
ImuPlotGeometry *
imu_plot_geometry_new_reusing (ImuPlotScene *scene, ImuPlotGeometry *previous)
{
  ImuPlotGeometry *geom = g_new0 (ImuPlotGeometry, 1);
  graphene_rect_t first, last;

  /* Bound the label cache: it grows with every distinct tick label. */
  if (g_hash_table_size (scene->labels) > 2048)
    g_hash_table_remove_all (scene->labels);

  geom->width = scene->width;
  geom->height = scene->height;
  geom->x0 = IMU_PLOT_MARGIN_LEFT;
  geom->dw = MAX (1, scene->width - IMU_PLOT_MARGIN_LEFT - IMU_PLOT_MARGIN_RIGHT);
  geom->n_cols = (int) geom->dw;
  geom->t0 = scene->t0;
  geom->t1 = MAX (scene->t1, scene->t0 + 1);
  geom->overview = GRAPHENE_RECT_INIT (geom->x0, IMU_PLOT_OVERVIEW_TOP, geom->dw, IMU_PLOT_OVERVIEW_HEIGHT);
  geom->markers = GRAPHENE_RECT_INIT (geom->x0, IMU_PLOT_MARKER_STRIP_TOP, geom->dw, IMU_PLOT_MARKER_STRIP_HEIGHT);
  imu_plot_layout_lanes (scene->width, scene->height, scene->lanes->len, 0, NULL, &first);
  imu_plot_layout_lanes (scene->width, scene->height, scene->lanes->len,
                         MAX (scene->lanes->len, 1) - 1, NULL, &last);
  geom->lanes = GRAPHENE_RECT_INIT (geom->x0, first.origin.y, geom->dw,
                                    last.origin.y + last.size.height - first.origin.y);
  geom->axis = GRAPHENE_RECT_INIT (geom->x0, geom->lanes.origin.y + geom->lanes.size.height,
                                   geom->dw, IMU_PLOT_AXIS_HEIGHT);
  geom->lane_geoms = g_ptr_array_new_with_free_func (lane_geom_free);
  geom->ticks = g_array_new (FALSE, FALSE, sizeof (ImuPlotTick));
  geom->overview_bars = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  geom->overview_colors = g_array_new (FALSE, FALSE, sizeof (GdkRGBA));

  for (guint i = 0; i < scene->lanes->len; i++)
    {
      ImuPlotLaneGeom *lg = g_new0 (ImuPlotLaneGeom, 1);

      g_ptr_array_add (geom->lane_geoms, lg);
      build_lane (scene, geom, g_ptr_array_index (scene->lanes, i), lg, i);
    }
  imu_plot_axis_build (scene, geom);
  if (previous != NULL && previous->width == geom->width && previous->height == geom->height)
    {
      GPtrArray *bars = geom->overview_bars;
      GArray *colors = geom->overview_colors;

      geom->overview_bars = previous->overview_bars;
      geom->overview_colors = previous->overview_colors;
      geom->overview_empty = previous->overview_empty;
      previous->overview_bars = bars;
      previous->overview_colors = colors;
    }
  else
    imu_plot_overview_build (scene, geom);
  return geom;
}

void
imu_plot_geometry_free (ImuPlotGeometry *geom)
{
  if (geom == NULL)
    return;
  g_clear_pointer (&geom->lane_geoms, g_ptr_array_unref);
  g_clear_pointer (&geom->ticks, g_array_unref);
  g_clear_pointer (&geom->overview_bars, g_ptr_array_unref);
  g_clear_pointer (&geom->overview_colors, g_array_unref);
  g_free (geom);
}

/* Drawing. */

/* Segments per cairo_stroke() (see draw_lines). */
#define STROKE_PIECE 16
/* Points in a lane's polylines above which they are drawn with
 * CAIRO_ANTIALIAS_FAST. */
#define FAST_AA_ABOVE 1500

static void
draw_lines (ImuPlotScene *scene, const ImuPlotLane *lane, const ImuPlotLaneGeom *lg,
            ImuPlotPainter *p)
{
  gboolean any = FALSE;
  guint n_points = 0;
  cairo_t *cr;

  for (guint c = 0; c < lane->n_channels; c++)
    {
      any |= lg->lines[c]->len > 0;
      n_points += lg->lines[c]->len;
    }
  if (!any)
    return;

  cr = imu_plot_painter_begin_cairo (p, &lg->area);
  cairo_set_line_width (cr, 1.5);
  /* Bevel joins: as smooth at this width, and cheaper than round ones. */
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_BEVEL);
  /* Many segments: cairo's faster antialiasing, the same picture at 3×
   * zoom on the test screenshots, in half the time (docs/plot.md). Few:
   * the default, which covers a line's pixels a little more exactly. */
  if (n_points > FAST_AA_ABOVE)
    cairo_set_antialias (cr, CAIRO_ANTIALIAS_FAST);
  for (guint c = 0; c < lane->n_channels; c++)
    {
      const graphene_point_t *pt = (const graphene_point_t *) (gpointer) lg->lines[c]->data;
      gboolean pen = FALSE;
      GdkRGBA color;

      if (lg->lines[c]->len == 0)
        continue;
      imu_plot_palette_get (scene->dark, lane->color[c], &color);
      gdk_cairo_set_source_rgba (cr, &color);
      for (guint i = 0, run = 0; i < lg->lines[c]->len; i++)
        {
          if (isnan (pt[i].y))
            pen = FALSE;
          else if (!pen)
            {
              cairo_move_to (cr, pt[i].x, pt[i].y);
              pen = TRUE;
              run = 0;
            }
          else
            {
              cairo_line_to (cr, pt[i].x, pt[i].y);
              /* Stroke in short pieces: cairo rasterises a path over its
               * whole extents, and a noisy line across the width is
               * cheaper as pieces a few dozen pixels wide. Consecutive
               * pieces share a segment, so that no antialiased seam shows
               * where they meet (the colours are opaque). */
              if (++run == STROKE_PIECE)
                {
                  if (i + 1 < lg->lines[c]->len && !isnan (pt[i + 1].y))
                    cairo_line_to (cr, pt[i + 1].x, pt[i + 1].y);
                  cairo_stroke (cr);
                  cairo_move_to (cr, pt[i].x, pt[i].y);
                  run = 0;
                }
            }
        }
      cairo_stroke (cr);
      /* A sample alone between two breaks draws no line: a dot shows it. */
      if (!lg->dots)
        {
          guint len = lg->lines[c]->len;
          gboolean lone = FALSE;

          for (guint i = 1; i + 1 < len; i++)
            if (!isnan (pt[i].y) && isnan (pt[i - 1].y) && isnan (pt[i + 1].y))
              {
                cairo_new_sub_path (cr);
                cairo_arc (cr, pt[i].x, pt[i].y, 1.5, 0, 2 * G_PI);
                lone = TRUE;
              }
          if (lone)
            cairo_fill (cr);
        }
      if (lg->dots)
        {
          for (guint i = 0; i < lg->lines[c]->len; i++)
            if (!isnan (pt[i].y))
              {
                cairo_new_sub_path (cr);
                cairo_arc (cr, pt[i].x, pt[i].y, 2.5, 0, 2 * G_PI);
              }
          cairo_fill (cr);
        }
    }
  imu_plot_painter_end_cairo (p, cr);
}

/* Translucent bands and opaque outlines (several channels zoomed out),
 * as rectangle fills in one cairo node per lane: pixel-aligned boxes,
 * which cairo composites fast, rather than thousands of colour nodes. */
static void
draw_bands (ImuPlotScene *scene, const ImuPlotLane *lane, const ImuPlotLaneGeom *lg,
            ImuPlotPainter *p)
{
  cairo_t *cr = imu_plot_painter_begin_cairo (p, &lg->area);

  cairo_set_antialias (cr, CAIRO_ANTIALIAS_NONE);
  /* Every band first, then every outline over them, so that no band
   * tints another channel's outline. */
  for (guint c = 0; c < lane->n_channels; c++)
    {
      GdkRGBA color;

      if (lg->bars[c]->len == 0)
        continue;
      imu_plot_palette_get (scene->dark, lane->color[c], &color);
      for (guint i = 0; i < lg->bars[c]->len; i++)
        {
          const graphene_rect_t *r = &g_array_index (lg->bars[c], graphene_rect_t, i);

          cairo_rectangle (cr, r->origin.x, r->origin.y, r->size.width, r->size.height);
        }
      color.alpha = scene->dark ? 0.32 : 0.26;
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_fill (cr);
    }
  for (guint c = 0; c < lane->n_channels; c++)
    {
      GdkRGBA color;

      if (lg->edges[c]->len == 0)
        continue;
      imu_plot_palette_get (scene->dark, lane->color[c], &color);
      for (guint i = 0; i < lg->edges[c]->len; i++)
        {
          const graphene_rect_t *r = &g_array_index (lg->edges[c], graphene_rect_t, i);

          cairo_rectangle (cr, r->origin.x, r->origin.y, r->size.width, r->size.height);
        }
      color.alpha = 1;
      gdk_cairo_set_source_rgba (cr, &color);
      cairo_fill (cr);
    }
  imu_plot_painter_end_cairo (p, cr);
}

static void
draw_legend (ImuPlotScene *scene, const ImuPlotLane *lane, const ImuPlotLaneGeom *lg,
             const ImuPlotColors *colors, ImuPlotPainter *p)
{
  PangoLayout *title = imu_plot_scene_label (scene, lane->title);
  double x = lg->header.origin.x;
  double cy = lg->header.origin.y + lg->header.size.height / 2;
  int w, h;

  pango_layout_get_pixel_size (title, &w, &h);
  imu_plot_painter_text (p, title, x, cy - h / 2.0, &colors->foreground);
  x += w + 14;
  for (guint c = 0; c < lane->n_channels; c++)
    {
      PangoLayout *name = imu_plot_scene_label (scene, lane->names[c]);
      GdkRGBA color;

      imu_plot_palette_get (scene->dark, lane->color[c], &color);
      if (!lane->visible[c])
        color.alpha = 0.3;
      imu_plot_painter_round (p, &GRAPHENE_RECT_INIT (x, cy - 4, 8, 8), 4, &color, NULL);
      pango_layout_get_pixel_size (name, &w, &h);
      imu_plot_painter_text (p, name, x + 12, cy - h / 2.0, lane->visible[c] ? &colors->foreground : &colors->dim);
      x += 12 + w + 14;
    }
}

static void
draw_markers (ImuPlotScene *scene, const ImuPlotGeometry *geom, const ImuPlotColors *colors,
              ImuPlotPainter *p)
{
  imu_plot_painter_push_clip (p, &GRAPHENE_RECT_INIT (geom->x0, geom->markers.origin.y, geom->dw,
                                                      geom->lanes.origin.y + geom->lanes.size.height
                                                      - geom->markers.origin.y));
  for (guint i = 0; i < scene->events->len; i++)
    {
      const ImuEvent *ev = g_ptr_array_index (scene->events, i);
      gint64 end = ev->t_ns + MAX (ev->duration_ns, 0);
      double x, x1, room;
      gboolean hover = ev->id != 0 && ev->id == scene->hover_event;
      /* The event "go to" showed: its flag framed. */
      gboolean marked = scene->mark_on && ev->t_ns == scene->mark0;
      GdkRGBA line = colors->marker;
      PangoLayout *label;
      int w, h;

      if (end < geom->t0 || ev->t_ns > geom->t1)
        continue;
      x = floor (imu_plot_geometry_x_of (geom, ev->t_ns));
      if (ev->duration_ns > 0)
        {
          GdkRGBA band = colors->marker;

          x1 = imu_plot_geometry_x_of (geom, end);
          band.alpha = scene->dark ? 0.08 : 0.07;
          imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (x, geom->lanes.origin.y, MAX (x1 - x, 1),
                                                         geom->lanes.size.height), &band);
        }
      if (!hover)
        line.alpha = 0.85;
      imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (x - (hover ? 1 : 0), geom->markers.origin.y + 2,
                                                     hover ? 3 : 1,
                                                     geom->lanes.origin.y + geom->lanes.size.height
                                                     - geom->markers.origin.y - 2), &line);
      label = imu_plot_scene_label (scene, ev->label != NULL && *ev->label ? ev->label
                                           : ev->kind != NULL ? ev->kind : "");
      pango_layout_get_pixel_size (label, &w, &h);
      /* A flag ends where the next marker's begins (unless hovered). */
      room = geom->x0 + geom->dw - x;
      for (guint j = i + 1; j < scene->events->len && !hover; j++)
        {
          const ImuEvent *next = g_ptr_array_index (scene->events, j);
          double nx = floor (imu_plot_geometry_x_of (geom, next->t_ns));

          if (nx > x + 1)
            {
              room = nx - x - 2;
              break;
            }
        }
      if (room < 6)
        continue;
      imu_plot_painter_push_clip (p, &GRAPHENE_RECT_INIT (x, geom->markers.origin.y, room,
                                                          geom->markers.size.height));
      imu_plot_painter_round (p, &GRAPHENE_RECT_INIT (x, geom->markers.origin.y + 1, w + 10,
                                                      geom->markers.size.height - 2),
                              3, &colors->marker, hover || marked ? &colors->foreground : NULL);
      imu_plot_painter_text (p, label, x + 5,
                             geom->markers.origin.y + (geom->markers.size.height - h) / 2.0,
                             &colors->marker_text);
      imu_plot_painter_pop_clip (p);
    }
  imu_plot_painter_pop_clip (p);
}

static void
draw_axis (ImuPlotScene *scene, const ImuPlotGeometry *geom, const ImuPlotColors *colors,
           ImuPlotPainter *p)
{
  double y = geom->axis.origin.y;
  double context_right = 0;
  int w, h;

  imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (geom->x0, y, geom->dw, 1), &colors->frame);
  if (geom->axis_context != NULL)
    {
      pango_layout_get_pixel_size (geom->axis_context, &w, &h);
      imu_plot_painter_text (p, geom->axis_context, MAX (geom->x0 - 8 - w, 2), y + 8, &colors->dim);
      context_right = MAX (geom->x0 - 8 - w, 2) + w;
    }
  for (guint i = 0; i < geom->ticks->len; i++)
    {
      const ImuPlotTick *tick = &g_array_index (geom->ticks, ImuPlotTick, i);
      double lx;

      imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (floor (tick->x), y, 1, 5), &colors->dim);
      if (tick->label == NULL)
        continue;
      pango_layout_get_pixel_size (tick->label, &w, &h);
      lx = CLAMP (tick->x - w / 2.0, 0, geom->width - w - 2);
      /* The date at the left wins over a label that would cover it. */
      if (lx < context_right + 8)
        continue;
      imu_plot_painter_text (p, tick->label, lx, y + 8, &colors->foreground);
    }
}

/**
 * imu_plot_render:
 *
 * Draws a geometry made from @scene. Emits shapes only: no data is read,
 * no text shaped (labels come from the scene's cache).
 */
void
imu_plot_render (ImuPlotScene          *scene,
                 const ImuPlotGeometry *geom,
                 ImuPlotPainter        *p,
                 ImuPlotRenderFlags     flags)
{
  ImuPlotColors colors;

  imu_plot_colors_get (scene->dark, &colors);
  if (flags & IMU_PLOT_RENDER_BACKGROUND)
    imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (0, 0, geom->width, geom->height), &colors.background);

  if (flags & IMU_PLOT_RENDER_OVERVIEW)
    imu_plot_overview_draw (scene, geom, p);
  imu_plot_overview_draw_window (scene, geom, p);

  for (guint i = 0; i < scene->lanes->len; i++)
    {
      const ImuPlotLane *lane = g_ptr_array_index (scene->lanes, i);
      const ImuPlotLaneGeom *lg = g_ptr_array_index (geom->lane_geoms, i);
      const graphene_rect_t *a = &lg->area;

      /* Frame, grid, labels. */
      imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (a->origin.x, a->origin.y, a->size.width, 1), &colors.frame);
      imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (a->origin.x, a->origin.y + a->size.height - 1,
                                                     a->size.width, 1), &colors.frame);
      for (guint t = 0; t < geom->ticks->len; t++)
        imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (floor (g_array_index (geom->ticks, ImuPlotTick, t).x),
                                                       a->origin.y + 1, 1, a->size.height - 2), &colors.grid);
      {
        /* Ticks run upwards; in a short lane a label that would overlap
         * the one below it is left out (its grid line stays). */
        double below = INFINITY;

        for (guint t = 0; t < lg->n_yticks; t++)
          {
            int w, h;
            double ly;

            imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (a->origin.x, floor (lg->ytick_y[t]), a->size.width, 1),
                                   &colors.grid);
            pango_layout_get_pixel_size (lg->ytick_label[t], &w, &h);
            ly = CLAMP (lg->ytick_y[t] - h / 2.0, a->origin.y - 2, a->origin.y + a->size.height - h + 2);
            if (ly + h - 2 > below && t + 1 < lg->n_yticks)
              continue;
            imu_plot_painter_text (p, lg->ytick_label[t], a->origin.x - 6 - w, ly, &colors.dim);
            below = ly;
          }
      }
      if (lane->unit != NULL && *lane->unit)
        {
          PangoLayout *unit = imu_plot_scene_label (scene, lane->unit);
          int w, h;

          pango_layout_get_pixel_size (unit, &w, &h);
          imu_plot_painter_text (p, unit, a->origin.x - 6 - w,
                                 lg->header.origin.y + (lg->header.size.height - h) / 2.0, &colors.foreground);
        }
      if (scene->draw_legends)
        draw_legend (scene, lane, lg, &colors, p);

      /* Data. */
      imu_plot_painter_push_clip (p, a);
      if (lg->bands)
        draw_bands (scene, lane, lg, p);
      else
        for (guint c = 0; c < lane->n_channels; c++)
          if (lg->bars[c]->len > 0)
            {
              GdkRGBA color;

              imu_plot_palette_get (scene->dark, lane->color[c], &color);
              imu_plot_painter_rects (p, lg->bars[c], &color);
            }
      draw_lines (scene, lane, lg, p);
      if (scene->compare != NULL)
        imu_plot_compare_draw_lane (scene, geom, p, i);
      imu_plot_painter_pop_clip (p);
    }

  /* The selection, over all lanes. */
  if (scene->sel1 > scene->sel0 && scene->sel1 >= geom->t0 && scene->sel0 <= geom->t1)
    {
      double xa = CLAMP (imu_plot_geometry_x_of (geom, scene->sel0), geom->x0, geom->x0 + geom->dw);
      double xb = CLAMP (imu_plot_geometry_x_of (geom, scene->sel1), geom->x0, geom->x0 + geom->dw);
      const graphene_rect_t *l = &geom->lanes;

      imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (xa, l->origin.y, MAX (xb - xa, 1), l->size.height),
                             &colors.accent_fill);
      if (scene->sel0 >= geom->t0)
        imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (floor (xa), l->origin.y, 1, l->size.height), &colors.accent);
      if (scene->sel1 <= geom->t1)
        imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (floor (xb), l->origin.y, 1, l->size.height), &colors.accent);
    }

  /* What "go to" showed: a point as a 2 px accent line on a 9 px glow
   * over the lanes (a marker's own line stays visible in it), a span
   * between two such lines on a faint accent band. */
  if (scene->mark_on && scene->mark1 >= geom->t0 && scene->mark0 <= geom->t1)
    {
      const graphene_rect_t *l = &geom->lanes;
      double xa = floor (CLAMP (imu_plot_geometry_x_of (geom, scene->mark0), geom->x0, geom->x0 + geom->dw));
      double xb = floor (CLAMP (imu_plot_geometry_x_of (geom, scene->mark1), geom->x0, geom->x0 + geom->dw));
      GdkRGBA band = colors.accent;

      if (scene->mark1 > scene->mark0)
        {
          band.alpha = 0.08;
          imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (xa, l->origin.y, MAX (xb - xa, 1), l->size.height), &band);
          if (scene->mark1 <= geom->t1)
            imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (xb - 1, l->origin.y, 2, l->size.height), &colors.accent);
        }
      else
        {
          band.alpha = 0.3;
          imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (xa - 4, l->origin.y, 9, l->size.height), &band);
        }
      if (scene->mark0 >= geom->t0)
        imu_plot_painter_rect (p, &GRAPHENE_RECT_INIT (xa - 1, l->origin.y, 2, l->size.height), &colors.accent);
    }

  draw_markers (scene, geom, &colors, p);
  draw_axis (scene, geom, &colors, p);
}

/* Export. */

typedef struct {
  GOutputStream *out;
  GCancellable  *cancellable;
  GError        *error;
} WriteClosure;

static cairo_status_t
write_cb (void *closure, const unsigned char *data, unsigned int length)
{
  WriteClosure *wc = closure;

  if (wc->error != NULL)
    return CAIRO_STATUS_WRITE_ERROR;
  if (!g_output_stream_write_all (wc->out, data, length, NULL, wc->cancellable, &wc->error))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

static gboolean
fetch_for_export (ImuPlotScene *scene, const char *path, int n_cols,
                  GCancellable *cancellable, GError **error)
{
  g_autoptr(ImuStore) store = imu_store_open (path, error);
  gint64 v0 = MAX (scene->t0, scene->s0), v1 = MIN (scene->t1, scene->s1 + 1);

  if (store == NULL)
    return FALSE;
  for (guint i = 0; i < scene->streams->len; i++)
    {
      ImuPlotStream *st = g_ptr_array_index (scene->streams, i);
      g_autoptr(ImuSeries) series = imu_series_new (store, st->info->id, error);

      if (series == NULL || g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_clear_pointer (&st->view, imu_plot_data_unref);
      g_clear_pointer (&st->overview, imu_plot_data_unref);
      if (v1 > v0)
        {
          /* Buckets for the columns of the visible part only. */
          guint n = (guint) MAX (1, llround ((double) n_cols * (double) (v1 - v0)
                                             / (double) (scene->t1 - scene->t0)));

          if (!(st->view = imu_plot_data_fetch (series, v0, v1, n, error)))
            return FALSE;
        }
      if (!(st->overview = imu_plot_data_fetch (series, scene->s0, scene->s1 + 1,
                                                IMU_PLOT_OVERVIEW_BUCKETS, error)))
        return FALSE;
    }
  return TRUE;
}

/**
 * imu_plot_export_scene:
 *
 * Reads the data @scene needs at @width, on a connection of its own, and
 * draws it into @file. Blocking; any thread (uses a font map of its own).
 */
gboolean
imu_plot_export_scene (ImuPlotScene *scene, const char *path, GFile *file,
                       ImuPlotExportFormat format, int width, int height,
                       GCancellable *cancellable, GError **error)
{
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(ImuPlotGeometry) geom = NULL;
  g_autofree char *name = g_file_get_parse_name (file);
  cairo_surface_t *surface = NULL;
  ImuPlotPainter painter = { 0 };
  WriteClosure wc = { 0 };
  cairo_t *cr;
  cairo_status_t status;

  if (width < 16 || height < 16 || width > 16384 || height > 16384)
    {
      g_set_error (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_INVALID_SIZE,
                   _("Cannot export a picture of %d × %d: width and height must be 16 to 16384."),
                   width, height);
      return FALSE;
    }
  scene->width = width;
  scene->height = height - (scene->title != NULL ? IMU_PLOT_EXPORT_TITLE_HEIGHT : 0);
  scene->draw_legends = TRUE;
  if (scene->height < 16)
    {
      g_set_error (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_INVALID_SIZE,
                   _("Cannot export a picture of %d × %d: it leaves no room for the plot under its title."),
                   width, height);
      return FALSE;
    }
  if (!fetch_for_export (scene, path, MAX (1, width - IMU_PLOT_MARGIN_LEFT - IMU_PLOT_MARGIN_RIGHT),
                         cancellable, error))
    return FALSE;

  if (!(out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, &wc.error)))
    {
      if (g_error_matches (wc.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, wc.error);
      else
        {
          g_set_error (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_WRITE,
                       _("Cannot write “%s”: %s"), name, wc.error->message);
          g_error_free (wc.error);
        }
      return FALSE;
    }
  wc.out = G_OUTPUT_STREAM (out);
  wc.cancellable = cancellable;

  switch (format)
    {
    case IMU_PLOT_EXPORT_PNG:
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
      break;
    case IMU_PLOT_EXPORT_SVG:
      surface = cairo_svg_surface_create_for_stream (write_cb, &wc, width, height);
      break;
    case IMU_PLOT_EXPORT_PDF:
      surface = cairo_pdf_surface_create_for_stream (write_cb, &wc, width, height);
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  /* A font map of this thread; the labels keep the widget's font
   * (scene->label_font, copied from the screen). */
  cr = cairo_create (surface);
  g_hash_table_remove_all (scene->labels);
  g_clear_object (&scene->pango);
  scene->pango = pango_cairo_create_context (cr);

  painter.cr = cr;
  if (scene->title != NULL)
    {
      /* The title line: what the figure shows, then the plot under it. */
      ImuPlotColors colors;
      PangoLayout *title = pango_layout_new (scene->pango);
      g_autoptr(PangoFontDescription) font = pango_font_description_copy (scene->label_font);
      int tw, th;

      imu_plot_colors_get (scene->dark, &colors);
      imu_plot_painter_rect (&painter, &GRAPHENE_RECT_INIT (0, 0, width, height), &colors.background);
      pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      pango_layout_set_font_description (title, font);
      pango_layout_set_text (title, scene->title, -1);
      pango_layout_set_width (title, (width - 2 * 12) * PANGO_SCALE);
      pango_layout_set_ellipsize (title, PANGO_ELLIPSIZE_END);
      pango_layout_get_pixel_size (title, &tw, &th);
      imu_plot_painter_text (&painter, title, 12, (IMU_PLOT_EXPORT_TITLE_HEIGHT - th) / 2.0 + 2, &colors.foreground);
      g_object_unref (title);
      cairo_translate (cr, 0, IMU_PLOT_EXPORT_TITLE_HEIGHT);
    }
  geom = imu_plot_geometry_new (scene);
  imu_plot_render (scene, geom, &painter, IMU_PLOT_RENDER_BACKGROUND | IMU_PLOT_RENDER_OVERVIEW);
  cairo_destroy (cr);
  /* Layouts hold the context of this surface: drop them before it goes. */
  g_hash_table_remove_all (scene->labels);
  g_clear_object (&scene->pango);

  if (format == IMU_PLOT_EXPORT_PNG)
    status = cairo_surface_write_to_png_stream (surface, write_cb, &wc);
  else
    {
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);

  if (wc.error == NULL && status != CAIRO_STATUS_SUCCESS)
    g_set_error (&wc.error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_WRITE, "%s", cairo_status_to_string (status));
  if (wc.error == NULL)
    g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &wc.error);
  if (wc.error != NULL)
    {
      if (!g_error_matches (wc.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_set_error (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_WRITE,
                       _("Cannot write “%s”: %s"), name, wc.error->message);
          g_clear_error (&wc.error);
        }
      else
        g_propagate_error (error, g_steal_pointer (&wc.error));
      return FALSE;
    }
  return TRUE;
}

/* Readout. */

char *
imu_plot_readout_value (ImuPlotScene          *scene,
                        const ImuPlotGeometry *geom,
                        guint                  lane_index,
                        guint                  c,
                        double                 x)
{
  const ImuPlotLane *lane = g_ptr_array_index (scene->lanes, lane_index);
  const ImuPlotLaneGeom *lg = g_ptr_array_index (geom->lane_geoms, lane_index);
  const ImuPlotStream *st = g_ptr_array_index (scene->streams, lane->stream);
  const ImuPlotData *fallback;
  const ImuPlotData *d = imu_plot_stream_pick (st, geom->t0, geom->t1, geom->n_cols, &fallback);
  /* A digit finer than the tick labels' by a thousand. */
  int decimals = MIN (lg->decimals + 3, 6);
  gint64 t = imu_plot_geometry_t_of (geom, x);
  int k = (int) floor (x - geom->x0);
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (!lane->visible[c])
    return NULL;
  if (d != NULL && d->env == NULL && d->n > 0 && t >= d->r0 && t < d->r1)
    {
      /* Zoomed in: the sample nearest in time. */
      gint64 i = lower_bound (d, t);
      guint sc = lane->channels[c];

      if (i >= d->n || (i > 0 && t - d->t[i - 1] < d->t[i] - t))
        i--;
      if (sc >= d->n_channels)
        return NULL;
      return imu_plot_axis_format_value (d->cols[sc][i] * lane->scale[c], decimals);
    }
  if (k < 0 || k >= geom->n_cols || isnan (lg->col_min[c][k]))
    return NULL;
  a = imu_plot_axis_format_value (lg->col_min[c][k], decimals);
  b = imu_plot_axis_format_value (lg->col_max[c][k], decimals);
  if (g_str_equal (a, b))
    return g_steal_pointer (&a);
  /* Translators: the range of values in one pixel column of the plot */
  return g_strdup_printf (_("%s – %s"), a, b);
}
