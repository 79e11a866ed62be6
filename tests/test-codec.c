/* test-codec.c — the lossless sample codec
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every round trip is compared bit for bit (memcmp of the 8 bytes), so
 * -0.0, NaN payloads and subnormals count. Expected decimals come from how
 * the test builds its columns, not from the codec.
 */
#define G_LOG_DOMAIN "imu-test"

#include <float.h>
#include <math.h>
#include <string.h>

#include "imu-codec.h"
#include "imu-test-util.h"

static guint64
bits_of (double v)
{
  guint64 b;

  memcpy (&b, &v, sizeof b);
  return b;
}

static double
double_of (guint64 b)
{
  double v;

  memcpy (&v, &b, sizeof v);
  return v;
}

static guint64
rand_u64 (GRand *rand)
{
  return ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
}

static double
rand_gauss (GRand *rand)
{
  double u = g_rand_double (rand), v = g_rand_double (rand);

  return sqrt (-2 * log (u + 1e-300)) * cos (2 * G_PI * v);
}

/* A chunk owned by the test: timestamps and columns. */
typedef struct {
  guint    n;
  guint    n_channels;
  gint64  *t;
  double **col;
  gint8   *hint;
} Chunk;

static Chunk *
chunk_new (guint n, guint n_channels)
{
  Chunk *c = g_new0 (Chunk, 1);

  c->n = n;
  c->n_channels = n_channels;
  c->t = g_new0 (gint64, MAX (n, 1));
  c->col = g_new0 (double *, MAX (n_channels, 1));
  c->hint = g_new (gint8, MAX (n_channels, 1));
  for (guint i = 0; i < n_channels; i++)
    {
      c->col[i] = g_new0 (double, MAX (n, 1));
      c->hint[i] = -1;
    }
  for (guint i = 0; i < n; i++)
    c->t[i] = G_GINT64_CONSTANT (1551178506000000000) + (gint64) i * 10000000;
  return c;
}

static void
chunk_free (Chunk *c)
{
  for (guint i = 0; i < c->n_channels; i++)
    g_free (c->col[i]);
  g_free (c->col);
  g_free (c->t);
  g_free (c->hint);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Chunk, chunk_free)

static GByteArray *
encode (const Chunk *c, gboolean with_hints)
{
  ImuChunkView view = {
    c->n, c->n_channels, c->t, (const double **) c->col, with_hints ? c->hint : NULL,
  };
  g_autoptr(GError) error = NULL;
  GByteArray *out = g_byte_array_new ();

  g_assert_true (imu_codec_encode (&view, 3, out, &error));
  g_assert_no_error (error);
  return out;
}

/* Decodes everything and compares bit for bit. */
static void
assert_roundtrip_blob (const Chunk *c, const GByteArray *blob)
{
  g_autofree gint64 *t = g_new (gint64, MAX (c->n, 1));
  g_autofree double **cols = g_new0 (double *, MAX (c->n_channels, 1));
  g_autoptr(GError) error = NULL;
  guint n_samples = 0, n_channels = 999;

  g_assert_true (imu_codec_peek (blob->data, blob->len, &n_samples, &n_channels, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n_samples, ==, c->n);
  g_assert_cmpuint (n_channels, ==, c->n_channels);

  for (guint i = 0; i < c->n_channels; i++)
    cols[i] = g_new (double, MAX (c->n, 1));
  g_assert_true (imu_codec_decode (blob->data, blob->len, t, cols, c->n_channels, &error));
  g_assert_no_error (error);

  g_assert_cmpmem (t, c->n * sizeof (gint64), c->t, c->n * sizeof (gint64));
  for (guint ch = 0; ch < c->n_channels; ch++)
    {
      for (guint i = 0; i < c->n; i++)
        if (bits_of (cols[ch][i]) != bits_of (c->col[ch][i]))
          g_error ("channel %u sample %u: wrote %016" G_GINT64_MODIFIER "x, read %016"
                   G_GINT64_MODIFIER "x", ch, i, bits_of (c->col[ch][i]), bits_of (cols[ch][i]));
      g_free (cols[ch]);
    }
}

static GByteArray *
assert_roundtrip (const Chunk *c)
{
  GByteArray *blob = encode (c, TRUE);

  assert_roundtrip_blob (c, blob);
  /* Without hints the result is the same data, maybe other bytes. */
  {
    g_autoptr(GByteArray) again = encode (c, FALSE);

    assert_roundtrip_blob (c, again);
  }
  return blob;
}

/* ------------------------------------------------------------------ */

static void
test_roundtrip_float64 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (1);
  g_autoptr(Chunk) c = chunk_new (4096, 3);
  g_autoptr(GByteArray) blob = NULL;

  /* Any 64 bits: NaNs with payloads, subnormals, everything. */
  for (guint i = 0; i < c->n; i++)
    {
      c->col[0][i] = double_of (rand_u64 (rand));
      c->col[1][i] = double_of (rand_u64 (rand) | G_GUINT64_CONSTANT (0x7ff0000000000000));
      c->col[2][i] = rand_gauss (rand) * 1e-3;
    }
  blob = assert_roundtrip (c);
  for (guint ch = 0; ch < 3; ch++)
    g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, ch), ==, -1);
}

