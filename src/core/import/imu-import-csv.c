/* imu-import-csv.c — CSV/TSV and the CSV dialects devices write
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One streaming pass: the first buffer is sniffed (imu-csv-dialect.c) and
 * its columns mapped (imu-csv-layout.c); then every line is split and
 * parsed in place, with no allocation per line or field, and its values
 * appended to the stream writers. Memory stays at one buffer and a few
 * batches whatever the size of the file.
 *
 * Parsing and writing (encoding chunks, LOD, SQLite) cost about the same,
 * so a large input is parsed on a second thread that hands batches of
 * rows to the calling thread, which owns the context and the store. The
 * parser never touches either; issues travel as per-row flags.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "imu-import-csv-private.h"
#include "imu-number.h"
#include "imu-session.h"
#include "imu-time.h"

/* Progress and cancellation are looked at every this many bytes, the
 * threshold of bad lines once per batch. */
#define PROGRESS_BYTES (1024 * 1024)
/* A line longer than this is not delimited text. */
#define MAX_LINE_BYTES (64 * 1024 * 1024)
/* Rows handed from the parser to the writers at a time, and batches in
 * flight: enough to keep both cores busy, little enough to keep memory
 * flat (a batch of 7 columns is ~300 KiB). */
#define BATCH_ROWS 4096
#define N_BATCHES 4
/* Inputs this small are parsed on the calling thread. */
#define THREAD_MIN_BYTES (2 * 1024 * 1024)
/* Fill groups tracked per row (a bit each). */
#define MAX_GROUPS 32
/* Devices one file may interleave (a column "Address", "device_id"). */
#define MAX_DEVICES 64

enum {
  ROLE_SKIP,
  ROLE_TIME,
  ROLE_VALUE,
  ROLE_DEVICE,
  ROLE_LABEL,      /* a label column: checked, not imported */
};

/* Per-row flags: the low bits hold the reason a line was rejected. */
enum {
  REJECT_MASK      = 0x7,
  REJECT_NUMERIC   = 1,
  REJECT_COLUMNS   = 2,
  REJECT_TIME      = 3,
  REJECT_UTF8      = 4,
  REJECT_RANGE     = 5,
  ROW_EMPTY        = 1 << 3,
  ROW_NONFINITE    = 1 << 4,
  ROW_DUPLICATE    = 1 << 5,
  ROW_BACKWARDS    = 1 << 6,
  ROW_LABEL        = 1 << 7,
};

static const char * const reject_codes[] = {
  NULL, IMU_ISSUE_NUMERIC_FORMAT, IMU_ISSUE_COLUMN_COUNT, IMU_ISSUE_TIME_PARSE, IMU_ISSUE_UTF8,
  IMU_ISSUE_TIME_RANGE,
};

/* Parsed lines on their way from the parser to the writers. */
typedef struct {
  guint     n_rows;
  gint64   *t;
  gint64   *line;
  guint32  *flags;
  guint32  *groups;     /* fill groups the row carries (bit per group) */
  guint8   *device;     /* the device of the row (0 without a device column) */
  GPtrArray *new_devices; /* (element-type utf8): devices first seen in this batch, in order */
  double   *values;     /* n_rows × n_values */
  guint64   bytes_done; /* input read up to the end of the last row */
  gboolean  last;       /* no more rows after this batch */
  GError   *error;      /* the parser failed (read error, cancelled) */
} Batch;

/* What the time checks and Movella's clock keep per device: a file
 * without a device column has one. */
typedef struct {
  char     *raw;              /* the device field as written */
  gsize     raw_len;
  gint64   *last_t;           /* per fill group */
  gboolean *has_last;
  gboolean  counter_started;
  guint32   counter_prev;
  gint64    counter_us;
} Device;

static void
device_free (Device *dev)
{
  g_free (dev->raw);
  g_free (dev->last_t);
  g_free (dev->has_last);
  g_free (dev);
}

/* The parser: the input, the buffer and what the lines need. It runs on
 * its own thread for large inputs and never touches the context. */
typedef struct {
  GInputStream        *in;
  GCancellable        *cancellable;
  const char          *name;
  const ImuCsvDialect *d;
  const ImuCsvLayout  *l;

  char                *buf;
  gsize                cap;
  gsize                len;
  gsize                pos;
  gboolean             eof;
  guint64              consumed;     /* bytes before buf[0] */
  gint64               line_no;

  guint                n_columns;
  guint8              *roles;
  guint               *value_of;     /* per column */
  guint               *group_of;     /* per column */
  guint                n_values;
  int                 *decimals;     /* per value: -2 none yet, -1 varying */
  guint                n_groups;
  guint               *filled;       /* per group, this line */
  guint               *group_size;
  GPtrArray           *devices;      /* (element-type Device) */
  Device              *dev;          /* the device of the line being parsed */
  guint                dev_index;
  int                  device_column;/* -1 without one */
  gint64               device_overflow_line; /* a line named device MAX_DEVICES + 1 */
  ImuCsvField         *fields;       /* the general splitter's output */
  const char         **label_value;  /* per column: a label column's value (borrowed), else NULL */

  char                 delim;
  gboolean             fast;
  gboolean             decimal_comma;
  gboolean             trailing;
  ImuCsvTimeMode       time_mode;
  int                  time_scale;
  gint64               origin;
  ImuCsvDateOrder      date_order;
  int                  tz_offset_s;
  double               rate_hz;
  gint64               rate_int;     /* the rate when a whole number of Hz, else 0 */
  gint64               row_index;    /* data lines so far (RATE mode) */

  /* The first rejected line, for the message when there are too many. */
  gint64               bad_line;
  int                  bad_column;
  guint32              bad_code;

  GAsyncQueue         *full;         /* Batch*: parser → writers */
  GAsyncQueue         *free;         /* Batch*: writers → parser */
  gint                 stop;         /* atomic: the writers gave up */
} Parser;

