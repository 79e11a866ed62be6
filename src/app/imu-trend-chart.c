/* imu-trend-chart.c — one number per session against the session's date
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-trend-chart"

#include <math.h>

#include <glib/gi18n.h>

#include "imu-trend-chart.h"

#define MIN_WIDTH      240
#define MIN_HEIGHT     160
#define NATURAL_HEIGHT 220
#define POINT_RADIUS   4.5
/* Between two date labels, so that they never touch. */
#define LABEL_GAP      10

struct _ImuTrendChart
{
  GtkWidget  parent_instance;

  char      *title;
  GdkRGBA    color;
  gint64    *t_ns;
  double    *values;
  guint      n;
  double     y_max;
};

G_DEFINE_FINAL_TYPE (ImuTrendChart, imu_trend_chart, GTK_TYPE_WIDGET)

/* The smallest of 1, 2, 2.5, 5 or 10 × 10^k that is at least @v. */
static double
nice_ceiling (double v)
{
  static const double steps[] = { 1, 2, 2.5, 5, 10 };
  double p;

  if (!(v > 0) || !isfinite (v))
    return 1;
  p = pow (10, floor (log10 (v)));
  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    /* A hair of tolerance: 200 must not become 250 through rounding. */
    if (steps[i] * p >= v * (1 - 1e-12))
      return steps[i] * p;
  return 10 * p;
}

static gboolean
point_at (ImuTrendChart *self,
          guint          i,
          int            width,
          int            height,
          double        *x,
          double        *y)
{
  double plot_w = width - IMU_TREND_CHART_MARGIN_LEFT - IMU_TREND_CHART_MARGIN_RIGHT;
  double plot_h = height - IMU_TREND_CHART_MARGIN_TOP - IMU_TREND_CHART_MARGIN_BOTTOM;
  gint64 t0, t1;

  if (i >= self->n || isnan (self->values[i]) || plot_w <= 0 || plot_h <= 0)
    return FALSE;
  t0 = self->t_ns[0];
  t1 = self->t_ns[self->n - 1];
  if (t1 > t0)
    *x = IMU_TREND_CHART_MARGIN_LEFT + (double) (self->t_ns[i] - t0) / (double) (t1 - t0) * plot_w;
  else
    *x = IMU_TREND_CHART_MARGIN_LEFT + plot_w / 2;
  *y = IMU_TREND_CHART_MARGIN_TOP + (1 - CLAMP (self->values[i], 0, self->y_max) / self->y_max) * plot_h;
  return TRUE;
}

static char *
format_date (gint64   t_ns,
             gboolean with_year)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (t_ns / G_GINT64_CONSTANT (1000000000));

  if (dt == NULL)
    return g_strdup ("?");
  /* Translators: a session's date under the trend chart, in the format of
   * g_date_time_format(): "12 Mar" and, when the sessions span more than a
   * year, "12 Mar 2024" */
  return g_date_time_format (dt, with_year ? _("%-d %b %Y") : _("%-d %b"));
}

static void
draw_text (GtkWidget   *widget,
           GtkSnapshot *snapshot,
           const char  *text,
           double       x,
           double       y,
           double       xalign,
           double       yalign,
           const GdkRGBA *color,
           int         *out_width)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
  int lw, lh;

  pango_layout_get_pixel_size (layout, &lw, &lh);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x - xalign * lw), round (y - yalign * lh)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
  if (out_width != NULL)
    *out_width = lw;
}

static void
imu_trend_chart_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = *natural = MIN_WIDTH;
  else
    {
      *minimum = MIN_HEIGHT;
      *natural = NATURAL_HEIGHT;
    }
}

