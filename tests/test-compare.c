/* test-compare.c — sessions aligned and compared (imu-compare.h)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Session A is a generated 10-minute recording at 100 Hz. Session B is made
 * from A's CSV text here, by the test: every second row (50 Hz), each time
 * plus D = 12.345 s, uniform noise of ±0.01 g added to the acceleration,
 * which is then written in m/s² (× 9.80665). So B's clock runs D ahead of
 * A's: the offset that puts B on A's clock is −D, whatever the method, and
 * the RMS of the acceleration difference is about the noise's, 0.01/√3 g.
 */
#include <math.h>
#include <string.h>

#include <gio/gio.h>

#include "imu-core.h"
#include "imu-generator.h"
#include "imu-test-util.h"

#define S G_GINT64_CONSTANT (1000000000)
#define D_NS G_GINT64_CONSTANT (12345000000)
#define START (G_GINT64_CONSTANT (1710264600) * S)

typedef struct {
  char     *library;
  ImuStore *store;
  gint64    a, b, flat;
} Fixture;

static char *
generated_csv (void)
{
  g_autoptr(GOutputStream) out = g_memory_output_stream_new_resizable ();
  ImuGeneratorCsvOptions options = { 7, 100.0, START, 600 * S };
  g_autoptr(GError) error = NULL;

  g_assert_true (imu_generator_write_csv (out, &options, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (out, "", 1, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (out));
}

/* B as the header comment says. */
static char *
shifted_csv (const char *a_text)
{
  g_auto(GStrv) lines = g_strsplit (a_text, "\n", -1);
  GString *b = g_string_new ("timestamp,acc_x (m/s^2),acc_y (m/s^2),acc_z (m/s^2),gyr_x (deg/s),gyr_y (deg/s),gyr_z (deg/s)\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (3);

  for (guint i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_auto(GStrv) f = NULL;
      double t;

      if ((i - 1) % 2 != 0)
        continue;
      f = g_strsplit (lines[i], ",", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 7);
      t = g_ascii_strtod (f[0], NULL) + 12.345;
      g_string_append_printf (b, "%.6f", t);
      for (guint k = 1; k <= 3; k++)
        g_string_append_printf (b, ",%.5f", (g_ascii_strtod (f[k], NULL) + g_rand_double_range (rand, -0.01, 0.01)) * 9.80665);
      for (guint k = 4; k <= 6; k++)
        g_string_append_printf (b, ",%s", f[k]);
      g_string_append_c (b, '\n');
    }
  return g_string_free (b, FALSE);
}

/* A resting sensor: gravity on z and white noise, nothing to correlate. */
static char *
flat_csv (void)
{
  GString *s = g_string_new ("timestamp,acc_x (g),acc_y (g),acc_z (g)\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);

  for (int i = 0; i < 30000; i++)
    g_string_append_printf (s, "%.6f,%.5f,%.5f,%.5f\n", 1710264600.0 + i * 0.02,
                            g_rand_double_range (rand, -0.003, 0.003), g_rand_double_range (rand, -0.003, 0.003),
                            1.0 + g_rand_double_range (rand, -0.003, 0.003));
  return g_string_free (s, FALSE);
}

static gint64
import_text (ImuStore *store, const char *name, const char *text)
{
  g_autofree char *path = imu_test_write_file (name, text, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuImportResult) result = imu_import_path (store, path, NULL, NULL, NULL, NULL, NULL, &error);

  g_assert_no_error (error);
  return result->session_id;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  g_autofree char *a = generated_csv ();
  g_autofree char *b = shifted_csv (a);
  g_autofree char *flat = flat_csv ();
  g_autoptr(GError) error = NULL;

  f->library = imu_test_library_path ();
  f->store = imu_store_open (f->library, &error);
  g_assert_no_error (error);
  f->a = import_text (f->store, "a.csv", a);
  f->b = import_text (f->store, "b.csv", b);
  f->flat = import_text (f->store, "flat.csv", flat);
}

/* Three small sessions (20 s at 50 Hz, the same start) for the tests of
 * saved comparisons that need sessions more than samples: quick, also
 * under the sanitizers. */
static char *
small_csv (double phase)
{
  GString *s = g_string_new ("timestamp,acc_x (g),acc_y (g),acc_z (g)\n");

  for (int i = 0; i < 1000; i++)
    g_string_append_printf (s, "%.6f,%.5f,%.5f,%.5f\n", 1710264600.0 + i * 0.02, sin (i * 0.05 + phase),
                            cos (i * 0.03 + phase), 1.0 + 0.1 * sin (i * 0.07 + phase));
  return g_string_free (s, FALSE);
}

static void
fixture_set_up_small (Fixture *f, gconstpointer data)
{
  g_autofree char *a = small_csv (0.0);
  g_autofree char *b = small_csv (0.5);
  g_autofree char *c = small_csv (1.0);
  g_autoptr(GError) error = NULL;

  f->library = imu_test_library_path ();
  f->store = imu_store_open (f->library, &error);
  g_assert_no_error (error);
  f->a = import_text (f->store, "a.csv", a);
  f->b = import_text (f->store, "b.csv", b);
  f->flat = import_text (f->store, "flat.csv", c);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->store);
  g_free (f->library);
}

static ImuComparison *
compare (Fixture *f, gint64 other, const char *align, GError **error)
{
  gint64 ids[2] = { f->a, other };
  ImuAlignSpec spec;
  ImuComparison *c;

  g_assert_true (imu_align_spec_parse (align, &spec, NULL));
  c = imu_compare_sessions (f->store, ids, 2, NULL, &spec, 0, 0, NULL, error);
  imu_align_spec_clear (&spec);
  return c;
}

static void
assert_close_channels (const ImuComparison *c)
{
  /* acc_x, acc_y, acc_z in A's unit, g; B's m/s² converted back. */
  g_assert_cmpuint (c->n_channels, ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      g_assert_cmpstr (c->channels[k].unit, ==, "g");
      /* Noise alone: 0.01/√3 = 0.00577 g; interpolation adds a little. */
      g_assert_cmpfloat (c->channels[k].rms[1], >, 0.0050);
      g_assert_cmpfloat (c->channels[k].rms[1], <, 0.0080);
      g_assert_cmpfloat (c->channels[k].correlation[1], >, 0.99);
      /* Every A sample of the shared range (≈ 59 999) has a B value around it. */
      g_assert_cmpint (c->channels[k].n[1], >, 59900);
    }
}

static void
test_start (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuComparison) c = compare (f, f->b, "start", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (c->n_members, ==, 2);
  g_assert_cmpint (c->members[0].offset_ns, ==, 0);
  /* B's first row is A's first plus D exactly (both at the µs). */
  g_assert_cmpint (c->members[1].offset_ns, ==, -D_NS);
  g_assert_cmpstr (c->members[1].stream_name, ==, "accelerometer");
  g_assert_cmpfloat (fabs (c->members[1].rate_hz - 50.0), <, 0.01);
  g_assert_cmpint (c->t0_ns, ==, START);
  assert_close_channels (c);

  /* Each session's mean: A's from its CSV text here; B's is A's plus
   * noise of mean ≈ 0 (±0.01 uniform over 30 000 rows: σ of the mean
   * 3.3·10⁻⁵ g). */
  {
    g_autofree char *text = generated_csv ();
    g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
    double sum = 0;
    gint64 n = 0;

    for (guint i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
      {
        g_auto(GStrv) fields = g_strsplit (lines[i], ",", 3);

        sum += g_ascii_strtod (fields[1], NULL);
        n++;
      }
    g_assert_cmpfloat (fabs (c->channels[0].mean[0] - sum / (double) n), <, 1e-4);
    g_assert_cmpfloat (fabs (c->channels[0].mean[1] - c->channels[0].mean[0]), <, 2e-4);
  }
}

static void
test_xcorr (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuComparison) c = compare (f, f->b, "xcorr", &error);

  g_assert_no_error (error);
  g_assert_true (c->members[1].clear_peak);
  /* Within one sample period of A (10 ms). */
  g_assert_cmpint (llabs (c->members[1].offset_ns + D_NS), <, 10000000);
  g_assert_cmpfloat (c->members[1].correlation, >, 0.95);
  assert_close_channels (c);
}

static void
test_offset_and_event (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuComparison) c = NULL;
  g_autoptr(ImuEvent) ea = imu_event_new (START + 100 * S, "marker", "Go");
  g_autoptr(ImuEvent) eb = imu_event_new (START + 100 * S + D_NS, "marker", "go");

  c = compare (f, f->b, "offset:-12.345", &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->members[1].offset_ns, ==, -D_NS);
  g_clear_pointer (&c, imu_comparison_free);

  ea->session_id = f->a;
  eb->session_id = f->b;
  g_assert_true (imu_store_add_event (f->store, ea, NULL));
  g_assert_true (imu_store_add_event (f->store, eb, NULL));
  /* Labels match regardless of case. */
  c = compare (f, f->b, "event:GO", &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->members[1].offset_ns, ==, -D_NS);
  g_clear_pointer (&c, imu_comparison_free);

  c = compare (f, f->b, "event:Stop", &error);
  g_assert_null (c);
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_EVENT);
  g_assert_cmpstr (error->message, ==, "“a” has no event “Stop”");
}

static void
test_no_clear_peak (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuComparison) c = compare (f, f->flat, "xcorr", &error);

  g_assert_no_error (error);
  /* Noise against movement: no peak stands out, so the starts are kept. */
  g_assert_false (c->members[1].clear_peak);
  g_assert_cmpint (c->members[1].offset_ns, ==, 0);
}