static Batch *
batch_new (guint n_values)
{
  Batch *b = g_new0 (Batch, 1);

  b->t = g_new (gint64, BATCH_ROWS);
  b->line = g_new (gint64, BATCH_ROWS);
  b->flags = g_new (guint32, BATCH_ROWS);
  b->groups = g_new (guint32, BATCH_ROWS);
  b->device = g_new0 (guint8, BATCH_ROWS);
  b->new_devices = g_ptr_array_new_with_free_func (g_free);
  b->values = g_new (double, (gsize) BATCH_ROWS * MAX (n_values, 1));
  return b;
}

static void
batch_free (Batch *b)
{
  if (b == NULL)
    return;
  g_free (b->t);
  g_free (b->line);
  g_free (b->flags);
  g_free (b->groups);
  g_free (b->device);
  g_ptr_array_unref (b->new_devices);
  g_free (b->values);
  g_clear_error (&b->error);
  g_free (b);
}

static void
parser_clear (Parser *p)
{
  g_free (p->buf);
  g_free (p->roles);
  g_free (p->value_of);
  g_free (p->group_of);
  g_free (p->decimals);
  g_free (p->filled);
  g_free (p->group_size);
  g_clear_pointer (&p->devices, g_ptr_array_unref);
  g_free (p->fields);
  g_free (p->label_value);
  if (p->full != NULL)
    {
      Batch *b;
      while ((b = g_async_queue_try_pop (p->full)) != NULL)
        batch_free (b);
      g_async_queue_unref (p->full);
    }
  if (p->free != NULL)
    {
      Batch *b;
      while ((b = g_async_queue_try_pop (p->free)) != NULL)
        batch_free (b);
      g_async_queue_unref (p->free);
    }
}

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static gboolean
all_blank (const char *p, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!is_blank (p[i]))
      return FALSE;
  return TRUE;
}

/* Marks a row rejected. A line that is not UTF-8 is reported as such:
 * the cause is the encoding, not the number. */
static void
reject (Parser *p, Batch *b, guint row, guint32 code, int column, const char *line, gsize len)
{
  if (!g_utf8_validate (line, (gssize) len, NULL))
    code = REJECT_UTF8;
  b->flags[row] = code;
  if (p->bad_line == 0)
    {
      p->bad_line = b->line[row];
      p->bad_column = column;
      p->bad_code = code;
    }
  /* A sample slot all the same: times from a rate leave a gap. */
  p->row_index++;
}

/* @origin + @offset as a sample time: REJECT_RANGE unless it lies in the
 * times IMU Studio represents (imu-time.h). The sum saturates, so an
 * offset near the end of int64 can never wrap to a time in range. */
static inline guint32
place_time (gint64 origin, gint64 offset, gint64 *t)
{
  gint64 r = imu_time_add_sat (origin, offset);

  if (G_UNLIKELY (!imu_time_in_range (r)))
    return REJECT_RANGE;
  *t = r;
  return 0;
}

/* Reads the time field: 0, or why the line is rejected (REJECT_TIME for
 * text that is no time, REJECT_RANGE for a time outside 1900–2190). */
static inline guint32
parse_time (Parser *p, const char *s, gsize len, gint64 *t)
{
  gint64 v;

  switch (p->time_mode)
    {
    case IMU_CSV_TIME_SCALED:
      if (G_LIKELY (imu_number_parse_int64_decimal (s, len, p->time_scale, &v, NULL)))
        return place_time (p->origin, v, t);
      /* More digits than a nanosecond, an exponent, a decimal comma, or
       * a number too large for int64 nanoseconds. */
      switch (imu_csv_parse_scaled_status (s, len, p->time_scale, p->decimal_comma, &v, NULL))
        {
        case IMU_CSV_TIME_OK:
          return place_time (p->origin, v, t);
        case IMU_CSV_TIME_OUT_OF_RANGE:
          return REJECT_RANGE;
        case IMU_CSV_TIME_BAD_SYNTAX:
        default:
          return REJECT_TIME;
        }

    case IMU_CSV_TIME_DATETIME:
      switch (imu_csv_parse_datetime_status (s, len, p->date_order, p->tz_offset_s, t, NULL, NULL, NULL))
        {
        case IMU_CSV_TIME_OK:
          return 0;
        case IMU_CSV_TIME_OUT_OF_RANGE:
          return REJECT_RANGE;
        case IMU_CSV_TIME_BAD_SYNTAX:
        default:
          return REJECT_TIME;
        }

    case IMU_CSV_TIME_COUNTER_US:
      {
        gint64 raw;
        guint32 now;
        Device *dev = p->dev;
        gint64 counter_us = dev->counter_us;
        gint64 offset;

        if (!imu_number_parse_int64_decimal (s, len, 0, &raw, NULL) || raw < 0 || raw > G_MAXUINT32)
          return REJECT_TIME;
        now = (guint32) raw;
        if (dev->counter_started)
          {
            /* The clock wraps at 2^32 µs (71.6 min): the difference modulo
             * 2^32 is the step, read as signed so a step back stays one. */
            gint32 step = (gint32) (now - dev->counter_prev);
            counter_us = imu_time_add_sat (counter_us, step);
          }
        else
          counter_us = 0;
        if (__builtin_mul_overflow (counter_us, 1000, &offset))
          return REJECT_RANGE;
        if (place_time (p->origin, offset, t) != 0)
          return REJECT_RANGE;
        /* Only a line that is kept moves the clock on. */
        dev->counter_started = TRUE;
        dev->counter_us = counter_us;
        dev->counter_prev = now;
        return 0;
      }

    case IMU_CSV_TIME_RATE:
    default:
      g_assert_not_reached ();
      return REJECT_TIME;
    }
}

