/* imu-importer-gt3x.c — the registry row of ActiGraph GT3X device files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A .gt3x file is a zip of info.txt (device, rate, scale, dates, subject)
 * and log.bin (the records: docs/import.md, "ActiGraph GT3X"). The zip is
 * read twice with libarchive, as imu-import-multi.c reads archives: first
 * info.txt (which ActiLife writes after log.bin), then log.bin streamed
 * through the decoder of imu-gt3x.c, so memory stays flat whatever the
 * recording's length.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>

#include "imu-device-clock.h"
#include "imu-gt3x.h"
#include "imu-import-private.h"
#include "imu-json.h"
#include "imu-time.h"

/* info.txt is a few hundred bytes; more is not an info.txt. */
#define MAX_INFO_BYTES (256 * 1024)
/* A METADATA record is read as JSON up to this size. */
#define MAX_METADATA_BYTES (64 * 1024)
/* Entries looked at by the sniff: log.bin and info.txt come first. */
#define SNIFF_MAX_ENTRIES 32
/* log.bin may inflate to this many times the file's size plus 64 MiB
 * (as archives do, imu-import-multi.c); records deflate far less. */
#define LOG_MAX_RATIO 200
#define LOG_SLACK_BYTES (G_GINT64_CONSTANT (64) << 20)
#define READ_CHUNK (64 * 1024)

static gboolean
is_zip (const ImuImportProbe *probe)
{
  return probe->len >= 4 && memcmp (probe->head, "PK\003\004", 4) == 0;
}

static struct archive *
open_zip (const char *path)
{
  struct archive *a = archive_read_new ();

  archive_read_support_format_zip (a);
  if (archive_read_open_filename (a, path, READ_CHUNK) != ARCHIVE_OK)
    {
      archive_read_free (a);
      return NULL;
    }
  return a;
}

/* Whether the zip at @path lists a log.bin (or the older activity.bin)
 * and an info.txt among its first entries. */
static gboolean
lists_gt3x_members (const char *path)
{
  struct archive *a = open_zip (path);
  struct archive_entry *ae;
  gboolean log = FALSE, info = FALSE;

  if (a == NULL)
    return FALSE;
  for (guint i = 0; i < SNIFF_MAX_ENTRIES && !(log && info); i++)
    {
      int r = archive_read_next_header (a, &ae);
      const char *name;

      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        break;
      if ((name = archive_entry_pathname (ae)) == NULL)
        continue;
      log = log || g_str_equal (name, "log.bin") || g_str_equal (name, "activity.bin");
      info = info || g_str_equal (name, "info.txt");
    }
  archive_read_free (a);
  return log && info;
}

static guint
gt3x_sniff (const ImuImportProbe *probe)
{
  /* A zip named .gt3x, or any zip on disk that holds log.bin and
   * info.txt: that is a GT3X file, not an archive of files to read. */
  if (!is_zip (probe))
    return IMU_IMPORTER_SCORE_NONE;
  if (probe->name != NULL && imu_importer_matches_name (&imu_importer_gt3x, probe->name))
    return IMU_IMPORTER_SCORE_MAGIC;
  if (probe->path != NULL && lists_gt3x_members (probe->path))
    return IMU_IMPORTER_SCORE_MAGIC;
  return IMU_IMPORTER_SCORE_NONE;
}

/* ---- one import ---- */

typedef struct {
  ImuSessionBuilder  *builder;
  ImuImportInput     *input;
  const char         *where;
  const char         *option_zone;
  char               *file_zone;      /* as the device clock reads it */
  gboolean            file_says_utc;  /* a LocalTimeLog metadata with UsedUtc */
  ImuDeviceClock     *clock;
  double              range_min, range_max;
  ImuGt3xDecoder     *decoder;
  ImuStreamWriter    *accel;
  ImuStreamWriter    *light;
  ImuStreamWriter    *battery;
  ImuStreamWriter    *capsense;
  GString            *metadata_notes;
  /* The NHANES layout. */
  gboolean            nhanes;
  double              nhanes_rate;
  double              nhanes_lux_scale;
  double              nhanes_lux_max;
  gint64              nhanes_start_ns;   /* of the device's clock */
  gint64              nhanes_k;          /* samples (or lux seconds) so far */
  GByteArray         *pending;           /* bytes of a sample pair not yet whole */
  GPtrArray          *sensors;           /* SensorStreams of the GT9X Link's IMU */
} Gt3x;

/* The streams of one SENSOR_SCHEMA: its labelled columns grouped by the
 * sensor their label names. */
enum { SENSOR_ACCEL, SENSOR_GYRO, SENSOR_MAG, SENSOR_TEMP, SENSOR_OTHER, N_SENSOR_KINDS };

