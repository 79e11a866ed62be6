/* test-sync-merge.c — two libraries edit one session and sync through one
 * target: the later edit of each field and of each event wins in both,
 * deletions stay deleted, nothing is duplicated (docs/sync.md, "When two
 * libraries edit the same session").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <glib/gstdio.h>
#include "imu-core.h"
#include "imu-bundle.h"
#include "imu-sync-scheduler.h"
#include "imu-test-util.h"
#include "test-sync-azurite.h"

#define N_SAMPLES 500

/* Edits made one after the other get strictly later times. */
static void
later (void)
{
  g_usleep (3000);
}

static ImuEvent *
find_event (GPtrArray *events, const char *label)
{
  for (guint i = 0; i < events->len; i++)
    {
      ImuEvent *e = g_ptr_array_index (events, i);

      if (g_strcmp0 (e->label, label) == 0)
        return e;
    }
  return NULL;
}

static void
set_title (ImuStore *store, gint64 id, const char *title, const char *activity, const char *notes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_store_load_session (store, id, &error);

  g_assert_no_error (error);
  if (title != NULL)
    imu_session_set_title (s, title);
  if (activity != NULL)
    imu_session_set_activity (s, activity);
  if (notes != NULL)
    imu_session_set_notes (s, notes);
  g_assert_true (imu_store_update_session (store, s, &error));
  g_assert_no_error (error);
}

static void
add_event (ImuStore *store, gint64 id, gint64 t_ns, const char *label)
{
  g_autoptr(GError) error = NULL;
  ImuEvent *e = imu_event_new (t_ns, "marker", label);

  e->session_id = id;
  g_assert_true (imu_store_add_event (store, e, &error));
  g_assert_no_error (error);
  g_assert_true (imu_store_touch_session (store, id, &error));
  imu_event_free (e);
}

static void
relabel (ImuStore *store, gint64 id, const char *from, const char *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = imu_store_list_events (store, id, &error);
  ImuEvent *e = find_event (events, from);

  if (e == NULL)
    g_error ("no event “%s”", from);
  g_free (e->label);
  e->label = g_strdup (to);
  g_assert_true (imu_store_update_event (store, e, &error));
  g_assert_true (imu_store_touch_session (store, id, &error));
  g_assert_no_error (error);
}

static void
delete_event (ImuStore *store, gint64 id, const char *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = imu_store_list_events (store, id, &error);
  ImuEvent *e = find_event (events, label);

  if (e == NULL)
    g_error ("no event “%s”", label);
  g_assert_true (imu_store_delete_event (store, e->id, &error));
  g_assert_true (imu_store_touch_session (store, id, &error));
  g_assert_no_error (error);
}

/* `imu sync --pull` in one library: list the target, pull, push. */
static void
sync_library (const char *library, ImuStore *store, gint64 target_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = imu_sync_scheduler_new (library);

  g_assert_cmpint (imu_sync_scheduler_discover (scheduler, NULL, &error), >=, 0);
  g_assert_no_error (error);
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 10, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (imu_sync_queue_enqueue_all_pushes (store, target_id, &error), >=, 0);
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 10, NULL, &error));
  g_assert_no_error (error);
}

static gint64
discover (const char *library)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncScheduler) scheduler = imu_sync_scheduler_new (library);
  gint64 n = imu_sync_scheduler_discover (scheduler, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (imu_sync_scheduler_run (scheduler, FALSE, 10, NULL, &error));
  g_assert_no_error (error);
  return n;
}

