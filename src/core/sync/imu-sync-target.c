/* imu-sync-target.c — a place sessions sync to: the backend interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-sync"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <nettle/sha2.h>

#include "imu-sync-azure.h"
#include "imu-sync-folder.h"
#include "imu-sync-s3.h"
#include "imu-sync-target.h"
#include "imu-sync-webdav.h"

G_DEFINE_QUARK (imu-sync-error-quark, imu_sync_error)

gboolean
imu_sync_error_is_transient (const GError *error)
{
  if (error == NULL || error->domain != IMU_SYNC_ERROR)
    return FALSE;
  return error->code == IMU_SYNC_ERROR_NETWORK || error->code == IMU_SYNC_ERROR_SERVER
         || error->code == IMU_SYNC_ERROR_THROTTLED;
}

/* ---- boxed types ---- */

G_DEFINE_BOXED_TYPE (ImuSyncTargetConfig, imu_sync_target_config,
                     imu_sync_target_config_copy, imu_sync_target_config_free)
G_DEFINE_BOXED_TYPE (ImuSyncObject, imu_sync_object, imu_sync_object_copy, imu_sync_object_free)

ImuSyncTargetConfig *
imu_sync_target_config_new (const char *name, const char *kind, const char *url)
{
  ImuSyncTargetConfig *c = g_new0 (ImuSyncTargetConfig, 1);

  c->name = g_strdup (name);
  c->kind = g_strdup (kind);
  c->url = g_strdup (url);
  c->prefix = g_strdup ("");
  c->config_json = g_strdup ("{}");
  c->secret_id = g_strdup ("");
  c->allow_metered = -1;
  return c;
}

ImuSyncTargetConfig *
imu_sync_target_config_copy (const ImuSyncTargetConfig *config)
{
  ImuSyncTargetConfig *c = g_memdup2 (config, sizeof *config);

  c->name = g_strdup (config->name);
  c->kind = g_strdup (config->kind);
  c->url = g_strdup (config->url);
  c->prefix = g_strdup (config->prefix);
  c->config_json = g_strdup (config->config_json);
  c->secret_id = g_strdup (config->secret_id);
  return c;
}

void
imu_sync_target_config_free (ImuSyncTargetConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->name);
  g_free (config->kind);
  g_free (config->url);
  g_free (config->prefix);
  g_free (config->config_json);
  g_free (config->secret_id);
  g_free (config);
}

/* The value of @member of config_json when it has @type (@parser holds
 * it), else NULL. */
static JsonNode *
config_value (const ImuSyncTargetConfig *config, const char *member, GType type, JsonParser *parser)
{
  JsonNode *root, *n;

  if (config->config_json == NULL || !json_parser_load_from_data (parser, config->config_json, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  n = json_object_get_member (json_node_get_object (root), member);
  return n != NULL && json_node_get_value_type (n) == type ? n : NULL;
}

char *
imu_sync_target_config_dup_string (const ImuSyncTargetConfig *config, const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *n = config_value (config, member, G_TYPE_STRING, parser);

  return n != NULL ? g_strdup (json_node_get_string (n)) : NULL;
}

gboolean
imu_sync_target_config_get_boolean (const ImuSyncTargetConfig *config, const char *member)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *n = config_value (config, member, G_TYPE_BOOLEAN, parser);

  return n != NULL && json_node_get_boolean (n);
}

gint64
imu_sync_target_config_get_int (const ImuSyncTargetConfig *config, const char *member, gint64 fallback)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *n = config_value (config, member, G_TYPE_INT64, parser);

  return n != NULL ? json_node_get_int (n) : fallback;
}

ImuSyncObject *
imu_sync_object_copy (const ImuSyncObject *object)
{
  ImuSyncObject *o = g_memdup2 (object, sizeof *object);

  o->key = g_strdup (object->key);
  o->sha256 = g_strdup (object->sha256);
  o->etag = g_strdup (object->etag);
  return o;
}

