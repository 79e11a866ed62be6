/* test-sync-targets.c — sync targets with their secrets: the core functions
 * both faces call, and `imu target`
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs with the private secrets file (IMU_SECRETS_BACKEND=file), and again
 * through test-sync-secrets.sh on a private bus with GNOME Keyring, where
 * the Secret Service is the store (the parts that break the file store on
 * purpose skip there). No server is needed: adding and re-keying do no
 * network I/O, and the one failing test talks to a closed loopback port.
 */
#define G_LOG_DOMAIN "test-sync"

#include <string.h>

#include <glib/gstdio.h>

#include "imu-secrets.h"
#include "imu-sync-queue.h"
#include "imu-sync-targets.h"
#include "imu-test-util.h"

#define PASSWORD     "dav-password-for-the-targets-test"
#define PASSWORD2    "another-dav-password-for-the-targets-test"
#define CLI_PASSWORD "dav-password-given-on-the-command-line"
#define SAS          "sv=2021-08-06&sp=racwdl&sr=c&sig=dGFyZ2V0cy10ZXN0LXNpZ25hdHVyZQ%3D%3D"
/* base64 ("key-for-the-targets-test") */
#define ACCOUNT_KEY  "a2V5LWZvci10aGUtdGFyZ2V0cy10ZXN0"

static ImuStore *
new_store (char **path_out)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  ImuStore *store = imu_store_open (path, &error);

  g_assert_no_error (error);
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return store;
}

static ImuSyncTargetConfig *
webdav_config (const char *name, const char *url)
{
  ImuSyncTargetConfig *c = imu_sync_target_config_new (name, "webdav", url);

  g_free (c->config_json);
  c->config_json = g_strdup ("{\"user\":\"coach\"}");
  return c;
}

static ImuSyncTargetConfig *
azure_config (const char *name, const char *auth)
{
  ImuSyncTargetConfig *c = imu_sync_target_config_new (name, "azure", "https://lab.blob.core.windows.net/sessions");

  g_free (c->config_json);
  c->config_json = g_strdup_printf ("{\"auth\":\"%s\",\"account\":\"lab\"}", auth);
  return c;
}

/* The stored secret of @name, or NULL with @error set by the store. */
static char *
stored_secret (ImuStore *store, const char *name, GError **error)
{
  g_autoptr(ImuSyncTargetConfig) t = imu_sync_queue_get_target (store, name, NULL);

  g_assert_nonnull (t);
  return imu_secrets_lookup (t->secret_id, error);
}

static gboolean
file_store (void)
{
  if (g_str_equal (imu_secrets_backend (), "file"))
    return TRUE;
  g_test_skip ("breaks the secrets file on purpose; the Secret Service is the store here");
  return FALSE;
}

/* Moves the secrets file away and puts a folder of its name in its place:
 * reading and writing it then fail, as a damaged disk would. Returns the
 * name the file was moved to, for unbreak_file_store(). */
static char *
break_file_store (void)
{
  g_autofree char *path = imu_secrets_file_path ();
  char *moved = g_strconcat (path, ".moved", NULL);

  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    g_assert_cmpint (g_rename (path, moved), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (path, 0700), ==, 0);
  return moved;
}

static void
unbreak_file_store (const char *moved)
{
  g_autofree char *path = imu_secrets_file_path ();

  g_assert_cmpint (g_rmdir (path), ==, 0);
  if (g_file_test (moved, G_FILE_TEST_IS_REGULAR))
    g_assert_cmpint (g_rename (moved, path), ==, 0);
}

/* ---- add ---- */

