/* test-gui-plot.c — the plot widget, rendered offscreen under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A library holds a square wave of known shape: +1 for the first second of
 * every 2 s period, −1 for the second, 60 s at 100 Hz. The plot is drawn
 * offscreen at 800 × 400 and the test checks where the trace's pixels are,
 * computed from the layout documented in docs/plot.md (margins, lane
 * layout, 5 % y padding), not from the plot's code. Screenshots go to the
 * build directory.
 */

#define G_LOG_DOMAIN "test-gui-plot"

#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <adwaita.h>

#include "imu-core.h"
#include "imu-generator.h"
#include "imu-plot.h"
#include "imu-plot-private.h"
#include "imu-test-util.h"

/* docs/plot.md, "Layout". Written out again here on purpose. */
#define DOC_MARGIN_LEFT   72
#define DOC_MARGIN_RIGHT  16
#define DOC_LANES_TOP     72
#define DOC_LANE_HEADER   26
#define DOC_AXIS_HEIGHT   30
#define DOC_MARKER_TOP    50
#define DOC_MARKER_HEIGHT 20
#define DOC_Y_PAD         0.05

#define WIDTH  800
#define HEIGHT 400

#define SEC G_GINT64_CONSTANT (1000000000)
/* 2024-03-12 10:00:00 UTC; the recording's clock is UTC+1. */
#define START_NS (G_GINT64_CONSTANT (1710237600) * SEC)
#define TZ_OFFSET 3600
#define N_SAMPLES 6000
#define STEP_NS (SEC / 100)

/* The light palette's first channel colour (#1c71d8) and the marker (#e5a50a). */
static const guint8 trace_rgb[3] = { 0x1c, 0x71, 0xd8 };
static const guint8 marker_rgb[3] = { 0xe5, 0xa5, 0x0a };

static char *library;
static gint64 session_id;

static double
square (gint64 i)
{
  return (i / 100) % 2 == 0 ? 1.0 : -1.0;
}

/* Writes a session of one stream "s" (g) at 100 Hz into the library:
 * sample i (0 ≤ i < @n) at START_NS + i × 10 ms when @sample says so.
 * Returns its id. */
typedef gboolean (*SampleFunc) (gint64 i, double *v);

static gint64
add_session_in (const char *path, const char *title, const char *stream, const char *unit, double factor,
                gint64 n, int tz_offset, SampleFunc sample);

static gint64
add_session (const char *title, const char *stream, gint64 n, int tz_offset, SampleFunc sample)
{
  return add_session_in (library, title, stream, "g", 1, n, tz_offset, sample);
}

/* The same into @path, in @unit, each value × @factor. */
static gint64
add_session_in (const char *path, const char *title, const char *stream, const char *unit, double factor,
                gint64 n, int tz_offset, SampleFunc sample)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) session = imu_session_new ();
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new (stream, 1);
  g_autoptr(ImuStreamWriter) w = NULL;

  g_assert_no_error (error);
  g_object_set (session,
                "title", title,
                "start-ns", START_NS,
                "end-ns", START_NS + (n - 1) * STEP_NS,
                "tz-offset", tz_offset,
                "nominal-rate", 100.0,
                NULL);
  imu_store_begin (store, &error);
  g_assert_no_error (error);
  imu_store_insert_session (store, session, &error);
  g_assert_no_error (error);
  info->session_id = imu_session_get_id (session);
  info->nominal_rate_hz = 100;
  imu_stream_info_set_channel (info, 0, "s", unit, "accel");
  w = imu_stream_writer_new (store, info, &error);
  g_assert_no_error (error);
  for (gint64 i = 0; i < n; i++)
    {
      double v;

      if (!sample (i, &v))
        continue;
      v *= factor;
      imu_stream_writer_append (w, START_NS + i * STEP_NS, &v, &error);
      g_assert_no_error (error);
    }
  imu_stream_writer_finish (w, &error);
  g_assert_no_error (error);
  imu_store_commit (store, &error);
  g_assert_no_error (error);
  return imu_session_get_id (session);
}

static gboolean
square_sample (gint64 i, double *v)
{
  *v = square (i);
  return TRUE;
}

/* A second session in the same library: +1 for 10 s, nothing for 5 s but
 * one sample of 0 at 12.5 s, then −1 for 10 s (100 Hz). */
#define GAP_FIRST  1000                /* samples before the gap */
#define GAP_LONE   1250                /* index (in 10 ms steps) of the lone sample */
#define GAP_RESUME 1500                /* the −1 part starts here … */
#define GAP_END    2500                /* … and ends before this */
static gint64 gap_session_id;

static gboolean
gap_sample (gint64 i, double *v)
{
  *v = i < GAP_FIRST ? 1.0 : i >= GAP_RESUME ? -1.0 : 0.0;
  return i < GAP_FIRST || i >= GAP_RESUME || i == GAP_LONE;
}

static void
make_library (void)
{
  library = imu_test_library_path ();
  session_id = add_session ("Square wave", "square", N_SAMPLES, TZ_OFFSET, square_sample);
  gap_session_id = add_session ("With a gap", "gappy", GAP_END, 0, gap_sample);
}

static ImuSession *
load_session (const char *path, gint64 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  ImuSession *session;

  g_assert_no_error (error);
  session = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  return session;
}

/* Main loop helpers: keep frames coming (a tick callback) and wake up
 * often (a timeout), else waiting for a frame can hang after the first. */

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
spin (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, FALSE), g_usleep (1000);
}

static void
wait_idle (ImuPlot *plot)
{
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  while (!(imu_plot_is_idle (plot) && gtk_widget_get_width (GTK_WIDGET (plot)) > 0))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  /* A few frames for layout and drawing. */
  spin (60);
}

typedef struct {
  GtkWidget *window;
  ImuPlot   *plot;
  guint      wake;
} Fixture;

static void
fixture_open (Fixture *f, const char *path, gint64 id, int width, int height)
{
  g_autoptr(ImuSession) session = load_session (path, id);

  f->window = gtk_window_new ();
  gtk_window_set_decorated (GTK_WINDOW (f->window), FALSE);
  gtk_window_set_default_size (GTK_WINDOW (f->window), width, height);
  f->plot = IMU_PLOT (imu_plot_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->plot));
  gtk_widget_add_tick_callback (GTK_WIDGET (f->plot), tick_cb, NULL, NULL);
  f->wake = g_timeout_add (5, wake_cb, NULL);
  gtk_window_present (GTK_WINDOW (f->window));
  imu_plot_set_session (f->plot, path, session);
  wait_idle (f->plot);
  g_assert_cmpint (gtk_widget_get_width (GTK_WIDGET (f->plot)), ==, width);
  g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (f->plot)), ==, height);
}

static void
fixture_close (Fixture *f)
{
  g_source_remove (f->wake);
  gtk_window_destroy (GTK_WINDOW (f->window));
  spin (20);
}

static GdkTexture *
render (ImuPlot *plot, const char *screenshot)
{
  GtkWidget *widget = GTK_WIDGET (plot);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  GdkTexture *texture;

  /* The paintable takes the widget's last drawn picture when it is made:
   * let a frame with the current state be drawn first. */
  gtk_widget_queue_draw (widget);
  spin (40);
  paintable = gtk_widget_paintable_new (widget);
  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  /* A slow frame (sanitizers, a loaded machine): wait for it. */
  for (guint i = 0; node == NULL && i < 100; i++)
    {
      spin (50);
      snapshot = gtk_snapshot_new ();
      gdk_paintable_snapshot (paintable, snapshot, w, h);
      node = gtk_snapshot_free_to_node (snapshot);
    }
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, w, h));
  if (screenshot != NULL)
    {
      g_autofree char *path = g_build_filename (imu_test_builddir (), screenshot, NULL);

      g_assert_true (gdk_texture_save_to_png (texture, path));
      g_test_message ("screenshot: %s", path);
    }
  return texture;
}

