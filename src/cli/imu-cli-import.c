/* imu-cli-import.c — `imu import`: files, folders and archives into sessions
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-cli-progress.h"
#include "imu-device-clock.h"
#include "imu-importer.h"

/* What an issue code's kept numbers count: lines of text (1-based; 0 is
 * "no line"), or a device file's blocks (0-based) or records (1-based). */
typedef enum { WHERE_LINES, WHERE_BLOCKS, WHERE_RECORDS } IssueWhere;

static IssueWhere
issue_where (const char *code)
{
  if (g_str_equal (code, IMU_ISSUE_CORRUPT_BLOCK))
    return WHERE_BLOCKS;
  if (g_str_equal (code, IMU_ISSUE_CORRUPT_RECORD) || g_str_equal (code, IMU_ISSUE_TRUNCATED_RECORD)
      || g_str_equal (code, IMU_ISSUE_BAD_RECORD) || g_str_equal (code, IMU_ISSUE_RECORD_TIME))
    return WHERE_RECORDS;
  return WHERE_LINES;
}

/* "data.csv: E_NUMERIC_FORMAT: 3 times (lines 12, 40, 41)" per issue code, on stderr. */
static void
warn_issues (ImuCli                *cli,
             const char            *path,
             const ImuImportResult *result)
{
  g_autoptr(GList) codes = NULL;

  if (cli->quiet || result->issue_counts == NULL)
    return;

  codes = g_list_sort (g_hash_table_get_keys (result->issue_counts), (GCompareFunc) g_strcmp0);
  for (GList *l = codes; l != NULL; l = l->next)
    {
      const char *code = l->data;
      int count = GPOINTER_TO_INT (g_hash_table_lookup (result->issue_counts, code));
      GArray *lines = result->issue_lines != NULL ? g_hash_table_lookup (result->issue_lines, code) : NULL;
      IssueWhere kind = issue_where (code);
      g_autoptr(GString) where = g_string_new (NULL);

      for (guint i = 0; lines != NULL && i < lines->len; i++)
        {
          gint64 line = g_array_index (lines, gint64, i);

          if (line < 0 || (line == 0 && kind != WHERE_BLOCKS))
            continue;
          g_string_append_printf (where, "%s%" PRId64, where->len > 0 ? ", " : "", line);
        }
      if (where->len > 0 && (guint) count > lines->len)
        g_string_append (where, ", …");

      if (where->len == 0)
        imu_cli_warning (cli, ngettext ("%s: %s: %d time", "%s: %s: %d times", count),
                         path, code, count);
      else if (kind == WHERE_BLOCKS)
        /* TRANSLATORS: "run.cwa: W_CORRUPT_BLOCK: 6 times (blocks 0, 13, 14, 142, 143, 144)" */
        imu_cli_warning (cli, ngettext ("%s: %s: %d time (block %s)", "%s: %s: %d times (blocks %s)", count),
                         path, code, count, where->str);
      else if (kind == WHERE_RECORDS)
        /* TRANSLATORS: "run.gt3x: W_CORRUPT_RECORD: 2 times (records 12, 40)" */
        imu_cli_warning (cli, ngettext ("%s: %s: %d time (record %s)", "%s: %s: %d times (records %s)", count),
                         path, code, count, where->str);
      else
        /* TRANSLATORS: "data.csv: E_NUMERIC_FORMAT: 3 times (lines 12, 40, 41)" */
        imu_cli_warning (cli, ngettext ("%s: %s: %d time (line %s)",
                                        "%s: %s: %d times (lines %s)", count),
                         path, code, count, where->str);
    }
}

