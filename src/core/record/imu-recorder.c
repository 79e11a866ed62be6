/* imu-recorder.c — writes live samples into the library, crash-safely
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources call append() from their own threads; it checks the sample's
 * time, counts what it sees and queues the sample under a mutex. The
 * recorder's thread wakes every commit interval (or earlier when much has
 * arrived), opens one transaction, begins the sessions of new devices,
 * adds new streams, appends what was queued through each session's
 * builder, and pauses every builder (flush and commit), so the library is
 * free for other programs between two commits. Each commit is durable
 * (synchronous=FULL): a crash loses at most what arrived after the last.
 *
 * Builders share the recorder's one connection: the recorder's own
 * transaction is the outer one, and each builder's transaction nests in it
 * as a savepoint, in the order the sessions began. Failing them in the
 * reverse order unwinds those savepoints one by one.
 */
#define G_LOG_DOMAIN "imu-recorder"

#include <inttypes.h>
#include <string.h>
#include <sys/statvfs.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "imu-recorder.h"
#include "imu-recording-lock-private.h"
#include "imu-series.h"
#include "imu-session-builder.h"
#include "imu-store-private.h"
#include "imu-time.h"

/* A device clock that moves a minute more (or less) than the laptop's
 * between two samples jumped: an event, not a gap. */
#define CLOCK_JUMP_NS (60 * IMU_NS_PER_SECOND)
/* A sample whose delay exceeds the stream's smallest by a second is late. */
#define LATE_NS IMU_NS_PER_SECOND
/* Queued samples (all streams) that wake the thread before its interval,
 * and the most it queues before dropping (the disk cannot keep up). */
#define WAKE_PENDING (256 * 1024)
#define MAX_PENDING  (8 * 1024 * 1024)

typedef struct {
  char              *key;
  char              *uuid;
  char              *vendor;
  char              *model;
  gint64             id;            /* under the mutex; 0 until committed */
  gint64             resume_id;     /* a session to continue, else 0 */
  GPtrArray         *events;        /* ImuEvent*, under the mutex */
  GHashTable        *issues;        /* code → count not yet given to the builder, under the mutex */
  /* the thread's */
  ImuSessionBuilder *builder;
  int                lock_fd;
  gboolean           begun;
  guint              depth;         /* position in the nesting of this cycle */
} RecSession;

typedef struct {
  guint           handle;
  RecSession     *session;
  ImuStreamInfo  *info;
  char           *name;             /* as stored (the builder may add " 2") */
  /* queued samples, under the mutex */
  GArray         *pend_t;
  GArray         *pend_v;
  /* stats, under the mutex */
  gint64          samples;
  gint64          committed;
  gint64          backwards;
  gint64          duplicates;
  gint64          late;
  gint64          clock_jumps;
  gint64          first_t;
  gint64          last_t;
  gint64          last_arrival;     /* monotonic ns */
  gint64          shift;            /* added to the device's times after a clock jump */
  gint64          min_offset;
  gboolean        resumed;          /* a stored stream continued, not yet claimed by a source */
  gboolean        restart;          /* its next sample follows a gap: no clock check */
  /* the thread's */
  ImuStreamWriter *writer;
} RecStream;

struct _ImuRecorder
{
  GObject                parent_instance;

  char                  *library_path;
  char                  *title;
  char                  *subject;
  char                 **tags;
  char                  *origin_path;
  char                  *format;
  guint                  interval_ms;
  double                 time_scale;
  gint64                 resume_id;
  ImuRecorderCommitFunc  commit_func;
  gpointer               commit_data;

  GMutex                 mutex;
  GCond                  cond;
  GPtrArray             *sessions;      /* RecSession*, in the order they appeared */
  GPtrArray             *streams;       /* RecStream*, index = handle − 1 */
  gint64                 pending;
  GHashTable            *issue_counts;  /* code → gint64* */
  GHashTable            *issue_details; /* code → GPtrArray of strings */
  gboolean               stopping;
  gboolean               failed;
  gboolean               ready;
  GError                *error;         /* what stopped the thread */

  GThread               *thread;
  ImuStore              *store;         /* the thread's */
  gint64                 last_avail;    /* the thread's: free bytes at the last check */
};

G_DEFINE_FINAL_TYPE (ImuRecorder, imu_recorder, G_TYPE_OBJECT)
G_DEFINE_QUARK (imu-record-error-quark, imu_record_error)

/* ---- helpers ---- */

void
imu_record_stream_stats_free (ImuRecordStreamStats *stats)
{
  if (stats == NULL)
    return;
  g_free (stats->session_key);
  g_free (stats->name);
  g_free (stats);
}

