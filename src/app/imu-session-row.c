/* imu-session-row.c — one session in the library list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-session-row"

#include <glib/gi18n.h>

#include "imu-format.h"
#include "imu-session-row.h"
#include "imu-sync-controller.h"

/* Rows are recycled by the list view as it scrolls, so binding must be
 * cheap: the badges exist once per row and are only shown or hidden. */

struct _ImuSessionRow
{
  GtkWidget   parent_instance;

  ImuSession *session;

  GtkLabel   *title_label;
  GtkLabel   *duration_label;
  GtkLabel   *subject_label;
  GtkLabel   *date_label;
  GtkWidget  *accel_badge;
  GtkWidget  *gyro_badge;
  GtkWidget  *mag_badge;
  GtkWidget  *orientation_badge;
  GtkWidget  *other_badge;
  GtkImage   *sync_icon;
  GtkWidget  *record_icon;
  GtkWidget  *state_badge;
  guint       tick_id;       /* while the session is being recorded */

  ImuSyncController *sync_controller;
};

enum {
  PROP_0,
  PROP_SESSION,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ImuSessionRow, imu_session_row, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

static void
update_badges (ImuSessionRow *self)
{
  GPtrArray *streams = self->session != NULL ? imu_session_get_streams (self->session) : NULL;
  gboolean accel = FALSE, gyro = FALSE, mag = FALSE, orientation = FALSE, other = FALSE;

  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);
      const char *kind = info->kind != NULL ? info->kind : "other";

      /* A mixed stream (one CSV with accelerometer and gyroscope columns)
       * shows the kinds of its channels. */
      if (g_str_equal (kind, "mixed"))
        {
          for (guint c = 0; c < info->n_channels; c++)
            {
              const char *ck = info->channels[c].kind;

              if (ck == NULL)
                continue;
              accel |= g_str_equal (ck, "accel");
              gyro |= g_str_equal (ck, "gyro");
              mag |= g_str_equal (ck, "mag");
              orientation |= g_str_equal (ck, "orientation");
            }
          continue;
        }
      accel |= g_str_equal (kind, "accel");
      gyro |= g_str_equal (kind, "gyro");
      mag |= g_str_equal (kind, "mag");
      orientation |= g_str_equal (kind, "orientation");
      other |= !(g_str_equal (kind, "accel") || g_str_equal (kind, "gyro")
                 || g_str_equal (kind, "mag") || g_str_equal (kind, "orientation"));
    }

  gtk_widget_set_visible (self->accel_badge, accel);
  gtk_widget_set_visible (self->gyro_badge, gyro);
  gtk_widget_set_visible (self->mag_badge, mag);
  gtk_widget_set_visible (self->orientation_badge, orientation);
  gtk_widget_set_visible (self->other_badge, other);
}

/* The state: a recording shows a red dot and the time since it began,
 * ticking; an interrupted one says so. */
static gboolean tick_cb (gpointer user_data);

static void
update_state (ImuSessionRow *self)
{
  ImuSessionState state = self->session != NULL ? imu_session_get_state (self->session) : IMU_SESSION_STATE_COMPLETE;
  gboolean recording = state == IMU_SESSION_STATE_RECORDING;

  gtk_widget_set_visible (self->record_icon, recording);
  gtk_widget_set_visible (self->state_badge, state == IMU_SESSION_STATE_INTERRUPTED);
  if (recording)
    {
      gint64 elapsed_us = MAX (g_get_real_time () - imu_session_get_created_us (self->session), 0);
      g_autofree char *elapsed = imu_format_duration (elapsed_us * 1000);

      gtk_label_set_text (self->duration_label, elapsed);
      gtk_widget_remove_css_class (GTK_WIDGET (self->duration_label), "dim-label");
      gtk_widget_add_css_class (GTK_WIDGET (self->duration_label), "error");
      if (self->tick_id == 0)
        self->tick_id = g_timeout_add_seconds (1, tick_cb, self);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->duration_label), "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->duration_label), "dim-label");
      g_clear_handle_id (&self->tick_id, g_source_remove);
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  ImuSessionRow *self = user_data;

  if (self->session == NULL || imu_session_get_state (self->session) != IMU_SESSION_STATE_RECORDING)
    {
      self->tick_id = 0;
      update_state (self);
      return G_SOURCE_REMOVE;
    }
  update_state (self);
  return G_SOURCE_CONTINUE;
}

