/* imu-profile-page.c — a session's profile: key numbers, findings, intensity
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-profile-page"

#include <inttypes.h>
#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-context.h"
#include "imu-format.h"
#include "imu-intensity-chart.h"
#include "imu-profile-page.h"

struct _ImuProfilePage
{
  GtkWidget          parent_instance;

  char              *library_path;
  gint64             session_id;
  ImuProfile        *profile;
  GCancellable      *cancellable;   /* of the computation in flight */
  guint              generation;    /* tells a finished job from a stale one */
  guint              n_computed;
  gboolean           busy;
  GPtrArray         *stream_widgets;
  GSettings         *settings;      /* the unit preferences */

  GtkLabel          *status_label;
  GtkWidget         *recompute_button;
  GtkWidget         *export_button;
  GtkStack          *stack;
  GtkProgressBar    *progress_bar;
  GtkListBox        *findings_list;
  GtkWidget         *intensity_box;
  ImuIntensityChart *intensity_chart;
  GtkLabel          *legend_label;
  GtkBox            *streams_box;
};

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  SIGNAL_FINDING_ACTIVATED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (ImuProfilePage, imu_profile_page, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void start (ImuProfilePage *self, gboolean force);

static void
toast (ImuProfilePage *self,
       const char     *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
update_actions (ImuProfilePage *self)
{
  gboolean can = self->library_path != NULL && self->session_id > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.recompute", can && !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.cancel", self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "profile.export", self->profile != NULL && !self->busy);
}

static void
set_busy (ImuProfilePage *self,
          gboolean        busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* Reading profile.json */

static JsonObject *
member_object (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
member_array (JsonObject *o,
              const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* Unknown values are null in profile.json: NAN here. */
static double
member_double (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : NAN;
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, name) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

/* A statistic in the shown unit, with 6 significant digits; an em dash
 * when unknown. The format of the plot's readout and the Details page. */
static char *
format_number (double value)
{
  return imu_format_value (value);
}

/* Showing a profile */

static GtkWidget *
cell_new (const char *text,
          float       xalign,
          gboolean    dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (label, "numeric");
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static const char *
severity_icon (ImuSeverity severity)
{
  switch (severity)
    {
    case IMU_SEVERITY_ERROR:   return "dialog-error-symbolic";
    case IMU_SEVERITY_WARNING: return "dialog-warning-symbolic";
    case IMU_SEVERITY_INFO:
    default:                   return "dialog-information-symbolic";
    }
}

static const char *
severity_class (ImuSeverity severity)
{
  switch (severity)
    {
    case IMU_SEVERITY_ERROR:   return "error";
    case IMU_SEVERITY_WARNING: return "warning";
    case IMU_SEVERITY_INFO:
    default:                   return "accent";
    }
}

static void
fill_findings (ImuProfilePage *self)
{
  JsonArray *findings = member_array (json_node_get_object (imu_profile_get_root (self->profile)), "findings");
  guint n = imu_profile_get_n_findings (self->profile);

  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self->findings_list))) != NULL;)
    gtk_list_box_remove (self->findings_list, child);

  if (n == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("No findings: the data look sound"));
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("emblem-ok-symbolic"));
      gtk_list_box_append (self->findings_list, row);
      return;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ImuFinding) f = imu_profile_dup_finding (self->profile, i);
      JsonObject *fo = findings != NULL && i < json_array_get_length (findings)
                       ? json_array_get_object_element (findings, i) : NULL;
      JsonArray *locations = member_array (fo, "locations");
      JsonObject *first = locations != NULL && json_array_get_length (locations) > 0
                          ? json_array_get_object_element (locations, 0) : NULL;
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *icon = gtk_image_new_from_icon_name (severity_icon (f->severity));
      g_autofree char *count = g_strdup_printf ("%" PRId64, f->count);
      g_autofree char *title = NULL;
      g_autofree char *escaped = NULL;
      GtkWidget *count_label = gtk_label_new (count);

      g_autofree char *subtitle = NULL;
      const char *name = imu_finding_code_title (f->code);

      /* A person's title first; the code (for scripts, reports and
       * searching the documentation) stays as a detail. */
      if (f->stream != NULL && f->channel != NULL)
        title = g_strdup_printf ("%s · %s / %s", name, f->stream, f->channel);
      else if (f->stream != NULL)
        title = g_strdup_printf ("%s · %s", name, f->stream);
      else
        title = g_strdup (name);
      escaped = g_markup_escape_text (title, -1);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
      g_free (escaped);
      /* TRANSLATORS: a finding's message, then its code: "12 gaps longer than 1.5 intervals (W_GAP)" */
      subtitle = g_strdup_printf (_("%s (%s)"), f->message != NULL ? f->message : "", f->code);
      escaped = g_markup_escape_text (subtitle, -1);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
      gtk_widget_add_css_class (icon, severity_class (f->severity));
      gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                      imu_severity_to_string (f->severity), -1);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
      gtk_widget_add_css_class (count_label, "numeric");
      gtk_widget_add_css_class (count_label, "dim-label");
      gtk_widget_set_tooltip_text (count_label, _("Count"));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), count_label);
      g_object_set_data_full (G_OBJECT (row), "code", g_strdup (f->code), g_free);

      /* Only findings with a place in the samples lead to the plot; import
       * findings point at lines of the source file instead. */
      if (first != NULL && json_object_has_member (first, "t_ns"))
        {
          gint64 *t_ns = g_new (gint64, 1);

          *t_ns = json_object_get_int_member (first, "t_ns");
          g_object_set_data_full (G_OBJECT (row), "t-ns", t_ns, g_free);
          /* Spans (gaps, flat lines, clipping runs) have a duration: the
           * plot then shows all of the first one. */
          if (json_object_has_member (first, "duration_s"))
            {
              gint64 *duration_ns = g_new (gint64, 1);

              *duration_ns = (gint64) (member_double (first, "duration_s") * 1e9);
              g_object_set_data_full (G_OBJECT (row), "duration-ns", duration_ns, g_free);
            }
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
          gtk_widget_set_tooltip_text (row, _("Show the first occurrence in the signals"));
        }
      gtk_list_box_append (self->findings_list, row);
    }
}

