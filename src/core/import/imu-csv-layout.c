/* imu-csv-layout.c — what the columns of a delimited text file mean
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "imu-csv-layout.h"
#include "imu-import.h"
#include "imu-number.h"
#include "imu-stream-writer.h"
#include "imu-time.h"

typedef enum {
  CT_EMPTY,
  CT_NUMERIC,
  CT_DATETIME,
  CT_TEXT,
} ColType;

typedef struct {
  const char     *header;     /* borrowed; NULL when headerless */
  char           *name;
  char           *unit;
  char           *lname;      /* name, lower case */
  ColType         type;
  guint           n_filled;
  gboolean        has_num;
  double          first_num;
  int             decimals;   /* -2 none seen, -1 varying */
  gboolean        nondecreasing;
  gboolean        integer;
  ImuCsvDateOrder date_order;
  gboolean        dt_has_tz;
  int             dt_tz;
  gboolean        dt_has_t;
  int             dt_decimals;
  ImuCsvColRole   role;
  const char     *skip_reason;
  guint           fill_group;
  char           *prefix;     /* vector prefix, lower case */
  char           *prefix_raw; /* as written */
  gboolean        is_axis;
  const char     *kind;
  int             stream;
  gboolean        constant;   /* every filled field of the first rows has one text */
  char           *const_text; /* that text (the first field), owned */
} Col;

/* A sensor known by the name of its file (Sensor Logger, Empatica, …). */
typedef struct {
  const char *file;       /* base name, lower case, without ".csv" */
  const char *stream;     /* stream name */
  const char *kind;
  const char *unit;       /* NULL: the export's acceleration unit */
} KnownSensor;

static const KnownSensor known_sensors[] = {
  { "accelerometer", "accelerometer", "accel", NULL },
  { "acc", "accelerometer", "accel", NULL },
  { "accel", "accelerometer", "accel", NULL },
  { "totalacceleration", "total acceleration", "accel", NULL },
  { "gravity", "gravity", "accel", NULL },
  { "accelerometeruncalibrated", "accelerometer uncalibrated", "accel", NULL },
  { "gyroscope", "gyroscope", "gyro", "rad/s" },
  { "gyroscopeuncalibrated", "gyroscope uncalibrated", "gyro", "rad/s" },
  { "gyro", "gyroscope", "gyro", NULL },
  { "gyr", "gyroscope", "gyro", NULL },
  { "magnetometer", "magnetometer", "mag", "µT" },
  { "magnetometeruncalibrated", "magnetometer uncalibrated", "mag", "µT" },
  { "mag", "magnetometer", "mag", NULL },
  { "watchmagnetometer", "watch magnetometer", "mag", "µT" },
  { "orientation", "orientation", "orientation", NULL },
};

/* Units of every sensor file Sensor Logger writes, on iOS and Android
 * (awesome-sensor-logger UNITS.md): by file and column (a vector's
 * prefix, or the column's name), lower case. "*" is any column. RAW is
 * the platform's unit of Core Motion's raw accelerations: g on iOS
 * unless "Standardise Units & Frames" is on, m/s² on Android; the other
 * accelerations are m/s² on both. */
#define SL_RAW_ACCEL "raw-accel"
#define SL_RAW_PRESSURE "raw-pressure"
static const struct { const char *file; const char *column; const char *unit; } sensorlogger_units[] = {
  { "accelerometer", "*", "m/s^2" },
  { "totalacceleration", "*", "m/s^2" },
  { "gravity", "*", "m/s^2" },
  { "accelerometeruncalibrated", "*", SL_RAW_ACCEL },
  { "gyroscope", "*", "rad/s" },
  { "gyroscopeuncalibrated", "*", "rad/s" },
  { "magnetometer", "*", "µT" },
  { "magnetometeruncalibrated", "*", "µT" },
  { "watchmagnetometer", "*", "µT" },
  { "orientation", "q", "" },
  { "orientation", "qx", "" }, { "orientation", "qy", "" }, { "orientation", "qz", "" }, { "orientation", "qw", "" },
  { "orientation", "roll", "rad" }, { "orientation", "pitch", "rad" }, { "orientation", "yaw", "rad" },
  { "barometer", "relativealtitude", "m" },
  { "barometer", "pressure", "hPa" },
  { "watchbarometer", "relativealtitude", "m" },
  { "watchbarometer", "pressure", SL_RAW_PRESSURE },
  { "compass", "magneticbearing", "deg" },
  { "watchcompass", "magneticbearing", "deg" },
  { "microphone", "dbfs", "dBFS" },
  { "watchmicrophone", "dbfs", "dBFS" },
  { "light", "lux", "lx" },
  { "heartrate", "bpm", "bpm" },
  { "pedometer", "steps", "" },
  { "batterytemp", "temperature", "°C" },
  { "battery", "voltage", "V" },
  { "battery", "chargingcurrent", "mA" },
  { "battery", "batterylevel", "" },
  { "location", "latitude", "deg" }, { "location", "longitude", "deg" },
  { "location", "altitude", "m" }, { "location", "altitudeabovemeansealevel", "m" },
  { "location", "bearing", "deg" }, { "location", "bearingaccuracy", "deg" },
  { "location", "horizontalaccuracy", "m" }, { "location", "verticalaccuracy", "m" },
  { "location", "speed", "m/s" }, { "location", "speedaccuracy", "m/s" },
  { "watchlocation", "latitude", "deg" }, { "watchlocation", "longitude", "deg" },
  { "watchlocation", "altitude", "m" }, { "watchlocation", "ellipsoidalaltitude", "m" },
  { "watchlocation", "course", "deg" }, { "watchlocation", "courseaccuracy", "deg" },
  { "watchlocation", "horizontalaccuracy", "m" }, { "watchlocation", "verticalaccuracy", "m" },
  { "watchlocation", "speed", "m/s" }, { "watchlocation", "speedaccuracy", "m/s" },
  { "wristmotion", "rotationrate", "rad/s" },
  { "wristmotion", "gravity", SL_RAW_ACCEL },
  { "wristmotion", "acceleration", SL_RAW_ACCEL },
  { "wristmotion", "quaternion", "" },
  { "wristmotion", "roll", "rad" }, { "wristmotion", "pitch", "rad" }, { "wristmotion", "yaw", "rad" },
  { "headphone", "rotationrate", "rad/s" },
  { "headphone", "gravity", "m/s^2" },
  { "headphone", "acceleration", SL_RAW_ACCEL },
  { "headphone", "quaternion", "" },
  { "headphone", "roll", "rad" }, { "headphone", "pitch", "rad" }, { "headphone", "yaw", "rad" },
};

/* Sensors a MetaWear / MetaBase export names in its file name, one
 * "_"-separated word among others: "…_C4BB0C4DE8E2_Gyroscope_25.000Hz_1.4.4.csv". */
static const KnownSensor metawear_sensors[] = {
  { "accelerometer", "accelerometer", "accel", "g" },
  { "gyroscope", "gyroscope", "gyro", "deg/s" },
  { "magnetometer", "magnetometer", "mag", "µT" },
  { "linearacceleration", "linear acceleration", "accel", "g" },
  { "gravity", "gravity", "accel", "g" },
  { "quaternion", "quaternion", "orientation", "" },
  { "eulerangles", "euler angles", "orientation", "deg" },
};

/* Units of MicroStrain MSCL channel fields (3DM-CX5 data sheet and MSCL
 * field names): the log does not write them. */
static const struct { const char *prefix; const char *unit; } mscl_units[] = {
  { "scaledaccel", "g" },
  { "scaledgyro", "rad/s" },
  { "scaledmag", "gauss" },
  { "deltavel", "g*s" },
  { "deltatheta", "rad" },
  { "estorientquaternion", "" },
  { "estattitudeuncertquaternion", "" },
  { "estangularrate", "rad/s" },
  { "estcompensatedaccel", "m/s^2" },
  { "estlinearaccel", "m/s^2" },
  { "estgravityvector", "m/s^2" },
  { "estpressurealt", "m" },
};

/* Movella DOT export units (Movella DOT user manual, data output). */
static const struct { const char *prefix; const char *unit; } movella_units[] = {
  { "acc", "m/s^2" },
  { "freeacc", "m/s^2" },
  { "gyr", "deg/s" },
  { "mag", "a.u." },
  { "quat", "" },
  { "euler", "deg" },
  { "dq", "" },
  { "dv", "m/s" },
};

static void
col_clear (Col *c)
{
  g_free (c->name);
  g_free (c->unit);
  g_free (c->lname);
  g_free (c->prefix);
  g_free (c->prefix_raw);
  g_free (c->const_text);
}

void
imu_csv_layout_clear (ImuCsvLayout *layout)
{
  for (guint i = 0; i < layout->n_columns; i++)
    {
      g_free (layout->columns[i].label);
      g_free (layout->columns[i].skip_reason);
      g_free (layout->columns[i].label_value);
    }
  g_clear_pointer (&layout->columns, g_free);
  layout->n_columns = 0;
  g_clear_pointer (&layout->time_format.column, g_free);
  g_clear_pointer (&layout->streams, g_ptr_array_unref);
  g_clear_pointer (&layout->format, g_free);
  g_clear_pointer (&layout->note, g_free);
  g_clear_pointer (&layout->issues, g_array_unref);
}

static void
csv_stream_free (ImuCsvStream *s)
{
  imu_stream_info_free (s->info);
  g_free (s);
}

static gboolean
is_sep (char c)
{
  return c == ' ' || c == '_' || c == '-' || c == '.' || c == ':';
}

static char *
strip_seps (const char *s, gsize len)
{
  while (len > 0 && is_sep (*s))
    s++, len--;
  while (len > 0 && is_sep (s[len - 1]))
    len--;
  return g_strndup (s, len);
}

void
imu_csv_split_unit (const char  *header,
                    char       **name,
                    char       **unit)
{
  g_autofree char *h = g_strstrip (g_strdup (header != NULL ? header : ""));
  gsize len = strlen (h);
  char close = len > 0 ? h[len - 1] : '\0';
  char open = close == ')' ? '(' : close == ']' ? '[' : '\0';

  if (open != '\0')
    {
      char *o = strrchr (h, open);

      if (o != NULL && o > h)
        {
          g_autofree char *n = strip_seps (h, (gsize) (o - h));

          if (*n != '\0')
            {
              *unit = g_strstrip (g_strndup (o + 1, (gsize) (h + len - 1 - (o + 1))));
              *name = g_steal_pointer (&n);
              return;
            }
        }
    }
  *name = g_steal_pointer (&h);
  *unit = g_strdup ("");
}

