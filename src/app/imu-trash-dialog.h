/* imu-trash-dialog.h — the sessions in the trash: restore, delete now, empty
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-library.h"

G_BEGIN_DECLS

#define IMU_TYPE_TRASH_DIALOG (imu_trash_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ImuTrashDialog, imu_trash_dialog, IMU, TRASH_DIALOG, AdwWindow)

/* The trash of @library's file, read by a worker. What is restored comes
 * back to @library's list. Does not block. */
ImuTrashDialog *imu_trash_dialog_new        (GtkWindow      *parent,
                                             ImuLibrary     *library);
/* A worker is reading or changing the trash. */
gboolean        imu_trash_dialog_get_busy   (ImuTrashDialog *self);
/* The sessions listed (after the last read). */
guint           imu_trash_dialog_get_n_items (ImuTrashDialog *self);
/* The row of session @session_id, or NULL. */
GtkWidget      *imu_trash_dialog_get_row    (ImuTrashDialog *self,
                                             gint64          session_id);
/* As the row's buttons do. Do not block. */
void            imu_trash_dialog_restore    (ImuTrashDialog *self,
                                             gint64          session_id);
void            imu_trash_dialog_delete_now (ImuTrashDialog *self,
                                             gint64          session_id);
/* Asks for confirmation (the dialog is returned), then empties the trash. */
AdwMessageDialog *imu_trash_dialog_empty    (ImuTrashDialog *self);

G_END_DECLS
