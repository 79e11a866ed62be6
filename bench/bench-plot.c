/* bench-plot.c — how fast the plot draws a day of IMU data
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Makes (once, then re-uses) a library with a 24 h session at 100 Hz of
 * two streams, accelerometer and gyroscope, 6 channels in all, written
 * with imu-generator. Then, in a 1920 × 1080 plot rendered offscreen:
 *
 *   - the time from imu_plot_set_session() to the first frame drawn with
 *     data (cold: the first open in this process; then warm);
 *   - per frame (geometry + snapshot + render to a texture) for the whole
 *     day, a 1-minute window and a 1-second window;
 *   - a pan sweep (50 steps of a 30-minute window across the day) and a
 *     zoom sweep (day → 1 s in 60 steps): the frame drawn at once from
 *     what is at hand, and how long until the exact data arrived.
 *
 * As a baseline measured in the same run, a plot that draws every sample:
 * read all 8.64 M × 6 values and stroke them with cairo at the same size.
 * For scale, KST 2 is reported to need about 9.5 s to show the same data.
 *
 * Run under Xvfb with the cairo renderer:
 *   GSK_RENDERER=cairo GTK_A11Y=none xvfb-run -a -s "-screen 0 1920x1200x24" \
 *     build/bench/bench-plot [--hours H] [--no-baseline]
 * The library lives in bench/work/ (IMU_BENCH_DIR overrides). --only day,
 * 1min or 1s runs one window (for a profiler); IMU_BENCH_NODES=1 prints the
 * number of render nodes per frame, =2 also the cost of each large node
 * (best of 15); IMU_BENCH_STEPS=1 prints every step of the sweeps. Not
 * part of the test suite.
 */
#define G_LOG_DOMAIN "imu-bench"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "imu-core.h"
#include "imu-generator.h"
#include "imu-plot.h"
#include "imu-plot-private.h"

#define WIDTH  1920
#define HEIGHT 1080
#define FRAME_TARGET_MS 8.0
#define FIRST_TARGET_MS 300.0
#define KST_REFERENCE_S 9.5
#define SEC G_GINT64_CONSTANT (1000000000)
/* 2024-03-12 00:00:00 UTC */
#define START_NS (G_GINT64_CONSTANT (1710201600) * SEC)

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
cmp_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

typedef struct {
  double min, median, p95, max;
} Stats;

static Stats
stats_of (GArray *values)
{
  Stats s = { NAN, NAN, NAN, NAN };

  if (values->len == 0)
    return s;
  g_array_sort (values, cmp_double);
  s.min = g_array_index (values, double, 0);
  s.median = g_array_index (values, double, values->len / 2);
  s.p95 = g_array_index (values, double, MIN (values->len - 1, (guint) ceil (values->len * 0.95) - 1));
  s.max = g_array_index (values, double, values->len - 1);
  return s;
}

/* The library. */

