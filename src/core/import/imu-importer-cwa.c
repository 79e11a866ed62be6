/* imu-importer-cwa.c — Axivity CWA device files (AX3, AX6)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Reads the file block by block from a stream (memory stays flat whatever
 * its length), decodes each with imu-cwa.c and writes the samples through
 * the session builder: accelerometer (and gyroscope, magnetometer) at the
 * sensor rate, light, temperature and battery once per block. docs/import.md,
 * "Axivity CWA", says what goes where.
 */
#define G_LOG_DOMAIN "imu-import"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-cwa.h"
#include "imu-device-clock.h"
#include "imu-import-private.h"

/* Progress and cancellation are looked at every this many blocks (~1 s
 * of samples at 100 Hz per 1–3 blocks, a few hundred KiB). */
#define CHECK_EVERY_BLOCKS 256

/* Open Movement's short names of the metadata OmGui writes (its
 * cwa_load.py and OmGui's metadata editor name them the same). */
static const struct {
  const char *key;
  const char *label;
} metadata_names[] = {
  { "_c",  N_("Study centre") },
  { "_s",  N_("Study code") },
  { "_i",  N_("Investigator") },
  { "_x",  N_("Exercise code") },
  { "_v",  N_("Volunteer number") },
  { "_p",  N_("Body location") },
  { "_so", N_("Setup operator") },
  { "_n",  N_("Notes") },
  { "_b",  N_("Start time") },
  { "_e",  N_("End time") },
  { "_ro", N_("Recovery operator") },
  { "_r",  N_("Retrieval time") },
  { "_co", N_("Comments") },
  { "_sc", N_("Subject code") },
  { "_se", N_("Sex") },
  { "_h",  N_("Height") },
  { "_w",  N_("Weight") },
  { "_ha", N_("Handedness") },
  { "_sn", N_("Subject notes") },
};

typedef struct {
  ImuSessionBuilder *builder;
  ImuDeviceClock    *clock;
  ImuStreamWriter   *accel;
  ImuStreamWriter   *gyro;
  ImuStreamWriter   *mag;
  ImuStreamWriter   *device;
  guint              n_axes;        /* of the streams, from the first good block */
  gint64             last_t;
  gint64             backwards_block;
} CwaRead;

static guint
cwa_sniff (const ImuImportProbe *probe)
{
  /* "MD" alone is weak; with the header's packet length (1020) and the
   * first data block ("AX") after it, or the devices' extension, it is
   * the format. */
  if (probe->len < 4 || probe->head[0] != 'M' || probe->head[1] != 'D')
    return IMU_IMPORTER_SCORE_NONE;
  if (probe->name != NULL && imu_importer_matches_name (&imu_importer_cwa, probe->name))
    return IMU_IMPORTER_SCORE_MAGIC;
  if ((probe->head[2] | (probe->head[3] << 8)) == IMU_CWA_HEADER_BYTES - 4
      && probe->len >= IMU_CWA_HEADER_BYTES + 2
      && probe->head[IMU_CWA_HEADER_BYTES] == 'A' && probe->head[IMU_CWA_HEADER_BYTES + 1] == 'X')
    return IMU_IMPORTER_SCORE_MAGIC;
  return IMU_IMPORTER_SCORE_NONE;
}

static void
set_if_empty (ImuSession *session, const char *property, const char *value)
{
  g_autofree char *old = NULL;

  if (value == NULL || *value == '\0')
    return;
  g_object_get (session, property, &old, NULL);
  if (old == NULL || *old == '\0')
    g_object_set (session, property, value, NULL);
}

/* "2019-02-26 10:55:00", "always", "never" */
static char *
format_header_time (gint64 local_ns)
{
  g_autoptr(GDateTime) dt = NULL;

  if (local_ns == IMU_CWA_TIME_ALWAYS)
    /* TRANSLATORS: a CWA file's logging start or end: the device logs at any time */
    return g_strdup (C_("cwa logging", "always"));
  if (local_ns == IMU_CWA_TIME_NEVER)
    /* TRANSLATORS: a CWA file's logging start or end: not set */
    return g_strdup (C_("cwa logging", "never"));
  if (local_ns == IMU_CWA_TIME_INVALID
      || !(dt = g_date_time_new_from_unix_utc (local_ns / G_GINT64_CONSTANT (1000000000))))
    /* TRANSLATORS: a CWA file's logging start or end that is not a date */
    return g_strdup (C_("cwa logging", "not a date"));
  return g_date_time_format (dt, "%Y-%m-%d %H:%M:%S");
}

