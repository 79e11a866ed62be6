/* imu-profile-summary.c — the few numbers of a profile a coach compares
 * across sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "imu-profile.h"

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
