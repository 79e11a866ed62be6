/* imu-session-builder.c — one session's life in the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The builder holds the only transaction of an import. Importers never
 * begin or commit one: they add streams and events, count lines and
 * issues, and the pipeline calls finish() or fail(). The failure audit row
 * is written after the rollback, in a transaction of its own, because a
 * row written inside the rolled-back transaction would vanish with it.
 */
#define G_LOG_DOMAIN "imu-session-builder"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "imu-session-builder.h"

struct _ImuSessionBuilder
{
  GObject                parent_instance;

  ImuStore              *store;
  ImuSession            *session;
  ImuSessionBuilderMode  mode;
  char                  *input_path;

  GPtrArray             *writers;        /* ImuStreamWriter*, not yet closed */
  gint64                 closed_samples; /* samples of the writers closed and freed */
  GHashTable            *stream_names;   /* names used */
  GHashTable            *issue_counts;   /* code → count */
  GHashTable            *issue_lines;    /* code → GArray<gint64> */
  GPtrArray             *events;         /* ImuEvent*, not yet written */
  gint64                 lines_ok;
  gint64                 lines_bad;

  char                  *format;
  char                   delimiter;
  gboolean               utf8_valid;
  char                  *sha256;
  gint64                 bytes;
  char                  *device_clock;
  gint64                 started_us;

  gboolean               began;
  gboolean               in_tx;
  gboolean               row_written;
  gboolean               session_final;
  gboolean               done;           /* finished or failed */
};

G_DEFINE_FINAL_TYPE (ImuSessionBuilder, imu_session_builder, G_TYPE_OBJECT)

/* ---- helpers ---- */

static char *
issues_to_json (ImuSessionBuilder *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GList) codes = g_list_sort (g_hash_table_get_keys (self->issue_counts), (GCompareFunc) strcmp);

  json_builder_begin_object (b);
  for (GList *l = codes; l != NULL; l = l->next)
    {
      GArray *lines = g_hash_table_lookup (self->issue_lines, l->data);

      json_builder_set_member_name (b, l->data);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "count");
      json_builder_add_int_value (b, GPOINTER_TO_INT (g_hash_table_lookup (self->issue_counts, l->data)));
      json_builder_set_member_name (b, "lines");
      json_builder_begin_array (b);
      for (guint i = 0; lines != NULL && i < lines->len; i++)
        json_builder_add_int_value (b, g_array_index (lines, gint64, i));
      json_builder_end_array (b);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  return json_generator_to_data (gen, NULL);
}

/* Rows of the audit: the data lines accepted when the importer counts
 * lines (text formats), else the samples written (binary formats, bundles). */
static gint64
audit_rows (ImuSessionBuilder *self)
{
  if (self->lines_ok + self->lines_bad > 0)
    return self->lines_ok;
  return imu_session_builder_get_n_samples (self);
}

static ImuImportAudit *
audit_new (ImuSessionBuilder *self, gint64 session_id)
{
  ImuImportAudit *audit = g_new0 (ImuImportAudit, 1);

  audit->session_id = session_id;
  audit->path = g_strdup (self->input_path != NULL ? self->input_path : "");
  audit->sha256 = g_strdup (self->sha256 != NULL ? self->sha256 : "");
  audit->bytes = self->bytes;
  audit->rows = audit_rows (self);
  audit->format = g_strdup (self->format != NULL ? self->format : "");
  if (self->delimiter != 0)
    audit->delimiter = g_strndup (&self->delimiter, 1);
  audit->utf8_valid = self->utf8_valid;
  audit->duration_s = (double) (g_get_monotonic_time () - self->started_us) / G_USEC_PER_SEC;
  audit->issues_json = issues_to_json (self);
  return audit;
}

static gboolean
write_row (ImuSessionBuilder *self, GError **error)
{
  if (self->row_written)
    return TRUE;
  if (!imu_store_insert_session (self->store, self->session, error))
    return FALSE;
  self->row_written = TRUE;
  return TRUE;
}

static gboolean
write_events (ImuSessionBuilder *self, GError **error)
{
  for (guint i = 0; i < self->events->len; i++)
    {
      ImuEvent *event = g_ptr_array_index (self->events, i);

      event->session_id = imu_session_get_id (self->session);
      if (!imu_store_add_event (self->store, event, error))
        return FALSE;
    }
  g_ptr_array_set_size (self->events, 0);
  return TRUE;
}

/* The session's time range from its streams, and the first stream's rate
 * when the session has none. */
