/* imu-subject-page.c — one subject's (an athlete's) sessions over time: a
 * table of the key numbers of their profiles, a trend chart, a date
 * filter and a CSV export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-subject-page"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "imu-context.h"
#include "imu-format.h"
#include "imu-intensity-chart.h"
#include "imu-profile-summary.h"
#include "imu-subject-page.h"

/* The trend chart's numbers, in the order of its dropdown. */
typedef enum {
  METRIC_ENMO,
  METRIC_SEDENTARY,
  METRIC_LIGHT,
  METRIC_MODERATE,
  METRIC_VIGOROUS,
  METRIC_PEAKS,
  METRIC_WEAR,
  METRIC_DURATION,
  N_METRICS
} Metric;

/* What the page knows of a session's profile. */
typedef enum {
  ROW_PENDING,    /* not read or computed yet */
  ROW_DONE,       /* @numbers hold */
  ROW_FAILED,     /* no profile: @error says why */
} RowState;

typedef struct {
  RowState             state;
  ImuProfileKeyNumbers numbers;
  char                *error;
} RowData;

struct _ImuSubjectPage
{
  GtkWidget           parent_instance;

  ImuLibrary         *library;
  char               *subject;
  char               *subject_folded;
  GtkStringList      *subjects;
  gboolean            updating_subjects;

  GListStore         *store;         /* ImuSession of the subject, by date */
  GtkCustomFilter    *date_filter;
  GtkFilterListModel *filter_model;
  GtkSortListModel   *sort_model;
  GtkNoSelection     *selection;
  GtkColumnViewColumn *columns[IMU_SUBJECT_N_COLUMNS];
  GHashTable         *rows;          /* gint64* session id → RowData* */
  char               *from_date;     /* "YYYY-MM-DD" or NULL */
  char               *to_date;

  GCancellable       *cancellable;   /* of the profiling worker */
  guint               generation;
  gboolean            busy;
  gboolean            stopped;       /* cancelled by the user */
  gboolean            rescan;        /* sessions joined during the run */
  guint               n_failed;
  char               *first_failure;

  /* Template children */
  GtkStack           *stack;
  GtkDropDown        *subject_dropdown;
  GtkLabel           *count_label;
  GtkButton          *export_button;
  GtkEntry           *from_entry;
  GtkEntry           *to_entry;
  GtkLabel           *date_error_label;
  GtkRevealer        *progress_revealer;
  GtkLabel           *progress_label;
  GtkProgressBar     *progress_bar;
  GtkButton          *cancel_button;
  GtkDropDown        *metric_dropdown;
  ImuTrendChart      *trend_chart;
  GtkColumnView      *column_view;
};

enum {
  PROP_0,
  PROP_SUBJECT,
  PROP_BUSY,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ImuSubjectPage, imu_subject_page, GTK_TYPE_WIDGET)

static GParamSpec *properties[N_PROPS];

static void start_profiling (ImuSubjectPage *self);
static void update_chart (ImuSubjectPage *self);

static void
row_data_free (gpointer data)
{
  RowData *row = data;

  imu_profile_key_numbers_clear (&row->numbers);
  g_free (row->error);
  g_free (row);
}

static RowData *
lookup_row (ImuSubjectPage *self,
            ImuSession     *session)
{
  gint64 id = imu_session_get_id (session);

  return g_hash_table_lookup (self->rows, &id);
}

static const ImuProfileKeyNumbers *
numbers_of (ImuSubjectPage *self,
            ImuSession     *session)
{
  RowData *row = lookup_row (self, session);

  return row != NULL && row->state == ROW_DONE ? &row->numbers : NULL;
}

static gboolean
is_blank (const char *text)
{
  return text == NULL || *text == '\0';
}

/* ---- values and their text ---- */

/* A session's start day in its own time zone, "2024-03-12"; NULL when it
 * has no date. */
static char *
session_day (ImuSession *session)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (!imu_session_time_is_dated (session))
    return NULL;
  utc = g_date_time_new_from_unix_utc (imu_session_get_start_ns (session) / G_GINT64_CONSTANT (1000000000));
  if (utc == NULL)
    return NULL;
  tz = g_time_zone_new_offset (imu_session_time_offset (session));
  local = g_date_time_to_timezone (utc, tz);
  return local != NULL ? g_date_time_format (local, "%Y-%m-%d") : NULL;
}

/* The number of a numeric column (or of a metric), NaN when none. */
static double
column_value (ImuSubjectPage   *self,
              ImuSession       *session,
              ImuSubjectColumn  column)
{
  const ImuProfileKeyNumbers *k = numbers_of (self, session);

  if (column == IMU_SUBJECT_COLUMN_DURATION)
    return (double) imu_session_get_duration_ns (session) / 1e9;
  if (column == IMU_SUBJECT_COLUMN_DATE)
    return (double) imu_session_get_start_ns (session);
  if (k == NULL)
    return NAN;
  switch (column)
    {
    case IMU_SUBJECT_COLUMN_ENMO:      return k->enmo_mean_mg;
    case IMU_SUBJECT_COLUMN_SEDENTARY: return k->sedentary_min;
    case IMU_SUBJECT_COLUMN_LIGHT:     return k->light_min;
    case IMU_SUBJECT_COLUMN_MODERATE:  return k->moderate_min;
    case IMU_SUBJECT_COLUMN_VIGOROUS:  return k->vigorous_min;
    case IMU_SUBJECT_COLUMN_PEAKS:     return k->peaks_per_min;
    case IMU_SUBJECT_COLUMN_WEAR:      return k->wear_s;
    /* Errors first, then warnings: a session with one error is worse
     * than one with many warnings. */
    case IMU_SUBJECT_COLUMN_FINDINGS:  return k->errors * 1e6 + k->warnings;
    case IMU_SUBJECT_COLUMN_DATE:
    case IMU_SUBJECT_COLUMN_TITLE:
    case IMU_SUBJECT_COLUMN_DURATION:
    case IMU_SUBJECT_N_COLUMNS:
    default:                           return NAN;
    }
}

