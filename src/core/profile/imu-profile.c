/* imu-profile.c — the streaming profiler: one pass per stream, split
 * between threads by channel; the profile document; the cached profile in
 * the library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-profile"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <glib/gi18n-lib.h>

#include "imu-chunk-cursor.h"
#include "imu-context.h"
#include "imu-profile-private.h"
#include "imu-time.h"
#include "imu-store-private.h"

#define NS_PER_S 1e9
/* Below this many samples a stream is profiled in the calling thread
 * alone: a second thread and connection would cost more than they save. */
#define PARALLEL_MIN_SAMPLES 200000
#define MAX_WORKERS 2

G_DEFINE_QUARK (imu-profile-error-quark, imu_profile_error)

/* ---- small helpers shared by the profiler's files ---- */

GArray *
imu_locations_new (void)
{
  return g_array_new (FALSE, FALSE, sizeof (ImuLocation));
}

void
imu_locations_add (GArray *locations,
                   guint   max,
                   gint64  index,
                   gint64  t_ns,
                   gint64  length,
                   gint64  duration_ns,
                   double  value)
{
  ImuLocation l = { index, t_ns, length, duration_ns, value };

  if (locations->len < max)
    g_array_append_val (locations, l);
}

ImuFindingDraft *
imu_finding_draft_new (const char *code,
                       const char *channel,
                       gint64      count,
                       GArray     *locations,
                       const char *format,
                       ...)
{
  ImuFindingDraft *d = g_new0 (ImuFindingDraft, 1);
  va_list args;

  d->code = g_strdup (code);
  d->channel = g_strdup (channel);
  d->count = count;
  d->locations = locations;
  va_start (args, format);
  d->message = g_strdup_vprintf (format, args);
  va_end (args);
  return d;
}

void
imu_finding_draft_free (gpointer data)
{
  ImuFindingDraft *d = data;

  if (d == NULL)
    return;
  g_free (d->code);
  g_free (d->channel);
  g_free (d->message);
  if (d->locations != NULL)
    g_array_unref (d->locations);
  g_free (d);
}

JsonNode *
imu_json_double_node (double value)
{
  JsonNode *node = json_node_alloc ();

  if (isfinite (value))
    return json_node_init_double (node, value);
  return json_node_init_null (node);
}

void
imu_json_set_double (JsonObject *object,
                     const char *member,
                     double      value)
{
  json_object_set_member (object, member, imu_json_double_node (value));
}

double
imu_json_round (double value,
                int    decimals)
{
  static const double powers[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9 };
  double f = decimals >= 0 && decimals < (int) G_N_ELEMENTS (powers) ? powers[decimals] : pow (10.0, decimals);

  if (!isfinite (value))
    return value;
  return round (value * f) / f;
}

void
imu_json_set_rounded (JsonObject *object,
                      const char *member,
                      double      value,
                      int         decimals)
{
  imu_json_set_double (object, member, imu_json_round (value, decimals));
}

double
imu_json_get_double (JsonObject *object,
                     const char *member)
{
  JsonNode *node;

  if (object == NULL || !(node = json_object_get_member (object, member)))
    return NAN;
  if (JSON_NODE_HOLDS_VALUE (node))
    {
      GType t = json_node_get_value_type (node);
      if (t == G_TYPE_DOUBLE || t == G_TYPE_INT64 || t == G_TYPE_INT || t == G_TYPE_BOOLEAN)
        return json_node_get_double (node);
    }
  return NAN;
}

static void
json_set_string_or_null (JsonObject *o,
                         const char *member,
                         const char *value)
{
  if (value != NULL)
    json_object_set_string_member (o, member, value);
  else
    json_object_set_null_member (o, member);
}

char *
imu_format_time_iso (gint64 t_ns)
{
  gint64 s, begin, end;
  gint64 ms;

  /* Any int64 time, 1677 to 2262: the floor division in 128 bits. */
  imu_time_window_locate (0, 1000000000, t_ns, &s, &begin, &end);
  ms = (gint64) (((__int128) t_ns - (__int128) s * 1000000000) / 1000000);
  g_autoptr(GDateTime) dt = NULL;

  dt = g_date_time_new_from_unix_utc (s);
  if (dt == NULL)
    return g_strdup_printf ("%" PRId64 "ns", t_ns);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
                          g_date_time_get_year (dt), g_date_time_get_month (dt),
                          g_date_time_get_day_of_month (dt), g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt), g_date_time_get_second (dt), (int) ms);
}

char *
imu_profile_format_duration (double seconds)
{
  if (!isfinite (seconds))
    return g_strdup ("?");
  if (seconds < 60)
    /* TRANSLATORS: a duration in seconds */
    return g_strdup_printf (_("%.3g s"), seconds);
  if (seconds < 3600)
    /* TRANSLATORS: minutes and seconds */
    return g_strdup_printf (_("%d min %02d s"), (int) (seconds / 60), (int) fmod (seconds, 60));
  /* TRANSLATORS: hours and minutes */
  return g_strdup_printf (_("%d h %02d min"), (int) (seconds / 3600), (int) fmod (seconds / 60, 60));
}

JsonNode *
imu_locations_to_json (GArray *locations)
{
  JsonArray *a = json_array_new ();

  for (guint i = 0; locations != NULL && i < locations->len; i++)
    {
      ImuLocation *l = &g_array_index (locations, ImuLocation, i);
      JsonObject *o = json_object_new ();
      g_autofree char *when = imu_format_time_iso (l->t_ns);

      json_object_set_int_member (o, "index", l->index);
      json_object_set_int_member (o, "t_ns", l->t_ns);
      json_object_set_string_member (o, "time", when);
      if (l->length > 0)
        json_object_set_int_member (o, "length", l->length);
      if (l->duration_ns > 0)
        imu_json_set_double (o, "duration_s", (double) l->duration_ns / NS_PER_S);
      if (!isnan (l->value))
        {
          if (isfinite (l->value))
            imu_json_set_double (o, "value", l->value);
          else
            json_object_set_string_member (o, "value", isinf (l->value) ? (l->value > 0 ? "Infinity" : "-Infinity") : "NaN");
        }
      json_array_add_object_element (a, o);
    }
  return json_node_init_array (json_node_alloc (), a);
}

double
imu_accel_unit_to_g (const char *unit)
{
  if (unit == NULL)
    return 0;
  if (g_str_equal (unit, "g"))
    return 1.0;
  if (g_str_equal (unit, "mg"))
    return 1e-3;
  if (g_str_equal (unit, "m/s^2") || g_str_equal (unit, "m/s²") || g_str_equal (unit, "m/s2"))
    return 1.0 / 9.80665;
  if (g_str_equal (unit, "1/64 g"))
    return 1.0 / 64.0;
  return 0;
}

gboolean
imu_find_accel_triple (const ImuStreamInfo *info,
                       guint                axes[3])
{
  /* First pass: no "gravity…" channels (Apple's gravity vector is not
   * what the wearer's movement measures); second pass: any. */
  for (guint pass = 0; pass < 2; pass++)
    {
      guint found = 0;

      for (guint c = 0; c < info->n_channels && found < 3; c++)
        {
          const ImuChannelInfo *ci = &info->channels[c];

          if (g_strcmp0 (ci->kind, "accel") != 0 || imu_accel_unit_to_g (ci->unit) == 0)
            continue;
          if (pass == 0 && ci->name != NULL && g_ascii_strncasecmp (ci->name, "gravity", 7) == 0)
            continue;
          axes[found++] = c;
        }
      if (found == 3)
        return TRUE;
    }
  return FALSE;
}

/* ---- severities and findings ---- */

const char *
imu_severity_to_string (ImuSeverity severity)
{
  switch (severity)
    {
    case IMU_SEVERITY_ERROR: return "error";
    case IMU_SEVERITY_WARNING: return "warning";
    case IMU_SEVERITY_INFO:
    default: return "info";
    }
}

ImuSeverity
imu_severity_from_code (const char *code)
{
  if (code != NULL && g_str_has_prefix (code, "E_"))
    return IMU_SEVERITY_ERROR;
  if (code != NULL && g_str_has_prefix (code, "W_"))
    return IMU_SEVERITY_WARNING;
  return IMU_SEVERITY_INFO;
}

void
imu_finding_free (ImuFinding *finding)
{
  if (finding == NULL)
    return;
  g_free (finding->code);
  g_free (finding->source);
  g_free (finding->stream);
  g_free (finding->channel);
  g_free (finding->message);
  g_free (finding);
}

/* ---- options ---- */

void
imu_profile_options_init (ImuProfileOptions *o)
{
  memset (o, 0, sizeof *o);
  o->gap_factor = 1.5;
  o->rate_tolerance = 0.02;
  o->jitter_tolerance = 0.05;
  o->clip_min_run = 3;
  o->clip_range_fraction = 0.001;
  o->flat_window_s = 1.0;
  o->flat_std_max = 0.0;
  o->flat_min_s = 10.0;
  o->outlier_z = 3.5;
  o->outlier_max_fraction = 0.01;
  o->nonwear_window_s = 3600;
  o->nonwear_step_s = 900;
  o->nonwear_std_mg = 13;
  o->nonwear_range_mg = 50;
  o->nonwear_min_axes = 2;
  o->static_window_s = 10;
  o->static_std_mg = 13;
  o->calibration_error_mg = 10;
  o->sphere_min_g = 0.3;
  o->epoch_s = 5;
  o->light_mg = 45.8;
  o->moderate_mg = 93.2;
  o->vigorous_mg = 418.3;
  o->peak_threshold_g = 1.5;
  o->peak_refractory_s = 0.25;
  o->gravity_min_g = 0.5;
  o->welch_segment = 256;
  o->max_locations = 10;
  o->max_listed_gaps = 100;
  o->threads = 0;
}

