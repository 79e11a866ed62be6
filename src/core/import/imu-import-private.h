/* imu-import-private.h — what format importers use from the pipeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-import.h"
#include "imu-stream-writer.h"

G_BEGIN_DECLS

/**
 * ImuImportContext:
 *
 * One import in progress. A format importer reads its input, describes its
 * streams, appends samples through writers it gets from the context, and
 * reports issues and progress. The pipeline owns the transaction, the
 * session row, the audit and the cleanup on failure.
 */
typedef struct _ImuImportContext ImuImportContext;

/* The session being built: importers set title (when the user gave none,
 * the pipeline uses the file name), start time, tz offset, device, rate… */
ImuSession      *imu_import_context_get_session   (ImuImportContext *ctx);
ImuStore        *imu_import_context_get_store     (ImuImportContext *ctx);
GCancellable    *imu_import_context_get_cancellable (ImuImportContext *ctx);

/* Creates a stream in the session; the writer is owned by the context and
 * finished by the pipeline. A name already used gets a " 2" suffix. */
ImuStreamWriter *imu_import_context_add_stream    (ImuImportContext    *ctx,
                                                   const ImuStreamInfo *info,
                                                   GError             **error);

/* Counts one issue at a 1-based line (0 when not line-based). */
void             imu_import_context_issue         (ImuImportContext *ctx,
                                                   const char       *code,
                                                   gint64            line);
/* Counts a data line (accepted or rejected) for the bad-line threshold. */
void             imu_import_context_count_line    (ImuImportContext *ctx,
                                                   gboolean          accepted);
/* Whether too many lines were rejected so far; importers should stop and
 * fail with IMU_IMPORT_ERROR_TOO_MANY_ERRORS (call at end and every ~4096 lines). */
gboolean         imu_import_context_too_many_errors (ImuImportContext *ctx);

/* Progress in bytes of the whole input (all files of a folder/zip). */
void             imu_import_context_progress      (ImuImportContext *ctx,
                                                   guint64           bytes_done);
guint64          imu_import_context_get_total_bytes (ImuImportContext *ctx);

/* Detected facts for the audit row (last call wins). */
void             imu_import_context_set_format    (ImuImportContext *ctx,
                                                   const char       *format);
void             imu_import_context_set_delimiter (ImuImportContext *ctx,
                                                   char              delimiter);
void             imu_import_context_set_utf8_valid (ImuImportContext *ctx,
                                                    gboolean          valid);
/* Adds an event to the session (imported markers). Owned by the context. */
void             imu_import_context_add_event     (ImuImportContext *ctx,
                                                   gint64            t_ns,
                                                   gint64            duration_ns,
                                                   const char       *kind,
                                                   const char       *label,
                                                   const char       *payload_json);

/**
 * ImuImporterFunc:
 * @ctx: the import
 * @in: the input (a file, or an entry of a folder/archive)
 * @name: the file name (for messages: "Accelerometer.csv")
 * @size: its size in bytes (0 when unknown)
 * @bytes_base: bytes of the whole input done before this file (for progress)
 *
 * Reads one file. Errors carry the file name, line and column in the
 * message ("imu_data.csv: line 12, column 3 (Ax): …").
 */
typedef gboolean (*ImuImporterFunc) (ImuImportContext *ctx,
                                     GInputStream     *in,
                                     const char       *name,
                                     guint64           size,
                                     guint64           bytes_base,
                                     GError          **error);

/* CSV/TSV and every CSV-based dialect (imu-import-csv.c). One call imports
 * one file; all of its streams go into the context's session. @stream_hint
 * names the stream(s) when the file is one sensor of a multi-file export
 * ("accelerometer" for Sensor Logger's Accelerometer.csv), else NULL. */
gboolean imu_import_csv (ImuImportContext *ctx,
                         GInputStream     *in,
                         const char       *name,
                         const char       *stream_hint,
                         guint64           size,
                         guint64           bytes_base,
                         GError          **error);

/* A folder or an archive (zip, tar) of CSV files — a Sensor Logger or
 * phyphox export, or several CSVs of one recording — as one session
 * (imu-import-multi.c). */
gboolean imu_import_multi (ImuImportContext *ctx,
                           const char       *path,
                           gboolean          is_archive,
                           GError          **error);

/* Whether the first bytes of a file look like delimited text (a CSV). */
gboolean imu_import_csv_sniff (const guint8 *head, gsize len);

G_END_DECLS
