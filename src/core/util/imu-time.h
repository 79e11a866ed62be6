/* imu-time.h — the times IMU Studio represents, and arithmetic on them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Sample times are int64 nanoseconds since the Unix epoch (UTC). int64
 * reaches from 1677 to 2262, but the difference of two such times does not
 * fit in int64. IMU Studio therefore represents times from 1900-01-01 to
 * 2190-01-01 (UTC), 290 years: the difference of any two of them fits, and
 * so does a time plus any window, epoch or gap of up to 70 years. A time
 * outside that range is refused where it enters (an import line, a
 * bundle, a live source) with its own issue or error code; inside the core,
 * arithmetic on times uses the saturating helpers below where an operand
 * can be large. docs/library.md states the range.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IMU_NS_PER_SECOND G_GINT64_CONSTANT (1000000000)
/* 1900-01-01T00:00:00Z and 2190-01-01T00:00:00Z */
#define IMU_TIME_MIN_NS   (G_GINT64_CONSTANT (-2208988800) * IMU_NS_PER_SECOND)
#define IMU_TIME_MAX_NS   (G_GINT64_CONSTANT (6942585600) * IMU_NS_PER_SECOND)

static inline gboolean
imu_time_in_range (gint64 t_ns)
{
  return t_ns >= IMU_TIME_MIN_NS && t_ns <= IMU_TIME_MAX_NS;
}

/* a + b, clamped to the int64 range instead of wrapping. */
static inline gint64
imu_time_add_sat (gint64 a, gint64 b)
{
  gint64 r;

  if (__builtin_add_overflow (a, b, &r))
    return b > 0 ? G_MAXINT64 : G_MININT64;
  return r;
}

/* a - b, clamped to the int64 range instead of wrapping. */
static inline gint64
imu_time_sub_sat (gint64 a, gint64 b)
{
  gint64 r;

  if (__builtin_sub_overflow (a, b, &r))
    return b < 0 ? G_MAXINT64 : G_MININT64;
  return r;
}

/**
 * imu_time_window_locate:
 * @t0: where window 0 begins
 * @len_ns: the windows' length (> 0)
 * @t: a time
 * @idx: (out): the window that holds @t (negative before @t0)
 * @begin: (out): its start
 * @end: (out): its end (exclusive), clamped to G_MAXINT64
 *
 * Epochs, flat-line windows and the like: which window of a grid holds @t,
 * for any two int64 times (their difference may not fit in int64).
 */
static inline void
imu_time_window_locate (gint64  t0,
                        gint64  len_ns,
                        gint64  t,
                        gint64 *idx,
                        gint64 *begin,
                        gint64 *end)
{
  __int128 d = (__int128) t - t0;
  __int128 w = d >= 0 ? d / len_ns : -((-d + len_ns - 1) / len_ns);
  __int128 b = (__int128) t0 + w * len_ns;
  __int128 e = b + len_ns;

  *idx = (gint64) w;   /* |w| ≤ 2^64 / len_ns: fits for any len_ns ≥ 2 */
  *begin = b < G_MININT64 ? G_MININT64 : (gint64) b;
  *end = e > G_MAXINT64 ? G_MAXINT64 : (gint64) e;
}

G_END_DECLS
