/* imu-sync-s3.c — S3-compatible object storage as a sync target (SigV4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every request is signed with SigV4 in the Authorization header
 * (imu-sigv4.c), over the payload's real sha256, so the storage refuses a
 * body changed on the way; parts also carry Content-MD5.
 *
 * A file up to one part (8 MiB) goes in a single PutObject. A bigger one
 * is a multipart upload: CreateMultipartUpload, UploadPart for each part,
 * CompleteMultipartUpload. The upload id and the ETags of the parts sent
 * are kept in the transfer's resume state; an interrupted upload of the
 * same bytes asks the storage which parts it holds (ListParts), keeps
 * those whose size and ETag (the MD5 of the part) match the local bytes,
 * and sends only the others. The bundle's sha256 is object metadata
 * (x-amz-meta-sha256), and a put ends with a HEAD that checks size and
 * sha256. https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 *
 * Addressing is virtual-hosted (https://BUCKET.endpoint/KEY) unless the
 * target asks for path-style (https://endpoint/BUCKET/KEY), or the
 * endpoint is an IP address, or the bucket name has a dot (it would not
 * match a wildcard certificate): the same rules as AWS's SDKs.
 *
 * libsoup's synchronous API is used from the transfer's worker thread;
 * each instance has its own SoupSession and is used by one thread.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <nettle/md5.h>
#include <nettle/sha2.h>

#include "imu-redact.h"
#include "imu-sigv4.h"
#include "imu-sync-http.h"
#include "imu-sync-s3.h"

#define SERVICE "s3"
#define DEFAULT_CONTENT_TYPE "application/octet-stream"
#define MIN_PART_SIZE (5 << 20)
/* Beyond this the clock is worth a line in `imu target test`; S3 refuses
 * requests more than 15 minutes off. */
#define CLOCK_SKEW_WARN_S 300

static gint upload_part_count;

struct _ImuSyncS3
{
  ImuSyncTarget  parent_instance;
  ImuSyncHttp    http;          /* its session, for the calling thread */
  ImuSigv4      *signer;
  char          *url_base;     /* scheme://host[:port], bucket included when virtual-hosted */
  char          *host_header;  /* host[:port] as sent and signed */
  char          *bucket_path;  /* "/BUCKET" path-style, "" virtual-hosted (after any endpoint path) */
  char          *bucket;
  char          *region;
  char          *access_key;
  gboolean       path_style;
  guint          part_size;
  GMutex         sign_lock;    /* the signer caches its key: one signature at a time */
  gboolean       may_create;   /* make a missing bucket on first use */
  gboolean       bucket_ready; /* made or found once */
};

G_DEFINE_FINAL_TYPE (ImuSyncS3, imu_sync_s3, IMU_TYPE_SYNC_TARGET)

guint
imu_sync_s3_get_upload_part_count (void)
{
  return (guint) g_atomic_int_get (&upload_part_count);
}

void
imu_sync_s3_set_part_size (ImuSyncS3 *self, guint part_size)
{
  g_return_if_fail (IMU_IS_SYNC_S3 (self));
  g_return_if_fail (part_size > 0);

  self->part_size = part_size;
}

/* ---- small helpers ---- */

static char *
hex_encode (const guint8 *data, gsize len)
{
  char *hex = g_malloc (2 * len + 1);

  for (gsize i = 0; i < len; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", data[i]);
  return hex;
}

/* sha256 (hex) and MD5 (raw) of a buffer. */
static char *
digest_buffer (const guint8 *data, gsize len, guint8 md5_out[MD5_DIGEST_SIZE])
{
  struct sha256_ctx sha;
  struct md5_ctx md5;
  guint8 digest[SHA256_DIGEST_SIZE];

  sha256_init (&sha);
  sha256_update (&sha, len, data);
  sha256_digest (&sha, SHA256_DIGEST_SIZE, digest);
  md5_init (&md5);
  md5_update (&md5, len, data);
  md5_digest (&md5, MD5_DIGEST_SIZE, md5_out);
  return hex_encode (digest, SHA256_DIGEST_SIZE);
}

/* An ETag without its quotes, lower case (S3 compares them so). */
static char *
etag_bare (const char *etag)
{
  GString *s = g_string_new (NULL);

  for (const char *p = etag != NULL ? etag : ""; *p != '\0'; p++)
    if (*p != '"')
      g_string_append_c (s, g_ascii_tolower (*p));
  return g_string_free (s, FALSE);
}

/* g_set_str() is GLib 2.76; Debian 12 has 2.74. */
static void
set_str (char **ptr, const char *value)
{
  char *copy = g_strdup (value);

  g_free (*ptr);
  *ptr = copy;
}

/* ---- XML answers ---- */

typedef struct {
  char *code;
  char *message;
} ErrorXml;

static void
error_end (gpointer data, const char *element, const char *parent, const char *text)
{
  ErrorXml *e = data;

  if (g_str_equal (parent, "Error") && g_str_equal (element, "Code"))
    set_str (&e->code, text);
  else if (g_str_equal (parent, "Error") && g_str_equal (element, "Message"))
    set_str (&e->message, text);
}

/* ---- requests ---- */

/**
 * build_message:
 * @key: (nullable): the object key, NULL for a request on the bucket
 * @params: (nullable): query, name, value, …, NULL (decoded)
 * @headers: (nullable): more headers to send and sign (Content-MD5,
 *   Content-Type, x-amz-meta-*), name, value, …, NULL
 * @payload_hash: (nullable): sha256 (hex) of the body, NULL for none
 *
 * A request signed with SigV4. The URL's query is the canonical query
 * itself, so that what is signed is byte for byte what is sent.
 */
static SoupMessage *
build_message (ImuSyncS3 *self, const char *method, const char *key, const char * const *params,
               const char * const *headers, const char *payload_hash)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr(GPtrArray) sign = g_ptr_array_new ();
  g_autofree char *query = imu_sigv4_canonical_query (params);
  g_autofree char *date = imu_sigv4_format_date (now);
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  SoupMessageHeaders *h;
  SoupMessage *msg;

  if (key != NULL)
    {
      g_autofree char *encoded = imu_sigv4_uri_encode (key, TRUE);

      path = g_strconcat (self->bucket_path, "/", encoded, NULL);
    }
  else
    path = g_strdup (*self->bucket_path != '\0' ? self->bucket_path : "/");
  url = g_strconcat (self->url_base, path, *query != '\0' ? "?" : "", query, NULL);
  msg = soup_message_new (method, url);
  g_assert (msg != NULL);
  h = soup_message_get_request_headers (msg);

  g_ptr_array_add (sign, (gpointer) "host");
  g_ptr_array_add (sign, self->host_header);
  g_ptr_array_add (sign, (gpointer) "x-amz-content-sha256");
  g_ptr_array_add (sign, (gpointer) (payload_hash != NULL ? payload_hash : IMU_SIGV4_EMPTY_SHA256));
  g_ptr_array_add (sign, (gpointer) "x-amz-date");
  g_ptr_array_add (sign, date);
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    {
      g_ptr_array_add (sign, (gpointer) headers[i]);
      g_ptr_array_add (sign, (gpointer) headers[i + 1]);
    }
  g_ptr_array_add (sign, NULL);
  for (guint i = 0; g_ptr_array_index (sign, i) != NULL; i += 2)
    soup_message_headers_replace (h, g_ptr_array_index (sign, i), g_ptr_array_index (sign, i + 1));

  g_mutex_lock (&self->sign_lock);
  auth = imu_sigv4_sign (self->signer, method, path, params, (const char * const *) sign->pdata, NULL, NULL);
  g_mutex_unlock (&self->sign_lock);
  soup_message_headers_replace (h, "Authorization", auth);
  return msg;
}

