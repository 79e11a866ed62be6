/* imu-profile-test.c — helpers of the profiler's tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-test"

#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "imu-profile-test.h"
#include "imu-store-private.h"
#include "imu-stream-writer.h"
#include "imu-test-util.h"

double
pt_round (double v, int decimals)
{
  double p;

  if (decimals < 0 || !isfinite (v))
    return v;
  p = pow (10.0, decimals);
  /* k / 10^d with one division: what strtod gives for the decimal text. */
  return (double) llround (v * p) / p;
}

gint64
pt_new_session (ImuStore   *store,
                const char *title)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_session_new ();

  imu_session_set_title (s, title);
  g_assert_true (imu_store_insert_session (store, s, &error));
  g_assert_no_error (error);
  return imu_session_get_id (s);
}

gint64
pt_add_stream (ImuStore       *store,
               gint64          session_id,
               const PtStream *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new (spec->name, spec->n_channels);
  g_autoptr(ImuStreamWriter) w = NULL;
  g_autofree double *row = g_new (double, MAX (spec->n_channels, 1));
  gint64 id;

  info->session_id = session_id;
  info->nominal_rate_hz = spec->rate_hz;
  g_free (info->kind);
  info->kind = g_strdup (spec->kind);
  for (guint c = 0; c < spec->n_channels; c++)
    {
      imu_stream_info_set_channel (info, c, spec->channel_names[c], spec->unit, spec->channel_kind);
      info->channels[c].decimals = spec->decimals;
      if (spec->range > 0)
        {
          info->channels[c].range_min = -spec->range;
          info->channels[c].range_max = spec->range;
        }
    }
  g_assert_true (imu_store_begin (store, &error));
  w = imu_stream_writer_new (store, info, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < spec->n_channels && spec->decimals >= 0; c++)
    imu_stream_writer_set_decimals (w, c, spec->decimals);
  for (gsize i = 0; i < spec->n; i++)
    {
      for (guint c = 0; c < spec->n_channels; c++)
        row[c] = pt_round (spec->cols[c][i], spec->decimals);
      g_assert_true (imu_stream_writer_append (w, spec->t[i], row, &error));
    }
  g_assert_true (imu_stream_writer_finish (w, &error));
  g_assert_no_error (error);
  id = imu_stream_writer_get_stream_id (w);
  g_assert_true (imu_store_refresh_session_range (store, session_id, &error));
  g_assert_true (imu_store_commit (store, &error));
  g_assert_no_error (error);
  return id;
}

gint64 *
pt_regular_times (gsize  n,
                  double rate_hz)
{
  gint64 *t = g_new (gint64, MAX (n, 1));

  for (gsize i = 0; i < n; i++)
    t[i] = PT_T0 + (gint64) llround ((double) i * 1e9 / rate_hz);
  return t;
}

double **
pt_columns_new (guint n_channels,
                gsize n)
{
  double **cols = g_new0 (double *, n_channels);

  for (guint c = 0; c < n_channels; c++)
    cols[c] = g_new0 (double, MAX (n, 1));
  return cols;
}

void
pt_columns_free (double **cols,
                 guint    n_channels)
{
  for (guint c = 0; c < n_channels; c++)
    g_free (cols[c]);
  g_free (cols);
}

ImuProfile *
pt_profile (ImuStore                *store,
            gint64                   session_id,
            const ImuProfileOptions *options)
{
  g_autoptr(GError) error = NULL;
  ImuProfile *p = imu_profile_compute (store, session_id, options, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (p);
  pt_assert_valid (p);
  return p;
}

JsonObject *
pt_root (ImuProfile *profile)
{
  return json_node_get_object (imu_profile_get_root (profile));
}

JsonObject *
pt_stream (ImuProfile *profile,
           const char *name)
{
  JsonArray *streams = json_object_get_array_member (pt_root (profile), "streams");

  for (guint i = 0; i < json_array_get_length (streams); i++)
    {
      JsonObject *s = json_array_get_object_element (streams, i);
      if (g_strcmp0 (json_object_get_string_member (s, "name"), name) == 0)
        return s;
    }
  g_error ("no stream %s in the profile", name);
  return NULL;
}

JsonObject *
pt_channel (ImuProfile *profile,
            const char *stream,
            const char *channel)
{
  JsonArray *channels = json_object_get_array_member (pt_stream (profile, stream), "channels");

  for (guint i = 0; i < json_array_get_length (channels); i++)
    {
      JsonObject *c = json_array_get_object_element (channels, i);
      if (g_strcmp0 (json_object_get_string_member (c, "name"), channel) == 0)
        return c;
    }
  g_error ("no channel %s/%s in the profile", stream, channel);
  return NULL;
}

static const char *
maybe_string (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);

  return n != NULL && !JSON_NODE_HOLDS_NULL (n) ? json_node_get_string (n) : NULL;
}

