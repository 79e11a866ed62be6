/* test-import-gt3x.c — ActiGraph GT3X: the decoder on known bytes, the real
 * file against its reference decode sample by sample, and damaged files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The known bytes are the examples of ActiGraph's format description
 * (github.com/actigraph/GT3X-File-Format: Activity.md, Parameters.md,
 * Metadata.md). The reference is ../shared/data/real/reference/
 * actigraph_testfile.csv.gz (pygt3x, agreeing with read.gt3x; its README
 * says how it was made), read here with GIO's zlib decompressor. Damaged
 * files are made from the real one in a temporary folder with libarchive;
 * the real files are never copied into the tree.
 */
#define G_LOG_DOMAIN "test-import-gt3x"

#include <math.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <gio/gio.h>

#include "imu-gt3x.h"
#include "imu-import.h"
#include "imu-series.h"
#include "imu-store.h"
#include "imu-test-util.h"

#define REAL "gt3x/ggir/actigraph_testfile.gt3x"
#define REFERENCE "reference/actigraph_testfile.csv.gz"
#define N_REFERENCE 53040
#define NS G_GINT64_CONSTANT (1000000000)
/* The local clock of the file's first activity record (2020-08-26 10:09:00). */
#define FIRST_SECOND G_GINT64_CONSTANT (1598436540)

/* ---- the decoder on the format description's examples ---- */

static void
test_activity_example (void)
{
  /* Activity.md: "00 60 08 EB D0 07 00 9E BF 00 70 08 EB F0" is three
   * samples of Y, X, Z: (6, 8, −323), (7, 9, −321), (7, 8, −321); the
   * last nibble is unused. */
  static const guint8 payload[] = { 0x00, 0x60, 0x08, 0xEB, 0xD0, 0x07, 0x00, 0x9E, 0xBF, 0x00, 0x70, 0x08, 0xEB, 0xF0 };
  static const gint16 expected[] = { 8, 6, -323, 9, 7, -321, 8, 7, -321 };
  gint16 xyz[12] = { 0 };

  g_assert_cmpuint (imu_gt3x_unpack_activity (payload, sizeof payload, xyz, 4), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_cmpint (xyz[i], ==, expected[i]);
  /* At most the samples asked for. */
  g_assert_cmpuint (imu_gt3x_unpack_activity (payload, sizeof payload, xyz, 2), ==, 2);
  g_assert_cmpuint (imu_gt3x_unpack_activity (payload, 4, xyz, 4), ==, 0);
}

static void
test_activity2_example (void)
{
  /* Activity2.md: X, Y, Z little-endian int16: (0, 0, 0), (48, −52, 322). */
  static const guint8 payload[] = { 0, 0, 0, 0, 0, 0, 0x30, 0x00, 0xCC, 0xFF, 0x42, 0x01, 0x03 };
  gint16 xyz[6] = { 0 };

  g_assert_cmpuint (imu_gt3x_unpack_activity2 (payload, sizeof payload, xyz, 30), ==, 2);
  g_assert_cmpint (xyz[3], ==, 48);
  g_assert_cmpint (xyz[4], ==, -52);
  g_assert_cmpint (xyz[5], ==, 322);
}

static void
test_ssp_float (void)
{
  /* Parameters.md: ACCEL_SCALE 00 00 40 09 = 256, IMU_ACCEL_SCALE
   * 00 00 40 0C = 2048, IMU_TEMP_OFFSET 00 00 54 05 = 21, BATTERY_VOLTAGE
   * 81 95 41 03 "4.1 V" (rounded there: 0x419581 / 2^23 × 2^3 exactly);
   * zero is zero. */
  g_assert_cmpfloat (imu_gt3x_decode_ssp_float (0x09400000u), ==, 256.0);
  g_assert_cmpfloat (imu_gt3x_decode_ssp_float (0x0C400000u), ==, 2048.0);
  g_assert_cmpfloat (imu_gt3x_decode_ssp_float (0x05540000u), ==, 21.0);
  g_assert_cmpfloat (imu_gt3x_decode_ssp_float (0x03419581u), ==, 4298113.0 / 1048576.0);
  g_assert_cmpfloat (imu_gt3x_decode_ssp_float (0), ==, 0.0);
  /* A negative fraction: −0.5 × 2^1. */
  g_assert_cmpfloat (imu_gt3x_decode_ssp_float (0x01C00000u), ==, -1.0);
}

static void
test_parameters (void)
{
  /* Key/value pairs of Parameters.md's example: ACCEL_SCALE 256,
   * SAMPLE_RATE 30, FEATURE_ENABLE 0x114 (sleep mode), and a key IMU
   * Studio does not use. */
  static const guint8 payload[] = {
    0x00, 0x00, 0x37, 0x00, 0x00, 0x00, 0x40, 0x09,
    0x01, 0x00, 0x0A, 0x00, 0x1E, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x02, 0x00, 0x14, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00,
  };
  ImuGt3xParameters p;

  g_assert_true (imu_gt3x_parse_parameters (payload, sizeof payload, &p));
  g_assert_cmpuint (p.n_pairs, ==, 4);
  g_assert_true (p.has_accel_scale);
  g_assert_cmpfloat (p.accel_scale, ==, 256.0);
  g_assert_true (p.has_sample_rate);
  g_assert_cmpuint (p.sample_rate, ==, 30);
  g_assert_true (p.has_feature_enable);
  g_assert_cmpuint (p.feature_enable & 4, ==, 4);
  g_assert_false (p.has_utc_offset);
  g_assert_false (imu_gt3x_parse_parameters (payload, sizeof payload - 3, &p));
  g_assert_cmpuint (p.n_pairs, ==, 3);
}

static void
test_scan_metadata_example (void)
{
  /* Metadata.md: a METADATA record of 124 bytes of JSON, checksum F8. */
  static const char json[] = "{\"MetadataType\":\"Bio\",\"SubjectName\":\"CLE2A14151617\",\"Race\":\"\",\"Limb\":\"\","
                             "\"Side\":\"\",\"Dominance\":\"\",\"Parsed\":false,\"JSON\":null}";
  guint8 bytes[8 + 124 + 1 + 3];
  ImuGt3xRecord r;
  gsize consumed;

  g_assert_cmpuint (strlen (json), ==, 124);
  memcpy (bytes, "\x1E\x06\x71\xE8\xB4\x54\x7C\x00", 8);
  memcpy (bytes + 8, json, 124);
  bytes[132] = 0xF8;
  memset (bytes + 133, 0, 3);
  g_assert_cmpuint (imu_gt3x_checksum (bytes, 132), ==, 0xF8);

  g_assert_cmpint (imu_gt3x_scan (bytes, 133, TRUE, &r, &consumed), ==, IMU_GT3X_SCAN_RECORD);
  g_assert_cmpuint (consumed, ==, 133);
  g_assert_cmpuint (r.type, ==, IMU_GT3X_RECORD_METADATA);
  g_assert_cmpuint (r.timestamp, ==, 1421142129);
  g_assert_cmpuint (r.size, ==, 124);
  g_assert_true (memcmp (r.payload, json, 124) == 0);
  /* Cut: more is needed, or at the end it is a cut record. */
  g_assert_cmpint (imu_gt3x_scan (bytes, 100, FALSE, &r, &consumed), ==, IMU_GT3X_SCAN_NEED_MORE);
  g_assert_cmpint (imu_gt3x_scan (bytes, 100, TRUE, &r, &consumed), ==, IMU_GT3X_SCAN_TRUNCATED);
  g_assert_cmpuint (consumed, ==, 100);
  /* Zero padding after it is padding, not damage. */
  g_assert_cmpint (imu_gt3x_scan (bytes + 133, 3, TRUE, &r, &consumed), ==, IMU_GT3X_SCAN_PADDING);
  g_assert_cmpuint (consumed, ==, 3);
  /* A wrong checksum followed by padding: the size is believed. */
  bytes[132] ^= 0x01;
  g_assert_cmpint (imu_gt3x_scan (bytes, sizeof bytes, TRUE, &r, &consumed), ==, IMU_GT3X_SCAN_CORRUPT);
  g_assert_cmpuint (consumed, ==, 133);
}

static void
test_info_txt (void)
{
  static const char text[] =
    "\xEF\xBB\xBFSerial Number: MOS2E39180594\r\nDevice Type: wGT3XBT\r\nFirmware: 1.9.2\r\n"
    "Battery Voltage: 4,03\r\nSample Rate: 30\r\nStart Date: 637340333400000000\r\nStop Date: 0\r\n"
    "TimeZone: 02:00:00\r\nAcceleration Scale: 256.0\r\nAcceleration Min: -8.0\r\nAcceleration Max: 8.0\r\n"
    "no colon here\r\nSubject Name: MOS2E39180594";
  g_autoptr(ImuGt3xInfo) info = imu_gt3x_info_parse (text, sizeof text - 1);
  gint64 ns = 0;
  g_autofree char *plus = imu_gt3x_time_zone_text ("02:00:00");
  g_autofree char *minus = imu_gt3x_time_zone_text ("-05:30:00");
  g_autofree char *bad = imu_gt3x_time_zone_text ("Europe/Berlin");

  g_assert_cmpstr (info->serial, ==, "MOS2E39180594");
  g_assert_cmpstr (info->device_type, ==, "wGT3XBT");
  g_assert_cmpstr (info->firmware, ==, "1.9.2");
  g_assert_cmpstr (info->subject, ==, "MOS2E39180594");
  g_assert_cmpstr (info->time_zone, ==, "02:00:00");
  g_assert_cmpfloat (info->sample_rate, ==, 30.0);
  g_assert_cmpfloat (info->accel_scale, ==, 256.0);
  g_assert_cmpfloat (info->accel_min, ==, -8.0);
  g_assert_cmpfloat (info->accel_max, ==, 8.0);
  g_assert_cmpint (info->start_ticks, ==, G_GINT64_CONSTANT (637340333400000000));
  g_assert_cmpint (info->stop_ticks, ==, 0);
  g_assert_cmpuint (info->keys->len, ==, 12);
  g_assert_cmpstr (g_ptr_array_index (info->values, 3), ==, "4,03");
  /* .NET ticks of 2020-08-26 10:09:00 on the device's clock. */
  g_assert_true (imu_gt3x_ticks_to_ns (info->start_ticks, &ns));
  g_assert_cmpint (ns, ==, FIRST_SECOND * NS);
  g_assert_false (imu_gt3x_ticks_to_ns (0, &ns));
  g_assert_cmpstr (plus, ==, "+02:00:00");
  g_assert_cmpstr (minus, ==, "-05:30:00");
  g_assert_null (bad);
}

/* ---- the real file's members, and zips made from them ---- */

typedef struct {
  GBytes *log;
  GBytes *info;
} Members;

static void
members_clear (Members *m)
{
  g_clear_pointer (&m->log, g_bytes_unref);
  g_clear_pointer (&m->info, g_bytes_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Members, members_clear)

static void
read_members (const char *path, Members *m)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *ae;

  archive_read_support_format_zip (a);
  g_assert_cmpint (archive_read_open_filename (a, path, 65536), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &ae) == ARCHIVE_OK)
    {
      GByteArray *bytes = g_byte_array_new ();
      guint8 chunk[65536];
      la_ssize_t n;

      while ((n = archive_read_data (a, chunk, sizeof chunk)) > 0)
        g_byte_array_append (bytes, chunk, (guint) n);
      g_assert_cmpint (n, ==, 0);
      if (g_str_equal (archive_entry_pathname (ae), "log.bin"))
        m->log = g_byte_array_free_to_bytes (bytes);
      else if (g_str_equal (archive_entry_pathname (ae), "info.txt"))
        m->info = g_byte_array_free_to_bytes (bytes);
      else
        g_byte_array_unref (bytes);
    }
  archive_read_free (a);
  g_assert_nonnull (m->log);
  g_assert_nonnull (m->info);
}

