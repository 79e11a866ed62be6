/* test-series.c — the one chunk reader: ImuChunkCursor, ImuChunk, and
 * ImuSeries' reads, against samples written through ImuStreamWriter
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "test-series"

#include <math.h>
#include <string.h>

#include <sqlite3.h>

#include "imu-chunk-cursor.h"
#include "imu-core.h"
#include "imu-store-private.h"
#include "imu-test-util.h"

/* 10007 samples: chunks of 4096, 4096 and 1815 (IMU_CHUNK_SAMPLES). */
#define N 10007
#define N_CH 3
#define T0 G_GINT64_CONSTANT (1700000000000000000)

/* The samples, from formulas (so the expected values do not come from the
 * code under test): 100 Hz with up to ±20 µs of jitter and a 5 s gap after
 * sample 5000; a column with 3 decimals and NaN, one of quarter steps with
 * -0.0, one of full-precision doubles. */
static gint64
sample_t (gint64 i)
{
  return T0 + i * 10000000 + ((i * 7919) % 41 - 20) * 1000 + (i > 5000 ? G_GINT64_CONSTANT (5000000000) : 0);
}

static double
sample_v (guint c, gint64 i)
{
  switch (c)
    {
    case 0: return i % 1001 == 3 ? NAN : (double) ((i * 37) % 2001 - 1000) / 1e3;
    case 1: return i % 13 == 0 ? -0.0 : (double) (i % 500) * 0.25 - 60;
    default: return sin ((double) i * 0.01);
    }
}

static void
assert_same_bits (double got, double want, gint64 i, guint c)
{
  if (memcmp (&got, &want, sizeof got) != 0)
    g_error ("sample %" G_GINT64_FORMAT ", channel %u: %.17g != %.17g", i, c, got, want);
}

typedef struct {
  char     *path;
  ImuStore *store;
  gint64    session_id;
  gint64    stream_id;
} Fixture;

/* Writes @n samples of the formulas through a stream writer, flushing
 * every @flush_every samples when > 0 (a recorder's pattern: the chunk
 * being filled is rewritten as it grows). */
static gint64
write_stream (Fixture *f, gint64 n, gint64 flush_every)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("accelerometer", N_CH);
  g_autoptr(ImuStreamWriter) w = NULL;
  double row[N_CH];

  info->session_id = f->session_id;
  info->nominal_rate_hz = 100;
  imu_stream_info_set_channel (info, 0, "x", "g", "accel");
  imu_stream_info_set_channel (info, 1, "y", "g", "accel");
  imu_stream_info_set_channel (info, 2, "z", "g", "accel");
  g_assert_true (imu_store_begin (f->store, &error));
  w = imu_stream_writer_new (f->store, info, &error);
  g_assert_no_error (error);
  imu_stream_writer_set_decimals (w, 0, 3);
  for (gint64 i = 0; i < n; i++)
    {
      for (guint c = 0; c < N_CH; c++)
        row[c] = sample_v (c, i);
      g_assert_true (imu_stream_writer_append (w, sample_t (i), row, &error));
      if (flush_every > 0 && i % flush_every == 0)
        g_assert_true (imu_stream_writer_flush (w, &error));
    }
  g_assert_true (imu_stream_writer_finish (w, &error));
  g_assert_true (imu_store_commit (f->store, &error));
  g_assert_no_error (error);
  return imu_stream_writer_get_stream_id (w);
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_session_new ();
  gint64 n = data != NULL ? *(const gint64 *) data : N;

  f->path = imu_test_library_path ();
  f->store = imu_store_open (f->path, &error);
  g_assert_no_error (error);
  imu_session_set_title (s, "Series");
  g_assert_true (imu_store_insert_session (f->store, s, &error));
  f->session_id = imu_session_get_id (s);
  f->stream_id = write_stream (f, n, 0);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  (void) data;
  g_clear_object (&f->store);
  g_free (f->path);
}

