/* imu-codec.c — lossless, compressed encoding of sample chunks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The byte format is specified in docs/codec.md; keep the two in step.
 *
 * In short: a chunk is a fixed header, a section table and one section per
 * column (timestamps first). Every column becomes a sequence of 64-bit
 * integers (timestamps as they are; decimal columns as v·10^d; float32 and
 * float64 columns as their bit patterns mapped to ordered integers), then a
 * predictor (constant, delta, delta-of-delta or linear) turns them into
 * small residuals, a common factor is divided out and the residuals are
 * zigzagged. Each residual is then split in two: its low bits, which are
 * sensor noise and as good as random, are bit-packed as they are; the high
 * part, a small number with a skewed distribution, is stored as byte planes
 * that zstd compresses (its Huffman stage does the work; LZ matches are
 * mostly useless on noise and only slow decoding down, so short ones are
 * turned off). That gets within about 1 % of the entropy of Gaussian noise
 * and decodes a 4096-value column with one small zstd frame.
 *
 * Values that do not fit a column's representation (NaN, ±Inf, -0.0, an odd
 * value with more digits) are stored aside as exceptions so that one of them
 * does not push a whole column to raw float64. Two fallbacks cover what has
 * no such form: a dictionary of distinct values (ADC counts times an odd
 * factor, printed rounded) and the raw doubles through zstd (full-precision
 * floats), so that a column never costs much more than plain zstd would.
 *
 * Decoding validates every length and index before it is used, and every
 * section carries a checksum, so corrupt or truncated input gives
 * IMU_CODEC_ERROR_CORRUPT and never an out-of-bounds access.
 */
#define G_LOG_DOMAIN "imu-codec"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <zstd.h>

#include "imu-codec.h"

G_DEFINE_QUARK (imu-codec-error-quark, imu_codec_error)

/* Format constants (docs/codec.md). */
#define CODEC_MAGIC        "IMUC"
#define CODEC_VERSION      1
#define HEADER_SIZE        24
#define TABLE_ENTRY_SIZE   16

enum {
  KIND_TIME         = 0,
  KIND_DECIMAL      = 1,
  KIND_FLOAT32      = 2,
  KIND_FLOAT64      = 3,
  KIND_DICT_FLOAT64 = 4,
  KIND_DICT_DECIMAL = 5,
  KIND_RAW_ZSTD     = 6,
  N_KINDS
};

enum {
  PRED_CONST  = 0,  /* p_i = c */
  PRED_DELTA  = 1,  /* p_i = x_{i-1} + s, x_{-1} = c - s */
  PRED_DELTA2 = 2,  /* p_i = 2 x_{i-1} - x_{i-2}, x_{-1} = x_{-2} = c */
  PRED_LINEAR = 3,  /* p_i = c + i s */
  N_PREDS
};

enum {
  PLANE_CONST = 0,
  PLANE_RAW   = 1,
  PLANE_ZSTD  = 2,
};

/* Kinds whose values are integers / 10^decimals. */
static inline gboolean
kind_has_decimals (int kind)
{
  return kind == KIND_DECIMAL || kind == KIND_DICT_DECIMAL;
}

/* Seeds of the checksums: one for the header, one for the table, and the
 * section index for each section, so that swapped sections are caught. */
#define SEED_HEADER 0x494d5548u
#define SEED_TABLE  0x494d5554u

/* At most this fraction of a column may be exceptions. */
#define MAX_EXCEPTIONS(n) ((n) / 16)

/* Powers of ten that are exact doubles, for decimal columns (d ≤ 18). */
static const double pow10_exact[19] = {
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
  1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18,
};

/* ------------------------------------------------------------------ */
/* Little-endian helpers                                              */

