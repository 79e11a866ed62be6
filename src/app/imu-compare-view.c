/* imu-compare-view.c — two to four sessions in one plot, aligned and compared
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-compare-view"

#include <math.h>
#include <string.h>

#include <glib/gi18n.h>

#include "imu-compare-view.h"
#include "imu-comparison-store.h"
#include "imu-plot-private.h"

/* Offsets the spin buttons accept, each way (a day). */
#define MAX_OFFSET_S 86400.0

enum {
  ALIGN_ROW_START,
  ALIGN_ROW_EVENT,
  ALIGN_ROW_XCORR,
};

typedef struct {
  gint64      session_id;
  char       *title;
  char       *stream;
  double      rate_hz;
  gint64      offset_ns;
  GPtrArray  *events;          /* ImuEvent*, by time */
  GtkWidget  *row;
  GtkWidget  *spin;
  GtkWidget  *events_dropdown;
  double      drag_start_s;
} Member;

struct _ImuCompareView
{
  GtkBox          parent_instance;

  ImuLibrary     *library;
  guint           n;
  Member          members[IMU_COMPARE_MAX_SESSIONS];
  gint64          saved_id;
  char           *saved_title;
  char           *align_text;    /* what a save records */
  guint           updating;      /* setting widgets from code */
  GCancellable   *cancellable;   /* load, align, save */
  GCancellable   *diff_cancellable;
  gboolean        busy;
  gboolean        diff_busy;
  ImuComparison  *diff;
  gint64          sel0, sel1;

  /* Template children */
  GtkLabel       *title_label;
  GtkDropDown    *align_dropdown;
  GtkSpinner     *spinner;
  GtkLabel       *status_label;
  GtkListBox     *sessions_list;
  ImuPlot        *plot;
  GtkRevealer    *diff_revealer;
  GtkLabel       *diff_title;
  GtkGrid        *diff_grid;
};

G_DEFINE_FINAL_TYPE (ImuCompareView, imu_compare_view, GTK_TYPE_BOX)

enum {
  SIGNAL_CLOSED,
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void compute_selection (ImuCompareView *self);

/* ---- jobs in a worker thread, each on its own connection ---- */

typedef enum {
  JOB_LOAD,      /* a comparison: sessions, streams, offsets, events */
  JOB_DIFF,      /* the differences over [t0, t1] with the offsets given */
  JOB_SAVE,
} JobKind;

typedef struct {
  JobKind             kind;
  char               *path;
  guint               n;
  gint64              ids[IMU_COMPARE_MAX_SESSIONS];
  gint64              saved_id;    /* JOB_LOAD: a saved one to open */
  ImuAlignSpec        align;
  char               *stream;
  gint64              t0, t1;
  ImuSavedComparison *save;        /* JOB_SAVE */
} Job;

typedef struct {
  ImuComparison      *comparison;
  ImuSavedComparison *saved;
  GPtrArray          *events[IMU_COMPARE_MAX_SESSIONS];
} JobResult;

static void
job_free (Job *job)
{
  g_free (job->path);
  g_free (job->stream);
  imu_align_spec_clear (&job->align);
  g_clear_pointer (&job->save, imu_saved_comparison_free);
  g_free (job);
}

static void
job_result_free (JobResult *r)
{
  g_clear_pointer (&r->comparison, imu_comparison_free);
  g_clear_pointer (&r->saved, imu_saved_comparison_free);
  for (guint i = 0; i < IMU_COMPARE_MAX_SESSIONS; i++)
    g_clear_pointer (&r->events[i], g_ptr_array_unref);
  g_free (r);
}

static void
job_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (job->path, &error);
  JobResult *r;
  const char *stream = job->stream;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  r = g_new0 (JobResult, 1);
  if (job->kind == JOB_SAVE)
    {
      if (!imu_comparison_store_save (store, job->save, &error))
        goto fail;
      r->saved = g_steal_pointer (&job->save);
      g_task_return_pointer (task, r, (GDestroyNotify) job_result_free);
      return;
    }
  if (job->kind == JOB_LOAD && job->saved_id > 0)
    {
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, job->saved_id);

      if (!(r->saved = imu_comparison_store_load (store, id, &error)))
        goto fail;
      imu_align_spec_clear (&job->align);
      imu_saved_comparison_to_align_spec (r->saved, &job->align, &stream);
      job->n = r->saved->n_members;
      for (guint i = 0; i < job->n; i++)
        job->ids[i] = r->saved->members[i].session_id;
    }
  if (!(r->comparison = imu_compare_sessions (store, job->ids, job->n, stream, &job->align,
                                              job->t0, job->t1, cancellable, &error)))
    goto fail;
  if (job->kind == JOB_LOAD)
    for (guint i = 0; i < job->n; i++)
      if (!(r->events[i] = imu_store_list_events (store, job->ids[i], &error)))
        goto fail;
  g_task_return_pointer (task, r, (GDestroyNotify) job_result_free);
  return;

