/* imu-sync-queue.c — the sync queue and targets, in the library file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The queue lives in the library so that it survives restarts and
 * crashes: a transfer cut short is found in state transferring by the next
 * scheduler, which puts it back in the queue with its resume state.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-redact.h"
#include "imu-store-private.h"
#include "imu-sync-queue.h"

static const char * const state_names[] = {
  "queued", "transferring", "verifying", "done", "retrying", "needs-attention",
};

const char *
imu_sync_state_to_string (ImuSyncState state)
{
  g_return_val_if_fail ((guint) state < G_N_ELEMENTS (state_names), "queued");
  return state_names[state];
}

ImuSyncState
imu_sync_state_from_string (const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (state_names); i++)
    if (g_strcmp0 (text, state_names[i]) == 0)
      return (ImuSyncState) i;
  return IMU_SYNC_STATE_QUEUED;
}

const char *
imu_sync_direction_to_string (ImuSyncDirection direction)
{
  return direction == IMU_SYNC_PULL ? "pull" : "push";
}

G_DEFINE_BOXED_TYPE (ImuSyncItem, imu_sync_item, imu_sync_item_copy, imu_sync_item_free)

ImuSyncItem *
imu_sync_item_copy (const ImuSyncItem *item)
{
  ImuSyncItem *c = g_memdup2 (item, sizeof *item);

  c->target_name = g_strdup (item->target_name);
  c->session_uuid = g_strdup (item->session_uuid);
  c->last_error = g_strdup (item->last_error);
  c->resume_state = g_strdup (item->resume_state);
  c->sha256 = g_strdup (item->sha256);
  return c;
}

void
imu_sync_item_free (ImuSyncItem *item)
{
  if (item == NULL)
    return;
  g_free (item->target_name);
  g_free (item->session_uuid);
  g_free (item->last_error);
  g_free (item->resume_state);
  g_free (item->sha256);
  g_free (item);
}

static char *
dup_column (sqlite3_stmt *stmt, int col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return NULL;
  return g_strdup ((const char *) sqlite3_column_text (stmt, col));
}

/* Reads one row of a statement into a new struct. */
typedef gpointer (*RowReader) (sqlite3_stmt *stmt);

/* Every row of @stmt (prepared and bound) through @read_row, or NULL with
 * @error when a step fails (@what says what was being read). */
static GPtrArray *
collect_rows (ImuStore *store, sqlite3_stmt *stmt, RowReader read_row, GDestroyNotify free_row, const char *what,
              GError **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (free_row);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, read_row (stmt));
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, what, error);
      return NULL;
    }
  return g_steal_pointer (&list);
}

/* ---- targets ---- */

#define TARGET_COLUMNS "id, name, kind, url, prefix, config, secret_id, insecure, allow_metered, created_us"

static gpointer
target_from_row (sqlite3_stmt *stmt)
{
  ImuSyncTargetConfig *c = g_new0 (ImuSyncTargetConfig, 1);

  c->id = sqlite3_column_int64 (stmt, 0);
  c->name = dup_column (stmt, 1);
  c->kind = dup_column (stmt, 2);
  c->url = dup_column (stmt, 3);
  c->prefix = dup_column (stmt, 4);
  c->config_json = dup_column (stmt, 5);
  c->secret_id = dup_column (stmt, 6);
  c->insecure = sqlite3_column_int (stmt, 7) != 0;
  c->allow_metered = sqlite3_column_type (stmt, 8) == SQLITE_NULL ? -1 : sqlite3_column_int (stmt, 8) != 0;
  c->created_us = sqlite3_column_int64 (stmt, 9);
  return c;
}

static void
bind_allow_metered (sqlite3_stmt *stmt, int col, int allow)
{
  if (allow < 0)
    sqlite3_bind_null (stmt, col);
  else
    sqlite3_bind_int (stmt, col, allow != 0);
}

