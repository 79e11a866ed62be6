/* test-import-cwa.c — Axivity CWA files import with the values of the reference decodes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every real CWA file of ../shared/data/real is imported and compared,
 * sample by sample, with its reference decode (reference/NAME.csv.gz,
 * reference/README.md): values within 1e-9 g and deg/s, times within 1 µs
 * of `time_ns` (the anchor model), light, temperature and battery per
 * block, the skipped blocks exactly. Damaged files are made here from the
 * real ones (cut, zeroed, checksums broken) in a temporary folder.
 */
#define G_LOG_DOMAIN "test-import-cwa"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "imu-cwa.h"
#include "imu-import.h"
#include "imu-series.h"
#include "imu-store.h"
#include "imu-test-util.h"

/* ---- reading the reference ---- */

typedef struct {
  GPtrArray  *header;   /* column names */
  GPtrArray  *rows;     /* of GStrv */
  JsonParser *json;
} Reference;

static void
reference_free (Reference *ref)
{
  g_clear_pointer (&ref->header, g_ptr_array_unref);
  g_clear_pointer (&ref->rows, g_ptr_array_unref);
  g_clear_object (&ref->json);
  g_free (ref);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reference, reference_free)

static Reference *
reference_load (const char *base)
{
  g_autofree char *csv_rel = g_strdup_printf ("reference/%s.csv.gz", base);
  g_autofree char *json_rel = g_strdup_printf ("reference/%s.json", base);
  g_autofree char *csv_path = imu_test_real_file (csv_rel);
  g_autofree char *json_path = imu_test_real_file (json_rel);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) raw = NULL;
  g_autoptr(GZlibDecompressor) gunzip = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  GError *error = NULL;
  Reference *ref;
  char *line;
  gboolean first = TRUE;

  if (csv_path == NULL || json_path == NULL)
    return NULL;
  ref = g_new0 (Reference, 1);
  ref->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  ref->header = g_ptr_array_new_with_free_func (g_free);
  ref->json = json_parser_new ();
  json_parser_load_from_file (ref->json, json_path, &error);
  g_assert_no_error (error);

  file = g_file_new_for_path (csv_path);
  raw = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  gunzip = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  in = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (gunzip));
  data = g_data_input_stream_new (in);
  while ((line = g_data_input_stream_read_line (data, NULL, NULL, &error)) != NULL)
    {
      char **fields = g_strsplit (line, ",", -1);

      g_free (line);
      if (first)
        {
          for (char **f = fields; *f != NULL; f++)
            g_ptr_array_add (ref->header, g_strdup (*f));
          g_strfreev (fields);
          first = FALSE;
        }
      else
        g_ptr_array_add (ref->rows, fields);
    }
  g_assert_no_error (error);
  return ref;
}

static int
column (Reference *ref, const char *name)
{
  for (guint i = 0; i < ref->header->len; i++)
    if (g_str_equal (g_ptr_array_index (ref->header, i), name))
      return (int) i;
  return -1;
}

static const char *
field (Reference *ref, guint row, int col)
{
  return ((char **) g_ptr_array_index (ref->rows, row))[col];
}

static JsonObject *
ref_object (Reference *ref)
{
  return json_node_get_object (json_parser_get_root (ref->json));
}

/* ---- reading the library ---- */

typedef struct {
  gint64  n;
  gint64 *t;
  double *v[3];
} Samples;

static void
samples_clear (Samples *s)
{
  g_free (s->t);
  for (guint c = 0; c < 3; c++)
    g_free (s->v[c]);
}

static const ImuStreamInfo *
find_stream (GPtrArray *streams, const char *name)
{
  for (guint i = 0; i < streams->len; i++)
    {
      const ImuStreamInfo *s = g_ptr_array_index (streams, i);

      if (g_str_equal (s->name, name))
        return s;
    }
  return NULL;
}

