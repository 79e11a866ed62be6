/* test-number.c — exact number parsing and formatting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expected bit patterns were computed with Python's float(), which rounds
 * correctly, independently of the code under test; random inputs are
 * checked against g_ascii_strtod() and g_ascii_formatd().
 */
#define G_LOG_DOMAIN "imu-test"

#include <float.h>
#include <math.h>
#include <string.h>

#include "imu-number.h"
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

/* ------------------------------------------------------------------ */

typedef struct {
  const char *text;
  gboolean    comma;
  gboolean    ok;
  guint64     bits;      /* when ok and not NaN */
  int         decimals;  /* when ok */
} ParseCase;

#define NAN_BITS G_GUINT64_CONSTANT (0xffffffffffffffff)  /* any NaN */

static const ParseCase parse_cases[] = {
  /* Rejected: not one whole number. */
  { "",          FALSE, FALSE },
  { " ",         FALSE, FALSE },
  { "-",         FALSE, FALSE },
  { "+",         FALSE, FALSE },
  { ".",         FALSE, FALSE },
  { "-.",        FALSE, FALSE },
  { "1e",        FALSE, FALSE },
  { "1e+",       FALSE, FALSE },
  { "e5",        FALSE, FALSE },
  { "1.2.3",     FALSE, FALSE },
  { "1 2",       FALSE, FALSE },
  { "--1",       FALSE, FALSE },
  { "+-1",       FALSE, FALSE },
  { "0x10",      FALSE, FALSE },
  { "1e5.5",     FALSE, FALSE },
  { "nan(123)",  FALSE, FALSE },
  { "infinit",   FALSE, FALSE },
  { "infx",      FALSE, FALSE },
  { "1,5",       FALSE, FALSE },  /* a comma without decimal_comma */
  { "1.5",       TRUE,  FALSE },  /* a point with decimal_comma */
  { "12a",       FALSE, FALSE },
  /* Accepted. */
  { "0",          FALSE, TRUE, G_GUINT64_CONSTANT (0x0000000000000000), 0 },
  { "-0",         FALSE, TRUE, G_GUINT64_CONSTANT (0x8000000000000000), 0 },
  { "-0.000",     FALSE, TRUE, G_GUINT64_CONSTANT (0x8000000000000000), 3 },
  { "0e999",      FALSE, TRUE, G_GUINT64_CONSTANT (0x0000000000000000), -1 },
  { " 1 ",        FALSE, TRUE, G_GUINT64_CONSTANT (0x3ff0000000000000), 0 },
  { "\t12.50 \t", FALSE, TRUE, G_GUINT64_CONSTANT (0x4029000000000000), 2 },
  { "+.5",        FALSE, TRUE, G_GUINT64_CONSTANT (0x3fe0000000000000), 1 },
  { "5.",         FALSE, TRUE, G_GUINT64_CONSTANT (0x4014000000000000), 0 },
  { "0.1",        FALSE, TRUE, G_GUINT64_CONSTANT (0x3fb999999999999a), 1 },
  { "0.2",        FALSE, TRUE, G_GUINT64_CONSTANT (0x3fc999999999999a), 1 },
  { "0.3",        FALSE, TRUE, G_GUINT64_CONSTANT (0x3fd3333333333333), 1 },
  { "0,3",        TRUE,  TRUE, G_GUINT64_CONSTANT (0x3fd3333333333333), 1 },
  { "-981.5",     FALSE, TRUE, G_GUINT64_CONSTANT (0xc08eac0000000000), 1 },
  { "-981,5",     TRUE,  TRUE, G_GUINT64_CONSTANT (0xc08eac0000000000), 1 },
  { "0.000001",   FALSE, TRUE, G_GUINT64_CONSTANT (0x3eb0c6f7a0b5ed8d), 6 },
  { "1e+5",       FALSE, TRUE, G_GUINT64_CONSTANT (0x40f86a0000000000), -1 },
  { "1E-6",       FALSE, TRUE, G_GUINT64_CONSTANT (0x3eb0c6f7a0b5ed8d), -1 },
  { "1e22",       FALSE, TRUE, G_GUINT64_CONSTANT (0x4480f0cf064dd592), -1 },
  { "1e23",       FALSE, TRUE, G_GUINT64_CONSTANT (0x44b52d02c7e14af6), -1 },
  { "1551178506.0100", FALSE, TRUE, G_GUINT64_CONSTANT (0x41d71d46c280a3d7), 4 },
  /* 2^53 + 1 is halfway between two doubles: ties to even. */
  { "9007199254740993", FALSE, TRUE, G_GUINT64_CONSTANT (0x4340000000000000), 0 },
  { "1.7976931348623157e308", FALSE, TRUE, G_GUINT64_CONSTANT (0x7fefffffffffffff), -1 },
  { "8.98846567431158e307",   FALSE, TRUE, G_GUINT64_CONSTANT (0x7fe0000000000000), -1 },
  { "2.2250738585072014e-308", FALSE, TRUE, G_GUINT64_CONSTANT (0x0010000000000000), -1 },
  { "2.2250738585072011e-308", FALSE, TRUE, G_GUINT64_CONSTANT (0x000fffffffffffff), -1 },
  { "4.9e-324",   FALSE, TRUE, G_GUINT64_CONSTANT (0x0000000000000001), -1 },
  { "2.4703282292062328e-324", FALSE, TRUE, G_GUINT64_CONSTANT (0x0000000000000001), -1 },
  { "2.4703282292062327e-324", FALSE, TRUE, G_GUINT64_CONSTANT (0x0000000000000000), -1 },
  { "1e-400",     FALSE, TRUE, G_GUINT64_CONSTANT (0x0000000000000000), -1 },
  { "1e400",      FALSE, TRUE, G_GUINT64_CONSTANT (0x7ff0000000000000), -1 },
  { "-1e400",     FALSE, TRUE, G_GUINT64_CONSTANT (0xfff0000000000000), -1 },
  { "123456789012345678901234567890", FALSE, TRUE, G_GUINT64_CONSTANT (0x45f8ee90ff6c373e), 0 },
  { "0.123456789012345678901234567890", FALSE, TRUE, G_GUINT64_CONSTANT (0x3fbf9add3746f65f), 30 },
  { "inf",        FALSE, TRUE, G_GUINT64_CONSTANT (0x7ff0000000000000), -1 },
  { "-Inf",       FALSE, TRUE, G_GUINT64_CONSTANT (0xfff0000000000000), -1 },
  { "+INFINITY",  FALSE, TRUE, G_GUINT64_CONSTANT (0x7ff0000000000000), -1 },
  { " infinity ", FALSE, TRUE, G_GUINT64_CONSTANT (0x7ff0000000000000), -1 },
  { "NaN",        FALSE, TRUE, NAN_BITS, -1 },
  { "-nan",       FALSE, TRUE, NAN_BITS, -1 },
};

