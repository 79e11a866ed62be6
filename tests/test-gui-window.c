/* test-gui-window.c — the main window on real libraries: list, session view,
 * edits, events, empty state, search, sort, delete and undo, preferences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test-gui"

#include <stdarg.h>
#include <string.h>

#include <glib/gi18n.h>

#include "imu-event-file.h"
#include "imu-generator.h"
#include "imu-import.h"
#include "imu-preferences-window.h"
#include "imu-session-row.h"
#include "imu-store-ops.h"
#include "imu-test-util.h"
#include "imu-window-private.h"
#include "test-gui-util.h"
#include "imu-plot-private.h"

#define NS G_GINT64_CONSTANT (1000000000)
/* 2024-05-01 08:00:00 UTC */
#define MAY_1 (G_GINT64_CONSTANT (1714550400) * NS)

static gint64
count_in_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  gint64 n;

  g_assert_no_error (error);
  n = imu_store_count_sessions (store, &error);
  g_assert_no_error (error);
  return n;
}

static gboolean
in_file (const char *path,
         gint64      id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) session = NULL;

  g_assert_no_error (error);
  session = imu_store_load_session (store, id, &error);
  if (session == NULL)
    g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  /* A session in the trash is no longer in the library's list. */
  return session != NULL && imu_store_resolve_trashed (store, imu_session_get_uuid (session), NULL) == 0;
}

/* Whether session @id of the library at @path is in its trash. */
static gboolean
in_trash (const char *path,
          gint64      id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  g_assert_no_error (error);
  return imu_store_resolve_trashed (store, text, NULL) == id;
}

static ImuSession *
load_from_file (const char *path,
                gint64      id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  ImuSession *session;

  g_assert_no_error (error);
  session = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  return session;
}

static gint64
make_demo (ImuStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 id = imu_generator_create_demo_session (store, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static gint64
import_generated (ImuStore   *store,
                  const char *dir,
                  const char *name,
                  guint64     seed)
{
  g_autofree char *csv = gui_test_write_generated_csv (dir, name, seed, 50, 90);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = imu_import_path (store, csv, NULL, NULL, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return result->session_id;
}

static void
wait_loaded (ImuWindow *window)
{
  ImuSessionView *view = imu_window_get_session_view (window);

  gui_test_wait_for (imu_session_view_get_session (view) != NULL && !imu_session_view_get_loading (view),
                     20000, "the session to load");
}

static void
wait_plot (ImuWindow *window)
{
  ImuPlot *plot = imu_session_view_get_plot (imu_window_get_session_view (window));
  gboolean loading = TRUE;

  gui_test_wait_for ((g_object_get (plot, "loading", &loading, NULL), !loading), 20000, "the plot to read its data");
  gui_test_iterate_ms (200);
}

static const char *
row_title (GtkWidget *row)
{
  g_autoptr(GPtrArray) labels = gui_test_find_all (row, GTK_TYPE_LABEL);

  /* The first label of a row is its title (see ui/imu-session-row.ui). */
  return gtk_label_get_text (g_ptr_array_index (labels, 0));
}

/* The row on screen that shows session @id, or NULL. */
static GtkWidget *
visible_row_of (ImuWindow *window,
                gint64     id)
{
  g_autoptr(GPtrArray) rows = gui_test_visible_rows (window);

  for (guint i = 0; i < rows->len; i++)
    if (imu_session_get_id (imu_session_row_get_session (g_ptr_array_index (rows, i))) == id)
      return g_ptr_array_index (rows, i);
  return NULL;
}

/* The list shows every session of the file, newest first, with badges. */
static void
test_list (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "library.db", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) rows = NULL;
  ImuWindow *window;
  GListModel *visible;
  gint64 demo_id;
  gboolean demo_row_seen = FALSE;
  GtkWidget *demo_row = NULL;

  g_assert_no_error (error);
  /* 22 sessions on 22 days from 1 May 2024 (newer than the others), the
   * demo (12 March 2024) and two imported files (12 March, 18:30 and 19:30). */
  for (guint i = 0; i < 22; i++)
    {
      g_autofree char *title = g_strdup_printf ("Session %02u", i + 1);
      gui_test_add_session (store, title, "Alex", NULL, MAY_1 + (gint64) i * 86400 * NS, 600 * NS);
    }
  demo_id = make_demo (store);
  import_generated (store, dir, "walk-a.csv", 1);
  import_generated (store, dir, "walk-b.csv", 2);

  window = gui_test_open_window (path);
  g_assert_cmpstr (imu_window_get_state (window), ==, "library");
  visible = imu_window_get_visible_sessions (window);
  gui_test_wait_for (g_list_model_get_n_items (visible) == 25, 5000, "25 listed sessions");

  /* Newest first: Session 22 (21 May) on top, Session 21 next. */
  gui_test_iterate_ms (200);
  rows = gui_test_visible_rows (window);
  g_assert_cmpuint (rows->len, >=, 5);
  g_assert_cmpstr (row_title (g_ptr_array_index (rows, 0)), ==, "Session 22");
  g_assert_cmpstr (row_title (g_ptr_array_index (rows, 1)), ==, "Session 21");
  for (guint i = 0; i < rows->len; i++)
    {
      g_autoptr(ImuSession) item = g_list_model_get_item (visible, i);
      g_assert_cmpstr (row_title (g_ptr_array_index (rows, i)), ==, imu_session_get_title (item));
    }

  /* Scrolled to the end, the demo row shows accelerometer, gyroscope and
   * magnetometer badges (its three streams). */
  g_assert_true (imu_window_select_session (window, demo_id));
  gui_test_wait_for ((demo_row = visible_row_of (window, demo_id)) != NULL, 10000, "the demo row on screen");
  {
    g_autoptr(GPtrArray) badges = gui_test_find_all (demo_row, GTK_TYPE_LABEL);
    guint shown = 0;

    for (guint b = 0; b < badges->len; b++)
      if (gtk_widget_has_css_class (g_ptr_array_index (badges, b), "badge")
          && gtk_widget_get_visible (g_ptr_array_index (badges, b)))
        shown++;
    g_assert_cmpuint (shown, ==, 3);
    demo_row_seen = TRUE;
  }
  g_assert_true (demo_row_seen);

  gui_test_close_window (window);
}

/* Selecting the demo shows its header, events and details. */
static void
test_select (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *details = NULL;
  g_autofree char *header = NULL;
  ImuWindow *window;
  ImuSessionView *view;
  gint64 demo_id;

  g_assert_no_error (error);
  gui_test_add_session (store, "Older session", "Alex", NULL, MAY_1 - 365 * 86400 * NS, 60 * NS);
  demo_id = make_demo (store);
  events = imu_store_list_events (store, demo_id, &error);
  g_assert_no_error (error);

  window = gui_test_open_window (path);
  view = imu_window_get_session_view (window);
  g_assert_true (imu_window_select_session (window, demo_id));
  wait_loaded (window);
  g_assert_cmpint (imu_session_view_get_session_id (view), ==, demo_id);

  /* The header says the duration as m:ss, from the stored start and end,
   * rounded to the nearest second (docs/window.md). */
  {
    g_autoptr(ImuSession) stored = load_from_file (path, demo_id);
    gint64 s = (imu_session_get_end_ns (stored) - imu_session_get_start_ns (stored) + NS / 2) / NS;
    g_autofree char *duration = g_strdup_printf ("%d:%02d", (int) (s / 60), (int) (s % 60));

    header = gui_test_collect_text (GTK_WIDGET (view));
    g_assert_nonnull (strstr (header, duration));
    g_assert_nonnull (strstr (header, "Interval training"));
  }
  g_assert_cmpuint (imu_events_page_get_n_events (imu_session_view_get_events_page (view)), ==, events->len);
  g_assert_cmpstr (imu_events_page_get_event (imu_session_view_get_events_page (view), 0)->label, ==,
                   ((ImuEvent *) g_ptr_array_index (events, 0))->label);

  details = imu_details_page_dup_text (imu_session_view_get_details_page (view));
  g_test_message ("%s", details);
  g_assert_nonnull (strstr (details, "Vendor: IMU Studio"));
  g_assert_nonnull (strstr (details, "Serial number: DEMO-0001"));
  g_assert_nonnull (strstr (details, "Time zone: UTC+01:00"));
  g_assert_nonnull (strstr (details, "Nominal rate: 100 Hz"));

  wait_plot (window);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "session"));
  adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "events");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "events"));
  adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "details");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "details"));

  gui_test_close_window (window);
}

