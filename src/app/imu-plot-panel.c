/* imu-plot-panel.c — the selection's side panel: duration, samples, statistics
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A revealer at the plot's right edge, shown while a range is selected.
 * The statistics are computed off the main thread (imu-plot-data.c) and
 * the panel shows a spinner until they arrive.
 */

#define G_LOG_DOMAIN "imu-plot"

#include <inttypes.h>
#include <math.h>
#include <glib/gi18n.h>

#include "imu-plot-private.h"

static char *
format_duration (gint64 ns)
{
  double s = ns / 1e9;

  if (s < 1)
    /* Translators: a duration in milliseconds */
    return g_strdup_printf (_("%.1f ms"), s * 1e3);
  if (s < 60)
    /* Translators: a duration in seconds */
    return g_strdup_printf (_("%.3f s"), s);
  if (s < 3600)
    /* Translators: a duration in minutes and seconds */
    return g_strdup_printf (_("%d min %.1f s"), (int) (s / 60), fmod (s, 60));
  /* Translators: a duration in hours, minutes and seconds */
  return g_strdup_printf (_("%d h %02d min %02d s"), (int) (s / 3600), (int) fmod (s / 60, 60), (int) fmod (s, 60));
}

/* Four significant digits or so, with a real minus sign. */
static char *
format_stat (double v)
{
  double mag = fabs (v);
  int decimals = mag >= 1000 ? 0 : mag >= 100 ? 1 : mag >= 10 ? 2 : mag >= 1 ? 3 : 4;

  return imu_plot_axis_format_value (v, decimals);
}

static GtkWidget *
cell (const char *text, gboolean numeric, gboolean dim)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), numeric ? 1 : 0);
  gtk_label_set_selectable (GTK_LABEL (label), numeric);
  if (numeric)
    gtk_widget_add_css_class (label, "numeric");
  if (dim)
    gtk_widget_add_css_class (label, "dim-label");
  return label;
}

static void
add_row (GtkWidget *box, const char *name, const char *value)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *n = cell (name, FALSE, TRUE);

  gtk_widget_set_hexpand (n, TRUE);
  gtk_box_append (GTK_BOX (row), n);
  gtk_box_append (GTK_BOX (row), cell (value, TRUE, FALSE));
  gtk_box_append (GTK_BOX (box), row);
}

GtkWidget *
imu_plot_panel_new (ImuPlot *self)
{
  GtkWidget *revealer = gtk_revealer_new ();
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (_("Selection"));
  GtkWidget *close = gtk_button_new_from_icon_name ("window-close-symbolic");

  gtk_revealer_set_transition_type (GTK_REVEALER (revealer), GTK_REVEALER_TRANSITION_TYPE_SLIDE_LEFT);
  gtk_revealer_set_reveal_child (GTK_REVEALER (revealer), FALSE);
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_widget_add_css_class (scrolled, "imu-plot-panel");
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_size_request (box, 220, -1);

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_widget_add_css_class (close, "flat");
  gtk_widget_add_css_class (close, "circular");
  gtk_widget_set_tooltip_text (close, _("Clear Selection"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (close), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Clear selection"), -1);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (close), "plot.clear-selection");
  gtk_box_append (GTK_BOX (header), title);
  gtk_box_append (GTK_BOX (header), close);
  gtk_box_append (GTK_BOX (box), header);
  {
    GtkWidget *zoom = gtk_button_new_with_mnemonic (_("_Zoom to Selection"));

    gtk_widget_set_tooltip_text (zoom, _("Show the selected range (Z)"));
    gtk_actionable_set_action_name (GTK_ACTIONABLE (zoom), "plot.zoom-selection");
    gtk_box_append (GTK_BOX (box), zoom);
  }

  self->panel_content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (box), self->panel_content);
  self->panel_spinner = gtk_spinner_new ();
  gtk_box_append (GTK_BOX (box), self->panel_spinner);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), box);
  gtk_revealer_set_child (GTK_REVEALER (revealer), scrolled);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Statistics of the selection"), -1);
  return revealer;
}

/**
 * imu_plot_panel_update:
 *
 * Shows the selection (or hides the panel) with the statistics at hand.
 */
