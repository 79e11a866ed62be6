/* bench-codec.c — size and speed of the sample codec and number parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Synthesises a day of 100 Hz, 6-channel IMU data the way a CSV import
 * delivers it (timestamps with 6 decimals of seconds and a little jitter,
 * accelerometer in g with 5 decimals and a few mg of noise, gyroscope in
 * deg/s with 3 decimals), encodes it in 4096-sample chunks and prints
 * bytes per row and encode/decode speed, against plain zstd (level 3) of
 * the same float64/int64 columns measured in the same run. Then times
 * imu_number_parse() against g_ascii_strtod() on the same text fields.
 *
 * Usage: bench-codec [HOURS] (default 24). Not part of the test suite.
 */
#define G_LOG_DOMAIN "imu-bench"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <zstd.h>

#include "imu-codec.h"
#include "imu-number.h"

#define RATE_HZ    100
#define CHUNK      4096
#define N_CHANNELS 6

/* xoshiro256** by Blackman and Vigna: fast and reproducible. */
static guint64 rng_state[4] = {
  G_GUINT64_CONSTANT (0x9E3779B97F4A7C15), G_GUINT64_CONSTANT (0xBF58476D1CE4E5B9),
  G_GUINT64_CONSTANT (0x94D049BB133111EB), G_GUINT64_CONSTANT (0x2545F4914F6CDD1D),
};

static guint64
rng_next (void)
{
  guint64 *s = rng_state;
  guint64 result = ((s[1] * 5) << 7 | (s[1] * 5) >> 57) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = (s[3] << 45) | (s[3] >> 19);
  return result;
}

static double
rng_uniform (void)
{
  return (rng_next () >> 11) * 0x1p-53;
}

static double
rng_gauss (void)
{
  double u = rng_uniform (), v = rng_uniform ();

  return sqrt (-2 * log (u + 0x1p-60)) * cos (2 * G_PI * v);
}

/* What strtod gives for the text of @x printed with @d decimals. */
static double
quantize (double x, int d)
{
  double p = pow (10, d);

  return (double) llround (x * p) / p;
}

typedef struct {
  gsize   n;
  gint64 *t;
  double *col[N_CHANNELS];
} Data;

/* A day: asleep 23:00–07:00 (still, turning over now and then), seated
 * most of the day, walking bouts of a few minutes (2 Hz steps, ±0.3 g,
 * ±80 deg/s) about 20 % of the waking time. */
static void
synthesise (Data *d, double hours)
{
  gsize n = (gsize) (hours * 3600 * RATE_HZ);
  gint64 t0_us = G_GINT64_CONSTANT (1551178506) * 1000000;
  double gx = 0, gy = 0, gz = 1;
  double walk_left = 0, still_left = 0;
  double gyro_bias[3] = { 0.12, -0.31, 0.05 };
  double phase = 0;

  d->n = n;
  d->t = g_new (gint64, n);
  for (int c = 0; c < N_CHANNELS; c++)
    d->col[c] = g_new (double, n);

  for (gsize i = 0; i < n; i++)
    {
      double hour = fmod (7 + i / (3600.0 * RATE_HZ), 24);
      gboolean asleep = hour >= 23 || hour < 7;
      double a[3] = { gx, gy, gz };
      double w[3] = { 0, 0, 0 };
      /* Timestamps: nominal 10 ms grid, a few tens of µs of jitter. */
      gint64 jitter_us = llround (rng_gauss () * 20);

      d->t[i] = (t0_us + (gint64) i * 10000 + jitter_us) * 1000;

      if (walk_left <= 0 && still_left <= 0)
        {
          if (!asleep && rng_uniform () < 0.2)
            walk_left = (60 + 240 * rng_uniform ()) * RATE_HZ;
          else
            {
              double theta = rng_uniform () * 2 * G_PI, tilt = rng_uniform () * (asleep ? 1.5 : 0.4);

              still_left = (120 + 600 * rng_uniform ()) * RATE_HZ;
              gx = sin (tilt) * cos (theta);
              gy = sin (tilt) * sin (theta);
              gz = cos (tilt);
            }
        }
      if (walk_left > 0)
        {
          walk_left--;
          phase += 2 * G_PI * 1.9 / RATE_HZ;
          a[0] += 0.30 * sin (phase) + 0.08 * sin (2 * phase + 0.5);
          a[1] += 0.15 * sin (phase / 2);
          a[2] += 0.35 * sin (phase + 1.0) + 0.10 * sin (3 * phase);
          w[0] = 80 * sin (phase / 2 + 0.3);
          w[1] = 40 * sin (phase + 0.7);
          w[2] = 25 * sin (phase / 2);
        }
      else
        {
          still_left--;
          /* Seated people fidget; sleepers barely move. */
          a[0] += (asleep ? 0.002 : 0.01) * sin (i * 0.013);
          w[0] = (asleep ? 0.3 : 2.0) * sin (i * 0.021);
        }

      for (int c = 0; c < 3; c++)
        d->col[c][i] = quantize (a[c] + 0.003 * rng_gauss (), 5);
      for (int c = 0; c < 3; c++)
        d->col[3 + c][i] = quantize (w[c] + gyro_bias[c] + 0.07 * rng_gauss (), 3);
    }
}

