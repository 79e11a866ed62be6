/* test-import-geneactiv.c — GENEActiv .bin files, sample by sample against the reference
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * ../shared/data/real/geneactiv/ggirread/GENEActiv_testfile.bin is read
 * where it is (imu_test_real_file), never copied into the project; its
 * reference decode (../shared/data/real/reference/GENEActiv_testfile.*,
 * made with other tools: reference/README.md) gives every sample. Bad
 * files are made from the real one in a temporary folder: cut, or with
 * bytes changed.
 *
 * Line numbers of the real file: its header is lines 1–59, page k's
 * "Recorded Data" is line 60 + 10 k and its data line 69 + 10 k.
 */
#define G_LOG_DOMAIN "test-import-geneactiv"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "imu-import.h"
#include "imu-series.h"
#include "imu-store.h"
#include "imu-test-util.h"

#define REAL "geneactiv/ggirread/GENEActiv_testfile.bin"
#define REFERENCE "reference/GENEActiv_testfile.csv.gz"
#define N_SAMPLES 5031
#define N_PAGES 17
#define PAGE 300
#define HOUR_NS (G_GINT64_CONSTANT (3600) * G_GINT64_CONSTANT (1000000000))

/* ---- the reference ---- */

typedef struct {
  gint64 t;
  double x, y, z, light, temperature;
  int    button;
} RefSample;

/* Every row of the reference .csv.gz, read with GIO's zlib decompressor. */
static GArray *
read_reference (void)
{
  g_autofree char *path = imu_test_real_file (REFERENCE);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) raw = NULL;
  g_autoptr(GConverter) gunzip = NULL;
  g_autoptr(GInputStream) plain = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) header = NULL;
  int col[7];
  static const char *const names[] = { "time_ns", "x_g", "y_g", "z_g", "light_lux", "temperature_c", "button" };
  GArray *rows;
  char *line;

  if (path == NULL)
    return NULL;
  file = g_file_new_for_path (path);
  raw = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  gunzip = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  plain = g_converter_input_stream_new (G_INPUT_STREAM (raw), gunzip);
  lines = g_data_input_stream_new (plain);

  line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  header = g_strsplit (line, ",", -1);
  g_free (line);
  for (guint c = 0; c < G_N_ELEMENTS (names); c++)
    {
      col[c] = -1;
      for (guint i = 0; header[i] != NULL; i++)
        if (g_str_equal (header[i], names[c]))
          col[c] = (int) i;
      g_assert_cmpint (col[c], >=, 0);
    }

  rows = g_array_new (FALSE, FALSE, sizeof (RefSample));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      g_auto(GStrv) f = g_strsplit (line, ",", -1);
      RefSample s;

      g_free (line);
      s.t = g_ascii_strtoll (f[col[0]], NULL, 10);
      s.x = g_ascii_strtod (f[col[1]], NULL);
      s.y = g_ascii_strtod (f[col[2]], NULL);
      s.z = g_ascii_strtod (f[col[3]], NULL);
      s.light = g_ascii_strtod (f[col[4]], NULL);
      s.temperature = g_ascii_strtod (f[col[5]], NULL);
      s.button = (int) g_ascii_strtoll (f[col[6]], NULL, 10);
      g_array_append_val (rows, s);
    }
  g_assert_no_error (error);
  return rows;
}

/* ---- importing ---- */

typedef struct {
  char            *library;
  ImuStore        *store;
  ImuImportResult *result;
  GError          *error;
  GPtrArray       *streams;
} Imported;

static void
imported_free (Imported *im)
{
  g_clear_pointer (&im->streams, g_ptr_array_unref);
  g_clear_pointer (&im->result, imu_import_result_free);
  g_clear_error (&im->error);
  g_clear_object (&im->store);
  g_free (im->library);
  g_free (im);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Imported, imported_free)

/* Imports @path into a new library, the device clock in @zone (NULL: the
 * file's). A failure is kept in im->error. */
