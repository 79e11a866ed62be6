/* imu-profile-report.c — the profile's outputs: profile.json, metrics.csv
 * and report.html (one self-contained page: inline CSS and SVG, no script,
 * nothing fetched)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "imu-profile"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "imu-profile-private.h"
#include "imu-series.h"

#define NS_PER_S 1e9
/* Plot geometry (CSS pixels). */
#define PLOT_W        1040
#define PLOT_LEFT     120
#define PLOT_RIGHT    16
#define LANE_H        64
#define LANE_GAP      8
#define AXIS_H        26
#define HIST_W        232
#define HIST_H        96
#define EPOCH_H       150

static const char *channel_colors[] = {
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
};

static const struct {
  const char *name;
  const char *color;
  const char *label;   /* translated at use */
} intensity_classes[] = {
  { "sedentary", "#9aa5b1", N_("Sedentary") },
  { "light",     "#6fbf73", N_("Light") },
  { "moderate",  "#f0b429", N_("Moderate") },
  { "vigorous",  "#e4572e", N_("Vigorous") },
  { "nonwear",   "#d5d9de", N_("Not worn") },
};

/* ---- writing ---- */

static gboolean
write_all (GOutputStream  *out,
           const char     *data,
           gsize           len,
           GCancellable   *cancellable,
           GError        **error)
{
  if (!g_output_stream_write_all (out, data, len, NULL, cancellable, error))
    {
      if (error != NULL && *error != NULL && !g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (error, _("Writing the profile: "));
      return FALSE;
    }
  return TRUE;
}

gboolean
imu_profile_write_json (ImuProfile    *self,
                        GOutputStream *out,
                        GCancellable  *cancellable,
                        GError       **error)
{
  gsize len = 0;
  g_autofree char *text = imu_profile_root_to_text (imu_profile_get_root (self), TRUE, &len);

  return write_all (out, text, len, cancellable, error)
         && write_all (out, "\n", 1, cancellable, error);
}

/* ---- JSON access ---- */

static JsonObject *
obj (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
arr (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static const char *
str (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
         ? json_node_get_string (n) : NULL;
}

static gint64
integer (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) ? json_node_get_int (n) : 0;
}

static gboolean
boolean (JsonObject *o, const char *member)
{
  JsonNode *n = o != NULL ? json_object_get_member (o, member) : NULL;

  return n != NULL && JSON_NODE_HOLDS_VALUE (n) && json_node_get_boolean (n);
}

static double
num (JsonObject *o, const char *member)
{
  return imu_json_get_double (o, member);
}

static double
arr_num (JsonArray *a, guint i)
{
  JsonNode *n;

  if (a == NULL || i >= json_array_get_length (a))
    return NAN;
  n = json_array_get_element (a, i);
  return JSON_NODE_HOLDS_VALUE (n) ? json_node_get_double (n) : NAN;
}

static const char *
arr_str (JsonArray *a, guint i)
{
  JsonNode *n;

  if (a == NULL || i >= json_array_get_length (a))
    return NULL;
  n = json_array_get_element (a, i);
  return JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING ? json_node_get_string (n) : NULL;
}

/* ---- metrics.csv ---- */

static void
csv_number (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (s, ',');
  if (!isfinite (v))
    return;
  imu_format_shortest (buf, v);
  g_string_append (s, buf);
}

static void
csv_field (GString *s, const char *text)
{
  g_string_append_c (s, ',');
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\n\r") != NULL)
    {
      g_string_append_c (s, '"');
      for (const char *p = text; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (s, '"');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
    }
  else
    g_string_append (s, text);
}

gboolean
imu_profile_write_metrics_csv (ImuProfile    *self,
                               GOutputStream *out,
                               GCancellable  *cancellable,
                               GError       **error)
{
  JsonObject *root = json_node_get_object (imu_profile_get_root (self));
  JsonArray *streams = arr (root, "streams");
  g_autoptr(GString) s = g_string_new ("start,stream,samples,enmo_mg,mean_x_g,std_x_g,mean_y_g,std_y_g,"
                                       "mean_z_g,std_z_g,magnitude_g,intensity,nonwear,peaks\n");

  for (guint i = 0; streams != NULL && i < json_array_get_length (streams); i++)
    {
      JsonObject *st = json_array_get_object_element (streams, i);
      JsonObject *ep = obj (obj (st, "movement"), "epochs");
      JsonArray *mean, *sd;
      gint64 t0, len_ns;
      guint n;

      if (ep == NULL)
        continue;
      mean = arr (ep, "mean_g");
      sd = arr (ep, "std_g");
      t0 = integer (ep, "t0_ns");
      len_ns = (gint64) llround (num (ep, "epoch_s") * NS_PER_S);
      n = (guint) integer (ep, "count");
      for (guint e = 0; e < n; e++)
        {
          g_autofree char *when = imu_format_time_iso (t0 + (gint64) e * len_ns);
          gint64 samples = (gint64) arr_num (arr (ep, "samples"), e);

          g_string_append (s, when);
          csv_field (s, str (st, "name"));
          g_string_append_printf (s, ",%" PRId64, samples);
          csv_number (s, arr_num (arr (ep, "enmo_mg"), e));
          for (guint k = 0; k < 3; k++)
            {
              csv_number (s, arr_num (mean != NULL ? json_array_get_array_element (mean, k) : NULL, e));
              csv_number (s, arr_num (sd != NULL ? json_array_get_array_element (sd, k) : NULL, e));
            }
          csv_number (s, arr_num (arr (ep, "magnitude_g"), e));
          csv_field (s, arr_str (arr (ep, "intensity"), e));
          g_string_append_printf (s, ",%d,%d\n", (int) arr_num (arr (ep, "nonwear"), e),
                                  (int) arr_num (arr (ep, "peaks"), e));
          if (s->len > 1 << 20)
            {
              if (!write_all (out, s->str, s->len, cancellable, error))
                return FALSE;
              g_string_truncate (s, 0);
            }
        }
    }
  return write_all (out, s->str, s->len, cancellable, error);
}

/* ---- report.html ---- */

static const char report_css[] =
  ":root{--fg:#1d2733;--muted:#5b6877;--line:#dde3ea;--bg:#f4f6f9;--card:#fff;"
  "--err:#c62828;--warn:#d9730d;--info:#1565c0;--ok:#2e7d32}"
  "*{box-sizing:border-box}"
  "body{margin:0;background:var(--bg);color:var(--fg);"
  "font:14px/1.45 system-ui,-apple-system,'Segoe UI',Cantarell,'Noto Sans',Roboto,sans-serif}"
  "main{max-width:1120px;margin:0 auto;padding:24px 20px 48px}"
  "header{margin-bottom:18px}"
  "h1{font-size:26px;margin:0 0 4px;font-weight:650}"
  "h2{font-size:19px;margin:0 0 12px;font-weight:620}"
  "h3{font-size:15px;margin:18px 0 8px;font-weight:620;color:#2b3a4a}"
  ".sub{color:var(--muted)}"
  ".card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;"
  "margin:0 0 18px;box-shadow:0 1px 2px rgba(20,30,40,.04)}"
  ".badges{display:flex;gap:8px;flex-wrap:wrap;margin-top:10px}"
  ".badge{display:inline-block;border-radius:999px;padding:2px 10px;font-size:12.5px;font-weight:600;"
  "color:#fff;white-space:nowrap}"
  ".b-error{background:var(--err)}.b-warning{background:var(--warn)}.b-info{background:var(--info)}"
  ".b-ok{background:var(--ok)}"
  ".kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:10px 18px;margin:0}"
  ".kv div{min-width:0}.kv dt{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}"
  ".kv dd{margin:0;font-weight:560;overflow-wrap:anywhere}"
  "table{border-collapse:collapse;width:100%;font-size:13px}"
  "th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}"
  "th{color:var(--muted);font-weight:600;font-size:12px;background:#fafbfc}"
  "td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
  "code,.mono{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,monospace;font-size:12.5px}"
  ".scroll{overflow-x:auto}"
  "svg{display:block;max-width:100%;height:auto}"
  "svg text{font:11px system-ui,sans-serif;fill:#4a5866}"
  ".hists{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:12px}"
  ".hist{border:1px solid var(--line);border-radius:8px;padding:8px 10px}"
  ".hist b{font-size:12.5px}"
  ".legend{display:flex;gap:14px;flex-wrap:wrap;font-size:12.5px;color:var(--muted);margin:6px 0}"
  ".sw{display:inline-block;width:11px;height:11px;border-radius:3px;margin-right:5px;vertical-align:-1px}"
  ".empty{color:var(--muted);font-style:italic}"
  "details summary{cursor:pointer;color:var(--muted)}"
  "footer{color:var(--muted);font-size:12px;text-align:center;margin-top:24px}";

static void
esc (GString *s, const char *text)
{
  g_autofree char *e = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (s, e);
}

/* A number for people: 6 significant digits, "—" when missing. */
static void
human (GString *s, double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v))
    {
      g_string_append (s, "—");
      return;
    }
  g_ascii_formatd (buf, sizeof buf, "%.6g", v);
  g_string_append (s, buf);
}

static void
human_fixed (GString *s, double v, int decimals)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE], format[8];

  if (!isfinite (v))
    {
      g_string_append (s, "—");
      return;
    }
  g_snprintf (format, sizeof format, "%%.%df", decimals);
  g_ascii_formatd (buf, sizeof buf, format, v);
  g_string_append (s, buf);
}

