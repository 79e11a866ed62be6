/* imu-window.h — the main window: library list, session view, imports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-export-dialog.h"
#include "imu-library.h"
#include "imu-record-dialog.h"
#include "imu-recording.h"
#include "imu-session-view.h"

G_BEGIN_DECLS

#define IMU_TYPE_WINDOW (imu_window_get_type ())
G_DECLARE_FINAL_TYPE (ImuWindow, imu_window, IMU, WINDOW, AdwApplicationWindow)

/*
 * Actions (win.*):
 *   import, import-folder        ask for files or folders and import them
 *   import-paths (as)            import these paths (files, folders, zips)
 *   open-demo                    make the demo session and select it
 *   delete-session               delete the selected session (undoable)
 *   export-session               export the selected session (CSV or bundle)
 *   open-export (s)              open an exported file or folder (a URI)
 *   undo-delete (x)              bring a deleted session back
 *   select-session (x)           select a session by id
 *   search                       focus the search entry
 *   show-subject (s)             show a subject's sessions over time
 *   show-subjects                the same for the selected session's
 *                                subject (or the first subject)
 *   record                       open the Record dialog (imu-window-record.c)
 *   stop-recording               stop the running recording
 *   resume-recording (x)         go on recording an interrupted session
 */

ImuWindow      *imu_window_new            (GtkApplication *application);

/* Opens the library at @path (created when missing), off the main thread;
 * pending deletions of the previous library are committed first. */
void            imu_window_open_library   (ImuWindow  *self,
                                           const char *path);
ImuLibrary     *imu_window_get_library    (ImuWindow  *self);

/* Imports each path in its own worker, with a progress row. */
void            imu_window_import_path    (ImuWindow  *self,
                                           const char *path);
/* Selects a session by id (clearing a search that hides it); FALSE when
 * the list does not hold it. */
gboolean        imu_window_select_session (ImuWindow  *self,
                                           gint64      session_id);
/* Deletes a session undoably: it leaves the list at once and the file
 * when the toast offering Undo goes away (or the window closes). */
void            imu_window_delete_session (ImuWindow  *self,
                                           gint64      session_id);

/* What the window shows: "loading", "empty", "error" or "library". */
const char     *imu_window_get_state      (ImuWindow  *self);
/* The sessions as listed (searched and sorted). */
GListModel     *imu_window_get_visible_sessions (ImuWindow *self);
ImuSessionView *imu_window_get_session_view (ImuWindow *self);
GtkListView    *imu_window_get_list_view  (ImuWindow  *self);
GtkEditable    *imu_window_get_search_entry (ImuWindow *self);
GtkDropDown    *imu_window_get_sort_dropdown (ImuWindow *self);
/* The progress rows of running imports. */
GtkListBox     *imu_window_get_imports_list (ImuWindow *self);
guint           imu_window_get_n_imports  (ImuWindow  *self);
/* The message dialog shown now (an import error or duplicate), or NULL. */
AdwMessageDialog *imu_window_get_dialog   (ImuWindow  *self);
/* The export dialog open now, or NULL. */
ImuExportDialog *imu_window_get_export_dialog (ImuWindow *self);
/* The running recording, or NULL; the Record dialog open now, or NULL. */
ImuRecording   *imu_window_get_recording  (ImuWindow  *self);
ImuRecordDialog *imu_window_get_record_dialog (ImuWindow *self);
/* Commits pending deletions and waits for running imports to stop; the
 * application is held until both are done. Called when the window closes. */
void            imu_window_flush          (ImuWindow  *self);

G_END_DECLS