/* Columns of k / 10^d for d = 0..9; each needs exactly d decimals. */
static void
test_roundtrip_decimals (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (2);
  g_autoptr(Chunk) c = chunk_new (4096, 10);
  g_autoptr(GByteArray) blob = NULL;

  for (guint d = 0; d < 10; d++)
    {
      double p = pow (10, d);
      gint64 k = g_rand_int_range (rand, -1000000, 1000000);

      c->hint[d] = (gint8) d;
      for (guint i = 0; i < c->n; i++)
        {
          /* A random walk with noise, as a sensor gives. */
          k += g_rand_int_range (rand, -500, 501);
          c->col[d][i] = (double) k / p;
        }
      /* One value ending in a non-zero digit pins d. */
      c->col[d][17] = 1 / p;
    }
  blob = assert_roundtrip (c);
  for (guint d = 0; d < 10; d++)
    g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, d), ==, d);
}

/* Wrong hints cost time, never exactness, and the smallest d is found. */
static void
test_wrong_hints (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);
  g_autoptr(Chunk) c = chunk_new (2000, 4);
  g_autoptr(GByteArray) blob = NULL;
  static const gint8 hints[] = { 2, 9, 18, -1 };

  for (guint ch = 0; ch < 4; ch++)
    {
      c->hint[ch] = hints[ch];
      for (guint i = 0; i < c->n; i++)
        c->col[ch][i] = g_rand_int_range (rand, -99999, 100000) / 1e3;
      c->col[ch][0] = 0.001;
    }
  blob = assert_roundtrip (c);
  for (guint ch = 0; ch < 4; ch++)
    g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, ch), ==, 3);
}

static const guint64 special_bits[] = {
  G_GUINT64_CONSTANT (0x8000000000000000),  /* -0.0 */
  G_GUINT64_CONSTANT (0x0000000000000000),  /* +0.0 */
  G_GUINT64_CONSTANT (0x7ff0000000000000),  /* +Inf */
  G_GUINT64_CONSTANT (0xfff0000000000000),  /* -Inf */
  G_GUINT64_CONSTANT (0x7ff8000000000000),  /* quiet NaN */
  G_GUINT64_CONSTANT (0xfff8000000000000),  /* negative NaN */
  G_GUINT64_CONSTANT (0x7ff0000000000001),  /* signalling NaN */
  G_GUINT64_CONSTANT (0x7ff8dead0000beef),  /* NaN with a payload */
  G_GUINT64_CONSTANT (0xfff00000c0ffee00),  /* negative signalling NaN */
  G_GUINT64_CONSTANT (0x0000000000000001),  /* smallest subnormal */
  G_GUINT64_CONSTANT (0x000fffffffffffff),  /* largest subnormal */
  G_GUINT64_CONSTANT (0x8000000000000001),  /* negative subnormal */
  G_GUINT64_CONSTANT (0x0010000000000000),  /* DBL_MIN */
  G_GUINT64_CONSTANT (0x7fefffffffffffff),  /* DBL_MAX */
  G_GUINT64_CONSTANT (0xffefffffffffffff),  /* -DBL_MAX */
  G_GUINT64_CONSTANT (0x3fb999999999999a),  /* 0.1 */
  G_GUINT64_CONSTANT (0x3fc999999999999a),  /* 0.2 */
  G_GUINT64_CONSTANT (0x3fd3333333333333),  /* 0.3 */
  G_GUINT64_CONSTANT (0x3fd3333333333334),  /* 0.1 + 0.2 */
  G_GUINT64_CONSTANT (0x7e37e43c8800759c),  /* 1e300 */
  G_GUINT64_CONSTANT (0x01a56e1fc2f8f359),  /* 1e-300 */
  G_GUINT64_CONSTANT (0x4340000000000001),  /* 2^53 + 2 */
  G_GUINT64_CONSTANT (0x43e0000000000000),  /* 2^63 */
};

/* Special values as whole columns, mixed in a random order, and as a few
 * exceptions in an otherwise decimal column. */
