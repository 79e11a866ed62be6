/* imu-plot-export.c — export of what the plot shows: PNG, SVG, PDF
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An export copies the scene (view, lanes and hidden channels, markers,
 * selection, theme, font) so that it can be drawn anywhere, in any
 * thread; imu_plot_export_scene() (imu-plot-render.c) reads the data the
 * requested size needs on its own connection and draws it with the
 * screen's code. The plot.export action asks for a file and a size.
 */

#define G_LOG_DOMAIN "imu-plot"

#include <glib/gi18n.h>

#include "imu-context.h"
#include "imu-plot-private.h"

/* A copy of what the plot shows, for drawing elsewhere (any thread). */
static ImuPlotScene *
scene_copy (ImuPlot *self)
{
  ImuPlotScene *copy = g_new0 (ImuPlotScene, 1);

  imu_plot_scene_init (copy);
  /* A figure for a paper or slides is light unless asked otherwise. */
  copy->dark = self->scene.dark && !self->export_light;
  copy->time_axis = self->scene.time_axis;
  copy->tz_offset_s = self->scene.tz_offset_s;
  copy->s0 = self->scene.s0;
  copy->s1 = self->scene.s1;
  copy->t0 = self->scene.t0;
  copy->t1 = self->scene.t1;
  copy->sel0 = self->scene.sel0;
  copy->sel1 = self->scene.sel1;
  if (self->scene.label_font == NULL && self->scene.pango != NULL)
    imu_plot_scene_label (&self->scene, "0");
  if (self->scene.label_font != NULL)
    copy->label_font = pango_font_description_copy (self->scene.label_font);
  else
    copy->label_font = pango_font_description_from_string ("Sans 9");
  for (guint i = 0; i < self->scene.streams->len; i++)
    {
      const ImuPlotStream *st = g_ptr_array_index (self->scene.streams, i);
      ImuPlotStream *c = g_new0 (ImuPlotStream, 1);

      c->info = imu_stream_info_copy (st->info);
      g_ptr_array_add (copy->streams, c);
    }
  for (guint i = 0; i < self->scene.lanes->len; i++)
    g_ptr_array_add (copy->lanes, imu_plot_lane_copy (g_ptr_array_index (self->scene.lanes, i)));
  for (guint i = 0; i < self->scene.events->len; i++)
    g_ptr_array_add (copy->events, imu_event_copy (g_ptr_array_index (self->scene.events, i)));
  return copy;
}

static void
scene_free (gpointer data)
{
  ImuPlotScene *scene = data;

  imu_plot_scene_clear (scene);
  g_free (scene);
}

typedef struct {
  ImuPlotScene       *scene;
  char               *path;
  GFile              *file;
  ImuPlotExportFormat format;
  int                 width, height;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  scene_free (job->scene);
  g_free (job->path);
  g_object_unref (job->file);
  g_free (job);
}

static void
export_worker (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ExportJob *job = task_data;
  GError *error = NULL;

  if (imu_plot_export_scene (job->scene, job->path, job->file, job->format, job->width, job->height,
                             cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The title line of an export: session, subject, date, the range shown.
 * "Square wave · P01 · 2024-03-12 · 11:00:05 – 11:00:25" */
static char *
export_title (ImuPlot *self)
{
  GString *title = g_string_new (NULL);
  const char *name = imu_session_get_title (self->session);
  const char *subject = imu_session_get_subject (self->session);
  gint64 t0 = self->scene.t0, t1 = self->scene.t1;
  gint64 res = MAX ((t1 - t0) / 1000, 1);
  g_autofree char *from = imu_plot_axis_format_time (&self->scene, t0, res);
  g_autofree char *to = imu_plot_axis_format_time (&self->scene, t1, res);

  g_string_append (title, name != NULL && *name ? name : _("Untitled session"));
  if (subject != NULL && *subject)
    g_string_append_printf (title, " · %s", subject);
  if (self->scene.time_axis == IMU_PLOT_TIME_CLOCK)
    {
      g_autoptr(GTimeZone) tz = g_time_zone_new_offset (self->scene.tz_offset_s);
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (t0 / G_GINT64_CONSTANT (1000000000));
      g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone (utc, tz) : NULL;
      g_autofree char *date = local != NULL ? g_date_time_format (local, "%Y-%m-%d") : NULL;

      if (date != NULL)
        g_string_append_printf (title, " · %s", date);
    }
  g_string_append_printf (title, " · %s – %s", from, to);
  return g_string_free (title, FALSE);
}

static ExportJob *
export_job_new (ImuPlot *self, GFile *file, ImuPlotExportFormat format, int width, int height,
                GError **error)
{
  ExportJob *job;

  if (self->session == NULL || !self->streams_ready)
    {
      g_set_error_literal (error, IMU_PLOT_ERROR, IMU_PLOT_ERROR_NO_SESSION,
                           _("There is nothing to export: no session is shown."));
      return NULL;
    }
  job = g_new0 (ExportJob, 1);
  job->scene = scene_copy (self);
  job->scene->title = export_title (self);
  job->path = g_strdup (self->library_path);
  job->file = g_object_ref (file);
  job->format = format;
  job->width = width;
  job->height = height;
  return job;
}

static void
launched_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(ImuPlot) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error)
      && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Translators: a toast when the exported picture cannot be opened */
      g_autofree char *text = g_strdup_printf (_("Could not open the picture: %s"), error->message);

      imu_plot_show_toast (self, text);
    }
}

