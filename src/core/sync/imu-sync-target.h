/* imu-sync-target.h — a place sessions sync to: the backend interface
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One subclass per kind of storage (imu-sync-folder.c, imu-sync-azure.c;
 * S3 and WebDAV follow the same shape). docs/sync.md describes the remote
 * layout and how each backend resumes.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define IMU_SYNC_ERROR (imu_sync_error_quark ())

/**
 * ImuSyncError:
 *
 * What went wrong with a transfer, mapped from HTTP statuses and I/O
 * errors (imu_sync_error_from_http() holds the table) so that the
 * scheduler can decide: the first three are retried with backoff, the
 * others wait for a person (needs-attention). New codes go at the end.
 */
typedef enum {
  IMU_SYNC_ERROR_NETWORK,      /* connection refused/reset, DNS, timeout: retry */
  IMU_SYNC_ERROR_SERVER,       /* 5xx but 503: retry, honouring Retry-After */
  IMU_SYNC_ERROR_THROTTLED,    /* 408, 429, 503: retry, honouring Retry-After */
  IMU_SYNC_ERROR_AUTH,         /* 401, 403: a wrong or expired credential */
  IMU_SYNC_ERROR_NOT_FOUND,    /* 404, 410: no such object (or container) */
  IMU_SYNC_ERROR_INTEGRITY,    /* what landed differs from what was sent (size, sha256) */
  IMU_SYNC_ERROR_CONFIG,       /* a target that cannot work as configured */
  IMU_SYNC_ERROR_INSECURE,     /* plain http to a non-loopback host without --insecure */
  IMU_SYNC_ERROR_TLS,          /* no secure connection: certificate not trusted, handshake failed */
  IMU_SYNC_ERROR_NO_SECRET,    /* the target's secret is missing or cannot be read (imu-sync-targets.h) */
  IMU_SYNC_ERROR_PROTOCOL,     /* an answer we do not understand */
  IMU_SYNC_ERROR_LOCAL,        /* a local file cannot be read or written */
  IMU_SYNC_ERROR_FAILED,
  IMU_SYNC_ERROR_CONFLICT,     /* 409, 412: the object changed or is in use (imu-sync-http.h) */
  IMU_SYNC_ERROR_TARGET_EXISTS, /* adding a target whose name is taken (imu-sync-targets.h) */
} ImuSyncError;

GQuark   imu_sync_error_quark        (void);
/* Whether an error is worth another try later (network, 5xx, 408/429). */
gboolean imu_sync_error_is_transient (const GError *error);

/**
 * ImuSyncTargetConfig:
 * @id: row id in sync_targets (0 until stored)
 * @name: what the user calls it ("lab-azure")
 * @kind: "folder", "azure", "s3", "webdav"
 * @url: the folder path, the container URL, the endpoint (never a secret)
 * @prefix: remote objects go under @prefix/sessions/<uuid>/ ("" for none)
 * @config_json: kind-specific, non-secret settings as a JSON object
 * @secret_id: key of the target's secret in the secret store ("" for none)
 * @insecure: plain http allowed to a non-loopback host
 * @allow_metered: 1 / 0, or -1 when the library's global setting decides
 *
 * A row of sync_targets. Boxed.
 */
typedef struct {
  gint64    id;
  char     *name;
  char     *kind;
  char     *url;
  char     *prefix;
  char     *config_json;
  char     *secret_id;
  gboolean  insecure;
  int       allow_metered;
  gint64    created_us;
} ImuSyncTargetConfig;

#define IMU_TYPE_SYNC_TARGET_CONFIG (imu_sync_target_config_get_type ())
GType                imu_sync_target_config_get_type (void) G_GNUC_CONST;
ImuSyncTargetConfig *imu_sync_target_config_new      (const char *name, const char *kind, const char *url);
ImuSyncTargetConfig *imu_sync_target_config_copy     (const ImuSyncTargetConfig *config);
void                 imu_sync_target_config_free     (ImuSyncTargetConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSyncTargetConfig, imu_sync_target_config_free)
/* A member of config_json as a string (NULL when absent). */
char                *imu_sync_target_config_dup_string (const ImuSyncTargetConfig *config, const char *member);
/* A member of config_json as a boolean (FALSE when absent or not one). */
gboolean             imu_sync_target_config_get_boolean (const ImuSyncTargetConfig *config, const char *member);
/* A member of config_json as an integer (@fallback when absent or not one). */
gint64               imu_sync_target_config_get_int     (const ImuSyncTargetConfig *config, const char *member,
                                                         gint64 fallback);

