/* imu-plot.c — the signal plot widget
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ImuPlot draws a session: a lane per stream (per unit within a stream),
 * an overview of the whole session, a time axis, markers and a selection
 * whose statistics show in a side panel. This file holds the widget: its
 * state, layout, children, public API and the glue to the worker. Drawing
 * is in imu-plot-render.c (and -overview, -axis), input in
 * imu-plot-input.c, data in imu-plot-data.c, the side panel in
 * imu-plot-panel.c.
 */

#define G_LOG_DOMAIN "imu-plot"

#include <math.h>
#include <glib/gi18n.h>

#include "imu-format.h"
#include "imu-plot-private.h"


enum {
  PROP_0,
  PROP_SESSION,
  PROP_TIME_AXIS,
  PROP_ACCEL_UNIT,
  PROP_GYRO_UNIT,
  PROP_LOADING,
  PROP_HAS_SELECTION,
  PROP_LIVE,
  N_PROPS
};

enum {
  MARKER_ADDED,
  MARKER_CHANGED,
  SELECTION_CHANGED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (ImuPlot, imu_plot, GTK_TYPE_WIDGET)
G_DEFINE_QUARK (imu-plot-error-quark, imu_plot_error)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void imu_plot_ensure_data (ImuPlot *self);
static void update_action_state (ImuPlot *self);

/* Units. */

/* The unit a channel is shown in, and the factor from its stored unit:
 * the profile's converter (imu-format.h), so that mg, 1/64 g device
 * counts or mdps show in the preferred unit here as there. */
static const char *
display_unit (ImuPlot *self, const ImuChannelInfo *ch, double *scale)
{
  return imu_format_display_unit (ch->unit, self->accel_unit, self->gyro_unit, scale);
}

/* Helpers. */

gint64
imu_plot_get_first_frame_us (ImuPlot *self)
{
  if (self->first_data_time == 0)
    return -1;
  return self->first_data_time - self->set_session_time;
}

int
imu_plot_drawing_width (ImuPlot *self)
{
  int w = gtk_widget_get_width (GTK_WIDGET (self));

  if (self->panel != NULL && gtk_widget_get_visible (self->panel)
      && gtk_widget_get_child_visible (self->panel))
    w -= gtk_widget_get_width (self->panel);
  return MAX (w, 1);
}

static gboolean
is_dark (void)
{
  return adw_style_manager_get_dark (adw_style_manager_get_default ());
}

static void
set_loading (ImuPlot *self, gboolean loading)
{
  if (self->loading == loading)
    return;
  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

void
imu_plot_invalidate (ImuPlot *self, gboolean overview)
{
  self->geom_dirty = TRUE;
  if (overview)
    self->overview_dirty = TRUE;
  self->readout_dirty = TRUE;
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
update_a11y (ImuPlot *self)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;
  g_autofree char *text = NULL;

  if (self->session == NULL)
    text = g_strdup (_("No session"));
  else
    {
      a = imu_plot_axis_format_time (&self->scene, self->scene.t0, G_USEC_PER_SEC * 1000);
      b = imu_plot_axis_format_time (&self->scene, self->scene.t1, G_USEC_PER_SEC * 1000);
      /* Translators: the accessible description of the plot */
      text = g_strdup_printf (_("Showing %s to %s, %u lanes"), a, b, self->scene.lanes->len);
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, text, -1);
}

static gboolean
update_a11y_cb (gpointer user_data)
{
  ImuPlot *self = user_data;

  self->a11y_timeout = 0;
  update_a11y (self);
  return G_SOURCE_REMOVE;
}

/**
 * imu_plot_view_changed:
 *
 * After the visible window moved: redraw from what is at hand, and ask
 * the worker for what is missing.
 */
void
imu_plot_view_changed (ImuPlot *self)
{
  imu_plot_invalidate (self, FALSE);
  imu_plot_ensure_data (self);
  /* Screen readers hear the range once the view settles. */
  if (self->a11y_timeout == 0 && self->worker != NULL)
    self->a11y_timeout = g_timeout_add (500, update_a11y_cb, self);
}

void
imu_plot_set_view_clamped (ImuPlot *self, gint64 t0, gint64 t1)
{
  gint64 s0 = self->scene.s0, s1 = self->scene.s1;
  gint64 full = MAX (s1 - s0, IMU_PLOT_MIN_SPAN_NS);
  gint64 span = t1 - t0;

  if (span < IMU_PLOT_MIN_SPAN_NS)
    {
      gint64 mid = t0 + span / 2;

      span = IMU_PLOT_MIN_SPAN_NS;
      t0 = mid - span / 2;
    }
  if (span > full)
    span = full;
  if (t0 + span > s0 + full)
    t0 = s0 + full - span;
  if (t0 < s0)
    t0 = s0;
  t1 = t0 + span;
  if (t0 == self->scene.t0 && t1 == self->scene.t1)
    return;
  self->scene.t0 = t0;
  self->scene.t1 = t1;
  /* A person who moves the view away from the newest sample reads back:
   * following would pull the view from under them. */
  if (self->live && !self->live_moving && t1 < s1)
    {
      self->live = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
    }
  imu_plot_view_changed (self);
}

ImuEvent *
imu_plot_find_event (ImuPlot *self, gint64 id)
{
  for (guint i = 0; i < self->scene.events->len; i++)
    {
      ImuEvent *ev = g_ptr_array_index (self->scene.events, i);

      if (ev->id == id)
        return ev;
    }
  return NULL;
}

static gint
event_cmp (gconstpointer a, gconstpointer b)
{
  const ImuEvent *ea = *(const ImuEvent * const *) a;
  const ImuEvent *eb = *(const ImuEvent * const *) b;

  return ea->t_ns < eb->t_ns ? -1 : ea->t_ns > eb->t_ns;
}

void
imu_plot_sort_events (ImuPlot *self)
{
  g_ptr_array_sort (self->scene.events, event_cmp);
}

void
imu_plot_show_toast (ImuPlot *self, const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
  else
    g_message ("%s", text);
}

/* Data arriving. */

static gboolean
data_fits (const ImuPlotData *d, gint64 v0, gint64 v1, gint64 span, int cols)
{
  if (d == NULL)
    return FALSE;
  if (d->r0 > v0 || d->r1 < v1)
    return FALSE;
  if (d->env != NULL)
    {
      /* Buckets about a pixel wide: a little stretch while zooming is fine. */
      double bucket = (double) (d->env->t1 - d->env->t0) / d->env->n_buckets;
      double px = (double) span / cols;

      return bucket / px > 0.75 && bucket / px < 1.34;
    }
  /* Raw samples stay right when zooming in; zoomed out too far, there are
   * more of them than the polyline should carry. */
  return d->n <= 1
         || (double) d->n * (double) span / (double) (d->r1 - d->r0) <= 1.5 * IMU_PLOT_RAW_PER_PX * cols;
}

static gboolean
view_data_ready (ImuPlot *self, gint64 *v0, gint64 *v1, int *cols)
{
  gint64 span = self->scene.t1 - self->scene.t0;
  int w = imu_plot_drawing_width (self);

  *cols = MAX (1, w - IMU_PLOT_MARGIN_LEFT - IMU_PLOT_MARGIN_RIGHT);
  *v0 = MAX (self->scene.t0, self->scene.s0);
  *v1 = MIN (self->scene.t1, self->scene.s1 + 1);
  if (*v1 <= *v0)
    return TRUE;
  for (guint i = 0; i < self->scene.streams->len; i++)
    {
      ImuPlotStream *st = g_ptr_array_index (self->scene.streams, i);

      if (st->info->n_samples == 0)
        continue;
      /* A short stream read whole: nothing more to fetch. */
      if (imu_plot_stream_is_whole (st, self->scene.t0, self->scene.t1, *cols))
        continue;
      if (!data_fits (st->view, *v0, *v1, span, *cols))
        return FALSE;
    }
  return TRUE;
}

gboolean
imu_plot_is_idle (ImuPlot *self)
{
  gint64 v0, v1;
  int cols;

  g_return_val_if_fail (IMU_IS_PLOT (self), FALSE);
  if (self->session == NULL)
    return TRUE;
  if (!self->streams_ready || self->fetching || self->loading)
    return FALSE;
  for (guint i = 0; i < self->scene.streams->len; i++)
    if (((ImuPlotStream *) g_ptr_array_index (self->scene.streams, i))->overview == NULL
        && !self->overview_failed)
      return FALSE;
  /* After a failed read nothing more is coming for this view. */
  return view_data_ready (self, &v0, &v1, &cols) || self->failed_n != 0;
}

typedef struct {
  ImuPlot *self;
  guint    session_gen;
  guint    fetch_gen;
  gint64   r0, r1;     /* fetch: the range asked for */
  guint    n;
  gint64   event_id;   /* save: the id on screen (negative while new) */
  gboolean grow;       /* open: a re-read of the grown session */
} CallbackData;

/* A read failed (a damaged or unreadable library): a toast once per
 * session, the details in the log. */
static void
data_error (ImuPlot *self, const GError *error)
{
  g_autofree char *text = NULL;

  if (self->data_error_shown)
    {
      g_debug ("Cannot read the plot's data: %s", error->message);
      return;
    }
  self->data_error_shown = TRUE;
  g_warning ("Cannot read the plot's data: %s", error->message);
  text = g_strdup_printf (_("Cannot show the session: %s"), error->message);
  imu_plot_show_toast (self, text);
}

static CallbackData *
callback_data_new (ImuPlot *self)
{
  CallbackData *cd = g_new0 (CallbackData, 1);

  cd->self = self;
  cd->session_gen = self->session_gen;
  return cd;
}

static void update_loading (ImuPlot *self);

static void
fetch_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree CallbackData *cd = user_data;
  ImuPlot *self = cd->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) data = imu_plot_worker_fetch_finish (result, &error);

