/* imu-compare-view.h — two to four sessions in one plot, aligned and compared
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-compare.h"
#include "imu-library.h"

G_BEGIN_DECLS

#define IMU_TYPE_COMPARE_VIEW (imu_compare_view_get_type ())
G_DECLARE_FINAL_TYPE (ImuCompareView, imu_compare_view, IMU, COMPARE_VIEW, GtkBox)

/*
 * ImuCompareView: the first session is the reference, drawn by the plot;
 * the others are drawn over it, each in its colour with its offset, which
 * the person edits (spin button, [ and ] or Alt+←/→ for the selected
 * session, dragging its row) or finds by start, by an event chosen in
 * each session, or automatically (cross-correlation). A selected range
 * shows per channel each session's mean and their difference (RMS,
 * correlation), computed off the main thread by imu_compare_sessions().
 * Saving keeps the sessions, streams and offsets in the library.
 *
 * Signals:
 *   "closed" ()            the person closed the comparison
 *   "saved"  (gint64 id)   the comparison was saved (after it is stored)
 *
 * Actions: compare.save, compare.save-as (s: a title), compare.close,
 *   compare.nudge (i: −1 earlier, +1 later, by one sample period of the
 *   selected session).
 */

GtkWidget *imu_compare_view_new        (void);

/* A new comparison of @session_ids (2 to 4, the reference first), aligned
 * by start. Does not block. */
void       imu_compare_view_open       (ImuCompareView *self,
                                        ImuLibrary     *library,
                                        const gint64   *session_ids,
                                        guint           n_sessions);
/* A saved comparison, with its offsets. Does not block. */
void       imu_compare_view_open_saved (ImuCompareView *self,
                                        ImuLibrary     *library,
                                        gint64          comparison_id);

/* For tests: whether work is under way (loading, aligning, the selection's
 * differences, saving). */
gboolean   imu_compare_view_is_busy    (ImuCompareView *self);
guint      imu_compare_view_get_n_sessions (ImuCompareView *self);
/* Session @index's offset as shown, ns. */
gint64     imu_compare_view_get_offset (ImuCompareView *self,
                                        guint           index);
/* The id of the saved comparison shown, 0 when not saved. */
gint64     imu_compare_view_get_saved_id (ImuCompareView *self);
/* The differences over the selection (borrowed), NULL when none. */
const ImuComparison *imu_compare_view_get_selection_result (ImuCompareView *self);
GtkWidget *imu_compare_view_get_plot   (ImuCompareView *self);

G_END_DECLS