static void
read_stream (ImuStore *store, const ImuStreamInfo *info, Samples *out)
{
  g_autoptr(ImuSeries) series = NULL;
  GError *error = NULL;

  g_assert_nonnull (info);
  g_assert_cmpuint (info->n_channels, ==, 3);
  series = imu_series_new (store, info->id, &error);
  g_assert_no_error (error);
  out->n = imu_series_get_n_samples (series);
  out->t = g_new (gint64, MAX (out->n, 1));
  for (guint c = 0; c < 3; c++)
    out->v[c] = g_new (double, MAX (out->n, 1));
  g_assert_cmpint (imu_series_read (series, 0, out->n, out->t, out->v, &error), ==, out->n);
  g_assert_no_error (error);
}

static ImuImportResult *
import_file (ImuStore *store, const char *path, const char *zone, const char *format, GError **error)
{
  ImuImportOptions options = { .device_timezone = zone, .format = format, .allow_duplicate = TRUE };

  return imu_import_path (store, path, &options, NULL, NULL, NULL, NULL, error);
}

static ImuStore *
new_store (void)
{
  g_autofree char *library = imu_test_library_path ();
  GError *error = NULL;
  ImuStore *store = imu_store_open (library, &error);

  g_assert_no_error (error);
  return store;
}

static gint64
issue_count (ImuImportResult *result, const char *code)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (result->issue_counts, code));
}

/* ---- the real files ---- */

typedef struct {
  const char *rel;
  const char *base;
  const char *subject;      /* from the metadata's _sc, or NULL */
  const char *note;         /* a line the notes hold */
} RealFile;

static const RealFile real_files[] = {
  { "cwa/ggirread/ax3_testfile.cwa", "ax3_testfile", "26", "Body location: right wrist" },
  { "cwa/ggirread/ax3_testfile_corrupt_blocks_0_13_14_142_143_144.cwa",
    "ax3_testfile_corrupt_blocks_0_13_14_142_143_144", "26", "Body location: right wrist" },
  { "cwa/ggirread/ax6_testfile.cwa", "ax6_testfile", "993", "Subject notes: test" },
  { "cwa/openmovement-pedometer/example-610-steps.cwa", "example-610-steps", NULL, "Setup operator: Kim" },
  { "cwa/paradigma-ax6/test_data.CWA", "test_data", NULL, "Axivity recording session: 0" },
};

