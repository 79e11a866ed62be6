/* test-format.c — the number, unit and duration format of the window
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expected strings are written out by hand. The C locale is used (the test
 * machine has no other), so counts have no digit grouping here; the
 * grouping itself is the C library's "%'" flag.
 */
#include <locale.h>
#include <math.h>

#include <glib.h>

#include "imu-format.h"

#define NS G_GINT64_CONSTANT (1000000000)
#define MS G_GINT64_CONSTANT (1000000)

static void
check_duration (gint64 ns, const char *expected)
{
  g_autofree char *text = imu_format_duration (ns);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_duration_rounds (void)
{
  check_duration (59 * NS + 600 * MS, "1:00");
  check_duration (59 * NS + 400 * MS, "0:59");
  check_duration (500 * MS, "0:01");
  check_duration (499 * MS, "0:00");
  check_duration (3599 * NS + 500 * MS, "1:00:00");
  check_duration (86399 * NS + 700 * MS, "1 d 00:00:00");
  check_duration (-5 * NS, "0:00");
}

static void
test_count (void)
{
  g_autofree char *a = imu_format_count (1234567);
  g_autofree char *b = imu_format_count (0);

  g_assert_cmpstr (a, ==, "1234567");
  g_assert_cmpstr (b, ==, "0");
}

static void
test_value_and_range (void)
{
  g_autofree char *neg = imu_format_value (-0.981);
  g_autofree char *big = imu_format_value (1234567.5);
  g_autofree char *nan_text = imu_format_value (NAN);
  g_autofree char *range = imu_format_value_range (-2, 2);
  g_autofree char *unknown = imu_format_value_range (NAN, 2);

  g_assert_cmpstr (neg, ==, "−0.981");
  g_assert_cmpstr (big, ==, "1.23457e+06");
  g_assert_cmpstr (nan_text, ==, "—");
  g_assert_cmpstr (range, ==, "−2 – 2");
  g_assert_cmpstr (unknown, ==, "—");
}

static void
check_unit (const char *unit,
            const char *accel,
            const char *gyro,
            const char *expected_unit,
            double      expected_scale)
{
  double scale = 0;
  const char *shown = imu_format_display_unit (unit, accel, gyro, &scale);

  g_assert_cmpstr (shown, ==, expected_unit);
  g_assert_cmpfloat_with_epsilon (scale, expected_scale, 1e-12);
}

static void
test_units (void)
{
  /* 1 g = 9.80665 m/s² (standard gravity); 1 rad = 180/π degrees. */
  check_unit ("g", "g", "deg/s", "g", 1);
  check_unit ("g", "m/s2", "deg/s", "m/s²", 9.80665);
  check_unit ("mg", "g", "deg/s", "g", 0.001);
  check_unit ("mg", "m/s2", "deg/s", "m/s²", 0.00980665);
  check_unit ("1/64 g", "g", "deg/s", "g", 0.015625);
  check_unit ("1/64 g", "m/s2", "deg/s", "m/s²", 0.153228906250);
  check_unit ("m/s^2", "g", "deg/s", "g", 0.101971621297793);
  check_unit ("m/s²", "m/s2", "deg/s", "m/s²", 1);
  check_unit ("deg/s", "g", "rad/s", "rad/s", 0.0174532925199433);
  check_unit ("mdps", "g", "deg/s", "°/s", 0.001);
  check_unit ("rad/s", "g", "deg/s", "°/s", 57.2957795130823);
  check_unit ("rad/s", "g", "rad/s", "rad/s", 1);
  check_unit ("uT", "m/s2", "rad/s", "uT", 1);
  check_unit ("", "m/s2", "rad/s", "", 1);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/format/duration/rounds", test_duration_rounds);
  g_test_add_func ("/format/count", test_count);
  g_test_add_func ("/format/value-and-range", test_value_and_range);
  g_test_add_func ("/format/units", test_units);
  return g_test_run ();
}