/* SVG coordinates: one decimal, always a dot. */
static const char *
coord (char buf[G_ASCII_DTOSTR_BUF_SIZE], double v)
{
  return g_ascii_formatd (buf, G_ASCII_DTOSTR_BUF_SIZE, "%.1f", v);
}

static void
kv (GString *s, const char *label, const char *value)
{
  g_string_append (s, "<div><dt>");
  esc (s, label);
  g_string_append (s, "</dt><dd>");
  esc (s, value != NULL && *value != '\0' ? value : "—");
  g_string_append (s, "</dd></div>");
}

static void
kv_num (GString *s, const char *label, double v, const char *unit)
{
  g_autoptr(GString) t = g_string_new (NULL);

  human (t, v);
  if (isfinite (v) && unit != NULL)
    g_string_append_printf (t, " %s", unit);
  kv (s, label, t->str);
}

static char *
elapsed_label (double seconds)
{
  int h = (int) (seconds / 3600), m = (int) fmod (seconds / 60, 60), sec = (int) fmod (seconds, 60);

  if (seconds < 60)
    return g_strdup_printf ("%.3g s", seconds);
  if (h == 0)
    return g_strdup_printf ("%d:%02d", m, sec);
  return g_strdup_printf ("%d:%02d:%02d", h, m, sec);
}

/* A "nice" step (1, 2 or 5 × 10^k) giving about @n ticks over @span. */
static double
nice_step (double span, int n)
{
  double raw = span / n, p = pow (10, floor (log10 (raw))), f = raw / p;

  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static double
nice_time_step (double span_s)
{
  static const double steps[] = { 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30,
                                  60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (span_s / steps[i] <= 8)
      return steps[i];
  return nice_step (span_s, 6);
}

static void
time_axis (GString *s, double x0, double width, double y, double span_s)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE];
  double step = nice_time_step (span_s);

  g_string_append_printf (s, "<line x1=\"%s\" x2=\"%s\" y1=\"%s\" y2=\"%s\" stroke=\"#9aa7b4\"/>",
                          coord (a, x0), coord (b, x0 + width), coord (c, y), coord (c, y));
  for (double t = 0; span_s > 0 && t <= span_s + 1e-9; t += step)
    {
      double x = x0 + width * t / span_s;
      g_autofree char *label = elapsed_label (t);

      g_string_append_printf (s, "<line x1=\"%s\" x2=\"%s\" y1=\"%s\" y2=\"%s\" stroke=\"#9aa7b4\"/>",
                              coord (a, x), coord (b, x), coord (c, y), coord (c, y + 4));
      g_string_append_printf (s, "<text x=\"%s\" y=\"%s\" text-anchor=\"%s\">", coord (a, x), coord (b, y + 16),
                              t == 0 ? "start" : x > x0 + width - 30 ? "end" : "middle");
      esc (s, label);
      g_string_append (s, "</text>");
    }
}

