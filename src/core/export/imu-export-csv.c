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
static void
append_header_field (GString    *header,
                     const char *text)
{
  gsize len = strlen (text);

  if (strpbrk (text, ",\"\r\n") == NULL && (len == 0 || (text[0] != ' ' && text[len - 1] != ' ')))
    {
      g_string_append (header, text);
      return;
    }
  g_string_append_c (header, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (header, '"');
      g_string_append_c (header, *p);
    }
  g_string_append_c (header, '"');
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

static char *
build_header (const ImuStreamInfo *info)
{
  GString *header = g_string_new (NULL);
  const char *time_column = info->time_format.column;

  if (time_column == NULL || *time_column == '\0')
    time_column = default_time_column (info->time_format.kind);
  append_header_field (header, time_column);

  for (guint c = 0; c < info->n_channels; c++)
    {
      const ImuChannelInfo *ch = &info->channels[c];
      const char *name = ch->name != NULL ? ch->name : "";

      g_string_append_c (header, ',');
      if (ch->unit != NULL && *ch->unit != '\0' && !name_has_unit (name, ch->unit))
        {
          g_autofree char *field = g_strdup_printf ("%s (%s)", name, ch->unit);

          append_header_field (header, field);
        }
      else
        append_header_field (header, name);
    }
  g_string_append_c (header, '\n');
  return g_string_free (header, FALSE);
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
             const ImuTimeFormat *tf)
{
  int decimals = MAX (tf->decimals, 0);

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

gboolean
imu_export_csv_stream (ImuStore         *store,
                       gint64            stream_id,
                       GOutputStream    *out,
                       ImuProgressFunc   progress,
                       gpointer          progress_data,
                       GCancellable     *cancellable,
                       GError          **error)
{
  g_autoptr(ImuSeries) series = NULL;
  g_autofree gint64 *t = NULL;
  g_autofree double *values = NULL;
  g_autofree double **columns = NULL;
  g_autofree int *decimals = NULL;
  g_autofree char *header = NULL;
  g_autofree char *data = NULL;
  const ImuStreamInfo *info;
  Buffer buffer = { 0 };
  guint n_channels, n_chunks;
  gint64 total, done = 0;
  gsize row_max;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  series = imu_series_new (store, stream_id, error);
  if (series == NULL)
    return FALSE;

  info = imu_series_get_info (series);
  n_channels = imu_series_get_n_channels (series);
  n_chunks = imu_series_get_n_chunks (series);
  total = imu_series_get_n_samples (series);

  decimals = g_new (int, MAX (n_channels, 1));
  for (guint c = 0; c < n_channels; c++)
    decimals[c] = imu_series_get_decimals (series, c);

  /* One chunk of columns at a time: memory stays flat. */
  t = g_new (gint64, IMU_CHUNK_SAMPLES);
  values = g_new (double, (gsize) IMU_CHUNK_SAMPLES * MAX (n_channels, 1));
  columns = g_new (double *, MAX (n_channels, 1));
  for (guint c = 0; c < n_channels; c++)
    columns[c] = values + (gsize) c * IMU_CHUNK_SAMPLES;

  data = g_malloc (BUFFER_SIZE);
  buffer.out = out;
  buffer.cancellable = cancellable;
  buffer.data = data;
  row_max = TIME_BUF_SIZE + (gsize) n_channels * (IMU_NUMBER_BUF_SIZE + 1) + 2;
  g_assert (row_max < BUFFER_SIZE);

  header = build_header (info);
  if (!g_output_stream_write_all (out, header, strlen (header), NULL, cancellable, error))
    return FALSE;

  if (progress != NULL)
    progress (0, (guint64) total, progress_data);

  for (guint k = 0; k < n_chunks; k++)
    {
      gint64 n;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      n = imu_series_read_chunk (series, k, t, columns, error);
      if (n < 0)
        {
          g_prefix_error (error, _("Stream “%s”, chunk %u: "), info->name, k);
          return FALSE;
        }

      for (gint64 i = 0; i < n; i++)
        {
          char *p;

          if (buffer.len + row_max > BUFFER_SIZE && !buffer_flush (&buffer, error))
            return FALSE;

          p = buffer.data + buffer.len;
          buffer.len += format_time (p, t[i], &info->time_format);
          for (guint c = 0; c < n_channels; c++)
            {
              buffer_append_c (&buffer, ',');
              p = buffer.data + buffer.len;
              buffer.len += imu_number_format (p, columns[c][i], decimals[c]);
            }
          buffer_append_c (&buffer, '\n');
        }

      done += n;
      if (progress != NULL)
        progress ((guint64) done, (guint64) total, progress_data);
    }

  if (!buffer_flush (&buffer, error))
    return FALSE;
  return TRUE;
}
