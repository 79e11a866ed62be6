/* imu-library-hold-private.h — this process's hold on an open library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _ImuLibraryHold ImuLibraryHold;

/* Every ImuStore of the process opens and closes its connection with this
 * lock held, so that a connection of the process is never open on a library
 * without the process's hold (see imu-library-hold.c). */
void            imu_library_hold_lock    (void);
void            imu_library_hold_unlock  (void);

/* Takes a reference on the process's hold of the library at @path, whose
 * database a connection of this process has open in WAL mode: the first
 * reference takes the hold's locks. Never fails: where the system has no
 * open file description locks, the hold is an empty one. Call with the
 * lock held. */
ImuLibraryHold *imu_library_hold_acquire (const char     *path);
/* Drops a reference. Returns TRUE when it was the last one: the hold's
 * locks are released (the descriptors stay open), the caller closes its
 * connection and then calls imu_library_hold_free(). Call with the lock held. */
gboolean        imu_library_hold_release (ImuLibraryHold *hold);
void            imu_library_hold_free    (ImuLibraryHold *hold);

/* The process (pid and command line, "process 1234 (imu import a.csv)")
 * of another program that holds the library's write lock now, or NULL when
 * none does or it cannot be told (another connection of this process).
 * Uses the hold's own descriptor: opening the -shm file anew and closing it
 * would drop this process's locks on it. */
char           *imu_library_hold_dup_writer (ImuLibraryHold *hold);

G_END_DECLS