static void
count_saved (ImuSessionView *view,
             guint          *n)
{
  (*n)++;
}

/* Editing the header writes the library file; the list row follows. */
static void
test_edit (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) stored = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  const char * const tags[] = { "tempo", "track", NULL };
  ImuSessionView *view;
  ImuWindow *window;
  gint64 id;
  guint saved = 0;

  g_assert_no_error (error);
  id = gui_test_add_session (store, "Morning run", "Alex", NULL, MAY_1, 1800 * NS);
  g_clear_object (&store);

  window = gui_test_open_window (path);
  view = imu_window_get_session_view (window);
  g_signal_connect (view, "saved", G_CALLBACK (count_saved), &saved);
  g_assert_true (imu_window_select_session (window, id));
  wait_loaded (window);

  imu_session_view_edit_field (view, "title", "  Tempo run, 6 × 800 m  ");
  gui_test_wait_for (saved == 1, 10000, "the title to be saved");
  imu_session_view_edit_field (view, "subject", "Zoë Ådne");
  gui_test_wait_for (saved == 2, 10000, "the subject to be saved");
  imu_session_view_edit_field (view, "activity", "Running");
  gui_test_wait_for (saved == 3, 10000, "the activity to be saved");
  imu_session_view_edit_field (view, "tags", "tempo, , track ,");
  gui_test_wait_for (saved == 4, 10000, "the tags to be saved");
  imu_session_view_edit_field (view, "notes", "Windy on the back straight.");
  gui_test_wait_for (saved == 5, 10000, "the notes to be saved");
  /* An emptied title is refused: the old one stays and nothing is saved. */
  imu_session_view_edit_field (view, "title", "   ");
  gui_test_iterate_ms (300);
  g_assert_cmpuint (saved, ==, 5);

  /* A new connection reads what the window wrote. */
  stored = load_from_file (path, id);
  g_assert_cmpstr (imu_session_get_title (stored), ==, "Tempo run, 6 × 800 m");
  g_assert_cmpstr (imu_session_get_subject (stored), ==, "Zoë Ådne");
  g_assert_cmpstr (imu_session_get_activity (stored), ==, "Running");
  g_assert_cmpstr (imu_session_get_notes (stored), ==, "Windy on the back straight.");
  g_assert_true (g_strv_equal ((const char * const *) imu_session_get_tags (stored), tags));

  /* The list row shows the new title and subject. */
  rows = gui_test_visible_rows (window);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (row_title (g_ptr_array_index (rows, 0)), ==, "Tempo run, 6 × 800 m");
  {
    g_autofree char *text = gui_test_collect_text (g_ptr_array_index (rows, 0));
    g_assert_nonnull (strstr (text, "Zoë Ådne · Running"));
  }

  gui_test_close_window (window);
}

/* Events: listed by time; rename, delete, add and activate reach the file
 * and the plot. */
static void
test_events (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) before = NULL;
  g_autoptr(GPtrArray) after = NULL;
  ImuSessionView *view;
  ImuEventsPage *page;
  ImuWindow *window;
  gint64 id, t0 = 0, t1 = 0, renamed_id, deleted_id, target_t;
  guint n;

  g_assert_no_error (error);
  id = make_demo (store);
  before = imu_store_list_events (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (before->len, >=, 3);
  g_clear_object (&store);

  window = gui_test_open_window (path);
  view = imu_window_get_session_view (window);
  page = imu_session_view_get_events_page (view);
  g_assert_true (imu_window_select_session (window, id));
  wait_loaded (window);
  wait_plot (window);
  n = imu_events_page_get_n_events (page);
  g_assert_cmpuint (n, ==, before->len);

  renamed_id = imu_events_page_get_event (page, 1)->id;
  imu_events_page_rename_event (page, 1, "Second interval, felt strong");
  deleted_id = imu_events_page_get_event (page, 0)->id;
  imu_events_page_delete_event (page, 0);
  g_assert_cmpuint (imu_events_page_get_n_events (page), ==, n - 1);
  gtk_widget_activate_action (GTK_WIDGET (view), "session.add-marker", NULL);
  gui_test_wait_for (imu_events_page_get_n_events (page) == n, 10000, "the new marker to be listed");

  /* Activating the last event shows the plot around it. */
  target_t = imu_events_page_get_event (page, n - 1)->t_ns;
  adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "events");
  imu_events_page_activate_event (page, n - 1);
  g_assert_cmpstr (adw_view_stack_get_visible_child_name (imu_session_view_get_stack (view)), ==, "signals");
  gui_test_iterate_ms (200);
  imu_plot_get_visible_range (imu_session_view_get_plot (view), &t0, &t1);
  g_assert_cmpint (t0, <=, target_t);
  g_assert_cmpint (t1, >=, target_t);

  gui_test_close_window (window);

  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  after = imu_store_list_events (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (after->len, ==, before->len);
  for (guint i = 0; i < after->len; i++)
    {
      ImuEvent *e = g_ptr_array_index (after, i);

      g_assert_cmpint (e->id, !=, deleted_id);
      if (e->id == renamed_id)
        g_assert_cmpstr (e->label, ==, "Second interval, felt strong");
    }
  {
    /* The added marker is new and is called "Marker N". */
    gboolean found = FALSE;

    for (guint i = 0; i < after->len; i++)
      found |= g_str_has_prefix (((ImuEvent *) g_ptr_array_index (after, i))->label, "Marker ");
    g_assert_true (found);
  }
}

/* An empty library shows the empty state; its demo button makes the demo
 * session in the library and opens it. */
static void
test_empty_and_demo (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  ImuWindow *window;
  gint64 demo_id;

  window = gui_test_open_window (path);
  g_assert_cmpstr (imu_window_get_state (window), ==, "empty");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "empty"));

  g_action_group_activate_action (G_ACTION_GROUP (window), "open-demo", NULL);
  gui_test_wait_for (g_str_equal (imu_window_get_state (window), "library"), 30000, "the demo session");
  wait_loaded (window);

  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  demo_id = imu_generator_find_demo_session (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (demo_id, >, 0);
  g_assert_cmpint (imu_session_view_get_session_id (imu_window_get_session_view (window)), ==, demo_id);
  g_assert_cmpuint (g_list_model_get_n_items (imu_window_get_visible_sessions (window)), ==, 1);

  gui_test_close_window (window);
}