/* Shades [t_a, t_b) on a plot spanning [t0, t0 + span). */
static void
shade (GString *s, double x0, double width, double top, double height,
       gint64 t0, double span_s, gint64 t_a, gint64 t_b, const char *fill)
{
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];
  double xa = x0 + width * ((double) (t_a - t0) / NS_PER_S) / span_s;
  double xb = x0 + width * ((double) (t_b - t0) / NS_PER_S) / span_s;

  xa = CLAMP (xa, x0, x0 + width);
  xb = CLAMP (xb, x0, x0 + width);
  if (xb - xa < 1.5)
    xb = xa + 1.5;
  g_string_append_printf (s, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"/>",
                          coord (a, xa), coord (b, top), coord (c, xb - xa), coord (d, height), fill);
}

/* The signal of every channel in lanes, from the LOD envelopes: per pixel
 * column the min–max band, so the plot costs the same for an hour or a
 * week. Gaps are shaded red, non-wear grey. */
static gboolean
signal_plot (GString      *s,
             ImuStore     *store,
             JsonObject   *st,
             GError      **error)
{
  g_autoptr(ImuSeries) series = NULL;
  g_autoptr(ImuEnvelope) env = NULL;
  JsonArray *channels = arr (st, "channels");
  guint nc, width = PLOT_W - PLOT_LEFT - PLOT_RIGHT, height;
  gint64 t0, t1;
  double span_s;
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];

  if (!(series = imu_series_new (store, integer (st, "id"), error)))
    return FALSE;
  nc = imu_series_get_n_channels (series);
  t0 = imu_series_get_t_first (series);
  t1 = imu_series_get_t_last (series);
  if (nc == 0 || imu_series_get_n_samples (series) < 2 || t1 <= t0)
    {
      g_string_append_printf (s, "<p class=\"empty\">%s</p>", _("Too few samples to plot."));
      return TRUE;
    }
  if (!(env = imu_series_envelope (series, t0, t1 + 1, width, error)))
    return FALSE;
  span_s = (double) (t1 + 1 - t0) / NS_PER_S;
  height = nc * (LANE_H + LANE_GAP) + AXIS_H;

  g_string_append_printf (s, "<svg viewBox=\"0 0 %d %u\" width=\"%d\" height=\"%u\" role=\"img\">",
                          PLOT_W, height, PLOT_W, height);
  /* Gaps and non-wear behind the signal. */
  {
    JsonArray *gaps = arr (obj (obj (st, "time"), "gaps"), "list");
    JsonObject *ep = obj (obj (st, "movement"), "epochs");
    double plot_h = nc * (LANE_H + LANE_GAP) - LANE_GAP;

    for (guint i = 0; gaps != NULL && i < json_array_get_length (gaps); i++)
      {
        JsonObject *g = json_array_get_object_element (gaps, i);
        gint64 ta = integer (g, "t_ns");
        shade (s, PLOT_LEFT, width, 0, plot_h, t0, span_s, ta,
               ta + (gint64) (num (g, "duration_s") * NS_PER_S), "#fde2e1");
      }
    if (ep != NULL)
      {
        JsonArray *nw = arr (ep, "nonwear");
        gint64 e0 = integer (ep, "t0_ns"), len = (gint64) llround (num (ep, "epoch_s") * NS_PER_S);
        guint n = nw != NULL ? json_array_get_length (nw) : 0;

        for (guint e = 0; e < n; e++)
          {
            guint f = e;

            if (arr_num (nw, e) != 1)
              continue;
            while (f + 1 < n && arr_num (nw, f + 1) == 1)
              f++;
            shade (s, PLOT_LEFT, width, 0, plot_h, t0, span_s, e0 + (gint64) e * len,
                   e0 + (gint64) (f + 1) * len, "#e9ecef");
            e = f;
          }
      }
  }
  for (guint ch = 0; ch < nc; ch++)
    {
      const char *color = channel_colors[ch % G_N_ELEMENTS (channel_colors)];
      JsonObject *co = channels != NULL && ch < json_array_get_length (channels)
                       ? json_array_get_object_element (channels, ch) : NULL;
      double top = ch * (LANE_H + LANE_GAP), lo = INFINITY, hi = -INFINITY, pad;
      guint i = 0;

      for (guint k = 0; k < env->n_buckets; k++)
        if (env->i_first[k] <= env->i_last[k] && isfinite (env->min[ch][k]))
          {
            lo = MIN (lo, env->min[ch][k]);
            hi = MAX (hi, env->max[ch][k]);
          }
      g_string_append_printf (s, "<rect x=\"%d\" y=\"%s\" width=\"%u\" height=\"%d\" fill=\"none\" "
                              "stroke=\"#e3e8ee\"/>", PLOT_LEFT, coord (a, top), width, LANE_H);
      g_string_append_printf (s, "<text x=\"%d\" y=\"%s\" style=\"font-weight:600;fill:%s\">",
                              8, coord (a, top + 16), color);
      esc (s, str (co, "name"));
      g_string_append (s, "</text>");
      const char *unit = str (co, "unit");

      if (unit != NULL && *unit != '\0')
        {
          g_string_append_printf (s, "<text x=\"8\" y=\"%s\">", coord (a, top + 30));
          esc (s, unit);
          g_string_append (s, "</text>");
        }
      if (!isfinite (lo))
        continue;
      if (hi - lo < 1e-12 * MAX (1.0, fabs (hi)))
        {
          lo -= 1;
          hi += 1;
        }
      pad = (hi - lo) * 0.06;
      lo -= pad;
      hi += pad;
      {
        g_autoptr(GString) label = g_string_new (NULL);

        human (label, hi - pad);
        g_string_append_printf (s, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\">%s</text>",
                                PLOT_LEFT - 6, coord (a, top + 10), label->str);
        g_string_truncate (label, 0);
        human (label, lo + pad);
        g_string_append_printf (s, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\">%s</text>",
                                PLOT_LEFT - 6, coord (a, top + LANE_H - 3), label->str);
      }
      /* One polygon per run of non-empty buckets: along the maxima, back
       * along the minima. */
      while (i < env->n_buckets)
        {
          guint j;

          if (!(env->i_first[i] <= env->i_last[i] && isfinite (env->min[ch][i])))
            {
              i++;
              continue;
            }
          for (j = i; j < env->n_buckets && env->i_first[j] <= env->i_last[j] && isfinite (env->min[ch][j]); j++)
            ;
          g_string_append_printf (s, "<polygon fill=\"%s\" fill-opacity=\"0.55\" stroke=\"%s\" "
                                  "stroke-width=\"0.8\" stroke-linejoin=\"round\" points=\"", color, color);
          for (guint k = i; k < j; k++)
            g_string_append_printf (s, "%s,%s ", coord (a, PLOT_LEFT + k + 0.5),
                                    coord (b, top + LANE_H * (hi - env->max[ch][k]) / (hi - lo)));
          for (guint k = j; k-- > i;)
            g_string_append_printf (s, "%s,%s ", coord (a, PLOT_LEFT + k + 0.5),
                                    coord (b, top + LANE_H * (hi - env->min[ch][k]) / (hi - lo)));
          g_string_append (s, "\"/>");
          i = j;
        }
    }
  (void) c;
  (void) d;
  time_axis (s, PLOT_LEFT, width, nc * (LANE_H + LANE_GAP) - LANE_GAP + 2, span_s);
  g_string_append (s, "</svg>");
  return TRUE;
}

