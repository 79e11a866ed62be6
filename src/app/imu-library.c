/* imu-library.c — the open library as the window sees it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-library"

#include <glib/gi18n.h>

#include "imu-context.h"
#include "imu-generator.h"
#include "imu-library.h"
#include "imu-store-ops.h"

/* A store connection belongs to the thread that opened it, so every worker
 * opens its own on the library path. Opening an up-to-date library costs a
 * few SQLite pragmas, far less than the work each task does. The window's
 * thread never touches the file. */

struct _ImuLibrary
{
  GObject     parent_instance;

  char       *path;
  GListStore *sessions;      /* ImuSession, without pending deletions */
  GHashTable *by_id;         /* gint64* → ImuSession (borrowed from sessions) */
  GHashTable *pending;       /* gint64* (owned) → ImuSession (owned): removed, not yet deleted */
  GHashTable *deleting;      /* gint64* (owned) → NULL: being deleted by a worker */
  GFileMonitor *monitor;     /* the library's folder: other processes' commits */
  GCancellable *cancellable; /* the refreshes */
  guint       refresh_source;
  guint       loaded : 1;
  guint       refreshing : 1;
  guint       refresh_again : 1;
  guint       serial_running : 1;
  GQueue      serial_jobs;   /* GTask (owned): event writes waiting their turn */
};

/* How long the folder must be quiet before the list is read again: an
 * import by the hundred commits many times a second. */
#define REFRESH_DELAY_MS 400

