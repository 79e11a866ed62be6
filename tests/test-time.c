/* test-time.c — the representable time range and saturating arithmetic
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "imu-csv-time.h"
#include "imu-time.h"

static void
test_range (void)
{
  /* 1900-01-01 and 2190-01-01 UTC, computed with Python's datetime. */
  g_assert_cmpint (IMU_TIME_MIN_NS, ==, G_GINT64_CONSTANT (-2208988800000000000));
  g_assert_cmpint (IMU_TIME_MAX_NS, ==, G_GINT64_CONSTANT (6942585600000000000));
  g_assert_true (imu_time_in_range (0));
  g_assert_true (imu_time_in_range (IMU_TIME_MIN_NS));
  g_assert_true (imu_time_in_range (IMU_TIME_MAX_NS));
  g_assert_false (imu_time_in_range (IMU_TIME_MIN_NS - 1));
  g_assert_false (imu_time_in_range (IMU_TIME_MAX_NS + 1));
  g_assert_false (imu_time_in_range (G_MAXINT64));
  /* The difference of any two representable times fits in int64. */
  g_assert_cmpint (IMU_TIME_MAX_NS - IMU_TIME_MIN_NS, >, 0);
}

static void
test_saturating (void)
{
  g_assert_cmpint (imu_time_add_sat (1, 2), ==, 3);
  g_assert_cmpint (imu_time_add_sat (G_MAXINT64 - 5, 10), ==, G_MAXINT64);
  g_assert_cmpint (imu_time_add_sat (G_MININT64 + 5, -10), ==, G_MININT64);
  g_assert_cmpint (imu_time_sub_sat (5, 7), ==, -2);
  g_assert_cmpint (imu_time_sub_sat (G_MAXINT64, -1), ==, G_MAXINT64);
  g_assert_cmpint (imu_time_sub_sat (G_MININT64, 1), ==, G_MININT64);
  g_assert_cmpint (imu_time_sub_sat (G_MAXINT64, G_MININT64), ==, G_MAXINT64);
}

static gboolean
parse (const char *text, gint64 *out)
{
  return imu_csv_parse_datetime (text, strlen (text), IMU_CSV_DATE_ISO, 0, out, NULL, NULL, NULL);
}

/* Dates outside 1900–2190 are refused, never wrapped (the outside test
 * found 2263 stored as 1715 at exit 0). */
static void
test_datetime_range (void)
{
  gint64 t = 0;

  g_assert_true (parse ("1900-01-01T00:00:00Z", &t));
  g_assert_cmpint (t, ==, IMU_TIME_MIN_NS);
  /* 6942585599 s: Python's datetime(2189, 12, 31, 23, 59, 59) since 1970 */
  g_assert_true (parse ("2189-12-31T23:59:59.5Z", &t));
  g_assert_cmpint (t, ==, G_GINT64_CONSTANT (6942585599500000000));
  g_assert_false (parse ("1899-12-31T23:59:59Z", &t));
  g_assert_true (parse ("2190-01-01T00:00:00Z", &t));
  g_assert_cmpint (t, ==, IMU_TIME_MAX_NS);
  g_assert_false (parse ("2190-01-01T00:00:00.000000001Z", &t));
  g_assert_false (parse ("2262-04-12T00:00:00Z", &t));
  g_assert_false (parse ("2263-01-01T00:00:00Z", &t));
  g_assert_false (parse ("9999-12-31T23:59:59Z", &t));
  g_assert_false (parse ("0001-01-01T00:00:00Z", &t));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/time/range", test_range);
  g_test_add_func ("/core/time/saturating", test_saturating);
  g_test_add_func ("/core/time/datetime-range", test_datetime_range);
  return g_test_run ();
}
