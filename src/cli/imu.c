/* imu.c — `imu`: main, global options and the command table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "imu-cli.h"

const ImuCliCommand imu_cli_commands[] = {
  { "import",   N_("Import files, folders or archives as new sessions"), imu_cli_import },
  { "record",   N_("Record a live source (UDP, Sensor Logger, a replay) as a new session"), imu_cli_record },
  { "formats",  N_("List the formats import reads or recognises"),     imu_cli_formats },
  { "list",     N_("List the sessions of the library"),                   imu_cli_list },
  { "show",     N_("Show a session: metadata, streams, imports"),         imu_cli_show },
  { "compare",  N_("Align two to four sessions and show how they differ"), imu_cli_compare },
  { "edit",     N_("Change a session's title, subject, activity, tags or notes"), imu_cli_edit },
  { "event",    N_("Add, list, change, delete, import and export a session's events"), imu_cli_event },
  { "export",   N_("Write a session's streams as CSV"),                   imu_cli_export },
  { "delete",   N_("Delete a session and everything it holds"),          imu_cli_delete },
  { "trash",    N_("List, restore or empty the sessions deleted lately"), imu_cli_trash },
  { "check",    N_("Check the library's integrity"),                      imu_cli_check },
  { "db",       N_("Back up, restore, measure and compact the library"),  imu_cli_db },
  { "generate", N_("Generate a synthetic session"),                       imu_cli_generate },
  { "sync",     N_("Send sessions to sync targets and fetch theirs"),     imu_cli_sync },
  { "target",   N_("Add, list, test and remove sync targets"),           imu_cli_target },
  { "profile",  N_("Profile sessions: statistics, data quality, movement, reports"), imu_cli_profile },
  { "demo",     N_("Add the demo session to the library"),                imu_cli_demo },
};
const guint imu_cli_n_commands = G_N_ELEMENTS (imu_cli_commands);

static const ImuCliCommand *
find_command (const char *name)
{
  for (guint i = 0; i < imu_cli_n_commands; i++)
    if (g_str_equal (imu_cli_commands[i].name, name))
      return &imu_cli_commands[i];
  return NULL;
}

static char *
commands_description (void)
{
  GString *s = g_string_new (_("Commands:"));
  int width = 0;

  for (guint i = 0; i < imu_cli_n_commands; i++)
    width = MAX (width, (int) strlen (imu_cli_commands[i].name));
  for (guint i = 0; i < imu_cli_n_commands; i++)
    g_string_append_printf (s, "\n  %-*s  %s", width, imu_cli_commands[i].name,
                            _(imu_cli_commands[i].summary));
  g_string_append (s, "\n\n");
  g_string_append (s, _("Run “imu COMMAND --help” for a command’s options. "
                        "The library is $IMU_LIBRARY when set, else "
                        "$XDG_DATA_HOME/imu-studio/library.db."));
  return g_string_free (s, FALSE);
}

/* Ctrl+C cancels the running operation through the cancellable. The import,
 * export and check calls are synchronous, so a main loop cannot deliver the
 * signal; instead SIGINT is blocked in every thread and one thread waits for
 * it with sigwait(), where calling g_cancellable_cancel() is safe. A second
 * Ctrl+C exits at once: the library is protected by its transaction. */
static gpointer
sigint_worker (gpointer data)
{
  GCancellable *cancellable = data;
  sigset_t set;
  gboolean seen = FALSE;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  for (;;)
    {
      int sig = 0;

      if (sigwait (&set, &sig) != 0 || sig != SIGINT)
        continue;
      if (seen)
        _exit (IMU_CLI_EXIT_CANCELLED);
      seen = TRUE;
      g_cancellable_cancel (cancellable);
    }
  return NULL;
}

static void
watch_sigint (GCancellable *cancellable)
{
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGINT);
  pthread_sigmask (SIG_BLOCK, &set, NULL);
  /* The thread keeps its reference for the life of the process. */
  g_thread_unref (g_thread_new ("imu-sigint", sigint_worker, g_object_ref (cancellable)));
}

int
main (int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *library = NULL;
  g_autofree char *description = NULL;
  g_autofree char *summary = NULL;
  gboolean quiet = FALSE;
  gboolean json = FALSE;
  gboolean version = FALSE;
  gboolean help = FALSE;
  const ImuCliCommand *command;
  ImuCli cli = { 0 };
  int status;
  const GOptionEntry entries[] = {
    { "library", 0, 0, G_OPTION_ARG_FILENAME, &library,
      N_("The library file (default: $IMU_LIBRARY, else $XDG_DATA_HOME/imu-studio/library.db)"),
      N_("PATH") },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet,
      N_("No progress bar and no warnings; print only results"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print results as JSON (commands that support it)"), NULL },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { "help", 'h', 0, G_OPTION_ARG_NONE, &help,
      N_("Show help options"), NULL },
    { NULL }
  };

  /* Before any thread exists, so that every thread inherits the mask. */
  cli.cancellable = g_cancellable_new ();
  watch_sigint (cli.cancellable);

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("imu");

  summary = g_strdup (_("Import, inspect and export IMU sessions in an IMU Studio library."));
  description = commands_description ();
  context = g_option_context_new (_("COMMAND [ARGUMENT…]"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  g_option_context_set_description (context, description);
  g_option_context_set_help_enabled (context, FALSE);
  /* Stop at the command name: what follows belongs to the command. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "imu: %s\n", error->message);
      fprintf (stderr, _("Try “imu --help”.\n"));
      status = IMU_CLI_EXIT_USAGE;
      goto out;
    }

  if (version)
    {
      printf ("imu %s\n", IMU_VERSION);
      status = IMU_CLI_EXIT_OK;
      goto out;
    }

  if (help || argc < 2)
    {
      g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);

      fputs (text, help ? stdout : stderr);
      status = help ? IMU_CLI_EXIT_OK : IMU_CLI_EXIT_USAGE;
      goto out;
    }

  /* `imu help COMMAND` is `imu COMMAND --help`. */
  if (g_str_equal (argv[1], "help"))
    {
      if (argc < 3)
        {
          g_autofree char *text = g_option_context_get_help (context, TRUE, NULL);

          fputs (text, stdout);
          status = IMU_CLI_EXIT_OK;
          goto out;
        }
      command = find_command (argv[2]);
      if (command != NULL)
        {
          char *help_argv[] = { argv[2], (char *) "--help", NULL };

          cli.library_path = library != NULL ? g_strdup (library) : imu_store_default_path ();
          cli.command = command->name;
          status = command->run (&cli, 2, help_argv);
          goto out;
        }
      argv[1] = argv[2];
    }

  command = find_command (argv[1]);
  if (command == NULL)
    {
      fprintf (stderr, _("imu: unknown command “%s”\n"), argv[1]);
      fprintf (stderr, _("Try “imu --help”.\n"));
      status = IMU_CLI_EXIT_USAGE;
      goto out;
    }

  cli.library_path = library != NULL ? g_strdup (library) : imu_store_default_path ();
  cli.quiet = quiet;
  cli.json = json;
  cli.command = command->name;
  status = command->run (&cli, argc - 1, argv + 1);

out:
  fflush (stdout);
  if (ferror (stdout) && status == IMU_CLI_EXIT_OK)
    {
      fprintf (stderr, _("imu: cannot write to standard output\n"));
      status = IMU_CLI_EXIT_OUTPUT;
    }
  g_clear_object (&cli.store);
  g_clear_object (&cli.cancellable);
  g_free (cli.library_path);
  return status;
}