static gboolean
write_library (const char *path, double hours, GError **error)
{
  g_autoptr(ImuStore) store = imu_store_open (path, error);
  g_autoptr(ImuSession) session = imu_session_new ();
  g_autoptr(ImuGenerator) gen = NULL;
  g_autoptr(ImuStreamInfo) acc = imu_stream_info_new ("accelerometer", 3);
  g_autoptr(ImuStreamInfo) gyr = imu_stream_info_new ("gyroscope", 3);
  g_autoptr(ImuStreamWriter) wa = NULL;
  g_autoptr(ImuStreamWriter) wg = NULL;
  gint64 n = imu_generator_count_samples ((gint64) (hours * 3600) * SEC, 100);
  gint64 last = START_NS;
  const char *axes[] = { "x", "y", "z" };

  if (store == NULL || !(gen = imu_generator_new (1, 100, START_NS, error)))
    return FALSE;
  g_object_set (session, "title", "A day at 100 Hz", "start-ns", START_NS, "tz-offset", 3600,
                "nominal-rate", 100.0, NULL);
  if (!imu_store_begin (store, error) || !imu_store_insert_session (store, session, error))
    return FALSE;
  acc->session_id = gyr->session_id = imu_session_get_id (session);
  acc->nominal_rate_hz = gyr->nominal_rate_hz = 100;
  for (guint c = 0; c < 3; c++)
    {
      g_autofree char *an = g_strdup_printf ("acc_%s", axes[c]);
      g_autofree char *gn = g_strdup_printf ("gyr_%s", axes[c]);

      imu_stream_info_set_channel (acc, c, an, "g", "accel");
      imu_stream_info_set_channel (gyr, c, gn, "deg/s", "gyro");
    }
  if (!(wa = imu_stream_writer_new (store, acc, error)) || !(wg = imu_stream_writer_new (store, gyr, error)))
    return FALSE;
  for (guint c = 0; c < 3; c++)
    {
      imu_stream_writer_set_decimals (wa, c, IMU_GENERATOR_ACCEL_DECIMALS);
      imu_stream_writer_set_decimals (wg, c, IMU_GENERATOR_GYRO_DECIMALS);
    }
  for (gint64 i = 0; i < n; i++)
    {
      double a[3], g[3];

      last = imu_generator_next (gen, a, g);
      /* Rounded as the CSV writes them: fixed-point for the codec. */
      for (guint c = 0; c < 3; c++)
        {
          a[c] = round (a[c] * 1e5) / 1e5;
          g[c] = round (g[c] * 1e3) / 1e3;
        }
      if (!imu_stream_writer_append (wa, last, a, error) || !imu_stream_writer_append (wg, last, g, error))
        return FALSE;
      if (i % 1000000 == 0)
        {
          fprintf (stderr, "\r  writing %.0f %%", 100.0 * i / n);
          fflush (stderr);
        }
    }
  fprintf (stderr, "\r");
  g_object_set (session, "end-ns", last, NULL);
  return imu_stream_writer_finish (wa, error) && imu_stream_writer_finish (wg, error)
         && imu_store_update_session (store, session, error) && imu_store_commit (store, error);
}

static ImuSession *
open_session (const char *path, GError **error)
{
  g_autoptr(ImuStore) store = imu_store_open (path, error);
  g_autoptr(GPtrArray) sessions = NULL;

  if (store == NULL || !(sessions = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_DESC, error)))
    return NULL;
  if (sessions->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "%s holds no session", path);
      return NULL;
    }
  return imu_store_load_session (store, imu_session_get_id (g_ptr_array_index (sessions, 0)), error);
}

/* Main loop. */

static gboolean
tick_cb (GtkWidget *widget, GdkFrameClock *clock, gpointer data)
{
  gtk_widget_queue_draw (widget);
  return G_SOURCE_CONTINUE;
}

static gboolean
wake_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
spin (double ms)
{
  double end = now_ms () + ms;

  while (now_ms () < end)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (200);
}

/* Runs the loop until the plot has the exact data of its view; returns
 * how long that took (ms). */
static double
wait_idle (ImuPlot *plot)
{
  double start = now_ms ();

  while (!imu_plot_is_idle (plot))
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (200);
      if (now_ms () - start > 60000)
        g_error ("the plot's data did not arrive within a minute");
    }
  return now_ms () - start;
}

typedef struct {
  double geometry, snapshot, render, total;
} Frame;

static void
profile_node (GskRenderer *renderer, GskRenderNode *node, int depth)
{
  double ms = G_MAXDOUBLE;
  graphene_rect_t b;

  /* The best of 15: the machine is shared, the minimum is the cost. */
  for (int k = 0; k < 15; k++)
    {
      double a = now_ms ();
      GdkTexture *t = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, 1920, 1080));

      ms = MIN (ms, now_ms () - a);
      g_object_unref (t);
    }
  if (ms < 0.3)
    return;
  gsk_render_node_get_bounds (node, &b);
  g_print ("%*stype %d bounds %g,%g %gx%g: %.2f ms\n", depth * 2, "", gsk_render_node_get_node_type (node),
           b.origin.x, b.origin.y, b.size.width, b.size.height, ms);
  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        profile_node (renderer, gsk_container_node_get_child (node, i), depth + 1);
      break;
    case GSK_CLIP_NODE:
      profile_node (renderer, gsk_clip_node_get_child (node), depth + 1);
      break;
    case GSK_TRANSFORM_NODE:
      profile_node (renderer, gsk_transform_node_get_child (node), depth + 1);
      break;
    default:
      break;
    }
}

