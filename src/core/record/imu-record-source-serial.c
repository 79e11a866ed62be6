/* imu-record-source-serial.c — text lines from a serial or USB serial port
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `serial:DEVICE[@BAUD]` (115200 by default) reads an Arduino or ESP32
 * printing lines such as `ax,ay,az,gx,gy,gz`, with or without a header and
 * a time column (imu-record-lines.c: times from the device's column when
 * it has one, else from arrival). The port is opened raw with termios,
 * which every Linux has (libserialport is not needed for this); a port
 * that goes away (a USB cable pulled) is opened again every half second
 * until the recording stops.
 */
#define G_LOG_DOMAIN "imu-record"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "imu-record-source.h"

#define DEFAULT_BAUD 115200
#define LINE_MAX_BYTES 4096

#define IMU_TYPE_RECORD_SOURCE_SERIAL (imu_record_source_serial_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecordSourceSerial, imu_record_source_serial, IMU, RECORD_SOURCE_SERIAL, GObject)

struct _ImuRecordSourceSerial
{
  GObject      parent_instance;

  char        *device;
  guint        baud;
  char        *csv_header;
  int          fd;
  GThread     *thread;
  ImuRecorder *recorder;
  gint         stopping;   /* atomic */
};

static void source_iface_init (ImuRecordSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ImuRecordSourceSerial, imu_record_source_serial, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IMU_TYPE_RECORD_SOURCE, source_iface_init))

static const struct { guint baud; speed_t speed; } speeds[] = {
  { 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 },
  { 230400, B230400 }, { 460800, B460800 }, { 500000, B500000 }, { 921600, B921600 },
  { 1000000, B1000000 }, { 2000000, B2000000 },
};

static int
open_port (ImuRecordSourceSerial *self, GError **error)
{
  struct termios tio;
  speed_t speed = B115200;
  int fd;

  for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
    if (speeds[i].baud == self->baud)
      speed = speeds[i].speed;
  fd = g_open (self->device, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                   _("Cannot open the serial port %s: %s"), self->device, g_strerror (errsv));
      return -1;
    }
  if (tcgetattr (fd, &tio) == 0)
    {
      cfmakeraw (&tio);
      cfsetispeed (&tio, speed);
      cfsetospeed (&tio, speed);
      tio.c_cflag |= CLOCAL | CREAD;
      tcsetattr (fd, TCSANOW, &tio);
    }
  return fd;
}

static gpointer
serial_worker (gpointer data)
{
  ImuRecordSourceSerial *self = data;
  g_autoptr(ImuRecordLines) lines = imu_record_lines_new (self->recorder, "serial", self->csv_header);
  g_autoptr(GByteArray) pending = g_byte_array_new ();
  char buf[4096];

  while (!g_atomic_int_get (&self->stopping))
    {
      struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
      gssize n;
      guint start = 0;

      if (self->fd < 0)
        {
          /* Unplugged: try again in a while. */
          g_usleep (500 * 1000);
          self->fd = open_port (self, NULL);
          continue;
        }
      if (poll (&pfd, 1, 100) <= 0)
        continue;
      n = read (self->fd, buf, sizeof buf);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        continue;
      if (n <= 0)
        {
          close (self->fd);
          self->fd = -1;
          continue;
        }
      g_byte_array_append (pending, (const guint8 *) buf, (guint) n);
      for (guint i = 0; i < pending->len; i++)
        if (pending->data[i] == '\n')
          {
            imu_record_lines_feed (lines, (const char *) pending->data + start, i - start);
            start = i + 1;
          }
      g_byte_array_remove_range (pending, 0, start);
      /* A device that never ends a line does not fill memory. */
      if (pending->len > LINE_MAX_BYTES)
        {
          imu_record_lines_feed (lines, (const char *) pending->data, pending->len);
          g_byte_array_set_size (pending, 0);
        }
    }
  return NULL;
}

static gboolean
serial_start (ImuRecordSource *source, ImuRecorder *recorder, GError **error)
{
  ImuRecordSourceSerial *self = IMU_RECORD_SOURCE_SERIAL (source);

  if ((self->fd = open_port (self, error)) < 0)
    return FALSE;
  self->recorder = g_object_ref (recorder);
  self->thread = g_thread_new ("imu-record-serial", serial_worker, self);
  return TRUE;
}