/**
 * ImuSyncObject:
 *
 * One remote object as list/head see it. Boxed.
 */
typedef struct {
  char   *key;          /* full key, with the prefix */
  gint64  size;
  char   *sha256;       /* from the object's metadata, NULL when it has none */
  char   *etag;
  gint64  modified_us;  /* 0 when unknown */
} ImuSyncObject;

#define IMU_TYPE_SYNC_OBJECT (imu_sync_object_get_type ())
GType          imu_sync_object_get_type (void) G_GNUC_CONST;
ImuSyncObject *imu_sync_object_copy     (const ImuSyncObject *object);
void           imu_sync_object_free     (ImuSyncObject *object);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSyncObject, imu_sync_object_free)

/**
 * ImuSyncTransfer:
 * @resume_json: (nullable): on entry, the state a backend saved during an
 *   earlier, interrupted put of the same bytes (Azure: block ids sent; S3:
 *   upload id and part ETags); backends replace it through
 *   imu_sync_transfer_save_resume() as they go
 * @bytes_done: bytes sent or received so far
 * @bytes_total: size of the whole object
 * @changed: (nullable): called, from the transfer's thread, on progress
 *   (@resume_changed FALSE) and after each durable step (TRUE: the caller
 *   stores @resume_json in the library then, so a crash resumes there)
 *
 * A put or get in progress, shared by the caller and the backend.
 */
typedef struct _ImuSyncTransfer ImuSyncTransfer;
struct _ImuSyncTransfer {
  char     *resume_json;
  guint64   bytes_done;
  guint64   bytes_total;
  void    (*changed) (ImuSyncTransfer *transfer, gboolean resume_changed, gpointer user_data);
  gpointer  user_data;
};

void imu_sync_transfer_clear       (ImuSyncTransfer *transfer);
void imu_sync_transfer_progress    (ImuSyncTransfer *transfer, guint64 bytes_done);
void imu_sync_transfer_save_resume (ImuSyncTransfer *transfer, const char *resume_json);

/**
 * imu_sync_parse_retry_after:
 * @value: (nullable): a Retry-After header: seconds, or an HTTP date
 *
 * For backends. Returns: how many seconds to wait (at most a day; 0 when
 * @value is missing, unreadable or in the past).
 */
guint imu_sync_parse_retry_after (const char *value);

/**
 * imu_sync_receive_file:
 * @in: the body of a successful GET
 * @expected: its Content-Length, or -1 when not known
 * @what: for messages ("download of KEY")
 * @transfer: (nullable): told of the bytes received
 * @read_error: (out): set when reading @in failed (for the backend to
 *   turn into its own error: the connection, a cancel)
 * @error: set for everything else: the local file, a short body
 *
 * For backends: streams @in into @local_path through a temporary file
 * beside it (fsync, then rename), so that @local_path is either whole or
 * untouched. Does not close @in. Exactly one of @read_error and @error is
 * set when it returns FALSE.
 */
gboolean imu_sync_receive_file (GInputStream     *in,
                                gint64            expected,
                                const char       *local_path,
                                const char       *what,
                                ImuSyncTransfer  *transfer,
                                GCancellable     *cancellable,
                                GError          **read_error,
                                GError          **error);

/**
 * ImuSyncTestReport:
 *
 * What `imu target test` found. Each line is one check and its outcome
 * ("list: ok (3 objects)", "SAS permissions (sp=racwdl): read, add, create,
 * write, delete, list"). Boxed.
 */
