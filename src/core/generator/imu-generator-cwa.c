/* imu-generator-cwa.c — the generator's recording as an Axivity AX3 device file
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written from Open Movement's description of the format
 * (Docs/ax3/ax3-technical.md, digitalinteraction/openmovement): a 1024-byte
 * header block ("MD"), then 512-byte data blocks ("AX") of 120 packed
 * samples each, every field little-endian at its documented offset. What
 * a real AX3 does and the document leaves to its firmware is done as the
 * firmware does it (Firmware/AX3, Logger.c and Accel-ADXL345.c):
 *
 * - The ADXL345 counts 1/256 g in full resolution; packing keeps 10 bits
 *   per axis by shifting every value right by a fixed exponent, 3 minus
 *   the range bits of the rate code: at ±8 g, exponent 2, so a stored
 *   value is ⌊count / 4⌋ and reads back as a multiple of 1/64 g.
 * - The sub-second time is taken whenever the sensor's FIFO has 25 new
 *   samples; a block carries the last one taken when it is full, so its
 *   anchor is the first multiple of 25 samples at or after the block's
 *   end. The fraction goes into the top-bit-flagged device-id field (15
 *   bits of 1/32768 s), and the time offset is moved back by fraction ×
 *   rate, the way readers expect to undo it.
 * - The first block flags "resume logging" (events bit 0).
 *
 * The device samples on its own grid: sample k is at start + k / rate
 * exactly (the generator's timestamp jitter is a CSV's, not a device's).
 * With a start on a whole second, 25 samples are 2^n / 128 s at every AX3
 * rate, so every anchor is exact in 1/32768 s and a reader gets every
 * sample's time back to the nanosecond. The clock is written as UTC.
 */
#define G_LOG_DOMAIN "imu-generator"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "imu-generator.h"

#define NS_PER_S        G_GINT64_CONSTANT (1000000000)
#define HEADER_BYTES    1024
#define BLOCK_BYTES     512
#define BLOCK_SAMPLES   120     /* 480 bytes of packed 4-byte samples */
#define FIFO_SAMPLES    25      /* the firmware takes a time every 25 samples */
#define BUFFER_BLOCKS   512     /* 256 KiB written at a time */
#define FIRMWARE        45
#define HARDWARE_AX3    0x00
/* Times a packed CWA timestamp can hold: 2000 to 2063. */
#define FIRST_YEAR      2000
#define LAST_YEAR       2063

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

/* The date of a day since 1970-01-01 (proleptic Gregorian). */
static void
civil_from_days (gint64 z, int *y, int *m, int *d)
{
  gint64 era, doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int) (doy - (153 * mp + 2) / 5 + 1);
  *m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *y = (int) (yoe + era * 400 + (*m <= 2));
}

/* YYYYYYMM MMDDDDDh hhhhmmmm mmssssss of whole seconds since the epoch,
 * years since 2000 (the caller checks the range). */
static guint32
pack_time (gint64 s)
{
  gint64 days = s / 86400, rest = s % 86400;
  int y, m, d;

  civil_from_days (days, &y, &m, &d);
  return ((guint32) (y - FIRST_YEAR) << 26) | ((guint32) m << 22) | ((guint32) d << 17)
         | ((guint32) (rest / 3600) << 12) | ((guint32) (rest / 60 % 60) << 6) | (guint32) (rest % 60);
}

