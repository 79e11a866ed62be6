#!/usr/bin/env python3
# test-po.py SRCDIR — the translation files are complete and consistent.
#
#  1. every source (.c/.h), template (.ui) and desktop file with
#     translatable text is listed in po/POTFILES.in, and every listed file
#     exists;
#  2. every language of po/LINGUAS has a .po that msgfmt --check accepts;
#  3. each .po translates every message of the sources as they are now
#     (xgettext → msgmerge → no untranslated or fuzzy message).
#
# TAP output. Needs gettext (xgettext, msgmerge, msgfmt); skips 3 without it.
import os
import re
import shutil
import subprocess
import sys
import tempfile

SRC = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
PO = os.path.join(SRC, 'po')

# The keywords of meson's "glib" gettext preset.
KEYWORDS = ['_', 'N_', 'C_:1c,2', 'NC_:1c,2', 'g_dcgettext:2', 'g_dngettext:2,3',
            'g_dpgettext2:2c,3', 'ngettext:1,2']
C_MARK = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|g_dngettext|ngettext|g_dpgettext2|g_dcgettext)\s*\(')
UI_MARK = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')

results = []


def report(ok, name, detail=''):
    results.append((ok, name, detail))


def potfiles():
    listed = []
    with open(os.path.join(PO, 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                listed.append(line)
    return listed


def translatable_files():
    found = []
    for top in ('src', 'ui', 'data'):
        for root, dirs, files in os.walk(os.path.join(SRC, top)):
            dirs[:] = [d for d in dirs if not d.startswith('.')]
            for name in files:
                path = os.path.join(root, name)
                rel = os.path.relpath(path, SRC)
                if name.endswith(('.c', '.h')):
                    with open(path, encoding='utf-8', errors='replace') as f:
                        text = f.read()
                    # Comments and the gettext macro definitions themselves
                    # do not count.
                    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
                    text = re.sub(r'//[^\n]*', '', text)
                    if C_MARK.search(text):
                        found.append(rel)
                elif name.endswith('.ui'):
                    with open(path, encoding='utf-8') as f:
                        if UI_MARK.search(f.read()):
                            found.append(rel)
                elif name.endswith(('.desktop.in', '.metainfo.xml.in', '.gschema.xml')):
                    found.append(rel)
    return sorted(found)


listed = potfiles()
missing = [f for f in translatable_files() if f not in listed]
report(not missing, 'every file with translatable text is in po/POTFILES.in',
       '\n'.join('not listed: ' + f for f in missing))
absent = [f for f in listed if not os.path.exists(os.path.join(SRC, f))]
report(not absent, 'every file in po/POTFILES.in exists', '\n'.join('absent: ' + f for f in absent))

with open(os.path.join(PO, 'LINGUAS'), encoding='utf-8') as f:
    linguas = [w for line in f if not line.startswith('#') for w in line.split()]
report(set(linguas) >= {'de', 'fr', 'es'}, 'po/LINGUAS names de, fr and es', 'LINGUAS: ' + ' '.join(linguas))

have_gettext = all(shutil.which(p) for p in ('xgettext', 'msgmerge', 'msgfmt'))
for lang in linguas:
    po = os.path.join(PO, lang + '.po')
    if not os.path.exists(po):
        report(False, f'po/{lang}.po exists')
        continue
    if not have_gettext:
        report(True, f'po/{lang}.po is valid # SKIP gettext is not installed')
        continue
    p = subprocess.run(['msgfmt', '--check', '-o', os.devnull, po], capture_output=True, text=True)
    report(p.returncode == 0, f'msgfmt --check po/{lang}.po', p.stderr)

if have_gettext:
    with tempfile.TemporaryDirectory() as tmp:
        pot = os.path.join(tmp, 'imu-studio.pot')
        args = ['xgettext', '--from-code=UTF-8', '--add-comments', '--package-name=imu-studio',
                '-D', SRC, '-f', os.path.join(PO, 'POTFILES.in'), '-o', pot]
        args += ['--keyword=' + k for k in KEYWORDS]
        args += ['--flag=N_:1:pass-c-format', '--flag=C_:2:pass-c-format', '--flag=NC_:2:pass-c-format',
                 '--flag=g_dngettext:2:pass-c-format', '--flag=g_strdup_printf:1:c-format',
                 '--flag=g_set_error:4:c-format', '--flag=g_prefix_error:2:c-format']
        p = subprocess.run(args, capture_output=True, text=True)
        report(p.returncode == 0, 'xgettext reads every file of po/POTFILES.in',
               p.stderr if p.returncode != 0 else '')
        # A format macro inside _() ("%" G_GINT64_FORMAT) cuts the msgid
        # where the macro starts: such a message can never be translated.
        # <inttypes.h>'s PRId64 is what xgettext understands. Reported as a
        # TAP TODO so that the list stays visible without failing the suite.
        cut = sorted(set(re.findall(r'^(\S+:\d+): warning: .*ends in the middle of a directive',
                                    p.stderr, flags=re.M)))
        results.append((not cut, 'no msgid is cut by a format macro (use PRId64, not G_GINT64_FORMAT, in _())'
                        + (f' # TODO {len(cut)} messages cannot be translated' if cut else ''),
                        '\n'.join('cut: ' + c for c in cut)))
        for lang in linguas:
            po = os.path.join(PO, lang + '.po')
            if p.returncode != 0 or not os.path.exists(po):
                continue
            merged = os.path.join(tmp, lang + '.po')
            m = subprocess.run(['msgmerge', '--quiet', '--no-fuzzy-matching', '-o', merged, po, pot],
                               capture_output=True, text=True)
            s = subprocess.run(['msgfmt', '--statistics', '-o', os.devnull, merged],
                               capture_output=True, text=True)
            stats = s.stderr.strip()
            untranslated = re.search(r'(\d+) untranslated', stats)
            fuzzy = re.search(r'(\d+) fuzzy', stats)
            complete = m.returncode == 0 and s.returncode == 0 and not untranslated and not fuzzy
            detail = stats
            if not complete:
                u = subprocess.run(['msgattrib', '--untranslated', '--no-wrap', merged],
                                   capture_output=True, text=True)
                ids = re.findall(r'^msgid "(.+)"$', u.stdout, flags=re.M)
                detail += '\n' + '\n'.join('untranslated: ' + i for i in ids[:30])
            report(complete, f'po/{lang}.po translates every message of the sources', detail)

for i, (ok, name, detail) in enumerate(results, 1):
    print(('ok' if ok else 'not ok') + f' {i} - {name}')
    for line in detail.splitlines():
        if line.strip():
            print('# ' + line)
print(f'1..{len(results)}')
sys.exit(0 if all(ok or '# TODO' in name for ok, name, _ in results) else 1)