static void
test_real (gconstpointer data)
{
  const RealFile *rf = data;
  g_autofree char *path = imu_test_real_file (rf->rel);
  g_autoptr(Reference) ref = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autofree char *serial = NULL;
  g_autofree char *firmware = NULL;
  g_autofree char *vendor = NULL, *model = NULL, *device_serial = NULL, *device_firmware = NULL;
  Samples accel = { 0 }, gyro = { 0 }, device = { 0 };
  JsonObject *obj, *header;
  JsonArray *skipped;
  GError *error = NULL;
  gboolean ax6;
  int c_t, c_block, c_light, c_temp, c_batt, c_xyz[3], c_gyro[3];
  gint64 max_dt = 0, n_blocks = 0, prev_block = -1;
  double max_dv = 0, accel_range, gyro_range;
  GArray *lines;

  if (path == NULL || !(ref = reference_load (rf->base)))
    return;
  obj = ref_object (ref);
  header = json_object_get_object_member (obj, "header");
  ax6 = g_str_equal (json_object_get_string_member (header, "deviceModel"), "AX6");

  store = new_store ();
  result = import_file (store, path, "UTC", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->format, ==, "cwa");
  g_assert_nonnull (result->device_clock);
  g_assert_nonnull (strstr (result->device_clock, "UTC"));

  /* The session and its device. */
  session = imu_store_load_session (store, result->session_id, &error);
  g_assert_no_error (error);
  g_object_get (session, "device-vendor", &vendor, "device-model", &model, "device-serial", &device_serial,
                "device-firmware", &device_firmware, NULL);
  serial = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (header, "deviceId"));
  firmware = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (header, "firmwareRevision"));
  g_assert_cmpstr (vendor, ==, "Axivity");
  g_assert_cmpstr (model, ==, json_object_get_string_member (header, "deviceModel"));
  g_assert_cmpstr (device_serial, ==, serial);
  g_assert_cmpstr (device_firmware, ==, firmware);
  g_assert_cmpfloat (imu_session_get_nominal_rate (session), ==, json_object_get_double_member (obj, "sample_rate_hz_nominal"));
  g_assert_cmpstr (imu_session_get_subject (session), ==, rf->subject != NULL ? rf->subject : "");
  g_assert_nonnull (strstr (imu_session_get_notes (session), rf->note));

  /* The streams, their units and ranges. */
  streams = imu_store_list_streams (store, result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (streams->len, ==, ax6 ? 3 : 2);
  accel_range = (double) json_object_get_int_member (header, "headerAccelRange_g");
  {
    const ImuStreamInfo *a = find_stream (streams, "accelerometer");
    const ImuStreamInfo *d = find_stream (streams, "device");

    g_assert (a != NULL);
    g_assert (d != NULL);
    g_assert_cmpstr (a->kind, ==, "accel");
    g_assert_cmpfloat (a->nominal_rate_hz, ==, 100.0);
    for (guint c = 0; c < 3; c++)
      {
        g_assert_cmpstr (a->channels[c].name, ==, ((const char *[]) { "x", "y", "z" })[c]);
        g_assert_cmpstr (a->channels[c].unit, ==, "g");
        g_assert_cmpfloat (a->channels[c].range_min, ==, -accel_range);
        g_assert_cmpfloat (a->channels[c].range_max, ==, accel_range);
      }
    g_assert_cmpstr (d->channels[0].name, ==, "light");
    g_assert_cmpstr (d->channels[0].unit, ==, "raw");
    g_assert_cmpstr (d->channels[1].name, ==, "temperature");
    g_assert_cmpstr (d->channels[1].unit, ==, "°C");
    g_assert_cmpstr (d->channels[2].name, ==, "battery");
    g_assert_cmpstr (d->channels[2].unit, ==, "raw");
    read_stream (store, a, &accel);
    read_stream (store, d, &device);
  }
  if (ax6)
    {
      const ImuStreamInfo *g = find_stream (streams, "gyroscope");

      gyro_range = (double) json_object_get_int_member (header, "headerGyroRange_dps");
      g_assert (g != NULL);
      g_assert_cmpstr (g->kind, ==, "gyro");
      for (guint c = 0; c < 3; c++)
        {
          g_assert_cmpstr (g->channels[c].unit, ==, "deg/s");
          g_assert_cmpfloat (g->channels[c].range_max, ==, gyro_range);
        }
      read_stream (store, g, &gyro);
      g_assert_cmpint (gyro.n, ==, accel.n);
    }

  /* Every sample. */
  g_assert_cmpint (accel.n, ==, json_object_get_int_member (obj, "samples"));
  g_assert_cmpint (accel.n, ==, ref->rows->len);
  c_t = column (ref, "time_ns");
  c_block = column (ref, "block");
  c_light = column (ref, "light_raw");
  c_temp = column (ref, "temperature_c");
  c_batt = column (ref, "battery_raw");
  c_xyz[0] = column (ref, "x_g");
  c_xyz[1] = column (ref, "y_g");
  c_xyz[2] = column (ref, "z_g");
  c_gyro[0] = column (ref, "gx_dps");
  c_gyro[1] = column (ref, "gy_dps");
  c_gyro[2] = column (ref, "gz_dps");
  for (guint i = 0; i < ref->rows->len; i++)
    {
      gint64 t = g_ascii_strtoll (field (ref, i, c_t), NULL, 10);
      gint64 block = g_ascii_strtoll (field (ref, i, c_block), NULL, 10);

      max_dt = MAX (max_dt, ABS (accel.t[i] - t));
      for (guint c = 0; c < 3; c++)
        {
          double v = g_ascii_strtod (field (ref, i, c_xyz[c]), NULL);

          max_dv = MAX (max_dv, fabs (accel.v[c][i] - v));
          if (ax6)
            {
              double g = g_ascii_strtod (field (ref, i, c_gyro[c]), NULL);

              g_assert_cmpint (gyro.t[i], ==, accel.t[i]);
              max_dv = MAX (max_dv, fabs (gyro.v[c][i] - g));
            }
        }
      /* The device stream: one sample per block, at its first sample. */
      if (block != prev_block)
        {
          g_assert_cmpint (n_blocks, <, device.n);
          g_assert_cmpint (device.t[n_blocks], ==, accel.t[i]);
          g_assert_cmpfloat (device.v[0][n_blocks], ==, g_ascii_strtod (field (ref, i, c_light), NULL));
          g_assert_cmpfloat (device.v[1][n_blocks], ==, g_ascii_strtod (field (ref, i, c_temp), NULL));
          g_assert_cmpfloat (device.v[2][n_blocks], ==, g_ascii_strtod (field (ref, i, c_batt), NULL));
          n_blocks++;
          prev_block = block;
        }
    }
  g_test_message ("%s: %" G_GINT64_FORMAT " samples, %" G_GINT64_FORMAT " blocks; largest difference "
                  "%.3g in values, %" G_GINT64_FORMAT " ns in time", rf->base, accel.n, n_blocks, max_dv, max_dt);
  g_assert_cmpfloat (max_dv, <=, 1e-9);
  g_assert_cmpint (max_dt, <=, 1000);
  g_assert_cmpint (device.n, ==, n_blocks);
  g_assert_cmpint (n_blocks, ==, json_object_get_int_member (obj, "valid_blocks"));

  /* The skipped blocks, by their numbers. */
  skipped = json_object_get_array_member (obj, "skipped_blocks");
  g_assert_cmpint (issue_count (result, "W_CORRUPT_BLOCK"), ==, json_array_get_length (skipped));
  g_assert_cmpuint (g_hash_table_size (result->issue_counts), ==, json_array_get_length (skipped) > 0 ? 1 : 0);
  if (json_array_get_length (skipped) > 0)
    {
      lines = g_hash_table_lookup (result->issue_lines, "W_CORRUPT_BLOCK");
      g_assert_cmpuint (lines->len, ==, json_array_get_length (skipped));
      for (guint i = 0; i < lines->len; i++)
        g_assert_cmpint (g_array_index (lines, gint64, i), ==,
                         json_object_get_int_member (json_array_get_object_element (skipped, i), "block"));
    }
  samples_clear (&accel);
  samples_clear (&gyro);
  samples_clear (&device);
}