/* The status S3 documents for an error code
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html),
 * 0 for a code it does not classify. The code is more precise than the
 * status a compatible store sends with it, and it is all there is when
 * CompleteMultipartUpload answers 200 with an <Error> document. */
static guint
s3_code_status (const char *code)
{
  static const struct { const char *code; guint status; } codes[] = {
    { "InvalidAccessKeyId", 403 }, { "SignatureDoesNotMatch", 403 }, { "RequestTimeTooSkewed", 403 },
    { "AccessDenied", 403 }, { "NoSuchBucket", 404 }, { "NoSuchKey", 404 }, { "NoSuchUpload", 404 },
    { "InternalError", 500 }, { "SlowDown", 503 }, { "ServiceUnavailable", 503 },
  };

  for (guint i = 0; code != NULL && i < G_N_ELEMENTS (codes); i++)
    if (g_str_equal (code, codes[i].code))
      return codes[i].status;
  return 0;
}

/* Maps a transport error, a non-2xx status or an <Error> answer to an
 * IMU_SYNC_ERROR through the one table of imu-sync-http.c. S3 adds its
 * own words to the credential and missing-bucket rows (what to check),
 * and one refinement the status cannot give: a 400 whose code says the
 * bytes were damaged on the way is an integrity error. */
static gboolean
check_response (ImuSyncTarget *target, SoupMessage *msg, GBytes *body, const GError *transport, const char *what,
                GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  ErrorXml e = { NULL, NULL };
  g_autofree char *root = NULL;
  g_autofree char *detail = NULL;
  GError *err;
  guint status = 0, effective;

  if (transport == NULL)
    {
      status = soup_message_get_status (msg);
      if (body != NULL && g_bytes_get_size (body) > 0)
        root = imu_sync_xml_parse (body, NULL, error_end, &e, NULL);
      /* CompleteMultipartUpload may answer 200 and still fail: S3 sends
       * the status line first and the outcome later, as an <Error>
       * document. */
      if (status >= 200 && status < 300 && g_strcmp0 (root, "Error") != 0)
        {
          g_free (e.code);
          g_free (e.message);
          return TRUE;
        }
      detail = e.code != NULL ? g_strdup_printf ("%s%s%s", e.code, e.message != NULL ? ": " : "",
                                                 e.message != NULL ? e.message : "")
                              : g_strdup (soup_message_get_reason_phrase (msg) != NULL
                                          ? soup_message_get_reason_phrase (msg) : "");
    }
  effective = s3_code_status (e.code) != 0 ? s3_code_status (e.code) : status;
  if (transport == NULL && effective >= 200 && effective < 300)
    {
      /* An <Error> document in a success answer, with a code S3 does not
       * classify: nothing tells whether a retry would help. */
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL, _("%s: unexpected answer HTTP %u %s"),
                   what, status, detail);
      imu_redact_error (*error);
      g_free (e.code);
      g_free (e.message);
      return FALSE;
    }
  err = imu_sync_http_error (target, msg, effective, transport, what, detail);
  if (g_error_matches (err, IMU_SYNC_ERROR, IMU_SYNC_ERROR_AUTH))
    {
      g_free (err->message);
      if (g_strcmp0 (e.code, "RequestTimeTooSkewed") == 0)
        err->message = g_strdup_printf (_("%s: the storage refused the request because this computer’s clock is off "
                                          "by more than 15 minutes (HTTP %u %s). Set the clock right, then run “imu "
                                          "sync --retry”. Nothing was lost."),
                                        what, status, detail);
      else
        err->message = g_strdup_printf (_("%s: the storage refused the credentials (HTTP %u %s). Check the access key "
                                          "(%s), the secret key (“imu target secret %s --secret-from-stdin” replaces "
                                          "it), the region (%s), that the key may read and write bucket “%s”, and this "
                                          "computer’s clock; then run “imu sync --retry”. Nothing was lost."),
                                        what, status, detail, self->access_key, config->name, self->region,
                                        self->bucket);
    }
  else if (g_error_matches (err, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND) && g_strcmp0 (e.code, "NoSuchBucket") == 0)
    {
      g_free (err->message);
      err->message = g_strdup_printf (_("%s: bucket “%s” does not exist at %s (HTTP 404 %s); create it, or check the "
                                        "bucket name and the endpoint"), what, self->bucket, config->url, detail);
    }
  else if (g_error_matches (err, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL)
           && (g_strcmp0 (e.code, "BadDigest") == 0 || g_strcmp0 (e.code, "XAmzContentSHA256Mismatch") == 0
               || g_strcmp0 (e.code, "IncompleteBody") == 0))
    {
      g_clear_error (&err);
      err = g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
                         _("%s: the storage received other bytes than were sent (HTTP %u %s)"), what, status, detail);
    }
  imu_redact_error (err);
  g_propagate_error (error, err);
  g_free (e.code);
  g_free (e.message);
  return FALSE;
}

/* A missing bucket is made on first use, as rclone does (CreateBucket,
 * with the region as its LocationConstraint outside us-east-1; 409
 * BucketAlreadyOwnedByYou is fine). "create": "no" in the target's
 * configuration (imu target add --no-create) turns that off. */
static gboolean
ensure_bucket (ImuSyncS3 *self, GCancellable *cancellable, GError **error)
{
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autofree char *xml = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *what = NULL;

  if (self->bucket_ready || !self->may_create)
    return TRUE;
  if (self->region != NULL && *self->region != '\0' && g_strcmp0 (self->region, "us-east-1") != 0)
    {
      xml = g_strdup_printf ("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                             "<LocationConstraint>%s</LocationConstraint></CreateBucketConfiguration>", self->region);
      hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, xml, -1);
      body = g_bytes_new (xml, strlen (xml));
    }
  msg = build_message (self, "PUT", NULL, NULL, NULL, hash);
  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/xml", body);
  else
    soup_message_headers_set_content_length (soup_message_get_request_headers (msg), 0);
  what = g_strdup_printf (_("creating the bucket “%s”"), self->bucket);
  if (imu_sync_http_send_status (&self->http, msg, 409, what, cancellable, error) == 0)
    return FALSE;
  self->bucket_ready = TRUE;
  return TRUE;
}

/* Sends @method on @key (NULL: the bucket) and reads the XML answer
 * through @end into @data. */
