/* imu-record-lines.c — text lines of live samples: CSV, JSON, Sensorstream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One line is one sample (CSV, JSON) or one sample of several sensors
 * (Sensorstream IMU+GPS). The first line that is not all numbers is a CSV
 * header, unless the user gave one; its columns name the channels, with
 * units in brackets as in a file ("ax (m/s^2)"), and a column named like
 * a time (t, time, timestamp, epoch, unix) is the time. Times are read as
 * in a file (docs/import.md): by magnitude ns, µs, ms or s; an epoch time
 * from 1973 on, else seconds relative to the stream's first line, which is
 * placed at its arrival. Without a time, a sample gets its arrival time.
 * A line that cannot be read is an issue, never the end of a recording.
 */
#define G_LOG_DOMAIN "imu-record"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "imu-csv-layout.h"
#include "imu-csv-time.h"
#include "imu-number.h"
#include "imu-record-source.h"
#include "imu-stream-writer.h"
#include "imu-time.h"

#define MAX_FIELDS 64

typedef struct {
  char   *key;       /* name and channels */
  guint   handle;
  guint   n_channels;
  gboolean has_origin;
  gint64  origin_ns; /* for relative times */
} LineStream;

struct _ImuRecordLines
{
  ImuRecorder *recorder;
  GHashTable  *streams;     /* key → LineStream* */
  char       **header;      /* CSV column names (NULL: none yet) */
  char       **units;
  int          time_column; /* -1: none */
  gboolean     header_fixed;
  char         delimiter;
  LineStream  *csv_stream;
  char        *name;
  gint64       n_lines;
};

typedef struct {
  const char *id;
  const char *name;
  const char *kind;
  const char *unit;
  const char *axes[3];
} SensorstreamSensor;

/* Sensorstream IMU+GPS (Android): the sensor ids it writes before each
 * group of three values. */
static const SensorstreamSensor sensorstream[] = {
  { "1", "gps", "other", "", { "latitude", "longitude", "altitude" } },
  { "3", "accelerometer", "accel", "m/s^2", { "x", "y", "z" } },
  { "4", "gyroscope", "gyro", "rad/s", { "x", "y", "z" } },
  { "5", "magnetometer", "mag", "µT", { "x", "y", "z" } },
  { "81", "orientation", "orientation", "deg", { "x", "y", "z" } },
  { "82", "linear acceleration", "accel", "m/s^2", { "x", "y", "z" } },
  { "83", "gravity", "accel", "m/s^2", { "x", "y", "z" } },
  { "84", "rotation vector", "orientation", "", { "x", "y", "z" } },
};

static void
line_stream_free (LineStream *s)
{
  g_free (s->key);
  g_free (s);
}

ImuRecordLines *
imu_record_lines_new (ImuRecorder *recorder,
                      const char  *name,
                      const char  *csv_header)
{
  ImuRecordLines *self = g_new0 (ImuRecordLines, 1);

  self->name = g_strdup (name);
  self->recorder = g_object_ref (recorder);
  self->streams = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) line_stream_free);
  self->time_column = -1;
  self->delimiter = ',';
  if (csv_header != NULL && *csv_header != '\0')
    {
      imu_record_lines_feed (self, csv_header, strlen (csv_header));
      self->header_fixed = self->header != NULL;
      self->n_lines = 0;
    }
  return self;
}

void
imu_record_lines_free (ImuRecordLines *self)
{
  if (self == NULL)
    return;
  g_object_unref (self->recorder);
  g_hash_table_unref (self->streams);
  g_strfreev (self->header);
  g_strfreev (self->units);
  g_free (self->name);
  g_free (self);
}

static void
malformed (ImuRecordLines *self, const char *why)
{
  /* TRANSLATORS: an issue of a recording: "line 12: not a number in field 3" */
  g_autofree char *detail = g_strdup_printf (_("line %" PRId64 ": %s"), self->n_lines, why);

  imu_recorder_issue (self->recorder, NULL, IMU_RECORD_ISSUE_MALFORMED, detail);
}

