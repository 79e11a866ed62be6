/* imu-sync-page.c — Preferences → Sync: the library's sync targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every read and write of the library, every secret and every target test
 * runs in a worker thread (GTask): the preferences never wait for the disk,
 * the keyring or the network. Adding, editing, testing and removing a
 * target are the core's (imu-sync-targets.h), the same functions `imu
 * target` calls. The per-target "upload automatically" switch is a library
 * setting ("auto_upload.ID"), next to the global "allow_metered" one.
 */
#define G_LOG_DOMAIN "imu-sync-page"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "imu-context.h"
#include "imu-redact.h"
#include "imu-sync-page.h"
#include "imu-sync-queue.h"
#include "imu-sync-targets.h"
#include "imu-target-dialog.h"

struct _ImuSyncPage
{
  AdwPreferencesPage   parent_instance;

  char                *library_path;
  ImuSyncController   *controller;
  GCancellable        *cancellable;
  AdwPreferencesGroup *targets_group;
  GtkWidget           *empty_row;
  GPtrArray           *target_rows;   /* AdwExpanderRow*, shown now */
  GtkSwitch           *metered_switch;
  gboolean             loading_settings;
  guint                busy;
};

G_DEFINE_FINAL_TYPE (ImuSyncPage, imu_sync_page, ADW_TYPE_PREFERENCES_PAGE)

/* ---- worker jobs ---- */

typedef enum { JOB_LOAD, JOB_SET, JOB_REMOVE, JOB_TEST } JobKind;

typedef struct {
  JobKind    kind;
  char      *path;
  char      *name;        /* target */
  char      *key;         /* setting */
  char      *value;
  /* results */
  GPtrArray *targets;     /* ImuSyncTargetConfig* */
  GArray    *auto_upload; /* gboolean per target */
  gboolean   allow_metered;
  ImuSyncTestReport *report;
} Job;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_free (job->name);
  g_free (job->key);
  g_free (job->value);
  g_clear_pointer (&job->targets, g_ptr_array_unref);
  g_clear_pointer (&job->auto_upload, g_array_unref);
  g_clear_pointer (&job->report, imu_sync_test_report_free);
  g_free (job);
}

static char *
auto_key (gint64 id)
{
  return g_strdup_printf ("auto_upload.%" PRId64, id);
}

static void
job_thread (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (job->path, &error);
  gboolean ok = store != NULL;

  if (ok)
    switch (job->kind)
      {
      case JOB_LOAD:
        if ((ok = (job->targets = imu_sync_queue_list_targets (store, &error)) != NULL))
          {
            job->auto_upload = g_array_new (FALSE, FALSE, sizeof (gboolean));
            for (guint i = 0; i < job->targets->len; i++)
              {
                const ImuSyncTargetConfig *t = g_ptr_array_index (job->targets, i);
                g_autofree char *key = auto_key (t->id);
                g_autofree char *v = imu_sync_queue_get_setting (store, key);
                gboolean on = g_strcmp0 (v, "1") == 0;

                g_array_append_val (job->auto_upload, on);
              }
            job->allow_metered = imu_sync_queue_allow_metered (store, NULL);
          }
        break;
      case JOB_SET:
        ok = imu_sync_queue_set_setting (store, job->key, job->value, &error);
        break;
      case JOB_REMOVE:
        /* The target's row, its queue and its secret. */
        ok = imu_sync_targets_remove (store, job->name, &error);
        break;
      case JOB_TEST:
        /* A failed check is the report's last line, not an error. */
        ok = (job->report = imu_sync_targets_test (store, job->name, cancellable, &error)) != NULL;
        break;
      }
  if (!ok)
    {
      imu_redact_error (error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void job_done_cb (GObject *source, GAsyncResult *result, gpointer data);
static void target_saved_cb (ImuSyncPage *self);

static Job *
job_new (ImuSyncPage *self, JobKind kind, const char *name)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->path = g_strdup (self->library_path);
  job->name = g_strdup (name);
  return job;
}

static void
run_job (ImuSyncPage *self, Job *job)
{
  g_autoptr(GTask) task = g_task_new (self, self->cancellable, job_done_cb, NULL);

  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_set_source_tag (task, run_job);
  self->busy++;
  imu_task_run_in_thread (task, job_thread);
}

/* ---- the rows ---- */

static void
toast (ImuSyncPage *self, const char *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (ADW_IS_PREFERENCES_WINDOW (root))
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (root), adw_toast_new (message));
  else
    g_message ("%s", message);
}

static AdwExpanderRow *
find_row (ImuSyncPage *self, const char *name)
{
  for (guint i = 0; i < self->target_rows->len; i++)
    {
      AdwExpanderRow *row = g_ptr_array_index (self->target_rows, i);

      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "target-name"), name) == 0)
        return row;
    }
  return NULL;
}

