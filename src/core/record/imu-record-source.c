/* imu-record-source.c — the live sources' interface and table
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-record"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-record-source.h"

G_DEFINE_INTERFACE (ImuRecordSource, imu_record_source, G_TYPE_OBJECT)

static const ImuRecordSourceKind * const table[] = {
  &imu_record_source_udp,
  &imu_record_source_sensorlogger,
  &imu_record_source_serial,
  &imu_record_source_phyphox,
  &imu_record_source_replay,
  NULL,
};

static void
imu_record_source_default_init (ImuRecordSourceInterface *iface)
{
}

const ImuRecordSourceKind * const *
imu_record_source_table (void)
{
  return table;
}

ImuRecordSource *
imu_record_source_new (const char                   *spec,
                       const ImuRecordSourceOptions *options,
                       const ImuRecordSourceKind   **kind,
                       GError                      **error)
{
  static const ImuRecordSourceOptions none = { 0 };
  const char *colon;
  g_autofree char *scheme = NULL;

  g_return_val_if_fail (spec != NULL, NULL);

  colon = strchr (spec, ':');
  scheme = colon != NULL ? g_strndup (spec, colon - spec) : g_strdup (spec);
  for (guint i = 0; table[i] != NULL; i++)
    if (g_ascii_strcasecmp (table[i]->scheme, scheme) == 0)
      {
        if (kind != NULL)
          *kind = table[i];
        return table[i]->create (colon != NULL ? colon + 1 : NULL, options != NULL ? options : &none, error);
      }
  g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
               _("Unknown source “%s”: use udp:PORT, sensorlogger[:PORT], serial:DEVICE[@BAUD], phyphox:URL or replay:PATH."), spec);
  return NULL;
}

gboolean
imu_record_source_start (ImuRecordSource  *self,
                         ImuRecorder      *recorder,
                         GError          **error)
{
  g_return_val_if_fail (IMU_IS_RECORD_SOURCE (self), FALSE);
  g_return_val_if_fail (IMU_IS_RECORDER (recorder), FALSE);

  return IMU_RECORD_SOURCE_GET_IFACE (self)->start (self, recorder, error);
}

void
imu_record_source_stop (ImuRecordSource *self)
{
  g_return_if_fail (IMU_IS_RECORD_SOURCE (self));

  IMU_RECORD_SOURCE_GET_IFACE (self)->stop (self);
}

char *
imu_record_source_dup_address (ImuRecordSource *self)
{
  ImuRecordSourceInterface *iface;

  g_return_val_if_fail (IMU_IS_RECORD_SOURCE (self), NULL);

  iface = IMU_RECORD_SOURCE_GET_IFACE (self);
  return iface->dup_address != NULL ? iface->dup_address (self) : NULL;
}

gboolean
imu_record_source_is_done (ImuRecordSource *self)
{
  ImuRecordSourceInterface *iface;

  g_return_val_if_fail (IMU_IS_RECORD_SOURCE (self), TRUE);

  iface = IMU_RECORD_SOURCE_GET_IFACE (self);
  return iface->is_done != NULL && iface->is_done (self);
}
