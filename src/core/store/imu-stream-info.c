/* imu-stream-info.c — description of a stream and its channels
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-stream-info"

#include <math.h>
#include <string.h>

#include "imu-stream-info.h"

G_DEFINE_BOXED_TYPE (ImuStreamInfo, imu_stream_info, imu_stream_info_copy, imu_stream_info_free)

static const char * const time_kind_names[] = {
  [IMU_TIME_NONE] = "none",
  [IMU_TIME_EPOCH_S] = "epoch_s",
  [IMU_TIME_EPOCH_MS] = "epoch_ms",
  [IMU_TIME_EPOCH_US] = "epoch_us",
  [IMU_TIME_EPOCH_NS] = "epoch_ns",
  [IMU_TIME_RELATIVE_S] = "relative_s",
  [IMU_TIME_RELATIVE_MS] = "relative_ms",
  [IMU_TIME_ISO8601] = "iso8601",
  [IMU_TIME_DATETIME] = "datetime",
};

const char *
imu_time_kind_to_string (ImuTimeKind kind)
{
  if ((guint) kind >= G_N_ELEMENTS (time_kind_names))
    return "none";
  return time_kind_names[kind];
}

gboolean
imu_time_kind_parse (const char  *str,
                     ImuTimeKind *out)
{
  for (guint i = 0; str != NULL && i < G_N_ELEMENTS (time_kind_names); i++)
    if (g_strcmp0 (time_kind_names[i], str) == 0)
      {
        *out = (ImuTimeKind) i;
        return TRUE;
      }
  return FALSE;
}

ImuTimeKind
imu_time_kind_from_string (const char *str)
{
  if (str == NULL)
    return IMU_TIME_NONE;
  for (guint i = 0; i < G_N_ELEMENTS (time_kind_names); i++)
    if (g_strcmp0 (time_kind_names[i], str) == 0)
      return (ImuTimeKind) i;
  return IMU_TIME_NONE;
}

ImuStreamInfo *
imu_stream_info_new (const char *name,
                     guint       n_channels)
{
  ImuStreamInfo *info = g_new0 (ImuStreamInfo, 1);

  info->name = g_strdup (name);
  info->n_channels = n_channels;
  info->channels = g_new0 (ImuChannelInfo, MAX (n_channels, 1));
  for (guint i = 0; i < n_channels; i++)
    {
      info->channels[i].decimals = -1;
      info->channels[i].range_min = NAN;
      info->channels[i].range_max = NAN;
    }
  info->time_format.decimals = -1;
  return info;
}

ImuStreamInfo *
imu_stream_info_copy (const ImuStreamInfo *info)
{
  ImuStreamInfo *copy;

  g_return_val_if_fail (info != NULL, NULL);

  copy = g_memdup2 (info, sizeof *info);
  copy->name = g_strdup (info->name);
  copy->kind = g_strdup (info->kind);
  copy->time_format.column = g_strdup (info->time_format.column);
  copy->channels = g_new0 (ImuChannelInfo, MAX (info->n_channels, 1));
  for (guint i = 0; i < info->n_channels; i++)
    {
      copy->channels[i] = info->channels[i];
      copy->channels[i].name = g_strdup (info->channels[i].name);
      copy->channels[i].unit = g_strdup (info->channels[i].unit);
      copy->channels[i].kind = g_strdup (info->channels[i].kind);
    }
  return copy;
}

void
imu_stream_info_free (ImuStreamInfo *info)
{
  if (info == NULL)
    return;
  for (guint i = 0; i < info->n_channels; i++)
    {
      g_free (info->channels[i].name);
      g_free (info->channels[i].unit);
      g_free (info->channels[i].kind);
    }
  g_free (info->channels);
  g_free (info->name);
  g_free (info->kind);
  g_free (info->time_format.column);
  g_free (info);
}

void
imu_stream_info_set_channel (ImuStreamInfo *info,
                             guint          index,
                             const char    *name,
                             const char    *unit,
                             const char    *kind)
{
  ImuChannelInfo *ch;

  g_return_if_fail (info != NULL);
  g_return_if_fail (index < info->n_channels);

  ch = &info->channels[index];
  g_free (ch->name);
  g_free (ch->unit);
  g_free (ch->kind);
  ch->name = g_strdup (name);
  ch->unit = g_strdup (unit != NULL ? unit : "");
  ch->kind = g_strdup (kind != NULL ? kind : imu_guess_channel_kind (name, unit));
}

int
imu_stream_info_find_channel (const ImuStreamInfo *info,
                              const char          *name)
{
  g_return_val_if_fail (info != NULL, -1);

  for (guint i = 0; i < info->n_channels; i++)
    if (g_strcmp0 (info->channels[i].name, name) == 0)
      return (int) i;
  return -1;
}

static gboolean
has_prefix_ci (const char *s, const char *prefix)
{
  return g_ascii_strncasecmp (s, prefix, strlen (prefix)) == 0;
}

const char *
imu_guess_channel_kind (const char *name,
                        const char *unit)
{
  if (unit != NULL && *unit != '\0')
    {
      if (g_str_equal (unit, "g") || g_str_equal (unit, "mg") || g_str_equal (unit, "m/s^2")
          || g_str_equal (unit, "m/s²") || g_str_equal (unit, "m/s2") || g_str_equal (unit, "1/64 g"))
        return "accel";
      if (g_str_equal (unit, "deg/s") || g_str_equal (unit, "rad/s") || g_str_equal (unit, "dps")
          || g_str_equal (unit, "°/s") || g_str_equal (unit, "mDeg/s"))
        return "gyro";
      if (g_str_equal (unit, "µT") || g_str_equal (unit, "uT") || g_str_equal (unit, "mT")
          || g_str_equal (unit, "nT") || g_str_equal (unit, "G") || g_str_equal (unit, "mG")
          || g_str_equal (unit, "gauss"))
        return "mag";
    }
  if (name == NULL)
    return NULL;
  if (has_prefix_ci (name, "acc") || has_prefix_ci (name, "freeacc") || has_prefix_ci (name, "scaledaccel")
      || has_prefix_ci (name, "gravity") || has_prefix_ci (name, "acceleration"))
    return "accel";
  if (has_prefix_ci (name, "gyr") || has_prefix_ci (name, "rotationrate") || has_prefix_ci (name, "scaledgyro"))
    return "gyro";
  if (has_prefix_ci (name, "mag") || has_prefix_ci (name, "scaledmag"))
    return "mag";
  if (has_prefix_ci (name, "quat") || has_prefix_ci (name, "estorientquaternion")
      || g_ascii_strcasecmp (name, "roll") == 0 || g_ascii_strcasecmp (name, "pitch") == 0
      || g_ascii_strcasecmp (name, "yaw") == 0 || has_prefix_ci (name, "euler"))
    return "orientation";
  return NULL;
}
