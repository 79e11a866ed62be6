/* imu-details-page.h — a session's streams, device and import audit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "imu-library.h"

G_BEGIN_DECLS

#define IMU_TYPE_DETAILS_PAGE (imu_details_page_get_type ())
G_DECLARE_FINAL_TYPE (ImuDetailsPage, imu_details_page, IMU, DETAILS_PAGE, GtkWidget)

GtkWidget *imu_details_page_new         (void);
/* Shows @details (borrowed for the call only); %NULL clears. */
void       imu_details_page_set_details (ImuDetailsPage          *self,
                                         const ImuSessionDetails *details);
/* Every title and value shown, one "title: value" per line, for tests. */
char      *imu_details_page_dup_text    (ImuDetailsPage          *self);

G_END_DECLS
