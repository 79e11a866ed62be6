/* imu-record-source-serial.c — text lines from a serial or USB serial port
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * `serial:DEVICE[@BAUD]` (115200 by default) reads an Arduino or ESP32
 * printing lines such as `ax,ay,az,gx,gy,gz`, with or without a header and
 * a time column (imu-record-lines.c: times from the device's column when
 * it has one, else from arrival). Ports are listed, described and opened
 * through libserialport (8N1, no flow control), read with blocking reads
 * of 100 ms so that stop() is prompt; a port that goes away (a USB cable
 * pulled) is opened again every half second until the recording stops.
 *
 * libserialport 0.1.1 refuses a pseudo-terminal in sp_get_port_by_name()
 * (it looks the port up in /sys/class/tty, where /dev/pts/N has no entry),
 * so a character device it does not know is opened raw with termios: what
 * socat or a serial-over-network bridge makes is then readable too.
 */
#define G_LOG_DOMAIN "imu-record"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <libserialport.h>

#include "imu-record-source.h"

#define DEFAULT_BAUD 115200
#define LINE_MAX_BYTES 4096
#define READ_TIMEOUT_MS 100

#define IMU_TYPE_RECORD_SOURCE_SERIAL (imu_record_source_serial_get_type ())
G_DECLARE_FINAL_TYPE (ImuRecordSourceSerial, imu_record_source_serial, IMU, RECORD_SOURCE_SERIAL, GObject)

struct _ImuRecordSourceSerial
{
  GObject         parent_instance;

  char           *device;
  guint           baud;
  char           *csv_header;
  struct sp_port *port;     /* a port libserialport knows, or NULL */
  int             fd;       /* else a pseudo-terminal opened raw, or -1 */
  GThread        *thread;
  ImuRecorder    *recorder;
  gint            stopping; /* atomic */
};

static void source_iface_init (ImuRecordSourceInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (ImuRecordSourceSerial, imu_record_source_serial, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (IMU_TYPE_RECORD_SOURCE, source_iface_init))

static const struct { guint baud; speed_t speed; } speeds[] = {
  { 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 }, { 115200, B115200 },
  { 230400, B230400 }, { 460800, B460800 }, { 500000, B500000 }, { 921600, B921600 },
  { 1000000, B1000000 }, { 2000000, B2000000 },
};

static void
set_open_error (GError **error, const char *device, int errsv)
{
  if (errsv == EACCES || errsv == EPERM)
    g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                 _("%s: permission denied — add yourself to the dialout group "
                   "(sudo usermod -aG dialout $USER, then log in again)"), device);
  else if (errsv == ENOENT || errsv == ENODEV || errsv == ENXIO)
    g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                 _("%s: no such serial port — is the device plugged in? "
                   "(imu record --list-serial lists the ports)"), device);
  else if (errsv == EBUSY)
    g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                 _("%s: the port is busy — another program has it open"), device);
  else
    g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                 _("%s: cannot open the serial port: %s"), device, g_strerror (errsv));
}

/* A pseudo-terminal (or another tty libserialport has no /sys entry for),
 * raw with termios. */
static int
open_tty (ImuRecordSourceSerial *self, GError **error)
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
      set_open_error (error, self->device, errno);
      return -1;
    }
  if (!isatty (fd))
    {
      close (fd);
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                   _("%s: not a serial port or terminal"), self->device);
      return -1;
    }
  /* A pseudo-terminal has no line: the speed is accepted and ignored. */
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

static void
close_port (ImuRecordSourceSerial *self)
{
  if (self->port != NULL)
    {
      sp_close (self->port);
      sp_free_port (g_steal_pointer (&self->port));
    }
  if (self->fd >= 0)
    close (self->fd);
  self->fd = -1;
}

static gboolean
open_port (ImuRecordSourceSerial *self, GError **error)
{
  struct sp_port *port = NULL;
  struct stat st;

  if (sp_get_port_by_name (self->device, &port) != SP_OK)
    {
      /* Not a port libserialport knows: a pseudo-terminal, or nothing. */
      if (g_stat (self->device, &st) != 0)
        {
          set_open_error (error, self->device, errno);
          return FALSE;
        }
      if (!S_ISCHR (st.st_mode))
        {
          g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                       _("%s: not a serial port or terminal"), self->device);
          return FALSE;
        }
      return (self->fd = open_tty (self, error)) >= 0;
    }
  if (sp_open (port, SP_MODE_READ_WRITE) != SP_OK)
    {
      int errsv = sp_last_error_code ();

      sp_free_port (port);
      set_open_error (error, self->device, errsv);
      return FALSE;
    }
  /* The speed must take; the rest is what every such board sends (8N1),
   * set where the driver lets us. */
  if (sp_set_baudrate (port, (int) self->baud) != SP_OK)
    {
      g_autofree char *message = sp_last_error_message ();

      sp_close (port);
      sp_free_port (port);
      g_set_error (error, IMU_RECORD_ERROR, IMU_RECORD_ERROR_LISTEN,
                   _("%s: cannot set %u baud: %s"), self->device, self->baud,
                   message != NULL ? g_strstrip (message) : "");
      return FALSE;
    }
  if (sp_set_bits (port, 8) != SP_OK
      || sp_set_parity (port, SP_PARITY_NONE) != SP_OK
      || sp_set_stopbits (port, 1) != SP_OK
      || sp_set_flowcontrol (port, SP_FLOWCONTROL_NONE) != SP_OK)
    g_debug ("%s: the driver keeps part of its 8N1 settings", self->device);
  self->port = port;
  return TRUE;
}

