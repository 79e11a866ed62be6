/* bench-record.c — the recorder under load, against a baseline measured in the same run
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   bench-record udp LIBRARY         UDP flood of 6-channel CSV lines on loopback
 *   bench-record phones LIBRARY      16 Sensor Logger phones × 5 sensors × 100 Hz
 *
 * udp: sends 20-line datagrams at rising rates (3 s each) to a recorder on
 * 127.0.0.1 and reports, per rate, the samples recorded and lost and the
 * CPU time of the recorder's threads (imu-recorder, imu-record-udp) per
 * second; then the same datagrams at the highest rate to `socat -u
 * UDP-RECV OPEN:/dev/null`, whose CPU is the baseline. phones: 16 threads
 * post a batch of 5 × 20 samples every 200 ms for 20 s; reports the CPU of
 * the recorder's threads in % of one core, and the delay from a batch's
 * 200 response to the end of the first commit that holds it (p50, p99,
 * max), against the commit interval. Prints figures, never fails on them.
 */
#define G_LOG_DOMAIN "bench-record"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "imu-record-source.h"
#include "imu-recorder.h"

/* CPU seconds of this process's threads whose name starts with one of @prefixes. */
static double
threads_cpu (pid_t pid, const char * const *prefixes)
{
  g_autofree char *dir = g_strdup_printf ("/proc/%d/task", (int) pid);
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *tid;
  double total = 0;
  long hz = sysconf (_SC_CLK_TCK);

  while (d != NULL && (tid = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, tid, "stat", NULL);
      g_autofree char *text = NULL;
      char *open, *close;
      unsigned long utime = 0, stime = 0;
      gboolean match = prefixes == NULL;

      if (!g_file_get_contents (path, &text, NULL, NULL))
        continue;
      open = strchr (text, '(');
      close = strrchr (text, ')');
      if (open == NULL || close == NULL)
        continue;
      *close = '\0';
      for (guint i = 0; prefixes != NULL && prefixes[i] != NULL; i++)
        match |= g_str_has_prefix (open + 1, prefixes[i]);
      if (!match)
        continue;
      /* Fields 14 and 15 (utime, stime) after the name's ")". */
      if (sscanf (close + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) == 2)
        total += (double) (utime + stime) / hz;
    }
  return total;
}

static const char * const recorder_threads[] = { "imu-recorder", "imu-record-", NULL };

static gint64
recorded (ImuRecorder *recorder)
{
  g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (recorder);
  gint64 n = 0;

  for (guint i = 0; i < stats->len; i++)
    n += ((ImuRecordStreamStats *) g_ptr_array_index (stats, i))->samples;
  return n;
}

static gint64
committed (ImuRecorder *recorder)
{
  g_autoptr(GPtrArray) stats = imu_recorder_dup_stats (recorder);
  gint64 n = 0;

  for (guint i = 0; i < stats->len; i++)
    n += ((ImuRecordStreamStats *) g_ptr_array_index (stats, i))->committed;
  return n;
}

#define LINES_PER_DATAGRAM 20

/* Sends @rate samples/s for @seconds to @port; returns the samples sent. */
static gint64
flood (GSocket *socket, GSocketAddress *to, gint64 *next_index, double rate, double seconds)
{
  gint64 start = g_get_monotonic_time ();
  gint64 sent = 0;
  gint64 total = (gint64) (rate * seconds);
  char buf[LINES_PER_DATAGRAM * 96];

  while (sent < total)
    {
      gint64 due = start + (gint64) (sent / rate * G_USEC_PER_SEC);
      gsize len = 0;
      gint64 now = g_get_monotonic_time ();

      if (due > now + 200)
        g_usleep (due - now);
      for (guint l = 0; l < LINES_PER_DATAGRAM; l++)
        {
          gint64 i = (*next_index)++;
          /* Epoch times 1 ms apart, six channels with fixed decimals. */
          len += g_snprintf (buf + len, sizeof buf - len,
                             "%" G_GINT64_FORMAT ".%03d,%.4f,%.4f,%.4f,%.3f,%.3f,%.3f\n",
                             1700000000 + i / 1000, (int) (i % 1000),
                             (i % 200) * 0.001, -0.5 + (i % 37) * 0.01, 9.81, (i % 50) * 0.1, -1.0, 2.5);
        }
      g_socket_send_to (socket, to, buf, len, NULL, NULL);
      sent += LINES_PER_DATAGRAM;
    }
  return sent;
}

