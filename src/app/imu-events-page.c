/* imu-events-page.c — a session's markers and notes: list, add, rename,
 * change time, duration and note, delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-events-page"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "imu-event-file.h"
#include "imu-events-page.h"
#include "imu-format.h"
#include "imu-time.h"

struct _ImuEventsPage
{
  GtkWidget   parent_instance;

  ImuLibrary *library;
  ImuSession *session;
  GSettings  *settings;

  GtkStack   *stack;
  GtkListBox *list_box;
  GtkLabel   *count_label;
};

enum {
  SIGNAL_EVENT_ACTIVATED,
  SIGNAL_ADD_REQUESTED,
  SIGNAL_EVENTS_CHANGED,
  N_SIGNALS
};

G_DEFINE_FINAL_TYPE (ImuEventsPage, imu_events_page, GTK_TYPE_WIDGET)

static guint signals[N_SIGNALS];

/* Each row keeps its event (a copy) under this key. */
#define ROW_EVENT "imu-event"

static ImuEvent *
row_get_event (GtkWidget *row)
{
  return g_object_get_data (G_OBJECT (row), ROW_EVENT);
}

/* Takes @event. */
static void
row_set_event (GtkWidget *row,
               ImuEvent  *event)
{
  g_object_set_data_full (G_OBJECT (row), ROW_EVENT, event, (GDestroyNotify) imu_event_free);
}

static const char *
kind_name (const char *kind)
{
  if (kind == NULL || g_str_equal (kind, "marker"))
    return C_("event kind", "Marker");
  if (g_str_equal (kind, "note"))
    return C_("event kind", "Note");
  if (g_str_equal (kind, "device"))
    return C_("event kind", "Device");
  if (g_str_equal (kind, "imported"))
    return C_("event kind", "Imported");
  return kind;
}

static gboolean
show_elapsed (ImuEventsPage *self)
{
  g_autofree char *axis = g_settings_get_string (self->settings, "time-axis");

  return g_str_equal (axis, "elapsed")
         || (self->session != NULL && !imu_session_time_is_dated (self->session));
}

static gint64
session_start (ImuEventsPage *self)
{
  return self->session != NULL ? imu_session_get_start_ns (self->session) : 0;
}

static void
update_row (ImuEventsPage *self,
            GtkWidget     *row)
{
  ImuEvent *event = row_get_event (row);
  GtkLabel *time_label = g_object_get_data (G_OBJECT (row), "time-label");
  GtkEditable *label = g_object_get_data (G_OBJECT (row), "label");
  GtkLabel *kind_label = g_object_get_data (G_OBJECT (row), "kind-label");
  GtkLabel *note_label = g_object_get_data (G_OBJECT (row), "note-label");
  g_autofree char *time = NULL;
  g_autofree char *note = imu_event_dup_note (event);

  time = imu_format_event_time (event->t_ns, session_start (self),
                                self->session != NULL ? imu_session_time_offset (self->session) : 0,
                                show_elapsed (self));
  gtk_label_set_text (time_label, time);
  if (g_strcmp0 (gtk_editable_get_text (label), event->label) != 0)
    gtk_editable_set_text (label, event->label != NULL ? event->label : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), event->label);
  gtk_label_set_text (note_label, note != NULL ? note : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (note_label), note);
  gtk_widget_set_visible (GTK_WIDGET (note_label), note != NULL && *note != '\0');
  if (event->duration_ns > 0)
    {
      g_autofree char *duration = imu_format_duration (event->duration_ns);
      /* Translators: an event's kind and how long it lasts, "Marker, 2:00" */
      g_autofree char *text = g_strdup_printf (_("%s, %s"), kind_name (event->kind), duration);

      gtk_label_set_text (kind_label, text);
    }
  else
    gtk_label_set_text (kind_label, kind_name (event->kind));
}

static GList *
list_rows (ImuEventsPage *self)
{
  GList *rows = NULL;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (GTK_IS_LIST_BOX_ROW (child) && row_get_event (child) != NULL)
      rows = g_list_prepend (rows, child);
  return g_list_reverse (rows);
}

