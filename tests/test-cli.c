/* test-cli.c — `imu` as scripts see it: exit codes, stdout, stderr, JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the built `imu` binary (IMU_CLI_PATH, or $IMU_CLI) with GSubprocess
 * against a temporary library and small CSV fixtures written here. Expected
 * values come from the fixtures themselves (known channel names, units,
 * sample counts, rates), never from the code under test.
 */
#define G_LOG_DOMAIN "imu-test"

#include <signal.h>
#include <string.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "imu-test-util.h"

/* Exit codes documented in docs/cli.md. */
#define EXIT_OK         0
#define EXIT_USAGE      1
#define EXIT_BAD_INPUT  2
#define EXIT_DUPLICATE  3
#define EXIT_NOT_FOUND  4
#define EXIT_LIBRARY    5
#define EXIT_AMBIGUOUS  6
#define EXIT_CANCELLED  130

/* The fixture: 10 rows at 100 Hz, time as epoch seconds with 4 decimals,
 * three channels in g with 3 decimals. */
#define FIXTURE_ROWS 10

typedef struct {
  int   status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static const char *
imu_path (void)
{
  const char *env = g_getenv ("IMU_CLI");

  return env != NULL ? env : IMU_CLI_PATH;
}

/* Runs `imu ARGS…` (NULL-terminated) and collects its exit status and output. */
static void
run_imuv (Run         *run,
          const char **args)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;

  g_ptr_array_add (argv, (char *) imu_path ());
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  /* The library is always given with --library: never touch the user's. */
  g_subprocess_launcher_unsetenv (launcher, "IMU_LIBRARY");
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  run->status = g_subprocess_get_exit_status (proc);
  g_test_message ("imu %s → %d\nstdout: %s\nstderr: %s",
                  args[0] != NULL ? args[0] : "", run->status, run->out, run->err);
}

#define run_imu(run, ...) \
  G_STMT_START { \
    const char *_args[] = { __VA_ARGS__, NULL }; \
    run_imuv ((run), _args); \
  } G_STMT_END

/* "0.012", "-0.981" from thousandths, the way the fixture's source wrote them. */
static void
append_milli (GString *s,
              int      milli)
{
  g_string_append_printf (s, "%s%d.%03d", milli < 0 ? "-" : "", ABS (milli) / 1000, ABS (milli) % 1000);
}

static char *
fixture_text (void)
{
  GString *s = g_string_new ("time,ax (g),ay (g),az (g)\n");

  for (int i = 0; i < FIXTURE_ROWS; i++)
    {
      /* 1551178506.0100 + i × 0.01 s, in units of 0.0001 s. */
      gint64 t = G_GINT64_CONSTANT (15511785060100) + i * 100;

      g_string_append_printf (s, "%" G_GINT64_FORMAT ".%04d,", t / 10000, (int) (t % 10000));
      append_milli (s, 12 + i);
      g_string_append_c (s, ',');
      append_milli (s, -981 + 2 * i);
      g_string_append_c (s, ',');
      append_milli (s, 104 - 3 * i);
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

static char *
write_fixture (const char *name)
{
  g_autofree char *text = fixture_text ();

  return imu_test_write_file (name, text, -1);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* The member names of @object, sorted and joined with commas. */
static char *
member_names (JsonObject *object)
{
  g_autoptr(GList) names = g_list_sort (json_object_get_members (object), (GCompareFunc) g_strcmp0);
  GString *s = g_string_new (NULL);

  for (GList *l = names; l != NULL; l = l->next)
    g_string_append_printf (s, "%s%s", s->len > 0 ? "," : "", (const char *) l->data);
  return g_string_free (s, FALSE);
}

static char *
read_text (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* Imports the fixture into a new library; returns the library path. */
static char *
library_with_fixture (char **fixture_path)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *csv = write_fixture ("imu_data.csv");
  g_auto(Run) run = { 0 };

  run_imu (&run, "--library", library, "import", "--title", "Morning run",
           "--subject", "Ada", "--tag", "lab", "--tag", "trial 1", csv);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  if (fixture_path != NULL)
    *fixture_path = g_steal_pointer (&csv);
  return g_steal_pointer (&library);
}

/* ---- help and usage ---- */

static void
test_help (void)
{
  const char *commands[] = { "import", "list", "show", "export", "delete", "check" };
  g_auto(Run) run = { 0 };

  run_imu (&run, "--help");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_assert_nonnull (strstr (run.out, commands[i]));

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) sub = { 0 };
      g_autofree char *usage = g_strdup_printf ("imu %s", commands[i]);

      run_imu (&sub, commands[i], "--help");
      g_assert_cmpint (sub.status, ==, EXIT_OK);
      g_assert_nonnull (strstr (sub.out, "Usage:"));
      g_assert_nonnull (strstr (sub.out, usage));
      g_assert_nonnull (strstr (sub.out, "--library"));
      g_assert_cmpstr (sub.err, ==, "");
    }
}

static void
test_version (void)
{
  g_auto(Run) run = { 0 };

  run_imu (&run, "--version");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (run.out, "imu "));
}

static void
test_usage_errors (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_auto(Run) unknown_command = { 0 };
  g_auto(Run) unknown_option = { 0 };
  g_auto(Run) missing_session = { 0 };
  g_auto(Run) no_command = { 0 };
  g_auto(Run) bad_sort = { 0 };

  run_imu (&unknown_command, "--library", library, "frobnicate");
  g_assert_cmpint (unknown_command.status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (unknown_command.err, "frobnicate"));

  run_imu (&unknown_option, "--library", library, "list", "--no-such-option");
  g_assert_cmpint (unknown_option.status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (unknown_option.err, "--no-such-option"));

  run_imu (&missing_session, "--library", library, "show");
  g_assert_cmpint (missing_session.status, ==, EXIT_USAGE);

  run_imu (&no_command, "--library", library);
  g_assert_cmpint (no_command.status, ==, EXIT_USAGE);

  run_imu (&bad_sort, "--library", library, "list", "--sort", "colour");
  g_assert_cmpint (bad_sort.status, ==, EXIT_USAGE);

  /* None of these created a library. */
  g_assert_false (g_file_test (library, G_FILE_TEST_EXISTS));
}

/* ---- import ---- */

static void
test_import_prints_id (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *csv = write_fixture ("imu_data.csv");
  g_auto(Run) run = { 0 };
  g_auto(Run) quiet = { 0 };
  g_autofree char *csv2 = NULL;
  g_autofree char *base = fixture_text ();
  g_autofree char *text = NULL;

  run_imu (&run, "--library", library, "import", csv);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  /* The first session of a new library is 1; its id leads the line. */
  g_assert_true (g_str_has_prefix (run.out, "1\t"));
  g_assert_nonnull (strstr (run.out, "10 rows"));

  /* --quiet prints the id alone. */
  text = g_strconcat (base, "1551178506.1100,0.022,-0.961,0.074\n", NULL);
  csv2 = imu_test_write_file ("more.csv", text, -1);
  run_imu (&quiet, "--library", library, "--quiet", "import", csv2);
  g_assert_cmpint (quiet.status, ==, EXIT_OK);
  g_assert_cmpstr (quiet.out, ==, "2\n");
}

static void
test_import_json (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *csv = write_fixture ("imu_data.csv");
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *stream_keys = NULL;
  const char *names[] = { "ax", "ay", "az" };
  JsonArray *array, *streams, *channels;
  JsonObject *session, *stream;

  run_imu (&run, "--library", library, "import", "--json", "--title", "Morning run", csv);
  g_assert_cmpint (run.status, ==, EXIT_OK);

  root = parse_json (run.out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);

  session = json_array_get_object_element (array, 0);
  keys = member_names (session);
  g_assert_cmpstr (keys, ==, "format,id,issues,streams,title,uuid");
  g_assert_cmpint (json_object_get_int_member (session, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (session, "title"), ==, "Morning run");
  g_assert_cmpstr (json_object_get_string_member (session, "format"), ==, "csv");
  g_assert_cmpuint (strlen (json_object_get_string_member (session, "uuid")), ==, 36);
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (session, "issues")), ==, 0);

  streams = json_object_get_array_member (session, "streams");
  g_assert_cmpuint (json_array_get_length (streams), ==, 1);
  stream = json_array_get_object_element (streams, 0);
  stream_keys = member_names (stream);
  g_assert_cmpstr (stream_keys, ==, "channels,name,rate_hz,samples");
  g_assert_cmpint (json_object_get_int_member (stream, "samples"), ==, FIXTURE_ROWS);
  /* 10 rows 0.01 s apart and no nominal rate in a plain CSV: 9 / 0.09 s. */
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (stream, "rate_hz"), 100.0, 1e-9);

  channels = json_object_get_array_member (stream, "channels");
  g_assert_cmpuint (json_array_get_length (channels), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *channel = json_array_get_object_element (channels, i);
      g_autofree char *channel_keys = member_names (channel);

      g_assert_cmpstr (channel_keys, ==, "name,unit");
      g_assert_cmpstr (json_object_get_string_member (channel, "name"), ==, names[i]);
      g_assert_cmpstr (json_object_get_string_member (channel, "unit"), ==, "g");
    }
}

static void
test_import_issues_json (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *base = fixture_text ();
  g_autofree char *text = NULL;
  g_autofree char *csv = NULL;
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *session, *issues;

  /* One row (line 12) with a value that is not a number. */
  text = g_strconcat (base, "1551178506.1100,abc,-0.961,0.074\n", NULL);
  csv = imu_test_write_file ("one_bad.csv", text, -1);
  run_imu (&run, "--library", library, "import", "--json", csv);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  root = parse_json (run.out);
  session = json_array_get_object_element (json_node_get_array (root), 0);
  issues = json_object_get_object_member (session, "issues");
  g_assert_cmpint (json_object_get_int_member (issues, "E_NUMERIC_FORMAT"), ==, 1);
  /* The warning names the file, the code and the line. */
  g_assert_nonnull (strstr (run.err, "E_NUMERIC_FORMAT"));
  g_assert_nonnull (strstr (run.err, "12"));
}

static void
test_import_duplicate (void)
{
  g_autofree char *csv = NULL;
  g_autofree char *library = library_with_fixture (&csv);
  g_auto(Run) again = { 0 };
  g_auto(Run) allowed = { 0 };
  g_auto(Run) list = { 0 };
  g_autoptr(JsonNode) root = NULL;

  run_imu (&again, "--library", library, "import", csv);
  g_assert_cmpint (again.status, ==, EXIT_DUPLICATE);
  g_assert_cmpstr (again.out, ==, "");
  g_assert_nonnull (strstr (again.err, csv));
  g_assert_nonnull (strstr (again.err, "session 1"));
  g_assert_nonnull (strstr (again.err, "Morning run"));

  run_imu (&allowed, "--library", library, "import", "--allow-duplicate", csv);
  g_assert_cmpint (allowed.status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (allowed.out, "2\t"));

  run_imu (&list, "--library", library, "list", "--json");
  g_assert_cmpint (list.status, ==, EXIT_OK);
  root = parse_json (list.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 2);
}

/* A damaged bundle is bad input (exit 2), never a library error (5); the
 * library keeps what it had. */