/* A zip of the given members (NULL bytes: left out), log.bin first as
 * ActiLife writes it. */
static char *
write_gt3x (const char *name, GBytes *log, GBytes *info)
{
  g_autofree char *dir = imu_test_tmpdir ();
  char *path = g_build_filename (dir, name, NULL);
  struct archive *a = archive_write_new ();
  const char *names[] = { "log.bin", "info.txt" };
  GBytes *data[] = { log, info };

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      struct archive_entry *e;
      gsize len;
      const void *bytes;

      if (data[i] == NULL)
        continue;
      bytes = g_bytes_get_data (data[i], &len);
      e = archive_entry_new ();
      archive_entry_set_pathname (e, names[i]);
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0644);
      archive_entry_set_size (e, (la_int64_t) len);
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (a, bytes, len), ==, (la_ssize_t) len);
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  return path;
}

/* Offsets of the records of a log.bin (read here by the README's layout,
 * independently of the decoder): every record, and which are activity. */
typedef struct {
  gsize   offset;
  guint8  type;
  guint32 timestamp;
  guint16 size;
} RecordAt;

static GArray *
list_records (GBytes *log)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (log, &len);
  GArray *records = g_array_new (FALSE, FALSE, sizeof (RecordAt));

  for (gsize off = 0; off + 9 <= len;)
    {
      RecordAt r = { off, p[off + 1], 0, (guint16) (p[off + 6] | (p[off + 7] << 8)) };

      g_assert_cmpuint (p[off], ==, 0x1E);
      memcpy (&r.timestamp, p + off + 2, 4);
      r.timestamp = GUINT32_FROM_LE (r.timestamp);
      g_array_append_val (records, r);
      off += 9 + r.size;
    }
  return records;
}

/* The index (0-based) of the @nth activity record that holds samples. */
static guint
nth_activity (GArray *records, guint nth)
{
  for (guint i = 0, seen = 0; i < records->len; i++)
    {
      const RecordAt *r = &g_array_index (records, RecordAt, i);

      if (r->type == 0 && r->size > 1 && seen++ == nth)
        return i;
    }
  g_assert_not_reached ();
  return 0;
}

static guint
last_activity (GArray *records)
{
  for (guint i = records->len; i-- > 0;)
    if (g_array_index (records, RecordAt, i).type == 0 && g_array_index (records, RecordAt, i).size > 1)
      return i;
  g_assert_not_reached ();
  return 0;
}

static GBytes *
modified (GBytes *log, gsize at, gsize n, guint8 value, gsize keep)
{
  gsize len;
  const guint8 *p = g_bytes_get_data (log, &len);
  guint8 *copy = g_memdup2 (p, len);

  for (gsize i = at; i < at + n && i < len; i++)
    copy[i] = value == 0xFF ? copy[i] ^ 0x5A : value;
  return g_bytes_new_take (copy, MIN (keep, len));
}

/* ---- the reference ---- */

typedef struct {
  gint64  *t;
  double  *xyz;      /* 3 per row */
  guint8  *filled;
  guint    n;
} Reference;

static void
reference_clear (Reference *r)
{
  g_free (r->t);
  g_free (r->xyz);
  g_free (r->filled);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Reference, reference_clear)

