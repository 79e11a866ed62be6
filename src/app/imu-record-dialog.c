/* imu-record-dialog.c — choose a live source and start recording it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The dialog builds the source's spec (the one `imu record --source`
 * takes), starts an ImuRecording off the main thread and hands it over with
 * "started". A phone (Sensor Logger) needs the push address, which carries
 * a token made for each recording: it is known only once the source
 * listens, so the dialog then shows it, with a QR code of it, until the
 * first batch arrives or the dialog is closed.
 */
#define G_LOG_DOMAIN "imu-record-dialog"

#include <string.h>

#include <glib/gi18n.h>

#include "imu-record-dialog.h"
#include "imu-record-qr.h"

/* The rows of the source combo, in its order. */
enum {
  SOURCE_PHONE,
  SOURCE_PHYPHOX,
  SOURCE_UDP,
  SOURCE_SERIAL,
  SOURCE_REPLAY,
};

static const char * const source_schemes[] = { "sensorlogger", "phyphox", "udp", "serial", "replay" };

/* The QR code's light margin, in modules (the standard's 4), and its
 * size on screen: modules are whole pixels, so the code stays sharp. */
#define QR_QUIET_ZONE 4
#define QR_TARGET_PX  264

struct _ImuRecordDialog
{
  AdwWindow        parent_instance;

  ImuLibrary      *library;
  ImuRecording    *recording;     /* started by this dialog, or NULL */
  GCancellable    *cancellable;
  GPtrArray       *serial_ports;  /* char*: the serial_row's ports, in order */
  GArray          *replay_ids;    /* gint64: the replay_session_row's sessions (0: a file) */
  char            *replay_path;
  gboolean         busy;

  AdwWindowTitle  *window_title;
  GtkWidget       *cancel_button;
  GtkWidget       *start_button;
  GtkWidget       *done_button;
  GtkSpinner      *spinner;
  GtkStack        *stack;
  GtkWidget       *setup_box;
  GtkLabel        *error_label;
  AdwComboRow     *source_row;
  GtkWidget       *phone_group;
  GtkSpinButton   *phone_port;
  GtkWidget       *phyphox_group;
  AdwEntryRow     *phyphox_url;
  GtkSwitch       *phyphox_start;
  GtkWidget       *udp_group;
  GtkSpinButton   *udp_port;
  GtkWidget       *serial_group;
  AdwComboRow     *serial_row;
  AdwComboRow     *baud_row;
  GtkWidget       *replay_group;
  AdwComboRow     *replay_session_row;
  AdwActionRow    *replay_file_row;
  GtkSpinButton   *speed;
  AdwEntryRow     *title_row;
  AdwEntryRow     *subject_row;
  AdwEntryRow     *tags_row;
  GtkPicture      *qr_picture;
  GtkLabel        *url_label;
  GtkLabel        *phone_status_label;
};

enum {
  SIGNAL_STARTED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (ImuRecordDialog, imu_record_dialog, ADW_TYPE_WINDOW)

static guint signals[N_SIGNALS];

static void
show_error (ImuRecordDialog *self,
            const char      *text)
{
  gtk_label_set_text (self->error_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), text != NULL);
}

static void
set_busy (ImuRecordDialog *self,
          gboolean         busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), busy);
  gtk_widget_set_sensitive (self->start_button, !busy);
  gtk_widget_set_sensitive (self->setup_box, !busy);
}

static void
update_start_sensitive (ImuRecordDialog *self)
{
  guint source = adw_combo_row_get_selected (self->source_row);
  gboolean ok = !self->busy;

  if (source == SOURCE_SERIAL)
    ok = ok && self->serial_ports != NULL && self->serial_ports->len > 0;
  else if (source == SOURCE_REPLAY)
    ok = ok && (self->replay_path != NULL || adw_combo_row_get_selected (self->replay_session_row) > 0);
  gtk_widget_set_sensitive (self->start_button, ok);
}