typedef struct {
  guint            id;
  char            *signature;             /* the labels, to see a redefinition */
  ImuStreamWriter *writer[N_SENSOR_KINDS];
  guint            n[N_SENSOR_KINDS];
  guint            index[N_SENSOR_KINDS][IMU_GT3X_MAX_SENSOR_COLUMNS];  /* into the values */
} SensorStreams;

static void
sensor_streams_free (gpointer data)
{
  SensorStreams *ss = data;

  g_free (ss->signature);
  g_free (ss);
}

static ImuDeviceClock *
clock_of (Gt3x *g)
{
  if (g->clock == NULL)
    {
      /* The option zone was checked before anything was read. */
      g->clock = imu_device_clock_new (g->option_zone, g->file_says_utc ? "UTC" : g->file_zone, NULL);
      g_assert (g->clock != NULL);
    }
  return g->clock;
}

static gint64
to_utc (Gt3x *g, gint64 local_ns)
{
  return imu_device_clock_to_utc (clock_of (g), local_ns);
}

/* A stream, created at its first sample (@t_local_ns): the device clock's
 * offset is fixed by then, and a record kind the file lacks gets none. */
static ImuStreamWriter *
add_stream (Gt3x *g, gint64 t_local_ns, const char *name, const char *kind, double rate, guint n,
            const char *const *channels, const char *unit, const char *channel_kind,
            double range_min, double range_max, GError **error)
{
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new (name, n);

  (void) to_utc (g, t_local_ns);
  g_free (info->kind);
  info->kind = g_strdup (kind);
  info->nominal_rate_hz = rate;
  for (guint c = 0; c < n; c++)
    {
      imu_stream_info_set_channel (info, c, channels[c], unit, channel_kind);
      info->channels[c].range_min = range_min;
      info->channels[c].range_max = range_max;
    }
  /* Times come from the record's second and the rate; an export writes
   * them on the device's clock, with as many decimals as they need. */
  info->time_format.kind = IMU_TIME_ISO8601;
  info->time_format.decimals = 3;
  info->time_format.tz_offset_s = imu_device_clock_get_offset (clock_of (g));
  return imu_session_builder_add_stream (g->builder, info, error);
}

static const char *const accel_channels[] = { "x", "y", "z" };

static double
accel_rate (Gt3x *g)
{
  return g->nhanes ? g->nhanes_rate : imu_gt3x_decoder_get_sample_rate (g->decoder);
}

static gboolean
accel_cb (gpointer user_data, gint64 t_local_ns, const double *xyz, gboolean filled, GError **error)
{
  Gt3x *g = user_data;

  if (g->accel == NULL
      && !(g->accel = add_stream (g, t_local_ns, "accelerometer", "accel", accel_rate (g), 3, accel_channels, "g", "accel",
                                  g->range_min, g->range_max, error)))
    return FALSE;
  return imu_stream_writer_append (g->accel, to_utc (g, t_local_ns), xyz, error);
}

static void
idle_sleep_cb (gpointer user_data, gint64 t_local_ns, gint64 duration_ns, gint64 n_samples)
{
  Gt3x *g = user_data;
  g_autofree char *payload = g_strdup_printf ("{\"filled_samples\":%" G_GINT64_FORMAT "}", n_samples);

  imu_session_builder_add_event (g->builder, to_utc (g, t_local_ns), duration_ns, "idle-sleep",
                                 _("Idle sleep"), payload);
}

static void
usb_cb (gpointer user_data, gint64 t_local_ns)
{
  Gt3x *g = user_data;

  imu_session_builder_add_event (g->builder, to_utc (g, t_local_ns), 0, "device", _("USB connection"), NULL);
}

static gboolean
device_value (Gt3x *g, ImuStreamWriter **writer, const char *name, guint n, const char *const *channels,
              const char *unit, gint64 t_local_ns, const double *values, GError **error)
{
  /* The accelerometer is the session's first stream, even when a light
   * record comes before the first activity record. */
  if (*writer == NULL && g->accel == NULL && imu_gt3x_decoder_get_sample_rate (g->decoder) > 0
      && imu_gt3x_decoder_get_accel_scale (g->decoder) > 0
      && !(g->accel = add_stream (g, t_local_ns, "accelerometer", "accel", accel_rate (g), 3, accel_channels, "g", "accel",
                                  g->range_min, g->range_max, error)))
    return FALSE;
  if (*writer == NULL
      && !(*writer = add_stream (g, t_local_ns, name, "other", 0, n, channels, unit, "other", NAN, NAN, error)))
    return FALSE;
  return imu_stream_writer_append (*writer, to_utc (g, t_local_ns), values, error);
}

static gboolean
lux_cb (gpointer user_data, gint64 t_local_ns, double lux, GError **error)
{
  static const char *const names[] = { "lux" };

  return device_value (user_data, &((Gt3x *) user_data)->light, "light", 1, names, "lx", t_local_ns, &lux, error);
}

