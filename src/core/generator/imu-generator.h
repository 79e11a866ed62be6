/* imu-generator.h — realistic, deterministic IMU data for demos, tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "imu-import.h"
#include "imu-store.h"

G_BEGIN_DECLS

#define IMU_GENERATOR_ERROR (imu_generator_error_quark ())

typedef enum {
  IMU_GENERATOR_ERROR_INVALID_ARGUMENT, /* a rate, duration or start time out of range */
  IMU_GENERATOR_ERROR_FAILED,
} ImuGeneratorError;

GQuark imu_generator_error_quark (void);

/* Sample rates the generator accepts, in Hz. The upper bound keeps the
 * microsecond timestamps of the CSV strictly increasing with jitter. */
#define IMU_GENERATOR_MIN_RATE_HZ 0.1
#define IMU_GENERATOR_MAX_RATE_HZ 10000.0

/* Fixed decimals of what the generator writes. */
#define IMU_GENERATOR_TIME_DECIMALS  6  /* epoch seconds: microseconds */
#define IMU_GENERATOR_ACCEL_DECIMALS 5  /* g */
#define IMU_GENERATOR_GYRO_DECIMALS  3  /* deg/s */
#define IMU_GENERATOR_MAG_DECIMALS   2  /* µT */

/* The header line of imu_generator_write_csv() (without the newline). */
#define IMU_GENERATOR_CSV_HEADER \
  "timestamp,acc_x (g),acc_y (g),acc_z (g),gyr_x (deg/s),gyr_y (deg/s),gyr_z (deg/s)"

/* Every generated recording begins with the sensor at rest for at least
 * this long (the device lies still while the session starts): tests and
 * calibration checks rely on it. */
#define IMU_GENERATOR_INITIAL_REST_S 60

/* How the demo session is recognised in a library (sessions.origin is
 * "generated", sessions.origin_path is this). */
#define IMU_GENERATOR_DEMO_ORIGIN_PATH "imu-studio:demo/interval-training"
/* The seed of the demo session, so that every library gets the same one. */
#define IMU_GENERATOR_DEMO_SEED 20240312

typedef enum {
  IMU_GENERATOR_ACTIVITY_REST,
  IMU_GENERATOR_ACTIVITY_WALK,
  IMU_GENERATOR_ACTIVITY_RUN,
} ImuGeneratorActivity;

/**
 * ImuGeneratorBout:
 * @activity: what the wearer does
 * @duration_s: for how long
 * @posture: for a rest bout, the trunk's pitch in degrees (0 standing
 *   upright, about 20 sitting, about −80 lying on the back); ignored while
 *   moving
 *
 * One stretch of a scripted recording.
 */
typedef struct {
  ImuGeneratorActivity activity;
  double               duration_s;
  double               posture;
} ImuGeneratorBout;

typedef struct _ImuGenerator ImuGenerator;

/**
 * imu_generator_new:
 * @seed: everything generated follows from it; the same seed and rate give
 *   the same samples, to the bit, on every machine (own PRNG, integer noise)
 * @rate_hz: samples per second, IMU_GENERATOR_MIN_RATE_HZ..IMU_GENERATOR_MAX_RATE_HZ
 * @start_ns: time of the first sample, exactly (rounded down to the
 *   microsecond); later samples have jitter
 *
 * A model of a trunk-worn (chest or waist) IMU during a training session:
 * an orientation that drifts slowly with posture, bouts of rest, walking
 * (steps at 1.8–2.0 Hz) and running (2.6–3.0 Hz, with impact peaks and a
 * flight phase), turns, breathing, sensor bias and white noise (≈3 mg,
 * ≈0.05 deg/s), and microsecond timestamp jitter. The gyroscope is the
 * derivative of the same orientation that turns gravity in the
 * accelerometer, so the two agree. Without a script the bouts follow a
 * random schedule (a rest of at least IMU_GENERATOR_INITIAL_REST_S first).
 *
 * Returns: (transfer full): a generator, or %NULL with @error set
 */
ImuGenerator *imu_generator_new        (guint64      seed,
                                        double       rate_hz,
                                        gint64       start_ns,
                                        GError     **error);
void          imu_generator_free       (ImuGenerator *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuGenerator, imu_generator_free)

/* Replaces the random schedule by @bouts (copied); after the last bout the
 * wearer rests. Call before the first sample. */
void          imu_generator_set_script (ImuGenerator            *self,
                                        const ImuGeneratorBout  *bouts,
                                        guint                    n_bouts);

