/* imu-cli-db.c — `imu db`: back up, restore, see where the space goes, compact
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-cli-progress.h"
#include "imu-sync-backup.h"
#include "imu-sync-queue.h"
#include "imu-sync-targets.h"

static int
db_error (ImuCli *cli, const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fprintf (stderr, _("imu: cancelled, nothing was changed\n"));
      return IMU_CLI_EXIT_CANCELLED;
    }
  fprintf (stderr, "imu: %s\n", error->message);
  if (error->domain == G_IO_ERROR)
    return IMU_CLI_EXIT_OUTPUT;
  /* A damaged backup is a damaged library; any other trouble with the
   * target is imu sync's "the target cannot be used". */
  if (g_error_matches (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_INTEGRITY))
    return IMU_CLI_EXIT_LIBRARY;
  if (g_error_matches (error, IMU_SYNC_ERROR, IMU_SYNC_ERROR_NOT_FOUND))
    return IMU_CLI_EXIT_NOT_FOUND;
  if (error->domain == IMU_SYNC_ERROR)
    return IMU_CLI_EXIT_PARTIAL;
  return imu_cli_exit_code_for_error (error);
}

static int
db_backup (ImuCli *cli, const char *output)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuCliProgress) progress = NULL;
  ImuStore *store;
  gboolean ok;

  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  progress = imu_cli_progress_new (cli, output, IMU_CLI_PROGRESS_ROWS);
  ok = imu_store_backup (store, output, imu_cli_progress_update, progress, cli->cancellable, &error);
  imu_cli_progress_clear (progress);
  if (!ok)
    return db_error (cli, error);
  if (!cli->quiet)
    /* TRANSLATORS: "Backed up /home/ana/.local/share/imu-studio/library.db to /media/usb/lib.db (checked)" */
    printf (_("Backed up %s to %s (checked)\n"), imu_store_get_path (store), output);
  return IMU_CLI_EXIT_OK;
}

static int
db_restore (ImuCli *cli, const char *backup, const char *dest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuCliProgress) progress = imu_cli_progress_new (cli, dest, IMU_CLI_PROGRESS_ROWS);
  gboolean ok;

  ok = imu_store_restore (backup, dest, imu_cli_progress_update, progress, cli->cancellable, &error);
  imu_cli_progress_clear (progress);
  if (!ok)
    return db_error (cli, error);
  if (!cli->quiet)
    /* TRANSLATORS: "Restored lib.db as /home/ana/restored.db (checked); open it with --library /home/ana/restored.db" */
    printf (_("Restored %s as %s (checked); use it with --library %s\n"), backup, dest, dest);
  return IMU_CLI_EXIT_OK;
}

static void
add_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

static int
db_backup_to_target (ImuCli *cli, const char *target_name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuCliProgress) progress = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  g_autofree char *name = NULL;
  ImuStore *store;
  gboolean ok;

  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!(target = imu_sync_targets_open (store, target_name, &error)))
    return imu_cli_report_error (cli, NULL, error);
  progress = imu_cli_progress_new (cli, target_name, IMU_CLI_PROGRESS_ROWS);
  ok = imu_sync_backup_put (store, target, g_get_real_time (), &name, imu_cli_progress_update, progress,
                            cli->cancellable, &error);
  imu_cli_progress_clear (progress);
  if (!ok)
    return db_error (cli, error);
  if (!cli->quiet)
    /* TRANSLATORS: "Backed up /home/ana/.local/share/imu-studio/library.db to target “lab” as library-20261207T183000Z.db.zst (checked, compressed, sha256 kept beside it)" */
    printf (_("Backed up %s to target “%s” as %s (checked, compressed, sha256 kept beside it)\n"),
            imu_store_get_path (store), target_name, name);
  return IMU_CLI_EXIT_OK;
}

