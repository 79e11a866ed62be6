/* imu-sigv4.c — AWS Signature Version 4 request signing (S3 header auth)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The four steps of
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html:
 * canonical request → string to sign → signing key (HMAC chain over date,
 * region, service, "aws4_request") → signature. S3 differs from the other
 * services in one point that matters here: the path is encoded once, not
 * twice, so the caller passes the path exactly as it is sent.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <string.h>

#include "imu-sigv4.h"

#define ALGORITHM "AWS4-HMAC-SHA256"
#define KEY_LEN 32

struct _ImuSigv4
{
  char   *access_key;
  char   *secret_key;
  char   *region;
  char   *service;
  /* The signing key depends only on the day: derived once per day. */
  char    key_date[9];
  guint8  key[KEY_LEN];
};

ImuSigv4 *
imu_sigv4_new (const char *access_key,
               const char *secret_key,
               const char *region,
               const char *service)
{
  ImuSigv4 *self;

  g_return_val_if_fail (access_key != NULL && secret_key != NULL, NULL);
  g_return_val_if_fail (region != NULL && service != NULL, NULL);

  self = g_new0 (ImuSigv4, 1);
  self->access_key = g_strdup (access_key);
  self->secret_key = g_strdup (secret_key);
  self->region = g_strdup (region);
  self->service = g_strdup (service);
  return self;
}

void
imu_sigv4_free (ImuSigv4 *self)
{
  if (self == NULL)
    return;
  /* Do not leave the credential in freed memory (core dumps). */
  memset (self->secret_key, 0, strlen (self->secret_key));
  memset (self->key, 0, sizeof self->key);
  g_free (self->access_key);
  g_free (self->secret_key);
  g_free (self->region);
  g_free (self->service);
  g_free (self);
}

static gboolean
is_unreserved (guchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~';
}

char *
imu_sigv4_uri_encode (const char *text, gboolean keep_slash)
{
  static const char hex[] = "0123456789ABCDEF";
  GString *s;

  g_return_val_if_fail (text != NULL, NULL);

  s = g_string_sized_new (strlen (text) * 3 / 2 + 1);
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (is_unreserved (*p) || (keep_slash && *p == '/'))
        g_string_append_c (s, (char) *p);
      else
        {
          g_string_append_c (s, '%');
          g_string_append_c (s, hex[*p >> 4]);
          g_string_append_c (s, hex[*p & 15]);
        }
    }
  return g_string_free (s, FALSE);
}

typedef struct {
  char *name;
  char *value;
} Pair;

static void
pair_clear (gpointer data)
{
  Pair *p = data;

  g_free (p->name);
  g_free (p->value);
}

static int
pair_cmp (gconstpointer a, gconstpointer b)
{
  const Pair *pa = a, *pb = b;
  int c = strcmp (pa->name, pb->name);

  return c != 0 ? c : strcmp (pa->value, pb->value);
}

char *
imu_sigv4_canonical_query (const char * const *params)
{
  g_autoptr(GArray) pairs = g_array_new (FALSE, TRUE, sizeof (Pair));
  GString *s = g_string_new (NULL);

  g_array_set_clear_func (pairs, pair_clear);
  for (guint i = 0; params != NULL && params[i] != NULL; i += 2)
    {
      Pair p = { imu_sigv4_uri_encode (params[i], FALSE),
                 imu_sigv4_uri_encode (params[i + 1] != NULL ? params[i + 1] : "", FALSE) };

      g_array_append_val (pairs, p);
    }
  /* Sorted by the encoded names (byte order), as the specification says. */
  g_array_sort (pairs, pair_cmp);
  for (guint i = 0; i < pairs->len; i++)
    {
      const Pair *p = &g_array_index (pairs, Pair, i);

      g_string_append_printf (s, "%s%s=%s", i > 0 ? "&" : "", p->name, p->value);
    }
  return g_string_free (s, FALSE);
}

char *
imu_sigv4_format_date (GDateTime *when)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (when);

  return g_date_time_format (utc, "%Y%m%dT%H%M%SZ");
}

/* A header value as SigV4 canonicalises it: trimmed, with every run of
 * blanks inside squeezed to one space. */
static char *
canonical_value (const char *value)
{
  GString *s = g_string_new (NULL);
  gboolean blank = FALSE;

  while (*value == ' ' || *value == '\t')
    value++;
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        blank = TRUE;
      else
        {
          if (blank && s->len > 0)
            g_string_append_c (s, ' ');
          blank = FALSE;
          g_string_append_c (s, *p);
        }
    }
  return g_string_free (s, FALSE);
}

static void
hmac_sha256 (const guint8 *key, gsize key_len, const char *data, guint8 out[KEY_LEN])
{
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  gsize len = KEY_LEN;

  g_hmac_update (hmac, (const guchar *) data, (gssize) strlen (data));
  g_hmac_get_digest (hmac, out, &len);
}