static void
test_import_bad_bundle (void)
{
  g_autofree char *source = imu_test_library_path ();
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *good = write_fixture ("good.csv");
  g_autofree char *other = write_fixture ("other.csv");
  g_autofree char *bundle = g_build_filename (dir, "s.imub", NULL);
  g_autofree char *bad = g_build_filename (dir, "bad.imub", NULL);
  g_autofree char *data = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;

  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", source, "import", good);
    g_assert_cmpint (run.status, ==, EXIT_OK);
    run_clear (&run);
    /* The library it goes to holds another session already. */
    run_imu (&run, "--library", library, "import", "--title", "kept", other);
    g_assert_cmpint (run.status, ==, EXIT_OK);
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", source, "export", "-f", "bundle", "--bundle-format", "zip", "-o", bundle, "1");
    g_assert_cmpint (run.status, ==, EXIT_OK);
  }
  g_file_get_contents (bundle, &data, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 200);
  /* The middle of the archive: inside a member's compressed bytes. */
  data[len / 2] ^= 0xff;
  g_file_set_contents (bad, data, (gssize) len, &error);
  g_assert_no_error (error);
  {
    g_auto(Run) run = { 0 };
    g_autofree char *prefix = g_strdup_printf ("imu: %s: ", bad);

    run_imu (&run, "--library", library, "import", bad);
    g_assert_cmpint (run.status, ==, EXIT_BAD_INPUT);
    g_assert_true (g_str_has_prefix (run.err, prefix));
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "list", "--json");
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_nonnull (strstr (run.out, "\"id\" : 1,"));
    g_assert_null (strstr (run.out, "\"id\" : 2,"));
  }
}

static void
test_import_bad_input (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *empty = imu_test_write_file ("empty.csv", "", 0);
  g_autofree char *header_only = imu_test_write_file ("header_only.csv", "time,ax,ay,az\n", -1);
  g_autofree char *good = write_fixture ("good.csv");
  g_autofree char *garbage = NULL;
  g_autofree char *missing = NULL;
  guint8 bytes[4096];
  guint32 state = 12345;
  struct { const char *path; } cases[3];

  /* Binary garbage: a fixed pseudo-random sequence with NULs in it. */
  for (guint i = 0; i < sizeof bytes; i++)
    {
      state = state * 1103515245u + 12345u;
      bytes[i] = (guint8) (state >> 16);
    }
  bytes[0] = 0;
  garbage = imu_test_write_file ("garbage.bin", (const char *) bytes, sizeof bytes);
  missing = g_build_filename (g_get_tmp_dir (), "imu-test-no-such-file.csv", NULL);

  cases[0].path = empty;
  cases[1].path = header_only;
  cases[2].path = garbage;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Run) run = { 0 };
      g_autofree char *prefix = g_strdup_printf ("imu: %s: ", cases[i].path);

      run_imu (&run, "--library", library, "import", cases[i].path);
      g_assert_cmpint (run.status, ==, EXIT_BAD_INPUT);
      g_assert_cmpstr (run.out, ==, "");
      g_assert_true (g_str_has_prefix (run.err, prefix));
    }

  /* Several paths: the good one lands, each failure is reported, exit 2. */
  {
    g_auto(Run) run = { 0 };
    g_auto(Run) list = { 0 };
    g_autoptr(JsonNode) root = NULL;

    run_imu (&run, "--library", library, "import", empty, good, missing, garbage);
    g_assert_cmpint (run.status, ==, EXIT_BAD_INPUT);
    g_assert_true (g_str_has_prefix (run.out, "1\t"));
    g_assert_nonnull (strstr (run.err, empty));
    g_assert_nonnull (strstr (run.err, missing));
    g_assert_nonnull (strstr (run.err, garbage));

    run_imu (&list, "--library", library, "list", "--json");
    root = parse_json (list.out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  }
}

/* Waits until @proc has read @bytes (Linux /proc/PID/io), so that a signal
 * lands in the middle of the work rather than during start-up; gives up
 * after 10 s, or waits a quarter of a second where /proc cannot tell. */
static void
wait_until_reading (GSubprocess *proc,
                    guint64      bytes)
{
  g_autofree char *io_path = g_strdup_printf ("/proc/%s/io", g_subprocess_get_identifier (proc));

  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *io = NULL;
      const char *rchar;

      if (!g_file_get_contents (io_path, &io, NULL, NULL) || (rchar = strstr (io, "rchar: ")) == NULL)
        {
          g_usleep (G_USEC_PER_SEC / 4);
          return;
        }
      if (g_ascii_strtoull (rchar + 7, NULL, 10) >= bytes)
        return;
      g_usleep (10000);
    }
}

/* Ctrl+C during an import: exit 130, and the library file is unchanged. */
static void
test_import_cancel (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *big = g_build_filename (dir, "big.csv", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Run) list = { 0 };
  g_autoptr(JsonNode) root = NULL;
  GString *text = g_string_sized_new (90 * 1000 * 1000);

  /* About 85 MB: far more than the import reads in the time the signal takes. */
  g_string_append (text, "time,ax (g),ay (g),az (g)\n");
  for (int i = 0; i < 2000000; i++)
    g_string_append_printf (text, "%d.%02d,0.%05d,-0.%05d,0.%05d\n",
                            1700000000 + i / 100, i % 100, i % 99991, (i * 7) % 99991, (i * 13) % 99991);
  g_file_set_contents (big, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  g_string_free (text, TRUE);

  before = imu_test_sha256_file (library);
  g_subprocess_launcher_unsetenv (launcher, "IMU_LIBRARY");
  proc = g_subprocess_launcher_spawn (launcher, &error, imu_path (), "--library", library, "import", big, NULL);
  g_assert_no_error (error);
  wait_until_reading (proc, 8 * 1024 * 1024);
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, EXIT_CANCELLED);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "cancelled"));

  after = imu_test_sha256_file (library);
  g_assert_cmpstr (after, ==, before);
  run_imu (&list, "--library", library, "list", "--json");
  root = parse_json (list.out);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
}

/* ---- list, show ---- */

static void
test_list (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *csv2 = NULL;
  g_autofree char *base = fixture_text ();
  g_autofree char *text = NULL;
  g_autofree char *first_row = NULL;
  g_auto(Run) second = { 0 };
  g_auto(Run) table = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) search = { 0 };
  g_auto(Run) by_title = { 0 };
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *keys = NULL;
  const char *title_in_header;
  JsonArray *sessions;
  JsonObject *first = NULL;
  JsonArray *tags;

  /* A second session, 11 rows, with a longer title. */
  text = g_strconcat (base, "1551178506.1100,0.022,-0.961,0.074\n", NULL);
  csv2 = imu_test_write_file ("second.csv", text, -1);
  run_imu (&second, "--library", library, "import", "--title",
           "Afternoon intervals on the track with a title far too long to fit in its column", csv2);
  g_assert_cmpint (second.status, ==, EXIT_OK);

  run_imu (&table, "--library", library, "list");
  g_assert_cmpint (table.status, ==, EXIT_OK);
  lines = g_strsplit (table.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4); /* header, two rows, "" after the last \n */
  g_assert_true (g_str_has_prefix (lines[0], "ID"));
  title_in_header = strstr (lines[0], "TITLE");
  g_assert_nonnull (title_in_header);
  /* Aligned: each row's title starts in the header's TITLE column. */
  for (guint i = 1; i <= 2; i++)
    {
      const char *title = strstr (lines[i], "Morning run");

      if (title == NULL)
        title = strstr (lines[i], "Afternoon");
      g_assert_nonnull (title);
      g_assert_cmpint (title - lines[i], ==, title_in_header - lines[0]);
      /* Both sessions last 0:00:00.09 or 0:00:00.10: printed h:mm:ss. */
      g_assert_nonnull (strstr (lines[i], "0:00:00"));
    }
  /* The long title is cut and ends with an ellipsis. */
  g_assert_null (strstr (table.out, "fit in its column"));
  g_assert_nonnull (strstr (table.out, "…"));

  run_imu (&json, "--library", library, "list", "--json", "--sort", "title");
  g_assert_cmpint (json.status, ==, EXIT_OK);
  root = parse_json (json.out);
  sessions = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (sessions), ==, 2);
  /* Sorted by title: "Afternoon…" before "Morning run". */
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_array_get_object_element (sessions, 0), "title"),
                                   "Afternoon"));
  first = json_array_get_object_element (sessions, 1);
  keys = member_names (first);
  g_assert_cmpstr (keys, ==, "activity,duration_s,id,notes,origin,start,state,streams,subject,tags,title,uuid");
  g_assert_cmpint (json_object_get_int_member (first, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (first, "title"), ==, "Morning run");
  g_assert_cmpstr (json_object_get_string_member (first, "subject"), ==, "Ada");
  tags = json_object_get_array_member (first, "tags");
  g_assert_cmpuint (json_array_get_length (tags), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (tags, 0), ==, "lab");
  g_assert_cmpstr (json_array_get_string_element (tags, 1), ==, "trial 1");
  /* 1551178506.01 is 2019-02-26T10:55:06.01Z. */
  g_assert_cmpstr (json_object_get_string_member (first, "start"), ==, "2019-02-26T10:55:06.01Z");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (first, "duration_s"), 0.09, 1e-12);
  g_assert_cmpstr (json_object_get_string_member (first, "state"), ==, "complete");
  g_assert_cmpstr (json_object_get_string_member (first, "origin"), ==, "imported");
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (first, "streams"), 0),
                                               "samples"), ==, FIXTURE_ROWS);

  run_imu (&search, "--library", library, "list", "--json", "--search", "afternoon");
  g_assert_cmpint (search.status, ==, EXIT_OK);
  {
    g_autoptr(JsonNode) found = parse_json (search.out);

    g_assert_cmpuint (json_array_get_length (json_node_get_array (found)), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (json_node_get_array (found), 0), "id"), ==, 2);
  }

  run_imu (&by_title, "--library", library, "list", "--sort", "duration");
  g_assert_cmpint (by_title.status, ==, EXIT_OK);
  /* Longest first: the 11-row session (id 2) leads (ids are right-aligned). */
  first_row = g_strdup (strchr (by_title.out, '\n') + 1);
  g_assert_true (g_str_has_prefix (g_strchug (first_row), "2 "));
}

static void
test_list_no_library (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_auto(Run) json = { 0 };

  run_imu (&json, "--library", library, "list", "--json");
  g_assert_cmpint (json.status, ==, EXIT_OK);
  g_assert_cmpstr (g_strstrip (json.out), ==, "[]");
  g_assert_false (g_file_test (library, G_FILE_TEST_EXISTS));
}

