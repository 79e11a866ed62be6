/* imu-sync-merge.c — another library's copy of a session, merged into this one
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-sync"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "imu-bundle-edits.h"
#include "imu-store-private.h"
#include "imu-sync-merge.h"

typedef struct {
  ImuStore *store;
  gint64    session_id;
  gboolean  local_newer;
  gboolean  changed;
} Merge;

/* The text the library keeps for a field of @session_json: tags as the
 * store writes them (a compact JSON array), the others as they are. */
static char *
remote_field_text (JsonObject *session_json, const char *field)
{
  JsonNode *node = json_object_get_member (session_json, field);

  if (g_str_equal (field, "tags"))
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonGenerator) gen = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      JsonArray *tags = node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;

      json_builder_begin_array (b);
      for (guint i = 0; tags != NULL && i < json_array_get_length (tags); i++)
        {
          JsonNode *t = json_array_get_element (tags, i);

          if (JSON_NODE_HOLDS_VALUE (t) && json_node_get_value_type (t) == G_TYPE_STRING)
            json_builder_add_string_value (b, json_node_get_string (t));
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      json_generator_set_root (gen, root);
      return json_generator_to_data (gen, NULL);
    }
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return g_strdup ("");
  return g_strdup (json_node_get_string (node));
}

static gint64
remote_int (JsonObject *o, const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;
  return json_node_get_int (node);
}

static gboolean
step_done (Merge *m, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (m->store, rc, what, error);
  return TRUE;
}

