/* imu-export-csv.c — writing a stream back as CSV, the way its source wrote it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-export"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-export-csv.h"
#include "imu-number.h"
#include "imu-series.h"
#include "imu-stream-writer.h"
#include "imu-time.h"

/* Text is collected in a buffer this big and written in one call: a write
 * per row would cost more than formatting the numbers. */
#define BUFFER_SIZE (1024 * 1024)
/* Room for a formatted time: "-292277-01-01T00:00:00.000000000+14:00". */
#define TIME_BUF_SIZE 64

#define NS_PER_S G_GINT64_CONSTANT (1000000000)

typedef struct {
  GOutputStream *out;
  GCancellable  *cancellable;
  char          *data;
  gsize          len;
} Buffer;

static gboolean
buffer_flush (Buffer  *b,
              GError **error)
{
  if (b->len == 0)
    return TRUE;
  if (!g_output_stream_write_all (b->out, b->data, b->len, NULL, b->cancellable, error))
    return FALSE;
  b->len = 0;
  return TRUE;
}

static inline void
buffer_append_c (Buffer *b,
                 char    c)
{
  b->data[b->len++] = c;
}

/* A header field, quoted as RFC 4180 says when it holds a comma, a quote,
 * a line break or surrounding spaces. The header is small, so this writes
 * through a GString rather than the row buffer. */
/**
 * imu_csv_append_field:
 *
 * Appends @text (%NULL: nothing) to @line as one CSV field, quoted as RFC
 * 4180 says when it holds a comma, a quote or a line break, and also when
 * it starts or ends with a space (which readers may trim).
 */
void
imu_csv_append_field (GString    *line,
                      const char *text)
{
  gsize len;

  if (text == NULL)
    text = "";
  len = strlen (text);
  if (strpbrk (text, ",\"\r\n") == NULL && (len == 0 || (text[0] != ' ' && text[len - 1] != ' ')))
    {
      g_string_append (line, text);
      return;
    }
  g_string_append_c (line, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (line, '"');
      g_string_append_c (line, *p);
    }
  g_string_append_c (line, '"');
}

/* Whether @name already carries its unit, "ax (g)" or "ax [g]": the source
 * wrote it that way and the importer kept the whole header as the name. */
static gboolean
name_has_unit (const char *name,
               const char *unit)
{
  g_autofree char *paren = g_strdup_printf ("(%s)", unit);
  g_autofree char *bracket = g_strdup_printf ("[%s]", unit);

  return g_str_has_suffix (name, paren) || g_str_has_suffix (name, bracket);
}

static const char *
default_time_column (ImuTimeKind kind)
{
  switch (kind)
    {
    case IMU_TIME_EPOCH_MS:
    case IMU_TIME_RELATIVE_MS:
      return "time (ms)";
    case IMU_TIME_EPOCH_US:
      return "time (us)";
    case IMU_TIME_EPOCH_NS:
      return "time (ns)";
    case IMU_TIME_NONE:
    case IMU_TIME_EPOCH_S:
    case IMU_TIME_RELATIVE_S:
    case IMU_TIME_ISO8601:
    case IMU_TIME_DATETIME:
    default:
      return "time";
    }
}

/* The time column's header, then `name` or `name (unit)` per channel of
 * every stream, in order. */
static char *
build_header (const ImuStreamInfo * const *infos,
              guint                        n_infos)
{
  GString *header = g_string_new (NULL);
  const char *time_column = infos[0]->time_format.column;

  if (time_column == NULL || *time_column == '\0')
    time_column = default_time_column (infos[0]->time_format.kind);
  imu_csv_append_field (header, time_column);

  for (guint s = 0; s < n_infos; s++)
    for (guint c = 0; c < infos[s]->n_channels; c++)
      {
        const ImuChannelInfo *ch = &infos[s]->channels[c];
        const char *name = ch->name != NULL ? ch->name : "";

        g_string_append_c (header, ',');
        if (ch->unit != NULL && *ch->unit != '\0' && !name_has_unit (name, ch->unit))
          {
            g_autofree char *field = g_strdup_printf ("%s (%s)", name, ch->unit);

            imu_csv_append_field (header, field);
          }
        else
          imu_csv_append_field (header, name);
      }
  g_string_append_c (header, '\n');
  return g_string_free (header, FALSE);
}

/* Movella's SampleTimeFine: µs of a sensor clock that wraps at 2^32. It is
 * stored as relative seconds (6 decimals) under the source's header. */