static guint
count_nodes (GskRenderNode *node, guint *colors)
{
  guint n = 1;

  switch (gsk_render_node_get_node_type (node))
    {
    case GSK_CONTAINER_NODE:
      for (guint i = 0; i < gsk_container_node_get_n_children (node); i++)
        n += count_nodes (gsk_container_node_get_child (node, i), colors);
      break;
    case GSK_COLOR_NODE:
      (*colors)++;
      break;
    case GSK_CLIP_NODE:
      n += count_nodes (gsk_clip_node_get_child (node), colors);
      break;
    case GSK_ROUNDED_CLIP_NODE:
      n += count_nodes (gsk_rounded_clip_node_get_child (node), colors);
      break;
    case GSK_TRANSFORM_NODE:
      n += count_nodes (gsk_transform_node_get_child (node), colors);
      break;
    case GSK_OPACITY_NODE:
      n += count_nodes (gsk_opacity_node_get_child (node), colors);
      break;
    default:
      break;
    }
  return n;
}

/* One frame as the screen would draw it after a change: geometry made
 * anew, the widget's snapshot (with its children), rendered to a texture
 * by the window's renderer. */
static Frame
frame (ImuPlot *plot, GskRenderer *renderer)
{
  Frame f;
  GtkSnapshot *snapshot;
  GskRenderNode *node;
  GdkTexture *texture;
  double t0 = now_ms (), t1, t2, t3;

  imu_plot_invalidate (plot, FALSE);
  imu_plot_ensure_geometry (plot);
  t1 = now_ms ();
  snapshot = gtk_snapshot_new ();
  GTK_WIDGET_GET_CLASS (plot)->snapshot (GTK_WIDGET (plot), snapshot);
  node = gtk_snapshot_free_to_node (snapshot);
  t2 = now_ms ();
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, WIDTH, HEIGHT));
  t3 = now_ms ();
  if (g_getenv ("IMU_BENCH_NODES"))
    {
      guint colors = 0, n = count_nodes (node, &colors);

      g_print ("nodes %u, colour nodes %u\n", n, colors);
      if (g_str_equal (g_getenv ("IMU_BENCH_NODES"), "2"))
        profile_node (renderer, node, 0);
    }
  g_object_unref (texture);
  gsk_render_node_unref (node);
  f.geometry = t1 - t0;
  f.snapshot = t2 - t1;
  f.render = t3 - t2;
  f.total = t3 - t0;
  return f;
}

static void
report (const char *what, GArray *totals, GArray *geo, GArray *snap, GArray *rend)
{
  Stats t = stats_of (totals), g = stats_of (geo), s = stats_of (snap), r = stats_of (rend);

  printf ("  %-34s median %6.2f ms  p95 %6.2f  min %5.2f  (geometry %.2f, snapshot %.2f, render %.2f)  %s\n",
          what, t.median, t.p95, t.min, g.median, s.median, r.median,
          t.p95 <= FRAME_TARGET_MS ? "ok" : t.median <= FRAME_TARGET_MS ? "median ok, p95 over" : "OVER TARGET");
}

static void
bench_window (ImuPlot *plot, GskRenderer *renderer, const char *what, gint64 t0, gint64 t1, guint n)
{
  g_autoptr(GArray) tot = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) geo = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) snap = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rend = g_array_new (FALSE, FALSE, sizeof (double));

  imu_plot_set_visible_range (plot, t0, t1);
  wait_idle (plot);
  spin (30);
  for (guint i = 0; i < n; i++)
    {
      Frame f = frame (plot, renderer);

      g_array_append_val (tot, f.total);
      g_array_append_val (geo, f.geometry);
      g_array_append_val (snap, f.snapshot);
      g_array_append_val (rend, f.render);
    }
  report (what, tot, geo, snap, rend);
}