/* What both libraries must hold at the end. */
static void
assert_merged (ImuStore *store, gint64 id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) s = imu_store_load_session (store, id, &error);
  g_autoptr(GPtrArray) events = imu_store_list_events (store, id, &error);

  g_assert_no_error (error);
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 1);
  /* Title: B edited it, then A, later: A's. Activity: only B. Notes: A. */
  g_assert_cmpstr (imu_session_get_title (s), ==, "Sprint A");
  g_assert_cmpstr (imu_session_get_activity (s), ==, "drills");
  g_assert_cmpstr (imu_session_get_notes (s), ==, "from A");
  /* The two events test_make_session() adds; E0 deleted by B after its
   * last change; E1 renamed by B, then by A; one marker added on each side. */
  g_assert_cmpuint (events->len, ==, 5);
  g_assert_null (find_event (events, "E0"));
  g_assert_nonnull (find_event (events, "E1 renamed"));
  g_assert_nonnull (find_event (events, "a-mark"));
  g_assert_nonnull (find_event (events, "b-mark"));
  /* Samples never change in a merge. */
  g_assert_cmpuint (imu_session_get_streams (s)->len, ==, 1);
  g_assert_cmpint (((ImuStreamInfo *) g_ptr_array_index (imu_session_get_streams (s), 0))->n_samples, ==, N_SAMPLES);
}

static void
test_two_libraries (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib_a = imu_test_library_path ();
  g_autofree char *lib_b = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(ImuStore) a = imu_store_open (lib_a, &error);
  g_autoptr(ImuStore) b = imu_store_open (lib_b, &error);
  g_autoptr(ImuSyncTargetConfig) ta = imu_sync_target_config_new ("team", "folder", dir);
  g_autoptr(ImuSyncTargetConfig) tb = imu_sync_target_config_new ("team", "folder", dir);
  g_autoptr(ImuSession) s = NULL;
  g_autoptr(GPtrArray) events_a = NULL, events_b = NULL;
  gint64 id_a, id_b, t0;

  g_assert_no_error (error);
  id_a = test_make_session (a, "Stick", N_SAMPLES);
  s = imu_store_load_session (a, id_a, &error);
  t0 = imu_session_get_start_ns (s);
  add_event (a, id_a, t0 + G_GINT64_CONSTANT (1000000000), "E0");
  add_event (a, id_a, t0 + G_GINT64_CONSTANT (2000000000), "E1");
  g_assert_true (imu_sync_queue_add_target (a, ta, &error));
  g_assert_true (imu_sync_queue_add_target (b, tb, &error));
  g_assert_no_error (error);

  /* A sends it, B fetches it. */
  sync_library (lib_a, a, ta->id);
  sync_library (lib_b, b, tb->id);
  id_b = imu_store_resolve_session (b, imu_session_get_uuid (s), &error);
  g_assert_no_error (error);
  g_assert_cmpint (id_b, >, 0);

  /* Both edit, interleaved in time, offline from each other. */
  set_title (b, id_b, "Sprint B", NULL, NULL);
  later ();
  relabel (b, id_b, "E1", "E1 by B");
  later ();
  set_title (a, id_a, "Sprint A", NULL, "from A");
  later ();
  relabel (a, id_a, "E1", "E1 renamed");
  later ();
  add_event (a, id_a, t0 + G_GINT64_CONSTANT (3000000000), "a-mark");
  later ();
  set_title (b, id_b, NULL, "drills", NULL);
  later ();
  delete_event (b, id_b, "E0");
  later ();
  add_event (b, id_b, t0 + G_GINT64_CONSTANT (4000000000), "b-mark");

  /* B syncs first: the target has nothing new for it, and it sends its
   * version. A then merges B's, keeps what is newer of its own and sends
   * the merge; B merges that. */
  sync_library (lib_b, b, tb->id);
  sync_library (lib_a, a, ta->id);
  sync_library (lib_b, b, tb->id);
  assert_merged (a, id_a);
  assert_merged (b, id_b);

  /* The same event is the same in both: one uid, one change time. */
  events_a = imu_store_list_events (a, id_a, &error);
  events_b = imu_store_list_events (b, id_b, &error);
  for (guint i = 0; i < events_a->len; i++)
    {
      ImuEvent *ea = g_ptr_array_index (events_a, i);
      ImuEvent *eb = find_event (events_b, ea->label);

      if (eb == NULL)
        g_error ("no event “%s” in B", ea->label);
      g_assert_cmpuint (strlen (ea->uid), ==, 32);
      g_assert_cmpstr (ea->uid, ==, eb->uid);
      g_assert_cmpint (ea->updated_us, ==, eb->updated_us);
    }

  /* It settles: after one more look each (a push makes a new manifest
   * version, looked at once), nothing is queued and nothing changes. */
  discover (lib_a);
  discover (lib_b);
  g_assert_cmpint (discover (lib_a), ==, 0);
  g_assert_cmpint (discover (lib_b), ==, 0);
  assert_merged (a, id_a);
  assert_merged (b, id_b);
}

