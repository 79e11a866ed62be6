/* imu-format.c — how the window writes times, durations, sizes and kinds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-format"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "imu-format.h"

#define NS_PER_S G_GINT64_CONSTANT (1000000000)
#define NS_PER_MS G_GINT64_CONSTANT (1000000)

char *
imu_format_duration (gint64 duration_ns)
{
  /* Rounded, not truncated: a 59.6 s session is "1:00" everywhere. */
  gint64 s = (MAX (duration_ns, 0) + NS_PER_S / 2) / NS_PER_S;
  gint64 days = s / 86400, hours = (s / 3600) % 24, minutes = (s / 60) % 60, seconds = s % 60;

  if (days > 0)
    /* Translators: a duration of days, hours, minutes and seconds */
    return g_strdup_printf (_("%d d %02d:%02d:%02d"),
                            (int) days, (int) hours, (int) minutes, (int) seconds);
  if (hours > 0)
    return g_strdup_printf ("%d:%02d:%02d", (int) hours, (int) minutes, (int) seconds);
  return g_strdup_printf ("%d:%02d", (int) minutes, (int) seconds);
}

char *
imu_format_count (gint64 n)
{
  return g_strdup_printf ("%'" PRId64, n);
}

char *
imu_format_value (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (value))
    return g_strdup ("—");
  /* The locale's decimal mark, the typographic minus. */
  g_snprintf (buf, sizeof buf, "%.6g", value);
  if (buf[0] == '-')
    return g_strconcat ("−", buf + 1, NULL);
  return g_strdup (buf);
}

char *
imu_format_value_range (double min,
                        double max)
{
  g_autofree char *a = NULL;
  g_autofree char *b = NULL;

  if (!isfinite (min) || !isfinite (max))
    return g_strdup ("—");
  a = imu_format_value (min);
  b = imu_format_value (max);
  /* Translators: a range of values, "−2 – 2" */
  return g_strdup_printf (_("%s – %s"), a, b);
}

#define G_TO_MS2 9.80665

const char *
imu_format_display_unit (const char *unit,
                         const char *accel_pref,
                         const char *gyro_pref,
                         double     *scale)
{
  g_autofree char *u = unit != NULL ? g_strstrip (g_utf8_strdown (unit, -1)) : NULL;
  gboolean want_ms2 = g_strcmp0 (accel_pref, "m/s2") == 0;
  gboolean want_rads = g_strcmp0 (gyro_pref, "rad/s") == 0;
  double in_g = 0, in_degs = 0;
  unsigned denominator;
  char tail;

  *scale = 1;
  if (u == NULL || *u == '\0')
    return unit != NULL ? unit : "";
  if (g_str_equal (u, "g"))
    in_g = 1;
  else if (g_str_equal (u, "mg"))
    in_g = 1e-3;
  else if ((sscanf (u, "1/%u g%c", &denominator, &tail) == 1
            || sscanf (u, "1/%ug%c", &denominator, &tail) == 1) && denominator > 0)
    in_g = 1.0 / denominator;
  else if (g_str_equal (u, "m/s^2") || g_str_equal (u, "m/s2") || g_str_equal (u, "m/s²")
           || g_str_equal (u, "m s-2") || g_str_equal (u, "m/s/s"))
    {
      /* Exactly 1 when no conversion is asked for. */
      *scale = want_ms2 ? 1 : 1 / G_TO_MS2;
      return want_ms2 ? "m/s²" : "g";
    }
  else if (g_str_equal (u, "deg/s") || g_str_equal (u, "dps") || g_str_equal (u, "°/s")
           || g_str_equal (u, "degrees/s"))
    in_degs = 1;
  else if (g_str_equal (u, "mdps") || g_str_equal (u, "mdeg/s"))
    in_degs = 1e-3;
  else if (g_str_equal (u, "rad/s"))
    {
      *scale = want_rads ? 1 : 180 / G_PI;
      return want_rads ? "rad/s" : "°/s";
    }
  else
    return unit;

  if (in_g > 0)
    {
      *scale = want_ms2 ? in_g * G_TO_MS2 : in_g;
      return want_ms2 ? "m/s²" : "g";
    }
  *scale = want_rads ? in_degs * G_PI / 180 : in_degs;
  return want_rads ? "rad/s" : "°/s";
}

static GDateTime *
date_time_from_ns (gint64     t_ns,
                   GTimeZone *tz)
{
  /* Floor division keeps times before 1970 on the right second. */
  gint64 s = t_ns / NS_PER_S - (t_ns % NS_PER_S < 0 ? 1 : 0);
  gint64 rest_ns = t_ns - s * NS_PER_S;
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (s);

  if (utc == NULL)
    return NULL;
  {
    g_autoptr(GDateTime) exact = g_date_time_add (utc, rest_ns / 1000);
    return g_date_time_to_timezone (exact, tz);
  }
}

