/* imu-import-multi.c — folders and archives of recordings as one session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A Sensor Logger export (a folder or a .zip: Accelerometer.csv,
 * Gyroscope.csv, …, Metadata.csv, Annotation.csv), a phyphox export
 * (Accelerometer.csv and meta/time.csv, meta/device.csv), an Empatica E4
 * export (ACC.csv, …, tags.csv) or any folder of CSV files: every data
 * file becomes streams of one session, the metadata files describe it.
 * Which files are data, and who reads them, the importer registry says:
 * each member goes to the row its name matches.
 *
 * Archives are read twice with libarchive: a first pass lists the entries
 * and reads the small metadata files (they must be known before the data:
 * phyphox's start time), a second pass streams the data files. Zip files
 * are opened with archive_read_open_filename() so that libarchive's
 * seekable zip reader takes the sizes from the central directory: zips
 * written to a pipe (sizes only in data descriptors) read correctly.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "imu-archive-input-stream.h"
#include "imu-hash-input-stream.h"
#include "imu-csv-dialect.h"
#include "imu-csv-time.h"
#include "imu-import-private.h"
#include "imu-session.h"
#include "imu-store-private.h"

/* Metadata files are read whole; larger ones are not metadata. */
#define MAX_META_BYTES (8 * 1024 * 1024)

/* What an archive may decompress to (docs/import.md, "Limits"): 200 times
 * its own size plus 64 MiB, and never more than 64 GiB. CSV text deflates
 * 5 to 20 times; a zip of 10 GB of newlines (a bomb of ~10 MB) would
 * otherwise be parsed for minutes to find no sample. The allowance keeps
 * small archives of very regular data working. */
#define ARCHIVE_MAX_RATIO 200
#define ARCHIVE_SLACK_BYTES (G_GINT64_CONSTANT (64) << 20)
#define ARCHIVE_MAX_BYTES (G_GINT64_CONSTANT (64) << 30)

typedef enum {
  FILE_DATA,
  FILE_SL_METADATA,      /* Sensor Logger Metadata.csv */
  FILE_SL_ANNOTATION,    /* Sensor Logger Annotation.csv */
  FILE_PHYPHOX_TIME,     /* phyphox meta/time.csv */
  FILE_PHYPHOX_DEVICE,   /* phyphox meta/device.csv */
  FILE_EMPATICA_TAGS,    /* Empatica tags.csv */
  FILE_IGNORED,
} FileRole;

typedef struct {
  char              *path;       /* relative, '/'-separated */
  char              *base;
  guint64            size;
  FileRole           role;
  const ImuImporter *importer;   /* FILE_DATA: the registry's row for it */
  GBytes            *content;    /* metadata files */
} Entry;

typedef struct {
  ImuSessionBuilder *builder;
  ImuImportInput    *input;
  const char        *path;
  GPtrArray        *entries;    /* Entry* */
  gboolean          sensorlogger;
  gboolean          phyphox;
  gboolean          empatica;
  /* Sensor Logger metadata */
  GHashTable       *rates;      /* compact sensor name → rate (double*) */
  const char       *accel_unit;
  gboolean          has_origin;
  gint64            origin_ns;
  guint64           total_uncompressed;
  double            progress_scale;
} Multi;

static void
entry_free (Entry *e)
{
  g_free (e->path);
  g_free (e->base);
  g_clear_pointer (&e->content, g_bytes_unref);
  g_free (e);
}

static gboolean
has_suffix_ci (const char *s, const char *suffix)
{
  gsize n = strlen (s), m = strlen (suffix);

  return n >= m && g_ascii_strcasecmp (s + n - m, suffix) == 0;
}

/* "Wrist Motion", "WristMotion.csv" → "wristmotion". */
static char *
compact_name (const char *name)
{
  GString *s = g_string_new (NULL);
  const char *dot = strrchr (name, '.');

  for (const char *c = name; *c != '\0' && c != dot; c++)
    if (*c != ' ' && *c != '_' && *c != '-')
      g_string_append_c (s, g_ascii_tolower (*c));
  return g_string_free (s, FALSE);
}

/* The registry's row for a member, by its name: a folder's names are
 * deliberate, and most members are not read before their turn. Only rows
 * that read into a shared session, or that recognise a format to name it,
 * take members; bundles and archives inside an export are not part of its
 * session. */
static const ImuImporter *
member_importer (const char *base)
{
  guint n;
  const ImuImporter *const *table = imu_importer_table (&n);

  for (guint i = 0; i < n; i++)
    if (imu_importer_matches_name (table[i], base)
        && ((table[i]->flags & IMU_IMPORTER_MEMBERS) || !imu_importer_reads (table[i])))
      return table[i];
  return NULL;
}

static FileRole
classify (const char *path, const char *base, const ImuImporter **importer)
{
  g_autofree char *lower = g_ascii_strdown (base, -1);

  *importer = NULL;
  if (base[0] == '.' || strstr (path, "__MACOSX/") != NULL)
    return FILE_IGNORED;
  /* In an export, text files describe it (Empatica's info.txt, READMEs):
   * they are not data, though a .txt given alone may be a CSV. */
  if (has_suffix_ci (base, ".txt"))
    return FILE_IGNORED;
  /* The metadata files of the exports this importer knows, by name. */
  if (g_str_equal (lower, "metadata.csv"))
    return FILE_SL_METADATA;
  if (g_str_equal (lower, "annotation.csv"))
    return FILE_SL_ANNOTATION;
  if (g_str_has_suffix (path, "meta/time.csv"))
    return FILE_PHYPHOX_TIME;
  if (g_str_has_suffix (path, "meta/device.csv"))
    return FILE_PHYPHOX_DEVICE;
  if (g_str_equal (lower, "tags.csv"))
    return FILE_EMPATICA_TAGS;
  /* Empatica's IBI.csv holds intervals between beats, not samples. */
  if (g_str_equal (lower, "ibi.csv"))
    return FILE_IGNORED;
  /* Any other file is data when a registry row takes it. */
  if ((*importer = member_importer (base)) == NULL)
    return FILE_IGNORED;
  return FILE_DATA;
}

static void
add_entry (Multi *m, const char *path, guint64 size)
{
  Entry *e = g_new0 (Entry, 1);

  e->path = g_strdup (path);
  e->base = g_path_get_basename (path);
  e->size = size;
  e->role = classify (e->path, e->base, &e->importer);
  g_ptr_array_add (m->entries, e);
}

/* ---- small tables (metadata files) ---- */

typedef struct {
  GPtrArray *header;   /* char* */
  GPtrArray *rows;     /* GStrv */
} Table;

static void
table_clear (Table *t)
{
  g_clear_pointer (&t->header, g_ptr_array_unref);
  g_clear_pointer (&t->rows, g_ptr_array_unref);
}

static gboolean
read_table (GBytes *content, Table *t)
{
  gsize len;
  const char *text = g_bytes_get_data (content, &len);
  ImuCsvDialect d = { 0 };
  gsize off;
  guint n;

  memset (t, 0, sizeof *t);
  if (text == NULL || !imu_csv_dialect_sniff (text, len, TRUE, &d, NULL))
    {
      imu_csv_dialect_clear (&d);
      return FALSE;
    }
  n = MAX (d.n_fields, 1);
  t->header = d.header != NULL ? g_ptr_array_ref (d.header) : NULL;
  t->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  off = MIN (d.data_offset, len);
  while (off < len)
    {
      const char *line = text + off;
      const char *nl = memchr (line, '\n', len - off);
      gsize llen = nl != NULL ? (gsize) (nl - line) : len - off;
      g_autofree ImuCsvField *f = g_new0 (ImuCsvField, n + 1);
      guint got;
      char **row;

      off += llen + 1;
      if (llen > 0 && line[llen - 1] == '\r')
        llen--;
      if (llen == 0)
        continue;
      got = imu_csv_split (line, llen, d.delimiter, d.quotes, f, n + 1);
      row = g_new0 (char *, n + 1);
      for (guint k = 0; k < n; k++)
        row[k] = k < got ? imu_csv_field_dup (&f[k], NULL) : g_strdup ("");
      g_ptr_array_add (t->rows, row);
    }
  imu_csv_dialect_clear (&d);
  return TRUE;
}

