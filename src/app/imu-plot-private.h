/* imu-plot-private.h — what the files of ImuPlot share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-plot.h"
#include "imu-series.h"

G_BEGIN_DECLS

/* Layout in logical pixels, from the top-left corner of the drawing area
 * (the widget minus the selection panel). docs/plot.md draws it; the GUI
 * tests compute expected pixel positions from these numbers. */
#define IMU_PLOT_MARGIN_LEFT          72  /* y-axis labels */
#define IMU_PLOT_MARGIN_RIGHT         16
#define IMU_PLOT_OVERVIEW_TOP          6
#define IMU_PLOT_OVERVIEW_HEIGHT      40
#define IMU_PLOT_MARKER_STRIP_TOP     50  /* flags with the markers' labels */
#define IMU_PLOT_MARKER_STRIP_HEIGHT  20
#define IMU_PLOT_LANES_TOP            72
#define IMU_PLOT_LANE_HEADER          26  /* lane title and legend */
#define IMU_PLOT_LANE_GAP              8
#define IMU_PLOT_MIN_LANE_DATA        32
#define IMU_PLOT_AXIS_HEIGHT          30  /* time axis under the lanes */
/* The y axis spans the visible data's [min, max] widened by this fraction
 * of (max − min) on each side, so traces never touch the lane's edge. */
#define IMU_PLOT_Y_PAD              0.05
/* Buckets of the whole-session envelope (overview and fallback). */
#define IMU_PLOT_OVERVIEW_BUCKETS   4096
/* Raw samples (a polyline) instead of an envelope when the fetched range
 * holds at most this many samples per pixel column. */
#define IMU_PLOT_RAW_PER_PX            1
#define IMU_PLOT_MIN_SPAN_NS     G_GINT64_CONSTANT (1000000)
#define IMU_PLOT_MAX_TICKS            64

typedef enum {
  IMU_PLOT_PALETTE_BLUE,
  IMU_PLOT_PALETTE_GREEN,
  IMU_PLOT_PALETTE_ORANGE,
  IMU_PLOT_PALETTE_PURPLE,
  IMU_PLOT_PALETTE_RED,
  IMU_PLOT_PALETTE_BROWN,
  IMU_PLOT_N_PALETTE,
} ImuPlotPaletteIndex;

/* Colours of everything that is not a channel. */
typedef struct {
  GdkRGBA background;
  GdkRGBA foreground;    /* text */
  GdkRGBA dim;           /* secondary text, ticks */
  GdkRGBA grid;
  GdkRGBA frame;         /* lane and overview borders */
  GdkRGBA accent;        /* selection, overview window */
  GdkRGBA accent_fill;
  GdkRGBA marker;
  GdkRGBA marker_text;
  GdkRGBA popup;         /* readout box */
} ImuPlotColors;

void imu_plot_palette_get  (gboolean dark, guint index, GdkRGBA *rgba);
void imu_plot_colors_get   (gboolean dark, ImuPlotColors *colors);

/* Samples of one stream for a time range, as fetched off the main thread:
 * an envelope when there are more samples than pixels, else raw samples.
 * Immutable once made, shared by reference (screen and exports). */
typedef struct {
  gint64        r0, r1;       /* the range asked for, [r0, r1) */
  guint         n_channels;
  ImuEnvelope  *env;          /* NULL for raw */
  gint64        n;            /* raw samples */
  gint64       *t;
  double      **cols;         /* [n_channels][n] */
  /* Samples further apart than this are not joined: 1.5 × the median
   * interval between samples (the profile's W_GAP rule); G_MAXINT64 when
   * unknown. For an envelope, a bucket whose samples span more than this
   * per interval holds a gap and lights only its first and last columns. */
  gint64        gap_ns;
} ImuPlotData;

ImuPlotData *imu_plot_data_ref   (ImuPlotData *data);
void         imu_plot_data_unref (ImuPlotData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuPlotData, imu_plot_data_unref)

