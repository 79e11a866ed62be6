/* test-import-registry.c — the importer registry, detection over it, and
 * the session builder every import writes through
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "imu-bundle.h"
#include "imu-importer.h"
#include "imu-session-builder.h"
#include "imu-test-util.h"

/* Three rows at 100 Hz, as a person would write them. */
static const char *const good_csv =
  "time,ax,ay,az\n"
  "1551178506.01,0.012,-0.981,0.104\n"
  "1551178506.02,0.013,-0.979,0.101\n"
  "1551178506.03,0.014,-0.977,0.098\n";

/* An Axivity CWA file starts with its metadata block: "MD", then the
 * block's length (1020, little-endian) — the first bytes of a real one. */
static const guint8 cwa_head[] = { 'M', 'D', 0xfc, 0x03, 0x00, 0x0a, 0x9a, 0x1a, 0x00, 0x00, 0x00, 0xff };

static ImuStore *
new_store (char **path_out)
{
  g_autofree char *path = imu_test_library_path ();
  g_autoptr(GError) error = NULL;
  ImuStore *store = imu_store_open (path, &error);

  g_assert_no_error (error);
  if (path_out != NULL)
    *path_out = g_steal_pointer (&path);
  return store;
}

static GPtrArray *
audits_of (ImuStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *audits = imu_store_list_import_audits (store, 0, &error);

  g_assert_no_error (error);
  return audits;
}

static ImuImportAudit *
only_audit (GPtrArray *audits)
{
  g_assert_cmpuint (audits->len, ==, 1);
  return g_ptr_array_index (audits, 0);
}

static char *
write_in (const char *dir, const char *name, const void *data, gsize len)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
  g_assert_no_error (error);
  return path;
}

/* A zip holding @names[i] with @contents[i], written with libarchive. */
static void
write_zip (const char *path, const char *const *names, const char *const *contents, const gsize *lens, guint n)
{
  struct archive *a = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (a), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (a, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < n; i++)
    {
      struct archive_entry *e = archive_entry_new ();

      archive_entry_set_pathname (e, names[i]);
      archive_entry_set_filetype (e, AE_IFREG);
      archive_entry_set_perm (e, 0644);
      archive_entry_set_size (e, (la_int64_t) lens[i]);
      g_assert_cmpint (archive_write_header (a, e), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (a, contents[i], lens[i]), ==, (la_ssize_t) lens[i]);
      archive_entry_free (e);
    }
  g_assert_cmpint (archive_write_close (a), ==, ARCHIVE_OK);
  archive_write_free (a);
}

/* ---- the table ---- */

static void
test_table (void)
{
  static const struct { const char *name; gboolean reads; const char *patterns; } expected[] = {
    { "csv",       TRUE,  "*.csv *.tsv *.txt" },
    { "bundle",    TRUE,  "*.imub" },
    { "archive",   TRUE,  "*.zip *.tar *.tar.gz *.tgz *.tar.zst *.tar.xz" },
    { "cwa",       TRUE,  "*.cwa" },
    { "gt3x",      TRUE, "*.gt3x" },
    { "geneactiv", TRUE,  "*.bin" },
    { "parquet",   FALSE, "*.parquet" },
  };
  guint n = 0;
  const ImuImporter *const *table = imu_importer_table (&n);

  g_assert_cmpuint (n, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *patterns = g_strjoinv (" ", (char **) table[i]->patterns);

      g_assert_cmpstr (table[i]->name, ==, expected[i].name);
      g_assert_cmpint (imu_importer_reads (table[i]), ==, expected[i].reads);
      g_assert_cmpstr (patterns, ==, expected[i].patterns);
      g_assert_true (imu_importer_lookup (expected[i].name) == table[i]);
      g_assert_nonnull (table[i]->sniff);
      g_assert_nonnull (table[i]->import);
      g_assert_cmpstr (imu_importer_get_display_name (table[i]), !=, "");
    }
  g_assert_null (imu_importer_lookup ("xlsx"));
  g_assert_null (imu_importer_lookup ("CSV"));
  /* Names match patterns whatever their case (test_data.CWA). */
  g_assert_true (imu_importer_matches_name (imu_importer_lookup ("cwa"), "test_data.CWA"));
  g_assert_false (imu_importer_matches_name (imu_importer_lookup ("cwa"), "test_data.csv"));
}

