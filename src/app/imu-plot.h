/* imu-plot.h — the signal plot: lanes of channels, overview, markers, selection
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-session.h"
#include "imu-store.h"

G_BEGIN_DECLS

#define IMU_PLOT_ERROR (imu_plot_error_quark ())

typedef enum {
  IMU_PLOT_ERROR_NO_SESSION,   /* nothing to export: no session set */
  IMU_PLOT_ERROR_INVALID_SIZE, /* export width/height out of 16..16384 */
  IMU_PLOT_ERROR_WRITE,        /* the output file could not be written */
  IMU_PLOT_ERROR_FAILED,
} ImuPlotError;

GQuark imu_plot_error_quark (void);

typedef enum {
  IMU_PLOT_EXPORT_PNG,
  IMU_PLOT_EXPORT_SVG,
  IMU_PLOT_EXPORT_PDF,
} ImuPlotExportFormat;

/* How the time axis is labelled (GSettings key `time-axis`). */
typedef enum {
  IMU_PLOT_TIME_CLOCK,    /* wall-clock time in the recording's timezone */
  IMU_PLOT_TIME_ELAPSED,  /* time since the start of the session */
} ImuPlotTimeAxis;

#define IMU_TYPE_PLOT (imu_plot_get_type ())
G_DECLARE_FINAL_TYPE (ImuPlot, imu_plot, IMU, PLOT, GtkWidget)

/*
 * ImuPlot: one lane per stream of a session, its channels as coloured
 * traces, an overview strip of the whole session, a time axis, event
 * markers, a range selection with statistics, and export to PNG/SVG/PDF.
 * Data is read off the main thread on the widget's own connection to the
 * library; no call below waits for the disk unless it says so.
 *
 * Properties:
 *   "session"      ImuSession*   read-only (set with imu_plot_set_session())
 *   "time-axis"    string        "clock" | "elapsed" (bind the GSettings key)
 *   "accel-unit"   string        "g" | "m/s2"        (bind the GSettings key)
 *   "gyro-unit"    string        "deg/s" | "rad/s"   (bind the GSettings key)
 *   "loading"      boolean       read-only; TRUE while data is being fetched
 *   "has-selection" boolean      read-only
 *
 * Signals:
 *   "marker-added"      (ImuPlot*, ImuEvent *event)  after it is stored
 *   "marker-changed"    (ImuPlot*, ImuEvent *event)  moved or renamed, after it is stored
 *   "selection-changed" (ImuPlot*, gint64 t0_ns, gint64 t1_ns)  t0 == t1 == 0 when cleared
 *
 * Actions (gtk_widget_class_install_action; use "plot.zoom-in" etc. from
 * the window's shortcuts, buttons and menus — they act on the focused or
 * enclosing plot):
 *   plot.zoom-in, plot.zoom-out   ×2 / ×½ around the centre of the view
 *   plot.fit                      the whole session
 *   plot.pan-left, plot.pan-right by IMU_PLOT_PAN_STEP of the visible span
 *   plot.add-marker               at the pointer (centre when outside)
 *   plot.clear-selection          and the highlight of "go to"
 *   plot.zoom-selection           the view becomes the selection
 *   plot.next-event, plot.previous-event   go to the next / previous event
 *   plot.undo-move                puts the marker moved last back
 *   plot.export                   asks for a file (PNG, SVG, PDF) and a size
 */

/* Fraction of the visible span moved by plot.pan-left/right and arrow keys. */
#define IMU_PLOT_PAN_STEP 0.1
/* Factor of plot.zoom-in (and 1/factor of plot.zoom-out). */
#define IMU_PLOT_ZOOM_STEP 2.0

GtkWidget   *imu_plot_new                   (void);

/**
 * imu_plot_set_session:
 * @library_path: the library file holding @session (the plot opens its own
 *   connection to it in a worker thread)
 * @session: (nullable): the session to show; %NULL empties the plot
 *
 * Shows @session, fitted. Does not block: streams and envelopes are read in
 * the worker and drawn when they arrive.
 */
void         imu_plot_set_session           (ImuPlot     *self,
                                             const char  *library_path,
                                             ImuSession  *session);
ImuSession  *imu_plot_get_session           (ImuPlot     *self);

/* Binds "time-axis", "accel-unit" and "gyro-unit" to @settings (schema
 * io.github.imustudio.ImuStudio), g_settings_bind with G_SETTINGS_BIND_GET. */
void         imu_plot_bind_settings         (ImuPlot     *self,
                                             GSettings   *settings);
void         imu_plot_set_time_axis         (ImuPlot         *self,
                                             ImuPlotTimeAxis  axis);
ImuPlotTimeAxis imu_plot_get_time_axis      (ImuPlot     *self);

/* The visible time window, ns since the Unix epoch. Setting clamps it to
 * the session (and to a span of at least 1 ms). */
void         imu_plot_get_visible_range     (ImuPlot     *self,
                                             gint64      *t0_ns,
                                             gint64      *t1_ns);
void         imu_plot_set_visible_range     (ImuPlot     *self,
                                             gint64       t0_ns,
                                             gint64       t1_ns);

/* Divides the visible span by @factor (> 1 zooms in) keeping @anchor_ns at
 * the same place on screen. */
void         imu_plot_zoom                  (ImuPlot     *self,
                                             double       factor,
                                             gint64       anchor_ns);
/* Moves the view by @fraction of the visible span (> 0: later in time). */
void         imu_plot_pan                   (ImuPlot     *self,
                                             double       fraction);
/* Shows the whole session. */
void         imu_plot_fit                   (ImuPlot     *self);
/* Centres the view on @t_ns, keeping the span. */
void         imu_plot_jump_to               (ImuPlot     *self,
                                             gint64       t_ns);