static void
test_errors (Fixture *f, gconstpointer data)
{
  const char *bad[] = { "", "begin", "event:", "offset:", "offset:abc", "offset:1e300" };
  gint64 one[1] = { 1 };
  ImuAlignSpec spec = { .method = IMU_ALIGN_START };
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuComparison) c = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      ImuAlignSpec s;

      g_assert_false (imu_align_spec_parse (bad[i], &s, &e));
      g_assert_error (e, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT);
    }
  g_assert_null (imu_compare_sessions (f->store, one, 1, NULL, &spec, 0, 0, NULL, &error));
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT);
  g_clear_error (&error);

  /* Shifted by an hour, 10-minute sessions share nothing. */
  c = compare (f, f->b, "offset:3600", &error);
  g_assert_null (c);
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_OVERLAP);
  g_clear_error (&error);

  {
    gint64 ids[2] = { f->a, f->b };

    c = imu_compare_sessions (f->store, ids, 2, "gyroscope 7", &spec, 0, 0, NULL, &error);
    g_assert_null (c);
    g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NO_STREAM);
    g_assert_cmpstr (error->message, ==, "“a” has no stream “gyroscope 7”");
  }
}

/* The gyroscope streams (deg/s in both) compare too, by name. */
static void
test_gyro_stream (Fixture *f, gconstpointer data)
{
  gint64 ids[2] = { f->a, f->b };
  ImuAlignSpec spec = { .method = IMU_ALIGN_OFFSET, .offset_ns = -D_NS };
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuComparison) c = imu_compare_sessions (f->store, ids, 2, "gyroscope", &spec, 0, 0, NULL, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (c->n_channels, ==, 3);
  g_assert_cmpstr (c->channels[0].unit, ==, "deg/s");
  /* B's gyro rows are A's own, every second one: interpolating at A's
   * other rows is all the difference there is. */
  g_assert_cmpfloat (c->channels[0].correlation[1], >, 0.99);
}

