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

/**
 * imu_archive_input_stream_set_limit:
 * @limit: the most bytes the stream may give, -1 for no limit
 *
 * A read past @limit fails (with %G_IO_ERROR_MESSAGE_TOO_LARGE) rather
 * than decompressing on: the caller's bound on what an archive may
 * inflate to. Does not block.
 */
void          imu_archive_input_stream_set_limit    (ImuArchiveInputStream *self,
                                                     gint64                 limit);

/* Bytes the stream gave so far; whether a read was refused for the limit. */
gint64        imu_archive_input_stream_get_bytes    (ImuArchiveInputStream *self);
gboolean      imu_archive_input_stream_over_limit   (ImuArchiveInputStream *self);

G_END_DECLS