static gboolean
derive_times (ImuSessionBuilder *self, GError **error)
{
  g_autoptr(GPtrArray) streams = imu_store_list_streams (self->store, imu_session_get_id (self->session), error);
  gint64 start = G_MAXINT64, end = G_MININT64;
  double rate = imu_session_get_nominal_rate (self->session);

  if (streams == NULL)
    return FALSE;
  for (guint i = 0; i < streams->len; i++)
    {
      ImuStreamInfo *s = g_ptr_array_index (streams, i);

      if (s->n_samples == 0)
        continue;
      start = MIN (start, s->t_first_ns);
      end = MAX (end, s->t_last_ns);
      if (rate <= 0 && s->nominal_rate_hz > 0)
        rate = s->nominal_rate_hz;
    }
  /* A recording flushed before its first sample has no range yet. */
  if (start <= end)
    g_object_set (self->session, "start-ns", start, "end-ns", end, NULL);
  g_object_set (self->session, "nominal-rate", rate, NULL);
  return TRUE;
}

static ImuImportResult *
result_new (ImuSessionBuilder *self, const ImuImportAudit *audit)
{
  ImuImportResult *result = g_new0 (ImuImportResult, 1);

  result->session_id = imu_session_get_id (self->session);
  result->uuid = g_strdup (imu_session_get_uuid (self->session));
  result->title = g_strdup (imu_session_get_title (self->session));
  result->format = g_strdup (audit->format);
  result->delimiter = g_strdup (audit->delimiter);
  result->bytes = audit->bytes;
  result->rows = audit->rows;
  result->sha256 = g_strdup (audit->sha256);
  result->issue_counts = g_hash_table_ref (self->issue_counts);
  result->issue_lines = g_hash_table_ref (self->issue_lines);
  result->duration_s = audit->duration_s;
  result->device_clock = g_strdup (self->device_clock);
  return result;
}

/* ---- the object ---- */

static void
imu_session_builder_dispose (GObject *object)
{
  ImuSessionBuilder *self = IMU_SESSION_BUILDER (object);

  /* A builder dropped halfway (a programming error, or a crash path) must
   * not leave its transaction open on a connection others will use. */
  if (self->in_tx)
    {
      g_warning ("a session builder was dropped without finish() or fail(); rolling back");
      imu_store_rollback (self->store);
      self->in_tx = FALSE;
    }
  g_clear_pointer (&self->writers, g_ptr_array_unref);
  g_clear_object (&self->session);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (imu_session_builder_parent_class)->dispose (object);
}

static void
imu_session_builder_finalize (GObject *object)
{
  ImuSessionBuilder *self = IMU_SESSION_BUILDER (object);

  g_clear_pointer (&self->stream_names, g_hash_table_unref);
  g_clear_pointer (&self->issue_counts, g_hash_table_unref);
  g_clear_pointer (&self->issue_lines, g_hash_table_unref);
  g_clear_pointer (&self->events, g_ptr_array_unref);
  g_free (self->input_path);
  g_free (self->format);
  g_free (self->device_clock);
  g_free (self->sha256);

  G_OBJECT_CLASS (imu_session_builder_parent_class)->finalize (object);
}

static void
imu_session_builder_class_init (ImuSessionBuilderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_session_builder_dispose;
  object_class->finalize = imu_session_builder_finalize;
}

static void
imu_session_builder_init (ImuSessionBuilder *self)
{
  self->session = imu_session_new ();
  self->writers = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_stream_writer_free);
  self->stream_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->issue_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->issue_lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_array_unref);
  self->events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
  self->utf8_valid = TRUE;
  self->started_us = g_get_monotonic_time ();
}

/* ---- public API ---- */

ImuSessionBuilder *
imu_session_builder_new (ImuStore              *store,
                         const char            *input_path,
                         ImuSessionBuilderMode  mode)
{
  ImuSessionBuilder *self;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  self = g_object_new (IMU_TYPE_SESSION_BUILDER, NULL);
  self->store = g_object_ref (store);
  self->input_path = g_strdup (input_path);
  self->mode = mode;
  return self;
}

ImuStore *
imu_session_builder_get_store (ImuSessionBuilder *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), NULL);
  return self->store;
}

ImuSession *
imu_session_builder_get_session (ImuSessionBuilder *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), NULL);
  return self->session;
}

ImuSessionBuilderMode
imu_session_builder_get_mode (ImuSessionBuilder *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), IMU_SESSION_BUILDER_IMPORT);
  return self->mode;
}

const char *
imu_session_builder_get_input_path (ImuSessionBuilder *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), NULL);
  return self->input_path;
}

