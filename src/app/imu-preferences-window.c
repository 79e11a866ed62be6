/* imu-preferences-window.c — units, time axis, style, and the library's storage
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-preferences"

#include <glib/gi18n.h>

#include "imu-format.h"
#include "imu-preferences-window.h"
#include "imu-sync-page.h"
#include "imu-window-private.h"

/* Each combo row shows the choices of one GSettings key, in this order.
 * Settings apply at once: whatever reads the key follows its changes. */
typedef struct {
  const char        *key;
  const char * const values[4];
} Choices;

static const Choices accel_choices = { "accel-unit", { "g", "m/s2", NULL } };
static const Choices gyro_choices = { "gyro-unit", { "deg/s", "rad/s", NULL } };
static const Choices time_choices = { "time-axis", { "clock", "elapsed", NULL } };
static const Choices style_choices = { "color-scheme", { "system", "light", "dark", NULL } };

struct _ImuPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *accel_row;
  AdwComboRow          *gyro_row;
  AdwComboRow          *time_row;
  AdwComboRow          *style_row;

  /* Storage: every read and change on a worker's own connection. */
  char                 *library_path;  /* NULL: no library, no Storage page */
  GCancellable         *cancellable;
  guint                 busy;
  ImuStoreStats        *stats;
  char                 *refusal;
  GCancellable         *compact_cancellable;
  struct _Progress     *progress;      /* the compaction's, shared with its worker */
  guint                 progress_source;
  guint                 trash_days_source;
  gboolean              setting_days;

  AdwPreferencesPage   *storage_page;
  AdwPreferencesGroup  *sessions_group;
  GPtrArray            *session_rows;  /* rows added to sessions_group */
  GtkLabel             *file_label;
  GtkLabel             *wal_label;
  GtkLabel             *free_label;
  GtkLabel             *trash_label;
  GtkLabel             *disk_label;
  AdwActionRow         *compact_row;
  GtkWidget            *compact_button;
  GtkWidget            *compact_cancel;
  GtkProgressBar       *compact_progress;
  GtkSpinButton        *trash_days_spin;
  GtkSpinButton        *low_disk_spin;
};

/* How many sessions the Storage page lists, the largest first. */
#define TOP_SESSIONS 5

G_DEFINE_FINAL_TYPE (ImuPreferencesWindow, imu_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
get_mapping (GValue   *value,
             GVariant *variant,
             gpointer  user_data)
{
  const Choices *choices = user_data;
  const char *str = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices->values[i] != NULL; i++)
    if (g_str_equal (str, choices->values[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
set_mapping (const GValue       *value,
             const GVariantType *expected_type,
             gpointer            user_data)
{
  const Choices *choices = user_data;
  guint index = g_value_get_uint (value);

  for (guint i = 0; choices->values[i] != NULL; i++)
    if (i == index)
      return g_variant_new_string (choices->values[i]);
  return NULL;
}

static void
bind_row (ImuPreferencesWindow *self,
          AdwComboRow          *row,
          const Choices        *choices)
{
  g_settings_bind_with_mapping (self->settings, choices->key, row, "selected",
                                G_SETTINGS_BIND_DEFAULT, get_mapping, set_mapping,
                                (gpointer) choices, NULL);
}

/* The value a row shows beside its title: one line, ellipsized with the
 * whole text as its tooltip, so that a narrow window never clips it. */
static void
value_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  list)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (list))
    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  else
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 4);
    }
  gtk_list_item_set_child (item, label);
}

static void
value_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  list)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = string != NULL ? gtk_string_object_get_string (string) : "";

  gtk_label_set_text (GTK_LABEL (label), text);
  if (!GPOINTER_TO_INT (list))
    gtk_widget_set_tooltip_text (label, text);
}

