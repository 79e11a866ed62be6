/* imu-json.h — parsing JSON that comes from outside, with bounds
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define IMU_JSON_ERROR (imu_json_error_quark ())

typedef enum {
  IMU_JSON_ERROR_EMPTY,      /* no bytes, or only white space */
  IMU_JSON_ERROR_TOO_LARGE,  /* more bytes than the caller allows */
  IMU_JSON_ERROR_TOO_DEEP,   /* arrays and objects nested deeper than IMU_JSON_MAX_DEPTH */
  IMU_JSON_ERROR_INVALID,    /* not JSON (json-glib's message says where) */
} ImuJsonError;

GQuark imu_json_error_quark (void);

/* No JSON IMU Studio reads is nested more than a few levels (a manifest's
 * files array of objects is 3); this leaves room and keeps json-glib's
 * recursive parser far from the stack's end. */
#define IMU_JSON_MAX_DEPTH 64

/**
 * imu_json_parse:
 * @data: the bytes (need not be NUL-terminated)
 * @length: their length, or -1 when @data is NUL-terminated
 * @max_bytes: refuse more than this many bytes (0: no limit)
 * @error: %IMU_JSON_ERROR on failure
 *
 * Parses one JSON document from bytes that came from outside (a file, a
 * bundle, a server). Unlike json_parser_load_from_data() it accepts empty
 * input (and says so) and refuses nesting deeper than %IMU_JSON_MAX_DEPTH
 * before json-glib sees it, checked in one pass without recursion.
 *
 * Returns: (transfer full): the root node, or %NULL with @error set.
 */
JsonNode *imu_json_parse (const char  *data,
                          gssize       length,
                          gsize        max_bytes,
                          GError     **error);

/**
 * imu_json_depth:
 *
 * The deepest nesting of arrays and objects in @data (0 for a scalar),
 * ignoring brackets inside strings; stops counting at @limit + 1.
 */
guint     imu_json_depth (const char  *data,
                          gsize        length,
                          guint        limit);

G_END_DECLS
