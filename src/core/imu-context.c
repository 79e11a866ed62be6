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
