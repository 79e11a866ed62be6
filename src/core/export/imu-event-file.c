/* imu-event-file.c — a session's events as CSV or JSON Lines, both ways
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-export"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "imu-event-file.h"
#include "imu-export-csv.h"
#include "imu-json.h"
#include "imu-time.h"

G_DEFINE_QUARK (imu-event-file-error-quark, imu_event_file_error)

/* An events file is typed by hand or written by a script: a line longer
 * than this is no event. */
#define MAX_LINE_BYTES (64 * 1024)

ImuEventFileFormat
imu_event_file_format_for_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name != NULL ? name : "", -1);

  if (g_str_has_suffix (lower, ".jsonl") || g_str_has_suffix (lower, ".ndjson") || g_str_has_suffix (lower, ".json"))
    return IMU_EVENT_FILE_JSONL;
  return IMU_EVENT_FILE_CSV;
}

/* ---- times ---- */

/* Digits [. digits] → ns; *end after them. At most 9 fraction digits count. */
static gboolean
parse_seconds_part (const char *p, const char **end, gint64 *whole, gint64 *frac_ns)
{
  gint64 w = 0;
  gint64 f = 0;
  int fd = 0;

  if (!g_ascii_isdigit (*p))
    return FALSE;
  while (g_ascii_isdigit (*p))
    {
      if (w > G_GINT64_CONSTANT (100000000000))
        return FALSE;
      w = w * 10 + (*p++ - '0');
    }
  if (*p == '.')
    {
      p++;
      if (!g_ascii_isdigit (*p))
        return FALSE;
      while (g_ascii_isdigit (*p))
        {
          if (fd < 9)
            {
              f = f * 10 + (*p - '0');
              fd++;
            }
          p++;
        }
      while (fd < 9)
        {
          f *= 10;
          fd++;
        }
    }
  *whole = w;
  *frac_ns = f;
  *end = p;
  return TRUE;
}

/* "1:02:03.25", "2:03.25", "123.25" → ns; FALSE unless all of @text is one. */
static gboolean
parse_clock (const char *text, gint64 *ns)
{
  const char *p = text;
  gint64 parts[3];
  gint64 frac = 0;
  int n = 0;
  gboolean negative = FALSE;
  gint64 total;

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  for (;;)
    {
      const char *end;
      gint64 whole, f;

      if (n == 3 || !parse_seconds_part (p, &end, &whole, &f))
        return FALSE;
      parts[n++] = whole;
      if (*end == ':')
        {
          /* A fraction only in the last part: "1.5:00" is no time. */
          if (memchr (p, '.', (gsize) (end - p)) != NULL)
            return FALSE;
          p = end + 1;
          continue;
        }
      p = end;
      frac = f;
      break;
    }
  if (*p != '\0')
    return FALSE;
  /* Minutes and seconds below 60 when they follow a larger unit. */
  for (int i = 1; i < n; i++)
    if (parts[i] >= 60)
      return FALSE;

  total = 0;
  for (int i = 0; i < n; i++)
    total = total * 60 + parts[i];
  if (total > G_GINT64_CONSTANT (9000000000))   /* about 285 years: beyond any session */
    return FALSE;
  total = total * IMU_NS_PER_SECOND + frac;
  *ns = negative ? -total : total;
  return TRUE;
}

static gboolean
time_error (GError **error, const char *text)
{
  g_set_error (error, IMU_EVENT_FILE_ERROR, IMU_EVENT_FILE_ERROR_TIME,
               /* TRANSLATORS: %s is what was given as a time */
               _("“%s” is not a time: give it from the session's start (1:02:03.250, 62.25) "
                 "or as a date and time (2024-05-01T10:00:00Z)"), text);
  return FALSE;
}