static gboolean
battery_cb (gpointer user_data, gint64 t_local_ns, double mv, GError **error)
{
  static const char *const names[] = { "voltage" };

  return device_value (user_data, &((Gt3x *) user_data)->battery, "battery", 1, names, "mV", t_local_ns, &mv, error);
}

static gboolean
capsense_cb (gpointer user_data, gint64 t_local_ns, const double *v, GError **error)
{
  static const char *const names[] = { "signal", "reference", "worn", "bursts" };

  return device_value (user_data, &((Gt3x *) user_data)->capsense, "capsense", 4, names, "", t_local_ns, v, error);
}

static guint
sensor_kind (const char *label)
{
  if (strstr (label, "gyro") != NULL)
    return SENSOR_GYRO;
  if (strstr (label, "mag") != NULL)
    return SENSOR_MAG;
  if (strstr (label, "temp") != NULL)
    return SENSOR_TEMP;
  if (strstr (label, "acc") != NULL)
    return SENSOR_ACCEL;
  return SENSOR_OTHER;
}

/* The GT9X Link's IMU (SENSOR_DATA): a stream per sensor its labels name,
 * in the units of ActiGraph's scale factors (IMU_*_SCALE: LSB per g, per
 * deg/s, per µT, per °C). */
static gboolean
sensor_cb (gpointer user_data, const ImuGt3xSchema *schema, gint64 t_local_ns, const double *values, GError **error)
{
  static const char *const names[N_SENSOR_KINDS] = { "imu-accelerometer", "gyroscope", "magnetometer", "temperature", "imu" };
  static const char *const units[N_SENSOR_KINDS] = { "g", "deg/s", "µT", "°C", "" };
  static const char *const kinds[N_SENSOR_KINDS] = { "accel", "gyro", "mag", "other", "other" };
  Gt3x *g = user_data;
  g_autoptr(GString) signature = g_string_new (NULL);
  SensorStreams *ss = NULL;

  for (guint c = 0; c < schema->n_columns; c++)
    g_string_append_printf (signature, "%s,", schema->label[c]);
  if (g->sensors == NULL)
    g->sensors = g_ptr_array_new_with_free_func (sensor_streams_free);
  for (guint i = g->sensors->len; i-- > 0 && ss == NULL;)
    {
      SensorStreams *s = g_ptr_array_index (g->sensors, i);

      if (s->id == schema->id && g_str_equal (s->signature, signature->str))
        ss = s;
    }
  if (ss == NULL)
    {
      guint k = 0;

      ss = g_new0 (SensorStreams, 1);
      ss->id = schema->id;
      ss->signature = g_strdup (signature->str);
      g_ptr_array_add (g->sensors, ss);
      for (guint c = 0; c < schema->n_columns; c++)
        {
          guint kind;

          if (schema->label[c][0] == '\0')
            continue;
          kind = sensor_kind (schema->label[c]);
          ss->index[kind][ss->n[kind]++] = k++;
        }
      for (guint kind = 0; kind < N_SENSOR_KINDS; kind++)
        {
          const char *channels[IMU_GT3X_MAX_SENSOR_COLUMNS];
          guint n = 0;

          if (ss->n[kind] == 0)
            continue;
          for (guint c = 0; c < schema->n_columns; c++)
            if (schema->label[c][0] != '\0' && sensor_kind (schema->label[c]) == kind)
              channels[n++] = schema->label[c];
          if (!(ss->writer[kind] = add_stream (g, t_local_ns, names[kind], kinds[kind], schema->n_samples, n,
                                               channels, units[kind], kinds[kind], NAN, NAN, error)))
            return FALSE;
        }
    }
  for (guint kind = 0; kind < N_SENSOR_KINDS; kind++)
    {
      double v[IMU_GT3X_MAX_SENSOR_COLUMNS];

      if (ss->writer[kind] == NULL)
        continue;
      for (guint i = 0; i < ss->n[kind]; i++)
        v[i] = values[ss->index[kind][i]];
      if (!imu_stream_writer_append (ss->writer[kind], to_utc (g, t_local_ns), v, error))
        return FALSE;
    }
  return TRUE;
}

/* METADATA records are JSON objects ("MetadataType": "Bio", "InitOwner",
 * "LocalTimeLog", …): their plain members go to the notes, and a
 * LocalTimeLog with "UsedUtc": true says the clock is UTC (Metadata.md,
 * "Files Initialized in UTC"). */
