/* imu-importer.c — the registry of importers and detection over it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Detection asks every row for a score over the file's first bytes and
 * takes the best; the file name only breaks ties. Nothing here names a
 * concrete format: the rows do (one file each).
 */
#define G_LOG_DOMAIN "imu-import"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "imu-import-private.h"

/* The table. Order matters twice: `imu formats` lists it so, and between
 * rows of equal score whose patterns do not match the name, the first
 * wins (a zip named .dat is an archive, not a GT3X file). */
static const ImuImporter *const importers[] = {
  &imu_importer_csv,
  &imu_importer_bundle,
  &imu_importer_archive,
  &imu_importer_cwa,
  &imu_importer_gt3x,
  &imu_importer_geneactiv,
  &imu_importer_parquet,
};

const ImuImporter *const *
imu_importer_table (guint *n_importers)
{
  g_return_val_if_fail (n_importers != NULL, NULL);

  *n_importers = G_N_ELEMENTS (importers);
  return importers;
}

const ImuImporter *
imu_importer_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (importers); i++)
    if (g_str_equal (importers[i]->name, name))
      return importers[i];
  return NULL;
}

gboolean
imu_importer_reads (const ImuImporter *importer)
{
  g_return_val_if_fail (importer != NULL, FALSE);
  return (importer->flags & IMU_IMPORTER_READS) != 0;
}

const char *
imu_importer_get_display_name (const ImuImporter *importer)
{
  g_return_val_if_fail (importer != NULL, NULL);
  return g_dgettext (GETTEXT_PACKAGE, importer->display_name);
}

gboolean
imu_importer_matches_name (const ImuImporter *importer,
                           const char        *name)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (importer != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  /* Patterns are written in lower case; names come as devices write them
   * (test_data.CWA). */
  lower = g_ascii_strdown (name, -1);
  for (guint i = 0; importer->patterns != NULL && importer->patterns[i] != NULL; i++)
    if (g_pattern_match_simple (importer->patterns[i], lower))
      return TRUE;
  return FALSE;
}

const ImuImporter *
imu_importer_detect_probe (const ImuImportProbe *probe)
{
  const ImuImporter *best = NULL;
  guint best_score = IMU_IMPORTER_SCORE_NONE;
  gboolean best_named = FALSE;

  g_return_val_if_fail (probe != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (importers); i++)
    {
      guint score = importers[i]->sniff (probe);
      gboolean named;

      if (score == IMU_IMPORTER_SCORE_NONE || score < best_score)
        continue;
      named = probe->name != NULL && imu_importer_matches_name (importers[i], probe->name);
      if (score > best_score || (named && !best_named))
        {
          best = importers[i];
          best_score = score;
          best_named = named;
        }
    }
  return best;
}

static gboolean
read_head (const char *path, guint8 *buf, gsize size, gsize *len, GError **error)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  do
    n = read (fd, buf, size);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    {
      int errsv = errno;
      close (fd);
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read: %s"), path, g_strerror (errsv));
      return FALSE;
    }
  close (fd);
  *len = (gsize) n;
  return TRUE;
}

const ImuImporter *
imu_importer_detect (const char  *path,
                     GError     **error)
{
  guint8 head[IMU_IMPORTER_HEAD_BYTES];
  g_autofree char *base = NULL;
  ImuImportProbe probe = { 0 };
  const ImuImporter *importer;
  GStatBuf st;

  g_return_val_if_fail (path != NULL, NULL);

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      for (guint i = 0; i < G_N_ELEMENTS (importers); i++)
        if (importers[i]->flags & IMU_IMPORTER_FOLDERS)
          return importers[i];
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("%s: a folder, and IMU Studio has no importer for folders"), path);
      return NULL;
    }
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: no such file or folder"), path);
      return NULL;
    }
  if (!read_head (path, head, sizeof head, &probe.len, error))
    return NULL;
  if (probe.len == 0)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_EMPTY, _("%s: the file is empty (0 bytes)"), path);
      return NULL;
    }
  base = g_path_get_basename (path);
  probe.head = head;
  probe.size = g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
  probe.name = base;
  probe.path = path;
  if ((importer = imu_importer_detect_probe (&probe)) == NULL)
    g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                 _("%s: not a format IMU Studio can import (it is neither delimited text such as CSV nor a "
                   "folder or archive of such files)"), path);
  return importer;
}

/* ---- inputs ---- */

void
imu_import_input_progress (ImuImportInput *input,
                           guint64         bytes_done)
{
  if (input->progress != NULL)
    input->progress (MIN (bytes_done, input->total_bytes), input->total_bytes, input->progress_data);
}

const char *
imu_import_input_where (const ImuImportInput *input)
{
  return input->is_member || input->path == NULL ? input->name : input->path;
}

gboolean
imu_import_input_read_head (ImuImportInput  *input,
                            guint8          *buf,
                            gsize            size,
                            gsize           *len,
                            GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize n = 0;

  if (input->stream == NULL)
    return read_head (input->path, buf, size, len, error);
  if (!g_input_stream_read_all (input->stream, buf, size, &n, input->cancellable, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read: %s"),
                     imu_import_input_where (input), local_error->message);
      return FALSE;
    }
  *len = n;
  return TRUE;
}
