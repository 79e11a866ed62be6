/* imu-importer-archive.c — the registry row of folders and archives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A folder, or a zip or tar archive (any compression libarchive reads), is
 * one session; imu-import-multi.c reads it and looks each member up in the
 * registry.
 */
#define G_LOG_DOMAIN "imu-import"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-import-private.h"

static gboolean
is_zip (const ImuImportProbe *probe)
{
  return probe->len >= 4 && memcmp (probe->head, "PK\003\004", 4) == 0;
}

static guint
archive_sniff (const ImuImportProbe *probe)
{
  const guint8 *h = probe->head;

  if (is_zip (probe)
      || (probe->len >= 262 && memcmp (h + 257, "ustar", 5) == 0)
      || (probe->len >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
      || (probe->len >= 2 && h[0] == 0x1f && h[1] == 0x8b))
    return IMU_IMPORTER_SCORE_CONTAINER;
  return IMU_IMPORTER_SCORE_NONE;
}

static gboolean
archive_import (const ImuImporter  *importer,
                ImuSessionBuilder  *builder,
                ImuImportInput     *input,
                GError            **error)
{
  gboolean is_folder = g_file_test (input->path, G_FILE_TEST_IS_DIR);

  /* What the audit row says when no member decides the format (a failed
   * import): the kind of container. */
  if (is_folder)
    imu_session_builder_set_format (builder, "folder");
  else
    {
      guint8 head[4];
      gsize len = 0;
      ImuImportProbe probe = { head, 0, 0, NULL, NULL };

      if (!imu_import_input_read_head (input, head, sizeof head, &len, error))
        return FALSE;
      probe.len = len;
      imu_session_builder_set_format (builder, is_zip (&probe) ? "zip" : "archive");
    }
  return imu_import_multi (builder, input, !is_folder, error);
}

static const char * const archive_patterns[] = { "*.zip", "*.tar", "*.tar.gz", "*.tgz", "*.tar.zst", "*.tar.xz", NULL };

const ImuImporter imu_importer_archive = {
  .name = "archive",
  .display_name = N_("Folders and archives (zip, tar) of these files, such as Sensor Logger and phyphox exports"),
  .patterns = archive_patterns,
  .flags = IMU_IMPORTER_READS | IMU_IMPORTER_FOLDERS,
  .sniff = archive_sniff,
  .import = archive_import,
};