void
imu_sync_object_free (ImuSyncObject *object)
{
  if (object == NULL)
    return;
  g_free (object->key);
  g_free (object->sha256);
  g_free (object->etag);
  g_free (object);
}

void
imu_sync_transfer_clear (ImuSyncTransfer *transfer)
{
  g_clear_pointer (&transfer->resume_json, g_free);
}

void
imu_sync_transfer_progress (ImuSyncTransfer *transfer, guint64 bytes_done)
{
  if (transfer == NULL)
    return;
  transfer->bytes_done = bytes_done;
  if (transfer->changed != NULL)
    transfer->changed (transfer, FALSE, transfer->user_data);
}

void
imu_sync_transfer_save_resume (ImuSyncTransfer *transfer, const char *resume_json)
{
  if (transfer == NULL)
    return;
  g_free (transfer->resume_json);
  transfer->resume_json = g_strdup (resume_json);
  if (transfer->changed != NULL)
    transfer->changed (transfer, TRUE, transfer->user_data);
}

guint
imu_sync_parse_retry_after (const char *value)
{
  guint64 secs;
  g_autoptr(GDateTime) when = NULL;

  if (value == NULL)
    return 0;
  if (g_ascii_string_to_unsigned (value, 10, 0, 24 * 3600, &secs, NULL))
    return (guint) secs;
  when = soup_date_time_new_from_http_string (value);
  if (when != NULL)
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
      GTimeSpan diff = g_date_time_difference (when, now);

      return diff > 0 ? (guint) MIN (diff / G_USEC_PER_SEC + 1, 24 * 3600) : 0;
    }
  return 0;
}

#define RECEIVE_BLOCK (1 << 20)

gboolean
imu_sync_receive_file (GInputStream     *in,
                       gint64            expected,
                       const char       *local_path,
                       const char       *what,
                       ImuSyncTransfer  *transfer,
                       GCancellable     *cancellable,
                       GError          **read_error,
                       GError          **error)
{
  g_autofree char *tmp = g_strdup_printf ("%s.part-XXXXXX", local_path);
  g_autofree guint8 *buf = NULL;
  guint64 done = 0;
  int fd;
  gboolean ok = FALSE;

  g_return_val_if_fail (G_IS_INPUT_STREAM (in), FALSE);

  fd = g_mkstemp (tmp);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot create: %s"), local_path, g_strerror (errsv));
      return FALSE;
    }
  buf = g_malloc (RECEIVE_BLOCK);
  for (;;)
    {
      gsize n = 0, off = 0;

      /* Whole blocks: fewer, larger writes. */
      if (!g_input_stream_read_all (in, buf, RECEIVE_BLOCK, &n, cancellable, read_error))
        goto out;
      while (off < n)
        {
          ssize_t w = write (fd, buf + off, n - off);

          if (w < 0)
            {
              int errsv = errno;

              if (errsv == EINTR)
                continue;
              g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot write: %s"), local_path,
                           g_strerror (errsv));
              goto out;
            }
          off += (gsize) w;
        }
      done += n;
      imu_sync_transfer_progress (transfer, done);
      if (n < RECEIVE_BLOCK)
        break;
    }
  if (expected >= 0 && done != (guint64) expected)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NETWORK,
                   _("%s: the connection ended after %" PRIu64 " of %" PRId64 " bytes"),
                   what, done, expected);
      goto out;
    }
  if (fsync (fd) != 0 || close (fd) != 0)
    {
      int errsv = errno;

      fd = -1;
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot write: %s"), local_path, g_strerror (errsv));
      goto out;
    }
  fd = -1;
  if (g_rename (tmp, local_path) != 0)
    {
      int errsv = errno;

      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot write: %s"), local_path, g_strerror (errsv));
      goto out;
    }
  ok = TRUE;

out:
  if (fd >= 0)
    close (fd);
  if (!ok)
    g_unlink (tmp);
  return ok;
}

