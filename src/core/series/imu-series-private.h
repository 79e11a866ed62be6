/* imu-series-private.h — what the series module's files share of ImuSeries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-series.h"
#include "imu-store-private.h"

G_BEGIN_DECLS

/* The store the series reads on (borrowed). */
ImuStore  *imu_series_get_store (ImuSeries *self);

G_END_DECLS