static void
update_count (ImuEventsPage *self)
{
  guint n = imu_events_page_get_n_events (self);
  g_autofree char *text = NULL;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u Event", "%u Events", n), n);
  gtk_label_set_text (self->count_label, text);
  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static GtkWidget *
find_row (ImuEventsPage *self,
          gint64         event_id)
{
  g_autoptr(GList) rows = list_rows (self);

  for (GList *l = rows; l != NULL; l = l->next)
    if (row_get_event (l->data)->id == event_id)
      return l->data;
  return NULL;
}

/* Callbacks of the stores made from this page carry the session they were
 * made for: a late answer for another session is dropped. */
typedef struct {
  ImuEventsPage *page;
  gint64         session_id;
  gint64         event_id;
  ImuEvent      *old_event;  /* an edit's event as it was, to put back on failure */
  const char    *failed;     /* what to say when the edit fails */
} OpData;

static OpData *
op_data_new (ImuEventsPage *self,
             gint64         event_id)
{
  OpData *data = g_new0 (OpData, 1);

  data->page = g_object_ref (self);
  data->session_id = self->session != NULL ? imu_session_get_id (self->session) : 0;
  data->event_id = event_id;
  return data;
}

static void
op_data_free (OpData *data)
{
  g_object_unref (data->page);
  g_clear_pointer (&data->old_event, imu_event_free);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (OpData, op_data_free)

static gboolean
op_is_current (OpData *data)
{
  return data->page->session != NULL && imu_session_get_id (data->page->session) == data->session_id;
}

static void
show_error (ImuEventsPage *self,
            const char    *what,
            const GError  *error)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *text = g_strdup_printf ("%s: %s", what, error->message);

  g_warning ("%s", text);
  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
update_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;

  if (imu_library_update_event_finish (IMU_LIBRARY (object), result, &error))
    {
      if (op_is_current (data))
        g_signal_emit (data->page, signals[SIGNAL_EVENTS_CHANGED], 0);
      return;
    }
  show_error (data->page, data->failed, error);
  /* The row shows what the library holds again. */
  if (op_is_current (data) && (row = find_row (data->page, data->event_id)) != NULL)
    {
      row_set_event (row, g_steal_pointer (&data->old_event));
      update_row (data->page, row);
      gtk_list_box_row_changed (GTK_LIST_BOX_ROW (row));
    }
}

/* Shows @edited (taken) in @row at once and stores it off the main thread;
 * a failure puts the row back and says @failed. */
static void
store_edit (ImuEventsPage *self,
            GtkWidget     *row,
            ImuEvent      *edited,
            const char    *failed)
{
  ImuEvent *event = row_get_event (row);
  OpData *data = op_data_new (self, event->id);

  data->old_event = imu_event_copy (event);
  data->failed = failed;
  row_set_event (row, edited);
  update_row (self, row);
  /* A new time can move the row. */
  gtk_list_box_row_changed (GTK_LIST_BOX_ROW (row));
  imu_library_update_event_async (self->library, edited, update_done_cb, data);
}

static void
commit_rename (ImuEventsPage *self,
               GtkWidget     *row,
               const char    *text)
{
  ImuEvent *event = row_get_event (row);
  g_autofree char *label = g_strstrip (g_strdup (text));
  ImuEvent *edited;

  if (g_strcmp0 (label, event->label) == 0)
    return;
  if (*label == '\0')
    {
      /* An event needs a name to be found again: an emptied label goes
       * back to what it was. */
      update_row (self, row);
      return;
    }
  edited = imu_event_copy (event);
  g_free (edited->label);
  edited->label = g_steal_pointer (&label);
  store_edit (self, row, edited, _("Could not rename the event"));
}

/* Time, duration and note
 *
 * The row's details button opens a popover with one entry row each: the
 * time from the session's start and the duration as h:mm:ss.fff (or
 * seconds), and the note (the payload's "note" member). Text that does not
 * read as a time leaves the event as it is; the entry row shows the error
 * state and says why in its tooltip. */

static char *
field_text (ImuEventsPage  *self,
            const ImuEvent *event,
            ImuEventField   field)
{
  char *note;

  switch (field)
    {
    case IMU_EVENT_FIELD_TIME:
      return imu_event_format_offset (imu_time_sub_sat (event->t_ns, session_start (self)));
    case IMU_EVENT_FIELD_DURATION:
      return imu_event_format_offset (event->duration_ns);
    case IMU_EVENT_FIELD_NOTE:
      note = imu_event_dup_note (event);
      return note != NULL ? note : g_strdup ("");
    default:
      g_assert_not_reached ();
    }
}

static gboolean
commit_field (ImuEventsPage *self,
              GtkWidget     *row,
              ImuEventField  field,
              const char    *text,
              GError       **error)
{
  ImuEvent *event = row_get_event (row);
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  g_autofree char *shown = field_text (self, event, field);
  g_autoptr(ImuEvent) edited = NULL;
  gint64 value = 0;

  /* The shown text is rounded to the millisecond: given back unchanged it
   * keeps the stored nanoseconds. */
  if (g_str_equal (stripped, shown))
    return TRUE;
  switch (field)
    {
    case IMU_EVENT_FIELD_TIME:
      if (!imu_event_time_parse (stripped, session_start (self), &value, error))
        return FALSE;
      break;
    case IMU_EVENT_FIELD_DURATION:
      if (!imu_event_duration_parse (*stripped != '\0' ? stripped : "0", &value, error))
        return FALSE;
      break;
    case IMU_EVENT_FIELD_NOTE:
      break;
    default:
      g_assert_not_reached ();
    }

  edited = imu_event_copy (event);
  switch (field)
    {
    case IMU_EVENT_FIELD_TIME:
      if (value == event->t_ns)
        return TRUE;
      edited->t_ns = value;
      store_edit (self, row, g_steal_pointer (&edited), _("Could not change the event’s time"));
      break;
    case IMU_EVENT_FIELD_DURATION:
      if (value == event->duration_ns)
        return TRUE;
      edited->duration_ns = value;
      store_edit (self, row, g_steal_pointer (&edited), _("Could not change the event’s duration"));
      break;
    case IMU_EVENT_FIELD_NOTE:
      imu_event_set_note (edited, stripped);
      if (g_strcmp0 (edited->payload_json, event->payload_json) == 0)
        return TRUE;
      store_edit (self, row, g_steal_pointer (&edited), _("Could not save the event’s note"));
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static void
set_entry_error (GtkWidget  *entry_row,
                 const char *message)
{
  if (message != NULL)
    gtk_widget_add_css_class (entry_row, "error");
  else
    gtk_widget_remove_css_class (entry_row, "error");
  gtk_widget_set_tooltip_text (entry_row, message);
  if (message != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (entry_row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message, -1);
  else
    gtk_accessible_reset_property (GTK_ACCESSIBLE (entry_row), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
}

static void
field_apply_cb (AdwEntryRow *entry_row,
                GtkWidget   *row)
{
  ImuEventsPage *self = IMU_EVENTS_PAGE (gtk_widget_get_ancestor (row, IMU_TYPE_EVENTS_PAGE));
  ImuEventField field = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (entry_row), "field"));
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  if (self == NULL || row_get_event (row) == NULL)
    return;
  if (!commit_field (self, row, field, gtk_editable_get_text (GTK_EDITABLE (entry_row)), &error))
    {
      set_entry_error (GTK_WIDGET (entry_row), error->message);
      return;
    }
  /* What was stored, written the way it is shown ("62.25" → "0:01:02.250"). */
  text = field_text (self, row_get_event (row), field);
  gtk_editable_set_text (GTK_EDITABLE (entry_row), text);
  set_entry_error (GTK_WIDGET (entry_row), NULL);
}

static void
field_changed_cb (GtkEditable *entry_row)
{
  /* Typing again clears the complaint about the last text. */
  set_entry_error (GTK_WIDGET (entry_row), NULL);
}

static GtkWidget *
field_row_new (GtkWidget     *row,
               ImuEventField  field,
               const char    *title)
{
  GtkWidget *entry_row = adw_entry_row_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry_row), title);
  adw_entry_row_set_show_apply_button (ADW_ENTRY_ROW (entry_row), TRUE);
  g_object_set_data (G_OBJECT (entry_row), "field", GINT_TO_POINTER (field));
  g_signal_connect_object (entry_row, "apply", G_CALLBACK (field_apply_cb), row, 0);
  g_signal_connect (entry_row, "changed", G_CALLBACK (field_changed_cb), NULL);
  return entry_row;
}

static void
fill_details (ImuEventsPage *self,
              GtkWidget     *row)
{
  static const char * const keys[] = { "time-row", "duration-row", "note-row" };
  ImuEvent *event = row_get_event (row);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      GtkWidget *entry_row = g_object_get_data (G_OBJECT (row), keys[i]);
      g_autofree char *text = field_text (self, event, (ImuEventField) i);

      gtk_editable_set_text (GTK_EDITABLE (entry_row), text);
      set_entry_error (entry_row, NULL);
    }
}

