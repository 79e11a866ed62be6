/* test-gui-util.h — helpers of the GUI tests (run under Xvfb)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-application.h"
#include "imu-store.h"
#include "imu-window.h"

G_BEGIN_DECLS

/* g_test_init(), the locale, and one ImuApplication registered for the
 * whole test program (a GtkApplication starts up once per process). */
void            gui_test_init          (int    *argc,
                                        char ***argv);
ImuApplication *gui_test_get_app       (void);

/* A window on @library_path, presented, with the library read (or failed). */
ImuWindow      *gui_test_open_window   (const char *library_path);
/* Closes @window as the user does (close-request: pending deletions are
 * committed, imports stop) and waits until the application lets go. */
void            gui_test_close_window  (ImuWindow  *window);

/* Runs the main loop for @ms milliseconds (frames keep coming). */
void            gui_test_iterate_ms    (guint ms);
/* Runs the main loop until @cond (re-evaluated) holds; fails the test with
 * @what after @timeout_ms. */
#define gui_test_wait_for(cond, timeout_ms, what) \
  G_STMT_START { \
    gint64 gui_deadline_ = g_get_monotonic_time () + (gint64) (timeout_ms) * 1000; \
    while (!(cond)) \
      { \
        if (g_get_monotonic_time () > gui_deadline_) \
          g_error ("timed out after %d ms waiting for %s (%s)", (int) (timeout_ms), what, #cond); \
        gui_test_iterate_ms (5); \
      } \
  } G_STMT_END

/* Draws @widget as a user sees it and saves it as
 * $IMU_TEST_BUILDDIR/screenshots/@name.png; returns the path. */
char           *gui_test_screenshot    (GtkWidget  *widget,
                                        const char *name);

/* A session row without samples (for lists), in one call. */
gint64          gui_test_add_session   (ImuStore           *store,
                                        const char         *title,
                                        const char         *subject,
                                        const char * const *tags,
                                        gint64              start_ns,
                                        gint64              duration_ns);
/* A CSV of the generator (IMU_GENERATOR_CSV_HEADER) of @seconds at @rate_hz. */
char           *gui_test_write_generated_csv (const char *dir,
                                              const char *name,
                                              guint64     seed,
                                              double      rate_hz,
                                              double      seconds);
/* The ImuSessionRow widgets the list view shows now (virtualised: only
 * those on screen), top to bottom. */
GPtrArray      *gui_test_visible_rows  (ImuWindow  *window);
/* Every descendant of @widget of @type, depth first. */
GPtrArray      *gui_test_find_all      (GtkWidget  *widget,
                                        GType       type);
/* Every GtkLabel's text below @widget joined by newlines (a screen reader's view). */
char           *gui_test_collect_text  (GtkWidget  *widget);

G_END_DECLS