/* How much "go to" shows around an instant: 5 s on either side. */
#define IMU_PLOT_GOTO_POINT_NS (5 * G_GINT64_CONSTANT (1000000000))

/**
 * imu_plot_show_range:
 * @duration_ns: 0 for an instant
 *
 * Goes to something found elsewhere (an event, a finding): the view
 * shows an instant with IMU_PLOT_GOTO_POINT_NS on either side, a span
 * whole with a quarter of its length (at least 1 s) on either side, and
 * the instant or span is highlighted until the next "go to", Escape, or
 * another session. Does not block.
 */
void         imu_plot_show_range            (ImuPlot     *self,
                                             gint64       t_ns,
                                             gint64       duration_ns);
/* The same for the plot's event at @t_ns (its span when it has one). */
void         imu_plot_show_event            (ImuPlot     *self,
                                             gint64       t_ns);
/* Shows the next (@forward) or previous event after or before the one
 * shown last, else the centre of the view; FALSE when there is none. */
gboolean     imu_plot_show_next_event       (ImuPlot     *self,
                                             gboolean     forward);
/* The view becomes the selected range (nothing without a selection). */
void         imu_plot_zoom_to_selection     (ImuPlot     *self);

/* Adds a "marker" event at the pointer (or the centre of the view when the
 * pointer is outside) and stores it in the library, off the main thread;
 * emits "marker-added" once stored. */
void         imu_plot_add_marker_at_pointer (ImuPlot     *self);
void         imu_plot_add_marker            (ImuPlot     *self,
                                             gint64       t_ns,
                                             const char  *label);
/* Re-reads the session's events (after another view changed them). */
void         imu_plot_reload_events         (ImuPlot     *self);

/* How much a live plot shows when it starts following: the last 30 s. */
#define IMU_PLOT_LIVE_SPAN_NS (30 * G_GINT64_CONSTANT (1000000000))

/**
 * imu_plot_set_live:
 *
 * Follows the newest samples of a session being recorded: the view's
 * right edge stays at the last sample as imu_plot_session_grew() reports
 * growth, zooming keeps that edge, and panning or scrolling back stops
 * following (the "live" property turns %FALSE). Setting it shows the last
 * IMU_PLOT_LIVE_SPAN_NS (or the whole session when shorter). Does not
 * block.
 */
void         imu_plot_set_live              (ImuPlot     *self,
                                             gboolean     live);
gboolean     imu_plot_get_live              (ImuPlot     *self);
/* The time of the newest sample the plot has read (the right edge a live
 * plot follows); 0 before the session's streams are read. */
gint64       imu_plot_get_live_edge         (ImuPlot     *self);
/**
 * imu_plot_session_grew:
 *
 * The session was committed to since the plot read it (a recording): the
 * plot re-reads its streams from the library in its worker (their
 * lengths, and any new stream), drops what it fetched for the view and
 * the overview once the new answers are in, and, when live, moves the
 * view to end at the newest sample. Does not block.
 */
void         imu_plot_session_grew          (ImuPlot     *self);

/* The selected range; FALSE when there is none. */
gboolean     imu_plot_get_selection         (ImuPlot     *self,
                                             gint64      *t0_ns,
                                             gint64      *t1_ns);
/* Selects [t0, t1] (t0 == t1 clears) and computes its statistics. */
void         imu_plot_set_selection         (ImuPlot     *self,
                                             gint64       t0_ns,
                                             gint64       t1_ns);

/**
 * imu_plot_export:
 * @width: @height: size of the picture in pixels (points for SVG/PDF), 16..16384
 *
 * Draws what the plot shows (same range, lanes, channels, markers,
 * selection) into @file with the screen's drawing code, at the given size.
 * Blocking: reads the envelopes it needs on its own connection.
 */
gboolean     imu_plot_export                (ImuPlot              *self,
                                             GFile                *file,
                                             ImuPlotExportFormat   format,
                                             int                   width,
                                             int                   height,
                                             GError              **error);
/* The same in a worker thread. */
void         imu_plot_export_async          (ImuPlot              *self,
                                             GFile                *file,
                                             ImuPlotExportFormat   format,
                                             int                   width,
                                             int                   height,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
gboolean     imu_plot_export_finish         (ImuPlot              *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/*
 * Comparisons (imu-plot-compare.c): other sessions drawn over the lanes of
 * the plot's session, the reference, each shifted by its offset (added to
 * its times to put them on the reference's clock) and in its own colour.
 * With a compare stream set, the plot shows one lane per channel of that
 * stream, the reference's trace in colour 0, overlay i's in colour i.
 * Overlay data is fetched off the main thread, as the plot's own.
 */

/* Before imu_plot_set_session(): the stream compared (one lane per
 * channel of it); %NULL returns to a session view's lanes. */
void         imu_plot_set_compare_stream    (ImuPlot     *self,
                                             const char  *stream_name);
/* Draws @stream_name of @session_id over the lanes; returns its index. */
guint        imu_plot_add_overlay           (ImuPlot     *self,
                                             gint64       session_id,
                                             const char  *stream_name,
                                             gint64       offset_ns);
void         imu_plot_set_overlay_offset    (ImuPlot     *self,
                                             guint        index,
                                             gint64       offset_ns);
void         imu_plot_clear_overlays        (ImuPlot     *self);
/* The colour of session @index of a comparison (0: the reference). */
void         imu_plot_get_session_color     (ImuPlot     *self,
                                             guint        index,
                                             GdkRGBA     *rgba);

gint64      imu_plot_nice_time_step      (gint64      span_ns,
                                          double      width_px,
                                          double      min_px);

G_END_DECLS