/* ---- saved comparisons (imu-comparison-store.h) ---- */

static char *
id_text (gint64 id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, id);
}

static ImuComparison *
reopen (Fixture *f, const ImuSavedComparison *saved, GError **error)
{
  gint64 ids[IMU_COMPARE_MAX_SESSIONS];
  ImuAlignSpec spec;
  const char *stream = NULL;

  imu_saved_comparison_to_align_spec (saved, &spec, &stream);
  for (guint i = 0; i < saved->n_members; i++)
    ids[i] = saved->members[i].session_id;
  return imu_compare_sessions (f->store, ids, saved->n_members, stream, &spec, 0, 0, NULL, error);
}

/* A comparison aligned by start is saved with its sessions, streams and
 * offsets; listed; loaded by id and by uuid; reopened with the same
 * offsets (and the same differences); edited in place; deleted. */
static void
test_saved (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuComparison) c = compare (f, f->b, "start", &error);
  g_autoptr(ImuComparison) again = NULL;
  g_autoptr(ImuSavedComparison) saved = NULL;
  g_autoptr(ImuSavedComparison) loaded = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *id = NULL;
  gint64 found;

  g_assert_no_error (error);
  found = c->members[1].offset_ns;
  saved = imu_saved_comparison_new_from_result (c, "Wrist vs chest", NULL);
  g_assert_true (imu_comparison_store_save (f->store, saved, &error));
  g_assert_no_error (error);
  g_assert_cmpint (saved->id, ==, 1);
  g_assert_true (g_uuid_string_is_valid (saved->uuid));

  list = imu_comparison_store_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  {
    const ImuSavedComparison *l = g_ptr_array_index (list, 0);

    g_assert_cmpstr (l->title, ==, "Wrist vs chest");
    g_assert_cmpstr (l->align, ==, "start");
    g_assert_cmpuint (l->n_members, ==, 2);
    g_assert_cmpint (l->members[0].session_id, ==, f->a);
    g_assert_cmpint (l->members[0].offset_ns, ==, 0);
    g_assert_cmpint (l->members[1].session_id, ==, f->b);
    g_assert_cmpint (l->members[1].offset_ns, ==, found);
    g_assert_cmpstr (l->members[1].stream_name, ==, "accelerometer");
    g_assert_cmpstr (l->members[1].session_title, ==, "b");
  }

  id = id_text (saved->id);
  loaded = imu_comparison_store_load (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->uuid, ==, saved->uuid);
  g_clear_pointer (&loaded, imu_saved_comparison_free);
  loaded = imu_comparison_store_load (f->store, saved->uuid, &error);
  g_assert_no_error (error);
  g_assert_cmpint (loaded->id, ==, saved->id);

  /* Reopened: the offset is the saved one to the nanosecond, so are the
   * differences (the same computation on the same samples). */
  again = reopen (f, loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again->members[1].offset_ns, ==, found);
  g_assert_cmpfloat (again->channels[0].rms[1], ==, c->channels[0].rms[1]);
  assert_close_channels (again);

  /* Edited in place: a new title and an offset set by hand. */
  g_free (loaded->title);
  loaded->title = g_strdup ("Wrist vs chest, by hand");
  loaded->members[1].offset_ns = -D_NS + 2500000;
  g_assert_true (imu_comparison_store_save (f->store, loaded, &error));
  g_assert_no_error (error);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = imu_comparison_store_list (f->store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  g_assert_cmpstr (((ImuSavedComparison *) g_ptr_array_index (list, 0))->title, ==, "Wrist vs chest, by hand");
  g_assert_cmpint (((ImuSavedComparison *) g_ptr_array_index (list, 0))->members[1].offset_ns, ==, -D_NS + 2500000);

  /* Deleted: gone, its sessions kept. */
  g_assert_true (imu_comparison_store_delete (f->store, saved->id, &error));
  g_assert_no_error (error);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = imu_comparison_store_list (f->store, &error);
  g_assert_cmpuint (list->len, ==, 0);
  g_assert_null (imu_comparison_store_load (f->store, id, &error));
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (imu_comparison_store_delete (f->store, saved->id, &error));
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (imu_store_count_sessions (f->store, NULL), ==, 3);
}