/* The zone given to the import moves every time by its offset. */
static void
test_device_timezone (void)
{
  g_autofree char *path = imu_test_real_file ("cwa/ggirread/ax3_testfile.cwa");
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) utc = NULL;
  g_autoptr(ImuImportResult) berlin = NULL;
  g_autoptr(ImuImportResult) machine = NULL;
  g_autoptr(GPtrArray) s_utc = NULL;
  g_autoptr(GPtrArray) s_berlin = NULL;
  Samples a = { 0 }, b = { 0 };
  GError *error = NULL;

  if (path == NULL)
    return;
  store = new_store ();
  utc = import_file (store, path, "UTC", NULL, &error);
  g_assert_no_error (error);
  berlin = import_file (store, path, "+01:00", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (berlin->device_clock, "+01:00"));
  /* With no zone given (and none in the file), this computer's. */
  machine = import_file (store, path, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (machine->device_clock);

  s_utc = imu_store_list_streams (store, utc->session_id, &error);
  g_assert_no_error (error);
  s_berlin = imu_store_list_streams (store, berlin->session_id, &error);
  g_assert_no_error (error);
  read_stream (store, find_stream (s_utc, "accelerometer"), &a);
  read_stream (store, find_stream (s_berlin, "accelerometer"), &b);
  g_assert_cmpint (a.n, ==, b.n);
  for (gint64 i = 0; i < a.n; i++)
    g_assert_cmpint (b.t[i], ==, a.t[i] - G_GINT64_CONSTANT (3600000000000));
  samples_clear (&a);
  samples_clear (&b);
}

/* ---- damaged files, made from a real one ---- */

static guint8 *
real_bytes (const char *rel, gsize *len)
{
  g_autofree char *path = imu_test_real_file (rel);
  char *contents = NULL;
  GError *error = NULL;

  if (path == NULL)
    return NULL;
  g_file_get_contents (path, &contents, len, &error);
  g_assert_no_error (error);
  return (guint8 *) contents;
}

/* Imports @len bytes written as @name; asserts that a refusal leaves no
 * session. */
