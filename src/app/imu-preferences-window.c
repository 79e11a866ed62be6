/* imu-preferences-window.c — units, time axis and style
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-preferences"

#include <glib/gi18n.h>

#include "imu-preferences-window.h"
#include "imu-sync-page.h"
#include "imu-window-private.h"

/* Each combo row shows the choices of one GSettings key, in this order.
 * Settings apply at once: whatever reads the key follows its changes. */
typedef struct {
  const char        *key;
  const char * const values[4];
} Choices;

static const Choices accel_choices = { "accel-unit", { "g", "m/s2", NULL } };
static const Choices gyro_choices = { "gyro-unit", { "deg/s", "rad/s", NULL } };
static const Choices time_choices = { "time-axis", { "clock", "elapsed", NULL } };
static const Choices style_choices = { "color-scheme", { "system", "light", "dark", NULL } };

struct _ImuPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;

  AdwComboRow          *accel_row;
  AdwComboRow          *gyro_row;
  AdwComboRow          *time_row;
  AdwComboRow          *style_row;
};

G_DEFINE_FINAL_TYPE (ImuPreferencesWindow, imu_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static gboolean
get_mapping (GValue   *value,
             GVariant *variant,
             gpointer  user_data)
{
  const Choices *choices = user_data;
  const char *str = g_variant_get_string (variant, NULL);

  for (guint i = 0; choices->values[i] != NULL; i++)
    if (g_str_equal (str, choices->values[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
set_mapping (const GValue       *value,
             const GVariantType *expected_type,
             gpointer            user_data)
{
  const Choices *choices = user_data;
  guint index = g_value_get_uint (value);

  for (guint i = 0; choices->values[i] != NULL; i++)
    if (i == index)
      return g_variant_new_string (choices->values[i]);
  return NULL;
}

static void
bind_row (ImuPreferencesWindow *self,
          AdwComboRow          *row,
          const Choices        *choices)
{
  g_settings_bind_with_mapping (self->settings, choices->key, row, "selected",
                                G_SETTINGS_BIND_DEFAULT, get_mapping, set_mapping,
                                (gpointer) choices, NULL);
}

/* The value a row shows beside its title: one line, ellipsized with the
 * whole text as its tooltip, so that a narrow window never clips it. */
static void
value_setup_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                gpointer                  list)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  if (GPOINTER_TO_INT (list))
    gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  else
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 4);
    }
  gtk_list_item_set_child (item, label);
}

static void
value_bind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  list)
{
  GtkStringObject *string = gtk_list_item_get_item (item);
  GtkWidget *label = gtk_list_item_get_child (item);
  const char *text = string != NULL ? gtk_string_object_get_string (string) : "";

  gtk_label_set_text (GTK_LABEL (label), text);
  if (!GPOINTER_TO_INT (list))
    gtk_widget_set_tooltip_text (label, text);
}

static void
set_factories (AdwComboRow *row)
{
  g_autoptr(GtkListItemFactory) value = gtk_signal_list_item_factory_new ();
  g_autoptr(GtkListItemFactory) list = gtk_signal_list_item_factory_new ();

  g_signal_connect (value, "setup", G_CALLBACK (value_setup_cb), GINT_TO_POINTER (FALSE));
  g_signal_connect (value, "bind", G_CALLBACK (value_bind_cb), GINT_TO_POINTER (FALSE));
  g_signal_connect (list, "setup", G_CALLBACK (value_setup_cb), GINT_TO_POINTER (TRUE));
  g_signal_connect (list, "bind", G_CALLBACK (value_bind_cb), GINT_TO_POINTER (TRUE));
  adw_combo_row_set_factory (row, value);
  adw_combo_row_set_list_factory (row, list);
}

static void
imu_preferences_window_dispose (GObject *object)
{
  ImuPreferencesWindow *self = IMU_PREFERENCES_WINDOW (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_PREFERENCES_WINDOW);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (imu_preferences_window_parent_class)->dispose (object);
}

static void
imu_preferences_window_class_init (ImuPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, accel_row);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, gyro_row);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, time_row);
  gtk_widget_class_bind_template_child (widget_class, ImuPreferencesWindow, style_row);
}

static void
imu_preferences_window_init (ImuPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = g_settings_new (IMU_APP_ID);
  set_factories (self->accel_row);
  set_factories (self->gyro_row);
  set_factories (self->time_row);
  set_factories (self->style_row);
  bind_row (self, self->accel_row, &accel_choices);
  bind_row (self, self->gyro_row, &gyro_choices);
  bind_row (self, self->time_row, &time_choices);
  bind_row (self, self->style_row, &style_choices);
}

GtkWidget *
imu_preferences_window_new (GtkWindow *parent)
{
  GtkWidget *self = g_object_new (IMU_TYPE_PREFERENCES_WINDOW,
                                  "transient-for", parent,
                                  "modal", TRUE,
                                  NULL);

  /* Sync belongs to the library the window has open. */
  if (IMU_IS_WINDOW (parent) && IMU_WINDOW (parent)->sync_controller != NULL)
    {
      ImuSyncController *controller = IMU_WINDOW (parent)->sync_controller;

      adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self),
                                  ADW_PREFERENCES_PAGE (imu_sync_page_new (imu_sync_controller_get_library_path (controller),
                                                                           controller)));
      gtk_window_set_default_size (GTK_WINDOW (self), 640, 600);
    }
  return self;
}