/* The start in the session's own time zone, to the minute; an undated
 * session as the rest of the window shows it. */
static char *
format_session_date (ImuSession *session)
{
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (imu_session_time_is_dated (session))
    utc = g_date_time_new_from_unix_utc (imu_session_get_start_ns (session) / G_GINT64_CONSTANT (1000000000));
  if (utc == NULL)
    return imu_format_session_instant (session, imu_session_get_start_ns (session));
  tz = g_time_zone_new_offset (imu_session_time_offset (session));
  local = g_date_time_to_timezone (utc, tz);
  /* Translators: date and time of a session in the library list, in the
   * format of g_date_time_format() (strftime): "12 Mar 2024, 17:30" */
  return g_date_time_format (local, _("%-d %b %Y, %H:%M"));
}

static char *
format_decimal (double value)
{
  return isnan (value) ? g_strdup ("—") : g_strdup_printf ("%.1f", value);
}

static char *
cell_text (ImuSubjectPage   *self,
           ImuSession       *session,
           ImuSubjectColumn  column)
{
  RowData *row = lookup_row (self, session);
  const ImuProfileKeyNumbers *k = numbers_of (self, session);
  const char *title;
  double value;

  switch (column)
    {
    case IMU_SUBJECT_COLUMN_DATE:
      return format_session_date (session);
    case IMU_SUBJECT_COLUMN_TITLE:
      title = imu_session_get_title (session);
      return g_strdup (!is_blank (title) ? title : _("Untitled"));
    case IMU_SUBJECT_COLUMN_DURATION:
      return imu_format_duration (imu_session_get_duration_ns (session));
    case IMU_SUBJECT_COLUMN_ENMO:
    case IMU_SUBJECT_COLUMN_SEDENTARY:
    case IMU_SUBJECT_COLUMN_LIGHT:
    case IMU_SUBJECT_COLUMN_MODERATE:
    case IMU_SUBJECT_COLUMN_VIGOROUS:
    case IMU_SUBJECT_COLUMN_PEAKS:
      /* An ellipsis while the profile is being read or computed, a dash
       * once profiling stopped before it. */
      if (row == NULL || row->state == ROW_PENDING)
        return g_strdup (self->busy ? "…" : "—");
      return format_decimal (column_value (self, session, column));
    case IMU_SUBJECT_COLUMN_WEAR:
      if (row == NULL || row->state == ROW_PENDING)
        return g_strdup (self->busy ? "…" : "—");
      value = column_value (self, session, column);
      return isnan (value) ? g_strdup ("—") : imu_format_duration ((gint64) llround (value * 1e9));
    case IMU_SUBJECT_COLUMN_FINDINGS:
      if (row == NULL || row->state == ROW_PENDING)
        return g_strdup (self->busy ? "…" : _("Not profiled"));
      if (k == NULL)
        /* Translators: the findings cell of a session whose profile failed */
        return g_strdup (_("Not profiled"));
      /* Translators: findings of a profile in `imu list --with-profile`:
       * errors and warnings, "0 E / 2 W" */
      return g_strdup_printf (_("%u E / %u W"), k->errors, k->warnings);
    case IMU_SUBJECT_N_COLUMNS:
    default:
      g_return_val_if_reached (NULL);
    }
}

/* ---- the columns ---- */

typedef struct {
  ImuSubjectPage   *page;   /* borrowed: the page owns the sorter */
  ImuSubjectColumn  column;
} ColumnRef;

static int
sort_cb (gconstpointer a,
         gconstpointer b,
         gpointer      user_data)
{
  ColumnRef *ref = user_data;
  ImuSession *sa = IMU_SESSION ((gpointer) a);
  ImuSession *sb = IMU_SESSION ((gpointer) b);
  double va, vb;

  if (ref->column == IMU_SUBJECT_COLUMN_TITLE)
    {
      g_autofree char *ka = g_utf8_collate_key (imu_session_get_title (sa) != NULL ? imu_session_get_title (sa) : "", -1);
      g_autofree char *kb = g_utf8_collate_key (imu_session_get_title (sb) != NULL ? imu_session_get_title (sb) : "", -1);

      return g_strcmp0 (ka, kb);
    }
  if (ref->column == IMU_SUBJECT_COLUMN_DATE)
    {
      gint64 ta = imu_session_get_start_ns (sa), tb = imu_session_get_start_ns (sb);

      return ta < tb ? GTK_ORDERING_SMALLER : ta > tb ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
    }
  va = column_value (ref->page, sa, ref->column);
  vb = column_value (ref->page, sb, ref->column);
  /* A session without the number sorts before every number. */
  if (isnan (va) || isnan (vb))
    return isnan (va) && isnan (vb) ? GTK_ORDERING_EQUAL : isnan (va) ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
  return va < vb ? GTK_ORDERING_SMALLER : va > vb ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  ColumnRef *ref = user_data;
  GtkWidget *label = gtk_label_new (NULL);

  if (ref->column == IMU_SUBJECT_COLUMN_TITLE || ref->column == IMU_SUBJECT_COLUMN_DATE)
    {
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
      /* Room for a whole date, and for a title's first words. */
      gtk_label_set_width_chars (GTK_LABEL (label), ref->column == IMU_SUBJECT_COLUMN_DATE ? 17 : 14);
    }
  else
    {
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "numeric");
    }
  gtk_list_item_set_child (item, label);
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  ColumnRef *ref = user_data;
  ImuSession *session = gtk_list_item_get_item (item);
  g_autofree char *text = cell_text (ref->page, session, ref->column);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
  if (ref->column == IMU_SUBJECT_COLUMN_FINDINGS)
    {
      RowData *row = lookup_row (ref->page, session);

      gtk_widget_set_tooltip_text (gtk_list_item_get_child (item),
                                   row != NULL && row->state == ROW_FAILED ? row->error : NULL);
    }
}

