/* test-device-clock.c — device wall clocks to UTC (imu-device-clock.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Expected instants are worked out by hand from the zones' published
 * offsets: Europe/Berlin is UTC+01:00 in winter and UTC+02:00 from the last
 * Sunday of March; America/New_York is UTC−05:00 / UTC−04:00.
 */
#include <string.h>

#include <gio/gio.h>

#include "imu-device-clock.h"

#define S G_GINT64_CONSTANT (1000000000)

/* 2024-01-15 12:00:00 and 2024-07-01 12:00:00, read as UTC. */
#define WINTER_NOON (G_GINT64_CONSTANT (1705320000) * S)
#define SUMMER_NOON (G_GINT64_CONSTANT (1719835200) * S)

static void
test_parse (void)
{
  struct { const char *text; gint32 offset; } cases[] = {
    { "UTC", 0 }, { "gmt", 0 }, { "+01:00", 3600 }, { "-05:00:00", -18000 },
    { "GMT+01:00", 3600 }, { "UTC -5", -18000 }, { "+0530", 19800 },
    { " +09:30 ", 34200 }, { "-03:30", -12600 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTimeZone) zone = imu_device_time_zone_parse (cases[i].text, &error);

      g_assert_no_error (error);
      g_assert_nonnull (zone);
      g_assert_cmpint (g_time_zone_get_offset (zone, 0), ==, cases[i].offset);
    }
}

static void
test_parse_bad (void)
{
  const char *bad[] = { "", "Mars/Olympus", "+25:00", "+01:61", "UTC+", "12:00", "Europe Berlin", "+1:2:3:4" };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTimeZone) zone = imu_device_time_zone_parse (bad[i], &error);

      g_assert_null (zone);
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
      g_assert_nonnull (strstr (error->message, bad[i]));
    }
}

static void
test_named_zone_dst (void)
{
  g_autoptr(ImuDeviceClock) winter = imu_device_clock_new ("Europe/Berlin", NULL, NULL);
  g_autoptr(ImuDeviceClock) summer = imu_device_clock_new ("Europe/Berlin", NULL, NULL);
  g_autofree char *text = NULL;

  g_assert_nonnull (winter);
  g_assert_cmpint (imu_device_clock_get_source (winter), ==, IMU_DEVICE_CLOCK_OPTION);
  g_assert_cmpint (imu_device_clock_to_utc (winter, WINTER_NOON), ==, WINTER_NOON - 3600 * S);
  g_assert_cmpint (imu_device_clock_to_utc (summer, SUMMER_NOON), ==, SUMMER_NOON - 7200 * S);
  /* The offset of the start holds for the whole file: a device does not
   * move its clock when summer time begins. */
  g_assert_cmpint (imu_device_clock_to_utc (winter, SUMMER_NOON), ==, SUMMER_NOON - 3600 * S);
  g_assert_cmpint (imu_device_clock_get_offset (summer), ==, 7200);

  text = imu_device_clock_describe (summer);
  g_assert_cmpstr (text, ==, "Europe/Berlin (UTC+02:00), as given to the import");
}

static void
test_file_zone (void)
{
  g_autoptr(ImuDeviceClock) clock = imu_device_clock_new (NULL, "-05:00:00", NULL);
  g_autoptr(ImuDeviceClock) option = imu_device_clock_new ("UTC", "-05:00:00", NULL);
  g_autofree char *text = NULL;

  g_assert_cmpint (imu_device_clock_get_source (clock), ==, IMU_DEVICE_CLOCK_FILE);
  g_assert_cmpint (imu_device_clock_to_utc (clock, WINTER_NOON), ==, WINTER_NOON + 5 * 3600 * S);
  /* Fractions of a second pass through unchanged. */
  g_assert_cmpint (imu_device_clock_to_utc (clock, WINTER_NOON + 123456789), ==,
                   WINTER_NOON + 5 * 3600 * S + 123456789);
  text = imu_device_clock_describe (clock);
  g_assert_cmpstr (text, ==, "-05:00:00 (UTC-05:00), from the file");

  /* What the person gives wins over the file. */
  g_assert_cmpint (imu_device_clock_get_source (option), ==, IMU_DEVICE_CLOCK_OPTION);
  g_assert_cmpint (imu_device_clock_to_utc (option, WINTER_NOON), ==, WINTER_NOON);
}

static void
test_machine_zone (void)
{
  g_autoptr(ImuDeviceClock) clock = NULL;
  g_autoptr(ImuDeviceClock) unread = NULL;
  g_autofree char *text = NULL;

  g_setenv ("TZ", "America/New_York", TRUE);
  clock = imu_device_clock_new (NULL, NULL, NULL);
  g_assert_cmpint (imu_device_clock_get_source (clock), ==, IMU_DEVICE_CLOCK_MACHINE);
  g_assert_cmpint (imu_device_clock_to_utc (clock, SUMMER_NOON), ==, SUMMER_NOON + 4 * 3600 * S);

  /* A zone in the file that means nothing falls back to this computer's,
   * and the description says so. */
  unread = imu_device_clock_new (NULL, "GMT+25", NULL);
  g_assert_cmpint (imu_device_clock_get_source (unread), ==, IMU_DEVICE_CLOCK_MACHINE);
  g_assert_cmpint (imu_device_clock_to_utc (unread, WINTER_NOON), ==, WINTER_NOON + 5 * 3600 * S);
  text = imu_device_clock_describe (unread);
  g_assert_nonnull (strstr (text, "UTC-05:00"));
  g_assert_nonnull (strstr (text, "“GMT+25”"));
  g_unsetenv ("TZ");
}

static void
test_bad_option (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuDeviceClock) clock = imu_device_clock_new ("Atlantis", "+01:00", &error);

  g_assert_null (clock);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
}

int
main (int argc, char **argv)
{
  g_setenv ("LC_ALL", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/device-clock/parse", test_parse);
  g_test_add_func ("/device-clock/parse-bad", test_parse_bad);
  g_test_add_func ("/device-clock/named-zone-dst", test_named_zone_dst);
  g_test_add_func ("/device-clock/file-zone", test_file_zone);
  g_test_add_func ("/device-clock/machine-zone", test_machine_zone);
  g_test_add_func ("/device-clock/bad-option", test_bad_option);
  return g_test_run ();
}
