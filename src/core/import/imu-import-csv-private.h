/* imu-import-csv-private.h — the CSV importer as its registry row calls it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-csv-layout.h"
#include "imu-import-private.h"

G_BEGIN_DECLS

/* A line whose time is well formed but outside the times IMU Studio
 * represents (1900–2190, imu-time.h): an epoch number beyond it, a
 * relative time whose origin + offset leaves it, a date after 2190. The
 * line is rejected, never wrapped. */
#ifndef IMU_ISSUE_TIME_RANGE
#define IMU_ISSUE_TIME_RANGE "E_TIME_RANGE"
#endif

/* Size of the read buffer: the whole head is sniffed from its first fill. */
#define IMU_CSV_BUFFER_SIZE (256 * 1024)

/**
 * imu_import_csv_read:
 * @in: the open file or archive member
 * @hints: (nullable): what the folder knows about this file (Sensor Logger
 *   metadata, phyphox start time); its format is set to the detected one
 *
 * Reads one CSV/TSV file (any CSV-based dialect) into the builder's
 * session: all of its streams go there. Errors carry the file name, line
 * and column ("imu_data.csv: line 12, column 3 (Ax): …"). Blocking.
 */
gboolean imu_import_csv_read (ImuSessionBuilder  *builder,
                              ImuImportInput     *input,
                              GInputStream       *in,
                              ImuCsvHints        *hints,
                              GError            **error);

G_END_DECLS
