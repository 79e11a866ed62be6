/* imu-window-export.c — exporting the selected session: the action, the
 * dialog, and what the export ended with
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-window"

#include <glib/gi18n.h>

#include "imu-bundle.h"
#include "imu-window-private.h"

static void
export_done_cb (ImuExportDialog *dialog,
                const char      *written,
                gpointer         error_pointer,
                ImuWindow       *self)
{
  const GError *error = error_pointer;
  g_autofree char *escaped = g_markup_escape_text (imu_export_dialog_get_title (dialog), -1);

  if (self->export_dialog == dialog)
    self->export_dialog = NULL;
  if (gtk_widget_in_destruction (GTK_WIDGET (self)))
    return;

  if (written != NULL)
    {
      g_autofree char *text = NULL;
      g_autofree char *uri = NULL;
      g_autoptr(GFile) file = g_file_new_for_path (written);
      g_autoptr(GFile) shown = NULL;
      AdwToast *toast;
      gboolean folder = g_file_test (written, G_FILE_TEST_IS_DIR);
      gboolean bundle = g_str_has_suffix (written, IMU_BUNDLE_EXTENSION);

      /* Translators: a toast after a session was exported */
      text = g_strdup_printf (_("Exported “%s”"), escaped);
      toast = adw_toast_new (text);
      /* A CSV opens in what opens CSVs; a folder, and the folder a bundle
       * is in, open in the file manager. */
      shown = folder || !bundle ? g_object_ref (file) : g_file_get_parent (file);
      uri = g_file_get_uri (shown);
      adw_toast_set_button_label (toast, folder || !bundle ? _("_Open") : _("Open _Folder"));
      adw_toast_set_action_name (toast, "win.open-export");
      adw_toast_set_action_target_value (toast, g_variant_new_string (uri));
      adw_toast_set_timeout (toast, 8);
      imu_window_show_toast (self, toast);
      return;
    }

  if (error == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  {
    /* Translators: heading of the dialog shown when an export failed */
    g_autofree char *heading = g_strdup_printf (_("Could Not Export “%s”"), imu_export_dialog_get_title (dialog));
    AdwMessageDialog *message;

    message = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, error->message));
    adw_message_dialog_add_responses (message, "close", _("_Close"), NULL);
    adw_message_dialog_set_default_response (message, "close");
    adw_message_dialog_set_close_response (message, "close");
    gtk_widget_add_css_class (GTK_WIDGET (message), "export-error");
    imu_window_show_dialog (self, message);
  }
}

/* The selected session as the session view read it, with its streams:
 * whether it goes back as one CSV depends on them. NULL while it loads. */
static ImuSession *
loaded_selected_session (ImuWindow *self)
{
  ImuSession *selected = gtk_single_selection_get_selected_item (self->selection);
  ImuSession *loaded = self->session_view != NULL ? imu_session_view_get_session (self->session_view) : NULL;

  if (selected == NULL || loaded == NULL || imu_session_get_id (loaded) != imu_session_get_id (selected))
    return NULL;
  return loaded;
}

static void
export_session_action (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  ImuWindow *self = user_data;
  ImuSession *session = loaded_selected_session (self);

  if (self->library == NULL || session == NULL)
    return;
  /* One export dialog at a time; the one already there comes forward. */
  if (self->export_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->export_dialog));
      return;
    }
  self->export_dialog = imu_export_dialog_new (GTK_WINDOW (self), imu_library_get_path (self->library), session);
  g_signal_connect_object (self->export_dialog, "done", G_CALLBACK (export_done_cb), self, 0);
  gtk_window_present (GTK_WINDOW (self->export_dialog));
}

static void
open_export_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  ImuWindow *self = user_data;

  /* GtkFileLauncher is GTK 4.10: gtk_show_uri() is 4.8's way. */
  gtk_show_uri (GTK_WINDOW (self), g_variant_get_string (parameter, NULL), GDK_CURRENT_TIME);
}

static const GActionEntry export_actions[] = {
  { "export-session", export_session_action, NULL, NULL, NULL },
  { "open-export", open_export_action, "s", NULL, NULL },
};

void
imu_window_export_init (ImuWindow *self)
{
  g_action_map_add_action_entries (G_ACTION_MAP (self), export_actions, G_N_ELEMENTS (export_actions), self);
}

void
imu_window_export_update_actions (ImuWindow *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "export-session");

  g_simple_action_set_enabled (G_SIMPLE_ACTION (action), loaded_selected_session (self) != NULL);
}

void
imu_window_export_dispose (ImuWindow *self)
{
  /* A running export stops with the window. */
  if (self->export_dialog != NULL)
    {
      ImuExportDialog *dialog = g_steal_pointer (&self->export_dialog);

      imu_export_dialog_cancel (dialog);
      /* The dialog outlives the window until its worker has cleaned up:
       * it must not keep pointing at the window (GTK 4.8 disconnects from
       * the transient parent when the dialog goes, even a freed one). */
      gtk_window_set_transient_for (GTK_WINDOW (dialog), NULL);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

ImuExportDialog *
imu_window_get_export_dialog (ImuWindow *self)
{
  g_return_val_if_fail (IMU_IS_WINDOW (self), NULL);
  return self->export_dialog;
}