gboolean
imu_sync_queue_add_target (ImuStore *store, ImuSyncTargetConfig *config, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (config != NULL && config->name != NULL && config->kind != NULL, FALSE);

  if (config->secret_id == NULL || *config->secret_id == '\0')
    {
      g_free (config->secret_id);
      config->secret_id = g_uuid_string_random ();
    }
  config->created_us = g_get_real_time ();
  if (!(stmt = imu_store_prepare (store, "INSERT INTO sync_targets (name, kind, url, prefix, config, secret_id, "
                                         "insecure, allow_metered, created_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, config->name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, config->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, config->url != NULL ? config->url : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, config->prefix != NULL ? config->prefix : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, config->config_json != NULL ? config->config_json : "{}", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, config->secret_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 7, config->insecure);
  bind_allow_metered (stmt, 8, config->allow_metered);
  sqlite3_bind_int64 (stmt, 9, config->created_us);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT)
    {
      sqlite3_reset (stmt);
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_TARGET_EXISTS,
                   _("There is already a sync target called “%s”."), config->name);
      return FALSE;
    }
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "adding a sync target", error);
  config->id = sqlite3_last_insert_rowid (imu_store_get_db (store));
  return TRUE;
}

gboolean
imu_sync_queue_update_target (ImuStore *store, const ImuSyncTargetConfig *config, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store, "UPDATE sync_targets SET url = ?, prefix = ?, config = ?, insecure = ?, "
                                         "allow_metered = ? WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, config->url, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, config->prefix != NULL ? config->prefix : "", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, config->config_json != NULL ? config->config_json : "{}", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, config->insecure);
  bind_allow_metered (stmt, 5, config->allow_metered);
  sqlite3_bind_int64 (stmt, 6, config->id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (store, rc, "saving a sync target", error);
  return TRUE;
}

GPtrArray *
imu_sync_queue_list_targets (ImuStore *store, GError **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = imu_store_prepare (store, "SELECT " TARGET_COLUMNS " FROM sync_targets ORDER BY name", error)))
    return NULL;
  return collect_rows (store, stmt, target_from_row, (GDestroyNotify) imu_sync_target_config_free,
                       "listing sync targets", error);
}

static ImuSyncTargetConfig *
get_target (ImuStore *store, const char *sql, const char *name, gint64 id, GError **error)
{
  sqlite3_stmt *stmt;
  ImuSyncTargetConfig *c = NULL;
  int rc;

  if (!(stmt = imu_store_prepare (store, sql, error)))
    return NULL;
  if (name != NULL)
    sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    c = target_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return c;
  if (rc != SQLITE_DONE)
    imu_store_fail (store, rc, "reading a sync target", error);
  else if (name != NULL)
    g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                 _("There is no sync target called “%s” (see “imu target list”)."), name);
  else
    g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                 _("There is no sync target %" PRId64 "."), id);
  return NULL;
}

ImuSyncTargetConfig *
imu_sync_queue_get_target (ImuStore *store, const char *name, GError **error)
{
  return get_target (store, "SELECT " TARGET_COLUMNS " FROM sync_targets WHERE name = ?", name, 0, error);
}

ImuSyncTargetConfig *
imu_sync_queue_get_target_by_id (ImuStore *store, gint64 id, GError **error)
{
  return get_target (store, "SELECT " TARGET_COLUMNS " FROM sync_targets WHERE id = ?", NULL, id, error);
}

gboolean
imu_sync_queue_remove_target (ImuStore *store, const char *name, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store, "DELETE FROM sync_targets WHERE name = ?", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (store, rc, "removing a sync target", error);
  if (sqlite3_changes (imu_store_get_db (store)) == 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no sync target called “%s” (see “imu target list”)."), name);
      return FALSE;
    }
  return TRUE;
}

/* ---- settings ---- */

char *
imu_sync_queue_get_setting (ImuStore *store, const char *key)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, "SELECT value FROM sync_settings WHERE key = ?", NULL);
  char *value = NULL;

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = dup_column (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

gboolean
imu_sync_queue_set_setting (ImuStore *store, const char *key, const char *value, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store, "INSERT OR REPLACE INTO sync_settings (key, value) VALUES (?, ?)", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, value, -1, SQLITE_TRANSIENT);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (store, rc, "saving a sync setting", error);
  return TRUE;
}

gboolean
imu_sync_queue_allow_metered (ImuStore *store, const ImuSyncTargetConfig *config)
{
  g_autofree char *global = NULL;

  if (config != NULL && config->allow_metered >= 0)
    return config->allow_metered != 0;
  global = imu_sync_queue_get_setting (store, "allow_metered");
  return g_strcmp0 (global, "1") == 0 || g_strcmp0 (global, "true") == 0;
}

