/* imu-sync-s3.h — S3-compatible object storage as a sync target (SigV4)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-sync-target.h"

G_BEGIN_DECLS

#define IMU_TYPE_SYNC_S3 (imu_sync_s3_get_type ())
G_DECLARE_FINAL_TYPE (ImuSyncS3, imu_sync_s3, IMU, SYNC_S3, ImuSyncTarget)

/* Size of a multipart upload's parts (S3 wants at least 5 MiB but for the
 * last); files up to this size go in one PUT. */
#define IMU_SYNC_S3_PART_SIZE (8 << 20)
/* Parts sent at once (each on its own connection). */
#define IMU_SYNC_S3_CONCURRENCY 4
/* S3 accepts at most this many parts: bigger files get bigger parts. */
#define IMU_SYNC_S3_MAX_PARTS 10000

/* UploadPart requests this process has sent (all instances): tests use it
 * to check that a resumed upload sends only the missing parts. */
guint    imu_sync_s3_get_upload_part_count (void);

/* Another part size (tests; S3 itself refuses parts under 5 MiB). Must be
 * called before the first put. */
void     imu_sync_s3_set_part_size         (ImuSyncS3    *self,
                                            guint         part_size);

/**
 * imu_sync_s3_abort_uploads:
 * @key: the object key (with the target's prefix)
 *
 * Aborts every unfinished multipart upload of @key
 * (ListMultipartUploads, then AbortMultipartUpload for each), so the
 * storage frees their parts: for a transfer that was cancelled for good.
 * imu_sync_target_remove() does this too. Blocking.
 *
 * Returns: the number of uploads aborted, -1 on error
 */
int      imu_sync_s3_abort_uploads         (ImuSyncS3     *self,
                                            const char    *key,
                                            GCancellable  *cancellable,
                                            GError       **error);

/**
 * imu_sync_s3_list_uploads:
 * @prefix: (nullable): only keys starting with it
 *
 * The unfinished multipart uploads (ListMultipartUploads), as
 * "key\nupload-id" strings. Blocking.
 *
 * Returns: (transfer full) (element-type utf8): the uploads, or %NULL on error
 */
GPtrArray *imu_sync_s3_list_uploads        (ImuSyncS3     *self,
                                            const char    *prefix,
                                            GCancellable  *cancellable,
                                            GError       **error);

G_END_DECLS
