/* imu-series.c — reading samples back: ranges and envelopes (LOD)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-series"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-chunk-private.h"
#include "imu-codec.h"
#include "imu-lod-private.h"
#include "imu-series-private.h"

#define CHUNK_CACHE 4
#define ROW_CACHE 8

typedef struct {
  gint64   seq;        /* -1 when empty */
  guint    n;
  gboolean *have;      /* [n_channels]: the columns decoded */
  gint64  *t;
  double **cols;
  guint64  used;
} CachedChunk;

typedef struct {
  guint      level;
  gint64     seq;
  ImuLodRow *row;
  guint64    used;
} CachedRow;

struct _ImuSeries
{
  ImuStore       *store;
  ImuStreamInfo  *info;
  guint           n_channels;
  guint           n_chunks;
  gint64         *first_index;   /* [n_chunks + 1]: the last is n_samples */
  gint64         *t_min;
  gint64         *t_max;
  CachedChunk     chunks[CHUNK_CACHE];
  CachedRow       rows[ROW_CACHE];
  guint64         clock;
  ImuChunk       *blob;          /* the last chunk read, encoded */
  gint64          blob_seq;      /* its position, -1 when none */
  gboolean       *want_all;      /* [n_channels], all TRUE */
};

void
imu_envelope_free (ImuEnvelope *env)
{
  if (env == NULL)
    return;
  for (guint c = 0; c < env->n_channels; c++)
    {
      g_free (env->min[c]);
      g_free (env->max[c]);
    }
  g_free (env->min);
  g_free (env->max);
  g_free (env->i_first);
  g_free (env->i_last);
  g_free (env->t_first);
  g_free (env->t_last);
  g_free (env);
}

ImuSeries *
imu_series_new (ImuStore  *store,
                gint64     stream_id,
                GError   **error)
{
  g_autoptr(ImuSeries) self = NULL;
  g_autoptr(GArray) fi = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) tmin = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) tmax = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  gint64 total = 0;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), NULL);

  self = g_new0 (ImuSeries, 1);
  self->store = g_object_ref (store);
  if (!(self->info = imu_store_load_stream (store, stream_id, error)))
    return NULL;
  self->n_channels = self->info->n_channels;

  if (!(stmt = imu_store_prepare (store,
                                  "SELECT first_index, n_samples, t_min_ns, t_max_ns FROM chunks WHERE stream_id = ? ORDER BY seq",
                                  error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, stream_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 first = sqlite3_column_int64 (stmt, 0);
      gint64 lo = sqlite3_column_int64 (stmt, 2), hi = sqlite3_column_int64 (stmt, 3);

      total = first + sqlite3_column_int64 (stmt, 1);
      g_array_append_val (fi, first);
      g_array_append_val (tmin, lo);
      g_array_append_val (tmax, hi);
    }
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (store, rc, "reading the chunk index", error);
      return NULL;
    }
  g_array_append_val (fi, total);
  self->n_chunks = tmin->len;
  self->first_index = (gint64 *) g_array_free (g_steal_pointer (&fi), FALSE);
  self->t_min = (gint64 *) g_array_free (g_steal_pointer (&tmin), FALSE);
  self->t_max = (gint64 *) g_array_free (g_steal_pointer (&tmax), FALSE);
  /* The chunks are the truth; the stream row is a summary of them. */
  self->info->n_samples = total;

  for (guint i = 0; i < CHUNK_CACHE; i++)
    {
      self->chunks[i].seq = -1;
      self->chunks[i].t = g_new (gint64, IMU_CODEC_MAX_SAMPLES);
      self->chunks[i].cols = g_new0 (double *, MAX (self->n_channels, 1));
      self->chunks[i].have = g_new0 (gboolean, MAX (self->n_channels, 1));
      for (guint c = 0; c < self->n_channels; c++)
        self->chunks[i].cols[c] = g_new (double, IMU_CODEC_MAX_SAMPLES);
    }
  for (guint i = 0; i < ROW_CACHE; i++)
    self->rows[i].seq = -1;
  self->blob = imu_chunk_new ();
  self->blob_seq = -1;
  self->want_all = g_new (gboolean, MAX (self->n_channels, 1));
  for (guint c = 0; c < self->n_channels; c++)
    self->want_all[c] = TRUE;

  return g_steal_pointer (&self);
}

