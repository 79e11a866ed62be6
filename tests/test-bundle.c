/* test-bundle.c — session bundles: round trips, duplicates, bad archives
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-bundle"

#include <math.h>
#include <string.h>

#include <glib/gstdio.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-glib/json-glib.h>

#include "imu-bundle.h"
#include "imu-core.h"
#include "imu-store-private.h"
#include "imu-test-util.h"

/* 2024-03-12 17:30:00 UTC. */
#define START_NS (G_GINT64_CONSTANT (1710264600) * 1000000000)
#define N_ACC 10000   /* more than two chunks of 4096 */
#define N_GYR 300
#define N_REL 50

#define UUID "6f1c2a9e-4b7d-4e21-9a0c-3d5e8f7a1b2c"

/* Sample i of the accelerometer: fixed 5 decimals, with the odd values a
 * file can hold (NaN, infinities, negative zero) at known places. */
static void
acc_sample (gint64 i, gint64 *t, double v[3])
{
  *t = START_NS + i * 10000000;        /* 100 Hz */
  v[0] = (double) ((i * 37) % 20001 - 10000) / 100000.0;
  v[1] = -(double) ((i * 11) % 3001) / 100000.0;
  v[2] = 1.0 + (double) (i % 7) / 100000.0;
  if (i == 17)
    v[0] = NAN;
  if (i == 18)
    v[1] = -0.0;
  if (i == 19)
    v[2] = INFINITY;
  if (i == 20)
    v[2] = -INFINITY;
}

/* The gyroscope: ISO 8601 times in +02:00, values with no fixed decimals. */
static void
gyr_sample (gint64 i, gint64 *t, double v[2])
{
  *t = START_NS + i * 20000000 + 1000000;  /* 50 Hz, 1 ms after the accelerometer */
  v[0] = (double) i / 3.0;
  v[1] = -1e-300 * (double) (i + 1);
}

static void
rel_sample (gint64 i, gint64 *t, double v[1])
{
  *t = START_NS + 5000000000 + i * 250000000;  /* 4 Hz, relative ms */
  v[0] = (double) i * 0.25;
}

static char *
query_text (ImuStore *store, const char *sql)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, sql, NULL);
  char *text = NULL;

  g_assert_nonnull (stmt);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return text;
}

static gint64
query_int (ImuStore *store, const char *sql)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, sql, NULL);
  gint64 v = -1;

  g_assert_nonnull (stmt);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return v;
}

static gint64
make_session (ImuStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = imu_session_new ();
  const char *tags[] = { "sprint", "lab 2", NULL };
  gint64 id;

  g_assert_true (imu_store_begin (store, &error));
  g_assert_no_error (error);
  g_object_set (session,
                "uuid", UUID,
                "title", "Intervals “A”",
                "subject", "Athlete 7",
                "activity", "run",
                "notes", "line one\nline two, with a comma",
                "tags", tags,
                "frame", "ENU",
                "origin", "imported",
                "origin-path", "/data/run.csv",
                "origin-sha256", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "tz-offset", 7200,
                "nominal-rate", 100.0,
                "device-vendor", "Movella",
                "device-model", "DOT",
                "device-serial", "D422CD0012",
                "device-firmware", "2.6.0",
                NULL);
  g_assert_true (imu_store_insert_session (store, session, &error));
  g_assert_no_error (error);
  id = imu_session_get_id (session);

  {
    g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("accelerometer", 3);
    g_autoptr(ImuStreamWriter) w = NULL;

    info->session_id = id;
    g_free (info->kind);
    info->kind = g_strdup ("accel");
    info->nominal_rate_hz = 100;
    imu_stream_info_set_channel (info, 0, "acc_x", "g", "accel");
    imu_stream_info_set_channel (info, 1, "acc_y", "g", "accel");
    imu_stream_info_set_channel (info, 2, "acc_z", "g", "accel");
    for (guint c = 0; c < 3; c++)
      {
        info->channels[c].decimals = 5;
        info->channels[c].range_min = -8;
        info->channels[c].range_max = 8;
      }
    info->time_format.kind = IMU_TIME_EPOCH_S;
    info->time_format.decimals = 6;
    info->time_format.column = g_strdup ("timestamp");
    w = imu_stream_writer_new (store, info, &error);
    g_assert_no_error (error);
    for (guint c = 0; c < 3; c++)
      imu_stream_writer_set_decimals (w, c, 5);
    for (gint64 i = 0; i < N_ACC; i++)
      {
        gint64 t;
        double v[3];

        acc_sample (i, &t, v);
        g_assert_true (imu_stream_writer_append (w, t, v, &error));
      }
    g_assert_true (imu_stream_writer_finish (w, &error));
    g_assert_no_error (error);
  }
  {
    g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("gyro, left", 2);
    g_autoptr(ImuStreamWriter) w = NULL;

    info->session_id = id;
    imu_stream_info_set_channel (info, 0, "gx", "deg/s", "gyro");
    imu_stream_info_set_channel (info, 1, "gy [deg/s]", "deg/s", NULL);
    info->time_format.kind = IMU_TIME_ISO8601;
    info->time_format.decimals = 3;
    info->time_format.tz_offset_s = 7200;
    w = imu_stream_writer_new (store, info, &error);
    g_assert_no_error (error);
    for (gint64 i = 0; i < N_GYR; i++)
      {
        gint64 t;
        double v[2];

        gyr_sample (i, &t, v);
        g_assert_true (imu_stream_writer_append (w, t, v, &error));
      }
    g_assert_true (imu_stream_writer_finish (w, &error));
  }
  {
    g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("pressure", 1);
    g_autoptr(ImuStreamWriter) w = NULL;

    info->session_id = id;
    imu_stream_info_set_channel (info, 0, "p", "hPa", "other");
    info->time_format.kind = IMU_TIME_RELATIVE_MS;
    info->time_format.decimals = 0;
    info->time_format.origin_ns = START_NS;
    w = imu_stream_writer_new (store, info, &error);
    for (gint64 i = 0; i < N_REL; i++)
      {
        gint64 t;
        double v[1];

        rel_sample (i, &t, v);
        g_assert_true (imu_stream_writer_append (w, t, v, &error));
      }
    g_assert_true (imu_stream_writer_finish (w, &error));
  }
  {
    g_autoptr(ImuEvent) e1 = imu_event_new (START_NS + 1500000000, "marker", "start, \"sprint\"");
    g_autoptr(ImuEvent) e2 = imu_event_new (START_NS + 60000000000, "note", "cool down");

    e1->session_id = id;
    e1->payload_json = g_strdup ("{\"lap\":1,\"ok\":true}");
    e2->session_id = id;
    e2->duration_ns = 30000000000;
    g_assert_true (imu_store_add_event (store, e1, &error));
    g_assert_true (imu_store_add_event (store, e2, &error));
  }
  g_assert_true (imu_store_refresh_session_range (store, id, &error));
  g_assert_true (imu_store_exec (store, "UPDATE devices SET ranges = '{\"accel_g\":8,\"gyro_dps\":2000}'", &error));
  g_assert_true (imu_store_exec (store, "INSERT INTO calibration (stream_id, source, data) "
                                        "SELECT id, 'estimated', '{\"offset\":[0.01,-0.02,0.003]}' "
                                        "FROM streams WHERE name = 'accelerometer'", &error));
  g_assert_no_error (error);
  /* The profile module's table (migration 0002), when this build has it. */
  {
    g_autofree char *sql = g_strdup_printf ("INSERT INTO profiles (session_id, profiler_version, data_fingerprint, "
                                            "options_hash, created_us, json) VALUES (%" G_GINT64_FORMAT ", 3, 'fp', "
                                            "'oh', 1710264600000000, '{\"version\":1,\"x\":0.003}')", id);

    if (query_int (store, "SELECT count(*) FROM sqlite_schema WHERE name = 'profiles'") == 1)
      g_assert_true (imu_store_exec (store, sql, &error));
    g_assert_no_error (error);
  }
  g_assert_true (imu_store_commit (store, &error));
  return id;
}