static void
test_parse_edge (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      const ParseCase *c = &parse_cases[i];
      double v = 12345.0;
      int decimals = 99;
      gboolean ok = imu_number_parse (c->text, strlen (c->text), c->comma, &v, &decimals);

      g_test_message ("parse \"%s\"%s", c->text, c->comma ? " (decimal comma)" : "");
      g_assert_cmpint (ok, ==, c->ok);
      if (!ok)
        continue;
      if (c->bits == NAN_BITS)
        g_assert_true (isnan (v));
      else
        g_assert_cmphex (bits_of (v), ==, c->bits);
      g_assert_cmpint (decimals, ==, c->decimals);
    }
}

/* The field ends at @len: what follows is not part of it. */
static void
test_parse_not_terminated (void)
{
  const char *row = "0.25,1.5e3,-7";
  double v;
  int decimals;

  g_assert_true (imu_number_parse (row, 4, FALSE, &v, &decimals));
  g_assert_cmpfloat (v, ==, 0.25);
  g_assert_cmpint (decimals, ==, 2);
  g_assert_true (imu_number_parse (row + 5, 5, FALSE, &v, &decimals));
  g_assert_cmpfloat (v, ==, 1500.0);
  g_assert_cmpint (decimals, ==, -1);
  g_assert_true (imu_number_parse (row + 11, 2, FALSE, &v, NULL));
  g_assert_cmpfloat (v, ==, -7.0);
  /* A field cut in the middle of "1.5e3" is still a number, "1.5e" not. */
  g_assert_true (imu_number_parse (row + 5, 3, FALSE, &v, NULL));
  g_assert_cmpfloat (v, ==, 1.5);
  g_assert_false (imu_number_parse (row + 5, 4, FALSE, &v, NULL));
}

static void
append_digits (GString *s, GRand *rand, int n)
{
  for (int i = 0; i < n; i++)
    g_string_append_c (s, (char) ('0' + g_rand_int_range (rand, 0, 10)));
}