  if (cd->session_gen != self->session_gen)
    return;
  if (cd->fetch_gen == self->fetch_gen)
    self->fetching = FALSE;
  if (data == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          /* Not asked again for the same range (that would spin on a
           * damaged library); the plot keeps what it has and says so once. */
          self->failed_r0 = cd->r0;
          self->failed_r1 = cd->r1;
          self->failed_n = cd->n;
          data_error (self, error);
          update_loading (self);
          return;
        }
    }
  /* An older answer is still better than a stretched one, but never
   * replaces a newer one. */
  else if (cd->fetch_gen > self->applied_gen && data->len == self->scene.streams->len)
    {
      self->applied_gen = cd->fetch_gen;
      for (guint i = 0; i < data->len; i++)
        {
          ImuPlotStream *st = g_ptr_array_index (self->scene.streams, i);

          g_clear_pointer (&st->view, imu_plot_data_unref);
          st->view = imu_plot_data_ref (g_ptr_array_index (data, i));
        }
      imu_plot_invalidate (self, FALSE);
    }
  imu_plot_ensure_data (self);
  update_loading (self);
}

/* Asks for the data of the view when what is at hand does not fit it:
 * half a window more on each side at the same density, so that short pans
 * draw exact data at once. */
static void
imu_plot_ensure_data (ImuPlot *self)
{
  gint64 v0, v1, span, r0, r1;
  int cols;
  guint n;
  CallbackData *cd;

  if (!self->streams_ready || self->worker == NULL || gtk_widget_get_width (GTK_WIDGET (self)) <= 0)
    return;
  imu_plot_compare_ensure_data (self);
  if (view_data_ready (self, &v0, &v1, &cols))
    return;
  span = self->scene.t1 - self->scene.t0;
  if (self->fetching && self->want_r0 <= v0 && self->want_r1 >= v1)
    {
      double bucket = (double) (self->want_r1 - self->want_r0) / self->want_n;
      double px = (double) span / cols;

      if (bucket / px > 0.75 && bucket / px < 1.34)
        return;
    }
  r0 = MAX (self->scene.t0 - span / 2, self->scene.s0);
  r1 = MIN (self->scene.t1 + span / 2, self->scene.s1 + 1);
  n = (guint) CLAMP (llround ((double) (r1 - r0) / (double) span * cols), 1, 65536);
  if (r0 == self->failed_r0 && r1 == self->failed_r1 && n == self->failed_n)
    return;

  self->want_r0 = r0;
  self->want_r1 = r1;
  self->want_n = n;
  self->fetching = TRUE;
  cd = callback_data_new (self);
  cd->fetch_gen = ++self->fetch_gen;
  cd->r0 = r0;
  cd->r1 = r1;
  cd->n = n;
  imu_plot_worker_fetch (self->worker, self, r0, r1, n, self->cancellable, fetch_cb, cd);
  update_loading (self);
}

static void
update_loading (ImuPlot *self)
{
  gboolean ready = TRUE;

  for (guint i = 0; i < self->scene.streams->len; i++)
    if (((ImuPlotStream *) g_ptr_array_index (self->scene.streams, i))->overview == NULL
        && !self->overview_failed)
      ready = FALSE;
  set_loading (self, self->session != NULL && (!self->streams_ready || self->fetching || !ready));
}

static void
overview_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree CallbackData *cd = user_data;
  ImuPlot *self = cd->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) data = imu_plot_worker_fetch_finish (result, &error);

  if (cd->session_gen != self->session_gen)
    return;
  if (data == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->overview_failed = TRUE;
          data_error (self, error);
          update_loading (self);
        }
      return;
    }
  for (guint i = 0; i < data->len && i < self->scene.streams->len; i++)
    {
      ImuPlotStream *st = g_ptr_array_index (self->scene.streams, i);

      g_clear_pointer (&st->overview, imu_plot_data_unref);
      st->overview = imu_plot_data_ref (g_ptr_array_index (data, i));
    }
  imu_plot_invalidate (self, TRUE);
  update_loading (self);
}

/* Lanes and legends. */

static void channel_toggled_cb (GtkToggleButton *button, ImuPlot *self);

static void
update_legend_colors (ImuPlot *self)
{
  for (guint i = 0; i < self->legends->len && i < self->scene.lanes->len; i++)
    {
      GtkWidget *box = g_ptr_array_index (self->legends, i);
      const ImuPlotLane *lane = g_ptr_array_index (self->scene.lanes, i);
      GtkWidget *child = gtk_widget_get_next_sibling (gtk_widget_get_first_child (box));

      for (guint c = 0; c < lane->n_channels && child != NULL; c++, child = gtk_widget_get_next_sibling (child))
        {
          GtkWidget *swatch = g_object_get_data (G_OBJECT (child), "swatch");
          g_autofree char *hex = NULL;
          g_autofree char *markup = NULL;
          GdkRGBA color;

          imu_plot_palette_get (self->scene.dark, lane->color[c], &color);
          hex = g_strdup_printf ("#%02x%02x%02x", (int) (color.red * 255 + 0.5),
                                 (int) (color.green * 255 + 0.5), (int) (color.blue * 255 + 0.5));
          markup = g_strdup_printf ("<span foreground=\"%s\">●</span>", hex);
          gtk_label_set_markup (GTK_LABEL (swatch), markup);
        }
    }
}

static void
clear_legends (ImuPlot *self)
{
  for (guint i = 0; i < self->legends->len; i++)
    gtk_widget_unparent (g_ptr_array_index (self->legends, i));
  g_ptr_array_set_size (self->legends, 0);
}

static void
build_legends (ImuPlot *self)
{
  clear_legends (self);
  for (guint i = 0; i < self->scene.lanes->len; i++)
    {
      const ImuPlotLane *lane = g_ptr_array_index (self->scene.lanes, i);
      GtkWidget *box = g_object_new (GTK_TYPE_BOX,
                                     "accessible-role", GTK_ACCESSIBLE_ROLE_GROUP,
                                     "orientation", GTK_ORIENTATION_HORIZONTAL,
                                     "spacing", 2,
                                     NULL);
      GtkWidget *title = gtk_label_new (lane->title);
      g_autofree char *lane_label = NULL;

      gtk_widget_add_css_class (box, "imu-plot-legend");
      gtk_widget_add_css_class (title, "imu-plot-lane-title");
      gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
      gtk_box_append (GTK_BOX (box), title);
      if (lane->unit != NULL && *lane->unit)
        /* Translators: accessible name of a lane: stream name, unit */
        lane_label = g_strdup_printf (_("Lane %s, in %s"), lane->title, lane->unit);
      else
        lane_label = g_strdup_printf (_("Lane %s"), lane->title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, lane_label, -1);

      for (guint c = 0; c < lane->n_channels; c++)
        {
          GtkWidget *button = gtk_toggle_button_new ();
          GtkWidget *inner = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
          GtkWidget *swatch = gtk_label_new (NULL);
          GtkWidget *name = gtk_label_new (lane->names[c]);
          g_autofree char *label = NULL;
          g_autofree char *tip = NULL;

          gtk_box_append (GTK_BOX (inner), swatch);
          gtk_box_append (GTK_BOX (inner), name);
          gtk_button_set_child (GTK_BUTTON (button), inner);
          gtk_widget_add_css_class (button, "flat");
          gtk_widget_add_css_class (button, "imu-plot-channel");
          gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (button), lane->visible[c]);
          gtk_widget_set_focus_on_click (button, FALSE);
          g_object_set_data (G_OBJECT (button), "swatch", swatch);
          g_object_set_data (G_OBJECT (button), "lane", GUINT_TO_POINTER (i));
          g_object_set_data (G_OBJECT (button), "channel", GUINT_TO_POINTER (c));
          /* Translators: accessible name of a channel's toggle: channel, lane */
          label = g_strdup_printf (_("Channel %s of %s"), lane->names[c], lane->title);
          gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                          GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                          GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("Shows or hides the channel"),
                                          -1);
          tip = g_strdup_printf (_("Show or hide %s"), lane->names[c]);
          gtk_widget_set_tooltip_text (button, tip);
          g_signal_connect (button, "toggled", G_CALLBACK (channel_toggled_cb), self);
          gtk_box_append (GTK_BOX (box), button);
        }
      gtk_widget_set_parent (box, GTK_WIDGET (self));
      if (self->panel != NULL)
        gtk_widget_insert_before (box, GTK_WIDGET (self), self->panel);
      g_ptr_array_add (self->legends, box);
    }
  update_legend_colors (self);
}

