/* imu-sync-azure.h — Azure Blob Storage as a sync target (SAS or Shared Key)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-sync-target.h"

G_BEGIN_DECLS

#define IMU_TYPE_SYNC_AZURE (imu_sync_azure_get_type ())
G_DECLARE_FINAL_TYPE (ImuSyncAzure, imu_sync_azure, IMU, SYNC_AZURE, ImuSyncTarget)

/* Block size of Put Block. */
#define IMU_SYNC_AZURE_BLOCK_SIZE (4 << 20)
/* Blocks sent at the same time (each on its own connection). */
#define IMU_SYNC_AZURE_PARALLEL_BLOCKS 4

/* Put Block requests this process has sent (all instances): tests use it
 * to check that a resumed upload sends only the missing blocks. */
guint imu_sync_azure_get_put_block_count (void);

/**
 * imu_sync_azure_parse_sas:
 * @sas: a SAS token ("sv=…&sp=…&sig=…", with or without "?")
 * @permissions: (out) (optional): sp=, spelled out ("read, write, list")
 * @resource: (out) (optional): sr= spelled out ("container", "blob"…)
 * @expiry: (out) (optional): se= as written
 *
 * Describes a SAS token for `imu target test` (never its signature).
 * Returns FALSE when @sas has no sig=.
 */
gboolean imu_sync_azure_parse_sas (const char  *sas,
                                   char       **permissions,
                                   char       **resource,
                                   char       **expiry);

G_END_DECLS