static gboolean
send_xml (ImuSyncS3 *self, const char *method, const char *key, const char * const *params,
          const char * const *headers, ImuSyncXmlEnd end, gpointer data, const char *what,
          GCancellable *cancellable, GError **error)
{
  g_autoptr(SoupMessage) msg = build_message (self, method, key, params, headers, NULL);
  g_autoptr(GBytes) body = imu_sync_http_send (&self->http, msg, what, cancellable, error);
  g_autofree char *root = NULL;

  if (body == NULL)
    return FALSE;
  root = imu_sync_xml_parse (body, NULL, end, data, error);
  return root != NULL;
}

/* Appends @name=@value to the query @params (which has room for it)
 * unless @value is NULL. */
static void
add_param (const char **params, guint *n, const char *name, const char *value)
{
  if (value == NULL)
    return;
  params[(*n)++] = name;
  params[(*n)++] = value;
}

/* Takes @next as the marker of the next page of a listing; returns
 * whether there is one: the answer was cut, and its marker moved (a
 * store that repeats one would be asked forever). */
static gboolean
turn_page (char **marker, char *next, gboolean truncated)
{
  gboolean more = truncated && next != NULL && g_strcmp0 (next, *marker) != 0;

  g_free (*marker);
  *marker = next;
  return more;
}

/* ---- multipart uploads ---- */

typedef struct {
  guint64  size;
  char    *etag;   /* bare */
} PartInfo;

static void
part_info_free (gpointer data)
{
  PartInfo *p = data;

  g_free (p->etag);
  g_free (p);
}

typedef struct {
  char       *upload_id;
  /* ListParts */
  GHashTable *parts;        /* part number → PartInfo */
  guint       number;
  guint64     size;
  char       *etag;
  char       *next_marker;
  gboolean    truncated;
  /* ListMultipartUploads */
  GPtrArray  *uploads;      /* "key\nid" */
  char       *upload_key;
  char       *next_key_marker;
  char       *next_id_marker;
} MultipartXml;

static void
multipart_xml_clear (MultipartXml *m)
{
  g_free (m->upload_id);
  g_free (m->etag);
  g_free (m->next_marker);
  g_free (m->upload_key);
  g_free (m->next_key_marker);
  g_free (m->next_id_marker);
}

static void
multipart_end (gpointer data, const char *element, const char *parent, const char *text)
{
  MultipartXml *m = data;

  if (g_str_equal (element, "UploadId") && !g_str_equal (parent, "Upload"))
    set_str (&m->upload_id, text);
  else if (g_str_equal (element, "IsTruncated"))
    m->truncated = g_ascii_strcasecmp (text, "true") == 0;
  else if (g_str_equal (element, "NextPartNumberMarker"))
    set_str (&m->next_marker, text);
  else if (g_str_equal (parent, "Part") && g_str_equal (element, "PartNumber"))
    m->number = (guint) g_ascii_strtoull (text, NULL, 10);
  else if (g_str_equal (parent, "Part") && g_str_equal (element, "Size"))
    m->size = g_ascii_strtoull (text, NULL, 10);
  else if (g_str_equal (parent, "Part") && g_str_equal (element, "ETag"))
    set_str (&m->etag, text);
  else if (g_str_equal (element, "Part") && m->parts != NULL && m->number > 0)
    {
      PartInfo *p = g_new0 (PartInfo, 1);

      p->size = m->size;
      p->etag = etag_bare (m->etag);
      g_hash_table_insert (m->parts, GUINT_TO_POINTER (m->number), p);
      m->number = 0;
      m->size = 0;
      g_clear_pointer (&m->etag, g_free);
    }
  else if (g_str_equal (parent, "Upload") && g_str_equal (element, "Key"))
    set_str (&m->upload_key, text);
  else if (g_str_equal (parent, "Upload") && g_str_equal (element, "UploadId"))
    set_str (&m->etag, text);
  else if (g_str_equal (element, "Upload") && m->uploads != NULL && m->upload_key != NULL && m->etag != NULL)
    {
      g_ptr_array_add (m->uploads, g_strdup_printf ("%s\n%s", m->upload_key, m->etag));
      g_clear_pointer (&m->upload_key, g_free);
      g_clear_pointer (&m->etag, g_free);
    }
  else if (g_str_equal (element, "NextKeyMarker"))
    set_str (&m->next_key_marker, text);
  else if (g_str_equal (element, "NextUploadIdMarker"))
    set_str (&m->next_id_marker, text);
}

static char *
create_upload (ImuSyncS3 *self, const char *key, const char *sha256, const char *content_type,
               const char *what, GCancellable *cancellable, GError **error)
{
  const char *params[] = { "uploads", "", NULL };
  const char *headers[] = { "Content-Type", content_type, "x-amz-meta-sha256", sha256, NULL };
  MultipartXml m = { 0 };
  char *id;

  if (!send_xml (self, "POST", key, params, headers, multipart_end, &m, what, cancellable, error))
    {
      multipart_xml_clear (&m);
      return NULL;
    }
  id = g_steal_pointer (&m.upload_id);
  multipart_xml_clear (&m);
  if (id == NULL || *id == '\0')
    {
      g_free (id);
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL,
                   _("%s: the storage started a multipart upload without an upload id"), what);
      return NULL;
    }
  return id;
}

/* ListParts, all pages. NULL with IMU_SYNC_ERROR_NOT_FOUND when the
 * upload is gone (completed, aborted or expired). */
static GHashTable *
list_parts (ImuSyncS3 *self, const char *key, const char *upload_id, const char *what,
            GCancellable *cancellable, GError **error)
{
  g_autoptr(GHashTable) parts = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, part_info_free);
  g_autofree char *marker = NULL;
  gboolean more = TRUE;

  while (more)
    {
      const char *params[] = { "uploadId", upload_id, marker != NULL ? "part-number-marker" : NULL, marker, NULL };
      MultipartXml m = { .parts = parts };
      gboolean ok = send_xml (self, "GET", key, params, NULL, multipart_end, &m, what, cancellable, error);

      more = turn_page (&marker, g_steal_pointer (&m.next_marker), m.truncated);
      multipart_xml_clear (&m);
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&parts);
}

static gboolean
abort_upload (ImuSyncS3 *self, const char *key, const char *upload_id, GCancellable *cancellable, GError **error)
{
  const char *params[] = { "uploadId", upload_id, NULL };
  g_autoptr(SoupMessage) msg = build_message (self, "DELETE", key, params, NULL, NULL);
  g_autofree char *what = g_strdup_printf (_("aborting the upload of %s"), key);

  if (!imu_sync_http_delete (&self->http, msg, what, cancellable, error))
    return FALSE;
  g_debug ("aborted multipart upload %s of %s", upload_id, key);
  return TRUE;
}

