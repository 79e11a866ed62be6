/* test-gui-subject.c — the subject page: one athlete's sessions over time,
 * their key numbers in a sortable table, a date filter, the trend chart,
 * the CSV export and profiling in the background
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test-gui"

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "imu-profile-test.h"
#include "imu-subject-page.h"
#include "imu-test-util.h"
#include "test-gui-util.h"

#define NS   G_GINT64_CONSTANT (1000000000)
#define DAY  (G_GINT64_CONSTANT (86400) * NS)
/* 2024-03-12T12:00:00Z: noon, so that the day is the same in any time
 * zone the test runs in from UTC−11 to UTC+11. */
#define T0   (G_GINT64_CONSTANT (1710244800) * NS)
#define RATE 50.0
#define N_SAMPLES 6000

static const char *const axes[] = { "x", "y", "z" };

/* 120 s at 50 Hz (the last sample at 119.98 s) of the constant
 * acceleration (0, 0, @z) g. ENMO is max(|a| − 1 g, 0) in every sample:
 * z = 1.2 is 200 mg and each of the 24 epochs of 5 s is moderate
 * (93.2 ≤ 200 < 418.3 mg, Hildebrand's cut points), z = 1.45 is 450 mg,
 * vigorous (≥ 418.3), z = 1 is 0 mg, sedentary. Two minutes of epochs is
 * 2.00 minutes of the one class. |a| stays below the 1.5 g peak threshold:
 * no peaks. Non-wear needs a 60 min window: not evaluated (no time worn,
 * and the info I_NONWEAR_NOT_EVALUATED). Each of the three channels is
 * one flat line (three W_FLATLINE), and a still sensor that does not read
 * 1 g is W_CALIBRATION (z = 1.2 and 1.45, not z = 1). */
static gint64
add_constant_session (ImuStore   *store,
                      const char *title,
                      const char *subject,
                      gint64      start_ns,
                      double      z)
{
  g_autofree gint64 *t = g_new (gint64, N_SAMPLES);
  double **cols = pt_columns_new (3, N_SAMPLES);
  PtStream spec = {
    .name = "accelerometer", .kind = "accel", .rate_hz = RATE, .n_channels = 3,
    .channel_names = axes, .unit = "g", .channel_kind = "accel", .decimals = 4, .range = 8,
    .n = N_SAMPLES, .t = t, .cols = cols,
  };
  gint64 id = gui_test_add_session (store, title, subject, NULL, start_ns,
                                    (N_SAMPLES - 1) * (NS / 50));

  for (gsize i = 0; i < N_SAMPLES; i++)
    {
      t[i] = start_ns + (gint64) i * (NS / 50);
      cols[0][i] = 0;
      cols[1][i] = 0;
      cols[2][i] = z;
    }
  pt_add_stream (store, id, &spec);
  pt_columns_free (cols, 3);
  return id;
}

typedef struct {
  char   *path;
  gint64  tempo, rest, vig, other;
  char   *uuid[3];
} Fixture;

static void
fixture_clear (Fixture *f)
{
  g_free (f->path);
  for (guint i = 0; i < G_N_ELEMENTS (f->uuid); i++)
    g_free (f->uuid[i]);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Fixture, fixture_clear)

static char *
uuid_of (ImuStore *store,
         gint64    id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = imu_store_load_session (store, id, &error);

  g_assert_no_error (error);
  return g_strdup (imu_session_get_uuid (session));
}

/* Ana on 12, 19 and 26 March (in an order that is not the date's), Ben
 * once in between. */
static void
fixture_init (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;

  f->path = imu_test_library_path ();
  store = imu_store_open (f->path, &error);
  g_assert_no_error (error);
  f->rest = add_constant_session (store, "Rest", "Ana", T0 + 7 * DAY, 1.0);
  f->tempo = add_constant_session (store, "Tempo, hills", "Ana", T0, 1.2);
  f->other = add_constant_session (store, "Ben's run", "Ben", T0 + 8 * DAY, 1.2);
  /* The subject in another case is the same subject. */
  f->vig = add_constant_session (store, "Intervals", "ana", T0 + 14 * DAY, 1.45);
  f->uuid[0] = uuid_of (store, f->tempo);
  f->uuid[1] = uuid_of (store, f->rest);
  f->uuid[2] = uuid_of (store, f->vig);
}

