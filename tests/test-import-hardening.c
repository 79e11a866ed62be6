/* test-import-hardening.c — inputs that are not plain files, that change, or that inflate
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Pipes and FIFOs (as the path, and inside a folder), a file that shrinks
 * while it is imported, an unreadable subfolder, a zip of thousands of
 * small CSV files (memory) and a zip bomb of newlines. Tests that used to
 * hang are bounded by alarm(): a regression fails in seconds instead of
 * waiting for meson's timeout.
 */
#define G_LOG_DOMAIN "test-import-hardening"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>

#include "imu-bundle.h"
#include "imu-core.h"
#include "imu-test-util.h"

#define HANG_SECONDS 20

static ImuStore *
new_library (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib = g_build_filename (dir, "library.db", NULL);
  ImuStore *store = imu_store_open (lib, &error);

  g_assert_no_error (error);
  return store;
}

static char *
write_in (const char *dir, const char *name, const char *text)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, &error));
  g_assert_no_error (error);
  return path;
}

static char *
notes_of (ImuStore *store, gint64 id)
{
  g_autoptr(ImuSession) session = imu_store_load_session (store, id, NULL);

  g_assert_nonnull (session);
  return g_strdup (imu_session_get_notes (session));
}

#define SMALL_CSV "time,x,y,z\n1700000000.00,1,2,3\n1700000000.01,4,5,6\n1700000000.02,7,8,9\n"

/* A FIFO as the path: refused at once with a reason, by the import, the
 * detection and the bundle reader alike, and the library is unchanged. */
static void
test_fifo_path (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *fifo = g_build_filename (dir, "live.csv", NULL);
  g_autoptr(ImuStore) store = new_library (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(ImuBundleInfo) info = NULL;
  g_autofree char *format = NULL;
  g_autofree char *expected = NULL;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  alarm (HANG_SECONDS);

  result = imu_import_path (store, fifo, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ);
  expected = g_strdup_printf ("%s: not a regular file but a pipe (FIFO); IMU Studio imports files and folders. "
                              "Save the data to a file first (for example `cat … > data.csv`).", fifo);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 0);

  /* Forcing a format does not get past the check. */
  {
    ImuImportOptions options = { .format = "csv" };

    result = imu_import_path (store, fifo, &options, NULL, NULL, NULL, NULL, &error);
    g_assert_null (result);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ);
    g_clear_error (&error);
  }

  format = imu_import_detect (fifo, &error);
  g_assert_null (format);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ);
  g_clear_error (&error);

  /* A pulled bundle's path that is a FIFO is not waited on either. */
  info = imu_bundle_verify (fifo, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_READ);
  g_clear_error (&error);
  info = imu_bundle_peek (fifo, NULL, &error);
  g_assert_null (info);
  g_assert_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_READ);
  g_assert_false (imu_bundle_sniff (fifo));
  alarm (0);
}

/* `imu import <(cat f.csv)`: a pipe at /dev/fd/N with data in it. Reading
 * it twice (hash and parse) kept a random part of the rows; it is refused
 * instead, and no row lands. */
static void
test_process_substitution (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(ImuStore) store = new_library (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autofree char *path = NULL;
  int fds[2];

  g_assert_cmpint (pipe (fds), ==, 0);
  g_assert_cmpint (write (fds[1], SMALL_CSV, strlen (SMALL_CSV)), ==, (gssize) strlen (SMALL_CSV));
  close (fds[1]);
  path = g_strdup_printf ("/dev/fd/%d", fds[0]);
  alarm (HANG_SECONDS);

  result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ);
  g_assert_nonnull (strstr (error->message, "not a regular file but a pipe (FIFO)"));
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 0);
  alarm (0);
  close (fds[0]);
}