typedef struct {
  GPtrArray *lines;     /* char*, translated, no secrets */
  gboolean   ok;
} ImuSyncTestReport;

ImuSyncTestReport *imu_sync_test_report_new  (void);
void               imu_sync_test_report_free (ImuSyncTestReport *report);
void               imu_sync_test_report_add  (ImuSyncTestReport *report, const char *format, ...) G_GNUC_PRINTF (2, 3);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ImuSyncTestReport, imu_sync_test_report_free)

#define IMU_TYPE_SYNC_TARGET (imu_sync_target_get_type ())
G_DECLARE_DERIVABLE_TYPE (ImuSyncTarget, imu_sync_target, IMU, SYNC_TARGET, GObject)

/**
 * ImuSyncTargetClass:
 * @setup: reads the config (and the secret, when the kind has one) and
 *   checks it: URL scheme, loopback rule for http, required members.
 * @put: uploads the file at @local_path as @key. @sha256 (hex) of the file
 *   is stored as object metadata where the storage has metadata, and
 *   @content_type as its type. Resumes from @transfer->resume_json when it
 *   applies to the same bytes, sending only what is missing.
 * @get: downloads @key into @local_path (written whole or not at all).
 * @head: the object at @key, or %NULL with %IMU_SYNC_ERROR_NOT_FOUND.
 * @list: every object whose key starts with @prefix (element-type ImuSyncObject).
 * @remove: deletes @key; deleting a missing object is not an error.
 * @test: checks reachability and permissions, filling @report.
 * @abort: (optional) discards what an unfinished put of @key left on the
 *   storage (@resume_json: the transfer's last resume state, nullable):
 *   S3 aborts the multipart upload, the folder removes its temporary
 *   files. %NULL when there is nothing to discard (Azure: uncommitted
 *   blocks expire on their own; WebDAV: the temporary name is not kept).
 *
 * Every vfunc is blocking and may be called from any one thread at a time
 * per instance (the scheduler uses one instance per transfer). Errors are
 * in %IMU_SYNC_ERROR, with messages already redacted.
 */
struct _ImuSyncTargetClass
{
  GObjectClass parent_class;

  gboolean        (*setup)  (ImuSyncTarget        *self,
                             const char           *secret,
                             GError              **error);
  gboolean        (*put)    (ImuSyncTarget        *self,
                             const char           *key,
                             const char           *local_path,
                             const char           *sha256,
                             const char           *content_type,
                             ImuSyncTransfer      *transfer,
                             GCancellable         *cancellable,
                             GError              **error);
  gboolean        (*get)    (ImuSyncTarget        *self,
                             const char           *key,
                             const char           *local_path,
                             ImuSyncTransfer      *transfer,
                             GCancellable         *cancellable,
                             GError              **error);
  ImuSyncObject  *(*head)   (ImuSyncTarget        *self,
                             const char           *key,
                             GCancellable         *cancellable,
                             GError              **error);
  GPtrArray      *(*list)   (ImuSyncTarget        *self,
                             const char           *prefix,
                             GCancellable         *cancellable,
                             GError              **error);
  gboolean        (*remove) (ImuSyncTarget        *self,
                             const char           *key,
                             GCancellable         *cancellable,
                             GError              **error);
  gboolean        (*test)   (ImuSyncTarget        *self,
                             ImuSyncTestReport    *report,
                             GCancellable         *cancellable,
                             GError              **error);
  gboolean        (*abort)  (ImuSyncTarget        *self,
                             const char           *key,
                             const char           *resume_json,
                             GCancellable         *cancellable,
                             GError              **error);

  gpointer padding[7];
};

/**
 * imu_sync_target_new:
 * @config: the target's row
 * @secret: (nullable): its secret (as imu_secrets_lookup() gives it)
 *
 * The backend for @config->kind, set up. Does no I/O.
 */
ImuSyncTarget *imu_sync_target_new            (const ImuSyncTargetConfig *config,
                                               const char                *secret,
                                               GError                   **error);
