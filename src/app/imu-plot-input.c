/* imu-plot-input.c — pointer, touchpad and keyboard for the plot
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Zoom: Ctrl+scroll (at the pointer), pinch, + and −. Pan: drag, scroll
 * (both directions), ← and →. Home fits the session. Shift+drag selects a
 * range (in the lanes or the overview); Ctrl+drag zooms to the range
 * dragged over (a rubber band: Ctrl, as Ctrl+scroll zooms); dragging the
 * overview's window moves the view. Markers: M adds one at the pointer, a
 * drag moves one (undoably), a double click renames it; Shift+drag that
 * starts on a marker selects. The y axis of a lane: scroll over its labels
 * or Ctrl+Shift+scroll in the lane zooms it, a drag on its labels pans it,
 * a click on them opens its limits.
 */

#define G_LOG_DOMAIN "imu-plot"

#include <math.h>
#include <glib/gi18n.h>

#include "imu-plot-private.h"

enum {
  DRAG_NONE,
  DRAG_PAN,
  DRAG_SELECT,
  DRAG_MARKER,
  DRAG_WINDOW,
  DRAG_OVERVIEW_SELECT,
  DRAG_ZOOM,
  DRAG_YPAN,
};

/* How far (px) from a marker's line a press still grabs it. */
#define MARKER_SLOP 4
/* A drag shorter than this is a click. */
#define CLICK_SLOP 3

static gboolean
in_rect (const graphene_rect_t *r, double x, double y)
{
  return x >= r->origin.x && x < r->origin.x + r->size.width
         && y >= r->origin.y && y < r->origin.y + r->size.height;
}

static graphene_rect_t
flag_rect (ImuPlot *self, const ImuEvent *ev, double x)
{
  const ImuPlotGeometry *geom = self->geom;
  PangoLayout *label = imu_plot_scene_label (&self->scene, ev->label != NULL && *ev->label ? ev->label
                                                           : ev->kind != NULL ? ev->kind : "");
  int w, h;

  pango_layout_get_pixel_size (label, &w, &h);
  return GRAPHENE_RECT_INIT (x, geom->markers.origin.y, w + 10, geom->markers.size.height);
}

/* Markers people made can be moved and renamed; events that came with
 * the recording (device markers, imported logs) stay as they were. */
static gboolean
event_editable (const ImuEvent *ev)
{
  return ev != NULL && (g_strcmp0 (ev->kind, "marker") == 0 || g_strcmp0 (ev->kind, "note") == 0);
}

gint64
imu_plot_event_at (ImuPlot *self, double x, double y)
{
  const ImuPlotGeometry *geom = self->geom;
  gint64 found = 0;

  if (geom == NULL)
    return 0;
  for (guint i = 0; i < self->scene.events->len; i++)
    {
      const ImuEvent *ev = g_ptr_array_index (self->scene.events, i);
      double mx;
      graphene_rect_t flag;

      if (ev->t_ns < geom->t0 || ev->t_ns > geom->t1 || !event_editable (ev))
        continue;
      mx = floor (imu_plot_geometry_x_of (geom, ev->t_ns));
      flag = flag_rect (self, ev, mx);
      /* The last drawn is on top. */
      if (in_rect (&flag, x, y)
          || (fabs (x - mx) <= MARKER_SLOP && y >= geom->markers.origin.y
              && y < geom->lanes.origin.y + geom->lanes.size.height))
        found = ev->id;
    }
  return found;
}

int
imu_plot_lane_at (ImuPlot *self, double y)
{
  const ImuPlotGeometry *geom = self->geom;

  for (guint i = 0; geom != NULL && i < geom->lane_geoms->len; i++)
    {
      const ImuPlotLaneGeom *lg = g_ptr_array_index (geom->lane_geoms, i);

      if (y >= lg->header.origin.y && y < lg->area.origin.y + lg->area.size.height)
        return (int) i;
    }
  return -1;
}

/* The lane whose y labels (left of the data) are under (x, y), or -1. */
static int
yaxis_at (ImuPlot *self, double x, double y)
{
  if (self->geom == NULL || x >= self->geom->x0)
    return -1;
  return imu_plot_lane_at (self, y);
}