gboolean
imu_event_time_parse (const char  *text,
                      gint64       session_start_ns,
                      gint64      *t_ns,
                      GError     **error)
{
  g_autofree char *s = NULL;
  gint64 offset;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (t_ns != NULL, FALSE);

  s = g_strstrip (g_strdup (text));
  if (parse_clock (s, &offset))
    {
      gint64 t = imu_time_add_sat (session_start_ns, offset);

      if (!imu_time_in_range (t))
        return time_error (error, text);
      *t_ns = t;
      return TRUE;
    }

  /* A date: four digits and a dash, then GLib's ISO 8601 reader, which
   * takes the local zone when the text names none. */
  if (strlen (s) >= 10 && g_ascii_isdigit (s[0]) && g_ascii_isdigit (s[1]) && g_ascii_isdigit (s[2])
      && g_ascii_isdigit (s[3]) && s[4] == '-')
    {
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();
      g_autoptr(GDateTime) dt = NULL;
      g_autofree char *iso = g_strdup (s);
      gint64 frac_ns = 0;
      char *dot;

      /* GDateTime keeps microseconds: take the fraction ourselves, to the ns. */
      if (iso[10] == ' ')
        iso[10] = 'T';
      if ((dot = strchr (iso, '.')) != NULL)
        {
          char *q = dot + 1;
          int digits = 0;

          while (g_ascii_isdigit (*q))
            {
              if (digits < 9)
                {
                  frac_ns = frac_ns * 10 + (*q - '0');
                  digits++;
                }
              q++;
            }
          if (q == dot + 1)
            return time_error (error, text);
          while (digits++ < 9)
            frac_ns *= 10;
          memmove (dot, q, strlen (q) + 1);
        }
      if (strchr (iso, 'T') == NULL)
        {
          char *with_time = g_strconcat (iso, "T00:00:00", NULL);

          g_free (iso);
          iso = with_time;
        }
      if ((dt = g_date_time_new_from_iso8601 (iso, local)) != NULL)
        {
          gint64 t = g_date_time_to_unix (dt) * IMU_NS_PER_SECOND + frac_ns;

          if (g_date_time_get_year (dt) >= 1900 && g_date_time_get_year (dt) < 2190 && imu_time_in_range (t))
            {
              *t_ns = t;
              return TRUE;
            }
        }
    }
  return time_error (error, text);
}

gboolean
imu_event_duration_parse (const char  *text,
                          gint64      *duration_ns,
                          GError     **error)
{
  g_autofree char *s = NULL;
  gint64 d;

  g_return_val_if_fail (text != NULL, FALSE);

  s = g_strstrip (g_strdup (text));
  if (*s == '\0')
    {
      *duration_ns = 0;
      return TRUE;
    }
  if (!parse_clock (s, &d) || d < 0)
    {
      g_set_error (error, IMU_EVENT_FILE_ERROR, IMU_EVENT_FILE_ERROR_TIME,
                   /* TRANSLATORS: %s is what was given as a duration */
                   _("“%s” is not a duration: give seconds (2.5) or h:mm:ss.fff"), text);
      return FALSE;
    }
  *duration_ns = d;
  return TRUE;
}

char *
imu_event_format_offset (gint64 offset_ns)
{
  guint64 a = offset_ns < 0 ? (guint64) 0 - (guint64) offset_ns : (guint64) offset_ns;
  guint64 ms = (a + 500000) / 1000000;

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ":%02u:%02u.%03u", offset_ns < 0 ? "-" : "",
                          ms / 3600000, (guint) (ms / 60000 % 60), (guint) (ms / 1000 % 60), (guint) (ms % 1000));
}

/* "2024-05-01T10:00:00.250000000Z" (ns, trailing zeros of the fraction dropped, at least ms). */
static char *
format_iso (gint64 t_ns)
{
  gint64 s = t_ns / IMU_NS_PER_SECOND;
  gint64 ns = t_ns % IMU_NS_PER_SECOND;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *base = NULL;
  char frac[16];
  int len;

  if (ns < 0)
    {
      ns += IMU_NS_PER_SECOND;
      s--;
    }
  dt = g_date_time_new_from_unix_utc (s);
  if (dt == NULL)
    return g_strdup ("");
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  g_snprintf (frac, sizeof frac, "%09" PRId64, ns);
  len = 9;
  while (len > 3 && frac[len - 1] == '0')
    len--;
  frac[len] = '\0';
  return g_strdup_printf ("%s.%sZ", base, frac);
}

