/* imu-bundle.h — session bundles: one archive that carries a whole session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is specified in docs/bundle.md.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "imu-import.h"
#include "imu-session-builder.h"
#include "imu-store.h"

G_BEGIN_DECLS

#define IMU_BUNDLE_ERROR (imu_bundle_error_quark ())

typedef enum {
  IMU_BUNDLE_ERROR_READ,          /* the file cannot be opened or read */
  IMU_BUNDLE_ERROR_WRITE,         /* the bundle cannot be written */
  IMU_BUNDLE_ERROR_NOT_A_BUNDLE,  /* not an archive, or no manifest.json first */
  IMU_BUNDLE_ERROR_BAD_MANIFEST,  /* manifest.json is not what docs/bundle.md says */
  IMU_BUNDLE_ERROR_VERSION,       /* a newer bundle version than this build reads */
  IMU_BUNDLE_ERROR_CHECKSUM,      /* a file's bytes or sha256 differ from the manifest */
  IMU_BUNDLE_ERROR_MISSING_FILE,  /* a file the manifest lists is not in the archive */
  IMU_BUNDLE_ERROR_EXTRA_FILE,    /* an entry the manifest does not list, or listed twice */
  IMU_BUNDLE_ERROR_UNSAFE_ENTRY,  /* "..", an absolute path, a link, a device, a folder */
  IMU_BUNDLE_ERROR_TOO_LARGE,     /* more data than declared, or over the absolute cap */
  IMU_BUNDLE_ERROR_BAD_DATA,      /* a samples or events file that does not parse */
  IMU_BUNDLE_ERROR_FAILED,
} ImuBundleError;

GQuark imu_bundle_error_quark (void);

/* The manifest's "format" and the newest "version" this build reads/writes. */
#define IMU_BUNDLE_FORMAT_NAME "imu-studio/bundle"
#define IMU_BUNDLE_VERSION 1
/* The file name extension of bundles. */
#define IMU_BUNDLE_EXTENSION ".imub"

/* Limits that keep a hostile archive from filling the disk or the memory
 * (docs/bundle.md, "Limits"): the decompressed bytes of all entries may
 * exceed the sum of the sizes the manifest declares by at most
 * IMU_BUNDLE_SLACK_BYTES, and the declared sum may not exceed
 * IMU_BUNDLE_MAX_TOTAL_BYTES. */
#define IMU_BUNDLE_MAX_MANIFEST_BYTES (G_GINT64_CONSTANT (16) << 20)      /* 16 MiB */
#define IMU_BUNDLE_MAX_JSON_BYTES     (G_GINT64_CONSTANT (256) << 20)     /* events, calib… each */
#define IMU_BUNDLE_MAX_TOTAL_BYTES    (G_GINT64_CONSTANT (64) << 30)      /* 64 GiB */
#define IMU_BUNDLE_MAX_FILES          4096
#define IMU_BUNDLE_SLACK_BYTES        (G_GINT64_CONSTANT (1) << 20)       /* 1 MiB */

typedef enum {
  IMU_BUNDLE_ARCHIVE_TAR_ZSTD,   /* POSIX tar, zstd-compressed as a whole (the default) */
  IMU_BUNDLE_ARCHIVE_ZIP,        /* zip, each entry deflated */
} ImuBundleArchive;

/* "tar" / "zip" → the kind; FALSE when unknown. */
gboolean imu_bundle_archive_from_string (const char *name, ImuBundleArchive *out);

/**
 * ImuBundleInfo:
 * @uuid: the session's uuid
 * @title: the session's title
 * @bytes: size of the bundle file
 * @sha256: sha256 of the bundle file (lowercase hex)
 * @manifest_json: the manifest.json inside the bundle, as written
 * @n_streams, @n_samples, @n_events: what it holds
 *
 * What one bundle holds. Boxed.
 */
typedef struct {
  char   *uuid;
  char   *title;
  gint64  bytes;
  char   *sha256;
  char   *manifest_json;
  guint   n_streams;
  gint64  n_samples;
  gint64  n_events;
} ImuBundleInfo;

#define IMU_TYPE_BUNDLE_INFO (imu_bundle_info_get_type ())
GType          imu_bundle_info_get_type (void) G_GNUC_CONST;
ImuBundleInfo *imu_bundle_info_copy     (const ImuBundleInfo *info);
void           imu_bundle_info_free     (ImuBundleInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuBundleInfo, imu_bundle_info_free)

/**
 * imu_bundle_write:
 * @store: the library (its thread)
 * @session_id: the session to write
 * @path: the bundle file; written under a temporary name next to it, synced
 *   and renamed, so a failure never leaves a truncated file at @path
 * @archive: tar + zstd or zip
 * @progress: (nullable): samples done / total (both passes over the streams)
 * @info: (out) (optional) (transfer full): what was written
 *
 * Writes a session as a bundle (docs/bundle.md). The same session written
 * twice gives the same bytes. Streams chunk by chunk: memory stays flat.
 * Blocking.
 */