static void
source_changed_cb (ImuRecordDialog *self)
{
  guint source = adw_combo_row_get_selected (self->source_row);

  gtk_widget_set_visible (self->phone_group, source == SOURCE_PHONE);
  gtk_widget_set_visible (self->phyphox_group, source == SOURCE_PHYPHOX);
  gtk_widget_set_visible (self->udp_group, source == SOURCE_UDP);
  gtk_widget_set_visible (self->serial_group, source == SOURCE_SERIAL);
  gtk_widget_set_visible (self->replay_group, source == SOURCE_REPLAY);
  show_error (self, NULL);
  update_start_sensitive (self);
}

static void
replay_changed_cb (ImuRecordDialog *self)
{
  gboolean file = adw_combo_row_get_selected (self->replay_session_row) == 0;

  gtk_widget_set_sensitive (GTK_WIDGET (self->replay_file_row), file);
  update_start_sensitive (self);
}

/* The serial ports, listed off the main thread (libserialport reads /sys). */

static void
list_serial_worker (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  g_autoptr(GPtrArray) ports = imu_record_serial_list ();
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);

  /* Pairs: the port, then what it is ("" when unknown). */
  for (guint i = 0; i < ports->len; i++)
    {
      const char *port = g_ptr_array_index (ports, i);
      char *what = imu_record_serial_describe (port);

      g_ptr_array_add (out, g_strdup (port));
      g_ptr_array_add (out, what != NULL ? what : g_strdup (""));
    }
  g_task_return_pointer (task, out, (GDestroyNotify) g_ptr_array_unref);
}

static void
list_serial_done_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ImuRecordDialog *self;
  g_autoptr(GPtrArray) pairs = g_task_propagate_pointer (G_TASK (result), NULL);
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);

  if (pairs == NULL)
    return;
  self = IMU_RECORD_DIALOG (object);
  g_clear_pointer (&self->serial_ports, g_ptr_array_unref);
  self->serial_ports = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i + 1 < pairs->len; i += 2)
    {
      const char *port = g_ptr_array_index (pairs, i);
      const char *what = g_ptr_array_index (pairs, i + 1);
      g_autofree char *label = *what != '\0' ? g_strdup_printf ("%s — %s", port, what) : g_strdup (port);

      g_ptr_array_add (self->serial_ports, g_strdup (port));
      gtk_string_list_append (model, label);
    }
  if (self->serial_ports->len == 0)
    gtk_string_list_append (model, _("No serial ports found: is the device plugged in?"));
  adw_combo_row_set_model (self->serial_row, G_LIST_MODEL (model));
  update_start_sensitive (self);
}

/* The replay's file */

static void
file_chooser_response_cb (GtkNativeDialog *chooser,
                          int              response,
                          ImuRecordDialog *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          g_autofree char *display = g_filename_display_name (path);

          g_free (self->replay_path);
          self->replay_path = g_steal_pointer (&path);
          adw_action_row_set_subtitle (self->replay_file_row, display);
        }
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  update_start_sensitive (self);
}

static void
choose_file_cb (ImuRecordDialog *self)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Replay a File"), GTK_WINDOW (self),
                                         GTK_FILE_CHOOSER_ACTION_OPEN, _("_Replay"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect_object (chooser, "response", G_CALLBACK (file_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* The QR code as a texture: one square of whole pixels per module. */
static GdkTexture *
qr_texture (const char *text)
{
  g_autoptr(ImuQrCode) code = imu_qr_code_new (text, NULL);
  g_autoptr(GBytes) bytes = NULL;
  guint width, side, scale, px;
  guchar *pixels;

  if (code == NULL)
    return NULL;
  width = imu_qr_code_get_width (code);
  side = width + 2 * QR_QUIET_ZONE;
  scale = MAX (QR_TARGET_PX / side, 2);
  px = side * scale;
  pixels = g_malloc (px * px * 3);
  memset (pixels, 0xff, px * px * 3);
  for (guint y = 0; y < width; y++)
    for (guint x = 0; x < width; x++)
      if (imu_qr_code_get_module (code, x, y))
        for (guint dy = 0; dy < scale; dy++)
          memset (pixels + ((gsize) ((y + QR_QUIET_ZONE) * scale + dy) * px + (x + QR_QUIET_ZONE) * scale) * 3,
                  0, (gsize) scale * 3);
  bytes = g_bytes_new_take (pixels, px * px * 3);
  return gdk_memory_texture_new ((int) px, (int) px, GDK_MEMORY_R8G8B8, bytes, px * 3);
}

static void
update_phone_status (ImuRecordDialog *self)
{
  g_autoptr(GArray) ids = NULL;

  if (self->recording == NULL)
    return;
  if (!imu_recording_get_active (self->recording))
    {
      gtk_label_set_text (self->phone_status_label, _("The recording stopped."));
      return;
    }
  ids = imu_recording_dup_session_ids (self->recording);
  if (ids->len == 0)
    gtk_label_set_text (self->phone_status_label, _("Waiting for the phone…"));
  else
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Recording %u phone. You can close this window: the recording goes on until you stop it.",
                                                            "Recording %u phones. You can close this window: the recording goes on until you stop it.",
                                                            ids->len),
                                               ids->len);

      gtk_label_set_text (self->phone_status_label, text);
    }
}

