/* imu-gt3x.c — ActiGraph GT3X: info.txt and the log records of log.bin, from bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written from ActiGraph's description of the format
 * (github.com/actigraph/GT3X-File-Format). Idle sleep is filled as
 * ActiLife and pygt3x fill it: the seconds between the last activity
 * record before an "enter idle sleep" event (EVENT payload 0x08) and the
 * "exit" event (0x09) repeat the last sample at the sample rate.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "imu-gt3x.h"
#include "imu-import.h"
#include "imu-time.h"

/* At the end of log.bin, a record that claims more bytes than are left may
 * be cut or may have a broken size: so many later separators are tried as
 * the start of a good record before it is called cut. */
#define END_RESYNC_CANDIDATES 256

/* The longest idle sleep that is filled: a month. A longer gap between an
 * activity record and the end of its sleep is a broken timestamp, not a
 * device left in a drawer; it is counted, not filled. */
#define DEFAULT_MAX_FILL_S (31 * 24 * 3600)

/* Samples in one activity record: one second at up to 100 Hz for the
 * devices of the format, with room for any rate the header can say. */
#define MAX_SAMPLES_PER_RECORD ((65535 * 8) / 36)

guint8
imu_gt3x_checksum (const guint8 *bytes,
                   gsize         len)
{
  guint8 x = 0;

  for (gsize i = 0; i < len; i++)
    x ^= bytes[i];
  return (guint8) ~x;
}

static gboolean
record_at (const guint8 *buf, gsize len, gsize *total)
{
  gsize size;

  if (len < IMU_GT3X_HEADER_BYTES || buf[0] != IMU_GT3X_SEPARATOR)
    return FALSE;
  size = (gsize) buf[6] | ((gsize) buf[7] << 8);
  *total = IMU_GT3X_HEADER_BYTES + size + 1;
  return *total <= len && imu_gt3x_checksum (buf, *total - 1) == buf[*total - 1];
}

static void
fill_record (const guint8 *buf, ImuGt3xRecord *record)
{
  record->type = buf[1];
  record->timestamp = (guint32) buf[2] | ((guint32) buf[3] << 8) | ((guint32) buf[4] << 16)
                      | ((guint32) buf[5] << 24);
  record->size = (guint16) (buf[6] | (buf[7] << 8));
  record->payload = buf + IMU_GT3X_HEADER_BYTES;
}

ImuGt3xScan
imu_gt3x_scan (const guint8  *buf,
               gsize          len,
               gboolean       at_end,
               ImuGt3xRecord *record,
               gsize         *consumed)
{
  gsize total;

  *consumed = 0;
  if (len == 0)
    return at_end ? IMU_GT3X_SCAN_END : IMU_GT3X_SCAN_NEED_MORE;

  if (buf[0] != IMU_GT3X_SEPARATOR)
    {
      const guint8 *next = memchr (buf, IMU_GT3X_SEPARATOR, len);
      gsize n = next != NULL ? (gsize) (next - buf) : len;
      gboolean zeros = TRUE;

      for (gsize i = 0; i < n && zeros; i++)
        zeros = buf[i] == 0;
      *consumed = n;
      return zeros ? IMU_GT3X_SCAN_PADDING : IMU_GT3X_SCAN_JUNK;
    }

  if (len < IMU_GT3X_HEADER_BYTES)
    {
      if (!at_end)
        return IMU_GT3X_SCAN_NEED_MORE;
      *consumed = len;
      return IMU_GT3X_SCAN_TRUNCATED;
    }

  total = IMU_GT3X_HEADER_BYTES + ((gsize) buf[6] | ((gsize) buf[7] << 8)) + 1;
  if (len < total)
    {
      guint tried = 0;

      if (!at_end)
        return IMU_GT3X_SCAN_NEED_MORE;
      /* A good record further on means this one's size is what broke. */
      for (gsize p = 1; p < len && tried < END_RESYNC_CANDIDATES; p++)
        {
          gsize other;

          if (buf[p] != IMU_GT3X_SEPARATOR)
            continue;
          tried++;
          if (record_at (buf + p, len - p, &other))
            {
              *consumed = p;
              return IMU_GT3X_SCAN_JUNK;
            }
        }
      *consumed = len;
      return IMU_GT3X_SCAN_TRUNCATED;
    }

  if (imu_gt3x_checksum (buf, total - 1) == buf[total - 1])
    {
      fill_record (buf, record);
      *consumed = total;
      return IMU_GT3X_SCAN_RECORD;
    }

  /* A bad checksum: believe the size when the next record (or padding, or
   * the end) follows right after it; else resynchronise byte by byte. */
  if (len == total && !at_end)
    return IMU_GT3X_SCAN_NEED_MORE;
  if (len == total || buf[total] == IMU_GT3X_SEPARATOR || buf[total] == 0)
    {
      *consumed = total;
      return IMU_GT3X_SCAN_CORRUPT;
    }
  *consumed = 1;
  return IMU_GT3X_SCAN_JUNK;
}