static void
serial_stop (ImuRecordSource *source)
{
  ImuRecordSourceSerial *self = IMU_RECORD_SOURCE_SERIAL (source);

  g_atomic_int_set (&self->stopping, TRUE);
  if (self->thread != NULL)
    g_thread_join (g_steal_pointer (&self->thread));
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
  g_clear_object (&self->recorder);
}

static char *
serial_dup_address (ImuRecordSource *source)
{
  ImuRecordSourceSerial *self = IMU_RECORD_SOURCE_SERIAL (source);

  return g_strdup_printf ("%s@%u", self->device, self->baud);
}

static void
source_iface_init (ImuRecordSourceInterface *iface)
{
  iface->start = serial_start;
  iface->stop = serial_stop;
  iface->dup_address = serial_dup_address;
}

static void
imu_record_source_serial_dispose (GObject *object)
{
  serial_stop (IMU_RECORD_SOURCE (object));

  G_OBJECT_CLASS (imu_record_source_serial_parent_class)->dispose (object);
}

static void
imu_record_source_serial_finalize (GObject *object)
{
  ImuRecordSourceSerial *self = IMU_RECORD_SOURCE_SERIAL (object);

  g_free (self->device);
  g_free (self->csv_header);

  G_OBJECT_CLASS (imu_record_source_serial_parent_class)->finalize (object);
}

static void
imu_record_source_serial_class_init (ImuRecordSourceSerialClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = imu_record_source_serial_dispose;
  object_class->finalize = imu_record_source_serial_finalize;
}

static void
imu_record_source_serial_init (ImuRecordSourceSerial *self)
{
  self->fd = -1;
  self->baud = DEFAULT_BAUD;
}

static ImuRecordSource *
serial_create (const char                   *argument,
               const ImuRecordSourceOptions *options,
               GError                      **error)
{
  g_autoptr(ImuRecordSourceSerial) self = g_object_new (IMU_TYPE_RECORD_SOURCE_SERIAL, NULL);
  const char *at = argument != NULL ? strrchr (argument, '@') : NULL;
  gboolean known = FALSE;

  if (argument == NULL || *argument == '\0' || at == argument)
    {
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                   _("The serial source needs a port: serial:DEVICE[@BAUD] (imu record --list-serial)."));
      return NULL;
    }
  self->device = at != NULL ? g_strndup (argument, at - argument) : g_strdup (argument);
  if (at != NULL)
    {
      guint64 baud = 0;

      if (g_ascii_string_to_unsigned (at + 1, 10, 1, G_MAXUINT32, &baud, NULL))
        for (guint i = 0; i < G_N_ELEMENTS (speeds); i++)
          known |= speeds[i].baud == baud;
      if (!known)
        {
          g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_SOURCE,
                       _("“%s” is not a baud rate this source sets (9600 to 2000000)."), at + 1);
          return NULL;
        }
      self->baud = (guint) baud;
    }
  self->csv_header = g_strdup (options->csv_header);
  return IMU_RECORD_SOURCE (g_steal_pointer (&self));
}

static int
path_cmp (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

GPtrArray *
imu_record_serial_list (void)
{
  GPtrArray *ports = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open ("/sys/class/tty", 0, NULL);
  const char *name;

  /* A tty with a device behind it is a port; the virtual consoles have none. */
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *device = g_build_filename ("/sys/class/tty", name, "device", NULL);
      g_autofree char *driver = g_build_filename (device, "driver", NULL);
      g_autofree char *target = g_file_read_link (driver, NULL);
      g_autofree char *base = target != NULL ? g_path_get_basename (target) : NULL;

      /* The 32 legacy 8250 ports exist whether a UART is there or not. */
      if (base == NULL || g_str_equal (base, "serial8250"))
        continue;
      g_ptr_array_add (ports, g_build_filename ("/dev", name, NULL));
    }
  g_ptr_array_sort (ports, path_cmp);
  return ports;
}

const ImuRecordSourceKind imu_record_source_serial = {
  .scheme = "serial",
  .usage = "serial:DEVICE[@BAUD]",
  .description = N_("Text lines from a serial or USB serial port (an Arduino or ESP32 printing CSV)"),
  .per_device = FALSE,
  .create = serial_create,
};