static ImuSubjectPage *
find_page (ImuWindow *window)
{
  g_autoptr(GPtrArray) pages = gui_test_find_all (GTK_WIDGET (window), IMU_TYPE_SUBJECT_PAGE);

  g_assert_cmpuint (pages->len, ==, 1);
  return g_ptr_array_index (pages, 0);
}

static gint64
row_id (ImuSubjectPage *page,
        guint           position)
{
  g_autoptr(ImuSession) session = g_list_model_get_item (imu_subject_page_get_rows (page), position);

  g_assert_nonnull (session);
  return imu_session_get_id (session);
}

/* The longest the main loop went without running a 5 ms timer while the
 * worker profiled (drawing the window included). */
typedef struct {
  gint64 last_us;
  gint64 max_gap_us;
} Gaps;

static gboolean
gap_tick_cb (gpointer data)
{
  Gaps *gaps = data;
  gint64 now = g_get_monotonic_time ();

  gaps->max_gap_us = MAX (gaps->max_gap_us, now - gaps->last_us);
  gaps->last_us = now;
  return G_SOURCE_CONTINUE;
}

static void
wait_profiled (ImuSubjectPage *page)
{
  Gaps gaps = { g_get_monotonic_time (), 0 };
  gint64 t0 = gaps.last_us;
  guint tick = g_timeout_add (5, gap_tick_cb, &gaps);

  gui_test_wait_for (!imu_subject_page_get_busy (page), 60000, "the sessions to be profiled");
  g_source_remove (tick);
  g_test_message ("profiled in %.0f ms; the main loop's longest pause %.0f ms",
                  (g_get_monotonic_time () - t0) / 1e3, gaps.max_gap_us / 1e3);
  /* A figure, not a check: these sessions profile in well under a second
   * either way. That the work is off this thread shows in
   * /gui/subject/cancel (the page is busy when showing it returns, and
   * Cancel stops it). */
  gui_test_iterate_ms (50);
}

static void
assert_cell (ImuSubjectPage   *page,
             guint             position,
             ImuSubjectColumn  column,
             const char       *expected)
{
  g_autofree char *text = imu_subject_page_dup_cell_text (page, position, column);

  g_assert_cmpstr (text, ==, expected);
}

typedef struct {
  gboolean done;
  gboolean ok;
} Exported;

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  Exported *exported = user_data;
  g_autoptr(GError) error = NULL;

  exported->ok = imu_subject_page_export_finish (IMU_SUBJECT_PAGE (object), result, &error);
  g_assert_no_error (error);
  exported->done = TRUE;
}