static void
test_clicked_cb (GtkButton *button, ImuSyncPage *self)
{
  imu_sync_page_test_target (self, g_object_get_data (G_OBJECT (button), "target-name"));
}

static void
edit_clicked_cb (GtkButton *button, ImuSyncPage *self)
{
  const ImuSyncTargetConfig *config = g_object_get_data (G_OBJECT (button), "target-config");
  ImuTargetDialog *dialog = imu_target_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                                   self->library_path, config);

  /* A new secret puts transfers back in the queue: the window's sync
   * state hears of it as after an add. */
  g_signal_connect_object (dialog, "saved", G_CALLBACK (target_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
remove_response_cb (AdwMessageDialog *dialog, const char *response, ImuSyncPage *self)
{
  if (g_str_equal (response, "remove"))
    run_job (self, job_new (self, JOB_REMOVE, g_object_get_data (G_OBJECT (dialog), "target-name")));
}

static void
remove_clicked_cb (GtkButton *button, ImuSyncPage *self)
{
  const char *name = g_object_get_data (G_OBJECT (button), "target-name");
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                              _("Remove Sync Target?"), NULL);

  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s”, its queue and its secret leave this library. What it already "
                                    "holds stays where it is."), name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "target-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
auto_switch_cb (GtkSwitch *sw, GParamSpec *pspec, ImuSyncPage *self)
{
  const ImuSyncTargetConfig *config = g_object_get_data (G_OBJECT (sw), "target-config");
  Job *job;

  if (self->loading_settings)
    return;
  job = job_new (self, JOB_SET, NULL);
  job->key = auto_key (config->id);
  job->value = g_strdup (gtk_switch_get_active (sw) ? "1" : "0");
  run_job (self, job);
}

static void
metered_switch_cb (GtkSwitch *sw, GParamSpec *pspec, ImuSyncPage *self)
{
  Job *job;

  if (self->loading_settings)
    return;
  job = job_new (self, JOB_SET, NULL);
  job->key = g_strdup ("allow_metered");
  job->value = g_strdup (gtk_switch_get_active (sw) ? "1" : "0");
  run_job (self, job);
}

static GtkWidget *
icon_button (const char *icon, const char *tooltip, const ImuSyncTargetConfig *config)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  g_object_set_data_full (G_OBJECT (button), "target-name", g_strdup (config->name), g_free);
  g_object_set_data_full (G_OBJECT (button), "target-config", imu_sync_target_config_copy (config),
                          (GDestroyNotify) imu_sync_target_config_free);
  return button;
}

static const char *
kind_label (const char *kind)
{
  if (g_str_equal (kind, "folder"))
    return _("Folder");
  if (g_str_equal (kind, "azure"))
    return _("Azure Blob Storage");
  if (g_str_equal (kind, "s3"))
    return _("S3");
  if (g_str_equal (kind, "webdav"))
    return _("WebDAV");
  return kind;
}