static gboolean
merge_fields (Merge *m, JsonObject *remote, GError **error)
{
  gint64 local_updated = 0, remote_updated = remote_int (remote, "updated_us");
  sqlite3_stmt *stmt;

  if (!(stmt = imu_store_prepare (m->store, "SELECT updated_us FROM sessions WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, m->session_id);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    local_updated = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  for (guint i = 0; imu_bundle_edit_fields[i] != NULL; i++)
    {
      const char *field = imu_bundle_edit_fields[i];
      g_autofree char *remote_text = remote_field_text (remote, field);
      g_autofree char *local_text = NULL;
      g_autofree char *select_sql = g_strdup_printf ("SELECT %s, (SELECT updated_us FROM session_edits WHERE "
                                                     "session_id = ?1 AND field = '%s') FROM sessions WHERE id = ?1",
                                                     field, field);
      g_autofree char *update_sql = g_strdup_printf ("UPDATE sessions SET %s = ?2 WHERE id = ?1", field);
      gint64 local_t = 0, remote_t = imu_bundle_edits_field_time (remote, field);
      gboolean take;
      int rc;

      /* The field names come from a fixed list, never from the bundle. */
      if (!(stmt = imu_store_prepare (m->store, select_sql, error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, m->session_id);
      if ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          local_text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
          local_t = sqlite3_column_int64 (stmt, 1);
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_ROW)
        return imu_store_fail (m->store, rc == SQLITE_DONE ? SQLITE_NOTFOUND : rc, "reading the session", error);

      if (local_t == remote_t && g_strcmp0 (local_text, remote_text) == 0)
        continue;
      /* The later edit wins. Neither edited since their last merge (old
       * bundles have no edit times): the later session wins. */
      if (local_t != remote_t)
        take = remote_t > local_t;
      else
        take = remote_updated > local_updated;
      if (!take)
        {
          if (g_strcmp0 (local_text, remote_text) != 0 || local_t > remote_t)
            m->local_newer = TRUE;
          continue;
        }
      if (g_strcmp0 (local_text, remote_text) != 0)
        {
          if (!(stmt = imu_store_prepare (m->store, update_sql, error)))
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, m->session_id);
          sqlite3_bind_text (stmt, 2, remote_text, -1, SQLITE_TRANSIENT);
          if (!step_done (m, stmt, "merging a field", error))
            return FALSE;
          m->changed = TRUE;
        }
      if (remote_t > 0)
        {
          if (!(stmt = imu_store_prepare (m->store, "INSERT OR REPLACE INTO session_edits (session_id, field, updated_us) "
                                                    "VALUES (?, ?, ?)", error)))
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, m->session_id);
          sqlite3_bind_text (stmt, 2, field, -1, SQLITE_STATIC);
          sqlite3_bind_int64 (stmt, 3, remote_t);
          if (!step_done (m, stmt, "merging an edit time", error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
event_equal (const ImuEvent *a, const ImuEvent *b)
{
  return a->t_ns == b->t_ns && a->duration_ns == b->duration_ns && g_strcmp0 (a->kind, b->kind) == 0
         && g_strcmp0 (a->label, b->label) == 0 && g_strcmp0 (a->payload_json, b->payload_json) == 0;
}

static gboolean
write_event (Merge *m, const ImuEvent *remote, gint64 local_id, GError **error)
{
  sqlite3_stmt *stmt;

  if (local_id > 0)
    stmt = imu_store_prepare (m->store, "UPDATE events SET t_ns = ?2, duration_ns = ?3, kind = ?4, label = ?5, "
                                        "payload = ?6, updated_us = ?7 WHERE id = ?1", error);
  else
    stmt = imu_store_prepare (m->store, "INSERT INTO events (session_id, t_ns, duration_ns, kind, label, payload, "
                                        "updated_us, uid, created_us) VALUES (?8, ?2, ?3, ?4, ?5, ?6, ?7, ?9, ?10)",
                              error);
  if (stmt == NULL)
    return FALSE;
  if (local_id > 0)
    sqlite3_bind_int64 (stmt, 1, local_id);
  sqlite3_bind_int64 (stmt, 2, remote->t_ns);
  sqlite3_bind_int64 (stmt, 3, remote->duration_ns);
  sqlite3_bind_text (stmt, 4, remote->kind != NULL ? remote->kind : "marker", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 5, remote->label != NULL ? remote->label : "", -1, SQLITE_TRANSIENT);
  if (remote->payload_json != NULL)
    sqlite3_bind_text (stmt, 6, remote->payload_json, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, 6);
  sqlite3_bind_int64 (stmt, 7, remote->updated_us);
  if (local_id <= 0)
    {
      g_autofree char *uid = remote->uid != NULL ? g_strdup (remote->uid) : imu_event_make_uid ();

      sqlite3_bind_int64 (stmt, 8, m->session_id);
      sqlite3_bind_text (stmt, 9, uid, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 10, g_get_real_time ());
    }
  m->changed = TRUE;
  return step_done (m, stmt, "merging an event", error);
}

static gboolean
add_tombstone (Merge *m, const char *uid, gint64 deleted_us, GError **error)
{
  sqlite3_stmt *stmt = imu_store_prepare (m->store, "INSERT INTO event_tombstones (session_id, uid, deleted_us) "
                                                    "VALUES (?1, ?2, ?3) ON CONFLICT (session_id, uid) DO UPDATE "
                                                    "SET deleted_us = MAX (deleted_us, excluded.deleted_us)", error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, m->session_id);
  sqlite3_bind_text (stmt, 2, uid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, deleted_us);
  return step_done (m, stmt, "merging a deleted event", error);
}

static gboolean
merge_events (Merge *m, ImuBundleEdits *edits, GError **error)
{
  g_autoptr(GPtrArray) local = imu_store_list_events (m->store, m->session_id, error);
  g_autoptr(GHashTable) local_by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) remote_by_uid = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) local_dead = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) remote_dead = g_hash_table_new (g_str_hash, g_str_equal);
  JsonNode *deleted = json_object_get_member (edits->session, "deleted_events");
  JsonArray *deleted_array = deleted != NULL && JSON_NODE_HOLDS_ARRAY (deleted) ? json_node_get_array (deleted) : NULL;
  sqlite3_stmt *stmt;
  GHashTableIter iter;
  gpointer key, value;
  int rc;

  if (local == NULL)
    return FALSE;
  for (guint i = 0; i < local->len; i++)
    {
      ImuEvent *e = g_ptr_array_index (local, i);

      if (e->uid != NULL)
        g_hash_table_insert (local_by_uid, e->uid, e);
    }
  if (!(stmt = imu_store_prepare (m->store, "SELECT uid, deleted_us FROM event_tombstones WHERE session_id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, m->session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_insert (local_dead, g_strdup ((const char *) sqlite3_column_text (stmt, 0)),
                         GSIZE_TO_POINTER ((gsize) sqlite3_column_int64 (stmt, 1)));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (m->store, rc, "reading the deleted events", error);
  for (guint i = 0; deleted_array != NULL && i < json_array_get_length (deleted_array); i++)
    {
      JsonObject *o = json_array_get_object_element (deleted_array, i);

      g_hash_table_insert (remote_dead, (gpointer) json_object_get_string_member (o, "uid"),
                           GSIZE_TO_POINTER ((gsize) json_object_get_int_member (o, "deleted_us")));
    }

  /* The other copy's events. */
  for (guint i = 0; i < edits->events->len; i++)
    {
      ImuEvent *r = g_ptr_array_index (edits->events, i);
      ImuEvent *l = NULL;
      gpointer dead;

      if (r->uid != NULL)
        {
          g_hash_table_insert (remote_by_uid, r->uid, r);
          l = g_hash_table_lookup (local_by_uid, r->uid);
        }
      else
        {
          /* A bundle from before events had uids: the same event is the
           * one at the same time with the same kind and label. */
          for (guint k = 0; k < local->len && l == NULL; k++)
            {
              ImuEvent *c = g_ptr_array_index (local, k);

              if (c->t_ns == r->t_ns && g_strcmp0 (c->kind, r->kind) == 0 && g_strcmp0 (c->label, r->label) == 0)
                l = c;
            }
          if (l != NULL && l->uid != NULL)
            g_hash_table_insert (remote_by_uid, l->uid, r);
          else if (l == NULL && !write_event (m, r, 0, error))
            return FALSE;
          continue;
        }
      if (l != NULL)
        {
          if (event_equal (l, r))
            continue;
          if (r->updated_us > l->updated_us)
            {
              if (!write_event (m, r, l->id, error))
                return FALSE;
            }
          else
            m->local_newer = TRUE;
        }
      else if (g_hash_table_lookup_extended (local_dead, r->uid, NULL, &dead)
               && (gint64) GPOINTER_TO_SIZE (dead) >= r->updated_us)
        m->local_newer = TRUE;   /* deleted here after its last change there */
      else if (!write_event (m, r, 0, error))
        return FALSE;
    }
  /* This library's events the other copy lacks. */
  for (guint i = 0; i < local->len; i++)
    {
      ImuEvent *l = g_ptr_array_index (local, i);
      gpointer dead;

      if (l->uid == NULL || g_hash_table_contains (remote_by_uid, l->uid))
        continue;
      if (g_hash_table_lookup_extended (remote_dead, l->uid, NULL, &dead)
          && (gint64) GPOINTER_TO_SIZE (dead) >= l->updated_us)
        {
          if (!(stmt = imu_store_prepare (m->store, "DELETE FROM events WHERE id = ?", error)))
            return FALSE;
          sqlite3_bind_int64 (stmt, 1, l->id);
          if (!step_done (m, stmt, "merging a deleted event", error))
            return FALSE;
          m->changed = TRUE;
        }
      else
        m->local_newer = TRUE;
    }

  /* Deletions travel both ways. */
  g_hash_table_iter_init (&iter, remote_dead);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gpointer mine;

      if (!g_hash_table_lookup_extended (local_dead, key, NULL, &mine) || GPOINTER_TO_SIZE (mine) < GPOINTER_TO_SIZE (value))
        if (!add_tombstone (m, key, (gint64) GPOINTER_TO_SIZE (value), error))
          return FALSE;
    }
  g_hash_table_iter_init (&iter, local_dead);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gpointer theirs;

      if (!g_hash_table_lookup_extended (remote_dead, key, NULL, &theirs) || GPOINTER_TO_SIZE (theirs) < GPOINTER_TO_SIZE (value))
        m->local_newer = TRUE;
    }
  return TRUE;
}

gboolean
imu_sync_merge_session (ImuStore        *store,
                        gint64           session_id,
                        ImuBundleEdits  *edits,
                        gboolean        *local_newer,
                        gboolean        *changed,
                        GError         **error)
{
  Merge m = { .store = store, .session_id = session_id };
  gint64 remote_updated;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (edits != NULL && edits->session != NULL && edits->events != NULL, FALSE);

  remote_updated = remote_int (edits->session, "updated_us");
  if (!imu_store_begin (store, error))
    return FALSE;
  if (!merge_fields (&m, edits->session, error) || !merge_events (&m, edits, error))
    goto fail;
  /* The merged session is a new version when this library kept something
   * the other copy lacks (it is pushed, and the other library merges it
   * in turn); otherwise it is the other copy's version. */
  if (m.local_newer)
    stmt = imu_store_prepare (store, "UPDATE sessions SET updated_us = MAX (updated_us + 1, ?2, ?3 + 1) WHERE id = ?1",
                              error);
  else
    stmt = imu_store_prepare (store, "UPDATE sessions SET updated_us = MAX (updated_us, ?3) WHERE id = ?1", error);
  if (stmt == NULL)
    goto fail;
  sqlite3_bind_int64 (stmt, 1, session_id);
  if (m.local_newer)
    sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
  sqlite3_bind_int64 (stmt, 3, remote_updated);
  if (!step_done (&m, stmt, "merging the session's version", error))
    goto fail;
  if (!imu_store_commit (store, error))
    goto fail;
  if (local_newer != NULL)
    *local_newer = m.local_newer;
  if (changed != NULL)
    *changed = m.changed;
  return TRUE;

fail:
  imu_store_rollback (store);
  return FALSE;
}