void
imu_series_free (ImuSeries *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < CHUNK_CACHE; i++)
    {
      if (self->chunks[i].cols != NULL)
        for (guint c = 0; c < self->n_channels; c++)
          g_free (self->chunks[i].cols[c]);
      g_free (self->chunks[i].cols);
      g_free (self->chunks[i].have);
      g_free (self->chunks[i].t);
    }
  for (guint i = 0; i < ROW_CACHE; i++)
    g_clear_pointer (&self->rows[i].row, imu_lod_row_free);
  g_clear_pointer (&self->blob, imu_chunk_free);
  g_free (self->want_all);
  g_free (self->first_index);
  g_free (self->t_min);
  g_free (self->t_max);
  g_clear_pointer (&self->info, imu_stream_info_free);
  g_clear_object (&self->store);
  g_free (self);
}

const ImuStreamInfo *imu_series_get_info (ImuSeries *self) { return self->info; }
guint imu_series_get_n_channels (ImuSeries *self) { return self->n_channels; }
gint64 imu_series_get_n_samples (ImuSeries *self) { return self->info->n_samples; }
gint64 imu_series_get_t_first (ImuSeries *self) { return self->info->t_first_ns; }
gint64 imu_series_get_t_last (ImuSeries *self) { return self->info->t_last_ns; }
guint imu_series_get_n_chunks (ImuSeries *self) { return self->n_chunks; }
ImuStore *imu_series_get_store (ImuSeries *self) { return self->store; }

gint64
imu_series_get_chunk_first_index (ImuSeries *self,
                                  guint      chunk)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (chunk <= self->n_chunks, -1);
  return self->first_index[chunk];
}

gboolean
imu_series_get_last_chunk_info (ImuStore      *store,
                                gint64         stream_id,
                                ImuChunkInfo  *info,
                                gboolean      *found,
                                GError       **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (info != NULL && found != NULL, FALSE);

  *found = FALSE;
  /* Through the primary key: max(seq) is the last entry of the stream's
   * range of it, and then one row is read. */
  if (!(stmt = imu_store_prepare (store,
                                  "SELECT seq, first_index, n_samples, t_min_ns, t_max_ns, length(data) FROM chunks "
                                  "WHERE stream_id = ?1 AND seq = (SELECT max(seq) FROM chunks WHERE stream_id = ?1)",
                                  error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, stream_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      info->seq = (guint) CLAMP (sqlite3_column_int64 (stmt, 0), 0, G_MAXUINT);
      info->first_index = sqlite3_column_int64 (stmt, 1);
      info->n_samples = (guint) CLAMP (sqlite3_column_int64 (stmt, 2), 0, G_MAXUINT);
      info->t_min_ns = sqlite3_column_int64 (stmt, 3);
      info->t_max_ns = sqlite3_column_int64 (stmt, 4);
      info->n_bytes = (gsize) sqlite3_column_int64 (stmt, 5);
      *found = TRUE;
      rc = sqlite3_step (stmt);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "reading the chunk index", error);
  return TRUE;
}

int
imu_series_get_decimals (ImuSeries *self,
                         guint      channel)
{
  g_return_val_if_fail (channel < self->n_channels, -1);
  return self->info->channels[channel].decimals;
}

/* Returns the decoded chunk @seq: its timestamps, and the columns @want
 * says (nullable: none). Only the columns asked for are decoded; a cached
 * chunk gains the ones it lacks when they are asked for later. */
static CachedChunk *
get_chunk (ImuSeries *self, guint seq, const gboolean *want, GError **error)
{
  CachedChunk *slot = NULL;
  double **cols = g_newa (double *, MAX (self->n_channels, 1));
  gboolean missing = FALSE, have_t;
  const ImuChunkInfo *ci;

  for (guint i = 0; i < CHUNK_CACHE && slot == NULL; i++)
    if (self->chunks[i].seq == (gint64) seq)
      slot = &self->chunks[i];
  if (slot == NULL)
    {
      for (guint i = 0; i < CHUNK_CACHE; i++)
        if (slot == NULL || self->chunks[i].used < slot->used)
          slot = &self->chunks[i];
      slot->seq = -1;
      memset (slot->have, 0, MAX (self->n_channels, 1) * sizeof (gboolean));
    }
  for (guint c = 0; c < self->n_channels; c++)
    {
      gboolean need = want != NULL && want[c] && !slot->have[c];

      cols[c] = need ? slot->cols[c] : NULL;
      missing |= need;
    }
  have_t = slot->seq == (gint64) seq;
  if (have_t && !missing)
    {
      slot->used = ++self->clock;
      return slot;
    }

  /* The encoded chunk is kept until another is needed, so that columns
   * asked for one after the other cost one read. */
  if (self->blob_seq != (gint64) seq)
    {
      self->blob_seq = -1;
      if (!imu_chunk_load (self->blob, self->store, self->info->id, self->n_channels, seq, error))
        {
          slot->seq = -1;
          return NULL;
        }
      ci = imu_chunk_get_info (self->blob);
      if (ci->first_index != self->first_index[seq]
          || (gint64) ci->n_samples != self->first_index[seq + 1] - self->first_index[seq])
        {
          slot->seq = -1;
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                       _("Chunk %u of stream %" PRId64 " does not match the stream; run “imu check”."),
                       seq, self->info->id);
          return NULL;
        }
      self->blob_seq = seq;
    }
  if (!imu_chunk_decode (self->blob, have_t ? NULL : slot->t, missing ? cols : NULL, error))
    {
      slot->seq = -1;
      return NULL;
    }
  if (!have_t)
    memset (slot->have, 0, MAX (self->n_channels, 1) * sizeof (gboolean));
  for (guint c = 0; c < self->n_channels; c++)
    slot->have[c] |= cols[c] != NULL;
  slot->seq = seq;
  slot->n = imu_chunk_get_info (self->blob)->n_samples;
  slot->used = ++self->clock;
  return slot;
}

/* The chunk holding sample @index. */
static guint
chunk_of_index (ImuSeries *self, gint64 index)
{
  guint lo = 0, hi = self->n_chunks;

  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;
      if (self->first_index[mid] <= index)
        lo = mid;
      else
        hi = mid;
    }
  return lo;
}