static void
metadata_cb (gpointer user_data, const char *json, gsize len)
{
  Gt3x *g = user_data;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  const char *type;
  GString *line;
  GList *members;

  if (len > MAX_METADATA_BYTES
      || !(root = imu_json_parse (json, (gssize) len, MAX_METADATA_BYTES, NULL))
      || !JSON_NODE_HOLDS_OBJECT (root))
    return;
  o = json_node_get_object (root);
  type = json_object_has_member (o, "MetadataType")
         && JSON_NODE_HOLDS_VALUE (json_object_get_member (o, "MetadataType"))
         && json_node_get_value_type (json_object_get_member (o, "MetadataType")) == G_TYPE_STRING
         ? json_object_get_string_member (o, "MetadataType") : "";
  if (g_str_equal (type, "LocalTimeLog") && json_object_has_member (o, "UsedUtc")
      && JSON_NODE_HOLDS_VALUE (json_object_get_member (o, "UsedUtc"))
      && json_node_get_value_type (json_object_get_member (o, "UsedUtc")) == G_TYPE_BOOLEAN
      && json_object_get_boolean_member (o, "UsedUtc") && g->clock == NULL)
    g->file_says_utc = TRUE;

  line = g_string_new (NULL);
  members = json_object_get_members (o);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *node = json_object_get_member (o, key);
      g_autofree char *value = NULL;

      if (g_str_equal (key, "MetadataType") || g_str_equal (key, "Parsed") || g_str_equal (key, "JSON")
          || !JSON_NODE_HOLDS_VALUE (node))
        continue;
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          if (*json_node_get_string (node) == '\0')
            continue;
          value = g_strdup (json_node_get_string (node));
          break;
        case G_TYPE_INT64:
          value = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          {
            char buf[G_ASCII_DTOSTR_BUF_SIZE];

            /* The file's number, whatever the locale's decimal separator. */
            value = g_strdup (g_ascii_formatd (buf, sizeof buf, "%g", json_node_get_double (node)));
          }
          break;
        case G_TYPE_BOOLEAN:
          value = g_strdup (json_node_get_boolean (node) ? "true" : "false");
          break;
        default:
          continue;
        }
      g_string_append_printf (line, "%s%s=%s", line->len > 0 ? ", " : "", key, value);
    }
  g_list_free (members);
  if (line->len > 0)
    {
      g_autofree char *valid = g_utf8_make_valid (line->str, -1);
      g_autofree char *shown_type = g_utf8_make_valid (type, -1);

      g_string_append_printf (g->metadata_notes, "\n%s: %s",
                              *shown_type != '\0' ? shown_type : "METADATA", valid);
    }
  g_string_free (line, TRUE);
}

static void
issue_cb (gpointer user_data, const char *code, gint64 record)
{
  Gt3x *g = user_data;

  imu_session_builder_issue (g->builder, code, record);
}

/* ---- info.txt → the session ---- */

/* "2020-08-26 10:09:00" of the device's clock, for the notes. */
static char *
format_ticks (gint64 ticks)
{
  gint64 ns;
  g_autoptr(GDateTime) dt = NULL;

  if (!imu_gt3x_ticks_to_ns (ticks, &ns)
      || !(dt = g_date_time_new_from_unix_utc (ns / IMU_NS_PER_SECOND)))
    return NULL;
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

static gboolean
is_date_key (const char *key)
{
  return g_str_has_suffix (key, "Date") || g_str_has_suffix (key, "Time") || g_str_equal (key, "DateOfBirth");
}

static void
describe_session (ImuSession *session, const ImuGt3xInfo *info, GString *notes)
{
  const char *model = info->device_type;

  if (model == NULL || *model == '\0')
    model = info->serial != NULL && g_str_has_prefix (info->serial, "NEO") ? "GT3X+"
            : info->serial != NULL && g_str_has_prefix (info->serial, "MRA") ? "ActiSleep+"
            : info->serial != NULL && g_str_has_prefix (info->serial, "TAS") ? "GT9X Link"
            : NULL;
  g_object_set (session, "device-vendor", "ActiGraph", NULL);
  if (model != NULL && *model != '\0')
    g_object_set (session, "device-model", model, NULL);
  if (info->serial != NULL && *info->serial != '\0')
    g_object_set (session, "device-serial", info->serial, NULL);
  if (info->firmware != NULL && *info->firmware != '\0')
    g_object_set (session, "device-firmware", info->firmware, NULL);
  if (isfinite (info->sample_rate) && info->sample_rate > 0)
    g_object_set (session, "nominal-rate", info->sample_rate, NULL);
  if (info->subject != NULL && *info->subject != '\0'
      && (imu_session_get_subject (session) == NULL || *imu_session_get_subject (session) == '\0'))
    imu_session_set_subject (session, info->subject);

  /* What the session has no field for goes to the notes, dates as the
   * device's clock shows them. */
  for (guint i = 0; i < info->keys->len; i++)
    {
      const char *key = g_ptr_array_index (info->keys, i);
      const char *value = g_ptr_array_index (info->values, i);
      g_autofree char *date = NULL;

      if (g_str_equal (key, "Serial Number") || g_str_equal (key, "Device Type") || g_str_equal (key, "Firmware")
          || g_str_equal (key, "Subject Name") || g_str_equal (key, "Sample Rate") || *value == '\0')
        continue;
      if (is_date_key (key))
        {
          gint64 ticks = 0;

          /* "Stop Date: 0": none was set. */
          if (g_ascii_string_to_signed (value, 10, 0, G_MAXINT64, &ticks, NULL) && ticks == 0)
            continue;
          if (ticks > 0)
            date = format_ticks (ticks);
        }
      g_string_append_printf (notes, "\n%s: %s", key, date != NULL ? date : value);
    }
}

/* ---- reading the zip ---- */

static gboolean
archive_error (const char *where, struct archive *a, GError **error)
{
  g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read the GT3X file (a zip): %s"),
               where, archive_error_string (a) != NULL ? archive_error_string (a) : _("unknown error"));
  return FALSE;
}