static GPtrArray *
visible_titles (ImuWindow *window)
{
  GListModel *model = imu_window_get_visible_sessions (window);
  GPtrArray *titles = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ImuSession) s = g_list_model_get_item (model, i);
      g_ptr_array_add (titles, g_strdup (imu_session_get_title (s)));
    }
  return titles;
}

static void
search (ImuWindow  *window,
        const char *text)
{
  gtk_editable_set_text (imu_window_get_search_entry (window), text);
  /* GtkSearchEntry waits a moment before it says the text changed, and the
   * filter works in slices. */
  gui_test_iterate_ms (400);
  gui_test_wait_for (gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (imu_window_get_visible_sessions (window))) == 0,
                     5000, "the filter to finish");
}

static gboolean
titles_are (ImuWindow          *window,
            const char * const *expected)
{
  g_autoptr(GPtrArray) titles = visible_titles (window);

  if (titles->len != g_strv_length ((char **) expected))
    return FALSE;
  for (guint i = 0; i < titles->len; i++)
    if (g_strcmp0 (g_ptr_array_index (titles, i), expected[i]) != 0)
      return FALSE;
  return TRUE;
}

/* Sorting and filtering run in slices: the order settles within a few frames. */
static void
assert_titles (ImuWindow          *window,
               const char * const *expected)
{
  g_autoptr(GPtrArray) titles = NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while (!titles_are (window, expected) && g_get_monotonic_time () < deadline)
    gui_test_iterate_ms (10);
  titles = visible_titles (window);
  g_assert_cmpuint (titles->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < titles->len; i++)
    g_assert_cmpstr (g_ptr_array_index (titles, i), ==, expected[i]);
}

/* Search finds text in title, subject, tags and notes whatever its case;
 * the sort dropdown orders by date, title and duration. */
static void
test_search_sort (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  const char * const hill_tags[] = { "Hills", "threshold", NULL };
  const char * const swim_tags[] = { "pool", NULL };
  ImuWindow *window;
  gint64 id;

  g_assert_no_error (error);
  /* title, subject, tags, start (days after 1 May), duration (minutes) */
  gui_test_add_session (store, "Run with Zoë", "Sam", NULL, MAY_1 + 1 * 86400 * NS, 40 * 60 * NS);
  gui_test_add_session (store, "Gait lab", "ÄRZTE team", NULL, MAY_1 + 2 * 86400 * NS, 5 * 60 * NS);
  gui_test_add_session (store, "Bike", "Sam", hill_tags, MAY_1 + 3 * 86400 * NS, 90 * 60 * NS);
  gui_test_add_session (store, "apnea", "Kim", swim_tags, MAY_1 + 4 * 86400 * NS, 2 * 60 * NS);
  id = gui_test_add_session (store, "Easy jog", "Kim", NULL, MAY_1 + 5 * 86400 * NS, 25 * 60 * NS);
  {
    g_autoptr(ImuSession) s = imu_store_load_session (store, id, &error);
    g_assert_no_error (error);
    imu_session_set_notes (s, "Felt a twinge in the left KNEE.");
    imu_store_update_session (store, s, &error);
    g_assert_no_error (error);
  }
  g_clear_object (&store);

  window = gui_test_open_window (path);
  assert_titles (window, (const char * const[]) { "Easy jog", "apnea", "Bike", "Gait lab", "Run with Zoë", NULL });

  search (window, "ZOË");
  assert_titles (window, (const char * const[]) { "Run with Zoë", NULL });
  search (window, "ärzte");
  assert_titles (window, (const char * const[]) { "Gait lab", NULL });
  search (window, "hills");
  assert_titles (window, (const char * const[]) { "Bike", NULL });
  search (window, "knee");
  assert_titles (window, (const char * const[]) { "Easy jog", NULL });
  search (window, "sam");
  assert_titles (window, (const char * const[]) { "Bike", "Run with Zoë", NULL });
  search (window, "no such thing");
  assert_titles (window, (const char * const[]) { NULL });
  g_free (gui_test_screenshot (GTK_WIDGET (window), "no-results"));
  search (window, "");

  /* Oldest first, by title (collated: case does not come first), longest first. */
  gtk_drop_down_set_selected (imu_window_get_sort_dropdown (window), 1);
  gui_test_iterate_ms (100);
  assert_titles (window, (const char * const[]) { "Run with Zoë", "Gait lab", "Bike", "apnea", "Easy jog", NULL });
  gtk_drop_down_set_selected (imu_window_get_sort_dropdown (window), 2);
  gui_test_iterate_ms (100);
  assert_titles (window, (const char * const[]) { "apnea", "Bike", "Easy jog", "Gait lab", "Run with Zoë", NULL });
  gtk_drop_down_set_selected (imu_window_get_sort_dropdown (window), 3);
  gui_test_iterate_ms (100);
  assert_titles (window, (const char * const[]) { "Bike", "Run with Zoë", "Easy jog", "Gait lab", "apnea", NULL });
  gtk_drop_down_set_selected (imu_window_get_sort_dropdown (window), 0);

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

/* What GTK's file chooser does to each file of a folder it lists: GIO
 * sniffs the content type (opens, reads, closes). */
static void
list_folder_as_file_chooser (const char *dir)
{
  g_autoptr(GFile) folder = g_file_new_for_path (dir);
  g_autoptr(GFileEnumerator) files = NULL;
  g_autoptr(GError) error = NULL;
  GFileInfo *info;
  guint n = 0;

  files = g_file_enumerate_children (folder, G_FILE_ATTRIBUTE_STANDARD_NAME "," G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                                     G_FILE_QUERY_INFO_NONE, NULL, &error);
  g_assert_no_error (error);
  while ((info = g_file_enumerator_next_file (files, NULL, &error)) != NULL)
    {
      n++;
      g_object_unref (info);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n, >=, 1);
}

/* The outside reviewer's data loss: with the window open, a file dialog
 * lists the library's folder, `imu list` runs, then a marker is added in
 * the window. The marker must be in the file, for other processes now and
 * after the window quits. */
static void
test_edit_beside_cli (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autofree char *id_text = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *shown = NULL;
  g_autoptr(GPtrArray) events = NULL;
  ImuSessionView *view;
  ImuEventsPage *page;
  ImuWindow *window;
  gint64 id;
  guint n;

  g_assert_no_error (error);
  id = make_demo (store);
  g_clear_object (&store);
  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

  window = gui_test_open_window (path);
  view = imu_window_get_session_view (window);
  page = imu_session_view_get_events_page (view);
  g_assert_true (imu_window_select_session (window, id));
  wait_loaded (window);
  n = imu_events_page_get_n_events (page);

  list_folder_as_file_chooser (dir);
  listed = run_cli (path, "list", NULL);
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  gtk_widget_activate_action (GTK_WIDGET (view), "session.add-marker", NULL);
  gui_test_wait_for (imu_events_page_get_n_events (page) == n + 1, 10000, "the new marker to be listed");
  gui_test_iterate_ms (300);

  /* Another process sees it while the window is open… */
  shown = run_cli (path, "show", "--json", id_text, NULL);
  {
    g_autofree char *expect = g_strdup_printf ("\"events\" : %u,", n + 1);

    g_assert_nonnull (strstr (shown, expect));
  }
  gui_test_close_window (window);

  /* …and it is in the file after the window has gone. */
  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  events = imu_store_list_events (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, n + 1);
}

/* Sessions that another process adds or deletes appear in and leave the
 * open window's list, without a restart; the selected session stays
 * selected. */
static void
test_follows_other_processes (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *csv = gui_test_write_generated_csv (dir, "walk.csv", 7, 50, 30);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autofree char *a_text = NULL;
  g_autofree char *out = NULL;
  GListModel *visible;
  ImuWindow *window;
  gint64 a, b;

  g_assert_no_error (error);
  a = gui_test_add_session (store, "Old run", "", NULL, MAY_1 + 1 * 86400 * NS, 60 * NS);
  b = gui_test_add_session (store, "Track day", "", NULL, MAY_1 + 2 * 86400 * NS, 60 * NS);
  a_text = g_strdup_printf ("%" G_GINT64_FORMAT, a);

  window = gui_test_open_window (path);
  visible = imu_window_get_visible_sessions (window);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  g_assert_true (imu_window_select_session (window, b));

  out = run_cli (path, "import", csv, NULL);
  gui_test_wait_for (g_list_model_get_n_items (visible) == 3, 10000, "the session imported by imu");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "follows-import"));

  g_free (run_cli (path, "delete", a_text, NULL));
  gui_test_wait_for (g_list_model_get_n_items (visible) == 2, 10000, "the session deleted by imu to leave");
  g_assert_cmpint (imu_session_view_get_session_id (imu_window_get_session_view (window)), ==, b);

  /* A change made on another connection (here, this process's own store,
   * as a recorder or a second window would) shows in the row. */
  {
    g_autoptr(ImuSession) s = imu_store_load_session (store, b, &error);

    g_assert_no_error (error);
    imu_session_set_title (s, "Track day (renamed elsewhere)");
    g_assert_true (imu_store_update_session (store, s, &error));
  }
  gui_test_wait_for (visible_row_of (window, b) != NULL
                     && g_str_equal (row_title (visible_row_of (window, b)), "Track day (renamed elsewhere)"),
                     10000, "the renamed row");
  /* The open session's header follows too. */
  {
    g_autofree char *text = NULL;

    gui_test_wait_for ((g_free (text), text = gui_test_collect_text (GTK_WIDGET (imu_window_get_session_view (window))),
                        strstr (text, "Track day (renamed elsewhere)") != NULL),
                       10000, "the renamed header");
  }
  g_free (gui_test_screenshot (GTK_WIDGET (window), "follows-delete-rename"));
  g_clear_object (&store);
  gui_test_close_window (window);
}