static Imported *
import_file (const char *path, const char *zone, const char *format)
{
  ImuImportOptions options = { .device_timezone = zone, .format = format };
  Imported *im = g_new0 (Imported, 1);
  GError *error = NULL;

  im->library = imu_test_library_path ();
  im->store = imu_store_open (im->library, &error);
  g_assert_no_error (error);
  im->result = imu_import_path (im->store, path, &options, NULL, NULL, NULL, NULL, &im->error);
  if (im->result != NULL)
    {
      im->streams = imu_store_list_streams (im->store, im->result->session_id, &error);
      g_assert_no_error (error);
    }
  return im;
}

static const ImuStreamInfo *
find_stream (Imported *im, const char *name)
{
  for (guint i = 0; i < im->streams->len; i++)
    {
      const ImuStreamInfo *s = g_ptr_array_index (im->streams, i);
      if (g_str_equal (s->name, name))
        return s;
    }
  g_test_message ("no stream “%s”", name);
  g_assert_not_reached ();
  return NULL;
}

static int
issue_count (Imported *im, const char *code)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (im->result->issue_counts, code));
}

static gint64
issue_line (Imported *im, const char *code, guint i)
{
  GArray *lines = g_hash_table_lookup (im->result->issue_lines, code);

  g_assert_nonnull (lines);
  g_assert_cmpuint (i, <, lines->len);
  return g_array_index (lines, gint64, i);
}

/* Every sample of a stream: times and the channels' columns. */
typedef struct {
  gint64  n;
  gint64 *t;
  double *v[4];
} Samples;

static void
samples_clear (Samples *s)
{
  g_free (s->t);
  for (guint c = 0; c < G_N_ELEMENTS (s->v); c++)
    g_free (s->v[c]);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Samples, samples_clear)

static void
read_all (Imported *im, const ImuStreamInfo *info, Samples *out)
{
  GError *error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (im->store, info->id, &error);
  double *cols[4] = { NULL };

  g_assert_no_error (error);
  g_assert_cmpuint (info->n_channels, <=, G_N_ELEMENTS (out->v));
  out->n = imu_series_get_n_samples (series);
  out->t = g_new (gint64, MAX (out->n, 1));
  for (guint c = 0; c < info->n_channels; c++)
    cols[c] = out->v[c] = g_new (double, MAX (out->n, 1));
  g_assert_cmpint (imu_series_read (series, 0, out->n, out->t, cols, &error), ==, out->n);
  g_assert_no_error (error);
}

static guint
n_sessions (Imported *im)
{
  return (guint) imu_store_count_sessions (im->store, NULL);
}

/* ---- the real file against the reference ---- */