fail:
  job_result_free (r);
  g_task_return_error (task, g_steal_pointer (&error));
}

static Job *
job_new (ImuCompareView *self, JobKind kind)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->path = g_strdup (imu_library_get_path (self->library));
  job->n = self->n;
  for (guint i = 0; i < self->n; i++)
    job->ids[i] = self->members[i].session_id;
  return job;
}

/* The offsets shown, as an alignment. */
static void
job_use_offsets (ImuCompareView *self, Job *job)
{
  job->align.method = IMU_ALIGN_OFFSET;
  job->align.n_offsets = self->n;
  for (guint i = 0; i < self->n; i++)
    job->align.offsets_ns[i] = i == 0 ? 0 : self->members[i].offset_ns;
  /* One stream name for all when they share it; else each one's default. */
  job->stream = g_strdup (self->members[0].stream);
  for (guint i = 1; job->stream != NULL && i < self->n; i++)
    if (g_strcmp0 (self->members[i].stream, job->stream) != 0)
      g_clear_pointer (&job->stream, g_free);
}

static void
run_job (ImuCompareView *self, Job *job, GCancellable *cancellable, GAsyncReadyCallback callback)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, NULL);

  g_task_set_source_tag (task, run_job);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_run_in_thread (task, job_worker);
}

static void
set_busy (ImuCompareView *self, gboolean busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, self->busy || self->diff_busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.save", !busy && self->n >= 2);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "compare.save-as", !busy && self->n >= 2);
}

/* ---- offsets ---- */

static char *
format_offset (gint64 offset_ns)
{
  return g_strdup_printf ("%+.3f", (double) offset_ns / 1e9);
}

/* Sets session @i's offset everywhere it shows (not the spin button when
 * it is the spin button that changed). */
static void
set_offset (ImuCompareView *self, guint i, gint64 offset_ns, gboolean from_spin)
{
  Member *m = &self->members[i];

  if (i == 0 || i >= self->n)
    return;
  offset_ns = CLAMP (offset_ns, (gint64) (-MAX_OFFSET_S * 1e9), (gint64) (MAX_OFFSET_S * 1e9));
  m->offset_ns = offset_ns;
  if (!from_spin && m->spin != NULL)
    {
      self->updating++;
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (m->spin), (double) offset_ns / 1e9);
      self->updating--;
    }
  imu_plot_set_overlay_offset (self->plot, i - 1, offset_ns);
}

/* A person changed an offset: the alignment is theirs now. */
static void
offsets_edited (ImuCompareView *self)
{
  g_free (self->align_text);
  self->align_text = g_strdup ("manual");
  gtk_label_set_text (self->status_label, _("Offsets set by hand."));
  compute_selection (self);
}

static void
spin_changed_cb (GtkSpinButton *spin, ImuCompareView *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (spin), "member"));

  if (self->updating > 0)
    return;
  set_offset (self, i, (gint64) llround (gtk_spin_button_get_value (spin) * 1e9), TRUE);
  offsets_edited (self);
}

static guint
current_member (ImuCompareView *self)
{
  GtkListBoxRow *row = gtk_list_box_get_selected_row (self->sessions_list);
  int i = row != NULL ? gtk_list_box_row_get_index (row) : 1;

  return i >= 1 && (guint) i < self->n ? (guint) i : 1;
}

static void
nudge_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ImuCompareView *self = IMU_COMPARE_VIEW (widget);
  guint i = current_member (self);
  Member *m;
  gint64 step;

  if (self->n < 2)
    return;
  m = &self->members[i];
  /* One sample period of that session (10 ms when unknown). */
  step = m->rate_hz > 0 ? (gint64) llround (1e9 / m->rate_hz) : 10000000;
  set_offset (self, i, m->offset_ns + g_variant_get_int32 (param) * step, FALSE);
  offsets_edited (self);
}

/* Dragging a session's row header moves its trace with the pointer. */
static void
drag_begin_cb (GtkGestureDrag *gesture, double x, double y, ImuCompareView *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (gesture), "member"));

  self->members[i].drag_start_s = (double) self->members[i].offset_ns / 1e9;
  gtk_list_box_select_row (self->sessions_list, GTK_LIST_BOX_ROW (self->members[i].row));
}