typedef struct {
  int     width, height;
  guint8 *data;   /* Cairo ARGB32: B G R A in memory */
} Pixels;

static Pixels *
pixels_new (GdkTexture *texture)
{
  Pixels *p = g_new0 (Pixels, 1);

  p->width = gdk_texture_get_width (texture);
  p->height = gdk_texture_get_height (texture);
  p->data = g_malloc (p->width * p->height * 4);
  gdk_texture_download (texture, p->data, p->width * 4);
  return p;
}

static void
pixels_free (Pixels *p)
{
  g_free (p->data);
  g_free (p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pixels, pixels_free)

static gboolean
is_color (const Pixels *p, int x, int y, const guint8 rgb[3], int tolerance)
{
  const guint8 *px;

  if (x < 0 || y < 0 || x >= p->width || y >= p->height)
    return FALSE;
  px = p->data + (y * p->width + x) * 4;
  return ABS (px[2] - rgb[0]) <= tolerance && ABS (px[1] - rgb[1]) <= tolerance
         && ABS (px[0] - rgb[2]) <= tolerance;
}

/* The row of value @v in the only lane, from the documented layout, for
 * data spanning [−1, +1]. */
static int
row_of (double v)
{
  double lane_h = floor ((double) (HEIGHT - DOC_AXIS_HEIGHT - DOC_LANES_TOP));
  double top = DOC_LANES_TOP + DOC_LANE_HEADER;
  double h = lane_h - DOC_LANE_HEADER;
  double lo = -1 - DOC_Y_PAD * 2, hi = 1 + DOC_Y_PAD * 2;

  return (int) floor (top + (hi - v) / (hi - lo) * h);
}

/* Column of a time for a view [t0, t1]. */
static int
col_of (gint64 t, gint64 t0, gint64 t1)
{
  double dw = WIDTH - DOC_MARGIN_LEFT - DOC_MARGIN_RIGHT;

  return (int) floor ((double) (t - t0) / (double) (t1 - t0) * dw);
}

static void
test_square_full (void)
{
  Fixture f = { 0 };
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) p = NULL;
  gint64 t0, t1;
  int cols = WIDTH - DOC_MARGIN_LEFT - DOC_MARGIN_RIGHT;
  g_autofree int *has_plus = g_new0 (int, cols);
  g_autofree int *has_minus = g_new0 (int, cols);
  int row_plus = row_of (1), row_minus = row_of (-1), row_zero = row_of (0);
  int stable_plus = 0, stable_minus = 0, edges = 0;
  graphene_rect_t area;
  double lo, hi;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  /* Fitted: the whole session, first to last sample. */
  g_assert_cmpint (t0, ==, START_NS);
  g_assert_cmpint (t1, ==, START_NS + (N_SAMPLES - 1) * STEP_NS);

  /* The layout the docs describe. */
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, &area, &lo, &hi));
  g_assert_cmpfloat (area.origin.x, ==, DOC_MARGIN_LEFT);
  g_assert_cmpfloat (area.origin.y, ==, DOC_LANES_TOP + DOC_LANE_HEADER);
  g_assert_cmpfloat (area.size.width, ==, cols);
  g_assert_cmpfloat_with_epsilon (lo, -1.1, 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, 1.1, 1e-9);

  texture = render (f.plot, "plot-square-full.png");
  p = pixels_new (texture);
  g_assert_cmpint (p->width, ==, WIDTH);
  g_assert_cmpint (p->height, ==, HEIGHT);

  /* Which levels fall in each pixel column, from the samples' times. */
  for (gint64 i = 0; i < N_SAMPLES; i++)
    {
      int k = col_of (START_NS + i * STEP_NS, t0, t1);

      if (k < 0 || k >= cols)
        continue;
      if (square (i) > 0)
        has_plus[k] = 1;
      else
        has_minus[k] = 1;
    }
  for (int k = 1; k < cols; k++)
    {
      int x = DOC_MARGIN_LEFT + k;
      gboolean plus_lit = is_color (p, x, row_plus, trace_rgb, 8);
      gboolean minus_lit = is_color (p, x, row_minus, trace_rgb, 8);

      if (has_plus[k] && has_minus[k])
        {
          /* A transition: one stroke from −1 to +1. */
          g_assert_true (plus_lit);
          g_assert_true (minus_lit);
          g_assert_true (is_color (p, x, row_zero, trace_rgb, 8));
          edges++;
        }
      else if ((has_plus[k] && !has_minus[k] && has_minus[k - 1] && !has_plus[k - 1])
               || (has_minus[k] && !has_plus[k] && has_plus[k - 1] && !has_minus[k - 1]))
        {
          /* The edge falls between two columns: the later one joins
           * them with one stroke. */
          g_assert_true (plus_lit);
          g_assert_true (minus_lit);
          g_assert_true (is_color (p, x, row_zero, trace_rgb, 8));
          edges++;
        }
      else if (has_plus[k] && has_plus[k - 1] && !has_minus[k - 1])
        {
          g_assert_true (plus_lit);
          g_assert_false (minus_lit);
          g_assert_false (is_color (p, x, row_zero, trace_rgb, 8));
          stable_plus++;
        }
      else if (has_minus[k] && has_minus[k - 1] && !has_plus[k - 1])
        {
          g_assert_true (minus_lit);
          g_assert_false (plus_lit);
          g_assert_false (is_color (p, x, row_zero, trace_rgb, 8));
          stable_minus++;
        }
    }
  /* 59 transitions in 60 s, each one vertical stroke; most columns are flat. */
  g_assert_cmpint (edges, ==, 59);
  g_assert_cmpint (stable_plus, >, 250);
  g_assert_cmpint (stable_minus, >, 250);
  /* Nothing of the trace above +1 or below −1. */
  for (int k = 0; k < cols; k++)
    {
      g_assert_false (is_color (p, DOC_MARGIN_LEFT + k, row_plus - 3, trace_rgb, 8));
      g_assert_false (is_color (p, DOC_MARGIN_LEFT + k, row_minus + 3, trace_rgb, 8));
    }
  fixture_close (&f);
}

static void
test_square_zoomed (void)
{
  Fixture f = { 0 };
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) p = NULL;
  /* 4 s from 10 s in: 400 samples in 712 columns, a polyline. */
  gint64 t0 = START_NS + 10 * SEC, t1 = START_NS + 14 * SEC;
  gint64 v0, v1;
  int checked = 0;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  imu_plot_set_visible_range (f.plot, t0, t1);
  wait_idle (f.plot);
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, t0);
  g_assert_cmpint (v1, ==, t1);
  texture = render (f.plot, "plot-square-4s.png");
  p = pixels_new (texture);

  /* +1 over [10, 11) s and [12, 13) s, −1 over [11, 12) and [13, 14):
   * check the middle 80 % of each second (away from the vertical edges). */
  for (int s = 10; s < 14; s++)
    {
      int row = row_of (s % 2 == 0 ? 1 : -1);
      int other = row_of (s % 2 == 0 ? -1 : 1);
      int ka = col_of (START_NS + s * SEC + SEC / 10, t0, t1);
      int kb = col_of (START_NS + (s + 1) * SEC - SEC / 10, t0, t1);

      for (int k = ka; k <= kb; k++)
        {
          g_assert_true (is_color (p, DOC_MARGIN_LEFT + k, row, trace_rgb, 24));
          g_assert_false (is_color (p, DOC_MARGIN_LEFT + k, other, trace_rgb, 60));
          checked++;
        }
      /* The edge at s + 1 s: a vertical stroke through 0. */
      if (s < 13)
        {
          int ke = col_of (START_NS + (s + 1) * SEC, t0, t1);
          gboolean found = FALSE;

          for (int k = ke - 2; k <= ke + 2; k++)
            found |= is_color (p, DOC_MARGIN_LEFT + k, row_of (0), trace_rgb, 60);
          g_assert_true (found);
        }
    }
  g_assert_cmpint (checked, >, 400);
  fixture_close (&f);
}

