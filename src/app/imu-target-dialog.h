/* imu-target-dialog.h — adds or edits a sync target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-sync-target.h"

G_BEGIN_DECLS

#define IMU_TYPE_TARGET_DIALOG (imu_target_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ImuTargetDialog, imu_target_dialog, IMU, TARGET_DIALOG, AdwWindow)

/* @config: the target to edit, or NULL to add one. */
ImuTargetDialog *imu_target_dialog_new      (GtkWindow                 *parent,
                                             const char                *library_path,
                                             const ImuSyncTargetConfig *config);
/* The row of a field ("name", "kind", "path", "url", "account", "secret",
 * "endpoint", "region", "bucket", "access-key", "user", "prefix"), for tests. */
GtkWidget       *imu_target_dialog_get_row  (ImuTargetDialog *self,
                                             const char      *field);
/* What Save does; emits "saved" (or shows the error in the dialog). */
void             imu_target_dialog_save     (ImuTargetDialog *self);

G_END_DECLS