static ImuImportResult *
import_bytes (ImuStore *store, const char *name, const guint8 *bytes, gsize len, const char *format, GError **error)
{
  g_autofree char *path = imu_test_write_file (name, (const char *) bytes, (gssize) len);
  gint64 before = imu_store_count_sessions (store, NULL);
  ImuImportResult *result = import_file (store, path, "UTC", format, error);

  if (result == NULL)
    g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, before);
  else
    g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, before + 1);
  return result;
}

static gint64
accel_samples (ImuStore *store, ImuImportResult *result, Samples *out)
{
  g_autoptr(GPtrArray) streams = NULL;
  GError *error = NULL;

  streams = imu_store_list_streams (store, result->session_id, &error);
  g_assert_no_error (error);
  read_stream (store, find_stream (streams, "accelerometer"), out);
  return out->n;
}

/* A folder holding a CWA file is one session with its samples. */
static void
test_folder (void)
{
  g_autofree char *path = imu_test_real_file ("cwa/ggirread/ax6_testfile.cwa");
  g_autofree char *dir = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *copy = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GFile) from = NULL;
  g_autoptr(GFile) to = NULL;
  Samples s = { 0 };
  GError *error = NULL;

  if (path == NULL)
    return;
  dir = imu_test_tmpdir ();
  folder = g_build_filename (dir, "visit", NULL);
  copy = g_build_filename (folder, "AX6.CWA", NULL);
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  from = g_file_new_for_path (path);
  to = g_file_new_for_path (copy);
  g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  store = new_store ();
  result = import_file (store, folder, "UTC", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->format, ==, "cwa");
  g_assert_cmpint (accel_samples (store, result, &s), ==, 11320);
  session = imu_store_load_session (store, result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_subject (session), ==, "993");
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 1);
  samples_clear (&s);
}

static void
test_truncated (void)
{
  gsize len;
  g_autofree guint8 *bytes = real_bytes ("cwa/ggirread/ax3_testfile.cwa", &len);
  g_autoptr(ImuStore) store = NULL;
  GError *error = NULL;

  if (bytes == NULL)
    return;
  store = new_store ();

  /* Cut inside the header: refused, forced or not. */
  {
    g_autoptr(ImuImportResult) r = import_bytes (store, "cut.cwa", bytes, 300, NULL, &error);

    g_assert_null (r);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER);
    g_assert_nonnull (strstr (error->message, "cut.cwa"));
    g_assert_nonnull (strstr (error->message, "300 of 1024 bytes"));
    g_clear_error (&error);
  }
  /* The header alone: no samples. */
  {
    g_autoptr(ImuImportResult) r = import_bytes (store, "header.cwa", bytes, 1024, NULL, &error);

    g_assert_null (r);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA);
    g_assert_nonnull (strstr (error->message, "header.cwa"));
    g_clear_error (&error);
  }
  /* Cut inside block 10: blocks 0–9 import, block 10 is counted. */
  {
    g_autoptr(ImuImportResult) r = import_bytes (store, "block.cwa", bytes, 1024 + 10 * 512 + 100, NULL, &error);
    Samples s = { 0 };
    GArray *lines;

    g_assert_no_error (error);
    g_assert_cmpint (accel_samples (store, r, &s), ==, 10 * 120);
    g_assert_cmpint (issue_count (r, "W_CORRUPT_BLOCK"), ==, 1);
    lines = g_hash_table_lookup (r->issue_lines, "W_CORRUPT_BLOCK");
    g_assert_cmpint (g_array_index (lines, gint64, 0), ==, 10);
    samples_clear (&s);
  }
}

static void
test_zeroed_header (void)
{
  gsize len;
  g_autofree guint8 *bytes = real_bytes ("cwa/ggirread/ax3_testfile.cwa", &len);
  g_autoptr(ImuStore) store = NULL;
  GError *error = NULL;

  if (bytes == NULL)
    return;
  store = new_store ();
  memset (bytes, 0, IMU_CWA_HEADER_BYTES);
  {
    g_autoptr(ImuImportResult) r = import_bytes (store, "zero.cwa", bytes, len, NULL, &error);

    g_assert_null (r);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED);
    g_clear_error (&error);
  }
  {
    g_autoptr(ImuImportResult) r = import_bytes (store, "zero.cwa", bytes, len, "cwa", &error);

    g_assert_null (r);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED);
    g_assert_nonnull (strstr (error->message, "does not look like Axivity CWA device files"));
    g_assert_nonnull (strstr (error->message, "zero.cwa"));
    g_clear_error (&error);
  }
}