static int
bench_udp (const char *library)
{
  static const double rates[] = { 50000, 100000, 200000, 400000, 800000, 1600000 };
  g_autoptr(GError) error = NULL;
  ImuRecorderOptions options = { .title = "bench udp", .format = "record-udp" };
  ImuRecordSourceOptions source_options = { .csv_header = "t,ax,ay,az,gx,gy,gz" };
  g_autoptr(ImuRecorder) recorder = imu_recorder_new (library, &options);
  g_autoptr(ImuRecordSource) source = imu_record_source_new ("udp:127.0.0.1:0", &source_options, NULL, &error);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = NULL;
  g_autofree char *address = NULL;
  gint64 index = 0, expected = 0;
  double best_rate = 0, best_cpu = 0;
  pid_t self = getpid ();

  if (source == NULL || !imu_record_source_start (source, recorder, &error)
      || !imu_recorder_start (recorder, TRUE, &error))
    {
      g_printerr ("bench-record: %s\n", error->message);
      return 1;
    }
  address = imu_record_source_dup_address (source);
  to = g_inet_socket_address_new (lo, (guint16) atoi (strrchr (address, ':') + 1));
  printf ("udp flood, %d lines a datagram, 3 s a rate\n", LINES_PER_DATAGRAM);
  printf ("%12s %12s %10s %14s\n", "sent/s", "recorded", "lost", "recorder CPU %");
  for (guint r = 0; r < G_N_ELEMENTS (rates); r++)
    {
      double cpu0 = threads_cpu (self, recorder_threads), cpu1;
      gint64 before = recorded (recorder), got;
      gint64 deadline;
      gint64 sent = flood (socket, to, &index, rates[r], 3.0);

      expected += sent;
      deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;
      while (recorded (recorder) < expected && g_get_monotonic_time () < deadline)
        g_usleep (20000);
      cpu1 = threads_cpu (self, recorder_threads);
      got = recorded (recorder) - before;
      printf ("%12.0f %12" G_GINT64_FORMAT " %10" G_GINT64_FORMAT " %14.1f\n",
              rates[r], got, sent - got, (cpu1 - cpu0) / 3.0 * 100);
      if (got < sent)
        {
          expected = recorded (recorder);
          break;
        }
      best_rate = rates[r];
      best_cpu = (cpu1 - cpu0) / 3.0 * 100;
    }
  imu_record_source_stop (source);
  if (!imu_recorder_stop (recorder, &error))
    {
      g_printerr ("bench-record: %s\n", error->message);
      return 1;
    }

  /* The baseline: socat receiving the same datagrams at the same rate. */
  if (best_rate > 0)
    {
      g_autoptr(GSocket) probe = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autofree char *listen = NULL;
      GPid pid;
      guint16 port;
      double cpu;

      g_socket_bind (probe, any, TRUE, NULL);
      bound = g_socket_get_local_address (probe, NULL);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      g_socket_close (probe, NULL);
      listen = g_strdup_printf ("UDP-RECV:%u,bind=127.0.0.1", port);
      {
        const char *argv[] = { "socat", "-u", listen, "OPEN:/dev/null", NULL };

        if (!g_spawn_async (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                            NULL, NULL, &pid, &error))
          {
            g_printerr ("bench-record: socat: %s\n", error->message);
            return 1;
          }
      }
      g_usleep (300 * 1000);
      g_clear_object (&to);
      to = g_inet_socket_address_new (lo, port);
      flood (socket, to, &index, best_rate, 3.0);
      g_usleep (200 * 1000);
      cpu = threads_cpu (pid, NULL) / 3.0 * 100;
      kill (pid, SIGTERM);
      g_spawn_close_pid (pid);
      printf ("highest rate without loss: %.0f samples/s; recorder CPU %.1f %% of a core, "
              "socat into /dev/null %.1f %% (ratio %.1f)\n",
              best_rate, best_cpu, cpu, cpu > 0 ? best_cpu / cpu : 0);
    }
  return 0;
}