/* Random decimal strings: bit-identical to g_ascii_strtod. */
static void
test_parse_random (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240601);
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GString) ref = g_string_new (NULL);
  guint n = g_test_slow () ? 10000000 : 2000000;

  for (guint i = 0; i < n; i++)
    {
      gboolean comma = g_rand_int_range (rand, 0, 4) == 0;
      int n_int = g_rand_int_range (rand, 0, 22);
      int n_frac = g_rand_int_range (rand, 0, 22);
      gboolean has_point = n_frac > 0 || g_rand_int_range (rand, 0, 8) == 0;
      gboolean has_exp = g_rand_int_range (rand, 0, 3) == 0;
      double v = 0, expected;
      char *end = NULL;
      int decimals = 99;

      /* Mostly short fields like a CSV has, sometimes long ones. */
      if (g_rand_int_range (rand, 0, 2) == 0)
        {
          n_int = MIN (n_int, 3);
          n_frac = MIN (n_frac, 7);
        }
      if (n_int + n_frac == 0)
        n_int = 1;

      g_string_truncate (s, 0);
      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          g_string_append_c (s, '-');
          break;
        case 1:
          g_string_append_c (s, '+');
          break;
        default:
          break;
        }
      append_digits (s, rand, n_int);
      if (has_point)
        {
          g_string_append_c (s, comma ? ',' : '.');
          append_digits (s, rand, n_frac);
        }
      if (has_exp)
        {
          g_string_append_printf (s, "%c%d", g_rand_boolean (rand) ? 'e' : 'E',
                                  g_rand_int_range (rand, -340, 340));
        }

      g_string_assign (ref, s->str);
      if (comma)
        g_strdelimit (ref->str, ",", '.');
      expected = g_ascii_strtod (ref->str, &end);
      g_assert_true (*end == '\0');

      if (!imu_number_parse (s->str, s->len, comma, &v, &decimals))
        g_error ("\"%s\" was not parsed", s->str);
      if (bits_of (v) != bits_of (expected))
        g_error ("\"%s\": got %a, g_ascii_strtod gives %a", s->str, v, expected);
      g_assert_cmpint (decimals, ==, has_exp ? -1 : (has_point ? n_frac : 0));
    }
}

/* ------------------------------------------------------------------ */

typedef struct {
  guint64     bits;
  int         decimals;
  const char *text;
} FormatCase;

static const FormatCase format_cases[] = {
  { G_GUINT64_CONSTANT (0x3fd4ffeb074a771d), 5, "0.32812" },
  { G_GUINT64_CONSTANT (0x3fe0000000000000), 3, "0.500" },
  { G_GUINT64_CONSTANT (0x8000000000000000), 3, "-0.000" },
  { G_GUINT64_CONSTANT (0x8000000000000000), -1, "-0" },
  { G_GUINT64_CONSTANT (0x0000000000000000), 0, "0" },
  { G_GUINT64_CONSTANT (0x4059000000000000), 0, "100" },
  { G_GUINT64_CONSTANT (0xc08eac0000000000), 2, "-981.50" },
  /* "%.0f" of 2.5 is "2", which is another number: shortest instead. */
  { G_GUINT64_CONSTANT (0x4004000000000000), 0, "2.5" },
  /* 123.456 with 2 decimals would lose a digit. */
  { G_GUINT64_CONSTANT (0x405edd2f1a9fbe77), 2, "123.456" },
  { G_GUINT64_CONSTANT (0x3fb999999999999a), -1, "0.1" },
  { G_GUINT64_CONSTANT (0x3fd5555555555555), -1, "0.3333333333333333" },
  { G_GUINT64_CONSTANT (0x3fd3333333333334), -1, "0.30000000000000004" },
  { G_GUINT64_CONSTANT (0x7e37e43c8800759c), 5, "1e+300" },
  { G_GUINT64_CONSTANT (0x0000000000000001), -1, "4.94065645841247e-324" },
  { G_GUINT64_CONSTANT (0x7fefffffffffffff), -1, "1.7976931348623157e+308" },
  { G_GUINT64_CONSTANT (0x7ff8000000000000), 3, "NaN" },
  { G_GUINT64_CONSTANT (0xfff8000000000123), -1, "NaN" },
  { G_GUINT64_CONSTANT (0x7ff0000000000000), 2, "Inf" },
  { G_GUINT64_CONSTANT (0xfff0000000000000), -1, "-Inf" },
  { G_GUINT64_CONSTANT (0x41d71d46c280a3d7), 4, "1551178506.0100" },
};

