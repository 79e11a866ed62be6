/* imu-sync-backup.c — library backups kept on a sync target
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-sync"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <zstd.h>

#include "imu-store-ops.h"
#include "imu-sync-backup.h"

#define BACKUP_NAME_PREFIX "library-"
#define BACKUP_NAME_SUFFIX ".db.zst"
/* "20261207T183000Z" */
#define BACKUP_TIME_LEN 16
/* zstd's level 3 (its default): about as fast as the disk, and SQLite's
 * pages of encoded chunks compress little more at higher levels. */
#define BACKUP_ZSTD_LEVEL 3

void
imu_sync_backup_free (ImuSyncBackup *backup)
{
  if (backup == NULL)
    return;
  g_free (backup->name);
  g_free (backup->key);
  g_free (backup);
}

static gboolean
set_errno_error (GError **error, const char *path)
{
  int errsv = errno;

  g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, "%s: %s", path, g_strerror (errsv));
  return FALSE;
}

/* A temporary folder beside @near (same file system: a library of many
 * GB is not copied into a small /tmp). */
static char *
make_work_dir (const char *near, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (near);
  g_autofree char *tmpl = g_build_filename (dir, ".imu-backup-XXXXXX", NULL);

  if (g_mkdtemp (tmpl) == NULL)
    {
      set_errno_error (error, tmpl);
      return NULL;
    }
  return g_steal_pointer (&tmpl);
}

