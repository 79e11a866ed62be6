/* imu-import.h — importing files, folders and archives into a library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-store.h"

G_BEGIN_DECLS

#define IMU_IMPORT_ERROR (imu_import_error_quark ())

typedef enum {
  IMU_IMPORT_ERROR_READ,            /* the file cannot be opened or read */
  IMU_IMPORT_ERROR_EMPTY,           /* zero bytes */
  IMU_IMPORT_ERROR_NO_DATA,         /* a header (or preamble) but no sample rows */
  IMU_IMPORT_ERROR_UNRECOGNIZED,    /* binary garbage or a format we do not read */
  IMU_IMPORT_ERROR_BAD_HEADER,      /* a header we cannot map to time/value columns */
  IMU_IMPORT_ERROR_TOO_MANY_ERRORS, /* more bad lines than the threshold allows */
  IMU_IMPORT_ERROR_BAD_TIMESTAMP,   /* no usable time base */
  IMU_IMPORT_ERROR_DUPLICATE,       /* these bytes are already in the library */
  IMU_IMPORT_ERROR_DISK_FULL,
  IMU_IMPORT_ERROR_STORE,           /* the library refused the write */
  IMU_IMPORT_ERROR_FAILED,
  IMU_IMPORT_ERROR_UNKNOWN_FORMAT,  /* a forced format the registry does not have */
  IMU_IMPORT_ERROR_TOO_LARGE,       /* an archive that decompresses to more than its limit */
} ImuImportError;

GQuark imu_import_error_quark (void);

/* Issue codes counted per line (stable: scripts and docs use them). */
#define IMU_ISSUE_NUMERIC_FORMAT  "E_NUMERIC_FORMAT"  /* a value field is not a number */
#define IMU_ISSUE_COLUMN_COUNT    "E_COLUMN_COUNT"    /* a row has the wrong number of fields */
#define IMU_ISSUE_TIME_PARSE      "E_TIME_PARSE"      /* the time field cannot be read */
#define IMU_ISSUE_UTF8            "E_UTF8"            /* a line is not valid UTF-8 */
#define IMU_ISSUE_TIME_BACKWARDS  "W_TIME_BACKWARDS"  /* time earlier than the previous row (kept) */
#define IMU_ISSUE_DUPLICATE_TIME  "W_DUPLICATE_TIME"  /* time equal to the previous row (kept) */
#define IMU_ISSUE_EMPTY_FIELD     "W_EMPTY_FIELD"     /* an empty value field (stored as NaN) */
#define IMU_ISSUE_NONFINITE       "I_NONFINITE"       /* NaN/Inf written in the file (kept) */
#define IMU_ISSUE_LABEL_CHANGED   "W_LABEL_CHANGED"   /* a label column (one value in the head) has another value (kept) */
/* Counted once per file, at its header line (docs/import.md). */
#define IMU_ISSUE_TIME_UNIT_INFERRED "I_TIME_UNIT_INFERRED" /* a clock without a unit read in the unit its rate makes plausible */
#define IMU_ISSUE_RATE_MISMATCH   "W_RATE_MISMATCH"   /* a stated rate more than 5 % off the data's */
#define IMU_ISSUE_UNIT_MISMATCH   "W_UNIT_MISMATCH"   /* the data's gravity contradicts the stated acceleration unit */
/* Device files: counted per block, record or page, whose 0-based number is kept. */
#define IMU_ISSUE_CORRUPT_BLOCK   "W_CORRUPT_BLOCK"   /* a block failed its checksum or layout (skipped: a gap) */

/* Issue codes of GENEActiv .bin pages (imu-importer-geneactiv.c); the
 * line is the page's. */
