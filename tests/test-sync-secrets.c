/* test-sync-secrets.c — sync secrets in the Secret Service, else a private file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * /sync/secrets/file runs anywhere. /sync/secrets/secret-service needs a
 * session bus with an unlocked keyring: test-sync-secrets.sh provides one
 * (dbus-run-session + gnome-keyring-daemon) and the test skips without.
 */
#define G_LOG_DOMAIN "test-sync"

#include <string.h>

#include <glib/gstdio.h>

#include "imu-redact.h"
#include "imu-secrets.h"
#include "imu-test-util.h"

#define VALUE "{\"sas\":\"sv=2021-08-06&sp=rl&sig=c2lnbmF0dXJlLWZvci10ZXN0cw%3D%3D\"}"

static void
check_store_lookup_clear (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_uuid_string_random ();
  g_autofree char *found = NULL;
  g_autofree char *redacted = NULL;

  g_assert_true (imu_secrets_store (id, "IMU Studio test", VALUE, &error));
  g_assert_no_error (error);
  found = imu_secrets_lookup (id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, VALUE);
  /* What was stored is known to the redactor from then on. */
  redacted = imu_redact ("secret: " VALUE);
  g_assert_cmpstr (redacted, ==, "secret: [REDACTED]");
  g_assert_true (imu_secrets_clear (id, &error));
  g_clear_pointer (&found, g_free);
  found = imu_secrets_lookup (id, &error);
  g_assert_null (found);
  g_assert_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* Clearing what is not there is fine. */
  g_assert_true (imu_secrets_clear (id, &error));
}

static void
test_file (void)
{
  g_autofree char *path = NULL;
  GStatBuf st;

  if (!g_str_equal (imu_secrets_backend (), "file"))
    {
      g_test_skip ("the Secret Service is in use in this environment");
      return;
    }
  check_store_lookup_clear ();
  path = imu_secrets_file_path ();
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  /* Loosened by someone: tightened again on the next read. */
  g_chmod (path, 0644);
  g_free (imu_secrets_lookup ("nothing", NULL));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

static void
test_secret_service (void)
{
  g_autofree char *path = imu_secrets_file_path ();

  if (!g_str_equal (imu_secrets_backend (), "secret-service"))
    {
      g_test_skip ("no Secret Service on the session bus (run through test-sync-secrets.sh)");
      return;
    }
  check_store_lookup_clear ();
  /* Nothing went to the file store. */
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;

  g_test_init (&argc, &argv, NULL);
  dir = imu_test_tmpdir ();
  config = g_build_filename (dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  /* test-sync-secrets.sh sets this on its private bus with a keyring;
   * everywhere else the file store is tested, whatever the desktop has. */
  if (g_getenv ("IMU_TEST_SECRET_SERVICE") == NULL)
    g_setenv ("IMU_SECRETS_BACKEND", "file", TRUE);
  g_test_add_func ("/sync/secrets/file", test_file);
  g_test_add_func ("/sync/secrets/secret-service", test_secret_service);
  return g_test_run ();
}
