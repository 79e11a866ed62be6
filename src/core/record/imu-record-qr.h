/* imu-record-qr.h — a QR code of the address a phone should push to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A phone app scans the code instead of its user typing the push URL
 * (http://192.168.1.20:8000/push/<32 hex digits>). The module matrix is
 * what both faces draw: the window as a picture, `imu record` as text.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The light margin around the modules in imu_qr_code_to_text(), in
 * modules. The standard asks for 4; 2 is what phone cameras read from a
 * terminal, and keeps the code on a small screen. */
#define IMU_QR_TEXT_QUIET_ZONE 2

typedef struct _ImuQrCode ImuQrCode;

/**
 * imu_qr_code_new:
 * @text: UTF-8, encoded byte for byte (error correction level M)
 *
 * Does not block for long (a URL takes microseconds).
 *
 * Returns: (transfer full): the code, or %NULL with %IMU_RECORD_ERROR_FAILED
 *   when @text is too long for any QR code version (over about 2300 bytes)
 */
ImuQrCode  *imu_qr_code_new        (const char *text,
                                    GError    **error);
void        imu_qr_code_free       (ImuQrCode  *code);

/* Modules per side: 21 for version 1, 4 more per version up to 177. */
guint       imu_qr_code_get_width  (const ImuQrCode *code);
/* The symbol's version, 1 to 40. */
guint       imu_qr_code_get_version (const ImuQrCode *code);
/* Whether the module at column @x, row @y (from the top left, both below
 * the width) is dark. */
gboolean    imu_qr_code_get_module (const ImuQrCode *code,
                                    guint            x,
                                    guint            y);

/**
 * imu_qr_code_to_text:
 *
 * The code as lines of text for a terminal, two module rows per line
 * (▀ ▄ █ and spaces), with a quiet zone of IMU_QR_TEXT_QUIET_ZONE modules
 * on every side. The glyphs draw the LIGHT modules, so that on a
 * terminal's dark background the code reads dark on light, as scanners
 * expect. Each line ends in "\n".
 *
 * Returns: (transfer full): width + 2 × zone characters per line,
 *   ⌈(width + 2 × zone) / 2⌉ lines
 */
char       *imu_qr_code_to_text    (const ImuQrCode *code);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuQrCode, imu_qr_code_free)

G_END_DECLS