static void
histogram_svg (GString *s, JsonObject *ch, const char *color)
{
  JsonObject *h = obj (ch, "histogram");
  JsonArray *counts = arr (h, "counts");
  guint n = counts != NULL ? json_array_get_length (counts) : 0;
  double maxc = 0, bw;
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];
  g_autoptr(GString) lo = g_string_new (NULL);
  g_autoptr(GString) hi = g_string_new (NULL);

  g_string_append (s, "<div class=\"hist\"><b>");
  esc (s, str (ch, "name"));
  g_string_append (s, "</b>");
  if (n == 0)
    {
      g_string_append_printf (s, "<p class=\"empty\">%s</p></div>", _("No finite value."));
      return;
    }
  for (guint i = 0; i < n; i++)
    maxc = MAX (maxc, arr_num (counts, i));
  bw = (double) HIST_W / n;
  g_string_append_printf (s, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">",
                          HIST_W, HIST_H + 16, HIST_W, HIST_H + 16);
  for (guint i = 0; i < n; i++)
    {
      double v = arr_num (counts, i);
      /* A square-root scale keeps thin tails visible next to a tall mode. */
      double hgt = maxc > 0 ? (HIST_H - 2) * sqrt (v / maxc) : 0;

      if (v > 0 && hgt < 1)
        hgt = 1;
      g_string_append_printf (s, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"/>",
                              coord (a, i * bw + 0.5), coord (b, HIST_H - hgt), coord (c, MAX (bw - 1, 0.8)),
                              coord (d, hgt), color);
    }
  human (lo, num (h, "lo"));
  human (hi, num (h, "hi"));
  g_string_append_printf (s, "<line x1=\"0\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#9aa7b4\"/>",
                          HIST_W, HIST_H, HIST_H);
  g_string_append_printf (s, "<text x=\"0\" y=\"%d\">%s</text><text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>",
                          HIST_H + 13, lo->str, HIST_W, HIST_H + 13, hi->str);
  g_string_append (s, "</svg></div>");
}

/* ENMO per epoch as columns coloured by intensity; many epochs share a
 * column (their mean), so a week draws in the same width as an hour. */
static void
epoch_chart (GString *s, JsonObject *mv, const ImuProfileOptions *cut)
{
  JsonObject *ep = obj (mv, "epochs");
  JsonArray *enmo = arr (ep, "enmo_mg"), *cls = arr (ep, "intensity");
  guint n = enmo != NULL ? json_array_get_length (enmo) : 0;
  guint width = PLOT_W - PLOT_LEFT - PLOT_RIGHT, cols = MIN (n, width);
  double top_mg = cut->vigorous_mg * 1.25, per, colw;
  double epoch_s = num (ep, "epoch_s");
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE], c[G_ASCII_DTOSTR_BUF_SIZE], d[G_ASCII_DTOSTR_BUF_SIZE];

  if (n == 0)
    return;
  for (guint e = 0; e < n; e++)
    top_mg = MAX (top_mg, MIN (arr_num (enmo, e), 3000.0));
  per = (double) n / cols;
  colw = (double) width / cols;
  g_string_append_printf (s, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\">",
                          PLOT_W, EPOCH_H + AXIS_H, PLOT_W, EPOCH_H + AXIS_H);
  g_string_append_printf (s, "<rect x=\"%d\" y=\"0\" width=\"%u\" height=\"%d\" fill=\"none\" stroke=\"#e3e8ee\"/>",
                          PLOT_LEFT, width, EPOCH_H);
  for (guint k = 0; k < cols; k++)
    {
      guint e0 = (guint) (k * per), e1 = MAX ((guint) ((k + 1) * per), e0 + 1);
      double sum = 0;
      guint m = 0, nonwear = 0;
      const char *color = NULL;
      double v, hgt;

      for (guint e = e0; e < e1 && e < n; e++)
        {
          double x = arr_num (enmo, e);
          const char *cl = arr_str (cls, e);

          if (!isfinite (x))
            continue;
          if (g_strcmp0 (cl, "nonwear") == 0)
            nonwear++;
          sum += x;
          m++;
        }
      if (m == 0)
        continue;
      v = sum / m;
      if (nonwear * 2 > m)
        color = intensity_classes[4].color;
      else
        color = v < cut->light_mg ? intensity_classes[0].color : v < cut->moderate_mg ? intensity_classes[1].color
                : v < cut->vigorous_mg ? intensity_classes[2].color : intensity_classes[3].color;
      /* A square-root scale: sedentary minutes stay visible beside sprints. */
      hgt = (EPOCH_H - 2) * sqrt (MIN (v, top_mg) / top_mg);
      if (hgt < 1.5)
        hgt = 1.5;
      g_string_append_printf (s, "<rect x=\"%s\" y=\"%s\" width=\"%s\" height=\"%s\" fill=\"%s\"/>",
                              coord (a, PLOT_LEFT + k * colw), coord (b, EPOCH_H - hgt),
                              coord (c, MAX (colw - (colw > 3 ? 0.6 : 0), 0.7)), coord (d, hgt), color);
    }
  /* Cut-point lines. */
  {
    const double cuts[] = { cut->light_mg, cut->moderate_mg, cut->vigorous_mg };

    for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
      {
        double y = EPOCH_H - (EPOCH_H - 2) * sqrt (cuts[i] / top_mg);

        g_string_append_printf (s, "<line x1=\"%d\" x2=\"%u\" y1=\"%s\" y2=\"%s\" stroke=\"#5b6877\" "
                                "stroke-dasharray=\"4 3\" stroke-width=\"0.8\"/>",
                                PLOT_LEFT, PLOT_LEFT + width, coord (a, y), coord (b, y));
        /* Cut-point labels inside the plot's right end, above their line,
         * clear of the title in the left margin. */
        g_string_append_printf (s, "<text x=\"%u\" y=\"%s\" text-anchor=\"end\" "
                                "style=\"paint-order:stroke;stroke:#fff;stroke-width:3px\">",
                                PLOT_LEFT + width - 4, coord (a, y - 3));
        human (s, cuts[i]);
        g_string_append (s, " mg</text>");
      }
    g_string_append_printf (s, "<text x=\"8\" y=\"%d\" style=\"font-weight:600\">%s</text>", EPOCH_H / 2 - 6,
                            _("ENMO"));
    g_string_append_printf (s, "<text x=\"8\" y=\"%d\">%s</text>", EPOCH_H / 2 + 8, _("per epoch, √ scale"));
  }
  time_axis (s, PLOT_LEFT, width, EPOCH_H + 2, n * epoch_s);
  g_string_append (s, "</svg>");
}