static gint64
floor_div (gint64 a, gint64 b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* splitmix64: the light and temperature noise, the ids. */
static guint64
mix (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static double
noise (guint64 *state)
{
  return (double) (mix (state) >> 11) / (double) (G_GUINT64_CONSTANT (1) << 52) - 1.0;
}

/* The rate code of an AX3 rate (3200 / 2^(15 − code) Hz, codes 6–15), or 0. */
static guint8
rate_code (double rate_hz)
{
  for (guint8 code = 6; code <= 15; code++)
    if (rate_hz == 3200.0 / (double) (1 << (15 - code)))
      return code;
  return 0;
}

static guint8
range_bits (int range_g)
{
  switch (range_g)
    {
    case 16: return 0;
    case 8:  return 1;
    case 4:  return 2;
    default: return 3;  /* ±2 g */
    }
}

static void
ids_for_seed (guint64 seed, guint32 *device_id, guint32 *session_id)
{
  guint64 state = seed ^ G_GUINT64_CONSTANT (0x4158334357410000);  /* "AX3CWA" */

  /* Five digits, as the serial numbers on AX3 devices are. */
  *device_id = 10000 + (guint32) (mix (&state) % 60000);
  *session_id = 1 + (guint32) (mix (&state) % 999999999);
}

/* One count of the sensor (1/256 g), clamped to the range, then shifted
 * right by the packing exponent as the firmware does (⌊count / 2^e⌋). */
static inline guint32
pack_axis (double g, int range_g, guint exponent)
{
  double c = round (g * 256.0);
  double max = range_g * 256.0 - 1.0, min = -range_g * 256.0;
  gint64 count = (gint64) (c > max ? max : c < min ? min : c);

  return (guint32) floor_div (count, (gint64) 1 << exponent) & 0x3ff;
}

static void
write_header (guint8                       *h,
              const ImuGeneratorCwaOptions *options,
              guint32                       device_id,
              guint32                       session_id,
              guint8                        code,
              gint64                        end_s)
{
  gint64 start_s = options->start_ns / NS_PER_S;
  g_autofree char *annotation = NULL;
  gsize len;

  /* Unwritten flash reads 0xff, as the reserved parts of real files do. */
  memset (h, 0xff, HEADER_BYTES);
  h[0] = 'M';
  h[1] = 'D';
  put16 (h + 2, HEADER_BYTES - 4);
  h[4] = HARDWARE_AX3;
  put16 (h + 5, (guint16) device_id);
  put32 (h + 7, session_id);
  put16 (h + 11, (guint16) (device_id >> 16));
  put32 (h + 13, pack_time (start_s));
  put32 (h + 17, pack_time (end_s));
  put32 (h + 21, 0);                      /* logging capacity: unlimited */
  h[26] = 0;                              /* no LED while logging */
  h[35] = 0xff;                           /* AX3: accelerometer only */
  h[36] = code;
  /* Configured an hour before the recording began. */
  put32 (h + 37, pack_time (MAX (start_s - 3600, (gint64) 946684800)));
  h[41] = FIRMWARE;
  put16 (h + 42, 0xffff);                 /* time zone: unknown */

  /* The annotation, URL-encoded name=value pairs padded with spaces, as
   * OmGui writes it. */
  annotation = g_strdup_printf ("_p=waist&_n=Synthetic+recording+(imu+generate+--seed+%" G_GUINT64_FORMAT ")", options->seed);
  memset (h + 64, ' ', 448);
  len = MIN (strlen (annotation), 448);
  memcpy (h + 64, annotation, len);
}

typedef struct {
  guint64 state;
} Aux;

/* Light (raw, 10 bits), temperature (raw: °C = raw × 75/256 − 50) and
 * battery (the byte) of a block whose anchor is at @t_s on the device
 * clock, @elapsed_s into the recording. Light follows day and night on the device clock; the skin
 * temperature a slow daily wave; the battery runs down over two weeks. */
static void
aux_at (Aux *aux, gint64 t_s, gint64 elapsed_s, guint16 *light, guint16 *temperature, guint8 *battery)
{
  double hour = (double) (t_s % 86400) / 3600.0;
  double day = 0.5 - 0.5 * cos (2.0 * G_PI * (hour - 1.0) / 24.0);   /* 0 at 1 am, 1 at 1 pm */
  double lux = hour >= 7.0 && hour < 22.0 ? 250.0 + 450.0 * day : 8.0;
  double celsius = 30.0 + 1.2 * sin (2.0 * G_PI * (hour - 9.0) / 24.0) + 0.15 * noise (&aux->state);
  double level = 205.0 - 45.0 * (double) elapsed_s / (14.0 * 86400.0);

  lux *= 1.0 + 0.25 * noise (&aux->state);
  *light = (guint16) CLAMP (lround (lux), 0, 1023);
  *temperature = (guint16) CLAMP (lround ((celsius + 50.0) * 256.0 / 75.0), 0, 1023);
  *battery = (guint8) CLAMP (lround (level), 0, 255);
}

static gboolean
flush (GOutputStream *out, const guint8 *buf, gsize len, GCancellable *cancellable, GError **error)
{
  return len == 0 || g_output_stream_write_all (out, buf, len, NULL, cancellable, error);
}

gboolean
imu_generator_cwa_rate_valid (double rate_hz)
{
  return rate_code (rate_hz) != 0;
}

gboolean
imu_generator_write_cwa (GOutputStream                 *out,
                         const ImuGeneratorCwaOptions  *options,
                         ImuProgressFunc                progress,
                         gpointer                       progress_data,
                         GCancellable                  *cancellable,
                         GError                       **error)
{
  g_autoptr(ImuGenerator) gen = NULL;
  g_autofree guint8 *buf = NULL;
  guint32 device_id, session_id;
  gint64 n_samples, n_blocks, period_ns, start_s, end_s, prev_anchor = -1;
  guint8 code, range;
  guint exponent;
  gsize used = 0;
  Aux aux = { 0 };
  int y, m, d;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  code = rate_code (options->rate_hz);
  if (code == 0)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("An AX3 samples at 6.25, 12.5, 25, 50, 100, 200, 400, 800, 1600 or 3200 Hz, "
                     "not at %g Hz: give one of these rates"), options->rate_hz);
      return FALSE;
    }
  if (options->duration_ns < 0)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("Duration is negative: give a length of zero or more"));
      return FALSE;
    }
  if (options->start_ns % NS_PER_S != 0)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("A device file starts on a whole second of its clock: give a start time "
                     "without a fraction of a second"));
      return FALSE;
    }
  start_s = options->start_ns / NS_PER_S;
  end_s = start_s + (options->duration_ns + NS_PER_S - 1) / NS_PER_S;
  civil_from_days (floor_div (start_s, 86400), &y, &m, &d);
  if (y >= FIRST_YEAR)
    civil_from_days (floor_div (end_s, 86400), &y, &m, &d);
  if (start_s < 0 || y < FIRST_YEAR || y > LAST_YEAR)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("A CWA file holds times from %d to %d only: give a start and length "
                     "within these years"), FIRST_YEAR, LAST_YEAR);
      return FALSE;
    }

  gen = imu_generator_new (options->seed, options->rate_hz, options->start_ns, error);
  if (gen == NULL)
    return FALSE;

  ids_for_seed (options->seed, &device_id, &session_id);
  if (options->device_id != 0)
    device_id = options->device_id;
  if (options->session_id != 0)
    session_id = options->session_id;
  range = range_bits (IMU_GENERATOR_CWA_RANGE_G);
  exponent = 3 - range;
  code |= (guint8) (range << 6);
  aux.state = options->seed ^ G_GUINT64_CONSTANT (0x6c69676874);       /* "light" */
  /* 3200 / 2^(15 − code) Hz: a whole number of ns per sample at every rate. */
  period_ns = G_GINT64_CONSTANT (312500) << (15 - (code & 0x0f));

  n_samples = imu_generator_count_samples (options->duration_ns, options->rate_hz);
  n_blocks = (n_samples + BLOCK_SAMPLES - 1) / BLOCK_SAMPLES;

  buf = g_malloc (BUFFER_BLOCKS * BLOCK_BYTES);
  write_header (buf, options, device_id, session_id, code, end_s);
  used = HEADER_BYTES;

  for (gint64 b = 0; b < n_blocks; b++)
    {
      guint8 *p = buf + used;
      gint64 first = b * BLOCK_SAMPLES;
      guint n = (guint) MIN (BLOCK_SAMPLES, n_samples - first);
      gint64 anchor, t_ns, whole_s;
      guint32 frac15;
      gint32 offset;
      guint16 light, temperature, sum = 0;
      guint8 battery;

      /* The last time the FIFO gave when the block was full: the first
       * multiple of 25 samples at or after its end (after the previous
       * block's, for a last block cut short by the end of the recording). */
      anchor = (first + n + FIFO_SAMPLES - 1) / FIFO_SAMPLES * FIFO_SAMPLES;
      if (anchor <= prev_anchor)
        anchor = prev_anchor + FIFO_SAMPLES;
      prev_anchor = anchor;
      t_ns = options->start_ns + anchor * period_ns;
      whole_s = t_ns / NS_PER_S;
      frac15 = (guint32) ((t_ns % NS_PER_S) * 32768 / NS_PER_S);
      /* Readers add ⌊fraction16 × rate / 65536⌋ back (the firmware's
       * integer rate), so the index comes back as the anchor. */
      offset = (gint32) (anchor - first) - (gint32) (((gint64) frac15 << 1) * (gint64) options->rate_hz >> 16);
      aux_at (&aux, whole_s, whole_s - start_s, &light, &temperature, &battery);

      memset (p, 0, BLOCK_BYTES);
      p[0] = 'A';
      p[1] = 'X';
      put16 (p + 2, BLOCK_BYTES - 4);
      put16 (p + 4, (guint16) (0x8000 | frac15));
      put32 (p + 6, session_id);
      put32 (p + 10, (guint32) b);
      put32 (p + 14, pack_time (whole_s));
      put16 (p + 18, light);                /* AX3: the scale bits are zero */
      put16 (p + 20, temperature);
      p[22] = b == 0 ? 0x01 : 0x00;          /* resume logging */
      p[23] = battery;
      p[24] = code;
      p[25] = 0x30;                          /* 3 axes, packed */
      put16 (p + 26, (guint16) (gint16) offset);
      put16 (p + 28, (guint16) n);

      for (guint i = 0; i < n; i++)
        {
          double acc[3], gyr[3];
          guint32 v;

          imu_generator_next (gen, acc, gyr);
          v = pack_axis (acc[0], IMU_GENERATOR_CWA_RANGE_G, exponent)
              | pack_axis (acc[1], IMU_GENERATOR_CWA_RANGE_G, exponent) << 10
              | pack_axis (acc[2], IMU_GENERATOR_CWA_RANGE_G, exponent) << 20
              | (guint32) exponent << 30;
          put32 (p + 30 + 4 * i, v);
        }

      /* The 16-bit word sum of the whole block is zero. */
      for (guint i = 0; i < BLOCK_BYTES - 2; i += 2)
        sum = (guint16) (sum + (p[i] | (p[i + 1] << 8)));
      put16 (p + BLOCK_BYTES - 2, (guint16) (0x10000 - sum));
      used += BLOCK_BYTES;

      if (used == BUFFER_BLOCKS * BLOCK_BYTES)
        {
          if (!flush (out, buf, used, cancellable, error))
            return FALSE;
          used = 0;
          if (progress != NULL)
            progress ((guint64) (first + n), (guint64) n_samples, progress_data);
        }
    }

  if (!flush (out, buf, used, cancellable, error))
    return FALSE;
  if (progress != NULL)
    progress ((guint64) n_samples, (guint64) n_samples, progress_data);
  return TRUE;
}