static gboolean
is_time_name (const char *name)
{
  static const char * const names[] = { "t", "time", "timestamp", "ts", "epoch", "unix", "time_ns", "time_ms", "time_s", NULL };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  return g_strv_contains (names, lower);
}

/* The stream of @name with @channels (and @units), added on first sight. */
static LineStream *
get_stream (ImuRecordLines *self, const char *name, const char *kind,
            const char * const *channels, const char * const *units, guint n)
{
  g_autoptr(GString) key = g_string_new (name);
  LineStream *s;

  for (guint c = 0; c < n; c++)
    g_string_append_printf (key, "\x1f%s\x1e%s", channels[c], units != NULL ? units[c] : "");
  if ((s = g_hash_table_lookup (self->streams, key->str)) == NULL)
    {
      g_autoptr(ImuStreamInfo) info = imu_stream_info_new (name, n);

      for (guint c = 0; c < n; c++)
        {
          const char *unit = units != NULL ? units[c] : "";

          imu_stream_info_set_channel (info, c, channels[c], unit,
                                       kind != NULL ? kind : imu_guess_channel_kind (channels[c], unit));
        }
      g_free (info->kind);
      info->kind = g_strdup (kind != NULL ? kind : "other");
      info->time_format.kind = IMU_TIME_EPOCH_NS;
      s = g_new0 (LineStream, 1);
      s->key = g_string_free (g_steal_pointer (&key), FALSE);
      s->n_channels = n;
      s->handle = imu_recorder_add_stream (self->recorder, NULL, info);
      g_hash_table_insert (self->streams, s->key, s);
    }
  return s;
}

/* A time field → ns since the epoch. */
static gboolean
parse_time (LineStream *s, const char *text, gsize len, gint64 *out)
{
  double approx;
  int scale;
  gint64 v;

  if (!imu_number_parse (text, len, FALSE, &approx, NULL) || !isfinite (approx))
    return FALSE;
  approx = fabs (approx);
  scale = approx >= 1e17 ? 0 : approx >= 1e14 ? 3 : approx >= 1e11 ? 6 : 9;
  if (!imu_csv_parse_scaled (text, len, scale, FALSE, &v, NULL))
    return FALSE;
  if (approx >= 1e8)
    {
      *out = v;
      return TRUE;
    }
  /* Relative: the first line is placed at its arrival. */
  if (!s->has_origin)
    {
      s->origin_ns = g_get_real_time () * 1000 - v;
      s->has_origin = TRUE;
    }
  *out = s->origin_ns + v;
  return TRUE;
}

static guint
split (char *line, char delimiter, char **fields)
{
  guint n = 0;
  char *p = line;

  for (;;)
    {
      char *end = strchr (p, delimiter);

      if (n == MAX_FIELDS)
        return n + 1;
      if (end != NULL)
        *end = '\0';
      fields[n++] = g_strstrip (p);
      if (end == NULL)
        return n;
      p = end + 1;
    }
}

static void
set_header (ImuRecordLines *self, char **fields, guint n)
{
  g_strfreev (self->header);
  g_strfreev (self->units);
  self->header = g_new0 (char *, n + 1);
  self->units = g_new0 (char *, n + 1);
  self->time_column = -1;
  for (guint i = 0; i < n; i++)
    {
      imu_csv_split_unit (fields[i], &self->header[i], &self->units[i]);
      if (self->units[i] == NULL)
        self->units[i] = g_strdup ("");
      if (self->time_column < 0 && is_time_name (self->header[i]))
        self->time_column = (int) i;
    }
  self->csv_stream = NULL;
}

