/* imu-lod-private.h — min/max envelopes at several zoom levels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-store-private.h"

G_BEGIN_DECLS

/* Level L (1..IMU_LOD_LEVELS) summarises blocks of 32·8^(L−1) consecutive
 * samples: 32, 256, 2048, 16384, 131072, 1048576, 8388608. */
#define IMU_LOD_LEVELS 7
#define IMU_LOD_BASE 32
#define IMU_LOD_FANOUT 8
/* Blocks per row of the lod table. */
#define IMU_LOD_ROW_BLOCKS 1024

gint64 imu_lod_block_size (guint level);

typedef struct _ImuLodBuilder ImuLodBuilder;

ImuLodBuilder *imu_lod_builder_new   (guint           n_channels);
void           imu_lod_builder_free  (ImuLodBuilder  *self);
/* Feeds @n consecutive samples; writes rows of the lod table as they fill. */
gboolean       imu_lod_builder_add   (ImuLodBuilder  *self,
                                      ImuStore       *store,
                                      gint64          stream_id,
                                      const gint64   *t,
                                      const double  **columns,
                                      guint           n,
                                      GError        **error);
/* Writes the partly filled rows and blocks (replaced by later writes). */
gboolean       imu_lod_builder_flush (ImuLodBuilder  *self,
                                      ImuStore       *store,
                                      gint64          stream_id,
                                      GError        **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuLodBuilder, imu_lod_builder_free)

/* One decoded row of blocks. */
typedef struct {
  guint    n_blocks;
  guint    n_channels;
  gint64  *t_first;   /* [n_blocks] */
  gint64  *t_last;
  double **min;       /* [n_channels][n_blocks] */
  double **max;
} ImuLodRow;

ImuLodRow *imu_lod_row_read (ImuStore  *store,
                             gint64     stream_id,
                             guint      level,
                             gint64     seq,
                             guint      n_channels,
                             GError   **error);
void       imu_lod_row_free (ImuLodRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuLodRow, imu_lod_row_free)

gboolean   imu_lod_check    (ImuStore            *store,
                             const ImuStreamInfo *info,
                             GPtrArray           *problems,
                             GCancellable        *cancellable,
                             GError             **error);

G_END_DECLS