/* Is any pixel of column @x between rows @y0 and @y1 the trace's colour? */
static gboolean
column_lit (const Pixels *p, int x, int y0, int y1)
{
  for (int y = y0; y <= y1; y++)
    if (is_color (p, x, y, trace_rgb, 60))
      return TRUE;
  return FALSE;
}

/* No line joins the samples across a gap, neither zoomed in (a polyline)
 * nor out (min/max bars); a sample alone between two gaps still shows. */
static void
test_gap (gconstpointer data)
{
  gboolean zoomed = GPOINTER_TO_INT (data);
  Fixture f = { 0 };
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) p = NULL;
  /* Zoomed: 9 s, 401 samples in 712 columns (a polyline); else the whole
   * 25 s, 1201 samples (bars). */
  gint64 t0 = zoomed ? START_NS + 8 * SEC : START_NS;
  gint64 t1 = zoomed ? START_NS + 17 * SEC : START_NS + (GAP_END - 1) * STEP_NS;
  gint64 v0, v1;
  int top = row_of (1) - 4, bottom = row_of (-1) + 4;
  int k_end = col_of (START_NS + (GAP_FIRST - 1) * STEP_NS, t0, t1);
  int k_lone = col_of (START_NS + GAP_LONE * STEP_NS, t0, t1);
  int k_resume = col_of (START_NS + GAP_RESUME * STEP_NS, t0, t1);
  int empty = 0;

  fixture_open (&f, library, gap_session_id, WIDTH, HEIGHT);
  imu_plot_set_visible_range (f.plot, t0, t1);
  wait_idle (f.plot);
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, t0);
  g_assert_cmpint (v1, ==, t1);
  texture = render (f.plot, zoomed ? "plot-gap-9s.png" : "plot-gap-full.png");
  p = pixels_new (texture);

  /* The trace on both sides. */
  g_assert_true (is_color (p, DOC_MARGIN_LEFT + k_end - 3, row_of (1), trace_rgb, 24));
  g_assert_true (is_color (p, DOC_MARGIN_LEFT + k_resume + 3, row_of (-1), trace_rgb, 24));
  /* The lone sample at 0. */
  {
    gboolean found = FALSE;

    for (int k = k_lone - 1; k <= k_lone + 1; k++)
      for (int y = row_of (0) - 1; y <= row_of (0) + 1; y++)
        found |= is_color (p, DOC_MARGIN_LEFT + k, y, trace_rgb, 60);
    g_assert_true (found);
  }
  /* Nothing else in the gap: two pixels of room for the line's width at
   * each sample (and the lone sample's dot). */
  for (int k = k_end + 3; k < k_resume - 2; k++)
    {
      if (k >= k_lone - 3 && k <= k_lone + 3)
        continue;
      g_assert_false (column_lit (p, DOC_MARGIN_LEFT + k, top, bottom));
      empty++;
    }
  g_assert_cmpint (empty, >, zoomed ? 300 : 100);
  fixture_close (&f);
}

static void
test_actions (void)
{
  Fixture f = { 0 };
  gint64 s0 = START_NS, s1 = START_NS + (N_SAMPLES - 1) * STEP_NS;
  gint64 t0, t1, span = s1 - s0;
  gint64 z0, z1, zspan;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.zoom-in", NULL));
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  /* ×2 around the centre: half the span, same centre. */
  g_assert_cmpint (t1 - t0, ==, span / 2);
  g_assert_cmpint (t0 + (t1 - t0) / 2, ==, s0 + span / 2);
  z0 = t0, z1 = t1, zspan = t1 - t0;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.pan-right", NULL));
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_assert_cmpint (t0, ==, z0 + zspan / 10);
  g_assert_cmpint (t1, ==, z1 + zspan / 10);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.pan-left", NULL));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.pan-left", NULL));
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_assert_cmpint (t0, ==, z0 - zspan / 10);
  g_assert_cmpint (t1, ==, z1 - zspan / 10);

  /* Pans stop at the session's edges. */
  for (int i = 0; i < 20; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.pan-left", NULL));
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_assert_cmpint (t0, ==, s0);
  g_assert_cmpint (t1, ==, s0 + zspan);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.zoom-out", NULL));
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_assert_cmpint (t1 - t0, ==, span);

  /* Zoomed far in, then Home (plot.fit): the whole session again. */
  for (int i = 0; i < 10; i++)
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.zoom-in", NULL));
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_assert_cmpint (t1 - t0, <, span / 1000);
  wait_idle (f.plot);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.fit", NULL));
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_assert_cmpint (t0, ==, s0);
  g_assert_cmpint (t1, ==, s1);

  /* Never narrower than 1 ms. */
  for (int i = 0; i < 40; i++)
    imu_plot_zoom (f.plot, 2, s0 + SEC);
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_assert_cmpint (t1 - t0, ==, 1000000);
  wait_idle (f.plot);
  g_object_unref (render (f.plot, "plot-square-1ms.png"));
  fixture_close (&f);
}

static void
test_zoom_anchor (void)
{
  Fixture f = { 0 };
  gint64 t0, t1, a0, a1;
  gint64 anchor = START_NS + 20 * SEC;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  imu_plot_set_visible_range (f.plot, START_NS + 10 * SEC, START_NS + 30 * SEC);
  imu_plot_zoom (f.plot, 4, anchor - 5 * SEC);
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  /* 20 s / 4 = 5 s; the anchor was 1/4 into the view and stays there. */
  g_assert_cmpint (t1 - t0, ==, 5 * SEC);
  g_assert_cmpint (t0, ==, anchor - 5 * SEC - 5 * SEC / 4);
  imu_plot_jump_to (f.plot, anchor);
  imu_plot_get_visible_range (f.plot, &a0, &a1);
  g_assert_cmpint (a0, ==, anchor - 5 * SEC / 2);
  g_assert_cmpint (a1, ==, anchor + 5 * SEC / 2);
  fixture_close (&f);
}

static void
marker_added_cb (ImuPlot *plot, ImuEvent *event, gpointer data)
{
  ImuEvent **out = data;

  *out = imu_event_copy (event);
}

