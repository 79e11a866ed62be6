/* test-record-qr.c — the QR code of the push address (imu-record-qr.c)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Nothing is decoded here: the facts are those of ISO/IEC 18004 that hold
 * for any content (the symbol's size per version, the finder patterns,
 * the timing patterns) and the byte capacities of its table 7 at level M.
 */
#define G_LOG_DOMAIN "imu-test"

#include <string.h>

#include "imu-recorder.h"
#include "imu-record-qr.h"

/* A finder pattern with its top left corner at (x0, y0): a dark 7×7
 * ring, a light ring inside it, a dark 3×3 core. */
static void
assert_finder (const ImuQrCode *code, guint x0, guint y0)
{
  for (guint y = 0; y < 7; y++)
    for (guint x = 0; x < 7; x++)
      {
        guint ring = MIN (MIN (x, y), MIN (6 - x, 6 - y));
        gboolean dark = ring != 1;

        if (imu_qr_code_get_module (code, x0 + x, y0 + y) != dark)
          g_error ("finder at (%u, %u): module (%u, %u) should be %s", x0, y0, x, y, dark ? "dark" : "light");
      }
}

static void
assert_structure (const ImuQrCode *code)
{
  guint w = imu_qr_code_get_width (code);

  assert_finder (code, 0, 0);
  assert_finder (code, w - 7, 0);
  assert_finder (code, 0, w - 7);
  /* Separators: right and below the top left one, left and below the top
   * right one, right and above the bottom left one. */
  for (guint i = 0; i < 8; i++)
    {
      g_assert_false (imu_qr_code_get_module (code, 7, i));
      g_assert_false (imu_qr_code_get_module (code, i, 7));
      g_assert_false (imu_qr_code_get_module (code, w - 8, i));
      g_assert_false (imu_qr_code_get_module (code, w - 1 - i, 7));
      g_assert_false (imu_qr_code_get_module (code, 7, w - 1 - i));
      g_assert_false (imu_qr_code_get_module (code, i, w - 8));
    }
  /* Timing patterns on row 6 and column 6, between the finders: dark on
   * even positions. */
  for (guint i = 8; i < w - 8; i++)
    {
      g_assert_cmpint (imu_qr_code_get_module (code, i, 6), ==, i % 2 == 0);
      g_assert_cmpint (imu_qr_code_get_module (code, 6, i), ==, i % 2 == 0);
    }
  /* The dark module beside the bottom left finder (always there). */
  g_assert_true (imu_qr_code_get_module (code, 8, w - 8));
}

static void
test_version1 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuQrCode) code = imu_qr_code_new ("IMU Studio", &error);

  g_assert_no_error (error);
  g_assert_nonnull (code);
  /* 10 bytes fit version 1 at level M (14 bytes). */
  g_assert_cmpuint (imu_qr_code_get_version (code), ==, 1);
  g_assert_cmpuint (imu_qr_code_get_width (code), ==, 21);
  assert_structure (code);
}

static void
test_push_url (void)
{
  /* The shape of a push address: 33 + 32 = 65 bytes, over version 4's 62
   * bytes at level M and within version 5's 84: 37 × 37 modules. */
  const char *url = "http://192.168.100.200:8000/push/0123456789abcdef0123456789abcdef";
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuQrCode) code = NULL;

  g_assert_cmpuint (strlen (url), ==, 65);
  code = imu_qr_code_new (url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (imu_qr_code_get_version (code), ==, 5);
  g_assert_cmpuint (imu_qr_code_get_width (code), ==, 37);
  assert_structure (code);
  /* Version 5 has one alignment pattern, centred at (30, 30): dark ring,
   * light ring, dark centre. */
  for (int dy = -2; dy <= 2; dy++)
    for (int dx = -2; dx <= 2; dx++)
      g_assert_cmpint (imu_qr_code_get_module (code, 30 + dx, 30 + dy), ==,
                       MAX (ABS (dx), ABS (dy)) != 1);
}

static void
test_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuQrCode) code = imu_qr_code_new ("IMU Studio", &error);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint side = 21 + 2 * IMU_QR_TEXT_QUIET_ZONE;   /* 25 */

  g_assert_no_error (error);
  text = imu_qr_code_to_text (code);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_suffix (text, "\n"));
  lines = g_strsplit (text, "\n", -1);
  /* 25 module rows, two a line: 13 lines, and the empty string after the
   * last line end. */
  g_assert_cmpuint (g_strv_length (lines), ==, 13 + 1);
  g_assert_cmpstr (lines[13], ==, "");
  for (guint i = 0; i < 13; i++)
    g_assert_cmpint (g_utf8_strlen (lines[i], -1), ==, side);
  /* The quiet zone is light (drawn): the first line is all full blocks;
   * the last line holds the 25th row (quiet) on top of nothing: ▀. */
  for (const char *p = lines[0]; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_cmpint (g_utf8_get_char (p), ==, 0x2588);
  for (const char *p = lines[12]; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_cmpint (g_utf8_get_char (p), ==, 0x2580);
  /* Line 1 holds symbol rows 0 and 1 after two zone columns: the top
   * left finder's dark top edge over its row 1 (dark, five light, dark);
   * then the light separator column. Glyphs draw light modules. */
  {
    const char *expected = "██ ▄▄▄▄▄ █";
    const char *p = lines[1];

    for (const char *e = expected; *e != '\0'; e = g_utf8_next_char (e), p = g_utf8_next_char (p))
      g_assert_cmpint (g_utf8_get_char (p), ==, g_utf8_get_char (e));
  }
  /* Line 2: symbol rows 2 and 3, through the dark core: dark edge, light
   * ring, three dark, light ring, dark edge. */
  g_assert_true (g_str_has_prefix (lines[2], "██ █   █ █"));
}

static void
test_too_long (void)
{
  g_autofree char *text = g_strnfill (3000, 'a');
  g_autoptr(GError) error = NULL;
  g_autoptr(ImuQrCode) code = imu_qr_code_new (text, &error);

  g_assert_null (code);
  g_assert_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "3000 bytes"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/core/record/qr/version1", test_version1);
  g_test_add_func ("/core/record/qr/push-url", test_push_url);
  g_test_add_func ("/core/record/qr/text", test_text);
  g_test_add_func ("/core/record/qr/too-long", test_too_long);
  return g_test_run ();
}