static void
test_show (void)
{
  g_autofree char *csv = NULL;
  g_autofree char *library = library_with_fixture (&csv);
  g_autofree char *sha256 = imu_test_sha256_file (csv);
  g_autofree char *fixture = fixture_text ();
  g_autofree char *uuid_prefix = NULL;
  g_auto(Run) text = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) by_uuid = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *session, *stream, *audit, *channel;
  JsonArray *imports;

  run_imu (&text, "--library", library, "show", "1");
  g_assert_cmpint (text.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (text.out, "Morning run"));
  g_assert_nonnull (strstr (text.out, "Ada"));
  g_assert_nonnull (strstr (text.out, "10 samples"));
  g_assert_nonnull (strstr (text.out, "100 Hz"));
  g_assert_nonnull (strstr (text.out, sha256));
  g_assert_nonnull (strstr (text.out, csv));
  g_assert_nonnull (strstr (text.out, "2019-02-26T10:55:06.01Z → 2019-02-26T10:55:06.1Z"));

  run_imu (&json, "--library", library, "show", "1", "--json");
  g_assert_cmpint (json.status, ==, EXIT_OK);
  root = parse_json (json.out);
  session = json_node_get_object (root);
  g_assert_cmpint (json_object_get_int_member (session, "id"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (session, "events"), ==, 0);
  g_assert_true (json_object_has_member (session, "device"));
  stream = json_array_get_object_element (json_object_get_array_member (session, "streams"), 0);
  g_assert_cmpint (json_object_get_int_member (stream, "samples"), ==, FIXTURE_ROWS);
  g_assert_cmpstr (json_object_get_string_member (stream, "first"), ==, "2019-02-26T10:55:06.01Z");
  g_assert_cmpstr (json_object_get_string_member (stream, "last"), ==, "2019-02-26T10:55:06.1Z");
  channel = json_array_get_object_element (json_object_get_array_member (stream, "channels"), 2);
  g_assert_cmpstr (json_object_get_string_member (channel, "name"), ==, "az");
  g_assert_cmpstr (json_object_get_string_member (channel, "unit"), ==, "g");
  g_assert_cmpint (json_object_get_int_member (channel, "decimals"), ==, 3);

  imports = json_object_get_array_member (session, "imports");
  g_assert_cmpuint (json_array_get_length (imports), ==, 1);
  audit = json_array_get_object_element (imports, 0);
  g_assert_cmpstr (json_object_get_string_member (audit, "path"), ==, csv);
  g_assert_cmpstr (json_object_get_string_member (audit, "sha256"), ==, sha256);
  g_assert_cmpint (json_object_get_int_member (audit, "bytes"), ==, (gint64) strlen (fixture));
  g_assert_cmpint (json_object_get_int_member (audit, "rows"), ==, FIXTURE_ROWS);
  g_assert_cmpstr (json_object_get_string_member (audit, "format"), ==, "csv");
  g_assert_cmpstr (json_object_get_string_member (audit, "delimiter"), ==, ",");
  g_assert_true (json_object_get_boolean_member (audit, "utf8_valid"));

  /* The same session by a uuid prefix of 8 digits. */
  uuid_prefix = g_strndup (json_object_get_string_member (session, "uuid"), 8);
  run_imu (&by_uuid, "--library", library, "show", uuid_prefix, "--json");
  g_assert_cmpint (by_uuid.status, ==, EXIT_OK);
  g_assert_cmpstr (by_uuid.out, ==, json.out);
}

/* ---- one clock for the list, the window and `imu show` ---- */

/* 100 rows at 100 Hz from 2024-03-12 18:30:00 at UTC+09:00, which is
 * 09:30:00 UTC and 05:30:00 in New York (daylight time began on 10 March). */
static char *
write_zoned_csv (void)
{
  GString *csv = g_string_new ("time,ax,ay,az\n");

  for (int i = 0; i < 100; i++)
    g_string_append_printf (csv, "2024-03-12T18:30:00.%02d0+09:00,0.010,0.020,1.000\n", i);
  return imu_test_write_file ("zoned.csv", csv->str, (gssize) csv->len);
}

/* 100 rows of seconds from the start only: the file has no date. */
static char *
write_undated_csv (void)
{
  GString *csv = g_string_new ("t,ax,ay,az\n");

  for (int i = 0; i < 100; i++)
    g_string_append_printf (csv, "%d.%02d,0.010,0.020,1.000\n", i / 100, i % 100);
  return imu_test_write_file ("undated.csv", csv->str, (gssize) csv->len);
}

static void
test_time_zone_rule (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *zoned = write_zoned_csv ();
  g_autofree char *undated = write_undated_csv ();
  g_autofree char *old_tz = g_strdup (g_getenv ("TZ"));
  g_auto(Run) import = { 0 };
  g_auto(Run) list = { 0 };
  g_auto(Run) show = { 0 };
  g_auto(Run) show_undated = { 0 };

  /* The machine is in New York: the recording's own +09:00 wins. */
  g_setenv ("TZ", "America/New_York", TRUE);
  run_imu (&import, "--library", library, "import", zoned, undated);
  g_assert_cmpint (import.status, ==, EXIT_OK);
  run_imu (&list, "--library", library, "list", "--sort", "title");
  run_imu (&show, "--library", library, "show", "1");
  run_imu (&show_undated, "--library", library, "show", "2");
  if (old_tz != NULL)
    g_setenv ("TZ", old_tz, TRUE);
  else
    g_unsetenv ("TZ");

  g_assert_cmpint (list.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (list.out, "  2024-03-12 18:30:00 UTC+09:00  "));
  g_assert_nonnull (strstr (list.out, "  No date  "));
  g_assert_null (strstr (list.out, "1970"));
  g_assert_cmpint (show.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (show.out, "  Start:       2024-03-12 18:30:00 UTC+09:00 (2024-03-12T09:30:00Z)\n"));
  g_assert_nonnull (strstr (show.out, "  End:         2024-03-12 18:30:00 UTC+09:00 (2024-03-12T09:30:00.99Z)\n"));
  g_assert_cmpint (show_undated.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (show_undated.out, "  Start:       No date\n"));
  g_assert_nonnull (strstr (show_undated.out, "    +0:00:00 → +0:00:01 (0:00:01)\n"));
  g_assert_null (strstr (show_undated.out, "End:"));
  /* The note the importer wrote names 1970; nothing else may. */
  g_assert_null (strstr (show_undated.out, "1970-01-01T"));
}

static void
test_not_found (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  const char *commands[] = { "show", "delete" };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) by_id = { 0 };
      g_auto(Run) by_uuid = { 0 };

      run_imu (&by_id, "--library", library, commands[i], "999");
      g_assert_cmpint (by_id.status, ==, EXIT_NOT_FOUND);
      g_assert_nonnull (strstr (by_id.err, "999"));

      /* "zzzz" is neither a number nor hex digits of a uuid. */
      run_imu (&by_uuid, "--library", library, commands[i], "zzzz");
      g_assert_cmpint (by_uuid.status, ==, EXIT_NOT_FOUND);
    }

  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "export", "999", "-o", out);
    g_assert_cmpint (run.status, ==, EXIT_NOT_FOUND);
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
}

/* Two sessions whose uuids share "abcd": the prefix is refused as ambiguous. */
static void
test_ambiguous (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *csv = write_fixture ("again.csv");
  g_auto(Run) second = { 0 };
  g_auto(Run) ambiguous = { 0 };
  g_auto(Run) unique = { 0 };
  sqlite3 *db = NULL;

  run_imu (&second, "--library", library, "import", "--allow-duplicate", csv);
  g_assert_cmpint (second.status, ==, EXIT_OK);

  g_assert_cmpint (sqlite3_open (library, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE sessions SET uuid = 'abcd0000-0000-4000-8000-000000000001' WHERE id = 1;"
                                 "UPDATE sessions SET uuid = 'abcd1111-0000-4000-8000-000000000002' WHERE id = 2;",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  run_imu (&ambiguous, "--library", library, "show", "abcd");
  g_assert_cmpint (ambiguous.status, ==, EXIT_AMBIGUOUS);
  g_assert_nonnull (strstr (ambiguous.err, "abcd"));

  run_imu (&unique, "--library", library, "show", "abcd1", "--json");
  g_assert_cmpint (unique.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (unique.out, "abcd1111-0000-4000-8000-000000000002"));
}

/* ---- export ---- */

static char *
first_stream_name (const char *library)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *stream;

  run_imu (&run, "--library", library, "show", "1", "--json");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  root = parse_json (run.out);
  stream = json_array_get_object_element (json_object_get_array_member (json_node_get_object (root), "streams"), 0);
  return g_strdup (json_object_get_string_member (stream, "name"));
}

static void
test_export_roundtrip (void)
{
  g_autofree char *csv = NULL;
  g_autofree char *library = library_with_fixture (&csv);
  g_autofree char *expected = fixture_text ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "export.csv", NULL);
  g_autofree char *written = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) again = { 0 };

  run_imu (&run, "--library", library, "export", "1", "--format", "csv", "-o", out);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  written = read_text (out);
  /* Same header, same time text, same numbers, text for text. */
  g_assert_cmpstr (written, ==, expected);

  /* So the export is the very same bytes: importing it is a duplicate. */
  run_imu (&again, "--library", library, "import", out);
  g_assert_cmpint (again.status, ==, EXIT_DUPLICATE);
  g_assert_nonnull (strstr (again.err, "session 1"));
}

static void
test_export_stream_by_name (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *name = first_stream_name (library);
  g_autofree char *expected = fixture_text ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "by-name.csv", NULL);
  g_autofree char *written = NULL;
  g_autofree char *in_dir = NULL;
  g_autofree char *file_name = NULL;
  g_auto(Run) run = { 0 };
  g_auto(Run) to_stdout = { 0 };
  g_auto(Run) missing = { 0 };
  g_auto(Run) to_dir = { 0 };

  run_imu (&run, "--library", library, "export", "1", "--stream", name, "-o", out);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  written = read_text (out);
  g_assert_cmpstr (written, ==, expected);

  run_imu (&to_stdout, "--library", library, "export", "1", "--stream", name, "-o", "-");
  g_assert_cmpint (to_stdout.status, ==, EXIT_OK);
  g_assert_cmpstr (to_stdout.out, ==, expected);

  run_imu (&missing, "--library", library, "export", "1", "--stream", "no such stream", "-o", out);
  g_assert_cmpint (missing.status, ==, EXIT_NOT_FOUND);
  g_assert_nonnull (strstr (missing.err, "no such stream"));
  /* The earlier export is still there, whole. */
  g_clear_pointer (&written, g_free);
  written = read_text (out);
  g_assert_cmpstr (written, ==, expected);

  /* An existing directory as PATH: the stream goes to NAME.csv in it. */
  run_imu (&to_dir, "--library", library, "export", "1", "-o", dir);
  g_assert_cmpint (to_dir.status, ==, EXIT_OK);
  file_name = g_strconcat (name, ".csv", NULL);
  in_dir = g_build_filename (dir, file_name, NULL);
  g_clear_pointer (&written, g_free);
  written = read_text (in_dir);
  g_assert_cmpstr (written, ==, expected);
}

/* A file with accelerometer and gyroscope columns becomes two streams; with
 * no --stream the export writes one NAME.csv per stream into a directory,
 * each with the time column and that stream's columns as the source had. */
