/* imu-export-dialog.h — exporting a session: format, destination, progress
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-session-export.h"
#include "imu-store.h"

G_BEGIN_DECLS

#define IMU_TYPE_EXPORT_DIALOG (imu_export_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ImuExportDialog, imu_export_dialog, IMU, EXPORT_DIALOG, AdwWindow)

/*
 * Signals:
 *   "done" (ImuExportDialog*, const char *written, gpointer error)
 *       the export ended: @written is the file or folder written (NULL on
 *       failure), @error the const GError* of a failure or cancellation
 *       (NULL on success). The dialog closes itself afterwards.
 */

/* A dialog for exporting @session (a snapshot: its title and origin are
 * read now) of the library at @library_path. */
ImuExportDialog      *imu_export_dialog_new          (GtkWindow            *parent,
                                                      const char           *library_path,
                                                      ImuSession           *session);
ImuSessionExportKind  imu_export_dialog_get_kind     (ImuExportDialog      *self);
void                  imu_export_dialog_set_kind     (ImuExportDialog      *self,
                                                      ImuSessionExportKind  kind);
/* Starts the export to @destination (a file for a one-file kind, the
 * folder to make the session's folder in otherwise), as accepting the
 * file chooser does; the dialog then shows progress and Cancel. Does not
 * block. */
void                  imu_export_dialog_start        (ImuExportDialog      *self,
                                                      const char           *destination);
gboolean              imu_export_dialog_get_running  (ImuExportDialog      *self);
/* Of the running export, 0..1 */
double                imu_export_dialog_get_fraction (ImuExportDialog      *self);
/* Stops the running export (nothing is left under the final name). */
void                  imu_export_dialog_cancel       (ImuExportDialog      *self);
gint64                imu_export_dialog_get_session_id (ImuExportDialog    *self);
const char           *imu_export_dialog_get_title    (ImuExportDialog      *self);

G_END_DECLS