/* Pass 1: the member list and info.txt. A zip cut short still gives what
 * comes before the cut. */
static gboolean
read_listing (const char *path, const char *where, GBytes **info_txt, gboolean *has_log, gboolean *has_nhanes,
              gboolean *has_lux, GString *members, GError **error)
{
  struct archive *a = open_zip (path);
  struct archive_entry *ae;
  int r;

  *info_txt = NULL;
  *has_log = *has_nhanes = *has_lux = FALSE;
  if (a == NULL)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("%s: not a GT3X file: a GT3X file is a zip archive, and this is none"), where);
      return FALSE;
    }
  while ((r = archive_read_next_header (a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN)
    {
      const char *name = archive_entry_pathname (ae);

      if (name == NULL)
        continue;
      if (members->len < 1024)
        {
          g_autofree char *shown = g_utf8_make_valid (name, -1);

          g_string_append_printf (members, "%s%s", members->len > 0 ? ", " : "", shown);
        }
      if (g_str_equal (name, "log.bin"))
        *has_log = TRUE;
      else if (g_str_equal (name, "activity.bin"))
        *has_nhanes = TRUE;
      else if (g_str_equal (name, "lux.bin"))
        *has_lux = TRUE;
      else if (g_str_equal (name, "info.txt") && *info_txt == NULL)
        {
          GByteArray *bytes = g_byte_array_new ();
          char chunk[16384];
          la_ssize_t n;

          while ((n = archive_read_data (a, chunk, sizeof chunk)) > 0 && bytes->len <= MAX_INFO_BYTES)
            g_byte_array_append (bytes, (const guint8 *) chunk, (guint) n);
          *info_txt = g_byte_array_free_to_bytes (bytes);
          if (n < 0)
            break;
        }
    }
  archive_read_free (a);
  return TRUE;
}

typedef gboolean (*FeedFunc) (Gt3x *g, const guint8 *data, gsize len, GError **error);

/* Pass 2: one member (log.bin, or activity.bin and lux.bin of the NHANES
 * layout) streamed to @feed. A read that fails inside it after some bytes
 * (a damaged deflate stream, a zip cut short) ends it there: what was read
 * imports, and *@cut says so. */
static gboolean
stream_member (Gt3x *g, const char *path, const char *member, FeedFunc feed, gboolean *cut, GError **error)
{
  struct archive *a = open_zip (path);
  struct archive_entry *ae;
  ImuImportInput *input = g->input;
  gint64 limit = MIN ((gint64) MIN (input->size, (guint64) G_MAXINT32) * LOG_MAX_RATIO + LOG_SLACK_BYTES,
                      G_GINT64_CONSTANT (64) << 30);
  g_autofree guint8 *chunk = g_malloc (READ_CHUNK);
  gint64 total = 0;
  gboolean found = FALSE;
  int r;

  *cut = FALSE;
  if (a == NULL)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open the GT3X file (a zip) again"),
                   g->where);
      return FALSE;
    }
  while (!found && ((r = archive_read_next_header (a, &ae)) == ARCHIVE_OK || r == ARCHIVE_WARN))
    found = archive_entry_pathname (ae) != NULL && g_str_equal (archive_entry_pathname (ae), member);
  if (!found)
    {
      archive_error (g->where, a, error);
      archive_read_free (a);
      return FALSE;
    }

  for (;;)
    {
      la_ssize_t n = archive_read_data (a, chunk, READ_CHUNK);

      if (n == 0)
        break;
      if (n < 0)
        {
          g_autofree char *note = NULL;

          if (total == 0)
            {
              g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ,
                           /* TRANSLATORS: the second %s is a member of the zip: "log.bin" */
                           _("%s: cannot read %s from the GT3X file (a zip): %s. The file is damaged or cut "
                             "short; copy it from the device or its backup again."),
                           g->where, member,
                           archive_error_string (a) != NULL ? archive_error_string (a) : _("unknown error"));
              archive_read_free (a);
              return FALSE;
            }
          note = g_strdup_printf (_("%s could not be read past byte %" PRId64 " (%s): the part before it was "
                                    "imported."),
                                  member, (int64_t) total,
                                  archive_error_string (a) != NULL ? archive_error_string (a) : "");
          g_string_append_printf (g->metadata_notes, "\n%s", note);
          *cut = TRUE;
          break;
        }
      total += n;
      if (total > limit)
        {
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_LARGE,
                       _("%s: %s decompresses to more than %" PRId64 " bytes, the most IMU Studio "
                         "reads from a GT3X file of this size"), g->where, member, (int64_t) limit);
          archive_read_free (a);
          return FALSE;
        }
      if (!feed (g, chunk, (gsize) n, error))
        {
          archive_read_free (a);
          return FALSE;
        }
      imu_import_input_progress (input, input->bytes_base + (guint64) MAX (archive_filter_bytes (a, -1), 0));
      if (g_cancellable_set_error_if_cancelled (input->cancellable, error))
        {
          archive_read_free (a);
          return FALSE;
        }
    }
  archive_read_free (a);
  return TRUE;
}

