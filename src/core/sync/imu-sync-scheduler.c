/* imu-sync-scheduler.c — works the sync queue: transfers, retries, network
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The scheduler itself runs on a main context and only decides; each
 * transfer runs in a worker thread with its own library connection (one
 * connection per thread) and its own backend instance. Workers report
 * progress to the main context and save it in the library, so a crash at
 * any point leaves an item that the next run resumes.
 */
#define G_LOG_DOMAIN "imu-sync"

#include <inttypes.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "imu-context.h"
#include "imu-bundle.h"
#include "imu-redact.h"
#include "imu-store-private.h"
#include "imu-json.h"
#include "imu-sync-merge.h"
#include "imu-sync-scheduler.h"
#include "imu-sync-targets.h"

#define BUNDLE_FILE "bundle.imub"
#define MANIFEST_FILE "manifest.json"
/* A session's remote manifest: a few KiB in practice. */
#define MAX_MANIFEST_BYTES (1 << 20)
#define BUNDLE_CONTENT_TYPE "application/vnd.imu-studio.bundle"
#define PROGRESS_INTERVAL_US (200 * 1000)

struct _ImuSyncScheduler
{
  GObject           parent_instance;

  char             *library_path;
  ImuStore         *store;          /* the main context's connection */
  GMainContext     *context;
  GStrv             target_names;
  guint             directions;
  guint             max_transfers;
  guint             poll_interval_s;
  GNetworkMonitor  *monitor;
  gulong            monitor_handler;
  /* The monitor speaks in the context it was made in (the GUI's main
   * thread): its news is posted to ours, under this lock. */
  GMutex            network_lock;
  GSource          *network_source;
  int               network_override;
  int               lock_fd;

  GHashTable       *running;        /* item id (gint64*) → GCancellable */
  GSource          *kick_source;
  GSource          *timer_source;
  GSource          *poll_source;
  gboolean          started;
  gboolean          stopping;
  gboolean          idle_emitted;
};

enum {
  SIGNAL_ITEM_CHANGED,
  SIGNAL_IDLE,
  SIGNAL_ITEM_REMOVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (ImuSyncScheduler, imu_sync_scheduler, G_TYPE_OBJECT)

static void kick (ImuSyncScheduler *self);

char *
imu_sync_staging_dir (const char *library_path)
{
  g_autofree char *abs = g_canonicalize_filename (library_path, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, abs, -1);

  hash[16] = '\0';
  return g_build_filename (g_get_user_cache_dir (), "imu-studio", "sync", hash, NULL);
}

/* ---- one transfer, in a worker thread ---- */

typedef struct {
  ImuSyncScheduler *self;          /* a reference */
  GMainContext     *context;
  ImuSyncItem      *item;          /* the claimed item; its final state on return */
  ImuStore         *store;         /* the worker's own connection */
  gint64            last_progress_us;
  gint64            last_saved_us;
  gboolean          removed;       /* the item was cancelled while it ran */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->self);
  g_main_context_unref (job->context);
  imu_sync_item_free (job->item);
  g_clear_object (&job->store);
  g_free (job);
}

typedef struct {
  ImuSyncScheduler *self;
  ImuSyncItem      *item;
} Notice;

static gboolean
deliver_notice_cb (gpointer data)
{
  Notice *n = data;

  g_signal_emit (n->self, signals[SIGNAL_ITEM_CHANGED], 0, n->item);
  return G_SOURCE_REMOVE;
}

static void
notice_free (gpointer data)
{
  Notice *n = data;

  g_object_unref (n->self);
  imu_sync_item_free (n->item);
  g_free (n);
}

static void
notify_item (Job *job)
{
  Notice *n = g_new0 (Notice, 1);

  n->self = g_object_ref (job->self);
  n->item = imu_sync_item_copy (job->item);
  imu_context_post (job->context, deliver_notice_cb, n, notice_free);
}

static void
transfer_changed_cb (ImuSyncTransfer *transfer, gboolean resume_changed, gpointer data)
{
  Job *job = data;
  gint64 now = g_get_monotonic_time ();

  job->item->bytes_done = (gint64) transfer->bytes_done;
  if (transfer->bytes_total > 0)
    job->item->bytes_total = (gint64) transfer->bytes_total;
  /* The resume state is saved at once: it is what a crash resumes from.
   * Plain progress is saved and shown a few times a second. */
  if (resume_changed || now - job->last_saved_us >= PROGRESS_INTERVAL_US)
    {
      g_autoptr(GError) error = NULL;

      if (resume_changed)
        {
          g_free (job->item->resume_state);
          job->item->resume_state = g_strdup (transfer->resume_json);
        }
      if (!imu_sync_queue_save_progress (job->store, job->item->id, job->item->bytes_done, job->item->bytes_total,
                                         resume_changed ? transfer->resume_json : NULL, &error))
        g_debug ("could not save sync progress: %s", error->message);
      job->last_saved_us = now;
    }
  /* Listeners hear of every durable step (a block or part the storage
   * acknowledged, a few MiB apart) and of plain progress a few times a
   * second. */
  if (resume_changed || now - job->last_progress_us >= PROGRESS_INTERVAL_US)
    {
      job->last_progress_us = now;
      notify_item (job);
    }
}

static void
set_state (Job *job, ImuSyncState state)
{
  g_autoptr(GError) error = NULL;

  job->item->state = state;
  if (!imu_sync_queue_save_item (job->store, job->item, &error))
    g_debug ("could not save a sync item: %s", error->message);
  notify_item (job);
}

static gint64
find_session (ImuStore *store, const char *uuid)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, "SELECT id FROM sessions WHERE uuid = ?", NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return id;
}

/* The session's id and version (updated_us) when the library holds it
 * outside the trash; 0 when it does not, -1 when it is in the trash. */
static gint64
find_live_session (ImuStore *store, const char *uuid, gint64 *updated_us)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, "SELECT id, trashed_us IS NOT NULL, updated_us FROM sessions "
                                                 "WHERE uuid = ?", NULL);
  gint64 id = 0;

  if (stmt == NULL)
    return 0;
  sqlite3_bind_text (stmt, 1, uuid, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    {
      id = sqlite3_column_int (stmt, 1) ? -1 : sqlite3_column_int64 (stmt, 0);
      if (updated_us != NULL)
        *updated_us = sqlite3_column_int64 (stmt, 2);
    }
  sqlite3_reset (stmt);
  return id;
}