/* An integer from the library through SQLite itself. */
static gint64
sql_int (Fixture *f, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 v = -1;

  g_assert_cmpint (sqlite3_prepare_v2 (imu_store_get_db (f->store), sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return v;
}

static void
sql_exec (Fixture *f, const char *sql)
{
  char *err = NULL;

  if (sqlite3_exec (imu_store_get_db (f->store), sql, NULL, NULL, &err) != SQLITE_OK)
    g_error ("%s: %s", sql, err);
}

/* Flips the bits of byte @offset of chunk @seq's blob. */
static void
corrupt_chunk (Fixture *f, guint seq, gsize offset)
{
  sqlite3 *db = imu_store_get_db (f->store);
  sqlite3_stmt *stmt = NULL;
  g_autofree guint8 *blob = NULL;
  gsize len;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT data FROM chunks WHERE stream_id = ? AND seq = ?", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, f->stream_id);
  sqlite3_bind_int64 (stmt, 2, seq);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  len = (gsize) sqlite3_column_bytes (stmt, 0);
  g_assert_cmpuint (offset, <, len);
  blob = g_memdup2 (sqlite3_column_blob (stmt, 0), len);
  sqlite3_finalize (stmt);
  blob[offset] ^= 0xff;
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE chunks SET data = ? WHERE stream_id = ? AND seq = ?", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, blob, (int) len, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, f->stream_id);
  sqlite3_bind_int64 (stmt, 3, seq);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

/* Decodes the whole chunk and compares every sample with the formulas. */
static void
assert_chunk_samples (const ImuChunk *chunk)
{
  const ImuChunkInfo *ci = imu_chunk_get_info (chunk);
  g_autoptr(GError) error = NULL;
  g_autofree gint64 *t = g_new (gint64, ci->n_samples);
  double *cols[N_CH];

  for (guint c = 0; c < N_CH; c++)
    cols[c] = g_new (double, ci->n_samples);
  g_assert_true (imu_chunk_decode (chunk, t, cols, &error));
  g_assert_no_error (error);
  for (guint k = 0; k < ci->n_samples; k++)
    {
      gint64 i = ci->first_index + k;

      g_assert_cmpint (t[k], ==, sample_t (i));
      for (guint c = 0; c < N_CH; c++)
        assert_same_bits (cols[c][k], sample_v (c, i), i, c);
    }
  for (guint c = 0; c < N_CH; c++)
    g_free (cols[c]);
}

/* Every chunk in order, with its exact index row, and every sample. */
static void
test_cursor_every_sample (Fixture *f, gconstpointer data)
{
  static const gint64 first[] = { 0, 4096, 8192 };
  static const guint count[] = { 4096, 4096, 1815 };
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (f->store, f->stream_id, &error);
  g_autoptr(ImuChunkCursor) cursor = NULL;
  g_autoptr(ImuChunk) chunk = imu_chunk_new ();
  gint64 total = 0;
  guint k;

  (void) data;
  g_assert_no_error (error);
  g_assert_cmpuint (imu_series_get_n_chunks (series), ==, 3);
  g_assert_cmpint (imu_series_get_chunk_first_index (series, 0), ==, 0);
  g_assert_cmpint (imu_series_get_chunk_first_index (series, 1), ==, 4096);
  g_assert_cmpint (imu_series_get_chunk_first_index (series, 2), ==, 8192);
  g_assert_cmpint (imu_series_get_chunk_first_index (series, 3), ==, N);

  cursor = imu_chunk_cursor_new (series, 0, &error);
  g_assert_no_error (error);
  for (k = 0; ; k++)
    {
      gint64 got = imu_chunk_cursor_next (cursor, chunk, &error);
      const ImuChunkInfo *ci = imu_chunk_get_info (chunk);
      g_autofree char *sql = NULL;

      g_assert_no_error (error);
      if (got == 0)
        break;
      g_assert_cmpuint (k, <, 3);
      g_assert_cmpint (got, ==, count[k]);
      g_assert_cmpuint (ci->seq, ==, k);
      g_assert_cmpint (ci->first_index, ==, first[k]);
      g_assert_cmpuint (ci->n_samples, ==, count[k]);
      /* The jitter (±20 µs) never reorders 10 ms steps. */
      g_assert_cmpint (ci->t_min_ns, ==, sample_t (first[k]));
      g_assert_cmpint (ci->t_max_ns, ==, sample_t (first[k] + count[k] - 1));
      sql = g_strdup_printf ("SELECT length(data) FROM chunks WHERE stream_id = %" G_GINT64_FORMAT " AND seq = %u",
                             f->stream_id, k);
      g_assert_cmpint ((gint64) ci->n_bytes, ==, sql_int (f, sql));
      g_assert_cmpint (imu_chunk_get_stream_id (chunk), ==, f->stream_id);
      g_assert_cmpuint (imu_chunk_get_n_channels (chunk), ==, N_CH);
      /* The writer's hint of 3 decimals holds; sines have no decimal form. */
      g_assert_cmpint (imu_chunk_get_decimals (chunk, 0), ==, 3);
      g_assert_cmpint (imu_chunk_get_decimals (chunk, 2), ==, -1);
      g_assert_cmpint (imu_chunk_get_decimals (chunk, N_CH), ==, -1);
      assert_chunk_samples (chunk);
      total += got;
    }
  g_assert_cmpuint (k, ==, 3);
  g_assert_cmpint (total, ==, N);
  /* The end stays the end. */
  g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 0);
  g_assert_no_error (error);
}

/* A chunk read with flushes in between (the chunk being filled written
 * again and again) reads back like one written once. */
static void
test_cursor_flushed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_session_new ();
  Fixture f = { 0 };
  g_autoptr(ImuSeries) series = NULL;
  g_autoptr(ImuChunkCursor) cursor = NULL;
  g_autoptr(ImuChunk) chunk = imu_chunk_new ();
  gint64 got, total = 0;

  f.path = imu_test_library_path ();
  f.store = imu_store_open (f.path, &error);
  g_assert_no_error (error);
  g_assert_true (imu_store_insert_session (f.store, s, &error));
  f.session_id = imu_session_get_id (s);
  f.stream_id = write_stream (&f, N, 777);
  series = imu_series_new (f.store, f.stream_id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imu_series_get_n_chunks (series), ==, 3);
  cursor = imu_chunk_cursor_new (series, 0, &error);
  while ((got = imu_chunk_cursor_next (cursor, chunk, &error)) > 0)
    {
      g_assert_cmpint (imu_chunk_get_info (chunk)->first_index, ==, total);
      assert_chunk_samples (chunk);
      total += got;
    }
  g_assert_no_error (error);
  g_assert_cmpint (got, ==, 0);
  g_assert_cmpint (total, ==, N);
  fixture_tear_down (&f, NULL);
}

/* A cursor from a later chunk, past the last, and two cursors and point
 * reads interleaved on one connection: each keeps its own place. */
static void
test_cursor_positions (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (f->store, f->stream_id, &error);
  g_autoptr(ImuChunk) chunk = imu_chunk_new ();
  g_autoptr(ImuChunk) other = imu_chunk_new ();
  gint64 t[4];

  (void) data;
  {
    g_autoptr(ImuChunkCursor) cursor = imu_chunk_cursor_new (series, 1, &error);

    g_assert_no_error (error);
    g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 4096);
    g_assert_cmpuint (imu_chunk_get_info (chunk)->seq, ==, 1);
    g_assert_cmpint (imu_chunk_get_info (chunk)->first_index, ==, 4096);
    assert_chunk_samples (chunk);
    g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 1815);
    g_assert_cmpuint (imu_chunk_get_info (chunk)->seq, ==, 2);
    g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 0);
    g_assert_no_error (error);
  }
  for (guint from = 3; from <= 4; from++)
    {
      g_autoptr(ImuChunkCursor) cursor = imu_chunk_cursor_new (series, from, &error);

      g_assert_no_error (error);
      g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 0);
      g_assert_no_error (error);
    }
  {
    g_autoptr(ImuChunkCursor) a = imu_chunk_cursor_new (series, 0, &error);
    g_autoptr(ImuChunkCursor) b = imu_chunk_cursor_new (series, 0, &error);

    for (guint k = 0; k < 3; k++)
      {
        g_assert_cmpint (imu_chunk_cursor_next (a, chunk, &error), >, 0);
        /* A point read (the store's cached statements) in between. */
        g_assert_cmpint (imu_series_read (series, 10003 - 4 * k, 4, t, NULL, &error), ==, 4);
        g_assert_cmpint (t[3], ==, sample_t (10006 - 4 * k));
        g_assert_cmpint (imu_chunk_cursor_next (b, other, &error), >, 0);
        g_assert_no_error (error);
        g_assert_cmpuint (imu_chunk_get_info (chunk)->seq, ==, k);
        g_assert_cmpuint (imu_chunk_get_info (other)->seq, ==, k);
      }
    g_assert_cmpint (imu_chunk_cursor_next (a, chunk, &error), ==, 0);
    g_assert_cmpint (imu_chunk_cursor_next (b, other, &error), ==, 0);
    g_assert_no_error (error);
  }
}