static gboolean
feed_log (Gt3x *g, const guint8 *data, gsize len, GError **error)
{
  return imu_gt3x_decoder_feed (g->decoder, data, len, error);
}

/* log.bin through the decoder; a cut read is a cut record. */
static gboolean
stream_log (Gt3x *g, const char *path, GError **error)
{
  gboolean cut;

  if (!stream_member (g, path, "log.bin", feed_log, &cut, error))
    return FALSE;
  if (cut)
    imu_session_builder_issue (g->builder, IMU_ISSUE_TRUNCATED_RECORD, imu_gt3x_decoder_get_n_records (g->decoder) + 1);
  return imu_gt3x_decoder_end (g->decoder, error);
}

/* ---- the NHANES layout: activity.bin and lux.bin ---- */

/* The time of sample @k from the start at @rate, exact for whole rates. */
static gint64
nhanes_time (Gt3x *g, gint64 k)
{
  double rate = g->nhanes_rate;

  if (rate == floor (rate))
    {
      gint64 nps = (gint64) rate;

      return g->nhanes_start_ns + (k / nps) * IMU_NS_PER_SECOND
             + (gint64) llround ((double) (k % nps) * 1e9 / rate);
    }
  return g->nhanes_start_ns + (gint64) llround ((double) k * 1e9 / rate);
}

/* activity.bin: 12-bit Y, X, Z samples back to back from the start; two
 * samples are 9 bytes, so whole pairs are unpacked as they arrive. */
static gboolean
nhanes_unpack (Gt3x *g, const guint8 *data, gsize len, GError **error)
{
  gint16 counts[3 * 200];
  guint n = imu_gt3x_unpack_activity (data, len, counts, 200);

  for (guint i = 0; i < n; i++)
    {
      double xyz[3] = { counts[3 * i] / 341.0, counts[3 * i + 1] / 341.0, counts[3 * i + 2] / 341.0 };

      if (!accel_cb (g, nhanes_time (g, g->nhanes_k), xyz, FALSE, error))
        return FALSE;
      g->nhanes_k++;
    }
  return TRUE;
}

static gboolean
feed_activity_bin (Gt3x *g, const guint8 *data, gsize len, GError **error)
{
  g_byte_array_append (g->pending, data, (guint) len);
  while (g->pending->len >= 900)
    {
      if (!nhanes_unpack (g, g->pending->data, 900, error))
        return FALSE;
      g_byte_array_remove_range (g->pending, 0, 900);
    }
  return TRUE;
}

/* lux.bin: one little-endian u16 a second from the start. NHANES
 * lux.bin.md: below 20 and 0xFFFF are 0; else × 1.25 up to 2500 lx
 * (GT3X+) or × 3.25 up to 6000 lx (ActiSleep+, serial MRA). */
static gboolean
feed_lux_bin (Gt3x *g, const guint8 *data, gsize len, GError **error)
{
  g_byte_array_append (g->pending, data, (guint) len);
  for (guint off = 0; off + 2 <= g->pending->len; off += 2)
    {
      guint raw = g->pending->data[off] | (g->pending->data[off + 1] << 8);
      double lux = raw < 20 || raw == 0xFFFF ? 0 : MIN (raw * g->nhanes_lux_scale, g->nhanes_lux_max);

      if (!lux_cb (g, g->nhanes_start_ns + g->nhanes_k * IMU_NS_PER_SECOND, lux, error))
        return FALSE;
      g->nhanes_k++;
    }
  g_byte_array_remove_range (g->pending, 0, g->pending->len & ~1u);
  return TRUE;
}

