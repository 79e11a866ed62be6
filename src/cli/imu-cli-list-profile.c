/* imu-cli-list-profile.c — `imu list --with-profile`: each session with the
 * key numbers of its profile, as a table, JSON or CSV
 *
 * Sessions not profiled yet (or profiled by an older profiler, or before
 * their data changed) are profiled first, with a progress bar, and the
 * profile is stored as `imu profile` stores it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-cli-progress.h"
#include "imu-profile-summary.h"

/* "12.3", or "-" (table) / "" (CSV) for a number there is none of. */
static char *
format_number (double      value,
               int         decimals,
               const char *none)
{
  if (isnan (value))
    return g_strdup (none);
  return g_strdup_printf ("%.*f", decimals, value);
}

static void
add_number (JsonBuilder *b,
            const char  *name,
            double       value)
{
  json_builder_set_member_name (b, name);
  if (isnan (value))
    json_builder_add_null_value (b);
  else
    json_builder_add_double_value (b, value);
}

static JsonNode *
key_numbers_json (const ImuProfileKeyNumbers *k)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "movement_stream");
  if (k->movement_stream != NULL)
    json_builder_add_string_value (b, k->movement_stream);
  else
    json_builder_add_null_value (b);
  add_number (b, "enmo_mean_mg", k->enmo_mean_mg);
  json_builder_set_member_name (b, "intensity_minutes");
  json_builder_begin_object (b);
  add_number (b, "sedentary", k->sedentary_min);
  add_number (b, "light", k->light_min);
  add_number (b, "moderate", k->moderate_min);
  add_number (b, "vigorous", k->vigorous_min);
  json_builder_end_object (b);
  add_number (b, "peaks_per_minute", k->peaks_per_min);
  add_number (b, "wear_s", k->wear_s);
  json_builder_set_member_name (b, "findings");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "errors");
  json_builder_add_int_value (b, k->errors);
  json_builder_set_member_name (b, "warnings");
  json_builder_add_int_value (b, k->warnings);
  json_builder_set_member_name (b, "infos");
  json_builder_add_int_value (b, k->infos);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* One row, written by the core as the window's subject page writes it:
 * numbers with a full stop whatever the locale. */
static void
print_csv_row (ImuSession                 *session,
               const ImuProfileKeyNumbers *k)
{
  g_autoptr(GString) line = g_string_new (NULL);

  imu_profile_key_numbers_append_csv (line, session, k);
  printf ("%s\n", line->str);
}

enum {
  COL_ID, COL_DATE, COL_DURATION, COL_TITLE, COL_ENMO, COL_SEDENTARY, COL_LIGHT, COL_MODERATE,
  COL_VIGOROUS, COL_PEAKS, COL_WEAR, COL_FINDINGS, N_COLUMNS
};

static int
display_width (const char *s)
{
  int width = 0;

  for (const char *p = s; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_iszerowidth (g_utf8_get_char (p)))
      width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return width;
}

static void
print_table (GPtrArray *rows)
{
  int widths[N_COLUMNS] = { 0 };

  for (guint r = 0; r < rows->len; r++)
    for (int c = 0; c < N_COLUMNS; c++)
      widths[c] = MAX (widths[c], display_width (((char **) g_ptr_array_index (rows, r))[c]));
  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);
      g_autoptr(GString) line = g_string_new (NULL);

      for (int c = 0; c < N_COLUMNS; c++)
        {
          int pad = widths[c] - display_width (cells[c]);
          /* Text left, numbers right. */
          gboolean left = c == COL_TITLE || c == COL_DATE;

          if (c > 0)
            g_string_append (line, "  ");
          if (!left)
            for (int i = 0; i < pad; i++)
              g_string_append_c (line, ' ');
          g_string_append (line, cells[c]);
          if (left && c < N_COLUMNS - 1)
            for (int i = 0; i < pad; i++)
              g_string_append_c (line, ' ');
        }
      g_strchomp (line->str);
      printf ("%s\n", line->str);
    }
}

