/* imu-sigv4.h — AWS Signature Version 4 request signing (S3 header auth)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 * Separate from the S3 backend so that it can be checked on its own
 * against AWS's published examples and AWS's own signer (tests/test-sigv4.c).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The payload hash of a request with no body: sha256 of "". */
#define IMU_SIGV4_EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/**
 * ImuSigv4:
 *
 * A credential and its scope (region, service). Holds the secret key and
 * the signing key derived from it for the current day; not thread-safe
 * (one per backend instance).
 */
typedef struct _ImuSigv4 ImuSigv4;

ImuSigv4 *imu_sigv4_new  (const char *access_key,
                          const char *secret_key,
                          const char *region,
                          const char *service);
/* Overwrites the secret and the derived key before freeing them. */
void      imu_sigv4_free (ImuSigv4   *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSigv4, imu_sigv4_free)

/**
 * imu_sigv4_uri_encode:
 * @text: UTF-8 text
 * @keep_slash: leave "/" as it is (object key paths) instead of "%2F"
 *
 * SigV4's URI encoding: every byte except the unreserved characters
 * A–Z a–z 0–9 - . _ ~ becomes %XY (upper-case hex); a space is "%20",
 * never "+".
 */
char     *imu_sigv4_uri_encode      (const char *text,
                                     gboolean    keep_slash);

/**
 * imu_sigv4_canonical_query:
 * @params: (nullable): name, value, name, value, …, NULL (decoded; a
 *   value may be "" as in "uploads=")
 *
 * The canonical query string: each name and value URI-encoded, sorted by
 * name then value, joined as "a=1&b=2". Use the same string as the URL's
 * query so that what is signed is what is sent.
 */
char     *imu_sigv4_canonical_query (const char * const *params);

/* "20130524T000000Z" for @when (converted to UTC). */
char     *imu_sigv4_format_date     (GDateTime *when);

/**
 * imu_sigv4_sign:
 * @method: "GET", "PUT"…
 * @encoded_path: the request path as sent, already URI-encoded
 *   (imu_sigv4_uri_encode (path, TRUE)), starting with "/"
 * @params: (nullable): the query, as for imu_sigv4_canonical_query()
 * @headers: name, value, …, NULL: exactly the headers to sign. They must
 *   include "host", "x-amz-date" (which gives the date of the scope) and
 *   "x-amz-content-sha256" (the payload hash that is signed, hex or
 *   "UNSIGNED-PAYLOAD"). Names in any case; values are trimmed and inner
 *   runs of blanks squeezed, as SigV4 says.
 * @canonical_request: (out) (optional): the canonical request, for tests
 *   and for comparing with a server's StringToSign
 * @string_to_sign: (out) (optional): the string to sign
 *
 * Signs a request. Does no I/O.
 *
 * Returns: the value of the Authorization header
 *   ("AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…"), or
 *   %NULL when a required header is missing
 */
char     *imu_sigv4_sign (ImuSigv4           *self,
                          const char         *method,
                          const char         *encoded_path,
                          const char * const *params,
                          const char * const *headers,
                          char              **canonical_request,
                          char              **string_to_sign);

G_END_DECLS