static void
print_summary (const ImuImportResult *result,
               ImuSession            *session)
{
  GPtrArray *streams = session != NULL ? imu_session_get_streams (session) : NULL;
  guint n_streams = streams != NULL ? streams->len : 0;
  guint n_channels = 0;
  g_autofree char *duration = imu_cli_format_duration (session != NULL ? imu_session_get_duration_ns (session) : 0);
  g_autofree char *streams_text = NULL;
  g_autofree char *channels_text = NULL;
  g_autofree char *rows_number = NULL;
  g_autofree char *rows_text = NULL;

  for (guint i = 0; i < n_streams; i++)
    n_channels += ((ImuStreamInfo *) g_ptr_array_index (streams, i))->n_channels;

  streams_text = g_strdup_printf (ngettext ("%u stream", "%u streams", n_streams), n_streams);
  channels_text = g_strdup_printf (ngettext ("%u channel", "%u channels", n_channels), n_channels);
  rows_number = g_strdup_printf ("%" PRId64, result->rows);
  /* TRANSLATORS: %s is a number of rows */
  rows_text = g_strdup_printf (ngettext ("%s row", "%s rows", (gulong) MIN (result->rows, G_MAXLONG)),
                               rows_number);

  /* The id first and alone before a tab, so that scripts can cut it out. */
  printf ("%" PRId64 "\t", result->session_id);
  /* TRANSLATORS: "“Morning run” (csv): 2 streams, 6 channels, 1000 rows, 0:00:10" */
  printf (_("“%s” (%s): %s, %s, %s, %s\n"),
          result->title != NULL ? result->title : "",
          result->format != NULL ? result->format : "?",
          streams_text, channels_text, rows_text, duration);
}

/* Prints "imu: PATH: what went wrong". Import messages already name the
 * file, by its path or (from a format importer, with line and column) by
 * its base name: print that name once, as the path the user typed. */
static int
report_import_error (ImuCli       *cli,
                     const char   *path,
                     const char   *absolute,
                     const GError *error)
{
  g_autofree char *base = g_path_get_basename (path);
  gsize absolute_len = strlen (absolute);
  gsize base_len = strlen (base);
  const char *message = error->message;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return imu_cli_report_error (cli, path, error);

  if (g_str_has_prefix (message, absolute) && (message[absolute_len] == ':' || message[absolute_len] == ' '))
    fprintf (stderr, "imu: %s%s\n", path, message + absolute_len);
  else if (g_str_has_prefix (message, base) && message[base_len] == ':' && message[base_len + 1] == ' ')
    fprintf (stderr, "imu: %s: %s\n", path, message + base_len + 2);
  else
    fprintf (stderr, "imu: %s: %s\n", path, message);
  return imu_cli_exit_code_for_error (error);
}

/* "already imported as session 3 “Morning run” (uuid …)" */
static void
report_duplicate (ImuCli       *cli,
                  ImuStore     *store,
                  const char   *path,
                  const char   *absolute,
                  gint64        duplicate_of,
                  const GError *error)
{
  g_autoptr(ImuSession) existing = NULL;
  g_autofree char *id_text = NULL;

  if (duplicate_of > 0)
    existing = imu_store_load_session (store, duplicate_of, NULL);
  if (existing == NULL)
    {
      report_import_error (cli, path, absolute, error);
      return;
    }
  id_text = g_strdup_printf ("%" PRId64, imu_session_get_id (existing));
  if (imu_store_resolve_trashed (store, id_text, NULL) == imu_session_get_id (existing))
    {
      /* TRANSLATORS: "imu: run.csv: session 3 “Morning run” (uuid 1b4e…), in the trash, holds it; …" */
      fprintf (stderr, _("imu: %s: session %s “%s” (uuid %s), in the trash, holds it; "
                         "imu trash restore %s brings it back, or pass --allow-duplicate to import it again\n"),
               path, id_text, imu_session_get_title (existing), imu_session_get_uuid (existing), id_text);
      return;
    }
  /* TRANSLATORS: "imu: run.csv: already imported as session 3 “Morning run” (uuid 1b4e…); …" */
  fprintf (stderr, _("imu: %s: already imported as session %s “%s” (uuid %s); "
                     "pass --allow-duplicate to import it again\n"),
           path, id_text, imu_session_get_title (existing), imu_session_get_uuid (existing));
}

typedef enum {
  OUTCOME_IMPORTED,
  OUTCOME_DUPLICATE,
  OUTCOME_FAILED,
  OUTCOME_CANCELLED,
} OutcomeKind;

/* What became of one path, for a folder's summary. */
typedef struct {
  OutcomeKind kind;
  int         code;          /* exit code of a failure */
  gint64      session_id;    /* the new session, or the one that holds the bytes */
  gint64      samples;
  gint64      duration_ns;
  guint       n_issues;      /* issue codes that occurred */
  char       *message;       /* a failure's */
  const char *file;          /* a folder's: the name in it (borrowed) */
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->message, g_free);
}