static void
test_subject_page (void)
{
  g_auto(Fixture) f = { 0 };
  ImuWindow *window;
  ImuSubjectPage *page;
  ImuTrendChart *chart;
  GListModel *columns;
  g_autofree char *csv = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *out = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  Exported exported = { 0 };
  double w, h, x, y;

  fixture_init (&f);
  window = gui_test_open_window (f.path);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-subject", "s", "ANA");
  page = find_page (window);
  /* Named as most of the sessions name the subject. */
  g_assert_cmpstr (imu_subject_page_get_subject (page), ==, "Ana");
  /* The dropdown offers both subjects. */
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_subjects (page)), ==, 2);
  wait_profiled (page);

  /* Exactly Ana's three sessions, by date, with their numbers. */
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_rows (page)), ==, 3);
  g_assert_cmpint (row_id (page, 0), ==, f.tempo);
  g_assert_cmpint (row_id (page, 1), ==, f.rest);
  g_assert_cmpint (row_id (page, 2), ==, f.vig);
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_TITLE, "Tempo, hills");
  /* 119.98 s, to the nearest second. */
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_DURATION, "2:00");
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_ENMO, "200.0");
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_MODERATE, "2.0");
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_SEDENTARY, "0.0");
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_PEAKS, "0.0");
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_WEAR, "—");
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_FINDINGS, "0 E / 4 W");
  assert_cell (page, 1, IMU_SUBJECT_COLUMN_ENMO, "0.0");
  assert_cell (page, 1, IMU_SUBJECT_COLUMN_SEDENTARY, "2.0");
  assert_cell (page, 1, IMU_SUBJECT_COLUMN_MODERATE, "0.0");
  assert_cell (page, 1, IMU_SUBJECT_COLUMN_FINDINGS, "0 E / 3 W");
  assert_cell (page, 2, IMU_SUBJECT_COLUMN_ENMO, "450.0");
  assert_cell (page, 2, IMU_SUBJECT_COLUMN_VIGOROUS, "2.0");
  assert_cell (page, 2, IMU_SUBJECT_COLUMN_MODERATE, "0.0");

  /* The trend chart (mean ENMO): dates 0, 7 and 14 days after the first
   * across the plot's width; values 200, 0 and 450 mg on an axis of 0 to
   * 500 mg (the smallest of 1, 2, 2.5, 5 × 10^k at least 450). */
  chart = imu_subject_page_get_trend_chart (page);
  g_assert_cmpuint (imu_trend_chart_get_n_points (chart), ==, 3);
  g_assert_cmpfloat (imu_trend_chart_get_y_max (chart), ==, 500);
  w = gtk_widget_get_width (GTK_WIDGET (chart));
  h = gtk_widget_get_height (GTK_WIDGET (chart));
  g_assert_cmpfloat (w, >, IMU_TREND_CHART_MARGIN_LEFT + IMU_TREND_CHART_MARGIN_RIGHT);
  {
    const double plot_w = w - IMU_TREND_CHART_MARGIN_LEFT - IMU_TREND_CHART_MARGIN_RIGHT;
    const double plot_h = h - IMU_TREND_CHART_MARGIN_TOP - IMU_TREND_CHART_MARGIN_BOTTOM;
    const double ex[3] = { IMU_TREND_CHART_MARGIN_LEFT, IMU_TREND_CHART_MARGIN_LEFT + plot_w / 2,
                           IMU_TREND_CHART_MARGIN_LEFT + plot_w };
    const double ey[3] = { IMU_TREND_CHART_MARGIN_TOP + 0.6 * plot_h, IMU_TREND_CHART_MARGIN_TOP + plot_h,
                           IMU_TREND_CHART_MARGIN_TOP + 0.1 * plot_h };

    for (guint i = 0; i < 3; i++)
      {
        g_assert_true (imu_trend_chart_get_point (chart, i, &x, &y));
        g_assert_cmpfloat_with_epsilon (x, ex[i], 1e-9);
        g_assert_cmpfloat_with_epsilon (y, ey[i], 1e-9);
      }
  }
  g_free (gui_test_screenshot (GTK_WIDGET (window), "subject-page"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "subject-page-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  /* Another number: moderate minutes, 2, 0, 0 on an axis of 0 to 2. */
  gtk_drop_down_set_selected (imu_subject_page_get_metric_dropdown (page), 3);
  g_assert_cmpfloat (imu_trend_chart_get_y_max (chart), ==, 2);
  g_assert_true (imu_trend_chart_get_point (chart, 0, &x, &y));
  g_assert_cmpfloat_with_epsilon (y, IMU_TREND_CHART_MARGIN_TOP, 1e-9);
  gtk_drop_down_set_selected (imu_subject_page_get_metric_dropdown (page), 0);

  /* Sorting by a column (mean ENMO, largest first) reorders the rows. */
  columns = gtk_column_view_get_columns (imu_subject_page_get_column_view (page));
  {
    g_autoptr(GtkColumnViewColumn) enmo = g_list_model_get_item (columns, IMU_SUBJECT_COLUMN_ENMO);
    g_autoptr(GtkColumnViewColumn) title = g_list_model_get_item (columns, IMU_SUBJECT_COLUMN_TITLE);
    g_autoptr(GtkColumnViewColumn) date = g_list_model_get_item (columns, IMU_SUBJECT_COLUMN_DATE);

    gtk_column_view_sort_by_column (imu_subject_page_get_column_view (page), enmo, GTK_SORT_DESCENDING);
    gui_test_iterate_ms (50);
    g_assert_cmpint (row_id (page, 0), ==, f.vig);
    g_assert_cmpint (row_id (page, 1), ==, f.tempo);
    g_assert_cmpint (row_id (page, 2), ==, f.rest);
    gtk_column_view_sort_by_column (imu_subject_page_get_column_view (page), title, GTK_SORT_ASCENDING);
    gui_test_iterate_ms (50);
    g_assert_cmpint (row_id (page, 0), ==, f.vig);     /* Intervals */
    g_assert_cmpint (row_id (page, 1), ==, f.rest);    /* Rest */
    g_assert_cmpint (row_id (page, 2), ==, f.tempo);   /* Tempo, hills */
    /* The chart keeps the dates' order. */
    g_assert_true (imu_trend_chart_get_point (chart, 0, &x, &y));
    g_assert_cmpfloat_with_epsilon (x, IMU_TREND_CHART_MARGIN_LEFT, 1e-9);
    gtk_column_view_sort_by_column (imu_subject_page_get_column_view (page), date, GTK_SORT_ASCENDING);
    gui_test_iterate_ms (50);
  }

  /* The CSV: `imu list --with-profile --csv`'s columns, a row per
   * session as the table shows them. */
  csv = imu_subject_page_dup_csv (page);
  expected = g_strdup_printf (
    "id,uuid,start,duration_s,title,subject,movement_stream,enmo_mean_mg,sedentary_min,"
    "light_min,moderate_min,vigorous_min,peaks_per_min,wear_s,errors,warnings,infos\n"
    "%" G_GINT64_FORMAT ",%s,2024-03-12T12:00:00Z,119.980,\"Tempo, hills\",Ana,accelerometer,"
    "200.0,0.00,0.00,2.00,0.00,0.00,,0,4,1\n"
    "%" G_GINT64_FORMAT ",%s,2024-03-19T12:00:00Z,119.980,Rest,Ana,accelerometer,"
    "0.0,2.00,0.00,0.00,0.00,0.00,,0,3,1\n"
    "%" G_GINT64_FORMAT ",%s,2024-03-26T12:00:00Z,119.980,Intervals,ana,accelerometer,"
    "450.0,0.00,0.00,0.00,2.00,0.00,,0,4,1\n",
    f.tempo, f.uuid[0], f.rest, f.uuid[1], f.vig, f.uuid[2]);
  g_assert_cmpstr (csv, ==, expected);
  dir = imu_test_tmpdir ();
  out = g_build_filename (dir, "ana.csv", NULL);
  file = g_file_new_for_path (out);
  imu_subject_page_export_async (page, file, NULL, exported_cb, &exported);
  gui_test_wait_for (exported.done, 10000, "the export");
  g_assert_true (exported.ok);
  g_assert_true (g_file_get_contents (out, &written, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (written, ==, expected);

  /* The date filter: from 13 March, to 26 March: the last two. */
  g_assert_true (imu_subject_page_set_date_range (page, "2024-03-13", "2024-03-26"));
  gui_test_iterate_ms (50);
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_rows (page)), ==, 2);
  g_assert_cmpint (row_id (page, 0), ==, f.rest);
  g_assert_cmpint (row_id (page, 1), ==, f.vig);
  g_assert_cmpuint (imu_trend_chart_get_n_points (chart), ==, 2);
  {
    g_autofree char *narrowed = imu_subject_page_dup_csv (page);

    g_assert_null (strstr (narrowed, "Tempo"));
    g_assert_nonnull (strstr (narrowed, "Rest"));
  }
  /* Not a date: refused, the filter stays. */
  g_assert_false (imu_subject_page_set_date_range (page, "2024-02-30", NULL));
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_rows (page)), ==, 2);
  g_assert_true (imu_subject_page_set_date_range (page, NULL, NULL));
  gui_test_iterate_ms (50);
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_rows (page)), ==, 3);

  /* A click on a row opens its session. */
  g_signal_emit_by_name (imu_subject_page_get_column_view (page), "activate", 1);
  gui_test_wait_for (imu_session_view_get_session (imu_window_get_session_view (window)) != NULL
                     && imu_session_get_id (imu_session_view_get_session (imu_window_get_session_view (window))) == f.rest,
                     10000, "the session to open");

  gui_test_close_window (window);
}