static gboolean
is_axis_char (char c)
{
  c = g_ascii_tolower (c);
  return c == 'x' || c == 'y' || c == 'z' || c == 'w';
}

gboolean
imu_csv_axis_split (const char  *name,
                    char       **prefix,
                    char        *axis)
{
  gsize len = strlen (name);
  char c, prev;

  /* "x-axis", "X axis", "x_axis" */
  if (len >= 6 && g_ascii_strcasecmp (name + len - 4, "axis") == 0
      && is_sep (name[len - 5]) && is_axis_char (name[len - 6])
      && (len == 6 || is_sep (name[len - 7])))
    {
      *prefix = strip_seps (name, len - 6);
      *axis = g_ascii_tolower (name[len - 6]);
      return TRUE;
    }
  if (len == 0)
    return FALSE;
  c = name[len - 1];
  if (!is_axis_char (c))
    return FALSE;
  if (len == 1)
    {
      *prefix = g_strdup ("");
      *axis = g_ascii_tolower (c);
      return TRUE;
    }
  prev = name[len - 2];
  /* "Acc_X", "Acceleration x"; "accelerationX", "AccX"; "Ax", "gx", "qw".
   * A lower-case letter after a lower-case word ("index", "max", "yaw")
   * is not an axis. */
  if (is_sep (prev) || g_ascii_isupper (c)
      || (g_ascii_islower (c) && (g_ascii_isupper (prev) || g_ascii_isdigit (prev) || len == 2)))
    {
      *prefix = strip_seps (name, len - 1);
      *axis = g_ascii_tolower (c);
      return TRUE;
    }
  return FALSE;
}

/* "acc", "Acc_", "a", "bmi160_a" → "accelerometer", and so on. */
static const char *
canonical_stream_name (const char *prefix)
{
  static const struct { const char *alias; const char *name; } aliases[] = {
    { "a", "accelerometer" }, { "acc", "accelerometer" }, { "accel", "accelerometer" },
    { "accelerometer", "accelerometer" }, { "accelerometers", "accelerometer" },
    { "g", "gyroscope" }, { "gyr", "gyroscope" }, { "gyro", "gyroscope" },
    { "gyroscope", "gyroscope" },
    { "m", "magnetometer" }, { "mag", "magnetometer" }, { "magn", "magnetometer" },
    { "magnetometer", "magnetometer" },
    { "q", "orientation" }, { "quat", "orientation" },
  };
  g_autofree char *lower = g_ascii_strdown (prefix, -1);
  const char *last;

  if (*lower == '\0')
    return NULL;
  /* The last word decides: "bmi160_a" → "a". */
  last = lower + strlen (lower);
  while (last > lower && !is_sep (last[-1]))
    last--;
  for (guint i = 0; i < G_N_ELEMENTS (aliases); i++)
    if (g_str_equal (lower, aliases[i].alias) || g_str_equal (last, aliases[i].alias))
      return aliases[i].name;
  return NULL;
}

static const char *
kind_of_stream_name (const char *name)
{
  if (name == NULL)
    return NULL;
  if (g_str_equal (name, "accelerometer"))
    return "accel";
  if (g_str_equal (name, "gyroscope"))
    return "gyro";
  if (g_str_equal (name, "magnetometer"))
    return "mag";
  if (g_str_equal (name, "orientation"))
    return "orientation";
  return NULL;
}

/* A sensor kind from a prefix or a column name such as "rotationRate". */
static const char *
kind_of_words (const char *text)
{
  g_autofree char *l = g_ascii_strdown (text, -1);

  if (strstr (l, "quat") != NULL || strstr (l, "orient") != NULL || strstr (l, "euler") != NULL
      || strstr (l, "attitude") != NULL || g_str_equal (l, "roll") || g_str_equal (l, "pitch")
      || g_str_equal (l, "yaw"))
    return "orientation";
  if (strstr (l, "gyr") != NULL || strstr (l, "rotationrate") != NULL
      || strstr (l, "angularrate") != NULL || strstr (l, "angular velocity") != NULL)
    return "gyro";
  if (strstr (l, "acc") != NULL || strstr (l, "gravity") != NULL)
    return "accel";
  if (strstr (l, "mag") != NULL)
    return "mag";
  return NULL;
}

/* "Accelerometer Uncalibrated.csv" → "accelerometeruncalibrated". */
static char *
compact_key (const char *file_or_hint)
{
  g_autofree char *base = NULL;
  g_autofree char *lower = NULL;
  char *dot;
  GString *compact = g_string_new (NULL);

  if (file_or_hint == NULL)
    return g_string_free (compact, FALSE);
  base = g_path_get_basename (file_or_hint);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  lower = g_ascii_strdown (base, -1);
  for (const char *c = lower; *c != '\0'; c++)
    if (!is_sep (*c))
      g_string_append_c (compact, *c);
  return g_string_free (compact, FALSE);
}

static const KnownSensor *
lookup_sensor (const char *file_or_hint)
{
  g_autofree char *base = NULL;
  g_autofree char *lower = NULL;
  char *dot;
  GString *compact;

  if (file_or_hint == NULL)
    return NULL;
  base = g_path_get_basename (file_or_hint);
  dot = strrchr (base, '.');
  if (dot != NULL && dot != base)
    *dot = '\0';
  lower = g_ascii_strdown (base, -1);
  compact = g_string_new (NULL);
  for (const char *c = lower; *c != '\0'; c++)
    if (!is_sep (*c))
      g_string_append_c (compact, *c);
  for (guint i = 0; i < G_N_ELEMENTS (known_sensors); i++)
    if (g_str_equal (compact->str, known_sensors[i].file))
      {
        g_string_free (compact, TRUE);
        return &known_sensors[i];
      }
  g_string_free (compact, TRUE);
  return NULL;
}

/* MetaWear's file name: the sensor and the rate are words of it
 * ("…_Gyroscope_25.000Hz_…"). */
static const KnownSensor *
lookup_name_words (const char *file_name, double *rate_hz)
{
  g_autofree char *base = NULL;
  g_auto(GStrv) words = NULL;
  const KnownSensor *found = NULL;

  *rate_hz = 0;
  if (file_name == NULL)
    return NULL;
  base = g_path_get_basename (file_name);
  words = g_strsplit (base, "_", -1);
  if (g_strv_length (words) < 3)
    return NULL;
  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (words[i], -1);
      gsize len = strlen (lower);

      for (guint k = 0; k < G_N_ELEMENTS (metawear_sensors) && found == NULL; k++)
        if (g_str_equal (lower, metawear_sensors[k].file))
          found = &metawear_sensors[k];
      if (len > 2 && g_str_has_suffix (lower, "hz") && g_ascii_isdigit (lower[0]))
        {
          char *end = NULL;
          double v = g_ascii_strtod (lower, &end);

          if (end == lower + len - 2 && v > 0 && v < 1e6)
            *rate_hz = v;
        }
    }
  if (found == NULL)
    *rate_hz = 0;
  return found;
}

static gboolean
is_time_name (const char *lname)
{
  return strstr (lname, "time") != NULL || strstr (lname, "epoch") != NULL
         || strstr (lname, "stamp") != NULL || strstr (lname, "elapsed") != NULL
         || g_str_equal (lname, "t") || g_str_equal (lname, "ts") || g_str_equal (lname, "date")
         || g_str_equal (lname, "utc") || g_str_equal (lname, "unix") || g_str_equal (lname, "datetime");
}

static gboolean
is_elapsed_name (const char *lname)
{
  return strstr (lname, "elapsed") != NULL;
}

static gboolean
is_index_name (const char *lname)
{
  static const char * const names[] = {
    "", "index", "idx", "#", "no", "no.", "n", "packetcounter", "packet counter", "counter",
    "sample", "sample #", "sample number", "samplenumber", "sample_number", "unnamed: 0",
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (lname, names[i]))
      return TRUE;
  return FALSE;
}

/* A column that names the device of its row: Movella's "Address", a
 * "device_id", "Sensor ID", "MAC". */
static gboolean
is_device_name (const char *lname)
{
  static const char * const names[] = {
    "address", "device", "deviceid", "devicename", "deviceaddress", "devicetag", "devicemac",
    "sensorid", "sensorname", "sensoraddress", "sensormac", "sensortag", "mac", "macaddress",
    "bleaddress", "bluetoothaddress", "nodeid", "imuid", "tagid",
  };
  g_autoptr(GString) compact = g_string_new (NULL);

  for (const char *c = lname; *c != '\0'; c++)
    if (!is_sep (*c))
      g_string_append_c (compact, *c);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_str_equal (compact->str, names[i]))
      return TRUE;
  return FALSE;
}

/* Digits of scale for a time unit: 9 for seconds (to ns), -1 unknown. */
static int
scale_of_unit (const char *unit)
{
  static const struct { const char *unit; int scale; } units[] = {
    { "s", 9 }, { "sec", 9 }, { "secs", 9 }, { "second", 9 }, { "seconds", 9 },
    { "ms", 6 }, { "msec", 6 }, { "millisecond", 6 }, { "milliseconds", 6 },
    { "us", 3 }, { "µs", 3 }, { "μs", 3 }, { "usec", 3 }, { "microsecond", 3 }, { "microseconds", 3 },
    { "ns", 0 }, { "nanosecond", 0 }, { "nanoseconds", 0 },
  };

  if (unit == NULL)
    return -1;
  for (guint i = 0; i < G_N_ELEMENTS (units); i++)
    if (g_ascii_strcasecmp (unit, units[i].unit) == 0)
      return units[i].scale;
  return -1;
}

/* The unit a time column's name says: "time_ms", "timestamp_us",
 * "TimeUS", "timestampMs"; Movella's "SampleTimeFine" counts µs. -1 when
 * the name does not say. */
static int
time_scale_of_name (const char *lname)
{
  static const char * const suffixes[] = { "ns", "us", "ms" };
  const char *us = strrchr (lname, '_');
  gsize len = strlen (lname);
  int scale;

  if (g_str_equal (lname, "sampletimefine"))
    return 3;
  if (us != NULL && (scale = scale_of_unit (us + 1)) >= 0)
    return scale;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (len > 2 && g_str_has_suffix (lname, suffixes[i]))
      {
        g_autofree char *stem = g_strndup (lname, len - 2);

        if (g_str_has_suffix (stem, "time") || g_str_has_suffix (stem, "stamp"))
          return scale_of_unit (suffixes[i]);
      }
  return -1;
}