static void
add_key (GtkGrid    *grid,
         int         column,
         const char *title,
         const char *value)
{
  GtkWidget *t = cell_new (title, 0, TRUE);
  GtkWidget *v = cell_new (value, 0, FALSE);

  gtk_widget_remove_css_class (t, "numeric");
  gtk_widget_add_css_class (t, "caption");
  /* A rate with its nominal value is long: it wraps rather than hide. */
  gtk_label_set_ellipsize (GTK_LABEL (v), PANGO_ELLIPSIZE_NONE);
  gtk_label_set_wrap (GTK_LABEL (v), TRUE);
  gtk_widget_add_css_class (v, "heading");
  gtk_widget_set_hexpand (v, TRUE);
  gtk_grid_attach (grid, t, column, 0, 1, 1);
  gtk_grid_attach (grid, v, column, 1, 1, 1);
}

static GtkWidget *
stream_card_new (ImuProfilePage *self,
                 JsonObject     *stream)
{
  g_autofree char *accel_pref = g_settings_get_string (self->settings, "accel-unit");
  g_autofree char *gyro_pref = g_settings_get_string (self->settings, "gyro-unit");
  JsonObject *time = member_object (stream, "time");
  JsonArray *channels = member_array (stream, "channels");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *heading = gtk_label_new (member_string (stream, "name"));
  GtkWidget *keys = gtk_grid_new ();
  GtkWidget *grid = gtk_grid_new ();
  double effective = member_double (time, "effective_rate_hz");
  double nominal = member_double (time, "nominal_rate_hz");
  double completeness = member_double (time, "completeness");
  double duration = member_double (time, "duration_s");
  g_autofree char *samples = imu_format_count (json_object_get_int_member_with_default (stream, "samples", 0));
  g_autofree char *eff = isfinite (effective) ? imu_format_rate (effective) : g_strdup ("—");
  g_autofree char *nom = isfinite (nominal) ? imu_format_rate (nominal) : g_strdup (_("not stated"));
  /* Translators: effective sampling rate, then the rate the source stated */
  g_autofree char *rate = g_strdup_printf (_("%s (nominal %s)"), eff, nom);
  g_autofree char *comp = isfinite (completeness) ? g_strdup_printf ("%.2f %%", 100 * completeness) : g_strdup ("—");
  g_autofree char *dur = isfinite (duration) ? imu_format_duration ((gint64) (duration * 1e9)) : g_strdup ("—");
  const char *headers[] = { N_("Channel"), N_("Unit"), N_("Mean"), N_("Std"), N_("Min"), N_("Max") };

  gtk_widget_add_css_class (box, "card");
  gtk_widget_add_css_class (heading, "heading");
  gtk_label_set_xalign (GTK_LABEL (heading), 0);
  gtk_widget_set_margin_start (box, 0);
  g_object_set (box, "margin-top", 0, NULL);
  gtk_box_append (GTK_BOX (box), heading);

  gtk_grid_set_column_spacing (GTK_GRID (keys), 18);
  gtk_grid_set_column_homogeneous (GTK_GRID (keys), TRUE);
  add_key (GTK_GRID (keys), 0, _("Samples"), samples);
  add_key (GTK_GRID (keys), 1, _("Rate"), rate);
  add_key (GTK_GRID (keys), 2, _("Completeness"), comp);
  add_key (GTK_GRID (keys), 3, _("Duration"), dur);
  gtk_box_append (GTK_BOX (box), keys);

  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 2);
  for (guint c = 0; c < G_N_ELEMENTS (headers); c++)
    {
      GtkWidget *h = cell_new (_(headers[c]), c < 2 ? 0 : 1, TRUE);

      gtk_widget_remove_css_class (h, "numeric");
      gtk_widget_add_css_class (h, "caption-heading");
      gtk_widget_set_hexpand (h, c >= 2);
      gtk_grid_attach (GTK_GRID (grid), h, c, 0, 1, 1);
    }
  for (guint i = 0; channels != NULL && i < json_array_get_length (channels); i++)
    {
      JsonObject *ch = json_array_get_object_element (channels, i);
      const char *fields[] = { "mean", "std", "min", "max" };
      double scale;
      /* The unit preferences, as in the plot: "mg" and "1/64 g" too. The
       * standard deviation scales like the values (every unit here is a
       * factor, no offset). */
      const char *unit = imu_format_display_unit (member_string (ch, "unit"), accel_pref, gyro_pref, &scale);

      gtk_grid_attach (GTK_GRID (grid), cell_new (member_string (ch, "name"), 0, FALSE), 0, i + 1, 1, 1);
      gtk_grid_attach (GTK_GRID (grid), cell_new (unit, 0, TRUE), 1, i + 1, 1, 1);
      for (guint k = 0; k < G_N_ELEMENTS (fields); k++)
        {
          g_autofree char *text = format_number (member_double (ch, fields[k]) * scale);

          gtk_grid_attach (GTK_GRID (grid), cell_new (text, 1, FALSE), k + 2, i + 1, 1, 1);
        }
    }
  gtk_box_append (GTK_BOX (box), grid);

  /* The card's padding: the style sheet gives .card none. */
  gtk_widget_set_margin_start (keys, 12);
  gtk_widget_set_margin_end (keys, 12);
  gtk_widget_set_margin_start (grid, 12);
  gtk_widget_set_margin_end (grid, 12);
  gtk_widget_set_margin_bottom (grid, 12);
  gtk_widget_set_margin_start (heading, 12);
  gtk_widget_set_margin_top (heading, 12);
  return box;
}

