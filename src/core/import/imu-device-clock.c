/* imu-device-clock.c — a device's wall clock, read as UTC
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-import"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>

#include "imu-device-clock.h"
#include "imu-time.h"

struct _ImuDeviceClock {
  GTimeZone            *zone;
  ImuDeviceClockSource  source;
  char                 *name;       /* as the person or the file wrote it; NULL for this computer's */
  char                 *unread;     /* a file zone that could not be read, for the description */
  gboolean              fixed;
  gint32                offset_s;
};

/* "+01:00", "-5", "+0100", "-05:00:00" → seconds east of UTC. */
static gboolean
parse_offset (const char *text,
              gint32     *seconds)
{
  const char *p = text;
  int sign;
  int parts[3] = { 0, 0, 0 };
  int n = 0;

  if (*p != '+' && *p != '-')
    return FALSE;
  sign = *p == '-' ? -1 : 1;
  p++;
  while (*p == ' ')
    p++;
  if (!g_ascii_isdigit (*p))
    return FALSE;

  /* "+0100": four digits and nothing else. */
  if (strlen (p) == 4 && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2]) && g_ascii_isdigit (p[3]))
    {
      parts[0] = (p[0] - '0') * 10 + (p[1] - '0');
      parts[1] = (p[2] - '0') * 10 + (p[3] - '0');
      n = 2;
    }
  else
    {
      while (n < 3)
        {
          int digits = 0;
          int value = 0;

          while (g_ascii_isdigit (*p) && digits < 2)
            {
              value = value * 10 + (*p - '0');
              p++;
              digits++;
            }
          if (digits == 0)
            return FALSE;
          parts[n++] = value;
          if (*p != ':')
            break;
          p++;
        }
      if (*p != '\0')
        return FALSE;
    }

  if (parts[0] > 14 || parts[1] > 59 || parts[2] > 59)
    return FALSE;
  *seconds = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  return TRUE;
}

GTimeZone *
imu_device_time_zone_parse (const char  *text,
                            GError     **error)
{
  g_autofree char *trimmed = NULL;
  const char *rest;
  gint32 offset;
  GTimeZone *zone;

  g_return_val_if_fail (text != NULL, NULL);

  trimmed = g_strstrip (g_strdup (text));
  rest = trimmed;
  if (g_ascii_strncasecmp (rest, "UTC", 3) == 0 || g_ascii_strncasecmp (rest, "GMT", 3) == 0)
    {
      rest += 3;
      while (*rest == ' ')
        rest++;
      if (*rest == '\0')
        return g_time_zone_new_utc ();
    }
  if (parse_offset (rest, &offset))
    return g_time_zone_new_offset (offset);

  /* A name of the tz database. GLib falls back to UTC for a name it cannot
   * load only in g_time_zone_new(); the identifier variant says so. */
  if (rest == trimmed && g_ascii_isalpha (*rest) && strchr (rest, ' ') == NULL
      && (zone = g_time_zone_new_identifier (rest)) != NULL)
    return zone;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               /* TRANSLATORS: %s is what was given as a time zone */
               _("“%s” is not a time zone: give a name such as Europe/Berlin, UTC, or an offset such as +01:00"),
               text);
  return NULL;
}

ImuDeviceClock *
imu_device_clock_new (const char  *option_zone,
                      const char  *file_zone,
                      GError     **error)
{
  g_autoptr(ImuDeviceClock) clock = g_new0 (ImuDeviceClock, 1);

  if (option_zone != NULL && *option_zone != '\0')
    {
      if (!(clock->zone = imu_device_time_zone_parse (option_zone, error)))
        return NULL;
      clock->source = IMU_DEVICE_CLOCK_OPTION;
      clock->name = g_strstrip (g_strdup (option_zone));
      return g_steal_pointer (&clock);
    }

  if (file_zone != NULL && *file_zone != '\0')
    {
      if ((clock->zone = imu_device_time_zone_parse (file_zone, NULL)) != NULL)
        {
          clock->source = IMU_DEVICE_CLOCK_FILE;
          clock->name = g_strstrip (g_strdup (file_zone));
          return g_steal_pointer (&clock);
        }
      clock->unread = g_strstrip (g_strdup (file_zone));
    }

  clock->zone = g_time_zone_new_local ();
  clock->source = IMU_DEVICE_CLOCK_MACHINE;
  return g_steal_pointer (&clock);
}