static void
test_format_fixed (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (format_cases); i++)
    {
      const FormatCase *c = &format_cases[i];
      char buf[IMU_NUMBER_BUF_SIZE];
      gsize n = imu_number_format (buf, double_of (c->bits), c->decimals);

      g_test_message ("format %" G_GINT64_MODIFIER "x with %d decimals", c->bits, c->decimals);
      g_assert_cmpstr (buf, ==, c->text);
      g_assert_cmpuint (n, ==, strlen (c->text));
    }
}

/* Fixed decimals give what "%.Nf" gives whenever that text is exact. */
static void
test_format_matches_printf (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (77);

  for (guint i = 0; i < 300000; i++)
    {
      int d = g_rand_int_range (rand, 0, 10);
      gint64 k = (gint64) g_rand_int_range (rand, -2000000, 2000000) *
                 (g_rand_boolean (rand) ? 1 : g_rand_int_range (rand, 1, 100000));
      double v = (double) k / pow (10, d);
      char fmt[16], ref[512], buf[IMU_NUMBER_BUF_SIZE];
      double back;

      g_snprintf (fmt, sizeof fmt, "%%.%df", d);
      g_ascii_formatd (ref, sizeof ref, fmt, v);
      back = g_ascii_strtod (ref, NULL);
      imu_number_format (buf, v, d);
      if (bits_of (back) == bits_of (v))
        g_assert_cmpstr (buf, ==, ref);
      g_assert_cmphex (bits_of (g_ascii_strtod (buf, NULL)), ==, bits_of (v));
    }
}

/* Whatever the decimals asked for, the text parses back to the same bits
 * (both with imu_number_parse and g_ascii_strtod). */
static void
test_format_roundtrip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);

  for (guint i = 0; i < 300000; i++)
    {
      guint64 b = ((guint64) g_rand_int (rand) << 32) | g_rand_int (rand);
      double v;
      int decimals = g_rand_int_range (rand, -1, 19);
      char buf[IMU_NUMBER_BUF_SIZE];
      double back = 0;
      gsize n;

      /* Sometimes a number with a few decimals, as sensors give. */
      if (i % 2 == 0)
        b = bits_of ((double) (gint64) (b >> 40) / 1000.0);
      v = double_of (b);
      n = imu_number_format (buf, v, decimals);
      g_assert_cmpuint (n, ==, strlen (buf));
      g_assert_cmpuint (n, <, IMU_NUMBER_BUF_SIZE);
      g_assert_true (imu_number_parse (buf, n, FALSE, &back, NULL));
      if (isnan (v))
        {
          g_assert_cmpstr (buf, ==, "NaN");
          g_assert_true (isnan (back));
          continue;
        }
      if (bits_of (back) != b)
        g_error ("%a formatted with %d decimals as \"%s\" parses back as %a", v, decimals, buf, back);
      g_assert_cmphex (bits_of (g_ascii_strtod (buf, NULL)), ==, b);
    }
}

/* ------------------------------------------------------------------ */

typedef struct {
  const char *text;
  int         scale;
  gboolean    ok;
  gint64      value;
  int         decimals;
} Int64Case;

static const Int64Case int64_cases[] = {
  { "1551178506.0100", 9, TRUE, G_GINT64_CONSTANT (1551178506010000000), 4 },
  { "1551178506.010000", 9, TRUE, G_GINT64_CONSTANT (1551178506010000000), 6 },
  { "1551178506", 9, TRUE, G_GINT64_CONSTANT (1551178506000000000), 0 },
  { "-0.5", 9, TRUE, G_GINT64_CONSTANT (-500000000), 1 },
  { " 42 ", 3, TRUE, 42000, 0 },
  { "+7", 0, TRUE, 7, 0 },
  { ".25", 2, TRUE, 25, 2 },
  { "5.", 1, TRUE, 50, 0 },
  { "1.0000000000", 9, TRUE, 1000000000, 10 },   /* trailing zero past the scale */
  { "9223372036.854775807", 9, TRUE, G_MAXINT64, 9 },
  { "-9223372036.854775808", 9, TRUE, G_MININT64, 9 },
  { "9223372036854775807", 0, TRUE, G_MAXINT64, 0 },
  { "-9223372036854775808", 0, TRUE, G_MININT64, 0 },
  { "0.000000000000000001", 18, TRUE, 1, 18 },
  { "9223372036.854775808", 9, FALSE },           /* one past INT64_MAX */
  { "-9223372036.854775809", 9, FALSE },
  { "99999999999999999999", 0, FALSE },
  { "1.0000000001", 9, FALSE },                    /* a digit finer than ns */
  { "", 9, FALSE },
  { "-", 9, FALSE },
  { ".", 9, FALSE },
  { "1e5", 9, FALSE },
  { "1,5", 9, FALSE },
  { "1.2.3", 9, FALSE },
  { "12 3", 0, FALSE },
};