void
imu_session_builder_set_existing (ImuSessionBuilder *self,
                                  ImuSession        *session)
{
  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));
  g_return_if_fail (IMU_IS_SESSION (session) && imu_session_get_id (session) > 0);
  g_return_if_fail (self->mode == IMU_SESSION_BUILDER_RECORD && !self->began);

  g_set_object (&self->session, session);
  self->row_written = TRUE;
}

gboolean
imu_session_builder_begin (ImuSessionBuilder  *self,
                           GError            **error)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), FALSE);
  g_return_val_if_fail (!self->began && !self->done, FALSE);

  if (!imu_store_begin (self->store, error))
    return FALSE;
  self->began = TRUE;
  self->in_tx = TRUE;
  if (self->mode == IMU_SESSION_BUILDER_RECORD)
    {
      /* The row lands before the first sample: a recorder that dies
       * leaves a session in state `recording` to recover. */
      g_object_set (self->session, "state", IMU_SESSION_STATE_RECORDING, NULL);
      if (!(self->row_written ? imu_store_update_session (self->store, self->session, error)
                              : write_row (self, error))
          || !imu_store_commit (self->store, error))
        return FALSE;
      self->in_tx = FALSE;
      if (!imu_store_begin (self->store, error))
        return FALSE;
      self->in_tx = TRUE;
    }
  return TRUE;
}

gint64
imu_session_builder_get_session_id (ImuSessionBuilder  *self,
                                    GError            **error)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), 0);
  g_return_val_if_fail (self->in_tx, 0);

  if (!write_row (self, error))
    return 0;
  return imu_session_get_id (self->session);
}

ImuStreamWriter *
imu_session_builder_add_stream (ImuSessionBuilder    *self,
                                const ImuStreamInfo  *info,
                                GError              **error)
{
  g_autoptr(ImuStreamInfo) copy = NULL;
  ImuStreamWriter *writer;

  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), NULL);
  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (self->in_tx, NULL);

  if (!write_row (self, error))
    return NULL;
  copy = imu_stream_info_copy (info);
  copy->session_id = imu_session_get_id (self->session);
  for (guint n = 2; g_hash_table_contains (self->stream_names, copy->name); n++)
    {
      g_free (copy->name);
      copy->name = g_strdup_printf ("%s %u", info->name, n);
    }
  if (!(writer = imu_stream_writer_new (self->store, copy, error)))
    return NULL;
  g_hash_table_add (self->stream_names, g_strdup (copy->name));
  g_ptr_array_add (self->writers, writer);
  return writer;
}

void
imu_session_builder_add_event (ImuSessionBuilder *self,
                               gint64             t_ns,
                               gint64             duration_ns,
                               const char        *kind,
                               const char        *label,
                               const char        *payload_json)
{
  ImuEvent *event;

  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));

  event = imu_event_new (t_ns, kind, label);
  event->duration_ns = duration_ns;
  event->payload_json = g_strdup (payload_json);
  g_ptr_array_add (self->events, event);
}

void
imu_session_builder_take_event (ImuSessionBuilder *self,
                                ImuEvent          *event)
{
  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));
  g_return_if_fail (event != NULL);

  g_ptr_array_add (self->events, event);
}

static void
count_issue (ImuSessionBuilder *self,
             const char        *code,
             gint64             line,
             gboolean           keep)
{
  gpointer count = g_hash_table_lookup (self->issue_counts, code);
  GArray *lines;

  if (count == NULL)
    {
      g_hash_table_insert (self->issue_counts, g_strdup (code), GINT_TO_POINTER (1));
      lines = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->issue_lines, g_strdup (code), lines);
    }
  else
    {
      g_hash_table_insert (self->issue_counts, g_strdup (code), GINT_TO_POINTER (GPOINTER_TO_INT (count) + 1));
      lines = g_hash_table_lookup (self->issue_lines, code);
    }
  if (keep && lines->len < IMU_IMPORT_KEPT_LINES)
    g_array_append_val (lines, line);
}

void
imu_session_builder_issue (ImuSessionBuilder *self,
                           const char        *code,
                           gint64             line)
{
  count_issue (self, code, line, line > 0);
}

void
imu_session_builder_issue_at (ImuSessionBuilder *self,
                              const char        *code,
                              gint64             index)
{
  count_issue (self, code, index, index >= 0);
}

void
imu_session_builder_count_line (ImuSessionBuilder *self,
                                gboolean           accepted)
{
  if (accepted)
    self->lines_ok++;
  else
    self->lines_bad++;
}