static void
set_factories (AdwComboRow *row)
{
  g_autoptr(GtkListItemFactory) value = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) list = gtk_signal_list_item_factory_new ();

  g_signal_connect (value, "setup", G_CALLBACK (value_setup_cb), GINT_TO_POINTER (FALSE));
  g_signal_connect (value, "bind", G_CALLBACK (value_bind_cb), GINT_TO_POINTER (FALSE));
  g_signal_connect (list, "setup", G_CALLBACK (value_setup_cb), GINT_TO_POINTER (TRUE));
  g_signal_connect (list, "bind", G_CALLBACK (value_bind_cb), GINT_TO_POINTER (TRUE));
  adw_combo_row_set_factory (row, value);
  adw_combo_row_set_list_factory (row, list);
}


/* Storage */

typedef enum {
  STORAGE_READ,
  STORAGE_COMPACT,
  STORAGE_SET_DAYS,
} StorageOp;

/* The worker writes the counts, a timeout of the window reads them. */
typedef struct _Progress {
  gint   ref_count;
  GMutex lock;
  gint64 done;
  gint64 total;
} Progress;

static Progress *
progress_ref (Progress *p)
{
  g_atomic_int_inc (&p->ref_count);
  return p;
}

static void
progress_unref (Progress *p)
{
  if (p != NULL && g_atomic_int_dec_and_test (&p->ref_count))
    {
      g_mutex_clear (&p->lock);
      g_free (p);
    }
}

typedef struct {
  StorageOp             op;
  char                 *path;
  gint64                days;
  Progress             *progress;
  /* results */
  ImuStoreStats        *stats;
  gint64                gain, needed;
  char                 *refusal;
} StorageJob;

static void
storage_job_free (StorageJob *job)
{
  g_free (job->path);
  g_clear_pointer (&job->stats, imu_store_stats_free);
  g_free (job->refusal);
  progress_unref (job->progress);
  g_free (job);
}

static void
compact_progress_cb (guint64  done,
                     guint64  total,
                     gpointer user_data)
{
  Progress *p = user_data;

  g_mutex_lock (&p->lock);
  p->done = (gint64) done;
  p->total = (gint64) total;
  g_mutex_unlock (&p->lock);
}