static void
update (ImuSessionRow *self)
{
  const char *title, *subject, *activity;
  g_autofree char *date = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *line = NULL;

  if (self->session == NULL)
    {
      gtk_label_set_text (self->title_label, "");
      gtk_label_set_text (self->subject_label, "");
      gtk_label_set_text (self->date_label, "");
      gtk_label_set_text (self->duration_label, "");
      update_badges (self);
      update_state (self);
      return;
    }

  title = imu_session_get_title (self->session);
  subject = imu_session_get_subject (self->session);
  activity = imu_session_get_activity (self->session);

  gtk_label_set_text (self->title_label,
                      title != NULL && *title != '\0' ? title : _("Untitled Session"));

  if (subject != NULL && *subject != '\0' && activity != NULL && *activity != '\0')
    /* Translators: subject and activity of a session, in the library list */
    line = g_strdup_printf (_("%s · %s"), subject, activity);
  else if (subject != NULL && *subject != '\0')
    line = g_strdup (subject);
  else if (activity != NULL && *activity != '\0')
    line = g_strdup (activity);
  else
    line = g_strdup (_("No subject"));
  gtk_label_set_text (self->subject_label, line);
  if ((subject == NULL || *subject == '\0') && (activity == NULL || *activity == '\0'))
    gtk_widget_add_css_class (GTK_WIDGET (self->subject_label), "dim-label");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->subject_label), "dim-label");

  date = imu_session_time_format (self->session, imu_session_get_start_ns (self->session),
                                  IMU_SESSION_TIME_SHORT);
  gtk_label_set_text (self->date_label, date);
  duration = imu_format_duration (imu_session_get_duration_ns (self->session));
  gtk_label_set_text (self->duration_label, duration);

  update_badges (self);
  update_state (self);
}

static void
session_notify_cb (ImuSessionRow *self,
                   GParamSpec    *pspec,
                   ImuSession    *session)
{
  update (self);
}

/* The session's sync state as one icon: nothing while it is only local. */
static void
update_sync (ImuSessionRow *self)
{
  const ImuSyncItem *item = NULL;
  g_autofree char *tooltip = NULL;
  const char *icon = NULL;

  if (self->sync_controller != NULL && self->session != NULL)
    item = imu_sync_controller_lookup (self->sync_controller, imu_session_get_uuid (self->session));
  if (item == NULL)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->sync_icon), FALSE);
      return;
    }
  switch (item->state)
    {
    case IMU_SYNC_STATE_QUEUED:
      icon = "content-loading-symbolic";
      tooltip = g_strdup_printf (_("Waiting to sync with %s"), item->target_name);
      break;
    case IMU_SYNC_STATE_RETRYING:
      icon = "content-loading-symbolic";
      tooltip = g_strdup_printf (_("Will try again to sync with %s: %s"), item->target_name,
                                 item->last_error != NULL ? item->last_error : "");
      break;
    case IMU_SYNC_STATE_TRANSFERRING:
    case IMU_SYNC_STATE_VERIFYING:
      icon = "emblem-synchronizing-symbolic";
      if (item->bytes_total > 0)
        tooltip = g_strdup_printf (_("Transferring to %s: %d %%"), item->target_name,
                                   (int) (100.0 * (double) item->bytes_done / (double) item->bytes_total));
      else
        tooltip = g_strdup_printf (_("Transferring to %s"), item->target_name);
      break;
    case IMU_SYNC_STATE_DONE:
      icon = "emblem-ok-symbolic";
      tooltip = g_strdup_printf (_("Synced with %s"), item->target_name);
      break;
    case IMU_SYNC_STATE_NEEDS_ATTENTION:
    default:
      icon = "dialog-warning-symbolic";
      tooltip = g_strdup_printf (_("Needs attention (%s): %s"), item->target_name,
                                 item->last_error != NULL ? item->last_error : _("unknown error"));
      break;
    }
  gtk_image_set_from_icon_name (self->sync_icon, icon);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->sync_icon), tooltip);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_icon), TRUE);
}

