/* imu-plot-axis.c — ticks and labels of the time axis and the y axes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "imu-plot"

#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <glib/gi18n.h>

#include "imu-plot-private.h"

#define MS   G_GINT64_CONSTANT (1000000)
#define SEC  (1000 * MS)
#define MINUTE (60 * SEC)
#define HOUR (60 * MINUTE)
#define DAY  (24 * HOUR)

/* Steps people read easily on a clock, finest first. */
static const gint64 time_steps[] = {
  1 * MS, 2 * MS, 5 * MS, 10 * MS, 20 * MS, 50 * MS, 100 * MS, 200 * MS, 500 * MS,
  1 * SEC, 2 * SEC, 5 * SEC, 10 * SEC, 15 * SEC, 30 * SEC,
  1 * MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE,
  1 * HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR,
  1 * DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY,
};

/* Room between two labels, in pixels. */
#define LABEL_GAP 24

/**
 * imu_plot_nice_time_step:
 * @span_ns: the time the axis spans
 * @width_px: its width
 * @min_px: the least room a tick needs
 *
 * Returns: the finest clock-friendly step (1, 2, 5 … ms, 1, 2, 5, 10, 15,
 *   30 s, 1, 2, 5 … min, hours, days) whose ticks are at least @min_px
 *   apart on the axis; the plot's time axis and the intensity chart share it.
 */
gint64
imu_plot_nice_time_step (gint64 span_ns,
                         double width_px,
                         double min_px)
{
  for (guint i = 0; i < G_N_ELEMENTS (time_steps); i++)
    if (span_ns <= 0 || (double) time_steps[i] / (double) span_ns * width_px >= min_px)
      return time_steps[i];
  return time_steps[G_N_ELEMENTS (time_steps) - 1];
}

static gint64
floor_div (gint64 a, gint64 b)
{
  gint64 q = a / b;

  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int
step_decimals (gint64 resolution_ns)
{
  if (resolution_ns >= SEC)
    return 0;
  if (resolution_ns % (100 * MS) == 0)
    return 1;
  if (resolution_ns % (10 * MS) == 0)
    return 2;
  return 3;
}

static char *
format_date (gint64 local_ns, const char *format)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (floor_div (local_ns, SEC));

  return dt != NULL ? g_date_time_format (dt, format) : g_strdup ("?");
}

/* h:mm:ss[.fff] of a time of day or a duration, in ns ≥ 0. */
static char *
format_hms (gint64 ns, int decimals, gboolean pad_hours)
{
  gint64 s = ns / SEC;
  gint64 frac = ns % SEC;
  char buf[16] = "";

  if (decimals > 0)
    {
      gint64 div = decimals == 1 ? 100 * MS : decimals == 2 ? 10 * MS : MS;

      g_snprintf (buf, sizeof buf, ".%0*" PRId64, decimals, frac / div);
    }
  if (pad_hours)
    return g_strdup_printf ("%02" PRId64 ":%02d:%02d%s",
                            s / 3600, (int) (s / 60 % 60), (int) (s % 60), buf);
  return g_strdup_printf ("%" PRId64 ":%02d:%02d%s",
                          s / 3600, (int) (s / 60 % 60), (int) (s % 60), buf);
}

/**
 * imu_plot_axis_format_time:
 * @resolution_ns: the step the label must tell apart (decides the digits)
 *
 * A time as the axis shows it: the wall clock in the recording's timezone,
 * or the time since the start of the session ("+0:05:00").
 */
char *
imu_plot_axis_format_time (const ImuPlotScene *scene, gint64 t_ns, gint64 resolution_ns)
{
  int decimals = step_decimals (resolution_ns);

  if (scene->time_axis == IMU_PLOT_TIME_ELAPSED)
    {
      gint64 e = t_ns - scene->s0;
      gint64 days;
      g_autofree char *hms = NULL;
      const char *sign = e < 0 ? "−" : "+";

      e = ABS (e);
      days = e / DAY;
      hms = format_hms (e % DAY, decimals, days > 0);
      if (days > 0)
        /* Translators: elapsed time of more than a day: "+2 d 03:00:00" */
        return g_strdup_printf (_("%s%" PRId64 " d %s"), sign, days, hms);
      return g_strdup_printf ("%s%s", sign, hms);
    }
  else
    {
      gint64 local = t_ns + (gint64) scene->tz_offset_s * SEC;
      gint64 in_day = local - floor_div (local, DAY) * DAY;

      return format_hms (in_day, decimals, TRUE);
    }
}

/* The label of a tick at @t for ticks @step apart. */
static char *
tick_label (const ImuPlotScene *scene, gint64 t, gint64 step)
{
  if (scene->time_axis == IMU_PLOT_TIME_ELAPSED)
    {
      gint64 e = t - scene->s0;

      if (step >= DAY && e % DAY == 0)
        /* Translators: elapsed days on the time axis */
        return g_strdup_printf (_("+%" PRId64 " d"), e / DAY);
      return imu_plot_axis_format_time (scene, t, step);
    }
  else
    {
      gint64 local = t + (gint64) scene->tz_offset_s * SEC;
      gint64 in_day = local - floor_div (local, DAY) * DAY;

      /* Midnight says which day begins; other ticks say the time. */
      if (step >= DAY || in_day == 0)
        /* Translators: a day on the time axis, strftime format: "12 Mar" */
        return format_date (local, _("%e %b"));
      if (step >= MINUTE)
        {
          gint64 m = in_day / MINUTE;

          return g_strdup_printf ("%02d:%02d", (int) (m / 60), (int) (m % 60));
        }
      return format_hms (in_day, step_decimals (step), TRUE);
    }
}

