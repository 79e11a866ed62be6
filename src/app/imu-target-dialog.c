/* imu-target-dialog.c — adds or edits a sync target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The fields of each kind are those of `imu target add` (docs/sync.md);
 * the configuration is built the same way and saved, with its secret,
 * by the same core functions the command line calls
 * (imu_sync_targets_add(), imu_sync_targets_update()): they check it,
 * keep the secret in the secret store (never in the library file) and
 * roll back what a failure would leave half done. Saving runs in a
 * worker thread (it opens the library and may talk to the keyring).
 */
#define G_LOG_DOMAIN "imu-target-dialog"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-context.h"
#include "imu-redact.h"
#include "imu-sync-targets.h"
#include "imu-target-dialog.h"

static const char * const kinds[] = { "folder", "azure", "s3", "webdav", NULL };

/* Which rows each kind shows. */
typedef struct {
  const char *field;
  const char *kinds;   /* space separated */
} FieldKinds;

static const FieldKinds field_kinds[] = {
  { "path",       "folder" },
  { "url",        "azure webdav" },
  { "account",    "azure" },
  { "endpoint",   "s3" },
  { "region",     "s3" },
  { "bucket",     "s3" },
  { "access-key", "s3" },
  { "user",       "webdav" },
  { "secret",     "azure s3 webdav" },
  { "prefix",     "azure s3 webdav folder" },
};

struct _ImuTargetDialog
{
  AdwWindow            parent_instance;

  char                *library_path;
  ImuSyncTargetConfig *editing;     /* NULL when adding */
  GHashTable          *rows;        /* field → GtkWidget* (borrowed) */
  AdwComboRow         *kind_row;
  GtkWidget           *save_button;
  GtkLabel            *error_label;
  GCancellable        *cancellable;
};

G_DEFINE_FINAL_TYPE (ImuTargetDialog, imu_target_dialog, ADW_TYPE_WINDOW)

enum { SIGNAL_SAVED, N_SIGNALS };
static guint signals[N_SIGNALS];

static const char *
current_kind (ImuTargetDialog *self)
{
  guint i = adw_combo_row_get_selected (self->kind_row);

  return i < G_N_ELEMENTS (kinds) - 1 ? kinds[i] : "folder";
}

static const char *
field_text (ImuTargetDialog *self, const char *field)
{
  GtkWidget *row = g_hash_table_lookup (self->rows, field);
  const char *text = row != NULL ? gtk_editable_get_text (GTK_EDITABLE (row)) : NULL;

  return text != NULL && text[0] != '\0' ? text : NULL;
}

static void
update_fields (ImuTargetDialog *self)
{
  const char *kind = current_kind (self);
  GtkWidget *secret = g_hash_table_lookup (self->rows, "secret");
  GtkWidget *url = g_hash_table_lookup (self->rows, "url");

  for (guint i = 0; i < G_N_ELEMENTS (field_kinds); i++)
    {
      g_auto(GStrv) ks = g_strsplit (field_kinds[i].kinds, " ", -1);

      gtk_widget_set_visible (g_hash_table_lookup (self->rows, field_kinds[i].field),
                              g_strv_contains ((const char * const *) ks, kind));
    }
  if (g_str_equal (kind, "azure"))
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (url), _("Container URL (without a SAS token)"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (secret),
                                     _("SAS token, or the account key when an account is given"));
    }
  else if (g_str_equal (kind, "s3"))
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (secret), _("Secret access key"));
  else
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (url), _("Collection URL"));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (secret), _("Password (an app password where there is one)"));
    }
}

