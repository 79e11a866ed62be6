/* test-generate-cwa.c — `imu generate --format cwa` writes AX3 files the CWA importer reads back exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file here goes through the real import pipeline (imu_import_path,
 * the same reader as the real files of test-import-cwa.c) and is compared
 * with the generator sample by sample: the count, every time to the
 * nanosecond, every value to the bit as an AX3 quantises it (computed here
 * again, not taken from the writer), no damaged block.
 */
#define G_LOG_DOMAIN "test-generate-cwa"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "imu-cwa.h"
#include "imu-generator.h"
#include "imu-import.h"
#include "imu-series.h"
#include "imu-store.h"
#include "imu-test-util.h"

/* 2024-03-12 17:30:00 UTC (date -u -d @1710264600). */
#define START_NS (G_GINT64_CONSTANT (1710264600) * 1000000000)
#define NS_PER_S G_GINT64_CONSTANT (1000000000)

static GBytes *
generate (guint64 seed, double rate_hz, gint64 duration_ns, guint32 device_id, guint32 session_id)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  GError *error = NULL;
  ImuGeneratorCwaOptions options = {
    .seed = seed,
    .rate_hz = rate_hz,
    .start_ns = START_NS,
    .duration_ns = duration_ns,
    .device_id = device_id,
    .session_id = session_id,
  };

  g_assert_true (imu_generator_write_cwa (out, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
}

static char *
write_temp (GBytes *bytes)
{
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return imu_test_write_file ("generated.cwa", data, (gssize) len);
}

/* What an AX3 at ±8 g stores for @g, worked out from the firmware's rule
 * (Accel-ADXL345.c): the sensor counts 1/256 g within ±8 g, and packing
 * keeps ⌊count / 4⌋ with exponent 2, which reads back in steps of 1/64 g. */
static double
ax3_quantised (double g)
{
  double count = fmin (fmax (round (g * 256.0), -2048.0), 2047.0);

  return floor (count / 4.0) * 4.0 / 256.0;
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

typedef struct {
  double  rate_hz;
  gint64  duration_ns;
} Case;

/* 10 min + 1.23 s at 100 Hz: 60123 samples, a last block of 3. */
static const Case case_100 = { 100.0, 601230 * G_GINT64_CONSTANT (1000000) };
/* The slowest rate (the firmware's integer rate of 12 in the offset) and a fast one. */
static const Case case_12_5 = { 12.5, 3600 * NS_PER_S };
static const Case case_3200 = { 3200.0, 20 * NS_PER_S };

static void
test_roundtrip (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(GBytes) bytes = generate (7, c->rate_hz, c->duration_ns, 43210, 1234567);
  g_autofree char *path = write_temp (bytes);
  g_autofree char *library = imu_test_library_path ();
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autoptr(ImuSeries) series = NULL;
  g_autoptr(ImuGenerator) gen = NULL;
  g_autofree char *serial = NULL;
  g_autofree gint64 *t = NULL;
  g_autofree double *v0 = NULL, *v1 = NULL, *v2 = NULL;
  double *v[3];
  ImuImportOptions options = { .device_timezone = "UTC" };
  const ImuStreamInfo *accel, *device;
  gint64 n_expected = imu_generator_count_samples (c->duration_ns, c->rate_hz);
  gint64 n_blocks = (n_expected + 119) / 120;
  gint64 period_ns = (gint64) llround (1e9 / c->rate_hz);
  GError *error = NULL;
  gint64 n, bad_t = 0, bad_v = 0;

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  result = imu_import_path (store, path, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->format, ==, "cwa");
  /* No damaged block, no time going back, nothing at all to report. */
  g_assert_null (g_hash_table_lookup (result->issue_counts, "W_CORRUPT_BLOCK"));
  g_assert_cmpuint (g_hash_table_size (result->issue_counts), ==, 0);

  session = imu_store_load_session (store, result->session_id, &error);
  g_assert_no_error (error);
  g_object_get (session, "device-serial", &serial, NULL);
  g_assert_cmpstr (serial, ==, "43210");
  g_assert_cmpfloat (imu_session_get_nominal_rate (session), ==, c->rate_hz);

  streams = imu_store_list_streams (store, result->session_id, &error);
  g_assert_no_error (error);
  accel = find_stream (streams, "accelerometer");
  device = find_stream (streams, "device");
  g_assert_nonnull (accel);
  g_assert_nonnull (device);
  g_assert_cmpfloat (accel->channels[0].range_max, ==, 8.0);
  g_assert_cmpfloat (accel->channels[0].range_min, ==, -8.0);

  /* One light, temperature and battery reading per block. */
  {
    g_autoptr(ImuSeries) d = imu_series_new (store, device->id, &error);

    g_assert_no_error (error);
    g_assert_cmpint (imu_series_get_n_samples (d), ==, n_blocks);
  }

  series = imu_series_new (store, accel->id, &error);
  g_assert_no_error (error);
  n = imu_series_get_n_samples (series);
  g_assert_cmpint (n, ==, n_expected);
  t = g_new (gint64, n);
  v[0] = v0 = g_new (double, n);
  v[1] = v1 = g_new (double, n);
  v[2] = v2 = g_new (double, n);
  g_assert_cmpint (imu_series_read (series, 0, n, t, v, &error), ==, n);
  g_assert_no_error (error);

  /* The first and the last sample, then every one: on the device's grid. */
  g_assert_cmpint (t[0], ==, START_NS);
  g_assert_cmpint (t[n - 1], ==, START_NS + (n - 1) * period_ns);
  gen = imu_generator_new (7, c->rate_hz, START_NS, &error);
  g_assert_no_error (error);
  for (gint64 k = 0; k < n; k++)
    {
      double acc[3], gyr[3];

      imu_generator_next (gen, acc, gyr);
      if (t[k] != START_NS + k * period_ns && bad_t++ == 0)
        g_test_message ("sample %" G_GINT64_FORMAT ": time %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                        k, t[k], START_NS + k * period_ns);
      for (guint a = 0; a < 3; a++)
        if (v[a][k] != ax3_quantised (acc[a]) && bad_v++ == 0)
          g_test_message ("sample %" G_GINT64_FORMAT " axis %u: %.17g, expected %.17g (from %.17g)",
                          k, a, v[a][k], ax3_quantised (acc[a]), acc[a]);
    }
  g_assert_cmpint (bad_t, ==, 0);
  g_assert_cmpint (bad_v, ==, 0);
}

/* The layout, byte by byte: a header, whole blocks, each summing to zero. */
static void
test_blocks (void)
{
  g_autoptr(GBytes) bytes = generate (3, 100.0, 601230 * G_GINT64_CONSTANT (1000000), 0, 0);
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  gint64 n_samples = 60123, n_blocks = (n_samples + 119) / 120, total = 0;

  g_assert_cmpuint (len, ==, 1024 + 512 * n_blocks);
  g_assert_cmpint (p[0], ==, 'M');
  g_assert_cmpint (p[1], ==, 'D');
  g_assert_cmpint (p[2] | (p[3] << 8), ==, 1020);
  for (gint64 b = 0; b < n_blocks; b++)
    {
      const guint8 *blk = p + 1024 + 512 * b;
      guint16 sum = 0;

      for (guint i = 0; i < 512; i += 2)
        sum = (guint16) (sum + (blk[i] | (blk[i + 1] << 8)));
      g_assert_cmpuint (sum, ==, 0);
      g_assert_cmpint (blk[0], ==, 'A');
      g_assert_cmpint (blk[1], ==, 'X');
      /* The sequence number, the fraction flag, 3 packed axes. */
      g_assert_cmpuint ((guint32) (blk[10] | (blk[11] << 8) | (blk[12] << 16) | ((guint32) blk[13] << 24)), ==, b);
      g_assert_cmpuint (blk[5] & 0x80, ==, 0x80);
      g_assert_cmpuint (blk[25], ==, 0x30);
      total += blk[28] | (blk[29] << 8);
    }
  g_assert_cmpint (total, ==, n_samples);
}

/* Read by the reader of the real files: the header fields come back. */
static void
test_header (void)
{
  g_autoptr(GBytes) bytes = generate (5, 100.0, 3600 * NS_PER_S, 43210, 1234567);
  gsize len;
  const guint8 *p = g_bytes_get_data (bytes, &len);
  ImuCwaHeader header;
  ImuCwaBlock *block = g_new0 (ImuCwaBlock, 1);

  g_assert_true (imu_cwa_header_parse (p, len, &header));
  g_assert_cmpstr (header.model, ==, "AX3");
  g_assert_cmpuint (header.device_id, ==, 43210);
  g_assert_cmpuint (header.session_id, ==, 1234567);
  g_assert_cmpfloat (header.rate_hz, ==, 100.0);
  g_assert_cmpint (header.accel_range_g, ==, 8);
  g_assert_cmpint (header.logging_start_ns, ==, START_NS);
  g_assert_cmpint (header.logging_end_ns, ==, START_NS + 3600 * NS_PER_S);
  g_assert_cmpuint (header.rate_code, ==, 0x4a);

  /* The first block: 120 packed samples, its anchor the FIFO's time at
   * sample 125, 1.25 s after the start. */
  g_assert_cmpint (imu_cwa_block_decode (p + 1024, &header, block), ==, IMU_CWA_BLOCK_OK);
  g_assert_true (block->packed);
  g_assert_cmpuint (block->n_samples, ==, 120);
  g_assert_cmpuint (block->session_id, ==, 1234567);
  g_assert_cmpint (block->time_index, ==, 125);
  g_assert_cmpint (block->time_local_ns, ==, START_NS + 1250000000);
  g_assert_cmpuint (block->aux.events, ==, 0x01);
  g_free (block);

  /* The ids a seed gives are the same every time, and another seed's differ. */
  {
    g_autoptr(GBytes) a = generate (5, 100.0, NS_PER_S, 0, 0);
    g_autoptr(GBytes) b = generate (6, 100.0, NS_PER_S, 0, 0);
    ImuCwaHeader ha, hb;

    g_assert_true (imu_cwa_header_parse (g_bytes_get_data (a, NULL), g_bytes_get_size (a), &ha));
    g_assert_true (imu_cwa_header_parse (g_bytes_get_data (b, NULL), g_bytes_get_size (b), &hb));
    g_assert_cmpuint (ha.device_id, >=, 10000);
    g_assert_cmpuint (ha.device_id, <, 100000);
    g_assert_cmpuint (ha.device_id, !=, hb.device_id);
    g_assert_cmpuint (ha.session_id, !=, hb.session_id);
  }
}

/* A real AX3 at ±8 g (GGIRread's test file, rate code 0x4a) packs with
 * exponent 2, as the writer does. */
static void
test_packs_like_real_ax3 (void)
{
  g_autofree char *path = imu_test_real_file ("cwa/ggirread/ax3_testfile.cwa");
  g_autoptr(GBytes) generated = NULL;
  g_autofree char *contents = NULL;
  gsize len;
  const guint8 *gen;

  if (path == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
  generated = generate (1, 100.0, 10 * NS_PER_S, 0, 0);
  gen = g_bytes_get_data (generated, NULL);
  g_assert_cmpuint ((guint8) contents[36], ==, gen[36]);
  g_assert_cmpuint ((guint8) contents[1024 + 25], ==, gen[1024 + 25]);
  for (guint i = 0; i < 120; i++)
    {
      g_assert_cmpuint ((guint8) contents[1024 + 30 + 4 * i + 3] >> 6, ==, 2);
      g_assert_cmpuint (gen[1024 + 30 + 4 * i + 3] >> 6, ==, 2);
    }
}

static void
test_deterministic (void)
{
  g_autoptr(GBytes) a = generate (11, 100.0, 300 * NS_PER_S, 0, 0);
  g_autoptr(GBytes) b = generate (11, 100.0, 300 * NS_PER_S, 0, 0);
  g_autoptr(GBytes) c = generate (12, 100.0, 300 * NS_PER_S, 0, 0);

  g_assert_true (g_bytes_equal (a, b));
  g_assert_false (g_bytes_equal (a, c));
}

static void
test_invalid_arguments (void)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  ImuGeneratorCwaOptions options = { .seed = 1, .rate_hz = 60.0, .start_ns = START_NS, .duration_ns = NS_PER_S };
  GError *error = NULL;

  /* Not an AX3 rate. */
  g_assert_false (imu_generator_cwa_rate_valid (60.0));
  g_assert_true (imu_generator_cwa_rate_valid (6.25));
  g_assert_false (imu_generator_write_cwa (out, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* A start within a second. */
  options.rate_hz = 100.0;
  options.start_ns = START_NS + 500000;
  g_assert_false (imu_generator_write_cwa (out, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Before 2000, which a CWA timestamp cannot hold. */
  options.start_ns = 0;
  g_assert_false (imu_generator_write_cwa (out, &options, NULL, NULL, NULL, &error));
  g_assert_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  /* Nothing was written for any of them. */
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (out)), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_data_func ("/core/generator/cwa/roundtrip/100hz", &case_100, test_roundtrip);
  g_test_add_data_func ("/core/generator/cwa/roundtrip/12.5hz", &case_12_5, test_roundtrip);
  g_test_add_data_func ("/core/generator/cwa/roundtrip/3200hz", &case_3200, test_roundtrip);
  g_test_add_func ("/core/generator/cwa/blocks", test_blocks);
  g_test_add_func ("/core/generator/cwa/header", test_header);
  g_test_add_func ("/core/generator/cwa/packs-like-real-ax3", test_packs_like_real_ax3);
  g_test_add_func ("/core/generator/cwa/deterministic", test_deterministic);
  g_test_add_func ("/core/generator/cwa/invalid-arguments", test_invalid_arguments);
  return g_test_run ();
}