/* Which version of a manifest a listing shows: its ETag, else its size
 * and modification time. */
static char *
manifest_tag (const ImuSyncObject *o)
{
  if (o->etag != NULL && *o->etag != '\0')
    return g_strdup (o->etag);
  return g_strdup_printf ("%" PRId64 ":%" PRId64, o->size, o->modified_us);
}

static gboolean
remote_seen (ImuStore *store, gint64 target_id, const char *uuid, const char *tag)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, "SELECT 1 FROM sync_remote_seen WHERE target_id = ? AND "
                                                 "session_uuid = ? AND manifest_tag = ?", NULL);
  gboolean seen;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, tag, -1, SQLITE_TRANSIENT);
  seen = sqlite3_step (stmt) == SQLITE_ROW;
  sqlite3_reset (stmt);
  return seen;
}

static gboolean
set_remote_seen (ImuStore *store, gint64 target_id, const char *uuid, const char *tag, GError **error)
{
  sqlite3_stmt *stmt = imu_store_prepare (store, "INSERT OR REPLACE INTO sync_remote_seen (target_id, session_uuid, "
                                                 "manifest_tag) VALUES (?, ?, ?)", error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, target_id);
  sqlite3_bind_text (stmt, 2, uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, tag, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return imu_store_fail (store, rc, "noting a manifest's version", error);
  return TRUE;
}

/* With the secret policy of imu-sync-targets.c, the same as the faces'. */
static ImuSyncTarget *
open_target (ImuStore *store, gint64 target_id, GError **error)
{
  g_autoptr(ImuSyncTargetConfig) config = imu_sync_queue_get_target_by_id (store, target_id, error);

  if (config == NULL)
    return NULL;
  return imu_sync_targets_open_config (config, error);
}

/* The manifest.json next to a bundle: the bundle's own manifest with one
 * more member, "bundle", that says how big it is and what its sha256 is
 * (docs/sync.md). */
static char *
remote_manifest (const char *inner_manifest, gint64 bytes, const char *sha256, GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  JsonObject *root, *bundle;

  if (!json_parser_load_from_data (parser, inner_manifest, -1, error))
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));
  bundle = json_object_new ();
  json_object_set_string_member (bundle, "path", BUNDLE_FILE);
  json_object_set_int_member (bundle, "bytes", bytes);
  json_object_set_string_member (bundle, "sha256", sha256);
  json_object_set_object_member (root, "bundle", bundle);
  json_generator_set_root (gen, json_parser_get_root (parser));
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

/* Where a transfer of one session keeps its bundle and its manifest:
 * staged in the scheduler's folder (a pull's names apart from a push's,
 * so that the two never share a file), and on the target (no keys when
 * @target is NULL). */
typedef struct {
  char *staged;
  char *manifest_path;
  char *bundle_key;
  char *manifest_key;
} JobFiles;

static JobFiles
job_files (ImuSyncTarget *target, const char *staging, const ImuSyncItem *item)
{
  const char *tag = item->direction == IMU_SYNC_PULL ? "pull-" : "";
  const char *uuid = item->session_uuid;
  JobFiles files = {
    g_strdup_printf ("%s/%s%s" IMU_BUNDLE_EXTENSION, staging, tag, uuid),
    g_strdup_printf ("%s/%s%s.manifest.json", staging, tag, uuid),
    target != NULL ? imu_sync_target_session_key (target, uuid, BUNDLE_FILE) : NULL,
    target != NULL ? imu_sync_target_session_key (target, uuid, MANIFEST_FILE) : NULL,
  };

  return files;
}