double
imu_gt3x_decode_ssp_float (guint32 value)
{
  gint32 exponent;
  gint32 fraction;

  /* The two codes of the too-large numbers. */
  if (value == 0x007FFFFFu)
    return G_MAXDOUBLE;
  if (value == 0x00800000u)
    return -G_MAXDOUBLE;
  exponent = (gint32) (gint8) (guint8) (value >> 24);
  fraction = (gint32) (value & 0x00FFFFFFu);
  if (fraction & 0x00800000)
    fraction -= 0x01000000;
  return ldexp ((double) fraction / 8388608.0, exponent);
}

static inline guint
read12 (const guint8 *p, guint64 bit)
{
  gsize byte = (gsize) (bit / 8);

  /* A 12-bit value starts on a byte or on a nibble. */
  if (bit % 8 == 0)
    return ((guint) p[byte] << 4) | (p[byte + 1] >> 4);
  return ((guint) (p[byte] & 0x0F) << 8) | p[byte + 1];
}

static inline gint16
sign12 (guint v)
{
  return (gint16) (v & 0x800 ? (int) v - 4096 : (int) v);
}

guint
imu_gt3x_unpack_activity (const guint8 *payload,
                          gsize         size,
                          gint16       *xyz,
                          guint         max_samples)
{
  guint n = (guint) MIN ((guint64) size * 8 / 36, (guint64) max_samples);

  for (guint i = 0; i < n; i++)
    {
      guint64 bit = (guint64) i * 36;
      gint16 y = sign12 (read12 (payload, bit));
      gint16 x = sign12 (read12 (payload, bit + 12));
      gint16 z = sign12 (read12 (payload, bit + 24));

      xyz[3 * i] = x;
      xyz[3 * i + 1] = y;
      xyz[3 * i + 2] = z;
    }
  return n;
}

guint
imu_gt3x_unpack_activity2 (const guint8 *payload,
                           gsize         size,
                           gint16       *xyz,
                           guint         max_samples)
{
  guint n = (guint) MIN ((guint64) size / 6, (guint64) max_samples);

  for (guint i = 0; i < 3 * n; i++)
    xyz[i] = (gint16) (guint16) (payload[2 * i] | (payload[2 * i + 1] << 8));
  return n;
}

gboolean
imu_gt3x_parse_parameters (const guint8      *payload,
                           gsize              size,
                           ImuGt3xParameters *params)
{
  memset (params, 0, sizeof *params);
  for (gsize off = 0; off + 8 <= size; off += 8)
    {
      const guint8 *p = payload + off;
      guint address = p[0] | (p[1] << 8);
      guint key = p[2] | (p[3] << 8);
      guint32 value = (guint32) p[4] | ((guint32) p[5] << 8) | ((guint32) p[6] << 16) | ((guint32) p[7] << 24);

      params->n_pairs++;
      if (address == 0 && key == 55)
        {
          params->has_accel_scale = TRUE;
          params->accel_scale = imu_gt3x_decode_ssp_float (value);
        }
      else if (address == 0 && key == 7)
        {
          params->has_battery_voltage = TRUE;
          params->battery_voltage = imu_gt3x_decode_ssp_float (value);
        }
      else if (address == 0 && key == 13)
        {
          params->has_firmware = TRUE;
          params->firmware = value;
        }
      else if (address == 1 && key == 10)
        {
          params->has_sample_rate = TRUE;
          params->sample_rate = value;
        }
      else if (address == 1 && key == 40)
        {
          params->has_utc_offset = TRUE;
          params->utc_offset_s = (gint32) value;
        }
      else if (address == 1 && key == 2)
        {
          params->has_feature_enable = TRUE;
          params->feature_enable = value;
        }
    }
  return size % 8 == 0;
}