ImuSyncTestReport *
imu_sync_test_report_new (void)
{
  ImuSyncTestReport *r = g_new0 (ImuSyncTestReport, 1);

  r->lines = g_ptr_array_new_with_free_func (g_free);
  r->ok = TRUE;
  return r;
}

void
imu_sync_test_report_free (ImuSyncTestReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->lines);
  g_free (report);
}

void
imu_sync_test_report_add (ImuSyncTestReport *report, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (report->lines, g_strdup_vprintf (format, args));
  va_end (args);
}

void
imu_sync_test_report_list (ImuSyncTestReport *report, ImuSyncTarget *target, const char *prefix,
                           GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = imu_sync_target_list (target, prefix, cancellable, &error);

  if (list == NULL)
    {
      imu_sync_test_report_add (report, _("list: failed: %s"), error->message);
      report->ok = FALSE;
    }
  else
    imu_sync_test_report_add (report, _("list: ok (%u objects)"), list->len);
}

gboolean
imu_sync_test_report_probe (ImuSyncTestReport *report, ImuSyncTarget *target, const char *probe,
                            const GError *write_error, GCancellable *cancellable)
{
  g_autoptr(GError) error = NULL;

  if (write_error != NULL)
    imu_sync_test_report_add (report, _("write: failed: %s"), write_error->message);
  else if (!imu_sync_target_remove (target, probe, cancellable, &error))
    imu_sync_test_report_add (report, _("delete: failed: %s"), error->message);
  else
    return TRUE;
  report->ok = FALSE;
  return FALSE;
}

/* ---- the abstract class ---- */

typedef struct {
  ImuSyncTargetConfig *config;
  gint                 retry_after;   /* atomic: parallel uploads may set it */
} ImuSyncTargetPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (ImuSyncTarget, imu_sync_target, G_TYPE_OBJECT)

static void
imu_sync_target_finalize (GObject *object)
{
  ImuSyncTargetPrivate *priv = imu_sync_target_get_instance_private (IMU_SYNC_TARGET (object));

  imu_sync_target_config_free (priv->config);
  G_OBJECT_CLASS (imu_sync_target_parent_class)->finalize (object);
}

static void
imu_sync_target_class_init (ImuSyncTargetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = imu_sync_target_finalize;
}

static void
imu_sync_target_init (ImuSyncTarget *self)
{
}

gboolean
imu_sync_target_kind_supported (const char *kind)
{
  return g_strcmp0 (kind, "folder") == 0 || g_strcmp0 (kind, "azure") == 0
         || g_strcmp0 (kind, "s3") == 0 || g_strcmp0 (kind, "webdav") == 0;
}

gboolean
imu_sync_target_kind_uses_network (const char *kind)
{
  return g_strcmp0 (kind, "folder") != 0;
}

ImuSyncTarget *
imu_sync_target_new (const ImuSyncTargetConfig *config,
                     const char                *secret,
                     GError                   **error)
{
  g_autoptr(ImuSyncTarget) self = NULL;
  ImuSyncTargetPrivate *priv;
  GType type;

  g_return_val_if_fail (config != NULL, NULL);

  /* S3 and WebDAV join here with one line each. */
  if (g_strcmp0 (config->kind, "folder") == 0)
    type = IMU_TYPE_SYNC_FOLDER;
  else if (g_strcmp0 (config->kind, "azure") == 0)
    type = IMU_TYPE_SYNC_AZURE;
  else if (g_strcmp0 (config->kind, "s3") == 0)
    type = IMU_TYPE_SYNC_S3;
  else if (g_strcmp0 (config->kind, "webdav") == 0)
    type = IMU_TYPE_SYNC_WEBDAV;
  else
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                   _("Target “%s”: this build of IMU Studio cannot sync to “%s” targets"),
                   config->name, config->kind);
      return NULL;
    }
  self = g_object_new (type, NULL);
  priv = imu_sync_target_get_instance_private (self);
  priv->config = imu_sync_target_config_copy (config);
  if (priv->config->prefix == NULL)
    priv->config->prefix = g_strdup ("");
  if (!IMU_SYNC_TARGET_GET_CLASS (self)->setup (self, secret, error))
    {
      g_prefix_error (error, _("Target “%s”: "), config->name);
      return NULL;
    }
  return g_steal_pointer (&self);
}

