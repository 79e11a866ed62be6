/* imu-recording-lock.c — a live recording's lock, and recovery
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A session in state `recording` is either being written now or was left
 * so by a process that died (a crash, SIGKILL, a pulled battery). To tell
 * the two apart without a timeout, each recording holds an exclusive
 * flock() on a lock file of its own next to the library. flock() locks
 * belong to the open file description: the kernel drops them when the
 * process ends, however it ends, and they do not interact with the POSIX
 * record locks SQLite and the process's hold take on the library itself.
 * Whoever opens the library next and can take the lock knows that nobody
 * records that session any more.
 */
#define G_LOG_DOMAIN "imu-store"

#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "imu-recording-lock-private.h"
#include "imu-store-private.h"

char *
imu_recording_lock_path (const char *library_path,
                         const char *uuid)
{
  g_return_val_if_fail (library_path != NULL && uuid != NULL, NULL);

  return g_strdup_printf ("%s-rec-%s.lock", library_path, uuid);
}

int
imu_recording_lock_acquire (const char  *library_path,
                            const char  *uuid,
                            GError     **error)
{
  g_autofree char *path = imu_recording_lock_path (library_path, uuid);
  int fd;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_OPEN,
                   _("Cannot create the recording’s lock file %s: %s"), path, g_strerror (errsv));
      return -1;
    }
  while (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int errsv = errno;

      if (errsv == EINTR)
        continue;
      close (fd);
      if (errsv == EWOULDBLOCK)
        g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_BUSY,
                     _("Session %s is being recorded by another program."), uuid);
      else
        g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_OPEN,
                     _("Cannot lock the recording’s lock file %s: %s"), path, g_strerror (errsv));
      return -1;
    }
  return fd;
}

void
imu_recording_lock_release (const char *library_path,
                            const char *uuid,
                            int         fd)
{
  g_autofree char *path = NULL;

  if (fd < 0)
    return;
  /* Unlinked while still locked: a recoverer that opened the file a moment
   * ago either fails to lock it or locks a file nobody will look at again. */
  path = imu_recording_lock_path (library_path, uuid);
  g_unlink (path);
  close (fd);
}

/* Whether a live process holds the lock of the recording of @uuid. */
static gboolean
recording_is_alive (const char *library_path,
                    const char *uuid)
{
  g_autofree char *path = imu_recording_lock_path (library_path, uuid);
  int fd = g_open (path, O_RDWR | O_CLOEXEC | O_NOCTTY, 0);
  int rc;

  if (fd < 0)
    return FALSE;
  while ((rc = flock (fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR)
    ;
  if (rc != 0)
    {
      close (fd);
      return TRUE;
    }
  /* Nobody held it: the recorder is gone. The file goes with our lock. */
  g_unlink (path);
  close (fd);
  return FALSE;
}

int
imu_store_recover_recordings (ImuStore  *self,
                              GError   **error)
{
  g_autoptr(GArray) dead = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *library_path;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (IMU_IS_STORE (self), -1);

  library_path = imu_store_get_path (self);
  if (!(stmt = imu_store_prepare (self, "SELECT id, uuid FROM sessions WHERE state = 'recording'", error)))
    return -1;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);
      const char *uuid = (const char *) sqlite3_column_text (stmt, 1);

      if (uuid == NULL || !recording_is_alive (library_path, uuid))
        g_array_append_val (dead, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      imu_store_fail (self, rc, "looking for interrupted recordings", error);
      return -1;
    }
  if (dead->len == 0)
    return 0;

  if (!imu_store_begin (self, error))
    return -1;
  for (guint i = 0; i < dead->len; i++)
    {
      /* Only a session still `recording`: another process may have
       * recovered or resumed it since the SELECT. */
      if (!(stmt = imu_store_prepare (self,
                                      "UPDATE sessions SET state = 'interrupted', updated_us = ?2 "
                                      "WHERE id = ?1 AND state = 'recording'", error)))
        {
          imu_store_rollback (self);
          return -1;
        }
      sqlite3_bind_int64 (stmt, 1, g_array_index (dead, gint64, i));
      sqlite3_bind_int64 (stmt, 2, g_get_real_time ());
      rc = sqlite3_step (stmt);
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        {
          imu_store_fail (self, rc, "marking a recording interrupted", error);
          imu_store_rollback (self);
          return -1;
        }
      g_debug ("session %" G_GINT64_FORMAT " was left recording by a program that is gone: now interrupted",
                 g_array_index (dead, gint64, i));
    }
  if (!imu_store_commit (self, error))
    {
      imu_store_rollback (self);
      return -1;
    }
  return (int) dead->len;
}