static void
drag_update_cb (GtkGestureDrag *gesture, double dx, double dy, ImuCompareView *self)
{
  guint i = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (gesture), "member"));
  graphene_rect_t area;
  gint64 t0, t1;
  double per_px;

  if (!imu_plot_get_lane_area (self->plot, 0, &area, NULL, NULL) || area.size.width < 1)
    return;
  imu_plot_get_visible_range (self->plot, &t0, &t1);
  /* The trace follows the pointer: a pixel is a pixel's worth of time. */
  per_px = (double) (t1 - t0) / 1e9 / area.size.width;
  set_offset (self, i, (gint64) llround ((self->members[i].drag_start_s + dx * per_px) * 1e9), FALSE);
}

static void
drag_end_cb (GtkGestureDrag *gesture, double dx, double dy, ImuCompareView *self)
{
  if (dx != 0)
    offsets_edited (self);
}

/* ---- align by event ---- */

static void
event_chosen_cb (GtkDropDown *dropdown, GParamSpec *pspec, ImuCompareView *self)
{
  const ImuEvent *ref, *e;
  guint k;

  if (self->updating > 0 || self->n < 2 || self->members[0].events_dropdown == NULL)
    return;
  k = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->members[0].events_dropdown));
  if (k == GTK_INVALID_LIST_POSITION || k >= self->members[0].events->len)
    return;
  ref = g_ptr_array_index (self->members[0].events, k);
  for (guint i = 1; i < self->n; i++)
    {
      Member *m = &self->members[i];

      if (m->events_dropdown == NULL)
        continue;
      k = gtk_drop_down_get_selected (GTK_DROP_DOWN (m->events_dropdown));
      if (k == GTK_INVALID_LIST_POSITION || k >= m->events->len)
        continue;
      e = g_ptr_array_index (m->events, k);
      set_offset (self, i, ref->t_ns - e->t_ns, FALSE);
    }
  g_free (self->align_text);
  self->align_text = g_strdup ("event");
  gtk_label_set_text (self->status_label, _("Aligned by the events chosen in each session."));
  compute_selection (self);
}

static void
show_event_choosers (ImuCompareView *self, gboolean show)
{
  gboolean any_missing = FALSE;

  for (guint i = 0; i < self->n; i++)
    if (self->members[i].events_dropdown != NULL)
      gtk_widget_set_visible (self->members[i].events_dropdown, show);
    else
      any_missing = TRUE;
  if (show && any_missing)
    gtk_label_set_text (self->status_label, _("Some sessions have no events: add markers to align by an event."));
  else if (show)
    {
      gtk_label_set_text (self->status_label, _("Choose an event in each session."));
      event_chosen_cb (NULL, NULL, self);
    }
}

/* ---- the session rows ---- */

static char *
event_text (const ImuEvent *e, gint64 start_ns)
{
  double s = (double) (e->t_ns - start_ns) / 1e9;

  /* TRANSLATORS: an event in a list: its label and its time after the start, "Go (12.5 s)" */
  return g_strdup_printf (_("%s (%.1f s)"), e->label != NULL && *e->label ? e->label : _("Event"), s);
}

