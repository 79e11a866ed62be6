/* imu-plot-data.c — reading the plot's data off the main thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plot never waits for the disk. One worker thread per plot owns a
 * connection to the library (a connection belongs to one thread) and the
 * open ImuSeries of the session's streams; jobs reach it as GTasks through
 * a queue and their results come back to the main context. Fetches for
 * the view are "newest wins": a fetch that was overtaken by a newer one
 * before it started is skipped, so a fast pan never builds a backlog.
 * Statistics of a selection and exports stream through many chunks, so
 * they run in their own GTask threads, each on its own connection, and do
 * not hold up the view's fetches.
 */

#define G_LOG_DOMAIN "imu-plot"

#include <inttypes.h>
#include <math.h>
#include <glib/gi18n.h>

#include "imu-context.h"
#include "imu-plot-private.h"
#include "imu-stream-writer.h"

/* Stops the worker; never a GTask. */
static int quit_job;
#define QUIT_JOB ((gpointer) &quit_job)

struct _ImuPlotWorker
{
  GAsyncQueue *queue;
  GThread     *thread;
  int          fetch_serial;    /* atomic: the newest fetch asked for */

  /* Used only in the worker thread. */
  ImuStore    *store;
  char        *path;
  gint64       session_id;
  GPtrArray   *series;          /* ImuSeries*, in the order of the streams */
};

typedef enum {
  JOB_OPEN,
  JOB_FETCH,
  JOB_OVERVIEW,
  JOB_EVENTS,
  JOB_SAVE_EVENT,
} JobKind;

typedef struct {
  JobKind   kind;
  char     *path;
  gint64    session_id;
  gint64    r0, r1;
  guint     n_buckets;
  int       serial;
  ImuEvent *event;
} Job;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->path);
  g_clear_pointer (&job->event, imu_event_free);
  g_free (job);
}

static void
data_clear (gpointer mem)
{
  ImuPlotData *data = mem;

  g_clear_pointer (&data->env, imu_envelope_free);
  g_free (data->t);
  if (data->cols != NULL)
    for (guint c = 0; c < data->n_channels; c++)
      g_free (data->cols[c]);
  g_free (data->cols);
}

ImuPlotData *
imu_plot_data_ref (ImuPlotData *data)
{
  return g_atomic_rc_box_acquire (data);
}

void
imu_plot_data_unref (ImuPlotData *data)
{
  g_atomic_rc_box_release_full (data, data_clear);
}

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* 1.5 × the median of @n intervals (sorted in place), or G_MAXINT64. */
static gint64
gap_from_intervals (gint64 *iv, gsize n)
{
  gint64 median;

  if (n == 0)
    return G_MAXINT64;
  qsort (iv, n, sizeof iv[0], cmp_gint64);
  median = iv[n / 2];
  return median > 0 ? median + median / 2 : G_MAXINT64;
}

/* The median is taken over at most this many intervals, spread evenly. */
#define GAP_SAMPLE 1023

static gint64
gap_of_raw (const ImuPlotData *d)
{
  gint64 iv[GAP_SAMPLE];
  gint64 n = d->n - 1, m = MIN (n, GAP_SAMPLE);

  for (gint64 j = 0; j < m; j++)
    {
      gint64 i = 1 + j * n / m;

      iv[j] = d->t[i] - d->t[i - 1];
    }
  return gap_from_intervals (iv, (gsize) MAX (m, 0));
}

/* From the buckets holding two samples or more: their time span per
 * interval. */
static gint64
gap_of_envelope (const ImuEnvelope *env)
{
  g_autofree gint64 *iv = g_new (gint64, MAX (env->n_buckets, 1));
  gsize m = 0;

  for (guint b = 0; b < env->n_buckets; b++)
    if (env->i_last[b] > env->i_first[b])
      iv[m++] = (env->t_last[b] - env->t_first[b]) / (env->i_last[b] - env->i_first[b]);
  return gap_from_intervals (iv, m);
}

/**
 * imu_plot_data_fetch:
 *
 * Reads what a plot needs to draw [r0, r1) of @series in @n_buckets
 * columns: raw samples (with one more on each side, so that lines run to
 * the edges) when there are at most IMU_PLOT_RAW_PER_PX per column, else
 * the min/max envelope. Blocking; time proportional to @n_buckets.
 */
