/* imu-comparison-store.c — comparisons saved in the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-compare"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-comparison-store.h"
#include "imu-store-private.h"

static const char *
method_text (ImuAlignMethod method)
{
  switch (method)
    {
    case IMU_ALIGN_START:  return "start";
    case IMU_ALIGN_EVENT:  return "event";
    case IMU_ALIGN_XCORR:  return "xcorr";
    case IMU_ALIGN_OFFSET: return "offset";
    default:               return "start";
    }
}

static void
member_clear (ImuSavedMember *m)
{
  g_clear_pointer (&m->session_uuid, g_free);
  g_clear_pointer (&m->session_title, g_free);
  g_clear_pointer (&m->stream_name, g_free);
}

ImuSavedComparison *
imu_saved_comparison_new (const char *title,
                          const char *align)
{
  ImuSavedComparison *saved = g_new0 (ImuSavedComparison, 1);

  saved->title = g_strdup (title != NULL ? title : "");
  saved->align = g_strdup (align != NULL ? align : "start");
  return saved;
}

void
imu_saved_comparison_free (ImuSavedComparison *saved)
{
  if (saved == NULL)
    return;
  for (guint i = 0; i < saved->n_members; i++)
    member_clear (&saved->members[i]);
  g_free (saved->uuid);
  g_free (saved->title);
  g_free (saved->align);
  g_free (saved);
}

gboolean
imu_saved_comparison_add_member (ImuSavedComparison *saved,
                                 gint64              session_id,
                                 const char         *stream_name,
                                 gint64              offset_ns)
{
  ImuSavedMember *m;

  g_return_val_if_fail (saved != NULL, FALSE);
  if (saved->n_members >= IMU_COMPARE_MAX_SESSIONS)
    return FALSE;
  m = &saved->members[saved->n_members++];
  m->session_id = session_id;
  m->stream_name = g_strdup (stream_name);
  m->offset_ns = saved->n_members == 1 ? 0 : offset_ns;
  return TRUE;
}

ImuSavedComparison *
imu_saved_comparison_new_from_result (const ImuComparison *comparison,
                                      const char          *title,
                                      const char          *align)
{
  ImuSavedComparison *saved;

  g_return_val_if_fail (comparison != NULL, NULL);

  saved = imu_saved_comparison_new (title, align != NULL ? align : method_text (comparison->method));
  for (guint i = 0; i < comparison->n_members; i++)
    imu_saved_comparison_add_member (saved, comparison->members[i].session_id,
                                     comparison->members[i].stream_name,
                                     comparison->members[i].offset_ns);
  return saved;
}

void
imu_saved_comparison_to_align_spec (const ImuSavedComparison  *saved,
                                    ImuAlignSpec              *spec,
                                    const char               **stream_name)
{
  const char *stream = NULL;

  g_return_if_fail (saved != NULL && spec != NULL);

  memset (spec, 0, sizeof *spec);
  spec->method = IMU_ALIGN_OFFSET;
  spec->n_offsets = saved->n_members;
  for (guint i = 0; i < saved->n_members; i++)
    spec->offsets_ns[i] = i == 0 ? 0 : saved->members[i].offset_ns;
  /* One name for all when they all compared the same stream; else each
   * session's default choice, which is how they got different ones. */
  if (saved->n_members > 0)
    stream = saved->members[0].stream_name;
  for (guint i = 1; stream != NULL && i < saved->n_members; i++)
    if (g_strcmp0 (saved->members[i].stream_name, stream) != 0)
      stream = NULL;
  if (stream_name != NULL)
    *stream_name = stream;
}

/* ---- rows ---- */

static char *
col_text (sqlite3_stmt *stmt, int col)
{
  const char *s = (const char *) sqlite3_column_text (stmt, col);

  return s != NULL ? g_strdup (s) : NULL;
}

static gboolean
load_members (ImuStore *store, ImuSavedComparison *saved, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store,
                                  "SELECT m.session_id, s.uuid, s.title, m.stream_name, m.offset_ns "
                                  "FROM comparison_members m JOIN sessions s ON s.id = m.session_id "
                                  "WHERE m.comparison_id = ?1 ORDER BY m.position", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, saved->id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && saved->n_members < IMU_COMPARE_MAX_SESSIONS)
    {
      ImuSavedMember *m = &saved->members[saved->n_members++];

      m->session_id = sqlite3_column_int64 (stmt, 0);
      m->session_uuid = col_text (stmt, 1);
      m->session_title = col_text (stmt, 2);
      m->stream_name = col_text (stmt, 3);
      m->offset_ns = sqlite3_column_int64 (stmt, 4);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    return imu_store_fail (store, rc, "reading a comparison's sessions", error);
  return TRUE;
}

