/* test-gui-record.c — recording from the window: the Record dialog with a
 * phone's URL and QR code, a simulated Sensor Logger phone, the row's
 * indicator, the live plot following, a marker at "now", Stop, and asking
 * before quitting while recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The phone is simulated as in tests/test-record.c: the real Sensor Logger
 * export ../shared/data/real/sensorlogger/bennyjhui-iphone12 (read here,
 * line by line) is posted as push batches of 200 ms of samples each, to
 * the URL the dialog shows, from a thread of the test.
 */
#define G_LOG_DOMAIN "imu-test-gui"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "imu-store-private.h"
#include "imu-test-util.h"
#include "imu-session-row.h"
#include "imu-window-private.h"
#include "test-gui-util.h"

/* ---- the phone ---- */

typedef struct {
  char   *name;      /* "accelerometer" */
  gint64  t;
  char   *values;    /* "\"z\":1.36…,\"y\":…" as written in the file */
} PushSample;

static void
push_sample_free (PushSample *p)
{
  g_free (p->name);
  g_free (p->values);
  g_free (p);
}

static int
push_sample_cmp (gconstpointer a, gconstpointer b)
{
  const PushSample *x = *(const PushSample * const *) a, *y = *(const PushSample * const *) b;

  return x->t < y->t ? -1 : x->t > y->t ? 1 : strcmp (x->name, y->name);
}

/* The export's rows: time (ns), seconds_elapsed, then the values. */
static guint
read_export (const char *dir, const char *file, GPtrArray *out)
{
  g_autofree char *path = g_build_filename (dir, file, NULL);
  g_autofree char *text = NULL;
  g_autofree char *name = g_ascii_strdown (file, strlen (file) - strlen (".csv"));
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) header = NULL;
  guint n = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  header = g_strsplit (g_strstrip (lines[0]), ",", -1);
  g_assert_cmpstr (header[0], ==, "time");
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) f = g_strsplit (g_strstrip (lines[i]), ",", -1);
      PushSample *p;
      GString *values;

      if (*lines[i] == '\0')
        continue;
      p = g_new0 (PushSample, 1);
      p->name = g_strdup (name);
      p->t = g_ascii_strtoll (f[0], NULL, 10);
      values = g_string_new (NULL);
      for (guint c = 2; f[c] != NULL; c++)
        g_string_append_printf (values, "%s\"%s\":%s", c > 2 ? "," : "", header[c], f[c]);
      p->values = g_string_free (values, FALSE);
      g_ptr_array_add (out, p);
      n++;
    }
  return n;
}

typedef struct {
  GPtrArray *samples;     /* PushSample*, by time */
  char      *url;
  guint      pause_after; /* batches; then wait for @go */
  gint       go;          /* atomic */
  gint       batches;     /* atomic: posted */
  gint       sent;        /* atomic: samples posted */
  gint       failures;    /* atomic: answers other than 200 */
  GMutex     lock;
  gint64     newest_t;    /* under @lock: the newest time posted */
} Phone;

static char *
batch_json (GPtrArray *samples, guint from, guint to, gint64 message_id)
{
  GString *s = g_string_new (NULL);

  g_string_append_printf (s, "{\"messageId\":%" PRId64 ",\"sessionId\":\"7f1c\",\"deviceId\":\"iphone12\",\"payload\":[",
                          message_id);
  for (guint i = from; i < to; i++)
    {
      PushSample *p = g_ptr_array_index (samples, i);

      g_string_append_printf (s, "%s{\"name\":\"%s\",\"time\":%" PRId64 ",\"values\":{%s},\"accuracy\":3}",
                              i > from ? "," : "", p->name, p->t, p->values);
    }
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

static gpointer
phone_thread (gpointer data)
{
  Phone *phone = data;
  g_autoptr(SoupSession) http = soup_session_new ();
  gint64 message_id = 0;
  guint from = 0;

  while (from < phone->samples->len)
    {
      gint64 window_end = ((PushSample *) g_ptr_array_index (phone->samples, from))->t + 200000000;
      g_autofree char *body = NULL;
      g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, phone->url);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GBytes) reply = NULL;
      guint to = from;

      while (to < phone->samples->len && ((PushSample *) g_ptr_array_index (phone->samples, to))->t < window_end)
        to++;
      body = batch_json (phone->samples, from, to, ++message_id);
      bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      reply = soup_session_send_and_read (http, msg, NULL, NULL);
      if (soup_message_get_status (msg) != SOUP_STATUS_OK)
        g_atomic_int_inc (&phone->failures);
      g_atomic_int_add (&phone->sent, (int) (to - from));
      g_mutex_lock (&phone->lock);
      phone->newest_t = ((PushSample *) g_ptr_array_index (phone->samples, to - 1))->t;
      g_mutex_unlock (&phone->lock);
      g_atomic_int_inc (&phone->batches);
      from = to;
      if ((guint) g_atomic_int_get (&phone->batches) == phone->pause_after)
        while (!g_atomic_int_get (&phone->go))
          g_usleep (10000);
      /* The app posts every 200 ms; four times faster keeps the test short. */
      g_usleep (50000);
    }
  return NULL;
}