/* Profiling runs in a worker and stops on Cancel: the rows not profiled
 * show no numbers; Resume profiles the rest. The profiles stay in the
 * library: the page opened again has them at once. */
static void
test_subject_cancel (void)
{
  g_auto(Fixture) f = { 0 };
  ImuWindow *window;
  ImuSubjectPage *page;
  guint pending = 0;

  fixture_init (&f);
  window = gui_test_open_window (f.path);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-subject", "s", "Ana");
  page = find_page (window);
  g_assert_true (imu_subject_page_get_busy (page));
  gtk_widget_activate_action (GTK_WIDGET (page), "subject.cancel", NULL);
  wait_profiled (page);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *text = imu_subject_page_dup_cell_text (page, i, IMU_SUBJECT_COLUMN_ENMO);

      /* A dash: no numbers, and none coming. */
      if (g_str_equal (text, "—"))
        pending++;
    }
  g_assert_cmpuint (pending, >, 0);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "subject-page-stopped"));

  gtk_widget_activate_action (GTK_WIDGET (page), "subject.cancel", NULL);
  g_assert_true (imu_subject_page_get_busy (page));
  wait_profiled (page);
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_ENMO, "200.0");
  assert_cell (page, 1, IMU_SUBJECT_COLUMN_ENMO, "0.0");
  assert_cell (page, 2, IMU_SUBJECT_COLUMN_ENMO, "450.0");
  gui_test_close_window (window);
}