static void
test_marker (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(ImuEvent) added = NULL;
  g_autoptr(ImuEvent) changed = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) p = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *bytes = NULL;
  gsize len;
  gint64 t0, t1, expected, end, updated_before;
  int x, strip_hits = 0, line_hits = 0;

  /* A library of its own: markers stay out of the other tests. */
  copy = imu_test_library_path ();
  g_assert_true (g_file_get_contents (library, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (copy, bytes, len, NULL));
  {
    g_autoptr(ImuStore) before = imu_store_open (copy, &error);
    g_autoptr(ImuSession) session = NULL;

    g_assert_no_error (error);
    session = imu_store_load_session (before, session_id, &error);
    g_assert_no_error (error);
    updated_before = imu_session_get_updated_us (session);
  }

  fixture_open (&f, copy, session_id, WIDTH, HEIGHT);
  /* Centred half-way through a level, not on an edge of the wave. */
  imu_plot_set_visible_range (f.plot, START_NS + 20 * SEC + SEC / 2, START_NS + 40 * SEC + SEC / 2);
  wait_idle (f.plot);
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_signal_connect (f.plot, "marker-added", G_CALLBACK (marker_added_cb), &added);
  /* The pointer is not over the plot: the marker goes to the centre. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.add-marker", NULL));
  expected = t0 + (t1 - t0) / 2;
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (added == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (added->id, >, 0);
  g_assert_cmpint (added->t_ns, ==, expected);
  g_assert_cmpstr (added->kind, ==, "marker");

  /* In the library, seen from another connection. */
  store = imu_store_open (copy, &error);
  g_assert_no_error (error);
  events = imu_store_list_events (store, session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpint (((ImuEvent *) g_ptr_array_index (events, 0))->id, ==, added->id);
  g_assert_cmpint (((ImuEvent *) g_ptr_array_index (events, 0))->t_ns, ==, expected);
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 0))->label, ==, added->label);
  {
    /* The session counts as changed: sync sends it again. */
    g_autoptr(ImuSession) session = imu_store_load_session (store, session_id, &error);

    g_assert_no_error (error);
    g_assert_cmpint (imu_session_get_updated_us (session), >, updated_before);
  }

  /* And in the picture: its flag in the marker strip right of the line,
   * and its line down through the lane. */
  texture = render (f.plot, "plot-square-marker.png");
  p = pixels_new (texture);
  x = DOC_MARGIN_LEFT + col_of (expected, t0, t1);
  for (int y = DOC_MARKER_TOP + 3; y < DOC_MARKER_TOP + DOC_MARKER_HEIGHT - 3; y++)
    strip_hits += is_color (p, x + 2, y, marker_rgb, 10);
  g_assert_cmpint (strip_hits, >=, DOC_MARKER_HEIGHT - 8);
  for (int y = row_of (0.5); y < row_of (-0.5); y++)
    {
      const guint8 *px = p->data + (y * p->width + x) * 4;

      /* Marker colour at 85 % over white: warm, clearly not blue/grey. */
      line_hits += px[2] > 200 && px[1] > 150 && px[1] < 200 && px[0] < 90;
    }
  g_assert_cmpint (line_hits, >, (row_of (-0.5) - row_of (0.5)) * 9 / 10);
  /* Not left of the line. */
  g_assert_false (is_color (p, x - 3, DOC_MARKER_TOP + DOC_MARKER_HEIGHT / 2, marker_rgb, 40));

  /* The same marker is there after a reload. */
  imu_plot_reload_events (f.plot);
  spin (100);
  g_assert_nonnull (imu_plot_find_event (f.plot, added->id));

  /* Renamed in its popover: stored, then "marker-changed". */
  g_signal_connect (f.plot, "marker-changed", G_CALLBACK (marker_added_cb), &changed);
  imu_plot_show_rename (f.plot, added->id);
  g_assert_true (gtk_widget_get_visible (f.plot->rename_popover));
  /* Typing goes to the name at once, even when the press that opened the
   * popover also focused the plot (a double-click's second press reaches
   * the drag gesture too). */
  gtk_widget_grab_focus (GTK_WIDGET (f.plot));
  spin (200);
  {
    GtkWidget *focus = gtk_root_get_focus (gtk_widget_get_root (f.plot->rename_entry));

    g_assert_nonnull (focus);
    g_assert_true (focus == f.plot->rename_entry || gtk_widget_is_ancestor (focus, f.plot->rename_entry));
  }
  gtk_editable_set_text (GTK_EDITABLE (f.plot->rename_entry), "Sprint start");
  g_signal_emit_by_name (f.plot->rename_entry, "activate");
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (changed == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (changed->id, ==, added->id);
  g_assert_cmpstr (changed->label, ==, "Sprint start");
  g_clear_pointer (&events, g_ptr_array_unref);
  events = imu_store_list_events (store, session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (((ImuEvent *) g_ptr_array_index (events, 0))->label, ==, "Sprint start");
  g_assert_cmpint (((ImuEvent *) g_ptr_array_index (events, 0))->t_ns, ==, expected);
  fixture_close (&f);
}

static void
test_selection_stats (void)
{
  Fixture f = { 0 };
  gint64 end, a, b;
  const ImuPlotStreamStats *st;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  /* [0 s, 3 s): 200 samples of +1, 100 of −1. mean = 1/3,
   * population SD = sqrt(1 − 1/9) = sqrt(8)/3. */
  imu_plot_set_selection (f.plot, START_NS, START_NS + 3 * SEC);
  g_assert_true (imu_plot_get_selection (f.plot, &a, &b));
  g_assert_cmpint (a, ==, START_NS);
  g_assert_cmpint (b, ==, START_NS + 3 * SEC);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (f.plot->stats == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpuint (f.plot->stats->len, ==, 1);
  st = g_ptr_array_index (f.plot->stats, 0);
  g_assert_cmpint (st->n_samples, ==, 300);
  g_assert_cmpint (st->channels[0].count, ==, 300);
  g_assert_cmpfloat (st->channels[0].min, ==, -1);
  g_assert_cmpfloat (st->channels[0].max, ==, 1);
  g_assert_cmpfloat_with_epsilon (st->channels[0].mean, 1.0 / 3, 1e-12);
  g_assert_cmpfloat_with_epsilon (st->channels[0].std, sqrt (8) / 3, 1e-12);
  spin (400);  /* the panel slides in */
  g_object_unref (render (f.plot, "plot-square-selection.png"));

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.clear-selection", NULL));
  g_assert_false (imu_plot_get_selection (f.plot, NULL, NULL));
  g_assert_null (f.plot->stats);
  fixture_close (&f);
}

static void
test_export (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *png = g_build_filename (dir, "plot.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "plot.svg", NULL);
  g_autofree char *pdf = g_build_filename (dir, "plot.pdf", NULL);
  g_autofree char *shot = g_build_filename (imu_test_builddir (), "plot-export.png", NULL);
  g_autoptr(GFile) fpng = g_file_new_for_path (png);
  g_autoptr(GFile) fsvg = g_file_new_for_path (svg);
  g_autoptr(GFile) fpdf = g_file_new_for_path (pdf);
  g_autoptr(GFile) fshot = g_file_new_for_path (shot);
  g_autoptr(GFile) bad = g_file_new_for_path ("/nonexistent-dir/plot.png");
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *text = NULL;
  gsize len;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  imu_plot_set_visible_range (f.plot, START_NS + 5 * SEC, START_NS + 25 * SEC);
  wait_idle (f.plot);

  g_assert_true (imu_plot_export (f.plot, fpng, IMU_PLOT_EXPORT_PNG, 640, 360, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_file (fpng, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), ==, 640);
  g_assert_cmpint (gdk_texture_get_height (texture), ==, 360);

  g_assert_true (imu_plot_export (f.plot, fsvg, IMU_PLOT_EXPORT_SVG, 1200, 600, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (svg, &text, &len, NULL));
  g_assert_true (g_str_has_prefix (text, "<?xml") || g_str_has_prefix (text, "<svg"));
  g_assert_nonnull (strstr (text, "1200"));
  g_clear_pointer (&text, g_free);

  g_assert_true (imu_plot_export (f.plot, fpdf, IMU_PLOT_EXPORT_PDF, 842, 595, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (pdf, &text, &len, NULL));
  g_assert_true (g_str_has_prefix (text, "%PDF"));
  g_assert_cmpuint (len, >, 1000);

  /* The export for people to look at, beside the screenshots. */
  g_assert_true (imu_plot_export (f.plot, fshot, IMU_PLOT_EXPORT_PNG, 1200, 500, &error));
  g_assert_no_error (error);

  g_assert_false (imu_plot_export (f.plot, bad, IMU_PLOT_EXPORT_PNG, 640, 360, &error));
  g_assert_error (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_WRITE);
  g_clear_error (&error);
  g_assert_false (imu_plot_export (f.plot, fpng, IMU_PLOT_EXPORT_PNG, 8, 360, &error));
  g_assert_error (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_INVALID_SIZE);
  fixture_close (&f);
}

static void
test_units (void)
{
  Fixture f = { 0 };
  double lo, hi;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  /* The square wave is in g: shown in m/s² it spans ±9.80665. */
  g_object_set (f.plot, "accel-unit", "m/s2", NULL);
  wait_idle (f.plot);
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (hi, 9.80665 * (1 + DOC_Y_PAD * 2), 1e-9);
  g_assert_cmpfloat_with_epsilon (lo, -9.80665 * (1 + DOC_Y_PAD * 2), 1e-9);
  g_assert_cmpstr (((ImuPlotLane *) g_ptr_array_index (f.plot->scene.lanes, 0))->unit, ==, "m/s²");
  g_object_unref (render (f.plot, "plot-square-ms2.png"));
  g_object_set (f.plot, "accel-unit", "g", "time-axis", "elapsed", NULL);
  wait_idle (f.plot);
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (hi, 1 + DOC_Y_PAD * 2, 1e-9);
  g_assert_cmpint (imu_plot_get_time_axis (f.plot), ==, IMU_PLOT_TIME_ELAPSED);
  fixture_close (&f);
}

static void
test_time_labels (void)
{
  ImuPlotScene scene = { 0 };
  g_autofree char *clock = NULL;
  g_autofree char *elapsed = NULL;
  g_autofree char *ms = NULL;

  scene.s0 = START_NS;
  scene.tz_offset_s = TZ_OFFSET;
  /* 10:00:00 UTC is 11:00:00 on the recording's clock (UTC+1). */
  scene.time_axis = IMU_PLOT_TIME_CLOCK;
  clock = imu_plot_axis_format_time (&scene, START_NS + 90 * SEC, SEC);
  g_assert_cmpstr (clock, ==, "11:01:30");
  ms = imu_plot_axis_format_time (&scene, START_NS + 1234 * (SEC / 1000), SEC / 1000);
  g_assert_cmpstr (ms, ==, "11:00:01.234");
  scene.time_axis = IMU_PLOT_TIME_ELAPSED;
  elapsed = imu_plot_axis_format_time (&scene, START_NS + 3725 * SEC, SEC);
  g_assert_cmpstr (elapsed, ==, "+1:02:05");
}

static void
test_demo_screenshots (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  Fixture f = { 0 };
  gint64 id, t0, t1;

  g_assert_no_error (error);
  id = imu_generator_create_demo_session (store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);

  fixture_open (&f, path, id, 1280, 720);
  g_object_unref (render (f.plot, "plot-demo-full.png"));
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  imu_plot_set_visible_range (f.plot, t0 + 15 * 60 * SEC, t0 + 15 * 60 * SEC + 60 * SEC);
  wait_idle (f.plot);
  g_object_unref (render (f.plot, "plot-demo-1min.png"));
  imu_plot_set_visible_range (f.plot, t0 + 15 * 60 * SEC, t0 + 15 * 60 * SEC + 2 * SEC);
  wait_idle (f.plot);
  f.plot->pointer_inside = TRUE;
  f.plot->pointer_x = 640;
  f.plot->pointer_y = 300;
  imu_plot_update_readout (f.plot);
  g_object_unref (render (f.plot, "plot-demo-2s.png"));
  f.plot->pointer_inside = FALSE;

  g_object_set (f.plot, "time-axis", "elapsed", "accel-unit", "m/s2", "gyro-unit", "rad/s", NULL);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  imu_plot_set_visible_range (f.plot, t0 + 10 * 60 * SEC, t0 + 20 * 60 * SEC);
  imu_plot_set_selection (f.plot, t0 + 12 * 60 * SEC, t0 + 14 * 60 * SEC);
  wait_idle (f.plot);
  spin (500);
  g_object_unref (render (f.plot, "plot-demo-dark.png"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* The readout under a pointer that stays still goes with its session
   * (it showed the previous session's values after a switch). */
  f.plot->pointer_inside = TRUE;
  imu_plot_update_readout (f.plot);
  g_assert_nonnull (f.plot->readout);
  imu_plot_set_session (f.plot, NULL, NULL);
  g_assert_null (f.plot->readout);
  spin (100);
  g_assert_null (f.plot->readout);
  f.plot->pointer_inside = FALSE;
  fixture_close (&f);
}

/* Issue 15 §2: zooming to a range. */

/* The time under column x of a view [t0, t1], from the documented layout. */
static gint64
time_at (double x, gint64 t0, gint64 t1)
{
  double dw = WIDTH - DOC_MARGIN_LEFT - DOC_MARGIN_RIGHT;

  return t0 + llround ((x - DOC_MARGIN_LEFT) / dw * (double) (t1 - t0));
}

static char *
library_copy (void)
{
  g_autofree char *bytes = NULL;
  char *copy = imu_test_library_path ();
  gsize len;

  g_assert_true (g_file_get_contents (library, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (copy, bytes, len, NULL));
  return copy;
}

static void
test_zoom_range (void)
{
  Fixture f = { 0 };
  gint64 t0, t1, v0, v1, s0, s1;
  double lane_y = DOC_LANES_TOP + DOC_LANE_HEADER + 100;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  imu_plot_get_visible_range (f.plot, &t0, &t1);

  /* Ctrl+drag from column 100 to column 300: the band becomes the view. */
  imu_plot_input_drag (f.plot, GDK_CONTROL_MASK, DOC_MARGIN_LEFT + 100, lane_y, 200, 0, 4);
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, time_at (DOC_MARGIN_LEFT + 100, t0, t1));
  g_assert_cmpint (v1, ==, time_at (DOC_MARGIN_LEFT + 300, t0, t1));
  g_assert_cmpint (f.plot->band_t1, ==, f.plot->band_t0);
  wait_idle (f.plot);
  g_object_unref (render (f.plot, "plot-square-band-zoomed.png"));

  /* Ctrl+drag backwards does the same; a Ctrl+click changes nothing. */
  imu_plot_fit (f.plot);
  imu_plot_input_drag (f.plot, GDK_CONTROL_MASK, DOC_MARGIN_LEFT + 600, lane_y, -356, 0, 3);
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, time_at (DOC_MARGIN_LEFT + 244, t0, t1));
  g_assert_cmpint (v1, ==, time_at (DOC_MARGIN_LEFT + 600, t0, t1));
  imu_plot_input_drag (f.plot, GDK_CONTROL_MASK, DOC_MARGIN_LEFT + 10, lane_y, 1, 0, 1);
  imu_plot_get_visible_range (f.plot, &s0, &s1);
  g_assert_cmpint (s0, ==, v0);
  g_assert_cmpint (s1, ==, v1);

  /* Shift+drag still selects (the view stays), plain drag still pans. */
  imu_plot_fit (f.plot);
  imu_plot_input_drag (f.plot, GDK_SHIFT_MASK, DOC_MARGIN_LEFT + 178, lane_y, 356, 0, 4);
  g_assert_true (imu_plot_get_selection (f.plot, &s0, &s1));
  g_assert_cmpint (s0, ==, time_at (DOC_MARGIN_LEFT + 178, t0, t1));
  g_assert_cmpint (s1, ==, time_at (DOC_MARGIN_LEFT + 534, t0, t1));
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, t0);
  g_assert_cmpint (v1, ==, t1);
  wait_idle (f.plot);
  g_object_unref (render (f.plot, "plot-square-zoom-selection-before.png"));

  /* "Zoom to Selection" (the panel's button and Z): the view is the range. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.zoom-selection", NULL));
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, s0);
  g_assert_cmpint (v1, ==, s1);
  /* The panel closed again: the lanes have their full width. */
  imu_plot_set_selection (f.plot, 0, 0);
  spin (600);
  wait_idle (f.plot);
  g_assert_cmpint (imu_plot_drawing_width (f.plot), ==, WIDTH);
  imu_plot_input_drag (f.plot, 0, DOC_MARGIN_LEFT + 400, lane_y, -178, 0, 2);
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  /* Half the width dragged left: half the span later. */
  g_assert_cmpint (v0, ==, s0 + llround (178.0 / 712 * (double) (s1 - s0)));
  g_assert_cmpint (v1 - v0, ==, s1 - s0);
  fixture_close (&f);
}

static gboolean
wait_event_stored (ImuPlot *plot, gint64 *id)
{
  gint64 end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (TRUE)
    {
      for (guint i = 0; i < plot->scene.events->len; i++)
        {
          ImuEvent *ev = g_ptr_array_index (plot->scene.events, i);

          if (ev->id > 0 && (*id == 0 || *id == ev->id))
            {
              *id = ev->id;
              return TRUE;
            }
        }
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static gint64
stored_event_time (const char *path, gint64 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) events = NULL;

  g_assert_no_error (error);
  events = imu_store_list_events (store, session_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    if (((ImuEvent *) g_ptr_array_index (events, i))->id == id)
      return ((ImuEvent *) g_ptr_array_index (events, i))->t_ns;
  return -1;
}

/* Go to an event or a finding, previous/next, and the markers' drags. */
static void
test_go_to (void)
{
  Fixture f = { 0 };
  g_autofree char *copy = library_copy ();
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) p = NULL;
  gint64 v0, v1, first = 0, second = 0, t_moved, end;
  double x, lane_y = DOC_LANES_TOP + DOC_LANE_HEADER + 100;
  /* The light accent, #1c71d8. */
  static const guint8 accent_rgb[3] = { 0x1c, 0x71, 0xd8 };

  fixture_open (&f, copy, session_id, WIDTH, HEIGHT);
  imu_plot_add_marker (f.plot, START_NS + 10 * SEC, "first");
  g_assert_true (wait_event_stored (f.plot, &first));
  imu_plot_add_marker (f.plot, START_NS + 40 * SEC + SEC / 2, "second");
  for (guint i = 0; i < 2; i++)
    {
      second = 0;
      wait_event_stored (f.plot, &second);
      if (second != first)
        break;
      spin (50);
    }
  /* The second stored is the one that is not the first. */
  for (guint i = 0; i < f.plot->scene.events->len; i++)
    if (((ImuEvent *) g_ptr_array_index (f.plot->scene.events, i))->id != first)
      second = ((ImuEvent *) g_ptr_array_index (f.plot->scene.events, i))->id;
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (second <= 0)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, FALSE);
      for (guint i = 0; i < f.plot->scene.events->len; i++)
        if (((ImuEvent *) g_ptr_array_index (f.plot->scene.events, i))->id != first)
          second = ((ImuEvent *) g_ptr_array_index (f.plot->scene.events, i))->id;
    }

  /* An instant: 5 s on either side, at full range too (it used to keep
   * the span, and at full range nothing changed). */
  imu_plot_show_event (f.plot, START_NS + 10 * SEC);
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, START_NS + 5 * SEC);
  g_assert_cmpint (v1, ==, START_NS + 15 * SEC);
  g_assert_true (f.plot->scene.mark_on);
  wait_idle (f.plot);
  texture = render (f.plot, "plot-square-goto-point.png");
  p = pixels_new (texture);
  /* Highlighted: a 2 px accent line at the instant, rows where the trace is not. */
  x = DOC_MARGIN_LEFT + col_of (START_NS + 10 * SEC, v0, v1);
  g_assert_true (is_color (p, (int) x - 1, row_of (0.5), accent_rgb, 12));
  g_assert_true (is_color (p, (int) x - 1, row_of (-0.5), accent_rgb, 12));
  {
    /* A glow of accent at 30 % on white 3 px left (B G R A in memory),
     * and plain white 6 px left. */
    const guint8 *px = p->data + (row_of (0.6) * p->width + (int) x - 4) * 4;
    const guint8 *white = p->data + (row_of (0.6) * p->width + (int) x - 6) * 4;

    /* 255 × (0.7 + 0.3 × 0.847) = 243, 255 × (0.7 + 0.3 × 0.110) = 187 */
    g_assert_cmpint (ABS (px[0] - 243), <=, 3);
    g_assert_cmpint (ABS (px[2] - 187), <=, 3);
    g_assert_cmpint (white[2], >, 245);
  }

  /* A span of 8 s: whole, with 2 s (a quarter) on either side. */
  imu_plot_show_range (f.plot, START_NS + 20 * SEC, 8 * SEC);
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, START_NS + 18 * SEC);
  g_assert_cmpint (v1, ==, START_NS + 30 * SEC);
  /* A span of 2 s: at least 1 s on either side. */
  imu_plot_show_range (f.plot, START_NS + 20 * SEC, 2 * SEC);
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, START_NS + 19 * SEC);
  g_assert_cmpint (v1, ==, START_NS + 23 * SEC);
  wait_idle (f.plot);
  g_object_unref (render (f.plot, "plot-square-goto-span.png"));

  /* Next and previous: from what was shown last (20 s). */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.next-event", NULL));
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, START_NS + 35 * SEC + SEC / 2);
  g_assert_cmpint (v1, ==, START_NS + 45 * SEC + SEC / 2);
  g_assert_false (imu_plot_show_next_event (f.plot, TRUE));
  g_assert_true (imu_plot_show_next_event (f.plot, FALSE));
  imu_plot_get_visible_range (f.plot, &v0, &v1);
  g_assert_cmpint (v0, ==, START_NS + 5 * SEC);
  g_assert_false (imu_plot_show_next_event (f.plot, FALSE));
  /* Escape clears the highlight. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.clear-selection", NULL));
  g_assert_false (f.plot->scene.mark_on);

  /* Shift+drag that starts on a marker's line selects, the marker stays. */
  imu_plot_set_visible_range (f.plot, START_NS, START_NS + 20 * SEC);
  wait_idle (f.plot);
  x = DOC_MARGIN_LEFT + col_of (START_NS + 10 * SEC, START_NS, START_NS + 20 * SEC);
  g_assert_cmpint (imu_plot_event_at (f.plot, x, lane_y), ==, first);
  imu_plot_input_drag (f.plot, GDK_SHIFT_MASK, x, lane_y, 89, 0, 3);
  g_assert_true (imu_plot_get_selection (f.plot, &v0, &v1));
  g_assert_cmpint (v0, ==, time_at (x, START_NS, START_NS + 20 * SEC));
  g_assert_cmpint (v1, ==, time_at (x + 89, START_NS, START_NS + 20 * SEC));
  g_assert_cmpint (imu_plot_find_event (f.plot, first)->t_ns, ==, START_NS + 10 * SEC);
  imu_plot_set_selection (f.plot, 0, 0);

  /* A plain drag moves it (89 px of 712: 2.5 s), stored; Undo puts it back. */
  imu_plot_input_drag (f.plot, 0, x, lane_y, 89, 0, 3);
  t_moved = START_NS + 10 * SEC + llround (89.0 / 712 * 20 * SEC);
  g_assert_cmpint (imu_plot_find_event (f.plot, first)->t_ns, ==, t_moved);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (stored_event_time (copy, first) != t_moved)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin (20);
    }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.undo-move", NULL));
  g_assert_cmpint (imu_plot_find_event (f.plot, first)->t_ns, ==, START_NS + 10 * SEC);
  end = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (stored_event_time (copy, first) != START_NS + 10 * SEC)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      spin (20);
    }
  /* Once only. */
  g_assert_false (gtk_widget_activate_action (GTK_WIDGET (f.plot), "plot.undo-move", NULL)
                  && imu_plot_find_event (f.plot, first)->t_ns != START_NS + 10 * SEC);
  fixture_close (&f);
}