static gboolean
import_nhanes (Gt3x *g, const char *path, const ImuGt3xInfo *info, gboolean has_lux, GError **error)
{
  gboolean cut;

  if (!(isfinite (info->sample_rate) && info->sample_rate > 0 && info->sample_rate <= IMU_GT3X_MAX_RATE)
      || !imu_gt3x_ticks_to_ns (info->start_ticks, &g->nhanes_start_ns))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER,
                   _("%s: this GT3X file of the older NHANES layout (activity.bin) needs the sample rate and the "
                     "start date from its info.txt, and info.txt does not give them"), g->where);
      return FALSE;
    }
  g->nhanes = TRUE;
  g->nhanes_rate = info->sample_rate;
  g->nhanes_lux_scale = info->serial != NULL && g_str_has_prefix (info->serial, "MRA") ? 3.25 : 1.25;
  g->nhanes_lux_max = info->serial != NULL && g_str_has_prefix (info->serial, "MRA") ? 6000 : 2500;
  g->pending = g_byte_array_new ();

  if (!stream_member (g, path, "activity.bin", feed_activity_bin, &cut, error))
    return FALSE;
  /* The last, odd sample is 4.5 bytes: the last nibble is unused. */
  if (!nhanes_unpack (g, g->pending->data, g->pending->len, error))
    return FALSE;
  if (cut)
    imu_session_builder_issue (g->builder, IMU_ISSUE_TRUNCATED_RECORD, 0);
  if (has_lux)
    {
      g_byte_array_set_size (g->pending, 0);
      g->nhanes_k = 0;
      if (!stream_member (g, path, "lux.bin", feed_lux_bin, &cut, error))
        return FALSE;
      if (cut)
        imu_session_builder_issue (g->builder, IMU_ISSUE_TRUNCATED_RECORD, 0);
    }
  return TRUE;
}

static double
default_scale (const ImuGt3xInfo *info)
{
  /* Activity.md: NEO and CLE devices 341 LSB/g (±6 g), MOS 256 (±8 g). */
  if (isfinite (info->accel_scale) && info->accel_scale > 0)
    return info->accel_scale;
  if (info->serial != NULL && (g_str_has_prefix (info->serial, "NEO") || g_str_has_prefix (info->serial, "CLE")))
    return 341;
  if (info->serial != NULL && g_str_has_prefix (info->serial, "MOS"))
    return 256;
  return NAN;
}

static void
device_range (const ImuGt3xInfo *info, double *lo, double *hi)
{
  *lo = *hi = NAN;
  if (isfinite (info->accel_min) && isfinite (info->accel_max) && info->accel_min < info->accel_max)
    {
      *lo = info->accel_min;
      *hi = info->accel_max;
    }
  else if (info->serial != NULL && (g_str_has_prefix (info->serial, "NEO") || g_str_has_prefix (info->serial, "CLE")))
    *lo = -6, *hi = 6;
  else if (info->serial != NULL && g_str_has_prefix (info->serial, "MOS"))
    *lo = -8, *hi = 8;
}

static void
append_note (ImuSession *session, const char *note)
{
  const char *old = imu_session_get_notes (session);
  g_autofree char *text = NULL;

  if (note == NULL || *note == '\0')
    return;
  text = old != NULL && *old != '\0' ? g_strdup_printf ("%s\n%s", old, note) : g_strdup (note);
  imu_session_set_notes (session, text);
}

