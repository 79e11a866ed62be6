/* test-gui-profile.c — the Profile tab of the session view: findings that
 * lead to the plot, the stored profile, recompute, cancel and export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test-gui"

#include <math.h>
#include <string.h>

#include "imu-intensity-chart.h"
#include "imu-profile-test.h"
#include "imu-test-util.h"
#include "test-gui-util.h"

#define NS    G_GINT64_CONSTANT (1000000000)
#define RATE  50.0
/* The gap: the last sample of the first run is at 59.98 s, the first of the
 * second run at 70 s (both relative to PT_T0). */
#define GAP_BEFORE_NS (PT_T0 + G_GINT64_CONSTANT (59980000000))
#define GAP_AFTER_NS  (PT_T0 + 70 * NS)

static const char *const axes[] = { "x", "y", "z" };

/* An accelerometer at rest (z = 1 g) that moves along z at 1.5 Hz with
 * @amplitude g, sampled at 50 Hz for @seconds (times from @t0_s), written
 * as @n_runs runs of @seconds each, the second starting 70 s after the
 * first (a 10 s gap when @seconds is 60). */
static gint64
add_session (ImuStore   *store,
             const char *title,
             guint       n_runs,
             double      seconds,
             double      amplitude)
{
  gsize per_run = (gsize) (seconds * RATE);
  gsize n = per_run * n_runs;
  g_autofree gint64 *t = g_new (gint64, n);
  double **cols = pt_columns_new (3, n);
  PtStream spec = {
    .name = "accelerometer", .kind = "accel", .rate_hz = RATE, .n_channels = 3,
    .channel_names = axes, .unit = "g", .channel_kind = "accel", .decimals = 4, .range = 8,
    .n = n, .t = t, .cols = cols,
  };
  gint64 id = pt_new_session (store, title);

  for (gsize i = 0; i < n; i++)
    {
      gsize run = i / per_run, k = i % per_run;
      double s = k / RATE;

      t[i] = PT_T0 + (gint64) llround ((run * 70.0 + s) * 1e9);
      cols[0][i] = 0.01 * sin (2 * G_PI * 0.3 * s);
      cols[1][i] = 0.01 * cos (2 * G_PI * 0.2 * s);
      cols[2][i] = 1 + amplitude * (run + 1) * sin (2 * G_PI * 1.5 * s);
    }
  pt_add_stream (store, id, &spec);
  pt_columns_free (cols, 3);
  return id;
}

static void
wait_loaded (ImuWindow *window)
{
  ImuSessionView *view = imu_window_get_session_view (window);

  gui_test_wait_for (imu_session_view_get_session (view) != NULL && !imu_session_view_get_loading (view),
                     20000, "the session to load");
}

static void
wait_profile (ImuProfilePage *page)
{
  gui_test_wait_for (!imu_profile_page_get_busy (page) && imu_profile_page_get_profile (page) != NULL,
                     60000, "the profile");
  gui_test_iterate_ms (100);
}

static GtkListBoxRow *
find_row (ImuProfilePage *page,
          const char     *code)
{
  GtkListBox *list = imu_profile_page_get_findings_list (page);

  for (int i = 0;; i++)
    {
      GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, i);

      if (row == NULL)
        return NULL;
      if (g_strcmp0 (g_object_get_data (G_OBJECT (row), "code"), code) == 0)
        return row;
    }
}

typedef struct {
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Exported;

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Exported *exported = user_data;

  exported->ok = imu_profile_page_export_finish (IMU_PROFILE_PAGE (object), result, &exported->error);
  exported->done = TRUE;
}

/* Exports @format to @path and returns its contents. */
static char *
export (ImuProfilePage *page,
        const char     *format,
        const char     *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  Exported exported = { 0 };
  char *contents = NULL;

  imu_profile_page_export_async (page, format, file, NULL, exported_cb, &exported);
  gui_test_wait_for (exported.done, 30000, "the export");
  g_assert_no_error (exported.error);
  g_assert_true (exported.ok);
  g_assert_true (g_file_get_contents (path, &contents, NULL, &error));
  g_assert_no_error (error);
  return contents;
}