gboolean
imu_session_builder_too_many_errors (ImuSessionBuilder *self)
{
  gint64 total = self->lines_ok + self->lines_bad;

  if (self->lines_bad == 0)
    return FALSE;
  if (total < IMU_IMPORT_MIN_LINES_FOR_RATIO)
    return self->lines_bad * 2 > total;
  return (double) self->lines_bad > IMU_IMPORT_MAX_BAD_FRACTION * (double) total;
}

gint64
imu_session_builder_get_lines_ok (ImuSessionBuilder *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), 0);
  return self->lines_ok;
}

gint64
imu_session_builder_get_lines_bad (ImuSessionBuilder *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), 0);
  return self->lines_bad;
}

void
imu_session_builder_set_format (ImuSessionBuilder *self,
                                const char        *format)
{
  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));

  g_free (self->format);
  self->format = g_strdup (format);
}

void
imu_session_builder_set_device_clock (ImuSessionBuilder *self,
                                      const char        *description)
{
  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));

  g_free (self->device_clock);
  self->device_clock = g_strdup (description);
}

const char *
imu_session_builder_get_format (ImuSessionBuilder *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), NULL);
  return self->format;
}

void
imu_session_builder_set_delimiter (ImuSessionBuilder *self,
                                   char               delimiter)
{
  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));
  self->delimiter = delimiter;
}

void
imu_session_builder_set_utf8_valid (ImuSessionBuilder *self,
                                    gboolean           valid)
{
  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));
  self->utf8_valid = valid;
}

void
imu_session_builder_set_source (ImuSessionBuilder *self,
                                const char        *sha256,
                                gint64             bytes)
{
  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));

  g_free (self->sha256);
  self->sha256 = g_strdup (sha256);
  self->bytes = bytes;
}

const char *
imu_session_builder_get_sha256 (ImuSessionBuilder *self)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), NULL);
  return self->sha256;
}

void
imu_session_builder_set_session_final (ImuSessionBuilder *self,
                                       gboolean           final)
{
  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));
  self->session_final = final;
}

gboolean
imu_session_builder_end_streams (ImuSessionBuilder  *self,
                                 GError            **error)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), FALSE);

  /* imu_stream_writer_finish() returns at once for a finished writer, so
   * calling this twice (the pipeline, then finish()) costs nothing. */
  for (guint i = 0; i < self->writers->len; i++)
    if (!imu_stream_writer_finish (g_ptr_array_index (self->writers, i), error))
      return FALSE;
  return TRUE;
}

gboolean
imu_session_builder_close_streams (ImuSessionBuilder  *self,
                                   GError            **error)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), FALSE);

  /* A writer holds a chunk's columns and its LOD levels (a few hundred
   * KiB): a folder or zip of thousands of small files would keep them all
   * until finish(). Finishing and freeing them once their file is read
   * keeps memory flat in the number of files. */
  for (guint i = 0; i < self->writers->len; i++)
    {
      ImuStreamWriter *writer = g_ptr_array_index (self->writers, i);

      if (!imu_stream_writer_finish (writer, error))
        return FALSE;
      self->closed_samples += imu_stream_writer_get_n_samples (writer);
    }
  g_ptr_array_set_size (self->writers, 0);
  return TRUE;
}

gint64
imu_session_builder_get_n_samples (ImuSessionBuilder *self)
{
  gint64 n = 0;

  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), 0);

  n = self->closed_samples;
  for (guint i = 0; i < self->writers->len; i++)
    n += imu_stream_writer_get_n_samples (g_ptr_array_index (self->writers, i));
  return n;
}

gboolean
imu_session_builder_flush (ImuSessionBuilder  *self,
                           GError            **error)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), FALSE);
  g_return_val_if_fail (self->mode == IMU_SESSION_BUILDER_RECORD, FALSE);
  g_return_val_if_fail (self->in_tx, FALSE);

  for (guint i = 0; i < self->writers->len; i++)
    if (!imu_stream_writer_flush (g_ptr_array_index (self->writers, i), error))
      return FALSE;
  if (!write_events (self, error))
    return FALSE;
  if (!self->session_final
      && (!derive_times (self, error) || !imu_store_update_session (self->store, self->session, error)))
    return FALSE;
  if (!imu_store_commit (self->store, error))
    return FALSE;
  self->in_tx = FALSE;
  if (!imu_store_begin (self->store, error))
    return FALSE;
  self->in_tx = TRUE;
  return TRUE;
}

