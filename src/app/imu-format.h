/* imu-format.h — how the window writes times, durations, sizes and kinds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "imu-core.h"

G_BEGIN_DECLS

/* "0:45", "45:00", "1:02:03", "3 d 04:05:06" */
char       *imu_format_duration     (gint64       duration_ns);
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