static gint64
phone_newest (Phone *phone)
{
  gint64 t;

  g_mutex_lock (&phone->lock);
  t = phone->newest_t;
  g_mutex_unlock (&phone->lock);
  return t;
}

/* ---- helpers ---- */

static ImuSessionRow *
row_of (ImuWindow *window, gint64 id)
{
  g_autoptr(GPtrArray) rows = gui_test_visible_rows (window);

  for (guint i = 0; i < rows->len; i++)
    {
      ImuSessionRow *row = g_ptr_array_index (rows, i);
      ImuSession *session = imu_session_row_get_session (row);

      if (session != NULL && imu_session_get_id (session) == id)
        return row;
    }
  return NULL;
}

static gboolean
row_recording (ImuWindow *window, gint64 id)
{
  ImuSessionRow *row = row_of (window, id);

  return row != NULL && gtk_widget_get_visible (imu_session_row_get_record_icon (row));
}

static gint64
visible_end (ImuPlot *plot)
{
  gint64 t0 = 0, t1 = 0;

  imu_plot_get_visible_range (plot, &t0, &t1);
  return t1;
}

static gint64
visible_span (ImuPlot *plot)
{
  gint64 t0 = 0, t1 = 0;

  imu_plot_get_visible_range (plot, &t0, &t1);
  return t1 - t0;
}

static GtkWidget *
find_button_with_tooltip (GtkWidget *root, const char *tooltip)
{
  g_autoptr(GPtrArray) buttons = gui_test_find_all (root, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      const char *text = gtk_widget_get_tooltip_text (g_ptr_array_index (buttons, i));

      if (g_strcmp0 (text, tooltip) == 0)
        return g_ptr_array_index (buttons, i);
    }
  return NULL;
}

static gboolean
has_events (ImuStore *store, gint64 id)
{
  g_autoptr(GPtrArray) events = imu_store_list_events (store, id, NULL);

  return events != NULL && events->len > 0;
}

static ImuRecordDialog *
open_dialog (ImuWindow *window)
{
  ImuRecordDialog *dialog;

  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "record"));
  g_action_group_activate_action (G_ACTION_GROUP (window), "record", NULL);
  dialog = imu_window_get_record_dialog (window);
  g_assert_nonnull (dialog);
  gui_test_wait_for (gtk_widget_get_mapped (GTK_WIDGET (dialog)), 5000, "the Record dialog");
  return dialog;
}

static gboolean
dialog_gone (ImuWindow *window)
{
  return imu_window_get_record_dialog (window) == NULL;
}

/* ---- the tests ---- */

