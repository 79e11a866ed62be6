/* imu-intensity-chart.h — the intensity class of every epoch as coloured columns
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* The classes of docs/profile.md, "Movement"; NONE is an epoch without samples. */
typedef enum {
  IMU_INTENSITY_NONE,
  IMU_INTENSITY_SEDENTARY,
  IMU_INTENSITY_LIGHT,
  IMU_INTENSITY_MODERATE,
  IMU_INTENSITY_VIGOROUS,
  IMU_INTENSITY_NONWEAR,
  IMU_N_INTENSITIES
} ImuIntensity;

#define IMU_TYPE_INTENSITY_CHART (imu_intensity_chart_get_type ())
G_DECLARE_FINAL_TYPE (ImuIntensityChart, imu_intensity_chart, IMU, INTENSITY_CHART, GtkWidget)

GtkWidget    *imu_intensity_chart_new          (void);
/* Shows @n epochs of @epoch_s seconds from @t0_ns (copied); @n = 0 clears. */
void          imu_intensity_chart_set_epochs   (ImuIntensityChart *self,
                                                gint64             t0_ns,
                                                double             epoch_s,
                                                const guint8      *classes,
                                                guint              n);
guint         imu_intensity_chart_get_n_epochs (ImuIntensityChart *self);
/* From profile.json's "intensity" strings; NULL or unknown: NONE. */
ImuIntensity  imu_intensity_from_string        (const char        *name);
/* The class's colour and translated name (for legends). */
void          imu_intensity_get_color          (ImuIntensity       intensity,
                                                GdkRGBA           *color);
const char   *imu_intensity_get_label          (ImuIntensity       intensity);

G_END_DECLS
