/* imu-sync-http.c — one table from HTTP outcomes to sync errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Before this table each backend had its own chain of ifs, and they
 * disagreed: Azure called a 503 a server failure and S3 and WebDAV a
 * request to slow down, only Azure honoured Retry-After on a 500, and the
 * three worded a TLS failure differently. The codes decide what the
 * scheduler does (imu_sync_error_is_transient()), so they are chosen here
 * and nowhere else.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <glib/gi18n-lib.h>

#include "imu-redact.h"
#include "imu-sync-http.h"

/* What a status means, before any message is written. */
static ImuSyncError
code_of_status (guint status)
{
  switch (status)
    {
    case 401:
    case 403:
      return IMU_SYNC_ERROR_AUTH;
    case 404:
    case 410:
      return IMU_SYNC_ERROR_NOT_FOUND;
    case 409:
    case 412:
      return IMU_SYNC_ERROR_CONFLICT;
    /* 503 is "Service Unavailable": S3 sends it as SlowDown, Azure as
     * ServerBusy, both asking the client to come back later, so it sits
     * with 408 and 429 rather than with the failures. */
    case 408:
    case 429:
    case 503:
      return IMU_SYNC_ERROR_THROTTLED;
    default:
      break;
    }
  if (status >= 500 && status < 600)
    return IMU_SYNC_ERROR_SERVER;
  return IMU_SYNC_ERROR_PROTOCOL;
}

GError *
imu_sync_error_from_http (guint         status,
                          const GError *transport,
                          const char   *retry_after,
                          const char   *what,
                          const char   *where,
                          const char   *detail,
                          guint        *wait_seconds)
{
  g_autofree char *more = NULL;
  GError *error = NULL;
  ImuSyncError code;

  g_return_val_if_fail (what != NULL, NULL);

  if (wait_seconds != NULL)
    *wait_seconds = 0;
  if (where == NULL)
    where = "";

  if (transport != NULL)
    {
      /* A cancel is what the caller asked for: it goes back as it is, so
       * that no face shows it as a failure. */
      if (g_error_matches (transport, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return g_error_copy (transport);
      /* Any TLS failure (an untrusted certificate, a failed handshake, a
       * server that does not speak TLS) gets one message. The library's
       * words go in brackets: they end with a full stop of their own. */
      if (transport->domain == G_TLS_ERROR)
        error = g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_TLS,
                             _("%s: no secure connection to %s (%s). Check the address, and that the server’s "
                               "certificate is valid and trusted by this computer."),
                             what, where, transport->message);
      else
        /* DNS (G_RESOLVER_ERROR), a refused, reset or timed-out
         * connection, a proxy that does not answer: the storage cannot be
         * reached now, which is worth another try later. */
        error = g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_NETWORK,
                             _("%s: cannot reach %s: %s; will try again"), what, where, transport->message);
      imu_redact_error (error);
      return error;
    }

  if (status >= 200 && status < 300)
    return NULL;

  more = detail != NULL && *detail != '\0' ? g_strconcat (" ", detail, NULL) : g_strdup ("");
  code = code_of_status (status);
  switch (code)
    {
    case IMU_SYNC_ERROR_AUTH:
      error = g_error_new (IMU_SYNC_ERROR, code,
                           _("%s: the storage refused the credentials (HTTP %u%s). Replace the target’s secret, "
                             "then retry. Nothing was lost."), what, status, more);
      break;
    case IMU_SYNC_ERROR_NOT_FOUND:
      error = g_error_new (IMU_SYNC_ERROR, code, _("%s: not found (HTTP %u%s)"), what, status, more);
      break;
    case IMU_SYNC_ERROR_CONFLICT:
      error = g_error_new (IMU_SYNC_ERROR, code,
                           _("%s: the storage refused it because the object changed or is in use (HTTP %u%s). "
                             "Retry when nothing else writes to it. Nothing was lost."), what, status, more);
      break;
    case IMU_SYNC_ERROR_THROTTLED:
      error = g_error_new (IMU_SYNC_ERROR, code, _("%s: the storage is busy (HTTP %u%s); will try again"),
                           what, status, more);
      break;
    case IMU_SYNC_ERROR_SERVER:
      if (status == 507)
        error = g_error_new (IMU_SYNC_ERROR, code, _("%s: the storage has no room left (HTTP 507%s); will try again"),
                             what, more);
      else
        error = g_error_new (IMU_SYNC_ERROR, code, _("%s: the storage is failing (HTTP %u%s); will try again"),
                             what, status, more);
      break;
    case IMU_SYNC_ERROR_PROTOCOL:
    default:
      error = g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL, _("%s: unexpected answer HTTP %u%s"),
                           what, status, more);
      break;
    }
  /* Only an outcome that is retried can be told when to come back. */
  if (wait_seconds != NULL && imu_sync_error_is_transient (error))
    *wait_seconds = imu_sync_parse_retry_after (retry_after);
  imu_redact_error (error);
  return error;
}
