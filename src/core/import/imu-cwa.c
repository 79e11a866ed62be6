/* imu-cwa.c — decoding Axivity CWA files (AX3, AX6) from bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Written from Open Movement's description of the format
 * (Docs/ax3/ax3-technical.md, digitalinteraction/openmovement). Every
 * field is little-endian and the structures are packed, so they are read
 * byte by byte at their documented offsets.
 */
#define G_LOG_DOMAIN "imu-import"

#include <math.h>
#include <string.h>

#include "imu-cwa.h"

#define NS_PER_S G_GINT64_CONSTANT (1000000000)

static inline guint16
le16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar. */
static gint64
days_from_civil (int y, int m, int d)
{
  int era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (gint64) era * 146097 + doe - 719468;
}

gint64
imu_cwa_time_to_local_ns (guint32 packed)
{
  int year = 2000 + (int) (packed >> 26);
  int month = (packed >> 22) & 0x0f;
  int day = (packed >> 17) & 0x1f;
  int hour = (packed >> 12) & 0x1f;
  int minute = (packed >> 6) & 0x3f;
  int second = packed & 0x3f;

  if (month < 1 || month > 12 || day < 1 || day > g_date_get_days_in_month ((GDateMonth) month, (GDateYear) year)
      || hour > 23 || minute > 59 || second > 59)
    return IMU_CWA_TIME_INVALID;
  return ((days_from_civil (year, month, day) * 24 + hour) * 60 + minute) * 60 * NS_PER_S
         + (gint64) second * NS_PER_S;
}

static gint64
header_time (guint32 packed)
{
  if (packed == 0)
    return IMU_CWA_TIME_ALWAYS;
  if (packed == 0xffffffff)
    return IMU_CWA_TIME_NEVER;
  return imu_cwa_time_to_local_ns (packed);
}

/* 3200 / 2^(15 − n) Hz */
static double
rate_from_code (guint8 code)
{
  return 3200.0 / (double) (1 << (15 - (code & 0x0f)));
}

gboolean
imu_cwa_header_parse (const guint8 *buf,
                      gsize         len,
                      ImuCwaHeader *header)
{
  ImuCwaHeader h = { 0 };
  guint16 upper;
  gsize n;

  if (len < 512 || buf[0] != 'M' || buf[1] != 'D' || le16 (buf + 2) < 508)
    return FALSE;

  h.hardware_type = buf[4];
  if (h.hardware_type == 0x00 || h.hardware_type == 0x17 || h.hardware_type == 0xff)
    g_strlcpy (h.model, "AX3", sizeof h.model);
  else if (h.hardware_type == 0x64)
    g_strlcpy (h.model, "AX6", sizeof h.model);
  else
    g_snprintf (h.model, sizeof h.model, "0x%02x", h.hardware_type);

  h.device_id = le16 (buf + 5);
  /* The upper word came later: erased (0xffff) in older files. */
  upper = le16 (buf + 11);
  if (upper != 0xffff)
    h.device_id |= (guint32) upper << 16;
  h.session_id = le32 (buf + 7);
  h.logging_start_ns = header_time (le32 (buf + 13));
  h.logging_end_ns = header_time (le32 (buf + 17));
  h.sensor_config = buf[35];
  h.rate_code = buf[36];
  h.rate_hz = rate_from_code (h.rate_code);
  h.accel_range_g = 16 >> (h.rate_code >> 6);
  /* 0x00 and 0xff: accelerometer only; else the low nibble is the
   * gyroscope's range (8000 / 2^n deg/s), the high one the magnetometer. */
  if (h.sensor_config != 0x00 && h.sensor_config != 0xff)
    {
      h.gyro_range_dps = 8000 >> (h.sensor_config & 0x0f);
      h.has_mag = (h.sensor_config >> 4) != 0;
    }
  h.last_change_ns = header_time (le32 (buf + 37));
  h.firmware = buf[41];

  /* 448 bytes of text, padded with spaces, NULs or erased flash (0xff). */
  n = 448;
  while (n > 0 && (buf[64 + n - 1] == 0x20 || buf[64 + n - 1] == 0x00 || buf[64 + n - 1] == 0xff))
    n--;
  memcpy (h.metadata, buf + 64, n);
  h.metadata[n] = '\0';

  *header = h;
  return TRUE;
}