/* The y axis: limits, zoom and pan on its labels, autoscale, two ticks. */
static void
test_y_axis (void)
{
  Fixture f = { 0 };
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) p = NULL;
  graphene_rect_t area;
  double lo, hi, v, y, elo, ehi;
  const ImuPlotLaneGeom *lg;
  gint64 t0, t1;

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  imu_plot_get_visible_range (f.plot, &t0, &t1);
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, &area, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, -1.1, 1e-9);

  /* Limits: [−2, 2]; +1 is then a quarter down the data area. */
  imu_plot_set_lane_y_range (f.plot, 0, -2, 2);
  wait_idle (f.plot);
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, &area, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -2);
  g_assert_cmpfloat (hi, ==, 2);
  texture = render (f.plot, "plot-square-ylimits.png");
  p = pixels_new (texture);
  {
    int row = (int) floor (area.origin.y + 1.0 / 4 * area.size.height);
    int lit = 0;

    for (int k = 20; k < 700; k++)
      lit += is_color (p, DOC_MARGIN_LEFT + k, row, trace_rgb, 8);
    g_assert_cmpint (lit, >, 300);
  }
  /* The view moves, the range stays (locked). */
  imu_plot_set_visible_range (f.plot, t0, t0 + 10 * SEC);
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
  g_assert_cmpfloat (lo, ==, -2);

  /* A wheel notch up over the labels zooms by 1.25 around the value there. */
  y = area.origin.y + area.size.height / 4;  /* the value 1 */
  v = 2 - (y - area.origin.y) / area.size.height * 4;
  g_assert_true (imu_plot_input_scroll (f.plot, 0, 30, y, 0, -1));
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
  elo = v - (v + 2) / 1.25;
  ehi = v + (2 - v) / 1.25;
  g_assert_cmpfloat_with_epsilon (lo, elo, 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, ehi, 1e-9);
  /* Ctrl+Shift+scroll in the lane does the same (down: out). */
  g_assert_true (imu_plot_input_scroll (f.plot, GDK_CONTROL_MASK | GDK_SHIFT_MASK, 400, y, 0, 1));
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, v - (v - elo) * 1.25, 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, v + (ehi - v) * 1.25, 1e-9);

  /* A drag down the labels by a quarter of the area: the data follows the
   * pointer, the range rises by a quarter of its span. */
  imu_plot_set_lane_y_range (f.plot, 0, -2, 2);
  imu_plot_input_drag (f.plot, 0, 30, area.origin.y + 20, 0, area.size.height / 4, 4);
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, -1, 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, 3, 1e-9);
  /* A click on the labels: the limits popover, with the range in it. */
  imu_plot_input_drag (f.plot, 0, 30, area.origin.y + 20, 0, 0, 1);
  g_assert_nonnull (f.plot->yaxis_popover);
  g_assert_true (gtk_widget_get_visible (f.plot->yaxis_popover));
  spin (100);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (GTK_SPIN_BUTTON (f.plot->yaxis_min)), -1, 1e-6);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (GTK_SPIN_BUTTON (f.plot->yaxis_max)), 3, 1e-6);
  g_assert_true (gtk_check_button_get_active (GTK_CHECK_BUTTON (f.plot->yaxis_lock)));
  g_object_unref (render (f.plot, "plot-square-yaxis-popover.png"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (f.plot->yaxis_max), 4);
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (hi, 4, 1e-9);
  /* Unlocked: autoscaled again, to the visible data. */
  gtk_check_button_set_active (GTK_CHECK_BUTTON (f.plot->yaxis_lock), FALSE);
  g_assert_false (imu_plot_get_lane_y_fixed (f.plot, 0));
  g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
  g_assert_cmpfloat_with_epsilon (lo, -1.1, 1e-9);
  g_assert_cmpfloat_with_epsilon (hi, 1.1, 1e-9);
  gtk_popover_popdown (GTK_POPOVER (f.plot->yaxis_popover));

  /* A short lane (32 px of data) spanning ±0.05: one step of 0.1 would
   * leave the single label "0"; there are at least two. */
  imu_plot_set_lane_y_range (f.plot, 0, -0.05, 0.05);
  gtk_window_set_default_size (GTK_WINDOW (f.window), WIDTH, DOC_LANES_TOP + DOC_LANE_HEADER + 32 + DOC_AXIS_HEIGHT);
  spin (200);
  wait_idle (f.plot);
  imu_plot_ensure_geometry (f.plot);
  lg = g_ptr_array_index (f.plot->geom->lane_geoms, 0);
  g_assert_cmpfloat (lg->area.size.height, ==, 32);
  g_assert_cmpuint (lg->n_yticks, >=, 2);
  g_assert_cmpstr (pango_layout_get_text (lg->ytick_label[0]), ==, "−0.05");
  g_object_unref (render (f.plot, "plot-square-short-lane.png"));
  fixture_close (&f);
}