static void
test_reference (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autoptr(GArray) ref = NULL;
  g_autoptr(Imported) im = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_auto(Samples) acc = { 0 };
  g_auto(Samples) dev = { 0 };
  const ImuStreamInfo *a, *d;
  double max_g = 0, max_lux = 0;
  gint64 max_t = 0;
  GError *error = NULL;

  if (path == NULL || (ref = read_reference ()) == NULL)
    return;
  g_assert_cmpuint (ref->len, ==, N_SAMPLES);

  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpstr (im->result->format, ==, "geneactiv");
  g_assert_cmpint (im->result->rows, ==, 2 * N_SAMPLES);
  g_assert_nonnull (strstr (im->result->device_clock, "UTC"));

  /* The last page is cut inside a sample: its 231 whole samples are kept,
   * the partial one dropped, and that is the only issue. */
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 1);
  g_assert_cmpint (issue_count (im, "W_TRUNCATED"), ==, 1);
  g_assert_cmpint (issue_line (im, "W_TRUNCATED", 0), ==, 69 + 10 * 16);

  /* The session: device, rate, notes. */
  session = imu_store_load_session (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_device_vendor (session), ==, "Activinsights");
  g_assert_cmpstr (imu_session_get_device_model (session), ==, "GENEActiv");
  g_assert_cmpstr (imu_session_get_device_serial (session), ==, "012967");
  {
    g_autofree char *firmware = NULL;

    g_object_get (session, "device-firmware", &firmware, NULL);
    g_assert_cmpstr (firmware, ==, "Ver1.30 date 05Aug11");
  }
  g_assert_cmpfloat (imu_session_get_nominal_rate (session), ==, 85.7);
  g_assert_cmpint (imu_session_get_tz_offset (session), ==, 0);
  g_assert_cmpint (imu_session_get_start_ns (session), ==, G_GINT64_CONSTANT (1369908774500000000));
  /* The subject code is empty (NUL bytes): no subject. Fields with a
   * value that the session has no place for are in the notes; the empty
   * ones are not. */
  g_assert_cmpstr (imu_session_get_subject (session), ==, "");
  g_assert_nonnull (strstr (imu_session_get_notes (session), "Device Model: 1.1\n"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "\nTime Zone: GMT +01:00\n"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "\nDate of Birth: 1800-1-1\n"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "\nx gain: 25875\n"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "The header counts 222048 pages; the file holds 17."));
  g_assert_null (strstr (imu_session_get_notes (session), "Study Code"));
  g_assert_null (strstr (imu_session_get_notes (session), "Device Unique Serial Code"));

  /* The streams: names, channels, units, the device's range. */
  g_assert_cmpuint (im->streams->len, ==, 2);
  a = find_stream (im, "accelerometer");
  d = find_stream (im, "device");
  g_assert_cmpstr (a->kind, ==, "accel");
  g_assert_cmpuint (a->n_channels, ==, 3);
  for (guint c = 0; c < 3; c++)
    {
      static const char *const axes[] = { "x", "y", "z" };

      g_assert_cmpstr (a->channels[c].name, ==, axes[c]);
      g_assert_cmpstr (a->channels[c].unit, ==, "g");
      g_assert_cmpstr (a->channels[c].kind, ==, "accel");
      g_assert_cmpfloat (a->channels[c].range_min, ==, -8);
      g_assert_cmpfloat (a->channels[c].range_max, ==, 8);
    }
  g_assert_cmpfloat (a->nominal_rate_hz, ==, 85.7);
  g_assert_cmpuint (d->n_channels, ==, 4);
  g_assert_cmpstr (d->channels[0].name, ==, "light");
  g_assert_cmpstr (d->channels[0].unit, ==, "lux");
  g_assert_cmpstr (d->channels[1].name, ==, "temperature");
  g_assert_cmpstr (d->channels[1].unit, ==, "°C");
  g_assert_cmpstr (d->channels[2].name, ==, "button");
  g_assert_cmpstr (d->channels[2].unit, ==, "");
  g_assert_cmpstr (d->channels[3].name, ==, "battery");
  g_assert_cmpstr (d->channels[3].unit, ==, "V");
  g_assert_true (isnan (d->channels[0].range_min));
  g_assert_cmpint (a->n_samples, ==, N_SAMPLES);
  g_assert_cmpint (d->n_samples, ==, N_SAMPLES);

  /* Every sample. */
  read_all (im, a, &acc);
  read_all (im, d, &dev);
  g_assert_cmpint (acc.n, ==, N_SAMPLES);
  g_assert_cmpint (dev.n, ==, N_SAMPLES);
  for (guint i = 0; i < ref->len; i++)
    {
      const RefSample *r = &g_array_index (ref, RefSample, i);

      max_t = MAX (max_t, ABS (acc.t[i] - r->t));
      max_g = MAX (max_g, fabs (acc.v[0][i] - r->x));
      max_g = MAX (max_g, fabs (acc.v[1][i] - r->y));
      max_g = MAX (max_g, fabs (acc.v[2][i] - r->z));
      max_lux = MAX (max_lux, fabs (dev.v[0][i] - r->light));
      if (fabs (acc.v[0][i] - r->x) > 1e-9 || fabs (acc.v[1][i] - r->y) > 1e-9 || fabs (acc.v[2][i] - r->z) > 1e-9
          || ABS (acc.t[i] - r->t) > 1000000 || dev.t[i] != acc.t[i])
        {
          g_test_message ("sample %u: %" G_GINT64_FORMAT " %.17g %.17g %.17g, reference %" G_GINT64_FORMAT
                          " %.17g %.17g %.17g", i, acc.t[i], acc.v[0][i], acc.v[1][i], acc.v[2][i],
                          r->t, r->x, r->y, r->z);
          g_assert_not_reached ();
        }
      g_assert_cmpfloat_with_epsilon (dev.v[0][i], r->light, 1e-9);
      g_assert_cmpfloat (dev.v[1][i], ==, r->temperature);
      g_assert_cmpfloat (dev.v[2][i], ==, r->button);
      /* Every page of this file says 4.1493 V. */
      g_assert_cmpfloat (dev.v[3][i], ==, 4.1493);
    }
  g_test_message ("largest differences from the reference: %.3g g, %.3g lux, %" G_GINT64_FORMAT " ns",
                  max_g, max_lux, max_t);
  /* The same formula in the same order gives the same doubles, and the
   * page-anchored times to the nanosecond. */
  g_assert_cmpfloat (max_g, ==, 0);
  g_assert_cmpint (max_t, ==, 0);
}