static void
job_files_clear (JobFiles *files)
{
  g_clear_pointer (&files->staged, g_free);
  g_clear_pointer (&files->manifest_path, g_free);
  g_clear_pointer (&files->bundle_key, g_free);
  g_clear_pointer (&files->manifest_key, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (JobFiles, job_files_clear)

static gboolean
integrity_error (GError **error, const char *what, const char *key, gint64 size, gint64 expected_size,
                 const char *sha, const char *expected_sha)
{
  g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY,
               _("%s: %s holds %" PRId64 " bytes with sha256 %s, expected %" PRId64
                 " bytes with sha256 %s"),
               what, key, size, sha != NULL ? sha : _("(none)"), expected_size, expected_sha);
  return FALSE;
}

static gboolean
run_push (Job *job, ImuSyncTarget *target, const char *staging, GCancellable *cancellable, GError **error)
{
  ImuSyncItem *item = job->item;
  g_auto(JobFiles) files = job_files (target, staging, item);
  g_autofree char *sha = NULL;
  g_autofree char *manifest = NULL;
  g_autofree char *manifest_sha = NULL;
  g_autoptr(ImuBundleInfo) info = NULL;
  g_autoptr(ImuSyncObject) there = NULL;
  g_autoptr(GError) local_error = NULL;
  ImuSyncTransfer transfer = { 0 };
  gint64 session_id = find_session (job->store, item->session_uuid);

  if (session_id == 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL,
                   _("Session %s is no longer in the library; nothing to send"), item->session_uuid);
      return FALSE;
    }

  /* The staged bundle of an interrupted push is reused when it still has
   * the bytes the resume state refers to; else it is written again (the
   * same session gives the same bytes, so usually it matches anyway). */
  if (g_file_test (files.staged, G_FILE_TEST_EXISTS))
    {
      sha = imu_sync_sha256_file (files.staged, cancellable, NULL);
      if (sha == NULL || g_strcmp0 (sha, item->sha256) != 0 || !(info = imu_bundle_peek (files.staged, cancellable, NULL)))
        {
          g_clear_pointer (&sha, g_free);
          g_unlink (files.staged);
        }
    }
  if (sha == NULL)
    {
      if (!imu_bundle_write (job->store, session_id, files.staged, IMU_BUNDLE_ARCHIVE_TAR_ZSTD, NULL, NULL,
                             cancellable, &info, error))
        return FALSE;
      sha = g_strdup (info->sha256);
    }
  if (g_strcmp0 (sha, item->sha256) != 0)
    {
      /* Other bytes: what was sent before does not apply. */
      g_clear_pointer (&item->resume_state, g_free);
      g_free (item->sha256);
      item->sha256 = g_strdup (sha);
    }
  item->bytes_total = info->bytes;
  item->bytes_done = 0;
  set_state (job, IMU_SYNC_STATE_TRANSFERRING);

  /* Pushing twice makes no second copy: the layout is keyed by uuid, and
   * an object that already holds these bytes is not sent again. */
  there = imu_sync_target_head (target, files.bundle_key, cancellable, &local_error);
  if (there == NULL && !g_error_matches (local_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_error (&local_error);
  if (there != NULL && there->size == info->bytes && g_strcmp0 (there->sha256, sha) == 0)
    g_debug ("%s is already there", files.bundle_key);
  else
    {
      transfer.resume_json = g_strdup (item->resume_state);
      transfer.bytes_total = (guint64) info->bytes;
      transfer.changed = transfer_changed_cb;
      transfer.user_data = job;
      if (!imu_sync_target_put (target, files.bundle_key, files.staged, sha, BUNDLE_CONTENT_TYPE, &transfer,
                                cancellable, error))
        {
          imu_sync_transfer_clear (&transfer);
          return FALSE;
        }
      imu_sync_transfer_clear (&transfer);
    }

  if (!(manifest = remote_manifest (info->manifest_json, info->bytes, sha, error)))
    return FALSE;
  if (!g_file_set_contents (files.manifest_path, manifest, -1, error))
    return FALSE;
  manifest_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, manifest, -1);
  g_clear_pointer (&there, imu_sync_object_free);
  there = imu_sync_target_head (target, files.manifest_key, cancellable, &local_error);
  if (there == NULL && !g_error_matches (local_error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  g_clear_error (&local_error);
  if ((there == NULL || g_strcmp0 (there->sha256, manifest_sha) != 0)
      && !imu_sync_target_put (target, files.manifest_key, files.manifest_path, manifest_sha, "application/json", NULL,
                               cancellable, error))
    return FALSE;

  /* Verify what landed before calling it done. */
  set_state (job, IMU_SYNC_STATE_VERIFYING);
  g_clear_pointer (&there, imu_sync_object_free);
  if (!(there = imu_sync_target_head (target, files.bundle_key, cancellable, error)))
    return FALSE;
  if (there->size != info->bytes || g_strcmp0 (there->sha256, sha) != 0)
    return integrity_error (error, _("Verifying the upload"), files.bundle_key, there->size, info->bytes,
                            there->sha256, sha);
  item->bytes_done = info->bytes;
  g_unlink (files.staged);
  g_unlink (files.manifest_path);
  return TRUE;
}

/* Merges the downloaded (and verified) copy of a session the library
 * holds; when the library kept edits the copy lacks, queues a push of the
 * merged session to the same target. */
static gboolean
merge_pulled (Job *job, gint64 local_id, const char *staged, GCancellable *cancellable, GError **error)
{
  ImuSyncItem *item = job->item;
  g_autoptr(ImuBundleEdits) edits = imu_bundle_read_edits (staged, cancellable, error);
  gboolean local_newer = FALSE, changed = FALSE;

  g_unlink (staged);
  if (edits == NULL || !imu_sync_merge_session (job->store, local_id, edits, &local_newer, &changed, error))
    return FALSE;
  g_debug ("merged %s from target %" PRId64 ": %s%s", item->session_uuid, item->target_id,
           changed ? "changed here" : "nothing new here", local_newer ? ", newer here: pushing" : "");
  if (local_newer && imu_sync_queue_enqueue (job->store, item->target_id, item->session_uuid, IMU_SYNC_PUSH, TRUE,
                                             error) == 0)
    return FALSE;
  item->bytes_done = item->bytes_total;
  return TRUE;
}

static gboolean
run_pull (Job *job, ImuSyncTarget *target, const char *staging, GCancellable *cancellable, GError **error)
{
  ImuSyncItem *item = job->item;
  g_auto(JobFiles) files = job_files (target, staging, item);
  g_autoptr(JsonNode) manifest = NULL;
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *sha = NULL;
  g_autofree char *text = NULL;
  gsize text_len = 0;
  ImuSyncTransfer transfer = { 0 };
  JsonObject *bundle = NULL;
  const char *expected_sha;
  gint64 expected_bytes = -1;
  GStatBuf st;

  gint64 local_id, local_updated = 0;

  /* Pulling never duplicates: a session already here is merged with the
   * target's copy when that is another version (imu-sync-merge.h), and a
   * session in the trash stays there. */
  local_id = find_live_session (job->store, item->session_uuid, &local_updated);
  if (local_id < 0)
    return TRUE;
  set_state (job, IMU_SYNC_STATE_TRANSFERRING);
  if (!imu_sync_target_get (target, files.manifest_key, files.manifest_path, NULL, cancellable, error))
    return FALSE;
  /* Whoever can write to the target writes this file: bounded in size and
   * nesting before it is parsed (a manifest of 75 000 nested arrays once
   * crashed every retry of the pull). A bad one needs attention; it is not
   * retried. */
  if (!g_file_get_contents (files.manifest_path, &text, &text_len, &local_error)
      || text_len > MAX_MANIFEST_BYTES
      || !(manifest = imu_json_parse (text, (gssize) text_len, MAX_MANIFEST_BYTES, &local_error))
      || !JSON_NODE_HOLDS_OBJECT (manifest)
      || !json_object_has_member (json_node_get_object (manifest), "bundle")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (manifest), "bundle")))
    {
      g_unlink (files.manifest_path);
      if (local_error != NULL)
        g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL,
                     _("%s is not an IMU Studio manifest: %s"), files.manifest_key, local_error->message);
      else if (text_len > MAX_MANIFEST_BYTES)
        g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL,
                     _("%s is not an IMU Studio manifest: %zu bytes, more than the %d allowed"), files.manifest_key,
                     (size_t) text_len, MAX_MANIFEST_BYTES);
      else
        g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL,
                     _("%s is not an IMU Studio manifest with a “bundle” member"), files.manifest_key);
      return FALSE;
    }
  g_unlink (files.manifest_path);
  if (local_id > 0)
    {
      JsonNode *session = json_object_get_member (json_node_get_object (manifest), "session");
      JsonNode *updated = session != NULL && JSON_NODE_HOLDS_OBJECT (session)
                          ? json_object_get_member (json_node_get_object (session), "updated_us") : NULL;

      /* The same version as here: nothing to merge. */
      if (updated != NULL && JSON_NODE_HOLDS_VALUE (updated) && json_node_get_value_type (updated) == G_TYPE_INT64
          && json_node_get_int (updated) == local_updated)
        return TRUE;
    }
  bundle = json_object_get_object_member (json_node_get_object (manifest), "bundle");
  expected_sha = json_object_has_member (bundle, "sha256") ? json_object_get_string_member (bundle, "sha256") : NULL;
  if (json_object_has_member (bundle, "bytes"))
    expected_bytes = json_object_get_int_member (bundle, "bytes");
  if (expected_sha == NULL || strlen (expected_sha) != 64)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_PROTOCOL, _("%s has no bundle sha256"), files.manifest_key);
      return FALSE;
    }
  g_free (item->sha256);
  item->sha256 = g_strdup (expected_sha);
  item->bytes_total = MAX (expected_bytes, 0);

  transfer.bytes_total = (guint64) item->bytes_total;
  transfer.changed = transfer_changed_cb;
  transfer.user_data = job;
  if (!imu_sync_target_get (target, files.bundle_key, files.staged, &transfer, cancellable, error))
    return FALSE;

  set_state (job, IMU_SYNC_STATE_VERIFYING);
  if (!(sha = imu_sync_sha256_file (files.staged, cancellable, error)))
    return FALSE;
  if (g_stat (files.staged, &st) != 0 || (expected_bytes >= 0 && st.st_size != expected_bytes)
      || !g_str_equal (sha, expected_sha))
    {
      g_unlink (files.staged);
      return integrity_error (error, _("Verifying the download"), files.bundle_key, st.st_size, expected_bytes, sha,
                              expected_sha);
    }
  if (local_id > 0)
    return merge_pulled (job, local_id, files.staged, cancellable, error);
  result = imu_bundle_import (job->store, files.staged, NULL, NULL, NULL, NULL, cancellable, &local_error);
  g_unlink (files.staged);
  if (result == NULL && !g_error_matches (local_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE))
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  item->bytes_done = item->bytes_total;
  return TRUE;
}

