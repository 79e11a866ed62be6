/* imu-stream-info.h — description of a stream and its channels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * ImuTimeKind:
 *
 * How the source wrote its time column, so that an export can write it the
 * same way. Timestamps are always stored as int64 ns since the Unix epoch.
 */
typedef enum {
  IMU_TIME_NONE = 0,      /* no time column: times come from a start and a rate */
  IMU_TIME_EPOCH_S,       /* seconds since the epoch, "1551178506.0100" */
  IMU_TIME_EPOCH_MS,
  IMU_TIME_EPOCH_US,
  IMU_TIME_EPOCH_NS,
  IMU_TIME_RELATIVE_S,    /* seconds since the start of the recording */
  IMU_TIME_RELATIVE_MS,
  IMU_TIME_ISO8601,       /* "2019-10-16T12:09:01.702+02:00" */
  IMU_TIME_DATETIME,      /* "2019-12-23 21:04:06.690" (local or UTC wall clock) */
} ImuTimeKind;

const char  *imu_time_kind_to_string   (ImuTimeKind kind);
ImuTimeKind  imu_time_kind_from_string (const char *str);
/* Like imu_time_kind_from_string(), but FALSE for a name this build does
 * not know (from outside: a bundle of a newer IMU Studio). */
gboolean     imu_time_kind_parse       (const char *str,
                                        ImuTimeKind *out);

/**
 * ImuTimeFormat:
 * @kind: how time was written
 * @decimals: digits after the decimal point in the source (-1 unknown)
 * @tz_offset_s: offset of the source's clock from UTC, in seconds, for
 *   ISO 8601 and wall-clock times (times are stored in UTC)
 * @origin_ns: for relative times, the epoch time of relative zero
 * @column: (nullable): the header of the time column in the source
 */
typedef struct {
  ImuTimeKind  kind;
  int          decimals;
  int          tz_offset_s;
  gint64       origin_ns;
  char        *column;
} ImuTimeFormat;

typedef struct {
  char   *name;        /* "x", "Acc_X", "accelerationX" */
  char   *unit;        /* "g", "m/s^2", "deg/s", "" when unknown */
  char   *kind;        /* "accel", "gyro", "mag", "orientation", "other"; NULL unknown */
  int     decimals;    /* fixed decimals of the source text, -1 when variable */
  double  range_min;   /* sensor range, NAN when unknown */
  double  range_max;
} ImuChannelInfo;

/**
 * ImuStreamInfo:
 *
 * A stream: channels that share timestamps. Boxed; owned strings.
 */
typedef struct {
  gint64          id;             /* 0 until stored */
  gint64          session_id;
  char           *name;           /* unique within a session: "accelerometer" */
  char           *kind;           /* "accel", "gyro", "mag", "orientation", "mixed", "other" */
  double          nominal_rate_hz;/* 0 when unknown */
  guint           n_channels;
  ImuChannelInfo *channels;
  ImuTimeFormat   time_format;
  gint64          n_samples;      /* filled by the store */
  gint64          t_first_ns;
  gint64          t_last_ns;
} ImuStreamInfo;

#define IMU_TYPE_STREAM_INFO (imu_stream_info_get_type ())
GType           imu_stream_info_get_type    (void) G_GNUC_CONST;
ImuStreamInfo  *imu_stream_info_new         (const char *name,
                                             guint       n_channels);
ImuStreamInfo  *imu_stream_info_copy        (const ImuStreamInfo *info);
void            imu_stream_info_free        (ImuStreamInfo *info);
void            imu_stream_info_set_channel (ImuStreamInfo *info,
                                             guint          index,
                                             const char    *name,
                                             const char    *unit,
                                             const char    *kind);
int             imu_stream_info_find_channel (const ImuStreamInfo *info,
                                              const char          *name);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuStreamInfo, imu_stream_info_free)

/* Guesses a sensor kind ("accel", "gyro", "mag", "orientation") from a unit
 * and a column name; returns NULL when nothing fits. */
const char *imu_guess_channel_kind (const char *name,
                                    const char *unit);

G_END_DECLS