/* Without --device-timezone the header's "Time Zone: GMT +01:00" is the
 * device clock's: every time is one hour earlier in UTC. */
static void
test_file_zone (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autoptr(Imported) im = NULL;
  g_autoptr(ImuSession) session = NULL;
  const ImuStreamInfo *a;

  if (path == NULL)
    return;
  im = import_file (path, NULL, NULL);
  g_assert_no_error (im->error);
  g_assert_cmpstr (im->result->device_clock, ==, "GMT +01:00 (UTC+01:00), from the file");
  a = find_stream (im, "accelerometer");
  g_assert_cmpint (a->t_first_ns, ==, G_GINT64_CONSTANT (1369908774500000000) - HOUR_NS);
  g_assert_cmpint (a->t_last_ns, ==, G_GINT64_CONSTANT (1369908833183780630) - HOUR_NS);
  g_assert_cmpint (a->time_format.kind, ==, IMU_TIME_ISO8601);
  g_assert_cmpint (a->time_format.tz_offset_s, ==, 3600);
  session = imu_store_load_session (im->store, im->result->session_id, NULL);
  g_assert_cmpint (imu_session_get_tz_offset (session), ==, 3600);
}

/* A zone given with --device-timezone wins over the file's. */
static void
test_option_zone (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autoptr(Imported) im = NULL;

  if (path == NULL)
    return;
  im = import_file (path, "America/New_York", NULL);
  g_assert_no_error (im->error);
  /* 2013-05-30 is in daylight saving time: UTC−04:00. */
  g_assert_cmpint (find_stream (im, "accelerometer")->t_first_ns, ==,
                   G_GINT64_CONSTANT (1369908774500000000) + 4 * HOUR_NS);
  g_assert_cmpstr (im->result->device_clock, ==, "America/New_York (UTC-04:00), as given to the import");
}

static void
test_detect (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (path == NULL)
    return;
  name = imu_import_detect (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "geneactiv");
}

/* One device file in a folder is one session of its streams. */
static void
test_folder (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *data = NULL;
  g_autoptr(Imported) im = NULL;
  gsize len;

  if (path == NULL)
    return;
  dir = imu_test_tmpdir ();
  copy = g_build_filename (dir, "left wrist.BIN", NULL);
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_true (g_file_set_contents (copy, data, (gssize) len, NULL));
  im = import_file (dir, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpuint (im->streams->len, ==, 2);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, N_SAMPLES);
  g_assert_cmpint (find_stream (im, "device")->n_samples, ==, N_SAMPLES);
  g_assert_cmpint (issue_count (im, "W_TRUNCATED"), ==, 1);
}

/* ---- bad files made from the real one ---- */

/* The real file's bytes. */
static GBytes *
real_bytes (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  char *data = NULL;
  gsize len = 0;

  if (path == NULL)
    return NULL;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  return g_bytes_new_take (data, len);
}