/* Applies the header to the session: device fields, rate, the subject
 * code, and what the session has no field for as notes. */
static void
describe_session (ImuSessionBuilder *builder, const ImuCwaHeader *h)
{
  ImuSession *session = imu_session_builder_get_session (builder);
  g_autoptr(GString) notes = g_string_new (imu_session_get_notes (session));
  g_autofree char *serial = g_strdup_printf ("%" G_GUINT32_FORMAT, h->device_id);
  g_autofree char *firmware = g_strdup_printf ("%u", h->firmware);
  g_autofree char *start = format_header_time (h->logging_start_ns);
  g_autofree char *end = format_header_time (h->logging_end_ns);
  g_autofree char *changed = format_header_time (h->last_change_ns);
  const char *cursor = h->metadata;
  char *name, *value;

  set_if_empty (session, "device-vendor", "Axivity");
  set_if_empty (session, "device-model", h->model);
  set_if_empty (session, "device-serial", serial);
  set_if_empty (session, "device-firmware", firmware);
  if (imu_session_get_nominal_rate (session) <= 0)
    g_object_set (session, "nominal-rate", h->rate_hz, NULL);

#define NOTE(...) G_STMT_START { \
    if (notes->len > 0) g_string_append_c (notes, '\n'); \
    g_string_append_printf (notes, __VA_ARGS__); } G_STMT_END

  while (imu_cwa_metadata_next (&cursor, &name, &value))
    {
      g_autofree char *n = name, *v = value;
      const char *label = n;

      if (*v == '\0')
        continue;
      if (g_str_equal (n, "_sc") && (imu_session_get_subject (session) == NULL
                                     || *imu_session_get_subject (session) == '\0'))
        {
          imu_session_set_subject (session, v);
          continue;
        }
      for (guint i = 0; i < G_N_ELEMENTS (metadata_names); i++)
        if (g_str_equal (n, metadata_names[i].key))
          label = _(metadata_names[i].label);
      /* TRANSLATORS: a name and its value in a session's notes: "Body location: right wrist" */
      NOTE (_("%s: %s"), label, v);
    }
  /* TRANSLATORS: the session identifier an Axivity device was configured with */
  NOTE (_("Axivity recording session: %u"), (unsigned) h->session_id);
  /* TRANSLATORS: "Logging set from 2019-02-26 10:55:00 to 2019-02-26 10:58:00 (device clock); configured 2019-02-26 10:53:54" */
  NOTE (_("Logging set from %s to %s (device clock); configured %s"), start, end, changed);
#undef NOTE
  imu_session_set_notes (session, notes->str);
}

static void
set_channels (ImuStreamInfo *info, const char *unit, const char *kind, double range)
{
  static const char * const xyz[] = { "x", "y", "z" };

  for (guint c = 0; c < 3; c++)
    {
      imu_stream_info_set_channel (info, c, xyz[c], unit, kind);
      info->channels[c].range_min = range > 0 ? -range : NAN;
      info->channels[c].range_max = range > 0 ? range : NAN;
    }
}

static ImuStreamWriter *
add_stream (ImuSessionBuilder *builder, ImuStreamInfo *info, double rate_hz, GError **error)
{
  info->nominal_rate_hz = rate_hz;
  info->time_format.kind = IMU_TIME_EPOCH_NS;
  info->time_format.decimals = 0;
  return imu_session_builder_add_stream (builder, info, error);
}

/* The streams, once the first good block says how many axes there are. */
static gboolean
add_streams (CwaRead *r, const ImuCwaHeader *h, const ImuCwaBlock *b, GError **error)
{
  g_autoptr(ImuStreamInfo) accel = imu_stream_info_new ("accelerometer", 3);
  g_autoptr(ImuStreamInfo) device = imu_stream_info_new ("device", 3);
  double rate = b->rate_hz;

  accel->kind = g_strdup ("accel");
  set_channels (accel, "g", "accel", 16 >> (b->rate_code >> 6));
  if (!(r->accel = add_stream (r->builder, accel, rate, error)))
    return FALSE;
  if (b->n_axes >= 6)
    {
      g_autoptr(ImuStreamInfo) gyro = imu_stream_info_new ("gyroscope", 3);

      gyro->kind = g_strdup ("gyro");
      set_channels (gyro, "deg/s", "gyro", h->gyro_range_dps);
      if (!(r->gyro = add_stream (r->builder, gyro, rate, error)))
        return FALSE;
    }
  if (b->n_axes == 9)
    {
      g_autoptr(ImuStreamInfo) mag = imu_stream_info_new ("magnetometer", 3);

      mag->kind = g_strdup ("mag");
      set_channels (mag, "µT", "mag", 0);
      if (!(r->mag = add_stream (r->builder, mag, rate, error)))
        return FALSE;
    }

  /* One value per block: the block's light, temperature and battery, at
   * the time of its first sample. */
  device->kind = g_strdup ("other");
  imu_stream_info_set_channel (device, 0, "light", "raw", "other");
  imu_stream_info_set_channel (device, 1, "temperature", "°C", "other");
  imu_stream_info_set_channel (device, 2, "battery", "raw", "other");
  if (!(r->device = add_stream (r->builder, device, b->n_samples > 0 ? rate / b->n_samples : 0, error)))
    return FALSE;
  r->n_axes = b->n_axes;
  return TRUE;
}

