/* imu-importer-geneactiv.c — the registry row of GENEActiv .bin device files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * imu-geneactiv.c reads the header and the pages; this file turns them
 * into a session: the device's calibration applied, times anchored at
 * each page's time and converted from the device's wall clock to UTC,
 * what could not be read counted as issues. docs/import.md, "GENEActiv
 * .bin", gives the mapping.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-device-clock.h"
#include "imu-geneactiv.h"
#include "imu-import-private.h"

/* Progress is reported every so many bytes. */
#define PROGRESS_BYTES (1 << 20)

/* Header fields the session shows in fields of its own; every other
 * field that has a value goes to the notes. */
static const char *const shown_fields[] = {
  "Device Unique Serial Code", "Device Type", "Device Firmware Version",
};

enum { ACC_X, ACC_Y, ACC_Z };
enum { DEV_LIGHT, DEV_TEMPERATURE, DEV_BUTTON, DEV_BATTERY, DEV_N };

static guint
geneactiv_sniff (const ImuImportProbe *probe)
{
  /* "Device Identity" is a text line that GENEActiv's own CSV export
   * shares: too weak alone, so the extension the devices write decides. */
  if (probe->len >= 15 && memmem (probe->head, probe->len, "Device Identity", 15) != NULL
      && probe->name != NULL && imu_importer_matches_name (&imu_importer_geneactiv, probe->name))
    return IMU_IMPORTER_SCORE_MAGIC;
  return IMU_IMPORTER_SCORE_NONE;
}

static void
append_note (GString *notes, const char *note)
{
  if (notes->len > 0)
    g_string_append_c (notes, '\n');
  g_string_append (notes, note);
}

static gboolean
is_shown (const char *key, gboolean subject_used)
{
  for (guint i = 0; i < G_N_ELEMENTS (shown_fields); i++)
    if (g_ascii_strcasecmp (key, shown_fields[i]) == 0)
      return TRUE;
  return subject_used && g_ascii_strcasecmp (key, "Subject Code") == 0;
}

/* Device, subject and the header's other fields. */
static void
describe_session (ImuSession *session, const ImuGeneactivHeader *h, GString *notes)
{
  const char *type = imu_geneactiv_header_lookup (h, "Device Type");
  const char *subject = imu_geneactiv_header_lookup (h, "Subject Code");
  gboolean subject_used = FALSE;

  g_object_set (session,
                "device-vendor", "Activinsights",
                "device-model", type != NULL && *type != '\0' ? type : "GENEActiv",
                "device-serial", imu_geneactiv_header_lookup (h, "Device Unique Serial Code"),
                "device-firmware", imu_geneactiv_header_lookup (h, "Device Firmware Version"),
                NULL);
  if (h->rate_hz > 0)
    g_object_set (session, "nominal-rate", h->rate_hz, NULL);
  /* The subject the person importing gave wins over the file's, which
   * then stays in the notes. */
  if (subject != NULL && *subject != '\0')
    {
      const char *given = imu_session_get_subject (session);

      if (given == NULL || *given == '\0')
        {
          imu_session_set_subject (session, subject);
          subject_used = TRUE;
        }
    }
  for (guint i = 0; i < h->keys->len; i++)
    {
      const char *key = g_ptr_array_index (h->keys, i);
      const char *value = g_ptr_array_index (h->values, i);
      g_autofree char *line = NULL;

      if (*value == '\0' || is_shown (key, subject_used))
        continue;
      line = g_strdup_printf ("%s: %s", key, value);
      append_note (notes, line);
    }
}

/* Times are stored in UTC; an export writes them as the device's wall
 * clock showed them, with the clock's offset (so that they come back as
 * the same instants), to the millisecond of its page times and more
 * digits where a sample has them. */
static void
set_time_format (ImuStreamInfo *info, int tz_offset_s)
{
  info->time_format.kind = IMU_TIME_ISO8601;
  info->time_format.decimals = 3;
  info->time_format.tz_offset_s = tz_offset_s;
  info->time_format.column = g_strdup ("Page Time");
}

static ImuStreamWriter *
add_accelerometer (ImuSessionBuilder *builder, const ImuGeneactivHeader *h, double rate, int tz_offset_s,
                   GError **error)
{
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("accelerometer", 3);
  static const char *const names[] = { "x", "y", "z" };

  info->kind = g_strdup ("accel");
  info->nominal_rate_hz = rate;
  set_time_format (info, tz_offset_s);
  for (guint c = 0; c < 3; c++)
    {
      imu_stream_info_set_channel (info, c, names[c], "g", "accel");
      /* The profile's clipping check uses the device's range. */
      info->channels[c].range_min = h->range_min;
      info->channels[c].range_max = h->range_max;
    }
  return imu_session_builder_add_stream (builder, info, error);
}