static int
db_backups (ImuCli *cli, const char *only)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  ImuStore *store;

  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (only != NULL)
    {
      ImuSyncTargetConfig *config = imu_sync_queue_get_target (store, only, &error);

      if (config == NULL)
        return imu_cli_report_error (cli, NULL, error);
      targets = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_sync_target_config_free);
      g_ptr_array_add (targets, config);
    }
  else if (!(targets = imu_sync_queue_list_targets (store, &error)))
    return imu_cli_report_error (cli, NULL, error);

  json_builder_begin_array (b);
  for (guint i = 0; i < targets->len; i++)
    {
      const ImuSyncTargetConfig *config = g_ptr_array_index (targets, i);
      g_autoptr(ImuSyncTarget) target = NULL;
      g_autoptr(GPtrArray) backups = NULL;

      if (!(target = imu_sync_targets_open_config (config, &error))
          || !(backups = imu_sync_backup_list (target, cli->cancellable, &error)))
        return db_error (cli, error);
      for (guint j = 0; j < backups->len; j++)
        {
          const ImuSyncBackup *backup = g_ptr_array_index (backups, j);
          g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (backup->time_us / G_USEC_PER_SEC);
          g_autofree char *iso = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");

          if (cli->json)
            {
              json_builder_begin_object (b);
              json_builder_set_member_name (b, "target");
              json_builder_add_string_value (b, config->name);
              json_builder_set_member_name (b, "name");
              json_builder_add_string_value (b, backup->name);
              json_builder_set_member_name (b, "date");
              json_builder_add_string_value (b, iso);
              add_int (b, "bytes", backup->size);
              json_builder_end_object (b);
            }
          else
            {
              g_autofree char *size = g_format_size ((guint64) backup->size);

              /* TARGET:NAME first, as imu db restore takes it. */
              printf ("%s:%s\t%s\t%s\n", config->name, backup->name, iso, size);
            }
        }
    }
  json_builder_end_array (b);
  if (cli->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (b);
      imu_cli_json_print (root);
    }
  return IMU_CLI_EXIT_OK;
}

static int
db_restore_from_target (ImuCli *cli, const char *target_name, const char *name, const char *dest)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuCliProgress) progress = NULL;
  g_autoptr(ImuSyncTarget) target = NULL;
  ImuStore *store;
  gboolean ok;

  /* The library holds the target's row (and names its secret). */
  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!(target = imu_sync_targets_open (store, target_name, &error)))
    return imu_cli_report_error (cli, NULL, error);
  progress = imu_cli_progress_new (cli, dest, IMU_CLI_PROGRESS_ROWS);
  ok = imu_sync_backup_restore (target, name, dest, imu_cli_progress_update, progress, cli->cancellable, &error);
  imu_cli_progress_clear (progress);
  if (!ok)
    return db_error (cli, error);
  if (!cli->quiet)
    /* TRANSLATORS: "Restored lab:library-20261207T183000Z.db.zst as /home/ana/restored.db (checked); use it with --library /home/ana/restored.db" */
    printf (_("Restored %s:%s as %s (checked); use it with --library %s\n"), target_name, name, dest, dest);
  return IMU_CLI_EXIT_OK;
}

