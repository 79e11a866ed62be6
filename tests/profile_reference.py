#!/usr/bin/env python3
# tests/profile_reference.py — the profiler's statistics computed again with
# numpy and scipy, independently of the C code, for tests/test-profile-scipy.c
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
#   profile_reference.py stats CSV [--segment N] [--outlier-z Z] [--rank-error E]
#       Reads a stream exported by imu_export_csv_stream() (first column the
#       time, then one column per channel) and prints one JSON object:
#       {"time": {...}, "channels": [{...}, ...]} with, per channel, what
#       docs/profile.md promises to match: numpy.mean, numpy.std(ddof=1),
#       scipy.stats.skew/kurtosis(bias=False), numpy.percentile (linear),
#       numpy.median, the median absolute deviation, scipy.stats.normaltest,
#       skewtest and kurtosistest, the robust-z outlier count and the Welch
#       dominant frequency (scipy.signal.welch, Hann, 50 % overlap). With
#       --rank-error E, each percentile also gets the values at ranks ± E·n
#       (the bounds a sketch's answer must lie between).
#   profile_reference.py validate SCHEMA JSON
#       Validates a profile.json against docs/profile.schema.json with the
#       jsonschema package; prints "ok" or the first error and exits 1.
import json
import math
import sys


def parse_time_ns(text):
    """Seconds since the epoch (as the exporter writes them) to integer ns,
    exactly: float parsing would lose the nanoseconds of 1.7e9 s."""
    text = text.strip()
    neg = text.startswith('-')
    if neg:
        text = text[1:]
    whole, _, frac = text.partition('.')
    ns = int(whole) * 10**9 + int((frac + '000000000')[:9] or '0')
    return -ns if neg else ns


def finite_or_none(x):
    x = float(x)
    return x if math.isfinite(x) else None


def stats(path, segment, outlier_z, rank_error):
    import numpy as np
    from scipy import signal, stats as st

    with open(path, encoding='utf-8') as f:
        header = f.readline().rstrip('\n').split(',')
        times = []
        rows = []
        for line in f:
            fields = line.rstrip('\n').split(',')
            times.append(parse_time_ns(fields[0]))
            rows.append([float(v) for v in fields[1:]])
    t = np.array(times, dtype=np.int64)
    data = np.array(rows, dtype=np.float64).reshape(len(rows), len(header) - 1)

    out = {"time": {}, "channels": []}
    dt = np.diff(t)
    pos = dt[dt > 0]
    tm = out["time"]
    tm["samples"] = int(len(t))
    tm["duplicates"] = int(np.sum(dt == 0))
    tm["backwards"] = int(np.sum(dt < 0))
    if len(pos) > 0:
        med = float(np.median(pos))
        thr = 1.5 * med
        regular = pos[pos <= thr]
        gaps = pos[pos > thr]
        tm["median_interval_ns"] = med
        tm["effective_rate_hz"] = 1e9 / med
        tm["gap_count"] = int(len(gaps))
        tm["gap_total_ns"] = float(np.sum(gaps)) if len(gaps) else 0.0
        tm["gap_longest_ns"] = float(np.max(gaps)) if len(gaps) else None
        tm["jitter_std_ns"] = float(np.std(regular, ddof=1)) if len(regular) > 1 else None
        tm["jitter_p99_ns"] = float(np.percentile(np.abs(regular - med), 99))
        expected = round((int(t.max()) - int(t.min())) / med) + 1
        tm["completeness"] = (len(t) - tm["duplicates"]) / expected
        fs = 1e9 / med
    else:
        fs = None

    for c, name in enumerate(header[1:]):
        x = data[:, c]
        x = x[np.isfinite(x)]
        n = len(x)
        ch = {"name": name, "count": int(n)}
        if n > 0:
            ch["min"] = float(np.min(x))
            ch["max"] = float(np.max(x))
            ch["mean"] = float(np.mean(x))
            ch["std"] = finite_or_none(np.std(x, ddof=1)) if n > 1 else None
            ch["skewness"] = finite_or_none(st.skew(x, bias=False))
            ch["kurtosis"] = finite_or_none(st.kurtosis(x, fisher=True, bias=False))
            pts = [1, 5, 25, 50, 75, 95, 99]
            ch["percentiles"] = {f"p{p}": float(np.percentile(x, p)) for p in pts}
            med = float(np.median(x))
            mad = float(np.median(np.abs(x - med)))
            ch["median"] = med
            ch["mad"] = mad
            ch["outliers"] = int(np.sum(0.6745 * np.abs(x - med) / mad > outlier_z)) if mad > 0 else 0
            if rank_error is not None:
                xs = np.sort(x)
                bounds = {}
                for p in pts:
                    h = (n - 1) * (p / 100.0)
                    slack = math.ceil(rank_error * n)
                    lo = max(int(math.floor(h)) - slack, 0)
                    hi = min(int(math.ceil(h)) + slack, n - 1)
                    bounds[f"p{p}"] = [float(xs[lo]), float(xs[hi])]
                ch["percentile_bounds"] = bounds
            if n >= 8:
                k2, p = st.normaltest(x)
                zs, ps = st.skewtest(x)
                zk, pk = st.kurtosistest(x)
                ch["normality"] = {"k2": finite_or_none(k2), "p": finite_or_none(p),
                                   "z_skew": finite_or_none(zs), "p_skew": finite_or_none(ps),
                                   "z_kurt": finite_or_none(zk), "p_kurt": finite_or_none(pk)}
        if fs is not None and segment is not None and len(data) >= segment:
            col = data[:, c]
            if np.all(np.isfinite(col)):
                f, pxx = signal.welch(col, fs=fs, window='hann', nperseg=segment,
                                      noverlap=segment // 2, detrend='constant',
                                      scaling='density', average='mean')
                k = int(np.argmax(pxx[1:])) + 1
                ch["dominant_frequency_hz"] = float(f[k])
                ch["peak_psd"] = float(pxx[k])
        out["channels"].append(ch)
    json.dump(out, sys.stdout)
    sys.stdout.write('\n')


def validate(schema_path, doc_path):
    import jsonschema

    with open(schema_path, encoding='utf-8') as f:
        schema = json.load(f)
    with open(doc_path, encoding='utf-8') as f:
        doc = json.load(f)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        path = '/'.join(str(p) for p in e.absolute_path)
        print(f"{doc_path}: /{path}: {e.message}")
        sys.exit(1)
    print("ok")


def main(argv):
    if len(argv) >= 3 and argv[1] == 'stats':
        segment = None
        outlier_z = 3.5
        rank_error = None
        args = argv[3:]
        while args:
            if args[0] == '--segment':
                segment = int(args[1])
            elif args[0] == '--outlier-z':
                outlier_z = float(args[1])
            elif args[0] == '--rank-error':
                rank_error = float(args[1])
            else:
                sys.exit(f"unknown argument {args[0]}")
            args = args[2:]
        stats(argv[2], segment, outlier_z, rank_error)
    elif len(argv) == 4 and argv[1] == 'validate':
        validate(argv[2], argv[3])
    else:
        sys.exit(__doc__ if __doc__ else "usage: profile_reference.py stats CSV | validate SCHEMA JSON")


if __name__ == '__main__':
    main(sys.argv)
