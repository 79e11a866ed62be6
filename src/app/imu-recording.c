/* imu-recording.c — one live recording of a window: a source and the
 * recorder, started and stopped off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-recording"

#include <glib/gi18n.h>

#include "imu-recording.h"

/* How often the main thread looks whether the recording ended by itself
 * (a replay at its end, a disk error). */
#define WATCH_INTERVAL_MS 250

struct _ImuRecording
{
  GObject                    parent_instance;

  char                      *library_path;
  char                      *spec;
  char                      *format;
  char                      *title;
  char                      *subject;
  char                     **tags;
  double                     speed;
  gint64                     resume_id;
  ImuRecordSource           *source;
  const ImuRecordSourceKind *kind;
  ImuRecorder               *recorder;
  char                      *address;
  gboolean                   active;
  gboolean                   stopping;
  gint64                     started_us;
  guint                      watch_id;
  GPtrArray                 *stop_tasks;      /* GTask*: stop_async() callers */
  gint                       commit_pending;  /* atomic: an idle is queued */
};

enum {
  PROP_0,
  PROP_ACTIVE,
  N_PROPS
};

enum {
  SIGNAL_COMMITTED,
  SIGNAL_FINISHED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (ImuRecording, imu_recording, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_active (ImuRecording *self,
            gboolean      active)
{
  if (self->active == active)
    return;
  self->active = active;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
}

static gboolean
committed_idle_cb (gpointer data)
{
  ImuRecording *self = data;

  g_atomic_int_set (&self->commit_pending, 0);
  if (self->active)
    g_signal_emit (self, signals[SIGNAL_COMMITTED], 0);
  return G_SOURCE_REMOVE;
}

/* On the recorder's thread: one idle at a time carries the news over. */
static void
commit_cb (gpointer user_data)
{
  ImuRecording *self = user_data;

  if (g_atomic_int_compare_and_exchange (&self->commit_pending, 0, 1))
    g_idle_add_full (G_PRIORITY_DEFAULT, committed_idle_cb, g_object_ref (self), g_object_unref);
}

/* Starting */

static void
start_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  ImuRecording *self = source_object;
  GError *error = NULL;

  /* The source first: one that cannot start leaves nothing in the library
   * (as `imu record` does). What it hands over meanwhile waits. */
  if (!imu_record_source_start (self->source, self->recorder, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (!imu_recorder_start (self->recorder, !self->kind->per_device, &error))
    {
      imu_record_source_stop (self->source);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void stop_internal (ImuRecording *self, GTask *task);

static gboolean
watch_cb (gpointer user_data)
{
  ImuRecording *self = user_data;

  if (self->active && !self->stopping
      && (imu_recorder_has_failed (self->recorder) || imu_record_source_is_done (self->source)))
    {
      self->watch_id = 0;
      stop_internal (self, NULL);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static void
start_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ImuRecording *self = IMU_RECORDING (object);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  self->address = imu_record_source_dup_address (self->source);
  self->started_us = g_get_monotonic_time ();
  set_active (self, TRUE);
  self->watch_id = g_timeout_add (WATCH_INTERVAL_MS, watch_cb, self);
  g_task_return_boolean (task, TRUE);
}

/* Stopping */

static void
stop_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  ImuRecording *self = source_object;
  GError *error = NULL;

  /* Stop listening first, then write what arrived and finish. */
  imu_record_source_stop (self->source);
  if (!imu_recorder_stop (self->recorder, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
stop_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  ImuRecording *self = IMU_RECORDING (object);
  g_autoptr(GPtrArray) tasks = g_steal_pointer (&self->stop_tasks);
  g_autoptr(GError) error = NULL;

  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  g_task_propagate_boolean (G_TASK (result), &error);
  self->stopping = FALSE;
  set_active (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0, error);
  for (guint i = 0; i < tasks->len; i++)
    {
      if (error != NULL)
        g_task_return_error (g_ptr_array_index (tasks, i), g_error_copy (error));
      else
        g_task_return_boolean (g_ptr_array_index (tasks, i), TRUE);
    }
}

/* @task: (transfer full) (nullable): what to answer once stopped */
static void
stop_internal (ImuRecording *self,
               GTask        *task)
{
  g_autoptr(GTask) inner = NULL;

  if (task != NULL)
    g_ptr_array_add (self->stop_tasks, task);
  if (self->stopping)
    return;
  g_clear_handle_id (&self->watch_id, g_source_remove);
  self->stopping = TRUE;
  inner = g_task_new (self, NULL, stop_done_cb, NULL);
  g_task_set_source_tag (inner, stop_internal);
  g_task_run_in_thread (inner, stop_worker);
}

/* GObject */

static void
imu_recording_dispose (GObject *object)
{
  ImuRecording *self = IMU_RECORDING (object);

  g_clear_handle_id (&self->watch_id, g_source_remove);
  /* A window that goes away while recording (it asked first) still leaves
   * every sample committed: this blocks for one last commit. */
  if (self->active && !self->stopping && self->source != NULL)
    {
      g_autoptr(GError) error = NULL;

      imu_record_source_stop (self->source);
      if (!imu_recorder_stop (self->recorder, &error))
        g_warning ("Stopping the recording: %s", error->message);
      self->active = FALSE;
    }
  g_clear_object (&self->source);
  g_clear_object (&self->recorder);
  g_clear_pointer (&self->stop_tasks, g_ptr_array_unref);

  G_OBJECT_CLASS (imu_recording_parent_class)->dispose (object);
}

static void
imu_recording_finalize (GObject *object)
{
  ImuRecording *self = IMU_RECORDING (object);

  g_free (self->library_path);
  g_free (self->spec);
  g_free (self->format);
  g_free (self->title);
  g_free (self->subject);
  g_strfreev (self->tags);
  g_free (self->address);

  G_OBJECT_CLASS (imu_recording_parent_class)->finalize (object);
}

static void
imu_recording_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  ImuRecording *self = IMU_RECORDING (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_recording_class_init (ImuRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_recording_dispose;
  object_class->finalize = imu_recording_finalize;
  object_class->get_property = imu_recording_get_property;

  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_COMMITTED] =
    g_signal_new ("committed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_FINISHED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
imu_recording_init (ImuRecording *self)
{
  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Public */

/**
 * imu_recording_new:
 *
 * Makes the source of @options->spec (nothing is opened yet) and the
 * recorder. Does not block.
 */
ImuRecording *
imu_recording_new (const char                *library_path,
                   const ImuRecordingOptions *options,
                   GError                   **error)
{
  g_autoptr(ImuRecording) self = NULL;
  ImuRecordSourceOptions source_options = { 0 };
  ImuRecorderOptions recorder_options = { 0 };

  g_return_val_if_fail (library_path != NULL, NULL);
  g_return_val_if_fail (options != NULL && options->spec != NULL, NULL);

  self = g_object_new (IMU_TYPE_RECORDING, NULL);
  self->library_path = g_strdup (library_path);
  self->spec = g_strdup (options->spec);
  self->title = g_strdup (options->title);
  self->subject = g_strdup (options->subject);
  self->tags = g_strdupv ((char **) options->tags);
  self->speed = options->speed > 0 ? options->speed : 1.0;
  self->resume_id = options->resume_session_id;

  source_options.speed = self->speed;
  source_options.library_path = self->library_path;
  source_options.start = options->phyphox_start;
  if (!(self->source = imu_record_source_new (self->spec, &source_options, &self->kind, error)))
    return NULL;
  if (self->resume_id > 0 && self->kind->per_device)
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                   _("A recording of %s makes a session per device and cannot be resumed."),
                   self->kind->scheme);
      return NULL;
    }

  self->format = g_strdup_printf ("record-%s", self->kind->scheme);
  recorder_options.title = self->title;
  recorder_options.subject = self->subject;
  recorder_options.tags = (const char * const *) self->tags;
  recorder_options.origin_path = self->spec;
  recorder_options.format = self->format;
  recorder_options.time_scale = g_str_equal (self->kind->scheme, "replay") ? self->speed : 1.0;
  recorder_options.resume_session_id = self->resume_id;
  self->recorder = imu_recorder_new (self->library_path, &recorder_options);
  imu_recorder_set_commit_func (self->recorder, commit_cb, self);
  return g_steal_pointer (&self);
}

void
imu_recording_start_async (ImuRecording        *self,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  GTask *outer;
  g_autoptr(GTask) inner = NULL;

  g_return_if_fail (IMU_IS_RECORDING (self));
  g_return_if_fail (!self->active);

  outer = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (outer, imu_recording_start_async);
  inner = g_task_new (self, NULL, start_done_cb, outer);
  g_task_run_in_thread (inner, start_worker);
}

gboolean
imu_recording_start_finish (ImuRecording  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
imu_recording_stop_async (ImuRecording        *self,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (IMU_IS_RECORDING (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, imu_recording_stop_async);
  if (!self->active)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  /* Stopping already (a replay at its end): answered when that is done. */
  stop_internal (self, task);
}

gboolean
imu_recording_stop_finish (ImuRecording  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
imu_recording_get_active (ImuRecording *self)
{
  g_return_val_if_fail (IMU_IS_RECORDING (self), FALSE);
  return self->active;
}

const ImuRecordSourceKind *
imu_recording_get_kind (ImuRecording *self)
{
  g_return_val_if_fail (IMU_IS_RECORDING (self), NULL);
  return self->kind;
}

const char *
imu_recording_get_address (ImuRecording *self)
{
  g_return_val_if_fail (IMU_IS_RECORDING (self), NULL);
  return self->address;
}

gboolean
imu_recording_has_session (ImuRecording *self,
                           gint64        session_id)
{
  g_autoptr(GArray) ids = NULL;

  g_return_val_if_fail (IMU_IS_RECORDING (self), FALSE);

  if (session_id <= 0)
    return FALSE;
  if (session_id == self->resume_id)
    return TRUE;
  ids = imu_recorder_dup_session_ids (self->recorder);
  for (guint i = 0; i < ids->len; i++)
    if (g_array_index (ids, gint64, i) == session_id)
      return TRUE;
  return FALSE;
}

GArray *
imu_recording_dup_session_ids (ImuRecording *self)
{
  g_return_val_if_fail (IMU_IS_RECORDING (self), NULL);
  return imu_recorder_dup_session_ids (self->recorder);
}

GPtrArray *
imu_recording_dup_stats (ImuRecording *self)
{
  g_return_val_if_fail (IMU_IS_RECORDING (self), NULL);
  return imu_recorder_dup_stats (self->recorder);
}

GHashTable *
imu_recording_dup_issue_counts (ImuRecording *self)
{
  g_return_val_if_fail (IMU_IS_RECORDING (self), NULL);
  return imu_recorder_dup_issue_counts (self->recorder);
}

gint64
imu_recording_get_started_us (ImuRecording *self)
{
  g_return_val_if_fail (IMU_IS_RECORDING (self), 0);
  return self->started_us;
}