GPtrArray *
imu_sync_s3_list_uploads (ImuSyncS3 *self, const char *prefix, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) uploads = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *key_marker = NULL;
  g_autofree char *id_marker = NULL;
  gboolean more = TRUE;

  g_return_val_if_fail (IMU_IS_SYNC_S3 (self), NULL);

  while (more)
    {
      const char *params[9] = { "uploads", "" };
      guint n = 2;
      MultipartXml m = { .uploads = uploads };
      gboolean ok;

      add_param (params, &n, "prefix", prefix);
      add_param (params, &n, "key-marker", key_marker);
      add_param (params, &n, "upload-id-marker", id_marker);
      ok = send_xml (self, "GET", NULL, params, NULL, multipart_end, &m, _("listing unfinished uploads"),
                     cancellable, error);
      /* The page ends at a key and an upload id: either moving is progress. */
      more = m.truncated && m.next_key_marker != NULL
             && (g_strcmp0 (m.next_key_marker, key_marker) != 0 || g_strcmp0 (m.next_id_marker, id_marker) != 0);
      g_free (key_marker);
      g_free (id_marker);
      key_marker = g_steal_pointer (&m.next_key_marker);
      id_marker = g_steal_pointer (&m.next_id_marker);
      multipart_xml_clear (&m);
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&uploads);
}

int
imu_sync_s3_abort_uploads (ImuSyncS3 *self, const char *key, GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) uploads = NULL;
  int aborted = 0;

  g_return_val_if_fail (IMU_IS_SYNC_S3 (self), -1);
  g_return_val_if_fail (key != NULL, -1);

  if (!(uploads = imu_sync_s3_list_uploads (self, key, cancellable, error)))
    return -1;
  for (guint i = 0; i < uploads->len; i++)
    {
      const char *entry = g_ptr_array_index (uploads, i);
      const char *nl = strchr (entry, '\n');

      /* The prefix also matches longer keys: only this key's uploads. */
      if (nl == NULL || (gsize) (nl - entry) != strlen (key) || strncmp (entry, key, (gsize) (nl - entry)) != 0)
        continue;
      if (!abort_upload (self, key, nl + 1, cancellable, error))
        return -1;
      aborted++;
    }
  return aborted;
}

/* The resume state of a multipart upload: which upload, which bytes, which
 * part size, and the ETags of the parts known to be there. */
static char *
resume_to_json (const char *key, const char *sha256, guint part_size, const char *upload_id,
                guint n_parts, char **etags)
{
  g_autoptr(JsonBuilder) b = imu_sync_resume_begin ("s3", sha256);

  json_builder_set_member_name (b, "key");
  json_builder_add_string_value (b, key);
  json_builder_set_member_name (b, "part_size");
  json_builder_add_int_value (b, part_size);
  json_builder_set_member_name (b, "upload_id");
  json_builder_add_string_value (b, upload_id);
  json_builder_set_member_name (b, "parts");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_parts; i++)
    if (etags[i] != NULL)
      {
        json_builder_begin_object (b);
        json_builder_set_member_name (b, "n");
        json_builder_add_int_value (b, i + 1);
        json_builder_set_member_name (b, "etag");
        json_builder_add_string_value (b, etags[i]);
        json_builder_end_object (b);
      }
  json_builder_end_array (b);
  return imu_sync_resume_end (b);
}

/* The object of @resume_json (parsed by @parser) when it is the state of
 * an S3 upload of @key with an upload id. */
static JsonObject *
resume_object (JsonParser *parser, const char *resume_json, const char *key)
{
  JsonObject *o;

  if (resume_json == NULL || !json_parser_load_from_data (parser, resume_json, -1, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (o, "backend", ""), "s3") != 0
      || g_strcmp0 (json_object_get_string_member_with_default (o, "key", ""), key) != 0
      || *json_object_get_string_member_with_default (o, "upload_id", "") == '\0')
    return NULL;
  return o;
}

/* The upload id of @resume_json when it is an S3 upload of the same key,
 * bytes and part size; the recorded ETags go to @etags. */
static char *
resume_from_json (const char *resume_json, const char *key, const char *sha256, guint part_size,
                  guint n_parts, char **etags)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = resume_object (parser, resume_json, key);
  JsonArray *parts;

  if (o == NULL || g_strcmp0 (json_object_get_string_member_with_default (o, "sha256", ""), sha256) != 0
      || json_object_get_int_member_with_default (o, "part_size", 0) != part_size)
    return NULL;
  parts = json_object_has_member (o, "parts") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (o, "parts"))
          ? json_object_get_array_member (o, "parts") : NULL;
  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonNode *n = json_array_get_element (parts, i);
      JsonObject *p = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      gint64 number = p != NULL ? json_object_get_int_member_with_default (p, "n", 0) : 0;
      const char *etag = p != NULL ? json_object_get_string_member_with_default (p, "etag", NULL) : NULL;

      if (number >= 1 && number <= n_parts && etag != NULL)
        set_str (&etags[number - 1], etag);
    }
  return g_strdup (json_object_get_string_member (o, "upload_id"));
}

/* PUTs the @len bytes of @buf as @key (one part of an upload when @params
 * says which), signed over their sha256 and with their Content-MD5, and
 * with @content_type and @sha256 as metadata when they are given (the
 * first part of a multipart upload gave them already). @wrote_cb follows
 * the body on @wrote_data. Returns: (transfer full) the answered request,
 * NULL with @error. */
static SoupMessage *
put_buffer (ImuSyncS3 *self, const ImuSyncHttp *http, const char *key, const char * const *params,
            const guint8 *buf, gsize len, const char *content_type, const char *sha256,
            GCallback wrote_cb, gpointer wrote_data, const char *what, GCancellable *cancellable, GError **error)
{
  g_autoptr(GBytes) body = g_bytes_new_static (buf, len);
  g_autoptr(GBytes) answer = NULL;
  g_autofree char *payload_sha = NULL;
  g_autofree char *md5_b64 = NULL;
  g_autoptr(SoupMessage) msg = NULL;
  guint8 md5[MD5_DIGEST_SIZE];

  payload_sha = digest_buffer (buf, len, md5);
  md5_b64 = g_base64_encode (md5, sizeof md5);
  {
    const char *headers[] = { "Content-MD5", md5_b64, content_type != NULL ? "Content-Type" : NULL, content_type,
                              "x-amz-meta-sha256", sha256, NULL };

    msg = build_message (self, "PUT", key, params, headers, payload_sha);
  }
  soup_message_set_request_body_from_bytes (msg, NULL, body);
  g_signal_connect (msg, "wrote-body-data", wrote_cb, wrote_data);
  answer = imu_sync_http_send (http, msg, what, cancellable, error);
  g_signal_handlers_disconnect_by_func (msg, wrote_cb, wrote_data);
  return answer != NULL ? g_steal_pointer (&msg) : NULL;
}

static gboolean
put_single (ImuSyncS3 *self, const char *key, int fd, const char *local_path, guint64 size, const char *sha256,
            const char *content_type, ImuSyncTransfer *transfer, const char *what,
            GCancellable *cancellable, GError **error)
{
  g_autofree guint8 *buf = g_malloc (MAX (size, 1));
  g_autoptr(SoupMessage) msg = NULL;
  ImuSyncHttpProgress progress = { transfer, 0, 0 };

  if (!imu_sync_read_at (fd, buf, (gsize) size, 0, local_path, error))
    return FALSE;
  if (!(msg = put_buffer (self, &self->http, key, NULL, buf, (gsize) size, content_type, sha256,
                          G_CALLBACK (imu_sync_http_wrote_body_data_cb), &progress, what, cancellable, error)))
    return FALSE;
  imu_sync_transfer_progress (transfer, size);
  return TRUE;
}

