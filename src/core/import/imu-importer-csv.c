/* imu-importer-csv.c — the registry row of CSV, TSV and their dialects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The reading itself is imu-import-csv.c (and the dialect, layout and time
 * files next to it); this file is what the registry knows of it.
 */
#define G_LOG_DOMAIN "imu-import"

#include <glib/gi18n-lib.h>

#include "imu-import-csv-private.h"

static guint
csv_sniff (const ImuImportProbe *probe)
{
  return imu_import_csv_sniff (probe->head, probe->len) ? IMU_IMPORTER_SCORE_TEXT : IMU_IMPORTER_SCORE_NONE;
}

static gboolean
csv_import (const ImuImporter  *importer,
            ImuSessionBuilder  *builder,
            ImuImportInput     *input,
            GError            **error)
{
  g_autoptr(GFileInputStream) opened = NULL;
  GInputStream *in = input->stream;
  ImuCsvHints csv_hints = { 0 };
  gboolean ok;

  if (in == NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (input->path);
      g_autoptr(GError) local_error = NULL;

      if (!(opened = g_file_read (file, input->cancellable, &local_error)))
        {
          /* A cancel that lands while opening stays a cancel. */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"),
                         input->path, local_error->message);
          return FALSE;
        }
      in = G_INPUT_STREAM (opened);
    }

  if (input->hints != NULL)
    {
      const ImuImportHints *h = input->hints;

      csv_hints.stream_hint = h->stream_hint;
      if (g_strcmp0 (h->producer, "sensorlogger") == 0)
        csv_hints.flavor = IMU_CSV_FLAVOR_SENSORLOGGER;
      else if (g_strcmp0 (h->producer, "phyphox") == 0)
        csv_hints.flavor = IMU_CSV_FLAVOR_PHYPHOX;
      csv_hints.rate_hz = h->rate_hz;
      csv_hints.has_origin = h->has_origin;
      csv_hints.origin_ns = h->origin_ns;
      csv_hints.accel_unit = h->accel_unit;
      csv_hints.progress_scale = h->progress_scale;
    }
  ok = imu_import_csv_read (builder, input, in, &csv_hints, error);
  if (ok && input->hints != NULL)
    g_strlcpy (input->hints->format, csv_hints.format, sizeof input->hints->format);
  return ok;
}

static const char * const csv_patterns[] = { "*.csv", "*.tsv", "*.txt", NULL };

const ImuImporter imu_importer_csv = {
  .name = "csv",
  .display_name = N_("CSV and TSV text"),
  .patterns = csv_patterns,
  .flags = IMU_IMPORTER_READS | IMU_IMPORTER_MEMBERS,
  .sniff = csv_sniff,
  .import = csv_import,
};