static GtkWidget *
member_row (ImuCompareView *self, guint i, gint64 start_ns)
{
  Member *m = &self->members[i];
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *swatch = gtk_label_new (NULL);
  GtkWidget *title = gtk_label_new (m->title);
  GtkWidget *sub;
  g_autofree char *rate = m->rate_hz > 0 ? g_strdup_printf ("%.4g Hz", m->rate_hz) : g_strdup ("");
  g_autofree char *sub_text = NULL;
  g_autofree char *markup = NULL;
  g_autofree char *a11y = NULL;
  GdkRGBA color;

  imu_plot_get_session_color (self->plot, i, &color);
  markup = g_strdup_printf ("<span foreground=\"#%02x%02x%02x\" size=\"x-large\">●</span>",
                            (int) (color.red * 255 + 0.5), (int) (color.green * 255 + 0.5),
                            (int) (color.blue * 255 + 0.5));
  gtk_label_set_markup (GTK_LABEL (swatch), markup);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (title, "heading");
  if (i == 0)
    /* TRANSLATORS: under a session's title in a comparison: "accelerometer · 100 Hz · the reference" */
    sub_text = g_strdup_printf (_("%s · %s · the reference"), m->stream, rate);
  else
    sub_text = g_strdup_printf ("%s · %s", m->stream, rate);
  sub = gtk_label_new (sub_text);
  gtk_label_set_xalign (GTK_LABEL (sub), 0);
  gtk_widget_add_css_class (sub, "dim-label");
  gtk_widget_add_css_class (sub, "caption");
  gtk_box_append (GTK_BOX (texts), title);
  gtk_box_append (GTK_BOX (texts), sub);
  gtk_box_append (GTK_BOX (header), swatch);
  gtk_box_append (GTK_BOX (header), texts);
  gtk_widget_set_hexpand (header, TRUE);
  gtk_box_append (GTK_BOX (box), header);

  if (m->events != NULL && m->events->len > 0)
    {
      GtkStringList *labels = gtk_string_list_new (NULL);

      for (guint k = 0; k < m->events->len; k++)
        {
          g_autofree char *text = event_text (g_ptr_array_index (m->events, k), start_ns);

          gtk_string_list_append (labels, text);
        }
      m->events_dropdown = gtk_drop_down_new (G_LIST_MODEL (labels), NULL);
      gtk_widget_set_tooltip_text (m->events_dropdown, _("The event to align on"));
      gtk_widget_set_visible (m->events_dropdown, FALSE);
      g_signal_connect (m->events_dropdown, "notify::selected", G_CALLBACK (event_chosen_cb), self);
      gtk_box_append (GTK_BOX (box), m->events_dropdown);
    }

  if (i > 0)
    {
      GtkWidget *label = gtk_label_new_with_mnemonic (_("_Offset (s)"));
      GtkGesture *drag = gtk_gesture_drag_new ();

      m->spin = gtk_spin_button_new_with_range (-MAX_OFFSET_S, MAX_OFFSET_S, 0.001);
      gtk_spin_button_set_digits (GTK_SPIN_BUTTON (m->spin), 3);
      gtk_spin_button_set_increments (GTK_SPIN_BUTTON (m->spin), 0.01, 1.0);
      gtk_spin_button_set_value (GTK_SPIN_BUTTON (m->spin), (double) m->offset_ns / 1e9);
      gtk_widget_set_valign (m->spin, GTK_ALIGN_CENTER);
      gtk_label_set_mnemonic_widget (GTK_LABEL (label), m->spin);
      /* TRANSLATORS: accessible name of an offset's spin button, with the session's title */
      a11y = g_strdup_printf (_("Offset of “%s” in seconds"), m->title);
      gtk_accessible_update_property (GTK_ACCESSIBLE (m->spin), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
      g_object_set_data (G_OBJECT (m->spin), "member", GUINT_TO_POINTER (i));
      g_signal_connect (m->spin, "value-changed", G_CALLBACK (spin_changed_cb), self);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), m->spin);

      g_object_set_data (G_OBJECT (drag), "member", GUINT_TO_POINTER (i));
      g_signal_connect (drag, "drag-begin", G_CALLBACK (drag_begin_cb), self);
      g_signal_connect (drag, "drag-update", G_CALLBACK (drag_update_cb), self);
      g_signal_connect (drag, "drag-end", G_CALLBACK (drag_end_cb), self);
      gtk_widget_add_controller (header, GTK_EVENT_CONTROLLER (drag));
      gtk_widget_set_tooltip_text (header, _("Drag sideways to move this session in time"));
      gtk_widget_set_cursor_from_name (header, "ew-resize");
    }
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  m->row = row;
  return row;
}

static void
clear_members (ImuCompareView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->sessions_list))) != NULL)
    gtk_list_box_remove (self->sessions_list, child);
  for (guint i = 0; i < IMU_COMPARE_MAX_SESSIONS; i++)
    {
      Member *m = &self->members[i];

      g_clear_pointer (&m->title, g_free);
      g_clear_pointer (&m->stream, g_free);
      g_clear_pointer (&m->events, g_ptr_array_unref);
      m->row = m->spin = m->events_dropdown = NULL;
      m->offset_ns = 0;
    }
  self->n = 0;
}

/* ---- the selection's differences ---- */

static void
clear_grid (ImuCompareView *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->diff_grid))) != NULL)
    gtk_grid_remove (self->diff_grid, child);
}

static GtkWidget *
grid_label (const char *text, gboolean dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "numeric");
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static char *
format_number (double v)
{
  return isfinite (v) ? g_strdup_printf ("%.4g", v) : g_strdup ("–");
}

