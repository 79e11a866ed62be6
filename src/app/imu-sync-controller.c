/* imu-sync-controller.c — the sync scheduler of a window's library, run off
 * the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each run (Sync Now, a pull, an automatic upload) is one worker thread
 * with its own library connection and an ImuSyncScheduler on that thread's
 * own main context (imu_sync_scheduler_run()), so the window never waits
 * for the disk or the network. What the scheduler reports is copied and
 * handed to the main thread, where the items live and the signals are
 * emitted. One run at a time: the scheduler holds the library's sync lock;
 * a request during a run is remembered and run next.
 */
#define G_LOG_DOMAIN "imu-sync-controller"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "imu-context.h"
#include "imu-redact.h"
#include "imu-sync-controller.h"
#include "imu-sync-scheduler.h"

struct _ImuSyncController
{
  GObject       parent_instance;

  char         *library_path;
  GMainContext *main_context;
  GPtrArray    *items;        /* ImuSyncItem*, oldest first */
  GCancellable *cancellable;  /* of the run in progress */
  gboolean      running;
  gboolean      paused;
  gboolean      want_push;    /* asked for during a run */
  gboolean      want_pull;
  char         *want_pull_target;
  gboolean      want_refresh;
  gboolean      want_auto;
};

G_DEFINE_FINAL_TYPE (ImuSyncController, imu_sync_controller, G_TYPE_OBJECT)

enum { PROP_0, PROP_RUNNING, PROP_PAUSED, N_PROPS };
static GParamSpec *props[N_PROPS];

enum { SIGNAL_CHANGED, SIGNAL_ITEM_CHANGED, SIGNAL_ERROR, SIGNAL_SESSIONS_ARRIVED, N_SIGNALS };
static guint signals[N_SIGNALS];

typedef struct {
  ImuSyncController *self;      /* a reference */
  char              *path;
  gboolean           push;
  gboolean           pull;
  char              *pull_target;
  gboolean           only_refresh;
  gboolean           auto_push;   /* push to the targets that upload automatically */
  GCancellable      *cancellable;
} Job;

static void
job_free (Job *job)
{
  g_object_unref (job->self);
  g_free (job->path);
  g_free (job->pull_target);
  g_clear_object (&job->cancellable);
  g_free (job);
}

/* ---- main thread side ---- */

typedef struct {
  ImuSyncController *self;
  ImuSyncItem       *item;      /* one item changed, or */
  GPtrArray         *items;     /* the whole queue, or */
  char              *error;     /* a message for the user */
  gint64             arrived;   /* sessions a pull brought */
} Report;

static void
report_free (Report *r)
{
  g_object_unref (r->self);
  g_clear_pointer (&r->item, imu_sync_item_free);
  g_clear_pointer (&r->items, g_ptr_array_unref);
  g_free (r->error);
  g_free (r);
}

static gboolean
report_cb (gpointer data)
{
  Report *r = data;
  ImuSyncController *self = r->self;

  if (r->items != NULL)
    {
      g_ptr_array_unref (self->items);
      self->items = g_ptr_array_ref (r->items);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
    }
  if (r->item != NULL)
    {
      gboolean found = FALSE;

      for (guint i = 0; i < self->items->len && !found; i++)
        {
          ImuSyncItem *old = g_ptr_array_index (self->items, i);

          if (old->id == r->item->id)
            {
              g_ptr_array_index (self->items, i) = imu_sync_item_copy (r->item);
              imu_sync_item_free (old);
              found = TRUE;
            }
        }
      if (!found)
        g_ptr_array_add (self->items, imu_sync_item_copy (r->item));
      g_signal_emit (self, signals[SIGNAL_ITEM_CHANGED], 0, r->item);
      g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
    }
  if (r->error != NULL)
    g_signal_emit (self, signals[SIGNAL_ERROR], 0, r->error);
  if (r->arrived > 0)
    g_signal_emit (self, signals[SIGNAL_SESSIONS_ARRIVED], 0, r->arrived);
  return G_SOURCE_REMOVE;
}

