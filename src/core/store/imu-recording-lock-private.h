/* imu-recording-lock-private.h — a live recording's lock, and recovery
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-store.h"

G_BEGIN_DECLS

/* The lock file of the recording of session @uuid in the library at
 * @library_path: "<library>-rec-<uuid>.lock", next to the library. */
char     *imu_recording_lock_path   (const char  *library_path,
                                     const char  *uuid);

/**
 * imu_recording_lock_acquire:
 *
 * Creates the lock file of the recording of @uuid and takes an exclusive
 * flock() on it, which the kernel drops when the process dies, however it
 * dies. Take it before the session row is committed in state `recording`.
 *
 * Returns: the descriptor that holds the lock (give it to
 *   imu_recording_lock_release()), or -1 with @error set when another
 *   process records the session now or the file cannot be made
 */
int       imu_recording_lock_acquire (const char  *library_path,
                                      const char  *uuid,
                                      GError     **error);
/* Removes the lock file and drops the lock (closing @fd). */
void      imu_recording_lock_release (const char  *library_path,
                                      const char  *uuid,
                                      int          fd);

/**
 * imu_store_recover_recordings:
 *
 * Marks `interrupted` every session in state `recording` whose recording
 * process is gone (its lock file is missing or nobody holds its lock).
 * What its last commit wrote stays as it is: its chunks, envelopes and
 * stream rows were committed together. The store calls it on open.
 * Blocking.
 *
 * Returns: the number of sessions recovered, or -1 with @error set
 */
int       imu_store_recover_recordings (ImuStore  *self,
                                        GError   **error);

G_END_DECLS