/* The parts of a multipart upload go up IMU_SYNC_S3_CONCURRENCY at a time,
 * each worker thread with its own connection (SoupSession) and buffer, as
 * other S3 clients do: one stream on a fast link waits for the storage's
 * acknowledgement of each part. The calling thread keeps every callback
 * (progress, resume state: the caller's library connection is for its
 * thread only) and hears from the workers through a queue. */
typedef struct {
  ImuSyncS3    *self;
  const char   *key;
  const char   *local_path;
  const char   *upload_id;
  const char   *what;
  int           fd;
  guint64       size;
  guint         part_size;
  guint         n_parts;
  /* Set by upload_parts(). */
  guint        *todo;          /* part indices to send */
  guint         n_todo;
  gint          next_todo;     /* atomic */
  gint          in_flight;     /* atomic: body bytes written of unfinished parts */
  GAsyncQueue  *events;        /* PartEvent */
  GCancellable *cancellable;   /* the workers' own, cancelled on the first failure */
} Uploader;

#define WORKER_DONE G_MAXUINT

typedef struct {
  guint   index;               /* WORKER_DONE: a worker has ended */
  char   *etag;
  GError *error;
} PartEvent;

static void
part_event_free (PartEvent *ev)
{
  g_free (ev->etag);
  g_clear_error (&ev->error);
  g_free (ev);
}

typedef struct {
  Uploader *up;
  guint     sent;
} WorkerProgress;

static void
worker_wrote_cb (SoupMessage *msg, guint chunk_size, gpointer data)
{
  WorkerProgress *wp = data;

  wp->sent += chunk_size;
  g_atomic_int_add (&wp->up->in_flight, (gint) chunk_size);
}

static char *
upload_one_part (Uploader *up, const ImuSyncHttp *http, guint8 *buf, guint i, GError **error)
{
  guint64 off = (guint64) i * up->part_size;
  gsize len = (gsize) MIN ((guint64) up->part_size, up->size - off);
  g_autofree char *number = g_strdup_printf ("%u", i + 1);
  const char *params[] = { "partNumber", number, "uploadId", up->upload_id, NULL };
  g_autoptr(SoupMessage) msg = NULL;
  WorkerProgress wp = { up, 0 };
  const char *etag;

  if (!imu_sync_read_at (up->fd, buf, len, off, up->local_path, error))
    return NULL;
  g_atomic_int_inc (&upload_part_count);
  msg = put_buffer (up->self, http, up->key, params, buf, len, NULL, NULL, G_CALLBACK (worker_wrote_cb), &wp,
                    up->what, up->cancellable, error);
  g_atomic_int_add (&up->in_flight, -(gint) wp.sent);
  if (msg == NULL)
    {
      g_prefix_error (error, _("part %u of %u: "), i + 1, up->n_parts);
      return NULL;
    }
  etag = soup_message_headers_get_one (soup_message_get_response_headers (msg), "ETag");
  if (etag == NULL || *etag == '\0')
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL,
                   _("%s: the storage took part %u without giving its ETag"), up->what, i + 1);
      return NULL;
    }
  return g_strdup (etag);
}

static gpointer
upload_worker (gpointer data)
{
  Uploader *up = data;
  g_autofree guint8 *buf = g_malloc (up->part_size);
  ImuSyncHttp http;

  imu_sync_http_init (&http, IMU_SYNC_TARGET (up->self), check_response);
  for (;;)
    {
      guint k = (guint) g_atomic_int_add (&up->next_todo, 1);
      gboolean failed;
      PartEvent *ev;

      if (k >= up->n_todo || g_cancellable_is_cancelled (up->cancellable))
        break;
      ev = g_new0 (PartEvent, 1);
      ev->index = up->todo[k];
      ev->etag = upload_one_part (up, &http, buf, ev->index, &ev->error);
      failed = ev->etag == NULL;
      /* The event belongs to the calling thread from here on. */
      g_async_queue_push (up->events, ev);
      if (failed)
        break;
    }
  {
    PartEvent *done = g_new0 (PartEvent, 1);

    done->index = WORKER_DONE;
    g_async_queue_push (up->events, done);
  }
  imu_sync_http_clear (&http);
  return NULL;
}

/* Sends the parts whose @etags are NULL, filling them in; saves the resume
 * state after each one. @done: bytes already there. */