ImuPlotData *
imu_plot_data_fetch (ImuSeries  *series,
                     gint64      r0,
                     gint64      r1,
                     guint       n_buckets,
                     GError    **error)
{
  g_autoptr(ImuPlotData) data = g_atomic_rc_box_new0 (ImuPlotData);
  gint64 i0, i1, total, first, n;

  data->r0 = r0;
  data->r1 = r1;
  data->gap_ns = G_MAXINT64;
  data->n_channels = imu_series_get_n_channels (series);
  n_buckets = CLAMP (n_buckets, 1, 65536);
  total = imu_series_get_n_samples (series);
  if (r1 <= r0 || total == 0)
    {
      data->cols = g_new0 (double *, MAX (data->n_channels, 1));
      return g_steal_pointer (&data);
    }
  if ((i0 = imu_series_index_at_time (series, r0, error)) < 0
      || (i1 = imu_series_index_at_time (series, r1, error)) < 0)
    return NULL;

  if (i1 - i0 > (gint64) n_buckets * IMU_PLOT_RAW_PER_PX)
    {
      if (!(data->env = imu_series_envelope (series, r0, r1, n_buckets, error)))
        return NULL;
      data->gap_ns = gap_of_envelope (data->env);
      return g_steal_pointer (&data);
    }

  first = MAX (i0 - 1, 0);
  n = MIN (i1 + 1, total) - first;
  data->t = g_new (gint64, MAX (n, 1));
  data->cols = g_new0 (double *, MAX (data->n_channels, 1));
  for (guint c = 0; c < data->n_channels; c++)
    data->cols[c] = g_new (double, MAX (n, 1));
  if (n > 0 && (data->n = imu_series_read (series, first, n, data->t, data->cols, error)) < 0)
    return NULL;
  data->gap_ns = gap_of_raw (data);
  return g_steal_pointer (&data);
}

void
imu_plot_stream_free (ImuPlotStream *stream)
{
  g_clear_pointer (&stream->info, imu_stream_info_free);
  g_clear_pointer (&stream->view, imu_plot_data_unref);
  g_clear_pointer (&stream->overview, imu_plot_data_unref);
  g_free (stream);
}

void
imu_plot_open_result_free (ImuPlotOpenResult *result)
{
  g_clear_pointer (&result->streams, g_ptr_array_unref);
  g_clear_pointer (&result->events, g_ptr_array_unref);
  g_free (result);
}

/* Worker thread. */

static void
worker_close (ImuPlotWorker *w)
{
  g_clear_pointer (&w->series, g_ptr_array_unref);
  g_clear_object (&w->store);
  g_clear_pointer (&w->path, g_free);
  w->session_id = 0;
}

static gboolean
worker_need_session (ImuPlotWorker *w, GError **error)
{
  if (w->store == NULL || w->series == NULL)
    {
      g_set_error_literal (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_NO_SESSION,
                           _("No session is open in the plot."));
      return FALSE;
    }
  return TRUE;
}

