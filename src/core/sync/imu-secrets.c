/* imu-secrets.c — where sync credentials live (never in the library file)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A desktop has a Secret Service (GNOME Keyring, KWallet) on its session
 * bus; a headless field device usually has none, so the secrets go to a
 * JSON file only its owner may read, as ssh and rclone do.
 */
#define G_LOG_DOMAIN "imu-secrets"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>

#include "imu-redact.h"
#include "imu-secrets.h"

G_DEFINE_QUARK (imu-secrets-error-quark, imu_secrets_error)

static GMutex file_lock;

static const SecretSchema *
schema (void)
{
  static const SecretSchema s = {
    "io.github.imustudio.ImuStudio.SyncSecret", SECRET_SCHEMA_NONE,
    {
      { "secret-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
    0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
  };
  return &s;
}

static gboolean
secret_service_answers (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  if (g_getenv ("DBUS_SESSION_BUS_ADDRESS") == NULL)
    return FALSE;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);
  if (has_owner)
    return TRUE;
  /* Not running, but the bus may start it on demand. */
  g_clear_pointer (&reply, g_variant_unref);
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "ListActivatableNames",
                                       NULL, G_VARIANT_TYPE ("(as)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
  if (reply != NULL)
    {
      g_autofree const char **names = NULL;

      g_variant_get (reply, "(^a&s)", &names);
      for (guint i = 0; names != NULL && names[i] != NULL; i++)
        if (g_str_equal (names[i], "org.freedesktop.secrets"))
          return TRUE;
    }
  return FALSE;
}

const char *
imu_secrets_backend (void)
{
  static const char *backend;

  if (g_once_init_enter (&backend))
    {
      const char *forced = g_getenv ("IMU_SECRETS_BACKEND");
      const char *b;

      if (g_strcmp0 (forced, "file") == 0 || g_strcmp0 (forced, "secret-service") == 0)
        b = g_str_equal (forced, "file") ? "file" : "secret-service";
      else
        b = secret_service_answers () ? "secret-service" : "file";
      g_once_init_leave (&backend, b);
    }
  return backend;
}

char *
imu_secrets_file_path (void)
{
  return g_build_filename (g_get_user_config_dir (), "imu-studio", "secrets.json", NULL);
}

/* ---- the file store ---- */

static JsonObject *
file_load (const char *path, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len = 0;
  GStatBuf st;

  if (!g_file_get_contents (path, &text, &len, &local_error))
    {
      if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return json_object_new ();
      g_set_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_UNAVAILABLE,
                   _("Cannot read the secrets file %s: %s"), path, local_error->message);
      return NULL;
    }
  /* Someone loosened the mode: tighten it again rather than go on
   * leaking. */
  if (g_stat (path, &st) == 0 && (st.st_mode & 077) != 0)
    {
      g_message (_("%s was readable by others; its mode is now 0600"), path);
      g_chmod (path, 0600);
    }
  if (len == 0)
    return json_object_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local_error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_UNAVAILABLE,
                   _("The secrets file %s is damaged (not a JSON object); move it away and add the "
                     "targets' secrets again"), path);
      return NULL;
    }
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
file_save (const char *path, JsonObject *o, GError **error)
{
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), o);
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *text = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_UNAVAILABLE,
                   _("Cannot create %s: %s"), dir, g_strerror (errsv));
      return FALSE;
    }
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  if (!g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local_error))
    {
      g_set_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_UNAVAILABLE,
                   _("Cannot write the secrets file %s: %s"), path, local_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- API ---- */

gboolean
imu_secrets_store (const char   *secret_id,
                   const char   *label,
                   const char   *value,
                   GError      **error)
{
  g_return_val_if_fail (secret_id != NULL && *secret_id != '\0', FALSE);
  g_return_val_if_fail (value != NULL, FALSE);

  imu_redact_add_secret (value);
  if (g_str_equal (imu_secrets_backend (), "secret-service"))
    {
      g_autoptr(GError) local_error = NULL;

      if (secret_password_store_sync (schema (), SECRET_COLLECTION_DEFAULT, label, value, NULL, &local_error,
                                      "secret-id", secret_id, NULL))
        return TRUE;
      g_set_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_UNAVAILABLE,
                   _("The Secret Service refused to store the secret (is the keyring unlocked?): %s"),
                   local_error->message);
      return FALSE;
    }
  else
    {
      g_autofree char *path = imu_secrets_file_path ();
      g_autoptr(JsonObject) o = NULL;
      gboolean ok;

      g_mutex_lock (&file_lock);
      o = file_load (path, error);
      ok = o != NULL;
      if (ok)
        {
          json_object_set_string_member (o, secret_id, value);
          ok = file_save (path, o, error);
        }
      g_mutex_unlock (&file_lock);
      return ok;
    }
}

char *
imu_secrets_lookup (const char   *secret_id,
                    GError      **error)
{
  char *value = NULL;

  g_return_val_if_fail (secret_id != NULL, NULL);

  if (g_str_equal (imu_secrets_backend (), "secret-service"))
    {
      g_autoptr(GError) local_error = NULL;
      char *found = secret_password_lookup_sync (schema (), NULL, &local_error, "secret-id", secret_id, NULL);

      if (local_error != NULL)
        {
          g_set_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_UNAVAILABLE,
                       _("The Secret Service cannot be read (is the keyring unlocked?): %s"), local_error->message);
          return NULL;
        }
      value = g_strdup (found);
      secret_password_free (found);
    }
  else
    {
      g_autofree char *path = imu_secrets_file_path ();
      g_autoptr(JsonObject) o = NULL;

      g_mutex_lock (&file_lock);
      o = file_load (path, error);
      g_mutex_unlock (&file_lock);
      if (o == NULL)
        return NULL;
      if (json_object_has_member (o, secret_id)
          && json_node_get_value_type (json_object_get_member (o, secret_id)) == G_TYPE_STRING)
        value = g_strdup (json_object_get_string_member (o, secret_id));
    }
  if (value == NULL)
    {
      g_set_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_NOT_FOUND,
                   _("No secret is stored for this target (%s store)"), imu_secrets_backend ());
      return NULL;
    }
  imu_redact_add_secret (value);
  return value;
}

gboolean
imu_secrets_clear (const char   *secret_id,
                   GError      **error)
{
  g_return_val_if_fail (secret_id != NULL, FALSE);

  if (g_str_equal (imu_secrets_backend (), "secret-service"))
    {
      g_autoptr(GError) local_error = NULL;

      if (!secret_password_clear_sync (schema (), NULL, &local_error, "secret-id", secret_id, NULL)
          && local_error != NULL)
        {
          g_set_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_UNAVAILABLE,
                       _("The Secret Service refused to remove the secret: %s"), local_error->message);
          return FALSE;
        }
      return TRUE;
    }
  else
    {
      g_autofree char *path = imu_secrets_file_path ();
      g_autoptr(JsonObject) o = NULL;
      gboolean ok = TRUE;

      g_mutex_lock (&file_lock);
      o = file_load (path, error);
      if (o == NULL)
        ok = FALSE;
      else if (json_object_has_member (o, secret_id))
        {
          json_object_remove_member (o, secret_id);
          ok = file_save (path, o, error);
        }
      g_mutex_unlock (&file_lock);
      return ok;
    }
}