/* Three sessions, each with its own offset: reopened with exactly those. */
static void
test_saved_three (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSavedComparison) saved = imu_saved_comparison_new ("Three", "manual");
  g_autoptr(ImuSavedComparison) loaded = NULL;
  g_autoptr(ImuComparison) c = NULL;
  g_autofree char *id = NULL;

  g_assert_true (imu_saved_comparison_add_member (saved, f->a, NULL, 999));
  g_assert_true (imu_saved_comparison_add_member (saved, f->b, "accelerometer", -S / 2));
  g_assert_true (imu_saved_comparison_add_member (saved, f->flat, NULL, S / 4));
  g_assert_true (imu_comparison_store_save (f->store, saved, &error));
  g_assert_no_error (error);
  id = id_text (saved->id);
  loaded = imu_comparison_store_load (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->n_members, ==, 3);
  /* The reference's offset is 0 whatever was given. */
  g_assert_cmpint (loaded->members[0].offset_ns, ==, 0);
  g_assert_null (loaded->members[0].stream_name);
  c = reopen (f, loaded, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c->members[1].offset_ns, ==, -S / 2);
  g_assert_cmpint (c->members[2].offset_ns, ==, S / 4);

  /* Deleting one of its sessions deletes the comparison. */
  g_assert_true (imu_store_delete_session (f->store, f->flat, &error));
  g_assert_no_error (error);
  g_clear_pointer (&loaded, imu_saved_comparison_free);
  g_assert_null (imu_comparison_store_load (f->store, id, &error));
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NOT_FOUND);
}

