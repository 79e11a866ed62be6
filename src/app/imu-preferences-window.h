/* imu-preferences-window.h — units, time axis and style
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define IMU_TYPE_PREFERENCES_WINDOW (imu_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ImuPreferencesWindow, imu_preferences_window, IMU, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *imu_preferences_window_new (GtkWindow *parent);

G_END_DECLS
