/* imu-csv-dialect.c — sniffing how a delimited text file is written
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "imu-csv-dialect.h"
#include "imu-import.h"
#include "imu-number.h"

/* Candidate delimiters in order of preference when several split the
 * lines consistently: a tab or a ';' in a ','-file is rarer than a ',' in
 * a ';'-file (decimal comma), and runs of spaces are the last resort. */
static const char delimiters[] = { '\t', ';', ',', '|', ' ' };

/* Lines at the end of the head that decide the field count. */
#define MODE_LINES 50

typedef struct {
  const char *p;
  gsize       len;      /* without the line end */
  gsize       offset;   /* from the start of the text (after the BOM) */
  gsize       next;     /* offset of the next line */
  gint64      number;   /* 1-based */
  gboolean    blank;
} Line;

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

/* g_set_str() is GLib 2.76; the floor is 2.74. */
static void
set_str (char **ptr, const char *value)
{
  char *old = *ptr;

  *ptr = g_strdup (value);
  g_free (old);
}

const char *
imu_csv_flavor_to_format (ImuCsvFlavor flavor)
{
  switch (flavor)
    {
    case IMU_CSV_FLAVOR_MOVELLA: return "movella-dot";
    case IMU_CSV_FLAVOR_ACTILIFE: return "actigraph-csv";
    case IMU_CSV_FLAVOR_EMPATICA: return "empatica-e4";
    case IMU_CSV_FLAVOR_SENSORLOGGER: return "sensorlogger";
    case IMU_CSV_FLAVOR_PHYPHOX: return "phyphox";
    case IMU_CSV_FLAVOR_METAWEAR: return "metawear";
    case IMU_CSV_FLAVOR_MICROSTRAIN: return "microstrain";
    case IMU_CSV_FLAVOR_AXIVITY: return "axivity-csv";
    case IMU_CSV_FLAVOR_GENERIC:
    default:
      return "csv";
    }
}

guint
imu_csv_split (const char   *line,
               gsize         len,
               char          delim,
               gboolean      quotes,
               ImuCsvField  *fields,
               guint         max_fields)
{
  const char *p = line;
  const char *e = line + len;
  guint n = 0;

  if (delim == ' ')
    {
      for (;;)
        {
          const char *start;

          while (p < e && is_blank (*p))
            p++;
          if (p >= e)
            break;
          start = p;
          if (quotes && *p == '"')
            {
              start = ++p;
              while (p < e && !(*p == '"' && (p + 1 >= e || p[1] != '"')))
                p += (*p == '"') ? 2 : 1;
              if (n < max_fields)
                {
                  fields[n].p = start;
                  fields[n].len = (guint) (MIN (p, e) - start);
                }
              while (p < e && !is_blank (*p))
                p++;
            }
          else
            {
              while (p < e && !is_blank (*p))
                p++;
              if (n < max_fields)
                {
                  fields[n].p = start;
                  fields[n].len = (guint) (p - start);
                }
            }
          n++;
        }
      return n;
    }

  for (;;)
    {
      const char *start = p;
      const char *q = p;

      while (q < e && *q == ' ')
        q++;
      if (quotes && q < e && *q == '"')
        {
          const char *fs = ++q;

          while (q < e)
            {
              if (*q == '"')
                {
                  if (q + 1 < e && q[1] == '"')
                    {
                      q += 2;
                      continue;
                    }
                  break;
                }
              q++;
            }
          if (n < max_fields)
            {
              fields[n].p = fs;
              fields[n].len = (guint) (q - fs);
            }
          while (q < e && *q != delim)
            q++;
          p = q;
        }
      else
        {
          const char *d = memchr (p, delim, (gsize) (e - p));

          p = d != NULL ? d : e;
          if (n < max_fields)
            {
              fields[n].p = start;
              fields[n].len = (guint) (p - start);
            }
        }
      n++;
      if (p >= e)
        break;
      p++;
    }
  return n;
}

static void
trim (const char **p, gsize *len)
{
  while (*len > 0 && is_blank (**p))
    {
      (*p)++;
      (*len)--;
    }
  while (*len > 0 && is_blank ((*p)[*len - 1]))
    (*len)--;
}

