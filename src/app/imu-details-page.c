/* imu-details-page.c — a session's streams, device and import audit
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-details-page"

#include <inttypes.h>
#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-details-page.h"
#include "imu-format.h"

struct _ImuDetailsPage
{
  GtkWidget            parent_instance;

  /* Rows added for the shown session, to remove them for the next one. */
  GPtrArray           *rows;

  AdwPreferencesPage  *page;
  AdwPreferencesGroup *session_group;
  AdwPreferencesGroup *streams_group;
  AdwPreferencesGroup *device_group;
  AdwPreferencesGroup *import_group;
};

G_DEFINE_FINAL_TYPE (ImuDetailsPage, imu_details_page, GTK_TYPE_WIDGET)

static gboolean
is_empty (const char *str)
{
  return str == NULL || *str == '\0';
}

static GtkWidget *
value_row_new (const char *title,
               const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *label = gtk_label_new (value != NULL && *value != '\0' ? value : "—");

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 48);
  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
  g_object_set_data (G_OBJECT (row), "value-label", label);
  return row;
}

static void
add_to_group (ImuDetailsPage      *self,
              AdwPreferencesGroup *group,
              GtkWidget           *row)
{
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, g_object_ref (row));
  g_object_set_data (G_OBJECT (row), "group", group);
}

static void
add_value (ImuDetailsPage      *self,
           AdwPreferencesGroup *group,
           const char          *title,
           const char          *value)
{
  add_to_group (self, group, value_row_new (title, value));
}

static void
clear (ImuDetailsPage *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);

      adw_preferences_group_remove (g_object_get_data (G_OBJECT (row), "group"), row);
    }
  g_ptr_array_set_size (self->rows, 0);
  adw_preferences_group_set_description (self->import_group, NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->device_group), FALSE);
}

static char *
format_count (gint64 n)
{
  return imu_format_count (n);
}

static char *
format_range (double min,
              double max)
{
  return imu_format_value_range (min, max);
}

static void
add_stream (ImuDetailsPage      *self,
            const ImuSession    *session,
            const ImuStreamInfo *info)
{
  GtkWidget *expander = adw_expander_row_new ();
  g_autofree char *rate = imu_format_rate (info->nominal_rate_hz);
  g_autofree char *count = format_count (info->n_samples);
  g_autofree char *subtitle = NULL;
  g_autofree char *first = NULL;
  g_autofree char *last = NULL;
  g_autofree char *range = NULL;
  g_autofree char *duration = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), info->name);
  /* Translators: kind, rate and sample count of a stream, "Accelerometer · 100 Hz · 270,000 samples" */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %s · %s sample", "%s · %s · %s samples",
                                           (gulong) MIN (info->n_samples, G_MAXLONG)),
                              imu_format_kind_name (info->kind), rate, count);
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), subtitle);

  first = imu_format_session_instant ((ImuSession *) session, info->t_first_ns);
  last = imu_format_session_instant ((ImuSession *) session, info->t_last_ns);
  /* Translators: the time range of a stream, first – last sample */
  range = g_strdup_printf (_("%s – %s"), first, last);
  duration = imu_format_duration (info->t_last_ns - info->t_first_ns);

  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), value_row_new (_("Kind"), imu_format_kind_name (info->kind)));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), value_row_new (_("Sample rate"), rate));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), value_row_new (_("Samples"), count));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), value_row_new (_("Time range"), range));
  adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), value_row_new (_("Duration"), duration));
  if (info->time_format.kind != IMU_TIME_NONE || info->time_format.column != NULL)
    {
      g_autofree char *tf = NULL;

      if (info->time_format.column != NULL)
        /* Translators: how a file wrote time: "epoch-s in column “timestamp”" */
        tf = g_strdup_printf (_("%s in column “%s”"), imu_time_kind_to_string (info->time_format.kind),
                              info->time_format.column);
      else
        tf = g_strdup (imu_time_kind_to_string (info->time_format.kind));
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), value_row_new (_("Time format"), tf));
    }

  for (guint c = 0; c < info->n_channels; c++)
    {
      const ImuChannelInfo *ch = &info->channels[c];
      g_autofree char *title = NULL;
      g_autofree char *value = NULL;
      g_autofree char *chrange = format_range (ch->range_min, ch->range_max);
      g_autofree char *decimals = ch->decimals >= 0 ? g_strdup_printf ("%d", ch->decimals) : g_strdup (_("variable"));

      /* Translators: a channel row's title, "Channel: acc_x" */
      title = g_strdup_printf (_("Channel: %s"), ch->name);
      /* Translators: unit, kind, decimals and sensor range of a channel */
      value = g_strdup_printf (_("unit %s · %s · decimals %s · range %s"),
                               ch->unit != NULL && *ch->unit != '\0' ? ch->unit : _("none"),
                               imu_format_kind_name (ch->kind), decimals, chrange);
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), value_row_new (title, value));
    }
  add_to_group (self, self->streams_group, expander);
}