/**
 * imu_generator_next:
 * @acc: (out): accelerometer, g (specific force: +1 g up at rest)
 * @gyr: (out): gyroscope, deg/s
 *
 * Advances by one sample. Values are not rounded.
 *
 * Returns: the sample's timestamp in ns since the epoch (a whole number of
 *   microseconds, strictly increasing)
 */
gint64        imu_generator_next       (ImuGenerator *self,
                                        double        acc[3],
                                        double        gyr[3]);
/* The magnetometer (µT) at the time of the last imu_generator_next(). */
void          imu_generator_get_mag    (ImuGenerator *self,
                                        double        mag[3]);
/* What the wearer is doing at the last sample. */
ImuGeneratorActivity imu_generator_get_activity (ImuGenerator *self);

/* ⌊duration × rate⌋: the number of samples in @duration_ns (the first at
 * the start, none at start + duration). */
gint64        imu_generator_count_samples (gint64 duration_ns,
                                           double rate_hz);

/**
 * ImuGeneratorCsvOptions:
 * @seed: see imu_generator_new()
 * @rate_hz: samples per second
 * @start_ns: time of the first row
 * @duration_ns: length of the recording (rows: imu_generator_count_samples())
 */
typedef struct {
  guint64 seed;
  double  rate_hz;
  gint64  start_ns;
  gint64  duration_ns;
} ImuGeneratorCsvOptions;

/**
 * imu_generator_write_csv:
 * @out: where the CSV goes (not closed)
 * @progress: (nullable): called with rows written / total rows
 *
 * Writes IMU_GENERATOR_CSV_HEADER and one row per sample: epoch seconds
 * with 6 decimals, acceleration with 5 decimals, angular rate with 3,
 * "\n" line ends. Fast (numbers are formatted with integer arithmetic; a
 * 24 h recording at 100 Hz, 8.64 M rows, takes a few seconds) and with flat
 * memory. Blocking.
 *
 * Returns: %TRUE on success; on failure (I/O, cancelled: G_IO_ERROR) @out
 *   holds a partial file
 */
gboolean      imu_generator_write_csv  (GOutputStream                 *out,
                                        const ImuGeneratorCsvOptions  *options,
                                        ImuProgressFunc                progress,
                                        gpointer                       progress_data,
                                        GCancellable                  *cancellable,
                                        GError                       **error);

/* The range of what imu_generator_write_cwa() writes, ±g (rate code 0x40). */
#define IMU_GENERATOR_CWA_RANGE_G 8

/**
 * ImuGeneratorCwaOptions:
 * @seed: see imu_generator_new()
 * @rate_hz: an AX3 rate: 3200 / 2^n Hz, 6.25 to 3200
 *   (imu_generator_cwa_rate_valid())
 * @start_ns: time of the first sample, on a whole second, 2000–2063; the
 *   device clock is written as UTC
 * @duration_ns: length of the recording (samples:
 *   imu_generator_count_samples())
 * @device_id: the device's serial number, or 0 for one made from the seed
 * @session_id: the recording's session id, or 0 for one made from the seed
 */
typedef struct {
  guint64 seed;
  double  rate_hz;
  gint64  start_ns;
  gint64  duration_ns;
  guint32 device_id;
  guint32 session_id;
} ImuGeneratorCwaOptions;

/* Whether an AX3 can sample at @rate_hz. */
gboolean      imu_generator_cwa_rate_valid (double rate_hz);

/**
 * imu_generator_write_cwa:
 * @out: where the file goes (not closed)
 * @progress: (nullable): called with samples written / total samples
 *
 * Writes the generator's accelerometer as an Axivity AX3 device file
 * (Open Movement's Docs/ax3/ax3-technical.md): the 1024-byte header
 * (device and session id, rate and range code, logging start and end,
 * firmware, annotation), then 512-byte blocks of 120 packed samples
 * (3 × 10 bits + exponent) at ±IMU_GENERATOR_CWA_RANGE_G g, each with its
 * sequence number, timestamp with fraction and sample offset, light,
 * temperature, battery and checksum; the last block holds what is left.
 * A value is quantised as the AX3 stores it: c = round(g × 256) clamped
 * to [−8 × 256, 8 × 256 − 1], stored as ⌊c / 4⌋ (exponent 2), so it reads
 * back as ⌊c / 4⌋ / 64 g. Sample k is at @start_ns + k / rate exactly.
 * The same options give the same bytes. Flat memory (256 KiB), blocking.
 *
 * Returns: %TRUE on success; %FALSE with IMU_GENERATOR_ERROR_INVALID_ARGUMENT
 *   (a rate, start or length the format cannot hold) or an I/O error
 *   (G_IO_ERROR_CANCELLED when cancelled), @out then holding a partial file
 */