char *
imu_format_date_local (gint64 t_ns)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  g_autoptr(GDateTime) dt = date_time_from_ns (t_ns, tz);

  if (dt == NULL)
    return g_strdup ("—");
  /* Translators: date and time of a session in the library list, in the
   * format of g_date_time_format() (strftime): "12 Mar 2024, 17:30" */
  return g_date_time_format (dt, _("%-d %b %Y, %H:%M"));
}

static GTimeZone *
zone_for_offset (int tz_offset_s)
{
  return g_time_zone_new_offset (tz_offset_s);
}

char *
imu_format_time_in_zone (gint64 t_ns,
                         int    tz_offset_s)
{
  g_autoptr(GTimeZone) tz = zone_for_offset (tz_offset_s);
  g_autoptr(GDateTime) dt = date_time_from_ns (t_ns, tz);
  g_autofree char *date = NULL;
  int ms;
  int off_min = ABS (tz_offset_s) / 60;

  if (dt == NULL)
    return g_strdup ("—");
  ms = g_date_time_get_microsecond (dt) / 1000;
  date = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
  return g_strdup_printf ("%s.%03d %c%02d:%02d", date, ms,
                          tz_offset_s < 0 ? '-' : '+', off_min / 60, off_min % 60);
}

char *
imu_format_event_time (gint64   t_ns,
                       gint64   start_ns,
                       int      tz_offset_s,
                       gboolean elapsed)
{
  if (elapsed)
    {
      gint64 d = t_ns - start_ns;
      gint64 ms = ABS (d) / NS_PER_MS;
      gint64 h = ms / 3600000, m = (ms / 60000) % 60, s = (ms / 1000) % 60;

      if (h > 0)
        return g_strdup_printf ("%s%" PRId64 ":%02" PRId64 ":%02" PRId64 ".%03" PRId64,
                                d < 0 ? "−" : "", h, m, s, ms % 1000);
      return g_strdup_printf ("%s%" PRId64 ":%02" PRId64 ".%03" PRId64,
                              d < 0 ? "−" : "", m, s, ms % 1000);
    }
  else
    {
      g_autoptr(GTimeZone) tz = zone_for_offset (tz_offset_s);
      g_autoptr(GDateTime) dt = date_time_from_ns (t_ns, tz);
      g_autofree char *hms = NULL;

      if (dt == NULL)
        return g_strdup ("—");
      hms = g_date_time_format (dt, "%H:%M:%S");
      return g_strdup_printf ("%s.%03d", hms, g_date_time_get_microsecond (dt) / 1000);
    }
}

char *
imu_format_session_instant (ImuSession *session,
                            gint64      t_ns)
{
  if (!imu_session_time_is_dated (session))
    {
      g_autofree char *elapsed = imu_format_event_time (t_ns, imu_session_get_start_ns (session), 0, TRUE);

      return g_strdup_printf ("+%s", elapsed);
    }
  return imu_format_time_in_zone (t_ns, imu_session_time_offset (session));
}

const char *
imu_format_kind_name (const char *kind)
{
  if (kind == NULL)
    return _("Unknown");
  if (g_str_equal (kind, "accel"))
    return _("Accelerometer");
  if (g_str_equal (kind, "gyro"))
    return _("Gyroscope");
  if (g_str_equal (kind, "mag"))
    return _("Magnetometer");
  if (g_str_equal (kind, "orientation"))
    return _("Orientation");
  if (g_str_equal (kind, "mixed"))
    return _("Mixed");
  return _("Other");
}

const char *
imu_format_kind_badge (const char *kind)
{
  if (kind == NULL)
    return "?";
  /* Translators: short badges of sensor kinds in the library list */
  if (g_str_equal (kind, "accel"))
    return C_("badge", "Accel");
  if (g_str_equal (kind, "gyro"))
    return C_("badge", "Gyro");
  if (g_str_equal (kind, "mag"))
    return C_("badge", "Mag");
  if (g_str_equal (kind, "orientation"))
    return C_("badge", "Orient");
  if (g_str_equal (kind, "mixed"))
    return C_("badge", "Mixed");
  return C_("badge", "Other");
}

char *
imu_format_rate (double rate_hz)
{
  if (!(rate_hz > 0) || !isfinite (rate_hz))
    return g_strdup ("—");
  if (fabs (rate_hz - round (rate_hz)) < 1e-9)
    /* Translators: a sample rate */
    return g_strdup_printf (_("%.0f Hz"), rate_hz);
  return g_strdup_printf (_("%.2f Hz"), rate_hz);
}

const char *
imu_format_delimiter (const char *delimiter)
{
  if (delimiter == NULL || *delimiter == '\0')
    return _("none");
  if (g_str_equal (delimiter, ","))
    return _("comma");
  if (g_str_equal (delimiter, ";"))
    return _("semicolon");
  if (g_str_equal (delimiter, "\t"))
    return _("tab");
  if (g_str_equal (delimiter, "|"))
    return _("vertical bar");
  if (g_str_equal (delimiter, " "))
    return _("space");
  return delimiter;
}