static char *
one_line_title (ImuSession *session)
{
  const char *title = imu_session_get_title (session);
  char *text = g_strdup (title != NULL ? title : "");
  int width = 0;

  g_strdelimit (text, "\r\n\t", ' ');
  for (char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if ((width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1) > 32)
      {
        *p = '\0';
        return g_strconcat (text, "…", NULL);
      }
  return text;
}

static char **
table_row (ImuSession                 *session,
           const ImuProfileKeyNumbers *k)
{
  char **cells = g_new0 (char *, N_COLUMNS + 1);

  cells[COL_ID] = g_strdup_printf ("%" PRId64, imu_session_get_id (session));
  /* The clock `imu list` and the window show the session on. */
  cells[COL_DATE] = imu_session_time_format (session, imu_session_get_start_ns (session), IMU_SESSION_TIME_ISO);
  cells[COL_DURATION] = imu_cli_format_duration (imu_session_get_duration_ns (session));
  cells[COL_TITLE] = one_line_title (session);
  if (k == NULL)
    {
      for (int c = COL_ENMO; c < N_COLUMNS; c++)
        cells[c] = g_strdup ("-");
      return cells;
    }
  cells[COL_ENMO] = format_number (k->enmo_mean_mg, 1, "-");
  cells[COL_SEDENTARY] = format_number (k->sedentary_min, 1, "-");
  cells[COL_LIGHT] = format_number (k->light_min, 1, "-");
  cells[COL_MODERATE] = format_number (k->moderate_min, 1, "-");
  cells[COL_VIGOROUS] = format_number (k->vigorous_min, 1, "-");
  cells[COL_PEAKS] = format_number (k->peaks_per_min, 1, "-");
  cells[COL_WEAR] = isnan (k->wear_s) ? g_strdup ("-")
                    : imu_cli_format_duration ((gint64) llround (k->wear_s * 1e9));
  /* Translators: findings of a profile in `imu list --with-profile`:
   * errors and warnings, "0 E / 2 W" */
  cells[COL_FINDINGS] = g_strdup_printf (_("%u E / %u W"), k->errors, k->warnings);
  return cells;
}

/**
 * imu_cli_list_with_profile:
 * @sessions: the sessions to list, in order
 * @format: "table", "json" or "csv"
 *
 * Returns: the exit status (IMU_CLI_EXIT_PARTIAL when a profile failed:
 *   its row has no numbers and the reason is on stderr)
 */
int
imu_cli_list_with_profile (ImuCli     *cli,
                           ImuStore   *store,
                           GPtrArray  *sessions,
                           const char *format)
{
  g_autoptr(JsonArray) json = NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  ImuProfileOptions options;
  gboolean csv = g_str_equal (format, "csv");
  gboolean any_failed = FALSE;

  imu_profile_options_init (&options);
  if (g_str_equal (format, "json"))
    json = json_array_new ();
  else if (csv)
    printf ("%s\n", imu_profile_key_numbers_csv_header ());
  else
    {
      char **header = g_new0 (char *, N_COLUMNS + 1);

      header[COL_ID] = g_strdup (_("ID"));
      header[COL_DATE] = g_strdup (_("DATE"));
      header[COL_DURATION] = g_strdup (_("DURATION"));
      header[COL_TITLE] = g_strdup (_("TITLE"));
      /* Translators: column headings of `imu list --with-profile`, kept short */
      header[COL_ENMO] = g_strdup (_("ENMO mg"));
      header[COL_SEDENTARY] = g_strdup (_("SED min"));
      header[COL_LIGHT] = g_strdup (_("LIGHT"));
      header[COL_MODERATE] = g_strdup (_("MOD"));
      header[COL_VIGOROUS] = g_strdup (_("VIG"));
      header[COL_PEAKS] = g_strdup (_("PEAKS/min"));
      header[COL_WEAR] = g_strdup (_("WORN"));
      header[COL_FINDINGS] = g_strdup (_("FINDINGS"));
      g_ptr_array_add (rows, header);
    }

  for (guint i = 0; i < sessions->len; i++)
    {
      ImuSession *session = g_ptr_array_index (sessions, i);
      g_autoptr(ImuCliProgress) progress = NULL;
      g_autoptr(ImuProfile) profile = NULL;
      g_autoptr(GError) error = NULL;
      ImuProfileKeyNumbers k = { 0 };

      progress = imu_cli_progress_new (cli, imu_session_get_title (session), IMU_CLI_PROGRESS_ROWS);
      profile = imu_profile_get_or_compute (store, imu_session_get_id (session), &options,
                                            imu_cli_progress_update, progress, cli->cancellable, &error);
      imu_cli_progress_clear (progress);
      if (profile == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            return imu_cli_report_error (cli, NULL, error);
          imu_cli_report_error (cli, imu_session_get_title (session), error);
          any_failed = TRUE;
          /* No numbers at all, not zeros. */
          k = (ImuProfileKeyNumbers) {
            .duration_s = NAN, .enmo_mean_mg = NAN, .sedentary_min = NAN, .light_min = NAN,
            .moderate_min = NAN, .vigorous_min = NAN, .peaks_per_min = NAN, .wear_s = NAN,
          };
        }
      else
        imu_profile_get_key_numbers (profile, &k);

      if (json != NULL)
        {
          g_autoptr(GPtrArray) streams = imu_store_list_streams (store, imu_session_get_id (session), NULL);
          JsonNode *node = imu_cli_json_session (session, streams);

          json_object_set_member (json_node_get_object (node), "profile",
                                  profile != NULL ? key_numbers_json (&k) : json_node_new (JSON_NODE_NULL));
          json_array_add_element (json, node);
        }
      else if (csv)
        print_csv_row (session, &k);
      else
        g_ptr_array_add (rows, table_row (session, profile != NULL ? &k : NULL));
      imu_profile_key_numbers_clear (&k);
    }

  if (json != NULL)
    {
      g_autoptr(JsonNode) root = json_node_init_array (json_node_alloc (), json);

      imu_cli_json_print (root);
    }
  else if (!csv)
    print_table (rows);
  return any_failed ? IMU_CLI_EXIT_PARTIAL : IMU_CLI_EXIT_OK;
}