static void
rec_session_free (RecSession *s)
{
  g_free (s->key);
  g_free (s->uuid);
  g_free (s->vendor);
  g_free (s->model);
  g_ptr_array_unref (s->events);
  g_hash_table_unref (s->issues);
  g_clear_object (&s->builder);
  g_free (s);
}

static void
rec_stream_free (RecStream *s)
{
  imu_stream_info_free (s->info);
  g_free (s->name);
  g_array_unref (s->pend_t);
  g_array_unref (s->pend_v);
  g_free (s);
}

static RecSession *
find_session_locked (ImuRecorder *self, const char *key, gboolean create)
{
  RecSession *s;

  if (key == NULL)
    key = "";
  for (guint i = 0; i < self->sessions->len; i++)
    {
      s = g_ptr_array_index (self->sessions, i);
      if (g_str_equal (s->key, key))
        return s;
    }
  if (!create)
    return NULL;
  s = g_new0 (RecSession, 1);
  s->key = g_strdup (key);
  s->uuid = g_uuid_string_random ();
  s->events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
  s->issues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  s->lock_fd = -1;
  g_ptr_array_add (self->sessions, s);
  return s;
}

static void
issue_locked (ImuRecorder *self, RecSession *session, const char *code, const char *detail)
{
  gint64 *count = g_hash_table_lookup (self->issue_counts, code);
  GPtrArray *details;

  if (count == NULL)
    {
      count = g_new0 (gint64, 1);
      g_hash_table_insert (self->issue_counts, g_strdup (code), count);
      g_hash_table_insert (self->issue_details, g_strdup (code), g_ptr_array_new_with_free_func (g_free));
    }
  (*count)++;
  details = g_hash_table_lookup (self->issue_details, code);
  if (detail != NULL && details->len < IMU_RECORD_KEPT_ISSUES)
    g_ptr_array_add (details, g_strdup (detail));

  if (session == NULL && self->sessions->len > 0)
    session = g_ptr_array_index (self->sessions, 0);
  if (session != NULL)
    {
      gpointer n = g_hash_table_lookup (session->issues, code);

      g_hash_table_insert (session->issues, g_strdup (code), GSIZE_TO_POINTER (GPOINTER_TO_SIZE (n) + 1));
    }
}

static void
event_locked (RecSession *session, gint64 t_ns, const char *kind, const char *label, const char *payload)
{
  ImuEvent *event = imu_event_new (t_ns, kind, label);

  event->payload_json = g_strdup (payload);
  g_ptr_array_add (session->events, event);
}

/* ---- the thread ---- */

typedef struct {
  RecStream *stream;
  GArray    *t;
  GArray    *v;
} Batch;

static void
batch_clear (gpointer p)
{
  Batch *b = p;

  g_array_unref (b->t);
  g_array_unref (b->v);
}

/* Rewrites the stored stream @old of a resumed session through a new
 * writer (its chunks and envelopes go on from there) and registers it for
 * a source to claim. The old rows go once their samples are copied. */