static double
value_at (ImuPlot *self, guint lane, double y)
{
  const ImuPlotLaneGeom *lg = g_ptr_array_index (self->geom->lane_geoms, lane);

  return lg->hi - (y - lg->area.origin.y) / MAX (lg->area.size.height, 1) * (lg->hi - lg->lo);
}

/* Readout. */

void
imu_plot_update_readout (ImuPlot *self)
{
  const ImuPlotGeometry *geom = self->geom;
  g_autoptr(GString) markup = NULL;
  g_autofree char *time = NULL;
  gint64 t;

  self->readout_dirty = FALSE;
  /* A geometry built before the lanes changed (still to be rebuilt) has
   * no place for them yet. */
  if (geom == NULL || !self->pointer_inside || self->scene.lanes->len == 0
      || geom->lane_geoms->len != self->scene.lanes->len
      || self->pointer_x < geom->x0 || self->pointer_x >= geom->x0 + geom->dw
      || self->pointer_y < geom->lanes.origin.y
      || self->pointer_y >= geom->lanes.origin.y + geom->lanes.size.height)
    {
      g_clear_object (&self->readout);
      return;
    }

  t = imu_plot_geometry_t_of (geom, self->pointer_x);
  time = imu_plot_axis_format_time (&self->scene, t, MAX ((geom->t1 - geom->t0) / (gint64) geom->dw, 1));
  markup = g_string_new (NULL);
  g_string_append_printf (markup, "<b>%s</b>", time);
  for (guint i = 0; i < self->scene.lanes->len; i++)
    {
      const ImuPlotLane *lane = g_ptr_array_index (self->scene.lanes, i);

      for (guint c = 0; c < lane->n_channels; c++)
        {
          g_autofree char *value = imu_plot_readout_value (&self->scene, geom, i, c, self->pointer_x);
          g_autofree char *line = NULL;
          GdkRGBA color;

          if (value == NULL)
            continue;
          imu_plot_palette_get (self->scene.dark, lane->color[c], &color);
          line = g_markup_printf_escaped ("\n<span foreground=\"#%02x%02x%02x\">●</span> %s\t%s %s",
                                          (int) (color.red * 255 + 0.5), (int) (color.green * 255 + 0.5),
                                          (int) (color.blue * 255 + 0.5),
                                          lane->names[c], value, lane->unit);
          g_string_append (markup, line);
        }
    }
  if (self->readout == NULL)
    {
      self->readout = gtk_widget_create_pango_layout (GTK_WIDGET (self), NULL);
      if (self->scene.label_font != NULL)
        pango_layout_set_font_description (self->readout, self->scene.label_font);
    }
  /* Values in one column: a tab stop past the widest channel name. */
  {
    int widest = 0;
    PangoTabArray *tabs;

    for (guint i = 0; i < self->scene.lanes->len; i++)
      {
        const ImuPlotLane *lane = g_ptr_array_index (self->scene.lanes, i);

        for (guint c = 0; c < lane->n_channels; c++)
          {
            int w;

            pango_layout_get_pixel_size (imu_plot_scene_label (&self->scene, lane->names[c]), &w, NULL);
            widest = MAX (widest, w);
          }
      }
    tabs = pango_tab_array_new_with_positions (1, TRUE, PANGO_TAB_LEFT, widest + 28);
    pango_layout_set_tabs (self->readout, tabs);
    pango_tab_array_free (tabs);
  }
  pango_layout_set_markup (self->readout, markup->str, -1);
}

static void
update_cursor (ImuPlot *self, double x, double y)
{
  const ImuPlotGeometry *geom = self->geom;
  const char *name = NULL;

  if (geom == NULL || self->session == NULL)
    name = NULL;
  else if (self->scene.hover_event != 0)
    name = "col-resize";
  else if (in_rect (&geom->overview, x, y))
    name = "grab";
  else if (yaxis_at (self, x, y) >= 0)
    name = "row-resize";
  else if (in_rect (&geom->lanes, x, y))
    name = "crosshair";
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), name);
}