static void
send_report (ImuSyncController *self, Report *r)
{
  r->self = g_object_ref (self);
  imu_context_post (self->main_context, report_cb, r, (GDestroyNotify) report_free);
}

/* ---- worker thread side ---- */

static void
item_changed_cb (ImuSyncScheduler *scheduler, const ImuSyncItem *item, gpointer data)
{
  Job *job = data;
  Report *r = g_new0 (Report, 1);

  r->item = imu_sync_item_copy (item);
  send_report (job->self, r);
}

static void
send_error (Job *job, const char *what, GError *error)
{
  Report *r = g_new0 (Report, 1);

  imu_redact_error (error);
  /* TRANSLATORS: what failed, then why */
  r->error = g_strdup_printf (_("%s: %s"), what, error->message);
  send_report (job->self, r);
}

static gint64
count_pulled (GPtrArray *items)
{
  gint64 n = 0;

  for (guint i = 0; i < items->len; i++)
    {
      const ImuSyncItem *item = g_ptr_array_index (items, i);

      if (item->direction == IMU_SYNC_PULL && item->state == IMU_SYNC_STATE_DONE)
        n++;
    }
  return n;
}

static void
run_job (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) items = NULL;
  guint directions = 0;
  Report *r;

  if (!(store = imu_store_open (job->path, &error)))
    {
      send_error (job, _("Cannot open the library for sync"), error);
      return;
    }
  if (!(before = imu_sync_queue_list_items (store, 0, &error)))
    {
      send_error (job, _("Cannot read the sync queue"), error);
      return;
    }
  if (!job->only_refresh)
    {
      g_autoptr(ImuSyncScheduler) scheduler = imu_sync_scheduler_new (job->path);
      const char *names[2] = { job->pull_target, NULL };

      if (!(targets = imu_sync_queue_list_targets (store, &error)))
        {
          send_error (job, _("Cannot read the sync targets"), error);
          return;
        }
      if (job->push)
        {
          directions |= 1 << IMU_SYNC_PUSH;
          for (guint i = 0; i < targets->len; i++)
            {
              const ImuSyncTargetConfig *t = g_ptr_array_index (targets, i);

              /* Whatever waited for a person is tried again: Sync Now is that person. */
              if (imu_sync_queue_retry (store, t->id, &error) < 0
                  || imu_sync_queue_enqueue_all_pushes (store, t->id, &error) < 0)
                {
                  send_error (job, _("Cannot queue the sessions"), error);
                  return;
                }
            }
        }
      if (job->auto_push)
        {
          gint64 queued = 0;

          for (guint i = 0; i < targets->len; i++)
            {
              const ImuSyncTargetConfig *t = g_ptr_array_index (targets, i);
              g_autofree char *key = g_strdup_printf ("auto_upload.%" PRId64, t->id);
              g_autofree char *on = imu_sync_queue_get_setting (store, key);
              gint64 n;

              if (g_strcmp0 (on, "1") != 0)
                continue;
              if ((n = imu_sync_queue_enqueue_all_pushes (store, t->id, &error)) < 0)
                {
                  send_error (job, _("Cannot queue the sessions"), error);
                  return;
                }
              queued += n;
            }
          /* Nothing new: no scheduler (and no lock) for nothing. */
          if (queued == 0 && !job->push && !job->pull)
            goto done;
          directions |= 1 << IMU_SYNC_PUSH;
        }
      if (job->pull)
        {
          directions |= 1 << IMU_SYNC_PULL;
          if (job->pull_target != NULL)
            imu_sync_scheduler_set_targets (scheduler, names);
          if (imu_sync_scheduler_discover (scheduler, job->cancellable, &error) < 0)
            {
              send_error (job, _("Cannot list what the target holds"), error);
              g_clear_error (&error);
            }
        }
      /* Pull items of earlier runs are worked too: they were asked for. */
      imu_sync_scheduler_set_directions (scheduler, directions | (1 << IMU_SYNC_PULL));
      g_signal_connect (scheduler, "item-changed", G_CALLBACK (item_changed_cb), job);
      if (!imu_sync_scheduler_run (scheduler, FALSE, 0, job->cancellable, &error)
          && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        send_error (job, _("Sync stopped"), error);
      g_clear_error (&error);
      g_signal_handlers_disconnect_by_data (scheduler, job);
    }
done:
  if (!(items = imu_sync_queue_list_items (store, 0, &error)))
    {
      send_error (job, _("Cannot read the sync queue"), error);
      return;
    }
  r = g_new0 (Report, 1);
  r->arrived = count_pulled (items) - count_pulled (before);
  r->items = g_steal_pointer (&items);
  send_report (job->self, r);
}

