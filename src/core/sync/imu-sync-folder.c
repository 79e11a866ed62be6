/* imu-sync-folder.c — a sync target that is a plain folder (USB stick, share)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The same layout as the cloud targets, as files: <folder>/<prefix>/
 * sessions/<uuid>/bundle.imub. A file is written under a temporary name,
 * synced and renamed, so a pulled stick never holds a half file under the
 * real name. The sha256 that cloud targets keep as metadata is computed
 * from the file when asked (folders have no portable metadata: FAT).
 */
#define G_LOG_DOMAIN "imu-sync"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "imu-sync-folder.h"

#define COPY_BLOCK (1 << 20)
#define TMP_MARK ".imu-tmp-"

struct _ImuSyncFolder
{
  ImuSyncTarget  parent_instance;
  char          *root;
};

G_DEFINE_FINAL_TYPE (ImuSyncFolder, imu_sync_folder, IMU_TYPE_SYNC_TARGET)

static gboolean
local_error (GError **error, int errsv, const char *what, const char *path)
{
  g_set_error (error, IMU_SYNC_ERROR, errsv == ENOENT ? IMU_SYNC_ERROR_NOT_FOUND : IMU_SYNC_ERROR_LOCAL,
               "%s: %s: %s", path, what, g_strerror (errsv));
  return FALSE;
}

static char *
key_path (ImuSyncFolder *self, const char *key)
{
  return g_build_filename (self->root, key, NULL);
}

static gboolean
sync_dir (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return FALSE;
  fsync (fd);
  close (fd);
  return TRUE;
}

/* Copies @from to @to through a temporary file next to @to. */
static gboolean
copy_file (const char *from, const char *to, ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (to);
  g_autofree char *base = g_path_get_basename (to);
  g_autofree char *tmp = NULL;
  g_autofree guint8 *buf = NULL;
  int in = -1, out = -1;
  guint64 done = 0;
  GStatBuf st;
  gboolean ok = FALSE;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    return local_error (error, errno, _("cannot create the folder"), dir);
  in = g_open (from, O_RDONLY | O_CLOEXEC, 0);
  if (in < 0)
    return local_error (error, errno, _("cannot open"), from);
  if (fstat (in, &st) == 0 && transfer != NULL)
    transfer->bytes_total = (guint64) st.st_size;
  tmp = g_strdup_printf ("%s/" TMP_MARK "%s-XXXXXX", dir, base);
  out = g_mkstemp (tmp);
  if (out < 0)
    {
      local_error (error, errno, _("cannot create a file"), dir);
      g_clear_pointer (&tmp, g_free);
      goto out;
    }
  buf = g_malloc (COPY_BLOCK);
  for (;;)
    {
      ssize_t n = read (in, buf, COPY_BLOCK);
      ssize_t off = 0;

      if (n == 0)
        break;
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          local_error (error, errno, _("cannot read"), from);
          goto out;
        }
      while (off < n)
        {
          ssize_t w = write (out, buf + off, (size_t) (n - off));

          if (w < 0)
            {
              if (errno == EINTR)
                continue;
              local_error (error, errno, _("cannot write"), tmp);
              goto out;
            }
          off += w;
        }
      done += (guint64) n;
      imu_sync_transfer_progress (transfer, done);
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
    }
  if (fsync (out) != 0)
    {
      local_error (error, errno, _("cannot write"), tmp);
      goto out;
    }
  close (out);
  out = -1;
  g_chmod (tmp, 0644);
  if (g_rename (tmp, to) != 0)
    {
      local_error (error, errno, _("cannot rename into place"), to);
      goto out;
    }
  g_clear_pointer (&tmp, g_free);
  sync_dir (dir);
  ok = TRUE;

out:
  if (in >= 0)
    close (in);
  if (out >= 0)
    close (out);
  if (tmp != NULL)
    g_unlink (tmp);
  return ok;
}

static gboolean
imu_sync_folder_setup (ImuSyncTarget *target, const char *secret, GError **error)
{
  ImuSyncFolder *self = IMU_SYNC_FOLDER (target);
  const ImuSyncTargetConfig *config = imu_sync_target_get_config (target);

  if (config->url == NULL || !g_path_is_absolute (config->url))
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                   _("the folder must be an absolute path, not “%s”"), config->url != NULL ? config->url : "");
      return FALSE;
    }
  self->root = g_strdup (config->url);
  return TRUE;
}

static gboolean
imu_sync_folder_put (ImuSyncTarget *target, const char *key, const char *local_path, const char *sha256,
                     const char *content_type, ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  ImuSyncFolder *self = IMU_SYNC_FOLDER (target);
  g_autofree char *path = key_path (self, key);

  if (!g_file_test (self->root, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND,
                   _("the folder %s is not there (is the drive plugged in?)"), self->root);
      return FALSE;
    }
  /* A local copy is cheap to redo: a put starts over. */
  return copy_file (local_path, path, transfer, cancellable, error);
}

static gboolean
imu_sync_folder_get (ImuSyncTarget *target, const char *key, const char *local_path,
                     ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error)
{
  ImuSyncFolder *self = IMU_SYNC_FOLDER (target);
  g_autofree char *path = key_path (self, key);

  return copy_file (path, local_path, transfer, cancellable, error);
}

static ImuSyncObject *
imu_sync_folder_head (ImuSyncTarget *target, const char *key, GCancellable *cancellable, GError **error)
{
  ImuSyncFolder *self = IMU_SYNC_FOLDER (target);
  g_autofree char *path = key_path (self, key);
  g_autoptr(ImuSyncObject) object = NULL;
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      local_error (error, errno, _("cannot read"), path);
      return NULL;
    }
  object = g_new0 (ImuSyncObject, 1);
  object->key = g_strdup (key);
  object->size = st.st_size;
  object->modified_us = (gint64) st.st_mtime * G_USEC_PER_SEC;
  if (!(object->sha256 = imu_sync_sha256_file (path, cancellable, error)))
    return NULL;
  return g_steal_pointer (&object);
}