static void
test_roundtrip_special (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  guint n_special = G_N_ELEMENTS (special_bits);
  g_autoptr(Chunk) c = chunk_new (4096, n_special + 3);
  g_autoptr(GByteArray) blob = NULL;

  for (guint s = 0; s < n_special; s++)
    for (guint i = 0; i < c->n; i++)
      c->col[s][i] = double_of (special_bits[s]);
  for (guint i = 0; i < c->n; i++)
    {
      c->col[n_special][i] = double_of (special_bits[g_rand_int_range (rand, 0, n_special)]);
      c->col[n_special + 1][i] = g_rand_int_range (rand, -3000, 3000) / 1e3;
      c->col[n_special + 2][i] = g_rand_int_range (rand, -3000, 3000) / 1e3;
    }
  /* A few specials (well under 1/16) in two 3-decimal columns. */
  for (guint s = 0; s < n_special; s++)
    {
      c->col[n_special + 1][g_rand_int_range (rand, 0, c->n)] = double_of (special_bits[s]);
      c->col[n_special + 2][c->n - 1 - s * 7] = double_of (special_bits[s]);
    }
  c->col[n_special + 1][0] = double_of (special_bits[0]);
  c->col[n_special + 1][1] = NAN;
  c->hint[n_special + 1] = 3;

  blob = assert_roundtrip (c);
  /* Exceptions do not stop a column from being stored with its decimals. */
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, n_special + 1), ==, 3);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, n_special + 2), ==, 3);
  /* 0.1, 0.2, 0.3 are one decimal; +0.0 no decimals. */
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 1), ==, 0);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 15), ==, 1);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 17), ==, 1);
  /* -0.0 or a NaN is no decimal number. */
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 0), ==, -1);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 4), ==, -1);
}

/* Huge and tiny exponents, values near the int64 and 2^53 limits. */
static void
test_roundtrip_extremes (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (5);
  g_autoptr(Chunk) c = chunk_new (3000, 7);
  g_autoptr(GByteArray) blob = NULL;

  for (guint i = 0; i < c->n; i++)
    {
      c->col[0][i] = ldexp (1 + g_rand_double (rand), g_rand_int_range (rand, 900, 1024));
      c->col[1][i] = ldexp (1 + g_rand_double (rand), g_rand_int_range (rand, -1074, -900));
      c->col[2][i] = (g_rand_boolean (rand) ? 1 : -1) * ldexp (1, 53) - g_rand_int_range (rand, 0, 4);
      c->col[3][i] = (double) (G_GINT64_CONSTANT (1) << 51) - i;
      c->col[4][i] = ((gint64) 1 << 52) / 1e6 + i / 1e6;
      /* Integers up to 2^53 are still integers, whatever their size. */
      c->col[5][i] = (double) ((G_GINT64_CONSTANT (1) << 52) + (gint64) i * 999331);
      c->col[6][i] = (double) ((G_GINT64_CONSTANT (1) << 51) + 2 * (gint64) i * g_rand_int_range (rand, 1, 9) + 1);
    }
  blob = assert_roundtrip (c);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 3), ==, 0);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 5), ==, 0);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 6), ==, 0);
}

/* Columns of floats that were float32 in the device. */
static void
test_roundtrip_float32 (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (6);
  g_autoptr(Chunk) c = chunk_new (4096, 2);
  g_autoptr(GByteArray) blob = NULL;

  for (guint i = 0; i < c->n; i++)
    {
      c->col[0][i] = (float) (9.81 + rand_gauss (rand) * 0.05);
      c->col[1][i] = (float) (rand_gauss (rand) * 100);
    }
  c->col[1][5] = NAN;
  c->col[1][6] = 0.1;  /* not a float32: an exception */
  blob = assert_roundtrip (c);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 0), ==, -1);
  /* Four bytes of floats compress below four bytes a value. */
  g_assert_cmpuint (blob->len, <, 2 * 4 * c->n);
}

/* What strtod gives for an ADC count times 1/131 (a gyroscope's deg/s)
 * printed with 12 significant digits, as many loggers write them. */
static double
count_value (int count)
{
  char text[64];

  g_snprintf (text, sizeof text, "%.12g", count / 131.0);
  return g_ascii_strtod (text, NULL);
}

/* Few distinct values, whose decimal form is long or which are no
 * decimals at all, cost little. */
static void
test_roundtrip_dictionary (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (15);
  g_autoptr(Chunk) c = chunk_new (4096, 2);
  g_autoptr(GByteArray) blob = NULL;
  double pool[40];
  int count = 0;

  for (guint i = 0; i < G_N_ELEMENTS (pool); i++)
    pool[i] = double_of (rand_u64 (rand));
  pool[0] = NAN;
  pool[1] = -0.0;
  for (guint i = 0; i < c->n; i++)
    {
      count = CLAMP (count + g_rand_int_range (rand, -3, 4), -60, 60);
      c->col[0][i] = count_value (count);
      c->col[1][i] = pool[g_rand_int_range (rand, 0, G_N_ELEMENTS (pool))];
    }
  blob = assert_roundtrip (c);
  /* 121 distinct values in column 0, 40 in column 1: a few bits each. */
  g_test_message ("%.2f bytes per row", (double) blob->len / c->n);
  g_assert_cmpuint (blob->len, <, 2 * c->n);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 1), ==, -1);
}

/* Full-precision doubles that repeat, in too many distinct values for a
 * dictionary, still cost less than their 8 bytes. */
static void
test_roundtrip_repeats (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (16);
  g_autoptr(Chunk) c = chunk_new (4096, 1);
  g_autoptr(GByteArray) blob = NULL;
  guint period = 3500;
  g_autofree double *pool = g_new (double, period);

  for (guint i = 0; i < period; i++)
    pool[i] = rand_gauss (rand) / 7;
  for (guint i = 0; i < c->n; i++)
    c->col[0][i] = pool[i % period];
  blob = assert_roundtrip (c);
  g_assert_cmpuint (blob->len, <, 8 * period + 8 * 200);
  g_assert_cmpint (imu_codec_column_decimals (blob->data, blob->len, 0), ==, -1);
}