#define IMU_ISSUE_TRUNCATED       "W_TRUNCATED"       /* the file ends inside a page, or before the pages its header counts */
#define IMU_ISSUE_PAGE_HEADER     "E_PAGE_HEADER"     /* a page whose fields cannot be read (skipped) */
#define IMU_ISSUE_HEX_DATA        "E_HEX_DATA"        /* a data line with a character that is not hex (the rest of the page skipped) */
#define IMU_ISSUE_PAGE_SAMPLES    "W_PAGE_SAMPLES"    /* a page of another number of samples than 300 (its whole samples kept) */
/* Device files' records (the "line" is the 1-based record or block number). */
#define IMU_ISSUE_CORRUPT_RECORD  "W_CORRUPT_RECORD"  /* a GT3X record whose checksum fails, or bytes that start no record: skipped */
#define IMU_ISSUE_TRUNCATED_RECORD "W_TRUNCATED_RECORD" /* a GT3X log.bin that ends inside a record: the part dropped */
#define IMU_ISSUE_BAD_RECORD      "W_BAD_RECORD"      /* a GT3X record with a good checksum but a payload its type cannot have: skipped */
#define IMU_ISSUE_RECORD_TIME     "W_RECORD_TIME"     /* a GT3X activity record not later than the one before (or a sleep of over a month): skipped */

/* An import fails when more than this fraction of data lines are rejected
 * (E_ codes), once at least IMU_IMPORT_MIN_LINES_FOR_RATIO lines were read;
 * below that many lines, more than half rejected fails. */
#define IMU_IMPORT_MAX_BAD_FRACTION 0.10
#define IMU_IMPORT_MIN_LINES_FOR_RATIO 100
/* Line numbers kept per issue code. */
#define IMU_IMPORT_KEPT_LINES 20

typedef struct {
  const char          *title;        /* nullable: from the file name */
  const char          *subject;
  const char          *activity;
  const char * const  *tags;
  gboolean             allow_duplicate;
  const char          *format;       /* nullable: force this importer (imu_importer_lookup()) */
  const char          *device_timezone; /* nullable: the zone of a device file's clock
                                         * (imu-device-clock.h); else the file's, else this computer's */
} ImuImportOptions;

/**
 * ImuImportResult:
 *
 * What one import did. Boxed.
 */
typedef struct {
  gint64      session_id;      /* the new session; on DUPLICATE the existing one */
  char       *uuid;
  char       *title;
  char       *format;          /* "csv", "sensorlogger", "movella-dot", "actigraph-csv", … */
  char       *delimiter;       /* "," ";" "\t" "|" " " or NULL */
  gint64      bytes;
  gint64      rows;            /* data rows accepted */
  char       *sha256;
  GHashTable *issue_counts;    /* code (char*) → count (GINT_TO_POINTER) */
  GHashTable *issue_lines;     /* code → GArray of gint64 line numbers (first 20) */
  double      duration_s;
  char       *device_clock;    /* device files: how their wall clock was read ("Europe/Berlin
                                * (UTC+01:00), this computer's time zone"), else NULL */
} ImuImportResult;

#define IMU_TYPE_IMPORT_RESULT (imu_import_result_get_type ())
GType            imu_import_result_get_type (void) G_GNUC_CONST;
void             imu_import_result_free (ImuImportResult *result);
ImuImportResult *imu_import_result_copy (const ImuImportResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuImportResult, imu_import_result_free)

typedef void (*ImuProgressFunc) (guint64 done, guint64 total, gpointer user_data);

/**
 * imu_import_path:
 * @store: the library (its thread)
 * @path: a file, a folder (Sensor Logger export, or several files) or an archive
 * @options: (nullable): metadata and flags
 * @progress: (nullable): called with bytes done/total, from this thread
 * @cancellable: (nullable)
 *
 * Finds the importer (by content, or @options->format when set), imports
 * the input into one new session in one transaction, and writes an audit
 * row. On any failure (bad file, too many bad lines, disk full) nothing of
 * the session is left and only the audit row of the failure remains; a
 * cancelled import or a duplicate leaves nothing. Blocking: call from a
 * worker thread with its own store, or use imu_import_path_async().
 *
 * Returns: (transfer full): the result, or %NULL with @error set. On
 *   %IMU_IMPORT_ERROR_DUPLICATE, @error is set and the session that holds
 *   the bytes is named in the message and in *@duplicate_of (nullable).
 */
ImuImportResult *imu_import_path (ImuStore               *store,
                                  const char             *path,
                                  const ImuImportOptions *options,
                                  ImuProgressFunc         progress,
                                  gpointer                progress_data,
                                  gint64                 *duplicate_of,
                                  GCancellable           *cancellable,
                                  GError                **error);