gboolean
imu_gt3x_parse_schema (const guint8  *payload,
                       gsize          size,
                       ImuGt3xSchema *schema)
{
  guint columns, samples;

  memset (schema, 0, sizeof *schema);
  if (size < 6)
    return FALSE;
  schema->id = payload[0] | (payload[1] << 8);
  columns = payload[2] | (payload[3] << 8);
  samples = payload[4] | (payload[5] << 8);
  if (columns == 0 || columns > IMU_GT3X_MAX_SENSOR_COLUMNS || samples == 0
      || samples > IMU_GT3X_MAX_SENSOR_SAMPLES || size < 6 + 23 * (gsize) columns)
    return FALSE;
  schema->n_columns = columns;
  schema->n_samples = samples;
  for (guint c = 0; c < columns; c++)
    {
      const guint8 *p = payload + 6 + 23 * c;
      guint32 scale = (guint32) p[3] | ((guint32) p[4] << 8) | ((guint32) p[5] << 16) | ((guint32) p[6] << 24);
      char label[17];
      guint n = 0;

      schema->flags[c] = p[0];
      schema->bits[c] = p[2];
      schema->scale[c] = imu_gt3x_decode_ssp_float (scale);
      if (!isfinite (schema->scale[c]) || fabs (schema->scale[c]) >= G_MAXDOUBLE)
        schema->scale[c] = 0;
      /* A fixed-width, space-padded ASCII label; a value of 8 or 16 bits. */
      for (guint i = 0; i < 16; i++)
        label[i] = g_ascii_isprint (p[7 + i]) ? (char) p[7 + i] : ' ';
      label[16] = '\0';
      g_strstrip (label);
      for (const char *l = label; *l != '\0'; l++)
        schema->label[c][n++] = *l == ' ' ? '_' : g_ascii_tolower (*l);
      schema->label[c][n] = '\0';
      if (schema->bits[c] % 8 != 0 || schema->bits[c] == 0 || schema->bits[c] > 16)
        return FALSE;
      schema->row_bytes += schema->bits[c] / 8;
      if (schema->label[c][0] != '\0')
        schema->n_values++;
    }
  return schema->n_values > 0;
}

/* ---- info.txt ---- */

static double
parse_number (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text));
  char *end = NULL;
  double v;

  /* ActiLife writes the decimal separator of the PC's locale ("4,03"). */
  g_strdelimit (copy, ",", '.');
  if (*copy == '\0')
    return NAN;
  v = g_ascii_strtod (copy, &end);
  return end != NULL && *end == '\0' && isfinite (v) ? v : NAN;
}

static gint64
parse_ticks (const char *text)
{
  gint64 v = 0;

  if (!g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &v, NULL))
    return 0;
  return v;
}