static gint64
backoff_us (int attempts, guint retry_after_s)
{
  gint64 cap = IMU_SYNC_BACKOFF_BASE_US;
  gint64 delay;

  for (int i = 1; i < attempts && cap < IMU_SYNC_BACKOFF_MAX_US; i++)
    cap *= 2;
  cap = MIN (cap, IMU_SYNC_BACKOFF_MAX_US);
  /* Full jitter: clients that failed together do not retry together. */
  delay = (gint64) (g_random_double () * (double) cap);
  return MAX (delay, (gint64) retry_after_s * G_USEC_PER_SEC);
}

static void
transfer_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Job *job = task_data;
  ImuSyncItem *item = job->item;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autofree char *staging = imu_sync_staging_dir (job->self->library_path);
  gboolean ok = FALSE;
  guint retry_after = 0;

  if (!(job->store = imu_store_open (job->self->library_path, &error)))
    goto out;
  if (g_mkdir_with_parents (staging, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (&error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_LOCAL, _("%s: cannot create: %s"), staging, g_strerror (errsv));
      goto out;
    }
  if (!(target = open_target (job->store, item->target_id, &error)))
    goto out;
  if (item->direction == IMU_SYNC_PUSH)
    ok = run_push (job, target, staging, cancellable, &error);
  else
    ok = run_pull (job, target, staging, cancellable, &error);
  retry_after = imu_sync_target_take_retry_after (target);

out:
  if (ok)
    {
      item->state = IMU_SYNC_STATE_DONE;
      item->attempts = 0;
      item->next_attempt_us = 0;
      g_clear_pointer (&item->last_error, g_free);
      g_clear_pointer (&item->resume_state, g_free);
      item->bytes_done = item->bytes_total;
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped, not failed: back in the queue, resumable. */
      item->state = IMU_SYNC_STATE_QUEUED;
    }
  else
    {
      gboolean transient = imu_sync_error_is_transient (error);
      gboolean integrity = g_error_matches (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY);

      imu_redact_error (error);
      item->attempts++;
      g_free (item->last_error);
      item->last_error = g_strdup (error->message);
      if ((transient && item->attempts < IMU_SYNC_MAX_ATTEMPTS)
          || (integrity && item->attempts < IMU_SYNC_MAX_INTEGRITY_ATTEMPTS))
        {
          item->state = IMU_SYNC_STATE_RETRYING;
          item->next_attempt_us = g_get_real_time () + backoff_us (item->attempts, retry_after);
        }
      else
        item->state = IMU_SYNC_STATE_NEEDS_ATTENTION;
      g_debug ("%s of %s to %s: %s (%s)", imu_sync_direction_to_string (item->direction), item->session_uuid,
               item->target_name, error->message, imu_sync_state_to_string (item->state));
    }
  /* Cancelled for good (imu_sync_scheduler_cancel_session()) rather than
   * stopped: the row is gone, whatever error the cancellation caused. */
  if (!ok && job->store != NULL && g_cancellable_is_cancelled (cancellable))
    {
      g_autoptr(ImuSyncItem) still = NULL;
      g_autoptr(GError) get_error = NULL;

      still = imu_sync_queue_get_item (job->store, item->id, &get_error);
      job->removed = still == NULL && g_error_matches (get_error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
      /* The canceller left the remote state to this worker, whose
       * requests have all ended now (see imu_sync_scheduler_cancel_session()).
       * Another process's cancel aborted the upload as the queue knew it;
       * this worker may have started one since: abort what it knows too. */
      if (job->removed && item->direction == IMU_SYNC_PUSH && target != NULL)
        {
          g_auto(JobFiles) files = job_files (target, staging, item);
          g_autoptr(GError) abort_error = NULL;

          g_unlink (files.staged);
          g_unlink (files.manifest_path);
          if (!imu_sync_target_abort (target, files.bundle_key, item->resume_state, NULL, &abort_error))
            {
              imu_redact_error (abort_error);
              g_debug ("discarding the cancelled upload of %s: %s", files.bundle_key, abort_error->message);
            }
        }
    }
  if (job->store != NULL && !job->removed)
    {
      g_autoptr(GError) save_error = NULL;

      if (!imu_sync_queue_save_item (job->store, item, &save_error))
        g_warning ("could not save the sync queue: %s", save_error->message);
    }
  g_task_return_boolean (task, TRUE);
}

/* ---- the scheduler, on its main context ---- */

static gboolean
network_available (ImuSyncScheduler *self)
{
  if (self->network_override >= 0)
    return self->network_override != 0;
  return g_network_monitor_get_network_available (self->monitor);
}

static gboolean
network_metered (ImuSyncScheduler *self)
{
  if (self->network_override >= 0)
    return FALSE;
  return g_network_monitor_get_network_metered (self->monitor);
}

/* The targets whose items may run now: selected, and reachable (a folder
 * needs no network; a network target needs one, unmetered unless
 * allowed). */
static GArray *
eligible_targets (ImuSyncScheduler *self, gboolean *any_waiting_for_network)
{
  g_autoptr(GPtrArray) targets = imu_sync_queue_list_targets (self->store, NULL);
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean online = network_available (self);
  gboolean metered = online && network_metered (self);

  if (any_waiting_for_network != NULL)
    *any_waiting_for_network = FALSE;
  for (guint i = 0; targets != NULL && i < targets->len; i++)
    {
      const ImuSyncTargetConfig *t = g_ptr_array_index (targets, i);

      if (self->target_names != NULL && self->target_names[0] != NULL
          && !g_strv_contains ((const char * const *) self->target_names, t->name))
        continue;
      if (imu_sync_target_kind_uses_network (t->kind)
          && (!online || (metered && !imu_sync_queue_allow_metered (self->store, t))))
        {
          if (any_waiting_for_network != NULL)
            *any_waiting_for_network = TRUE;
          continue;
        }
      g_array_append_val (ids, t->id);
    }
  return ids;
}

static GArray *
running_ids (ImuSyncScheduler *self)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(gint64 *) key);
  return ids;
}