static void
test_roundtrip_constant (void)
{
  g_autoptr(Chunk) c = chunk_new (4096, 5);
  g_autoptr(GByteArray) blob = NULL;
  static const double values[] = { 0.0, 1.5, -0.0, NAN, -1e300 };

  for (guint ch = 0; ch < 5; ch++)
    for (guint i = 0; i < c->n; i++)
      c->col[ch][i] = values[ch];
  blob = assert_roundtrip (c);
  /* Nothing varies: a few dozen bytes per column at most. */
  g_assert_cmpuint (blob->len, <, 24 + 16 * 6 + 6 * 40);
}

static void
test_roundtrip_single (void)
{
  g_autoptr(Chunk) c = chunk_new (1, 4);

  c->t[0] = -42;
  c->col[0][0] = 0.25;
  c->col[1][0] = -0.0;
  c->col[2][0] = double_of (G_GUINT64_CONSTANT (0x7ff4000000000abc));
  c->col[3][0] = 12345.678;
  g_byte_array_unref (assert_roundtrip (c));
}

static void
test_roundtrip_max_samples (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(Chunk) c = chunk_new (IMU_CODEC_MAX_SAMPLES, 3);

  for (guint i = 0; i < c->n; i++)
    {
      c->t[i] += g_rand_int_range (rand, -50, 50) * 1000;
      c->col[0][i] = g_rand_int_range (rand, -200000, 200000) / 1e5;
      c->col[1][i] = double_of (rand_u64 (rand));
      c->col[2][i] = i % 7 == 0 ? NAN : i / 8.0;
    }
  g_byte_array_unref (assert_roundtrip (c));
}

