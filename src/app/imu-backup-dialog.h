/* imu-backup-dialog.h — File → Back Up Library…: where, progress, the check's result
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define IMU_TYPE_BACKUP_DIALOG (imu_backup_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ImuBackupDialog, imu_backup_dialog, IMU, BACKUP_DIALOG, AdwWindow)

/* A dialog backing up the library at @library_path (a file chooser, or a
 * sync target of the library when it has some). Does not block: the
 * targets are read by a worker. */
ImuBackupDialog *imu_backup_dialog_new         (GtkWindow       *parent,
                                                const char      *library_path);
/* Starts the backup into the new file @dest, as accepting the file chooser
 * does. Does not block. */
void             imu_backup_dialog_start_file  (ImuBackupDialog *self,
                                                const char      *dest);
/* Starts the backup onto the sync target named @target. Does not block. */
void             imu_backup_dialog_start_target (ImuBackupDialog *self,
                                                 const char      *target);
gboolean         imu_backup_dialog_get_running (ImuBackupDialog *self);
/* The names of the library's sync targets, once read (NULL before). */
const char * const *imu_backup_dialog_get_targets (ImuBackupDialog *self);
void             imu_backup_dialog_cancel      (ImuBackupDialog *self);
/* "done", "failed", "cancelled", or NULL while none has ended. */
const char      *imu_backup_dialog_get_outcome (ImuBackupDialog *self);
/* The message the result page shows. */
const char      *imu_backup_dialog_get_message (ImuBackupDialog *self);

G_END_DECLS
