/* imu-intensity-chart.c — the intensity class of every epoch as coloured columns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-intensity-chart"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "imu-format.h"
#include "imu-intensity-chart.h"
#include "imu-plot.h"

#define AXIS_HEIGHT 18
#define MIN_HEIGHT  96
#define MIN_WIDTH   160
/* Wide enough between two time labels that they never touch. */
#define LABEL_SPACING 110

struct _ImuIntensityChart
{
  GtkWidget  parent_instance;

  gint64     t0_ns;
  double     epoch_s;
  guint8    *classes;
  guint      n;
};

G_DEFINE_FINAL_TYPE (ImuIntensityChart, imu_intensity_chart, GTK_TYPE_WIDGET)

/* Heights of the classes as fractions of the chart: taller is more intense,
 * so that the chart reads without the colours too. Non-wear fills the
 * column in grey to show the whole period as missing. */
static const double class_height[IMU_N_INTENSITIES] = { 0, 0.25, 0.5, 0.75, 1.0, 1.0 };

/* Which class a pixel column covering several epochs shows: any worn
 * class before non-wear, the most intense first. */
static const guint8 class_rank[IMU_N_INTENSITIES] = { 0, 2, 3, 4, 5, 1 };

/* The report's colours (imu-profile-report.c uses the same families). */
static const char *class_color[IMU_N_INTENSITIES] = {
  "#00000000", "#62a0ea", "#57e389", "#f5c211", "#e01b24", "#c0bfbc",
};

ImuIntensity
imu_intensity_from_string (const char *name)
{
  if (name == NULL)
    return IMU_INTENSITY_NONE;
  if (g_str_equal (name, "sedentary"))
    return IMU_INTENSITY_SEDENTARY;
  if (g_str_equal (name, "light"))
    return IMU_INTENSITY_LIGHT;
  if (g_str_equal (name, "moderate"))
    return IMU_INTENSITY_MODERATE;
  if (g_str_equal (name, "vigorous"))
    return IMU_INTENSITY_VIGOROUS;
  if (g_str_equal (name, "nonwear"))
    return IMU_INTENSITY_NONWEAR;
  return IMU_INTENSITY_NONE;
}

void
imu_intensity_get_color (ImuIntensity  intensity,
                         GdkRGBA      *color)
{
  g_return_if_fail (intensity < IMU_N_INTENSITIES);
  gdk_rgba_parse (color, class_color[intensity]);
}

const char *
imu_intensity_get_label (ImuIntensity intensity)
{
  switch (intensity)
    {
    case IMU_INTENSITY_SEDENTARY: return _("Sedentary");
    case IMU_INTENSITY_LIGHT:     return _("Light");
    case IMU_INTENSITY_MODERATE:  return _("Moderate");
    case IMU_INTENSITY_VIGOROUS:  return _("Vigorous");
    case IMU_INTENSITY_NONWEAR:   return _("Non-wear");
    case IMU_INTENSITY_NONE:
    case IMU_N_INTENSITIES:
    default:                      return _("No data");
    }
}

static void
imu_intensity_chart_measure (GtkWidget      *widget,
                             GtkOrientation  orientation,
                             int             for_size,
                             int            *minimum,
                             int            *natural,
                             int            *minimum_baseline,
                             int            *natural_baseline)
{
  *minimum = *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? MIN_WIDTH : MIN_HEIGHT + AXIS_HEIGHT;
  if (orientation == GTK_ORIENTATION_VERTICAL)
    *natural = 2 * MIN_HEIGHT + AXIS_HEIGHT;
}