char *
imu_csv_text_to_utf8 (const char *s, gsize len, gboolean *was_valid)
{
  char *out;

  if (g_utf8_validate (s, (gssize) len, NULL))
    {
      if (was_valid != NULL)
        *was_valid = TRUE;
      return g_strndup (s, len);
    }
  if (was_valid != NULL)
    *was_valid = FALSE;
  out = g_convert (s, (gssize) len, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
  if (out == NULL)
    out = g_convert (s, (gssize) len, "UTF-8", "ISO-8859-1", NULL, NULL, NULL);
  if (out == NULL)
    out = g_utf8_make_valid (s, (gssize) len);
  return out;
}

char *
imu_csv_field_dup (const ImuCsvField *f, gboolean *was_valid)
{
  const char *p = f->p;
  gsize len = f->len;
  g_autofree char *text = NULL;
  GString *s;

  trim (&p, &len);
  if (len >= 2 && p[0] == '"' && p[len - 1] == '"')
    {
      p++;
      len -= 2;
    }
  text = imu_csv_text_to_utf8 (p, len, was_valid);
  if (strstr (text, "\"\"") == NULL)
    return g_strstrip (g_steal_pointer (&text));
  s = g_string_new (NULL);
  for (const char *c = text; *c != '\0'; c++)
    {
      g_string_append_c (s, *c);
      if (c[0] == '"' && c[1] == '"')
        c++;
    }
  return g_strstrip (g_string_free (s, FALSE));
}

void
imu_csv_dialect_clear (ImuCsvDialect *dialect)
{
  g_clear_pointer (&dialect->header, g_ptr_array_unref);
  g_clear_pointer (&dialect->rows, g_ptr_array_unref);
  g_clear_pointer (&dialect->device_vendor, g_free);
  g_clear_pointer (&dialect->device_model, g_free);
  g_clear_pointer (&dialect->device_serial, g_free);
  g_clear_pointer (&dialect->device_firmware, g_free);
  g_clear_pointer (&dialect->note, g_free);
}

/* Splits @len bytes into lines; the last one counts only when it ends
 * with a newline or the text is the whole file. */
static GArray *
split_lines (const char *text, gsize len, gboolean eof, guint max_lines)
{
  GArray *lines = g_array_new (FALSE, TRUE, sizeof (Line));
  gsize off = 0;
  gint64 number = 1;

  while (off < len && lines->len < max_lines)
    {
      const char *nl = memchr (text + off, '\n', len - off);
      Line line = { 0 };
      gsize end;

      if (nl == NULL && !eof)
        break;
      end = nl != NULL ? (gsize) (nl - text) : len;
      line.p = text + off;
      line.len = end - off;
      if (line.len > 0 && line.p[line.len - 1] == '\r')
        line.len--;
      line.offset = off;
      line.next = nl != NULL ? end + 1 : len;
      line.number = number++;
      line.blank = TRUE;
      for (gsize i = 0; i < line.len; i++)
        if (!is_blank (line.p[i]))
          {
            line.blank = FALSE;
            break;
          }
      g_array_append_val (lines, line);
      off = end + 1;
    }
  return lines;
}

static guint
count_fields (const Line *line, char delim, gboolean quotes)
{
  return imu_csv_split (line->p, line->len, delim, quotes, NULL, 0);
}

/* The most frequent field count of the last MODE_LINES non-blank lines
 * from @first, and the fraction of those lines that have it. */
static guint
field_count_mode (GArray *lines, guint first, char delim, gboolean quotes, double *consistency)
{
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  GHashTableIter iter;
  gpointer key, value;
  guint total = 0;
  guint best = 0;
  guint best_n = 0;

  for (guint i = lines->len; i > first && total < MODE_LINES; i--)
    {
      const Line *line = &g_array_index (lines, Line, i - 1);
      guint n;
      guint c;

      if (line->blank)
        continue;
      n = count_fields (line, delim, quotes);
      c = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (n))) + 1;
      g_hash_table_insert (counts, GUINT_TO_POINTER (n), GUINT_TO_POINTER (c));
      total++;
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint n = GPOINTER_TO_UINT (key);
      guint c = GPOINTER_TO_UINT (value);

      if (c > best_n || (c == best_n && n > best))
        {
          best = n;
          best_n = c;
        }
    }
  *consistency = total > 0 ? (double) best_n / total : 0.0;
  return best;
}

static gboolean
field_is_value (const ImuCsvField *f, gboolean decimal_comma)
{
  const char *p = f->p;
  gsize len = f->len;

  trim (&p, &len);
  if (len == 0)
    return TRUE;
  return imu_number_parse (p, len, decimal_comma, &(double){ 0 }, NULL)
         || imu_csv_looks_like_datetime (p, len, NULL);
}

/* "0,981" or "-12,5E-3": a number written with a decimal comma. */
static gboolean
looks_decimal_comma (const char *p, gsize len)
{
  gsize i = 0;
  gsize digits_before = 0;
  gsize digits_after = 0;

  trim (&p, &len);
  if (i < len && (p[i] == '-' || p[i] == '+'))
    i++;
  while (i < len && g_ascii_isdigit (p[i]))
    i++, digits_before++;
  if (i >= len || p[i] != ',')
    return FALSE;
  i++;
  while (i < len && g_ascii_isdigit (p[i]))
    i++, digits_after++;
  if (i < len && (p[i] == 'e' || p[i] == 'E'))
    {
      i++;
      if (i < len && (p[i] == '-' || p[i] == '+'))
        i++;
      while (i < len && g_ascii_isdigit (p[i]))
        i++;
    }
  return i == len && digits_before > 0 && digits_after > 0;
}

static gboolean
looks_decimal_point (const char *p, gsize len)
{
  trim (&p, &len);
  return memchr (p, '.', len) != NULL
         && imu_number_parse (p, len, FALSE, &(double){ 0 }, NULL);
}