static gboolean
sample_cb (gint64           t_local_ns,
           const double    *accel,
           const double    *gyro,
           const double    *mag,
           const ImuCwaAux *aux,
           gint64           block_index,
           gpointer         user_data,
           GError         **error)
{
  CwaRead *r = user_data;
  gint64 t = imu_device_clock_to_utc (r->clock, t_local_ns);

  /* A new run of blocks whose clock was set back: kept, and said once
   * per block. */
  if (t < r->last_t && block_index != r->backwards_block)
    {
      imu_session_builder_issue_at (r->builder, IMU_ISSUE_TIME_BACKWARDS, block_index);
      r->backwards_block = block_index;
    }
  r->last_t = t;

  if (!imu_stream_writer_append (r->accel, t, accel, error))
    return FALSE;
  if (r->gyro != NULL && !imu_stream_writer_append (r->gyro, t, gyro, error))
    return FALSE;
  if (r->mag != NULL && !imu_stream_writer_append (r->mag, t, mag, error))
    return FALSE;
  if (aux != NULL)
    {
      double v[3] = { aux->light, aux->temperature_c, aux->battery };

      if (!imu_stream_writer_append (r->device, t, v, error))
        return FALSE;
    }
  return TRUE;
}

/* Reads up to @size bytes; *@got is less only at the end of the input. */
static gboolean
read_bytes (ImuImportInput *input, GInputStream *in, guint8 *buf, gsize size, gsize *got, GError **error)
{
  g_autoptr(GError) local_error = NULL;

  if (g_input_stream_read_all (in, buf, size, got, input->cancellable, &local_error))
    return TRUE;
  if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  else
    g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot read: %s"),
                 imu_import_input_where (input), local_error->message);
  return FALSE;
}

