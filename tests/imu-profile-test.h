/* imu-profile-test.h — helpers of the profiler's tests: sessions built
 * sample by sample, profile lookups, and checks against the JSON Schema
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "imu-profile.h"
#include "imu-store.h"

G_BEGIN_DECLS

/* A stream to write: @n samples at @t, @cols[c][i]; values are rounded to
 * @decimals (as a CSV with that many decimals would give them) unless
 * @decimals is -1. */
typedef struct {
  const char        *name;
  const char        *kind;          /* stream kind */
  double             rate_hz;       /* nominal, 0 unknown */
  guint              n_channels;
  const char *const *channel_names;
  const char        *unit;
  const char        *channel_kind;
  int                decimals;
  double             range;         /* > 0: sensor range ±range */
  gsize              n;
  const gint64      *t;
  double           **cols;
} PtStream;

/* 2024-03-12T17:30:00Z */
#define PT_T0 G_GINT64_CONSTANT (1710264600000000000)

/* Rounds like a decimal text with @decimals would parse. */
double      pt_round          (double v, int decimals);
gint64      pt_new_session    (ImuStore *store, const char *title);
gint64      pt_add_stream     (ImuStore *store, gint64 session_id, const PtStream *spec);
/* Regular timestamps: PT_T0 + i / rate. */
gint64     *pt_regular_times  (gsize n, double rate_hz);
double    **pt_columns_new    (guint n_channels, gsize n);
void        pt_columns_free   (double **cols, guint n_channels);

ImuProfile *pt_profile        (ImuStore *store, gint64 session_id, const ImuProfileOptions *options);
JsonObject *pt_root           (ImuProfile *profile);
JsonObject *pt_stream         (ImuProfile *profile, const char *name);
JsonObject *pt_channel        (ImuProfile *profile, const char *stream, const char *channel);
/* The finding with @code (and @stream / @channel when not NULL), or NULL. */
JsonObject *pt_finding        (ImuProfile *profile, const char *code, const char *stream, const char *channel);
guint       pt_count_code     (ImuProfile *profile, const char *code);
/* Asserts the finding's locations' sample indexes are exactly @indexes. */
void        pt_assert_indexes (JsonObject *finding, const gint64 *indexes, guint n);
double      pt_double         (JsonObject *object, const char *path);   /* "a/b/c" */
gint64      pt_int            (JsonObject *object, const char *path);

/* A Debian python3 with numpy, scipy and jsonschema, or NULL. */
const char *pt_python         (void);
/* Validates @profile against docs/profile.schema.json (with python3 and
 * jsonschema; a test message and no check when they are missing). */
void        pt_assert_valid   (ImuProfile *profile);
/* Runs @argv, returns stdout; asserts exit status 0. */
char       *pt_run            (const char * const *argv);

G_END_DECLS