static void
derive_key (ImuSigv4 *self, const char *date)
{
  g_autofree char *k_secret = NULL;
  guint8 k_date[KEY_LEN], k_region[KEY_LEN], k_service[KEY_LEN];

  if (strcmp (self->key_date, date) == 0)
    return;
  k_secret = g_strconcat ("AWS4", self->secret_key, NULL);
  hmac_sha256 ((const guint8 *) k_secret, strlen (k_secret), date, k_date);
  hmac_sha256 (k_date, KEY_LEN, self->region, k_region);
  hmac_sha256 (k_region, KEY_LEN, self->service, k_service);
  hmac_sha256 (k_service, KEY_LEN, "aws4_request", self->key);
  g_strlcpy (self->key_date, date, sizeof self->key_date);
  memset (k_secret, 0, strlen (k_secret));
  memset (k_date, 0, sizeof k_date);
  memset (k_region, 0, sizeof k_region);
  memset (k_service, 0, sizeof k_service);
}

char *
imu_sigv4_sign (ImuSigv4           *self,
                const char         *method,
                const char         *encoded_path,
                const char * const *params,
                const char * const *headers,
                char              **canonical_request,
                char              **string_to_sign)
{
  g_autoptr(GArray) hdrs = g_array_new (FALSE, TRUE, sizeof (Pair));
  g_autoptr(GString) canon = g_string_new (NULL);
  g_autoptr(GString) signed_names = g_string_new (NULL);
  g_autoptr(GString) sts = g_string_new (NULL);
  g_autofree char *query = imu_sigv4_canonical_query (params);
  g_autofree char *canon_hash = NULL;
  g_autofree char *date = NULL;
  const char *amz_date = NULL, *payload_hash = NULL;
  guint8 signature[KEY_LEN];
  char signature_hex[2 * KEY_LEN + 1];

  g_return_val_if_fail (self != NULL && method != NULL && encoded_path != NULL && headers != NULL, NULL);

  g_array_set_clear_func (hdrs, pair_clear);
  for (guint i = 0; headers[i] != NULL; i += 2)
    {
      Pair p = { g_ascii_strdown (headers[i], -1), canonical_value (headers[i + 1] != NULL ? headers[i + 1] : "") };
      gboolean merged = FALSE;

      /* A header given twice is one line, its values joined by commas. */
      for (guint j = 0; j < hdrs->len && !merged; j++)
        {
          Pair *q = &g_array_index (hdrs, Pair, j);

          if (strcmp (q->name, p.name) == 0)
            {
              char *joined = g_strconcat (q->value, ",", p.value, NULL);

              g_free (q->value);
              q->value = joined;
              merged = TRUE;
            }
        }
      if (merged)
        pair_clear (&p);
      else
        g_array_append_val (hdrs, p);
    }
  g_array_sort (hdrs, pair_cmp);
  for (guint i = 0; i < hdrs->len; i++)
    {
      const Pair *p = &g_array_index (hdrs, Pair, i);

      if (strcmp (p->name, "x-amz-date") == 0)
        amz_date = p->value;
      else if (strcmp (p->name, "x-amz-content-sha256") == 0)
        payload_hash = p->value;
    }
  if (amz_date == NULL || strlen (amz_date) != 16 || payload_hash == NULL)
    {
      g_critical ("%s: the headers must include x-amz-date (YYYYMMDDTHHMMSSZ) and x-amz-content-sha256", G_STRFUNC);
      return NULL;
    }

  /* 1. The canonical request. */
  g_string_append_printf (canon, "%s\n%s\n%s\n", method, encoded_path, query);
  for (guint i = 0; i < hdrs->len; i++)
    {
      const Pair *p = &g_array_index (hdrs, Pair, i);

      g_string_append_printf (canon, "%s:%s\n", p->name, p->value);
      g_string_append_printf (signed_names, "%s%s", i > 0 ? ";" : "", p->name);
    }
  g_string_append_printf (canon, "\n%s\n%s", signed_names->str, payload_hash);

  /* 2. The string to sign. */
  date = g_strndup (amz_date, 8);
  canon_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, canon->str, (gssize) canon->len);
  g_string_append_printf (sts, ALGORITHM "\n%s\n%s/%s/%s/aws4_request\n%s",
                          amz_date, date, self->region, self->service, canon_hash);

  /* 3 and 4. The signing key and the signature. */
  derive_key (self, date);
  hmac_sha256 (self->key, KEY_LEN, sts->str, signature);
  for (guint i = 0; i < KEY_LEN; i++)
    g_snprintf (signature_hex + 2 * i, 3, "%02x", signature[i]);

  if (canonical_request != NULL)
    *canonical_request = g_strdup (canon->str);
  if (string_to_sign != NULL)
    *string_to_sign = g_strdup (sts->str);
  return g_strdup_printf (ALGORITHM " Credential=%s/%s/%s/%s/aws4_request, SignedHeaders=%s, Signature=%s",
                          self->access_key, date, self->region, self->service, signed_names->str, signature_hex);
}