static void
show_diff (ImuCompareView *self)
{
  const ImuComparison *c = self->diff;
  int col = 1;

  clear_grid (self);
  if (c == NULL)
    return;
  gtk_grid_attach (self->diff_grid, grid_label (_("Channel"), TRUE), 0, 0, 1, 1);
  for (guint i = 0; i < c->n_members; i++)
    {
      /* TRANSLATORS: a column of the differences: the mean of one session, "Mean “Run B”" */
      g_autofree char *head = g_strdup_printf (_("Mean “%s”"), c->members[i].title);

      gtk_grid_attach (self->diff_grid, grid_label (head, TRUE), col++, 0, 1, 1);
    }
  for (guint i = 1; i < c->n_members; i++)
    {
      /* TRANSLATORS: columns of the differences with one session: "RMS diff. “Run B”" */
      g_autofree char *rms = g_strdup_printf (_("RMS diff. “%s”"), c->members[i].title);
      g_autofree char *r = g_strdup_printf (_("Correlation “%s”"), c->members[i].title);

      gtk_grid_attach (self->diff_grid, grid_label (rms, TRUE), col++, 0, 1, 1);
      gtk_grid_attach (self->diff_grid, grid_label (r, TRUE), col++, 0, 1, 1);
    }
  for (guint k = 0; k < c->n_channels; k++)
    {
      const ImuCompareChannel *ch = &c->channels[k];
      g_autofree char *name = *ch->unit ? g_strdup_printf ("%s (%s)", ch->name, ch->unit) : g_strdup (ch->name);

      col = 1;
      gtk_grid_attach (self->diff_grid, grid_label (name, FALSE), 0, (int) k + 1, 1, 1);
      for (guint i = 0; i < c->n_members; i++)
        {
          g_autofree char *v = format_number (ch->mean[i]);

          gtk_grid_attach (self->diff_grid, grid_label (v, FALSE), col++, (int) k + 1, 1, 1);
        }
      for (guint i = 1; i < c->n_members; i++)
        {
          g_autofree char *rms = format_number (ch->rms[i]);
          g_autofree char *r = isfinite (ch->correlation[i]) ? g_strdup_printf ("%.3f", ch->correlation[i])
                                                              : g_strdup ("–");

          gtk_grid_attach (self->diff_grid, grid_label (rms, FALSE), col++, (int) k + 1, 1, 1);
          gtk_grid_attach (self->diff_grid, grid_label (r, FALSE), col++, (int) k + 1, 1, 1);
        }
    }
}

static void
diff_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImuCompareView *self = IMU_COMPARE_VIEW (source);
  g_autoptr(GError) error = NULL;
  JobResult *r = g_task_propagate_pointer (G_TASK (result), &error);

  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->diff_busy = FALSE;
  gtk_spinner_set_spinning (self->spinner, self->busy);
  g_clear_pointer (&self->diff, imu_comparison_free);
  if (r == NULL)
    {
      clear_grid (self);
      /* TRANSLATORS: %s says why, e.g. "once aligned, the sessions share no time to compare" */
      g_autofree char *text = g_strdup_printf (_("No differences for this range: %s"), error->message);

      gtk_label_set_text (self->diff_title, text);
      return;
    }
  self->diff = g_steal_pointer (&r->comparison);
  job_result_free (r);
  {
    /* TRANSLATORS: over the differences of a selection: "Selection: 12.50 s" */
    g_autofree char *text = g_strdup_printf (_("Selection: %.2f s, each session at the reference’s times"),
                                             (double) (self->diff->t1_ns - self->diff->t0_ns) / 1e9);

    gtk_label_set_text (self->diff_title, text);
  }
  show_diff (self);
}

static void
compute_selection (ImuCompareView *self)
{
  Job *job;

  g_cancellable_cancel (self->diff_cancellable);
  g_clear_object (&self->diff_cancellable);
  if (self->n < 2 || self->sel1 <= self->sel0)
    {
      self->diff_busy = FALSE;
      gtk_spinner_set_spinning (self->spinner, self->busy);
      g_clear_pointer (&self->diff, imu_comparison_free);
      gtk_revealer_set_reveal_child (self->diff_revealer, FALSE);
      return;
    }
  self->diff_cancellable = g_cancellable_new ();
  self->diff_busy = TRUE;
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_revealer_set_reveal_child (self->diff_revealer, TRUE);
  gtk_label_set_text (self->diff_title, _("Computing the differences…"));
  job = job_new (self, JOB_DIFF);
  job_use_offsets (self, job);
  job->t0 = self->sel0;
  job->t1 = self->sel1;
  run_job (self, job, self->diff_cancellable, diff_done_cb);
}

static void
selection_changed_cb (ImuPlot *plot, gint64 t0, gint64 t1, ImuCompareView *self)
{
  self->sel0 = t0;
  self->sel1 = t1;
  compute_selection (self);
}

/* ---- loading and aligning ---- */