static gboolean
same_double (double a, double b)
{
  return memcmp (&a, &b, sizeof a) == 0;
}

/* Every sample of the imported session equals what make_session() wrote,
 * bit for bit (values computed again here, not read from library A). */
static void
assert_session_equal (ImuStore *store, gint64 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_store_load_session (store, id, &error);
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *frame = NULL, *firmware = NULL, *ranges = NULL, *calib = NULL;
  GPtrArray *streams;
  const char * const *tags;

  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_uuid (s), ==, UUID);
  g_assert_cmpstr (imu_session_get_title (s), ==, "Intervals “A”");
  g_assert_cmpstr (imu_session_get_subject (s), ==, "Athlete 7");
  g_assert_cmpstr (imu_session_get_activity (s), ==, "run");
  g_assert_cmpstr (imu_session_get_notes (s), ==, "line one\nline two, with a comma");
  tags = imu_session_get_tags (s);
  g_assert_cmpstr (tags[0], ==, "sprint");
  g_assert_cmpstr (tags[1], ==, "lab 2");
  g_assert_null (tags[2]);
  g_object_get (s, "frame", &frame, "device-firmware", &firmware, NULL);
  g_assert_cmpstr (frame, ==, "ENU");
  g_assert_cmpstr (firmware, ==, "2.6.0");
  g_assert_cmpstr (imu_session_get_origin (s), ==, "imported");
  g_assert_cmpstr (imu_session_get_origin_path (s), ==, "/data/run.csv");
  g_assert_cmpstr (imu_session_get_device_vendor (s), ==, "Movella");
  g_assert_cmpstr (imu_session_get_device_model (s), ==, "DOT");
  g_assert_cmpstr (imu_session_get_device_serial (s), ==, "D422CD0012");
  g_assert_cmpint (imu_session_get_tz_offset (s), ==, 7200);
  g_assert_cmpfloat (imu_session_get_nominal_rate (s), ==, 100.0);
  g_assert_cmpint (imu_session_get_start_ns (s), ==, START_NS);
  /* The last sample: the accelerometer's 9999th at 99.99 s. */
  g_assert_cmpint (imu_session_get_end_ns (s), ==, START_NS + (gint64) (N_ACC - 1) * 10000000);

  streams = imu_session_get_streams (s);
  g_assert_cmpuint (streams->len, ==, 3);
  for (guint k = 0; k < streams->len; k++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (streams, k);
      g_autoptr(ImuSeries) series = imu_series_new (store, info->id, &error);
      gint64 n = info->n_samples;
      g_autofree gint64 *t = g_new (gint64, n);
      g_autofree double *buf = g_new (double, n * info->n_channels);
      g_autofree double **cols = g_new (double *, info->n_channels);

      g_assert_no_error (error);
      for (guint c = 0; c < info->n_channels; c++)
        cols[c] = buf + c * n;
      g_assert_cmpint (imu_series_read (series, 0, n, t, cols, &error), ==, n);
      if (k == 0)
        {
          g_assert_cmpstr (info->name, ==, "accelerometer");
          g_assert_cmpstr (info->kind, ==, "accel");
          g_assert_cmpint (n, ==, N_ACC);
          g_assert_cmpstr (info->channels[1].name, ==, "acc_y");
          g_assert_cmpstr (info->channels[1].unit, ==, "g");
          g_assert_cmpfloat (info->channels[1].range_max, ==, 8);
          g_assert_cmpint (info->time_format.kind, ==, IMU_TIME_EPOCH_S);
          g_assert_cmpstr (info->time_format.column, ==, "timestamp");
          for (gint64 i = 0; i < n; i++)
            {
              gint64 et;
              double ev[3];

              acc_sample (i, &et, ev);
              g_assert_cmpint (t[i], ==, et);
              for (guint c = 0; c < 3; c++)
                if (!same_double (cols[c][i], ev[c]))
                  g_error ("accelerometer sample %" G_GINT64_FORMAT " channel %u: %.17g != %.17g", i, c, cols[c][i], ev[c]);
            }
        }
      else if (k == 1)
        {
          g_assert_cmpstr (info->name, ==, "gyro, left");
          g_assert_cmpint (n, ==, N_GYR);
          g_assert_cmpint (info->time_format.kind, ==, IMU_TIME_ISO8601);
          g_assert_cmpint (info->time_format.tz_offset_s, ==, 7200);
          g_assert_cmpstr (info->channels[1].name, ==, "gy [deg/s]");
          for (gint64 i = 0; i < n; i++)
            {
              gint64 et;
              double ev[2];

              gyr_sample (i, &et, ev);
              g_assert_cmpint (t[i], ==, et);
              g_assert_true (same_double (cols[0][i], ev[0]));
              g_assert_true (same_double (cols[1][i], ev[1]));
            }
        }
      else
        {
          g_assert_cmpstr (info->name, ==, "pressure");
          g_assert_cmpint (info->time_format.kind, ==, IMU_TIME_RELATIVE_MS);
          g_assert_cmpint (info->time_format.origin_ns, ==, START_NS);
          for (gint64 i = 0; i < n; i++)
            {
              gint64 et;
              double ev[1];

              rel_sample (i, &et, ev);
              g_assert_cmpint (t[i], ==, et);
              g_assert_true (same_double (cols[0][i], ev[0]));
            }
        }
    }

  events = imu_store_list_events (store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  {
    const ImuEvent *e1 = g_ptr_array_index (events, 0), *e2 = g_ptr_array_index (events, 1);

    g_assert_cmpint (e1->t_ns, ==, START_NS + 1500000000);
    g_assert_cmpstr (e1->kind, ==, "marker");
    g_assert_cmpstr (e1->label, ==, "start, \"sprint\"");
    g_assert_cmpstr (e1->payload_json, ==, "{\"lap\":1,\"ok\":true}");
    g_assert_cmpint (e2->duration_ns, ==, 30000000000);
    g_assert_cmpstr (e2->label, ==, "cool down");
    g_assert_null (e2->payload_json);
  }
  ranges = query_text (store, "SELECT d.ranges FROM devices d JOIN sessions s ON s.device_id = d.id");
  g_assert_cmpstr (ranges, ==, "{\"accel_g\":8,\"gyro_dps\":2000}");
  calib = query_text (store, "SELECT c.source || ' ' || c.data FROM calibration c JOIN streams s ON s.id = c.stream_id "
                             "WHERE s.name = 'accelerometer'");
  g_assert_cmpstr (calib, ==, "estimated {\"offset\":[0.01,-0.02,0.003]}");
  if (query_int (store, "SELECT count(*) FROM sqlite_schema WHERE name = 'profiles'") == 1)
    {
      g_autofree char *profile = query_text (store, "SELECT profiler_version || ' ' || created_us || ' ' || json "
                                                    "FROM profiles");

      g_assert_cmpstr (profile, ==, "3 1710264600000000 {\"version\":1,\"x\":0.003}");
    }
}