static void
test_add (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) dav = webdav_config ("dav", "https://cloud.example.org/remote.php/dav/files/coach/imu/");
  g_autoptr(ImuSyncTargetConfig) az = azure_config ("az", "sas");
  g_autoptr(ImuSyncTargetConfig) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  g_assert_true (imu_sync_targets_add (store, dav, PASSWORD, &error));
  g_assert_no_error (error);
  g_assert_cmpint (dav->id, >, 0);
  g_assert_cmpuint (strlen (dav->secret_id), ==, 36);
  row = imu_sync_queue_get_target (store, "dav", &error);
  g_assert_no_error (error);
  g_assert_cmpint (row->id, ==, dav->id);
  g_assert_cmpstr (row->kind, ==, "webdav");
  g_assert_cmpstr (row->url, ==, "https://cloud.example.org/remote.php/dav/files/coach/imu/");
  g_assert_cmpstr (row->secret_id, ==, dav->secret_id);
  secret = imu_secrets_lookup (dav->secret_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"" PASSWORD "\"}");
  g_clear_pointer (&secret, g_free);

  /* A SAS token pasted with the "?" of its URL is kept without it. */
  g_assert_true (imu_sync_targets_add (store, az, "?" SAS, &error));
  g_assert_no_error (error);
  secret = imu_secrets_lookup (az->secret_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "{\"sas\":\"" SAS "\"}");

  /* The secret is in the store, not in the library. */
  {
    g_autoptr(GPtrArray) all = imu_sync_queue_list_targets (store, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (all->len, ==, 2);
  }
}

static void
test_add_duplicate (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) first = webdav_config ("dav", "https://a.example.org/dav/");
  g_autoptr(ImuSyncTargetConfig) again = webdav_config ("dav", "https://b.example.org/dav/");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  g_assert_true (imu_sync_targets_add (store, first, PASSWORD, &error));
  g_assert_false (imu_sync_targets_add (store, again, PASSWORD2, &error));
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_TARGET_EXISTS);
  g_assert_cmpstr (error->message, ==, "There is already a sync target called “dav”.");
  g_clear_error (&error);
  g_assert_cmpint (again->id, ==, 0);
  /* The row of the queue API says the same. */
  g_assert_false (imu_sync_queue_add_target (store, again, &error));
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_TARGET_EXISTS);
  g_clear_error (&error);

  all = imu_sync_queue_list_targets (store, &error);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (((ImuSyncTargetConfig *) g_ptr_array_index (all, 0))->url, ==, "https://a.example.org/dav/");
  secret = stored_secret (store, "dav", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"" PASSWORD "\"}");
}

/* Each refusal leaves no row behind. */
static void
test_add_refused (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;

  {
    g_autoptr(ImuSyncTargetConfig) c = webdav_config ("dav", "https://a.example.org/dav/");

    g_assert_false (imu_sync_targets_add (store, c, NULL, &error));
    g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
    g_assert_cmpstr (error->message, ==,
                     "Target “dav”: give its secret (password); it is kept in the secret store, never in the library");
    g_clear_error (&error);
    g_assert_false (imu_sync_targets_add (store, c, "", &error));
    g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
    g_clear_error (&error);
  }
  {
    g_autoptr(ImuSyncTargetConfig) c = azure_config ("az", "sas");

    g_assert_false (imu_sync_targets_add (store, c, "sv=2021-08-06&sp=rl", &error));
    g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG);
    g_assert_cmpstr (error->message, ==, "Target “az”: what was given is not a SAS token (it has no sig=)");
    g_clear_error (&error);
  }
  {
    g_autoptr(ImuSyncTargetConfig) c = webdav_config ("plain", "http://nas.example.org/dav/");

    g_assert_false (imu_sync_targets_add (store, c, PASSWORD, &error));
    g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INSECURE);
    g_clear_error (&error);
  }
  {
    g_autoptr(ImuSyncTargetConfig) c = imu_sync_target_config_new ("odd", "ftp", "ftp://x/");

    g_assert_false (imu_sync_targets_add (store, c, NULL, &error));
    g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG);
    g_clear_error (&error);
  }
  all = imu_sync_queue_list_targets (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 0);
}