static gboolean
upload_parts (Uploader *up, char **etags, const char *sha256, guint64 done, ImuSyncTransfer *transfer,
              GCancellable *cancellable, GError **error)
{
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autoptr(GError) failure = NULL;
  g_autofree guint *todo = g_new0 (guint, up->n_parts);
  guint running;

  for (guint i = 0; i < up->n_parts; i++)
    if (etags[i] == NULL)
      todo[up->n_todo++] = i;
  if (up->n_todo == 0)
    return TRUE;
  up->todo = todo;
  up->events = g_async_queue_new_full ((GDestroyNotify) part_event_free);
  up->cancellable = g_cancellable_new ();
  for (guint t = 0; t < MIN (up->n_todo, IMU_SYNC_S3_CONCURRENCY); t++)
    g_ptr_array_add (threads, g_thread_new ("imu-s3-part", upload_worker, up));
  running = threads->len;

  while (running > 0)
    {
      PartEvent *ev = g_async_queue_timeout_pop (up->events, 200 * 1000);

      /* The caller's cancellable (a stop) reaches the requests in flight. */
      if (g_cancellable_is_cancelled (cancellable))
        g_cancellable_cancel (up->cancellable);
      if (ev == NULL)
        {
          imu_sync_transfer_progress (transfer, done + (guint64) MAX (g_atomic_int_get (&up->in_flight), 0));
          continue;
        }
      if (ev->index == WORKER_DONE)
        running--;
      else if (ev->error != NULL)
        {
          /* The first real failure is the one to report; the others were
           * cancelled because of it. */
          if (failure == NULL || (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                                  && !g_error_matches (ev->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
            {
              g_clear_error (&failure);
              failure = g_steal_pointer (&ev->error);
            }
          g_cancellable_cancel (up->cancellable);
        }
      else
        {
          g_autofree char *resume = NULL;
          guint64 off = (guint64) ev->index * up->part_size;

          etags[ev->index] = g_steal_pointer (&ev->etag);
          done += MIN ((guint64) up->part_size, up->size - off);
          resume = resume_to_json (up->key, sha256, up->part_size, up->upload_id, up->n_parts, etags);
          imu_sync_transfer_save_resume (transfer, resume);
          imu_sync_transfer_progress (transfer, done + (guint64) MAX (g_atomic_int_get (&up->in_flight), 0));
          if (g_cancellable_is_cancelled (cancellable))
            g_cancellable_cancel (up->cancellable);
        }
      part_event_free (ev);
    }
  for (guint t = 0; t < threads->len; t++)
    g_thread_join (g_ptr_array_index (threads, t));
  g_async_queue_unref (up->events);
  g_clear_object (&up->cancellable);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (failure != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&failure));
      return FALSE;
    }
  for (guint i = 0; i < up->n_parts; i++)
    g_assert (etags[i] != NULL);
  return TRUE;
}

static gboolean
put_multipart (ImuSyncS3 *self, const char *key, int fd, const char *local_path, guint64 size, const char *sha256,
               const char *content_type, ImuSyncTransfer *transfer, const char *what,
               GCancellable *cancellable, GError **error)
{
  guint part_size = self->part_size;
  guint n_parts;
  /* Not a GStrv: parts not sent yet are NULL holes. */
  g_autoptr(GPtrArray) etag_array = g_ptr_array_new_with_free_func (g_free);
  char **etags;
  g_autofree char *upload_id = NULL;
  g_autofree guint8 *buf = NULL;
  g_autoptr(GString) xml = NULL;
  guint64 done = 0;

  /* Parts numbered 1…10000: a file that would need more gets bigger parts
   * (whole MiB, so the size stays stable across runs). */
  if ((size + part_size - 1) / part_size > IMU_SYNC_S3_MAX_PARTS)
    part_size = (guint) (((size + IMU_SYNC_S3_MAX_PARTS - 1) / IMU_SYNC_S3_MAX_PARTS + (1 << 20) - 1) & ~(guint64) ((1 << 20) - 1));
  n_parts = (guint) ((size + part_size - 1) / part_size);
  g_ptr_array_set_size (etag_array, (gint) n_parts + 1);
  etags = (char **) etag_array->pdata;
  buf = g_malloc (part_size);

  upload_id = resume_from_json (transfer != NULL ? transfer->resume_json : NULL, key, sha256, part_size, n_parts, etags);
  if (upload_id != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(GHashTable) parts = list_parts (self, key, upload_id, what, cancellable, &local_error);

      if (parts == NULL && !g_error_matches (local_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (parts == NULL)
        {
          /* Aborted or expired (buckets often expire unfinished uploads
           * after some days): start again. */
          g_debug ("multipart upload %s of %s is gone; starting again", upload_id, key);
          g_clear_pointer (&upload_id, g_free);
          for (guint i = 0; i < n_parts; i++)
            g_clear_pointer (&etags[i], g_free);
        }
      else
        {
          /* The storage is the truth about what it holds. A part counts
           * when its size is right and its ETag is either the one recorded
           * when it was sent or the MD5 of the local bytes (a crash can
           * come between sending a part and recording it). */
          for (guint i = 0; i < n_parts; i++)
            {
              guint64 off = (guint64) i * part_size;
              gsize len = (gsize) MIN ((guint64) part_size, size - off);
              PartInfo *p = g_hash_table_lookup (parts, GUINT_TO_POINTER (i + 1));
              g_autofree char *recorded = etag_bare (etags[i]);
              gboolean have = FALSE;

              if (p != NULL && p->size == len)
                {
                  if (etags[i] != NULL && g_str_equal (recorded, p->etag))
                    have = TRUE;
                  else
                    {
                      guint8 md5[MD5_DIGEST_SIZE];
                      g_autofree char *ignored = NULL;
                      g_autofree char *md5_hex = NULL;

                      if (!imu_sync_read_at (fd, buf, len, off, local_path, error))
                        return FALSE;
                      ignored = digest_buffer (buf, len, md5);
                      md5_hex = hex_encode (md5, sizeof md5);
                      have = g_str_equal (md5_hex, p->etag);
                    }
                }
              g_clear_pointer (&etags[i], g_free);
              if (have)
                {
                  etags[i] = g_strdup_printf ("\"%s\"", p->etag);
                  done += len;
                }
            }
          g_debug ("resuming multipart upload of %s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                   " bytes already there", key, done, size);
        }
    }
  if (upload_id == NULL)
    {
      g_autofree char *resume = NULL;

      if (!(upload_id = create_upload (self, key, sha256, content_type, what, cancellable, error)))
        return FALSE;
      resume = resume_to_json (key, sha256, part_size, upload_id, n_parts, etags);
      imu_sync_transfer_save_resume (transfer, resume);
    }
  imu_sync_transfer_progress (transfer, done);

  {
    Uploader up = { self, key, local_path, upload_id, what, fd, size, part_size, n_parts };

    if (!upload_parts (&up, etags, sha256, done, transfer, cancellable, error))
      return FALSE;
  }

  xml = g_string_new ("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
  for (guint i = 0; i < n_parts; i++)
    {
      g_autofree char *escaped = g_markup_escape_text (etags[i], -1);

      g_string_append_printf (xml, "<Part><PartNumber>%u</PartNumber><ETag>%s</ETag></Part>", i + 1, escaped);
    }
  g_string_append (xml, "</CompleteMultipartUpload>");
  {
    const char *params[] = { "uploadId", upload_id, NULL };
    const char *headers[] = { "Content-Type", "application/xml", NULL };
    g_autofree char *payload_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, xml->str, (gssize) xml->len);
    g_autoptr(SoupMessage) msg = build_message (self, "POST", key, params, headers, payload_sha);
    g_autoptr(GBytes) body = g_bytes_new (xml->str, xml->len);
    g_autoptr(GBytes) answer = NULL;

    soup_message_set_request_body_from_bytes (msg, NULL, body);
    if (!(answer = imu_sync_http_send (&self->http, msg, what, cancellable, error)))
      return FALSE;
  }
  return TRUE;
}

/* ---- ListObjectsV2 ---- */

typedef struct {
  GPtrArray *objects;
  char      *key;
  gint64     size;
  char      *etag;
  gint64     modified_us;
  char      *next_token;
  gboolean   truncated;
} ListXml;

static void
list_end (gpointer data, const char *element, const char *parent, const char *text)
{
  ListXml *l = data;

  if (g_str_equal (parent, "Contents"))
    {
      if (g_str_equal (element, "Key"))
        set_str (&l->key, text);
      else if (g_str_equal (element, "Size"))
        l->size = g_ascii_strtoll (text, NULL, 10);
      else if (g_str_equal (element, "ETag"))
        set_str (&l->etag, text);
      else if (g_str_equal (element, "LastModified"))
        {
          g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, NULL);

          l->modified_us = dt != NULL ? g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt) : 0;
        }
    }
  else if (g_str_equal (element, "Contents"))
    {
      if (l->key != NULL)
        {
          ImuSyncObject *o = g_new0 (ImuSyncObject, 1);

          o->key = g_steal_pointer (&l->key);
          o->size = l->size;
          o->etag = g_steal_pointer (&l->etag);
          o->modified_us = l->modified_us;
          g_ptr_array_add (l->objects, o);
        }
      g_clear_pointer (&l->key, g_free);
      g_clear_pointer (&l->etag, g_free);
      l->size = 0;
      l->modified_us = 0;
    }
  else if (g_str_equal (element, "NextContinuationToken"))
    set_str (&l->next_token, text);
  else if (g_str_equal (element, "IsTruncated"))
    l->truncated = g_ascii_strcasecmp (text, "true") == 0;
}

static GPtrArray *
imu_sync_s3_list (ImuSyncTarget *target, const char *prefix, GCancellable *cancellable, GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  g_autoptr(GPtrArray) objects = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_object_free);
  g_autofree char *token = NULL;
  gboolean more = TRUE;

  while (more)
    {
      const char *params[7] = { "list-type", "2" };
      guint n = 2;
      ListXml l = { objects };
      gboolean ok;

      add_param (params, &n, "prefix", prefix != NULL && *prefix != '\0' ? prefix : NULL);
      add_param (params, &n, "continuation-token", token);
      ok = send_xml (self, "GET", NULL, params, NULL, list_end, &l, _("listing the bucket"), cancellable, error);
      g_free (l.key);
      g_free (l.etag);
      more = turn_page (&token, l.next_token, l.truncated);
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&objects);
}

/* ---- vfuncs ---- */

/* An optional "part_size" member (bytes) of the target's config: a
 * smaller part makes a multipart upload out of a small bundle, which the
 * tests use to cancel a scheduler's upload part-way (S3 itself refuses
 * parts under 5 MiB but for the last). */
static void
config_part_size (ImuSyncS3 *self, const ImuSyncTargetConfig *config)
{
  gint64 size = imu_sync_target_config_get_int (config, "part_size", 0);

  if (size > 0 && size <= G_MAXINT32)
    self->part_size = (guint) size;
}

static gboolean
imu_sync_s3_setup (ImuSyncTarget *target, const char *secret, GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  g_autofree char *base = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *secret_key = NULL;
  const char *scheme;
  int port;

  if (!(uri = imu_sync_http_parse_url (config, error)))
    return FALSE;
  if (g_uri_get_query (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                   _("the endpoint must be a plain URL (https://HOST[:PORT]), without a query or a user"));
      return FALSE;
    }
  self->bucket = imu_sync_target_config_dup_string (config, "bucket");
  self->region = imu_sync_target_config_dup_string (config, "region");
  {
    g_autofree char *create = imu_sync_target_config_dup_string (config, "create");

    self->may_create = g_strcmp0 (create, "no") != 0;
  }
  self->access_key = imu_sync_target_config_dup_string (config, "access_key");
  config_part_size (self, config);
  if (self->bucket == NULL || *self->bucket == '\0' || strchr (self->bucket, '/') != NULL)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("it needs a bucket name (--bucket NAME)"));
      return FALSE;
    }
  if (self->region == NULL || *self->region == '\0')
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                   _("it needs the bucket’s region (--region, e.g. us-east-1), which SigV4 signs"));
      return FALSE;
    }
  if (self->access_key == NULL || *self->access_key == '\0')
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("it needs an access key id (--access-key ID)"));
      return FALSE;
    }
  secret_key = imu_sync_secret_dup_string (secret, "secret_key");
  if (secret_key == NULL || *secret_key == '\0')
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                   _("its secret key is not in the secret store; run “imu target secret %s --secret-from-stdin”"),
                   config->name);
      return FALSE;
    }
  imu_redact_add_secret (secret_key);

  /* Virtual-hosted addressing needs a DNS name the bucket can prefix, and
   * a certificate that covers it (*.endpoint covers no dotted bucket). */
  scheme = g_uri_get_scheme (uri);
  host = g_ascii_strdown (g_uri_get_host (uri), -1);
  self->path_style = imu_sync_target_config_get_boolean (config, "path_style")
                     || g_hostname_is_ip_address (host) || strchr (self->bucket, '.') != NULL;
  port = g_uri_get_port (uri);
  if (!self->path_style)
    {
      char *vhost = g_strconcat (self->bucket, ".", host, NULL);

      g_free (host);
      host = vhost;
    }
  /* The Host header as libsoup writes it: the port only when it is not
   * the scheme's default; IPv6 literals in brackets. */
  if (strchr (host, ':') != NULL)
    host_port = g_strdup_printf ("[%s]", host);
  else
    host_port = g_strdup (host);
  if (port > 0 && !((g_ascii_strcasecmp (scheme, "http") == 0 && port == 80)
                    || (g_ascii_strcasecmp (scheme, "https") == 0 && port == 443)))
    self->host_header = g_strdup_printf ("%s:%d", host_port, port);
  else
    self->host_header = g_strdup (host_port);
  self->url_base = g_strdup_printf ("%s://%s", scheme, self->host_header);

  base = g_strdup (g_uri_get_path (uri));
  while (*base != '\0' && base[strlen (base) - 1] == '/')
    base[strlen (base) - 1] = '\0';
  if (self->path_style)
    {
      g_autofree char *bucket = imu_sigv4_uri_encode (self->bucket, FALSE);

      self->bucket_path = g_strconcat (base, "/", bucket, NULL);
    }
  else
    self->bucket_path = g_steal_pointer (&base);

  self->signer = imu_sigv4_new (self->access_key, secret_key, self->region, SERVICE);
  imu_sync_http_init (&self->http, target, check_response);
  return TRUE;
}