static void
test_int64_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (int64_cases); i++)
    {
      const Int64Case *c = &int64_cases[i];
      gint64 v = 12345;
      int decimals = 99;
      gboolean ok;

      g_test_message ("parse \"%s\" at scale %d", c->text, c->scale);
      ok = imu_number_parse_int64_decimal (c->text, strlen (c->text), c->scale, &v, &decimals);
      g_assert_cmpint (ok, ==, c->ok);
      if (!ok)
        continue;
      g_assert_cmpint (v, ==, c->value);
      g_assert_cmpint (decimals, ==, c->decimals);
    }
}

typedef struct {
  gint64      value;
  int         scale;
  int         decimals;
  const char *text;
} Int64Format;

static const Int64Format int64_formats[] = {
  { G_GINT64_CONSTANT (1551178506010000000), 9, 4, "1551178506.0100" },
  { G_GINT64_CONSTANT (1551178506010000000), 9, 0, "1551178506.01" },   /* never drops digits */
  { G_GINT64_CONSTANT (1551178506010000000), 9, 9, "1551178506.010000000" },
  { 1500000000, 9, 3, "1.500" },
  { -500000000, 9, 1, "-0.5" },
  { -1, 9, 0, "-0.000000001" },
  { 5, 3, -1, "0.005" },
  { 42, 0, 2, "42.00" },
  { 42, 0, 0, "42" },
  { 0, 9, 2, "0.00" },
  { G_MININT64, 9, 9, "-9223372036.854775808" },
  { G_MAXINT64, 0, 0, "9223372036854775807" },
  { G_MININT64, 18, 0, "-9.223372036854775808" },
};

static void
test_int64_format (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (int64_formats); i++)
    {
      const Int64Format *c = &int64_formats[i];
      char buf[IMU_NUMBER_BUF_SIZE];
      gsize n = imu_number_format_int64_decimal (buf, c->value, c->scale, c->decimals);

      g_assert_cmpstr (buf, ==, c->text);
      g_assert_cmpuint (n, ==, strlen (c->text));
    }
}

/* Text → int64 → the same text, and int64 → text → the same int64. */
static void
test_int64_roundtrip (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (99);

  for (guint i = 0; i < 200000; i++)
    {
      int scale = g_rand_int_range (rand, 0, 19);
      gint64 v = (gint64) (((guint64) g_rand_int (rand) << 32) | g_rand_int (rand));
      int decimals = g_rand_int_range (rand, -1, 21);
      char buf[IMU_NUMBER_BUF_SIZE], again[IMU_NUMBER_BUF_SIZE];
      gint64 back;
      int back_decimals;
      gsize n;

      if (i % 3 == 0)
        v >>= g_rand_int_range (rand, 1, 60);
      n = imu_number_format_int64_decimal (buf, v, scale, decimals);
      g_assert_true (imu_number_parse_int64_decimal (buf, n, scale, &back, &back_decimals));
      g_assert_cmpint (back, ==, v);
      g_assert_cmpint (back_decimals, >=, MAX (decimals, 0));
      imu_number_format_int64_decimal (again, back, scale, back_decimals);
      g_assert_cmpstr (again, ==, buf);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/number/parse/edge", test_parse_edge);
  g_test_add_func ("/core/number/parse/not-terminated", test_parse_not_terminated);
  g_test_add_func ("/core/number/parse/random-vs-strtod", test_parse_random);
  g_test_add_func ("/core/number/format/fixed", test_format_fixed);
  g_test_add_func ("/core/number/format/matches-printf", test_format_matches_printf);
  g_test_add_func ("/core/number/format/roundtrip", test_format_roundtrip);
  g_test_add_func ("/core/number/int64/parse", test_int64_parse);
  g_test_add_func ("/core/number/int64/format", test_int64_format);
  g_test_add_func ("/core/number/int64/roundtrip", test_int64_roundtrip);

  return g_test_run ();
}
