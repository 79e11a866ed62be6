/* imu-session-builder.h — one session's life in the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every writer of sessions — each importer, the bundle reader and (later)
 * the recorder — goes through one ImuSessionBuilder, so that "one import =
 * one transaction = one audit row" holds by construction: begin, add
 * streams and events, count issues and lines, then either finish (commit
 * with the audit row) or fail (roll back, keep only a failure audit row).
 */
#pragma once

#include <gio/gio.h>

#include "imu-import.h"
#include "imu-store.h"
#include "imu-stream-writer.h"

G_BEGIN_DECLS

/**
 * ImuSessionBuilderMode:
 * @IMU_SESSION_BUILDER_IMPORT: everything from begin() to finish() is one
 *   transaction; the session row is written with the first stream (so that
 *   an importer can still give the session its identity from the input)
 * @IMU_SESSION_BUILDER_RECORD: begin() commits the session row at once in
 *   state `recording`; flush() commits what is written so far and goes on;
 *   finish() sets the state `complete`, fail() sets it `interrupted`
 */
typedef enum {
  IMU_SESSION_BUILDER_IMPORT,
  IMU_SESSION_BUILDER_RECORD,
} ImuSessionBuilderMode;

#define IMU_TYPE_SESSION_BUILDER (imu_session_builder_get_type ())
G_DECLARE_FINAL_TYPE (ImuSessionBuilder, imu_session_builder, IMU, SESSION_BUILDER, GObject)

/**
 * imu_session_builder_new:
 * @store: the library; the builder uses it from the calling thread only
 * @input_path: (nullable): what is imported or recorded, for the audit row
 * @mode: one transaction (import) or periodic commits (record)
 *
 * Returns: (transfer full): a builder whose session (get_session()) the
 *   caller describes before begin(). Does not block.
 */
ImuSessionBuilder *imu_session_builder_new          (ImuStore              *store,
                                                     const char            *input_path,
                                                     ImuSessionBuilderMode  mode);

ImuStore          *imu_session_builder_get_store    (ImuSessionBuilder *self);
/* The session being built (borrowed): title, device, rate, notes… are
 * saved by finish() (and by flush() in record mode). */
ImuSession        *imu_session_builder_get_session  (ImuSessionBuilder *self);
ImuSessionBuilderMode imu_session_builder_get_mode  (ImuSessionBuilder *self);
const char        *imu_session_builder_get_input_path (ImuSessionBuilder *self);

/**
 * imu_session_builder_set_existing:
 * @session: a session of the library (loaded with imu_store_load_session())
 *
 * Record mode: continues @session instead of making a new one (a resumed
 * recording): begin() marks it `recording` rather than inserting it. Its
 * streams stay as they are; the caller decides what becomes of them. Call
 * before begin(). Does not block.
 */
void               imu_session_builder_set_existing (ImuSessionBuilder *self,
                                                     ImuSession        *session);

/**
 * imu_session_builder_begin:
 *
 * Opens the builder's transaction. In record mode it first commits the
 * session row in state `recording`, so that a crash leaves a session to
 * recover. Blocking.
 */
gboolean           imu_session_builder_begin        (ImuSessionBuilder  *self,
                                                     GError            **error);

/**
 * imu_session_builder_get_session_id:
 *
 * Writes the session row now if it is not yet written (import mode writes
 * it with the first stream) and returns its id; for importers that write
 * rows of their own that refer to the session (calibration, a profile).
 * Blocking.
 *
 * Returns: the id, or 0 with @error set
 */
gint64             imu_session_builder_get_session_id (ImuSessionBuilder  *self,
                                                       GError            **error);

/**
 * imu_session_builder_add_stream:
 * @info: the stream (its session_id is set by the builder); copied
 *
 * Creates a stream of the session. A name already used gets a " 2"
 * suffix. Blocking.
 *
 * Returns: (transfer none): its writer, owned by the builder and finished
 *   by finish()
 */
ImuStreamWriter   *imu_session_builder_add_stream   (ImuSessionBuilder    *self,
                                                     const ImuStreamInfo  *info,
                                                     GError              **error);

/* Adds an event to the session; written by finish() (or the next flush()).
 * Does not block. */
void               imu_session_builder_add_event    (ImuSessionBuilder *self,
                                                     gint64             t_ns,
                                                     gint64             duration_ns,
                                                     const char        *kind,
                                                     const char        *label,
                                                     const char        *payload_json);

/* Adds @event (its uid and updated_us kept when set: a bundle's event) and
 * takes it. Does not block. */
void               imu_session_builder_take_event   (ImuSessionBuilder *self,
                                                     ImuEvent          *event);

/* Counts one issue (IMU_ISSUE_*) at a 1-based line (0 when not line-based);
 * the first IMU_IMPORT_KEPT_LINES line numbers per code are kept. Called
 * per line: no argument checks. */
void               imu_session_builder_issue        (ImuSessionBuilder *self,
                                                     const char        *code,
                                                     gint64             line);
/* Counts one issue (IMU_ISSUE_*) at a 0-based place of a binary file (a
 * block, a record, a page: "line" 0 is kept); the first
 * IMU_IMPORT_KEPT_LINES places per code are kept. Does not block. */
