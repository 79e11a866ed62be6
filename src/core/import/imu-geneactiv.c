/* imu-geneactiv.c — reading GENEActiv .bin files: the header and the pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The layout (imu-geneactiv.h) was read from GENEActiv's operating
 * instructions, GGIRread's GENEActivReader.cpp and GENEAread's read.bin,
 * and checked against ../shared/data/real/geneactiv: each sample is 12
 * hexadecimal digits, x y z three digits each (12-bit two's complement),
 * then three digits whose top 10 bits are light and whose next bit is the
 * button.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-geneactiv.h"
#include "imu-import.h"
#include "imu-time.h"

/* Bytes read from the stream at a time. */
#define READ_CHUNK (64 * 1024)
/* A page has nine field lines; more than this many and its data line is
 * missing. */
#define MAX_PAGE_FIELDS 64
/* Header fields kept; a header has about fifty. */
#define MAX_HEADER_FIELDS 512
/* Rates a page may state, in Hz (GENEActiv records at 10 to 100 Hz). */
#define MIN_RATE_HZ 0.1
#define MAX_RATE_HZ 100000.0

struct _ImuGeneactivReader {
  GInputStream *in;
  char         *where;
  guint8       *buf;          /* READ_CHUNK bytes read ahead */
  gsize         buf_len;
  gsize         buf_pos;
  gboolean      eof;
  guint64       offset;       /* bytes read from the stream */
  GString      *line;         /* the current line, without its line end */
  gboolean      line_ended;   /* whether it ended with '\n' (not the file's end) */
  gint64        line_no;
  gboolean      have_pending; /* the current line is a "Recorded Data" not yet used */
  double        header_rate;
  gint64        n_pages_seen; /* "Recorded Data" lines read */
  guint         capacity;     /* samples the page arrays hold */
};

/* ---- lines ---- */

static gboolean
fill (ImuGeneactivReader *r, GCancellable *cancellable, GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gssize n = g_input_stream_read (r->in, r->buf, READ_CHUNK, cancellable, &local_error);

  if (n < 0)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read: %s"),
                     r->where, local_error->message);
      return FALSE;
    }
  r->buf_len = (gsize) n;
  r->buf_pos = 0;
  r->offset += (guint64) n;
  if (n == 0)
    r->eof = TRUE;
  return TRUE;
}

/* Reads the next line into r->line (without "\r\n"); *got is FALSE at the
 * end of the file. */
static gboolean
next_line (ImuGeneactivReader *r, gboolean *got, GCancellable *cancellable, GError **error)
{
  gboolean any = FALSE;

  g_string_truncate (r->line, 0);
  r->line_ended = FALSE;
  for (;;)
    {
      const guint8 *start, *nl;
      gsize avail;

      if (r->buf_pos == r->buf_len)
        {
          if (!r->eof && !fill (r, cancellable, error))
            return FALSE;
          if (r->eof)
            break;
        }
      start = r->buf + r->buf_pos;
      avail = r->buf_len - r->buf_pos;
      nl = memchr (start, '\n', avail);
      any = TRUE;
      if (r->line->len + (nl != NULL ? (gsize) (nl - start) : avail) > IMU_GENEACTIV_MAX_LINE)
        {
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                       _("%s: line %" PRId64 " is longer than %d characters: this is not a GENEActiv file"),
                       r->where, r->line_no + 1, IMU_GENEACTIV_MAX_LINE);
          return FALSE;
        }
      if (nl != NULL)
        {
          g_string_append_len (r->line, (const char *) start, nl - start);
          r->buf_pos += (gsize) (nl - start) + 1;
          r->line_ended = TRUE;
          break;
        }
      g_string_append_len (r->line, (const char *) start, (gssize) avail);
      r->buf_pos = r->buf_len;
    }
  if (r->line->len > 0 && r->line->str[r->line->len - 1] == '\r')
    g_string_truncate (r->line, r->line->len - 1);
  *got = any;
  if (any)
    r->line_no++;
  return TRUE;
}