/* The offset of the @n-th (0-based) occurrence of @what. */
static gsize
find_nth (GBytes *bytes, const char *what, guint n)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *p = data;

  for (guint i = 0; ; i++)
    {
      p = memmem (p, len - (gsize) (p - data), what, strlen (what));
      g_assert_nonnull (p);
      if (i == n)
        return (gsize) (p - data);
      p++;
    }
}

/* Offset of the first hex digit of page @k's data line. */
static gsize
data_offset (GBytes *bytes, guint k)
{
  gsize page = find_nth (bytes, "Recorded Data", k);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *p = data + page;

  for (guint i = 0; i < 9; i++)
    p = memchr (p, '\n', len - (gsize) (p - data)) + 1;
  return (gsize) (p - data);
}

/* Writes @len bytes of @data as NAME in a new folder. */
static char *
write_bad (const char *name, const char *data, gsize len)
{
  return imu_test_write_file (name, data, (gssize) len);
}

/* The first @len bytes of the real file. */
static char *
write_cut (GBytes *bytes, gsize len)
{
  return write_bad ("cut.bin", g_bytes_get_data (bytes, NULL), len);
}

/* The real file with @old (at its @n-th place) replaced by @new. */
static char *
write_replaced (GBytes *bytes, const char *old, guint n, const char *new)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  gsize at = find_nth (bytes, old, n);
  g_autoptr(GString) s = g_string_new_len (data, (gssize) at);

  g_string_append (s, new);
  g_string_append_len (s, data + at + strlen (old), (gssize) (len - at - strlen (old)));
  return write_bad ("changed.bin", s->str, s->len);
}

/* Replaces the first @limit occurrences of @old (all when 0); the file
 * holds NUL bytes, so not with g_string_replace(), which stops at them. */
static GString *
replaced_all (GBytes *bytes, const char *old, const char *new, guint limit)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *p = data, *hit;
  GString *s = g_string_sized_new (len);
  guint n = 0;

  while ((limit == 0 || n < limit) && (hit = memmem (p, len - (gsize) (p - data), old, strlen (old))) != NULL)
    {
      g_string_append_len (s, p, hit - p);
      g_string_append (s, new);
      p = hit + strlen (old);
      n++;
    }
  g_string_append_len (s, p, (gssize) (len - (gsize) (p - data)));
  return s;
}

static void
assert_failed (Imported *im, const char *path, int code, const char *part)
{
  g_assert_null (im->result);
  g_assert_error (im->error, IMU_IMPORT_ERROR, code);
  g_test_message ("%s", im->error->message);
  g_assert_true (g_str_has_prefix (im->error->message, path));
  g_assert_nonnull (strstr (im->error->message, part));
  /* Nothing of the session is left. */
  g_assert_cmpuint (n_sessions (im), ==, 0);
}

static void
test_cut_in_header (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;

  if (bytes == NULL)
    return;
  /* Inside "Calibration Data": the offsets and what follows are gone. */
  path = write_cut (bytes, find_nth (bytes, "y offset", 0));
  im = import_file (path, "UTC", NULL);
  assert_failed (im, path, IMU_IMPORT_ERROR_NO_DATA, "the file ends after its header");
}

static void
test_cut_at_page (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;

  if (bytes == NULL)
    return;
  /* Three whole pages, the file ends before the fourth's "Recorded Data". */
  path = write_cut (bytes, find_nth (bytes, "Recorded Data", 3));
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, 3 * PAGE);
  g_assert_cmpint (issue_count (im, "W_TRUNCATED"), ==, 1);
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 1);
}

static void
test_cut_in_page_header (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;

  if (bytes == NULL)
    return;
  /* Page 5 ends after its "Page Time" line. */
  path = write_cut (bytes, find_nth (bytes, "Unassigned", 5));
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, 5 * PAGE);
  g_assert_cmpint (issue_count (im, "W_TRUNCATED"), ==, 1);
  g_assert_cmpint (issue_line (im, "W_TRUNCATED", 0), ==, 60 + 10 * 5);
}