typedef struct {
  const ImuChunk *chunk;
  double         *v;
  gboolean        ok;
} DecodeJob;

static gpointer
decode_worker (gpointer data)
{
  DecodeJob *job = data;
  double *cols[N_CH] = { NULL, NULL, job->v };

  job->ok = imu_chunk_decode (job->chunk, NULL, cols, NULL);
  return NULL;
}

/* Columns decoded alone, and in another thread, are the same samples. */
static void
test_chunk_columns (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (f->store, f->stream_id, &error);
  g_autoptr(ImuChunkCursor) cursor = imu_chunk_cursor_new (series, 2, &error);
  g_autoptr(ImuChunk) chunk = imu_chunk_new ();
  g_autofree double *v1 = g_new (double, 1815);
  g_autofree double *v2 = g_new (double, 1815);
  double *cols[N_CH] = { NULL, v1, NULL };
  DecodeJob job = { chunk, v2, FALSE };
  GThread *thread;

  (void) data;
  g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 1815);
  thread = g_thread_new ("decode", decode_worker, &job);
  g_assert_true (imu_chunk_decode (chunk, NULL, cols, &error));
  g_assert_no_error (error);
  g_thread_join (thread);
  g_assert_true (job.ok);
  for (gint64 k = 0; k < 1815; k++)
    {
      assert_same_bits (v1[k], sample_v (1, 8192 + k), 8192 + k, 1);
      assert_same_bits (v2[k], sample_v (2, 8192 + k), 8192 + k, 2);
    }
}

