/* imu-cli-export.c — `imu export`: a session's streams as CSV files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <gio/gunixoutputstream.h>

#include "imu-cli.h"
#include "imu-cli-progress.h"
#include "imu-export-csv.h"
#include "imu-bundle.h"

/* Writes @streams (one, or all those of a one-file session) as a CSV
 * that re-imports on its own (imu_export_csv_write ()). */
static gboolean
export_to_stream (ImuCli     *cli,
                  const char *label,
                  GPtrArray  *streams,
                  GOutputStream *out,
                  GError    **error)
{
  g_autoptr(ImuCliProgress) progress = imu_cli_progress_new (cli, label, IMU_CLI_PROGRESS_ROWS);

  return imu_export_csv_write (cli->store, streams, out,
                               imu_cli_progress_update, progress,
                               cli->cancellable, error);
}

/* A one-element array of @info (borrowed). */
static GPtrArray *
just (const ImuStreamInfo *info)
{
  GPtrArray *one = g_ptr_array_new ();

  g_ptr_array_add (one, (gpointer) info);
  return one;
}

/* What export_cb() writes. */
typedef struct {
  ImuCli     *cli;
  const char *label;
  GPtrArray  *streams;
} Export;

static gboolean
export_cb (GOutputStream  *out,
           gpointer        user_data,
           GError        **error)
{
  Export *export = user_data;

  return export_to_stream (export->cli, export->label, export->streams, out, error);
}

/* Never leaves a truncated file under @path (imu_cli_write_file()). */
static gboolean
export_to_file (ImuCli     *cli,
                const char *label,
                GPtrArray  *streams,
                const char *path,
                GError    **error)
{
  Export export = { cli, label, streams };

  return imu_cli_write_file (path, export_cb, &export, error);
}

static gboolean
export_to_stdout (ImuCli     *cli,
                  const char *label,
                  GPtrArray  *streams,
                  GError    **error)
{
  g_autoptr(GOutputStream) out = NULL;

  fflush (stdout);
  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  return export_to_stream (cli, label, streams, out, error);
}

/* Makes the directory @path and its parents; says on stderr why not. */
static gboolean
make_directory (const char *path)
{
  int saved_errno;

  if (g_mkdir_with_parents (path, 0777) == 0)
    return TRUE;
  saved_errno = errno;
  fprintf (stderr, _("imu: %s: cannot create the directory: %s\n"), path, g_strerror (saved_errno));
  return FALSE;
}

static int
report_export_error (ImuCli       *cli,
                     const GError *error)
{
  return imu_cli_report_error (cli, NULL, error);
}

