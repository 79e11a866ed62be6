/* imu-finding-titles.c — a person's name for each finding code
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Finding codes (docs/profile.md, docs/import.md) are stable identifiers
 * for scripts; a person reads a title. Both faces show the title first and
 * keep the code as a detail.
 */
#define G_LOG_DOMAIN "imu-profile"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-profile.h"

static const struct {
  const char *code;
  const char *title;
} titles[] = {
  /* Time base */
  { "W_GAP",                     N_("Gaps in time") },
  { "W_JITTER",                  N_("Irregular sample intervals") },
  { "W_RATE_MISMATCH",           N_("Rate differs from the stated rate") },
  { "W_DUPLICATE_TIME",          N_("Repeated timestamps") },
  { "E_TIME_BACKWARDS",          N_("Time goes backwards") },
  { "W_TIME_BACKWARDS",          N_("Time goes backwards") },
  /* Values */
  { "E_NONFINITE",               N_("Values that are not numbers") },
  { "I_NONFINITE",               N_("NaN or infinity written in the file") },
  { "W_CLIPPING",                N_("Clipping at the sensor range") },
  { "W_FLATLINE",                N_("Flat lines") },
  { "W_OUTLIER",                 N_("Outliers") },
  { "I_APPROXIMATE_PERCENTILES", N_("Percentiles are approximate") },
  { "I_HEAVY_TAILS",             N_("Heavy-tailed distribution") },
  { "I_UNIT_UNKNOWN",            N_("Unit not known") },
  /* Movement */
  { "W_CALIBRATION",             N_("Calibration error") },
  { "I_NO_STATIC_PERIODS",       N_("No still periods to check calibration") },
  { "W_NONWEAR",                 N_("Device not worn") },
  { "I_NONWEAR_NOT_EVALUATED",   N_("Wear time not evaluated") },
  { "I_GRAVITY_REMOVED",         N_("Gravity already removed") },
  { "I_PEAKS",                   N_("Peaks") },
  { "I_EPOCHS_TRUNCATED",        N_("Too many epochs: some left out") },
  /* Import (the lines of the source file) */
  { "E_NUMERIC_FORMAT",          N_("Values that could not be read") },
  { "E_COLUMN_COUNT",            N_("Lines with the wrong number of fields") },
  { "E_TIME_PARSE",              N_("Times that could not be read") },
  { "E_TIME_RANGE",              N_("Times outside 1900–2190") },
  { "E_UTF8",                    N_("Lines that are not valid UTF-8") },
  { "W_EMPTY_FIELD",             N_("Empty fields") },
  { "W_LABEL_CHANGED",           N_("A label column changes its value") },
  { "I_TIME_UNIT_INFERRED",      N_("Time unit inferred from the sample rate") },
  { "W_UNIT_MISMATCH",           N_("The data contradict the stated unit") },
  /* Import (device files: blocks, records, pages) */
  { "W_CORRUPT_BLOCK",           N_("Damaged blocks skipped") },
  { "W_TRUNCATED",               N_("The file ends early") },
  { "E_PAGE_HEADER",             N_("Pages whose header could not be read") },
  { "E_HEX_DATA",                N_("Pages with unreadable data") },
  { "W_PAGE_SAMPLES",            N_("Pages with an unusual number of samples") },
  { "W_CORRUPT_RECORD",          N_("Damaged records skipped") },
  { "W_TRUNCATED_RECORD",        N_("The log ends inside a record") },
  { "W_BAD_RECORD",              N_("Records with impossible contents skipped") },
  { "W_RECORD_TIME",             N_("Records out of time order skipped") },
};

/**
 * imu_finding_code_title:
 * @code: a finding or import issue code ("W_GAP")
 *
 * Returns: the translated title of @code ("Gaps in time"), or @code
 *   itself when it has none (a code newer than this table). Thread-safe.
 */
const char *
imu_finding_code_title (const char *code)
{
  g_return_val_if_fail (code != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (titles); i++)
    if (strcmp (titles[i].code, code) == 0)
      return _(titles[i].title);
  return code;
}