static void
append_note (ImuCsvDialect *d, const char *key, const char *value)
{
  g_autofree char *old = g_steal_pointer (&d->note);

  if (key == NULL || *key == '\0')
    return;
  d->note = old != NULL ? g_strdup_printf ("%s\n%s: %s", old, key, value)
                        : g_strdup_printf ("%s: %s", key, value);
}

/* A sentence of its own for the session notes. */
static void
append_sentence (ImuCsvDialect *d, const char *text)
{
  g_autofree char *old = g_steal_pointer (&d->note);

  d->note = old != NULL ? g_strdup_printf ("%s\n%s", old, text) : g_strdup (text);
}

/* Whether a line is a preamble's "Key:,value" or "Key: value": its first
 * field ends with a colon, or it is "Key: value" in one field. */
static gboolean
is_key_value_line (const Line *line, char delim)
{
  const char *end = memchr (line->p, delim, line->len);
  gsize n = end != NULL ? (gsize) (end - line->p) : line->len;
  const char *colon = memchr (line->p, ':', n);

  if (colon == NULL)
    return FALSE;
  if (end == NULL)
    return TRUE;
  /* "Key:" alone in the first field. */
  for (const char *q = colon + 1; q < line->p + n; q++)
    if (!is_blank (*q))
      return FALSE;
  return TRUE;
}

/* A rate written as "60Hz", "60 Hz", "30.000000", "100". */
static double
parse_rate (const char *text)
{
  g_autofree char *copy = g_strdup (text);
  char *end = NULL;
  double v;

  g_strstrip (copy);
  v = g_ascii_strtod (copy, &end);
  if (end == copy || !isfinite (v) || v <= 0 || v > 1e7)
    return 0;
  while (*end == ' ')
    end++;
  if (*end != '\0' && g_ascii_strcasecmp (end, "Hz") != 0)
    return 0;
  return v;
}

/* Movella (and other) preambles: "Key:,value" or "Key: value" lines. */
static void
parse_preamble_line (ImuCsvDialect *d, const Line *line)
{
  g_autofree char *text = imu_csv_text_to_utf8 (line->p, line->len, NULL);
  g_autofree char *key = NULL;
  g_autofree char *value = NULL;
  char *colon;
  g_autofree char *lkey = NULL;

  g_strstrip (text);
  if (g_str_has_prefix (text, "sep=") || g_str_has_prefix (text, "\"sep="))
    return;
  colon = strchr (text, ':');
  if (colon == NULL)
    return;
  key = g_strndup (text, (gsize) (colon - text));
  value = g_strdup (colon + 1);
  g_strstrip (key);
  g_strstrip (value);
  /* The value of "Key:,value" starts with the delimiter; Movella repeats
   * more key/value pairs on one line ("Sync Status:,Synced"). */
  if (value[0] == d->delimiter)
    memmove (value, value + 1, strlen (value));
  g_strdelimit (value, (char[]){ d->delimiter, '\0' }, ' ');
  g_strstrip (value);
  if (*value == '\0')
    return;
  append_note (d, key, value);

  lkey = g_ascii_strdown (key, -1);
  if (g_str_equal (lkey, "outputrate") || g_str_equal (lkey, "output rate")
      || g_str_equal (lkey, "sample rate") || g_str_equal (lkey, "sampling rate")
      || g_str_equal (lkey, "samplerate") || g_str_equal (lkey, "frequency"))
    d->rate_hz = parse_rate (value);
  else if (g_str_equal (lkey, "firmware version") || g_str_equal (lkey, "firmwareversion")
           || g_str_equal (lkey, "firmware"))
    set_str (&d->device_firmware, value);
  else if (g_str_equal (lkey, "device id") || g_str_equal (lkey, "deviceid")
           || g_str_equal (lkey, "serial number") || g_str_equal (lkey, "serial")
           || g_str_equal (lkey, "mac") || g_str_equal (lkey, "mac address"))
    set_str (&d->device_serial, value);
  else if (g_str_equal (lkey, "starttime") || g_str_equal (lkey, "start time"))
    {
      ImuCsvDateOrder order;
      gint64 ns;

      /* Movella's "StartTime:", and the line IMU Studio's own export
       * writes above relative times: the origin of the time column. A
       * date without an offset is read as UTC. */
      if (imu_csv_looks_like_datetime (value, strlen (value), &order)
          && imu_csv_parse_datetime (value, strlen (value), order, 0, &ns, NULL, NULL, NULL))
        {
          d->has_start = TRUE;
          d->start_ns = ns;
          d->start_line = line->number;
        }
    }
  else if (g_str_equal (lkey, "device") || g_str_equal (lkey, "device name")
           || g_str_equal (lkey, "model"))
    {
      if (d->device_model == NULL)
        set_str (&d->device_model, value);
    }
}

