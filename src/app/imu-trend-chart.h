/* imu-trend-chart.h — one number per session against the session's date
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The layout: the plot area is the widget less these margins (the left
 * one holds the value labels, the top one the axis title, the bottom one
 * the date labels). A point's x is linear in its time between the first
 * and the last session (a single session sits in the middle); its y is
 * linear in its value between 0 (the bottom; the key numbers are never
 * negative, and a negative value is drawn at 0) and the top of the value
 * axis: the smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at
 * least the largest value (1 when every value is 0). */
#define IMU_TREND_CHART_MARGIN_LEFT   56
#define IMU_TREND_CHART_MARGIN_RIGHT  24
#define IMU_TREND_CHART_MARGIN_TOP    28
#define IMU_TREND_CHART_MARGIN_BOTTOM 28
/* Value ticks: the axis range in this many steps. */
#define IMU_TREND_CHART_N_STEPS       4

#define IMU_TYPE_TREND_CHART (imu_trend_chart_get_type ())
G_DECLARE_FINAL_TYPE (ImuTrendChart, imu_trend_chart, IMU, TREND_CHART, GtkWidget)

GtkWidget *imu_trend_chart_new        (void);
/**
 * imu_trend_chart_set_points:
 * @title: the value axis' title with its unit ("Mean ENMO (mg)")
 * @color: the points' and line's colour
 * @t_ns: (array length=n): each session's start, in increasing order
 * @values: (array length=n): its number; NaN: none (no point drawn)
 *
 * Replaces what the chart shows (the arrays are copied) and redraws. Does
 * not block.
 */
void       imu_trend_chart_set_points (ImuTrendChart *self,
                                       const char    *title,
                                       const GdkRGBA *color,
                                       const gint64  *t_ns,
                                       const double  *values,
                                       guint          n);
guint      imu_trend_chart_get_n_points (ImuTrendChart *self);
const char *imu_trend_chart_get_title   (ImuTrendChart *self);
/* The top of the value axis (see above). */
double     imu_trend_chart_get_y_max    (ImuTrendChart *self);
/* Where point @index is drawn at the widget's current size, in widget
 * coordinates; FALSE when it has no value or the chart no size. */
gboolean   imu_trend_chart_get_point    (ImuTrendChart *self,
                                         guint          index,
                                         double        *x,
                                         double        *y);

G_END_DECLS
