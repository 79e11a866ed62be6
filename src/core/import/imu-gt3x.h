/* imu-gt3x.h — ActiGraph GT3X: info.txt and the log records of log.bin, from bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is ActiGraph's own description (github.com/actigraph/
 * GT3X-File-Format: README.md, info.txt.md and the LogRecords folder). This file
 * knows bytes only: no zip, no library, so that a fuzz target can drive it
 * (tests/fuzz/fuzz-gt3x.c). imu-importer-gt3x.c reads the zip and writes
 * what the decoder gives into a session.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A record: separator 0x1E, type, u32 timestamp (s, the device's wall
 * clock), u16 payload size, payload, checksum. */
#define IMU_GT3X_SEPARATOR     0x1E
#define IMU_GT3X_HEADER_BYTES  8
#define IMU_GT3X_MAX_RECORD    (IMU_GT3X_HEADER_BYTES + 65535 + 1)

/* The highest sample rate believed (ActiGraph devices record at 30 to 100 Hz). */
#define IMU_GT3X_MAX_RATE 1000

/* .NET ticks (100 ns since 0001-01-01) of 1970-01-01. */
#define IMU_GT3X_TICKS_AT_UNIX_EPOCH G_GINT64_CONSTANT (621355968000000000)

typedef enum {
  IMU_GT3X_RECORD_ACTIVITY       = 0x00,
  IMU_GT3X_RECORD_BATTERY        = 0x02,
  IMU_GT3X_RECORD_EVENT          = 0x03,
  IMU_GT3X_RECORD_HEART_RATE_BPM = 0x04,
  IMU_GT3X_RECORD_LUX            = 0x05,
  IMU_GT3X_RECORD_METADATA       = 0x06,
  IMU_GT3X_RECORD_CAPSENSE       = 0x0D,
  IMU_GT3X_RECORD_PARAMETERS     = 0x15,
  IMU_GT3X_RECORD_SENSOR_SCHEMA  = 0x18,
  IMU_GT3X_RECORD_SENSOR_DATA    = 0x19,
  IMU_GT3X_RECORD_ACTIVITY2      = 0x1A,
} ImuGt3xRecordType;

typedef struct {
  guint8        type;
  guint32       timestamp;   /* seconds of the device's wall clock, read as UTC */
  guint16       size;
  const guint8 *payload;     /* borrowed from the scanned buffer */
} ImuGt3xRecord;

/**
 * ImuGt3xScan:
 * @IMU_GT3X_SCAN_RECORD: a record whose checksum holds
 * @IMU_GT3X_SCAN_CORRUPT: a record whose checksum fails; its size is
 *   believed because the next record starts right after it
 * @IMU_GT3X_SCAN_JUNK: bytes that start no good record (resynchronising to
 *   the next separator)
 * @IMU_GT3X_SCAN_PADDING: zero bytes between records, which the format
 *   allows
 * @IMU_GT3X_SCAN_TRUNCATED: the data ends inside a record (only with
 *   @at_end)
 * @IMU_GT3X_SCAN_NEED_MORE: more bytes are needed to decide (never with
 *   @at_end)
 * @IMU_GT3X_SCAN_END: no bytes left (only with @at_end)
 */
typedef enum {
  IMU_GT3X_SCAN_RECORD,
  IMU_GT3X_SCAN_CORRUPT,
  IMU_GT3X_SCAN_JUNK,
  IMU_GT3X_SCAN_PADDING,
  IMU_GT3X_SCAN_TRUNCATED,
  IMU_GT3X_SCAN_NEED_MORE,
  IMU_GT3X_SCAN_END,
} ImuGt3xScan;

/**
 * imu_gt3x_scan:
 * @buf: bytes of log.bin from a record boundary (or where resynchronising)
 * @at_end: whether @buf reaches the end of log.bin
 * @record: (out): the record, for %IMU_GT3X_SCAN_RECORD
 * @consumed: (out): bytes to drop from the front of @buf
 *
 * Scans one record. A buffer of %IMU_GT3X_MAX_RECORD + 1 bytes always
 * decides (never %IMU_GT3X_SCAN_NEED_MORE). Does not block.
 */
ImuGt3xScan imu_gt3x_scan (const guint8  *buf,
                           gsize          len,
                           gboolean       at_end,
                           ImuGt3xRecord *record,
                           gsize         *consumed);

/* The record's checksum: the one's complement of the XOR of header and payload. */
guint8      imu_gt3x_checksum (const guint8 *bytes,
                               gsize         len);

/* The SSP floating point of PARAMETERS (three-byte two's-complement fraction
 * of 2^23, one-byte exponent). */
double      imu_gt3x_decode_ssp_float (guint32 value);

/**
 * imu_gt3x_unpack_activity:
 * @payload: an ACTIVITY payload: 12-bit two's-complement counts, packed
 *   big-endian, in Y, X, Z order
 * @xyz: (out): room for 3 × @max_samples counts, written in X, Y, Z order
 *
 * Returns: the number of whole samples unpacked (at most @max_samples)
 */
