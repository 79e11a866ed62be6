/* imu-sync-queue.h — the sync queue and targets, in the library file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Tables sync_targets, sync_items and sync_settings (migration 0003).
 * Every function is blocking and uses @store's connection (its thread).
 */
#pragma once

#include "imu-store.h"
#include "imu-sync-target.h"

G_BEGIN_DECLS

typedef enum {
  IMU_SYNC_STATE_QUEUED,
  IMU_SYNC_STATE_TRANSFERRING,
  IMU_SYNC_STATE_VERIFYING,
  IMU_SYNC_STATE_DONE,
  IMU_SYNC_STATE_RETRYING,
  IMU_SYNC_STATE_NEEDS_ATTENTION,
} ImuSyncState;

const char   *imu_sync_state_to_string   (ImuSyncState state);   /* "queued", "needs-attention"… */
ImuSyncState  imu_sync_state_from_string (const char *text);

typedef enum {
  IMU_SYNC_PUSH,
  IMU_SYNC_PULL,
} ImuSyncDirection;

const char   *imu_sync_direction_to_string (ImuSyncDirection direction);  /* "push" / "pull" */

/**
 * ImuSyncItem:
 *
 * A row of sync_items: one session × target × direction. Boxed.
 */
typedef struct {
  gint64            id;
  gint64            target_id;
  char             *target_name;
  char             *session_uuid;
  ImuSyncDirection  direction;
  ImuSyncState      state;
  int               attempts;
  gint64            next_attempt_us;  /* real time (g_get_real_time) */
  char             *last_error;       /* redacted */
  char             *resume_state;     /* JSON, nullable */
  gint64            bytes_done;
  gint64            bytes_total;
  char             *sha256;
  gint64            created_us;
  gint64            updated_us;
} ImuSyncItem;

#define IMU_TYPE_SYNC_ITEM (imu_sync_item_get_type ())
GType        imu_sync_item_get_type (void) G_GNUC_CONST;
ImuSyncItem *imu_sync_item_copy     (const ImuSyncItem *item);
void         imu_sync_item_free     (ImuSyncItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSyncItem, imu_sync_item_free)

/* ---- targets ---- */

/* Adds a target's row (sets @config->id, created_us; a new secret_id when
 * empty). A name already used is IMU_SYNC_ERROR_TARGET_EXISTS. The faces
 * add targets with imu_sync_targets_add(), which stores the secret too. */
gboolean              imu_sync_queue_add_target    (ImuStore *store, ImuSyncTargetConfig *config, GError **error);
/* Saves url, prefix, config, insecure, allow_metered of an existing target. */
gboolean              imu_sync_queue_update_target (ImuStore *store, const ImuSyncTargetConfig *config, GError **error);
/* (element-type ImuSyncTargetConfig), by name */
GPtrArray            *imu_sync_queue_list_targets  (ImuStore *store, GError **error);
/* By name; NULL with IMU_STORE_ERROR_NOT_FOUND. */
ImuSyncTargetConfig  *imu_sync_queue_get_target    (ImuStore *store, const char *name, GError **error);
ImuSyncTargetConfig  *imu_sync_queue_get_target_by_id (ImuStore *store, gint64 id, GError **error);
/* Removes a target's row and its items (not its remote objects, not its
 * secret: imu_sync_targets_remove() removes both). */
gboolean              imu_sync_queue_remove_target (ImuStore *store, const char *name, GError **error);

/* ---- settings ---- */

/* Whether @config (nullable: the global setting) may sync on a metered
 * connection: the target's own choice, else the library's (off by default). */
gboolean              imu_sync_queue_allow_metered (ImuStore *store, const ImuSyncTargetConfig *config);
gboolean              imu_sync_queue_set_setting   (ImuStore *store, const char *key, const char *value, GError **error);
char                 *imu_sync_queue_get_setting   (ImuStore *store, const char *key);

/* ---- items ---- */