gboolean      imu_generator_write_cwa  (GOutputStream                 *out,
                                        const ImuGeneratorCwaOptions  *options,
                                        ImuProgressFunc                progress,
                                        gpointer                       progress_data,
                                        GCancellable                  *cancellable,
                                        GError                       **error);

/* The scale of what imu_generator_write_gt3x() writes: 256 counts per g,
 * 12 bits, so ±8 g. */
#define IMU_GENERATOR_GT3X_COUNTS_PER_G 256

/**
 * ImuGeneratorGt3xOptions:
 * @seed: see imu_generator_new()
 * @rate_hz: 30 to 100 Hz in steps of 10 (imu_generator_gt3x_rate_valid())
 * @start_ns: time of the first sample (UTC), on a whole second, 1970–2189
 * @duration_ns: length of the recording, whole seconds
 * @utc_offset_s: the device clock's offset from UTC (info.txt's TimeZone):
 *   the records carry local wall-clock seconds, as ActiGraph's do
 * @serial: (nullable): the serial number; %NULL: one made from the seed
 */
typedef struct {
  guint64     seed;
  double      rate_hz;
  gint64      start_ns;
  gint64      duration_ns;
  gint32      utc_offset_s;
  const char *serial;
} ImuGeneratorGt3xOptions;

/* Whether a wGT3X-BT can sample at @rate_hz. */
gboolean      imu_generator_gt3x_rate_valid (double rate_hz);

/**
 * imu_generator_write_gt3x:
 * @out: where the file goes (not closed)
 * @progress: (nullable): called with samples written / total samples
 *
 * Writes the generator's accelerometer as an ActiGraph wGT3X-BT .gt3x
 * file (actigraph/GT3X-File-Format): a zip of log.bin and info.txt, both
 * stored, as the device's own. log.bin holds a METADATA record, a
 * PARAMETERS record (acceleration scale, sample rate, UTC offset,
 * firmware), then a second at a time an ACTIVITY record of packed 12-bit
 * Y, X, Z samples, with a BATTERY and a LUX record each minute; each
 * record has its checksum. A value is stored as c = round(g × 256)
 * clamped to [−2048, 2047] and reads back as c / 256 g. Sample k is at
 * @start_ns + k / rate exactly. The same options give the same bytes.
 * Flat memory, blocking.
 *
 * Returns: %TRUE on success; %FALSE with IMU_GENERATOR_ERROR_INVALID_ARGUMENT
 *   (a rate, start or length the format cannot hold) or an I/O error
 *   (G_IO_ERROR_CANCELLED when cancelled), @out then holding a partial file
 */
gboolean      imu_generator_write_gt3x (GOutputStream                 *out,
                                        const ImuGeneratorGt3xOptions *options,
                                        ImuProgressFunc                progress,
                                        gpointer                       progress_data,
                                        GCancellable                  *cancellable,
                                        GError                       **error);

/**
 * imu_generator_find_demo_session:
 *
 * Returns: the id of the library's demo session, or 0 when it has none
 *   (or -1 with @error set). Blocking.
 */
gint64        imu_generator_find_demo_session   (ImuStore      *store,
                                                 GError       **error);

/**
 * imu_generator_create_demo_session:
 * @created: (out) (optional): %TRUE when the session was made now, %FALSE
 *   when the library already had one
 *
 * Makes sure the library holds the demo session: a 45-minute "Interval
 * training" of a chest-worn sensor (rest, warm-up walk, six 2-minute runs
 * with walking recoveries, cool-down, stretching on the floor) with
 * accelerometer and gyroscope streams at 100 Hz, a magnetometer at 25 Hz,
 * events (warm-up, intervals, cool-down, a coach's note) and its title,
 * subject, activity and tags. Written in one transaction: on failure or
 * cancellation nothing is left. Blocking (about a quarter of a second).
 *
 * Returns: the session id, or 0 with @error set
 */
gint64        imu_generator_create_demo_session (ImuStore      *store,
                                                 gboolean      *created,
                                                 GCancellable  *cancellable,
                                                 GError       **error);

/**
 * imu_generator_create_demo_session_async:
 * @library_path: the library (opened on a new connection in a worker thread)
 *
 * Runs imu_generator_create_demo_session() in a worker thread, for the
 * app's "Open Demo Session": the window does not wait for the disk.
 */
void          imu_generator_create_demo_session_async  (const char          *library_path,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
/* Returns: the session id, or 0 with @error set. */
gint64        imu_generator_create_demo_session_finish (GAsyncResult  *result,
                                                        gboolean      *created,
                                                        GError       **error);

G_END_DECLS