static void
add_spaces (JsonBuilder *b, GPtrArray *spaces)
{
  json_builder_begin_array (b);
  for (guint i = 0; i < spaces->len; i++)
    {
      const ImuSessionSpace *s = g_ptr_array_index (spaces, i);

      json_builder_begin_object (b);
      add_int (b, "id", s->session_id);
      json_builder_set_member_name (b, "title");
      json_builder_add_string_value (b, s->title);
      add_int (b, "samples_bytes", s->samples);
      add_int (b, "envelopes_bytes", s->envelopes);
      add_int (b, "profiles_bytes", s->profiles);
      add_int (b, "events_bytes", s->events);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static void
print_space (const ImuSessionSpace *s, gboolean trashed)
{
  g_autofree char *samples = g_format_size ((guint64) s->samples);
  g_autofree char *envelopes = g_format_size ((guint64) s->envelopes);
  g_autofree char *other = g_format_size ((guint64) (s->profiles + s->events));

  /* The id first and alone before a tab, as imu list's scripts expect. */
  printf ("%" PRId64 "\t", s->session_id);
  if (trashed)
    /* TRANSLATORS: "“Old run” (in the trash): samples 10.2 MB, envelopes 1.1 MB, profile and events 12.0 kB" */
    printf (_("“%s” (in the trash): samples %s, envelopes %s, profile and events %s\n"), s->title, samples, envelopes,
            other);
  else
    /* TRANSLATORS: "“Morning run”: samples 10.2 MB, envelopes 1.1 MB, profile and events 12.0 kB" */
    printf (_("“%s”: samples %s, envelopes %s, profile and events %s\n"), s->title, samples, envelopes, other);
}

static int
db_stats (ImuCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStoreStats) stats = NULL;
  ImuStore *store;

  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!(stats = imu_store_get_stats (store, &error)))
    return imu_cli_report_error (cli, NULL, error);

  if (cli->json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;

      json_builder_begin_object (b);
      add_int (b, "file_bytes", stats->file_bytes);
      add_int (b, "wal_bytes", stats->wal_bytes);
      add_int (b, "free_bytes", stats->free_bytes);
      add_int (b, "page_size", stats->page_size);
      json_builder_set_member_name (b, "disk_free");
      if (stats->disk_free >= 0)
        json_builder_add_int_value (b, stats->disk_free);
      else
        json_builder_add_null_value (b);
      json_builder_set_member_name (b, "sessions");
      add_spaces (b, stats->sessions);
      /* Apart: their bytes are in the file until the trash is emptied. */
      add_int (b, "trash_bytes", stats->trash_bytes);
      json_builder_set_member_name (b, "trash");
      add_spaces (b, stats->trash);
      json_builder_end_object (b);
      root = json_builder_get_root (b);
      imu_cli_json_print (root);
      return IMU_CLI_EXIT_OK;
    }

  {
    g_autofree char *file = g_format_size ((guint64) stats->file_bytes);
    g_autofree char *wal = g_format_size ((guint64) stats->wal_bytes);
    g_autofree char *unused = g_format_size ((guint64) stats->free_bytes);
    g_autofree char *disk = stats->disk_free >= 0 ? g_format_size ((guint64) stats->disk_free) : g_strdup (_("unknown"));

    /* TRANSLATORS: "Library: 120.3 MB (2.1 MB of it free pages), WAL 4.0 MB, disk free 40.2 GB" */
    printf (_("Library: %s (%s of it free pages), WAL %s, disk free %s\n"), file, unused, wal, disk);
  }
  for (guint i = 0; i < stats->sessions->len; i++)
    print_space (g_ptr_array_index (stats->sessions, i), FALSE);
  if (stats->trash->len > 0)
    {
      g_autofree char *trash = g_format_size ((guint64) stats->trash_bytes);

      /* TRANSLATORS: "In the trash: 2 sessions, 10.3 MB (imu trash empty gives them up)" */
      printf (ngettext ("In the trash: %u session, %s (imu trash empty gives it up)\n",
                        "In the trash: %u sessions, %s (imu trash empty gives them up)\n", stats->trash->len),
              stats->trash->len, trash);
      for (guint i = 0; i < stats->trash->len; i++)
        print_space (g_ptr_array_index (stats->trash, i), TRUE);
    }
  return IMU_CLI_EXIT_OK;
}