static void
test_bad_checksums (void)
{
  gsize len;
  g_autofree guint8 *bytes = real_bytes ("cwa/ggirread/ax3_testfile.cwa", &len);
  g_autoptr(ImuStore) store = NULL;
  GError *error = NULL;

  if (bytes == NULL)
    return;
  store = new_store ();
  /* One sample byte of blocks 3 and 7: their sums are no longer zero. */
  bytes[1024 + 3 * 512 + 100] ^= 0x01;
  bytes[1024 + 7 * 512 + 200] ^= 0x40;
  {
    g_autoptr(ImuImportResult) r = import_bytes (store, "sums.cwa", bytes, len, NULL, &error);
    Samples s = { 0 };
    GArray *lines;
    gint64 gap;

    g_assert_no_error (error);
    g_assert_cmpint (accel_samples (store, r, &s), ==, 17400 - 2 * 120);
    g_assert_cmpint (issue_count (r, "W_CORRUPT_BLOCK"), ==, 2);
    lines = g_hash_table_lookup (r->issue_lines, "W_CORRUPT_BLOCK");
    g_assert_cmpuint (lines->len, ==, 2);
    g_assert_cmpint (g_array_index (lines, gint64, 0), ==, 3);
    g_assert_cmpint (g_array_index (lines, gint64, 1), ==, 7);
    /* A gap where block 3 was: about one block (1.2 s) between the last
     * sample of block 2 and the first of block 4. */
    gap = s.t[3 * 120] - s.t[3 * 120 - 1];
    g_assert_cmpint (gap, >, G_GINT64_CONSTANT (1100000000));
    g_assert_cmpint (gap, <, G_GINT64_CONSTANT (1400000000));
    samples_clear (&s);
  }
  /* Every block broken: refused, with how many. */
  for (gsize off = 1024; off + 512 <= len; off += 512)
    bytes[off + 300] ^= 0x10;
  {
    g_autoptr(ImuImportResult) r = import_bytes (store, "all.cwa", bytes, len, NULL, &error);

    g_assert_null (r);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA);
    g_assert_nonnull (strstr (error->message, "all.cwa"));
    g_assert_nonnull (strstr (error->message, "145"));
    g_clear_error (&error);
  }
}

/* ---- the decoder on blocks made here ---- */

static void
put16 (guint8 *p, guint16 v)
{
  p[0] = v & 0xff;
  p[1] = v >> 8;
}

static void
put32 (guint8 *p, guint32 v)
{
  put16 (p, v & 0xffff);
  put16 (p + 2, v >> 16);
}

static guint32
pack_time (int y, int mo, int d, int h, int mi, int s)
{
  return ((guint32) (y - 2000) << 26) | ((guint32) mo << 22) | ((guint32) d << 17) | ((guint32) h << 12)
         | ((guint32) mi << 6) | (guint32) s;
}

/* A data block: @axes_bps, @n samples, time index @ti, checksum set. */
static void
make_block (guint8 *b, guint8 axes_bps, guint n, gint16 ti, guint16 light_scale, guint16 fractional)
{
  guint16 sum = 0;

  b[0] = 'A';
  b[1] = 'X';
  put16 (b + 2, 508);
  put16 (b + 4, fractional);
  put32 (b + 6, 7);
  put32 (b + 14, pack_time (2020, 2, 29, 23, 59, 58));
  put16 (b + 18, light_scale);
  put16 (b + 20, 300);
  b[23] = 200;
  b[24] = 0x4a;
  b[25] = axes_bps;
  put16 (b + 26, (guint16) ti);
  put16 (b + 28, n);
  put16 (b + 510, 0);
  for (guint i = 0; i < 512; i += 2)
    sum = (guint16) (sum + (b[i] | (b[i + 1] << 8)));
  put16 (b + 510, (guint16) (0x10000 - sum));
}