static void
fill_intensity (ImuProfilePage *self,
                JsonArray      *streams)
{
  for (guint i = 0; streams != NULL && i < json_array_get_length (streams); i++)
    {
      JsonObject *movement = member_object (json_array_get_object_element (streams, i), "movement");
      JsonObject *epochs = member_object (movement, "epochs");
      JsonArray *intensity = member_array (epochs, "intensity");
      g_autofree guint8 *classes = NULL;
      guint n;

      if (intensity == NULL || json_array_get_length (intensity) == 0)
        continue;
      n = json_array_get_length (intensity);
      classes = g_new0 (guint8, n);
      for (guint k = 0; k < n; k++)
        {
          JsonNode *node = json_array_get_element (intensity, k);

          if (JSON_NODE_HOLDS_VALUE (node))
            classes[k] = imu_intensity_from_string (json_node_get_string (node));
        }
      imu_intensity_chart_set_epochs (self->intensity_chart,
                                      json_object_get_int_member_with_default (epochs, "t0_ns", 0),
                                      member_double (epochs, "epoch_s"), classes, n);
      gtk_widget_set_visible (self->intensity_box, TRUE);
      return;
    }
  imu_intensity_chart_set_epochs (self->intensity_chart, 0, 0, NULL, 0);
  gtk_widget_set_visible (self->intensity_box, FALSE);
}