gboolean       imu_bundle_write     (ImuStore          *store,
                                     gint64             session_id,
                                     const char        *path,
                                     ImuBundleArchive   archive,
                                     ImuProgressFunc    progress,
                                     gpointer           progress_data,
                                     GCancellable      *cancellable,
                                     ImuBundleInfo    **info,
                                     GError           **error);

/**
 * imu_bundle_sniff:
 *
 * Whether @path is a tar or zip archive (zstd-compressed or not) whose
 * first entry is named manifest.json: such a file claims to be a bundle,
 * and is imported as one or refused with the bundle's own reason. Reads
 * only that entry's header; a pipe or device is no bundle (and is not
 * waited on). Never fails. Blocking.
 */
gboolean       imu_bundle_sniff     (const char *path);

/**
 * imu_bundle_peek:
 *
 * Reads and checks the manifest (the first entry) and hashes the file; does
 * not check the other entries. Blocking.
 */
ImuBundleInfo *imu_bundle_peek      (const char    *path,
                                     GCancellable  *cancellable,
                                     GError       **error);

/**
 * imu_bundle_verify:
 *
 * Reads the whole bundle and checks it as an import would (entries, sizes,
 * checksums, limits, samples that parse) without touching a library.
 * Blocking.
 */
ImuBundleInfo *imu_bundle_verify    (const char    *path,
                                     GCancellable  *cancellable,
                                     GError       **error);

/**
 * ImuBundleEdits:
 * @session: the manifest's session object: metadata, "updated_us", and
 *   "edited_us" and "deleted_events" when the writer had them
 * @events: (element-type ImuEvent): events.jsonl, with each event's uid and
 *   updated_us when the bundle has them (session_id 0)
 *
 * What a merge of another library's copy of a session reads from its
 * bundle (docs/sync.md).
 */
typedef struct {
  JsonObject *session;
  GPtrArray  *events;
} ImuBundleEdits;

/**
 * imu_bundle_read_edits:
 *
 * Checks the whole bundle as imu_bundle_verify() does and returns its
 * session's metadata and events. Blocking.
 */
ImuBundleEdits *imu_bundle_read_edits (const char    *path,
                                       GCancellable  *cancellable,
                                       GError       **error);
void            imu_bundle_edits_free (ImuBundleEdits *edits);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuBundleEdits, imu_bundle_edits_free)

/**
 * imu_bundle_import:
 * @options: (nullable): only allow_duplicate is used: it imports a bundle
 *   whose uuid is already in the library as a copy with a new uuid
 * @duplicate_of: (out) (optional): on %IMU_IMPORT_ERROR_DUPLICATE, the
 *   session that already has the bundle's uuid
 *
 * Recreates the session a bundle holds, sample for sample, with its uuid,
 * metadata, device, calibration, events and profile, in one transaction,
 * and writes an import audit row. A bundle whose uuid is already in the
 * library is a no-op reported as %IMU_IMPORT_ERROR_DUPLICATE ("already in
 * the library as session N"). A bad bundle is refused with an
 * %IMU_BUNDLE_ERROR; nothing of it is written but a failure audit row, as
 * for any import. The same as imu_import_path() with the "bundle" format
 * forced. Blocking.
 */
ImuImportResult *imu_bundle_import  (ImuStore               *store,
                                     const char             *path,
                                     const ImuImportOptions *options,
                                     ImuProgressFunc         progress,
                                     gpointer                progress_data,
                                     gint64                 *duplicate_of,
                                     GCancellable           *cancellable,
                                     GError                **error);

/**
 * imu_bundle_read_into:
 * @builder: a begun builder (import mode); its session becomes the
 *   bundle's, and its source the bundle's size and sha256
 * @allow_duplicate: import a bundle whose uuid is in the library as a copy
 *   with a new uuid, rather than refuse it
 * @duplicate_of: (out) (optional): on %IMU_IMPORT_ERROR_DUPLICATE, the
 *   session that already has the bundle's uuid
 * @progress: (nullable): bytes of the bundle file read / its size
 *
 * Reads a bundle into @builder, checking it as it goes; the caller
 * finishes or fails the builder (the registry's bundle importer does).
 * Blocking.
 */
gboolean       imu_bundle_read_into (ImuSessionBuilder  *builder,
                                     const char         *path,
                                     gboolean            allow_duplicate,
                                     gint64             *duplicate_of,
                                     ImuProgressFunc     progress,
                                     gpointer            progress_data,
                                     GCancellable       *cancellable,
                                     GError            **error);

G_END_DECLS