guint       imu_gt3x_unpack_activity  (const guint8 *payload,
                                       gsize         size,
                                       gint16       *xyz,
                                       guint         max_samples);
/* ACTIVITY2: little-endian int16 in X, Y, Z order. */
guint       imu_gt3x_unpack_activity2 (const guint8 *payload,
                                       gsize         size,
                                       gint16       *xyz,
                                       guint         max_samples);

/**
 * ImuGt3xParameters:
 *
 * What IMU Studio uses of a PARAMETERS record (LogRecords/Parameters.md);
 * a has_ flag for each value the record carries.
 */
typedef struct {
  gboolean has_accel_scale;
  double   accel_scale;      /* ACCEL_SCALE (0/55), LSB per g */
  gboolean has_sample_rate;
  guint32  sample_rate;      /* SAMPLE_RATE (1/10), Hz */
  gboolean has_utc_offset;
  gint32   utc_offset_s;     /* UTC_OFFSET (1/40) */
  gboolean has_feature_enable;
  guint32  feature_enable;   /* FEATURE_ENABLE (1/2): bit 2 = idle sleep mode */
  gboolean has_battery_voltage;
  double   battery_voltage;  /* BATTERY_VOLTAGE (0/7), V */
  gboolean has_firmware;
  guint32  firmware;         /* FIRMWARE_VERSION (0/13): major << 24 | minor << 16 | build */
  guint    n_pairs;          /* key/value pairs in the record */
} ImuGt3xParameters;

/* Reads a PARAMETERS payload (8-byte key/value pairs; a trailing partial
 * pair is ignored). FALSE when @size is not a multiple of 8. */
gboolean    imu_gt3x_parse_parameters (const guint8      *payload,
                                       gsize              size,
                                       ImuGt3xParameters *params);

/**
 * ImuGt3xInfo:
 *
 * info.txt: "Key: value" lines. Ticks are .NET ticks of the device's wall
 * clock (0 when absent); numbers are NAN when absent or unreadable.
 */
typedef struct {
  char      *serial;        /* Serial Number */
  char      *device_type;   /* Device Type */
  char      *firmware;      /* Firmware */
  char      *subject;       /* Subject Name */
  char      *time_zone;     /* TimeZone ("02:00:00", "-05:00:00") */
  double     sample_rate;   /* Sample Rate, Hz */
  double     accel_scale;   /* Acceleration Scale, LSB per g */
  double     accel_min;     /* Acceleration Min, g */
  double     accel_max;     /* Acceleration Max, g */
  gint64     start_ticks;   /* Start Date */
  gint64     stop_ticks;    /* Stop Date */
  gint64     last_sample_ticks; /* Last Sample Time */
  gint64     download_ticks;    /* Download Date */
  GPtrArray *keys;          /* every key, in file order (char*) */
  GPtrArray *values;        /* its value (char*) */
} ImuGt3xInfo;

/* Parses info.txt (any line ends, a UTF-8 byte order mark, lines without
 * ": " skipped). Never fails: what is missing stays unset. */
ImuGt3xInfo *imu_gt3x_info_parse (const char *text,
                                  gsize       len);
void         imu_gt3x_info_free  (ImuGt3xInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuGt3xInfo, imu_gt3x_info_free)

/* .NET ticks to ns (of the same clock) since 1970; FALSE when out of the
 * representable range (imu-time.h). */
gboolean     imu_gt3x_ticks_to_ns (gint64  ticks,
                                   gint64 *ns);

/* info.txt's TimeZone (.NET TimeSpan "02:00:00", "-05:30:00") as an offset
 * the device clock reads ("+02:00:00"); NULL when it is not one. */
char        *imu_gt3x_time_zone_text (const char *time_zone);

/* The most columns and samples a SENSOR_SCHEMA may define. */
#define IMU_GT3X_MAX_SENSOR_COLUMNS 32
#define IMU_GT3X_MAX_SENSOR_SAMPLES 1000

/**
 * ImuGt3xSchema:
 *
 * A SENSOR_SCHEMA record (LogRecords/SensorSchema.md): how the SENSOR_DATA
 * records of its id lay out the GT9X Link's IMU samples. Only columns with
 * a label give values; @labels are theirs, in order.
 */
typedef struct {
  guint   id;
  guint   n_samples;                     /* per record: one second */
  guint   n_columns;
  guint   row_bytes;
  guint8  flags[IMU_GT3X_MAX_SENSOR_COLUMNS];   /* bit 0 big-endian, bit 1 signed */
  guint8  bits[IMU_GT3X_MAX_SENSOR_COLUMNS];
  double  scale[IMU_GT3X_MAX_SENSOR_COLUMNS];   /* divide by it (0: none) */
  char    label[IMU_GT3X_MAX_SENSOR_COLUMNS][17];
  guint   n_values;                      /* labelled columns */
} ImuGt3xSchema;

