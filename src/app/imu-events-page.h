/* imu-events-page.h — a session's markers and notes: list, add, rename,
 * change time, duration and note, delete
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "imu-library.h"

G_BEGIN_DECLS

/* What a row's details popover edits, in its order. */
typedef enum {
  IMU_EVENT_FIELD_TIME,      /* from the session's start, h:mm:ss.fff or seconds (or ISO 8601) */
  IMU_EVENT_FIELD_DURATION,  /* h:mm:ss.fff or seconds; 0 for an instant */
  IMU_EVENT_FIELD_NOTE,      /* the payload's "note"; "" removes it */
} ImuEventField;

#define IMU_TYPE_EVENTS_PAGE (imu_events_page_get_type ())
G_DECLARE_FINAL_TYPE (ImuEventsPage, imu_events_page, IMU, EVENTS_PAGE, GtkWidget)

/*
 * Signals:
 *   "event-activated" (ImuEventsPage*, gint64 t_ns)  a row was activated
 *   "add-requested"   (ImuEventsPage*)               Add Marker was clicked
 *   "events-changed"  (ImuEventsPage*)               an event was stored, renamed or deleted here
 */

GtkWidget *imu_events_page_new            (void);
void       imu_events_page_set_session    (ImuEventsPage *self,
                                           ImuLibrary    *library,
                                           ImuSession    *session,
                                           GPtrArray     *events);
/* Stores a new marker at @t_ns (off the main thread) and lists it. */
void       imu_events_page_add_marker     (ImuEventsPage *self,
                                           gint64         t_ns);
/* Lists an event stored elsewhere (the plot), or refreshes its row. */
void       imu_events_page_take_event     (ImuEventsPage  *self,
                                           const ImuEvent *event);
guint      imu_events_page_get_n_events   (ImuEventsPage *self);
/* The event shown in row @index (by time), for tests. */
const ImuEvent *imu_events_page_get_event (ImuEventsPage *self,
                                           guint          index);
/* Renames or deletes the event of row @index as the row's widgets do. */
void       imu_events_page_rename_event   (ImuEventsPage *self,
                                           guint          index,
                                           const char    *label);
void       imu_events_page_delete_event   (ImuEventsPage *self,
                                           guint          index);
/* Changes @field of the event of row @index to @text as the row's details
 * popover does: FALSE with IMU_EVENT_FILE_ERROR_TIME (and nothing stored)
 * when @text does not read as a time or duration. The store happens off
 * the main thread. */
gboolean   imu_events_page_edit_event     (ImuEventsPage *self,
                                           guint          index,
                                           ImuEventField  field,
                                           const char    *text,
                                           GError       **error);
void       imu_events_page_activate_event (ImuEventsPage *self,
                                           guint          index);

G_END_DECLS