gint64
imu_series_index_at_time (ImuSeries  *self,
                          gint64      t_ns,
                          GError    **error)
{
  guint lo = 0, hi = self->n_chunks;
  CachedChunk *chunk;
  guint a, b;

  /* first chunk whose t_max ≥ t */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;
      if (self->t_max[mid] < t_ns)
        lo = mid + 1;
      else
        hi = mid;
    }
  if (lo == self->n_chunks)
    return self->info->n_samples;
  if (self->t_min[lo] >= t_ns)
    return self->first_index[lo];
  if (!(chunk = get_chunk (self, lo, NULL, error)))
    return -1;
  a = 0;
  b = chunk->n;
  while (a < b)
    {
      guint mid = (a + b) / 2;
      if (chunk->t[mid] < t_ns)
        a = mid + 1;
      else
        b = mid;
    }
  return self->first_index[lo] + a;
}

gint64
imu_series_read (ImuSeries  *self,
                 gint64      first,
                 gint64      n,
                 gint64     *t,
                 double    **columns,
                 GError    **error)
{
  gint64 done = 0;
  gboolean *want = g_newa (gboolean, MAX (self->n_channels, 1));

  g_return_val_if_fail (self != NULL, -1);

  for (guint c = 0; c < self->n_channels; c++)
    want[c] = columns != NULL && columns[c] != NULL;
  if (first < 0)
    first = 0;
  if (first >= self->info->n_samples || n <= 0)
    return 0;
  n = MIN (n, self->info->n_samples - first);

  while (done < n)
    {
      gint64 index = first + done;
      guint seq = chunk_of_index (self, index);
      CachedChunk *chunk = get_chunk (self, seq, want, error);
      guint off, take;

      if (chunk == NULL)
        return -1;
      off = (guint) (index - self->first_index[seq]);
      take = (guint) MIN ((gint64) (chunk->n - off), n - done);
      if (t != NULL)
        memcpy (t + done, chunk->t + off, take * sizeof (gint64));
      if (columns != NULL)
        for (guint c = 0; c < self->n_channels; c++)
          if (columns[c] != NULL)
            memcpy (columns[c] + done, chunk->cols[c] + off, take * sizeof (double));
      done += take;
    }
  return done;
}

gint64
imu_series_read_chunk (ImuSeries  *self,
                       guint       seq,
                       gint64     *t,
                       double    **columns,
                       GError    **error)
{
  g_return_val_if_fail (self != NULL, -1);
  g_return_val_if_fail (seq < self->n_chunks, -1);

  return imu_series_read (self, self->first_index[seq],
                          self->first_index[seq + 1] - self->first_index[seq], t, columns, error);
}