static gboolean
continue_stream (ImuRecorder *self, RecSession *s, const ImuStreamInfo *old, GError **error)
{
  g_autoptr(ImuSeries) series = NULL;
  g_autofree gint64 *t = g_new (gint64, IMU_CHUNK_SAMPLES);
  g_autofree double **columns = g_new0 (double *, MAX (old->n_channels, 1));
  g_autofree double *sample = g_new0 (double, MAX (old->n_channels, 1));
  ImuStreamWriter *writer;
  sqlite3_stmt *stmt;
  RecStream *rs;
  gboolean ok = TRUE;
  int rc;

  /* Its name is the new stream's: the old one steps aside first. */
  if (!(stmt = imu_store_prepare (self->store, "UPDATE streams SET name = name || ' (resuming)' WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, old->id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (self->store, rc, "resuming a stream", error);
  if (!(writer = imu_session_builder_add_stream (s->builder, old, error))
      || !(series = imu_series_new (self->store, old->id, error)))
    return FALSE;
  for (guint c = 0; c < old->n_channels; c++)
    columns[c] = g_new (double, IMU_CHUNK_SAMPLES);
  for (guint k = 0; ok && k < imu_series_get_n_chunks (series); k++)
    {
      gint64 n = imu_series_read_chunk (series, k, t, columns, error);

      ok = n >= 0;
      for (gint64 i = 0; ok && i < n; i++)
        {
          for (guint c = 0; c < old->n_channels; c++)
            sample[c] = columns[c][i];
          ok = imu_stream_writer_append (writer, t[i], sample, error);
        }
    }
  for (guint c = 0; c < old->n_channels; c++)
    g_free (columns[c]);
  g_clear_pointer (&series, imu_series_free);
  if (!ok)
    return FALSE;
  if (!(stmt = imu_store_prepare (self->store, "DELETE FROM streams WHERE id = ?", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, old->id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (self->store, rc, "resuming a stream", error);

  rs = g_new0 (RecStream, 1);
  rs->info = imu_stream_info_copy (imu_stream_writer_get_info (writer));
  rs->name = g_strdup (rs->info->name);
  rs->pend_t = g_array_new (FALSE, FALSE, sizeof (gint64));
  rs->pend_v = g_array_new (FALSE, FALSE, sizeof (double));
  rs->session = s;
  rs->writer = writer;
  rs->resumed = TRUE;
  rs->samples = rs->committed = old->n_samples;
  rs->first_t = old->t_first_ns;
  rs->last_t = old->t_last_ns;
  rs->restart = TRUE;
  g_mutex_lock (&self->mutex);
  g_ptr_array_add (self->streams, rs);
  rs->handle = self->streams->len;
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

static gboolean
resume_session (ImuRecorder *self, RecSession *s, GError **error)
{
  g_autoptr(ImuSession) session = imu_store_load_session (self->store, s->resume_id, error);
  g_autoptr(GPtrArray) streams = NULL;
  g_autofree char *payload = NULL;
  gint64 now = g_get_real_time () * 1000;
  gint64 end;

  if (session == NULL)
    return FALSE;
  g_free (s->uuid);
  s->uuid = g_strdup (imu_session_get_uuid (session));
  /* Whoever records it now holds its lock: taking it tells. */
  if ((s->lock_fd = imu_recording_lock_acquire (self->library_path, s->uuid, error)) < 0)
    {
      if (g_error_matches (*error, IMU_STORE_ERROR, IMU_STORE_ERROR_BUSY))
        (*error)->domain = IMU_RECORD_ERROR, (*error)->code = IMU_RECORD_ERROR_RECORDING;
      return FALSE;
    }
  s->builder = imu_session_builder_new (self->store, self->origin_path, IMU_SESSION_BUILDER_RECORD);
  imu_session_builder_set_existing (s->builder, session);
  imu_session_builder_set_format (s->builder, self->format != NULL ? self->format : "record");
  if (!imu_session_builder_begin (s->builder, error))
    return FALSE;
  s->begun = TRUE;

  streams = g_ptr_array_ref (imu_session_get_streams (session));
  for (guint i = 0; i < streams->len; i++)
    if (!continue_stream (self, s, g_ptr_array_index (streams, i), error))
      return FALSE;

  /* The gap, on the session's time line. */
  end = imu_session_get_end_ns (session);
  if (end <= 0 || end > now)
    end = now;
  payload = g_strdup_printf ("{\"gap_ns\":%" PRId64 "}", now - end);
  g_mutex_lock (&self->mutex);
  event_locked (s, end, "note", _("Recording resumed"), payload);
  ((ImuEvent *) g_ptr_array_index (s->events, s->events->len - 1))->duration_ns = now - end;
  g_mutex_unlock (&self->mutex);
  return TRUE;
}

static gboolean
begin_session (ImuRecorder *self, RecSession *s, GError **error)
{
  ImuSession *session;
  g_autofree char *title = NULL;

  if (s->resume_id > 0)
    return resume_session (self, s, error);

  s->builder = imu_session_builder_new (self->store, self->origin_path, IMU_SESSION_BUILDER_RECORD);
  session = imu_session_builder_get_session (s->builder);
  if (self->title != NULL && *self->title != '\0')
    title = *s->key != '\0' && self->sessions->len > 1
            ? g_strdup_printf ("%s (%s)", self->title, s->key) : g_strdup (self->title);
  else
    {
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M");

      /* TRANSLATORS: the title of a new recording: "Recording 2026-05-01 10:00" */
      title = *s->key != '\0' ? g_strdup_printf (_("Recording %s (%s)"), when, s->key)
                              : g_strdup_printf (_("Recording %s"), when);
    }
  g_object_set (session,
                "uuid", s->uuid,
                "title", title,
                "origin", "recorded",
                NULL);
  if (self->subject != NULL)
    g_object_set (session, "subject", self->subject, NULL);
  if (self->tags != NULL)
    imu_session_set_tags (session, (const char * const *) self->tags);
  if (self->origin_path != NULL)
    g_object_set (session, "origin-path", self->origin_path, NULL);
  g_mutex_lock (&self->mutex);
  if (s->vendor != NULL)
    g_object_set (session, "device-vendor", s->vendor, NULL);
  if (s->model != NULL)
    g_object_set (session, "device-model", s->model, NULL);
  g_mutex_unlock (&self->mutex);
  if (*s->key != '\0')
    g_object_set (session, "device-serial", s->key, NULL);
  imu_session_builder_set_format (s->builder, self->format != NULL ? self->format : "record");

  /* The lock before the row: a session in state `recording` whose lock
   * nobody holds is one a dead process left. */
  if ((s->lock_fd = imu_recording_lock_acquire (self->library_path, s->uuid, error)) < 0)
    return FALSE;
  if (!imu_session_builder_begin (s->builder, error))
    return FALSE;
  s->begun = TRUE;
  return TRUE;
}

/* One commit: everything queued since the last. With @finishing, the
 * sessions are finished (state `complete`, audit row) instead of paused. */
static gboolean
cycle (ImuRecorder *self, gboolean finishing, GError **error)
{
  g_autoptr(GArray) batches = g_array_new (FALSE, TRUE, sizeof (Batch));
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(GPtrArray) sessions = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GPtrArray) issues = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  gboolean outer = FALSE;
  guint n_open = 0;

  g_array_set_clear_func (batches, batch_clear);

  /* Take what is queued; the sources go on queuing into fresh arrays. */
  g_mutex_lock (&self->mutex);
  /* Borrowed: a copy would inherit the arrays' free functions. */
  sessions = g_ptr_array_copy (self->sessions, NULL, NULL);
  g_ptr_array_set_free_func (sessions, NULL);
  streams = g_ptr_array_copy (self->streams, NULL, NULL);
  g_ptr_array_set_free_func (streams, NULL);
  for (guint i = 0; i < streams->len; i++)
    {
      RecStream *s = g_ptr_array_index (streams, i);
      Batch b = { s, s->pend_t, s->pend_v };

      s->pend_t = g_array_new (FALSE, FALSE, sizeof (gint64));
      s->pend_v = g_array_new (FALSE, FALSE, sizeof (double));
      g_array_append_val (batches, b);
    }
  self->pending = 0;
  for (guint i = 0; i < sessions->len; i++)
    {
      RecSession *s = g_ptr_array_index (sessions, i);

      g_ptr_array_add (events, s->events);
      s->events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
      g_ptr_array_add (issues, s->issues);
      s->issues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    }
  g_mutex_unlock (&self->mutex);

  if (!imu_store_begin (self->store, error))
    return FALSE;
  outer = TRUE;

  for (guint i = 0; i < sessions->len; i++)
    {
      RecSession *s = g_ptr_array_index (sessions, i);

      if (!s->begun ? !begin_session (self, s, error) : !imu_session_builder_resume (s->builder, error))
        goto fail;
      n_open = i + 1;
    }

  for (guint i = 0; i < batches->len; i++)
    {
      Batch *b = &g_array_index (batches, Batch, i);
      RecStream *s = b->stream;
      guint n = s->info->n_channels;

      if (s->writer == NULL)
        {
          if (!(s->writer = imu_session_builder_add_stream (s->session->builder, s->info, error)))
            goto fail;
          g_mutex_lock (&self->mutex);
          g_free (s->name);
          s->name = g_strdup (imu_stream_writer_get_info (s->writer)->name);
          g_mutex_unlock (&self->mutex);
        }
      for (guint k = 0; k < b->t->len; k++)
        if (!imu_stream_writer_append (s->writer, g_array_index (b->t, gint64, k),
                                       &g_array_index (b->v, double, (gsize) k * n), error))
          goto fail;
    }

  for (guint i = 0; i < sessions->len; i++)
    {
      RecSession *s = g_ptr_array_index (sessions, i);
      GPtrArray *ev = g_ptr_array_index (events, i);
      GHashTableIter iter;
      gpointer code, count;

      for (guint k = 0; k < ev->len; k++)
        {
          ImuEvent *e = g_ptr_array_index (ev, k);

          imu_session_builder_add_event (s->builder, e->t_ns, e->duration_ns, e->kind, e->label, e->payload_json);
        }
      g_hash_table_iter_init (&iter, g_ptr_array_index (issues, i));
      while (g_hash_table_iter_next (&iter, &code, &count))
        for (gsize k = 0; k < GPOINTER_TO_SIZE (count); k++)
          imu_session_builder_issue (s->builder, code, 0);
    }

  for (guint i = sessions->len; i > 0; i--)
    {
      RecSession *s = g_ptr_array_index (sessions, i - 1);

      if (finishing)
        {
          g_autoptr(ImuImportResult) result = imu_session_builder_finish (s->builder, error);

          if (result == NULL)
            goto fail;
        }
      else if (!imu_session_builder_pause (s->builder, error))
        goto fail;
      n_open = i - 1;
    }
  if (!imu_store_commit (self->store, error))
    {
      outer = FALSE;
      imu_store_rollback (self->store);
      goto fail_done;
    }

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < batches->len; i++)
    {
      Batch *b = &g_array_index (batches, Batch, i);

      b->stream->committed += b->t->len;
    }
  for (guint i = 0; i < sessions->len; i++)
    {
      RecSession *s = g_ptr_array_index (sessions, i);

      s->id = imu_session_get_id (imu_session_builder_get_session (s->builder));
    }
  g_mutex_unlock (&self->mutex);
  return TRUE;

fail:
  {
    /* Unwind the savepoints still open, innermost first, then the outer
     * transaction: what the last commit wrote stays, marked interrupted. */
    for (guint i = n_open; i > 0; i--)
      {
        RecSession *s = g_ptr_array_index (sessions, i - 1);
        g_autoptr(GError) ignored = NULL;

        imu_session_builder_fail (s->builder, g_error_copy (*error), &ignored);
      }
    if (outer && !imu_store_commit (self->store, NULL))
      imu_store_rollback (self->store);
    outer = FALSE;
  }
fail_done:
  /* Sessions not in this cycle's transaction: interrupted on their own. */
  for (guint i = n_open; i < sessions->len; i++)
    {
      RecSession *s = g_ptr_array_index (sessions, i);
      g_autoptr(GError) ignored = NULL;

      if (s->builder != NULL && s->begun)
        imu_session_builder_fail (s->builder, g_error_copy (*error), &ignored);
    }
  return FALSE;
}

/* The margin on @dir's file system, and whether its free space is above
 * it; unknown space passes. */
static gboolean
check_room (ImuRecorder *self,
            gboolean     starting,
            GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (self->library_path);
  struct statvfs st;
  gint64 avail, total, margin;

  if (statvfs (dir, &st) != 0)
    return TRUE;
  avail = (gint64) st.f_bavail * (gint64) st.f_frsize;
  total = (gint64) st.f_blocks * (gint64) st.f_frsize;
  margin = MIN (IMU_RECORD_DISK_MARGIN, total / 4);
  /* The next commit may take what the last one took, and a checkpoint
   * moves the WAL's pages into the file at once: room for twice the last
   * growth is kept on top of the margin. */
  if (!starting && self->last_avail > avail)
    margin += 2 * (self->last_avail - avail);
  self->last_avail = avail;
  if (avail >= margin)
    return TRUE;
  {
    g_autofree char *have = g_format_size ((guint64) MAX (avail, 0));
    g_autofree char *keep = g_format_size ((guint64) margin);

    if (starting)
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_DISK_FULL,
                   _("The disk of %s has %s free, and a recording keeps at least %s free: "
                     "nothing was recorded; free some space first."),
                   self->library_path, have, keep);
    else
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_DISK_FULL,
                   _("The disk of %s is nearly full (%s free; a recording keeps %s free): "
                     "the recording stopped, and everything received until now is kept. "
                     "Free some space to record again."),
                   self->library_path, have, keep);
  }
  return FALSE;
}

static void
release_locks (ImuRecorder *self)
{
  for (guint i = 0; i < self->sessions->len; i++)
    {
      RecSession *s = g_ptr_array_index (self->sessions, i);

      imu_recording_lock_release (self->library_path, s->uuid, s->lock_fd);
      s->lock_fd = -1;
    }
}

static gpointer
recorder_worker (gpointer data)
{
  ImuRecorder *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) low_disk = NULL;
  gboolean ok;

  /* Below the margin nothing starts: not even the session row. */
  ok = check_room (self, TRUE, &error)
       && (self->store = imu_store_open (self->library_path, &error)) != NULL;
  /* Every commit of a recording is durable: a power cut keeps it. The
   * store opens every connection so; a recording does not rely on that. */
  ok = ok
       && imu_store_exec (self->store, "PRAGMA synchronous = FULL", &error)
       && cycle (self, FALSE, &error);

  g_mutex_lock (&self->mutex);
  self->ready = TRUE;
  /* start() reads this as soon as it is woken. */
  if (!ok)
    {
      self->failed = TRUE;
      self->error = g_steal_pointer (&error);
    }
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);

  while (ok)
    {
      gint64 deadline = g_get_monotonic_time () + (gint64) self->interval_ms * 1000;
      gboolean stopping;

      g_mutex_lock (&self->mutex);
      while (!self->stopping && self->pending < WAKE_PENDING)
        if (!g_cond_wait_until (&self->cond, &self->mutex, deadline))
          break;
      stopping = self->stopping;
      g_mutex_unlock (&self->mutex);

      ok = cycle (self, stopping, &error);
      if (ok && self->commit_func != NULL)
        self->commit_func (self->commit_data);
      if (stopping)
        break;
      /* The disk running out: stop cleanly now, while the finishing
       * commit (the audit row, the state) still has room. What arrives
       * meanwhile goes in with it. */
      if (ok && !check_room (self, FALSE, &low_disk))
        {
          ok = cycle (self, TRUE, &error);
          if (ok && self->commit_func != NULL)
            self->commit_func (self->commit_data);
          if (ok)
            {
              g_mutex_lock (&self->mutex);
              self->failed = TRUE;
              self->error = g_steal_pointer (&low_disk);
              g_mutex_unlock (&self->mutex);
            }
          break;
        }
    }

  release_locks (self);
  g_clear_object (&self->store);
  g_mutex_lock (&self->mutex);
  if (!ok && !self->failed)
    {
      self->failed = TRUE;
      self->error = g_steal_pointer (&error);
    }
  g_mutex_unlock (&self->mutex);
  return NULL;
}

/* ---- the object ---- */

static void
imu_recorder_dispose (GObject *object)
{
  ImuRecorder *self = IMU_RECORDER (object);

  if (self->thread != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!imu_recorder_stop (self, &error))
        g_warning ("the recording stopped with an error: %s", error->message);
    }

  G_OBJECT_CLASS (imu_recorder_parent_class)->dispose (object);
}

