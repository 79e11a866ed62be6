/* imu-generator.c — realistic, deterministic IMU data for demos, tests and benchmarks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The model: a sensor strapped to the trunk. Its orientation relative to the
 * wearer's heading is roll φ, pitch θ and a mounting yaw ψm (ZYX order); the
 * heading itself turns with a random rate. Posture (φ, θ) follows a target
 * that depends on what the wearer does, with a smooth second-order lag, and
 * gait adds small oscillations at the step and stride frequencies. The
 * accelerometer reads the specific force (linear acceleration of the trunk
 * plus 1 g up) rotated into the sensor frame; the gyroscope reads the body
 * rates derived analytically from the same angles and their derivatives, so
 * the two streams describe one motion. The magnetometer rotates a fixed
 * Earth field (central Europe) with the full orientation.
 *
 * Determinism: the PRNG is xoshiro256** seeded with splitmix64, and noise is
 * built from integer sums (Irwin–Hall), so the random draws are the same on
 * every machine. The waveforms use sin/cos/exp from libm; their last-ulp
 * differences between libm implementations vanish in the rounding to 5 (or
 * 3) decimals except with vanishing probability.
 */
#define G_LOG_DOMAIN "imu-generator"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "imu-generator.h"
#include "imu-stream-writer.h"

G_DEFINE_QUARK (imu-generator-error-quark, imu_generator_error)

#define DEG (G_PI / 180.0)
#define STANDARD_GRAVITY 9.80665

/* The internal simulation never steps by more than this (seconds), so that
 * the lags and random processes stay stable at low output rates. */
#define MAX_SUBSTEP_S 0.02

/* Sensor characteristics (a typical MEMS IMU at ±16 g, ±2000 deg/s). */
#define ACCEL_NOISE_G       0.003
#define ACCEL_BIAS_G        0.002
#define ACCEL_RANGE_G       16.0
#define GYRO_NOISE_DPS      0.05
#define GYRO_BIAS_DPS       0.4
#define GYRO_RANGE_DPS      2000.0
#define MAG_NOISE_UT        0.3
#define MAG_HARD_IRON_UT    15.0
/* Earth's field in central Europe: 19.5 µT north, 45 µT down. */
#define MAG_NORTH_UT        19.5
#define MAG_DOWN_UT         45.0
/* Timestamp jitter: standard deviation and bound, microseconds. */
#define JITTER_STD_US       6.0
#define JITTER_MAX_US       25

/* Running: fraction of a step spent in stance. */
#define RUN_STANCE          0.42
/* Vertical specific force in flight (not quite free fall: the trunk flexes). */
#define RUN_FLIGHT_G        0.05

#define CSV_BUF_SIZE        (256 * 1024)
#define CSV_MAX_ROW         192

/* ------------------------------------------------------------------ PRNG */

typedef struct {
  guint64 s[4];
} Rng;

static inline guint64
rotl (guint64 x, int k)
{
  return (x << k) | (x >> (64 - k));
}