static void
add_columns (ImuSubjectPage *self)
{
  const char *titles[IMU_SUBJECT_N_COLUMNS] = {
    /* Translators: column headings of the subject page's table */
    [IMU_SUBJECT_COLUMN_DATE] = _("Date"),
    [IMU_SUBJECT_COLUMN_TITLE] = _("Title"),
    [IMU_SUBJECT_COLUMN_DURATION] = _("Duration"),
    [IMU_SUBJECT_COLUMN_ENMO] = _("ENMO (mg)"),
    [IMU_SUBJECT_COLUMN_SEDENTARY] = _("Sedentary (min)"),
    [IMU_SUBJECT_COLUMN_LIGHT] = _("Light (min)"),
    [IMU_SUBJECT_COLUMN_MODERATE] = _("Moderate (min)"),
    [IMU_SUBJECT_COLUMN_VIGOROUS] = _("Vigorous (min)"),
    [IMU_SUBJECT_COLUMN_PEAKS] = _("Peaks/min"),
    [IMU_SUBJECT_COLUMN_WEAR] = _("Worn"),
    [IMU_SUBJECT_COLUMN_FINDINGS] = _("Findings"),
  };

  for (int c = 0; c < IMU_SUBJECT_N_COLUMNS; c++)
    {
      ColumnRef *ref = g_new0 (ColumnRef, 1);
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkCustomSorter *sorter;

      ref->page = self;
      ref->column = c;
      /* The factory owns @ref; the sorter borrows it (the factory lives
       * as long as the column, the column as long as the sorter is used). */
      g_signal_connect_data (factory, "setup", G_CALLBACK (setup_cell_cb), ref, NULL, 0);
      g_signal_connect_data (factory, "bind", G_CALLBACK (bind_cell_cb), ref,
                             (GClosureNotify) (void (*) (void)) g_free, 0);
      sorter = gtk_custom_sorter_new (sort_cb, ref, NULL);
      self->columns[c] = gtk_column_view_column_new (titles[c], factory);
      gtk_column_view_column_set_sorter (self->columns[c], GTK_SORTER (sorter));
      gtk_column_view_column_set_resizable (self->columns[c], TRUE);
      if (c == IMU_SUBJECT_COLUMN_TITLE)
        gtk_column_view_column_set_expand (self->columns[c], TRUE);
      g_object_unref (sorter);
      gtk_column_view_append_column (self->column_view, self->columns[c]);
    }
}

/* Every sorter and cell again: numbers arrived. */
static void
numbers_changed (ImuSubjectPage *self,
                 ImuSession     *session)
{
  guint position;

  /* Putting the session back where it is makes the views bind its cells
   * again and the sort model place it anew. */
  if (g_list_store_find (self->store, session, &position))
    g_list_store_splice (self->store, position, 1, (gpointer *) &session, 1);
  update_chart (self);
}

/* ---- the date filter ---- */

static gboolean
date_filter_cb (gpointer item,
                gpointer user_data)
{
  ImuSubjectPage *self = user_data;
  g_autofree char *day = NULL;

  if (self->from_date == NULL && self->to_date == NULL)
    return TRUE;
  day = session_day (IMU_SESSION (item));
  if (day == NULL)
    return FALSE;
  return (self->from_date == NULL || strcmp (day, self->from_date) >= 0)
         && (self->to_date == NULL || strcmp (day, self->to_date) <= 0);
}

/* "2024-03-12" as typed (surrounding spaces allowed) into @out, NULL for
 * an empty text; FALSE when it is not a date. */
static gboolean
parse_day (const char  *text,
           char       **out)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  int y, m, d, consumed = 0;

  *out = NULL;
  if (*copy == '\0')
    return TRUE;
  if (sscanf (copy, "%4d-%2d-%2d%n", &y, &m, &d, &consumed) != 3 || copy[consumed] != '\0'
      || !g_date_valid_dmy (d, m, y))
    return FALSE;
  *out = g_strdup_printf ("%04d-%02d-%02d", y, m, d);
  return TRUE;
}

static void
update_count (ImuSubjectPage *self)
{
  guint shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));
  guint all = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  g_autofree char *text = NULL;

  if (shown == all)
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u session", "%u sessions", all), all);
  else
    /* Translators: sessions of a subject shown after a date filter: "2 of 3 sessions" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u of %u session", "%u of %u sessions", all), shown, all);
  gtk_label_set_text (self->count_label, text);
}

static gboolean
apply_dates (ImuSubjectPage *self)
{
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  gboolean from_ok = parse_day (gtk_editable_get_text (GTK_EDITABLE (self->from_entry)), &from);
  gboolean to_ok = parse_day (gtk_editable_get_text (GTK_EDITABLE (self->to_entry)), &to);

  if (from_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->from_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->from_entry), "error");
  if (to_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->to_entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (self->to_entry), "error");
  gtk_label_set_text (self->date_error_label,
                      from_ok && to_ok ? "" : _("Type a day as year-month-day, such as 2024-03-12."));
  /* A half-typed date keeps the filter as it was. */
  if (!from_ok || !to_ok)
    return FALSE;
  if (g_strcmp0 (from, self->from_date) == 0 && g_strcmp0 (to, self->to_date) == 0)
    return TRUE;
  g_free (self->from_date);
  self->from_date = g_steal_pointer (&from);
  g_free (self->to_date);
  self->to_date = g_steal_pointer (&to);
  gtk_filter_changed (GTK_FILTER (self->date_filter), GTK_FILTER_CHANGE_DIFFERENT);
  return TRUE;
}

