/* imu-cli-json.c — the JSON objects `imu … --json` prints (docs/cli.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <math.h>
#include <stdio.h>

#include "imu-cli-json.h"

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_string_value (b, value != NULL ? value : "");
}

static void
add_nullable_string (JsonBuilder *b,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_int (JsonBuilder *b,
         const char  *name,
         gint64       value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

/* A rate or a duration: null when unknown, so scripts can tell 0 from "no idea". */
static void
add_positive_double (JsonBuilder *b,
                     const char  *name,
                     double       value)
{
  json_builder_set_member_name (b, name);
  if (value > 0 && isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_time (JsonBuilder *b,
          const char  *name,
          gint64       t_ns,
          gboolean     known)
{
  g_autofree char *text = known ? imu_cli_format_utc_iso8601 (t_ns) : NULL;

  add_nullable_string (b, name, text);
}

static void
build_stream (JsonBuilder         *b,
              const ImuStreamInfo *info,
              gboolean             detailed)
{
  json_builder_begin_object (b);
  add_string (b, "name", info->name);
  if (detailed)
    add_string (b, "kind", info->kind);
  json_builder_set_member_name (b, "channels");
  json_builder_begin_array (b);
  for (guint i = 0; i < info->n_channels; i++)
    {
      const ImuChannelInfo *ch = &info->channels[i];

      json_builder_begin_object (b);
      add_string (b, "name", ch->name);
      add_string (b, "unit", ch->unit);
      if (detailed)
        {
          add_nullable_string (b, "kind", ch->kind);
          json_builder_set_member_name (b, "decimals");
          if (ch->decimals >= 0)
            json_builder_add_int_value (b, ch->decimals);
          else
            json_builder_add_null_value (b);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  add_int (b, "samples", info->n_samples);
  add_positive_double (b, "rate_hz", imu_cli_stream_rate_hz (info));
  if (detailed)
    {
      add_positive_double (b, "nominal_rate_hz", info->nominal_rate_hz);
      add_time (b, "first", info->t_first_ns, info->n_samples > 0);
      add_time (b, "last", info->t_last_ns, info->n_samples > 0);
      add_string (b, "time_format", imu_time_kind_to_string (info->time_format.kind));
    }
  json_builder_end_object (b);
}

JsonNode *
imu_cli_json_stream (const ImuStreamInfo *info)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  build_stream (b, info, FALSE);
  return json_builder_get_root (b);
}

static void
build_session_members (JsonBuilder *b,
                       ImuSession  *session,
                       GPtrArray   *streams,
                       gboolean     detailed)
{
  const char * const *tags = imu_session_get_tags (session);
  gboolean has_time = imu_session_get_start_ns (session) != 0 || imu_session_get_end_ns (session) != 0;

  if (streams == NULL)
    streams = imu_session_get_streams (session);

  add_int (b, "id", imu_session_get_id (session));
  add_string (b, "uuid", imu_session_get_uuid (session));
  add_string (b, "title", imu_session_get_title (session));
  add_string (b, "subject", imu_session_get_subject (session));
  add_string (b, "activity", imu_session_get_activity (session));
  json_builder_set_member_name (b, "tags");
  json_builder_begin_array (b);
  for (guint i = 0; tags != NULL && tags[i] != NULL; i++)
    json_builder_add_string_value (b, tags[i]);
  json_builder_end_array (b);
  add_string (b, "notes", imu_session_get_notes (session));
  add_time (b, "start", imu_session_get_start_ns (session), has_time);
  json_builder_set_member_name (b, "duration_s");
  json_builder_add_double_value (b, (double) imu_session_get_duration_ns (session) / 1e9);
  add_string (b, "state", imu_session_state_to_string (imu_session_get_state (session)));
  add_string (b, "origin", imu_session_get_origin (session));
  json_builder_set_member_name (b, "streams");
  json_builder_begin_array (b);
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    build_stream (b, g_ptr_array_index (streams, i), detailed);
  json_builder_end_array (b);
}

JsonNode *
imu_cli_json_session (ImuSession *session,
                      GPtrArray  *streams)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  build_session_members (b, session, streams, FALSE);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
build_issue_counts (JsonBuilder *b,
                    GHashTable  *issue_counts)
{
  g_autoptr(GList) codes = NULL;

  json_builder_begin_object (b);
  if (issue_counts != NULL)
    {
      /* Sorted, so that the output is the same from run to run. */
      codes = g_list_sort (g_hash_table_get_keys (issue_counts), (GCompareFunc) g_strcmp0);
      for (GList *l = codes; l != NULL; l = l->next)
        add_int (b, l->data, GPOINTER_TO_INT (g_hash_table_lookup (issue_counts, l->data)));
    }
  json_builder_end_object (b);
}

JsonNode *
imu_cli_json_import_result (const ImuImportResult *result,
                            ImuSession            *session)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  GPtrArray *streams = session != NULL ? imu_session_get_streams (session) : NULL;

  json_builder_begin_object (b);
  add_int (b, "id", result->session_id);
  add_string (b, "uuid", result->uuid);
  add_string (b, "title", result->title);
  add_string (b, "format", result->format);
  if (result->device_clock != NULL)
    add_string (b, "device_clock", result->device_clock);
  json_builder_set_member_name (b, "streams");
  json_builder_begin_array (b);
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    build_stream (b, g_ptr_array_index (streams, i), FALSE);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "issues");
  build_issue_counts (b, result->issue_counts);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The audit's issues column is already JSON ({"CODE":{"count":n,"lines":[…]}}):
 * embed it as it is, or an empty object when it does not parse. */
static JsonNode *
parse_issues (const char *issues_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (issues_json != NULL && json_parser_load_from_data (parser, issues_json, -1, NULL))
    {
      root = json_parser_get_root (parser);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
        return json_node_copy (root);
    }
  return json_node_init_object (json_node_alloc (), json_object_new ());
}

JsonNode *
imu_cli_json_session_detail (ImuSession *session,
                             gint64      n_events,
                             GPtrArray  *audits)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *frame = NULL;
  g_autofree char *firmware = NULL;

  g_object_get (session, "frame", &frame, "device-firmware", &firmware, NULL);

  json_builder_begin_object (b);
  build_session_members (b, session, NULL, TRUE);
  add_time (b, "end", imu_session_get_end_ns (session),
            imu_session_get_start_ns (session) != 0 || imu_session_get_end_ns (session) != 0);
  add_positive_double (b, "nominal_rate_hz", imu_session_get_nominal_rate (session));
  add_int (b, "tz_offset_s", imu_session_get_tz_offset (session));
  add_string (b, "frame", frame);
  add_string (b, "origin_path", imu_session_get_origin_path (session));
  add_string (b, "origin_sha256", imu_session_get_origin_sha256 (session));
  add_time (b, "created", imu_session_get_created_us (session) * 1000, TRUE);
  add_time (b, "updated", imu_session_get_updated_us (session) * 1000, TRUE);

  json_builder_set_member_name (b, "device");
  json_builder_begin_object (b);
  add_string (b, "vendor", imu_session_get_device_vendor (session));
  add_string (b, "model", imu_session_get_device_model (session));
  add_string (b, "serial", imu_session_get_device_serial (session));
  add_string (b, "firmware", firmware);
  json_builder_end_object (b);

  add_int (b, "events", n_events);

  json_builder_set_member_name (b, "imports");
  json_builder_begin_array (b);
  for (guint i = 0; audits != NULL && i < audits->len; i++)
    {
      const ImuImportAudit *a = g_ptr_array_index (audits, i);

      json_builder_begin_object (b);
      add_string (b, "path", a->path);
      add_string (b, "sha256", a->sha256);
      add_int (b, "bytes", a->bytes);
      add_int (b, "rows", a->rows);
      add_string (b, "format", a->format);
      add_nullable_string (b, "delimiter", a->delimiter);
      json_builder_set_member_name (b, "utf8_valid");
      json_builder_add_boolean_value (b, a->utf8_valid);
      json_builder_set_member_name (b, "duration_s");
      json_builder_add_double_value (b, a->duration_s);
      json_builder_set_member_name (b, "issues");
      json_builder_add_value (b, parse_issues (a->issues_json));
      add_nullable_string (b, "error", a->error);
      add_time (b, "date", a->created_us * 1000, TRUE);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

void
imu_cli_json_print (JsonNode *node)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);
  text = json_generator_to_data (generator, NULL);
  fputs (text, stdout);
  fputc ('\n', stdout);
}