/* Made when first opened: a session can have thousands of events. */
static void
create_details_popup_cb (GtkMenuButton *button,
                         gpointer       user_data)
{
  GtkWidget *row = user_data;
  ImuEventsPage *self = IMU_EVENTS_PAGE (gtk_widget_get_ancestor (row, IMU_TYPE_EVENTS_PAGE));
  GtkWidget *popover, *box, *list, *hint;

  if (self == NULL)
    return;
  if (gtk_menu_button_get_popover (button) == NULL)
    {
      popover = gtk_popover_new ();
      box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
      list = gtk_list_box_new ();
      hint = gtk_label_new (_("Times count from the start of the session: h:mm:ss.fff, or seconds. "
                              "A duration of 0 marks an instant. Press Enter to save."));

      gtk_widget_add_css_class (popover, "event-details");
      gtk_widget_set_margin_start (box, 6);
      gtk_widget_set_margin_end (box, 6);
      gtk_widget_set_margin_top (box, 6);
      gtk_widget_set_margin_bottom (box, 6);
      gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
      gtk_widget_add_css_class (list, "boxed-list");
      gtk_widget_set_size_request (list, 340, -1);
      g_object_set_data (G_OBJECT (row), "time-row",
                         field_row_new (row, IMU_EVENT_FIELD_TIME, _("Time from the start")));
      g_object_set_data (G_OBJECT (row), "duration-row",
                         field_row_new (row, IMU_EVENT_FIELD_DURATION, _("Duration")));
      g_object_set_data (G_OBJECT (row), "note-row",
                         field_row_new (row, IMU_EVENT_FIELD_NOTE, _("Note")));
      gtk_list_box_append (GTK_LIST_BOX (list), g_object_get_data (G_OBJECT (row), "time-row"));
      gtk_list_box_append (GTK_LIST_BOX (list), g_object_get_data (G_OBJECT (row), "duration-row"));
      gtk_list_box_append (GTK_LIST_BOX (list), g_object_get_data (G_OBJECT (row), "note-row"));

      gtk_label_set_wrap (GTK_LABEL (hint), TRUE);
      gtk_label_set_max_width_chars (GTK_LABEL (hint), 40);
      gtk_label_set_xalign (GTK_LABEL (hint), 0);
      gtk_widget_add_css_class (hint, "caption");
      gtk_widget_add_css_class (hint, "dim-label");

      gtk_box_append (GTK_BOX (box), list);
      gtk_box_append (GTK_BOX (box), hint);
      gtk_popover_set_child (GTK_POPOVER (popover), box);
      gtk_menu_button_set_popover (button, popover);
    }
  fill_details (self, row);
}