/* Renaming an event and then choosing another session (focus still in the
 * event's label) must not touch the rows that went away. GTK used to print
 * criticals here: the freed label's focus controller still fired. */
static void
test_event_edit_then_switch (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  ImuSessionView *view;
  ImuEventsPage *page;
  ImuWindow *window;
  g_autoptr(GPtrArray) buttons = NULL;
  GtkWidget *edit = NULL;
  gint64 a, b;

  g_assert_no_error (error);
  a = make_demo (store);
  b = gui_test_add_session (store, "Other", "", NULL, MAY_1, 60 * NS);
  g_clear_object (&store);

  window = gui_test_open_window (path);
  view = imu_window_get_session_view (window);
  page = imu_session_view_get_events_page (view);
  g_assert_true (imu_window_select_session (window, a));
  wait_loaded (window);
  adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "events");
  gui_test_iterate_ms (200);
  g_assert_cmpuint (imu_events_page_get_n_events (page), >, 0);

  /* The first row's rename button, as a click would press it. */
  buttons = gui_test_find_all (GTK_WIDGET (page), GTK_TYPE_BUTTON);
  for (guint i = 0; i < buttons->len && edit == NULL; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, i)), _("Rename")) == 0)
      edit = g_ptr_array_index (buttons, i);
  g_assert_nonnull (edit);
  g_signal_emit_by_name (edit, "clicked");
  gui_test_iterate_ms (200);

  /* Another session, while the label is being edited. */
  g_assert_true (imu_window_select_session (window, b));
  gui_test_iterate_ms (300);
  wait_loaded (window);
  g_assert_cmpint (imu_session_view_get_session_id (view), ==, b);
  g_assert_true (imu_window_select_session (window, a));
  wait_loaded (window);
  gui_test_iterate_ms (300);
  gui_test_close_window (window);
}

/* The event of @id as the file holds it now. */
static ImuEvent *
stored_event (const char *path,
              gint64      session_id,
              gint64      event_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(GPtrArray) events = NULL;

  g_assert_no_error (error);
  events = imu_store_list_events (store, session_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    if (((ImuEvent *) g_ptr_array_index (events, i))->id == event_id)
      return imu_event_copy (g_ptr_array_index (events, i));
  return NULL;
}

static gboolean
event_gone (const char *path,
            gint64      session_id,
            gint64      event_id)
{
  g_autoptr(ImuEvent) e = stored_event (path, session_id, event_id);

  return e == NULL;
}

static gint64
stored_updated_us (const char *path,
                   gint64      session_id)
{
  g_autoptr(ImuSession) session = load_from_file (path, session_id);

  return imu_session_get_updated_us (session);
}

static gboolean
event_stored_as (const char *path,
                 gint64      session_id,
                 gint64      event_id,
                 gint64      t_ns,
                 gint64      duration_ns,
                 const char *note)
{
  g_autoptr(ImuEvent) e = stored_event (path, session_id, event_id);
  g_autofree char *stored_note = e != NULL ? imu_event_dup_note (e) : NULL;

  return e != NULL && e->t_ns == t_ns && e->duration_ns == duration_ns && g_strcmp0 (stored_note, note) == 0;
}

/* The entry rows of the first event row's details popover, opened as a
 * click on its button does: time, duration, note. */
static GPtrArray *
open_event_details (ImuEventsPage *page,
                    GtkWidget    **popover)
{
  g_autoptr(GPtrArray) buttons = gui_test_find_all (GTK_WIDGET (page), GTK_TYPE_MENU_BUTTON);
  GtkMenuButton *details = NULL;

  for (guint i = 0; i < buttons->len && details == NULL; i++)
    if (g_strcmp0 (gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, i)),
                   _("Edit Time, Duration and Note")) == 0)
      details = g_ptr_array_index (buttons, i);
  g_assert_nonnull (details);
  gtk_menu_button_popup (details);
  gui_test_iterate_ms (200);
  *popover = GTK_WIDGET (gtk_menu_button_get_popover (details));
  g_assert_nonnull (*popover);
  g_assert_true (gtk_widget_get_visible (*popover));
  return gui_test_find_all (*popover, ADW_TYPE_ENTRY_ROW);
}

static void
apply_text (GtkWidget  *entry_row,
            const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry_row), text);
  g_signal_emit_by_name (entry_row, "apply");
  gui_test_iterate_ms (50);
}

/* An event's time, duration and note are edited in its row's popover and
 * reach the file exactly; the session counts as changed (sync sends it
 * again); text that is not a time is refused with a reason and changes
 * nothing. */