/* @text without the spaces around it. */
static void
trim_spaces (const char *text, gsize len, const char **out, gsize *out_len)
{
  while (len > 0 && g_ascii_isspace (text[0]))
    {
      text++;
      len--;
    }
  while (len > 0 && g_ascii_isspace (text[len - 1]))
    len--;
  *out = text;
  *out_len = len;
}

/* The text of a field without the padding the device writes: spaces, and
 * NUL bytes that fill unset fields ("Study Code:\0\0\0…"). */
static void
trim_field (const char *text, gsize len, const char **out, gsize *out_len)
{
  const char *nul = memchr (text, '\0', len);

  if (nul != NULL)
    len = (gsize) (nul - text);
  trim_spaces (text, len, out, out_len);
}

static gboolean
line_is (const GString *line, const char *text)
{
  const char *p;
  gsize len;

  trim_field (line->str, line->len, &p, &len);
  return len == strlen (text) && memcmp (p, text, len) == 0;
}

/* Splits "Key:value" at the first colon; FALSE when there is none. */
static gboolean
split_field (const GString *line, char **key, char **value)
{
  const char *colon = memchr (line->str, ':', line->len);
  const char *p;
  gsize len;

  if (colon == NULL)
    return FALSE;
  trim_field (line->str, (gsize) (colon - line->str), &p, &len);
  *key = g_utf8_make_valid (p, (gssize) len);
  trim_field (colon + 1, line->len - (gsize) (colon + 1 - line->str), &p, &len);
  *value = g_utf8_make_valid (p, (gssize) len);
  return TRUE;
}

/* A number that fills @text, with an optional unit after a space
 * ("85.7 Hz"). */
static gboolean
parse_number (const char *text, gboolean allow_unit, double *out)
{
  char *end = NULL;
  double v;

  if (text == NULL || *text == '\0' || g_ascii_isspace (*text))
    return FALSE;
  v = g_ascii_strtod (text, &end);
  if (end == text || !isfinite (v))
    return FALSE;
  if (*end != '\0' && !(allow_unit && *end == ' '))
    return FALSE;
  *out = v;
  return TRUE;
}

/* "-8 to 8" → −8, 8. */
static gboolean
parse_range (const char *text, double *lo, double *hi)
{
  g_auto(GStrv) parts = NULL;

  if (text == NULL || strstr (text, " to ") == NULL)
    return FALSE;
  parts = g_strsplit (text, " to ", 2);
  return parse_number (g_strstrip (parts[0]), FALSE, lo) && parse_number (g_strstrip (parts[1]), FALSE, hi)
         && *hi > *lo;
}

static gboolean
parse_digits (const char **p, guint min, guint max, int *out)
{
  guint n = 0;
  int v = 0;

  while (n < max && g_ascii_isdigit (**p))
    {
      v = v * 10 + (**p - '0');
      (*p)++;
      n++;
    }
  *out = v;
  return n >= min;
}