/* A secret that cannot be stored takes the row back with it. */
static void
test_add_rollback (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) c = webdav_config ("dav", "https://a.example.org/dav/");
  g_autoptr(ImuSyncTargetConfig) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;

  if (!file_store ())
    return;
  moved = break_file_store ();
  g_assert_false (imu_sync_targets_add (store, c, PASSWORD, &error));
  unbreak_file_store (moved);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
  g_assert_true (g_str_has_prefix (error->message, "Target “dav” was not added: its secret cannot be stored: "));
  g_clear_error (&error);
  g_assert_cmpint (c->id, ==, 0);
  row = imu_sync_queue_get_target (store, "dav", &error);
  g_assert_null (row);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
}

/* ---- the one policy for a missing or unreadable secret ---- */

static void
test_secret_missing (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) c = webdav_config ("dav", "https://a.example.org/dav/");
  g_autoptr(ImuSyncTargetConfig) edit = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autoptr(ImuSyncTestReport) report = NULL;
  g_autofree char *expected = NULL;

  g_assert_true (imu_sync_targets_add (store, c, PASSWORD, &error));
  /* Someone cleared the keyring behind the library's back. */
  g_assert_true (imu_secrets_clear (c->secret_id, &error));
  expected = g_strdup_printf ("Target “dav”: its secret (password) cannot be read from the secret store (No secret is "
                              "stored for this target (%s store)). Give it again with “imu target secret dav "
                              "--password-from-stdin”, or with Edit in Preferences → Sync.",
                              imu_secrets_backend ());

  target = imu_sync_targets_open (store, "dav", &error);
  g_assert_null (target);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  report = imu_sync_targets_test (store, "dav", NULL, &error);
  g_assert_null (report);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* An edit that keeps the stored secret needs it to check the target. */
  edit = imu_sync_target_config_copy (c);
  g_free (edit->prefix);
  edit->prefix = g_strdup ("lab");
  g_assert_false (imu_sync_targets_update (store, edit, NULL, NULL, &error));
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
  g_assert_cmpstr (error->message, ==, expected);
  g_clear_error (&error);

  /* A new secret repairs it. */
  g_assert_cmpint (imu_sync_targets_set_secret (store, "dav", NULL, PASSWORD2, &error), ==, 0);
  g_assert_no_error (error);
  target = imu_sync_targets_open (store, "dav", &error);
  g_assert_no_error (error);
  g_assert_nonnull (target);
}

static void
test_secret_unreadable (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) c = webdav_config ("dav", "https://a.example.org/dav/");
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autofree char *path = imu_secrets_file_path ();
  g_autofree char *kept = NULL;
  g_autofree char *prefix = NULL;

  if (!file_store ())
    return;
  g_assert_true (imu_sync_targets_add (store, c, PASSWORD, &error));
  g_assert_true (g_file_get_contents (path, &kept, NULL, &error));
  g_assert_true (g_file_set_contents (path, "this is not JSON", -1, &error));
  target = imu_sync_targets_open (store, "dav", &error);
  g_assert_true (g_file_set_contents (path, kept, -1, NULL));
  g_assert_null (target);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
  prefix = g_strdup_printf ("Target “dav”: its secret (password) cannot be read from the secret store (The secrets "
                            "file %s is damaged", path);
  g_assert_true (g_str_has_prefix (error->message, prefix));
  g_assert_true (g_str_has_suffix (error->message, "Give it again with “imu target secret dav --password-from-stdin”, "
                                                   "or with Edit in Preferences → Sync."));
}

static void
test_unknown (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) ghost = webdav_config ("nope", "https://a.example.org/dav/");
  g_autoptr(GError) error = NULL;

  g_assert_null (imu_sync_targets_open (store, "nope", &error));
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "There is no sync target called “nope” (see “imu target list”).");
  g_clear_error (&error);
  g_assert_null (imu_sync_targets_test (store, "nope", NULL, &error));
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (imu_sync_targets_set_secret (store, "nope", NULL, PASSWORD, &error), ==, -1);
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (imu_sync_targets_remove (store, "nope", &error));
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  ghost->id = 4242;
  g_assert_false (imu_sync_targets_update (store, ghost, PASSWORD, NULL, &error));
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
}

/* ---- a new secret, an edit ---- */

