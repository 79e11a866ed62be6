/* imu-csv-time.h — reading the time fields of delimited text (private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IMU_NS_PER_S G_GINT64_CONSTANT (1000000000)

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1–12). */
gint64   imu_csv_days_from_civil   (gint64 year, int month, int day);

/**
 * imu_csv_parse_scaled:
 * @s: a decimal number ("1551178506.0100", "-0.5", "1.5e3")
 * @scale_digits: the result is @s × 10^@scale_digits (9: seconds → ns)
 * @decimal_comma: whether ',' is the decimal separator
 * @out: the value, rounded half away from zero to an integer
 * @decimals: (nullable): digits written after the separator, -1 with an
 *   exponent
 *
 * The slow but general path for time fields: digits beyond @scale_digits
 * are rounded rather than refused (a relative time written with 15
 * decimals), and an exponent ("1.581431236798E9", phyphox) is applied
 * exactly, without a double. Leading and trailing blanks are allowed.
 */
gboolean imu_csv_parse_scaled      (const char *s,
                                    gsize       len,
                                    int         scale_digits,
                                    gboolean    decimal_comma,
                                    gint64     *out,
                                    int        *decimals);

/**
 * ImuCsvTimeStatus:
 * @IMU_CSV_TIME_OK: read
 * @IMU_CSV_TIME_BAD_SYNTAX: not a time (E_TIME_PARSE)
 * @IMU_CSV_TIME_OUT_OF_RANGE: a well-formed time that IMU Studio cannot
 *   represent: a number beyond int64 nanoseconds, or a date outside
 *   1900–2190 (imu-time.h; E_TIME_RANGE)
 *
 * Why a time field was not read, so that a line can say which it was.
 */
typedef enum {
  IMU_CSV_TIME_OK,
  IMU_CSV_TIME_BAD_SYNTAX,
  IMU_CSV_TIME_OUT_OF_RANGE,
} ImuCsvTimeStatus;

/* imu_csv_parse_scaled () that says why it failed: a number whose scaled
 * value does not fit in int64 is %IMU_CSV_TIME_OUT_OF_RANGE. */
ImuCsvTimeStatus imu_csv_parse_scaled_status (const char *s,
                                              gsize       len,
                                              int         scale_digits,
                                              gboolean    decimal_comma,
                                              gint64     *out,
                                              int        *decimals);

/**
 * ImuCsvDateOrder:
 *
 * How a date is written: ISO ("2019-10-16", "2019/10/16"), with the
 * month first ("6/1/2020", ActiLife's "M/d/yyyy") or the day first
 * ("1/6/2020", ActiLife's "d/M/yyyy").
 */
typedef enum {
  IMU_CSV_DATE_ISO,
  IMU_CSV_DATE_MDY,
  IMU_CSV_DATE_DMY,
} ImuCsvDateOrder;

/**
 * imu_csv_parse_datetime:
 * @order: how the date is written
 * @default_tz_s: the offset from UTC to assume when the text has none
 * @out_ns: the instant, in ns since the Unix epoch (UTC)
 * @tz_s: (nullable): the offset written in the text, or @default_tz_s
 * @has_tz: (nullable): whether the text carried an offset ("Z", "+02:00")
 * @decimals: (nullable): digits of the fraction of a second (0 when none)
 *
 * Reads "2019-10-16T12:09:01.702+02:00", "2019-12-23 21:04:06.690",
 * "2019-12-23 21:04:06,690Z", "6/1/2020 10:00:00.033". Fractions finer
 * than a nanosecond are truncated.
 */
gboolean imu_csv_parse_datetime    (const char      *s,
                                    gsize            len,
                                    ImuCsvDateOrder  order,
                                    int              default_tz_s,
                                    gint64          *out_ns,
                                    int             *tz_s,
                                    gboolean        *has_tz,
                                    int             *decimals);

/* imu_csv_parse_datetime () that says why it failed: a valid date and
 * time outside 1900–2190 is %IMU_CSV_TIME_OUT_OF_RANGE. */
ImuCsvTimeStatus imu_csv_parse_datetime_status (const char      *s,
                                                gsize            len,
                                                ImuCsvDateOrder  order,
                                                int              default_tz_s,
                                                gint64          *out_ns,
                                                int             *tz_s,
                                                gboolean        *has_tz,
                                                int             *decimals);

/* Whether @s looks like a date-time the function above reads (cheap). */
gboolean imu_csv_looks_like_datetime (const char *s, gsize len, ImuCsvDateOrder *order);

/* Reads a tz offset "+02:00", "-0530", "Z", "+01:00" → seconds east of UTC. */
gboolean imu_csv_parse_tz_offset   (const char *s, gsize len, int *out_s);

G_END_DECLS