static void
show_profile (ImuProfilePage *self)
{
  JsonObject *root;
  JsonArray *streams;
  const char *generated;
  g_autofree char *status = NULL;

  if (self->stream_widgets != NULL)
    for (guint i = 0; i < self->stream_widgets->len; i++)
      gtk_box_remove (self->streams_box, g_ptr_array_index (self->stream_widgets, i));
  g_ptr_array_set_size (self->stream_widgets, 0);

  if (self->profile == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      update_actions (self);
      return;
    }

  root = json_node_get_object (imu_profile_get_root (self->profile));
  streams = member_array (root, "streams");
  fill_findings (self);
  fill_intensity (self, streams);
  for (guint i = 0; streams != NULL && i < json_array_get_length (streams); i++)
    {
      GtkWidget *card = stream_card_new (self, json_array_get_object_element (streams, i));

      gtk_box_append (self->streams_box, card);
      g_ptr_array_add (self->stream_widgets, card);
    }

  generated = member_string (root, "generated");
  {
    g_autoptr(GDateTime) dt = generated != NULL ? g_date_time_new_from_iso8601 (generated, NULL) : NULL;
    g_autofree char *when = dt != NULL ? imu_format_date_local ((g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt)) * 1000)
                                       : g_strdup (generated != NULL ? generated : "");

    if (imu_profile_is_cached (self->profile))
      /* Translators: %s is the date and time the stored profile was computed */
      status = g_strdup_printf (_("Stored profile, computed %s"), when);
    else
      /* Translators: %s is the date and time the profile was computed */
      status = g_strdup_printf (_("Computed %s"), when);
  }
  gtk_label_set_text (self->status_label, status);
  gtk_stack_set_visible_child_name (self->stack, "profile");
  update_actions (self);
}

/* Computing */

typedef struct {
  ImuProfilePage *page;
  guint           generation;
} Job;

static Job *
job_new (ImuProfilePage *self)
{
  Job *job = g_new0 (Job, 1);

  job->page = g_object_ref (self);
  job->generation = self->generation;
  return job;
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_object_unref (job->page);
  g_free (job);
}

static void
set_progress (ImuProfilePage *self,
              guint64         done,
              guint64         total)
{
  double fraction = total > 0 ? (double) done / total : 0;
  g_autofree char *text = g_strdup_printf ("%.0f %%", 100 * fraction);

  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (fraction, 0, 1));
  gtk_progress_bar_set_text (self->progress_bar, text);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer user_data)
{
  Job *job = user_data;

  if (job->generation == job->page->generation)
    set_progress (job->page, done, total);
}

static void
finish (ImuProfilePage *self,
        ImuProfile     *profile,
        GError         *error)
{
  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);

  if (profile != NULL)
    {
      if (!imu_profile_is_cached (profile))
        self->n_computed++;
      g_clear_pointer (&self->profile, imu_profile_unref);
      self->profile = imu_profile_ref (profile);
      show_profile (self);
      return;
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A cancelled computation is not an error: the previous profile, if
       * any, stays, and the status says how to get a new one. */
      show_profile (self);
      gtk_label_set_text (self->status_label, _("Profiling cancelled. Press Recompute to start again."));
      return;
    }

  {
    g_autofree char *text = g_strdup_printf (_("Could not profile the session: %s"), error->message);

    g_warning ("%s", text);
    show_profile (self);
    gtk_label_set_text (self->status_label, text);
    toast (self, text);
  }
}

static void
get_or_compute_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Job *job = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuProfile) profile = imu_profile_get_or_compute_finish (result, &error);

  if (job->generation == job->page->generation)
    finish (job->page, profile, error);
  job_free (job);
}

/* Recompute: the core's get-or-compute returns a current stored profile,
 * so a forced pass runs imu_profile_compute() and stores the result, in a
 * worker thread of its own with its own connection to the library. */

typedef struct {
  char             *library_path;
  gint64            session_id;
  guint             generation;
  ImuProgressRelay *progress;    /* to progress_cb() on the page's thread */
} RecomputeData;

