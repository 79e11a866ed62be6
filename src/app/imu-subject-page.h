/* imu-subject-page.h — one subject's (an athlete's) sessions over time: a
 * table of the key numbers of their profiles, a trend chart, a date
 * filter and a CSV export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "imu-library.h"
#include "imu-trend-chart.h"

G_BEGIN_DECLS

/* The table's columns, in its order. */
typedef enum {
  IMU_SUBJECT_COLUMN_DATE,
  IMU_SUBJECT_COLUMN_TITLE,
  IMU_SUBJECT_COLUMN_DURATION,
  IMU_SUBJECT_COLUMN_ENMO,
  IMU_SUBJECT_COLUMN_SEDENTARY,
  IMU_SUBJECT_COLUMN_LIGHT,
  IMU_SUBJECT_COLUMN_MODERATE,
  IMU_SUBJECT_COLUMN_VIGOROUS,
  IMU_SUBJECT_COLUMN_PEAKS,
  IMU_SUBJECT_COLUMN_WEAR,
  IMU_SUBJECT_COLUMN_FINDINGS,
  IMU_SUBJECT_N_COLUMNS
} ImuSubjectColumn;

#define IMU_TYPE_SUBJECT_PAGE (imu_subject_page_get_type ())
G_DECLARE_FINAL_TYPE (ImuSubjectPage, imu_subject_page, IMU, SUBJECT_PAGE, GtkWidget)

/*
 * Actions (subject.*):
 *   export-csv       ask for a file and write the table to it as CSV
 *   cancel           stop profiling (or start it again once stopped)
 *
 * Activating a row activates win.select-session with its session's id.
 */

GtkWidget     *imu_subject_page_new          (void);
/* The library whose subjects the page offers (NULL: none); the page
 * follows its sessions arriving and leaving. */
void           imu_subject_page_set_library  (ImuSubjectPage *self,
                                              ImuLibrary     *library);
/* Shows the sessions whose subject is @subject (compared casefolded, as
 * `imu list --subject` compares) and profiles those without a current
 * profile in a worker thread with its own connection to the library.
 * Does not block. */
void           imu_subject_page_set_subject  (ImuSubjectPage *self,
                                              const char     *subject);
const char    *imu_subject_page_get_subject  (ImuSubjectPage *self);
/* The subjects of the library, as the page's dropdown offers them. */
GListModel    *imu_subject_page_get_subjects (ImuSubjectPage *self);
/* Sessions of first day @from to last day @to (both "YYYY-MM-DD" in the
 * session's time zone, or NULL or "" for no bound), as if typed into the
 * filter's entries; FALSE (and no change) when one is not a date. */
gboolean       imu_subject_page_set_date_range (ImuSubjectPage *self,
                                                const char     *from,
                                                const char     *to);
/* The rows as the table shows them (filtered, sorted): ImuSession items. */
GListModel    *imu_subject_page_get_rows     (ImuSubjectPage *self);
/* The text the table shows in @column of the row at @position. */
char          *imu_subject_page_dup_cell_text (ImuSubjectPage   *self,
                                               guint             position,
                                               ImuSubjectColumn  column);
GtkColumnView *imu_subject_page_get_column_view (ImuSubjectPage *self);
ImuTrendChart *imu_subject_page_get_trend_chart (ImuSubjectPage *self);
/* Which number the trend chart shows (its dropdown). */
GtkDropDown   *imu_subject_page_get_metric_dropdown (ImuSubjectPage *self);
/* Whether sessions are being profiled now. */
gboolean       imu_subject_page_get_busy     (ImuSubjectPage *self);
/* The table as CSV: `imu list --with-profile --csv`'s header and a row per
 * shown session, in the shown order. */
char          *imu_subject_page_dup_csv      (ImuSubjectPage *self);
/* Writes imu_subject_page_dup_csv() to @file. Does not block. */
void           imu_subject_page_export_async (ImuSubjectPage      *self,
                                              GFile               *file,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data);
gboolean       imu_subject_page_export_finish (ImuSubjectPage *self,
                                               GAsyncResult   *result,
                                               GError        **error);

G_END_DECLS
