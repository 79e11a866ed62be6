/* imu-sync-scheduler.h — works the sync queue: transfers, retries, network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-sync-queue.h"

G_BEGIN_DECLS

/* At most this many transfers run at once (the default). */
#define IMU_SYNC_MAX_TRANSFERS 2
/* Backoff after a transient failure: full jitter between 0 and
 * min(MAX, BASE · 2^(attempts−1)), never less than Retry-After. */
#define IMU_SYNC_BACKOFF_BASE_US (G_USEC_PER_SEC)
#define IMU_SYNC_BACKOFF_MAX_US  (15 * 60 * G_USEC_PER_SEC)
/* After this many failed attempts an item needs attention. */
#define IMU_SYNC_MAX_ATTEMPTS 30
/* An item whose transfer arrived damaged is tried this many times. */
#define IMU_SYNC_MAX_INTEGRITY_ATTEMPTS 3

#define IMU_TYPE_SYNC_SCHEDULER (imu_sync_scheduler_get_type ())
G_DECLARE_FINAL_TYPE (ImuSyncScheduler, imu_sync_scheduler, IMU, SYNC_SCHEDULER, GObject)

/**
 * ImuSyncScheduler:
 *
 * Works the queue of one library on the thread-default main context of
 * the thread that calls imu_sync_scheduler_start(): takes due items, runs
 * each transfer in a worker thread with its own library connection (at
 * most IMU_SYNC_MAX_TRANSFERS at once), saves progress and resume state as
 * it goes, retries transient failures with exponential backoff and full
 * jitter (honouring Retry-After), and sets items that a person must fix
 * (a refused credential, a damaged bundle) to needs-attention. Network
 * targets wait while GNetworkMonitor reports no network (or a metered one,
 * unless allowed), and the scheduler wakes when it reports a change.
 *
 * Signals:
 * - "item-changed" (ImuSyncItem *item): a state change or progress
 *   (throttled), on the scheduler's main context.
 * - "idle": nothing runs and nothing is due now.
 * - "item-removed" (ImuSyncItem *item): a running transfer ended after its
 *   item was cancelled (it is no longer in the queue).
 */
ImuSyncScheduler *imu_sync_scheduler_new (const char *library_path);

/* Only these targets (NULL or empty: all). */
void     imu_sync_scheduler_set_targets             (ImuSyncScheduler *self, const char * const *names);
/* Bit mask of 1 << ImuSyncDirection (default: both). */
void     imu_sync_scheduler_set_directions          (ImuSyncScheduler *self, guint directions);
/* In watch mode, also queue pushes of new or changed sessions and list
 * targets for new remote sessions (pull) every @seconds (0: never). */
void     imu_sync_scheduler_set_poll_interval       (ImuSyncScheduler *self, guint seconds);
void     imu_sync_scheduler_set_max_transfers       (ImuSyncScheduler *self, guint n);
/* The monitor to ask (default: g_network_monitor_get_default()). */
void     imu_sync_scheduler_set_network_monitor     (ImuSyncScheduler *self, GNetworkMonitor *monitor);
/* Overrides the monitor: 1 online, 0 offline, -1 ask the monitor (default).
 * Setting it wakes the scheduler, as a monitor change would. */
void     imu_sync_scheduler_set_network_available   (ImuSyncScheduler *self, int available);

/**
 * imu_sync_scheduler_start:
 *
 * Takes the library's sync lock (one scheduler per library), puts back
 * in the queue what a dead process left transferring, and starts working
 * on the thread-default main context. Fails with %IMU_SYNC_ERROR_CONFIG
 * when another process is syncing the same library.
 */
gboolean imu_sync_scheduler_start                   (ImuSyncScheduler *self, GError **error);
/* Cancels running transfers (they go back to queued, resumable) and stops
 * taking items; "idle" follows once they have ended. */
void     imu_sync_scheduler_stop                    (ImuSyncScheduler *self);
/* Nothing running, and nothing due now. */
gboolean imu_sync_scheduler_is_idle                 (ImuSyncScheduler *self);
/* Transfers running now. */
guint    imu_sync_scheduler_get_n_running           (ImuSyncScheduler *self);

/**
 * imu_sync_scheduler_discover:
 *
 * Lists every selected target and queues a pull for each remote session
 * the library lacks (by uuid). Blocking; call from any thread (it opens
 * its own connection).
 *
 * Returns: the number of pulls queued, -1 on error
 */
gint64   imu_sync_scheduler_discover                (ImuSyncScheduler *self, GCancellable *cancellable, GError **error);

/**
 * imu_sync_scheduler_run:
 * @watch: keep running (until @cancellable) instead of returning once the
 *   queue is worked
 * @max_wait_s: without @watch, wait at most this long for retries that are
 *   due later; items still retrying after that stay queued for next time
 *
 * Blocking convenience for the CLI and tests: runs the scheduler on a
 * private main context in this thread.
 */
gboolean imu_sync_scheduler_run                     (ImuSyncScheduler *self,
                                                     gboolean          watch,
                                                     guint             max_wait_s,
                                                     GCancellable     *cancellable,
                                                     GError          **error);

/**
 * imu_sync_scheduler_cancel_session:
 * @session_uuid: the session whose transfers to cancel
 * @target_name: (nullable): only this target's, else every target's
 *
 * Cancels for good every transfer of a session that is not done: the
 * items leave the queue (imu_sync_queue_cancel_session()), a transfer this
 * scheduler runs stops (its cancellable), and what an unfinished push left
 * on the storage is discarded (imu_sync_target_abort(): S3 aborts its
 * multipart upload). Blocking (network); call it from the thread of the
 * scheduler's main context, or on a scheduler that is not started (the
 * CLI). Uses its own library connection.
 *
 * Returns: the number of transfers cancelled, -1 on error (the items are
 *   cancelled even when discarding their remote state failed)
 */
gint64   imu_sync_scheduler_cancel_session          (ImuSyncScheduler *self,
                                                     const char       *session_uuid,
                                                     const char       *target_name,
                                                     GCancellable     *cancellable,
                                                     GError          **error);

/* The staging folder of a library's bundles
 * ($XDG_CACHE_HOME/imu-studio/sync/<hash of the library path>). */
char    *imu_sync_staging_dir                       (const char *library_path);

G_END_DECLS
