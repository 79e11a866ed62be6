/* imu-import-csv-private.h — the CSV importer as the folder importer calls it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-csv-layout.h"
#include "imu-import-private.h"

G_BEGIN_DECLS

/* Size of the read buffer: the whole head is sniffed from its first fill. */
#define IMU_CSV_BUFFER_SIZE (256 * 1024)

/**
 * imu_import_csv_with_hints:
 * @hints: (nullable): what the folder knows about this file (Sensor Logger
 *   metadata, phyphox start time); its format is set to the detected one
 *
 * imu_import_csv() with hints. Blocking.
 */
gboolean imu_import_csv_with_hints (ImuImportContext   *ctx,
                                    GInputStream       *in,
                                    const char         *name,
                                    ImuCsvHints        *hints,
                                    guint64             size,
                                    guint64             bytes_base,
                                    GError            **error);

G_END_DECLS