/* ---- phones ---- */

#define N_PHONES 16
#define N_SENSORS 5
#define RATE_HZ 100
#define BATCH_MS 200
#define PHONE_SECONDS 20

typedef struct {
  GMutex  lock;
  GArray *batches;   /* (t response µs, accepted after) */
  GArray *commits;   /* (t commit µs, committed) */
  gint64  accepted;
  ImuRecorder *recorder;
  char   *url;
  guint   failures;
} Phones;

typedef struct { gint64 t; gint64 n; } Mark;

static void
commit_cb (gpointer data)
{
  Phones *p = data;
  Mark m = { g_get_monotonic_time (), committed (p->recorder) };

  g_mutex_lock (&p->lock);
  g_array_append_val (p->commits, m);
  g_mutex_unlock (&p->lock);
}

static const char * const sensor_names[N_SENSORS] = {
  "accelerometer", "gyroscope", "magnetometer", "gravity", "totalacceleration",
};

typedef struct { Phones *p; guint phone; } PhoneArg;

static gpointer
phone_worker (gpointer data)
{
  PhoneArg *arg = data;
  Phones *p = arg->p;
  g_autoptr(SoupSession) session = soup_session_new ();
  gint64 start = g_get_monotonic_time ();
  gint64 t0 = G_GINT64_CONSTANT (1700000000000000000);
  guint per_batch = RATE_HZ * BATCH_MS / 1000;

  for (guint b = 0; b < PHONE_SECONDS * 1000 / BATCH_MS; b++)
    {
      g_autoptr(GString) body = g_string_new (NULL);
      g_autoptr(SoupMessage) msg = soup_message_new (SOUP_METHOD_POST, p->url);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GBytes) reply = NULL;
      gint64 due = start + (gint64) b * BATCH_MS * 1000 + arg->phone * 12000;
      gint64 now = g_get_monotonic_time ();

      if (due > now)
        g_usleep (due - now);
      g_string_append_printf (body, "{\"messageId\": %u, \"sessionId\": \"s%u\", \"deviceId\": \"phone%02u\", \"payload\": [",
                              b, arg->phone, arg->phone);
      for (guint k = 0; k < per_batch; k++)
        for (guint s = 0; s < N_SENSORS; s++)
          {
            gint64 i = (gint64) b * per_batch + k;

            g_string_append_printf (body, "%s{\"name\": \"%s\", \"time\": %" G_GINT64_FORMAT
                                    ", \"values\": {\"x\": %.4f, \"y\": %.4f, \"z\": %.4f}}",
                                    k == 0 && s == 0 ? "" : ", ", sensor_names[s],
                                    t0 + i * 10000000, (i % 100) * 0.01, -0.25, 9.8 + s);
          }
      g_string_append (body, "]}");
      bytes = g_bytes_new (body->str, body->len);
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
      reply = soup_session_send_and_read (session, msg, NULL, NULL);
      g_mutex_lock (&p->lock);
      if (reply != NULL && soup_message_get_status (msg) == SOUP_STATUS_OK)
        {
          Mark m;

          p->accepted += per_batch * N_SENSORS;
          m.t = g_get_monotonic_time ();
          m.n = p->accepted;
          g_array_append_val (p->batches, m);
        }
      else
        p->failures++;
      g_mutex_unlock (&p->lock);
    }
  return NULL;
}

