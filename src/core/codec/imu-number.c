/* imu-number.c — exact, fast number parsing and formatting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The CSV importer calls imu_number_parse() once per field, tens of millions
 * of times per file, so the common case ("0.12345", "-981.5") must cost a few
 * nanoseconds while staying bit-identical to g_ascii_strtod().
 *
 * The fast path is Clinger's: when the decimal significand m fits in 53 bits
 * and the decimal exponent e satisfies |e| <= 22, both m and 10^|e| are exact
 * doubles, so the single IEEE multiplication or division m * 10^e (m / 10^-e)
 * is correctly rounded — exactly the result strtod must give. Everything else
 * (long significands, big exponents, inf/nan) goes to g_ascii_strtod() on a
 * NUL-terminated copy, after our own strict syntax check.
 *
 * W. D. Clinger, "How to Read Floating Point Numbers Accurately", PLDI 1990.
 */
#define G_LOG_DOMAIN "imu-number"

#include <math.h>
#include <string.h>

#include "imu-number.h"

/* Powers of ten that are exact doubles (10^22 is the largest). */
static const double exact_pow10[23] = {
  1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static const guint64 pow10_u64[20] = {
  G_GUINT64_CONSTANT (1),
  G_GUINT64_CONSTANT (10),
  G_GUINT64_CONSTANT (100),
  G_GUINT64_CONSTANT (1000),
  G_GUINT64_CONSTANT (10000),
  G_GUINT64_CONSTANT (100000),
  G_GUINT64_CONSTANT (1000000),
  G_GUINT64_CONSTANT (10000000),
  G_GUINT64_CONSTANT (100000000),
  G_GUINT64_CONSTANT (1000000000),
  G_GUINT64_CONSTANT (10000000000),
  G_GUINT64_CONSTANT (100000000000),
  G_GUINT64_CONSTANT (1000000000000),
  G_GUINT64_CONSTANT (10000000000000),
  G_GUINT64_CONSTANT (100000000000000),
  G_GUINT64_CONSTANT (1000000000000000),
  G_GUINT64_CONSTANT (10000000000000000),
  G_GUINT64_CONSTANT (100000000000000000),
  G_GUINT64_CONSTANT (1000000000000000000),
  G_GUINT64_CONSTANT (10000000000000000000),
};

/* Fields longer than this take a heap copy on the slow path; no real CSV
 * number is that long, but strtod accepts any number of digits. */
#define STACK_COPY_SIZE 128

static inline gboolean
is_digit (guchar c)
{
  return (guint) (c - '0') <= 9;
}

static inline gboolean
is_blank (guchar c)
{
  return c == ' ' || c == '\t';
}

/* Case-insensitive match of [p, end) against the lowercase ASCII @word. */
static gboolean
matches_word (const guchar *p,
              const guchar *end,
              const char   *word)
{
  gsize n = strlen (word);

  if ((gsize) (end - p) != n)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if ((p[i] | 0x20) != (guchar) word[i])
      return FALSE;
  return TRUE;
}

/* The slow path: strtod on a NUL-terminated copy of text we have already
 * checked, with a decimal comma turned into the point strtod expects. */
static gboolean
parse_with_strtod (const guchar *p,
                   const guchar *end,
                   double       *out)
{
  char stack_buf[STACK_COPY_SIZE];
  g_autofree char *heap_buf = NULL;
  gsize n = end - p;
  char *buf = stack_buf;
  char *endptr = NULL;

  if (n + 1 > sizeof stack_buf)
    buf = heap_buf = g_malloc (n + 1);
  for (gsize i = 0; i < n; i++)
    buf[i] = p[i] == ',' ? '.' : (char) p[i];
  buf[n] = '\0';

  *out = g_ascii_strtod (buf, &endptr);
  return endptr == buf + n;
}

/**
 * imu_number_parse:
 *
 * See imu-number.h. Does not block; the slow path allocates only for fields
 * longer than 127 bytes.
 */
gboolean
imu_number_parse (const char *s,
                  gsize       len,
                  gboolean    decimal_comma,
                  double     *out,
                  int        *decimals)
{
  const guchar *p = (const guchar *) s;
  const guchar *end = p + len;
  const guchar *start;
  const guchar *digits;
  const guchar *dot = NULL;
  guchar sep = decimal_comma ? ',' : '.';
  gboolean negative = FALSE;
  gboolean has_exp = FALSE;
  guint64 m = 0;
  gsize n_int, n_frac = 0;
  int exp_val = 0;
  int exp10;
  double v;

  g_return_val_if_fail (s != NULL || len == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (G_UNLIKELY (p < end && is_blank (*p)))
    while (p < end && is_blank (*p))
      p++;
  if (G_UNLIKELY (end > p && is_blank (end[-1])))
    while (end > p && is_blank (end[-1]))
      end--;
  if (p == end)
    return FALSE;

  start = p;
  if (*p == '-' || *p == '+')
    {
      negative = *p == '-';
      p++;
    }

  /* Integer and fraction digits in one loop, two digits a step when it
   * can (a quarter faster on "0.12345"): fewer branches and a shorter
   * m·10 + d dependency chain. Past 19 digits m wraps silently; those go
   * to the slow path below. */
  digits = p;
  for (; p < end; p++)
    {
      guint d = (guint) (*p - '0');

      if (G_LIKELY (d <= 9))
        {
          guint d2;

          if (p + 1 < end && (d2 = (guint) (p[1] - '0')) <= 9)
            {
              m = m * 100 + d * 10 + d2;
              p++;
              continue;
            }
          m = m * 10 + d;
          continue;
        }
      if (*p == sep && dot == NULL)
        {
          dot = p;
          continue;
        }
      break;
    }
  n_frac = dot != NULL ? (gsize) (p - dot - 1) : 0;
  n_int = (gsize) (p - digits) - (dot != NULL) - n_frac;

  if (n_int + n_frac == 0)
    {
      /* No digits: only "inf", "infinity" or "nan" are numbers. Their exact
       * bits (NaN sign) come from strtod itself. */
      if (p != digits)
        return FALSE;
      if (!matches_word (p, end, "inf") && !matches_word (p, end, "infinity") &&
          !matches_word (p, end, "nan"))
        return FALSE;
      if (decimals != NULL)
        *decimals = -1;
      return parse_with_strtod (start, end, out);
    }

  if (p < end && (*p | 0x20) == 'e')
    {
      gboolean exp_negative = FALSE;
      const guchar *exp_digits;

      p++;
      if (p < end && (*p == '-' || *p == '+'))
        {
          exp_negative = *p == '-';
          p++;
        }
      exp_digits = p;
      while (p < end && is_digit (*p))
        {
          /* Saturate: anything this large over- or underflows anyway. */
          if (exp_val < 100000)
            exp_val = exp_val * 10 + (*p - '0');
          p++;
        }
      if (p == exp_digits)
        return FALSE;
      if (exp_negative)
        exp_val = -exp_val;
      has_exp = TRUE;
    }

  if (p != end)
    return FALSE;

  if (decimals != NULL)
    *decimals = has_exp ? -1 : (int) n_frac;

  if (n_int + n_frac <= 19)
    {
      exp10 = exp_val - (int) n_frac;
      if (m == 0)
        {
          *out = negative ? -0.0 : 0.0;
          return TRUE;
        }
      if (m <= (G_GUINT64_CONSTANT (1) << 53) && exp10 >= -22 && exp10 <= 22)
        {
          v = (double) m;
          if (exp10 < 0)
            v /= exact_pow10[-exp10];
          else
            v *= exact_pow10[exp10];
          *out = negative ? -v : v;
          return TRUE;
        }
    }

  return parse_with_strtod (start, end, out);
}

/* Writes the decimal digits of @u backwards ending just before @end;
 * returns the first digit. */
static char *
write_u64_backwards (char    *end,
                     guint64  u)
{
  do
    {
      *--end = (char) ('0' + u % 10);
      u /= 10;
    }
  while (u != 0);
  return end;
}

static gboolean
same_bits (double a,
           double b)
{
  return memcmp (&a, &b, sizeof a) == 0;
}

/* Writes @k / 10^@decimals with exactly @decimals digits after the point. */
static gsize
write_scaled (char    *buf,
              gboolean negative,
              guint64  k,
              int      decimals)
{
  char tmp[48];
  char *tend = tmp + sizeof tmp;
  char *digits = write_u64_backwards (tend, k);
  gsize n_digits = tend - digits;
  char *o = buf;

  if (negative)
    *o++ = '-';
  if ((gsize) decimals >= n_digits)
    {
      *o++ = '0';
      if (decimals > 0)
        {
          *o++ = '.';
          for (gsize i = n_digits; i < (gsize) decimals; i++)
            *o++ = '0';
          memcpy (o, digits, n_digits);
          o += n_digits;
        }
    }
  else
    {
      gsize n_int = n_digits - decimals;

      memcpy (o, digits, n_int);
      o += n_int;
      if (decimals > 0)
        {
          *o++ = '.';
          memcpy (o, digits + n_int, decimals);
          o += decimals;
        }
    }
  *o = '\0';
  return o - buf;
}

/* printf-style formatting in the C locale whatever the process locale is;
 * returns the length, or 0 when the text does not fit @buf. */
static gsize
format_c_locale (char       *buf,
                 gsize       size,
                 const char *conversion,
                 int         precision,
                 double      value)
{
  char fmt[16];
  gsize n;

  g_snprintf (fmt, sizeof fmt, "%%.%d%s", precision, conversion);
  /* A truncated result is detected by its length, so the buffer is one
   * byte bigger than what we accept. */
  g_ascii_formatd (buf, size, fmt, value);
  n = strlen (buf);
  return n + 1 < size ? n : 0;
}

static gboolean
round_trips (const char *text,
             gsize       len,
             double      value)
{
  double back;

  return imu_number_parse (text, len, FALSE, &back, NULL) && same_bits (back, value);
}

/**
 * imu_number_format:
 *
 * See imu-number.h. Does not block.
 */
gsize
imu_number_format (char   *buf,
                   double  value,
                   int     decimals)
{
  char tmp[400];
  gsize n;

  g_return_val_if_fail (buf != NULL, 0);

  if (isnan (value))
    {
      memcpy (buf, "NaN", 4);
      return 3;
    }
  if (isinf (value))
    {
      if (value < 0)
        {
          memcpy (buf, "-Inf", 5);
          return 4;
        }
      memcpy (buf, "Inf", 4);
      return 3;
    }

  if (decimals >= 0 && decimals <= 18)
    {
      /* Integer fast path, used by exporters for every fixed-decimals
       * column. When k < 2^51 the double nearest to k / 10^d is within
       * a quarter of 10^-d of it, so "%.{d}f" prints exactly the digits of
       * k: writing them ourselves gives the same text, much faster. */
      double a = fabs (value);
      double x = a * exact_pow10[decimals];

      if (x < 0x1p51)
        {
          /* Round to nearest with the 1.5·2^52 trick: below 2^51 the sum
           * stays under 2^53, where doubles are exactly the integers. */
          double r = (x + 0x1.8p52) - 0x1.8p52;
          guint64 k = (guint64) r;

          if (same_bits ((double) k / exact_pow10[decimals], a))
            return write_scaled (buf, signbit (value) != 0, k, decimals);
        }
    }

  if (decimals >= 0 && decimals <= 40)
    {
      n = format_c_locale (tmp, sizeof tmp, "f", decimals, value);
      if (n > 0 && n < IMU_NUMBER_BUF_SIZE && round_trips (tmp, n, value))
        {
          memcpy (buf, tmp, n + 1);
          return n;
        }
    }

  for (int precision = 15; precision <= 17; precision++)
    {
      n = format_c_locale (tmp, sizeof tmp, "g", precision, value);
      if (n > 0 && (precision == 17 || round_trips (tmp, n, value)))
        break;
    }
  g_assert (n > 0 && n < IMU_NUMBER_BUF_SIZE);
  memcpy (buf, tmp, n + 1);
  return n;
}

/**
 * imu_number_parse_int64_decimal:
 *
 * See imu-number.h. Does not block; no doubles are involved.
 */
gboolean
imu_number_parse_int64_decimal (const char *s,
                                gsize       len,
                                int         scale_digits,
                                gint64     *out,
                                int        *decimals)
{
  const guchar *p = (const guchar *) s;
  const guchar *end = p + len;
  const guchar *digits;
  gboolean negative = FALSE;
  guint64 mag = 0;
  gsize n_int, n_frac = 0;
  int used_frac = 0;
  guint n_acc = 0;     /* significant digits accumulated in mag */
  guint64 limit;

  g_return_val_if_fail (s != NULL || len == 0, FALSE);
  g_return_val_if_fail (scale_digits >= 0 && scale_digits <= 18, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  while (p < end && is_blank (*p))
    p++;
  while (end > p && is_blank (end[-1]))
    end--;
  if (p < end && (*p == '-' || *p == '+'))
    {
      negative = *p == '-';
      p++;
    }

  digits = p;
  while (p < end && is_digit (*p))
    {
      /* 19 digits always fit in 64 bits unsigned; check only past that. */
      if (n_acc < 19)
        mag = mag * 10 + (guint64) (*p - '0');
      else if (!g_uint64_checked_mul (&mag, mag, 10) ||
               !g_uint64_checked_add (&mag, mag, *p - '0'))
        return FALSE;
      n_acc += mag != 0;
      p++;
    }
  n_int = p - digits;

  if (p < end && *p == '.')
    {
      const guchar *frac = ++p;

      while (p < end && is_digit (*p))
        {
          if (used_frac < scale_digits)
            {
              if (n_acc < 19)
                mag = mag * 10 + (guint64) (*p - '0');
              else if (!g_uint64_checked_mul (&mag, mag, 10) ||
                       !g_uint64_checked_add (&mag, mag, *p - '0'))
                return FALSE;
              n_acc += mag != 0;
              used_frac++;
            }
          else if (*p != '0')
            {
              /* A digit finer than the scale would be lost. */
              return FALSE;
            }
          p++;
        }
      n_frac = p - frac;
    }

  if (p != end || n_int + n_frac == 0)
    return FALSE;

  if (!g_uint64_checked_mul (&mag, mag, pow10_u64[scale_digits - used_frac]))
    return FALSE;

  limit = negative ? (G_GUINT64_CONSTANT (1) << 63) : (guint64) G_MAXINT64;
  if (mag > limit)
    return FALSE;

  if (!negative)
    *out = (gint64) mag;
  else if (mag == (G_GUINT64_CONSTANT (1) << 63))
    *out = G_MININT64;
  else
    *out = -(gint64) mag;
  if (decimals != NULL)
    *decimals = (int) n_frac;
  return TRUE;
}

/**
 * imu_number_format_int64_decimal:
 *
 * See imu-number.h. A negative @decimals writes the fewest digits that keep
 * the value exact. Does not block.
 */
gsize
imu_number_format_int64_decimal (char   *buf,
                                 gint64  value,
                                 int     scale_digits,
                                 int     decimals)
{
  guint64 mag;
  guint64 int_part, frac_part;
  char tmp[32];
  char *tend = tmp + sizeof tmp;
  char *first;
  char *o = buf;
  int shown;

  g_return_val_if_fail (buf != NULL, 0);
  g_return_val_if_fail (scale_digits >= 0 && scale_digits <= 18, 0);

  /* Room for a sign, 19 integer digits, the point and these decimals. */
  decimals = CLAMP (decimals, -1, 40);
  mag = value < 0 ? (guint64) 0 - (guint64) value : (guint64) value;
  int_part = mag / pow10_u64[scale_digits];
  frac_part = mag % pow10_u64[scale_digits];

  /* Show more digits than asked rather than drop non-zero ones. */
  shown = MAX (decimals, 0);
  while (shown < scale_digits && frac_part % pow10_u64[scale_digits - shown] != 0)
    shown++;

  if (value < 0)
    *o++ = '-';
  first = write_u64_backwards (tend, int_part);
  memcpy (o, first, tend - first);
  o += tend - first;

  if (shown > 0)
    {
      int from_scale = MIN (shown, scale_digits);

      *o++ = '.';
      /* The first @from_scale of the @scale_digits fraction digits. */
      for (int i = 0; i < from_scale; i++)
        {
          guint64 digit = frac_part / pow10_u64[scale_digits - 1 - i] % 10;

          *o++ = (char) ('0' + digit);
        }
      for (int i = from_scale; i < shown; i++)
        *o++ = '0';
    }
  *o = '\0';
  return o - buf;
}
