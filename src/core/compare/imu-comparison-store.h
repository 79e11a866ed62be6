/* imu-comparison-store.h — comparisons saved in the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A saved comparison is a title, two to four sessions (the reference
 * first), the stream compared in each and each one's offset on the
 * reference's clock (migration 0006, docs/compare.md). Reopening it
 * recomputes the differences from the stored samples with those offsets.
 * It travels in the bundles of its sessions (docs/bundle.md,
 * "comparisons").
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "imu-compare.h"
#include "imu-store.h"

G_BEGIN_DECLS

typedef struct {
  gint64  session_id;
  char   *session_uuid;    /* filled when loaded */
  char   *session_title;   /* filled when loaded */
  char   *stream_name;     /* (nullable): the session's default stream */
  gint64  offset_ns;       /* 0 for the reference */
} ImuSavedMember;

/**
 * ImuSavedComparison:
 * @id: 0 until saved
 * @uuid: (nullable): given when first saved
 * @align: how the offsets were found ("start", "xcorr", "event:LABEL",
 *   "offset", "manual"); informative, the offsets are what counts
 *
 * One saved comparison. Plain data; free with imu_saved_comparison_free().
 */
typedef struct {
  gint64          id;
  char           *uuid;
  char           *title;
  char           *align;
  gint64          created_us;
  gint64          updated_us;
  guint           n_members;
  ImuSavedMember  members[IMU_COMPARE_MAX_SESSIONS];
} ImuSavedComparison;

ImuSavedComparison *imu_saved_comparison_new  (const char *title,
                                               const char *align);
void                imu_saved_comparison_free (ImuSavedComparison *saved);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSavedComparison, imu_saved_comparison_free)

/* Appends a member; FALSE when it already has IMU_COMPARE_MAX_SESSIONS. */
gboolean imu_saved_comparison_add_member (ImuSavedComparison *saved,
                                          gint64              session_id,
                                          const char         *stream_name,
                                          gint64              offset_ns);

/**
 * imu_saved_comparison_new_from_result:
 * @align: (nullable): what to record as the alignment; %NULL for the
 *   result's method
 *
 * A comparison to save from one computed by imu_compare_sessions(): its
 * sessions, streams and offsets.
 */
ImuSavedComparison *imu_saved_comparison_new_from_result (const ImuComparison *comparison,
                                                          const char          *title,
                                                          const char          *align);

/**
 * imu_saved_comparison_to_align_spec:
 *
 * The alignment that recomputes @saved with its own offsets
 * (%IMU_ALIGN_OFFSET, one offset per session), and in @stream_name
 * (transfer none, nullable) the stream to pass to imu_compare_sessions().
 */
void imu_saved_comparison_to_align_spec (const ImuSavedComparison  *saved,
                                         ImuAlignSpec              *spec,
                                         const char               **stream_name);

/**
 * imu_comparison_store_save:
 *
 * Inserts @saved when its id is 0 (setting its id, uuid and times), else
 * replaces the saved comparison of that id (title, alignment, members).
 * Every session must be in the library. One transaction. Blocking.
 */
gboolean            imu_comparison_store_save    (ImuStore            *store,
                                                  ImuSavedComparison  *saved,
                                                  GError             **error);

/**
 * imu_comparison_store_list:
 *
 * Returns: (transfer full) (element-type ImuSavedComparison): every saved
 *   comparison with its members, newest first. Blocking.
 */
GPtrArray          *imu_comparison_store_list    (ImuStore  *store,
                                                  GError   **error);

/**
 * imu_comparison_store_load:
 * @id_or_uuid: the comparison's id or its uuid
 *
 * Returns: (transfer full): the comparison, or %NULL with
 *   %IMU_COMPARE_ERROR_NOT_FOUND. Blocking.
 */
ImuSavedComparison *imu_comparison_store_load    (ImuStore    *store,
                                                  const char  *id_or_uuid,
                                                  GError     **error);

/* Deletes a saved comparison (never its sessions); %IMU_COMPARE_ERROR_NOT_FOUND
 * when there is none of that id. Blocking. */
gboolean            imu_comparison_store_delete  (ImuStore  *store,
                                                  gint64     id,
                                                  GError   **error);

/**
 * imu_comparison_store_session_json:
 *
 * The comparisons @session_id is part of, as the JSON array a bundle's
 * manifest carries (docs/bundle.md): members by session uuid.
 *
 * Returns: (transfer full) (nullable): the array, or %NULL when the session
 *   is in none (then @error is not set) or on error. Blocking.
 */
JsonNode           *imu_comparison_store_session_json (ImuStore  *store,
                                                       gint64     session_id,
                                                       GError   **error);

/**
 * imu_comparison_store_restore_json:
 * @array: a bundle manifest's "comparisons"
 * @n_restored: (out) (optional): how many were added
 *
 * Adds each comparison of @array whose sessions are all in the library
 * (by uuid) and whose uuid is not there yet; the others are left for the
 * bundle of their last session. Runs inside the caller's transaction when
 * there is one. A malformed array is %IMU_COMPARE_ERROR_ARGUMENT.
 * Blocking.
 */
gboolean            imu_comparison_store_restore_json (ImuStore  *store,
                                                       JsonNode  *array,
                                                       guint     *n_restored,
                                                       GError   **error);

G_END_DECLS