/* A FIFO inside a folder is skipped with a note; the other files land. */
static void
test_fifo_in_folder (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "export", NULL);
  g_autofree char *fifo = g_build_filename (folder, "b.csv", NULL);
  g_autofree char *csv = NULL;
  g_autofree char *notes = NULL;
  g_autoptr(ImuStore) store = new_library (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = NULL;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  csv = write_in (folder, "a.csv", SMALL_CSV);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  alarm (HANG_SECONDS);

  result = imu_import_path (store, folder, NULL, NULL, NULL, NULL, NULL, &error);
  alarm (0);
  g_assert_no_error (error);
  g_assert_cmpint (result->rows, ==, 3);
  notes = notes_of (store, result->session_id);
  g_assert_nonnull (strstr (notes, "Not imported: b.csv: not a regular file (a pipe, a device or a socket)"));
}

/* A file that shrinks while it is imported: the session's sha256 and size
 * are those of the bytes that were parsed, so the complete file is later
 * imported as what it is, not refused as a duplicate. */
typedef struct {
  const char *path;
  gsize       keep;
  gboolean    done;
} Shrink;

static void
shrink_cb (guint64 done, guint64 total, gpointer data)
{
  Shrink *s = data;

  if (!s->done)
    {
      g_assert_cmpint (truncate (s->path, (off_t) s->keep), ==, 0);
      s->done = TRUE;
    }
}

static void
test_shrinking_file (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(ImuStore) store = new_library (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(ImuImportResult) again = NULL;
  g_autoptr(GString) text = g_string_new ("time,x,y,z\n");
  g_autofree char *path = NULL;
  g_autofree char *prefix_sha = NULL;
  g_autofree char *whole_sha = NULL;
  Shrink s = { 0 };
  gint64 rows_kept = 0;
  const int n = 200000;   /* ~8 MiB: read in many buffers, parsed on a thread */

  for (int i = 0; i < n; i++)
    {
      g_string_append_printf (text, "%d.%02d,%d,%d,%d\n", 1700000000 + i / 100, i % 100, i, i + 1, i + 2);
      /* The cut: at a line end past 6 MiB, after the reader's first
       * buffers and the first progress report (every MiB). */
      if (s.keep == 0 && text->len >= (6 << 20))
        {
          s.keep = text->len;
          rows_kept = i + 1;
        }
    }
  path = write_in (dir, "shrinks.csv", text->str);
  prefix_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text->str, s.keep);
  whole_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text->str, text->len);
  s.path = path;

  result = imu_import_path (store, path, NULL, shrink_cb, &s, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (s.done);
  g_assert_cmpint (result->rows, ==, rows_kept);
  g_assert_cmpint (result->bytes, ==, (gint64) s.keep);
  g_assert_cmpstr (result->sha256, ==, prefix_sha);

  /* The whole file again: its own bytes, a new session. */
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  again = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (again->sha256, ==, whole_sha);
  g_assert_cmpint (again->rows, ==, n);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 2);
}

/* The same in a folder: the folder's checksum is made of its files' paths
 * and the sha256 of the bytes parsed, so the shrunk file counts as the
 * prefix that was read (worked out here with GChecksum). */
static void
test_shrinking_file_in_folder (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "export", NULL);
  g_autoptr(ImuStore) store = new_library (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GString) text = g_string_new ("time,x,y,z\n");
  g_autoptr(GChecksum) identity = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree char *path = NULL;
  g_autofree char *prefix_sha = NULL;
  Shrink s = { 0 };
  gint64 rows_kept = 0;
  const int n = 200000;

  for (int i = 0; i < n; i++)
    {
      g_string_append_printf (text, "%d.%02d,%d,%d,%d\n", 1700000000 + i / 100, i % 100, i, i + 1, i + 2);
      if (s.keep == 0 && text->len >= (6 << 20))
        {
          s.keep = text->len;
          rows_kept = i + 1;
        }
    }
  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  path = g_build_filename (folder, "shrinks.csv", NULL);
  g_assert_true (g_file_set_contents (path, text->str, (gssize) text->len, NULL));
  prefix_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) text->str, s.keep);
  g_checksum_update (identity, (const guchar *) "shrinks.csv", strlen ("shrinks.csv") + 1);
  g_checksum_update (identity, (const guchar *) prefix_sha, strlen (prefix_sha));
  g_checksum_update (identity, (const guchar *) "\n", 1);
  s.path = path;

  result = imu_import_path (store, folder, NULL, shrink_cb, &s, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (s.done);
  g_assert_cmpint (result->rows, ==, rows_kept);
  g_assert_cmpstr (result->sha256, ==, g_checksum_get_string (identity));
}