/* ActiLife's raw CSV begins with ten lines such as
 *   ------------ Data File Created By ActiGraph GT3X+ ActiLife v6.13.3 Firmware v2.5.0 date format M/d/yyyy at 30 Hz  Filter Normal -----------
 *   Serial Number: CLE2B20130009
 *   Start Time 10:00:00
 *   Start Date 6/1/2020
 *   …
 *   --------------------------------------------------
 * Returns the index of the closing dashed line, or -1. */
static int
parse_actilife_preamble (ImuCsvDialect *d, GArray *lines)
{
  const Line *first = &g_array_index (lines, Line, 0);
  g_autofree char *title = g_strndup (first->p, first->len);
  g_autofree char *start_time = NULL;
  g_autofree char *start_date = NULL;
  const char *s;
  gboolean day_first;
  int end = -1;

  if (strstr (title, "ActiGraph") == NULL || !g_str_has_prefix (title, "------"))
    return -1;
  d->flavor = IMU_CSV_FLAVOR_ACTILIFE;
  set_str (&d->device_vendor, "ActiGraph");
  {
    g_autofree char *what = g_strdelimit (g_strdup (title), "-", ' ');
    append_note (d, "ActiLife", g_strstrip (what));
  }

  if ((s = strstr (title, "By ActiGraph ")) != NULL)
    {
      g_auto(GStrv) words = g_strsplit (s + strlen ("By ActiGraph "), " ", 2);
      if (words[0] != NULL && *words[0] != '\0')
        set_str (&d->device_model, words[0]);
    }
  if ((s = strstr (title, "Firmware v")) != NULL)
    {
      g_auto(GStrv) words = g_strsplit (s + strlen ("Firmware v"), " ", 2);
      set_str (&d->device_firmware, words[0]);
    }
  if ((s = strstr (title, " at ")) != NULL)
    d->rate_hz = g_ascii_strtod (s + 4, NULL);
  /* ActiLife writes dates in the order its title names: "M/d/yyyy" by
   * default, "d/M/yyyy" or "dd/MM/yyyy" in day-first locales. */
  day_first = (s = strstr (title, "date format ")) != NULL && (s[12] == 'd' || s[12] == 'D');
  d->date_order = day_first ? IMU_CSV_DATE_DMY : IMU_CSV_DATE_MDY;

  for (guint i = 1; i < lines->len && i < 16; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);
      g_autofree char *text = g_strndup (line->p, line->len);

      g_strstrip (text);
      if (g_str_has_prefix (text, "----------"))
        {
          end = (int) i;
          break;
        }
      if (g_str_has_prefix (text, "Start Time "))
        start_time = g_strdup (text + strlen ("Start Time "));
      else if (g_str_has_prefix (text, "Start Date "))
        start_date = g_strdup (text + strlen ("Start Date "));
      else if (g_str_has_prefix (text, "Serial Number:"))
        set_str (&d->device_serial, g_strstrip (text + strlen ("Serial Number:")));
      if (*text != '\0')
        {
          char *colon = strchr (text, ':');
          /* "Start Time 10:00:00" has no key separator; keep it whole. */
          if (colon != NULL && !g_str_has_prefix (text, "Start Time"))
            {
              *colon = '\0';
              append_note (d, g_strstrip (text), g_strstrip (colon + 1));
            }
          else
            append_note (d, "ActiLife", text);
        }
    }

  if (start_time != NULL && start_date != NULL)
    {
      g_autofree char *stamp = NULL;
      int a, b, y;

      g_strstrip (start_time);
      g_strstrip (start_date);
      if (sscanf (start_date, "%d/%d/%d", &a, &b, &y) == 3)
        {
          /* Written month first for the parser. */
          stamp = day_first ? g_strdup_printf ("%d/%d/%d %s", b, a, y, start_time)
                            : g_strdup_printf ("%d/%d/%d %s", a, b, y, start_time);
          if (imu_csv_parse_datetime (stamp, strlen (stamp), IMU_CSV_DATE_MDY, 0,
                                      &d->start_ns, NULL, NULL, NULL))
            d->has_start = TRUE;
        }
    }
  return end;
}

/* Empatica E4: row 1 is the start (unix s) repeated per column, row 2 the
 * rate (Hz) repeated per column. */
