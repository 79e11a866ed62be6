/* imu-application.c — the application: command line, app actions, settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-application"

#include <glib/gi18n.h>

#include "imu-app-resources.h"
#include "imu-application.h"
#include "imu-preferences-window.h"
#include "imu-store.h"
#include "imu-window.h"

struct _ImuApplication
{
  AdwApplication  parent_instance;

  GSettings      *settings;
};

G_DEFINE_FINAL_TYPE (ImuApplication, imu_application, ADW_TYPE_APPLICATION)

static const GOptionEntry options[] = {
  { "library", 'l', 0, G_OPTION_ARG_FILENAME, NULL,
    N_("Open the library file PATH (created when missing)"), N_("PATH") },
  { "version", 0, 0, G_OPTION_ARG_NONE, NULL,
    N_("Print the version and exit"), NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, NULL,
    NULL, N_("[FILE…]") },
  { NULL }
};

static void
apply_color_scheme (ImuApplication *self)
{
  g_autofree char *scheme = g_settings_get_string (self->settings, "color-scheme");
  AdwColorScheme value = ADW_COLOR_SCHEME_DEFAULT;

  if (g_str_equal (scheme, "light"))
    value = ADW_COLOR_SCHEME_FORCE_LIGHT;
  else if (g_str_equal (scheme, "dark"))
    value = ADW_COLOR_SCHEME_FORCE_DARK;
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), value);
}

char *
imu_application_dup_default_library (ImuApplication *self)
{
  g_autofree char *last = NULL;

  g_return_val_if_fail (IMU_IS_APPLICATION (self), NULL);

  /* An explicit environment wins over memory: scripts and tests use it. */
  if (g_getenv ("IMU_LIBRARY") != NULL && *g_getenv ("IMU_LIBRARY") != '\0')
    return imu_store_default_path ();
  last = g_settings_get_string (self->settings, "last-library");
  if (*last != '\0' && g_file_test (last, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&last);
  return imu_store_default_path ();
}

GtkWindow *
imu_application_get_main_window (ImuApplication *self)
{
  GList *windows;

  g_return_val_if_fail (IMU_IS_APPLICATION (self), NULL);

  for (windows = gtk_application_get_windows (GTK_APPLICATION (self)); windows != NULL; windows = windows->next)
    if (IMU_IS_WINDOW (windows->data))
      return windows->data;
  return GTK_WINDOW (imu_window_new (GTK_APPLICATION (self)));
}

static ImuWindow *
ensure_window (ImuApplication *self,
               const char     *library)
{
  ImuWindow *window = IMU_WINDOW (imu_application_get_main_window (self));

  if (library != NULL)
    imu_window_open_library (window, library);
  else if (imu_window_get_library (window) == NULL)
    {
      g_autofree char *path = imu_application_dup_default_library (self);
      imu_window_open_library (window, path);
    }
  return window;
}

/* Actions */

