/* imu-generator-gt3x.c — the generator's recording as an ActiGraph .gt3x file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written from ActiGraph's description of the format
 * (github.com/actigraph/GT3X-File-Format: README, info.txt and
 * LogRecords/), and laid out as a wGT3X-BT with firmware 1.9.2 lays out
 * its files: a zip whose entries are stored, not deflated, log.bin before
 * info.txt, info.txt with CRLF line ends; log.bin opens with METADATA
 * records and one PARAMETERS record, then one ACTIVITY record (packed
 * 12-bit samples, Y, X, Z) per second of the device's wall clock, with a
 * BATTERY and a LUX record at the start of every minute.
 *
 * Both entries' sizes are known before a byte is written (a record's
 * length follows from the rate alone), so the zip is written as it goes,
 * in flat memory, whatever the length.
 */
#define G_LOG_DOMAIN "imu-generator"

#include <archive.h>
#include <archive_entry.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "imu-generator.h"
#include "imu-gt3x.h"

#define NS_PER_S          G_GINT64_CONSTANT (1000000000)
#define TICKS_PER_S       G_GINT64_CONSTANT (10000000)
#define MIN_RATE_HZ       30
#define MAX_RATE_HZ       100
#define PARAMETER_PAIRS   5
#define AUX_PAYLOAD       2           /* BATTERY and LUX: one u16 */
#define FIRMWARE_TEXT     "1.9.2"
#define FIRMWARE_CODE     ((1u << 24) | (9u << 16) | 2u)
#define MAX_SERIAL        64

typedef struct {
  GOutputStream *out;
  GCancellable  *cancellable;
  GError        *error;
} Sink;

static la_ssize_t
sink_write_cb (struct archive *a,
               void           *user_data,
               const void     *buffer,
               size_t          length)
{
  Sink *sink = user_data;

  if (sink->error != NULL)
    return -1;
  if (!g_output_stream_write_all (sink->out, buffer, length, NULL, sink->cancellable, &sink->error))
    {
      archive_set_error (a, EIO, "%s", sink->error->message);
      return -1;
    }
  return (la_ssize_t) length;
}

static inline void
put16 (guint8 *p, guint16 v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
}

static inline void
put32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) v;
  p[1] = (guint8) (v >> 8);
  p[2] = (guint8) (v >> 16);
  p[3] = (guint8) (v >> 24);
}

/* A 12-bit value at @bit (a multiple of 4) of a zeroed buffer. */
static inline void
put12 (guint8 *p, guint64 bit, guint v)
{
  gsize byte = (gsize) (bit / 8);

  v &= 0xFFF;
  if (bit % 8 == 0)
    {
      p[byte] = (guint8) (v >> 4);
      p[byte + 1] = (guint8) ((p[byte + 1] & 0x0F) | ((v & 0x0F) << 4));
    }
  else
    {
      p[byte] = (guint8) ((p[byte] & 0xF0) | (v >> 8));
      p[byte + 1] = (guint8) v;
    }
}

/* round(g × 256), clamped to what 12 signed bits hold. */
static inline gint
count_of (double g)
{
  double c = round (g * IMU_GENERATOR_GT3X_COUNTS_PER_G);

  return (gint) CLAMP (c, -2048.0, 2047.0);
}

static gsize
activity_payload (guint rate)
{
  return ((gsize) rate * 36 + 7) / 8;
}

/* A whole record: header, @payload, checksum, into @p (room for it). */
static gsize
put_record (guint8       *p,
            guint8        type,
            guint32       timestamp,
            const guint8 *payload,
            gsize         size)
{
  p[0] = IMU_GT3X_SEPARATOR;
  p[1] = type;
  put32 (p + 2, timestamp);
  put16 (p + 6, (guint16) size);
  if (payload != NULL && payload != p + IMU_GT3X_HEADER_BYTES)
    memcpy (p + IMU_GT3X_HEADER_BYTES, payload, size);
  p[IMU_GT3X_HEADER_BYTES + size] = imu_gt3x_checksum (p, IMU_GT3X_HEADER_BYTES + size);
  return IMU_GT3X_HEADER_BYTES + size + 1;
}

