/* imu-secrets.h — where sync credentials live (never in the library file)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IMU_SECRETS_ERROR (imu_secrets_error_quark ())

typedef enum {
  IMU_SECRETS_ERROR_NOT_FOUND,    /* no secret stored under that id */
  IMU_SECRETS_ERROR_UNAVAILABLE,  /* the store cannot be used (locked keyring, unreadable file) */
  IMU_SECRETS_ERROR_FAILED,
} ImuSecretsError;

GQuark imu_secrets_error_quark (void);

/**
 * imu_secrets_backend:
 *
 * Which store is used: "secret-service" when a Secret Service answers on
 * the session bus (GNOME Keyring, KWallet), else "file":
 * $XDG_CONFIG_HOME/imu-studio/secrets.json, mode 0600, with a message the
 * first time it is used. $IMU_SECRETS_BACKEND ("file" or
 * "secret-service") forces one. Blocking (asks the bus once).
 */
const char *imu_secrets_backend     (void);
/* The file of the "file" store. */
char       *imu_secrets_file_path   (void);

/**
 * imu_secrets_store:
 * @secret_id: a stable key (a target's secret_id, a uuid)
 * @label: what a keyring shows ("IMU Studio sync target “lab”")
 * @value: the secret (a JSON object text, by convention)
 *
 * Stores or replaces a secret. The value is also registered with
 * imu_redact_add_secret(). Blocking.
 */
gboolean    imu_secrets_store       (const char   *secret_id,
                                     const char   *label,
                                     const char   *value,
                                     GError      **error);
/* Returns: (transfer full): the secret, or NULL with IMU_SECRETS_ERROR_NOT_FOUND. Blocking. */
char       *imu_secrets_lookup      (const char   *secret_id,
                                     GError      **error);
/* Removes a secret; a missing one is not an error. Blocking. */
gboolean    imu_secrets_clear       (const char   *secret_id,
                                     GError      **error);

G_END_DECLS
