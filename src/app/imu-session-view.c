/* imu-session-view.c — one session: editable header, Signals, Events, Profile, Details
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-session-view"

#include <string.h>

#include <glib/gi18n.h>

#include "imu-format.h"
#include "imu-session-view.h"

/* How often the recording bar's elapsed time and stream counts change. */
#define RECORD_TICK_MS 1000

struct _ImuSessionView
{
  GtkWidget          parent_instance;

  ImuLibrary        *library;
  ImuSession        *listed;     /* the list's object for this session */
  gulong             listed_changed_id;
  gulong             listed_state_id;
  ImuSessionDetails *details;    /* NULL while loading */
  ImuRecording      *recording;  /* the window's, or NULL */
  guint              record_tick_id;
  GCancellable      *cancellable;
  GSettings         *settings;
  GtkWidget         *plot;
  gboolean           loading;

  GtkWidget         *header;
  GtkEditableLabel  *title_label;
  GtkSpinner        *spinner;
  GtkLabel          *summary_label;
  AdwEntryRow       *subject_row;
  AdwEntryRow       *tags_row;
  AdwEntryRow       *activity_row;
  AdwEntryRow       *notes_row;
  AdwViewStack      *stack;
  GtkStack          *signals_stack;
  GtkBox            *signals_box;
  GtkLabel          *range_label;
  ImuEventsPage     *events_page;
  ImuDetailsPage    *details_page;
  ImuProfilePage    *profile_page;
  GtkWidget         *record_bar;
  GtkImage          *record_icon;
  GtkLabel          *record_label;
  GtkWidget         *stats_button;
  GtkLabel          *stats_label;
  GtkWidget         *follow_button;
  GtkWidget         *mark_now_button;
  GtkPopover        *mark_popover;
  GtkEntry          *mark_entry;
  GtkWidget         *stop_button;
  GtkWidget         *resume_button;
};

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (ImuSessionView, imu_session_view, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
toast (ImuSessionView *self,
       const char     *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static ImuSession *
shown_session (ImuSessionView *self)
{
  return self->details != NULL ? self->details->session : self->listed;
}

static char *
tags_to_text (const char * const *tags)
{
  return tags != NULL ? g_strjoinv (", ", (GStrv) tags) : g_strdup ("");
}

static GStrv
text_to_tags (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", ",", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *tag = g_strstrip (parts[i]);

      if (*tag != '\0')
        g_strv_builder_add (builder, tag);
    }
  return g_strv_builder_end (builder);
}

static void
set_row_text (AdwEntryRow *row,
              const char  *text)
{
  gtk_editable_set_text (GTK_EDITABLE (row), text != NULL ? text : "");
}

static void
update_summary (ImuSessionView *self)
{
  ImuSession *session = shown_session (self);
  g_autofree char *date = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *text = NULL;
  GPtrArray *streams;
  guint n_streams;

  if (session == NULL)
    {
      gtk_label_set_text (self->summary_label, "");
      return;
    }
  date = imu_session_time_format (session, imu_session_get_start_ns (session), IMU_SESSION_TIME_LONG);
  duration = imu_format_duration (imu_session_get_duration_ns (session));
  streams = imu_session_get_streams (session);
  n_streams = streams != NULL ? streams->len : 0;
  /* Translators: date, duration and number of streams of the shown session */
  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %u stream", "%s · %s · %u streams", n_streams),
                          date, duration, n_streams);
  gtk_label_set_text (self->summary_label, text);
}

static void
fill_header (ImuSessionView *self)
{
  ImuSession *session = shown_session (self);
  g_autofree char *tags = NULL;

  if (session == NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->title_label), "");
      set_row_text (self->subject_row, NULL);
      set_row_text (self->activity_row, NULL);
      set_row_text (self->tags_row, NULL);
      set_row_text (self->notes_row, NULL);
      update_summary (self);
      return;
    }
  tags = tags_to_text (imu_session_get_tags (session));
  gtk_editable_set_text (GTK_EDITABLE (self->title_label), imu_session_get_title (session));
  set_row_text (self->subject_row, imu_session_get_subject (session));
  set_row_text (self->activity_row, imu_session_get_activity (session));
  set_row_text (self->tags_row, tags);
  set_row_text (self->notes_row, imu_session_get_notes (session));
  update_summary (self);
}

