/* imu-cli-progress.c — a progress bar on stderr for long commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-cli"

#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <glib/gi18n.h>

#include "imu-cli-progress.h"

/* At most ten redraws a second: a terminal is slow, and a bar that flickers
 * faster than that tells the reader nothing more. */
#define REDRAW_INTERVAL_US (G_USEC_PER_SEC / 10)
/* Wait this long before the first draw, so quick operations print nothing. */
#define FIRST_DRAW_US (G_USEC_PER_SEC / 4)

struct _ImuCliProgress {
  gboolean            enabled;
  gboolean            drawn;
  ImuCliProgressUnit  unit;
  char               *label;
  gint64              start_us;
  gint64              last_draw_us;
};

ImuCliProgress *
imu_cli_progress_new (ImuCli             *cli,
                      const char         *label,
                      ImuCliProgressUnit  unit)
{
  ImuCliProgress *self = g_new0 (ImuCliProgress, 1);

  self->enabled = !cli->quiet && isatty (STDERR_FILENO);
  self->unit = unit;
  self->label = g_strdup (label);
  self->start_us = g_get_monotonic_time ();
  return self;
}

static int
terminal_width (void)
{
  struct winsize ws;

  if (ioctl (STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
    return ws.ws_col;
  return 80;
}

static char *
format_amount (ImuCliProgressUnit unit,
               double             value)
{
  if (unit == IMU_CLI_PROGRESS_BYTES)
    return g_format_size_full ((guint64) value, G_FORMAT_SIZE_IEC_UNITS);
  if (value >= 1e6)
    return g_strdup_printf ("%.1f M", value / 1e6);
  if (value >= 1e3)
    return g_strdup_printf ("%.1f k", value / 1e3);
  return g_strdup_printf ("%.0f", value);
}

static void
draw (ImuCliProgress *self,
      guint64         done,
      guint64         total,
      gint64          now_us)
{
  double elapsed = (double) (now_us - self->start_us) / G_USEC_PER_SEC;
  double rate = elapsed > 0 ? (double) done / elapsed : 0;
  g_autofree char *done_text = format_amount (self->unit, (double) done);
  g_autofree char *total_text = format_amount (self->unit, (double) total);
  g_autofree char *rate_text = format_amount (self->unit, rate);
  g_autofree char *eta = NULL;
  g_autofree char *label = NULL;
  GString *line = g_string_new (NULL);
  int width = terminal_width ();
  double fraction = total > 0 ? MIN (1.0, (double) done / (double) total) : 0;
  int bar_width;
  glong label_len;

  if (rate > 0 && total > done)
    {
      gint64 left = (gint64) ((double) (total - done) / rate + 0.5);

      eta = g_strdup_printf ("%d:%02d:%02d", (int) (left / 3600), (int) (left / 60 % 60), (int) (left % 60));
    }

  if (self->unit == IMU_CLI_PROGRESS_BYTES)
    /* TRANSLATORS: progress: "12.3 MiB / 40.0 MiB, 8.1 MiB/s, 0:00:03 left" */
    g_string_printf (line, _("%s / %s, %s/s"), done_text, total_text, rate_text);
  else
    /* TRANSLATORS: progress: "1.2 M / 8.6 M rows, 3.4 M rows/s" */
    g_string_printf (line, _("%s / %s rows, %s rows/s"), done_text, total_text, rate_text);
  if (eta != NULL)
    /* TRANSLATORS: time left, "0:00:03 left" */
    g_string_append_printf (line, _(", %s left"), eta);

  /* Label, a bar of what is left of the width, the percentage and the text. */
  label_len = g_utf8_strlen (self->label, -1);
  if (label_len > 24)
    label = g_strconcat ("…", g_utf8_offset_to_pointer (self->label, label_len - 23), NULL);
  else
    label = g_strdup (self->label);
  /* A bar that keeps its width while the numbers beside it change length:
   * room is kept for the longest text ("1023.9 MiB / 1023.9 MiB, …"). */
  bar_width = width - 1 - (int) g_utf8_strlen (label, -1) - 1 - 2 - 5 - 48;
  bar_width = CLAMP (bar_width, 0, 30);

  fprintf (stderr, "\r\033[K%s ", label);
  if (bar_width >= 5)
    {
      int filled = (int) (fraction * bar_width);

      fputc ('[', stderr);
      for (int i = 0; i < bar_width; i++)
        fputc (i < filled ? '#' : '-', stderr);
      fputc (']', stderr);
    }
  fprintf (stderr, " %3d%% %s", (int) (fraction * 100), line->str);
  fflush (stderr);
  g_string_free (line, TRUE);
  self->drawn = TRUE;
  self->last_draw_us = now_us;
}

void
imu_cli_progress_update (guint64  done,
                         guint64  total,
                         gpointer data)
{
  ImuCliProgress *self = data;
  gint64 now;

  if (self == NULL || !self->enabled)
    return;
  now = g_get_monotonic_time ();
  if (now - self->start_us < FIRST_DRAW_US || now - self->last_draw_us < REDRAW_INTERVAL_US)
    return;
  draw (self, done, total, now);
}

void
imu_cli_progress_clear (ImuCliProgress *self)
{
  if (self == NULL || !self->drawn)
    return;
  fprintf (stderr, "\r\033[K");
  fflush (stderr);
  self->drawn = FALSE;
}

void
imu_cli_progress_free (ImuCliProgress *self)
{
  if (self == NULL)
    return;
  imu_cli_progress_clear (self);
  g_free (self->label);
  g_free (self);
}