static gboolean
check_option (gboolean     ok,
              const char  *name,
              double       value,
              GError     **error)
{
  if (!ok)
    g_set_error (error, IMU_PROFILE_ERROR, IMU_PROFILE_ERROR_INVALID_OPTIONS,
                 _("The profile option %s cannot be %g."), name, value);
  return ok;
}

gboolean
imu_profile_options_validate (const ImuProfileOptions *o,
                              GError                 **error)
{
  double steps = o->nonwear_window_s / o->nonwear_step_s;

  g_return_val_if_fail (o != NULL, FALSE);

  return check_option (o->gap_factor > 1 && isfinite (o->gap_factor), "gap_factor", o->gap_factor, error)
         && check_option (o->rate_tolerance >= 0, "rate_tolerance", o->rate_tolerance, error)
         && check_option (o->jitter_tolerance >= 0, "jitter_tolerance", o->jitter_tolerance, error)
         && check_option (o->clip_min_run >= 1, "clip_min_run", o->clip_min_run, error)
         && check_option (o->clip_range_fraction >= 0 && o->clip_range_fraction < 0.5,
                          "clip_range_fraction", o->clip_range_fraction, error)
         && check_option (o->flat_window_s >= 0.001 && o->flat_window_s <= 86400, "flat_window_s", o->flat_window_s, error)
         && check_option (o->flat_std_max >= 0, "flat_std_max", o->flat_std_max, error)
         && check_option (o->flat_min_s >= 0, "flat_min_s", o->flat_min_s, error)
         && check_option (o->outlier_z > 0, "outlier_z", o->outlier_z, error)
         && check_option (o->outlier_max_fraction >= 0 && o->outlier_max_fraction <= 1,
                          "outlier_max_fraction", o->outlier_max_fraction, error)
         && check_option (o->nonwear_step_s >= 1 && o->nonwear_step_s <= 86400, "nonwear_step_s", o->nonwear_step_s, error)
         && check_option (o->nonwear_window_s >= o->nonwear_step_s && fabs (steps - round (steps)) < 1e-9
                          && steps <= 1000, "nonwear_window_s", o->nonwear_window_s, error)
         && check_option (o->nonwear_std_mg > 0, "nonwear_std_mg", o->nonwear_std_mg, error)
         && check_option (o->nonwear_range_mg > 0, "nonwear_range_mg", o->nonwear_range_mg, error)
         && check_option (o->nonwear_min_axes >= 1 && o->nonwear_min_axes <= 3, "nonwear_min_axes",
                          o->nonwear_min_axes, error)
         && check_option (o->static_window_s >= 0.1 && o->static_window_s <= 3600, "static_window_s",
                          o->static_window_s, error)
         && check_option (o->static_std_mg > 0, "static_std_mg", o->static_std_mg, error)
         && check_option (o->calibration_error_mg >= 0, "calibration_error_mg", o->calibration_error_mg, error)
         && check_option (o->sphere_min_g >= 0 && o->sphere_min_g < 1, "sphere_min_g", o->sphere_min_g, error)
         && check_option (o->epoch_s >= 0.01 && o->epoch_s <= 86400, "epoch_s", o->epoch_s, error)
         && check_option (o->light_mg >= 0 && o->moderate_mg >= o->light_mg && o->vigorous_mg >= o->moderate_mg,
                          "light_mg/moderate_mg/vigorous_mg", o->moderate_mg, error)
         && check_option (o->peak_threshold_g > 0, "peak_threshold_g", o->peak_threshold_g, error)
         && check_option (o->peak_refractory_s >= 0, "peak_refractory_s", o->peak_refractory_s, error)
         && check_option (o->gravity_min_g >= 0 && o->gravity_min_g < 1, "gravity_min_g", o->gravity_min_g, error)
         && check_option (o->welch_segment >= 16 && o->welch_segment <= 65536
                          && (o->welch_segment & (o->welch_segment - 1)) == 0,
                          "welch_segment", o->welch_segment, error)
         && check_option (o->max_locations <= 10000, "max_locations", o->max_locations, error)
         && check_option (o->max_listed_gaps <= 100000, "max_listed_gaps", o->max_listed_gaps, error);
}

JsonNode *
imu_profile_options_to_json (const ImuProfileOptions *o)
{
  JsonObject *j = json_object_new ();

  imu_json_set_double (j, "gap_factor", o->gap_factor);
  imu_json_set_double (j, "rate_tolerance", o->rate_tolerance);
  imu_json_set_double (j, "jitter_tolerance", o->jitter_tolerance);
  json_object_set_int_member (j, "clip_min_run", o->clip_min_run);
  imu_json_set_double (j, "clip_range_fraction", o->clip_range_fraction);
  imu_json_set_double (j, "flat_window_s", o->flat_window_s);
  imu_json_set_double (j, "flat_std_max", o->flat_std_max);
  imu_json_set_double (j, "flat_min_s", o->flat_min_s);
  imu_json_set_double (j, "outlier_z", o->outlier_z);
  imu_json_set_double (j, "outlier_max_fraction", o->outlier_max_fraction);
  imu_json_set_double (j, "nonwear_window_s", o->nonwear_window_s);
  imu_json_set_double (j, "nonwear_step_s", o->nonwear_step_s);
  imu_json_set_double (j, "nonwear_std_mg", o->nonwear_std_mg);
  imu_json_set_double (j, "nonwear_range_mg", o->nonwear_range_mg);
  json_object_set_int_member (j, "nonwear_min_axes", o->nonwear_min_axes);
  imu_json_set_double (j, "static_window_s", o->static_window_s);
  imu_json_set_double (j, "static_std_mg", o->static_std_mg);
  imu_json_set_double (j, "calibration_error_mg", o->calibration_error_mg);
  imu_json_set_double (j, "sphere_min_g", o->sphere_min_g);
  imu_json_set_double (j, "epoch_s", o->epoch_s);
  imu_json_set_double (j, "light_mg", o->light_mg);
  imu_json_set_double (j, "moderate_mg", o->moderate_mg);
  imu_json_set_double (j, "vigorous_mg", o->vigorous_mg);
  imu_json_set_double (j, "peak_threshold_g", o->peak_threshold_g);
  imu_json_set_double (j, "peak_refractory_s", o->peak_refractory_s);
  imu_json_set_double (j, "gravity_min_g", o->gravity_min_g);
  json_object_set_int_member (j, "welch_segment", o->welch_segment);
  json_object_set_int_member (j, "max_locations", o->max_locations);
  json_object_set_int_member (j, "max_listed_gaps", o->max_listed_gaps);
  return json_node_init_object (json_node_alloc (), j);
}

char *
imu_profile_options_hash (const ImuProfileOptions *options)
{
  g_autoptr(JsonNode) node = imu_profile_options_to_json (options);
  g_autofree char *text = imu_profile_root_to_text (node, FALSE, NULL);
  g_autofree char *sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, text, -1);

  return g_strndup (sum, 16);
}

/* ---- the profile object ---- */

struct _ImuProfile
{
  gatomicrefcount  ref;
  JsonNode        *root;
  gboolean         cached;
};

G_DEFINE_BOXED_TYPE (ImuProfile, imu_profile, imu_profile_ref, imu_profile_unref)

ImuProfile *
imu_profile_ref (ImuProfile *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref);
  return self;
}

void
imu_profile_unref (ImuProfile *self)
{
  if (self == NULL)
    return;
  if (g_atomic_ref_count_dec (&self->ref))
    {
      json_node_unref (self->root);
      g_free (self);
    }
}

ImuProfile *
imu_profile_new_take_root (JsonNode *root,
                           gboolean  cached)
{
  ImuProfile *self = g_new0 (ImuProfile, 1);

  g_atomic_ref_count_init (&self->ref);
  self->root = root;
  self->cached = cached;
  json_node_seal (root);
  return self;
}

JsonNode *
imu_profile_get_root (ImuProfile *self)
{
  return self->root;
}

static JsonObject *
root_object (ImuProfile *self)
{
  return json_node_get_object (self->root);
}

gint64
imu_profile_get_session_id (ImuProfile *self)
{
  JsonObject *s = json_object_get_object_member (root_object (self), "session");

  return s != NULL ? json_object_get_int_member (s, "id") : 0;
}

gboolean
imu_profile_is_cached (ImuProfile *self)
{
  return self->cached;
}

static JsonArray *
findings_array (ImuProfile *self)
{
  return json_object_get_array_member (root_object (self), "findings");
}

guint
imu_profile_get_n_findings (ImuProfile *self)
{
  JsonArray *a = findings_array (self);

  return a != NULL ? json_array_get_length (a) : 0;
}

static const char *
object_string (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_string (n) : NULL;
}

ImuFinding *
imu_profile_dup_finding (ImuProfile *self,
                         guint       index)
{
  JsonArray *a = findings_array (self);
  JsonObject *o;
  ImuFinding *f;

  g_return_val_if_fail (a != NULL && index < json_array_get_length (a), NULL);

  o = json_array_get_object_element (a, index);
  f = g_new0 (ImuFinding, 1);
  f->code = g_strdup (object_string (o, "code"));
  f->severity = imu_severity_from_code (f->code);
  f->source = g_strdup (object_string (o, "source"));
  f->stream = g_strdup (object_string (o, "stream"));
  f->channel = g_strdup (object_string (o, "channel"));
  f->count = json_object_get_int_member (o, "count");
  f->message = g_strdup (object_string (o, "message"));
  return f;
}