static gboolean
detect_empatica (ImuCsvDialect *d, GArray *lines, guint first, char delim)
{
  ImuCsvField f1[16], f2[16];
  const Line *l1, *l2;
  guint n1, n2;
  gint64 start_ns;
  double v0 = 0, rate = 0;

  if (first + 2 >= lines->len)
    return FALSE;
  l1 = &g_array_index (lines, Line, first);
  l2 = &g_array_index (lines, Line, first + 1);
  n1 = imu_csv_split (l1->p, l1->len, delim, FALSE, f1, G_N_ELEMENTS (f1));
  n2 = imu_csv_split (l2->p, l2->len, delim, FALSE, f2, G_N_ELEMENTS (f2));
  if (n1 != n2 || n1 == 0 || n1 > G_N_ELEMENTS (f1))
    return FALSE;
  for (guint i = 0; i < n1; i++)
    {
      const char *p1 = f1[i].p, *p2 = f2[i].p;
      gsize len1 = f1[i].len, len2 = f2[i].len;
      double a, b;

      trim (&p1, &len1);
      trim (&p2, &len2);
      if (!imu_number_parse (p1, len1, FALSE, &a, NULL)
          || !imu_number_parse (p2, len2, FALSE, &b, NULL))
        return FALSE;
      if (i == 0)
        {
          v0 = a;
          rate = b;
          if (!imu_csv_parse_scaled (p1, len1, 9, FALSE, &start_ns, NULL))
            return FALSE;
        }
      else if (a != v0 || b != rate)
        return FALSE;
    }
  /* Unix seconds after 1973 and a plausible rate. */
  if (v0 < 1e8 || v0 > 1e10 || rate <= 0 || rate > 100000)
    return FALSE;
  d->flavor = IMU_CSV_FLAVOR_EMPATICA;
  d->has_start = TRUE;
  d->start_ns = start_ns;
  d->rate_hz = rate;
  set_str (&d->device_vendor, "Empatica");
  set_str (&d->device_model, "E4");
  return TRUE;
}

static gboolean
header_has (GPtrArray *header, const char *name)
{
  for (guint i = 0; i < header->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (header, i), name) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
header_has_prefix (GPtrArray *header, const char *prefix)
{
  for (guint i = 0; i < header->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (header, i), prefix))
      return TRUE;
  return FALSE;
}

static void
detect_flavor_from_header (ImuCsvDialect *d)
{
  GPtrArray *h = d->header;
  const char *h0;

  if (h == NULL || h->len == 0 || d->flavor != IMU_CSV_FLAVOR_GENERIC)
    return;
  h0 = g_ptr_array_index (h, 0);
  if (header_has (h, "SampleTimeFine") || header_has (h, "PacketCounter"))
    {
      d->flavor = IMU_CSV_FLAVOR_MOVELLA;
      set_str (&d->device_vendor, "Movella");
      if (d->device_model == NULL)
        set_str (&d->device_model, "DOT");
    }
  else if (h->len >= 2 && g_str_equal (h0, "time")
           && g_str_equal (g_ptr_array_index (h, 1), "seconds_elapsed"))
    d->flavor = IMU_CSV_FLAVOR_SENSORLOGGER;
  else if (g_ascii_strcasecmp (h0, "epoch (ms)") == 0)
    {
      d->flavor = IMU_CSV_FLAVOR_METAWEAR;
      set_str (&d->device_vendor, "MbientLab");
      if (d->device_model == NULL)
        set_str (&d->device_model, "MetaWear");
    }
  else if (g_str_equal (h0, "Time (s)"))
    d->flavor = IMU_CSV_FLAVOR_PHYPHOX;
  else if (header_has_prefix (h, "scaledAccel") || header_has_prefix (h, "estOrientQuaternion"))
    {
      d->flavor = IMU_CSV_FLAVOR_MICROSTRAIN;
      set_str (&d->device_vendor, "MicroStrain");
    }
}

/* Whether a line is the header of the rows that follow it: one of its
 * fields is text where the next rows hold numbers (or all of it is text). */
static gboolean
is_header_line (const Line *line, GArray *lines, guint next, char delim, gboolean quotes,
                gboolean decimal_comma, guint n_fields)
{
  g_autofree ImuCsvField *hf = g_new0 (ImuCsvField, n_fields + 1);
  g_autofree ImuCsvField *df = g_new0 (ImuCsvField, n_fields + 1);
  guint n = imu_csv_split (line->p, line->len, delim, quotes, hf, n_fields + 1);
  gboolean any_text = FALSE;
  gboolean all_text = TRUE;
  const Line *data = NULL;

  for (guint i = 0; i < MIN (n, n_fields); i++)
    {
      const char *p = hf[i].p;
      gsize len = hf[i].len;

      trim (&p, &len);
      if (len == 0)
        continue;
      if (field_is_value (&hf[i], decimal_comma))
        all_text = FALSE;
      else
        any_text = TRUE;
    }
  if (!any_text)
    return FALSE;
  if (all_text)
    return TRUE;
  for (guint i = next; i < lines->len; i++)
    if (!g_array_index (lines, Line, i).blank)
      {
        data = &g_array_index (lines, Line, i);
        break;
      }
  if (data == NULL)
    return TRUE;
  if (imu_csv_split (data->p, data->len, delim, quotes, df, n_fields + 1) < n_fields)
    return TRUE;
  for (guint i = 0; i < MIN (n, n_fields); i++)
    {
      const char *p = hf[i].p;
      gsize len = hf[i].len;

      trim (&p, &len);
      if (len > 0 && !field_is_value (&hf[i], decimal_comma)
          && field_is_value (&df[i], decimal_comma))
        {
          const char *q = df[i].p;
          gsize qlen = df[i].len;
          trim (&q, &qlen);
          if (qlen > 0)
            return TRUE;
        }
    }
  return FALSE;
}