static void
imu_intensity_chart_snapshot (GtkWidget   *widget,
                              GtkSnapshot *snapshot)
{
  ImuIntensityChart *self = IMU_INTENSITY_CHART (widget);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget) - AXIS_HEIGHT;
  GdkRGBA fg, base, colors[IMU_N_INTENSITIES];
  double duration_s;
  gint64 duration_ns, step_ns;
  guint n_labels;

  if (width <= 0 || height <= 0)
    return;

  /* GTK 4.8 has no gtk_widget_get_color() yet. */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &fg);
  base = fg;
  base.alpha = 0.25;
  gtk_snapshot_append_color (snapshot, &base, &GRAPHENE_RECT_INIT (0, height, width, 1));
  if (self->n == 0)
    return;

  for (guint c = 0; c < IMU_N_INTENSITIES; c++)
    imu_intensity_get_color (c, &colors[c]);

  /* One column per pixel when there are more epochs than pixels, showing
   * the most intense class of the epochs it covers (a short vigorous bout
   * must not vanish at low zoom); otherwise one column per epoch. */
  if (self->n > (guint) width)
    {
      for (int x = 0; x < width; x++)
        {
          guint i0 = (guint) ((guint64) x * self->n / width);
          guint i1 = (guint) ((guint64) (x + 1) * self->n / width);
          guint8 best = IMU_INTENSITY_NONE;
          double h;

          for (guint i = i0; i < MAX (i1, i0 + 1) && i < self->n; i++)
            if (self->classes[i] < IMU_N_INTENSITIES && class_rank[self->classes[i]] > class_rank[best])
              best = self->classes[i];
          if (best == IMU_INTENSITY_NONE)
            continue;
          h = class_height[best] * height;
          gtk_snapshot_append_color (snapshot, &colors[best], &GRAPHENE_RECT_INIT (x, height - h, 1, h));
        }
    }
  else
    {
      double w = (double) width / self->n;

      for (guint i = 0; i < self->n; i++)
        {
          guint8 c = self->classes[i];
          double h;

          if (c == IMU_INTENSITY_NONE || c >= IMU_N_INTENSITIES)
            continue;
          h = class_height[c] * height;
          /* A hairline between wide columns keeps single epochs countable. */
          gtk_snapshot_append_color (snapshot, &colors[c],
                                     &GRAPHENE_RECT_INIT (i * w, height - h, MAX (w - (w >= 4 ? 1 : 0), 1), h));
        }
    }

  /* Time axis: elapsed time from the first epoch, at ticks a clock-friendly
   * step apart (0:00, 0:30, 1:00 …), as on the plot's axis. */
  duration_s = self->epoch_s * self->n;
  duration_ns = (gint64) (duration_s * 1e9);
  step_ns = imu_plot_nice_time_step (duration_ns, width, LABEL_SPACING);
  n_labels = (guint) MIN (duration_ns / MAX (step_ns, 1), 1000);
  for (guint k = 0; k <= n_labels; k++)
    {
      gint64 t_ns = (gint64) k * step_ns;
      double x = duration_ns > 0 ? (double) t_ns / (double) duration_ns * (width - 1) : 0;
      g_autofree char *text = imu_format_duration (t_ns);
      g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (widget, text);
      int lw, lh;

      pango_layout_get_pixel_size (layout, &lw, &lh);
      gtk_snapshot_append_color (snapshot, &base, &GRAPHENE_RECT_INIT (x, height, 1, 4));
      gtk_snapshot_save (snapshot);
      gtk_snapshot_translate (snapshot,
                              &GRAPHENE_POINT_INIT (CLAMP (x - lw / 2.0, 0, MAX (0, width - lw)), height + 3));
      gtk_snapshot_append_layout (snapshot, layout, &fg);
      gtk_snapshot_restore (snapshot);
    }
}

static void
imu_intensity_chart_finalize (GObject *object)
{
  ImuIntensityChart *self = IMU_INTENSITY_CHART (object);

  g_free (self->classes);
  G_OBJECT_CLASS (imu_intensity_chart_parent_class)->finalize (object);
}

static void
imu_intensity_chart_class_init (ImuIntensityChartClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = imu_intensity_chart_finalize;
  widget_class->measure = imu_intensity_chart_measure;
  widget_class->snapshot = imu_intensity_chart_snapshot;
  gtk_widget_class_set_css_name (widget_class, "intensitychart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
imu_intensity_chart_init (ImuIntensityChart *self)
{
  self->epoch_s = 5;
  gtk_widget_add_css_class (GTK_WIDGET (self), "caption");
}

GtkWidget *
imu_intensity_chart_new (void)
{
  return g_object_new (IMU_TYPE_INTENSITY_CHART, NULL);
}

/**
 * imu_intensity_chart_set_epochs:
 *
 * Replaces the shown epochs and redraws. Does not block.
 */
void
imu_intensity_chart_set_epochs (ImuIntensityChart *self,
                                gint64             t0_ns,
                                double             epoch_s,
                                const guint8      *classes,
                                guint              n)
{
  g_return_if_fail (IMU_IS_INTENSITY_CHART (self));
  g_return_if_fail (n == 0 || classes != NULL);

  g_clear_pointer (&self->classes, g_free);
  self->t0_ns = t0_ns;
  self->epoch_s = epoch_s > 0 ? epoch_s : 5;
  self->n = n;
  if (n > 0)
    self->classes = g_memdup2 (classes, n);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
imu_intensity_chart_get_n_epochs (ImuIntensityChart *self)
{
  g_return_val_if_fail (IMU_IS_INTENSITY_CHART (self), 0);
  return self->n;
}
