/* imu-cli-common.c — option parsing, errors and formatting shared by commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>

#include "imu-cli.h"
#include "imu-bundle.h"
#include "imu-json.h"

static gboolean
library_option_cb (const char  *option_name,
                   const char  *value,
                   gpointer     data,
                   GError     **error)
{
  ImuCli *cli = data;

  /* A callback (not G_OPTION_ARG_FILENAME) so the default path set before
   * parsing is freed when the option replaces it. */
  g_free (cli->library_path);
  cli->library_path = g_strdup (value);
  return TRUE;
}

GOptionContext *
imu_cli_option_context_new (ImuCli             *cli,
                            const char         *parameter_string,
                            const char         *summary,
                            const GOptionEntry *entries)
{
  GOptionContext *context = g_option_context_new (parameter_string);
  GOptionGroup *group = g_option_group_new ("imu", _("Options"), _("Show options"), cli, NULL);
  const GOptionEntry global_entries[] = {
    { "library", 0, G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, library_option_cb,
      N_("The library file (default: $IMU_LIBRARY, else $XDG_DATA_HOME/imu-studio/library.db)"),
      N_("PATH") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &cli->quiet,
      N_("No progress bar and no warnings; print only results"), NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &cli->help,
      N_("Show this help"), NULL },
    { NULL }
  };

  g_option_group_set_translation_domain (group, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_group_add_entries (group, entries);
  g_option_group_add_entries (group, global_entries);
  g_option_context_set_main_group (context, group);
  /* Our own --help returns instead of calling exit(), so that the command
   * frees what it holds and the exit code goes through main(). */
  g_option_context_set_help_enabled (context, FALSE);
  if (summary != NULL)
    g_option_context_set_summary (context, summary);
  return context;
}

gboolean
imu_cli_parse_options (ImuCli         *cli,
                       GOptionContext *context,
                       int            *argc,
                       char         ***argv,
                       int            *exit_code)
{
  g_autoptr(GError) error = NULL;

  cli->help = FALSE;
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *exit_code = imu_cli_usage_error (cli, "%s", error->message);
      return FALSE;
    }
  if (cli->help)
    {
      g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);
      g_autofree char *needle = g_strdup_printf ("  %s ", g_get_prgname ());
      const char *at = strstr (text, needle);

      /* GLib writes "Usage: imu [OPTION…] SESSION"; the program name can be
       * set only once, so put the command after it here: "imu show …". */
      if (at != NULL)
        {
          gsize head = (gsize) (at - text) + strlen (needle);

          fwrite (text, 1, head, stdout);
          printf ("%s %s", cli->command, text + head);
        }
      else
        fputs (text, stdout);
      *exit_code = IMU_CLI_EXIT_OK;
      return FALSE;
    }
  return TRUE;
}

int
imu_cli_usage_error (ImuCli     *cli,
                     const char *format,
                     ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  fprintf (stderr, "imu %s: %s\n", cli->command, message);
  /* TRANSLATORS: %s is a command name ("import") */
  fprintf (stderr, _("Try “imu %s --help”.\n"), cli->command);
  return IMU_CLI_EXIT_USAGE;
}

/* Another import holds the library (one import is one transaction):
 * wait for it, say so once, and let Ctrl+C stop the wait. */
static void
waiting_cb (ImuStore   *store,
            const char *holder,
            gpointer    user_data)
{
  ImuCli *cli = user_data;

  if (cli->quiet)
    return;
  if (holder != NULL)
    /* TRANSLATORS: %s is a program: "process 1234 (imu import a.csv)" */
    fprintf (stderr, _("imu: waiting for %s to finish writing to the library… (Ctrl+C stops waiting)\n"), holder);
  else
    fprintf (stderr, _("imu: waiting for another program to finish writing to the library… (Ctrl+C stops waiting)\n"));
}

ImuStore *
imu_cli_get_store (ImuCli  *cli,
                   GError **error)
{
  if (cli->store == NULL)
    {
      cli->store = imu_store_open (cli->library_path, error);
      if (cli->store != NULL)
        imu_store_set_wait_func (cli->store, waiting_cb, cli, cli->cancellable);
    }
  return cli->store;
}

gboolean
imu_cli_library_exists (ImuCli *cli)
{
  return cli->store != NULL || g_file_test (cli->library_path, G_FILE_TEST_EXISTS);
}

ImuStore *
imu_cli_open_existing_store (ImuCli  *cli,
                             GError **error)
{
  /* A mistyped --library must not leave a new empty library behind. */
  if (!imu_cli_library_exists (cli))
    {
      g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_OPEN,
                   _("There is no library at %s (importing a file creates one)."),
                   cli->library_path);
      return NULL;
    }
  return imu_cli_get_store (cli, error);
}

