/* imu-geneactiv.h — reading GENEActiv .bin files: the header and the pages
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A GENEActiv .bin file is text in CRLF lines: a header of "Key:value"
 * lines under section titles ("Device Identity", "Calibration Data", …),
 * then one page per "Recorded Data" line: nine lines of page fields (Page
 * Time, Temperature, Battery voltage, Measurement Frequency, …) and one
 * line of hexadecimal digits, 12 per sample (x, y, z as 12-bit two's
 * complement, then 10 bits of light, the button bit and a reserved bit).
 * GENEActiv's operating instructions ("Decoding .bin files") describe it;
 * GGIRread and GENEAread read it the same way.
 *
 * This reader knows nothing of the library: it turns a stream into a
 * header and pages, one page in memory at a time, and says what it could
 * not read. imu-importer-geneactiv.c turns pages into samples.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The samples a full page holds. */
#define IMU_GENEACTIV_PAGE_SAMPLES 300
/* Hex digits per sample. */
#define IMU_GENEACTIV_SAMPLE_DIGITS 12
/* The longest line read; a page of 300 samples is 3600 characters. */
#define IMU_GENEACTIV_MAX_LINE (1 << 20)

/**
 * ImuGeneactivHeader:
 * @keys: (element-type utf8): the header's field names, in file order
 * @values: (element-type utf8): their values, trimmed (the device pads them
 *   with spaces or NUL bytes), valid UTF-8
 * @gain: x, y, z gain of the calibration
 * @offset: x, y, z offset
 * @volts: the light meter's "Volts"
 * @lux: the light meter's "Lux"
 * @rate_hz: "Measurement Frequency" (0 when it has none)
 * @range_min: the lower end of "Accelerometer Range" in g (NAN unknown)
 * @range_max: its upper end
 * @n_pages: "Number of Pages" (-1 when it has none)
 *
 * What the header says.
 */
typedef struct {
  GPtrArray *keys;
  GPtrArray *values;
  double     gain[3];
  double     offset[3];
  double     volts;
  double     lux;
  double     rate_hz;
  double     range_min;
  double     range_max;
  gint64     n_pages;
} ImuGeneactivHeader;

void        imu_geneactiv_header_free   (ImuGeneactivHeader *header);
/* The value of the field @key, or %NULL. */
const char *imu_geneactiv_header_lookup (const ImuGeneactivHeader *header,
                                         const char               *key);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuGeneactivHeader, imu_geneactiv_header_free)

/**
 * ImuGeneactivPageProblem:
 * @IMU_GENEACTIV_PAGE_OK: read whole
 * @IMU_GENEACTIV_PAGE_BAD_HEADER: its fields cannot be read (no page time,
 *   no frequency, no data line), or lines between pages belong to none:
 *   no samples
 * @IMU_GENEACTIV_PAGE_BAD_HEX: its data holds a character that is not a
 *   hexadecimal digit: the samples before it are kept
 * @IMU_GENEACTIV_PAGE_TRUNCATED: the file ends inside it: the whole
 *   samples before the end are kept
 * @IMU_GENEACTIV_PAGE_ODD_COUNT: its data holds another number of samples
 *   than a page does, or ends inside a sample; its whole samples are kept
 */
typedef enum {
  IMU_GENEACTIV_PAGE_OK,
  IMU_GENEACTIV_PAGE_BAD_HEADER,
  IMU_GENEACTIV_PAGE_BAD_HEX,
  IMU_GENEACTIV_PAGE_TRUNCATED,
  IMU_GENEACTIV_PAGE_ODD_COUNT,
} ImuGeneactivPageProblem;

/**
 * ImuGeneactivPage:
 * @index: 0 for the file's first page (lines that belong to no page
 *   come back as a page of the index that follows)
 * @line: the line of its "Recorded Data" (1-based)
 * @data_line: the line of its hexadecimal data (0 when it has none)
 * @sequence: its "Sequence Number" (-1 when it has none)
 * @time_local_ns: its "Page Time", the device's wall clock read as UTC
 * @rate_hz: its "Measurement Frequency" (or the header's)
 * @temperature_c: its "Temperature" (NAN when it has none)
 * @battery_v: its "Battery voltage" (NAN when it has none)
 * @n_samples: whole samples read
 * @x, @y, @z: their raw counts (−2048…2047)
 * @light: their 10-bit light counts
 * @button: their button bits
 * @problem: what could not be read
 * @column: for a problem in the data line, the 1-based column where it is
 * @reason: (nullable): for %IMU_GENEACTIV_PAGE_BAD_HEADER, what is wrong
 *   (translated)
 *
 * One page; the reader reuses it for the next.
 */