static void
transfer_done_cb (GObject *source, GAsyncResult *result, gpointer data)
{
  ImuSyncScheduler *self = IMU_SYNC_SCHEDULER (source);
  Job *job = g_task_get_task_data (G_TASK (result));

  g_hash_table_remove (self->running, &job->item->id);
  g_signal_emit (self, signals[job->removed ? SIGNAL_ITEM_REMOVED : SIGNAL_ITEM_CHANGED], 0, job->item);
  kick (self);
}

/* Takes a source off its context and drops the reference to it. */
static void
drop_source (GSource **source)
{
  if (*source != NULL)
    g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gboolean
timer_cb (gpointer data)
{
  ImuSyncScheduler *self = data;

  g_clear_pointer (&self->timer_source, g_source_unref);
  kick (self);
  return G_SOURCE_REMOVE;
}

static void
arm_timer (ImuSyncScheduler *self, gint64 delay_us)
{
  drop_source (&self->timer_source);
  self->timer_source = g_timeout_source_new ((guint) MIN (delay_us / 1000 + 1, G_MAXUINT));
  g_source_set_callback (self->timer_source, timer_cb, self, NULL);
  g_source_attach (self->timer_source, self->context);
}

static gboolean
work_cb (gpointer data)
{
  ImuSyncScheduler *self = data;
  g_autoptr(GArray) targets = NULL;
  gboolean waiting_for_network = FALSE;
  gint64 next_retry;

  g_clear_pointer (&self->kick_source, g_source_unref);
  if (!self->started || self->stopping)
    {
      if (g_hash_table_size (self->running) == 0 && !self->idle_emitted)
        {
          self->idle_emitted = TRUE;
          g_signal_emit (self, signals[SIGNAL_IDLE], 0);
        }
      return G_SOURCE_REMOVE;
    }

  targets = eligible_targets (self, &waiting_for_network);
  while (g_hash_table_size (self->running) < self->max_transfers)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GArray) exclude = running_ids (self);
      g_autoptr(GTask) task = NULL;
      ImuSyncItem *item;
      GCancellable *cancellable;
      Job *job;

      item = imu_sync_queue_claim_next (self->store, g_get_real_time (), exclude, targets, self->directions, &error);
      if (item == NULL)
        {
          if (error != NULL)
            g_warning ("sync queue: %s", error->message);
          break;
        }
      self->idle_emitted = FALSE;
      cancellable = g_cancellable_new ();
      job = g_new0 (Job, 1);
      job->self = g_object_ref (self);
      job->context = g_main_context_ref (self->context);
      job->item = item;
      g_hash_table_insert (self->running, g_memdup2 (&item->id, sizeof item->id), cancellable);
      g_signal_emit (self, signals[SIGNAL_ITEM_CHANGED], 0, item);
      task = g_task_new (self, cancellable, transfer_done_cb, NULL);
      g_task_set_source_tag (task, work_cb);
      g_task_set_task_data (task, job, (GDestroyNotify) job_free);
      g_task_run_in_thread (task, transfer_thread);
    }

  /* Sleep until the earliest retry (a network change or a new item wakes
   * us sooner). */
  next_retry = imu_sync_queue_next_retry_us (self->store, targets, self->directions);
  if (next_retry > 0)
    arm_timer (self, MAX (next_retry - g_get_real_time (), 0));

  if (imu_sync_scheduler_is_idle (self) && !self->idle_emitted)
    {
      self->idle_emitted = TRUE;
      g_signal_emit (self, signals[SIGNAL_IDLE], 0);
    }
  (void) waiting_for_network;
  return G_SOURCE_REMOVE;
}

static void
kick (ImuSyncScheduler *self)
{
  if (self->kick_source != NULL || self->context == NULL)
    return;
  self->kick_source = g_idle_source_new ();
  g_source_set_callback (self->kick_source, work_cb, self, NULL);
  g_source_attach (self->kick_source, self->context);
}

