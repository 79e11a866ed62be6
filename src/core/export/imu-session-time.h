/* imu-session-time.h — the one rule for the clock a session's times are shown on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The session list, the session header, the plot's time axis and `imu
 * show` / `imu list` show the same clock time for the same instant. The
 * rule (docs/window.md, "Times and numbers"):
 *
 *  - a session whose recording states its clock (a device file's clock, a
 *    CSV's or ISO 8601 offset, a wall-clock column) is shown at that UTC
 *    offset;
 *  - any other dated session (epoch times carry no zone) is shown in this
 *    computer's local zone, at the offset it has at the session's start,
 *    so that the plot (which draws one fixed offset) agrees;
 *  - a session whose file gave no date (times relative to the start only,
 *    stored from 1970-01-01 00:00 UTC) has no clock at all: it shows
 *    "No date" and elapsed time, never 1 January 1970.
 */
#pragma once

#include <glib.h>

#include "imu-session.h"

G_BEGIN_DECLS

/* FALSE when the session's times are only elapsed times (no date). */
gboolean  imu_session_time_is_dated     (ImuSession *session);
/* TRUE when the recording states its own clock's offset. */
gboolean  imu_session_time_has_zone     (ImuSession *session);
/* The UTC offset, in seconds, that the session's clock times are shown
 * at (0 for an undated session). Does not block. */
int       imu_session_time_offset       (ImuSession *session);

typedef enum {
  IMU_SESSION_TIME_SHORT,   /* "12 Mar 2024, 18:30" (list rows) */
  IMU_SESSION_TIME_LONG,    /* "12 Mar 2024, 18:30 UTC+09:00" (the header) */
  IMU_SESSION_TIME_ISO,     /* "2024-03-12 18:30:00 UTC+09:00" (`imu show`, `imu list`) */
} ImuSessionTimeStyle;

/* @t_ns written on the session's clock in @style; "No date" (translated)
 * for an undated session. */
char     *imu_session_time_format       (ImuSession          *session,
                                         gint64               t_ns,
                                         ImuSessionTimeStyle  style);
/* The same for an explicit offset (the rule's result), for callers that
 * hold no session. Returns NULL for a time GDateTime cannot hold. */
char     *imu_session_time_format_at    (gint64               t_ns,
                                         int                  offset_s,
                                         ImuSessionTimeStyle  style);

G_END_DECLS
