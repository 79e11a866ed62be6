/* imu-session-export.h — a session written out from the window: CSV as it
 * came, CSV per stream, or a bundle, in a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-import.h"
#include "imu-store.h"

G_BEGIN_DECLS

typedef enum {
  IMU_SESSION_EXPORT_CSV_SOURCE,   /* IMU_EXPORT_LAYOUT_SOURCE: one CSV as imported, when it came
                                    * from one file; else a folder with a CSV per stream */
  IMU_SESSION_EXPORT_CSV_STREAMS,  /* IMU_EXPORT_LAYOUT_STREAMS: a folder with one NAME.csv per stream */
  IMU_SESSION_EXPORT_BUNDLE,       /* one archive with everything (imu_bundle_write()) */
} ImuSessionExportKind;

/* Whether @kind writes @session as one file (whose path is chosen) rather
 * than as a folder (made inside a chosen folder). Does not block (looks at
 * whether the origin path is a folder). */
gboolean  imu_session_export_is_one_file    (ImuSession           *session,
                                             ImuSessionExportKind  kind);
/* The name to offer: the imported file's name, "Title.imub", or "Title"
 * for a folder. Newly allocated. */
char     *imu_session_export_suggest_name   (ImuSession           *session,
                                             ImuSessionExportKind  kind);
/**
 * imu_session_export:
 * @store: the library (its thread)
 * @destination: the file to write for a one-file kind; for a folder, the
 *   folder in which a new one named after the session is made
 * @progress: (nullable): samples done / total, in this thread
 * @written: (out) (optional) (transfer full): the file or folder written
 *
 * Writes the session with the same core functions as `imu export`. Nothing
 * appears under the final name until all of it is written: files and
 * folders are written under a hidden temporary name beside it and renamed
 * at the end; a failure or cancellation removes them. Blocking.
 */
gboolean  imu_session_export                (ImuStore              *store,
                                             gint64                 session_id,
                                             ImuSessionExportKind   kind,
                                             const char            *destination,
                                             ImuProgressFunc        progress,
                                             gpointer               progress_data,
                                             GCancellable          *cancellable,
                                             char                 **written,
                                             GError               **error);

/**
 * imu_session_export_async:
 * @library_path: opened on a connection of the worker thread's own
 * @progress: (nullable): called in the calling thread's main context
 * @progress_notify: (nullable): frees @progress_data, in that context
 *
 * Runs imu_session_export() in a worker thread. Does not block.
 */
void      imu_session_export_async          (const char            *library_path,
                                             gint64                 session_id,
                                             ImuSessionExportKind   kind,
                                             const char            *destination,
                                             ImuProgressFunc        progress,
                                             gpointer               progress_data,
                                             GDestroyNotify         progress_notify,
                                             GCancellable          *cancellable,
                                             GAsyncReadyCallback    callback,
                                             gpointer               user_data);
/* Returns: (transfer full): the file or folder written, or %NULL with
 * @error set (G_IO_ERROR_CANCELLED when cancelled) */
char     *imu_session_export_finish         (GAsyncResult          *result,
                                             GError               **error);

/* While @hold, every export waits after its first progress report
 * (until released or cancelled). Only for tests: the GUI tests look at
 * an export's progress, which a fast machine would otherwise finish
 * before the first frame. */
void      imu_session_export_hold_for_testing (gboolean hold);

G_END_DECLS