#define COMPARISON_COLUMNS "id, uuid, title, align, created_us, updated_us"

static ImuSavedComparison *
comparison_from_row (sqlite3_stmt *stmt)
{
  ImuSavedComparison *saved = g_new0 (ImuSavedComparison, 1);

  saved->id = sqlite3_column_int64 (stmt, 0);
  saved->uuid = col_text (stmt, 1);
  saved->title = col_text (stmt, 2);
  saved->align = col_text (stmt, 3);
  saved->created_us = sqlite3_column_int64 (stmt, 4);
  saved->updated_us = sqlite3_column_int64 (stmt, 5);
  return saved;
}

GPtrArray *
imu_comparison_store_list (ImuStore  *store,
                           GError   **error)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_saved_comparison_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  if (!(stmt = imu_store_prepare (store, "SELECT " COMPARISON_COLUMNS " FROM comparisons "
                                         "ORDER BY updated_us DESC, id DESC", error)))
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, comparison_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "listing the comparisons", error);
      return NULL;
    }
  for (guint i = 0; i < list->len; i++)
    if (!load_members (store, g_ptr_array_index (list, i), error))
      return NULL;
  return g_steal_pointer (&list);
}

ImuSavedComparison *
imu_comparison_store_load (ImuStore    *store,
                           const char  *id_or_uuid,
                           GError     **error)
{
  g_autoptr(ImuSavedComparison) saved = NULL;
  sqlite3_stmt *stmt;
  char *end = NULL;
  guint64 id;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);
  g_return_val_if_fail (id_or_uuid != NULL, NULL);

  id = g_ascii_strtoull (id_or_uuid, &end, 10);
  if (*id_or_uuid != '\0' && end != NULL && *end == '\0' && id > 0 && id <= G_MAXINT64)
    {
      if (!(stmt = imu_store_prepare (store, "SELECT " COMPARISON_COLUMNS " FROM comparisons WHERE id = ?1", error)))
        return NULL;
      sqlite3_bind_int64 (stmt, 1, (gint64) id);
    }
  else
    {
      if (!(stmt = imu_store_prepare (store, "SELECT " COMPARISON_COLUMNS " FROM comparisons WHERE uuid = ?1", error)))
        return NULL;
      sqlite3_bind_text (stmt, 1, id_or_uuid, -1, SQLITE_TRANSIENT);
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    saved = comparison_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "reading a comparison", error);
      return NULL;
    }
  if (saved == NULL)
    {
      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NOT_FOUND,
                   /* TRANSLATORS: %s is the id or uuid given */
                   _("no saved comparison “%s” (imu compare --list shows them)"), id_or_uuid);
      return NULL;
    }
  if (!load_members (store, saved, error))
    return NULL;
  return g_steal_pointer (&saved);
}

static gboolean
insert_members (ImuStore *store, const ImuSavedComparison *saved, GError **error)
{
  for (guint i = 0; i < saved->n_members; i++)
    {
      const ImuSavedMember *m = &saved->members[i];
      sqlite3_stmt *stmt;
      int rc;

      if (!(stmt = imu_store_prepare (store,
                                      "INSERT INTO comparison_members (comparison_id, position, session_id, stream_name, offset_ns) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5)", error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, saved->id);
      sqlite3_bind_int (stmt, 2, (int) i);
      sqlite3_bind_int64 (stmt, 3, m->session_id);
      if (m->stream_name != NULL)
        sqlite3_bind_text (stmt, 4, m->stream_name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 5, i == 0 ? 0 : m->offset_ns);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT)
        {
          g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, m->session_id);

          /* TRANSLATORS: %s is a session id */
          g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT, _("there is no session %s to compare"), id);
          return FALSE;
        }
      if (rc != SQLITE_DONE)
        return imu_store_fail (store, rc, "saving a comparison's sessions", error);
    }
  return TRUE;
}

