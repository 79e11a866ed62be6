/* imu-importer.h — the registry of importers: one table row per format
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Detection, `imu formats`, `imu import --format` and the app's file
 * filters all read this one table (imu-importer.c). Adding a format is one
 * file (imu-importer-NAME.c with its sniff and import functions) plus one
 * row; docs/import.md, "Adding an importer", says how.
 */
#pragma once

#include <gio/gio.h>

#include "imu-session-builder.h"

G_BEGIN_DECLS

/* How many first bytes of a file the sniff functions see. */
#define IMU_IMPORTER_HEAD_BYTES 8192

/* Scores a sniff function returns. Content decides; a file's name breaks
 * ties between entries that score the same. */
#define IMU_IMPORTER_SCORE_NONE      0   /* not this format */
#define IMU_IMPORTER_SCORE_TEXT     10   /* plausible text (delimited lines) */
#define IMU_IMPORTER_SCORE_CONTAINER 40  /* a container's magic (zip, tar, zstd, gzip) */
#define IMU_IMPORTER_SCORE_MAGIC    90   /* a format's own signature */

/**
 * ImuImporterFlags:
 * @IMU_IMPORTER_READS: the format is read; without it the entry only
 *   recognises its files and its import says what to do with them
 * @IMU_IMPORTER_FOLDERS: reads folders (the entry a folder is given to)
 * @IMU_IMPORTER_MEMBERS: reads a file from a stream into a session that
 *   other files fill too: it can be a member of a folder or an archive
 * @IMU_IMPORTER_WHOLE_SESSION: the input carries a whole session with its
 *   own identity: the importer sets the session's metadata, checks for a
 *   duplicate by that identity and reports the input's checksum itself
 * @IMU_IMPORTER_DEVICE_FILE: one file is one recording of one device (CWA,
 *   GT3X, GENEActiv): a folder that holds such files imports as one
 *   session per file (imu_import_list_device_files())
 */
typedef enum {
  IMU_IMPORTER_READS         = 1 << 0,
  IMU_IMPORTER_FOLDERS       = 1 << 1,
  IMU_IMPORTER_MEMBERS       = 1 << 2,
  IMU_IMPORTER_WHOLE_SESSION = 1 << 3,
  IMU_IMPORTER_DEVICE_FILE   = 1 << 4,
} ImuImporterFlags;

/**
 * ImuImportProbe:
 * @head: the first bytes of the file (at most %IMU_IMPORTER_HEAD_BYTES)
 * @len: how many
 * @size: the file's size in bytes (0 when unknown)
 * @name: its base name ("run.csv"), for extensions
 * @path: (nullable): the file on disk, for sniffs that must look further
 *   than the head (a bundle's first archive entry); %NULL for a member of
 *   an archive
 *
 * What a sniff function sees of a file.
 */
typedef struct {
  const guint8 *head;
  gsize         len;
  guint64       size;
  const char   *name;
  const char   *path;
} ImuImportProbe;

/* One input given to an importer (defined in imu-import-private.h). */
typedef struct _ImuImportInput ImuImportInput;
typedef struct _ImuImporter ImuImporter;

/* How sure the entry is that @probe is its format: IMU_IMPORTER_SCORE_*. */
typedef guint    (*ImuImporterSniffFunc)  (const ImuImportProbe *probe);
/* Reads @input into the builder's session. The pipeline has begun the
 * builder and will finish or fail it: an importer never commits. */
typedef gboolean (*ImuImporterImportFunc) (const ImuImporter   *importer,
                                           ImuSessionBuilder   *builder,
                                           ImuImportInput      *input,
                                           GError             **error);

/**
 * ImuImporter:
 * @name: stable short name ("csv"): `imu import --format`, audit rows
 * @display_name: what people read ("CSV and TSV text"), marked with N_()
 * @patterns: file name patterns ("*.csv"), %NULL-terminated
 * @flags: what it reads
 * @sniff: scores a file's content
 * @import: reads it
 *
 * One row of the registry.
 */
struct _ImuImporter {
  const char            *name;
  const char            *display_name;
  const char * const    *patterns;
  ImuImporterFlags       flags;
  ImuImporterSniffFunc   sniff;
  ImuImporterImportFunc  import;
};

/* The table, in the order `imu formats` lists it; *n_importers set. */
const ImuImporter *const *imu_importer_table  (guint *n_importers);
/* The entry named @name, or %NULL. */
const ImuImporter *imu_importer_lookup        (const char *name);
/* Whether the entry reads its format (rather than only recognising it). */
gboolean           imu_importer_reads         (const ImuImporter *importer);
/* The translated display name. */
const char        *imu_importer_get_display_name (const ImuImporter *importer);
/* Whether @name (a base name) matches one of the entry's patterns
 * (case-insensitively). */
gboolean           imu_importer_matches_name  (const ImuImporter *importer,
                                               const char        *name);

/**
 * imu_importer_detect_probe:
 *
 * Asks every entry for a score and returns the best; among entries of the
 * same score, one whose patterns match the name wins, then table order.
 * Does not block.
 *
 * Returns: (nullable): the entry, or %NULL when none scores above zero
 */
const ImuImporter *imu_importer_detect_probe  (const ImuImportProbe *probe);

/**
 * imu_importer_detect:
 * @path: a file or a folder
 *
 * The entry that reads @path: the folder entry for a folder, else the best
 * score over the file's first bytes. Blocking (reads the head).
 *
 * Returns: (nullable): the entry, or %NULL with @error set
 *   (%IMU_IMPORT_ERROR_READ, %IMU_IMPORT_ERROR_EMPTY,
 *   %IMU_IMPORT_ERROR_UNRECOGNIZED)
 */
const ImuImporter *imu_importer_detect        (const char  *path,
                                               GError     **error);

G_END_DECLS