ImuGt3xInfo *
imu_gt3x_info_parse (const char *text,
                     gsize       len)
{
  ImuGt3xInfo *info = g_new0 (ImuGt3xInfo, 1);
  gsize pos = 0;

  info->sample_rate = info->accel_scale = info->accel_min = info->accel_max = NAN;
  info->keys = g_ptr_array_new_with_free_func (g_free);
  info->values = g_ptr_array_new_with_free_func (g_free);
  if (len >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    pos = 3;

  while (pos < len)
    {
      gsize end = pos;
      g_autofree char *line = NULL;
      char *colon;
      char *key, *value;

      while (end < len && text[end] != '\n' && text[end] != '\r')
        end++;
      line = g_utf8_make_valid (text + pos, (gssize) (end - pos));
      pos = end;
      while (pos < len && (text[pos] == '\n' || text[pos] == '\r'))
        pos++;

      if ((colon = strstr (line, ":")) == NULL)
        continue;
      *colon = '\0';
      key = g_strstrip (line);
      value = g_strstrip (colon + 1);
      if (*key == '\0')
        continue;
      g_ptr_array_add (info->keys, g_strdup (key));
      g_ptr_array_add (info->values, g_strdup (value));

      if (g_str_equal (key, "Serial Number"))
        g_free (info->serial), info->serial = g_strdup (value);
      else if (g_str_equal (key, "Device Type"))
        g_free (info->device_type), info->device_type = g_strdup (value);
      else if (g_str_equal (key, "Firmware"))
        g_free (info->firmware), info->firmware = g_strdup (value);
      else if (g_str_equal (key, "Subject Name"))
        g_free (info->subject), info->subject = g_strdup (value);
      else if (g_str_equal (key, "TimeZone"))
        g_free (info->time_zone), info->time_zone = g_strdup (value);
      else if (g_str_equal (key, "Sample Rate"))
        info->sample_rate = parse_number (value);
      else if (g_str_equal (key, "Acceleration Scale"))
        info->accel_scale = parse_number (value);
      else if (g_str_equal (key, "Acceleration Min"))
        info->accel_min = parse_number (value);
      else if (g_str_equal (key, "Acceleration Max"))
        info->accel_max = parse_number (value);
      else if (g_str_equal (key, "Start Date"))
        info->start_ticks = parse_ticks (value);
      else if (g_str_equal (key, "Stop Date"))
        info->stop_ticks = parse_ticks (value);
      else if (g_str_equal (key, "Last Sample Time"))
        info->last_sample_ticks = parse_ticks (value);
      else if (g_str_equal (key, "Download Date"))
        info->download_ticks = parse_ticks (value);
    }
  return info;
}

void
imu_gt3x_info_free (ImuGt3xInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->serial);
  g_free (info->device_type);
  g_free (info->firmware);
  g_free (info->subject);
  g_free (info->time_zone);
  g_ptr_array_unref (info->keys);
  g_ptr_array_unref (info->values);
  g_free (info);
}

gboolean
imu_gt3x_ticks_to_ns (gint64  ticks,
                      gint64 *ns)
{
  gint64 since = ticks - IMU_GT3X_TICKS_AT_UNIX_EPOCH;

  /* ticks ≥ 0, so the difference cannot overflow; the product can. */
  if (ticks <= 0 || since < IMU_TIME_MIN_NS / 100 || since > IMU_TIME_MAX_NS / 100)
    return FALSE;
  *ns = since * 100;
  return TRUE;
}

char *
imu_gt3x_time_zone_text (const char *time_zone)
{
  g_autofree char *t = NULL;
  const char *p;
  guint colons = 0;

  if (time_zone == NULL)
    return NULL;
  t = g_strstrip (g_strdup (time_zone));
  p = t;
  if (*p == '-' || *p == '+')
    p++;
  /* A .NET TimeSpan of hours, minutes and seconds: "02:00:00". */
  if (!g_ascii_isdigit (*p))
    return NULL;
  for (const char *c = p; *c != '\0'; c++)
    {
      if (*c == ':')
        colons++;
      else if (!g_ascii_isdigit (*c))
        return NULL;
    }
  if (colons < 1 || colons > 2)
    return NULL;
  return g_strdup_printf ("%s%s", t[0] == '-' ? "-" : "+", p);
}

/* ---- the decoder ---- */

struct _ImuGt3xDecoder {
  ImuGt3xSink  sink;
  gpointer     user_data;
  double       rate;        /* Hz, ≤ 0 while unknown */
  double       scale;       /* LSB/g, ≤ 0 while unknown */
  gboolean     swap_xy;
  gint64       max_fill_s;

  GByteArray  *buf;
  gsize        start;       /* first unscanned byte of buf */
  guint64      offset;      /* offset in log.bin of buf[start] */

  gint64       n_records;   /* records seen, good or not */
  gboolean     resyncing;   /* inside a run of bad bytes (counted once) */
  gboolean     have_record;
  guint32      last_record_ts;