/* ---- envelopes ---- */

typedef struct {
  ImuEnvelope *env;
  double       scale;     /* buckets per ns */
  guint        last;
} Acc;

static void
acc_piece (Acc *acc, gint64 i_first, gint64 i_last, gint64 t_first, gint64 t_last,
           const double *mn, const double *mx, gsize stride)
{
  ImuEnvelope *env = acc->env;
  double pos = (double) (t_first - env->t0) * acc->scale;
  guint b = pos <= 0 ? 0 : pos >= env->n_buckets - 1 ? env->n_buckets - 1 : (guint) pos;

  /* Buckets stay contiguous in sample order even if time went backwards. */
  b = MAX (b, acc->last);
  acc->last = b;
  if (env->i_first[b] > env->i_last[b])
    {
      env->i_first[b] = i_first;
      env->t_first[b] = t_first;
    }
  env->i_last[b] = i_last;
  env->t_last[b] = t_last;
  for (guint c = 0; c < env->n_channels; c++)
    {
      double lo = mn[c * stride], hi = mx[c * stride];
      double *bmin = &env->min[c][b], *bmax = &env->max[c][b];

      if (lo < *bmin || isnan (*bmin))
        *bmin = lo;
      if (hi > *bmax || isnan (*bmax))
        *bmax = hi;
    }
}

/* The bucket a time falls in, before the monotonic clamp. */
static inline guint
raw_bucket (const Acc *acc, gint64 t)
{
  double pos = (double) (t - acc->env->t0) * acc->scale;

  return pos <= 0 ? 0 : pos >= acc->env->n_buckets - 1 ? acc->env->n_buckets - 1 : (guint) pos;
}

/* Raw samples are reduced in runs that fall in one bucket, so the cost per
 * sample is one comparison per channel, not a call. */
static gboolean
cover_raw (ImuSeries *self, Acc *acc, gint64 a, gint64 b, GError **error)
{
  double *mn = g_newa (double, MAX (self->n_channels, 1));
  double *mx = g_newa (double, MAX (self->n_channels, 1));

  while (a < b)
    {
      guint seq = chunk_of_index (self, a);
      CachedChunk *chunk = get_chunk (self, seq, self->want_all, error);
      gint64 base;
      guint i, end;

      if (chunk == NULL)
        return FALSE;
      base = self->first_index[seq];
      i = (guint) (a - base);
      end = (guint) MIN ((gint64) chunk->n, b - base);
      while (i < end)
        {
          guint bucket = MAX (raw_bucket (acc, chunk->t[i]), acc->last);
          guint j = i + 1;

          while (j < end && raw_bucket (acc, chunk->t[j]) <= bucket)
            j++;
          for (guint c = 0; c < self->n_channels; c++)
            {
              const double *col = chunk->cols[c];
              double lo = INFINITY, hi = -INFINITY;

              /* NaN compares false and drops out; a run of only NaN stays
               * at ±∞ and is turned back into NaN. */
              for (guint k = i; k < j; k++)
                {
                  lo = col[k] < lo ? col[k] : lo;
                  hi = col[k] > hi ? col[k] : hi;
                }
              if (lo > hi)
                lo = hi = NAN;
              mn[c] = lo;
              mx[c] = hi;
            }
          acc_piece (acc, base + i, base + j - 1, chunk->t[i], chunk->t[j - 1], mn, mx, 1);
          i = j;
        }
      a = base + end;
    }
  return TRUE;
}

static ImuLodRow *
get_row (ImuSeries *self, guint level, gint64 seq, GError **error)
{
  CachedRow *slot = NULL;

  for (guint i = 0; i < ROW_CACHE; i++)
    if (self->rows[i].seq == seq && self->rows[i].level == level)
      {
        self->rows[i].used = ++self->clock;
        return self->rows[i].row;
      }
  for (guint i = 0; i < ROW_CACHE; i++)
    if (slot == NULL || self->rows[i].used < slot->used)
      slot = &self->rows[i];
  g_clear_pointer (&slot->row, imu_lod_row_free);
  slot->seq = -1;
  if (!(slot->row = imu_lod_row_read (self->store, self->info->id, level, seq, self->n_channels, error)))
    return NULL;
  slot->seq = seq;
  slot->level = level;
  slot->used = ++self->clock;
  return slot->row;
}

