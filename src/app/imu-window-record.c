/* imu-window-record.c — the window's live recording: the Record dialog,
 * Stop, Resume, and asking before quitting while recording
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One recording per window at a time (ImuRecording: the recorder on its
 * own thread and store connection). Its sessions join the library list as
 * soon as their first commit lands; the first is selected, and the session
 * view follows it from the library like any plot.
 */
#define G_LOG_DOMAIN "imu-window"

#include <glib/gi18n.h>

#include "imu-record-dialog.h"
#include "imu-window-private.h"

static void update_record_actions (ImuWindow *self);

static gboolean
recording_active (ImuWindow *self)
{
  return self->recording != NULL && imu_recording_get_active (self->recording);
}

static void
update_record_actions (ImuWindow *self)
{
  GAction *record = g_action_map_lookup_action (G_ACTION_MAP (self), "record");
  GAction *stop = g_action_map_lookup_action (G_ACTION_MAP (self), "stop-recording");
  GAction *resume = g_action_map_lookup_action (G_ACTION_MAP (self), "resume-recording");
  gboolean busy = self->recording != NULL;

  g_simple_action_set_enabled (G_SIMPLE_ACTION (record), !busy && self->library != NULL);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (stop), recording_active (self));
  g_simple_action_set_enabled (G_SIMPLE_ACTION (resume), !busy && self->library != NULL);

  /* While recording, the header's Record button is the way to stop, also
   * before a phone's first batch made a session to show. */
  for (guint i = 0; i < 2; i++)
    {
      GtkButton *button = i == 0 ? self->record_button : self->empty_record_button;

      if (button == NULL)
        continue;
      gtk_button_set_icon_name (button, busy ? "media-playback-stop-symbolic" : "media-record-symbolic");
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), busy ? "win.stop-recording" : "win.record");
      gtk_widget_set_tooltip_text (GTK_WIDGET (button), busy ? _("Stop Recording") : _("Record…"));
      if (busy)
        gtk_widget_add_css_class (GTK_WIDGET (button), "destructive-action");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (button), "destructive-action");
    }
}

/* A new session of the recording is in the file: into the list, and the
 * first one shown. */
static void
session_added_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(ImuWindow) self = user_data;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id;

  session = imu_library_add_session_finish (IMU_LIBRARY (object), result, &error);
  if (session == NULL || IMU_LIBRARY (object) != self->library)
    return;
  id = imu_session_get_id (session);
  if (self->recording_selected == 0 || self->recording_selected == id)
    {
      self->recording_selected = id;
      imu_window_select_session (self, id);
    }
}

static void
recording_committed_cb (ImuWindow *self)
{
  g_autoptr(GArray) ids = NULL;

  if (self->recording == NULL || self->library == NULL)
    return;
  ids = imu_recording_dup_session_ids (self->recording);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      if (imu_library_lookup (self->library, id) == NULL)
        imu_library_add_session_async (self->library, id, NULL, session_added_cb, g_object_ref (self));
      else if (self->recording_selected == 0)
        {
          /* A resumed session: listed already. */
          self->recording_selected = id;
          imu_window_select_session (self, id);
        }
    }
  /* Durations and states of the listed sessions follow. */
  imu_library_refresh (self->library);
}

static void
recording_finished_cb (ImuWindow    *self,
                       const GError *error)
{
  g_autoptr(ImuRecording) recording = g_steal_pointer (&self->recording);

  if (recording != NULL)
    g_signal_handlers_disconnect_by_data (recording, self);
  self->recording_selected = 0;
  if (self->session_view != NULL)
    imu_session_view_set_recording (self->session_view, NULL);
  if (self->library != NULL)
    imu_library_refresh (self->library);
  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The recording stopped: %s"), error->message);
      AdwToast *toast = adw_toast_new (text);

      adw_toast_set_timeout (toast, 0);
      imu_window_show_toast (self, toast);
      g_warning ("%s", text);
    }
  update_record_actions (self);
  if (self->quit_confirmed)
    gtk_window_close (GTK_WINDOW (self));
}

