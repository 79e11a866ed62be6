/* imu-library-hold.c — this process's hold on an open library
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * SQLite's unix VFS locks the database and its WAL index (-shm) with POSIX
 * record locks, which belong to the process, not to the descriptor: when
 * anything in the process closes any descriptor of the file, all the
 * process's locks on it are gone (https://sqlite.org/howtocorrupt.html,
 * §2.2). GTK's file chooser does exactly that when it lists the library's
 * folder (it opens files to sniff their content type). The next process
 * that closes the library then gets the exclusive lock, believes it is the
 * last user, checkpoints and deletes the WAL and its index; this process
 * goes on writing into deleted files and its commits are lost.
 *
 * Open file description locks (F_OFD_SETLK, Linux 3.15) belong to one open
 * file description and are released only when it is closed. They conflict
 * with classic record locks, of other processes and of this one alike. So
 * the process keeps, for as long as one of its connections is open on a
 * library, its own descriptors of the database and of the -shm file with
 * the same read locks SQLite takes there: the SHARED range of the database
 * (an exiting `imu` then cannot get EXCLUSIVE, so it neither checkpoints
 * nor deletes anything) and the DMS byte of the WAL index (another process
 * opening the library then does not reset the index under us). These are
 * the byte ranges of SQLite's os_unix.c (SHARED_FIRST/SHARED_SIZE and
 * UNIX_SHM_DMS), part of its documented file format (fileformat2.html,
 * "The Lock-Byte Page", and walformat.html, "The WAL-Index File Format").
 *
 * Before the process's last connection to a library closes, the hold
 * releases its locks, so that SQLite can checkpoint and remove the WAL as
 * usual; its descriptors are closed only after the connection is, since
 * closing them earlier would drop that connection's own locks.
 *
 * Not covered: the locks SQLite takes for one transaction (WAL write lock,
 * read marks) are lost if a foreign close happens during that transaction.
 */
#define G_LOG_DOMAIN "imu-store"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "imu-library-hold-private.h"

/* os_unix.c: the PENDING byte is at 1 GiB, RESERVED after it, then the
 * 510-byte SHARED range; the DMS ("dead man switch") byte of the WAL index
 * follows its 8 lock bytes at offset 120. */
#define HOLD_PENDING_BYTE 0x40000000
#define HOLD_SHARED_FIRST (HOLD_PENDING_BYTE + 2)
#define HOLD_SHARED_SIZE  510
#define HOLD_SHM_DMS      (120 + 8)
/* The WAL write lock: the first of the 8 lock bytes of the index. */
#define HOLD_SHM_WRITE    120

struct _ImuLibraryHold
{
  dev_t  dev;
  ino_t  ino;
  int    db_fd;
  int    shm_fd;
  guint  refs;
};

static GMutex lock;
static GHashTable *holds;    /* the holds, keyed by their own (dev, ino) */

static guint
hold_hash (gconstpointer p)
{
  const ImuLibraryHold *h = p;

  return (guint) h->ino ^ (guint) h->dev;
}

static gboolean
hold_equal (gconstpointer a, gconstpointer b)
{
  const ImuLibraryHold *x = a, *y = b;

  return x->dev == y->dev && x->ino == y->ino;
}

void
imu_library_hold_lock (void)
{
  g_mutex_lock (&lock);
}

void
imu_library_hold_unlock (void)
{
  g_mutex_unlock (&lock);
}

#ifdef F_OFD_SETLK
static gboolean
ofd_lock (int fd, short type, off_t start, off_t len)
{
  struct flock fl = { 0 };

  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  fl.l_start = start;
  fl.l_len = len;
  fl.l_pid = 0;    /* required for OFD locks */
  while (fcntl (fd, F_OFD_SETLK, &fl) != 0)
    {
      if (errno != EINTR)
        return FALSE;
    }
  return TRUE;
}
#endif

static int
open_for_hold (const char *path, const struct stat *expect)
{
  struct stat st;
  int fd = g_open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY, 0);

  if (fd < 0)
    return -1;
  /* The same file SQLite has open, not one that replaced it meanwhile. */
  if (expect != NULL && (fstat (fd, &st) != 0 || st.st_dev != expect->st_dev || st.st_ino != expect->st_ino))
    {
      close (fd);
      return -1;
    }
  return fd;
}