static void
imu_recorder_finalize (GObject *object)
{
  ImuRecorder *self = IMU_RECORDER (object);

  g_ptr_array_unref (self->streams);
  g_ptr_array_unref (self->sessions);
  g_hash_table_unref (self->issue_counts);
  g_hash_table_unref (self->issue_details);
  g_clear_error (&self->error);
  g_free (self->library_path);
  g_free (self->title);
  g_free (self->subject);
  g_strfreev (self->tags);
  g_free (self->origin_path);
  g_free (self->format);
  g_mutex_clear (&self->mutex);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (imu_recorder_parent_class)->finalize (object);
}

static void
imu_recorder_class_init (ImuRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_recorder_dispose;
  object_class->finalize = imu_recorder_finalize;
}

static void
imu_recorder_init (ImuRecorder *self)
{
  g_mutex_init (&self->mutex);
  g_cond_init (&self->cond);
  self->sessions = g_ptr_array_new_with_free_func ((GDestroyNotify) rec_session_free);
  self->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) rec_stream_free);
  self->issue_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->issue_details = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
  self->interval_ms = IMU_RECORD_COMMIT_INTERVAL_MS;
  self->time_scale = 1.0;
}

/* ---- public API ---- */

ImuRecorder *
imu_recorder_new (const char               *library_path,
                  const ImuRecorderOptions *options)
{
  ImuRecorder *self;

  g_return_val_if_fail (library_path != NULL, NULL);

  self = g_object_new (IMU_TYPE_RECORDER, NULL);
  self->library_path = g_strdup (library_path);
  if (options != NULL)
    {
      self->title = g_strdup (options->title);
      self->subject = g_strdup (options->subject);
      self->tags = g_strdupv ((char **) options->tags);
      self->origin_path = g_strdup (options->origin_path);
      self->format = g_strdup (options->format);
      if (options->commit_interval_ms > 0)
        self->interval_ms = MAX (options->commit_interval_ms, IMU_RECORD_MIN_COMMIT_INTERVAL_MS);
      if (options->time_scale > 0)
        self->time_scale = options->time_scale;
      self->resume_id = options->resume_session_id;
    }
  return self;
}

