#!/usr/bin/env python3
"""Prints `N passed, N failed, N skipped` for one or more meson testlog.json files.

Usage: testlog-summary.py [--ci] TESTLOG.json...

Counts the individual test cases of TAP programs (GTest with --tap), so a
program with ten cases adds ten; a program that failed without saying which
case (a crash, a timeout) adds one failure; a program with no TAP output
counts once by its meson result. A missing or unreadable testlog counts as
one failure: the build or the run did not get that far. Exits 1 when
anything failed.

Before the total it names every failed program, its result, the cases that
failed and the last lines it wrote to stderr (with signatures and keys
redacted), so that the reason is in the last screenful of a CI log. It never
prints a test's environment, which the testlog also holds.
"""
import json
import re
import sys

OK_RESULTS = {"OK", "EXPECTEDFAIL"}
SKIP_RESULTS = {"SKIP"}

STDERR_TAIL = 12
REDACT = re.compile(r"(sig=|X-Amz-Signature=|AccountKey=|Signature=)[^&\s\"']+"
                    r"|(Authorization:).*", re.IGNORECASE)

TAP_LINE = re.compile(r"^(not ok|ok)\b[^#]*(#\s*(\w+))?", re.IGNORECASE)


def count_tap(stdout):
    passed = failed = skipped = 0
    for line in stdout.splitlines():
        m = TAP_LINE.match(line)
        if not m:
            continue
        directive = (m.group(3) or "").upper()
        if directive == "SKIP":
            skipped += 1
        elif directive == "TODO":
            # An expected failure (or an unexpected pass): not a failure.
            passed += 1
        elif m.group(1).lower() == "ok":
            passed += 1
        else:
            failed += 1
    return passed, failed, skipped


def redact(line):
    return REDACT.sub(lambda m: m.group(1) + "[redacted]" if m.group(1) else m.group(2) + " [redacted]", line)


def failed_cases(stdout):
    cases = []
    for line in stdout.splitlines():
        if line.startswith("not ok") or line.startswith("Bail out!"):
            cases.append(line.strip())
    return cases


def report_failure(path, entry, result):
    name = entry.get("name", "?")
    print(f"FAILED {name} ({result}, {path})")
    for case in failed_cases(entry.get("stdout") or ""):
        print("  " + redact(case))
    tail = (entry.get("stderr") or "").rstrip().splitlines()[-STDERR_TAIL:]
    for line in tail:
        print("  | " + redact(line))


def count_file(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            entry = json.loads(line)
            result = str(entry.get("result", "ERROR")).upper()
            p, fl, s = count_tap(entry.get("stdout") or "")
            if p + fl + s == 0:
                if result in OK_RESULTS:
                    p = 1
                elif result in SKIP_RESULTS:
                    s = 1
                else:
                    fl = 1
            elif result not in OK_RESULTS | SKIP_RESULTS and fl == 0:
                # It crashed or timed out after its last reported case.
                fl = 1
            if fl:
                report_failure(path, entry, result)
            passed += p
            failed += fl
            skipped += s
    return passed, failed, skipped


def main(argv):
    paths = argv[1:]
    # --ci: the skips on a line of their own, so that the last line is
    # exactly `N passed, N failed`, the form CI reads.
    ci = bool(paths) and paths[0] == "--ci"
    if ci:
        paths = paths[1:]
    if not paths:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2

    passed = failed = skipped = 0
    for path in paths:
        try:
            p, fl, s = count_file(path)
        except (OSError, ValueError) as e:
            print(f"testlog-summary: {path}: {e}: counted as one failure", file=sys.stderr)
            p, fl, s = 0, 1, 0
        passed += p
        failed += fl
        skipped += s

    sys.stderr.flush()
    if ci:
        print(f"{skipped} skipped")
        print(f"{passed} passed, {failed} failed", flush=True)
    else:
        print(f"{passed} passed, {failed} failed, {skipped} skipped", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