guint
imu_profile_count_findings (ImuProfile  *self,
                            ImuSeverity  severity)
{
  JsonArray *a = findings_array (self);
  guint n = 0;

  for (guint i = 0; a != NULL && i < json_array_get_length (a); i++)
    if (imu_severity_from_code (object_string (json_array_get_object_element (a, i), "code")) == severity)
      n++;
  return n;
}

void
imu_format_shortest (char   buf[G_ASCII_DTOSTR_BUF_SIZE],
                     double v)
{
  /* %.15g drops trailing zeros, and when 15 digits read back exactly no
   * shorter text does better: a double is within half an ulp (~1e-16
   * relative) of its shortest decimal, well inside the rounding of the
   * 15th digit. Only doubles needing 16 or 17 digits take another try. */
  g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.15g", v);
  if (g_ascii_strtod (buf, NULL) == v)
    return;
  g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.16g", v);
  if (g_ascii_strtod (buf, NULL) == v)
    return;
  g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.17g", v);
}

static const double pow10_table[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };

/* Decimal digits of @v, at least @min_digits (zero-padded): printf costs
 * more than the whole rest of the serialiser. */
static void
append_uint (GString *out,
             guint64  v,
             int      min_digits)
{
  char buf[24];
  int i = sizeof buf;

  do
    {
      buf[--i] = (char) ('0' + v % 10);
      v /= 10;
      min_digits--;
    }
  while (v != 0 || min_digits > 0);
  g_string_append_len (out, buf + i, (gssize) (sizeof buf - i));
}

static void
append_int (GString *out,
            gint64   v)
{
  if (v < 0)
    {
      g_string_append_c (out, '-');
      append_uint (out, (guint64) 0 - (guint64) v, 1);
    }
  else
    append_uint (out, (guint64) v, 1);
}

/* A double in its shortest round-trip text, fast for the common case of a
 * value with at most 6 decimals (per-epoch results are rounded so): when
 * k / 10^6 is the double itself, k with its trailing zeros dropped is the
 * shortest decimal, with no printf and no strtod. */
static void
append_double (GString *out,
               double   v)
{
  double y = v * 1e6;

  if (!isfinite (v))
    {
      g_string_append (out, "null");
      return;
    }
  if (fabs (y) < 4503599627370496.0)   /* 2^52 */
    {
      gint64 k = (gint64) llround (y);

      if ((double) k / 1e6 == v && !(k == 0 && signbit (v)))
        {
          guint64 a = (guint64) (k < 0 ? -k : k);
          int d = 6;
          guint64 ip, fp;

          while (d > 0 && a % 10 == 0)
            {
              a /= 10;
              d--;
            }
          ip = a / (guint64) pow10_table[d];
          fp = a % (guint64) pow10_table[d];
          if (k < 0)
            g_string_append_c (out, '-');
          append_uint (out, ip, 1);
          g_string_append_c (out, '.');
          append_uint (out, fp, d == 0 ? 1 : d);
          return;
        }
    }
  {
    char buf[G_ASCII_DTOSTR_BUF_SIZE];

    imu_format_shortest (buf, v);
    g_string_append (out, buf);
    /* Keep it a JSON float ("1e+20" and "3.5" are; "100" would read back
     * as an integer). */
    if (strpbrk (buf, ".eEn") == NULL)
      g_string_append (out, ".0");
  }
}

static void
append_string (GString    *out,
               const char *str)
{
  g_string_append_c (out, '"');
  for (const guchar *p = (const guchar *) str; *p != '\0'; p++)
    {
      switch (*p)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (*p < 0x20)
            g_string_append_printf (out, "\\u%04x", *p);
          else
            g_string_append_c (out, (char) *p);
        }
    }
  g_string_append_c (out, '"');
}

static void
append_indent (GString *out, gboolean pretty, int depth)
{
  if (!pretty)
    return;
  g_string_append_c (out, '\n');
  for (int i = 0; i < depth; i++)
    g_string_append (out, "  ");
}

/* Arrays of numbers or nulls stay on one line when pretty-printed: the
 * per-epoch columns would otherwise take a line per value. */
static gboolean
is_flat_array (JsonArray *a)
{
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *n = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_NULL (n) && !JSON_NODE_HOLDS_VALUE (n))
        return FALSE;
    }
  return TRUE;
}

static void
append_node (GString  *out,
             JsonNode *node,
             gboolean  pretty,
             int       depth)
{
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        gboolean first = TRUE;

        g_string_append_c (out, '{');
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            if (!first)
              g_string_append_c (out, ',');
            first = FALSE;
            append_indent (out, pretty, depth + 1);
            append_string (out, name);
            g_string_append (out, pretty ? ": " : ":");
            append_node (out, member, pretty, depth + 1);
          }
        if (!first)
          append_indent (out, pretty, depth);
        g_string_append_c (out, '}');
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *a = json_node_get_array (node);
        guint n = json_array_get_length (a);
        gboolean flat = is_flat_array (a);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append (out, flat && pretty ? ", " : ",");
            if (!flat)
              append_indent (out, pretty, depth + 1);
            append_node (out, json_array_get_element (a, i), pretty, depth + 1);
          }
        if (!flat && n > 0)
          append_indent (out, pretty, depth);
        g_string_append_c (out, ']');
        break;
      }
    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;
    case JSON_NODE_VALUE:
    default:
      {
        GType t = json_node_get_value_type (node);

        if (t == G_TYPE_INT64 || t == G_TYPE_INT)
          append_int (out, json_node_get_int (node));
        else if (t == G_TYPE_DOUBLE || t == G_TYPE_FLOAT)
          append_double (out, json_node_get_double (node));
        else if (t == G_TYPE_BOOLEAN)
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
        else if (t == G_TYPE_STRING)
          append_string (out, json_node_get_string (node));
        else
          g_string_append (out, "null");
        break;
      }
    }
}

/* The document built with json-glib, serialised here rather than by
 * JsonGenerator: it writes doubles with %.17g ("45.799999999999997"),
 * and its output would have to be parsed again to shorten them; this
 * writes each number once, in its shortest form, several times faster on
 * the per-epoch columns. */
char *
imu_profile_root_to_text (JsonNode *root,
                          gboolean  pretty,
                          gsize    *length)
{
  GString *out = g_string_sized_new (1 << 16);

  append_node (out, root, pretty, 0);
  if (length != NULL)
    *length = out->len;
  return g_string_free (out, FALSE);
}

ImuProfile *
imu_profile_new_from_json (const char  *json,
                           gssize       length,
                           GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;
  JsonObject *o;

  if (!json_parser_load_from_data (parser, json, length, error))
    {
      g_prefix_error (error, _("The profile is not valid JSON: "));
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || g_strcmp0 (object_string (o = json_node_get_object (root), "schema"), IMU_PROFILE_SCHEMA) != 0)
    {
      g_set_error (error, IMU_PROFILE_ERROR, IMU_PROFILE_ERROR_CORRUPT,
                   _("The document is not an IMU Studio profile (its “schema” is not “%s”)."), IMU_PROFILE_SCHEMA);
      return NULL;
    }
  if (json_object_get_int_member (o, "version") != IMU_PROFILE_SCHEMA_VERSION)
    {
      g_set_error (error, IMU_PROFILE_ERROR, IMU_PROFILE_ERROR_CORRUPT,
                   _("The profile has version %" PRId64 "; this IMU Studio reads version %d."),
                   json_object_get_int_member (o, "version"), IMU_PROFILE_SCHEMA_VERSION);
      return NULL;
    }
  return imu_profile_new_take_root (json_node_ref (root), FALSE);
}

/* ---- the streaming pass ---- */

typedef enum {
  UNIT_TIME,
  UNIT_CHANNEL,
  UNIT_MOVEMENT,
  UNIT_WELCH,
} UnitKind;

typedef struct {
  UnitKind  kind;
  guint     channel;
  double    cost;
  gpointer  acc;
} Unit;

typedef struct _Pass Pass;

typedef struct {
  Pass      *pass;
  guint      index;
  GPtrArray *units;        /* Unit*, borrowed */
  gboolean  *need;         /* [n_channels] */
  double     load;
  GThread   *thread;
  GError    *error;
  gint64     done;         /* samples, under pass->lock */
  double     cpu_s;        /* thread CPU time of the pass, for the debug log */
  guint64    consumed;     /* ring slots processed, under pass->lock */
  /* decoding buffers */
  gint64    *t;
  double   **cols;
  double   **decode;
  guint      cap;
  gboolean   first;
} Worker;

/* A chunk's encoded bytes, copied out of the library by the reading
 * worker's cursor so that every worker decodes its own columns from the
 * same read. */
typedef struct {
  ImuChunk *chunk;
} Slot;

#define RING_SLOTS 32

struct _Pass
{
  const ImuStreamInfo *info;
  guint          n_channels;
  GPtrArray     *units;    /* Unit*, owned */
  Worker         workers[MAX_WORKERS];
  guint          n_workers;
  GCancellable  *cancellable;
  gint           abort;
  GMutex         lock;
  GCond          cond;
  Slot           ring[RING_SLOTS];
  guint64        produced;  /* under lock */
  gboolean       finished;  /* the reader is done (under lock) */
  ImuProgressFunc progress;
  gpointer       progress_data;
  guint64        progress_base;
  guint64        progress_total;
};