JsonObject *
pt_finding (ImuProfile *profile,
            const char *code,
            const char *stream,
            const char *channel)
{
  JsonArray *findings = json_object_get_array_member (pt_root (profile), "findings");

  for (guint i = 0; i < json_array_get_length (findings); i++)
    {
      JsonObject *f = json_array_get_object_element (findings, i);

      if (g_strcmp0 (json_object_get_string_member (f, "code"), code) != 0)
        continue;
      if (stream != NULL && g_strcmp0 (maybe_string (f, "stream"), stream) != 0)
        continue;
      if (channel != NULL && g_strcmp0 (maybe_string (f, "channel"), channel) != 0)
        continue;
      return f;
    }
  return NULL;
}

guint
pt_count_code (ImuProfile *profile,
               const char *code)
{
  JsonArray *findings = json_object_get_array_member (pt_root (profile), "findings");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (findings); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (findings, i), "code"), code) == 0)
      n++;
  return n;
}

void
pt_assert_indexes (JsonObject   *finding,
                   const gint64 *indexes,
                   guint         n)
{
  JsonArray *locs = json_object_get_array_member (finding, "locations");

  g_assert_cmpuint (json_array_get_length (locs), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (locs, i), "index"), ==, indexes[i]);
}

static JsonNode *
lookup (JsonObject *o, const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, "/", -1);
  JsonNode *n = NULL;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (o == NULL)
        g_error ("%s: not an object before “%s”", path, parts[i]);
      n = json_object_get_member (o, parts[i]);
      if (n == NULL)
        g_error ("%s: no member “%s”", path, parts[i]);
      o = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
    }
  return n;
}

double
pt_double (JsonObject *object, const char *path)
{
  JsonNode *n = lookup (object, path);

  return JSON_NODE_HOLDS_NULL (n) ? NAN : json_node_get_double (n);
}

gint64
pt_int (JsonObject *object, const char *path)
{
  return json_node_get_int (lookup (object, path));
}

static gboolean
python_works (const char *python)
{
  const char *argv[] = { python, "-c", "import numpy, scipy, jsonschema", NULL };
  g_autoptr(GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                | G_SUBPROCESS_FLAGS_STDERR_SILENCE, NULL);

  return p != NULL && g_subprocess_wait (p, NULL, NULL) && g_subprocess_get_if_exited (p)
         && g_subprocess_get_exit_status (p) == 0;
}

const char *
pt_python (void)
{
  static const char *found;
  static gboolean looked;

  if (!looked)
    {
      /* Debian's own interpreter first: a pyenv shim on PATH may lack the
       * Debian packages python3-numpy, python3-scipy, python3-jsonschema. */
      const char *candidates[] = { "/usr/bin/python3", "python3" };

      looked = TRUE;
      for (guint i = 0; i < G_N_ELEMENTS (candidates) && found == NULL; i++)
        if (python_works (candidates[i]))
          found = candidates[i];
    }
  return found;
}

char *
pt_run (const char * const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) p = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                                | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, NULL, NULL, &out, &err, &error));
  g_assert_no_error (error);
  if (!g_subprocess_get_if_exited (p) || g_subprocess_get_exit_status (p) != 0)
    g_error ("%s failed:\n%s%s", argv[0], out != NULL ? out : "", err != NULL ? err : "");
  return g_steal_pointer (&out);
}

void
pt_assert_valid (ImuProfile *profile)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *schema = NULL;
  g_autofree char *script = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  const char *python = pt_python ();

  if (python == NULL)
    {
      g_test_message ("python3 with jsonschema is missing: profile.json not validated");
      return;
    }
  dir = imu_test_tmpdir ();
  path = g_build_filename (dir, "profile.json", NULL);
  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (imu_profile_write_json (profile, G_OUTPUT_STREAM (stream), NULL, &error));
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &error));
  g_assert_no_error (error);

  schema = g_build_filename (g_getenv ("IMU_TEST_SRCDIR"), "..", "docs", "profile.schema.json", NULL);
  script = imu_test_src_file ("profile_reference.py");
  {
    const char *argv[] = { python, script, "validate", schema, path, NULL };
    out = pt_run (argv);
  }
  g_assert_cmpstr (out, ==, "ok\n");
}