ImuLibraryHold *
imu_library_hold_acquire (const char *path)
{
  g_autofree char *shm_path = NULL;
  ImuLibraryHold key = { 0 };
  ImuLibraryHold *hold;
  struct stat st;

  g_return_val_if_fail (path != NULL, NULL);

  if (holds == NULL)
    holds = g_hash_table_new (hold_hash, hold_equal);

  if (g_stat (path, &st) != 0)
    {
      /* Cannot happen for a library SQLite just opened; an empty hold keeps
       * the reference counting simple. */
      hold = g_new0 (ImuLibraryHold, 1);
      hold->db_fd = hold->shm_fd = -1;
      hold->refs = 1;
      return hold;
    }
  key.dev = st.st_dev;
  key.ino = st.st_ino;
  if ((hold = g_hash_table_lookup (holds, &key)) != NULL)
    {
      hold->refs++;
      return hold;
    }

  hold = g_new0 (ImuLibraryHold, 1);
  hold->dev = st.st_dev;
  hold->ino = st.st_ino;
  hold->refs = 1;
  hold->db_fd = open_for_hold (path, &st);
  shm_path = g_strconcat (path, "-shm", NULL);
  hold->shm_fd = open_for_hold (shm_path, NULL);
#ifdef F_OFD_SETLK
  if (hold->db_fd >= 0 && !ofd_lock (hold->db_fd, F_RDLCK, HOLD_SHARED_FIRST, HOLD_SHARED_SIZE))
    g_debug ("%s: no hold on the database: %s", path, g_strerror (errno));
  if (hold->shm_fd >= 0 && !ofd_lock (hold->shm_fd, F_RDLCK, HOLD_SHM_DMS, 1))
    g_debug ("%s: no hold on the WAL index: %s", shm_path, g_strerror (errno));
#endif
  g_hash_table_add (holds, hold);
  return hold;
}

gboolean
imu_library_hold_release (ImuLibraryHold *hold)
{
  g_return_val_if_fail (hold != NULL && hold->refs > 0, FALSE);

  if (--hold->refs > 0)
    return FALSE;
  if (holds != NULL)
    g_hash_table_remove (holds, hold);
#ifdef F_OFD_SETLK
  /* Unlocking, unlike closing, leaves the connection's own locks alone. */
  if (hold->db_fd >= 0)
    ofd_lock (hold->db_fd, F_UNLCK, HOLD_SHARED_FIRST, HOLD_SHARED_SIZE);
  if (hold->shm_fd >= 0)
    ofd_lock (hold->shm_fd, F_UNLCK, HOLD_SHM_DMS, 1);
#endif
  return TRUE;
}

void
imu_library_hold_free (ImuLibraryHold *hold)
{
  if (hold == NULL)
    return;
  g_assert (hold->refs == 0);
  if (hold->db_fd >= 0)
    close (hold->db_fd);
  if (hold->shm_fd >= 0)
    close (hold->shm_fd);
  g_free (hold);
}

char *
imu_library_hold_dup_writer (ImuLibraryHold *hold)
{
  struct flock fl = { 0 };
  g_autofree char *proc = NULL;
  g_autofree char *cmdline = NULL;
  gsize len = 0;

  g_return_val_if_fail (hold != NULL, NULL);

  if (hold->shm_fd < 0)
    return NULL;
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  fl.l_start = HOLD_SHM_WRITE;
  fl.l_len = 1;
  if (fcntl (hold->shm_fd, F_GETLK, &fl) != 0 || fl.l_type == F_UNLCK || fl.l_pid <= 0)
    return NULL;

  proc = g_strdup_printf ("/proc/%d/cmdline", (int) fl.l_pid);
  if (g_file_get_contents (proc, &cmdline, &len, NULL) && len > 0)
    {
      /* NUL-separated arguments; the program by its base name. */
      g_autoptr(GString) words = g_string_new (NULL);
      gsize i = 0;

      for (guint n = 0; i < len && n < 6; n++)
        {
          const char *arg = cmdline + i;
          g_autofree char *base = n == 0 ? g_path_get_basename (arg) : NULL;

          if (words->len > 0)
            g_string_append_c (words, ' ');
          g_string_append (words, base != NULL ? base : arg);
          i += strlen (arg) + 1;
        }
      if (i < len)
        g_string_append (words, " …");
      /* One line, of a readable length, whatever the arguments hold. */
      for (gsize k = 0; k < words->len; k++)
        if ((guchar) words->str[k] < 0x20)
          words->str[k] = ' ';
      if (g_utf8_strlen (words->str, -1) > 80)
        {
          g_string_truncate (words, g_utf8_offset_to_pointer (words->str, 79) - words->str);
          g_string_append (words, "…");
        }
      /* TRANSLATORS: the program that writes to the library now: "process 1234 (imu import a.csv)" */
      return g_strdup_printf (_("process %d (%s)"), (int) fl.l_pid, words->str);
    }
  /* TRANSLATORS: the program that writes to the library now */
  return g_strdup_printf (_("process %d"), (int) fl.l_pid);
}