static void
unit_free (gpointer data)
{
  Unit *u = data;

  switch (u->kind)
    {
    case UNIT_TIME: imu_time_profiler_free (u->acc); break;
    case UNIT_CHANNEL: imu_channel_profiler_free (u->acc); break;
    case UNIT_MOVEMENT: imu_movement_profiler_free (u->acc); break;
    case UNIT_WELCH: imu_welch_free (u->acc); break;
    default: g_assert_not_reached ();
    }
  g_free (u);
}

static Unit *
unit_new (UnitKind kind, guint channel, double cost, gpointer acc)
{
  Unit *u = g_new0 (Unit, 1);

  u->kind = kind;
  u->channel = channel;
  u->cost = cost;
  u->acc = acc;
  return u;
}

static int
unit_cost_cmp (gconstpointer a, gconstpointer b)
{
  const Unit *x = *(const Unit * const *) a, *y = *(const Unit * const *) b;

  return x->cost > y->cost ? -1 : x->cost < y->cost;
}

/* Relative costs of the work of a pass, measured on a day of 100 Hz data:
 * a channel's statistics and quality checks 3, its spectrum 3, movement
 * 2.5, the time base 1.2; decoding a column 0.5; reading and copying the
 * chunks out of SQLite (the reading worker's) 5. */
#define DECODE_COST 0.5
#define IO_COST 5.0

/* Longest processing time first: each unit goes to the worker that
 * would finish earliest, counting the columns it would have to decode. */
static void
assign_units (Pass *pass)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();

  for (guint i = 0; i < pass->units->len; i++)
    g_ptr_array_add (sorted, g_ptr_array_index (pass->units, i));
  g_ptr_array_sort (sorted, unit_cost_cmp);

  for (guint i = 0; i < sorted->len; i++)
    {
      Unit *u = g_ptr_array_index (sorted, i);
      guint best = 0;
      double best_load = INFINITY;

      for (guint w = 0; w < pass->n_workers; w++)
        {
          Worker *wk = &pass->workers[w];
          double extra = 0;

          if (u->kind == UNIT_CHANNEL || u->kind == UNIT_WELCH)
            extra = wk->need[u->channel] ? 0 : DECODE_COST;
          else if (u->kind == UNIT_MOVEMENT)
            {
              guint axes[3];

              imu_find_accel_triple (pass->info, axes);
              for (guint k = 0; k < 3; k++)
                extra += wk->need[axes[k]] ? 0 : DECODE_COST;
            }
          if (wk->load + u->cost + extra < best_load)
            {
              best_load = wk->load + u->cost + extra;
              best = w;
            }
        }
      {
        Worker *wk = &pass->workers[best];

        wk->load = best_load;
        g_ptr_array_add (wk->units, u);
        if (u->kind == UNIT_CHANNEL || u->kind == UNIT_WELCH)
          wk->need[u->channel] = TRUE;
        else if (u->kind == UNIT_MOVEMENT)
          {
            guint axes[3];

            imu_find_accel_triple (pass->info, axes);
            for (guint k = 0; k < 3; k++)
              wk->need[axes[k]] = TRUE;
          }
      }
    }
}

static void
report_progress (Pass   *pass,
                 Worker *self,
                 gint64  samples)
{
  gint64 done = G_MAXINT64;

  g_mutex_lock (&pass->lock);
  self->done += samples;
  for (guint w = 0; w < pass->n_workers; w++)
    done = MIN (done, pass->workers[w].done);
  g_mutex_unlock (&pass->lock);
  /* Only the calling thread reports: callers expect their own thread. */
  if (self->index == 0 && pass->progress != NULL)
    pass->progress (pass->progress_base + (guint64) done, pass->progress_total, pass->progress_data);
}

/* Decodes the timestamps and the columns this worker's units need from
 * one chunk, and feeds them. */
static gboolean
worker_process (Worker      *self,
                const Slot  *slot,
                GError     **error)
{
  Pass *pass = self->pass;
  guint nc = pass->n_channels;
  const ImuChunkInfo *ci = imu_chunk_get_info (slot->chunk);
  guint ns = ci->n_samples;
  ImuProfileChunk chunk;

  if (ns > self->cap)
    {
      self->cap = ns;
      g_free (self->t);
      self->t = g_new (gint64, ns);
      for (guint c = 0; c < nc; c++)
        {
          g_free (self->cols[c]);
          self->cols[c] = self->need[c] ? g_new (double, ns) : NULL;
        }
    }
  for (guint c = 0; c < nc; c++)
    self->decode[c] = self->need[c] ? self->cols[c] : NULL;
  if (!imu_chunk_decode (slot->chunk, self->t, self->decode, error))
    return FALSE;
  if (self->first)
    {
      /* Channels whose source had no fixed decimals may still be stored
       * as decimal-scaled integers: try the codec's scale. */
      for (guint u = 0; u < self->units->len; u++)
        {
          Unit *unit = g_ptr_array_index (self->units, u);
          if (unit->kind == UNIT_CHANNEL)
            imu_channel_profiler_set_decimals (unit->acc, imu_chunk_get_decimals (slot->chunk, unit->channel));
        }
      self->first = FALSE;
    }

  chunk.n = ns;
  chunk.first_index = ci->first_index;
  chunk.t = self->t;
  chunk.cols = self->cols;
  for (guint u = 0; u < self->units->len; u++)
    {
      Unit *unit = g_ptr_array_index (self->units, u);

      switch (unit->kind)
        {
        case UNIT_TIME: imu_time_profiler_feed (unit->acc, &chunk); break;
        case UNIT_CHANNEL: imu_channel_profiler_feed (unit->acc, &chunk); break;
        case UNIT_MOVEMENT: imu_movement_profiler_feed (unit->acc, &chunk); break;
        case UNIT_WELCH: imu_welch_feed (unit->acc, &chunk); break;
        default: g_assert_not_reached ();
        }
    }
  report_progress (pass, self, ns);
  return TRUE;
}

