/* imu-lod.c — min/max envelopes at several zoom levels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * While samples are written, each level keeps one block being filled and a
 * row of finished blocks. A finished block of level L feeds level L+1, so
 * every sample is looked at once. Rows are encoded with imu-codec as a
 * chunk: timestamps = first sample time of each block, columns = block
 * duration (ns, exact as a double), then min and max of each channel.
 */
#define G_LOG_DOMAIN "imu-lod"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-codec.h"
#include "imu-lod-private.h"
#include "imu-time.h"

typedef struct {
  /* the block being filled */
  gint64   count;
  gint64   t_first;
  gint64   t_last;
  double  *min;
  double  *max;
  /* the row of finished blocks */
  guint    n_blocks;
  gint64   seq;
  gint64  *row_t;
  double **row_cols;   /* [1 + 2·C][IMU_LOD_ROW_BLOCKS]: duration, min0, max0, min1, … */
} Level;

struct _ImuLodBuilder
{
  guint       n_channels;
  Level       levels[IMU_LOD_LEVELS];
  GByteArray *buf;
};

gint64
imu_lod_block_size (guint level)
{
  gint64 size = IMU_LOD_BASE;

  g_return_val_if_fail (level >= 1 && level <= IMU_LOD_LEVELS, 0);
  for (guint i = 1; i < level; i++)
    size *= IMU_LOD_FANOUT;
  return size;
}

ImuLodBuilder *
imu_lod_builder_new (guint n_channels)
{
  ImuLodBuilder *self = g_new0 (ImuLodBuilder, 1);

  self->n_channels = n_channels;
  self->buf = g_byte_array_new ();
  for (guint l = 0; l < IMU_LOD_LEVELS; l++)
    {
      Level *lv = &self->levels[l];

      lv->min = g_new (double, MAX (n_channels, 1));
      lv->max = g_new (double, MAX (n_channels, 1));
      lv->row_t = g_new (gint64, IMU_LOD_ROW_BLOCKS);
      lv->row_cols = g_new (double *, 1 + 2 * n_channels);
      for (guint c = 0; c < 1 + 2 * n_channels; c++)
        lv->row_cols[c] = g_new (double, IMU_LOD_ROW_BLOCKS);
    }
  return self;
}

void
imu_lod_builder_free (ImuLodBuilder *self)
{
  if (self == NULL)
    return;
  for (guint l = 0; l < IMU_LOD_LEVELS; l++)
    {
      Level *lv = &self->levels[l];

      g_free (lv->min);
      g_free (lv->max);
      g_free (lv->row_t);
      for (guint c = 0; c < 1 + 2 * self->n_channels; c++)
        g_free (lv->row_cols[c]);
      g_free (lv->row_cols);
    }
  g_byte_array_unref (self->buf);
  g_free (self);
}

/* min/max that skip NaN: a block of only NaN keeps NaN. */
static inline void
merge (double *mn, double *mx, double lo, double hi)
{
  if (lo < *mn || isnan (*mn))
    *mn = lo;
  if (hi > *mx || isnan (*mx))
    *mx = hi;
}