static void start_job (ImuSyncController *self, gboolean push, gboolean pull, const char *pull_target,
                       gboolean only_refresh, gboolean auto_push);

static void
job_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  ImuSyncController *self = IMU_SYNC_CONTROLLER (source);
  g_autofree char *target = NULL;

  self->running = FALSE;
  g_clear_object (&self->cancellable);
  if (!self->paused && (self->want_push || self->want_pull || self->want_refresh || self->want_auto))
    {
      gboolean push = self->want_push, pull = self->want_pull, refresh = self->want_refresh;
      gboolean auto_push = self->want_auto;

      target = g_steal_pointer (&self->want_pull_target);
      self->want_push = self->want_pull = self->want_refresh = self->want_auto = FALSE;
      start_job (self, push, pull, target, refresh && !push && !pull && !auto_push, auto_push);
      return;
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RUNNING]);
}

static void
start_job (ImuSyncController *self, gboolean push, gboolean pull, const char *pull_target,
           gboolean only_refresh, gboolean auto_push)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  if (self->running)
    {
      self->want_push |= push;
      self->want_pull |= pull;
      self->want_refresh |= only_refresh;
      self->want_auto |= auto_push;
      if (pull)
        {
          g_free (self->want_pull_target);
          self->want_pull_target = g_strdup (pull_target);
        }
      return;
    }
  job = g_new0 (Job, 1);
  job->self = g_object_ref (self);
  job->path = g_strdup (self->library_path);
  job->push = push;
  job->pull = pull;
  job->pull_target = g_strdup (pull_target);
  job->only_refresh = only_refresh;
  job->auto_push = auto_push;
  self->cancellable = g_cancellable_new ();
  job->cancellable = g_object_ref (self->cancellable);
  self->running = TRUE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RUNNING]);

  task = g_task_new (self, NULL, job_done_cb, NULL);
  g_task_set_source_tag (task, start_job);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  imu_task_run_in_thread (task, run_job);
}

/* ---- public ---- */

ImuSyncController *
imu_sync_controller_new (const char *library_path)
{
  ImuSyncController *self = g_object_new (IMU_TYPE_SYNC_CONTROLLER, NULL);

  self->library_path = g_strdup (library_path);
  return self;
}

const char *
imu_sync_controller_get_library_path (ImuSyncController *self)
{
  g_return_val_if_fail (IMU_IS_SYNC_CONTROLLER (self), NULL);
  return self->library_path;
}

void
imu_sync_controller_sync_now (ImuSyncController *self)
{
  g_return_if_fail (IMU_IS_SYNC_CONTROLLER (self));
  imu_sync_controller_resume (self);
  start_job (self, TRUE, FALSE, NULL, FALSE, FALSE);
}

void
imu_sync_controller_pull (ImuSyncController *self, const char *target_name)
{
  g_return_if_fail (IMU_IS_SYNC_CONTROLLER (self));
  imu_sync_controller_resume (self);
  start_job (self, FALSE, TRUE, target_name, FALSE, FALSE);
}

void
imu_sync_controller_refresh (ImuSyncController *self)
{
  g_return_if_fail (IMU_IS_SYNC_CONTROLLER (self));
  start_job (self, FALSE, FALSE, NULL, TRUE, FALSE);
}

void
imu_sync_controller_upload_new (ImuSyncController *self)
{
  g_return_if_fail (IMU_IS_SYNC_CONTROLLER (self));
  if (self->paused)
    return;
  start_job (self, FALSE, FALSE, NULL, FALSE, TRUE);
}

