/* imu-csv-time.c — reading the time fields of delimited text
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-import"

#include <string.h>

#include "imu-csv-time.h"
#include "imu-time.h"

static inline gboolean
is_blank (char c)
{
  return c == ' ' || c == '\t';
}

static inline gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* The civil-calendar arithmetic below counts 400-year eras starting in
 * March, so that the leap day is the last day of a year and every month
 * length follows from one formula (the method of "chrono-compatible
 * low-level date algorithms", H. Hinnant). */
gint64
imu_csv_days_from_civil (gint64 year, int month, int day)
{
  gint64 y = year - (month <= 2 ? 1 : 0);
  gint64 era = (y >= 0 ? y : y - 399) / 400;
  gint64 yoe = y - era * 400;
  gint64 mp = (month + 9) % 12;
  gint64 doy = (153 * mp + 2) / 5 + day - 1;
  gint64 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

  return era * 146097 + doe - 719468;
}

gboolean
imu_csv_parse_scaled (const char *s,
                      gsize       len,
                      int         scale_digits,
                      gboolean    decimal_comma,
                      gint64     *out,
                      int        *decimals)
{
  return imu_csv_parse_scaled_status (s, len, scale_digits, decimal_comma, out, decimals) == IMU_CSV_TIME_OK;
}

ImuCsvTimeStatus
imu_csv_parse_scaled_status (const char *s,
                             gsize       len,
                             int         scale_digits,
                             gboolean    decimal_comma,
                             gint64     *out,
                             int        *decimals)
{
  const char *p = s;
  const char *e = s + len;
  gboolean neg = FALSE;
  /* The significant digits of the mantissa (leading zeros dropped) and the
   * place of the decimal point after the first @point of them. Only the
   * first 19 + 1 digits can matter: more would overflow an int64, and the
   * rounding looks at one digit only. */
  char digits[24];
  int n_digits = 0;
  int point = 0;
  int n_frac = 0;
  int n_seen = 0;
  int exp10 = 0;
  gboolean has_exp = FALSE;
  int shift;
  guint64 acc = 0;
  char sep = decimal_comma ? ',' : '.';

  g_return_val_if_fail (scale_digits >= 0 && scale_digits <= 18, IMU_CSV_TIME_BAD_SYNTAX);

  while (p < e && is_blank (*p))
    p++;
  while (e > p && is_blank (e[-1]))
    e--;
  if (p < e && (*p == '-' || *p == '+'))
    neg = *p++ == '-';

  for (; p < e && is_digit (*p); p++, n_seen++)
    {
      if (n_digits == 0 && *p == '0')
        continue;
      if (n_digits < (int) sizeof digits)
        digits[n_digits++] = *p;
      point++;
    }
  if (p < e && *p == sep)
    {
      p++;
      for (; p < e && is_digit (*p); p++, n_seen++, n_frac++)
        {
          if (n_digits == 0 && *p == '0')
            {
              point--;
              continue;
            }
          if (n_digits < (int) sizeof digits)
            digits[n_digits++] = *p;
        }
    }
  if (n_seen == 0)
    return IMU_CSV_TIME_BAD_SYNTAX;
  if (p < e && (*p == 'e' || *p == 'E'))
    {
      gboolean eneg = FALSE;
      int ev = 0;
      int en = 0;

      p++;
      if (p < e && (*p == '-' || *p == '+'))
        eneg = *p++ == '-';
      for (; p < e && is_digit (*p); p++, en++)
        if (ev < 100000)
          ev = ev * 10 + (*p - '0');
      if (en == 0)
        return IMU_CSV_TIME_BAD_SYNTAX;
      exp10 = eneg ? -ev : ev;
      has_exp = TRUE;
    }
  if (p != e)
    return IMU_CSV_TIME_BAD_SYNTAX;

  if (n_digits > 0)
    {
      /* How many digits stand left of the scaled point. */
      shift = point + exp10 + scale_digits;
      /* The text is a number, only too large for int64 nanoseconds
       * (beyond 2262 as an epoch time): a time out of range. */
      if (shift > 19)
        return IMU_CSV_TIME_OUT_OF_RANGE;
      for (int i = 0; i < shift; i++)
        {
          char c = i < n_digits ? digits[i] : '0';
          if (acc > (G_MAXUINT64 - 9) / 10)
            return IMU_CSV_TIME_OUT_OF_RANGE;
          acc = acc * 10 + (guint64) (c - '0');
        }
      /* Half away from zero: only the first dropped digit decides. */
      if (shift >= 0 && shift < n_digits && digits[shift] >= '5')
        acc++;
    }
  if (acc > (guint64) G_MAXINT64)
    return IMU_CSV_TIME_OUT_OF_RANGE;
  *out = neg ? -(gint64) acc : (gint64) acc;
  if (decimals != NULL)
    *decimals = has_exp ? -1 : n_frac;
  return IMU_CSV_TIME_OK;
}

