/* test-context.c — handing work from worker threads to a main context
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * g_main_context_invoke() from a worker runs the function in the worker
 * when the main thread is not iterating at that moment; the app's sync
 * reports and progress updates once touched widgets that way. These tests
 * post while the main thread is deliberately not iterating.
 */
#define G_LOG_DOMAIN "test-context"

#include <gio/gio.h>

#include "imu-context.h"

typedef struct {
  GThread *ran_in;
  guint    calls;
  guint    freed;
  GThread *freed_in;
} Record;

static gboolean
record_cb (gpointer data)
{
  Record *r = data;

  r->ran_in = g_thread_self ();
  r->calls++;
  return G_SOURCE_REMOVE;
}

static void
record_free (gpointer data)
{
  Record *r = data;

  r->freed++;
  r->freed_in = g_thread_self ();
}

static gpointer
post_thread (gpointer data)
{
  imu_context_post (NULL, record_cb, data, record_free);
  return NULL;
}

static gpointer
post_free_thread (gpointer data)
{
  imu_context_post_free (NULL, record_free, data);
  return NULL;
}

static void
iterate_until (const guint *counter)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (*counter == 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE);
}

/* The main thread is in g_thread_join(), not iterating: the function
 * waits for the next iteration and runs in the main thread, once. */
static void
test_post_runs_in_main_thread (void)
{
  Record r = { 0 };

  g_thread_join (g_thread_new ("poster", post_thread, &r));
  g_assert_cmpuint (r.calls, ==, 0);
  g_assert_cmpuint (r.freed, ==, 0);
  iterate_until (&r.freed);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_true (r.ran_in == g_thread_self ());
  g_assert_cmpuint (r.freed, ==, 1);
  g_assert_true (r.freed_in == g_thread_self ());
  /* Nothing more comes. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpuint (r.freed, ==, 1);
}

/* Even from the main thread itself: later, never at once. */
static void
test_post_is_always_later (void)
{
  Record r = { 0 };

  imu_context_post (NULL, record_cb, &r, record_free);
  g_assert_cmpuint (r.calls, ==, 0);
  iterate_until (&r.freed);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_cmpuint (r.freed, ==, 1);
}

/* To another thread's context: it runs there. */
typedef struct {
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
} Other;

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gpointer
other_thread (gpointer data)
{
  Other *o = data;

  g_main_context_push_thread_default (o->context);
  g_main_loop_run (o->loop);
  g_main_context_pop_thread_default (o->context);
  return NULL;
}

static void
test_post_to_other_context (void)
{
  Other o = { 0 };
  Record r = { 0 };

  o.context = g_main_context_new ();
  o.loop = g_main_loop_new (o.context, FALSE);
  o.thread = g_thread_new ("other", other_thread, &o);
  imu_context_post (o.context, record_cb, &r, record_free);
  imu_context_post (o.context, quit_cb, o.loop, NULL);
  g_thread_join (o.thread);
  g_assert_cmpuint (r.calls, ==, 1);
  g_assert_true (r.ran_in == o.thread);
  g_assert_true (r.freed_in == o.thread);
  g_main_loop_unref (o.loop);
  g_main_context_unref (o.context);
}

/* imu_context_post_free: only the free function, in the main thread. */
static void
test_post_free (void)
{
  Record r = { 0 };

  g_thread_join (g_thread_new ("poster", post_free_thread, &r));
  g_assert_cmpuint (r.freed, ==, 0);
  iterate_until (&r.freed);
  g_assert_cmpuint (r.freed, ==, 1);
  g_assert_true (r.freed_in == g_thread_self ());
  g_assert_cmpuint (r.calls, ==, 0);
}

/* imu_task_run_in_thread: the source object is alive in the callback and
 * is finalized in the main thread, whichever thread drops the task last. */
static GThread *finalized_in;

static void
source_gone (gpointer data, GObject *where_it_was)
{
  finalized_in = g_thread_self ();
}

static void
task_func (GTask *task, gpointer source, gpointer data, GCancellable *cancellable)
{
  g_task_return_boolean (task, TRUE);
}

static void
task_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  gboolean *done = data;

  g_assert_true (G_IS_OBJECT (source));
  g_assert_true (g_task_propagate_boolean (G_TASK (result), NULL));
  *done = TRUE;
}