/* Reads what arrives within READ_TIMEOUT_MS: bytes, 0 when nothing came,
 * -1 when the port went away. */
static gssize
read_some (ImuRecordSourceSerial *self, char *buf, gsize len)
{
  if (self->port != NULL)
    {
      enum sp_return r = sp_blocking_read_next (self->port, buf, len, READ_TIMEOUT_MS);

      if (r > 0)
        return r;
      if (r < 0)
        return -1;
      /* A USB serial device unplugged reads as nothing; its node goes. */
      return g_file_test (self->device, G_FILE_TEST_EXISTS) ? 0 : -1;
    }
  else
    {
      struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
      gssize n;

      if (poll (&pfd, 1, READ_TIMEOUT_MS) <= 0)
        return 0;
      n = read (self->fd, buf, len);
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return 0;
      return n > 0 ? n : -1;
    }
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
      gssize n;
      guint start = 0;

      if (self->port == NULL && self->fd < 0)
        {
          /* Unplugged: try again in a while. */
          g_usleep (500 * 1000);
          open_port (self, NULL);
          continue;
        }
      n = read_some (self, buf, sizeof buf);
      if (n == 0)
        continue;
      if (n < 0)
        {
          close_port (self);
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

  if (!open_port (self, error))
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
  close_port (self);
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

/**
 * imu_record_serial_list:
 *
 * The serial ports libserialport finds (USB serial adapters, built-in
 * UARTs that are there, Bluetooth serial links), sorted by name.
 * Pseudo-terminals are not listed, though `serial:` opens them.
 * Blocking (reads /sys).
 *
 * Returns: (transfer full) (element-type utf8): the port names
 */
GPtrArray *
imu_record_serial_list (void)
{
  GPtrArray *ports = g_ptr_array_new_with_free_func (g_free);
  struct sp_port **list = NULL;

  if (sp_list_ports (&list) != SP_OK)
    return ports;
  for (guint i = 0; list[i] != NULL; i++)
    g_ptr_array_add (ports, g_strdup (sp_get_port_name (list[i])));
  sp_free_port_list (list);
  g_ptr_array_sort (ports, path_cmp);
  return ports;
}

/**
 * imu_record_serial_describe:
 * @port: a port name, as imu_record_serial_list() gives it
 *
 * What the port is, for a person choosing one: "USB serial — Arduino Uno
 * (2341:0043), serial 85736323…", "Bluetooth serial — 00:11:22:33:44:55",
 * "Built-in serial port". Blocking (reads /sys).
 *
 * Returns: (transfer full) (nullable): the description, or %NULL when
 *   nothing is known of the port
 */
char *
imu_record_serial_describe (const char *port)
{
  struct sp_port *p = NULL;
  GString *text;
  int vid = -1, pid = -1;

  g_return_val_if_fail (port != NULL, NULL);

  if (sp_get_port_by_name (port, &p) != SP_OK)
    return NULL;
  text = g_string_new (NULL);
  switch (sp_get_port_transport (p))
    {
    case SP_TRANSPORT_USB:
      {
        const char *manufacturer = sp_get_port_usb_manufacturer (p);
        const char *product = sp_get_port_usb_product (p);
        const char *serial = sp_get_port_usb_serial (p);

        g_string_append (text, _("USB serial"));
        if (product != NULL && *product != '\0')
          {
            g_string_append (text, " — ");
            if (manufacturer != NULL && *manufacturer != '\0'
                && g_ascii_strncasecmp (product, manufacturer, strlen (manufacturer)) != 0)
              g_string_append_printf (text, "%s ", manufacturer);
            g_string_append (text, product);
          }
        if (sp_get_port_usb_vid_pid (p, &vid, &pid) == SP_OK)
          g_string_append_printf (text, " (%04x:%04x)", (guint) vid, (guint) pid);
        if (serial != NULL && *serial != '\0')
          g_string_append_printf (text, _(", serial %s"), serial);
        break;
      }
    case SP_TRANSPORT_BLUETOOTH:
      {
        const char *address = sp_get_port_bluetooth_address (p);

        g_string_append (text, _("Bluetooth serial"));
        if (address != NULL && *address != '\0')
          g_string_append_printf (text, " — %s", address);
        break;
      }
    case SP_TRANSPORT_NATIVE:
    default:
      g_string_append (text, _("Built-in serial port"));
      break;
    }
  sp_free_port (p);
  return g_string_free (text, FALSE);
}

const ImuRecordSourceKind imu_record_source_serial = {
  .scheme = "serial",
  .usage = "serial:DEVICE[@BAUD]",
  .description = N_("Text lines from a serial or USB serial port (an Arduino or ESP32 printing CSV)"),
  .per_device = FALSE,
  .create = serial_create,
};