const ImuSyncTargetConfig *
imu_sync_target_get_config (ImuSyncTarget *self)
{
  ImuSyncTargetPrivate *priv = imu_sync_target_get_instance_private (self);

  return priv->config;
}

static char *
prefix_with_slash (ImuSyncTarget *self)
{
  const char *prefix = imu_sync_target_get_config (self)->prefix;
  g_autofree char *trimmed = NULL;

  if (prefix == NULL || *prefix == '\0')
    return g_strdup ("");
  trimmed = g_strdup (prefix);
  while (*trimmed != '\0' && trimmed[strlen (trimmed) - 1] == '/')
    trimmed[strlen (trimmed) - 1] = '\0';
  return *trimmed != '\0' ? g_strconcat (trimmed + (trimmed[0] == '/' ? 1 : 0), "/", NULL) : g_strdup ("");
}

char *
imu_sync_target_session_key (ImuSyncTarget *self, const char *uuid, const char *file)
{
  g_autofree char *prefix = prefix_with_slash (self);

  return g_strdup_printf ("%ssessions/%s/%s", prefix, uuid, file);
}

char *
imu_sync_target_sessions_prefix (ImuSyncTarget *self)
{
  g_autofree char *prefix = prefix_with_slash (self);

  return g_strconcat (prefix, "sessions/", NULL);
}

char *
imu_sync_target_backups_prefix (ImuSyncTarget *self)
{
  g_autofree char *prefix = prefix_with_slash (self);

  return g_strconcat (prefix, "backups/", NULL);
}

guint
imu_sync_target_take_retry_after (ImuSyncTarget *self)
{
  ImuSyncTargetPrivate *priv = imu_sync_target_get_instance_private (self);
  return (guint) g_atomic_int_exchange (&priv->retry_after, 0);
}

void
imu_sync_target_set_retry_after (ImuSyncTarget *self, guint seconds)
{
  ImuSyncTargetPrivate *priv = imu_sync_target_get_instance_private (self);

  g_atomic_int_set (&priv->retry_after, (gint) MIN (seconds, (guint) G_MAXINT));
}

gboolean
imu_sync_target_put (ImuSyncTarget *self, const char *key, const char *local_path,
                     const char *sha256, const char *content_type,
                     ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (IMU_IS_SYNC_TARGET (self), FALSE);
  return IMU_SYNC_TARGET_GET_CLASS (self)->put (self, key, local_path, sha256, content_type, transfer, cancellable, error);
}

gboolean
imu_sync_target_get (ImuSyncTarget *self, const char *key, const char *local_path,
                     ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (IMU_IS_SYNC_TARGET (self), FALSE);
  return IMU_SYNC_TARGET_GET_CLASS (self)->get (self, key, local_path, transfer, cancellable, error);
}

ImuSyncObject *
imu_sync_target_head (ImuSyncTarget *self, const char *key, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (IMU_IS_SYNC_TARGET (self), NULL);
  return IMU_SYNC_TARGET_GET_CLASS (self)->head (self, key, cancellable, error);
}

GPtrArray *
imu_sync_target_list (ImuSyncTarget *self, const char *prefix, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (IMU_IS_SYNC_TARGET (self), NULL);
  return IMU_SYNC_TARGET_GET_CLASS (self)->list (self, prefix, cancellable, error);
}

gboolean
imu_sync_target_remove (ImuSyncTarget *self, const char *key, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (IMU_IS_SYNC_TARGET (self), FALSE);
  return IMU_SYNC_TARGET_GET_CLASS (self)->remove (self, key, cancellable, error);
}