/* Whether the header says the unit of a time column (a unit, a suffix). */
static gboolean
time_unit_written (const Col *c)
{
  return scale_of_unit (c->unit) >= 0 || time_scale_of_name (c->lname) >= 0;
}

static int
time_scale_of (const Col *c)
{
  int scale = scale_of_unit (c->unit);
  double v;

  if (scale >= 0)
    return scale;
  scale = time_scale_of_name (c->lname);
  if (scale >= 0)
    return scale;
  v = fabs (c->first_num);
  if (v >= 1e17)
    return 0;
  if (v >= 1e14)
    return 3;
  if (v >= 1e11)
    return 6;
  return 9;
}

static gboolean
time_is_epoch (const Col *c, int scale)
{
  return c->has_num && fabs (c->first_num) / pow (10.0, 9 - scale) >= 1e8;
}

static void
analyse_column (Col *c, const ImuCsvDialect *d, guint j)
{
  guint n_num = 0, n_dt = 0, n_text = 0;
  double prev = -INFINITY;
  gboolean dt_first = TRUE;

  c->decimals = -2;
  c->nondecreasing = TRUE;
  c->integer = TRUE;
  c->constant = TRUE;
  for (guint r = 0; r < d->rows->len; r++)
    {
      const char *f = ((char **) g_ptr_array_index (d->rows, r))[j];
      gsize len = strlen (f);
      double v;
      int dec;

      if (len == 0)
        continue;
      c->n_filled++;
      if (c->const_text == NULL)
        c->const_text = g_strdup (f);
      else if (c->constant && !g_str_equal (c->const_text, f))
        c->constant = FALSE;
      if (imu_number_parse (f, len, d->decimal_comma, &v, &dec))
        {
          n_num++;
          if (!c->has_num)
            {
              c->has_num = TRUE;
              c->first_num = v;
            }
          if (c->decimals == -2)
            c->decimals = dec;
          else if (c->decimals != dec)
            c->decimals = -1;
          if (v < prev)
            c->nondecreasing = FALSE;
          prev = v;
          if (v != floor (v))
            c->integer = FALSE;
          continue;
        }
      {
        ImuCsvDateOrder order;
        gint64 ns;
        gboolean has_tz;
        int tz, dec2;

        if (imu_csv_looks_like_datetime (f, len, &order)
            && imu_csv_parse_datetime_status (f, len, order, 0, &ns, &tz, &has_tz, &dec2) != IMU_CSV_TIME_BAD_SYNTAX)
          {
            n_dt++;
            if (dt_first)
              {
                c->date_order = order;
                c->dt_has_tz = has_tz;
                c->dt_tz = tz;
                c->dt_has_t = memchr (f, 'T', len) != NULL;
                c->dt_decimals = dec2;
                dt_first = FALSE;
              }
            else if (c->dt_decimals != dec2)
              c->dt_decimals = -1;
            continue;
          }
      }
      n_text++;
    }
  if (c->n_filled == 0)
    c->type = CT_EMPTY;
  else if (n_dt > 0 && n_dt >= n_num && n_dt >= n_text)
    c->type = CT_DATETIME;
  else if (n_num > 0 && n_num >= n_text)
    c->type = CT_NUMERIC;
  else
    c->type = CT_TEXT;
  if (c->decimals == -2)
    c->decimals = -1;
}

static int compare_double (gconstpointer a, gconstpointer b);

/* The sample rates an IMU is set to lie between about 1 Hz and 10 kHz:
 * a clock read in a unit that puts its steps outside them is read in
 * the wrong unit. */
#define PLAUSIBLE_MIN_HZ 0.95
#define PLAUSIBLE_MAX_HZ 10500.0
/* A clock read as an epoch date before this (2000-01-01) is no epoch
 * date but a sensor clock read in the wrong unit (Movella's µs as ms
 * land in 1980). */
#define EPOCH_PLAUSIBLE_S 946684800.0

/* The median step between consecutive rows of the first rows of a
 * numeric column, in its own unit; 0 when there are fewer than two
 * steps. Rows of other devices than @device_value (when set) are left
 * out. */
static double
median_step (const ImuCsvDialect *d, guint j, int device_column, const char *device_value)
{
  g_autoptr(GArray) steps = g_array_new (FALSE, FALSE, sizeof (double));
  gboolean have_prev = FALSE;
  double prev = 0;

  for (guint r = 0; r < d->rows->len; r++)
    {
      char **row = g_ptr_array_index (d->rows, r);
      double v;

      if (device_column >= 0 && device_value != NULL && !g_str_equal (row[device_column], device_value))
        continue;
      if (!imu_number_parse (row[j], strlen (row[j]), d->decimal_comma, &v, NULL) || !isfinite (v))
        continue;
      if (have_prev && v > prev)
        {
          double step = v - prev;
          g_array_append_val (steps, step);
        }
      prev = v;
      have_prev = TRUE;
    }
  if (steps->len < 2)
    return 0;
  g_array_sort (steps, compare_double);
  return g_array_index (steps, double, steps->len / 2);
}

static double
rate_at_scale (double step, int scale)
{
  return 1e9 / (step * pow (10.0, scale));
}

static gboolean
plausible_rate (double hz)
{
  return hz >= PLAUSIBLE_MIN_HZ && hz <= PLAUSIBLE_MAX_HZ;
}

static const char *
unit_of_scale (int scale)
{
  return scale == 9 ? "s" : scale == 6 ? "ms" : scale == 3 ? "µs" : "ns";
}

/* How much a column looks like the time base (0: not at all). */
static int
time_score (const Col *c, guint j, const ImuCsvDialect *d, ImuCsvFlavor flavor)
{
  gboolean has_header = d->header != NULL;

  switch (flavor)
    {
    case IMU_CSV_FLAVOR_SENSORLOGGER:
      if (c->type == CT_NUMERIC && g_str_equal (c->lname, "time"))
        return 100;
      if (c->type == CT_NUMERIC && g_str_equal (c->lname, "seconds_elapsed"))
        return 40;
      return 0;
    case IMU_CSV_FLAVOR_MOVELLA:
      if (c->type == CT_NUMERIC && g_str_equal (c->lname, "sampletimefine"))
        return 100;
      break;
    case IMU_CSV_FLAVOR_PHYPHOX:
      if (c->type == CT_NUMERIC && g_str_equal (c->lname, "time"))
        return 100;
      break;
    case IMU_CSV_FLAVOR_GENERIC:
    case IMU_CSV_FLAVOR_ACTILIFE:
    case IMU_CSV_FLAVOR_EMPATICA:
    case IMU_CSV_FLAVOR_METAWEAR:
    case IMU_CSV_FLAVOR_MICROSTRAIN:
    case IMU_CSV_FLAVOR_AXIVITY:
    default:
      break;
    }

  if (c->type == CT_DATETIME)
    return has_header ? (is_time_name (c->lname) ? 90 : 80) : (j == 0 ? 90 : 70);
  if (c->type != CT_NUMERIC)
    return 0;
  if (has_header && is_time_name (c->lname))
    {
      int scale = time_scale_of (c);

      if (time_is_epoch (c, scale))
        return 100;
      return is_elapsed_name (c->lname) ? 50 : 60;
    }
  if (!has_header && j == 0 && c->nondecreasing && time_is_epoch (c, time_scale_of (c)))
    return 85;
  if (has_header && is_index_name (c->lname) && c->integer && c->nondecreasing)
    return 10;
  return 0;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y ? 1 : 0;
}

static int
compare_guint (gconstpointer a, gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* The unit of acceleration told by the data: the median norm of the
 * first three channels at rest is 1 g. NULL when the data does not say
 * (gravity removed, or moving all the time). */
static const char *
guess_accel_unit_median (const ImuCsvDialect *d, const guint *cols, guint n, double *median_out,
                         double *spread_out)
{
  g_autoptr(GArray) norms = g_array_new (FALSE, FALSE, sizeof (double));
  double median;

  if (n < 3)
    return NULL;
  for (guint r = 0; r < d->rows->len; r++)
    {
      char **row = g_ptr_array_index (d->rows, r);
      double sum = 0;
      gboolean ok = TRUE;

      for (guint k = 0; k < 3; k++)
        {
          double v;
          const char *f = row[cols[k]];
          if (!imu_number_parse (f, strlen (f), d->decimal_comma, &v, NULL) || !isfinite (v))
            {
              ok = FALSE;
              break;
            }
          sum += v * v;
        }
      if (ok)
        {
          double norm = sqrt (sum);
          g_array_append_val (norms, norm);
        }
    }
  if (norms->len < 3)
    return NULL;
  g_array_sort (norms, compare_double);
  median = g_array_index (norms, double, norms->len / 2);
  *median_out = median;
  /* The interquartile range over the median: small when the sensor is
   * at rest and its norm is gravity alone. */
  *spread_out = median > 0 ? (g_array_index (norms, double, norms->len * 3 / 4)
                               - g_array_index (norms, double, norms->len / 4)) / median : INFINITY;
  if (median >= 0.7 && median <= 1.5)
    return "g";
  if (median >= 7.0 && median <= 13.0)
    return "m/s^2";
  if (median >= 700 && median <= 1500)
    return "mg";
  return NULL;
}

static const char *
guess_accel_unit (const ImuCsvDialect *d, const guint *cols, guint n)
{
  double median, spread;

  return guess_accel_unit_median (d, cols, n, &median, &spread);
}

static int
compare_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;
  return x < y ? -1 : x > y ? 1 : 0;
}

/* The time of a sample row for estimating the rate (not the hot path). */
static gboolean
sample_time (const ImuCsvLayout *l, const ImuCsvDialect *d, const char *f, gint64 *t)
{
  gsize len = strlen (f);

  switch (l->time_mode)
    {
    case IMU_CSV_TIME_SCALED:
      return imu_csv_parse_scaled (f, len, l->time_scale, d->decimal_comma, t, NULL);
    case IMU_CSV_TIME_COUNTER_US:
      if (!imu_csv_parse_scaled (f, len, 3, FALSE, t, NULL))
        return FALSE;
      return TRUE;
    case IMU_CSV_TIME_DATETIME:
      return imu_csv_parse_datetime (f, len, l->date_order, l->tz_offset_s, t, NULL, NULL, NULL);
    case IMU_CSV_TIME_RATE:
    default:
      return FALSE;
    }
}

/* Rates devices are set to; a measured rate within 2 % of one is taken
 * as that nominal rate (phone clocks jitter by a few percent). */