int
imu_cli_exit_code_for_error (const GError *error)
{
  if (error == NULL)
    return IMU_CLI_EXIT_OK;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return IMU_CLI_EXIT_CANCELLED;

  if (error->domain == IMU_STORE_ERROR)
    {
      switch ((ImuStoreError) error->code)
        {
        case IMU_STORE_ERROR_NOT_FOUND:
          return IMU_CLI_EXIT_NOT_FOUND;
        case IMU_STORE_ERROR_AMBIGUOUS:
          return IMU_CLI_EXIT_AMBIGUOUS;
        case IMU_STORE_ERROR_OPEN:
        case IMU_STORE_ERROR_NOT_A_LIBRARY:
        case IMU_STORE_ERROR_NEWER_SCHEMA:
        case IMU_STORE_ERROR_MIGRATION:
        case IMU_STORE_ERROR_FULL:
        case IMU_STORE_ERROR_BUSY:
        case IMU_STORE_ERROR_READONLY:
        case IMU_STORE_ERROR_CORRUPT:
        case IMU_STORE_ERROR_FAILED:
        default:
          return IMU_CLI_EXIT_LIBRARY;
        }
    }

  if (error->domain == IMU_IMPORT_ERROR)
    {
      switch ((ImuImportError) error->code)
        {
        case IMU_IMPORT_ERROR_DUPLICATE:
          return IMU_CLI_EXIT_DUPLICATE;
        case IMU_IMPORT_ERROR_DISK_FULL:
        case IMU_IMPORT_ERROR_STORE:
          return IMU_CLI_EXIT_LIBRARY;
        case IMU_IMPORT_ERROR_READ:
        case IMU_IMPORT_ERROR_EMPTY:
        case IMU_IMPORT_ERROR_NO_DATA:
        case IMU_IMPORT_ERROR_UNRECOGNIZED:
        case IMU_IMPORT_ERROR_BAD_HEADER:
        case IMU_IMPORT_ERROR_TOO_MANY_ERRORS:
        case IMU_IMPORT_ERROR_BAD_TIMESTAMP:
        case IMU_IMPORT_ERROR_FAILED:
        default:
          return IMU_CLI_EXIT_BAD_INPUT;
        }
    }

  /* A bundle is a file from outside: what is wrong with it is bad input,
   * except writing one. */
  if (error->domain == IMU_BUNDLE_ERROR)
    return error->code == IMU_BUNDLE_ERROR_WRITE ? IMU_CLI_EXIT_OUTPUT : IMU_CLI_EXIT_BAD_INPUT;

  /* JSON is only parsed with imu_json_parse() when it came from outside. */
  if (error->domain == IMU_JSON_ERROR)
    return IMU_CLI_EXIT_BAD_INPUT;

  /* Chunks that do not decode mean a damaged library. */
  if (error->domain == IMU_CODEC_ERROR)
    return IMU_CLI_EXIT_LIBRARY;

  if (error->domain == G_IO_ERROR || error->domain == G_FILE_ERROR)
    return IMU_CLI_EXIT_OUTPUT;

  return IMU_CLI_EXIT_LIBRARY;
}

int
imu_cli_report_error (ImuCli       *cli,
                      const char   *what,
                      const GError *error)
{
  static gboolean cancel_reported;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* A cancellation is what the user asked for: say it once, plainly. */
      if (!cancel_reported)
        fprintf (stderr, _("imu: cancelled\n"));
      cancel_reported = TRUE;
    }
  else if (what != NULL)
    fprintf (stderr, "imu: %s: %s\n", what, error->message);
  else
    fprintf (stderr, "imu: %s\n", error->message);

  return imu_cli_exit_code_for_error (error);
}

void
imu_cli_warning (ImuCli     *cli,
                 const char *format,
                 ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (cli->quiet)
    return;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "imu: %s\n", message);
}

ImuSession *
imu_cli_load_session (ImuCli      *cli,
                      const char  *id_or_uuid,
                      GError     **error)
{
  ImuStore *store = imu_cli_get_store (cli, error);
  gint64 id;

  if (store == NULL)
    return NULL;
  id = imu_store_resolve_session (store, id_or_uuid, error);
  if (id <= 0)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, IMU_STORE_ERROR, IMU_STORE_ERROR_NOT_FOUND,
                     _("There is no session “%s” in %s."), id_or_uuid, cli->library_path);
      return NULL;
    }
  return imu_store_load_session (store, id, error);
}

gboolean
imu_cli_check_session_argument (ImuCli  *cli,
                                int      argc,
                                char   **argv,
                                int     *exit_code)
{
  if (argc < 2)
    {
      *exit_code = imu_cli_usage_error (cli, _("which session? Give an id or a uuid prefix"));
      return FALSE;
    }
  if (argc > 2)
    {
      *exit_code = imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[2]);
      return FALSE;
    }
  return TRUE;
}

