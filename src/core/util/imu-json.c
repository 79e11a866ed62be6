/* imu-json.c — parsing JSON that comes from outside, with bounds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * json-glib parses recursively and has no nesting limit: a 155-byte
 * compressed manifest of 75 000 nested arrays overflows the stack. Every
 * JSON document the program reads from outside goes through
 * imu_json_parse(), which measures the nesting first.
 */
#define G_LOG_DOMAIN "imu-json"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-json.h"

G_DEFINE_QUARK (imu-json-error-quark, imu_json_error)

guint
imu_json_depth (const char *data,
                gsize       length,
                guint       limit)
{
  guint depth = 0, deepest = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;                /* the escaped character, whatever it is */
          else if (c == '"')
            in_string = FALSE;
          continue;
        }
      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;
        case '[':
        case '{':
          if (++depth > deepest)
            {
              deepest = depth;
              if (deepest > limit)
                return deepest;
            }
          break;
        case ']':
        case '}':
          if (depth > 0)
            depth--;
          break;
        default:
          break;
        }
    }
  return deepest;
}

JsonNode *
imu_json_parse (const char  *data,
                gssize       length,
                gsize        max_bytes,
                GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;
  gsize i;

  if (data == NULL)
    length = 0;
  len = length < 0 ? strlen (data) : (gsize) length;

  if (max_bytes > 0 && len > max_bytes)
    {
      g_set_error (error, IMU_JSON_ERROR, IMU_JSON_ERROR_TOO_LARGE,
                   _("%zu bytes of JSON, more than the %zu allowed"),
                   (size_t) len, (size_t) max_bytes);
      return NULL;
    }
  for (i = 0; i < len && g_ascii_isspace (data[i]); i++)
    ;
  if (i == len)
    {
      g_set_error_literal (error, IMU_JSON_ERROR, IMU_JSON_ERROR_EMPTY, _("empty, where JSON was expected"));
      return NULL;
    }
  if (imu_json_depth (data, len, IMU_JSON_MAX_DEPTH) > IMU_JSON_MAX_DEPTH)
    {
      g_set_error (error, IMU_JSON_ERROR, IMU_JSON_ERROR_TOO_DEEP,
                   _("JSON nested more than %d levels deep"), IMU_JSON_MAX_DEPTH);
      return NULL;
    }

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, IMU_JSON_ERROR, IMU_JSON_ERROR_INVALID, _("not valid JSON: %s"), local_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error_literal (error, IMU_JSON_ERROR, IMU_JSON_ERROR_EMPTY, _("empty, where JSON was expected"));
      return NULL;
    }
  return json_parser_steal_root (parser);
}