static void
add_issues (ImuDetailsPage *self,
            const char     *issues_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GList) codes = NULL;
  JsonObject *root;

  if (issues_json == NULL || *issues_json == '\0'
      || !json_parser_load_from_data (parser, issues_json, -1, &error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      add_value (self, self->import_group, _("Issues"), _("none"));
      return;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  codes = json_object_get_members (root);
  if (codes == NULL)
    {
      add_value (self, self->import_group, _("Issues"), _("none"));
      return;
    }
  codes = g_list_sort (codes, (GCompareFunc) g_strcmp0);
  for (GList *l = codes; l != NULL; l = l->next)
    {
      const char *code = l->data;
      JsonNode *node = json_object_get_member (root, code);
      gint64 count = 0;
      g_autoptr(GString) lines = g_string_new (NULL);
      g_autofree char *value = NULL;
      g_autofree char *count_text = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *issue = json_node_get_object (node);
          JsonArray *array;

          count = json_object_get_int_member_with_default (issue, "count", 0);
          if (json_object_has_member (issue, "lines")
              && (array = json_object_get_array_member (issue, "lines")) != NULL)
            for (guint i = 0; i < json_array_get_length (array); i++)
              g_string_append_printf (lines, "%s%" PRId64, i > 0 ? ", " : "",
                                      json_array_get_int_element (array, i));
        }
      else if (JSON_NODE_HOLDS_VALUE (node))
        count = json_node_get_int (node);

      count_text = format_count (count);
      if (lines->len > 0)
        /* Translators: an issue's count and the first lines it was seen on */
        value = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s time, first on lines %s",
                                              "%s times, first on lines %s",
                                              (gulong) MIN (count, G_MAXLONG)),
                                 count_text, lines->str);
      else
        value = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s time", "%s times",
                                              (gulong) MIN (count, G_MAXLONG)),
                                 count_text);
      add_value (self, self->import_group, code, value);
    }
}

static void
add_audit (ImuDetailsPage       *self,
           const ImuImportAudit *audit)
{
  g_autofree char *size = g_format_size_full (audit->bytes, G_FORMAT_SIZE_LONG_FORMAT);
  g_autofree char *rows = format_count (audit->rows);
  g_autofree char *duration = g_strdup_printf (_("%.2f s"), audit->duration_s);
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (audit->created_us / G_USEC_PER_SEC);
  g_autofree char *when_text = when != NULL ? g_date_time_format (when, "%x %X") : NULL;
  g_autofree char *delimiter = NULL;

  if (audit->delimiter != NULL && *audit->delimiter != '\0')
    {
      g_autofree char *shown = g_strescape (audit->delimiter, NULL);
      delimiter = g_strdup_printf ("%s (“%s”)", imu_format_delimiter (audit->delimiter), shown);
    }
  else
    delimiter = g_strdup (imu_format_delimiter (audit->delimiter));

  add_value (self, self->import_group, _("File"), audit->path);
  add_value (self, self->import_group, _("SHA-256"), audit->sha256);
  add_value (self, self->import_group, _("Size"), size);
  add_value (self, self->import_group, _("Rows"), rows);
  add_value (self, self->import_group, _("Format"), audit->format);
  add_value (self, self->import_group, _("Delimiter"), delimiter);
  add_value (self, self->import_group, _("Text encoding"),
             audit->utf8_valid ? _("valid UTF-8") : _("not valid UTF-8"));
  add_value (self, self->import_group, _("Import took"), duration);
  add_value (self, self->import_group, _("Imported on"), when_text);
  add_issues (self, audit->issues_json);
}