static void
test_set_secret (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) dav = webdav_config ("dav", "https://a.example.org/dav/");
  g_autoptr(ImuSyncTargetConfig) az = azure_config ("az", "sas");
  g_autoptr(ImuSyncTargetConfig) folder = imu_sync_target_config_new ("usb", "folder", "/media/usb");
  g_autoptr(ImuSyncTargetConfig) az_row = NULL;
  g_autoptr(ImuSyncItem) item = NULL;
  g_autoptr(ImuSyncItem) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *auth = NULL;
  gint64 item_id;

  g_assert_true (imu_sync_targets_add (store, dav, PASSWORD, &error));
  g_assert_true (imu_sync_targets_add (store, az, SAS, &error));
  g_assert_true (imu_sync_targets_add (store, folder, NULL, &error));
  g_assert_no_error (error);

  /* A push that a refused password stopped. */
  item_id = imu_sync_queue_enqueue (store, dav->id, "0f8b6f0e-6d1c-4d49-9d2f-4f8a3c1e2b7a", IMU_SYNC_PUSH, FALSE,
                                    &error);
  g_assert_no_error (error);
  item = imu_sync_queue_get_item (store, item_id, &error);
  item->state = IMU_SYNC_STATE_NEEDS_ATTENTION;
  item->attempts = 3;
  g_assert_true (imu_sync_queue_save_item (store, item, &error));

  g_assert_cmpint (imu_sync_targets_set_secret (store, "dav", NULL, PASSWORD2, &error), ==, 1);
  g_assert_no_error (error);
  after = imu_sync_queue_get_item (store, item_id, &error);
  g_assert_cmpint (after->state, ==, IMU_SYNC_STATE_QUEUED);
  g_assert_cmpint (after->attempts, ==, 0);
  secret = stored_secret (store, "dav", &error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"" PASSWORD2 "\"}");
  g_clear_pointer (&secret, g_free);

  /* An account key instead of the SAS token: the credential's kind
   * changes with it. */
  g_assert_cmpint (imu_sync_targets_set_secret (store, "az", "shared-key", ACCOUNT_KEY, &error), ==, 0);
  g_assert_no_error (error);
  az_row = imu_sync_queue_get_target (store, "az", &error);
  auth = imu_sync_target_config_dup_string (az_row, "auth");
  g_assert_cmpstr (auth, ==, "shared-key");
  secret = stored_secret (store, "az", &error);
  g_assert_cmpstr (secret, ==, "{\"key\":\"" ACCOUNT_KEY "\"}");

  g_assert_cmpint (imu_sync_targets_set_secret (store, "az", "password", ACCOUNT_KEY, &error), ==, -1);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG);
  g_clear_error (&error);
  g_assert_cmpint (imu_sync_targets_set_secret (store, "dav", NULL, "", &error), ==, -1);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
  g_clear_error (&error);
  g_assert_cmpint (imu_sync_targets_set_secret (store, "usb", NULL, PASSWORD, &error), ==, -1);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_CONFIG);
  g_assert_cmpstr (error->message, ==, "Target “usb”: a folder target has no secret");
}