static guint64
splitmix64 (guint64 *state)
{
  guint64 z = (*state += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static void
rng_seed (Rng     *rng,
          guint64  seed)
{
  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&seed);
}

/* xoshiro256** (Blackman and Vigna, https://prng.di.unimi.it/). */
static inline guint64
rng_next (Rng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

/* Uniform in [0, 1), from the top 53 bits: exact on every machine. */
static inline double
rng_uniform (Rng *rng)
{
  return (double) (rng_next (rng) >> 11) * 0x1.0p-53;
}

static inline double
rng_range (Rng    *rng,
           double  lo,
           double  hi)
{
  return lo + (hi - lo) * rng_uniform (rng);
}

/* Approximately standard normal: the sum of four 16-bit uniforms
 * (Irwin–Hall), centred and scaled to unit variance. Integer arithmetic and
 * one multiplication, so bit-identical everywhere and much cheaper than
 * Box–Muller; bounded at ±3.46 σ, which sensor noise plots do not miss. */
static inline double
rng_gauss (Rng *rng)
{
  guint64 x = rng_next (rng);
  gint64 sum = (gint64) ((x & 0xffff) + ((x >> 16) & 0xffff) + ((x >> 32) & 0xffff) + (x >> 48));

  return (double) (sum - 131070) * (1.7320508075688772 / 65536.0);
}

/* ----------------------------------------------------------------- model */

/* A critically damped second-order follower: smooth position and velocity. */
typedef struct {
  double x;
  double v;
} Follower;

static inline void
follower_step (Follower *f,
               double    target,
               double    tau,
               double    dt)
{
  double a = (target - f->x) / (tau * tau) - 2.0 * f->v / tau;

  f->v += a * dt;
  f->x += f->v * dt;
}

struct _ImuGenerator
{
  Rng       rng;
  double    rate_hz;
  double    dt;
  guint     n_sub;
  double    sub_dt;
  gint64    start_us;
  gint64    index;          /* samples produced */
  int       jitter_max_us;

  /* Schedule. */
  ImuGeneratorBout *script;
  guint     n_script;
  guint     script_pos;
  gboolean  started;
  ImuGeneratorActivity activity;
  double    bout_end_s;     /* time since start at which the current bout ends */
  double    target_pitch;
  double    target_roll;
  double    bout_step_hz;

  /* Smoothed state. */
  double    w_walk;         /* 0..1: how much of the walking pattern is on */
  double    w_run;
  double    dw_walk;        /* their derivatives, 1/s */
  double    dw_run;
  double    step_hz;
  double    cadence_drift;  /* unit-variance Ornstein–Uhlenbeck */
  double    phase;          /* step phase, radians in [0, 2π) */
  gboolean  odd_step;       /* left or right: the stride is two steps */
  double    step_amp;       /* per-step amplitude factor */
  double    breath_phase;
  Follower  pitch;          /* posture, radians */
  Follower  roll;
  double    heading;        /* radians */
  double    heading_rate;   /* rad/s */
  double    mount_yaw;      /* radians */

  /* Sensor. */
  double    acc_bias[3];
  double    gyr_bias[3];
  double    hard_iron[3];

  /* Orientation at the last sample, for the magnetometer. */
  double    last_roll, last_pitch, last_yaw;
};

static void
pick_random_bout (ImuGenerator *self)
{
  Rng *rng = &self->rng;
  double duration_s;
  double r = rng_uniform (rng);

  if (!self->started)
    {
      /* The device lies still while the session starts: tests and
       * calibration checks rely on a quiet first minute. */
      self->activity = IMU_GENERATOR_ACTIVITY_REST;
      duration_s = IMU_GENERATOR_INITIAL_REST_S + rng_range (rng, 0, 60);
      self->target_pitch = rng_range (rng, -3, 6) * DEG;
      self->target_roll = rng_range (rng, -3, 3) * DEG;
      self->bout_end_s = duration_s;
      return;
    }

  /* A training day: rest leads to moving, and moving mostly to walking. */
  switch (self->activity)
    {
    case IMU_GENERATOR_ACTIVITY_REST:
      self->activity = r < 0.7 ? IMU_GENERATOR_ACTIVITY_WALK : IMU_GENERATOR_ACTIVITY_RUN;
      break;
    case IMU_GENERATOR_ACTIVITY_WALK:
      self->activity = r < 0.45 ? IMU_GENERATOR_ACTIVITY_RUN : IMU_GENERATOR_ACTIVITY_REST;
      break;
    case IMU_GENERATOR_ACTIVITY_RUN:
    default:
      self->activity = r < 0.6 ? IMU_GENERATOR_ACTIVITY_WALK : IMU_GENERATOR_ACTIVITY_REST;
      break;
    }

  /* Log-uniform durations: many short bouts, a few long ones. */
  switch (self->activity)
    {
    case IMU_GENERATOR_ACTIVITY_REST:
      duration_s = 30.0 * exp (rng_uniform (rng) * log (480.0 / 30.0));
      r = rng_uniform (rng);
      if (r < 0.4)
        self->target_pitch = rng_range (rng, -3, 6) * DEG;     /* standing */
      else if (r < 0.85)
        self->target_pitch = rng_range (rng, 12, 28) * DEG;    /* sitting, leaning forward */
      else
        self->target_pitch = rng_range (rng, -85, -75) * DEG;  /* lying on the back */
      self->target_roll = rng_range (rng, -6, 6) * DEG;
      break;
    case IMU_GENERATOR_ACTIVITY_WALK:
      duration_s = 60.0 * exp (rng_uniform (rng) * log (900.0 / 60.0));
      self->bout_step_hz = rng_range (rng, 1.8, 2.0);
      self->target_pitch = rng_range (rng, 3, 8) * DEG;
      self->target_roll = rng_range (rng, -3, 3) * DEG;
      break;
    case IMU_GENERATOR_ACTIVITY_RUN:
    default:
      duration_s = 60.0 * exp (rng_uniform (rng) * log (600.0 / 60.0));
      self->bout_step_hz = rng_range (rng, 2.6, 3.0);
      self->target_pitch = rng_range (rng, 9, 15) * DEG;
      self->target_roll = rng_range (rng, -3, 3) * DEG;
      break;
    }
  self->bout_end_s += duration_s;
}

static void
pick_scripted_bout (ImuGenerator *self)
{
  Rng *rng = &self->rng;
  const ImuGeneratorBout *bout;

  if (self->script_pos >= self->n_script)
    {
      /* After the script the wearer rests where they are, for ever. */
      self->activity = IMU_GENERATOR_ACTIVITY_REST;
      self->bout_end_s = G_MAXDOUBLE;
      return;
    }

  bout = &self->script[self->script_pos++];
  self->activity = bout->activity;
  self->bout_end_s += bout->duration_s;
  self->target_roll = rng_range (rng, -3, 3) * DEG;
  switch (bout->activity)
    {
    case IMU_GENERATOR_ACTIVITY_REST:
      self->target_pitch = bout->posture * DEG;
      break;
    case IMU_GENERATOR_ACTIVITY_WALK:
      self->bout_step_hz = rng_range (rng, 1.8, 2.0);
      self->target_pitch = rng_range (rng, 3, 8) * DEG;
      break;
    case IMU_GENERATOR_ACTIVITY_RUN:
    default:
      self->bout_step_hz = rng_range (rng, 2.6, 3.0);
      self->target_pitch = rng_range (rng, 9, 15) * DEG;
      break;
    }
}

static void
next_bout (ImuGenerator *self)
{
  if (self->script != NULL)
    pick_scripted_bout (self);
  else
    pick_random_bout (self);

  if (!self->started)
    {
      /* Start in the first bout's posture rather than swinging into it. */
      self->pitch.x = self->target_pitch;
      self->roll.x = self->target_roll;
      self->started = TRUE;
    }
}

/* Advances the slow state (schedule, lags, random processes, phases) by @dt
 * seconds ending at @t_s seconds since the start. */
static void
advance (ImuGenerator *self,
         double        t_s,
         double        dt)
{
  Rng *rng = &self->rng;
  double w_walk_target, w_run_target;
  double heading_sigma;
  const double tau_w = 1.5, tau_step = 3.0, tau_posture = 3.0, tau_cadence = 20.0, tau_heading = 5.0;

  while (t_s >= self->bout_end_s)
    next_bout (self);

  w_walk_target = self->activity == IMU_GENERATOR_ACTIVITY_WALK ? 1.0 : 0.0;
  w_run_target = self->activity == IMU_GENERATOR_ACTIVITY_RUN ? 1.0 : 0.0;
  self->dw_walk = (w_walk_target - self->w_walk) / tau_w;
  self->dw_run = (w_run_target - self->w_run) / tau_w;
  self->w_walk += self->dw_walk * dt;
  self->w_run += self->dw_run * dt;

  self->cadence_drift += -self->cadence_drift * dt / tau_cadence
                         + sqrt (2.0 * dt / tau_cadence) * rng_gauss (rng);
  if (self->activity != IMU_GENERATOR_ACTIVITY_REST)
    self->step_hz += (self->bout_step_hz * (1.0 + 0.02 * self->cadence_drift) - self->step_hz) * dt / tau_step;

  self->phase += 2.0 * G_PI * self->step_hz * dt;
  if (self->phase >= 2.0 * G_PI)
    {
      /* A new step: each one lands a little differently. */
      self->phase = fmod (self->phase, 2.0 * G_PI);
      self->odd_step = !self->odd_step;
      self->step_amp = CLAMP (1.0 + 0.08 * rng_gauss (rng), 0.75, 1.25);
    }

  self->breath_phase += 2.0 * G_PI * (0.25 + 0.25 * self->w_walk + 0.45 * self->w_run) * dt;
  if (self->breath_phase >= 2.0 * G_PI)
    self->breath_phase -= 2.0 * G_PI;

  follower_step (&self->pitch, self->target_pitch, tau_posture, dt);
  follower_step (&self->roll, self->target_roll, tau_posture, dt);

  /* Turns: a smooth random yaw rate, lively while moving, nearly still at rest. */
  heading_sigma = 0.01 + 0.2 * (self->w_walk + self->w_run);
  self->heading_rate += -self->heading_rate * dt / tau_heading
                        + heading_sigma * sqrt (2.0 * dt / tau_heading) * rng_gauss (rng);
  self->heading = fmod (self->heading + self->heading_rate * dt, 2.0 * G_PI);
}

/* Rotates @f (in the frame that the sensor's yaw @sy/@cy, pitch and roll
 * are relative to) into the sensor frame: f_S = Rx(φ)ᵀ Ry(θ)ᵀ Rz(ψ)ᵀ f. */
static inline void
to_sensor (const double f[3],
           double sy, double cy,
           double sp, double cp,
           double sr, double cr,
           double out[3])
{
  double ux = cy * f[0] + sy * f[1];
  double uy = -sy * f[0] + cy * f[1];
  double uz = f[2];
  double vx = cp * ux - sp * uz;
  double vz = sp * ux + cp * uz;

  out[0] = vx;
  out[1] = cr * uy + sr * vz;
  out[2] = -sr * uy + cr * vz;
}

ImuGenerator *
imu_generator_new (guint64   seed,
                   double    rate_hz,
                   gint64    start_ns,
                   GError  **error)
{
  g_autoptr(ImuGenerator) self = NULL;
  double period_us;

  if (!(rate_hz >= IMU_GENERATOR_MIN_RATE_HZ && rate_hz <= IMU_GENERATOR_MAX_RATE_HZ))
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("Sample rate %g Hz is out of range: use %g to %g Hz"),
                   rate_hz, IMU_GENERATOR_MIN_RATE_HZ, IMU_GENERATOR_MAX_RATE_HZ);
      return NULL;
    }
  if (start_ns < 0)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("Start time is before 1970: use a time after the Unix epoch"));
      return NULL;
    }

  self = g_new0 (ImuGenerator, 1);
  rng_seed (&self->rng, seed);
  self->rate_hz = rate_hz;
  self->dt = 1.0 / rate_hz;
  self->n_sub = (guint) MAX (1.0, ceil (self->dt / MAX_SUBSTEP_S));
  self->sub_dt = self->dt / self->n_sub;
  self->start_us = start_ns / 1000;

  /* Jitter stays well inside half a period so that times strictly increase. */
  period_us = 1e6 / rate_hz;
  self->jitter_max_us = (int) MIN ((double) JITTER_MAX_US, floor ((period_us - 2.0) / 2.0));
  self->jitter_max_us = MAX (self->jitter_max_us, 0);

  self->step_amp = 1.0;
  self->step_hz = 1.9;
  self->bout_step_hz = 1.9;
  self->mount_yaw = rng_range (&self->rng, -10, 10) * DEG;
  self->heading = rng_range (&self->rng, 0, 2.0 * G_PI);
  for (guint i = 0; i < 3; i++)
    {
      self->acc_bias[i] = rng_range (&self->rng, -ACCEL_BIAS_G, ACCEL_BIAS_G);
      self->gyr_bias[i] = rng_range (&self->rng, -GYRO_BIAS_DPS, GYRO_BIAS_DPS);
      self->hard_iron[i] = rng_range (&self->rng, -MAG_HARD_IRON_UT, MAG_HARD_IRON_UT);
    }

  return g_steal_pointer (&self);
}

