/* imu-record-dialog.h — choose a live source and start recording it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "imu-library.h"
#include "imu-recording.h"

G_BEGIN_DECLS

#define IMU_TYPE_RECORD_DIALOG (imu_record_dialog_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecordDialog, imu_record_dialog, IMU, RECORD_DIALOG, AdwWindow)

/*
 * Signals:
 *   "started" (ImuRecording*)  a recording started (its sessions appear as
 *                              they are committed); the receiver keeps it
 */

/* A dialog over @parent recording into @library. */
ImuRecordDialog *imu_record_dialog_new           (GtkWindow       *parent,
                                                  ImuLibrary      *library);

/* What the controls do, for tests: the source by its scheme
 * ("sensorlogger", "phyphox", "udp", "serial", "replay"). */
void             imu_record_dialog_select_source (ImuRecordDialog *self,
                                                  const char      *scheme);
/* The port of the phone or UDP source (0: any free port). */
void             imu_record_dialog_set_port      (ImuRecordDialog *self,
                                                  guint            port);
void             imu_record_dialog_set_fields    (ImuRecordDialog *self,
                                                  const char      *title,
                                                  const char      *subject,
                                                  const char      *tags);
/* Start, as the button does. */
void             imu_record_dialog_start         (ImuRecordDialog *self);
/* The page shown: "setup" or "phone". */
const char      *imu_record_dialog_get_page      (ImuRecordDialog *self);
/* The address shown for the phone, or NULL. */
const char      *imu_record_dialog_get_address   (ImuRecordDialog *self);
/* The error shown, or NULL. */
const char      *imu_record_dialog_get_error     (ImuRecordDialog *self);
/* Whether a start is under way. */
gboolean         imu_record_dialog_get_busy      (ImuRecordDialog *self);
/* The QR code shown (NULL before a phone recording starts). */
GdkPaintable    *imu_record_dialog_get_qr        (ImuRecordDialog *self);

G_END_DECLS