  gboolean     have_last;   /* an activity sample was given */
  guint32      last_second; /* of the last activity record (or fill) */
  double       last_xyz[3];
  gboolean     sleeping;    /* an "enter idle sleep" without its exit yet */

  GHashTable  *schemas;     /* id → ImuGt3xSchema */
  GHashTable  *sensor_last; /* id → last second of its data (as pointer + 1) */

  gint64       n_recorded;
  gint64       n_filled;
  guint        n_idle_sleeps;
  gint16      *counts;      /* 3 × MAX_SAMPLES_PER_RECORD */
};

ImuGt3xDecoder *
imu_gt3x_decoder_new (double              sample_rate,
                      double              accel_scale,
                      gboolean            swap_xy,
                      const ImuGt3xSink  *sink,
                      gpointer            user_data)
{
  ImuGt3xDecoder *self = g_new0 (ImuGt3xDecoder, 1);

  g_return_val_if_fail (sink != NULL, NULL);

  self->sink = *sink;
  self->user_data = user_data;
  self->rate = isfinite (sample_rate) && sample_rate > 0 && sample_rate <= IMU_GT3X_MAX_RATE ? sample_rate : 0;
  self->scale = isfinite (accel_scale) && accel_scale > 0 ? accel_scale : 0;
  self->swap_xy = swap_xy;
  self->max_fill_s = DEFAULT_MAX_FILL_S;
  self->buf = g_byte_array_sized_new (2 * IMU_GT3X_MAX_RECORD);
  self->counts = g_new (gint16, 3 * MAX_SAMPLES_PER_RECORD);
  self->schemas = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  self->sensor_last = g_hash_table_new (NULL, NULL);
  return self;
}

void
imu_gt3x_decoder_free (ImuGt3xDecoder *self)
{
  if (self == NULL)
    return;
  g_byte_array_unref (self->buf);
  g_free (self->counts);
  g_hash_table_unref (self->schemas);
  g_hash_table_unref (self->sensor_last);
  g_free (self);
}

void
imu_gt3x_decoder_set_max_fill (ImuGt3xDecoder *self,
                               gint64          seconds)
{
  self->max_fill_s = seconds;
}

static void
issue (ImuGt3xDecoder *self, const char *code, gint64 record)
{
  if (self->sink.issue != NULL)
    self->sink.issue (self->user_data, code, record);
}

static guint
samples_per_second (ImuGt3xDecoder *self)
{
  double n = round (self->rate);

  return n < 1 ? 1 : n > MAX_SAMPLES_PER_RECORD ? MAX_SAMPLES_PER_RECORD : (guint) n;
}

static gint64
sample_time (ImuGt3xDecoder *self, guint32 second, guint i)
{
  return (gint64) second * IMU_NS_PER_SECOND + (gint64) llround ((double) i * 1e9 / self->rate);
}

static gboolean
emit (ImuGt3xDecoder *self, gint64 t, const double *xyz, gboolean filled, GError **error)
{
  return self->sink.accel == NULL || self->sink.accel (self->user_data, t, xyz, filled, error);
}

/* Repeats the last sample over the seconds [last_second + 1, until). */
static gboolean
fill_idle_sleep (ImuGt3xDecoder *self, guint32 until, GError **error)
{
  guint nps = samples_per_second (self);
  guint32 from = self->last_second + 1;
  gint64 n = 0;

  if (!self->have_last || until <= from)
    return TRUE;
  if ((gint64) until - from > self->max_fill_s)
    {
      issue (self, IMU_ISSUE_RECORD_TIME, self->n_records);
      return TRUE;
    }
  for (guint32 s = from; s < until; s++)
    for (guint i = 0; i < nps; i++, n++)
      if (!emit (self, sample_time (self, s, i), self->last_xyz, TRUE, error))
        return FALSE;
  self->n_filled += n;
  self->n_idle_sleeps++;
  if (self->sink.idle_sleep != NULL)
    self->sink.idle_sleep (self->user_data, (gint64) from * IMU_NS_PER_SECOND,
                           ((gint64) until - from) * IMU_NS_PER_SECOND, n);
  self->last_second = until - 1;
  return TRUE;
}