/* imu_series_read() from the middle of a chunk, across borders, clamped at
 * the end, and a cached chunk gaining a column asked for later. */
static void
test_read_ranges (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (f->store, f->stream_id, &error);
  g_autofree gint64 *t = g_new (gint64, 4096);
  g_autofree double *a = g_new (double, 4096);
  g_autofree double *b = g_new (double, 4096);
  static const struct { gint64 first, n, got; } ranges[] = {
    { 1234, 1, 1 },       /* one sample inside the first chunk */
    { 4095, 2, 2 },       /* the two sides of the first border */
    { 5000, 3500, 3500 }, /* mid-chunk, over the gap, into the last chunk */
    { 8191, 1816, 1816 }, /* the last sample of chunk 1 and all of chunk 2 */
    { 10000, 100, 7 },    /* clamped at the end */
    { N, 5, 0 },          /* past the end */
  };

  (void) data;
  for (guint r = 0; r < G_N_ELEMENTS (ranges); r++)
    {
      double *only_y[N_CH] = { NULL, a, NULL };
      double *x_and_z[N_CH] = { b, NULL, a };
      gint64 got = imu_series_read (series, ranges[r].first, ranges[r].n, t, only_y, &error);

      g_assert_no_error (error);
      g_assert_cmpint (got, ==, ranges[r].got);
      for (gint64 k = 0; k < got; k++)
        {
          g_assert_cmpint (t[k], ==, sample_t (ranges[r].first + k));
          assert_same_bits (a[k], sample_v (1, ranges[r].first + k), ranges[r].first + k, 1);
        }
      /* The same chunks, still cached with y alone: x and z are decoded now. */
      g_assert_cmpint (imu_series_read (series, ranges[r].first, ranges[r].n, NULL, x_and_z, &error), ==, got);
      for (gint64 k = 0; k < got; k++)
        {
          assert_same_bits (b[k], sample_v (0, ranges[r].first + k), ranges[r].first + k, 0);
          assert_same_bits (a[k], sample_v (2, ranges[r].first + k), ranges[r].first + k, 2);
        }
    }
  /* Whole chunks by position. */
  {
    double *all[N_CH] = { a, b, NULL };

    g_assert_cmpint (imu_series_read_chunk (series, 2, t, all, &error), ==, 1815);
    g_assert_cmpint (t[0], ==, sample_t (8192));
    assert_same_bits (a[1814], sample_v (0, 10006), 10006, 0);
    assert_same_bits (b[13], sample_v (1, 8205), 8205, 1);
  }
  /* The gap: the first sample at or after a time. */
  g_assert_cmpint (imu_series_index_at_time (series, sample_t (5000) + 1, &error), ==, 5001);
  g_assert_cmpint (imu_series_index_at_time (series, sample_t (4096), &error), ==, 4096);
}