static void
show_align_result (ImuCompareView *self, const ImuComparison *c)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (c->method == IMU_ALIGN_START)
    g_string_append (text, _("Aligned by start."));
  else if (c->method == IMU_ALIGN_XCORR)
    for (guint i = 1; i < c->n_members; i++)
      {
        const ImuCompareMember *m = &c->members[i];
        g_autofree char *offset = format_offset (m->offset_ns);

        if (text->len > 0)
          g_string_append (text, " ");
        if (m->clear_peak)
          /* TRANSLATORS: "“Run B”: +12.345 s found, correlation 0.98." */
          g_string_append_printf (text, _("“%s”: %s s found, correlation %.2f."), m->title, offset, m->correlation);
        else if (isfinite (m->correlation))
          /* TRANSLATORS: "“Run B”: no clear peak (best correlation 0.12), aligned by start." */
          g_string_append_printf (text, _("“%s”: no clear peak (best correlation %.2f), aligned by start."),
                                  m->title, m->correlation);
        else
          g_string_append_printf (text, _("“%s”: too little shared movement to correlate, aligned by start."),
                                  m->title);
      }
  gtk_label_set_text (self->status_label, text->str);
}

static void
align_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImuCompareView *self = IMU_COMPARE_VIEW (source);
  g_autoptr(GError) error = NULL;
  JobResult *r = g_task_propagate_pointer (G_TASK (result), &error);

  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (r == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot align: %s"), error->message);

      gtk_label_set_text (self->status_label, text);
      return;
    }
  for (guint i = 1; i < self->n && i < r->comparison->n_members; i++)
    set_offset (self, i, r->comparison->members[i].offset_ns, FALSE);
  g_free (self->align_text);
  self->align_text = g_strdup (r->comparison->method == IMU_ALIGN_XCORR ? "xcorr" : "start");
  show_align_result (self, r->comparison);
  job_result_free (r);
  compute_selection (self);
}

static void
align (ImuCompareView *self, ImuAlignMethod method)
{
  Job *job;

  if (self->n < 2)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  gtk_label_set_text (self->status_label, method == IMU_ALIGN_XCORR ? _("Looking for the best match…")
                                                                    : _("Aligning…"));
  job = job_new (self, JOB_DIFF);
  job->align.method = method;
  job->stream = g_strdup (self->members[0].stream);
  for (guint i = 1; job->stream != NULL && i < self->n; i++)
    if (g_strcmp0 (self->members[i].stream, job->stream) != 0)
      g_clear_pointer (&job->stream, g_free);
  run_job (self, job, self->cancellable, align_done_cb);
}

static void
align_changed_cb (GtkDropDown *dropdown, GParamSpec *pspec, ImuCompareView *self)
{
  guint row = gtk_drop_down_get_selected (dropdown);

  if (self->updating > 0)
    return;
  show_event_choosers (self, row == ALIGN_ROW_EVENT);
  if (row == ALIGN_ROW_START)
    align (self, IMU_ALIGN_START);
  else if (row == ALIGN_ROW_XCORR)
    align (self, IMU_ALIGN_XCORR);
}

static void
update_title (ImuCompareView *self)
{
  g_autoptr(GString) text = g_string_new (NULL);

  if (self->saved_title != NULL)
    g_string_append (text, self->saved_title);
  else
    for (guint i = 0; i < self->n; i++)
      {
        if (i > 0)
          /* TRANSLATORS: between the titles of compared sessions */
          g_string_append (text, _(" vs "));
        g_string_append (text, self->members[i].title);
      }
  gtk_label_set_text (self->title_label, text->str);
}