static void
test_event_time_duration_note (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuEvent) event = imu_event_new (MAY_1 + 10 * NS, "marker", "Sprint");
  g_autoptr(GPtrArray) rows = NULL;
  const char *tooltip;
  g_autofree char *text = NULL;
  ImuSessionView *view;
  ImuEventsPage *page;
  ImuWindow *window;
  GtkWidget *popover = NULL;
  gint64 id, before_us;

  g_assert_no_error (error);
  id = gui_test_add_session (store, "Track day", "Ana", NULL, MAY_1, 600 * NS);
  event->session_id = id;
  g_assert_true (imu_store_add_event (store, event, &error));
  g_assert_no_error (error);
  g_clear_object (&store);
  before_us = stored_updated_us (path, id);

  window = gui_test_open_window (path);
  view = imu_window_get_session_view (window);
  page = imu_session_view_get_events_page (view);
  g_assert_true (imu_window_select_session (window, id));
  wait_loaded (window);
  adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "events");
  gui_test_iterate_ms (200);
  g_assert_cmpuint (imu_events_page_get_n_events (page), ==, 1);

  rows = open_event_details (page, &popover);
  g_assert_cmpuint (rows->len, ==, 3);
  /* The time from the start, to the millisecond, as the row shows it. */
  g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (rows, 0)), ==, "0:00:10.000");
  g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (rows, 1)), ==, "0:00:00.000");
  g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (rows, 2)), ==, "");

  /* Not a time: the error state, the reason, nothing stored. */
  apply_text (g_ptr_array_index (rows, 0), "ten past");
  g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (rows, 0), "error"));
  tooltip = gtk_widget_get_tooltip_text (g_ptr_array_index (rows, 0));
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "“ten past” is not a time"));
  apply_text (g_ptr_array_index (rows, 1), "-3");
  g_assert_true (gtk_widget_has_css_class (g_ptr_array_index (rows, 1), "error"));
  gui_test_iterate_ms (500);
  g_assert_cmpint (imu_events_page_get_event (page, 0)->t_ns, ==, MAY_1 + 10 * NS);
  g_assert_true (event_stored_as (path, id, event->id, MAY_1 + 10 * NS, 0, NULL));
  g_assert_cmpint (stored_updated_us (path, id), ==, before_us);

  /* Typing again clears the complaint. */
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (rows, 0)), "1:02");
  g_assert_false (gtk_widget_has_css_class (g_ptr_array_index (rows, 0), "error"));

  apply_text (g_ptr_array_index (rows, 0), "0:01:02.250");
  apply_text (g_ptr_array_index (rows, 1), "2.5");
  apply_text (g_ptr_array_index (rows, 2), "  felt strong, left knee ok  ");
  /* What was stored, shown the way it is written. */
  g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (rows, 1)), ==, "0:00:02.500");
  g_assert_cmpstr (gtk_editable_get_text (g_ptr_array_index (rows, 2)), ==, "felt strong, left knee ok");
  for (guint i = 0; i < rows->len; i++)
    g_assert_false (gtk_widget_has_css_class (g_ptr_array_index (rows, i), "error"));
  g_free (gui_test_screenshot (popover, "events-details-popover"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  g_free (gui_test_screenshot (popover, "events-details-popover-dark"));
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);

  gui_test_wait_for (event_stored_as (path, id, event->id, MAY_1 + 62250 * G_GINT64_CONSTANT (1000000),
                                      2500 * G_GINT64_CONSTANT (1000000), "felt strong, left knee ok"),
                     10000, "the edits to reach the file");
  g_assert_cmpint (stored_updated_us (path, id), >, before_us);
  {
    /* The label and kind stay as they were. */
    g_autoptr(ImuEvent) e = stored_event (path, id, event->id);

    g_assert_cmpstr (e->label, ==, "Sprint");
    g_assert_cmpstr (e->kind, ==, "marker");
  }

  gtk_popover_popdown (GTK_POPOVER (popover));
  gui_test_iterate_ms (200);
  text = gui_test_collect_text (GTK_WIDGET (page));
  g_assert_nonnull (strstr (text, "felt strong, left knee ok"));
  g_free (gui_test_screenshot (GTK_WIDGET (window), "events-edited"));

  /* A delete counts as a change of the session too. */
  before_us = stored_updated_us (path, id);
  imu_events_page_delete_event (page, 0);
  gui_test_wait_for (event_gone (path, id, event->id), 10000, "the deletion");
  gui_test_wait_for (stored_updated_us (path, id) > before_us, 10000, "the session to count as changed");
  gui_test_close_window (window);
}

/* The Details page names the device when the session has one, and has no
 * Device group when it has none. */
/* One clock for the list, the header and the plot (imu-session-time.h):
 * a recording at UTC+09:00 on a machine in New York shows its own 18:30,
 * not New York's 05:30; a file without a date shows "No date" and an
 * elapsed axis, never 1 January 1970. tests/test-cli.c checks `imu show`
 * prints the same 18:30. */