static void
set_loading (ImuSessionView *self,
             gboolean        loading)
{
  self->loading = loading;
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);
  /* Edits wait for the stored row: they are saved on top of it. */
  gtk_widget_set_sensitive (self->header, !loading);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* Another process (or window) changed the session: the list's object took
 * the stored values (imu_library_refresh). The header follows, except for
 * a field that is being edited right now; the shown copy takes the values
 * either way, so that saving that field keeps the others' new values. */
static void
listed_changed_cb (ImuSession     *listed,
                   GParamSpec     *pspec,
                   ImuSessionView *self)
{
  ImuSession *shown;

  if (self->details == NULL)
    return;
  shown = self->details->session;
  imu_session_set_title (shown, imu_session_get_title (listed));
  imu_session_set_subject (shown, imu_session_get_subject (listed));
  imu_session_set_activity (shown, imu_session_get_activity (listed));
  imu_session_set_notes (shown, imu_session_get_notes (listed));
  imu_session_set_tags (shown, imu_session_get_tags (listed));
  g_object_set (shown, "end-ns", imu_session_get_end_ns (listed), NULL);
  if (gtk_widget_get_focus_child (self->header) == NULL && !gtk_editable_label_get_editing (self->title_label))
    fill_header (self);
}

/* Saving the header */

typedef struct {
  ImuSessionView *view;
  gint64          session_id;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_object_unref (data->view);
  g_free (data);
}

static void
save_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  SaveData *data = user_data;
  ImuSessionView *self = data->view;
  g_autoptr(GError) error = NULL;

  if (!imu_library_save_session_finish (IMU_LIBRARY (object), result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not save the session: %s"), error->message);

      g_warning ("%s", text);
      toast (self, text);
    }
  else if (imu_session_view_get_session_id (self) == data->session_id)
    {
      update_summary (self);
      g_signal_emit (self, signals[SIGNAL_SAVED], 0);
    }
  save_data_free (data);
}

static void
save (ImuSessionView *self)
{
  SaveData *data;

  if (self->details == NULL || self->library == NULL)
    return;
  data = g_new0 (SaveData, 1);
  data->view = g_object_ref (self);
  data->session_id = imu_session_get_id (self->details->session);
  imu_library_save_session_async (self->library, self->details->session, NULL, save_done_cb, data);
}

static void
apply_field (ImuSessionView *self,
             const char     *field,
             const char     *text)
{
  ImuSession *session;
  g_autofree char *value = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (self->details == NULL)
    return;
  session = self->details->session;

  if (g_str_equal (field, "title"))
    {
      /* A session keeps a title: emptying it puts the old one back. */
      if (*value == '\0' || g_strcmp0 (value, imu_session_get_title (session)) == 0)
        {
          gtk_editable_set_text (GTK_EDITABLE (self->title_label), imu_session_get_title (session));
          return;
        }
      imu_session_set_title (session, value);
      gtk_editable_set_text (GTK_EDITABLE (self->title_label), value);
    }
  else if (g_str_equal (field, "subject"))
    {
      if (g_strcmp0 (value, imu_session_get_subject (session)) == 0)
        return;
      imu_session_set_subject (session, value);
    }
  else if (g_str_equal (field, "activity"))
    {
      if (g_strcmp0 (value, imu_session_get_activity (session)) == 0)
        return;
      imu_session_set_activity (session, value);
    }
  else if (g_str_equal (field, "notes"))
    {
      if (g_strcmp0 (value, imu_session_get_notes (session)) == 0)
        return;
      imu_session_set_notes (session, value);
    }
  else if (g_str_equal (field, "tags"))
    {
      g_auto(GStrv) tags = text_to_tags (value);
      g_autofree char *old = tags_to_text (imu_session_get_tags (session));
      g_autofree char *new = tags_to_text ((const char * const *) tags);

      set_row_text (self->tags_row, new);
      if (g_strcmp0 (old, new) == 0)
        return;
      imu_session_set_tags (session, (const char * const *) tags);
    }
  else
    g_return_if_reached ();

  save (self);
}

static void
title_editing_cb (ImuSessionView *self)
{
  if (gtk_editable_label_get_editing (self->title_label))
    return;
  apply_field (self, "title", gtk_editable_get_text (GTK_EDITABLE (self->title_label)));
}