void
imu_plot_panel_update (ImuPlot *self)
{
  gboolean selected = self->scene.sel1 > self->scene.sel0;
  GtkWidget *child;
  g_autofree char *duration = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  if (self->panel == NULL)
    return;
  while ((child = gtk_widget_get_first_child (self->panel_content)) != NULL)
    gtk_box_remove (GTK_BOX (self->panel_content), child);
  gtk_revealer_set_reveal_child (GTK_REVEALER (self->panel), selected);
  gtk_spinner_set_spinning (GTK_SPINNER (self->panel_spinner), selected && self->stats == NULL);
  gtk_widget_set_visible (self->panel_spinner, selected && self->stats == NULL);
  if (!selected)
    return;

  duration = format_duration (self->scene.sel1 - self->scene.sel0);
  from = imu_plot_axis_format_time (&self->scene, self->scene.sel0, G_GINT64_CONSTANT (1000000));
  to = imu_plot_axis_format_time (&self->scene, self->scene.sel1, G_GINT64_CONSTANT (1000000));
  add_row (self->panel_content, _("From"), from);
  add_row (self->panel_content, _("To"), to);
  add_row (self->panel_content, _("Duration"), duration);

  if (self->stats == NULL || self->stats->len != self->scene.streams->len)
    return;

  for (guint i = 0; i < self->scene.lanes->len; i++)
    {
      const ImuPlotLane *lane = g_ptr_array_index (self->scene.lanes, i);
      const ImuPlotStreamStats *st = g_ptr_array_index (self->stats, lane->stream);
      GtkWidget *heading = gtk_label_new (lane->title);
      GtkWidget *grid = gtk_grid_new ();
      g_autofree char *samples = g_strdup_printf ("%" PRId64, st->n_samples);
      const char *heads[] = { N_("Min"), N_("Max"), N_("Mean"), N_("SD") };

      gtk_widget_add_css_class (heading, "heading");
      gtk_label_set_xalign (GTK_LABEL (heading), 0);
      gtk_widget_set_margin_top (heading, 12);
      gtk_box_append (GTK_BOX (self->panel_content), heading);
      add_row (self->panel_content, _("Samples"), samples);
      if (lane->unit != NULL && *lane->unit)
        add_row (self->panel_content, _("Unit"), lane->unit);

      gtk_grid_set_column_spacing (GTK_GRID (grid), 10);
      gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
      for (guint h = 0; h < G_N_ELEMENTS (heads); h++)
        gtk_grid_attach (GTK_GRID (grid), cell (_(heads[h]), TRUE, TRUE), h + 1, 0, 1, 1);
      for (guint c = 0; c < lane->n_channels; c++)
        {
          guint sc = lane->channels[c];
          const ImuPlotChannelStats *cs;
          double k = lane->scale[c];
          double values[4];
          GdkRGBA color;
          g_autofree char *markup = NULL;
          GtkWidget *name;

          if (sc >= st->n_channels)
            continue;
          cs = &st->channels[sc];
          values[0] = cs->min * k;
          values[1] = cs->max * k;
          values[2] = cs->mean * k;
          values[3] = cs->std * fabs (k);
          imu_plot_palette_get (self->scene.dark, lane->color[c], &color);
          markup = g_markup_printf_escaped ("<span foreground=\"#%02x%02x%02x\">●</span> %s",
                                            (int) (color.red * 255 + 0.5), (int) (color.green * 255 + 0.5),
                                            (int) (color.blue * 255 + 0.5), lane->names[c]);
          name = gtk_label_new (NULL);
          gtk_label_set_markup (GTK_LABEL (name), markup);
          gtk_label_set_xalign (GTK_LABEL (name), 0);
          gtk_grid_attach (GTK_GRID (grid), name, 0, c + 1, 1, 1);
          for (guint v = 0; v < 4; v++)
            {
              g_autofree char *text = format_stat (values[v]);

              gtk_grid_attach (GTK_GRID (grid), cell (text, TRUE, FALSE), v + 1, c + 1, 1, 1);
            }
        }
      gtk_box_append (GTK_BOX (self->panel_content), grid);
    }
}
