/* imu-sync-targets.c — adding, testing, re-keying and removing sync targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Before these functions, `imu target` and the Preferences page each
 * wrote a row and a secret in their own way: the page left the secret in
 * the keyring when it removed a target, did not queue again what waited
 * for a new secret, and each face had its own answer to a secret that
 * could not be read. Now both call this file.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "imu-redact.h"
#include "imu-secrets.h"
#include "imu-sync-azure.h"
#include "imu-sync-queue.h"
#include "imu-sync-targets.h"

/* What a target's secret is called, and the option of `imu target secret`
 * that gives it again. The name stands in brackets in the messages, so
 * that no language has to fit its article or gender into a sentence. */
typedef struct {
  const char *member;   /* in the secret's JSON object */
  const char *noun;     /* N_() */
  const char *option;
} SecretKind;

static const SecretKind secret_kinds[] = {
  { "sas",        N_("SAS token"),         "--sas-from-stdin" },
  { "key",        N_("account key"),       "--key-from-stdin" },
  { "secret_key", N_("secret access key"), "--secret-from-stdin" },
  { "password",   N_("password"),          "--password-from-stdin" },
};

gboolean
imu_sync_target_kind_has_secret (const char *kind)
{
  return kind != NULL && !g_str_equal (kind, "folder");
}

static const SecretKind *
secret_kind_of (const ImuSyncTargetConfig *config)
{
  if (g_strcmp0 (config->kind, "azure") == 0)
    {
      g_autofree char *auth = imu_sync_target_config_dup_string (config, "auth");

      /* "none": a public container, or an emulator that asks nothing. */
      if (g_strcmp0 (auth, "none") == 0)
        return NULL;
      return &secret_kinds[g_strcmp0 (auth, "shared-key") == 0 ? 1 : 0];
    }
  if (g_strcmp0 (config->kind, "s3") == 0)
    return &secret_kinds[2];
  if (g_strcmp0 (config->kind, "webdav") == 0)
    return &secret_kinds[3];
  return NULL;
}

char *
imu_sync_targets_secret_json (const ImuSyncTargetConfig *config,
                              const char                *value,
                              GError                   **error)
{
  const SecretKind *sk;
  g_autoptr(JsonObject) o = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) gen = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (!(sk = secret_kind_of (config)))
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("Target “%s”: a %s target has no secret"),
                   config->name, config->kind);
      return NULL;
    }
  if (value == NULL || *value == '\0')
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                   _("Target “%s”: give its secret (%s); it is kept in the secret store, never in the library"),
                   config->name, _(sk->noun));
      return NULL;
    }
  /* Registered before any check, so that not even a refusal quotes it. */
  imu_redact_add_secret (value);
  if (g_str_equal (sk->member, "sas"))
    {
      /* A token copied from the portal often keeps the "?" of its URL. */
      if (value[0] == '?')
        value++;
      if (!imu_sync_azure_parse_sas (value, NULL, NULL, NULL))
        {
          g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                       _("Target “%s”: what was given is not a SAS token (it has no sig=)"), config->name);
          return NULL;
        }
    }
  o = json_object_new ();
  json_object_set_string_member (o, sk->member, value);
  node = json_node_init_object (json_node_alloc (), o);
  gen = json_generator_new ();
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

static void propagate_redacted (GError **error, GError *e);

/* The one policy for a secret that is not there or cannot be read: the
 * same code and the same message wherever a target is opened (the CLI,
 * the Preferences page, the scheduler), with what the store said and
 * what to do. */
static gboolean
lookup_secret (const ImuSyncTargetConfig *config, char **secret, GError **error)
{
  const SecretKind *sk = secret_kind_of (config);
  g_autoptr(GError) local_error = NULL;

  *secret = NULL;
  if (sk == NULL)
    return TRUE;
  if (config->secret_id != NULL && *config->secret_id != '\0')
    *secret = imu_secrets_lookup (config->secret_id, &local_error);
  else
    local_error = g_error_new (IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_NOT_FOUND,
                               _("No secret is stored for this target (%s store)"), imu_secrets_backend ());
  if (*secret != NULL)
    return TRUE;
  propagate_redacted (error, g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                                          _("Target “%s”: its secret (%s) cannot be read from the secret store "
                                            "(%s). Give it again with “imu target secret %s %s”, or with Edit in "
                                            "Preferences → Sync."),
                                          config->name, _(sk->noun), local_error->message, config->name,
                                          sk->option));
  return FALSE;
}

/* Errors that quote the secret store's words are redacted before anyone
 * sees them: a store may echo what it was given. */
static void
propagate_redacted (GError **error, GError *e)
{
  imu_redact_error (e);
  g_propagate_error (error, e);
}

static char *
secret_label (const ImuSyncTargetConfig *config)
{
  return g_strdup_printf (_("IMU Studio sync target “%s” (%s)"), config->name, config->url);
}