static inline guint16
rd16 (const guint8 *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static inline guint32
rd32 (const guint8 *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

/* An unaligned little-endian load the compiler turns into one move. */
static inline guint64
load_le64 (const guint8 *p)
{
  guint64 v;

  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

static inline void
wr16 (guint8 *p, guint16 v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static inline void
wr32 (guint8 *p, guint32 v)
{
  p[0] = v & 0xff;
  p[1] = (v >> 8) & 0xff;
  p[2] = (v >> 16) & 0xff;
  p[3] = v >> 24;
}

static inline void
wr64 (guint8 *p, guint64 v)
{
  wr32 (p, (guint32) v);
  wr32 (p + 4, (guint32) (v >> 32));
}

static inline guint64
zigzag (guint64 v)
{
  return (v << 1) ^ (guint64) ((gint64) v >> 63);
}

static inline guint64
unzigzag (guint64 z)
{
  return (z >> 1) ^ (0 - (z & 1));
}

static inline guint64
double_bits (double v)
{
  guint64 b;

  memcpy (&b, &v, sizeof b);
  return b;
}

static inline double
bits_double (guint64 b)
{
  double v;

  memcpy (&v, &b, sizeof v);
  return v;
}

/* Maps IEEE bit patterns to integers that sort like the numbers (negative
 * numbers become ~magnitude), so deltas of a smooth signal are small. The
 * map is its own inverse and keeps -0.0 and +0.0 apart. */
static inline guint64
order_map64 (guint64 b)
{
  return b ^ ((guint64) ((gint64) b >> 63) >> 1);
}

static inline guint32
order_map32 (guint32 b)
{
  return b ^ ((guint32) ((gint32) b >> 31) >> 1);
}

/* The hot loops (a division by 10^d for every decimal value, above all)
 * use explicit vectors (GCC/Clang vector extensions) and, on x86-64, are
 * compiled for AVX-512 and AVX2 as well, picked at run time: 4–8 times
 * faster than scalar. GCC at -O2 does not vectorise them by itself. IEEE
 * division is correctly rounded at any width, so every variant gives the
 * same bits. */
typedef double  v4df __attribute__ ((vector_size (32)));
typedef guint64 v4du __attribute__ ((vector_size (32)));
typedef gint64  v4di __attribute__ ((vector_size (32)));

#if defined(__x86_64__) && defined(__has_attribute)
# if __has_attribute (target_clones) && !defined(__clang__)
#  define IMU_MULTIVERSION __attribute__ ((target_clones ("avx512f", "avx2", "default")))
# endif
#endif
#ifndef IMU_MULTIVERSION
# define IMU_MULTIVERSION
#endif

/* ------------------------------------------------------------------ */
/* Checksum                                                           */

/* A 32-bit non-cryptographic hash in the style of xxHash64 (four 64-bit
 * multiply-rotate lanes, then an avalanche): several GB/s, so verifying a
 * section costs far less than decompressing it. It detects corruption, not
 * tampering. */
#define H_P1 G_GUINT64_CONSTANT (0x9E3779B185EBCA87)
#define H_P2 G_GUINT64_CONSTANT (0xC2B2AE3D27D4EB4F)
#define H_P3 G_GUINT64_CONSTANT (0x165667B19E3779F9)
#define H_P4 G_GUINT64_CONSTANT (0x85EBCA77C2B2AE63)

static inline guint64
rotl64 (guint64 x, int r)
{
  return (x << r) | (x >> (64 - r));
}

static inline guint64
hash_round (guint64 acc, guint64 lane)
{
  acc += lane * H_P2;
  acc = rotl64 (acc, 31);
  return acc * H_P1;
}

static guint32
codec_hash (const guint8 *p,
            gsize         n,
            guint32       seed)
{
  const guint8 *end = p + n;
  guint64 h;

  if (n >= 32)
    {
      guint64 a = seed + H_P1 + H_P2;
      guint64 b = seed + H_P2;
      guint64 c = seed;
      guint64 d = seed - H_P1;

      do
        {
          a = hash_round (a, load_le64 (p));
          b = hash_round (b, load_le64 (p + 8));
          c = hash_round (c, load_le64 (p + 16));
          d = hash_round (d, load_le64 (p + 24));
          p += 32;
        }
      while ((gsize) (end - p) >= 32);
      h = rotl64 (a, 1) + rotl64 (b, 7) + rotl64 (c, 12) + rotl64 (d, 18);
      h = (h ^ hash_round (0, a)) * H_P1 + H_P4;
      h = (h ^ hash_round (0, b)) * H_P1 + H_P4;
      h = (h ^ hash_round (0, c)) * H_P1 + H_P4;
      h = (h ^ hash_round (0, d)) * H_P1 + H_P4;
    }
  else
    {
      h = seed + H_P3;
    }

  h += n;
  while ((gsize) (end - p) >= 8)
    {
      h ^= hash_round (0, load_le64 (p));
      h = rotl64 (h, 27) * H_P1 + H_P4;
      p += 8;
    }
  if ((gsize) (end - p) >= 4)
    {
      h ^= (guint64) rd32 (p) * H_P1;
      h = rotl64 (h, 23) * H_P2 + H_P3;
      p += 4;
    }
  while (p < end)
    {
      h ^= *p * G_GUINT64_CONSTANT (0x27D4EB2F165667C5);
      h = rotl64 (h, 11) * H_P1;
      p++;
    }

  h ^= h >> 33;
  h *= H_P2;
  h ^= h >> 29;
  h *= H_P3;
  h ^= h >> 32;
  return (guint32) h;
}

/* ------------------------------------------------------------------ */
/* Per-thread scratch: zstd contexts and buffers reused across chunks   */

typedef struct {
  ZSTD_CCtx *cctx;
  int        cctx_level; /* level the context is set up for, 0 = none */
  ZSTD_DCtx *dctx;
  gsize      cap;        /* samples the arrays below hold */
  guint64   *ints;       /* the column as integers */
  guint64   *resid;      /* residuals, then zigzagged */
  guint8    *planes;     /* 8 × cap bytes */
  guint8    *bits;       /* 8 × cap + 16 bytes: padded copy of the low bits */
  guint32   *exc_index;  /* exception indices */
  /* Dictionary columns only, allocated when first needed. */
  guint64   *dict;       /* cap: the distinct values */
  gsize      hash_cap;   /* slots of the hash set below */
  guint64   *hash_keys;
  guint32   *hash_rank;  /* 0 = empty slot, else rank + 1 */
} Scratch;

static void
scratch_free (gpointer data)
{
  Scratch *s = data;

  if (s == NULL)
    return;
  ZSTD_freeCCtx (s->cctx);
  ZSTD_freeDCtx (s->dctx);
  g_free (s->ints);
  g_free (s->resid);
  g_free (s->planes);
  g_free (s->bits);
  g_free (s->exc_index);
  g_free (s->dict);
  g_free (s->hash_keys);
  g_free (s->hash_rank);
  g_free (s);
}

static GPrivate scratch_key = G_PRIVATE_INIT (scratch_free);

static Scratch *
scratch_get (gsize n)
{
  Scratch *s = g_private_get (&scratch_key);

  if (s == NULL)
    {
      s = g_new0 (Scratch, 1);
      g_private_set (&scratch_key, s);
    }
  if (s->cap < n)
    {
      /* Grow to the chunk size in use; a chunk never exceeds 65536. */
      gsize cap = MAX (n, 4096);

      g_free (s->ints);
      g_free (s->resid);
      g_free (s->planes);
      g_free (s->bits);
      g_free (s->exc_index);
      g_clear_pointer (&s->dict, g_free);
      s->ints = g_new (guint64, cap);
      s->resid = g_new (guint64, cap);
      s->planes = g_new (guint8, 8 * cap);
      s->bits = g_new (guint8, 8 * cap + 16);
      s->exc_index = g_new (guint32, cap);
      s->cap = cap;
    }
  return s;
}

/* ------------------------------------------------------------------ */
/* Output helpers                                                     */

static void
put_u8 (GByteArray *out, guint8 v)
{
  g_byte_array_append (out, &v, 1);
}

static void
put_varint (GByteArray *out, guint64 v)
{
  guint8 tmp[10];
  guint n = 0;

  while (v >= 0x80)
    {
      tmp[n++] = (guint8) (v | 0x80);
      v >>= 7;
    }
  tmp[n++] = (guint8) v;
  g_byte_array_append (out, tmp, n);
}

/* ------------------------------------------------------------------ */
/* Exact division by a constant                                       */

/* |v| of a two's complement v, without a branch: residual signs are
 * random, and a mispredicted branch costs more than the whole test. */
static inline guint64
abs_i64 (guint64 v)
{
  guint64 m = (guint64) ((gint64) v >> 63);

  return (v ^ m) - m;
}

/* Timestamps divide by their grid (1000 for microseconds) once per value;
 * a 64-bit hardware division costs tens of cycles, a multiplication by the
 * odd part's inverse modulo 2^64 one. g = 2^shift · odd. */
typedef struct {
  guint64 g;
  guint   shift;
  guint64 inverse;  /* odd · inverse ≡ 1 (mod 2^64) */
  guint64 limit;    /* x·inverse ≤ limit ⇔ odd divides x */
} Divisor;

static void
divisor_init (Divisor *d, guint64 g)
{
  guint64 odd, inv;

  g_assert (g != 0);
  d->g = g;
  d->shift = __builtin_ctzll (g);
  odd = g >> d->shift;
  /* Newton's iteration doubles the correct low bits each step: 3, 6, …, 96. */
  inv = odd;
  for (int i = 0; i < 5; i++)
    inv *= 2 - odd * inv;
  d->inverse = inv;
  d->limit = G_MAXUINT64 / odd;
}

/* Whether g divides the two's complement value @v. */
static inline gboolean
divisor_divides (const Divisor *d, guint64 v)
{
  guint64 mask = (G_GUINT64_CONSTANT (1) << d->shift) - 1;

  v = abs_i64 (v);
  return ((v & mask) == 0) & ((v >> d->shift) * d->inverse <= d->limit);
}

/* v / g for a two's complement v that g divides. */
static inline guint64
divisor_divide (const Divisor *d, guint64 v)
{
  return (guint64) ((gint64) v >> d->shift) * d->inverse;
}

static guint64
gcd_u64 (guint64 a, guint64 b)
{
  while (b != 0)
    {
      guint64 t = a % b;

      a = b;
      b = t;
    }
  return a;
}

/* The greatest common divisor of all @v[i] - @base (as int64), or 0 when
 * they are all zero. Stops early at 1, the usual answer for values. */
static guint64
common_divisor (const guint64 *v, gsize n, guint64 base)
{
  guint64 g = 0;
  Divisor div;

  for (gsize i = 0; i < n; i++)
    {
      guint64 x = v[i] - base;

      if (x == 0 || (g != 0 && divisor_divides (&div, x)))
        continue;
      g = gcd_u64 (abs_i64 (x), g);
      if (g == 1)
        break;
      divisor_init (&div, g);
    }
  return g;
}

/* ------------------------------------------------------------------ */
/* Integer stream encoder                                             */

typedef struct {
  int     pred;
  guint64 c;
  guint64 s;
} Predictor;

/* Bit length, with 0 counted as 1: close enough for cost estimates and
 * free of a branch. */
static inline guint
bit_cost (guint64 z)
{
  return 64 - __builtin_clzll (z | 1);
}

/* Rounds a double to an integer multiple of @grid, as a wrapping int64. */
static guint64
round_to_grid (double v, guint64 grid)
{
  double q = v / (double) grid;

  if (!(fabs (q) < 0x1p62))
    return 0;
  return (guint64) (gint64) llround (q) * grid;
}

/* Predictors are chosen on a sample: eight blocks of 128 consecutive
 * values spread over the chunk. A choice only costs size, never
 * exactness, and the sample sees every regime a 4096-sample chunk has. */
#define SAMPLE_BLOCKS    8
#define SAMPLE_BLOCK_LEN 128

typedef struct {
  guint n_blocks;
  gsize start[SAMPLE_BLOCKS];
  gsize len;
} Sample;

static void
sample_init (Sample *sm, gsize n)
{
  if (n <= SAMPLE_BLOCKS * SAMPLE_BLOCK_LEN)
    {
      sm->n_blocks = 1;
      sm->start[0] = 0;
      sm->len = n;
      return;
    }
  sm->n_blocks = SAMPLE_BLOCKS;
  sm->len = SAMPLE_BLOCK_LEN;
  for (guint b = 0; b < SAMPLE_BLOCKS; b++)
    sm->start[b] = b * (n - SAMPLE_BLOCK_LEN) / (SAMPLE_BLOCKS - 1);
}

/* The median of the deltas x_i - x_{i-1} (as int64) over the sample, by
 * quickselect in @tmp: the nominal step of a time column, robust to a gap
 * or two in a chunk, unlike the mean. */
static guint64
median_delta (const guint64 *x, const Sample *sm, guint64 *tmp)
{
  gsize m = 0, lo = 0, hi, k;

  for (guint b = 0; b < sm->n_blocks; b++)
    for (gsize i = MAX (sm->start[b], 1); i < sm->start[b] + sm->len; i++)
      tmp[m++] = x[i] - x[i - 1];
  g_assert (m >= 1);
  hi = m - 1;
  k = m / 2;
  while (lo < hi)
    {
      gint64 pivot = (gint64) tmp[lo + (hi - lo) / 2];
      gsize i = lo, j = hi;

      /* Hoare partition: afterwards [lo, j] ≤ pivot ≤ [i, hi]. */
      for (;;)
        {
          while ((gint64) tmp[i] < pivot)
            i++;
          while ((gint64) tmp[j] > pivot)
            j--;
          if (i >= j)
            break;
          {
            guint64 t = tmp[i];

            tmp[i] = tmp[j];
            tmp[j] = t;
          }
          i++;
          j--;
        }
      if (i == j)
        {
          /* tmp[i] equals the pivot and sits in its final place. */
          if (k == i)
            break;
          if (k < i)
            hi = i - 1;
          else
            lo = i + 1;
        }
      else if (k <= j)
        hi = j;
      else
        lo = j + 1;
    }
  return tmp[k];
}

/* Estimated cost in bits of a predictor's residuals over the sample. */
static guint64
estimate_bits (const guint64 *x, const Sample *sm, const Predictor *p)
{
  guint64 bits = 0;

  for (guint b = 0; b < sm->n_blocks; b++)
    {
      gsize from = sm->start[b], to = from + sm->len;

      switch (p->pred)
        {
        case PRED_DELTA:
          {
            guint64 prev = from > 0 ? x[from - 1] : p->c - p->s;

            for (gsize i = from; i < to; i++)
              {
                bits += bit_cost (zigzag (x[i] - prev - p->s));
                prev = x[i];
              }
          }
          break;
        case PRED_LINEAR:
          {
            guint64 pred = p->c + from * p->s;

            for (gsize i = from; i < to; i++)
              {
                bits += bit_cost (zigzag (x[i] - pred));
                pred += p->s;
              }
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return bits;
}

/* Chooses a predictor for @x: constant around the mean, delta and
 * delta-of-delta for every column (estimated in one pass); for timestamps
 * also delta around the median step and a line with that step, which suits
 * jitter that does not accumulate. */
static Predictor
choose_predictor (Scratch *sc, const guint64 *x, gsize n, gboolean is_time)
{
  guint64 x0 = x[0];
  guint64 grid = common_divisor (x, n, x0);
  double sum[4] = { 0, 0, 0, 0 };
  gsize count = 0;
  guint64 c0;
  guint64 bits[3] = { 0, 0, 0 };
  Predictor best;
  guint64 best_bits;
  Sample sm;

  sample_init (&sm, n);
  if (grid == 0)
    grid = 1;

  /* The mean, in four sums so that the additions overlap. */
  for (guint b = 0; b < sm.n_blocks; b++)
    {
      gsize i = sm.start[b], to = i + sm.len;

      for (; i + 4 <= to; i += 4)
        for (guint j = 0; j < 4; j++)
          sum[j] += (double) (gint64) (x[i + j] - x0);
      for (; i < to; i++)
        sum[0] += (double) (gint64) (x[i] - x0);
      count += sm.len;
    }
  /* Centred on the mean, rounded to the grid so that the residuals keep
   * the grid as a common factor. */
  c0 = x0 + round_to_grid ((sum[0] + sum[1] + sum[2] + sum[3]) / count, grid);

  for (guint b = 0; b < sm.n_blocks; b++)
    {
      gsize from = sm.start[b], to = from + sm.len;
      guint64 prev = from > 0 ? x[from - 1] : x0;
      guint64 prev_d = from > 1 ? x[from - 1] - x[from - 2] : 0;

      for (gsize i = from; i < to; i++)
        {
          guint64 d = x[i] - prev;

          bits[0] += bit_cost (zigzag (x[i] - c0));
          bits[1] += bit_cost (zigzag (d));
          bits[2] += bit_cost (zigzag (d - prev_d));
          prev = x[i];
          prev_d = d;
        }
    }

  /* Ties go to the simpler predictor. */
  best = (Predictor) { PRED_CONST, c0, 0 };
  best_bits = bits[0];
  if (bits[1] < best_bits)
    {
      best = (Predictor) { PRED_DELTA, x0, 0 };
      best_bits = bits[1];
    }
  if (bits[2] < best_bits)
    {
      best = (Predictor) { PRED_DELTA2, x0, 0 };
      best_bits = bits[2];
    }

  if (is_time && n >= 3)
    {
      guint64 step = median_delta (x, &sm, sc->resid);
      double lsum = 0;
      guint64 line = 0;
      Predictor cand[2];

      /* The line's offset is centred on every sample, not on the sample:
       * an offset error costs on every value. */
      for (gsize i = 0; i < n; i++, line += step)
        lsum += (double) (gint64) (x[i] - x0 - line);
      cand[0] = (Predictor) { PRED_DELTA, x0, step };
      cand[1] = (Predictor) { PRED_LINEAR, x0 + round_to_grid (lsum / n, grid), step };
      for (guint i = 0; i < G_N_ELEMENTS (cand); i++)
        {
          guint64 b = estimate_bits (x, &sm, &cand[i]);

          if (b < best_bits)
            {
              best = cand[i];
              best_bits = b;
            }
        }
    }
  return best;
}

/* Residuals x_i - p_i of a predictor, wrapping. */
static void
residuals (const guint64 *x, gsize n, const Predictor *p, guint64 *r)
{
  switch (p->pred)
    {
    case PRED_CONST:
      for (gsize i = 0; i < n; i++)
        r[i] = x[i] - p->c;
      break;
    case PRED_DELTA:
      {
        guint64 prev = p->c - p->s;

        for (gsize i = 0; i < n; i++)
          {
            r[i] = x[i] - prev - p->s;
            prev = x[i];
          }
      }
      break;
    case PRED_DELTA2:
      {
        guint64 p1 = p->c, p2 = p->c;

        for (gsize i = 0; i < n; i++)
          {
            r[i] = x[i] - (2 * p1 - p2);
            p2 = p1;
            p1 = x[i];
          }
      }
      break;
    case PRED_LINEAR:
      {
        guint64 pred = p->c;

        for (gsize i = 0; i < n; i++)
          {
            r[i] = x[i] - pred;
            pred += p->s;
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
zstd_setup (Scratch *sc, int level)
{
  if (sc->cctx_level == level)
    return;
  ZSTD_CCtx_reset (sc->cctx, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter (sc->cctx, ZSTD_c_compressionLevel, level);
  /* Residual planes are close to independent symbols: a short match
   * rarely pays for itself, and every match slows decoding. */
  ZSTD_CCtx_setParameter (sc->cctx, ZSTD_c_minMatch, 7);
  /* The section knows the plane size; the frame need not repeat it. */
  ZSTD_CCtx_setParameter (sc->cctx, ZSTD_c_contentSizeFlag, 0);
  sc->cctx_level = level;
}

static void
put_plane (Scratch      *sc,
           const guint8 *plane,
           gsize         n,
           GByteArray   *out)
{
  gboolean constant = TRUE;
  gsize bound, start, clen;

  for (gsize i = 1; i < n; i++)
    if (plane[i] != plane[0])
      {
        constant = FALSE;
        break;
      }
  if (constant)
    {
      put_u8 (out, PLANE_CONST);
      put_u8 (out, plane[0]);
      return;
    }

  bound = ZSTD_compressBound (n);
  start = out->len;
  g_byte_array_set_size (out, start + 5 + bound);
  clen = ZSTD_compress2 (sc->cctx, out->data + start + 5, bound, plane, n);
  if (!ZSTD_isError (clen) && clen + 4 < n)
    {
      out->data[start] = PLANE_ZSTD;
      wr32 (out->data + start + 1, (guint32) clen);
      g_byte_array_set_size (out, start + 5 + clen);
      return;
    }
  g_byte_array_set_size (out, start);
  put_u8 (out, PLANE_RAW);
  g_byte_array_append (out, plane, n);
}

/* Packs eight fields of a constant @k ≤ 32 bits at a time: they fill
 * exactly k bytes, so every shift is a constant. Also extracts the first
 * high plane (bits k to k + 7) on the way. Writes up to 32 bytes past the
 * k of each group; the caller leaves that much room. */
static inline __attribute__ ((always_inline)) gsize
pack_low_bits_const (const guint64 *z, gsize n, guint k, guint8 *o, guint8 *high)
{
  guint64 mask = (G_GUINT64_CONSTANT (1) << k) - 1;
  gsize i = 0;

  for (; i + 8 <= n; i += 8, o += k)
    {
      guint64 w[5] = { 0, 0, 0, 0, 0 };

#pragma GCC unroll 8
      for (guint j = 0; j < 8; j++)
        {
          guint64 v = z[i + j] & mask;
          guint bit = j * k;

          w[bit >> 6] |= v << (bit & 63);
          if ((bit & 63) + k > 64)
            w[(bit >> 6) + 1] |= v >> (64 - (bit & 63));
          high[i + j] = (guint8) (z[i + j] >> k);
        }
#pragma GCC unroll 4
      for (guint j = 0; j < (k + 7) / 8; j++)
        wr64 (o + 8 * j, w[j]);
    }
  return i;
}

/* Appends the low @k bits of each @z, LSB first, as one bit stream, and
 * puts bits k to k + 7 of each in @high. */
static void
put_low_bits (const guint64 *z, gsize n, guint k, GByteArray *out, guint8 *high)
{
  gsize start = out->len, nbytes = (n * k + 7) / 8, done = 0;
  guint8 *o;
  guint64 acc = 0;
  guint nacc = 0;

  g_assert (k >= 1 && k <= 63);
  g_byte_array_set_size (out, start + nbytes + 40);
  o = out->data + start;

  switch (k)
    {
#define PACK_CASE(K) case K: done = pack_low_bits_const (z, n, K, o, high); break;
      PACK_CASE (1)  PACK_CASE (2)  PACK_CASE (3)  PACK_CASE (4)
      PACK_CASE (5)  PACK_CASE (6)  PACK_CASE (7)  PACK_CASE (8)
      PACK_CASE (9)  PACK_CASE (10) PACK_CASE (11) PACK_CASE (12)
      PACK_CASE (13) PACK_CASE (14) PACK_CASE (15) PACK_CASE (16)
      PACK_CASE (17) PACK_CASE (18) PACK_CASE (19) PACK_CASE (20)
      PACK_CASE (21) PACK_CASE (22) PACK_CASE (23) PACK_CASE (24)
      PACK_CASE (25) PACK_CASE (26) PACK_CASE (27) PACK_CASE (28)
      PACK_CASE (29) PACK_CASE (30) PACK_CASE (31) PACK_CASE (32)
#undef PACK_CASE
    default:
      break;
    }
  /* Groups of eight end on a byte boundary: the rest starts afresh. */
  o += done / 8 * k;
  for (gsize i = done; i < n; i++)
    high[i] = (guint8) (z[i] >> k);

  if (k <= 32)
    {
      guint64 mask = (G_GUINT64_CONSTANT (1) << k) - 1;

      for (gsize i = done; i < n; i++)
        {
          /* nacc < 32 here, so acc never overflows. */
          acc |= (z[i] & mask) << nacc;
          nacc += k;
          if (nacc >= 32)
            {
              wr32 (o, (guint32) acc);
              o += 4;
              acc >>= 32;
              nacc -= 32;
            }
        }
    }
  else
    {
      guint64 mask = (G_GUINT64_CONSTANT (1) << (k - 32)) - 1;

      /* Wide fields go in two pieces: 32 bits, then the other k - 32. */
      for (gsize i = done; i < n; i++)
        {
          acc |= (z[i] & G_MAXUINT32) << nacc;
          wr32 (o, (guint32) acc);
          o += 4;
          acc >>= 32;
          acc |= ((z[i] >> 32) & mask) << nacc;
          nacc += k - 32;
          if (nacc >= 32)
            {
              wr32 (o, (guint32) acc);
              o += 4;
              acc >>= 32;
              nacc -= 32;
            }
        }
    }
  while (nacc > 0)
    {
      *o++ = (guint8) acc;
      acc >>= 8;
      nacc = nacc > 8 ? nacc - 8 : 0;
    }
  g_assert ((gsize) (o - (out->data + start)) == nbytes);
  g_byte_array_set_size (out, start + nbytes);
}

/* z_i = zigzag (r_i / scale), four at a time; returns the OR of all z. */
IMU_MULTIVERSION static guint64
zigzag_all (guint64 *r, gsize n, const Divisor *div)
{
  v4du acc = { 0, 0, 0, 0 };
  guint64 acc1 = 0;
  gsize i = 0;

  for (; i + 4 <= n; i += 4)
    {
      v4di v;
      v4du z;

      memcpy (&v, r + i, sizeof v);
      /* Exact division as in divisor_divide (), wrapping, so unsigned. */
      if (div != NULL)
        v = (v4di) ((v4du) (v >> div->shift) * div->inverse);
      z = ((v4du) v << 1) ^ (v4du) (v >> 63);
      acc |= z;
      memcpy (r + i, &z, sizeof z);
    }
  for (; i < n; i++)
    {
      guint64 z = zigzag (div != NULL ? divisor_divide (div, r[i]) : r[i]);

      r[i] = z;
      acc1 |= z;
    }
  return acc[0] | acc[1] | acc[2] | acc[3] | acc1;
}

/* Encodes @x (n wrapping 64-bit integers) as the integer stream that
 * starts every section (docs/codec.md, "Sections"), up to and including
 * the high planes; the caller appends the exceptions. */
static void
put_int_stream (Scratch       *sc,
                const guint64 *x,
                gsize          n,
                gboolean       is_time,
                guint          n_exceptions,
                GByteArray    *out)
{
  Predictor p = choose_predictor (sc, x, n, is_time);
  guint64 *r = sc->resid;
  guint64 scale, zmax, cost = 0;
  gsize count;
  guint k, width;
  Sample sm;

  residuals (x, n, &p, r);
  scale = common_divisor (r, n, 0);
  if (scale == 0)
    scale = 1;
  if (scale > 1)
    {
      Divisor div;

      divisor_init (&div, scale);
      zmax = zigzag_all (r, n, &div);
    }
  else
    {
      zmax = zigzag_all (r, n, NULL);
    }

  /* Leave the top bits of each residual to zstd, about 4.5 bits of
   * entropy for Gaussian noise (the average bit length, taken on the
   * sample, is about 1.3 bits under the entropy): the bits below are
   * noise no entropy coder can shrink. Measured on IMU data, this is the
   * best for size and speed. */
  sample_init (&sm, n);
  for (guint b = 0; b < sm.n_blocks; b++)
    for (gsize i = sm.start[b]; i < sm.start[b] + sm.len; i++)
      cost += bit_cost (r[i]);
  count = (gsize) sm.n_blocks * sm.len;
  k = (guint) ((cost + count / 2) / count);
  k = k > 3 ? k - 3 : 0;
  k = MIN (k, 63);
  width = (zmax >> k) == 0 ? 0 : ((64 - __builtin_clzll (zmax >> k)) + 7) / 8;

  put_u8 (out, (guint8) p.pred);
  put_u8 (out, (guint8) k);
  put_u8 (out, (guint8) width);
  put_varint (out, zigzag (p.c));
  put_varint (out, zigzag (p.s));
  put_varint (out, scale);
  put_varint (out, n_exceptions);

  if (k > 0)
    put_low_bits (r, n, k, out, sc->planes);
  for (guint j = 0; j < width; j++)
    {
      guint8 *plane = sc->planes;
      guint shift = k + 8 * j;

      if (j > 0 || k == 0)
        for (gsize i = 0; i < n; i++)
          plane[i] = (guint8) (r[i] >> shift);
      put_plane (sc, plane, n, out);
    }
}

static void
put_exceptions (GByteArray    *out,
                const guint32 *index,
                guint          n_exc,
                const double  *v)
{
  gsize start = out->len;

  g_byte_array_set_size (out, start + (gsize) n_exc * 10);
  for (guint i = 0; i < n_exc; i++)
    wr16 (out->data + start + 2 * i, (guint16) index[i]);
  for (guint i = 0; i < n_exc; i++)
    wr64 (out->data + start + 2 * (gsize) n_exc + 8 * i, double_bits (v[index[i]]));
}

/* ------------------------------------------------------------------ */
/* Column representations                                             */

/* 1.5 · 2^52: adding it to |x| < 2^51 rounds x to the nearest integer and
 * leaves that integer in the low mantissa bits. */
#define MAGIC       0x1.8p52
#define MAGIC_BITS  G_GUINT64_CONSTANT (0x4338000000000000)

/* v[i] = (double) x[i] / p, exactly as the scalar expression, via the
 * MAGIC conversion. Returns FALSE, having written nothing, unless every
 * |x[i]| < 2^51. */
IMU_MULTIVERSION static gboolean
decimal_from_ints (const guint64 *x, gsize n, double p, double *v)
{
  const guint64 bias = G_GUINT64_CONSTANT (1) << 51;
  v4du range = { 0, 0, 0, 0 };
  guint64 range1 = 0;
  gsize i = 0;

  /* x + 2^51 < 2^52 exactly when -2^51 ≤ x < 2^51, and an OR of such
   * numbers stays below 2^52. */
  for (; i + 4 <= n; i += 4)
    {
      v4du b;

      memcpy (&b, x + i, sizeof b);
      range |= b + bias;
    }
  for (; i < n; i++)
    range1 |= x[i] + bias;
  if ((range[0] | range[1] | range[2] | range[3] | range1) >= 2 * bias)
    return FALSE;

  for (i = 0; i + 4 <= n; i += 4)
    {
      v4du b;
      v4df d;

      memcpy (&b, x + i, sizeof b);
      b += MAGIC_BITS;
      memcpy (&d, &b, sizeof d);
      d = (d - MAGIC) / p;
      memcpy (v + i, &d, sizeof d);
    }
  for (; i < n; i++)
    v[i] = (bits_double (x[i] + MAGIC_BITS) - MAGIC) / p;
  return TRUE;
}

/* Whether @v is exactly k / 10^d for the integer k it rounds to, by the
 * decoder's expression, bit for bit. (A compiler that fuses v·p + MAGIC
 * into one FMA may pick another k; it is still verified, so still exact.) */
static inline gboolean
decimal_fits (double v, int d, gint64 *k_out)
{
  double x = v * pow10_exact[d];
  double r;
  gint64 k;

  if (!(fabs (x) < 0x1p53))
    return FALSE;
  /* The MAGIC trick rounds exactly below 2^51 only; round () does the
   * rare rest. */
  r = fabs (x) < 0x1p51 ? (x + MAGIC) - MAGIC : round (x);
  k = (gint64) r;
  if (double_bits ((double) k / pow10_exact[d]) != double_bits (v))
    return FALSE;
  *k_out = k;
  return TRUE;
}

/* The common case in one branch-free, vectorised pass: every value fits
 * d decimals with |k| < 2^51. Fills @x with the integers. */
IMU_MULTIVERSION static gboolean
decimal_fit_all (const double *v, gsize n, int d, guint64 *x)
{
  double p = pow10_exact[d];
  v4du bad = { 0, 0, 0, 0 };
  guint64 bad1 = 0;
  gsize i = 0;

  for (; i + 4 <= n; i += 4)
    {
      v4df vv, xv, r, back, ax;
      v4du rb, vb, bb;

      memcpy (&vv, v + i, sizeof vv);
      xv = vv * p;
      r = xv + MAGIC;
      back = (r - MAGIC) / p;
      memcpy (&rb, &r, sizeof rb);
      memcpy (&vb, &vv, sizeof vb);
      memcpy (&bb, &back, sizeof bb);
      bad |= bb ^ vb;
      /* |x| < 2^51, false for NaN: the comparison gives all ones or 0. */
      memcpy (&ax, &xv, sizeof ax);
      {
        v4du axb;

        memcpy (&axb, &ax, sizeof axb);
        axb &= G_GUINT64_CONSTANT (0x7fffffffffffffff);
        memcpy (&ax, &axb, sizeof ax);
      }
      bad |= (v4du) ~(ax < 0x1p51);
      rb -= MAGIC_BITS;
      memcpy (x + i, &rb, sizeof rb);
    }
  for (; i < n; i++)
    {
      double xv = v[i] * p;
      double r = xv + MAGIC;
      double back = (r - MAGIC) / p;

      bad1 |= double_bits (back) ^ double_bits (v[i]);
      bad1 |= fabs (xv) < 0x1p51 ? 0 : 1;
      x[i] = double_bits (r) - MAGIC_BITS;
    }
  return (bad[0] | bad[1] | bad[2] | bad[3] | bad1) == 0;
}

/* Scalar check that stops at the first misfit, for probing. */
static gboolean
decimal_probe (const double *v, gsize n, int d)
{
  gint64 k;

  for (gsize i = 0; i < n; i++)
    if (!decimal_fits (v[i], d, &k))
      return FALSE;
  return TRUE;
}

/* NaN, ±Inf, -0.0 and numbers beyond 2^53 never fit a decimal column. */
static inline gboolean
decimal_special (double v)
{
  return !(fabs (v) < 0x1p53) || (v == 0 && signbit (v));
}

static gboolean
decimal_all_fit_but_special (const double *v, gsize n, int d)
{
  gint64 k;

  for (gsize i = 0; i < n; i++)
    if (!decimal_special (v[i]) && !decimal_fits (v[i], d, &k))
      return FALSE;
  return TRUE;
}

static gsize
decimal_failures (const double *v, gsize n, int d, gsize give_up)
{
  gsize failures = 0;
  gint64 k;

  for (gsize i = 0; i < n && failures <= give_up; i++)
    if (!decimal_fits (v[i], d, &k))
      failures++;
  return failures;
}

/* The smallest number of decimals d (0..18) for which every value of the
 * column is exactly an integer / 10^d, allowing at most n/16 exceptions.
 * Returns -1 when there is none. When it returns TRUE in @filled, @x holds
 * the integers already and there are no exceptions. */
static int
find_decimals (const double *v, gsize n, int hint, guint64 *x, gboolean *filled)
{
  gsize specials = 0, max_exc = MAX_EXCEPTIONS (n);
  gsize first = n;
  int start = -1;

  *filled = FALSE;

  /* The common case first: the hint (or the first value's decimals) fits
   * every value; then look for fewer decimals, which fail fast. */
  if (hint >= 0 && hint <= 18)
    start = hint;
  else
    {
      gint64 k;

      for (int d = 0; d <= 18 && start < 0; d++)
        if (decimal_fits (v[0], d, &k))
          start = d;
    }
  if (start >= 0 && decimal_fit_all (v, n, start, x))
    {
      int d = start;

      while (d > 0 && decimal_probe (v, n, d - 1))
        d--;
      if (d != start && !decimal_fit_all (v, n, d, x))
        return d;  /* Exact but with |k| ≥ 2^51: the caller recomputes. */
      *filled = TRUE;
      return d;
    }

  /* The slow path: specials (NaN, -0.0…) become exceptions; look for the
   * smallest d that fits every other value, from the first value's. The
   * hint is not used here: a wrong one must not cost exceptions. */
  for (gsize i = 0; i < n; i++)
    if (decimal_special (v[i]))
      specials++;
    else if (first == n)
      first = i;
  if (specials > max_exc)
    return -1;
  if (first == n)
    return 0;

  start = -1;
  for (int d = 0; d <= 18 && start < 0; d++)
    {
      gint64 k;

      if (decimal_fits (v[first], d, &k))
        start = d;
    }
  if (start >= 0)
    for (int d = start; d <= 18; d++)
      if (decimal_all_fit_but_special (v, n, d))
        return d;

  /* No d fits all ordinary values: accept a few misfits as exceptions. */
  for (int d = 0; d <= 18; d++)
    if (decimal_failures (v, n, d, max_exc) <= max_exc)
      return d;
  return -1;
}

static gboolean
float32_fits (double v, guint32 *bits)
{
  float f;

  /* Out of float range is undefined behaviour in C; NaN and Inf convert. */
  if (fabs (v) > G_MAXFLOAT && !isinf (v))
    return FALSE;
  f = (float) v;
  if (double_bits ((double) f) != double_bits (v))
    return FALSE;
  memcpy (bits, &f, sizeof *bits);
  return TRUE;
}

/* Fills sc->ints with the column as d-decimal integers and sc->exc_index
 * with the values that do not fit. An exception takes the integer before
 * it (or the first one after it at the start): neutral for the delta
 * predictors. With @filled, sc->ints holds the integers already and there
 * are no exceptions. Returns the number of exceptions, or -1 when there
 * would be more than n/16. */
static int
decimal_ints (Scratch *sc, const double *v, gsize n, int decimals, gboolean filled)
{
  guint64 *x = sc->ints;
  guint32 *exc = sc->exc_index;
  guint n_exc = 0, max_exc = MAX_EXCEPTIONS (n);
  guint64 prev = 0;
  gboolean have_prev = FALSE;

  if (filled)
    return 0;
  for (gsize i = 0; i < n; i++)
    {
      gint64 k;

      if (decimal_fits (v[i], decimals, &k))
        {
          x[i] = (guint64) k;
          if (!have_prev)
            {
              for (gsize j = 0; j < i; j++)
                x[j] = x[i];
              have_prev = TRUE;
            }
          prev = x[i];
        }
      else
        {
          if (n_exc == max_exc)
            return -1;
          exc[n_exc++] = i;
          x[i] = prev;
        }
    }
  return n_exc;
}

/* Appends one column section of @kind (decimal, float32 or float64).
 * With @filled, sc->ints already holds the decimal integers. Returns
 * FALSE when the column does not fit the kind within the exception
 * budget; nothing is appended then. */
static gboolean
put_column (Scratch      *sc,
            const double *v,
            gsize         n,
            int           kind,
            int           decimals,
            gboolean      filled,
            GByteArray   *out)
{
  guint64 *x = sc->ints;
  guint32 *exc = sc->exc_index;
  guint n_exc = 0, max_exc = MAX_EXCEPTIONS (n);

  switch (kind)
    {
    case KIND_DECIMAL:
      {
        int got = decimal_ints (sc, v, n, decimals, filled);

        if (got < 0)
          return FALSE;
        n_exc = got;
      }
      break;

    case KIND_FLOAT32:
      {
        guint64 prev = 0;
        gboolean have_prev = FALSE;

        for (gsize i = 0; i < n; i++)
          {
            guint32 b;

            if (float32_fits (v[i], &b))
              {
                x[i] = (guint64) (gint64) (gint32) order_map32 (b);
                if (!have_prev)
                  {
                    for (gsize j = 0; j < i; j++)
                      x[j] = x[i];
                    have_prev = TRUE;
                  }
                prev = x[i];
              }
            else
              {
                if (n_exc == max_exc)
                  return FALSE;
                exc[n_exc++] = i;
                x[i] = prev;
              }
          }
      }
      break;

    case KIND_FLOAT64:
      for (gsize i = 0; i < n; i++)
        x[i] = order_map64 (double_bits (v[i]));
      break;

    default:
      g_assert_not_reached ();
    }

  put_int_stream (sc, x, n, FALSE, n_exc, out);
  put_exceptions (out, exc, n_exc, v);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Dictionary columns                                                 */

/* Some columns hold few distinct values with long decimal forms: ADC
 * counts times a scale factor like 1/131, printed with 12 significant
 * digits. As decimal integers their deltas are 40 bits of rounding noise,
 * but the sorted distinct values are about one count apart: nearly
 * constant steps. Such a column is stored as its sorted distinct values
 * (an integer stream: decimal integers, or float64 bit patterns mapped to
 * ordered integers) and, per sample, the index of its value, whose deltas
 * follow the signal in counts. */

#define DICT_MAX(n) ((n) * 3 / 4)

static inline gsize
hash_slot (guint64 key, guint shift)
{
  return (gsize) ((key * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15)) >> shift);
}

/* LSD radix sort of signed 64-bit keys, one byte a pass, skipping bytes
 * that every key shares (most of them, for a sensor's values). */
static void
radix_sort_i64 (guint64 *a, guint64 *tmp, gsize m)
{
  const guint64 sign = G_GUINT64_CONSTANT (1) << 63;

  for (gsize i = 0; i < m; i++)
    a[i] ^= sign;
  for (guint shift = 0; shift < 64; shift += 8)
    {
      gsize count[256] = { 0 };
      gsize pos = 0;

      for (gsize i = 0; i < m; i++)
        count[(a[i] >> shift) & 0xff]++;
      if (count[(a[0] >> shift) & 0xff] == m)
        continue;
      for (guint b = 0; b < 256; b++)
        {
          gsize c = count[b];

          count[b] = pos;
          pos += c;
        }
      for (gsize i = 0; i < m; i++)
        tmp[count[(a[i] >> shift) & 0xff]++] = a[i];
      memcpy (a, tmp, m * sizeof *a);
    }
  for (gsize i = 0; i < m; i++)
    a[i] ^= sign;
}

/* Appends a dictionary section for the n keys in sc->ints (decimal
 * integers or ordered float64 bit patterns) with @n_exc exceptions listed
 * in sc->exc_index. Returns FALSE, having appended nothing, when there are
 * more than DICT_MAX (n) distinct keys. */
static gboolean
put_dictionary (Scratch *sc, const double *v, gsize n, guint n_exc, GByteArray *out)
{
  gsize limit = DICT_MAX (n), cap = 16, m = 0;
  guint shift;
  guint64 *x = sc->ints;

  if (limit < 1)
    return FALSE;
  while (cap < 2 * limit)
    cap *= 2;
  shift = 64 - __builtin_ctzll (cap);
  if (sc->hash_cap < cap)
    {
      g_free (sc->hash_keys);
      g_free (sc->hash_rank);
      sc->hash_keys = g_new (guint64, cap);
      sc->hash_rank = g_new (guint32, cap);
      sc->hash_cap = cap;
    }
  if (sc->dict == NULL)
    sc->dict = g_new (guint64, sc->cap);
  memset (sc->hash_rank, 0, cap * sizeof (guint32));

  /* The distinct keys, by open addressing. */
  for (gsize i = 0; i < n; i++)
    {
      guint64 key = x[i];
      gsize h = hash_slot (key, shift);

      while (sc->hash_rank[h] != 0 && sc->hash_keys[h] != key)
        h = (h + 1) & (cap - 1);
      if (sc->hash_rank[h] == 0)
        {
          if (m == limit)
            return FALSE;
          sc->hash_keys[h] = key;
          sc->hash_rank[h] = 1;
          sc->dict[m++] = key;
        }
    }

  /* Sorted, then each key replaced by its rank. */
  radix_sort_i64 (sc->dict, sc->resid, m);
  for (gsize r = 0; r < m; r++)
    {
      gsize h = hash_slot (sc->dict[r], shift);

      while (sc->hash_keys[h] != sc->dict[r])
        h = (h + 1) & (cap - 1);
      sc->hash_rank[h] = (guint32) r + 1;
    }
  for (gsize i = 0; i < n; i++)
    {
      gsize h = hash_slot (x[i], shift);

      while (sc->hash_keys[h] != x[i])
        h = (h + 1) & (cap - 1);
      x[i] = sc->hash_rank[h] - 1;
    }

  put_varint (out, m);
  put_int_stream (sc, sc->dict, m, FALSE, 0, out);
  put_int_stream (sc, x, n, FALSE, n_exc, out);
  put_exceptions (out, sc->exc_index, n_exc, v);
  return TRUE;
}

/* Appends a section of the raw little-endian doubles in one zstd frame,
 * with zstd's usual match finding: the floor for columns of full-precision
 * floats, where repeats of whole 8-byte values are the only structure. */
static gboolean
put_raw_zstd (Scratch *sc, const double *v, gsize n, int level, GByteArray *out)
{
  gsize bound = ZSTD_compressBound (8 * n), start = out->len, clen;

  for (gsize i = 0; i < n; i++)
    wr64 (sc->planes + 8 * i, double_bits (v[i]));
  g_byte_array_set_size (out, start + bound);
  /* ZSTD_compressCCtx () resets the advanced parameters that
   * zstd_setup () set: have them set again next time. */
  clen = ZSTD_compressCCtx (sc->cctx, out->data + start, bound, sc->planes, 8 * n, level);
  sc->cctx_level = 0;
  if (ZSTD_isError (clen))
    {
      g_byte_array_set_size (out, start);
      return FALSE;
    }
  g_byte_array_set_size (out, start + clen);
  return TRUE;
}

/* Encodes a value column with the smallest exact representation found.
 * Fills in the table entry's kind and decimals. */
static void
encode_column (Scratch      *sc,
               const double *v,
               gsize         n,
               int           hint,
               int           level,
               GByteArray   *out,
               guint8       *kind_out,
               guint8       *decimals_out)
{
  gsize start = out->len;
  gsize best_len = G_MAXSIZE;
  int best_kind = -1, best_decimals = 0;
  gboolean filled;
  int decimals = find_decimals (v, n, hint, sc->ints, &filled);
  gsize f32_fail = 0;
  guint32 b;

  if (decimals >= 0 && put_column (sc, v, n, KIND_DECIMAL, decimals, filled, out))
    {
      best_len = out->len - start;
      best_kind = KIND_DECIMAL;
      best_decimals = decimals;
    }

  /* float32 is worth trying only when it fits; a decimal text column
   * ("0.981") almost never does, and says so within n/16 values. */
  for (gsize i = 0; i < n && f32_fail <= MAX_EXCEPTIONS (n); i++)
    if (!float32_fits (v[i], &b))
      f32_fail++;
  if (f32_fail <= MAX_EXCEPTIONS (n))
    {
      gsize cstart = out->len;

      if (put_column (sc, v, n, KIND_FLOAT32, 0, FALSE, out))
        {
          gsize len = out->len - cstart;

          if (len < best_len)
            {
              memmove (out->data + start, out->data + cstart, len);
              best_len = len;
              best_kind = KIND_FLOAT32;
              best_decimals = 0;
            }
          g_byte_array_set_size (out, start + best_len);
        }
    }

  /* A dictionary when what fits so far takes over 2 bytes a value: of
   * decimal integers when the column has decimals, else of float64 bit
   * patterns. */
  if (best_kind < 0 || best_len > 2 * n)
    {
      gsize cstart = out->len;
      int kind = KIND_DICT_FLOAT64;
      int n_exc = 0;

      if (decimals >= 0 && (n_exc = decimal_ints (sc, v, n, decimals, FALSE)) >= 0)
        kind = KIND_DICT_DECIMAL;
      else
        {
          n_exc = 0;
          for (gsize i = 0; i < n; i++)
            sc->ints[i] = order_map64 (double_bits (v[i]));
        }
      if (put_dictionary (sc, v, n, n_exc, out))
        {
          gsize len = out->len - cstart;

          if (len < best_len)
            {
              memmove (out->data + start, out->data + cstart, len);
              best_len = len;
              best_kind = kind;
              best_decimals = kind == KIND_DICT_DECIMAL ? decimals : 0;
            }
          g_byte_array_set_size (out, start + best_len);
        }
    }

  /* Raw float64 when nothing else fits, or when what fits is so large
   * (over 3 bytes a value) that float64 might beat it. */
  if (best_kind < 0 || best_len > 3 * n)
    {
      gsize cstart = out->len;
      gsize len;

      put_column (sc, v, n, KIND_FLOAT64, 0, FALSE, out);
      len = out->len - cstart;
      if (len < best_len)
        {
          memmove (out->data + start, out->data + cstart, len);
          best_len = len;
          best_kind = KIND_FLOAT64;
          best_decimals = 0;
        }
      g_byte_array_set_size (out, start + best_len);

      cstart = out->len;
      if (put_raw_zstd (sc, v, n, level, out))
        {
          len = out->len - cstart;
          if (len < best_len)
            {
              memmove (out->data + start, out->data + cstart, len);
              best_len = len;
              best_kind = KIND_RAW_ZSTD;
              best_decimals = 0;
            }
          g_byte_array_set_size (out, start + best_len);
        }
      zstd_setup (sc, level);
    }

  *kind_out = (guint8) best_kind;
  *decimals_out = (guint8) best_decimals;
}

/**
 * imu_codec_encode:
 *
 * See imu-codec.h. Does not block on I/O; thread-safe (each thread keeps
 * its own zstd contexts).
 */
gboolean
imu_codec_encode (const ImuChunkView *view,
                  int                 zstd_level,
                  GByteArray         *out,
                  GError            **error)
{
  Scratch *sc;
  gsize blob_start, table_start, n;
  guint n_sections;
  int level;

  g_return_val_if_fail (view != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n = view->n_samples;
  if (n < 1 || n > IMU_CODEC_MAX_SAMPLES || view->n_channels > IMU_CODEC_MAX_CHANNELS ||
      view->t == NULL || (view->n_channels > 0 && view->columns == NULL))
    {
      g_set_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_MISMATCH,
                   _("Cannot encode a chunk of %u samples and %u channels: "
                     "a chunk holds 1 to %u samples and at most %u channels"),
                   view->n_samples, view->n_channels,
                   IMU_CODEC_MAX_SAMPLES, IMU_CODEC_MAX_CHANNELS);
      return FALSE;
    }
  for (guint c = 0; c < view->n_channels; c++)
    if (view->columns[c] == NULL)
      {
        g_set_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_MISMATCH,
                     _("Cannot encode a chunk: channel %u has no values"), c);
        return FALSE;
      }

  sc = scratch_get (n);
  if (sc->cctx == NULL)
    sc->cctx = ZSTD_createCCtx ();
  if (sc->cctx == NULL)
    {
      g_set_error_literal (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_FAILED,
                           _("Cannot encode a chunk: zstd could not allocate its context"));
      return FALSE;
    }
  level = CLAMP (zstd_level, 1, ZSTD_maxCLevel ());
  zstd_setup (sc, level);

  n_sections = view->n_channels + 1;
  blob_start = out->len;
  table_start = blob_start + HEADER_SIZE;
  g_byte_array_set_size (out, table_start + (gsize) n_sections * TABLE_ENTRY_SIZE);
  memset (out->data + blob_start, 0, out->len - blob_start);

  for (guint sec = 0; sec < n_sections; sec++)
    {
      gsize sec_start = out->len;
      guint8 kind, decimals = 0;
      guint8 *entry;

      if (sec == 0)
        {
          /* int64 and uint64 may alias; the stream works modulo 2^64. */
          put_int_stream (sc, (const guint64 *) view->t, n, TRUE, 0, out);
          kind = KIND_TIME;
        }
      else
        {
          int hint = view->decimals_hint != NULL ? view->decimals_hint[sec - 1] : -1;

          encode_column (sc, view->columns[sec - 1], n, hint, level, out, &kind, &decimals);
        }

      if (out->len - blob_start > G_MAXUINT32)
        {
          g_byte_array_set_size (out, blob_start);
          g_set_error_literal (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_FAILED,
                               _("Cannot encode a chunk: it would exceed 4 GiB"));
          return FALSE;
        }

      entry = out->data + table_start + (gsize) sec * TABLE_ENTRY_SIZE;
      entry[0] = kind;
      entry[1] = decimals;
      wr32 (entry + 4, (guint32) (sec_start - blob_start));
      wr32 (entry + 8, (guint32) (out->len - sec_start));
      wr32 (entry + 12, codec_hash (out->data + sec_start, out->len - sec_start, sec));
    }

  {
    guint8 *h = out->data + blob_start;

    memcpy (h, CODEC_MAGIC, 4);
    h[4] = CODEC_VERSION;
    h[5] = 0;
    wr16 (h + 6, (guint16) view->n_channels);
    wr32 (h + 8, (guint32) n);
    wr32 (h + 12, (guint32) (out->len - blob_start));
    wr32 (h + 20, codec_hash (h + HEADER_SIZE, (gsize) n_sections * TABLE_ENTRY_SIZE, SEED_TABLE));
    wr32 (h + 16, 0);
    wr32 (h + 16, codec_hash (h, HEADER_SIZE, SEED_HEADER));
  }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                           */

typedef struct {
  guint   n_samples;
  guint   n_channels;
  const guint8 *table;
} Header;

static gboolean
corrupt (GError **error, const char *what)
{
  g_set_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT,
               _("The chunk is corrupt: %s"), what);
  return FALSE;
}

static gboolean
read_header (const guint8 *data,
             gsize         len,
             gboolean      with_table,
             Header       *hdr,
             GError      **error)
{
  guint8 tmp[HEADER_SIZE];
  char len_text[32];
  guint32 total;
  gsize table_len;

  /* Lengths are formatted apart: xgettext cannot see through
   * G_GSIZE_FORMAT inside a translatable string. */
  g_snprintf (len_text, sizeof len_text, "%" G_GSIZE_FORMAT, len);
  if (data == NULL || len < HEADER_SIZE)
    {
      g_set_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT,
                   _("The chunk is corrupt: it is %s bytes long, "
                     "shorter than its %d-byte header"), len_text, HEADER_SIZE);
      return FALSE;
    }
  if (memcmp (data, CODEC_MAGIC, 4) != 0)
    return corrupt (error, _("it does not start with the chunk magic bytes"));

  memcpy (tmp, data, HEADER_SIZE);
  wr32 (tmp + 16, 0);
  if (codec_hash (tmp, HEADER_SIZE, SEED_HEADER) != rd32 (data + 16))
    return corrupt (error, _("the header checksum does not match"));

  if (data[4] > CODEC_VERSION)
    {
      g_set_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_VERSION,
                   _("The chunk was written by a newer codec (version %u); "
                     "this version of IMU Studio reads version %u: please update it"),
                   data[4], CODEC_VERSION);
      return FALSE;
    }
  if (data[4] == 0 || data[5] != 0)
    return corrupt (error, _("the header has an unknown version or flags"));

  hdr->n_channels = rd16 (data + 6);
  hdr->n_samples = rd32 (data + 8);
  total = rd32 (data + 12);
  if (hdr->n_samples < 1 || hdr->n_samples > IMU_CODEC_MAX_SAMPLES ||
      hdr->n_channels > IMU_CODEC_MAX_CHANNELS)
    return corrupt (error, _("the header gives impossible sample or channel counts"));
  if (total != len)
    {
      g_set_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT,
                   _("The chunk is corrupt: it is %s bytes long but "
                     "its header says %u (truncated or padded)"), len_text, total);
      return FALSE;
    }

  hdr->table = data + HEADER_SIZE;
  if (!with_table)
    return TRUE;

  table_len = ((gsize) hdr->n_channels + 1) * TABLE_ENTRY_SIZE;
  if (len - HEADER_SIZE < table_len)
    return corrupt (error, _("the section table is truncated"));
  if (codec_hash (hdr->table, table_len, SEED_TABLE) != rd32 (data + 20))
    return corrupt (error, _("the section table checksum does not match"));
  return TRUE;
}

/* A bounds-checked reader over one section. */
typedef struct {
  const guint8 *p;
  const guint8 *end;
} Reader;

static gboolean
read_u8 (Reader *r, guint8 *v)
{
  if (r->p >= r->end)
    return FALSE;
  *v = *r->p++;
  return TRUE;
}

static gboolean
read_varint (Reader *r, guint64 *v)
{
  guint64 result = 0;

  for (guint shift = 0; shift < 64; shift += 7)
    {
      guint8 b;

      if (!read_u8 (r, &b))
        return FALSE;
      /* The tenth byte may only carry the top bit. */
      if (shift == 63 && b > 1)
        return FALSE;
      result |= (guint64) (b & 0x7f) << shift;
      if ((b & 0x80) == 0)
        {
          *v = result;
          return TRUE;
        }
    }
  return FALSE;
}

static gboolean
read_plane (Scratch  *sc,
            Reader   *r,
            guint8   *plane,
            gsize     n)
{
  guint8 mode;

  if (!read_u8 (r, &mode))
    return FALSE;
  switch (mode)
    {
    case PLANE_CONST:
      {
        guint8 b;

        if (!read_u8 (r, &b))
          return FALSE;
        memset (plane, b, n);
        return TRUE;
      }
    case PLANE_RAW:
      if ((gsize) (r->end - r->p) < n)
        return FALSE;
      memcpy (plane, r->p, n);
      r->p += n;
      return TRUE;
    case PLANE_ZSTD:
      {
        guint32 clen;
        gsize got;

        if (r->end - r->p < 4)
          return FALSE;
        clen = rd32 (r->p);
        r->p += 4;
        if ((gsize) (r->end - r->p) < clen)
          return FALSE;
        got = ZSTD_decompressDCtx (sc->dctx, plane, n, r->p, clen);
        if (ZSTD_isError (got) || got != n)
          return FALSE;
        r->p += clen;
        return TRUE;
      }
    default:
      return FALSE;
    }
}

/* Unpacks n fields of @k bits (k ≤ 56). Eight fields take exactly k
 * bytes, so with a constant @k (see the switch below) every load offset
 * and shift in a group of eight is a constant. Each field lies within the
 * 8 bytes from its first byte; @bits is padded so that those loads stay in
 * bounds at the end. */
static inline __attribute__ ((always_inline)) void
unpack_low_bits (const guint8 *bits, const guint8 *high, gsize n, guint k, guint64 *x)
{
  guint64 mask = (G_GUINT64_CONSTANT (1) << k) - 1;
  gsize i = 0;

  for (; i + 8 <= n; i += 8)
    {
      const guint8 *g = bits + (i / 8) * k;

#pragma GCC unroll 8
      for (guint j = 0; j < 8; j++)
        x[i + j] = ((load_le64 (g + ((j * k) >> 3)) >> ((j * k) & 7)) & mask) |
                   ((guint64) high[i + j] << k);
    }
  for (; i < n; i++)
    {
      gsize pos = i * k;

      x[i] = ((load_le64 (bits + (pos >> 3)) >> (pos & 7)) & mask) | ((guint64) high[i] << k);
    }
}

/* Gathers the zigzagged residuals: @k low bits from the padded bit
 * stream @bits, the rest from @width byte planes. */
static void
gather_residuals (const guint8 *bits,
                  guint8       *planes,
                  gsize         n,
                  guint         k,
                  guint         width,
                  guint64      *x)
{
  if (k == 0)
    {
      switch (width)
        {
        case 0:
          memset (x, 0, n * sizeof *x);
          return;
        case 1:
          for (gsize i = 0; i < n; i++)
            x[i] = planes[i];
          return;
        case 2:
          for (gsize i = 0; i < n; i++)
            x[i] = planes[i] | ((guint64) planes[n + i] << 8);
          return;
        default:
          break;
        }
    }
  else if (k <= 32)
    {
      /* The first high plane is merged while unpacking; without one, it
       * is all zeros. */
      if (width == 0)
        memset (planes, 0, n);
      switch (k)
        {
#define UNPACK_CASE(K) case K: unpack_low_bits (bits, planes, n, K, x); break;
          UNPACK_CASE (1)  UNPACK_CASE (2)  UNPACK_CASE (3)  UNPACK_CASE (4)
          UNPACK_CASE (5)  UNPACK_CASE (6)  UNPACK_CASE (7)  UNPACK_CASE (8)
          UNPACK_CASE (9)  UNPACK_CASE (10) UNPACK_CASE (11) UNPACK_CASE (12)
          UNPACK_CASE (13) UNPACK_CASE (14) UNPACK_CASE (15) UNPACK_CASE (16)
          UNPACK_CASE (17) UNPACK_CASE (18) UNPACK_CASE (19) UNPACK_CASE (20)
          UNPACK_CASE (21) UNPACK_CASE (22) UNPACK_CASE (23) UNPACK_CASE (24)
          UNPACK_CASE (25) UNPACK_CASE (26) UNPACK_CASE (27) UNPACK_CASE (28)
          UNPACK_CASE (29) UNPACK_CASE (30) UNPACK_CASE (31) UNPACK_CASE (32)
#undef UNPACK_CASE
        default:
          g_assert_not_reached ();
        }
    }
  else if (k <= 56)
    {
      if (width == 0)
        memset (planes, 0, n);
      unpack_low_bits (bits, planes, n, k, x);
    }
  else
    {
      guint64 mask = (G_GUINT64_CONSTANT (1) << (k - 32)) - 1;

      for (gsize i = 0; i < n; i++)
        {
          gsize pos = i * k;
          guint64 lo = (load_le64 (bits + (pos >> 3)) >> (pos & 7)) & G_MAXUINT32;

          pos += 32;
          x[i] = lo | (((load_le64 (bits + (pos >> 3)) >> (pos & 7)) & mask) << 32);
        }
    }

  if (k == 0)
    memset (x, 0, n * sizeof *x);
  /* Planes the unpacking above did not merge. */
  for (guint j = (k > 0 && k <= 56) ? 1 : 0; j < width; j++)
    {
      const guint8 *plane = planes + j * n;
      guint shift = k + 8 * j;

      for (gsize i = 0; i < n; i++)
        x[i] |= (guint64) plane[i] << shift;
    }
}

/* x_i = unzigzag (x_i) · scale, four at a time. */
IMU_MULTIVERSION static void
unzigzag_scale (guint64 *x, gsize n, guint64 scale)
{
  gsize i = 0;

  for (; i + 4 <= n; i += 4)
    {
      v4du z;

      memcpy (&z, x + i, sizeof z);
      z = (z >> 1) ^ (0 - (z & 1));
      if (scale != 1)
        z *= scale;
      memcpy (x + i, &z, sizeof z);
    }
  for (; i < n; i++)
    x[i] = unzigzag (x[i]) * scale;
}

/* Turns residuals back into values, in place (docs/codec.md). Written so
 * that each loop-carried dependency is a single addition. */
IMU_MULTIVERSION static void
undo_predictor (guint64 *x, gsize n, int pred, guint64 c, guint64 s)
{
  switch (pred)
    {
    case PRED_CONST:
      {
        gsize i = 0;

        for (; i + 4 <= n; i += 4)
          {
            v4du v;

            memcpy (&v, x + i, sizeof v);
            v += c;
            memcpy (x + i, &v, sizeof v);
          }
        for (; i < n; i++)
          x[i] += c;
      }
      break;
    case PRED_DELTA:
      {
        guint64 prev = c - s;

        for (gsize i = 0; i < n; i++)
          {
            prev += x[i] + s;
            x[i] = prev;
          }
      }
      break;
    case PRED_DELTA2:
      {
        /* p_i = 2 x_{i-1} - x_{i-2} is x_{i-1} plus the previous delta. */
        guint64 prev = c, delta = 0;

        for (gsize i = 0; i < n; i++)
          {
            delta += x[i];
            prev += delta;
            x[i] = prev;
          }
      }
      break;
    case PRED_LINEAR:
      {
        guint64 line = c;

        for (gsize i = 0; i < n; i++)
          {
            x[i] += line;
            line += s;
          }
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Decodes an integer stream into @x and reads its exception count. */
static gboolean
read_int_stream (Scratch  *sc,
                 Reader   *r,
                 gsize     n,
                 guint64  *x,
                 guint64  *n_exc)
{
  guint8 pred, k, width;
  guint64 c, s, scale;
  guint8 *planes = sc->planes;

  if (!read_u8 (r, &pred) || !read_u8 (r, &k) || !read_u8 (r, &width))
    return FALSE;
  /* The high part has 64 - k bits: that many bytes at most, so that no
   * shift below reaches 64. */
  if (pred >= N_PREDS || k > 63 || width > (64 - k + 7) / 8)
    return FALSE;
  if (!read_varint (r, &c) || !read_varint (r, &s) || !read_varint (r, &scale) ||
      !read_varint (r, n_exc) || scale == 0)
    return FALSE;
  c = unzigzag (c);
  s = unzigzag (s);

  if (k > 0)
    {
      gsize nbytes = (n * k + 7) / 8;

      if ((gsize) (r->end - r->p) < nbytes)
        return FALSE;
      memcpy (sc->bits, r->p, nbytes);
      memset (sc->bits + nbytes, 0, 16);
      r->p += nbytes;
    }
  for (guint j = 0; j < width; j++)
    if (!read_plane (sc, r, planes + j * n, n))
      return FALSE;

  gather_residuals (sc->bits, planes, n, k, width, x);
  unzigzag_scale (x, n, scale);
  undo_predictor (x, n, pred, c, s);
  return TRUE;
}

static const char *
section_name (guint sec, char *buf, gsize size)
{
  if (sec == 0)
    g_strlcpy (buf, _("timestamps"), size);
  else
    g_snprintf (buf, size, _("channel %u"), sec - 1);
  return buf;
}

static gboolean
section_corrupt (GError **error, guint sec, guint32 offset, const char *what)
{
  char name[64];

  g_set_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT,
               _("The chunk is corrupt: section %u (%s) at byte %u: %s"),
               sec, section_name (sec, name, sizeof name), offset, what);
  return FALSE;
}

/* Locates and verifies section @sec; sets up a reader over it. */
static gboolean
open_section (const guint8 *data,
              gsize         len,
              const Header *hdr,
              guint         sec,
              Reader       *r,
              guint8       *kind,
              guint8       *decimals,
              GError      **error)
{
  const guint8 *e = hdr->table + (gsize) sec * TABLE_ENTRY_SIZE;
  guint32 off = rd32 (e + 4), slen = rd32 (e + 8);
  gsize table_end = HEADER_SIZE + ((gsize) hdr->n_channels + 1) * TABLE_ENTRY_SIZE;

  *kind = e[0];
  *decimals = e[1];
  if (off < table_end || off > len || slen > len - off)
    return section_corrupt (error, sec, off, _("it lies outside the chunk"));
  if (codec_hash (data + off, slen, sec) != rd32 (e + 12))
    return section_corrupt (error, sec, off, _("its checksum does not match"));
  if ((sec == 0) != (*kind == KIND_TIME) || *kind >= N_KINDS ||
      (kind_has_decimals (*kind) ? *decimals > 18 : *decimals != 0) || rd16 (e + 2) != 0)
    return section_corrupt (error, sec, off, _("it has an unknown encoding"));
  r->p = data + off;
  r->end = data + off + slen;
  return TRUE;
}

/* Puts the @n_exc exceptions that end the section in place; the caller
 * has checked that exactly their bytes remain. */
static gboolean
apply_exceptions (Reader *r, gsize n, guint64 n_exc, double *v)
{
  const guint8 *idx = r->p;
  const guint8 *bits = r->p + 2 * n_exc;
  guint prev_index = 0;

  for (guint i = 0; i < n_exc; i++)
    {
      guint index = rd16 (idx + 2 * i);

      /* Strictly increasing and in range. */
      if (index >= n || (i > 0 && index <= prev_index))
        return FALSE;
      prev_index = index;
      v[index] = bits_double (load_le64 (bits + 8 * i));
    }
  return TRUE;
}

static gboolean
decode_column (Scratch       *sc,
               Reader        *r,
               gsize          n,
               guint8         kind,
               guint8         decimals,
               double        *v)
{
  guint64 *x = sc->ints;
  guint64 n_exc;

  if (kind == KIND_RAW_ZSTD)
    {
      gsize got = ZSTD_decompressDCtx (sc->dctx, sc->planes, 8 * n, r->p, r->end - r->p);

      if (ZSTD_isError (got) || got != 8 * n)
        return FALSE;
      for (gsize i = 0; i < n; i++)
        v[i] = bits_double (load_le64 (sc->planes + 8 * i));
      return TRUE;
    }

  if (kind == KIND_DICT_FLOAT64 || kind == KIND_DICT_DECIMAL)
    {
      guint64 m, n_exc_dict;
      guint64 *dict = sc->resid;

      /* The dictionary goes to resid, which read_int_stream () leaves
       * alone, then becomes the bits of its doubles; the indices go to
       * ints. */
      if (!read_varint (r, &m) || m < 1 || m > n ||
          !read_int_stream (sc, r, m, dict, &n_exc_dict) || n_exc_dict != 0 ||
          !read_int_stream (sc, r, n, x, &n_exc) ||
          n_exc > MAX_EXCEPTIONS (n) || (gsize) (r->end - r->p) != n_exc * 10)
        return FALSE;
      if (kind == KIND_DICT_DECIMAL)
        {
          double p = pow10_exact[decimals];

          for (gsize j = 0; j < m; j++)
            dict[j] = double_bits ((double) (gint64) dict[j] / p);
        }
      else
        {
          for (gsize j = 0; j < m; j++)
            dict[j] = order_map64 (dict[j]);
        }
      for (gsize i = 0; i < n; i++)
        {
          if (x[i] >= m)
            return FALSE;
          v[i] = bits_double (dict[x[i]]);
        }
      return apply_exceptions (r, n, n_exc, v);
    }

  if (!read_int_stream (sc, r, n, x, &n_exc))
    return FALSE;
  if (n_exc > MAX_EXCEPTIONS (n) || (gsize) (r->end - r->p) != n_exc * 10)
    return FALSE;

  switch (kind)
    {
    case KIND_DECIMAL:
      {
        double p = pow10_exact[decimals];

        /* k / 10^d; dividing by 10^0 = 1 changes nothing. */
        if (!decimal_from_ints (x, n, p, v))
          for (gsize i = 0; i < n; i++)
            v[i] = (double) (gint64) x[i] / p;
      }
      break;
    case KIND_FLOAT32:
      for (gsize i = 0; i < n; i++)
        {
          guint32 b = order_map32 ((guint32) x[i]);
          float f;

          memcpy (&f, &b, sizeof f);
          v[i] = f;
        }
      break;
    case KIND_FLOAT64:
      for (gsize i = 0; i < n; i++)
        v[i] = bits_double (order_map64 (x[i]));
      break;
    default:
      return FALSE;
    }

  return apply_exceptions (r, n, n_exc, v);
}

/**
 * imu_codec_peek:
 *
 * See imu-codec.h. Checks the header's checksum, version and length.
 */
gboolean
imu_codec_peek (const guint8 *data,
                gsize         len,
                guint        *n_samples,
                guint        *n_channels,
                GError      **error)
{
  Header hdr;

  if (!read_header (data, len, FALSE, &hdr, error))
    return FALSE;
  if (n_samples != NULL)
    *n_samples = hdr.n_samples;
  if (n_channels != NULL)
    *n_channels = hdr.n_channels;
  return TRUE;
}

/**
 * imu_codec_decode:
 *
 * See imu-codec.h. Only the sections asked for are checked and decoded.
 * Does not block on I/O; thread-safe.
 */
gboolean
imu_codec_decode (const guint8  *data,
                  gsize          len,
                  gint64        *t_out,
                  double       **columns_out,
                  guint          n_columns_out,
                  GError       **error)
{
  Header hdr;
  Scratch *sc;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!read_header (data, len, TRUE, &hdr, error))
    return FALSE;
  if (columns_out != NULL && n_columns_out != hdr.n_channels)
    {
      g_set_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_MISMATCH,
                   _("The chunk has %u channels, not the %u expected"),
                   hdr.n_channels, n_columns_out);
      return FALSE;
    }

  sc = scratch_get (hdr.n_samples);
  if (sc->dctx == NULL)
    sc->dctx = ZSTD_createDCtx ();
  if (sc->dctx == NULL)
    {
      g_set_error_literal (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_FAILED,
                           _("Cannot decode a chunk: zstd could not allocate its context"));
      return FALSE;
    }

  for (guint sec = 0; sec <= hdr.n_channels; sec++)
    {
      Reader r;
      guint8 kind, decimals;
      gboolean ok;

      if (sec == 0 ? t_out == NULL : (columns_out == NULL || columns_out[sec - 1] == NULL))
        continue;
      if (!open_section (data, len, &hdr, sec, &r, &kind, &decimals, error))
        return FALSE;

      if (sec == 0)
        {
          guint64 n_exc;

          ok = read_int_stream (sc, &r, hdr.n_samples, (guint64 *) t_out, &n_exc) &&
               n_exc == 0 && r.p == r.end;
        }
      else
        {
          ok = decode_column (sc, &r, hdr.n_samples, kind, decimals, columns_out[sec - 1]);
        }
      if (!ok)
        return section_corrupt (error, sec, rd32 (hdr.table + (gsize) sec * TABLE_ENTRY_SIZE + 4),
                                _("its contents are inconsistent"));
    }
  return TRUE;
}

/**
 * imu_codec_column_decimals:
 *
 * See imu-codec.h. Returns -1 as well when the chunk is corrupt or
 * @channel is out of range.
 */
int
imu_codec_column_decimals (const guint8 *data,
                           gsize         len,
                           guint         channel)
{
  Header hdr;
  const guint8 *e;

  if (!read_header (data, len, TRUE, &hdr, NULL) || channel >= hdr.n_channels)
    return -1;
  e = hdr.table + ((gsize) channel + 1) * TABLE_ENTRY_SIZE;
  if (!kind_has_decimals (e[0]) || e[1] > 18)
    return -1;
  return e[1];
}