static void
channel_toggled_cb (GtkToggleButton *button, ImuPlot *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "lane"));
  guint c = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "channel"));
  ImuPlotLane *lane;

  if (i >= self->scene.lanes->len)
    return;
  lane = g_ptr_array_index (self->scene.lanes, i);
  if (c >= lane->n_channels)
    return;
  lane->visible[c] = gtk_toggle_button_get_active (button);
  imu_plot_invalidate (self, TRUE);
}

/* Splits each stream into lanes of channels that share a display unit. */
static void
build_lanes (ImuPlot *self)
{
  g_autoptr(GPtrArray) old = g_steal_pointer (&self->scene.lanes);

  self->scene.lanes = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_plot_lane_free);
  for (guint s = 0; s < self->scene.streams->len; s++)
    {
      const ImuStreamInfo *info = ((ImuPlotStream *) g_ptr_array_index (self->scene.streams, s))->info;
      g_autoptr(GPtrArray) units = g_ptr_array_new ();

      for (guint c = 0; c < info->n_channels; c++)
        {
          double scale;
          const char *u = display_unit (self, &info->channels[c], &scale);

          if (!g_ptr_array_find_with_equal_func (units, u, g_str_equal, NULL))
            g_ptr_array_add (units, (gpointer) u);
        }
      for (guint u = 0; u < units->len; u++)
        {
          const char *unit = g_ptr_array_index (units, u);
          ImuPlotLane *lane = g_new0 (ImuPlotLane, 1);
          guint n = 0;

          lane->stream = s;
          lane->unit = g_strdup (unit);
          lane->title = units->len > 1 && *unit ? g_strdup_printf ("%s (%s)", info->name, unit)
                                                 : g_strdup (info->name);
          lane->channels = g_new0 (guint, MAX (info->n_channels, 1));
          lane->names = g_new0 (char *, info->n_channels + 1);
          lane->scale = g_new0 (double, MAX (info->n_channels, 1));
          lane->visible = g_new0 (gboolean, MAX (info->n_channels, 1));
          lane->color = g_new0 (guint, MAX (info->n_channels, 1));
          for (guint c = 0; c < info->n_channels; c++)
            {
              double scale;

              if (!g_str_equal (display_unit (self, &info->channels[c], &scale), unit))
                continue;
              lane->channels[n] = c;
              lane->names[n] = g_strdup (info->channels[c].name);
              lane->scale[n] = scale;
              lane->visible[n] = TRUE;
              lane->color[n] = n;
              n++;
            }
          lane->n_channels = n;
          /* Keep what the person hid when only the units changed. */
          for (guint o = 0; old != NULL && o < old->len; o++)
            {
              const ImuPlotLane *prev = g_ptr_array_index (old, o);

              if (prev->stream != s)
                continue;
              for (guint c = 0; c < n; c++)
                for (guint pc = 0; pc < prev->n_channels; pc++)
                  if (prev->channels[pc] == lane->channels[c])
                    lane->visible[c] = prev->visible[pc];
            }
          g_ptr_array_add (self->scene.lanes, lane);
        }
    }
  imu_plot_compare_split_lanes (self);
  build_legends (self);
  imu_plot_invalidate (self, TRUE);
}

static void
live_follow (ImuPlot *self)
{
  gint64 span = self->scene.t1 - self->scene.t0;

  self->live_moving = TRUE;
  imu_plot_set_view_clamped (self, self->scene.s1 - span, self->scene.s1);
  self->live_moving = FALSE;
}

/* The answer to imu_plot_session_grew(): the same streams, longer. The
 * lanes, legends and events stay; what was fetched for the tail is asked
 * again. Returns FALSE when the streams changed (a sensor that began
 * mid-way): open_cb() then builds the lanes anew. */
static gboolean
grew (ImuPlot *self, ImuPlotOpenResult *res)
{
  gint64 s0 = G_MAXINT64, s1 = G_MININT64;
  /* A recording that just began is shorter than the live window: the view
   * shows all of it, and widens as it grows (up to IMU_PLOT_LIVE_SPAN_NS)
   * unless the person zoomed. */
  gboolean whole = self->scene.t0 <= self->scene.s0 && self->scene.t1 >= self->scene.s1;

  self->growing = FALSE;
  if (res->streams->len != self->scene.streams->len)
    return FALSE;
  for (guint i = 0; i < res->streams->len; i++)
    {
      ImuPlotStream *st = g_ptr_array_index (self->scene.streams, i);
      const ImuStreamInfo *info = g_ptr_array_index (res->streams, i);

      if (st->info->id != info->id)
        return FALSE;
    }
  for (guint i = 0; i < res->streams->len; i++)
    {
      ImuPlotStream *st = g_ptr_array_index (self->scene.streams, i);
      const ImuStreamInfo *info = g_ptr_array_index (res->streams, i);

      imu_stream_info_free (st->info);
      st->info = imu_stream_info_copy (info);
      if (info->n_samples > 0)
        {
          s0 = MIN (s0, info->t_first_ns);
          s1 = MAX (s1, info->t_last_ns);
        }
    }
  imu_plot_open_result_free (res);
  if (s0 <= s1)
    {
      self->scene.s0 = s0;
      self->scene.s1 = MAX (s1, s0 + 1);
    }
  /* What was fetched stays on screen until the new answers replace it: it
   * ends where the session ended, so view_data_ready() asks for the grown
   * tail by itself. A failed range is worth asking again now. */
  self->failed_r0 = self->failed_r1 = 0;
  self->failed_n = 0;
  if (self->live && whole)
    {
      gint64 span = MIN (self->scene.s1 - self->scene.s0, IMU_PLOT_LIVE_SPAN_NS);

      self->live_moving = TRUE;
      imu_plot_set_view_clamped (self, self->scene.s1 - span, self->scene.s1);
      self->live_moving = FALSE;
    }
  else if (self->live)
    live_follow (self);
  imu_plot_ensure_data (self);
  imu_plot_worker_overview (self->worker, self, self->scene.s0, self->scene.s1, self->cancellable,
                            overview_cb, callback_data_new (self));
  imu_plot_view_changed (self);
  update_loading (self);
  if (self->grow_again)
    {
      self->grow_again = FALSE;
      imu_plot_session_grew (self);
    }
  return TRUE;
}

static void
open_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree CallbackData *cd = user_data;
  ImuPlot *self = cd->self;
  g_autoptr(GError) error = NULL;
  ImuPlotOpenResult *res = imu_plot_worker_open_finish (result, &error);
  gint64 s0 = G_MAXINT64, s1 = G_MININT64;
  gboolean fitted;

  if (cd->session_gen != self->session_gen)
    {
      g_clear_pointer (&res, imu_plot_open_result_free);
      return;
    }
  if (res == NULL)
    {
      if (cd->grow)
        self->growing = FALSE;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Cannot show the session: %s"), error->message);

          imu_plot_show_toast (self, text);
        }
      set_loading (self, FALSE);
      return;
    }
  if (cd->grow && grew (self, res))
    return;

  fitted = self->scene.t0 == self->scene.s0 && self->scene.t1 == self->scene.s1;
  g_ptr_array_set_size (self->scene.streams, 0);
  for (guint i = 0; i < res->streams->len; i++)
    {
      ImuPlotStream *st = g_new0 (ImuPlotStream, 1);

      st->info = imu_stream_info_copy (g_ptr_array_index (res->streams, i));
      if (st->info->n_samples > 0)
        {
          s0 = MIN (s0, st->info->t_first_ns);
          s1 = MAX (s1, st->info->t_last_ns);
        }
      g_ptr_array_add (self->scene.streams, st);
    }
  g_ptr_array_set_size (self->scene.events, 0);
  for (guint i = 0; i < res->events->len; i++)
    g_ptr_array_add (self->scene.events, imu_event_copy (g_ptr_array_index (res->events, i)));
  imu_plot_open_result_free (res);

  /* The samples' own range is the truth; the session row may round. */
  if (s0 <= s1)
    {
      self->scene.s0 = s0;
      self->scene.s1 = MAX (s1, s0 + 1);
    }
  self->streams_ready = TRUE;
  build_lanes (self);
  if (fitted || self->scene.t1 <= self->scene.t0)
    {
      self->scene.t0 = self->scene.s0;
      self->scene.t1 = self->scene.s1;
    }
  imu_plot_set_view_clamped (self, self->scene.t0, self->scene.t1);
  if (self->live)
    live_follow (self);
  /* The view first: it is what the person waits for. */
  imu_plot_ensure_data (self);
  imu_plot_worker_overview (self->worker, self, self->scene.s0, self->scene.s1, self->cancellable,
                            overview_cb, callback_data_new (self));
  imu_plot_view_changed (self);
  update_loading (self);
}

/* Events. */

