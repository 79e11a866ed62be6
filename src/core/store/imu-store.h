/* imu-store.h — the library file: one SQLite database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-session.h"
#include "imu-stream-info.h"

G_BEGIN_DECLS

#define IMU_STORE_ERROR (imu_store_error_quark ())

typedef enum {
  IMU_STORE_ERROR_OPEN,          /* the file cannot be opened or created */
  IMU_STORE_ERROR_NOT_A_LIBRARY, /* the file is not an SQLite database / not an IMU Studio library */
  IMU_STORE_ERROR_NEWER_SCHEMA,  /* written by a newer IMU Studio: refused, left untouched */
  IMU_STORE_ERROR_MIGRATION,     /* a migration failed (rolled back) */
  IMU_STORE_ERROR_NOT_FOUND,     /* no such session / stream / event */
  IMU_STORE_ERROR_AMBIGUOUS,     /* a uuid prefix matches several sessions */
  IMU_STORE_ERROR_FULL,          /* disk or quota full */
  IMU_STORE_ERROR_BUSY,          /* another process holds a lock for too long */
  IMU_STORE_ERROR_READONLY,
  IMU_STORE_ERROR_CORRUPT,       /* integrity or invariant check failed */
  IMU_STORE_ERROR_FAILED,
} ImuStoreError;

GQuark imu_store_error_quark (void);

/* The schema version this build writes (the highest migration number). */
int imu_store_schema_version (void);

#define IMU_TYPE_STORE (imu_store_get_type ())
G_DECLARE_FINAL_TYPE (ImuStore, imu_store, IMU, STORE, GObject)

/**
 * imu_store_default_path:
 *
 * Returns: (transfer full): the library path to use when none is given:
 *   $IMU_LIBRARY if set, else $XDG_DATA_HOME/imu-studio/library.db
 */
char       *imu_store_default_path   (void);

/**
 * imu_store_open:
 * @path: the library file; created (with its folder) when missing
 *
 * Opens a library on a new connection (WAL, foreign keys, busy timeout) and
 * applies pending migrations, each in its own transaction. A library written
 * by a newer schema is refused with %IMU_STORE_ERROR_NEWER_SCHEMA and not
 * modified. A connection belongs to the thread that uses it: open another
 * store on the same path for work in another thread. Blocks on disk I/O.
 */
ImuStore   *imu_store_open           (const char  *path,
                                      GError     **error);
const char *imu_store_get_path       (ImuStore    *self);
int         imu_store_get_version    (ImuStore    *self);

/**
 * ImuStoreWaitFunc:
 * @holder: (nullable): who holds the library ("process 1234 (imu import
 *   a.csv)"), when that can be told
 *
 * Called, on the store's thread, when a write has waited a second for
 * another program that is writing to the library.
 */
typedef void (*ImuStoreWaitFunc) (ImuStore   *store,
                                  const char *holder,
                                  gpointer    user_data);

/**
 * imu_store_set_wait_func:
 * @func: (nullable): told once per wait, after a second
 * @cancellable: (nullable): stops the wait (the write then fails with
 *   %G_IO_ERROR_CANCELLED)
 *
 * By default a write that finds the library held by another program
 * (an import is one long transaction) waits up to 10 s and then fails with
 * %IMU_STORE_ERROR_BUSY. With a wait function it waits its turn as long as
 * it takes, telling @func once, until @cancellable is cancelled.
 */
void        imu_store_set_wait_func  (ImuStore         *self,
                                      ImuStoreWaitFunc  func,
                                      gpointer          user_data,
                                      GCancellable     *cancellable);

/* Transactions (nestable through savepoints). Blocking. */
gboolean    imu_store_begin          (ImuStore *self, GError **error);
gboolean    imu_store_commit         (ImuStore *self, GError **error);
void        imu_store_rollback       (ImuStore *self);

/* Sessions. All blocking. */
typedef enum {
  IMU_SESSION_SORT_DATE_DESC,
  IMU_SESSION_SORT_DATE_ASC,
  IMU_SESSION_SORT_TITLE,
  IMU_SESSION_SORT_DURATION_DESC,
} ImuSessionSort;

/* Returns: (transfer full) (element-type ImuSession): sessions (without streams)
 * whose title/subject/activity/tags/notes contain @search (NULL for all). */
GPtrArray  *imu_store_list_sessions   (ImuStore        *self,
                                       const char      *search,
                                       ImuSessionSort   sort,
                                       GError         **error);
/* Loads one session with its streams. */
ImuSession *imu_store_load_session    (ImuStore    *self,
                                       gint64       session_id,
                                       GError     **error);