static void
pointer_moved (ImuPlot *self, double x, double y)
{
  gint64 hover;

  self->pointer_x = x;
  self->pointer_y = y;
  self->pointer_inside = TRUE;
  if (self->drag_mode == DRAG_NONE)
    {
      hover = imu_plot_event_at (self, x, y);
      if (hover != self->scene.hover_event)
        self->scene.hover_event = hover;
      update_cursor (self, x, y);
    }
  imu_plot_update_readout (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
motion_cb (GtkEventControllerMotion *motion, double x, double y, ImuPlot *self)
{
  pointer_moved (self, x, y);
}

static void
leave_cb (GtkEventControllerMotion *motion, ImuPlot *self)
{
  self->pointer_inside = FALSE;
  if (self->drag_mode == DRAG_NONE)
    self->scene.hover_event = 0;
  g_clear_object (&self->readout);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Scroll and pinch. */

static gint64
anchor_at (ImuPlot *self, double x)
{
  const ImuPlotGeometry *geom = self->geom;

  x = CLAMP (x, geom->x0, geom->x0 + geom->dw);
  return imu_plot_geometry_t_of (geom, x);
}

static gboolean
scroll (ImuPlot *self, GdkModifierType state, gboolean wheel, double dx, double dy)
{
  if (self->session == NULL || self->geom == NULL)
    return FALSE;
  {
    int lane = yaxis_at (self, self->pointer_x, self->pointer_y);

    if (lane < 0 && (state & GDK_CONTROL_MASK) && (state & GDK_SHIFT_MASK))
      lane = imu_plot_lane_at (self, self->pointer_y);
    if (lane >= 0)
      {
        /* The y axis: a wheel notch zooms by 1.25 around the pointer's value. */
        double factor = wheel ? pow (1.25, -(dy != 0 ? dy : dx)) : exp (-(dy != 0 ? dy : dx) / 100);

        imu_plot_zoom_lane_y (self, lane, factor, value_at (self, lane, self->pointer_y));
        return TRUE;
      }
  }
  if (state & GDK_CONTROL_MASK)
    {
      /* A wheel notch zooms by 1.25; a touchpad by 1 % per pixel. */
      double factor = wheel ? pow (1.25, -dy) : exp (-dy / 100);

      imu_plot_zoom (self, factor, anchor_at (self, self->pointer_x));
      return TRUE;
    }
  /* Shift turns a vertical wheel into a horizontal one, as everywhere. */
  if (wheel)
    imu_plot_pan (self, (dx + dy) * IMU_PLOT_PAN_STEP);
  else
    imu_plot_pan (self, (dx + dy) / self->geom->dw);
  return TRUE;
}

static gboolean
scroll_cb (GtkEventControllerScroll *controller, double dx, double dy, ImuPlot *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (controller));
  gboolean wheel = gtk_event_controller_scroll_get_unit (controller) == GDK_SCROLL_UNIT_WHEEL;

  return scroll (self, state, wheel, dx, dy);
}

static void
zoom_begin_cb (GtkGesture *gesture, GdkEventSequence *sequence, ImuPlot *self)
{
  double x, y;

  if (self->geom == NULL || !gtk_gesture_get_bounding_box_center (gesture, &x, &y))
    {
      gtk_gesture_set_state (gesture, GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  self->zoom_span0 = self->scene.t1 - self->scene.t0;
  self->zoom_anchor_x = CLAMP (x, self->geom->x0, self->geom->x0 + self->geom->dw);
  self->zoom_anchor = anchor_at (self, x);
}

static void
zoom_scale_changed_cb (GtkGestureZoom *gesture, double scale, ImuPlot *self)
{
  gint64 span, t0;

  if (self->geom == NULL || scale <= 0)
    return;
  span = llround ((double) self->zoom_span0 / scale);
  t0 = self->zoom_anchor - llround ((self->zoom_anchor_x - self->geom->x0) / self->geom->dw * (double) span);
  imu_plot_set_view_clamped (self, t0, t0 + span);
}

/* Drag. */

static gint64
clamp_to_session (ImuPlot *self, gint64 t)
{
  return CLAMP (t, self->scene.s0, self->scene.s1);
}

static gboolean
drag_begin (ImuPlot *self, GdkModifierType state, double x, double y)
{
  const ImuPlotGeometry *geom = self->geom;
  gboolean shift = (state & GDK_SHIFT_MASK) != 0;
  gboolean ctrl = (state & GDK_CONTROL_MASK) != 0;
  gboolean in_lanes;
  gint64 hit;
  int lane;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  self->drag_mode = DRAG_NONE;
  self->drag_start_x = x;
  self->drag_start_y = y;
  if (geom == NULL || self->session == NULL || !self->streams_ready)
    return FALSE;

  if (in_rect (&geom->overview, x, y))
    {
      gint64 t = clamp_to_session (self, imu_plot_overview_t_of (geom, &self->scene, x));

      if (shift)
        {
          self->drag_mode = DRAG_OVERVIEW_SELECT;
          self->drag_anchor = t;
        }
      else
        {
          double xa = imu_plot_overview_x_of (geom, &self->scene, self->scene.t0);
          double xb = imu_plot_overview_x_of (geom, &self->scene, self->scene.t1);

          /* Outside the window: the window jumps there, then follows. */
          if (x < xa - 3 || x > xb + 3)
            imu_plot_jump_to (self, t);
          self->drag_mode = DRAG_WINDOW;
          self->drag_t0 = self->scene.t0;
          self->drag_t1 = self->scene.t1;
          gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
        }
    }
  else if ((lane = yaxis_at (self, x, y)) >= 0)
    {
      const ImuPlotLaneGeom *lg = g_ptr_array_index (geom->lane_geoms, lane);

      self->drag_mode = DRAG_YPAN;
      self->drag_lane = lane;
      self->drag_y_lo = lg->lo;
      self->drag_y_hi = lg->hi;
    }
  else if ((in_lanes = y >= geom->markers.origin.y && y < geom->axis.origin.y + geom->axis.size.height)
           && (shift || ctrl))
    {
      /* Shift selects and Ctrl zooms, also from a marker's flag or line. */
      self->drag_mode = shift ? DRAG_SELECT : DRAG_ZOOM;
      self->drag_anchor = clamp_to_session (self, anchor_at (self, x));
    }
  else if ((hit = imu_plot_event_at (self, x, y)) != 0)
    {
      ImuEvent *ev = imu_plot_find_event (self, hit);

      self->drag_mode = DRAG_MARKER;
      self->drag_event_id = hit;
      self->drag_event_t = ev->t_ns;
    }
  else if (in_lanes)
    {
      self->drag_mode = DRAG_PAN;
      self->drag_t0 = self->scene.t0;
      self->drag_t1 = self->scene.t1;
    }
  return self->drag_mode != DRAG_NONE;
}

static void
drag_begin_cb (GtkGestureDrag *gesture, double x, double y, ImuPlot *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (gesture));

  if (!drag_begin (self, state, x, y))
    gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
}

static void
drag_update_cb (GtkGestureDrag *gesture, double dx, double dy, ImuPlot *self)
{
  const ImuPlotGeometry *geom = self->geom;
  double x = self->drag_start_x + dx;
  gint64 dt, t;

  if (geom == NULL)
    return;
  switch (self->drag_mode)
    {
    case DRAG_PAN:
      dt = llround (-dx / geom->dw * (double) (self->drag_t1 - self->drag_t0));
      imu_plot_set_view_clamped (self, self->drag_t0 + dt, self->drag_t1 + dt);
      break;
    case DRAG_WINDOW:
      dt = llround (dx / geom->overview.size.width * (double) (self->scene.s1 - self->scene.s0));
      imu_plot_set_view_clamped (self, self->drag_t0 + dt, self->drag_t1 + dt);
      break;
    case DRAG_SELECT:
    case DRAG_OVERVIEW_SELECT:
      if (fabs (dx) < CLICK_SLOP)
        break;
      t = self->drag_mode == DRAG_SELECT ? anchor_at (self, x)
                                         : imu_plot_overview_t_of (geom, &self->scene, x);
      t = clamp_to_session (self, t);
      /* Drawn at once; the statistics wait for the release. */
      self->scene.sel0 = MIN (self->drag_anchor, t);
      self->scene.sel1 = MAX (self->drag_anchor, t);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    case DRAG_ZOOM:
      if (fabs (dx) < CLICK_SLOP)
        break;
      t = clamp_to_session (self, anchor_at (self, x));
      self->band_t0 = MIN (self->drag_anchor, t);
      self->band_t1 = MAX (self->drag_anchor, t);
      gtk_widget_queue_draw (GTK_WIDGET (self));
      break;
    case DRAG_YPAN:
      if (self->drag_lane < geom->lane_geoms->len && fabs (dy) >= 1)
        {
          const ImuPlotLaneGeom *lg = g_ptr_array_index (geom->lane_geoms, self->drag_lane);
          double shift = dy / MAX (lg->area.size.height, 1) * (self->drag_y_hi - self->drag_y_lo);

          imu_plot_set_lane_y_range (self, self->drag_lane, self->drag_y_lo + shift, self->drag_y_hi + shift);
        }
      break;
    case DRAG_MARKER:
      {
        ImuEvent *ev = imu_plot_find_event (self, self->drag_event_id);

        if (ev == NULL)
          break;
        dt = llround (dx / geom->dw * (double) (geom->t1 - geom->t0));
        ev->t_ns = clamp_to_session (self, self->drag_event_t + dt);
        gtk_widget_queue_draw (GTK_WIDGET (self));
      }
      break;
    default:
      break;
    }
}

/* Moving a marker is undone from its toast ("Undo"), or plot.undo-move. */
static void
undo_clicked_cb (AdwToast *toast, ImuPlot *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "plot.undo-move", NULL);
}

static void
show_undo_move (ImuPlot *self, const ImuEvent *ev)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *title = NULL;
  AdwToast *toast;

  self->undo_event_id = ev->id;
  self->undo_event_t = self->drag_event_t;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "plot.undo-move", TRUE);
  if (overlay == NULL)
    return;
  /* Translators: a toast after dragging a marker, with Undo */
  title = g_strdup_printf (_("Moved “%s”"), ev->label != NULL && *ev->label ? ev->label : _("marker"));
  toast = adw_toast_new (title);
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (undo_clicked_cb), self, 0);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
drag_end_cb (GtkGestureDrag *gesture, double dx, double dy, ImuPlot *self)
{
  int mode = self->drag_mode;

  self->drag_mode = DRAG_NONE;
  switch (mode)
    {
    case DRAG_SELECT:
    case DRAG_OVERVIEW_SELECT:
      if (fabs (dx) >= CLICK_SLOP && self->scene.sel1 > self->scene.sel0)
        {
          gint64 a = self->scene.sel0, b = self->scene.sel1;

          /* Clear what the drag drew, so that the setter sees a change. */
          self->scene.sel0 = self->scene.sel1 = 0;
          imu_plot_set_selection (self, a, b);
        }
      break;
    case DRAG_MARKER:
      {
        ImuEvent *ev = imu_plot_find_event (self, self->drag_event_id);

        if (ev != NULL && ev->t_ns != self->drag_event_t)
          {
            /* A marker still being added is saved with its new time
             * once it has an id (save_event_cb). */
            if (ev->id > 0)
              {
                imu_plot_save_event (self, ev, FALSE);
                show_undo_move (self, ev);
              }
            imu_plot_sort_events (self);
          }
      }
      break;
    case DRAG_ZOOM:
      {
        gint64 a = self->band_t0, b = self->band_t1;

        self->band_t0 = self->band_t1 = 0;
        if (fabs (dx) >= CLICK_SLOP && b > a)
          imu_plot_set_view_clamped (self, a, b);
      }
      break;
    case DRAG_YPAN:
      /* A click on the labels, not a drag: the axis's limits. */
      if (fabs (dx) < CLICK_SLOP && fabs (dy) < CLICK_SLOP)
        imu_plot_show_yaxis_popover (self, self->drag_lane);
      break;
    default:
      break;
    }
  update_cursor (self, self->drag_start_x + dx, self->drag_start_y + dy);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

/* Rename. */

static void
rename_activate_cb (GtkEntry *entry, ImuPlot *self)
{
  ImuEvent *ev = imu_plot_find_event (self, self->rename_event_id);
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  gtk_popover_popdown (GTK_POPOVER (self->rename_popover));
  if (ev == NULL || g_strcmp0 (ev->label, text) == 0)
    return;
  g_free (ev->label);
  ev->label = g_strdup (text);
  if (ev->id > 0)
    imu_plot_save_event (self, ev, FALSE);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
focus_rename_cb (gpointer data)
{
  ImuPlot *self = data;

  if (self->rename_popover != NULL && gtk_widget_get_visible (self->rename_popover))
    gtk_widget_grab_focus (self->rename_entry);
  return G_SOURCE_REMOVE;
}

void
imu_plot_show_rename (ImuPlot *self, gint64 event_id)
{
  ImuEvent *ev = imu_plot_find_event (self, event_id);
  graphene_rect_t flag;

  if (ev == NULL || self->geom == NULL)
    return;
  if (self->rename_popover == NULL)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
      GtkWidget *title = gtk_label_new (_("Marker Name"));

      gtk_widget_add_css_class (title, "heading");
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      self->rename_entry = gtk_entry_new ();
      gtk_entry_set_activates_default (GTK_ENTRY (self->rename_entry), FALSE);
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->rename_entry),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, _("Marker name"), -1);
      g_signal_connect (self->rename_entry, "activate", G_CALLBACK (rename_activate_cb), self);
      gtk_box_append (GTK_BOX (box), title);
      gtk_box_append (GTK_BOX (box), self->rename_entry);
      self->rename_popover = gtk_popover_new ();
      gtk_popover_set_child (GTK_POPOVER (self->rename_popover), box);
      gtk_popover_set_position (GTK_POPOVER (self->rename_popover), GTK_POS_BOTTOM);
      gtk_widget_set_parent (self->rename_popover, GTK_WIDGET (self));
    }
  self->rename_event_id = event_id;
  flag = flag_rect (self, ev, floor (imu_plot_geometry_x_of (self->geom, ev->t_ns)));
  gtk_popover_set_pointing_to (GTK_POPOVER (self->rename_popover),
                               &(GdkRectangle) { (int) flag.origin.x, (int) flag.origin.y,
                                                 (int) flag.size.width, (int) flag.size.height });
  gtk_editable_set_text (GTK_EDITABLE (self->rename_entry), ev->label != NULL ? ev->label : "");
  gtk_popover_popup (GTK_POPOVER (self->rename_popover));
  gtk_widget_grab_focus (self->rename_entry);
  /* A double-click opens the popover from the second press, and the drag
   * gesture's handler of that same press then takes the focus back to the
   * plot: the name could not be typed. Once the press is handled, the name
   * takes the focus again. */
  g_idle_add_full (G_PRIORITY_DEFAULT, focus_rename_cb, g_object_ref (self), g_object_unref);
}

