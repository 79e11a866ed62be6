/* imu-plot-compare.c — other sessions drawn over the plot's lanes (a comparison)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The plot's own session is the reference. Each overlay is a stream of
 * another session, drawn in the lane of the reference channel of the same
 * name (else the same place) with its times shifted by its offset. Its
 * samples are fetched for the visible range (on its own clock) in a task
 * thread with its own connection to the library, thinned the way the
 * plot's own are (imu_plot_data_fetch()), and drawn as a min/max band or a
 * polyline. Nothing here changes stored samples.
 */
#define G_LOG_DOMAIN "imu-plot"

#include <math.h>

#include <glib/gi18n.h>

#include "imu-plot-private.h"

/* Palette colours of the sessions of a comparison, the reference first. */
static const guint session_palette[] = {
  IMU_PLOT_PALETTE_BLUE, IMU_PLOT_PALETTE_ORANGE, IMU_PLOT_PALETTE_GREEN, IMU_PLOT_PALETTE_PURPLE,
  IMU_PLOT_PALETTE_RED, IMU_PLOT_PALETTE_BROWN,
};

typedef struct {
  gint64          session_id;
  char           *stream_name;
  gint64          offset_ns;
  ImuStreamInfo  *info;      /* known after the first fetch */
  ImuPlotData    *view;      /* on the overlay's own clock */
  gboolean        fetching;
  gboolean        failed;    /* not asked again: it would spin on a damaged library */
} Overlay;

struct _ImuPlotCompare
{
  char         *stream;      /* the reference's compared stream */
  GPtrArray    *overlays;    /* Overlay* */
  GCancellable *cancellable;
  guint         gen;         /* bumped when the overlays are cleared */
};

static void
overlay_free (Overlay *o)
{
  g_free (o->stream_name);
  g_clear_pointer (&o->info, imu_stream_info_free);
  g_clear_pointer (&o->view, imu_plot_data_unref);
  g_free (o);
}

/* Generations are unique across compare states, so that an answer for
 * overlays cleared (or a comparison left) is never taken for a new one. */
static guint next_gen;

static ImuPlotCompare *
ensure_compare (ImuPlot *self)
{
  if (self->scene.compare == NULL)
    {
      ImuPlotCompare *c = g_new0 (ImuPlotCompare, 1);

      c->overlays = g_ptr_array_new_with_free_func ((GDestroyNotify) overlay_free);
      c->cancellable = g_cancellable_new ();
      c->gen = ++next_gen;
      self->scene.compare = c;
    }
  return self->scene.compare;
}

void
imu_plot_compare_free (ImuPlot *self)
{
  ImuPlotCompare *c = self->scene.compare;

  if (c == NULL)
    return;
  g_cancellable_cancel (c->cancellable);
  g_clear_object (&c->cancellable);
  g_clear_pointer (&c->overlays, g_ptr_array_unref);
  g_free (c->stream);
  g_free (c);
  self->scene.compare = NULL;
}

/* ---- units ---- */

/* The factor from @from to @to for the units a comparison converts
 * (the same table as the core's, docs/compare.md); 1 when unknown. */
static double
unit_factor (const char *from, const char *to)
{
  static const struct { const char *unit; const char *quantity; double si; } units[] = {
    { "g", "accel", 9.80665 }, { "m/s^2", "accel", 1.0 }, { "m/s2", "accel", 1.0 }, { "m/s²", "accel", 1.0 },
    { "deg/s", "gyro", G_PI / 180.0 }, { "dps", "gyro", G_PI / 180.0 }, { "°/s", "gyro", G_PI / 180.0 },
    { "rad/s", "gyro", 1.0 },
    { "uT", "mag", 1e-6 }, { "µT", "mag", 1e-6 }, { "mT", "mag", 1e-3 }, { "G", "mag", 1e-4 }, { "gauss", "mag", 1e-4 },
  };
  int a = -1, b = -1;

  if (from == NULL || to == NULL || g_str_equal (from, to))
    return 1.0;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    {
      if (g_str_equal (units[i].unit, from))
        a = (int) i;
      if (g_str_equal (units[i].unit, to))
        b = (int) i;
    }
  if (a < 0 || b < 0 || !g_str_equal (units[a].quantity, units[b].quantity))
    return 1.0;
  return units[a].si / units[b].si;
}

/* ---- lanes ---- */