void
imu_generator_free (ImuGenerator *self)
{
  if (self == NULL)
    return;
  g_free (self->script);
  g_free (self);
}

void
imu_generator_set_script (ImuGenerator           *self,
                          const ImuGeneratorBout *bouts,
                          guint                   n_bouts)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (bouts != NULL || n_bouts == 0);
  g_return_if_fail (self->index == 0);

  g_free (self->script);
  self->script = n_bouts > 0 ? g_memdup2 (bouts, n_bouts * sizeof *bouts) : NULL;
  self->n_script = n_bouts;
  self->script_pos = 0;
}

ImuGeneratorActivity
imu_generator_get_activity (ImuGenerator *self)
{
  g_return_val_if_fail (self != NULL, IMU_GENERATOR_ACTIVITY_REST);

  return self->activity;
}

gint64
imu_generator_next (ImuGenerator *self,
                    double        acc[3],
                    double        gyr[3])
{
  Rng *rng = &self->rng;
  double t_s, f_step, w_walk, w_run, dw_walk, dw_run, amp;
  double s_half, c_half, s_p, c_p, s_2p, c_2p;
  double roll, pitch, yaw, droll, dpitch, dyaw;
  double g_a, g_ac, walk_s, walk_c, run_s, run_c, yaw_s, yaw_c;
  double lin[3], f[3], body[3];
  double sr, cr, sp, cp, sy, cy, speed;
  gint64 base_us;
  int jitter_us;

  g_return_val_if_fail (self != NULL, 0);

  /* The slow state first: ends at this sample's nominal time. */
  t_s = (double) self->index * self->dt;
  if (self->index == 0)
    {
      self->bout_end_s = 0;
      next_bout (self);
    }
  else
    {
      for (guint i = 1; i <= self->n_sub; i++)
        advance (self, t_s - self->dt + i * self->sub_dt, self->sub_dt);
    }

  f_step = self->step_hz;
  w_walk = self->w_walk;
  w_run = self->w_run;
  dw_walk = self->dw_walk;
  dw_run = self->dw_run;
  amp = self->step_amp;

  /* Stride phase q = (p + 2π·odd)/2: left and right steps mirror. */
  s_half = sin (self->phase / 2.0);
  c_half = cos (self->phase / 2.0);
  if (self->odd_step)
    {
      s_half = -s_half;
      c_half = -c_half;
    }
  s_p = 2.0 * s_half * c_half;
  c_p = c_half * c_half - s_half * s_half;
  s_2p = 2.0 * s_p * c_p;
  c_2p = c_p * c_p - s_p * s_p;

  /* Angles (radians) and their rates (rad/s). Gait sways the trunk: roll
   * and yaw at the stride frequency, pitch at the step frequency. */
  g_a = 3.0 * DEG * w_walk + 4.0 * DEG * w_run;       /* roll amplitude */
  g_ac = 3.0 * DEG * dw_walk + 4.0 * DEG * dw_run;    /* its rate */
  roll = self->roll.x + g_a * s_half;
  droll = self->roll.v + g_ac * s_half + g_a * G_PI * f_step * c_half;

  /* sin/cos(p + 0.6) and (p + 0.9) by angle addition. */
  walk_s = s_p * 0.8253356149096783 + c_p * 0.5646424733950354;
  walk_c = c_p * 0.8253356149096783 - s_p * 0.5646424733950354;
  run_s = s_p * 0.6216099682706644 + c_p * 0.7833269096274834;
  run_c = c_p * 0.6216099682706644 - s_p * 0.7833269096274834;
  pitch = self->pitch.x
          + 0.4 * DEG * sin (self->breath_phase)
          + 1.5 * DEG * w_walk * walk_s + 2.5 * DEG * w_run * run_s;
  dpitch = self->pitch.v
           + 0.4 * DEG * 2.0 * G_PI * (0.25 + 0.25 * w_walk + 0.45 * w_run) * cos (self->breath_phase)
           + 1.5 * DEG * (dw_walk * walk_s + w_walk * 2.0 * G_PI * f_step * walk_c)
           + 2.5 * DEG * (dw_run * run_s + w_run * 2.0 * G_PI * f_step * run_c);

  /* sin/cos(q + 0.4). */
  yaw_s = s_half * 0.9210609940028851 + c_half * 0.3894183423086505;
  yaw_c = c_half * 0.9210609940028851 - s_half * 0.3894183423086505;
  g_a = 4.0 * DEG * w_walk + 6.0 * DEG * w_run;
  g_ac = 4.0 * DEG * dw_walk + 6.0 * DEG * dw_run;
  yaw = self->mount_yaw + g_a * yaw_s;
  dyaw = g_ac * yaw_s + g_a * G_PI * f_step * yaw_c + self->heading_rate;

  /* Linear acceleration of the trunk in the heading frame (x forward,
   * y left, z up), in g. */
  lin[0] = w_walk * amp * 0.12 * (s_p * 0.9210609940028851 + c_p * 0.3894183423086505 + 0.4 * s_2p);
  lin[1] = w_walk * amp * 0.07 * s_half;
  lin[2] = w_walk * amp * 0.22 * (c_p + 0.3 * (c_2p * 0.8775825618903728 - s_2p * 0.479425538604203));
  if (w_run > 1e-4)
    {
      /* Running: a stance phase whose vertical force averages 1 g over the
       * step, a flight phase near free fall, and a ringing impact peak at
       * foot strike. */
      const double peak = (1.0 - (1.0 - RUN_STANCE) * RUN_FLIGHT_G) * G_PI / (2.0 * RUN_STANCE);
      double u = self->phase / (2.0 * G_PI);
      double since_strike_s = u / f_step;
      double vertical, forward, impact = 0;

      if (u < RUN_STANCE)
        {
          vertical = amp * peak * sin (G_PI * u / RUN_STANCE);
          forward = -0.6 * amp * sin (2.0 * G_PI * u / RUN_STANCE);
        }
      else
        {
          vertical = RUN_FLIGHT_G;
          forward = 0;
        }
      if (since_strike_s < 0.12)
        impact = 2.0 * amp * exp (-since_strike_s / 0.012) * sin (2.0 * G_PI * 40.0 * since_strike_s);

      lin[0] += w_run * (forward - 0.4 * impact);
      lin[1] += w_run * amp * 0.25 * s_half;
      lin[2] += w_run * (vertical - 1.0 + impact);
    }

  /* Turning pulls the trunk towards the centre of the turn. */
  speed = 1.4 * w_walk + 3.3 * w_run;
  lin[1] += speed * self->heading_rate / STANDARD_GRAVITY;

  sr = sin (roll);
  cr = cos (roll);
  sp = sin (pitch);
  cp = cos (pitch);
  sy = sin (yaw);
  cy = cos (yaw);

  f[0] = lin[0];
  f[1] = lin[1];
  f[2] = lin[2] + 1.0;
  to_sensor (f, sy, cy, sp, cp, sr, cr, acc);

  /* Body rates of a ZYX (yaw, pitch, roll) orientation. */
  body[0] = droll - dyaw * sp;
  body[1] = dpitch * cr + dyaw * cp * sr;
  body[2] = -dpitch * sr + dyaw * cp * cr;

  for (guint i = 0; i < 3; i++)
    {
      acc[i] = CLAMP (acc[i] + self->acc_bias[i] + ACCEL_NOISE_G * rng_gauss (rng),
                      -ACCEL_RANGE_G, ACCEL_RANGE_G);
      gyr[i] = CLAMP (body[i] / DEG + self->gyr_bias[i] + GYRO_NOISE_DPS * rng_gauss (rng),
                      -GYRO_RANGE_DPS, GYRO_RANGE_DPS);
    }

  self->last_roll = roll;
  self->last_pitch = pitch;
  self->last_yaw = yaw + self->heading;

  /* The clock: the nominal grid plus a little jitter, never out of order. */
  base_us = (gint64) llround ((double) self->index * 1e6 / self->rate_hz);
  jitter_us = (int) lround (JITTER_STD_US * rng_gauss (rng));
  jitter_us = CLAMP (jitter_us, -self->jitter_max_us, self->jitter_max_us);
  /* The device's clock starts the recording: the first sample is exactly
   * at the start, so that the session starts where its events say. */
  if (self->index == 0)
    jitter_us = 0;
  self->index++;

  return (self->start_us + base_us + jitter_us) * 1000;
}