/* origin + index / rate, exact to the ns for a whole rate; REJECT_RANGE
 * when the slot lies outside 1900–2190 (a very long file at a very low
 * rate, or a start near the end of the range). */
static inline guint32
rate_time (Parser *p, gint64 index, gint64 *t)
{
  if (p->rate_int > 0)
    {
      /* index × 1e9 overflows int64 after 9.2e9 rows: compute it wide. */
      __int128 off = ((__int128) index * G_GINT64_CONSTANT (1000000000) + p->rate_int / 2) / p->rate_int;

      if (off > G_MAXINT64)
        return REJECT_RANGE;
      return place_time (p->origin, (gint64) off, t);
    }
  else
    {
      double off = (double) index * (1e9 / p->rate_hz);

      /* llround () of a double beyond int64 is undefined. */
      if (!(off < 9.2e18))
        return REJECT_RANGE;
      return place_time (p->origin, (gint64) llround (off), t);
    }
}

/* One value field into @out; FALSE when it is not a number. */
static inline gboolean
parse_value (Parser *p, guint j, const char *fs, gsize flen, double *out, gboolean *empty, gboolean *nonfinite)
{
  guint v = p->value_of[j];
  double x;
  int dec;

  if (G_LIKELY (flen > 0 && imu_number_parse (fs, flen, p->decimal_comma, &x, &dec)))
    {
      out[v] = x;
      p->filled[p->group_of[j]]++;
      if (G_UNLIKELY (dec != p->decimals[v]))
        {
          if (dec < 0 && !isfinite (x))
            *nonfinite = TRUE;
          else
            p->decimals[v] = p->decimals[v] == -2 ? dec : -1;
        }
      return TRUE;
    }
  if (flen == 0 || all_blank (fs, flen))
    {
      out[v] = NAN;
      *empty = TRUE;
      return TRUE;
    }
  return FALSE;
}

static Device *
device_new (Parser *p, const char *raw, gsize len)
{
  Device *dev = g_new0 (Device, 1);

  dev->raw = g_strndup (raw, len);
  dev->raw_len = len;
  dev->last_t = g_new0 (gint64, p->n_groups);
  dev->has_last = g_new0 (gboolean, p->n_groups);
  g_ptr_array_add (p->devices, dev);
  return dev;
}

/* The device a line names; a new one is announced in the batch. FALSE
 * past MAX_DEVICES. No allocation but for a new device. */
static gboolean
find_device (Parser *p, Batch *b, const char *fs, gsize flen)
{
  Device *dev = p->dev;

  while (flen > 0 && (fs[0] == ' ' || fs[0] == '"'))
    fs++, flen--;
  while (flen > 0 && (fs[flen - 1] == ' ' || fs[flen - 1] == '"'))
    flen--;
  if (dev != NULL && dev->raw_len == flen && memcmp (dev->raw, fs, flen) == 0)
    return TRUE;
  for (guint i = 0; i < p->devices->len; i++)
    {
      dev = g_ptr_array_index (p->devices, i);
      if (dev->raw_len == flen && memcmp (dev->raw, fs, flen) == 0)
        {
          p->dev = dev;
          p->dev_index = i;
          return TRUE;
        }
    }
  if (p->devices->len >= MAX_DEVICES)
    return FALSE;
  p->dev = device_new (p, fs, flen);
  p->dev_index = p->devices->len - 1;
  g_ptr_array_add (b->new_devices, g_utf8_make_valid (fs, (gssize) flen));
  return TRUE;
}

/* Whether a label column's field still holds its value. */
static inline gboolean
label_kept (const char *value, const char *fs, gsize flen)
{
  while (flen > 0 && is_blank (fs[0]))
    fs++, flen--;
  while (flen > 0 && is_blank (fs[flen - 1]))
    flen--;
  return strlen (value) == flen && memcmp (value, fs, flen) == 0;
}

/* One data line into row @row of @b. Returns FALSE when the line is blank
 * and makes no row. */