static const double common_rates[] = {
  1, 2, 5, 10, 12.5, 15, 20, 25, 30, 32, 40, 50, 60, 64, 80, 90, 100, 120, 125, 128,
  200, 250, 256, 400, 500, 512, 800, 1000, 1024, 1600, 2000, 3200, 4000, 8000,
};

/* The rate of the data: 1 / the median interval of the first rows of a
 * group (of one device), 0 when there are fewer than three rows. */
static double
measure_rate (const ImuCsvLayout *l, const ImuCsvDialect *d, const Col *cols, guint group,
              const char *device_value)
{
  g_autoptr(GArray) dts = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean have_prev = FALSE;
  gint64 prev = 0;
  gint64 median;

  if (l->time_column < 0)
    return 0;
  for (guint r_i = 0; r_i < d->rows->len; r_i++)
    {
      char **row = g_ptr_array_index (d->rows, r_i);
      gboolean in_group = !l->sparse;
      gint64 t;

      for (guint j = 0; !in_group && j < l->n_columns; j++)
        if (cols[j].role == IMU_CSV_COL_VALUE && cols[j].fill_group == group && row[j][0] != '\0')
          in_group = TRUE;
      if (l->device_column >= 0 && device_value != NULL && !g_str_equal (row[l->device_column], device_value))
        continue;
      if (!in_group || !sample_time (l, d, row[l->time_column], &t))
        continue;
      /* The raw times of the first rows can be anywhere in int64 (they
       * are not checked against the range until the pass): an interval
       * that does not fit in int64 is no sampling interval. */
      if (have_prev && t > prev)
        {
          gint64 dt;

          if (!__builtin_sub_overflow (t, prev, &dt))
            g_array_append_val (dts, dt);
        }
      prev = t;
      have_prev = TRUE;
    }
  if (dts->len < 2)
    return 0;
  g_array_sort (dts, compare_gint64);
  median = g_array_index (dts, gint64, dts->len / 2);
  if (median <= 0)
    return 0;
  return 1e9 / (double) median;
}

/* A nominal rate from a measured one: a common rate when within 2 % of
 * one, else whole Hz when within 1 %. */
static double
nominal_of_measured (double rate)
{
  double r;

  if (rate <= 0)
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (common_rates); i++)
    if (fabs (rate - common_rates[i]) <= 0.02 * common_rates[i])
      return common_rates[i];
  r = round (rate);
  if (r >= 1 && fabs (rate - r) <= 0.01 * rate)
    return r;
  return round (rate * 1000) / 1000;
}

typedef struct {
  char   *key;        /* prefix, lower case ("" for x,y,z) */
  char   *raw;        /* prefix as written */
  GArray *cols;       /* guint column indices, file order */
  gboolean vector;
} Group;

static void
group_free (Group *g)
{
  g_free (g->key);
  g_free (g->raw);
  g_array_unref (g->cols);
  g_free (g);
}

static gboolean
signatures_overlap_little (const char *a, const char *b, guint n)
{
  guint both = 0, na = 0, nb = 0;

  for (guint i = 0; i < n; i++)
    {
      na += a[i] == '1';
      nb += b[i] == '1';
      both += a[i] == '1' && b[i] == '1';
    }
  return both * 10 <= MIN (na, nb);
}

static guint
signature_overlap (const char *a, const char *b, guint n)
{
  guint both = 0;

  for (guint i = 0; i < n; i++)
    both += a[i] == '1' && b[i] == '1';
  return both;
}

/* Finds which packets fill which columns. Rows of a sparse log (a
 * MicroStrain log interleaving IMU packets and filter packets) fill one
 * set of columns each; every such set becomes its own group. */
static void
find_fill_groups (ImuCsvLayout *l, const ImuCsvDialect *d, Col *cols)
{
  guint n_rows = d->rows->len;
  g_autoptr(GPtrArray) sigs = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) group_sigs = g_ptr_array_new ();  /* distinct signatures (borrowed) */
  g_autoptr(GArray) group_sizes = g_array_new (FALSE, TRUE, sizeof (guint));
  guint n_partial_shared = 0;
  gboolean disjoint = TRUE;

  l->sparse = FALSE;
  l->n_fill_groups = 1;
  for (guint j = 0; j < l->n_columns; j++)
    cols[j].fill_group = 0;
  if (n_rows < 4)
    return;

  for (guint j = 0; j < l->n_columns; j++)
    {
      char *sig = g_malloc (n_rows + 1);

      for (guint r = 0; r < n_rows; r++)
        sig[r] = ((char **) g_ptr_array_index (d->rows, r))[j][0] != '\0' ? '1' : '0';
      sig[n_rows] = '\0';
      g_ptr_array_add (sigs, sig);
      if (cols[j].role != IMU_CSV_COL_VALUE)
        continue;
      {
        guint k;
        for (k = 0; k < group_sigs->len; k++)
          if (g_str_equal (g_ptr_array_index (group_sigs, k), sig))
            break;
        if (k == group_sigs->len)
          {
            guint zero = 0;
            g_ptr_array_add (group_sigs, sig);
            g_array_append_val (group_sizes, zero);
          }
        g_array_index (group_sizes, guint, k)++;
      }
    }

  /* Sparse when two or more partial signatures are each shared by two
   * columns or more and hardly ever fill the same row. */
  for (guint k = 0; k < group_sigs->len; k++)
    {
      const char *s = g_ptr_array_index (group_sigs, k);
      if (strchr (s, '0') != NULL && g_array_index (group_sizes, guint, k) >= 2)
        {
          for (guint k2 = 0; k2 < k; k2++)
            {
              const char *s2 = g_ptr_array_index (group_sigs, k2);
              if (strchr (s2, '0') != NULL && g_array_index (group_sizes, guint, k2) >= 2
                  && !signatures_overlap_little (s, s2, n_rows))
                disjoint = FALSE;
            }
          n_partial_shared++;
        }
    }
  if (n_partial_shared < 2 || !disjoint)
    return;

  /* Groups: each signature shared by ≥ 2 columns, or that fills every row;
   * a column with a signature of its own joins the group it overlaps most. */
  {
    g_autoptr(GPtrArray) groups = g_ptr_array_new ();

    for (guint k = 0; k < group_sigs->len; k++)
      {
        const char *s = g_ptr_array_index (group_sigs, k);
        if (g_array_index (group_sizes, guint, k) >= 2 || strchr (s, '0') == NULL)
          g_ptr_array_add (groups, (gpointer) s);
      }
    for (guint j = 0; j < l->n_columns; j++)
      {
        const char *s = g_ptr_array_index (sigs, j);
        guint best = 0, best_overlap = 0;
        gboolean found = FALSE;

        if (cols[j].role != IMU_CSV_COL_VALUE)
          continue;
        for (guint g = 0; g < groups->len; g++)
          if (g_str_equal (g_ptr_array_index (groups, g), s))
            {
              cols[j].fill_group = g;
              found = TRUE;
              break;
            }
        if (found)
          continue;
        for (guint g = 0; g < groups->len; g++)
          {
            guint o = signature_overlap (g_ptr_array_index (groups, g), s, n_rows);
            if (o > best_overlap)
              {
                best_overlap = o;
                best = g;
              }
          }
        if (best_overlap == 0)
          {
            g_ptr_array_add (groups, (gpointer) s);
            best = groups->len - 1;
          }
        cols[j].fill_group = best;
      }
    l->sparse = TRUE;
    l->n_fill_groups = groups->len;
  }
}

static char *
unique_name (GPtrArray *streams, const char *name)
{
  char *candidate = g_strdup (name);

  for (guint n = 2;; n++)
    {
      gboolean used = FALSE;

      for (guint i = 0; i < streams->len; i++)
        if (g_str_equal (((ImuCsvStream *) g_ptr_array_index (streams, i))->info->name, candidate))
          used = TRUE;
      if (!used)
        return candidate;
      g_free (candidate);
      candidate = g_strdup_printf ("%s %u", name, n);
    }
}

/* Adds a sentence to the notes, after what is there. */
static void
add_note (ImuCsvLayout *l, const char *text)
{
  char *old = l->note;

  l->note = old != NULL && *old != '\0' ? g_strdup_printf ("%s\n%s", old, text) : g_strdup (text);
  g_free (old);
}

/* A finding about the whole file, at its header line (or first data line). */
static void
add_file_issue (ImuCsvLayout *l, const ImuCsvDialect *d, const char *code)
{
  ImuCsvFileIssue issue = { code, d->header_line > 0 ? d->header_line : d->first_data_line };

  g_array_append_val (l->issues, issue);
}

/* The state of one layout being built, phase after phase. */
typedef struct {
  const ImuCsvDialect *d;
  const ImuCsvHints   *hints;
  ImuCsvLayout        *l;
  Col                 *cols;
  ImuCsvFlavor         flavor;
  const KnownSensor   *sensor;           /* what the file name says it holds */
  GPtrArray           *groups;           /* Group*: a stream each when not empty */
  guint                n_streams;
  const char          *file_accel_unit;  /* told by the data, or NULL */
  const char          *file_name;        /* base name, for the stream's name */
  int                  device_column;    /* rows of several devices interleaved, else -1 */
  const char          *device_value;     /* the device of most rows of the head (borrowed) */
  gboolean             clock_from_first; /* an inferred sensor clock: times count from its first value */
  double               name_rate_hz;     /* a rate the file name states (MetaWear's "_25.000Hz_"), else 0 */
  char                *file_key;         /* base name without extension and separators, lower case */
  gboolean             unit_mismatch;    /* W_UNIT_MISMATCH counted */
} Builder;

static void
analyse_columns (Builder *b)
{
  const ImuCsvDialect *d = b->d;
  ImuCsvLayout *l = b->l;

  for (guint j = 0; j < l->n_columns; j++)
    {
      Col *c = &b->cols[j];

      c->stream = -1;
      if (d->header != NULL)
        {
          c->header = g_ptr_array_index (d->header, j);
          imu_csv_split_unit (c->header, &c->name, &c->unit);
          l->columns[j].label = g_strdup (c->header);
        }
      else
        {
          c->name = g_strdup ("");
          c->unit = g_strdup ("");
          l->columns[j].label = g_strdup_printf ("%u", j + 1);
        }
      c->lname = g_ascii_strdown (c->name, -1);
      analyse_column (c, d, j);
    }

  /* Headerless Axivity exports (cwa-convert): a date-time or unix time,
   * then x,y,z and maybe gx,gy,gz. */
  if (d->header == NULL && b->flavor == IMU_CSV_FLAVOR_GENERIC && d->delimiter == ','
      && l->n_columns >= 4 && (l->n_columns - 1) % 3 == 0 && l->n_columns <= 10
      && ((b->cols[0].type == CT_DATETIME && !b->cols[0].dt_has_t && !b->cols[0].dt_has_tz)
          || (b->cols[0].type == CT_NUMERIC && time_is_epoch (&b->cols[0], 9) && b->cols[0].first_num < 1e10)))
    b->flavor = IMU_CSV_FLAVOR_AXIVITY;
}