/* A phone, start to stop, through the window. */
static void
test_phone (void)
{
  g_autofree char *dir = imu_test_real_file ("sensorlogger/bennyjhui-iphone12");
  g_autofree char *library = NULL;
  g_autofree char *shot = NULL;
  g_autoptr(GPtrArray) samples = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) stored = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autoptr(GdkPaintable) qr = NULL;
  ImuRecordDialog *dialog;
  ImuWindow *window;
  ImuSessionView *view;
  ImuPlot *plot;
  GtkWidget *follow;
  Phone phone = { 0 };
  guint n_acc, n_gyr, n_mag;
  gint64 id, first_t, last_t, mark_t, span, counted = 0;
  GPtrArray *streams;

  if (dir == NULL)
    return;
  samples = g_ptr_array_new_with_free_func ((GDestroyNotify) push_sample_free);
  n_acc = read_export (dir, "Accelerometer.csv", samples);
  n_gyr = read_export (dir, "Gyroscope.csv", samples);
  n_mag = read_export (dir, "Magnetometer.csv", samples);
  g_ptr_array_sort (samples, push_sample_cmp);
  /* Counted by `wc -l` on the three files, less their headers. */
  g_assert_cmpuint (n_acc, ==, 1038);
  g_assert_cmpuint (n_gyr, ==, 1038);
  g_assert_cmpuint (n_mag, ==, 1038);
  first_t = ((PushSample *) g_ptr_array_index (samples, 0))->t;
  last_t = ((PushSample *) g_ptr_array_index (samples, samples->len - 1))->t;

  library = imu_test_library_path ();
  window = gui_test_open_window (library);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 760);
  g_assert_cmpstr (imu_window_get_state (window), ==, "empty");
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "stop-recording"));

  /* The dialog: Phone, any free port, the session's fields. */
  dialog = open_dialog (window);
  imu_record_dialog_select_source (dialog, "sensorlogger");
  imu_record_dialog_set_port (dialog, 0);
  imu_record_dialog_set_fields (dialog, "Sprint drills", "Ana", "sprint, field");
  gui_test_iterate_ms (200);
  g_free (gui_test_screenshot (GTK_WIDGET (dialog), "record-dialog-setup"));
  imu_record_dialog_start (dialog);
  gui_test_wait_for (g_strcmp0 (imu_record_dialog_get_page (dialog), "phone") == 0
                     || imu_record_dialog_get_error (dialog) != NULL, 10000, "the phone page");
  g_assert_null (imu_record_dialog_get_error (dialog));
  g_assert_nonnull (imu_window_get_recording (window));
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "stop-recording"));
  g_assert_false (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "record"));
  /* The header's Record button stops, even before the phone's first batch. */
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (window->empty_record_button)), ==,
                   "win.stop-recording");

  /* The URL carries the recording's token: /push/ and 32 hex digits. */
  phone.url = g_strdup (imu_record_dialog_get_address (dialog));
  g_assert_true (g_str_has_prefix (phone.url, "http://"));
  {
    const char *path = strstr (phone.url + strlen ("http://"), "/");

    g_assert_nonnull (path);
    g_assert_true (g_str_has_prefix (path, "/push/"));
    g_assert_cmpuint (strlen (path), ==, strlen ("/push/") + 32);
    for (const char *c = path + strlen ("/push/"); *c != '\0'; c++)
      g_assert_true (g_ascii_isxdigit (*c));
  }
  /* The QR code: square, whole pixels per module. */
  qr = g_object_ref (imu_record_dialog_get_qr (dialog));
  g_assert_nonnull (qr);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (qr), ==, gdk_paintable_get_intrinsic_height (qr));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (qr), >=, 200);
  gui_test_iterate_ms (200);
  shot = gui_test_screenshot (GTK_WIDGET (dialog), "record-dialog-phone");
  g_test_message ("the dialog with the QR code: %s", shot);

  /* The phone starts: half of the recording, then a pause. */
  phone.samples = samples;
  phone.pause_after = 25;
  thread = g_thread_new ("phone", phone_thread, &phone);

  /* The session appears in the list with the indicator, and is shown. */
  gui_test_wait_for (g_list_model_get_n_items (imu_library_get_sessions (imu_window_get_library (window))) == 1,
                     15000, "the recorded session in the list");
  {
    g_autoptr(ImuSession) session = g_list_model_get_item (imu_library_get_sessions (imu_window_get_library (window)), 0);

    id = imu_session_get_id (session);
    g_assert_cmpint (imu_session_get_state (session), ==, IMU_SESSION_STATE_RECORDING);
    g_assert_cmpstr (imu_session_get_title (session), ==, "Sprint drills");
  }
  gui_test_wait_for (row_recording (window, id), 10000, "the row's recording indicator");
  view = imu_window_get_session_view (window);
  plot = imu_session_view_get_plot (view);
  gui_test_wait_for (imu_session_view_get_session_id (view) == id && imu_session_view_get_session (view) != NULL,
                     10000, "the recorded session to be shown");
  g_assert_true (gtk_widget_get_visible (imu_session_view_get_record_bar (view)));
  g_assert_true (imu_plot_get_live (plot));
  /* The dialog is done with: it says the phone is recorded, and closes. */
  gtk_window_close (GTK_WINDOW (dialog));
  gui_test_wait_for (dialog_gone (window), 5000, "the dialog to close");

  /* Following: the view ends at the newest sample the phone sent. */
  gui_test_wait_for ((guint) g_atomic_int_get (&phone.batches) == phone.pause_after, 20000, "half the batches");
  gui_test_wait_for (visible_end (plot) == phone_newest (&phone), 10000,
                     "the plot to end at the newest sample");
  /* Shorter than the live window (30 s): all of it, growing. */
  g_assert_cmpint (visible_span (plot), ==, phone_newest (&phone) - first_t);
  /* Zoomed in, it keeps following with the narrower window. */
  imu_plot_zoom (plot, 2.0, visible_end (plot));
  span = visible_span (plot);
  g_assert_true (imu_plot_get_live (plot));
  g_atomic_int_set (&phone.go, 1);
  gui_test_wait_for ((guint) g_atomic_int_get (&phone.batches) >= phone.pause_after + 10, 20000, "more batches");
  gui_test_wait_for (visible_end (plot) == phone_newest (&phone)
                     || g_atomic_int_get (&phone.sent) == (int) samples->len, 10000,
                     "the plot to follow the new samples");
  g_assert_cmpint (ABS (visible_span (plot) - span), <=, span / 100);
  gui_test_iterate_ms (300);
  g_free (gui_test_screenshot (GTK_WIDGET (window), "record-live-plot"));

  /* Scrolling back pauses following; Follow Live returns. */
  {
    gint64 t1 = visible_end (plot);

    imu_plot_set_visible_range (plot, t1 - span - 2000000000, t1 - 2000000000);
    g_assert_false (imu_plot_get_live (plot));
    follow = find_button_with_tooltip (imu_session_view_get_record_bar (view),
                                       "Show the newest samples again, and follow them");
    g_assert_nonnull (follow);
    gui_test_wait_for (gtk_widget_get_visible (follow), 2000, "the Follow Live button");
    g_signal_emit_by_name (follow, "clicked");
    g_assert_true (imu_plot_get_live (plot));
    g_assert_false (gtk_widget_get_visible (follow));
  }

  /* All sent: the view ends at the last sample of the export. */
  g_thread_join (g_steal_pointer (&thread));
  g_assert_cmpint (g_atomic_int_get (&phone.failures), ==, 0);
  g_assert_cmpint (g_atomic_int_get (&phone.sent), ==, (int) samples->len);
  gui_test_wait_for (visible_end (plot) == last_t, 15000, "the plot to end at the export's last sample");
  g_free (gui_test_screenshot (GTK_WIDGET (window), "record-live-plot-end"));

  /* A marker at now, with a label: at the newest sample. */
  mark_t = imu_plot_get_live_edge (plot);
  g_assert_cmpint (mark_t, ==, last_t);
  imu_session_view_mark_now (view, "Sprint start");

  /* Stop: complete, every sample sent is stored. */
  g_action_group_activate_action (G_ACTION_GROUP (window), "stop-recording", NULL);
  gui_test_wait_for (imu_window_get_recording (window) == NULL, 15000, "the recording to stop");
  gui_test_wait_for (!row_recording (window, id), 10000, "the indicator to go");
  g_assert_true (g_action_group_get_action_enabled (G_ACTION_GROUP (window), "record"));
  g_assert_cmpstr (gtk_actionable_get_action_name (GTK_ACTIONABLE (window->record_button)), ==, "win.record");

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  stored = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (stored), ==, IMU_SESSION_STATE_COMPLETE);
  g_assert_cmpstr (imu_session_get_subject (stored), ==, "Ana");
  streams = imu_session_get_streams (stored);
  g_assert_cmpuint (streams->len, ==, 3);
  for (guint i = 0; i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);

      g_assert_cmpint (info->n_samples, ==, 1038);
      counted += info->n_samples;
    }
  g_assert_cmpint (counted, ==, g_atomic_int_get (&phone.sent));
  gui_test_wait_for (has_events (store, id), 10000, "the marker in the library");
  events = imu_store_list_events (store, id, &error);
  g_assert_no_error (error);
  {
    gboolean found = FALSE;

    for (guint i = 0; i < events->len; i++)
      {
        const ImuEvent *e = g_ptr_array_index (events, i);

        if (g_strcmp0 (e->label, "Sprint start") == 0)
          {
            g_assert_cmpint (e->t_ns, ==, mark_t);
            found = TRUE;
          }
      }
    g_assert_true (found);
  }

  g_free (phone.url);
  gui_test_close_window (window);
}