static void
intensity_summary (GString *s, JsonObject *mv)
{
  JsonObject *io = obj (mv, "intensity");
  double total = 0;
  char a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  double x = 0;

  for (guint i = 0; i < G_N_ELEMENTS (intensity_classes); i++)
    total += num (obj (io, intensity_classes[i].name), "minutes");
  g_string_append (s, "<div class=\"legend\">");
  for (guint i = 0; i < G_N_ELEMENTS (intensity_classes); i++)
    {
      double m = num (obj (io, intensity_classes[i].name), "minutes");

      g_string_append_printf (s, "<span><span class=\"sw\" style=\"background:%s\"></span>%s ",
                              intensity_classes[i].color, _(intensity_classes[i].label));
      human_fixed (s, m, 1);
      g_string_append (s, " min</span>");
    }
  g_string_append (s, "</div>");
  if (!(total > 0))
    return;
  /* The share of each class, aligned with the epoch chart below. */
  g_string_append_printf (s, "<svg viewBox=\"0 0 %d 18\" width=\"%d\" height=\"18\">", PLOT_W, PLOT_W);
  x = PLOT_LEFT;
  for (guint i = 0; i < G_N_ELEMENTS (intensity_classes); i++)
    {
      double w = (PLOT_W - PLOT_LEFT - PLOT_RIGHT) * num (obj (io, intensity_classes[i].name), "minutes") / total;

      if (!(w > 0))
        continue;
      g_string_append_printf (s, "<rect x=\"%s\" y=\"0\" width=\"%s\" height=\"18\" fill=\"%s\"/>",
                              coord (a, x), coord (b, w), intensity_classes[i].color);
      x += w;
    }
  g_string_append (s, "</svg>");
}

static void
findings_table (GString *s, JsonArray *findings)
{
  guint n = findings != NULL ? json_array_get_length (findings) : 0;

  if (n == 0)
    {
      g_string_append_printf (s, "<p><span class=\"badge b-ok\">%s</span></p>", _("No finding: the data look clean."));
      return;
    }
  g_string_append_printf (s, "<div class=\"scroll\"><table><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
                          "<th class=\"n\">%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
                          _("Severity"), _("Code"), _("Where"), _("Count"), _("Finding"), _("First at"));
  for (guint i = 0; i < n; i++)
    {
      JsonObject *f = json_array_get_object_element (findings, i);
      JsonArray *locs = arr (f, "locations");
      const char *sev = str (f, "severity");
      JsonObject *first = locs != NULL && json_array_get_length (locs) > 0
                          ? json_array_get_object_element (locs, 0) : NULL;

      g_string_append_printf (s, "<tr><td><span class=\"badge b-%s\">", sev != NULL ? sev : "info");
      esc (s, g_strcmp0 (sev, "error") == 0 ? _("error") : g_strcmp0 (sev, "warning") == 0 ? _("warning") : _("info"));
      g_string_append (s, "</span></td><td><code>");
      esc (s, str (f, "code"));
      g_string_append (s, "</code></td><td>");
      if (g_strcmp0 (str (f, "source"), "import") == 0)
        esc (s, _("import"));
      else
        {
          esc (s, str (f, "stream"));
          if (str (f, "channel") != NULL)
            {
              g_string_append (s, " · ");
              esc (s, str (f, "channel"));
            }
        }
      g_string_append_printf (s, "</td><td class=\"n\">%" PRId64 "</td><td>", integer (f, "count"));
      esc (s, str (f, "message"));
      g_string_append (s, "</td><td class=\"mono\">");
      if (first != NULL && json_object_has_member (first, "line"))
        g_string_append_printf (s, _("line %" PRId64), integer (first, "line"));
      else if (first != NULL)
        {
          esc (s, str (first, "time"));
          g_string_append_printf (s, "<br>#%" PRId64, integer (first, "index"));
        }
      g_string_append (s, "</td></tr>");
    }
  g_string_append (s, "</tbody></table></div>");
}

static void
channel_cell (GString *s, double v)
{
  g_string_append (s, "<td class=\"n\">");
  human (s, v);
  g_string_append (s, "</td>");
}

static void
channel_name_cell (GString *s, JsonObject *ch, guint c)
{
  g_string_append_printf (s, "<tr><td><span class=\"sw\" style=\"background:%s\"></span>",
                          channel_colors[c % G_N_ELEMENTS (channel_colors)]);
  esc (s, str (ch, "name"));
  g_string_append (s, "</td>");
}