static void
imu_trend_chart_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  ImuTrendChart *self = IMU_TREND_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  double plot_w = width - IMU_TREND_CHART_MARGIN_LEFT - IMU_TREND_CHART_MARGIN_RIGHT;
  double plot_h = height - IMU_TREND_CHART_MARGIN_TOP - IMU_TREND_CHART_MARGIN_BOTTOM;
  double bottom = IMU_TREND_CHART_MARGIN_TOP + plot_h;
  GdkRGBA fg, grid, axis, dim;
  gboolean with_year;
  double last_label_end = -G_MAXDOUBLE;
  guint n_drawn = 0;
  cairo_t *cr;

  if (plot_w <= 0 || plot_h <= 0)
    return;

  /* GTK 4.8 has no gtk_widget_get_color() yet. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  grid = axis = dim = fg;
  grid.alpha = 0.12;
  axis.alpha = 0.4;
  dim.alpha = 0.7;

  /* The value axis: its title above, a grid line and a label per step. */
  if (self->title != NULL)
    draw_text (widget, snapshot, self->title, 0, IMU_TREND_CHART_MARGIN_TOP / 2.0 - 2, 0, 0.5, &fg, NULL);
  for (guint k = 0; k <= IMU_TREND_CHART_N_STEPS; k++)
    {
      double value = self->y_max * k / IMU_TREND_CHART_N_STEPS;
      double y = round (bottom - plot_h * k / IMU_TREND_CHART_N_STEPS);
      g_autofree char *text = g_strdup_printf ("%.4g", value);

      gtk_snapshot_append_color (snapshot, k == 0 ? &axis : &grid,
                                 &GRAPHENE_RECT_INIT (IMU_TREND_CHART_MARGIN_LEFT, y, plot_w, 1));
      draw_text (widget, snapshot, text, IMU_TREND_CHART_MARGIN_LEFT - 6, y, 1, 0.5, &dim, NULL);
    }
  gtk_snapshot_append_color (snapshot, &axis,
                             &GRAPHENE_RECT_INIT (IMU_TREND_CHART_MARGIN_LEFT, IMU_TREND_CHART_MARGIN_TOP, 1, plot_h));

  if (self->n == 0)
    return;

  /* The date axis: a tick and a date under each session, leaving out a
   * date that would touch the one before it. */
  with_year = self->t_ns[self->n - 1] - self->t_ns[0] > G_GINT64_CONSTANT (365) * 86400 * 1000000000;
  for (guint i = 0; i < self->n; i++)
    {
      g_autofree char *text = format_date (self->t_ns[i], with_year);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
      double x = self->n > 1 && self->t_ns[self->n - 1] > self->t_ns[0]
                 ? IMU_TREND_CHART_MARGIN_LEFT + (double) (self->t_ns[i] - self->t_ns[0])
                                                 / (double) (self->t_ns[self->n - 1] - self->t_ns[0]) * plot_w
                 : IMU_TREND_CHART_MARGIN_LEFT + plot_w / 2;
      int lw, lh;
      double left;

      pango_layout_get_pixel_size (layout, &lw, &lh);
      left = CLAMP (x - lw / 2.0, 0, MAX (0, width - lw));
      gtk_snapshot_append_color (snapshot, &axis, &GRAPHENE_RECT_INIT (round (x), bottom, 1, 4));
      if (left < last_label_end + LABEL_GAP)
        continue;
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (left), bottom + 6));
      gtk_snapshot_append_layout (snapshot, layout, &dim);
      gtk_snapshot_restore (snapshot);
      last_label_end = left + lw;
    }

  /* The sessions: a line through them in date order, a dot on each. */
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_cairo_set_source_rgba (cr, &self->color);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < self->n; i++)
    {
      double x, y;

      if (!point_at (self, i, width, height, &x, &y))
        continue;
      if (n_drawn++ == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
    }
  cairo_stroke (cr);
  for (guint i = 0; i < self->n; i++)
    {
      double x, y;

      if (!point_at (self, i, width, height, &x, &y))
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, x, y, POINT_RADIUS, 0, 2 * G_PI);
    }
  cairo_fill (cr);
  cairo_destroy (cr);
}

static void
imu_trend_chart_finalize (GObject *object)
{
  ImuTrendChart *self = IMU_TREND_CHART (object);

  g_free (self->title);
  g_free (self->t_ns);
  g_free (self->values);
  G_OBJECT_CLASS (imu_trend_chart_parent_class)->finalize (object);
}

static void
imu_trend_chart_class_init (ImuTrendChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = imu_trend_chart_finalize;
  widget_class->measure = imu_trend_chart_measure;
  widget_class->snapshot = imu_trend_chart_snapshot;
  gtk_widget_class_set_css_name (widget_class, "trendchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
imu_trend_chart_init (ImuTrendChart *self)
{
  self->y_max = 1;
  gdk_rgba_parse (&self->color, "#62a0ea");
  gtk_widget_add_css_class (GTK_WIDGET (self), "caption");
}

GtkWidget *
imu_trend_chart_new (void)
{
  return g_object_new (IMU_TYPE_TREND_CHART, NULL);
}

void
imu_trend_chart_set_points (ImuTrendChart *self,
                            const char    *title,
                            const GdkRGBA *color,
                            const gint64  *t_ns,
                            const double  *values,
                            guint          n)
{
  double max = 0;

  g_return_if_fail (IMU_IS_TREND_CHART (self));
  g_return_if_fail (n == 0 || (t_ns != NULL && values != NULL));

  g_free (self->title);
  self->title = g_strdup (title);
  if (color != NULL)
    self->color = *color;
  g_clear_pointer (&self->t_ns, g_free);
  g_clear_pointer (&self->values, g_free);
  self->n = n;
  if (n > 0)
    {
      self->t_ns = g_memdup2 (t_ns, n * sizeof *t_ns);
      self->values = g_memdup2 (values, n * sizeof *values);
    }
  for (guint i = 0; i < n; i++)
    if (!isnan (values[i]) && values[i] > max)
      max = values[i];
  self->y_max = nice_ceiling (max);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title != NULL ? title : "", -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
imu_trend_chart_get_n_points (ImuTrendChart *self)
{
  g_return_val_if_fail (IMU_IS_TREND_CHART (self), 0);
  return self->n;
}

const char *
imu_trend_chart_get_title (ImuTrendChart *self)
{
  g_return_val_if_fail (IMU_IS_TREND_CHART (self), NULL);
  return self->title;
}

double
imu_trend_chart_get_y_max (ImuTrendChart *self)
{
  g_return_val_if_fail (IMU_IS_TREND_CHART (self), 1);
  return self->y_max;
}

gboolean
imu_trend_chart_get_point (ImuTrendChart *self,
                           guint          index,
                           double        *x,
                           double        *y)
{
  g_return_val_if_fail (IMU_IS_TREND_CHART (self), FALSE);
  g_return_val_if_fail (x != NULL && y != NULL, FALSE);
  return point_at (self, index, gtk_widget_get_width (GTK_WIDGET (self)),
                   gtk_widget_get_height (GTK_WIDGET (self)), x, y);
}