static gboolean
write_row (ImuLodBuilder *self, ImuStore *store, gint64 stream_id, guint l,
           guint n_blocks, GError **error)
{
  Level *lv = &self->levels[l];
  ImuChunkView view = {
    .n_samples = n_blocks,
    .n_channels = 1 + 2 * self->n_channels,
    .t = lv->row_t,
    .columns = (const double **) lv->row_cols,
    .decimals_hint = NULL,
  };
  sqlite3_stmt *stmt;
  int rc;

  g_byte_array_set_size (self->buf, 0);
  if (!imu_codec_encode (&view, 3, self->buf, error))
    return FALSE;
  if (!(stmt = imu_store_prepare (store,
                                  "INSERT OR REPLACE INTO lod (stream_id, level, seq, n_blocks, data) VALUES (?, ?, ?, ?, ?)",
                                  error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, stream_id);
  sqlite3_bind_int (stmt, 2, (int) l + 1);
  sqlite3_bind_int64 (stmt, 3, lv->seq);
  sqlite3_bind_int (stmt, 4, (int) n_blocks);
  sqlite3_bind_blob (stmt, 5, self->buf->data, (int) self->buf->len, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "writing envelopes", error);
  return TRUE;
}

/* Puts the block being filled at position @pos of the level's row. */
static void
store_block (ImuLodBuilder *self, Level *lv, guint pos)
{
  lv->row_t[pos] = lv->t_first;
  /* Saturating: a block's times may span more than int64 in a damaged
   * or crafted stream. */
  lv->row_cols[0][pos] = (double) imu_time_sub_sat (lv->t_last, lv->t_first);
  for (guint c = 0; c < self->n_channels; c++)
    {
      lv->row_cols[1 + 2 * c][pos] = lv->min[c];
      lv->row_cols[2 + 2 * c][pos] = lv->max[c];
    }
}

static void
start_block (ImuLodBuilder *self, Level *lv)
{
  lv->count = 0;
  for (guint c = 0; c < self->n_channels; c++)
    lv->min[c] = lv->max[c] = NAN;
}

static gboolean finish_block (ImuLodBuilder *self, ImuStore *store, gint64 stream_id, guint l, GError **error);

/* Merges a finished block of level @l into level @l + 1. */
static gboolean
feed_up (ImuLodBuilder *self, ImuStore *store, gint64 stream_id, guint l, GError **error)
{
  Level *lo = &self->levels[l];
  Level *up;

  if (l + 1 >= IMU_LOD_LEVELS)
    return TRUE;
  up = &self->levels[l + 1];
  if (up->count == 0)
    {
      up->t_first = lo->t_first;
      for (guint c = 0; c < self->n_channels; c++)
        up->min[c] = up->max[c] = NAN;
    }
  up->t_last = lo->t_last;
  for (guint c = 0; c < self->n_channels; c++)
    merge (&up->min[c], &up->max[c], lo->min[c], lo->max[c]);
  up->count += lo->count;
  if (up->count == imu_lod_block_size (l + 2))
    return finish_block (self, store, stream_id, l + 1, error);
  return TRUE;
}

static gboolean
finish_block (ImuLodBuilder *self, ImuStore *store, gint64 stream_id, guint l, GError **error)
{
  Level *lv = &self->levels[l];

  store_block (self, lv, lv->n_blocks++);
  if (!feed_up (self, store, stream_id, l, error))
    return FALSE;
  if (lv->n_blocks == IMU_LOD_ROW_BLOCKS)
    {
      if (!write_row (self, store, stream_id, l, lv->n_blocks, error))
        return FALSE;
      lv->n_blocks = 0;
      lv->seq++;
    }
  start_block (self, lv);
  return TRUE;
}

gboolean
imu_lod_builder_add (ImuLodBuilder  *self,
                     ImuStore       *store,
                     gint64          stream_id,
                     const gint64   *t,
                     const double  **columns,
                     guint           n,
                     GError        **error)
{
  Level *lv = &self->levels[0];
  const gint64 size = IMU_LOD_BASE;
  guint i = 0;

  while (i < n)
    {
      guint take = (guint) MIN ((gint64) (n - i), size - lv->count);

      if (lv->count == 0)
        {
          lv->t_first = t[i];
          for (guint c = 0; c < self->n_channels; c++)
            lv->min[c] = lv->max[c] = NAN;
        }
      for (guint c = 0; c < self->n_channels; c++)
        {
          const double *col = columns[c] + i;
          /* Seeded with ±∞, comparisons skip NaN without a branch (a NaN
           * compares false); only a run of nothing but NaN is left at ±∞,
           * and that is told apart from real infinities by mn > mx. */
          double mn = INFINITY, mx = -INFINITY;

          for (guint k = 0; k < take; k++)
            {
              double v = col[k];

              mn = v < mn ? v : mn;
              mx = v > mx ? v : mx;
            }
          if (mn <= mx)
            merge (&lv->min[c], &lv->max[c], mn, mx);
        }
      lv->t_last = t[i + take - 1];
      lv->count += take;
      i += take;
      if (lv->count == size && !finish_block (self, store, stream_id, 0, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
imu_lod_builder_flush (ImuLodBuilder  *self,
                       ImuStore       *store,
                       gint64          stream_id,
                       GError        **error)
{
  /* Partial blocks must also reach the levels above them, but only in the
   * written copy: the builder goes on filling them. So each level's row is
   * written with its partial block appended, and the partial block's min/max
   * is merged upward into a scratch copy. */
  g_autofree double *carry_min = g_new (double, MAX (self->n_channels, 1));
  g_autofree double *carry_max = g_new (double, MAX (self->n_channels, 1));
  gint64 carry_count = 0, carry_first = 0, carry_last = 0;

  for (guint l = 0; l < IMU_LOD_LEVELS; l++)
    {
      Level *lv = &self->levels[l];
      gint64 count = lv->count;
      Level tmp = *lv;
      g_autofree double *mn = g_memdup2 (lv->min, sizeof (double) * MAX (self->n_channels, 1));
      g_autofree double *mx = g_memdup2 (lv->max, sizeof (double) * MAX (self->n_channels, 1));

      tmp.min = mn;
      tmp.max = mx;
      if (carry_count > 0)
        {
          if (count == 0)
            {
              tmp.t_first = carry_first;
              for (guint c = 0; c < self->n_channels; c++)
                mn[c] = mx[c] = NAN;
            }
          tmp.t_last = carry_last;
          for (guint c = 0; c < self->n_channels; c++)
            merge (&mn[c], &mx[c], carry_min[c], carry_max[c]);
          count += carry_count;
        }
      if (count > 0)
        {
          store_block (self, &tmp, lv->n_blocks);
          if (!write_row (self, store, stream_id, l, lv->n_blocks + 1, error))
            return FALSE;
          carry_count = count;
          carry_first = tmp.t_first;
          carry_last = tmp.t_last;
          memcpy (carry_min, mn, sizeof (double) * self->n_channels);
          memcpy (carry_max, mx, sizeof (double) * self->n_channels);
        }
      else if (lv->n_blocks > 0)
        {
          if (!write_row (self, store, stream_id, l, lv->n_blocks, error))
            return FALSE;
          carry_count = 0;
        }
      else
        carry_count = 0;
    }
  return TRUE;
}

void
imu_lod_row_free (ImuLodRow *row)
{
  if (row == NULL)
    return;
  for (guint c = 0; c < row->n_channels; c++)
    {
      g_free (row->min[c]);
      g_free (row->max[c]);
    }
  g_free (row->min);
  g_free (row->max);
  g_free (row->t_first);
  g_free (row->t_last);
  g_free (row);
}

ImuLodRow *
imu_lod_row_read (ImuStore  *store,
                  gint64     stream_id,
                  guint      level,
                  gint64     seq,
                  guint      n_channels,
                  GError   **error)
{
  g_autoptr(ImuLodRow) row = NULL;
  g_autofree double **cols = NULL;
  g_autofree double *dur = NULL;
  sqlite3_stmt *stmt;
  const guint8 *data;
  gsize len;
  guint ns = 0, nc = 0;
  int rc;

  if (!(stmt = imu_store_prepare (store, "SELECT data FROM lod WHERE stream_id = ? AND level = ? AND seq = ?", error)))
    return NULL;
  sqlite3_bind_int64 (stmt, 1, stream_id);
  sqlite3_bind_int (stmt, 2, (int) level);
  sqlite3_bind_int64 (stmt, 3, seq);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("Envelope row %" PRId64 " of level %u of stream %" PRId64 " is missing; "
                     "run “imu check”."), seq, level, stream_id);
      return NULL;
    }
  if (rc != SQLITE_ROW)
    {
      imu_store_fail (store, rc, "reading envelopes", error);
      return NULL;
    }
  data = sqlite3_column_blob (stmt, 0);
  len = (gsize) sqlite3_column_bytes (stmt, 0);
  if (!imu_codec_peek (data, len, &ns, &nc, error))
    {
      sqlite3_reset (stmt);
      return NULL;
    }
  if (nc != 1 + 2 * n_channels)
    {
      sqlite3_reset (stmt);
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_CORRUPT,
                   _("Envelope row %" PRId64 " of stream %" PRId64 " has %u columns, expected %u."),
                   seq, stream_id, nc, 1 + 2 * n_channels);
      return NULL;
    }

  row = g_new0 (ImuLodRow, 1);
  row->n_blocks = ns;
  row->n_channels = n_channels;
  row->t_first = g_new (gint64, MAX (ns, 1));
  row->t_last = g_new (gint64, MAX (ns, 1));
  row->min = g_new0 (double *, MAX (n_channels, 1));
  row->max = g_new0 (double *, MAX (n_channels, 1));
  dur = g_new (double, MAX (ns, 1));
  cols = g_new (double *, nc);
  cols[0] = dur;
  for (guint c = 0; c < n_channels; c++)
    {
      cols[1 + 2 * c] = row->min[c] = g_new (double, MAX (ns, 1));
      cols[2 + 2 * c] = row->max[c] = g_new (double, MAX (ns, 1));
    }
  if (!imu_codec_decode (data, len, row->t_first, cols, nc, error))
    {
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  for (guint i = 0; i < ns; i++)
    row->t_last[i] = row->t_first[i] + (gint64) dur[i];
  return g_steal_pointer (&row);
}

gboolean
imu_lod_check (ImuStore            *store,
               const ImuStreamInfo *info,
               GPtrArray           *problems,
               GCancellable        *cancellable,
               GError             **error)
{
  sqlite3_stmt *stmt;

  for (guint level = 1; level <= IMU_LOD_LEVELS; level++)
    {
      gint64 size = imu_lod_block_size (level);
      gint64 expect = (info->n_samples + size - 1) / size;
      gint64 total = 0, expect_seq = 0;
      int rc;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!(stmt = imu_store_prepare (store, "SELECT seq, n_blocks FROM lod WHERE stream_id = ? AND level = ? ORDER BY seq",
                                      error)))
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, info->id);
      sqlite3_bind_int (stmt, 2, (int) level);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          gint64 seq = sqlite3_column_int64 (stmt, 0), n = sqlite3_column_int64 (stmt, 1);

          if (seq != expect_seq)
            g_ptr_array_add (problems, g_strdup_printf (_("stream %" PRId64 ": envelope level %u row %"
                                                          PRId64 " is missing"), info->id, level, expect_seq));
          /* Every row but the last is full; a row of another size means the
           * envelopes were written with another row length and cannot be read. */
          if (total + n < expect && n != IMU_LOD_ROW_BLOCKS)
            g_ptr_array_add (problems, g_strdup_printf (_("stream %" PRId64 ": envelope level %u row %" PRId64
                                                          " holds %" PRId64 " blocks, expected %d"),
                                                        info->id, level, seq, n, IMU_LOD_ROW_BLOCKS));
          expect_seq = seq + 1;
          total += n;
        }
      if (rc != SQLITE_DONE)
        return imu_store_fail (store, rc, "reading envelopes", error);
      if (total != expect)
        g_ptr_array_add (problems, g_strdup_printf (_("stream %" PRId64 ": envelope level %u has %" PRId64
                                                      " blocks for %" PRId64 " samples (expected %" PRId64 ")"),
                                                    info->id, level, total, info->n_samples, expect));
    }
  return TRUE;
}