static void report_imported (ImuCli *cli, ImuStore *store, const char *path, const ImuImportResult *result,
                             JsonArray *json_results, Outcome *outcome);

/* Imports @path as one session, printing what the command prints for it. */
static void
import_one (ImuCli                 *cli,
            ImuStore               *store,
            const char             *path,
            const ImuImportOptions *options,
            JsonArray              *json_results,
            Outcome                *outcome)
{
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GError) import_error = NULL;
  g_autoptr(ImuCliProgress) progress = NULL;
  g_autofree char *label = g_path_get_basename (path);
  /* The audit row keeps the path: make it mean something later, from
   * any working directory. Messages still show the path as typed. */
  g_autofree char *absolute = g_canonicalize_filename (path, NULL);
  gint64 duplicate_of = 0;

  memset (outcome, 0, sizeof *outcome);
  progress = imu_cli_progress_new (cli, label, IMU_CLI_PROGRESS_BYTES);
  result = imu_import_path (store, absolute, options,
                            imu_cli_progress_update, progress,
                            &duplicate_of, cli->cancellable, &import_error);
  imu_cli_progress_clear (progress);

  if (result == NULL)
    {
      if (g_error_matches (import_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_cancellable_is_cancelled (cli->cancellable))
        {
          /* Stop here: the user wants the whole batch to end. */
          outcome->kind = OUTCOME_CANCELLED;
          fprintf (stderr, _("imu: %s: import cancelled, nothing of it was kept\n"), path);
          return;
        }
      if (g_error_matches (import_error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE))
        {
          outcome->kind = OUTCOME_DUPLICATE;
          outcome->session_id = duplicate_of;
          report_duplicate (cli, store, path, absolute, duplicate_of, import_error);
        }
      else
        {
          outcome->kind = OUTCOME_FAILED;
          outcome->code = report_import_error (cli, path, absolute, import_error);
          outcome->message = g_strdup (import_error->message);
        }
      return;
    }

  report_imported (cli, store, path, result, json_results, outcome);
}

/* What the command prints for a file that was imported. */
static void
report_imported (ImuCli                *cli,
                 ImuStore              *store,
                 const char            *path,
                 const ImuImportResult *result,
                 JsonArray             *json_results,
                 Outcome               *outcome)
{
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GError) import_error = NULL;

  session = imu_store_load_session (store, result->session_id, &import_error);
  if (session == NULL)
    {
      outcome->kind = OUTCOME_FAILED;
      outcome->code = imu_cli_report_error (cli, path, import_error);
      outcome->message = g_strdup (import_error->message);
      return;
    }

  outcome->kind = OUTCOME_IMPORTED;
  outcome->session_id = result->session_id;
  outcome->samples = result->rows;
  outcome->duration_ns = imu_session_get_duration_ns (session);
  outcome->n_issues = result->issue_counts != NULL ? g_hash_table_size (result->issue_counts) : 0;
  if (json_results != NULL)
    {
      JsonNode *node = imu_cli_json_import_result (result, session);

      if (outcome->file != NULL)
        {
          json_object_set_string_member (json_node_get_object (node), "file", outcome->file);
          json_object_set_string_member (json_node_get_object (node), "status", "imported");
        }
      json_array_add_element (json_results, node);
    }
  else if (cli->quiet)
    printf ("%" PRId64 "\n", result->session_id);
  else
    print_summary (result, session);
  fflush (stdout);
  if (result->device_clock != NULL && json_results == NULL && !cli->quiet)
    /* TRANSLATORS: "imu: run.cwa: device clock read as Europe/Berlin (UTC+01:00), this computer's time zone" */
    fprintf (stderr, _("imu: %s: device clock read as %s\n"), path, result->device_clock);
  warn_issues (cli, path, result);
}

/* A lab's folder of device files, imported by imu_import_files(). */
typedef struct {
  ImuCli         *cli;
  ImuStore       *store;
  GPtrArray      *devices;
  JsonArray      *json_results;
  Outcome        *outcomes;
  const char     *names_of;   /* the folder as typed */
  gsize           prefix;
  ImuCliProgress *progress;
  guint64        *done;       /* bytes read per file */
  guint64        *sizes;
  guint64         total;
  guint           n_imported, n_duplicate, n_failed, n_cancelled;
  int             first_failure;
} Folder;