typedef struct {
  gint64                   index;
  gint64                   line;
  gint64                   data_line;
  gint64                   sequence;
  gint64                   time_local_ns;
  double                   rate_hz;
  double                   temperature_c;
  double                   battery_v;
  guint                    n_samples;
  gint16                  *x;
  gint16                  *y;
  gint16                  *z;
  guint16                 *light;
  guint8                  *button;
  ImuGeneactivPageProblem  problem;
  gsize                    column;
  char                    *reason;
} ImuGeneactivPage;

typedef struct _ImuGeneactivReader ImuGeneactivReader;

/**
 * imu_geneactiv_reader_new:
 * @in: the file, read from where it stands
 * @where: how messages name it
 *
 * Returns: (transfer full): a reader. Does not block.
 */
ImuGeneactivReader *imu_geneactiv_reader_new         (GInputStream  *in,
                                                      const char    *where);
void                imu_geneactiv_reader_free        (ImuGeneactivReader *reader);

/**
 * imu_geneactiv_reader_read_header:
 *
 * Reads the header, up to the first "Recorded Data" line. Blocking.
 *
 * Returns: (transfer full) (nullable): the header, or %NULL with @error
 *   set: %IMU_IMPORT_ERROR_UNRECOGNIZED when the first line is not
 *   "Device Identity", %IMU_IMPORT_ERROR_BAD_HEADER when a calibration
 *   field is missing or not a number (the message names it and its line),
 *   %IMU_IMPORT_ERROR_NO_DATA when no page follows,
 *   %IMU_IMPORT_ERROR_READ when the stream fails
 */
ImuGeneactivHeader *imu_geneactiv_reader_read_header (ImuGeneactivReader  *reader,
                                                      GCancellable        *cancellable,
                                                      GError             **error);

/**
 * imu_geneactiv_reader_next_page:
 * @page: (out caller-allocates): filled with the next page
 * @got: (out): whether there was one (%FALSE at the end of the file)
 *
 * Reads the next page; call after read_header(). A page that cannot be
 * read whole comes back with its problem set, never as an error. Blocking.
 *
 * Returns: %FALSE with @error set when the stream fails
 *   (%IMU_IMPORT_ERROR_READ, or cancelled) or a line is longer than
 *   %IMU_GENEACTIV_MAX_LINE (%IMU_IMPORT_ERROR_UNRECOGNIZED)
 */
gboolean            imu_geneactiv_reader_next_page   (ImuGeneactivReader  *reader,
                                                      ImuGeneactivPage    *page,
                                                      gboolean            *got,
                                                      GCancellable        *cancellable,
                                                      GError             **error);

/* Bytes read from the stream so far. */
guint64             imu_geneactiv_reader_get_offset  (ImuGeneactivReader *reader);
/* "Recorded Data" pages read so far, whether they could be read or not. */
gint64              imu_geneactiv_reader_get_n_pages (ImuGeneactivReader *reader);

/* Frees what the page holds (not the page). */
void                imu_geneactiv_page_clear         (ImuGeneactivPage *page);

/* A raw count in g after the device's calibration, as GENEActiv's
 * instructions, GGIRread and GENEAread compute it:
 * (raw × 100 − offset) / gain. */
static inline double
imu_geneactiv_calibrate (const ImuGeneactivHeader *header,
                         guint                     axis,
                         int                       raw)
{
  return ((double) raw * 100.0 - header->offset[axis]) / header->gain[axis];
}

/* A 10-bit light count in lux: light × Lux / Volts. */
static inline double
imu_geneactiv_light_lux (const ImuGeneactivHeader *header,
                         guint                     light)
{
  return (double) light * header->lux / header->volts;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuGeneactivReader, imu_geneactiv_reader_free)

G_END_DECLS
