/* imu-application.h — the application: command line, app actions, settings
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define IMU_TYPE_APPLICATION (imu_application_get_type ())
G_DECLARE_FINAL_TYPE (ImuApplication, imu_application, IMU, APPLICATION, AdwApplication)

/* @flags are added to the application's own (tests pass
 * G_APPLICATION_NON_UNIQUE to run beside a running instance). */
ImuApplication *imu_application_new            (GApplicationFlags  flags);
/* The library to open when none is named: $IMU_LIBRARY, else the last one
 * opened, else the default path. */
char           *imu_application_dup_default_library (ImuApplication *self);
/* The main window, made (without opening a library) when there is none. */
GtkWindow      *imu_application_get_main_window (ImuApplication *self);

G_END_DECLS