/* Starting */

static char *
build_spec (ImuRecordDialog *self,
            GError         **error)
{
  guint source = adw_combo_row_get_selected (self->source_row);

  switch (source)
    {
    case SOURCE_PHONE:
      return g_strdup_printf ("sensorlogger:%d", gtk_spin_button_get_value_as_int (self->phone_port));
    case SOURCE_PHYPHOX:
      {
        g_autofree char *url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->phyphox_url))));

        if (*url == '\0')
          {
            g_set_error_literal (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                                 _("Type the address phyphox shows under “Allow remote access”, such as http://192.168.1.20:8080."));
            return NULL;
          }
        return g_strdup_printf ("phyphox:%s", url);
      }
    case SOURCE_UDP:
      return g_strdup_printf ("udp:%d", gtk_spin_button_get_value_as_int (self->udp_port));
    case SOURCE_SERIAL:
      {
        guint port = adw_combo_row_get_selected (self->serial_row);
        GtkStringObject *baud = adw_combo_row_get_selected_item (self->baud_row);

        if (self->serial_ports == NULL || port >= self->serial_ports->len)
          {
            g_set_error_literal (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                                 _("No serial port is chosen: plug the device in and open this window again."));
            return NULL;
          }
        return g_strdup_printf ("serial:%s@%s", (const char *) g_ptr_array_index (self->serial_ports, port),
                                gtk_string_object_get_string (baud));
      }
    case SOURCE_REPLAY:
    default:
      {
        guint row = adw_combo_row_get_selected (self->replay_session_row);

        if (row > 0 && self->replay_ids != NULL && row < self->replay_ids->len)
          return g_strdup_printf ("replay:%" G_GINT64_FORMAT, g_array_index (self->replay_ids, gint64, row));
        if (self->replay_path == NULL)
          {
            g_set_error_literal (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                                 _("Choose a file or a session to replay."));
            return NULL;
          }
        return g_strdup_printf ("replay:%s", self->replay_path);
      }
    }
}

static GStrv
split_tags (const char *text)
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

/* The error in words that say what to do. */
static char *
error_text (ImuRecordDialog *self,
            const GError    *error)
{
  guint source = adw_combo_row_get_selected (self->source_row);

  if (g_error_matches (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN)
      && (source == SOURCE_PHONE || source == SOURCE_UDP))
    /* Translators: after "Cannot listen on port 8000 …: Address already in use" */
    return g_strdup_printf (_("%s\nChoose another port, or close the program that uses this one."), error->message);
  return g_strdup (error->message);
}

static void
recording_committed_cb (ImuRecordDialog *self)
{
  update_phone_status (self);
}