static int
table_column (const Table *t, const char *name)
{
  if (t->header == NULL)
    return -1;
  for (guint i = 0; i < t->header->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (t->header, i), name) == 0)
      return (int) i;
  return -1;
}

static const char *
table_get (const Table *t, guint row, const char *name)
{
  int c = table_column (t, name);

  if (c < 0 || row >= t->rows->len)
    return NULL;
  return ((char **) g_ptr_array_index (t->rows, row))[c];
}

/* ---- metadata ---- */

static char *
default_title (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base && !g_file_test (path, G_FILE_TEST_IS_DIR))
    *dot = '\0';
  return g_steal_pointer (&base);
}

static void
set_if_empty (ImuSession *session, const char *property, const char *value)
{
  g_autofree char *old = NULL;

  if (value == NULL || *value == '\0')
    return;
  g_object_get (session, property, &old, NULL);
  if (old == NULL || *old == '\0')
    g_object_set (session, property, value, NULL);
}

static void
append_note (ImuSession *session, const char *note)
{
  const char *old = imu_session_get_notes (session);
  g_autofree char *text = NULL;

  if (note == NULL || *note == '\0' || (old != NULL && strstr (old, note) != NULL))
    return;
  text = old != NULL && *old != '\0' ? g_strdup_printf ("%s\n%s", old, note) : g_strdup (note);
  imu_session_set_notes (session, text);
}

/* Sensor Logger's Metadata.csv: one row with "device name", "recording
 * epoch time" (ms), "recording time", "recording timezone", "platform",
 * "appVersion", "device id", "sensors" and "sampleRateMs" ('|'-separated,
 * one per sensor), "standardisation", "platform version". */
static void
apply_sensorlogger_metadata (Multi *m, GBytes *content)
{
  ImuSession *session = imu_session_builder_get_session (m->builder);
  Table t;
  const char *device, *epoch_ms, *rec_time, *tz_name, *platform, *app, *device_id;
  const char *sensors, *rates, *standardisation, *os_version;

  if (!read_table (content, &t) || t.rows->len == 0)
    {
      table_clear (&t);
      return;
    }
  device = table_get (&t, 0, "device name");
  epoch_ms = table_get (&t, 0, "recording epoch time");
  rec_time = table_get (&t, 0, "recording time");
  tz_name = table_get (&t, 0, "recording timezone");
  platform = table_get (&t, 0, "platform");
  app = table_get (&t, 0, "appVersion");
  device_id = table_get (&t, 0, "device id");
  sensors = table_get (&t, 0, "sensors");
  rates = table_get (&t, 0, "sampleRateMs");
  standardisation = table_get (&t, 0, "standardisation");
  os_version = table_get (&t, 0, "platform version");

  set_if_empty (session, "device-model", device);
  set_if_empty (session, "device-serial", device_id);
  if (platform != NULL && g_ascii_strcasecmp (platform, "ios") == 0)
    set_if_empty (session, "device-vendor", "Apple");
  if (platform != NULL && *platform != '\0')
    {
      g_autofree char *fw = g_strdup_printf ("%s%s%s", platform, os_version != NULL && *os_version ? " " : "",
                                             os_version != NULL ? os_version : "");
      set_if_empty (session, "device-firmware", fw);
    }
  if (app != NULL && *app != '\0')
    {
      g_autofree char *note = g_strdup_printf (_("Recorded with Sensor Logger %s."), app);
      append_note (session, note);
    }

  /* The unit of the accelerations Sensor Logger passes on raw from Core
   * Motion (AccelerometerUncalibrated, WristMotion, Headphone): g on iOS
   * unless "Standardise Units & Frames" is on (it is off by default),
   * m/s² on Android. Accelerometer, Gravity and TotalAcceleration are
   * m/s² on both (awesome-sensor-logger UNITS.md; imu-csv-layout.c). */
  m->accel_unit = "m/s^2";
  if (platform != NULL && g_ascii_strcasecmp (platform, "ios") == 0
      && !(standardisation != NULL && (g_ascii_strcasecmp (standardisation, "true") == 0
                                       || g_str_equal (standardisation, "1"))))
    m->accel_unit = "g";

  if (epoch_ms != NULL && *epoch_ms != '\0')
    {
      gint64 ms;

      if (imu_csv_parse_scaled (epoch_ms, strlen (epoch_ms), 0, FALSE, &ms, NULL))
        {
          /* Older exports wrote seconds. */
          m->origin_ns = ms < G_GINT64_CONSTANT (100000000000) ? ms * IMU_NS_PER_S : ms * 1000000;
          m->has_origin = TRUE;
        }
    }
  if (tz_name != NULL && *tz_name != '\0' && m->has_origin)
    {
      g_autoptr(GTimeZone) tz = g_time_zone_new_identifier (tz_name);

      if (tz != NULL)
        {
          gint64 secs = m->origin_ns / IMU_NS_PER_S;
          int interval = g_time_zone_find_interval (tz, G_TIME_TYPE_UNIVERSAL, secs);

          if (interval >= 0)
            g_object_set (session, "tz-offset", (int) g_time_zone_get_offset (tz, interval), NULL);
        }
    }

  /* The title, unless the person importing chose one. */
  {
    g_autofree char *deflt = default_title (m->path);

    if (g_strcmp0 (imu_session_get_title (session), deflt) == 0 && rec_time != NULL && *rec_time != '\0')
      {
        /* "2026-06-07_17-33-05" → "2026-06-07 17:33:05" */
        g_autofree char *when = g_strdup (rec_time);
        g_autofree char *title = NULL;

        if (strlen (when) == 19 && when[10] == '_')
          {
            when[10] = ' ';
            when[13] = ':';
            when[16] = ':';
          }
        title = device != NULL && *device != '\0'
                ? g_strdup_printf (_("Sensor Logger %s, %s"), when, device)
                : g_strdup_printf (_("Sensor Logger %s"), when);
        imu_session_set_title (session, title);
      }
  }

  if (sensors != NULL && rates != NULL)
    {
      g_auto(GStrv) names = g_strsplit (sensors, "|", -1);
      g_auto(GStrv) values = g_strsplit (rates, "|", -1);
      guint n_values = g_strv_length (values);

      for (guint i = 0; names[i] != NULL; i++)
        {
          const char *v = n_values == 1 ? values[0] : i < n_values ? values[i] : NULL;
          double ms = v != NULL ? g_ascii_strtod (v, NULL) : 0;

          if (ms > 0)
            {
              double *rate = g_new (double, 1);
              *rate = 1000.0 / ms;
              g_hash_table_insert (m->rates, compact_name (names[i]), rate);
            }
        }
    }
  table_clear (&t);
}