/* ---- notes ---- */

char *
imu_event_dup_note (const ImuEvent *event)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;

  g_return_val_if_fail (event != NULL, NULL);

  if (event->payload_json == NULL || *event->payload_json == '\0')
    return NULL;
  if (!(root = imu_json_parse (event->payload_json, -1, 0, NULL)) || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if (!json_object_has_member (obj, "note") || !JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, "note"))
      || json_node_get_value_type (json_object_get_member (obj, "note")) != G_TYPE_STRING)
    return NULL;
  return g_strdup (json_object_get_string_member (obj, "note"));
}

void
imu_event_set_note (ImuEvent   *event,
                    const char *note)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;

  g_return_if_fail (event != NULL);

  if (event->payload_json != NULL && *event->payload_json != '\0')
    root = imu_json_parse (event->payload_json, -1, 0, NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_clear_pointer (&root, json_node_unref);
      root = json_node_init_object (json_node_alloc (), json_object_new ());
    }
  obj = json_node_get_object (root);
  if (note != NULL && *note != '\0')
    json_object_set_string_member (obj, "note", note);
  else
    json_object_remove_member (obj, "note");

  g_free (event->payload_json);
  event->payload_json = json_object_get_size (obj) > 0 ? json_to_string (root, FALSE) : NULL;
}

/* ---- writing ---- */

void
imu_event_build_json (JsonBuilder    *b,
                      const ImuEvent *e,
                      gint64          session_start_ns)
{
  g_autofree char *iso = format_iso (e->t_ns);
  g_autofree char *offset = imu_event_format_offset (imu_time_sub_sat (e->t_ns, session_start_ns));
  g_autofree char *note = imu_event_dup_note (e);

  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, iso);
  json_builder_set_member_name (b, "offset");
  json_builder_add_string_value (b, offset);
  json_builder_set_member_name (b, "t_ns");
  json_builder_add_int_value (b, e->t_ns);
  json_builder_set_member_name (b, "duration_s");
  json_builder_add_double_value (b, (double) e->duration_ns / 1e9);
  json_builder_set_member_name (b, "kind");
  json_builder_add_string_value (b, e->kind != NULL ? e->kind : "");
  json_builder_set_member_name (b, "label");
  json_builder_add_string_value (b, e->label != NULL ? e->label : "");
  if (note != NULL)
    {
      json_builder_set_member_name (b, "note");
      json_builder_add_string_value (b, note);
    }
}

gboolean
imu_event_file_write (GOutputStream       *out,
                      ImuEventFileFormat   format,
                      GPtrArray           *events,
                      gint64               session_start_ns,
                      GCancellable        *cancellable,
                      GError             **error)
{
  g_autoptr(GString) text = g_string_new (NULL);

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);

  if (format == IMU_EVENT_FILE_CSV)
    g_string_append (text, "time,offset,duration_s,kind,label,note\n");

  for (guint i = 0; i < events->len; i++)
    {
      const ImuEvent *e = g_ptr_array_index (events, i);
      g_autofree char *iso = format_iso (e->t_ns);
      g_autofree char *offset = imu_event_format_offset (imu_time_sub_sat (e->t_ns, session_start_ns));
      g_autofree char *note = imu_event_dup_note (e);
      char duration[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (duration, sizeof duration, "%.9g", (double) e->duration_ns / 1e9);
      if (format == IMU_EVENT_FILE_CSV)
        {
          g_string_append_printf (text, "%s,%s,%s,", iso, offset, duration);
          imu_csv_append_field (text, e->kind);
          g_string_append_c (text, ',');
          imu_csv_append_field (text, e->label);
          g_string_append_c (text, ',');
          imu_csv_append_field (text, note);
          g_string_append_c (text, '\n');
        }
      else
        {
          g_autoptr(JsonBuilder) b = json_builder_new ();
          g_autoptr(JsonNode) root = NULL;
          g_autofree char *json = NULL;

          json_builder_begin_object (b);
          imu_event_build_json (b, e, session_start_ns);
          json_builder_end_object (b);
          root = json_builder_get_root (b);
          json = json_to_string (root, FALSE);
          g_string_append (text, json);
          g_string_append_c (text, '\n');
        }
    }

  return g_output_stream_write_all (out, text->str, text->len, NULL, cancellable, error);
}

