/* imu-cwa.h — decoding Axivity CWA files (AX3, AX6) from bytes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The format is Open Movement's (Docs/ax3/ax3-technical.md in
 * digitalinteraction/openmovement): a 1024-byte header block, then
 * 512-byte data blocks, each with its own timestamp, sample count and
 * checksum. This file only decodes bytes — no files, no library — so that
 * a fuzz target can drive it directly; imu-importer-cwa.c writes what it
 * decodes through the session builder.
 *
 * Times here are on the device's own clock, read as if it were UTC
 * ("local ns"); the importer turns them into UTC (imu-device-clock.h).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define IMU_CWA_HEADER_BYTES 1024
#define IMU_CWA_BLOCK_BYTES  512
/* The most samples a block holds: 480 bytes of packed 4-byte samples. */
#define IMU_CWA_MAX_SAMPLES  120

/* Logging start and end times that are not times: "always" (0) and
 * "never" (0xffffffff) in the file. */
#define IMU_CWA_TIME_ALWAYS  G_MININT64
#define IMU_CWA_TIME_NEVER   G_MAXINT64
/* A header time that is neither a date nor one of the two above. */
#define IMU_CWA_TIME_INVALID (G_MININT64 + 1)

/**
 * ImuCwaHeader:
 * @hardware_type: 0x00, 0x17 or 0xff for an AX3, 0x64 for an AX6
 * @model: "AX3", "AX6", or the hardware type in hex for another
 * @device_id: the device's serial number (both words of the header)
 * @session_id: the recording's session identifier
 * @logging_start_ns: when the device was set to start, local ns, or
 *   %IMU_CWA_TIME_ALWAYS, %IMU_CWA_TIME_NEVER, %IMU_CWA_TIME_INVALID
 * @logging_end_ns: when it was set to stop, the same way
 * @last_change_ns: when it was last configured, local ns (or as above)
 * @sensor_config: the AX6's sensor configuration byte
 * @rate_code: the sampling rate and range code
 * @rate_hz: the nominal sampling rate, 3200 / 2^(15 − (rate_code & 15)) Hz
 * @accel_range_g: ±16 >> (rate_code >> 6) g
 * @gyro_range_dps: the AX6's gyroscope range (8000 >> n deg/s), 0 when off
 * @has_mag: the header says the magnetometer is on
 * @firmware: the firmware revision
 * @metadata: the annotation text as stored (URL-encoded name=value pairs
 *   joined by '&', "_p=right+wrist&_sc=26"), trailing padding removed;
 *   not necessarily UTF-8
 */
typedef struct {
  guint8  hardware_type;
  char    model[8];
  guint32 device_id;
  guint32 session_id;
  gint64  logging_start_ns;
  gint64  logging_end_ns;
  gint64  last_change_ns;
  guint8  sensor_config;
  guint8  rate_code;
  double  rate_hz;
  int     accel_range_g;
  int     gyro_range_dps;
  gboolean has_mag;
  guint8  firmware;
  char    metadata[449];
} ImuCwaHeader;

/**
 * imu_cwa_header_parse:
 * @buf: the first bytes of the file
 * @len: how many (the header needs 512 of its 1024; the rest is reserved)
 *
 * Returns: %FALSE when @buf is not a CWA header ("MD" and a packet length
 *   of at least 508) or is cut short; @header is then untouched.
 */
gboolean imu_cwa_header_parse (const guint8  *buf,
                               gsize          len,
                               ImuCwaHeader  *header);

/**
 * imu_cwa_metadata_next:
 * @cursor: in/out, the place in the metadata text (start with the text)
 * @name: (out): the next name, URL-decoded, with Open Movement's shorthand
 *   names kept as they are ("_p", "_sc"), valid UTF-8; free it
 * @value: (out): its value, URL-decoded ('+' is a space), valid UTF-8 ("" when
 *   the pair has no '='); free it
 *
 * Walks the name=value pairs of the header's metadata.
 *
 * Returns: %FALSE when there is no pair left
 */
gboolean imu_cwa_metadata_next (const char **cursor,
                                char       **name,
                                char       **value);

/* The time of a packed CWA timestamp (YYYYYYMM MMDDDDDh hhhhmmmm mmssssss,
 * years since 2000) as local ns, or %IMU_CWA_TIME_INVALID when it is not a
 * date (0 included). */
gint64   imu_cwa_time_to_local_ns (guint32 packed);

/**
 * ImuCwaBlockStatus:
 * @IMU_CWA_BLOCK_OK: a data block, decoded
 * @IMU_CWA_BLOCK_NOT_DATA: not an "AX" block of 508 bytes (erased space,
 *   another kind of block)
 * @IMU_CWA_BLOCK_CHECKSUM: the 16-bit word sum of the block is not zero
 * @IMU_CWA_BLOCK_BAD_FORMAT: a number of axes, packing or sample count the
 *   format does not have
 * @IMU_CWA_BLOCK_BAD_TIME: its timestamp is not a date
 *
 * Why a block was (not) decoded. Every status but OK means the block is
 * skipped (W_CORRUPT_BLOCK).
 */