/* Reads a SENSOR_SCHEMA payload; FALSE when it is not one. */
gboolean    imu_gt3x_parse_schema (const guint8  *payload,
                                   gsize          size,
                                   ImuGt3xSchema *schema);

/**
 * ImuGt3xSink:
 * @accel: one acceleration sample: local ns, X, Y, Z in g; @filled is
 *   TRUE for idle-sleep fill (the last sample repeated)
 * @idle_sleep: one idle-sleep episode that was filled: its first filled
 *   second and how long it lasted, and how many samples filled it
 * @lux, @battery_mv, @capsense, @usb: the device's other records
 * @metadata: a METADATA record's JSON text
 * @parameters: a PARAMETERS record, after the decoder applied it
 * @issue: an issue code (IMU_ISSUE_*) and the 1-based record number
 * @sensor: one sample of a SENSOR_DATA record: its schema and the values
 *   of its labelled columns, scaled (temperature + 21 °C, as the format's
 *   example code does)
 *
 * Where the decoder's output goes. A callback that returns FALSE (with
 * @error set) stops the decoder. Any callback may be %NULL.
 */
typedef struct {
  gboolean (*accel)      (gpointer user_data, gint64 t_local_ns, const double *xyz_g, gboolean filled, GError **error);
  void     (*idle_sleep) (gpointer user_data, gint64 t_local_ns, gint64 duration_ns, gint64 n_samples);
  gboolean (*lux)        (gpointer user_data, gint64 t_local_ns, double lux, GError **error);
  gboolean (*battery_mv) (gpointer user_data, gint64 t_local_ns, double millivolts, GError **error);
  gboolean (*capsense)   (gpointer user_data, gint64 t_local_ns, const double *signal_ref_state_bursts, GError **error);
  void     (*usb)        (gpointer user_data, gint64 t_local_ns);
  void     (*metadata)   (gpointer user_data, const char *json, gsize len);
  void     (*parameters) (gpointer user_data, const ImuGt3xParameters *params);
  void     (*issue)      (gpointer user_data, const char *code, gint64 record);
  gboolean (*sensor)     (gpointer user_data, const ImuGt3xSchema *schema, gint64 t_local_ns, const double *values,
                          GError **error);
} ImuGt3xSink;

typedef struct _ImuGt3xDecoder ImuGt3xDecoder;

/**
 * imu_gt3x_decoder_new:
 * @sample_rate: Hz from info.txt (NAN or ≤ 0: from PARAMETERS)
 * @accel_scale: LSB per g from info.txt or the serial number (NAN or ≤ 0:
 *   from PARAMETERS); a PARAMETERS record's ACCEL_SCALE wins, as the
 *   format says
 * @swap_xy: firmware 1.6.0 of wGT3X-BT rotated X and Y (Activity.md):
 *   give X = Y, Y = −X
 *
 * Returns: (transfer full): a decoder of one log.bin. Does not block.
 */
ImuGt3xDecoder *imu_gt3x_decoder_new   (double              sample_rate,
                                        double              accel_scale,
                                        gboolean            swap_xy,
                                        const ImuGt3xSink  *sink,
                                        gpointer            user_data);
void            imu_gt3x_decoder_free  (ImuGt3xDecoder *self);
/* The longest idle sleep filled (default a month); a longer one is counted
 * as IMU_ISSUE_RECORD_TIME and left unfilled. */
void            imu_gt3x_decoder_set_max_fill (ImuGt3xDecoder *self,
                                               gint64          seconds);

/**
 * imu_gt3x_decoder_feed:
 * @data: the next bytes of log.bin, any amount
 *
 * Scans and decodes whole records as they complete. FALSE with @error
 * set when a callback failed, or when an activity record comes and there
 * is no sample rate or scale (%G_IO_ERROR_INVALID_DATA, naming the record
 * and its offset).
 */
gboolean        imu_gt3x_decoder_feed  (ImuGt3xDecoder  *self,
                                        const guint8    *data,
                                        gsize            len,
                                        GError         **error);
/* The end of log.bin: the rest is decoded (a cut record counted) and an
 * idle sleep still open at the end is filled up to the last record. */
gboolean        imu_gt3x_decoder_end   (ImuGt3xDecoder  *self,
                                        GError         **error);

/* What the decoder saw so far. */
gint64          imu_gt3x_decoder_get_n_records      (ImuGt3xDecoder *self);
gint64          imu_gt3x_decoder_get_n_recorded     (ImuGt3xDecoder *self);  /* samples from activity records */
gint64          imu_gt3x_decoder_get_n_filled       (ImuGt3xDecoder *self);  /* idle-sleep fill */
guint           imu_gt3x_decoder_get_n_idle_sleeps  (ImuGt3xDecoder *self);
double          imu_gt3x_decoder_get_sample_rate    (ImuGt3xDecoder *self);
double          imu_gt3x_decoder_get_accel_scale    (ImuGt3xDecoder *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuGt3xDecoder, imu_gt3x_decoder_free)

G_END_DECLS