/* Finds a session by numeric id or uuid prefix (≥ 4 hex digits). */
gint64      imu_store_resolve_session (ImuStore    *self,
                                       const char  *id_or_uuid,
                                       GError     **error);
/* Inserts a new session row (assigns id, uuid when empty, created/updated). */
gboolean    imu_store_insert_session  (ImuStore    *self,
                                       ImuSession  *session,
                                       GError     **error);
/* Saves title, subject, activity, tags, notes, state, times, device. */
gboolean    imu_store_update_session  (ImuStore    *self,
                                       ImuSession  *session,
                                       GError     **error);
/* Marks a session changed now (its updated time), so that sync pushes it
 * again: for edits of what it owns, such as its events. */
gboolean    imu_store_touch_session   (ImuStore    *self,
                                       gint64       session_id,
                                       GError     **error);
/* Deletes a session and everything it owns (streams, chunks, lod, events). */
gboolean    imu_store_delete_session  (ImuStore    *self,
                                       gint64       session_id,
                                       GError     **error);
gint64      imu_store_count_sessions  (ImuStore *self, GError **error);

/* Streams. */
GPtrArray  *imu_store_list_streams    (ImuStore    *self,
                                       gint64       session_id,
                                       GError     **error); /* (element-type ImuStreamInfo) */

/* Events on a session's time line. */
typedef struct {
  gint64  id;
  gint64  session_id;
  gint64  t_ns;
  gint64  duration_ns;   /* 0 for an instant */
  char   *kind;          /* "marker", "note", "device", "imported" */
  char   *label;
  char   *payload_json;  /* nullable */
  char   *uid;           /* the same event in every library (32 hex digits);
                          * NULL before it is stored: imu_store_add_event() makes one */
  gint64  updated_us;    /* its last change; 0: now, when it is stored */
} ImuEvent;

#define IMU_TYPE_EVENT (imu_event_get_type ())
GType       imu_event_get_type   (void) G_GNUC_CONST;
ImuEvent   *imu_event_new        (gint64 t_ns, const char *kind, const char *label);
ImuEvent   *imu_event_copy       (const ImuEvent *event);
void        imu_event_free       (ImuEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuEvent, imu_event_free)

gboolean    imu_store_add_event     (ImuStore *self, ImuEvent *event, GError **error); /* sets id, and uid and
                                                                                           * updated_us when unset */
char       *imu_event_make_uid      (void);
gboolean    imu_store_update_event  (ImuStore *self, const ImuEvent *event, GError **error);
gboolean    imu_store_delete_event  (ImuStore *self, gint64 event_id, GError **error);
GPtrArray  *imu_store_list_events   (ImuStore *self, gint64 session_id, GError **error); /* (element-type ImuEvent), by time */

/* Import audit rows. */
typedef struct {
  gint64      id;
  gint64      session_id;   /* 0 when the import failed */
  char       *path;
  char       *sha256;
  gint64      bytes;
  gint64      rows;
  char       *format;
  char       *delimiter;
  gboolean    utf8_valid;
  double      duration_s;
  char       *issues_json;  /* {"E_NUMERIC_FORMAT":{"count":3,"lines":[12,40,41]}, …} */
  char       *error;        /* the message when the import failed, else NULL */
  gint64      created_us;
} ImuImportAudit;

#define IMU_TYPE_IMPORT_AUDIT (imu_import_audit_get_type ())
GType       imu_import_audit_get_type (void) G_GNUC_CONST;
void        imu_import_audit_free     (ImuImportAudit *audit);
ImuImportAudit *imu_import_audit_copy (const ImuImportAudit *audit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuImportAudit, imu_import_audit_free)

gboolean    imu_store_add_import_audit  (ImuStore *self, ImuImportAudit *audit, GError **error);
GPtrArray  *imu_store_list_import_audits (ImuStore *self, gint64 session_id, GError **error);
/* The session that already holds bytes with this sha256, or 0. */
gint64      imu_store_find_session_by_sha256 (ImuStore *self, const char *sha256, GError **error);

/**
 * imu_store_check:
 * @problems: (out) (transfer full): one line per problem found
 *
 * Runs PRAGMA integrity_check and foreign_key_check, then the store's own
 * invariants (chunk counts and sample totals agree with streams, chunks
 * decode, LOD covers every sample, time ranges agree). Blocking, reads
 * every chunk.
 *
 * Returns: %TRUE when the library is healthy
 */
gboolean    imu_store_check           (ImuStore    *self,
                                       GPtrArray  **problems,
                                       GCancellable *cancellable,
                                       GError     **error);

G_END_DECLS