static void
row_apply_cb (ImuSessionView *self,
              AdwEntryRow    *row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  if (row == self->subject_row)
    apply_field (self, "subject", text);
  else if (row == self->activity_row)
    apply_field (self, "activity", text);
  else if (row == self->tags_row)
    apply_field (self, "tags", text);
  else if (row == self->notes_row)
    apply_field (self, "notes", text);
}

/* The plot and the events page */

static gint64
view_centre (ImuSessionView *self)
{
  gint64 t0 = 0, t1 = 0;

  imu_plot_get_visible_range (IMU_PLOT (self->plot), &t0, &t1);
  if (t1 <= t0 && self->details != NULL)
    {
      t0 = imu_session_get_start_ns (self->details->session);
      t1 = imu_session_get_end_ns (self->details->session);
    }
  return t0 + (t1 - t0) / 2;
}

static void
event_activated_cb (ImuSessionView *self,
                    gint64          t_ns)
{
  imu_plot_show_event (IMU_PLOT (self->plot), t_ns);
  adw_view_stack_set_visible_child_name (self->stack, "signals");
  gtk_widget_grab_focus (self->plot);
}

/* A finding of the profile: its first location is shown in the plot, a
 * span (a gap, a flat line) whole with some context on either side. */
static void
finding_activated_cb (ImuSessionView *self,
                      gint64          t_ns,
                      gint64          duration_ns)
{
  imu_plot_show_range (IMU_PLOT (self->plot), t_ns, duration_ns);
  adw_view_stack_set_visible_child_name (self->stack, "signals");
  gtk_widget_grab_focus (self->plot);
}

static void
add_requested_cb (ImuSessionView *self)
{
  if (self->details != NULL)
    imu_events_page_add_marker (self->events_page, view_centre (self));
}

static void
events_changed_cb (ImuSessionView *self)
{
  imu_plot_reload_events (IMU_PLOT (self->plot));
}

static void
plot_marker_cb (ImuSessionView *self,
                ImuEvent       *event)
{
  imu_events_page_take_event (self->events_page, event);
}

/* The plot draws its clock axis at the session's tz-offset; it gets a copy
 * whose offset is the one rule's (imu-session-time.h), so that its axis
 * shows the clock times of the list and the header. The copy is the plot's
 * alone: the library's session keeps the offset its file stated. */
static ImuSession *
dup_plot_session (ImuSession *session)
{
  ImuSession *copy = g_object_new (IMU_TYPE_SESSION,
                                   "id", imu_session_get_id (session),
                                   "title", imu_session_get_title (session),
                                   "subject", imu_session_get_subject (session),
                                   "start-ns", imu_session_get_start_ns (session),
                                   "end-ns", imu_session_get_end_ns (session),
                                   "tz-offset", imu_session_time_offset (session),
                                   NULL);

  g_object_bind_property (session, "title", copy, "title", G_BINDING_DEFAULT);
  return copy;
}

/* A session without a date has no clock: its axis is elapsed time,
 * whatever the preference says. */
static void
sync_plot_time_axis (ImuSessionView *self)
{
  ImuSession *session = shown_session (self);
  g_autofree char *axis = g_settings_get_string (self->settings, "time-axis");
  gboolean elapsed = g_str_equal (axis, "elapsed")
                     || (session != NULL && !imu_session_time_is_dated (session));

  imu_plot_set_time_axis (IMU_PLOT (self->plot), elapsed ? IMU_PLOT_TIME_ELAPSED : IMU_PLOT_TIME_CLOCK);
}

static void
time_axis_changed_cb (ImuSessionView *self)
{
  sync_plot_time_axis (self);
}

static void
set_plot_session (ImuSessionView *self,
                  ImuSession     *session)
{
  g_autoptr(ImuSession) copy = dup_plot_session (session);

  imu_plot_set_session (IMU_PLOT (self->plot), imu_library_get_path (self->library), copy);
  sync_plot_time_axis (self);
}