typedef struct {
  char     *dir;
  ImuStore *a;
  gint64    id;
  char     *bundle;
} Fixture;

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();

  f->dir = imu_test_tmpdir ();
  f->a = imu_store_open (lib, &error);
  g_assert_no_error (error);
  f->id = make_session (f->a);
  f->bundle = g_build_filename (f->dir, "session.imub", NULL);
  /* Bad-bundle cases pass their case as data: they use tar + zstd. */
  g_assert_true (imu_bundle_write (f->a, f->id, f->bundle,
                                   GPOINTER_TO_SIZE (data) == IMU_BUNDLE_ARCHIVE_ZIP ? IMU_BUNDLE_ARCHIVE_ZIP
                                                                                     : IMU_BUNDLE_ARCHIVE_TAR_ZSTD,
                                   NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->a);
  g_free (f->dir);
  g_free (f->bundle);
}

static ImuStore *
new_library (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = imu_test_library_path ();
  ImuStore *store = imu_store_open (lib, &error);

  g_assert_no_error (error);
  return store;
}

static void
test_roundtrip (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) b = new_library ();
  g_autoptr(ImuImportResult) result = NULL;
  g_autofree char *format = imu_import_detect (f->bundle, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "bundle");
  g_assert_true (imu_bundle_sniff (f->bundle));
  /* Through the import pipeline, as `imu import` does. */
  result = imu_import_path (b, f->bundle, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->uuid, ==, UUID);
  g_assert_cmpstr (result->format, ==, "bundle");
  g_assert_cmpint (result->rows, ==, N_ACC + N_GYR + N_REL);
  assert_session_equal (b, result->session_id);
  /* The audit row names the bundle and its sha256 (GChecksum here). */
  {
    g_autofree char *sha = imu_test_sha256_file (f->bundle);
    g_autofree char *audit = query_text (b, "SELECT format || ' ' || sha256 FROM imports");
    g_autofree char *expected = g_strconcat ("bundle ", sha, NULL);

    g_assert_cmpstr (audit, ==, expected);
  }
}

static void
test_deterministic (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuBundleInfo) info = NULL;
  g_autofree char *second = g_build_filename (f->dir, "again.imub", NULL);
  g_autofree char *sha1 = imu_test_sha256_file (f->bundle);
  g_autofree char *sha2 = NULL;

  g_assert_true (imu_bundle_write (f->a, f->id, second, GPOINTER_TO_INT (data), NULL, NULL, NULL, &info, &error));
  g_assert_no_error (error);
  sha2 = imu_test_sha256_file (second);
  g_assert_cmpstr (sha1, ==, sha2);
  g_assert_cmpstr (info->sha256, ==, sha2);
  g_assert_cmpstr (info->uuid, ==, UUID);
  g_assert_cmpint (info->n_samples, ==, N_ACC + N_GYR + N_REL);
  g_assert_cmpint (info->n_events, ==, 2);
  /* peek and verify agree with what was written */
  {
    g_autoptr(ImuBundleInfo) p = imu_bundle_peek (second, NULL, &error);
    g_autoptr(ImuBundleInfo) v = imu_bundle_verify (second, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (p->sha256, ==, sha2);
    g_assert_cmpstr (v->sha256, ==, sha2);
    g_assert_cmpstr (p->manifest_json, ==, info->manifest_json);
    g_assert_cmpint (v->n_events, ==, 2);
  }
}