/* The action of @widget's shortcut for @accelerator (its own or its
 * class's), or NULL. */
static GtkShortcutAction *
find_shortcut (GtkWidget  *widget,
               const char *accelerator)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (!GTK_IS_SHORTCUT_CONTROLLER (controller))
        continue;
      for (guint k = 0; k < g_list_model_get_n_items (G_LIST_MODEL (controller)); k++)
        {
          g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (G_LIST_MODEL (controller), k);

          if (gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), wanted))
            return gtk_shortcut_get_action (shortcut);
        }
    }
  return NULL;
}

/* The ways in: the selected session's subject (the main menu's and a
 * row's Subjects), the subject on its Details page, and a library without
 * subjects. */
static void
test_subject_entry_points (void)
{
  g_auto(Fixture) f = { 0 };
  ImuWindow *window;
  ImuSubjectPage *page;
  g_autoptr(GPtrArray) buttons = NULL;
  GtkWidget *all_sessions = NULL;
  ImuSessionView *view;

  fixture_init (&f);
  window = gui_test_open_window (f.path);
  g_assert_true (imu_window_select_session (window, f.other));
  view = imu_window_get_session_view (window);
  gui_test_wait_for (imu_session_view_get_session (view) != NULL && !imu_session_view_get_loading (view),
                     20000, "the session to load");
  /* Ctrl+Shift+P, as the shortcuts window lists it. */
  g_assert_true (gtk_shortcut_action_activate (find_shortcut (GTK_WIDGET (window), "<Control><Shift>p"),
                                               0, GTK_WIDGET (window), NULL));
  page = find_page (window);
  g_assert_cmpstr (imu_subject_page_get_subject (page), ==, "Ben");
  wait_profiled (page);
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_rows (page)), ==, 1);
  g_assert_cmpint (row_id (page, 0), ==, f.other);
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_ENMO, "200.0");

  /* Rest's Details: its subject, with a button to all of Ana's sessions. */
  g_assert_true (imu_window_select_session (window, f.rest));
  gui_test_wait_for (imu_session_view_get_session (view) != NULL && !imu_session_view_get_loading (view)
                     && imu_session_get_id (imu_session_view_get_session (view)) == f.rest,
                     20000, "the session to load");
  adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "details");
  gui_test_iterate_ms (100);
  buttons = gui_test_find_all (GTK_WIDGET (imu_session_view_get_details_page (view)), GTK_TYPE_BUTTON);
  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), "win.show-subject") == 0)
      all_sessions = buttons->pdata[i];
  g_assert_nonnull (all_sessions);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "subject-details-link"));
  g_assert_cmpstr (g_variant_get_string (gtk_actionable_get_action_target_value (GTK_ACTIONABLE (all_sessions)), NULL),
                   ==, "Ana");
  /* As a click does it (a button clicks on activation once it is shown). */
  g_assert_true (gtk_widget_activate (all_sessions));
  gui_test_wait_for (gtk_widget_get_mapped (GTK_WIDGET (page)), 5000, "the subject page");
  g_assert_cmpstr (imu_subject_page_get_subject (page), ==, "Ana");
  wait_profiled (page);
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_rows (page)), ==, 3);

  /* A session of Ana's that joins the library (as an import's does) joins
   * the page and is profiled. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ImuStore) store = imu_store_open (f.path, &error);
    gint64 id;

    g_assert_no_error (error);
    id = add_constant_session (store, "Tempo again", "Ana", T0 + 21 * DAY, 1.2);
    imu_library_add_session_async (imu_window_get_library (window), id, NULL, NULL, NULL);
    gui_test_wait_for (g_list_model_get_n_items (imu_subject_page_get_rows (page)) == 4, 10000, "the new session");
    wait_profiled (page);
    g_assert_cmpint (row_id (page, 3), ==, id);
    assert_cell (page, 3, IMU_SUBJECT_COLUMN_ENMO, "200.0");
    assert_cell (page, 3, IMU_SUBJECT_COLUMN_MODERATE, "2.0");
    g_assert_cmpuint (imu_trend_chart_get_n_points (imu_subject_page_get_trend_chart (page)), ==, 4);
  }
  gui_test_close_window (window);
}

/* A library whose sessions have no subject: the page says how to give
 * them one. */