static gboolean
feed_sensorstream (ImuRecordLines *self, char **fields, guint n)
{
  gint64 t;
  LineStream *first = NULL;

  if (n < 5 || (n - 1) % 4 != 0)
    return FALSE;
  for (guint g = 1; g < n; g += 4)
    {
      gboolean known = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (sensorstream); k++)
        known |= g_str_equal (fields[g], sensorstream[k].id);
      if (!known)
        return FALSE;
    }
  for (guint g = 1; g < n; g += 4)
    {
      const SensorstreamSensor *sensor = NULL;
      const char *units[3];
      double v[3];
      LineStream *s;

      for (guint k = 0; k < G_N_ELEMENTS (sensorstream); k++)
        if (g_str_equal (fields[g], sensorstream[k].id))
          sensor = &sensorstream[k];
      for (guint c = 0; c < 3; c++)
        {
          units[c] = sensor->unit;
          if (!imu_number_parse (fields[g + 1 + c], strlen (fields[g + 1 + c]), FALSE, &v[c], NULL))
            {
              malformed (self, _("not a number"));
              return TRUE;
            }
        }
      s = get_stream (self, sensor->name, sensor->kind, sensor->axes, units, 3);
      /* One clock for the line's sensors: the first's origin. */
      if (first == NULL)
        {
          if (!parse_time (s, fields[0], strlen (fields[0]), &t))
            {
              malformed (self, _("the time cannot be read"));
              return TRUE;
            }
          first = s;
        }
      imu_recorder_append (self->recorder, s->handle, t, v);
    }
  return TRUE;
}

static void
feed_json (ImuRecordLines *self, const char *line, gsize len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (double));
  const char *name = self->name;
  JsonObject *obj, *vals;
  JsonNode *time_node = NULL;
  g_autoptr(GList) members = NULL;
  LineStream *s;
  gint64 t;

  if (!json_parser_load_from_data (parser, line, (gssize) len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      malformed (self, _("not a JSON object"));
      return;
    }
  obj = json_node_get_object (json_parser_get_root (parser));
  for (const char * const *k = (const char * const[]) { "sensor", "name", "type", NULL }; *k != NULL; k++)
    if (json_object_has_member (obj, *k) && JSON_NODE_HOLDS_VALUE (json_object_get_member (obj, *k))
        && json_node_get_value_type (json_object_get_member (obj, *k)) == G_TYPE_STRING)
      {
        name = json_object_get_string_member (obj, *k);
        break;
      }
  for (const char * const *k = (const char * const[]) { "t", "time", "timestamp", "ts", NULL }; *k != NULL; k++)
    if (json_object_has_member (obj, *k))
      {
        time_node = json_object_get_member (obj, *k);
        break;
      }
  vals = json_object_has_member (obj, "values") && JSON_NODE_HOLDS_OBJECT (json_object_get_member (obj, "values"))
         ? json_object_get_object_member (obj, "values") : obj;
  members = json_object_get_members (vals);
  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *node = json_object_get_member (vals, l->data);
      GType type;
      double v;

      if (node == time_node || !JSON_NODE_HOLDS_VALUE (node))
        continue;
      type = json_node_get_value_type (node);
      if (type == G_TYPE_INT64)
        v = (double) json_node_get_int (node);
      else if (type == G_TYPE_DOUBLE)
        v = json_node_get_double (node);
      else
        continue;
      g_ptr_array_add (names, l->data);
      g_array_append_val (values, v);
    }
  if (values->len == 0 || values->len > IMU_STREAM_MAX_CHANNELS)
    {
      malformed (self, _("no values"));
      return;
    }
  s = get_stream (self, name, NULL, (const char * const *) names->pdata, NULL, values->len);
  if (time_node == NULL)
    t = g_get_real_time () * 1000;
  else if (JSON_NODE_HOLDS_VALUE (time_node) && json_node_get_value_type (time_node) == G_TYPE_INT64)
    {
      g_autofree char *text = g_strdup_printf ("%" PRId64, json_node_get_int (time_node));

      if (!parse_time (s, text, strlen (text), &t))
        {
          malformed (self, _("the time cannot be read"));
          return;
        }
    }
  else if (JSON_NODE_HOLDS_VALUE (time_node) && json_node_get_value_type (time_node) == G_TYPE_DOUBLE)
    {
      char text[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_dtostr (text, sizeof text, json_node_get_double (time_node));
      if (!parse_time (s, text, strlen (text), &t))
        {
          malformed (self, _("the time cannot be read"));
          return;
        }
    }
  else
    {
      malformed (self, _("the time cannot be read"));
      return;
    }
  imu_recorder_append (self->recorder, s->handle, t, (const double *) values->data);
}

