/* imu-session-row.h — one session in the library list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "imu-session.h"
#include "imu-sync-controller.h"

G_BEGIN_DECLS

#define IMU_TYPE_SESSION_ROW (imu_session_row_get_type ())
G_DECLARE_FINAL_TYPE (ImuSessionRow, imu_session_row, IMU, SESSION_ROW, GtkWidget)

GtkWidget  *imu_session_row_new         (void);
void        imu_session_row_set_session (ImuSessionRow *self,
                                         ImuSession    *session);
ImuSession *imu_session_row_get_session (ImuSessionRow *self);
void        imu_session_row_set_sync_controller (ImuSessionRow     *self,
                                                 ImuSyncController *controller);
GtkWidget  *imu_session_row_get_sync_icon (ImuSessionRow *self);
GtkWidget  *imu_session_row_get_record_icon (ImuSessionRow *self);
GtkWidget  *imu_session_row_get_state_badge (ImuSessionRow *self);
const char *imu_session_row_get_duration_text (ImuSessionRow *self);

G_END_DECLS