static void
plot_selection_cb (ImuSessionView *self,
                   gint64          t0_ns,
                   gint64          t1_ns)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *text = NULL;
  g_autofree char *axis = NULL;
  ImuSession *session = shown_session (self);
  gboolean elapsed;

  if (session == NULL || t1_ns <= t0_ns)
    {
      gtk_label_set_text (self->range_label, "");
      return;
    }
  axis = g_settings_get_string (self->settings, "time-axis");
  elapsed = g_str_equal (axis, "elapsed") || !imu_session_time_is_dated (session);
  from = imu_format_event_time (t0_ns, imu_session_get_start_ns (session), imu_session_time_offset (session), elapsed);
  to = imu_format_event_time (t1_ns, imu_session_get_start_ns (session), imu_session_time_offset (session), elapsed);
  /* Translators: the selected range of the plot and its length in seconds */
  text = g_strdup_printf (_("Selected %s – %s (%.3f s)"), from, to, (double) (t1_ns - t0_ns) / 1e9);
  gtk_label_set_text (self->range_label, text);
}

static void
zoom_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ImuSessionView *self = IMU_SESSION_VIEW (widget);
  ImuPlot *plot = IMU_PLOT (self->plot);

  if (self->details == NULL)
    return;
  if (g_str_equal (action_name, "session.zoom-in"))
    imu_plot_zoom (plot, IMU_PLOT_ZOOM_STEP, view_centre (self));
  else if (g_str_equal (action_name, "session.zoom-out"))
    imu_plot_zoom (plot, 1.0 / IMU_PLOT_ZOOM_STEP, view_centre (self));
  else if (g_str_equal (action_name, "session.fit"))
    imu_plot_fit (plot);
  else if (g_str_equal (action_name, "session.add-marker") && imu_plot_get_live (plot)
           && imu_session_get_state (self->listed) == IMU_SESSION_STATE_RECORDING)
    /* Following a recording, a mark is for what is happening now. */
    imu_session_view_mark_now (self, NULL);
  else if (g_str_equal (action_name, "session.add-marker"))
    imu_events_page_add_marker (self->events_page, view_centre (self));
  else if (g_str_equal (action_name, "session.export"))
    gtk_widget_activate_action (self->plot, "plot.export", NULL);
}

/* Recording: the bar over the tabs, following the newest samples */

static gboolean
is_recording (ImuSessionView *self)
{
  return self->listed != NULL && imu_session_get_state (self->listed) == IMU_SESSION_STATE_RECORDING;
}

/* Whether this window's recording writes the shown session (else another
 * program or window does, and only it can stop it). */
static gboolean
is_own_recording (ImuSessionView *self)
{
  return self->recording != NULL && self->listed != NULL && imu_recording_get_active (self->recording)
         && imu_recording_has_session (self->recording, imu_session_get_id (self->listed));
}

static void
update_stats (ImuSessionView *self)
{
  g_autoptr(GPtrArray) stats = NULL;
  g_autoptr(GHashTable) issues = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *button = NULL;
  gint64 id, *count;
  guint n = 0;
  double rate = 0;

  if (!is_own_recording (self))
    return;
  id = imu_session_get_id (self->listed);
  stats = imu_recording_dup_stats (self->recording);
  for (guint i = 0; i < stats->len; i++)
    {
      const ImuRecordStreamStats *st = g_ptr_array_index (stats, i);

      if (st->session_id != id)
        continue;
      n++;
      rate += st->rate_hz;
      if (text->len > 0)
        g_string_append_c (text, '\n');
      /* Translators: one stream of a recording: its name, samples received, effective rate */
      g_string_append_printf (text, _("%s: %lld samples, %.1f Hz"), st->name, (long long) st->samples, st->rate_hz);
      if (st->backwards + st->duplicates + st->late > 0)
        /* Translators: appended to a stream's line: samples with odd times */
        g_string_append_printf (text, _(", %lld with odd times"),
                                (long long) (st->backwards + st->duplicates + st->late));
    }
  issues = imu_recording_dup_issue_counts (self->recording);
  if ((count = g_hash_table_lookup (issues, IMU_RECORD_ISSUE_MALFORMED)) != NULL && *count > 0)
    {
      g_string_append_c (text, '\n');
      /* Translators: messages of a recording that could not be read */
      g_string_append_printf (text, _("Malformed messages: %lld"), (long long) *count);
    }
  if ((count = g_hash_table_lookup (issues, IMU_RECORD_ISSUE_NOT_FOUND)) != NULL && *count > 0)
    {
      g_string_append_c (text, '\n');
      /* Translators: requests for another address than the recording's */
      g_string_append_printf (text, _("Refused requests: %lld"), (long long) *count);
    }
  if (text->len == 0)
    g_string_append (text, _("Nothing has arrived yet."));
  gtk_label_set_text (self->stats_label, text->str);
  /* Translators: the button over a recording's per-stream figures */
  button = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stream · %.0f Hz", "%u streams · %.0f Hz", n), n, rate);
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->stats_button), button);
}

