/* imu-record-source.h — a live source of samples for the recorder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sources sit behind this one interface, one file each, and one table
 * (imu_record_source_table()) names them, as the importers' registry does:
 * `imu record --source SCHEME:ARGUMENT` and the app pick a row by its
 * scheme, and the recorder never knows which source it runs.
 */
#pragma once

#include <gio/gio.h>

#include "imu-recorder.h"

G_BEGIN_DECLS

#define IMU_TYPE_RECORD_SOURCE (imu_record_source_get_type ())
G_DECLARE_INTERFACE (ImuRecordSource, imu_record_source, IMU, RECORD_SOURCE, GObject)

struct _ImuRecordSourceInterface
{
  GTypeInterface parent_iface;

  /* Starts receiving (a thread of the source's own) and hands what comes
   * to @recorder; returns once it listens or plays. */
  gboolean (*start)       (ImuRecordSource  *self,
                           ImuRecorder      *recorder,
                           GError          **error);
  /* Stops; no append() follows once it returns. Closes what it listens on. */
  void     (*stop)        (ImuRecordSource  *self);
  /* What to show the user: the URL to type into a phone, the port… */
  char    *(*dup_address) (ImuRecordSource  *self);
  /* Whether the source has nothing more to give (a replay at its end). */
  gboolean (*is_done)     (ImuRecordSource  *self);
};

/**
 * ImuRecordSourceOptions:
 * @speed: replay: times real time (0 means 1)
 * @csv_header: (nullable): udp: the CSV header when the sender sends none
 * @library_path: (nullable): replay: the library whose sessions it replays
 * @start: phyphox: start the phone's experiment when it is not measuring
 *   (and stop it at the end)
 */
typedef struct {
  double      speed;
  const char *csv_header;
  const char *library_path;
  gboolean    start;
} ImuRecordSourceOptions;

/**
 * ImuRecordSourceKind:
 * @scheme: what precedes the colon in a spec ("udp"); stable
 * @usage: the spec's shape ("udp:PORT"), for help texts
 * @description: one line, marked with N_()
 * @per_device: a session per device as devices appear (no session begins
 *   with the recording)
 * @create: makes a source from the spec's argument (after the colon;
 *   NULL when there is none)
 */
typedef struct {
  const char       *scheme;
  const char       *usage;
  const char       *description;
  gboolean          per_device;
  ImuRecordSource *(*create) (const char                   *argument,
                              const ImuRecordSourceOptions *options,
                              GError                      **error);
} ImuRecordSourceKind;

/* The sources, NULL-terminated, in the order help lists them. */
const ImuRecordSourceKind * const *imu_record_source_table (void);

/**
 * imu_record_source_new:
 * @spec: "udp:9000", "sensorlogger", "sensorlogger:8000", "replay:PATH"
 * @kind: (out) (optional): its row of the table
 *
 * Returns: (transfer full): a source, not started, or %NULL with
 *   %IMU_RECORD_ERROR_SOURCE
 */
ImuRecordSource *imu_record_source_new         (const char                   *spec,
                                                const ImuRecordSourceOptions *options,
                                                const ImuRecordSourceKind   **kind,
                                                GError                      **error);

gboolean         imu_record_source_start       (ImuRecordSource  *self,
                                                ImuRecorder      *recorder,
                                                GError          **error);
void             imu_record_source_stop        (ImuRecordSource  *self);
char            *imu_record_source_dup_address (ImuRecordSource  *self);
gboolean         imu_record_source_is_done     (ImuRecordSource  *self);

/* The rows (one file each). */
extern const ImuRecordSourceKind imu_record_source_udp;
extern const ImuRecordSourceKind imu_record_source_sensorlogger;
extern const ImuRecordSourceKind imu_record_source_replay;
extern const ImuRecordSourceKind imu_record_source_serial;
extern const ImuRecordSourceKind imu_record_source_phyphox;

/* The serial ports of this computer (/dev/ttyUSB0, /dev/ttyACM0, …), sorted,
 * as libserialport lists them. (element-type utf8) Blocking (reads /sys). */
GPtrArray       *imu_record_serial_list     (void);
/* What a port is ("USB serial — Arduino Uno (2341:0043)"), or NULL when
 * nothing is known. Blocking (reads /sys). */
char            *imu_record_serial_describe (const char *port);

/* Parses one text line of numbers or JSON into @recorder (imu-record-lines.c),
 * shared by the text sources: see ImuRecordLines. */
typedef struct _ImuRecordLines ImuRecordLines;

/* @name: the stream of CSV lines ("udp", "serial"); @csv_header: (nullable) */
ImuRecordLines  *imu_record_lines_new   (ImuRecorder  *recorder,
                                         const char   *name,
                                         const char   *csv_header);
void             imu_record_lines_free  (ImuRecordLines *lines);
/* One line, without its line end. Never fails: what it cannot read is an
 * issue of the recording. */
void             imu_record_lines_feed  (ImuRecordLines *lines,
                                         const char     *line,
                                         gsize           len);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuRecordLines, imu_record_lines_free)

G_END_DECLS