/* Two tables: moments and tests, then percentiles. */
static void
channel_table (GString *s, JsonArray *channels)
{
  static const char *pcts[] = { "p1", "p5", "p25", "p50", "p75", "p95", "p99" };
  guint n = channels != NULL ? json_array_get_length (channels) : 0;

  g_string_append_printf (s, "<div class=\"scroll\"><table><thead><tr><th>%s</th><th>%s</th><th class=\"n\">%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
                          "<th class=\"n\">%s</th></tr></thead><tbody>",
                          _("Channel"), _("Unit"), _("Count"), _("Non-finite"), _("Min"), _("Max"), _("Mean"),
                          _("Std"), _("Skew"), _("Kurt"), _("K² p"), _("Dom. Hz"));
  for (guint c = 0; c < n; c++)
    {
      JsonObject *ch = json_array_get_object_element (channels, c);

      channel_name_cell (s, ch, c);
      g_string_append (s, "<td>");
      esc (s, str (ch, "unit"));
      g_string_append_printf (s, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
                              "</td>", integer (ch, "count"), integer (ch, "non_finite"));
      channel_cell (s, num (ch, "min"));
      channel_cell (s, num (ch, "max"));
      channel_cell (s, num (ch, "mean"));
      channel_cell (s, num (ch, "std"));
      channel_cell (s, num (ch, "skewness"));
      channel_cell (s, num (ch, "kurtosis"));
      channel_cell (s, num (obj (ch, "normality"), "p"));
      channel_cell (s, num (ch, "dominant_frequency_hz"));
      g_string_append (s, "</tr>");
    }
  g_string_append (s, "</tbody></table></div>");

  /* Percentile names and "MAD" (median absolute deviation) are notation,
   * not words: not translated. */
  g_string_append_printf (s, "<div class=\"scroll\" style=\"margin-top:10px\"><table><thead><tr><th>%s</th>",
                          _("Channel"));
  for (guint i = 0; i < G_N_ELEMENTS (pcts); i++)
    g_string_append_printf (s, "<th class=\"n\">%s</th>", pcts[i]);
  g_string_append (s, "<th class=\"n\">MAD</th></tr></thead><tbody>");
  for (guint c = 0; c < n; c++)
    {
      JsonObject *ch = json_array_get_object_element (channels, c);
      JsonObject *pc = obj (ch, "percentiles");

      channel_name_cell (s, ch, c);
      for (guint i = 0; i < G_N_ELEMENTS (pcts); i++)
        channel_cell (s, num (pc, pcts[i]));
      channel_cell (s, num (ch, "mad"));
      g_string_append (s, "</tr>");
    }
  g_string_append (s, "</tbody></table></div>");
  if (n > 0 && !boolean (json_array_get_object_element (channels, 0), "percentiles_exact"))
    g_string_append_printf (s, "<p class=\"sub\">%s</p>",
                            _("Percentiles come from a sketch (values are not fixed-decimal numbers); see the "
                              "rank error in profile.json."));
}

static void
time_section (GString *s, JsonObject *tm)
{
  JsonObject *gaps = obj (tm, "gaps");
  g_autoptr(GString) v = g_string_new (NULL);

  g_string_append (s, "<dl class=\"kv\">");
  kv (s, _("Start (UTC)"), str (tm, "start"));
  kv (s, _("End (UTC)"), str (tm, "end"));
  kv_num (s, _("Nominal rate"), num (tm, "nominal_rate_hz"), "Hz");
  kv_num (s, _("Effective rate"), num (tm, "effective_rate_hz"), "Hz");
  kv_num (s, _("Median interval"), num (tm, "median_interval_s") * 1e3, "ms");
  kv_num (s, _("Jitter (std)"), num (tm, "jitter_std_s") * 1e3, "ms");
  kv_num (s, _("Jitter p99 |Δ − median|"), num (tm, "jitter_p99_s") * 1e3, "ms");
  human_fixed (v, num (tm, "completeness") * 100, 2);
  g_string_append (v, " %");
  kv (s, _("Completeness"), v->str);
  g_string_truncate (v, 0);
  g_string_append_printf (v, "%" PRId64, integer (gaps, "count"));
  if (integer (gaps, "count") > 0)
    {
      g_autofree char *total = imu_profile_format_duration (num (gaps, "total_s"));
      g_autofree char *longest = imu_profile_format_duration (num (gaps, "longest_s"));
      g_string_append_printf (v, _(" (%s, longest %s)"), total, longest);
    }
  kv (s, _("Gaps"), v->str);
  g_string_truncate (v, 0);
  g_string_append_printf (v, "%" PRId64 " / %" PRId64, integer (obj (tm, "duplicates"), "count"),
                          integer (obj (tm, "backwards"), "count"));
  kv (s, _("Duplicate / backwards times"), v->str);
  g_string_append (s, "</dl>");
}

static void
movement_section (GString *s, JsonObject *mv, const ImuProfileOptions *cut)
{
  JsonObject *cal = obj (mv, "calibration");
  JsonObject *nw = obj (mv, "nonwear");
  JsonObject *pk = obj (mv, "peaks");
  JsonArray *spec = arr (obj (mv, "spectrum"), "axes");
  g_autoptr(GString) v = g_string_new (NULL);

  g_string_append_printf (s, "<h3>%s</h3><dl class=\"kv\">", _("Movement"));
  kv_num (s, _("Mean magnitude"), num (obj (mv, "magnitude"), "mean_g"), "g");
  kv_num (s, _("Peak magnitude"), num (obj (mv, "magnitude"), "max_g"), "g");
  kv_num (s, _("Mean ENMO"), num (obj (mv, "enmo"), "mean_mg"), "mg");
  g_string_append_printf (v, "%" PRId64, integer (pk, "count"));
  if (isfinite (num (pk, "per_minute")))
    {
      g_string_append (v, " (");
      human_fixed (v, num (pk, "per_minute"), 1);
      g_string_append (v, _("/min)"));
    }
  kv (s, _("Peaks"), v->str);
  for (guint i = 0; spec != NULL && i < json_array_get_length (spec); i++)
    {
      JsonObject *ax = json_array_get_object_element (spec, i);
      g_autofree char *label = g_strdup_printf (_("Dominant frequency %s"), str (ax, "channel"));

      kv_num (s, label, num (ax, "dominant_frequency_hz"), "Hz");
    }
  if (nw != NULL)
    {
      g_string_truncate (v, 0);
      if (boolean (nw, "evaluated"))
        {
          g_autofree char *total = imu_profile_format_duration (num (nw, "total_s"));
          g_string_append_printf (v, "%" PRId64 " (%s)", integer (nw, "periods"), total);
        }
      else
        g_string_append (v, _("not evaluated (shorter than the window)"));
      kv (s, _("Non-wear periods"), v->str);
    }
  if (cal != NULL)
    {
      kv_num (s, _("Calibration error"), num (cal, "error_before_mg"), "mg");
      kv_num (s, _("After auto-calibration"), num (cal, "error_after_mg"), "mg");
      g_string_truncate (v, 0);
      g_string_append_printf (v, "%" PRId64 " · %s", integer (cal, "static_windows"), str (cal, "status"));
      kv (s, _("Still windows · status"), v->str);
      if (arr (cal, "offset_g") != NULL)
        {
          g_string_truncate (v, 0);
          for (guint k = 0; k < 3; k++)
            {
              if (k > 0)
                g_string_append (v, ", ");
              human_fixed (v, arr_num (arr (cal, "offset_g"), k), 4);
            }
          kv (s, _("Offsets (g)"), v->str);
          g_string_truncate (v, 0);
          for (guint k = 0; k < 3; k++)
            {
              if (k > 0)
                g_string_append (v, ", ");
              human_fixed (v, arr_num (arr (cal, "scale"), k), 4);
            }
          kv (s, _("Scales"), v->str);
        }
    }
  g_string_append (s, "</dl>");
  if (obj (mv, "epochs") != NULL)
    {
      g_string_append_printf (s, "<h3>%s</h3>", _("Intensity per epoch"));
      intensity_summary (s, mv);
      epoch_chart (s, mv, cut);
      g_string_append_printf (s, "<p class=\"sub\">%s</p>", str (obj (mv, "intensity"), "source"));
    }
  else
    g_string_append_printf (s, "<p class=\"sub\">%s</p>",
                            _("Gravity is not in this accelerometer’s signal: ENMO, intensity, non-wear and "
                              "calibration do not apply."));
}

