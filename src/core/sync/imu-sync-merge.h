/* imu-sync-merge.h — another library's copy of a session, merged into this one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * When two libraries (two laptops) edited the same session and both sync
 * through one target, a pull merges the target's copy into the library
 * instead of skipping it (docs/sync.md, "When two libraries edit the same
 * session"): for each metadata field (title, subject, activity, tags,
 * notes) the later edit wins; events are matched by their uid, the later
 * change of each wins, and an event deleted after its last change stays
 * deleted. Samples never change: a session's samples are the same in every
 * library.
 */
#pragma once

#include "imu-bundle.h"
#include "imu-store.h"

G_BEGIN_DECLS

/**
 * imu_sync_merge_session:
 * @session_id: the library's copy of the session @edits describes
 * @local_newer: (out) (optional): set when the library keeps an edit the
 *   other copy lacks (then the merged session should be pushed)
 * @changed: (out) (optional): set when the merge changed the library
 *
 * One transaction: on failure the library is unchanged. Blocking.
 */
gboolean imu_sync_merge_session (ImuStore        *store,
                                 gint64           session_id,
                                 ImuBundleEdits  *edits,
                                 gboolean        *local_newer,
                                 gboolean        *changed,
                                 GError         **error);

G_END_DECLS