/* Blocking: samples of @series in [r0, r1) for @n_buckets columns. */
ImuPlotData *imu_plot_data_fetch (ImuSeries  *series,
                                  gint64      r0,
                                  gint64      r1,
                                  guint       n_buckets,
                                  GError    **error);

typedef struct {
  ImuStreamInfo *info;
  ImuPlotData   *view;        /* latest data fetched for the view */
  ImuPlotData   *overview;    /* the whole session, IMU_PLOT_OVERVIEW_BUCKETS */
} ImuPlotStream;

void imu_plot_stream_free (ImuPlotStream *stream);
/* TRUE when the stream was read whole (a raw overview) and has few enough
 * samples in [t0, t1] for a polyline: nothing more to fetch. */
gboolean imu_plot_stream_is_whole (const ImuPlotStream *stream, gint64 t0, gint64 t1, int cols);
const ImuPlotData *imu_plot_stream_pick (const ImuPlotStream *stream, gint64 t0, gint64 t1, int cols,
                                         const ImuPlotData **fallback);

/* A lane: channels of one stream that share a unit (a stream mixing
 * accelerometer and gyroscope columns gets two lanes, each scaled to its
 * own data). */
typedef struct {
  guint      stream;          /* index in streams */
  char      *title;
  char      *unit;            /* display unit ("" when unknown) */
  guint      n_channels;
  guint     *channels;        /* channel indices in the stream */
  char     **names;
  double    *scale;           /* shown value = stored value × scale */
  gboolean  *visible;
  guint     *color;           /* palette index */
  /* The y axis: autoscaled to the visible data unless fixed (zoomed,
   * panned, locked or given limits by the person), then [y_lo, y_hi]. */
  gboolean   y_fixed;
  double     y_lo, y_hi;
} ImuPlotLane;

ImuPlotLane *imu_plot_lane_copy (const ImuPlotLane *lane);
void         imu_plot_lane_free (ImuPlotLane *lane);

/* Everything one picture shows, apart from the widget: the screen and the
 * exports draw a scene with the same code. */
typedef struct {
  int              width, height;
  gboolean         dark;
  gboolean         draw_legends;  /* exports: no legend widgets to show them */
  ImuPlotTimeAxis  time_axis;
  int              tz_offset_s;
  gint64           s0, s1;        /* the session, [s0, s1] */
  gint64           t0, t1;        /* the visible window */
  GPtrArray       *streams;       /* ImuPlotStream* */
  GPtrArray       *lanes;         /* ImuPlotLane* */
  GPtrArray       *events;        /* ImuEvent*, by time */
  gint64           sel0, sel1;    /* sel0 == sel1: no selection */
  gint64           hover_event;   /* id of the highlighted marker, 0 none */
  /* What "go to" showed (an event, a finding): mark0 == mark1 a point,
   * mark0 < mark1 a span; mark_on FALSE: nothing highlighted. */
  gboolean         mark_on;
  gint64           mark0, mark1;
  PangoContext    *pango;
  PangoFontDescription *label_font;
  GHashTable      *labels;        /* text → PangoLayout, reset when big */
  char            *title;         /* exports: the title line above the plot, or NULL */
  struct _ImuPlotCompare *compare; /* overlays (imu-plot-compare.c); NULL but in a comparison */
} ImuPlotScene;

/* Exports: the height of the title line above the plot. */
#define IMU_PLOT_EXPORT_TITLE_HEIGHT  28

void         imu_plot_scene_init     (ImuPlotScene *scene);
void         imu_plot_scene_clear    (ImuPlotScene *scene);
PangoLayout *imu_plot_scene_label    (ImuPlotScene *scene,
                                      const char   *text);

typedef struct {
  double       x;
  PangoLayout *label;         /* borrowed from the scene's cache; NULL: minor */
} ImuPlotTick;