/* ---- reading ---- */

typedef struct {
  const char *name;   /* for messages */
  gint64      line;
  gint64      start_ns;
} Reader;

/* "FILE:LINE:COLUMN: MESSAGE" from an error of the time parsers or a text. */
static void
set_where (GError **error, const Reader *r, glong column, int code, const char *message)
{
  g_set_error (error, IMU_EVENT_FILE_ERROR, code, "%s:%" PRId64 ":%ld: %s", r->name, r->line, column, message);
}

/* Splits one CSV line (RFC 4180 quoting, within the line); columns[i] is
 * the 1-based column of field i. FALSE on an unterminated quote. */
static gboolean
split_csv (const char *line, GPtrArray *fields, GArray *columns, glong *bad_column)
{
  const char *p = line;

  for (;;)
    {
      GString *f = g_string_new (NULL);
      glong col = g_utf8_pointer_to_offset (line, p) + 1;

      g_array_append_val (columns, col);
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              if (*p == '\0')
                {
                  g_string_free (f, TRUE);
                  *bad_column = col;
                  return FALSE;
                }
              if (*p == '"' && p[1] == '"')
                {
                  g_string_append_c (f, '"');
                  p += 2;
                  continue;
                }
              if (*p == '"')
                {
                  p++;
                  break;
                }
              g_string_append_c (f, *p++);
            }
          /* Anything between the closing quote and the comma is kept. */
          while (*p != '\0' && *p != ',')
            g_string_append_c (f, *p++);
        }
      else
        while (*p != '\0' && *p != ',')
          g_string_append_c (f, *p++);
      g_ptr_array_add (fields, g_string_free (f, FALSE));
      if (*p != ',')
        return TRUE;
      p++;
    }
}

enum { COL_TIME, COL_OFFSET, COL_TNS, COL_DURATION, COL_KIND, COL_LABEL, COL_NOTE, N_COLS };

static int
column_kind (const char *name)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  g_autofree char *n = g_ascii_strdown (trimmed, -1);

  if (g_str_equal (n, "time"))
    return COL_TIME;
  if (g_str_equal (n, "offset"))
    return COL_OFFSET;
  if (g_str_equal (n, "t_ns"))
    return COL_TNS;
  if (g_str_equal (n, "duration_s") || g_str_equal (n, "duration"))
    return COL_DURATION;
  if (g_str_equal (n, "kind"))
    return COL_KIND;
  if (g_str_equal (n, "label"))
    return COL_LABEL;
  if (g_str_equal (n, "note"))
    return COL_NOTE;
  return -1;
}

/* Builds one event from its text values (NULL where absent); column[k] is
 * where value k stands, for messages. */
static ImuEvent *
event_from_values (const Reader *r, char *values[N_COLS], const glong column[N_COLS], GError **error)
{
  g_autoptr(ImuEvent) e = NULL;
  g_autoptr(GError) local = NULL;
  gint64 t = 0;
  gint64 d = 0;
  int which;

  /* The absolute time wins; then the offset; then t_ns. */
  if (values[COL_TIME] != NULL && *g_strstrip (values[COL_TIME]) != '\0')
    which = COL_TIME;
  else if (values[COL_OFFSET] != NULL && *g_strstrip (values[COL_OFFSET]) != '\0')
    which = COL_OFFSET;
  else if (values[COL_TNS] != NULL && *g_strstrip (values[COL_TNS]) != '\0')
    which = COL_TNS;
  else
    {
      set_where (error, r, 1, IMU_EVENT_FILE_ERROR_MISSING, _("the event has no time"));
      return NULL;
    }

  if (which == COL_TNS)
    {
      char *end = NULL;
      gint64 v = g_ascii_strtoll (values[COL_TNS], &end, 10);

      if (end == values[COL_TNS] || *end != '\0' || !imu_time_in_range (v))
        {
          g_autofree char *msg = g_strdup_printf (_("“%s” is not a time in nanoseconds since 1970"), values[COL_TNS]);

          set_where (error, r, column[COL_TNS], IMU_EVENT_FILE_ERROR_TIME, msg);
          return NULL;
        }
      t = v;
    }
  else if (!imu_event_time_parse (values[which], r->start_ns, &t, &local))
    {
      set_where (error, r, column[which], IMU_EVENT_FILE_ERROR_TIME, local->message);
      return NULL;
    }

  if (values[COL_DURATION] != NULL && !imu_event_duration_parse (values[COL_DURATION], &d, &local))
    {
      set_where (error, r, column[COL_DURATION], IMU_EVENT_FILE_ERROR_TIME, local->message);
      return NULL;
    }

  e = imu_event_new (t, values[COL_KIND] != NULL && *g_strstrip (values[COL_KIND]) != '\0' ? values[COL_KIND] : "marker",
                     values[COL_LABEL] != NULL ? values[COL_LABEL] : "");
  e->duration_ns = d;
  if (values[COL_NOTE] != NULL)
    imu_event_set_note (e, values[COL_NOTE]);
  return g_steal_pointer (&e);
}