void
imu_generator_get_mag (ImuGenerator *self,
                       double        mag[3])
{
  static const double earth[3] = { MAG_NORTH_UT, 0.0, -MAG_DOWN_UT };

  g_return_if_fail (self != NULL);

  to_sensor (earth,
             sin (self->last_yaw), cos (self->last_yaw),
             sin (self->last_pitch), cos (self->last_pitch),
             sin (self->last_roll), cos (self->last_roll),
             mag);
  for (guint i = 0; i < 3; i++)
    mag[i] += self->hard_iron[i] + MAG_NOISE_UT * rng_gauss (&self->rng);
}

gint64
imu_generator_count_samples (gint64 duration_ns,
                             double rate_hz)
{
  if (duration_ns <= 0 || !(rate_hz > 0))
    return 0;
  /* The small epsilon absorbs the rounding of rates like 33.333… Hz. */
  return (gint64) floor ((double) duration_ns * rate_hz / 1e9 + 1e-9);
}

/* ------------------------------------------------------------------- CSV */

static inline char *
put_uint (char    *p,
          guint64  v)
{
  char tmp[24];
  int n = 0;

  do
    {
      tmp[n++] = (char) ('0' + v % 10);
      v /= 10;
    }
  while (v != 0);
  while (n > 0)
    *p++ = tmp[--n];
  return p;
}