static void
update_record_bar (ImuSessionView *self)
{
  gboolean recording = is_recording (self);
  gboolean interrupted = self->listed != NULL
                         && imu_session_get_state (self->listed) == IMU_SESSION_STATE_INTERRUPTED;
  gboolean own = is_own_recording (self);
  const char *origin = self->listed != NULL ? imu_session_get_origin_path (self->listed) : NULL;
  /* Sensor Logger makes a session per phone: those cannot be resumed. */
  gboolean resumable = interrupted && origin != NULL && strchr (origin, ':') != NULL
                       && !g_str_has_prefix (origin, "sensorlogger");

  gtk_widget_set_visible (self->record_bar, recording || interrupted);
  gtk_widget_set_visible (self->stop_button, own);
  gtk_widget_set_visible (self->stats_button, own);
  gtk_widget_set_visible (self->mark_now_button, recording && self->details != NULL);
  gtk_widget_set_visible (self->follow_button, recording && !imu_plot_get_live (IMU_PLOT (self->plot)));
  gtk_widget_set_visible (self->resume_button, resumable && (self->recording == NULL || !imu_recording_get_active (self->recording)));
  /* The action's target is the session: set before the name, so that the
   * button never names the action without it. */
  if (resumable)
    {
      gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->resume_button),
                                              g_variant_new_int64 (imu_session_get_id (self->listed)));
      gtk_actionable_set_action_name (GTK_ACTIONABLE (self->resume_button), "win.resume-recording");
    }
  if (recording)
    {
      gint64 elapsed_us = MAX (g_get_real_time () - imu_session_get_created_us (self->listed), 0);
      g_autofree char *elapsed = imu_format_duration (elapsed_us * 1000);
      g_autofree char *text = NULL;

      gtk_image_set_from_icon_name (self->record_icon, "media-record-symbolic");
      gtk_widget_add_css_class (GTK_WIDGET (self->record_icon), "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->record_icon), "warning");
      /* Translators: the bar over a session being recorded, with the time since it began */
      text = own ? g_strdup_printf (_("Recording · %s"), elapsed)
                 : g_strdup_printf (_("Recording in another program · %s"), elapsed);
      gtk_label_set_text (self->record_label, text);
      update_stats (self);
    }
  else if (interrupted)
    {
      gtk_image_set_from_icon_name (self->record_icon, "dialog-warning-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->record_icon), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->record_icon), "warning");
      gtk_label_set_text (self->record_label,
                          resumable ? _("Interrupted: the recording ended without being stopped. Every committed sample is kept; you can go on recording after a gap.")
                                    : _("Interrupted: the recording ended without being stopped. Every committed sample is kept."));
    }
}

static gboolean
record_tick_cb (gpointer user_data)
{
  ImuSessionView *self = user_data;

  update_record_bar (self);
  return G_SOURCE_CONTINUE;
}

static void
sync_record_tick (ImuSessionView *self)
{
  if (is_recording (self) && self->record_tick_id == 0)
    self->record_tick_id = g_timeout_add (RECORD_TICK_MS, record_tick_cb, self);
  else if (!is_recording (self))
    g_clear_handle_id (&self->record_tick_id, g_source_remove);
  update_record_bar (self);
}

/* The session grew (a commit of this window's recorder, or another
 * program's seen by the library's refresh): the plot reads it again from
 * the library. */
static void
session_grew (ImuSessionView *self)
{
  if (self->details == NULL)
    return;
  if (g_str_equal (gtk_stack_get_visible_child_name (self->signals_stack), "empty"))
    gtk_stack_set_visible_child_name (self->signals_stack, "plot");
  imu_plot_session_grew (IMU_PLOT (self->plot));
}

static void
listed_state_cb (ImuSessionView *self,
                 GParamSpec     *pspec,
                 ImuSession     *listed)
{
  const char *name = g_param_spec_get_name (pspec);

  if (g_str_equal (name, "state"))
    {
      /* Stopped: the last commit is read, and the view stays where it is. */
      session_grew (self);
      sync_record_tick (self);
    }
  else if (g_str_equal (name, "end-ns") && is_recording (self) && !is_own_recording (self))
    session_grew (self);
}

static void
recording_committed_cb (ImuSessionView *self)
{
  if (is_own_recording (self))
    session_grew (self);
  update_record_bar (self);
}

static void
plot_live_cb (ImuSessionView *self)
{
  update_record_bar (self);
}

static void
follow_clicked_cb (ImuSessionView *self)
{
  imu_plot_set_live (IMU_PLOT (self->plot), TRUE);
}

static void
mark_popover_show_cb (ImuSessionView *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->mark_entry), "");
  gtk_widget_grab_focus (GTK_WIDGET (self->mark_entry));
}