static void
dates_changed_cb (ImuSubjectPage *self)
{
  apply_dates (self);
}

static void
filtered_items_changed_cb (ImuSubjectPage *self)
{
  update_count (self);
  update_chart (self);
}

/* ---- the trend chart ---- */

static ImuSubjectColumn
metric_column (Metric metric)
{
  static const ImuSubjectColumn columns[N_METRICS] = {
    IMU_SUBJECT_COLUMN_ENMO, IMU_SUBJECT_COLUMN_SEDENTARY, IMU_SUBJECT_COLUMN_LIGHT,
    IMU_SUBJECT_COLUMN_MODERATE, IMU_SUBJECT_COLUMN_VIGOROUS, IMU_SUBJECT_COLUMN_PEAKS,
    IMU_SUBJECT_COLUMN_WEAR, IMU_SUBJECT_COLUMN_DURATION,
  };

  return columns[metric];
}

static int
compare_start (gconstpointer a,
               gconstpointer b)
{
  gint64 ta = imu_session_get_start_ns (*(ImuSession **) a);
  gint64 tb = imu_session_get_start_ns (*(ImuSession **) b);

  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

static void
update_chart (ImuSubjectPage *self)
{
  Metric metric = MIN (gtk_drop_down_get_selected (self->metric_dropdown), N_METRICS - 1);
  GListModel *model = G_LIST_MODEL (self->filter_model);
  guint n = g_list_model_get_n_items (model);
  g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree gint64 *t = g_new (gint64, MAX (n, 1));
  g_autofree double *values = g_new (double, MAX (n, 1));
  const char *title = NULL;
  ImuIntensity intensity = IMU_INTENSITY_SEDENTARY;
  double scale = 1;
  GdkRGBA color;

  /* In the intensity chart's colours: a class's minutes in the class's
   * colour, the other numbers in the first class's blue. */
  switch (metric)
    {
    case METRIC_ENMO:      title = _("Mean ENMO (mg)"); break;
    case METRIC_SEDENTARY: title = _("Sedentary (min)"); break;
    case METRIC_LIGHT:     title = _("Light (min)"); intensity = IMU_INTENSITY_LIGHT; break;
    case METRIC_MODERATE:  title = _("Moderate (min)"); intensity = IMU_INTENSITY_MODERATE; break;
    case METRIC_VIGOROUS:  title = _("Vigorous (min)"); intensity = IMU_INTENSITY_VIGOROUS; break;
    case METRIC_PEAKS:     title = _("Peaks per minute"); break;
    case METRIC_WEAR:      title = _("Time worn (min)"); scale = 1.0 / 60; break;
    case METRIC_DURATION:  title = _("Duration (min)"); scale = 1.0 / 60; break;
    case N_METRICS:
    default:               g_assert_not_reached ();
    }
  imu_intensity_get_color (intensity, &color);

  /* The chart runs by date whatever order the table has. */
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (sessions, g_list_model_get_item (model, i));
  g_ptr_array_sort (sessions, compare_start);
  for (guint i = 0; i < sessions->len; i++)
    {
      ImuSession *session = g_ptr_array_index (sessions, i);

      t[i] = imu_session_get_start_ns (session);
      values[i] = column_value (self, session, metric_column (metric)) * scale;
    }
  imu_trend_chart_set_points (self->trend_chart, title, &color, t, values, sessions->len);
}

static void
metric_selected_cb (ImuSubjectPage *self)
{
  update_chart (self);
}

/* ---- profiling in the background ----
 *
 * One worker thread per run, with its own connection to the library, goes
 * through the subject's sessions: a current stored profile is read, any
 * other session is profiled and its profile stored, as `imu list
 * --with-profile` does (the same options, so that both share the stored
 * profiles). Each session's key numbers come back to the page as soon as
 * they are known. */

#define PROGRESS_STEPS 1000

typedef struct {
  char             *library_path;
  GArray           *ids;          /* gint64 */
  ImuProgressRelay *relay;        /* overall progress, in PROGRESS_STEPS per session */
  guint             generation;
} ProfileJob;

typedef enum {
  MESSAGE_STARTED,    /* session @index is being computed */
  MESSAGE_DONE,       /* its numbers (or its error) */
} MessageKind;

typedef struct {
  ImuSubjectPage       *page;     /* a reference, given back in the main context */
  guint                 generation;
  MessageKind           kind;
  guint                 index;
  guint                 n;
  gint64                session_id;
  gboolean              ok;
  ImuProfileKeyNumbers  numbers;
  char                 *error;
} Message;

typedef struct {
  ImuProgressRelay *relay;
  guint             index;
  guint             n;
} SessionProgress;

static void
profile_job_free (gpointer data)
{
  ProfileJob *job = data;

  g_free (job->library_path);
  g_array_unref (job->ids);
  imu_progress_relay_unref (job->relay);
  g_free (job);
}

static void
message_free (gpointer data)
{
  Message *message = data;

  g_object_unref (message->page);
  imu_profile_key_numbers_clear (&message->numbers);
  g_free (message->error);
  g_free (message);
}

static void
set_progress_text (ImuSubjectPage *self,
                   const char     *text,
                   const char     *button)
{
  gtk_label_set_text (self->progress_label, text);
  gtk_button_set_label (self->cancel_button, button);
  gtk_revealer_set_reveal_child (self->progress_revealer, text != NULL);
}

static gboolean
message_cb (gpointer data)
{
  Message *message = data;
  ImuSubjectPage *self = message->page;
  ImuSession *session;
  RowData *row;

  if (message->generation != self->generation || self->library == NULL)
    return G_SOURCE_REMOVE;

  if (message->kind == MESSAGE_STARTED)
    {
      g_autofree char *text = g_strdup_printf (_("Profiling session %u of %u…"), message->index + 1, message->n);

      set_progress_text (self, text, _("_Cancel"));
      return G_SOURCE_REMOVE;
    }

  session = imu_library_lookup (self->library, message->session_id);
  row = g_hash_table_lookup (self->rows, &message->session_id);
  if (session == NULL || row == NULL)
    return G_SOURCE_REMOVE;
  imu_profile_key_numbers_clear (&row->numbers);
  g_clear_pointer (&row->error, g_free);
  if (message->ok)
    {
      row->state = ROW_DONE;
      row->numbers = message->numbers;
      message->numbers.movement_stream = NULL;   /* moved */
    }
  else
    {
      row->state = ROW_FAILED;
      row->error = g_strdup (message->error);
      g_warning ("Could not profile session %" G_GINT64_FORMAT ": %s", message->session_id, message->error);
      if (self->n_failed++ == 0)
        self->first_failure = g_strdup_printf ("%s: %s", imu_session_get_title (session), message->error);
    }
  numbers_changed (self, session);
  return G_SOURCE_REMOVE;
}

static void
post_message (GTask   *task,
              Message *message)
{
  message->page = g_object_ref (g_task_get_source_object (task));
  imu_context_post (NULL, message_cb, message, message_free);
}

static void
session_progress_cb (guint64  done,
                     guint64  total,
                     gpointer data)
{
  SessionProgress *p = data;
  guint64 part = total > 0 ? MIN (done, total) * PROGRESS_STEPS / total : 0;

  imu_progress_relay_report ((guint64) p->index * PROGRESS_STEPS + part, (guint64) p->n * PROGRESS_STEPS, p->relay);
}

static void
profile_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ProfileJob *job = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (job->library_path, &error);
  ImuProfileOptions options;

  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  imu_profile_options_init (&options);

  for (guint i = 0; i < job->ids->len; i++)
    {
      gint64 id = g_array_index (job->ids, gint64, i);
      SessionProgress progress = { job->relay, i, job->ids->len };
      g_autoptr(ImuProfile) profile = NULL;
      gboolean needs_update = TRUE;
      Message *message;

      if (g_task_return_error_if_cancelled (task))
        return;
      if (!imu_profile_needs_update (store, id, &options, &needs_update, &error))
        g_clear_error (&error);   /* get_or_compute says what is wrong */
      if (needs_update)
        {
          message = g_new0 (Message, 1);
          message->generation = job->generation;
          message->kind = MESSAGE_STARTED;
          message->index = i;
          message->n = job->ids->len;
          post_message (task, message);
        }
      profile = imu_profile_get_or_compute (store, id, &options, session_progress_cb, &progress,
                                            cancellable, &error);
      if (profile == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      session_progress_cb (1, 1, &progress);

      message = g_new0 (Message, 1);
      message->generation = job->generation;
      message->kind = MESSAGE_DONE;
      message->session_id = id;
      message->ok = profile != NULL;
      if (profile != NULL)
        imu_profile_get_key_numbers (profile, &message->numbers);
      else
        message->error = g_strdup (error->message);
      g_clear_error (&error);
      post_message (task, message);
    }
  g_task_return_boolean (task, TRUE);
}

typedef struct {
  ImuSubjectPage *page;
  guint           generation;
} ProgressTarget;

static void
progress_target_free (gpointer data)
{
  ProgressTarget *target = data;

  g_object_unref (target->page);
  g_free (target);
}

static void
progress_cb (guint64  done,
             guint64  total,
             gpointer data)
{
  ProgressTarget *target = data;

  if (target->generation == target->page->generation)
    gtk_progress_bar_set_fraction (target->page->progress_bar, total > 0 ? CLAMP ((double) done / total, 0, 1) : 0);
}

static void
set_busy (ImuSubjectPage *self,
          gboolean        busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "subject.export-csv", !busy);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), busy);
  /* Pending cells change from "…" to "—" and back. */
  if (self->store != NULL && g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    {
      g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

      for (guint i = 0; i < n; i++)
        g_ptr_array_add (all, g_list_model_get_item (G_LIST_MODEL (self->store), i));
      g_list_store_splice (self->store, 0, n, all->pdata, n);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
profile_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ImuSubjectPage *self = IMU_SUBJECT_PAGE (object);
  ProfileJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (job->generation != self->generation)
    return;
  set_busy (self, FALSE);
  g_clear_object (&self->cancellable);
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          self->stopped = TRUE;
          /* Translators: the sessions not profiled show no numbers */
          set_progress_text (self, _("Profiling stopped. Sessions not profiled yet show no numbers."), _("_Resume"));
        }
      else
        {
          g_autofree char *text = g_strdup_printf (_("Could not read the library: %s"), error->message);

          set_progress_text (self, text, _("_Try Again"));
        }
      return;
    }
  if (self->rescan && self->n_failed == 0)
    {
      start_profiling (self);
      return;
    }
  if (self->n_failed > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "Could not profile %u session (%s).",
                                                            "Could not profile %u sessions (first: %s).",
                                                            self->n_failed),
                                               self->n_failed, self->first_failure);

      set_progress_text (self, text, _("_Try Again"));
      return;
    }
  set_progress_text (self, NULL, _("_Cancel"));
}