static double
thread_cpu_seconds (void)
{
  struct timespec ts;

  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
pass_abort (Pass *pass)
{
  g_mutex_lock (&pass->lock);
  g_atomic_int_set (&pass->abort, 1);
  g_cond_broadcast (&pass->cond);
  g_mutex_unlock (&pass->lock);
}

/* The reading worker (0, in the calling thread): steps through the
 * stream's chunks with the series' cursor (on the series' connection),
 * reads each into the ring once every other worker is done with that slot,
 * and processes it itself. */
static gboolean
worker_read (Worker     *self,
             ImuSeries  *series,
             GError    **error)
{
  Pass *pass = self->pass;
  g_autoptr(ImuChunkCursor) cursor = NULL;
  gboolean ok = TRUE;
  double cpu0 = thread_cpu_seconds ();

  if (!(cursor = imu_chunk_cursor_new (series, 0, error)))
    ok = FALSE;
  while (ok)
    {
      Slot *slot;
      gint64 got;

      if (g_cancellable_set_error_if_cancelled (pass->cancellable, error))
        {
          ok = FALSE;
          break;
        }
      /* Wait until the slot is free: every other worker is past it. */
      g_mutex_lock (&pass->lock);
      for (;;)
        {
          guint64 slowest = pass->produced;

          for (guint w = 1; w < pass->n_workers; w++)
            slowest = MIN (slowest, pass->workers[w].consumed);
          if (pass->produced - slowest < RING_SLOTS || g_atomic_int_get (&pass->abort))
            break;
          g_cond_wait (&pass->cond, &pass->lock);
        }
      g_mutex_unlock (&pass->lock);
      if (g_atomic_int_get (&pass->abort))
        {
          ok = FALSE;
          break;
        }
      slot = &pass->ring[pass->produced % RING_SLOTS];
      if (slot->chunk == NULL)
        slot->chunk = imu_chunk_new ();
      if ((got = imu_chunk_cursor_next (cursor, slot->chunk, error)) <= 0)
        {
          ok = got == 0;
          break;
        }
      g_mutex_lock (&pass->lock);
      pass->produced++;
      g_cond_broadcast (&pass->cond);
      g_mutex_unlock (&pass->lock);

      if (!worker_process (self, slot, error))
        {
          ok = FALSE;
          break;
        }
    }
  /* The read statement ends here, before the pass is finished. */
  g_clear_pointer (&cursor, imu_chunk_cursor_free);
  g_mutex_lock (&pass->lock);
  pass->finished = TRUE;
  if (!ok)
    g_atomic_int_set (&pass->abort, 1);
  g_cond_broadcast (&pass->cond);
  g_mutex_unlock (&pass->lock);
  self->cpu_s = thread_cpu_seconds () - cpu0;
  return ok;
}

/* A computing worker: takes the ring's slots in order as they fill. */
static gpointer
worker_thread (gpointer data)
{
  Worker *self = data;
  Pass *pass = self->pass;
  double cpu0 = thread_cpu_seconds ();

  for (;;)
    {
      Slot *slot;

      g_mutex_lock (&pass->lock);
      while (self->consumed == pass->produced && !pass->finished && !g_atomic_int_get (&pass->abort))
        g_cond_wait (&pass->cond, &pass->lock);
      if (g_atomic_int_get (&pass->abort) || self->consumed == pass->produced)
        {
          g_mutex_unlock (&pass->lock);
          break;
        }
      slot = &pass->ring[self->consumed % RING_SLOTS];
      g_mutex_unlock (&pass->lock);

      if (!worker_process (self, slot, &self->error))
        {
          pass_abort (pass);
          break;
        }
      g_mutex_lock (&pass->lock);
      self->consumed++;
      g_cond_broadcast (&pass->cond);
      g_mutex_unlock (&pass->lock);
    }
  self->cpu_s = thread_cpu_seconds () - cpu0;
  return NULL;
}

/* Profiles one stream: builds its accumulators, runs the pass, and
 * finishes them into the stream's JSON object and findings. */
static JsonNode *
profile_stream (ImuStore                *store,
                const ImuStreamInfo     *info,
                const ImuProfileOptions *options,
                GPtrArray               *findings,
                guint64                  progress_base,
                guint64                  progress_total,
                ImuProgressFunc          progress,
                gpointer                 progress_data,
                GCancellable            *cancellable,
                GError                 **error)
{
  Pass pass = { 0 };
  g_autoptr(ImuSeries) series = NULL;
  guint axes[3];
  gboolean moving = imu_find_accel_triple (info, axes);
  Unit *time_unit, *move_unit = NULL;
  GPtrArray *channel_units = g_ptr_array_new ();
  GPtrArray *welch_units = g_ptr_array_new ();
  JsonObject *o = NULL;
  JsonArray *channels = NULL;
  JsonNode *result = NULL;
  ImuStreamSummary summary;
  guint want_workers;
  gboolean ok = TRUE;
  gint64 t_start = g_get_monotonic_time ();
  double cpu_finish = 0;

  pass.info = info;
  pass.n_channels = info->n_channels;
  pass.units = g_ptr_array_new_with_free_func (unit_free);
  pass.cancellable = cancellable;
  pass.progress = progress;
  pass.progress_data = progress_data;
  pass.progress_base = progress_base;
  pass.progress_total = progress_total;
  g_mutex_init (&pass.lock);

  time_unit = unit_new (UNIT_TIME, 0, 1.2, imu_time_profiler_new (options, info));
  g_ptr_array_add (pass.units, time_unit);
  for (guint c = 0; c < info->n_channels; c++)
    {
      Unit *u = unit_new (UNIT_CHANNEL, c, 3.0, imu_channel_profiler_new (options, info, c));
      g_ptr_array_add (pass.units, u);
      g_ptr_array_add (channel_units, u);
    }
  if (moving)
    {
      move_unit = unit_new (UNIT_MOVEMENT, 0, 2.5, imu_movement_profiler_new (options, info, axes));
      g_ptr_array_add (pass.units, move_unit);
      for (guint k = 0; k < 3; k++)
        {
          Unit *u = unit_new (UNIT_WELCH, axes[k], 3.0, imu_welch_new (options->welch_segment, axes[k]));
          g_ptr_array_add (pass.units, u);
          g_ptr_array_add (welch_units, u);
        }
    }

  /* Workers: the calling thread reads the chunks (on @store's
   * connection) and shares them with a second thread for a long stream
   * when there are processors to spare; each decodes its own columns. */
  want_workers = options->threads > 0 ? options->threads : g_get_num_processors ();
  want_workers = CLAMP (want_workers, 1, MAX_WORKERS);
  if (info->n_samples < PARALLEL_MIN_SAMPLES)
    want_workers = 1;
  pass.n_workers = want_workers;
  g_cond_init (&pass.cond);
  for (guint w = 0; w < pass.n_workers; w++)
    {
      Worker *wk = &pass.workers[w];

      wk->pass = &pass;
      wk->index = w;
      wk->units = g_ptr_array_new ();
      wk->need = g_new0 (gboolean, MAX (info->n_channels, 1));
      wk->cols = g_new0 (double *, MAX (info->n_channels, 1));
      wk->decode = g_new0 (double *, MAX (info->n_channels, 1));
      wk->first = TRUE;
    }
  /* Reading and copying the chunks is worker 0's extra work. */
  pass.workers[0].load = 1.0;
  assign_units (&pass);

  g_debug ("stream “%s”: %u workers, set up in %.3f s", info->name, pass.n_workers,
           (g_get_monotonic_time () - t_start) / 1e6);
  /* The series reads the chunks, and later the few that hold outliers. */
  if ((series = imu_series_new (store, info->id, error)) != NULL)
    for (guint w = 1; w < pass.n_workers; w++)
      pass.workers[w].thread = g_thread_new ("imu-profile", worker_thread, &pass.workers[w]);
  if (series == NULL || !worker_read (&pass.workers[0], series, error))
    ok = FALSE;
  g_debug ("stream “%s”: worker 0 done at %.3f s", info->name, (g_get_monotonic_time () - t_start) / 1e6);
  for (guint w = 1; w < pass.n_workers; w++)
    {
      if (pass.workers[w].thread == NULL)
        continue;
      g_thread_join (pass.workers[w].thread);
      if (pass.workers[w].error != NULL)
        {
          /* A computing worker's error explains the reader's abort. */
          g_clear_error (error);
          g_propagate_error (error, g_steal_pointer (&pass.workers[w].error));
          ok = FALSE;
        }
    }
  if (!ok)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, IMU_PROFILE_ERROR, IMU_PROFILE_ERROR_FAILED, _("The profile pass failed."));
      goto out;
    }
  g_debug ("stream “%s”: pass done at %.3f s; CPU per worker: %.3f s, %.3f s", info->name,
           (g_get_monotonic_time () - t_start) / 1e6, pass.workers[0].cpu_s,
           pass.n_workers > 1 ? pass.workers[1].cpu_s : 0.0);
  cpu_finish = thread_cpu_seconds ();

  /* Finishing, in this thread: the time base first. */
  o = json_object_new ();
  json_object_set_int_member (o, "id", info->id);
  json_object_set_string_member (o, "name", info->name);
  json_set_string_or_null (o, "kind", info->kind);
  json_object_set_int_member (o, "n_channels", info->n_channels);
  json_object_set_member (o, "time", imu_time_profiler_finish (time_unit->acc, findings, &summary));
  json_object_set_int_member (o, "samples", summary.n_samples);

  channels = json_array_new ();
  for (guint i = 0; i < channel_units->len; i++)
    {
      Unit *u = g_ptr_array_index (channel_units, i);
      JsonNode *ch = imu_channel_profiler_finish (u->acc, &summary, series, findings, error);

      if (ch == NULL)
        goto out;
      json_object_set_null_member (json_node_get_object (ch), "dominant_frequency_hz");
      json_array_add_element (channels, ch);
    }

  /* Channels with too many robust outliers to call them that: one note
   * for the stream (rest and movement make IMU data multi-modal). */
  {
    g_autoptr(GString) list = g_string_new (NULL);
    guint n_heavy = 0;

    for (guint c = 0; c < json_array_get_length (channels); c++)
      {
        JsonObject *ch = json_array_get_object_element (channels, c);
        JsonObject *ol = json_object_get_object_member (ch, "outliers");

        if (ol != NULL && json_object_get_int_member (ol, "count") > 0
            && !json_object_get_boolean_member (ol, "reported"))
          {
            g_string_append_printf (list, "%s%s %.3g %%", n_heavy > 0 ? ", " : "",
                                    object_string (ch, "name"), 100 * imu_json_get_double (ol, "fraction"));
            n_heavy++;
          }
      }
    if (n_heavy > 0)
      g_ptr_array_add (findings,
                       imu_finding_draft_new ("I_HEAVY_TAILS", NULL, n_heavy, NULL,
                                              _("Too many values have a robust z-score above %g to call them "
                                                "outliers (%s): the distributions have heavy tails or several "
                                                "modes, such as rest and movement, so no outlier is reported."),
                                              options->outlier_z, list->str));
  }

  if (move_unit != NULL)
    {
      JsonNode *mv = imu_movement_profiler_finish (move_unit->acc, &summary, findings);
      JsonObject *spec = json_object_new ();
      JsonArray *spec_axes = json_array_new ();

      json_object_set_int_member (spec, "segment", options->welch_segment);
      imu_json_set_double (spec, "resolution_hz", summary.rate_hz > 0 ? summary.rate_hz / options->welch_segment : NAN);
      json_object_set_string_member (spec, "window", "hann");
      imu_json_set_double (spec, "overlap", 0.5);
      for (guint i = 0; i < welch_units->len; i++)
        {
          Unit *u = g_ptr_array_index (welch_units, i);
          JsonNode *wn = imu_welch_finish (u->acc, summary.rate_hz);
          JsonObject *wo = json_node_get_object (wn);
          double f = imu_json_get_double (wo, "dominant_frequency_hz");

          json_object_set_string_member (wo, "channel", info->channels[u->channel].name);
          json_array_add_element (spec_axes, wn);
          imu_json_set_double (json_array_get_object_element (channels, u->channel), "dominant_frequency_hz", f);
        }
      json_object_set_array_member (spec, "axes", spec_axes);
      json_object_set_object_member (json_node_get_object (mv), "spectrum", spec);
      json_object_set_array_member (o, "channels", g_steal_pointer (&channels));
      json_object_set_member (o, "movement", mv);
    }
  else
    {
      json_object_set_array_member (o, "channels", g_steal_pointer (&channels));
      json_object_set_null_member (o, "movement");
      if (info->n_channels > 0 && g_strcmp0 (info->channels[0].kind, "accel") == 0
          && imu_accel_unit_to_g (info->channels[0].unit) == 0)
        g_ptr_array_add (findings,
                         imu_finding_draft_new ("I_UNIT_UNKNOWN", NULL, 1, NULL,
                                                _("The accelerometer's unit “%s” is not one of g, mg, m/s^2 or "
                                                  "1/64 g: movement metrics were not computed."),
                                                info->channels[0].unit != NULL ? info->channels[0].unit : ""));
    }
  result = json_node_init_object (json_node_alloc (), g_steal_pointer (&o));
  g_debug ("stream “%s”: finished at %.3f s (%.3f s CPU)", info->name, (g_get_monotonic_time () - t_start) / 1e6,
           thread_cpu_seconds () - cpu_finish);