static void
test_time_zone_rule (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *old_tz = g_strdup (g_getenv ("TZ"));
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  GString *zoned = g_string_new ("time,ax,ay,az\n");
  GString *undated = g_string_new ("t,ax,ay,az\n");
  g_autofree char *zoned_csv = NULL;
  g_autofree char *undated_csv = NULL;
  g_autoptr(ImuImportResult) r1 = NULL;
  g_autoptr(ImuImportResult) r2 = NULL;
  ImuSessionView *view;
  ImuPlot *plot;
  ImuWindow *window;

  g_assert_no_error (error);
  for (int i = 0; i < 100; i++)
    {
      g_string_append_printf (zoned, "2024-03-12T18:30:00.%02d0+09:00,0.010,0.020,1.000\n", i);
      g_string_append_printf (undated, "%d.%02d,0.010,0.020,1.000\n", i / 100, i % 100);
    }
  zoned_csv = imu_test_write_file ("zoned.csv", zoned->str, (gssize) zoned->len);
  undated_csv = imu_test_write_file ("undated.csv", undated->str, (gssize) undated->len);
  g_string_free (zoned, TRUE);
  g_string_free (undated, TRUE);
  r1 = imu_import_path (store, zoned_csv, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  r2 = imu_import_path (store, undated_csv, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&store);

  g_setenv ("TZ", "America/New_York", TRUE);
  window = gui_test_open_window (path);
  view = imu_window_get_session_view (window);
  plot = imu_session_view_get_plot (view);

  {
    g_autofree char *row = gui_test_collect_text (visible_row_of (window, r1->session_id));
    g_autofree char *header = NULL;

    g_assert_nonnull (strstr (row, "\n12 Mar 2024, 18:30\n"));
    g_assert_true (imu_window_select_session (window, r1->session_id));
    wait_loaded (window);
    wait_plot (window);
    header = gui_test_collect_text (GTK_WIDGET (view));
    g_assert_nonnull (strstr (header, "12 Mar 2024, 18:30 UTC+09:00 · 0:01 · 1 stream\n"));
    /* The axis draws at the same offset, in clock time. */
    g_assert_cmpint (plot->scene.tz_offset_s, ==, 9 * 3600);
    g_assert_cmpint (plot->scene.time_axis, ==, IMU_PLOT_TIME_CLOCK);
    g_free (gui_test_screenshot (GTK_WIDGET (window), "time-zone-rule"));
  }
  {
    g_autofree char *row = gui_test_collect_text (visible_row_of (window, r2->session_id));
    g_autofree char *header = NULL;

    g_assert_nonnull (strstr (row, "\nNo date\n"));
    g_assert_null (strstr (row, "1970"));
    g_assert_true (imu_window_select_session (window, r2->session_id));
    wait_loaded (window);
    wait_plot (window);
    header = gui_test_collect_text (GTK_WIDGET (view));
    g_assert_nonnull (strstr (header, "No date · 0:01 · 1 stream\n"));
    g_assert_null (strstr (header, "1970"));
    g_assert_cmpint (plot->scene.time_axis, ==, IMU_PLOT_TIME_ELAPSED);
    g_free (gui_test_screenshot (GTK_WIDGET (window), "time-zone-rule-undated"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
  gui_test_iterate_ms (100);
  if (old_tz != NULL)
    g_setenv ("TZ", old_tz, TRUE);
  else
    g_unsetenv ("TZ");
}

static void
test_device_details (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) groups = NULL;
  g_autofree char *text = NULL;
  AdwPreferencesGroup *device = NULL;
  ImuSessionView *view;
  ImuDetailsPage *details;
  ImuWindow *window;
  gint64 with, without;

  g_assert_no_error (error);
  with = gui_test_add_session (store, "Wrist, week 1", "P07", NULL, MAY_1, 3600 * NS);
  without = gui_test_add_session (store, "Phone walk", "P07", NULL, MAY_1 + 7200 * NS, 600 * NS);
  session = imu_store_load_session (store, with, &error);
  g_assert_no_error (error);
  g_object_set (session,
                "device-vendor", "Axivity",
                "device-model", "AX6",
                "device-serial", "CWA-37711",
                "device-firmware", "51",
                NULL);
  g_assert_true (imu_store_update_session (store, session, &error));
  g_assert_no_error (error);
  g_clear_object (&store);

  window = gui_test_open_window (path);
  view = imu_window_get_session_view (window);
  details = imu_session_view_get_details_page (view);
  groups = gui_test_find_all (GTK_WIDGET (details), ADW_TYPE_PREFERENCES_GROUP);
  for (guint i = 0; i < groups->len; i++)
    if (g_strcmp0 (adw_preferences_group_get_title (g_ptr_array_index (groups, i)), _("Device")) == 0)
      device = g_ptr_array_index (groups, i);
  g_assert_nonnull (device);

  g_assert_true (imu_window_select_session (window, with));
  wait_loaded (window);
  adw_view_stack_set_visible_child_name (imu_session_view_get_stack (view), "details");
  gui_test_iterate_ms (200);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (device)));
  text = gui_test_collect_text (GTK_WIDGET (device));
  g_assert_nonnull (strstr (text, "Vendor\nAxivity\n"));
  g_assert_nonnull (strstr (text, "Model\nAX6\n"));
  g_assert_nonnull (strstr (text, "Serial number\nCWA-37711\n"));
  g_assert_nonnull (strstr (text, "Firmware\n51\n"));
  {
    /* Read-only rows: nothing in the group can be typed into. */
    g_autoptr(GPtrArray) editables = gui_test_find_all (GTK_WIDGET (device), GTK_TYPE_EDITABLE);

    g_assert_cmpuint (editables->len, ==, 0);
  }
  /* Scrolled so that the group shows. */
  {
    GtkWidget *scrolled = gtk_widget_get_ancestor (GTK_WIDGET (device), GTK_TYPE_SCROLLED_WINDOW);
    graphene_point_t p;

    g_assert_true (gtk_widget_compute_point (GTK_WIDGET (device), scrolled, &GRAPHENE_POINT_INIT (0, 0), &p));
    gtk_adjustment_set_value (gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled)), MAX (p.y - 80, 0));
  }
  g_free (gui_test_screenshot (GTK_WIDGET (window), "details-device"));

  g_assert_true (imu_window_select_session (window, without));
  wait_loaded (window);
  gui_test_iterate_ms (200);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (device)));
  g_clear_pointer (&text, g_free);
  text = imu_details_page_dup_text (details);
  g_assert_null (strstr (text, "Vendor:"));
  g_assert_null (strstr (text, "Axivity"));
  gui_test_close_window (window);
}

/* The sidebar keeps its width whatever the titles it lists: a long title
 * ellipsizes instead of widening the list (and narrowing the plot). */
static void
test_sidebar_width (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  GtkWidget *sidebar;
  ImuWindow *window;
  int before, after;
  gint64 id;

  g_assert_no_error (error);
  gui_test_add_session (store, "Run", "", NULL, MAY_1, 60 * NS);
  window = gui_test_open_window (path);
  gtk_window_set_default_size (GTK_WINDOW (window), 1200, 800);
  gui_test_iterate_ms (300);
  sidebar = gtk_widget_get_ancestor (GTK_WIDGET (window->sidebar_stack), GTK_TYPE_BOX);
  before = gtk_widget_get_width (sidebar);
  g_test_message ("sidebar width before: %d", before);
  g_assert_cmpint (before, ==, 360);

  id = gui_test_add_session (store, "A very long title that a coach typed after a long day of training on the track "
                             "in the rain, with notes", "", NULL, MAY_1 + 86400 * NS, 60 * NS);
  imu_library_refresh (window->library);
  gui_test_wait_for (visible_row_of (window, id) != NULL, 10000, "the long title's row");
  gui_test_iterate_ms (300);
  after = gtk_widget_get_width (sidebar);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "sidebar-long-title"));
  g_assert_cmpint (after, ==, before);

  /* Nor with a session shown beside it (the sidebar took what the
   * empty content did not need), nor on the search's "No Results". */
  g_assert_true (imu_window_select_session (window, id));
  wait_loaded (window);
  gui_test_iterate_ms (300);
  g_assert_cmpint (gtk_widget_get_width (sidebar), ==, before);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "sidebar-with-session"));
  g_clear_object (&store);
  gui_test_close_window (window);
}

/* Delete takes the session out of the list at once and out of the file only
 * when the toast goes: Undo brings it back; closing the window commits. */
static void
test_delete_undo (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (path, &error);
  ImuWindow *window;
  gint64 a, b, c;
  GListModel *visible;

  g_assert_no_error (error);
  a = gui_test_add_session (store, "A", "", NULL, MAY_1 + 1 * 86400 * NS, 60 * NS);
  b = gui_test_add_session (store, "B", "", NULL, MAY_1 + 2 * 86400 * NS, 60 * NS);
  c = gui_test_add_session (store, "C", "", NULL, MAY_1 + 3 * 86400 * NS, 60 * NS);
  g_clear_object (&store);

  window = gui_test_open_window (path);
  visible = imu_window_get_visible_sessions (window);

  /* Delete B from its context menu action, then undo. */
  g_assert_true (imu_window_select_session (window, b));
  g_action_group_activate_action (G_ACTION_GROUP (window), "delete-session", NULL);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "deleted"));
  g_assert_true (in_file (path, b));
  g_action_group_activate_action (G_ACTION_GROUP (window), "undo-delete", g_variant_new_int64 (b));
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 3);
  g_assert_cmpint (imu_session_view_get_session_id (imu_window_get_session_view (window)), ==, b);
  gui_test_iterate_ms (500);
  g_assert_true (in_file (path, b));

  /* Delete C and let the toast time out: then it goes to the library's trash. */
  imu_window_delete_session (window, c);
  g_assert_cmpuint (g_list_model_get_n_items (visible), ==, 2);
  g_assert_true (in_file (path, c));
  gui_test_wait_for (!in_file (path, c), 20000, "the deletion after the toast");
  g_assert_true (in_trash (path, c));

  /* Delete A and close the window at once: closing commits it. */
  imu_window_delete_session (window, a);
  g_assert_true (in_file (path, a));
  gui_test_close_window (window);
  gui_test_wait_for (!in_file (path, a), 10000, "the deletion when closing");
  g_assert_true (in_trash (path, a));
  g_assert_true (in_file (path, b));
  g_assert_cmpint (count_in_file (path), ==, 1);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