static void
stop_profiling (ImuSubjectPage *self)
{
  self->generation++;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  set_busy (self, FALSE);
}

static void
start_profiling (ImuSubjectPage *self)
{
  g_autoptr(GTask) task = NULL;
  ProfileJob *job;
  ProgressTarget *target;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  stop_profiling (self);
  self->stopped = FALSE;
  self->rescan = FALSE;
  self->n_failed = 0;
  g_clear_pointer (&self->first_failure, g_free);
  set_progress_text (self, NULL, _("_Cancel"));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  if (self->library == NULL || n == 0)
    return;

  job = g_new0 (ProfileJob, 1);
  job->library_path = g_strdup (imu_library_get_path (self->library));
  job->ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), n);
  job->generation = self->generation;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ImuSession) session = g_list_model_get_item (G_LIST_MODEL (self->store), i);
      RowData *row = lookup_row (self, session);
      gint64 id = imu_session_get_id (session);

      /* Numbers already known stay; a failed session is tried again. */
      if (row != NULL && row->state == ROW_DONE)
        continue;
      g_array_append_val (job->ids, id);
    }
  if (job->ids->len == 0)
    {
      profile_job_free (job);
      return;
    }
  target = g_new0 (ProgressTarget, 1);
  target->page = g_object_ref (self);
  target->generation = self->generation;
  job->relay = imu_progress_relay_new (progress_cb, target, progress_target_free);

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, profile_done_cb, NULL);
  g_task_set_source_tag (task, start_profiling);
  g_task_set_task_data (task, job, profile_job_free);
  set_busy (self, TRUE);
  imu_task_run_in_thread (task, profile_worker);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ImuSubjectPage *self = IMU_SUBJECT_PAGE (widget);

  if (self->busy)
    {
      /* The worker stops at its next check; its result says so. */
      g_cancellable_cancel (self->cancellable);
      return;
    }
  start_profiling (self);
}