/* Reads exactly @n digits at *@p. */
static gboolean
read_fixed (const char **p, const char *e, int n, int *out)
{
  int v = 0;

  if (e - *p < n)
    return FALSE;
  for (int i = 0; i < n; i++)
    {
      char c = (*p)[i];
      if (!is_digit (c))
        return FALSE;
      v = v * 10 + (c - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

/* Reads 1 to @max digits at *@p. */
static gboolean
read_var (const char **p, const char *e, int max, int *out)
{
  int v = 0;
  int n = 0;

  while (*p < e && n < max && is_digit (**p))
    {
      v = v * 10 + (**p - '0');
      (*p)++;
      n++;
    }
  *out = v;
  return n > 0;
}

gboolean
imu_csv_parse_tz_offset (const char *s, gsize len, int *out_s)
{
  const char *p = s;
  const char *e = s + len;
  int hh = 0;
  int mm = 0;
  int sign;

  while (p < e && is_blank (*p))
    p++;
  while (e > p && is_blank (e[-1]))
    e--;
  if (e - p == 1 && (*p == 'Z' || *p == 'z'))
    {
      *out_s = 0;
      return TRUE;
    }
  if (p >= e || (*p != '+' && *p != '-'))
    return FALSE;
  sign = *p++ == '-' ? -1 : 1;
  if (!read_fixed (&p, e, 2, &hh))
    return FALSE;
  if (p < e && *p == ':')
    p++;
  if (p < e && !read_fixed (&p, e, 2, &mm))
    return FALSE;
  if (p != e || hh > 18 || mm > 59)
    return FALSE;
  *out_s = sign * (hh * 3600 + mm * 60);
  return TRUE;
}

static const guint8 days_in_month[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

gboolean
imu_csv_parse_datetime (const char      *s,
                        gsize            len,
                        ImuCsvDateOrder  order,
                        int              default_tz_s,
                        gint64          *out_ns,
                        int             *tz_s,
                        gboolean        *has_tz,
                        int             *decimals)
{
  return imu_csv_parse_datetime_status (s, len, order, default_tz_s, out_ns, tz_s, has_tz,
                                        decimals) == IMU_CSV_TIME_OK;
}

ImuCsvTimeStatus
imu_csv_parse_datetime_status (const char      *s,
                               gsize            len,
                               ImuCsvDateOrder  order,
                               int              default_tz_s,
                               gint64          *out_ns,
                               int             *tz_s,
                               gboolean        *has_tz,
                               int             *decimals)
{
  const char *p = s;
  const char *e = s + len;
  int year = 0, month = 0, day = 0, hh = 0, mi = 0, ss = 0;
  gint64 seconds;
  gint64 frac_ns = 0;
  int n_frac = 0;
  int tz = default_tz_s;
  gboolean tz_found = FALSE;
  gint64 days;

  while (p < e && is_blank (*p))
    p++;
  while (e > p && is_blank (e[-1]))
    e--;

  if (order == IMU_CSV_DATE_ISO)
    {
      char dsep;

      if (!read_fixed (&p, e, 4, &year) || p >= e)
        return IMU_CSV_TIME_BAD_SYNTAX;
      dsep = *p;
      if (dsep != '-' && dsep != '/')
        return IMU_CSV_TIME_BAD_SYNTAX;
      p++;
      if (!read_var (&p, e, 2, &month) || p >= e || *p != dsep)
        return IMU_CSV_TIME_BAD_SYNTAX;
      p++;
      if (!read_var (&p, e, 2, &day))
        return IMU_CSV_TIME_BAD_SYNTAX;
    }
  else
    {
      int first, second;

      if (!read_var (&p, e, 2, &first) || p >= e || *p != '/')
        return IMU_CSV_TIME_BAD_SYNTAX;
      p++;
      if (!read_var (&p, e, 2, &second) || p >= e || *p != '/')
        return IMU_CSV_TIME_BAD_SYNTAX;
      p++;
      if (!read_fixed (&p, e, 4, &year))
        return IMU_CSV_TIME_BAD_SYNTAX;
      month = order == IMU_CSV_DATE_MDY ? first : second;
      day = order == IMU_CSV_DATE_MDY ? second : first;
    }
  if (month < 1 || month > 12 || day < 1 || day > days_in_month[month - 1])
    return IMU_CSV_TIME_BAD_SYNTAX;

  if (p < e)
    {
      if (*p != 'T' && *p != ' ' && *p != 't')
        return IMU_CSV_TIME_BAD_SYNTAX;
      p++;
      while (p < e && *p == ' ')
        p++;
      if (!read_var (&p, e, 2, &hh) || p >= e || *p != ':')
        return IMU_CSV_TIME_BAD_SYNTAX;
      p++;
      if (!read_fixed (&p, e, 2, &mi))
        return IMU_CSV_TIME_BAD_SYNTAX;
      if (p < e && *p == ':')
        {
          p++;
          if (!read_fixed (&p, e, 2, &ss))
            return IMU_CSV_TIME_BAD_SYNTAX;
          if (p < e && (*p == '.' || *p == ','))
            {
              p++;
              while (p < e && is_digit (*p))
                {
                  if (n_frac < 9)
                    frac_ns = frac_ns * 10 + (*p - '0');
                  n_frac++;
                  p++;
                }
              if (n_frac == 0)
                return IMU_CSV_TIME_BAD_SYNTAX;
              for (int i = MIN (n_frac, 9); i < 9; i++)
                frac_ns *= 10;
            }
        }
      /* A leap second (":60") is folded onto the next second. */
      if (hh > 24 || mi > 59 || ss > 60 || (hh == 24 && (mi != 0 || ss != 0 || frac_ns != 0)))
        return IMU_CSV_TIME_BAD_SYNTAX;
      while (p < e && *p == ' ')
        p++;
      if (p < e)
        {
          if (!imu_csv_parse_tz_offset (p, (gsize) (e - p), &tz))
            return IMU_CSV_TIME_BAD_SYNTAX;
          tz_found = TRUE;
          p = e;
        }
    }
  if (p != e)
    return IMU_CSV_TIME_BAD_SYNTAX;
  if (month == 2 && day == 29 && !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
    return IMU_CSV_TIME_BAD_SYNTAX;

  days = imu_csv_days_from_civil (year, month, day);
  seconds = (days * 86400 + hh * 3600 + mi * 60 + ss) - tz;
  /* Four-digit years reach past int64 nanoseconds (2262); IMU Studio
   * represents 1900–2190 (imu-time.h). Outside that, the text is no time
   * it can store: refuse it here rather than let it wrap. */
  /* How the text is written is known even when its instant is out of
   * range: the column is still a date-time column. */
  if (tz_s != NULL)
    *tz_s = tz;
  if (has_tz != NULL)
    *has_tz = tz_found;
  if (decimals != NULL)
    *decimals = n_frac;
  if (seconds < IMU_TIME_MIN_NS / IMU_NS_PER_S || seconds > IMU_TIME_MAX_NS / IMU_NS_PER_S
      || !imu_time_in_range (seconds * IMU_NS_PER_S + frac_ns))
    return IMU_CSV_TIME_OUT_OF_RANGE;
  *out_ns = seconds * IMU_NS_PER_S + frac_ns;
  return IMU_CSV_TIME_OK;
}

gboolean
imu_csv_looks_like_datetime (const char *s, gsize len, ImuCsvDateOrder *order)
{
  static const ImuCsvDateOrder orders[] = { IMU_CSV_DATE_ISO, IMU_CSV_DATE_MDY, IMU_CSV_DATE_DMY };
  gint64 ns;

  /* A date outside 1900–2190 is still written as a date: its column is a
   * time column whose lines are then refused as E_TIME_RANGE, rather than
   * a text column skipped in silence. */
  for (guint i = 0; i < G_N_ELEMENTS (orders); i++)
    if (imu_csv_parse_datetime_status (s, len, orders[i], 0, &ns, NULL, NULL, NULL) != IMU_CSV_TIME_BAD_SYNTAX)
      {
        if (order != NULL)
          *order = orders[i];
        return TRUE;
      }
  return FALSE;
}