static void
load_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImuCompareView *self = IMU_COMPARE_VIEW (source);
  g_autoptr(GError) error = NULL;
  JobResult *r = g_task_propagate_pointer (G_TASK (result), &error);
  const ImuComparison *c;
  ImuSession *reference;
  gint64 start_ns = 0;

  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (r == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot compare these sessions: %s"), error->message);

      gtk_label_set_text (self->status_label, text);
      return;
    }
  c = r->comparison;
  clear_members (self);
  self->n = c->n_members;
  if (r->saved != NULL)
    {
      self->saved_id = r->saved->id;
      g_free (self->saved_title);
      self->saved_title = g_strdup (r->saved->title);
      g_free (self->align_text);
      self->align_text = g_strdup (r->saved->align);
    }
  for (guint i = 0; i < c->n_members; i++)
    {
      Member *m = &self->members[i];

      m->session_id = c->members[i].session_id;
      m->title = g_strdup (c->members[i].title);
      m->stream = g_strdup (c->members[i].stream_name);
      m->rate_hz = c->members[i].rate_hz;
      m->offset_ns = c->members[i].offset_ns;
      m->events = g_steal_pointer (&r->events[i]);
    }
  reference = imu_library_lookup (self->library, self->members[0].session_id);
  for (guint i = 0; i < self->n; i++)
    {
      ImuSession *s = imu_library_lookup (self->library, self->members[i].session_id);

      /* Each session's events are listed from its own start. */
      start_ns = s != NULL ? imu_session_get_start_ns (s) : 0;
      gtk_list_box_append (self->sessions_list, member_row (self, i, start_ns));
    }
  if (self->n > 1)
    gtk_list_box_select_row (self->sessions_list, GTK_LIST_BOX_ROW (self->members[1].row));

  imu_plot_clear_overlays (self->plot);
  imu_plot_set_compare_stream (self->plot, self->members[0].stream);
  imu_plot_set_session (self->plot, imu_library_get_path (self->library), reference);
  for (guint i = 1; i < self->n; i++)
    imu_plot_add_overlay (self->plot, self->members[i].session_id, self->members[i].stream,
                          self->members[i].offset_ns);

  self->updating++;
  gtk_drop_down_set_selected (self->align_dropdown, r->saved != NULL && g_str_has_prefix (r->saved->align, "xcorr")
                                                    ? ALIGN_ROW_XCORR : ALIGN_ROW_START);
  self->updating--;
  update_title (self);
  if (r->saved != NULL)
    /* TRANSLATORS: a saved comparison reopened */
    gtk_label_set_text (self->status_label, _("Saved offsets."));
  else
    show_align_result (self, c);
  job_result_free (r);
  self->sel0 = self->sel1 = 0;
  compute_selection (self);
}

static void
start_load (ImuCompareView *self, ImuLibrary *library, Job *job)
{
  g_set_object (&self->library, library);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->saved_id = 0;
  g_clear_pointer (&self->saved_title, g_free);
  g_free (self->align_text);
  self->align_text = g_strdup ("start");
  set_busy (self, TRUE);
  gtk_label_set_text (self->status_label, _("Reading the sessions…"));
  run_job (self, job, self->cancellable, load_done_cb);
}

/* ---- saving ---- */

static void
save_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImuCompareView *self = IMU_COMPARE_VIEW (source);
  g_autoptr(GError) error = NULL;
  JobResult *r = g_task_propagate_pointer (G_TASK (result), &error);

  if (r == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  set_busy (self, FALSE);
  if (r == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot save the comparison: %s"), error->message);

      gtk_label_set_text (self->status_label, text);
      return;
    }
  self->saved_id = r->saved->id;
  g_free (self->saved_title);
  self->saved_title = g_strdup (r->saved->title);
  update_title (self);
  gtk_label_set_text (self->status_label, _("Saved in the library."));
  job_result_free (r);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->saved_id);
}

static void
save_as (ImuCompareView *self, const char *title)
{
  Job *job;

  if (self->n < 2 || self->busy)
    return;
  job = job_new (self, JOB_SAVE);
  job->save = imu_saved_comparison_new (title, self->align_text);
  job->save->id = self->saved_id;
  for (guint i = 0; i < self->n; i++)
    imu_saved_comparison_add_member (job->save, self->members[i].session_id, self->members[i].stream,
                                     self->members[i].offset_ns);
  set_busy (self, TRUE);
  run_job (self, job, self->cancellable, save_done_cb);
}

static void
save_as_action (GtkWidget *widget, const char *name, GVariant *param)
{
  save_as (IMU_COMPARE_VIEW (widget), g_variant_get_string (param, NULL));
}

static void
save_response_cb (AdwMessageDialog *dialog, const char *response, ImuCompareView *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  if (g_str_equal (response, "save") && *title != '\0')
    save_as (self, title);
}

static void
title_changed_cb (GtkEditable *entry, AdwMessageDialog *dialog)
{
  g_autofree char *title = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "save", *title != '\0');
}

static void
save_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ImuCompareView *self = IMU_COMPARE_VIEW (widget);
  GtkWidget *dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                              _("Save Comparison"),
                                              _("The sessions, their streams and offsets are kept in the library."));
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), gtk_label_get_text (self->title_label));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Title"), -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _("_Cancel"), "save", _("_Save"), NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (entry, "changed", G_CALLBACK (title_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (save_response_cb), self, 0);
  title_changed_cb (GTK_EDITABLE (entry), ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
close_action (GtkWidget *widget, const char *name, GVariant *param)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

/* ---- the class ---- */

static void
imu_compare_view_dispose (GObject *object)
{
  ImuCompareView *self = IMU_COMPARE_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  g_cancellable_cancel (self->diff_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->diff_cancellable);
  if (self->sessions_list != NULL)
    clear_members (self);
  g_clear_pointer (&self->diff, imu_comparison_free);
  g_clear_object (&self->library);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_COMPARE_VIEW);

  G_OBJECT_CLASS (imu_compare_view_parent_class)->dispose (object);
}