static gboolean
cwa_read (ImuSessionBuilder *builder, ImuImportInput *input, GInputStream *in, GError **error)
{
  const char *where = imu_import_input_where (input);
  const char *zone = input->options != NULL ? input->options->device_timezone : NULL;
  double scale = input->hints != NULL && input->hints->progress_scale > 0 ? input->hints->progress_scale : 1.0;
  g_autoptr(ImuDeviceClock) clock = NULL;
  g_autoptr(ImuCwaTimeline) timeline = NULL;
  g_autofree ImuCwaBlock *block = g_new (ImuCwaBlock, 1);
  guint8 buf[IMU_CWA_HEADER_BYTES];
  ImuCwaHeader header;
  CwaRead r = { .builder = builder, .last_t = G_MININT64, .backwards_block = -1 };
  gint64 n_blocks = 0, n_good = 0;
  gsize got;

  if (!read_bytes (input, in, buf, IMU_CWA_HEADER_BYTES, &got, error))
    return FALSE;
  if (!imu_cwa_header_parse (buf, got, &header))
    {
      /* Forced on another file (`--format cwa`): say that it is not one. */
      if (got < 2 || buf[0] != 'M' || buf[1] != 'D')
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_UNRECOGNIZED,
                     /* TRANSLATORS: "run.csv: this does not look like Axivity CWA device files (the format “cwa”)" */
                     _("%s: this does not look like %s (the format “%s”)"),
                     where, imu_importer_get_display_name (&imu_importer_cwa), imu_importer_cwa.name);
      else if (got < 512)
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER,
                     /* TRANSLATORS: "AX3.cwa: the Axivity CWA header is cut short (100 of 1024 bytes)" */
                     _("%s: the Axivity CWA header is cut short (%u of 1024 bytes)"),
                     where, (unsigned) got);
      else
        g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_BAD_HEADER,
                     /* TRANSLATORS: the header block of a CWA file starts with the letters "MD" */
                     _("%s: the Axivity CWA header is damaged (it should start with “MD” and its length, 1020)"),
                     where);
      return FALSE;
    }
  if (!(clock = imu_device_clock_new (zone, NULL, error)))
    return FALSE;
  r.clock = clock;
  timeline = imu_cwa_timeline_new (sample_cb, &r);

  /* The data blocks follow the 1024-byte header, 512 bytes each. A block
   * that fails its checksum, or is of another kind, is skipped: the run
   * of blocks before it ends there (a gap), the rest of the file imports. */
  for (gint64 index = 0;; index++)
    {
      ImuCwaBlockStatus status;

      if (index % CHECK_EVERY_BLOCKS == 0)
        {
          if (g_cancellable_set_error_if_cancelled (input->cancellable, error))
            return FALSE;
          imu_import_input_progress (input, input->bytes_base
                                     + (guint64) ((double) (IMU_CWA_HEADER_BYTES + index * IMU_CWA_BLOCK_BYTES) * scale));
        }
      if (!read_bytes (input, in, buf, IMU_CWA_BLOCK_BYTES, &got, error))
        return FALSE;
      if (got == 0)
        break;
      n_blocks++;
      /* A block cut short by the end of the file is a damaged block too. */
      status = got < IMU_CWA_BLOCK_BYTES ? IMU_CWA_BLOCK_NOT_DATA : imu_cwa_block_decode (buf, &header, block);
      /* Blocks of another layout than the first good one cannot go to its
       * streams. */
      if (status == IMU_CWA_BLOCK_OK && r.n_axes != 0 && block->n_axes != r.n_axes)
        status = IMU_CWA_BLOCK_BAD_FORMAT;
      if (status != IMU_CWA_BLOCK_OK)
        {
          g_debug ("%s: block %" PRId64 " skipped (%d)", where, index, status);
          imu_session_builder_issue_at (builder, IMU_ISSUE_CORRUPT_BLOCK, index);
          if (!imu_cwa_timeline_break (timeline, error))
            return FALSE;
          if (got < IMU_CWA_BLOCK_BYTES)
            break;
          continue;
        }
      /* The session is described with its first good block, so that a
       * file skipped from a folder leaves the folder's session as it was. */
      if (r.n_axes == 0)
        {
          describe_session (builder, &header);
          if (!add_streams (&r, &header, block, error))
            return FALSE;
        }
      n_good++;
      if (!imu_cwa_timeline_push (timeline, block, index, error))
        return FALSE;
    }
  if (!imu_cwa_timeline_break (timeline, error))
    return FALSE;

  if (n_blocks > 0 && n_good == 0)
    {
      g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_NO_DATA,
                   /* TRANSLATORS: "AX3.cwa: none of its 145 data blocks can be read …" */
                   ngettext ("%s: its %" PRId64 " data block cannot be read (a bad checksum or layout)",
                             "%s: none of its %" PRId64 " data blocks can be read (bad checksums or layouts)",
                             (gulong) n_blocks),
                   where, n_blocks);
      return FALSE;
    }
  imu_session_builder_set_format (builder, "cwa");
  if (input->hints != NULL)
    g_strlcpy (input->hints->format, "cwa", sizeof input->hints->format);
  {
    g_autofree char *described = imu_device_clock_describe (clock);

    imu_session_builder_set_device_clock (builder, described);
  }
  imu_import_input_progress (input, input->bytes_base
                             + (guint64) ((double) (IMU_CWA_HEADER_BYTES + n_blocks * IMU_CWA_BLOCK_BYTES) * scale));
  return TRUE;
}

static gboolean
cwa_import (const ImuImporter  *importer,
            ImuSessionBuilder  *builder,
            ImuImportInput     *input,
            GError            **error)
{
  g_autoptr(GFileInputStream) opened = NULL;
  GInputStream *in = input->stream;

  if (in == NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_path (input->path);
      g_autoptr(GError) local_error = NULL;

      if (!(opened = g_file_read (file, input->cancellable, &local_error)))
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, IMU_IMPORT_ERROR, IMU_IMPORT_ERROR_READ, _("%s: cannot open: %s"),
                         input->path, local_error->message);
          return FALSE;
        }
      in = G_INPUT_STREAM (opened);
    }
  return cwa_read (builder, input, in, error);
}

static const char * const cwa_patterns[] = { "*.cwa", NULL };

const ImuImporter imu_importer_cwa = {
  .name = "cwa",
  .display_name = N_("Axivity CWA device files"),
  .patterns = cwa_patterns,
  .flags = IMU_IMPORTER_READS | IMU_IMPORTER_MEMBERS | IMU_IMPORTER_DEVICE_FILE,
  .sniff = cwa_sniff,
  .import = cwa_import,
};