/* ---- the subjects and their sessions ---- */

static void
collect_sessions (ImuSubjectPage *self)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) old_rows = g_steal_pointer (&self->rows);
  GListModel *sessions = self->library != NULL ? imu_library_get_sessions (self->library) : NULL;
  guint n = sessions != NULL ? g_list_model_get_n_items (sessions) : 0;

  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, row_data_free);
  for (guint i = 0; i < n && self->subject_folded != NULL; i++)
    {
      g_autoptr(ImuSession) session = g_list_model_get_item (sessions, i);
      const char *subject = imu_session_get_subject (session);
      g_autofree char *folded = g_utf8_casefold (subject != NULL ? subject : "", -1);
      gint64 id = imu_session_get_id (session);
      gint64 *key = g_memdup2 (&id, sizeof id);
      gpointer old_key = NULL, old_row = NULL;

      if (!g_str_equal (folded, self->subject_folded))
        {
          g_free (key);
          continue;
        }
      g_ptr_array_add (found, g_object_ref (session));
      /* What is known of a session listed before stays known. */
      if (old_rows != NULL && g_hash_table_steal_extended (old_rows, &id, &old_key, &old_row))
        {
          g_free (old_key);
          g_hash_table_insert (self->rows, key, old_row);
        }
      else
        g_hash_table_insert (self->rows, key, g_new0 (RowData, 1));
    }
  g_ptr_array_sort (found, compare_start);
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       found->pdata, found->len);
}

static int
collate_names (gconstpointer a,
               gconstpointer b)
{
  return g_utf8_collate (*(const char **) a, *(const char **) b);
}

static void
update_subjects (ImuSubjectPage *self)
{
  GListModel *sessions = self->library != NULL ? imu_library_get_sessions (self->library) : NULL;
  guint n = sessions != NULL ? g_list_model_get_n_items (sessions) : 0;
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  guint selected = GTK_INVALID_LIST_POSITION;

  g_autoptr(GHashTable) spellings = g_hash_table_new (g_str_hash, g_str_equal);

  /* One entry per subject, in collation order, in its most frequent
   * spelling ("Ana" for two sessions of "Ana" and one of "ana"; the one
   * met first when as frequent). */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ImuSession) session = g_list_model_get_item (sessions, i);
      const char *subject = imu_session_get_subject (session);

      if (!is_blank (subject))
        g_hash_table_insert (spellings, (gpointer) subject,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (spellings, subject)) + 1));
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ImuSession) session = g_list_model_get_item (sessions, i);
      const char *subject = imu_session_get_subject (session);
      guint index;   /* in @names, plus one */
      char *folded;

      if (is_blank (subject))
        continue;
      folded = g_utf8_casefold (subject, -1);
      index = GPOINTER_TO_UINT (g_hash_table_lookup (seen, folded));
      if (index > 0)
        {
          if (GPOINTER_TO_UINT (g_hash_table_lookup (spellings, subject))
              > GPOINTER_TO_UINT (g_hash_table_lookup (spellings, names->pdata[index - 1])))
            names->pdata[index - 1] = (gpointer) subject;
          g_free (folded);
          continue;
        }
      g_ptr_array_add (names, (gpointer) subject);
      g_hash_table_insert (seen, folded, GUINT_TO_POINTER (names->len));
    }
  g_ptr_array_sort (names, collate_names);
  g_ptr_array_add (names, NULL);

  self->updating_subjects = TRUE;
  gtk_string_list_splice (self->subjects, 0, g_list_model_get_n_items (G_LIST_MODEL (self->subjects)),
                          (const char * const *) names->pdata);
  for (guint i = 0; self->subject_folded != NULL && i + 1 < names->len; i++)
    {
      g_autofree char *folded = g_utf8_casefold (names->pdata[i], -1);

      if (g_str_equal (folded, self->subject_folded))
        selected = i;
    }
  /* The page names the subject as the dropdown does. */
  if (selected != GTK_INVALID_LIST_POSITION && g_strcmp0 (self->subject, names->pdata[selected]) != 0)
    {
      g_free (self->subject);
      self->subject = g_strdup (names->pdata[selected]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBJECT]);
    }
  gtk_drop_down_set_selected (self->subject_dropdown, selected);
  self->updating_subjects = FALSE;
}