/* GTK 4.8's GtkEditableLabel, on losing the focus, stops editing from a
 * 100 ms timeout that holds its focus controller by a bare pointer
 * (gtkeditablelabel.c, stop_editing_soon): a row removed within those
 * 100 ms frees the controller first, and the timeout then fires on freed
 * memory (GTK criticals after renaming an event and choosing another
 * session). A removed row's label is kept alive a little longer. */
static gboolean
release_label_cb (gpointer data)
{
  g_object_unref (data);
  return G_SOURCE_REMOVE;
}

static void
remove_row (ImuEventsPage *self,
            GtkWidget     *row)
{
  GtkWidget *label = g_object_get_data (G_OBJECT (row), "label");

  if (label != NULL)
    g_timeout_add (250, release_label_cb, g_object_ref (label));
  gtk_list_box_remove (self->list_box, row);
}

static void
label_editing_cb (GtkEditableLabel *label,
                  GParamSpec       *pspec,
                  GtkWidget        *row)
{
  ImuEventsPage *self;

  if (gtk_editable_label_get_editing (label))
    return;
  self = IMU_EVENTS_PAGE (gtk_widget_get_ancestor (row, IMU_TYPE_EVENTS_PAGE));
  if (self != NULL)
    commit_rename (self, row, gtk_editable_get_text (GTK_EDITABLE (label)));
}

static void
delete_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(GError) error = NULL;

  if (!imu_library_delete_event_finish (IMU_LIBRARY (object), result, &error))
    {
      show_error (data->page, _("Could not delete the event"), error);
      return;
    }
  if (op_is_current (data))
    g_signal_emit (data->page, signals[SIGNAL_EVENTS_CHANGED], 0);
}