static void
test_cut_in_sample (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;
  gsize at;

  if (bytes == NULL)
    return;
  /* Page 2 ends 7 digits into its 101st sample. */
  at = data_offset (bytes, 2) + 100 * 12 + 7;
  path = write_cut (bytes, at);
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, 2 * PAGE + 100);
  g_assert_cmpint (find_stream (im, "device")->n_samples, ==, 2 * PAGE + 100);
  g_assert_cmpint (issue_count (im, "W_TRUNCATED"), ==, 1);
  g_assert_cmpint (issue_line (im, "W_TRUNCATED", 0), ==, 69 + 10 * 2);
}

static void
test_zeroed_header (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(Imported) detected = NULL;
  g_autoptr(Imported) forced = NULL;
  gsize len;

  if (bytes == NULL)
    return;
  g_bytes_get_data (bytes, &len);
  data = g_memdup2 (g_bytes_get_data (bytes, NULL), len);
  memset (data, 0, find_nth (bytes, "Recorded Data", 0));
  path = write_bad ("zeroed.bin", data, len);
  /* Nothing recognises it... */
  detected = import_file (path, "UTC", NULL);
  assert_failed (detected, path, IMU_IMPORT_ERROR_UNRECOGNIZED, "");
  /* ...and forced, it is not one. */
  forced = import_file (path, "UTC", "geneactiv");
  assert_failed (forced, path, IMU_IMPORT_ERROR_UNRECOGNIZED,
                 "this is not a GENEActiv file: its first line is not “Device Identity”");
}

static void
test_garbled_calibration (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  static const struct { const char *old, *new, *message; } cases[] = {
    { "x gain:25875", "x gain:25a75", "the header's “x gain” is “25a75”, not a calibration value" },
    { "z gain:25538", "z gain:0", "the header's “z gain” is “0”, not a calibration value" },
    { "y offset:-662", "y ofset:-662", "line 60: the header has no “y offset”" },
    { "Volts:300", "Volts:", "the header's “Volts” is “”, not a calibration value" },
  };

  if (bytes == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = write_replaced (bytes, cases[i].old, 0, cases[i].new);
      g_autoptr(Imported) im = import_file (path, "UTC", NULL);

      assert_failed (im, path, IMU_IMPORT_ERROR_BAD_HEADER, cases[i].message);
    }
}

static void
test_non_hex (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autofree char *data = NULL;
  g_autoptr(Imported) im = NULL;
  gsize len;

  if (bytes == NULL)
    return;
  /* A 'G' in the 11th sample of page 4: its first 10 samples are kept.
   * A NUL byte in the 21st of page 6 is no digit either (nor the end of
   * the line): 20 kept. */
  g_bytes_get_data (bytes, &len);
  data = g_memdup2 (g_bytes_get_data (bytes, NULL), len);
  data[data_offset (bytes, 4) + 10 * 12 + 5] = 'G';
  data[data_offset (bytes, 6) + 20 * 12] = '\0';
  path = write_bad ("hex.bin", data, len);
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, N_SAMPLES - (PAGE - 10) - (PAGE - 20));
  g_assert_cmpint (issue_count (im, "E_HEX_DATA"), ==, 2);
  g_assert_cmpint (issue_line (im, "E_HEX_DATA", 0), ==, 69 + 10 * 4);
  g_assert_cmpint (issue_line (im, "E_HEX_DATA", 1), ==, 69 + 10 * 6);
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 2);   /* and W_TRUNCATED */
}