static int
hex_digit (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* URL-decodes [start, end): "%2C" is a byte, '+' a space; made valid UTF-8. */
static char *
url_decode (const char *start, const char *end)
{
  g_autoptr(GString) out = g_string_sized_new (end - start);

  for (const char *p = start; p < end; p++)
    {
      if (*p == '+')
        g_string_append_c (out, ' ');
      else if (*p == '%' && end - p >= 3 && hex_digit (p[1]) >= 0 && hex_digit (p[2]) >= 0)
        {
          g_string_append_c (out, (char) (hex_digit (p[1]) * 16 + hex_digit (p[2])));
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_utf8_make_valid (out->str, (gssize) out->len);
}

gboolean
imu_cwa_metadata_next (const char **cursor,
                       char       **name,
                       char       **value)
{
  const char *p = *cursor;

  for (;;)
    {
      const char *end, *eq;

      if (p == NULL || *p == '\0')
        {
          *cursor = p;
          return FALSE;
        }
      end = strchr (p, '&');
      if (end == NULL)
        end = p + strlen (p);
      eq = memchr (p, '=', end - p);
      if (eq == NULL)
        eq = end;
      if (eq > p)
        {
          *name = url_decode (p, eq);
          *value = eq < end ? url_decode (eq + 1, end) : g_strdup ("");
          *cursor = *end == '&' ? end + 1 : end;
          return TRUE;
        }
      /* "&&" or "=value": nothing to name. */
      p = *end == '&' ? end + 1 : end;
    }
}

ImuCwaBlockStatus
imu_cwa_block_decode (const guint8       *buf,
                      const ImuCwaHeader *header,
                      ImuCwaBlock        *block)
{
  guint16 sum = 0, fractional, light_scale;
  guint8 num_axes_bps;
  guint axes, bytes_per_sample, capacity;
  gint32 time_index;
  gint64 t;
  int gyro_range;
  double accel_scale;
  const guint8 *data = buf + 30;

  if (buf[0] != 'A' || buf[1] != 'X' || le16 (buf + 2) != 508)
    return IMU_CWA_BLOCK_NOT_DATA;
  for (guint i = 0; i < IMU_CWA_BLOCK_BYTES; i += 2)
    sum = (guint16) (sum + le16 (buf + i));
  if (sum != 0)
    return IMU_CWA_BLOCK_CHECKSUM;

  /* Top nibble: axes (3 accel; 6 gyro, accel; 9 gyro, accel, mag); bottom
   * nibble: 0 for packed DWORDs (3 axes only), 2 for int16 values. */
  num_axes_bps = buf[25];
  axes = num_axes_bps >> 4;
  if ((num_axes_bps & 0x0f) == 0 && axes == 3)
    bytes_per_sample = 4;
  else if ((num_axes_bps & 0x0f) == 2 && (axes == 3 || axes == 6 || axes == 9))
    bytes_per_sample = 2 * axes;
  else
    return IMU_CWA_BLOCK_BAD_FORMAT;
  capacity = 480 / bytes_per_sample;

  block->session_id = le32 (buf + 6);
  block->sequence_id = le32 (buf + 10);
  block->rate_code = buf[24];
  block->n_axes = axes;
  block->packed = bytes_per_sample == 4 && axes == 3 && (num_axes_bps & 0x0f) == 0;
  block->n_samples = le16 (buf + 28);
  if (block->n_samples > capacity)
    return IMU_CWA_BLOCK_BAD_FORMAT;
  time_index = (gint16) le16 (buf + 26);
  /* The very first firmware wrote no rate code and the rate where the
   * time index now is. */
  if (block->rate_code == 0)
    {
      if (time_index <= 0)
        return IMU_CWA_BLOCK_BAD_FORMAT;
      block->rate_hz = time_index;
    }
  else
    block->rate_hz = rate_from_code (block->rate_code);

  if ((t = imu_cwa_time_to_local_ns (le32 (buf + 14))) == IMU_CWA_TIME_INVALID)
    return IMU_CWA_BLOCK_BAD_TIME;
  /* With the top bit set, the device-id field holds the timestamp's
   * fraction (15 bits of 1/32768 s), and the time index was moved to the
   * sample nearest the whole second, assuming the nominal rate: undo that,
   * so that the index is the sample the fractional time was taken at. */
  fractional = le16 (buf + 4);
  if (fractional & 0x8000)
    {
      gint64 f = (gint64) (fractional & 0x7fff) << 1;

      time_index += (gint32) ((f * (gint64) block->rate_hz) >> 16);
      t += (f * NS_PER_S + 32768) / 65536;
    }
  block->time_local_ns = t;
  block->time_index = time_index;

  /* AAAGGGLLLLLLLLLL: unpacked accel scale 1/2^(8+A) g, gyro range
   * 8000/2^G deg/s (0: the header's), light in the low ten bits. */
  light_scale = le16 (buf + 18);
  /* A power of two: multiplying by it is exact. */
  accel_scale = ldexp (1.0, -(8 + ((light_scale >> 13) & 0x07)));
  gyro_range = (light_scale >> 10) & 0x07 ? 8000 >> ((light_scale >> 10) & 0x07)
               : header != NULL && header->gyro_range_dps > 0 ? header->gyro_range_dps : 2000;
  block->aux.light = light_scale & 0x3ff;
  block->aux.temperature_c = (le16 (buf + 20) & 0x3ff) * 75.0 / 256.0 - 50.0;
  block->aux.events = buf[22];
  block->aux.battery = buf[23];

  for (guint i = 0; i < block->n_samples; i++)
    {
      if (block->packed)
        {
          /* eezzzzzz zzzzyyyy yyyyyyxx xxxxxxxx: 10-bit signed values,
           * shifted left by the exponent, in 1/256 g. */
          guint32 v = le32 (data + 4 * i);
          guint e = v >> 30;

          for (guint a = 0; a < 3; a++)
            {
              gint32 raw = (gint32) ((v >> (10 * a)) & 0x3ff);

              raw = (raw ^ 0x200) - 0x200;
              block->accel[i][a] = (double) (raw * (1 << e)) * accel_scale;
            }
        }
      else
        {
          const guint8 *s = data + bytes_per_sample * i;
          guint accel_at = axes >= 6 ? 3 : 0;

          for (guint a = 0; a < 3; a++)
            block->accel[i][a] = (double) (gint16) le16 (s + 2 * (accel_at + a)) * accel_scale;
          if (axes >= 6)
            for (guint a = 0; a < 3; a++)
              block->gyro[i][a] = (double) (gint16) le16 (s + 2 * a) * gyro_range / 32768.0;
          if (axes == 9)
            for (guint a = 0; a < 3; a++)
              block->mag[i][a] = (double) (gint16) le16 (s + 2 * (6 + a)) / 16.0;
        }
    }
  return IMU_CWA_BLOCK_OK;
}

/* ---- the timeline ---- */

typedef struct {
  gint64    x;            /* index of the sample within its run */
  gint64    block_index;
  double    v[9];         /* accel, gyro, mag */
  guint     n_axes;
  gboolean  first;        /* the first sample of its block: aux is set */
  ImuCwaAux aux;
} Pending;

typedef struct {
  gint64 x;                /* sample index within the run */
  gint64 t;                /* local ns */
} Anchor;

struct _ImuCwaTimeline {
  ImuCwaSampleFunc func;
  gpointer         user_data;

  gboolean in_run;
  GArray  *anchors;        /* of Anchor, x and t increasing: the run's last few */
  double   rate_hz;        /* of the run's first block, for a run of one */
  gint64   next_x;         /* index of the next block's first sample */
  guint32  session_id, sequence_id;
  guint8   rate_code;
  guint    n_axes;
  gboolean packed;

  GArray  *pending;        /* of Pending, ordered by x */
};

ImuCwaTimeline *
imu_cwa_timeline_new (ImuCwaSampleFunc func,
                      gpointer         user_data)
{
  ImuCwaTimeline *self = g_new0 (ImuCwaTimeline, 1);

  self->func = func;
  self->user_data = user_data;
  self->anchors = g_array_new (FALSE, FALSE, sizeof (Anchor));
  self->pending = g_array_sized_new (FALSE, FALSE, sizeof (Pending), 2 * IMU_CWA_MAX_SAMPLES);
  return self;
}

void
imu_cwa_timeline_free (ImuCwaTimeline *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->anchors);
  g_array_unref (self->pending);
  g_free (self);
}

/* Adds a double offset to a time, saturating at the int64 range. */
static gint64
add_offset (gint64 t, double offset_ns)
{
  double r = (double) t + round (offset_ns);

  if (r >= 9.2e18)
    return G_MAXINT64;
  if (r <= -9.2e18)
    return G_MININT64;
  return t + (gint64) round (offset_ns);
}

static const Anchor *
anchor (ImuCwaTimeline *self, guint i)
{
  return &g_array_index (self->anchors, Anchor, i);
}

/* The segment that places sample @x: between the last anchor at or before
 * it and the next; the first segment before the first anchor, the last
 * after the last. Needs two anchors. */
static guint
segment_of (ImuCwaTimeline *self, gint64 x)
{
  guint m = 0;

  while (m + 2 < self->anchors->len && anchor (self, m + 1)->x <= x)
    m++;
  return m;
}

static gint64
time_of (ImuCwaTimeline *self, gint64 x)
{
  const Anchor *a, *b;

  if (self->anchors->len < 2)
    {
      a = anchor (self, 0);
      return add_offset (a->t, (double) (x - a->x) * 1e9 / self->rate_hz);
    }
  a = anchor (self, segment_of (self, x));
  b = a + 1;
  return add_offset (a->t, (double) (x - a->x) * (double) (b->t - a->t) / (double) (b->x - a->x));
}

/* Emits the pending samples whose segment is known: an anchor after them
 * has been seen (all of them at the end of a run). */
static gboolean
emit (ImuCwaTimeline *self, gboolean all, GError **error)
{
  guint done = 0;
  gint64 lo;

  if (self->anchors->len == 0 || (!all && self->anchors->len < 2))
    return TRUE;
  for (; done < self->pending->len; done++)
    {
      const Pending *p = &g_array_index (self->pending, Pending, done);

      if (!all && p->x >= anchor (self, self->anchors->len - 1)->x)
        break;
      if (!self->func (time_of (self, p->x), p->v, p->n_axes >= 6 ? p->v + 3 : NULL,
                       p->n_axes == 9 ? p->v + 6 : NULL, p->first ? &p->aux : NULL, p->block_index,
                       self->user_data, error))
        return FALSE;
    }
  /* What is left (the samples after the last anchor, about a block) moves
   * to the front, so that the array stays the size of a block or two. */
  if (done > 0)
    g_array_remove_range (self->pending, 0, done);

  /* Anchors no sample to come can need: every later sample lies at or
   * after @lo, so an anchor followed by one at or before @lo is done. */
  lo = self->pending->len > 0 ? g_array_index (self->pending, Pending, 0).x : self->next_x;
  while (self->anchors->len > 2 && anchor (self, 1)->x <= lo)
    g_array_remove_index (self->anchors, 0);
  return TRUE;
}

gboolean
imu_cwa_timeline_break (ImuCwaTimeline *self,
                        GError        **error)
{
  if (!self->in_run)
    return TRUE;
  self->in_run = FALSE;
  if (!emit (self, TRUE, error))
    return FALSE;
  g_array_set_size (self->pending, 0);
  g_array_set_size (self->anchors, 0);
  return TRUE;
}

/* Whether @block carries on the run: the next block of the same session
 * and format, its anchor after the last one at no more than twice or less
 * than half the nominal rate. */
static gboolean
continues_run (ImuCwaTimeline *self, const ImuCwaBlock *block)
{
  const Anchor *last = anchor (self, self->anchors->len - 1);
  gint64 x = self->next_x + block->time_index;
  double rate;

  if (block->sequence_id != self->sequence_id + 1 || block->session_id != self->session_id
      || block->rate_code != self->rate_code || block->n_axes != self->n_axes || block->packed != self->packed
      || x <= last->x || block->time_local_ns <= last->t)
    return FALSE;
  rate = (double) (x - last->x) / ((double) (block->time_local_ns - last->t) / 1e9);
  return rate <= 2.0 * block->rate_hz && rate >= 0.5 * block->rate_hz;
}

gboolean
imu_cwa_timeline_push (ImuCwaTimeline    *self,
                       const ImuCwaBlock *block,
                       gint64             block_index,
                       GError           **error)
{
  gint64 base;
  Anchor a;

  if (self->in_run && !continues_run (self, block) && !imu_cwa_timeline_break (self, error))
    return FALSE;
  if (!self->in_run)
    {
      self->in_run = TRUE;
      self->next_x = 0;
      self->rate_hz = block->rate_hz;
    }
  self->session_id = block->session_id;
  self->sequence_id = block->sequence_id;
  self->rate_code = block->rate_code;
  self->n_axes = block->n_axes;
  self->packed = block->packed;

  base = self->next_x;
  for (guint i = 0; i < block->n_samples; i++)
    {
      Pending p = { .x = base + i, .block_index = block_index, .n_axes = block->n_axes, .first = i == 0 };

      memcpy (p.v, block->accel[i], sizeof block->accel[i]);
      if (block->n_axes >= 6)
        memcpy (p.v + 3, block->gyro[i], sizeof block->gyro[i]);
      if (block->n_axes == 9)
        memcpy (p.v + 6, block->mag[i], sizeof block->mag[i]);
      if (i == 0)
        p.aux = block->aux;
      g_array_append_val (self->pending, p);
    }
  self->next_x = base + block->n_samples;

  /* The block's anchor; the samples before it can now be placed (a block's
   * first samples may even lie before the previous block's anchor). */
  a.x = base + block->time_index;
  a.t = block->time_local_ns;
  g_array_append_val (self->anchors, a);
  return emit (self, FALSE, error);
}
