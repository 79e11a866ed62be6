/* imu-cli-progress.h — a progress bar on stderr for long commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-cli.h"

G_BEGIN_DECLS

typedef enum {
  IMU_CLI_PROGRESS_BYTES,   /* "12.3 MiB / 40.0 MiB, 8.1 MiB/s" */
  IMU_CLI_PROGRESS_ROWS,    /* "1.2 M / 8.6 M rows, 3.4 M rows/s" */
} ImuCliProgressUnit;

typedef struct _ImuCliProgress ImuCliProgress;

/**
 * imu_cli_progress_new:
 * @label: what is being done ("data.csv"), shown before the bar
 *
 * A progress bar drawn on stderr, only when stderr is a terminal and
 * --quiet was not given (otherwise every call is a no-op). Redraws at most
 * ten times a second.
 */
ImuCliProgress *imu_cli_progress_new    (ImuCli             *cli,
                                         const char         *label,
                                         ImuCliProgressUnit  unit);
/* An ImuProgressFunc: pass the progress as its user data. */
void            imu_cli_progress_update (guint64  done,
                                         guint64  total,
                                         gpointer progress);
/* Erases the bar from the terminal (before printing anything else). */
void            imu_cli_progress_clear  (ImuCliProgress *self);
/* Clears and frees. */
void            imu_cli_progress_free   (ImuCliProgress *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuCliProgress, imu_cli_progress_free)

G_END_DECLS