/* time_ns,time_iso,x_g,y_g,z_g,idle_sleep_filled,x_raw,y_raw,z_raw */
static gboolean
read_reference (Reference *ref)
{
  g_autofree char *path = imu_test_real_file (REFERENCE);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInputStream) raw = NULL;
  g_autoptr(GZlibDecompressor) gz = NULL;
  g_autoptr(GInputStream) in = NULL;
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  char *line;
  guint cap = 65536;

  if (path == NULL)
    return FALSE;
  file = g_file_new_for_path (path);
  raw = g_file_read (file, NULL, &error);
  g_assert_no_error (error);
  gz = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  in = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (gz));
  data = g_data_input_stream_new (in);
  header = g_data_input_stream_read_line (data, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (header, ==, "time_ns,time_iso,x_g,y_g,z_g,idle_sleep_filled,x_raw,y_raw,z_raw");

  ref->t = g_new (gint64, cap);
  ref->xyz = g_new (double, 3 * cap);
  ref->filled = g_new (guint8, cap);
  ref->n = 0;
  while ((line = g_data_input_stream_read_line (data, NULL, NULL, &error)) != NULL)
    {
      g_auto(GStrv) f = g_strsplit (line, ",", -1);

      g_free (line);
      g_assert_cmpuint (g_strv_length (f), ==, 9);
      g_assert_cmpuint (ref->n, <, cap);
      ref->t[ref->n] = g_ascii_strtoll (f[0], NULL, 10);
      for (guint c = 0; c < 3; c++)
        ref->xyz[3 * ref->n + c] = g_ascii_strtod (f[2 + c], NULL);
      ref->filled[ref->n] = f[5][0] == '1';
      ref->n++;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (ref->n, ==, N_REFERENCE);
  return TRUE;
}

/* ---- imports ---- */

typedef struct {
  ImuStore        *store;
  ImuImportResult *result;
  GPtrArray       *streams;
  GError          *error;
} Imported;

static void
imported_free (Imported *im)
{
  g_clear_pointer (&im->streams, g_ptr_array_unref);
  g_clear_pointer (&im->result, imu_import_result_free);
  g_clear_error (&im->error);
  g_clear_object (&im->store);
  g_free (im);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Imported, imported_free)

static Imported *
import_file (const char *path, const char *zone, const char *format)
{
  g_autofree char *library = imu_test_library_path ();
  ImuImportOptions options = { .device_timezone = zone, .format = format };
  Imported *im = g_new0 (Imported, 1);
  GError *error = NULL;

  im->store = imu_store_open (library, &error);
  g_assert_no_error (error);
  im->result = imu_import_path (im->store, path, &options, NULL, NULL, NULL, NULL, &im->error);
  if (im->result != NULL)
    {
      im->streams = imu_store_list_streams (im->store, im->result->session_id, &error);
      g_assert_no_error (error);
    }
  /* Whatever happened, the library holds a whole session or none. */
  g_assert_cmpint (imu_store_count_sessions (im->store, NULL), ==, im->result != NULL ? 1 : 0);
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
  g_error ("no stream “%s”", name);
}

static int
issue_count (Imported *im, const char *code)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (im->result->issue_counts, code));
}

static gint64
first_issue_line (Imported *im, const char *code)
{
  GArray *lines = g_hash_table_lookup (im->result->issue_lines, code);

  g_assert_nonnull (lines);
  g_assert_cmpuint (lines->len, >, 0);
  return g_array_index (lines, gint64, 0);
}

/* All samples of the accelerometer. */
static gint64
read_accel (Imported *im, gint64 **t, double **x, double **y, double **z)
{
  const ImuStreamInfo *s = find_stream (im, "accelerometer");
  g_autoptr(ImuSeries) series = NULL;
  GError *error = NULL;
  double *cols[3];
  gint64 n;

  g_assert_nonnull (s);
  n = s->n_samples;
  series = imu_series_new (im->store, s->id, &error);
  g_assert_no_error (error);
  *t = g_new (gint64, MAX (n, 1));
  cols[0] = *x = g_new (double, MAX (n, 1));
  cols[1] = *y = g_new (double, MAX (n, 1));
  cols[2] = *z = g_new (double, MAX (n, 1));
  g_assert_cmpint (imu_series_read (series, 0, n, *t, cols, &error), ==, n);
  g_assert_no_error (error);
  return n;
}

/* Compares the imported accelerometer with the reference rows whose local
 * second passes @keep (NULL: all), times shifted by @offset_s. Returns the
 * largest differences seen. */
static void
compare_with_reference (Imported *im, const Reference *ref, gint64 offset_s,
                        gboolean (*keep) (gint64 t_local_ns, gpointer data), gpointer data)
{
  g_autofree gint64 *t = NULL;
  g_autofree double *x = NULL, *y = NULL, *z = NULL;
  gint64 n = read_accel (im, &t, &x, &y, &z);
  gint64 k = 0;
  double max_dv = 0;
  gint64 max_dt = 0;

  for (guint i = 0; i < ref->n; i++)
    {
      if (keep != NULL && !keep (ref->t[i], data))
        continue;
      g_assert_cmpint (k, <, n);
      max_dt = MAX (max_dt, ABS (t[k] - (ref->t[i] - offset_s * NS)));
      max_dv = MAX (max_dv, fabs (x[k] - ref->xyz[3 * i]));
      max_dv = MAX (max_dv, fabs (y[k] - ref->xyz[3 * i + 1]));
      max_dv = MAX (max_dv, fabs (z[k] - ref->xyz[3 * i + 2]));
      if (max_dt != 0 || max_dv > 1e-9)
        g_error ("sample %" G_GINT64_FORMAT " (reference row %u): t %" G_GINT64_FORMAT " vs %" G_GINT64_FORMAT
                 ", xyz %.17g %.17g %.17g vs %.17g %.17g %.17g", k, i, t[k], ref->t[i] - offset_s * NS,
                 x[k], y[k], z[k], ref->xyz[3 * i], ref->xyz[3 * i + 1], ref->xyz[3 * i + 2]);
      k++;
    }
  g_assert_cmpint (k, ==, n);
  g_test_message ("%" G_GINT64_FORMAT " samples: largest difference %g g, %" G_GINT64_FORMAT " ns",
                  n, max_dv, max_dt);
}

/* The idle-sleep episodes of the reference: runs of filled rows. */
static void
check_idle_sleep_events (Imported *im, const Reference *ref, gint64 offset_s)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GArray) starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (gint64));
  GError *error = NULL;
  guint k = 0;

  for (guint i = 0; i < ref->n; i++)
    {
      if (ref->filled[i] && (i == 0 || !ref->filled[i - 1]))
        {
          gint64 zero = 0;

          g_array_append_val (starts, ref->t[i]);
          g_array_append_val (counts, zero);
        }
      if (ref->filled[i])
        g_array_index (counts, gint64, counts->len - 1)++;
    }
  g_assert_cmpuint (starts->len, ==, 23);

  events = imu_store_list_events (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      const ImuEvent *e = g_ptr_array_index (events, i);
      g_autofree char *payload = NULL;
      gint64 n;

      if (!g_str_equal (e->kind, "idle-sleep"))
        continue;
      g_assert_cmpuint (k, <, starts->len);
      n = g_array_index (counts, gint64, k);
      g_assert_cmpint (e->t_ns, ==, g_array_index (starts, gint64, k) - offset_s * NS);
      /* Whole seconds of 30 samples each. */
      g_assert_cmpint (n % 30, ==, 0);
      g_assert_cmpint (e->duration_ns, ==, n / 30 * NS);
      g_assert_cmpstr (e->label, ==, "Idle sleep");
      payload = g_strdup_printf ("{\"filled_samples\":%" G_GINT64_FORMAT "}", n);
      g_assert_cmpstr (e->payload_json, ==, payload);
      k++;
    }
  g_assert_cmpuint (k, ==, 23);
}