gboolean
imu_session_builder_pause (ImuSessionBuilder  *self,
                           GError            **error)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), FALSE);
  g_return_val_if_fail (self->mode == IMU_SESSION_BUILDER_RECORD, FALSE);
  g_return_val_if_fail (self->in_tx && !self->done, FALSE);

  /* flush() commits and begins again; a paused builder only commits. */
  for (guint i = 0; i < self->writers->len; i++)
    if (!imu_stream_writer_flush (g_ptr_array_index (self->writers, i), error))
      return FALSE;
  if (!write_events (self, error))
    return FALSE;
  if (!self->session_final
      && (!derive_times (self, error) || !imu_store_update_session (self->store, self->session, error)))
    return FALSE;
  if (!imu_store_commit (self->store, error))
    return FALSE;
  self->in_tx = FALSE;
  return TRUE;
}

gboolean
imu_session_builder_resume (ImuSessionBuilder  *self,
                            GError            **error)
{
  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), FALSE);
  g_return_val_if_fail (self->mode == IMU_SESSION_BUILDER_RECORD, FALSE);
  g_return_val_if_fail (self->began && !self->in_tx && !self->done, FALSE);

  if (!imu_store_begin (self->store, error))
    return FALSE;
  self->in_tx = TRUE;
  return TRUE;
}

ImuImportResult *
imu_session_builder_finish (ImuSessionBuilder  *self,
                            GError            **error)
{
  g_autoptr(ImuImportAudit) audit = NULL;

  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (self), NULL);
  g_return_val_if_fail (self->in_tx && !self->done, NULL);

  if (!write_row (self, error) || !imu_session_builder_end_streams (self, error) || !write_events (self, error))
    return NULL;
  if (!self->session_final)
    {
      if (self->mode == IMU_SESSION_BUILDER_RECORD)
        g_object_set (self->session, "state", IMU_SESSION_STATE_COMPLETE, NULL);
      if (self->sha256 != NULL)
        g_object_set (self->session, "origin-sha256", self->sha256, NULL);
      if (!derive_times (self, error) || !imu_store_update_session (self->store, self->session, error))
        return NULL;
    }
  audit = audit_new (self, imu_session_get_id (self->session));
  if (!imu_store_add_import_audit (self->store, audit, error))
    return NULL;
  if (!imu_store_commit (self->store, error))
    return NULL;
  self->in_tx = FALSE;
  self->done = TRUE;
  return result_new (self, audit);
}

void
imu_session_builder_fail (ImuSessionBuilder  *self,
                          GError             *failure,
                          GError            **error)
{
  g_autoptr(GError) local_error = failure;
  g_autoptr(GError) audit_error = NULL;
  gint64 session_id = 0;

  g_return_if_fail (IMU_IS_SESSION_BUILDER (self));
  g_return_if_fail (failure != NULL);

  if (self->in_tx)
    {
      imu_store_rollback (self->store);
      self->in_tx = FALSE;
    }
  self->done = TRUE;

  /* A recording keeps what its flushes committed: it is interrupted, not
   * lost. The row exists since begin() committed it. */
  if (self->mode == IMU_SESSION_BUILDER_RECORD && self->row_written)
    {
      g_autoptr(GError) state_error = NULL;

      g_object_set (self->session, "state", IMU_SESSION_STATE_INTERRUPTED, NULL);
      if (!imu_store_update_session (self->store, self->session, &state_error))
        g_debug ("could not mark the recording interrupted: %s", state_error->message);
      else
        session_id = imu_session_get_id (self->session);
    }

  /* A failed import leaves only its audit row; a cancelled one nothing,
   * and a duplicate is no import at all. */
  if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      && !g_error_matches (local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE))
    {
      g_autoptr(ImuImportAudit) audit = audit_new (self, session_id);

      audit->error = g_strdup (local_error->message);
      if (!imu_store_begin (self->store, &audit_error))
        g_debug ("could not record the failed import: %s", audit_error->message);
      else if (!imu_store_add_import_audit (self->store, audit, &audit_error)
               || !imu_store_commit (self->store, &audit_error))
        {
          g_debug ("could not record the failed import: %s", audit_error->message);
          imu_store_rollback (self->store);
        }
    }

  /* Callers of the import API deal with one domain: store errors become
   * import errors; disk full keeps a code of its own. */
  if (local_error->domain == IMU_STORE_ERROR)
    {
      int code = local_error->code == IMU_STORE_ERROR_FULL ? IMU_IMPORT_ERROR_DISK_FULL : IMU_IMPORT_ERROR_STORE;

      g_set_error (error, IMU_IMPORT_ERROR, code, "%s", local_error->message);
    }
  else
    g_propagate_error (error, g_steal_pointer (&local_error));
}