/**
 * imu_sync_queue_enqueue:
 *
 * Queues a push or pull of a session (by uuid) for a target. An item that
 * exists is left as it is (done stays done: pushing twice makes no second
 * copy), except that @requeue_done queues a done push again (the session
 * changed). Returns the item id, 0 on error.
 */
gint64       imu_sync_queue_enqueue         (ImuStore *store, gint64 target_id, const char *session_uuid,
                                             ImuSyncDirection direction, gboolean requeue_done, GError **error);
/* Queues a push of every complete session of the library that has no push
 * item for @target_id yet, or whose push is done but the session changed
 * since. Returns how many were queued, -1 on error. */
gint64       imu_sync_queue_enqueue_all_pushes (ImuStore *store, gint64 target_id, GError **error);
/* (element-type ImuSyncItem); @target_id 0 for all; oldest first. */
GPtrArray   *imu_sync_queue_list_items      (ImuStore *store, gint64 target_id, GError **error);
ImuSyncItem *imu_sync_queue_get_item        (ImuStore *store, gint64 item_id, GError **error);

/**
 * imu_sync_queue_claim_next:
 * @now_us: real time
 * @exclude: (nullable) (element-type gint64): item ids already running
 * @target_ids: (nullable) (element-type gint64): only these targets
 * @directions: bit mask of 1 << ImuSyncDirection to work on
 *
 * Takes the next due item (queued, or retrying whose time has come) and
 * marks it transferring, in one statement, so two workers never take the
 * same one. Returns NULL (and no error) when nothing is due.
 */
ImuSyncItem *imu_sync_queue_claim_next      (ImuStore *store, gint64 now_us, GArray *exclude,
                                             GArray *target_ids, guint directions, GError **error);
/* Saves state, attempts, next_attempt_us, last_error (redacted here),
 * resume_state, bytes_done/total and sha256 of @item. */
gboolean     imu_sync_queue_save_item       (ImuStore *store, const ImuSyncItem *item, GError **error);
/* Saves only the progress and the resume state (often, during a transfer). */
gboolean     imu_sync_queue_save_progress   (ImuStore *store, gint64 item_id, gint64 bytes_done,
                                             gint64 bytes_total, const char *resume_state, GError **error);
/* Items left transferring/verifying by a process that died go back to
 * queued, their resume state kept. Returns how many, -1 on error. */
gint64       imu_sync_queue_recover         (ImuStore *store, GError **error);
/* needs-attention (and retrying) items of @target_id (0: all) go back to
 * queued, attempts reset: after the user fixed a credential. */
gint64       imu_sync_queue_retry           (ImuStore *store, gint64 target_id, GError **error);
/* The earliest next_attempt_us of retrying items (of @target_ids), or 0. */
gint64       imu_sync_queue_next_retry_us   (ImuStore *store, GArray *target_ids, guint directions);
/* How many items are queued, transferring, verifying or retrying. */
gint64       imu_sync_queue_count_pending   (ImuStore *store, GArray *target_ids, guint directions);

/**
 * imu_sync_queue_cancel:
 *
 * Cancels an item for good: it leaves the queue (deleted, so no scheduler
 * claims or retries it). Its remote state is not touched: for that, see
 * imu_sync_scheduler_cancel_session(). A missing item is
 * %IMU_STORE_ERROR_NOT_FOUND.
 */
gboolean     imu_sync_queue_cancel          (ImuStore *store, gint64 item_id, GError **error);
/**
 * imu_sync_queue_cancel_session:
 * @target_id: only this target's items, 0 for every target
 *
 * Cancels every item of the session @session_uuid (push and pull) that is
 * not done, as imu_sync_queue_cancel() does.
 *
 * Returns: (transfer full) (element-type ImuSyncItem): the items removed,
 *   as they were (with their resume state), or %NULL on error
 */
GPtrArray   *imu_sync_queue_cancel_session  (ImuStore *store, const char *session_uuid, gint64 target_id,
                                             GError **error);

G_END_DECLS