/* ---- detection ---- */

static const char *
detect_probe (const void *head, gsize len, const char *name)
{
  ImuImportProbe probe = { head, len, len, name, NULL };
  const ImuImporter *importer = imu_importer_detect_probe (&probe);

  return importer != NULL ? importer->name : NULL;
}

static void
test_detect_scores (void)
{
  static const guint8 zip[] = { 'P', 'K', 3, 4, 20, 0, 0, 0, 8, 0 };
  static const guint8 gzip[] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0 };
  static const char parquet[] = "PAR1\x15\x04\x15\x80\x01";
  static const char geneactiv[] = "Device Identity\r\nDevice Unique Serial Code:034245\r\n";

  /* Content first: Parquet bytes in a file named .csv are Parquet, CSV text
   * named .cwa is CSV. */
  g_assert_cmpstr (detect_probe (good_csv, strlen (good_csv), "run.csv"), ==, "csv");
  g_assert_cmpstr (detect_probe (good_csv, strlen (good_csv), "run.dat"), ==, "csv");
  g_assert_cmpstr (detect_probe (good_csv, strlen (good_csv), "run.cwa"), ==, "csv");
  g_assert_cmpstr (detect_probe (parquet, sizeof parquet - 1, "table.csv"), ==, "parquet");
  g_assert_cmpstr (detect_probe (cwa_head, sizeof cwa_head, "AX3.cwa"), ==, "cwa");
  g_assert_cmpstr (detect_probe (cwa_head, sizeof cwa_head, "test_data.CWA"), ==, "cwa");
  g_assert_cmpstr (detect_probe (geneactiv, sizeof geneactiv - 1, "left wrist.bin"), ==, "geneactiv");
  /* A weak magic wants its extension: two bytes "MD" named .dat are not a
   * CWA file (and binary, so no text either). */
  g_assert_null (detect_probe (cwa_head, sizeof cwa_head, "AX3.dat"));
  /* Ties broken by the extension: a zip is an archive, or a GT3X file when
   * it is named so; with neither name, the table's order (archive). */
  g_assert_cmpstr (detect_probe (zip, sizeof zip, "export.zip"), ==, "archive");
  g_assert_cmpstr (detect_probe (zip, sizeof zip, "subject 7.gt3x"), ==, "gt3x");
  g_assert_cmpstr (detect_probe (zip, sizeof zip, "SUBJECT.GT3X"), ==, "gt3x");
  g_assert_cmpstr (detect_probe (zip, sizeof zip, "export.dat"), ==, "archive");
  g_assert_cmpstr (detect_probe (gzip, sizeof gzip, "export.tar.gz"), ==, "archive");
  /* A bundle is found only by opening the file: not from a head alone. */
  g_assert_cmpstr (detect_probe (zip, sizeof zip, "session.imub"), ==, "archive");
}