static void
test_update (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) dav = webdav_config ("dav", "https://a.example.org/dav/");
  g_autoptr(ImuSyncTargetConfig) edit = NULL;
  g_autoptr(ImuSyncTargetConfig) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  gint64 requeued = -1;

  g_assert_true (imu_sync_targets_add (store, dav, PASSWORD, &error));
  edit = imu_sync_target_config_copy (dav);
  g_free (edit->prefix);
  edit->prefix = g_strdup ("lab-7");
  /* The name, the kind and the secret's id are not edited. */
  g_free (edit->name);
  edit->name = g_strdup ("renamed");
  g_free (edit->secret_id);
  edit->secret_id = g_strdup ("someone-else");
  g_assert_true (imu_sync_targets_update (store, edit, NULL, &requeued, &error));
  g_assert_no_error (error);
  g_assert_cmpint (requeued, ==, 0);
  row = imu_sync_queue_get_target (store, "dav", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (row->prefix, ==, "lab-7");
  g_assert_cmpstr (row->secret_id, ==, dav->secret_id);
  secret = stored_secret (store, "dav", &error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"" PASSWORD "\"}");
  g_clear_pointer (&secret, g_free);

  g_assert_true (imu_sync_targets_update (store, edit, PASSWORD2, &requeued, &error));
  g_assert_no_error (error);
  secret = stored_secret (store, "dav", &error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"" PASSWORD2 "\"}");

  /* An edit the backend refuses changes nothing. */
  g_free (edit->url);
  edit->url = g_strdup ("http://nas.example.org/dav/");
  g_assert_false (imu_sync_targets_update (store, edit, NULL, NULL, &error));
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INSECURE);
  g_clear_pointer (&row, imu_sync_target_config_free);
  row = imu_sync_queue_get_target (store, "dav", NULL);
  g_assert_cmpstr (row->url, ==, "https://a.example.org/dav/");
}

/* ---- remove ---- */

static void
test_remove (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) dav = webdav_config ("dav", "https://a.example.org/dav/");
  g_autoptr(ImuSyncTargetConfig) folder = imu_sync_target_config_new ("usb", "folder", "/media/usb");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *secret = NULL;

  g_assert_true (imu_sync_targets_add (store, dav, PASSWORD, &error));
  g_assert_true (imu_sync_targets_add (store, folder, NULL, &error));
  imu_sync_queue_enqueue (store, dav->id, "0f8b6f0e-6d1c-4d49-9d2f-4f8a3c1e2b7a", IMU_SYNC_PUSH, FALSE, &error);
  g_assert_no_error (error);

  g_assert_true (imu_sync_targets_remove (store, "dav", &error));
  g_assert_no_error (error);
  g_assert_null (imu_sync_queue_get_target (store, "dav", &error));
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  secret = imu_secrets_lookup (dav->secret_id, &error);
  g_assert_null (secret);
  g_assert_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  items = imu_sync_queue_list_items (store, 0, &error);
  g_assert_cmpuint (items->len, ==, 0);

  g_assert_true (imu_sync_targets_remove (store, "usb", &error));
  g_assert_no_error (error);
  g_assert_false (imu_sync_targets_remove (store, "usb", &error));
  g_assert_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND);
}

/* A secret that cannot be removed keeps its target. */
static void
test_remove_kept (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSyncTargetConfig) dav = webdav_config ("dav", "https://a.example.org/dav/");
  g_autoptr(ImuSyncTargetConfig) row = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *moved = NULL;
  g_autofree char *secret = NULL;

  if (!file_store ())
    return;
  g_assert_true (imu_sync_targets_add (store, dav, PASSWORD, &error));
  moved = break_file_store ();
  g_assert_false (imu_sync_targets_remove (store, "dav", &error));
  unbreak_file_store (moved);
  g_assert_error (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NO_SECRET);
  g_assert_true (g_str_has_prefix (error->message,
                                   "Target “dav” is kept: its secret cannot be removed from the secret store: "));
  g_clear_error (&error);
  row = imu_sync_queue_get_target (store, "dav", &error);
  g_assert_no_error (error);
  secret = imu_secrets_lookup (dav->secret_id, &error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"" PASSWORD "\"}");
  /* Once the store works again, so does the removal. */
  g_assert_true (imu_sync_targets_remove (store, "dav", &error));
  g_assert_no_error (error);
}

/* ---- test ---- */