/* The widest label ticks @step apart can have, in pixels. */
static double
label_width (ImuPlotScene *scene, gint64 step)
{
  const char *sample;
  int w = 0;

  if (step >= DAY)
    sample = scene->time_axis == IMU_PLOT_TIME_ELAPSED ? "+00 d" : "00 Mmm";
  else if (step >= MINUTE)
    sample = scene->time_axis == IMU_PLOT_TIME_ELAPSED ? "+0 d 00:00:00" : "00 Mmm";
  else if (step >= SEC)
    sample = scene->time_axis == IMU_PLOT_TIME_ELAPSED ? "+0 d 00:00:00" : "00:00:00";
  else if (step_decimals (step) == 1)
    sample = "+00:00:00.0";
  else if (step_decimals (step) == 2)
    sample = "+00:00:00.00";
  else
    sample = "+00:00:00.000";
  pango_layout_get_pixel_size (imu_plot_scene_label (scene, sample), &w, NULL);
  return w;
}

/**
 * imu_plot_axis_build:
 *
 * Chooses the finest clock-friendly step whose labels do not overlap at
 * the geometry's scale, and lays out the ticks of the visible window
 * (aligned to the step in the recording's local time, or to the session
 * start for elapsed time).
 */
void
imu_plot_axis_build (ImuPlotScene *scene, ImuPlotGeometry *geom)
{
  gint64 span = geom->t1 - geom->t0;
  gint64 step = time_steps[G_N_ELEMENTS (time_steps) - 1];
  gint64 origin, first;
  g_autofree char *context = NULL;

  g_array_set_size (geom->ticks, 0);
  geom->axis_context = NULL;
  if (span <= 0 || geom->dw <= 1)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (time_steps); i++)
    {
      double px = (double) time_steps[i] / (double) span * geom->dw;

      if (px >= label_width (scene, time_steps[i]) + LABEL_GAP)
        {
          step = time_steps[i];
          break;
        }
    }

  if (scene->time_axis == IMU_PLOT_TIME_ELAPSED)
    origin = scene->s0;
  else
    origin = -(gint64) scene->tz_offset_s * SEC;
  first = origin + (floor_div (geom->t0 - origin - 1, step) + 1) * step;

  for (gint64 t = first; t <= geom->t1 && geom->ticks->len < IMU_PLOT_MAX_TICKS; t += step)
    {
      g_autofree char *text = tick_label (scene, t, step);
      ImuPlotTick tick = {
        .x = imu_plot_geometry_x_of (geom, t),
        .label = imu_plot_scene_label (scene, text),
      };

      g_array_append_val (geom->ticks, tick);
    }

  if (scene->time_axis == IMU_PLOT_TIME_ELAPSED)
    context = g_strdup (C_("time axis", "elapsed"));
  else
    context = format_date (geom->t0 + (gint64) scene->tz_offset_s * SEC, "%Y-%m-%d");
  geom->axis_context = imu_plot_scene_label (scene, context);
}

/**
 * imu_plot_axis_nice_step:
 * @decimals: (out): digits after the point that labels at this step need
 *
 * Returns: the smallest of 1, 2, 2.5, 5 × 10^k that is ≥ @min_step
 */
double
imu_plot_axis_nice_step (double min_step, int *decimals)
{
  double mag, step;
  int k;

  if (!(min_step > 0) || !isfinite (min_step))
    min_step = 1;
  k = (int) floor (log10 (min_step));
  mag = pow (10, k);
  if (mag >= min_step * (1 - 1e-9))
    step = mag;
  else if (2 * mag >= min_step * (1 - 1e-9))
    step = 2 * mag;
  else if (2.5 * mag >= min_step * (1 - 1e-9))
    {
      *decimals = MAX (0, 1 - k);
      return 2.5 * mag;
    }
  else if (5 * mag >= min_step * (1 - 1e-9))
    step = 5 * mag;
  else
    {
      step = 10 * mag;
      k++;
    }
  *decimals = MAX (0, -k);
  return step;
}

/* A value with @decimals digits, with a real minus sign and no "−0". */
char *
imu_plot_axis_format_value (double value, int decimals)
{
  g_autofree char *text = NULL;

  if (!isfinite (value))
    return g_strdup ("—");
  decimals = CLAMP (decimals, 0, 9);
  text = g_strdup_printf ("%.*f", decimals, fabs (value));
  /* Rounded to zero: no sign. */
  if (value < 0 && strspn (text, "0.") != strlen (text))
    return g_strconcat ("−", text, NULL);
  return g_steal_pointer (&text);
}