/**
 * imu_import_path_async:
 * @library_path: the library file (opened on a new connection in the worker)
 *
 * Runs imu_import_path() in a worker thread. @progress is invoked on the
 * thread-default main context of the caller (throttled to ~20 Hz).
 */
void             imu_import_path_async  (const char             *library_path,
                                         const char             *path,
                                         const ImuImportOptions *options,
                                         ImuProgressFunc         progress,
                                         gpointer                progress_data,
                                         GDestroyNotify          progress_destroy,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
ImuImportResult *imu_import_path_finish (GAsyncResult  *result,
                                         gint64        *duplicate_of,
                                         GError       **error);

/**
 * imu_import_list_device_files:
 * @path: a folder
 * @others: (out) (optional) (transfer full) (element-type filename): the
 *   folder's other files, when it holds device files
 *
 * A lab's folder of device files (CWA, GT3X, GENEActiv: importers flagged
 * IMU_IMPORTER_DEVICE_FILE) imports as one session per file rather than as
 * one session. Searches @path recursively (symbolic links and what is not
 * a regular file are passed over) and detects each file's format by its
 * content. Blocking (reads the head of every file).
 *
 * Returns: (transfer full) (element-type filename) (nullable): the device
 *   files' paths, sorted, or %NULL when @path is no folder or holds none
 */
GPtrArray       *imu_import_list_device_files (const char  *path,
                                               GPtrArray  **others);

/**
 * ImuImportFileState:
 *
 * What one file of imu_import_files() reports: progress while it is read,
 * then exactly one of the others.
 */
typedef enum {
  IMU_IMPORT_FILE_PROGRESS,
  IMU_IMPORT_FILE_IMPORTED,
  IMU_IMPORT_FILE_DUPLICATE,    /* its bytes were already in the library: skipped */
  IMU_IMPORT_FILE_FAILED,
  IMU_IMPORT_FILE_CANCELLED,    /* not imported: the batch was cancelled */
} ImuImportFileState;

typedef struct {
  guint                  index;      /* in the paths given */
  const char            *path;
  ImuImportFileState     state;
  guint64                done;       /* PROGRESS: bytes read of the file */
  guint64                total;
  const ImuImportResult *result;     /* IMPORTED */
  gint64                 session_id; /* IMPORTED: the new session; DUPLICATE: the one holding the bytes */
  const GError          *error;      /* DUPLICATE, FAILED */
} ImuImportFileReport;

typedef void (*ImuImportFileFunc) (const ImuImportFileReport *report,
                                   gpointer                   user_data);

/* What imu_import_files() uses when given 0 jobs: the processors. */
guint            imu_import_default_jobs (void);

/**
 * imu_import_files:
 * @store: the library (its thread)
 * @paths: (element-type filename): files, each imported as its own session
 *   (imu_import_list_device_files() lists a lab's folder)
 * @options: (nullable): as for imu_import_path(); the title is each file's name
 * @n_jobs: files read at once (0: imu_import_default_jobs())
 * @report: called on this thread: progress (~10 Hz) and one outcome per file
 *
 * Imports every file as one session; a failure does not stop the others.
 * With more than one job, each file is parsed and encoded in a worker
 * thread into a scratch library of its own (a connection of its own, so
 * workers never wait for each other), and this thread, the library's one
 * writer, copies each finished session into @store in one transaction, its
 * chunks as they are. Bytes already in the library (by sha256, checked
 * again in that transaction) are reported DUPLICATE and left out. On
 * cancel, sessions copied so far stay; nothing of the others is kept.
 * Blocking.
 *
 * Returns: %FALSE with @error set when cancelled (every file not imported
 *   was reported CANCELLED) or when no scratch folder can be made
 */
gboolean         imu_import_files       (ImuStore               *store,
                                         GPtrArray              *paths,
                                         const ImuImportOptions *options,
                                         guint                   n_jobs,
                                         ImuImportFileFunc       report,
                                         gpointer                report_data,
                                         GCancellable           *cancellable,
                                         GError                **error);

/* The name of the registry's importer for @path ("csv", "bundle",
 * "archive", "cwa"…; imu-importer.h), or NULL with @error set. Blocking. */
char            *imu_import_detect      (const char *path, GError **error);

G_END_DECLS
