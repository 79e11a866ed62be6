/* imu-bundle-edits.h — the edit times a bundle carries, for merging two
 * libraries' copies of one session (docs/sync.md, docs/bundle.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session object in a bundle (in session.json and the manifest) may hold
 * "edited_us" (metadata field → the µs of its last edit) and
 * "deleted_events" ([{"uid", "deleted_us"}]); each events.jsonl line may
 * hold "uid" and "updated_us". Bundles without them are read as before.
 * Private to core.
 */
#pragma once

#include <json-glib/json-glib.h>

#include "imu-store.h"

G_BEGIN_DECLS

/* The metadata fields a person edits, as "edited_us" and session_edits
 * name them. */
extern const char * const imu_bundle_edit_fields[];

/* Adds "edited_us" and "deleted_events" of @session_id to @session_json
 * (members only when there is something to say). Blocks on the store. */
gboolean imu_bundle_edits_write (ImuStore    *store,
                                 gint64       session_id,
                                 JsonObject  *session_json,
                                 GError     **error);

/* Checks the two members of a bundle's session object. Returns %FALSE with
 * a message (without the file's name) when one has the wrong shape. */
gboolean imu_bundle_edits_check (JsonObject  *session_json,
                                 GError     **error);

/* Stores the two members for the new session @session_id (a bundle's
 * import). Blocks on the store. */
gboolean imu_bundle_edits_store (ImuStore    *store,
                                 gint64       session_id,
                                 JsonObject  *session_json,
                                 GError     **error);

/* The edit time of @field in @session_json, 0 when it has none. */
gint64   imu_bundle_edits_field_time (JsonObject *session_json,
                                      const char *field);

/* Whether @uid is an event id a bundle may carry: 1 to 64 letters, digits
 * or dashes. */
gboolean imu_bundle_edits_uid_is_valid (const char *uid);

G_END_DECLS
