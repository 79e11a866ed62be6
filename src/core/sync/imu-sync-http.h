/* imu-sync-http.h — one table from HTTP outcomes to sync errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Azure, S3 and WebDAV backends all speak HTTP through libsoup. What
 * an answer (or the lack of one) means for the scheduler — retry later,
 * wait for a person, give up on this object — is decided here, once, so
 * that the three backends cannot disagree. docs/sync.md shows the table.
 */
#pragma once

#include <gio/gio.h>

#include "imu-sync-target.h"

G_BEGIN_DECLS

/**
 * imu_sync_error_from_http:
 * @status: the HTTP status of the answer (ignored when @transport is set)
 * @transport: (nullable): the error libsoup gave instead of an answer
 *   (TLS, DNS, a refused or dropped connection, a cancel)
 * @retry_after: (nullable): the answer's Retry-After header
 * @what: what was asked, for the message ("upload of KEY")
 * @where: the target's URL, for the messages about the connection
 * @detail: (nullable): what the server said besides the status (Azure's
 *   or S3's error code, a reason phrase); "" or %NULL for nothing
 * @wait_seconds: (out) (optional): for an outcome worth retrying, how
 *   long Retry-After asks to wait (0 when it asks nothing); 0 otherwise
 *
 * Maps one HTTP outcome to an %IMU_SYNC_ERROR (docs/sync.md, "HTTP
 * outcomes"): 2xx is success; 401/403 %IMU_SYNC_ERROR_AUTH; 404/410
 * %IMU_SYNC_ERROR_NOT_FOUND; 409/412 %IMU_SYNC_ERROR_CONFLICT;
 * 408/429/503 %IMU_SYNC_ERROR_THROTTLED and the other 5xx
 * %IMU_SYNC_ERROR_SERVER, both retried with Retry-After honoured; a TLS
 * failure %IMU_SYNC_ERROR_TLS; no connection (DNS, refused, reset,
 * timeout) %IMU_SYNC_ERROR_NETWORK; anything else
 * %IMU_SYNC_ERROR_PROTOCOL. A cancelled request gives back the
 * cancellation (%G_IO_ERROR_CANCELLED), which is not a failure to show.
 * Backends may then reword the message of a row (the credential rows say
 * which secret to replace) but never change its code. Does no I/O.
 *
 * Returns: (transfer full) (nullable): %NULL for a 2xx answer, else the
 *   error, its message redacted
 */
GError *imu_sync_error_from_http (guint         status,
                                  const GError *transport,
                                  const char   *retry_after,
                                  const char   *what,
                                  const char   *where,
                                  const char   *detail,
                                  guint        *wait_seconds);

G_END_DECLS