/* "Now" is the newest sample in the library: what a person watching the
 * live plot sees at its right edge. */
static void
mark_now_cb (ImuSessionView *self)
{
  g_autofree char *label = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->mark_entry))));

  gtk_popover_popdown (self->mark_popover);
  imu_session_view_mark_now (self, *label != '\0' ? label : NULL);
}

/* Loading */

static void
details_loaded_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ImuSessionView) self = user_data;
  g_autoptr(ImuSessionDetails) details = NULL;
  g_autoptr(GError) error = NULL;

  details = imu_library_load_details_finish (IMU_LIBRARY (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->listed == NULL
      || (details != NULL && imu_session_get_id (details->session) != imu_session_get_id (self->listed)))
    return;
  if (details == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the session: %s"), error->message);

      g_warning ("%s", text);
      toast (self, text);
      set_loading (self, FALSE);
      gtk_widget_set_sensitive (self->header, FALSE);
      return;
    }

  self->details = g_steal_pointer (&details);
  fill_header (self);
  {
    GPtrArray *streams = imu_session_get_streams (self->details->session);
    gtk_stack_set_visible_child_name (self->signals_stack,
                                      streams != NULL && streams->len > 0 ? "plot" : "empty");
  }
  set_plot_session (self, self->details->session);
  /* A session being recorded shows its newest samples, and follows them. */
  if (is_recording (self))
    {
      gtk_stack_set_visible_child_name (self->signals_stack, "plot");
      imu_plot_set_live (IMU_PLOT (self->plot), TRUE);
    }
  imu_events_page_set_session (self->events_page, self->library, self->details->session, self->details->events);
  imu_details_page_set_details (self->details_page, self->details);
  imu_profile_page_set_session (self->profile_page, imu_library_get_path (self->library),
                                imu_session_get_id (self->details->session));
  set_loading (self, FALSE);
  sync_record_tick (self);
}

