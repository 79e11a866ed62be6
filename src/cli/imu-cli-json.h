/* imu-cli-json.h — the JSON objects `imu … --json` prints (docs/cli.md)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "imu-cli.h"

G_BEGIN_DECLS

/* {"name", "channels":[{"name","unit"}], "samples", "rate_hz"} */
JsonNode *imu_cli_json_stream         (const ImuStreamInfo *info);
/* The list object: id, uuid, title, subject, activity, tags, notes, start,
 * duration_s, state, origin, streams (@streams may be NULL: the session's own). */
JsonNode *imu_cli_json_session        (ImuSession *session,
                                       GPtrArray  *streams);
/* {"id","uuid","title","format","streams":[…],"issues":{"CODE":n}} */
JsonNode *imu_cli_json_import_result  (const ImuImportResult *result,
                                       ImuSession            *session);
/* Everything `imu show` says. */
JsonNode *imu_cli_json_session_detail (ImuSession *session,
                                       gint64      n_events,
                                       GPtrArray  *audits);

/* Writes @node, pretty-printed, and a newline on stdout. */
void      imu_cli_json_print          (JsonNode *node);

G_END_DECLS
