/* main.c — imu-studio, the GTK face of IMU Studio
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-studio"

#include <locale.h>

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "imu-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(ImuApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* Without its schema GSettings aborts with a message that does not say
   * what to do; say it here (an uninstalled build needs the schema that
   * the build compiled). */
  {
    GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
    g_autoptr(GSettingsSchema) schema =
      source != NULL ? g_settings_schema_source_lookup (source, IMU_APP_ID, TRUE) : NULL;

    if (schema == NULL)
      {
        g_printerr (_("imu-studio: the settings schema %s is not installed. Install IMU Studio "
                      "(meson install), or run it from the build directory with "
                      "GSETTINGS_SCHEMA_DIR=BUILDDIR/data.\n"), IMU_APP_ID);
        return 1;
      }
  }

  app = imu_application_new (G_APPLICATION_DEFAULT_FLAGS);
  return g_application_run (G_APPLICATION (app), argc, argv);
}
