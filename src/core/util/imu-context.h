/* imu-context.h — handing work from a worker thread to a main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * imu_context_post:
 * @context: (nullable): the context that must run @func (NULL: the global
 *   default, the GTK main thread's)
 * @func: called in @context; returns G_SOURCE_REMOVE (CONTINUE calls it again)
 * @data: for @func
 * @notify: (nullable): frees @data, in @context after @func (or when the
 *   context is destroyed without running it)
 *
 * Runs @func in the thread that iterates @context, always later, never in
 * the calling thread. g_main_context_invoke() is not that: from a worker
 * thread whose thread-default context is the global default it acquires
 * the default context when the main thread is between two iterations and
 * calls @func right there, in the worker, touching widgets off the main
 * thread. Thread-safe.
 */
void imu_context_post (GMainContext   *context,
                       GSourceFunc     func,
                       gpointer        data,
                       GDestroyNotify  notify);

/**
 * imu_context_post_free:
 *
 * Calls @notify on @data in @context, later: for data (a widget, say) that
 * a worker holds and must give back where it came from.
 */
void imu_context_post_free (GMainContext   *context,
                            GDestroyNotify  notify,
                            gpointer        data);

/**
 * imu_task_run_in_thread:
 *
 * g_task_run_in_thread(), except that the task's source object is always
 * released in the main context. A task run in a thread can be finalized
 * in that thread (when its callback has already run in the main context),
 * and finalizing drops its reference to the source object: for a widget
 * whose window closed meanwhile, that was the last one, and GTK widgets
 * must not be finalized off the main thread. Here the task keeps one more
 * reference, given back through imu_context_post() when it was not
 * already in the main context.
 */
void imu_task_run_in_thread (GTask           *task,
                             GTaskThreadFunc  task_func);

/**
 * imu_task_release_source_in_main_context:
 *
 * What imu_task_run_in_thread() does to @task's source object, for a task
 * that another thread of one's own completes and unrefs.
 */
void imu_task_release_source_in_main_context (GTask *task);

/**
 * ImuProgressRelay:
 *
 * Carries a worker's progress ("done of total", an ImuProgressFunc) to the
 * context that made the relay: at most one update in flight, at most one
 * every 50 ms, and always the last one (done == total), so that a fast
 * worker cannot flood the main loop. The caller's data is freed in that
 * context. Reference-counted; thread-safe.
 */
typedef struct _ImuProgressRelay ImuProgressRelay;

ImuProgressRelay *imu_progress_relay_new    (void           (*progress) (guint64  done,
                                                                          guint64  total,
                                                                          gpointer data),
                                             gpointer         data,
                                             GDestroyNotify   destroy);
ImuProgressRelay *imu_progress_relay_ref    (ImuProgressRelay *relay);
void              imu_progress_relay_unref  (ImuProgressRelay *relay);
/* An ImuProgressFunc: pass the relay as its data, from any thread. */
void              imu_progress_relay_report (guint64          done,
                                             guint64          total,
                                             gpointer         relay);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuProgressRelay, imu_progress_relay_unref)

G_END_DECLS