static void
test_detect_files (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *csv_txt = write_in (dir, "notes.txt", good_csv, strlen (good_csv));
  g_autofree char *cwa = write_in (dir, "AX3.cwa", cwa_head, sizeof cwa_head);
  g_autofree char *empty = write_in (dir, "empty.csv", "", 0);
  g_autofree char *missing = g_build_filename (dir, "missing.csv", NULL);
  g_autofree char *folder = g_build_filename (dir, "export", NULL);
  g_autofree char *bundle = g_build_filename (dir, "session.zip", NULL);
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  g_assert_cmpstr (imu_importer_detect (csv_txt, &error)->name, ==, "csv");
  g_assert_cmpstr (imu_importer_detect (cwa, &error)->name, ==, "cwa");
  g_assert_cmpstr (imu_importer_detect (folder, &error)->name, ==, "archive");
  g_assert_no_error (error);

  g_assert_null (imu_importer_detect (empty, &error));
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_null (imu_importer_detect (missing, &error));
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ);
  g_clear_error (&error);

  /* A bundle written as a zip and named .zip: its first entry, the
   * manifest, beats the archive's extension. */
  {
    g_autofree char *csv = write_in (dir, "run.csv", good_csv, strlen (good_csv));

    result = imu_import_path (store, csv, NULL, NULL, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_true (imu_bundle_write (store, result->session_id, bundle, IMU_BUNDLE_ARCHIVE_ZIP,
                                     NULL, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
  }
  g_assert_cmpstr (imu_importer_detect (bundle, &error)->name, ==, "bundle");
  format = imu_import_detect (bundle, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (format, ==, "bundle");
}

/* ---- forcing an importer ---- */

static void
test_forced (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *csv = write_in (dir, "run.log", good_csv, strlen (good_csv));
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(GError) error = NULL;

  /* An unknown name: refused before anything is read; the attempt keeps
   * its audit row, without a format. */
  {
    ImuImportOptions options = { .format = "xlsx" };
    g_autoptr(ImuImportResult) result = imu_import_path (store, csv, &options, NULL, NULL, NULL, NULL, &error);
    g_autoptr(GPtrArray) audits = NULL;

    g_assert_null (result);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNKNOWN_FORMAT);
    g_assert_cmpstr (error->message, ==, "“xlsx” is not a format IMU Studio knows; `imu formats` lists them");
    g_clear_error (&error);
    audits = audits_of (store);
    g_assert_cmpuint (audits->len, ==, 1);
    g_assert_cmpstr (((ImuImportAudit *) g_ptr_array_index (audits, 0))->format, ==, "");
  }
  /* A recognised format forced on a CSV says that the content is not it. */
  {
    ImuImportOptions options = { .format = "cwa" };
    g_autoptr(ImuImportResult) result = imu_import_path (store, csv, &options, NULL, NULL, NULL, NULL, &error);
    g_autofree char *expected = g_strdup_printf ("%s: this does not look like Axivity CWA device files "
                                                 "(the format “cwa”)", csv);

    g_assert_null (result);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED);
    g_assert_cmpstr (error->message, ==, expected);
    g_clear_error (&error);
  }
  /* The bundle reader forced on a CSV refuses it as not a bundle. */
  {
    ImuImportOptions options = { .format = "bundle" };
    g_autoptr(ImuImportResult) result = imu_import_path (store, csv, &options, NULL, NULL, NULL, NULL, &error);

    g_assert_null (result);
    g_assert_error (error, IMU_BUNDLE_ERROR, IMU_BUNDLE_ERROR_NOT_A_BUNDLE);
    g_clear_error (&error);
  }
  /* And csv, forced, reads it. */
  {
    ImuImportOptions options = { .format = "csv" };
    g_autoptr(ImuImportResult) result = imu_import_path (store, csv, &options, NULL, NULL, NULL, NULL, &error);

    g_assert_no_error (error);
    g_assert_cmpstr (result->format, ==, "csv");
    g_assert_cmpint (result->rows, ==, 3);
  }
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 1);
}

/* ---- recognised formats ---- */

static void
test_recognized (void)
{
  static const struct { const char *name; const char *format; const char *message; } cases[] = {
    { "table.parquet", "parquet", "this is an Apache Parquet file, which IMU Studio cannot import. "
                                  "Export it to CSV first." },
  };
  g_autofree char *dir = imu_test_tmpdir ();
  g_autoptr(ImuStore) store = new_store (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const void *data = "PAR1\x15\x04";
      gsize len = 6;
      g_autofree char *path = write_in (dir, cases[i].name, data, len);
      g_autofree char *expected = g_strdup_printf ("%s: %s", path, cases[i].message);
      g_autofree char *sha = imu_test_sha256_file (path);
      g_autoptr(GError) error = NULL;
      g_autoptr(ImuImportResult) result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
      g_autoptr(GPtrArray) audits = audits_of (store);
      ImuImportAudit *audit;

      g_test_message ("%s", cases[i].name);
      g_assert_null (result);
      g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED);
      g_assert_cmpstr (error->message, ==, expected);
      /* One failure audit row per attempt, naming the format. */
      g_assert_cmpuint (audits->len, ==, i + 1);
      audit = g_ptr_array_index (audits, i);
      g_assert_cmpint (audit->session_id, ==, 0);
      g_assert_cmpstr (audit->path, ==, path);
      g_assert_cmpstr (audit->format, ==, cases[i].format);
      g_assert_cmpint (audit->bytes, ==, (gint64) len);
      g_assert_cmpstr (audit->sha256, ==, sha);
      g_assert_cmpint (audit->rows, ==, 0);
      g_assert_cmpstr (audit->error, ==, expected);
    }
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 0);
}