/* A port another program holds: the dialog says so, and what to do. */
static void
test_port_in_use (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GError) error = NULL;
  ImuRecordDialog *dialog;
  ImuWindow *window;
  guint16 port;

  port = g_socket_listener_add_any_inet_port (listener, NULL, &error);
  g_assert_no_error (error);
  window = gui_test_open_window (library);
  dialog = open_dialog (window);
  imu_record_dialog_select_source (dialog, "sensorlogger");
  imu_record_dialog_set_port (dialog, port);
  imu_record_dialog_start (dialog);
  gui_test_wait_for (imu_record_dialog_get_error (dialog) != NULL, 10000, "the error");
  g_assert_nonnull (strstr (imu_record_dialog_get_error (dialog), "Choose another port"));
  g_assert_cmpstr (imu_record_dialog_get_page (dialog), ==, "setup");
  g_assert_null (imu_window_get_recording (window));
  g_free (gui_test_screenshot (GTK_WIDGET (dialog), "record-dialog-error"));
  gtk_window_close (GTK_WINDOW (dialog));
  gui_test_wait_for (dialog_gone (window), 5000, "the dialog to close");
  gui_test_close_window (window);
}

/* Closing the window while recording asks first; Keep Recording keeps
 * it; Stop and Quit stops it cleanly (complete) and closes. */