static gboolean
cover_blocks (ImuSeries *self, Acc *acc, guint level, gint64 ka, gint64 kb, GError **error)
{
  gint64 size = imu_lod_block_size (level);
  double *mn = g_newa (double, MAX (self->n_channels, 1));
  double *mx = g_newa (double, MAX (self->n_channels, 1));

  for (gint64 k = ka; k < kb; k++)
    {
      ImuLodRow *row = get_row (self, level, k / IMU_LOD_ROW_BLOCKS, error);
      guint pos = (guint) (k % IMU_LOD_ROW_BLOCKS);

      if (row == NULL)
        return FALSE;
      if (pos >= row->n_blocks)
        {
          g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                       _("Envelope block %" PRId64 " of level %u of stream %" PRId64
                         " is missing; run “imu check”."), k, level, self->info->id);
          return FALSE;
        }
      for (guint c = 0; c < self->n_channels; c++)
        {
          mn[c] = row->min[c][pos];
          mx[c] = row->max[c][pos];
        }
      acc_piece (acc, k * size, (k + 1) * size - 1, row->t_first[pos], row->t_last[pos], mn, mx, 1);
    }
  return TRUE;
}

/* Covers samples [a, b) with whole blocks of @level, and the ragged ends
 * with finer levels, down to raw samples. */
static gboolean
cover (ImuSeries *self, Acc *acc, guint level, gint64 a, gint64 b, GError **error)
{
  gint64 size, ka, kb;

  if (a >= b)
    return TRUE;
  if (level == 0)
    return cover_raw (self, acc, a, b, error);
  size = imu_lod_block_size (level);
  ka = (a + size - 1) / size;
  kb = b / size;
  if (ka >= kb)
    return cover (self, acc, level - 1, a, b, error);
  return cover (self, acc, level - 1, a, ka * size, error)
         && cover_blocks (self, acc, level, ka, kb, error)
         && cover (self, acc, level - 1, kb * size, b, error);
}

ImuEnvelope *
imu_series_envelope (ImuSeries  *self,
                     gint64      t0,
                     gint64      t1,
                     guint       n_buckets,
                     GError    **error)
{
  g_autoptr(ImuEnvelope) env = NULL;
  gint64 i0, i1, w;
  guint level = 0;
  Acc acc;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (t1 > t0, NULL);
  g_return_val_if_fail (n_buckets >= 1 && n_buckets <= 65536, NULL);

  env = g_new0 (ImuEnvelope, 1);
  env->n_buckets = n_buckets;
  env->n_channels = self->n_channels;
  env->t0 = t0;
  env->t1 = t1;
  env->i_first = g_new (gint64, n_buckets);
  env->i_last = g_new (gint64, n_buckets);
  env->t_first = g_new0 (gint64, n_buckets);
  env->t_last = g_new0 (gint64, n_buckets);
  env->min = g_new0 (double *, MAX (self->n_channels, 1));
  env->max = g_new0 (double *, MAX (self->n_channels, 1));
  for (guint b = 0; b < n_buckets; b++)
    {
      env->i_first[b] = 0;
      env->i_last[b] = -1;
    }
  for (guint c = 0; c < self->n_channels; c++)
    {
      env->min[c] = g_new (double, n_buckets);
      env->max[c] = g_new (double, n_buckets);
      for (guint b = 0; b < n_buckets; b++)
        env->min[c][b] = env->max[c][b] = NAN;
    }

  if ((i0 = imu_series_index_at_time (self, t0, error)) < 0
      || (i1 = imu_series_index_at_time (self, t1, error)) < 0)
    return NULL;
  w = i1 - i0;
  if (w <= 0)
    return g_steal_pointer (&env);

  /* The coarsest level that still gives every bucket a block of its own. */
  for (guint l = IMU_LOD_LEVELS; l >= 1; l--)
    if (w / imu_lod_block_size (l) >= (gint64) n_buckets)
      {
        level = l;
        break;
      }
  env->level = level;

  acc.env = env;
  acc.scale = (double) n_buckets / (double) (t1 - t0);
  acc.last = 0;
  if (!cover (self, &acc, level, i0, i1, error))
    return NULL;
  return g_steal_pointer (&env);
}
