/* imu-session.c — a session's metadata (a row of the sessions table)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-session"

#include <string.h>

#include "imu-session.h"

/* String properties live in one array so that get/set/notify share code. */
typedef enum {
  STR_UUID,
  STR_TITLE,
  STR_SUBJECT,
  STR_ACTIVITY,
  STR_NOTES,
  STR_FRAME,
  STR_ORIGIN,
  STR_ORIGIN_PATH,
  STR_ORIGIN_SHA256,
  STR_DEVICE_VENDOR,
  STR_DEVICE_MODEL,
  STR_DEVICE_SERIAL,
  STR_DEVICE_FIRMWARE,
  N_STRS
} StrField;

struct _ImuSession
{
  GObject    parent_instance;

  gint64     id;
  char      *strs[N_STRS];
  char     **tags;
  gint64     start_ns;
  gint64     end_ns;
  double     nominal_rate;
  int        tz_offset;
  ImuSessionState state;
  gint64     created_us;
  gint64     updated_us;
  GPtrArray *streams;
};

enum {
  PROP_0,
  PROP_ID,
  PROP_UUID,
  PROP_TITLE,
  PROP_SUBJECT,
  PROP_ACTIVITY,
  PROP_NOTES,
  PROP_FRAME,
  PROP_ORIGIN,
  PROP_ORIGIN_PATH,
  PROP_ORIGIN_SHA256,
  PROP_DEVICE_VENDOR,
  PROP_DEVICE_MODEL,
  PROP_DEVICE_SERIAL,
  PROP_DEVICE_FIRMWARE,
  PROP_TAGS,
  PROP_START_NS,
  PROP_END_NS,
  PROP_DURATION_NS,
  PROP_NOMINAL_RATE,
  PROP_TZ_OFFSET,
  PROP_STATE,
  PROP_CREATED_US,
  PROP_UPDATED_US,
  N_PROPS
};

G_DEFINE_FINAL_TYPE (ImuSession, imu_session, G_TYPE_OBJECT)

static GParamSpec *properties[N_PROPS];

#define PROP_FIRST_STR PROP_UUID

static const char * const str_prop_names[N_STRS] = {
  "uuid", "title", "subject", "activity", "notes", "frame", "origin", "origin-path",
  "origin-sha256", "device-vendor", "device-model", "device-serial", "device-firmware",
};

static void
set_str (ImuSession *self, StrField field, const char *value)
{
  if (g_strcmp0 (self->strs[field], value) == 0)
    return;
  g_free (self->strs[field]);
  self->strs[field] = g_strdup (value != NULL ? value : "");
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_STR + field]);
}

static void
imu_session_finalize (GObject *object)
{
  ImuSession *self = IMU_SESSION (object);

  for (guint i = 0; i < N_STRS; i++)
    g_free (self->strs[i]);
  g_strfreev (self->tags);
  g_clear_pointer (&self->streams, g_ptr_array_unref);

  G_OBJECT_CLASS (imu_session_parent_class)->finalize (object);
}