/* Writes @units / 10^@decimals with exactly @decimals digits. */
static inline char *
put_fixed (char    *p,
           gint64   units,
           int      decimals,
           guint64  scale)
{
  guint64 u, frac;

  if (units < 0)
    {
      *p++ = '-';
      u = (guint64) -units;
    }
  else
    u = (guint64) units;

  p = put_uint (p, u / scale);
  *p++ = '.';
  frac = u % scale;
  for (int i = decimals - 1; i >= 0; i--)
    {
      p[i] = (char) ('0' + frac % 10);
      frac /= 10;
    }
  return p + decimals;
}

static gboolean
flush_buffer (GOutputStream  *out,
              const char     *buf,
              gsize           len,
              GCancellable   *cancellable,
              GError        **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!g_output_stream_write_all (out, buf, len, NULL, cancellable, error))
    {
      g_prefix_error (error, _("Cannot write the generated CSV: "));
      return FALSE;
    }
  return TRUE;
}

gboolean
imu_generator_write_csv (GOutputStream                 *out,
                         const ImuGeneratorCsvOptions  *options,
                         ImuProgressFunc                progress,
                         gpointer                       progress_data,
                         GCancellable                  *cancellable,
                         GError                       **error)
{
  g_autoptr(ImuGenerator) gen = NULL;
  g_autofree char *buf = NULL;
  char sec_text[24];
  gsize sec_len = 0;
  gint64 cached_sec = -1;
  gint64 n_rows;
  char *p;

  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);
  g_return_val_if_fail (options != NULL, FALSE);

  if (options->duration_ns < 0)
    {
      g_set_error (error, IMU_GENERATOR_ERROR, IMU_GENERATOR_ERROR_INVALID_ARGUMENT,
                   _("Duration is negative: give a length of zero or more"));
      return FALSE;
    }

  gen = imu_generator_new (options->seed, options->rate_hz, options->start_ns, error);
  if (gen == NULL)
    return FALSE;

  n_rows = imu_generator_count_samples (options->duration_ns, options->rate_hz);
  buf = g_malloc (CSV_BUF_SIZE);
  p = buf;
  memcpy (p, IMU_GENERATOR_CSV_HEADER "\n", strlen (IMU_GENERATOR_CSV_HEADER "\n"));
  p += strlen (IMU_GENERATOR_CSV_HEADER "\n");

  for (gint64 row = 0; row < n_rows; row++)
    {
      double acc[3], gyr[3];
      gint64 t_us = imu_generator_next (gen, acc, gyr) / 1000;
      gint64 sec = t_us / 1000000;

      /* The seconds change once every rate_hz rows: format them once. */
      if (sec != cached_sec)
        {
          sec_len = (gsize) (put_uint (sec_text, (guint64) sec) - sec_text);
          cached_sec = sec;
        }
      memcpy (p, sec_text, sec_len);
      p += sec_len;
      *p++ = '.';
      {
        gint64 frac = t_us % 1000000;

        for (int i = 5; i >= 0; i--)
          {
            p[i] = (char) ('0' + frac % 10);
            frac /= 10;
          }
        p += 6;
      }
      for (guint i = 0; i < 3; i++)
        {
          *p++ = ',';
          p = put_fixed (p, (gint64) llround (acc[i] * 1e5), 5, 100000);
        }
      for (guint i = 0; i < 3; i++)
        {
          *p++ = ',';
          p = put_fixed (p, (gint64) llround (gyr[i] * 1e3), 3, 1000);
        }
      *p++ = '\n';

      if ((gsize) (p - buf) > CSV_BUF_SIZE - CSV_MAX_ROW)
        {
          if (!flush_buffer (out, buf, (gsize) (p - buf), cancellable, error))
            return FALSE;
          p = buf;
          if (progress != NULL)
            progress ((guint64) row + 1, (guint64) n_rows, progress_data);
        }
    }

  if (!flush_buffer (out, buf, (gsize) (p - buf), cancellable, error))
    return FALSE;
  if (progress != NULL)
    progress ((guint64) n_rows, (guint64) n_rows, progress_data);
  return TRUE;
}

