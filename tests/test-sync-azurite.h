/* test-sync-azurite.h — a real Azurite on loopback for the sync tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-core.h"
#include "imu-sync-queue.h"

G_BEGIN_DECLS

/* Azurite's published development account (not a secret of anyone's). */
#define TEST_AZURE_ACCOUNT "devstoreaccount1"
#define TEST_AZURE_KEY "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

typedef struct {
  GSubprocess *process;
  guint        port;
  char        *location;
} TestAzurite;

/* Whether tests/servers/node_modules has Azurite; when not, calls
 * g_test_skip() with a message and returns FALSE. */
gboolean     test_azurite_available   (void);
/* Starts Azurite (on @port and @location when non-zero/non-NULL, to
 * restart a killed one) and waits until it accepts connections. */
TestAzurite *test_azurite_start       (guint port, const char *location);
/* SIGTERM (@graceful) or SIGKILL, and waits for the process to end. */
void         test_azurite_kill        (TestAzurite *az, gboolean graceful);
void         test_azurite_free        (TestAzurite *az);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TestAzurite, test_azurite_free)

/* Runs `node tests/servers/azure-admin.js ARGS…` and returns its stdout
 * (stripped). Fails the test when it fails. */
char        *test_azure_admin         (const char *first_arg, ...) G_GNUC_NULL_TERMINATED;
char        *test_azure_container_url (guint port, const char *container);

/* Adds an Azure target to @store (and its secret to the secret store):
 * @auth "sas" or "shared-key", @secret the token or key. */
ImuSyncTargetConfig *test_add_azure_target (ImuStore *store, const char *name, const char *url,
                                            const char *prefix, const char *auth, const char *secret);

/* Points the secret store and the staging folder at fresh temporary
 * folders (call first in main()). */
void         test_sync_setup_env      (void);

/* A session of @n samples of 4 channels whose values are computed from
 * the sample index by test_sample() (pseudo-random: bundles of n·≈17
 * bytes), with two events. Returns its id. */
gint64       test_make_session        (ImuStore *store, const char *title, gint64 n);
void         test_sample              (gint64 i, gint64 *t_ns, double v[4]);
/* Asserts that session @id of @store holds exactly test_sample(0 … n−1). */
void         test_assert_session      (ImuStore *store, gint64 id, gint64 n);

G_END_DECLS