static void
events_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree CallbackData *cd = user_data;
  ImuPlot *self = cd->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = imu_plot_worker_events_finish (result, &error);

  if (cd->session_gen != self->session_gen)
    return;
  if (events == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot read the session's events: %s", error->message);
      return;
    }
  /* Keep the markers still being saved. */
  for (guint i = 0; i < self->scene.events->len; i++)
    {
      ImuEvent *ev = g_ptr_array_index (self->scene.events, i);

      if (ev->id < 0)
        g_ptr_array_add (events, imu_event_copy (ev));
    }
  g_ptr_array_set_size (self->scene.events, 0);
  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (self->scene.events, imu_event_copy (g_ptr_array_index (events, i)));
  g_ptr_array_sort (self->scene.events, event_cmp);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
save_event_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree CallbackData *cd = user_data;
  ImuPlot *self = cd->self;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuEvent) stored = imu_plot_worker_save_event_finish (result, &error);
  ImuEvent *shown;

  if (cd->session_gen != self->session_gen)
    return;
  shown = imu_plot_find_event (self, cd->event_id);
  if (stored == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_autofree char *text = g_strdup_printf (_("Cannot save the marker: %s"), error->message);

          imu_plot_show_toast (self, text);
        }
      if (shown != NULL && shown->id < 0)
        g_ptr_array_remove (self->scene.events, shown);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      return;
    }
  if (shown != NULL)
    {
      /* The screen may have moved on (a drag after the save): keep its time
       * and label, take the id. */
      gboolean added = cd->event_id < 0;
      gboolean moved = shown->t_ns != stored->t_ns || g_strcmp0 (shown->label, stored->label) != 0;

      shown->id = stored->id;
      shown->session_id = stored->session_id;
      if (self->drag_event_id == cd->event_id)
        self->drag_event_id = stored->id;
      if (self->rename_event_id == cd->event_id)
        self->rename_event_id = stored->id;
      if (self->scene.hover_event == cd->event_id)
        self->scene.hover_event = stored->id;
      g_signal_emit (self, signals[added ? MARKER_ADDED : MARKER_CHANGED], 0, stored);
      /* Moved or renamed while it was being added: store that too. */
      if (added && moved)
        imu_plot_save_event (self, shown, FALSE);
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/**
 * imu_plot_save_event:
 * @added: a new marker (its id on screen is negative until stored)
 *
 * Stores @event off the main thread; "marker-added" or "marker-changed"
 * follows once it is in the library.
 */
void
imu_plot_save_event (ImuPlot *self, ImuEvent *event, gboolean added)
{
  g_autoptr(ImuEvent) copy = imu_event_copy (event);
  CallbackData *cd;

  if (self->worker == NULL || !self->streams_ready)
    return;
  if (added)
    copy->id = 0;
  cd = callback_data_new (self);
  cd->event_id = event->id;
  imu_plot_worker_save_event (self->worker, self, copy, self->cancellable, save_event_cb, cd);
}

/* Selection statistics. */

static void
stats_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree CallbackData *cd = user_data;
  ImuPlot *self = cd->self;
  g_autoptr(GError) error = NULL;
  GPtrArray *stats = imu_plot_stats_finish (result, &error);

  if (stats == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Cannot compute the selection's statistics: %s", error->message);
      return;
    }
  if (cd->session_gen != self->session_gen)
    {
      g_ptr_array_unref (stats);
      return;
    }
  g_clear_pointer (&self->stats, g_ptr_array_unref);
  self->stats = stats;
  imu_plot_panel_update (self);
}

/* GtkWidget. */

static void
imu_plot_measure (GtkWidget      *widget,
                  GtkOrientation  orientation,
                  int             for_size,
                  int            *minimum,
                  int            *natural,
                  int            *minimum_baseline,
                  int            *natural_baseline)
{
  ImuPlot *self = IMU_PLOT (widget);
  int pmin = 0, pnat = 0;

  if (gtk_widget_get_visible (self->panel))
    gtk_widget_measure (self->panel, orientation, -1, &pmin, &pnat, NULL, NULL);

  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      int lmin = 0;

      for (guint i = 0; i < self->legends->len; i++)
        {
          int m;

          gtk_widget_measure (g_ptr_array_index (self->legends, i), orientation, -1, &m, NULL, NULL, NULL);
          lmin = MAX (lmin, m);
        }
      *minimum = IMU_PLOT_MARGIN_LEFT + IMU_PLOT_MARGIN_RIGHT + MAX (160, MIN (lmin, 400)) + pmin;
      *natural = MAX (*minimum, 800 + pnat);
    }
  else
    {
      int n = (int) MAX (self->scene.lanes->len, 1);

      *minimum = IMU_PLOT_LANES_TOP + IMU_PLOT_AXIS_HEIGHT
                 + n * (IMU_PLOT_LANE_HEADER + IMU_PLOT_MIN_LANE_DATA) + (n - 1) * IMU_PLOT_LANE_GAP;
      *minimum = MAX (*minimum, pmin);
      *natural = MAX (*minimum, IMU_PLOT_LANES_TOP + IMU_PLOT_AXIS_HEIGHT + n * 200);
    }
}

void
imu_plot_ensure_geometry (ImuPlot *self)
{
  int w = imu_plot_drawing_width (self);
  int h = gtk_widget_get_height (GTK_WIDGET (self));
  ImuPlotGeometry *old;

  if (!self->geom_dirty && self->geom != NULL && self->geom->width == w && self->geom->height == h)
    return;
  if (self->geom == NULL || self->geom->width != w || self->geom->height != h)
    self->overview_dirty = TRUE;
  self->scene.width = w;
  self->scene.height = h;
  old = g_steal_pointer (&self->geom);
  self->geom = imu_plot_geometry_new_reusing (&self->scene, self->overview_dirty ? NULL : old);
  imu_plot_geometry_free (old);
  self->geom_dirty = FALSE;
  if (self->readout_dirty)
    imu_plot_update_readout (self);
}

static void
imu_plot_size_allocate (GtkWidget *widget,
                        int        width,
                        int        height,
                        int        baseline)
{
  ImuPlot *self = IMU_PLOT (widget);
  int panel_w = 0;

  if (gtk_widget_get_visible (self->panel))
    {
      int pmin, pnat;

      gtk_widget_measure (self->panel, GTK_ORIENTATION_HORIZONTAL, height, &pmin, &pnat, NULL, NULL);
      panel_w = MIN (pnat, MAX (width - 200, pmin));
      gtk_widget_size_allocate (self->panel, &(GtkAllocation) { width - panel_w, 0, panel_w, height }, -1);
    }

  for (guint i = 0; i < self->legends->len; i++)
    {
      GtkWidget *legend = g_ptr_array_index (self->legends, i);
      graphene_rect_t header;
      int lmin, lnat, hmin;

      imu_plot_layout_lanes (width - panel_w, height, self->legends->len, i, &header, NULL);
      gtk_widget_measure (legend, GTK_ORIENTATION_HORIZONTAL, -1, &lmin, &lnat, NULL, NULL);
      gtk_widget_measure (legend, GTK_ORIENTATION_VERTICAL, -1, &hmin, NULL, NULL, NULL);
      gtk_widget_size_allocate (legend,
                                &(GtkAllocation) { (int) header.origin.x, (int) header.origin.y,
                                                   MAX (lmin, MIN (lnat, (int) header.size.width)),
                                                   MAX (hmin, (int) header.size.height) }, -1);
    }

  if (self->rename_popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->rename_popover));
  if (self->yaxis_popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->yaxis_popover));

  /* The geometry is made here, before snapshot(), so that drawing only
   * emits shapes. */
  imu_plot_ensure_geometry (self);
  imu_plot_ensure_data (self);
}

/* The overview's bands as a texture, remade only when they change. */
static void
snapshot_overview (ImuPlot *self, GtkSnapshot *snapshot)
{
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  GskRenderer *renderer = native != NULL ? gtk_native_get_renderer (native) : NULL;
  graphene_rect_t bounds;
  ImuPlotPainter painter = { 0 };

  graphene_rect_inset_r (&self->geom->overview, -1, -1, &bounds);
  if (renderer == NULL)
    {
      painter.snapshot = snapshot;
      imu_plot_overview_draw (&self->scene, self->geom, &painter);
      return;
    }
  if (self->overview_dirty || self->overview_texture == NULL)
    {
      g_autoptr(GtkSnapshot) sub = gtk_snapshot_new ();
      g_autoptr(GskRenderNode) node = NULL;
      int scale = gtk_widget_get_scale_factor (GTK_WIDGET (self));

      g_clear_object (&self->overview_texture);
      gtk_snapshot_scale (sub, scale, scale);
      gtk_snapshot_translate (sub, &GRAPHENE_POINT_INIT (-bounds.origin.x, -bounds.origin.y));
      painter.snapshot = sub;
      imu_plot_overview_draw (&self->scene, self->geom, &painter);
      node = gtk_snapshot_free_to_node (g_steal_pointer (&sub));
      if (node != NULL)
        self->overview_texture = gsk_renderer_render_texture (renderer, node,
                                                              &GRAPHENE_RECT_INIT (0, 0,
                                                                                   bounds.size.width * scale,
                                                                                   bounds.size.height * scale));
      self->overview_dirty = FALSE;
    }
  if (self->overview_texture != NULL)
    gtk_snapshot_append_texture (snapshot, self->overview_texture, &bounds);
}