static void
remove_work_dir (const char *dir)
{
  g_autoptr(GDir) d = NULL;
  const char *entry;

  if (dir == NULL || !(d = g_dir_open (dir, 0, NULL)))
    return;
  while ((entry = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* zstd stream of @in into @out (compress) or back (decompress). */
static gboolean
zstd_file (const char *in_path, const char *out_path, gboolean compress,
           GCancellable *cancellable, GError **error)
{
  g_autofree guint8 *in_buf = NULL;
  g_autofree guint8 *out_buf = NULL;
  gsize in_size = compress ? ZSTD_CStreamInSize () : ZSTD_DStreamInSize ();
  gsize out_size = compress ? ZSTD_CStreamOutSize () : ZSTD_DStreamOutSize ();
  ZSTD_CCtx *cctx = NULL;
  ZSTD_DCtx *dctx = NULL;
  FILE *in = NULL, *out = NULL;
  gboolean ok = FALSE, eof = FALSE;
  size_t last = 1;

  if (!(in = g_fopen (in_path, "rb")))
    return set_errno_error (error, in_path);
  if (!(out = g_fopen (out_path, "wbx")))
    {
      set_errno_error (error, out_path);
      fclose (in);
      return FALSE;
    }
  in_buf = g_malloc (in_size);
  out_buf = g_malloc (out_size);
  if (compress)
    {
      cctx = ZSTD_createCCtx ();
      ZSTD_CCtx_setParameter (cctx, ZSTD_c_compressionLevel, BACKUP_ZSTD_LEVEL);
      ZSTD_CCtx_setParameter (cctx, ZSTD_c_checksumFlag, 1);
    }
  else
    dctx = ZSTD_createDCtx ();

  while (!eof)
    {
      size_t n = fread (in_buf, 1, in_size, in);
      ZSTD_inBuffer input = { in_buf, n, 0 };
      gboolean finished = FALSE;

      if (ferror (in))
        {
          set_errno_error (error, in_path);
          goto out;
        }
      eof = n < in_size;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        goto out;
      while (!finished)
        {
          ZSTD_outBuffer output = { out_buf, out_size, 0 };
          size_t rc;

          if (compress)
            {
              rc = ZSTD_compressStream2 (cctx, &output, &input, eof ? ZSTD_e_end : ZSTD_e_continue);
              finished = eof ? rc == 0 : input.pos == input.size;
            }
          else
            {
              rc = ZSTD_decompressStream (dctx, &output, &input);
              last = rc;
              finished = input.pos == input.size && output.pos < output.size;
            }
          if (ZSTD_isError (rc))
            {
              g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
                           compress ? _("%s: cannot compress it (%s)") : _("%s: cannot decompress it (%s)"),
                           in_path, ZSTD_getErrorName (rc));
              goto out;
            }
          if (fwrite (out_buf, 1, output.pos, out) != output.pos)
            {
              set_errno_error (error, out_path);
              goto out;
            }
        }
    }
  if (!compress && last != 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
                   _("%s: the compressed backup is cut short"), in_path);
      goto out;
    }
  if (fflush (out) != 0 || fsync (fileno (out)) != 0)
    {
      set_errno_error (error, out_path);
      goto out;
    }
  ok = TRUE;

out:
  ZSTD_freeCCtx (cctx);
  ZSTD_freeDCtx (dctx);
  fclose (in);
  if (fclose (out) != 0 && ok)
    ok = set_errno_error (error, out_path);
  if (!ok)
    g_unlink (out_path);
  return ok;
}

/* Time of a backup's name, or -1 when @name is not one. */
static gint64
backup_name_time (const char *name)
{
  g_autofree char *iso = NULL;
  g_autoptr(GDateTime) dt = NULL;
  const char *t;

  if (!g_str_has_prefix (name, BACKUP_NAME_PREFIX) || !g_str_has_suffix (name, BACKUP_NAME_SUFFIX)
      || strlen (name) != strlen (BACKUP_NAME_PREFIX) + BACKUP_TIME_LEN + strlen (BACKUP_NAME_SUFFIX))
    return -1;
  t = name + strlen (BACKUP_NAME_PREFIX);
  /* 20261207T183000Z → 2026-12-07T18:30:00Z */
  iso = g_strdup_printf ("%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", t, t + 4, t + 6, t + 9, t + 11, t + 13);
  if (!(dt = g_date_time_new_from_iso8601 (iso, NULL)))
    return -1;
  return g_date_time_to_unix (dt) * G_USEC_PER_SEC;
}

/* The target kinds whose put writes a NAME.sha256 sidecar of its own
 * (WebDAV, which has no metadata); the others get ours. */
static gboolean
kind_writes_sidecar (ImuSyncTarget *target)
{
  return g_strcmp0 (imu_sync_target_get_config (target)->kind, "webdav") == 0;
}

gboolean
imu_sync_backup_put (ImuStore        *store,
                     ImuSyncTarget   *target,
                     gint64           now_us,
                     char           **name_out,
                     ImuProgressFunc  progress,
                     gpointer         progress_data,
                     GCancellable    *cancellable,
                     GError         **error)
{
  g_autoptr(GDateTime) now = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *name = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *key = NULL;
  g_autofree char *sidecar_key = NULL;
  g_autofree char *work = NULL;
  g_autofree char *copy = NULL;
  g_autofree char *packed = NULL;
  g_autofree char *sidecar = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *sidecar_text = NULL;
  g_autoptr(ImuSyncObject) existing = NULL;
  g_autoptr(ImuSyncObject) landed = NULL;
  g_autoptr(GError) head_error = NULL;
  ImuSyncTransfer transfer = { 0 };
  const char *target_name;
  GStatBuf st;
  gboolean ok = FALSE;

  g_return_val_if_fail (IMU_IS_STORE (store), FALSE);
  g_return_val_if_fail (IMU_IS_SYNC_TARGET (target), FALSE);

  target_name = imu_sync_target_get_config (target)->name;
  now = g_date_time_new_from_unix_utc (now_us / G_USEC_PER_SEC);
  stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  name = g_strconcat (BACKUP_NAME_PREFIX, stamp, BACKUP_NAME_SUFFIX, NULL);
  prefix = imu_sync_target_backups_prefix (target);
  key = g_strconcat (prefix, name, NULL);
  sidecar_key = g_strconcat (key, ".sha256", NULL);

  /* Never over another backup: two in the same second are refused. */
  existing = imu_sync_target_head (target, key, cancellable, &head_error);
  if (existing != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("target “%s” already holds a backup named %s: try again in a second"), target_name, name);
      return FALSE;
    }
  if (!g_error_matches (head_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&head_error), _("target “%s”: "), target_name);
      return FALSE;
    }

  if (!(work = make_work_dir (imu_store_get_path (store), error)))
    return FALSE;
  copy = g_build_filename (work, "library.db", NULL);
  packed = g_build_filename (work, name, NULL);
  if (!imu_store_backup (store, copy, progress, progress_data, cancellable, error))
    goto out;
  if (!zstd_file (copy, packed, TRUE, cancellable, error))
    goto out;
  g_unlink (copy);
  if (!(sha256 = imu_sync_sha256_file (packed, cancellable, error)))
    goto out;
  if (!imu_sync_target_put (target, key, packed, sha256, "application/zstd", &transfer, cancellable, error))
    {
      g_prefix_error (error, _("storing the backup %s on target “%s”: "), name, target_name);
      goto out;
    }
  imu_sync_transfer_clear (&transfer);
  if (!kind_writes_sidecar (target))
    {
      g_autofree char *sidecar_sha = NULL;

      /* sha256sum's format: `sha256sum -c` checks a downloaded copy. */
      sidecar = g_strconcat (packed, ".sha256", NULL);
      sidecar_text = g_strdup_printf ("%s  %s\n", sha256, name);
      if (!g_file_set_contents (sidecar, sidecar_text, -1, error))
        goto out;
      if (!(sidecar_sha = imu_sync_sha256_file (sidecar, cancellable, error)))
        goto out;
      if (!imu_sync_target_put (target, sidecar_key, sidecar, sidecar_sha, "text/plain", &transfer,
                                cancellable, error))
        {
          g_prefix_error (error, _("storing the checksum of the backup %s on target “%s”: "), name, target_name);
          goto out;
        }
      imu_sync_transfer_clear (&transfer);
    }

  /* What landed is what was sent. */
  if (!(landed = imu_sync_target_head (target, key, cancellable, error)))
    goto out;
  if (g_stat (packed, &st) != 0)
    {
      set_errno_error (error, packed);
      goto out;
    }
  if (landed->size != (gint64) st.st_size || (landed->sha256 != NULL && g_ascii_strcasecmp (landed->sha256, sha256) != 0))
    {
      g_autofree char *sent = g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) st.st_size);
      g_autofree char *stored = g_strdup_printf ("%" G_GINT64_FORMAT, landed->size);

      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
                   _("the backup %s on target “%s” differs from what was sent (%s bytes sent, %s stored)"),
                   name, target_name, sent, stored);
      goto out;
    }
  if (name_out != NULL)
    *name_out = g_steal_pointer (&name);
  ok = TRUE;