void
imu_plot_compare_split_lanes (ImuPlot *self)
{
  ImuPlotCompare *c = self->scene.compare;
  g_autoptr(GPtrArray) old = NULL;

  if (c == NULL || c->stream == NULL)
    return;
  old = g_steal_pointer (&self->scene.lanes);
  self->scene.lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_plot_lane_free);
  for (guint i = 0; i < old->len; i++)
    {
      const ImuPlotLane *lane = g_ptr_array_index (old, i);
      const ImuStreamInfo *info = ((ImuPlotStream *) g_ptr_array_index (self->scene.streams, lane->stream))->info;

      if (g_strcmp0 (info->name, c->stream) != 0)
        continue;
      for (guint k = 0; k < lane->n_channels; k++)
        {
          ImuPlotLane *one = g_new0 (ImuPlotLane, 1);

          one->stream = lane->stream;
          one->title = g_strdup (lane->title);
          one->unit = g_strdup (lane->unit);
          one->n_channels = 1;
          one->channels = g_new (guint, 1);
          one->channels[0] = lane->channels[k];
          one->names = g_new0 (char *, 2);
          one->names[0] = g_strdup (lane->names[k]);
          one->scale = g_new (double, 1);
          one->scale[0] = lane->scale[k];
          one->visible = g_new (gboolean, 1);
          one->visible[0] = lane->visible[k];
          one->color = g_new (guint, 1);
          one->color[0] = session_palette[0];
          g_ptr_array_add (self->scene.lanes, one);
        }
    }
  /* A reference without that stream: its lanes as they were. */
  if (self->scene.lanes->len == 0)
    {
      g_ptr_array_unref (self->scene.lanes);
      self->scene.lanes = g_steal_pointer (&old);
    }
}

/* ---- data ---- */

typedef struct {
  char   *path;
  gint64  session_id;
  char   *stream_name;
  gint64  r0, r1;
  guint   n;
} FetchJob;

typedef struct {
  ImuStreamInfo *info;
  ImuPlotData   *data;
} FetchResult;

static void
fetch_job_free (FetchJob *job)
{
  g_free (job->path);
  g_free (job->stream_name);
  g_free (job);
}

static void
fetch_result_free (FetchResult *r)
{
  g_clear_pointer (&r->info, imu_stream_info_free);
  g_clear_pointer (&r->data, imu_plot_data_unref);
  g_free (r);
}

