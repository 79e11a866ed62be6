/* imu-device-clock.h — a device's wall clock, read as UTC
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Device files (CWA, GT3X, GENEActiv) store local wall-clock times with no
 * offset. The library stores UTC, so an importer reads each time as if it
 * were UTC ("local ns") and asks the clock for the real instant. Which zone
 * applies, in this order: the one the person gave (`imu import
 * --device-timezone`, ImuImportOptions.device_timezone), the file's own
 * (GT3X `TimeZone`, GENEActiv `Time Zone`), this computer's. A device does
 * not change its clock when daylight saving time begins, so one offset —
 * the zone's offset at the first time converted (the recording's start) —
 * applies to the whole file.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * ImuDeviceClockSource:
 * @IMU_DEVICE_CLOCK_OPTION: the person importing named the zone
 * @IMU_DEVICE_CLOCK_FILE: the file states its zone or offset
 * @IMU_DEVICE_CLOCK_MACHINE: neither: this computer's zone
 */
typedef enum {
  IMU_DEVICE_CLOCK_OPTION,
  IMU_DEVICE_CLOCK_FILE,
  IMU_DEVICE_CLOCK_MACHINE,
} ImuDeviceClockSource;

typedef struct _ImuDeviceClock ImuDeviceClock;

/**
 * imu_device_time_zone_parse:
 * @text: "UTC", "Europe/Berlin", "+01:00", "-05:00:00", "GMT+01:00",
 *   "UTC -5", "+0100"
 *
 * Returns: (transfer full) (nullable): the zone, or %NULL with @error set
 *   (%G_IO_ERROR_INVALID_ARGUMENT, naming @text) when it is none of these
 */
GTimeZone      *imu_device_time_zone_parse  (const char  *text,
                                             GError     **error);

/**
 * imu_device_clock_new:
 * @option_zone: (nullable): the zone the person gave; wins over the others
 * @file_zone: (nullable): the zone or offset written in the file
 *
 * Returns: (transfer full) (nullable): the clock, or %NULL with @error set
 *   when @option_zone cannot be read. A @file_zone that cannot be read is
 *   passed over for this computer's zone (imu_device_clock_describe() says
 *   so).
 */
ImuDeviceClock *imu_device_clock_new        (const char  *option_zone,
                                             const char  *file_zone,
                                             GError     **error);
void            imu_device_clock_free       (ImuDeviceClock *clock);

/* The instant of a wall-clock time read as UTC: @local_ns − offset. The
 * first call fixes the offset. Saturates at the representable range. */
gint64          imu_device_clock_to_utc     (ImuDeviceClock *clock,
                                             gint64          local_ns);
/* The offset in force (seconds east of UTC); 0 before the first call
 * for this computer's zone. */
gint32          imu_device_clock_get_offset (ImuDeviceClock *clock);
ImuDeviceClockSource imu_device_clock_get_source (ImuDeviceClock *clock);

/**
 * imu_device_clock_describe:
 *
 * Returns: (transfer full): what the import result says, translated:
 *   "UTC+01:00, from the file", "Europe/Berlin (UTC+02:00), this
 *   computer's time zone", "UTC−05:00, given with --device-timezone"
 */
char           *imu_device_clock_describe   (ImuDeviceClock *clock);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuDeviceClock, imu_device_clock_free)

G_END_DECLS