/* "visit 2/b.cwa": a file's name in the folder, for the table and JSON. */
static const char *
folder_name (const Folder *f, const char *path)
{
  return path + MIN (strlen (path), f->prefix + 1);
}

static void
folder_report_cb (const ImuImportFileReport *r,
                  gpointer                   data)
{
  Folder *f = data;
  Outcome *o = &f->outcomes[r->index];
  /* Messages name the file as typed; the library keeps its absolute path. */
  const char *path = g_ptr_array_index (f->devices, r->index);
  guint64 sum = 0;

  if (r->state == IMU_IMPORT_FILE_PROGRESS)
    f->done[r->index] = r->done;
  else
    f->done[r->index] = f->sizes[r->index];
  for (guint i = 0; i < f->devices->len; i++)
    sum += f->done[i];
  if (r->state == IMU_IMPORT_FILE_PROGRESS)
    {
      imu_cli_progress_update (sum, f->total, f->progress);
      return;
    }

  imu_cli_progress_clear (f->progress);
  memset (o, 0, sizeof *o);
  o->file = folder_name (f, path);
  switch (r->state)
    {
    case IMU_IMPORT_FILE_IMPORTED:
      report_imported (f->cli, f->store, path, r->result, f->json_results, o);
      break;
    case IMU_IMPORT_FILE_DUPLICATE:
      o->kind = OUTCOME_DUPLICATE;
      o->session_id = r->session_id;
      report_duplicate (f->cli, f->store, path, r->path, r->session_id, r->error);
      break;
    case IMU_IMPORT_FILE_FAILED:
      o->kind = OUTCOME_FAILED;
      o->code = report_import_error (f->cli, path, r->path, r->error);
      o->message = g_strdup (r->error->message);
      break;
    case IMU_IMPORT_FILE_CANCELLED:
    case IMU_IMPORT_FILE_PROGRESS:
    default:
      o->kind = OUTCOME_CANCELLED;
      break;
    }

  switch (o->kind)
    {
    case OUTCOME_IMPORTED:
      f->n_imported++;
      break;
    case OUTCOME_DUPLICATE:
      f->n_duplicate++;
      break;
    case OUTCOME_FAILED:
      f->n_failed++;
      if (f->first_failure == IMU_CLI_EXIT_OK)
        f->first_failure = o->code;
      break;
    case OUTCOME_CANCELLED:
    default:
      f->n_cancelled++;
      break;
    }
  if (f->json_results != NULL && o->kind != OUTCOME_IMPORTED)
    {
      JsonObject *obj = json_object_new ();
      static const char *const status[] = { "imported", "duplicate", "failed", "cancelled" };

      json_object_set_string_member (obj, "file", o->file);
      json_object_set_string_member (obj, "status", status[o->kind]);
      if (o->kind == OUTCOME_DUPLICATE && o->session_id > 0)
        json_object_set_int_member (obj, "id", o->session_id);
      if (o->message != NULL)
        json_object_set_string_member (obj, "message", o->message);
      json_array_add_object_element (f->json_results, obj);
    }
  fflush (stdout);
}

/* A lab's folder of device files: every file its own session (@n_jobs at
 * once), failures listed without stopping the rest, then one table.
 * Returns the exit code: 0 when every file is in the library (imported
 * now or before), 8 when some failed, the first failure's code when none
 * was imported, 130 when cancelled. */
