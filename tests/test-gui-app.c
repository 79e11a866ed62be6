/* test-gui-app.c — the imu-studio program itself: version, files named on
 * the command line, a missing settings schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test-gui"

#include <signal.h>

#include <gio/gio.h>

#include "imu-store.h"
#include "imu-test-util.h"

static void
test_version (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                                                  IMU_STUDIO_PATH, "--version", NULL);
  g_autofree char *out = NULL;

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  g_assert_cmpstr (out, ==, "imu-studio " IMU_VERSION "\n");
}

static gint64
count (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return 0;
  store = imu_store_open (path, &error);
  g_assert_no_error (error);
  return imu_store_count_sessions (store, &error);
}

/* `imu-studio --library LIB FILE` opens LIB and imports FILE into it. */
static void
test_command_line_import (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *library = g_build_filename (dir, "cli library.db", NULL);
  g_autofree char *csv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GString) rows = g_string_new ("t,ax,ay,az\n");
  gint64 deadline;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_test_skip ("no display");
      return;
    }
  /* 0.1 s apart, 2024-05-01 08:00:00 UTC on */
  for (int i = 0; i < 200; i++)
    g_string_append_printf (rows, "%d.%d,0.0%02d,0.0,1.0\n", 1714550400 + i / 10, i % 10, i % 100);
  csv = g_build_filename (dir, "named.csv", NULL);
  g_assert_true (g_file_set_contents (csv, rows->str, rows->len, NULL));
  /* The library exists before the program starts, so that this test's
   * connection never opens it while the program creates it. */
  g_assert_cmpint (count (library), ==, 0);
  {
    g_autoptr(ImuStore) store = imu_store_open (library, &error);
    g_assert_no_error (error);
  }

  /* Relative paths: they are the caller's, as a shell gives them. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, dir);
  proc = g_subprocess_launcher_spawn (launcher, &error, IMU_STUDIO_PATH,
                                      "--library", "cli library.db", "named.csv", NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (count (library) < 1 && g_get_monotonic_time () < deadline)
    g_usleep (100000);
  g_assert_cmpint (count (library), ==, 1);

  g_subprocess_send_signal (proc, SIGTERM);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
}

/* Without its schema the program says what to do instead of aborting. */
static void
test_missing_schema (void)
{
  g_autofree char *empty = imu_test_tmpdir ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err = NULL;

  g_subprocess_launcher_setenv (launcher, "GSETTINGS_SCHEMA_DIR", empty, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_DIRS", empty, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, IMU_STUDIO_PATH, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, NULL, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 1);
  g_assert_nonnull (strstr (err, "io.github.imustudio.ImuStudio"));
  g_assert_nonnull (strstr (err, "GSETTINGS_SCHEMA_DIR"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gui/app/version", test_version);
  g_test_add_func ("/gui/app/command-line-import", test_command_line_import);
  g_test_add_func ("/gui/app/missing-schema", test_missing_schema);

  return g_test_run ();
}