static void
test_export_directory (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *out = g_build_filename (dir, "session", NULL);
  GString *source = g_string_new ("time,ax (g),ay (g),az (g),gx (deg/s),gy (deg/s),gz (deg/s)\n");
  GString *accel = g_string_new ("time,ax (g),ay (g),az (g)\n");
  GString *gyro = g_string_new ("time,gx (deg/s),gy (deg/s),gz (deg/s)\n");
  g_autofree char *csv = NULL;
  g_auto(Run) import = { 0 };
  g_auto(Run) show = { 0 };
  g_auto(Run) export = { 0 };
  g_auto(Run) to_stdout = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *streams;
  guint n_found = 0;

  for (int i = 0; i < 20; i++)
    {
      g_autofree char *t = g_strdup_printf ("%d.%03d", 1700000000 + i / 50, (i % 50) * 20);
      g_autofree char *a = g_strdup_printf ("0.%03d,-0.%03d,0.%03d", 100 + i, 900 + i, 300 + 2 * i);
      g_autofree char *g = g_strdup_printf ("1.%02d,-2.%02d,3.%02d", 10 + i, 20 + i, 30 + i);

      g_string_append_printf (source, "%s,%s,%s\n", t, a, g);
      g_string_append_printf (accel, "%s,%s\n", t, a);
      g_string_append_printf (gyro, "%s,%s\n", t, g);
    }
  csv = imu_test_write_file ("two_sensors.csv", source->str, -1);

  run_imu (&import, "--library", library, "import", csv);
  g_assert_cmpint (import.status, ==, EXIT_OK);

  run_imu (&show, "--library", library, "show", "1", "--json");
  g_assert_cmpint (show.status, ==, EXIT_OK);
  root = parse_json (show.out);
  streams = json_object_get_array_member (json_node_get_object (root), "streams");
  g_assert_cmpuint (json_array_get_length (streams), ==, 2);

  run_imu (&export, "--library", library, "export", "1", "-o", out);
  g_assert_cmpint (export.status, ==, EXIT_OK);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_DIR));

  for (guint i = 0; i < 2; i++)
    {
      JsonObject *stream = json_array_get_object_element (streams, i);
      const char *first_channel = json_object_get_string_member (
          json_array_get_object_element (json_object_get_array_member (stream, "channels"), 0), "name");
      g_autofree char *file_name = g_strconcat (json_object_get_string_member (stream, "name"), ".csv", NULL);
      g_autofree char *path = g_build_filename (out, file_name, NULL);
      g_autofree char *written = read_text (path);

      /* The export prints the paths it wrote. */
      g_assert_nonnull (strstr (export.out, path));
      if (g_str_equal (first_channel, "ax"))
        {
          g_assert_cmpstr (written, ==, accel->str);
          n_found++;
        }
      else if (g_str_equal (first_channel, "gx"))
        {
          g_assert_cmpstr (written, ==, gyro->str);
          n_found++;
        }
    }
  g_assert_cmpuint (n_found, ==, 2);

  /* Two streams cannot both go to standard output. */
  run_imu (&to_stdout, "--library", library, "export", "1", "-o", "-");
  g_assert_cmpint (to_stdout.status, ==, EXIT_USAGE);
  g_assert_cmpstr (to_stdout.out, ==, "");

  g_string_free (source, TRUE);
  g_string_free (accel, TRUE);
  g_string_free (gyro, TRUE);
}

/* ---- delete, check ---- */

static void
test_delete (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *csv = write_fixture ("second.csv");
  g_auto(Run) second = { 0 };
  g_auto(Run) deleted = { 0 };
  g_auto(Run) list = { 0 };
  g_auto(Run) show = { 0 };
  g_auto(Run) check = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *sessions;

  run_imu (&second, "--library", library, "import", "--allow-duplicate", "--title", "Second", csv);
  g_assert_cmpint (second.status, ==, EXIT_OK);

  run_imu (&deleted, "--library", library, "delete", "1");
  g_assert_cmpint (deleted.status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (deleted.out, "Deleted session 1 “Morning run”"));

  run_imu (&list, "--library", library, "list", "--json");
  g_assert_cmpint (list.status, ==, EXIT_OK);
  root = parse_json (list.out);
  sessions = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (sessions), ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (sessions, 0), "id"), ==, 2);

  run_imu (&show, "--library", library, "show", "1");
  g_assert_cmpint (show.status, ==, EXIT_NOT_FOUND);

  run_imu (&check, "--library", library, "check");
  g_assert_cmpint (check.status, ==, EXIT_OK);
}

/* `imu trash`: the trash days setting, and what it refuses. */
static void
test_trash (void)
{
  g_autofree char *fixture = NULL;
  g_autofree char *library = library_with_fixture (&fixture);
  g_autofree char *library_dir = g_path_get_dirname (library);
  g_autofree char *bundle = g_build_filename (library_dir, "morning.imub", NULL);
  g_auto(Run) export = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) after_empty = { 0 };
  g_auto(Run) days = { 0 };
  g_auto(Run) set = { 0 };
  g_auto(Run) none = { 0 };
  g_auto(Run) bogus = { 0 };
  g_auto(Run) bad_days = { 0 };
  g_auto(Run) misplaced = { 0 };
  g_auto(Run) del = { 0 };
  g_auto(Run) empty_old = { 0 };
  g_auto(Run) empty_all = { 0 };

  run_imu (&days, "--library", library, "trash", "days");
  g_assert_cmpint (days.status, ==, EXIT_OK);
  g_assert_cmpstr (days.out, ==, "Deleted sessions stay in the trash for 30 days\n");
  run_imu (&set, "--library", library, "trash", "days", "1");
  g_assert_cmpint (set.status, ==, EXIT_OK);
  g_assert_cmpstr (set.out, ==, "Deleted sessions stay in the trash for 1 day\n");
  run_imu (&none, "--library", library, "trash");
  g_assert_cmpint (none.status, ==, EXIT_USAGE);
  run_imu (&bogus, "--library", library, "trash", "burn");
  g_assert_cmpint (bogus.status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (bogus.err, "“burn” is not something imu trash does"));
  run_imu (&bad_days, "--library", library, "trash", "days", "-3");
  g_assert_cmpint (bad_days.status, ==, EXIT_USAGE);
  run_imu (&misplaced, "--library", library, "trash", "list", "--older-than", "3");
  g_assert_cmpint (misplaced.status, ==, EXIT_USAGE);

  run_imu (&export, "--library", library, "export", "1", "-f", "bundle", "-o", bundle);
  g_assert_cmpint (export.status, ==, EXIT_OK);
  /* Deleted just now: older than 1 day it is not; emptying all takes it. */
  run_imu (&del, "--library", library, "delete", "1");
  g_assert_cmpint (del.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (del.out, "in the trash for 1 day (imu trash restore 1 brings it back)"));
  /* Its bundle again: the uuid is the trashed session's, and the message
   * says how to get it back instead of calling it imported. */
  run_imu (&again, "--library", library, "import", bundle);
  g_assert_cmpint (again.status, ==, 3);
  g_assert_nonnull (strstr (again.err, "session 1 “Morning run”"));
  g_assert_nonnull (strstr (again.err, "in the trash, holds it; imu trash restore 1 brings it back"));
  /* The CSV it came from is a new import: a trashed session is no
   * duplicate of a file. */
  run_imu (&after_empty, "--library", library, "import", fixture);
  g_assert_cmpint (after_empty.status, ==, EXIT_OK);
  g_assert_true (g_str_has_prefix (after_empty.out, "2\t"));
  run_imu (&empty_old, "--library", library, "trash", "empty", "--older-than", "1");
  g_assert_cmpint (empty_old.status, ==, EXIT_OK);
  g_assert_cmpstr (empty_old.out, ==, "Deleted 0 sessions for good\n");
  run_imu (&empty_all, "--library", library, "trash", "empty");
  g_assert_cmpint (empty_all.status, ==, EXIT_OK);
  g_assert_cmpstr (empty_all.out, ==, "Deleted 1 session for good\n");
}

static void
test_check (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *missing = imu_test_library_path ();
  g_auto(Run) run = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) none = { 0 };
  g_autoptr(JsonNode) root = NULL;

  run_imu (&run, "--library", library, "check");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (run.out, "healthy"));

  run_imu (&json, "--library", library, "check", "--json");
  g_assert_cmpint (json.status, ==, EXIT_OK);
  root = parse_json (json.out);
  g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "healthy"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (root), "problems")), ==, 0);

  /* No library there: an error, and none is created. */
  run_imu (&none, "--library", missing, "check");
  g_assert_cmpint (none.status, ==, EXIT_LIBRARY);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

/* ---- libraries the CLI must refuse ---- */

static void
test_newer_schema (void)
{
  g_autofree char *csv = write_fixture ("later.csv");
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  const char *commands[][3] = {
    { "list", NULL, NULL },
    { "show", "1", NULL },
    { "check", NULL, NULL },
    { "delete", "1", NULL },
    { "import", csv, NULL },
  };
  sqlite3 *db = NULL;

  /* Make it a library written by a future IMU Studio. */
  g_assert_cmpint (sqlite3_open (library, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "UPDATE schema_migrations SET version = 9999 "
                                 "WHERE version = (SELECT max(version) FROM schema_migrations)",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
  before = imu_test_sha256_file (library);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      g_auto(Run) run = { 0 };

      if (commands[i][1] != NULL)
        run_imu (&run, "--library", library, commands[i][0], commands[i][1]);
      else
        run_imu (&run, "--library", library, commands[i][0]);
      g_assert_cmpint (run.status, ==, EXIT_LIBRARY);
      g_assert_nonnull (strstr (run.err, library));
      g_assert_nonnull (strstr (run.err, "9999"));
    }

  after = imu_test_sha256_file (library);
  g_assert_cmpstr (after, ==, before);
}

static void
test_not_a_library (void)
{
  g_autofree char *path = imu_test_write_file ("notes.db", "these are not the droids\n", -1);
  g_autofree char *before = imu_test_sha256_file (path);
  g_autofree char *after = NULL;
  g_auto(Run) run = { 0 };

  run_imu (&run, "--library", path, "list");
  g_assert_cmpint (run.status, ==, EXIT_LIBRARY);
  g_assert_nonnull (strstr (run.err, path));
  after = imu_test_sha256_file (path);
  g_assert_cmpstr (after, ==, before);
}

/* `imu formats --json`: every registry entry with exactly these fields. */
static void
test_formats_json (void)
{
  static const struct { const char *name; const char *description; const char *patterns; gboolean reads; } expected[] = {
    { "csv", "CSV and TSV text", "*.csv *.tsv *.txt", TRUE },
    { "bundle", "IMU Studio session bundles", "*.imub", TRUE },
    { "archive", "Folders and archives (zip, tar) of these files, such as Sensor Logger and phyphox exports",
      "*.zip *.tar *.tar.gz *.tgz *.tar.zst *.tar.xz", TRUE },
    { "cwa", "Axivity CWA device files", "*.cwa", TRUE },
    { "gt3x", "ActiGraph GT3X device files", "*.gt3x", TRUE },
    { "geneactiv", "GENEActiv device files", "*.bin", TRUE },
    { "parquet", "Apache Parquet tables", "*.parquet", FALSE },
  };
  g_auto(Run) run = { 0 };
  g_auto(Run) global = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *array;

  run_imu (&run, "formats", "--json");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  g_assert_cmpstr (run.err, ==, "");
  root = parse_json (run.out);
  array = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      JsonObject *o = json_array_get_object_element (array, i);
      JsonArray *patterns = json_object_get_array_member (o, "patterns");
      g_autoptr(GString) joined = g_string_new (NULL);

      g_assert_cmpuint (json_object_get_size (o), ==, 5);
      g_assert_cmpstr (json_object_get_string_member (o, "name"), ==, expected[i].name);
      /* The three device formats, and they alone. */
      g_assert_cmpint (json_object_get_boolean_member (o, "device_file"), ==,
                       g_str_equal (expected[i].name, "cwa") || g_str_equal (expected[i].name, "gt3x")
                       || g_str_equal (expected[i].name, "geneactiv"));
      g_assert_cmpstr (json_object_get_string_member (o, "description"), ==, expected[i].description);
      g_assert_cmpint (json_object_get_boolean_member (o, "reads"), ==, expected[i].reads);
      for (guint k = 0; k < json_array_get_length (patterns); k++)
        g_string_append_printf (joined, "%s%s", k > 0 ? " " : "", json_array_get_string_element (patterns, k));
      g_assert_cmpstr (joined->str, ==, expected[i].patterns);
    }

  /* --json before the command says the same; no library is needed. */
  run_imu (&global, "--json", "formats");
  g_assert_cmpint (global.status, ==, EXIT_OK);
  g_assert_cmpstr (global.out, ==, run.out);
}