/* In the scheduler's context. */
static void
network_changed (ImuSyncScheduler *self)
{
  gboolean available = network_available (self);

  g_debug ("network %s", available ? "available" : "gone");
  /* Retrying items wait for their time; a network that came back is a
   * reason to try them now. */
  if (available && self->store != NULL)
    imu_store_exec (self->store, "UPDATE sync_items SET next_attempt_us = 0 WHERE state = 'retrying'", NULL);
  kick (self);
}

static gboolean
network_changed_posted_cb (gpointer data)
{
  ImuSyncScheduler *self = data;

  g_mutex_lock (&self->network_lock);
  g_clear_pointer (&self->network_source, g_source_unref);
  g_mutex_unlock (&self->network_lock);
  network_changed (self);
  return G_SOURCE_REMOVE;
}

/* In whatever thread the monitor emits from: the store and the sources
 * belong to the scheduler's thread, so only post. */
static void
network_changed_cb (GNetworkMonitor *monitor, gboolean available, gpointer data)
{
  ImuSyncScheduler *self = data;

  g_mutex_lock (&self->network_lock);
  if (self->network_source == NULL && self->context != NULL)
    {
      self->network_source = g_idle_source_new ();
      g_source_set_callback (self->network_source, network_changed_posted_cb, self, NULL);
      g_source_attach (self->network_source, self->context);
    }
  g_mutex_unlock (&self->network_lock);
}

static void
stop_network_news (ImuSyncScheduler *self)
{
  if (self->monitor_handler != 0)
    g_clear_signal_handler (&self->monitor_handler, self->monitor);
  g_mutex_lock (&self->network_lock);
  drop_source (&self->network_source);
  g_mutex_unlock (&self->network_lock);
}

/* Stops what a started scheduler listens to: its timers and the network. */
static void
stop_sources (ImuSyncScheduler *self)
{
  drop_source (&self->timer_source);
  drop_source (&self->kick_source);
  drop_source (&self->poll_source);
  stop_network_news (self);
}

static gboolean
poll_cb (gpointer data)
{
  ImuSyncScheduler *self = data;
  g_autoptr(GArray) targets = eligible_targets (self, NULL);

  if ((self->directions & (1 << IMU_SYNC_PUSH)) != 0)
    for (guint i = 0; i < targets->len; i++)
      imu_sync_queue_enqueue_all_pushes (self->store, g_array_index (targets, gint64, i), NULL);
  kick (self);
  return G_SOURCE_CONTINUE;
}

gboolean
imu_sync_scheduler_is_idle (ImuSyncScheduler *self)
{
  g_autoptr(GArray) targets = NULL;
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt;
  g_autofree char *sql = NULL;
  gint64 due = 0;

  g_return_val_if_fail (IMU_IS_SYNC_SCHEDULER (self), TRUE);

  if (g_hash_table_size (self->running) > 0)
    return FALSE;
  if (self->store == NULL)
    return TRUE;
  targets = eligible_targets (self, NULL);
  {
    GString *ids = g_string_new ("(NULL");

    for (guint i = 0; i < targets->len; i++)
      g_string_append_printf (ids, ", %" PRId64, g_array_index (targets, gint64, i));
    g_string_append_c (ids, ')');
    sql = g_strdup_printf ("SELECT count(*) FROM sync_items WHERE target_id IN %s AND (state = 'queued' OR "
                           "(state = 'retrying' AND next_attempt_us <= %" PRId64 "))%s%s",
                           ids->str, g_get_real_time (),
                           (self->directions & (1 << IMU_SYNC_PUSH)) == 0 ? " AND direction <> 'push'" : "",
                           (self->directions & (1 << IMU_SYNC_PULL)) == 0 ? " AND direction <> 'pull'" : "");
    g_string_free (ids, TRUE);
  }
  if (sqlite3_prepare_v2 (imu_store_get_db (self->store), sql, -1, &stmt, NULL) == SQLITE_OK)
    {
      if (sqlite3_step (stmt) == SQLITE_ROW)
        due = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
    }
  return due == 0;
}

guint
imu_sync_scheduler_get_n_running (ImuSyncScheduler *self)
{
  return g_hash_table_size (self->running);
}

/* ---- setup ---- */

ImuSyncScheduler *
imu_sync_scheduler_new (const char *library_path)
{
  ImuSyncScheduler *self;

  g_return_val_if_fail (library_path != NULL, NULL);

  self = g_object_new (IMU_TYPE_SYNC_SCHEDULER, NULL);
  self->library_path = g_strdup (library_path);
  return self;
}

void
imu_sync_scheduler_set_targets (ImuSyncScheduler *self, const char * const *names)
{
  g_strfreev (self->target_names);
  self->target_names = g_strdupv ((char **) names);
  kick (self);
}

void
imu_sync_scheduler_set_directions (ImuSyncScheduler *self, guint directions)
{
  self->directions = directions;
  kick (self);
}

void
imu_sync_scheduler_set_poll_interval (ImuSyncScheduler *self, guint seconds)
{
  self->poll_interval_s = seconds;
}

void
imu_sync_scheduler_set_max_transfers (ImuSyncScheduler *self, guint n)
{
  self->max_transfers = MAX (n, 1);
  kick (self);
}

void
imu_sync_scheduler_set_network_monitor (ImuSyncScheduler *self, GNetworkMonitor *monitor)
{
  if (self->monitor_handler != 0)
    g_clear_signal_handler (&self->monitor_handler, self->monitor);
  g_set_object (&self->monitor, monitor);
  if (self->started)
    self->monitor_handler = g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  kick (self);
}

void
imu_sync_scheduler_set_network_available (ImuSyncScheduler *self, int available)
{
  self->network_override = available < 0 ? -1 : available != 0;
  if (self->started)
    network_changed (self);
}