/* Annotation.csv: time (ns), seconds_elapsed, text, millisecond_press_duration. */
static void
apply_sensorlogger_annotations (Multi *m, GBytes *content)
{
  Table t;

  if (!read_table (content, &t))
    {
      table_clear (&t);
      return;
    }
  for (guint r = 0; r < t.rows->len; r++)
    {
      const char *time = table_get (&t, r, "time");
      const char *elapsed = table_get (&t, r, "seconds_elapsed");
      const char *text = table_get (&t, r, "text");
      const char *press = table_get (&t, r, "millisecond_press_duration");
      gint64 t_ns, dur = 0;

      if (time != NULL && *time != '\0' && imu_csv_parse_scaled (time, strlen (time), 0, FALSE, &t_ns, NULL))
        ;
      else if (elapsed != NULL && m->has_origin
               && imu_csv_parse_scaled (elapsed, strlen (elapsed), 9, FALSE, &t_ns, NULL))
        t_ns += m->origin_ns;
      else
        continue;
      if (press != NULL && *press != '\0' && imu_csv_parse_scaled (press, strlen (press), 6, FALSE, &dur, NULL))
        dur = MAX (dur, 0);
      imu_session_builder_add_event (m->builder, t_ns, dur, "marker",
                                    text != NULL && *text != '\0' ? text : _("Annotation"), NULL);
    }
  table_clear (&t);
}

/* phyphox meta/time.csv: "event","experiment time","system time","system time text";
 * the START row ties experiment time to the system clock (unix s). */
static void
apply_phyphox_time (Multi *m, GBytes *content)
{
  ImuSession *session = imu_session_builder_get_session (m->builder);
  Table t;

  if (!read_table (content, &t))
    {
      table_clear (&t);
      return;
    }
  for (guint r = 0; r < t.rows->len; r++)
    {
      const char *event = table_get (&t, r, "event");
      const char *exp_time = table_get (&t, r, "experiment time");
      const char *sys_time = table_get (&t, r, "system time");
      const char *text = table_get (&t, r, "system time text");
      gint64 e_ns, s_ns;

      if (event == NULL || g_ascii_strcasecmp (event, "START") != 0 || exp_time == NULL || sys_time == NULL)
        continue;
      if (!imu_csv_parse_scaled (exp_time, strlen (exp_time), 9, FALSE, &e_ns, NULL)
          || !imu_csv_parse_scaled (sys_time, strlen (sys_time), 9, FALSE, &s_ns, NULL))
        continue;
      m->origin_ns = s_ns - e_ns;
      m->has_origin = TRUE;
      /* "2020-02-11 15:27:16.798 UTC+01:00" */
      if (text != NULL)
        {
          const char *utc = strstr (text, "UTC");
          int off;

          if (utc != NULL && imu_csv_parse_tz_offset (utc + 3, strlen (utc + 3), &off))
            g_object_set (session, "tz-offset", off, NULL);
        }
      break;
    }
  table_clear (&t);
}

/* phyphox meta/device.csv: "property","value" rows. */
static void
apply_phyphox_device (Multi *m, GBytes *content)
{
  ImuSession *session = imu_session_builder_get_session (m->builder);
  Table t;

  if (!read_table (content, &t))
    {
      table_clear (&t);
      return;
    }
  for (guint r = 0; r < t.rows->len; r++)
    {
      char **row = g_ptr_array_index (t.rows, r);

      if (row[0] == NULL || row[1] == NULL)
        continue;
      if (g_str_equal (row[0], "deviceModel"))
        set_if_empty (session, "device-model", row[1]);
      else if (g_str_equal (row[0], "deviceManufacturer") || g_str_equal (row[0], "deviceBrand"))
        set_if_empty (session, "device-vendor", row[1]);
      else if (g_str_equal (row[0], "version"))
        {
          g_autofree char *note = g_strdup_printf (_("Recorded with phyphox %s."), row[1]);
          append_note (session, note);
        }
    }
  table_clear (&t);
}

/* Empatica tags.csv: one unix time (s) per button press. */
static void
apply_empatica_tags (Multi *m, GBytes *content)
{
  gsize len;
  const char *text = g_bytes_get_data (content, &len);
  g_autofree char *copy = g_strndup (text, len);
  g_auto(GStrv) lines = g_strsplit (copy, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      gint64 t_ns;

      g_strstrip (lines[i]);
      if (*lines[i] != '\0' && imu_csv_parse_scaled (lines[i], strlen (lines[i]), 9, FALSE, &t_ns, NULL))
        imu_session_builder_add_event (m->builder, t_ns, 0, "marker", _("Button press"), NULL);
    }
}

static void
apply_metadata (Multi *m)
{
  /* phyphox's time first: it is the origin the others use. */
  for (guint pass = 0; pass < 2; pass++)
    for (guint i = 0; i < m->entries->len; i++)
      {
        Entry *e = g_ptr_array_index (m->entries, i);

        if (e->content == NULL)
          continue;
        if (pass == 0)
          {
            if (e->role == FILE_SL_METADATA)
              apply_sensorlogger_metadata (m, e->content);
            else if (e->role == FILE_PHYPHOX_TIME)
              apply_phyphox_time (m, e->content);
            continue;
          }
        switch (e->role)
          {
          case FILE_SL_ANNOTATION:
            apply_sensorlogger_annotations (m, e->content);
            break;
          case FILE_PHYPHOX_DEVICE:
            apply_phyphox_device (m, e->content);
            break;
          case FILE_EMPATICA_TAGS:
            apply_empatica_tags (m, e->content);
            break;
          case FILE_DATA:
          case FILE_SL_METADATA:
          case FILE_PHYPHOX_TIME:
          case FILE_IGNORED:
          default:
            break;
          }
      }
}

static void
detect_export (Multi *m)
{
  for (guint i = 0; i < m->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (m->entries, i);
      g_autofree char *lower = g_ascii_strdown (e->base, -1);

      if (e->role == FILE_SL_METADATA || e->role == FILE_SL_ANNOTATION)
        m->sensorlogger = TRUE;
      else if (e->role == FILE_PHYPHOX_TIME || e->role == FILE_PHYPHOX_DEVICE)
        m->phyphox = TRUE;
      else if (e->role == FILE_EMPATICA_TAGS || g_str_equal (lower, "acc.csv"))
        m->empatica = TRUE;
    }
}

/* ---- importing one data file ---- */

/* Stream names of one-sensor files: the file name without its extension,
 * lower case ("Accelerometer.csv" → "accelerometer"; Empatica's TEMP.csv
 * → "temp"). */
static char *
stream_hint_for (const char *base)
{
  g_autofree char *name = g_strdup (base);
  char *dot = strrchr (name, '.');

  if (dot != NULL && dot != name)
    *dot = '\0';
  return g_ascii_strdown (name, -1);
}

/* Whether an error means "this file holds no samples" rather than "this
 * import is broken": such files are skipped in a folder (Sensor Logger
 * writes a header-only CSV for a sensor that gave nothing). */
static gboolean
is_skippable (const GError *error)
{
  return error->domain == IMU_IMPORT_ERROR
         && (error->code == IMU_IMPORT_ERROR_EMPTY || error->code == IMU_IMPORT_ERROR_NO_DATA
             || error->code == IMU_IMPORT_ERROR_UNRECOGNIZED || error->code == IMU_IMPORT_ERROR_BAD_HEADER);
}

