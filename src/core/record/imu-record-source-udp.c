/* imu-record-source-udp.c — samples in UDP datagrams of text lines
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `udp:PORT` listens on every address (a phone on the same network, such
 * as Sensorstream IMU+GPS), `udp:ADDRESS:PORT` on one (127.0.0.1 for
 * programs on this computer); port 0 picks a free one. Each datagram holds
 * one or more lines (imu-record-lines.c): CSV after a header, JSON
 * objects, or Sensorstream's "t, 3, ax, ay, az, 4, gx, …".
 */
#define G_LOG_DOMAIN "imu-record"

#include <string.h>
#include <sys/socket.h>

#include <glib/gi18n-lib.h>

#include "imu-record-source.h"

#define DATAGRAM_MAX 65536

#define IMU_TYPE_RECORD_SOURCE_UDP (imu_record_source_udp_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecordSourceUdp, imu_record_source_udp, IMU, RECORD_SOURCE_UDP, GObject)

struct _ImuRecordSourceUdp
{
  GObject          parent_instance;

  char            *address;     /* NULL: any */
  guint16          port;
  char            *csv_header;
  GSocket         *socket;
  GThread         *thread;
  ImuRecorder     *recorder;
  gint             stopping;    /* atomic */
};

static void source_iface_init (ImuRecordSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ImuRecordSourceUdp, imu_record_source_udp, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IMU_TYPE_RECORD_SOURCE, source_iface_init))

static gpointer
udp_worker (gpointer data)
{
  ImuRecordSourceUdp *self = data;
  g_autoptr(ImuRecordLines) lines = imu_record_lines_new (self->recorder, "udp", self->csv_header);
  g_autofree char *buf = g_malloc (DATAGRAM_MAX);

  while (!g_atomic_int_get (&self->stopping))
    {
      g_autoptr(GError) error = NULL;
      gssize n;
      const char *p, *end;

      if (!g_socket_condition_timed_wait (self->socket, G_IO_IN, 100 * 1000, NULL, &error))
        continue;
      n = g_socket_receive (self->socket, buf, DATAGRAM_MAX, NULL, &error);
      if (n <= 0)
        continue;
      for (p = buf, end = buf + n; p < end;)
        {
          const char *nl = memchr (p, '\n', end - p);
          const char *stop = nl != NULL ? nl : end;

          imu_record_lines_feed (lines, p, stop - p);
          p = stop + 1;
        }
    }
  return NULL;
}

static gboolean
udp_start (ImuRecordSource *source, ImuRecorder *recorder, GError **error)
{
  ImuRecordSourceUdp *self = IMU_RECORD_SOURCE_UDP (source);
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) addr = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) local_error = NULL;

  inet = self->address != NULL ? g_inet_address_new_from_string (self->address)
                               : g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  if (inet == NULL)
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                   _("“%s” is not an IP address."), self->address);
      return FALSE;
    }
  addr = g_inet_socket_address_new (inet, self->port);
  self->socket = g_socket_new (g_inet_address_get_family (inet), G_SOCKET_TYPE_DATAGRAM,
                               G_SOCKET_PROTOCOL_UDP, &local_error);
  if (self->socket == NULL || !g_socket_bind (self->socket, addr, TRUE, &local_error))
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                   _("Cannot listen on UDP port %u: %s"), self->port, local_error->message);
      g_clear_object (&self->socket);
      return FALSE;
    }
  g_socket_set_blocking (self->socket, FALSE);
  /* A burst must not overflow the kernel's buffer while a line is parsed. */
  g_socket_set_option (self->socket, SOL_SOCKET, SO_RCVBUF, 4 * 1024 * 1024, NULL);
  if ((bound = g_socket_get_local_address (self->socket, NULL)) != NULL)
    self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  self->recorder = g_object_ref (recorder);
  self->thread = g_thread_new ("imu-record-udp", udp_worker, self);
  return TRUE;
}

static void
udp_stop (ImuRecordSource *source)
{
  ImuRecordSourceUdp *self = IMU_RECORD_SOURCE_UDP (source);

  g_atomic_int_set (&self->stopping, TRUE);
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  if (self->socket != NULL)
    g_socket_close (self->socket, NULL);
  g_clear_object (&self->socket);
  g_clear_object (&self->recorder);
}

static char *
udp_dup_address (ImuRecordSource *source)
{
  ImuRecordSourceUdp *self = IMU_RECORD_SOURCE_UDP (source);

  return g_strdup_printf ("udp://%s:%u", self->address != NULL ? self->address : "0.0.0.0", self->port);
}

static void
source_iface_init (ImuRecordSourceInterface *iface)
{
  iface->start = udp_start;
  iface->stop = udp_stop;
  iface->dup_address = udp_dup_address;
}

static void
imu_record_source_udp_dispose (GObject *object)
{
  udp_stop (IMU_RECORD_SOURCE (object));

  G_OBJECT_CLASS (imu_record_source_udp_parent_class)->dispose (object);
}

static void
imu_record_source_udp_finalize (GObject *object)
{
  ImuRecordSourceUdp *self = IMU_RECORD_SOURCE_UDP (object);

  g_free (self->address);
  g_free (self->csv_header);

  G_OBJECT_CLASS (imu_record_source_udp_parent_class)->finalize (object);
}

static void
imu_record_source_udp_class_init (ImuRecordSourceUdpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_record_source_udp_dispose;
  object_class->finalize = imu_record_source_udp_finalize;
}

static void
imu_record_source_udp_init (ImuRecordSourceUdp *self)
{
}

static gboolean
parse_port (const char *text, guint16 *port)
{
  guint64 v;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, 65535, &v, NULL))
    return FALSE;
  *port = (guint16) v;
  return TRUE;
}

static ImuRecordSource *
udp_create (const char                   *argument,
            const ImuRecordSourceOptions *options,
            GError                      **error)
{
  g_autoptr(ImuRecordSourceUdp) self = g_object_new (IMU_TYPE_RECORD_SOURCE_UDP, NULL);
  const char *colon = argument != NULL ? strrchr (argument, ':') : NULL;

  if (colon != NULL)
    {
      self->address = g_strndup (argument, colon - argument);
      argument = colon + 1;
    }
  if (!parse_port (argument, &self->port))
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                   _("The UDP source needs a port: udp:PORT or udp:ADDRESS:PORT."));
      return NULL;
    }
  self->csv_header = g_strdup (options->csv_header);
  return IMU_RECORD_SOURCE (g_steal_pointer (&self));
}

const ImuRecordSourceKind imu_record_source_udp = {
  .scheme = "udp",
  .usage = "udp:[ADDRESS:]PORT",
  .description = N_("Text lines in UDP datagrams: CSV, JSON objects or Sensorstream IMU+GPS"),
  .per_device = FALSE,
  .create = udp_create,
};
