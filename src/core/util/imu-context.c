/* imu-context.c — handing work from a worker thread to a main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "imu-context.h"

void
imu_context_post (GMainContext   *context,
                  GSourceFunc     func,
                  gpointer        data,
                  GDestroyNotify  notify)
{
  g_autoptr(GSource) source = g_idle_source_new ();

  g_return_if_fail (func != NULL);

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[imu] posted from a worker");
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, context);
}

static gboolean
nothing_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

void
imu_context_post_free (GMainContext   *context,
                       GDestroyNotify  notify,
                       gpointer        data)
{
  g_return_if_fail (notify != NULL);
  /* The source frees its data when it is destroyed after running, in
   * the thread that ran it. */
  imu_context_post (context, nothing_cb, data, notify);
}

static gboolean
unref_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
unref_in_main_context (gpointer object)
{
  if (g_main_context_is_owner (g_main_context_default ()))
    g_object_unref (object);
  else
    imu_context_post (NULL, unref_cb, object, NULL);
}

void
imu_task_release_source_in_main_context (GTask *task)
{
  gpointer source;

  g_return_if_fail (G_IS_TASK (task));

  /* Object data is freed after GTask's finalize has dropped its own
   * reference to the source: this one is then the last. */
  if ((source = g_task_get_source_object (task)) != NULL)
    g_object_set_data_full (G_OBJECT (task), "imu-source-ref", g_object_ref (source), unref_in_main_context);
}

void
imu_task_run_in_thread (GTask           *task,
                        GTaskThreadFunc  task_func)
{
  imu_task_release_source_in_main_context (task);
  g_task_run_in_thread (task, task_func);
}

/* Progress relay */

#define RELAY_INTERVAL_US 50000

struct _ImuProgressRelay {
  GMainContext   *context;
  void          (*progress) (guint64 done, guint64 total, gpointer data);
  gpointer        data;
  GDestroyNotify  destroy;
  GMutex          lock;
  guint64         done, total;
  gboolean        pending;
  gint64          last_us;
};

ImuProgressRelay *
imu_progress_relay_new (void           (*progress) (guint64 done, guint64 total, gpointer data),
                        gpointer         data,
                        GDestroyNotify   destroy)
{
  ImuProgressRelay *relay = g_atomic_rc_box_new0 (ImuProgressRelay);

  relay->context = g_main_context_ref_thread_default ();
  relay->progress = progress;
  relay->data = data;
  relay->destroy = destroy;
  relay->last_us = G_MININT64 / 2;
  g_mutex_init (&relay->lock);
  return relay;
}

ImuProgressRelay *
imu_progress_relay_ref (ImuProgressRelay *relay)
{
  return g_atomic_rc_box_acquire (relay);
}

static void
relay_clear (gpointer data)
{
  ImuProgressRelay *relay = data;

  if (relay->destroy != NULL)
    imu_context_post_free (relay->context, relay->destroy, relay->data);
  g_main_context_unref (relay->context);
  g_mutex_clear (&relay->lock);
}

void
imu_progress_relay_unref (ImuProgressRelay *relay)
{
  g_atomic_rc_box_release_full (relay, relay_clear);
}

static gboolean
relay_deliver_cb (gpointer data)
{
  ImuProgressRelay *relay = data;
  guint64 done, total;

  g_mutex_lock (&relay->lock);
  done = relay->done;
  total = relay->total;
  relay->pending = FALSE;
  g_mutex_unlock (&relay->lock);
  if (relay->progress != NULL)
    relay->progress (done, total, relay->data);
  return G_SOURCE_REMOVE;
}

void
imu_progress_relay_report (guint64  done,
                           guint64  total,
                           gpointer data)
{
  ImuProgressRelay *relay = data;
  gint64 now = g_get_monotonic_time ();
  gboolean schedule = FALSE;

  g_mutex_lock (&relay->lock);
  relay->done = done;
  relay->total = total;
  /* One in flight at a time; it delivers the latest figures when it runs. */
  if (!relay->pending && (now - relay->last_us >= RELAY_INTERVAL_US || done == total))
    {
      relay->pending = TRUE;
      relay->last_us = now;
      schedule = TRUE;
    }
  g_mutex_unlock (&relay->lock);
  if (schedule)
    imu_context_post (relay->context, relay_deliver_cb, imu_progress_relay_ref (relay),
                      (GDestroyNotify) imu_progress_relay_unref);
}