static void
storage_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  StorageJob *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (job->path, &error);
  g_autoptr(GError) refusal = NULL;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (job->op == STORAGE_COMPACT
      && !imu_store_compact (store, NULL, compact_progress_cb, job->progress, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (job->op == STORAGE_SET_DAYS && !imu_store_set_trash_days (store, job->days, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!(job->stats = imu_store_get_stats (store, &error))
      || (job->days = imu_store_get_trash_days (store, &error)) < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (!imu_store_compact_estimate (store, job->stats, &job->gain, &job->needed, &refusal))
    job->refusal = g_strdup (refusal->message);
  g_task_return_boolean (task, TRUE);
}

static char *
size_text (gint64 bytes)
{
  return bytes >= 0 ? g_format_size ((guint64) bytes) : g_strdup (_("unknown"));
}

static void
set_size (GtkLabel *label,
          gint64    bytes)
{
  g_autofree char *text = size_text (bytes);

  gtk_label_set_text (label, text);
}

static void
show_stats (ImuPreferencesWindow *self,
            StorageJob           *job)
{
  const ImuStoreStats *stats = job->stats;
  g_autofree char *gain = size_text (job->gain);
  g_autofree char *needed = size_text (job->needed);
  g_autofree char *subtitle = NULL;

  set_size (self->file_label, stats->file_bytes);
  set_size (self->wal_label, stats->wal_bytes);
  set_size (self->free_label, stats->free_bytes);
  set_size (self->disk_label, stats->disk_free);
  {
    g_autofree char *bytes = size_text (stats->trash_bytes);
    /* Translators: the trash's line on the Storage page: "2 sessions, 10.3 MB" */
    g_autofree char *text = g_strdup_printf (ngettext ("%u session, %s", "%u sessions, %s", stats->trash->len),
                                             stats->trash->len, bytes);

    gtk_label_set_text (self->trash_label, text);
  }

  for (guint i = 0; i < self->session_rows->len; i++)
    adw_preferences_group_remove (self->sessions_group, g_ptr_array_index (self->session_rows, i));
  g_ptr_array_set_size (self->session_rows, 0);
  for (guint i = 0; i < MIN (stats->sessions->len, TOP_SESSIONS); i++)
    {
      const ImuSessionSpace *space = g_ptr_array_index (stats->sessions, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *value = gtk_label_new (NULL);
      g_autofree char *title = g_markup_escape_text (space->title != NULL && *space->title ? space->title
                                                                                          : _("Untitled"), -1);
      g_autofree char *samples = size_text (space->samples);
      g_autofree char *envelopes = size_text (space->envelopes);
      g_autofree char *other = size_text (space->profiles + space->events);
      /* Translators: under a session on the Storage page */
      g_autofree char *detail = g_strdup_printf (_("Samples %s, envelopes %s, profile and events %s"),
                                                 samples, envelopes, other);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), detail);
      set_size (GTK_LABEL (value), imu_session_space_total (space));
      gtk_widget_add_css_class (value, "numeric");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), value);
      adw_preferences_group_add (self->sessions_group, row);
      g_ptr_array_add (self->session_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->sessions_group), self->session_rows->len > 0);

  g_clear_pointer (&self->refusal, g_free);
  self->refusal = g_strdup (job->refusal);
  if (self->refusal != NULL)
    subtitle = g_strdup (self->refusal);
  else
    /* Translators: the Compact row's estimate: "About 2.1 MB to gain; needs 240.6 MB free on the disk" */
    subtitle = g_strdup_printf (_("About %s to gain; needs %s free on the disk while it runs"), gain, needed);
  adw_action_row_set_subtitle (self->compact_row, subtitle);
  gtk_widget_set_sensitive (self->compact_button, self->refusal == NULL);

  self->setting_days = TRUE;
  gtk_spin_button_set_value (self->trash_days_spin, (double) job->days);
  self->setting_days = FALSE;
  gtk_widget_set_sensitive (GTK_WIDGET (self->trash_days_spin), TRUE);

  g_clear_pointer (&self->stats, imu_store_stats_free);
  self->stats = g_steal_pointer (&job->stats);
}

static void
compact_running (ImuPreferencesWindow *self,
                 gboolean              running)
{
  gtk_widget_set_visible (self->compact_button, !running);
  gtk_widget_set_visible (self->compact_cancel, running);
  gtk_widget_set_sensitive (self->compact_cancel, TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->compact_progress), running);
  gtk_progress_bar_set_fraction (self->compact_progress, 0);
  if (!running)
    g_clear_handle_id (&self->progress_source, g_source_remove);
}

static void
storage_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(ImuPreferencesWindow) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;
  StorageJob *job = g_task_get_task_data (G_TASK (result));
  gboolean ok = g_task_propagate_boolean (G_TASK (result), &error);

  g_weak_ref_clear (weak);
  g_free (weak);
  if (self == NULL)
    return;
  self->busy--;
  if (job->op == STORAGE_COMPACT)
    g_clear_object (&self->compact_cancellable);
  /* The window has gone. */
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (job->op == STORAGE_COMPACT)
    compact_running (self, FALSE);
  if (ok)
    {
      show_stats (self, job);
      if (job->op == STORAGE_COMPACT)
        adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (_("Library compacted")));
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: a toast on the Storage page, with the reason */
      g_autofree char *text = g_strdup_printf (_("Storage: %s"), error->message);
      AdwToast *toast = adw_toast_new (text);

      adw_toast_set_timeout (toast, 0);
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
    }
}