static void
snapshot_readout (ImuPlot *self, GtkSnapshot *snapshot)
{
  ImuPlotPainter painter = { .snapshot = snapshot };
  const ImuPlotGeometry *geom = self->geom;
  ImuPlotColors colors;
  double x = self->pointer_x;
  int w, h;
  double bx, by;

  if (self->readout == NULL || !self->pointer_inside || self->drag_mode != 0)
    return;
  imu_plot_colors_get (self->scene.dark, &colors);
  imu_plot_painter_rect (&painter, &GRAPHENE_RECT_INIT (floor (x), geom->lanes.origin.y, 1, geom->lanes.size.height),
                         &colors.dim);
  pango_layout_get_pixel_size (self->readout, &w, &h);
  bx = x + 14;
  if (bx + w + 12 > geom->x0 + geom->dw)
    bx = x - 14 - w - 12;
  by = CLAMP (self->pointer_y + 14, geom->lanes.origin.y,
              MAX (geom->lanes.origin.y, geom->lanes.origin.y + geom->lanes.size.height - h - 10));
  imu_plot_painter_round (&painter, &GRAPHENE_RECT_INIT (bx, by, w + 12, h + 10), 6, &colors.popup, &colors.frame);
  imu_plot_painter_text (&painter, self->readout, bx + 6, by + 5, &colors.foreground);
}

static void
imu_plot_snapshot (GtkWidget   *widget,
                   GtkSnapshot *snapshot)
{
  ImuPlot *self = IMU_PLOT (widget);
  ImuPlotPainter painter = { .snapshot = snapshot };

  ImuPlotColors colors;
  GtkNative *native = gtk_widget_get_native (widget);
  graphene_point_t origin;
  double dx = 0, dy = 0;

  imu_plot_ensure_geometry (self);

  /* Bars are one device pixel wide: when a parent puts the plot at a
   * fractional position (a leaflet or a scrolled window mid-animation),
   * shift the drawing onto the pixel grid, or every bar bleeds into its
   * neighbours and the traces turn pale. */
  if (native != NULL
      && gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (0, 0), &origin))
    {
      int scale = gtk_widget_get_scale_factor (widget);
      double sx, sy;

      gtk_native_get_surface_transform (native, &sx, &sy);
      dx = (round ((origin.x + sx) * scale) - (origin.x + sx) * scale) / scale;
      dy = (round ((origin.y + sy) * scale) - (origin.y + sy) * scale) / scale;
      if (fabs (dx) > 0.01 || fabs (dy) > 0.01)
        g_debug ("snapping the plot by %.3f, %.3f px", dx, dy);
      else
        dx = dy = 0;
    }
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (dx, dy));

  imu_plot_colors_get (self->scene.dark, &colors);
  imu_plot_painter_push_clip (&painter, &GRAPHENE_RECT_INIT (0, 0, self->geom->width, self->geom->height));
  imu_plot_painter_rect (&painter, &GRAPHENE_RECT_INIT (0, 0, self->geom->width, self->geom->height),
                         &colors.background);
  if (self->scene.lanes->len > 0)
    snapshot_overview (self, snapshot);
  imu_plot_render (&self->scene, self->geom, &painter, 0);
  imu_plot_painter_pop_clip (&painter);

  snapshot_readout (self, snapshot);

  /* A rubber-band zoom being dragged: the range it will show. */
  if (self->band_t1 > self->band_t0)
    {
      double xa = floor (imu_plot_geometry_x_of (self->geom, self->band_t0));
      double xb = floor (imu_plot_geometry_x_of (self->geom, self->band_t1));
      const graphene_rect_t *l = &self->geom->lanes;
      GdkRGBA fill = colors.accent;

      fill.alpha = 0.10;
      imu_plot_painter_round (&painter, &GRAPHENE_RECT_INIT (xa, l->origin.y, MAX (xb - xa, 1), l->size.height),
                              0, &fill, &colors.accent);
    }

  if (self->session != NULL && !self->scene.lanes->len && self->loading)
    {
      PangoLayout *l = imu_plot_scene_label (&self->scene, _("Loading…"));
      int w, h;

      pango_layout_get_pixel_size (l, &w, &h);
      imu_plot_painter_text (&painter, l, (self->geom->width - w) / 2.0, (self->geom->height - h) / 2.0, &colors.dim);
    }

  gtk_snapshot_restore (snapshot);

  for (guint i = 0; i < self->legends->len; i++)
    gtk_widget_snapshot_child (widget, g_ptr_array_index (self->legends, i), snapshot);
  if (gtk_widget_get_visible (self->panel))
    gtk_widget_snapshot_child (widget, self->panel, snapshot);

  if (self->first_data_time == 0)
    for (guint i = 0; i < self->scene.streams->len; i++)
      if (((ImuPlotStream *) g_ptr_array_index (self->scene.streams, i))->view != NULL)
        {
          self->first_data_time = g_get_monotonic_time ();
          break;
        }
}

static void
dark_changed_cb (AdwStyleManager *manager, GParamSpec *pspec, ImuPlot *self)
{
  self->scene.dark = adw_style_manager_get_dark (manager);
  update_legend_colors (self);
  imu_plot_invalidate (self, TRUE);
}

static void
imu_plot_root (GtkWidget *widget)
{
  ImuPlot *self = IMU_PLOT (widget);

  GTK_WIDGET_CLASS (imu_plot_parent_class)->root (widget);
  g_clear_object (&self->scene.pango);
  self->scene.pango = g_object_ref (gtk_widget_get_pango_context (widget));
  g_clear_pointer (&self->scene.label_font, pango_font_description_free);
  g_hash_table_remove_all (self->scene.labels);
  imu_plot_invalidate (self, TRUE);
}

static void
imu_plot_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  ImuPlot *self = IMU_PLOT (widget);

  GTK_WIDGET_CLASS (imu_plot_parent_class)->css_changed (widget, change);
  /* The font may have changed: labels are shaped anew. */
  g_clear_object (&self->scene.pango);
  self->scene.pango = g_object_ref (gtk_widget_get_pango_context (widget));
  g_clear_pointer (&self->scene.label_font, pango_font_description_free);
  g_hash_table_remove_all (self->scene.labels);
  g_clear_object (&self->readout);
  imu_plot_invalidate (self, TRUE);
}

/* Actions. */

static void
action_zoom (GtkWidget *widget, const char *name, GVariant *param)
{
  ImuPlot *self = IMU_PLOT (widget);
  double factor = g_str_equal (name, "plot.zoom-in") ? IMU_PLOT_ZOOM_STEP : 1 / IMU_PLOT_ZOOM_STEP;

  imu_plot_zoom (self, factor, self->scene.t0 + (self->scene.t1 - self->scene.t0) / 2);
}

static void
action_pan (GtkWidget *widget, const char *name, GVariant *param)
{
  imu_plot_pan (IMU_PLOT (widget), g_str_equal (name, "plot.pan-left") ? -IMU_PLOT_PAN_STEP : IMU_PLOT_PAN_STEP);
}

static void
action_fit (GtkWidget *widget, const char *name, GVariant *param)
{
  imu_plot_fit (IMU_PLOT (widget));
}

static void
action_add_marker (GtkWidget *widget, const char *name, GVariant *param)
{
  imu_plot_add_marker_at_pointer (IMU_PLOT (widget));
}

static void
action_clear_selection (GtkWidget *widget, const char *name, GVariant *param)
{
  ImuPlot *self = IMU_PLOT (widget);

  if (self->scene.mark_on)
    {
      self->scene.mark_on = FALSE;
      update_action_state (self);
      gtk_widget_queue_draw (widget);
    }
  imu_plot_set_selection (self, 0, 0);
}

static void
action_zoom_selection (GtkWidget *widget, const char *name, GVariant *param)
{
  imu_plot_zoom_to_selection (IMU_PLOT (widget));
}

static void
action_next_event (GtkWidget *widget, const char *name, GVariant *param)
{
  if (!imu_plot_show_next_event (IMU_PLOT (widget), g_str_equal (name, "plot.next-event")))
    gtk_widget_error_bell (widget);
}

static void
action_undo_move (GtkWidget *widget, const char *name, GVariant *param)
{
  ImuPlot *self = IMU_PLOT (widget);
  ImuEvent *ev = imu_plot_find_event (self, self->undo_event_id);

  self->undo_event_id = 0;
  update_action_state (self);
  if (ev == NULL || ev->id <= 0 || ev->t_ns == self->undo_event_t)
    return;
  ev->t_ns = self->undo_event_t;
  imu_plot_save_event (self, ev, FALSE);
  imu_plot_sort_events (self);
  gtk_widget_queue_draw (widget);
}

/* Plot keys wherever the focus is in the window: a shortcut controller
 * of managed scope hands them to the window, which tries them after the
 * focused widget had its say (a list keeps its arrows, an entry its
 * letters). A plot that is not shown lets them pass. */
