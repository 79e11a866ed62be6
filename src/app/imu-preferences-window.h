/* imu-preferences-window.h — units, time axis, style, and the library's storage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-store-ops.h"

G_BEGIN_DECLS

#define IMU_TYPE_PREFERENCES_WINDOW (imu_preferences_window_get_type ())
G_DECLARE_FINAL_TYPE (ImuPreferencesWindow, imu_preferences_window, IMU, PREFERENCES_WINDOW, AdwPreferencesWindow)

GtkWidget *imu_preferences_window_new (GtkWindow *parent);

/* The Storage page (shown when the parent window has a library open). */
/* A worker is reading the stats or compacting. */
gboolean   imu_preferences_window_get_storage_busy (ImuPreferencesWindow *self);
/* The stats the Storage page shows (NULL before the first read). */
const ImuStoreStats *imu_preferences_window_get_stats (ImuPreferencesWindow *self);
/* Why compacting is refused now (NULL when it is not). */
const char *imu_preferences_window_get_compact_refusal (ImuPreferencesWindow *self);
/* As the Compact button does; does not block. */
void       imu_preferences_window_compact (ImuPreferencesWindow *self);

G_END_DECLS