static void
test_formats_table (void)
{
  g_auto(Run) run = { 0 };
  g_auto(Run) extra = { 0 };
  g_auto(GStrv) lines = NULL;

  run_imu (&run, "formats");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  lines = g_strsplit (run.out, "\n", -1);
  /* Seven formats, one line each, and the final newline. */
  g_assert_cmpuint (g_strv_length (lines), ==, 8);
  g_assert_cmpstr (lines[0], ==, "csv        reads       *.csv *.tsv *.txt                              CSV and TSV text");
  g_assert_cmpstr (lines[3], ==, "cwa        reads       *.cwa                                          Axivity CWA device files");
  g_assert_cmpstr (lines[7], ==, "");

  run_imu (&extra, "formats", "csv");
  g_assert_cmpint (extra.status, ==, EXIT_USAGE);
}

/* --format forces an importer; a misspelt one is a usage error; a format
 * only recognised says what the file is, and exits as bad input. */
static void
test_import_format (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *fixture = write_fixture ("recording.log");
  g_autofree char *good = write_fixture ("plain.csv");
  static const guint8 cwa[] = { 'M', 'D', 0xfc, 0x03, 0x00, 0x0a, 0x9a, 0x1a, 0x00, 0x00 };
  g_autofree char *device = imu_test_write_file ("AX3.cwa", (const char *) cwa, sizeof cwa);

  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "import", "--format", "xlsx", good);
    g_assert_cmpint (run.status, ==, EXIT_USAGE);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_true (g_str_has_prefix (run.err, "imu import: unknown format “xlsx”; imu formats lists them\n"));
    /* Refused before the library was even created. */
    g_assert_false (g_file_test (library, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Run) run = { 0 };

    /* A time zone that is none is a usage error, found before anything is read. */
    run_imu (&run, "--library", library, "import", "--device-timezone", "Mars/Olympus", good);
    g_assert_cmpint (run.status, ==, EXIT_USAGE);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_true (g_str_has_prefix (run.err, "imu import: “Mars/Olympus” is not a time zone: give a name such as "
                                              "Europe/Berlin, UTC, or an offset such as +01:00\n"));
    g_assert_false (g_file_test (library, G_FILE_TEST_EXISTS));
  }
  {
    g_auto(Run) run = { 0 };

    /* A CSV has no device clock: the option changes nothing and nothing is said of it. */
    run_imu (&run, "--library", library, "import", "--device-timezone", "+02:00", "--json", good);
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_null (strstr (run.out, "device_clock"));
    g_assert_null (strstr (run.err, "device clock"));
    g_assert_true (g_file_test (library, G_FILE_TEST_EXISTS));
    g_unlink (library);
  }
  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonNode) root = NULL;

    run_imu (&run, "--library", library, "import", "--format", "csv", "--json", fixture);
    g_assert_cmpint (run.status, ==, EXIT_OK);
    root = parse_json (run.out);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (root), 0),
                                                    "format"), ==, "csv");
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *expected = g_strdup_printf ("imu: %s: this does not look like Axivity CWA device files "
                                                 "(the format “cwa”)\n", good);

    run_imu (&run, "--library", library, "import", "--format", "cwa", good);
    g_assert_cmpint (run.status, ==, EXIT_BAD_INPUT);
    g_assert_cmpstr (run.err, ==, expected);
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *expected = g_strdup_printf ("imu: %s: the Axivity CWA header is cut short (10 of 1024 bytes)\n",
                                                 device);

    run_imu (&run, "--library", library, "import", device);
    g_assert_cmpint (run.status, ==, EXIT_BAD_INPUT);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_cmpstr (run.err, ==, expected);
  }
}

/* ---- edit and event ---- */

static void
test_edit (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_auto(Run) edit = { 0 };
  g_auto(Run) show = { 0 };
  g_auto(Run) nothing = { 0 };
  g_auto(Run) empty = { 0 };
  g_auto(Run) missing = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonObject *obj;
  JsonArray *tags;

  run_imu (&edit, "--library", library, "edit", "1", "--title", "Intervals", "--subject", "",
           "--activity", "run", "--tag", "outdoor", "--tag", "lab", "--untag", "trial 1", "--notes", "windy");
  g_assert_cmpint (edit.status, ==, EXIT_OK);
  g_assert_cmpstr (edit.out, ==, "Updated session 1 “Intervals”\n");

  run_imu (&show, "--library", library, "show", "1", "--json");
  g_assert_cmpint (show.status, ==, EXIT_OK);
  root = parse_json (show.out);
  obj = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (obj, "title"), ==, "Intervals");
  g_assert_cmpstr (json_object_get_string_member (obj, "activity"), ==, "run");
  g_assert_cmpstr (json_object_get_string_member (obj, "notes"), ==, "windy");
  g_assert_true (json_object_get_null_member (obj, "subject") ||
                 g_strcmp0 (json_object_get_string_member (obj, "subject"), "") == 0);
  /* "lab" was there and stays once; "trial 1" went; "outdoor" came. */
  tags = json_object_get_array_member (obj, "tags");
  g_assert_cmpuint (json_array_get_length (tags), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (tags, 0), ==, "lab");
  g_assert_cmpstr (json_array_get_string_element (tags, 1), ==, "outdoor");

  run_imu (&nothing, "--library", library, "edit", "1");
  g_assert_cmpint (nothing.status, ==, EXIT_USAGE);
  g_assert_true (g_str_has_prefix (nothing.err, "imu edit: nothing to change: give --title, --subject, "
                                                "--activity, --tag, --untag or --notes\n"));
  run_imu (&empty, "--library", library, "edit", "1", "--title", "  ");
  g_assert_cmpint (empty.status, ==, EXIT_USAGE);
  run_imu (&missing, "--library", library, "edit", "9", "--title", "x");
  g_assert_cmpint (missing.status, ==, EXIT_NOT_FOUND);
}

static void
test_event (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *csv_out = g_build_filename (dir, "events.csv", NULL);
  g_autofree char *text = NULL;
  static const char hand[] = "label,offset,duration\nWarm-up,0:00:00.05,0.5\nBad,soon,\n";
  g_autofree char *bad = imu_test_write_file ("bad-events.csv", hand, sizeof hand - 1);
  static const char good[] = "{\"time\":\"2019-02-26T10:55:06.5Z\",\"label\":\"Cool-down\",\"kind\":\"note\"}\n";
  g_autofree char *jsonl = imu_test_write_file ("more.jsonl", good, sizeof good - 1);

  {
    g_auto(Run) run = { 0 };

    /* The fixture starts at 2019-02-26T10:55:06.01Z: 0:00:00.25 from it is 10:55:06.26. */
    run_imu (&run, "--library", library, "event", "add", "1", "--at", "0:00:00.25", "--label", "Sprint, 1",
             "--duration", "0.5", "--note", "fast");
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_cmpstr (run.out, ==, "1\t0:00:00.250\tmarker\tSprint, 1\n");
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "event", "add", "1", "--at", "2019-02-26T10:55:06.11Z", "--label", "Turn",
             "--kind", "note", "--json");
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_nonnull (strstr (run.out, "\"offset\" : \"0:00:00.100\""));
    g_assert_nonnull (strstr (run.out, "\"t_ns\" : 1551178506110000000"));
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "event", "edit", "1", "1", "--label", "Sprint");
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_cmpstr (run.out, ==, "1\t0:00:00.250\tmarker\tSprint\n");
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "event", "export", "1", "-o", csv_out);
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_true (g_file_get_contents (csv_out, &text, NULL, NULL));
    /* By time: Turn (0.10) before Sprint (0.25). */
    g_assert_cmpstr (text, ==,
                     "time,offset,duration_s,kind,label,note\n"
                     "2019-02-26T10:55:06.110Z,0:00:00.100,0,note,Turn,\n"
                     "2019-02-26T10:55:06.260Z,0:00:00.250,0.5,marker,Sprint,fast\n");
  }
  {
    g_auto(Run) run = { 0 };
    g_auto(Run) list = { 0 };

    /* A bad line refuses the whole file, and says where. */
    run_imu (&run, "--library", library, "event", "import", "1", bad);
    g_assert_cmpint (run.status, ==, EXIT_BAD_INPUT);
    g_assert_true (g_str_has_prefix (run.err, "imu: bad-events.csv:3:5: “soon” is not a time"));
    run_imu (&list, "--library", library, "event", "list", "1", "--json");
    g_assert_cmpuint (json_array_get_length (json_node_get_array (parse_json (list.out))), ==, 2);
  }
  {
    g_auto(Run) run = { 0 };
    g_auto(Run) list = { 0 };

    run_imu (&run, "--library", library, "event", "import", "1", jsonl);
    g_assert_cmpint (run.status, ==, EXIT_OK);
    run_imu (&list, "--library", library, "event", "list", "1");
    g_assert_cmpint (list.status, ==, EXIT_OK);
    g_assert_nonnull (strstr (list.out, "\t0:00:00.490\t"));
    g_assert_nonnull (strstr (list.out, "\tnote\tCool-down\t"));
  }
  {
    g_auto(Run) run = { 0 };
    g_auto(Run) gone = { 0 };

    run_imu (&run, "--library", library, "event", "delete", "1", "2");
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_cmpstr (run.out, ==, "Deleted event 2 “Turn”\n");
    run_imu (&gone, "--library", library, "event", "delete", "1", "2");
    g_assert_cmpint (gone.status, ==, EXIT_NOT_FOUND);
    g_assert_cmpstr (gone.err, ==, "imu: session 1 has no event 2 (imu event list 1 shows them)\n");
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "event", "add", "1", "--label", "x");
    g_assert_cmpint (run.status, ==, EXIT_USAGE);
    g_assert_true (g_str_has_prefix (run.err, "imu event: imu event add needs --at and --label\n"));
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "event", "rename", "1");
    g_assert_cmpint (run.status, ==, EXIT_USAGE);
  }
}