static void
delete_row (ImuEventsPage *self,
            GtkWidget     *row)
{
  ImuEvent *event = row_get_event (row);

  imu_library_delete_event_async (self->library, event->session_id, event->id,
                                  delete_done_cb, op_data_new (self, event->id));
  remove_row (self, row);
  update_count (self);
}

static void
delete_clicked_cb (GtkButton *button,
                   GtkWidget *row)
{
  ImuEventsPage *self = IMU_EVENTS_PAGE (gtk_widget_get_ancestor (row, IMU_TYPE_EVENTS_PAGE));

  if (self != NULL)
    delete_row (self, row);
}

static void
edit_clicked_cb (GtkButton *button,
                 GtkWidget *row)
{
  GtkEditableLabel *label = g_object_get_data (G_OBJECT (row), "label");

  gtk_widget_grab_focus (GTK_WIDGET (label));
  gtk_editable_label_start_editing (label);
}

/* GtkEditableLabel (GTK 4.8) shows its text in a label that never
 * ellipsizes, so a long note would make the window as wide as the note.
 * That label is the first child of its stack; when found it ellipsizes and
 * the full text stays in the tooltip. */
static void
ellipsize_editable_label (GtkWidget *editable_label)
{
  GtkWidget *stack = gtk_widget_get_first_child (editable_label);
  GtkWidget *label = stack != NULL ? gtk_widget_get_first_child (stack) : NULL;

  if (GTK_IS_LABEL (label))
    {
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      gtk_label_set_width_chars (GTK_LABEL (label), 8);
    }
}

static GtkWidget *
create_row (ImuEventsPage  *self,
            const ImuEvent *event)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *time_label = gtk_label_new (NULL);
  GtkWidget *label = gtk_editable_label_new ("");
  GtkWidget *note_label = gtk_label_new (NULL);
  GtkWidget *kind_label = gtk_label_new (NULL);
  GtkWidget *details = gtk_menu_button_new ();
  GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  row_set_event (row, imu_event_copy (event));
  g_object_set_data (G_OBJECT (row), "time-label", time_label);
  g_object_set_data (G_OBJECT (row), "label", label);
  g_object_set_data (G_OBJECT (row), "note-label", note_label);
  g_object_set_data (G_OBJECT (row), "kind-label", kind_label);
  g_object_set_data (G_OBJECT (row), "details-button", details);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  gtk_label_set_xalign (GTK_LABEL (time_label), 0);
  gtk_label_set_width_chars (GTK_LABEL (time_label), 12);
  gtk_widget_add_css_class (time_label, "numeric");
  gtk_widget_add_css_class (time_label, "dim-label");
  gtk_widget_set_tooltip_text (time_label, _("Activate the row to show this moment in the plot"));

  gtk_widget_set_hexpand (text_box, TRUE);
  gtk_widget_set_valign (text_box, GTK_ALIGN_CENTER);
  ellipsize_editable_label (label);
  g_signal_connect_object (label, "notify::editing", G_CALLBACK (label_editing_cb), row, 0);
  gtk_label_set_xalign (GTK_LABEL (note_label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (note_label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (note_label), 8);
  gtk_widget_add_css_class (note_label, "caption");
  gtk_widget_add_css_class (note_label, "dim-label");
  gtk_widget_add_css_class (note_label, "event-note");
  gtk_box_append (GTK_BOX (text_box), label);
  gtk_box_append (GTK_BOX (text_box), note_label);

  gtk_widget_add_css_class (kind_label, "caption");
  gtk_widget_add_css_class (kind_label, "badge");
  gtk_widget_add_css_class (kind_label, "event-kind");
  gtk_widget_set_valign (kind_label, GTK_ALIGN_CENTER);

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (details), "document-properties-symbolic");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (details), FALSE);
  gtk_menu_button_set_create_popup_func (GTK_MENU_BUTTON (details), create_details_popup_cb, row, NULL);
  gtk_widget_set_tooltip_text (details, _("Edit Time, Duration and Note"));
  gtk_widget_set_valign (details, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (details), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Edit Time, Duration and Note"), -1);

  gtk_widget_set_tooltip_text (edit, _("Rename"));
  gtk_widget_add_css_class (edit, "flat");
  gtk_widget_set_valign (edit, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (edit), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Rename"), -1);
  g_signal_connect_object (edit, "clicked", G_CALLBACK (edit_clicked_cb), row, 0);

  gtk_widget_set_tooltip_text (delete, _("Delete"));
  gtk_widget_add_css_class (delete, "flat");
  gtk_widget_set_valign (delete, GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (delete), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Delete"), -1);
  g_signal_connect_object (delete, "clicked", G_CALLBACK (delete_clicked_cb), row, 0);

  gtk_box_append (GTK_BOX (box), time_label);
  gtk_box_append (GTK_BOX (box), text_box);
  gtk_box_append (GTK_BOX (box), kind_label);
  gtk_box_append (GTK_BOX (box), details);
  gtk_box_append (GTK_BOX (box), edit);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  update_row (self, row);
  return row;
}

static int
sort_rows (GtkListBoxRow *a,
           GtkListBoxRow *b,
           gpointer       user_data)
{
  const ImuEvent *ea = row_get_event (GTK_WIDGET (a));
  const ImuEvent *eb = row_get_event (GTK_WIDGET (b));

  if (ea->t_ns != eb->t_ns)
    return ea->t_ns < eb->t_ns ? -1 : 1;
  return ea->id < eb->id ? -1 : ea->id > eb->id;
}

static void
clear_rows (ImuEventsPage *self)
{
  GtkWidget *child;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  /* An edit in progress is committed, as leaving the field would, and
   * the focus leaves the rows before they go. */
  for (child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box)); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkEditableLabel *label = g_object_get_data (G_OBJECT (child), "label");
      GtkMenuButton *details = g_object_get_data (G_OBJECT (child), "details-button");

      if (label != NULL && gtk_editable_label_get_editing (label))
        gtk_editable_label_stop_editing (label, TRUE);
      if (details != NULL)
        gtk_menu_button_popdown (details);
    }
  if (root != NULL)
    {
      GtkWidget *focus = gtk_root_get_focus (root);

      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->list_box)))
        gtk_root_set_focus (root, NULL);
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    remove_row (self, child);
}