static gboolean
release_plot_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
imu_session_view_dispose (GObject *object)
{
  ImuSessionView *self = IMU_SESSION_VIEW (object);

  /* The plot's worker thread holds references to the plot while it runs a
   * job; if it dropped the last one, the plot would be finalized in that
   * thread and wait for itself to stop. The last reference is therefore
   * dropped here on the main thread, once the jobs in flight are done. */
  if (self->plot != NULL)
    g_timeout_add_seconds (5, release_plot_cb, g_object_ref (self->plot));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_SESSION_VIEW);
  /* Children of the template without an id are not bound, so
   * gtk_widget_dispose_template() leaves them: they go here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  self->plot = NULL;
  if (self->listed != NULL)
    {
      g_clear_signal_handler (&self->listed_changed_id, self->listed);
      g_clear_signal_handler (&self->listed_state_id, self->listed);
    }
  g_clear_object (&self->listed);
  g_clear_handle_id (&self->record_tick_id, g_source_remove);
  if (self->recording != NULL)
    g_signal_handlers_disconnect_by_data (self->recording, self);
  g_clear_object (&self->recording);
  g_clear_pointer (&self->details, imu_session_details_free);
  g_clear_object (&self->library);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (imu_session_view_parent_class)->dispose (object);
}

static void
imu_session_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ImuSessionView *self = IMU_SESSION_VIEW (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, imu_session_view_get_loading (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_session_view_class_init (ImuSessionViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_session_view_dispose;
  object_class->get_property = imu_session_view_get_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  g_type_ensure (IMU_TYPE_EVENTS_PAGE);
  g_type_ensure (IMU_TYPE_DETAILS_PAGE);
  g_type_ensure (IMU_TYPE_PROFILE_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-session-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, header);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, title_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, spinner);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, summary_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, subject_row);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, tags_row);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, activity_row);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, notes_row);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, stack);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, signals_stack);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, signals_box);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, range_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, events_page);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, details_page);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, profile_page);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, record_bar);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, record_icon);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, record_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, stats_button);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, stats_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, follow_button);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, mark_now_button);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, mark_popover);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, mark_entry);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, stop_button);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionView, resume_button);
  gtk_widget_class_bind_template_callback (widget_class, follow_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, mark_popover_show_cb);
  gtk_widget_class_bind_template_callback (widget_class, mark_now_cb);
  gtk_widget_class_bind_template_callback (widget_class, title_editing_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, event_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, finding_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_requested_cb);
  gtk_widget_class_bind_template_callback (widget_class, events_changed_cb);

  gtk_widget_class_install_action (widget_class, "session.zoom-in", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "session.zoom-out", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "session.fit", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "session.add-marker", NULL, zoom_action);
  gtk_widget_class_install_action (widget_class, "session.export", NULL, zoom_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_plus, GDK_CONTROL_MASK, "session.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_equal, GDK_CONTROL_MASK, "session.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Add, GDK_CONTROL_MASK, "session.zoom-in", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_minus, GDK_CONTROL_MASK, "session.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Subtract, GDK_CONTROL_MASK, "session.zoom-out", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_0, GDK_CONTROL_MASK, "session.fit", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_m, GDK_CONTROL_MASK, "session.add-marker", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK, "session.export", NULL);
}

static void
imu_session_view_init (ImuSessionView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (IMU_APP_ID);
  self->plot = imu_plot_new ();
  gtk_widget_set_vexpand (self->plot, TRUE);
  gtk_widget_set_hexpand (self->plot, TRUE);
  imu_plot_bind_settings (IMU_PLOT (self->plot), self->settings);
  /* After the plot's own binding, so that an undated session stays elapsed. */
  g_signal_connect_object (self->settings, "changed::time-axis",
                           G_CALLBACK (time_axis_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->plot, "marker-added", G_CALLBACK (plot_marker_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->plot, "marker-changed", G_CALLBACK (plot_marker_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->plot, "selection-changed", G_CALLBACK (plot_selection_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->plot, "notify::live", G_CALLBACK (plot_live_cb), self, G_CONNECT_SWAPPED);
  gtk_box_append (self->signals_box, self->plot);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), FALSE);
}

GtkWidget *
imu_session_view_new (void)
{
  return g_object_new (IMU_TYPE_SESSION_VIEW, NULL);
}

/**
 * imu_session_view_set_session:
 * @session: (nullable): a session of @library's list
 *
 * Shows @session's header at once and reads its streams, events and import
 * audit off the main thread. Does not block.
 */
void
imu_session_view_set_session (ImuSessionView *self,
                              ImuLibrary     *library,
                              ImuSession     *session)
{
  g_return_if_fail (IMU_IS_SESSION_VIEW (self));
  g_return_if_fail (session == NULL || IMU_IS_LIBRARY (library));

  if (session != NULL && self->listed == session && self->library == library)
    return;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->details, imu_session_details_free);
  g_set_object (&self->library, library);
  if (self->listed != NULL)
    {
      g_clear_signal_handler (&self->listed_changed_id, self->listed);
      g_clear_signal_handler (&self->listed_state_id, self->listed);
    }
  g_set_object (&self->listed, session);
  if (session != NULL)
    {
      self->listed_changed_id = g_signal_connect_object (session, "notify::updated-us",
                                                         G_CALLBACK (listed_changed_cb), self, 0);
      self->listed_state_id = g_signal_connect_object (session, "notify", G_CALLBACK (listed_state_cb), self,
                                                       G_CONNECT_SWAPPED);
    }
  g_clear_handle_id (&self->record_tick_id, g_source_remove);
  gtk_widget_set_visible (self->record_bar, FALSE);

  gtk_label_set_text (self->range_label, "");
  gtk_stack_set_visible_child_name (self->signals_stack, "plot");
  imu_plot_set_session (IMU_PLOT (self->plot), library != NULL ? imu_library_get_path (library) : NULL, NULL);
  imu_events_page_set_session (self->events_page, library, NULL, NULL);
  imu_details_page_set_details (self->details_page, NULL);
  imu_profile_page_set_session (self->profile_page, NULL, 0);
  fill_header (self);

  if (session == NULL)
    {
      set_loading (self, FALSE);
      return;
    }

  self->cancellable = g_cancellable_new ();
  set_loading (self, TRUE);
  imu_library_load_details_async (library, imu_session_get_id (session), self->cancellable,
                                  details_loaded_cb, g_object_ref (self));
}