static void
imu_details_page_dispose (GObject *object)
{
  ImuDetailsPage *self = IMU_DETAILS_PAGE (object);

  g_clear_pointer (&self->rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_DETAILS_PAGE);
  /* Children of the template without an id are not bound, so
   * gtk_widget_dispose_template() leaves them: they go here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (imu_details_page_parent_class)->dispose (object);
}

static void
imu_details_page_class_init (ImuDetailsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_details_page_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-details-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuDetailsPage, page);
  gtk_widget_class_bind_template_child (widget_class, ImuDetailsPage, session_group);
  gtk_widget_class_bind_template_child (widget_class, ImuDetailsPage, streams_group);
  gtk_widget_class_bind_template_child (widget_class, ImuDetailsPage, device_group);
  gtk_widget_class_bind_template_child (widget_class, ImuDetailsPage, import_group);
}

static void
imu_details_page_init (ImuDetailsPage *self)
{
  self->rows = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
imu_details_page_new (void)
{
  return g_object_new (IMU_TYPE_DETAILS_PAGE, NULL);
}

static const char *
state_name (ImuSessionState state)
{
  switch (state)
    {
    case IMU_SESSION_STATE_RECORDING:
      return C_("session state", "Recording");
    case IMU_SESSION_STATE_INTERRUPTED:
      return C_("session state", "Interrupted");
    case IMU_SESSION_STATE_COMPLETE:
    default:
      return C_("session state", "Complete");
    }
}

static const char *
origin_name (const char *origin)
{
  if (origin == NULL)
    return NULL;
  if (g_str_equal (origin, "imported"))
    return C_("session origin", "Imported from a file");
  if (g_str_equal (origin, "recorded"))
    return C_("session origin", "Recorded");
  if (g_str_equal (origin, "generated"))
    return C_("session origin", "Generated");
  return origin;
}

void
imu_details_page_set_details (ImuDetailsPage          *self,
                              const ImuSessionDetails *details)
{
  ImuSession *session;
  GPtrArray *streams;
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;
  g_autofree char *duration = NULL;
  g_autofree char *rate = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *firmware = NULL;
  g_autofree char *frame = NULL;
  int tz;

  g_return_if_fail (IMU_IS_DETAILS_PAGE (self));

  clear (self);
  if (details == NULL)
    return;

  session = details->session;
  tz = imu_session_time_offset (session);
  start = imu_format_session_instant (session, imu_session_get_start_ns (session));
  end = imu_format_session_instant (session, imu_session_get_end_ns (session));
  duration = imu_format_duration (imu_session_get_duration_ns (session));
  rate = imu_format_rate (imu_session_get_nominal_rate (session));
  if (!imu_session_time_is_dated (session))
    zone = g_strdup (_("No date"));
  else if (imu_session_time_has_zone (session))
    zone = g_strdup_printf ("UTC%c%02d:%02d", tz < 0 ? '-' : '+', ABS (tz) / 3600, (ABS (tz) / 60) % 60);
  else
    /* Translators: the file stated no time zone; times are shown in this
     * computer's, at this offset */
    zone = g_strdup_printf (_("UTC%c%02d:%02d (this computer)"), tz < 0 ? '-' : '+', ABS (tz) / 3600, (ABS (tz) / 60) % 60);
  g_object_get (session, "device-firmware", &firmware, "frame", &frame, NULL);

  /* The subject leads to all their sessions over time (the subject page). */
  if (!is_empty (imu_session_get_subject (session)))
    {
      const char *subject = imu_session_get_subject (session);
      GtkWidget *row = value_row_new (_("Subject"), subject);
      GtkWidget *button = gtk_button_new_with_label (_("All Sessions"));
      g_autofree char *tooltip = g_strdup_printf (_("All Sessions of %s"), subject);

      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, tooltip);
      gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "win.show-subject");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", subject);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), button);
      add_to_group (self, self->session_group, row);
    }
  add_value (self, self->session_group, _("Start"), start);
  add_value (self, self->session_group, _("End"), end);
  add_value (self, self->session_group, _("Duration"), duration);
  add_value (self, self->session_group, _("Time zone"), zone);
  add_value (self, self->session_group, _("Nominal rate"), rate);
  add_value (self, self->session_group, _("State"), state_name (imu_session_get_state (session)));
  add_value (self, self->session_group, _("Origin"), origin_name (imu_session_get_origin (session)));
  if (frame != NULL && *frame != '\0')
    add_value (self, self->session_group, _("Coordinate frame"), frame);
  add_value (self, self->session_group, _("Identifier"), imu_session_get_uuid (session));

  streams = imu_session_get_streams (session);
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    add_stream (self, session, g_ptr_array_index (streams, i));
  if (streams == NULL || streams->len == 0)
    add_value (self, self->streams_group, _("Streams"), _("none"));

  /* The device, as far as the file named it (device importers fill these
   * fields): a row per field it named, and no group at all when it named
   * none. */
  {
    const struct { const char *title; const char *value; } device[] = {
      { _("Vendor"), imu_session_get_device_vendor (session) },
      { _("Model"), imu_session_get_device_model (session) },
      { _("Serial number"), imu_session_get_device_serial (session) },
      { _("Firmware"), firmware },
    };
    gboolean any = FALSE;

    for (guint i = 0; i < G_N_ELEMENTS (device); i++)
      if (!is_empty (device[i].value))
        {
          add_value (self, self->device_group, device[i].title, device[i].value);
          any = TRUE;
        }
    gtk_widget_set_visible (GTK_WIDGET (self->device_group), any);
  }

  if (details->audits == NULL || details->audits->len == 0)
    adw_preferences_group_set_description (self->import_group,
                                           _("This session was not imported from a file."));
  for (guint i = 0; details->audits != NULL && i < details->audits->len; i++)
    add_audit (self, g_ptr_array_index (details->audits, i));
}

static void
append_row_text (GString   *out,
                 GtkWidget *row)
{
  GtkWidget *label = g_object_get_data (G_OBJECT (row), "value-label");

  g_string_append_printf (out, "%s: %s\n",
                          adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                          label != NULL ? gtk_label_get_text (GTK_LABEL (label))
                          : ADW_IS_EXPANDER_ROW (row) ? adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (row)) : "");
}

static void
collect_rows (GString   *out,
              GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_ACTION_ROW (child) || ADW_IS_EXPANDER_ROW (child))
        append_row_text (out, child);
      collect_rows (out, child);
    }
}

char *
imu_details_page_dup_text (ImuDetailsPage *self)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (IMU_IS_DETAILS_PAGE (self), NULL);
  collect_rows (out, GTK_WIDGET (self->page));
  return g_string_free (out, FALSE);
}