/* The checks of an add; @json gets the secret's JSON (NULL for a kind
 * without secret). */
static gboolean
check (const ImuSyncTargetConfig *config, const char *secret, char **json, GError **error)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autofree char *text = NULL;

  if (secret_kind_of (config) != NULL && !(text = imu_sync_targets_secret_json (config, secret, error)))
    return FALSE;
  if (!(target = imu_sync_target_new (config, text, error)))
    return FALSE;
  if (json != NULL)
    *json = g_steal_pointer (&text);
  return TRUE;
}

gboolean
imu_sync_targets_check (const ImuSyncTargetConfig *config,
                        const char                *secret,
                        GError                   **error)
{
  g_return_val_if_fail (config != NULL && config->name != NULL && config->kind != NULL, FALSE);
  return check (config, secret, NULL, error);
}

gboolean
imu_sync_targets_add (ImuStore             *store,
                      ImuSyncTargetConfig  *config,
                      const char           *secret,
                      GError              **error)
{
  g_autofree char *json = NULL;
  g_autofree char *label = NULL;
  g_autoptr(ImuSyncTargetConfig) existing = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (config != NULL && config->name != NULL && config->kind != NULL, FALSE);

  /* The name first: it is the one mistake a person fixes by retyping one
   * field, so it should not hide behind a complaint about the secret. */
  existing = imu_sync_queue_get_target (store, config->name, &local_error);
  if (existing != NULL)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_TARGET_EXISTS,
                   _("There is already a sync target called “%s”."), config->name);
      return FALSE;
    }
  if (!g_error_matches (local_error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (!check (config, secret, &json, error))
    return FALSE;

  if (!imu_store_begin (store, error))
    return FALSE;
  if (!imu_sync_queue_add_target (store, config, error))
    {
      imu_store_rollback (store);
      return FALSE;
    }
  if (json != NULL)
    {
      g_autoptr(GError) store_error = NULL;

      label = secret_label (config);
      if (!imu_secrets_store (config->secret_id, label, json, &store_error))
        {
          imu_store_rollback (store);
          config->id = 0;
          propagate_redacted (error, g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                       _("Target “%s” was not added: its secret cannot be stored: %s"), config->name,
                       store_error->message));
          return FALSE;
        }
    }
  if (!imu_store_commit (store, error))
    {
      /* A failed COMMIT leaves the transaction open: end it. The row is
       * gone with it, so its secret must go too. */
      imu_store_rollback (store);
      if (json != NULL)
        imu_secrets_clear (config->secret_id, NULL);
      config->id = 0;
      return FALSE;
    }
  return TRUE;
}

ImuSyncTarget *
imu_sync_targets_open_config (const ImuSyncTargetConfig *config,
                              GError                   **error)
{
  g_autofree char *secret = NULL;

  g_return_val_if_fail (config != NULL, NULL);

  if (!lookup_secret (config, &secret, error))
    return NULL;
  return imu_sync_target_new (config, secret, error);
}

ImuSyncTarget *
imu_sync_targets_open (ImuStore    *store,
                       const char  *name,
                       GError     **error)
{
  g_autoptr(ImuSyncTargetConfig) config = NULL;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!(config = imu_sync_queue_get_target (store, name, error)))
    return NULL;
  return imu_sync_targets_open_config (config, error);
}

ImuSyncTestReport *
imu_sync_targets_test (ImuStore      *store,
                       const char    *name,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuSyncTestReport) report = NULL;
  g_autoptr(GError) local_error = NULL;

  if (!(target = imu_sync_targets_open (store, name, error)))
    return NULL;
  report = imu_sync_test_report_new ();
  if (!imu_sync_target_test (target, report, cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      /* The checks that passed before the failure still tell something. */
      imu_sync_test_report_add (report, "%s", local_error->message);
      report->ok = FALSE;
    }
  for (guint i = 0; i < report->lines->len; i++)
    {
      char *line = g_ptr_array_index (report->lines, i);

      report->lines->pdata[i] = imu_redact (line);
      g_free (line);
    }
  return g_steal_pointer (&report);
}

