/* test-generate-gt3x.c — `imu generate --format gt3x` writes wGT3X-BT files the GT3X importer reads back exactly
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every file goes through the real import pipeline (imu_import_path, the
 * reader of the real files of test-import-gt3x.c) and is compared with the
 * generator sample by sample: the count, every time (second of the record
 * plus i / rate, as ActiLife and pygt3x place the samples of a record),
 * every value to the bit as 12 bits at 256 counts per g hold it (computed
 * here again, not taken from the writer). The zip itself is checked with
 * Python's zipfile when python3 is there.
 */
#define G_LOG_DOMAIN "test-generate-gt3x"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "imu-generator.h"
#include "imu-gt3x.h"
#include "imu-import.h"
#include "imu-series.h"
#include "imu-store.h"
#include "imu-test-util.h"

/* 2024-03-12 17:30:00 UTC (date -u -d @1710264600). */
#define START_NS (G_GINT64_CONSTANT (1710264600) * 1000000000)
#define NS_PER_S G_GINT64_CONSTANT (1000000000)

static char *
generate (guint64 seed, double rate_hz, gint64 duration_ns, gint32 utc_offset_s, const char *serial)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  g_autoptr(GBytes) bytes = NULL;
  GError *error = NULL;
  ImuGeneratorGt3xOptions options = {
    .seed = seed,
    .rate_hz = rate_hz,
    .start_ns = START_NS,
    .duration_ns = duration_ns,
    .utc_offset_s = utc_offset_s,
    .serial = serial,
  };
  gsize len;
  const char *data;

  g_assert_true (imu_generator_write_gt3x (out, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (out, NULL, &error));
  bytes = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (out));
  data = g_bytes_get_data (bytes, &len);
  return imu_test_write_file ("generated.gt3x", data, (gssize) len);
}

/* 12 signed bits at 256 counts per g: round, clamp to −2048..2047. */
static double
gt3x_quantised (double g)
{
  return fmin (fmax (round (g * 256.0), -2048.0), 2047.0) / 256.0;
}

typedef struct {
  double rate_hz;
  gint64 duration_s;
  gint32 utc_offset_s;
} Case;

static const Case case_30 = { 30.0, 3600, 0 };
/* A device set to UTC+2 (its records carry local seconds) and one at
 * UTC−5:30: the file's own offset gives the same UTC instants. */
static const Case case_100_east = { 100.0, 600, 7200 };
static const Case case_40_west = { 40.0, 125, -(5 * 3600 + 1800) };

static void
test_roundtrip (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = generate (11, c->rate_hz, c->duration_s * NS_PER_S, c->utc_offset_s, "MOS2E12345678");
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
  const ImuStreamInfo *accel = NULL;
  guint rate = (guint) c->rate_hz;
  gint64 n_expected = c->duration_s * rate, n, bad_t = 0, bad_v = 0;
  GError *error = NULL;

  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->format, ==, "gt3x");
  /* Nothing cut, corrupt or out of order. */
  g_assert_null (g_hash_table_lookup (result->issue_counts, "W_CORRUPT_RECORD"));
  g_assert_null (g_hash_table_lookup (result->issue_counts, "W_TRUNCATED_RECORD"));
  g_assert_null (g_hash_table_lookup (result->issue_counts, "W_RECORD_TIME"));

  session = imu_store_load_session (store, result->session_id, &error);
  g_assert_no_error (error);
  g_object_get (session, "device-serial", &serial, NULL);
  g_assert_cmpstr (serial, ==, "MOS2E12345678");
  g_assert_cmpfloat (imu_session_get_nominal_rate (session), ==, c->rate_hz);

  streams = imu_store_list_streams (store, result->session_id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < streams->len; i++)
    if (g_str_equal (((ImuStreamInfo *) g_ptr_array_index (streams, i))->name, "accelerometer"))
      accel = g_ptr_array_index (streams, i);
  g_assert_nonnull (accel);
  g_assert_cmpfloat (accel->channels[0].range_max, ==, 8.0);
  g_assert_cmpfloat (accel->channels[0].range_min, ==, -8.0);

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

  /* UTC, whatever the device's zone: the file's own offset is applied. */
  g_assert_cmpint (t[0], ==, START_NS);
  gen = imu_generator_new (11, c->rate_hz, START_NS, &error);
  g_assert_no_error (error);
  for (gint64 k = 0; k < n; k++)
    {
      double acc[3], gyr[3];
      gint64 expected_t = START_NS + (k / rate) * NS_PER_S + (gint64) llround ((double) (k % rate) * 1e9 / c->rate_hz);

      imu_generator_next (gen, acc, gyr);
      if (t[k] != expected_t && bad_t++ == 0)
        g_test_message ("sample %" G_GINT64_FORMAT ": time %" G_GINT64_FORMAT ", expected %" G_GINT64_FORMAT,
                        k, t[k], expected_t);
      for (guint a = 0; a < 3; a++)
        if (v[a][k] != gt3x_quantised (acc[a]) && bad_v++ == 0)
          g_test_message ("sample %" G_GINT64_FORMAT " axis %u: %.17g, expected %.17g (from %.17g)",
                          k, a, v[a][k], gt3x_quantised (acc[a]), acc[a]);
    }
  g_assert_cmpint (bad_t, ==, 0);
  g_assert_cmpint (bad_v, ==, 0);
}