void               imu_session_builder_issue_at     (ImuSessionBuilder *self,
                                                     const char        *code,
                                                     gint64             index);
/* Counts a data line, accepted or rejected, for the bad-line threshold.
 * Called per line: no argument checks. */
void               imu_session_builder_count_line   (ImuSessionBuilder *self,
                                                     gboolean           accepted);
/* Whether more lines were rejected than IMU_IMPORT_MAX_BAD_FRACTION allows. */
gboolean           imu_session_builder_too_many_errors (ImuSessionBuilder *self);
gint64             imu_session_builder_get_lines_ok  (ImuSessionBuilder *self);
gint64             imu_session_builder_get_lines_bad (ImuSessionBuilder *self);

/* Facts for the audit row (last call wins). */
void               imu_session_builder_set_format   (ImuSessionBuilder *self,
                                                     const char        *format);
const char        *imu_session_builder_get_format   (ImuSessionBuilder *self);
/* Device files: how their wall clock was read (imu_device_clock_describe()),
 * for the result. */
void               imu_session_builder_set_device_clock (ImuSessionBuilder *self,
                                                         const char        *description);
void               imu_session_builder_set_delimiter (ImuSessionBuilder *self,
                                                      char               delimiter);
void               imu_session_builder_set_utf8_valid (ImuSessionBuilder *self,
                                                       gboolean           valid);
/* The input's sha256 (lowercase hex, nullable) and size, for the audit
 * row and the session's origin. */
void               imu_session_builder_set_source   (ImuSessionBuilder *self,
                                                     const char        *sha256,
                                                     gint64             bytes);
const char        *imu_session_builder_get_sha256   (ImuSessionBuilder *self);

/* Whether the session row as the importer wrote it is final: finish() then
 * neither derives the time range and rate from the streams nor saves the
 * session again (a bundle carries its own, with its own created/updated
 * times). */
void               imu_session_builder_set_session_final (ImuSessionBuilder *self,
                                                          gboolean           final);

/**
 * imu_session_builder_end_streams:
 *
 * Finishes every stream writer (partial chunk, LOD tails, stream rows).
 * finish() calls it; callers that check the result before finishing (no
 * samples, a duplicate) call it first. Blocking.
 */
gboolean           imu_session_builder_end_streams  (ImuSessionBuilder  *self,
                                                     GError            **error);
/**
 * imu_session_builder_close_streams:
 *
 * Finishes the stream writers added so far and frees them: their pointers
 * are invalid afterwards. A folder or an archive calls it after each of
 * its files, so that memory does not grow with the number of files.
 * Blocking.
 */
gboolean           imu_session_builder_close_streams (ImuSessionBuilder  *self,
                                                      GError            **error);
/* Samples appended so far, over all streams (closed ones included). */
gint64             imu_session_builder_get_n_samples (ImuSessionBuilder *self);

/**
 * imu_session_builder_flush:
 *
 * Record mode: writes the chunks being filled and the pending events,
 * saves the session (its time range so far) and commits, then goes on in
 * a new transaction, so a crash loses only what came after. Blocking.
 */
gboolean           imu_session_builder_flush        (ImuSessionBuilder  *self,
                                                     GError            **error);

/**
 * imu_session_builder_pause:
 *
 * Record mode: does what flush() does (writes the chunks being filled and
 * the pending events, saves the session and commits) but leaves no
 * transaction open, so that other programs can write to the library
 * between two commits of a long recording. The caller holds the samples
 * that arrive meanwhile and calls resume() before it appends them, adds a
 * stream, finishes or flushes. Blocking.
 */
gboolean           imu_session_builder_pause        (ImuSessionBuilder  *self,
                                                     GError            **error);
/* Record mode: opens the transaction pause() closed. Blocking. */
gboolean           imu_session_builder_resume       (ImuSessionBuilder  *self,
                                                     GError            **error);

/**
 * imu_session_builder_finish:
 *
 * Ends the streams, writes the events, sets the session's time range (and
 * the first stream's rate when it has none), state `complete` in record
 * mode, writes the audit row and commits. Blocking.
 *
 * Returns: (transfer full): what was imported, or %NULL with @error set;
 *   on failure call fail() with that error
 */
ImuImportResult   *imu_session_builder_finish       (ImuSessionBuilder  *self,
                                                     GError            **error);

/**
 * imu_session_builder_fail:
 * @failure: (transfer full): what went wrong
 * @error: where @failure goes, with store errors mapped to import errors
 *   (%IMU_STORE_ERROR_FULL → %IMU_IMPORT_ERROR_DISK_FULL, any other →
 *   %IMU_IMPORT_ERROR_STORE); other domains pass unchanged
 *
 * Rolls back what is not committed (in record mode the session is kept,
 * marked `interrupted`) and, unless the failure is a cancellation or a
 * duplicate, writes a failure audit row in a transaction of its own, after
 * the rollback, so that it survives. Blocking.
 */
void               imu_session_builder_fail         (ImuSessionBuilder  *self,
                                                     GError             *failure,
                                                     GError            **error);

G_END_DECLS
