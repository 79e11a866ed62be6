/* imu-test-util.c — helpers shared by the tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test"

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "imu-test-util.h"

static GPtrArray *tmpdirs;

void
imu_test_rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
            imu_test_rm_rf (child);
          else
            g_unlink (child);
        }
    }
  g_rmdir (path);
}

static void
remove_tmpdirs (void)
{
  if (tmpdirs == NULL)
    return;
  if (g_getenv ("IMU_TEST_KEEP_TMP") == NULL)
    for (guint i = 0; i < tmpdirs->len; i++)
      imu_test_rm_rf (g_ptr_array_index (tmpdirs, i));
  g_clear_pointer (&tmpdirs, g_ptr_array_unref);
}

char *
imu_test_tmpdir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("imu-test-XXXXXX", &error);

  g_assert_no_error (error);
  if (tmpdirs == NULL)
    {
      tmpdirs = g_ptr_array_new_with_free_func (g_free);
      atexit (remove_tmpdirs);
    }
  g_ptr_array_add (tmpdirs, g_strdup (dir));
  return dir;
}

char *
imu_test_library_path (void)
{
  g_autofree char *dir = imu_test_tmpdir ();

  return g_build_filename (dir, "library.db", NULL);
}

char *
imu_test_real_file (const char *rel)
{
  const char *shared = g_getenv ("IMU_SHARED_DATA");
  g_autofree char *path = NULL;

  if (shared == NULL || !g_file_test (shared, G_FILE_TEST_IS_DIR))
    {
      g_test_skip ("../shared/data is absent: real-file test skipped");
      return NULL;
    }
  path = g_build_filename (shared, "real", rel, NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_autofree char *msg = g_strdup_printf ("%s is absent: skipped", path);
      g_test_skip (msg);
      return NULL;
    }
  return g_steal_pointer (&path);
}

char *
imu_test_src_file (const char *rel)
{
  const char *src = g_getenv ("IMU_TEST_SRCDIR");

  g_assert_nonnull (src);
  return g_build_filename (src, rel, NULL);
}

const char *
imu_test_builddir (void)
{
  const char *dir = g_getenv ("IMU_TEST_BUILDDIR");

  return dir != NULL ? dir : ".";
}

char *
imu_test_write_file (const char *name, const char *contents, gssize len)
{
  g_autofree char *dir = imu_test_tmpdir ();
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
  return path;
}

char *
imu_test_sha256_file (const char *path)
{
  g_autofree char *contents = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
}