static gboolean
parse_line (Parser *p, Batch *b, guint row, const char *line, gsize len)
{
  const char *s = line;
  const char *e = line + len;
  const guint n = p->n_columns;
  double *out = b->values + (gsize) row * p->n_values;
  gint64 t = 0;
  gboolean any_empty = FALSE;
  gboolean nonfinite = FALSE;
  gboolean have_time = FALSE;
  gboolean extra;
  guint32 flags = 0;
  guint32 groups = 0;
  guint n_got;
  guint j;
  /* With a device column after the time column, the time is read once
   * the device is known (Movella's clock runs per device). */
  const char *time_p = NULL;
  gsize time_len = 0;
  int time_col = -1;
  gboolean device_known = p->device_column < 0;
  gboolean label_changed = FALSE;

  if (len == 0 || (is_blank (line[0]) && all_blank (line, len)))
    return FALSE;
  b->line[row] = p->line_no;
  for (guint g = 0; g < p->n_groups; g++)
    p->filled[g] = 0;
  if (p->device_column < 0)
    {
      p->dev = g_ptr_array_index (p->devices, 0);
      p->dev_index = 0;
    }

  if (p->fast)
    {
      const char delim = p->delim;

      for (j = 0; j < n; j++)
        {
          const char *fs = s;
          gsize flen;

          while (s < e && *s != delim)
            s++;
          flen = (gsize) (s - fs);

          if (p->roles[j] == ROLE_VALUE)
            {
              if (G_UNLIKELY (!parse_value (p, j, fs, flen, out, &any_empty, &nonfinite)))
                {
                  reject (p, b, row, REJECT_NUMERIC, (int) j, line, len);
                  return TRUE;
                }
            }
          else if (p->roles[j] == ROLE_TIME)
            {
              guint32 why;

              if (!device_known)
                {
                  time_p = fs;
                  time_len = flen;
                  time_col = (int) j;
                }
              else if (G_UNLIKELY ((why = parse_time (p, fs, flen, &t)) != 0))
                {
                  reject (p, b, row, why, (int) j, line, len);
                  return TRUE;
                }
              else
                have_time = TRUE;
            }
          else if (p->roles[j] == ROLE_DEVICE)
            {
              if (G_UNLIKELY (!find_device (p, b, fs, flen)))
                {
                  p->device_overflow_line = p->line_no;
                  reject (p, b, row, REJECT_COLUMNS, (int) j, line, len);
                  return TRUE;
                }
              device_known = TRUE;
            }
          else if (G_UNLIKELY (p->roles[j] == ROLE_LABEL) && !label_kept (p->label_value[j], fs, flen))
            label_changed = TRUE;

          if (s >= e)
            {
              j++;
              break;
            }
          s++;
        }
      n_got = j;
      /* A delimiter after the last column is tolerated on any line. */
      extra = s < e && !(p->trailing && all_blank (s, (gsize) (e - s)));
    }
  else
    {
      guint total = imu_csv_split (line, len, p->delim, p->d->quotes, p->fields, n + 1);

      n_got = MIN (total, n);
      extra = total > n;
      if (extra && p->trailing && total == n + 1 && all_blank (p->fields[n].p, p->fields[n].len))
        extra = FALSE;
      for (j = 0; j < n_got; j++)
        {
          const char *fs = p->fields[j].p;
          gsize flen = p->fields[j].len;

          if (p->roles[j] == ROLE_VALUE)
            {
              if (!parse_value (p, j, fs, flen, out, &any_empty, &nonfinite))
                {
                  reject (p, b, row, REJECT_NUMERIC, (int) j, line, len);
                  return TRUE;
                }
            }
          else if (p->roles[j] == ROLE_TIME)
            {
              guint32 why;

              if (!device_known)
                {
                  time_p = fs;
                  time_len = flen;
                  time_col = (int) j;
                }
              else if ((why = parse_time (p, fs, flen, &t)) != 0)
                {
                  reject (p, b, row, why, (int) j, line, len);
                  return TRUE;
                }
              else
                have_time = TRUE;
            }
          else if (p->roles[j] == ROLE_DEVICE)
            {
              if (!find_device (p, b, fs, flen))
                {
                  p->device_overflow_line = p->line_no;
                  reject (p, b, row, REJECT_COLUMNS, (int) j, line, len);
                  return TRUE;
                }
              device_known = TRUE;
            }
          else if (p->roles[j] == ROLE_LABEL && !label_kept (p->label_value[j], fs, flen))
            label_changed = TRUE;
        }
    }

  if (G_UNLIKELY (n_got < n || extra))
    {
      reject (p, b, row, REJECT_COLUMNS, (int) MIN (n_got, n), line, len);
      return TRUE;
    }
  if (time_p != NULL)
    {
      guint32 why = parse_time (p, time_p, time_len, &t);

      if (why != 0)
        {
          reject (p, b, row, why, time_col, line, len);
          return TRUE;
        }
      have_time = TRUE;
    }

  if (!have_time)
    {
      guint32 why = rate_time (p, p->row_index, &t);

      if (G_UNLIKELY (why != 0))
        {
          reject (p, b, row, why, -1, line, len);
          return TRUE;
        }
    }
  p->row_index++;

  /* Which packet kinds the row carries, and its warnings. A file without
   * packet kinds has one group, always carried. */
  for (guint g = 0; g < p->n_groups; g++)
    {
      if (p->n_groups > 1 && p->filled[g] == 0)
        continue;
      groups |= 1u << g;
      if (p->filled[g] < p->group_size[g])
        flags |= ROW_EMPTY;
      if (p->dev->has_last[g])
        {
          if (G_UNLIKELY (t == p->dev->last_t[g]))
            flags |= ROW_DUPLICATE;
          else if (G_UNLIKELY (t < p->dev->last_t[g]))
            flags |= ROW_BACKWARDS;
        }
      p->dev->last_t[g] = t;
      p->dev->has_last[g] = TRUE;
    }
  if (groups == 0 && any_empty)
    flags |= ROW_EMPTY;
  if (G_UNLIKELY (nonfinite))
    flags |= ROW_NONFINITE;
  if (G_UNLIKELY (label_changed))
    flags |= ROW_LABEL;
  b->t[row] = t;
  b->flags[row] = flags;
  b->groups[row] = groups;
  b->device[row] = (guint8) p->dev_index;
  return TRUE;
}