static void
test_real_reference (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Reference) ref = { 0 };
  g_autoptr(Imported) im = NULL;
  g_autoptr(ImuSession) session = NULL;
  const ImuStreamInfo *acc;
  GError *error = NULL;
  gint64 n_filled = 0;

  if (path == NULL || !read_reference (&ref))
    return;
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpstr (im->result->format, ==, "gt3x");
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 0);
  g_assert_cmpstr (im->result->device_clock, ==, "UTC (UTC+00:00), as given to the import");
  g_assert_cmpint (im->result->rows, ==, N_REFERENCE + 70 + 30 + 31);

  /* Every sample, in order: the clock read as UTC gives time_ns exactly. */
  compare_with_reference (im, &ref, 0, NULL, NULL);
  for (guint i = 0; i < ref.n; i++)
    n_filled += ref.filled[i];
  g_assert_cmpint (n_filled, ==, 35400);
  check_idle_sleep_events (im, &ref, 0);

  /* The accelerometer comes first: x, y, z in g over the device's ±8 g. */
  acc = g_ptr_array_index (im->streams, 0);
  g_assert_cmpstr (acc->name, ==, "accelerometer");
  g_assert_cmpstr (acc->kind, ==, "accel");
  g_assert_cmpfloat (acc->nominal_rate_hz, ==, 30.0);
  g_assert_cmpint (acc->n_samples, ==, N_REFERENCE);
  g_assert_cmpint (acc->t_first_ns, ==, G_GINT64_CONSTANT (1598436540000000000));
  g_assert_cmpint (acc->t_last_ns, ==, G_GINT64_CONSTANT (1598438307966666667));
  g_assert_cmpuint (acc->n_channels, ==, 3);
  for (guint c = 0; c < 3; c++)
    {
      static const char *const axes[] = { "x", "y", "z" };

      g_assert_cmpstr (acc->channels[c].name, ==, axes[c]);
      g_assert_cmpstr (acc->channels[c].unit, ==, "g");
      g_assert_cmpfloat (acc->channels[c].range_min, ==, -8.0);
      g_assert_cmpfloat (acc->channels[c].range_max, ==, 8.0);
    }

  session = imu_store_load_session (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_device_vendor (session), ==, "ActiGraph");
  g_assert_cmpstr (imu_session_get_device_model (session), ==, "wGT3XBT");
  g_assert_cmpstr (imu_session_get_device_serial (session), ==, "MOS2E39180594");
  {
    g_autofree char *firmware = NULL;

    g_object_get (session, "device-firmware", &firmware, NULL);
    g_assert_cmpstr (firmware, ==, "1.9.2");
  }
  g_assert_cmpstr (imu_session_get_subject (session), ==, "MOS2E39180594");
  g_assert_cmpfloat (imu_session_get_nominal_rate (session), ==, 30.0);
  g_assert_cmpint (imu_session_get_tz_offset (session), ==, 0);
  /* info.txt's other lines, dates on the device's clock, and the sleep. */
  g_assert_nonnull (strstr (imu_session_get_notes (session), "Start Date: 2020-08-26 10:09:00"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "Limb: Waist"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "DateOfBirth: 1978-06-07 10:55:00"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "the device slept 23 times"));
  g_assert_nonnull (strstr (imu_session_get_notes (session), "35400 samples"));
  g_assert_null (strstr (imu_session_get_notes (session), "Stop Date"));
}

static void
test_real_device_streams (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autoptr(Imported) im = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(ImuSeries) series = NULL;
  const ImuStreamInfo *light, *battery, *capsense;
  GError *error = NULL;
  guint usb = 0;
  double v[4];
  double *cols[4] = { &v[0], &v[1], &v[2], &v[3] };
  gint64 t;

  if (path == NULL)
    return;
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpuint (im->streams->len, ==, 4);

  /* One sample per record: 70 LUX, 30 BATTERY, 31 CAPSENSE (the
   * reference's record scan), at the record's second. */
  light = find_stream (im, "light");
  battery = find_stream (im, "battery");
  capsense = find_stream (im, "capsense");
  g_assert_nonnull (light);
  g_assert_nonnull (battery);
  g_assert_nonnull (capsense);
  g_assert_cmpint (light->n_samples, ==, 70);
  g_assert_cmpint (battery->n_samples, ==, 30);
  g_assert_cmpint (capsense->n_samples, ==, 31);
  g_assert_cmpstr (light->channels[0].name, ==, "lux");
  g_assert_cmpstr (light->channels[0].unit, ==, "lx");
  g_assert_cmpstr (battery->channels[0].name, ==, "voltage");
  g_assert_cmpstr (battery->channels[0].unit, ==, "mV");
  g_assert_cmpuint (capsense->n_channels, ==, 4);
  g_assert_cmpstr (capsense->channels[2].name, ==, "worn");
  g_assert_cmpint (light->t_first_ns % NS, ==, 0);

  /* The battery's first record, read from log.bin by hand: 4049 mV at
   * 10:09:00 (PARAMETERS says 4.049 V at initialisation). */
  series = imu_series_new (im->store, battery->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_series_read (series, 0, 1, &t, cols, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (t, ==, FIRST_SECOND * NS);
  g_assert_cmpfloat (v[0], >, 3000);
  g_assert_cmpfloat (v[0], <, 4300);
  g_assert_cmpfloat (v[0], ==, floor (v[0]));

  /* The one-byte activity record of the USB dock is an event. */
  events = imu_store_list_events (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    {
      const ImuEvent *e = g_ptr_array_index (events, i);

      if (g_str_equal (e->kind, "device"))
        {
          g_assert_cmpstr (e->label, ==, "USB connection");
          g_assert_cmpint (e->t_ns, ==, G_GINT64_CONSTANT (1598438308) * NS);
          usb++;
        }
    }
  g_assert_cmpuint (usb, ==, 1);
  g_assert_cmpuint (events->len, ==, 24);
}

static void
test_real_file_zone (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Reference) ref = { 0 };
  g_autoptr(Imported) im = NULL;
  g_autoptr(ImuSession) session = NULL;
  GError *error = NULL;

  if (path == NULL || !read_reference (&ref))
    return;
  /* No zone given: info.txt's "TimeZone: 02:00:00" is the device's. */
  im = import_file (path, NULL, NULL);
  g_assert_no_error (im->error);
  g_assert_cmpstr (im->result->device_clock, ==, "+02:00:00 (UTC+02:00), from the file");
  compare_with_reference (im, &ref, 7200, NULL, NULL);
  check_idle_sleep_events (im, &ref, 7200);
  session = imu_store_load_session (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_tz_offset (session), ==, 7200);
  g_assert_cmpint (imu_session_get_start_ns (session), <=, G_GINT64_CONSTANT (1598436540) * NS - 7200 * NS);

  /* A zone given wins over the file's. */
  {
    g_autoptr(Imported) ny = import_file (path, "-04:00", NULL);

    g_assert_no_error (ny->error);
    compare_with_reference (ny, &ref, -4 * 3600, NULL, NULL);
  }
  /* One that is no zone is refused before anything is read. */
  {
    g_autoptr(Imported) bad = import_file (path, "Mars/Olympus", NULL);

    g_assert_error (bad->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_TIMESTAMP);
    g_assert_nonnull (strstr (bad->error->message, "Mars/Olympus"));
  }
}

static void
test_detect (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Members) m = { 0 };
  g_autofree char *as_zip = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *other = NULL;

  if (path == NULL)
    return;
  name = imu_import_detect (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "gt3x");

  /* A GT3X file renamed .zip is still one: its members say so. */
  read_members (path, &m);
  as_zip = write_gt3x ("renamed.zip", m.log, m.info);
  other = imu_import_detect (as_zip, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (other, ==, "gt3x");

  /* A zip of other files stays an archive. */
  {
    g_autofree char *dir = imu_test_tmpdir ();
    g_autofree char *zip = g_build_filename (dir, "data.zip", NULL);
    g_autofree char *kind = NULL;
    struct archive *a = archive_write_new ();
    struct archive_entry *e = archive_entry_new ();

    archive_write_set_format_zip (a);
    g_assert_cmpint (archive_write_open_filename (a, zip), ==, ARCHIVE_OK);
    archive_entry_set_pathname (e, "acc.csv");
    archive_entry_set_filetype (e, AE_IFREG);
    archive_entry_set_perm (e, 0644);
    archive_entry_set_size (e, 8);
    g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
    g_assert_cmpint (archive_write_data (a, "t,x\n1,2\n", 8), ==, 8);
    archive_entry_free (e);
    archive_write_close (a);
    archive_write_free (a);
    kind = imu_import_detect (zip, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (kind, ==, "archive");
  }
}

static void
test_one_session (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autofree char *dir = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *library = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) first = NULL;
  g_autoptr(ImuImportResult) again = NULL;
  g_autoptr(ImuImportResult) folder = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *contents = NULL;
  ImuImportOptions options = { .device_timezone = "UTC" };
  gsize len;

  if (path == NULL)
    return;
  library = imu_test_library_path ();
  store = imu_store_open (library, &error);
  g_assert_no_error (error);

  /* The file's checksum is its identity: the same bytes twice are refused. */
  first = imu_import_path (store, path, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  sha = imu_test_sha256_file (path);
  g_assert_cmpstr (first->sha256, ==, sha);
  again = imu_import_path (store, path, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE);
  g_clear_error (&error);

  /* In a folder of other files, a GT3X file is not mixed into their
   * session: the notes name it. */
  dir = imu_test_tmpdir ();
  copy = g_build_filename (dir, "subject.gt3x", NULL);
  csv = g_build_filename (dir, "walk.csv", NULL);
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, &error));
  g_assert_true (g_file_set_contents (csv, "t,x\n1,2\n2,3\n", -1, &error));
  g_assert_no_error (error);
  folder = imu_import_path (store, dir, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (folder->rows, ==, 2);
  session = imu_store_load_session (store, folder->session_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (imu_session_get_notes (session),
                            "Not imported: subject.gt3x: an ActiGraph GT3X device file is a session of its own"));
}

static void
cancel_cb (guint64 done, guint64 total, gpointer data)
{
  g_assert_cmpuint (done, <=, total);
  g_cancellable_cancel (data);
}

static void
test_cancel (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autofree char *library = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  ImuImportOptions options = { .device_timezone = "UTC" };

  if (path == NULL)
    return;
  library = imu_test_library_path ();
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  /* Cancelled at the first progress report, inside log.bin: a cancel,
   * not an error, and nothing is kept. */
  result = imu_import_path (store, path, &options, cancel_cb, cancellable, NULL, cancellable, &error);
  g_assert_null (result);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 0);
}

/* ---- damaged files ---- */

static gboolean
not_in_second (gint64 t_local_ns, gpointer data)
{
  return t_local_ns / NS != *(gint64 *) data;
}

static gboolean
before_second (gint64 t_local_ns, gpointer data)
{
  return t_local_ns / NS < *(gint64 *) data;
}

static void
test_bad_checksum (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Reference) ref = { 0 };
  g_auto(Members) m = { 0 };
  g_autoptr(GArray) records = NULL;
  g_autoptr(GBytes) log = NULL;
  g_autoptr(Imported) im = NULL;
  g_autofree char *bad = NULL;
  const RecordAt *r;
  guint index;
  gint64 second;

  if (path == NULL || !read_reference (&ref))
    return;
  read_members (path, &m);
  records = list_records (m.log);
  g_assert_cmpuint (records->len, ==, 771);

  /* One payload byte of the third activity record (10:09:02) flipped:
   * that record's checksum fails, it is skipped and counted, its second
   * is a gap, everything else imports as before. */
  index = nth_activity (records, 2);
  r = &g_array_index (records, RecordAt, index);
  second = r->timestamp;
  g_assert_cmpint (second, ==, FIRST_SECOND + 2);
  log = modified (m.log, r->offset + 8 + 40, 1, 0xFF, G_MAXSIZE);
  bad = write_gt3x ("checksum.gt3x", log, m.info);
  im = import_file (bad, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (issue_count (im, IMU_ISSUE_CORRUPT_RECORD), ==, 1);
  g_assert_cmpint (first_issue_line (im, IMU_ISSUE_CORRUPT_RECORD), ==, index + 1);
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 1);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, N_REFERENCE - 30);
  compare_with_reference (im, &ref, 0, not_in_second, &second);
}