static int
import_device_folder (ImuCli                 *cli,
                      ImuStore               *store,
                      const char             *folder,
                      GPtrArray              *devices,
                      GPtrArray              *others,
                      const ImuImportOptions *options,
                      guint                   n_jobs,
                      JsonArray              *json_results)
{
  g_autofree Outcome *outcomes = g_new0 (Outcome, devices->len);
  g_autofree guint64 *done = g_new0 (guint64, devices->len);
  g_autofree guint64 *sizes = g_new0 (guint64, devices->len);
  g_autoptr(ImuCliProgress) progress = NULL;
  g_autofree char *label = g_path_get_basename (folder);
  g_autoptr(GPtrArray) absolute = g_ptr_array_new_with_free_func (g_free);
  Folder f = { 0 };
  gsize prefix = strlen (folder);

  while (prefix > 0 && folder[prefix - 1] == G_DIR_SEPARATOR)
    prefix--;

  for (guint i = 0; others != NULL && i < others->len; i++)
    imu_cli_warning (cli, _("%s: not a device file: passed over (import it by itself)"),
                     (const char *) g_ptr_array_index (others, i));

  f.cli = cli;
  f.store = store;
  f.devices = devices;
  f.json_results = json_results;
  f.outcomes = outcomes;
  f.prefix = prefix;
  f.done = done;
  f.sizes = sizes;
  for (guint i = 0; i < devices->len; i++)
    {
      GStatBuf st;

      if (g_stat (g_ptr_array_index (devices, i), &st) == 0)
        sizes[i] = (guint64) st.st_size;
      f.total += sizes[i];
      g_ptr_array_add (absolute, g_canonicalize_filename (g_ptr_array_index (devices, i), NULL));
    }
  f.progress = progress = imu_cli_progress_new (cli, label, IMU_CLI_PROGRESS_BYTES);
  f.first_failure = IMU_CLI_EXIT_OK;

  imu_import_files (store, absolute, options, n_jobs, folder_report_cb, &f, cli->cancellable, NULL);
  imu_cli_progress_clear (progress);
  if (f.n_cancelled > 0)
    fprintf (stderr, ngettext ("imu: %s: import cancelled; %u file was not imported, nothing of it was kept\n",
                               "imu: %s: import cancelled; %u files were not imported, nothing of them was kept\n",
                               f.n_cancelled),
             folder, f.n_cancelled);

  if (json_results == NULL && !cli->quiet)
    {
      /* TRANSLATORS: the columns of the table after a folder of device files */
      fprintf (stderr, "\n%-40s %8s %12s %10s %7s\n", _("FILE"), _("SESSION"), _("SAMPLES"), _("DURATION"), _("ISSUES"));
      for (guint i = 0; i < devices->len; i++)
        {
          const char *name = folder_name (&f, g_ptr_array_index (devices, i));
          const Outcome *o = &outcomes[i];
          g_autofree char *duration = imu_cli_format_duration (o->duration_ns);

          if (o->kind == OUTCOME_IMPORTED)
            fprintf (stderr, "%-40s %8" PRId64 " %12" PRId64 " %10s %7u\n", name, o->session_id, o->samples,
                     duration, o->n_issues);
          else if (o->kind == OUTCOME_DUPLICATE)
            /* TRANSLATORS: a row of the table: the file was imported before as that session */
            fprintf (stderr, "%-40s %8" PRId64 " %s\n", name, o->session_id, _("already in the library"));
          else if (o->kind == OUTCOME_FAILED)
            fprintf (stderr, "%-40s %8s %s\n", name, "-", _("failed (above)"));
          else
            fprintf (stderr, "%-40s %8s %s\n", name, "-", _("cancelled"));
        }
      fprintf (stderr, ngettext ("%u device file: %u imported, %u already in the library, %u failed\n",
                                 "%u device files: %u imported, %u already in the library, %u failed\n",
                                 devices->len),
               devices->len, f.n_imported, f.n_duplicate, f.n_failed);
    }

  for (guint i = 0; i < devices->len; i++)
    outcome_clear (&outcomes[i]);
  if (f.n_cancelled > 0)
    return IMU_CLI_EXIT_CANCELLED;
  if (f.n_failed == 0)
    return IMU_CLI_EXIT_OK;
  if (f.n_imported + f.n_duplicate > 0)
    return IMU_CLI_EXIT_PARTIAL;
  return f.first_failure;
}

