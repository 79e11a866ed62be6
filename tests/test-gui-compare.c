/* test-gui-compare.c — the comparison view: two sessions, aligned, saved, reopened
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Session A is a generated 3-minute recording at 100 Hz. Session B is made
 * here from A's CSV text: every second row (50 Hz), each time plus
 * D = 7.25 s, uniform noise of ±0.01 g on the acceleration. The offset that
 * puts B on A's clock is therefore −D: by start exactly (B's first row is
 * A's first plus D), automatically within one sample period of A (10 ms).
 * Over any range the acceleration of the two correlates near 1.
 */
#define G_LOG_DOMAIN "test-gui-compare"

#include <math.h>
#include <string.h>

#include "imu-compare-view.h"
#include "imu-core.h"
#include "imu-plot-private.h"
#include "imu-test-util.h"
#include "test-gui-util.h"

#define S G_GINT64_CONSTANT (1000000000)
#define D_NS G_GINT64_CONSTANT (7250000000)

static char *
shifted_copy (const char *a_path, const char *dir)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  GString *b;
  char *path = g_build_filename (dir, "b.csv", NULL);
  g_autoptr(GError) error = NULL;

  g_file_get_contents (a_path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  b = g_string_new (lines[0]);
  g_string_append_c (b, '\n');
  for (guint i = 1; lines[i] != NULL && *lines[i] != '\0'; i += 2)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], ",", -1);

      g_assert_cmpuint (g_strv_length (f), ==, 7);
      g_string_append_printf (b, "%.6f", g_ascii_strtod (f[0], NULL) + 7.25);
      for (guint k = 1; k <= 3; k++)
        g_string_append_printf (b, ",%.5f", g_ascii_strtod (f[k], NULL) + g_rand_double_range (rand, -0.01, 0.01));
      for (guint k = 4; k <= 6; k++)
        g_string_append_printf (b, ",%s", f[k]);
      g_string_append_c (b, '\n');
    }
  g_file_set_contents (path, b->str, (gssize) b->len, &error);
  g_assert_no_error (error);
  g_string_free (b, TRUE);
  return path;
}