static void
test_page_sample_count (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autoptr(GString) s = NULL;
  g_autoptr(Imported) im = NULL;
  g_auto(Samples) acc = { 0 };
  gsize len, at;
  const char *data;

  if (bytes == NULL)
    return;
  /* Page 1 loses its last sample and a half: 298 whole samples and 6
   * digits. Page 2 is timed from its own page time all the same. */
  data = g_bytes_get_data (bytes, &len);
  at = data_offset (bytes, 1) + PAGE * 12;
  s = g_string_new_len (data, (gssize) (at - 18));
  g_string_append_len (s, data + at, (gssize) (len - at));
  path = write_bad ("short.bin", s->str, s->len);
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, N_SAMPLES - 2);
  g_assert_cmpint (issue_count (im, "W_PAGE_SAMPLES"), ==, 1);
  g_assert_cmpint (issue_line (im, "W_PAGE_SAMPLES", 0), ==, 69 + 10 * 1);
  read_all (im, find_stream (im, "accelerometer"), &acc);
  g_assert_cmpint (acc.t[2 * PAGE - 2], ==, G_GINT64_CONSTANT (1369908774500000000) + 7 * G_GINT64_CONSTANT (1000000000));
}

static void
test_bad_page_time (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;

  if (bytes == NULL)
    return;
  path = write_replaced (bytes, "Page Time:2013-05-30 10:13:01:500", 0, "Page Time:2013-05-32 10:13:01:500");
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  /* That page (page 2) is skipped; the others are read. */
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, N_SAMPLES - PAGE);
  g_assert_cmpint (issue_count (im, "E_PAGE_HEADER"), ==, 1);
  g_assert_cmpint (issue_line (im, "E_PAGE_HEADER", 0), ==, 60 + 10 * 2);
}

static void
test_no_readable_page (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autoptr(GString) s = NULL;
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;

  if (bytes == NULL)
    return;
  /* Every "Page Time" renamed: no page has a time. */
  s = replaced_all (bytes, "Page Time:", "Page Tim?:", 0);
  path = write_bad ("timeless.bin", s->str, s->len);
  im = import_file (path, "UTC", NULL);
  assert_failed (im, path, IMU_IMPORT_ERROR_NO_DATA, "line 60: the page has no “Page Time”; no page of samples");
}

static void
test_mostly_bad_pages (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autoptr(GString) s = NULL;
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;
  g_autoptr(GBytes) unrated = NULL;

  if (bytes == NULL)
    return;
  /* Pages 0–9 lose their frequency, and the header its frequency: 10 of
   * 17 pages cannot be timed. */
  s = replaced_all (bytes, "Measurement Frequency:85.7 Hz", "Measurement Frequency:?", 1);
  unrated = g_bytes_new (s->str, s->len);
  g_string_free (g_steal_pointer (&s), TRUE);
  s = replaced_all (unrated, "Measurement Frequency:85.7\r\n", "Measurement Frequency:-\r\n", 10);
  path = write_bad ("unrated.bin", s->str, s->len);
  im = import_file (path, "UTC", NULL);
  assert_failed (im, path, IMU_IMPORT_ERROR_TOO_MANY_ERRORS,
                 "10 of 17 pages could not be read; the first, at line 60: neither the page nor the header "
                 "has a measurement frequency");
}

static void
test_stray_lines (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;

  if (bytes == NULL)
    return;
  /* A line of text between pages 7 and 8: counted, the pages read. */
  path = write_replaced (bytes, "Recorded Data", 8, "stray text\r\n\r\nRecorded Data");
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, N_SAMPLES);
  g_assert_cmpint (issue_count (im, "E_PAGE_HEADER"), ==, 1);
  g_assert_cmpint (issue_line (im, "E_PAGE_HEADER", 0), ==, 60 + 10 * 8);
}

/* The subject fields: the code is the session's subject unless the person
 * importing gave one; the location and the other fields are in the notes. */