void
imu_recorder_set_commit_func (ImuRecorder           *self,
                              ImuRecorderCommitFunc  func,
                              gpointer               user_data)
{
  g_return_if_fail (IMU_IS_RECORDER (self));
  g_return_if_fail (self->thread == NULL);

  self->commit_func = func;
  self->commit_data = user_data;
}

gboolean
imu_recorder_start (ImuRecorder  *self,
                    gboolean      one_session,
                    GError      **error)
{
  g_return_val_if_fail (IMU_IS_RECORDER (self), FALSE);
  g_return_val_if_fail (self->thread == NULL, FALSE);

  if (one_session || self->resume_id > 0)
    {
      g_mutex_lock (&self->mutex);
      find_session_locked (self, "", TRUE)->resume_id = self->resume_id;
      g_mutex_unlock (&self->mutex);
    }
  self->thread = g_thread_new ("imu-recorder", recorder_worker, self);
  g_mutex_lock (&self->mutex);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->mutex);
  g_mutex_unlock (&self->mutex);

  if (imu_recorder_has_failed (self))
    {
      g_thread_join (self->thread);
      self->thread = NULL;
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return TRUE;
}

guint
imu_recorder_add_stream (ImuRecorder         *self,
                         const char          *session_key,
                         const ImuStreamInfo *info)
{
  RecStream *s;

  g_return_val_if_fail (IMU_IS_RECORDER (self), 0);
  g_return_val_if_fail (info != NULL, 0);

  g_mutex_lock (&self->mutex);
  /* A resumed session's stored stream of this name and these channels
   * goes on. */
  for (guint i = 0; i < self->streams->len; i++)
    {
      RecStream *r = g_ptr_array_index (self->streams, i);
      gboolean same = r->resumed && g_str_equal (r->info->name, info->name)
                      && r->info->n_channels == info->n_channels
                      && g_str_equal (r->session->key, session_key != NULL ? session_key : "");

      for (guint c = 0; same && c < info->n_channels; c++)
        same = g_strcmp0 (r->info->channels[c].name, info->channels[c].name) == 0;
      if (same)
        {
          r->resumed = FALSE;
          g_mutex_unlock (&self->mutex);
          return r->handle;
        }
    }
  s = g_new0 (RecStream, 1);
  s->info = imu_stream_info_copy (info);
  s->name = g_strdup (info->name);
  s->pend_t = g_array_new (FALSE, FALSE, sizeof (gint64));
  s->pend_v = g_array_new (FALSE, FALSE, sizeof (double));
  s->session = find_session_locked (self, session_key, TRUE);
  g_ptr_array_add (self->streams, s);
  s->handle = self->streams->len;
  g_mutex_unlock (&self->mutex);
  return s->handle;
}

