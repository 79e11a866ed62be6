/* test-gui-util.c — helpers of the GUI tests (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test-gui"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "imu-generator.h"
#include "imu-session-row.h"
#include "imu-test-util.h"
#include "test-gui-util.h"

static ImuApplication *app;

void
gui_test_init (int    *argc,
               char ***argv)
{
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  /* The translations of this build, not of an installed IMU Studio. */
  bindtextdomain (GETTEXT_PACKAGE, g_getenv ("IMU_TEST_LOCALEDIR") != NULL ? g_getenv ("IMU_TEST_LOCALEDIR") : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_test_init (argc, argv, NULL);

  /* Non-unique: no bus name, so a test never hands its work to an
   * instance that happens to run, and needs no session bus. */
  app = imu_application_new (G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, &error);
  g_assert_no_error (error);
  /* Windows come and go between tests; the application stays. */
  g_application_hold (G_APPLICATION (app));
}

ImuApplication *
gui_test_get_app (void)
{
  return app;
}

static gboolean
tick_cb (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       user_data)
{
  /* Frames keep coming as long as someone asks for the next one: under
   * Xvfb nothing else does once the window is still. */
  return G_SOURCE_CONTINUE;
}

static gboolean
wake_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
gui_test_iterate_ms (guint ms)
{
  gboolean done = FALSE;
  guint id = g_timeout_add (ms, wake_cb, &done);

  while (!done)
    g_main_context_iteration (NULL, TRUE);
  (void) id;
}

ImuWindow *
gui_test_open_window (const char *library_path)
{
  ImuWindow *window = imu_window_new (GTK_APPLICATION (app));

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), tick_cb, NULL, NULL);
  imu_window_open_library (window, library_path);
  gtk_window_present (GTK_WINDOW (window));
  gui_test_wait_for (!g_str_equal (imu_window_get_state (window), "loading"), 20000, "the library to load");
  gui_test_iterate_ms (50);
  return window;
}

static gboolean
window_is_listed (ImuWindow *window)
{
  return g_list_find (gtk_application_get_windows (GTK_APPLICATION (app)), window) != NULL;
}

void
gui_test_close_window (ImuWindow *window)
{
  g_autoptr(ImuLibrary) library = imu_window_get_library (window) != NULL
                                  ? g_object_ref (imu_window_get_library (window)) : NULL;

  gtk_window_close (GTK_WINDOW (window));
  gui_test_wait_for (!window_is_listed (window), 5000, "the window to close");
  /* Pending deletions go to a worker when the window closes; the caller
   * polls the file for their effect. */
  if (library != NULL)
    gui_test_wait_for (imu_library_get_n_pending_deletions (library) == 0, 10000,
                       "pending deletions to be handed over");
  gui_test_iterate_ms (100);
}

typedef struct {
  GtkWidget     *widget;
  GskRenderNode *node;
  int            width;
  int            height;
} Capture;

static void
capture_after_paint_cb (GdkFrameClock *clock,
                        Capture       *capture)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  GtkSnapshot *snapshot;

  if (capture->node != NULL)
    return;
  /* Right after a paint the layout is valid: a widget whose size is being
   * recomputed (a progress label changing) snapshots as nothing. */
  capture->width = gtk_widget_get_width (capture->widget);
  capture->height = gtk_widget_get_height (capture->widget);
  paintable = gtk_widget_paintable_new (capture->widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, capture->width, capture->height);
  capture->node = gtk_snapshot_free_to_node (snapshot);
}

char *
gui_test_screenshot (GtkWidget  *widget,
                     const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  Capture capture = { widget, NULL, 0, 0 };
  GdkFrameClock *clock;
  GskRenderer *renderer;
  gulong handler;
  char *path;

  /* A few frames so that what changed last is laid out and drawn. */
  gui_test_iterate_ms (250);

  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (capture_after_paint_cb), &capture);
  gtk_widget_queue_draw (widget);
  gui_test_wait_for (capture.node != NULL, 5000, "a frame to capture");
  g_signal_handler_disconnect (clock, handler);
  g_assert_cmpint (capture.width, >, 0);
  g_assert_cmpint (capture.height, >, 0);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  texture = gsk_renderer_render_texture (renderer, capture.node,
                                         &GRAPHENE_RECT_INIT (0, 0, capture.width, capture.height));
  gsk_render_node_unref (capture.node);

  dir = g_build_filename (imu_test_builddir (), "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  path = g_strdup_printf ("%s/%s.png", dir, name);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%d×%d)", path, capture.width, capture.height);
  return path;
}

