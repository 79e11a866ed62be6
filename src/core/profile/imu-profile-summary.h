/* imu-profile-summary.h — the key numbers of a profile as a CSV table, the
 * one `imu list --with-profile --csv` prints and the window's subject page
 * exports
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "imu-profile.h"
#include "imu-session.h"

G_BEGIN_DECLS

/* The header line (no line end): id, uuid, start, duration_s, title,
 * subject, movement_stream, the key numbers, errors, warnings, infos. */
const char *imu_profile_key_numbers_csv_header (void);

/**
 * imu_profile_key_numbers_append_csv:
 * @line: the text to append the row to (no line end is added)
 * @numbers: (nullable): the session's key numbers; %NULL for a session
 *   without a profile (empty numbers, zero findings)
 *
 * One CSV row of @session: the start in UTC (ISO 8601, empty when the
 * session has no date), numbers with the decimals `imu list` gives them,
 * an empty field for a number there is none of; fields quoted as
 * imu_csv_append_field() quotes them. Does not block.
 */
void        imu_profile_key_numbers_append_csv (GString                    *line,
                                                ImuSession                 *session,
                                                const ImuProfileKeyNumbers *numbers);

G_END_DECLS