/* The y axis's limits: a popover on the lane's labels. */

static void
yaxis_sync (ImuPlot *self)
{
  double lo = 0, hi = 1;
  int decimals = 2;

  if (!imu_plot_get_lane_area (self, self->yaxis_lane, NULL, &lo, &hi))
    return;
  if (self->yaxis_lane < self->geom->lane_geoms->len)
    decimals = ((const ImuPlotLaneGeom *) g_ptr_array_index (self->geom->lane_geoms, self->yaxis_lane))->decimals + 2;
  self->yaxis_updating = TRUE;
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (self->yaxis_min), MIN (decimals, 9));
  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (self->yaxis_max), MIN (decimals, 9));
  gtk_spin_button_set_increments (GTK_SPIN_BUTTON (self->yaxis_min), (hi - lo) / 10, hi - lo);
  gtk_spin_button_set_increments (GTK_SPIN_BUTTON (self->yaxis_max), (hi - lo) / 10, hi - lo);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->yaxis_min), lo);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->yaxis_max), hi);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->yaxis_lock),
                               imu_plot_get_lane_y_fixed (self, self->yaxis_lane));
  self->yaxis_updating = FALSE;
}

static void
yaxis_limits_changed_cb (GtkSpinButton *spin, ImuPlot *self)
{
  double lo = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->yaxis_min));
  double hi = gtk_spin_button_get_value (GTK_SPIN_BUTTON (self->yaxis_max));

  if (self->yaxis_updating)
    return;
  if (!(lo < hi))
    {
      gtk_widget_add_css_class (GTK_WIDGET (spin), "error");
      return;
    }
  gtk_widget_remove_css_class (self->yaxis_min, "error");
  gtk_widget_remove_css_class (self->yaxis_max, "error");
  imu_plot_set_lane_y_range (self, self->yaxis_lane, lo, hi);
  self->yaxis_updating = TRUE;
  gtk_check_button_set_active (GTK_CHECK_BUTTON (self->yaxis_lock), TRUE);
  self->yaxis_updating = FALSE;
}