/* Refuses binary data: a NUL byte, many control bytes, or text that is
 * not UTF-8 on many lines (one Latin-1 "µ" in a header is fine). */
static gboolean
check_text (ImuCsvDialect *d, GArray *lines, gsize text_len, GError **error)
{
  guint n_nonblank = 0;
  guint n_bad_utf8 = 0;
  guint n_control = 0;

  for (guint i = 0; i < lines->len; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);
      const char *nul = memchr (line->p, '\0', line->len);

      if (nul != NULL)
        {
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                       _("line %" PRId64 ", column %u: a NUL byte; this is binary data, not delimited text."),
                       line->number, (guint) (nul - line->p) + 1);
          return FALSE;
        }
      if (!line->blank)
        n_nonblank++;
      for (gsize k = 0; k < line->len; k++)
        {
          guchar c = (guchar) line->p[k];
          if ((c < 0x20 && c != '\t' && c != '\f' && c != '\r') || c == 0x7f)
            n_control++;
        }
      if (!g_utf8_validate (line->p, (gssize) line->len, NULL))
        {
          n_bad_utf8++;
          d->utf8_valid = FALSE;
        }
    }
  if (n_control * 100 > text_len || (n_bad_utf8 * 10 > lines->len && n_bad_utf8 > 1))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("This is binary data, not delimited text: %u of the first %u lines are not valid UTF-8 text."),
                   MAX (n_bad_utf8, n_control > 0 ? 1u : 0u), lines->len);
      return FALSE;
    }
  if (n_nonblank == 0)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_EMPTY,
                   _("The file holds only blank lines."));
      return FALSE;
    }
  return TRUE;
}

/* The delimiter: the first candidate that splits the last lines into
 * the same number (≥ 2) of fields; *@mode is that number. */
static gboolean
choose_delimiter (ImuCsvDialect *d, GArray *lines, guint first, gboolean delim_fixed,
                  guint *mode_out, GError **error)
{
  double best_consistency = 0;
  guint mode = 0;

  if (delim_fixed)
    mode = field_count_mode (lines, first, d->delimiter, d->quotes, &best_consistency);
  else
    {
      for (guint k = 0; k < G_N_ELEMENTS (delimiters); k++)
        {
          double consistency;
          guint m = field_count_mode (lines, first, delimiters[k], d->quotes, &consistency);

          if (m >= 2 && consistency >= 0.9)
            {
              d->delimiter = delimiters[k];
              mode = m;
              best_consistency = consistency;
              break;
            }
          if (m >= 2 && consistency > best_consistency)
            {
              d->delimiter = delimiters[k];
              mode = m;
              best_consistency = consistency;
            }
        }
      if (mode < 2 || best_consistency < 0.5)
        {
          /* One column (Empatica's TEMP.csv) or not delimited text. */
          d->delimiter = ',';
          mode = field_count_mode (lines, first, ',', d->quotes, &best_consistency);
          if (mode != 1 || best_consistency < 0.9)
            {
              g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                           _("Not delimited text: no delimiter (, ; tab | space) splits the lines into the same number of fields."));
              return FALSE;
            }
        }
    }
  *mode_out = mode;
  return TRUE;
}