gboolean
imu_sync_target_test (ImuSyncTarget *self, ImuSyncTestReport *report, GCancellable *cancellable, GError **error)
{
  g_return_val_if_fail (IMU_IS_SYNC_TARGET (self), FALSE);
  return IMU_SYNC_TARGET_GET_CLASS (self)->test (self, report, cancellable, error);
}

gboolean
imu_sync_target_abort (ImuSyncTarget *self, const char *key, const char *resume_json,
                       GCancellable *cancellable, GError **error)
{
  ImuSyncTargetClass *klass;

  g_return_val_if_fail (IMU_IS_SYNC_TARGET (self), FALSE);
  g_return_val_if_fail (key != NULL, FALSE);

  klass = IMU_SYNC_TARGET_GET_CLASS (self);
  /* A kind without abort keeps nothing a cancelled put must clean up. */
  if (klass->abort == NULL)
    return TRUE;
  return klass->abort (self, key, resume_json, cancellable, error);
}

/* ---- helpers ---- */

gboolean
imu_sync_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) addr = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  bare = g_strdup (host);
  if (bare[0] == '[' && bare[strlen (bare) - 1] == ']')
    {
      memmove (bare, bare + 1, strlen (bare));
      bare[strlen (bare) - 1] = '\0';
    }
  addr = g_inet_address_new_from_string (bare);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

gboolean
imu_sync_check_url_security (const char *url, gboolean insecure, GError **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("“%s” is not a URL"), url);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") != 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("“%s” is not an http or https URL"), url);
      return FALSE;
    }
  if (insecure || imu_sync_host_is_loopback (g_uri_get_host (uri)))
    return TRUE;
  g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INSECURE,
               _("plain http to %s would send data and credentials unencrypted; use https, "
                 "or add the target with --insecure if this network is trusted"), g_uri_get_host (uri));
  return FALSE;
}

int
imu_sync_open_upload (const char *local_path, ImuSyncTransfer *transfer, guint64 *size, GError **error)
{
  GStatBuf st;
  int fd = g_open (local_path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0 || fstat (fd, &st) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot open: %s"), local_path, g_strerror (errsv));
      return -1;
    }
  *size = (guint64) st.st_size;
  if (transfer != NULL)
    transfer->bytes_total = *size;
  return fd;
}

gboolean
imu_sync_read_at (int fd, guint8 *buf, gsize len, guint64 offset, const char *path, GError **error)
{
  gsize got = 0;

  while (got < len)
    {
      ssize_t n = pread (fd, buf + got, len - got, (off_t) (offset + got));

      if (n <= 0)
        {
          int errsv = errno;

          if (n < 0 && errsv == EINTR)
            continue;
          g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot read: %s"), path,
                       n < 0 ? g_strerror (errsv) : _("the file became shorter"));
          return FALSE;
        }
      got += (gsize) n;
    }
  return TRUE;
}

char *
imu_sync_sha256_file (const char *path, GCancellable *cancellable, GError **error)
{
  g_autofree guint8 *buf = g_malloc (1 << 20);
  struct sha256_ctx sha;
  guint8 digest[SHA256_DIGEST_SIZE];
  char *hex;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  ssize_t n;

  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot open: %s"), path, g_strerror (errsv));
      return NULL;
    }
  sha256_init (&sha);
  while ((n = read (fd, buf, 1 << 20)) != 0)
    {
      if (n < 0)
        {
          int errsv = errno;

          if (errsv == EINTR)
            continue;
          close (fd);
          g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot read: %s"), path, g_strerror (errsv));
          return NULL;
        }
      sha256_update (&sha, (size_t) n, buf);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          close (fd);
          return NULL;
        }
    }
  close (fd);
  sha256_digest (&sha, SHA256_DIGEST_SIZE, digest);
  hex = g_malloc (SHA256_DIGEST_SIZE * 2 + 1);
  for (guint i = 0; i < SHA256_DIGEST_SIZE; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}