/* A tz offset written as a column's unit: MetaWear's "time (01:00)". */
static gboolean
unit_tz_offset (const Col *c, int *offset)
{
  g_autofree char *tz = NULL;

  if (*c->unit == '\0')
    return FALSE;
  tz = g_strdup_printf ("%s%s", g_ascii_isdigit (c->unit[0]) ? "+" : "", c->unit);
  return imu_csv_parse_tz_offset (tz, strlen (tz), offset);
}

/* Picks the time column and what every other column is. Returns the
 * number of value columns. */
static guint
assign_roles (Builder *b)
{
  const ImuCsvDialect *d = b->d;
  ImuCsvLayout *l = b->l;
  int best_score = 0;
  guint n_values = 0;

  for (guint j = 0; j < l->n_columns; j++)
    {
      int score = time_score (&b->cols[j], j, d, b->flavor);
      if (score > best_score)
        {
          best_score = score;
          l->time_column = (int) j;
        }
    }

  for (guint j = 0; j < l->n_columns; j++)
    {
      Col *c = &b->cols[j];
      int off;

      if ((int) j == l->time_column)
        {
          c->role = IMU_CSV_COL_TIME;
          continue;
        }
      c->role = IMU_CSV_COL_SKIP;
      if (c->type == CT_EMPTY)
        c->skip_reason = "empty in the first rows";
      else if (c->type == CT_TEXT)
        c->skip_reason = "text";
      else if (c->type == CT_DATETIME)
        {
          c->skip_reason = "another time column";
          /* It still says the offset of the recording's wall clock. */
          if (unit_tz_offset (c, &off))
            {
              l->tz_offset_s = off;
              l->has_tz = TRUE;
            }
        }
      else if (d->header != NULL && is_time_name (c->lname))
        c->skip_reason = "another time column";
      else if (d->header != NULL && is_index_name (c->lname) && c->integer)
        c->skip_reason = "an index or packet counter";
      else
        {
          c->role = IMU_CSV_COL_VALUE;
          n_values++;
        }
    }
  return n_values;
}

/* Columns that hold one value in every row of the head — a label such
 * as MicroStrain's "state" (S), or a number such as its "extension"
 * (-0.5) — describe the recording, not its motion: they go to the
 * session notes. A text column is skipped in any file; a numeric one is
 * taken for such a label only in a sparse log (two or more value
 * columns left empty in some rows), where a column filled in every row
 * would otherwise be a packet kind of its own that interleaves the real
 * ones (1049 false W_TIME_BACKWARDS in a MicroStrain log). A constant
 * numeric channel of an ordinary file (a gyroscope axis at rest) stays a
 * channel. */
static void
find_constant_columns (Builder *b)
{
  const ImuCsvDialect *d = b->d;
  ImuCsvLayout *l = b->l;
  guint n_rows = d->rows->len;
  guint n_partial = 0;
  g_autoptr(GString) list = NULL;

  if (n_rows < 4 || d->header == NULL)
    return;
  for (guint j = 0; j < l->n_columns; j++)
    if (b->cols[j].role == IMU_CSV_COL_VALUE && b->cols[j].n_filled > 0 && b->cols[j].n_filled < n_rows)
      n_partial++;
  for (guint j = 0; j < l->n_columns; j++)
    {
      Col *c = &b->cols[j];
      gboolean label;

      if (!c->constant || c->n_filled != n_rows || c->const_text == NULL)
        continue;
      label = (c->role == IMU_CSV_COL_SKIP && c->type == CT_TEXT)
              || (c->role == IMU_CSV_COL_VALUE && c->type == CT_NUMERIC
                  && (n_partial >= 2 || is_device_name (c->lname)));
      if (!label)
        continue;
      if (c->role == IMU_CSV_COL_VALUE)
        {
          c->role = IMU_CSV_COL_SKIP;
          c->skip_reason = "one value in every row (a label)";
        }
      else
        c->skip_reason = "text, one value in every row (a label)";
      l->columns[j].label_value = g_strdup (c->const_text);
      if (list == NULL)
        list = g_string_new (NULL);
      g_string_append_printf (list, "%s%s = %s", list->len > 0 ? ", " : "", l->columns[j].label, c->const_text);
    }
  if (list != NULL)
    {
      /* TRANSLATORS: the list is "state = S, extension = -0.5" */
      g_autofree char *note = g_strdup_printf (_("Columns with one value in every row, kept here rather than as streams: %s."),
                                               list->str);
      add_note (l, note);
    }
}

/* Rows of several devices interleaved in one file (a Movella DOT export
 * of several sensors, a gateway's log): a column named like a device
 * ("Address", "device_id", "Sensor ID", "MAC") that is filled in every
 * row, holds text or whole numbers, and names at least two devices in
 * the first rows, each on more than one row. Each device then gets its
 * own streams (imu-import-csv.c), and the rate and the unit of the clock
 * are measured on the rows of one device. A device column with one value
 * is a label (find_constant_columns). */
static void
find_device_column (Builder *b)
{
  const ImuCsvDialect *d = b->d;
  ImuCsvLayout *l = b->l;
  guint n_rows = d->rows->len;

  if (d->header == NULL || n_rows < 4)
    return;
  for (guint j = 0; j < l->n_columns; j++)
    {
      Col *c = &b->cols[j];
      g_autoptr(GHashTable) seen = NULL;

      if ((int) j == l->time_column || !is_device_name (c->lname) || c->n_filled != n_rows || c->constant
          || !(c->type == CT_TEXT || (c->type == CT_NUMERIC && c->integer)))
        continue;
      seen = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint r = 0; r < n_rows; r++)
        g_hash_table_add (seen, ((char **) g_ptr_array_index (d->rows, r))[j]);
      if (g_hash_table_size (seen) < 2 || g_hash_table_size (seen) * 2 > n_rows)
        continue;
      c->role = IMU_CSV_COL_SKIP;
      c->skip_reason = "the device of the row";
      l->device_column = (int) j;
      b->device_column = (int) j;
      b->device_value = ((char **) g_ptr_array_index (d->rows, 0))[j];
      {
        g_autofree char *note = g_strdup_printf (_("Column “%s” names the device of each row: each device has streams of its own."),
                                                 l->columns[j].label);
        add_note (l, note);
      }
      return;
    }
}

/* Where relative times (a column counting from the start, a sensor
 * clock) are placed: the file's own "StartTime:" line first, then what
 * the folder says (phyphox meta/time.csv), else time 0 with a note. */
static void
set_relative_origin (Builder *b)
{
  const ImuCsvDialect *d = b->d;
  ImuCsvLayout *l = b->l;

  if (d->has_start && d->start_line > 0)
    {
      g_autofree char *note =
        g_strdup_printf (_("The times of column “%s” count from the start time of line %" PRId64 "."),
                         l->time_format.column != NULL ? l->time_format.column : "", d->start_line);

      l->relative = FALSE;
      l->origin_ns = d->start_ns;
      add_note (l, note);
    }
  else if (b->hints->has_origin)
    {
      l->relative = FALSE;
      l->origin_ns = b->hints->origin_ns;
    }
  else
    {
      l->relative = TRUE;
      l->origin_ns = 0;
    }
  l->time_format.origin_ns = l->origin_ns;
}

/* The unit of a numeric clock whose header does not say it. Its
 * magnitude is the first guess (docs/import.md); when that guess makes
 * the rows step at a rate no IMU samples at (Movella DOT's µs read as ms:
 * 60 Hz becomes 0.06 Hz, a 3 s session 50 min in 1980) and is no epoch
 * date after 2000, the unit nearest to it that gives a plausible rate is
 * taken, the file gets I_TIME_UNIT_INFERRED and the notes say so. Only
 * integer clocks are read so: a clock in other units than seconds counts
 * whole ticks. Such a clock is no epoch time and does not start at the
 * start of the recording (a sensor's clock since power-on): its times
 * count from its first value. */
static void
infer_time_scale (Builder *b, const Col *t, int *scale, gboolean *epoch)
{
  static const int scales[] = { 9, 6, 3, 0 };
  ImuCsvLayout *l = b->l;
  double step, rate;
  int best = -1;

  if (!t->integer || !t->has_num)
    return;
  step = median_step (b->d, (guint) l->time_column, b->device_column, b->device_value);
  if (step <= 0)
    return;
  if (plausible_rate (rate_at_scale (step, *scale)))
    return;
  if (*epoch && fabs (t->first_num) / pow (10.0, 9 - *scale) >= EPOCH_PLAUSIBLE_S)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    if (plausible_rate (rate_at_scale (step, scales[i]))
        && (best < 0 || abs (scales[i] - *scale) < abs (best - *scale)))
      best = scales[i];
  if (best < 0)
    return;
  rate = rate_at_scale (step, best);
  *scale = best;
  *epoch = fabs (t->first_num) / pow (10.0, 9 - best) >= EPOCH_PLAUSIBLE_S;
  b->clock_from_first = !*epoch;
  add_file_issue (l, b->d, IMU_ISSUE_TIME_UNIT_INFERRED);
  {
    /* TRANSLATORS: "Column “Timestamp” does not say its unit: it was read as µs, in which its rows are 60 Hz apart." */
    g_autofree char *note = g_strdup_printf (_("Column “%s” does not say its unit: it was read as %s, in which its rows are %.4g Hz apart."),
                                             l->time_format.column != NULL ? l->time_format.column : "",
                                             unit_of_scale (best), rate);
    add_note (l, note);
  }
}

/* Places the first value of a sensor clock at the origin (the file's
 * StartTime: line, else time 0). */
static void
count_from_first_value (Builder *b)
{
  ImuCsvLayout *l = b->l;

  for (guint r = 0; r < b->d->rows->len; r++)
    {
      const char *f = ((char **) g_ptr_array_index (b->d->rows, r))[l->time_column];
      gint64 first, origin;

      if (b->device_column >= 0 && b->device_value != NULL
          && !g_str_equal (((char **) g_ptr_array_index (b->d->rows, r))[b->device_column], b->device_value))
        continue;
      if (!imu_csv_parse_scaled (f, strlen (f), l->time_scale, b->d->decimal_comma, &first, NULL))
        continue;
      if (__builtin_sub_overflow (l->origin_ns, first, &origin))
        return;
      l->origin_ns = origin;
      l->time_format.origin_ns = origin;
      return;
    }
}