static void
test_task_source_in_main_thread (void)
{
  for (guint round = 0; round < 50; round++)
    {
      GObject *source = g_object_new (G_TYPE_OBJECT, NULL);
      gboolean done = FALSE;
      GTask *task = g_task_new (source, NULL, task_done_cb, &done);
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

      finalized_in = NULL;
      g_object_weak_ref (source, source_gone, NULL);
      imu_task_run_in_thread (task, task_func);
      g_object_unref (task);
      g_object_unref (source);
      while ((!done || finalized_in == NULL) && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE);
      g_assert_true (done);
      g_assert_true (finalized_in == g_thread_self ());
    }
}

/* ImuProgressRelay: a worker reporting 100 000 times in a burst reaches
 * the main thread a few times, always there, ending with done == total;
 * the caller's data is freed there once. */
typedef struct {
  guint    calls;
  guint64  last_done, last_total;
  gboolean wrong_thread;
  gboolean backwards;
  GThread *main;
  guint    freed;
  GThread *freed_in;
} Progress;

static void
progress_cb (guint64 done, guint64 total, gpointer data)
{
  Progress *p = data;

  p->calls++;
  p->wrong_thread |= g_thread_self () != p->main;
  p->backwards |= done < p->last_done;
  p->last_done = done;
  p->last_total = total;
}

static void
progress_free (gpointer data)
{
  Progress *p = data;

  p->freed++;
  p->freed_in = g_thread_self ();
}

#define BURST 100000

static gpointer
burst_thread (gpointer data)
{
  g_autoptr(ImuProgressRelay) relay = data;

  for (guint64 i = 1; i <= BURST; i++)
    imu_progress_relay_report (i, BURST, relay);
  return NULL;
}

static void
test_progress_relay (void)
{
  Progress p = { 0 };
  ImuProgressRelay *relay;
  gint64 start = g_get_monotonic_time (), elapsed_ms;

  p.main = g_thread_self ();
  relay = imu_progress_relay_new (progress_cb, &p, progress_free);
  g_thread_join (g_thread_new ("burst", burst_thread, relay));
  /* The worker dropped its reference; nothing ran in it. */
  g_assert_cmpuint (p.calls, ==, 0);
  g_assert_cmpuint (p.freed, ==, 0);
  iterate_until (&p.freed);
  elapsed_ms = (g_get_monotonic_time () - start) / 1000;
  g_test_message ("%u deliveries for %d reports in %" G_GINT64_FORMAT " ms", p.calls, BURST, elapsed_ms);
  g_assert_false (p.wrong_thread);
  g_assert_false (p.backwards);
  g_assert_cmpuint (p.last_done, ==, BURST);
  g_assert_cmpuint (p.last_total, ==, BURST);
  /* The main thread was not iterating during the burst: the first report
   * was posted, the rest waited for it; then the last one. */
  g_assert_cmpuint (p.calls, >=, 1);
  g_assert_cmpuint (p.calls, <=, 2);
  g_assert_cmpuint (p.freed, ==, 1);
  g_assert_true (p.freed_in == p.main);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/context/post/main-thread", test_post_runs_in_main_thread);
  g_test_add_func ("/core/context/post/always-later", test_post_is_always_later);
  g_test_add_func ("/core/context/post/other-context", test_post_to_other_context);
  g_test_add_func ("/core/context/post-free", test_post_free);
  g_test_add_func ("/core/context/task/source-in-main-thread", test_task_source_in_main_thread);
  g_test_add_func ("/core/context/progress-relay", test_progress_relay);

  return g_test_run ();
}