/* ---- items ---- */

#define ITEM_COLUMNS "i.id, i.target_id, t.name, i.session_uuid, i.direction, i.state, i.attempts, " \
                     "i.next_attempt_us, i.last_error, i.resume_state, i.bytes_done, i.bytes_total, i.sha256, " \
                     "i.created_us, i.updated_us"

static gpointer
item_from_row (sqlite3_stmt *stmt)
{
  ImuSyncItem *item = g_new0 (ImuSyncItem, 1);

  item->id = sqlite3_column_int64 (stmt, 0);
  item->target_id = sqlite3_column_int64 (stmt, 1);
  item->target_name = dup_column (stmt, 2);
  item->session_uuid = dup_column (stmt, 3);
  item->direction = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 4), "pull") == 0 ? IMU_SYNC_PULL : IMU_SYNC_PUSH;
  item->state = imu_sync_state_from_string ((const char *) sqlite3_column_text (stmt, 5));
  item->attempts = sqlite3_column_int (stmt, 6);
  item->next_attempt_us = sqlite3_column_int64 (stmt, 7);
  item->last_error = dup_column (stmt, 8);
  item->resume_state = dup_column (stmt, 9);
  item->bytes_done = sqlite3_column_int64 (stmt, 10);
  item->bytes_total = sqlite3_column_int64 (stmt, 11);
  item->sha256 = dup_column (stmt, 12);
  item->created_us = sqlite3_column_int64 (stmt, 13);
  item->updated_us = sqlite3_column_int64 (stmt, 14);
  return item;
}

gint64
imu_sync_queue_enqueue (ImuStore *store, gint64 target_id, const char *session_uuid,
                        ImuSyncDirection direction, gboolean requeue_done, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time (), id = 0;
  int rc;

  if (!(stmt = imu_store_prepare (store, "INSERT INTO sync_items (target_id, session_uuid, direction, state, "
                                         "created_us, updated_us) VALUES (?1, ?2, ?3, 'queued', ?4, ?4) "
                                         "ON CONFLICT (target_id, session_uuid, direction) DO UPDATE SET "
                                         "state = 'queued', attempts = 0, next_attempt_us = 0, last_error = NULL, "
                                         "updated_us = ?4 WHERE ?5 AND state = 'done'", error)))
    return 0;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, session_uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, imu_sync_direction_to_string (direction), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 4, now);
  sqlite3_bind_int (stmt, 5, requeue_done);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "queueing a transfer", error);
      return 0;
    }
  if (!(stmt = imu_store_prepare (store, "SELECT id FROM sync_items WHERE target_id = ? AND session_uuid = ? "
                                         "AND direction = ?", error)))
    return 0;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, session_uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, imu_sync_direction_to_string (direction), -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

gint64
imu_sync_queue_enqueue_all_pushes (ImuStore *store, gint64 target_id, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time ();
  gint64 n;
  int rc;

  /* New sessions get an item; a done push whose session changed since it
   * finished goes back to the queue. Sessions still recording wait. */
  if (!(stmt = imu_store_prepare (store, "INSERT INTO sync_items (target_id, session_uuid, direction, state, "
                                         "created_us, updated_us) SELECT ?1, s.uuid, 'push', 'queued', ?2, ?2 "
                                         "FROM sessions s WHERE s.state <> 'recording' AND s.trashed_us IS NULL ORDER BY s.id "
                                         "ON CONFLICT (target_id, session_uuid, direction) DO UPDATE SET "
                                         "state = 'queued', attempts = 0, next_attempt_us = 0, last_error = NULL, "
                                         "updated_us = ?2 WHERE state = 'done' AND updated_us < "
                                         "(SELECT s2.updated_us FROM sessions s2 WHERE s2.uuid = excluded.session_uuid)",
                                  error)))
    return -1;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_int64 (stmt, 2, now);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "queueing sessions", error);
      return -1;
    }
  n = sqlite3_changes (imu_store_get_db (store));
  return n;
}