static gboolean
read_csv_line (Reader *r, char *line, int map[], guint n_map, GPtrArray *events, GError **error)
{
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (glong));
  char *values[N_COLS] = { NULL };
  glong column[N_COLS] = { 0 };
  glong bad_column = 0;
  ImuEvent *e;

  if (!split_csv (line, fields, columns, &bad_column))
    {
      set_where (error, r, bad_column, IMU_EVENT_FILE_ERROR_SYNTAX, _("a quoted field does not end on its line"));
      return FALSE;
    }
  if (fields->len != n_map)
    {
      g_autofree char *msg = g_strdup_printf (_("%u fields where the header names %u"), fields->len, n_map);

      set_where (error, r, 1, IMU_EVENT_FILE_ERROR_SYNTAX, msg);
      return FALSE;
    }
  for (guint i = 0; i < fields->len; i++)
    if (map[i] >= 0)
      {
        values[map[i]] = g_ptr_array_index (fields, i);
        column[map[i]] = g_array_index (columns, glong, i);
      }
  if (!(e = event_from_values (r, values, column, error)))
    return FALSE;
  g_ptr_array_add (events, e);
  return TRUE;
}

static gboolean
read_json_line (Reader *r, const char *line, GPtrArray *events, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(JsonNode) root = imu_json_parse (line, -1, MAX_LINE_BYTES, &local);
  static const char * const names[N_COLS] = { "time", "offset", "t_ns", "duration_s", "kind", "label", "note" };
  g_autofree char *values[N_COLS] = { NULL };
  glong column[N_COLS] = { 1, 1, 1, 1, 1, 1, 1 };
  JsonObject *obj;
  ImuEvent *e;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_where (error, r, 1, IMU_EVENT_FILE_ERROR_SYNTAX,
                 root == NULL ? local->message : _("the line is not a JSON object"));
      return FALSE;
    }
  obj = json_node_get_object (root);
  for (int k = 0; k < N_COLS; k++)
    {
      JsonNode *m = json_object_get_member (obj, names[k]);

      if (m == NULL && k == COL_DURATION)
        m = json_object_get_member (obj, "duration");
      if (m == NULL || JSON_NODE_HOLDS_NULL (m))
        continue;
      if (!JSON_NODE_HOLDS_VALUE (m))
        {
          g_autofree char *msg = g_strdup_printf (_("“%s” must be a string or a number"), names[k]);

          set_where (error, r, 1, IMU_EVENT_FILE_ERROR_SYNTAX, msg);
          for (int j = 0; j < N_COLS; j++)
            g_clear_pointer (&values[j], g_free);
          return FALSE;
        }
      switch (json_node_get_value_type (m))
        {
        case G_TYPE_STRING:
          values[k] = g_strdup (json_node_get_string (m));
          break;
        case G_TYPE_INT64:
          values[k] = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (m));
          break;
        case G_TYPE_DOUBLE:
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            values[k] = g_strdup (g_ascii_formatd (buf, sizeof buf, "%.9f", json_node_get_double (m)));
          }
          break;
        default:
          values[k] = g_strdup ("");
        }
    }
  e = event_from_values (r, values, column, error);
  for (int j = 0; j < N_COLS; j++)
    g_clear_pointer (&values[j], g_free);
  if (e == NULL)
    return FALSE;
  g_ptr_array_add (events, e);
  return TRUE;
}