static guint
closed_port (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  guint port;

  g_assert_true (g_socket_bind (sock, any, FALSE, &error));
  bound = g_socket_get_local_address (sock, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (sock, NULL);
  return port;
}

static void
test_test (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/dav/", closed_port ());
  g_autoptr(ImuSyncTargetConfig) folder = imu_sync_target_config_new ("usb", "folder", dir);
  g_autoptr(ImuSyncTargetConfig) dav = webdav_config ("dav", url);
  g_autoptr(ImuSyncTestReport) ok = NULL;
  g_autoptr(ImuSyncTestReport) failed = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prefix = NULL;
  const char *last;

  g_assert_true (imu_sync_targets_add (store, folder, NULL, &error));
  g_assert_true (imu_sync_targets_add (store, dav, PASSWORD, &error));
  g_assert_no_error (error);

  ok = imu_sync_targets_test (store, "usb", NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ok->ok);
  g_assert_cmpuint (ok->lines->len, >, 0);

  /* Nobody listens: the test fails, and says why in its last line. */
  failed = imu_sync_targets_test (store, "dav", NULL, &error);
  g_assert_no_error (error);
  g_assert_false (failed->ok);
  g_assert_cmpuint (failed->lines->len, >, 0);
  last = g_ptr_array_index (failed->lines, failed->lines->len - 1);
  g_test_message ("last line: %s", last);
  prefix = g_strdup_printf ("cannot reach %s: ", url);
  g_assert_nonnull (strstr (last, prefix));
  g_assert_true (g_str_has_suffix (last, "; will try again"));
  g_assert_null (strstr (last, PASSWORD));
}

/* ---- `imu target` ---- */

static int
run_cli (const char *library, const char *stdin_text, char **output, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) p = NULL;
  g_autoptr(GError) error = NULL;
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (gpointer) IMU_CLI_PATH);
  g_ptr_array_add (argv, (gpointer) "--library");
  g_ptr_array_add (argv, (gpointer) library);
  va_start (args, output);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (gpointer) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  p = g_subprocess_newv ((const char * const *) argv->pdata,
                         G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                         &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (p, stdin_text, NULL, output, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("imu %s: %s", (const char *) argv->pdata[3], *output);
  return g_subprocess_get_exit_status (p);
}

static char *
secret_id_of (const char *library, const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) store = imu_store_open (library, &error);
  g_autoptr(ImuSyncTargetConfig) t = NULL;

  g_assert_no_error (error);
  t = imu_sync_queue_get_target (store, name, &error);
  g_assert_no_error (error);
  return g_strdup (t->secret_id);
}