void
imu_record_lines_feed (ImuRecordLines *self,
                       const char     *line,
                       gsize           len)
{
  g_autofree char *copy = NULL;
  char *fields[MAX_FIELDS + 1];
  double values[MAX_FIELDS];
  gboolean all_numbers = TRUE;
  guint n, n_values = 0;
  gint64 t;

  g_return_if_fail (self != NULL);

  while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' || line[len - 1] == ' '))
    len--;
  while (len > 0 && (*line == ' ' || *line == '\t'))
    line++, len--;
  if (len == 0)
    return;
  self->n_lines++;
  if (memchr (line, '\0', len) != NULL || !g_utf8_validate (line, (gssize) len, NULL))
    {
      malformed (self, _("not UTF-8 text"));
      return;
    }
  if (*line == '{')
    {
      feed_json (self, line, len);
      return;
    }

  copy = g_strndup (line, len);
  if (self->header == NULL)
    self->delimiter = strchr (copy, '\t') != NULL ? '\t' : strchr (copy, ';') != NULL ? ';' : ',';
  n = split (copy, self->delimiter, fields);
  if (n > MAX_FIELDS)
    {
      malformed (self, _("too many fields"));
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      double v;

      if (!imu_number_parse (fields[i], strlen (fields[i]), FALSE, &v, NULL))
        all_numbers = FALSE;
    }

  if (!all_numbers)
    {
      /* A header (again, or a new one), unless the user gave it: two
       * fields or more, none of them a number or empty. */
      gboolean looks_like_header = n >= 2;

      for (guint i = 0; i < n; i++)
        {
          double v;

          looks_like_header &= *fields[i] != '\0'
                               && !imu_number_parse (fields[i], strlen (fields[i]), FALSE, &v, NULL);
        }
      if (!looks_like_header || self->header_fixed)
        malformed (self, _("not a number"));
      else if (self->header == NULL || g_strv_length (self->header) != n
               || !g_strv_equal ((const char * const *) self->header, (const char * const *) fields))
        {
          g_auto(GStrv) raw = g_new0 (char *, n + 1);

          for (guint i = 0; i < n; i++)
            raw[i] = g_strdup (fields[i]);
          set_header (self, raw, n);
        }
      return;
    }

  if (self->header == NULL && feed_sensorstream (self, fields, n))
    return;

  if (self->header != NULL && g_strv_length (self->header) != n)
    {
      malformed (self, _("wrong number of fields"));
      return;
    }
  if (self->header == NULL)
    {
      /* No header: value1…, with a first column of epoch times as the time. */
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      double first;

      imu_number_parse (fields[0], strlen (fields[0]), FALSE, &first, NULL);
      self->time_column = n > 1 && fabs (first) >= 1e8 ? 0 : -1;
      self->header = g_new0 (char *, n + 1);
      self->units = g_new0 (char *, n + 1);
      for (guint i = 0, k = 1; i < n; i++)
        {
          self->header[i] = (int) i == self->time_column ? g_strdup ("time") : g_strdup_printf ("value%u", k++);
          self->units[i] = g_strdup ("");
        }
    }
  if (self->csv_stream == NULL)
    {
      const char *names[MAX_FIELDS];
      const char *units[MAX_FIELDS];
      guint k = 0;

      for (guint i = 0; i < n; i++)
        if ((int) i != self->time_column)
          {
            names[k] = self->header[i];
            units[k] = self->units[i];
            k++;
          }
      if (k == 0)
        {
          malformed (self, _("no values"));
          return;
        }
      self->csv_stream = get_stream (self, self->name, NULL, names, units, k);
    }

  for (guint i = 0; i < n; i++)
    if ((int) i != self->time_column)
      imu_number_parse (fields[i], strlen (fields[i]), FALSE, &values[n_values++], NULL);
  if (self->time_column < 0)
    t = g_get_real_time () * 1000;
  else if (!parse_time (self->csv_stream, fields[self->time_column], strlen (fields[self->time_column]), &t))
    {
      malformed (self, _("the time cannot be read"));
      return;
    }
  imu_recorder_append (self->recorder, self->csv_stream->handle, t, values);
}