gboolean
imu_sync_scheduler_start (ImuSyncScheduler *self, GError **error)
{
  g_autofree char *lock_path = NULL;
  gint64 recovered;

  g_return_val_if_fail (IMU_IS_SYNC_SCHEDULER (self), FALSE);
  g_return_val_if_fail (!self->started, FALSE);

  if (!(self->store = imu_store_open (self->library_path, error)))
    return FALSE;
  /* One scheduler per library: otherwise a second one would "recover"
   * the items the first is transferring. */
  lock_path = g_strconcat (self->library_path, ".sync-lock", NULL);
  self->lock_fd = g_open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (self->lock_fd < 0 || flock (self->lock_fd, LOCK_EX | LOCK_NB) != 0)
    {
      g_set_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG,
                   _("Another IMU Studio process is syncing %s; let it finish or stop it first"), self->library_path);
      if (self->lock_fd >= 0)
        close (self->lock_fd);
      self->lock_fd = -1;
      g_clear_object (&self->store);
      return FALSE;
    }
  recovered = imu_sync_queue_recover (self->store, error);
  if (recovered < 0)
    return FALSE;
  if (recovered > 0)
    g_debug ("%" PRId64 " interrupted transfers go back to the queue", recovered);

  self->context = g_main_context_ref_thread_default ();
  if (self->monitor == NULL)
    self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->monitor_handler = g_signal_connect (self->monitor, "network-changed", G_CALLBACK (network_changed_cb), self);
  if (self->poll_interval_s > 0)
    {
      self->poll_source = g_timeout_source_new_seconds (self->poll_interval_s);
      g_source_set_callback (self->poll_source, poll_cb, self, NULL);
      g_source_attach (self->poll_source, self->context);
    }
  self->started = TRUE;
  self->stopping = FALSE;
  self->idle_emitted = FALSE;
  kick (self);
  return TRUE;
}

void
imu_sync_scheduler_stop (ImuSyncScheduler *self)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (IMU_IS_SYNC_SCHEDULER (self));

  self->stopping = TRUE;
  g_hash_table_iter_init (&iter, self->running);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_cancellable_cancel (value);
  kick (self);
}

gint64
imu_sync_scheduler_discover (ImuSyncScheduler *self, GCancellable *cancellable, GError **error)
{
  g_autoptr(ImuStore) store = imu_store_open (self->library_path, error);
  g_autoptr(GPtrArray) targets = NULL;
  gint64 queued = 0;

  if (store == NULL || !(targets = imu_sync_queue_list_targets (store, error)))
    return -1;
  for (guint i = 0; i < targets->len; i++)
    {
      const ImuSyncTargetConfig *config = g_ptr_array_index (targets, i);
      g_autoptr(ImuSyncTarget) target = NULL;
      g_autoptr(GPtrArray) objects = NULL;
      g_autofree char *prefix = NULL;

      if (self->target_names != NULL && self->target_names[0] != NULL
          && !g_strv_contains ((const char * const *) self->target_names, config->name))
        continue;
      if (!(target = open_target (store, config->id, error)))
        return -1;
      prefix = imu_sync_target_sessions_prefix (target);
      if (!(objects = imu_sync_target_list (target, prefix, cancellable, error)))
        return -1;
      for (guint k = 0; k < objects->len; k++)
        {
          const ImuSyncObject *o = g_ptr_array_index (objects, k);
          g_autofree char *rest = g_strdup (o->key + strlen (prefix));
          char *slash = strchr (rest, '/');

          /* <prefix>sessions/<uuid>/manifest.json */
          if (slash == NULL || !g_str_equal (slash + 1, MANIFEST_FILE))
            continue;
          *slash = '\0';
          g_autofree char *tag = NULL;
          gint64 local_id;

          if (!g_uuid_string_is_valid (rest))
            continue;
          /* A session the library lacks is pulled; one it holds is merged
           * with the target's copy when the listing shows a version of its
           * manifest not looked at yet (a push from here makes one too:
           * the pull then finds the same version and stops there). */
          local_id = find_live_session (store, rest, NULL);
          tag = manifest_tag (o);
          if (local_id < 0 || (local_id > 0 && remote_seen (store, config->id, rest, tag)))
            continue;
          if (imu_sync_queue_enqueue (store, config->id, rest, IMU_SYNC_PULL, local_id > 0, error) == 0
              || !set_remote_seen (store, config->id, rest, tag, error))
            return -1;
          queued++;
        }
    }
  return queued;
}

/* Discards what the cancelled push @item left: the staged bundle here and
 * an unfinished upload there. */
static gboolean
abort_push (ImuSyncScheduler *self, ImuStore *store, const ImuSyncItem *item, GCancellable *cancellable,
            GError **error)
{
  g_autofree char *staging = imu_sync_staging_dir (self->library_path);
  g_auto(JobFiles) files = job_files (NULL, staging, item);
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autofree char *bundle_key = NULL;

  g_unlink (files.staged);
  g_unlink (files.manifest_path);
  /* A push that never started sent nothing. The manifest goes in one
   * request after the bundle: only the bundle can be left half-sent. */
  if (item->resume_state == NULL && item->state == IMU_SYNC_STATE_QUEUED && item->attempts == 0
      && item->bytes_done == 0)
    return TRUE;
  if (!(target = open_target (store, item->target_id, error)))
    return FALSE;
  bundle_key = imu_sync_target_session_key (target, item->session_uuid, BUNDLE_FILE);
  if (!imu_sync_target_abort (target, bundle_key, item->resume_state, cancellable, error))
    {
      g_prefix_error (error, _("Target “%s”: discarding the unfinished upload of %s: "), item->target_name, bundle_key);
      return FALSE;
    }
  return TRUE;
}