static void
run_open (ImuPlotWorker *w, GTask *task, Job *job)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(GPtrArray) series = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_series_free);
  ImuPlotOpenResult *result;

  if (w->store == NULL || g_strcmp0 (w->path, job->path) != 0)
    {
      worker_close (w);
      if (!(w->store = imu_store_open (job->path, &error)))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      w->path = g_strdup (job->path);
    }
  g_clear_pointer (&w->series, g_ptr_array_unref);
  w->session_id = job->session_id;

  if (!(streams = imu_store_list_streams (w->store, job->session_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);
      ImuSeries *s = imu_series_new (w->store, info->id, &error);

      if (s == NULL)
        {
          g_prefix_error (&error, _("Stream “%s”: "), info->name);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (series, s);
    }
  w->series = g_steal_pointer (&series);

  result = g_new0 (ImuPlotOpenResult, 1);
  result->streams = g_steal_pointer (&streams);
  if (!(result->events = imu_store_list_events (w->store, job->session_id, &error)))
    {
      /* Markers are a nicety next to the signals: show the signals anyway. */
      g_warning ("Cannot read the events of session %" PRId64 ": %s",
                 job->session_id, error->message);
      result->events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
    }
  g_task_return_pointer (task, result, (GDestroyNotify) imu_plot_open_result_free);
}

static void
run_fetch (ImuPlotWorker *w, GTask *task, Job *job)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_plot_data_unref);

  if (job->kind == JOB_FETCH && job->serial != g_atomic_int_get (&w->fetch_serial))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "A newer range was asked for");
      return;
    }
  if (!worker_need_session (w, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  for (guint i = 0; i < w->series->len; i++)
    {
      guint n = job->kind == JOB_OVERVIEW ? IMU_PLOT_OVERVIEW_BUCKETS : job->n_buckets;
      ImuPlotData *data = imu_plot_data_fetch (g_ptr_array_index (w->series, i),
                                               job->r0, job->r1, n, &error);

      /* A session being recorded: its last chunk grew (the recorder
       * rewrites it at each commit) since the series read the chunk index.
       * A series read afresh sees the commit whole; a chunk that still
       * does not match is corrupt. */
      for (guint retry = 0; data == NULL && retry < 3
           && g_error_matches (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT); retry++)
        {
          ImuSeries *fresh = imu_series_new (w->store, imu_series_get_info (g_ptr_array_index (w->series, i))->id, NULL);

          if (fresh == NULL)
            break;
          g_clear_error (&error);
          imu_series_free (g_ptr_array_index (w->series, i));
          g_ptr_array_index (w->series, i) = fresh;
          data = imu_plot_data_fetch (fresh, job->r0, job->r1, n, &error);
        }
      if (data == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (out, data);
    }
  g_task_return_pointer (task, g_steal_pointer (&out), (GDestroyNotify) g_ptr_array_unref);
}

static void
run_events (ImuPlotWorker *w, GTask *task, Job *job)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *events;

  if (!worker_need_session (w, &error)
      || !(events = imu_store_list_events (w->store, w->session_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
}

static void
run_save_event (ImuPlotWorker *w, GTask *task, Job *job)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuEvent) event = imu_event_copy (job->event);
  gboolean ok;

  if (!worker_need_session (w, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  event->session_id = w->session_id;
  /* The marker and its session's updated time change together, so that
   * sync sends the session again (as the events page and `imu event` do). */
  ok = imu_store_begin (w->store, &error);
  if (ok && !((event->id == 0 ? imu_store_add_event (w->store, event, &error)
                              : imu_store_update_event (w->store, event, &error))
              && imu_store_touch_session (w->store, w->session_id, &error)
              && imu_store_commit (w->store, &error)))
    {
      imu_store_rollback (w->store);
      ok = FALSE;
    }
  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&event), (GDestroyNotify) imu_event_free);
}

static gpointer
worker_main (gpointer user_data)
{
  ImuPlotWorker *w = user_data;

  for (;;)
    {
      gpointer item = g_async_queue_pop (w->queue);
      GTask *task;
      Job *job;

      if (item == QUIT_JOB)
        break;
      gint64 start = g_get_monotonic_time ();

      task = item;
      job = g_task_get_task_data (task);
      if (!g_task_return_error_if_cancelled (task))
        switch (job->kind)
          {
          case JOB_OPEN: run_open (w, task, job); break;
          case JOB_FETCH:
          case JOB_OVERVIEW: run_fetch (w, task, job); break;
          case JOB_EVENTS: run_events (w, task, job); break;
          case JOB_SAVE_EVENT: run_save_event (w, task, job); break;
          default: g_assert_not_reached ();
          }
      g_debug ("job %d (%u buckets) took %.1f ms", job->kind, job->n_buckets,
               (g_get_monotonic_time () - start) / 1000.0);
      g_object_unref (task);
    }
  worker_close (w);
  return NULL;
}

ImuPlotWorker *
imu_plot_worker_new (void)
{
  ImuPlotWorker *w = g_new0 (ImuPlotWorker, 1);

  w->queue = g_async_queue_new ();
  w->thread = g_thread_new ("imu-plot-data", worker_main, w);
  return w;
}

/**
 * imu_plot_worker_free:
 *
 * Asks the thread to stop and waits for it: at most the job it is running
 * (one envelope or one small write), since queued jobs hold references to
 * their plot and so are finished before a plot is disposed.
 */
void
imu_plot_worker_free (ImuPlotWorker *w)
{
  gpointer item;

  if (w == NULL)
    return;
  g_async_queue_push_front (w->queue, QUIT_JOB);
  g_thread_join (w->thread);
  while ((item = g_async_queue_try_pop (w->queue)) != NULL)
    {
      g_task_return_new_error (item, G_IO_ERROR, G_IO_ERROR_CANCELLED, "The plot went away");
      g_object_unref (item);
    }
  g_async_queue_unref (w->queue);
  g_free (w);
}

static void
worker_push (ImuPlotWorker *w, gpointer source, Job *job, gpointer tag,
             GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (source, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_set_task_data (task, job, job_free);
  /* The worker drops the task when done, perhaps last: not the plot. */
  imu_task_release_source_in_main_context (task);
  g_async_queue_push (w->queue, task);
}

void
imu_plot_worker_open (ImuPlotWorker *w, gpointer source, const char *path, gint64 session_id,
                      GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_OPEN;
  job->path = g_strdup (path);
  job->session_id = session_id;
  worker_push (w, source, job, imu_plot_worker_open, cancellable, callback, user_data);
}

ImuPlotOpenResult *
imu_plot_worker_open_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
imu_plot_worker_fetch (ImuPlotWorker *w, gpointer source, gint64 r0, gint64 r1, guint n_buckets,
                       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_FETCH;
  job->r0 = r0;
  job->r1 = r1;
  job->n_buckets = n_buckets;
  job->serial = g_atomic_int_add (&w->fetch_serial, 1) + 1;
  worker_push (w, source, job, imu_plot_worker_fetch, cancellable, callback, user_data);
}

GPtrArray *
imu_plot_worker_fetch_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
imu_plot_worker_overview (ImuPlotWorker *w, gpointer source, gint64 s0, gint64 s1,
                          GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_OVERVIEW;
  job->r0 = s0;
  job->r1 = s1 + 1;
  worker_push (w, source, job, imu_plot_worker_fetch, cancellable, callback, user_data);
}

void
imu_plot_worker_events (ImuPlotWorker *w, gpointer source, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_EVENTS;
  worker_push (w, source, job, imu_plot_worker_events, cancellable, callback, user_data);
}

GPtrArray *
imu_plot_worker_events_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
imu_plot_worker_save_event (ImuPlotWorker *w, gpointer source, const ImuEvent *event,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data)
{
  Job *job = g_new0 (Job, 1);

  job->kind = JOB_SAVE_EVENT;
  job->event = imu_event_copy (event);
  worker_push (w, source, job, imu_plot_worker_save_event, cancellable, callback, user_data);
}

ImuEvent *
imu_plot_worker_save_event_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Statistics of a selection. */

static void
stream_stats_free (gpointer data)
{
  ImuPlotStreamStats *st = data;

  g_free (st->channels);
  g_free (st);
}

/* Welford's running mean and variance: one pass, numerically stable over
 * millions of samples. */
typedef struct {
  gint64 n;
  double mean, m2, min, max;
} Running;

static gboolean
stream_stats (ImuStore *store, gint64 stream_id, gint64 t0, gint64 t1,
              ImuPlotStreamStats *out, GCancellable *cancellable, GError **error)
{
  g_autoptr(ImuSeries) series = imu_series_new (store, stream_id, error);
  g_autofree gint64 *t = NULL;
  g_autofree double **cols = NULL;
  g_autofree Running *run = NULL;
  gint64 i0, i1;
  guint nc;

  if (series == NULL)
    return FALSE;
  nc = imu_series_get_n_channels (series);
  if ((i0 = imu_series_index_at_time (series, t0, error)) < 0
      || (i1 = imu_series_index_at_time (series, t1, error)) < 0)
    return FALSE;

  t = g_new (gint64, IMU_CHUNK_SAMPLES);
  cols = g_new0 (double *, MAX (nc, 1));
  run = g_new0 (Running, MAX (nc, 1));
  for (guint c = 0; c < nc; c++)
    cols[c] = g_new (double, IMU_CHUNK_SAMPLES);

  for (gint64 i = i0; i < i1;)
    {
      gint64 got = imu_series_read (series, i, MIN (i1 - i, IMU_CHUNK_SAMPLES), t, cols, error);

      if (got <= 0 || g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          for (guint c = 0; c < nc; c++)
            g_free (cols[c]);
          if (got == 0 && error != NULL && *error == NULL)
            g_set_error (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_FAILED,
                         _("Stream %" PRId64 " ended at sample %" PRId64
                           " of %" PRId64 "."), stream_id, i, i1);
          return FALSE;
        }
      for (guint c = 0; c < nc; c++)
        {
          Running *r = &run[c];

          for (gint64 k = 0; k < got; k++)
            {
              double v = cols[c][k], d;

              if (!isfinite (v))
                continue;
              if (r->n == 0)
                r->min = r->max = v;
              r->min = MIN (r->min, v);
              r->max = MAX (r->max, v);
              r->n++;
              d = v - r->mean;
              r->mean += d / (double) r->n;
              r->m2 += d * (v - r->mean);
            }
        }
      i += got;
    }
  for (guint c = 0; c < nc; c++)
    g_free (cols[c]);

  out->n_samples = i1 - i0;
  out->n_channels = nc;
  out->channels = g_new0 (ImuPlotChannelStats, MAX (nc, 1));
  for (guint c = 0; c < nc; c++)
    {
      ImuPlotChannelStats *cs = &out->channels[c];

      cs->count = run[c].n;
      cs->min = run[c].n ? run[c].min : NAN;
      cs->max = run[c].n ? run[c].max : NAN;
      cs->mean = run[c].n ? run[c].mean : NAN;
      /* The population standard deviation: the selection is the whole
       * population the person asked about. */
      cs->std = run[c].n ? sqrt (run[c].m2 / (double) run[c].n) : NAN;
    }
  return TRUE;
}

/**
 * imu_plot_stats_compute:
 *
 * Count, min, max, mean and standard deviation per channel of the samples
 * with t in [t0, t1) of each stream. Blocking: reads every sample in the
 * range, one chunk at a time (memory stays flat), checking @cancellable
 * between chunks.
 */
GPtrArray *
imu_plot_stats_compute (const char *path, GArray *stream_ids, gint64 t0, gint64 t1,
                        GCancellable *cancellable, GError **error)
{
  g_autoptr(ImuStore) store = imu_store_open (path, error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func (stream_stats_free);

  if (store == NULL)
    return NULL;
  for (guint i = 0; i < stream_ids->len; i++)
    {
      ImuPlotStreamStats *st = g_new0 (ImuPlotStreamStats, 1);

      g_ptr_array_add (out, st);
      if (!stream_stats (store, g_array_index (stream_ids, gint64, i), t0, t1, st, cancellable, error))
        return NULL;
    }
  return g_steal_pointer (&out);
}

typedef struct {
  char   *path;
  GArray *ids;
  gint64  t0, t1;
} StatsJob;

static void
stats_job_free (gpointer data)
{
  StatsJob *job = data;

  g_free (job->path);
  g_array_unref (job->ids);
  g_free (job);
}

static void
stats_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  StatsJob *job = task_data;
  GError *error = NULL;
  GPtrArray *out = imu_plot_stats_compute (job->path, job->ids, job->t0, job->t1, cancellable, &error);

  if (out == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, out, (GDestroyNotify) g_ptr_array_unref);
}

void
imu_plot_stats_async (const char *path, GArray *stream_ids, gint64 t0, gint64 t1,
                      gpointer source, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = g_task_new (source, cancellable, callback, user_data);
  StatsJob *job = g_new0 (StatsJob, 1);

  job->path = g_strdup (path);
  job->ids = g_array_ref (stream_ids);
  job->t0 = t0;
  job->t1 = t1;
  g_task_set_source_tag (task, imu_plot_stats_async);
  g_task_set_task_data (task, job, stats_job_free);
  g_task_set_return_on_cancel (task, FALSE);
  imu_task_run_in_thread (task, stats_worker);
}

GPtrArray *
imu_plot_stats_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
