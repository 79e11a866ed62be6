/* imu-core.h — the public API of libimu-core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-codec.h"
#include "imu-number.h"
#include "imu-stream-info.h"
#include "imu-session.h"
#include "imu-store.h"
#include "imu-store-ops.h"
#include "imu-stream-writer.h"
#include "imu-series.h"
#include "imu-chunk.h"
#include "imu-chunk-cursor.h"
#include "imu-import.h"
#include "imu-export-csv.h"
#include "imu-event-file.h"
#include "imu-session-time.h"
#include "imu-compare.h"
#include "imu-comparison-store.h"
#include "imu-profile.h"
#include "imu-recorder.h"
#include "imu-record-source.h"
#include "imu-record-qr.h"