/* ---- one audit row per import ---- */

static void
test_audit_csv (void)
{
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *good = write_in (dir, "good.csv", good_csv, strlen (good_csv));
  g_autofree char *bad = NULL;
  g_autofree char *good_sha = imu_test_sha256_file (good);
  g_autofree char *bad_sha = NULL;
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(GString) text = g_string_new ("time,x,y,z\n");
  g_autoptr(GError) error = NULL;
  gint64 session_id;

  /* Success: one row, with the session. */
  {
    g_autoptr(ImuImportResult) result = imu_import_path (store, good, NULL, NULL, NULL, NULL, NULL, &error);
    g_autoptr(GPtrArray) audits = audits_of (store);
    ImuImportAudit *audit = only_audit (audits);

    g_assert_no_error (error);
    session_id = result->session_id;
    g_assert_cmpint (audit->session_id, ==, session_id);
    g_assert_cmpstr (audit->path, ==, good);
    g_assert_cmpstr (audit->sha256, ==, good_sha);
    g_assert_cmpint (audit->bytes, ==, (gint64) strlen (good_csv));
    g_assert_cmpint (audit->rows, ==, 3);
    g_assert_cmpstr (audit->format, ==, "csv");
    g_assert_cmpstr (audit->delimiter, ==, ",");
    g_assert_true (audit->utf8_valid);
    g_assert_cmpstr (audit->issues_json, ==, "{}");
    g_assert_null (audit->error);
  }

  /* A duplicate is no import: no second row. */
  {
    g_autoptr(ImuImportResult) result = NULL;
    g_autoptr(GPtrArray) audits = NULL;
    gint64 dup = 0;

    result = imu_import_path (store, good, NULL, NULL, NULL, &dup, NULL, &error);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DUPLICATE);
    g_clear_error (&error);
    g_assert_cmpint (dup, ==, session_id);
    audits = audits_of (store);
    g_assert_cmpuint (audits->len, ==, 1);
  }

  /* Failure: 200 lines, those with i % 20 < 3 bad (30, 15 % > 10 %). Line
   * numbers count the header as line 1: data line i is line i + 2. */
  for (int i = 0; i < 200; i++)
    g_string_append_printf (text, i % 20 < 3 ? "%d.5,oops,1,2\n" : "%d.5,0.5,1,2\n", 1700000000 + i);
  bad = write_in (dir, "many-bad.csv", text->str, text->len);
  bad_sha = imu_test_sha256_file (bad);
  {
    g_autoptr(ImuImportResult) result = imu_import_path (store, bad, NULL, NULL, NULL, NULL, NULL, &error);
    g_autoptr(GPtrArray) audits = audits_of (store);
    g_autoptr(JsonParser) parser = json_parser_new ();
    ImuImportAudit *audit;
    JsonObject *code;
    JsonArray *lines;
    guint n = 0;

    g_assert_null (result);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_MANY_ERRORS);
    g_assert_cmpuint (audits->len, ==, 2);
    audit = g_ptr_array_index (audits, 1);
    g_assert_cmpint (audit->session_id, ==, 0);
    g_assert_cmpstr (audit->path, ==, bad);
    g_assert_cmpstr (audit->sha256, ==, bad_sha);
    g_assert_cmpint (audit->bytes, ==, (gint64) text->len);
    g_assert_cmpint (audit->rows, ==, 170);
    g_assert_cmpstr (audit->format, ==, "csv");
    g_assert_cmpstr (audit->delimiter, ==, ",");
    g_assert_cmpstr (audit->error, ==, error->message);
    g_assert_true (json_parser_load_from_data (parser, audit->issues_json, -1, NULL));
    code = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "E_NUMERIC_FORMAT");
    g_assert_cmpint (json_object_get_int_member (code, "count"), ==, 30);
    lines = json_object_get_array_member (code, "lines");
    g_assert_cmpuint (json_array_get_length (lines), ==, IMU_IMPORT_KEPT_LINES);
    for (int i = 0; i < 200 && n < IMU_IMPORT_KEPT_LINES; i++)
      if (i % 20 < 3)
        g_assert_cmpint (json_array_get_int_element (lines, n++), ==, i + 2);
  }
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 1);
}

