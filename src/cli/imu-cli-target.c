/* imu-cli-target.c — `imu target`: add, list, test, remove sync targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each kind of target parses its own options (a row of target_kinds[]):
 * S3 and WebDAV slot in as one more row and one more add_* function.
 * Secrets are read from standard input, never from the command line
 * (where `ps` and shell history would see them). What is done with a
 * target and its secret — add, test, a new secret, remove — is the core's
 * (imu-sync-targets.h), the same functions Preferences → Sync calls.
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-secrets.h"
#include "imu-sync-queue.h"
#include "imu-sync-targets.h"

/* A target that cannot work, or a test that failed (docs/sync.md). */
#define IMU_CLI_EXIT_SYNC 8

/* The exit code of a failed target function: a name already taken is a
 * duplicate (3), any other sync error a target that cannot work (8), and
 * the library's own errors (an unknown target: 4) keep their codes. */
static int
report_target_error (ImuCli *cli, const GError *error)
{
  if (error->domain != IMU_SYNC_ERROR)
    return imu_cli_report_error (cli, NULL, error);
  fprintf (stderr, "imu: %s\n", error->message);
  return error->code == IMU_SYNC_ERROR_TARGET_EXISTS ? IMU_CLI_EXIT_DUPLICATE : IMU_CLI_EXIT_SYNC;
}

/* What every kind accepts besides its own options. */
typedef struct {
  char     *prefix;
  gboolean  insecure;
  char     *allow_metered;
} CommonOptions;

static void
common_options_clear (CommonOptions *o)
{
  g_free (o->prefix);
  g_free (o->allow_metered);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CommonOptions, common_options_clear)

static gboolean
parse_tristate (const char *text, int *out)
{
  if (text == NULL || g_str_equal (text, "default"))
    *out = -1;
  else if (g_str_equal (text, "yes") || g_str_equal (text, "true") || g_str_equal (text, "1"))
    *out = 1;
  else if (g_str_equal (text, "no") || g_str_equal (text, "false") || g_str_equal (text, "0"))
    *out = 0;
  else
    return FALSE;
  return TRUE;
}

/* Where a secret went, said once, on its own line, when one is stored:
 * without a Secret Service it is a file, and the person should know. */
static void
note_secret_store (ImuCli *cli)
{
  g_autofree char *path = NULL;

  if (cli->quiet || g_strcmp0 (imu_secrets_backend (), "file") != 0)
    return;
  path = imu_secrets_file_path ();
  fprintf (stderr, _("imu: no Secret Service is running: the secret is kept in %s, readable only by you\n"), path);
}

/* Reads a secret from standard input: one line (or all of it), without
 * the line end. Nothing read is a usage error, printed, in @status. */
