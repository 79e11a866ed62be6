/* imu-import-row.h — one running import: its file, progress and Cancel
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define IMU_TYPE_IMPORT_ROW (imu_import_row_get_type ())
G_DECLARE_FINAL_TYPE (ImuImportRow, imu_import_row, IMU, IMPORT_ROW, GtkListBoxRow)

GtkWidget    *imu_import_row_new             (const char   *path,
                                              GCancellable *cancellable);
const char   *imu_import_row_get_path        (ImuImportRow *self);
GCancellable *imu_import_row_get_cancellable (ImuImportRow *self);
void          imu_import_row_set_progress    (ImuImportRow *self,
                                              guint64       done,
                                              guint64       total);
double        imu_import_row_get_fraction    (ImuImportRow *self);
/* Same as clicking Cancel. */
void          imu_import_row_cancel          (ImuImportRow *self);
void          imu_import_row_set_outcome     (ImuImportRow *self,
                                              const char   *status,
                                              const char   *message,
                                              gboolean      failed);
gboolean      imu_import_row_get_finished    (ImuImportRow *self);
const char   *imu_import_row_get_message     (ImuImportRow *self);

G_END_DECLS