/* An event added after a push sends the session again. */
static void
test_event_requeues_push (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *target = imu_test_tmpdir ();
  g_auto(Run) add = { 0 };
  g_auto(Run) first = { 0 };
  g_auto(Run) again = { 0 };
  g_auto(Run) event = { 0 };
  g_auto(Run) after = { 0 };

  run_imu (&add, "--library", library, "target", "add", "t", "folder", "--path", target);
  g_assert_cmpint (add.status, ==, EXIT_OK);
  run_imu (&first, "--library", library, "sync");
  g_assert_cmpint (first.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (first.err, " t: done\n"));
  run_imu (&again, "--library", library, "sync");
  g_assert_null (strstr (again.err, " t: done\n"));
  run_imu (&event, "--library", library, "event", "add", "1", "--at", "0", "--label", "Go");
  g_assert_cmpint (event.status, ==, EXIT_OK);
  run_imu (&after, "--library", library, "sync");
  g_assert_cmpint (after.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (after.err, " t: done\n"));
}

/* ---- db ---- */

static gint64
file_size (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return (gint64) st.st_size;
}

static void
test_db (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *backup = g_build_filename (dir, "backup.db", NULL);
  g_autofree char *restored = g_build_filename (dir, "restored.db", NULL);
  g_autofree char *not_library = write_fixture ("plain-text.db");
  g_autofree char *second = write_fixture ("second.csv");
  g_autofree char *expect = g_strdup_printf ("Backed up %s to %s (checked)\n", library, backup);
  g_autofree char *backup_wal = g_strconcat (backup, "-wal", NULL);
  g_autofree char *backup_partial = g_strconcat (backup, ".partial", NULL);

  {
    g_auto(Run) run = { 0 };
    g_auto(Run) again = { 0 };
    g_auto(Run) itself = { 0 };

    run_imu (&run, "--library", library, "db", "backup", "-o", backup);
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_cmpstr (run.out, ==, expect);
    /* One file, no WAL beside it, nothing half-written left. */
    g_assert_true (g_file_test (backup, G_FILE_TEST_IS_REGULAR));
    g_assert_false (g_file_test (backup_wal, G_FILE_TEST_EXISTS));
    g_assert_false (g_file_test (backup_partial, G_FILE_TEST_EXISTS));

    run_imu (&again, "--library", library, "db", "backup", "-o", backup);
    g_assert_cmpint (again.status, ==, 7);
    g_assert_true (g_str_has_suffix (again.err, " already exists: give the backup a new name\n"));
    run_imu (&itself, "--library", library, "db", "backup", "-o", library);
    g_assert_cmpint (itself.status, ==, 7);
  }
  {
    g_auto(Run) bad = { 0 };
    g_auto(Run) over = { 0 };
    g_auto(Run) run = { 0 };
    g_auto(Run) list = { 0 };
    g_auto(Run) check = { 0 };
    g_autoptr(JsonNode) root = NULL;

    run_imu (&bad, "--library", library, "db", "restore", not_library, "--to", restored);
    g_assert_cmpint (bad.status, ==, EXIT_LIBRARY);
    g_assert_true (g_str_has_suffix (bad.err, "plain-text.db is not an IMU Studio library\n"));
    g_assert_false (g_file_test (restored, G_FILE_TEST_EXISTS));
    run_imu (&over, "--library", library, "db", "restore", backup, "--to", library);
    g_assert_cmpint (over.status, ==, 7);

    run_imu (&run, "--library", library, "db", "restore", backup, "--to", restored);
    g_assert_cmpint (run.status, ==, EXIT_OK);
    run_imu (&list, "--library", restored, "list", "--json");
    g_assert_cmpint (list.status, ==, EXIT_OK);
    root = parse_json (list.out);
    g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (json_node_get_array (root), 0),
                                                    "title"), ==, "Morning run");
    run_imu (&check, "--library", restored, "check");
    g_assert_cmpint (check.status, ==, EXIT_OK);
  }
  {
    g_auto(Run) import = { 0 };
    g_auto(Run) stats = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonObject *obj;
    JsonArray *sessions;

    run_imu (&import, "--library", library, "import", "--allow-duplicate", "--title", "Second", second);
    g_assert_cmpint (import.status, ==, EXIT_OK);
    run_imu (&stats, "--library", library, "db", "stats", "--json");
    g_assert_cmpint (stats.status, ==, EXIT_OK);
    root = parse_json (stats.out);
    obj = json_node_get_object (root);
    g_assert_cmpint (json_object_get_int_member (obj, "file_bytes"), ==, file_size (library));
    g_assert_cmpint (json_object_get_int_member (obj, "page_size"), >, 0);
    sessions = json_object_get_array_member (obj, "sessions");
    g_assert_cmpuint (json_array_get_length (sessions), ==, 2);
    for (guint i = 0; i < 2; i++)
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (sessions, i), "samples_bytes"), >, 0);
  }
  {
    g_auto(Run) del = { 0 };
    g_auto(Run) compact = { 0 };
    g_auto(Run) stats = { 0 };
    g_auto(Run) check = { 0 };
    g_autoptr(JsonNode) root = NULL;

    run_imu (&del, "--library", library, "delete", "1");
    g_assert_cmpint (del.status, ==, EXIT_OK);
    run_imu (&compact, "--library", library, "db", "compact");
    g_assert_cmpint (compact.status, ==, EXIT_OK);
    g_assert_true (g_str_has_prefix (compact.out, "Compacted "));
    /* No free page is left in the file, and the WAL is empty. */
    run_imu (&stats, "--library", library, "db", "stats", "--json");
    root = parse_json (stats.out);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "free_bytes"), ==, 0);
    g_assert_cmpint (json_object_get_int_member (json_node_get_object (root), "wal_bytes"), ==, 0);
    run_imu (&check, "--library", library, "check");
    g_assert_cmpint (check.status, ==, EXIT_OK);
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "db", "backup");
    g_assert_cmpint (run.status, ==, EXIT_USAGE);
    g_assert_true (g_str_has_prefix (run.err, "imu db: imu db backup needs either -o FILE or --to TARGET\n"));
  }
}

/* A lab's folder of device files: one session per file, failures listed,
 * files already in the library counted, one table, exit 8 for "some". */