/* Fills @buf from @len up to @cap bytes or the end of the input. */
static gboolean
fill (GInputStream *in, char *buf, gsize *len, gsize cap, gboolean *eof,
      GCancellable *cancellable, GError **error)
{
  gsize got = 0;

  if (!g_input_stream_read_all (in, buf + *len, cap - *len, &got, cancellable, error))
    return FALSE;
  *eof = got < cap - *len;
  *len += got;
  return TRUE;
}

static void
too_many_devices (Parser *p, Batch *b)
{
  g_set_error (&b->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER,
               _("%s: line %" PRId64 ", column %d (%s): the file names more than %d devices in this column. "
                 "Split it into one file per device, or rename the column if it does not name devices."),
               p->name, p->device_overflow_line, p->device_column + 1,
               p->l->columns[p->device_column].label, MAX_DEVICES);
  b->last = TRUE;
}

/* Parses lines into @b until it is full or the input ends. */
static void
parse_batch (Parser *p, Batch *b)
{
  b->n_rows = 0;
  b->last = FALSE;
  g_clear_error (&b->error);
  g_ptr_array_set_size (b->new_devices, 0);

  for (;;)
    {
      while (p->pos < p->len && b->n_rows < BATCH_ROWS)
        {
          const char *line = p->buf + p->pos;
          const char *nl = memchr (line, '\n', p->len - p->pos);
          gsize llen;

          if (nl == NULL)
            break;
          llen = (gsize) (nl - line);
          if (llen > 0 && line[llen - 1] == '\r')
            llen--;
          if (parse_line (p, b, b->n_rows, line, llen))
            b->n_rows++;
          p->line_no++;
          p->pos = (gsize) (nl - p->buf) + 1;
          if (G_UNLIKELY (p->device_overflow_line > 0))
            {
              too_many_devices (p, b);
              return;
            }
        }
      b->bytes_done = p->consumed + p->pos;
      if (b->n_rows == BATCH_ROWS)
        return;

      if (p->eof)
        {
          /* The last line, without a final newline. */
          if (p->pos < p->len)
            {
              gsize llen = p->len - p->pos;

              if (p->buf[p->pos + llen - 1] == '\r')
                llen--;
              if (parse_line (p, b, b->n_rows, p->buf + p->pos, llen))
                b->n_rows++;
              p->line_no++;
              p->pos = p->len;
              b->bytes_done = p->consumed + p->pos;
              if (G_UNLIKELY (p->device_overflow_line > 0))
                {
                  too_many_devices (p, b);
                  return;
                }
            }
          b->last = TRUE;
          return;
        }

      /* Keep the partial line, read on. */
      memmove (p->buf, p->buf + p->pos, p->len - p->pos);
      p->consumed += p->pos;
      p->len -= p->pos;
      p->pos = 0;
      if (p->len == p->cap)
        {
          if (p->cap >= MAX_LINE_BYTES)
            {
              g_set_error (&b->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                           _("%s: line %" PRId64 " is longer than %d MiB; this is not delimited text."),
                           p->name, p->line_no, MAX_LINE_BYTES / (1024 * 1024));
              b->last = TRUE;
              return;
            }
          p->cap *= 2;
          p->buf = g_realloc (p->buf, p->cap);
        }
      if (!fill (p->in, p->buf, &p->len, p->cap, &p->eof, p->cancellable, &b->error))
        {
          if (!g_error_matches (b->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_prefix_error (&b->error, _("%s: cannot read line %" PRId64 ": "), p->name, p->line_no);
              b->error->domain = IMU_IMPORT_ERROR;
              b->error->code = IMU_IMPORT_ERROR_READ;
            }
          b->last = TRUE;
          return;
        }
    }
}

static gpointer
parser_worker (gpointer data)
{
  Parser *p = data;

  for (;;)
    {
      Batch *b = g_async_queue_pop (p->free);
      gboolean last;

      if (g_atomic_int_get (&p->stop))
        {
          b->n_rows = 0;
          b->last = TRUE;
        }
      else
        parse_batch (p, b);
      last = b->last;
      g_async_queue_push (p->full, b);
      if (last)
        return NULL;
    }
}

/* The writers' side: hands a batch's rows to the context and the streams.
 * Runs on the calling thread (the context and the store live there). */
typedef struct {
  ImuSessionBuilder  *builder;
  const ImuCsvLayout *l;
  guint               n_streams;    /* per device */
  GPtrArray          *writers;      /* ImuStreamWriter*: device × n_streams + stream */
  guint              *stream_first;
  guint              *stream_group;
  guint               n_values;
  gboolean            utf8_reported;
} Writers;

/* The name of a device's stream: the device ("D4:22:CD:00:12:34") when
 * the file has one stream per row, else the device and the stream
 * ("D4:22:CD:00:12:34 accelerometer"); a device that is a number is
 * named with its column ("device_id 2"). */
static char *
device_stream_name (const ImuCsvLayout *l, const ImuCsvStream *cs, const char *device)
{
  g_autofree char *who = NULL;
  gboolean number = *device != '\0';

  for (const char *c = device; *c != '\0'; c++)
    if (!g_ascii_isdigit (*c))
      number = FALSE;
  who = number || *device == '\0' ? g_strdup_printf ("%s%s%s", l->columns[l->device_column].label,
                                                     *device != '\0' ? " " : "", device)
                                   : g_strdup (device);
  if (l->streams->len == 1)
    return g_steal_pointer (&who);
  return g_strdup_printf ("%s %s", who, cs->info->name);
}

/* Streams for the devices a batch names first. */
static gboolean
add_device_streams (Writers *w, const Batch *b, GError **error)
{
  for (guint d = 0; d < b->new_devices->len; d++)
    for (guint s = 0; s < w->n_streams; s++)
      {
        const ImuCsvStream *cs = g_ptr_array_index (w->l->streams, s);
        g_autoptr(ImuStreamInfo) info = imu_stream_info_copy (cs->info);
        ImuStreamWriter *writer;

        g_free (info->name);
        info->name = device_stream_name (w->l, cs, g_ptr_array_index (b->new_devices, d));
        if (!(writer = imu_session_builder_add_stream (w->builder, info, error)))
          return FALSE;
        g_ptr_array_add (w->writers, writer);
      }
  return TRUE;
}

static gboolean
write_batch (Writers *w, const Batch *b, GError **error)
{
  const guint n_values = w->n_values;

  if (b->new_devices->len > 0 && !add_device_streams (w, b, error))
    return FALSE;
  for (guint i = 0; i < b->n_rows; i++)
    {
      guint32 f = b->flags[i];
      const double *values = b->values + (gsize) i * n_values;

      if (G_UNLIKELY (f != 0))
        {
          guint32 code = f & REJECT_MASK;

          if (code != 0)
            {
              if (code == REJECT_UTF8 && !w->utf8_reported)
                {
                  imu_session_builder_set_utf8_valid (w->builder, FALSE);
                  w->utf8_reported = TRUE;
                }
              imu_session_builder_issue (w->builder, reject_codes[code], b->line[i]);
              imu_session_builder_count_line (w->builder, FALSE);
              continue;
            }
          if (f & ROW_EMPTY)
            imu_session_builder_issue (w->builder, IMU_ISSUE_EMPTY_FIELD, b->line[i]);
          if (f & ROW_NONFINITE)
            imu_session_builder_issue (w->builder, IMU_ISSUE_NONFINITE, b->line[i]);
          if (f & ROW_DUPLICATE)
            imu_session_builder_issue (w->builder, IMU_ISSUE_DUPLICATE_TIME, b->line[i]);
          if (f & ROW_BACKWARDS)
            imu_session_builder_issue (w->builder, IMU_ISSUE_TIME_BACKWARDS, b->line[i]);
          if (f & ROW_LABEL)
            imu_session_builder_issue (w->builder, IMU_ISSUE_LABEL_CHANGED, b->line[i]);
        }
      for (guint s = 0; s < w->n_streams; s++)
        {
          ImuStreamWriter *writer = g_ptr_array_index (w->writers, (guint) b->device[i] * w->n_streams + s);

          if (!(b->groups[i] & (1u << w->stream_group[s])))
            continue;
          if (G_UNLIKELY (!imu_stream_writer_append (writer, b->t[i], values + w->stream_first[s], error)))
            return FALSE;
        }
      imu_session_builder_count_line (w->builder, TRUE);
    }
  return TRUE;
}

static void
append_session_note (ImuSession *session, const char *note)
{
  const char *old = imu_session_get_notes (session);
  g_autofree char *text = NULL;

  if (note == NULL || *note == '\0')
    return;
  if (old != NULL && strstr (old, note) != NULL)
    return;
  text = old != NULL && *old != '\0' ? g_strdup_printf ("%s\n%s", old, note) : g_strdup (note);
  imu_session_set_notes (session, text);
}

static void
set_session_str_if_empty (ImuSession *session, const char *property, const char *value)
{
  g_autofree char *old = NULL;

  if (value == NULL || *value == '\0')
    return;
  g_object_get (session, property, &old, NULL);
  if (old == NULL || *old == '\0')
    g_object_set (session, property, value, NULL);
}

/* Applies what the file says about the recording to the session. */
static void
apply_to_session (ImuSessionBuilder *builder, const ImuCsvDialect *d, const ImuCsvLayout *l)
{
  ImuSession *session = imu_session_builder_get_session (builder);

  set_session_str_if_empty (session, "device-vendor", d->device_vendor);
  set_session_str_if_empty (session, "device-model", d->device_model);
  set_session_str_if_empty (session, "device-serial", d->device_serial);
  set_session_str_if_empty (session, "device-firmware", d->device_firmware);
  if (l->has_tz)
    g_object_set (session, "tz-offset", l->tz_offset_s, NULL);
  append_session_note (session, l->note);
  append_session_note (session, d->note);
}

/* "name: line N, column M (label): " in front of a whole-file refusal. */
static void
prefix_where (GError **error, const char *name, gint64 line, int column, const ImuCsvLayout *l)
{
  if (error == NULL || *error == NULL)
    return;
  if (line > 0 && column >= 0 && l != NULL && (guint) column < l->n_columns)
    g_prefix_error (error, _("%s: line %" PRId64 ", column %d (%s): "), name, line,
                    column + 1, l->columns[column].label);
  else if (line > 0)
    g_prefix_error (error, _("%s: line %" PRId64 ": "), name, line);
  else
    g_prefix_error (error, "%s: ", name);
}

static void
parser_setup (Parser *p, const ImuCsvDialect *d, const ImuCsvLayout *l)
{
  p->d = d;
  p->l = l;
  p->n_columns = l->n_columns;
  p->roles = g_new0 (guint8, p->n_columns);
  p->value_of = g_new0 (guint, p->n_columns);
  p->group_of = g_new0 (guint, p->n_columns);
  p->n_values = l->n_values;
  p->decimals = g_new (int, MAX (p->n_values, 1));
  p->n_groups = CLAMP (l->n_fill_groups, 1, MAX_GROUPS);
  p->filled = g_new0 (guint, p->n_groups);
  p->group_size = g_new0 (guint, p->n_groups);
  p->devices = g_ptr_array_new_with_free_func ((GDestroyNotify) device_free);
  p->device_column = l->device_column;
  if (p->device_column < 0)
    device_new (p, "", 0);
  p->fields = g_new0 (ImuCsvField, p->n_columns + 1);
  p->label_value = g_new0 (const char *, p->n_columns);
  p->delim = d->delimiter;
  p->fast = !d->quotes && d->delimiter != ' ';
  p->decimal_comma = d->decimal_comma;
  p->trailing = d->trailing_delimiter;
  p->time_mode = l->time_mode;
  p->time_scale = l->time_scale;
  p->origin = l->origin_ns;
  p->date_order = l->date_order;
  p->tz_offset_s = l->tz_offset_s;
  p->rate_hz = l->rate_hz;
  if (l->time_mode == IMU_CSV_TIME_RATE && l->rate_hz == floor (l->rate_hz))
    p->rate_int = (gint64) l->rate_hz;
  for (guint v = 0; v < p->n_values; v++)
    p->decimals[v] = -2;
  for (guint j = 0; j < p->n_columns; j++)
    {
      const ImuCsvColumn *c = &l->columns[j];

      if (c->role == IMU_CSV_COL_VALUE)
        {
          p->roles[j] = ROLE_VALUE;
          p->value_of[j] = c->value;
          p->group_of[j] = p->n_groups > 1 ? MIN (c->fill_group, p->n_groups - 1) : 0;
          p->group_size[p->group_of[j]]++;
        }
      else if (c->role == IMU_CSV_COL_TIME)
        p->roles[j] = ROLE_TIME;
      else if ((int) j == l->device_column)
        p->roles[j] = ROLE_DEVICE;
      else if (c->label_value != NULL)
        {
          p->roles[j] = ROLE_LABEL;
          p->label_value[j] = c->label_value;
        }
      else
        {
          p->roles[j] = ROLE_SKIP;
          g_debug ("%s: column %u (%s) skipped: %s", p->name, j + 1, c->label,
                   c->skip_reason != NULL ? c->skip_reason : "");
        }
    }
}

gboolean
imu_import_csv_read (ImuSessionBuilder  *builder,
                     ImuImportInput     *input,
                     GInputStream       *in,
                     ImuCsvHints        *hints,
                     GError            **error)
{
  GCancellable *cancellable = input->cancellable;
  const char *name = input->name;
  guint64 size = input->size;
  guint64 bytes_base = input->bytes_base;
  ImuCsvDialect dialect = { 0 };
  ImuCsvLayout layout = { 0 };
  Parser p = { 0 };
  Writers w = { 0 };
  GThread *thread = NULL;
  Batch *single = NULL;
  guint64 next_progress = PROGRESS_BYTES;
  double scale = 1.0;
  gboolean seen_last = FALSE;
  gboolean ok = FALSE;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (builder), FALSE);
  g_return_val_if_fail (G_IS_INPUT_STREAM (in), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  p.in = in;
  p.cancellable = cancellable;
  p.name = name;
  p.cap = IMU_CSV_BUFFER_SIZE;
  p.buf = g_malloc (p.cap);
  if (!fill (in, p.buf, &p.len, p.cap, &p.eof, cancellable, &local_error))
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_prefix_error (&local_error, _("%s: cannot read: "), name);
          local_error->domain = IMU_IMPORT_ERROR;
          local_error->code = IMU_IMPORT_ERROR_READ;
        }
      goto out;
    }

  if (!imu_csv_dialect_sniff (p.buf, p.len, p.eof, &dialect, &local_error)
      || !imu_csv_layout_build (&dialect, name, hints, &layout, &local_error))
    {
      g_prefix_error (&local_error, "%s: ", name);
      goto out;
    }

  imu_session_builder_set_format (builder, layout.format);
  imu_session_builder_set_delimiter (builder, dialect.delimiter);
  if (!dialect.utf8_valid)
    imu_session_builder_set_utf8_valid (builder, FALSE);
  if (hints != NULL)
    g_strlcpy (hints->format, layout.format, sizeof hints->format);
  if (hints != NULL && hints->progress_scale > 0)
    scale = hints->progress_scale;

  parser_setup (&p, &dialect, &layout);
  p.pos = MIN (dialect.data_offset, p.len);
  p.line_no = dialect.first_data_line;

  w.builder = builder;
  w.l = &layout;
  w.n_values = layout.n_values;
  w.n_streams = layout.streams->len;
  /* Borrowed: the builder owns its writers. */
  w.writers = g_ptr_array_new ();
  w.stream_first = g_new0 (guint, MAX (w.n_streams, 1));
  w.stream_group = g_new0 (guint, MAX (w.n_streams, 1));
  for (guint s = 0; s < w.n_streams; s++)
    {
      ImuCsvStream *cs = g_ptr_array_index (layout.streams, s);

      w.stream_first[s] = cs->first_value;
      w.stream_group[s] = p.n_groups > 1 ? MIN (cs->fill_group, p.n_groups - 1) : 0;
      /* With a device column, each device's streams come with its first row. */
      if (layout.device_column < 0)
        {
          ImuStreamWriter *writer = imu_session_builder_add_stream (builder, cs->info, &local_error);

          if (writer == NULL)
            goto out;
          g_ptr_array_add (w.writers, writer);
        }
    }
  apply_to_session (builder, &dialect, &layout);
  for (guint i = 0; i < layout.issues->len; i++)
    {
      const ImuCsvFileIssue *issue = &g_array_index (layout.issues, ImuCsvFileIssue, i);

      imu_session_builder_issue (builder, issue->code, issue->line);
    }

  /* The pass: a large input is parsed on a second thread while this one
   * writes; a small one here, batch after batch. */
  if (!p.eof || p.len >= THREAD_MIN_BYTES)
    {
      p.full = g_async_queue_new ();
      p.free = g_async_queue_new ();
      for (guint i = 0; i < N_BATCHES; i++)
        g_async_queue_push (p.free, batch_new (p.n_values));
      thread = g_thread_new ("imu-csv-parse", parser_worker, &p);
    }
  else
    single = batch_new (p.n_values);

  for (;;)
    {
      Batch *b;
      gboolean last;

      if (thread != NULL)
        b = g_async_queue_pop (p.full);
      else
        {
          b = single;
          parse_batch (&p, b);
        }
      last = b->last;
      seen_last = last;
      if (b->error != NULL)
        {
          local_error = g_steal_pointer (&b->error);
          if (thread != NULL)
            g_async_queue_push (p.free, b);
          goto out;
        }
      if (!write_batch (&w, b, &local_error))
        {
          if (thread != NULL)
            g_async_queue_push (p.free, b);
          goto out;
        }
      if (b->bytes_done >= next_progress)
        {
          next_progress = b->bytes_done + PROGRESS_BYTES;
          imu_import_input_progress (input, bytes_base + (guint64) ((double) b->bytes_done * scale));
        }
      if (thread != NULL)
        g_async_queue_push (p.free, b);
      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        goto out;
      if (imu_session_builder_too_many_errors (builder))
        goto too_many;
      if (last)
        break;
    }

  if (imu_session_builder_too_many_errors (builder))
    goto too_many;

  /* The decimals the values were written with, now that all are seen. */
  for (guint k = 0; k < w.writers->len; k++)
    {
      ImuStreamWriter *writer = g_ptr_array_index (w.writers, k);
      const ImuStreamInfo *info = imu_stream_writer_get_info (writer);
      guint s = k % MAX (w.n_streams, 1);

      for (guint c = 0; c < info->n_channels; c++)
        {
          int dec = p.decimals[w.stream_first[s] + c];
          if (dec != -2)
            imu_stream_writer_set_decimals (writer, c, dec);
        }
    }
  imu_import_input_progress (input, bytes_base + (guint64) ((double) (size > 0 ? size : p.consumed + p.len) * scale));
  ok = TRUE;
  goto out;