/* How times are read and written back. */
static void
set_time_base (Builder *b)
{
  const ImuCsvDialect *d = b->d;
  const ImuCsvHints *hints = b->hints;
  ImuCsvLayout *l = b->l;
  gboolean numbered = FALSE;

  if (l->time_column >= 0)
    {
      Col *t = &b->cols[l->time_column];

      l->time_format.column = t->header != NULL ? g_strdup (t->header) : NULL;
      if (t->type == CT_DATETIME)
        {
          int off;

          l->time_mode = IMU_CSV_TIME_DATETIME;
          l->date_order = t->date_order;
          /* "1/6/2020" reads both ways: the producer's order decides. */
          if (t->date_order != IMU_CSV_DATE_ISO && d->date_order != IMU_CSV_DATE_ISO)
            l->date_order = d->date_order;
          if (t->dt_has_tz)
            {
              l->tz_offset_s = t->dt_tz;
              l->has_tz = TRUE;
            }
          else if (unit_tz_offset (t, &off))
            {
              /* MetaWear's "time (01:00)": a wall clock at that offset. */
              l->tz_offset_s = off;
              l->has_tz = TRUE;
            }
          l->time_format.kind = t->dt_has_t || t->dt_has_tz ? IMU_TIME_ISO8601 : IMU_TIME_DATETIME;
          l->time_format.decimals = t->dt_decimals;
          l->time_format.tz_offset_s = l->tz_offset_s;
        }
      else if (b->flavor == IMU_CSV_FLAVOR_MOVELLA && g_str_equal (t->lname, "sampletimefine"))
        {
          /* Microseconds of the sensor's clock, which wraps at 2^32: no
           * date, so times count from the first sample. */
          l->time_mode = IMU_CSV_TIME_COUNTER_US;
          l->time_scale = 3;
          set_relative_origin (b);
          l->time_format.kind = IMU_TIME_RELATIVE_S;
          l->time_format.decimals = 6;
        }
      else
        {
          int scale = time_scale_of (t);
          gboolean epoch = time_is_epoch (t, scale);

          if (b->flavor == IMU_CSV_FLAVOR_SENSORLOGGER && g_str_equal (t->lname, "time"))
            {
              scale = 0;
              epoch = TRUE;
            }
          else if (!time_unit_written (t))
            infer_time_scale (b, t, &scale, &epoch);
          l->time_mode = IMU_CSV_TIME_SCALED;
          l->time_scale = scale;
          l->time_format.decimals = t->decimals;
          if (epoch)
            l->time_format.kind = scale == 9 ? IMU_TIME_EPOCH_S : scale == 6 ? IMU_TIME_EPOCH_MS
                                 : scale == 3 ? IMU_TIME_EPOCH_US : IMU_TIME_EPOCH_NS;
          else
            {
              set_relative_origin (b);
              if (b->clock_from_first)
                count_from_first_value (b);
              l->time_format.kind = scale == 6 ? IMU_TIME_RELATIVE_MS : IMU_TIME_RELATIVE_S;
              /* µs or ns since the start are written back as seconds. */
              if (scale != 9 && scale != 6)
                l->time_format.decimals = -1;
            }
        }
    }
  else
    {
      l->time_mode = IMU_CSV_TIME_RATE;
      l->time_format.kind = IMU_TIME_NONE;
      l->rate_hz = hints->rate_hz > 0 ? hints->rate_hz : d->rate_hz;
      if (d->has_start)
        l->origin_ns = d->start_ns;
      else if (hints->has_origin)
        l->origin_ns = hints->origin_ns;
      else
        l->relative = TRUE;
      if (l->rate_hz <= 0)
        {
          /* Nothing says when samples were taken: number them a second
           * apart rather than refuse the file, and say so. */
          l->rate_hz = 1;
          add_note (l, _("The file has no time column and no sampling rate: samples are numbered one second apart from time 0."));
          numbered = TRUE;
        }
      l->time_format.origin_ns = l->origin_ns;
    }
  if (l->relative && !numbered)
    add_note (l, _("The file gives no date: times are relative to the start of the recording, which is placed at time 0 (1970-01-01 00:00 UTC)."));
}

/* Channel names of headerless files (Axivity's x,y,z,gx,gy,gz), and the
 * vector prefix of every value column. */
static void
name_channels (Builder *b)
{
  ImuCsvLayout *l = b->l;

  if (b->d->header == NULL)
    {
      static const char * const names[] = { "x", "y", "z", "gx", "gy", "gz", "mx", "my", "mz" };
      guint k = 0;
      guint n_vals = 0;

      for (guint j = 0; j < l->n_columns; j++)
        n_vals += b->cols[j].role == IMU_CSV_COL_VALUE;
      for (guint j = 0; j < l->n_columns; j++)
        if (b->cols[j].role == IMU_CSV_COL_VALUE)
          {
            Col *c = &b->cols[j];

            g_free (c->name);
            if (n_vals == 1)
              c->name = g_strdup ("value");
            else if (n_vals % 3 == 0 && n_vals <= G_N_ELEMENTS (names))
              c->name = g_strdup (names[k]);
            else
              c->name = g_strdup_printf ("value%u", k + 1);
            g_free (c->lname);
            c->lname = g_ascii_strdown (c->name, -1);
            k++;
          }
    }

  for (guint j = 0; j < l->n_columns; j++)
    if (b->cols[j].role == IMU_CSV_COL_VALUE)
      {
        Col *c = &b->cols[j];
        char axis;
        char *prefix = NULL;

        c->is_axis = imu_csv_axis_split (c->name, &prefix, &axis);
        if (c->is_axis)
          {
            c->prefix_raw = prefix;
            c->prefix = g_ascii_strdown (prefix, -1);
          }
      }
}

/* Streams: per fill group, one per vector prefix when there are two
 * vectors or more (Acc_X… and Gyr_X…), each other column its own; else
 * one stream with every column of the group. */
static void
plan_streams (Builder *b)
{
  ImuCsvLayout *l = b->l;

  for (guint g = 0; g < l->n_fill_groups; g++)
    {
      g_autoptr(GPtrArray) groups = g_ptr_array_new ();
      guint n_vectors = 0;

      for (guint j = 0; j < l->n_columns; j++)
        {
          Col *c = &b->cols[j];
          Group *grp = NULL;

          if (c->role != IMU_CSV_COL_VALUE || c->fill_group != g)
            continue;
          if (c->is_axis)
            for (guint k = 0; k < groups->len; k++)
              {
                Group *o = g_ptr_array_index (groups, k);
                if (o->key != NULL && g_str_equal (o->key, c->prefix))
                  grp = o;
              }
          if (grp == NULL)
            {
              grp = g_new0 (Group, 1);
              grp->key = c->is_axis ? g_strdup (c->prefix) : NULL;
              grp->raw = g_strdup (c->is_axis ? c->prefix_raw : c->name);
              grp->cols = g_array_new (FALSE, FALSE, sizeof (guint));
              g_ptr_array_add (groups, grp);
              g_ptr_array_add (b->groups, grp);
            }
          g_array_append_val (grp->cols, j);
        }
      for (guint k = 0; k < groups->len; k++)
        {
          Group *grp = g_ptr_array_index (groups, k);
          grp->vector = grp->key != NULL && grp->cols->len >= 2;
          n_vectors += grp->vector;
        }
      if (n_vectors <= 1 && groups->len > 1)
        {
          /* One stream: fold every group into the first, file order kept,
           * named after the vector if there is one. */
          Group *first = g_ptr_array_index (groups, 0);
          Group *vec = NULL;

          for (guint k = 0; k < groups->len; k++)
            if (((Group *) g_ptr_array_index (groups, k))->vector)
              vec = g_ptr_array_index (groups, k);
          for (guint k = 1; k < groups->len; k++)
            {
              Group *o = g_ptr_array_index (groups, k);
              g_array_append_vals (first->cols, o->cols->data, o->cols->len);
              g_array_set_size (o->cols, 0);
            }
          g_array_sort (first->cols, compare_guint);
          if (vec != NULL && vec != first)
            {
              g_free (first->key);
              g_free (first->raw);
              first->key = g_strdup (vec->key);
              first->raw = g_strdup (vec->raw);
            }
          first->vector = vec != NULL;
        }
      for (guint k = 0; k < groups->len; k++)
        if (((Group *) g_ptr_array_index (groups, k))->cols->len > 0)
          b->n_streams++;
    }
}

/* The acceleration unit of the file, when the data tells it: the first
 * accelerometer-like vector without a unit whose norm at rest says. */
static void
guess_file_accel_unit (Builder *b)
{
  for (guint k = 0; k < b->groups->len && b->file_accel_unit == NULL; k++)
    {
      Group *grp = g_ptr_array_index (b->groups, k);
      const char *kind;
      gboolean any_unit = FALSE;

      if (grp->cols->len < 3)
        continue;
      kind = grp->key != NULL ? kind_of_words (grp->raw) : NULL;
      if (kind == NULL && grp->key != NULL)
        kind = kind_of_stream_name (canonical_stream_name (grp->raw));
      if (kind == NULL && grp->key != NULL && *grp->key == '\0')
        kind = b->sensor != NULL ? b->sensor->kind : "accel";
      if (kind == NULL || !g_str_equal (kind, "accel"))
        continue;
      /* Sensor Logger's Accelerometer.csv has gravity removed: its norm
       * says nothing about the unit, only gravity does. */
      if (b->flavor == IMU_CSV_FLAVOR_SENSORLOGGER
          && !(grp->raw != NULL && strstr (grp->raw, "ravity") != NULL)
          && !(b->sensor != NULL && (g_str_equal (b->sensor->file, "gravity")
                                     || g_str_equal (b->sensor->file, "totalacceleration")
                                     || g_str_equal (b->sensor->file, "accelerometeruncalibrated"))))
        continue;
      for (guint i = 0; i < grp->cols->len; i++)
        any_unit |= *b->cols[g_array_index (grp->cols, guint, i)].unit != '\0';
      if (!any_unit)
        b->file_accel_unit = guess_accel_unit (b->d, (guint *) grp->cols->data, 3);
    }
}