static void
test_roundtrip_no_channels (void)
{
  g_autoptr(Chunk) c = chunk_new (100, 0);
  g_autoptr(GByteArray) blob = encode (c, FALSE);
  g_autofree gint64 *t = g_new (gint64, c->n);
  g_autoptr(GError) error = NULL;

  assert_roundtrip_blob (c, blob);
  /* With no columns asked for, columns_out may be NULL. */
  g_assert_true (imu_codec_decode (blob->data, blob->len, t, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (t, c->n * sizeof *t, c->t, c->n * sizeof *t);
}

/* Many channels, as many as allowed. */
static void
test_roundtrip_max_channels (void)
{
  g_autoptr(Chunk) c = chunk_new (64, IMU_CODEC_MAX_CHANNELS);

  for (guint ch = 0; ch < c->n_channels; ch++)
    for (guint i = 0; i < c->n; i++)
      c->col[ch][i] = (double) (ch * 1000 + i) / (ch % 5 + 1);
  g_byte_array_unref (assert_roundtrip (c));
}

/* ------------------------------------------------------------------ */

static void
check_timestamps (Chunk *c)
{
  for (guint i = 0; i < c->n; i++)
    c->col[0][i] = i;
  g_byte_array_unref (assert_roundtrip (c));
}

static void
test_timestamps (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (8);
  g_autoptr(Chunk) c = chunk_new (4096, 1);

  /* Jitter of a few tens of microseconds around 100 Hz. */
  for (guint i = 0; i < c->n; i++)
    c->t[i] = G_GINT64_CONSTANT (1551178506000000000) + (gint64) i * 10000000 +
              (gint64) (rand_gauss (rand) * 20) * 1000;
  check_timestamps (c);

  /* Backwards steps and duplicates. */
  for (guint i = 1; i < c->n; i++)
    {
      int what = g_rand_int_range (rand, 0, 10);

      c->t[i] = c->t[i - 1] + (what == 0 ? 0 : what == 1 ? -3000000 : 10000000);
    }
  check_timestamps (c);

  /* A gap of an hour in the middle of the chunk. */
  for (guint i = 0; i < c->n; i++)
    c->t[i] = (gint64) i * 5000000 + (i >= 2000 ? G_GINT64_CONSTANT (3600000000000) : 0);
  check_timestamps (c);

  /* The extremes of int64, alternating: every delta overflows. */
  for (guint i = 0; i < c->n; i++)
    c->t[i] = i % 2 ? G_MAXINT64 : G_MININT64;
  c->t[7] = 0;
  c->t[8] = -1;
  check_timestamps (c);

  /* Random 64-bit values. */
  for (guint i = 0; i < c->n; i++)
    c->t[i] = (gint64) rand_u64 (rand);
  check_timestamps (c);

  /* All equal. */
  for (guint i = 0; i < c->n; i++)
    c->t[i] = G_MININT64;
  check_timestamps (c);

  /* Counting down near INT64_MAX, in nanoseconds. */
  for (guint i = 0; i < c->n; i++)
    c->t[i] = G_MAXINT64 - (gint64) i * 3;
  check_timestamps (c);
}

/* ------------------------------------------------------------------ */

/* Only the columns asked for are written; the rest stays untouched. */
static void
test_decode_subset (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (9);
  g_autoptr(Chunk) c = chunk_new (1000, 4);
  g_autoptr(GByteArray) blob = NULL;
  g_autofree double *a = g_new (double, c->n);
  g_autofree double *b = g_new (double, c->n);
  g_autofree gint64 *t = g_new (gint64, c->n);
  double *cols[4] = { NULL, a, NULL, b };
  g_autoptr(GError) error = NULL;

  for (guint ch = 0; ch < 4; ch++)
    for (guint i = 0; i < c->n; i++)
      c->col[ch][i] = g_rand_int_range (rand, 0, 1000000) / (ch + 1.0);
  blob = encode (c, FALSE);

  for (guint i = 0; i < c->n; i++)
    t[i] = 7;
  g_assert_true (imu_codec_decode (blob->data, blob->len, NULL, cols, 4, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (a, c->n * sizeof (double), c->col[1], c->n * sizeof (double));
  g_assert_cmpmem (b, c->n * sizeof (double), c->col[3], c->n * sizeof (double));

  /* Timestamps only. */
  memset (a, 0, c->n * sizeof (double));
  g_assert_true (imu_codec_decode (blob->data, blob->len, t, NULL, 0, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (t, c->n * sizeof (gint64), c->t, c->n * sizeof (gint64));
  for (guint i = 0; i < c->n; i++)
    g_assert_cmpfloat (a[i], ==, 0);

  /* A subset is checked only where it is read: corrupting channel 0
   * does not stop channel 1 from decoding. */
  {
    guint32 off0 = blob->data[24 + 16 + 4] | (blob->data[24 + 16 + 5] << 8) |
                   (blob->data[24 + 16 + 6] << 16) | ((guint32) blob->data[24 + 16 + 7] << 24);
    double *only1[4] = { NULL, a, NULL, NULL };
    double *only0[4] = { a, NULL, NULL, NULL };

    blob->data[off0 + 3] ^= 0x40;
    g_assert_true (imu_codec_decode (blob->data, blob->len, NULL, only1, 4, &error));
    g_assert_no_error (error);
    g_assert_cmpmem (a, c->n * sizeof (double), c->col[1], c->n * sizeof (double));
    g_assert_false (imu_codec_decode (blob->data, blob->len, NULL, only0, 4, &error));
    g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
  }
}

static void
test_decode_mismatch (void)
{
  g_autoptr(Chunk) c = chunk_new (10, 2);
  g_autoptr(GByteArray) blob = encode (c, FALSE);
  double *cols[3] = { NULL, NULL, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (imu_codec_decode (blob->data, blob->len, NULL, cols, 3, &error));
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_MISMATCH);
}

static void
test_encode_invalid (void)
{
  g_autoptr(Chunk) c = chunk_new (10, 1);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  ImuChunkView view = { 0, 1, c->t, (const double **) c->col, NULL };
  g_autoptr(GError) error = NULL;

  g_assert_false (imu_codec_encode (&view, 3, out, &error));
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_MISMATCH);
  g_clear_error (&error);

  view.n_samples = IMU_CODEC_MAX_SAMPLES + 1;
  g_assert_false (imu_codec_encode (&view, 3, out, &error));
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_MISMATCH);
  g_clear_error (&error);

  view.n_samples = 10;
  view.n_channels = IMU_CODEC_MAX_CHANNELS + 1;
  g_assert_false (imu_codec_encode (&view, 3, out, &error));
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_MISMATCH);
  g_assert_cmpuint (out->len, ==, 0);
}

/* Encoding appends: two chunks in one array decode separately. */
static void
test_encode_appends (void)
{
  g_autoptr(Chunk) a = chunk_new (50, 1);
  g_autoptr(Chunk) b = chunk_new (70, 2);
  g_autoptr(GByteArray) first = encode (a, FALSE);
  g_autoptr(GByteArray) both = g_byte_array_new ();
  ImuChunkView va = { a->n, a->n_channels, a->t, (const double **) a->col, NULL };
  ImuChunkView vb = { b->n, b->n_channels, b->t, (const double **) b->col, NULL };
  g_autoptr(GByteArray) second = NULL;

  g_assert_true (imu_codec_encode (&va, 3, both, NULL));
  g_assert_true (imu_codec_encode (&vb, 3, both, NULL));
  second = g_byte_array_new ();
  g_byte_array_append (second, both->data + first->len, both->len - first->len);
  g_assert_cmpmem (both->data, first->len, first->data, first->len);
  assert_roundtrip_blob (b, second);
}

/* ------------------------------------------------------------------ */
/* Corruption. The checksum below is written from docs/codec.md alone: it
 * also checks that the document describes the bytes. */

static guint64
rotl (guint64 x, int r)
{
  return (x << r) | (x >> (64 - r));
}

static guint64
le64 (const guint8 *p)
{
  guint64 v = 0;

  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

static guint32
le32 (const guint8 *p)
{
  return (guint32) le64 ((const guint8[8]) { p[0], p[1], p[2], p[3], 0, 0, 0, 0 });
}

#define P1 G_GUINT64_CONSTANT (0x9E3779B185EBCA87)
#define P2 G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F)
#define P3 G_GUINT64_CONSTANT (0x165667B19E3779F9)
#define P4 G_GUINT64_CONSTANT (0x85EBCA77C2B2AE63)
#define P5 G_GUINT64_CONSTANT (0x27D4EB2F165667C5)

static guint64
spec_round (guint64 acc, guint64 lane)
{
  return rotl (acc + lane * P2, 31) * P1;
}

static guint32
spec_hash (const guint8 *p, gsize n, guint32 seed)
{
  gsize i = 0;
  guint64 h;

  if (n >= 32)
    {
      guint64 v[4] = { seed + P1 + P2, seed + P2, seed, seed - P1 };

      for (; i + 32 <= n; i += 32)
        for (int j = 0; j < 4; j++)
          v[j] = spec_round (v[j], le64 (p + i + 8 * j));
      h = rotl (v[0], 1) + rotl (v[1], 7) + rotl (v[2], 12) + rotl (v[3], 18);
      for (int j = 0; j < 4; j++)
        h = (h ^ spec_round (0, v[j])) * P1 + P4;
    }
  else
    h = seed + P3;
  h += n;
  for (; i + 8 <= n; i += 8)
    h = rotl (h ^ spec_round (0, le64 (p + i)), 27) * P1 + P4;
  if (i + 4 <= n)
    {
      h = rotl (h ^ (le32 (p + i) * P1), 23) * P2 + P3;
      i += 4;
    }
  for (; i < n; i++)
    h = rotl (h ^ (p[i] * P5), 11) * P1;
  h ^= h >> 33;
  h *= P2;
  h ^= h >> 29;
  h *= P3;
  h ^= h >> 32;
  return (guint32) h;
}

/* The header, table and section checksums are what the spec says. */
static void
test_format_checksums (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (10);
  g_autoptr(Chunk) c = chunk_new (777, 3);
  g_autoptr(GByteArray) blob = NULL;
  guint8 header[24];
  gsize table_len = 16 * 4;

  for (guint ch = 0; ch < 3; ch++)
    for (guint i = 0; i < c->n; i++)
      c->col[ch][i] = g_rand_int_range (rand, -1000, 1000) / 100.0;
  blob = encode (c, FALSE);

  g_assert_cmpmem (blob->data, 4, "IMUC", 4);
  g_assert_cmpuint (blob->data[4], ==, 1);
  g_assert_cmpuint (le32 (blob->data + 8), ==, 777);
  g_assert_cmpuint (le32 (blob->data + 12), ==, blob->len);
  memcpy (header, blob->data, 24);
  memset (header + 16, 0, 4);
  g_assert_cmphex (le32 (blob->data + 16), ==, spec_hash (header, 24, 0x494d5548));
  g_assert_cmphex (le32 (blob->data + 20), ==, spec_hash (blob->data + 24, table_len, 0x494d5554));
  for (guint s = 0; s < 4; s++)
    {
      const guint8 *e = blob->data + 24 + 16 * s;

      g_assert_cmphex (le32 (e + 12), ==, spec_hash (blob->data + le32 (e + 4), le32 (e + 8), s));
    }
}

static gboolean
decode_all (const guint8 *data, gsize len, guint n, guint n_channels, GError **error)
{
  g_autofree gint64 *t = g_new (gint64, n);
  g_autofree double *buf = g_new (double, (gsize) n * MAX (n_channels, 1));
  g_autofree double **cols = g_new (double *, MAX (n_channels, 1));

  for (guint i = 0; i < n_channels; i++)
    cols[i] = buf + (gsize) i * n;
  return imu_codec_decode (data, len, t, cols, n_channels, error);
}

/* A chunk with a column of every kind the encoder picks: decimal,
 * raw doubles with repeats, float32, decimal with exceptions, dictionaries
 * of decimals and of doubles, and smooth float64. */
static Chunk *
mixed_chunk (guint n)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  Chunk *c = chunk_new (n, 8);
  guint period = n * 7 / 8;
  g_autofree double *pool = g_new (double, period);
  int count = 0;

  for (guint i = 0; i < period; i++)
    pool[i] = rand_gauss (rand) / 7;
  for (guint i = 0; i < n; i++)
    {
      c->t[i] += g_rand_int_range (rand, -30, 30) * 1000;
      c->col[0][i] = g_rand_int_range (rand, -100000, 100000) / 1e5;
      c->col[1][i] = double_of (rand_u64 (rand));
      c->col[2][i] = (float) rand_gauss (rand);
      c->col[3][i] = i % 100 == 0 ? NAN : g_rand_int_range (rand, 0, 100) / 10.0;
      count = CLAMP (count + g_rand_int_range (rand, -3, 4), -40, 40);
      c->col[4][i] = count_value (count);
      c->col[5][i] = pool[g_rand_int_range (rand, 0, 20)];
      c->col[6][i] = pool[i % period];
      c->col[7][i] = sin (i * 0.001) * 9.81;
    }
  return c;
}

/* Every truncation, and extra bytes at the end, are reported as corrupt. */
/* Names the kinds in a chunk's section table (docs/codec.md). */
static void
message_kinds (const GByteArray *blob)
{
  g_autoptr(GString) kinds = g_string_new ("section kinds:");
  guint n_channels = blob->data[6] | (blob->data[7] << 8);

  for (guint s = 0; s <= n_channels; s++)
    g_string_append_printf (kinds, " %u", blob->data[24 + 16 * s]);
  g_test_message ("%s", kinds->str);
}

static void
test_corrupt_truncated (void)
{
  g_autoptr(Chunk) c = mixed_chunk (300);
  g_autoptr(GByteArray) blob = encode (c, FALSE);
  g_autofree guint8 *copy = NULL;

  message_kinds (blob);
  assert_roundtrip_blob (c, blob);

  for (gsize len = 0; len < blob->len; len++)
    {
      g_autoptr(GError) error = NULL;

      /* An exact-size copy, so that ASan sees any read past its end. */
      g_free (copy);
      copy = g_memdup2 (blob->data, MAX (len, 1));
      g_assert_false (decode_all (copy, len, c->n, c->n_channels, &error));
      g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
      g_clear_error (&error);
      g_assert_false (imu_codec_peek (copy, len, NULL, NULL, &error));
      g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
      g_assert_cmpint (imu_codec_column_decimals (copy, len, 0), ==, -1);
    }

  {
    g_autoptr(GError) error = NULL;

    g_byte_array_append (blob, (const guint8 *) "x", 1);
    g_assert_false (decode_all (blob->data, blob->len, c->n, c->n_channels, &error));
    g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
  }
}

/* Random byte changes anywhere are reported as corrupt. */
static void
test_corrupt_flips (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (12);
  g_autoptr(Chunk) c = mixed_chunk (500);
  g_autoptr(GByteArray) blob = encode (c, FALSE);
  g_autofree guint8 *copy = g_malloc (blob->len);
  guint trials = g_test_slow () ? 100000 : 20000;

  message_kinds (blob);
  assert_roundtrip_blob (c, blob);

  for (guint trial = 0; trial < trials; trial++)
    {
      g_autoptr(GError) error = NULL;
      guint n_flips = g_rand_int_range (rand, 1, 4);

      memcpy (copy, blob->data, blob->len);
      for (guint f = 0; f < n_flips; f++)
        {
          gsize at = g_rand_int_range (rand, 0, blob->len);
          guint8 x = (guint8) g_rand_int_range (rand, 1, 256);

          copy[at] ^= x;
        }
      g_assert_false (decode_all (copy, blob->len, c->n, c->n_channels, &error));
      g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
    }
}

/* Corrupt sections with valid checksums (what a buggy writer could make)
 * still never read or write out of bounds. */
static void
test_corrupt_rehashed (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  g_autoptr(Chunk) c = mixed_chunk (200);
  g_autoptr(GByteArray) blob = encode (c, FALSE);
  g_autofree guint8 *copy = g_malloc (blob->len);
  guint n_sections = c->n_channels + 1;

  message_kinds (blob);
  assert_roundtrip_blob (c, blob);

  guint trials = g_test_slow () ? 200000 : 20000;

  for (guint trial = 0; trial < trials; trial++)
    {
      g_autoptr(GError) error = NULL;
      guint s = g_rand_int_range (rand, 0, n_sections);
      guint8 *e;
      guint32 off, len;
      guint8 header[24];

      memcpy (copy, blob->data, blob->len);
      e = copy + 24 + 16 * s;
      off = le32 (e + 4);
      len = le32 (e + 8);
      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0:
          /* Change the section's kind or decimals. */
          e[g_rand_int_range (rand, 0, 2)] = (guint8) g_rand_int_range (rand, 0, 32);
          break;
        case 1:
          {
            /* Move or resize the section within the blob. */
            guint32 v = g_rand_int_range (rand, 0, blob->len + 1);

            for (int i = 0; i < 4; i++)
              e[(g_rand_boolean (rand) ? 4 : 8) + i] = (guint8) (v >> (8 * i));
            off = le32 (e + 4);
            len = le32 (e + 8);
            if (off > blob->len || len > blob->len - off)
              len = 0;
          }
          break;
        case 2:
          /* Garbage for the whole section. */
          for (guint i = 0; i < len; i++)
            copy[off + i] = (guint8) g_rand_int_range (rand, 0, 256);
          break;
        default:
          /* A few bytes of its start: the parameters and plane headers. */
          for (guint f = 0; f < 3 && len > 0; f++)
            copy[off + g_rand_int_range (rand, 0, MIN (len, 40))] ^= (guint8) g_rand_int_range (rand, 1, 256);
          break;
        }
      /* Re-sign the section, the table and the header. */
      {
        guint32 h = len > 0 ? spec_hash (copy + off, len, s) : 0;

        for (int i = 0; i < 4; i++)
          e[12 + i] = (guint8) (h >> (8 * i));
        h = spec_hash (copy + 24, 16 * n_sections, 0x494d5554);
        for (int i = 0; i < 4; i++)
          copy[20 + i] = (guint8) (h >> (8 * i));
        memcpy (header, copy, 24);
        memset (header + 16, 0, 4);
        h = spec_hash (header, 24, 0x494d5548);
        for (int i = 0; i < 4; i++)
          copy[16 + i] = (guint8) (h >> (8 * i));
      }
      /* It may decode (to other values) or fail as corrupt; nothing else. */
      if (!decode_all (copy, blob->len, c->n, c->n_channels, &error))
        g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
    }
}

/* A chunk from a newer codec is refused as such, not as corrupt. */
static void
test_newer_version (void)
{
  g_autoptr(Chunk) c = chunk_new (10, 1);
  g_autoptr(GByteArray) blob = encode (c, FALSE);
  g_autoptr(GError) error = NULL;
  guint8 header[24];
  guint32 h;

  blob->data[4] = 2;
  memcpy (header, blob->data, 24);
  memset (header + 16, 0, 4);
  h = spec_hash (header, 24, 0x494d5548);
  for (int i = 0; i < 4; i++)
    blob->data[16 + i] = (guint8) (h >> (8 * i));

  g_assert_false (decode_all (blob->data, blob->len, c->n, 1, &error));
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_VERSION);
  g_clear_error (&error);
  g_assert_false (imu_codec_peek (blob->data, blob->len, NULL, NULL, &error));
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_VERSION);
}