static char *
json_of (const char * const *members, gboolean path_style)
{
  g_autoptr(JsonObject) o = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  for (guint i = 0; members[i] != NULL; i += 2)
    if (members[i + 1] != NULL)
      json_object_set_string_member (o, members[i], members[i + 1]);
  if (path_style)
    json_object_set_boolean_member (o, "path_style", TRUE);
  node = json_node_init_object (json_node_alloc (), json_object_ref (o));
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

/* Builds the configuration and the secret as typed (NULL: none given)
 * from the rows; NULL with a message when something is missing. The core
 * checks the rest (a secret that is needed, a SAS token's form). */
static ImuSyncTargetConfig *
build_config (ImuTargetDialog *self, char **secret, GError **error)
{
  const char *kind = current_kind (self);
  const char *name = field_text (self, "name");
  const char *value = field_text (self, "secret");
  g_autoptr(ImuSyncTargetConfig) config = NULL;

  *secret = NULL;
  if (name == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Give the target a name."));
      return NULL;
    }
  if (value != NULL)
    imu_redact_add_secret (value);
  if (g_str_equal (kind, "folder"))
    {
      const char *path = field_text (self, "path");

      if (path == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Which folder? Give its path."));
          return NULL;
        }
      {
        g_autofree char *abs = g_canonicalize_filename (path, NULL);

        config = imu_sync_target_config_new (name, "folder", abs);
      }
    }
  else if (g_str_equal (kind, "azure"))
    {
      const char *url = field_text (self, "url"), *account = field_text (self, "account");
      const char *members[] = { "auth", account != NULL ? "shared-key" : "sas", "account", account, NULL };

      if (url == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Give the container URL."));
          return NULL;
        }
      if (strchr (url, '?') != NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("The container URL must not carry a SAS token: give the URL without “?…” and the token "
                         "in its own field."));
          return NULL;
        }
      config = imu_sync_target_config_new (name, "azure", url);
      g_free (config->config_json);
      config->config_json = json_of (members, FALSE);
    }
  else if (g_str_equal (kind, "s3"))
    {
      const char *endpoint = field_text (self, "endpoint");
      const char *members[] = { "bucket", field_text (self, "bucket"), "region", field_text (self, "region"),
                                "access_key", field_text (self, "access-key"), NULL };

      if (endpoint == NULL || members[1] == NULL || members[3] == NULL || members[5] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _("Give the endpoint, the region, the bucket and the access key id."));
          return NULL;
        }
      config = imu_sync_target_config_new (name, "s3", endpoint);
      g_free (config->config_json);
      config->config_json = json_of (members, FALSE);
    }
  else
    {
      const char *url = field_text (self, "url");
      const char *members[] = { "user", field_text (self, "user"), NULL };

      if (url == NULL || members[1] == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, _("Give the URL and the user name."));
          return NULL;
        }
      config = imu_sync_target_config_new (name, "webdav", url);
      g_free (config->config_json);
      config->config_json = json_of (members, FALSE);
    }
  g_free (config->prefix);
  config->prefix = g_strdup (field_text (self, "prefix") != NULL ? field_text (self, "prefix") : "");
  if (!g_str_equal (kind, "folder"))
    *secret = g_strdup (value);
  if (self->editing != NULL)
    {
      config->id = self->editing->id;
      g_free (config->secret_id);
      config->secret_id = g_strdup (self->editing->secret_id);
      config->allow_metered = self->editing->allow_metered;
      config->insecure = self->editing->insecure;
    }
  else
    config->allow_metered = -1;
  return g_steal_pointer (&config);
}

typedef struct {
  char                *path;
  ImuSyncTargetConfig *config;
  char                *secret;
  gboolean             editing;
} SaveJob;

static void
save_job_free (SaveJob *job)
{
  g_free (job->path);
  imu_sync_target_config_free (job->config);
  g_free (job->secret);
  g_free (job);
}

static void
save_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  SaveJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;

  /* An edit without a new secret keeps (and checks with) the stored one. */
  if (!(store = imu_store_open (job->path, &error))
      || !(job->editing ? imu_sync_targets_update (store, job->config, job->secret, NULL, &error)
                        : imu_sync_targets_add (store, job->config, job->secret, &error)))
    {
      imu_redact_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  g_autoptr(GError) error = NULL;
  ImuTargetDialog *self = IMU_TARGET_DIALOG (source);

  /* A dialog closed while saving: its widgets are gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_widget_set_sensitive (self->save_button, TRUE);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_SAVED], 0);
  gtk_window_close (GTK_WINDOW (self));
}

void
imu_target_dialog_save (ImuTargetDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GTask) task = NULL;
  g_autofree char *secret = NULL;
  ImuSyncTargetConfig *config;
  SaveJob *job;

  g_return_if_fail (IMU_IS_TARGET_DIALOG (self));
  if (!(config = build_config (self, &secret, &error)))
    {
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  job = g_new0 (SaveJob, 1);
  job->path = g_strdup (self->library_path);
  job->config = config;
  job->secret = g_steal_pointer (&secret);
  job->editing = self->editing != NULL;
  gtk_widget_set_sensitive (self->save_button, FALSE);
  task = g_task_new (self, self->cancellable, saved_cb, NULL);
  g_task_set_source_tag (task, imu_target_dialog_save);
  g_task_set_task_data (task, job, (GDestroyNotify) save_job_free);
  imu_task_run_in_thread (task, save_thread);
}

GtkWidget *
imu_target_dialog_get_row (ImuTargetDialog *self, const char *field)
{
  g_return_val_if_fail (IMU_IS_TARGET_DIALOG (self), NULL);
  if (g_str_equal (field, "kind"))
    return GTK_WIDGET (self->kind_row);
  return g_hash_table_lookup (self->rows, field);
}

static GtkWidget *
add_entry (ImuTargetDialog *self, AdwPreferencesGroup *group, const char *field, const char *title, gboolean password)
{
  GtkWidget *row = password ? adw_password_entry_row_new () : adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_group_add (group, row);
  g_hash_table_insert (self->rows, (gpointer) field, row);
  return row;
}

static void
imu_target_dialog_dispose (GObject *object)
{
  ImuTargetDialog *self = IMU_TARGET_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (imu_target_dialog_parent_class)->dispose (object);
}

static void
imu_target_dialog_finalize (GObject *object)
{
  ImuTargetDialog *self = IMU_TARGET_DIALOG (object);

  g_free (self->library_path);
  g_clear_pointer (&self->editing, imu_sync_target_config_free);
  g_hash_table_unref (self->rows);
  g_clear_object (&self->cancellable);
  G_OBJECT_CLASS (imu_target_dialog_parent_class)->finalize (object);
}

static void
imu_target_dialog_class_init (ImuTargetDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_target_dialog_dispose;
  object_class->finalize = imu_target_dialog_finalize;
  /* The target was added or changed. */
  signals[SIGNAL_SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
imu_target_dialog_init (ImuTargetDialog *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *page = adw_preferences_page_new ();
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  AdwPreferencesGroup *where = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkStringList *kind_names = gtk_string_list_new (NULL);

  self->rows = g_hash_table_new (g_str_hash, g_str_equal);
  self->cancellable = g_cancellable_new ();
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (self), 480, 560);

  self->save_button = gtk_button_new_with_mnemonic (_("_Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  g_signal_connect_swapped (self->save_button, "clicked", G_CALLBACK (imu_target_dialog_save), self);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close), self);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), self->save_button);
  gtk_box_append (GTK_BOX (box), header);

  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_label_set_xalign (self->error_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_margin_start (GTK_WIDGET (self->error_label), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->error_label), 12);
  gtk_widget_set_margin_top (GTK_WIDGET (self->error_label), 6);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->error_label));

  add_entry (self, group, "name", _("Name"), FALSE);
  /* Short names: the combo row has room for little (the page's empty row
   * says what a folder can be). */
  gtk_string_list_append (kind_names, _("Folder"));
  gtk_string_list_append (kind_names, _("Azure Blob Storage"));
  gtk_string_list_append (kind_names, _("S3-compatible storage"));
  gtk_string_list_append (kind_names, _("WebDAV"));
  self->kind_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->kind_row), _("Kind"));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (kind_names));
  g_object_unref (kind_names);
  adw_preferences_group_add (group, GTK_WIDGET (self->kind_row));
  g_signal_connect_swapped (self->kind_row, "notify::selected", G_CALLBACK (update_fields), self);

  adw_preferences_group_set_title (where, _("Where"));
  add_entry (self, where, "path", _("Folder"), FALSE);
  add_entry (self, where, "url", _("URL"), FALSE);
  add_entry (self, where, "account", _("Storage account (only for an account key)"), FALSE);
  add_entry (self, where, "endpoint", _("Endpoint (https://s3.REGION.amazonaws.com)"), FALSE);
  add_entry (self, where, "region", _("Region"), FALSE);
  add_entry (self, where, "bucket", _("Bucket"), FALSE);
  add_entry (self, where, "access-key", _("Access key id"), FALSE);
  add_entry (self, where, "user", _("User name"), FALSE);
  add_entry (self, where, "secret", _("Secret"), TRUE);
  add_entry (self, where, "prefix", _("Prefix (optional)"), FALSE);

  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), group);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), where);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (self), box);
  update_fields (self);
}