/* The zip as another reader sees it: two stored entries, log.bin first,
 * and log.bin's records back to back, each with a good checksum: per
 * second one ACTIVITY record of ⌈36 × rate / 8⌉ bytes, a BATTERY and a
 * LUX record each minute, after two METADATA and one PARAMETERS record. */
static void
test_layout (void)
{
  g_autofree char *path = generate (3, 30.0, 150 * NS_PER_S, 0, NULL);
  g_autofree char *python = g_find_program_in_path ("python3");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  GError *error = NULL;
  int status;
  const char *script =
    "import sys, zipfile\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "print(' '.join('%s:%d' % (i.filename, i.compress_type) for i in z.infolist()))\n"
    "b = z.read('log.bin'); i = 0; counts = {}; bad = 0; sizes = set()\n"
    "while i < len(b):\n"
    "    assert b[i] == 0x1e, i\n"
    "    t = b[i + 1]; n = b[i + 6] | b[i + 7] << 8; x = 0\n"
    "    for c in b[i:i + 8 + n]: x ^= c\n"
    "    bad += (~x & 0xff) != b[i + 8 + n]\n"
    "    counts[t] = counts.get(t, 0) + 1\n"
    "    if t == 0: sizes.add(n)\n"
    "    i += 9 + n\n"
    "print(sorted(counts.items()), bad, sorted(sizes))\n"
    "print(z.read('info.txt').decode().split('\\r\\n')[1])\n";
  const char *argv[] = { NULL, "-c", script, path, NULL };

  if (python == NULL)
    {
      g_test_skip ("python3 is not installed");
      return;
    }
  argv[0] = python;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (err, ==, "");
  /* 150 s: ACTIVITY ×150 of 135 bytes, BATTERY and LUX ×3 (minutes 0, 1, 2). */
  g_assert_cmpstr (out, ==,
                   "log.bin:0 info.txt:0\n"
                   "[(0, 150), (2, 3), (5, 3), (6, 2), (21, 1)] 0 [135]\n"
                   "Device Type: wGT3XBT\n");
}

/* The same options, the same bytes; rates and lengths the device cannot
 * have are refused with the code. */
static void
test_reproducible_and_refused (void)
{
  g_autofree char *a = generate (5, 50.0, 61 * NS_PER_S, 3600, NULL);
  g_autofree char *sha_a = imu_test_sha256_file (a);
  g_autofree char *b = generate (5, 50.0, 61 * NS_PER_S, 3600, NULL);
  g_autofree char *sha_b = imu_test_sha256_file (b);
  const struct { double rate; gint64 duration_ns; gint64 start_ns; } bad[] = {
    { 25.0, NS_PER_S, START_NS },            /* not a wGT3X-BT rate */
    { 30.0, NS_PER_S / 2, START_NS },        /* half a second */
    { 30.0, NS_PER_S, START_NS + 1 },        /* not on a whole second */
  };

  g_assert_cmpstr (sha_a, ==, sha_b);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
      g_autoptr(GError) error = NULL;
      ImuGeneratorGt3xOptions options = {
        .seed = 1, .rate_hz = bad[i].rate, .start_ns = bad[i].start_ns, .duration_ns = bad[i].duration_ns,
      };

      g_assert_false (imu_generator_write_gt3x (out, &options, NULL, NULL, NULL, &error));
      g_assert_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_data_func ("/generate-gt3x/roundtrip/30hz-1h", &case_30, test_roundtrip);
  g_test_add_data_func ("/generate-gt3x/roundtrip/100hz-utc+2", &case_100_east, test_roundtrip);
  g_test_add_data_func ("/generate-gt3x/roundtrip/40hz-utc-5:30", &case_40_west, test_roundtrip);
  g_test_add_func ("/generate-gt3x/layout", test_layout);
  g_test_add_func ("/generate-gt3x/reproducible-and-refused", test_reproducible_and_refused);
  return g_test_run ();
}
