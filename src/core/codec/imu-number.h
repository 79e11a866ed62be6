/* imu-number.h — exact, fast number parsing and formatting
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * imu_number_parse:
 * @s: start of the field (not NUL-terminated)
 * @len: length of the field
 * @decimal_comma: %TRUE when ',' is the decimal separator ("0,981")
 * @out: the parsed value
 * @decimals: (nullable): number of digits after the decimal separator
 *   that were written (0 when none; -1 when the field used an exponent or
 *   was inf/nan)
 *
 * Parses a decimal number the way strtod would in the C locale, with the
 * correctly rounded result (bit-identical to g_ascii_strtod), but fast for
 * the common case of ≤ 19 significant digits. Accepts optional leading and
 * trailing spaces, a sign, digits with an optional fraction, an optional
 * exponent, and "inf", "infinity", "nan" (any case). Rejects anything else,
 * including an empty field. Does not allocate; thread-safe.
 *
 * Returns: %TRUE when the whole field is one number
 */
gboolean imu_number_parse (const char *s,
                           gsize       len,
                           gboolean    decimal_comma,
                           double     *out,
                           int        *decimals);

/**
 * imu_number_format:
 * @buf: at least %IMU_NUMBER_BUF_SIZE bytes
 * @value: the number
 * @decimals: write exactly this many decimals (%.Nf) when ≥ 0 and that text
 *   parses back to the same double; otherwise (or when -1) write the
 *   shortest text that parses back to the same double.
 *
 * Formats a double for CSV so that imu_number_parse() of the result gives
 * back the identical bits (NaN is written "NaN", infinities "Inf"/"-Inf",
 * negative zero "-0" or "-0.000"). Thread-safe.
 *
 * Returns: the number of bytes written (not counting the NUL)
 */
#define IMU_NUMBER_BUF_SIZE 64
gsize imu_number_format (char   *buf,
                         double  value,
                         int     decimals);

/**
 * imu_number_parse_int64_decimal:
 * @s: the field
 * @len: its length
 * @scale_digits: how many decimal digits the result is scaled by (e.g. 9 to
 *   turn seconds into nanoseconds)
 * @out: the value × 10^scale_digits, exactly (excess digits beyond
 *   @scale_digits must be zeros, else the parse fails)
 * @decimals: (nullable): digits written after the decimal point
 *
 * Parses a non-exponent decimal like "1551178506.0100" into an exact
 * integer (here 1551178506010000000 with scale 9) without going through a
 * double. Used for time columns so that timestamps keep every digit.
 */
gboolean imu_number_parse_int64_decimal (const char *s,
                                         gsize       len,
                                         int         scale_digits,
                                         gint64     *out,
                                         int        *decimals);

/**
 * imu_number_format_int64_decimal:
 *
 * Inverse of imu_number_parse_int64_decimal(): writes @value / 10^@scale_digits
 * with exactly @decimals digits after the point (0 = no point). Truncation of
 * non-zero digits never happens silently: when @value has more precision than
 * @decimals shows, more digits are written (up to @scale_digits).
 */
gsize imu_number_format_int64_decimal (char   *buf,
                                       gint64  value,
                                       int     scale_digits,
                                       int     decimals);

G_END_DECLS