static void
audit_section (GString *s, JsonArray *imports)
{
  guint n = imports != NULL ? json_array_get_length (imports) : 0;

  g_string_append_printf (s, "<section class=\"card\"><h2>%s</h2>", _("Import audit"));
  if (n == 0)
    {
      g_string_append_printf (s, "<p class=\"empty\">%s</p></section>",
                              _("This session was not imported from a file (recorded or generated)."));
      return;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonObject *a = json_array_get_object_element (imports, i);
      JsonObject *issues = obj (a, "issues");
      g_autoptr(GList) codes = issues != NULL ? json_object_get_members (issues) : NULL;
      g_autoptr(GString) v = g_string_new (NULL);
      const char *delim = str (a, "delimiter");

      g_string_append (s, "<dl class=\"kv\">");
      kv (s, _("File"), str (a, "path"));
      kv (s, _("Format"), str (a, "format"));
      g_string_append_printf (v, "%" PRId64, integer (a, "bytes"));
      kv (s, _("Bytes"), v->str);
      g_string_truncate (v, 0);
      g_string_append_printf (v, "%" PRId64, integer (a, "rows"));
      kv (s, _("Rows"), v->str);
      kv (s, _("Delimiter"), delim == NULL ? NULL : g_str_equal (delim, "\t") ? "TAB" : g_str_equal (delim, " ")
                             ? _("space") : delim);
      kv (s, _("UTF-8"), boolean (a, "utf8_valid") ? _("valid") : _("invalid"));
      kv_num (s, _("Processing time"), num (a, "duration_s"), "s");
      kv (s, _("Imported"), str (a, "created"));
      g_string_append (s, "</dl><p class=\"mono\" style=\"overflow-wrap:anywhere\">SHA-256 ");
      esc (s, str (a, "sha256"));
      g_string_append (s, "</p>");
      if (codes != NULL)
        {
          g_string_append_printf (s, "<table><thead><tr><th>%s</th><th class=\"n\">%s</th><th>%s</th></tr></thead><tbody>",
                                  _("Issue"), _("Count"), _("First lines"));
          for (GList *l = codes; l != NULL; l = l->next)
            {
              JsonObject *io = obj (issues, l->data);
              JsonArray *lines = arr (io, "lines");

              g_string_append (s, "<tr><td><code>");
              esc (s, l->data);
              g_string_append_printf (s, "</code></td><td class=\"n\">%" PRId64 "</td><td class=\"mono\">",
                                      integer (io, "count"));
              for (guint k = 0; lines != NULL && k < json_array_get_length (lines) && k < 10; k++)
                g_string_append_printf (s, "%s%" PRId64, k > 0 ? ", " : "", json_array_get_int_element (lines, k));
              g_string_append (s, "</td></tr>");
            }
          g_string_append (s, "</tbody></table>");
        }
      else
        g_string_append_printf (s, "<p class=\"sub\">%s</p>", _("No line had an issue."));
    }
  g_string_append (s, "</section>");
}

static void
options_from_json (JsonObject *o, ImuProfileOptions *opt)
{
  imu_profile_options_init (opt);
  if (o == NULL)
    return;
  if (isfinite (num (o, "light_mg")))
    opt->light_mg = num (o, "light_mg");
  if (isfinite (num (o, "moderate_mg")))
    opt->moderate_mg = num (o, "moderate_mg");
  if (isfinite (num (o, "vigorous_mg")))
    opt->vigorous_mg = num (o, "vigorous_mg");
}