/* ---- folders and archives look their members up ---- */

static void
assert_members (ImuStore *store, const char *path, const char *member_message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  g_autofree char *note = g_strdup_printf ("Not imported: %s", member_message);

  g_assert_no_error (error);
  g_assert_cmpstr (result->format, ==, "csv");
  g_assert_cmpint (result->rows, ==, 3);
  streams = imu_store_list_streams (store, result->session_id, &error);
  g_assert_no_error (error);
  /* good.csv is data; the CWA file is named in the notes for what it is;
   * README.txt describes the export and is not data. */
  g_assert_cmpuint (streams->len, ==, 1);
  session = imu_store_load_session (store, result->session_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (imu_session_get_notes (session), ==, note);
}

static void
test_members (void)
{
  /* A CWA file is read as a member; this one is only its first bytes. */
  static const char cwa_message[] = "AX3.cwa: the Axivity CWA header is cut short (12 of 1024 bytes)";
  static const char readme[] = "Exported by a phone, with commas, in, prose.\n";
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *folder = g_build_filename (dir, "export", NULL);
  g_autofree char *zip = g_build_filename (dir, "export.zip", NULL);
  g_autofree char *only_cwa = g_build_filename (dir, "device", NULL);
  g_autoptr(ImuStore) store = new_store (NULL);
  const char *names[] = { "good.csv", "AX3.cwa", "README.txt" };
  const char *contents[] = { good_csv, (const char *) cwa_head, readme };
  const gsize lens[] = { strlen (good_csv), sizeof cwa_head, sizeof readme - 1 };

  g_assert_cmpint (g_mkdir (folder, 0755), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_free (write_in (folder, names[i], contents[i], lens[i]));
  write_zip (zip, names, contents, lens, G_N_ELEMENTS (names));

  assert_members (store, folder, cwa_message);
  /* The same files in a zip (other bytes than the folder's: no duplicate). */
  assert_members (store, zip, cwa_message);

  /* A folder with only a recognised file fails with its message. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ImuImportResult) result = NULL;
    g_autofree char *expected = NULL;

    g_assert_cmpint (g_mkdir (only_cwa, 0755), ==, 0);
    g_free (write_in (only_cwa, "AX3.cwa", cwa_head, sizeof cwa_head));
    result = imu_import_path (store, only_cwa, NULL, NULL, NULL, NULL, NULL, &error);
    expected = g_strdup_printf ("%s: no file in it could be imported; the first: %s", only_cwa, cwa_message);
    g_assert_null (result);
    g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER);
    g_assert_cmpstr (error->message, ==, expected);
  }
}

/* ---- the builder, as the recorder will use it ---- */

static ImuStreamInfo *
accel_info (void)
{
  ImuStreamInfo *info = imu_stream_info_new ("accelerometer", 3);

  info->nominal_rate_hz = 100;
  imu_stream_info_set_channel (info, 0, "x", "g", "accel");
  imu_stream_info_set_channel (info, 1, "y", "g", "accel");
  imu_stream_info_set_channel (info, 2, "z", "g", "accel");
  return info;
}

/* Appends samples @from … @to − 1 at 100 Hz from t = 1 s. */
static void
append_samples (ImuStreamWriter *w, int from, int to)
{
  g_autoptr(GError) error = NULL;

  for (int i = from; i < to; i++)
    {
      double v[3] = { i * 0.001, -1.0, i * 0.5 };

      g_assert_true (imu_stream_writer_append (w, G_GINT64_CONSTANT (1000000000) + i * G_GINT64_CONSTANT (10000000), v, &error));
      g_assert_no_error (error);
    }
}

/* What another connection sees of session @id: its state and samples. */
static void
assert_seen (const char *library, gint64 id, ImuSessionState state, gint64 n_samples)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuStore) other = imu_store_open (library, &error);
  g_autoptr(ImuSession) session = NULL;
  g_autoptr(GPtrArray) streams = NULL;
  gint64 total = 0;

  g_assert_no_error (error);
  session = imu_store_load_session (other, id, &error);
  g_assert_no_error (error);
  g_assert_cmpint (imu_session_get_state (session), ==, state);
  streams = imu_store_list_streams (other, id, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < streams->len; i++)
    total += ((ImuStreamInfo *) g_ptr_array_index (streams, i))->n_samples;
  g_assert_cmpint (total, ==, n_samples);
}

static void
test_builder_record (void)
{
  g_autofree char *library = NULL;
  g_autoptr(ImuStore) store = new_store (&library);
  g_autoptr(ImuSessionBuilder) b = imu_session_builder_new (store, "udp://0.0.0.0:5555", IMU_SESSION_BUILDER_RECORD);
  g_autoptr(ImuStreamInfo) info = accel_info ();
  g_autoptr(ImuImportResult) result = NULL;
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSession) session = NULL;
  ImuStreamWriter *w;
  gint64 id;

  imu_session_set_title (imu_session_builder_get_session (b), "Live");
  g_assert_true (imu_session_builder_begin (b, &error));
  g_assert_no_error (error);
  id = imu_session_get_id (imu_session_builder_get_session (b));
  g_assert_cmpint (id, >, 0);
  /* Committed at once, in state recording, before any sample. */
  assert_seen (library, id, IMU_SESSION_STATE_RECORDING, 0);

  w = imu_session_builder_add_stream (b, info, &error);
  g_assert_no_error (error);
  /* A flush before the first sample commits no time range. */
  g_assert_true (imu_session_builder_flush (b, &error));
  g_assert_no_error (error);
  {
    g_autoptr(ImuSession) early = imu_store_load_session (store, id, &error);

    g_assert_no_error (error);
    g_assert_cmpint (imu_session_get_start_ns (early), ==, 0);
    g_assert_cmpint (imu_session_get_end_ns (early), ==, 0);
  }
  append_samples (w, 0, 10);
  imu_session_builder_add_event (b, G_GINT64_CONSTANT (1050000000), 0, "marker", "start", NULL);
  g_assert_true (imu_session_builder_flush (b, &error));
  g_assert_no_error (error);
  assert_seen (library, id, IMU_SESSION_STATE_RECORDING, 10);

  append_samples (w, 10, 15);
  result = imu_session_builder_finish (b, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->session_id, ==, id);
  g_assert_cmpint (result->rows, ==, 15);
  assert_seen (library, id, IMU_SESSION_STATE_COMPLETE, 15);

  session = imu_store_load_session (store, id, &error);
  g_assert_no_error (error);
  /* 1 s + 14 × 10 ms. */
  g_assert_cmpint (imu_session_get_start_ns (session), ==, G_GINT64_CONSTANT (1000000000));
  g_assert_cmpint (imu_session_get_end_ns (session), ==, G_GINT64_CONSTANT (1140000000));
  audits = audits_of (store);
  g_assert_cmpint (only_audit (audits)->session_id, ==, id);
  g_assert_cmpstr (only_audit (audits)->path, ==, "udp://0.0.0.0:5555");
  g_assert_cmpint (only_audit (audits)->rows, ==, 15);
  {
    g_autoptr(GPtrArray) events = imu_store_list_events (store, id, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (events->len, ==, 1);
  }
}

static void
test_builder_record_fail (void)
{
  g_autofree char *library = NULL;
  g_autoptr(ImuStore) store = new_store (&library);
  g_autoptr(ImuSessionBuilder) b = imu_session_builder_new (store, "serial:/dev/ttyACM0", IMU_SESSION_BUILDER_RECORD);
  g_autoptr(ImuStreamInfo) info = accel_info ();
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GError) error = NULL;
  ImuStreamWriter *w;
  gint64 id;

  g_assert_true (imu_session_builder_begin (b, &error));
  id = imu_session_get_id (imu_session_builder_get_session (b));
  w = imu_session_builder_add_stream (b, info, &error);
  g_assert_no_error (error);
  append_samples (w, 0, 8);
  g_assert_true (imu_session_builder_flush (b, &error));
  append_samples (w, 8, 12);
  /* The device went away: what was flushed stays, as `interrupted`. */
  imu_session_builder_fail (b, g_error_new_literal (IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, "the sensor went away"),
                            &error);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ);
  assert_seen (library, id, IMU_SESSION_STATE_INTERRUPTED, 8);
  audits = audits_of (store);
  g_assert_cmpint (only_audit (audits)->session_id, ==, id);
  g_assert_cmpstr (only_audit (audits)->error, ==, "the sensor went away");
}