out:
  imu_sync_transfer_clear (&transfer);
  remove_work_dir (work);
  return ok;
}

static int
compare_backup (gconstpointer a, gconstpointer b)
{
  const ImuSyncBackup *x = *(ImuSyncBackup * const *) a;
  const ImuSyncBackup *y = *(ImuSyncBackup * const *) b;

  return strcmp (x->name, y->name);
}

GPtrArray *
imu_sync_backup_list (ImuSyncTarget  *target,
                      GCancellable   *cancellable,
                      GError        **error)
{
  g_autofree char *prefix = NULL;
  g_autoptr(GPtrArray) objects = NULL;
  g_autoptr(GPtrArray) backups = NULL;

  g_return_val_if_fail (IMU_IS_SYNC_TARGET (target), NULL);

  prefix = imu_sync_target_backups_prefix (target);
  if (!(objects = imu_sync_target_list (target, prefix, cancellable, error)))
    return NULL;
  backups = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_backup_free);
  for (guint i = 0; i < objects->len; i++)
    {
      const ImuSyncObject *o = g_ptr_array_index (objects, i);
      const char *name = o->key + strlen (prefix);
      gint64 t;
      ImuSyncBackup *b;

      /* Only our own names, directly under backups/ (sidecars end otherwise). */
      if (!g_str_has_prefix (o->key, prefix) || strchr (name, '/') != NULL || (t = backup_name_time (name)) < 0)
        continue;
      b = g_new0 (ImuSyncBackup, 1);
      b->name = g_strdup (name);
      b->key = g_strdup (o->key);
      b->time_us = t;
      b->size = o->size;
      g_ptr_array_add (backups, b);
    }
  g_ptr_array_sort (backups, compare_backup);
  return g_steal_pointer (&backups);
}