static gint64
days_from_civil (gint64 y, int m, int d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* "2013-05-30 10:12:54:500" (the device writes the milliseconds after a
 * colon; "2013-6-11" has no leading zeros) → ns, the wall clock read as
 * UTC. */
static gboolean
parse_page_time (const char *text, gint64 *out)
{
  const char *p = text;
  int year, month, day, hour, minute, second, ms = 0;

  if (!parse_digits (&p, 4, 4, &year) || *p++ != '-'
      || !parse_digits (&p, 1, 2, &month) || *p++ != '-'
      || !parse_digits (&p, 1, 2, &day) || *p++ != ' '
      || !parse_digits (&p, 1, 2, &hour) || *p++ != ':'
      || !parse_digits (&p, 1, 2, &minute) || *p++ != ':'
      || !parse_digits (&p, 1, 2, &second))
    return FALSE;
  if (*p == ':' || *p == '.')
    {
      p++;
      if (!parse_digits (&p, 1, 3, &ms))
        return FALSE;
    }
  /* Years outside the times IMU Studio represents (1900–2189, imu-time.h)
   * are no page time: in ns they would not even fit in 64 bits. */
  if (*p != '\0' || year < 1900 || year > 2189 || month < 1 || month > 12 || day < 1
      || !g_date_valid_dmy (day, month, year) || hour > 23 || minute > 59 || second > 59)
    return FALSE;
  *out = ((days_from_civil (year, month, day) * 86400 + hour * 3600 + minute * 60 + second) * 1000 + ms)
         * G_GINT64_CONSTANT (1000000);
  return TRUE;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/* ---- the header ---- */

void
imu_geneactiv_header_free (ImuGeneactivHeader *header)
{
  if (header == NULL)
    return;
  g_clear_pointer (&header->keys, g_ptr_array_unref);
  g_clear_pointer (&header->values, g_ptr_array_unref);
  g_free (header);
}

const char *
imu_geneactiv_header_lookup (const ImuGeneactivHeader *header,
                             const char               *key)
{
  g_return_val_if_fail (header != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  for (guint i = 0; i < header->keys->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (header->keys, i), key) == 0)
      return g_ptr_array_index (header->values, i);
  return NULL;
}

ImuGeneactivReader *
imu_geneactiv_reader_new (GInputStream *in,
                          const char   *where)
{
  ImuGeneactivReader *r;

  g_return_val_if_fail (G_IS_INPUT_STREAM (in), NULL);

  r = g_new0 (ImuGeneactivReader, 1);
  r->in = g_object_ref (in);
  r->where = g_strdup (where != NULL ? where : "");
  r->buf = g_malloc (READ_CHUNK);
  r->line = g_string_sized_new (4096);
  return r;
}

void
imu_geneactiv_reader_free (ImuGeneactivReader *reader)
{
  if (reader == NULL)
    return;
  g_clear_object (&reader->in);
  g_free (reader->where);
  g_free (reader->buf);
  g_string_free (reader->line, TRUE);
  g_free (reader);
}

guint64
imu_geneactiv_reader_get_offset (ImuGeneactivReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);
  return reader->offset - (reader->buf_len - reader->buf_pos);
}

gint64
imu_geneactiv_reader_get_n_pages (ImuGeneactivReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);
  return reader->n_pages_seen;
}

/* A calibration field that must be a number; @nonzero for divisors. */
static gboolean
header_number (ImuGeneactivReader *r, ImuGeneactivHeader *h, const char *key, gboolean nonzero,
               double *out, GError **error)
{
  const char *value = imu_geneactiv_header_lookup (h, key);

  if (value == NULL)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER,
                   /* TRANSLATORS: "run.bin: line 60: the header has no “x gain”; …" */
                   _("%s: line %" PRId64 ": the header has no “%s”; without the device's calibration "
                     "its values cannot be read"),
                   r->where, r->line_no, key);
      return FALSE;
    }
  if (!parse_number (value, FALSE, out) || (nonzero && *out == 0))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER,
                   _("%s: the header's “%s” is “%s”, not a calibration value"), r->where, key, value);
      return FALSE;
    }
  return TRUE;
}