static ImuSyncObject *
imu_sync_s3_head (ImuSyncTarget *target, const char *key, GCancellable *cancellable, GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  g_autoptr(SoupMessage) msg = build_message (self, "HEAD", key, NULL, NULL, NULL);

  return imu_sync_http_head (&self->http, msg, key, "x-amz-meta-sha256", cancellable, error);
}

static gboolean
imu_sync_s3_put (ImuSyncTarget *target, const char *key, const char *local_path, const char *sha256,
                 const char *content_type, ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  g_autofree char *what = g_strdup_printf (_("upload of %s"), key);
  g_autoptr(ImuSyncObject) landed = NULL;
  guint64 size = 0;
  gboolean ok;
  int fd;

  g_return_val_if_fail (sha256 != NULL && strlen (sha256) == 64, FALSE);

  if (content_type == NULL)
    content_type = DEFAULT_CONTENT_TYPE;
  if ((fd = imu_sync_open_upload (local_path, transfer, &size, error)) < 0)
    return FALSE;
  if (!ensure_bucket (self, cancellable, error))
    {
      close (fd);
      return FALSE;
    }
  if (size <= self->part_size)
    ok = put_single (self, key, fd, local_path, size, sha256, content_type, transfer, what, cancellable, error);
  else
    ok = put_multipart (self, key, fd, local_path, size, sha256, content_type, transfer, what, cancellable, error);
  close (fd);
  if (!ok)
    return FALSE;

  /* A multipart object is put together by the storage: check that what it
   * holds now has the size and the checksum that were sent. */
  if (!(landed = imu_sync_s3_head (target, key, cancellable, error)))
    return FALSE;
  if (landed->size != (gint64) size || g_strcmp0 (landed->sha256, sha256) != 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
                   _("%s: the storage holds %" PRId64 " bytes with sha256 %s, expected %" PRIu64
                     " bytes with sha256 %s"),
                   what, landed->size, landed->sha256 != NULL ? landed->sha256 : _("(none)"), size, sha256);
      return FALSE;
    }
  return TRUE;
}