/* The last chunk's index row, through the primary key. */
static void
test_last_chunk_info (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = g_strdup_printf ("SELECT length(data) FROM chunks WHERE stream_id = %" G_GINT64_FORMAT
                                          " AND seq = 2", f->stream_id);
  ImuChunkInfo info = { 0 };
  gboolean found = FALSE;

  (void) data;
  g_assert_true (imu_series_get_last_chunk_info (f->store, f->stream_id, &info, &found, &error));
  g_assert_no_error (error);
  g_assert_true (found);
  g_assert_cmpuint (info.seq, ==, 2);
  g_assert_cmpint (info.first_index, ==, 8192);
  g_assert_cmpuint (info.n_samples, ==, 1815);
  g_assert_cmpint (info.t_min_ns, ==, sample_t (8192));
  g_assert_cmpint (info.t_max_ns, ==, sample_t (N - 1));
  g_assert_cmpint ((gint64) info.n_bytes, ==, sql_int (f, sql));
  /* A stream id that does not exist has no chunk. */
  g_assert_true (imu_series_get_last_chunk_info (f->store, f->stream_id + 1000, &info, &found, &error));
  g_assert_false (found);
}

/* A stream without samples: no chunk, and every read is empty. */
static void
test_empty_stream (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSeries) series = imu_series_new (f->store, f->stream_id, &error);
  g_autoptr(ImuChunkCursor) cursor = NULL;
  g_autoptr(ImuChunk) chunk = imu_chunk_new ();
  ImuChunkInfo info;
  gboolean found = TRUE;
  gint64 t[1];

  (void) data;
  g_assert_no_error (error);
  g_assert_cmpint (imu_series_get_n_samples (series), ==, 0);
  g_assert_cmpuint (imu_series_get_n_chunks (series), ==, 0);
  g_assert_cmpint (imu_series_get_chunk_first_index (series, 0), ==, 0);
  cursor = imu_chunk_cursor_new (series, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (imu_series_read (series, 0, 10, t, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpint (imu_series_index_at_time (series, T0, &error), ==, 0);
  g_assert_true (imu_series_get_last_chunk_info (f->store, f->stream_id, &info, &found, &error));
  g_assert_false (found);
  g_assert_cmpint (sql_int (f, "SELECT count(*) FROM chunks"), ==, 0);
}

/* Header 24 bytes, section table 16 × (3 + 1): the timestamps' section
 * starts at byte 88 (docs/codec.md, Layout). */
#define TIME_SECTION_OFFSET (24 + 16 * (N_CH + 1))

/* A damaged blob: IMU_CODEC_ERROR_CORRUPT from the cursor (header), from
 * decoding (a section, while the others stay readable), from point reads,
 * and from the profile, which reads through the same reader. */
static void
test_corrupt_blob (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSeries) series = NULL;
  g_autoptr(ImuChunkCursor) cursor = NULL;
  g_autoptr(ImuChunk) chunk = imu_chunk_new ();
  g_autoptr(ImuProfile) profile = NULL;
  g_autofree gint64 *t = g_new (gint64, 4096);
  g_autofree double *v = g_new (double, 4096);
  g_autofree char *prefix = NULL;
  double *only_x[N_CH] = { v, NULL, NULL };

  (void) data;
  corrupt_chunk (f, 1, TIME_SECTION_OFFSET + 2);  /* chunk 1's timestamps */
  corrupt_chunk (f, 2, 10);                       /* chunk 2's header (n_samples) */
  series = imu_series_new (f->store, f->stream_id, &error);
  g_assert_no_error (error);
  cursor = imu_chunk_cursor_new (series, 0, &error);
  g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 4096);
  assert_chunk_samples (chunk);

  /* Chunk 1's header is sound: the damage shows when its timestamps are
   * decoded, and its value columns still decode. */
  g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 4096);
  g_assert_no_error (error);
  g_assert_false (imu_chunk_decode (chunk, t, NULL, &error));
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
  prefix = g_strdup_printf ("Chunk 1 of stream %" G_GINT64_FORMAT ": ", f->stream_id);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_clear_error (&error);
  g_assert_true (imu_chunk_decode (chunk, NULL, only_x, &error));
  g_assert_no_error (error);
  assert_same_bits (v[100], sample_v (0, 4196), 4196, 0);

  /* Chunk 2's header is not. */
  g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, -1);
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
  g_clear_error (&error);

  /* Point reads see the same. */
  g_assert_cmpint (imu_series_read (series, 4000, 200, t, NULL, &error), ==, -1);
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_cmpint (imu_series_read (series, 9000, 1, NULL, only_x, &error), ==, -1);
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
  g_clear_error (&error);
  g_assert_cmpint (imu_series_read (series, 0, 4096, t, only_x, &error), ==, 4096);
  g_assert_no_error (error);

  profile = imu_profile_compute (f->store, f->session_id, NULL, NULL, NULL, NULL, &error);
  g_assert_null (profile);
  g_assert_error (error, IMU_CODEC_ERROR, IMU_CODEC_ERROR_CORRUPT);
}