gboolean
imu_profile_write_html (ImuProfile    *self,
                        ImuStore      *store,
                        GOutputStream *out,
                        GCancellable  *cancellable,
                        GError       **error)
{
  JsonObject *root = json_node_get_object (imu_profile_get_root (self));
  JsonObject *session = obj (root, "session");
  JsonObject *summary = obj (root, "summary");
  JsonArray *streams = arr (root, "streams");
  g_autoptr(GString) s = g_string_sized_new (1 << 16);
  const char *title = str (session, "title");
  ImuProfileOptions cut;

  options_from_json (obj (root, "options"), &cut);
  if (title == NULL || *title == '\0')
    title = _("Untitled session");

  g_string_append (s, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                      "style-src 'unsafe-inline'; img-src data:\"><title>");
  esc (s, title);
  g_string_append_printf (s, " — %s</title><style>%s</style></head><body><main>", _("Profile"), report_css);

  /* Header and summary. */
  g_string_append (s, "<header><h1>");
  esc (s, title);
  g_string_append (s, "</h1><div class=\"sub\">");
  {
    g_autofree char *dur = imu_profile_format_duration (num (session, "duration_s"));
    esc (s, str (session, "start"));
    g_string_append_printf (s, " · %s · ", dur);
    g_string_append_printf (s, ngettext ("%" PRId64 " stream", "%" PRId64 " streams",
                                         (gulong) integer (summary, "streams")), integer (summary, "streams"));
    g_string_append_printf (s, " · %" PRId64 " %s", integer (summary, "samples"), _("samples"));
  }
  g_string_append (s, "</div><div class=\"badges\">");
  g_string_append_printf (s, "<span class=\"badge b-error\">%" PRId64 " %s</span>",
                          integer (summary, "errors"), _("errors"));
  g_string_append_printf (s, "<span class=\"badge b-warning\">%" PRId64 " %s</span>",
                          integer (summary, "warnings"), _("warnings"));
  g_string_append_printf (s, "<span class=\"badge b-info\">%" PRId64 " %s</span>",
                          integer (summary, "infos"), _("notes"));
  g_string_append (s, "</div></header>");

  g_string_append_printf (s, "<section class=\"card\"><h2>%s</h2><dl class=\"kv\">", _("Summary"));
  kv (s, _("Subject"), str (session, "subject"));
  kv (s, _("Activity"), str (session, "activity"));
  kv (s, _("Start (UTC)"), str (session, "start"));
  kv (s, _("End (UTC)"), str (session, "end"));
  kv_num (s, _("Nominal rate"), num (session, "nominal_rate_hz"), "Hz");
  {
    g_autofree char *dev = g_strjoin (" ", str (session, "device_vendor") ? str (session, "device_vendor") : "",
                                      str (session, "device_model") ? str (session, "device_model") : "", NULL);
    kv (s, _("Device"), g_strstrip (dev));
  }
  kv (s, _("Origin"), str (session, "origin"));
  kv (s, _("Session"), str (session, "uuid"));
  g_string_append (s, "</dl>");
  g_string_append_printf (s, "<h3>%s</h3><div class=\"scroll\"><table><thead><tr><th>%s</th><th>%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
                          "<th class=\"n\">%s</th><th class=\"n\">%s</th></tr></thead><tbody>",
                          _("Streams"), _("Stream"), _("Kind"), _("Channels"), _("Samples"), _("Nominal Hz"),
                          _("Effective Hz"), _("Completeness"), _("Gaps"));
  for (guint i = 0; streams != NULL && i < json_array_get_length (streams); i++)
    {
      JsonObject *st = json_array_get_object_element (streams, i);
      JsonObject *tm = obj (st, "time");

      g_string_append (s, "<tr><td>");
      esc (s, str (st, "name"));
      g_string_append (s, "</td><td>");
      esc (s, str (st, "kind"));
      g_string_append_printf (s, "</td><td class=\"n\">%" PRId64 "</td><td class=\"n\">%" PRId64
                              "</td><td class=\"n\">", integer (st, "n_channels"), integer (st, "samples"));
      human (s, num (tm, "nominal_rate_hz"));
      g_string_append (s, "</td><td class=\"n\">");
      human (s, num (tm, "effective_rate_hz"));
      g_string_append (s, "</td><td class=\"n\">");
      human_fixed (s, num (tm, "completeness") * 100, 2);
      g_string_append_printf (s, " %%</td><td class=\"n\">%" PRId64 "</td></tr>",
                              integer (obj (tm, "gaps"), "count"));
    }
  g_string_append (s, "</tbody></table></div></section>");

  g_string_append_printf (s, "<section class=\"card\"><h2>%s</h2>", _("Findings"));
  findings_table (s, arr (root, "findings"));
  g_string_append (s, "</section>");

  for (guint i = 0; streams != NULL && i < json_array_get_length (streams); i++)
    {
      JsonObject *st = json_array_get_object_element (streams, i);
      JsonArray *channels = arr (st, "channels");

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_string_append_printf (s, "<section class=\"card\"><h2>%s ", _("Stream"));
      esc (s, str (st, "name"));
      g_string_append (s, "</h2>");
      time_section (s, obj (st, "time"));
      if (store != NULL)
        {
          g_string_append_printf (s, "<h3>%s</h3>", _("Signal"));
          if (!signal_plot (s, store, st, error))
            return FALSE;
          g_string_append_printf (s, "<div class=\"legend\"><span><span class=\"sw\" style=\"background:#fde2e1\">"
                                  "</span>%s</span><span><span class=\"sw\" style=\"background:#e9ecef\"></span>%s"
                                  "</span><span>%s</span></div>",
                                  _("gap"), _("not worn"), _("min–max per pixel column, elapsed time h:mm:ss"));
        }
      g_string_append_printf (s, "<h3>%s</h3>", _("Statistics"));
      channel_table (s, channels);
      g_string_append_printf (s, "<h3>%s</h3><div class=\"hists\">", _("Histograms"));
      for (guint c = 0; channels != NULL && c < json_array_get_length (channels); c++)
        histogram_svg (s, json_array_get_object_element (channels, c),
                       channel_colors[c % G_N_ELEMENTS (channel_colors)]);
      g_string_append (s, "</div>");
      if (obj (st, "movement") != NULL)
        movement_section (s, obj (st, "movement"), &cut);
      g_string_append (s, "</section>");
    }

  audit_section (s, arr (root, "imports"));

  g_string_append_printf (s, "<section class=\"card\"><details><summary>%s</summary><table><tbody>",
                          _("Profile options"));
  {
    JsonObject *opts = obj (root, "options");
    g_autoptr(GList) names = opts != NULL ? json_object_get_members (opts) : NULL;

    for (GList *l = names; l != NULL; l = l->next)
      {
        g_string_append (s, "<tr><td><code>");
        esc (s, l->data);
        g_string_append (s, "</code></td><td class=\"n\">");
        human (s, num (opts, l->data));
        g_string_append (s, "</td></tr>");
      }
  }
  g_string_append (s, "</tbody></table></details></section><footer>");
  esc (s, str (root, "generator"));
  g_string_append (s, " · ");
  esc (s, str (root, "generated"));
  g_string_append_printf (s, " · %s %" PRId64, _("profiler version"), integer (root, "profiler_version"));
  g_string_append (s, "</footer></main></body></html>\n");

  return write_all (out, s->str, s->len, cancellable, error);
}