typedef struct {
  graphene_rect_t header;
  graphene_rect_t area;       /* the data area */
  double          lo, hi;     /* values at the bottom and top of area */
  guint           n_yticks;
  double          ytick_y[IMU_PLOT_MAX_TICKS];
  PangoLayout    *ytick_label[IMU_PLOT_MAX_TICKS];
  int             decimals;   /* of the y labels */
  /* Per lane channel: bars (graphene_rect_t) and a polyline
   * (graphene_point_t) in widget coordinates. */
  GArray        **bars;
  GArray        **lines;
  gboolean        dots;       /* samples far enough apart to mark each */
  /* Several channels as envelopes: each channel's bars are translucent
   * bands (drawn with alpha) and @edges its min and max outlines, opaque,
   * so that later channels never hide earlier ones. */
  gboolean        bands;
  GArray        **edges;
  /* Per lane channel, per pixel column: min and max shown (NaN: none). */
  double        **col_min;
  double        **col_max;
} ImuPlotLaneGeom;

typedef struct {
  int              width, height;
  double           x0, dw;      /* data columns: x0 … x0 + dw */
  int              n_cols;
  gint64           t0, t1;
  graphene_rect_t  overview;
  graphene_rect_t  markers;
  graphene_rect_t  lanes;       /* all lanes' data areas */
  graphene_rect_t  axis;
  GPtrArray       *lane_geoms;  /* ImuPlotLaneGeom* */
  GArray          *ticks;       /* ImuPlotTick */
  PangoLayout     *axis_context;
  /* Overview: per lane one GArray of bars, and its colour. */
  GPtrArray       *overview_bars;
  GArray          *overview_colors;
  gboolean         overview_empty;
} ImuPlotGeometry;

ImuPlotGeometry *imu_plot_geometry_new  (ImuPlotScene    *scene);
ImuPlotGeometry *imu_plot_geometry_new_reusing (ImuPlotScene    *scene,
                                                ImuPlotGeometry *previous);
void             imu_plot_geometry_free (ImuPlotGeometry *geom);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuPlotGeometry, imu_plot_geometry_free)

void    imu_plot_columns_accumulate (const ImuPlotGeometry *geom, const ImuPlotData *d, guint sc,
                                     double scale, int k_lo, int k_hi, double *mn, double *mx);

/* x of a time in a geometry, and back. */
double  imu_plot_geometry_x_of (const ImuPlotGeometry *geom, gint64 t_ns);
gint64  imu_plot_geometry_t_of (const ImuPlotGeometry *geom, double x);

/* Lays out the lanes of a drawing of @width × @height (no data needed). */
void    imu_plot_layout_lanes   (int width, int height, guint n_lanes, guint lane,
                                 graphene_rect_t *header, graphene_rect_t *area);

/* Where the drawing goes: a GtkSnapshot (screen) or a cairo context
 * (export). The render code calls the same functions for both. */
typedef struct {
  GtkSnapshot *snapshot;
  cairo_t     *cr;
} ImuPlotPainter;

void     imu_plot_painter_rect      (ImuPlotPainter *p, const graphene_rect_t *r, const GdkRGBA *c);
void     imu_plot_painter_rects     (ImuPlotPainter *p, GArray *rects, const GdkRGBA *c);
void     imu_plot_painter_round     (ImuPlotPainter *p, const graphene_rect_t *r, double radius,
                                     const GdkRGBA *fill, const GdkRGBA *border);
void     imu_plot_painter_text      (ImuPlotPainter *p, PangoLayout *layout, double x, double y,
                                     const GdkRGBA *c);
cairo_t *imu_plot_painter_begin_cairo (ImuPlotPainter *p, const graphene_rect_t *bounds);
void     imu_plot_painter_end_cairo (ImuPlotPainter *p, cairo_t *cr);
void     imu_plot_painter_push_clip (ImuPlotPainter *p, const graphene_rect_t *r);
void     imu_plot_painter_pop_clip  (ImuPlotPainter *p);

typedef enum {
  IMU_PLOT_RENDER_BACKGROUND = 1 << 0,
  IMU_PLOT_RENDER_OVERVIEW   = 1 << 1,  /* off when the caller blits a cached overview */
} ImuPlotRenderFlags;

