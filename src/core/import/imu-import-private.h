/* imu-import-private.h — what importers get from the import pipeline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-import.h"
#include "imu-importer.h"
#include "imu-session-builder.h"

G_BEGIN_DECLS

/**
 * ImuImportHints:
 *
 * What a folder or archive knows about one of its files that the file
 * itself does not say (a Sensor Logger export's metadata, phyphox's start
 * time). Importers use what applies to them.
 */
typedef struct {
  const char *stream_hint;    /* "accelerometer": name of a one-sensor file's stream */
  const char *producer;       /* the app that wrote the export ("sensorlogger", "phyphox"), or NULL */
  double      rate_hz;        /* nominal rate from metadata, 0 when unknown */
  gboolean    has_origin;     /* relative times start at origin_ns */
  gint64      origin_ns;
  const char *accel_unit;     /* unit of acceleration when files do not say */
  double      progress_scale; /* progress bytes per byte read (archives), 0 for 1 */
  char        format[32];     /* out: the format the importer detected */
} ImuImportHints;

/**
 * ImuImportInput:
 * @path: (nullable): the file or folder on disk; %NULL for an archive member
 * @stream: (nullable): the open input; when %NULL an importer that reads
 *   streams opens @path
 * @name: the file name for messages ("Accelerometer.csv", "meta/time.csv")
 * @size: its size in bytes (0 when unknown)
 * @bytes_base: bytes of the whole import done before this file (progress)
 * @hints: (nullable): what a folder or archive knows about this file
 * @total_bytes: bytes of the whole import
 * @options: (nullable): what the person importing asked for
 * @duplicate_of: (nullable): out, the session that already holds the input
 * @is_member: whether this is a member of a folder or archive (messages
 *   then name it by @name) rather than what the person named (by @path)
 * @member_sha256: (nullable): for a folder, out: relative path ("a/b.csv")
 *   → sha256 of the bytes its importer read, so that the folder's checksum
 *   is of what was parsed (the folder importer fills it)
 *
 * One input of an import: the file, folder or archive named on the command
 * line, or one member of a folder or archive.
 */
struct _ImuImportInput {
  const char             *path;
  GInputStream           *stream;
  const char             *name;
  guint64                 size;
  guint64                 bytes_base;
  ImuImportHints         *hints;
  guint64                 total_bytes;
  ImuProgressFunc         progress;
  gpointer                progress_data;
  GCancellable           *cancellable;
  const ImuImportOptions *options;
  gint64                 *duplicate_of;
  gboolean                is_member;
  GHashTable             *member_sha256;
};

/* Reports progress: @bytes_done of the whole import (clamped to the total). */
void imu_import_input_progress (ImuImportInput *input,
                                guint64         bytes_done);

/* How messages name the input: its path, or a member's name. */
const char *imu_import_input_where (const ImuImportInput *input);

/* Reads the first bytes of the input (from @stream, else from @path) for
 * importers that check what they were given. Blocking. */
gboolean imu_import_input_read_head (ImuImportInput *input,
                                     guint8         *buf,
                                     gsize           size,
                                     gsize          *len,
                                     GError        **error);

/* The rows of the registry, one file each (imu-importer.c holds the table). */
extern const ImuImporter imu_importer_csv;        /* imu-importer-csv.c */
extern const ImuImporter imu_importer_bundle;     /* imu-importer-bundle.c */
extern const ImuImporter imu_importer_archive;    /* imu-importer-archive.c */
extern const ImuImporter imu_importer_cwa;        /* imu-importer-cwa.c */
extern const ImuImporter imu_importer_gt3x;       /* imu-importer-gt3x.c */
extern const ImuImporter imu_importer_geneactiv;  /* imu-importer-geneactiv.c */
extern const ImuImporter imu_importer_parquet;    /* imu-importer-recognized.c */

/* Whether the first bytes of a file look like delimited text (a CSV). */
gboolean imu_import_csv_sniff (const guint8 *head, gsize len);

/* A folder or an archive (zip, tar) whose members are looked up in the
 * registry, as one session (imu-import-multi.c). */
gboolean imu_import_multi (ImuSessionBuilder *builder,
                           ImuImportInput    *input,
                           gboolean           is_archive,
                           GError           **error);

G_END_DECLS