enum {
  PROP_0,
  PROP_PATH,
  PROP_LOADED,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ImuLibrary, imu_library, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

static void watch_folder (ImuLibrary *self);

void
imu_session_details_free (ImuSessionDetails *details)
{
  if (details == NULL)
    return;
  g_clear_object (&details->session);
  g_clear_pointer (&details->events, g_ptr_array_unref);
  g_clear_pointer (&details->audits, g_ptr_array_unref);
  g_free (details);
}

static gint64 *
id_dup (gint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

static ImuStore *
open_worker_store (ImuLibrary *self,
                   GError    **error)
{
  return imu_store_open (self->path, error);
}

static void
index_session (ImuLibrary *self,
               ImuSession *session)
{
  gint64 id = imu_session_get_id (session);

  g_hash_table_insert (self->by_id, id_dup (id), session);
}

static void
append_session (ImuLibrary *self,
                ImuSession *session)
{
  index_session (self, session);
  g_list_store_append (self->sessions, session);
}

static gboolean
remove_from_list (ImuLibrary *self,
                  ImuSession *session)
{
  guint position;

  if (!g_list_store_find (self->sessions, session, &position))
    return FALSE;
  g_hash_table_remove (self->by_id, &(gint64) { imu_session_get_id (session) });
  g_list_store_remove (self->sessions, position);
  return TRUE;
}

/* Running a library call in a worker
 *
 * Every slow call below is a job: its function runs in a worker thread on
 * a connection of that thread's own, and its done step (when it has one)
 * runs back on the calling thread, to bring the list model up to date
 * before the caller hears of the result. */

typedef struct _Job Job;

/* In the worker thread: does the job's work on @store, leaving what the
 * caller gets in job->result. Returns FALSE with @error set on failure. */
typedef gboolean (*JobFunc) (ImuStore      *store,
                             Job           *job,
                             GCancellable  *cancellable,
                             GError       **error);

/* On the calling thread, with the worker's error (NULL on success). It may
 * replace job->result. */
typedef void (*JobDoneFunc) (ImuLibrary   *self,
                             Job          *job,
                             const GError *error);

typedef struct {
  JobFunc         func;
  JobDoneFunc     done;         /* NULL: none */
  GDestroyNotify  result_free;  /* NULL: the caller's result is a boolean */
} JobKind;

struct _Job {
  const JobKind  *kind;
  gpointer        data;
  GDestroyNotify  data_free;
  gpointer        result;
  gboolean        serial;       /* runs after the serial jobs before it */
};

static void
job_free (Job *job)
{
  if (job->data_free != NULL)
    g_clear_pointer (&job->data, job->data_free);
  if (job->kind->result_free != NULL)
    g_clear_pointer (&job->result, job->kind->result_free);
  g_free (job);
}

static void
job_worker (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  ImuLibrary *self = source_object;
  Job *job = task_data;
  g_autoptr(ImuStore) store = NULL;
  GError *error = NULL;

  if (!(store = open_worker_store (self, &error))
      || !job->kind->func (store, job, cancellable, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void start_next_serial_job (ImuLibrary *self);

static void
job_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Job *job = g_task_get_task_data (task);
  GError *error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  if (job->serial)
    {
      IMU_LIBRARY (object)->serial_running = FALSE;
      start_next_serial_job (IMU_LIBRARY (object));
    }
  if (job->kind->done != NULL)
    job->kind->done (IMU_LIBRARY (object), job, error);
  if (error != NULL)
    g_task_return_error (task, error);
  else if (job->kind->result_free != NULL)
    g_task_return_pointer (task, g_steal_pointer (&job->result), job->kind->result_free);
  else
    g_task_return_boolean (task, TRUE);
}

/* Serial jobs run one at a time, in the order they were asked for: two
 * edits of one event in quick succession each send the whole event, and
 * the later must land last. Worker threads alone give no such order. */
static void
start_next_serial_job (ImuLibrary *self)
{
  GTask *worker;

  if (self->serial_running || (worker = g_queue_pop_head (&self->serial_jobs)) == NULL)
    return;
  self->serial_running = TRUE;
  imu_task_run_in_thread (worker, job_worker);
  g_object_unref (worker);
}

/* Runs @kind's job on @data (owned, freed with @data_free) and completes
 * a task of @self with @source_tag for @callback; a @serial job waits for
 * the serial jobs asked for before it. Does not block. */
static void
run_job_full (ImuLibrary          *self,
              const JobKind       *kind,
              gboolean             serial,
              gpointer             data,
              GDestroyNotify       data_free,
              GCancellable        *cancellable,
              gpointer             source_tag,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task;
  g_autoptr(GTask) worker = NULL;
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->data = data;
  job->data_free = data_free;
  job->serial = serial;
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  /* The worker borrows the job: the task that owns it is this one's
   * callback data, alive until the done step has run. */
  worker = g_task_new (self, cancellable, job_done_cb, task);
  g_task_set_task_data (worker, job, NULL);
  if (serial)
    {
      g_queue_push_tail (&self->serial_jobs, g_steal_pointer (&worker));
      start_next_serial_job (self);
    }
  else
    imu_task_run_in_thread (worker, job_worker);
}

static void
run_job (ImuLibrary          *self,
         const JobKind       *kind,
         gpointer             data,
         GDestroyNotify       data_free,
         GCancellable        *cancellable,
         gpointer             source_tag,
         GAsyncReadyCallback  callback,
         gpointer             user_data)
{
  run_job_full (self, kind, FALSE, data, data_free, cancellable, source_tag, callback, user_data);
}

/* Loading the list, and reading it again */

typedef struct {
  GPtrArray  *sessions;      /* as read */
  GHashTable *listed_ids;    /* gint64* → NULL: the model's ids when a refresh began */
} ListData;

static void
list_data_free (ListData *data)
{
  g_clear_pointer (&data->sessions, g_ptr_array_unref);
  g_clear_pointer (&data->listed_ids, g_hash_table_unref);
  g_free (data);
}

static gboolean
list_job (ImuStore      *store,
          Job           *job,
          GCancellable  *cancellable,
          GError       **error)
{
  ListData *data = job->data;

  data->sessions = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_DESC, error);
  return data->sessions != NULL;
}

static void
load_done (ImuLibrary   *self,
           Job          *job,
           const GError *error)
{
  ListData *data = job->data;
  g_autoptr(GPtrArray) kept = NULL;

  if (error != NULL)
    return;

  /* Sessions whose deletion is pending stay out of the list. */
  kept = g_ptr_array_new_full (data->sessions->len, g_object_unref);
  g_hash_table_remove_all (self->by_id);
  for (guint i = 0; i < data->sessions->len; i++)
    {
      ImuSession *session = g_ptr_array_index (data->sessions, i);
      gint64 id = imu_session_get_id (session);

      if (g_hash_table_contains (self->pending, &id)
          || g_hash_table_contains (self->deleting, &id))
        continue;
      index_session (self, session);
      g_ptr_array_add (kept, g_object_ref (session));
    }

  /* One splice: the list view hears one items-changed, however many rows. */
  g_list_store_splice (self->sessions, 0, g_list_model_get_n_items (G_LIST_MODEL (self->sessions)),
                       kept->pdata, kept->len);

  watch_folder (self);
  if (!self->loaded)
    {
      self->loaded = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADED]);
    }
}

static const JobKind load_kind = { list_job, load_done, NULL };

/**
 * imu_library_load_async:
 *
 * Opens the library (creating it and applying migrations when needed) and
 * lists its sessions in a worker thread, then fills the list model in one
 * step. Does not block.
 */
void
imu_library_load_async (ImuLibrary          *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (IMU_IS_LIBRARY (self));

  run_job (self, &load_kind, g_new0 (ListData, 1), (GDestroyNotify) list_data_free,
           cancellable, imu_library_load_async, callback, user_data);
}

gboolean
imu_library_load_finish (ImuLibrary    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Following other processes
 *
 * `imu import` by the hundred, a recorder or another window write to the
 * same file. Every commit writes the WAL (or, after a checkpoint, the
 * database), so a monitor on the library's folder hears of it; the list is
 * then read again in a worker and merged into the model: new sessions are
 * added, sessions gone from the file are removed, changed ones take their
 * new values. Objects already listed stay the same objects, so selection
 * and open views are kept. */

/* Copies the values of every writable property that differs. */
static void
update_session (ImuSession *listed,
                ImuSession *fresh)
{
  g_autofree GParamSpec **pspecs = NULL;
  guint n = 0;

  pspecs = g_object_class_list_properties (G_OBJECT_GET_CLASS (fresh), &n);
  g_object_freeze_notify (G_OBJECT (listed));
  for (guint i = 0; i < n; i++)
    {
      g_auto(GValue) a = G_VALUE_INIT;
      g_auto(GValue) b = G_VALUE_INIT;

      if (!(pspecs[i]->flags & G_PARAM_WRITABLE) || (pspecs[i]->flags & G_PARAM_CONSTRUCT_ONLY))
        continue;
      g_value_init (&a, pspecs[i]->value_type);
      g_value_init (&b, pspecs[i]->value_type);
      g_object_get_property (G_OBJECT (listed), pspecs[i]->name, &a);
      g_object_get_property (G_OBJECT (fresh), pspecs[i]->name, &b);
      if (g_param_values_cmp (pspecs[i], &a, &b) != 0)
        g_object_set_property (G_OBJECT (listed), pspecs[i]->name, &b);
    }
  g_object_thaw_notify (G_OBJECT (listed));
}

static void schedule_refresh (ImuLibrary *self);

static void
refresh_done (ImuLibrary   *self,
              Job          *job,
              const GError *error)
{
  ListData *data = job->data;
  g_autoptr(GHashTable) fresh_ids = NULL;
  g_autoptr(GPtrArray) gone = NULL;
  GHashTableIter iter;
  gpointer key, value;

  self->refreshing = FALSE;
  if (error != NULL)
    {
      /* A refresh that cannot read leaves the list as it is; the next
       * change tries again. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("refreshing the session list: %s", error->message);
      return;
    }

  fresh_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  for (guint i = 0; i < data->sessions->len; i++)
    {
      ImuSession *fresh = g_ptr_array_index (data->sessions, i);
      gint64 id = imu_session_get_id (fresh);
      ImuSession *listed;

      g_hash_table_add (fresh_ids, id_dup (id));
      if (g_hash_table_contains (self->pending, &id) || g_hash_table_contains (self->deleting, &id))
        continue;
      if ((listed = imu_library_lookup (self, id)) != NULL)
        update_session (listed, fresh);
      else
        append_session (self, fresh);
    }

  /* Gone from the file: only sessions that were listed when the read
   * began (one added since, by a finished import, is not in this read). */
  gone = g_ptr_array_new ();
  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (fresh_ids, key) && g_hash_table_contains (data->listed_ids, key))
      g_ptr_array_add (gone, value);
  for (guint i = 0; i < gone->len; i++)
    remove_from_list (self, g_ptr_array_index (gone, i));

  if (self->refresh_again)
    {
      self->refresh_again = FALSE;
      schedule_refresh (self);
    }
}

static const JobKind refresh_kind = { list_job, refresh_done, NULL };

static gboolean
refresh_cb (gpointer user_data)
{
  ImuLibrary *self = user_data;
  ListData *data;
  GHashTableIter iter;
  gpointer key;

  self->refresh_source = 0;
  if (self->refreshing)
    {
      self->refresh_again = TRUE;
      return G_SOURCE_REMOVE;
    }
  self->refreshing = TRUE;
  data = g_new0 (ListData, 1);
  data->listed_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_hash_table_iter_init (&iter, self->by_id);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_hash_table_add (data->listed_ids, id_dup (*(gint64 *) key));

  run_job (self, &refresh_kind, data, (GDestroyNotify) list_data_free,
           self->cancellable, refresh_cb, NULL, NULL);
  return G_SOURCE_REMOVE;
}

static void
schedule_refresh (ImuLibrary *self)
{
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  self->refresh_source = g_timeout_add (REFRESH_DELAY_MS, refresh_cb, self);
}

static void
folder_changed_cb (GFileMonitor      *monitor,
                   GFile             *file,
                   GFile             *other_file,
                   GFileMonitorEvent  event,
                   gpointer           user_data)
{
  ImuLibrary *self = user_data;
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *library = g_path_get_basename (self->path);

  /* The database and its WAL; the -shm index changes on reads too. */
  if (!g_str_has_prefix (name, library) || g_str_has_suffix (name, "-shm"))
    return;
  if (event != G_FILE_MONITOR_EVENT_CHANGED && event != G_FILE_MONITOR_EVENT_CREATED
      && event != G_FILE_MONITOR_EVENT_DELETED && event != G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    return;
  schedule_refresh (self);
}

static void
watch_folder (ImuLibrary *self)
{
  g_autofree char *dir = g_path_get_dirname (self->path);
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GError) error = NULL;

  if (self->monitor != NULL)
    return;
  self->monitor = g_file_monitor_directory (folder, G_FILE_MONITOR_NONE, self->cancellable, &error);
  if (self->monitor == NULL)
    {
      /* Without a monitor the list still shows this window's own changes. */
      g_debug ("cannot follow %s: %s", dir, error->message);
      return;
    }
  g_signal_connect_object (self->monitor, "changed", G_CALLBACK (folder_changed_cb), self, 0);
}

/**
 * imu_library_refresh:
 *
 * Reads the list of sessions again in a worker thread (soon, not at once)
 * and merges it into the model. The library does this by itself whenever
 * another process changes the file; call it when a change may have gone
 * unnoticed. Does not block.
 */
void
imu_library_refresh (ImuLibrary *self)
{
  g_return_if_fail (IMU_IS_LIBRARY (self));
  schedule_refresh (self);
}

/* Details of one session */

static gboolean
load_details_job (ImuStore      *store,
                  Job           *job,
                  GCancellable  *cancellable,
                  GError       **error)
{
  gint64 id = *(gint64 *) job->data;
  g_autoptr(ImuSessionDetails) details = g_new0 (ImuSessionDetails, 1);

  if (!(details->session = imu_store_load_session (store, id, error))
      || !(details->events = imu_store_list_events (store, id, error))
      || !(details->audits = imu_store_list_import_audits (store, id, error)))
    return FALSE;
  job->result = g_steal_pointer (&details);
  return TRUE;
}

static const JobKind load_details_kind = {
  load_details_job, NULL, (GDestroyNotify) imu_session_details_free
};

/**
 * imu_library_load_details_async:
 *
 * Reads a session with its streams, events and import audits in a worker
 * thread. Does not block.
 */
void
imu_library_load_details_async (ImuLibrary          *self,
                                gint64               session_id,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (IMU_IS_LIBRARY (self));

  run_job (self, &load_details_kind, id_dup (session_id), g_free,
           cancellable, imu_library_load_details_async, callback, user_data);
}

ImuSessionDetails *
imu_library_load_details_finish (ImuLibrary    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Saving edited metadata */

typedef struct {
  gint64  id;
  char   *title;
  char   *subject;
  char   *activity;
  char   *notes;
  GStrv   tags;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_free (data->title);
  g_free (data->subject);
  g_free (data->activity);
  g_free (data->notes);
  g_strfreev (data->tags);
  g_free (data);
}

static void
apply_save_data (ImuSession     *session,
                 const SaveData *data)
{
  imu_session_set_title (session, data->title);
  imu_session_set_subject (session, data->subject);
  imu_session_set_activity (session, data->activity);
  imu_session_set_notes (session, data->notes);
  imu_session_set_tags (session, (const char * const *) data->tags);
}

static gboolean
save_job (ImuStore      *store,
          Job           *job,
          GCancellable  *cancellable,
          GError       **error)
{
  SaveData *data = job->data;
  g_autoptr(ImuSession) session = NULL;

  /* The row is read again here rather than sent from the window, so that
   * only the fields a person can edit are written: an import or another
   * window may have changed the rest meanwhile. */
  if (!(session = imu_store_load_session (store, data->id, error)))
    return FALSE;
  apply_save_data (session, data);
  return imu_store_update_session (store, session, error);
}

static void
save_done (ImuLibrary   *self,
           Job          *job,
           const GError *error)
{
  SaveData *data = job->data;
  ImuSession *listed;

  /* The list's object notifies, so its row redraws. */
  if (error == NULL && (listed = imu_library_lookup (self, data->id)) != NULL)
    apply_save_data (listed, data);
}

static const JobKind save_kind = { save_job, save_done, NULL };

/**
 * imu_library_save_session_async:
 * @edited: a session whose title, subject, activity, notes and tags were
 *   edited (read now, on the calling thread)
 *
 * Writes those fields to the library in a worker thread; on success the
 * session in the list model takes the same values. Does not block.
 */
void
imu_library_save_session_async (ImuLibrary          *self,
                                ImuSession          *edited,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  SaveData *data;

  g_return_if_fail (IMU_IS_LIBRARY (self));
  g_return_if_fail (IMU_IS_SESSION (edited));

  data = g_new0 (SaveData, 1);
  data->id = imu_session_get_id (edited);
  data->title = g_strdup (imu_session_get_title (edited));
  data->subject = g_strdup (imu_session_get_subject (edited));
  data->activity = g_strdup (imu_session_get_activity (edited));
  data->notes = g_strdup (imu_session_get_notes (edited));
  data->tags = g_strdupv ((GStrv) imu_session_get_tags (edited));

  run_job (self, &save_kind, data, (GDestroyNotify) save_data_free,
           cancellable, imu_library_save_session_async, callback, user_data);
}

gboolean
imu_library_save_session_finish (ImuLibrary    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Adding a session that an import or the demo generator made */

static gboolean
add_job (ImuStore      *store,
         Job           *job,
         GCancellable  *cancellable,
         GError       **error)
{
  job->result = imu_store_load_session (store, *(gint64 *) job->data, error);
  return job->result != NULL;
}

/* Puts the session the job read into the list, unless it is listed
 * already; the caller gets the listed one. */
static void
add_done (ImuLibrary   *self,
          Job          *job,
          const GError *error)
{
  ImuSession *listed;

  if (error != NULL)
    return;
  /* A reload may have brought it in already. */
  if ((listed = imu_library_lookup (self, imu_session_get_id (job->result))) != NULL)
    {
      g_object_unref (job->result);
      job->result = g_object_ref (listed);
    }
  else
    append_session (self, job->result);
}

static const JobKind add_kind = { add_job, add_done, g_object_unref };

/**
 * imu_library_add_session_async:
 *
 * Reads a session that is in the file but not yet in the list (a finished
 * import) in a worker thread and adds it to the list model. Does not block.
 */
void
imu_library_add_session_async (ImuLibrary          *self,
                               gint64               session_id,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (IMU_IS_LIBRARY (self));

  run_job (self, &add_kind, id_dup (session_id), g_free,
           cancellable, imu_library_add_session_async, callback, user_data);
}

/* Returns: (transfer full): the session as listed */
ImuSession *
imu_library_add_session_finish (ImuLibrary    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The demo session */

static gboolean
demo_job (ImuStore      *store,
          Job           *job,
          GCancellable  *cancellable,
          GError       **error)
{
  gint64 id;

  if (!(id = imu_generator_create_demo_session (store, NULL, cancellable, error)))
    return FALSE;
  job->result = imu_store_load_session (store, id, error);
  return job->result != NULL;
}

/* Made (or found) and read in one worker, then added like an import's. */
static const JobKind demo_kind = { demo_job, add_done, g_object_unref };

/**
 * imu_library_create_demo_async:
 *
 * Makes the demo session in the library (or finds the one already there) in
 * a worker thread, and adds it to the list model. Does not block.
 */
void
imu_library_create_demo_async (ImuLibrary          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (IMU_IS_LIBRARY (self));

  run_job (self, &demo_kind, NULL, NULL,
           cancellable, imu_library_create_demo_async, callback, user_data);
}

/* Returns: the demo session's id, or 0 with @error set */
gint64
imu_library_create_demo_finish (ImuLibrary    *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_autoptr(ImuSession) session = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  session = g_task_propagate_pointer (G_TASK (result), error);
  return session != NULL ? imu_session_get_id (session) : 0;
}

/* Deleting sessions, undoably */

/**
 * imu_library_delete_session:
 *
 * Takes a session out of the list model and remembers it as pending: the
 * file still holds it until imu_library_commit_delete_async() or
 * imu_library_flush_async(). Does not block.
 *
 * Returns: %TRUE when the session was listed
 */
gboolean
imu_library_delete_session (ImuLibrary *self,
                            gint64      session_id)
{
  ImuSession *session;

  g_return_val_if_fail (IMU_IS_LIBRARY (self), FALSE);

  if (!(session = imu_library_lookup (self, session_id)))
    return FALSE;
  g_hash_table_insert (self->pending, id_dup (session_id), g_object_ref (session));
  remove_from_list (self, session);
  return TRUE;
}

/**
 * imu_library_undo_delete:
 *
 * Puts a session whose deletion is pending back into the list model.
 *
 * Returns: %FALSE when it was not pending (already deleted, or never)
 */
gboolean
imu_library_undo_delete (ImuLibrary *self,
                         gint64      session_id)
{
  gpointer key, value;

  g_return_val_if_fail (IMU_IS_LIBRARY (self), FALSE);

  if (!g_hash_table_steal_extended (self->pending, &session_id, &key, &value))
    return FALSE;
  append_session (self, value);
  g_free (key);
  g_object_unref (value);
  return TRUE;
}

guint
imu_library_get_n_pending_deletions (ImuLibrary *self)
{
  g_return_val_if_fail (IMU_IS_LIBRARY (self), 0);
  return g_hash_table_size (self->pending);
}

static gboolean
delete_job (ImuStore      *store,
            Job           *job,
            GCancellable  *cancellable,
            GError       **error)
{
  GArray *ids = job->data;

  for (guint i = 0; i < ids->len; i++)
    /* To the trash: `imu trash restore` brings it back after the toast. */
    if (!imu_store_trash_session (store, g_array_index (ids, gint64, i), g_get_real_time (), error))
      return FALSE;
  return TRUE;
}

static void
delete_done (ImuLibrary   *self,
             Job          *job,
             const GError *error)
{
  GArray *ids = job->data;

  for (guint i = 0; i < ids->len; i++)
    g_hash_table_remove (self->deleting, &g_array_index (ids, gint64, i));

  if (error != NULL)
    {
      /* Whatever is still in the file comes back to the list, so that what
       * the window shows never claims a deletion that did not happen. */
      g_warning ("Deleting sessions failed: %s", error->message);
      imu_library_load_async (self, NULL, NULL, NULL);
    }
}

static const JobKind delete_kind = { delete_job, delete_done, NULL };

static void
run_deletions (ImuLibrary          *self,
               GPtrArray           *sessions,
               gpointer             source_tag,
               GAsyncReadyCallback  callback,
               gpointer             user_data)
{
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), sessions->len);

  for (guint i = 0; i < sessions->len; i++)
    {
      gint64 id = imu_session_get_id (g_ptr_array_index (sessions, i));
      g_array_append_val (ids, id);
      /* Until the worker is done, a reload must not bring it back. */
      g_hash_table_add (self->deleting, id_dup (id));
    }

  run_job (self, &delete_kind, ids, (GDestroyNotify) g_array_unref,
           NULL, source_tag, callback, user_data);
}

/**
 * imu_library_commit_delete_async:
 *
 * Deletes a session whose deletion is pending from the library file, in a
 * worker thread. Nothing happens (and the result is %TRUE) when the
 * deletion was undone or already committed. Does not block.
 */
void
imu_library_commit_delete_async (ImuLibrary          *self,
                                 gint64               session_id,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  gpointer key, value;

  g_return_if_fail (IMU_IS_LIBRARY (self));

  if (g_hash_table_steal_extended (self->pending, &session_id, &key, &value))
    {
      g_ptr_array_add (sessions, value);
      g_free (key);
    }
  run_deletions (self, sessions, imu_library_commit_delete_async, callback, user_data);
}

gboolean
imu_library_commit_delete_finish (ImuLibrary    *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * imu_library_flush_async:
 *
 * Commits every pending deletion (before quitting or switching libraries),
 * in a worker thread. Does not block.
 */
void
imu_library_flush_async (ImuLibrary          *self,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (IMU_IS_LIBRARY (self));

  g_hash_table_iter_init (&iter, self->pending);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      g_ptr_array_add (sessions, g_object_ref (value));
      g_hash_table_iter_remove (&iter);
    }
  run_deletions (self, sessions, imu_library_flush_async, callback, user_data);
}

gboolean
imu_library_flush_finish (ImuLibrary    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Events */

typedef enum {
  EVENT_ADD,
  EVENT_UPDATE,
  EVENT_DELETE,
} EventOp;

typedef struct {
  EventOp   op;
  ImuEvent *event;
  gint64    session_id;
  gint64    event_id;
} EventData;

static void
event_data_free (EventData *data)
{
  g_clear_pointer (&data->event, imu_event_free);
  g_free (data);
}

static gboolean
event_job (ImuStore      *store,
           Job           *job,
           GCancellable  *cancellable,
           GError       **error)
{
  EventData *data = job->data;
  gboolean ok = FALSE;

  /* The event and its session's updated time change in one transaction,
   * as `imu event` does: sync then sends the session again. */
  if (!imu_store_begin (store, error))
    return FALSE;
  switch (data->op)
    {
    case EVENT_ADD:
      ok = imu_store_add_event (store, data->event, error);
      break;
    case EVENT_UPDATE:
      ok = imu_store_update_event (store, data->event, error);
      break;
    case EVENT_DELETE:
      ok = imu_store_delete_event (store, data->event_id, error);
      break;
    default:
      g_assert_not_reached ();
    }
  if (!ok
      || !imu_store_touch_session (store, data->session_id, error)
      || !imu_store_commit (store, error))
    {
      imu_store_rollback (store);
      return FALSE;
    }
  if (data->op == EVENT_ADD)
    job->result = imu_event_copy (data->event);
  return TRUE;
}

/* Adding returns the event as stored; the others only succeed or fail. */
static const JobKind add_event_kind = { event_job, NULL, (GDestroyNotify) imu_event_free };
static const JobKind change_event_kind = { event_job, NULL, NULL };

static void
run_event_op (ImuLibrary          *self,
              EventOp              op,
              const ImuEvent      *event,
              gint64               session_id,
              gint64               event_id,
              gpointer             source_tag,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  EventData *data = g_new0 (EventData, 1);

  data->op = op;
  data->event = event != NULL ? imu_event_copy (event) : NULL;
  data->session_id = session_id;
  data->event_id = event_id;
  /* In the order asked for (run_job_full()). */
  run_job_full (self, op == EVENT_ADD ? &add_event_kind : &change_event_kind, TRUE,
                data, (GDestroyNotify) event_data_free, NULL, source_tag, callback, user_data);
}

/**
 * imu_library_add_event_async:
 *
 * Adds an event to its session and marks the session changed (so that
 * sync sends it again), in one transaction in a worker thread. Event
 * writes land in the order they were asked for. Does not block.
 */
void
imu_library_add_event_async (ImuLibrary          *self,
                             const ImuEvent      *event,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (IMU_IS_LIBRARY (self));
  g_return_if_fail (event != NULL);
  run_event_op (self, EVENT_ADD, event, event->session_id, 0, imu_library_add_event_async, callback, user_data);
}

/* Returns: (transfer full): the event as stored (with its id) */
ImuEvent *
imu_library_add_event_finish (ImuLibrary    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * imu_library_update_event_async:
 *
 * Saves an event's time, duration, label and payload and marks its session
 * changed, in one transaction in a worker thread, after the event writes
 * asked for before. Does not block.
 */
void
imu_library_update_event_async (ImuLibrary          *self,
                                const ImuEvent      *event,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (IMU_IS_LIBRARY (self));
  g_return_if_fail (event != NULL);
  run_event_op (self, EVENT_UPDATE, event, event->session_id, 0, imu_library_update_event_async, callback, user_data);
}

gboolean
imu_library_update_event_finish (ImuLibrary    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * imu_library_delete_event_async:
 * @session_id: the session the event belongs to
 *
 * Deletes an event and marks its session changed, in one transaction in a
 * worker thread, after the event writes asked for before. Does not block.
 */
void
imu_library_delete_event_async (ImuLibrary          *self,
                                gint64               session_id,
                                gint64               event_id,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_return_if_fail (IMU_IS_LIBRARY (self));
  run_event_op (self, EVENT_DELETE, NULL, session_id, event_id, imu_library_delete_event_async, callback, user_data);
}

gboolean
imu_library_delete_event_finish (ImuLibrary    *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* GObject */

static void
imu_library_dispose (GObject *object)
{
  ImuLibrary *self = IMU_LIBRARY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->monitor != NULL)
    g_file_monitor_cancel (self->monitor);
  g_clear_object (&self->monitor);

  G_OBJECT_CLASS (imu_library_parent_class)->dispose (object);
}

static void
imu_library_finalize (GObject *object)
{
  ImuLibrary *self = IMU_LIBRARY (object);

  if (g_hash_table_size (self->pending) > 0)
    g_warning ("%u session deletions were never committed", g_hash_table_size (self->pending));
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->pending, g_hash_table_unref);
  g_clear_pointer (&self->deleting, g_hash_table_unref);
  g_clear_object (&self->sessions);
  g_clear_object (&self->cancellable);
  g_free (self->path);

  G_OBJECT_CLASS (imu_library_parent_class)->finalize (object);
}

static void
imu_library_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ImuLibrary *self = IMU_LIBRARY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_LOADED:
      g_value_set_boolean (value, self->loaded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_library_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ImuLibrary *self = IMU_LIBRARY (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_library_class_init (ImuLibraryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_library_dispose;
  object_class->finalize = imu_library_finalize;
  object_class->get_property = imu_library_get_property;
  object_class->set_property = imu_library_set_property;

  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADED] =
    g_param_spec_boolean ("loaded", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
imu_library_init (ImuLibrary *self)
{
  self->sessions = g_list_store_new (IMU_TYPE_SESSION);
  self->cancellable = g_cancellable_new ();
  self->by_id = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->pending = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->deleting = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_queue_init (&self->serial_jobs);
}

/**
 * imu_library_new:
 * @path: the library file
 *
 * Nothing is read until imu_library_load_async(). Does not block.
 */
ImuLibrary *
imu_library_new (const char *path)
{
  g_return_val_if_fail (path != NULL, NULL);
  return g_object_new (IMU_TYPE_LIBRARY, "path", path, NULL);
}

const char *
imu_library_get_path (ImuLibrary *self)
{
  g_return_val_if_fail (IMU_IS_LIBRARY (self), NULL);
  return self->path;
}

/* Returns: (transfer none): the listed sessions (ImuSession) */
GListModel *
imu_library_get_sessions (ImuLibrary *self)
{
  g_return_val_if_fail (IMU_IS_LIBRARY (self), NULL);
  return G_LIST_MODEL (self->sessions);
}

gboolean
imu_library_get_loaded (ImuLibrary *self)
{
  g_return_val_if_fail (IMU_IS_LIBRARY (self), FALSE);
  return self->loaded;
}

/* Returns: (transfer none) (nullable): the listed session with this id */
ImuSession *
imu_library_lookup (ImuLibrary *self,
                    gint64      session_id)
{
  g_return_val_if_fail (IMU_IS_LIBRARY (self), NULL);
  return g_hash_table_lookup (self->by_id, &session_id);
}
