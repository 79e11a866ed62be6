/* imu-cli-formats.c — `imu formats`: the importer registry, as a table or JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "imu-cli.h"
#include "imu-cli-json.h"
#include "imu-importer.h"

static char *
joined_patterns (const ImuImporter *importer)
{
  return g_strjoinv (" ", (char **) importer->patterns);
}

static void
print_json (const ImuImporter *const *table,
            guint                     n)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, table[i]->name);
      json_builder_set_member_name (b, "description");
      json_builder_add_string_value (b, imu_importer_get_display_name (table[i]));
      json_builder_set_member_name (b, "patterns");
      json_builder_begin_array (b);
      for (guint k = 0; table[i]->patterns != NULL && table[i]->patterns[k] != NULL; k++)
        json_builder_add_string_value (b, table[i]->patterns[k]);
      json_builder_end_array (b);
      json_builder_set_member_name (b, "reads");
      json_builder_add_boolean_value (b, imu_importer_reads (table[i]));
      /* One file, one recording of one device: a folder of them is one session per file. */
      json_builder_set_member_name (b, "device_file");
      json_builder_add_boolean_value (b, (table[i]->flags & IMU_IMPORTER_DEVICE_FILE) != 0);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  root = json_builder_get_root (b);
  imu_cli_json_print (root);
}

static void
print_table (const ImuImporter *const *table,
             guint                     n)
{
  int name_width = 0, reads_width = 0, patterns_width = 0;
  /* TRANSLATORS: in `imu formats`, a format IMU Studio imports */
  const char *reads = _("reads");
  /* TRANSLATORS: in `imu formats`, a format IMU Studio names but cannot import yet */
  const char *recognises = _("recognises");

  /* Widths in characters, so that translations with accents line up. */
  reads_width = MAX ((int) g_utf8_strlen (reads, -1), (int) g_utf8_strlen (recognises, -1));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *patterns = joined_patterns (table[i]);

      name_width = MAX (name_width, (int) strlen (table[i]->name));
      patterns_width = MAX (patterns_width, (int) g_utf8_strlen (patterns, -1));
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *patterns = joined_patterns (table[i]);
      const char *how = imu_importer_reads (table[i]) ? reads : recognises;

      printf ("%-*s  %s%*s  %s%*s  %s\n", name_width, table[i]->name,
              how, reads_width - (int) g_utf8_strlen (how, -1), "",
              patterns, patterns_width - (int) g_utf8_strlen (patterns, -1), "",
              imu_importer_get_display_name (table[i]));
    }
}

int
imu_cli_formats (ImuCli  *cli,
                 int      argc,
                 char   **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  const ImuImporter *const *table;
  guint n = 0;
  int status;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &cli->json,
      N_("Print one JSON array with an object per format"), NULL },
    { NULL }
  };

  context = imu_cli_option_context_new (cli, NULL,
                                        _("Lists the formats `imu import` knows: their name (for "
                                          "--format), whether it reads them or only recognises them "
                                          "(and says what to do), their file name patterns and what "
                                          "they are."),
                                        entries);
  if (!imu_cli_parse_options (cli, context, &argc, &argv, &status))
    return status;
  if (argc > 1)
    return imu_cli_usage_error (cli, _("unexpected argument “%s”"), argv[1]);

  table = imu_importer_table (&n);
  if (cli->json)
    print_json (table, n);
  else
    print_table (table, n);
  return IMU_CLI_EXIT_OK;
}
