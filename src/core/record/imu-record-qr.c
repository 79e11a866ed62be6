/* imu-record-qr.c — a QR code of the push address, on libqrencode
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-record"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <qrencode.h>

#include "imu-recorder.h"
#include "imu-record-qr.h"

struct _ImuQrCode
{
  guint    version;
  guint    width;
  guint8  *modules;   /* width × width, row by row: 1 dark, 0 light */
};

ImuQrCode *
imu_qr_code_new (const char  *text,
                 GError     **error)
{
  QRcode *qr;
  ImuQrCode *code;
  int saved_errno;

  g_return_val_if_fail (text != NULL, NULL);

  /* Version 0: the smallest that holds the text. Byte mode keeps a URL's
   * lower-case letters as they are (the token is case-sensitive). */
  errno = 0;
  qr = QRcode_encodeString8bit (text, 0, QR_ECLEVEL_M);
  saved_errno = errno;
  if (qr == NULL)
    {
      if (saved_errno == ERANGE)
        g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_FAILED,
                     _("Cannot make a QR code of %zu bytes: a QR code holds at most about 2300 at this error correction."),
                     strlen (text));
      else
        g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_FAILED,
                     _("Cannot make a QR code of “%s”: %s"), text, g_strerror (saved_errno));
      return NULL;
    }

  code = g_new0 (ImuQrCode, 1);
  code->version = (guint) qr->version;
  code->width = (guint) qr->width;
  code->modules = g_malloc ((gsize) code->width * code->width);
  /* libqrencode's bytes carry flags in their upper bits; bit 0 is dark. */
  for (gsize i = 0; i < (gsize) code->width * code->width; i++)
    code->modules[i] = qr->data[i] & 1;
  QRcode_free (qr);
  return code;
}

void
imu_qr_code_free (ImuQrCode *code)
{
  if (code == NULL)
    return;
  g_free (code->modules);
  g_free (code);
}

guint
imu_qr_code_get_width (const ImuQrCode *code)
{
  g_return_val_if_fail (code != NULL, 0);

  return code->width;
}

guint
imu_qr_code_get_version (const ImuQrCode *code)
{
  g_return_val_if_fail (code != NULL, 0);

  return code->version;
}

gboolean
imu_qr_code_get_module (const ImuQrCode *code,
                        guint            x,
                        guint            y)
{
  g_return_val_if_fail (code != NULL, FALSE);
  g_return_val_if_fail (x < code->width && y < code->width, FALSE);

  return code->modules[(gsize) y * code->width + x] != 0;
}

/* Light inside the quiet zone; below the last row (the odd half of the
 * last line) is the terminal's background, dark. */
static gboolean
is_light (const ImuQrCode *code, int x, int y)
{
  int zone = IMU_QR_TEXT_QUIET_ZONE;
  int side = (int) code->width + 2 * zone;

  if (y >= side)
    return FALSE;
  x -= zone;
  y -= zone;
  if (x < 0 || y < 0 || x >= (int) code->width || y >= (int) code->width)
    return TRUE;
  return !code->modules[(gsize) y * code->width + x];
}

char *
imu_qr_code_to_text (const ImuQrCode *code)
{
  int side;
  GString *text;

  g_return_val_if_fail (code != NULL, NULL);

  side = (int) code->width + 2 * IMU_QR_TEXT_QUIET_ZONE;
  text = g_string_sized_new ((gsize) (side * 3 + 1) * (side / 2 + 1));
  for (int y = 0; y < side; y += 2)
    {
      for (int x = 0; x < side; x++)
        {
          gboolean top = is_light (code, x, y);
          gboolean bottom = is_light (code, x, y + 1);

          if (top && bottom)
            g_string_append (text, "█");
          else if (top)
            g_string_append (text, "▀");
          else if (bottom)
            g_string_append (text, "▄");
          else
            g_string_append_c (text, ' ');
        }
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}