/* An unreadable subfolder is left out with a note. Permissions do not bind
 * root, so the import runs in a subprocess as nobody when the tests run as
 * root. */
static void
test_unreadable_subfolder (void)
{
  if (g_test_subprocess ())
    {
      const char *dir = g_getenv ("IMU_TEST_HARDENING_DIR");
      g_autofree char *folder = g_build_filename (dir, "export", NULL);
      g_autoptr(ImuStore) store = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(ImuImportResult) result = NULL;
      g_autofree char *notes = NULL;

      if (geteuid () == 0)
        g_assert_cmpint (setresuid (65534, 65534, 65534), ==, 0);
      store = new_library (dir);
      result = imu_import_path (store, folder, NULL, NULL, NULL, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (result->rows, ==, 3);
      notes = notes_of (store, result->session_id);
      g_assert_nonnull (strstr (notes, "Not imported: locked/: the folder cannot be read: "));
      return;
    }
  else
    {
      g_autofree char *dir = imu_test_tmpdir ();
      g_autofree char *folder = g_build_filename (dir, "export", NULL);
      g_autofree char *locked = g_build_filename (folder, "locked", NULL);
      g_autofree char *a = NULL, *b = NULL;

      g_assert_cmpint (g_chmod (dir, 0777), ==, 0);
      g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
      g_assert_cmpint (g_mkdir (locked, 0755), ==, 0);
      a = write_in (folder, "a.csv", SMALL_CSV);
      b = write_in (locked, "b.csv", SMALL_CSV);
      g_assert_cmpint (g_chmod (locked, 0), ==, 0);
      g_setenv ("IMU_TEST_HARDENING_DIR", dir, TRUE);
      g_test_trap_subprocess (NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_chmod (locked, 0755);
      g_test_trap_assert_passed ();
    }
}

/* ---- archives ---- */

static void
zip_add (struct archive *a, const char *name, const void *data, gsize len)
{
  struct archive_entry *ae = archive_entry_new ();

  archive_entry_set_pathname (ae, name);
  archive_entry_set_filetype (ae, AE_IFREG);
  archive_entry_set_perm (ae, 0644);
  archive_entry_set_size (ae, (la_int64_t) len);
  g_assert_cmpint (archive_write_header (a, ae), ==, ARCHIVE_OK);
  if (len > 0)
    g_assert_cmpint (archive_write_data (a, data, len), ==, (la_ssize_t) len);
  archive_entry_free (ae);
}

static struct archive *
zip_open (const char *path)
{
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  return a;
}

static void
zip_close (struct archive *a)
{
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

/* A zip of @n CSV files of 3 rows each. */
static char *
small_csvs_zip (const char *dir, guint n)
{
  g_autofree char *name = g_strdup_printf ("many-%u.zip", n);
  char *path = g_build_filename (dir, name, NULL);
  struct archive *a = zip_open (path);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *entry = g_strdup_printf ("s%05u.csv", i);
      g_autofree char *csv = g_strdup_printf ("time,x,y,z\n%u.00,1,2,3\n%u.01,4,5,6\n%u.02,7,8,9\n",
                                              1700000000 + i, 1700000000 + i, 1700000000 + i);

      zip_add (a, entry, csv, strlen (csv));
    }
  zip_close (a);
  return path;
}

/* Imports @zip in a child process; returns its peak resident size (KiB)
 * and checks that every file landed. */
static long
peak_rss_of_import (const char *dir, const char *zip, guint n)
{
  int fds[2];
  pid_t pid;
  long kib = 0;
  int status = 0;

  g_assert_cmpint (pipe (fds), ==, 0);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      g_autofree char *libdir = g_strdup_printf ("%s/lib-%u", dir, n);
      g_autoptr(GError) error = NULL;
      ImuImportResult *result;
      ImuStore *store;
      struct rusage ru;
      int ok;

      close (fds[0]);
      g_mkdir (libdir, 0755);
      store = new_library (libdir);
      result = imu_import_path (store, zip, NULL, NULL, NULL, NULL, NULL, &error);
      ok = result != NULL && result->rows == (gint64) n * 3;
      getrusage (RUSAGE_SELF, &ru);
      kib = ok ? ru.ru_maxrss : -1;
      if (write (fds[1], &kib, sizeof kib) != sizeof kib)
        _exit (2);
      /* _exit: the parent's atexit handlers (its temporary folders) are
       * not the child's to run. */
      _exit (0);
    }
  close (fds[1]);
  g_assert_cmpint (read (fds[0], &kib, sizeof kib), ==, sizeof kib);
  close (fds[0]);
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  g_assert_cmpint (kib, >, 0);
  return kib;
}

/* Memory stays flat in the number of archive members: 2000 files take at
 * most 48 MiB more than 200 (each member's stream writer, ~260 KiB, used
 * to be kept until the end: ~460 MiB more). */
static void
test_archive_memory (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *few = small_csvs_zip (dir, 200);
  g_autofree char *many = small_csvs_zip (dir, 2000);
  long rss_few = peak_rss_of_import (dir, few, 200);
  long rss_many = peak_rss_of_import (dir, many, 2000);

  g_test_message ("peak RSS: %ld KiB for 200 files, %ld KiB for 2000", rss_few, rss_many);
  g_assert_cmpint (rss_many - rss_few, <, 48 * 1024);
}

/* A zip of 100 MiB of newlines (about 100 KiB) inflates past the limit
 * (200 × its size + 64 MiB ≈ 84 MiB): refused before its data is read. */
static void
test_archive_bomb (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *path = g_build_filename (dir, "bomb.zip", NULL);
  g_autoptr(ImuStore) store = new_library (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autofree char *nl = g_malloc (1 << 20);
  struct archive *a = zip_open (path);
  struct archive_entry *ae = archive_entry_new ();
  const gsize header = strlen ("time,x\n");
  gint64 limit;
  GStatBuf st;
  gint64 t0;

  memset (nl, '\n', 1 << 20);
  archive_entry_set_pathname (ae, "data.csv");
  archive_entry_set_filetype (ae, AE_IFREG);
  archive_entry_set_perm (ae, 0644);
  archive_entry_set_size (ae, (la_int64_t) (header + (G_GINT64_CONSTANT (100) << 20)));
  g_assert_cmpint (archive_write_header (a, ae), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_data (a, "time,x\n", header), ==, (la_ssize_t) header);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpint (archive_write_data (a, nl, 1 << 20), ==, 1 << 20);
  archive_entry_free (ae);
  zip_close (a);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  limit = (gint64) st.st_size * 200 + (G_GINT64_CONSTANT (64) << 20);
  g_assert_cmpint (limit, <, G_GINT64_CONSTANT (100) << 20);

  t0 = g_get_monotonic_time ();
  result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_null (result);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "data.csv"));
  g_test_message ("%s (%.2f s)", error->message, (double) (g_get_monotonic_time () - t0) / G_USEC_PER_SEC);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/import/hardening/fifo-path", test_fifo_path);
  g_test_add_func ("/core/import/hardening/process-substitution", test_process_substitution);
  g_test_add_func ("/core/import/hardening/fifo-in-folder", test_fifo_in_folder);
  g_test_add_func ("/core/import/hardening/shrinking-file", test_shrinking_file);
  g_test_add_func ("/core/import/hardening/shrinking-file-in-folder", test_shrinking_file_in_folder);
  g_test_add_func ("/core/import/hardening/unreadable-subfolder", test_unreadable_subfolder);
  g_test_add_func ("/core/import/hardening/archive-memory", test_archive_memory);
  g_test_add_func ("/core/import/hardening/archive-bomb", test_archive_bomb);
  return g_test_run ();
}