static gboolean
gt3x_import (const ImuImporter  *importer,
             ImuSessionBuilder  *builder,
             ImuImportInput     *input,
             GError            **error)
{
  static const ImuGt3xSink sink = {
    .accel = accel_cb,
    .idle_sleep = idle_sleep_cb,
    .lux = lux_cb,
    .battery_mv = battery_cb,
    .capsense = capsense_cb,
    .usb = usb_cb,
    .metadata = metadata_cb,
    .issue = issue_cb,
    .sensor = sensor_cb,
  };
  const char *where = imu_import_input_where (input);
  ImuSession *session = imu_session_builder_get_session (builder);
  g_autoptr(GBytes) info_txt = NULL;
  g_autoptr(ImuGt3xInfo) info = NULL;
  g_autoptr(GString) members = g_string_new (NULL);
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;
  g_autofree char *clock_text = NULL;
  gboolean has_log, has_nhanes, has_lux, swap_xy, ok;
  Gt3x g = { 0 };

  /* One device file is one session: inside a folder or a zip of other
   * files it is named in that session's notes ("Not imported: …"), not
   * mixed into it. */
  if (input->is_member || input->path == NULL)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                   _("%s: an ActiGraph GT3X device file is a session of its own: import it by itself"), where);
      return FALSE;
    }

  /* A zone given to the import that is no zone fails before any work. */
  g.option_zone = input->options != NULL ? input->options->device_timezone : NULL;
  {
    g_autoptr(ImuDeviceClock) check = imu_device_clock_new (g.option_zone, NULL, &local_error);

    if (check == NULL)
      {
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_TIMESTAMP, "%s: %s", where, local_error->message);
        return FALSE;
      }
  }

  if (!read_listing (input->path, where, &info_txt, &has_log, &has_nhanes, &has_lux, members, error))
    return FALSE;
  if (!has_log && !has_nhanes)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                   _("%s: this GT3X file has no log.bin, the member that holds the samples (it holds: %s). "
                     "The file is damaged or was not written by ActiGraph's software."),
                   where, members->len > 0 ? members->str : _("nothing"));
      return FALSE;
    }

  {
    gsize len = 0;
    const char *text = info_txt != NULL ? g_bytes_get_data (info_txt, &len) : NULL;

    info = imu_gt3x_info_parse (text != NULL ? text : "", len);
  }
  if (info_txt == NULL && has_log)
    g_string_append_printf (notes, "\n%s", _("The GT3X file has no info.txt (or it comes after a cut in the zip): "
                                             "rate and scale come from log.bin's PARAMETERS record."));

  describe_session (session, info, notes);
  g.builder = builder;
  g.input = input;
  g.where = where;
  g.file_zone = imu_gt3x_time_zone_text (info->time_zone);
  if (g.file_zone == NULL && info->time_zone != NULL)
    g.file_zone = g_strdup (info->time_zone);   /* the clock says it could not read it */
  device_range (info, &g.range_min, &g.range_max);
  g.metadata_notes = g_string_new (NULL);

  /* Activity.md: wGT3X-BT firmware 1.6.0 rotated the axes by 90° about Z. */
  swap_xy = info->serial != NULL && g_str_has_prefix (info->serial, "MOS")
            && g_strcmp0 (info->firmware, "1.6.0") == 0;
  if (swap_xy)
    g_string_append_printf (notes, "\n%s", _("Firmware 1.6.0 of the wGT3X-BT swapped the X and Y axes: "
                                             "X and Y were corrected as ActiGraph describes (X = Y, Y = −X)."));
  g.decoder = imu_gt3x_decoder_new (info->sample_rate, default_scale (info), swap_xy, &sink, &g);

  /* The current layout wins when a file has both. */
  if (has_log)
    ok = stream_log (&g, input->path, &local_error);
  else
    {
      g_string_append_printf (notes, "\n%s", _("The older NHANES layout (activity.bin): 341 LSB/g, "
                                               "samples from the start date at the sample rate."));
      g.range_min = -6;
      g.range_max = 6;
      ok = import_nhanes (&g, input->path, info, has_lux, &local_error);
    }
  if (ok)
    {
      guint n_sleeps = imu_gt3x_decoder_get_n_idle_sleeps (g.decoder);

      if (!isfinite (info->sample_rate) && !g.nhanes && imu_gt3x_decoder_get_sample_rate (g.decoder) > 0)
        g_object_set (session, "nominal-rate", imu_gt3x_decoder_get_sample_rate (g.decoder), NULL);
      if (g.clock != NULL)
        {
          g_object_set (session, "tz-offset", (int) imu_device_clock_get_offset (g.clock), NULL);
          clock_text = imu_device_clock_describe (g.clock);
          imu_session_builder_set_device_clock (builder, clock_text);
        }
      if (n_sleeps > 0)
        {
          g_autofree char *line =
            g_strdup_printf (_("Idle sleep: the device slept %u times; as ActiLife shows them, %" PRId64
                               " samples there repeat the last sample before it slept (events “idle-sleep”)."),
                             n_sleeps, (int64_t) imu_gt3x_decoder_get_n_filled (g.decoder));

          g_string_append_printf (notes, "\n%s", line);
        }
      g_string_append (notes, g.metadata_notes->str);
      {
        g_autofree char *text = g_strdup_printf ("%s%s", _("ActiGraph GT3X file:"), notes->str);

        append_note (session, text);
      }
    }
  else if (local_error->domain == G_IO_ERROR && local_error->code == G_IO_ERROR_INVALID_DATA)
    /* The decoder's own refusal (no rate or scale): name the file. */
    g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER, "%s: log.bin, %s", where, local_error->message);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));

  imu_gt3x_decoder_free (g.decoder);
  g_clear_pointer (&g.clock, imu_device_clock_free);
  g_string_free (g.metadata_notes, TRUE);
  g_free (g.file_zone);
  g_clear_pointer (&g.pending, g_byte_array_unref);
  g_clear_pointer (&g.sensors, g_ptr_array_unref);
  return ok;
}

static const char * const gt3x_patterns[] = { "*.gt3x", NULL };

const ImuImporter imu_importer_gt3x = {
  .name = "gt3x",
  .display_name = N_("ActiGraph GT3X device files"),
  .patterns = gt3x_patterns,
  /* MEMBERS so that a folder or zip names its GT3X files in its notes
   * (gt3x_import refuses members, which the folder reader skips); the
   * file itself is always read from its path. */
  .flags = IMU_IMPORTER_READS | IMU_IMPORTER_MEMBERS | IMU_IMPORTER_DEVICE_FILE,
  .sniff = gt3x_sniff,
  .import = gt3x_import,
};