static void
library_chooser_response_cb (GtkNativeDialog *dialog,
                             int              response,
                             ImuApplication  *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        {
          ImuWindow *window = ensure_window (self, path);
          gtk_window_present (GTK_WINDOW (window));
        }
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
choose_library (ImuApplication *self,
                gboolean        create)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkFileChooserNative *chooser;
  g_autoptr(GtkFileFilter) libraries = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

  chooser = gtk_file_chooser_native_new (create ? _("New Library") : _("Open Library"),
                                         parent,
                                         create ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
                                         create ? _("_Create") : _("_Open"),
                                         _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_filter_set_name (libraries, _("IMU Studio libraries"));
  gtk_file_filter_add_pattern (libraries, "*.db");
  gtk_file_filter_add_pattern (libraries, "*.sqlite");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), libraries);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
  if (create)
    /* Translators: the suggested file name of a new library */
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), _("New Library.db"));
  g_signal_connect_object (chooser, "response", G_CALLBACK (library_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
open_library_action (GSimpleAction *action,
                     GVariant      *parameter,
                     gpointer       user_data)
{
  choose_library (IMU_APPLICATION (user_data), FALSE);
}

static void
new_library_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  choose_library (IMU_APPLICATION (user_data), TRUE);
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  GtkApplication *app = user_data;
  GtkWidget *window = imu_preferences_window_new (gtk_application_get_active_window (app));

  gtk_window_present (GTK_WINDOW (window));
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  GtkApplication *app = user_data;
  static const char *developers[] = { "The IMU Studio developers https://github.com/imustudio/imu-studio", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (app),
                        "modal", TRUE,
                        "application-name", _("IMU Studio"),
                        "application-icon", IMU_APP_ID,
                        "version", IMU_VERSION,
                        "developer-name", _("The IMU Studio developers"),
                        "developers", developers,
                        "copyright", _("© 2024 The IMU Studio developers"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "website", "https://github.com/imustudio/imu-studio",
                        "issue-url", "https://github.com/imustudio/imu-studio/issues",
                        "comments", _("Import, explore and annotate recordings of accelerometers, gyroscopes and magnetometers."),
                        /* Translators: your name and e-mail, one translator a line */
                        "translator-credits", _("translator-credits"),
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing (not destroying) runs each window's close-request: pending
   * deletions are committed and imports stop before the process ends. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
}

static const GActionEntry app_actions[] = {
  { "open-library", open_library_action, NULL, NULL, NULL },
  { "new-library", new_library_action, NULL, NULL, NULL },
  { "preferences", preferences_action, NULL, NULL, NULL },
  { "about", about_action, NULL, NULL, NULL },
  { "quit", quit_action, NULL, NULL, NULL },
};

static const struct {
  const char *action;
  const char *accels[3];
} accels[] = {
  { "app.quit", { "<Control>q", NULL } },
  { "app.open-library", { "<Control>o", NULL } },
  { "app.new-library", { "<Control>n", NULL } },
  { "app.preferences", { "<Control>comma", NULL } },
  { "win.import", { "<Control>i", NULL } },
  { "win.import-folder", { "<Control><Shift>i", NULL } },
  { "win.search", { "<Control>f", NULL } },
  { "win.record", { "<Control>r", NULL } },
  { "win.export-session", { "<Control>e", NULL } },
  { "window.close", { "<Control>w", NULL } },
};

/* GApplication */

static void
imu_application_startup (GApplication *app)
{
  ImuApplication *self = IMU_APPLICATION (app);

  imu_app_register_resource ();
  G_APPLICATION_CLASS (imu_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  g_signal_connect_object (self->settings, "changed::color-scheme",
                           G_CALLBACK (apply_color_scheme), self, G_CONNECT_SWAPPED);
  apply_color_scheme (self);
}

static void
imu_application_activate (GApplication *app)
{
  ImuWindow *window = ensure_window (IMU_APPLICATION (app), NULL);

  gtk_window_present (GTK_WINDOW (window));
}

static int
imu_application_handle_local_options (GApplication *app,
                                      GVariantDict *options)
{
  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("imu-studio %s\n", IMU_VERSION);
      return 0;
    }
  return -1;
}

static int
imu_application_command_line (GApplication            *app,
                              GApplicationCommandLine *command_line)
{
  ImuApplication *self = IMU_APPLICATION (app);
  GVariantDict *options = g_application_command_line_get_options_dict (command_line);
  g_autofree char *library_arg = NULL;
  g_autofree char *library = NULL;
  g_autofree const char **files = NULL;
  ImuWindow *window;

  /* Paths are relative to the directory of the process that was started,
   * which is not this one when an instance is already running. */
  if (g_variant_dict_lookup (options, "library", "^ay", &library_arg))
    {
      g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, library_arg);
      library = g_file_get_path (file);
    }
  window = ensure_window (self, library);

  if (g_variant_dict_lookup (options, G_OPTION_REMAINING, "^a&ay", &files))
    for (guint i = 0; files[i] != NULL; i++)
      {
        g_autoptr(GFile) file = g_application_command_line_create_file_for_arg (command_line, files[i]);
        g_autofree char *path = g_file_get_path (file);

        if (path != NULL)
          imu_window_import_path (window, path);
        else
          g_application_command_line_printerr (command_line, _("%s: not a local file, skipped\n"), files[i]);
      }

  gtk_window_present (GTK_WINDOW (window));
  return 0;
}

static void
imu_application_dispose (GObject *object)
{
  ImuApplication *self = IMU_APPLICATION (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (imu_application_parent_class)->dispose (object);
}

static void
imu_application_class_init (ImuApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = imu_application_dispose;
  app_class->startup = imu_application_startup;
  app_class->activate = imu_application_activate;
  app_class->handle_local_options = imu_application_handle_local_options;
  app_class->command_line = imu_application_command_line;
}

static void
imu_application_init (ImuApplication *self)
{
  self->settings = g_settings_new (IMU_APP_ID);
  g_application_add_main_option_entries (G_APPLICATION (self), options);
  g_application_set_option_context_parameter_string (G_APPLICATION (self), _("[FILE…]"));
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Opens a library of IMU recordings and imports the files given."));
}

ImuApplication *
imu_application_new (GApplicationFlags flags)
{
  return g_object_new (IMU_TYPE_APPLICATION,
                       "application-id", IMU_APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE | flags,
                       "resource-base-path", "/io/github/imustudio/ImuStudio",
                       NULL);
}
