/* test-export.c — exports that import back as the same session
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every real file of ../shared/data/real and every CSV fixture is imported,
 * exported in both layouts (one CSV per stream, and the layout it came in)
 * and the export imported into a second library. The second session must
 * be the first: the same stream names, channel names and units, and every
 * sample at the same absolute time (ns) with the same value (bit for bit).
 * The first import is the reference here; what it holds is pinned against
 * independent decodes by test-import-real.c and test-import-csv.c.
 */
#define G_LOG_DOMAIN "test-export"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "imu-export-csv.h"
#include "imu-import.h"
#include "imu-series.h"
#include "imu-session.h"
#include "imu-store.h"
#include "imu-test-util.h"

typedef struct {
  ImuStore   *store;
  gint64      session_id;
  ImuSession *session;
  GPtrArray  *streams;   /* ImuStreamInfo* */
  char       *notes;
} Library;

static void
library_free (Library *lib)
{
  g_clear_object (&lib->session);
  g_clear_pointer (&lib->streams, g_ptr_array_unref);
  g_clear_object (&lib->store);
  g_free (lib->notes);
  g_free (lib);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Library, library_free)

/* Imports @path into a new library; NULL with @error set when the file is
 * not importable (a device file only recognised, a README). */
static Library *
import_into_new_library (const char *path, GError **error)
{
  g_autoptr(Library) lib = g_new0 (Library, 1);
  g_autofree char *db = imu_test_library_path ();
  g_autoptr(ImuImportResult) result = NULL;
  GError *local = NULL;

  lib->store = imu_store_open (db, &local);
  g_assert_no_error (local);
  result = imu_import_path (lib->store, path, NULL, NULL, NULL, NULL, NULL, error);
  if (result == NULL)
    return NULL;
  lib->session_id = result->session_id;
  lib->session = imu_store_load_session (lib->store, lib->session_id, &local);
  g_assert_no_error (local);
  lib->streams = imu_store_list_streams (lib->store, lib->session_id, &local);
  g_assert_no_error (local);
  lib->notes = g_strdup (imu_session_get_notes (lib->session));
  return g_steal_pointer (&lib);
}