static void
start_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ImuRecordDialog) self = user_data;
  ImuRecording *recording = IMU_RECORDING (object);
  g_autoptr(GError) error = NULL;

  if (!imu_recording_start_finish (recording, result, &error))
    {
      g_autofree char *text = error_text (self, error);

      g_clear_object (&self->recording);
      set_busy (self, FALSE);
      update_start_sensitive (self);
      show_error (self, text);
      return;
    }
  set_busy (self, FALSE);
  g_signal_emit (self, signals[SIGNAL_STARTED], 0, recording);

  if (g_str_equal (imu_recording_get_kind (recording)->scheme, "sensorlogger"))
    {
      const char *address = imu_recording_get_address (recording);
      g_autoptr(GdkTexture) texture = qr_texture (address);

      gtk_picture_set_paintable (self->qr_picture, GDK_PAINTABLE (texture));
      gtk_widget_set_visible (GTK_WIDGET (self->qr_picture), texture != NULL);
      gtk_label_set_text (self->url_label, address);
      g_signal_connect_object (recording, "committed", G_CALLBACK (recording_committed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (recording, "notify::active", G_CALLBACK (recording_committed_cb), self, G_CONNECT_SWAPPED);
      update_phone_status (self);
      adw_window_title_set_title (self->window_title, _("Recording a Phone"));
      gtk_widget_set_visible (self->cancel_button, FALSE);
      gtk_widget_set_visible (self->start_button, FALSE);
      gtk_widget_set_visible (self->done_button, TRUE);
      gtk_stack_set_visible_child_name (self->stack, "phone");
      return;
    }
  gtk_window_close (GTK_WINDOW (self));
}

static void
start_clicked_cb (ImuRecordDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subject = NULL;
  g_auto(GStrv) tags = NULL;
  ImuRecordingOptions options = { 0 };

  if (self->busy || self->recording != NULL)
    return;
  show_error (self, NULL);
  if (!(spec = build_spec (self, &error)))
    {
      show_error (self, error->message);
      return;
    }
  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  subject = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->subject_row))));
  tags = split_tags (gtk_editable_get_text (GTK_EDITABLE (self->tags_row)));
  options.spec = spec;
  options.title = *title != '\0' ? title : NULL;
  options.subject = *subject != '\0' ? subject : NULL;
  options.tags = tags[0] != NULL ? (const char * const *) tags : NULL;
  options.speed = gtk_spin_button_get_value (self->speed);
  options.phyphox_start = gtk_switch_get_active (self->phyphox_start);
  if (!(self->recording = imu_recording_new (imu_library_get_path (self->library), &options, &error)))
    {
      show_error (self, error->message);
      return;
    }
  set_busy (self, TRUE);
  imu_recording_start_async (self->recording, start_done_cb, g_object_ref (self));
}

/* GObject */

static void
imu_record_dialog_dispose (GObject *object)
{
  ImuRecordDialog *self = IMU_RECORD_DIALOG (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->recording);
  g_clear_object (&self->library);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_RECORD_DIALOG);

  G_OBJECT_CLASS (imu_record_dialog_parent_class)->dispose (object);
}

static void
imu_record_dialog_finalize (GObject *object)
{
  ImuRecordDialog *self = IMU_RECORD_DIALOG (object);

  g_clear_pointer (&self->serial_ports, g_ptr_array_unref);
  g_clear_pointer (&self->replay_ids, g_array_unref);
  g_free (self->replay_path);

  G_OBJECT_CLASS (imu_record_dialog_parent_class)->finalize (object);
}

static void
imu_record_dialog_class_init (ImuRecordDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_record_dialog_dispose;
  object_class->finalize = imu_record_dialog_finalize;

  signals[SIGNAL_STARTED] =
    g_signal_new ("started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, IMU_TYPE_RECORDING);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-record-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, start_button);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, done_button);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, setup_box);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, source_row);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, phone_group);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, phone_port);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, phyphox_group);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, phyphox_url);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, phyphox_start);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, udp_group);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, udp_port);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, serial_group);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, serial_row);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, baud_row);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, replay_group);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, replay_session_row);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, replay_file_row);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, speed);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, subject_row);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, tags_row);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, qr_picture);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, url_label);
  gtk_widget_class_bind_template_child (widget_class, ImuRecordDialog, phone_status_label);
  gtk_widget_class_bind_template_callback (widget_class, start_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, source_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, replay_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, choose_file_cb);
}

static void
imu_record_dialog_init (ImuRecordDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
}

static void
fill_replay_sessions (ImuRecordDialog *self)
{
  GListModel *sessions = imu_library_get_sessions (self->library);
  g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
  guint n = g_list_model_get_n_items (sessions);
  gint64 none = 0;

  self->replay_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gtk_string_list_append (model, _("A File"));
  g_array_append_val (self->replay_ids, none);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ImuSession) session = g_list_model_get_item (sessions, i);
      gint64 id = imu_session_get_id (session);
      const char *title = imu_session_get_title (session);

      /* A session being recorded has no end to play to. */
      if (imu_session_get_state (session) == IMU_SESSION_STATE_RECORDING)
        continue;
      gtk_string_list_append (model, title != NULL && *title != '\0' ? title : _("Untitled Session"));
      g_array_append_val (self->replay_ids, id);
    }
  adw_combo_row_set_model (self->replay_session_row, G_LIST_MODEL (model));
  adw_combo_row_set_selected (self->replay_session_row, 0);
}