/* ------------------------------------------------------------------ demo */

/* 2024-03-12 17:30:00 UTC, a Tuesday evening session (18:30 in Berlin). */
#define DEMO_START_NS   (G_GINT64_CONSTANT (1710264600) * G_GINT64_CONSTANT (1000000000))
#define DEMO_TZ_OFFSET  3600
#define DEMO_RATE_HZ    100.0
#define DEMO_MAG_EVERY  4        /* 25 Hz */
#define DEMO_INTERVALS  6
#define DEMO_RUN_S      120.0
#define DEMO_RECOVER_S  90.0
#define DEMO_REST_S     120.0
#define DEMO_WARMUP_S   480.0
#define DEMO_COOLDOWN_S 600.0
#define DEMO_STRETCH_S  330.0

gint64
imu_generator_find_demo_session (ImuStore  *store,
                                 GError   **error)
{
  g_autoptr(GPtrArray) sessions = NULL;

  g_return_val_if_fail (IMU_IS_STORE (store), -1);

  sessions = imu_store_list_sessions (store, NULL, IMU_SESSION_SORT_DATE_ASC, error);
  if (sessions == NULL)
    return -1;
  for (guint i = 0; i < sessions->len; i++)
    {
      ImuSession *session = g_ptr_array_index (sessions, i);

      if (g_strcmp0 (imu_session_get_origin (session), "generated") == 0
          && g_strcmp0 (imu_session_get_origin_path (session), IMU_GENERATOR_DEMO_ORIGIN_PATH) == 0)
        return imu_session_get_id (session);
    }
  return 0;
}

static ImuStreamInfo *
demo_stream_info (gint64       session_id,
                  const char  *name,
                  const char  *kind,
                  const char  *prefix,
                  const char  *unit,
                  double       rate_hz,
                  int          decimals,
                  double       range)
{
  ImuStreamInfo *info = imu_stream_info_new (name, 3);
  static const char axes[] = "xyz";

  info->session_id = session_id;
  info->kind = g_strdup (kind);
  info->nominal_rate_hz = rate_hz;
  info->time_format.kind = IMU_TIME_EPOCH_S;
  info->time_format.decimals = IMU_GENERATOR_TIME_DECIMALS;
  info->time_format.column = g_strdup ("timestamp");
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *channel = g_strdup_printf ("%s_%c", prefix, axes[i]);

      imu_stream_info_set_channel (info, i, channel, unit, kind);
      info->channels[i].decimals = decimals;
      info->channels[i].range_min = -range;
      info->channels[i].range_max = range;
    }
  return info;
}

static ImuStreamWriter *
demo_writer_new (ImuStore       *store,
                 ImuStreamInfo  *info,
                 GError        **error)
{
  ImuStreamWriter *writer = imu_stream_writer_new (store, info, error);

  if (writer == NULL)
    return NULL;
  for (guint i = 0; i < info->n_channels; i++)
    imu_stream_writer_set_decimals (writer, i, info->channels[i].decimals);
  return writer;
}