static void
imu_session_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  ImuSession *self = IMU_SESSION (object);

  if (prop_id >= PROP_FIRST_STR && prop_id < PROP_FIRST_STR + N_STRS)
    {
      g_value_set_string (value, self->strs[prop_id - PROP_FIRST_STR]);
      return;
    }

  switch (prop_id)
    {
    case PROP_ID: g_value_set_int64 (value, self->id); break;
    case PROP_TAGS: g_value_set_boxed (value, self->tags); break;
    case PROP_START_NS: g_value_set_int64 (value, self->start_ns); break;
    case PROP_END_NS: g_value_set_int64 (value, self->end_ns); break;
    case PROP_DURATION_NS: g_value_set_int64 (value, imu_session_get_duration_ns (self)); break;
    case PROP_NOMINAL_RATE: g_value_set_double (value, self->nominal_rate); break;
    case PROP_TZ_OFFSET: g_value_set_int (value, self->tz_offset); break;
    case PROP_STATE: g_value_set_int (value, self->state); break;
    case PROP_CREATED_US: g_value_set_int64 (value, self->created_us); break;
    case PROP_UPDATED_US: g_value_set_int64 (value, self->updated_us); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_session_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  ImuSession *self = IMU_SESSION (object);

  if (prop_id >= PROP_FIRST_STR && prop_id < PROP_FIRST_STR + N_STRS)
    {
      set_str (self, prop_id - PROP_FIRST_STR, g_value_get_string (value));
      return;
    }

  switch (prop_id)
    {
    case PROP_ID: self->id = g_value_get_int64 (value); break;
    case PROP_TAGS: imu_session_set_tags (self, g_value_get_boxed (value)); break;
    case PROP_START_NS:
      self->start_ns = g_value_get_int64 (value);
      g_object_notify_by_pspec (object, properties[PROP_DURATION_NS]);
      break;
    case PROP_END_NS:
      self->end_ns = g_value_get_int64 (value);
      g_object_notify_by_pspec (object, properties[PROP_DURATION_NS]);
      break;
    /* Explicit notify: a view hears of a value that changed, not of one set again. */
#define SET_AND_NOTIFY(field, getter) \
    G_STMT_START { \
      if (self->field != getter (value)) \
        { \
          self->field = getter (value); \
          g_object_notify_by_pspec (object, pspec); \
        } \
    } G_STMT_END
    case PROP_NOMINAL_RATE: SET_AND_NOTIFY (nominal_rate, g_value_get_double); break;
    case PROP_TZ_OFFSET: SET_AND_NOTIFY (tz_offset, g_value_get_int); break;
    case PROP_STATE:
      if ((int) self->state != g_value_get_int (value))
        {
          self->state = g_value_get_int (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_CREATED_US: SET_AND_NOTIFY (created_us, g_value_get_int64); break;
    case PROP_UPDATED_US: SET_AND_NOTIFY (updated_us, g_value_get_int64); break;
#undef SET_AND_NOTIFY
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
imu_session_class_init (ImuSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = imu_session_finalize;
  object_class->get_property = imu_session_get_property;
  object_class->set_property = imu_session_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  for (guint i = 0; i < N_STRS; i++)
    properties[PROP_FIRST_STR + i] = g_param_spec_string (str_prop_names[i], NULL, NULL, "", flags);
  properties[PROP_TAGS] = g_param_spec_boxed ("tags", NULL, NULL, G_TYPE_STRV, flags);
  properties[PROP_START_NS] = g_param_spec_int64 ("start-ns", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_END_NS] = g_param_spec_int64 ("end-ns", NULL, NULL, G_MININT64, G_MAXINT64, 0, flags);
  properties[PROP_DURATION_NS] = g_param_spec_int64 ("duration-ns", NULL, NULL, 0, G_MAXINT64, 0,
                                                     G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_NOMINAL_RATE] = g_param_spec_double ("nominal-rate", NULL, NULL, 0, G_MAXDOUBLE, 0, flags);
  properties[PROP_TZ_OFFSET] = g_param_spec_int ("tz-offset", NULL, NULL, -24 * 3600, 24 * 3600, 0, flags);
  properties[PROP_STATE] = g_param_spec_int ("state", NULL, NULL, 0, IMU_SESSION_STATE_COMPLETE,
                                             IMU_SESSION_STATE_COMPLETE, flags);
  properties[PROP_CREATED_US] = g_param_spec_int64 ("created-us", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_UPDATED_US] = g_param_spec_int64 ("updated-us", NULL, NULL, 0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
imu_session_init (ImuSession *self)
{
  for (guint i = 0; i < N_STRS; i++)
    self->strs[i] = g_strdup ("");
  self->strs[STR_ORIGIN] = (g_free (self->strs[STR_ORIGIN]), g_strdup ("imported"));
  self->tags = g_new0 (char *, 1);
  self->state = IMU_SESSION_STATE_COMPLETE;
  self->streams = g_ptr_array_new_with_free_func ((GDestroyNotify) imu_stream_info_free);
}

/**
 * imu_session_new:
 *
 * Returns: (transfer full): an empty session (not in any library yet)
 */
ImuSession *
imu_session_new (void)
{
  return g_object_new (IMU_TYPE_SESSION, NULL);
}

#define STR_GETTER(fn, field) \
  const char *imu_session_get_##fn (ImuSession *self) \
  { g_return_val_if_fail (IMU_IS_SESSION (self), NULL); return self->strs[field]; }
#define STR_SETTER(fn, field) \
  void imu_session_set_##fn (ImuSession *self, const char *value) \
  { g_return_if_fail (IMU_IS_SESSION (self)); set_str (self, field, value); }

STR_GETTER (uuid, STR_UUID)
STR_GETTER (title, STR_TITLE)
STR_SETTER (title, STR_TITLE)
STR_GETTER (subject, STR_SUBJECT)
STR_SETTER (subject, STR_SUBJECT)
STR_GETTER (activity, STR_ACTIVITY)
STR_SETTER (activity, STR_ACTIVITY)
STR_GETTER (notes, STR_NOTES)
STR_SETTER (notes, STR_NOTES)
STR_GETTER (origin, STR_ORIGIN)
STR_GETTER (origin_path, STR_ORIGIN_PATH)
STR_GETTER (origin_sha256, STR_ORIGIN_SHA256)
STR_GETTER (device_vendor, STR_DEVICE_VENDOR)
STR_GETTER (device_model, STR_DEVICE_MODEL)
STR_GETTER (device_serial, STR_DEVICE_SERIAL)

gint64
imu_session_get_id (ImuSession *self)
{
  g_return_val_if_fail (IMU_IS_SESSION (self), 0);
  return self->id;
}

const char * const *
imu_session_get_tags (ImuSession *self)
{
  g_return_val_if_fail (IMU_IS_SESSION (self), NULL);
  return (const char * const *) self->tags;
}

void
imu_session_set_tags (ImuSession         *self,
                      const char * const *tags)
{
  g_return_if_fail (IMU_IS_SESSION (self));

  if (tags == NULL)
    {
      static const char * const none[] = { NULL };
      tags = none;
    }
  if (g_strv_equal ((const char * const *) self->tags, tags))
    return;
  g_strfreev (self->tags);
  self->tags = g_strdupv ((char **) tags);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TAGS]);
}

gint64 imu_session_get_start_ns (ImuSession *self) { g_return_val_if_fail (IMU_IS_SESSION (self), 0); return self->start_ns; }
gint64 imu_session_get_end_ns (ImuSession *self) { g_return_val_if_fail (IMU_IS_SESSION (self), 0); return self->end_ns; }
double imu_session_get_nominal_rate (ImuSession *self) { g_return_val_if_fail (IMU_IS_SESSION (self), 0); return self->nominal_rate; }
int imu_session_get_tz_offset (ImuSession *self) { g_return_val_if_fail (IMU_IS_SESSION (self), 0); return self->tz_offset; }
ImuSessionState imu_session_get_state (ImuSession *self) { g_return_val_if_fail (IMU_IS_SESSION (self), 0); return self->state; }
gint64 imu_session_get_created_us (ImuSession *self) { g_return_val_if_fail (IMU_IS_SESSION (self), 0); return self->created_us; }
gint64 imu_session_get_updated_us (ImuSession *self) { g_return_val_if_fail (IMU_IS_SESSION (self), 0); return self->updated_us; }

gint64
imu_session_get_duration_ns (ImuSession *self)
{
  g_return_val_if_fail (IMU_IS_SESSION (self), 0);
  return self->end_ns > self->start_ns ? self->end_ns - self->start_ns : 0;
}

GPtrArray *
imu_session_get_streams (ImuSession *self)
{
  g_return_val_if_fail (IMU_IS_SESSION (self), NULL);
  return self->streams;
}

/* Takes ownership of @info. */
void
imu_session_add_stream (ImuSession    *self,
                        ImuStreamInfo *info)
{
  g_return_if_fail (IMU_IS_SESSION (self));
  g_return_if_fail (info != NULL);
  g_ptr_array_add (self->streams, info);
}

static gboolean
contains_casefolded (const char *haystack, const char *needle)
{
  g_autofree char *folded = NULL;

  if (haystack == NULL || *haystack == '\0')
    return FALSE;
  folded = g_utf8_casefold (haystack, -1);
  return strstr (folded, needle) != NULL;
}

gboolean
imu_session_matches (ImuSession *self,
                     const char *casefolded_text)
{
  g_return_val_if_fail (IMU_IS_SESSION (self), FALSE);

  if (casefolded_text == NULL || *casefolded_text == '\0')
    return TRUE;
  if (contains_casefolded (self->strs[STR_TITLE], casefolded_text)
      || contains_casefolded (self->strs[STR_SUBJECT], casefolded_text)
      || contains_casefolded (self->strs[STR_ACTIVITY], casefolded_text)
      || contains_casefolded (self->strs[STR_NOTES], casefolded_text))
    return TRUE;
  for (guint i = 0; self->tags[i] != NULL; i++)
    if (contains_casefolded (self->tags[i], casefolded_text))
      return TRUE;
  return FALSE;
}

const char *
imu_session_state_to_string (ImuSessionState state)
{
  switch (state)
    {
    case IMU_SESSION_STATE_RECORDING: return "recording";
    case IMU_SESSION_STATE_INTERRUPTED: return "interrupted";
    case IMU_SESSION_STATE_COMPLETE:
    default: return "complete";
    }
}