static void
write_csv (Library *lib, GPtrArray *streams, const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;
  GError *error = NULL;

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (imu_export_csv_write (lib->store, streams, G_OUTPUT_STREAM (out), NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  g_assert_no_error (error);
}

/* Writes the session into @dir as @layout says (what `imu export -o DIR`
 * does) and returns what to import back: the source's one file, or @dir
 * with a NAME.csv per stream (a folder names a one-sensor file's stream
 * after the file). */
static char *
export_session (Library *lib, ImuExportLayout layout, const char *dir)
{
  if (layout == IMU_EXPORT_LAYOUT_SOURCE && imu_export_csv_session_is_one_file (lib->session))
    {
      g_autofree char *name = imu_export_csv_source_file_name (lib->session);
      char *path = g_build_filename (dir, name, NULL);

      write_csv (lib, lib->streams, path);
      return path;
    }
  for (guint s = 0; s < lib->streams->len; s++)
    {
      ImuStreamInfo *info = g_ptr_array_index (lib->streams, s);
      g_autofree char *name = g_strconcat (info->name, ".csv", NULL);
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autoptr(GPtrArray) one = g_ptr_array_new ();

      g_assert_null (strchr (info->name, '/'));
      g_ptr_array_add (one, info);
      write_csv (lib, one, path);
    }
  return g_strdup (dir);
}

static ImuStreamInfo *
stream_named (Library *lib, const char *name)
{
  for (guint s = 0; s < lib->streams->len; s++)
    {
      ImuStreamInfo *info = g_ptr_array_index (lib->streams, s);

      if (g_str_equal (info->name, name))
        return info;
    }
  return NULL;
}

/* The two streams hold the same samples: times to the ns, values bit for
 * bit (NaN as NaN). */
static void
assert_same_samples (Library *a, const ImuStreamInfo *sa, Library *b, const ImuStreamInfo *sb)
{
  GError *error = NULL;
  g_autoptr(ImuSeries) xa = imu_series_new (a->store, sa->id, &error);
  g_autoptr(ImuSeries) xb = NULL;
  const guint n_ch = sa->n_channels;
  const gint64 step = 4096;
  g_autofree gint64 *ta = g_new (gint64, step);
  g_autofree gint64 *tb = g_new (gint64, step);
  g_autofree double *va = g_new (double, step * MAX (n_ch, 1));
  g_autofree double *vb = g_new (double, step * MAX (n_ch, 1));
  double **ca = g_newa (double *, MAX (n_ch, 1));
  double **cb = g_newa (double *, MAX (n_ch, 1));
  gint64 n = sa->n_samples;

  g_assert_no_error (error);
  xb = imu_series_new (b->store, sb->id, &error);
  g_assert_no_error (error);
  for (guint c = 0; c < n_ch; c++)
    {
      ca[c] = va + c * step;
      cb[c] = vb + c * step;
    }
  for (gint64 first = 0; first < n; first += step)
    {
      gint64 want = MIN (step, n - first);

      g_assert_cmpint (imu_series_read (xa, first, want, ta, ca, &error), ==, want);
      g_assert_no_error (error);
      g_assert_cmpint (imu_series_read (xb, first, want, tb, cb, &error), ==, want);
      g_assert_no_error (error);
      for (gint64 i = 0; i < want; i++)
        {
          if (ta[i] != tb[i])
            g_error ("stream %s, sample %" G_GINT64_FORMAT ": time %" G_GINT64_FORMAT
                     " came back as %" G_GINT64_FORMAT, sa->name, first + i, ta[i], tb[i]);
          for (guint c = 0; c < n_ch; c++)
            if (!(ca[c][i] == cb[c][i] || (isnan (ca[c][i]) && isnan (cb[c][i]))))
              g_error ("stream %s, sample %" G_GINT64_FORMAT ", channel %s: %.17g came back as %.17g",
                       sa->name, first + i, sa->channels[c].name, ca[c][i], cb[c][i]);
        }
    }
}

static void
assert_same_session (Library *a, Library *b, const char *what)
{
  g_test_message ("%s", what);
  g_assert_cmpuint (b->streams->len, ==, a->streams->len);
  for (guint s = 0; s < a->streams->len; s++)
    {
      const ImuStreamInfo *sa = g_ptr_array_index (a->streams, s);
      const ImuStreamInfo *sb = stream_named (b, sa->name);

      if (sb == NULL)
        g_error ("%s: stream “%s” did not come back", what, sa->name);
      g_assert_cmpuint (sb->n_channels, ==, sa->n_channels);
      for (guint c = 0; c < sa->n_channels; c++)
        {
          g_assert_cmpstr (sb->channels[c].name, ==, sa->channels[c].name);
          g_assert_cmpstr (sb->channels[c].unit != NULL ? sb->channels[c].unit : "", ==,
                           sa->channels[c].unit != NULL ? sa->channels[c].unit : "");
        }
      g_assert_cmpint (sb->n_samples, ==, sa->n_samples);
      g_assert_cmpint (sb->t_first_ns, ==, sa->t_first_ns);
      g_assert_cmpint (sb->t_last_ns, ==, sa->t_last_ns);
      assert_same_samples (a, sa, b, sb);
    }
}

/* Imports @path, exports it in both layouts, imports each export: the same
 * session. Returns FALSE when @path is not importable at all. */
static gboolean
roundtrip (const char *path)
{
  static const ImuExportLayout layouts[] = { IMU_EXPORT_LAYOUT_STREAMS, IMU_EXPORT_LAYOUT_SOURCE };
  g_autoptr(GError) error = NULL;
  g_autoptr(Library) a = import_into_new_library (path, &error);

  if (a == NULL)
    {
      /* Device files this build only recognises, READMEs, JSON. */
      g_assert_true (error->domain == IMU_IMPORT_ERROR);
      g_test_message ("%s: not importable (%s)", path, error->message);
      return FALSE;
    }
  for (guint k = 0; k < G_N_ELEMENTS (layouts); k++)
    {
      g_autofree char *dir = imu_test_tmpdir ();
      g_autofree char *again = export_session (a, layouts[k], dir);
      g_autoptr(Library) b = NULL;
      g_autofree char *what = g_strdup_printf ("%s, layout %s → %s", path,
                                               layouts[k] == IMU_EXPORT_LAYOUT_SOURCE ? "source" : "streams",
                                               again);

      b = import_into_new_library (again, &error);
      if (b == NULL)
        g_error ("%s: the export does not import: %s", what, error->message);
      assert_same_session (a, b, what);
    }
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  /* g_ptr_array_sort () passes pointers to the elements. */
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* Every regular file under @dir (sorted, recursively), and every folder
 * below it that holds files (an export of a phone app is one session).
 * @dir itself is a collection of unrelated recordings, not a session. */
static void
collect (const char *dir, gboolean top, GPtrArray *paths)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  gboolean has_files = FALSE;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        collect (path, FALSE, paths);
      else
        {
          g_ptr_array_add (paths, g_steal_pointer (&path));
          has_files = TRUE;
        }
    }
  if (has_files && !top)
    g_ptr_array_add (paths, g_strdup (dir));
}

static void
test_roundtrip_real (void)
{
  g_autofree char *real = imu_test_real_file ("");
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint n_sessions = 0;

  if (real == NULL)
    return;
  collect (real, TRUE, paths);
  for (guint i = 0; i < paths->len; i++)
    if (roundtrip (g_ptr_array_index (paths, i)))
      n_sessions++;
  /* The CSV files of imu_csv/ (6), Sensor Logger (3 files and their
   * folder), the Apple Watch file and the other folders: at least the 10
   * files alone must have gone round. */
  g_test_message ("%u sessions went round", n_sessions);
  g_assert_cmpuint (n_sessions, >=, 10);
}

static void
test_roundtrip_fixtures (void)
{
  g_autofree char *csv = imu_test_src_file ("data/csv");
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  guint n_sessions = 0;

  collect (csv, TRUE, paths);
  for (guint i = 0; i < paths->len; i++)
    if (roundtrip (g_ptr_array_index (paths, i)))
      n_sessions++;
  g_test_message ("%u sessions went round", n_sessions);
  g_assert_cmpuint (n_sessions, >=, 20);
}

/* A relative-time session with a known origin keeps it. The fixture's
 * meta/time.csv has START at experiment time 0 and system time
 * 1.581431236798E9 s: the origin is 1581431236798000000 ns, which is
 * 2020-02-11T14:27:16.798Z (python3's datetime). The export writes it as a
 * StartTime line, and the re-import starts there, not at 1970. */
static void
test_relative_origin (void)
{
  g_autofree char *folder = imu_test_src_file ("data/csv/phyphox-export");
  g_autoptr(GError) error = NULL;
  g_autoptr(Library) a = import_into_new_library (folder, &error);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *again = NULL;
  g_autofree char *text = NULL;
  g_autoptr(Library) b = NULL;
  const ImuStreamInfo *s;

  g_assert_no_error (error);
  g_assert_cmpuint (a->streams->len, ==, 1);
  s = g_ptr_array_index (a->streams, 0);
  g_assert_cmpint (s->time_format.kind, ==, IMU_TIME_RELATIVE_S);
  g_assert_cmpint (s->time_format.origin_ns, ==, G_GINT64_CONSTANT (1581431236798000000));
  /* A folder goes back as a folder: DIR/accelerometer.csv. */
  again = export_session (a, IMU_EXPORT_LAYOUT_SOURCE, dir);
  g_assert_cmpstr (again, ==, dir);
  g_assert_cmpstr (s->name, ==, "accelerometer");
  {
    g_autofree char *file = g_build_filename (dir, "accelerometer.csv", NULL);

    g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  }
  g_test_message ("%.200s", text);
  g_assert_true (g_str_has_prefix (text, "StartTime: 2020-02-11T14:27:16.798Z\nTime (s),"));
  b = import_into_new_library (again, &error);
  g_assert_no_error (error);
  assert_same_session (a, b, again);
  g_assert_nonnull (strstr (b->notes, "count from the start time of line 1."));
}

/* A CSV of accelerometer and gyroscope columns is two streams; the source
 * layout writes them back as the one CSV it was, byte for byte (its header
 * wrote every unit, so nothing is added). */
static void
test_source_layout_one_file (void)
{
  GString *text = g_string_new ("time,ax (g),ay (g),az (g),gx (deg/s),gy (deg/s),gz (deg/s)\n");
  g_autofree char *path = NULL;
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *again = NULL;
  g_autofree char *written = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(Library) a = NULL;

  for (int i = 0; i < 20; i++)
    g_string_append_printf (text, "%d.%03d,0.%03d,-0.%03d,0.%03d,1.%02d,-2.%02d,3.%02d\n",
                            1700000000 + i / 50, (i % 50) * 20, 100 + i, 900 + i, 300 + 2 * i,
                            10 + i, 20 + i, 30 + i);
  path = imu_test_write_file ("two_sensors.csv", text->str, -1);
  a = import_into_new_library (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->streams->len, ==, 2);
  g_assert_true (imu_export_csv_session_is_one_file (a->session));
  again = export_session (a, IMU_EXPORT_LAYOUT_SOURCE, dir);
  g_assert_true (g_str_has_suffix (again, G_DIR_SEPARATOR_S "two_sensors.csv"));
  g_assert_true (g_file_get_contents (again, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, text->str);
  g_string_free (text, TRUE);
}

/* Movella's SampleTimeFine goes back as the sensor's µs modulo 2^32 from
 * the first sample (0, then 16667 = 4294933963 − 4294917296, by hand), so
 * the file reads as Movella again; before, it was written as seconds
 * ("0.016667") that the reader refused as E_TIME_PARSE. */
static void
test_movella_counter (void)
{
  g_autofree char *src = imu_test_src_file ("data/csv/movella-dot.csv");
  g_autoptr(GError) error = NULL;
  g_autoptr(Library) a = import_into_new_library (src, &error);
  g_autofree char *dir = imu_test_tmpdir ();
  g_autofree char *again = NULL;
  g_autofree char *written = NULL;
  g_auto(GStrv) lines = NULL;

  g_assert_no_error (error);
  again = export_session (a, IMU_EXPORT_LAYOUT_SOURCE, dir);
  g_assert_true (g_file_get_contents (again, &written, NULL, NULL));
  lines = g_strsplit (written, "\n", 4);
  g_assert_true (g_str_has_prefix (lines[0], "SampleTimeFine,"));
  g_assert_true (g_str_has_prefix (lines[1], "0,"));
  g_assert_true (g_str_has_prefix (lines[2], "16667,"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/export/roundtrip/real", test_roundtrip_real);
  g_test_add_func ("/core/export/roundtrip/fixtures", test_roundtrip_fixtures);
  g_test_add_func ("/core/export/relative-origin", test_relative_origin);
  g_test_add_func ("/core/export/source-layout-one-file", test_source_layout_one_file);
  g_test_add_func ("/core/export/movella-counter", test_movella_counter);
  return g_test_run ();
}
