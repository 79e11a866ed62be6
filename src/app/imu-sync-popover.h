/* imu-sync-popover.h — the sync queue, from the header bar
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "imu-sync-controller.h"

G_BEGIN_DECLS

#define IMU_TYPE_SYNC_POPOVER (imu_sync_popover_get_type ())
G_DECLARE_FINAL_TYPE (ImuSyncPopover, imu_sync_popover, IMU, SYNC_POPOVER, GtkPopover)

GtkWidget *imu_sync_popover_new           (ImuSyncController *controller);
/* The queue's rows (for tests): one per item. */
guint      imu_sync_popover_get_n_items   (ImuSyncPopover *self);
/* The library's sessions (ImuSession), whose titles name the items. */
void       imu_sync_popover_set_sessions  (ImuSyncPopover *self,
                                           GListModel     *sessions);
/* Reads the targets again (for the "Get Sessions from …" buttons). */
void       imu_sync_popover_reload_targets (ImuSyncPopover *self);

G_END_DECLS
