/* imu-window-private.h — fields shared by imu-window*.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-compare-view.h"
#include "imu-export-dialog.h"
#include "imu-record-dialog.h"
#include "imu-recording.h"
#include "imu-window.h"
#include "imu-sync-controller.h"

G_BEGIN_DECLS

struct _ImuWindow
{
  AdwApplicationWindow  parent_instance;

  GSettings            *settings;
  ImuLibrary           *library;
  GCancellable         *load_cancellable;
  GtkFilterListModel   *filter_model;
  GtkSortListModel     *sort_model;
  GtkSingleSelection   *selection;
  GtkCustomFilter      *filter;
  GtkCustomSorter      *sorter;
  char                 *search_folded;
  gint64                selected_id;   /* to select again after a reload */
  ImuSession           *titled_session; /* whose title the header bar shows */
  gboolean              load_failed;
  gint64                select_when_filtered; /* to select once the filter is done */
  GPtrArray            *queued_imports; /* paths given before the library was read */
  GHashTable           *delete_toasts; /* gint64* → AdwToast* (borrowed) */
  GQueue                dialogs;       /* AdwMessageDialog* waiting to be shown */
  AdwMessageDialog     *dialog;        /* shown now */
  GtkWidget            *context_menu;
  GtkDropTarget        *drop_target;
  ImuSyncController    *sync_controller; /* of the open library */
  ImuExportDialog      *export_dialog; /* open, or NULL (it owns itself) */
  guint                 disk_timer;    /* looks at the library's disk now and then */
  GCancellable         *disk_cancellable;
  gboolean              disk_dismissed; /* the banner was closed: not again for this library */
  ImuRecording         *recording;     /* running (or starting), or NULL */
  ImuRecordDialog      *record_dialog; /* open, or NULL (it owns itself) */
  gint64                recording_selected; /* the recording's session shown first */
  gboolean              quit_confirmed; /* "Stop and Quit" was chosen */

  /* Template children */
  GMenuModel           *session_menu;
  GMenuModel           *row_menu;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  GtkSpinner           *loading_spinner;
  AdwWindowTitle       *empty_title;
  AdwStatusPage        *error_page;
  AdwLeaflet           *leaflet;
  AdwWindowTitle       *library_title;
  GtkSearchEntry       *search_entry;
  GtkDropDown          *sort_dropdown;
  GtkStack             *sidebar_stack;
  GtkListView          *list_view;
  GtkLabel             *count_label;
  AdwViewSwitcherTitle *switcher_title;
  AdwViewSwitcherBar   *switcher_bar;
  GtkStack             *content_stack;
  GtkBox               *session_box;
  ImuSessionView       *session_view;  /* made on first use */
  ImuCompareView       *compare_view;   /* made on first use (imu-window-compare.c) */
  GtkRevealer          *imports_revealer;
  GtkLabel             *imports_label;
  GtkMenuButton        *sync_button;
  GtkButton            *record_button;
  GtkButton            *empty_record_button;
  GtkListBox           *imports_list;
  GtkInfoBar           *disk_banner;   /* the library's disk is below the low-disk setting */
  GtkLabel             *disk_label;
};

/* imu-window-import.c */
void imu_window_import_init         (ImuWindow *self);
void imu_window_import_dispose      (ImuWindow *self);
void imu_window_cancel_imports      (ImuWindow *self);
void imu_window_start_queued_imports (ImuWindow *self);
void imu_window_show_dialog         (ImuWindow        *self,
                                     AdwMessageDialog *dialog);

/* imu-window-export.c */
void imu_window_export_init           (ImuWindow *self);
void imu_window_export_dispose        (ImuWindow *self);
/* Export is possible once the selected session is read. */
void imu_window_export_update_actions (ImuWindow *self);

/* imu-window-record.c */
void     imu_window_record_init           (ImuWindow *self);
void     imu_window_record_dispose        (ImuWindow *self);
void     imu_window_record_update_actions (ImuWindow *self);
gboolean imu_window_record_close_request  (ImuWindow *self);
/* imu-window-compare.c: Compare With…, saved comparisons */
void imu_window_compare_init          (ImuWindow *self);

/* imu-window.c */
void imu_window_show_toast          (ImuWindow *self,
                                     AdwToast  *toast);

G_END_DECLS