/* Zoomed out, every channel of a lane stays visible (translucent bands,
 * opaque outlines): the demo session's lanes of three channels. */
static void
test_bands (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) p = NULL;
  Fixture f = { 0 };
  gint64 id;
  /* The light palette: blue, green, orange. */
  static const guint8 rgb[3][3] = { { 0x1c, 0x71, 0xd8 }, { 0x26, 0xa2, 0x69 }, { 0xc6, 0x46, 0x00 } };

  g_assert_no_error (error);
  id = imu_generator_create_demo_session (store, NULL, NULL, &error);
  g_assert_no_error (error);
  fixture_open (&f, path, id, WIDTH, 600);
  texture = render (f.plot, "plot-demo-bands.png");
  p = pixels_new (texture);
  for (guint l = 0; l < f.plot->geom->lane_geoms->len; l++)
    {
      const ImuPlotLaneGeom *lg = g_ptr_array_index (f.plot->geom->lane_geoms, l);
      const ImuPlotLane *lane = g_ptr_array_index (f.plot->scene.lanes, l);

      if (lane->n_channels < 2)
        continue;
      g_assert_true (lg->bands);
      for (guint c = 0; c < MIN (lane->n_channels, 3); c++)
        {
          int hits = 0;

          for (int y = (int) lg->area.origin.y + 1; y < lg->area.origin.y + lg->area.size.height - 1; y++)
            for (int x = DOC_MARGIN_LEFT; x < WIDTH - DOC_MARGIN_RIGHT; x++)
              hits += is_color (p, x, y, rgb[c], 10);
          /* Its outlines, in its own colour, in a quarter of the columns at least. */
          g_test_message ("lane %u channel %u: %d pixels", l, c, hits);
          g_assert_cmpint (hits, >, (WIDTH - DOC_MARGIN_LEFT - DOC_MARGIN_RIGHT) / 4);
        }
    }
  /* One channel shown: a plain opaque envelope as before. */
  fixture_close (&f);
}