static int
cmp_gint64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static int
bench_phones (const char *library)
{
  g_autoptr(GError) error = NULL;
  ImuRecorderOptions options = { .title = "bench phones", .format = "record-sensorlogger" };
  g_autoptr(ImuRecorder) recorder = imu_recorder_new (library, &options);
  g_autoptr(ImuRecordSource) source = imu_record_source_new ("sensorlogger:127.0.0.1:0", NULL, NULL, &error);
  g_autoptr(GArray) delays = g_array_new (FALSE, FALSE, sizeof (gint64));
  GThread *threads[N_PHONES];
  PhoneArg args[N_PHONES];
  Phones p = { 0 };
  double cpu0, cpu1, wall0, wall1;
  guint c = 0;

  g_mutex_init (&p.lock);
  p.batches = g_array_new (FALSE, FALSE, sizeof (Mark));
  p.commits = g_array_new (FALSE, FALSE, sizeof (Mark));
  p.recorder = recorder;
  imu_recorder_set_commit_func (recorder, commit_cb, &p);
  if (source == NULL || !imu_record_source_start (source, recorder, &error)
      || !imu_recorder_start (recorder, FALSE, &error))
    {
      g_printerr ("bench-record: %s\n", error->message);
      return 1;
    }
  p.url = imu_record_source_dup_address (source);
  cpu0 = threads_cpu (getpid (), recorder_threads);
  wall0 = g_get_monotonic_time () / 1e6;
  for (guint i = 0; i < N_PHONES; i++)
    {
      args[i].p = &p;
      args[i].phone = i;
      threads[i] = g_thread_new ("bench-phone", phone_worker, &args[i]);
    }
  for (guint i = 0; i < N_PHONES; i++)
    g_thread_join (threads[i]);
  /* Two commit intervals for the last batches to land. */
  g_usleep (2 * IMU_RECORD_COMMIT_INTERVAL_MS * 1000);
  cpu1 = threads_cpu (getpid (), recorder_threads);
  wall1 = g_get_monotonic_time () / 1e6;
  imu_record_source_stop (source);
  if (!imu_recorder_stop (recorder, &error))
    {
      g_printerr ("bench-record: %s\n", error->message);
      return 1;
    }

  for (guint b = 0; b < p.batches->len; b++)
    {
      Mark *m = &g_array_index (p.batches, Mark, b);

      while (c < p.commits->len && g_array_index (p.commits, Mark, c).n < m->n)
        c++;
      if (c < p.commits->len)
        {
          gint64 d = MAX (g_array_index (p.commits, Mark, c).t - m->t, 0);

          g_array_append_val (delays, d);
        }
    }
  g_array_sort (delays, cmp_gint64);
  printf ("%d phones × %d sensors × %d Hz, a batch every %d ms, %d s: %u batches accepted, %u failed, "
          "%" G_GINT64_FORMAT " samples\n",
          N_PHONES, N_SENSORS, RATE_HZ, BATCH_MS, PHONE_SECONDS, p.batches->len, p.failures, p.accepted);
  printf ("recorder CPU %.1f %% of a core (%.0f samples/s)\n",
          (cpu1 - cpu0) / (wall1 - wall0) * 100, p.accepted / (wall1 - wall0 - 2.0));
  if (delays->len > 0)
    printf ("response to commit: p50 %.0f ms, p99 %.0f ms, max %.0f ms (commit interval %d ms, ratio p99/interval %.2f)\n",
            g_array_index (delays, gint64, delays->len / 2) / 1e3,
            g_array_index (delays, gint64, (delays->len * 99) / 100) / 1e3,
            g_array_index (delays, gint64, delays->len - 1) / 1e3,
            IMU_RECORD_COMMIT_INTERVAL_MS,
            g_array_index (delays, gint64, (delays->len * 99) / 100) / 1e3 / IMU_RECORD_COMMIT_INTERVAL_MS);
  g_array_unref (p.batches);
  g_array_unref (p.commits);
  g_free (p.url);
  g_mutex_clear (&p.lock);
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc != 3)
    {
      g_printerr ("usage: bench-record udp|phones LIBRARY\n");
      return 2;
    }
  if (g_str_equal (argv[1], "udp"))
    return bench_udp (argv[2]);
  if (g_str_equal (argv[1], "phones"))
    return bench_phones (argv[2]);
  g_printerr ("usage: bench-record udp|phones LIBRARY\n");
  return 2;
}