static void
test_subject (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autoptr(GString) s = NULL;
  g_autoptr(GBytes) coded = NULL;
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) given = NULL;
  g_autoptr(ImuSession) given_session = NULL;
  GError *error = NULL;

  if (bytes == NULL)
    return;
  s = replaced_all (bytes, "Subject Code:\0\0\0\0\0\0\0\0", "Subject Code:S017\0\0\0\0", 1);
  coded = g_bytes_new (s->str, s->len);
  g_string_free (g_steal_pointer (&s), TRUE);
  s = replaced_all (coded, "Device Location Code:\r\n", "Device Location Code:left wrist\r\n", 1);
  path = write_bad ("subject.bin", s->str, s->len);

  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  session = imu_store_load_session (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_subject (session), ==, "S017");
  g_assert_nonnull (strstr (imu_session_get_notes (session), "\nDevice Location Code: left wrist\n"));
  g_assert_null (strstr (imu_session_get_notes (session), "Subject Code"));

  store = g_object_ref (im->store);
  given = imu_import_path (store, path, &(ImuImportOptions) { .device_timezone = "UTC", .subject = "P-42",
                                                               .allow_duplicate = TRUE },
                           NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  given_session = imu_store_load_session (store, given->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_subject (given_session), ==, "P-42");
  /* The file's code is not lost: it is in the notes then. */
  g_assert_nonnull (strstr (imu_session_get_notes (given_session), "Subject Code: S017"));
}

/* A page timed before the end of the one before it: kept, counted. */
static void
test_time_backwards (void)
{
  g_autoptr(GBytes) bytes = real_bytes ();
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;

  if (bytes == NULL)
    return;
  /* Page 3 says page 2's time. */
  path = write_replaced (bytes, "Page Time:2013-05-30 10:13:05:000", 0, "Page Time:2013-05-30 10:13:01:500");
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, N_SAMPLES);
  g_assert_cmpint (issue_count (im, "W_TIME_BACKWARDS"), ==, 1);
  g_assert_cmpint (issue_line (im, "W_TIME_BACKWARDS", 0), ==, 60 + 10 * 3);
}

static void
progress_cb (guint64 done, guint64 total, gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (done, >=, last[0]);
  g_assert_cmpuint (done, <=, total);
  last[0] = done;
  last[1] = total;
}

/* Progress ends at the file's size. */
static void
test_progress (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autofree char *library = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  ImuImportOptions options = { .device_timezone = "UTC" };
  guint64 last[2] = { 0, 0 };
  GError *error = NULL;

  if (path == NULL)
    return;
  library = imu_test_library_path ();
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  result = imu_import_path (store, path, &options, progress_cb, last, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (last[1], ==, 65536);
  g_assert_cmpuint (last[0], ==, 65536);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/import/geneactiv/reference", test_reference);
  g_test_add_func ("/core/import/geneactiv/file-zone", test_file_zone);
  g_test_add_func ("/core/import/geneactiv/option-zone", test_option_zone);
  g_test_add_func ("/core/import/geneactiv/detect", test_detect);
  g_test_add_func ("/core/import/geneactiv/folder", test_folder);
  g_test_add_func ("/core/import/geneactiv/subject", test_subject);
  g_test_add_func ("/core/import/geneactiv/progress", test_progress);
  g_test_add_func ("/core/import/geneactiv/bad/cut-in-header", test_cut_in_header);
  g_test_add_func ("/core/import/geneactiv/bad/cut-at-page", test_cut_at_page);
  g_test_add_func ("/core/import/geneactiv/bad/cut-in-page-header", test_cut_in_page_header);
  g_test_add_func ("/core/import/geneactiv/bad/cut-in-sample", test_cut_in_sample);
  g_test_add_func ("/core/import/geneactiv/bad/zeroed-header", test_zeroed_header);
  g_test_add_func ("/core/import/geneactiv/bad/garbled-calibration", test_garbled_calibration);
  g_test_add_func ("/core/import/geneactiv/bad/non-hex", test_non_hex);
  g_test_add_func ("/core/import/geneactiv/bad/page-sample-count", test_page_sample_count);
  g_test_add_func ("/core/import/geneactiv/bad/page-time", test_bad_page_time);
  g_test_add_func ("/core/import/geneactiv/bad/no-readable-page", test_no_readable_page);
  g_test_add_func ("/core/import/geneactiv/bad/mostly-bad-pages", test_mostly_bad_pages);
  g_test_add_func ("/core/import/geneactiv/bad/stray-lines", test_stray_lines);
  g_test_add_func ("/core/import/geneactiv/bad/time-backwards", test_time_backwards);
  return g_test_run ();
}
