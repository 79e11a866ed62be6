/* imu-profile-summary.c — the few numbers of a profile a coach compares
 * across sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <inttypes.h>
#include <math.h>

#include "imu-export-csv.h"
#include "imu-profile-summary.h"
#include "imu-session-time.h"

static double
member_double (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NAN;
  node = json_object_get_member (object, name);
  if (!JSON_NODE_HOLDS_VALUE (node))
    return NAN;
  return json_node_get_double (node);
}

static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node;

  if (object == NULL || !json_object_has_member (object, name))
    return NULL;
  node = json_object_get_member (object, name);
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static double
class_minutes (JsonObject *intensity,
               const char *name)
{
  return member_double (member_object (intensity, name), "minutes");
}

/**
 * imu_profile_get_key_numbers:
 *
 * Fills @out from @self's document (see #ImuProfileKeyNumbers); clear it
 * with imu_profile_key_numbers_clear().
 */
void
imu_profile_get_key_numbers (ImuProfile           *self,
                             ImuProfileKeyNumbers *out)
{
  JsonObject *root, *session, *movement = NULL;
  JsonArray *streams = NULL;

  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  *out = (ImuProfileKeyNumbers) {
    .duration_s = NAN, .enmo_mean_mg = NAN,
    .sedentary_min = NAN, .light_min = NAN, .moderate_min = NAN, .vigorous_min = NAN,
    .peaks_per_min = NAN, .wear_s = NAN,
  };
  out->errors = imu_profile_count_findings (self, IMU_SEVERITY_ERROR);
  out->warnings = imu_profile_count_findings (self, IMU_SEVERITY_WARNING);
  out->infos = imu_profile_count_findings (self, IMU_SEVERITY_INFO);

  root = json_node_get_object (imu_profile_get_root (self));
  session = member_object (root, "session");
  out->duration_s = member_double (session, "duration_s");
  if (json_object_has_member (root, "streams") && JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "streams")))
    streams = json_object_get_array_member (root, "streams");

  /* The first stream whose movement block has epochs: an accelerometer
   * with gravity. */
  for (guint i = 0; streams != NULL && i < json_array_get_length (streams) && movement == NULL; i++)
    {
      JsonNode *node = json_array_get_element (streams, i);
      JsonObject *stream = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *m = member_object (stream, "movement");

      if (m != NULL && member_object (m, "intensity") != NULL)
        {
          movement = m;
          if (json_object_has_member (stream, "name"))
            out->movement_stream = g_strdup (json_object_get_string_member (stream, "name"));
        }
    }
  if (movement != NULL)
    {
      JsonObject *intensity = member_object (movement, "intensity");
      JsonObject *nonwear = member_object (movement, "nonwear");

      out->enmo_mean_mg = member_double (member_object (movement, "enmo"), "mean_mg");
      out->sedentary_min = class_minutes (intensity, "sedentary");
      out->light_min = class_minutes (intensity, "light");
      out->moderate_min = class_minutes (intensity, "moderate");
      out->vigorous_min = class_minutes (intensity, "vigorous");
      out->peaks_per_min = member_double (member_object (movement, "peaks"), "per_minute");
      if (nonwear != NULL && json_object_has_member (nonwear, "evaluated")
          && json_object_get_boolean_member (nonwear, "evaluated"))
        {
          /* Every epoch is of one class: worn time is all but non-wear. */
          double epochs = out->sedentary_min + out->light_min + out->moderate_min + out->vigorous_min;

          out->wear_s = epochs * 60.0;
        }
    }
}

void
imu_profile_key_numbers_clear (ImuProfileKeyNumbers *numbers)
{
  g_clear_pointer (&numbers->movement_stream, g_free);
}

const char *
imu_profile_key_numbers_csv_header (void)
{
  return "id,uuid,start,duration_s,title,subject,movement_stream,enmo_mean_mg,sedentary_min,"
         "light_min,moderate_min,vigorous_min,peaks_per_min,wear_s,errors,warnings,infos";
}

/* "2023-11-14T22:13:20Z", with the nanoseconds when there are any, without
 * trailing zeros ("…:06.01Z"). */
static char *
format_utc_iso8601 (gint64 t_ns)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *base = NULL;
  gint64 secs = t_ns / G_GINT64_CONSTANT (1000000000);
  gint64 frac = t_ns % G_GINT64_CONSTANT (1000000000);

  if (frac < 0)
    {
      frac += G_GINT64_CONSTANT (1000000000);
      secs--;
    }
  dt = g_date_time_new_from_unix_utc (secs);
  if (dt == NULL)
    return NULL;
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  if (frac != 0)
    {
      char digits[16];
      int len = g_snprintf (digits, sizeof digits, "%09" PRId64, frac);

      while (len > 0 && digits[len - 1] == '0')
        digits[--len] = '\0';
      return g_strdup_printf ("%s.%sZ", base, digits);
    }
  return g_strdup_printf ("%sZ", base);
}

static char *
ascii_number (int    decimals,
              double value)
{
  char format[16];
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_snprintf (format, sizeof format, "%%.%df", decimals);
  return g_strdup (g_ascii_formatd (buf, sizeof buf, format, value));
}

/* Comma first (but for the first field), then the field as
 * imu_csv_append_field() writes it; NULL is an empty field. */
static void
append_field (GString    *line,
              gboolean    first,
              const char *text)
{
  if (!first)
    g_string_append_c (line, ',');
  if (text != NULL)
    imu_csv_append_field (line, text);
}

void
imu_profile_key_numbers_append_csv (GString                    *line,
                                    ImuSession                 *session,
                                    const ImuProfileKeyNumbers *numbers)
{
  const ImuProfileKeyNumbers none = {
    .duration_s = NAN, .enmo_mean_mg = NAN, .sedentary_min = NAN, .light_min = NAN,
    .moderate_min = NAN, .vigorous_min = NAN, .peaks_per_min = NAN, .wear_s = NAN,
  };
  const ImuProfileKeyNumbers *k = numbers != NULL ? numbers : &none;
  const double values[] = { k->enmo_mean_mg, k->sedentary_min, k->light_min, k->moderate_min,
                            k->vigorous_min, k->peaks_per_min, k->wear_s };
  const int decimals[] = { 1, 2, 2, 2, 2, 2, 1 };
  g_autofree char *id = NULL;
  g_autofree char *start = NULL;
  g_autofree char *duration = NULL;

  g_return_if_fail (line != NULL);
  g_return_if_fail (IMU_IS_SESSION (session));

  id = g_strdup_printf ("%" PRId64, imu_session_get_id (session));
  if (imu_session_time_is_dated (session))
    start = format_utc_iso8601 (imu_session_get_start_ns (session));
  /* A full stop whatever the locale: CSV readers expect one. */
  duration = ascii_number (3, (double) imu_session_get_duration_ns (session) / 1e9);

  append_field (line, TRUE, id);
  append_field (line, FALSE, imu_session_get_uuid (session));
  append_field (line, FALSE, start);
  append_field (line, FALSE, duration);
  append_field (line, FALSE, imu_session_get_title (session));
  append_field (line, FALSE, imu_session_get_subject (session));
  append_field (line, FALSE, k->movement_stream);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *text = isnan (values[i]) ? NULL : ascii_number (decimals[i], values[i]);

      append_field (line, FALSE, text);
    }
  g_string_append_printf (line, ",%u,%u,%u", k->errors, k->warnings, k->infos);
}