static void
test_import_device_folder (void)
{
  g_autofree char *ax3 = imu_test_real_file ("cwa/ggirread/ax3_testfile.cwa");
  g_autofree char *ax6 = NULL;
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *sub = g_build_filename (dir, "visit 2", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;

  if (ax3 == NULL)
    return;
  ax6 = imu_test_real_file ("cwa/ggirread/ax6_testfile.cwa");
  g_assert_true (g_file_get_contents (ax3, &bytes, &len, NULL));
  g_assert_cmpint (g_mkdir (sub, 0755), ==, 0);
  {
    g_autofree char *a = g_build_filename (dir, "a.cwa", NULL);
    g_autofree char *broken = g_build_filename (dir, "broken.cwa", NULL);
    g_autofree char *readme = g_build_filename (dir, "README.txt", NULL);
    g_autofree char *b = g_build_filename (sub, "b.cwa", NULL);
    g_autofree char *ax6_bytes = NULL;
    gsize ax6_len = 0;

    g_assert_true (g_file_set_contents (a, bytes, (gssize) len, NULL));
    /* The first 100 bytes of the header: no device file can be read from it. */
    g_assert_true (g_file_set_contents (broken, bytes, 100, NULL));
    g_assert_true (g_file_set_contents (readme, "visit notes\n", -1, NULL));
    g_assert_true (g_file_get_contents (ax6, &ax6_bytes, &ax6_len, NULL));
    g_assert_true (g_file_set_contents (b, ax6_bytes, (gssize) ax6_len, NULL));
  }

  {
    g_auto(Run) run = { 0 };
    g_auto(GStrv) lines = NULL;

    run_imu (&run, "--library", library, "import", "--device-timezone", "UTC", dir);
    g_assert_cmpint (run.status, ==, 8);
    /* One session line per imported file, by path order: a.cwa, visit 2/b.cwa. */
    lines = g_strsplit (run.out, "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 3);
    g_assert_true (g_str_has_prefix (lines[0], "1\t“a” (cwa): 2 streams, 6 channels, "));
    g_assert_true (g_str_has_prefix (lines[1], "2\t“b” (cwa): 3 streams, 9 channels, "));
    g_assert_nonnull (strstr (run.err, "broken.cwa: "));
    g_assert_nonnull (strstr (run.err, "README.txt: not a device file: passed over (import it by itself)\n"));
    g_assert_nonnull (strstr (run.err, "\nvisit 2/b.cwa "));
    g_assert_nonnull (strstr (run.err, "3 device files: 2 imported, 0 already in the library, 1 failed\n"));
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "import", "--device-timezone", "UTC", dir);
    g_assert_cmpint (run.status, ==, 8);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_nonnull (strstr (run.err, "3 device files: 0 imported, 2 already in the library, 1 failed\n"));
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *broken = g_build_filename (dir, "broken.cwa", NULL);

    /* Without the broken file, every file is in the library: exit 0. */
    g_assert_cmpint (g_unlink (broken), ==, 0);
    run_imu (&run, "--library", library, "import", dir);
    g_assert_cmpint (run.status, ==, EXIT_OK);
    g_assert_nonnull (strstr (run.err, "2 device files: 0 imported, 2 already in the library, 0 failed\n"));
  }
}

/* A folder of generated device files: n minutes at 100 Hz each. */
static char *
generated_device_folder (const char *const *names, const int *minutes, guint n)
{
  char *dir = imu_test_tmpdir ();

  for (guint i = 0; i < n; i++)
    {
      g_auto(Run) gen = { 0 };
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_autofree char *min = g_strdup_printf ("%d", minutes[i]);
      g_autofree char *seed = g_strdup_printf ("%u", i + 1);

      run_imu (&gen, "generate", "--minutes", min, "--seed", seed, "-o", path);
      g_assert_cmpint (gen.status, ==, EXIT_OK);
    }
  return dir;
}

/* The samples of a session's stream, read from the library file. */
static gint64
stream_samples (const char *library, gint64 session, const char *stream)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open_v2 (library, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT n_samples FROM streams WHERE session_id = ?1 AND name = ?2",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, session);
  sqlite3_bind_text (stmt, 2, stream, -1, SQLITE_STATIC);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

/* --jobs 2 on two CWA files, a GT3X file and a corrupt CWA file: three
 * sessions with every sample, in path order, one failure listed, exit 8;
 * again: three skipped by their sha256; the JSON has one object per file. */
static void
test_import_folder_jobs (void)
{
  static const char *const names[] = { "a.cwa", "b.gt3x", "c.cwa" };
  static const int minutes[] = { 3, 2, 4 };
  g_autofree char *dir = generated_device_folder (names, minutes, G_N_ELEMENTS (names));
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *one = imu_test_library_path ();
  g_autofree char *corrupt = g_build_filename (dir, "d-corrupt.cwa", NULL);
  g_autofree char *first = g_build_filename (dir, "a.cwa", NULL);
  g_autofree char *bytes = NULL;
  gsize len = 0;

  /* 100 bytes of a CWA header: detected as CWA, but no block to read. */
  g_assert_true (g_file_get_contents (first, &bytes, &len, NULL));
  g_assert_true (g_file_set_contents (corrupt, bytes, 100, NULL));

  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonArray *files;
    static const char *const status[] = { "imported", "imported", "imported", "failed" };
    static const char *const file[] = { "a.cwa", "b.gt3x", "c.cwa", "d-corrupt.cwa" };

    run_imu (&run, "--library", library, "import", "--jobs", "2", "--json", "--device-timezone", "UTC", dir);
    g_assert_cmpint (run.status, ==, 8);
    root = parse_json (run.out);
    files = json_node_get_array (root);
    g_assert_cmpuint (json_array_get_length (files), ==, 4);
    for (guint i = 0; i < 4; i++)
      {
        JsonObject *o = json_array_get_object_element (files, i);

        g_assert_cmpstr (json_object_get_string_member (o, "file"), ==, file[i]);
        g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, status[i]);
        if (i < 3)
          /* Sessions numbered in path order, whichever worker ended first. */
          g_assert_cmpint (json_object_get_int_member (o, "id"), ==, i + 1);
        else
          g_assert_nonnull (strstr (json_object_get_string_member (o, "message"), "d-corrupt.cwa"));
      }
    g_assert_nonnull (strstr (run.err, "d-corrupt.cwa: "));
    /* 100 samples a second for 3, 2 and 4 minutes. */
    g_assert_cmpint (stream_samples (library, 1, "accelerometer"), ==, 3 * 60 * 100);
    g_assert_cmpint (stream_samples (library, 2, "accelerometer"), ==, 2 * 60 * 100);
    g_assert_cmpint (stream_samples (library, 3, "accelerometer"), ==, 4 * 60 * 100);
    /* The CWA's once-per-block stream: 120 samples a block. */
    g_assert_cmpint (stream_samples (library, 1, "device"), ==, 3 * 60 * 100 / 120);
  }
  {
    g_auto(Run) check = { 0 };

    run_imu (&check, "--library", library, "check");
    g_assert_cmpint (check.status, ==, EXIT_OK);
  }
  {
    g_auto(Run) run = { 0 };

    /* The same folder again: skipped by their sha256, counted. */
    run_imu (&run, "--library", library, "import", "--jobs", "2", "--device-timezone", "UTC", dir);
    g_assert_cmpint (run.status, ==, 8);
    g_assert_cmpstr (run.out, ==, "");
    g_assert_nonnull (strstr (run.err, "4 device files: 0 imported, 3 already in the library, 1 failed\n"));
    g_assert_nonnull (strstr (run.err, "\nb.gt3x                                          2 already in the library\n"));
  }
  {
    g_auto(Run) run = { 0 };
    g_autoptr(JsonNode) root = NULL;
    JsonObject *o;

    run_imu (&run, "--library", library, "import", "--json", dir);
    g_assert_cmpint (run.status, ==, 8);
    root = parse_json (run.out);
    o = json_array_get_object_element (json_node_get_array (root), 1);
    g_assert_cmpstr (json_object_get_string_member (o, "status"), ==, "duplicate");
    g_assert_cmpint (json_object_get_int_member (o, "id"), ==, 2);
  }
  {
    g_auto(Run) run = { 0 };

    /* --jobs 1 writes the same sessions as --jobs 2. */
    run_imu (&run, "--library", one, "import", "--jobs", "1", "--device-timezone", "UTC", dir);
    g_assert_cmpint (run.status, ==, 8);
    for (gint64 id = 1; id <= 3; id++)
      {
        g_auto(Run) a = { 0 };
        g_auto(Run) b = { 0 };
        g_autofree char *ids = g_strdup_printf ("%" G_GINT64_FORMAT, id);

        run_imu (&a, "--library", library, "export", ids, "--stream", "accelerometer", "-o", "-");
        run_imu (&b, "--library", one, "export", ids, "--stream", "accelerometer", "-o", "-");
        g_assert_cmpint (a.status, ==, EXIT_OK);
        g_assert_cmpuint (strlen (a.out), >, 1000);
        g_assert_cmpstr (a.out, ==, b.out);
      }
  }
  {
    g_auto(Run) run = { 0 };

    /* Without the corrupt file, every file is in the library: exit 0. */
    g_assert_cmpint (g_unlink (corrupt), ==, 0);
    run_imu (&run, "--library", library, "import", dir);
    g_assert_cmpint (run.status, ==, EXIT_OK);
  }
  {
    g_auto(Run) run = { 0 };
    g_autofree char *bad_dir = imu_test_tmpdir ();
    g_autofree char *bad1 = g_build_filename (bad_dir, "x.cwa", NULL);
    g_autofree char *bad2 = g_build_filename (bad_dir, "y.cwa", NULL);

    /* None imported: the failure's own code (bad input). */
    g_assert_true (g_file_set_contents (bad1, bytes, 100, NULL));
    g_assert_true (g_file_set_contents (bad2, bytes, 200, NULL));
    run_imu (&run, "--library", library, "import", "--jobs", "2", bad_dir);
    g_assert_cmpint (run.status, ==, EXIT_BAD_INPUT);
    g_assert_nonnull (strstr (run.err, "2 device files: 0 imported, 0 already in the library, 2 failed\n"));
  }
  {
    g_auto(Run) run = { 0 };

    run_imu (&run, "--library", library, "import", "--jobs", "-3", dir);
    g_assert_cmpint (run.status, ==, EXIT_USAGE);
  }
}

/* Ctrl+C during a folder on two jobs: exit 130; what was imported is
 * whole, the rest left nothing, not even a scratch library. */
static void
test_import_folder_cancel (void)
{
  static const char *const names[] = { "a.cwa", "b.cwa", "c.cwa", "d.cwa", "e.cwa", "f.cwa" };
  static const int minutes[] = { 240, 240, 240, 240, 240, 240 };
  g_autofree char *dir = generated_device_folder (names, minutes, G_N_ELEMENTS (names));
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *tmp = imu_test_tmpdir ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) left = NULL;
  g_auto(Run) check = { 0 };
  g_auto(Run) list = { 0 };
  g_autoptr(JsonNode) root = NULL;
  JsonArray *sessions;

  g_subprocess_launcher_unsetenv (launcher, "IMU_LIBRARY");
  g_subprocess_launcher_setenv (launcher, "TMPDIR", tmp, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, imu_path (), "--library", library, "import",
                                      "--jobs", "2", dir, NULL);
  g_assert_no_error (error);
  /* Past the first two files (6.2 MB each), well before the last. */
  wait_until_reading (proc, 16 * 1024 * 1024);
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_test_message ("stdout: %s\nstderr: %s", out, err);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, EXIT_CANCELLED);
  g_assert_nonnull (strstr (err, "import cancelled; "));

  run_imu (&check, "--library", library, "check");
  g_assert_cmpint (check.status, ==, EXIT_OK);
  run_imu (&list, "--library", library, "list", "--json");
  root = parse_json (list.out);
  sessions = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (sessions), <, G_N_ELEMENTS (names));
  g_test_message ("%u sessions kept", json_array_get_length (sessions));
  /* Each session kept has all its samples: 4 hours at 100 Hz. */
  for (guint i = 0; i < json_array_get_length (sessions); i++)
    g_assert_cmpint (stream_samples (library, (gint64) i + 1, "accelerometer"), ==, 240 * 60 * 100);
  left = g_dir_open (tmp, 0, NULL);
  g_assert_null (g_dir_read_name (left));
}

/* ---- list --with-profile ---- */

/* 120 s at 50 Hz of one constant acceleration (g): a known profile. ENMO
 * is max(|a| − 1 g, 0) in every epoch, so (0, 0, 1.2) is 200 mg and all
 * 24 epochs of 5 s are moderate (93.2 ≤ 200 < 418.3 mg), and |a| = 1 g is
 * 0 mg, all sedentary. |a| stays below the 1.5 g peak threshold: no peaks.
 * Two minutes are shorter than the 60 min non-wear window: not evaluated. */
static char *
constant_csv (const char *name,
              const char *row)
{
  GString *s = g_string_new ("time,ax (g),ay (g),az (g)\n");
  g_autofree char *text = NULL;

  for (int i = 0; i < 6000; i++)
    g_string_append_printf (s, "%d.%02d,%s\n", 1700000000 + i / 50, (i % 50) * 2, row);
  text = g_string_free (s, FALSE);
  return imu_test_write_file (name, text, -1);
}