void
imu_device_clock_free (ImuDeviceClock *clock)
{
  if (clock == NULL)
    return;
  g_clear_pointer (&clock->zone, g_time_zone_unref);
  g_free (clock->name);
  g_free (clock->unread);
  g_free (clock);
}

gint64
imu_device_clock_to_utc (ImuDeviceClock *clock,
                         gint64          local_ns)
{
  g_return_val_if_fail (clock != NULL, local_ns);

  if (!clock->fixed)
    {
      /* The zone's offset at the wall-clock second of the start: in a gap
       * (the hour skipped in spring) adjust_time moves it forward. */
      gint64 local_s = local_ns / G_GINT64_CONSTANT (1000000000);
      int interval;

      if (local_ns < 0 && local_ns % G_GINT64_CONSTANT (1000000000) != 0)
        local_s--;
      interval = g_time_zone_adjust_time (clock->zone, G_TIME_TYPE_STANDARD, &local_s);
      clock->offset_s = interval >= 0 ? g_time_zone_get_offset (clock->zone, interval) : 0;
      clock->fixed = TRUE;
    }
  return imu_time_sub_sat (local_ns, (gint64) clock->offset_s * G_GINT64_CONSTANT (1000000000));
}

gint32
imu_device_clock_get_offset (ImuDeviceClock *clock)
{
  g_return_val_if_fail (clock != NULL, 0);
  return clock->offset_s;
}

ImuDeviceClockSource
imu_device_clock_get_source (ImuDeviceClock *clock)
{
  g_return_val_if_fail (clock != NULL, IMU_DEVICE_CLOCK_MACHINE);
  return clock->source;
}

static char *
format_offset (gint32 offset_s)
{
  gint32 a = ABS (offset_s);

  if (a % 60 != 0)
    return g_strdup_printf ("UTC%c%02d:%02d:%02d", offset_s < 0 ? '-' : '+', a / 3600, a / 60 % 60, a % 60);
  return g_strdup_printf ("UTC%c%02d:%02d", offset_s < 0 ? '-' : '+', a / 3600, a / 60 % 60);
}

char *
imu_device_clock_describe (ImuDeviceClock *clock)
{
  g_autofree char *offset = NULL;
  const char *id;

  g_return_val_if_fail (clock != NULL, NULL);

  offset = format_offset (clock->offset_s);
  switch (clock->source)
    {
    case IMU_DEVICE_CLOCK_OPTION:
      /* TRANSLATORS: "Europe/Berlin (UTC+01:00), given with --device-timezone" */
      return g_strdup_printf (_("%s (%s), as given to the import"), clock->name, offset);
    case IMU_DEVICE_CLOCK_FILE:
      /* TRANSLATORS: "-05:00:00 (UTC-05:00), from the file" */
      return g_strdup_printf (_("%s (%s), from the file"), clock->name, offset);
    case IMU_DEVICE_CLOCK_MACHINE:
    default:
      id = g_time_zone_get_identifier (clock->zone);
      if (id == NULL || *id == '\0' || *id == '/' || g_strcmp0 (id, "Local") == 0)
        id = offset;
      if (clock->unread != NULL)
        /* TRANSLATORS: "Europe/Berlin (UTC+01:00), this computer's time zone: the file's “GMT+25” is not a time zone" */
        return g_strdup_printf (_("%s (%s), this computer's time zone: the file's “%s” is not one"),
                                id, offset, clock->unread);
      /* TRANSLATORS: "Europe/Berlin (UTC+01:00), this computer's time zone" */
      return g_strdup_printf (_("%s (%s), this computer's time zone"), id, offset);
    }
}