static void
yaxis_lock_toggled_cb (GtkCheckButton *check, ImuPlot *self)
{
  double lo, hi;

  if (self->yaxis_updating)
    return;
  if (!gtk_check_button_get_active (check))
    imu_plot_set_lane_autoscale (self, self->yaxis_lane);
  else if (imu_plot_get_lane_area (self, self->yaxis_lane, NULL, &lo, &hi))
    imu_plot_set_lane_y_range (self, self->yaxis_lane, lo, hi);
  imu_plot_ensure_geometry (self);
  yaxis_sync (self);
}

static void
yaxis_autoscale_cb (GtkButton *button, ImuPlot *self)
{
  imu_plot_set_lane_autoscale (self, self->yaxis_lane);
  gtk_popover_popdown (GTK_POPOVER (self->yaxis_popover));
}

static GtkWidget *
limit_row (GtkGrid *grid, int row, const char *label, const char *a11y)
{
  GtkWidget *title = gtk_label_new_with_mnemonic (label);
  GtkWidget *spin = gtk_spin_button_new_with_range (-1e15, 1e15, 0.1);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_mnemonic_widget (GTK_LABEL (title), spin);
  gtk_widget_set_hexpand (spin, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  gtk_grid_attach (grid, title, 0, row, 1, 1);
  gtk_grid_attach (grid, spin, 1, row, 1, 1);
  return spin;
}

void
imu_plot_show_yaxis_popover (ImuPlot *self, guint lane)
{
  const ImuPlotLaneGeom *lg;

  if (self->geom == NULL || lane >= self->geom->lane_geoms->len)
    return;
  if (self->yaxis_popover == NULL)
    {
      GtkWidget *grid = gtk_grid_new ();
      GtkWidget *title = gtk_label_new (_("Y Axis"));
      GtkWidget *autoscale = gtk_button_new_with_mnemonic (_("_Autoscale"));

      gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
      gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
      gtk_widget_add_css_class (title, "heading");
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_grid_attach (GTK_GRID (grid), title, 0, 0, 2, 1);
      self->yaxis_max = limit_row (GTK_GRID (grid), 1, _("Ma_ximum"), _("Maximum of the y axis"));
      self->yaxis_min = limit_row (GTK_GRID (grid), 2, _("Mi_nimum"), _("Minimum of the y axis"));
      self->yaxis_lock = gtk_check_button_new_with_mnemonic (_("_Lock range"));
      gtk_widget_set_tooltip_text (self->yaxis_lock, _("Keep this range while the view moves"));
      gtk_grid_attach (GTK_GRID (grid), self->yaxis_lock, 0, 3, 2, 1);
      gtk_grid_attach (GTK_GRID (grid), autoscale, 0, 4, 2, 1);
      g_signal_connect (self->yaxis_min, "value-changed", G_CALLBACK (yaxis_limits_changed_cb), self);
      g_signal_connect (self->yaxis_max, "value-changed", G_CALLBACK (yaxis_limits_changed_cb), self);
      g_signal_connect (self->yaxis_lock, "toggled", G_CALLBACK (yaxis_lock_toggled_cb), self);
      g_signal_connect (autoscale, "clicked", G_CALLBACK (yaxis_autoscale_cb), self);
      self->yaxis_popover = gtk_popover_new ();
      gtk_popover_set_child (GTK_POPOVER (self->yaxis_popover), grid);
      gtk_popover_set_position (GTK_POPOVER (self->yaxis_popover), GTK_POS_RIGHT);
      gtk_widget_set_parent (self->yaxis_popover, GTK_WIDGET (self));
    }
  self->yaxis_lane = lane;
  lg = g_ptr_array_index (self->geom->lane_geoms, lane);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->yaxis_popover),
                               &(GdkRectangle) { 0, (int) lg->area.origin.y, (int) self->geom->x0,
                                                 (int) lg->area.size.height });
  yaxis_sync (self);
  gtk_popover_popup (GTK_POPOVER (self->yaxis_popover));
  gtk_widget_grab_focus (self->yaxis_max);
}