static void
test_duplicate (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) again = NULL;
  gint64 dup = 0;

  /* Into the library that holds the session: a no-op that names it. */
  again = imu_import_path (f->a, f->bundle, NULL, NULL, NULL, &dup, NULL, &error);
  g_assert_null (again);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE);
  g_assert_nonnull (strstr (error->message, "already in the library as session"));
  g_assert_cmpint (dup, ==, f->id);
  g_assert_cmpint (imu_store_count_sessions (f->a, NULL), ==, 1);
  g_assert_cmpint (query_int (f->a, "SELECT count(*) FROM streams"), ==, 3);
  g_assert_cmpint (query_int (f->a, "SELECT count(*) FROM imports"), ==, 0);
}

/* ---- bad bundles, built here with libarchive ---- */

typedef struct {
  char   *name;
  GBytes *data;
  int     type;       /* AE_IFREG, AE_IFLNK, AE_IFCHR, AE_IFDIR, or 1 for a hard link */
} Entry;

static void
entry_free (Entry *e)
{
  g_free (e->name);
  g_clear_pointer (&e->data, g_bytes_unref);
  g_free (e);
}

static GPtrArray *
read_entries (const char *path)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  struct archive *a = archive_read_new ();
  struct archive_entry *ae;

  archive_read_support_format_all (a);
  archive_read_support_filter_all (a);
  g_assert_cmpint (archive_read_open_filename (a, path, 65536), ==, ARCHIVE_OK);
  while (archive_read_next_header (a, &ae) == ARCHIVE_OK)
    {
      Entry *e = g_new0 (Entry, 1);
      GByteArray *data = g_byte_array_new ();
      char buf[65536];
      la_ssize_t n;

      e->name = g_strdup (archive_entry_pathname (ae));
      e->type = AE_IFREG;
      while ((n = archive_read_data (a, buf, sizeof buf)) > 0)
        g_byte_array_append (data, (guint8 *) buf, (guint) n);
      e->data = g_byte_array_free_to_bytes (data);
      g_ptr_array_add (entries, e);
    }
  archive_read_free (a);
  return entries;
}

static void
write_entries (const char *path, GPtrArray *entries)
{
  struct archive *a = archive_write_new ();

  archive_write_set_format_pax_restricted (a);
  archive_write_add_filter_zstd (a);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < entries->len; i++)
    {
      Entry *e = g_ptr_array_index (entries, i);
      struct archive_entry *ae = archive_entry_new ();
      gsize len = 0;
      const void *p = e->data != NULL ? g_bytes_get_data (e->data, &len) : NULL;

      archive_entry_set_pathname (ae, e->name);
      archive_entry_set_perm (ae, 0644);
      if (e->type == 1)
        {
          archive_entry_set_filetype (ae, AE_IFREG);
          archive_entry_set_hardlink (ae, "session.json");
          archive_entry_set_size (ae, 0);
          len = 0;
        }
      else
        {
          archive_entry_set_filetype (ae, e->type);
          if (e->type == AE_IFLNK)
            archive_entry_set_symlink (ae, "/etc/passwd");
          if (e->type == AE_IFCHR)
            archive_entry_set_rdev (ae, 0x0103);
          archive_entry_set_size (ae, e->type == AE_IFREG ? (la_int64_t) len : 0);
          if (e->type != AE_IFREG)
            len = 0;
        }
      /* A name that is not UTF-8 is written with a warning (pax cannot
       * convert it): exactly what a hostile archive holds. */
      g_assert_cmpint (archive_write_header (a, ae), >=, ARCHIVE_WARN);
      if (len > 0)
        g_assert_cmpint (archive_write_data (a, p, len), ==, (la_ssize_t) len);
      archive_entry_free (ae);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

static Entry *
find_entry (GPtrArray *entries, const char *name)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_str_equal (((Entry *) g_ptr_array_index (entries, i))->name, name))
      return g_ptr_array_index (entries, i);
  g_assert_not_reached ();
}

/* Changes the manifest's declared size of @file. */
static void
set_declared_bytes (GPtrArray *entries, const char *file, gint64 bytes)
{
  Entry *m = find_entry (entries, "manifest.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  JsonArray *files;
  char *text;

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), NULL));
  files = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "files");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *o = json_array_get_object_element (files, i);

      if (g_str_equal (json_object_get_string_member (o, "path"), file))
        json_object_set_int_member (o, "bytes", bytes);
    }
  json_generator_set_root (gen, json_parser_get_root (parser));
  text = json_generator_to_data (gen, NULL);
  g_bytes_unref (m->data);
  m->data = g_bytes_new_take (text, strlen (text));
}

/* Parses the manifest of @entries for a test to change (json-glib, not the
 * reader under test). */
static JsonNode *
manifest_root (GPtrArray *entries)
{
  Entry *m = find_entry (entries, "manifest.json");
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (m->data, NULL), g_bytes_get_size (m->data), NULL));
  return json_node_copy (json_parser_get_root (parser));
}

static void
set_manifest (GPtrArray *entries, JsonNode *root)
{
  Entry *m = find_entry (entries, "manifest.json");
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  char *text;

  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  g_bytes_unref (m->data);
  m->data = g_bytes_new_take (text, strlen (text));
}

/* Replaces the bytes of @file and declares their true size and sha256 in
 * the manifest (computed with GChecksum), so that only the content is bad. */
static void
set_listed_file (GPtrArray *entries, const char *file, GBytes *data)
{
  g_autoptr(JsonNode) root = manifest_root (entries);
  JsonArray *files = json_object_get_array_member (json_node_get_object (root), "files");
  g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, data);
  Entry *e = find_entry (entries, file);

  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *o = json_array_get_object_element (files, i);

      if (g_str_equal (json_object_get_string_member (o, "path"), file))
        {
          json_object_set_int_member (o, "bytes", (gint64) g_bytes_get_size (data));
          json_object_set_string_member (o, "sha256", sha);
        }
    }
  set_manifest (entries, root);
  g_bytes_unref (e->data);
  e->data = g_bytes_ref (data);
}