void
imu_sync_controller_pause (ImuSyncController *self)
{
  g_return_if_fail (IMU_IS_SYNC_CONTROLLER (self));
  if (self->paused)
    return;
  self->paused = TRUE;
  self->want_push = self->want_pull = FALSE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PAUSED]);
}

void
imu_sync_controller_resume (ImuSyncController *self)
{
  g_return_if_fail (IMU_IS_SYNC_CONTROLLER (self));
  if (!self->paused)
    return;
  self->paused = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PAUSED]);
}

gboolean
imu_sync_controller_get_paused (ImuSyncController *self)
{
  g_return_val_if_fail (IMU_IS_SYNC_CONTROLLER (self), FALSE);
  return self->paused;
}

gboolean
imu_sync_controller_get_running (ImuSyncController *self)
{
  g_return_val_if_fail (IMU_IS_SYNC_CONTROLLER (self), FALSE);
  return self->running;
}

GPtrArray *
imu_sync_controller_get_items (ImuSyncController *self)
{
  g_return_val_if_fail (IMU_IS_SYNC_CONTROLLER (self), NULL);
  return self->items;
}

/* Which state says most about a session, for its one icon. */
static int
state_rank (ImuSyncState state)
{
  switch (state)
    {
    case IMU_SYNC_STATE_NEEDS_ATTENTION: return 5;
    case IMU_SYNC_STATE_TRANSFERRING:
    case IMU_SYNC_STATE_VERIFYING:       return 4;
    case IMU_SYNC_STATE_RETRYING:        return 3;
    case IMU_SYNC_STATE_QUEUED:          return 2;
    case IMU_SYNC_STATE_DONE:            return 1;
    default:                             return 0;
    }
}

const ImuSyncItem *
imu_sync_controller_lookup (ImuSyncController *self, const char *session_uuid)
{
  const ImuSyncItem *best = NULL;

  g_return_val_if_fail (IMU_IS_SYNC_CONTROLLER (self), NULL);
  if (session_uuid == NULL)
    return NULL;
  for (guint i = 0; i < self->items->len; i++)
    {
      const ImuSyncItem *item = g_ptr_array_index (self->items, i);

      if (g_strcmp0 (item->session_uuid, session_uuid) == 0
          && (best == NULL || state_rank (item->state) > state_rank (best->state)))
        best = item;
    }
  return best;
}

static void
imu_sync_controller_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ImuSyncController *self = IMU_SYNC_CONTROLLER (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->running);
      break;
    case PROP_PAUSED:
      g_value_set_boolean (value, self->paused);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_sync_controller_dispose (GObject *object)
{
  ImuSyncController *self = IMU_SYNC_CONTROLLER (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (imu_sync_controller_parent_class)->dispose (object);
}

static void
imu_sync_controller_finalize (GObject *object)
{
  ImuSyncController *self = IMU_SYNC_CONTROLLER (object);

  g_free (self->library_path);
  g_free (self->want_pull_target);
  g_ptr_array_unref (self->items);
  g_clear_object (&self->cancellable);
  g_main_context_unref (self->main_context);
  G_OBJECT_CLASS (imu_sync_controller_parent_class)->finalize (object);
}

static void
imu_sync_controller_class_init (ImuSyncControllerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = imu_sync_controller_get_property;
  object_class->dispose = imu_sync_controller_dispose;
  object_class->finalize = imu_sync_controller_finalize;

  props[PROP_RUNNING] = g_param_spec_boolean ("running", NULL, NULL, FALSE,
                                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  props[PROP_PAUSED] = g_param_spec_boolean ("paused", NULL, NULL, FALSE,
                                             G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /* The queue changed (any item, or all of it). */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_ITEM_CHANGED] = g_signal_new ("item-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                               0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                               IMU_TYPE_SYNC_ITEM | G_SIGNAL_TYPE_STATIC_SCOPE);
  /* A message for the user (redacted). */
  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  /* A pull imported sessions: the library list should be read again. */
  signals[SIGNAL_SESSIONS_ARRIVED] = g_signal_new ("sessions-arrived", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
imu_sync_controller_init (ImuSyncController *self)
{
  self->main_context = g_main_context_ref_thread_default ();
  self->items = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_item_free);
}