static gboolean
import_entry (Multi *m, Entry *e, const char *full_path, GInputStream *in, guint64 bytes_base, char *format,
              GError **first_skip, guint *n_imported, GError **error)
{
  g_autofree char *hint = stream_hint_for (e->base);
  g_autofree char *compact = compact_name (e->base);
  g_autoptr(GError) local_error = NULL;
  ImuImportHints hints = { 0 };
  ImuImportInput member = *m->input;
  /* Messages and notes name the member in UTF-8, whatever bytes the
   * archive or the file system gave its name. */
  g_autofree char *shown = g_utf8_make_valid (e->path, -1);
  double *rate;

  hints.stream_hint = hint;
  hints.progress_scale = m->progress_scale;
  if (m->sensorlogger)
    {
      hints.producer = "sensorlogger";
      hints.accel_unit = m->accel_unit;
    }
  else if (m->phyphox)
    hints.producer = "phyphox";
  if (m->has_origin)
    {
      hints.has_origin = TRUE;
      hints.origin_ns = m->origin_ns;
    }
  if ((rate = g_hash_table_lookup (m->rates, compact)) != NULL)
    hints.rate_hz = *rate;

  member.path = full_path;
  member.stream = in;
  member.name = shown;
  member.size = e->size;
  member.bytes_base = bytes_base;
  member.hints = &hints;
  member.is_member = TRUE;
  /* The member is looked up in the same registry as any file: a folder or
   * archive of any format that reads into a session works. */
  if (!e->importer->import (e->importer, m->builder, &member, &local_error))
    {
      if (is_skippable (local_error))
        {
          g_autofree char *note = g_strdup_printf (_("Not imported: %s"), local_error->message);

          g_debug ("%s", note);
          append_note (imu_session_builder_get_session (m->builder), note);
          if (*first_skip == NULL)
            *first_skip = g_steal_pointer (&local_error);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_strlcpy (format, hints.format, 32);
  (*n_imported)++;
  return TRUE;
}

/* Finishes and frees the writers of the member just read (see
 * imu_session_builder_close_streams()). */
static gboolean
import_member (Multi *m, Entry *e, const char *full_path, GInputStream *in, guint64 bytes_base, char *format,
               GError **first_skip, guint *n_imported, GError **error)
{
  return import_entry (m, e, full_path, in, bytes_base, format, first_skip, n_imported, error)
         && imu_session_builder_close_streams (m->builder, error);
}

/* ---- folders ---- */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static void
collect_folder (Multi *m, const char *root, const char *rel)
{
  g_autofree char *dir_path = rel != NULL ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GError) dir_error = NULL;
  g_autoptr(GDir) dir = g_dir_open (dir_path, 0, &dir_error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  if (dir == NULL)
    {
      /* A subfolder that cannot be read (its permissions) is left out, and
       * the session says so: its files are missing from the session. The
       * folder itself was readable, or detection would have failed. */
      if (rel != NULL)
        {
          g_autofree char *shown = g_utf8_make_valid (rel, -1);
          g_autofree char *note = g_strdup_printf (_("Not imported: %s/: the folder cannot be read: %s"),
                                                   shown, dir_error->message);

          append_note (imu_session_builder_get_session (m->builder), note);
        }
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      const char *n = g_ptr_array_index (names, i);
      g_autofree char *child_rel = rel != NULL ? g_strdup_printf ("%s/%s", rel, n) : g_strdup (n);
      g_autofree char *full = g_build_filename (root, child_rel, NULL);
      GStatBuf st;

      if (n[0] == '.')
        continue;
      if (g_file_test (full, G_FILE_TEST_IS_DIR))
        {
          if (!g_file_test (full, G_FILE_TEST_IS_SYMLINK))
            collect_folder (m, root, child_rel);
          continue;
        }
      if (g_stat (full, &st) != 0)
        continue;
      if (!S_ISREG (st.st_mode))
        {
          /* Opening a FIFO waits for a writer, forever; a device or a
           * socket is no recording. Skipped, and said so. */
          g_autofree char *shown = g_utf8_make_valid (child_rel, -1);
          g_autofree char *note = g_strdup_printf (_("Not imported: %s: not a regular file (a pipe, a device or a socket)"),
                                                   shown);

          append_note (imu_session_builder_get_session (m->builder), note);
          continue;
        }
      add_entry (m, child_rel, (guint64) st.st_size);
    }
}

static gboolean
import_folder (Multi *m, char *format, GError **first_skip, guint *n_imported, GError **error)
{
  GCancellable *cancellable = m->input->cancellable;
  guint64 base = 0;

  collect_folder (m, m->path, NULL);
  for (guint i = 0; i < m->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (m->entries, i);

      if (e->role != FILE_DATA && e->role != FILE_IGNORED && e->size <= MAX_META_BYTES)
        {
          g_autofree char *full = g_build_filename (m->path, e->path, NULL);
          char *text = NULL;
          gsize len = 0;

          if (g_file_get_contents (full, &text, &len, NULL))
            e->content = g_bytes_new_take (text, len);
        }
    }
  detect_export (m);
  apply_metadata (m);

  for (guint i = 0; i < m->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (m->entries, i);
      g_autofree char *full = NULL;
      g_autoptr(GFile) file = NULL;
      g_autoptr(GFileInputStream) in = NULL;
      g_autoptr(GInputStream) hashed = NULL;
      g_autoptr(GError) local_error = NULL;

      if (e->role != FILE_DATA)
        {
          base += e->size;
          continue;
        }
      full = g_build_filename (m->path, e->path, NULL);
      file = g_file_new_for_path (full);
      in = g_file_read (file, cancellable, &local_error);
      if (in == NULL)
        {
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"),
                       e->path, local_error->message);
          return FALSE;
        }
      /* The folder's checksum is of the bytes parsed: each file is hashed
       * as its importer reads it, and what it leaves unread after. */
      hashed = imu_hash_input_stream_new (G_INPUT_STREAM (in));
      if (!import_member (m, e, full, hashed, base, format, first_skip, n_imported, error))
        return FALSE;
      if (m->input->member_sha256 != NULL)
        {
          if (!imu_hash_input_stream_drain (IMU_HASH_INPUT_STREAM (hashed), cancellable, &local_error))
            {
              if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
                g_propagate_error (error, g_steal_pointer (&local_error));
              else
                g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read: %s"),
                             e->path, local_error->message);
              return FALSE;
            }
          g_hash_table_replace (m->input->member_sha256, g_strdup (e->path),
                                imu_hash_input_stream_dup_sha256 (IMU_HASH_INPUT_STREAM (hashed)));
        }
      base += e->size;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- archives ---- */

static struct archive *
open_archive (const char *path, GError **error)
{
  struct archive *a = archive_read_new ();

  archive_read_support_filter_all (a);
  archive_read_support_format_all (a);
  if (archive_read_open_filename (a, path, 64 * 1024) != ARCHIVE_OK)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("%s: not an archive IMU Studio can read: %s"), path,
                   archive_error_string (a) != NULL ? archive_error_string (a) : "");
      archive_read_free (a);
      return NULL;
    }
  return a;
}

static gboolean
archive_failed (struct archive *a, const char *path, GError **error)
{
  g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read the archive: %s"),
               path, archive_error_string (a) != NULL ? archive_error_string (a) : "");
  return FALSE;
}

static gint64
archive_limit (guint64 archive_bytes)
{
  if (archive_bytes >= (guint64) (ARCHIVE_MAX_BYTES - ARCHIVE_SLACK_BYTES) / ARCHIVE_MAX_RATIO)
    return ARCHIVE_MAX_BYTES;
  return MIN ((gint64) archive_bytes * ARCHIVE_MAX_RATIO + ARCHIVE_SLACK_BYTES, ARCHIVE_MAX_BYTES);
}