static void
test_bad_all_checksums (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Members) m = { 0 };
  g_autoptr(GArray) records = NULL;
  g_autoptr(Imported) im = NULL;
  g_autofree char *bad = NULL;
  g_autoptr(GBytes) log = NULL;
  gsize len;
  guint8 *copy;

  if (path == NULL)
    return;
  read_members (path, &m);
  records = list_records (m.log);
  {
    const void *data = g_bytes_get_data (m.log, &len);

    copy = g_memdup2 (data, len);
  }
  for (guint i = 0; i < records->len; i++)
    {
      const RecordAt *r = &g_array_index (records, RecordAt, i);

      copy[r->offset + 8 + r->size] ^= 0xFF;
    }
  log = g_bytes_new_take (copy, len);
  bad = write_gt3x ("checksums.gt3x", log, m.info);
  /* Every record fails its checksum: no samples, refused, nothing kept. */
  im = import_file (bad, "UTC", NULL);
  g_assert_error (im->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA);
  g_assert_nonnull (strstr (im->error->message, bad));
}

static void
test_bad_truncated (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Reference) ref = { 0 };
  g_auto(Members) m = { 0 };
  g_autoptr(GArray) records = NULL;
  g_autoptr(GBytes) log = NULL;
  g_autoptr(Imported) im = NULL;
  g_autofree char *bad = NULL;
  const RecordAt *r;
  guint index;
  gint64 second;

  if (path == NULL || !read_reference (&ref))
    return;
  read_members (path, &m);
  records = list_records (m.log);

  /* log.bin cut in the middle of the last activity record (10:38:27):
   * every second before it imports, idle sleep included; the cut record
   * is counted. */
  index = last_activity (records);
  r = &g_array_index (records, RecordAt, index);
  second = r->timestamp;
  g_assert_cmpint (second, ==, G_GINT64_CONSTANT (1598438307));
  log = modified (m.log, 0, 0, 0, r->offset + 60);
  bad = write_gt3x ("cut.gt3x", log, m.info);
  im = import_file (bad, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (issue_count (im, IMU_ISSUE_TRUNCATED_RECORD), ==, 1);
  g_assert_cmpint (first_issue_line (im, IMU_ISSUE_TRUNCATED_RECORD), ==, index + 1);
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 1);
  g_assert_cmpint (find_stream (im, "accelerometer")->n_samples, ==, N_REFERENCE - 30);
  compare_with_reference (im, &ref, 0, before_second, &second);
  check_idle_sleep_events (im, &ref, 0);

  /* Cut inside the header of the fifth activity record: four seconds. */
  {
    g_autoptr(GBytes) early = NULL;
    g_autoptr(Imported) im2 = NULL;
    g_autofree char *bad2 = NULL;
    gint64 fifth;

    index = nth_activity (records, 4);
    r = &g_array_index (records, RecordAt, index);
    fifth = r->timestamp;
    early = modified (m.log, 0, 0, 0, r->offset + 5);
    bad2 = write_gt3x ("cut-header.gt3x", early, m.info);
    im2 = import_file (bad2, "UTC", NULL);
    g_assert_no_error (im2->error);
    g_assert_cmpint (issue_count (im2, IMU_ISSUE_TRUNCATED_RECORD), ==, 1);
    g_assert_cmpint (find_stream (im2, "accelerometer")->n_samples, ==, 4 * 30);
    compare_with_reference (im2, &ref, 0, before_second, &fifth);
  }
}

static void
test_bad_zeroed_header (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Reference) ref = { 0 };
  g_auto(Members) m = { 0 };
  g_autoptr(GArray) records = NULL;
  g_autoptr(GBytes) log = NULL;
  g_autoptr(Imported) im = NULL;
  g_autofree char *bad = NULL;
  const RecordAt *r;
  guint index;
  gint64 second;

  if (path == NULL || !read_reference (&ref))
    return;
  read_members (path, &m);
  records = list_records (m.log);

  /* The header of the third activity record zeroed: its bytes are skipped
   * up to the next record, counted once. */
  index = nth_activity (records, 2);
  r = &g_array_index (records, RecordAt, index);
  second = r->timestamp;
  log = modified (m.log, r->offset, 8, 0, G_MAXSIZE);
  bad = write_gt3x ("zeroed.gt3x", log, m.info);
  im = import_file (bad, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpint (issue_count (im, IMU_ISSUE_CORRUPT_RECORD), ==, 1);
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 1);
  compare_with_reference (im, &ref, 0, not_in_second, &second);

  /* The size of a record broken (it claims 65535 bytes): the decoder
   * finds the next good record and goes on. */
  {
    g_autoptr(GBytes) big = modified (m.log, r->offset + 6, 2, 0xFF, G_MAXSIZE);
    g_autoptr(Imported) im2 = NULL;
    g_autofree char *bad2 = write_gt3x ("size.gt3x", big, m.info);

    im2 = import_file (bad2, "UTC", NULL);
    g_assert_no_error (im2->error);
    g_assert_cmpint (issue_count (im2, IMU_ISSUE_CORRUPT_RECORD), ==, 1);
    compare_with_reference (im2, &ref, 0, not_in_second, &second);
  }
}