/* "Open" in the toast: the picture in the desktop's viewer. */
void
imu_plot_export_open (ImuPlot *self, GFile *file)
{
  g_autofree char *uri = g_file_get_uri (file);
  GtkNative *native = gtk_widget_get_native (GTK_WIDGET (self));
  g_autoptr(GAppLaunchContext) context = NULL;

  if (native != NULL)
    context = G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self))));
  g_app_info_launch_default_for_uri_async (uri, context, NULL, launched_cb, g_object_ref (self));
}

static void
open_clicked_cb (AdwToast *toast, ImuPlot *self)
{
  GFile *file = g_object_get_data (G_OBJECT (toast), "file");

  if (file != NULL)
    imu_plot_export_open (self, file);
}

static void
export_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ImuPlot *self = IMU_PLOT (source);
  g_autoptr(GFile) file = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *text = NULL;
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  AdwToast *toast;

  if (!imu_plot_export_finish (self, result, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      imu_plot_show_toast (self, error->message);
      return;
    }
  /* Translators: a toast after an export */
  text = g_strdup_printf (_("Exported “%s”"), name);
  if (overlay == NULL)
    {
      imu_plot_show_toast (self, text);
      return;
    }
  toast = adw_toast_new (text);
  adw_toast_set_button_label (toast, _("_Open"));
  g_object_set_data_full (G_OBJECT (toast), "file", g_object_ref (file), g_object_unref);
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (open_clicked_cb), self, 0);
  adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
}

static void
export_response_cb (GtkNativeDialog *dialog, int response, ImuPlot *self)
{
  g_autoptr(GFile) file = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *base = NULL;
  const char *size;
  ImuPlotExportFormat format = IMU_PLOT_EXPORT_PNG;
  int width = imu_plot_drawing_width (self), height = gtk_widget_get_height (GTK_WIDGET (self));

  if (response != GTK_RESPONSE_ACCEPT
      || !(file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))))
    {
      g_object_unref (dialog);
      return;
    }
  basename = g_file_get_basename (file);
  base = g_utf8_strdown (basename, -1);
  if (g_str_has_suffix (base, ".svg"))
    format = IMU_PLOT_EXPORT_SVG;
  else if (g_str_has_suffix (base, ".pdf"))
    format = IMU_PLOT_EXPORT_PDF;
  else if (!g_str_has_suffix (base, ".png"))
    {
      /* No known extension: a PNG, named so. */
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *png = g_strconcat (path, ".png", NULL);

      g_set_object (&file, NULL);
      file = g_file_new_for_path (png);
    }
  self->export_light = g_strcmp0 (gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "light"), "true") == 0;
  size = gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "size");
  if (g_strcmp0 (size, "fhd") == 0)
    width = 1920, height = 1080;
  else if (g_strcmp0 (size, "uhd") == 0)
    width = 3840, height = 2160;
  else if (g_strcmp0 (size, "a4") == 0)
    width = 842, height = 595;
  imu_plot_export_async (self, file, format, width, height, NULL, export_done_cb, g_object_ref (file));
  g_object_unref (dialog);
}

void
imu_plot_export_action (GtkWidget *widget, const char *name, GVariant *param)
{
  ImuPlot *self = IMU_PLOT (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter;
  const char *ids[] = { "shown", "fhd", "uhd", "a4", NULL };
  const char *labels[] = { N_("As shown"), N_("1920 × 1080"), N_("3840 × 2160"), N_("A4 landscape"), NULL };
  const char *tr[5];
  g_autofree char *suggested = NULL;

  if (self->session == NULL)
    return;
  dialog = gtk_file_chooser_native_new (_("Export Plot"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("Pictures (PNG, SVG, PDF)"));
  gtk_file_filter_add_suffix (filter, "png");
  gtk_file_filter_add_suffix (filter, "svg");
  gtk_file_filter_add_suffix (filter, "pdf");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  for (guint i = 0; i < 4; i++)
    tr[i] = _(labels[i]);
  tr[4] = NULL;
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "size", _("Size"), ids, tr);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "size", "shown");
  /* A boolean choice: the figure light, whatever the app's theme. */
  gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "light", _("Light background"), NULL, NULL);
  gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "light", self->export_light ? "true" : "false");
  suggested = g_strdup_printf ("%s.png", *imu_session_get_title (self->session)
                                           ? imu_session_get_title (self->session) : _("plot"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), suggested);
  g_signal_connect_object (dialog, "response", G_CALLBACK (export_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

gboolean
imu_plot_export (ImuPlot              *self,
                 GFile                *file,
                 ImuPlotExportFormat   format,
                 int                   width,
                 int                   height,
                 GError              **error)
{
  ExportJob *job;
  gboolean ok;

  g_return_val_if_fail (IMU_IS_PLOT (self), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(job = export_job_new (self, file, format, width, height, error)))
    return FALSE;
  ok = imu_plot_export_scene (job->scene, job->path, job->file, job->format, job->width, job->height,
                              NULL, error);
  export_job_free (job);
  return ok;
}

void
imu_plot_export_async (ImuPlot              *self,
                       GFile                *file,
                       ImuPlotExportFormat   format,
                       int                   width,
                       int                   height,
                       GCancellable         *cancellable,
                       GAsyncReadyCallback   callback,
                       gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  ExportJob *job;

  g_return_if_fail (IMU_IS_PLOT (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, imu_plot_export_async);
  if (!(job = export_job_new (self, file, format, width, height, &error)))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_set_task_data (task, job, export_job_free);
  imu_task_run_in_thread (task, export_worker);
}

gboolean
imu_plot_export_finish (ImuPlot *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