static gboolean
save_locked (ImuStore *store, ImuSavedComparison *saved, GError **error)
{
  sqlite3_stmt *stmt;
  gint64 now = g_get_real_time ();
  int rc;

  if (saved->id == 0)
    {
      if (saved->uuid == NULL)
        saved->uuid = g_uuid_string_random ();
      if (saved->created_us <= 0)
        saved->created_us = now;
      if (saved->updated_us <= 0)
        saved->updated_us = now;
      if (!(stmt = imu_store_prepare (store,
                                      "INSERT INTO comparisons (uuid, title, align, created_us, updated_us) "
                                      "VALUES (?1, ?2, ?3, ?4, ?5)", error)))
        return FALSE;
      sqlite3_bind_text (stmt, 1, saved->uuid, -1, SQLITE_TRANSIENT);
    }
  else
    {
      saved->updated_us = now;
      if (!(stmt = imu_store_prepare (store,
                                      "UPDATE comparisons SET title = ?2, align = ?3, updated_us = ?5 WHERE id = ?6",
                                      error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 6, saved->id);
    }
  sqlite3_bind_text (stmt, 2, saved->title, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, saved->align != NULL ? saved->align : "start", -1, SQLITE_TRANSIENT);
  if (saved->id == 0)
    sqlite3_bind_int64 (stmt, 4, saved->created_us);
  sqlite3_bind_int64 (stmt, 5, saved->updated_us);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "saving a comparison", error);
  if (saved->id == 0)
    saved->id = sqlite3_last_insert_rowid (imu_store_get_db (store));
  else if (sqlite3_changes (imu_store_get_db (store)) == 0)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, saved->id);

      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NOT_FOUND,
                   _("no saved comparison “%s” (imu compare --list shows them)"), id);
      return FALSE;
    }
  else
    {
      if (!(stmt = imu_store_prepare (store, "DELETE FROM comparison_members WHERE comparison_id = ?1", error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, saved->id);
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        return imu_store_fail (store, rc, "saving a comparison", error);
    }
  return insert_members (store, saved, error);
}

gboolean
imu_comparison_store_save (ImuStore            *store,
                           ImuSavedComparison  *saved,
                           GError             **error)
{
  gint64 old_id;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (saved != NULL, FALSE);

  if (saved->n_members < 2)
    {
      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT,
                   _("compare two to four sessions (%u given)"), saved->n_members);
      return FALSE;
    }
  if (saved->title == NULL || *g_strstrip (saved->title) == '\0')
    {
      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT,
                   _("a saved comparison needs a title"));
      return FALSE;
    }
  old_id = saved->id;
  if (!imu_store_begin (store, error))
    return FALSE;
  if (!save_locked (store, saved, error))
    {
      imu_store_rollback (store);
      saved->id = old_id;
      return FALSE;
    }
  if (!imu_store_commit (store, error))
    {
      imu_store_rollback (store);
      saved->id = old_id;
      return FALSE;
    }
  return TRUE;
}

gboolean
imu_comparison_store_delete (ImuStore  *store,
                             gint64     id,
                             GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  imu_store_end_reads (store);
  if (!(stmt = imu_store_prepare (store, "DELETE FROM comparisons WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "deleting a comparison", error);
  if (sqlite3_changes (imu_store_get_db (store)) == 0)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NOT_FOUND,
                   _("no saved comparison “%s” (imu compare --list shows them)"), id_text);
      return FALSE;
    }
  return TRUE;
}

/* ---- bundles ---- */

JsonNode *
imu_comparison_store_session_json (ImuStore  *store,
                                   gint64     session_id,
                                   GError   **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(JsonBuilder) b = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  if (!(stmt = imu_store_prepare (store,
                                  "SELECT DISTINCT c.id FROM comparisons c JOIN comparison_members m ON m.comparison_id = c.id "
                                  "WHERE m.session_id = ?1 ORDER BY c.id", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, session_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "reading a session's comparisons", error);
      return NULL;
    }
  if (ids->len == 0)
    return NULL;

  b = json_builder_new ();
  json_builder_begin_array (b);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, g_array_index (ids, gint64, i));
      g_autoptr(ImuSavedComparison) saved = imu_comparison_store_load (store, id_text, error);

      if (saved == NULL)
        return NULL;
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "uuid");
      json_builder_add_string_value (b, saved->uuid);
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, saved->title);
      json_builder_set_member_name (b, "align");
      json_builder_add_string_value (b, saved->align);
      json_builder_set_member_name (b, "created_us");
      json_builder_add_int_value (b, saved->created_us);
      json_builder_set_member_name (b, "updated_us");
      json_builder_add_int_value (b, saved->updated_us);
      json_builder_set_member_name (b, "sessions");
      json_builder_begin_array (b);
      for (guint k = 0; k < saved->n_members; k++)
        {
          const ImuSavedMember *m = &saved->members[k];

          json_builder_begin_object (b);
          json_builder_set_member_name (b, "uuid");
          json_builder_add_string_value (b, m->session_uuid);
          json_builder_set_member_name (b, "stream");
          if (m->stream_name != NULL)
            json_builder_add_string_value (b, m->stream_name);
          else
            json_builder_add_null_value (b);
          json_builder_set_member_name (b, "offset_ns");
          json_builder_add_int_value (b, m->offset_ns);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

static gboolean
bad_json (GError **error, guint index, const char *what)
{
  g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT,
               /* TRANSLATORS: "comparisons[0]: no title" */
               _("comparisons[%u]: %s"), index, what);
  return FALSE;
}