static void
test_profile_tab (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autofree char *shot = NULL;
  g_autofree char *html_path = g_build_filename (dir, "report.html", NULL);
  g_autofree char *csv_path = g_build_filename (dir, "metrics.csv", NULL);
  g_autofree char *json_path = g_build_filename (dir, "profile.json", NULL);
  g_autofree char *html = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *json = NULL;
  ImuWindow *window;
  ImuSessionView *view;
  ImuProfilePage *page;
  AdwViewStack *stack;
  GtkListBoxRow *row;
  gint64 gap_id, other_id, t0 = 0, t1 = 0, *t_ns;
  ImuIntensityChart *chart;
  g_autoptr(GPtrArray) charts = NULL;

  g_assert_no_error (error);
  gap_id = add_session (store, "Walk with a gap", 2, 60, 0.3);
  other_id = add_session (store, "Short and steady", 1, 30, 0.1);
  g_clear_object (&store);

  window = gui_test_open_window (path);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  view = imu_window_get_session_view (window);
  page = imu_session_view_get_profile_page (view);
  stack = imu_session_view_get_stack (view);

  /* The profile waits until the tab is shown. */
  g_assert_true (imu_window_select_session (window, gap_id));
  wait_loaded (window);
  gui_test_iterate_ms (100);
  g_assert_null (imu_profile_page_get_profile (page));
  g_assert_false (imu_profile_page_get_busy (page));
  adw_view_stack_set_visible_child_name (stack, "profile");
  wait_profile (page);
  g_assert_false (imu_profile_is_cached (imu_profile_page_get_profile (page)));
  g_assert_cmpuint (imu_profile_page_get_n_computed (page), ==, 1);

  /* The gap is found; its location is the last sample before it. */
  row = find_row (page, "W_GAP");
  g_assert_nonnull (row);
  g_assert_true (gtk_list_box_row_get_activatable (row));
  t_ns = g_object_get_data (G_OBJECT (row), "t-ns");
  g_assert_nonnull (t_ns);
  g_assert_cmpint (*t_ns, ==, GAP_BEFORE_NS);
  /* A person's title; the code as a detail at the end of the subtitle. */
  g_assert_true (g_str_has_prefix (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "Gaps in time"));
  g_assert_null (strstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), "W_GAP"));
  g_assert_true (g_str_has_suffix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "(W_GAP)"));

  /* 130 s of 5 s epochs: 26 epochs (the gap's are empty). */
  charts = gui_test_find_all (GTK_WIDGET (page), IMU_TYPE_INTENSITY_CHART);
  g_assert_cmpuint (charts->len, ==, 1);
  chart = g_ptr_array_index (charts, 0);
  g_assert_cmpuint (imu_intensity_chart_get_n_epochs (chart), ==, 26);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (chart)));

  shot = gui_test_screenshot (GTK_WIDGET (window), "profile-tab");
  g_test_message ("screenshot: %s", shot);

  /* Activating the finding shows the plot around the gap. */
  imu_plot_set_visible_range (imu_session_view_get_plot (view), PT_T0, PT_T0 + 5 * NS);
  gtk_widget_activate (GTK_WIDGET (row));
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (stack), ==, "signals");
  gui_test_iterate_ms (200);
  imu_plot_get_visible_range (imu_session_view_get_plot (view), &t0, &t1);
  /* The whole gap (59.98 s to 70 s) with 2.505 s (a quarter) either side. */
  g_assert_cmpint (t0, <=, GAP_BEFORE_NS);
  g_assert_cmpint (t1, >=, GAP_AFTER_NS);
  g_assert_cmpint (t0, >=, GAP_BEFORE_NS - 3 * NS);
  g_assert_cmpint (t1, <=, GAP_AFTER_NS + 3 * NS);
  g_clear_pointer (&shot, g_free);
  shot = gui_test_screenshot (GTK_WIDGET (window), "profile-gap-in-plot");

  /* Exports, through the core's writers. */
  html = export (page, "html", html_path);
  g_assert_nonnull (strstr (html, "<html"));
  g_assert_nonnull (strstr (html, "W_GAP"));
  csv = export (page, "csv", csv_path);
  g_assert_true (g_str_has_prefix (csv, "start,stream,samples,enmo_mg,"));
  json = export (page, "json", json_path);
  g_assert_nonnull (strstr (json, "\"imu-studio/profile\""));
  g_assert_nonnull (strstr (json, "\"W_GAP\""));

  /* Another session, then the first again: its profile is the stored one. */
  g_assert_true (imu_window_select_session (window, other_id));
  wait_loaded (window);
  adw_view_stack_set_visible_child_name (stack, "profile");
  wait_profile (page);
  g_assert_cmpint (imu_profile_get_session_id (imu_profile_page_get_profile (page)), ==, other_id);
  g_assert_null (find_row (page, "W_GAP"));
  g_assert_cmpuint (imu_profile_page_get_n_computed (page), ==, 2);

  g_assert_true (imu_window_select_session (window, gap_id));
  wait_loaded (window);
  adw_view_stack_set_visible_child_name (stack, "profile");
  wait_profile (page);
  g_assert_cmpint (imu_profile_get_session_id (imu_profile_page_get_profile (page)), ==, gap_id);
  g_assert_true (imu_profile_is_cached (imu_profile_page_get_profile (page)));
  g_assert_cmpuint (imu_profile_page_get_n_computed (page), ==, 2);
  g_assert_nonnull (find_row (page, "W_GAP"));
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (imu_profile_page_get_findings_list (page)),
                                                   GTK_TYPE_SCROLLED_WINDOW);
    GtkAdjustment *adj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));

    gtk_adjustment_set_value (adj, gtk_adjustment_get_upper (adj));
    gui_test_iterate_ms (100);
  }
  g_clear_pointer (&shot, g_free);
  shot = gui_test_screenshot (GTK_WIDGET (window), "profile-tab-stored");

  /* Recompute computes even though a current profile is stored. */
  imu_profile_page_recompute (page);
  g_assert_true (imu_profile_page_get_busy (page));
  wait_profile (page);
  g_assert_false (imu_profile_is_cached (imu_profile_page_get_profile (page)));
  g_assert_cmpuint (imu_profile_page_get_n_computed (page), ==, 3);

  /* Cancel: nothing new, the shown profile stays. */
  imu_profile_page_recompute (page);
  imu_profile_page_cancel (page);
  gui_test_wait_for (!imu_profile_page_get_busy (page), 30000, "the cancelled computation to stop");
  g_assert_nonnull (imu_profile_page_get_profile (page));
  g_assert_cmpuint (imu_profile_page_get_n_computed (page), ==, 3);

  gui_test_close_window (window);
  imu_test_rm_rf (dir);
}