static void
test_builder_import_fail (void)
{
  g_autoptr(ImuStore) store = new_store (NULL);
  g_autoptr(ImuSessionBuilder) b = imu_session_builder_new (store, "/media/usb/run.csv", IMU_SESSION_BUILDER_IMPORT);
  g_autoptr(ImuStreamInfo) info = accel_info ();
  g_autoptr(GPtrArray) audits = NULL;
  g_autoptr(GError) error = NULL;
  ImuStreamWriter *w;

  g_assert_true (imu_session_builder_begin (b, &error));
  imu_session_builder_set_format (b, "csv");
  w = imu_session_builder_add_stream (b, info, &error);
  g_assert_no_error (error);
  append_samples (w, 0, 5000);
  imu_session_builder_count_line (b, TRUE);
  /* A store error becomes an import error: disk full keeps its code. */
  imu_session_builder_fail (b, g_error_new_literal (IMU_STORE_ERROR, IMU_STORE_ERROR_FULL, "database or disk is full"),
                            &error);
  g_assert_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_DISK_FULL);
  g_assert_cmpstr (error->message, ==, "database or disk is full");
  g_assert_cmpint (imu_store_count_sessions (store, NULL), ==, 0);
  audits = audits_of (store);
  g_assert_cmpint (only_audit (audits)->session_id, ==, 0);
  g_assert_cmpstr (only_audit (audits)->format, ==, "csv");
  g_assert_cmpint (only_audit (audits)->rows, ==, 1);
  g_assert_cmpstr (only_audit (audits)->error, ==, "database or disk is full");

  /* A cancellation leaves nothing, not even an audit row. */
  {
    g_autoptr(ImuSessionBuilder) c = imu_session_builder_new (store, "/media/usb/run2.csv", IMU_SESSION_BUILDER_IMPORT);
    g_autoptr(GError) cancelled = NULL;

    g_assert_true (imu_session_builder_begin (c, NULL));
    imu_session_builder_fail (c, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled"),
                              &cancelled);
    g_assert_error (cancelled, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_pointer (&audits, g_ptr_array_unref);
    audits = audits_of (store);
    g_assert_cmpuint (audits->len, ==, 1);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/import/registry/table", test_table);
  g_test_add_func ("/core/import/registry/detect-scores", test_detect_scores);
  g_test_add_func ("/core/import/registry/detect-files", test_detect_files);
  g_test_add_func ("/core/import/registry/forced", test_forced);
  g_test_add_func ("/core/import/registry/recognized", test_recognized);
  g_test_add_func ("/core/import/registry/members", test_members);
  g_test_add_func ("/core/import/audit/csv", test_audit_csv);
  g_test_add_func ("/core/import/builder/record", test_builder_record);
  g_test_add_func ("/core/import/builder/record-fail", test_builder_record_fail);
  g_test_add_func ("/core/import/builder/import-fail", test_builder_import_fail);

  return g_test_run ();
}