typedef enum {
  IMU_CWA_BLOCK_OK,
  IMU_CWA_BLOCK_NOT_DATA,
  IMU_CWA_BLOCK_CHECKSUM,
  IMU_CWA_BLOCK_BAD_FORMAT,
  IMU_CWA_BLOCK_BAD_TIME,
} ImuCwaBlockStatus;

/**
 * ImuCwaAux:
 * @light: light sensor, raw (10 bits)
 * @temperature_c: temperature in °C ((raw & 0x3ff) × 75/256 − 50)
 * @battery: battery level as stored (raw byte; Open Movement's voltage
 *   formulas disagree with each other on real files)
 * @events: event flags
 *
 * What a block carries once: the low-rate sensors.
 */
typedef struct {
  guint16 light;
  double  temperature_c;
  guint8  battery;
  guint8  events;
} ImuCwaAux;

/**
 * ImuCwaBlock:
 * @session_id: the session the block belongs to
 * @sequence_id: its place in the recording (0, 1, 2…; restarts with a new one)
 * @time_local_ns: the time of the sample @time_index refers to: the
 *   block's timestamp with its fractional part (1/65536 s)
 * @time_index: that sample's index from the block's first sample (signed:
 *   it may lie before or after the block)
 * @rate_code: the block's rate code
 * @rate_hz: its nominal rate
 * @n_axes: 3 (accel), 6 (gyro, accel) or 9 (gyro, accel, mag)
 * @packed: samples are 3 × 10 bits with a 2-bit exponent in a DWORD
 * @n_samples: samples in the block
 * @aux: its light, temperature and battery
 * @accel: acceleration in g, @n_samples × 3
 * @gyro: angular rate in deg/s, @n_samples × 3 (6 and 9 axes)
 * @mag: magnetic field in µT, @n_samples × 3 (9 axes)
 */
typedef struct {
  guint32 session_id;
  guint32 sequence_id;
  gint64  time_local_ns;
  gint32  time_index;
  guint8  rate_code;
  double  rate_hz;
  guint   n_axes;
  gboolean packed;
  guint   n_samples;
  ImuCwaAux aux;
  double  accel[IMU_CWA_MAX_SAMPLES][3];
  double  gyro[IMU_CWA_MAX_SAMPLES][3];
  double  mag[IMU_CWA_MAX_SAMPLES][3];
} ImuCwaBlock;

/**
 * imu_cwa_block_decode:
 * @buf: %IMU_CWA_BLOCK_BYTES bytes
 * @header: the file's header (the gyroscope range when a block does not
 *   say it)
 * @block: (out): the block, filled when the result is OK
 *
 * Checks and decodes one data block. Does not block.
 */
ImuCwaBlockStatus imu_cwa_block_decode (const guint8       *buf,
                                        const ImuCwaHeader *header,
                                        ImuCwaBlock        *block);

/**
 * ImuCwaSampleFunc:
 * @t_local_ns: the sample's time, local ns
 * @accel: x, y, z in g
 * @gyro: (nullable): x, y, z in deg/s, when the block has them
 * @mag: (nullable): x, y, z in µT, when the block has them
 * @aux: (nullable): the block's light, temperature and battery, with the
 *   first sample of each block only
 * @block_index: the block's number (0 = the first after the header)
 *
 * Receives one sample. Returns %FALSE with @error set to stop.
 */
typedef gboolean (*ImuCwaSampleFunc) (gint64             t_local_ns,
                                      const double      *accel,
                                      const double      *gyro,
                                      const double      *mag,
                                      const ImuCwaAux    *aux,
                                      gint64             block_index,
                                      gpointer           user_data,
                                      GError           **error);

typedef struct _ImuCwaTimeline ImuCwaTimeline;

/**
 * imu_cwa_timeline_new:
 *
 * Gives each sample its time, as Open Movement's own reader and GGIRread
 * do it: every block says which sample (its time index) was taken at its
 * timestamp; within a run of good blocks that follow one another
 * (consecutive sequence ids, one session, one format, anchors moving
 * forward at a plausible rate), times are interpolated linearly between
 * these anchors, and extrapolated from the nearest two before the first
 * and after the last. A run of one block takes its nominal rate. A block
 * that is skipped ends the run: the next starts a new one, so a corrupt
 * block is a gap in time. Samples are held only until the anchor after
 * them is known (about one block), so memory stays flat.
 *
 * Returns: (transfer full): a timeline calling @func for every sample,
 *   in order
 */
ImuCwaTimeline *imu_cwa_timeline_new   (ImuCwaSampleFunc   func,
                                        gpointer           user_data);
void            imu_cwa_timeline_free  (ImuCwaTimeline    *timeline);

/* Adds a good block (@block_index its number in the file); samples whose
 * time is now known go to the callback. FALSE when the callback failed. */
gboolean        imu_cwa_timeline_push  (ImuCwaTimeline    *timeline,
                                        const ImuCwaBlock *block,
                                        gint64             block_index,
                                        GError           **error);
/* Ends the current run (a block was skipped, or the file ends): its last
 * samples go to the callback. */
gboolean        imu_cwa_timeline_break (ImuCwaTimeline    *timeline,
                                        GError           **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuCwaTimeline, imu_cwa_timeline_free)

G_END_DECLS