static const char *
object_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static gboolean
object_int (JsonObject *o, const char *name, gint64 *out)
{
  JsonNode *n = json_object_get_member (o, name);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

/* 0 when the library has no session of that uuid. */
static gboolean
session_by_uuid (ImuStore *store, const char *uuid, gint64 *id, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *id = 0;
  if (!(stmt = imu_store_prepare (store, "SELECT id FROM sessions WHERE uuid = ?1", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "finding a comparison's session", error);
  return TRUE;
}

static gboolean
comparison_uuid_known (ImuStore *store, const char *uuid, gboolean *known, GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = imu_store_prepare (store, "SELECT count(*) FROM comparisons WHERE uuid = ?1", error)))
    return FALSE;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  *known = rc == SQLITE_ROW && sqlite3_column_int64 (stmt, 0) > 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return imu_store_fail (store, rc, "finding a comparison", error);
  return TRUE;
}

gboolean
imu_comparison_store_restore_json (ImuStore  *store,
                                   JsonNode  *array,
                                   guint     *n_restored,
                                   GError   **error)
{
  JsonArray *list;
  guint restored = 0;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  if (n_restored != NULL)
    *n_restored = 0;
  if (array == NULL || JSON_NODE_HOLDS_NULL (array))
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (array))
    {
      g_set_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT, _("comparisons: not an array"));
      return FALSE;
    }
  list = json_node_get_array (array);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonNode *node = json_array_get_element (list, i);
      g_autoptr(ImuSavedComparison) saved = NULL;
      JsonObject *o;
      JsonNode *members_node;
      JsonArray *members;
      const char *uuid, *title, *align;
      gboolean known = FALSE, complete = TRUE;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return bad_json (error, i, _("not an object"));
      o = json_node_get_object (node);
      uuid = object_string (o, "uuid");
      title = object_string (o, "title");
      align = object_string (o, "align");
      members_node = json_object_get_member (o, "sessions");
      if (uuid == NULL || !g_uuid_string_is_valid (uuid))
        return bad_json (error, i, _("no valid uuid"));
      if (title == NULL || *title == '\0')
        return bad_json (error, i, _("no title"));
      if (members_node == NULL || !JSON_NODE_HOLDS_ARRAY (members_node))
        return bad_json (error, i, _("no sessions"));
      members = json_node_get_array (members_node);
      if (json_array_get_length (members) < 2 || json_array_get_length (members) > IMU_COMPARE_MAX_SESSIONS)
        return bad_json (error, i, _("not two to four sessions"));
      if (!comparison_uuid_known (store, uuid, &known, error))
        return FALSE;
      saved = imu_saved_comparison_new (title, align);
      saved->uuid = g_strdup (uuid);
      object_int (o, "created_us", &saved->created_us);
      object_int (o, "updated_us", &saved->updated_us);
      for (guint k = 0; k < json_array_get_length (members); k++)
        {
          JsonNode *mn = json_array_get_element (members, k);
          JsonObject *mo;
          const char *session_uuid, *stream;
          gint64 offset = 0, session_id = 0;

          if (!JSON_NODE_HOLDS_OBJECT (mn))
            return bad_json (error, i, _("a session that is not an object"));
          mo = json_node_get_object (mn);
          session_uuid = object_string (mo, "uuid");
          stream = object_string (mo, "stream");
          if (session_uuid == NULL || !object_int (mo, "offset_ns", &offset))
            return bad_json (error, i, _("a session without uuid or offset_ns"));
          if (!session_by_uuid (store, session_uuid, &session_id, error))
            return FALSE;
          if (session_id == 0)
            complete = FALSE;
          imu_saved_comparison_add_member (saved, session_id, stream, offset);
        }
      /* Already here (the other session's bundle brought it), or waiting
       * for a session still to come. */
      if (known || !complete)
        continue;
      if (!imu_store_begin (store, error))
        return FALSE;
      if (!save_locked (store, saved, error))
        {
          imu_store_rollback (store);
          return FALSE;
        }
      if (!imu_store_commit (store, error))
        {
          imu_store_rollback (store);
          return FALSE;
        }
      restored++;
    }
  if (n_restored != NULL)
    *n_restored = restored;
  return TRUE;
}
