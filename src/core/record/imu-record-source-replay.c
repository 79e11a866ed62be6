/* imu-record-source-replay.c — a file or a library session, played live
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `replay:PATH` plays a file the importers read (CSV, a Sensor Logger
 * folder, a bundle…) or, when PATH is no file, a session of the library
 * (an id or uuid prefix) through the recorder, in real time or N times
 * faster (--speed), for demos and tests. A file is first imported, by the
 * importers' registry, into a temporary library of its own, so the replay
 * reads exactly what `imu import` would have stored; the samples keep
 * their times, and go out in time order across streams, each when its
 * time has come.
 */
#define G_LOG_DOMAIN "imu-record"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "imu-import.h"
#include "imu-record-source.h"
#include "imu-series.h"
#include "imu-stream-writer.h"

#define IMU_TYPE_RECORD_SOURCE_REPLAY (imu_record_source_replay_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecordSourceReplay, imu_record_source_replay, IMU, RECORD_SOURCE_REPLAY, GObject)

typedef struct {
  ImuSeries *series;
  guint      handle;
  guint      chunk;      /* next chunk to read */
  guint      n_chunks;
  gint64    *t;
  double   **columns;
  gint64     fill;
  gint64     pos;
  double    *sample;
} Player;

struct _ImuRecordSourceReplay
{
  GObject       parent_instance;

  char         *spec;          /* PATH or SESSION */
  char         *library_path;  /* the library to read from */
  char         *tmpdir;        /* a file's temporary library, removed at the end */
  gint64        session_id;
  double        speed;
  ImuRecorder  *recorder;
  GThread      *thread;
  gint          stopping;      /* atomic */
  gint          done;          /* atomic */
};

static void source_iface_init (ImuRecordSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ImuRecordSourceReplay, imu_record_source_replay, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IMU_TYPE_RECORD_SOURCE, source_iface_init))

static void
player_free (Player *p)
{
  guint n = p->series != NULL ? imu_series_get_n_channels (p->series) : 0;

  for (guint c = 0; c < n; c++)
    g_free (p->columns[c]);
  g_free (p->columns);
  g_free (p->t);
  g_free (p->sample);
  g_clear_pointer (&p->series, imu_series_free);
  g_free (p);
}

/* Makes the player's next sample current; FALSE at its end. */
static gboolean
player_ready (Player *p, GError **error)
{
  while (p->pos >= p->fill)
    {
      if (p->chunk >= p->n_chunks)
        return FALSE;
      if ((p->fill = imu_series_read_chunk (p->series, p->chunk++, p->t, p->columns, error)) < 0)
        return FALSE;
      p->pos = 0;
    }
  return TRUE;
}

static gpointer
replay_worker (gpointer data)
{
  ImuRecordSourceReplay *self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(GPtrArray) players = g_ptr_array_new_with_free_func ((GDestroyNotify) player_free);
  gint64 t0 = G_MAXINT64, wall0;

  if (!(store = imu_store_open (self->library_path, &error))
      || !(streams = imu_store_list_streams (store, self->session_id, &error)))
    goto out;
  for (guint i = 0; i < streams->len; i++)
    {
      ImuStreamInfo *info = g_ptr_array_index (streams, i);
      Player *p = g_new0 (Player, 1);
      guint n;

      g_ptr_array_add (players, p);
      if (!(p->series = imu_series_new (store, info->id, &error)))
        goto out;
      n = imu_series_get_n_channels (p->series);
      p->n_chunks = imu_series_get_n_chunks (p->series);
      p->t = g_new (gint64, IMU_CHUNK_SAMPLES);
      p->columns = g_new0 (double *, MAX (n, 1));
      for (guint c = 0; c < n; c++)
        p->columns[c] = g_new (double, IMU_CHUNK_SAMPLES);
      p->sample = g_new0 (double, MAX (n, 1));
      p->handle = imu_recorder_add_stream (self->recorder, NULL, imu_series_get_info (p->series));
      if (!player_ready (p, &error))
        {
          if (error != NULL)
            goto out;
          continue;
        }
      t0 = MIN (t0, p->t[0]);
    }

  wall0 = g_get_monotonic_time ();
  while (!g_atomic_int_get (&self->stopping))
    {
      Player *next = NULL;
      gint64 due;
      guint n;

      /* The stream whose next sample is earliest. */
      for (guint i = 0; i < players->len; i++)
        {
          Player *p = g_ptr_array_index (players, i);

          if (p->pos < p->fill && (next == NULL || p->t[p->pos] < next->t[next->pos]))
            next = p;
        }
      if (next == NULL)
        break;
      due = wall0 + (gint64) ((double) (next->t[next->pos] - t0) / 1000.0 / self->speed);
      for (gint64 now = g_get_monotonic_time (); now < due && !g_atomic_int_get (&self->stopping);
           now = g_get_monotonic_time ())
        g_usleep (MIN (due - now, 50 * 1000));
      if (g_atomic_int_get (&self->stopping))
        break;
      n = imu_series_get_n_channels (next->series);
      for (guint c = 0; c < n; c++)
        next->sample[c] = next->columns[c][next->pos];
      imu_recorder_append (self->recorder, next->handle, next->t[next->pos], next->sample);
      next->pos++;
      if (!player_ready (next, &error) && error != NULL)
        goto out;
    }

out:
  if (error != NULL)
    {
      /* TRANSLATORS: an issue of a recording: a replay that could not read its input */
      g_autofree char *detail = g_strdup_printf (_("The replay stopped: %s"), error->message);

      imu_recorder_issue (self->recorder, NULL, IMU_RECORD_ISSUE_MALFORMED, detail);
    }
  g_atomic_int_set (&self->done, TRUE);
  return NULL;
}