/* Moves the view step by step; measures the frame drawn right after each
 * move (from the data at hand), then how long the exact data took. */
static void
bench_sweep (ImuPlot *plot, GskRenderer *renderer, const char *what, gint64 *t0s, gint64 *t1s, guint n)
{
  g_autoptr(GArray) tot = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) geo = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) snap = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) rend = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) exact = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) latency = g_array_new (FALSE, FALSE, sizeof (double));
  Stats l, e;

  for (guint i = 0; i < n; i++)
    {
      Frame f;
      double wait;

      imu_plot_set_visible_range (plot, t0s[i], t1s[i]);
      f = frame (plot, renderer);
      if (g_getenv ("IMU_BENCH_STEPS") != NULL)
        printf ("    step %2u  span %12.3f s  total %6.2f  geometry %5.2f  snapshot %5.2f  render %6.2f ms\n", i,
                (double) (t1s[i] - t0s[i]) / SEC, f.total, f.geometry, f.snapshot, f.render);
      g_array_append_val (tot, f.total);
      g_array_append_val (geo, f.geometry);
      g_array_append_val (snap, f.snapshot);
      g_array_append_val (rend, f.render);
      wait = wait_idle (plot);
      g_array_append_val (latency, wait);
      f = frame (plot, renderer);
      g_array_append_val (exact, f.total);
    }
  report (what, tot, geo, snap, rend);
  l = stats_of (latency);
  e = stats_of (exact);
  printf ("  %-34s median %6.2f ms  p95 %6.2f  max %6.2f  (frame once it is there: median %.2f, p95 %.2f ms)\n",
          "  … exact data arrived after", l.median, l.p95, l.max, e.median, e.p95);
}

/* The baseline: every sample read and stroked. */
static double
naive_frame (const char *path, ImuSession *session, gint64 *n_values)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) streams = NULL;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, WIDTH, HEIGHT);
  cairo_t *cr = cairo_create (surface);
  double start = now_ms ();
  gint64 s0 = imu_session_get_start_ns (session), s1 = imu_session_get_end_ns (session);
  double lane_h;

  g_assert_no_error (error);
  streams = imu_store_list_streams (store, imu_session_get_id (session), &error);
  g_assert_no_error (error);
  *n_values = 0;
  lane_h = (double) HEIGHT / MAX (streams->len, 1);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_line_width (cr, 1);
  for (guint s = 0; s < streams->len; s++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, s);
      g_autoptr(ImuSeries) series = imu_series_new (store, info->id, &error);
      g_autofree gint64 *t = g_new (gint64, IMU_CHUNK_SAMPLES);
      g_autofree double **cols = g_new0 (double *, info->n_channels);
      double scale = info->n_channels && g_str_equal (info->channels[0].unit, "g") ? lane_h / 10 : lane_h / 500;

      g_assert_no_error (error);
      for (guint c = 0; c < info->n_channels; c++)
        cols[c] = g_new (double, IMU_CHUNK_SAMPLES);
      for (guint c = 0; c < info->n_channels; c++)
        {
          gboolean first = TRUE;

          cairo_set_source_rgb (cr, 0.1 * c, 0.4, 0.8);
          for (guint k = 0; k < imu_series_get_n_chunks (series); k++)
            {
              gint64 got = imu_series_read_chunk (series, k, t, cols, &error);

              g_assert_no_error (error);
              for (gint64 i = 0; i < got; i++)
                {
                  double x = (double) (t[i] - s0) / (double) (s1 - s0) * WIDTH;
                  double y = lane_h * (s + 0.5) - cols[c][i] * scale;

                  if (first)
                    cairo_move_to (cr, x, y), first = FALSE;
                  else
                    cairo_line_to (cr, x, y);
                }
              *n_values += got;
              /* Stroke as we go: one path of millions of points would
               * only be slower. */
              if (k % 16 == 15)
                {
                  double cx, cy;

                  cairo_get_current_point (cr, &cx, &cy);
                  cairo_stroke (cr);
                  cairo_move_to (cr, cx, cy);
                }
            }
          cairo_stroke (cr);
        }
      for (guint c = 0; c < info->n_channels; c++)
        g_free (cols[c]);
    }
  cairo_destroy (cr);
  cairo_surface_destroy (surface);
  return now_ms () - start;
}