ImuGeneactivHeader *
imu_geneactiv_reader_read_header (ImuGeneactivReader  *r,
                                  GCancellable        *cancellable,
                                  GError             **error)
{
  g_autoptr(ImuGeneactivHeader) h = g_new0 (ImuGeneactivHeader, 1);
  static const char *const axes[] = { "x", "y", "z" };
  gboolean got = FALSE;
  const char *value;

  g_return_val_if_fail (r != NULL, NULL);

  h->keys = g_ptr_array_new_with_free_func (g_free);
  h->values = g_ptr_array_new_with_free_func (g_free);
  h->range_min = h->range_max = NAN;
  h->n_pages = -1;

  if (!next_line (r, &got, cancellable, error))
    return NULL;
  /* A UTF-8 byte order mark would be the only thing before the title. */
  if (got && r->line->len >= 3 && memcmp (r->line->str, "\xef\xbb\xbf", 3) == 0)
    g_string_erase (r->line, 0, 3);
  if (!got || !line_is (r->line, "Device Identity"))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("%s: this is not a GENEActiv file: its first line is not “Device Identity”"), r->where);
      return NULL;
    }

  for (;;)
    {
      char *key, *val;

      if (!next_line (r, &got, cancellable, error))
        return NULL;
      if (!got)
        {
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                       _("%s: the file ends after its header (line %" PRId64 "): it holds no "
                         "“Recorded Data” page"),
                       r->where, r->line_no);
          return NULL;
        }
      if (line_is (r->line, "Recorded Data"))
        break;
      if (!split_field (r->line, &key, &val))
        continue;   /* a section title or a blank line */
      if (h->keys->len >= MAX_HEADER_FIELDS || imu_geneactiv_header_lookup (h, key) != NULL)
        {
          g_free (key);
          g_free (val);
          continue;
        }
      g_ptr_array_add (h->keys, key);
      g_ptr_array_add (h->values, val);
    }
  r->have_pending = TRUE;

  for (guint a = 0; a < 3; a++)
    {
      g_autofree char *gain = g_strdup_printf ("%s gain", axes[a]);
      g_autofree char *offset = g_strdup_printf ("%s offset", axes[a]);

      if (!header_number (r, h, gain, TRUE, &h->gain[a], error)
          || !header_number (r, h, offset, FALSE, &h->offset[a], error))
        return NULL;
    }
  if (!header_number (r, h, "Volts", TRUE, &h->volts, error)
      || !header_number (r, h, "Lux", FALSE, &h->lux, error))
    return NULL;

  if (!parse_number (imu_geneactiv_header_lookup (h, "Measurement Frequency"), TRUE, &h->rate_hz)
      || h->rate_hz < MIN_RATE_HZ || h->rate_hz > MAX_RATE_HZ)
    h->rate_hz = 0;
  if (!parse_range (imu_geneactiv_header_lookup (h, "Accelerometer Range"), &h->range_min, &h->range_max))
    h->range_min = h->range_max = NAN;
  if ((value = imu_geneactiv_header_lookup (h, "Number of Pages")) != NULL)
    {
      double n;

      if (parse_number (value, FALSE, &n) && n >= 0 && n <= (double) G_MAXINT32 && n == floor (n))
        h->n_pages = (gint64) n;
    }
  r->header_rate = h->rate_hz;
  return g_steal_pointer (&h);
}

/* ---- pages ---- */

void
imu_geneactiv_page_clear (ImuGeneactivPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->x, g_free);
  g_clear_pointer (&page->y, g_free);
  g_clear_pointer (&page->z, g_free);
  g_clear_pointer (&page->light, g_free);
  g_clear_pointer (&page->button, g_free);
  g_clear_pointer (&page->reason, g_free);
}

static void
page_reset (ImuGeneactivPage *page, gint64 index, gint64 line)
{
  page->index = index;
  page->line = line;
  page->data_line = 0;
  page->sequence = -1;
  page->time_local_ns = 0;
  page->rate_hz = 0;
  page->temperature_c = NAN;
  page->battery_v = NAN;
  page->n_samples = 0;
  page->problem = IMU_GENEACTIV_PAGE_OK;
  page->column = 0;
  g_clear_pointer (&page->reason, g_free);
}

static void
page_reserve (ImuGeneactivReader *r, ImuGeneactivPage *page, guint n)
{
  /* The arrays are the reader's to size: a page that comes back with
   * fewer than the capacity keeps them. */
  if (page->x != NULL && n <= r->capacity)
    return;
  r->capacity = MAX (n, IMU_GENEACTIV_PAGE_SAMPLES);
  page->x = g_renew (gint16, page->x, r->capacity);
  page->y = g_renew (gint16, page->y, r->capacity);
  page->z = g_renew (gint16, page->z, r->capacity);
  page->light = g_renew (guint16, page->light, r->capacity);
  page->button = g_renew (guint8, page->button, r->capacity);
}