static gboolean
replay_start (ImuRecordSource *source, ImuRecorder *recorder, GError **error)
{
  ImuRecordSourceReplay *self = IMU_RECORD_SOURCE_REPLAY (source);
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GError) local_error = NULL;

  if (g_file_test (self->spec, G_FILE_TEST_EXISTS))
    {
      g_autoptr(ImuImportResult) result = NULL;

      if (!(self->tmpdir = g_dir_make_tmp ("imu-replay-XXXXXX", &local_error)))
        {
          g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE, "%s", local_error->message);
          return FALSE;
        }
      g_free (self->library_path);
      self->library_path = g_build_filename (self->tmpdir, "replay.db", NULL);
      if (!(store = imu_store_open (self->library_path, &local_error))
          || !(result = imu_import_path (store, self->spec, NULL, NULL, NULL, NULL, NULL, &local_error)))
        {
          g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                       _("Cannot replay %s: %s"), self->spec, local_error->message);
          return FALSE;
        }
      self->session_id = result->session_id;
    }
  else
    {
      if (self->library_path == NULL
          || !(store = imu_store_open (self->library_path, &local_error))
          || (self->session_id = imu_store_resolve_session (store, self->spec, &local_error)) <= 0)
        {
          g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                       _("Cannot replay “%s”: it is no file, and no session of the library: %s"), self->spec,
                       local_error != NULL ? local_error->message : "");
          return FALSE;
        }
    }
  g_clear_object (&store);

  self->recorder = g_object_ref (recorder);
  self->thread = g_thread_new ("imu-record-replay", replay_worker, self);
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

static void
replay_stop (ImuRecordSource *source)
{
  ImuRecordSourceReplay *self = IMU_RECORD_SOURCE_REPLAY (source);

  g_atomic_int_set (&self->stopping, TRUE);
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  g_clear_object (&self->recorder);
  if (self->tmpdir != NULL)
    {
      remove_tree (self->tmpdir);
      g_clear_pointer (&self->tmpdir, g_free);
    }
}

static char *
replay_dup_address (ImuRecordSource *source)
{
  ImuRecordSourceReplay *self = IMU_RECORD_SOURCE_REPLAY (source);

  return g_strdup_printf ("replay:%s ×%g", self->spec, self->speed);
}

static gboolean
replay_is_done (ImuRecordSource *source)
{
  return g_atomic_int_get (&IMU_RECORD_SOURCE_REPLAY (source)->done);
}

static void
source_iface_init (ImuRecordSourceInterface *iface)
{
  iface->start = replay_start;
  iface->stop = replay_stop;
  iface->dup_address = replay_dup_address;
  iface->is_done = replay_is_done;
}

static void
imu_record_source_replay_dispose (GObject *object)
{
  replay_stop (IMU_RECORD_SOURCE (object));

  G_OBJECT_CLASS (imu_record_source_replay_parent_class)->dispose (object);
}

static void
imu_record_source_replay_finalize (GObject *object)
{
  ImuRecordSourceReplay *self = IMU_RECORD_SOURCE_REPLAY (object);

  g_free (self->spec);
  g_free (self->library_path);

  G_OBJECT_CLASS (imu_record_source_replay_parent_class)->finalize (object);
}

static void
imu_record_source_replay_class_init (ImuRecordSourceReplayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_record_source_replay_dispose;
  object_class->finalize = imu_record_source_replay_finalize;
}

static void
imu_record_source_replay_init (ImuRecordSourceReplay *self)
{
  self->speed = 1.0;
}

static ImuRecordSource *
replay_create (const char                   *argument,
               const ImuRecordSourceOptions *options,
               GError                      **error)
{
  ImuRecordSourceReplay *self;

  if (argument == NULL || *argument == '\0')
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                   _("The replay source needs a file or a session: replay:PATH."));
      return NULL;
    }
  if (options->speed < 0 || (options->speed > 0 && options->speed < 0.01) || options->speed > 1e6)
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                   _("The replay speed must be between 0.01 and 1000000."));
      return NULL;
    }
  self = g_object_new (IMU_TYPE_RECORD_SOURCE_REPLAY, NULL);
  self->spec = g_strdup (argument);
  self->library_path = g_strdup (options->library_path);
  if (options->speed > 0)
    self->speed = options->speed;
  return IMU_RECORD_SOURCE (self);
}

const ImuRecordSourceKind imu_record_source_replay = {
  .scheme = "replay",
  .usage = "replay:PATH|SESSION",
  .description = N_("A file or a library session played in real time (or --speed times faster)"),
  .per_device = FALSE,
  .create = replay_create,
};