/* Preferences write the settings the plot reads and apply the style. */
static void
test_preferences (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GSettings) settings = g_settings_new (IMU_APP_ID);
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *accel = NULL;
  g_autofree char *gyro = NULL;
  g_autofree char *axis = NULL;
  ImuWindow *window;
  GtkWindow *prefs;
  AdwStyleManager *style = adw_style_manager_get_default ();

  window = gui_test_open_window (path);
  g_action_group_activate_action (G_ACTION_GROUP (gui_test_get_app ()), "preferences", NULL);
  gui_test_wait_for ((prefs = find_toplevel (IMU_TYPE_PREFERENCES_WINDOW)) != NULL, 5000, "the preferences");
  g_free (gui_test_screenshot (GTK_WIDGET (prefs), "preferences"));

  /* Narrow: a row's value is ellipsized with its whole text as a tooltip,
   * never clipped. */
  {
    g_autoptr(GPtrArray) combos = gui_test_find_all (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW);
    g_autoptr(GPtrArray) labels = NULL;
    gboolean found = FALSE;

    adw_combo_row_set_selected (g_ptr_array_index (combos, 0), 1);
    /* A mapped window keeps its size: show it again at the narrow one. */
    gtk_widget_set_visible (GTK_WIDGET (prefs), FALSE);
    gtk_window_set_default_size (prefs, 360, 600);
    gtk_widget_set_visible (GTK_WIDGET (prefs), TRUE);
    gui_test_iterate_ms (500);
    g_free (gui_test_screenshot (GTK_WIDGET (prefs), "preferences-narrow"));
    labels = gui_test_find_all (g_ptr_array_index (combos, 0), GTK_TYPE_LABEL);
    for (guint i = 0; i < labels->len; i++)
      if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), _("Metres per second squared (m/s²)")) == 0
          && gtk_widget_get_mapped (g_ptr_array_index (labels, i)))
        {
          GtkLabel *value = g_ptr_array_index (labels, i);
          int natural = 0;

          found = TRUE;
          g_assert_cmpint (gtk_label_get_ellipsize (value), ==, PANGO_ELLIPSIZE_END);
          g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (value)), ==,
                           _("Metres per second squared (m/s²)"));
          graphene_rect_t bounds;

          gtk_widget_measure (GTK_WIDGET (value), GTK_ORIENTATION_HORIZONTAL, -1, NULL, &natural, NULL, NULL);
          /* Whole, or ellipsized: never wider than the space it is given,
           * and that space lies inside the row. */
          g_assert_true (gtk_widget_compute_bounds (GTK_WIDGET (value), g_ptr_array_index (combos, 0), &bounds));
          g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=,
                             gtk_widget_get_width (g_ptr_array_index (combos, 0)));
          g_assert_cmpint (natural, >, 0);
        }
    g_assert_true (found);
    adw_combo_row_set_selected (g_ptr_array_index (combos, 0), 0);
  }

  rows = gui_test_find_all (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW);
  g_assert_cmpuint (rows->len, ==, 4);
  adw_combo_row_set_selected (g_ptr_array_index (rows, 0), 1);
  adw_combo_row_set_selected (g_ptr_array_index (rows, 1), 1);
  adw_combo_row_set_selected (g_ptr_array_index (rows, 2), 1);
  adw_combo_row_set_selected (g_ptr_array_index (rows, 3), 2);
  accel = g_settings_get_string (settings, "accel-unit");
  gyro = g_settings_get_string (settings, "gyro-unit");
  axis = g_settings_get_string (settings, "time-axis");
  g_assert_cmpstr (accel, ==, "m/s2");
  g_assert_cmpstr (gyro, ==, "rad/s");
  g_assert_cmpstr (axis, ==, "elapsed");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));

  /* Back, also through the settings (another window, a command). */
  g_settings_set_string (settings, "color-scheme", "light");
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_FORCE_LIGHT);
  g_assert_cmpuint (adw_combo_row_get_selected (g_ptr_array_index (rows, 3)), ==, 1);
  g_settings_reset (settings, "color-scheme");
  g_settings_reset (settings, "accel-unit");
  g_settings_reset (settings, "gyro-unit");
  g_settings_reset (settings, "time-axis");
  g_assert_cmpuint (adw_combo_row_get_selected (g_ptr_array_index (rows, 0)), ==, 0);

  gtk_window_destroy (prefs);
  gui_test_close_window (window);
}

/* About names the version and licence; the shortcuts window opens. */
static void
test_about_shortcuts (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *version = NULL;
  GtkLicense license;
  ImuWindow *window;
  GtkWindow *about, *shortcuts;

  window = gui_test_open_window (path);
  g_action_group_activate_action (G_ACTION_GROUP (gui_test_get_app ()), "about", NULL);
  gui_test_wait_for ((about = find_toplevel (ADW_TYPE_ABOUT_WINDOW)) != NULL, 5000, "the about window");
  g_object_get (about, "version", &version, "license-type", &license, NULL);
  g_assert_cmpstr (version, ==, IMU_VERSION);
  g_assert_cmpint (license, ==, GTK_LICENSE_GPL_3_0);
  g_free (gui_test_screenshot (GTK_WIDGET (about), "about"));
  gtk_window_destroy (about);

  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  gui_test_wait_for ((shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW)) != NULL, 5000, "the shortcuts window");
  g_free (gui_test_screenshot (GTK_WIDGET (shortcuts), "shortcuts"));
  gtk_window_close (shortcuts);

  gui_test_close_window (window);
}

static void
collect_shortcut_titles (GtkWidget *widget, GPtrArray *titles)
{
  if (GTK_IS_SHORTCUTS_SHORTCUT (widget))
    {
      char *title = NULL;

      g_object_get (widget, "title", &title, NULL);
      g_ptr_array_add (titles, title);
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    collect_shortcut_titles (c, titles);
}

/* The shortcuts window lists the plot's gestures and keys (issue 15 §2). */
static void
test_shortcuts_gestures (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GPtrArray) titles = g_ptr_array_new_with_free_func (g_free);
  static const char * const expected[] = {
    "Move earlier or later", "Select a range", "Zoom to a range", "Zoom at the pointer",
    "Zoom around the fingers", "Zoom the y axis", "Move the y axis",
    "Set the y axis's limits, or autoscale", "Move a marker (undo in its toast)", "Rename a marker",
    "Zoom to the selection", "Go to the previous or next event", "Clear the selection and the highlight",
  };
  ImuWindow *window;
  GtkWindow *shortcuts;

  window = gui_test_open_window (path);
  g_action_group_activate_action (G_ACTION_GROUP (window), "show-help-overlay", NULL);
  gui_test_wait_for ((shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW)) != NULL, 5000, "the shortcuts window");
  collect_shortcut_titles (GTK_WIDGET (shortcuts), titles);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_ptr_array_find_with_equal_func (titles, expected[i], g_str_equal, NULL));
  g_free (gui_test_screenshot (GTK_WIDGET (shortcuts), "shortcuts-plot"));
  gtk_window_close (shortcuts);
  gui_test_close_window (window);
}

/* Size and maximised state survive closing the window, and the next window
 * opens with them. */