void imu_plot_render          (ImuPlotScene          *scene,
                               const ImuPlotGeometry *geom,
                               ImuPlotPainter        *painter,
                               ImuPlotRenderFlags     flags);
/* The value of lane channel @c at x (readout): the nearest sample when
 * zoomed in, else "min – max" of the pixel column; NULL when none. */
char *imu_plot_readout_value  (ImuPlotScene          *scene,
                               const ImuPlotGeometry *geom,
                               guint                  lane,
                               guint                  c,
                               double                 x);

/* imu-plot-overview.c */
void imu_plot_overview_build  (ImuPlotScene *scene, ImuPlotGeometry *geom);
void imu_plot_overview_draw   (ImuPlotScene *scene, const ImuPlotGeometry *geom,
                               ImuPlotPainter *painter);
void imu_plot_overview_draw_window (ImuPlotScene *scene, const ImuPlotGeometry *geom,
                                    ImuPlotPainter *painter);
double imu_plot_overview_x_of (const ImuPlotGeometry *geom, const ImuPlotScene *scene, gint64 t_ns);
gint64 imu_plot_overview_t_of (const ImuPlotGeometry *geom, const ImuPlotScene *scene, double x);

/* imu-plot-axis.c */
void  imu_plot_axis_build     (ImuPlotScene *scene, ImuPlotGeometry *geom);
char *imu_plot_axis_format_time (const ImuPlotScene *scene, gint64 t_ns, gint64 resolution_ns);
/* "nice" steps for the y axis: 1, 2, 2.5, 5 × 10^k, at least @min_step. */
double imu_plot_axis_nice_step (double min_step, int *decimals);
char *imu_plot_axis_format_value (double value, int decimals);

/* imu-plot-data.c: the worker thread that owns a connection to the
 * library, and the one-off tasks (statistics, export). */
typedef struct _ImuPlotWorker ImuPlotWorker;

ImuPlotWorker *imu_plot_worker_new  (void);
/* Stops the thread (after the job it runs) and frees. */
void           imu_plot_worker_free (ImuPlotWorker *worker);

typedef struct {
  GPtrArray *streams;   /* ImuStreamInfo* */
  GPtrArray *events;    /* ImuEvent* */
} ImuPlotOpenResult;

void  imu_plot_open_result_free (ImuPlotOpenResult *result);