/**
 * imu_record_dialog_new:
 *
 * Lists the serial ports off the main thread. Does not block.
 */
ImuRecordDialog *
imu_record_dialog_new (GtkWindow  *parent,
                       ImuLibrary *library)
{
  ImuRecordDialog *self;
  g_autoptr(GTask) task = NULL;

  g_return_val_if_fail (IMU_IS_LIBRARY (library), NULL);

  self = g_object_new (IMU_TYPE_RECORD_DIALOG, "transient-for", parent, NULL);
  self->library = g_object_ref (library);
  fill_replay_sessions (self);
  replay_changed_cb (self);
  source_changed_cb (self);

  task = g_task_new (self, self->cancellable, list_serial_done_cb, NULL);
  g_task_set_source_tag (task, imu_record_dialog_new);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_run_in_thread (task, list_serial_worker);
  return self;
}

void
imu_record_dialog_select_source (ImuRecordDialog *self,
                                 const char      *scheme)
{
  g_return_if_fail (IMU_IS_RECORD_DIALOG (self));

  for (guint i = 0; i < G_N_ELEMENTS (source_schemes); i++)
    if (g_str_equal (scheme, source_schemes[i]))
      adw_combo_row_set_selected (self->source_row, i);
}

void
imu_record_dialog_set_port (ImuRecordDialog *self,
                            guint            port)
{
  g_return_if_fail (IMU_IS_RECORD_DIALOG (self));

  gtk_spin_button_set_value (self->phone_port, port);
  gtk_spin_button_set_value (self->udp_port, port);
}

void
imu_record_dialog_set_fields (ImuRecordDialog *self,
                              const char      *title,
                              const char      *subject,
                              const char      *tags)
{
  g_return_if_fail (IMU_IS_RECORD_DIALOG (self));

  gtk_editable_set_text (GTK_EDITABLE (self->title_row), title != NULL ? title : "");
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row), subject != NULL ? subject : "");
  gtk_editable_set_text (GTK_EDITABLE (self->tags_row), tags != NULL ? tags : "");
}

void
imu_record_dialog_start (ImuRecordDialog *self)
{
  g_return_if_fail (IMU_IS_RECORD_DIALOG (self));
  start_clicked_cb (self);
}

const char *
imu_record_dialog_get_page (ImuRecordDialog *self)
{
  g_return_val_if_fail (IMU_IS_RECORD_DIALOG (self), NULL);
  return gtk_stack_get_visible_child_name (self->stack);
}

const char *
imu_record_dialog_get_address (ImuRecordDialog *self)
{
  g_return_val_if_fail (IMU_IS_RECORD_DIALOG (self), NULL);
  if (!g_str_equal (gtk_stack_get_visible_child_name (self->stack), "phone"))
    return NULL;
  return gtk_label_get_text (self->url_label);
}

const char *
imu_record_dialog_get_error (ImuRecordDialog *self)
{
  g_return_val_if_fail (IMU_IS_RECORD_DIALOG (self), NULL);
  return gtk_widget_get_visible (GTK_WIDGET (self->error_label)) ? gtk_label_get_text (self->error_label) : NULL;
}

gboolean
imu_record_dialog_get_busy (ImuRecordDialog *self)
{
  g_return_val_if_fail (IMU_IS_RECORD_DIALOG (self), FALSE);
  return self->busy;
}

GdkPaintable *
imu_record_dialog_get_qr (ImuRecordDialog *self)
{
  g_return_val_if_fail (IMU_IS_RECORD_DIALOG (self), NULL);
  return gtk_picture_get_paintable (self->qr_picture);
}