/* The unit preferences apply to the profile's statistics as to the plot,
 * source units such as mg included: x = 250 mg and z = 1000 mg at rest
 * are 0.25 g and 1 g, or 2.4516625 and 9.80665 m/s² (1 g = 9.80665 m/s²),
 * shown with 6 significant digits: "2.45166", "9.80665". */
static void
test_profile_units (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GSettings) settings = g_settings_new ("io.github.imustudio.ImuStudio");
  gsize n = 500;
  g_autofree gint64 *t = g_new (gint64, n);
  double **cols = pt_columns_new (3, n);
  PtStream spec = {
    .name = "accelerometer", .kind = "accel", .rate_hz = RATE, .n_channels = 3,
    .channel_names = axes, .unit = "mg", .channel_kind = "accel", .decimals = 0, .range = 8000,
    .n = n, .t = t, .cols = cols,
  };
  ImuWindow *window;
  ImuSessionView *view;
  ImuProfilePage *page;
  gint64 id;

  g_assert_no_error (error);
  id = pt_new_session (store, "At rest, in mg");
  for (gsize i = 0; i < n; i++)
    {
      t[i] = PT_T0 + (gint64) (i * 20) * G_GINT64_CONSTANT (1000000);
      cols[0][i] = 250;
      cols[1][i] = 0;
      cols[2][i] = 1000;
    }
  pt_add_stream (store, id, &spec);
  pt_columns_free (cols, 3);
  g_clear_object (&store);

  g_settings_set_string (settings, "accel-unit", "m/s2");
  window = gui_test_open_window (path);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  view = imu_window_get_session_view (window);
  page = imu_session_view_get_profile_page (view);
  g_assert_true (imu_window_select_session (window, id));
  wait_loaded (window);
  adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "profile");
  wait_profile (page);
  {
    g_autofree char *text = gui_test_collect_text (GTK_WIDGET (page));

    /* Channel, unit, mean, std, min, max. */
    g_assert_nonnull (strstr (text, "\nx\nm/s²\n2.45166\n0\n2.45166\n2.45166\n"));
    g_assert_nonnull (strstr (text, "\nz\nm/s²\n9.80665\n0\n9.80665\n9.80665\n"));
    g_assert_nonnull (strstr (text, "\nSamples\n500\n"));
    g_assert_null (strstr (text, "\nmg\n"));
    g_free (gui_test_screenshot (GTK_WIDGET (window), "profile-units-ms2"));
  }
  g_settings_set_string (settings, "accel-unit", "g");
  gui_test_iterate_ms (200);
  {
    g_autofree char *text = gui_test_collect_text (GTK_WIDGET (page));

    g_assert_nonnull (strstr (text, "\nx\ng\n0.25\n0\n0.25\n0.25\n"));
    g_assert_nonnull (strstr (text, "\nz\ng\n1\n0\n1\n1\n"));
  }
  g_settings_reset (settings, "accel-unit");
  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_iterate_ms (100);
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/profile/tab", test_profile_tab);
  g_test_add_func ("/gui/profile/units", test_profile_units);

  return g_test_run ();
}