GPtrArray *
imu_event_file_read (const char   *path,
                     gint64        session_start_ns,
                     GCancellable *cancellable,
                     GError      **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_event_free);
  g_autoptr(GError) local = NULL;
  g_autofree char *name = NULL;
  g_autofree int *map = NULL;
  guint n_map = 0;
  ImuEventFileFormat format;
  Reader r = { 0 };

  g_return_val_if_fail (path != NULL, NULL);

  name = g_path_get_basename (path);
  r.name = name;
  r.start_ns = session_start_ns;
  format = imu_event_file_format_for_name (path);

  file = g_file_new_for_path (path);
  if (!(in = g_file_read (file, cancellable, &local)))
    {
      g_set_error (error, IMU_EVENT_FILE_ERROR, IMU_EVENT_FILE_ERROR_READ, _("%s: cannot open: %s"), path, local->message);
      return NULL;
    }
  data = g_data_input_stream_new (G_INPUT_STREAM (in));
  g_data_input_stream_set_newline_type (data, G_DATA_STREAM_NEWLINE_TYPE_ANY);

  for (;;)
    {
      gsize len = 0;
      g_autofree char *line = g_data_input_stream_read_line (data, &len, cancellable, &local);

      if (line == NULL)
        {
          if (local != NULL)
            {
              g_set_error (error, IMU_EVENT_FILE_ERROR, IMU_EVENT_FILE_ERROR_READ, _("%s: cannot read: %s"),
                           path, local->message);
              return NULL;
            }
          break;
        }
      r.line++;
      if (len > MAX_LINE_BYTES)
        {
          set_where (error, &r, 1, IMU_EVENT_FILE_ERROR_SYNTAX, _("the line is too long for an event"));
          return NULL;
        }
      if (!g_utf8_validate (line, (gssize) len, NULL) || strlen (line) != len)
        {
          set_where (error, &r, 1, IMU_EVENT_FILE_ERROR_SYNTAX, _("the line is not UTF-8 text"));
          return NULL;
        }
      /* A byte-order mark at the start of the file. */
      if (r.line == 1 && g_str_has_prefix (line, "\xef\xbb\xbf"))
        memmove (line, line + 3, len - 2);
      {
        g_autofree char *trimmed = g_strstrip (g_strdup (line));

        if (*trimmed == '\0')
          continue;   /* blank lines are nothing */
      }

      if (format == IMU_EVENT_FILE_JSONL)
        {
          if (!read_json_line (&r, line, events, error))
            return NULL;
          continue;
        }

      if (map == NULL)
        {
          g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
          g_autoptr(GArray) columns = g_array_new (FALSE, FALSE, sizeof (glong));
          gboolean have_time = FALSE;
          glong bad_column = 0;

          if (!split_csv (line, fields, columns, &bad_column))
            {
              set_where (error, &r, bad_column, IMU_EVENT_FILE_ERROR_SYNTAX, _("a quoted field does not end on its line"));
              return NULL;
            }
          n_map = fields->len;
          map = g_new (int, n_map);
          for (guint i = 0; i < n_map; i++)
            {
              map[i] = column_kind (g_ptr_array_index (fields, i));
              have_time |= map[i] == COL_TIME || map[i] == COL_OFFSET || map[i] == COL_TNS;
            }
          if (!have_time)
            {
              set_where (error, &r, 1, IMU_EVENT_FILE_ERROR_MISSING,
                         _("the header names no time column (time, offset or t_ns)"));
              return NULL;
            }
          continue;
        }
      if (!read_csv_line (&r, line, map, n_map, events, error))
        return NULL;
    }
  return g_steal_pointer (&events);
}
