/* imu-session-time.c — the one rule for the clock a session's times are shown on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-session-time"

#include <glib/gi18n.h>

#include "imu-session-time.h"
#include "imu-stream-info.h"
#include "imu-time.h"

/* Relative times start within a year of the epoch (a recording longer
 * than a year with no date is not one an IMU writes). */
#define UNDATED_LIMIT_NS (G_GINT64_CONSTANT (366) * 86400 * IMU_NS_PER_SECOND)

static gboolean
kind_is_relative (ImuTimeKind kind)
{
  return kind == IMU_TIME_RELATIVE_S || kind == IMU_TIME_RELATIVE_MS || kind == IMU_TIME_NONE;
}

gboolean
imu_session_time_is_dated (ImuSession *session)
{
  GPtrArray *streams;

  g_return_val_if_fail (IMU_IS_SESSION (session), FALSE);

  /* The importers store a file without a date from relative zero at the
   * epoch (docs/import.md): relative times whose origin is 0, so the
   * session starts in 1970. A session made with a start of its own (the
   * store's API, a default time format) is dated. */
  if (imu_session_get_start_ns (session) < 0
      || imu_session_get_start_ns (session) >= UNDATED_LIMIT_NS)
    return TRUE;
  streams = imu_session_get_streams (session);
  if (streams == NULL || streams->len == 0)
    return imu_session_get_start_ns (session) != 0;
  for (guint i = 0; i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);

      if (!kind_is_relative (info->time_format.kind) || info->time_format.origin_ns != 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
imu_session_time_has_zone (ImuSession *session)
{
  GPtrArray *streams;

  g_return_val_if_fail (IMU_IS_SESSION (session), FALSE);

  if (imu_session_get_tz_offset (session) != 0)
    return TRUE;
  /* Offset 0 is stated when the times were written as a clock (ISO 8601
   * with "Z", a wall-clock column read as UTC); epoch times state none. */
  streams = imu_session_get_streams (session);
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, i);

      if (info->time_format.kind == IMU_TIME_ISO8601 || info->time_format.kind == IMU_TIME_DATETIME)
        return TRUE;
    }
  return FALSE;
}

int
imu_session_time_offset (ImuSession *session)
{
  g_autoptr(GTimeZone) local = NULL;
  gint64 start_s;
  int interval;

  g_return_val_if_fail (IMU_IS_SESSION (session), 0);

  if (!imu_session_time_is_dated (session))
    return 0;
  if (imu_session_time_has_zone (session))
    return imu_session_get_tz_offset (session);
  local = g_time_zone_new_local ();
  start_s = imu_session_get_start_ns (session) / IMU_NS_PER_SECOND;
  interval = g_time_zone_find_interval (local, G_TIME_TYPE_UNIVERSAL, start_s);
  return interval >= 0 ? g_time_zone_get_offset (local, interval) : 0;
}

char *
imu_session_time_format_at (gint64              t_ns,
                            int                 offset_s,
                            ImuSessionTimeStyle style)
{
  /* Floor division keeps times before 1970 on the right second. */
  gint64 s = t_ns / IMU_NS_PER_SECOND - (t_ns % IMU_NS_PER_SECOND < 0 ? 1 : 0);
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (offset_s);
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (s);
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *text = NULL;
  int off_min = ABS (offset_s) / 60;

  if (utc == NULL || tz == NULL)
    return NULL;
  dt = g_date_time_to_timezone (utc, tz);
  if (dt == NULL)
    return NULL;
  switch (style)
    {
    case IMU_SESSION_TIME_SHORT:
    case IMU_SESSION_TIME_LONG:
      /* Translators: date and time of a session, in the format of
       * g_date_time_format() (strftime): "12 Mar 2024, 17:30" */
      text = g_date_time_format (dt, _("%-d %b %Y, %H:%M"));
      break;
    case IMU_SESSION_TIME_ISO:
    default:
      text = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
      break;
    }
  if (text == NULL || style == IMU_SESSION_TIME_SHORT)
    return g_steal_pointer (&text);
  return g_strdup_printf ("%s UTC%c%02d:%02d", text, offset_s < 0 ? '-' : '+', off_min / 60, off_min % 60);
}

char *
imu_session_time_format (ImuSession          *session,
                         gint64               t_ns,
                         ImuSessionTimeStyle  style)
{
  char *text;

  g_return_val_if_fail (IMU_IS_SESSION (session), NULL);

  if (!imu_session_time_is_dated (session))
    /* Translators: the date of a session whose file gave none (its times
     * are elapsed times only) */
    return g_strdup (_("No date"));
  text = imu_session_time_format_at (t_ns, imu_session_time_offset (session), style);
  return text != NULL ? text : g_strdup ("—");
}