static void
add_clicked_cb (ImuEventsPage *self)
{
  g_signal_emit (self, signals[SIGNAL_ADD_REQUESTED], 0);
}

static void
row_activated_cb (ImuEventsPage *self,
                  GtkListBoxRow *row)
{
  g_signal_emit (self, signals[SIGNAL_EVENT_ACTIVATED], 0, row_get_event (GTK_WIDGET (row))->t_ns);
}

static void
time_axis_changed_cb (ImuEventsPage *self)
{
  g_autoptr(GList) rows = list_rows (self);

  for (GList *l = rows; l != NULL; l = l->next)
    update_row (self, l->data);
}

static void
imu_events_page_dispose (GObject *object)
{
  ImuEventsPage *self = IMU_EVENTS_PAGE (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_EVENTS_PAGE);
  /* Children of the template without an id are not bound, so
   * gtk_widget_dispose_template() leaves them: they go here. */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL;)
    gtk_widget_unparent (child);
  g_clear_object (&self->library);
  g_clear_object (&self->session);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (imu_events_page_parent_class)->dispose (object);
}

static void
imu_events_page_class_init (ImuEventsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_events_page_dispose;

  signals[SIGNAL_EVENT_ACTIVATED] =
    g_signal_new ("event-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_ADD_REQUESTED] =
    g_signal_new ("add-requested", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_EVENTS_CHANGED] =
    g_signal_new ("events-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-events-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuEventsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ImuEventsPage, list_box);
  gtk_widget_class_bind_template_child (widget_class, ImuEventsPage, count_label);
  gtk_widget_class_bind_template_callback (widget_class, add_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);
}

static void
imu_events_page_init (ImuEventsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_list_box_set_sort_func (self->list_box, sort_rows, NULL, NULL);
  self->settings = g_settings_new (IMU_APP_ID);
  g_signal_connect_object (self->settings, "changed::time-axis",
                           G_CALLBACK (time_axis_changed_cb), self, G_CONNECT_SWAPPED);
  update_count (self);
}

GtkWidget *
imu_events_page_new (void)
{
  return g_object_new (IMU_TYPE_EVENTS_PAGE, NULL);
}

/**
 * imu_events_page_set_session:
 * @events: (element-type ImuEvent): the session's events (copied)
 *
 * Lists @events of @session; edits are stored in @library.
 */
void
imu_events_page_set_session (ImuEventsPage *self,
                             ImuLibrary    *library,
                             ImuSession    *session,
                             GPtrArray     *events)
{
  g_return_if_fail (IMU_IS_EVENTS_PAGE (self));

  g_set_object (&self->library, library);
  g_set_object (&self->session, session);
  clear_rows (self);
  for (guint i = 0; events != NULL && i < events->len; i++)
    gtk_list_box_append (self->list_box, create_row (self, g_ptr_array_index (events, i)));
  update_count (self);
}

static void
add_done_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(OpData) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuEvent) event = NULL;

  if (!(event = imu_library_add_event_finish (IMU_LIBRARY (object), result, &error)))
    {
      show_error (data->page, _("Could not add the marker"), error);
      return;
    }
  if (!op_is_current (data))
    return;
  imu_events_page_take_event (data->page, event);
  g_signal_emit (data->page, signals[SIGNAL_EVENTS_CHANGED], 0);
}