gint64
imu_session_view_get_session_id (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), 0);
  return self->listed != NULL ? imu_session_get_id (self->listed) : 0;
}

ImuSession *
imu_session_view_get_session (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), NULL);
  return self->details != NULL ? self->details->session : NULL;
}

gboolean
imu_session_view_get_loading (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), FALSE);
  return self->loading;
}

AdwViewStack *
imu_session_view_get_stack (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), NULL);
  return self->stack;
}

ImuPlot *
imu_session_view_get_plot (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), NULL);
  return IMU_PLOT (self->plot);
}

ImuEventsPage *
imu_session_view_get_events_page (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), NULL);
  return self->events_page;
}

ImuDetailsPage *
imu_session_view_get_details_page (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), NULL);
  return self->details_page;
}

ImuProfilePage *
imu_session_view_get_profile_page (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), NULL);
  return self->profile_page;
}

void
imu_session_view_edit_field (ImuSessionView *self,
                             const char     *field,
                             const char     *text)
{
  g_return_if_fail (IMU_IS_SESSION_VIEW (self));
  g_return_if_fail (field != NULL);

  if (g_str_equal (field, "title"))
    gtk_editable_set_text (GTK_EDITABLE (self->title_label), text);
  else if (g_str_equal (field, "subject"))
    set_row_text (self->subject_row, text);
  else if (g_str_equal (field, "activity"))
    set_row_text (self->activity_row, text);
  else if (g_str_equal (field, "tags"))
    set_row_text (self->tags_row, text);
  else if (g_str_equal (field, "notes"))
    set_row_text (self->notes_row, text);
  apply_field (self, field, text);
}

/**
 * imu_session_view_set_recording:
 * @recording: (nullable): the window's recording
 *
 * The view follows @recording's commits when it shows one of its sessions,
 * and offers to stop it. Does not block.
 */
void
imu_session_view_set_recording (ImuSessionView *self,
                                ImuRecording   *recording)
{
  g_return_if_fail (IMU_IS_SESSION_VIEW (self));

  if (self->recording == recording)
    return;
  if (self->recording != NULL)
    g_signal_handlers_disconnect_by_data (self->recording, self);
  g_set_object (&self->recording, recording);
  if (recording != NULL)
    {
      g_signal_connect_object (recording, "committed", G_CALLBACK (recording_committed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (recording, "notify::active", G_CALLBACK (update_record_bar), self, G_CONNECT_SWAPPED);
    }
  update_record_bar (self);
}

/**
 * imu_session_view_mark_now:
 * @label: (nullable)
 *
 * Adds a marker at the newest sample of the session being recorded (the
 * live plot's right edge), stored off the main thread. Does nothing when
 * the session is not being recorded or nothing arrived yet.
 */
void
imu_session_view_mark_now (ImuSessionView *self,
                           const char     *label)
{
  gint64 t;

  g_return_if_fail (IMU_IS_SESSION_VIEW (self));

  if (self->details == NULL || !is_recording (self))
    return;
  if ((t = imu_plot_get_live_edge (IMU_PLOT (self->plot))) <= 0)
    return;
  imu_plot_add_marker (IMU_PLOT (self->plot), t, label);
}

GtkWidget *
imu_session_view_get_record_bar (ImuSessionView *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_VIEW (self), NULL);
  return self->record_bar;
}