static void
page_bad (ImuGeneactivPage *page, char *reason)
{
  page->problem = IMU_GENEACTIV_PAGE_BAD_HEADER;
  page->n_samples = 0;
  g_free (page->reason);
  page->reason = reason;
}

static gint16
sign12 (int v)
{
  return (gint16) (v >= 2048 ? v - 4096 : v);
}

/* Decodes the data line (r->line) into the page. */
static void
decode_data (ImuGeneactivReader *r, ImuGeneactivPage *page)
{
  const char *p;
  gsize len;
  guint n, i;

  /* A NUL byte in the data is no hex digit, not the end of the line. */
  trim_spaces (r->line->str, r->line->len, &p, &len);
  n = (guint) (len / IMU_GENEACTIV_SAMPLE_DIGITS);
  page_reserve (r, page, n);
  for (i = 0; i < n; i++)
    {
      const char *s = p + (gsize) i * IMU_GENEACTIV_SAMPLE_DIGITS;
      int d[IMU_GENEACTIV_SAMPLE_DIGITS];
      int last;

      for (guint k = 0; k < IMU_GENEACTIV_SAMPLE_DIGITS; k++)
        if ((d[k] = hex_value (s[k])) < 0)
          {
            page->problem = IMU_GENEACTIV_PAGE_BAD_HEX;
            page->column = (gsize) (s + k - r->line->str) + 1;
            page->n_samples = i;
            return;
          }
      page->x[i] = sign12 (d[0] << 8 | d[1] << 4 | d[2]);
      page->y[i] = sign12 (d[3] << 8 | d[4] << 4 | d[5]);
      page->z[i] = sign12 (d[6] << 8 | d[7] << 4 | d[8]);
      last = d[9] << 8 | d[10] << 4 | d[11];
      page->light[i] = (guint16) (last >> 2);
      page->button[i] = (guint8) ((last >> 1) & 1);
    }
  page->n_samples = n;
  /* The digits after the last whole sample must be digits too. */
  for (gsize k = (gsize) n * IMU_GENEACTIV_SAMPLE_DIGITS; k < len; k++)
    if (hex_value (p[k]) < 0)
      {
        page->problem = IMU_GENEACTIV_PAGE_BAD_HEX;
        page->column = (gsize) (p + k - r->line->str) + 1;
        return;
      }
  if (len % IMU_GENEACTIV_SAMPLE_DIGITS != 0 || n != IMU_GENEACTIV_PAGE_SAMPLES)
    {
      /* A file cut short ends inside its last data line, without a line
       * end. */
      page->problem = r->line_ended ? IMU_GENEACTIV_PAGE_ODD_COUNT : IMU_GENEACTIV_PAGE_TRUNCATED;
      page->column = (gsize) (p + (gsize) n * IMU_GENEACTIV_SAMPLE_DIGITS - r->line->str) + 1;
    }
}