static void
run_storage (ImuPreferencesWindow *self,
             StorageOp             op,
             gint64                days)
{
  /* A change of the setting is made also when the window closes meanwhile. */
  GCancellable *cancellable = op == STORAGE_SET_DAYS ? NULL : self->cancellable;
  g_autoptr(GTask) task = NULL;
  StorageJob *job;
  GWeakRef *weak;

  if (self->library_path == NULL)
    return;
  if (op == STORAGE_COMPACT)
    {
      self->compact_cancellable = g_cancellable_new ();
      cancellable = self->compact_cancellable;
    }
  job = g_new0 (StorageJob, 1);
  job->op = op;
  job->path = g_strdup (self->library_path);
  job->days = days;
  job->progress = progress_ref (self->progress);
  self->busy++;
  /* The task holds the window weakly: a window that has gone must not be
   * finalized late by a worker's result, after its parent. */
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  task = g_task_new (NULL, cancellable, storage_done_cb, weak);
  g_task_set_source_tag (task, run_storage);
  g_task_set_task_data (task, job, (GDestroyNotify) storage_job_free);
  g_task_run_in_thread (task, storage_thread);
}

static gboolean
compact_tick_cb (gpointer user_data)
{
  ImuPreferencesWindow *self = user_data;
  gint64 done, total;

  g_mutex_lock (&self->progress->lock);
  done = self->progress->done;
  total = self->progress->total;
  g_mutex_unlock (&self->progress->lock);
  gtk_progress_bar_set_fraction (self->compact_progress,
                                 total > 0 ? CLAMP ((double) done / (double) total, 0.0, 1.0) : 0.0);
  return G_SOURCE_CONTINUE;
}

static void
compact_clicked_cb (ImuPreferencesWindow *self)
{
  imu_preferences_window_compact (self);
}

static void
compact_cancel_cb (ImuPreferencesWindow *self)
{
  if (self->compact_cancellable != NULL)
    g_cancellable_cancel (self->compact_cancellable);
  gtk_widget_set_sensitive (self->compact_cancel, FALSE);
}

static gboolean
set_days_cb (gpointer user_data)
{
  ImuPreferencesWindow *self = user_data;

  self->trash_days_source = 0;
  run_storage (self, STORAGE_SET_DAYS, (gint64) gtk_spin_button_get_value_as_int (self->trash_days_spin));
  return G_SOURCE_REMOVE;
}

static void
trash_days_changed_cb (ImuPreferencesWindow *self)
{
  if (self->setting_days)
    return;
  /* Typing "30" is one change of the library, not two. */
  g_clear_handle_id (&self->trash_days_source, g_source_remove);
  self->trash_days_source = g_timeout_add (500, set_days_cb, self);
}

static void
imu_preferences_window_dispose (GObject *object)
{
  ImuPreferencesWindow *self = IMU_PREFERENCES_WINDOW (object);

  /* A pending change of the trash days is made before the window goes. */
  if (self->trash_days_source != 0)
    {
      g_clear_handle_id (&self->trash_days_source, g_source_remove);
      set_days_cb (self);
    }
  g_cancellable_cancel (self->cancellable);
  if (self->compact_cancellable != NULL)
    g_cancellable_cancel (self->compact_cancellable);
  g_clear_handle_id (&self->progress_source, g_source_remove);
  g_clear_pointer (&self->session_rows, g_ptr_array_unref);

  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (imu_preferences_window_parent_class)->dispose (object);
}

static void
imu_preferences_window_finalize (GObject *object)
{
  ImuPreferencesWindow *self = IMU_PREFERENCES_WINDOW (object);

  g_free (self->library_path);
  g_free (self->refusal);
  g_clear_pointer (&self->stats, imu_store_stats_free);
  g_clear_object (&self->cancellable);
  progress_unref (self->progress);

  G_OBJECT_CLASS (imu_preferences_window_parent_class)->finalize (object);
}

static void
imu_preferences_window_class_init (ImuPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_preferences_window_dispose;
  object_class->finalize = imu_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, accel_row);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, gyro_row);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, time_row);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, style_row);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, storage_page);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, sessions_group);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, file_label);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, wal_label);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, free_label);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, trash_label);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, disk_label);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, compact_row);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, compact_button);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, compact_cancel);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, compact_progress);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, trash_days_spin);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, low_disk_spin);
  gtk_widget_class_bind_template_callback (widget_class, compact_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, compact_cancel_cb);
}