int
main (int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GOptionContext) ctx = g_option_context_new ("— the plot's frame times on a day of data");
  double hours = 24;
  gboolean no_baseline = FALSE;
  char *only = NULL;
  int repeat = 40;
  GOptionEntry entries[] = {
    { "hours", 0, 0, G_OPTION_ARG_DOUBLE, &hours, "Length of the session (default 24)", "H" },
    { "no-baseline", 0, 0, G_OPTION_ARG_NONE, &no_baseline, "Skip the draw-every-sample baseline", NULL },
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run one window only: day, 1min, 1s (for profiling)", "WHAT" },
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Frames per window (default 40)", "N" },
    { NULL }
  };
  GtkWidget *window;
  ImuPlot *plot;
  GskRenderer *renderer;
  gint64 s0, s1, mid, first_us;
  double cold, warm[3], start;
  gint64 pan0[50], pan1[50], zoom0[60], zoom1[60];

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    {
      fprintf (stderr, "bench-plot: %s\n", error->message);
      return 2;
    }

  dir = g_strdup (g_getenv ("IMU_BENCH_DIR") != NULL ? g_getenv ("IMU_BENCH_DIR") : IMU_BENCH_WORKDIR);
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/plot-%gh-100hz.db", dir, hours);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *part = g_strconcat (path, ".part", NULL);
      double t = now_ms ();

      fprintf (stderr, "bench-plot: writing %s (%g h at 100 Hz, 6 channels) …\n", path, hours);
      g_unlink (part);
      if (!write_library (part, hours, &error) || g_rename (part, path) != 0)
        {
          fprintf (stderr, "bench-plot: %s\n", error ? error->message : "rename failed");
          return 1;
        }
      {
        g_autofree char *wal = g_strconcat (part, "-wal", NULL);
        g_autofree char *shm = g_strconcat (part, "-shm", NULL);

        g_unlink (wal);
        g_unlink (shm);
      }
      fprintf (stderr, "bench-plot: written in %.1f s\n", (now_ms () - t) / 1000);
    }
  if (!(session = open_session (path, &error)))
    {
      fprintf (stderr, "bench-plot: %s\n", error->message);
      return 1;
    }

  gtk_init ();
  adw_init ();
  window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (window), WIDTH, HEIGHT);
  plot = IMU_PLOT (imu_plot_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (plot));
  gtk_widget_add_tick_callback (GTK_WIDGET (plot), tick_cb, NULL, NULL);
  g_timeout_add (2, wake_cb, NULL);
  gtk_window_present (GTK_WINDOW (window));
  while (gtk_widget_get_width (GTK_WIDGET (plot)) != WIDTH)
    spin (5);
  renderer = gtk_native_get_renderer (GTK_NATIVE (window));

  {
    g_autofree char *load = NULL;

    g_file_get_contents ("/proc/loadavg", &load, NULL, NULL);
    printf ("bench-plot: %s, %g h, 2 streams × 3 channels at 100 Hz (%.2f M samples per stream); %d × %d, renderer %s\n"
            "  %u CPUs, load average %s",
            path, hours, hours * 3600 * 100 / 1e6, WIDTH, HEIGHT, G_OBJECT_TYPE_NAME (renderer),
            g_get_num_processors (), load != NULL ? load : "?\n");
  }

  /* First frame with data. */
  start = now_ms ();
  imu_plot_set_session (plot, path, session);
  while ((first_us = imu_plot_get_first_frame_us (plot)) < 0)
    {
      spin (0.5);
      if (now_ms () - start > 60000)
        {
          fprintf (stderr, "bench-plot: no frame with data within a minute (see the warnings above)\n");
          return 1;
        }
    }
  cold = first_us / 1000.0;
  wait_idle (plot);
  for (guint i = 0; i < G_N_ELEMENTS (warm); i++)
    {
      imu_plot_set_session (plot, NULL, NULL);
      spin (20);
      imu_plot_set_session (plot, path, session);
      while ((first_us = imu_plot_get_first_frame_us (plot)) < 0)
        spin (0.5);
      warm[i] = first_us / 1000.0;
      wait_idle (plot);
    }
  qsort (warm, G_N_ELEMENTS (warm), sizeof (double), (int (*) (const void *, const void *)) cmp_double);
  printf ("\nset_session → first frame with data (target ≤ %.0f ms):\n", FIRST_TARGET_MS);
  printf ("  cold (first open in this process)  %7.1f ms  %s\n", cold, cold <= FIRST_TARGET_MS ? "ok" : "OVER TARGET");
  printf ("  warm (median of %u)                 %7.1f ms  %s\n", (guint) G_N_ELEMENTS (warm), warm[1],
          warm[1] <= FIRST_TARGET_MS ? "ok" : "OVER TARGET");

  imu_plot_get_visible_range (plot, &s0, &s1);
  mid = s0 + (s1 - s0) / 2;
  printf ("\nper frame: geometry + snapshot + render at %d × %d (target ≤ %.0f ms):\n", WIDTH, HEIGHT, FRAME_TARGET_MS);
  if (only == NULL || g_str_equal (only, "day"))
    bench_window (plot, renderer, "whole session", s0, s1, repeat);
  if (only == NULL || g_str_equal (only, "1min"))
    bench_window (plot, renderer, "1-minute window", mid, mid + 60 * SEC, repeat);
  if (only == NULL || g_str_equal (only, "1s"))
    bench_window (plot, renderer, "1-second window", mid, mid + SEC, repeat);
  if (only != NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      return 0;
    }

  for (guint i = 0; i < G_N_ELEMENTS (pan0); i++)
    {
      gint64 span = 30 * 60 * SEC;

      pan0[i] = s0 + (gint64) ((double) (s1 - s0 - span) * i / (G_N_ELEMENTS (pan0) - 1));
      pan1[i] = pan0[i] + span;
    }
  imu_plot_set_visible_range (plot, pan0[0], pan1[0]);
  wait_idle (plot);
  bench_sweep (plot, renderer, "pan sweep (50 × 30 min, whole day)", pan0, pan1, G_N_ELEMENTS (pan0));

  for (guint i = 0; i < G_N_ELEMENTS (zoom0); i++)
    {
      /* Log-uniform spans from the whole day down to 1 s, around midday. */
      double f = (double) i / (G_N_ELEMENTS (zoom0) - 1);
      gint64 span = (gint64) exp (log ((double) (s1 - s0)) * (1 - f) + log ((double) SEC) * f);

      zoom0[i] = mid - span / 2;
      zoom1[i] = zoom0[i] + span;
    }
  imu_plot_fit (plot);
  wait_idle (plot);
  bench_sweep (plot, renderer, "zoom sweep (day → 1 s, 60 steps)", zoom0, zoom1, G_N_ELEMENTS (zoom0));

  if (!no_baseline)
    {
      gint64 n_values;
      double naive;

      printf ("\nbaseline, same run: read and stroke every sample of the day …\n");
      fflush (stdout);
      naive = naive_frame (path, session, &n_values);
      printf ("  draw-every-sample frame            %7.0f ms (%.1f M samples × channels)  = %.0f× the plot's warm first frame\n",
              naive, n_values / 1e6, naive / MAX (warm[1], 0.001));
    }
  printf ("  for scale: KST 2 needs about %.1f s to show the same data (reported, not measured here)\n",
          KST_REFERENCE_S);

  gtk_window_destroy (GTK_WINDOW (window));
  spin (50);
  return 0;
}