static gboolean
global_shortcut_cb (GtkWidget *widget, GVariant *args, gpointer user_data)
{
  const char *action = user_data;

  if (!gtk_widget_get_mapped (widget) || IMU_PLOT (widget)->session == NULL)
    return FALSE;
  return gtk_widget_activate_action (widget, action, NULL);
}

static void
add_global_shortcuts (ImuPlot *self)
{
  static const struct {
    guint           key;
    GdkModifierType mods;
    const char     *action;
  } keys[] = {
    { GDK_KEY_plus, 0, "plot.zoom-in" },
    { GDK_KEY_equal, 0, "plot.zoom-in" },
    { GDK_KEY_KP_Add, 0, "plot.zoom-in" },
    { GDK_KEY_minus, 0, "plot.zoom-out" },
    { GDK_KEY_KP_Subtract, 0, "plot.zoom-out" },
    { GDK_KEY_Left, 0, "plot.pan-left" },
    { GDK_KEY_Right, 0, "plot.pan-right" },
    { GDK_KEY_Home, 0, "plot.fit" },
    { GDK_KEY_0, GDK_CONTROL_MASK, "plot.fit" },
    { GDK_KEY_m, 0, "plot.add-marker" },
    { GDK_KEY_z, 0, "plot.zoom-selection" },
    { GDK_KEY_bracketright, 0, "plot.next-event" },
    { GDK_KEY_bracketleft, 0, "plot.previous-event" },
    { GDK_KEY_Escape, 0, "plot.clear-selection" },
  };
  GtkEventController *controller = gtk_shortcut_controller_new ();

  gtk_shortcut_controller_set_scope (GTK_SHORTCUT_CONTROLLER (controller), GTK_SHORTCUT_SCOPE_MANAGED);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    gtk_shortcut_controller_add_shortcut (GTK_SHORTCUT_CONTROLLER (controller),
                                          gtk_shortcut_new (gtk_keyval_trigger_new (keys[i].key, keys[i].mods),
                                                            gtk_callback_action_new (global_shortcut_cb,
                                                                                     (gpointer) keys[i].action,
                                                                                     NULL)));
  gtk_widget_add_controller (GTK_WIDGET (self), controller);
}

/* GObject. */

static void
imu_plot_dispose (GObject *object)
{
  ImuPlot *self = IMU_PLOT (object);

  /* Jobs still in flight hold a reference; their callbacks come after
   * this and must find nothing to do. */
  self->session_gen++;
  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->stats_cancellable);
  g_clear_handle_id (&self->a11y_timeout, g_source_remove);
  g_signal_handlers_disconnect_by_func (adw_style_manager_get_default (), dark_changed_cb, self);
  g_clear_pointer (&self->worker, imu_plot_worker_free);
  if (self->legends != NULL)
    clear_legends (self);
  g_clear_pointer (&self->rename_popover, gtk_widget_unparent);
  g_clear_pointer (&self->yaxis_popover, gtk_widget_unparent);
  g_clear_pointer (&self->panel, gtk_widget_unparent);
  g_clear_object (&self->session);
  g_clear_object (&self->overview_texture);
  g_clear_object (&self->readout);
  g_clear_pointer (&self->geom, imu_plot_geometry_free);
  g_clear_pointer (&self->stats, g_ptr_array_unref);
  imu_plot_compare_free (self);

  G_OBJECT_CLASS (imu_plot_parent_class)->dispose (object);
}

static void
imu_plot_finalize (GObject *object)
{
  ImuPlot *self = IMU_PLOT (object);

  g_clear_handle_id (&self->a11y_timeout, g_source_remove);
  imu_plot_scene_clear (&self->scene);
  g_clear_pointer (&self->legends, g_ptr_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->stats_cancellable);
  g_free (self->library_path);
  g_free (self->accel_unit);
  g_free (self->gyro_unit);

  G_OBJECT_CLASS (imu_plot_parent_class)->finalize (object);
}

