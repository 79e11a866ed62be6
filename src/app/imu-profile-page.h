/* imu-profile-page.h — a session's profile: key numbers, findings, intensity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "imu-profile.h"

G_BEGIN_DECLS

#define IMU_TYPE_PROFILE_PAGE (imu_profile_page_get_type ())
G_DECLARE_FINAL_TYPE (ImuProfilePage, imu_profile_page, IMU, PROFILE_PAGE, GtkWidget)

/*
 * Properties:
 *   "busy"     boolean  read-only: TRUE while a profile is read or computed
 * Signals:
 *   "finding-activated"  (ImuProfilePage*, gint64 t_ns, gint64 duration_ns)
 *                        the user activated a finding; @t_ns is its first
 *                        location, @duration_ns that span's length (0 for a
 *                        single sample)
 */

GtkWidget  *imu_profile_page_new            (void);
/* Shows the profile of session @session_id of the library at
 * @library_path: the stored one when it is current, else one computed off
 * the main thread, as soon as the page is shown (mapped). 0 clears. Does
 * not block. */
void        imu_profile_page_set_session    (ImuProfilePage *self,
                                             const char     *library_path,
                                             gint64          session_id);
/* The shown profile (borrowed), or %NULL. */
ImuProfile *imu_profile_page_get_profile    (ImuProfilePage *self);
gboolean    imu_profile_page_get_busy       (ImuProfilePage *self);
/* How many profiles this page has computed (rather than found stored). */
guint       imu_profile_page_get_n_computed (ImuProfilePage *self);
GtkListBox *imu_profile_page_get_findings_list (ImuProfilePage *self);
/* Computes the profile again from the samples (as the Recompute button). */
void        imu_profile_page_recompute      (ImuProfilePage *self);
/* Stops the computation in progress (as the Cancel button). */
void        imu_profile_page_cancel         (ImuProfilePage *self);

/* Writes the shown profile to @file off the main thread: @format is
 * "html" (report.html), "csv" (metrics.csv) or "json" (profile.json). */
void        imu_profile_page_export_async   (ImuProfilePage      *self,
                                             const char          *format,
                                             GFile               *file,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean    imu_profile_page_export_finish  (ImuProfilePage      *self,
                                             GAsyncResult        *result,
                                             GError             **error);

G_END_DECLS