static void
test_bad_no_log (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Members) m = { 0 };
  g_autoptr(Imported) im = NULL;
  g_autofree char *bad = NULL;

  if (path == NULL)
    return;
  read_members (path, &m);
  bad = write_gt3x ("nolog.gt3x", NULL, m.info);
  im = import_file (bad, "UTC", NULL);
  g_assert_error (im->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA);
  g_assert_nonnull (strstr (im->error->message, bad));
  g_assert_nonnull (strstr (im->error->message, "no log.bin"));
  g_assert_nonnull (strstr (im->error->message, "info.txt"));
}

static void
test_bad_no_info (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Reference) ref = { 0 };
  g_auto(Members) m = { 0 };
  g_autoptr(Imported) im = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autofree char *bad = NULL;
  GError *error = NULL;

  if (path == NULL || !read_reference (&ref))
    return;
  read_members (path, &m);
  /* Without info.txt, PARAMETERS gives the rate (30 Hz) and the scale
   * (256 LSB/g): the same samples. */
  bad = write_gt3x ("noinfo.gt3x", m.log, NULL);
  im = import_file (bad, "UTC", NULL);
  g_assert_no_error (im->error);
  compare_with_reference (im, &ref, 0, NULL, NULL);
  session = imu_store_load_session (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_device_vendor (session), ==, "ActiGraph");
  g_assert_cmpfloat (imu_session_get_nominal_rate (session), ==, 30.0);
  g_assert_nonnull (strstr (imu_session_get_notes (session), "no info.txt"));
}

static void
test_bad_cut_zip (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *cut = g_build_filename (dir, "cut-zip.gt3x", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(Imported) im = NULL;
  GError *error = NULL;
  gsize len;

  if (path == NULL)
    return;
  /* The zip itself cut at half its length (inside log.bin, which comes
   * first; info.txt and the directory are lost): libarchive reads no byte
   * of a cut member, so the file is refused, naming it and log.bin. */
  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (cut, contents, (gssize) (len / 2), &error));
  g_assert_no_error (error);
  im = import_file (cut, "UTC", NULL);
  g_assert_error (im->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ);
  g_assert_nonnull (strstr (im->error->message, cut));
  g_assert_nonnull (strstr (im->error->message, "log.bin"));

  /* Cut to its first 100 bytes: nothing to read, a clear refusal. */
  {
    g_autofree char *tiny = g_build_filename (dir, "tiny.gt3x", NULL);
    g_autoptr(Imported) im2 = NULL;

    g_assert_true (g_file_set_contents (tiny, contents, 100, &error));
    im2 = import_file (tiny, "UTC", NULL);
    g_assert_nonnull (im2->error);
    g_assert_true (im2->error->domain == IMU_IMPORT_ERROR);
    g_assert_nonnull (strstr (im2->error->message, tiny));
  }
}

static void
test_bad_not_zip (void)
{
  g_autofree char *csv = imu_test_write_file ("data.gt3x", "t,x\n1,2\n2,3\n", -1);
  g_autoptr(Imported) im = NULL;

  /* Text named .gt3x is read as what it is. */
  im = import_file (csv, NULL, NULL);
  g_assert_no_error (im->error);
  g_assert_cmpstr (im->result->format, !=, "gt3x");

  /* Forced as GT3X, it is refused with the reason. */
  {
    g_autoptr(Imported) forced = import_file (csv, NULL, "gt3x");

    g_assert_error (forced->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED);
    g_assert_nonnull (strstr (forced->error->message, csv));
    g_assert_nonnull (strstr (forced->error->message, "zip"));
  }
}

/* ---- the older NHANES layout ---- */

/* A zip of @n named members. */
static char *
write_zip (const char *name, const char *const *names, GBytes *const *data, guint n)
{
  g_autofree char *dir = imu_test_tmpdir ();
  char *path = g_build_filename (dir, name, NULL);
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();
      gsize len;
      const void *bytes = g_bytes_get_data (data[i], &len);

      archive_entry_set_pathname (e, names[i]);
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0644);
      archive_entry_set_size (e, (la_int64_t) len);
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (a, bytes, len), ==, (la_ssize_t) len);
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
  return path;
}

static void
test_nhanes (void)
{
  /* NHANES-GT3X-File-Format: the examples of activity.bin.md (three
   * samples: Y, X, Z = (6, 8, −323), (7, 9, −321), (7, 8, −321) at
   * 341 LSB/g), lux.bin.md (0, 19, 0xFFFF, 2200, 1100 → 0, 0, 0, 2500
   * (the GT3X+'s most), 1375 lx) and info.txt.md's sample file (30 Hz,
   * from 634556532600000000 ticks = 2011-10-31 10:21:00 on the device's
   * clock). */
  static const guint8 activity[] = { 0x00, 0x60, 0x08, 0xEB, 0xD0, 0x07, 0x00, 0x9E, 0xBF, 0x00, 0x70, 0x08, 0xEB, 0xF0 };
  static const guint8 lux[] = { 0x00, 0x00, 0x13, 0x00, 0xFF, 0xFF, 0x98, 0x08, 0x4C, 0x04 };
  static const char info[] = "Serial Number: NEO1C16110020\r\nFirmware: 2.2.0\r\nBattery Voltage: 4.25\r\n"
                             "Sample Rate: 30\r\nStart Date: 634556532600000000\r\nStop Date: 0\r\n"
                             "Download Date: 634570285571111563\r\nBoard Revision: 2\r\nSubject Name: josfew2342\r\n";
  static const double xyz[3][3] = { { 8, 6, -323 }, { 9, 7, -321 }, { 8, 7, -321 } };
  static const double lux_expected[] = { 0, 0, 0, 2500, 1375 };
  const gint64 start = G_GINT64_CONSTANT (1320056460) * NS;
  const char *names[] = { "activity.bin", "lux.bin", "info.txt" };
  g_autoptr(GBytes) a = g_bytes_new_static (activity, sizeof activity);
  g_autoptr(GBytes) l = g_bytes_new_static (lux, sizeof lux);
  g_autoptr(GBytes) t = g_bytes_new_static (info, sizeof info - 1);
  GBytes *data[] = { a, l, t };
  g_autofree char *path = write_zip ("nhanes.gt3x", names, data, 3);
  g_autoptr(Imported) im = import_file (path, "UTC", NULL);
  g_autoptr(ImuSession) session = NULL;
  g_autofree gint64 *tt = NULL;
  g_autofree double *x = NULL, *y = NULL, *z = NULL;
  g_autoptr(ImuSeries) series = NULL;
  const ImuStreamInfo *light;
  GError *error = NULL;
  gint64 lt[5];
  double lv[5];
  double *cols[1] = { lv };

  g_assert_no_error (im->error);
  g_assert_cmpint (read_accel (im, &tt, &x, &y, &z), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      static const gint64 frac[] = { 0, 33333333, 66666667 };

      g_assert_cmpint (tt[i], ==, start + frac[i]);
      g_assert_cmpfloat (x[i], ==, xyz[i][0] / 341.0);
      g_assert_cmpfloat (y[i], ==, xyz[i][1] / 341.0);
      g_assert_cmpfloat (z[i], ==, xyz[i][2] / 341.0);
    }
  g_assert_cmpfloat (find_stream (im, "accelerometer")->channels[0].range_max, ==, 6.0);

  light = find_stream (im, "light");
  g_assert_cmpint (light->n_samples, ==, 5);
  series = imu_series_new (im->store, light->id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_series_read (series, 0, 5, lt, cols, &error), ==, 5);
  for (guint i = 0; i < 5; i++)
    {
      g_assert_cmpint (lt[i], ==, start + i * NS);
      g_assert_cmpfloat (lv[i], ==, lux_expected[i]);
    }

  session = imu_store_load_session (im->store, im->result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_device_model (session), ==, "GT3X+");
  g_assert_cmpstr (imu_session_get_device_serial (session), ==, "NEO1C16110020");
  g_assert_cmpstr (imu_session_get_subject (session), ==, "josfew2342");
  g_assert_cmpfloat (imu_session_get_nominal_rate (session), ==, 30.0);

  /* Without a start date there is no time base: refused, with the reason. */
  {
    static const char bare[] = "Serial Number: NEO1C16110020\r\nSample Rate: 30\r\n";
    g_autoptr(GBytes) b = g_bytes_new_static (bare, sizeof bare - 1);
    GBytes *data2[] = { a, b };
    const char *names2[] = { "activity.bin", "info.txt" };
    g_autofree char *path2 = write_zip ("nostart.gt3x", names2, data2, 2);
    g_autoptr(Imported) im2 = import_file (path2, "UTC", NULL);

    g_assert_error (im2->error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER);
    g_assert_nonnull (strstr (im2->error->message, "start date"));
  }
}

