/* imu-sync-targets.h — adding, testing, re-keying and removing sync targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The one set of functions that `imu target …` and Preferences → Sync
 * both call, so that the two faces cannot drift: a target is its row in
 * the library (imu-sync-queue.h) plus its secret in the secret store
 * (imu-secrets.h), and every function here keeps the two together.
 *
 * Errors, the same for every caller:
 * - an unknown target: %IMU_STORE_ERROR_NOT_FOUND (as every lookup of the
 *   library; `imu` exits with 4);
 * - a name already taken: %IMU_SYNC_ERROR_TARGET_EXISTS;
 * - a secret that is missing, cannot be read, stored or removed:
 *   %IMU_SYNC_ERROR_NO_SECRET, with one message that names the target,
 *   the kind of secret, the secret store's own words and the command
 *   that gives the secret again;
 * - a configuration that cannot work: %IMU_SYNC_ERROR_CONFIG,
 *   %IMU_SYNC_ERROR_INSECURE (from imu_sync_target_new()).
 *
 * Every function is blocking and uses @store's connection, so it runs on
 * the thread that owns @store: the CLI calls them directly, the app from
 * a worker thread with a connection of its own (src/app/imu-sync-page.c).
 */
#pragma once

#include "imu-store.h"
#include "imu-sync-target.h"

G_BEGIN_DECLS

/* Whether targets of @kind keep a secret (every kind but "folder"). */
gboolean           imu_sync_target_kind_has_secret (const char *kind);

/**
 * imu_sync_targets_secret_json:
 * @config: the target: its kind (and for Azure its "auth" member:
 *   "shared-key" or "sas") says what the secret is
 * @value: the secret as a person gives it: a SAS token (with or without
 *   its leading "?"), an account key, a secret access key, a password
 *
 * The text the secret store keeps for @config: {"sas": …}, {"key": …},
 * {"secret_key": …} or {"password": …}. @value is registered with
 * imu_redact_add_secret(). Does no I/O.
 *
 * Returns: (transfer full): the JSON text, or %NULL with
 *   %IMU_SYNC_ERROR_NO_SECRET (empty) or %IMU_SYNC_ERROR_CONFIG (a SAS
 *   token without sig=, a kind without secret)
 */
char              *imu_sync_targets_secret_json (const ImuSyncTargetConfig *config,
                                                 const char                *value,
                                                 GError                   **error);

/**
 * imu_sync_targets_check:
 * @secret: (nullable): as for imu_sync_targets_add()
 *
 * What imu_sync_targets_add() checks before it writes anything: the
 * secret is given when the kind needs one and has the right form, and
 * the backend accepts @config with it (imu_sync_target_new()). For a face
 * that wants to refuse a bad target before it opens or creates a
 * library. Does no I/O.
 */
gboolean           imu_sync_targets_check      (const ImuSyncTargetConfig *config,
                                                const char                *secret,
                                                GError                   **error);

/**
 * imu_sync_targets_add:
 * @config: the new target; on success its id, secret_id and created_us
 *   are set
 * @secret: (nullable): the secret as a person gives it (see
 *   imu_sync_targets_secret_json()); required unless the kind has none
 *
 * Checks @config with its secret (imu_sync_target_new(), no network),
 * then stores the row and the secret together: when the secret cannot be
 * stored the row is rolled back, so a failed add leaves nothing behind.
 * Blocking (the library, the keyring).
 */
gboolean           imu_sync_targets_add        (ImuStore             *store,
                                                ImuSyncTargetConfig  *config,
                                                const char           *secret,
                                                GError              **error);

/**
 * imu_sync_targets_open_config:
 *
 * The backend for a target's row, with its secret read from the secret
 * store by the policy of this file (a missing or unreadable secret is
 * %IMU_SYNC_ERROR_NO_SECRET). The scheduler opens its targets with it.
 * Blocking (the keyring).
 */
ImuSyncTarget     *imu_sync_targets_open_config (const ImuSyncTargetConfig *config,
                                                 GError                   **error);

/* The same, by name. Blocking. */
ImuSyncTarget     *imu_sync_targets_open       (ImuStore             *store,
                                                const char           *name,
                                                GError              **error);

/**
 * imu_sync_targets_test:
 *
 * Opens the target @name with its secret and checks it (reachability,
 * permissions, SAS scope and expiry: imu_sync_target_test()). A check
 * that fails does not make this function fail: the report's last line is
 * then the (redacted) error and report->ok is %FALSE. Every line is
 * redacted.
 *
 * Returns: (transfer full): the report, or %NULL when the target cannot
 *   be opened (unknown, no secret, bad configuration) or @cancellable was
 *   cancelled. Blocking (the network).
 */
ImuSyncTestReport *imu_sync_targets_test       (ImuStore             *store,
                                                const char           *name,
                                                GCancellable         *cancellable,
                                                GError              **error);

/**
 * imu_sync_targets_update:
 * @config: the target's new settings (found by @config->id; its name,
 *   kind and secret_id are those stored)
 * @secret: (nullable): a new secret, or %NULL to keep the stored one
 *   (which must then be readable: it is used to check @config)
 * @requeued: (out) (optional): how many transfers went back to the queue
 *
 * Saves a changed target, checked with its secret like an add. With a
 * new secret, the row and the secret are saved together (rolled back
 * when the secret cannot be stored) and the transfers that waited for a
 * person (a refused credential) are queued again. Blocking.
 */
gboolean           imu_sync_targets_update     (ImuStore                  *store,
                                                const ImuSyncTargetConfig *config,
                                                const char                *secret,
                                                gint64                    *requeued,
                                                GError                   **error);

/**
 * imu_sync_targets_set_secret:
 * @auth: (nullable): for Azure, "sas" or "shared-key" when the kind of
 *   credential changes with it; %NULL keeps the target's
 * @secret: the new secret, as a person gives it
 *
 * Replaces the secret of the target @name (imu_sync_targets_update()
 * with the stored settings). Returns: how many transfers were queued
 * again, -1 on error. Blocking.
 */
gint64             imu_sync_targets_set_secret (ImuStore             *store,
                                                const char           *name,
                                                const char           *auth,
                                                const char           *secret,
                                                GError              **error);

/**
 * imu_sync_targets_remove:
 *
 * Removes the target @name, its queue and its secret, together: when the
 * secret cannot be removed (a locked keyring) the target stays and the
 * error (%IMU_SYNC_ERROR_NO_SECRET) says why, so that no secret is left
 * behind without a target to find it by. What the target holds remotely
 * is kept. Blocking.
 */
gboolean           imu_sync_targets_remove     (ImuStore             *store,
                                                const char           *name,
                                                GError              **error);

G_END_DECLS