gboolean
imu_csv_dialect_sniff (const char     *head,
                       gsize           len,
                       gboolean        eof,
                       ImuCsvDialect  *d,
                       GError        **error)
{
  g_autoptr(GArray) lines = NULL;
  gsize text_len;
  const char *text = head;
  guint first = 0;          /* first line after a fixed preamble */
  gboolean delim_fixed = FALSE;
  guint start;              /* header or first data line */
  guint mode = 0;
  gboolean has_header;
  gboolean empatica = FALSE;
  guint data_first;
  guint preamble_end;       /* lines [first, preamble_end) are a preamble */
  guint header_index = G_MAXUINT; /* a header found before skipped lines */
  g_autofree ImuCsvField *fields = NULL;

  memset (d, 0, sizeof *d);
  d->utf8_valid = TRUE;
  d->date_order = IMU_CSV_DATE_ISO;

  if (len >= 3 && memcmp (head, "\xEF\xBB\xBF", 3) == 0)
    {
      d->bom = TRUE;
      text += 3;
      len -= 3;
    }
  if (len == 0)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_EMPTY,
                   _("The file is empty."));
      return FALSE;
    }

  lines = split_lines (text, len, eof, IMU_CSV_SNIFF_MAX_LINES);
  if (lines->len == 0)
    {
      /* Not even one whole line in the head. */
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("Not delimited text: the first line is longer than %zu bytes."),
                   len);
      return FALSE;
    }
  {
    const Line *last = &g_array_index (lines, Line, lines->len - 1);
    text_len = last->offset + last->len;
  }

  if (!check_text (d, lines, text_len, error))
    return FALSE;
  d->quotes = memchr (text, '"', text_len) != NULL;

  /* A fixed preamble: Excel's "sep=," line, ActiLife's ten lines. */
  while (first < lines->len && g_array_index (lines, Line, first).blank)
    first++;
  {
    const Line *l0 = &g_array_index (lines, Line, first);
    g_autofree char *t0 = g_strndup (l0->p, l0->len);
    char *q = g_strstrip (t0);

    if (*q == '"')
      q++;
    if (g_str_has_prefix (q, "sep=") && q[4] != '\0')
      {
        d->delimiter = q[4] == '\\' && q[5] == 't' ? '\t' : q[4];
        delim_fixed = TRUE;
        first++;
      }
    else if (g_str_has_prefix (q, "------"))
      {
        int end = parse_actilife_preamble (d, lines);
        if (end >= 0)
          first = (guint) end + 1;
      }
  }
  while (first < lines->len && g_array_index (lines, Line, first).blank)
    first++;
  if (first >= lines->len)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                   _("The file has a preamble but no header and no data rows."));
      return FALSE;
    }

  if (!choose_delimiter (d, lines, first, delim_fixed, &mode, error))
    return FALSE;

  /* The header or first data row: the first line with the common field
   * count that most of the next five lines share too. Lines before it are
   * a preamble (Movella's "Key:,value" lines). */
  start = lines->len;
  for (guint i = first; i < lines->len; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);
      guint same = 0, seen = 0;

      if (line->blank || count_fields (line, d->delimiter, d->quotes) != mode)
        continue;
      for (guint j = i + 1; j < lines->len && seen < 5; j++)
        {
          const Line *next = &g_array_index (lines, Line, j);
          if (next->blank)
            continue;
          seen++;
          if (count_fields (next, d->delimiter, d->quotes) == mode)
            same++;
        }
      if (seen == 0 || same * 2 > seen)
        {
          start = i;
          break;
        }
    }
  if (start == lines->len)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("Not delimited text: the lines do not have a common number of fields."));
      return FALSE;
    }
  /* Decimal comma: with a delimiter other than ',' and numbers such as
   * "0,981" but none such as "0.981". */
  if (d->delimiter != ',')
    {
      guint n_comma = 0, n_point = 0;
      ImuCsvField f[64];

      for (guint i = start; i < lines->len; i++)
        {
          const Line *line = &g_array_index (lines, Line, i);
          guint n = imu_csv_split (line->p, line->len, d->delimiter, d->quotes, f, G_N_ELEMENTS (f));

          for (guint k = 0; k < MIN (n, G_N_ELEMENTS (f)); k++)
            {
              if (looks_decimal_comma (f[k].p, f[k].len))
                n_comma++;
              else if (looks_decimal_point (f[k].p, f[k].len))
                n_point++;
            }
        }
      d->decimal_comma = n_comma > 0 && n_point == 0;
    }

  if (!delim_fixed && d->flavor == IMU_CSV_FLAVOR_GENERIC
      && detect_empatica (d, lines, start, d->delimiter))
    {
      empatica = TRUE;
      has_header = FALSE;
      data_first = start + 2;
      while (data_first < lines->len && g_array_index (lines, Line, data_first).blank)
        data_first++;
    }
  else
    {
      has_header = is_header_line (&g_array_index (lines, Line, start), lines, start + 1,
                                   d->delimiter, d->quotes, d->decimal_comma, mode);
      data_first = has_header ? start + 1 : start;
      while (data_first < lines->len && g_array_index (lines, Line, data_first).blank)
        data_first++;
    }

  /* A delimiter at the end of every line (the BMI160 logger's
   * "…;bmi160_a_z[mg];") adds an empty last field that is not a column. */
  d->n_fields = mode;
  if (mode >= 2)
    {
      gboolean all_trailing = TRUE;
      guint n_checked = 0;
      ImuCsvField *f = g_new0 (ImuCsvField, mode);

      for (guint i = data_first; i < lines->len; i++)
        {
          const Line *line = &g_array_index (lines, Line, i);
          if (line->blank || imu_csv_split (line->p, line->len, d->delimiter, d->quotes, f, mode) != mode)
            continue;
          n_checked++;
          {
            const char *p = f[mode - 1].p;
            gsize flen = f[mode - 1].len;
            trim (&p, &flen);
            if (flen != 0)
              {
                all_trailing = FALSE;
                break;
              }
          }
        }
      g_free (f);
      if (all_trailing && n_checked > 0)
        {
          /* A header without the trailing delimiter would have one field
           * less; it then holds the mode only with the delimiter. */
          d->trailing_delimiter = TRUE;
          d->n_fields = mode - 1;
        }
    }

  /* A header written without the trailing delimiter of the rows has one
   * field less than they do, so the search above took it for preamble. */
  if (!has_header && d->trailing_delimiter && start > first)
    {
      guint prev = start - 1;

      while (prev > first && g_array_index (lines, Line, prev).blank)
        prev--;
      if (!g_array_index (lines, Line, prev).blank
          && count_fields (&g_array_index (lines, Line, prev), d->delimiter, d->quotes) == d->n_fields
          && is_header_line (&g_array_index (lines, Line, prev), lines, start, d->delimiter,
                             d->quotes, d->decimal_comma, d->n_fields))
        {
          has_header = TRUE;
          start = prev;
        }
    }

  /* A header followed by lines that are not data (comments, a line of
   * units with another field count, a note someone typed): the search
   * above wants most of the five lines after the header to have its
   * field count, so with three such lines or more it starts at the first
   * data row and would read the file as headerless, renaming a gyroscope
   * in deg/s to x, y, z in g. The header is the nearest line before the
   * data that has the data's field count and text where the data has
   * numbers; the lines between are skipped, and the notes say so. */
  preamble_end = start;
  if (!has_header && !empatica && start > first)
    {
      for (guint i = start; i-- > first;)
        {
          const Line *line = &g_array_index (lines, Line, i);
          guint n;

          if (line->blank || is_key_value_line (line, d->delimiter))
            continue;
          n = count_fields (line, d->delimiter, d->quotes);
          if ((n == mode || n == d->n_fields)
              && is_header_line (line, lines, start, d->delimiter, d->quotes, d->decimal_comma, d->n_fields))
            {
              g_autofree char *what = NULL;
              gint64 from = g_array_index (lines, Line, i + 1).number;
              gint64 to = g_array_index (lines, Line, start).number - 1;

              has_header = TRUE;
              preamble_end = i;
              if (from == to)
                what = g_strdup_printf (_("Line %" PRId64 ", between the header (line %" PRId64 ") and the data, "
                                          "was skipped: it does not have the header's %u fields."),
                                        from, line->number, d->n_fields);
              else
                what = g_strdup_printf (_("Lines %" PRId64 "–%" PRId64 ", between the header (line %" PRId64 ") "
                                          "and the data, were skipped: they do not have the header's %u fields."),
                                        from, to, line->number, d->n_fields);
              append_sentence (d, what);
              header_index = i;
              break;
            }
        }
      /* No line with the data's width reads as its header: say why the
       * columns are named by position when a text line was there. */
      if (!has_header)
        for (guint i = start; i-- > first;)
          {
            const Line *line = &g_array_index (lines, Line, i);
            guint n;

            if (line->blank || is_key_value_line (line, d->delimiter))
              continue;
            n = count_fields (line, d->delimiter, d->quotes);
            if (n >= 2 && is_header_line (line, lines, start, d->delimiter, d->quotes, d->decimal_comma, n))
              {
                g_autofree char *what =
                  g_strdup_printf (_("No header was found: line %" PRId64 " looks like one but has %u fields "
                                     "where the data (from line %" PRId64 ") has %u, so the columns are named "
                                     "by position."),
                                   line->number, n, g_array_index (lines, Line, start).number, d->n_fields);
                append_sentence (d, what);
                break;
              }
          }
    }

  for (guint i = first; i < preamble_end; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);
      if (!line->blank)
        parse_preamble_line (d, line);
    }

  fields = g_new0 (ImuCsvField, mode + 1);
  if (has_header)
    {
      const Line *line = &g_array_index (lines, Line, header_index != G_MAXUINT ? header_index : start);
      guint n = imu_csv_split (line->p, line->len, d->delimiter, d->quotes, fields, mode + 1);
      gboolean valid = TRUE;

      d->header = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < MIN (n, d->n_fields); i++)
        {
          gboolean v = TRUE;
          g_ptr_array_add (d->header, imu_csv_field_dup (&fields[i], &v));
          valid = valid && v;
        }
      while (d->header->len < d->n_fields)
        g_ptr_array_add (d->header, g_strdup (""));
      if (!valid)
        d->utf8_valid = FALSE;
      d->header_line = line->number;
    }

  if (data_first >= lines->len)
    {
      if (!eof)
        {
          /* The head ended inside the first data row: the caller reads on. */
          d->data_offset = g_array_index (lines, Line, lines->len - 1).next;
          d->first_data_line = g_array_index (lines, Line, lines->len - 1).number + 1;
        }
      else
        {
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                       has_header ? _("The file has a header (line %" PRId64 ") but no data rows.")
                                  : _("The file has no data rows (line %" PRId64 ")."),
                       g_array_index (lines, Line, start).number);
          return FALSE;
        }
    }
  else
    {
      d->data_offset = g_array_index (lines, Line, data_first).offset;
      d->first_data_line = g_array_index (lines, Line, data_first).number;
    }
  d->data_offset += d->bom ? 3 : 0;

  d->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  for (guint i = data_first; i < lines->len && d->rows->len < IMU_CSV_SAMPLE_ROWS; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);
      guint n;
      char **row;

      if (line->blank)
        continue;
      n = imu_csv_split (line->p, line->len, d->delimiter, d->quotes, fields, mode + 1);
      if (n != mode)
        continue;
      row = g_new0 (char *, d->n_fields + 1);
      for (guint k = 0; k < d->n_fields; k++)
        row[k] = imu_csv_field_dup (&fields[k], NULL);
      g_ptr_array_add (d->rows, row);
    }

  detect_flavor_from_header (d);
  return TRUE;
}
