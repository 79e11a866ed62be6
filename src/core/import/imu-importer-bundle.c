/* imu-importer-bundle.c — the registry row of IMU Studio's session bundles
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reader is imu-bundle.c (docs/bundle.md); a bundle carries a whole
 * session with its uuid, so this row reads whole sessions.
 */
#define G_LOG_DOMAIN "imu-import"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-bundle.h"
#include "imu-import-private.h"

static guint
bundle_sniff (const ImuImportProbe *probe)
{
  const guint8 *h = probe->head;
  gboolean archive = (probe->len >= 4 && memcmp (h, "PK\003\004", 4) == 0)
                     || (probe->len >= 4 && h[0] == 0x28 && h[1] == 0xb5 && h[2] == 0x2f && h[3] == 0xfd)
                     || (probe->len >= 262 && memcmp (h + 257, "ustar", 5) == 0);

  /* A bundle is an archive whose first entry is its manifest: only a file
   * on disk can be opened to look (a bundle inside an archive is not read
   * as part of that archive's session anyway). */
  if (archive && probe->path != NULL && imu_bundle_sniff (probe->path))
    return IMU_IMPORTER_SCORE_MAGIC;
  return IMU_IMPORTER_SCORE_NONE;
}

static gboolean
bundle_import (const ImuImporter  *importer,
               ImuSessionBuilder  *builder,
               ImuImportInput     *input,
               GError            **error)
{
  gboolean allow_duplicate = input->options != NULL && input->options->allow_duplicate;

  return imu_bundle_read_into (builder, input->path, allow_duplicate, input->duplicate_of,
                               input->progress, input->progress_data, input->cancellable, error);
}

static const char * const bundle_patterns[] = { "*" IMU_BUNDLE_EXTENSION, NULL };

const ImuImporter imu_importer_bundle = {
  .name = "bundle",
  .display_name = N_("IMU Studio session bundles"),
  .patterns = bundle_patterns,
  .flags = IMU_IMPORTER_READS | IMU_IMPORTER_WHOLE_SESSION,
  .sniff = bundle_sniff,
  .import = bundle_import,
};