ImuSession *
imu_cli_parse_session_command (ImuCli          *cli,
                               GOptionContext  *context,
                               int              argc,
                               char           **argv,
                               int             *exit_code)
{
  if (!imu_cli_parse_options (cli, context, &argc, &argv, exit_code)
      || !imu_cli_check_session_argument (cli, argc, argv, exit_code))
    return NULL;
  return imu_cli_open_session (cli, argv[1], exit_code);
}

ImuSession *
imu_cli_open_session (ImuCli     *cli,
                      const char *id_or_uuid,
                      int        *exit_code)
{
  g_autoptr(GError) error = NULL;
  ImuSession *session;

  if (imu_cli_open_existing_store (cli, &error) == NULL
      || (session = imu_cli_load_session (cli, id_or_uuid, &error)) == NULL)
    {
      *exit_code = imu_cli_report_error (cli, NULL, error);
      return NULL;
    }
  return session;
}

gboolean
imu_cli_write_file (const char        *path,
                    ImuCliWriteFunc    write,
                    gpointer           user_data,
                    GError           **error)
{
  g_autoptr(GOutputStream) out = NULL;
  g_autofree char *tmp_path = g_strdup_printf ("%s.XXXXXX", path);
  int fd;

  fd = g_mkstemp (tmp_path);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot create a file next to “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  out = g_unix_output_stream_new (fd, TRUE);

  if (!write (out, user_data, error) || !g_output_stream_close (out, NULL, error))
    {
      g_unlink (tmp_path);
      g_prefix_error (error, "%s: ", path);
      return FALSE;
    }
  /* mkstemp makes the file private; what is written here is an ordinary
   * file. */
  {
    mode_t mask = umask (0);

    umask (mask);
    g_chmod (tmp_path, 0666 & ~mask);
  }
  if (g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot write “%s”: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

char *
imu_cli_format_duration (gint64 duration_ns)
{
  /* Rounded, not truncated, as in the window: 59.6 s is "0:01:00". */
  gint64 s = (MAX (duration_ns, 0) + G_GINT64_CONSTANT (500000000)) / G_GINT64_CONSTANT (1000000000);

  return g_strdup_printf ("%" PRId64 ":%02d:%02d",
                          s / 3600, (int) (s / 60 % 60), (int) (s % 60));
}

/* Floor division, so that times before 1970 land in the right second. */
static void
split_ns (gint64  t_ns,
          gint64 *secs,
          gint64 *frac_ns)
{
  *secs = t_ns / G_GINT64_CONSTANT (1000000000);
  *frac_ns = t_ns % G_GINT64_CONSTANT (1000000000);
  if (*frac_ns < 0)
    {
      *secs -= 1;
      *frac_ns += G_GINT64_CONSTANT (1000000000);
    }
}

char *
imu_cli_format_local_time (gint64 t_ns)
{
  g_autoptr(GDateTime) dt = NULL;
  gint64 secs, frac;

  split_ns (t_ns, &secs, &frac);
  dt = g_date_time_new_from_unix_local (secs);
  if (dt == NULL)
    return g_strdup ("?");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

char *
imu_cli_format_utc_iso8601 (gint64 t_ns)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *base = NULL;
  gint64 secs, frac;

  split_ns (t_ns, &secs, &frac);
  dt = g_date_time_new_from_unix_utc (secs);
  if (dt == NULL)
    return NULL;
  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  if (frac != 0)
    {
      char digits[16];
      int len;

      /* Nanoseconds, without trailing zeros: "…:06.01Z". */
      len = g_snprintf (digits, sizeof digits, "%09" PRId64, frac);
      while (len > 0 && digits[len - 1] == '0')
        digits[--len] = '\0';
      return g_strdup_printf ("%s.%sZ", base, digits);
    }
  return g_strdup_printf ("%sZ", base);
}

double
imu_cli_stream_rate_hz (const ImuStreamInfo *info)
{
  double rate;

  if (info->nominal_rate_hz > 0)
    return info->nominal_rate_hz;
  if (info->n_samples < 2 || info->t_last_ns <= info->t_first_ns)
    return 0;
  rate = (double) (info->n_samples - 1) * 1e9 / (double) (info->t_last_ns - info->t_first_ns);
  return round (rate * 1000) / 1000;
}

char *
imu_cli_format_rate (double rate_hz)
{
  if (!(rate_hz > 0))
    return g_strdup (_("unknown rate"));
  /* TRANSLATORS: a sampling rate, "100 Hz" */
  return g_strdup_printf (_("%.7g Hz"), rate_hz);
}