static gboolean
too_large (Multi *m, const char *entry, gint64 limit, GError **error)
{
  g_autofree char *shown = g_utf8_make_valid (entry, -1);

  g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_LARGE,
               _("%s: refused at %s: the archive decompresses to more than %" PRId64
                 " bytes, the most IMU Studio reads from an archive of this size (%d times its size plus %d MiB). "
                 "Unpack it and import the folder if it is genuine."),
               m->path, shown, (int64_t) limit, ARCHIVE_MAX_RATIO, (int) (ARCHIVE_SLACK_BYTES >> 20));
  return FALSE;
}

static gboolean
import_archive (Multi *m, char *format, GError **first_skip, guint *n_imported, GError **error)
{
  GCancellable *cancellable = m->input->cancellable;
  struct archive *a;
  struct archive_entry *ae;
  guint64 base = 0;
  guint index = 0;
  gint64 limit = archive_limit (m->input->total_bytes);
  gint64 inflated = 0;
  int r;

  /* Pass 1: the list, and the metadata files. */
  if ((a = open_archive (m->path, error)) == NULL)
    return FALSE;
  while ((r = archive_read_next_header (a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      const char *name = archive_entry_pathname (ae);
      Entry *e;

      if (name == NULL || archive_entry_filetype (ae) != AE_IFREG)
        {
          add_entry (m, "", 0);
          ((Entry *) g_ptr_array_index (m->entries, m->entries->len - 1))->role = FILE_IGNORED;
          continue;
        }
      add_entry (m, name, archive_entry_size_is_set (ae) ? (guint64) MAX (archive_entry_size (ae), 0) : 0);
      e = g_ptr_array_index (m->entries, m->entries->len - 1);
      m->total_uncompressed += e->size;
      /* The sizes the headers declare are checked before any data is
       * read: a zip's central directory says it all at once. */
      if (m->total_uncompressed > (guint64) limit)
        {
          too_large (m, name, limit, error);   /* before the entry's name is freed */
          archive_read_free (a);
          return FALSE;
        }
      if (e->role != FILE_DATA && e->role != FILE_IGNORED && e->size <= MAX_META_BYTES)
        {
          GByteArray *bytes = g_byte_array_new ();
          char chunk[16384];
          la_ssize_t n;

          while ((n = archive_read_data (a, chunk, sizeof chunk)) > 0 && bytes->len <= MAX_META_BYTES)
            g_byte_array_append (bytes, (const guint8 *) chunk, (guint) n);
          inflated += bytes->len;
          e->content = g_byte_array_free_to_bytes (bytes);
          if (n < 0)
            {
              archive_failed (a, m->path, error);
              archive_read_free (a);
              return FALSE;
            }
        }
    }
  if (r != ARCHIVE_EOF)
    {
      archive_failed (a, m->path, error);
      archive_read_free (a);
      return FALSE;
    }
  archive_read_free (a);

  detect_export (m);
  apply_metadata (m);
  if (m->total_uncompressed > 0)
    m->progress_scale = (double) m->input->total_bytes / (double) m->total_uncompressed;

  /* Pass 2: the data, entry by entry, streamed. */
  if ((a = open_archive (m->path, error)) == NULL)
    return FALSE;
  while ((r = archive_read_next_header (a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      Entry *e = index < m->entries->len ? g_ptr_array_index (m->entries, index) : NULL;
      g_autoptr(GInputStream) in = NULL;
      gboolean ok;

      index++;
      if (e == NULL || e->role != FILE_DATA)
        {
          if (e != NULL)
            base += (guint64) ((double) e->size * m->progress_scale);
          continue;
        }
      in = imu_archive_input_stream_new (a);
      /* What the headers declare may lie: the bytes actually inflated are
       * bounded too, across the whole archive. */
      imu_archive_input_stream_set_limit (IMU_ARCHIVE_INPUT_STREAM (in), MAX (limit - inflated, 0));
      ok = import_member (m, e, NULL, in, base, format, first_skip, n_imported, error);
      /* Whatever the importer made of the refused read (an error, or a
       * file skipped as unreadable), the archive is refused for its size. */
      if (imu_archive_input_stream_over_limit (IMU_ARCHIVE_INPUT_STREAM (in)))
        {
          archive_read_free (a);
          g_clear_error (error);
          return too_large (m, e->path, limit, error);
        }
      if (!ok)
        {
          archive_read_free (a);
          return FALSE;
        }
      inflated += imu_archive_input_stream_get_bytes (IMU_ARCHIVE_INPUT_STREAM (in));
      base += (guint64) ((double) e->size * m->progress_scale);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        {
          archive_read_free (a);
          return FALSE;
        }
    }
  if (r != ARCHIVE_EOF)
    {
      archive_failed (a, m->path, error);
      archive_read_free (a);
      return FALSE;
    }
  archive_read_free (a);
  return TRUE;
}

gboolean
imu_import_multi (ImuSessionBuilder  *builder,
                  ImuImportInput     *input,
                  gboolean            is_archive,
                  GError            **error)
{
  const char *path = input->path;
  Multi m = { 0 };
  g_autoptr(GError) first_skip = NULL;
  char format[32] = "";
  guint n_imported = 0;
  gboolean ok;

  g_return_val_if_fail (IMU_IS_SESSION_BUILDER (builder), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  m.builder = builder;
  m.input = input;
  m.path = path;
  m.entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  m.rates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m.accel_unit = NULL;
  m.progress_scale = 1.0;

  ok = is_archive ? import_archive (&m, format, &first_skip, &n_imported, error)
                  : import_folder (&m, format, &first_skip, &n_imported, error);
  if (ok && n_imported == 0)
    {
      if (first_skip != NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&first_skip),
                                      _("%s: no file in it could be imported; the first: "), path);
        }
      else
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                     _("%s: it holds no CSV or TSV data files."), path);
      ok = FALSE;
    }
  if (ok)
    {
      if (m.sensorlogger)
        imu_session_builder_set_format (builder, "sensorlogger");
      else if (m.phyphox)
        imu_session_builder_set_format (builder, "phyphox");
      else if (m.empatica && g_str_equal (format, "empatica-e4"))
        imu_session_builder_set_format (builder, "empatica-e4");
      else if (*format != '\0')
        imu_session_builder_set_format (builder, format);
    }
  g_ptr_array_unref (m.entries);
  g_hash_table_unref (m.rates);
  return ok;
}

/* ---- a lab's folder of device files: one session per file, in parallel ----
 *
 * SQLite lets one connection write at a time, and an import holds its
 * write transaction from its first chunk to its audit row: imports on
 * several connections to one library would take turns, the parsing
 * included. So each worker imports its file into a scratch library of its
 * own (parsing, encoding, LOD and statistics all happen there, in
 * parallel), and the calling thread — the only writer of the library —
 * copies each finished session over in one transaction: rows and chunk
 * blobs as they are, which costs a fraction of the parse. Scratch
 * libraries live in a temporary folder and are deleted as soon as they
 * are copied. */

/* How often progress is reported, in microseconds. */
#define FILES_PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

typedef struct {
  guint            index;
  char            *scratch_path;
  ImuImportResult *result;       /* the session in the scratch library */
  GError          *error;
  gint64           duplicate_of;
} FileJob;

typedef struct {
  GPtrArray              *paths;
  const ImuImportOptions *options;
  GCancellable           *cancellable;
  char                   *scratch_dir;
  GAsyncQueue            *done;         /* FileJob* */
  gint                    next;         /* atomic: the next file to take */
  gint                    workers;      /* atomic: workers still running */
  GMutex                  lock;         /* the progress below */
  guint64                *bytes_done;
  guint64                *bytes_total;
  gboolean               *running;
} Files;

typedef struct {
  Files *files;
  guint  index;
} FileProgress;

static void
file_job_free (FileJob *job)
{
  if (job->scratch_path != NULL)
    {
      g_autofree char *wal = g_strconcat (job->scratch_path, "-wal", NULL);
      g_autofree char *shm = g_strconcat (job->scratch_path, "-shm", NULL);

      g_unlink (job->scratch_path);
      g_unlink (wal);
      g_unlink (shm);
      g_free (job->scratch_path);
    }
  g_clear_pointer (&job->result, imu_import_result_free);
  g_clear_error (&job->error);
  g_free (job);
}

static void
file_progress_cb (guint64 done, guint64 total, gpointer data)
{
  FileProgress *p = data;

  g_mutex_lock (&p->files->lock);
  p->files->bytes_done[p->index] = done;
  p->files->bytes_total[p->index] = total;
  g_mutex_unlock (&p->files->lock);
}

static ImuImportOptions
file_options (const ImuImportOptions *options)
{
  ImuImportOptions one = { 0 };

  if (options != NULL)
    one = *options;
  /* One title per file (its name), whatever a batch's title says. */
  one.title = NULL;
  return one;
}

static gpointer
files_worker (gpointer data)
{
  Files *f = data;
  ImuImportOptions one = file_options (f->options);

  for (;;)
    {
      guint i = (guint) g_atomic_int_add (&f->next, 1);
      FileJob *job;
      g_autoptr(ImuStore) scratch = NULL;
      g_autofree char *name = NULL;
      FileProgress progress = { f, i };

      if (i >= f->paths->len || g_cancellable_is_cancelled (f->cancellable))
        break;
      job = g_new0 (FileJob, 1);
      job->index = i;
      name = g_strdup_printf ("%u.db", i);
      job->scratch_path = g_build_filename (f->scratch_dir, name, NULL);
      g_mutex_lock (&f->lock);
      f->running[i] = TRUE;
      g_mutex_unlock (&f->lock);
      if ((scratch = imu_store_open (job->scratch_path, &job->error)) != NULL)
        job->result = imu_import_path (scratch, g_ptr_array_index (f->paths, i), &one,
                                       file_progress_cb, &progress, &job->duplicate_of,
                                       f->cancellable, &job->error);
      /* The scratch connection is closed before the writer attaches it. */
      g_clear_object (&scratch);
      g_async_queue_push (f->done, job);
    }
  g_atomic_int_dec_and_test (&f->workers);
  return NULL;
}

/* The columns @table has in the library, but @skip, as "a, b, c". */
static char *
merge_columns (sqlite3 *db, const char *table, const char *skip_a, const char *skip_b, gboolean *has_id)
{
  g_autoptr(GString) cols = g_string_new (NULL);
  char *sql = sqlite3_mprintf ("PRAGMA main.table_info(%Q)", table);
  sqlite3_stmt *stmt = NULL;

  *has_id = FALSE;
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK)
    while (sqlite3_step (stmt) == SQLITE_ROW)
      {
        const char *name = (const char *) sqlite3_column_text (stmt, 1);
        const char *type = (const char *) sqlite3_column_text (stmt, 2);

        /* An INTEGER PRIMARY KEY is the rowid: the copy gets a new one. */
        if (g_strcmp0 (name, "id") == 0 && sqlite3_column_int (stmt, 5) == 1
            && type != NULL && g_ascii_strcasecmp (type, "INTEGER") == 0)
          {
            *has_id = TRUE;
            continue;
          }
        if (g_strcmp0 (name, skip_a) == 0 || g_strcmp0 (name, skip_b) == 0)
          continue;
        g_string_append_printf (cols, "%s\"%s\"", cols->len > 0 ? ", " : "", name);
      }
  sqlite3_finalize (stmt);
  sqlite3_free (sql);
  return g_string_free (g_steal_pointer (&cols), FALSE);
}

/* Runs one statement of @sql with up to two int64 parameters (0: NULL
 * for the first); returns the last insert rowid through @rowid. */
static gboolean
merge_exec (ImuStore *store, const char *sql, gint64 a, gint64 b, gint64 *rowid, GError **error)
{
  sqlite3 *db = imu_store_get_db (store);
  sqlite3_stmt *stmt = NULL;
  int rc;

  if ((rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL)) != SQLITE_OK)
    return imu_store_fail (store, rc, "copying a session", error);
  if (sqlite3_bind_parameter_count (stmt) >= 1)
    {
      if (a != 0)
        sqlite3_bind_int64 (stmt, 1, a);
      else
        sqlite3_bind_null (stmt, 1);
    }
  if (sqlite3_bind_parameter_count (stmt) >= 2)
    sqlite3_bind_int64 (stmt, 2, b);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ;
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "copying a session", error);
  if (rowid != NULL)
    *rowid = sqlite3_last_insert_rowid (db);
  return TRUE;
}