/* Index rows that disagree with the blobs or with each other:
 * IMU_STORE_ERROR_CORRUPT, from the cursor and from point reads. */
static void
test_index_mismatch (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuChunk) chunk = imu_chunk_new ();
  g_autofree char *shorter = g_strdup_printf ("UPDATE chunks SET n_samples = 4095 WHERE stream_id = %" G_GINT64_FORMAT
                                              " AND seq = 1", f->stream_id);
  g_autofree char *restore = g_strdup_printf ("UPDATE chunks SET n_samples = 4096, first_index = 4096 "
                                              "WHERE stream_id = %" G_GINT64_FORMAT " AND seq = 1", f->stream_id);
  g_autofree char *moved = g_strdup_printf ("UPDATE chunks SET first_index = 4000 WHERE stream_id = %" G_GINT64_FORMAT
                                            " AND seq = 1", f->stream_id);
  g_autofree char *gone = g_strdup_printf ("DELETE FROM chunks WHERE stream_id = %" G_GINT64_FORMAT " AND seq = 1",
                                           f->stream_id);
  const char *damage[] = { shorter, moved, gone };
  gint64 t[1];

  (void) data;
  for (guint d = 0; d < G_N_ELEMENTS (damage); d++)
    {
      g_autoptr(ImuSeries) series = NULL;
      g_autoptr(ImuChunkCursor) cursor = NULL;

      sql_exec (f, damage[d]);
      series = imu_series_new (f->store, f->stream_id, &error);
      g_assert_no_error (error);
      cursor = imu_chunk_cursor_new (series, 0, &error);
      g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, 4096);
      g_assert_cmpint (imu_chunk_cursor_next (cursor, chunk, &error), ==, -1);
      g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT);
      g_clear_error (&error);
      /* Sample 4096 is in the second chunk of the index; after the delete
       * that is the old chunk 2, where the row with seq 1 is missing. */
      g_assert_cmpint (imu_series_read (series, 4096, 1, t, NULL, &error), ==, -1);
      g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT);
      g_clear_error (&error);
      if (d < 2)
        sql_exec (f, restore);
    }
}

int
main (int argc, char **argv)
{
  static const gint64 empty = 0;

  g_test_init (&argc, &argv, NULL);
  g_test_add ("/core/series/cursor/every-sample", Fixture, NULL, fixture_set_up, test_cursor_every_sample,
              fixture_tear_down);
  g_test_add_func ("/core/series/cursor/flushed", test_cursor_flushed);
  g_test_add ("/core/series/cursor/positions", Fixture, NULL, fixture_set_up, test_cursor_positions,
              fixture_tear_down);
  g_test_add ("/core/series/chunk/columns", Fixture, NULL, fixture_set_up, test_chunk_columns, fixture_tear_down);
  g_test_add ("/core/series/read/ranges", Fixture, NULL, fixture_set_up, test_read_ranges, fixture_tear_down);
  g_test_add ("/core/series/last-chunk-info", Fixture, NULL, fixture_set_up, test_last_chunk_info,
              fixture_tear_down);
  g_test_add ("/core/series/empty", Fixture, &empty, fixture_set_up, test_empty_stream, fixture_tear_down);
  g_test_add ("/core/series/corrupt/blob", Fixture, NULL, fixture_set_up, test_corrupt_blob, fixture_tear_down);
  g_test_add ("/core/series/corrupt/index", Fixture, NULL, fixture_set_up, test_index_mismatch, fixture_tear_down);
  return g_test_run ();
}