static void
click_pressed_cb (GtkGestureClick *click, int n_press, double x, double y, ImuPlot *self)
{
  gint64 hit;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (n_press == 2 && (hit = imu_plot_event_at (self, x, y)) != 0)
    imu_plot_show_rename (self, hit);
}

/* For tests: a press at (x, y) with @state, dragged by (dx, dy) in
 * @steps moves, released; and a scroll at (x, y). The same code as the
 * gestures run. */
void
imu_plot_input_drag (ImuPlot *self, GdkModifierType state, double x, double y,
                     double dx, double dy, guint steps)
{
  /* What a person sees before pressing: the geometry of the view. */
  imu_plot_ensure_geometry (self);
  pointer_moved (self, x, y);
  if (!drag_begin (self, state, x, y))
    return;
  for (guint i = 1; i <= MAX (steps, 1); i++)
    drag_update_cb (NULL, dx * i / MAX (steps, 1), dy * i / MAX (steps, 1), self);
  drag_end_cb (NULL, dx, dy, self);
}

gboolean
imu_plot_input_scroll (ImuPlot *self, GdkModifierType state, double x, double y, double dx, double dy)
{
  imu_plot_ensure_geometry (self);
  pointer_moved (self, x, y);
  return scroll (self, state, TRUE, dx, dy);
}