static void
test_saved_errors (Fixture *f, gconstpointer data)
{
  g_autoptr(ImuSavedComparison) one = imu_saved_comparison_new ("One", NULL);
  g_autoptr(ImuSavedComparison) untitled = imu_saved_comparison_new ("  ", NULL);
  g_autoptr(ImuSavedComparison) ghost = imu_saved_comparison_new ("Ghost", NULL);
  g_autoptr(ImuSavedComparison) five = imu_saved_comparison_new ("Five", NULL);
  g_autoptr(GPtrArray) list = NULL;
  GError *error = NULL;

  imu_saved_comparison_add_member (one, f->a, NULL, 0);
  g_assert_false (imu_comparison_store_save (f->store, one, &error));
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT);
  g_clear_error (&error);

  imu_saved_comparison_add_member (untitled, f->a, NULL, 0);
  imu_saved_comparison_add_member (untitled, f->b, NULL, 0);
  g_assert_false (imu_comparison_store_save (f->store, untitled, &error));
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT);
  g_clear_error (&error);

  imu_saved_comparison_add_member (ghost, f->a, NULL, 0);
  imu_saved_comparison_add_member (ghost, 4242, NULL, 0);
  g_assert_false (imu_comparison_store_save (f->store, ghost, &error));
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT);
  g_assert_cmpstr (error->message, ==, "there is no session 4242 to compare");
  g_clear_error (&error);
  g_assert_cmpint (ghost->id, ==, 0);

  for (guint i = 0; i < 4; i++)
    g_assert_true (imu_saved_comparison_add_member (five, f->a, NULL, 0));
  g_assert_false (imu_saved_comparison_add_member (five, f->b, NULL, 0));

  g_assert_null (imu_comparison_store_load (f->store, "no-such-thing", &error));
  g_assert_error (error, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "no saved comparison “no-such-thing” (imu compare --list shows them)");
  g_clear_error (&error);

  /* Nothing of the failed saves was kept. */
  list = imu_comparison_store_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 0);
}

/* What a bundle carries, and bringing it back: only once every session is
 * there, only once. */