/* Copies the rows of @table that refer to the scratch row @old through
 * @column, referring to @new_id instead. */
static gboolean
merge_table (ImuStore *store, const char *table, const char *column, gint64 old, gint64 new_id,
             gboolean with_null, GError **error)
{
  gboolean has_id;
  g_autofree char *cols = merge_columns (imu_store_get_db (store), table, column, NULL, &has_id);
  g_autofree char *or_null = with_null ? g_strdup_printf (" OR \"%s\" IS NULL", column) : g_strdup ("");
  char *sql;
  gboolean ok;

  if (*cols == '\0')
    return TRUE;
  /* The audit table's rows of a scratch library are all this import's. */
  sql = sqlite3_mprintf ("INSERT INTO main.\"%w\" (\"%w\", %s) SELECT ?1, %s FROM scratch.\"%w\" "
                         "WHERE \"%w\" = ?2%s",
                         table, column, cols, cols, table, column,
                         or_null);
  ok = merge_exec (store, sql, new_id, old, NULL, error);
  sqlite3_free (sql);
  return ok;
}

/* The scratch tables that refer to sessions or streams, by which column. */
static GPtrArray *
merge_referrers (sqlite3 *db, const char *parent)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *tables = NULL;

  if (sqlite3_prepare_v2 (db, "SELECT name FROM scratch.sqlite_master WHERE type = 'table' "
                          "AND name NOT LIKE 'sqlite_%' ORDER BY name", -1, &tables, NULL) != SQLITE_OK)
    return out;
  while (sqlite3_step (tables) == SQLITE_ROW)
    {
      const char *table = (const char *) sqlite3_column_text (tables, 0);
      char *sql = sqlite3_mprintf ("PRAGMA scratch.foreign_key_list(%Q)", table);
      sqlite3_stmt *fks = NULL;

      if (sqlite3_prepare_v2 (db, sql, -1, &fks, NULL) == SQLITE_OK)
        while (sqlite3_step (fks) == SQLITE_ROW)
          if (g_strcmp0 ((const char *) sqlite3_column_text (fks, 2), parent) == 0)
            {
              /* table, then column */
              g_ptr_array_add (out, g_strdup (table));
              g_ptr_array_add (out, g_strdup ((const char *) sqlite3_column_text (fks, 3)));
            }
      sqlite3_finalize (fks);
      sqlite3_free (sql);
    }
  sqlite3_finalize (tables);
  return out;
}

static gint64
merge_query_int (sqlite3 *db, const char *sql, gint64 param, gboolean *found)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value = 0;

  *found = FALSE;
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_int64 (stmt, 1, param);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      value = sqlite3_column_int64 (stmt, 0);
      *found = TRUE;
    }
  sqlite3_finalize (stmt);
  return value;
}

/* The rows of the session (or, for a failure, of the audit row alone)
 * of the attached scratch library, inside the caller's transaction. */
