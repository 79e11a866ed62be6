/* imu-library.h — the open library as the window sees it: a list model of
 * sessions, and every slow library call run in a worker thread
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-store.h"

G_BEGIN_DECLS

/**
 * ImuSessionDetails:
 * @session: the session with its streams
 * @events: (element-type ImuEvent): its events, by time
 * @audits: (element-type ImuImportAudit): the audit rows of the imports
 *   that made it (usually one)
 *
 * What the session view shows, read in one go in a worker thread.
 */
typedef struct {
  ImuSession *session;
  GPtrArray  *events;
  GPtrArray  *audits;
} ImuSessionDetails;

void imu_session_details_free (ImuSessionDetails *details);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSessionDetails, imu_session_details_free)

#define IMU_TYPE_LIBRARY (imu_library_get_type ())
G_DECLARE_FINAL_TYPE (ImuLibrary, imu_library, IMU, LIBRARY, GObject)

ImuLibrary *imu_library_new                (const char *path);
const char *imu_library_get_path           (ImuLibrary *self);
GListModel *imu_library_get_sessions       (ImuLibrary *self);
gboolean    imu_library_get_loaded         (ImuLibrary *self);
ImuSession *imu_library_lookup             (ImuLibrary *self,
                                            gint64      session_id);
guint       imu_library_get_n_pending_deletions (ImuLibrary *self);

void        imu_library_refresh            (ImuLibrary          *self);
void        imu_library_load_async         (ImuLibrary          *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    imu_library_load_finish        (ImuLibrary          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

void        imu_library_load_details_async (ImuLibrary          *self,
                                            gint64               session_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
ImuSessionDetails *imu_library_load_details_finish (ImuLibrary    *self,
                                                    GAsyncResult  *result,
                                                    GError       **error);

void        imu_library_save_session_async (ImuLibrary          *self,
                                            ImuSession          *edited,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    imu_library_save_session_finish (ImuLibrary         *self,
                                             GAsyncResult       *result,
                                             GError            **error);

void        imu_library_add_session_async  (ImuLibrary          *self,
                                            gint64               session_id,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
ImuSession *imu_library_add_session_finish (ImuLibrary          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

void        imu_library_create_demo_async  (ImuLibrary          *self,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gint64      imu_library_create_demo_finish (ImuLibrary          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

/* Deletion happens in two steps so that it can be undone: the session leaves
 * the list at once, and leaves the file on commit. */
gboolean    imu_library_delete_session     (ImuLibrary          *self,
                                            gint64               session_id);
gboolean    imu_library_undo_delete        (ImuLibrary          *self,
                                            gint64               session_id);
void        imu_library_commit_delete_async (ImuLibrary         *self,
                                             gint64              session_id,
                                             GAsyncReadyCallback callback,
                                             gpointer            user_data);
gboolean    imu_library_commit_delete_finish (ImuLibrary        *self,
                                              GAsyncResult      *result,
                                              GError           **error);
void        imu_library_flush_async        (ImuLibrary          *self,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    imu_library_flush_finish       (ImuLibrary          *self,
                                            GAsyncResult        *result,
                                            GError             **error);

void        imu_library_add_event_async    (ImuLibrary          *self,
                                            const ImuEvent      *event,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
ImuEvent   *imu_library_add_event_finish   (ImuLibrary          *self,
                                            GAsyncResult        *result,
                                            GError             **error);
void        imu_library_update_event_async (ImuLibrary          *self,
                                            const ImuEvent      *event,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    imu_library_update_event_finish (ImuLibrary         *self,
                                             GAsyncResult       *result,
                                             GError            **error);
void        imu_library_delete_event_async (ImuLibrary          *self,
                                            gint64               session_id,
                                            gint64               event_id,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data);
gboolean    imu_library_delete_event_finish (ImuLibrary         *self,
                                             GAsyncResult       *result,
                                             GError            **error);

G_END_DECLS