/* @prefix, then @depth opening brackets, as many closing ones, @suffix. */
static GBytes *
nested_json (const char *prefix, guint depth, const char *suffix)
{
  GString *s = g_string_new (prefix);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (s, ']');
  g_string_append (s, suffix);
  return g_string_free_to_bytes (s);
}

/* Far deeper than json-glib's recursion survives on a default stack. */
#define DEEP 200000

typedef enum {
  BAD_FLIPPED_BYTE,
  BAD_MISSING,
  BAD_EXTRA,
  BAD_DOTDOT,
  BAD_ABSOLUTE,
  BAD_SYMLINK,
  BAD_HARDLINK,
  BAD_DEVICE,
  BAD_BOMB,
  BAD_CAP,
  BAD_NOT_FIRST,
  BAD_EMPTY_MANIFEST,
  BAD_DEEP_MANIFEST,
  BAD_DEEP_DEVICE,
  BAD_DEEP_CALIB,
  BAD_DEEP_EVENT,
  BAD_VERSION,
  BAD_EVENTS_PURPOSE,
  BAD_NO_UUID,
  BAD_TIME_RANGE,
  BAD_ORIGIN_OVERFLOW,
  BAD_BINARY_NAME,
  BAD_TIME_KIND,
} BadKind;

typedef struct {
  const char *path;
  BadKind     kind;
  int         code;
} BadCase;

static void
test_bad (Fixture *f, gconstpointer data)
{
  const BadCase *bc = data;
  g_autoptr(GPtrArray) entries = read_entries (f->bundle);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) b = new_library ();
  g_autoptr(ImuImportResult) result = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "bad.imub", NULL);
  Entry *e;

  switch (bc->kind)
    {
    case BAD_FLIPPED_BYTE:
      {
        gsize len = 0;
        guint8 *copy;

        e = find_entry (entries, "streams/0-accelerometer.csv");
        len = g_bytes_get_size (e->data);
        g_assert_cmpuint (len, >, 100);
        copy = g_malloc (len);
        memcpy (copy, g_bytes_get_data (e->data, NULL), len);
        copy[len / 2] ^= 0x01;
        g_bytes_unref (e->data);
        e->data = g_bytes_new_take (copy, len);
      }
      break;
    case BAD_MISSING:
      g_ptr_array_remove (entries, find_entry (entries, "events.jsonl"));
      break;
    case BAD_BINARY_NAME:
    case BAD_EXTRA:
    case BAD_DOTDOT:
    case BAD_ABSOLUTE:
    case BAD_SYMLINK:
    case BAD_HARDLINK:
    case BAD_DEVICE:
      e = g_new0 (Entry, 1);
      e->type = AE_IFREG;
      e->data = g_bytes_new_static ("x\n", 2);
      e->name = g_strdup (bc->kind == BAD_BINARY_NAME ? "notes\x99\xff.txt" : bc->kind == BAD_EXTRA ? "notes.txt" : bc->kind == BAD_DOTDOT ? "streams/../../evil.csv"
                          : bc->kind == BAD_ABSOLUTE ? "/tmp/evil.csv" : "link");
      if (bc->kind == BAD_SYMLINK)
        e->type = AE_IFLNK;
      else if (bc->kind == BAD_HARDLINK)
        e->type = 1;
      else if (bc->kind == BAD_DEVICE)
        e->type = AE_IFCHR;
      /* Second, right after the manifest: refused before any sample. */
      g_ptr_array_insert (entries, 1, e);
      break;
    case BAD_BOMB:
      /* calib.json grows to 4 MiB of blanks (valid JSON whitespace) while
       * the manifest still declares its small size. */
      e = find_entry (entries, "calib.json");
      g_bytes_unref (e->data);
      e->data = g_bytes_new_take (memset (g_malloc (4 << 20), ' ', 4 << 20), 4 << 20);
      break;
    case BAD_CAP:
      set_declared_bytes (entries, "streams/0-accelerometer.csv", G_GINT64_CONSTANT (100) << 30);
      break;
    case BAD_NOT_FIRST:
      e = find_entry (entries, "manifest.json");
      g_ptr_array_steal_index (entries, 0);
      g_ptr_array_add (entries, e);
      break;
    case BAD_EMPTY_MANIFEST:
      e = find_entry (entries, "manifest.json");
      g_bytes_unref (e->data);
      e->data = g_bytes_new_static ("", 0);
      break;
    case BAD_DEEP_MANIFEST:
      e = find_entry (entries, "manifest.json");
      g_bytes_unref (e->data);
      e->data = nested_json ("", DEEP, "\n");
      break;
    case BAD_DEEP_DEVICE:
    case BAD_DEEP_CALIB:
      {
        g_autoptr(GBytes) deep = nested_json ("{\"streams\": ", DEEP, "}\n");

        set_listed_file (entries, bc->kind == BAD_DEEP_DEVICE ? "device.json" : "calib.json", deep);
      }
      break;
    case BAD_DEEP_EVENT:
      {
        g_autoptr(GBytes) deep = nested_json ("{\"t_ns\": 0, \"payload\": ", DEEP, "}\n");

        set_listed_file (entries, "events.jsonl", deep);
      }
      break;
    case BAD_TIME_RANGE:
      {
        /* The first row's time (epoch seconds) becomes 7e9 s, in 2191:
         * past the 1900–2190 the library represents. */
        gsize len = 0;
        const char *csv = g_bytes_get_data (find_entry (entries, "streams/0-accelerometer.csv")->data, &len);
        const char *row = memchr (csv, '\n', len) + 1;
        const char *comma = memchr (row, ',', len - (gsize) (row - csv));
        g_autoptr(GString) text = g_string_new_len (csv, row - csv);
        g_autoptr(GBytes) changed = NULL;

        g_string_append (text, "7000000000.000000");
        g_string_append_len (text, comma, (gssize) (len - (gsize) (comma - csv)));
        changed = g_string_free_to_bytes (g_steal_pointer (&text));
        set_listed_file (entries, "streams/0-accelerometer.csv", changed);
      }
      break;
    case BAD_VERSION:
    case BAD_EVENTS_PURPOSE:
    case BAD_NO_UUID:
    case BAD_ORIGIN_OVERFLOW:
    case BAD_TIME_KIND:
      {
        g_autoptr(JsonNode) root = manifest_root (entries);
        JsonObject *o = json_node_get_object (root);
        JsonArray *files = json_object_get_array_member (o, "files");

        if (bc->kind == BAD_VERSION)
          json_object_set_int_member (o, "version", IMU_BUNDLE_VERSION + 1);
        else if (bc->kind == BAD_NO_UUID)
          json_object_remove_member (json_object_get_object_member (o, "session"), "uuid");
        else if (bc->kind == BAD_TIME_KIND)
          {
            /* A time format this build does not know (a newer IMU Studio's):
             * refused, not read as "none" (times from a start and a rate). */
            JsonArray *streams = json_object_get_array_member (o, "streams");

            json_object_set_string_member (json_object_get_object_member (json_array_get_object_element (streams, 0),
                                                                          "time_format"),
                                           "kind", "gps_week_seconds");
          }
        else if (bc->kind == BAD_ORIGIN_OVERFLOW)
          {
            /* Relative times from the largest origin: the sum overflows
             * int64 unless it saturates (and is then out of range). */
            JsonArray *streams = json_object_get_array_member (o, "streams");

            for (guint i = 0; i < json_array_get_length (streams); i++)
              json_object_set_int_member (json_object_get_object_member (json_array_get_object_element (streams, i),
                                                                         "time_format"),
                                          "origin_ns", G_MAXINT64);
          }
        else
          for (guint i = 0; i < json_array_get_length (files); i++)
            {
              JsonObject *fo = json_array_get_object_element (files, i);

              if (g_str_equal (json_object_get_string_member (fo, "path"), "events.jsonl"))
                json_object_set_string_member (fo, "purpose", "notes");
            }
        set_manifest (entries, root);
      }
      break;
    }
  write_entries (bad, entries);

  /* A file whose first entry is manifest.json is a bundle for detection
   * too: imported without a forced format, it is refused with the same
   * code, never read as a zip of CSV files. */
  if (bc->kind != BAD_NOT_FIRST)
    {
      result = imu_import_path (b, bad, NULL, NULL, NULL, NULL, NULL, &error);
      g_assert_null (result);
      g_assert_error (error, IMU_BUNDLE_ERROR, bc->code);
      g_clear_error (&error);
    }

  result = imu_bundle_import (b, bad, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_BUNDLE_ERROR, bc->code);
  /* Messages are UTF-8 whatever bytes the archive's names hold. */
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  g_test_message ("%s", error->message);
  /* Nothing was written. */
  g_assert_cmpint (imu_store_count_sessions (b, NULL), ==, 0);
  g_assert_cmpint (query_int (b, "SELECT count(*) FROM streams"), ==, 0);
  g_assert_cmpint (query_int (b, "SELECT count(*) FROM chunks"), ==, 0);
  g_assert_cmpint (query_int (b, "SELECT count(*) FROM events"), ==, 0);
  /* And the check without a library says the same. */
  g_clear_error (&error);
  g_assert_null (imu_bundle_verify (bad, NULL, &error));
  g_assert_error (error, IMU_BUNDLE_ERROR, bc->code);
  /* A manifest that is bad is bad for a peek too (what sync reads of a
   * pulled bundle first): a reason, not a crash. */
  if (bc->kind == BAD_EMPTY_MANIFEST || bc->kind == BAD_DEEP_MANIFEST || bc->kind == BAD_VERSION
      || bc->kind == BAD_EVENTS_PURPOSE || bc->kind == BAD_NO_UUID || bc->kind == BAD_NOT_FIRST)
    {
      g_clear_error (&error);
      g_assert_null (imu_bundle_peek (bad, NULL, &error));
      g_assert_error (error, IMU_BUNDLE_ERROR, bc->code);
    }
}