/* A bundle carries the edit times, the event uids and the deletions, and
 * its import keeps them. */
static void
test_bundle_keeps_edit_times (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *lib_a = imu_test_library_path ();
  g_autofree char *lib_c = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *bundle = g_build_filename (dir, "s.imub", NULL);
  g_autoptr(ImuStore) a = imu_store_open (lib_a, &error);
  g_autoptr(ImuStore) c = imu_store_open (lib_c, &error);
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GPtrArray) events_a = NULL, events_c = NULL;
  g_autoptr(ImuBundleEdits) edits = NULL;
  JsonObject *edited;
  JsonArray *deleted;
  gint64 id_a;

  g_assert_no_error (error);
  id_a = test_make_session (a, "Bundle", 100);
  add_event (a, id_a, G_GINT64_CONSTANT (1000000000), "kept");
  add_event (a, id_a, G_GINT64_CONSTANT (1500000000), "gone");
  later ();
  set_title (a, id_a, "Edited", NULL, NULL);
  delete_event (a, id_a, "gone");
  g_assert_true (imu_bundle_write (a, id_a, bundle, IMU_BUNDLE_ARCHIVE_TAR_ZSTD, NULL, NULL, NULL, NULL, &error));
  g_assert_no_error (error);

  edits = imu_bundle_read_edits (bundle, NULL, &error);
  g_assert_no_error (error);
  edited = json_object_get_object_member (edits->session, "edited_us");
  g_assert_nonnull (edited);
  g_assert_true (json_object_has_member (edited, "title"));
  g_assert_false (json_object_has_member (edited, "subject"));
  deleted = json_object_get_array_member (edits->session, "deleted_events");
  g_assert_cmpuint (json_array_get_length (deleted), ==, 1);
  g_assert_cmpuint (edits->events->len, ==, 3);

  result = imu_bundle_import (c, bundle, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  events_a = imu_store_list_events (a, id_a, &error);
  events_c = imu_store_list_events (c, result->session_id, &error);
  g_assert_cmpuint (events_c->len, ==, 3);
  g_assert_cmpstr (((ImuEvent *) events_c->pdata[0])->uid, ==, ((ImuEvent *) events_a->pdata[0])->uid);
  g_assert_cmpint (((ImuEvent *) events_c->pdata[0])->updated_us, ==, ((ImuEvent *) events_a->pdata[0])->updated_us);
  {
    /* Exported again from the second library: the same bytes. */
    g_autofree char *again = g_build_filename (dir, "again.imub", NULL);
    g_autofree char *sha1 = NULL, *sha2 = NULL;

    g_assert_true (imu_bundle_write (c, result->session_id, again, IMU_BUNDLE_ARCHIVE_TAR_ZSTD, NULL, NULL, NULL,
                                     NULL, &error));
    g_assert_no_error (error);
    sha1 = imu_test_sha256_file (bundle);
    sha2 = imu_test_sha256_file (again);
    g_assert_cmpstr (sha1, ==, sha2);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync/merge/two-libraries", test_two_libraries);
  g_test_add_func ("/sync/merge/bundle-keeps-edit-times", test_bundle_keeps_edit_times);
  return g_test_run ();
}