int
imu_cli_import (ImuCli  *cli,
                int      argc,
                char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) json_results = NULL;
  g_autofree char *title = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *activity = NULL;
  g_autofree char *format = NULL;
  g_autofree char *device_timezone = NULL;
  g_auto(GStrv) tags = NULL;
  gboolean allow_duplicate = FALSE;
  int jobs = 0;
  ImuImportOptions options = { 0 };
  ImuStore *store;
  int failure = IMU_CLI_EXIT_OK;
  gboolean duplicate_seen = FALSE;
  int status;
  const GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, &title,
      N_("Title of the new sessions (default: from the file name)"), N_("TITLE") },
    { "subject", 0, 0, G_OPTION_ARG_STRING, &subject,
      N_("Subject or athlete"), N_("SUBJECT") },
    { "activity", 0, 0, G_OPTION_ARG_STRING, &activity,
      N_("Activity (run, walk, lab trial…)"), N_("ACTIVITY") },
    { "tag", 0, 0, G_OPTION_ARG_STRING_ARRAY, &tags,
      N_("Add a tag (repeat for several)"), N_("TAG") },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format,
      N_("Read every path with this importer instead of detecting it (see imu formats)"), N_("NAME") },
    { "device-timezone", 0, 0, G_OPTION_ARG_STRING, &device_timezone,
      N_("The time zone of a device file's clock (Europe/Berlin, UTC, +01:00); "
         "default: the file's own, else this computer's"), N_("TZ") },
    { "allow-duplicate", 0, 0, G_OPTION_ARG_NONE, &allow_duplicate,
      N_("Import even when the same bytes are already in the library"), NULL },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &jobs,
      N_("Device files of a folder read at once (default: the number of processors)"), N_("N") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print one JSON array describing the new sessions"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, _("PATH…"),
                                        _("Imports each file, folder or archive as a new session and "
                                          "prints its id. Several paths are imported one after the "
                                          "other; a failure is reported and the others go on."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return imu_cli_usage_error (cli, _("no file to import"));
  /* A misspelt format is a mistake on the command line, found before the
   * library is opened or a file read. */
  if (format != NULL && imu_importer_lookup (format) == NULL)
    return imu_cli_usage_error (cli, _("unknown format “%s”; imu formats lists them"), format);
  if (jobs < 0 || jobs > 256)
    return imu_cli_usage_error (cli, _("--jobs must be between 1 and 256, not %d"), jobs);
  if (device_timezone != NULL)
    {
      g_autoptr(GTimeZone) zone = imu_device_time_zone_parse (device_timezone, &error);

      if (zone == NULL)
        return imu_cli_usage_error (cli, "%s", error->message);
    }

  store = imu_cli_get_store (cli, &error);
  if (store == NULL)
    return imu_cli_report_error (cli, NULL, error);

  options.title = title;
  options.subject = subject;
  options.activity = activity;
  options.tags = (const char * const *) tags;
  options.allow_duplicate = allow_duplicate;
  options.format = format;
  options.device_timezone = device_timezone;

  if (cli->json)
    json_results = json_array_new ();

  for (int i = 1; i < argc && failure != IMU_CLI_EXIT_CANCELLED; i++)
    {
      g_autoptr(GPtrArray) others = NULL;
      g_autoptr(GPtrArray) devices = imu_import_list_device_files (argv[i], &others);
      Outcome outcome;

      if (devices != NULL)
        {
          int code = import_device_folder (cli, store, argv[i], devices, others, &options,
                                           (guint) jobs, json_results);

          if (code == IMU_CLI_EXIT_DUPLICATE)
            duplicate_seen = TRUE;
          else if (code != IMU_CLI_EXIT_OK && failure == IMU_CLI_EXIT_OK)
            failure = code;
          else if (code == IMU_CLI_EXIT_CANCELLED)
            failure = code;
          continue;
        }
      import_one (cli, store, argv[i], &options, json_results, &outcome);
      if (outcome.kind == OUTCOME_CANCELLED)
        failure = IMU_CLI_EXIT_CANCELLED;
      else if (outcome.kind == OUTCOME_DUPLICATE)
        duplicate_seen = TRUE;
      else if (outcome.kind == OUTCOME_FAILED && failure == IMU_CLI_EXIT_OK)
        failure = outcome.code;
      outcome_clear (&outcome);
    }

  if (json_results != NULL)
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), json_results);

      imu_cli_json_print (root);
    }

  /* A real failure outranks a duplicate: it is what the user must fix. */
  if (failure != IMU_CLI_EXIT_OK)
    return failure;
  if (duplicate_seen)
    return IMU_CLI_EXIT_DUPLICATE;
  return IMU_CLI_EXIT_OK;
}
