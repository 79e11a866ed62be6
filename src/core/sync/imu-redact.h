/* imu-redact.h — hiding secrets in text before it is logged or shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IMU_REDACTED "[REDACTED]"

/**
 * imu_redact:
 * @text: (nullable): any text: a URL, a header block, an error message
 *
 * Returns a copy of @text with every secret replaced by "[REDACTED]": the
 * values of the query parameters sig=, signature=, X-Amz-Signature=,
 * X-Amz-Credential=, X-Amz-Security-Token=, AccountKey= and
 * SharedAccessSignature=; whatever follows "Authorization:" on its line;
 * the signature of "SharedKey account:signature"; and every string
 * registered with imu_redact_add_secret() (also in its URL-escaped form).
 * Thread-safe.
 *
 * Returns: (transfer full) (nullable): the redacted text
 */
char     *imu_redact            (const char *text);

/**
 * imu_redact_add_secret:
 *
 * Registers a secret (an account key, a SAS token) that must never appear
 * in a log, for the life of the process. Strings shorter than 8
 * characters are ignored (they would redact ordinary words). Thread-safe.
 */
void      imu_redact_add_secret (const char *secret);

/* Redacts @error's message in place (no-op for NULL). */
void      imu_redact_error      (GError *error);

G_END_DECLS