/* A bundle whose writer spelled the uuid in upper case is the same
 * session: the duplicate check finds it, and a new library stores the
 * uuid in lower case. */
static void
test_uuid_case (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) entries = read_entries (f->bundle);
  g_autoptr(JsonNode) root = manifest_root (entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) b = new_library ();
  g_autoptr(ImuImportResult) result = NULL;
  g_autofree char *upper_path = g_build_filename (f->dir, "upper.imub", NULL);
  g_autofree char *upper = g_ascii_strup (UUID, -1);
  g_autofree char *stored = NULL;
  gint64 dup = 0;

  json_object_set_string_member (json_object_get_object_member (json_node_get_object (root), "session"), "uuid", upper);
  set_manifest (entries, root);
  write_entries (upper_path, entries);

  result = imu_import_path (f->a, upper_path, NULL, NULL, NULL, &dup, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE);
  g_assert_cmpint (dup, ==, f->id);
  g_assert_cmpint (imu_store_count_sessions (f->a, NULL), ==, 1);
  g_clear_error (&error);

  result = imu_import_path (b, upper_path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result->uuid, ==, UUID);
  stored = query_text (b, "SELECT uuid FROM sessions");
  g_assert_cmpstr (stored, ==, UUID);
}

static void
test_allow_duplicate (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) copy = NULL;
  ImuImportOptions options = { .allow_duplicate = TRUE };

  copy = imu_bundle_import (f->a, f->bundle, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (copy->uuid, !=, UUID);
  g_assert_cmpint (imu_store_count_sessions (f->a, NULL), ==, 2);
}

/* A saved comparison travels in the bundles of its sessions: the manifest
 * of each carries it; importing the first bundle into another library
 * leaves it waiting, importing the second brings it back (same uuid,
 * title, streams and offsets, on the new session ids), once. */