static void
test_quit_asks (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  ImuRecordDialog *dialog;
  ImuWindow *window;
  AdwMessageDialog *ask;
  gint64 id;

  window = gui_test_open_window (library);
  dialog = open_dialog (window);
  imu_record_dialog_select_source (dialog, "udp");
  imu_record_dialog_set_port (dialog, 0);
  imu_record_dialog_start (dialog);
  /* UDP has one session, begun at start: the dialog closes by itself. */
  gui_test_wait_for (dialog_gone (window), 10000, "the dialog to close");
  g_assert_nonnull (imu_window_get_recording (window));
  ids = imu_recording_dup_session_ids (imu_window_get_recording (window));
  g_assert_cmpuint (ids->len, ==, 1);
  id = g_array_index (ids, gint64, 0);
  gui_test_wait_for (row_recording (window, id), 10000, "the row's recording indicator");

  gtk_window_close (GTK_WINDOW (window));
  gui_test_wait_for (imu_window_get_dialog (window) != NULL, 5000, "the question");
  ask = imu_window_get_dialog (window);
  g_assert_cmpstr (adw_message_dialog_get_heading (ask), ==, "Stop Recording and Quit?");
  adw_message_dialog_response (ask, "cancel");
  gui_test_iterate_ms (200);
  g_assert_nonnull (imu_window_get_recording (window));
  g_assert_true (imu_recording_get_active (imu_window_get_recording (window)));

  /* Ctrl+Q closes every window the same way. */
  g_action_group_activate_action (G_ACTION_GROUP (gui_test_get_app ()), "quit", NULL);
  gui_test_wait_for (imu_window_get_dialog (window) != NULL, 5000, "the question again");
  ask = imu_window_get_dialog (window);
  g_assert_cmpstr (adw_message_dialog_get_heading (ask), ==, "Stop Recording and Quit?");
  adw_message_dialog_response (ask, "stop");
  gui_test_wait_for (gtk_application_get_windows (GTK_APPLICATION (gui_test_get_app ())) == NULL, 15000,
                     "the window to close");

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  stored = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (stored), ==, IMU_SESSION_STATE_COMPLETE);
}