void
imu_recorder_set_device (ImuRecorder *self,
                         const char  *session_key,
                         const char  *vendor,
                         const char  *model)
{
  RecSession *s;

  g_return_if_fail (IMU_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  s = find_session_locked (self, session_key, TRUE);
  g_free (s->vendor);
  s->vendor = g_strdup (vendor);
  g_free (s->model);
  s->model = g_strdup (model);
  g_mutex_unlock (&self->mutex);
}

void
imu_recorder_append (ImuRecorder  *self,
                     guint         stream,
                     gint64        t_ns,
                     const double *values)
{
  gint64 arrival = g_get_monotonic_time () * 1000;
  gint64 real = g_get_real_time () * 1000;
  RecStream *s;
  gint64 t, offset;

  g_mutex_lock (&self->mutex);
  if (stream == 0 || stream > self->streams->len)
    {
      g_mutex_unlock (&self->mutex);
      g_return_if_reached ();
    }
  s = g_ptr_array_index (self->streams, stream - 1);

  if (t_ns < IMU_TIME_MIN_NS || t_ns > IMU_TIME_MAX_NS
      || (t = t_ns + s->shift) < IMU_TIME_MIN_NS || t > IMU_TIME_MAX_NS)
    {
      g_autofree char *detail = g_strdup_printf ("%s: %" PRId64, s->name, t_ns);

      issue_locked (self, s->session, IMU_RECORD_ISSUE_TIME_RANGE, detail);
      g_mutex_unlock (&self->mutex);
      return;
    }
  if (self->pending >= MAX_PENDING)
    {
      issue_locked (self, s->session, IMU_RECORD_ISSUE_OVERLOAD, NULL);
      g_mutex_unlock (&self->mutex);
      return;
    }

  if (s->restart)
    {
      /* The first sample after a resumed gap: the clocks start afresh. */
      s->restart = FALSE;
      s->min_offset = real - t;
      if (t < s->last_t)
        {
          s->backwards++;
          issue_locked (self, s->session, IMU_RECORD_ISSUE_BACKWARDS, s->name);
        }
    }
  else if (s->samples > 0)
    {
      gint64 dt_s = t - s->last_t;
      gint64 dt_a = (gint64) ((double) (arrival - s->last_arrival) * self->time_scale);

      if (dt_s - dt_a > CLOCK_JUMP_NS || dt_a - dt_s > CLOCK_JUMP_NS)
        {
          /* The device's clock moved by @jump more than the laptop's: go
           * on where the stream was, and say so on the time line. */
          gint64 jump = dt_s - dt_a;
          g_autofree char *payload = g_strdup_printf ("{\"stream\":\"%s\",\"jump_ns\":%" PRId64 "}",
                                                      s->info->name, jump);
          g_autofree char *detail = g_strdup_printf ("%s: %+.3f s", s->name, (double) jump / IMU_NS_PER_SECOND);

          s->shift -= jump;
          t -= jump;
          s->clock_jumps++;
          s->min_offset = real - t;
          issue_locked (self, s->session, IMU_RECORD_ISSUE_CLOCK_JUMP, detail);
          event_locked (s->session, t, "device", _("Clock jump"), payload);
        }
      else if (dt_s < 0)
        {
          s->backwards++;
          issue_locked (self, s->session, IMU_RECORD_ISSUE_BACKWARDS, s->name);
        }
      else if (dt_s == 0)
        {
          s->duplicates++;
          issue_locked (self, s->session, IMU_RECORD_ISSUE_DUPLICATE, s->name);
        }
    }
  else
    {
      s->first_t = t;
      s->min_offset = real - t;
    }

  offset = real - t;
  if (offset < s->min_offset)
    s->min_offset = offset;
  else if (offset - s->min_offset > LATE_NS)
    {
      s->late++;
      issue_locked (self, s->session, IMU_RECORD_ISSUE_LATE, s->name);
    }

  s->last_t = t;
  s->last_arrival = arrival;
  s->samples++;
  g_array_append_val (s->pend_t, t);
  g_array_append_vals (s->pend_v, values, s->info->n_channels);
  if (++self->pending == WAKE_PENDING)
    g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
}

void
imu_recorder_issue (ImuRecorder *self,
                    const char  *session_key,
                    const char  *code,
                    const char  *detail)
{
  g_return_if_fail (IMU_IS_RECORDER (self));
  g_return_if_fail (code != NULL);

  g_mutex_lock (&self->mutex);
  issue_locked (self, session_key != NULL ? find_session_locked (self, session_key, FALSE) : NULL, code, detail);
  g_mutex_unlock (&self->mutex);
}

void
imu_recorder_add_event (ImuRecorder *self,
                        const char  *session_key,
                        gint64       t_ns,
                        const char  *kind,
                        const char  *label,
                        const char  *payload_json)
{
  g_return_if_fail (IMU_IS_RECORDER (self));

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->sessions->len; i++)
    {
      RecSession *s = g_ptr_array_index (self->sessions, i);

      if (session_key == NULL || g_str_equal (s->key, session_key))
        event_locked (s, t_ns, kind, label, payload_json);
    }
  g_mutex_unlock (&self->mutex);
}

