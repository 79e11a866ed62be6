/* imu-test-servers.h — storage servers on loopback for the sync tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The servers are npm packages in tests/servers (npm ci there); node runs
 * them. Every port is on 127.0.0.1.
 */
#pragma once

#include <gio/gio.h>

#include "imu-sync-queue.h"

G_BEGIN_DECLS

/* TRUE when `node` is on PATH and tests/servers/node_modules/@module is
 * installed; else g_test_skip() with a message that says what to do. */
gboolean     imu_test_node_available   (const char *module);
/* tests/servers/<rel> in the source tree. */
char        *imu_test_servers_path     (const char *rel);
/* A TCP port on 127.0.0.1 that was free a moment ago. */
guint16      imu_test_free_port        (void);
/* Waits until something accepts connections on 127.0.0.1:@port. */
gboolean     imu_test_wait_port        (guint16 port, guint timeout_ms);
/* Spawns a server (killed when the test process dies). */
GSubprocess *imu_test_spawn            (const char * const *argv, GSubprocessFlags flags, GError **error);
/* Spawns @argv (stderr inherited) and waits for the line "PORT=N" on its
 * standard output; N goes to @port. */
GSubprocess *imu_test_spawn_with_port  (const char * const *argv, guint16 *port, GError **error);
/* Kills a server this test started and waits for it to end. */
void         imu_test_stop_server      (GSubprocess *process);
/* How many lines of the text file @path match the regular expression @regex. */
guint        imu_test_count_lines      (const char *path, const char *regex);
/* Runs @argv with @stdin_text (nullable) on its standard input and the
 * environment @envp (nullable: this one); returns its exit status and its
 * standard output and error together in *@output. */
int          imu_test_run              (const char * const *argv, const char * const *envp,
                                        const char *stdin_text, char **output);

G_END_DECLS

/* ---- sync with a library (imu-sync-scheduler) ---- */

G_BEGIN_DECLS

/* Points the secret store at a file in a temporary XDG_CONFIG_HOME and the
 * staging folder at a temporary XDG_CACHE_HOME, and records every log
 * message (debug included) for imu_test_captured_logs(). Call first in main(). */
void       imu_test_sync_init            (void);
/* Every message logged so far, one per line. */
char      *imu_test_captured_logs        (void);
/* A new library at @library_path holding the demo session; returns its uuid. */
char      *imu_test_sync_library_with_session (const char *library_path);
/* Stores @config as a target of the library and @secret in the secret store. */
void       imu_test_sync_add_target      (const char *library_path, ImuSyncTargetConfig *config, const char *secret);
/* Queues pushes (@push) or discovers pulls (@pull) of @target and runs the
 * scheduler until the queue is worked (waiting at most @max_wait_s for retries). */
void       imu_test_sync_run             (const char *library_path, const char *target, gboolean push,
                                          gboolean pull, guint max_wait_s);
/* (element-type ImuSyncItem) */
GPtrArray *imu_test_sync_items           (const char *library_path);
gboolean   imu_test_sync_has_session     (const char *library_path, const char *uuid);

G_END_DECLS