static void
test_comparison (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) copy = NULL;
  g_autoptr(ImuImportResult) ra = NULL;
  g_autoptr(ImuImportResult) rb = NULL;
  g_autoptr(ImuImportResult) again = NULL;
  g_autoptr(ImuSavedComparison) saved = imu_saved_comparison_new ("Left vs right", "xcorr");
  g_autoptr(ImuStore) b = new_library ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *second = g_build_filename (f->dir, "copy.imub", NULL);
  g_autofree char *first = g_build_filename (f->dir, "first.imub", NULL);
  g_autofree char *copy_uuid = NULL;
  ImuImportOptions options = { .allow_duplicate = TRUE };
  JsonArray *comparisons;
  JsonObject *c;

  /* A second session: the first one again, under a new uuid. */
  copy = imu_bundle_import (f->a, f->bundle, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  copy_uuid = g_strdup (copy->uuid);
  imu_saved_comparison_add_member (saved, f->id, "accelerometer", 0);
  imu_saved_comparison_add_member (saved, copy->session_id, "accelerometer", -1500000000);
  g_assert_true (imu_comparison_store_save (f->a, saved, &error));
  g_assert_no_error (error);
  g_assert_true (imu_bundle_write (f->a, f->id, first, IMU_BUNDLE_ARCHIVE_TAR_ZSTD, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (imu_bundle_write (f->a, copy->session_id, second, IMU_BUNDLE_ARCHIVE_ZIP, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  /* The manifest says so, by session uuid. */
  entries = read_entries (first);
  root = manifest_root (entries);
  comparisons = json_object_get_array_member (json_node_get_object (root), "comparisons");
  g_assert_cmpuint (json_array_get_length (comparisons), ==, 1);
  c = json_array_get_object_element (comparisons, 0);
  g_assert_cmpstr (json_object_get_string_member (c, "uuid"), ==, saved->uuid);
  g_assert_cmpstr (json_object_get_string_member (c, "title"), ==, "Left vs right");
  g_assert_cmpstr (json_object_get_string_member (c, "align"), ==, "xcorr");
  {
    JsonArray *m = json_object_get_array_member (c, "sessions");

    g_assert_cmpuint (json_array_get_length (m), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (m, 0), "uuid"), ==, UUID);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (m, 1), "uuid"), ==, copy_uuid);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (m, 1), "stream"), ==, "accelerometer");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (m, 1), "offset_ns"), ==, -1500000000);
  }

  /* The copy's bundle first: its comparison waits for the other session. */
  rb = imu_import_path (b, second, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (b, "SELECT count(*) FROM comparisons"), ==, 0);
  ra = imu_import_path (b, first, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  list = imu_comparison_store_list (b, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  {
    const ImuSavedComparison *l = g_ptr_array_index (list, 0);

    g_assert_cmpstr (l->uuid, ==, saved->uuid);
    g_assert_cmpstr (l->title, ==, "Left vs right");
    g_assert_cmpstr (l->align, ==, "xcorr");
    g_assert_cmpint (l->created_us, ==, saved->created_us);
    g_assert_cmpuint (l->n_members, ==, 2);
    g_assert_cmpint (l->members[0].session_id, ==, ra->session_id);
    g_assert_cmpint (l->members[0].offset_ns, ==, 0);
    g_assert_cmpint (l->members[1].session_id, ==, rb->session_id);
    g_assert_cmpint (l->members[1].offset_ns, ==, -1500000000);
    g_assert_cmpstr (l->members[1].stream_name, ==, "accelerometer");
  }

  /* Once: a copy of a session imported again brings no second one. */
  again = imu_bundle_import (b, first, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (query_int (b, "SELECT count(*) FROM comparisons"), ==, 1);
  g_assert_cmpint (query_int (b, "SELECT count(*) FROM comparison_members"), ==, 2);
}

/* A "comparisons" member that is not what docs/bundle.md says refuses the
 * bundle, and nothing of it lands. */
static void
test_bad_comparison (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) entries = read_entries (f->bundle);
  g_autoptr(JsonNode) root = manifest_root (entries);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) b = new_library ();
  g_autoptr(ImuImportResult) result = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "bad.imub", NULL);

  json_object_set_string_member (json_node_get_object (root), "comparisons", "all of them");
  set_manifest (entries, root);
  write_entries (bad, entries);
  result = imu_bundle_import (b, bad, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_BAD_MANIFEST);
  g_assert_nonnull (strstr (error->message, "comparisons: not an array"));
  g_assert_cmpint (imu_store_count_sessions (b, NULL), ==, 0);
}

/* One import = one audit row, for bundles too: a refused bundle keeps a
 * failure row (written after the rollback), a good one a single row. */