out:
  if (o != NULL)
    json_object_unref (o);
  if (channels != NULL)
    json_array_unref (channels);
  for (guint w = 0; w < pass.n_workers; w++)
    {
      Worker *wk = &pass.workers[w];

      g_clear_pointer (&wk->units, g_ptr_array_unref);
      for (guint c = 0; wk->cols != NULL && c < info->n_channels; c++)
        g_free (wk->cols[c]);
      g_free (wk->cols);
      g_free (wk->decode);
      g_free (wk->t);
      g_free (wk->need);
      g_clear_error (&wk->error);
    }
  for (guint r = 0; r < RING_SLOTS; r++)
    g_clear_pointer (&pass.ring[r].chunk, imu_chunk_free);
  g_cond_clear (&pass.cond);
  g_ptr_array_unref (channel_units);
  g_ptr_array_unref (welch_units);
  g_ptr_array_unref (pass.units);
  g_mutex_clear (&pass.lock);
  return result;
}

/* ---- import audits ---- */

/* What each import issue code means, in a finding's words (the codes are
 * imu-import.h's). */
static char *
import_message (const char *code,
                gint64      count)
{
  if (g_str_equal (code, IMU_ISSUE_NUMERIC_FORMAT))
    return g_strdup_printf (_("%" PRId64 " lines had a value that is not a number and were left out "
                              "at import."), count);
  if (g_str_equal (code, IMU_ISSUE_COLUMN_COUNT))
    return g_strdup_printf (_("%" PRId64 " lines had the wrong number of fields and were left out "
                              "at import."), count);
  if (g_str_equal (code, IMU_ISSUE_TIME_PARSE))
    return g_strdup_printf (_("%" PRId64 " lines had a time that cannot be read and were left out "
                              "at import."), count);
  if (g_str_equal (code, IMU_ISSUE_UTF8))
    return g_strdup_printf (_("%" PRId64 " lines were not valid UTF-8 at import."), count);
  if (g_str_equal (code, IMU_ISSUE_TIME_BACKWARDS))
    return g_strdup_printf (_("%" PRId64 " lines had a time earlier than the line before "
                              "(kept at import)."), count);
  if (g_str_equal (code, IMU_ISSUE_DUPLICATE_TIME))
    return g_strdup_printf (_("%" PRId64 " lines had the same time as the line before "
                              "(kept at import)."), count);
  if (g_str_equal (code, IMU_ISSUE_EMPTY_FIELD))
    return g_strdup_printf (_("%" PRId64 " empty value fields were stored as NaN at import."), count);
  if (g_str_equal (code, IMU_ISSUE_NONFINITE))
    return g_strdup_printf (_("%" PRId64 " values were written as NaN or infinity in the file."), count);
  return g_strdup_printf (_("%" PRId64 " lines with issue %s at import."), count, code);
}

static JsonNode *
audit_to_json (const ImuImportAudit *a,
               JsonArray            *findings)
{
  JsonObject *o = json_object_new ();
  JsonObject *issues = json_object_new ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *created = imu_format_time_iso (a->created_us * 1000);

  json_object_set_int_member (o, "id", a->id);
  json_set_string_or_null (o, "path", a->path);
  json_set_string_or_null (o, "sha256", a->sha256);
  json_object_set_int_member (o, "bytes", a->bytes);
  json_object_set_int_member (o, "rows", a->rows);
  json_set_string_or_null (o, "format", a->format);
  json_set_string_or_null (o, "delimiter", a->delimiter);
  json_object_set_boolean_member (o, "utf8_valid", a->utf8_valid);
  imu_json_set_double (o, "duration_s", a->duration_s);
  json_set_string_or_null (o, "error", a->error);
  json_object_set_string_member (o, "created", created);

  if (a->issues_json != NULL && json_parser_load_from_data (parser, a->issues_json, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *src = json_node_get_object (json_parser_get_root (parser));
      g_autoptr(GList) members = json_object_get_members (src);

      for (GList *l = members; l != NULL; l = l->next)
        {
          const char *code = l->data;
          JsonNode *node = json_object_get_member (src, code);
          JsonObject *entry = json_object_new ();
          JsonArray *lines = json_array_new ();
          JsonArray *locs = json_array_new ();
          gint64 count = 0;

          if (JSON_NODE_HOLDS_OBJECT (node))
            {
              JsonObject *io = json_node_get_object (node);
              JsonArray *src_lines = json_object_has_member (io, "lines")
                                     ? json_object_get_array_member (io, "lines") : NULL;

              count = json_object_get_int_member (io, "count");
              for (guint i = 0; src_lines != NULL && i < json_array_get_length (src_lines); i++)
                {
                  gint64 line = json_array_get_int_element (src_lines, i);
                  JsonObject *lo = json_object_new ();

                  json_array_add_int_element (lines, line);
                  json_object_set_int_member (lo, "line", line);
                  json_array_add_object_element (locs, lo);
                }
            }
          else if (JSON_NODE_HOLDS_VALUE (node))
            count = json_node_get_int (node);
          json_object_set_int_member (entry, "count", count);
          json_object_set_array_member (entry, "lines", lines);
          json_object_set_object_member (issues, code, entry);

          {
            JsonObject *f = json_object_new ();
            g_autofree char *msg = import_message (code, count);

            json_object_set_string_member (f, "code", code);
            json_object_set_string_member (f, "severity", imu_severity_to_string (imu_severity_from_code (code)));
            json_object_set_string_member (f, "source", "import");
            json_object_set_null_member (f, "stream");
            json_object_set_null_member (f, "channel");
            json_object_set_int_member (f, "count", count);
            json_object_set_string_member (f, "message", msg);
            json_object_set_array_member (f, "locations", locs);
            json_array_add_object_element (findings, f);
          }
        }
    }
  json_object_set_object_member (o, "issues", issues);
  return json_node_init_object (json_node_alloc (), o);
}

/* ---- the document ---- */

static JsonNode *
session_to_json (ImuSession *session)
{
  JsonObject *o = json_object_new ();
  JsonArray *tags = json_array_new ();
  const char * const *t = imu_session_get_tags (session);
  g_autofree char *start = NULL;
  g_autofree char *end = NULL;

  json_object_set_int_member (o, "id", imu_session_get_id (session));
  json_set_string_or_null (o, "uuid", imu_session_get_uuid (session));
  json_set_string_or_null (o, "title", imu_session_get_title (session));
  json_set_string_or_null (o, "subject", imu_session_get_subject (session));
  json_set_string_or_null (o, "activity", imu_session_get_activity (session));
  for (guint i = 0; t != NULL && t[i] != NULL; i++)
    json_array_add_string_element (tags, t[i]);
  json_object_set_array_member (o, "tags", tags);
  if (imu_session_get_start_ns (session) != 0 || imu_session_get_end_ns (session) != 0)
    {
      start = imu_format_time_iso (imu_session_get_start_ns (session));
      end = imu_format_time_iso (imu_session_get_end_ns (session));
    }
  json_set_string_or_null (o, "start", start);
  json_set_string_or_null (o, "end", end);
  imu_json_set_double (o, "duration_s", (double) imu_session_get_duration_ns (session) / NS_PER_S);
  imu_json_set_double (o, "nominal_rate_hz", imu_session_get_nominal_rate (session) > 0
                                             ? imu_session_get_nominal_rate (session) : NAN);
  json_set_string_or_null (o, "origin", imu_session_get_origin (session));
  json_set_string_or_null (o, "origin_path", imu_session_get_origin_path (session));
  json_set_string_or_null (o, "device_vendor", imu_session_get_device_vendor (session));
  json_set_string_or_null (o, "device_model", imu_session_get_device_model (session));
  return json_node_init_object (json_node_alloc (), o);
}

static JsonNode *
draft_to_json (ImuFindingDraft *d,
               const char      *stream)
{
  JsonObject *f = json_object_new ();

  json_object_set_string_member (f, "code", d->code);
  json_object_set_string_member (f, "severity", imu_severity_to_string (imu_severity_from_code (d->code)));
  json_object_set_string_member (f, "source", "profile");
  json_set_string_or_null (f, "stream", stream);
  json_set_string_or_null (f, "channel", d->channel);
  json_object_set_int_member (f, "count", d->count);
  json_object_set_string_member (f, "message", d->message);
  json_object_set_member (f, "locations", imu_locations_to_json (d->locations));
  return json_node_init_object (json_node_alloc (), f);
}

static int
finding_severity_cmp (gconstpointer a, gconstpointer b)
{
  JsonObject *x = json_node_get_object (*(JsonNode * const *) a);
  JsonObject *y = json_node_get_object (*(JsonNode * const *) b);

  return (int) imu_severity_from_code (object_string (y, "code"))
         - (int) imu_severity_from_code (object_string (x, "code"));
}

/* Hashes one row of text fields the way data_fingerprint() does. */
static void
fingerprint_row (GChecksum           *sum,
                 const char * const  *fields,
                 guint                n_fields)
{
  for (guint c = 0; c < n_fields; c++)
    {
      g_checksum_update (sum, (const guchar *) (fields[c] != NULL ? fields[c] : "\\N"), -1);
      g_checksum_update (sum, (const guchar *) "\x1f", 1);
    }
  g_checksum_update (sum, (const guchar *) "\x1e", 1);
}

/* Each stream's last chunk (imu_series_get_last_chunk_info(): one lookup
 * by primary key, where scanning every chunk row would read most of the
 * library), hashed as the text of its index row, so that the fingerprint
 * is the one stored profiles were made with. */
static gboolean
fingerprint_last_chunks (GChecksum  *sum,
                         ImuStore   *store,
                         GArray     *stream_ids,
                         GError    **error)
{
  for (guint i = 0; i < stream_ids->len; i++)
    {
      gint64 id = g_array_index (stream_ids, gint64, i);
      char text[7][24];
      const char *fields[7];
      ImuChunkInfo last;
      gboolean found;

      if (!imu_series_get_last_chunk_info (store, id, &last, &found, error))
        return FALSE;
      if (!found)
        continue;
      g_snprintf (text[0], sizeof text[0], "%" G_GINT64_FORMAT, id);
      g_snprintf (text[1], sizeof text[1], "%u", last.seq);
      g_snprintf (text[2], sizeof text[2], "%" G_GINT64_FORMAT, last.first_index);
      g_snprintf (text[3], sizeof text[3], "%u", last.n_samples);
      g_snprintf (text[4], sizeof text[4], "%" G_GINT64_FORMAT, last.t_min_ns);
      g_snprintf (text[5], sizeof text[5], "%" G_GINT64_FORMAT, last.t_max_ns);
      g_snprintf (text[6], sizeof text[6], "%" G_GSIZE_FORMAT, last.n_bytes);
      for (guint c = 0; c < G_N_ELEMENTS (fields); c++)
        fields[c] = text[c];
      fingerprint_row (sum, fields, G_N_ELEMENTS (fields));
    }
  return TRUE;
}

/* What a stored profile was computed from, without reading samples: the
 * stream rows (sample and chunk counts, time range, rate), the channel
 * rows, each stream's last chunk and the import audits. Every writer of
 * samples updates its stream row, so any change of data changes these. */
static char *
data_fingerprint (ImuStore  *store,
                  gint64     session_id,
                  GError   **error)
{
  static const char *queries[] = {
    "SELECT id, name, kind, nominal_rate, n_channels, n_samples, n_chunks, t_first_ns, t_last_ns, time_format "
    "FROM streams WHERE session_id = ?1 ORDER BY id",
    "SELECT stream_id, idx, name, unit, kind, decimals, range_min, range_max FROM channels "
    "WHERE stream_id IN (SELECT id FROM streams WHERE session_id = ?1) ORDER BY stream_id, idx",
    NULL, /* the last chunks: fingerprint_last_chunks() */
    "SELECT id, sha256, rows, issues FROM imports WHERE session_id = ?1 ORDER BY id",
  };
  g_autoptr(GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GArray) stream_ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint q = 0; q < G_N_ELEMENTS (queries); q++)
    {
      sqlite3_stmt *stmt;
      int rc;

      if (queries[q] == NULL)
        {
          if (!fingerprint_last_chunks (sum, store, stream_ids, error))
            return NULL;
          g_checksum_update (sum, (const guchar *) "\x1d", 1);
          continue;
        }
      if (!(stmt = imu_store_prepare (store, queries[q], error)))
        return NULL;
      sqlite3_bind_int64 (stmt, 1, session_id);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          int n = sqlite3_column_count (stmt);
          const char **fields = g_newa (const char *, n);

          for (int c = 0; c < n; c++)
            fields[c] = (const char *) sqlite3_column_text (stmt, c);
          fingerprint_row (sum, fields, (guint) n);
          if (q == 0)
            {
              gint64 id = sqlite3_column_int64 (stmt, 0);
              g_array_append_val (stream_ids, id);
            }
        }
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          imu_store_fail (store, rc, "reading the session's streams", error);
          return NULL;
        }
      g_checksum_update (sum, (const guchar *) "\x1d", 1);
    }
  return g_strdup (g_checksum_get_string (sum));
}

