/* imu-archive-input-stream.h — the current entry of a libarchive reader as a GInputStream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

struct archive;

#define IMU_TYPE_ARCHIVE_INPUT_STREAM (imu_archive_input_stream_get_type ())
G_DECLARE_FINAL_TYPE (ImuArchiveInputStream, imu_archive_input_stream, IMU, ARCHIVE_INPUT_STREAM, GInputStream)

/**
 * imu_archive_input_stream_new:
 * @archive: a reader positioned on an entry (after archive_read_next_header());
 *   borrowed: it must outlive the stream, and the stream must not be read
 *   after the reader moves to the next entry
 *
 * Reads the entry's data, decompressing as it goes. Blocking reads.
 */
GInputStream *imu_archive_input_stream_new (struct archive *archive);

G_END_DECLS