/* ------------------------------------------------------------------ */

/* The size a realistic signal takes: 5-decimal accelerometer values with
 * 3 mg of noise have about 10.8 bits of entropy per difference
 * (log2 (σ √(2πe)) with σ = 300 √2 units); 100 Hz timestamps with 20 µs of
 * jitter about 6.4 bits. Allow 8 % over that for headers and coding. */
static void
test_size_realistic (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (14);
  g_autoptr(Chunk) c = chunk_new (4096, 1);
  g_autoptr(GByteArray) blob = NULL;
  double bits_per_row;

  for (guint i = 0; i < c->n; i++)
    {
      c->t[i] += llround (rand_gauss (rand) * 20) * 1000;
      c->col[0][i] = llround (98100 + 300 * rand_gauss (rand)) / 1e5;
    }
  c->hint[0] = 5;
  blob = assert_roundtrip (c);
  bits_per_row = blob->len * 8.0 / c->n;
  g_test_message ("%.2f bits per row", bits_per_row);
  /* The values are white noise around a constant here: their entropy is
   * log2 (300 √(2πe)) ≈ 10.3 bits, plus 6.4 for the time. */
  g_assert_cmpfloat (bits_per_row, <, (10.3 + 6.4) * 1.08);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/codec/roundtrip/float64", test_roundtrip_float64);
  g_test_add_func ("/core/codec/roundtrip/decimals", test_roundtrip_decimals);
  g_test_add_func ("/core/codec/roundtrip/wrong-hints", test_wrong_hints);
  g_test_add_func ("/core/codec/roundtrip/special", test_roundtrip_special);
  g_test_add_func ("/core/codec/roundtrip/extremes", test_roundtrip_extremes);
  g_test_add_func ("/core/codec/roundtrip/float32", test_roundtrip_float32);
  g_test_add_func ("/core/codec/roundtrip/dictionary", test_roundtrip_dictionary);
  g_test_add_func ("/core/codec/roundtrip/repeats", test_roundtrip_repeats);
  g_test_add_func ("/core/codec/roundtrip/constant", test_roundtrip_constant);
  g_test_add_func ("/core/codec/roundtrip/single-sample", test_roundtrip_single);
  g_test_add_func ("/core/codec/roundtrip/max-samples", test_roundtrip_max_samples);
  g_test_add_func ("/core/codec/roundtrip/no-channels", test_roundtrip_no_channels);
  g_test_add_func ("/core/codec/roundtrip/max-channels", test_roundtrip_max_channels);
  g_test_add_func ("/core/codec/timestamps", test_timestamps);
  g_test_add_func ("/core/codec/decode/subset", test_decode_subset);
  g_test_add_func ("/core/codec/decode/mismatch", test_decode_mismatch);
  g_test_add_func ("/core/codec/encode/invalid", test_encode_invalid);
  g_test_add_func ("/core/codec/encode/appends", test_encode_appends);
  g_test_add_func ("/core/codec/format/checksums", test_format_checksums);
  g_test_add_func ("/core/codec/corrupt/truncated", test_corrupt_truncated);
  g_test_add_func ("/core/codec/corrupt/flips", test_corrupt_flips);
  g_test_add_func ("/core/codec/corrupt/rehashed", test_corrupt_rehashed);
  g_test_add_func ("/core/codec/corrupt/newer-version", test_newer_version);
  g_test_add_func ("/core/codec/size/realistic", test_size_realistic);

  return g_test_run ();
}