static void
library_sessions_changed_cb (ImuSubjectPage *self)
{
  update_subjects (self);
  collect_sessions (self);
  /* A session that joined is profiled (once the page is shown); those
   * known stay as they are. A run under way goes on (an import of many
   * files must not restart it each time): the next one starts after it. */
  if (self->busy)
    self->rescan = TRUE;
  else if (!self->stopped && gtk_widget_get_mapped (GTK_WIDGET (self)))
    start_profiling (self);
}

static void
subject_selected_cb (ImuSubjectPage *self)
{
  GtkStringObject *item = gtk_drop_down_get_selected_item (self->subject_dropdown);

  if (self->updating_subjects || item == NULL)
    return;
  imu_subject_page_set_subject (self, gtk_string_object_get_string (item));
}

static void
row_activated_cb (ImuSubjectPage *self,
                  guint           position)
{
  g_autoptr(ImuSession) session = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);

  if (session != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "win.select-session", "x", imu_session_get_id (session));
}

/* ---- export ---- */

static void
show_toast (ImuSubjectPage *self,
            const char     *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
exported_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  ImuSubjectPage *self = IMU_SUBJECT_PAGE (object);
  g_autoptr(GError) error = NULL;

  if (imu_subject_page_export_finish (self, result, &error))
    show_toast (self, _("Table exported"));
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_autofree char *text = g_strdup_printf (_("Could not export the table: %s"), error->message);

      show_toast (self, text);
    }
}

static void
export_response_cb (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  g_autoptr(ImuSubjectPage) self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

      if (file != NULL)
        imu_subject_page_export_async (self, file, NULL, exported_cb, NULL);
    }
  g_object_unref (dialog);
}

static void
export_csv_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  ImuSubjectPage *self = IMU_SUBJECT_PAGE (widget);
  GtkNative *native = gtk_widget_get_native (widget);
  GtkFileChooserNative *dialog;
  g_autofree char *name = NULL;

  dialog = gtk_file_chooser_native_new (_("Export Table"), GTK_IS_WINDOW (native) ? GTK_WINDOW (native) : NULL,
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  /* Translators: the suggested file name of the subject page's export;
   * %s is the subject */
  name = g_strdup_printf (_("%s sessions.csv"), self->subject != NULL ? self->subject : "");
  g_strdelimit (name, "/\\", '-');
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  g_signal_connect (dialog, "response", G_CALLBACK (export_response_cb), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
replace_done_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (g_file_replace_contents_finish (G_FILE (object), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    {
      g_autofree char *where = g_file_get_parse_name (G_FILE (object));

      g_prefix_error (&error, "%s: ", where);
      g_task_return_error (task, error);
    }
}

/* ---- the class ---- */

static void
imu_subject_page_dispose (GObject *object)
{
  ImuSubjectPage *self = IMU_SUBJECT_PAGE (object);

  stop_profiling (self);
  if (self->library != NULL)
    g_signal_handlers_disconnect_by_data (imu_library_get_sessions (self->library), self);
  g_clear_object (&self->library);
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), IMU_TYPE_SUBJECT_PAGE);
  g_clear_object (&self->selection);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->date_filter);
  g_clear_object (&self->store);
  g_clear_object (&self->subjects);
  g_clear_pointer (&self->rows, g_hash_table_unref);

  G_OBJECT_CLASS (imu_subject_page_parent_class)->dispose (object);
}

static void
imu_subject_page_finalize (GObject *object)
{
  ImuSubjectPage *self = IMU_SUBJECT_PAGE (object);

  g_free (self->subject);
  g_free (self->subject_folded);
  g_free (self->from_date);
  g_free (self->to_date);
  g_free (self->first_failure);

  G_OBJECT_CLASS (imu_subject_page_parent_class)->finalize (object);
}

static void
imu_subject_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  ImuSubjectPage *self = IMU_SUBJECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Sessions that joined while the page was hidden are profiled now. */
static void
imu_subject_page_map (GtkWidget *widget)
{
  ImuSubjectPage *self = IMU_SUBJECT_PAGE (widget);

  GTK_WIDGET_CLASS (imu_subject_page_parent_class)->map (widget);
  if (!self->busy && !self->stopped)
    start_profiling (self);
}

static void
imu_subject_page_class_init (ImuSubjectPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = imu_subject_page_dispose;
  object_class->finalize = imu_subject_page_finalize;
  object_class->get_property = imu_subject_page_get_property;
  widget_class->map = imu_subject_page_map;

  properties[PROP_SUBJECT] =
    g_param_spec_string ("subject", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (IMU_TYPE_TREND_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/imustudio/ImuStudio/imu-subject-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, stack);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, subject_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, export_button);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, from_entry);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, to_entry);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, date_error_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, metric_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, trend_chart);
  gtk_widget_class_bind_template_child (widget_class, ImuSubjectPage, column_view);
  gtk_widget_class_bind_template_callback (widget_class, subject_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, dates_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, metric_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, row_activated_cb);

  gtk_widget_class_install_action (widget_class, "subject.export-csv", NULL, export_csv_action);
  gtk_widget_class_install_action (widget_class, "subject.cancel", NULL, cancel_action);
}

static void
imu_subject_page_init (ImuSubjectPage *self)
{
  GtkSorter *sorter;

  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, row_data_free);
  self->store = g_list_store_new (IMU_TYPE_SESSION);
  self->subjects = gtk_string_list_new (NULL);

  gtk_widget_init_template (GTK_WIDGET (self));

  gtk_drop_down_set_model (self->subject_dropdown, G_LIST_MODEL (self->subjects));
  gtk_drop_down_set_expression (self->subject_dropdown,
                                gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string"));
  add_columns (self);

  /* subject's sessions → date filter → the table's sort → the table */
  self->date_filter = gtk_custom_filter_new (date_filter_cb, self, NULL);
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                                  g_object_ref (GTK_FILTER (self->date_filter)));
  sorter = gtk_column_view_get_sorter (self->column_view);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->filter_model)),
                                              sorter != NULL ? g_object_ref (sorter) : NULL);
  self->selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->sort_model)));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  gtk_column_view_sort_by_column (self->column_view, self->columns[IMU_SUBJECT_COLUMN_DATE], GTK_SORT_ASCENDING);
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (filtered_items_changed_cb), self, G_CONNECT_SWAPPED);

  set_progress_text (self, NULL, _("_Cancel"));
  update_count (self);
  update_chart (self);
}