static void
fetch_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FetchJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (job->path, &error);
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(ImuSeries) series = NULL;
  const ImuStreamInfo *info = NULL;
  FetchResult *r;
  GPtrArray *streams;

  if (store == NULL || !(session = imu_store_load_session (store, job->session_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  streams = imu_session_get_streams (session);
  for (guint i = 0; streams != NULL && i < streams->len && info == NULL; i++)
    if (g_strcmp0 (((ImuStreamInfo *) g_ptr_array_index (streams, i))->name, job->stream_name) == 0)
      info = g_ptr_array_index (streams, i);
  if (info == NULL)
    {
      g_task_return_new_error (task, IMU_PLOT_ERROR, IMU_PLOT_ERROR_FAILED,
                               _("“%s” has no stream “%s”"), imu_session_get_title (session), job->stream_name);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (!(series = imu_series_new (store, info->id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  r = g_new0 (FetchResult, 1);
  r->info = imu_stream_info_copy (info);
  if (!(r->data = imu_plot_data_fetch (series, job->r0, job->r1, job->n, &error)))
    {
      fetch_result_free (r);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, r, (GDestroyNotify) fetch_result_free);
}

typedef struct {
  guint  gen;
  guint  index;
} FetchTag;

static void
fetch_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImuPlot *self = IMU_PLOT (source);
  g_autofree FetchTag *tag = user_data;
  g_autoptr(GError) error = NULL;
  FetchResult *r = g_task_propagate_pointer (G_TASK (result), &error);
  ImuPlotCompare *c = self->scene.compare;
  Overlay *o;

  if (c == NULL || tag->gen != c->gen || tag->index >= c->overlays->len)
    {
      g_clear_pointer (&r, fetch_result_free);
      return;
    }
  o = g_ptr_array_index (c->overlays, tag->index);
  o->fetching = FALSE;
  if (r == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_warning ("Cannot read the compared session %" G_GINT64_FORMAT ": %s", o->session_id, error->message);
          o->failed = TRUE;
        }
      return;
    }
  g_clear_pointer (&o->info, imu_stream_info_free);
  g_clear_pointer (&o->view, imu_plot_data_unref);
  o->info = g_steal_pointer (&r->info);
  o->view = g_steal_pointer (&r->data);
  fetch_result_free (r);
  imu_plot_invalidate (self, FALSE);
  imu_plot_compare_ensure_data (self);
}

/* Whether @d covers [v0, v1) at about one bucket per pixel (the plot's own rule). */
static gboolean
overlay_data_fits (const ImuPlotData *d, gint64 v0, gint64 v1, gint64 span, int cols)
{
  if (d == NULL || d->r0 > v0 || d->r1 < v1)
    return FALSE;
  if (d->env != NULL)
    {
      double bucket = (double) (d->env->t1 - d->env->t0) / d->env->n_buckets;
      double px = (double) span / cols;

      return bucket / px > 0.75 && bucket / px < 1.34;
    }
  return d->n <= 1 || (double) d->n * (double) span / (double) (d->r1 - d->r0) <= 1.5 * IMU_PLOT_RAW_PER_PX * cols;
}

void
imu_plot_compare_ensure_data (ImuPlot *self)
{
  ImuPlotCompare *c = self->scene.compare;
  gint64 span = self->scene.t1 - self->scene.t0;
  int cols = imu_plot_drawing_width (self) - IMU_PLOT_MARGIN_LEFT - IMU_PLOT_MARGIN_RIGHT;

  if (c == NULL || self->library_path == NULL || !self->streams_ready || span <= 0 || cols <= 0)
    return;
  for (guint i = 0; i < c->overlays->len; i++)
    {
      Overlay *o = g_ptr_array_index (c->overlays, i);
      gint64 v0 = self->scene.t0 - o->offset_ns;
      gint64 v1 = self->scene.t1 - o->offset_ns;
      g_autoptr(GTask) task = NULL;
      FetchJob *job;
      FetchTag *tag;

      if (o->fetching || o->failed || overlay_data_fits (o->view, v0, v1, span, cols))
        continue;
      job = g_new0 (FetchJob, 1);
      job->path = g_strdup (self->library_path);
      job->session_id = o->session_id;
      job->stream_name = g_strdup (o->stream_name);
      job->r0 = v0 - span / 2;
      job->r1 = v1 + span / 2;
      job->n = (guint) CLAMP (2 * cols, 1, 65536);
      tag = g_new0 (FetchTag, 1);
      tag->gen = c->gen;
      tag->index = i;
      o->fetching = TRUE;
      task = g_task_new (self, c->cancellable, fetch_cb, tag);
      g_task_set_source_tag (task, imu_plot_compare_ensure_data);
      g_task_set_task_data (task, job, (GDestroyNotify) fetch_job_free);
      g_task_run_in_thread (task, fetch_worker);
    }
}

gboolean
imu_plot_compare_is_idle (ImuPlot *self)
{
  ImuPlotCompare *c = self->scene.compare;
  gint64 span = self->scene.t1 - self->scene.t0;
  int cols = imu_plot_drawing_width (self) - IMU_PLOT_MARGIN_LEFT - IMU_PLOT_MARGIN_RIGHT;

  if (!imu_plot_is_idle (self))
    return FALSE;
  for (guint i = 0; c != NULL && i < c->overlays->len; i++)
    {
      const Overlay *o = g_ptr_array_index (c->overlays, i);

      if (o->fetching)
        return FALSE;
      if (!o->failed && !overlay_data_fits (o->view, self->scene.t0 - o->offset_ns, self->scene.t1 - o->offset_ns,
                                            span, MAX (cols, 1)))
        return FALSE;
    }
  return TRUE;
}

/* ---- drawing ---- */

/* The overlay channel that goes in the lane of reference channel @ref_channel. */
static guint
overlay_channel (const ImuStreamInfo *ref, guint ref_channel, const ImuStreamInfo *info)
{
  for (guint j = 0; j < info->n_channels; j++)
    if (g_ascii_strcasecmp (info->channels[j].name, ref->channels[ref_channel].name) == 0)
      return j;
  return ref_channel < info->n_channels ? ref_channel : G_MAXUINT;
}

void
imu_plot_compare_draw_lane (ImuPlotScene          *scene,
                            const ImuPlotGeometry *geom,
                            ImuPlotPainter        *painter,
                            guint                  lane_index)
{
  ImuPlotCompare *c = scene->compare;
  const ImuPlotLane *lane = g_ptr_array_index (scene->lanes, lane_index);
  const ImuPlotLaneGeom *lg = g_ptr_array_index (geom->lane_geoms, lane_index);
  const ImuStreamInfo *ref = ((ImuPlotStream *) g_ptr_array_index (scene->streams, lane->stream))->info;
  const graphene_rect_t *a = &lg->area;
  cairo_t *cr;

  if (c->overlays->len == 0 || lg->hi <= lg->lo || a->size.height <= 0)
    return;
  cr = imu_plot_painter_begin_cairo (painter, a);
  cairo_set_line_width (cr, 1.25);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < c->overlays->len; i++)
    {
      const Overlay *o = g_ptr_array_index (c->overlays, i);
      const ImuPlotData *d = o->view;
      GdkRGBA color;

      if (d == NULL || o->info == NULL)
        continue;
      imu_plot_palette_get (scene->dark, session_palette[(i + 1) % G_N_ELEMENTS (session_palette)], &color);
      /* See-through, so that the reference shows where they agree. */
      color.alpha = 0.7;
      gdk_cairo_set_source_rgba (cr, &color);
      for (guint k = 0; k < lane->n_channels; k++)
        {
          guint j = overlay_channel (ref, lane->channels[k], o->info);
          double scale;
          gboolean pen = FALSE;

          if (!lane->visible[k] || j == G_MAXUINT || j >= d->n_channels)
            continue;
          scale = unit_factor (o->info->channels[j].unit, ref->channels[lane->channels[k]].unit) * lane->scale[k];
#define Y_OF(v) (a->origin.y + (lg->hi - (v) * scale) / (lg->hi - lg->lo) * a->size.height)
          if (d->env != NULL)
            {
              /* A band: each bucket's min to max, joined bucket to bucket. */
              for (guint b = 0; b < d->env->n_buckets; b++)
                {
                  double mn = d->env->min[j][b], mx = d->env->max[j][b];
                  double x;

                  if (d->env->i_first[b] > d->env->i_last[b] || !isfinite (mn) || !isfinite (mx))
                    {
                      pen = FALSE;
                      continue;
                    }
                  x = imu_plot_geometry_x_of (geom, d->env->t_first[b] / 2 + d->env->t_last[b] / 2 + o->offset_ns);
                  if (pen)
                    cairo_line_to (cr, x, Y_OF (mx));
                  else
                    cairo_move_to (cr, x, Y_OF (mx));
                  cairo_line_to (cr, x, Y_OF (mn));
                  pen = TRUE;
                }
            }
          else
            {
              for (gint64 s = 0; s < d->n; s++)
                {
                  double v = d->cols[j][s];
                  double x = imu_plot_geometry_x_of (geom, d->t[s] + o->offset_ns);

                  if (!isfinite (v))
                    {
                      pen = FALSE;
                      continue;
                    }
                  if (pen && s > 0 && d->t[s] - d->t[s - 1] > d->gap_ns)
                    pen = FALSE;
                  if (pen)
                    cairo_line_to (cr, x, Y_OF (v));
                  else
                    cairo_move_to (cr, x, Y_OF (v));
                  pen = TRUE;
                }
            }
#undef Y_OF
          cairo_stroke (cr);
        }
    }
  imu_plot_painter_end_cairo (painter, cr);
}

/* ---- public API ---- */

void
imu_plot_set_compare_stream (ImuPlot    *self,
                             const char *stream_name)
{
  g_return_if_fail (IMU_IS_PLOT (self));

  if (stream_name == NULL)
    {
      imu_plot_compare_free (self);
      return;
    }
  g_free (ensure_compare (self)->stream);
  self->scene.compare->stream = g_strdup (stream_name);
}

guint
imu_plot_add_overlay (ImuPlot    *self,
                      gint64      session_id,
                      const char *stream_name,
                      gint64      offset_ns)
{
  ImuPlotCompare *c;
  Overlay *o;

  g_return_val_if_fail (IMU_IS_PLOT (self), 0);
  g_return_val_if_fail (stream_name != NULL, 0);

  c = ensure_compare (self);
  o = g_new0 (Overlay, 1);
  o->session_id = session_id;
  o->stream_name = g_strdup (stream_name);
  o->offset_ns = offset_ns;
  g_ptr_array_add (c->overlays, o);
  imu_plot_compare_ensure_data (self);
  imu_plot_invalidate (self, FALSE);
  return c->overlays->len - 1;
}

void
imu_plot_set_overlay_offset (ImuPlot *self,
                             guint    index,
                             gint64   offset_ns)
{
  ImuPlotCompare *c;

  g_return_if_fail (IMU_IS_PLOT (self));
  c = self->scene.compare;
  g_return_if_fail (c != NULL && index < c->overlays->len);

  ((Overlay *) g_ptr_array_index (c->overlays, index))->offset_ns = offset_ns;
  /* Drawn shifted at once from what is at hand; the rest comes. */
  imu_plot_invalidate (self, FALSE);
  imu_plot_compare_ensure_data (self);
}

void
imu_plot_clear_overlays (ImuPlot *self)
{
  ImuPlotCompare *c;

  g_return_if_fail (IMU_IS_PLOT (self));
  if ((c = self->scene.compare) == NULL)
    return;
  g_cancellable_cancel (c->cancellable);
  g_object_unref (c->cancellable);
  c->cancellable = g_cancellable_new ();
  c->gen = ++next_gen;
  g_ptr_array_set_size (c->overlays, 0);
  imu_plot_invalidate (self, FALSE);
}

void
imu_plot_get_session_color (ImuPlot *self,
                            guint    index,
                            GdkRGBA *rgba)
{
  g_return_if_fail (IMU_IS_PLOT (self));
  imu_plot_palette_get (self->scene.dark, session_palette[index % G_N_ELEMENTS (session_palette)], rgba);
}