static char *
stream_name_for (Builder *b, Group *grp, const char *canon, const char *group_kind)
{
  const char *hint = b->hints->stream_hint;

  if (b->n_streams == 1)
    {
      if (hint != NULL && b->sensor == NULL)
        {
          /* A folder names a one-sensor file's stream after the file, in
           * lower case; the file's own spelling ("deltaTheta.csv") is the
           * name a person gave it, and what an export writes back. */
          g_autofree char *stem = b->file_name != NULL ? g_path_get_basename (b->file_name) : NULL;
          char *dot = stem != NULL ? strrchr (stem, '.') : NULL;
          g_autofree char *lower = NULL;

          if (dot != NULL && dot != stem)
            *dot = '\0';
          lower = stem != NULL ? g_ascii_strdown (stem, -1) : NULL;
          if (lower != NULL && g_str_equal (lower, hint))
            return g_steal_pointer (&stem);
          return g_strdup (hint);
        }
      if (b->sensor != NULL)
        return g_strdup (b->sensor->stream);
      if (canon != NULL)
        return g_strdup (canon);
      if (grp->key != NULL && *grp->key != '\0')
        return g_strdup (grp->raw);
    }
  else if (canon != NULL)
    return g_strdup (canon);
  else if (grp->raw != NULL && *grp->raw != '\0')
    return g_strdup (grp->raw);
  else if (b->sensor != NULL)
    return g_strdup (b->sensor->stream);
  else if (hint != NULL)
    return g_strdup (hint);

  if (group_kind != NULL && g_str_equal (group_kind, "accel"))
    return g_strdup ("accelerometer");
  if (group_kind != NULL && g_str_equal (group_kind, "gyro"))
    return g_strdup ("gyroscope");
  if (group_kind != NULL && g_str_equal (group_kind, "mag"))
    return g_strdup ("magnetometer");
  if (group_kind != NULL && g_str_equal (group_kind, "orientation"))
    return g_strdup ("orientation");
  return g_strdup ("data");
}

/* The sensor kind of a group: its name, else what the file is. */
static const char *
group_kind_for (Builder *b, Group *grp, const char *canon)
{
  const char *kind = NULL;
  gboolean bare_vector = grp->vector && grp->key != NULL && *grp->key == '\0';

  if (canon != NULL)
    kind = kind_of_stream_name (canon);
  if (kind == NULL && grp->raw != NULL && *grp->raw != '\0')
    kind = kind_of_words (grp->raw);
  if (kind == NULL && b->sensor != NULL && (b->n_streams == 1 || (grp->key != NULL && *grp->key == '\0')))
    kind = b->sensor->kind;
  if (kind == NULL && bare_vector
      && (b->flavor == IMU_CSV_FLAVOR_AXIVITY || b->flavor == IMU_CSV_FLAVOR_EMPATICA
          || b->flavor == IMU_CSV_FLAVOR_METAWEAR || b->d->header == NULL))
    kind = "accel";
  /* Bare x, y, z whose header gives them all one sensor's unit, "x (g)"
   * or "x (deg/s)": the unit says what they are. */
  if (kind == NULL && bare_vector && grp->cols->len > 0)
    {
      const char *first = NULL;

      for (guint i = 0; i < grp->cols->len; i++)
        {
          const Col *c = &b->cols[g_array_index (grp->cols, guint, i)];
          const char *k = *c->unit != '\0' ? imu_guess_channel_kind (NULL, c->unit) : NULL;

          if (k == NULL || (first != NULL && !g_str_equal (first, k)))
            {
              first = NULL;
              break;
            }
          first = k;
        }
      kind = first;
    }
  /* Bare x, y, z whose norm is 1 g (or 9.8 m/s²) at rest. */
  if (kind == NULL && bare_vector && grp->cols->len >= 3
      && guess_accel_unit (b->d, (guint *) grp->cols->data, 3) != NULL)
    kind = "accel";
  return kind;
}

/* The unit of a column that does not write one: what its producer is
 * known to write, else what the data says. */
static const char *
default_unit (Builder *b, const Col *c, const char *kind)
{
  const char *prefix = c->is_axis ? c->prefix : c->lname;
  gboolean accel = kind != NULL && g_str_equal (kind, "accel");
  const char *unit = "";

  switch (b->flavor)
    {
    case IMU_CSV_FLAVOR_MICROSTRAIN:
      for (guint u = 0; u < G_N_ELEMENTS (mscl_units); u++)
        if (g_str_equal (prefix, mscl_units[u].prefix))
          unit = mscl_units[u].unit;
      break;
    case IMU_CSV_FLAVOR_MOVELLA:
      for (guint u = 0; u < G_N_ELEMENTS (movella_units); u++)
        if (g_str_equal (prefix, movella_units[u].prefix))
          unit = movella_units[u].unit;
      break;
    case IMU_CSV_FLAVOR_EMPATICA:
      unit = "1/64 g";
      break;
    case IMU_CSV_FLAVOR_ACTILIFE:
      unit = "g";
      break;
    case IMU_CSV_FLAVOR_SENSORLOGGER:
      for (guint u = 0; u < G_N_ELEMENTS (sensorlogger_units); u++)
        if (g_str_equal (b->file_key, sensorlogger_units[u].file)
            && (g_str_equal (sensorlogger_units[u].column, "*") || g_str_equal (prefix, sensorlogger_units[u].column)))
          {
            unit = sensorlogger_units[u].unit;
            if (g_str_equal (unit, SL_RAW_ACCEL))
              /* The platform's unit when the folder's metadata say it;
               * else what the data say (raw accelerations hold gravity),
               * else iOS's default. check_accel_unit () then holds the
               * label against the data. */
              unit = b->hints->accel_unit != NULL ? b->hints->accel_unit
                     : b->file_accel_unit != NULL ? b->file_accel_unit : "g";
            else if (g_str_equal (unit, SL_RAW_PRESSURE))
              unit = b->hints->accel_unit != NULL && g_str_equal (b->hints->accel_unit, "m/s^2") ? "hPa" : "kPa";
            return unit;
          }
      if (kind != NULL && g_str_equal (kind, "orientation"))
        unit = c->is_axis ? "" : "rad";
      else if (kind != NULL && g_str_equal (kind, "gyro"))
        unit = "rad/s";
      else if (kind != NULL && g_str_equal (kind, "mag"))
        unit = "µT";
      else if (accel)
        unit = b->file_accel_unit != NULL ? b->file_accel_unit
               : b->hints->accel_unit != NULL ? b->hints->accel_unit : "m/s^2";
      break;
    case IMU_CSV_FLAVOR_AXIVITY:
      /* cwa-convert writes g and deg/s. */
      if (kind != NULL && g_str_equal (kind, "gyro"))
        unit = "deg/s";
      else if (accel)
        unit = b->file_accel_unit != NULL ? b->file_accel_unit : "g";
      break;
    case IMU_CSV_FLAVOR_METAWEAR:
      /* MetaBase writes units in its headers; older files name only the
       * sensor, in the file name. */
      if (b->sensor != NULL && b->sensor->unit != NULL && kind != NULL && g_str_equal (kind, b->sensor->kind))
        unit = b->sensor->unit;
      break;
    case IMU_CSV_FLAVOR_GENERIC:
    case IMU_CSV_FLAVOR_PHYPHOX:
    default:
      break;
    }
  if (*unit == '\0' && accel && b->file_accel_unit != NULL)
    unit = b->file_accel_unit;
  if (*unit == '\0' && accel && b->hints->accel_unit != NULL)
    unit = b->hints->accel_unit;
  return unit;
}

/* The largest interquartile range of the norm, relative to its median,
 * at which the norm is taken for gravity at rest. */
#define ACCEL_REST_SPREAD 0.1

/* One spelling of an acceleration unit the data can tell: "g", "m/s^2",
 * "mg"; NULL for others. */
static const char *
accel_unit_family (const char *unit)
{
  static const char * const ms2[] = { "m/s^2", "m/s²", "m/s2", "ms^-2", "ms-2", "m/s/s", "m s^-2" };

  if (unit == NULL)
    return NULL;
  if (g_ascii_strcasecmp (unit, "g") == 0)
    return "g";
  if (g_str_equal (unit, "mg") || g_str_equal (unit, "mG"))
    return "mg";
  for (guint i = 0; i < G_N_ELEMENTS (ms2); i++)
    if (g_str_equal (unit, ms2[i]))
      return "m/s^2";
  return NULL;
}

/* Whether a stream's acceleration has gravity removed, so that its norm
 * says nothing about its unit: Sensor Logger's Accelerometer.csv and
 * Core Motion's user acceleration, linear or free acceleration. */
static gboolean
gravity_removed (Builder *b, const Group *grp)
{
  static const char * const words[] = { "linear", "user", "free", "dynamic", "motion" };
  g_autofree char *raw = g_ascii_strdown (grp->raw != NULL ? grp->raw : "", -1);

  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    if (strstr (raw, words[i]) != NULL || strstr (b->file_key, words[i]) != NULL)
      return !(g_str_equal (b->file_key, "wristmotion") && strstr (raw, "gravity") != NULL);
  if (b->flavor == IMU_CSV_FLAVOR_SENSORLOGGER)
    return g_str_equal (b->file_key, "accelerometer") || g_str_equal (raw, "acceleration");
  return FALSE;
}

/* The unit of an acceleration stream, checked against the data where
 * gravity shows: the median norm of its first rows is 1 g at rest — 1
 * in g, 9.81 in m/s², 1000 in mg. When the unit the header or the
 * producer's table gives says otherwise (Sensor Logger's uncalibrated
 * accelerometer in g labelled m/s², a header that says g over values of
 * 9.8), the data win: the channels are labelled in the data's unit (the
 * values stay as written), the file gets W_UNIT_MISMATCH once and the
 * notes say what was changed. */