static void
test_decode_packed (void)
{
  guint8 b[512] = { 0 };
  ImuCwaBlock block;
  ImuCwaHeader header = { 0 };

  /* x = −1 (0x3ff), y = 511, z = −512, exponent 3: ×8, in 1/256 g. */
  put32 (b + 30, (3u << 30) | (0x200u << 20) | (0x1ffu << 10) | 0x3ffu);
  make_block (b, 0x30, 1, 0, 0x0123, 0);
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_OK);
  g_assert_true (block.packed);
  g_assert_cmpuint (block.n_samples, ==, 1);
  g_assert_cmpfloat (block.accel[0][0], ==, -8.0 / 256);
  g_assert_cmpfloat (block.accel[0][1], ==, 511.0 * 8 / 256);
  g_assert_cmpfloat (block.accel[0][2], ==, -512.0 * 8 / 256);
  g_assert_cmpuint (block.aux.light, ==, 0x123);
  g_assert_cmpfloat (block.aux.temperature_c, ==, 300 * 75.0 / 256 - 50);
  g_assert_cmpuint (block.aux.battery, ==, 200);
  g_assert_cmpint (block.time_local_ns, ==, G_GINT64_CONSTANT (1583020798) * 1000000000);
  g_assert_cmpfloat (block.rate_hz, ==, 100.0);

  /* A broken sum, another kind of block, a sample count too large, a time
   * that is not a date. */
  b[40] ^= 1;
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_CHECKSUM);
  b[40] ^= 1;
  b[0] = 'M';
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_NOT_DATA);
  b[0] = 'A';
  make_block (b, 0x30, 121, 0, 0, 0);
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_BAD_FORMAT);
  make_block (b, 0x40, 1, 0, 0, 0);
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_BAD_FORMAT);
  make_block (b, 0x30, 1, 0, 0, 0);
  put32 (b + 14, pack_time (2021, 2, 29, 0, 0, 0));
  put16 (b + 510, 0);
  {
    guint16 sum = 0;

    for (guint i = 0; i < 512; i += 2)
      sum = (guint16) (sum + (b[i] | (b[i + 1] << 8)));
    put16 (b + 510, (guint16) (0x10000 - sum));
  }
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_BAD_TIME);
}

static void
test_decode_imu (void)
{
  guint8 b[512] = { 0 };
  ImuCwaBlock block;
  ImuCwaHeader header = { .gyro_range_dps = 500 };

  /* 9 axes: gyro, accel, mag. Accel scale 1/2^(8+3), gyro 8000/2^4 = 500 deg/s. */
  for (guint a = 0; a < 9; a++)
    put16 (b + 30 + 2 * a, (guint16) (gint16) (a % 2 ? -(int) (a * 100) : (int) (a * 100)));
  make_block (b, 0x92, 1, 0, (3 << 13) | (4 << 10), 0);
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_OK);
  g_assert_cmpuint (block.n_axes, ==, 9);
  g_assert_false (block.packed);
  g_assert_cmpfloat (block.gyro[0][0], ==, 0.0);
  g_assert_cmpfloat (block.gyro[0][1], ==, -100.0 * 500 / 32768);
  g_assert_cmpfloat (block.gyro[0][2], ==, 200.0 * 500 / 32768);
  g_assert_cmpfloat (block.accel[0][0], ==, -300.0 / 2048);
  g_assert_cmpfloat (block.accel[0][1], ==, 400.0 / 2048);
  g_assert_cmpfloat (block.accel[0][2], ==, -500.0 / 2048);
  g_assert_cmpfloat (block.mag[0][0], ==, 600.0 / 16);
  g_assert_cmpfloat (block.mag[0][2], ==, 800.0 / 16);

  /* No gyro range in the block: the header's. */
  make_block (b, 0x62, 1, 0, 0, 0);
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_OK);
  g_assert_cmpfloat (block.gyro[0][1], ==, -100.0 * 500 / 32768);
  g_assert_cmpfloat (block.accel[0][0], ==, -300.0 / 256);

  /* A fractional timestamp: half a second, and the time index moved back
   * by the 50 samples the device had moved it. */
  make_block (b, 0x62, 40, -10, 0, 0x8000 | 0x4000);
  g_assert_cmpint (imu_cwa_block_decode (b, &header, &block), ==, IMU_CWA_BLOCK_OK);
  g_assert_cmpint (block.time_local_ns, ==, G_GINT64_CONSTANT (1583020798) * 1000000000 + 500000000);
  g_assert_cmpint (block.time_index, ==, 40);
}