static void
test_window_state (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GSettings) settings = g_settings_new (IMU_APP_ID);
  g_autofree char *last = NULL;
  ImuWindow *window;
  int width = 0, height = 0;

  /* A size set before the window shows is what it opens with (a size set
   * later is a request the window system may ignore). */
  window = imu_window_new (GTK_APPLICATION (gui_test_get_app ()));
  gtk_window_set_default_size (GTK_WINDOW (window), 1001, 702);
  imu_window_open_library (window, path);
  gtk_window_present (GTK_WINDOW (window));
  gui_test_wait_for (!g_str_equal (imu_window_get_state (window), "loading"), 20000, "the library to load");
  gui_test_iterate_ms (200);
  gui_test_close_window (window);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1001);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 702);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  last = g_settings_get_string (settings, "last-library");
  g_assert_cmpstr (last, ==, path);

  window = imu_window_new (GTK_APPLICATION (gui_test_get_app ()));
  gtk_window_get_default_size (GTK_WINDOW (window), &width, &height);
  g_assert_cmpint (width, ==, 1001);
  g_assert_cmpint (height, ==, 702);
  gtk_window_destroy (GTK_WINDOW (window));
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

/* A narrow window shows the list or the session, with a way back. */
static void
test_narrow (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) leaflets = NULL;
  ImuWindow *window;
  AdwLeaflet *leaflet;
  gint64 id;

  {
    g_autoptr(ImuStore) store = imu_store_open (path, &error);
    g_assert_no_error (error);
    id = make_demo (store);
  }
  window = imu_window_new (GTK_APPLICATION (gui_test_get_app ()));
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 760);
  imu_window_open_library (window, path);
  gtk_window_present (GTK_WINDOW (window));
  gui_test_wait_for (g_str_equal (imu_window_get_state (window), "library"), 20000, "the library");
  leaflets = gui_test_find_all (GTK_WIDGET (window), ADW_TYPE_LEAFLET);
  g_assert_cmpuint (leaflets->len, ==, 1);
  leaflet = g_ptr_array_index (leaflets, 0);
  gui_test_wait_for (adw_leaflet_get_folded (leaflet), 5000, "the window to fold");
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "sidebar");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "narrow-list"));

  g_assert_true (imu_window_select_session (window, id));
  wait_loaded (window);
  gui_test_wait_for (g_str_equal (adw_leaflet_get_visible_child_name (leaflet), "content")
                     && !adw_leaflet_get_child_transition_running (leaflet), 5000, "the session");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "narrow-session"));
  adw_leaflet_navigate (leaflet, ADW_NAVIGATION_DIRECTION_BACK);
  gui_test_wait_for (g_str_equal (adw_leaflet_get_visible_child_name (leaflet), "sidebar"), 5000, "the list again");
  gui_test_close_window (window);
}

/* Another library replaces the first in the same window; a deletion still
 * pending in the first is committed on the way. */
static void
test_switch_library (void)
{
  g_autofree char *first = imu_test_library_path ();
  g_autofree char *second = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  ImuWindow *window;
  gint64 doomed;

  {
    g_autoptr(ImuStore) a = imu_store_open (first, &error);
    g_autoptr(ImuStore) b = imu_store_open (second, &error);

    g_assert_no_error (error);
    doomed = gui_test_add_session (a, "In the first", "", NULL, MAY_1, 60 * NS);
    gui_test_add_session (a, "Also in the first", "", NULL, MAY_1 + NS, 60 * NS);
    gui_test_add_session (b, "In the second", "", NULL, MAY_1, 60 * NS);
  }

  window = gui_test_open_window (first);
  g_assert_cmpuint (g_list_model_get_n_items (imu_window_get_visible_sessions (window)), ==, 2);
  imu_window_delete_session (window, doomed);

  imu_window_open_library (window, second);
  gui_test_wait_for (g_str_equal (imu_window_get_state (window), "library")
                     && g_list_model_get_n_items (imu_window_get_visible_sessions (window)) == 1,
                     10000, "the second library");
  {
    g_autoptr(ImuSession) only = g_list_model_get_item (imu_window_get_visible_sessions (window), 0);
    g_assert_cmpstr (imu_session_get_title (only), ==, "In the second");
  }
  gui_test_wait_for (!in_file (first, doomed), 10000, "the pending deletion of the first library");
  g_assert_cmpint (count_in_file (first), ==, 1);
  gui_test_close_window (window);
}

/* A file that is not a library shows why instead of a list. */
static void
test_not_a_library (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "notes.db", NULL);
  g_autofree char *contents = NULL;
  ImuWindow *window;

  g_assert_true (g_file_set_contents (path, "This is a text file, not a database.\n", -1, NULL));
  window = gui_test_open_window (path);
  g_assert_cmpstr (imu_window_get_state (window), ==, "error");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "not-a-library"));
  gui_test_close_window (window);
  /* Refused and left as it was. */
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "This is a text file, not a database.\n");
}

/* With LANGUAGE=de the window speaks German: templates, code and the
 * core's messages come from the build's translations. */
static void
test_translated (void)
{
  g_autofree char *path = imu_test_library_path ();
  g_autofree char *text = NULL;
  ImuWindow *window;

  if (g_getenv ("IMU_TEST_LOCALEDIR") == NULL)
    {
      g_test_skip ("IMU_TEST_LOCALEDIR is not set: the translations of this build are unknown");
      return;
    }
  g_setenv ("LANGUAGE", "de", TRUE);
  window = gui_test_open_window (path);
  text = gui_test_collect_text (GTK_WIDGET (window));
  g_assert_nonnull (strstr (text, "Noch keine Sitzungen"));
  g_assert_nonnull (strstr (text, "Demo-Sitzung öffnen"));
  g_free (gui_test_screenshot (GTK_WIDGET (window), "empty-de"));
  gui_test_close_window (window);
  g_unsetenv ("LANGUAGE");
}

int
main (int   argc,
      char *argv[])
{
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/window/list", test_list);
  g_test_add_func ("/gui/window/select", test_select);
  g_test_add_func ("/gui/window/edit", test_edit);
  g_test_add_func ("/gui/window/events", test_events);
  g_test_add_func ("/gui/window/empty-and-demo", test_empty_and_demo);
  g_test_add_func ("/gui/window/search-sort", test_search_sort);
  g_test_add_func ("/gui/window/delete-undo", test_delete_undo);
  g_test_add_func ("/gui/window/edit-beside-cli", test_edit_beside_cli);
  g_test_add_func ("/gui/window/event-edit-then-switch", test_event_edit_then_switch);
  g_test_add_func ("/gui/window/event-time-duration-note", test_event_time_duration_note);
  g_test_add_func ("/gui/window/device-details", test_device_details);
  g_test_add_func ("/gui/window/time-zone-rule", test_time_zone_rule);
  g_test_add_func ("/gui/window/follows-other-processes", test_follows_other_processes);
  g_test_add_func ("/gui/window/preferences", test_preferences);
  g_test_add_func ("/gui/window/about-shortcuts", test_about_shortcuts);
  g_test_add_func ("/gui/window/shortcuts-gestures", test_shortcuts_gestures);
  g_test_add_func ("/gui/window/state", test_window_state);
  g_test_add_func ("/gui/window/switch-library", test_switch_library);
  g_test_add_func ("/gui/window/narrow", test_narrow);
  g_test_add_func ("/gui/window/sidebar-width", test_sidebar_width);
  g_test_add_func ("/gui/window/not-a-library", test_not_a_library);
  g_test_add_func ("/gui/window/translated", test_translated);

  return g_test_run ();
}