static char *
read_secret_from_stdin (ImuCli *cli, int *status)
{
  g_autoptr(GString) s = g_string_new (NULL);
  char buf[4096];
  size_t n;

  if (isatty (STDIN_FILENO))
    fprintf (stderr, _("Paste the secret and press Enter, then Ctrl+D: "));
  while ((n = fread (buf, 1, sizeof buf, stdin)) > 0)
    {
      g_string_append_len (s, buf, (gssize) n);
      if (s->len > 64 * 1024)
        break;
    }
  g_strstrip (s->str);
  s->len = strlen (s->str);
  if (s->len == 0)
    {
      *status = imu_cli_usage_error (cli, "%s", _("nothing was read from standard input"));
      return NULL;
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static GOptionContext *
kind_context (ImuCli *cli, const char *kind, const GOptionEntry *own, CommonOptions *common, const char *summary)
{
  GOptionEntry entries[16];
  g_autofree char *param = g_strdup_printf (_("add NAME %s"), kind);
  const GOptionEntry common_entries[] = {
    { "prefix", 0, 0, G_OPTION_ARG_STRING, &common->prefix,
      N_("Put sessions under PREFIX/sessions/ (default: at the top)"), N_("PREFIX") },
    { "insecure", 0, 0, G_OPTION_ARG_NONE, &common->insecure,
      N_("Allow plain http to a host that is not this computer (data and credentials unencrypted)"), NULL },
    { "allow-metered", 0, 0, G_OPTION_ARG_STRING, &common->allow_metered,
      N_("Sync on metered connections: yes, no, or default (the library's setting; off unless changed)"),
      N_("yes|no|default") },
    { NULL }
  };
  guint n = 0;

  for (guint i = 0; own != NULL && own[i].long_name != NULL; i++)
    entries[n++] = own[i];
  for (guint i = 0; common_entries[i].long_name != NULL; i++)
    entries[n++] = common_entries[i];
  memset (&entries[n], 0, sizeof entries[n]);
  return imu_cli_option_context_new (cli, param, summary, entries);
}

static gboolean
apply_common (ImuCli *cli, CommonOptions *common, ImuSyncTargetConfig *config, int *status)
{
  g_free (config->prefix);
  config->prefix = g_strdup (common->prefix != NULL ? common->prefix : "");
  config->insecure = common->insecure;
  if (!parse_tristate (common->allow_metered, &config->allow_metered))
    {
      *status = imu_cli_usage_error (cli, _("--allow-metered takes yes, no or default"));
      return FALSE;
    }
  return TRUE;
}

/* Builds config_json from name, value pairs (values may be NULL: skipped)
 * and a "path_style" boolean when @path_style. */
static char *
config_json_of (const char * const *members, gboolean path_style)
{
  g_autoptr(JsonObject) cfg = json_object_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  for (guint i = 0; members[i] != NULL; i += 2)
    if (members[i + 1] != NULL)
      json_object_set_string_member (cfg, members[i], members[i + 1]);
  if (path_style)
    json_object_set_boolean_member (cfg, "path_style", TRUE);
  node = json_node_init_object (json_node_alloc (), json_object_ref (cfg));
  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

/* A new target whose config_json is config_json_of (@members, @path_style). */
static ImuSyncTargetConfig *
config_new (const char *name, const char *kind, const char *url, const char * const *members, gboolean path_style)
{
  ImuSyncTargetConfig *config = imu_sync_target_config_new (name, kind, url);

  g_free (config->config_json);
  config->config_json = config_json_of (members, path_style);
  return config;
}

/* `imu target add NAME folder --path DIR` */
static int
add_folder (ImuCli *cli, const char *name, int argc, char **argv, CommonOptions *common,
            ImuSyncTargetConfig **config, char **secret)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *path = NULL;
  g_autofree char *abs = NULL;
  int status = IMU_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "path", 0, 0, G_OPTION_ARG_FILENAME, &path, N_("The folder (a USB stick, a network share)"), N_("DIR") },
    { NULL }
  };

  context = kind_context (cli, "folder", entries, common,
                          _("A plain folder: sessions go to DIR/PREFIX/sessions/UUID/bundle.imub."));
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (path == NULL)
    return imu_cli_usage_error (cli, _("which folder? Give --path DIR"));
  abs = g_canonicalize_filename (path, NULL);
  *config = imu_sync_target_config_new (name, "folder", abs);
  return IMU_CLI_EXIT_OK;
}

/* `imu target add NAME azure --container-url URL (--sas-from-stdin | --account A --key-from-stdin)` */
static int
add_azure (ImuCli *cli, const char *name, int argc, char **argv, CommonOptions *common,
           ImuSyncTargetConfig **config, char **secret)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *url = NULL;
  g_autofree char *account = NULL;
  gboolean sas = FALSE, key = FALSE, no_create = FALSE;
  int status = IMU_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "no-create", 0, 0, G_OPTION_ARG_NONE, &no_create,
      N_("Do not create the container when it is missing (with the account key it is made on first use)"), NULL },
    { "container-url", 0, 0, G_OPTION_ARG_STRING, &url,
      N_("The container: https://ACCOUNT.blob.core.windows.net/CONTAINER (no SAS token in it)"), N_("URL") },
    { "sas-from-stdin", 0, 0, G_OPTION_ARG_NONE, &sas,
      N_("Read a SAS token (sv=…&sig=…) from standard input"), NULL },
    { "account", 0, 0, G_OPTION_ARG_STRING, &account,
      N_("The storage account, for an account key"), N_("NAME") },
    { "key-from-stdin", 0, 0, G_OPTION_ARG_NONE, &key,
      N_("Read the account key (base64) from standard input"), NULL },
    { NULL }
  };

  context = kind_context (cli, "azure", entries, common,
                          _("Azure Blob Storage: block blobs under CONTAINER/PREFIX/sessions/UUID/, "
                            "authorised by a SAS token or by the account key (Shared Key)."));
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (url == NULL)
    return imu_cli_usage_error (cli, _("which container? Give --container-url URL"));
  if (strchr (url, '?') != NULL)
    /* Do not echo the URL: it holds the signature. */
    return imu_cli_usage_error (cli, _("the container URL must not carry a SAS token: give the URL without "
                                       "“?…” and the token with --sas-from-stdin"));
  if (sas == key)
    return imu_cli_usage_error (cli, _("give either --sas-from-stdin or --account NAME --key-from-stdin"));
  if (key && account == NULL)
    return imu_cli_usage_error (cli, _("--key-from-stdin needs --account NAME"));
  if (!(*secret = read_secret_from_stdin (cli, &status)))
    return status;
  {
    const char *members[] = { "auth", sas ? "sas" : "shared-key", "account", account,
                              "create", no_create ? "no" : NULL, NULL };

    *config = config_new (name, "azure", url, members, FALSE);
  }
  return IMU_CLI_EXIT_OK;
}