void  imu_plot_worker_open      (ImuPlotWorker *worker, gpointer source, const char *path,
                                 gint64 session_id, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
ImuPlotOpenResult *imu_plot_worker_open_finish (GAsyncResult *result, GError **error);
/* Fetches [r0, r1) of every stream. A fetch is skipped (G_IO_ERROR_CANCELLED)
 * when a newer fetch was asked for before it started. */
void  imu_plot_worker_fetch     (ImuPlotWorker *worker, gpointer source, gint64 r0, gint64 r1,
                                 guint n_buckets, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
/* (element-type ImuPlotData) one per stream */
GPtrArray *imu_plot_worker_fetch_finish (GAsyncResult *result, GError **error);
void  imu_plot_worker_overview  (ImuPlotWorker *worker, gpointer source, gint64 s0, gint64 s1,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
void  imu_plot_worker_events    (ImuPlotWorker *worker, gpointer source, GCancellable *cancellable,
                                 GAsyncReadyCallback callback, gpointer user_data);
/* (element-type ImuEvent) */
GPtrArray *imu_plot_worker_events_finish (GAsyncResult *result, GError **error);
/* Adds (id 0) or updates @event; returns the stored copy. */
void  imu_plot_worker_save_event (ImuPlotWorker *worker, gpointer source, const ImuEvent *event,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
ImuEvent *imu_plot_worker_save_event_finish (GAsyncResult *result, GError **error);

typedef struct {
  gint64 count;         /* finite values */
  double min, max, mean, std;
} ImuPlotChannelStats;

typedef struct {
  gint64               n_samples;
  guint                n_channels;
  ImuPlotChannelStats *channels;
} ImuPlotStreamStats;

/* (element-type ImuPlotStreamStats) per stream, in @stream_ids' order;
 * streams through the range chunk by chunk on its own connection. */
void       imu_plot_stats_async  (const char *path, GArray *stream_ids, gint64 t0, gint64 t1,
                                  gpointer source, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data);
GPtrArray *imu_plot_stats_finish (GAsyncResult *result, GError **error);
GPtrArray *imu_plot_stats_compute (const char *path, GArray *stream_ids, gint64 t0, gint64 t1,
                                   GCancellable *cancellable, GError **error);

/* imu-plot-render.c: export. @scene is a copy the call owns (any thread). */
gboolean imu_plot_export_scene (ImuPlotScene *scene, const char *path, GFile *file,
                                ImuPlotExportFormat format, int width, int height,
                                GCancellable *cancellable, GError **error);

struct _ImuPlot
{
  GtkWidget         parent_instance;

  ImuSession       *session;
  char             *library_path;
  guint             session_gen;
  ImuPlotWorker    *worker;
  GCancellable     *cancellable;      /* this session's jobs */
  gboolean          streams_ready;
  /* Live following (imu_plot_set_live()): the right edge stays at the
   * newest sample as the session grows. */
  gboolean          live;
  gboolean          live_moving;   /* the follower itself moves the view */
  gboolean          growing;       /* a re-read of the grown session is under way */
  gboolean          grow_again;    /* and another was asked for meanwhile */

  ImuPlotScene      scene;
  ImuPlotGeometry  *geom;
  gboolean          geom_dirty;
  GdkTexture       *overview_texture;
  gboolean          overview_dirty;
  GtkCssProvider   *css;

  /* Fetching: the newest range asked for, and whether it is in flight. */
  guint             fetch_gen;
  guint             applied_gen;
  gboolean          fetching;
  gint64            want_r0, want_r1;
  guint             want_n;
  gint64            failed_r0, failed_r1;  /* the last fetch that failed */
  guint             failed_n;
  gboolean          overview_failed;
  gboolean          data_error_shown;
  gboolean          loading;
  gint64            set_session_time;   /* monotonic µs, for the first-frame figure */
  gint64            first_data_time;

  char             *accel_unit;
  char             *gyro_unit;

  /* Pointer and gestures (imu-plot-input.c). */
  double            pointer_x, pointer_y;
  gboolean          pointer_inside;
  int               drag_mode;
  gint64            drag_t0, drag_t1, drag_anchor;
  double            drag_start_x, drag_start_y;
  gint64            drag_event_id;
  gint64            drag_event_t;
  gint64            zoom_span0, zoom_anchor;
  double            zoom_anchor_x;
  double            scroll_accum;
  gint64            band_t0, band_t1;   /* rubber-band zoom, while dragged */
  guint             drag_lane;
  double            drag_y_lo, drag_y_hi;
  /* The last marker move, for its undo toast. */
  gint64            undo_event_id;
  gint64            undo_event_t;
  GtkWidget        *yaxis_popover;
  GtkWidget        *yaxis_lock;
  GtkWidget        *yaxis_min;
  GtkWidget        *yaxis_max;
  guint             yaxis_lane;
  gboolean          yaxis_updating;
  PangoLayout      *readout;
  gboolean          readout_dirty;

  /* Children. */
  GPtrArray        *legends;            /* GtkWidget* per lane */
  GtkWidget        *panel;              /* GtkRevealer */
  GtkWidget        *panel_content;
  GtkWidget        *panel_spinner;
  GtkWidget        *rename_popover;
  GtkWidget        *rename_entry;
  gint64            rename_event_id;
  guint             a11y_timeout;

  gboolean          export_light;    /* exports drawn light whatever the theme */
  GCancellable     *stats_cancellable;
  GPtrArray        *stats;              /* ImuPlotStreamStats*, or NULL */
  gint64            marker_counter;
};

/* imu-plot.c, for the sibling files */
void     imu_plot_view_changed      (ImuPlot *self);
void     imu_plot_invalidate        (ImuPlot *self, gboolean overview);
void     imu_plot_ensure_geometry   (ImuPlot *self);
int      imu_plot_drawing_width     (ImuPlot *self);
void     imu_plot_set_view_clamped  (ImuPlot *self, gint64 t0, gint64 t1);
ImuEvent *imu_plot_find_event       (ImuPlot *self, gint64 id);
void     imu_plot_sort_events       (ImuPlot *self);
void     imu_plot_save_event        (ImuPlot *self, ImuEvent *event, gboolean added);
void     imu_plot_update_readout    (ImuPlot *self);

void     imu_plot_show_toast        (ImuPlot *self, const char *text);

/* The y axis of lane @lane: fixed at [lo, hi] (lo < hi), or autoscaled. */
void     imu_plot_set_lane_y_range  (ImuPlot *self, guint lane, double lo, double hi);
void     imu_plot_set_lane_autoscale (ImuPlot *self, guint lane);
gboolean imu_plot_get_lane_y_fixed  (ImuPlot *self, guint lane);
/* Zooms lane @lane's y axis by @factor (> 1 zooms in) around @anchor. */
void     imu_plot_zoom_lane_y       (ImuPlot *self, guint lane, double factor, double anchor);

/* imu-plot-export.c */
void     imu_plot_export_action     (GtkWidget *widget, const char *name, GVariant *param);
/* Opens an exported picture with the desktop's default application. */
void     imu_plot_export_open       (ImuPlot *self, GFile *file);

/* imu-plot-input.c */
void     imu_plot_input_init        (ImuPlot *self);
void     imu_plot_input_class_init  (GtkWidgetClass *widget_class);
/* The marker under (x, y) that a person may move or rename (kind "marker"
 * or "note"), 0 when none. */
gint64   imu_plot_event_at          (ImuPlot *self, double x, double y);
void     imu_plot_show_rename       (ImuPlot *self, gint64 event_id);
/* For tests: a drag (press, @steps moves, release) and a wheel scroll. */
void     imu_plot_input_drag        (ImuPlot *self, GdkModifierType state, double x, double y,
                                     double dx, double dy, guint steps);
gboolean imu_plot_input_scroll      (ImuPlot *self, GdkModifierType state, double x, double y,
                                     double dx, double dy);
/* The lane whose header or data area holds y (x anywhere), or -1. */
int      imu_plot_lane_at           (ImuPlot *self, double y);
void     imu_plot_show_yaxis_popover (ImuPlot *self, guint lane);

/* imu-plot-panel.c: the selection's side panel */
GtkWidget *imu_plot_panel_new       (ImuPlot *self);
void       imu_plot_panel_update    (ImuPlot *self);

/* imu-plot-compare.c: other sessions drawn over the lanes (a comparison) */
typedef struct _ImuPlotCompare ImuPlotCompare;
void       imu_plot_compare_free         (ImuPlot *self);
/* In a comparison: one lane per channel of the compared stream. */
void       imu_plot_compare_split_lanes  (ImuPlot *self);
/* Fetches what the overlays need for the view; cheap when they have it. */
void       imu_plot_compare_ensure_data  (ImuPlot *self);
void       imu_plot_compare_draw_lane    (ImuPlotScene *scene, const ImuPlotGeometry *geom,
                                          ImuPlotPainter *painter, guint lane);
gboolean   imu_plot_compare_is_idle      (ImuPlot *self);

/* For tests and the benchmark: TRUE when no data is being fetched and the
 * view's data has arrived; the lane's data area in widget coordinates. */
gboolean imu_plot_is_idle           (ImuPlot *self);
gboolean imu_plot_get_lane_area     (ImuPlot *self, guint lane, graphene_rect_t *area,
                                     double *lo, double *hi);
/* The monotonic µs from imu_plot_set_session() to the first frame drawn
 * with data, or -1. */
gint64   imu_plot_get_first_frame_us (ImuPlot *self);

G_END_DECLS