/* CPU time of this thread: the budget the brief sets is CPU seconds. */
static double
cpu_s (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
bench_codec (const Data *d)
{
  static const gint8 hints[N_CHANNELS] = { 5, 5, 5, 3, 3, 3 };
  g_autoptr(GByteArray) blob = g_byte_array_new ();
  g_autoptr(GPtrArray) chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  gsize n_chunks = (d->n + CHUNK - 1) / CHUNK;
  gsize codec_bytes = 0, zstd_bytes = 0, raw_bytes = d->n * (8 + 8 * N_CHANNELS);
  double t_enc, t_dec, t_zstd_enc, t_zstd_dec;
  g_autofree double *dec_cols = g_new (double, (gsize) CHUNK * N_CHANNELS);
  g_autofree gint64 *dec_t = g_new (gint64, CHUNK);
  double *outs[N_CHANNELS];
  g_autofree guint8 *zbuf = NULL;
  g_autofree guint8 *zsrc = g_new (guint8, (gsize) CHUNK * 8);
  gsize zcap = ZSTD_compressBound ((gsize) CHUNK * 8);
  g_autoptr(GPtrArray) zchunks = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  ZSTD_CCtx *cctx = ZSTD_createCCtx ();
  ZSTD_DCtx *dctx = ZSTD_createDCtx ();
  gsize kind_count[4] = { 0 };

  for (int c = 0; c < N_CHANNELS; c++)
    outs[c] = dec_cols + (gsize) c * CHUNK;
  zbuf = g_malloc (zcap);

  /* The codec: timed into one reused buffer, so that the figure is the
   * codec's alone; then again, untimed, keeping every chunk. */
  for (int pass = 0; pass < 2; pass++)
    {
      double t0 = cpu_s ();

      for (gsize k = 0; k < n_chunks; k++)
        {
          gsize off = k * CHUNK;
          const double *cols[N_CHANNELS];
          ImuChunkView view = { MIN (CHUNK, d->n - off), N_CHANNELS, d->t + off, cols, hints };
          g_autoptr(GError) error = NULL;

          for (int c = 0; c < N_CHANNELS; c++)
            cols[c] = d->col[c] + off;
          g_byte_array_set_size (blob, 0);
          if (!imu_codec_encode (&view, 3, blob, &error))
            g_error ("encode: %s", error->message);
          if (pass == 1)
            {
              g_ptr_array_add (chunks, g_bytes_new (blob->data, blob->len));
              codec_bytes += blob->len;
            }
        }
      if (pass == 0)
        t_enc = cpu_s () - t0;
    }

  t_dec = cpu_s ();
  for (gsize k = 0; k < n_chunks; k++)
    {
      gsize sz;
      const guint8 *p = g_bytes_get_data (chunks->pdata[k], &sz);
      g_autoptr(GError) error = NULL;

      if (!imu_codec_decode (p, sz, dec_t, outs, N_CHANNELS, &error))
        g_error ("decode: %s", error->message);
    }
  t_dec = cpu_s () - t_dec;

  /* Verify the whole day bit for bit (not timed). */
  for (gsize k = 0; k < n_chunks; k++)
    {
      gsize off = k * CHUNK, m = MIN (CHUNK, d->n - off), sz;
      const guint8 *p = g_bytes_get_data (chunks->pdata[k], &sz);

      if (!imu_codec_decode (p, sz, dec_t, outs, N_CHANNELS, NULL))
        g_error ("decode failed");
      if (memcmp (dec_t, d->t + off, m * 8) != 0)
        g_error ("timestamps differ in chunk %" G_GSIZE_FORMAT, k);
      for (int c = 0; c < N_CHANNELS; c++)
        {
          if (memcmp (outs[c], d->col[c] + off, m * 8) != 0)
            g_error ("channel %d differs in chunk %" G_GSIZE_FORMAT, c, k);
          kind_count[imu_codec_column_decimals (p, sz, c) >= 0 ? 0 : 1]++;
        }
    }

  /* Baseline: zstd level 3 of each raw column of each chunk. */
  t_zstd_enc = 0;
  for (gsize k = 0; k < n_chunks; k++)
    {
      gsize off = k * CHUNK, m = MIN (CHUNK, d->n - off);

      for (int c = -1; c < N_CHANNELS; c++)
        {
          const void *src = c < 0 ? (const void *) (d->t + off) : (const void *) (d->col[c] + off);
          double t0 = cpu_s ();
          gsize z = ZSTD_compressCCtx (cctx, zbuf, zcap, src, m * 8, 3);

          t_zstd_enc += cpu_s () - t0;
          g_assert (!ZSTD_isError (z));
          zstd_bytes += z;
          g_ptr_array_add (zchunks, g_bytes_new (zbuf, z));
        }
    }

  t_zstd_dec = cpu_s ();
  for (guint k = 0; k < zchunks->len; k++)
    {
      gsize sz;
      const guint8 *p = g_bytes_get_data (zchunks->pdata[k], &sz);
      gsize r = ZSTD_decompressDCtx (dctx, zsrc, (gsize) CHUNK * 8, p, sz);

      g_assert (!ZSTD_isError (r));
    }
  t_zstd_dec = cpu_s () - t_zstd_dec;

  printf ("codec: %" G_GSIZE_FORMAT " rows in %" G_GSIZE_FORMAT " chunks of %d, %d channels "
          "(%" G_GSIZE_FORMAT " decimal columns, %" G_GSIZE_FORMAT " other)\n",
          d->n, n_chunks, CHUNK, N_CHANNELS, kind_count[0], kind_count[1]);
  printf ("  raw float64/int64      %10.1f MB  %6.2f bytes/row\n",
          raw_bytes / 1e6, (double) raw_bytes / d->n);
  printf ("  zstd -3 of raw columns %10.1f MB  %6.2f bytes/row  encode %7.1f MB/s  decode %7.1f MB/s\n",
          zstd_bytes / 1e6, (double) zstd_bytes / d->n,
          raw_bytes / 1e6 / t_zstd_enc, raw_bytes / 1e6 / t_zstd_dec);
  printf ("  imu codec              %10.1f MB  %6.2f bytes/row  encode %7.1f MB/s  decode %7.1f MB/s\n",
          codec_bytes / 1e6, (double) codec_bytes / d->n,
          raw_bytes / 1e6 / t_enc, raw_bytes / 1e6 / t_dec);
  printf ("  size ratio codec/zstd  %.3f (%.2fx smaller)\n",
          (double) codec_bytes / zstd_bytes, (double) zstd_bytes / codec_bytes);
  printf ("  encode: %.3f s for the whole input, %.1f µs per chunk\n",
          t_enc, t_enc * 1e6 / n_chunks);
  printf ("  decode: %.3f s for the whole input, %.1f µs per %d×%d chunk (zstd baseline %.1f µs)\n",
          t_dec, t_dec * 1e6 / n_chunks, CHUNK, N_CHANNELS + 1, t_zstd_dec * 1e6 / n_chunks);

  /* Per-column view: what each section costs. */
  {
    gsize col_bytes[N_CHANNELS + 1] = { 0 };

    for (gsize k = 0; k < n_chunks; k++)
      {
        gsize sz;
        const guint8 *p = g_bytes_get_data (chunks->pdata[k], &sz);

        for (int c = 0; c <= N_CHANNELS; c++)
          col_bytes[c] += p[24 + 16 * c + 8] | (p[24 + 16 * c + 9] << 8) |
                          (p[24 + 16 * c + 10] << 16) | ((guint32) p[24 + 16 * c + 11] << 24);
      }
    printf ("  bytes/row per section: t %.2f", (double) col_bytes[0] / d->n);
    for (int c = 1; c <= N_CHANNELS; c++)
      printf (", ch%d %.2f", c - 1, (double) col_bytes[c] / d->n);
    printf (", header+table %.3f\n", (double) n_chunks * (24 + 16 * (N_CHANNELS + 1)) / d->n);
  }

  ZSTD_freeCCtx (cctx);
  ZSTD_freeDCtx (dctx);
}

/* Times imu_number_parse () and g_ascii_strtod () on the same fields. */
static void
time_parse (const char *what, const GString *text, const gsize *offs, gsize n)
{
  double sum_fast = 0, sum_ref = 0;
  double t_fast, t_ref;
  int rounds = 5;

  t_fast = cpu_s ();
  for (int r = 0; r < rounds; r++)
    for (gsize i = 0; i < n; i++)
      {
        double v;

        if (!imu_number_parse (text->str + offs[i], offs[i + 1] - offs[i] - 1, FALSE, &v, NULL))
          g_error ("parse failed");
        sum_fast += v;
      }
  t_fast = cpu_s () - t_fast;

  t_ref = cpu_s ();
  for (int r = 0; r < rounds; r++)
    for (gsize i = 0; i < n; i++)
      sum_ref += g_ascii_strtod (text->str + offs[i], NULL);
  t_ref = cpu_s () - t_ref;

  if (sum_fast != sum_ref)
    g_error ("parse results differ from g_ascii_strtod");
  printf ("  %-34s imu_number_parse %6.1f M fields/s, g_ascii_strtod %5.1f M fields/s (%.1fx)\n",
          what, n * rounds / t_fast / 1e6, n * rounds / t_ref / 1e6, t_ref / t_fast);
}

static void
bench_parse (const Data *d)
{
  gsize n = MIN (d->n, (gsize) 2000000);
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree gsize *offs = g_new (gsize, 2 * n + 1);
  char buf[IMU_NUMBER_BUF_SIZE];

  printf ("parse (CPU time, fields already split):\n");

  /* "0.12345": five decimals in [0, 1). */
  for (gsize i = 0; i < n; i++)
    {
      offs[i] = text->len;
      g_string_append_len (text, buf, imu_number_format (buf, (double) (rng_next () % 100000) / 1e5, 5));
      g_string_append_c (text, '\0');
    }
  offs[n] = text->len;
  time_parse ("fields like \"0.12345\"", text, offs, n);

  /* Accelerometer and gyroscope fields as the synthetic CSV has them. */
  g_string_truncate (text, 0);
  for (gsize i = 0; i < n; i++)
    {
      offs[2 * i] = text->len;
      g_string_append_len (text, buf, imu_number_format (buf, d->col[0][i], 5));
      g_string_append_c (text, '\0');
      offs[2 * i + 1] = text->len;
      g_string_append_len (text, buf, imu_number_format (buf, d->col[3][i], 3));
      g_string_append_c (text, '\0');
    }
  offs[2 * n] = text->len;
  time_parse ("accelerometer and gyroscope fields", text, offs, 2 * n);
}

int
main (int argc, char **argv)
{
  double hours = argc > 1 ? g_ascii_strtod (argv[1], NULL) : 24;
  Data d;

  if (!(hours > 0.01 && hours < 1000))
    {
      fprintf (stderr, "usage: %s [HOURS]\n", argv[0]);
      return 2;
    }
  synthesise (&d, hours);
  bench_codec (&d);
  bench_parse (&d);

  g_free (d.t);
  for (int c = 0; c < N_CHANNELS; c++)
    g_free (d.col[c]);
  return 0;
}