/* `imu target add NAME s3 --endpoint URL --region R --bucket B --access-key K --secret-from-stdin` */
static int
add_s3 (ImuCli *cli, const char *name, int argc, char **argv, CommonOptions *common,
        ImuSyncTargetConfig **config, char **secret)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *endpoint = NULL;
  g_autofree char *region = NULL;
  g_autofree char *bucket = NULL;
  g_autofree char *access_key = NULL;
  gboolean from_stdin = FALSE, path_style = FALSE, no_create = FALSE;
  int status = IMU_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "no-create", 0, 0, G_OPTION_ARG_NONE, &no_create,
      N_("Do not create the bucket when it is missing (it is made on first use)"), NULL },
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &endpoint,
      N_("The S3 service: https://s3.REGION.amazonaws.com, or another S3-compatible store"), N_("URL") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &region, N_("The bucket's region (us-east-1 when the store has none)"),
      N_("REGION") },
    { "bucket", 0, 0, G_OPTION_ARG_STRING, &bucket, N_("The bucket"), N_("NAME") },
    { "access-key", 0, 0, G_OPTION_ARG_STRING, &access_key, N_("The access key id (not secret)"), N_("ID") },
    { "secret-from-stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin,
      N_("Read the secret access key from standard input"), NULL },
    { "path-style", 0, 0, G_OPTION_ARG_NONE, &path_style,
      N_("Address the bucket as ENDPOINT/BUCKET/… instead of BUCKET.ENDPOINT/… (MinIO, most gateways)"), NULL },
    { NULL }
  };

  context = kind_context (cli, "s3", entries, common,
                          _("S3-compatible object storage (SigV4): objects under BUCKET/PREFIX/sessions/UUID/, "
                            "large bundles as resumable multipart uploads."));
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (endpoint == NULL || region == NULL || bucket == NULL || access_key == NULL)
    return imu_cli_usage_error (cli, _("give --endpoint URL, --region REGION, --bucket NAME and --access-key ID"));
  if (!from_stdin)
    return imu_cli_usage_error (cli, _("give the secret access key on standard input with --secret-from-stdin"));
  if (!(*secret = read_secret_from_stdin (cli, &status)))
    return status;
  {
    const char *members[] = { "bucket", bucket, "region", region, "access_key", access_key,
                              "create", no_create ? "no" : NULL, NULL };

    *config = config_new (name, "s3", endpoint, members, path_style);
  }
  return IMU_CLI_EXIT_OK;
}

/* `imu target add NAME webdav --url URL --user U --password-from-stdin` */
static int
add_webdav (ImuCli *cli, const char *name, int argc, char **argv, CommonOptions *common,
            ImuSyncTargetConfig **config, char **secret)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autofree char *url = NULL;
  g_autofree char *user = NULL;
  gboolean from_stdin = FALSE;
  int status = IMU_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url,
      N_("The WebDAV collection (Nextcloud: https://HOST/remote.php/dav/files/USER/FOLDER/)"), N_("URL") },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, N_("The user name"), N_("NAME") },
    { "password-from-stdin", 0, 0, G_OPTION_ARG_NONE, &from_stdin,
      N_("Read the password (an app password where there is one) from standard input"), NULL },
    { NULL }
  };

  context = kind_context (cli, "webdav", entries, common,
                          _("A WebDAV collection (Nextcloud, ownCloud, a NAS): files under URL/PREFIX/sessions/UUID/, "
                            "each written under a temporary name and moved into place."));
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (url == NULL || user == NULL)
    return imu_cli_usage_error (cli, _("give --url URL and --user NAME"));
  if (!from_stdin)
    return imu_cli_usage_error (cli, _("give the password on standard input with --password-from-stdin"));
  if (!(*secret = read_secret_from_stdin (cli, &status)))
    return status;
  {
    const char *members[] = { "user", user, NULL };

    *config = config_new (name, "webdav", url, members, FALSE);
  }
  return IMU_CLI_EXIT_OK;
}

