/* imu-csv-layout.h — what the columns of a delimited text file mean (private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-csv-dialect.h"
#include "imu-stream-info.h"

G_BEGIN_DECLS

/* A stated rate the data's differs from by more than this (a fraction)
 * is W_RATE_MISMATCH. */
#define IMU_CSV_RATE_TOLERANCE 0.05

typedef enum {
  IMU_CSV_COL_SKIP,      /* text, empty, index or redundant time columns */
  IMU_CSV_COL_TIME,
  IMU_CSV_COL_VALUE,
} ImuCsvColRole;

typedef enum {
  IMU_CSV_TIME_SCALED,     /* a decimal number × 10^scale ns, plus the origin */
  IMU_CSV_TIME_DATETIME,   /* ISO 8601 or a wall-clock date and time */
  IMU_CSV_TIME_COUNTER_US, /* Movella SampleTimeFine: µs of a clock that wraps at 2^32 */
  IMU_CSV_TIME_RATE,       /* no time column: origin + row index / rate */
} ImuCsvTimeMode;

typedef struct {
  ImuCsvColRole role;
  guint         value;       /* VALUE: index in the row's values (streams back to back) */
  guint         fill_group;  /* VALUE: which packet kind fills it (sparse files) */
  char         *label;       /* for messages: the header field, or "3" */
  char         *skip_reason; /* SKIP: why (for the log and the docs) */
  char         *label_value; /* SKIP of a label column: its one value in the head, else NULL */
} ImuCsvColumn;

typedef struct {
  ImuStreamInfo *info;        /* what to create (session_id unset) */
  guint          first_value; /* its first channel in the row's values */
  guint          fill_group;
} ImuCsvStream;

/**
 * ImuCsvHints:
 *
 * What a multi-file export (Sensor Logger, phyphox) knows about one of its
 * files that the file itself does not say.
 */
typedef struct {
  const char   *stream_hint;   /* "accelerometer": name of a one-sensor file's stream */
  ImuCsvFlavor  flavor;        /* GENERIC unless the folder says */
  double        rate_hz;       /* nominal rate from metadata, 0 when unknown */
  gboolean      has_origin;    /* relative times start at origin_ns */
  gint64        origin_ns;
  const char   *accel_unit;    /* unit of acceleration when files do not say */
  double        progress_scale;/* progress bytes per byte read (archives), 0 for 1 */
  char          format[32];    /* out: the format detected ("sensorlogger") */
} ImuCsvHints;

/* A finding about the whole file, counted once under its issue code at
 * its line (the header, or the first data line). */
typedef struct {
  const char *code;
  gint64      line;
} ImuCsvFileIssue;

typedef struct {
  guint            n_columns;
  ImuCsvColumn    *columns;
  int              time_column;    /* -1 when none */
  ImuCsvTimeMode   time_mode;
  int              time_scale;     /* SCALED: 9 s, 6 ms, 3 µs, 0 ns */
  gint64           origin_ns;      /* added to SCALED and COUNTER times; start of RATE */
  double           rate_hz;        /* RATE */
  ImuCsvDateOrder  date_order;
  int              tz_offset_s;    /* DATETIME without an offset; session tz */
  gboolean         has_tz;         /* tz_offset_s is known (written or from metadata) */
  gboolean         relative;       /* no epoch: times count from origin_ns */
  ImuTimeFormat    time_format;    /* column owned */

  GPtrArray       *streams;        /* (element-type ImuCsvStream) */
  guint            n_values;
  guint            n_fill_groups;
  gboolean         sparse;         /* rows fill only some groups */
  char            *format;         /* "csv", "sensorlogger", … */
  char            *note;           /* for the session notes, nullable */
  int              device_column;  /* names the device of each row (interleaved devices), else -1 */
  GArray          *issues;         /* (element-type ImuCsvFileIssue) */
} ImuCsvLayout;

void     imu_csv_layout_clear (ImuCsvLayout *layout);

/**
 * imu_csv_layout_build:
 * @dialect: what sniffing found (header and first rows)
 * @file_name: the file's base name, for stream names ("Accelerometer.csv")
 * @hints: (nullable): what a folder knows about the file
 *
 * Maps columns to a time base and to streams of named channels with units
 * and kinds. Fails with %IMU_IMPORT_ERROR_BAD_HEADER when no column holds
 * numbers to import.
 */
gboolean imu_csv_layout_build (const ImuCsvDialect  *dialect,
                               const char           *file_name,
                               const ImuCsvHints    *hints,
                               ImuCsvLayout         *layout,
                               GError              **error);

/* "Acceleration x (m/s^2)" → name "Acceleration x", unit "m/s^2". */
void     imu_csv_split_unit   (const char  *header,
                               char       **name,
                               char       **unit);

/* "accelerationX" → prefix "acceleration", axis 'x'; FALSE for no axis. */
gboolean imu_csv_axis_split   (const char  *name,
                               char       **prefix,
                               char        *axis);

/* Sensor Logger (the CSV importer and the recorder's push source): the
 * unit it gives a channel of a sensor of @kind ("accel", "gyro", "mag",
 * "orientation"; @is_axis for a vector's axis such as qx, NULL @accel_unit
 * for its standardised m/s²), "" when it gives none. */
const char *imu_csv_sensorlogger_unit   (const char  *kind,
                                         gboolean     is_axis,
                                         const char  *accel_unit);
/* The stream name and kind of a Sensor Logger sensor, by its file's base
 * name or a pushed message's name ("Accelerometer", "gyroscope"); FALSE
 * for a sensor the table does not know. */
gboolean    imu_csv_sensorlogger_sensor (const char  *name,
                                         const char **stream,
                                         const char **kind);

G_END_DECLS
