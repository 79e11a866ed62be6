/* imu-format.h — how the window writes times, durations, sizes and kinds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "imu-core.h"

G_BEGIN_DECLS

/* "0:45", "45:00", "1:02:03", "3 d 04:05:06", rounded to the nearest
 * second (59.6 s is "1:00", never "0:59"). */
char       *imu_format_duration     (gint64       duration_ns);
/* A count with the locale's digit grouping ("%'"): "1,234,567" in English,
 * "1.234.567" in German, "1234567" in the C locale. */
char       *imu_format_count        (gint64       n);
/* A measured value, 6 significant digits, with U+2212 for the minus. */
char       *imu_format_value        (double       value);
/* A range of values: "a – b" (U+2013 between spaces), "—" when unknown. */
char       *imu_format_value_range  (double       min,
                                     double       max);
/* The unit a channel stored in @unit is shown in under the unit
 * preferences (@accel_pref "g" | "m/s2", @gyro_pref "deg/s" | "rad/s"), and
 * the factor from the stored unit to it. Knows g, mg, "1/N g" (device
 * counts), m/s², deg/s, mdps and rad/s; any other unit is shown as stored
 * with a factor of 1. */
const char *imu_format_display_unit (const char  *unit,
                                     const char  *accel_pref,
                                     const char  *gyro_pref,
                                     double      *scale);
/* Date and minute in the local time zone of this computer (list rows). */
char       *imu_format_date_local   (gint64       t_ns);
/* An instant of @session to the millisecond on the session's clock (the
 * rule of imu-session-time.h), "2024-03-12 10:15:00.250 +01:00", or the
 * time elapsed since its start, "+1:02.250", when it has no date. */
char       *imu_format_session_instant (ImuSession *session,
                                        gint64      t_ns);
/* Date and time to the millisecond in the recording's time zone, with the
 * offset: "2024-03-12 10:15:00.250 +01:00". */
char       *imu_format_time_in_zone (gint64       t_ns,
                                     int          tz_offset_s);
/* Time of day to the millisecond in the recording's time zone, or the time
 * elapsed since @start_ns when @elapsed. */
char       *imu_format_event_time   (gint64       t_ns,
                                     gint64       start_ns,
                                     int          tz_offset_s,
                                     gboolean     elapsed);
/* A translated, capitalised name of a sensor kind ("Accelerometer"). */
const char *imu_format_kind_name    (const char  *kind);
/* A short translated badge text for a kind ("Accel", "Gyro"). */
const char *imu_format_kind_badge   (const char  *kind);
/* "100 Hz", "12.5 Hz", "—" for unknown */
char       *imu_format_rate         (double       rate_hz);
/* A delimiter as people call it: "comma", "tab"… */
const char *imu_format_delimiter    (const char  *delimiter);

G_END_DECLS