static void
imu_session_row_dispose (GObject *object)
{
  ImuSessionRow *self = IMU_SESSION_ROW (object);

  imu_session_row_set_session (self, NULL);
  imu_session_row_set_sync_controller (self, NULL);
  g_clear_handle_id (&self->tick_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_SESSION_ROW);
  /* Children of the template without an id are not bound, so
   * gtk_widget_dispose_template() leaves them: they go here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (imu_session_row_parent_class)->dispose (object);
}

static void
imu_session_row_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  ImuSessionRow *self = IMU_SESSION_ROW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_session_row_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  ImuSessionRow *self = IMU_SESSION_ROW (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      imu_session_row_set_session (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_session_row_class_init (ImuSessionRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_session_row_dispose;
  object_class->get_property = imu_session_row_get_property;
  object_class->set_property = imu_session_row_set_property;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, IMU_TYPE_SESSION,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-session-row.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, title_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, duration_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, subject_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, date_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, accel_badge);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, gyro_badge);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, mag_badge);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, orientation_badge);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, other_badge);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, sync_icon);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, record_icon);
  gtk_widget_class_bind_template_child (widget_class, ImuSessionRow, state_badge);
  gtk_widget_class_set_css_name (widget_class, "sessionrow");
}

static void
imu_session_row_init (ImuSessionRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
imu_session_row_new (void)
{
  return g_object_new (IMU_TYPE_SESSION_ROW, NULL);
}

/**
 * imu_session_row_set_session:
 * @session: (nullable)
 *
 * Shows @session and follows its changes (an edited title shows at once).
 */
void
imu_session_row_set_session (ImuSessionRow *self,
                             ImuSession    *session)
{
  g_return_if_fail (IMU_IS_SESSION_ROW (self));
  g_return_if_fail (session == NULL || IMU_IS_SESSION (session));

  if (self->session == session)
    return;
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_func (self->session, session_notify_cb, self);
  g_set_object (&self->session, session);
  if (session != NULL)
    g_signal_connect_object (session, "notify", G_CALLBACK (session_notify_cb), self, G_CONNECT_SWAPPED);
  update (self);
  update_sync (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

ImuSession *
imu_session_row_get_session (ImuSessionRow *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_ROW (self), NULL);
  return self->session;
}

/**
 * imu_session_row_set_sync_controller:
 *
 * Shows the sync state @controller (nullable) knows for the row's session,
 * and follows its changes.
 */
void
imu_session_row_set_sync_controller (ImuSessionRow     *self,
                                     ImuSyncController *controller)
{
  g_return_if_fail (IMU_IS_SESSION_ROW (self));

  if (self->sync_controller == controller)
    return;
  if (self->sync_controller != NULL)
    g_signal_handlers_disconnect_by_func (self->sync_controller, update_sync, self);
  g_set_object (&self->sync_controller, controller);
  if (controller != NULL)
    g_signal_connect_object (controller, "changed", G_CALLBACK (update_sync), self, G_CONNECT_SWAPPED);
  update_sync (self);
}

/* The recording indicator and the interrupted badge (for tests). */
GtkWidget *
imu_session_row_get_record_icon (ImuSessionRow *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_ROW (self), NULL);
  return self->record_icon;
}

GtkWidget *
imu_session_row_get_state_badge (ImuSessionRow *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_ROW (self), NULL);
  return self->state_badge;
}

const char *
imu_session_row_get_duration_text (ImuSessionRow *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_ROW (self), NULL);
  return gtk_label_get_text (self->duration_label);
}

/* The sync state icon (for tests). */
GtkWidget *
imu_session_row_get_sync_icon (ImuSessionRow *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_ROW (self), NULL);
  return GTK_WIDGET (self->sync_icon);
}