static gboolean
decode_activity (ImuGt3xDecoder *self, const ImuGt3xRecord *r, guint64 offset, GError **error)
{
  guint n;

  /* A one-byte activity record is a USB connection, not a reading. */
  if (r->size == 1)
    {
      if (self->sink.usb != NULL)
        self->sink.usb (self->user_data, (gint64) r->timestamp * IMU_NS_PER_SECOND);
      return TRUE;
    }
  if (self->rate <= 0 || self->scale <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   /* TRANSLATORS: %s is "sample rate" or "acceleration scale"; then a record number and a byte offset */
                   _("record %" PRId64 " (offset %" PRIu64 "): samples, but neither info.txt "
                     "nor a PARAMETERS record gives the %s"),
                   (int64_t) self->n_records, (uint64_t) offset, self->rate <= 0 ? _("sample rate") : _("acceleration scale"));
      return FALSE;
    }
  if (self->have_last && r->timestamp <= self->last_second)
    {
      issue (self, IMU_ISSUE_RECORD_TIME, self->n_records);
      return TRUE;
    }

  n = r->type == IMU_GT3X_RECORD_ACTIVITY
      ? imu_gt3x_unpack_activity (r->payload, r->size, self->counts, samples_per_second (self))
      : imu_gt3x_unpack_activity2 (r->payload, r->size, self->counts, samples_per_second (self));
  if (n == 0)
    {
      issue (self, IMU_ISSUE_BAD_RECORD, self->n_records);
      return TRUE;
    }

  /* Samples came: a sleep whose exit was lost is over (pygt3x does so). */
  self->sleeping = FALSE;
  for (guint i = 0; i < n; i++)
    {
      double xyz[3];
      const gint16 *c = self->counts + 3 * i;

      if (self->swap_xy)
        {
          xyz[0] = c[1] / self->scale;
          xyz[1] = -c[0] / self->scale;
        }
      else
        {
          xyz[0] = c[0] / self->scale;
          xyz[1] = c[1] / self->scale;
        }
      xyz[2] = c[2] / self->scale;
      if (!emit (self, sample_time (self, r->timestamp, i), xyz, FALSE, error))
        return FALSE;
      memcpy (self->last_xyz, xyz, sizeof xyz);
    }
  self->n_recorded += n;
  self->have_last = TRUE;
  self->last_second = r->timestamp;
  return TRUE;
}

/* SENSOR_DATA: a schema id, then the schema's samples of one second, each
 * its columns in order (LogRecords/SensorData.md). */
