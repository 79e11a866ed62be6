/* imu-store-private.h — what core modules use of the store's connection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <sqlite3.h>

#include "imu-store.h"

G_BEGIN_DECLS

sqlite3       *imu_store_get_db           (ImuStore      *self);
/* A cached prepared statement, reset and with bindings cleared. Owned by the store. */
sqlite3_stmt  *imu_store_prepare          (ImuStore      *self,
                                           const char    *sql,
                                           GError       **error);
/* Sets @error from the connection's last error, mapping the SQLite code to
 * an ImuStoreError code; @what says what was being done. Returns FALSE. */
gboolean       imu_store_fail             (ImuStore      *self,
                                           int            rc,
                                           const char    *what,
                                           GError       **error);
/* Resets the cached statements a caller left on a row (outside a
 * transaction): each keeps a read transaction open, which SQLite refuses
 * at once, without the busy handler, to turn into a write while another
 * connection writes. Every write outside a transaction calls it first. */
void           imu_store_end_reads        (ImuStore      *self);
/* Runs a statement that returns no rows. */
gboolean       imu_store_exec             (ImuStore      *self,
                                           const char    *sql,
                                           GError       **error);

gboolean       imu_store_insert_stream    (ImuStore      *self,
                                           ImuStreamInfo *info,
                                           GError       **error);
gboolean       imu_store_update_stream    (ImuStore      *self,
                                           const ImuStreamInfo *info,
                                           gint64         n_chunks,
                                           GError       **error);
ImuStreamInfo *imu_store_load_stream      (ImuStore      *self,
                                           gint64         stream_id,
                                           GError       **error);
/* Session time range from its streams. */
gboolean       imu_store_refresh_session_range (ImuStore *self,
                                                gint64    session_id,
                                                GError  **error);

char          *imu_time_format_to_json    (const ImuTimeFormat *fmt);
void           imu_time_format_from_json  (ImuTimeFormat *fmt,
                                           const char    *json);

G_END_DECLS