typedef struct {
  const char *kind;
  const char *summary;
  /* Parses "KIND [options]"; on success sets @config (and @secret when
   * the kind has one) and leaves the common options in @common. */
  int       (*add) (ImuCli *cli, const char *name, int argc, char **argv, CommonOptions *common,
                    ImuSyncTargetConfig **config, char **secret);
} TargetKind;

static const TargetKind target_kinds[] = {
  { "folder", N_("a folder: --path DIR"), add_folder },
  { "azure",  N_("Azure Blob Storage: --container-url URL (--sas-from-stdin | --account NAME --key-from-stdin)"), add_azure },
  { "s3",     N_("S3-compatible storage: --endpoint URL --region R --bucket B --access-key ID --secret-from-stdin "
                 "[--path-style]"), add_s3 },
  { "webdav", N_("WebDAV: --url URL --user NAME --password-from-stdin"), add_webdav },
};

static int
target_add (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(ImuSyncTargetConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_auto(CommonOptions) common = { 0 };
  const TargetKind *kind = NULL;
  ImuStore *store;
  int status;

  /* argv: add NAME KIND [options] */
  if (argc < 3 || argv[1][0] == '-' || argv[2][0] == '-')
    {
      g_autoptr(GString) kinds = g_string_new (NULL);

      if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
        {
          printf ("%s\n", _("Usage: imu target add NAME KIND [OPTION…]"));
          for (guint i = 0; i < G_N_ELEMENTS (target_kinds); i++)
            printf ("  %-8s %s\n", target_kinds[i].kind, _(target_kinds[i].summary));
          return IMU_CLI_EXIT_OK;
        }
      for (guint i = 0; i < G_N_ELEMENTS (target_kinds); i++)
        g_string_append_printf (kinds, "%s%s", i > 0 ? ", " : "", target_kinds[i].kind);
      return imu_cli_usage_error (cli, _("give a NAME and a KIND (%s): imu target add NAME KIND …"), kinds->str);
    }
  for (guint i = 0; i < G_N_ELEMENTS (target_kinds); i++)
    if (g_str_equal (target_kinds[i].kind, argv[2]))
      kind = &target_kinds[i];
  if (kind == NULL)
    return imu_cli_usage_error (cli, _("unknown kind of target “%s”"), argv[2]);

  /* The kind parses "KIND [options]" as its own command line. */
  status = kind->add (cli, argv[1], argc - 2, argv + 2, &common, &config, &secret);
  if (status != IMU_CLI_EXIT_OK || config == NULL)
    return status;
  if (!apply_common (cli, &common, config, &status))
    return status;

  /* Checked before the library is opened, so that a target refused
   * does not leave a new, empty library behind (no I/O). */
  if (!imu_sync_targets_check (config, secret, &error))
    return report_target_error (cli, error);
  if (!(store = imu_cli_get_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!imu_sync_targets_add (store, config, secret, &error))
    return report_target_error (cli, error);
  if (secret != NULL)
    note_secret_store (cli);
  if (!cli->quiet)
    printf (_("Added target “%s” (%s, %s). Check it with “imu target test %s”.\n"),
            config->name, config->kind, config->url, config->name);
  return IMU_CLI_EXIT_OK;
}

static int
target_list (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  ImuStore *store;
  int status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json, N_("Print a JSON array"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, "list", _("Lists the sync targets of the library."), entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (!(store = imu_cli_get_store (cli, &error)) || !(targets = imu_sync_queue_list_targets (store, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (cli->json)
    {
      g_autoptr(JsonArray) arr = json_array_new ();
      g_autoptr(JsonNode) root = NULL;

      for (guint i = 0; i < targets->len; i++)
        {
          const ImuSyncTargetConfig *t = g_ptr_array_index (targets, i);
          JsonObject *o = json_object_new ();
          g_autofree char *auth = imu_sync_target_config_dup_string (t, "auth");

          json_object_set_string_member (o, "name", t->name);
          json_object_set_string_member (o, "kind", t->kind);
          json_object_set_string_member (o, "url", t->url);
          json_object_set_string_member (o, "prefix", t->prefix);
          if (auth != NULL)
            json_object_set_string_member (o, "auth", auth);
          json_object_set_boolean_member (o, "insecure", t->insecure);
          if (t->allow_metered >= 0)
            json_object_set_boolean_member (o, "allow_metered", t->allow_metered);
          else
            json_object_set_null_member (o, "allow_metered");
          json_array_add_object_element (arr, o);
        }
      root = json_node_init_array (json_node_alloc (), arr);
      imu_cli_json_print (root);
      return IMU_CLI_EXIT_OK;
    }
  if (targets->len == 0 && !cli->quiet)
    printf ("%s\n", _("No sync targets. Add one with “imu target add NAME KIND …”."));
  for (guint i = 0; i < targets->len; i++)
    {
      const ImuSyncTargetConfig *t = g_ptr_array_index (targets, i);
      g_autofree char *auth = imu_sync_target_config_dup_string (t, "auth");

      printf ("%s\t%s\t%s%s%s%s%s\n", t->name, t->kind, t->url,
              *t->prefix != '\0' ? "\tprefix=" : "", t->prefix,
              auth != NULL ? "\tauth=" : "", auth != NULL ? auth : "");
    }
  return IMU_CLI_EXIT_OK;
}

static int
target_remove (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  ImuStore *store;
  int status;

  context = imu_cli_option_context_new (cli, "remove NAME",
                                        _("Forgets a target, its queue and its secret. What it holds is kept."), NULL);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return imu_cli_usage_error (cli, _("which target? imu target remove NAME"));
  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!imu_sync_targets_remove (store, argv[1], &error))
    return report_target_error (cli, error);
  if (!cli->quiet)
    printf (_("Removed target “%s”.\n"), argv[1]);
  return IMU_CLI_EXIT_OK;
}

static int
target_test (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncTestReport) report = NULL;
  ImuStore *store;
  int status;

  context = imu_cli_option_context_new (cli, "test NAME",
                                        _("Checks that a target can be reached and written: lists it, writes a "
                                          "small probe object and deletes it; for a SAS token shows its "
                                          "permissions, scope and expiry."), NULL);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return imu_cli_usage_error (cli, _("which target? imu target test NAME"));
  if (!(store = imu_cli_open_existing_store (cli, &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (!(report = imu_sync_targets_test (store, argv[1], cli->cancellable, &error)))
    return report_target_error (cli, error);
  /* The lines are redacted by the core; a failed check is the last one. */
  for (guint i = 0; i < report->lines->len; i++)
    printf ("%s\n", (const char *) g_ptr_array_index (report->lines, i));
  printf ("%s\n", report->ok ? _("OK") : _("FAILED"));
  return report->ok ? IMU_CLI_EXIT_OK : IMU_CLI_EXIT_SYNC;
}

/* `imu target secret NAME (--sas-from-stdin | --key-from-stdin)`: a new
 * credential (an expired SAS token), and what waited for it goes again. */
static int
target_secret (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncTargetConfig) config = NULL;
  g_autofree char *value = NULL;
  gboolean sas = FALSE, key = FALSE, s3_secret = FALSE, password = FALSE;
  const char *fits = NULL;
  ImuStore *store;
  gint64 requeued;
  int status;
  const GOptionEntry entries[] = {
    { "sas-from-stdin", 0, 0, G_OPTION_ARG_NONE, &sas, N_("Read a new SAS token from standard input"), NULL },
    { "key-from-stdin", 0, 0, G_OPTION_ARG_NONE, &key, N_("Read a new account key from standard input"), NULL },
    { "secret-from-stdin", 0, 0, G_OPTION_ARG_NONE, &s3_secret,
      N_("Read a new S3 secret access key from standard input"), NULL },
    { "password-from-stdin", 0, 0, G_OPTION_ARG_NONE, &password,
      N_("Read a new WebDAV password from standard input"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, "secret NAME",
                                        _("Replaces a target's secret and puts the transfers that waited for it "
                                          "back in the queue."), entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc != 2 || sas + key + s3_secret + password != 1)
    return imu_cli_usage_error (cli, _("imu target secret NAME (--sas-from-stdin | --key-from-stdin | "
                                       "--secret-from-stdin | --password-from-stdin)"));
  if (!(store = imu_cli_open_existing_store (cli, &error)) || !(config = imu_sync_queue_get_target (store, argv[1], &error)))
    return imu_cli_report_error (cli, NULL, error);
  /* The option says what the secret is: one that does not fit the kind
   * would store a secret its backend cannot use. */
  if (g_str_equal (config->kind, "azure") && !sas && !key)
    fits = "--sas-from-stdin | --key-from-stdin";
  else if (g_str_equal (config->kind, "s3") && !s3_secret)
    fits = "--secret-from-stdin";
  else if (g_str_equal (config->kind, "webdav") && !password)
    fits = "--password-from-stdin";
  if (fits != NULL)
    return imu_cli_usage_error (cli, _("“%s” is a %s target: give its secret with %s"), config->name, config->kind,
                                fits);
  if (!(value = read_secret_from_stdin (cli, &status)))
    return status;
  requeued = imu_sync_targets_set_secret (store, config->name, sas ? "sas" : key ? "shared-key" : NULL, value,
                                          &error);
  if (requeued < 0)
    return report_target_error (cli, error);
  note_secret_store (cli);
  if (!cli->quiet)
    printf (_("Saved the new secret of “%s”; %" PRId64 " transfers are queued again.\n"),
            config->name, requeued);
  return IMU_CLI_EXIT_OK;
}

/* `imu target set NAME --allow-metered yes|no|default` */
static int
target_set (ImuCli *cli, int argc, char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSyncTargetConfig) config = NULL;
  g_autofree char *allow_metered = NULL;
  ImuStore *store;
  int status;
  const GOptionEntry entries[] = {
    { "allow-metered", 0, 0, G_OPTION_ARG_STRING, &allow_metered,
      N_("Sync on metered connections: yes, no, or default (the library's setting)"), N_("yes|no|default") },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, "set NAME", _("Changes a target's settings."), entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return imu_cli_usage_error (cli, _("which target? imu target set NAME …"));
  if (!(store = imu_cli_open_existing_store (cli, &error)) || !(config = imu_sync_queue_get_target (store, argv[1], &error)))
    return imu_cli_report_error (cli, NULL, error);
  if (allow_metered != NULL && !parse_tristate (allow_metered, &config->allow_metered))
    return imu_cli_usage_error (cli, _("--allow-metered takes yes, no or default"));
  if (!imu_sync_queue_update_target (store, config, &error))
    return imu_cli_report_error (cli, NULL, error);
  return IMU_CLI_EXIT_OK;
}

int
imu_cli_target (ImuCli  *cli,
                int      argc,
                char   **argv)
{
  static const struct {
    const char *name;
    int       (*run) (ImuCli *cli, int argc, char **argv);
    const char *summary;
  } subcommands[] = {
    { "add",    target_add,    N_("add NAME KIND [OPTION…]: a new target (imu target add --help lists the kinds)") },
    { "list",   target_list,   N_("list [--json]: the targets of the library") },
    { "test",   target_test,   N_("test NAME: reachability, permissions, SAS scope and expiry") },
    { "remove", target_remove, N_("remove NAME: forget a target and its secret") },
    { "secret", target_secret, N_("secret NAME (--sas-from-stdin | --key-from-stdin | --secret-from-stdin | "
                                  "--password-from-stdin): a new credential") },
    { "set",    target_set,    N_("set NAME --allow-metered yes|no|default") },
  };

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      FILE *out = argc < 2 ? stderr : stdout;

      fprintf (out, "%s\n", _("Usage: imu target COMMAND …"));
      for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
        fprintf (out, "  %s\n", _(subcommands[i].summary));
      return argc < 2 ? IMU_CLI_EXIT_USAGE : IMU_CLI_EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      return subcommands[i].run (cli, argc - 1, argv + 1);
  return imu_cli_usage_error (cli, _("unknown command “target %s” (add, list, test, remove, secret, set)"), argv[1]);
}
