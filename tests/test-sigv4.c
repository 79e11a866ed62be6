/* test-sigv4.c — the SigV4 signer against AWS's examples and AWS's own signer
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two independent references: the worked examples of the S3 documentation
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html,
 * their canonical requests and signatures copied from the page), and
 * @aws-sdk/signature-v4 from npm, run with node on the same inputs.
 */
#define G_LOG_DOMAIN "imu-test"

#include <string.h>

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "imu-sigv4.h"
#include "imu-test-servers.h"
#include "imu-test-util.h"

#define EX_ACCESS "AKIAIOSFODNN7EXAMPLE"
#define EX_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EX_HOST "examplebucket.s3.amazonaws.com"
#define EX_DATE "20130524T000000Z"

static void
test_uri_encode (void)
{
  static const struct { const char *in; gboolean keep_slash; const char *out; } cases[] = {
    { "AZaz09-._~", FALSE, "AZaz09-._~" },
    { "a b", FALSE, "a%20b" },                       /* never "+" */
    { "a+b=c&d", FALSE, "a%2Bb%3Dc%26d" },
    { "sessions/x", FALSE, "sessions%2Fx" },
    { "sessions/x", TRUE, "sessions/x" },
    { "test$file.text", TRUE, "test%24file.text" },
    { "ü", FALSE, "%C3%BC" },                        /* U+00FC is C3 BC in UTF-8 */
    { "日本", FALSE, "%E6%97%A5%E6%9C%AC" },          /* U+65E5 U+672C */
    { "*'()!", FALSE, "%2A%27%28%29%21" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = imu_sigv4_uri_encode (cases[i].in, cases[i].keep_slash);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
}

static void
test_canonical_query (void)
{
  const char *params[] = { "uploadId", "abc", "partNumber", "10", "prefix", "a b/ü", "uploads", "", NULL };
  const char *none[] = { NULL };
  g_autofree char *q = imu_sigv4_canonical_query (params);
  g_autofree char *empty = imu_sigv4_canonical_query (none);
  g_autofree char *null = imu_sigv4_canonical_query (NULL);

  /* Sorted by name in byte order: upper case before lower case. */
  g_assert_cmpstr (q, ==, "partNumber=10&prefix=a%20b%2F%C3%BC&uploadId=abc&uploads=");
  g_assert_cmpstr (empty, ==, "");
  g_assert_cmpstr (null, ==, "");
}

static void
test_format_date (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_offset (2 * 3600);
  g_autoptr(GDateTime) local = g_date_time_new (tz, 2013, 5, 24, 2, 0, 0);
  g_autofree char *text = imu_sigv4_format_date (local);

  g_assert_cmpstr (text, ==, EX_DATE);
}

/* "GET Object" of the S3 documentation. */
static void
test_aws_example_get_object (void)
{
  g_autoptr(ImuSigv4) signer = imu_sigv4_new (EX_ACCESS, EX_SECRET, "us-east-1", "s3");
  const char *headers[] = { "Host", EX_HOST, "Range", "bytes=0-9", "x-amz-content-sha256", IMU_SIGV4_EMPTY_SHA256,
                            "x-amz-date", EX_DATE, NULL };
  g_autofree char *canonical = NULL;
  g_autofree char *sts = NULL;
  g_autofree char *auth = imu_sigv4_sign (signer, "GET", "/test.txt", NULL, headers, &canonical, &sts);

  g_assert_cmpstr (canonical, ==,
                   "GET\n/test.txt\n\n"
                   "host:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
                   "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
                   "x-amz-date:20130524T000000Z\n\n"
                   "host;range;x-amz-content-sha256;x-amz-date\n"
                   "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  g_assert_cmpstr (sts, ==,
                   "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                   "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  g_assert_cmpstr (auth, ==,
                   "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                   "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                   "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

/* "PUT Object": a payload, a character to encode in the key, a Date header. */
static void
test_aws_example_put_object (void)
{
  g_autoptr(ImuSigv4) signer = imu_sigv4_new (EX_ACCESS, EX_SECRET, "us-east-1", "s3");
  g_autofree char *payload_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "Welcome to Amazon S3.", -1);
  g_autofree char *path = imu_sigv4_uri_encode ("/test$file.text", TRUE);
  const char *headers[] = { "Host", EX_HOST, "Date", "Fri, 24 May 2013 00:00:00 GMT",
                            "x-amz-date", EX_DATE, "x-amz-storage-class", "REDUCED_REDUNDANCY",
                            "x-amz-content-sha256", payload_sha, NULL };
  g_autofree char *auth = imu_sigv4_sign (signer, "PUT", path, NULL, headers, NULL, NULL);

  g_assert_cmpstr (payload_sha, ==, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  g_assert_cmpstr (auth, ==,
                   "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                   "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
                   "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

/* "GET Bucket Lifecycle": a query parameter without a value. */
static void
test_aws_example_lifecycle (void)
{
  g_autoptr(ImuSigv4) signer = imu_sigv4_new (EX_ACCESS, EX_SECRET, "us-east-1", "s3");
  const char *params[] = { "lifecycle", "", NULL };
  const char *headers[] = { "Host", EX_HOST, "x-amz-date", EX_DATE, "x-amz-content-sha256", IMU_SIGV4_EMPTY_SHA256, NULL };
  g_autofree char *auth = imu_sigv4_sign (signer, "GET", "/", params, headers, NULL, NULL);

  g_assert_cmpstr (auth, ==,
                   "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                   "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                   "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

/* "Get Bucket (List Objects)": two parameters to sort. */
static void
test_aws_example_list_objects (void)
{
  g_autoptr(ImuSigv4) signer = imu_sigv4_new (EX_ACCESS, EX_SECRET, "us-east-1", "s3");
  const char *params[] = { "prefix", "J", "max-keys", "2", NULL };
  const char *headers[] = { "Host", EX_HOST, "x-amz-date", EX_DATE, "x-amz-content-sha256", IMU_SIGV4_EMPTY_SHA256, NULL };
  g_autofree char *auth = imu_sigv4_sign (signer, "GET", "/", params, headers, NULL, NULL);

  g_assert_cmpstr (auth, ==,
                   "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                   "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
                   "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

/* A header's value is trimmed and its inner blanks squeezed before signing:
 * the same signature as with the clean value. */
static void
test_header_whitespace (void)
{
  g_autoptr(ImuSigv4) signer = imu_sigv4_new (EX_ACCESS, EX_SECRET, "us-east-1", "s3");
  const char *messy[] = { "HOST", "  " EX_HOST "  ", "range", "bytes=0-9", "X-Amz-Content-Sha256", IMU_SIGV4_EMPTY_SHA256,
                          "x-amz-date", EX_DATE, "x-amz-meta-note", "  a   b\t c ", NULL };
  const char *clean[] = { "host", EX_HOST, "range", "bytes=0-9", "x-amz-content-sha256", IMU_SIGV4_EMPTY_SHA256,
                          "x-amz-date", EX_DATE, "x-amz-meta-note", "a b c", NULL };
  g_autofree char *a = imu_sigv4_sign (signer, "GET", "/test.txt", NULL, messy, NULL, NULL);
  g_autofree char *b = imu_sigv4_sign (signer, "GET", "/test.txt", NULL, clean, NULL, NULL);

  g_assert_cmpstr (a, ==, b);
}

/* ---- against @aws-sdk/signature-v4 ---- */

/* Signs with AWS's npm signer in node: the same request, the same date. */
static const char node_script[] =
  "const { SignatureV4 } = require('@aws-sdk/signature-v4');\n"
  "const { Sha256 } = require('@aws-crypto/sha256-js');\n"
  "const r = JSON.parse(process.argv[1]);\n"
  "const m = /^(\\d{4})(\\d{2})(\\d{2})T(\\d{2})(\\d{2})(\\d{2})Z$/.exec(r.date);\n"
  "const signingDate = new Date(Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +m[6]));\n"
  "const signer = new SignatureV4({ service: 's3', region: r.region, sha256: Sha256, uriEscapePath: false,\n"
  "  applyChecksum: false, credentials: { accessKeyId: r.access, secretAccessKey: r.secret } });\n"
  "signer.sign({ method: r.method, protocol: 'https:', hostname: r.headers.host, path: r.path,\n"
  "  query: r.query, headers: r.headers }, { signingDate })\n"
  "  .then(s => process.stdout.write(s.headers.authorization));\n";

typedef struct {
  const char *name;
  const char *method;
  const char *key;                 /* NULL: the bucket */
  const char *params[9];
  const char *headers[9];          /* besides host, x-amz-date, x-amz-content-sha256 */
  const char *payload;             /* NULL: none */
} NodeCase;

static const NodeCase node_cases[] = {
  { "get-list-query", "GET", NULL,
    { "list-type", "2", "prefix", "lab/sessions/", "continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=",
      "max-keys", "1000" },
    { NULL }, NULL },
  { "put-payload", "PUT", "lab/sessions/0d6f3c1e/bundle.imub", { NULL },
    { "Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==", "Content-Type", "application/vnd.imu-studio.bundle",
      "x-amz-meta-sha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" },
    "hello" },
  { "create-multipart", "POST", "lab/sessions/0d6f3c1e/bundle.imub", { "uploads", "" },
    { "Content-Type", "application/vnd.imu-studio.bundle",
      "x-amz-meta-sha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" },
    NULL },
  { "upload-part", "PUT", "lab/sessions/0d6f3c1e/bundle.imub",
    { "partNumber", "1", "uploadId", "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA" },
    { "Content-MD5", "XUFAKrxLKna5cZ2REBfFkg==" }, "hello" },
  { "list-parts", "GET", "lab/sessions/0d6f3c1e/bundle.imub",
    { "uploadId", "abc", "part-number-marker", "12" }, { NULL }, NULL },
  { "key-with-space-and-unicode", "PUT", "lab/sessions/Jürgen's run 日本/bundle (1).imub", { NULL },
    { "x-amz-meta-sha256", "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" }, "hello" },
  { "query-with-unicode", "GET", NULL, { "list-type", "2", "prefix", "Jürgen a+b/" }, { NULL }, NULL },
};

static char *
node_sign (const char *json)
{
  g_autofree char *cwd = imu_test_servers_path ("");
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  char *out = NULL;

  /* require() in `node -e` resolves from the working directory. */
  g_subprocess_launcher_set_cwd (launcher, cwd);
  process = g_subprocess_launcher_spawn (launcher, &error, "node", "-e", node_script, json, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 0);
  return out;
}

static void
test_node (gconstpointer data)
{
  const NodeCase *c = data;
  g_autoptr(ImuSigv4) signer = imu_sigv4_new ("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "eu-central-1", "s3");
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *path = NULL;
  g_autofree char *payload_sha = NULL;
  g_autofree char *json = NULL;
  g_autofree char *ours = NULL;
  g_autofree char *theirs = NULL;

  if (!imu_test_node_available ("@aws-sdk/signature-v4"))
    return;

  payload_sha = c->payload != NULL ? g_compute_checksum_for_string (G_CHECKSUM_SHA256, c->payload, -1)
                                   : g_strdup (IMU_SIGV4_EMPTY_SHA256);
  if (c->key != NULL)
    {
      g_autofree char *encoded = imu_sigv4_uri_encode (c->key, TRUE);

      path = g_strconcat ("/imu-bucket/", encoded, NULL);
    }
  else
    path = g_strdup ("/imu-bucket");
  g_ptr_array_add (headers, g_strdup ("host"));
  g_ptr_array_add (headers, g_strdup ("127.0.0.1:9000"));
  g_ptr_array_add (headers, g_strdup ("x-amz-date"));
  g_ptr_array_add (headers, g_strdup ("20240312T173000Z"));
  g_ptr_array_add (headers, g_strdup ("x-amz-content-sha256"));
  g_ptr_array_add (headers, g_strdup (payload_sha));
  for (guint i = 0; c->headers[i] != NULL; i += 2)
    {
      g_ptr_array_add (headers, g_strdup (c->headers[i]));
      g_ptr_array_add (headers, g_strdup (c->headers[i + 1]));
    }
  g_ptr_array_add (headers, NULL);
  ours = imu_sigv4_sign (signer, c->method, path, c->params, (const char * const *) headers->pdata, NULL, NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "method");
  json_builder_add_string_value (b, c->method);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, path);
  json_builder_set_member_name (b, "date");
  json_builder_add_string_value (b, "20240312T173000Z");
  json_builder_set_member_name (b, "region");
  json_builder_add_string_value (b, "eu-central-1");
  json_builder_set_member_name (b, "access");
  json_builder_add_string_value (b, "AKIDEXAMPLE");
  json_builder_set_member_name (b, "secret");
  json_builder_add_string_value (b, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  json_builder_set_member_name (b, "query");
  json_builder_begin_object (b);
  for (guint i = 0; c->params[i] != NULL; i += 2)
    {
      json_builder_set_member_name (b, c->params[i]);
      json_builder_add_string_value (b, c->params[i + 1]);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "headers");
  json_builder_begin_object (b);
  for (guint i = 0; g_ptr_array_index (headers, i) != NULL; i += 2)
    {
      json_builder_set_member_name (b, g_ptr_array_index (headers, i));
      json_builder_add_string_value (b, g_ptr_array_index (headers, i + 1));
    }
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json = json_generator_to_data (gen, NULL);

  theirs = node_sign (json);
  g_assert_cmpstr (ours, ==, theirs);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/sigv4/uri-encode", test_uri_encode);
  g_test_add_func ("/core/sigv4/canonical-query", test_canonical_query);
  g_test_add_func ("/core/sigv4/format-date", test_format_date);
  g_test_add_func ("/core/sigv4/aws-example/get-object", test_aws_example_get_object);
  g_test_add_func ("/core/sigv4/aws-example/put-object", test_aws_example_put_object);
  g_test_add_func ("/core/sigv4/aws-example/get-bucket-lifecycle", test_aws_example_lifecycle);
  g_test_add_func ("/core/sigv4/aws-example/list-objects", test_aws_example_list_objects);
  g_test_add_func ("/core/sigv4/header-whitespace", test_header_whitespace);
  for (guint i = 0; i < G_N_ELEMENTS (node_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/sigv4/aws-signer/%s", node_cases[i].name);

      g_test_add_data_func (path, &node_cases[i], test_node);
    }
  return g_test_run ();
}