static gboolean
merge_rows (ImuStore *store, gint64 old_session, gint64 *new_session, GError **error)
{
  sqlite3 *db = imu_store_get_db (store);
  g_autoptr(GPtrArray) by_session = merge_referrers (db, "sessions");
  g_autoptr(GPtrArray) by_stream = merge_referrers (db, "streams");
  g_autoptr(GArray) old_streams = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean has_id, found;
  gint64 device = 0, sid = 0;
  sqlite3_stmt *stmt = NULL;
  char *sql;
  gboolean ok;

  if (old_session <= 0)
    {
      /* A failure: only its audit row (imports, with no session). */
      g_autofree char *cols = merge_columns (db, "imports", NULL, NULL, &has_id);

      sql = sqlite3_mprintf ("INSERT INTO main.imports (%s) SELECT %s FROM scratch.imports", cols, cols);
      ok = merge_exec (store, sql, 0, 0, NULL, error);
      sqlite3_free (sql);
      return ok;
    }

  /* The device: the library's row of the same identity, or a new one. */
  device = merge_query_int (db, "SELECT device_id FROM scratch.sessions WHERE id = ?1", old_session, &found);
  if (found)
    {
      g_autofree char *cols = merge_columns (db, "devices", NULL, NULL, &has_id);
      gint64 old_device = device;

      sql = sqlite3_mprintf ("INSERT OR IGNORE INTO main.devices (%s) SELECT %s FROM scratch.devices WHERE id = ?2",
                             cols, cols);
      ok = merge_exec (store, sql, 0, old_device, NULL, error);
      sqlite3_free (sql);
      if (!ok)
        return FALSE;
      device = merge_query_int (db, "SELECT m.id FROM main.devices m JOIN scratch.devices s "
                                "ON m.vendor = s.vendor AND m.model = s.model AND m.serial = s.serial "
                                "AND m.firmware = s.firmware WHERE s.id = ?1", old_device, &found);
    }

  /* The session, with a new id and the library's device. */
  {
    g_autofree char *cols = merge_columns (db, "sessions", "device_id", NULL, &has_id);

    sql = sqlite3_mprintf ("INSERT INTO main.sessions (device_id, %s) SELECT ?1, %s FROM scratch.sessions WHERE id = ?2",
                           cols, cols);
    ok = merge_exec (store, sql, device, old_session, &sid, error);
    sqlite3_free (sql);
    if (!ok)
      return FALSE;
  }

  /* Its streams, each with a new id, and what refers to them. */
  if (sqlite3_prepare_v2 (db, "SELECT id FROM scratch.streams WHERE session_id = ?1 ORDER BY id", -1, &stmt, NULL)
      == SQLITE_OK)
    {
      sqlite3_bind_int64 (stmt, 1, old_session);
      while (sqlite3_step (stmt) == SQLITE_ROW)
        {
          gint64 id = sqlite3_column_int64 (stmt, 0);
          g_array_append_val (old_streams, id);
        }
    }
  sqlite3_finalize (stmt);
  for (guint i = 0; i < old_streams->len; i++)
    {
      gint64 old_stream = g_array_index (old_streams, gint64, i), new_stream = 0;
      g_autofree char *cols = merge_columns (db, "streams", "session_id", NULL, &has_id);

      sql = sqlite3_mprintf ("INSERT INTO main.streams (session_id, %s) SELECT ?1, %s FROM scratch.streams WHERE id = ?2",
                             cols, cols);
      ok = merge_exec (store, sql, sid, old_stream, &new_stream, error);
      sqlite3_free (sql);
      if (!ok)
        return FALSE;
      for (guint t = 0; t + 1 < by_stream->len; t += 2)
        if (!merge_table (store, g_ptr_array_index (by_stream, t), g_ptr_array_index (by_stream, t + 1),
                          old_stream, new_stream, FALSE, error))
          return FALSE;
    }

  /* Events, the audit row, a profile: whatever refers to the session. */
  for (guint t = 0; t + 1 < by_session->len; t += 2)
    {
      const char *table = g_ptr_array_index (by_session, t);

      if (g_str_equal (table, "streams"))
        continue;
      if (!merge_table (store, table, g_ptr_array_index (by_session, t + 1), old_session, sid,
                        g_str_equal (table, "imports"), error))
        return FALSE;
    }
  *new_session = sid;
  return TRUE;
}

/* Copies a worker's scratch session into the library in one transaction,
 * unless its bytes are in the library already (*duplicate_of). */
static gboolean
merge_job (ImuStore *store, const Files *f, FileJob *job, gint64 *duplicate_of, GError **error)
{
  sqlite3 *db = imu_store_get_db (store);
  char *sql;
  gboolean ok;
  gint64 new_session = 0;
  gboolean allow_duplicate = f->options != NULL && f->options->allow_duplicate;

  *duplicate_of = 0;
  imu_store_end_reads (store);
  sql = sqlite3_mprintf ("ATTACH DATABASE %Q AS scratch", job->scratch_path);
  ok = imu_store_exec (store, sql, error);
  sqlite3_free (sql);
  if (!ok)
    return FALSE;
  if ((ok = imu_store_begin (store, error)))
    {
      if (job->result != NULL && job->result->sha256 != NULL && !allow_duplicate)
        {
          g_autoptr(GError) local_error = NULL;

          *duplicate_of = imu_store_find_session_by_sha256 (store, job->result->sha256, &local_error);
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              ok = FALSE;
            }
        }
      if (ok && *duplicate_of == 0)
        ok = merge_rows (store, job->result != NULL ? job->result->session_id : 0, &new_session, error);
      if (ok && *duplicate_of == 0)
        ok = imu_store_commit (store, error);
      else
        imu_store_rollback (store);
    }
  imu_store_end_reads (store);
  sqlite3_exec (db, "DETACH DATABASE scratch", NULL, NULL, NULL);
  if (ok && job->result != NULL && *duplicate_of == 0)
    job->result->session_id = new_session;
  return ok;
}

static void
files_report (ImuImportFileFunc func, gpointer data, guint index, const char *path, ImuImportFileState state,
              const ImuImportResult *result, gint64 session_id, const GError *error)
{
  ImuImportFileReport r = { index, path, state, 0, 0, result, session_id, error };

  if (func != NULL)
    func (&r, data);
}