static void
test_cli (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *id = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  status = run_cli (library, CLI_PASSWORD "\n", &out, "target", "add", "dav", "webdav", "--url",
                    "https://cloud.example.org/dav/", "--user", "coach", "--password-from-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, CLI_PASSWORD));
  /* Where the secret went is said once, on a line of its own, only when
   * it went to the file (it used to be a log message of every command
   * that touched a target, glued to the previous output). */
  if (g_str_equal (imu_secrets_backend (), "file"))
    {
      g_autofree char *path = imu_secrets_file_path ();
      g_autofree char *line = g_strdup_printf ("imu: no Secret Service is running: the secret is kept in %s, "
                                               "readable only by you\n", path);
      const char *at = strstr (out, line);

      g_assert_nonnull (at);
      g_assert_true (at == out || at[-1] == '\n');
      g_assert_null (strstr (at + strlen (line), "no Secret Service"));
    }
  else
    g_assert_null (strstr (out, "Secret Service"));
  g_clear_pointer (&out, g_free);
  status = run_cli (library, NULL, &out, "target", "list", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_null (strstr (out, "Secret Service"));
  g_clear_pointer (&out, g_free);
  id = secret_id_of (library, "dav");
  secret = imu_secrets_lookup (id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"" CLI_PASSWORD "\"}");
  g_clear_pointer (&secret, g_free);

  /* The name is taken: exit 3, the core's message. */
  status = run_cli (library, PASSWORD2 "\n", &out, "target", "add", "dav", "webdav", "--url",
                    "https://other.example.org/dav/", "--user", "coach", "--password-from-stdin", NULL);
  g_assert_cmpint (status, ==, 3);
  g_assert_nonnull (strstr (out, "There is already a sync target called “dav”."));
  g_clear_pointer (&out, g_free);

  /* A secret that does not fit the kind is a usage error, read from no one. */
  status = run_cli (library, SAS "\n", &out, "target", "secret", "dav", "--sas-from-stdin", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "“dav” is a webdav target: give its secret with --password-from-stdin"));
  g_clear_pointer (&out, g_free);
  status = run_cli (library, PASSWORD2 "\n", &out, "target", "secret", "dav", "--password-from-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Saved the new secret of “dav”; 0 transfers are queued again."));
  g_clear_pointer (&out, g_free);
  secret = imu_secrets_lookup (id, &error);
  g_assert_cmpstr (secret, ==, "{\"password\":\"" PASSWORD2 "\"}");
  g_clear_pointer (&secret, g_free);

  /* A missing secret: exit 8 with the policy's message. */
  g_assert_true (imu_secrets_clear (id, &error));
  status = run_cli (library, NULL, &out, "target", "test", "dav", NULL);
  g_assert_cmpint (status, ==, 8);
  g_assert_nonnull (strstr (out, "Target “dav”: its secret (password) cannot be read from the secret store (No "
                                 "secret is stored for this target"));
  g_clear_pointer (&out, g_free);
  status = run_cli (library, CLI_PASSWORD "\n", &out, "target", "secret", "dav", "--password-from-stdin", NULL);
  g_assert_cmpint (status, ==, 0);
  g_clear_pointer (&out, g_free);

  /* Removing the target removes its secret. */
  status = run_cli (library, NULL, &out, "target", "remove", "dav", NULL);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Removed target “dav”."));
  g_clear_pointer (&out, g_free);
  secret = imu_secrets_lookup (id, &error);
  g_assert_null (secret);
  g_assert_error (error, IMU_SECRETS_ERROR, IMU_SECRETS_ERROR_NOT_FOUND);
  g_clear_error (&error);
  if (g_str_equal (imu_secrets_backend (), "file"))
    {
      g_autofree char *path = imu_secrets_file_path ();
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (path, &text, NULL, &error));
      g_assert_null (strstr (text, CLI_PASSWORD));
      g_assert_null (strstr (text, id));
    }

  /* Gone: exit 4, as for any unknown target. */
  status = run_cli (library, NULL, &out, "target", "remove", "dav", NULL);
  g_assert_cmpint (status, ==, 4);
  g_assert_nonnull (strstr (out, "There is no sync target called “dav”"));
  g_clear_pointer (&out, g_free);
}

int
main (int argc, char **argv)
{
  g_autofree char *dir = NULL;
  g_autofree char *config = NULL;

  g_test_init (&argc, &argv, NULL);
  dir = imu_test_tmpdir ();
  config = g_build_filename (dir, "config", NULL);
  g_setenv ("XDG_CONFIG_HOME", config, TRUE);
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  /* test-sync-secrets.sh sets this on its private bus with a keyring;
   * everywhere else the file store is tested, whatever the desktop has. */
  if (g_getenv ("IMU_TEST_SECRET_SERVICE") == NULL)
    g_setenv ("IMU_SECRETS_BACKEND", "file", TRUE);
  g_test_message ("secret store: %s", imu_secrets_backend ());

  g_test_add_func ("/sync/targets/add", test_add);
  g_test_add_func ("/sync/targets/add/duplicate", test_add_duplicate);
  g_test_add_func ("/sync/targets/add/refused", test_add_refused);
  g_test_add_func ("/sync/targets/add/rollback", test_add_rollback);
  g_test_add_func ("/sync/targets/secret/missing", test_secret_missing);
  g_test_add_func ("/sync/targets/secret/unreadable", test_secret_unreadable);
  g_test_add_func ("/sync/targets/unknown", test_unknown);
  g_test_add_func ("/sync/targets/set-secret", test_set_secret);
  g_test_add_func ("/sync/targets/update", test_update);
  g_test_add_func ("/sync/targets/remove", test_remove);
  g_test_add_func ("/sync/targets/remove/kept", test_remove_kept);
  g_test_add_func ("/sync/targets/test", test_test);
  g_test_add_func ("/sync/targets/cli", test_cli);
  return g_test_run ();
}