static void
test_subject_none (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  ImuWindow *window;
  ImuSubjectPage *page;
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  gui_test_add_session (store, "Nobody's", NULL, NULL, T0, 10 * NS);
  window = gui_test_open_window (path);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-subjects", NULL);
  page = find_page (window);
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_subjects (page)), ==, 0);
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_rows (page)), ==, 0);
  text = gui_test_collect_text (GTK_WIDGET (page));
  g_assert_nonnull (strstr (text, "No Subjects Yet"));
  g_free (gui_test_screenshot (GTK_WIDGET (window), "subject-page-none"));
  gui_test_close_window (window);
}

/* `imu --library PATH ARGS…` in another process; returns its stdout. */
static char *
run_cli (const char *path, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  char *out = NULL;
  const char *arg;
  va_list ap;

  g_ptr_array_add (argv, (char *) IMU_CLI_PATH);
  g_ptr_array_add (argv, (char *) "--library");
  g_ptr_array_add (argv, (char *) path);
  va_start (ap, path);
  while ((arg = va_arg (ap, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char * const *) argv->pdata,
                            G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  if (g_subprocess_get_exit_status (proc) != 0)
    g_error ("imu %s failed: %s", (const char *) argv->pdata[3], err);
  return out;
}

/* Two real device files of one subject (an AX3; an AX6 test file whose
 * acceleration averages 0.32 g over an epoch, which the profiler reads as
 * gravity removed: I_GRAVITY_REMOVED and no movement numbers, empty fields):
 * the page's CSV, newest first, is what `imu list --subject S
 * --with-profile --csv` prints (the CLI's own writer, in another process,
 * reading the profiles the page stored). */
static void
test_subject_real_cli (void)
{
  g_autofree char *ax3 = imu_test_real_file ("cwa/ggirread/ax3_testfile.cwa");
  g_autofree char *ax6 = NULL;
  g_autofree char *path = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *cli = NULL;
  ImuWindow *window;
  ImuSubjectPage *page;
  GListModel *columns;

  if (ax3 == NULL)
    return;
  ax6 = imu_test_real_file ("cwa/ggirread/ax6_testfile.cwa");
  if (ax6 == NULL)
    return;
  path = imu_test_library_path ();
  g_free (run_cli (path, "import", "--subject", "Coach's pick", ax3, NULL));
  g_free (run_cli (path, "import", "--subject", "coach's pick", ax6, NULL));

  window = gui_test_open_window (path);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-subject", "s", "Coach's pick");
  page = find_page (window);
  wait_profiled (page);
  g_assert_cmpuint (g_list_model_get_n_items (imu_subject_page_get_rows (page)), ==, 2);
  columns = gtk_column_view_get_columns (imu_subject_page_get_column_view (page));
  {
    g_autoptr(GtkColumnViewColumn) date = g_list_model_get_item (columns, IMU_SUBJECT_COLUMN_DATE);

    gtk_column_view_sort_by_column (imu_subject_page_get_column_view (page), date, GTK_SORT_DESCENDING);
  }
  gui_test_iterate_ms (50);
  csv = imu_subject_page_dup_csv (page);
  g_test_message ("%s", csv);
  cli = run_cli (path, "list", "--subject", "COACH'S PICK", "--with-profile", "--csv", NULL);
  g_assert_cmpstr (csv, ==, cli);
  /* The AX6's row has no numbers but its findings. */
  assert_cell (page, 0, IMU_SUBJECT_COLUMN_ENMO, "—");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "subject-page-real"));
  gui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/subject/page", test_subject_page);
  g_test_add_func ("/gui/subject/cancel", test_subject_cancel);
  g_test_add_func ("/gui/subject/entry-points", test_subject_entry_points);
  g_test_add_func ("/gui/subject/none", test_subject_none);
  g_test_add_func ("/gui/subject/real-cli", test_subject_real_cli);

  return g_test_run ();
}