/* Reports a finished job, after copying it over. */
static void
files_finish_job (ImuStore *store, Files *f, FileJob *job, ImuImportFileFunc func, gpointer data)
{
  const char *path = g_ptr_array_index (f->paths, job->index);
  g_autoptr(GError) merge_error = NULL;
  gint64 duplicate_of = 0;

  if (g_cancellable_is_cancelled (f->cancellable)
      || g_error_matches (job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      files_report (func, data, job->index, path, IMU_IMPORT_FILE_CANCELLED, NULL, 0, NULL);
      return;
    }
  if (job->result == NULL && g_error_matches (job->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE))
    {
      /* A scratch library holds nothing: this cannot be, but say it. */
      files_report (func, data, job->index, path, IMU_IMPORT_FILE_DUPLICATE, NULL, job->duplicate_of, job->error);
      return;
    }
  /* A failure keeps its audit row in the library, as imu_import_path()
   * leaves one; a scratch library that could not even be made has none. */
  if (job->result == NULL && g_file_test (job->scratch_path, G_FILE_TEST_EXISTS))
    merge_job (store, f, job, &duplicate_of, NULL);
  if (job->result == NULL)
    {
      files_report (func, data, job->index, path, IMU_IMPORT_FILE_FAILED, NULL, 0, job->error);
      return;
    }
  if (!merge_job (store, f, job, &duplicate_of, &merge_error))
    {
      g_prefix_error (&merge_error, "%s: ", path);
      files_report (func, data, job->index, path, IMU_IMPORT_FILE_FAILED, NULL, 0, merge_error);
      return;
    }
  if (duplicate_of > 0)
    {
      g_autoptr(ImuSession) other = imu_store_load_session (store, duplicate_of, NULL);
      g_autoptr(GError) dup_error =
        g_error_new (IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE,
                     _("%s is already in the library as session %" PRId64 " “%s” (%s)"),
                     path, duplicate_of, other != NULL ? imu_session_get_title (other) : "",
                     other != NULL ? imu_session_get_uuid (other) : "");

      files_report (func, data, job->index, path, IMU_IMPORT_FILE_DUPLICATE, NULL, duplicate_of, dup_error);
      return;
    }
  files_report (func, data, job->index, path, IMU_IMPORT_FILE_IMPORTED, job->result, job->result->session_id, NULL);
}

typedef struct {
  ImuImportFileFunc func;
  gpointer          data;
  guint             index;
  const char       *path;
  gint64            last_us;
} DirectProgress;

static void
direct_progress_cb (guint64 done, guint64 total, gpointer data)
{
  DirectProgress *p = data;
  gint64 now = g_get_monotonic_time ();
  ImuImportFileReport r = { p->index, p->path, IMU_IMPORT_FILE_PROGRESS, done, total, NULL, 0, NULL };

  if (now - p->last_us < FILES_PROGRESS_INTERVAL_US && done < total)
    return;
  p->last_us = now;
  if (p->func != NULL)
    p->func (&r, p->data);
}

/* One job: each file straight into the library, on this connection. */
static gboolean
import_files_direct (ImuStore *store, GPtrArray *paths, const ImuImportOptions *options,
                     ImuImportFileFunc func, gpointer data, GCancellable *cancellable, GError **error)
{
  ImuImportOptions one = file_options (options);

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);
      g_autoptr(ImuImportResult) result = NULL;
      g_autoptr(GError) local_error = NULL;
      DirectProgress progress = { func, data, i, path, 0 };
      gint64 duplicate_of = 0;

      if (g_cancellable_is_cancelled (cancellable))
        {
          files_report (func, data, i, path, IMU_IMPORT_FILE_CANCELLED, NULL, 0, NULL);
          continue;
        }
      result = imu_import_path (store, path, &one, direct_progress_cb, &progress, &duplicate_of,
                                cancellable, &local_error);
      if (result != NULL)
        files_report (func, data, i, path, IMU_IMPORT_FILE_IMPORTED, result, result->session_id, NULL);
      else if (g_cancellable_is_cancelled (cancellable)
               || g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        files_report (func, data, i, path, IMU_IMPORT_FILE_CANCELLED, NULL, 0, NULL);
      else if (g_error_matches (local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE))
        files_report (func, data, i, path, IMU_IMPORT_FILE_DUPLICATE, NULL, duplicate_of, local_error);
      else
        files_report (func, data, i, path, IMU_IMPORT_FILE_FAILED, NULL, 0, local_error);
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

guint
imu_import_default_jobs (void)
{
  return MAX (1, g_get_num_processors ());
}

gboolean
imu_import_files (ImuStore               *store,
                  GPtrArray              *paths,
                  const ImuImportOptions *options,
                  guint                   n_jobs,
                  ImuImportFileFunc       report,
                  gpointer                report_data,
                  GCancellable           *cancellable,
                  GError                **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) threads = NULL;
  g_autofree gboolean *reported = NULL;
  g_autofree FileJob **pending = NULL;
  Files f = { 0 };
  guint n_reported = 0, next_merge = 0;
  gint64 last_progress = 0;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (paths != NULL, FALSE);

  if (n_jobs == 0)
    n_jobs = imu_import_default_jobs ();
  n_jobs = MIN (n_jobs, MAX (paths->len, 1));
  if (n_jobs <= 1)
    return import_files_direct (store, paths, options, report, report_data, cancellable, error);

  if (!(f.scratch_dir = g_dir_make_tmp ("imu-import-XXXXXX", &local_error)))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_FAILED,
                   _("No folder for the files being imported: %s"), local_error->message);
      return FALSE;
    }
  f.paths = paths;
  f.options = options;
  f.cancellable = cancellable;
  f.done = g_async_queue_new ();
  f.bytes_done = g_new0 (guint64, paths->len);
  f.bytes_total = g_new0 (guint64, paths->len);
  f.running = g_new0 (gboolean, paths->len);
  g_mutex_init (&f.lock);
  reported = g_new0 (gboolean, paths->len);
  pending = g_new0 (FileJob *, paths->len);

  threads = g_ptr_array_new ();
  f.workers = (gint) n_jobs;
  for (guint i = 0; i < n_jobs; i++)
    g_ptr_array_add (threads, g_thread_new ("imu-import-file", files_worker, &f));

  /* This thread writes: the finished files in the order of @paths, so
   * that session ids follow it, whichever worker is done first. */
  while (n_reported < paths->len)
    {
      FileJob *job = g_async_queue_timeout_pop (f.done, FILES_PROGRESS_INTERVAL_US);
      gint64 now = g_get_monotonic_time ();

      if (job != NULL)
        {
          g_mutex_lock (&f.lock);
          f.running[job->index] = FALSE;
          g_mutex_unlock (&f.lock);
          pending[job->index] = job;
          while (next_merge < paths->len && pending[next_merge] != NULL)
            {
              files_finish_job (store, &f, pending[next_merge], report, report_data);
              g_clear_pointer (&pending[next_merge], file_job_free);
              reported[next_merge++] = TRUE;
              n_reported++;
            }
        }
      else if (g_atomic_int_get (&f.workers) == 0 && g_async_queue_length (f.done) <= 0)
        break;   /* every worker has stopped (a cancel) and its last job is in */
      if (report != NULL && now - last_progress >= FILES_PROGRESS_INTERVAL_US)
        {
          last_progress = now;
          for (guint i = 0; i < paths->len; i++)
            {
              ImuImportFileReport r = { i, g_ptr_array_index (paths, i), IMU_IMPORT_FILE_PROGRESS, 0, 0, NULL, 0, NULL };
              gboolean running;

              g_mutex_lock (&f.lock);
              running = f.running[i];
              r.done = f.bytes_done[i];
              r.total = f.bytes_total[i];
              g_mutex_unlock (&f.lock);
              if (running && r.total > 0)
                report (&r, report_data);
            }
        }
    }

  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));
  /* After a cancel: the files done out of turn, then those no worker took. */
  {
    FileJob *job;

    while ((job = g_async_queue_try_pop (f.done)) != NULL)
      pending[job->index] = job;
    for (guint i = 0; i < paths->len; i++)
      if (pending[i] != NULL)
        {
          if (!reported[i])
            files_finish_job (store, &f, pending[i], report, report_data);
          reported[i] = TRUE;
          g_clear_pointer (&pending[i], file_job_free);
        }
  }
  for (guint i = 0; i < paths->len; i++)
    if (!reported[i])
      files_report (report, report_data, i, g_ptr_array_index (paths, i), IMU_IMPORT_FILE_CANCELLED, NULL, 0, NULL);

  g_rmdir (f.scratch_dir);
  g_free (f.scratch_dir);
  g_async_queue_unref (f.done);
  g_free (f.bytes_done);
  g_free (f.bytes_total);
  g_free (f.running);
  g_mutex_clear (&f.lock);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}