void
imu_events_page_add_marker (ImuEventsPage *self,
                            gint64         t_ns)
{
  g_autoptr(ImuEvent) event = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (IMU_IS_EVENTS_PAGE (self));
  g_return_if_fail (self->session != NULL);

  label = g_strdup_printf (_("Marker %u"), imu_events_page_get_n_events (self) + 1);
  event = imu_event_new (t_ns, "marker", label);
  event->session_id = imu_session_get_id (self->session);
  imu_library_add_event_async (self->library, event, add_done_cb, op_data_new (self, 0));
}

void
imu_events_page_take_event (ImuEventsPage  *self,
                            const ImuEvent *event)
{
  GtkWidget *row;

  g_return_if_fail (IMU_IS_EVENTS_PAGE (self));
  g_return_if_fail (event != NULL);

  if (self->session == NULL || event->session_id != imu_session_get_id (self->session))
    return;
  if ((row = find_row (self, event->id)) != NULL)
    {
      row_set_event (row, imu_event_copy (event));
      update_row (self, row);
      gtk_list_box_row_changed (GTK_LIST_BOX_ROW (row));
    }
  else
    gtk_list_box_append (self->list_box, create_row (self, event));
  update_count (self);
}

guint
imu_events_page_get_n_events (ImuEventsPage *self)
{
  g_autoptr(GList) rows = NULL;

  g_return_val_if_fail (IMU_IS_EVENTS_PAGE (self), 0);
  rows = list_rows (self);
  return g_list_length (rows);
}

static GtkWidget *
nth_row (ImuEventsPage *self,
         guint          index)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (self->list_box, (int) index);

  return row != NULL && row_get_event (GTK_WIDGET (row)) != NULL ? GTK_WIDGET (row) : NULL;
}

const ImuEvent *
imu_events_page_get_event (ImuEventsPage *self,
                           guint          index)
{
  GtkWidget *row;

  g_return_val_if_fail (IMU_IS_EVENTS_PAGE (self), NULL);
  row = nth_row (self, index);
  return row != NULL ? row_get_event (row) : NULL;
}

void
imu_events_page_rename_event (ImuEventsPage *self,
                              guint          index,
                              const char    *label)
{
  GtkWidget *row;

  g_return_if_fail (IMU_IS_EVENTS_PAGE (self));
  if ((row = nth_row (self, index)) != NULL)
    commit_rename (self, row, label);
}

gboolean
imu_events_page_edit_event (ImuEventsPage  *self,
                            guint           index,
                            ImuEventField   field,
                            const char     *text,
                            GError        **error)
{
  GtkWidget *row;

  g_return_val_if_fail (IMU_IS_EVENTS_PAGE (self), FALSE);
  g_return_val_if_fail (field <= IMU_EVENT_FIELD_NOTE, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((row = nth_row (self, index)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no event in row %u", index);
      return FALSE;
    }
  return commit_field (self, row, field, text, error);
}

void
imu_events_page_delete_event (ImuEventsPage *self,
                              guint          index)
{
  GtkWidget *row;

  g_return_if_fail (IMU_IS_EVENTS_PAGE (self));
  if ((row = nth_row (self, index)) != NULL)
    delete_row (self, row);
}

void
imu_events_page_activate_event (ImuEventsPage *self,
                                guint          index)
{
  GtkWidget *row;

  g_return_if_fail (IMU_IS_EVENTS_PAGE (self));
  if ((row = nth_row (self, index)) != NULL)
    row_activated_cb (self, GTK_LIST_BOX_ROW (row));
}