/* .NET TimeSpan, as info.txt's TimeZone: "02:00:00", "-05:30:00". */
static char *
time_span_text (gint32 offset_s)
{
  guint32 a = (guint32) ABS (offset_s);

  return g_strdup_printf ("%s%02u:%02u:%02u", offset_s < 0 ? "-" : "", a / 3600, a / 60 % 60, a % 60);
}

static char *
serial_for_seed (guint64 seed)
{
  return g_strdup_printf ("MOS2E%08" G_GUINT64_FORMAT, seed % 100000000);
}

/* Battery millivolts: full at the start, a little less every ten minutes. */
static guint16
battery_mv (gint64 elapsed_s)
{
  return (guint16) MAX (4150 - elapsed_s / 600, 3600);
}

/* Lux: daylight between 07:00 and 20:00 of the wall clock, dark else. */
static guint16
lux_at (gint64 local_s)
{
  gint64 hour = (local_s % 86400 + 86400) % 86400 / 3600;

  return hour >= 7 && hour < 20 ? (guint16) (250 + 30 * (hour % 5)) : 0;
}

gboolean
imu_generator_gt3x_rate_valid (double rate_hz)
{
  return rate_hz >= MIN_RATE_HZ && rate_hz <= MAX_RATE_HZ && rate_hz == floor (rate_hz)
         && (gint) rate_hz % 10 == 0;
}

static gboolean
add_entry (struct archive *a,
           const char     *name,
           gint64          size,
           gint64          mtime_s,
           Sink           *sink,
           GError        **error)
{
  struct archive_entry *e = archive_entry_new ();
  int r;

  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, size);
  archive_entry_set_mtime (e, (time_t) mtime_s, 0);
  r = archive_write_header (a, e);
  archive_entry_free (e);
  if (r != ARCHIVE_OK)
    {
      if (sink->error != NULL)
        g_propagate_error (error, g_steal_pointer (&sink->error));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write %s of the GT3X file: %s"),
                     name, archive_error_string (a));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_data (struct archive *a,
            const void     *data,
            gsize           len,
            Sink           *sink,
            GError        **error)
{
  if (len == 0 || archive_write_data (a, data, len) == (la_ssize_t) len)
    return TRUE;
  if (sink->error != NULL)
    g_propagate_error (error, g_steal_pointer (&sink->error));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot write the GT3X file: %s"),
                 archive_error_string (a));
  return FALSE;
}