/* imu_profile_compute() with the data fingerprint when the caller already
 * has it (NULL: compute it). */
static ImuProfile *
compute (ImuStore                *store,
         gint64                   session_id,
         const ImuProfileOptions *options,
         const char              *known_fingerprint,
         ImuProgressFunc          progress,
         gpointer                 progress_data,
         GCancellable            *cancellable,
         GError                 **error)
{
  ImuProfileOptions defaults;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GPtrArray) all_findings = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autofree char *fingerprint = NULL;
  g_autofree char *generated = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  JsonObject *root = NULL;
  JsonArray *jstreams, *jfindings, *jimports;
  JsonObject *summary;
  guint64 total = 0, base = 0;
  gint64 samples = 0, channels = 0;
  guint n_sev[3] = { 0 };
  JsonObject *codes;
  gint64 t_start = g_get_monotonic_time ();

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  if (options == NULL)
    {
      imu_profile_options_init (&defaults);
      options = &defaults;
    }
  if (!imu_profile_options_validate (options, error))
    return NULL;
  if (!(session = imu_store_load_session (store, session_id, error))
      || !(streams = imu_store_list_streams (store, session_id, error))
      || !(audits = imu_store_list_import_audits (store, session_id, error))
      || !(fingerprint = known_fingerprint != NULL ? g_strdup (known_fingerprint)
                                                   : data_fingerprint (store, session_id, error)))
    return NULL;

  g_debug ("session %" PRId64 ": metadata read in %.3f s", session_id,
           (g_get_monotonic_time () - t_start) / 1e6);
  for (guint i = 0; i < streams->len; i++)
    total += (guint64) MAX (((ImuStreamInfo *) g_ptr_array_index (streams, i))->n_samples, 0);

  jstreams = json_array_new ();
  for (guint i = 0; i < streams->len; i++)
    {
      ImuStreamInfo *info = g_ptr_array_index (streams, i);
      g_autoptr(GPtrArray) drafts = g_ptr_array_new_with_free_func (imu_finding_draft_free);
      JsonNode *node = profile_stream (store, info, options, drafts, base, total,
                                       progress, progress_data, cancellable, error);

      if (node == NULL)
        {
          json_array_unref (jstreams);
          return NULL;
        }
      json_array_add_element (jstreams, node);
      for (guint d = 0; d < drafts->len; d++)
        g_ptr_array_add (all_findings, draft_to_json (g_ptr_array_index (drafts, d), info->name));
      base += (guint64) MAX (info->n_samples, 0);
      samples += info->n_samples;
      channels += info->n_channels;
    }
  if (progress != NULL)
    progress (total, total, progress_data);

  jimports = json_array_new ();
  {
    JsonArray *import_findings = json_array_new ();

    for (guint i = 0; i < audits->len; i++)
      json_array_add_element (jimports, audit_to_json (g_ptr_array_index (audits, i), import_findings));
    for (guint i = 0; i < json_array_get_length (import_findings); i++)
      g_ptr_array_add (all_findings, json_array_dup_element (import_findings, i));
    json_array_unref (import_findings);
  }

  /* Errors first, then warnings, then information; stable otherwise. */
  {
    g_autoptr(GArray) order = g_array_new (FALSE, FALSE, sizeof (JsonNode *));

    for (guint i = 0; i < all_findings->len; i++)
      g_array_append_val (order, g_ptr_array_index (all_findings, i));
    g_array_sort (order, finding_severity_cmp);
    jfindings = json_array_new ();
    codes = json_object_new ();
    for (guint i = 0; i < order->len; i++)
      {
        JsonNode *f = g_array_index (order, JsonNode *, i);
        const char *code = object_string (json_node_get_object (f), "code");

        n_sev[imu_severity_from_code (code)]++;
        json_object_set_int_member (codes, code,
                                    (json_object_has_member (codes, code) ? json_object_get_int_member (codes, code) : 0) + 1);
        json_array_add_element (jfindings, json_node_ref (f));
      }
  }

  generated = g_date_time_format_iso8601 (now);
  root = json_object_new ();
  json_object_set_string_member (root, "schema", IMU_PROFILE_SCHEMA);
  json_object_set_int_member (root, "version", IMU_PROFILE_SCHEMA_VERSION);
  json_object_set_int_member (root, "profiler_version", IMU_PROFILER_VERSION);
  json_object_set_string_member (root, "generator", "IMU Studio " IMU_VERSION);
  json_object_set_string_member (root, "generated", generated);
  json_object_set_string_member (root, "data_fingerprint", fingerprint);
  json_object_set_member (root, "options", imu_profile_options_to_json (options));
  json_object_set_member (root, "session", session_to_json (session));

  summary = json_object_new ();
  json_object_set_int_member (summary, "streams", streams->len);
  json_object_set_int_member (summary, "channels", channels);
  json_object_set_int_member (summary, "samples", samples);
  imu_json_set_double (summary, "duration_s", (double) imu_session_get_duration_ns (session) / NS_PER_S);
  json_object_set_int_member (summary, "errors", n_sev[IMU_SEVERITY_ERROR]);
  json_object_set_int_member (summary, "warnings", n_sev[IMU_SEVERITY_WARNING]);
  json_object_set_int_member (summary, "infos", n_sev[IMU_SEVERITY_INFO]);
  json_object_set_object_member (summary, "codes", codes);
  json_object_set_object_member (root, "summary", summary);

  json_object_set_array_member (root, "findings", jfindings);
  json_object_set_array_member (root, "imports", jimports);
  json_object_set_array_member (root, "streams", jstreams);

  return imu_profile_new_take_root (json_node_init_object (json_node_alloc (), root), FALSE);
}