static void
test_audit (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) entries = read_entries (f->bundle);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) b = new_library ();
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GPtrArray) audits = NULL;
  g_autofree char *bad = g_build_filename (f->dir, "bad.imub", NULL);
  g_autofree char *good_sha = imu_test_sha256_file (f->bundle);
  g_autofree char *expected = NULL;
  ImuImportAudit *audit;
  Entry *e = g_new0 (Entry, 1);
  GStatBuf st;

  /* An entry the manifest does not list, right after the manifest: refused
   * before any sample is read. */
  e->type = AE_IFREG;
  e->data = g_bytes_new_static ("x\n", 2);
  e->name = g_strdup ("notes.txt");
  g_ptr_array_insert (entries, 1, e);
  write_entries (bad, entries);
  g_assert_cmpint (g_stat (bad, &st), ==, 0);

  result = imu_import_path (b, bad, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_EXTRA_FILE);
  expected = g_strdup_printf ("%s: refused: the archive holds “notes.txt”, which manifest.json does not list", bad);
  g_assert_cmpstr (error->message, ==, expected);
  g_assert_cmpint (imu_store_count_sessions (b, NULL), ==, 0);
  g_assert_cmpint (query_int (b, "SELECT count(*) FROM streams"), ==, 0);
  g_clear_error (&error);

  audits = imu_store_list_import_audits (b, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audits->len, ==, 1);
  audit = g_ptr_array_index (audits, 0);
  g_assert_cmpint (audit->session_id, ==, 0);
  g_assert_cmpstr (audit->path, ==, bad);
  g_assert_cmpstr (audit->format, ==, "bundle");
  g_assert_cmpint (audit->bytes, ==, (gint64) st.st_size);
  /* Not every byte was read: no checksum to vouch for. */
  g_assert_cmpstr (audit->sha256, ==, "");
  g_assert_cmpint (audit->rows, ==, 0);
  g_assert_null (audit->delimiter);
  g_assert_cmpstr (audit->issues_json, ==, "{}");
  g_assert_cmpstr (audit->error, ==, expected);
  g_clear_pointer (&audits, g_ptr_array_unref);

  /* The good bundle, into the same library: one more row, its own. */
  result = imu_bundle_import (b, f->bundle, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  audits = imu_store_list_import_audits (b, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (audits->len, ==, 2);
  audit = g_ptr_array_index (audits, 1);
  g_assert_cmpint (audit->session_id, ==, result->session_id);
  g_assert_cmpstr (audit->format, ==, "bundle");
  g_assert_cmpstr (audit->sha256, ==, good_sha);
  g_assert_cmpint (audit->rows, ==, N_ACC + N_GYR + N_REL);
  g_assert_null (audit->error);
}

int
main (int argc, char **argv)
{
  static const BadCase bad_cases[] = {
    { "/core/bundle/bad/flipped-byte", BAD_FLIPPED_BYTE, IMU_BUNDLE_ERROR_CHECKSUM },
    { "/core/bundle/bad/missing-file", BAD_MISSING, IMU_BUNDLE_ERROR_MISSING_FILE },
    { "/core/bundle/bad/extra-file", BAD_EXTRA, IMU_BUNDLE_ERROR_EXTRA_FILE },
    { "/core/bundle/bad/dotdot", BAD_DOTDOT, IMU_BUNDLE_ERROR_UNSAFE_ENTRY },
    { "/core/bundle/bad/absolute", BAD_ABSOLUTE, IMU_BUNDLE_ERROR_UNSAFE_ENTRY },
    { "/core/bundle/bad/symlink", BAD_SYMLINK, IMU_BUNDLE_ERROR_UNSAFE_ENTRY },
    { "/core/bundle/bad/hardlink", BAD_HARDLINK, IMU_BUNDLE_ERROR_UNSAFE_ENTRY },
    { "/core/bundle/bad/device", BAD_DEVICE, IMU_BUNDLE_ERROR_UNSAFE_ENTRY },
    { "/core/bundle/bad/zip-bomb", BAD_BOMB, IMU_BUNDLE_ERROR_TOO_LARGE },
    { "/core/bundle/bad/over-cap", BAD_CAP, IMU_BUNDLE_ERROR_TOO_LARGE },
    { "/core/bundle/bad/manifest-not-first", BAD_NOT_FIRST, IMU_BUNDLE_ERROR_NOT_A_BUNDLE },
    { "/core/bundle/bad/empty-manifest", BAD_EMPTY_MANIFEST, IMU_BUNDLE_ERROR_BAD_MANIFEST },
    { "/core/bundle/bad/deep-manifest", BAD_DEEP_MANIFEST, IMU_BUNDLE_ERROR_BAD_MANIFEST },
    { "/core/bundle/bad/deep-device", BAD_DEEP_DEVICE, IMU_BUNDLE_ERROR_BAD_DATA },
    { "/core/bundle/bad/deep-calib", BAD_DEEP_CALIB, IMU_BUNDLE_ERROR_BAD_DATA },
    { "/core/bundle/bad/deep-event", BAD_DEEP_EVENT, IMU_BUNDLE_ERROR_BAD_DATA },
    { "/core/bundle/bad/newer-version", BAD_VERSION, IMU_BUNDLE_ERROR_VERSION },
    { "/core/bundle/bad/events-purpose", BAD_EVENTS_PURPOSE, IMU_BUNDLE_ERROR_BAD_MANIFEST },
    { "/core/bundle/bad/no-uuid", BAD_NO_UUID, IMU_BUNDLE_ERROR_BAD_MANIFEST },
    { "/core/bundle/bad/time-out-of-range", BAD_TIME_RANGE, IMU_BUNDLE_ERROR_BAD_DATA },
    { "/core/bundle/bad/origin-overflow", BAD_ORIGIN_OVERFLOW, IMU_BUNDLE_ERROR_BAD_DATA },
    { "/core/bundle/bad/binary-name", BAD_BINARY_NAME, IMU_BUNDLE_ERROR_EXTRA_FILE },
    { "/core/bundle/bad/unknown-time-kind", BAD_TIME_KIND, IMU_BUNDLE_ERROR_BAD_MANIFEST },
  };

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/bundle/roundtrip/tar-zstd", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_TAR_ZSTD),
              fixture_setup, test_roundtrip, fixture_teardown);
  g_test_add ("/core/bundle/roundtrip/zip", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_ZIP),
              fixture_setup, test_roundtrip, fixture_teardown);
  g_test_add ("/core/bundle/deterministic/tar-zstd", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_TAR_ZSTD),
              fixture_setup, test_deterministic, fixture_teardown);
  g_test_add ("/core/bundle/deterministic/zip", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_ZIP),
              fixture_setup, test_deterministic, fixture_teardown);
  g_test_add ("/core/bundle/duplicate-uuid", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_TAR_ZSTD),
              fixture_setup, test_duplicate, fixture_teardown);
  g_test_add ("/core/bundle/audit", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_TAR_ZSTD),
              fixture_setup, test_audit, fixture_teardown);
  g_test_add ("/core/bundle/uuid-case", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_TAR_ZSTD),
              fixture_setup, test_uuid_case, fixture_teardown);
  g_test_add ("/core/bundle/allow-duplicate", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_TAR_ZSTD),
              fixture_setup, test_allow_duplicate, fixture_teardown);
  g_test_add ("/core/bundle/comparison", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_TAR_ZSTD),
              fixture_setup, test_comparison, fixture_teardown);
  g_test_add ("/core/bundle/bad/comparison", Fixture, GINT_TO_POINTER (IMU_BUNDLE_ARCHIVE_TAR_ZSTD),
              fixture_setup, test_bad_comparison, fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (bad_cases); i++)
    g_test_add (bad_cases[i].path, Fixture, &bad_cases[i], fixture_setup, test_bad, fixture_teardown);
  return g_test_run ();
}