gboolean
imu_sync_targets_update (ImuStore                  *store,
                         const ImuSyncTargetConfig *config,
                         const char                *secret,
                         gint64                    *requeued,
                         GError                   **error)
{
  g_autoptr(ImuSyncTargetConfig) stored = NULL;
  g_autoptr(ImuSyncTargetConfig) next = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autofree char *json = NULL;
  gint64 n = 0;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);

  if (requeued != NULL)
    *requeued = 0;
  if (!(stored = imu_sync_queue_get_target_by_id (store, config->id, error)))
    return FALSE;
  /* The name is the target's key, its kind decides its remote layout and
   * the secret's id ties it to its secret: none of them is edited. */
  next = imu_sync_target_config_copy (config);
  g_free (next->name);
  next->name = g_strdup (stored->name);
  g_free (next->kind);
  next->kind = g_strdup (stored->kind);
  g_free (next->secret_id);
  next->secret_id = g_strdup (stored->secret_id);

  if (secret != NULL && secret_kind_of (next) != NULL)
    {
      if (!(json = imu_sync_targets_secret_json (next, secret, error)))
        return FALSE;
      target = imu_sync_target_new (next, json, error);
    }
  else
    target = imu_sync_targets_open_config (next, error);
  if (target == NULL)
    return FALSE;

  if (!imu_store_begin (store, error))
    return FALSE;
  if (!imu_sync_queue_update_target (store, next, error))
    {
      imu_store_rollback (store);
      return FALSE;
    }
  if (json != NULL)
    {
      g_autoptr(GError) store_error = NULL;
      g_autofree char *label = secret_label (next);

      if (!imu_secrets_store (next->secret_id, label, json, &store_error))
        {
          imu_store_rollback (store);
          propagate_redacted (error, g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                       _("Target “%s” is unchanged: its new secret cannot be stored: %s"), next->name,
                       store_error->message));
          return FALSE;
        }
      /* What waited for a person (a refused credential) goes again. */
      if ((n = imu_sync_queue_retry (store, next->id, error)) < 0)
        {
          imu_store_rollback (store);
          return FALSE;
        }
    }
  if (!imu_store_commit (store, error))
    {
      /* The row keeps its old settings; a new secret is already stored,
       * which is what the person asked for anyway. */
      imu_store_rollback (store);
      return FALSE;
    }
  if (requeued != NULL)
    *requeued = n;
  return TRUE;
}

gint64
imu_sync_targets_set_secret (ImuStore    *store,
                             const char  *name,
                             const char  *auth,
                             const char  *secret,
                             GError     **error)
{
  g_autoptr(ImuSyncTargetConfig) config = NULL;
  gint64 requeued = 0;

  g_return_val_if_fail (IMU_IS_STORE (store), -1);
  g_return_val_if_fail (name != NULL, -1);

  if (!(config = imu_sync_queue_get_target (store, name, error)))
    return -1;
  if (!imu_sync_target_kind_has_secret (config->kind))
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG, _("Target “%s”: a %s target has no secret"),
                   config->name, config->kind);
      return -1;
    }
  if (secret == NULL || *secret == '\0')
    {
      /* Without a value, update would keep the stored secret: say what
       * is missing instead. */
      g_autofree char *json = imu_sync_targets_secret_json (config, secret, error);

      g_assert (json == NULL);
      return -1;
    }
  if (auth != NULL && g_str_equal (config->kind, "azure"))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      JsonNode *root;

      if (!g_str_equal (auth, "sas") && !g_str_equal (auth, "shared-key"))
        {
          g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                       _("Target “%s”: an Azure credential is “sas” or “shared-key”, not “%s”"), config->name, auth);
          return -1;
        }
      /* The kind of credential may change with it (a SAS token instead of
       * the account key). */
      if (!json_parser_load_from_data (parser, config->config_json, -1, NULL)
          || !JSON_NODE_HOLDS_OBJECT ((root = json_parser_get_root (parser))))
        {
          g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                       _("Target “%s”: its settings in the library are damaged (not a JSON object)"), config->name);
          return -1;
        }
      json_object_set_string_member (json_node_get_object (root), "auth", auth);
      json_generator_set_root (gen, root);
      g_free (config->config_json);
      config->config_json = json_generator_to_data (gen, NULL);
    }
  if (!imu_sync_targets_update (store, config, secret, &requeued, error))
    return -1;
  return requeued;
}

gboolean
imu_sync_targets_remove (ImuStore    *store,
                         const char  *name,
                         GError     **error)
{
  g_autoptr(ImuSyncTargetConfig) config = NULL;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  if (!(config = imu_sync_queue_get_target (store, name, error)))
    return FALSE;
  /* Row and secret go together: the row is deleted in a transaction that
   * is committed only once the secret is gone, so a locked keyring keeps
   * the target (and says so) rather than leaving its secret behind with
   * nothing left to find it by. */
  if (!imu_store_begin (store, error))
    return FALSE;
  if (!imu_sync_queue_remove_target (store, name, error))
    {
      imu_store_rollback (store);
      return FALSE;
    }
  if (imu_sync_target_kind_has_secret (config->kind) && config->secret_id != NULL && *config->secret_id != '\0')
    {
      g_autoptr(GError) clear_error = NULL;

      if (!imu_secrets_clear (config->secret_id, &clear_error))
        {
          imu_store_rollback (store);
          propagate_redacted (error, g_error_new (IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET,
                       _("Target “%s” is kept: its secret cannot be removed from the secret store: %s"),
                       config->name, clear_error->message));
          return FALSE;
        }
    }
  /* Should the commit fail now, the target stays without its secret:
   * opening it says so (the policy above), and removing it again works. */
  if (!imu_store_commit (store, error))
    {
      imu_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}