too_many:
  g_set_error (&local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_MANY_ERRORS,
               _("too many lines could not be read (more than %d %% of them); the first bad line has %s. "
                 "Check the delimiter and the decimal separator of the file."),
               (int) (IMU_IMPORT_MAX_BAD_FRACTION * 100),
               reject_codes[p.bad_code & REJECT_MASK] != NULL ? reject_codes[p.bad_code & REJECT_MASK] : "?");
  prefix_where (&local_error, name, p.bad_line, p.bad_column, &layout);

out:
  if (thread != NULL)
    {
      /* Stop the parser: it sees the flag at its next batch; give it free
       * batches until it says it is done. */
      g_atomic_int_set (&p.stop, 1);
      if (!seen_last)
        {
          Batch *b;
          gboolean last = FALSE;

          while (!last)
            {
              b = g_async_queue_pop (p.full);
              last = b->last;
              g_async_queue_push (p.free, b);
            }
        }
      g_thread_join (thread);
    }
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&local_error));
  batch_free (single);
  g_clear_pointer (&w.writers, g_ptr_array_unref);
  g_free (w.stream_first);
  g_free (w.stream_group);
  parser_clear (&p);
  imu_csv_layout_clear (&layout);
  imu_csv_dialect_clear (&dialect);
  return ok;
}

gboolean
imu_import_csv_sniff (const guint8 *head, gsize len)
{
  ImuCsvDialect dialect = { 0 };
  g_autoptr(GError) error = NULL;
  gsize i = 0;
  gboolean ok;

  /* JSON lines split on commas too; they are not CSV. */
  if (len >= 3 && memcmp (head, "\xEF\xBB\xBF", 3) == 0)
    i = 3;
  while (i < len && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n'))
    i++;
  if (i < len && (head[i] == '{' || head[i] == '['))
    return FALSE;

  /* The head may end inside a line: sniff the whole lines only, unless
   * there is no line end at all (a one-line file). A header without rows
   * is delimited text all the same: the importer then says what lacks. */
  ok = imu_csv_dialect_sniff ((const char *) head, len, memchr (head, '\n', len) == NULL, &dialect, &error)
       || g_error_matches (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA);
  imu_csv_dialect_clear (&dialect);
  return ok;
}