GPtrArray *
imu_recorder_dup_stats (ImuRecorder *self)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_record_stream_stats_free);

  g_return_val_if_fail (IMU_IS_RECORDER (self), out);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->streams->len; i++)
    {
      RecStream *s = g_ptr_array_index (self->streams, i);
      ImuRecordStreamStats *st = g_new0 (ImuRecordStreamStats, 1);

      st->session_key = g_strdup (s->session->key);
      st->session_id = s->session->id;
      st->name = g_strdup (s->name);
      st->n_channels = s->info->n_channels;
      st->samples = s->samples;
      st->committed = s->committed;
      if (s->samples > 1 && s->last_t > s->first_t)
        st->rate_hz = (double) (s->samples - 1) * IMU_NS_PER_SECOND / (double) (s->last_t - s->first_t);
      st->backwards = s->backwards;
      st->duplicates = s->duplicates;
      st->late = s->late;
      st->clock_jumps = s->clock_jumps;
      st->clock_offset_ns = s->min_offset;
      g_ptr_array_add (out, st);
    }
  g_mutex_unlock (&self->mutex);
  return out;
}

GHashTable *
imu_recorder_dup_issue_counts (ImuRecorder *self)
{
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer code, count;

  g_return_val_if_fail (IMU_IS_RECORDER (self), out);

  g_mutex_lock (&self->mutex);
  g_hash_table_iter_init (&iter, self->issue_counts);
  while (g_hash_table_iter_next (&iter, &code, &count))
    g_hash_table_insert (out, g_strdup (code), g_memdup2 (count, sizeof (gint64)));
  g_mutex_unlock (&self->mutex);
  return out;
}

