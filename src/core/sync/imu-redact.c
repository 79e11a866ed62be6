/* imu-redact.c — hiding secrets in text before it is logged or shown
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every message of the sync code that may hold a URL or a header goes
 * through imu_redact() before it reaches a log, an error or the library
 * file: a SAS signature or an account key in a log is a leaked credential.
 */
#define G_LOG_DOMAIN "imu-redact"

#include <string.h>

#include "imu-redact.h"

#define MIN_SECRET_LEN 8

static GMutex secrets_lock;
static GPtrArray *secrets;   /* char*, longest first */

static GRegex *
query_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      /* A secret-bearing parameter name, then its value up to the next
       * separator. The name may follow ?, &, ;, a blank or the start. */
      GRegex *r = g_regex_new ("(^|[?&;\\s\"'(,])(sig|signature|x-amz-signature|x-amz-credential|"
                               "x-amz-security-token|accountkey|sharedaccesssignature)=([^&;\\s\"'<>)]*)",
                               G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&regex, r);
    }
  return regex;
}

static GRegex *
header_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      GRegex *r = g_regex_new ("(authorization\\s*[:=]\\s*)([^\\r\\n\"]*)|(SharedKey(?:Lite)?\\s+[^:\\s]+:)([A-Za-z0-9+/=]+)",
                               G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&regex, r);
    }
  return regex;
}

static gboolean
replace_query_cb (const GMatchInfo *info, GString *result, gpointer data)
{
  g_autofree char *lead = g_match_info_fetch (info, 1);
  g_autofree char *name = g_match_info_fetch (info, 2);

  g_string_append_printf (result, "%s%s=" IMU_REDACTED, lead, name);
  return FALSE;
}

static gboolean
replace_header_cb (const GMatchInfo *info, GString *result, gpointer data)
{
  g_autofree char *header = g_match_info_fetch (info, 1);
  g_autofree char *shared = g_match_info_fetch (info, 3);

  if (header != NULL && *header != '\0')
    g_string_append_printf (result, "%s" IMU_REDACTED, header);
  else
    g_string_append_printf (result, "%s" IMU_REDACTED, shared != NULL ? shared : "");
  return FALSE;
}

static char *
replace_all (char *text, const char *needle)
{
  GString *s;
  const char *p, *hit;
  gsize n = strlen (needle);

  if (n == 0 || strstr (text, needle) == NULL)
    return text;
  s = g_string_new (NULL);
  for (p = text; (hit = strstr (p, needle)) != NULL; p = hit + n)
    {
      g_string_append_len (s, p, hit - p);
      g_string_append (s, IMU_REDACTED);
    }
  g_string_append (s, p);
  g_free (text);
  return g_string_free (s, FALSE);
}

char *
imu_redact (const char *text)
{
  char *out, *tmp;

  if (text == NULL)
    return NULL;
  /* Registered secrets first: the patterns below would otherwise cut a
   * token in two (its sig= part) and leave the rest unrecognised. */
  out = g_strdup (text);
  g_mutex_lock (&secrets_lock);
  for (guint i = 0; secrets != NULL && i < secrets->len; i++)
    {
      const char *secret = g_ptr_array_index (secrets, i);
      g_autofree char *escaped = g_uri_escape_string (secret, NULL, FALSE);

      out = replace_all (out, secret);
      out = replace_all (out, escaped);
    }
  g_mutex_unlock (&secrets_lock);
  tmp = g_regex_replace_eval (query_regex (), out, -1, 0, 0, replace_query_cb, NULL, NULL);
  if (tmp != NULL)
    {
      g_free (out);
      out = tmp;
    }
  tmp = g_regex_replace_eval (header_regex (), out, -1, 0, 0, replace_header_cb, NULL, NULL);
  if (tmp != NULL)
    {
      g_free (out);
      out = tmp;
    }
  return out;
}

static int
longest_first (gconstpointer a, gconstpointer b)
{
  gsize la = strlen (*(const char * const *) a), lb = strlen (*(const char * const *) b);

  return la < lb ? 1 : la > lb ? -1 : 0;
}

void
imu_redact_add_secret (const char *secret)
{
  if (secret == NULL || strlen (secret) < MIN_SECRET_LEN)
    return;
  g_mutex_lock (&secrets_lock);
  if (secrets == NULL)
    secrets = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < secrets->len; i++)
    if (g_str_equal (g_ptr_array_index (secrets, i), secret))
      {
        g_mutex_unlock (&secrets_lock);
        return;
      }
  g_ptr_array_add (secrets, g_strdup (secret));
  g_ptr_array_sort (secrets, longest_first);
  g_mutex_unlock (&secrets_lock);
}

void
imu_redact_error (GError *error)
{
  char *clean;

  if (error == NULL)
    return;
  clean = imu_redact (error->message);
  g_free (error->message);
  error->message = clean;
}