static gboolean
imu_sync_s3_get (ImuSyncTarget *target, const char *key, const char *local_path,
                 ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  g_autoptr(SoupMessage) msg = build_message (self, "GET", key, NULL, NULL, NULL);
  g_autofree char *what = g_strdup_printf (_("download of %s"), key);

  return imu_sync_http_get_file (&self->http, msg, local_path, what, transfer, cancellable, error);
}

static gboolean
imu_sync_s3_remove (ImuSyncTarget *target, const char *key, GCancellable *cancellable, GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *what = g_strdup_printf (_("deleting %s"), key);
  g_autoptr(GError) local_error = NULL;

  /* An upload of this key that never finished holds parts the bucket's
   * owner pays for: abort it too. */
  if (imu_sync_s3_abort_uploads (self, key, cancellable, &local_error) < 0)
    {
      /* Some S3-compatible stores do not list uploads: not a reason to
       * keep the object. */
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("%s: %s", what, local_error->message);
      g_clear_error (&local_error);
    }
  msg = build_message (self, "DELETE", key, NULL, NULL, NULL);
  return imu_sync_http_delete (&self->http, msg, what, cancellable, error);
}

/* The upload id in @resume_json when it is an S3 upload of @key. */
static char *
resume_upload_id (const char *resume_json, const char *key)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *o = resume_object (parser, resume_json, key);

  return o != NULL ? g_strdup (json_object_get_string_member (o, "upload_id")) : NULL;
}

static gboolean
imu_sync_s3_abort (ImuSyncTarget *target, const char *key, const char *resume_json,
                   GCancellable *cancellable, GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  g_autofree char *upload_id = resume_upload_id (resume_json, key);
  g_autoptr(GError) local_error = NULL;

  /* The recorded upload first: it needs no listing, which some
   * S3-compatible stores do not offer. */
  if (upload_id != NULL && !abort_upload (self, key, upload_id, cancellable, error))
    return FALSE;
  /* Then any other unfinished upload of the key: one created just before
   * a crash, whose id never reached the resume state. */
  if (imu_sync_s3_abort_uploads (self, key, cancellable, &local_error) < 0)
    {
      /* Without a recorded id, the listing was the only way to find it. */
      if (upload_id == NULL || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("aborting the uploads of %s: %s", key, local_error->message);
    }
  return TRUE;
}

static gboolean
imu_sync_s3_test (ImuSyncTarget *target, ImuSyncTestReport *report, GCancellable *cancellable, GError **error)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *probe = imu_sync_target_session_key (target, ".imu-probe", uuid);
  g_autofree char *prefix = imu_sync_target_sessions_prefix (target);
  g_autoptr(GError) local_error = NULL;

  imu_sync_test_report_add (report, _("endpoint: %s (%s)"), config->url,
                            self->path_style ? _("path-style") : _("virtual-hosted"));
  imu_sync_test_report_add (report, _("bucket: %s, region: %s"), self->bucket, self->region);
  imu_sync_test_report_add (report, _("authentication: SigV4, access key %s"), self->access_key);

  /* Reachability, and the clock: SigV4 fails when it is 15 min off. */
  {
    const char *params[] = { "list-type", "2", "max-keys", "1", "prefix", prefix, NULL };
    g_autoptr(SoupMessage) msg = build_message (self, "GET", NULL, params, NULL, NULL);
    g_autoptr(GBytes) body = imu_sync_http_send (&self->http, msg, _("reaching the bucket"), cancellable, &local_error);
    const char *date = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Date");
    g_autoptr(GDateTime) server = date != NULL ? soup_date_time_new_from_http_string (date) : NULL;

    if (body == NULL)
      {
        imu_sync_test_report_add (report, _("reach the bucket: failed: %s"), local_error->message);
        report->ok = FALSE;
        g_clear_error (&local_error);
      }
    else
      imu_sync_test_report_add (report, _("reach the bucket: ok"));
    if (server != NULL)
      {
        g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
        gint64 skew = g_date_time_difference (now, server) / G_USEC_PER_SEC;

        if (ABS (skew) > CLOCK_SKEW_WARN_S)
          {
            imu_sync_test_report_add (report, _("clock: this computer is %" PRId64 " s %s the storage; "
                                                "SigV4 fails beyond 15 minutes: set the clock right"),
                                      ABS (skew), skew > 0 ? _("ahead of") : _("behind"));
            report->ok = FALSE;
          }
        else
          imu_sync_test_report_add (report, _("clock: within %" PRId64 " s of the storage’s"), ABS (skew));
      }
  }

  imu_sync_test_report_list (report, target, prefix, cancellable);

  {
    static const char probe_text[] = "probe\n";
    g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, probe_text, -1);
    const char *headers[] = { "Content-Type", "text/plain", NULL };
    g_autoptr(SoupMessage) msg = build_message (self, "PUT", probe, NULL, headers, sha);
    g_autoptr(GBytes) body = g_bytes_new_static (probe_text, strlen (probe_text));
    g_autoptr(GBytes) answer = NULL;

    soup_message_set_request_body_from_bytes (msg, NULL, body);
    answer = imu_sync_http_send (&self->http, msg, _("writing a probe object"), cancellable, &local_error);
    if (imu_sync_test_report_probe (report, target, probe, local_error, cancellable))
      imu_sync_test_report_add (report, _("write and delete a probe object: ok"));
  }
  return TRUE;
}

static void
imu_sync_s3_finalize (GObject *object)
{
  ImuSyncS3 *self = IMU_SYNC_S3 (object);

  imu_sync_http_clear (&self->http);
  g_clear_pointer (&self->signer, imu_sigv4_free);
  g_free (self->url_base);
  g_free (self->host_header);
  g_free (self->bucket_path);
  g_free (self->bucket);
  g_free (self->region);
  g_free (self->access_key);
  g_mutex_clear (&self->sign_lock);
  G_OBJECT_CLASS (imu_sync_s3_parent_class)->finalize (object);
}

static void
imu_sync_s3_class_init (ImuSyncS3Class *klass)
{
  ImuSyncTargetClass *target_class = IMU_SYNC_TARGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = imu_sync_s3_finalize;
  target_class->setup = imu_sync_s3_setup;
  target_class->put = imu_sync_s3_put;
  target_class->get = imu_sync_s3_get;
  target_class->head = imu_sync_s3_head;
  target_class->list = imu_sync_s3_list;
  target_class->remove = imu_sync_s3_remove;
  target_class->test = imu_sync_s3_test;
  target_class->abort = imu_sync_s3_abort;
}

static void
imu_sync_s3_init (ImuSyncS3 *self)
{
  self->part_size = IMU_SYNC_S3_PART_SIZE;
  g_mutex_init (&self->sign_lock);
}
