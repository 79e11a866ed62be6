/* imu-csv-dialect.h — how a delimited text file is written (private)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "imu-csv-time.h"

G_BEGIN_DECLS

/* Lines of the head looked at when sniffing, and data rows kept for the
 * column analysis. */
#define IMU_CSV_SNIFF_MAX_LINES 400
#define IMU_CSV_SAMPLE_ROWS     256

/* A field: a view into a line (not NUL-terminated, quotes removed, blanks
 * around it kept except for the "runs of spaces" delimiter). */
typedef struct {
  const char *p;
  guint       len;
} ImuCsvField;

/**
 * imu_csv_split:
 * @delim: ',', ';', '\t', '|', or ' ' for runs of blanks
 * @quotes: whether a field may be quoted ("a,b" is one field)
 * @fields: (out caller-allocates) (array length=max_fields)
 *
 * Splits one line (without its line end). Fields beyond @max_fields are
 * counted but not stored.
 *
 * Returns: the number of fields of the line
 */
guint imu_csv_split (const char   *line,
                     gsize         len,
                     char          delim,
                     gboolean      quotes,
                     ImuCsvField  *fields,
                     guint         max_fields);

/* Which producer wrote the file, when its layout says so. */
typedef enum {
  IMU_CSV_FLAVOR_GENERIC,
  IMU_CSV_FLAVOR_MOVELLA,       /* Movella/Xsens DOT: key:,value preamble, SampleTimeFine */
  IMU_CSV_FLAVOR_ACTILIFE,      /* ActiLife raw CSV: 10-line preamble, start + rate */
  IMU_CSV_FLAVOR_EMPATICA,      /* Empatica E4: row 1 start (unix s), row 2 rate (Hz) */
  IMU_CSV_FLAVOR_SENSORLOGGER,  /* Sensor Logger: time,seconds_elapsed,… */
  IMU_CSV_FLAVOR_PHYPHOX,       /* phyphox: "Time (s)", … */
  IMU_CSV_FLAVOR_METAWEAR,      /* MetaWear / MetaBase: epoch (ms),time (01:00),elapsed (s),… */
  IMU_CSV_FLAVOR_MICROSTRAIN,   /* MSCL field names: scaledAccelX, estOrientQuaternionW, … */
  IMU_CSV_FLAVOR_AXIVITY,       /* cwa-convert: headerless time,x,y,z[,gx,gy,gz] */
} ImuCsvFlavor;

const char *imu_csv_flavor_to_format (ImuCsvFlavor flavor);

/**
 * ImuCsvDialect:
 *
 * What sniffing the head of a file found. Offsets count from the first
 * byte after the UTF-8 byte order mark.
 */
typedef struct {
  char            delimiter;
  gboolean        decimal_comma;
  gboolean        quotes;            /* a '"' was seen: fields may be quoted */
  gboolean        trailing_delimiter;/* every line ends with the delimiter */
  gboolean        bom;
  gboolean        utf8_valid;        /* the head (header included) is valid UTF-8 */
  guint           n_fields;          /* fields per data row (trailing empty one not counted) */

  gint64          header_line;       /* 1-based; 0 when the file has no header */
  GPtrArray      *header;            /* (element-type utf8): header fields, NULL when none */
  gsize           data_offset;       /* first byte of the first data line */
  gint64          first_data_line;   /* its 1-based line number */

  GPtrArray      *rows;              /* (element-type GStrv): the first data rows, split */

  ImuCsvFlavor    flavor;
  /* Facts from a preamble (Movella, ActiLife, Empatica), when written. */
  double          rate_hz;           /* 0 when unknown */
  gboolean        has_start;
  gint64          start_ns;
  gint64          start_line;        /* a preamble "StartTime:" line gave start_ns, else 0 */
  ImuCsvDateOrder date_order;        /* for date-time columns (ActiLife: month first) */
  char           *device_vendor;
  char           *device_model;
  char           *device_serial;
  char           *device_firmware;
  char           *note;              /* preamble facts for the session notes */
} ImuCsvDialect;

void     imu_csv_dialect_clear (ImuCsvDialect *dialect);

/**
 * imu_csv_dialect_sniff:
 * @head: the first bytes of the file (the BOM included when written)
 * @len: their length
 * @eof: whether @head is the whole file
 *
 * Finds the delimiter, decimal separator, quoting, preamble, header and
 * the first data rows. Fails with %IMU_IMPORT_ERROR_EMPTY,
 * %IMU_IMPORT_ERROR_NO_DATA or %IMU_IMPORT_ERROR_UNRECOGNIZED (messages
 * without the file name: the caller prefixes it).
 */
gboolean imu_csv_dialect_sniff (const char     *head,
                                gsize           len,
                                gboolean        eof,
                                ImuCsvDialect  *dialect,
                                GError        **error);

/* A field as text: trimmed, quotes removed ("" → "), UTF-8. */
char    *imu_csv_field_dup (const ImuCsvField *field, gboolean *was_valid);

/* Converts header text to UTF-8: as is when valid, else read as
 * Windows-1252/Latin-1 (a "µ" written by a European spreadsheet). */
char    *imu_csv_text_to_utf8 (const char *s, gsize len, gboolean *was_valid);

G_END_DECLS