/* Rounds to the decimals the stream declares, as a device or CSV would. */
static inline double
quantize (double value,
          double scale)
{
  return (double) llround (value * scale) / scale;
}

static gboolean
add_demo_event (ImuStore    *store,
                gint64       session_id,
                double       at_s,
                double       duration_s,
                const char  *kind,
                const char  *label,
                const char  *payload_json,
                GError     **error)
{
  g_autoptr(ImuEvent) event = imu_event_new (DEMO_START_NS + (gint64) (at_s * 1e9), kind, label);

  event->session_id = session_id;
  event->duration_ns = (gint64) (duration_s * 1e9);
  event->payload_json = g_strdup (payload_json);
  return imu_store_add_event (store, event, error);
}

static gboolean
write_demo_events (ImuStore  *store,
                   gint64     session_id,
                   GError   **error)
{
  double t = DEMO_REST_S;
  double interval_start_s[DEMO_INTERVALS];

  if (!add_demo_event (store, session_id, t, DEMO_WARMUP_S, "marker", _("Warm-up"), NULL, error))
    return FALSE;
  t += DEMO_WARMUP_S;

  for (guint i = 0; i < DEMO_INTERVALS; i++)
    {
      g_autofree char *label = g_strdup_printf (_("Interval %u"), i + 1);
      g_autofree char *payload = g_strdup_printf ("{\"interval\":%u,\"target\":\"run\"}", i + 1);

      interval_start_s[i] = t;
      if (!add_demo_event (store, session_id, t, DEMO_RUN_S, "marker", label, payload, error))
        return FALSE;
      t += DEMO_RUN_S + (i + 1 < DEMO_INTERVALS ? DEMO_RECOVER_S : 0);
    }

  if (!add_demo_event (store, session_id, t, DEMO_COOLDOWN_S, "marker", _("Cool-down"), NULL, error))
    return FALSE;
  t += DEMO_COOLDOWN_S;
  if (!add_demo_event (store, session_id, t, DEMO_STRETCH_S, "marker", _("Stretching"), NULL, error))
    return FALSE;

  /* A coach's remark near the end of the fourth run. */
  return add_demo_event (store, session_id, interval_start_s[3] + DEMO_RUN_S - 20.0, 0, "note",
                         _("Cadence dropped in the last 20 s of this interval: watch for fatigue."),
                         "{\"author\":\"Coach\"}", error);
}