static ImuStreamWriter *
add_device (ImuSessionBuilder *builder, double rate, int tz_offset_s, GError **error)
{
  g_autoptr(ImuStreamInfo) info = imu_stream_info_new ("device", DEV_N);

  /* No ranges here: light and the button sit at their lower end for
   * hours, which is no clipping. */
  info->kind = g_strdup ("other");
  info->nominal_rate_hz = rate;
  set_time_format (info, tz_offset_s);
  imu_stream_info_set_channel (info, DEV_LIGHT, "light", "lux", "other");
  imu_stream_info_set_channel (info, DEV_TEMPERATURE, "temperature", "°C", "other");
  imu_stream_info_set_channel (info, DEV_BUTTON, "button", "", "other");
  imu_stream_info_set_channel (info, DEV_BATTERY, "battery", "V", "other");
  return imu_session_builder_add_stream (builder, info, error);
}

static gboolean
geneactiv_import (const ImuImporter  *importer,
                  ImuSessionBuilder  *builder,
                  ImuImportInput     *input,
                  GError            **error)
{
  const char *where = imu_import_input_where (input);
  ImuSession *session = imu_session_builder_get_session (builder);
  g_autoptr(GFileInputStream) opened = NULL;
  g_autoptr(ImuGeneactivReader) reader = NULL;
  g_autoptr(ImuGeneactivHeader) header = NULL;
  g_autoptr(ImuDeviceClock) clock = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autofree char *clock_text = NULL;
  ImuGeneactivPage page = { 0 };
  ImuStreamWriter *acc = NULL, *dev = NULL;
  GInputStream *in = input->stream;
  double scale = input->hints != NULL && input->hints->progress_scale > 0 ? input->hints->progress_scale : 1.0;
  const char *old_notes;
  guint64 next_progress = PROGRESS_BYTES;
  gint64 n_pages, n_got = 0, n_bad = 0, first_bad_line = 0;
  gint64 last_t = G_MININT64;
  g_autofree char *first_bad = NULL;
  gboolean truncated = FALSE;
  gboolean ok = FALSE;
  double rate;

  if (in == NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (input->path);

      if (!(opened = g_file_read (file, input->cancellable, &local_error)))
        {
          /* A cancel that lands while opening stays a cancel. */
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"),
                         input->path, local_error->message);
          return FALSE;
        }
      in = G_INPUT_STREAM (opened);
    }

  reader = imu_geneactiv_reader_new (in, where);
  if (!(header = imu_geneactiv_reader_read_header (reader, input->cancellable, error)))
    return FALSE;

  /* The device's clock: the zone the person gave, else the header's
   * "Time Zone" ("GMT +01:00"), else this computer's. */
  if (!(clock = imu_device_clock_new (input->options != NULL ? input->options->device_timezone : NULL,
                                      imu_geneactiv_header_lookup (header, "Time Zone"), &local_error)))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_TIMESTAMP, "%s: %s", where, local_error->message);
      return FALSE;
    }

  describe_session (session, header, notes);
  rate = header->rate_hz;

  for (;;)
    {
      gboolean got = FALSE;
      gboolean keep = TRUE;

      if (g_cancellable_set_error_if_cancelled (input->cancellable, error))
        goto out;
      if (!imu_geneactiv_reader_next_page (reader, &page, &got, input->cancellable, error))
        goto out;
      if (!got)
        break;
      n_got++;

      switch (page.problem)
        {
        case IMU_GENEACTIV_PAGE_OK:
          break;
        case IMU_GENEACTIV_PAGE_BAD_HEADER:
          imu_session_builder_issue (builder, IMU_ISSUE_PAGE_HEADER, page.line);
          n_bad++;
          if (first_bad == NULL)
            {
              first_bad = g_strdup (page.reason);
              first_bad_line = page.line;
            }
          keep = FALSE;
          break;
        case IMU_GENEACTIV_PAGE_BAD_HEX:
          imu_session_builder_issue (builder, IMU_ISSUE_HEX_DATA, page.data_line);
          break;
        case IMU_GENEACTIV_PAGE_TRUNCATED:
          imu_session_builder_issue (builder, IMU_ISSUE_TRUNCATED, page.data_line != 0 ? page.data_line : page.line);
          truncated = TRUE;
          break;
        case IMU_GENEACTIV_PAGE_ODD_COUNT:
          imu_session_builder_issue (builder, IMU_ISSUE_PAGE_SAMPLES, page.data_line);
          break;
        default:
          g_assert_not_reached ();
        }
      if (!keep || page.n_samples == 0)
        continue;

      if (acc == NULL)
        {
          int offset;

          /* The first time converted fixes the clock's offset for the
           * whole file (a device does not follow daylight saving time). */
          imu_device_clock_to_utc (clock, page.time_local_ns);
          offset = imu_device_clock_get_offset (clock);
          if (rate <= 0)
            rate = page.rate_hz;
          if (!(acc = add_accelerometer (builder, header, rate, offset, error))
              || !(dev = add_device (builder, rate, offset, error)))
            goto out;
        }

      for (guint k = 0; k < page.n_samples; k++)
        {
          /* Page-anchored: each page's time, then k / f within it, as
           * GGIRread and GENEAread time the samples of a page. */
          gint64 local = page.time_local_ns + (gint64) llround ((double) k * 1e9 / page.rate_hz);
          gint64 t = imu_device_clock_to_utc (clock, local);
          double a[3], d[DEV_N];

          if (k == 0 && last_t != G_MININT64 && t <= last_t)
            imu_session_builder_issue (builder, IMU_ISSUE_TIME_BACKWARDS, page.line);
          a[ACC_X] = imu_geneactiv_calibrate (header, 0, page.x[k]);
          a[ACC_Y] = imu_geneactiv_calibrate (header, 1, page.y[k]);
          a[ACC_Z] = imu_geneactiv_calibrate (header, 2, page.z[k]);
          d[DEV_LIGHT] = imu_geneactiv_light_lux (header, page.light[k]);
          d[DEV_TEMPERATURE] = page.temperature_c;
          d[DEV_BUTTON] = page.button[k];
          d[DEV_BATTERY] = page.battery_v;
          if (!imu_stream_writer_append (acc, t, a, error) || !imu_stream_writer_append (dev, t, d, error))
            goto out;
          last_t = t;
        }

      if (imu_geneactiv_reader_get_offset (reader) >= next_progress)
        {
          guint64 done = imu_geneactiv_reader_get_offset (reader);

          next_progress = done + PROGRESS_BYTES;
          imu_import_input_progress (input, input->bytes_base + (guint64) ((double) done * scale));
        }
    }

  n_pages = imu_geneactiv_reader_get_n_pages (reader);
  /* A file cut at a page boundary holds fewer pages than its header
   * counts: as truncated as one cut inside a page. */
  if (header->n_pages > n_pages && !truncated)
    {
      imu_session_builder_issue (builder, IMU_ISSUE_TRUNCATED, 0);
      truncated = TRUE;
    }
  if (header->n_pages >= 0 && header->n_pages != n_pages)
    {
      g_autofree char *note = g_strdup_printf (_("The header counts %" PRId64 " pages; the file holds %" PRId64 "."),
                                               header->n_pages, n_pages);
      append_note (notes, note);
    }

  if (acc == NULL)
    {
      if (first_bad != NULL)
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                     _("%s: line %" PRId64 ": %s; no page of samples could be read"),
                     where, first_bad_line, first_bad);
      else
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                     _("%s: its pages hold no whole sample"), where);
      goto out;
    }
  /* Pages that cannot be read are skipped, but a file of mostly such
   * pages is not a recording to trust: the threshold of bad lines. */
  if (n_bad > 0
      && (n_got >= IMU_IMPORT_MIN_LINES_FOR_RATIO
          ? (double) n_bad > IMU_IMPORT_MAX_BAD_FRACTION * (double) n_got
          : 2 * n_bad > n_got))
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_TOO_MANY_ERRORS,
                   _("%s: %" PRId64 " of %" PRId64 " pages could not be read; the first, at line %" PRId64
                     ": %s"),
                   where, n_bad, n_got, first_bad_line, first_bad);
      goto out;
    }

  clock_text = imu_device_clock_describe (clock);
  imu_session_builder_set_device_clock (builder, clock_text);
  g_object_set (session, "tz-offset", (int) imu_device_clock_get_offset (clock), NULL);

  old_notes = imu_session_get_notes (session);
  if (notes->len > 0)
    {
      g_autofree char *text = old_notes != NULL && *old_notes != '\0'
                              ? g_strdup_printf ("%s\n%s", old_notes, notes->str) : g_strdup (notes->str);

      imu_session_set_notes (session, text);
    }
  if (input->hints != NULL)
    g_strlcpy (input->hints->format, importer->name, sizeof input->hints->format);
  imu_import_input_progress (input, input->bytes_base
                                    + (guint64) ((double) imu_geneactiv_reader_get_offset (reader) * scale));
  ok = TRUE;

out:
  imu_geneactiv_page_clear (&page);
  return ok;
}

static const char * const geneactiv_patterns[] = { "*.bin", NULL };

const ImuImporter imu_importer_geneactiv = {
  .name = "geneactiv",
  .display_name = N_("GENEActiv device files"),
  .patterns = geneactiv_patterns,
  .flags = IMU_IMPORTER_READS | IMU_IMPORTER_MEMBERS | IMU_IMPORTER_DEVICE_FILE,
  .sniff = geneactiv_sniff,
  .import = geneactiv_import,
};
