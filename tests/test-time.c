/* test-time.c — the representable time range and saturating arithmetic
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/time/range", test_range);
  g_test_add_func ("/core/time/saturating", test_saturating);
  return g_test_run ();
}
