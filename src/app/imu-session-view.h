/* imu-session-view.h — one session: editable header, Signals, Events, Details
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-details-page.h"
#include "imu-events-page.h"
#include "imu-library.h"
#include "imu-plot.h"
#include "imu-profile-page.h"
#include "imu-recording.h"

G_BEGIN_DECLS

#define IMU_TYPE_SESSION_VIEW (imu_session_view_get_type ())
G_DECLARE_FINAL_TYPE (ImuSessionView, imu_session_view, IMU, SESSION_VIEW, GtkWidget)

/*
 * Properties:
 *   "loading"   boolean  read-only: TRUE while the session's details are read
 * Signals:
 *   "saved"     (ImuSessionView*)  an edit of the header reached the library
 */

GtkWidget      *imu_session_view_new          (void);
/* Shows @session (a listed session: the header shows at once, the rest
 * when read off the main thread); %NULL shows nothing. */
void            imu_session_view_set_session  (ImuSessionView *self,
                                               ImuLibrary     *library,
                                               ImuSession     *session);
gint64          imu_session_view_get_session_id (ImuSessionView *self);
/* The loaded session with its streams (NULL while loading). */
ImuSession     *imu_session_view_get_session  (ImuSessionView *self);
gboolean        imu_session_view_get_loading  (ImuSessionView *self);
AdwViewStack   *imu_session_view_get_stack    (ImuSessionView *self);
ImuPlot        *imu_session_view_get_plot     (ImuSessionView *self);
ImuEventsPage  *imu_session_view_get_events_page  (ImuSessionView *self);
ImuDetailsPage *imu_session_view_get_details_page (ImuSessionView *self);
ImuProfilePage *imu_session_view_get_profile_page (ImuSessionView *self);

/* Edits a header field as typing and pressing Enter (or the apply button)
 * does: "title", "subject", "activity", "tags", "notes". */
void            imu_session_view_edit_field   (ImuSessionView *self,
                                               const char     *field,
                                               const char     *text);

/* The window's recording (nullable): the view follows its commits and
 * offers Stop when it shows one of its sessions. */
void            imu_session_view_set_recording (ImuSessionView *self,
                                                ImuRecording   *recording);
/* A marker at the newest sample of the session being recorded. */
void            imu_session_view_mark_now     (ImuSessionView *self,
                                               const char     *label);
/* The bar over the tabs of a session being recorded or interrupted. */
GtkWidget      *imu_session_view_get_record_bar (ImuSessionView *self);

G_END_DECLS
