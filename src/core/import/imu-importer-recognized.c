/* imu-importer-recognized.c — formats IMU Studio recognises but does not read yet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Parquet tables get a message that names them and says what to do,
 * rather than "not a CSV". A format becomes a reader of its own, in a file
 * of its own, when it is read (the device files did: imu-importer-cwa.c,
 * imu-importer-gt3x.c, imu-importer-geneactiv.c); until then such formats
 * share this one.
 */
#define G_LOG_DOMAIN "imu-import"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-import-private.h"

/* Parquet's "PAR1" is content enough. */

static guint
parquet_sniff (const ImuImportProbe *probe)
{
  if (probe->len >= 4 && memcmp (probe->head, "PAR1", 4) == 0)
    return IMU_IMPORTER_SCORE_MAGIC;
  return IMU_IMPORTER_SCORE_NONE;
}

static gboolean
recognized_import (const ImuImporter  *importer,
                   ImuSessionBuilder  *builder,
                   ImuImportInput     *input,
                   GError            **error)
{
  const char *where = imu_import_input_where (input);

  /* A member of a folder comes here by its name alone, and a forced
   * format by the person's word: check that the content is what the name
   * says before naming the format. */
  {
    guint8 head[IMU_IMPORTER_HEAD_BYTES];
    g_autofree char *base = g_path_get_basename (input->is_member || input->path == NULL ? input->name : input->path);
    ImuImportProbe probe = { head, 0, input->size, base, input->is_member ? NULL : input->path };

    if (!imu_import_input_read_head (input, head, sizeof head, &probe.len, error))
      return FALSE;
    if (importer->sniff (&probe) == IMU_IMPORTER_SCORE_NONE)
      {
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                     /* TRANSLATORS: "run.csv: this does not look like Axivity CWA device files (the format “cwa”)" */
                     _("%s: this does not look like %s (the format “%s”)"),
                     where, imu_importer_get_display_name (importer), importer->name);
        return FALSE;
      }
  }

  g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
               _("%s: this is an Apache Parquet file, which IMU Studio cannot import. "
                 "Export it to CSV first."), where);
  return FALSE;
}

static const char * const parquet_patterns[] = { "*.parquet", NULL };

const ImuImporter imu_importer_parquet = {
  .name = "parquet",
  .display_name = N_("Apache Parquet tables"),
  .patterns = parquet_patterns,
  .sniff = parquet_sniff,
  .import = recognized_import,
};
