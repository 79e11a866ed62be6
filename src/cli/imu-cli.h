/* imu-cli.h — what every `imu` command shares: global options, the command
 * table, exit codes and small helpers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Adding a command: write src/cli/imu-cli-NAME.c with
 *
 *   int imu_cli_NAME (ImuCli *cli, int argc, char **argv);
 *
 * where argv[0] is the command name ("generate") and argv[1..] its own
 * arguments (global options before the command are already consumed and
 * stored in @cli), so a GOptionContext can parse argv as it is. Build the
 * context with imu_cli_option_context_new() (it adds --help and the global
 * options, so they also work after the command), parse it with
 * imu_cli_parse_options(), open the library with imu_cli_get_store(), and
 * return one of the ImuCliExit codes (imu_cli_report_error() prints an
 * error and maps it to its code). A command whose argument is one SESSION
 * parses and opens it with imu_cli_parse_session_command().
 */
#pragma once

#include <glib.h>
#include <gio/gio.h>

#include "imu-core.h"

G_BEGIN_DECLS

/**
 * ImuCliExit:
 *
 * The exit codes of `imu` (stable: scripts rely on them; docs/cli.md).
 */
typedef enum {
  IMU_CLI_EXIT_OK         = 0,
  IMU_CLI_EXIT_USAGE      = 1,   /* bad command line */
  IMU_CLI_EXIT_BAD_INPUT  = 2,   /* an input file cannot be read or imported */
  IMU_CLI_EXIT_DUPLICATE  = 3,   /* the bytes are already in the library */
  IMU_CLI_EXIT_NOT_FOUND  = 4,   /* no such session or stream */
  IMU_CLI_EXIT_LIBRARY    = 5,   /* library cannot be opened, newer schema, corrupt, check failed */
  IMU_CLI_EXIT_AMBIGUOUS  = 6,   /* a uuid prefix matches several sessions */
  IMU_CLI_EXIT_OUTPUT     = 7,   /* an output file cannot be written */
  IMU_CLI_EXIT_PARTIAL    = 8,   /* a folder of device files: some imported, some failed */
  IMU_CLI_EXIT_CANCELLED  = 130, /* interrupted (Ctrl+C) */
} ImuCliExit;

/**
 * ImuCli:
 * @library_path: --library PATH, or imu_store_default_path()
 * @quiet: --quiet: no progress bar, no warnings, only essential output
 * @json: --json given before the command (commands may also set it)
 * @command: the name of the running command ("import")
 * @cancellable: cancelled when the user presses Ctrl+C
 * @store: (nullable): the library, opened on first use by imu_cli_get_store()
 * @help: set by --help while a command parses its options
 *
 * The state of one `imu` run, passed to every command.
 */
typedef struct {
  char         *library_path;
  gboolean      quiet;
  gboolean      json;
  const char   *command;
  GCancellable *cancellable;
  ImuStore     *store;
  gboolean      help;
} ImuCli;

/**
 * ImuCliCommand:
 * @name: what the user types ("import")
 * @summary: one line for `imu --help`, marked with N_()
 * @run: the command's entry point
 */
typedef struct {
  const char *name;
  const char *summary;
  int       (*run) (ImuCli *cli, int argc, char **argv);
} ImuCliCommand;

/* The table of commands, in the order `imu --help` lists them (imu.c). */
extern const ImuCliCommand imu_cli_commands[];
extern const guint         imu_cli_n_commands;

/* Commands (one file each). */
int imu_cli_import   (ImuCli *cli, int argc, char **argv);
int imu_cli_record   (ImuCli *cli, int argc, char **argv);
int imu_cli_formats  (ImuCli *cli, int argc, char **argv);
int imu_cli_list     (ImuCli *cli, int argc, char **argv);
int imu_cli_show     (ImuCli *cli, int argc, char **argv);
int imu_cli_export   (ImuCli *cli, int argc, char **argv);
int imu_cli_delete   (ImuCli *cli, int argc, char **argv);
int imu_cli_trash    (ImuCli *cli, int argc, char **argv);
int imu_cli_check    (ImuCli *cli, int argc, char **argv);
int imu_cli_generate (ImuCli *cli, int argc, char **argv);
int imu_cli_sync     (ImuCli *cli, int argc, char **argv);
int imu_cli_target   (ImuCli *cli, int argc, char **argv);
int imu_cli_profile  (ImuCli *cli, int argc, char **argv);
int imu_cli_demo     (ImuCli *cli, int argc, char **argv);
int imu_cli_edit     (ImuCli *cli, int argc, char **argv);
int imu_cli_compare  (ImuCli *cli, int argc, char **argv);
int imu_cli_db       (ImuCli *cli, int argc, char **argv);
int imu_cli_event    (ImuCli *cli, int argc, char **argv);

/* `imu list --with-profile` (imu-cli-list-profile.c); @format "table",
 * "json" or "csv". */
int imu_cli_list_with_profile (ImuCli     *cli,
                               ImuStore   *store,
                               GPtrArray  *sessions,
                               const char *format);

/* Helpers (imu-cli-common.c). */