static void
imu_compare_view_finalize (GObject *object)
{
  ImuCompareView *self = IMU_COMPARE_VIEW (object);

  g_free (self->saved_title);
  g_free (self->align_text);

  G_OBJECT_CLASS (imu_compare_view_parent_class)->finalize (object);
}

static void
imu_compare_view_class_init (ImuCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_compare_view_dispose;
  object_class->finalize = imu_compare_view_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);

  g_type_ensure (IMU_TYPE_PLOT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-compare-view.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, title_label);
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, align_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, spinner);
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, status_label);
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, sessions_list);
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, plot);
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, diff_revealer);
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, diff_title);
  gtk_widget_class_bind_template_child (widget_class, ImuCompareView, diff_grid);

  gtk_widget_class_install_action (widget_class, "compare.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "compare.save-as", "s", save_as_action);
  gtk_widget_class_install_action (widget_class, "compare.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "compare.nudge", "i", nudge_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketleft, 0, "compare.nudge", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_bracketright, 0, "compare.nudge", "i", 1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "compare.nudge", "i", -1);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "compare.nudge", "i", 1);
}

static void
imu_compare_view_init (ImuCompareView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->align_text = g_strdup ("start");
  g_signal_connect (self->align_dropdown, "notify::selected", G_CALLBACK (align_changed_cb), self);
  g_signal_connect (self->plot, "selection-changed", G_CALLBACK (selection_changed_cb), self);
  set_busy (self, FALSE);
}

GtkWidget *
imu_compare_view_new (void)
{
  return g_object_new (IMU_TYPE_COMPARE_VIEW, NULL);
}

void
imu_compare_view_open (ImuCompareView *self,
                       ImuLibrary     *library,
                       const gint64   *session_ids,
                       guint           n_sessions)
{
  Job *job;

  g_return_if_fail (IMU_IS_COMPARE_VIEW (self));
  g_return_if_fail (IMU_IS_LIBRARY (library));
  g_return_if_fail (n_sessions >= 2 && n_sessions <= IMU_COMPARE_MAX_SESSIONS);

  job = g_new0 (Job, 1);
  job->kind = JOB_LOAD;
  job->path = g_strdup (imu_library_get_path (library));
  job->n = n_sessions;
  memcpy (job->ids, session_ids, n_sessions * sizeof (gint64));
  job->align.method = IMU_ALIGN_START;
  start_load (self, library, job);
}

void
imu_compare_view_open_saved (ImuCompareView *self,
                             ImuLibrary     *library,
                             gint64          comparison_id)
{
  Job *job;

  g_return_if_fail (IMU_IS_COMPARE_VIEW (self));
  g_return_if_fail (IMU_IS_LIBRARY (library));

  job = g_new0 (Job, 1);
  job->kind = JOB_LOAD;
  job->path = g_strdup (imu_library_get_path (library));
  job->saved_id = comparison_id;
  start_load (self, library, job);
}

gboolean
imu_compare_view_is_busy (ImuCompareView *self)
{
  g_return_val_if_fail (IMU_IS_COMPARE_VIEW (self), FALSE);
  return self->busy || self->diff_busy;
}

guint
imu_compare_view_get_n_sessions (ImuCompareView *self)
{
  g_return_val_if_fail (IMU_IS_COMPARE_VIEW (self), 0);
  return self->n;
}

gint64
imu_compare_view_get_offset (ImuCompareView *self,
                             guint           index)
{
  g_return_val_if_fail (IMU_IS_COMPARE_VIEW (self), 0);
  return index < self->n ? self->members[index].offset_ns : 0;
}

gint64
imu_compare_view_get_saved_id (ImuCompareView *self)
{
  g_return_val_if_fail (IMU_IS_COMPARE_VIEW (self), 0);
  return self->saved_id;
}

const ImuComparison *
imu_compare_view_get_selection_result (ImuCompareView *self)
{
  g_return_val_if_fail (IMU_IS_COMPARE_VIEW (self), NULL);
  return self->diff;
}

GtkWidget *
imu_compare_view_get_plot (ImuCompareView *self)
{
  g_return_val_if_fail (IMU_IS_COMPARE_VIEW (self), NULL);
  return GTK_WIDGET (self->plot);
}