ImuProfile *
imu_profile_compute (ImuStore                *store,
                     gint64                   session_id,
                     const ImuProfileOptions *options,
                     ImuProgressFunc          progress,
                     gpointer                 progress_data,
                     GCancellable            *cancellable,
                     GError                 **error)
{
  return compute (store, session_id, options, NULL, progress, progress_data, cancellable, error);
}

/* ---- the cache ---- */

typedef struct {
  gint64  profiler_version;
  char   *fingerprint;
  char   *options_hash;
  char   *json;
} StoredProfile;

static void
stored_profile_clear (StoredProfile *s)
{
  g_clear_pointer (&s->fingerprint, g_free);
  g_clear_pointer (&s->options_hash, g_free);
  g_clear_pointer (&s->json, g_free);
}

/* Reads the stored row; FALSE on error, *found FALSE when there is none. */
static gboolean
read_stored (ImuStore      *store,
             gint64         session_id,
             gboolean       with_json,
             StoredProfile *out,
             gboolean      *found,
             GError       **error)
{
  sqlite3_stmt *stmt = imu_store_prepare (store,
                                          with_json
                                          ? "SELECT profiler_version, data_fingerprint, options_hash, json "
                                            "FROM profiles WHERE session_id = ?"
                                          : "SELECT profiler_version, data_fingerprint, options_hash, NULL "
                                            "FROM profiles WHERE session_id = ?",
                                          error);
  int rc;

  *found = FALSE;
  memset (out, 0, sizeof *out);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, session_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *found = TRUE;
      out->profiler_version = sqlite3_column_int64 (stmt, 0);
      out->fingerprint = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
      out->options_hash = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      out->json = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "reading the stored profile", error);
  return TRUE;
}

ImuProfile *
imu_profile_load (ImuStore  *store,
                  gint64     session_id,
                  GError   **error)
{
  StoredProfile s;
  gboolean found;
  ImuProfile *p;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  if (!read_stored (store, session_id, TRUE, &s, &found, error) || !found)
    return NULL;
  p = imu_profile_new_from_json (s.json, -1, error);
  stored_profile_clear (&s);
  if (p != NULL)
    p->cached = TRUE;
  return p;
}

gboolean
imu_profile_save (ImuStore    *store,
                  ImuProfile  *profile,
                  GError     **error)
{
  JsonObject *root = root_object (profile);
  JsonObject *options = json_object_get_object_member (root, "options");
  g_autofree char *text = imu_profile_root_to_text (profile->root, FALSE, NULL);
  g_autofree char *options_text = NULL;
  g_autofree char *options_hash = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  /* The hash of the options the profile says it used. */
  {
    g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), options);
    g_autofree char *sum = NULL;

    options_text = imu_profile_root_to_text (node, FALSE, NULL);
    sum = g_compute_checksum_for_string (G_CHECKSUM_SHA256, options_text, -1);
    options_hash = g_strndup (sum, 16);
  }
  if (!(stmt = imu_store_prepare (store,
                                  "INSERT OR REPLACE INTO profiles (session_id, profiler_version, data_fingerprint, "
                                  "options_hash, created_us, json) VALUES (?, ?, ?, ?, ?, ?)", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, imu_profile_get_session_id (profile));
  sqlite3_bind_int64 (stmt, 2, json_object_get_int_member (root, "profiler_version"));
  sqlite3_bind_text (stmt, 3, object_string (root, "data_fingerprint"), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, options_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, g_get_real_time ());
  sqlite3_bind_text (stmt, 6, text, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  sqlite3_clear_bindings (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "storing the profile", error);
  return TRUE;
}

/* Whether the stored profile is outdated; *@fingerprint_out gets the
 * session's current data fingerprint when it was computed. */
static gboolean
check_stored (ImuStore                *store,
              gint64                   session_id,
              const ImuProfileOptions *options,
              gboolean                *needs_update,
              char                   **fingerprint_out,
              GError                 **error)
{
  ImuProfileOptions defaults;
  StoredProfile s;
  gboolean found;
  g_autofree char *fingerprint = NULL;
  g_autofree char *hash = NULL;

  if (options == NULL)
    {
      imu_profile_options_init (&defaults);
      options = &defaults;
    }
  *needs_update = TRUE;
  if (!read_stored (store, session_id, FALSE, &s, &found, error))
    return FALSE;
  if (!found)
    return TRUE;
  if (!(fingerprint = data_fingerprint (store, session_id, error)))
    {
      stored_profile_clear (&s);
      return FALSE;
    }
  hash = imu_profile_options_hash (options);
  *needs_update = s.profiler_version != IMU_PROFILER_VERSION
                  || g_strcmp0 (s.fingerprint, fingerprint) != 0
                  || g_strcmp0 (s.options_hash, hash) != 0;
  stored_profile_clear (&s);
  if (fingerprint_out != NULL)
    *fingerprint_out = g_steal_pointer (&fingerprint);
  return TRUE;
}

gboolean
imu_profile_needs_update (ImuStore                *store,
                          gint64                   session_id,
                          const ImuProfileOptions *options,
                          gboolean                *needs_update,
                          GError                 **error)
{
  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);

  return check_stored (store, session_id, options, needs_update, NULL, error);
}

/* A stored profile keeps the session's metadata of its day; a title or
 * notes changed since do not call for a new pass, only a fresh copy of
 * the "session" member. */
static ImuProfile *
refresh_session (ImuStore    *store,
                 ImuProfile  *profile,
                 GError     **error)
{
  g_autoptr(ImuSession) session = imu_store_load_session (store, imu_profile_get_session_id (profile), error);
  JsonObject *old = root_object (profile);
  JsonObject *fresh;
  g_autoptr(GList) members = NULL;

  if (session == NULL)
    return NULL;
  /* The stored document is sealed: build a new root that shares every
   * member but "session". */
  fresh = json_object_new ();
  members = json_object_get_members (old);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;

      if (g_str_equal (name, "session"))
        json_object_set_member (fresh, name, session_to_json (session));
      else
        json_object_set_member (fresh, name, json_node_ref (json_object_get_member (old, name)));
    }
  return imu_profile_new_take_root (json_node_init_object (json_node_alloc (), fresh), TRUE);
}

ImuProfile *
imu_profile_get_or_compute (ImuStore                *store,
                            gint64                   session_id,
                            const ImuProfileOptions *options,
                            ImuProgressFunc          progress,
                            gpointer                 progress_data,
                            GCancellable            *cancellable,
                            GError                 **error)
{
  gboolean needs;
  ImuProfile *profile;
  g_autofree char *fingerprint = NULL;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  if (!check_stored (store, session_id, options, &needs, &fingerprint, error))
    return NULL;
  if (!needs)
    {
      g_autoptr(GError) local = NULL;
      g_autoptr(ImuProfile) stored = imu_profile_load (store, session_id, &local);

      if (stored != NULL)
        return refresh_session (store, stored, error);
      /* An unreadable stored profile is replaced. */
      if (local != NULL)
        g_warning ("The stored profile of session %" PRId64 " cannot be read (%s): recomputing.",
                   session_id, local->message);
    }
  if (!(profile = compute (store, session_id, options, fingerprint, progress, progress_data, cancellable, error)))
    return NULL;
  if (!imu_profile_save (store, profile, error))
    {
      imu_profile_unref (profile);
      return NULL;
    }
  return profile;
}

/* ---- async ---- */

typedef struct {
  char              *library_path;
  gint64             session_id;
  ImuProfileOptions  options;
  ImuProgressRelay  *progress;   /* NULL: nobody listens */
} ProfileData;

static void
profile_data_free (ProfileData *d)
{
  g_free (d->library_path);
  g_clear_pointer (&d->progress, imu_progress_relay_unref);
  g_free (d);
}

static void
profile_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ProfileData *d = task_data;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ImuProfile *profile;

  if (!(store = imu_store_open (d->library_path, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  profile = imu_profile_get_or_compute (store, d->session_id, &d->options,
                                        d->progress != NULL ? imu_progress_relay_report : NULL, d->progress,
                                        cancellable, &error);
  if (profile == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, profile, (GDestroyNotify) imu_profile_unref);
}

void
imu_profile_get_or_compute_async (const char              *library_path,
                                  gint64                   session_id,
                                  const ImuProfileOptions *options,
                                  ImuProgressFunc          progress,
                                  gpointer                 progress_data,
                                  GDestroyNotify           progress_destroy,
                                  GCancellable            *cancellable,
                                  GAsyncReadyCallback      callback,
                                  gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  ProfileData *d;

  g_return_if_fail (library_path != NULL);

  d = g_new0 (ProfileData, 1);
  d->library_path = g_strdup (library_path);
  d->session_id = session_id;
  if (options != NULL)
    d->options = *options;
  else
    imu_profile_options_init (&d->options);
  /* Progress goes back to the caller's context, throttled; so does the
   * caller's data (a widget) when the task ends, in whatever thread. */
  if (progress != NULL)
    d->progress = imu_progress_relay_new (progress, progress_data, progress_destroy);
  else if (progress_destroy != NULL)
    progress_destroy (progress_data);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, imu_profile_get_or_compute_async);
  g_task_set_task_data (task, d, (GDestroyNotify) profile_data_free);
  g_task_run_in_thread (task, profile_thread);
}

ImuProfile *
imu_profile_get_or_compute_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == imu_profile_get_or_compute_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