static gint64
import (ImuStore *store, const char *path, const char *title)
{
  ImuImportOptions options = { .title = title };
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = imu_import_path (store, path, &options, NULL, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return result->session_id;
}

static ImuCompareView *
find_view (ImuWindow *window)
{
  g_autoptr(GPtrArray) views = gui_test_find_all (GTK_WIDGET (window), IMU_TYPE_COMPARE_VIEW);

  g_assert_cmpuint (views->len, ==, 1);
  return g_ptr_array_index (views, 0);
}

static gboolean
view_ready (ImuCompareView *view)
{
  return !imu_compare_view_is_busy (view)
         && imu_plot_compare_is_idle (IMU_PLOT (imu_compare_view_get_plot (view)));
}

static void
open_pair (ImuWindow *window, gint64 a, gint64 b)
{
  gint64 ids[2] = { a, b };

  g_action_group_activate_action (G_ACTION_GROUP (window), "compare-sessions",
                                  g_variant_new_fixed_array (G_VARIANT_TYPE_INT64, ids, 2, sizeof (gint64)));
}

static guint
count_rows (AdwMessageDialog *dialog)
{
  g_autoptr(GPtrArray) rows = gui_test_find_all (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW);

  return rows->len;
}

static void
test_compare_view (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *a_path = gui_test_write_generated_csv (dir, "a.csv", 4, 100.0, 180.0);
  g_autofree char *b_path = shifted_copy (a_path, dir);
  g_autofree char *shot = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library, &error);
  g_autoptr(GPtrArray) dropdowns = NULL;
  const ImuComparison *diff;
  ImuCompareView *view;
  ImuWindow *window;
  ImuPlot *plot;
  gint64 a, b, found, t0, t1;
  gint64 saved_id;

  g_assert_no_error (error);
  a = import (store, a_path, "Chest");
  b = import (store, b_path, "Wrist");
  g_clear_object (&store);

  window = gui_test_open_window (library);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 950);
  g_assert_true (imu_window_select_session (window, a));
  gui_test_iterate_ms (100);
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "compare-with"));

  /* As a person does: Compare With… on the selected session, the other ticked. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "compare-with", NULL);
  {
    g_autoptr(GList) toplevels = NULL;
    AdwMessageDialog *dialog = NULL;
    g_autoptr(GPtrArray) checks = NULL;

    gui_test_iterate_ms (100);
    toplevels = gtk_window_list_toplevels ();
    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_MESSAGE_DIALOG (l->data)
          && g_strcmp0 (adw_message_dialog_get_heading (l->data), "Compare With") == 0)
        dialog = l->data;
    g_assert_nonnull (dialog);
    checks = gui_test_find_all (GTK_WIDGET (dialog), GTK_TYPE_CHECK_BUTTON);
    /* Every session but the selected one. */
    g_assert_cmpuint (checks->len, ==, 1);
    g_assert_cmpstr (gtk_check_button_get_label (g_ptr_array_index (checks, 0)), ==, "Wrist");
    g_assert_false (adw_message_dialog_get_response_enabled (dialog, "compare"));
    gtk_check_button_set_active (g_ptr_array_index (checks, 0), TRUE);
    g_assert_true (adw_message_dialog_get_response_enabled (dialog, "compare"));
    /* The dialog closes itself after its response. */
    adw_message_dialog_response (dialog, "compare");
    gui_test_iterate_ms (50);
  }
  view = find_view (window);
  plot = IMU_PLOT (imu_compare_view_get_plot (view));
  gui_test_wait_for (imu_compare_view_get_n_sessions (view) == 2 && view_ready (view), 20000, "the comparison");
  /* By start: exactly −D. */
  g_assert_cmpint (imu_compare_view_get_offset (view, 0), ==, 0);
  g_assert_cmpint (imu_compare_view_get_offset (view, 1), ==, -D_NS);

  /* Automatically: within one sample period of A. */
  dropdowns = gui_test_find_all (GTK_WIDGET (view), GTK_TYPE_DROP_DOWN);
  g_assert_cmpuint (dropdowns->len, >=, 1);
  gtk_drop_down_set_selected (g_ptr_array_index (dropdowns, 0), 2);
  gui_test_wait_for (view_ready (view), 30000, "the automatic alignment");
  found = imu_compare_view_get_offset (view, 1);
  g_test_message ("offset found %" G_GINT64_FORMAT " ns, expected %" G_GINT64_FORMAT, found, -D_NS);
  g_assert_cmpint (llabs (found + D_NS), <, 10000000);
  /* And shown so, in seconds. */
  {
    g_autoptr(GPtrArray) spins = gui_test_find_all (GTK_WIDGET (view), GTK_TYPE_SPIN_BUTTON);

    g_assert_cmpuint (spins->len, ==, 1);
    g_assert_cmpfloat (fabs (gtk_spin_button_get_value (g_ptr_array_index (spins, 0)) - (double) found / 1e9), <, 1e-9);
    g_assert_cmpfloat (fabs (gtk_spin_button_get_value (g_ptr_array_index (spins, 0)) + 7.25), <, 0.010);
  }
  {
    g_autofree char *text = gui_test_collect_text (GTK_WIDGET (view));

    g_assert_nonnull (strstr (text, "found, correlation"));
  }

  /* A selection: per channel each session's mean and the differences. */
  imu_plot_get_visible_range (plot, &t0, &t1);
  imu_plot_set_selection (plot, t0 + 20 * S, t0 + 120 * S);
  gui_test_wait_for (view_ready (view) && imu_compare_view_get_selection_result (view) != NULL, 20000,
                     "the selection's differences");
  diff = imu_compare_view_get_selection_result (view);
  g_assert_cmpuint (diff->n_channels, ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      g_test_message ("%s: r = %.4f, RMS = %.5f", diff->channels[k].name, diff->channels[k].correlation[1],
                      diff->channels[k].rms[1]);
      g_assert_cmpfloat (diff->channels[k].correlation[1], >, 0.95);
      /* The noise: 0.01/√3 = 0.0058 g, and a little from interpolation. */
      g_assert_cmpfloat (diff->channels[k].rms[1], <, 0.01);
    }
  g_assert_cmpint (diff->t0_ns, >=, t0 + 20 * S);
  g_assert_cmpint (diff->t1_ns, <=, t0 + 120 * S);
  {
    g_autofree char *text = gui_test_collect_text (GTK_WIDGET (view));

    g_assert_nonnull (strstr (text, "Correlation “Wrist”"));
  }
  gui_test_iterate_ms (300);
  shot = gui_test_screenshot (GTK_WIDGET (window), "compare-aligned");
  g_test_message ("screenshot: %s", shot);

  /* The keyboard's nudge: one sample period of B (20 ms) each way. */
  gtk_widget_activate_action (GTK_WIDGET (view), "compare.nudge", "i", 1);
  g_assert_cmpint (imu_compare_view_get_offset (view, 1), ==, found + 20000000);
  gtk_widget_activate_action (GTK_WIDGET (view), "compare.nudge", "i", -1);
  g_assert_cmpint (imu_compare_view_get_offset (view, 1), ==, found);

  /* Saved, then reopened: the same offset to the nanosecond. */
  gui_test_wait_for (view_ready (view), 20000, "the view");
  gtk_widget_activate_action (GTK_WIDGET (view), "compare.save-as", "s", "Chest and wrist");
  gui_test_wait_for (imu_compare_view_get_saved_id (view) > 0 && view_ready (view), 20000, "the save");
  saved_id = imu_compare_view_get_saved_id (view);

  open_pair (window, a, b);
  gui_test_wait_for (imu_compare_view_get_saved_id (view) == 0 && view_ready (view), 20000, "a new comparison");
  g_assert_cmpint (imu_compare_view_get_offset (view, 1), ==, -D_NS);
  /* Reopened from the main menu's Saved Comparisons… */
  g_action_group_activate_action (G_ACTION_GROUP (window), "comparisons", NULL);
  {
    g_autoptr(GList) toplevels = NULL;
    g_autoptr(GPtrArray) rows = NULL;
    g_autoptr(GPtrArray) buttons = NULL;
    AdwMessageDialog *dialog = NULL;

    gui_test_iterate_ms (50);
    toplevels = gtk_window_list_toplevels ();
    for (GList *l = toplevels; l != NULL; l = l->next)
      if (ADW_IS_MESSAGE_DIALOG (l->data)
          && g_strcmp0 (adw_message_dialog_get_heading (l->data), "Saved Comparisons") == 0)
        dialog = l->data;
    g_assert_nonnull (dialog);
    gui_test_wait_for (count_rows (dialog) == 1, 10000, "the saved comparisons");
    rows = gui_test_find_all (GTK_WIDGET (dialog), ADW_TYPE_ACTION_ROW);
    g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (rows, 0)), ==, "Chest and wrist");
    g_assert_cmpstr (adw_action_row_get_subtitle (g_ptr_array_index (rows, 0)), ==, "Chest vs Wrist");
    buttons = gui_test_find_all (GTK_WIDGET (g_ptr_array_index (rows, 0)), GTK_TYPE_BUTTON);
    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_button_get_label (g_ptr_array_index (buttons, i)), "_Open") == 0)
        {
          /* The dialog closes: its rows go. */
          g_signal_emit_by_name (g_ptr_array_index (buttons, i), "clicked");
          break;
        }
  }
  gui_test_wait_for (imu_compare_view_get_saved_id (view) == saved_id && view_ready (view), 20000,
                     "the saved comparison");
  g_assert_cmpint (imu_compare_view_get_offset (view, 1), ==, found);
  {
    g_autofree char *text = gui_test_collect_text (GTK_WIDGET (view));

    g_assert_nonnull (strstr (text, "Chest and wrist"));
  }

  /* In the library, as the CLI sees it. */
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GPtrArray) list = imu_comparison_store_list (store, &error);
    const ImuSavedComparison *c;

    g_assert_no_error (error);
    g_assert_cmpuint (list->len, ==, 1);
    c = g_ptr_array_index (list, 0);
    g_assert_cmpstr (c->title, ==, "Chest and wrist");
    /* Nudged (and back) by hand before saving. */
    g_assert_cmpstr (c->align, ==, "manual");
    g_assert_cmpint (c->members[1].offset_ns, ==, found);
  }
  g_clear_object (&store);
  gui_test_iterate_ms (300);
  g_free (shot);
  shot = gui_test_screenshot (GTK_WIDGET (window), "compare-reopened");
  g_test_message ("screenshot: %s", shot);

  /* Closing returns to the session. */
  gtk_widget_activate_action (GTK_WIDGET (view), "compare.close", NULL);
  gui_test_iterate_ms (50);
  {
    GtkStack *stack = GTK_STACK (gtk_widget_get_parent (GTK_WIDGET (view)));

    g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "session");
  }
  /* GtkEditableLabel (the session's title) stops editing 100 ms after it
   * lost the focus, with a timeout that does not hold its controller
   * (GTK 4.8): let it run before the window goes. */
  gui_test_iterate_ms (300);
  gui_test_close_window (window);
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/compare/view", test_compare_view);

  return g_test_run ();
}