static void
take_recording (ImuWindow    *self,
                ImuRecording *recording)
{
  g_set_object (&self->recording, recording);
  self->recording_selected = 0;
  g_signal_connect_object (recording, "committed", G_CALLBACK (recording_committed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (recording, "finished", G_CALLBACK (recording_finished_cb), self, G_CONNECT_SWAPPED);
  imu_session_view_set_recording (imu_window_get_session_view (self), recording);
  update_record_actions (self);
  /* The session of a one-session source is committed at start. */
  recording_committed_cb (self);
}

static void
dialog_started_cb (ImuWindow    *self,
                   ImuRecording *recording)
{
  take_recording (self, recording);
}

static void
dialog_destroy_cb (ImuWindow *self)
{
  self->record_dialog = NULL;
}

static void
record_action (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       user_data)
{
  ImuWindow *self = user_data;

  if (self->library == NULL || self->recording != NULL)
    return;
  if (self->record_dialog == NULL)
    {
      self->record_dialog = imu_record_dialog_new (GTK_WINDOW (self), self->library);
      g_signal_connect_object (self->record_dialog, "started", G_CALLBACK (dialog_started_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->record_dialog, "destroy", G_CALLBACK (dialog_destroy_cb), self, G_CONNECT_SWAPPED);
    }
  gtk_window_present (GTK_WINDOW (self->record_dialog));
}

static void
stop_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(ImuWindow) self = user_data;

  /* An error is told by "finished". */
  imu_recording_stop_finish (IMU_RECORDING (object), result, NULL);
}

static void
stop_recording_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ImuWindow *self = user_data;

  if (!recording_active (self))
    return;
  g_simple_action_set_enabled (action, FALSE);
  imu_recording_stop_async (self->recording, stop_done_cb, g_object_ref (self));
}

/* Resuming an interrupted session: the same source, the same session. */

static void
resume_started_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(ImuWindow) self = user_data;
  ImuRecording *recording = IMU_RECORDING (object);
  g_autoptr(GError) error = NULL;

  if (!imu_recording_start_finish (recording, result, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot resume the recording: %s"), error->message);

      imu_window_show_toast (self, adw_toast_new (text));
      g_clear_object (&self->recording);
      g_object_unref (recording);
      update_record_actions (self);
      return;
    }
  take_recording (self, recording);
  g_object_unref (recording);
}

static void
resume_recording_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  ImuWindow *self = user_data;
  gint64 id = g_variant_get_int64 (parameter);
  ImuSession *session;
  ImuRecording *recording;
  g_autoptr(GError) error = NULL;
  ImuRecordingOptions options = { 0 };

  if (self->library == NULL || self->recording != NULL || !(session = imu_library_lookup (self->library, id)))
    return;
  options.spec = imu_session_get_origin_path (session);
  options.resume_session_id = id;
  if (options.spec == NULL
      || !(recording = imu_recording_new (imu_library_get_path (self->library), &options, &error)))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot resume the recording: %s"),
                                               error != NULL ? error->message : _("its source is not known"));

      imu_window_show_toast (self, adw_toast_new (text));
      return;
    }
  /* Held while it starts: nothing else may begin meanwhile. */
  self->recording = g_object_ref (recording);
  update_record_actions (self);
  imu_recording_start_async (recording, resume_started_cb, g_object_ref (self));
}

/* Quitting while recording */

static void
quit_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  ImuWindow        *self)
{
  if (!g_str_equal (response, "stop"))
    return;
  self->quit_confirmed = TRUE;
  if (recording_active (self))
    imu_recording_stop_async (self->recording, stop_done_cb, g_object_ref (self));
  else
    gtk_window_close (GTK_WINDOW (self));
}

/**
 * imu_window_record_close_request:
 *
 * Returns: %TRUE when the window must stay: a recording runs, and the
 *   person is asked first ("Stop Recording and Quit?"); on confirm the
 *   recording stops (everything committed) and the window closes.
 */
gboolean
imu_window_record_close_request (ImuWindow *self)
{
  AdwMessageDialog *dialog;

  if (self->recording == NULL)
    return FALSE;
  if (self->quit_confirmed)
    return TRUE;  /* stopping: the window closes when that is done */
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), _("Stop Recording and Quit?"),
                                                       _("A recording is running. Stopping it keeps everything "
                                                         "received so far in the library.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Keep Recording"), "stop", _("_Stop and Quit"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "stop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (quit_response_cb), self, 0);
  imu_window_show_dialog (self, dialog);
  return TRUE;
}

static const GActionEntry record_actions[] = {
  { "record", record_action, NULL, NULL, NULL },
  { "stop-recording", stop_recording_action, NULL, NULL, NULL },
  { "resume-recording", resume_recording_action, "x", NULL, NULL },
};

void
imu_window_record_init (ImuWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), record_actions, G_N_ELEMENTS (record_actions), self);
  update_record_actions (self);
}

/* The library changed: actions follow. */
void
imu_window_record_update_actions (ImuWindow *self)
{
  update_record_actions (self);
}

void
imu_window_record_dispose (ImuWindow *self)
{
  if (self->record_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->record_dialog));
  self->record_dialog = NULL;
  if (self->recording != NULL)
    g_signal_handlers_disconnect_by_data (self->recording, self);
  /* Disposing a running recording stops it (blocking, one last commit). */
  g_clear_object (&self->recording);
}

ImuRecording *
imu_window_get_recording (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return self->recording;
}

ImuRecordDialog *
imu_window_get_record_dialog (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return self->record_dialog;
}