static void
check_accel_unit (Builder *b, const Group *grp, ImuStreamInfo *info)
{
  const char *stated = NULL;
  const char *data;
  guint n_accel = 0;
  double median = 0, spread = INFINITY;

  if (grp->cols->len < 3 || gravity_removed (b, grp))
    return;
  for (guint i = 0; i < 3; i++)
    {
      const ImuChannelInfo *ch = &info->channels[i];
      const char *family = accel_unit_family (ch->unit);

      if (ch->kind == NULL || !g_str_equal (ch->kind, "accel") || family == NULL
          || (stated != NULL && !g_str_equal (stated, family)))
        return;
      stated = family;
      n_accel++;
    }
  data = guess_accel_unit_median (b->d, (const guint *) grp->cols->data, 3, &median, &spread);
  /* Only a steady norm is gravity: user acceleration of about 1 m/s²
   * while moving is no proof of g. */
  if (n_accel < 3 || data == NULL || g_str_equal (data, stated) || spread > ACCEL_REST_SPREAD)
    return;
  {
    /* TRANSLATORS: "Stream “accelerometer uncalibrated”: labelled m/s^2, but the median norm of its first rows, 1.002, is gravity in g; …" */
    g_autofree char *note = g_strdup_printf (_("Stream “%s”: labelled %s, but the median norm of its first rows, %.4g, is gravity in %s; "
                                               "the values are kept and labelled %s."),
                                             info->name, info->channels[0].unit, median, data, data);
    add_note (b->l, note);
  }
  for (guint i = 0; i < grp->cols->len; i++)
    if (info->channels[i].kind != NULL && g_str_equal (info->channels[i].kind, "accel")
        && accel_unit_family (info->channels[i].unit) != NULL)
      {
        g_free (info->channels[i].unit);
        info->channels[i].unit = g_strdup (data);
      }
  if (!b->unit_mismatch)
    add_file_issue (b->l, b->d, IMU_ISSUE_UNIT_MISMATCH);
  b->unit_mismatch = TRUE;
}

static void
build_streams (Builder *b)
{
  ImuCsvLayout *l = b->l;
  gboolean rate_mismatch = FALSE;

  for (guint k = 0; k < b->groups->len; k++)
    {
      Group *grp = g_ptr_array_index (b->groups, k);
      guint n = grp->cols->len;
      g_autoptr(ImuStreamInfo) info = NULL;
      g_autofree char *name = NULL;
      g_autofree char *unique = NULL;
      const char *canon;
      const char *group_kind;
      const char *stream_kind = NULL;
      ImuCsvStream *cs;

      if (n == 0)
        continue;
      canon = grp->key != NULL ? canonical_stream_name (grp->raw) : NULL;
      group_kind = group_kind_for (b, grp, canon);
      name = stream_name_for (b, grp, canon, group_kind);
      unique = unique_name (l->streams, name);
      info = imu_stream_info_new (unique, n);

      for (guint i = 0; i < n; i++)
        {
          Col *c = &b->cols[g_array_index (grp->cols, guint, i)];
          const char *unit = c->unit;
          const char *kind;
          const char *ckind = NULL;

          /* The kind of this channel: its own name and unit first. */
          if (c->is_axis && c->prefix_raw != NULL && *c->prefix_raw != '\0')
            ckind = kind_of_words (c->prefix_raw);
          if (ckind == NULL && !c->is_axis)
            ckind = kind_of_words (c->name);
          if (ckind == NULL && *unit != '\0')
            ckind = imu_guess_channel_kind (c->name, unit);
          kind = ckind != NULL ? ckind : group_kind;
          if (*unit == '\0')
            unit = default_unit (b, c, kind);

          imu_stream_info_set_channel (info, i, c->name, unit, kind);
          info->channels[i].decimals = c->decimals;
          if (stream_kind == NULL)
            stream_kind = kind != NULL ? kind : "other";
          else if (!g_str_equal (stream_kind, kind != NULL ? kind : "other"))
            stream_kind = "mixed";
          c->stream = (int) l->streams->len;
        }
      check_accel_unit (b, grp, info);
      info->kind = g_strdup (stream_kind);
      info->time_format = l->time_format;
      info->time_format.column = g_strdup (l->time_format.column);

      cs = g_new0 (ImuCsvStream, 1);
      cs->info = g_steal_pointer (&info);
      cs->first_value = l->n_values;
      cs->fill_group = b->cols[g_array_index (grp->cols, guint, 0)].fill_group;
      for (guint i = 0; i < n; i++)
        {
          guint j = g_array_index (grp->cols, guint, i);
          l->columns[j].role = IMU_CSV_COL_VALUE;
          l->columns[j].value = l->n_values + i;
          l->columns[j].fill_group = b->cols[j].fill_group;
        }
      l->n_values += n;
      g_ptr_array_add (l->streams, cs);
    }

  for (guint j = 0; j < l->n_columns; j++)
    {
      if (b->cols[j].role == IMU_CSV_COL_TIME)
        l->columns[j].role = IMU_CSV_COL_TIME;
      else if (b->cols[j].role == IMU_CSV_COL_SKIP)
        {
          l->columns[j].role = IMU_CSV_COL_SKIP;
          l->columns[j].skip_reason = g_strdup (b->cols[j].skip_reason);
        }
    }

  /* Nominal rates: what the file or its folder states (a preamble's
   * OutputRate, Sensor Logger's sampleRateMs, MetaWear's file name), else
   * the rate measured on the data, rounded to a common one. A stated
   * rate stays the nominal one, but when the data's rate differs from it
   * by more than 5 % the file gets W_RATE_MISMATCH and a note. */
  for (guint s = 0; s < l->streams->len; s++)
    {
      ImuCsvStream *cs = g_ptr_array_index (l->streams, s);
      double stated = b->hints->rate_hz > 0 ? b->hints->rate_hz : b->d->rate_hz > 0 ? b->d->rate_hz : b->name_rate_hz;
      double measured = 0;

      if (l->time_mode == IMU_CSV_TIME_RATE)
        {
          cs->info->nominal_rate_hz = stated > 0 ? stated : l->rate_hz;
          continue;
        }
      measured = measure_rate (l, b->d, b->cols, cs->fill_group, b->device_value);
      cs->info->nominal_rate_hz = stated > 0 ? stated : nominal_of_measured (measured);
      if (stated > 0 && measured > 0 && fabs (measured - stated) > IMU_CSV_RATE_TOLERANCE * stated)
        {
          /* TRANSLATORS: "Stream “gyroscope”: 100 Hz stated, 50.01 Hz in the data …" */
          g_autofree char *note = g_strdup_printf (_("Stream “%s”: %.4g Hz stated, %.4g Hz in the data (the median interval of its first rows); "
                                                     "the stated rate is kept as the nominal rate."),
                                                   cs->info->name, stated, measured);

          if (!rate_mismatch)
            add_file_issue (l, b->d, IMU_ISSUE_RATE_MISMATCH);
          rate_mismatch = TRUE;
          add_note (l, note);
        }
    }
}

gboolean
imu_csv_layout_build (const ImuCsvDialect  *d,
                      const char           *file_name,
                      const ImuCsvHints    *hints,
                      ImuCsvLayout         *l,
                      GError              **error)
{
  static const ImuCsvHints no_hints = { 0 };
  Builder b = { 0 };
  gboolean ok = FALSE;

  memset (l, 0, sizeof *l);
  l->time_column = -1;
  l->n_columns = d->n_fields;
  l->columns = g_new0 (ImuCsvColumn, l->n_columns);
  l->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) csv_stream_free);
  l->issues = g_array_new (FALSE, FALSE, sizeof (ImuCsvFileIssue));
  l->device_column = -1;
  l->date_order = d->date_order;

  b.d = d;
  b.hints = hints != NULL ? hints : &no_hints;
  b.l = l;
  b.cols = g_new0 (Col, l->n_columns);
  b.flavor = b.hints->flavor != IMU_CSV_FLAVOR_GENERIC ? b.hints->flavor : d->flavor;
  b.file_name = file_name;
  b.sensor = lookup_sensor (b.hints->stream_hint);
  if (b.sensor == NULL)
    b.sensor = lookup_sensor (file_name);
  if (b.sensor == NULL)
    b.sensor = lookup_name_words (file_name, &b.name_rate_hz);
  b.file_key = compact_key (b.hints->stream_hint != NULL ? b.hints->stream_hint : file_name);
  b.groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);
  b.device_column = -1;

  analyse_columns (&b);
  l->format = g_strdup (imu_csv_flavor_to_format (b.flavor));
  if (assign_roles (&b) == 0)
    {
      GString *what = g_string_new (NULL);

      for (guint j = 0; j < l->n_columns; j++)
        g_string_append_printf (what, "%s%s", j > 0 ? ", " : "", l->columns[j].label);
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER,
                   _("line %" PRId64 ": no column holds sensor values to import (columns: %s)."),
                   d->header_line > 0 ? d->header_line : d->first_data_line, what->str);
      g_string_free (what, TRUE);
      goto out;
    }
  find_device_column (&b);
  set_time_base (&b);
  find_constant_columns (&b);
  find_fill_groups (l, d, b.cols);
  name_channels (&b);
  plan_streams (&b);
  guess_file_accel_unit (&b);
  build_streams (&b);
  /* Checked here, before a row is read, so that a wide file is a bad
   * input with its reason, never a store failure in its first chunk. */
  for (guint s = 0; s < l->streams->len; s++)
    {
      const ImuCsvStream *cs = g_ptr_array_index (l->streams, s);

      if (cs->info->n_channels > IMU_STREAM_MAX_CHANNELS)
        {
          g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER,
                       _("line %" PRId64 ": stream “%s” would have %u channels, one per column; a stream holds at most %d. "
                         "Split the file into files of fewer columns, or name the columns by sensor and axis "
                         "(acc_x, gyro_x, …) so that they form several streams."),
                       d->header_line > 0 ? d->header_line : d->first_data_line, cs->info->name,
                       cs->info->n_channels, IMU_STREAM_MAX_CHANNELS);
          goto out;
        }
    }
  ok = TRUE;

out:
  for (guint j = 0; j < l->n_columns; j++)
    col_clear (&b.cols[j]);
  g_free (b.cols);
  g_free (b.file_key);
  g_ptr_array_unref (b.groups);
  return ok;
}

/* ---- Sensor Logger's sensors, shared with the recorder's push source ---- */

const char *
imu_csv_sensorlogger_unit (const char *kind,
                           gboolean    is_axis,
                           const char *accel_unit)
{
  if (kind == NULL)
    return "";
  if (g_str_equal (kind, "orientation"))
    return is_axis ? "" : "rad";
  if (g_str_equal (kind, "gyro"))
    return "rad/s";
  if (g_str_equal (kind, "mag"))
    return "µT";
  if (g_str_equal (kind, "accel"))
    return accel_unit != NULL ? accel_unit : "m/s^2";
  return "";
}

gboolean
imu_csv_sensorlogger_sensor (const char  *name,
                             const char **stream,
                             const char **kind)
{
  const KnownSensor *sensor = lookup_sensor (name);

  if (sensor == NULL)
    return FALSE;
  if (stream != NULL)
    *stream = sensor->stream;
  if (kind != NULL)
    *kind = sensor->kind;
  return TRUE;
}