GPtrArray *
imu_recorder_dup_issue_details (ImuRecorder *self,
                                const char  *code)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *details;

  g_return_val_if_fail (IMU_IS_RECORDER (self), out);

  g_mutex_lock (&self->mutex);
  if ((details = g_hash_table_lookup (self->issue_details, code)) != NULL)
    for (guint i = 0; i < details->len; i++)
      g_ptr_array_add (out, g_strdup (g_ptr_array_index (details, i)));
  g_mutex_unlock (&self->mutex);
  return out;
}

GArray *
imu_recorder_dup_session_ids (ImuRecorder *self)
{
  GArray *out = g_array_new (FALSE, FALSE, sizeof (gint64));

  g_return_val_if_fail (IMU_IS_RECORDER (self), out);

  g_mutex_lock (&self->mutex);
  for (guint i = 0; i < self->sessions->len; i++)
    {
      RecSession *s = g_ptr_array_index (self->sessions, i);

      if (s->id > 0)
        g_array_append_val (out, s->id);
    }
  g_mutex_unlock (&self->mutex);
  return out;
}

gboolean
imu_recorder_has_failed (ImuRecorder *self)
{
  gboolean failed;

  g_return_val_if_fail (IMU_IS_RECORDER (self), TRUE);

  g_mutex_lock (&self->mutex);
  failed = self->failed;
  g_mutex_unlock (&self->mutex);
  return failed;
}

gboolean
imu_recorder_stop (ImuRecorder  *self,
                   GError      **error)
{
  g_return_val_if_fail (IMU_IS_RECORDER (self), FALSE);

  if (self->thread == NULL)
    return TRUE;
  g_mutex_lock (&self->mutex);
  self->stopping = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->mutex);
  g_thread_join (self->thread);
  self->thread = NULL;

  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return FALSE;
    }
  return TRUE;
}