static void
test_list_with_profile (void)
{
  g_autofree char *library = imu_test_library_path ();
  g_autofree char *moving = constant_csv ("moving.csv", "0,0,1.2");
  g_autofree char *still = constant_csv ("still.csv", "0,0,1");
  g_autofree char *tilted = constant_csv ("tilted.csv", "0.6,0,0.8");
  g_auto(Run) a = { 0 };
  g_auto(Run) b = { 0 };
  g_auto(Run) c = { 0 };
  g_auto(Run) json = { 0 };
  g_auto(Run) csv = { 0 };
  g_auto(Run) table = { 0 };
  g_auto(Run) none = { 0 };
  g_auto(Run) bad = { 0 };
  g_autoptr(JsonNode) root = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *sessions;

  run_imu (&a, "--library", library, "import", "--title", "Tempo", "--subject", "Ana", moving);
  g_assert_cmpint (a.status, ==, EXIT_OK);
  run_imu (&b, "--library", library, "import", "--title", "Rest", "--subject", "Ben", still);
  g_assert_cmpint (b.status, ==, EXIT_OK);
  run_imu (&c, "--library", library, "import", "--title", "Rest, tilted", "--subject", "ana", tilted);
  g_assert_cmpint (c.status, ==, EXIT_OK);

  /* The subject in any case; the others are left out. */
  run_imu (&json, "--library", library, "list", "--subject", "ANA", "--with-profile", "--json", "--sort", "title");
  g_assert_cmpint (json.status, ==, EXIT_OK);
  root = parse_json (json.out);
  sessions = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (sessions), ==, 2);
  {
    JsonObject *rest = json_array_get_object_element (sessions, 0);
    JsonObject *tempo = json_array_get_object_element (sessions, 1);
    JsonObject *p = json_object_get_object_member (tempo, "profile");
    JsonObject *minutes = json_object_get_object_member (p, "intensity_minutes");

    g_assert_cmpstr (json_object_get_string_member (rest, "title"), ==, "Rest, tilted");
    g_assert_cmpstr (json_object_get_string_member (tempo, "title"), ==, "Tempo");
    g_assert_cmpstr (json_object_get_string_member (p, "movement_stream"), !=, NULL);
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (p, "enmo_mean_mg"), 200.0, 1e-6);
    g_assert_cmpfloat (json_object_get_double_member (minutes, "sedentary"), ==, 0.0);
    g_assert_cmpfloat (json_object_get_double_member (minutes, "light"), ==, 0.0);
    g_assert_cmpfloat (json_object_get_double_member (minutes, "moderate"), ==, 2.0);
    g_assert_cmpfloat (json_object_get_double_member (minutes, "vigorous"), ==, 0.0);
    g_assert_cmpfloat (json_object_get_double_member (p, "peaks_per_minute"), ==, 0.0);
    g_assert_true (json_node_is_null (json_object_get_member (p, "wear_s")));
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (p, "findings"), "errors"), ==, 0);

    p = json_object_get_object_member (rest, "profile");
    minutes = json_object_get_object_member (p, "intensity_minutes");
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (p, "enmo_mean_mg"), 0.0, 1e-6);
    g_assert_cmpfloat (json_object_get_double_member (minutes, "sedentary"), ==, 2.0);
    g_assert_cmpfloat (json_object_get_double_member (minutes, "moderate"), ==, 0.0);
  }

  /* CSV: a header and a row per session; a title with a comma is quoted. */
  run_imu (&csv, "--library", library, "list", "--subject", "ana", "--with-profile", "--csv", "--sort", "title");
  g_assert_cmpint (csv.status, ==, EXIT_OK);
  lines = g_strsplit (csv.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 4);
  g_assert_cmpstr (lines[0], ==, "id,uuid,start,duration_s,title,subject,movement_stream,enmo_mean_mg,"
                                 "sedentary_min,light_min,moderate_min,vigorous_min,peaks_per_min,wear_s,"
                                 "errors,warnings,infos");
  g_assert_nonnull (strstr (lines[1], ",2023-11-14T22:13:20Z,119.980,\"Rest, tilted\",ana,"));
  g_assert_nonnull (strstr (lines[1], ",0.0,2.00,0.00,0.00,0.00,0.00,,0,"));
  g_assert_nonnull (strstr (lines[2], ",Tempo,Ana,"));
  g_assert_nonnull (strstr (lines[2], ",200.0,0.00,0.00,2.00,0.00,0.00,,0,"));
  g_assert_cmpstr (lines[3], ==, "");

  /* The table: stored profiles now, one row per session of Ben. */
  run_imu (&table, "--library", library, "list", "--subject", "Ben", "--with-profile");
  g_assert_cmpint (table.status, ==, EXIT_OK);
  g_strfreev (lines);
  lines = g_strsplit (table.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 3);
  g_assert_nonnull (strstr (lines[0], "ENMO"));
  g_assert_nonnull (strstr (lines[1], "Rest"));
  g_assert_nonnull (strstr (lines[1], "0 E / "));

  run_imu (&none, "--library", library, "list", "--subject", "Cleo");
  g_assert_cmpint (none.status, ==, EXIT_OK);
  g_assert_cmpstr (none.out, ==, "");
  g_assert_nonnull (strstr (none.err, "Cleo"));
  run_imu (&bad, "--library", library, "list", "--csv");
  g_assert_cmpint (bad.status, ==, EXIT_USAGE);
  g_assert_nonnull (strstr (bad.err, "--with-profile"));
}

/* ---- imu compare --save, --list, --open, --delete; bundles ---- */

/* The fixture with every time 2.5 s later: aligned by start, its offset
 * on the fixture's clock is −2.5 s. */
static char *
write_shifted_fixture (const char *name)
{
  g_autofree char *text = fixture_text ();
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  GString *s = g_string_new (lines[0]);

  g_string_append_c (s, '\n');
  for (guint i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      /* "1551178506.0100,…" → "1551178508.5100,…" */
      gint64 whole = g_ascii_strtoll (lines[i], NULL, 10);
      const char *rest = strchr (lines[i], '.');
      int frac = (int) g_ascii_strtoll (rest + 1, NULL, 10) + 5000;

      g_string_append_printf (s, "%" G_GINT64_FORMAT ".%04d%s\n", whole + 2 + frac / 10000, frac % 10000,
                              strchr (rest, ','));
    }
  {
    g_autofree char *shifted = g_string_free (s, FALSE);

    return imu_test_write_file (name, shifted, -1);
  }
}

static JsonObject *
only_comparison (JsonNode *root)
{
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (root)), ==, 1);
  return json_array_get_object_element (json_node_get_array (root), 0);
}

static gint64
member_offset (JsonObject *comparison, guint i)
{
  JsonArray *sessions = json_object_get_array_member (comparison, "sessions");

  return json_object_get_int_member (json_array_get_object_element (sessions, i), "offset_ns");
}

static void
test_compare_saved (void)
{
  g_autofree char *library = library_with_fixture (NULL);
  g_autofree char *shifted = write_shifted_fixture ("shifted.csv");
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *bundle1 = g_build_filename (dir, "one.imub", NULL);
  g_autofree char *bundle2 = g_build_filename (dir, "two.imub", NULL);
  g_autofree char *other = imu_test_library_path ();
  g_auto(Run) run = { 0 };

  run_imu (&run, "--library", library, "import", "--title", "Later", shifted);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  run_clear (&run);

  run_imu (&run, "--library", library, "compare", "1", "2", "--save", "Pair");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  g_assert_nonnull (strstr (run.out, "2 “Later” (accelerometer, 100 Hz): -2.500 s\n"));
  g_assert_nonnull (strstr (run.out, "Saved as comparison 1 (imu compare --open 1)\n"));
  run_clear (&run);

  run_imu (&run, "--library", library, "compare", "--list");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  g_assert_cmpstr (run.out, ==, "1  “Pair”  sessions 1, 2 (-2.500 s)\n");
  run_clear (&run);

  run_imu (&run, "--library", library, "compare", "--list", "--json");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  {
    g_autoptr(JsonNode) root = parse_json (run.out);
    JsonObject *c = only_comparison (root);

    g_assert_cmpint (json_object_get_int_member (c, "id"), ==, 1);
    g_assert_cmpstr (json_object_get_string_member (c, "title"), ==, "Pair");
    g_assert_cmpstr (json_object_get_string_member (c, "align"), ==, "start");
    g_assert_cmpint (member_offset (c, 0), ==, 0);
    g_assert_cmpint (member_offset (c, 1), ==, G_GINT64_CONSTANT (-2500000000));
  }
  run_clear (&run);

  /* Reopened with its offset, whatever the starts say. */
  run_imu (&run, "--library", library, "compare", "--open", "1", "--json");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  {
    g_autoptr(JsonNode) root = parse_json (run.out);

    g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "align"), ==, "offset");
    g_assert_cmpint (member_offset (json_node_get_object (root), 1), ==, G_GINT64_CONSTANT (-2500000000));
  }
  run_clear (&run);

  /* Both sessions bundled, imported into another library: the comparison
   * comes along. */
  run_imu (&run, "--library", library, "export", "1", "--format", "bundle", "-o", bundle1);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  run_clear (&run);
  run_imu (&run, "--library", library, "export", "2", "--format", "bundle", "-o", bundle2);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  run_clear (&run);
  run_imu (&run, "--library", other, "import", bundle1);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  run_clear (&run);
  run_imu (&run, "--library", other, "compare", "--list", "--json");
  g_assert_cmpstr (run.out, ==, "[]\n");
  run_clear (&run);
  run_imu (&run, "--library", other, "import", bundle2);
  g_assert_cmpint (run.status, ==, EXIT_OK);
  run_clear (&run);
  run_imu (&run, "--library", other, "compare", "--list", "--json");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  {
    g_autoptr(JsonNode) root = parse_json (run.out);
    JsonObject *c = only_comparison (root);

    g_assert_cmpstr (json_object_get_string_member (c, "title"), ==, "Pair");
    g_assert_cmpint (member_offset (c, 1), ==, G_GINT64_CONSTANT (-2500000000));
  }
  run_clear (&run);

  /* Mistakes. */
  run_imu (&run, "--library", library, "compare", "--open", "7");
  g_assert_cmpint (run.status, ==, EXIT_NOT_FOUND);
  g_assert_nonnull (strstr (run.err, "no saved comparison “7”"));
  run_clear (&run);
  run_imu (&run, "--library", library, "compare", "--list", "1", "2");
  g_assert_cmpint (run.status, ==, EXIT_USAGE);
  run_clear (&run);
  run_imu (&run, "--library", library, "compare", "--open", "1", "--align", "xcorr");
  g_assert_cmpint (run.status, ==, EXIT_USAGE);
  run_clear (&run);
  run_imu (&run, "--library", library, "compare", "1", "2", "--save", " ");
  g_assert_cmpint (run.status, ==, EXIT_USAGE);
  run_clear (&run);

  run_imu (&run, "--library", library, "compare", "--delete", "1");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  run_clear (&run);
  run_imu (&run, "--library", library, "compare", "--list");
  g_assert_cmpint (run.status, ==, EXIT_OK);
  g_assert_cmpstr (run.out, ==, "No saved comparisons.\n");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/show/time-zone-rule", test_time_zone_rule);
  g_test_add_func ("/cli/version", test_version);
  g_test_add_func ("/cli/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/import/prints-id", test_import_prints_id);
  g_test_add_func ("/cli/import/json", test_import_json);
  g_test_add_func ("/cli/import/issues-json", test_import_issues_json);
  g_test_add_func ("/cli/import/duplicate", test_import_duplicate);
  g_test_add_func ("/cli/import/bad-input", test_import_bad_input);
  g_test_add_func ("/cli/import/bad-bundle", test_import_bad_bundle);
  g_test_add_func ("/cli/import/cancel", test_import_cancel);
  g_test_add_func ("/cli/import/format", test_import_format);
  g_test_add_func ("/cli/formats/json", test_formats_json);
  g_test_add_func ("/cli/formats/table", test_formats_table);
  g_test_add_func ("/cli/list", test_list);
  g_test_add_func ("/cli/list/no-library", test_list_no_library);
  g_test_add_func ("/cli/list/with-profile", test_list_with_profile);
  g_test_add_func ("/cli/show", test_show);
  g_test_add_func ("/cli/not-found", test_not_found);
  g_test_add_func ("/cli/ambiguous", test_ambiguous);
  g_test_add_func ("/cli/export/roundtrip", test_export_roundtrip);
  g_test_add_func ("/cli/export/stream-by-name", test_export_stream_by_name);
  g_test_add_func ("/cli/export/directory", test_export_directory);
  g_test_add_func ("/cli/delete", test_delete);
  g_test_add_func ("/cli/trash", test_trash);
  g_test_add_func ("/cli/edit", test_edit);
  g_test_add_func ("/cli/event", test_event);
  g_test_add_func ("/cli/event/requeues-push", test_event_requeues_push);
  g_test_add_func ("/cli/check", test_check);
  g_test_add_func ("/cli/db", test_db);
  g_test_add_func ("/cli/import/device-folder", test_import_device_folder);
  g_test_add_func ("/cli/import/folder-jobs", test_import_folder_jobs);
  g_test_add_func ("/cli/import/folder-cancel", test_import_folder_cancel);
  g_test_add_func ("/cli/library/newer-schema", test_newer_schema);
  g_test_add_func ("/cli/library/not-a-library", test_not_a_library);
  g_test_add_func ("/cli/compare/saved", test_compare_saved);

  return g_test_run ();
}