static void
show_targets (ImuSyncPage *self, GPtrArray *targets, GArray *auto_upload)
{
  for (guint i = 0; i < self->target_rows->len; i++)
    adw_preferences_group_remove (self->targets_group, g_ptr_array_index (self->target_rows, i));
  g_ptr_array_set_size (self->target_rows, 0);
  gtk_widget_set_visible (self->empty_row, targets->len == 0);

  self->loading_settings = TRUE;
  for (guint i = 0; i < targets->len; i++)
    {
      const ImuSyncTargetConfig *t = g_ptr_array_index (targets, i);
      GtkWidget *row = adw_expander_row_new ();
      GtkWidget *auto_row = adw_action_row_new ();
      GtkWidget *sw = gtk_switch_new ();
      GtkWidget *report = gtk_label_new (NULL);
      g_autofree char *subtitle = NULL;
      g_autofree char *url = g_strdup (t->url);

      /* Whatever a URL might carry after "?" is not shown (it is never
       * stored there, but a URL is no place to trust). */
      if (strchr (url, '?') != NULL)
        *strchr (url, '?') = '\0';
      subtitle = g_strdup_printf ("%s · %s%s%s", kind_label (t->kind), url,
                                  t->prefix != NULL && t->prefix[0] != '\0' ? " · " : "",
                                  t->prefix != NULL ? t->prefix : "");
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), t->name);
      adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (row), subtitle);
      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      g_object_set_data_full (G_OBJECT (row), "target-name", g_strdup (t->name), g_free);

      {
        GtkWidget *b;

        /* Actions are packed from the end: Remove ends up last, away
         * from the arrow's neighbour Test. */
        b = icon_button ("user-trash-symbolic", _("Remove"), t);
        g_signal_connect_object (b, "clicked", G_CALLBACK (remove_clicked_cb), self, 0);
        adw_expander_row_add_action (ADW_EXPANDER_ROW (row), b);
        b = icon_button ("document-edit-symbolic", _("Edit"), t);
        g_signal_connect_object (b, "clicked", G_CALLBACK (edit_clicked_cb), self, 0);
        adw_expander_row_add_action (ADW_EXPANDER_ROW (row), b);
        b = icon_button ("network-transmit-receive-symbolic", _("Test"), t);
        g_signal_connect_object (b, "clicked", G_CALLBACK (test_clicked_cb), self, 0);
        adw_expander_row_add_action (ADW_EXPANDER_ROW (row), b);
      }

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (auto_row), _("Upload new sessions automatically"));
      gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
      gtk_switch_set_active (GTK_SWITCH (sw), g_array_index (auto_upload, gboolean, i));
      g_object_set_data_full (G_OBJECT (sw), "target-config", imu_sync_target_config_copy (t),
                              (GDestroyNotify) imu_sync_target_config_free);
      g_signal_connect_object (sw, "notify::active", G_CALLBACK (auto_switch_cb), self, 0);
      adw_action_row_add_suffix (ADW_ACTION_ROW (auto_row), sw);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (auto_row), sw);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), auto_row);

      gtk_label_set_wrap (GTK_LABEL (report), TRUE);
      gtk_label_set_xalign (GTK_LABEL (report), 0);
      gtk_label_set_selectable (GTK_LABEL (report), TRUE);
      gtk_widget_set_margin_start (report, 12);
      gtk_widget_set_margin_end (report, 12);
      gtk_widget_set_margin_top (report, 6);
      gtk_widget_set_margin_bottom (report, 6);
      gtk_widget_add_css_class (report, "caption");
      gtk_widget_set_visible (report, FALSE);
      g_object_set_data (G_OBJECT (row), "report-label", report);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (row), report);

      adw_preferences_group_add (self->targets_group, row);
      g_ptr_array_add (self->target_rows, row);
    }
  self->loading_settings = FALSE;
}

static void
job_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  ImuSyncPage *self = IMU_SYNC_PAGE (source);
  Job *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  self->busy--;
  /* A page disposed meanwhile: its widgets are gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        toast (self, error->message);
      return;
    }
  switch (job->kind)
    {
    case JOB_LOAD:
      show_targets (self, job->targets, job->auto_upload);
      self->loading_settings = TRUE;
      gtk_switch_set_active (self->metered_switch, job->allow_metered);
      self->loading_settings = FALSE;
      break;
    case JOB_REMOVE:
      imu_sync_page_reload (self);
      if (self->controller != NULL)
        imu_sync_controller_refresh (self->controller);
      break;
    case JOB_TEST:
      {
        AdwExpanderRow *row = find_row (self, job->name);
        g_autoptr(GString) text = g_string_new (NULL);
        GtkWidget *label;

        if (row == NULL)
          break;
        label = g_object_get_data (G_OBJECT (row), "report-label");
        for (guint i = 0; i < job->report->lines->len; i++)
          g_string_append_printf (text, "%s%s", i > 0 ? "\n" : "", (char *) g_ptr_array_index (job->report->lines, i));
        g_string_append_printf (text, "%s%s", text->len > 0 ? "\n" : "",
                                job->report->ok ? _("The target works.") : _("The test failed."));
        gtk_label_set_text (GTK_LABEL (label), text->str);
        gtk_widget_remove_css_class (label, job->report->ok ? "error" : "success");
        gtk_widget_add_css_class (label, job->report->ok ? "success" : "error");
        gtk_widget_set_visible (label, TRUE);
        adw_expander_row_set_expanded (row, TRUE);
      }
      break;
    case JOB_SET:
    default:
      break;
    }
}

/* ---- public ---- */