static void
test_saved_json (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuSavedComparison) saved = imu_saved_comparison_new ("Pair", "xcorr");
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autofree char *text = NULL;
  g_autofree char *b_uuid = NULL;
  JsonObject *o;
  guint n = 99;

  g_assert_null (imu_comparison_store_session_json (f->store, f->a, &error));
  g_assert_no_error (error);
  imu_saved_comparison_add_member (saved, f->a, "accelerometer", 0);
  imu_saved_comparison_add_member (saved, f->b, "accelerometer", -D_NS);
  g_assert_true (imu_comparison_store_save (f->store, saved, &error));
  node = imu_comparison_store_session_json (f->store, f->b, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 1);
  o = json_array_get_object_element (json_node_get_array (node), 0);
  g_assert_cmpstr (json_object_get_string_member (o, "uuid"), ==, saved->uuid);
  g_assert_cmpstr (json_object_get_string_member (o, "title"), ==, "Pair");
  g_assert_cmpint (json_object_get_int_member (
                     json_array_get_object_element (json_object_get_array_member (o, "sessions"), 1), "offset_ns"),
                   ==, -D_NS);

  /* Already in this library: nothing added. */
  g_assert_true (imu_comparison_store_restore_json (f->store, node, &n, &error));
  g_assert_cmpuint (n, ==, 0);

  /* Gone, and one session missing: waits. */
  {
    g_autoptr(ImuSession) sb = imu_store_load_session (f->store, f->b, &error);

    b_uuid = g_strdup (imu_session_get_uuid (sb));
  }
  g_assert_true (imu_comparison_store_delete (f->store, saved->id, &error));
  text = g_strdup_printf ("[{\"uuid\": \"%s\", \"title\": \"Pair\", \"align\": \"xcorr\", \"sessions\": ["
                          "{\"uuid\": \"%s\", \"stream\": null, \"offset_ns\": 0},"
                          "{\"uuid\": \"00000000-0000-4000-8000-00000000abcd\", \"stream\": null, \"offset_ns\": 5}]}]",
                          saved->uuid, b_uuid);
  g_clear_pointer (&node, json_node_unref);
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (imu_comparison_store_restore_json (f->store, node, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 0);

  /* Both there: back, with its uuid, with b as the reference this time. */
  g_clear_pointer (&node, json_node_unref);
  {
    g_autoptr(ImuSession) sa = imu_store_load_session (f->store, f->a, &error);

    g_free (text);
    text = g_strdup_printf ("[{\"uuid\": \"%s\", \"title\": \"Pair\", \"align\": \"xcorr\", \"created_us\": 1234, \"sessions\": ["
                            "{\"uuid\": \"%s\", \"stream\": \"accelerometer\", \"offset_ns\": 0},"
                            "{\"uuid\": \"%s\", \"stream\": null, \"offset_ns\": 12345000000}]}]",
                            saved->uuid, b_uuid, imu_session_get_uuid (sa));
  }
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  g_assert_true (imu_comparison_store_restore_json (f->store, node, &n, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 1);
  list = imu_comparison_store_list (f->store, &error);
  g_assert_cmpuint (list->len, ==, 1);
  {
    const ImuSavedComparison *l = g_ptr_array_index (list, 0);

    g_assert_cmpstr (l->uuid, ==, saved->uuid);
    g_assert_cmpint (l->created_us, ==, 1234);
    g_assert_cmpint (l->members[0].session_id, ==, f->b);
    g_assert_cmpint (l->members[1].session_id, ==, f->a);
    g_assert_cmpint (l->members[1].offset_ns, ==, D_NS);
    g_assert_null (l->members[1].stream_name);
  }

  /* Malformed: refused with what is wrong. */
  {
    const char *bad[] = { "{}", "[1]", "[{\"title\": \"x\"}]",
                          "[{\"uuid\": \"00000000-0000-4000-8000-000000000001\", \"title\": \"x\", \"sessions\": []}]" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_autoptr(JsonNode) b = json_from_string (bad[i], NULL);
        g_autoptr(GError) e = NULL;

        g_assert_false (imu_comparison_store_restore_json (f->store, b, NULL, &e));
        g_assert_error (e, IMU_COMPARE_ERROR, IMU_COMPARE_ERROR_ARGUMENT);
      }
  }
}

/* The real AX6 file and the CSV GGIR wrote of its first 210 samples: the
 * same samples, so the true offset is the CSV's first time (21:04:06.690,
 * to the ms) against the CWA's first (21:04:06.695861815 by the anchor
 * model, the reference decode's time_ns): +5.861815 ms. Cross-correlation
 * finds it within one sample period (10 ms). */
static void
test_real_ax6 (void)
{
  g_autofree char *cwa = imu_test_real_file ("cwa/ggirread/ax6_testfile.cwa");
  g_autofree char *csv = NULL;
  g_autofree char *library = NULL;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(ImuImportResult) a = NULL;
  g_autoptr(ImuImportResult) b = NULL;
  g_autoptr(ImuComparison) c = NULL;
  g_autoptr(GError) error = NULL;
  ImuImportOptions options = { 0 };
  ImuAlignSpec spec = { .method = IMU_ALIGN_XCORR };
  gint64 ids[2];

  if (cwa == NULL)
    return;
  csv = imu_test_real_file ("imu_csv/ggir-ax6/ax6_testfile_formatted_timestamps.csv");
  library = imu_test_library_path ();
  store = imu_store_open (library, &error);
  g_assert_no_error (error);
  options.device_timezone = "UTC";
  a = imu_import_path (store, cwa, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  b = imu_import_path (store, csv, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  ids[0] = a->session_id;
  ids[1] = b->session_id;

  c = imu_compare_sessions (store, ids, 2, NULL, &spec, 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (c->members[1].clear_peak);
  g_assert_cmpint (llabs (c->members[1].offset_ns - 5861815), <, 10000000);
  g_assert_cmpfloat (c->members[1].correlation, >, 0.85);
  /* Aligned so, the axes agree. */
  for (guint k = 0; k < 3; k++)
    g_assert_cmpfloat (c->channels[k].correlation[1], >, 0.7);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
#define ADD(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("/compare/start", test_start);
  ADD ("/compare/xcorr", test_xcorr);
  ADD ("/compare/offset-and-event", test_offset_and_event);
  ADD ("/compare/no-clear-peak", test_no_clear_peak);
  ADD ("/compare/errors", test_errors);
  ADD ("/compare/gyro-stream", test_gyro_stream);
  ADD ("/compare/saved/roundtrip", test_saved);
#define ADD_SMALL(path, fn) g_test_add (path, Fixture, NULL, fixture_set_up_small, fn, fixture_tear_down)
  ADD_SMALL ("/compare/saved/three", test_saved_three);
  ADD_SMALL ("/compare/saved/errors", test_saved_errors);
  ADD_SMALL ("/compare/saved/bundle-json", test_saved_json);
#undef ADD_SMALL
#undef ADD
  g_test_add_func ("/compare/real-ax6", test_real_ax6);
  return g_test_run ();
}