ImuTargetDialog *
imu_target_dialog_new (GtkWindow *parent, const char *library_path, const ImuSyncTargetConfig *config)
{
  ImuTargetDialog *self = g_object_new (IMU_TYPE_TARGET_DIALOG, "transient-for", parent, NULL);

  self->library_path = g_strdup (library_path);
  if (config == NULL)
    {
      gtk_window_set_title (GTK_WINDOW (self), _("Add Sync Target"));
      return self;
    }
  self->editing = imu_sync_target_config_copy (config);
  gtk_window_set_title (GTK_WINDOW (self), _("Edit Sync Target"));
  for (guint i = 0; kinds[i] != NULL; i++)
    if (g_str_equal (kinds[i], config->kind))
      adw_combo_row_set_selected (self->kind_row, i);
  /* The name is the key of the target: it is shown, not changed. */
  gtk_editable_set_text (GTK_EDITABLE (g_hash_table_lookup (self->rows, "name")), config->name);
  gtk_widget_set_sensitive (g_hash_table_lookup (self->rows, "name"), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->kind_row), FALSE);
  if (g_str_equal (config->kind, "folder"))
    gtk_editable_set_text (GTK_EDITABLE (g_hash_table_lookup (self->rows, "path")), config->url);
  else if (g_str_equal (config->kind, "s3"))
    gtk_editable_set_text (GTK_EDITABLE (g_hash_table_lookup (self->rows, "endpoint")), config->url);
  else
    gtk_editable_set_text (GTK_EDITABLE (g_hash_table_lookup (self->rows, "url")), config->url);
  {
    const char *members[][2] = { { "account", "account" }, { "region", "region" }, { "bucket", "bucket" },
                                 { "access_key", "access-key" }, { "user", "user" } };

    for (guint i = 0; i < G_N_ELEMENTS (members); i++)
      {
        g_autofree char *v = imu_sync_target_config_dup_string (config, members[i][0]);

        if (v != NULL)
          gtk_editable_set_text (GTK_EDITABLE (g_hash_table_lookup (self->rows, members[i][1])), v);
      }
  }
  gtk_editable_set_text (GTK_EDITABLE (g_hash_table_lookup (self->rows, "prefix")),
                         config->prefix != NULL ? config->prefix : "");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (g_hash_table_lookup (self->rows, "secret")),
                                 _("New secret (empty: keep the stored one)"));
  return self;
}