/* Reads the page's fields and data; the "Recorded Data" line is read. */
static gboolean
read_page (ImuGeneactivReader *r, ImuGeneactivPage *page, GCancellable *cancellable, GError **error)
{
  g_autofree char *time_text = NULL;
  gboolean have_time = FALSE;
  gboolean got;
  guint fields = 0;

  for (;;)
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;

      if (!next_line (r, &got, cancellable, error))
        return FALSE;
      if (!got)
        {
          page->problem = IMU_GENEACTIV_PAGE_TRUNCATED;
          return TRUE;
        }
      if (line_is (r->line, "Recorded Data"))
        {
          r->have_pending = TRUE;
          page_bad (page, g_strdup (_("the page has no data line")));
          return TRUE;
        }
      if (!split_field (r->line, &key, &value))
        break;   /* the data line */
      if (++fields > MAX_PAGE_FIELDS)
        {
          page_bad (page, g_strdup (_("the page has no data line")));
          return TRUE;
        }
      if (g_ascii_strcasecmp (key, "Page Time") == 0)
        {
          g_free (time_text);
          time_text = g_steal_pointer (&value);
          have_time = parse_page_time (time_text, &page->time_local_ns);
        }
      else if (g_ascii_strcasecmp (key, "Measurement Frequency") == 0)
        {
          if (!parse_number (value, TRUE, &page->rate_hz) || page->rate_hz < MIN_RATE_HZ
              || page->rate_hz > MAX_RATE_HZ)
            page->rate_hz = 0;
        }
      else if (g_ascii_strcasecmp (key, "Temperature") == 0)
        {
          if (!parse_number (value, TRUE, &page->temperature_c))
            page->temperature_c = NAN;
        }
      else if (g_ascii_strcasecmp (key, "Battery voltage") == 0)
        {
          if (!parse_number (value, TRUE, &page->battery_v))
            page->battery_v = NAN;
        }
      else if (g_ascii_strcasecmp (key, "Sequence Number") == 0)
        {
          double seq;

          if (parse_number (value, FALSE, &seq) && seq >= 0 && seq <= (double) G_MAXINT32)
            page->sequence = (gint64) seq;
        }
    }

  page->data_line = r->line_no;
  if (page->rate_hz == 0)
    page->rate_hz = r->header_rate;
  if (time_text == NULL)
    {
      page_bad (page, g_strdup (_("the page has no “Page Time”")));
      return TRUE;
    }
  if (!have_time)
    {
      page_bad (page, g_strdup_printf (_("the page time “%s” cannot be read"), time_text));
      return TRUE;
    }
  if (page->rate_hz == 0)
    {
      page_bad (page, g_strdup (_("neither the page nor the header has a measurement frequency")));
      return TRUE;
    }

  decode_data (r, page);

  /* Every sample's time must be one IMU Studio represents. */
  if (!imu_time_in_range (page->time_local_ns)
      || !imu_time_in_range (page->time_local_ns
                             + (gint64) ceil ((double) page->n_samples / page->rate_hz * 1e9)))
    page_bad (page, g_strdup_printf (_("the page time “%s” is outside 1900–2190"), time_text));
  return TRUE;
}

gboolean
imu_geneactiv_reader_next_page (ImuGeneactivReader  *r,
                                ImuGeneactivPage    *page,
                                gboolean            *got,
                                GCancellable        *cancellable,
                                GError             **error)
{
  gint64 stray_line = 0;
  gboolean any;

  g_return_val_if_fail (r != NULL, FALSE);
  g_return_val_if_fail (page != NULL, FALSE);
  g_return_val_if_fail (got != NULL, FALSE);

  *got = FALSE;
  /* Find the next "Recorded Data"; blank lines between pages are nothing,
   * other lines belong to no page and are reported as one bad page. */
  while (!r->have_pending)
    {
      if (!next_line (r, &any, cancellable, error))
        return FALSE;
      if (!any)
        break;
      if (line_is (r->line, "Recorded Data"))
        {
          r->have_pending = TRUE;
          break;
        }
      if (stray_line == 0)
        {
          const char *p;
          gsize len;

          trim_field (r->line->str, r->line->len, &p, &len);
          if (len > 0)
            stray_line = r->line_no;
        }
    }

  if (stray_line != 0)
    {
      /* The "Recorded Data" just found stays pending for the next call. */
      page_reset (page, r->n_pages_seen, stray_line);
      page_bad (page, g_strdup (_("lines between pages that belong to no page")));
      *got = TRUE;
      return TRUE;
    }
  if (!r->have_pending)
    return TRUE;   /* the end */

  r->have_pending = FALSE;
  page_reset (page, r->n_pages_seen, r->line_no);
  r->n_pages_seen++;
  *got = TRUE;
  return read_page (r, page, cancellable, error);
}
