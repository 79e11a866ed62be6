/* imu-sync-http.h — what the HTTP backends share: the outcome table, requests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The Azure, S3 and WebDAV backends all speak HTTP through libsoup. What
 * an answer (or the lack of one) means for the scheduler — retry later,
 * wait for a person, give up on this object — is decided here, once, so
 * that the three backends cannot disagree. docs/sync.md shows the table.
 *
 * The requests themselves (send and read, a status that alone matters, a
 * delete, a HEAD, a GET into a file) and the reading of XML answers are
 * here too: each backend builds and signs its messages and words its own
 * errors (an ImuSyncHttpCheck), and the rest is the same for all three.
 * These are helpers for the backends in this folder, not public API.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

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

/**
 * imu_sync_http_error:
 * @target: the backend; a Retry-After of the answer is recorded on it
 *   (imu_sync_target_set_retry_after()) when the outcome is retried
 * @msg: the request
 * @status: the status to map (a backend may pass a more precise one than
 *   the answer's, as S3 does from its error code); ignored with @transport
 * @transport: (nullable): the error libsoup gave instead of an answer
 * @what: what was asked, for the message
 * @detail: (nullable): what the server said besides the status
 *
 * imu_sync_error_from_http() for an answer to @msg, with the target's URL
 * in the messages. Does no I/O.
 *
 * Returns: (transfer full) (nullable): %NULL for a 2xx @status, else the error
 */
GError *imu_sync_http_error (ImuSyncTarget *target,
                             SoupMessage   *msg,
                             guint          status,
                             const GError  *transport,
                             const char    *what,
                             const char    *detail);

/* The target's URL, parsed (encoded), once it passes the TLS rule
 * (imu_sync_check_url_security()). Does no I/O. */
GUri    *imu_sync_http_parse_url (const ImuSyncTargetConfig *config,
                                  GError                   **error);

/**
 * ImuSyncHttpCheck:
 * @target: the backend
 * @msg: the request, answered or not
 * @body: (nullable): the answer's body (or its start, for a GET)
 * @transport: (nullable): the error libsoup gave instead of an answer
 * @what: what was asked, for the message
 *
 * A backend's reading of an answer: TRUE when it is a success, else FALSE
 * with @error set (through imu_sync_http_error(), then in the backend's
 * own words where it has better ones).
 */
typedef gboolean (*ImuSyncHttpCheck) (ImuSyncTarget *target,
                                      SoupMessage   *msg,
                                      GBytes        *body,
                                      const GError  *transport,
                                      const char    *what,
                                      GError       **error);

/**
 * ImuSyncHttp:
 * @target: the backend: its URL goes in the messages, and a Retry-After
 *   of a failed answer is recorded on it
 * @session: the session of the thread that sends (timeouts, the user
 *   agent, TLS verified with the system's trust store)
 * @check: the backend's reading of an answer
 *
 * How a backend sends. A backend keeps one for its own thread; a worker
 * thread that sends in parallel makes its own, with its own session.
 */
typedef struct {
  ImuSyncTarget    *target;
  SoupSession      *session;
  ImuSyncHttpCheck  check;
} ImuSyncHttp;

/* Fills @http with a new session. Does no I/O. */
void           imu_sync_http_init        (ImuSyncHttp *http, ImuSyncTarget *target, ImuSyncHttpCheck check);
/* Drops the session of @http. */
void           imu_sync_http_clear       (ImuSyncHttp *http);

/* Sends @msg and reads the whole answer. Returns: (transfer full) the
 * body (empty, never %NULL, on success), %NULL with @error as the
 * backend words it. Blocking. */
GBytes        *imu_sync_http_send        (const ImuSyncHttp *http, SoupMessage *msg, const char *what,
                                          GCancellable *cancellable, GError **error);
/* Sends a request whose status alone matters; @ok_status is one more
 * status (besides 2xx) that counts as success, 0 for none (WebDAV's 405
 * to a MKCOL, a 409 to a create: it is there already). Returns the
 * status, 0 on error. Blocking. */
guint          imu_sync_http_send_status (const ImuSyncHttp *http, SoupMessage *msg, guint ok_status,
                                          const char *what, GCancellable *cancellable, GError **error);
/* Sends a DELETE (or an abort): an object that is not there (404, 410)
 * counts as deleted. Blocking. */
gboolean       imu_sync_http_delete      (const ImuSyncHttp *http, SoupMessage *msg, const char *what,
                                          GCancellable *cancellable, GError **error);
/* Sends the HEAD request @msg for @key and reads the object from the
 * answer's headers: size, ETag, Last-Modified, and the sha256 from
 * @sha256_header (%NULL where the storage has no metadata). Blocking. */
ImuSyncObject *imu_sync_http_head        (const ImuSyncHttp *http, SoupMessage *msg, const char *key,
                                          const char *sha256_header, GCancellable *cancellable, GError **error);
/* Sends the GET request @msg and streams its body into @local_path
 * (imu_sync_receive_file(): whole or not at all), held to its length
 * when the answer gives one. Blocking. */
gboolean       imu_sync_http_get_file    (const ImuSyncHttp *http, SoupMessage *msg, const char *local_path,
                                          const char *what, ImuSyncTransfer *transfer,
                                          GCancellable *cancellable, GError **error);

/**
 * ImuSyncHttpProgress:
 *
 * Follows the body of an upload: connect imu_sync_http_wrote_body_data_cb()
 * to a message's #SoupMessage::wrote-body-data with this as its data, and
 * @transfer hears @base plus the bytes written.
 */
typedef struct {
  ImuSyncTransfer *transfer;
  guint64          base;
  guint64          sent;
} ImuSyncHttpProgress;

void           imu_sync_http_wrote_body_data_cb (SoupMessage *msg,
                                                 guint        chunk_size,
                                                 gpointer     data);

/* Called for each element as it opens (@element without a namespace
 * prefix). */
typedef void (*ImuSyncXmlStart) (gpointer    data,
                                 const char *element);
/* Called for each element as it closes, with its parent's name ("" for
 * the root) and its text. */
typedef void (*ImuSyncXmlEnd)   (gpointer    data,
                                 const char *element,
                                 const char *parent,
                                 const char *text);

/**
 * imu_sync_xml_parse:
 * @body: (nullable): an XML answer; a byte order mark is skipped
 * @start: (nullable): called as each element opens
 * @end: (nullable): called as each element closes
 *
 * Reads an answer of the storage (List Blobs, ListObjectsV2, an <Error>,
 * a WebDAV multistatus) with GMarkup. Names are given without their
 * namespace prefix ("D:href" is "href").
 *
 * Returns: (transfer full): the root element's name, %NULL with
 *   %IMU_SYNC_ERROR_PROTOCOL when @body is not XML
 */
char          *imu_sync_xml_parse (GBytes           *body,
                                   ImuSyncXmlStart   start,
                                   ImuSyncXmlEnd     end,
                                   gpointer          data,
                                   GError          **error);

/* Begins the resume state of a put (a JSON object, see ImuSyncTransfer)
 * with what every backend records first: its kind ("azure", "s3") and
 * the sha256 of the bytes; the backend adds the rest. */
JsonBuilder   *imu_sync_resume_begin (const char *backend,
                                      const char *sha256);
/* Ends the object imu_sync_resume_begin() began: its text. */
char          *imu_sync_resume_end   (JsonBuilder *builder);

/* Reads a string member of a target's secret (a JSON object, as the
 * secret store gives it); %NULL when @secret is %NULL, not an object or
 * has no such string. */
char          *imu_sync_secret_dup_string (const char *secret,
                                           const char *member);

G_END_DECLS