gboolean
imu_sync_backup_restore (ImuSyncTarget   *target,
                         const char      *name,
                         const char      *dest,
                         ImuProgressFunc  progress,
                         gpointer         progress_data,
                         GCancellable    *cancellable,
                         GError         **error)
{
  g_autofree char *prefix = NULL;
  g_autofree char *key = NULL;
  g_autofree char *sidecar_key = NULL;
  g_autofree char *work = NULL;
  g_autofree char *packed = NULL;
  g_autofree char *sidecar = NULL;
  g_autofree char *sidecar_text = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *copy = NULL;
  ImuSyncTransfer transfer = { 0 };
  const char *target_name;
  gboolean ok = FALSE;

  g_return_val_if_fail (IMU_IS_SYNC_TARGET (target), FALSE);
  g_return_val_if_fail (name != NULL && dest != NULL, FALSE);

  target_name = imu_sync_target_get_config (target)->name;
  if (backup_name_time (name) < 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND,
                   _("“%s” is not the name of a backup (library-YYYYMMDDTHHMMSSZ.db.zst): see imu db backups"), name);
      return FALSE;
    }
  if (g_file_test (dest, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("%s already exists: restore into a new library path (never over a library)"), dest);
      return FALSE;
    }
  prefix = imu_sync_target_backups_prefix (target);
  key = g_strconcat (prefix, name, NULL);
  sidecar_key = g_strconcat (key, ".sha256", NULL);
  if (!(work = make_work_dir (dest, error)))
    return FALSE;
  packed = g_build_filename (work, name, NULL);
  sidecar = g_strconcat (packed, ".sha256", NULL);
  copy = g_build_filename (work, "library.db", NULL);

  if (!imu_sync_target_get (target, sidecar_key, sidecar, &transfer, cancellable, error))
    {
      g_prefix_error (error, _("the checksum of the backup %s on target “%s”: "), name, target_name);
      goto out;
    }
  imu_sync_transfer_clear (&transfer);
  if (!g_file_get_contents (sidecar, &sidecar_text, NULL, error))
    goto out;
  if (strlen (sidecar_text) < 64)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
                   _("the checksum file of the backup %s on target “%s” holds no sha256: nothing was restored"),
                   name, target_name);
      goto out;
    }
  expected = g_ascii_strdown (sidecar_text, 64);
  if (!imu_sync_target_get (target, key, packed, &transfer, cancellable, error))
    {
      g_prefix_error (error, _("fetching the backup %s from target “%s”: "), name, target_name);
      goto out;
    }
  imu_sync_transfer_clear (&transfer);
  if (!(actual = imu_sync_sha256_file (packed, cancellable, error)))
    goto out;
  if (strcmp (actual, expected) != 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
                   _("the backup %s on target “%s” is damaged: its sha256 is %s, but it was stored with %s; "
                     "nothing was restored"), name, target_name, actual, expected);
      goto out;
    }
  if (!zstd_file (packed, copy, FALSE, cancellable, error))
    goto out;
  g_unlink (packed);
  /* Application id, schema, integrity_check, the store's own check; only
   * then the copy at @dest. */
  if (!imu_store_restore (copy, dest, progress, progress_data, cancellable, error))
    goto out;
  ok = TRUE;

out:
  imu_sync_transfer_clear (&transfer);
  remove_work_dir (work);
  return ok;
}