/* Whether this build has a backend for @kind. */
gboolean       imu_sync_target_kind_supported (const char *kind);
/* Whether the kind reaches storage over the network (a folder does not). */
gboolean       imu_sync_target_kind_uses_network (const char *kind);

const ImuSyncTargetConfig *imu_sync_target_get_config (ImuSyncTarget *self);

/* The remote layout (docs/sync.md): <prefix>/sessions/<uuid>/<file>. */
char          *imu_sync_target_session_key    (ImuSyncTarget *self,
                                               const char    *uuid,
                                               const char    *file);
/* <prefix>/sessions/ — what pull lists. */
char          *imu_sync_target_sessions_prefix (ImuSyncTarget *self);

/* <prefix>/backups/ — where library backups go (imu-sync-backup.h). */
char          *imu_sync_target_backups_prefix (ImuSyncTarget *self);

/* Retry-After the last failed request asked for, in seconds (0 when none);
 * reading it clears it. Backends set it with imu_sync_target_set_retry_after(). */
guint          imu_sync_target_take_retry_after (ImuSyncTarget *self);
void           imu_sync_target_set_retry_after  (ImuSyncTarget *self, guint seconds);

/* The vfuncs, for callers. */
gboolean       imu_sync_target_put    (ImuSyncTarget *self, const char *key, const char *local_path,
                                       const char *sha256, const char *content_type,
                                       ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error);
gboolean       imu_sync_target_get    (ImuSyncTarget *self, const char *key, const char *local_path,
                                       ImuSyncTransfer *transfer, GCancellable *cancellable, GError **error);
ImuSyncObject *imu_sync_target_head   (ImuSyncTarget *self, const char *key,
                                       GCancellable *cancellable, GError **error);
GPtrArray     *imu_sync_target_list   (ImuSyncTarget *self, const char *prefix,
                                       GCancellable *cancellable, GError **error);
gboolean       imu_sync_target_remove (ImuSyncTarget *self, const char *key,
                                       GCancellable *cancellable, GError **error);
gboolean       imu_sync_target_test   (ImuSyncTarget *self, ImuSyncTestReport *report,
                                       GCancellable *cancellable, GError **error);
/* Discards the remote state of a cancelled put of @key (TRUE when the kind
 * has none). Blocking. */
gboolean       imu_sync_target_abort  (ImuSyncTarget *self, const char *key, const char *resume_json,
                                       GCancellable *cancellable, GError **error);

/* Helpers for backends. */

/* For backends' test: lists @prefix (nullable) and adds the outcome
 * ("list: ok (3 objects)"). Blocking. */
void           imu_sync_test_report_list      (ImuSyncTestReport *report, ImuSyncTarget *target, const char *prefix,
                                               GCancellable *cancellable);
/* For backends' test: adds why writing the probe object @probe failed
 * (@write_error), or else removes it again and adds why that failed.
 * Returns TRUE when both worked, for the backend to say so in its words.
 * Blocking. */
gboolean       imu_sync_test_report_probe     (ImuSyncTestReport *report, ImuSyncTarget *target, const char *probe,
                                               const GError *write_error, GCancellable *cancellable);

/* Whether @host is a loopback address or "localhost". */
gboolean       imu_sync_host_is_loopback      (const char *host);
/* Checks an http(s) URL against the TLS rule: https always; http only to
 * loopback or when @insecure. */
gboolean       imu_sync_check_url_security    (const char *url, gboolean insecure, GError **error);
/* sha256 of a file, lowercase hex. Blocking. */
char          *imu_sync_sha256_file           (const char *path, GCancellable *cancellable, GError **error);
/* Opens the file a put sends: its descriptor (-1 with @error), its size in
 * @size and in @transfer's total. Blocking. */
int            imu_sync_open_upload           (const char *local_path, ImuSyncTransfer *transfer, guint64 *size,
                                               GError **error);
/* Reads exactly @len bytes at @offset of @fd (@path names it in the
 * message when the file is shorter or cannot be read). Blocking. */
gboolean       imu_sync_read_at               (int fd, guint8 *buf, gsize len, guint64 offset, const char *path,
                                               GError **error);

G_END_DECLS