static void
collect (const char *dir, const char *rel, GPtrArray *out)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *key = *rel != '\0' ? g_strconcat (rel, "/", name, NULL) : g_strdup (name);
      GStatBuf st;

      if (g_str_has_prefix (name, TMP_MARK) || g_lstat (path, &st) != 0 || S_ISLNK (st.st_mode))
        continue;
      if (S_ISDIR (st.st_mode))
        collect (path, key, out);
      else if (S_ISREG (st.st_mode))
        {
          ImuSyncObject *o = g_new0 (ImuSyncObject, 1);

          o->key = g_steal_pointer (&key);
          o->size = st.st_size;
          o->modified_us = (gint64) st.st_mtime * G_USEC_PER_SEC;
          g_ptr_array_add (out, o);
        }
    }
}

static GPtrArray *
imu_sync_folder_list (ImuSyncTarget *target, const char *prefix, GCancellable *cancellable, GError **error)
{
  ImuSyncFolder *self = IMU_SYNC_FOLDER (target);
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_object_free);
  g_autoptr(GPtrArray) matching = NULL;

  if (!g_file_test (self->root, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_unref (all);
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND,
                   _("the folder %s is not there (is the drive plugged in?)"), self->root);
      return NULL;
    }
  collect (self->root, "", all);
  matching = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_object_free);
  for (guint i = 0; i < all->len; i++)
    {
      ImuSyncObject *o = g_ptr_array_index (all, i);

      if (prefix == NULL || g_str_has_prefix (o->key, prefix))
        g_ptr_array_add (matching, imu_sync_object_copy (o));
    }
  g_ptr_array_unref (all);
  return g_steal_pointer (&matching);
}

static gboolean
imu_sync_folder_remove (ImuSyncTarget *target, const char *key, GCancellable *cancellable, GError **error)
{
  ImuSyncFolder *self = IMU_SYNC_FOLDER (target);
  g_autofree char *path = key_path (self, key);

  if (g_unlink (path) != 0 && errno != ENOENT)
    return local_error (error, errno, _("cannot delete"), path);
  return TRUE;
}

/* The temporary files copy_file() leaves when the process dies in the
 * middle of a put (a cancelled put removes its own). */
static gboolean
imu_sync_folder_abort (ImuSyncTarget *target, const char *key, const char *resume_json,
                       GCancellable *cancellable, GError **error)
{
  ImuSyncFolder *self = IMU_SYNC_FOLDER (target);
  g_autofree char *path = key_path (self, key);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *mark = g_strdup_printf (TMP_MARK "%s-", base);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  /* No folder: nothing was ever written there. */
  if (d == NULL)
    return TRUE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *tmp = NULL;

      /* mkstemp's XXXXXX: exactly six characters after the mark. */
      if (!g_str_has_prefix (name, mark) || strlen (name) != strlen (mark) + 6)
        continue;
      tmp = g_build_filename (dir, name, NULL);
      if (g_unlink (tmp) != 0 && errno != ENOENT)
        return local_error (error, errno, _("cannot delete"), tmp);
    }
  return TRUE;
}

static gboolean
imu_sync_folder_test (ImuSyncTarget *target, ImuSyncTestReport *report, GCancellable *cancellable, GError **error)
{
  ImuSyncFolder *self = IMU_SYNC_FOLDER (target);
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *probe_src = NULL;
  g_autofree char *uuid = g_uuid_string_random ();
  g_autofree char *key = g_strdup_printf (".imu-probe-%s", uuid);
  int fd;

  imu_sync_test_report_add (report, _("folder: %s"), self->root);
  if (!(list = imu_sync_folder_list (target, NULL, cancellable, &local_error)))
    {
      imu_sync_test_report_add (report, _("list: failed: %s"), local_error->message);
      report->ok = FALSE;
      return TRUE;
    }
  imu_sync_test_report_add (report, _("list: ok (%u files)"), list->len);
  fd = g_file_open_tmp ("imu-probe-XXXXXX", &probe_src, error);
  if (fd < 0)
    return FALSE;
  (void) !write (fd, "probe\n", 6);
  close (fd);
  imu_sync_folder_put (target, key, probe_src, NULL, "text/plain", NULL, cancellable, &local_error);
  if (imu_sync_test_report_probe (report, target, key, local_error, cancellable))
    imu_sync_test_report_add (report, _("write and delete a probe file: ok"));
  g_unlink (probe_src);
  return TRUE;
}

static void
imu_sync_folder_finalize (GObject *object)
{
  g_free (IMU_SYNC_FOLDER (object)->root);
  G_OBJECT_CLASS (imu_sync_folder_parent_class)->finalize (object);
}

static void
imu_sync_folder_class_init (ImuSyncFolderClass *klass)
{
  ImuSyncTargetClass *target_class = IMU_SYNC_TARGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = imu_sync_folder_finalize;
  target_class->setup = imu_sync_folder_setup;
  target_class->put = imu_sync_folder_put;
  target_class->get = imu_sync_folder_get;
  target_class->head = imu_sync_folder_head;
  target_class->list = imu_sync_folder_list;
  target_class->remove = imu_sync_folder_remove;
  target_class->test = imu_sync_folder_test;
  target_class->abort = imu_sync_folder_abort;
}

static void
imu_sync_folder_init (ImuSyncFolder *self)
{
}
