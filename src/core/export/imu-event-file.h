/* imu-event-file.h — a session's events as CSV or JSON Lines, both ways
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `imu event export` writes, `imu event import` reads; the format is in
 * docs/cli.md ("Event files"). Times are written twice — absolute (ISO 8601,
 * UTC) and from the session's start (h:mm:ss.fff) — and read from either.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "imu-store.h"

G_BEGIN_DECLS

#define IMU_EVENT_FILE_ERROR (imu_event_file_error_quark ())

typedef enum {
  IMU_EVENT_FILE_ERROR_READ,       /* the file cannot be opened or read */
  IMU_EVENT_FILE_ERROR_SYNTAX,     /* a line is not CSV / JSON as described */
  IMU_EVENT_FILE_ERROR_TIME,       /* a time or duration cannot be read, or is out of range */
  IMU_EVENT_FILE_ERROR_MISSING,    /* a column or member the events need is absent */
} ImuEventFileError;

GQuark imu_event_file_error_quark (void);

typedef enum {
  IMU_EVENT_FILE_CSV,
  IMU_EVENT_FILE_JSONL,
} ImuEventFileFormat;

/* JSON Lines for *.jsonl, *.ndjson and *.json, else CSV. */
ImuEventFileFormat imu_event_file_format_for_name (const char *name);

/**
 * imu_event_time_parse:
 * @text: "1:02:03.250" or "62.25" (from the session's start: h:mm:ss.fff,
 *   m:ss.fff or seconds) or ISO 8601 ("2024-05-01T10:00:00.5Z"; without
 *   an offset, local time)
 * @session_start_ns: where relative times count from
 * @t_ns: (out): the instant
 *
 * Returns: %FALSE with %IMU_EVENT_FILE_ERROR_TIME when @text is none of
 *   these or lies outside the times IMU Studio represents (imu-time.h)
 */
gboolean   imu_event_time_parse      (const char  *text,
                                      gint64       session_start_ns,
                                      gint64      *t_ns,
                                      GError     **error);
/* "1:02:03.250" or "2.5" seconds → ns ≥ 0; %FALSE with
 * %IMU_EVENT_FILE_ERROR_TIME otherwise. */
gboolean   imu_event_duration_parse  (const char  *text,
                                      gint64      *duration_ns,
                                      GError     **error);
/* "0:01:02.250" (hours always, ms always; negative with a "-"). */
char      *imu_event_format_offset   (gint64       offset_ns);

/* An event's note: the "note" member of its payload, or %NULL. */
char      *imu_event_dup_note        (const ImuEvent *event);
/* Sets (or with %NULL or "" removes) the note, keeping other payload members. */
void       imu_event_set_note        (ImuEvent       *event,
                                      const char     *note);

/* Adds an event's members to an object being built: time (ISO 8601 UTC),
 * offset (from @session_start_ns), t_ns, duration_s, kind, label and,
 * when it has one, note. What a JSON Lines line holds. */
void       imu_event_build_json      (JsonBuilder    *builder,
                                      const ImuEvent *event,
                                      gint64          session_start_ns);

/**
 * imu_event_file_write:
 * @events: (element-type ImuEvent): by time
 *
 * Writes the events, one line each, after a header line for CSV
 * (`time,offset,duration_s,kind,label,note`). Blocking.
 */
gboolean   imu_event_file_write      (GOutputStream       *out,
                                      ImuEventFileFormat   format,
                                      GPtrArray           *events,
                                      gint64               session_start_ns,
                                      GCancellable        *cancellable,
                                      GError             **error);

/**
 * imu_event_file_read:
 * @path: a CSV file with a header naming `time` or `offset` (and
 *   optionally `duration_s` or `duration`, `kind`, `label`, `note`), or
 *   JSON Lines of objects with `time` or `offset` (or `t_ns`), …
 *
 * Reads every event or none: the first bad line fails the whole file, its
 * message naming "FILE:LINE:COLUMN". Blocking.
 *
 * Returns: (transfer container) (element-type ImuEvent): the events
 *   (session_id 0, id 0), or %NULL with @error set
 */
GPtrArray *imu_event_file_read       (const char   *path,
                                      gint64        session_start_ns,
                                      GCancellable *cancellable,
                                      GError      **error);

G_END_DECLS
