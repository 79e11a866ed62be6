/* imu-bundle-edits.c — the edit times a bundle carries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-bundle"

#include <glib/gi18n-lib.h>
#include <sqlite3.h>

#include "imu-bundle.h"
#include "imu-bundle-edits.h"
#include "imu-store-private.h"

const char * const imu_bundle_edit_fields[] = { "title", "subject", "activity", "tags", "notes", NULL };

gboolean
imu_bundle_edits_uid_is_valid (const char *uid)
{
  gsize n = 0;

  if (uid == NULL)
    return FALSE;
  for (const char *p = uid; *p != '\0'; p++, n++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      return FALSE;
  return n >= 1 && n <= 64;
}

gboolean
imu_bundle_edits_write (ImuStore *store, gint64 session_id, JsonObject *session_json, GError **error)
{
  g_autoptr(JsonObject) edited = json_object_new ();
  g_autoptr(JsonArray) deleted = json_array_new ();
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store, "SELECT field, updated_us FROM session_edits WHERE session_id = ? "
                                         "ORDER BY field", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    json_object_set_int_member (edited, (const char *) sqlite3_column_text (stmt, 0), sqlite3_column_int64 (stmt, 1));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "reading the edit times", error);

  if (!(stmt = imu_store_prepare (store, "SELECT uid, deleted_us FROM event_tombstones WHERE session_id = ? "
                                         "ORDER BY uid", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      JsonObject *o = json_object_new ();

      json_object_set_string_member (o, "uid", (const char *) sqlite3_column_text (stmt, 0));
      json_object_set_int_member (o, "deleted_us", sqlite3_column_int64 (stmt, 1));
      json_array_add_object_element (deleted, o);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "reading the deleted events", error);

  if (json_object_get_size (edited) > 0)
    json_object_set_object_member (session_json, "edited_us", g_steal_pointer (&edited));
  if (json_array_get_length (deleted) > 0)
    json_object_set_array_member (session_json, "deleted_events", g_steal_pointer (&deleted));
  return TRUE;
}

static gboolean
is_int (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

gboolean
imu_bundle_edits_check (JsonObject *session_json, GError **error)
{
  if (json_object_has_member (session_json, "edited_us"))
    {
      JsonNode *node = json_object_get_member (session_json, "edited_us");
      JsonObject *edited;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_MANIFEST,
                       _("“edited_us” of the session is not an object"));
          return FALSE;
        }
      edited = json_node_get_object (node);
      for (guint i = 0; imu_bundle_edit_fields[i] != NULL; i++)
        if (json_object_has_member (edited, imu_bundle_edit_fields[i])
            && !is_int (json_object_get_member (edited, imu_bundle_edit_fields[i])))
          {
            g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_MANIFEST,
                         _("“edited_us” of the session: “%s” is not an integer"), imu_bundle_edit_fields[i]);
            return FALSE;
          }
    }
  if (json_object_has_member (session_json, "deleted_events"))
    {
      JsonNode *node = json_object_get_member (session_json, "deleted_events");
      JsonArray *deleted;

      if (!JSON_NODE_HOLDS_ARRAY (node))
        {
          g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_MANIFEST,
                       _("“deleted_events” of the session is not an array"));
          return FALSE;
        }
      deleted = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (deleted); i++)
        {
          JsonNode *e = json_array_get_element (deleted, i);
          JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e) : NULL;
          JsonNode *uid = o != NULL ? json_object_get_member (o, "uid") : NULL;

          if (o == NULL || uid == NULL || !JSON_NODE_HOLDS_VALUE (uid)
              || json_node_get_value_type (uid) != G_TYPE_STRING
              || !imu_bundle_edits_uid_is_valid (json_node_get_string (uid))
              || !is_int (json_object_get_member (o, "deleted_us")))
            {
              g_set_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_MANIFEST,
                           _("“deleted_events” of the session: element %u is not {\"uid\", \"deleted_us\"}"), i + 1);
              return FALSE;
            }
        }
    }
  return TRUE;
}

gint64
imu_bundle_edits_field_time (JsonObject *session_json, const char *field)
{
  JsonNode *node = json_object_get_member (session_json, "edited_us");
  JsonObject *edited = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *v = edited != NULL ? json_object_get_member (edited, field) : NULL;

  return is_int (v) ? json_node_get_int (v) : 0;
}

gboolean
imu_bundle_edits_store (ImuStore *store, gint64 session_id, JsonObject *session_json, GError **error)
{
  JsonNode *node;
  sqlite3_stmt *stmt;
  int rc;

  if (!imu_bundle_edits_check (session_json, error))
    return FALSE;
  for (guint i = 0; imu_bundle_edit_fields[i] != NULL; i++)
    {
      gint64 t = imu_bundle_edits_field_time (session_json, imu_bundle_edit_fields[i]);

      if (t <= 0)
        continue;
      if (!(stmt = imu_store_prepare (store, "INSERT OR REPLACE INTO session_edits (session_id, field, updated_us) "
                                             "VALUES (?, ?, ?)", error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, session_id);
      sqlite3_bind_text (stmt, 2, imu_bundle_edit_fields[i], -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, t);
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        return imu_store_fail (store, rc, "saving the edit times", error);
    }
  node = json_object_get_member (session_json, "deleted_events");
  for (guint i = 0; node != NULL && i < json_array_get_length (json_node_get_array (node)); i++)
    {
      JsonObject *o = json_array_get_object_element (json_node_get_array (node), i);

      if (!(stmt = imu_store_prepare (store, "INSERT OR REPLACE INTO event_tombstones (session_id, uid, deleted_us) "
                                             "VALUES (?, ?, ?)", error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, session_id);
      sqlite3_bind_text (stmt, 2, json_object_get_string_member (o, "uid"), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 3, json_object_get_int_member (o, "deleted_us"));
      if ((rc = sqlite3_step (stmt)) != SQLITE_DONE)
        return imu_store_fail (store, rc, "saving the deleted events", error);
    }
  return TRUE;
}