static int
db_compact (ImuCli *cli)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStoreStats) before = NULL;
  g_autoptr(ImuStoreStats) after = NULL;
  g_autoptr(ImuCliProgress) progress = NULL;
  ImuStore *store;
  gint64 needed = 0;
  gboolean ok;

  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!(before = imu_store_get_stats (store, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!cli->quiet)
    {
      g_autofree char *size = g_format_size ((guint64) before->file_bytes);
      g_autofree char *gain = g_format_size ((guint64) before->free_bytes);

      /* TRANSLATORS: "imu: compacting 120.3 MB: about 2.1 MB to gain" */
      fprintf (stderr, _("imu: compacting %s: about %s to gain\n"), size, gain);
    }
  progress = imu_cli_progress_new (cli, imu_store_get_path (store), IMU_CLI_PROGRESS_BYTES);
  ok = imu_store_compact (store, &needed, imu_cli_progress_update, progress, cli->cancellable, &error);
  imu_cli_progress_clear (progress);
  if (!ok)
    return db_error (cli, error);
  if (!(after = imu_store_get_stats (store, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!cli->quiet)
    {
      g_autofree char *from = g_format_size ((guint64) before->file_bytes);
      g_autofree char *to = g_format_size ((guint64) after->file_bytes);

      /* TRANSLATORS: "Compacted library.db: 120.3 MB → 118.2 MB" */
      printf (_("Compacted %s: %s → %s\n"), imu_store_get_path (store), from, to);
    }
  return IMU_CLI_EXIT_OK;
}

int
imu_cli_db (ImuCli  *cli,
            int      argc,
            char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *output = NULL;
  g_autofree char *to = NULL;
  g_autofree char *target = NULL;
  const char *sub;
  int status;
  const GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, N_("backup: the backup file to write (a new file)"), N_("FILE") },
    { "to", 0, 0, G_OPTION_ARG_FILENAME, &to,
      N_("backup: the sync target to store the backup on; restore: the new library file to restore into"),
      N_("TARGET|FILE") },
    { "target", 0, 0, G_OPTION_ARG_STRING, &target, N_("backups: list only this target's backups"), N_("TARGET") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("stats, backups: print JSON"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("backup -o FILE|--to TARGET | backups [--target T] | "
                                               "restore BACKUP|TARGET:NAME --to FILE | stats | compact"),
                                        _("Looks after the library: a checked copy of it while it is in use "
                                          "(backup, to a file or compressed onto a sync target), the backups "
                                          "the targets hold (backups), a checked library made from a backup "
                                          "at a new path (restore), the bytes each session takes (stats), and "
                                          "the free pages given back to the disk (compact)."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return imu_cli_usage_error (cli, _("say what to do: backup, backups, restore, stats or compact"));
  sub = argv[1];
  if (g_str_equal (sub, "restore") ? argc != 3 : argc != 2)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[argc - 1]);

  if (g_str_equal (sub, "backup"))
    {
      if ((output == NULL) == (to == NULL))
        return imu_cli_usage_error (cli, _("imu db backup needs either -o FILE or --to TARGET"));
      return output != NULL ? db_backup (cli, output) : db_backup_to_target (cli, to);
    }
  if (g_str_equal (sub, "backups"))
    return db_backups (cli, target);
  if (g_str_equal (sub, "restore"))
    {
      const char *colon = strchr (argv[2], ':');

      if (to == NULL)
        return imu_cli_usage_error (cli, _("imu db restore needs --to FILE, a new library path"));
      /* TARGET:NAME, unless a file of that name is here (a path may hold a colon). */
      if (colon != NULL && colon != argv[2] && strchr (colon, '/') == NULL
          && !g_file_test (argv[2], G_FILE_TEST_EXISTS))
        {
          g_autofree char *target_name = g_strndup (argv[2], (gsize) (colon - argv[2]));
          return db_restore_from_target (cli, target_name, colon + 1, to);
        }
      return db_restore (cli, argv[2], to);
    }
  if (g_str_equal (sub, "stats"))
    return db_stats (cli);
  if (g_str_equal (sub, "compact"))
    return db_compact (cli);
  return imu_cli_usage_error (cli, _("“%s” is not something imu db does: backup, backups, restore, stats or compact"),
                              sub);
}