static gboolean
decode_sensor_data (ImuGt3xDecoder *self, const ImuGt3xRecord *r, GError **error)
{
  const ImuGt3xSchema *schema;
  guint id, n;
  gpointer last;
  const guint8 *p;

  if (r->size < 2)
    {
      issue (self, IMU_ISSUE_BAD_RECORD, self->n_records);
      return TRUE;
    }
  id = r->payload[0] | (r->payload[1] << 8);
  if ((schema = g_hash_table_lookup (self->schemas, GUINT_TO_POINTER (id))) == NULL
      || (n = MIN ((guint) ((r->size - 2) / schema->row_bytes), schema->n_samples)) == 0)
    {
      issue (self, IMU_ISSUE_BAD_RECORD, self->n_records);
      return TRUE;
    }
  last = g_hash_table_lookup (self->sensor_last, GUINT_TO_POINTER (id));
  if (last != NULL && r->timestamp <= GPOINTER_TO_UINT (last) - 1)
    {
      issue (self, IMU_ISSUE_RECORD_TIME, self->n_records);
      return TRUE;
    }
  g_hash_table_insert (self->sensor_last, GUINT_TO_POINTER (id), GUINT_TO_POINTER (r->timestamp + 1));

  p = r->payload + 2;
  for (guint i = 0; i < n; i++)
    {
      double values[IMU_GT3X_MAX_SENSOR_COLUMNS];
      guint k = 0;

      for (guint c = 0; c < schema->n_columns; c++)
        {
          gboolean big = (schema->flags[c] & 1) != 0, is_signed = (schema->flags[c] & 2) != 0;
          double v;

          if (schema->bits[c] == 8)
            v = is_signed ? (gint8) p[0] : p[0];
          else
            {
              guint16 u = big ? (guint16) ((p[0] << 8) | p[1]) : (guint16) (p[0] | (p[1] << 8));

              v = is_signed ? (gint16) u : u;
            }
          p += schema->bits[c] / 8;
          if (schema->label[c][0] == '\0')
            continue;
          if (schema->scale[c] != 0)
            v /= schema->scale[c];
          if (g_str_equal (schema->label[c], "temperature"))
            v += 21;
          values[k++] = v;
        }
      if (self->sink.sensor != NULL
          && !self->sink.sensor (self->user_data, schema,
                                 (gint64) r->timestamp * IMU_NS_PER_SECOND
                                 + (gint64) llround ((double) i * 1e9 / schema->n_samples),
                                 values, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
decode_record (ImuGt3xDecoder *self, const ImuGt3xRecord *r, guint64 offset, GError **error)
{
  gint64 t = (gint64) r->timestamp * IMU_NS_PER_SECOND;

  self->have_record = TRUE;
  self->last_record_ts = r->timestamp;
  switch (r->type)
    {
    case IMU_GT3X_RECORD_ACTIVITY:
    case IMU_GT3X_RECORD_ACTIVITY2:
      return decode_activity (self, r, offset, error);

    case IMU_GT3X_RECORD_EVENT:
      if (r->size == 1 && r->payload[0] == 0x08)
        self->sleeping = TRUE;
      else if (r->size == 1 && r->payload[0] == 0x09)
        {
          gboolean was = self->sleeping;

          self->sleeping = FALSE;
          if (was)
            return fill_idle_sleep (self, r->timestamp, error);
        }
      return TRUE;

    case IMU_GT3X_RECORD_LUX:
      if (r->size != 2)
        break;
      return self->sink.lux == NULL
             || self->sink.lux (self->user_data, t, r->payload[0] | (r->payload[1] << 8), error);

    case IMU_GT3X_RECORD_BATTERY:
      if (r->size != 2)
        break;
      return self->sink.battery_mv == NULL
             || self->sink.battery_mv (self->user_data, t, r->payload[0] | (r->payload[1] << 8), error);

    case IMU_GT3X_RECORD_CAPSENSE:
      if (r->size != 6)
        break;
      {
        const guint8 *p = r->payload;
        double v[4] = { p[0] | (p[1] << 8), p[2] | (p[3] << 8), p[4], p[5] };

        return self->sink.capsense == NULL || self->sink.capsense (self->user_data, t, v, error);
      }

    case IMU_GT3X_RECORD_METADATA:
      if (self->sink.metadata != NULL)
        self->sink.metadata (self->user_data, (const char *) r->payload, r->size);
      return TRUE;

    case IMU_GT3X_RECORD_PARAMETERS:
      {
        ImuGt3xParameters params;

        if (!imu_gt3x_parse_parameters (r->payload, r->size, &params))
          issue (self, IMU_ISSUE_BAD_RECORD, self->n_records);
        /* The format: "If a LOG_PARAMETER record is present, then the
         * ACCEL_SCALE value should be used." */
        if (params.has_accel_scale && isfinite (params.accel_scale) && params.accel_scale > 0
            && params.accel_scale < 1e6)
          self->scale = params.accel_scale;
        if (self->rate <= 0 && params.has_sample_rate && params.sample_rate > 0
            && params.sample_rate <= IMU_GT3X_MAX_RATE)
          self->rate = params.sample_rate;
        if (self->sink.parameters != NULL)
          self->sink.parameters (self->user_data, &params);
        return TRUE;
      }

    case IMU_GT3X_RECORD_SENSOR_SCHEMA:
      {
        ImuGt3xSchema *schema = g_new (ImuGt3xSchema, 1);

        if (!imu_gt3x_parse_schema (r->payload, r->size, schema))
          {
            g_free (schema);
            break;
          }
        /* A new schema of an id starts its data afresh. */
        g_hash_table_remove (self->sensor_last, GUINT_TO_POINTER (schema->id));
        g_hash_table_replace (self->schemas, GUINT_TO_POINTER (schema->id), schema);
        return TRUE;
      }

    case IMU_GT3X_RECORD_SENSOR_DATA:
      return decode_sensor_data (self, r, error);

    default:
      /* Epochs, heart rate, tags, diagnostics: "may be safely ignored". */
      return TRUE;
    }

  issue (self, IMU_ISSUE_BAD_RECORD, self->n_records);
  return TRUE;
}

static gboolean
scan_buffer (ImuGt3xDecoder *self, gboolean at_end, GError **error)
{
  for (;;)
    {
      const guint8 *p = self->buf->data + self->start;
      gsize len = self->buf->len - self->start;
      ImuGt3xRecord record;
      gsize consumed = 0;
      ImuGt3xScan scan = imu_gt3x_scan (p, len, at_end, &record, &consumed);
      guint64 offset = self->offset;

      if (scan == IMU_GT3X_SCAN_NEED_MORE || scan == IMU_GT3X_SCAN_END)
        break;
      self->start += consumed;
      self->offset += consumed;
      switch (scan)
        {
        case IMU_GT3X_SCAN_RECORD:
          self->n_records++;
          self->resyncing = FALSE;
          if (!decode_record (self, &record, offset, error))
            return FALSE;
          break;
        case IMU_GT3X_SCAN_CORRUPT:
          self->n_records++;
          if (!self->resyncing)
            issue (self, IMU_ISSUE_CORRUPT_RECORD, self->n_records);
          self->resyncing = FALSE;
          break;
        case IMU_GT3X_SCAN_JUNK:
          if (!self->resyncing)
            issue (self, IMU_ISSUE_CORRUPT_RECORD, self->n_records + 1);
          self->resyncing = TRUE;
          break;
        case IMU_GT3X_SCAN_TRUNCATED:
          issue (self, IMU_ISSUE_TRUNCATED_RECORD, self->n_records + 1);
          break;
        case IMU_GT3X_SCAN_PADDING:
        case IMU_GT3X_SCAN_NEED_MORE:
        case IMU_GT3X_SCAN_END:
          break;
        }
    }
  /* Keep the buffer at most a record and a feed long. */
  if (self->start > 0 && (self->start >= self->buf->len || self->start > IMU_GT3X_MAX_RECORD))
    {
      g_byte_array_remove_range (self->buf, 0, (guint) self->start);
      self->start = 0;
    }
  return TRUE;
}

gboolean
imu_gt3x_decoder_feed (ImuGt3xDecoder  *self,
                       const guint8    *data,
                       gsize            len,
                       GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  /* Fed in pieces no larger than a record, so that the buffer stays small
   * whatever the caller hands over. */
  while (len > 0)
    {
      gsize n = MIN (len, (gsize) IMU_GT3X_MAX_RECORD);

      g_byte_array_append (self->buf, data, (guint) n);
      data += n;
      len -= n;
      if (!scan_buffer (self, FALSE, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
imu_gt3x_decoder_end (ImuGt3xDecoder  *self,
                      GError         **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (!scan_buffer (self, TRUE, error))
    return FALSE;
  /* A sleep that lasted to the end of the recording: filled up to the
   * last record, as pygt3x does. */
  if (self->sleeping && self->have_record)
    {
      self->sleeping = FALSE;
      return fill_idle_sleep (self, self->last_record_ts, error);
    }
  return TRUE;
}

gint64
imu_gt3x_decoder_get_n_records (ImuGt3xDecoder *self)
{
  return self->n_records;
}

gint64
imu_gt3x_decoder_get_n_recorded (ImuGt3xDecoder *self)
{
  return self->n_recorded;
}

gint64
imu_gt3x_decoder_get_n_filled (ImuGt3xDecoder *self)
{
  return self->n_filled;
}

guint
imu_gt3x_decoder_get_n_idle_sleeps (ImuGt3xDecoder *self)
{
  return self->n_idle_sleeps;
}

double
imu_gt3x_decoder_get_sample_rate (ImuGt3xDecoder *self)
{
  return self->rate;
}

double
imu_gt3x_decoder_get_accel_scale (ImuGt3xDecoder *self)
{
  return self->scale;
}