int
imu_cli_export (ImuCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) selected = NULL;
  g_autofree char *stream_name = NULL;
  g_autofree char *format = NULL;
  g_autofree char *output = NULL;
  g_autofree char *bundle_format = NULL;
  g_autofree char *layout_name = NULL;
  ImuExportLayout layout = IMU_EXPORT_LAYOUT_STREAMS;
  GPtrArray *streams;
  gboolean to_directory;
  int status;
  const GOptionEntry entries[] = {
    { "stream", 0, 0, G_OPTION_ARG_STRING, &stream_name,
      N_("Export only the stream called NAME"), N_("NAME") },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format,
      N_("Output format: csv (the default) or bundle (the whole session as one archive, docs/bundle.md)"), N_("FORMAT") },
    { "bundle-format", 0, 0, G_OPTION_ARG_STRING, &bundle_format,
      N_("Archive of a bundle: tar (tar + zstd, the default) or zip"), N_("KIND") },
    { "layout", 0, 0, G_OPTION_ARG_STRING, &layout_name,
      N_("Files to write: streams (one NAME.csv per stream, the default) or source (one CSV, as the "
         "session came, when it came from one file)"), N_("LAYOUT") },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
      N_("Where to write: a file for one stream, a directory for several, - for standard output"), N_("PATH") },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("SESSION"),
                                        _("Writes a session's streams as CSV, with the time column "
                                          "and the channel names and units the source had, so that "
                                          "importing the file again gives back the same samples. "
                                          "One stream goes to the file PATH; a session with several "
                                          "streams (and no --stream) goes to the directory PATH, one "
                                          "NAME.csv per stream."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (!imu_cli_check_session_argument (cli, argc, argv, &status))
    return status;
  if (format != NULL && !g_str_equal (format, "csv") && !g_str_equal (format, "bundle"))
    return imu_cli_usage_error (cli, _("unknown format “%s” (use csv or bundle)"), format);
  if (output == NULL)
    return imu_cli_usage_error (cli, _("where to? Give -o PATH (or -o - for standard output)"));
  if (layout_name != NULL && !imu_export_layout_from_string (layout_name, &layout))
    return imu_cli_usage_error (cli, _("unknown layout “%s” (use streams or source)"), layout_name);
  if (g_strcmp0 (format, "bundle") == 0)
    {
      /* The whole session as one archive (imu-bundle.c). */
      g_autoptr(ImuCliProgress) progress = NULL;
      ImuBundleArchive archive = IMU_BUNDLE_ARCHIVE_TAR_ZSTD;

      if (bundle_format != NULL && !imu_bundle_archive_from_string (bundle_format, &archive))
        return imu_cli_usage_error (cli, _("unknown bundle format “%s” (use tar or zip)"), bundle_format);
      if (g_str_equal (output, "-") || stream_name != NULL)
        return imu_cli_usage_error (cli, _("a bundle is written to a file (-o FILE), with every stream"));
      if (!(session = imu_cli_open_session (cli, argv[1], &status)))
        return status;
      progress = imu_cli_progress_new (cli, imu_session_get_title (session), IMU_CLI_PROGRESS_ROWS);
      if (!imu_bundle_write (cli->store, imu_session_get_id (session), output, archive,
                             imu_cli_progress_update, progress, cli->cancellable, NULL, &error))
        {
          imu_cli_progress_clear (progress);
          if (error->domain == IMU_BUNDLE_ERROR)
            {
              fprintf (stderr, "imu: %s\n", error->message);
              return IMU_CLI_EXIT_OUTPUT;
            }
          return report_export_error (cli, error);
        }
      imu_cli_progress_clear (progress);
      if (!cli->quiet)
        printf ("%s\n", output);
      return IMU_CLI_EXIT_OK;
    }

  if (!(session = imu_cli_open_session (cli, argv[1], &status)))
    return status;

  streams = imu_session_get_streams (session);
  selected = g_ptr_array_new ();
  for (guint i = 0; streams != NULL && i < streams->len; i++)
    {
      ImuStreamInfo *info = g_ptr_array_index (streams, i);

      if (stream_name == NULL || g_str_equal (info->name, stream_name))
        g_ptr_array_add (selected, info);
    }

  if (selected->len == 0)
    {
      g_autoptr(GString) names = g_string_new (NULL);

      for (guint i = 0; streams != NULL && i < streams->len; i++)
        g_string_append_printf (names, "%s“%s”", i > 0 ? ", " : "",
                                ((ImuStreamInfo *) g_ptr_array_index (streams, i))->name);
      if (stream_name != NULL)
        fprintf (stderr, _("imu: session %s has no stream “%s” (it has: %s)\n"),
                 argv[1], stream_name, names->len > 0 ? names->str : _("none"));
      else
        fprintf (stderr, _("imu: session %s has no streams\n"), argv[1]);
      return IMU_CLI_EXIT_NOT_FOUND;
    }

  /* The layout the session came in: a session from one CSV goes back into
   * one CSV, named after its source inside a directory. */
  if (layout == IMU_EXPORT_LAYOUT_SOURCE && stream_name == NULL
      && imu_export_csv_session_is_one_file (session))
    {
      g_autofree char *file_name = imu_export_csv_source_file_name (session);
      g_autofree char *path = NULL;

      if (g_str_equal (output, "-"))
        {
          if (!export_to_stdout (cli, file_name, selected, &error))
            return report_export_error (cli, error);
          return IMU_CLI_EXIT_OK;
        }
      /* "DIR/" names a directory, made when missing, as for several streams. */
      if (g_str_has_suffix (output, G_DIR_SEPARATOR_S) && !make_directory (output))
        return IMU_CLI_EXIT_OUTPUT;
      path = g_file_test (output, G_FILE_TEST_IS_DIR) ? g_build_filename (output, file_name, NULL)
                                                       : g_strdup (output);
      if (!export_to_file (cli, file_name, selected, path, &error))
        return report_export_error (cli, error);
      if (!cli->quiet)
        printf ("%s\n", path);
      return IMU_CLI_EXIT_OK;
    }

  /* Several streams, or a directory given for one: one NAME.csv each. */
  to_directory = selected->len > 1 ||
                 (!g_str_equal (output, "-") && g_file_test (output, G_FILE_TEST_IS_DIR));

  if (g_str_equal (output, "-"))
    {
      const ImuStreamInfo *info = g_ptr_array_index (selected, 0);
      g_autoptr(GPtrArray) one = NULL;

      if (selected->len > 1)
        return imu_cli_usage_error (cli, _("session %s has %u streams: choose one with --stream "
                                           "to write to standard output"), argv[1], selected->len);
      one = just (info);
      if (!export_to_stdout (cli, info->name, one, &error))
        return report_export_error (cli, error);
      return IMU_CLI_EXIT_OK;
    }

  if (to_directory && !make_directory (output))
    return IMU_CLI_EXIT_OUTPUT;

  for (guint i = 0; i < selected->len; i++)
    {
      const ImuStreamInfo *info = g_ptr_array_index (selected, i);
      g_autofree char *file_name = imu_export_csv_stream_file_name (info->name);
      g_autofree char *path = to_directory ? g_build_filename (output, file_name, NULL) : g_strdup (output);
      g_autoptr(GPtrArray) one = just (info);

      if (!export_to_file (cli, info->name, one, path, &error))
        return report_export_error (cli, error);
      if (!cli->quiet)
        printf ("%s\n", path);
    }
  return IMU_CLI_EXIT_OK;
}