static void
imu_preferences_window_init (ImuPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (IMU_APP_ID);
  set_factories (self->accel_row);
  set_factories (self->gyro_row);
  set_factories (self->time_row);
  set_factories (self->style_row);
  bind_row (self, self->accel_row, &accel_choices);
  bind_row (self, self->gyro_row, &gyro_choices);
  bind_row (self, self->time_row, &time_choices);
  bind_row (self, self->style_row, &style_choices);

  self->cancellable = g_cancellable_new ();
  self->session_rows = g_ptr_array_new ();
  self->progress = g_new0 (Progress, 1);
  self->progress->ref_count = 1;
  g_mutex_init (&self->progress->lock);
  g_settings_bind (self->settings, "low-disk-warning-gb", self->low_disk_spin, "value", G_SETTINGS_BIND_DEFAULT);
  g_signal_connect_object (self->trash_days_spin, "value-changed", G_CALLBACK (trash_days_changed_cb), self,
                           G_CONNECT_SWAPPED);
}

GtkWidget *
imu_preferences_window_new (GtkWindow *parent)
{
  GtkWidget *self = g_object_new (IMU_TYPE_PREFERENCES_WINDOW,
                                  "transient-for", parent,
                                  "modal", TRUE,
                                  NULL);

  /* Sync belongs to the library the window has open. */
  if (IMU_IS_WINDOW (parent) && IMU_WINDOW (parent)->sync_controller != NULL)
    {
      ImuSyncController *controller = IMU_WINDOW (parent)->sync_controller;

      adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                                  ADW_PREFERENCES_PAGE (imu_sync_page_new (imu_sync_controller_get_library_path (controller),
                                                                           controller)));
      gtk_window_set_default_size (GTK_WINDOW (self), 640, 600);
    }
  /* Storage belongs to the library too. */
  if (IMU_IS_WINDOW (parent) && IMU_WINDOW (parent)->library != NULL)
    {
      ImuPreferencesWindow *prefs = IMU_PREFERENCES_WINDOW (self);

      prefs->library_path = g_strdup (imu_library_get_path (IMU_WINDOW (parent)->library));
      gtk_widget_set_visible (GTK_WIDGET (prefs->storage_page), TRUE);
      run_storage (prefs, STORAGE_READ, 0);
    }
  return self;
}

gboolean
imu_preferences_window_get_storage_busy (ImuPreferencesWindow *self)
{
  g_return_val_if_fail (IMU_IS_PREFERENCES_WINDOW (self), FALSE);
  return self->busy > 0;
}

const ImuStoreStats *
imu_preferences_window_get_stats (ImuPreferencesWindow *self)
{
  g_return_val_if_fail (IMU_IS_PREFERENCES_WINDOW (self), NULL);
  return self->stats;
}

const char *
imu_preferences_window_get_compact_refusal (ImuPreferencesWindow *self)
{
  g_return_val_if_fail (IMU_IS_PREFERENCES_WINDOW (self), NULL);
  return self->refusal;
}

/**
 * imu_preferences_window_compact:
 *
 * Compacts the library in a worker (imu_store_compact(), which refuses
 * when the disk lacks room), with progress and Cancel on the Storage page,
 * then reads the stats again. Does not block.
 */
void
imu_preferences_window_compact (ImuPreferencesWindow *self)
{
  g_return_if_fail (IMU_IS_PREFERENCES_WINDOW (self));

  if (self->compact_cancellable != NULL || self->library_path == NULL)
    return;
  g_mutex_lock (&self->progress->lock);
  self->progress->done = self->progress->total = 0;
  g_mutex_unlock (&self->progress->lock);
  compact_running (self, TRUE);
  self->progress_source = g_timeout_add (100, compact_tick_cb, self);
  run_storage (self, STORAGE_COMPACT, 0);
}