GtkWidget *
imu_subject_page_new (void)
{
  return g_object_new (IMU_TYPE_SUBJECT_PAGE, NULL);
}

void
imu_subject_page_set_library (ImuSubjectPage *self,
                              ImuLibrary     *library)
{
  g_return_if_fail (IMU_IS_SUBJECT_PAGE (self));
  g_return_if_fail (library == NULL || IMU_IS_LIBRARY (library));

  if (self->library == library)
    return;
  stop_profiling (self);
  if (self->library != NULL)
    g_signal_handlers_disconnect_by_data (imu_library_get_sessions (self->library), self);
  g_set_object (&self->library, library);
  if (library != NULL)
    g_signal_connect_object (imu_library_get_sessions (library), "items-changed",
                             G_CALLBACK (library_sessions_changed_cb), self, G_CONNECT_SWAPPED);
  g_hash_table_remove_all (self->rows);
  update_subjects (self);
  collect_sessions (self);
  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->subjects)) > 0 ? "subject" : "none");
  start_profiling (self);
}

void
imu_subject_page_set_subject (ImuSubjectPage *self,
                              const char     *subject)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (IMU_IS_SUBJECT_PAGE (self));

  /* The same subject again is read again too: a session's subject may
   * have been edited meanwhile. Known numbers stay. */
  folded = !is_blank (subject) ? g_utf8_casefold (subject, -1) : NULL;
  g_free (self->subject);
  self->subject = g_strdup (subject);
  g_free (self->subject_folded);
  self->subject_folded = g_steal_pointer (&folded);

  update_subjects (self);
  collect_sessions (self);
  gtk_stack_set_visible_child_name (self->stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->subjects)) > 0 ? "subject" : "none");
  start_profiling (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SUBJECT]);
}

const char *
imu_subject_page_get_subject (ImuSubjectPage *self)
{
  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), NULL);
  return self->subject;
}

GListModel *
imu_subject_page_get_subjects (ImuSubjectPage *self)
{
  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), NULL);
  return G_LIST_MODEL (self->subjects);
}

gboolean
imu_subject_page_set_date_range (ImuSubjectPage *self,
                                 const char     *from,
                                 const char     *to)
{
  g_autofree char *from_day = NULL;
  g_autofree char *to_day = NULL;

  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), FALSE);

  if (!parse_day (from, &from_day) || !parse_day (to, &to_day))
    return FALSE;
  gtk_editable_set_text (GTK_EDITABLE (self->from_entry), from != NULL ? from : "");
  gtk_editable_set_text (GTK_EDITABLE (self->to_entry), to != NULL ? to : "");
  return apply_dates (self);
}

GListModel *
imu_subject_page_get_rows (ImuSubjectPage *self)
{
  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), NULL);
  return G_LIST_MODEL (self->sort_model);
}

char *
imu_subject_page_dup_cell_text (ImuSubjectPage   *self,
                                guint             position,
                                ImuSubjectColumn  column)
{
  g_autoptr(ImuSession) session = NULL;

  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), NULL);
  g_return_val_if_fail (column < IMU_SUBJECT_N_COLUMNS, NULL);

  session = g_list_model_get_item (G_LIST_MODEL (self->sort_model), position);
  return session != NULL ? cell_text (self, session, column) : NULL;
}

GtkColumnView *
imu_subject_page_get_column_view (ImuSubjectPage *self)
{
  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), NULL);
  return self->column_view;
}

ImuTrendChart *
imu_subject_page_get_trend_chart (ImuSubjectPage *self)
{
  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), NULL);
  return self->trend_chart;
}

GtkDropDown *
imu_subject_page_get_metric_dropdown (ImuSubjectPage *self)
{
  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), NULL);
  return self->metric_dropdown;
}

gboolean
imu_subject_page_get_busy (ImuSubjectPage *self)
{
  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), FALSE);
  return self->busy;
}

char *
imu_subject_page_dup_csv (ImuSubjectPage *self)
{
  GListModel *model;
  GString *csv;
  guint n;

  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), NULL);

  model = G_LIST_MODEL (self->sort_model);
  n = g_list_model_get_n_items (model);
  csv = g_string_new (imu_profile_key_numbers_csv_header ());
  g_string_append_c (csv, '\n');
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ImuSession) session = g_list_model_get_item (model, i);

      imu_profile_key_numbers_append_csv (csv, session, numbers_of (self, session));
      g_string_append_c (csv, '\n');
    }
  return g_string_free (csv, FALSE);
}

/**
 * imu_subject_page_export_async:
 *
 * Writes the table as it is now (see imu_subject_page_dup_csv()) to @file,
 * replacing it, with GIO's asynchronous file calls. Does not block.
 */
void
imu_subject_page_export_async (ImuSubjectPage      *self,
                               GFile               *file,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char *csv;

  g_return_if_fail (IMU_IS_SUBJECT_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, imu_subject_page_export_async);
  csv = imu_subject_page_dup_csv (self);
  bytes = g_bytes_new_take (csv, strlen (csv));
  g_file_replace_contents_bytes_async (file, bytes, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION,
                                       cancellable, replace_done_cb, g_steal_pointer (&task));
}

gboolean
imu_subject_page_export_finish (ImuSubjectPage *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (IMU_IS_SUBJECT_PAGE (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