/* Plot keys wherever the focus is: a managed shortcut controller. */
static void
test_global_shortcuts (void)
{
  GtkWidget *plot = imu_plot_new ();
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (g_object_ref_sink (plot));
  gboolean found = FALSE;

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) c = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (c)
          && gtk_shortcut_controller_get_scope (GTK_SHORTCUT_CONTROLLER (c)) == GTK_SHORTCUT_SCOPE_MANAGED)
        {
          guint n = g_list_model_get_n_items (G_LIST_MODEL (c));

          g_assert_cmpuint (n, >=, 14);
          found = TRUE;
        }
    }
  g_assert_true (found);
  g_clear_object (&controllers);
  g_object_unref (plot);
}

/* Exports: a title line above the plot, drawn light whatever the theme. */
static void
test_export_title (void)
{
  Fixture f = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *png = g_build_filename (dir, "titled.png", NULL);
  g_autofree char *shot = g_build_filename (imu_test_builddir (), "plot-export-titled.png", NULL);
  g_autoptr(GFile) fpng = g_file_new_for_path (png);
  g_autoptr(GFile) fshot = g_file_new_for_path (shot);

  fixture_open (&f, library, session_id, WIDTH, HEIGHT);
  imu_session_set_subject (imu_plot_get_session (f.plot), "P01");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  spin (300);
  g_assert_true (f.plot->scene.dark);
  imu_plot_set_visible_range (f.plot, START_NS + 5 * SEC, START_NS + 25 * SEC);
  wait_idle (f.plot);
  /* Light by default (the dialog's "Light background"), though the app is dark. */
  g_assert_true (imu_plot_export (f.plot, fshot, IMU_PLOT_EXPORT_PNG, WIDTH, HEIGHT, &error));
  g_assert_no_error (error);
  for (guint pass = 0; pass < 2; pass++)
    {
      g_autoptr(GdkTexture) texture = gdk_texture_new_from_file (pass == 0 ? fshot : fpng, &error);
      g_autoptr(Pixels) p = NULL;
      const guint8 white[3] = { 0xff, 0xff, 0xff }, dark_bg[3] = { 0x1e, 0x1e, 0x1e };
      const guint8 *bg = pass == 0 ? white : dark_bg;
      int text = 0, top_band = 0;

      g_assert_no_error (error);
      p = pixels_new (texture);
      g_assert_true (is_color (p, 2, 2, bg, 2));
      g_assert_true (is_color (p, WIDTH - 3, HEIGHT - 3, bg, 2));
      /* The title: text in the first 28 rows, left … */
      for (int y = 0; y < 28; y++)
        for (int x = 12; x < 400; x++)
          text += !is_color (p, x, y, bg, 40);
      g_assert_cmpint (text, >, 200);
      /* … and the overview's frame 28 px lower than on screen (y 34, not 6). */
      for (int x = DOC_MARGIN_LEFT + 10; x < WIDTH - DOC_MARGIN_RIGHT - 10; x++)
        top_band += !is_color (p, x, 28 + 6 + 20, bg, 8);
      g_assert_cmpint (top_band, >, 100);
      if (pass == 0)
        {
          /* As shown (dark), when the person unticks it. */
          f.plot->export_light = FALSE;
          g_assert_true (imu_plot_export (f.plot, fpng, IMU_PLOT_EXPORT_PNG, WIDTH, HEIGHT, &error));
          g_assert_no_error (error);
        }
    }
  f.plot->export_light = TRUE;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  /* Too short for the title and a plot. */
  g_assert_false (imu_plot_export (f.plot, fpng, IMU_PLOT_EXPORT_PNG, 640, 40, &error));
  g_assert_error (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_INVALID_SIZE);
  fixture_close (&f);
}