static void
recompute_data_free (gpointer data)
{
  RecomputeData *rd = data;

  g_free (rd->library_path);
  imu_progress_relay_unref (rd->progress);
  g_free (rd);
}

static void
recompute_worker (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  RecomputeData *rd = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (rd->library_path, &error);
  g_autoptr(ImuProfile) profile = NULL;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  profile = imu_profile_compute (store, rd->session_id, NULL, imu_progress_relay_report, rd->progress,
                                 cancellable, &error);
  if (profile == NULL || !imu_profile_save (store, profile, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&profile), (GDestroyNotify) imu_profile_unref);
}

static void
recompute_done_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  RecomputeData *rd = g_task_get_task_data (G_TASK (result));
  ImuProfilePage *self = IMU_PROFILE_PAGE (object);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuProfile) profile = g_task_propagate_pointer (G_TASK (result), &error);

  if (rd->generation == self->generation)
    finish (self, profile, error);
}

static void
start (ImuProfilePage *self,
       gboolean        force)
{
  if (self->library_path == NULL || self->session_id <= 0)
    return;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->generation++;
  set_busy (self, TRUE);
  set_progress (self, 0, 0);
  gtk_label_set_text (self->status_label, "");
  gtk_stack_set_visible_child_name (self->stack, "progress");

  if (!force)
    {
      imu_profile_get_or_compute_async (self->library_path, self->session_id, NULL,
                                        progress_cb, job_new (self), job_free,
                                        self->cancellable, get_or_compute_done_cb, job_new (self));
    }
  else
    {
      g_autoptr(GTask) task = g_task_new (self, self->cancellable, recompute_done_cb, NULL);
      RecomputeData *rd = g_new0 (RecomputeData, 1);

      rd->library_path = g_strdup (self->library_path);
      rd->session_id = self->session_id;
      rd->generation = self->generation;
      rd->progress = imu_progress_relay_new (progress_cb, job_new (self), job_free);
      g_task_set_source_tag (task, start);
      g_task_set_task_data (task, rd, recompute_data_free);
      imu_task_run_in_thread (task, recompute_worker);
    }
}

static void
finding_activated_cb (ImuProfilePage *self,
                      GtkListBoxRow  *row)
{
  gint64 *t_ns = g_object_get_data (G_OBJECT (row), "t-ns");
  gint64 *duration_ns = g_object_get_data (G_OBJECT (row), "duration-ns");

  if (t_ns != NULL)
    g_signal_emit (self, signals[SIGNAL_FINDING_ACTIVATED], 0, *t_ns,
                   duration_ns != NULL && *duration_ns > 0 ? *duration_ns : (gint64) 0);
}

/* Exporting */

typedef struct {
  ImuProfile *profile;
  char       *library_path;
  char       *format;
  GFile      *file;
} ExportData;

static void
export_data_free (gpointer data)
{
  ExportData *ed = data;

  imu_profile_unref (ed->profile);
  g_free (ed->library_path);
  g_free (ed->format);
  g_object_unref (ed->file);
  g_free (ed);
}