static void
test_header (void)
{
  gsize len;
  g_autofree guint8 *bytes = real_bytes ("cwa/ggirread/ax6_testfile.cwa", &len);
  ImuCwaHeader h;
  const char *cursor;
  char *name, *value;

  if (bytes == NULL)
    return;
  g_assert_true (imu_cwa_header_parse (bytes, len, &h));
  g_assert_cmpstr (h.model, ==, "AX6");
  g_assert_cmpuint (h.device_id, ==, 6011834);
  g_assert_cmpuint (h.session_id, ==, 993);
  g_assert_cmpint (h.accel_range_g, ==, 16);
  g_assert_cmpint (h.gyro_range_dps, ==, 250);
  g_assert_cmpfloat (h.rate_hz, ==, 100.0);
  g_assert_cmpuint (h.firmware, ==, 54);
  g_assert_cmpstr (h.metadata, ==, "_sc=993&_sn=test");
  g_assert_false (imu_cwa_header_parse (bytes, 511, &h));

  cursor = "_p=right+wrist&&x%41y=%e2%82%ac&empty&=v&_n=a%2";
  g_assert_true (imu_cwa_metadata_next (&cursor, &name, &value));
  g_assert_cmpstr (name, ==, "_p");
  g_assert_cmpstr (value, ==, "right wrist");
  g_free (name);
  g_free (value);
  g_assert_true (imu_cwa_metadata_next (&cursor, &name, &value));
  g_assert_cmpstr (name, ==, "xAy");
  g_assert_cmpstr (value, ==, "€");
  g_free (name);
  g_free (value);
  g_assert_true (imu_cwa_metadata_next (&cursor, &name, &value));
  g_assert_cmpstr (name, ==, "empty");
  g_assert_cmpstr (value, ==, "");
  g_free (name);
  g_free (value);
  g_assert_true (imu_cwa_metadata_next (&cursor, &name, &value));
  g_assert_cmpstr (name, ==, "_n");
  g_assert_cmpstr (value, ==, "a%2");
  g_free (name);
  g_free (value);
  g_assert_false (imu_cwa_metadata_next (&cursor, &name, &value));

  g_assert_cmpint (imu_cwa_time_to_local_ns (pack_time (2019, 2, 26, 10, 55, 0)), ==,
                   G_GINT64_CONSTANT (1551178500) * 1000000000);
  g_assert_cmpint (imu_cwa_time_to_local_ns (0), ==, IMU_CWA_TIME_INVALID);
  g_assert_cmpint (imu_cwa_time_to_local_ns (pack_time (2019, 13, 1, 0, 0, 0)), ==, IMU_CWA_TIME_INVALID);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (real_files); i++)
    {
      g_autofree char *name = g_strdup_printf ("/core/import/cwa/real/%s", real_files[i].base);

      g_test_add_data_func (name, &real_files[i], test_real);
    }
  g_test_add_func ("/core/import/cwa/device-timezone", test_device_timezone);
  g_test_add_func ("/core/import/cwa/folder", test_folder);
  g_test_add_func ("/core/import/cwa/bad/truncated", test_truncated);
  g_test_add_func ("/core/import/cwa/bad/zeroed-header", test_zeroed_header);
  g_test_add_func ("/core/import/cwa/bad/checksums", test_bad_checksums);
  g_test_add_func ("/core/import/cwa/decode/packed", test_decode_packed);
  g_test_add_func ("/core/import/cwa/decode/imu", test_decode_imu);
  g_test_add_func ("/core/import/cwa/decode/header", test_header);
  return g_test_run ();
}