static gboolean
write_demo_samples (ImuStore      *store,
                    gint64         session_id,
                    gint64        *t_first,
                    gint64        *t_last,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(ImuGenerator) gen = NULL;
  g_autoptr(ImuStreamInfo) acc_info = NULL;
  g_autoptr(ImuStreamInfo) gyr_info = NULL;
  g_autoptr(ImuStreamInfo) mag_info = NULL;
  g_autoptr(ImuStreamWriter) acc_writer = NULL;
  g_autoptr(ImuStreamWriter) gyr_writer = NULL;
  g_autoptr(ImuStreamWriter) mag_writer = NULL;
  g_autoptr(GArray) script = g_array_new (FALSE, TRUE, sizeof (ImuGeneratorBout));
  ImuGeneratorBout bout;
  double total_s = 0;
  gint64 n_samples;

  /* Standing still, warm-up walk, runs with walking recoveries, cool-down
   * walk, stretching on the floor. */
  bout = (ImuGeneratorBout) { IMU_GENERATOR_ACTIVITY_REST, DEMO_REST_S, 2.0 };
  g_array_append_val (script, bout);
  bout = (ImuGeneratorBout) { IMU_GENERATOR_ACTIVITY_WALK, DEMO_WARMUP_S, 0 };
  g_array_append_val (script, bout);
  for (guint i = 0; i < DEMO_INTERVALS; i++)
    {
      bout = (ImuGeneratorBout) { IMU_GENERATOR_ACTIVITY_RUN, DEMO_RUN_S, 0 };
      g_array_append_val (script, bout);
      if (i + 1 < DEMO_INTERVALS)
        {
          bout = (ImuGeneratorBout) { IMU_GENERATOR_ACTIVITY_WALK, DEMO_RECOVER_S, 0 };
          g_array_append_val (script, bout);
        }
    }
  bout = (ImuGeneratorBout) { IMU_GENERATOR_ACTIVITY_WALK, DEMO_COOLDOWN_S, 0 };
  g_array_append_val (script, bout);
  bout = (ImuGeneratorBout) { IMU_GENERATOR_ACTIVITY_REST, DEMO_STRETCH_S, -80.0 };
  g_array_append_val (script, bout);
  for (guint i = 0; i < script->len; i++)
    total_s += g_array_index (script, ImuGeneratorBout, i).duration_s;

  gen = imu_generator_new (IMU_GENERATOR_DEMO_SEED, DEMO_RATE_HZ, DEMO_START_NS, error);
  if (gen == NULL)
    return FALSE;
  imu_generator_set_script (gen, (const ImuGeneratorBout *) (gpointer) script->data, script->len);

  acc_info = demo_stream_info (session_id, "accelerometer", "accel", "acc", "g",
                               DEMO_RATE_HZ, IMU_GENERATOR_ACCEL_DECIMALS, ACCEL_RANGE_G);
  gyr_info = demo_stream_info (session_id, "gyroscope", "gyro", "gyr", "deg/s",
                               DEMO_RATE_HZ, IMU_GENERATOR_GYRO_DECIMALS, GYRO_RANGE_DPS);
  mag_info = demo_stream_info (session_id, "magnetometer", "mag", "mag", "µT",
                               DEMO_RATE_HZ / DEMO_MAG_EVERY, IMU_GENERATOR_MAG_DECIMALS, 4900.0);
  if ((acc_writer = demo_writer_new (store, acc_info, error)) == NULL
      || (gyr_writer = demo_writer_new (store, gyr_info, error)) == NULL
      || (mag_writer = demo_writer_new (store, mag_info, error)) == NULL)
    return FALSE;

  n_samples = imu_generator_count_samples ((gint64) (total_s * 1e9), DEMO_RATE_HZ);
  for (gint64 i = 0; i < n_samples; i++)
    {
      double acc[3], gyr[3];
      gint64 t_ns = imu_generator_next (gen, acc, gyr);

      for (guint c = 0; c < 3; c++)
        {
          acc[c] = quantize (acc[c], 1e5);
          gyr[c] = quantize (gyr[c], 1e3);
        }
      if (!imu_stream_writer_append (acc_writer, t_ns, acc, error)
          || !imu_stream_writer_append (gyr_writer, t_ns, gyr, error))
        return FALSE;

      if (i % DEMO_MAG_EVERY == 0)
        {
          double mag[3];

          imu_generator_get_mag (gen, mag);
          for (guint c = 0; c < 3; c++)
            mag[c] = quantize (mag[c], 1e2);
          if (!imu_stream_writer_append (mag_writer, t_ns, mag, error))
            return FALSE;
        }

      if (i == 0)
        *t_first = t_ns;
      *t_last = t_ns;

      if (i % IMU_CHUNK_SAMPLES == 0 && g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }

  return imu_stream_writer_finish (acc_writer, error)
         && imu_stream_writer_finish (gyr_writer, error)
         && imu_stream_writer_finish (mag_writer, error);
}

gint64
imu_generator_create_demo_session (ImuStore      *store,
                                   gboolean      *created,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(ImuSession) session = NULL;
  const char * const tags[] = { "demo", "intervals", "running", NULL };
  gint64 existing, session_id, t_first = 0, t_last = 0;

  g_return_val_if_fail (IMU_IS_STORE (store), 0);

  if (created != NULL)
    *created = FALSE;

  existing = imu_generator_find_demo_session (store, error);
  if (existing < 0)
    return 0;
  if (existing > 0)
    return existing;

  session = imu_session_new ();
  imu_session_set_title (session, _("Interval training"));
  imu_session_set_subject (session, _("Sam Rivera (demo athlete)"));
  imu_session_set_activity (session, _("Running"));
  imu_session_set_tags (session, tags);
  imu_session_set_notes (session,
                         _("Generated by IMU Studio: a chest-worn sensor during 8 minutes of "
                           "warm-up walking, six 2-minute runs with 90-second walking recoveries, "
                           "a 10-minute cool-down and stretching on the floor."));
  g_object_set (session,
                "origin", "generated",
                "origin-path", IMU_GENERATOR_DEMO_ORIGIN_PATH,
                "device-vendor", "IMU Studio",
                "device-model", "Demo generator",
                "device-serial", "DEMO-0001",
                "device-firmware", IMU_VERSION,
                "frame", "sensor",
                "nominal-rate", DEMO_RATE_HZ,
                "tz-offset", DEMO_TZ_OFFSET,
                "start-ns", DEMO_START_NS,
                "end-ns", DEMO_START_NS,
                "state", (int) IMU_SESSION_STATE_COMPLETE,
                NULL);

  if (!imu_store_begin (store, error))
    return 0;

  if (!imu_store_insert_session (store, session, error))
    goto fail;
  session_id = imu_session_get_id (session);

  if (!write_demo_samples (store, session_id, &t_first, &t_last, cancellable, error)
      || !write_demo_events (store, session_id, error))
    goto fail;

  g_object_set (session, "start-ns", t_first, "end-ns", t_last, NULL);
  if (!imu_store_update_session (store, session, error)
      || !imu_store_commit (store, error))
    goto fail;

  if (created != NULL)
    *created = TRUE;
  return session_id;

fail:
  imu_store_rollback (store);
  if (error != NULL && *error != NULL && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_prefix_error (error, _("Cannot create the demo session: "));
  return 0;
}

typedef struct {
  gint64   session_id;
  gboolean created;
} DemoResult;

static void
create_demo_worker (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  const char *library_path = task_data;
  g_autoptr(ImuStore) store = NULL;
  g_autoptr(GError) error = NULL;
  DemoResult *result;

  store = imu_store_open (library_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = g_new0 (DemoResult, 1);
  result->session_id = imu_generator_create_demo_session (store, &result->created, cancellable, &error);
  if (result->session_id <= 0)
    {
      g_free (result);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, result, g_free);
}

void
imu_generator_create_demo_session_async (const char          *library_path,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (library_path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, imu_generator_create_demo_session_async);
  g_task_set_task_data (task, g_strdup (library_path), g_free);
  g_task_run_in_thread (task, create_demo_worker);
}

gint64
imu_generator_create_demo_session_finish (GAsyncResult  *result,
                                          gboolean      *created,
                                          GError       **error)
{
  g_autofree DemoResult *demo = NULL;

  g_return_val_if_fail (g_task_is_valid (result, NULL), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == imu_generator_create_demo_session_async, 0);

  if (created != NULL)
    *created = FALSE;
  demo = g_task_propagate_pointer (G_TASK (result), error);
  if (demo == NULL)
    return 0;
  if (created != NULL)
    *created = demo->created;
  return demo->session_id;
}