gboolean
imu_generator_write_gt3x (GOutputStream                 *out,
                          const ImuGeneratorGt3xOptions *options,
                          ImuProgressFunc                progress,
                          gpointer                       progress_data,
                          GCancellable                  *cancellable,
                          GError                       **error)
{
  g_autoptr(ImuGenerator) gen = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *zone = NULL;
  g_autofree char *info = NULL;
  g_autofree char *bio = NULL;
  g_autofree char *time_log = NULL;
  g_autofree guint8 *buf = NULL;
  struct archive *a = NULL;
  Sink sink = { out, cancellable, NULL };
  guint8 params[8 * PARAMETER_PAIRS] = { 0 };
  guint rate;
  gint64 n_seconds, start_s, local_s, log_bytes, record_bytes;
  gsize payload, used;
  gboolean ok = FALSE;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  if (!imu_generator_gt3x_rate_valid (options->rate_hz))
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("A wGT3X-BT samples at 30, 40, 50, 60, 70, 80, 90 or 100 Hz, not at %g Hz: "
                     "give one of these rates"), options->rate_hz);
      return FALSE;
    }
  if (options->duration_ns < 0 || options->duration_ns % NS_PER_S != 0)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("A GT3X file holds whole seconds of samples: give a length in whole seconds"));
      return FALSE;
    }
  if (options->start_ns % NS_PER_S != 0)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("A device file starts on a whole second of its clock: give a start time "
                     "without a fraction of a second"));
      return FALSE;
    }
  if (ABS (options->utc_offset_s) > 14 * 3600)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("A time zone is at most 14 hours from UTC, not %d s"), options->utc_offset_s);
      return FALSE;
    }
  if (options->serial != NULL && (strlen (options->serial) > MAX_SERIAL
                                  || strpbrk (options->serial, "\r\n\"\\") != NULL))
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("A serial number is one line of at most %d bytes without quotes"), MAX_SERIAL);
      return FALSE;
    }
  start_s = options->start_ns / NS_PER_S;
  n_seconds = options->duration_ns / NS_PER_S;
  local_s = start_s + options->utc_offset_s;
  /* Record timestamps are unsigned 32-bit seconds. */
  if (local_s < 0 || local_s + n_seconds > G_MAXUINT32)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("A GT3X file holds times from 1970 to 2106 only: give a start and length "
                     "within these years"));
      return FALSE;
    }

  gen = imu_generator_new (options->seed, options->rate_hz, options->start_ns, error);
  if (gen == NULL)
    return FALSE;

  rate = (guint) options->rate_hz;
  payload = activity_payload (rate);
  serial = options->serial != NULL ? g_strdup (options->serial) : serial_for_seed (options->seed);
  zone = time_span_text (options->utc_offset_s);

  /* Metadata, as ActiLife writes it when it initialises a device. */
  bio = g_strdup_printf ("{\"MetadataType\":\"Bio\",\"SubjectName\":\"%s\",\"Limb\":\"Wrist\","
                         "\"Side\":\"Left\",\"Dominance\":\"Non-Dominant\",\"Parsed\":false,\"JSON\":null}",
                         serial);
  time_log = g_strdup_printf ("{\"MetadataType\":\"LocalTimeLog\",\"UtcOffset\":\"%s\",\"Parsed\":false,"
                              "\"JSON\":null}", zone);
  put16 (params + 0, 0);
  put16 (params + 2, 55);
  put32 (params + 4, 0x09400000u);         /* ACCEL_SCALE: SSP 0.5 × 2^9 = 256 */
  put16 (params + 8, 0);
  put16 (params + 10, 13);
  put32 (params + 12, FIRMWARE_CODE);
  put16 (params + 16, 1);
  put16 (params + 18, 10);
  put32 (params + 20, rate);                /* SAMPLE_RATE */
  put16 (params + 24, 1);
  put16 (params + 26, 40);
  put32 (params + 28, (guint32) options->utc_offset_s);   /* UTC_OFFSET */
  put16 (params + 32, 1);
  put16 (params + 34, 2);
  put32 (params + 36, 0);                   /* FEATURE_ENABLE: no idle sleep */

  record_bytes = IMU_GT3X_HEADER_BYTES + (gint64) payload + 1;
  log_bytes = (IMU_GT3X_HEADER_BYTES + 1) * 3 + (gint64) strlen (bio) + (gint64) strlen (time_log)
              + (gint64) sizeof params
              + n_seconds * record_bytes
              + (n_seconds + 59) / 60 * 2 * (IMU_GT3X_HEADER_BYTES + AUX_PAYLOAD + 1);

  info = g_strdup_printf ("Serial Number: %s\r\n"
                          "Device Type: wGT3XBT\r\n"
                          "Firmware: " FIRMWARE_TEXT "\r\n"
                          "Battery Voltage: 4,15\r\n"
                          "Sample Rate: %u\r\n"
                          "Start Date: %" G_GINT64_FORMAT "\r\n"
                          "Stop Date: 0\r\n"
                          "Last Sample Time: %" G_GINT64_FORMAT "\r\n"
                          "TimeZone: %s\r\n"
                          "Download Date: %" G_GINT64_FORMAT "\r\n"
                          "Board Revision: 5\r\n"
                          "Unexpected Resets: 0\r\n"
                          "Acceleration Scale: 256.0\r\n"
                          "Acceleration Min: -8.0\r\n"
                          "Acceleration Max: 8.0\r\n"
                          "Limb: Wrist\r\n"
                          "Subject Name: %s\r\n",
                          serial, rate,
                          IMU_GT3X_TICKS_AT_UNIX_EPOCH + local_s * TICKS_PER_S,
                          IMU_GT3X_TICKS_AT_UNIX_EPOCH + (local_s + n_seconds) * TICKS_PER_S,
                          zone,
                          IMU_GT3X_TICKS_AT_UNIX_EPOCH + (local_s + n_seconds) * TICKS_PER_S,
                          serial);

  a = archive_write_new ();
  archive_write_set_format_zip (a);
  archive_write_set_options (a, "zip:compression=store");
  archive_write_set_bytes_in_last_block (a, 1);
  if (archive_write_open2 (a, &sink, NULL, sink_write_cb, NULL, NULL) != ARCHIVE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot start the GT3X file: %s"),
                   archive_error_string (a));
      goto out;
    }
  if (!add_entry (a, "log.bin", log_bytes, start_s + n_seconds, &sink, error))
    goto out;

  /* A minute of records at a time. */
  buf = g_malloc (2048 + 60 * (gsize) record_bytes + 2 * (IMU_GT3X_HEADER_BYTES + AUX_PAYLOAD + 1));
  used = put_record (buf, IMU_GT3X_RECORD_METADATA, (guint32) local_s, (const guint8 *) bio, strlen (bio));
  used += put_record (buf + used, IMU_GT3X_RECORD_METADATA, (guint32) local_s,
                      (const guint8 *) time_log, strlen (time_log));
  used += put_record (buf + used, IMU_GT3X_RECORD_PARAMETERS, (guint32) local_s, params, sizeof params);

  for (gint64 s = 0; s < n_seconds; s++)
    {
      guint8 *p;

      if (s % 60 == 0)
        {
          guint8 aux[AUX_PAYLOAD];

          if (!write_data (a, buf, used, &sink, error))
            goto out;
          used = 0;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            goto out;
          if (progress != NULL && s > 0)
            progress ((guint64) (s * rate), (guint64) (n_seconds * rate), progress_data);
          put16 (aux, battery_mv (s));
          used += put_record (buf + used, IMU_GT3X_RECORD_BATTERY, (guint32) (local_s + s), aux, sizeof aux);
          put16 (aux, lux_at (local_s + s));
          used += put_record (buf + used, IMU_GT3X_RECORD_LUX, (guint32) (local_s + s), aux, sizeof aux);
        }
      p = buf + used + IMU_GT3X_HEADER_BYTES;
      memset (p, 0, payload);
      for (guint i = 0; i < rate; i++)
        {
          double acc[3], gyr[3];
          guint64 bit = (guint64) i * 36;

          imu_generator_next (gen, acc, gyr);
          put12 (p, bit, (guint) count_of (acc[1]));
          put12 (p, bit + 12, (guint) count_of (acc[0]));
          put12 (p, bit + 24, (guint) count_of (acc[2]));
        }
      used += put_record (buf + used, IMU_GT3X_RECORD_ACTIVITY, (guint32) (local_s + s), p, payload);
    }
  if (!write_data (a, buf, used, &sink, error))
    goto out;

  if (!add_entry (a, "info.txt", (gint64) strlen (info), start_s + n_seconds, &sink, error)
      || !write_data (a, info, strlen (info), &sink, error))
    goto out;
  if (archive_write_close (a) != ARCHIVE_OK)
    {
      if (sink.error != NULL)
        g_propagate_error (error, g_steal_pointer (&sink.error));
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Cannot finish the GT3X file: %s"),
                     archive_error_string (a));
      goto out;
    }
  if (progress != NULL)
    progress ((guint64) (n_seconds * rate), (guint64) (n_seconds * rate), progress_data);
  ok = TRUE;

out:
  if (a != NULL)
    archive_write_free (a);
  g_clear_error (&sink.error);
  return ok;
}
