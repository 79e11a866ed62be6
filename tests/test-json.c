/* test-json.c — bounded parsing of JSON from outside (src/core/util/imu-json.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "imu-json.h"

static char *
nested (guint levels, const char *open, const char *close)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < levels; i++)
    g_string_append (s, open);
  g_string_append (s, "1");
  for (guint i = 0; i < levels; i++)
    g_string_append (s, close);
  return g_string_free (s, FALSE);
}

static void
test_depth (void)
{
  g_autofree char *deep = nested (100, "[", "]");

  g_assert_cmpuint (imu_json_depth ("1", 1, 64), ==, 0);
  g_assert_cmpuint (imu_json_depth ("[]", 2, 64), ==, 1);
  g_assert_cmpuint (imu_json_depth ("{\"a\":[1,{\"b\":[]}]}", 18, 64), ==, 4);
  /* brackets in strings, also after an escaped quote, do not count */
  g_assert_cmpuint (imu_json_depth ("[\"[[[{{\"]", 9, 64), ==, 1);
  g_assert_cmpuint (imu_json_depth ("[\"\\\"[[\",[]]", 11, 64), ==, 2);
  /* counting stops past the limit */
  g_assert_cmpuint (imu_json_depth (deep, strlen (deep), 10), ==, 11);
  g_assert_cmpuint (imu_json_depth (deep, strlen (deep), 100), ==, 100);
}

static void
test_parse_ok (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = imu_json_parse ("  {\"version\": 1, \"files\": [{\"name\": \"a\"}]}\n", -1, 0, &error);
  JsonObject *o;

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  o = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (o, "version"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (o, "files")), ==, 1);
}

static void
test_parse_not_terminated (void)
{
  g_autoptr(GError) error = NULL;
  const char bytes[] = { '[', '1', ',', '2', ']', 'x', 'x' };  /* no NUL, junk after the length */
  g_autoptr(JsonNode) root = imu_json_parse (bytes, 5, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 2);
}

static void
test_parse_empty (void)
{
  const char *inputs[] = { "", "   \n\t ", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) root = imu_json_parse (inputs[i], inputs[i] ? -1 : 0, 0, &error);

      g_assert_null (root);
      g_assert_error (error, IMU_JSON_ERROR, IMU_JSON_ERROR_EMPTY);
    }
}

static void
test_parse_too_deep (void)
{
  /* The outside test's crash: 75 000 levels overflowed json-glib's stack. */
  g_autofree char *huge = nested (75000, "[", "]");
  g_autofree char *objects = nested (65, "{\"a\":", "}");
  g_autofree char *limit = nested (64, "[", "]");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = imu_json_parse (huge, -1, 0, &error);

  g_assert_null (root);
  g_assert_error (error, IMU_JSON_ERROR, IMU_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
  g_assert_null (imu_json_parse (objects, -1, 0, &error));
  g_assert_error (error, IMU_JSON_ERROR, IMU_JSON_ERROR_TOO_DEEP);
  g_clear_error (&error);
  /* exactly the limit is fine */
  root = imu_json_parse (limit, -1, 0, &error);
  g_assert_no_error (error);
  g_assert_nonnull (root);
}

static void
test_parse_too_large (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (imu_json_parse ("[1,2,3]", -1, 6, &error));
  g_assert_error (error, IMU_JSON_ERROR, IMU_JSON_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "7 bytes"));
}

static void
test_parse_invalid (void)
{
  const char *inputs[] = { "{", "[1,", "{\"a\" 1}", "nul", "]" };

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_null (imu_json_parse (inputs[i], -1, 0, &error));
      g_assert_error (error, IMU_JSON_ERROR, IMU_JSON_ERROR_INVALID);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/json/depth", test_depth);
  g_test_add_func ("/core/json/parse/ok", test_parse_ok);
  g_test_add_func ("/core/json/parse/not-terminated", test_parse_not_terminated);
  g_test_add_func ("/core/json/parse/empty", test_parse_empty);
  g_test_add_func ("/core/json/parse/too-deep", test_parse_too_deep);
  g_test_add_func ("/core/json/parse/too-large", test_parse_too_large);
  g_test_add_func ("/core/json/parse/invalid", test_parse_invalid);
  return g_test_run ();
}