static void
set_unit (ImuPlot *self, char **field, const char *value, guint prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  if (self->streams_ready)
    {
      build_lanes (self);
      imu_plot_panel_update (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
imu_plot_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  ImuPlot *self = IMU_PLOT (object);

  switch (prop_id)
    {
    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_TIME_AXIS:
      g_value_set_string (value, self->scene.time_axis == IMU_PLOT_TIME_ELAPSED ? "elapsed" : "clock");
      break;
    case PROP_ACCEL_UNIT:
      g_value_set_string (value, self->accel_unit);
      break;
    case PROP_GYRO_UNIT:
      g_value_set_string (value, self->gyro_unit);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_HAS_SELECTION:
      g_value_set_boolean (value, self->scene.sel1 > self->scene.sel0);
      break;
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_plot_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  ImuPlot *self = IMU_PLOT (object);

  switch (prop_id)
    {
    case PROP_TIME_AXIS:
      imu_plot_set_time_axis (self, g_strcmp0 (g_value_get_string (value), "elapsed") == 0
                                    ? IMU_PLOT_TIME_ELAPSED : IMU_PLOT_TIME_CLOCK);
      break;
    case PROP_ACCEL_UNIT:
      set_unit (self, &self->accel_unit, g_value_get_string (value), PROP_ACCEL_UNIT);
      break;
    case PROP_GYRO_UNIT:
      set_unit (self, &self->gyro_unit, g_value_get_string (value), PROP_GYRO_UNIT);
      break;
    case PROP_LIVE:
      imu_plot_set_live (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_plot_class_init (ImuPlotClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_plot_dispose;
  object_class->finalize = imu_plot_finalize;
  object_class->get_property = imu_plot_get_property;
  object_class->set_property = imu_plot_set_property;

  widget_class->measure = imu_plot_measure;
  widget_class->size_allocate = imu_plot_size_allocate;
  widget_class->snapshot = imu_plot_snapshot;
  widget_class->root = imu_plot_root;
  widget_class->css_changed = imu_plot_css_changed;

  properties[PROP_SESSION] =
    g_param_spec_object ("session", NULL, NULL, IMU_TYPE_SESSION,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_TIME_AXIS] =
    g_param_spec_string ("time-axis", NULL, NULL, "clock",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCEL_UNIT] =
    g_param_spec_string ("accel-unit", NULL, NULL, "g",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_GYRO_UNIT] =
    g_param_spec_string ("gyro-unit", NULL, NULL, "deg/s",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LIVE] =
    g_param_spec_boolean ("live", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HAS_SELECTION] =
    g_param_spec_boolean ("has-selection", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[MARKER_ADDED] =
    g_signal_new ("marker-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, IMU_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[MARKER_CHANGED] =
    g_signal_new ("marker-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, IMU_TYPE_EVENT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "plot.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "plot.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "plot.fit", NULL, action_fit);
  gtk_widget_class_install_action (widget_class, "plot.pan-left", NULL, action_pan);
  gtk_widget_class_install_action (widget_class, "plot.pan-right", NULL, action_pan);
  gtk_widget_class_install_action (widget_class, "plot.add-marker", NULL, action_add_marker);
  gtk_widget_class_install_action (widget_class, "plot.clear-selection", NULL, action_clear_selection);
  gtk_widget_class_install_action (widget_class, "plot.export", NULL, imu_plot_export_action);
  gtk_widget_class_install_action (widget_class, "plot.zoom-selection", NULL, action_zoom_selection);
  gtk_widget_class_install_action (widget_class, "plot.next-event", NULL, action_next_event);
  gtk_widget_class_install_action (widget_class, "plot.previous-event", NULL, action_next_event);
  gtk_widget_class_install_action (widget_class, "plot.undo-move", NULL, action_undo_move);

  imu_plot_input_class_init (widget_class);

  gtk_widget_class_set_css_name (widget_class, "imu-plot");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ensure_css (void)
{
  static gboolean done;
  GtkCssProvider *provider;
  GdkDisplay *display = gdk_display_get_default ();

  if (done || display == NULL)
    return;
  done = TRUE;
  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider,
    "imu-plot .imu-plot-legend button.imu-plot-channel {"
    "  min-height: 18px; padding: 1px 6px; margin: 0; font-size: 0.9em; }"
    "imu-plot .imu-plot-legend button.imu-plot-channel:checked { background: none; }"
    "imu-plot .imu-plot-legend button.imu-plot-channel:not(:checked) { opacity: 0.45; }"
    "imu-plot .imu-plot-lane-title { font-weight: bold; font-size: 0.9em; margin-right: 8px; }"
    "imu-plot .imu-plot-panel { background-color: @view_bg_color;"
    "  border-left: 1px solid alpha(currentColor, 0.15); }"
    "imu-plot .imu-plot-panel .numeric { font-feature-settings: \"tnum\"; }"
    "imu-plot:focus-visible { outline: 2px solid alpha(@accent_color, 0.5); outline-offset: -2px; }",
    -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  g_object_unref (provider);
}

static void
imu_plot_init (ImuPlot *self)
{
  ensure_css ();
  imu_plot_scene_init (&self->scene);
  self->scene.dark = is_dark ();
  self->scene.pango = g_object_ref (gtk_widget_get_pango_context (GTK_WIDGET (self)));
  self->legends = g_ptr_array_new ();
  self->export_light = TRUE;
  self->accel_unit = g_strdup ("g");
  self->gyro_unit = g_strdup ("deg/s");
  self->geom_dirty = TRUE;
  self->overview_dirty = TRUE;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_hexpand (GTK_WIDGET (self), TRUE);
  gtk_widget_set_vexpand (GTK_WIDGET (self), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Signal plot"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, _("No session"),
                                  -1);

  self->panel = imu_plot_panel_new (self);
  gtk_widget_set_parent (self->panel, GTK_WIDGET (self));

  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (dark_changed_cb), self, 0);
  imu_plot_input_init (self);
  add_global_shortcuts (self);
  update_action_state (self);
}

/* Public API. */

GtkWidget *
imu_plot_new (void)
{
  return g_object_new (IMU_TYPE_PLOT, NULL);
}

static void
update_action_state (ImuPlot *self)
{
  gboolean have = self->session != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.zoom-in", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.zoom-out", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.fit", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.pan-left", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.pan-right", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.add-marker", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.export", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.clear-selection",
                                 self->scene.sel1 > self->scene.sel0 || self->scene.mark_on);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.zoom-selection",
                                 self->scene.sel1 > self->scene.sel0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.next-event", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.previous-event", have);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.undo-move", have && self->undo_event_id != 0);
}

void
imu_plot_set_session (ImuPlot     *self,
                      const char  *library_path,
                      ImuSession  *session)
{
  g_return_if_fail (IMU_IS_PLOT (self));
  g_return_if_fail (session == NULL || IMU_IS_SESSION (session));
  g_return_if_fail (session == NULL || library_path != NULL);

  /* Everything in flight belongs to the previous session. */
  self->session_gen++;
  self->scene.mark_on = FALSE;
  self->undo_event_id = 0;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);
  g_clear_pointer (&self->stats, g_ptr_array_unref);
  self->cancellable = g_cancellable_new ();
  self->streams_ready = FALSE;
  self->fetching = FALSE;
  self->failed_r0 = self->failed_r1 = 0;
  self->failed_n = 0;
  self->overview_failed = FALSE;
  self->data_error_shown = FALSE;
  self->applied_gen = self->fetch_gen;
  self->first_data_time = 0;
  self->growing = self->grow_again = FALSE;
  if (self->live)
    {
      self->live = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
    }
  self->set_session_time = g_get_monotonic_time ();
  self->drag_mode = 0;
  self->scene.sel0 = self->scene.sel1 = 0;
  self->scene.hover_event = 0;
  /* The readout named the previous session's values. */
  g_clear_object (&self->readout);
  self->readout_dirty = FALSE;
  g_ptr_array_set_size (self->scene.streams, 0);
  g_ptr_array_set_size (self->scene.lanes, 0);
  g_ptr_array_set_size (self->scene.events, 0);
  clear_legends (self);
  if (self->rename_popover != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->rename_popover));

  g_set_object (&self->session, session);
  if (library_path != self->library_path)
    {
      g_free (self->library_path);
      self->library_path = g_strdup (library_path);
    }

  if (session != NULL)
    {
      self->scene.s0 = imu_session_get_start_ns (session);
      self->scene.s1 = MAX (imu_session_get_end_ns (session), self->scene.s0 + IMU_PLOT_MIN_SPAN_NS);
      self->scene.tz_offset_s = imu_session_get_tz_offset (session);
      self->scene.t0 = self->scene.s0;
      self->scene.t1 = self->scene.s1;
      if (self->worker == NULL)
        self->worker = imu_plot_worker_new ();
      imu_plot_worker_open (self->worker, self, library_path, imu_session_get_id (session),
                            self->cancellable, open_cb, callback_data_new (self));
    }
  else
    {
      self->scene.s0 = self->scene.s1 = self->scene.t0 = self->scene.t1 = 0;
    }
  update_loading (self);
  update_action_state (self);
  imu_plot_panel_update (self);
  imu_plot_invalidate (self, TRUE);
  update_a11y (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_SELECTION]);
}

ImuSession *
imu_plot_get_session (ImuPlot *self)
{
  g_return_val_if_fail (IMU_IS_PLOT (self), NULL);
  return self->session;
}

void
imu_plot_bind_settings (ImuPlot *self, GSettings *settings)
{
  g_return_if_fail (IMU_IS_PLOT (self));
  g_return_if_fail (G_IS_SETTINGS (settings));

  g_settings_bind (settings, "time-axis", self, "time-axis", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "accel-unit", self, "accel-unit", G_SETTINGS_BIND_GET);
  g_settings_bind (settings, "gyro-unit", self, "gyro-unit", G_SETTINGS_BIND_GET);
}

void
imu_plot_set_time_axis (ImuPlot *self, ImuPlotTimeAxis axis)
{
  g_return_if_fail (IMU_IS_PLOT (self));

  if (self->scene.time_axis == axis)
    return;
  self->scene.time_axis = axis;
  imu_plot_invalidate (self, FALSE);
  imu_plot_panel_update (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIME_AXIS]);
}

ImuPlotTimeAxis
imu_plot_get_time_axis (ImuPlot *self)
{
  g_return_val_if_fail (IMU_IS_PLOT (self), IMU_PLOT_TIME_CLOCK);
  return self->scene.time_axis;
}

void
imu_plot_get_visible_range (ImuPlot *self, gint64 *t0_ns, gint64 *t1_ns)
{
  g_return_if_fail (IMU_IS_PLOT (self));

  if (t0_ns != NULL)
    *t0_ns = self->scene.t0;
  if (t1_ns != NULL)
    *t1_ns = self->scene.t1;
}

void
imu_plot_set_visible_range (ImuPlot *self, gint64 t0_ns, gint64 t1_ns)
{
  g_return_if_fail (IMU_IS_PLOT (self));
  g_return_if_fail (t1_ns > t0_ns);

  imu_plot_set_view_clamped (self, t0_ns, t1_ns);
}

void
imu_plot_zoom (ImuPlot *self, double factor, gint64 anchor_ns)
{
  gint64 t0 = self->scene.t0, t1 = self->scene.t1;
  gint64 span, left;

  g_return_if_fail (IMU_IS_PLOT (self));
  g_return_if_fail (factor > 0);

  if (self->session == NULL)
    return;
  /* Following, the newest sample stays at the right edge. */
  if (self->live)
    anchor_ns = t1;
  span = llround ((double) (t1 - t0) / factor);
  /* The anchor keeps its place: its distance to the left edge scales too. */
  left = llround ((double) (anchor_ns - t0) / factor);
  imu_plot_set_view_clamped (self, anchor_ns - left, anchor_ns - left + span);
}

void
imu_plot_pan (ImuPlot *self, double fraction)
{
  gint64 delta;

  g_return_if_fail (IMU_IS_PLOT (self));

  if (self->session == NULL)
    return;
  delta = llround ((double) (self->scene.t1 - self->scene.t0) * fraction);
  imu_plot_set_view_clamped (self, self->scene.t0 + delta, self->scene.t1 + delta);
}

void
imu_plot_fit (ImuPlot *self)
{
  g_return_if_fail (IMU_IS_PLOT (self));

  if (self->session == NULL)
    return;
  imu_plot_set_view_clamped (self, self->scene.s0, self->scene.s1);
}

void
imu_plot_jump_to (ImuPlot *self, gint64 t_ns)
{
  gint64 span;

  g_return_if_fail (IMU_IS_PLOT (self));

  span = self->scene.t1 - self->scene.t0;
  imu_plot_set_view_clamped (self, t_ns - span / 2, t_ns - span / 2 + span);
}

void
imu_plot_show_range (ImuPlot *self, gint64 t_ns, gint64 duration_ns)
{
  gint64 margin;

  g_return_if_fail (IMU_IS_PLOT (self));

  if (self->session == NULL)
    return;
  duration_ns = MAX (duration_ns, 0);
  margin = duration_ns > 0 ? MAX (duration_ns / 4, G_GINT64_CONSTANT (1000000000)) : IMU_PLOT_GOTO_POINT_NS;
  self->scene.mark_on = TRUE;
  self->scene.mark0 = t_ns;
  self->scene.mark1 = t_ns + duration_ns;
  imu_plot_set_view_clamped (self, t_ns - margin, t_ns + duration_ns + margin);
  update_action_state (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
imu_plot_show_event (ImuPlot *self, gint64 t_ns)
{
  gint64 duration = 0;

  g_return_if_fail (IMU_IS_PLOT (self));

  for (guint i = 0; i < self->scene.events->len; i++)
    {
      const ImuEvent *ev = g_ptr_array_index (self->scene.events, i);

      if (ev->t_ns == t_ns)
        {
          duration = MAX (duration, ev->duration_ns);
          break;
        }
    }
  imu_plot_show_range (self, t_ns, duration);
}

gboolean
imu_plot_show_next_event (ImuPlot *self, gboolean forward)
{
  gint64 ref;
  const ImuEvent *found = NULL;

  g_return_val_if_fail (IMU_IS_PLOT (self), FALSE);

  if (self->session == NULL)
    return FALSE;
  ref = self->scene.mark_on ? self->scene.mark0 : self->scene.t0 + (self->scene.t1 - self->scene.t0) / 2;
  for (guint i = 0; i < self->scene.events->len; i++)
    {
      const ImuEvent *ev = g_ptr_array_index (self->scene.events, forward ? i : self->scene.events->len - 1 - i);

      if (forward ? ev->t_ns > ref : ev->t_ns < ref)
        {
          found = ev;
          break;
        }
    }
  if (found == NULL)
    return FALSE;
  imu_plot_show_range (self, found->t_ns, found->duration_ns);
  return TRUE;
}

void
imu_plot_zoom_to_selection (ImuPlot *self)
{
  g_return_if_fail (IMU_IS_PLOT (self));

  if (self->session == NULL || self->scene.sel1 <= self->scene.sel0)
    return;
  imu_plot_set_view_clamped (self, self->scene.sel0, self->scene.sel1);
}

/* The y axes. */

static ImuPlotLane *
lane_get (ImuPlot *self, guint lane)
{
  return lane < self->scene.lanes->len ? g_ptr_array_index (self->scene.lanes, lane) : NULL;
}

void
imu_plot_set_lane_y_range (ImuPlot *self, guint lane, double lo, double hi)
{
  ImuPlotLane *l = lane_get (self, lane);

  if (l == NULL || !(lo < hi) || !isfinite (lo) || !isfinite (hi))
    return;
  l->y_fixed = TRUE;
  l->y_lo = lo;
  l->y_hi = hi;
  imu_plot_invalidate (self, FALSE);
}

void
imu_plot_set_lane_autoscale (ImuPlot *self, guint lane)
{
  ImuPlotLane *l = lane_get (self, lane);

  if (l == NULL || !l->y_fixed)
    return;
  l->y_fixed = FALSE;
  imu_plot_invalidate (self, FALSE);
}

gboolean
imu_plot_get_lane_y_fixed (ImuPlot *self, guint lane)
{
  ImuPlotLane *l = lane_get (self, lane);

  return l != NULL && l->y_fixed;
}

void
imu_plot_zoom_lane_y (ImuPlot *self, guint lane, double factor, double anchor)
{
  double lo, hi;

  if (factor <= 0 || !imu_plot_get_lane_area (self, lane, NULL, &lo, &hi))
    return;
  imu_plot_set_lane_y_range (self, lane, anchor - (anchor - lo) / factor, anchor + (hi - anchor) / factor);
}

void
imu_plot_add_marker (ImuPlot *self, gint64 t_ns, const char *label)
{
  g_autofree char *name = NULL;
  ImuEvent *ev;

  g_return_if_fail (IMU_IS_PLOT (self));

  if (self->session == NULL || !self->streams_ready)
    return;
  if (label == NULL)
    {
      guint n = 1;

      for (guint i = 0; i < self->scene.events->len; i++)
        if (g_strcmp0 (((ImuEvent *) g_ptr_array_index (self->scene.events, i))->kind, "marker") == 0)
          n++;
      /* Translators: the default name of a new marker */
      name = g_strdup_printf (_("Marker %u"), n);
      label = name;
    }
  ev = imu_event_new (t_ns, "marker", label);
  ev->session_id = imu_session_get_id (self->session);
  /* Shown at once with a temporary negative id; stored by the worker. */
  ev->id = -(++self->marker_counter);
  g_ptr_array_add (self->scene.events, ev);
  g_ptr_array_sort (self->scene.events, event_cmp);
  imu_plot_save_event (self, ev, TRUE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
imu_plot_add_marker_at_pointer (ImuPlot *self)
{
  gint64 t;

  g_return_if_fail (IMU_IS_PLOT (self));

  /* Following a recording, M marks what is happening now. */
  if (self->live)
    t = self->scene.s1;
  else if (self->geom != NULL && self->pointer_inside
      && self->pointer_x >= self->geom->x0 && self->pointer_x <= self->geom->x0 + self->geom->dw)
    t = imu_plot_geometry_t_of (self->geom, self->pointer_x);
  else
    t = self->scene.t0 + (self->scene.t1 - self->scene.t0) / 2;
  imu_plot_add_marker (self, t, NULL);
}

void
imu_plot_reload_events (ImuPlot *self)
{
  g_return_if_fail (IMU_IS_PLOT (self));

  if (self->worker == NULL || self->session == NULL)
    return;
  imu_plot_worker_events (self->worker, self, self->cancellable, events_cb, callback_data_new (self));
}

gboolean
imu_plot_get_selection (ImuPlot *self, gint64 *t0_ns, gint64 *t1_ns)
{
  g_return_val_if_fail (IMU_IS_PLOT (self), FALSE);

  if (t0_ns != NULL)
    *t0_ns = self->scene.sel0;
  if (t1_ns != NULL)
    *t1_ns = self->scene.sel1;
  return self->scene.sel1 > self->scene.sel0;
}

void
imu_plot_set_selection (ImuPlot *self, gint64 t0_ns, gint64 t1_ns)
{
  gboolean had;
  g_autoptr(GArray) ids = NULL;

  g_return_if_fail (IMU_IS_PLOT (self));

  if (t1_ns < t0_ns)
    {
      gint64 tmp = t0_ns;

      t0_ns = t1_ns;
      t1_ns = tmp;
    }
  if (self->session == NULL)
    t0_ns = t1_ns = 0;
  if (t0_ns == self->scene.sel0 && t1_ns == self->scene.sel1)
    return;
  had = self->scene.sel1 > self->scene.sel0;
  if (t1_ns == t0_ns)
    t0_ns = t1_ns = 0;
  self->scene.sel0 = t0_ns;
  self->scene.sel1 = t1_ns;

  /* A new range: the old statistics are stale, their pass is cancelled. */
  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);
  g_clear_pointer (&self->stats, g_ptr_array_unref);
  if (t1_ns > t0_ns && self->streams_ready)
    {
      ids = g_array_new (FALSE, FALSE, sizeof (gint64));
      for (guint i = 0; i < self->scene.streams->len; i++)
        g_array_append_val (ids, ((ImuPlotStream *) g_ptr_array_index (self->scene.streams, i))->info->id);
      self->stats_cancellable = g_cancellable_new ();
      imu_plot_stats_async (self->library_path, ids, t0_ns, t1_ns, self, self->stats_cancellable,
                            stats_cb, callback_data_new (self));
    }
  imu_plot_panel_update (self);
  update_action_state (self);
  gtk_widget_queue_allocate (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0, t0_ns, t1_ns);
  if (had != (t1_ns > t0_ns))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_SELECTION]);
}

gboolean
imu_plot_get_lane_area (ImuPlot *self, guint lane, graphene_rect_t *area, double *lo, double *hi)
{
  const ImuPlotLaneGeom *lg;

  imu_plot_ensure_geometry (self);
  if (self->geom == NULL || lane >= self->geom->lane_geoms->len)
    return FALSE;
  lg = g_ptr_array_index (self->geom->lane_geoms, lane);
  if (area != NULL)
    *area = lg->area;
  if (lo != NULL)
    *lo = lg->lo;
  if (hi != NULL)
    *hi = lg->hi;
  return TRUE;
}

void
imu_plot_set_live (ImuPlot *self, gboolean live)
{
  g_return_if_fail (IMU_IS_PLOT (self));

  live = !!live;
  if (self->live == live)
    return;
  self->live = live;
  if (live && self->session != NULL)
    {
      gint64 span = MIN (self->scene.t1 - self->scene.t0, IMU_PLOT_LIVE_SPAN_NS);

      /* From the whole session (just opened) to the last seconds. */
      if (self->scene.t0 == self->scene.s0 || span <= 0)
        span = IMU_PLOT_LIVE_SPAN_NS;
      self->live_moving = TRUE;
      imu_plot_set_view_clamped (self, self->scene.s1 - span, self->scene.s1);
      self->live_moving = FALSE;
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIVE]);
}

gboolean
imu_plot_get_live (ImuPlot *self)
{
  g_return_val_if_fail (IMU_IS_PLOT (self), FALSE);
  return self->live;
}

gint64
imu_plot_get_live_edge (ImuPlot *self)
{
  g_return_val_if_fail (IMU_IS_PLOT (self), 0);
  return self->streams_ready || self->growing ? self->scene.s1 : 0;
}

void
imu_plot_session_grew (ImuPlot *self)
{
  CallbackData *cd;

  g_return_if_fail (IMU_IS_PLOT (self));

  if (self->session == NULL || self->worker == NULL)
    return;
  /* One re-read at a time; commits that land meanwhile are seen by the
   * next one. */
  if (self->growing || !self->streams_ready)
    {
      self->grow_again = TRUE;
      return;
    }
  self->growing = TRUE;
  cd = callback_data_new (self);
  cd->grow = TRUE;
  imu_plot_worker_open (self->worker, self, self->library_path, imu_session_get_id (self->session),
                        self->cancellable, open_cb, cd);
}