/**
 * imu_cli_option_context_new:
 * @parameter_string: (nullable): "SESSION", "PATH…" (translated)
 * @summary: (nullable): a paragraph shown by --help (translated)
 * @entries: (nullable): the command's own options, NULL-terminated
 *
 * A GOptionContext for a command: its own options, the global ones
 * (--library, --quiet), and a --help that prints to stdout and exits 0.
 */
GOptionContext *imu_cli_option_context_new (ImuCli             *cli,
                                            const char         *parameter_string,
                                            const char         *summary,
                                            const GOptionEntry *entries);

/**
 * imu_cli_parse_options:
 * @exit_code: (out): set when the function returns %FALSE: 0 after --help,
 *   IMU_CLI_EXIT_USAGE after a usage error (already printed on stderr)
 *
 * Returns: %TRUE when the command should go on
 */
gboolean        imu_cli_parse_options      (ImuCli         *cli,
                                            GOptionContext *context,
                                            int            *argc,
                                            char         ***argv,
                                            int            *exit_code);

/* Prints "imu COMMAND: MESSAGE" and a hint to --help on stderr; returns IMU_CLI_EXIT_USAGE. */
int             imu_cli_usage_error        (ImuCli *cli, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Opens the library (once, creating it when missing) and returns it
 * (borrowed), or NULL with @error set. */
ImuStore       *imu_cli_get_store          (ImuCli *cli, GError **error);
/* The same for commands that only read or change what exists: a missing
 * library file is an IMU_STORE_ERROR_OPEN error instead of a new library. */
ImuStore       *imu_cli_open_existing_store (ImuCli *cli, GError **error);
/* Whether the library file exists. */
gboolean        imu_cli_library_exists     (ImuCli *cli);

/* The exit code for an error from the core (store, import, codec, I/O, cancel). */
int             imu_cli_exit_code_for_error (const GError *error);

/**
 * imu_cli_report_error:
 * @what: (nullable): where it happened (a file path, a session), printed
 *   before the message
 *
 * Prints "imu: WHAT: MESSAGE" on stderr (nothing for a cancellation, which
 * prints "imu: cancelled" once) and returns imu_cli_exit_code_for_error().
 */
int             imu_cli_report_error       (ImuCli *cli, const char *what, const GError *error);

/* Prints "imu: MESSAGE" on stderr unless --quiet. */
void            imu_cli_warning            (ImuCli *cli, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* Resolves SESSION (numeric id or uuid prefix ≥ 4 hex digits) and loads it
 * with its streams. */
ImuSession     *imu_cli_load_session       (ImuCli      *cli,
                                            const char  *id_or_uuid,
                                            GError     **error);

/* Refuses a command line without its one SESSION argument (argv[1]) or
 * with more: prints the usage error and sets @exit_code. */
gboolean        imu_cli_check_session_argument (ImuCli  *cli,
                                                int      argc,
                                                char   **argv,
                                                int     *exit_code);

/* Opens the existing library and loads SESSION with its streams
 * (imu_cli_load_session()); when either fails, prints the error and sets
 * @exit_code. */
ImuSession     *imu_cli_open_session       (ImuCli     *cli,
                                            const char *id_or_uuid,
                                            int        *exit_code);

/**
 * imu_cli_parse_session_command:
 *
 * For a command whose only argument is SESSION: parses @context
 * (imu_cli_parse_options()), refuses a missing or extra argument, and
 * opens the session (imu_cli_open_session()).
 *
 * Returns: (transfer full) (nullable): the session, or NULL with
 *   @exit_code set when the command should not go on (0 after --help)
 */
ImuSession     *imu_cli_parse_session_command (ImuCli          *cli,
                                               GOptionContext  *context,
                                               int              argc,
                                               char           **argv,
                                               int             *exit_code);

/* Writes the whole of a file to @out; returns FALSE with @error set. */
typedef gboolean (*ImuCliWriteFunc) (GOutputStream  *out,
                                     gpointer        user_data,
                                     GError        **error);

/**
 * imu_cli_write_file:
 *
 * Writes @path through @write into a new file next to it, renamed over
 * @path at the end, so that a failed or cancelled write never leaves a
 * truncated file under the real name. Errors of @write and of closing the
 * file are prefixed with @path. Blocks.
 */
gboolean        imu_cli_write_file         (const char       *path,
                                            ImuCliWriteFunc   write,
                                            gpointer          user_data,
                                            GError          **error);

/* Formatting shared by list/show/import. */
char           *imu_cli_format_duration    (gint64 duration_ns);          /* "1:02:03" */
char           *imu_cli_format_local_time  (gint64 t_ns);                 /* "2019-02-26 11:55:06" */
char           *imu_cli_format_utc_iso8601 (gint64 t_ns);                 /* "2019-02-26T10:55:06.01Z" */
/* The rate a stream reports: its nominal rate when known, else the
 * effective (n−1)/(t_last−t_first) rounded to 0.001 Hz; 0 when unknown. */
double          imu_cli_stream_rate_hz     (const ImuStreamInfo *info);
/* "100 Hz", "99.98 Hz", "unknown rate" */
char           *imu_cli_format_rate        (double rate_hz);

G_END_DECLS