void
imu_sync_page_reload (ImuSyncPage *self)
{
  g_return_if_fail (IMU_IS_SYNC_PAGE (self));
  run_job (self, job_new (self, JOB_LOAD, NULL));
}

void
imu_sync_page_test_target (ImuSyncPage *self, const char *name)
{
  g_return_if_fail (IMU_IS_SYNC_PAGE (self));
  run_job (self, job_new (self, JOB_TEST, name));
}

static void
target_saved_cb (ImuSyncPage *self)
{
  imu_sync_page_reload (self);
  if (self->controller != NULL)
    imu_sync_controller_refresh (self->controller);
}

GtkWidget *
imu_sync_page_add_target (ImuSyncPage *self)
{
  ImuTargetDialog *dialog;

  g_return_val_if_fail (IMU_IS_SYNC_PAGE (self), NULL);
  dialog = imu_target_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), self->library_path, NULL);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (target_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return GTK_WIDGET (dialog);
}

guint
imu_sync_page_get_n_targets (ImuSyncPage *self)
{
  g_return_val_if_fail (IMU_IS_SYNC_PAGE (self), 0);
  return self->target_rows->len;
}

gboolean
imu_sync_page_get_busy (ImuSyncPage *self)
{
  g_return_val_if_fail (IMU_IS_SYNC_PAGE (self), FALSE);
  return self->busy > 0;
}

static void
imu_sync_page_dispose (GObject *object)
{
  ImuSyncPage *self = IMU_SYNC_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->controller);
  G_OBJECT_CLASS (imu_sync_page_parent_class)->dispose (object);
}

static void
imu_sync_page_finalize (GObject *object)
{
  ImuSyncPage *self = IMU_SYNC_PAGE (object);

  g_free (self->library_path);
  g_ptr_array_unref (self->target_rows);
  g_object_unref (self->cancellable);
  G_OBJECT_CLASS (imu_sync_page_parent_class)->finalize (object);
}

static void
imu_sync_page_class_init (ImuSyncPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_sync_page_dispose;
  object_class->finalize = imu_sync_page_finalize;
}

static void
imu_sync_page_init (ImuSyncPage *self)
{
  GtkWidget *add = gtk_button_new ();
  GtkWidget *add_content = adw_button_content_new ();
  AdwPreferencesGroup *settings = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  GtkWidget *metered_row = adw_action_row_new ();

  self->cancellable = g_cancellable_new ();
  self->target_rows = g_ptr_array_new ();
  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (self), _("Sync"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (self), "emblem-synchronizing-symbolic");

  self->targets_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->targets_group, _("Targets"));
  adw_preferences_group_set_description (self->targets_group,
                                         _("Where this library's sessions are copied to and fetched from. "
                                           "Secrets are kept in the keyring, not in the library."));
  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (add_content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (add_content), _("_Add…"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (add_content), TRUE);
  gtk_button_set_child (GTK_BUTTON (add), add_content);
  gtk_widget_add_css_class (add, "flat");
  g_signal_connect_swapped (add, "clicked", G_CALLBACK (imu_sync_page_add_target), self);
  adw_preferences_group_set_header_suffix (self->targets_group, add);

  self->empty_row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->empty_row), _("No targets yet"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->empty_row),
                               _("Add a folder (a USB stick, a network share), Azure, S3 or WebDAV storage."));
  adw_preferences_group_add (self->targets_group, self->empty_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), self->targets_group);

  adw_preferences_group_set_title (settings, _("Network"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (metered_row), _("Sync on metered connections"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (metered_row),
                               _("A mobile hotspot or a capped plan; folders are always synced."));
  self->metered_switch = GTK_SWITCH (gtk_switch_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->metered_switch), GTK_ALIGN_CENTER);
  g_signal_connect (self->metered_switch, "notify::active", G_CALLBACK (metered_switch_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (metered_row), GTK_WIDGET (self->metered_switch));
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (metered_row), GTK_WIDGET (self->metered_switch));
  adw_preferences_group_add (settings, metered_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self), settings);
}

GtkWidget *
imu_sync_page_new (const char *library_path, ImuSyncController *controller)
{
  ImuSyncPage *self = g_object_new (IMU_TYPE_SYNC_PAGE, NULL);

  self->library_path = g_strdup (library_path);
  if (controller != NULL)
    self->controller = g_object_ref (controller);
  imu_sync_page_reload (self);
  return GTK_WIDGET (self);
}
