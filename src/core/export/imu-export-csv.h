/* imu-export-csv.h — writing a stream back as CSV, the way its source wrote it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-import.h"
#include "imu-session.h"
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
 * This is the text of a stream inside a bundle, whose manifest holds the
 * time format: nothing but the header and the rows is written. A file to
 * be read on its own is written by imu_export_csv_write ().
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

/**
 * ImuExportLayout:
 * @IMU_EXPORT_LAYOUT_STREAMS: one CSV per stream, NAME.csv
 * @IMU_EXPORT_LAYOUT_SOURCE: the layout the session came in: one CSV with
 *   every stream when it came from one delimited text file
 *   (imu_export_csv_session_is_one_file ()), else one CSV per stream
 */
typedef enum {
  IMU_EXPORT_LAYOUT_STREAMS,
  IMU_EXPORT_LAYOUT_SOURCE,
} ImuExportLayout;

/* "streams" or "source"; FALSE for anything else. */
gboolean imu_export_layout_from_string (const char      *text,
                                        ImuExportLayout *layout);

/**
 * imu_export_csv_write:
 * @streams: (element-type ImuStreamInfo): one stream, or the streams of a
 *   session that came from one file (they share its time column)
 *
 * Writes a CSV that reads back on its own as the same streams: the same
 * absolute times, values, units and names. It is what
 * imu_export_csv_stream () writes, with every stream's channels side by
 * side after the time column, and where the time needs it:
 *
 * - relative times (seconds or ms since a known start) get a first line
 *   `StartTime: 2024-05-01T10:00:00.25Z` (the origin, UTC), from which the
 *   CSV reader takes their origin;
 * - Movella's `SampleTimeFine` is written as that clock's µs modulo 2^32,
 *   as the sensor wrote it.
 *
 * A row holds every stream when all have a sample at its time (streams
 * split from the columns of one line); otherwise the earliest stream's
 * sample alone, the other fields empty (a sparse log, docs/import.md).
 * Memory stays flat: one chunk per stream is held. Blocking.
 *
 * Returns: %TRUE on success; on failure @out holds a partial CSV
 */
gboolean imu_export_csv_write  (ImuStore         *store,
                                GPtrArray        *streams,
                                GOutputStream    *out,
                                ImuProgressFunc   progress,
                                gpointer          progress_data,
                                GCancellable     *cancellable,
                                GError          **error);

/**
 * imu_export_csv_session_is_one_file:
 *
 * Whether the session came from one delimited text file (its origin is an
 * imported `.csv`, `.tsv` or `.txt` that is not a folder) whose streams
 * can go back into one CSV: they share one time format and no two
 * channels have the same name. A folder, an archive, a bundle or a
 * recording is several files, one per stream. Does not block (it looks at
 * whether the origin path is a folder, when it still exists).
 */
gboolean imu_export_csv_session_is_one_file (ImuSession *session);

/* The file name of a stream's CSV in a one-file-per-stream export
 * ("accelerometer.csv"): no directory separators or control characters,
 * nothing hidden. Both faces name the files so. */
char    *imu_export_csv_stream_file_name (const char *stream_name);

/* The file name a source-layout export of the session takes: the base
 * name of the file it was imported from ("imu_data.csv"). Newly
 * allocated. */
char    *imu_export_csv_source_file_name (ImuSession *session);

void     imu_csv_append_field (GString    *line,
                               const char *text);

G_END_DECLS
