/* imu-events-page.c — a session's markers and notes: list, add, rename, delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-events-page"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "imu-events-page.h"
#include "imu-format.h"

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

  return g_str_equal (axis, "elapsed");
}

static void
update_row (ImuEventsPage *self,
            GtkWidget     *row)
{
  ImuEvent *event = row_get_event (row);
  GtkLabel *time_label = g_object_get_data (G_OBJECT (row), "time-label");
  GtkEditable *label = g_object_get_data (G_OBJECT (row), "label");
  GtkLabel *kind_label = g_object_get_data (G_OBJECT (row), "kind-label");
  g_autofree char *time = NULL;

  time = imu_format_event_time (event->t_ns,
                                self->session != NULL ? imu_session_get_start_ns (self->session) : 0,
                                self->session != NULL ? imu_session_get_tz_offset (self->session) : 0,
                                show_elapsed (self));
  gtk_label_set_text (time_label, time);
  if (g_strcmp0 (gtk_editable_get_text (label), event->label) != 0)
    gtk_editable_set_text (label, event->label != NULL ? event->label : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), event->label);
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
  char          *old_label;
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
  g_free (data->old_label);
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
rename_done_cb (GObject      *object,
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
  show_error (data->page, _("Could not rename the event"), error);
  if (op_is_current (data) && (row = find_row (data->page, data->event_id)) != NULL)
    {
      ImuEvent *event = row_get_event (row);

      g_free (event->label);
      event->label = g_steal_pointer (&data->old_label);
      update_row (data->page, row);
    }
}

static void
commit_rename (ImuEventsPage *self,
               GtkWidget     *row,
               const char    *text)
{
  ImuEvent *event = row_get_event (row);
  g_autofree char *label = g_strstrip (g_strdup (text));
  OpData *data;

  if (g_strcmp0 (label, event->label) == 0)
    return;
  if (*label == '\0')
    {
      /* An event needs a name to be found again: an emptied label goes
       * back to what it was. */
      update_row (self, row);
      return;
    }
  data = op_data_new (self, event->id);
  data->old_label = g_strdup (event->label);
  g_free (event->label);
  event->label = g_steal_pointer (&label);
  update_row (self, row);
  imu_library_update_event_async (self->library, event, rename_done_cb, data);
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

  imu_library_delete_event_async (self->library, event->id, delete_done_cb, op_data_new (self, event->id));
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
  GtkWidget *time_label = gtk_label_new (NULL);
  GtkWidget *label = gtk_editable_label_new ("");
  GtkWidget *kind_label = gtk_label_new (NULL);
  GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  g_object_set_data_full (G_OBJECT (row), ROW_EVENT, imu_event_copy (event), (GDestroyNotify) imu_event_free);
  g_object_set_data (G_OBJECT (row), "time-label", time_label);
  g_object_set_data (G_OBJECT (row), "label", label);
  g_object_set_data (G_OBJECT (row), "kind-label", kind_label);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 6);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);

  gtk_label_set_xalign (GTK_LABEL (time_label), 0);
  gtk_label_set_width_chars (GTK_LABEL (time_label), 12);
  gtk_widget_add_css_class (time_label, "numeric");
  gtk_widget_add_css_class (time_label, "dim-label");
  gtk_widget_set_tooltip_text (time_label, _("Activate the row to show this moment in the plot"));

  gtk_widget_set_hexpand (label, TRUE);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  ellipsize_editable_label (label);
  g_signal_connect_object (label, "notify::editing", G_CALLBACK (label_editing_cb), row, 0);

  gtk_widget_add_css_class (kind_label, "caption");
  gtk_widget_add_css_class (kind_label, "badge");
  gtk_widget_add_css_class (kind_label, "event-kind");
  gtk_widget_set_valign (kind_label, GTK_ALIGN_CENTER);

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
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), kind_label);
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

      if (label != NULL && gtk_editable_label_get_editing (label))
        gtk_editable_label_stop_editing (label, TRUE);
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
      g_object_set_data_full (G_OBJECT (row), ROW_EVENT, imu_event_copy (event), (GDestroyNotify) imu_event_free);
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