static void
export_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *ed = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GFileOutputStream) out = NULL;
  gboolean ok;

  /* The report draws its signal plots from the library's envelopes; the
   * rest of it, and the other formats, need the profile only. */
  if (g_str_equal (ed->format, "html"))
    {
      store = imu_store_open (ed->library_path, &error);
      if (store == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  out = g_file_replace (ed->file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, cancellable, &error);
  if (out == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_str_equal (ed->format, "html"))
    ok = imu_profile_write_html (ed->profile, store, G_OUTPUT_STREAM (out), cancellable, &error);
  else if (g_str_equal (ed->format, "csv"))
    ok = imu_profile_write_metrics_csv (ed->profile, G_OUTPUT_STREAM (out), cancellable, &error);
  else
    ok = imu_profile_write_json (ed->profile, G_OUTPUT_STREAM (out), cancellable, &error);
  if (ok)
    ok = g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, &error);
  if (!ok)
    {
      g_autofree char *path = g_file_get_parse_name (ed->file);

      /* Closing unfinished leaves the old file in place (replace). */
      g_output_stream_close (G_OUTPUT_STREAM (out), NULL, NULL);
      g_prefix_error (&error, "%s: ", path);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
export_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ImuProfilePage *self = IMU_PROFILE_PAGE (object);
  GFile *file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *text = NULL;

  if (!imu_profile_page_export_finish (self, result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          text = g_strdup_printf (_("Could not export the profile: %s"), error->message);
          g_warning ("%s", text);
          toast (self, text);
        }
    }
  else
    {
      /* Translators: %s is the name of the written file */
      text = g_strdup_printf (_("Saved “%s”"), name);
      toast (self, text);
    }
  g_object_unref (file);
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  ImuProfilePage *self = IMU_PROFILE_PAGE (user_data);
  const char *format = g_object_get_data (G_OBJECT (dialog), "format");

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        imu_profile_page_export_async (self, format, file, NULL, export_done_cb, g_object_ref (file));
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (self);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ImuProfilePage *self = IMU_PROFILE_PAGE (widget);
  const char *format = g_variant_get_string (parameter, NULL);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  const char *title;
  const char *name;

  if (self->profile == NULL)
    return;
  if (g_str_equal (format, "csv"))
    {
      title = _("Export Epoch Metrics");
      name = "metrics.csv";
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_mime_type (filter, "text/csv");
      gtk_file_filter_add_suffix (filter, "csv");
    }
  else if (g_str_equal (format, "json"))
    {
      title = _("Export Profile");
      name = "profile.json";
      gtk_file_filter_set_name (filter, _("JSON files"));
      gtk_file_filter_add_mime_type (filter, "application/json");
      gtk_file_filter_add_suffix (filter, "json");
    }
  else
    {
      format = "html";
      title = _("Export Report");
      name = "report.html";
      gtk_file_filter_set_name (filter, _("HTML pages"));
      gtk_file_filter_add_mime_type (filter, "text/html");
      gtk_file_filter_add_suffix (filter, "html");
    }

  dialog = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_set_data_full (G_OBJECT (dialog), "format", g_strdup (format), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
recompute_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  imu_profile_page_recompute (IMU_PROFILE_PAGE (widget));
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  imu_profile_page_cancel (IMU_PROFILE_PAGE (widget));
}

static void
fill_legend (ImuProfilePage *self)
{
  g_autoptr(GString) markup = g_string_new (NULL);

  for (ImuIntensity c = IMU_INTENSITY_SEDENTARY; c < IMU_N_INTENSITIES; c++)
    {
      GdkRGBA color;
      g_autofree char *hex = NULL;
      g_autofree char *label = g_markup_escape_text (imu_intensity_get_label (c), -1);

      imu_intensity_get_color (c, &color);
      hex = g_strdup_printf ("#%02x%02x%02x", (int) (color.red * 255), (int) (color.green * 255),
                             (int) (color.blue * 255));
      g_string_append_printf (markup, "%s<span foreground=\"%s\">■</span> %s",
                              markup->len > 0 ? "    " : "", hex, label);
    }
  gtk_label_set_markup (self->legend_label, markup->str);
}

static void
units_changed_cb (ImuProfilePage *self)
{
  if (self->profile != NULL)
    show_profile (self);
}

static void
imu_profile_page_map (GtkWidget *widget)
{
  ImuProfilePage *self = IMU_PROFILE_PAGE (widget);

  GTK_WIDGET_CLASS (imu_profile_page_parent_class)->map (widget);
  /* Profiling reads every sample: it waits until someone looks. */
  if (self->profile == NULL && !self->busy)
    start (self, FALSE);
}

static void
imu_profile_page_dispose (GObject *object)
{
  ImuProfilePage *self = IMU_PROFILE_PAGE (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_PROFILE_PAGE);
  /* The toolbar is not bound, so gtk_widget_dispose_template() leaves it. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->profile, imu_profile_unref);
  g_clear_pointer (&self->stream_widgets, g_ptr_array_unref);
  g_clear_pointer (&self->library_path, g_free);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (imu_profile_page_parent_class)->dispose (object);
}

static void
imu_profile_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ImuProfilePage *self = IMU_PROFILE_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_profile_page_class_init (ImuProfilePageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_profile_page_dispose;
  object_class->get_property = imu_profile_page_get_property;
  widget_class->map = imu_profile_page_map;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_FINDING_ACTIVATED] =
    g_signal_new ("finding-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_INT64);

  g_type_ensure (IMU_TYPE_INTENSITY_CHART);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-profile-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, status_label);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, recompute_button);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, export_button);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, stack);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, findings_list);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, intensity_box);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, intensity_chart);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, legend_label);
  gtk_widget_class_bind_template_child (widget_class, ImuProfilePage, streams_box);
  gtk_widget_class_bind_template_callback (widget_class, finding_activated_cb);

  gtk_widget_class_install_action (widget_class, "profile.recompute", NULL, recompute_action);
  gtk_widget_class_install_action (widget_class, "profile.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "profile.export", "s", export_action);
}

static void
imu_profile_page_init (ImuProfilePage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->stream_widgets = g_ptr_array_new ();
  self->settings = g_settings_new (IMU_APP_ID);
  g_signal_connect_object (self->settings, "changed::accel-unit", G_CALLBACK (units_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::gyro-unit", G_CALLBACK (units_changed_cb), self, G_CONNECT_SWAPPED);
  fill_legend (self);
  update_actions (self);
}

GtkWidget *
imu_profile_page_new (void)
{
  return g_object_new (IMU_TYPE_PROFILE_PAGE, NULL);
}

/**
 * imu_profile_page_set_session:
 *
 * Forgets the shown profile and stops a computation in flight; the new
 * session's profile is read (or computed) off the main thread when the
 * page is shown. Does not block.
 */
void
imu_profile_page_set_session (ImuProfilePage *self,
                              const char     *library_path,
                              gint64          session_id)
{
  g_return_if_fail (IMU_IS_PROFILE_PAGE (self));

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->generation++;
  set_busy (self, FALSE);
  g_clear_pointer (&self->profile, imu_profile_unref);
  g_free (self->library_path);
  self->library_path = g_strdup (library_path);
  self->session_id = library_path != NULL ? session_id : 0;
  gtk_label_set_text (self->status_label, "");
  show_profile (self);

  if (self->session_id > 0 && gtk_widget_get_mapped (GTK_WIDGET (self)))
    start (self, FALSE);
}

ImuProfile *
imu_profile_page_get_profile (ImuProfilePage *self)
{
  g_return_val_if_fail (IMU_IS_PROFILE_PAGE (self), NULL);
  return self->profile;
}

gboolean
imu_profile_page_get_busy (ImuProfilePage *self)
{
  g_return_val_if_fail (IMU_IS_PROFILE_PAGE (self), FALSE);
  return self->busy;
}

guint
imu_profile_page_get_n_computed (ImuProfilePage *self)
{
  g_return_val_if_fail (IMU_IS_PROFILE_PAGE (self), 0);
  return self->n_computed;
}

GtkListBox *
imu_profile_page_get_findings_list (ImuProfilePage *self)
{
  g_return_val_if_fail (IMU_IS_PROFILE_PAGE (self), NULL);
  return self->findings_list;
}

/**
 * imu_profile_page_recompute:
 *
 * Profiles the session again from its samples, off the main thread, and
 * stores the result. Does not block.
 */
void
imu_profile_page_recompute (ImuProfilePage *self)
{
  g_return_if_fail (IMU_IS_PROFILE_PAGE (self));
  start (self, TRUE);
}

void
imu_profile_page_cancel (ImuProfilePage *self)
{
  g_return_if_fail (IMU_IS_PROFILE_PAGE (self));
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

/**
 * imu_profile_page_export_async:
 *
 * Writes the shown profile in a worker thread (the report opens its own
 * connection to the library for the signal plots). Does not block.
 */
void
imu_profile_page_export_async (ImuProfilePage      *self,
                               const char          *format,
                               GFile               *file,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ExportData *ed;

  g_return_if_fail (IMU_IS_PROFILE_PAGE (self));
  g_return_if_fail (format != NULL);
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, imu_profile_page_export_async);
  if (self->profile == NULL)
    {
      g_task_return_new_error (task, IMU_PROFILE_ERROR, IMU_PROFILE_ERROR_FAILED,
                               _("There is no profile to export yet"));
      return;
    }
  ed = g_new0 (ExportData, 1);
  ed->profile = imu_profile_ref (self->profile);
  ed->library_path = g_strdup (self->library_path);
  ed->format = g_strdup (format);
  ed->file = g_object_ref (file);
  g_task_set_task_data (task, ed, export_data_free);
  imu_task_run_in_thread (task, export_worker);
}

gboolean
imu_profile_page_export_finish (ImuProfilePage  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
