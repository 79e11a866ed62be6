/* bench-envelope.c — how fast the plot's min/max envelopes come out of a library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For every stream of a library (or of one session): imu_series_envelope()
 * for 2000 buckets (a wide plot) over the stream's full range, repeated,
 * then over random zoom windows whose widths are log-uniform between 1 s
 * and the full range (what zooming and panning asks for). Prints median,
 * 95th percentile and maximum in milliseconds, and the worst p95 against
 * the target (2 ms). The first full-range call is timed on its own: it
 * fills the series' caches.
 *
 * Usage: bench-envelope LIBRARY [--session ID] [--repeat N] [--windows N]
 *                               [--buckets N] [--seed N]
 * Not part of the test suite (bench/import.sh runs it).
 */
#define G_LOG_DOMAIN "imu-bench"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "imu-core.h"

#define TARGET_MS 2.0
#define NS_PER_S G_GINT64_CONSTANT (1000000000)

static double
now_ms (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef struct {
  double median, p95, max;
} Stats;

/* Nearest-rank percentiles of @n timings (sorts them). */
static Stats
stats_of (double *ms,
          guint   n)
{
  Stats s = { 0, 0, 0 };

  if (n == 0)
    return s;
  qsort (ms, n, sizeof *ms, (int (*)(const void *, const void *)) compare_doubles);
  s.median = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
  s.p95 = ms[MIN (n - 1, (guint) ceil (0.95 * n) - 1)];
  s.max = ms[n - 1];
  return s;
}

static gboolean
time_envelope (ImuSeries *series,
               gint64     t0,
               gint64     t1,
               guint      buckets,
               double    *ms,
               GError   **error)
{
  g_autoptr(ImuEnvelope) env = NULL;
  double start = now_ms ();

  env = imu_series_envelope (series, t0, t1, buckets, error);
  *ms = now_ms () - start;
  return env != NULL;
}

static gboolean
bench_stream (ImuStore            *store,
              const ImuStreamInfo *info,
              guint                repeat,
              guint                n_windows,
              guint                buckets,
              GRand               *rand,
              double              *worst_p95,
              GError             **error)
{
  g_autoptr(ImuSeries) series = NULL;
  g_autofree double *ms = g_new0 (double, MAX (repeat, n_windows));
  gint64 t_first, t_last, full;
  double first_ms, open_ms, start;
  Stats s;

  start = now_ms ();
  series = imu_series_new (store, info->id, error);
  if (series == NULL)
    return FALSE;
  open_ms = now_ms () - start;
  t_first = imu_series_get_t_first (series);
  t_last = imu_series_get_t_last (series);
  full = t_last - t_first + 1;

  printf ("stream %" G_GINT64_FORMAT " %s: %" G_GINT64_FORMAT " samples × %u channels, %.1f h; "
          "opened in %.2f ms\n",
          info->id, info->name, imu_series_get_n_samples (series), imu_series_get_n_channels (series),
          full / 3600e9, open_ms);
  if (imu_series_get_n_samples (series) < 2)
    return TRUE;

  if (!time_envelope (series, t_first, t_last + 1, buckets, &first_ms, error))
    return FALSE;
  for (guint i = 0; i < repeat; i++)
    if (!time_envelope (series, t_first, t_last + 1, buckets, &ms[i], error))
      return FALSE;
  s = stats_of (ms, repeat);
  printf ("  full range, %u buckets, ×%u: median %.3f ms, p95 %.3f ms, max %.3f ms (first call %.3f ms)\n",
          buckets, repeat, s.median, s.p95, s.max, first_ms);
  *worst_p95 = MAX (*worst_p95, s.p95);

  for (guint i = 0; i < n_windows; i++)
    {
      /* Width log-uniform in [1 s, full], start uniform where it fits. */
      double lo = log (1e9), hi = log ((double) MAX (full, NS_PER_S));
      gint64 width = (gint64) exp (lo + (hi - lo) * g_rand_double (rand));
      gint64 t0 = t_first + (gint64) (g_rand_double (rand) * (double) MAX (full - width, 0));

      if (!time_envelope (series, t0, t0 + MAX (width, 1), buckets, &ms[i], error))
        return FALSE;
    }
  s = stats_of (ms, n_windows);
  printf ("  zoom windows 1 s … full, %u buckets, ×%u: median %.3f ms, p95 %.3f ms, max %.3f ms\n",
          buckets, n_windows, s.median, s.p95, s.max);
  *worst_p95 = MAX (*worst_p95, s.p95);
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GRand) rand = NULL;
  gint64 session_id = 0;
  int repeat = 50, n_windows = 200, buckets = 2000, seed = 1;
  double worst_p95 = 0;
  guint n_streams = 0;
  const GOptionEntry entries[] = {
    { "session", 0, 0, G_OPTION_ARG_INT64, &session_id, "Only this session (default: all)", "ID" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Full-range queries per stream (default 50)", "N" },
    { "windows", 0, 0, G_OPTION_ARG_INT, &n_windows, "Random zoom windows per stream (default 200)", "N" },
    { "buckets", 0, 0, G_OPTION_ARG_INT, &buckets, "Buckets (pixels) per query (default 2000)", "N" },
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Seed of the zoom windows (default 1)", "N" },
    { NULL }
  };

  context = g_option_context_new ("LIBRARY");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 2
      || repeat < 1 || n_windows < 1 || buckets < 1 || buckets > 65536)
    {
      g_printerr ("bench-envelope: %s\n", error != NULL ? error->message
                  : "usage: bench-envelope LIBRARY [--session ID] [--repeat N] [--windows N] [--buckets N]");
      return 1;
    }

  store = imu_store_open (argv[1], &error);
  if (store == NULL)
    {
      g_printerr ("bench-envelope: %s: %s\n", argv[1], error->message);
      return 1;
    }
  rand = g_rand_new_with_seed ((guint32) seed);

  sessions = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_ASC, &error);
  if (sessions == NULL)
    {
      g_printerr ("bench-envelope: %s: %s\n", argv[1], error->message);
      return 1;
    }
  for (guint i = 0; i < sessions->len; i++)
    {
      ImuSession *session = g_ptr_array_index (sessions, i);
      g_autoptr(GPtrArray) streams = NULL;

      if (session_id != 0 && imu_session_get_id (session) != session_id)
        continue;
      streams = imu_store_list_streams (store, imu_session_get_id (session), &error);
      if (streams == NULL)
        break;
      printf ("session %" G_GINT64_FORMAT " “%s”\n", imu_session_get_id (session), imu_session_get_title (session));
      for (guint j = 0; j < streams->len; j++)
        {
          if (!bench_stream (store, g_ptr_array_index (streams, j), (guint) repeat, (guint) n_windows,
                             (guint) buckets, rand, &worst_p95, &error))
            break;
          n_streams++;
        }
      if (error != NULL)
        break;
    }
  if (error != NULL)
    {
      g_printerr ("bench-envelope: %s: %s\n", argv[1], error->message);
      return 1;
    }
  if (n_streams == 0)
    {
      g_printerr ("bench-envelope: %s: no stream to query\n", argv[1]);
      return 1;
    }

  printf ("envelope: worst p95 %.3f ms over %u streams (target ≤ %.0f ms): %s\n",
          worst_p95, n_streams, TARGET_MS, worst_p95 <= TARGET_MS ? "met" : "MISSED");
  return 0;
}