gint64
imu_sync_scheduler_cancel_session (ImuSyncScheduler *self,
                                   const char       *session_uuid,
                                   const char       *target_name,
                                   GCancellable     *cancellable,
                                   GError          **error)
{
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GPtrArray) removed = NULL;
  g_autoptr(GError) first_error = NULL;
  gint64 target_id = 0;

  g_return_val_if_fail (IMU_IS_SYNC_SCHEDULER (self), -1);
  g_return_val_if_fail (session_uuid != NULL, -1);

  if (!(store = imu_store_open (self->library_path, error)))
    return -1;
  if (target_name != NULL)
    {
      g_autoptr(ImuSyncTargetConfig) config = imu_sync_queue_get_target (store, target_name, error);

      if (config == NULL)
        return -1;
      target_id = config->id;
    }
  /* Out of the queue first, so that no scheduler takes the items again
   * while their remote state is being discarded. */
  if (!(removed = imu_sync_queue_cancel_session (store, session_uuid, target_id, error)))
    return -1;
  for (guint i = 0; i < removed->len; i++)
    {
      const ImuSyncItem *item = g_ptr_array_index (removed, i);
      GCancellable *running = g_hash_table_lookup (self->running, &item->id);
      g_autoptr(GError) local_error = NULL;

      /* A transfer running here still has requests in flight: aborting
       * now would race them (S3 may keep a part that lands after the
       * abort). Its worker aborts once they have ended, with the resume
       * state it last had, and removes the staged files. */
      if (running != NULL)
        {
          g_cancellable_cancel (running);
          continue;
        }
      /* A pull leaves nothing remote; its partial download is a
       * temporary file that the get removes when it is cancelled. */
      if (item->direction != IMU_SYNC_PUSH)
        continue;
      if (!abort_push (self, store, item, cancellable, &local_error))
        {
          imu_redact_error (local_error);
          g_debug ("%s", local_error->message);
          if (first_error == NULL)
            first_error = g_steal_pointer (&local_error);
        }
    }
  if (first_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      return -1;
    }
  return (gint64) removed->len;
}

typedef struct {
  GMainLoop *loop;
  gboolean   watch;
  gint64     deadline_us;   /* monotonic; 0 none */
  gboolean   cancelled;
} RunState;

static void
run_idle_cb (ImuSyncScheduler *self, gpointer data)
{
  RunState *rs = data;
  gint64 next;

  if (rs->cancelled || self->stopping)
    {
      if (g_hash_table_size (self->running) == 0)
        g_main_loop_quit (rs->loop);
      return;
    }
  if (rs->watch)
    return;
  /* Done unless a retry comes before the deadline. */
  {
    g_autoptr(GArray) targets = eligible_targets (self, NULL);

    next = imu_sync_queue_next_retry_us (self->store, targets, self->directions);
  }
  if (next == 0 || g_get_monotonic_time () + (next - g_get_real_time ()) > rs->deadline_us)
    g_main_loop_quit (rs->loop);
}

static gboolean
run_cancelled_cb (GCancellable *cancellable, gpointer data)
{
  RunState *rs = ((gpointer *) data)[0];
  ImuSyncScheduler *self = ((gpointer *) data)[1];

  rs->cancelled = TRUE;
  imu_sync_scheduler_stop (self);
  if (g_hash_table_size (self->running) == 0)
    g_main_loop_quit (rs->loop);
  return G_SOURCE_REMOVE;
}

gboolean
imu_sync_scheduler_run (ImuSyncScheduler *self,
                        gboolean          watch,
                        guint             max_wait_s,
                        GCancellable     *cancellable,
                        GError          **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);
  RunState rs = { loop, watch, g_get_monotonic_time () + (gint64) max_wait_s * G_USEC_PER_SEC, FALSE };
  gpointer pair[2] = { &rs, self };
  GSource *cancel_source = NULL;
  gulong handler;
  gboolean ok;

  g_main_context_push_thread_default (context);
  ok = imu_sync_scheduler_start (self, error);
  if (ok)
    {
      handler = g_signal_connect (self, "idle", G_CALLBACK (run_idle_cb), &rs);
      if (cancellable != NULL)
        {
          cancel_source = g_cancellable_source_new (cancellable);
          g_source_set_callback (cancel_source, (GSourceFunc) (void (*) (void)) run_cancelled_cb, pair, NULL);
          g_source_attach (cancel_source, context);
        }
      g_main_loop_run (loop);
      g_signal_handler_disconnect (self, handler);
      if (cancel_source != NULL)
        {
          g_source_destroy (cancel_source);
          g_source_unref (cancel_source);
        }
      /* Let running transfers end before the context goes. */
      imu_sync_scheduler_stop (self);
      while (g_hash_table_size (self->running) > 0)
        g_main_context_iteration (context, TRUE);
      self->started = FALSE;
      stop_sources (self);
      g_clear_pointer (&self->context, g_main_context_unref);
      if (self->lock_fd >= 0)
        {
          close (self->lock_fd);
          self->lock_fd = -1;
        }
      g_clear_object (&self->store);
      if (rs.cancelled)
        {
          g_cancellable_set_error_if_cancelled (cancellable, error);
          ok = FALSE;
        }
    }
  g_main_context_pop_thread_default (context);
  return ok;
}

static void
imu_sync_scheduler_dispose (GObject *object)
{
  ImuSyncScheduler *self = IMU_SYNC_SCHEDULER (object);

  stop_sources (self);
  g_clear_object (&self->monitor);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (imu_sync_scheduler_parent_class)->dispose (object);
}

static void
imu_sync_scheduler_finalize (GObject *object)
{
  ImuSyncScheduler *self = IMU_SYNC_SCHEDULER (object);

  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_hash_table_unref (self->running);
  g_strfreev (self->target_names);
  g_free (self->library_path);
  g_mutex_clear (&self->network_lock);
  G_OBJECT_CLASS (imu_sync_scheduler_parent_class)->finalize (object);
}

static void
imu_sync_scheduler_class_init (ImuSyncSchedulerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_sync_scheduler_dispose;
  object_class->finalize = imu_sync_scheduler_finalize;

  signals[SIGNAL_ITEM_CHANGED] = g_signal_new ("item-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                               0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                               IMU_TYPE_SYNC_ITEM | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_ITEM_REMOVED] = g_signal_new ("item-removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                               0, NULL, NULL, NULL, G_TYPE_NONE, 1,
                                               IMU_TYPE_SYNC_ITEM | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_IDLE] = g_signal_new ("idle", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                       0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
imu_sync_scheduler_init (ImuSyncScheduler *self)
{
  self->directions = (1 << IMU_SYNC_PUSH) | (1 << IMU_SYNC_PULL);
  self->max_transfers = IMU_SYNC_MAX_TRANSFERS;
  self->network_override = -1;
  self->lock_fd = -1;
  g_mutex_init (&self->network_lock);
  self->running = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
}