GPtrArray *
imu_sync_queue_list_items (ImuStore *store, gint64 target_id, GError **error)
{
  sqlite3_stmt *stmt;

  if (!(stmt = imu_store_prepare (store, "SELECT " ITEM_COLUMNS " FROM sync_items i JOIN sync_targets t "
                                         "ON t.id = i.target_id WHERE ?1 = 0 OR i.target_id = ?1 ORDER BY i.id", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, target_id);
  return collect_rows (store, stmt, item_from_row, (GDestroyNotify) imu_sync_item_free, "listing the sync queue",
                       error);
}

ImuSyncItem *
imu_sync_queue_get_item (ImuStore *store, gint64 item_id, GError **error)
{
  sqlite3_stmt *stmt;
  ImuSyncItem *item = NULL;
  int rc;

  if (!(stmt = imu_store_prepare (store, "SELECT " ITEM_COLUMNS " FROM sync_items i JOIN sync_targets t "
                                         "ON t.id = i.target_id WHERE i.id = ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, item_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    item = item_from_row (stmt);
  sqlite3_reset (stmt);
  if (item == NULL)
    {
      if (rc != SQLITE_DONE)
        imu_store_fail (store, rc, "reading the sync queue", error);
      else
        g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                     _("There is no sync item %" PRId64 "."), item_id);
    }
  return item;
}

/* "(1, 2, 3)" for an IN clause; "(-1)" when empty: no row has that id, and
 * unlike (NULL) it also works with NOT IN. */
static char *
id_list (GArray *ids)
{
  GString *s = g_string_new ("(");

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    g_string_append_printf (s, "%s%" PRId64, i > 0 ? ", " : "", g_array_index (ids, gint64, i));
  if (ids == NULL || ids->len == 0)
    g_string_append (s, "-1");
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

static char *
filter_sql (GArray *target_ids, guint directions)
{
  g_autofree char *targets = id_list (target_ids);
  GString *s = g_string_new (NULL);

  if (target_ids != NULL)
    g_string_append_printf (s, " AND i.target_id IN %s", targets);
  if ((directions & (1 << IMU_SYNC_PUSH)) == 0)
    g_string_append (s, " AND i.direction <> 'push'");
  if ((directions & (1 << IMU_SYNC_PULL)) == 0)
    g_string_append (s, " AND i.direction <> 'pull'");
  return g_string_free (s, FALSE);
}

ImuSyncItem *
imu_sync_queue_claim_next (ImuStore *store, gint64 now_us, GArray *exclude, GArray *target_ids,
                           guint directions, GError **error)
{
  g_autofree char *excluded = id_list (exclude);
  g_autofree char *filter = filter_sql (target_ids, directions);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  /* One UPDATE … RETURNING: the choice and the claim are one step, so a
   * second worker (or process) cannot take the same item. */
  sql = g_strdup_printf ("UPDATE sync_items SET state = 'transferring', updated_us = ?1 WHERE id = "
                         "(SELECT i.id FROM sync_items i WHERE (i.state = 'queued' OR (i.state = 'retrying' AND "
                         "i.next_attempt_us <= ?1)) AND i.id NOT IN %s%s ORDER BY i.direction DESC, i.id LIMIT 1) "
                         "RETURNING id", excluded, filter);
  if (sqlite3_prepare_v2 (imu_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    {
      imu_store_fail (store, sqlite3_errcode (imu_store_get_db (store)), "claiming a sync item", error);
      return NULL;
    }
  sqlite3_bind_int64 (stmt, 1, now_us);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  while (rc == SQLITE_ROW)
    rc = sqlite3_step (stmt);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "claiming a sync item", error);
      return NULL;
    }
  if (id == 0)
    return NULL;
  return imu_sync_queue_get_item (store, id, error);
}

gboolean
imu_sync_queue_save_item (ImuStore *store, const ImuSyncItem *item, GError **error)
{
  g_autofree char *clean = imu_redact (item->last_error);
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store, "UPDATE sync_items SET state = ?, attempts = ?, next_attempt_us = ?, "
                                         "last_error = ?, resume_state = ?, bytes_done = ?, bytes_total = ?, "
                                         "sha256 = ?, updated_us = ? WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, imu_sync_state_to_string (item->state), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, item->attempts);
  sqlite3_bind_int64 (stmt, 3, item->next_attempt_us);
  sqlite3_bind_text (stmt, 4, clean, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, item->resume_state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 6, item->bytes_done);
  sqlite3_bind_int64 (stmt, 7, item->bytes_total);
  sqlite3_bind_text (stmt, 8, item->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 9, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 10, item->id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (store, rc, "saving a sync item", error);
  return TRUE;
}

gboolean
imu_sync_queue_save_progress (ImuStore *store, gint64 item_id, gint64 bytes_done, gint64 bytes_total,
                              const char *resume_state, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store, "UPDATE sync_items SET bytes_done = ?, bytes_total = ?, "
                                         "resume_state = coalesce (?, resume_state) WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, bytes_done);
  sqlite3_bind_int64 (stmt, 2, bytes_total);
  sqlite3_bind_text (stmt, 3, resume_state, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, item_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (store, rc, "saving sync progress", error);
  return TRUE;
}

static gint64
exec_changes (ImuStore *store, const char *sql, gint64 arg, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store, sql, error)))
    return -1;
  sqlite3_bind_int64 (stmt, 1, arg);
  sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "updating the sync queue", error);
      return -1;
    }
  return sqlite3_changes (imu_store_get_db (store));
}

gint64
imu_sync_queue_recover (ImuStore *store, GError **error)
{
  return exec_changes (store, "UPDATE sync_items SET state = 'queued', updated_us = ?2 "
                              "WHERE state IN ('transferring', 'verifying') AND ?1 = ?1", 0, error);
}

gint64
imu_sync_queue_retry (ImuStore *store, gint64 target_id, GError **error)
{
  return exec_changes (store, "UPDATE sync_items SET state = 'queued', attempts = 0, next_attempt_us = 0, "
                              "updated_us = ?2 WHERE state IN ('needs-attention', 'retrying') "
                              "AND (?1 = 0 OR target_id = ?1)", target_id, error);
}

static gint64
query_scalar (ImuStore *store, const char *sql)
{
  sqlite3_stmt *stmt;
  gint64 v = 0;

  if (sqlite3_prepare_v2 (imu_store_get_db (store), sql, -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

gint64
imu_sync_queue_next_retry_us (ImuStore *store, GArray *target_ids, guint directions)
{
  g_autofree char *filter = filter_sql (target_ids, directions);
  g_autofree char *sql = g_strdup_printf ("SELECT coalesce (min (i.next_attempt_us), 0) FROM sync_items i "
                                          "WHERE i.state = 'retrying'%s", filter);

  return query_scalar (store, sql);
}

gint64
imu_sync_queue_count_pending (ImuStore *store, GArray *target_ids, guint directions)
{
  g_autofree char *filter = filter_sql (target_ids, directions);
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sync_items i WHERE i.state IN "
                                          "('queued', 'transferring', 'verifying', 'retrying')%s", filter);

  return query_scalar (store, sql);
}

gboolean
imu_sync_queue_cancel (ImuStore *store, gint64 item_id, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  /* Deleted rather than marked: a row that is gone cannot be claimed,
   * retried or recovered by any scheduler, in this process or another,
   * and a worker still finishing it updates nothing. */
  if (!(stmt = imu_store_prepare (store, "DELETE FROM sync_items WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, item_id);
  if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
    return imu_store_fail (store, rc, "cancelling a sync item", error);
  if (sqlite3_changes (imu_store_get_db (store)) == 0)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                   _("There is no sync item %" PRId64 "."), (int64_t) item_id);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
imu_sync_queue_cancel_session (ImuStore *store, const char *session_uuid, gint64 target_id, GError **error)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GPtrArray) removed = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_item_free);

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);
  g_return_val_if_fail (session_uuid != NULL, NULL);

  if (!(items = imu_sync_queue_list_items (store, target_id, error)))
    return NULL;
  for (guint i = 0; i < items->len; i++)
    {
      ImuSyncItem *item = g_ptr_array_index (items, i);
      g_autoptr(GError) local_error = NULL;

      /* A done transfer has nothing left to stop. */
      if (item->state == IMU_SYNC_STATE_DONE || g_strcmp0 (item->session_uuid, session_uuid) != 0)
        continue;
      if (!imu_sync_queue_cancel (store, item->id, &local_error))
        {
          /* Someone else cancelled it meanwhile: gone all the same. */
          if (g_error_matches (local_error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND))
            continue;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_ptr_array_add (removed, g_ptr_array_steal_index (items, i));
      i--;
    }
  return g_steal_pointer (&removed);
}