void
imu_plot_input_init (ImuPlot *self)
{
  GtkEventController *controller;
  GtkGesture *gesture;

  controller = gtk_event_controller_motion_new ();
  g_signal_connect (controller, "enter", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "motion", G_CALLBACK (motion_cb), self);
  g_signal_connect (controller, "leave", G_CALLBACK (leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  controller = gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES);
  g_signal_connect (controller, "scroll", G_CALLBACK (scroll_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), controller);

  gesture = gtk_gesture_zoom_new ();
  g_signal_connect (gesture, "begin", G_CALLBACK (zoom_begin_cb), self);
  g_signal_connect (gesture, "scale-changed", G_CALLBACK (zoom_scale_changed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_drag_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect (gesture, "drag-update", G_CALLBACK (drag_update_cb), self);
  g_signal_connect (gesture, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));

  gesture = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (gesture), GDK_BUTTON_PRIMARY);
  g_signal_connect (gesture, "pressed", G_CALLBACK (click_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (gesture));
}

void
imu_plot_input_class_init (GtkWidgetClass *widget_class)
{
  static const struct {
    guint           key;
    GdkModifierType mods;
    const char     *action;
  } bindings[] = {
    { GDK_KEY_plus, 0, "plot.zoom-in" },
    { GDK_KEY_equal, 0, "plot.zoom-in" },
    { GDK_KEY_KP_Add, 0, "plot.zoom-in" },
    { GDK_KEY_minus, 0, "plot.zoom-out" },
    { GDK_KEY_KP_Subtract, 0, "plot.zoom-out" },
    { GDK_KEY_Left, 0, "plot.pan-left" },
    { GDK_KEY_KP_Left, 0, "plot.pan-left" },
    { GDK_KEY_Right, 0, "plot.pan-right" },
    { GDK_KEY_KP_Right, 0, "plot.pan-right" },
    { GDK_KEY_Home, 0, "plot.fit" },
    { GDK_KEY_KP_Home, 0, "plot.fit" },
    { GDK_KEY_0, GDK_CONTROL_MASK, "plot.fit" },
    { GDK_KEY_m, 0, "plot.add-marker" },
    { GDK_KEY_M, GDK_SHIFT_MASK, "plot.add-marker" },
    { GDK_KEY_Escape, 0, "plot.clear-selection" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bindings); i++)
    gtk_widget_class_add_binding_action (widget_class, bindings[i].key, bindings[i].mods,
                                         bindings[i].action, NULL);
}
