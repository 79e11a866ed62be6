/* fuzz-import-common.h — one import of fuzzed bytes into a scratch library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <stdint.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "imu-core.h"

/* The scratch folder: RAM where there is one (ENVIRONMENT.md: point
 * scratch libraries at /dev/shm), one per process. */
static const char *
fuzz_scratch_dir (void)
{
  static char *dir;

  if (dir == NULL)
    {
      const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
      g_autofree char *template = g_build_filename (base, "imu-fuzz-XXXXXX", NULL);

      dir = g_mkdtemp (g_steal_pointer (&template));
      if (dir == NULL)
        g_error ("cannot make a scratch folder in %s", base);
    }
  return dir;
}

static ImuStore *
fuzz_store (void)
{
  static ImuStore *store;

  if (store == NULL)
    {
      g_autofree char *path = g_build_filename (fuzz_scratch_dir (), "library.db", NULL);
      g_autoptr(GError) error = NULL;

      if (!(store = imu_store_open (path, &error)))
        g_error ("%s", error->message);
    }
  return store;
}

/* Imports @data as a file called @name. The library's promise is checked:
 * a refused import leaves no session behind; an accepted one is deleted
 * again so that the next input starts from the same library. */
static void
fuzz_import_bytes (const uint8_t *data, size_t size, const char *name)
{
  ImuStore *store = fuzz_store ();
  g_autofree char *path = g_build_filename (fuzz_scratch_dir (), name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  gint64 before, after;

  if (!g_file_set_contents (path, (const char *) data, (gssize) size, &error))
    g_error ("%s", error->message);
  before = imu_store_count_sessions (store, NULL);
  result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  after = imu_store_count_sessions (store, NULL);
  if (result == NULL)
    {
      if (error == NULL || after != before)
        __builtin_trap ();
    }
  else
    {
      if (after != before + 1 || result->session_id <= 0)
        __builtin_trap ();
      imu_store_delete_session (store, result->session_id, NULL);
    }
  g_unlink (path);
}