gint64
gui_test_add_session (ImuStore           *store,
                      const char         *title,
                      const char         *subject,
                      const char * const *tags,
                      gint64              start_ns,
                      gint64              duration_ns)
{
  g_autoptr(ImuSession) session = imu_session_new ();
  g_autoptr(GError) error = NULL;

  imu_session_set_title (session, title);
  imu_session_set_subject (session, subject);
  imu_session_set_tags (session, tags);
  g_object_set (session,
                "start-ns", start_ns,
                "end-ns", start_ns + duration_ns,
                "state", (int) IMU_SESSION_STATE_COMPLETE,
                "origin", "recorded",
                NULL);
  imu_store_insert_session (store, session, &error);
  g_assert_no_error (error);
  return imu_session_get_id (session);
}

char *
gui_test_write_generated_csv (const char *dir,
                              const char *name,
                              guint64     seed,
                              double      rate_hz,
                              double      seconds)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileOutputStream) out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_autoptr(GOutputStream) buffered = NULL;
  ImuGeneratorCsvOptions options = {
    .seed = seed,
    .rate_hz = rate_hz,
    .start_ns = G_GINT64_CONSTANT (1710264600) * 1000000000 + (gint64) seed * 3600 * G_GINT64_CONSTANT (1000000000),
    .duration_ns = (gint64) (seconds * 1e9),
  };

  g_assert_no_error (error);
  buffered = g_buffered_output_stream_new_sized (G_OUTPUT_STREAM (out), 1 << 20);
  g_assert_true (imu_generator_write_csv (buffered, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (buffered, NULL, &error));
  g_assert_no_error (error);
  return path;
}

static void
find_all (GtkWidget *widget,
          GType      type,
          GPtrArray *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (out, child);
      find_all (child, type, out);
    }
}

GPtrArray *
gui_test_find_all (GtkWidget *widget,
                   GType      type)
{
  GPtrArray *out = g_ptr_array_new ();

  find_all (widget, type, out);
  return out;
}

static int
compare_y (gconstpointer a,
           gconstpointer b)
{
  GtkWidget *wa = *(GtkWidget **) a, *wb = *(GtkWidget **) b;
  graphene_point_t pa, pb;
  GtkWidget *root = GTK_WIDGET (gtk_widget_get_root (wa));

  if (!gtk_widget_compute_point (wa, root, &GRAPHENE_POINT_INIT (0, 0), &pa)
      || !gtk_widget_compute_point (wb, root, &GRAPHENE_POINT_INIT (0, 0), &pb))
    return 0;
  return pa.y < pb.y ? -1 : pa.y > pb.y;
}

GPtrArray *
gui_test_visible_rows (ImuWindow *window)
{
  g_autoptr(GPtrArray) all = gui_test_find_all (GTK_WIDGET (imu_window_get_list_view (window)), IMU_TYPE_SESSION_ROW);
  GPtrArray *rows = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (all, i);

      if (gtk_widget_get_mapped (row) && imu_session_row_get_session (IMU_SESSION_ROW (row)) != NULL)
        g_ptr_array_add (rows, row);
    }
  g_ptr_array_sort (rows, compare_y);
  return rows;
}

static void
collect_text (GtkWidget *widget,
              GString   *out)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && gtk_widget_get_visible (child))
        g_string_append_printf (out, "%s\n", gtk_label_get_text (GTK_LABEL (child)));
      collect_text (child, out);
    }
}

char *
gui_test_collect_text (GtkWidget *widget)
{
  GString *out = g_string_new (NULL);

  collect_text (widget, out);
  return g_string_free (out, FALSE);
}