static gboolean
is_counter_column (const ImuTimeFormat *tf)
{
  return tf->kind == IMU_TIME_RELATIVE_S && tf->column != NULL
         && g_ascii_strcasecmp (tf->column, "SampleTimeFine") == 0;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (the "civil from
 * days" method: 400-year eras of 146097 days, years starting in March so
 * that the leap day is the last day of a year). */
static void
civil_from_days (gint64  days,
                 gint64 *year,
                 int    *month,
                 int    *day)
{
  gint64 z = days + 719468;
  gint64 era = (z >= 0 ? z : z - 146096) / 146097;
  gint64 doe = z - era * 146097;                                  /* [0, 146096] */
  gint64 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
  gint64 doy = doe - (365 * yoe + yoe / 4 - yoe / 100);           /* [0, 365] */
  gint64 mp = (5 * doy + 2) / 153;                                /* [0, 11], March = 0 */

  *day = (int) (doy - (153 * mp + 2) / 5 + 1);
  *month = (int) (mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

/* Writes @frac_ns (0..999999999) as ".ddd" with @decimals digits, more when
 * non-zero digits would be lost, none when @decimals ≤ 0 and @frac_ns is 0. */
static gsize
format_fraction (char   *buf,
                 gint64  frac_ns,
                 int     decimals)
{
  char digits[9];
  int n = CLAMP (decimals, 0, 9);
  gint64 v = frac_ns;

  for (int i = 8; i >= 0; i--)
    {
      digits[i] = (char) ('0' + v % 10);
      v /= 10;
    }
  for (int i = 8; i >= n; i--)
    if (digits[i] != '0')
      {
        n = i + 1;
        break;
      }
  if (n == 0)
    return 0;
  buf[0] = '.';
  memcpy (buf + 1, digits, n);
  return n + 1;
}

/* "2019-10-16T12:09:01.702+02:00" (ISO 8601) or "2019-12-23 21:04:06.690"
 * (wall clock), in the source's offset from UTC. */
static gsize
format_calendar (char          *buf,
                 gint64         t_ns,
                 const ImuTimeFormat *tf,
                 gboolean       iso)
{
  gint64 local = t_ns + (gint64) tf->tz_offset_s * NS_PER_S;
  gint64 secs = local / NS_PER_S;
  gint64 frac = local % NS_PER_S;
  gint64 days, sod, year;
  int month, day;
  gsize len;

  if (frac < 0)
    {
      frac += NS_PER_S;
      secs -= 1;
    }
  days = secs / 86400;
  sod = secs % 86400;
  if (sod < 0)
    {
      sod += 86400;
      days -= 1;
    }
  civil_from_days (days, &year, &month, &day);
  len = g_snprintf (buf, TIME_BUF_SIZE, "%04" PRId64 "-%02d-%02d%c%02d:%02d:%02d",
                    year, month, day, iso ? 'T' : ' ',
                    (int) (sod / 3600), (int) (sod / 60 % 60), (int) (sod % 60));
  len += format_fraction (buf + len, frac, tf->decimals);
  if (iso)
    {
      int off = tf->tz_offset_s;

      if (off == 0)
        buf[len++] = 'Z';
      else
        {
          char sign = off < 0 ? '-' : '+';

          off = ABS (off);
          len += g_snprintf (buf + len, TIME_BUF_SIZE - len, "%c%02d:%02d", sign, off / 3600, off / 60 % 60);
        }
    }
  buf[len] = '\0';
  return len;
}

static gsize
format_time (char                *buf,
             gint64               t_ns,
             const ImuTimeFormat *tf,
             gboolean             standalone)
{
  int decimals = MAX (tf->decimals, 0);

  if (standalone && is_counter_column (tf))
    {
      /* The clock's µs modulo 2^32, as the sensor wrote them: the reader
       * unwraps them from the first sample on (times were stored as
       * origin + µs × 1000, so the division is exact). */
      gint64 us = imu_time_sub_sat (t_ns, tf->origin_ns) / 1000;
      guint64 wrapped = (guint64) us & G_GUINT64_CONSTANT (0xFFFFFFFF);

      return (gsize) g_snprintf (buf, TIME_BUF_SIZE, "%" G_GUINT64_FORMAT, wrapped);
    }

  switch (tf->kind)
    {
    case IMU_TIME_EPOCH_S:
      return imu_number_format_int64_decimal (buf, t_ns, 9, decimals);
    case IMU_TIME_EPOCH_MS:
      return imu_number_format_int64_decimal (buf, t_ns, 6, decimals);
    case IMU_TIME_EPOCH_US:
      return imu_number_format_int64_decimal (buf, t_ns, 3, decimals);
    case IMU_TIME_EPOCH_NS:
      return imu_number_format_int64_decimal (buf, t_ns, 0, 0);
    case IMU_TIME_RELATIVE_S:
      return imu_number_format_int64_decimal (buf, t_ns - tf->origin_ns, 9, decimals);
    case IMU_TIME_RELATIVE_MS:
      return imu_number_format_int64_decimal (buf, t_ns - tf->origin_ns, 6, decimals);
    case IMU_TIME_ISO8601:
      return format_calendar (buf, t_ns, tf, TRUE);
    case IMU_TIME_DATETIME:
      return format_calendar (buf, t_ns, tf, FALSE);
    case IMU_TIME_NONE:
    default:
      /* No time column in the source: times came from a start and a rate,
       * so write them whole (nanoseconds) as epoch seconds. */
      return imu_number_format_int64_decimal (buf, t_ns, 9, 9);
    }
}

/* One stream being read chunk by chunk for a merged export. */
typedef struct {
  ImuSeries *series;
  guint      n_channels;
  guint      n_chunks;
  guint      next_chunk;
  gint64     n;          /* samples in the chunk held */
  gint64     pos;        /* next of them */
  gint64    *t;
  double    *values;
  double   **columns;
  int       *decimals;
} Cursor;

static void
cursor_clear (Cursor *c)
{
  g_clear_pointer (&c->series, imu_series_free);
  g_free (c->t);
  g_free (c->values);
  g_free (c->columns);
  g_free (c->decimals);
}

/* Makes sure @c holds a sample, reading its next chunk when needed.
 * FALSE with @error unset when the stream has no more samples. */
static gboolean
cursor_fill (Cursor  *c,
             GError **error)
{
  while (c->pos >= c->n)
    {
      gint64 n;

      if (c->next_chunk >= c->n_chunks)
        return FALSE;
      n = imu_series_read_chunk (c->series, c->next_chunk, c->t, c->columns, error);
      if (n < 0)
        {
          g_prefix_error (error, _("Stream “%s”, chunk %u: "), imu_series_get_info (c->series)->name,
                          c->next_chunk);
          return FALSE;
        }
      c->next_chunk++;
      c->n = n;
      c->pos = 0;
    }
  return TRUE;
}

/* The line above the header of a standalone file whose times count from an
 * origin: "StartTime: 2024-05-01T10:00:00.25Z" (UTC, as many decimals as
 * it needs). The CSV reader takes the origin of relative times from it, so
 * the file re-imports at the same absolute times (docs/import.md). */
static char *
start_time_line (const ImuTimeFormat *tf)
{
  ImuTimeFormat utc = { .kind = IMU_TIME_ISO8601, .decimals = 0, .tz_offset_s = 0 };
  char buf[TIME_BUF_SIZE];

  if (tf->kind != IMU_TIME_RELATIVE_S && tf->kind != IMU_TIME_RELATIVE_MS)
    return NULL;
  /* Origin 0 means that no date is known: the re-import puts
   * such times at 1970 again by itself. */
  if (tf->origin_ns == 0)
    return NULL;
  format_calendar (buf, tf->origin_ns, &utc, TRUE);
  return g_strdup_printf ("StartTime: %s\n", buf);
}

static gboolean
export_streams (ImuStore                    *store,
                const gint64                *stream_ids,
                guint                        n_streams,
                gboolean                     standalone,
                GOutputStream               *out,
                ImuProgressFunc              progress,
                gpointer                     progress_data,
                GCancellable                *cancellable,
                GError                     **error)
{
  g_autofree Cursor *cursors = g_new0 (Cursor, n_streams);
  g_autofree const ImuStreamInfo **infos = g_new0 (const ImuStreamInfo *, n_streams);
  g_autofree char *header = NULL;
  g_autofree char *start = NULL;
  g_autofree char *data = NULL;
  const ImuTimeFormat *tf;
  Buffer buffer = { 0 };
  gint64 total = 0, done = 0, next_progress = 0;
  gsize row_max = TIME_BUF_SIZE + 2;
  gboolean ok = FALSE;

  for (guint s = 0; s < n_streams; s++)
    {
      Cursor *c = &cursors[s];

      c->series = imu_series_new (store, stream_ids[s], error);
      if (c->series == NULL)
        goto out;
      infos[s] = imu_series_get_info (c->series);
      c->n_channels = imu_series_get_n_channels (c->series);
      c->n_chunks = imu_series_get_n_chunks (c->series);
      total += imu_series_get_n_samples (c->series);
      c->decimals = g_new (int, MAX (c->n_channels, 1));
      for (guint k = 0; k < c->n_channels; k++)
        c->decimals[k] = imu_series_get_decimals (c->series, k);
      /* One chunk of columns per stream at a time: memory stays flat. */
      c->t = g_new (gint64, IMU_CHUNK_SAMPLES);
      c->values = g_new (double, (gsize) IMU_CHUNK_SAMPLES * MAX (c->n_channels, 1));
      c->columns = g_new (double *, MAX (c->n_channels, 1));
      for (guint k = 0; k < c->n_channels; k++)
        c->columns[k] = c->values + (gsize) k * IMU_CHUNK_SAMPLES;
      row_max += (gsize) c->n_channels * (IMU_NUMBER_BUF_SIZE + 1);
    }
  /* All streams of one file share the first one's time column. */
  tf = &infos[0]->time_format;

  data = g_malloc (MAX (BUFFER_SIZE, 2 * row_max));
  buffer.out = out;
  buffer.cancellable = cancellable;
  buffer.data = data;

  if (standalone)
    start = start_time_line (tf);
  header = build_header (infos, n_streams);
  if ((start != NULL && !g_output_stream_write_all (out, start, strlen (start), NULL, cancellable, error))
      || !g_output_stream_write_all (out, header, strlen (header), NULL, cancellable, error))
    goto out;

  if (progress != NULL)
    progress (0, (guint64) total, progress_data);

  for (;;)
    {
      gint64 t_min = G_MAXINT64;
      guint n_live = 0, n_at_min = 0;
      int first_at_min = -1;
      char *p;

      for (guint s = 0; s < n_streams; s++)
        {
          if (!cursor_fill (&cursors[s], error))
            {
              if (error != NULL && *error != NULL)
                goto out;
              continue;
            }
          n_live++;
          if (cursors[s].t[cursors[s].pos] < t_min)
            t_min = cursors[s].t[cursors[s].pos];
        }
      if (n_live == 0)
        break;
      for (guint s = 0; s < n_streams; s++)
        if (cursors[s].pos < cursors[s].n && cursors[s].t[cursors[s].pos] == t_min)
          {
            n_at_min++;
            if (first_at_min < 0)
              first_at_min = (int) s;
          }

      if (buffer.len + row_max > MAX (BUFFER_SIZE, 2 * row_max) && !buffer_flush (&buffer, error))
        goto out;
      p = buffer.data + buffer.len;
      buffer.len += format_time (p, t_min, tf, standalone);
      /* A row holds every stream when all of them have a sample at this
       * time (streams split from one line of the source); otherwise the
       * earliest stream alone, its neighbours' fields left empty, as a
       * sparse log writes its packets (docs/import.md, sparse rows). */
      for (guint s = 0; s < n_streams; s++)
        {
          Cursor *c = &cursors[s];
          gboolean in_row = n_at_min == n_streams || (int) s == first_at_min;

          for (guint k = 0; k < c->n_channels; k++)
            {
              buffer_append_c (&buffer, ',');
              if (in_row)
                {
                  p = buffer.data + buffer.len;
                  buffer.len += imu_number_format (p, c->columns[k][c->pos], c->decimals[k]);
                }
            }
          if (in_row)
            {
              c->pos++;
              done++;
            }
        }
      buffer_append_c (&buffer, '\n');

      if (done >= next_progress)
        {
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;
          if (progress != NULL)
            progress ((guint64) done, (guint64) total, progress_data);
          next_progress = done + IMU_CHUNK_SAMPLES;
        }
    }

  if (!buffer_flush (&buffer, error))
    goto out;
  if (progress != NULL)
    progress ((guint64) done, (guint64) total, progress_data);
  ok = TRUE;

out:
  for (guint s = 0; s < n_streams; s++)
    cursor_clear (&cursors[s]);
  return ok;
}

gboolean
imu_export_csv_stream (ImuStore         *store,
                       gint64            stream_id,
                       GOutputStream    *out,
                       ImuProgressFunc   progress,
                       gpointer          progress_data,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return export_streams (store, &stream_id, 1, FALSE, out, progress, progress_data, cancellable, error);
}

gboolean
imu_export_csv_write (ImuStore         *store,
                      GPtrArray        *streams,
                      GOutputStream    *out,
                      ImuProgressFunc   progress,
                      gpointer          progress_data,
                      GCancellable     *cancellable,
                      GError          **error)
{
  g_autofree gint64 *ids = NULL;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (streams != NULL && streams->len > 0, FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ids = g_new (gint64, streams->len);
  for (guint s = 0; s < streams->len; s++)
    ids[s] = ((const ImuStreamInfo *) g_ptr_array_index (streams, s))->id;
  return export_streams (store, ids, streams->len, TRUE, out, progress, progress_data, cancellable, error);
}

static gboolean
same_time_format (const ImuTimeFormat *a,
                  const ImuTimeFormat *b)
{
  return a->kind == b->kind && a->decimals == b->decimals && a->tz_offset_s == b->tz_offset_s
         && a->origin_ns == b->origin_ns && g_strcmp0 (a->column, b->column) == 0;
}

gboolean
imu_export_csv_session_is_one_file (ImuSession *session)
{
  static const char * const text_suffixes[] = { ".csv", ".tsv", ".txt" };
  const char *path;
  GPtrArray *streams;
  g_autoptr(GHashTable) names = NULL;
  g_autofree char *lower = NULL;
  gboolean text = FALSE;
  const ImuStreamInfo *first;

  g_return_val_if_fail (IMU_IS_SESSION (session), FALSE);

  /* The origin says where the session came from: a folder, an archive
   * or a bundle is several files (or its own format), a delimited text
   * file is one. */
  path = imu_session_get_origin_path (session);
  streams = imu_session_get_streams (session);
  if (path == NULL || streams == NULL || streams->len == 0
      || g_strcmp0 (imu_session_get_origin (session), "imported") != 0
      || g_file_test (path, G_FILE_TEST_IS_DIR))
    return FALSE;
  lower = g_ascii_strdown (path, -1);
  for (guint i = 0; i < G_N_ELEMENTS (text_suffixes); i++)
    text = text || g_str_has_suffix (lower, text_suffixes[i]);
  if (!text)
    return FALSE;

  /* One file has one time column and one header, whose fields name one
   * column each. */
  first = g_ptr_array_index (streams, 0);
  names = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint s = 0; s < streams->len; s++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, s);

      if (!same_time_format (&first->time_format, &info->time_format))
        return FALSE;
      for (guint c = 0; c < info->n_channels; c++)
        {
          const char *name = info->channels[c].name != NULL ? info->channels[c].name : "";

          if (!g_hash_table_add (names, (gpointer) name))
            return FALSE;
        }
    }
  return TRUE;
}

char *
imu_export_csv_source_file_name (ImuSession *session)
{
  const char *path;
  g_autofree char *base = NULL;

  g_return_val_if_fail (IMU_IS_SESSION (session), NULL);

  path = imu_session_get_origin_path (session);
  if (path != NULL && *path != '\0')
    base = g_path_get_basename (path);
  if (base == NULL || *base == '\0' || base[0] == '.' || g_str_equal (base, G_DIR_SEPARATOR_S))
    return g_strdup ("session.csv");
  return g_steal_pointer (&base);
}

gboolean
imu_export_layout_from_string (const char      *text,
                               ImuExportLayout *layout)
{
  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (layout != NULL, FALSE);

  if (g_str_equal (text, "streams"))
    *layout = IMU_EXPORT_LAYOUT_STREAMS;
  else if (g_str_equal (text, "source"))
    *layout = IMU_EXPORT_LAYOUT_SOURCE;
  else
    return FALSE;
  return TRUE;
}

char *
imu_export_csv_stream_file_name (const char *stream_name)
{
  GString *name = g_string_new (NULL);

  g_return_val_if_fail (stream_name != NULL, NULL);

  for (const char *p = stream_name; *p != '\0'; p++)
    g_string_append_c (name, (*p == '/' || *p == '\\' || (guchar) *p < 0x20) ? '_' : *p);
  if (name->len == 0 || name->str[0] == '.')
    g_string_prepend_c (name, '_');
  g_string_append (name, ".csv");
  return g_string_free (name, FALSE);
}