/* ---- the GT9X Link's IMU: SENSOR_SCHEMA and SENSOR_DATA ---- */

static void
append_record (GByteArray *log, guint8 type, guint32 ts, const guint8 *payload, guint16 size)
{
  guint8 head[8] = { 0x1E, type, ts & 0xFF, (ts >> 8) & 0xFF, (ts >> 16) & 0xFF, ts >> 24, size & 0xFF, size >> 8 };
  guint len = log->len;
  guint8 sum;

  g_byte_array_append (log, head, 8);
  g_byte_array_append (log, payload, size);
  sum = imu_gt3x_checksum (log->data + len, 8 + size);
  g_byte_array_append (log, &sum, 1);
}

static void
schema_column (GByteArray *p, guint8 flags, guint8 bits, guint32 scale, const char *label)
{
  guint8 c[23] = { flags, 0, bits, scale & 0xFF, (scale >> 8) & 0xFF, (scale >> 16) & 0xFF, scale >> 24 };

  memset (c + 7, ' ', 16);
  memcpy (c + 7, label, strlen (label));
  g_byte_array_append (p, c, 23);
}

static void
test_link_imu (void)
{
  /* SensorSchema.md's layout: id, columns, samples per record, then per
   * column flags (bit 0 big-endian, bit 1 signed), bit offset, bit size,
   * an SSP scale and a 16-byte label. Scales of Parameters.md's example:
   * IMU_GYRO_SCALE 0x05418937 (16.384 LSB/dps), IMU_TEMP_SCALE 0x095377AE
   * (333.87 LSB/°C). A column without a label is padding. */
  static const char info[] = "Serial Number: TAS1E00000000\r\nSample Rate: 30\r\nAcceleration Scale: 256.0\r\n";
  g_autoptr(GByteArray) schema = g_byte_array_new ();
  g_autoptr(GByteArray) log = g_byte_array_new ();
  guint8 head[6] = { 1, 0, 6, 0, 2, 0 };
  const double gyro_scale = imu_gt3x_decode_ssp_float (0x05418937u);
  const double temp_scale = imu_gt3x_decode_ssp_float (0x095377AEu);
  g_autoptr(GBytes) log_bytes = NULL;
  g_autoptr(GBytes) info_bytes = g_bytes_new_static (info, sizeof info - 1);
  g_autofree char *path = NULL;
  g_autoptr(Imported) im = NULL;
  ImuGt3xSchema parsed;

  g_assert_cmpfloat_with_epsilon (gyro_scale, 16.384, 1e-5);
  g_assert_cmpfloat_with_epsilon (temp_scale, 333.87, 1e-4);
  g_byte_array_append (schema, head, 6);
  schema_column (schema, 2, 16, 0x05418937u, "Gyroscope X");
  schema_column (schema, 2, 16, 0x05418937u, "Gyroscope Y");
  schema_column (schema, 3, 16, 0x05418937u, "Gyroscope Z");   /* big-endian */
  schema_column (schema, 2, 16, 0x095377AEu, "Temperature");
  schema_column (schema, 2, 8, 0, "Mag X");
  schema_column (schema, 0, 8, 0, "");
  g_assert_true (imu_gt3x_parse_schema (schema->data, schema->len, &parsed));
  g_assert_cmpuint (parsed.n_values, ==, 5);
  g_assert_cmpuint (parsed.row_bytes, ==, 10);
  g_assert_cmpstr (parsed.label[0], ==, "gyroscope_x");
  g_assert_cmpstr (parsed.label[3], ==, "temperature");
  g_assert_cmpstr (parsed.label[5], ==, "");

  append_record (log, IMU_GT3X_RECORD_SENSOR_SCHEMA, 1000, schema->data, (guint16) schema->len);
  for (guint32 second = 1000; second < 1002; second++)
    {
      /* Two samples: gyro (164, −328, 0x0148 = 328 big-endian), 3339 LSB
       * of temperature, −5 µT, one padding byte. */
      static const guint8 data[] = {
        1, 0,
        164, 0, 0xB8, 0xFE, 0x01, 0x48, 0x0B, 0x0D, 0xFB, 0xAA,
        164, 0, 0xB8, 0xFE, 0x01, 0x48, 0x0B, 0x0D, 0xFB, 0xAA,
      };

      append_record (log, IMU_GT3X_RECORD_SENSOR_DATA, second, data, sizeof data);
    }
  log_bytes = g_bytes_new (log->data, log->len);
  path = write_gt3x ("link.gt3x", log_bytes, info_bytes);
  im = import_file (path, "UTC", NULL);
  g_assert_no_error (im->error);
  g_assert_cmpuint (g_hash_table_size (im->result->issue_counts), ==, 0);

  {
    struct { const char *stream; const char *channels; double first; } expected[] = {
      { "gyroscope", "gyroscope_x[deg/s] gyroscope_y[deg/s] gyroscope_z[deg/s]", 164 / gyro_scale },
      { "temperature", "temperature[°C]", 3339 / temp_scale + 21 },
      { "magnetometer", "mag_x[µT]", -5 },
    };
    double gz = 328 / gyro_scale, gy = -328 / gyro_scale;

    for (guint e = 0; e < G_N_ELEMENTS (expected); e++)
      {
        const ImuStreamInfo *s = find_stream (im, expected[e].stream);
        g_autoptr(GString) channels = g_string_new (NULL);
        g_autoptr(ImuSeries) series = NULL;
        GError *error = NULL;
        gint64 t[4];
        double v[3][4];
        double *cols[3] = { v[0], v[1], v[2] };

        for (guint c = 0; c < s->n_channels; c++)
          g_string_append_printf (channels, "%s%s[%s]", c > 0 ? " " : "", s->channels[c].name, s->channels[c].unit);
        g_assert_cmpstr (channels->str, ==, expected[e].channels);
        g_assert_cmpint (s->n_samples, ==, 4);
        g_assert_cmpfloat (s->nominal_rate_hz, ==, 2.0);
        series = imu_series_new (im->store, s->id, &error);
        g_assert_no_error (error);
        g_assert_cmpint (imu_series_read (series, 0, 4, t, cols, &error), ==, 4);
        g_assert_no_error (error);
        /* Two samples a second: 1000.0, 1000.5, 1001.0, 1001.5 s. */
        for (guint k = 0; k < 4; k++)
          {
            g_assert_cmpint (t[k], ==, G_GINT64_CONSTANT (1000) * NS + k * NS / 2);
            g_assert_cmpfloat_with_epsilon (v[0][k], expected[e].first, 1e-9);
          }
        if (e == 0)
          {
            g_assert_cmpfloat_with_epsilon (v[1][0], gy, 1e-9);
            g_assert_cmpfloat_with_epsilon (v[2][0], gz, 1e-9);
          }
      }
  }
}

/* ---- the decoder on its own ---- */

typedef struct {
  gint64 n;
  gint64 filled;
  gint64 last_t;
  guint  sleeps;
  guint  issues;
} Count;

static gboolean
count_accel (gpointer data, gint64 t, const double *xyz, gboolean filled, GError **error)
{
  Count *c = data;

  g_assert_cmpint (t, >, c->last_t);
  c->last_t = t;
  c->n++;
  c->filled += filled;
  return TRUE;
}

static void
count_sleep (gpointer data, gint64 t, gint64 duration, gint64 n)
{
  ((Count *) data)->sleeps++;
}