/* Units the profile converts (imu-format.c) show converted in the lanes
 * too: mg and 1/64 g device counts in g, or in m/s². */
static void
test_source_units (void)
{
  g_autofree char *path = imu_test_library_path ();
  static const struct { const char *unit; double factor; } cases[] = { { "mg", 1000 }, { "1/64 g", 64 } };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Fixture f = { 0 };
      gint64 id = add_session_in (path, cases[i].unit, "counts", cases[i].unit, cases[i].factor, 600, 0,
                                  square_sample);
      const ImuPlotLane *lane;
      double lo, hi;

      fixture_open (&f, path, id, WIDTH, HEIGHT);
      lane = g_ptr_array_index (f.plot->scene.lanes, 0);
      g_assert_cmpstr (lane->unit, ==, "g");
      /* ±1 g, padded by 5 %. */
      g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
      g_assert_cmpfloat_with_epsilon (lo, -1.1, 1e-9);
      g_assert_cmpfloat_with_epsilon (hi, 1.1, 1e-9);
      g_object_set (f.plot, "accel-unit", "m/s2", NULL);
      wait_idle (f.plot);
      lane = g_ptr_array_index (f.plot->scene.lanes, 0);
      g_assert_cmpstr (lane->unit, ==, "m/s²");
      g_assert_true (imu_plot_get_lane_area (f.plot, 0, NULL, &lo, &hi));
      g_assert_cmpfloat_with_epsilon (hi, 1.1 * 9.80665, 1e-9);
      if (i == 1)
        g_object_unref (render (f.plot, "plot-units-counts.png"));
      fixture_close (&f);
    }
}

/* A real recording fitted (Sensor Logger, an iPhone 12: accelerometer,
 * gyroscope, magnetometer, three channels each; 10 s, so at 1280 px the
 * lanes are polylines, not bands): every channel's colour in every lane. */
static void
test_bands_real (void)
{
  g_autofree char *dir = imu_test_real_file ("sensorlogger/bennyjhui-iphone12");
  g_autofree char *path = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(Pixels) p = NULL;
  Fixture f = { 0 };
  static const guint8 rgb[3][3] = { { 0x1c, 0x71, 0xd8 }, { 0x26, 0xa2, 0x69 }, { 0xc6, 0x46, 0x00 } };

  if (dir == NULL)
    return;
  path = imu_test_library_path ();
  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  result = imu_import_path (store, dir, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  fixture_open (&f, path, result->session_id, 1280, 720);
  texture = render (f.plot, "plot-real-sensorlogger.png");
  p = pixels_new (texture);
  for (guint l = 0; l < f.plot->geom->lane_geoms->len; l++)
    {
      const ImuPlotLaneGeom *lg = g_ptr_array_index (f.plot->geom->lane_geoms, l);
      const ImuPlotLane *lane = g_ptr_array_index (f.plot->scene.lanes, l);

      if (lane->n_channels < 2 || !lg->bands)
        continue;
      for (guint c = 0; c < MIN (lane->n_channels, 3); c++)
        {
          int hits = 0;

          for (int y = (int) lg->area.origin.y + 1; y < lg->area.origin.y + lg->area.size.height - 1; y++)
            for (int x = DOC_MARGIN_LEFT; x < 1280 - DOC_MARGIN_RIGHT; x++)
              hits += is_color (p, x, y, rgb[c], 10);
          g_test_message ("real: lane %u channel %u: %d pixels", l, c, hits);
          g_assert_cmpint (hits, >, 50);
        }
    }
  fixture_close (&f);
}

/* Clock-friendly tick steps, shared by the time axis and the intensity
 * chart (whose ticks fell at 0:21, 0:43 … before). */
static void
test_nice_step (void)
{
  /* 130 s on 700 px, ticks ≥ 80 px apart: 10 s gives 53.8 px, 15 s 80.8 px. */
  g_assert_cmpint (imu_plot_nice_time_step (130 * SEC, 700, 80), ==, 15 * SEC);
  /* 24 h on 1000 px: 1 h gives 41.7 px, 2 h 83.3 px. */
  g_assert_cmpint (imu_plot_nice_time_step (24 * 3600 * SEC, 1000, 80), ==, 2 * 3600 * SEC);
  /* 2.5 s on 500 px: 200 ms gives 40 px, 500 ms 100 px. */
  g_assert_cmpint (imu_plot_nice_time_step (2500 * (SEC / 1000), 500, 80), ==, 500 * (SEC / 1000));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();

  make_library ();

  g_test_add_func ("/gui/plot/axis/labels", test_time_labels);
  g_test_add_func ("/gui/plot/axis/nice-step", test_nice_step);
  g_test_add_func ("/gui/plot/square/full", test_square_full);
  g_test_add_func ("/gui/plot/square/zoomed", test_square_zoomed);
  g_test_add_data_func ("/gui/plot/gap/lines", GINT_TO_POINTER (TRUE), test_gap);
  g_test_add_data_func ("/gui/plot/gap/bars", GINT_TO_POINTER (FALSE), test_gap);
  g_test_add_func ("/gui/plot/actions/zoom-pan-fit", test_actions);
  g_test_add_func ("/gui/plot/zoom/anchor", test_zoom_anchor);
  g_test_add_func ("/gui/plot/marker/add-rename", test_marker);
  g_test_add_func ("/gui/plot/units", test_units);
  g_test_add_func ("/gui/plot/selection/stats", test_selection_stats);
  g_test_add_func ("/gui/plot/export", test_export);
  g_test_add_func ("/gui/plot/screenshots/demo", test_demo_screenshots);
  g_test_add_func ("/gui/plot/zoom/range", test_zoom_range);
  g_test_add_func ("/gui/plot/go-to", test_go_to);
  g_test_add_func ("/gui/plot/y-axis", test_y_axis);
  g_test_add_func ("/gui/plot/bands", test_bands);
  g_test_add_func ("/gui/plot/shortcuts/global", test_global_shortcuts);
  g_test_add_func ("/gui/plot/export/title", test_export_title);
  g_test_add_func ("/gui/plot/units/source", test_source_units);
  g_test_add_func ("/gui/plot/bands/real", test_bands_real);

  return g_test_run ();
}
