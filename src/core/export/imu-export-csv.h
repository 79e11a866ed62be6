/* imu-export-csv.h — writing a stream back as CSV, the way its source wrote it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-import.h"
#include "imu-store.h"

G_BEGIN_DECLS

/**
 * imu_export_csv_stream:
 * @store: the library (its thread)
 * @stream_id: the stream to write
 * @out: where the CSV goes (not closed)
 * @progress: (nullable): called with samples written / total samples
 * @cancellable: (nullable)
 *
 * Writes one stream as comma-separated text so that importing the output
 * gives back the same channels, units, timestamps and values: the header is
 * the source's time column name (ImuTimeFormat.column, else "time") and
 * `name` or `name (unit)` per channel; times are written in the source's
 * kind and number of decimals (epoch or relative s/ms/µs/ns, ISO 8601 with
 * the source's UTC offset, wall-clock date and time; a stream without a
 * time column gets epoch seconds with 9 decimals); values are written with
 * the channel's fixed decimals when it had some, else the shortest text
 * that parses back to the same double (NaN as "NaN"). Rows end with "\n".
 *
 * Streams chunk by chunk: memory stays flat whatever the stream's length.
 * Blocking.
 *
 * Returns: %TRUE on success; on failure @out holds a partial CSV
 */
gboolean imu_export_csv_stream (ImuStore         *store,
                                gint64            stream_id,
                                GOutputStream    *out,
                                ImuProgressFunc   progress,
                                gpointer          progress_data,
                                GCancellable     *cancellable,
                                GError          **error);

G_END_DECLS