static void
count_issue (gpointer data, const char *code, gint64 record)
{
  ((Count *) data)->issues++;
}

static void
test_decoder_feed_sizes (void)
{
  g_autofree char *path = imu_test_real_file (REAL);
  g_auto(Members) m = { 0 };
  static const ImuGt3xSink sink = { .accel = count_accel, .idle_sleep = count_sleep, .issue = count_issue };
  static const gsize pieces[] = { 1, 7, 9, 136, 4096, G_MAXSIZE };
  gsize len;
  const guint8 *p;

  if (path == NULL)
    return;
  read_members (path, &m);
  p = g_bytes_get_data (m.log, &len);
  /* However log.bin arrives, the same samples come out. */
  for (guint k = 0; k < G_N_ELEMENTS (pieces); k++)
    {
      Count c = { 0, 0, G_MININT64, 0, 0 };
      g_autoptr(ImuGt3xDecoder) d = imu_gt3x_decoder_new (30, 256, FALSE, &sink, &c);
      GError *error = NULL;

      for (gsize off = 0; off < len; off += MIN (pieces[k], len - off))
        g_assert_true (imu_gt3x_decoder_feed (d, p + off, MIN (pieces[k], len - off), &error));
      g_assert_true (imu_gt3x_decoder_end (d, &error));
      g_assert_no_error (error);
      g_assert_cmpint (c.n, ==, N_REFERENCE);
      g_assert_cmpint (c.filled, ==, 35400);
      g_assert_cmpuint (c.sleeps, ==, 23);
      g_assert_cmpuint (c.issues, ==, 0);
      g_assert_cmpint (imu_gt3x_decoder_get_n_records (d), ==, 771);
      g_assert_cmpint (imu_gt3x_decoder_get_n_recorded (d), ==, 17640);
    }

  /* No rate anywhere: the first activity record is refused by number. */
  {
    Count c = { 0, 0, G_MININT64, 0, 0 };
    g_autoptr(ImuGt3xDecoder) d = imu_gt3x_decoder_new (NAN, NAN, FALSE, &sink, &c);
    static const guint8 activity[] = { 0x1E, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, 0x01, 0x02, 0x03 };
    guint8 record[sizeof activity + 1];
    GError *error = NULL;

    memcpy (record, activity, sizeof activity);
    record[sizeof activity] = imu_gt3x_checksum (activity, sizeof activity);
    g_assert_false (imu_gt3x_decoder_feed (d, record, sizeof record, &error)
                    && imu_gt3x_decoder_end (d, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "record 1 (offset 0)"));
    g_assert_nonnull (strstr (error->message, "sample rate"));
    g_clear_error (&error);
  }
}

typedef struct {
  GPtrArray *codes;
  GArray    *records;
  gint64     n;
} Issues;

static void
note_issue (gpointer data, const char *code, gint64 record)
{
  Issues *is = data;

  g_ptr_array_add (is->codes, (gpointer) code);
  g_array_append_val (is->records, record);
}

static gboolean
note_accel (gpointer data, gint64 t, const double *xyz, gboolean filled, GError **error)
{
  ((Issues *) data)->n++;
  return TRUE;
}

static void
test_decoder_issues (void)
{
  /* Records built by hand: an ACTIVITY2 second at 10, one at 9 (time went
   * back: skipped), a LUX of three bytes (not a LUX), ACTIVITY2 at 11, a
   * PARAMETERS of 7 bytes, then junk, then ACTIVITY2 at 12, cut. */
  static const ImuGt3xSink sink = { .accel = note_accel, .issue = note_issue };
  g_autoptr(GByteArray) log = g_byte_array_new ();
  guint8 second[6 * 3] = { 0 };
  static const guint8 lux3[3] = { 1, 2, 3 };
  static const guint8 params7[7] = { 0 };
  static const guint8 junk[5] = { 0x11, 0x22, 0x1E, 0x33, 0x44 };
  Issues is = { g_ptr_array_new (), g_array_new (FALSE, FALSE, sizeof (gint64)), 0 };
  g_autoptr(ImuGt3xDecoder) d = imu_gt3x_decoder_new (3, 256, FALSE, &sink, &is);
  GError *error = NULL;
  static const char *const codes[] = {
    IMU_ISSUE_RECORD_TIME, IMU_ISSUE_BAD_RECORD, IMU_ISSUE_BAD_RECORD, IMU_ISSUE_CORRUPT_RECORD,
    IMU_ISSUE_TRUNCATED_RECORD,
  };
  static const gint64 records[] = { 2, 3, 5, 6, 6 };

  append_record (log, IMU_GT3X_RECORD_ACTIVITY2, 10, second, sizeof second);
  append_record (log, IMU_GT3X_RECORD_ACTIVITY2, 9, second, sizeof second);
  append_record (log, IMU_GT3X_RECORD_LUX, 10, lux3, sizeof lux3);
  append_record (log, IMU_GT3X_RECORD_ACTIVITY2, 11, second, sizeof second);
  append_record (log, IMU_GT3X_RECORD_PARAMETERS, 11, params7, sizeof params7);
  g_byte_array_append (log, junk, sizeof junk);
  append_record (log, IMU_GT3X_RECORD_ACTIVITY2, 12, second, sizeof second);
  g_byte_array_set_size (log, log->len - 4);

  g_assert_true (imu_gt3x_decoder_feed (d, log->data, log->len, &error));
  g_assert_true (imu_gt3x_decoder_end (d, &error));
  g_assert_no_error (error);
  g_assert_cmpint (is.n, ==, 6);
  g_assert_cmpuint (is.codes->len, ==, G_N_ELEMENTS (codes));
  for (guint k = 0; k < is.codes->len; k++)
    {
      g_assert_cmpstr (g_ptr_array_index (is.codes, k), ==, codes[k]);
      g_assert_cmpint (g_array_index (is.records, gint64, k), ==, records[k]);
    }
  g_ptr_array_unref (is.codes);
  g_array_unref (is.records);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/import/gt3x/decode/activity-example", test_activity_example);
  g_test_add_func ("/core/import/gt3x/decode/activity2-example", test_activity2_example);
  g_test_add_func ("/core/import/gt3x/decode/ssp-float", test_ssp_float);
  g_test_add_func ("/core/import/gt3x/decode/parameters", test_parameters);
  g_test_add_func ("/core/import/gt3x/decode/scan-metadata-example", test_scan_metadata_example);
  g_test_add_func ("/core/import/gt3x/decode/info-txt", test_info_txt);
  g_test_add_func ("/core/import/gt3x/decode/feed-sizes", test_decoder_feed_sizes);
  g_test_add_func ("/core/import/gt3x/decode/issues", test_decoder_issues);
  g_test_add_func ("/core/import/gt3x/real/reference", test_real_reference);
  g_test_add_func ("/core/import/gt3x/real/device-streams", test_real_device_streams);
  g_test_add_func ("/core/import/gt3x/real/file-zone", test_real_file_zone);
  g_test_add_func ("/core/import/gt3x/detect", test_detect);
  g_test_add_func ("/core/import/gt3x/one-session", test_one_session);
  g_test_add_func ("/core/import/gt3x/cancel", test_cancel);
  g_test_add_func ("/core/import/gt3x/bad/checksum", test_bad_checksum);
  g_test_add_func ("/core/import/gt3x/bad/all-checksums", test_bad_all_checksums);
  g_test_add_func ("/core/import/gt3x/bad/truncated", test_bad_truncated);
  g_test_add_func ("/core/import/gt3x/bad/zeroed-header", test_bad_zeroed_header);
  g_test_add_func ("/core/import/gt3x/bad/no-log-bin", test_bad_no_log);
  g_test_add_func ("/core/import/gt3x/bad/no-info-txt", test_bad_no_info);
  g_test_add_func ("/core/import/gt3x/bad/cut-zip", test_bad_cut_zip);
  g_test_add_func ("/core/import/gt3x/bad/not-a-zip", test_bad_not_zip);
  g_test_add_func ("/core/import/gt3x/nhanes", test_nhanes);
  g_test_add_func ("/core/import/gt3x/link-imu", test_link_imu);
  return g_test_run ();
}
