/* imu-sync-page.h — Preferences → Sync: the library's sync targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-sync-controller.h"

G_BEGIN_DECLS

#define IMU_TYPE_SYNC_PAGE (imu_sync_page_get_type ())
G_DECLARE_FINAL_TYPE (ImuSyncPage, imu_sync_page, IMU, SYNC_PAGE, AdwPreferencesPage)

/* @controller: nullable; told when targets change. */
GtkWidget       *imu_sync_page_new         (const char        *library_path,
                                            ImuSyncController *controller);
/* Reads the targets and settings again (off the main thread). */
void             imu_sync_page_reload      (ImuSyncPage *self);
/* Opens the dialog that adds a target (returned, for tests). */
GtkWidget       *imu_sync_page_add_target  (ImuSyncPage *self);
/* Runs the test of @name; its report shows below the target. */
void             imu_sync_page_test_target (ImuSyncPage *self,
                                            const char  *name);
/* The number of targets shown, and whether a reload or test runs (tests). */
guint            imu_sync_page_get_n_targets (ImuSyncPage *self);
gboolean         imu_sync_page_get_busy      (ImuSyncPage *self);

G_END_DECLS