/* A session a dead recorder left: "Interrupted" on its row, and Resume
 * Recording in its view goes on with the same source and session. */
static void
test_interrupted_resume (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuSession) stored = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = NULL;
  g_autoptr(ImuRecorder) recorder = NULL;
  g_autoptr(ImuRecordSource) source = NULL;
  ImuRecorderOptions options = { .title = "Left behind", .commit_interval_ms = 100,
                                 .origin_path = "udp:127.0.0.1:0", .format = "record-udp" };
  ImuSessionView *view;
  ImuSessionRow *row;
  ImuWindow *window;
  GtkWidget *resume;
  gboolean resumed = FALSE;
  gint64 id;

  /* A recording that ends as a crash leaves it: interrupted. */
  recorder = imu_recorder_new (library, &options);
  source = imu_record_source_new (options.origin_path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (imu_record_source_start (source, recorder, &error));
  g_assert_true (imu_recorder_start (recorder, TRUE, &error));
  g_assert_no_error (error);
  ids = imu_recorder_dup_session_ids (recorder);
  id = g_array_index (ids, gint64, 0);
  imu_record_source_stop (source);
  g_assert_true (imu_recorder_stop (recorder, &error));
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  g_assert_true (imu_store_exec (store, "UPDATE sessions SET state = 'interrupted'", &error));
  g_clear_object (&store);

  window = gui_test_open_window (library);
  gui_test_wait_for ((row = row_of (window, id)) != NULL, 5000, "the row");
  g_assert_true (gtk_widget_get_visible (imu_session_row_get_state_badge (row)));
  g_assert_false (gtk_widget_get_visible (imu_session_row_get_record_icon (row)));
  g_assert_true (imu_window_select_session (window, id));
  view = imu_window_get_session_view (window);
  gui_test_wait_for (imu_session_view_get_session (view) != NULL, 10000, "the session to load");
  g_assert_true (gtk_widget_get_visible (imu_session_view_get_record_bar (view)));
  resume = NULL;
  {
    g_autoptr(GPtrArray) buttons = gui_test_find_all (imu_session_view_get_record_bar (view), GTK_TYPE_BUTTON);

    for (guint i = 0; i < buttons->len; i++)
      if (g_strcmp0 (gtk_actionable_get_action_name (g_ptr_array_index (buttons, i)), "win.resume-recording") == 0)
        resume = g_ptr_array_index (buttons, i);
  }
  g_assert_nonnull (resume);
  g_assert_true (gtk_widget_get_visible (resume));
  g_free (gui_test_screenshot (GTK_WIDGET (window), "record-interrupted"));

  g_signal_emit_by_name (resume, "clicked");
  gui_test_wait_for (imu_window_get_recording (window) != NULL
                     && imu_recording_get_active (imu_window_get_recording (window)), 10000, "the recording to resume");
  gui_test_wait_for (row_recording (window, id), 10000, "the row's recording indicator");
  g_assert_false (gtk_widget_get_visible (imu_session_row_get_state_badge (row_of (window, id))));
  g_action_group_activate_action (G_ACTION_GROUP (window), "stop-recording", NULL);
  gui_test_wait_for (imu_window_get_recording (window) == NULL, 15000, "the recording to stop");
  gui_test_close_window (window);

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  stored = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (stored), ==, IMU_SESSION_STATE_COMPLETE);
  events = imu_store_list_events (store, id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    resumed |= g_strcmp0 (((ImuEvent *) g_ptr_array_index (events, i))->label, "Recording resumed") == 0;
  g_assert_true (resumed);
}

int
main (int    argc,
      char **argv)
{
  gui_test_init (&argc, &argv);

  g_test_add_func ("/gui/record/phone", test_phone);
  g_test_add_func ("/gui/record/port-in-use", test_port_in_use);
  g_test_add_func ("/gui/record/interrupted-resume", test_interrupted_resume);
  g_test_add_func ("/gui/record/quit-asks", test_quit_asks);

  return g_test_run ();
}
