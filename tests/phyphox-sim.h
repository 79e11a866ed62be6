/* phyphox-sim.h — a phone running phyphox, as its remote interface answers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The phone's clock at the first start, seconds since 1970 (as /time gives it). */
#define PHYPHOX_SIM_T0 1700000000.123

typedef struct _PhyphoxSim PhyphoxSim;

/* A server on 127.0.0.1 (a port of its own), in a thread of its own. An
 * experiment with an accelerometer (accX, accY, accZ, acc_time; 100 Hz) and
 * a gyroscope (gyrX, gyrY, gyrZ, gyr_time; 50 Hz). @with_time: whether it
 * answers /time (phyphox 1.1.8 on) or 404. @measuring: already started. */
PhyphoxSim *phyphox_sim_new       (gboolean with_time,
                                   gboolean measuring);
void        phyphox_sim_free      (PhyphoxSim *sim);
char       *phyphox_sim_dup_url   (PhyphoxSim *sim);
/* The accelerometer has samples 0 … @n_acc − 1, the gyroscope n_acc / 2. */
void        phyphox_sim_feed      (PhyphoxSim *sim,
                                   guint       n_acc);
/* The user pauses (or starts again) at @experiment_time, when the phone's
 * clock reads @system_time: an event in /time, and status.measuring. */
void        phyphox_sim_pause     (PhyphoxSim *sim,
                                   double      experiment_time,
                                   double      system_time);
void        phyphox_sim_resume    (PhyphoxSim *sim,
                                   double      experiment_time,
                                   double      system_time);
/* The next /get answers a truncated JSON text. */
void        phyphox_sim_break_get (PhyphoxSim *sim);
/* How often /control?cmd=@cmd was called; how many broken answers went out. */
guint       phyphox_sim_count     (PhyphoxSim *sim,
                                   const char *cmd);
guint       phyphox_sim_broken    (PhyphoxSim *sim);

/* Sample i of each sensor, as the test knows them. */
#define PHYPHOX_SIM_ACC_T(i) ((i) / 100.0)
#define PHYPHOX_SIM_ACC_X(i) ((i) / 1000.0)
#define PHYPHOX_SIM_ACC_Y(i) (-(i) / 8.0)
#define PHYPHOX_SIM_ACC_Z(i) 9.81
#define PHYPHOX_SIM_GYR_T(j) ((j) / 50.0)
#define PHYPHOX_SIM_GYR_X(j) ((j) * 0.25)
#define PHYPHOX_SIM_GYR_Y(j) (-0.5)
#define PHYPHOX_SIM_GYR_Z(j) ((j) / 100.0)

G_END_DECLS
