#!/usr/bin/env bash
# Refresh the English translation catalogue after adding or changing interface strings.
#
# Usage (from anywhere):  scripts/update-translations.sh
#
# What it does:
#   1. Runs `django-admin makemessages -l en` from src/shequ, so every gettext()/gettext_lazy()
#      string in .py files and every {% translate %}/{% blocktranslate %} in templates is merged into
#      src/shequ/locale/en/LC_MESSAGES/django.po. Tests (tests/*) are not scanned, and entries whose
#      msgid no longer exists in the source are dropped (--no-obsolete).
#   2. Compiles the catalogue into django.mo (via `compilemessages`, which runs msgfmt --check-format).
#   3. Reports entries that still need work: new strings arrive with an empty msgstr, and strings
#      close to an existing one may arrive marked "#, fuzzy" with a guessed translation.
#
# After running it: translate every empty msgstr, review and remove each "#, fuzzy" flag, then run
# this script again so django.mo is current, and commit both django.po and django.mo.
# src/shequ/web/tests/test_i18n.py fails while any entry is empty or fuzzy.
#
# Needs GNU gettext (msgmerge/msgfmt/xgettext: `apt-get install gettext`) and the project's .venv.
# JavaScript has no gettext calls today; if some are added, also run makemessages with -d djangojs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
PKG="$ROOT/src/shequ"
PO="$PKG/locale/en/LC_MESSAGES/django.po"
export PYTHONPATH="$ROOT/src${PYTHONPATH:+:$PYTHONPATH}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-shequ.config.settings.test}"

for tool in msgmerge msgfmt xgettext; do
  command -v "$tool" >/dev/null || { echo "error: $tool not found; install GNU gettext (apt-get install gettext)" >&2; exit 1; }
done

cd "$PKG"
"$VENV/bin/django-admin" makemessages -l en --ignore 'tests/*' --no-obsolete
"$VENV/bin/django-admin" compilemessages -l en --ignore 'tests/*'

# Count entries still needing a translator (the header entry, msgid "", is skipped).
"$VENV/bin/python" - "$PO" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
empty = fuzzy = 0
for block in text.split("\n\n"):
    if "\nmsgid " not in "\n" + block or re.search(r'^msgid ""\nmsgstr ""\n"', block, re.M):
        continue
    if re.search(r"^#,.*\bfuzzy\b", block, re.M):
        fuzzy += 1
    strs = re.findall(r'^msgstr(?:\[\d+\])? ((?:".*"\n?)+)', block + "\n", re.M)
    if any(not "".join(re.findall(r'"(.*)"', s)) for s in strs):
        empty += 1
print(f"{sys.argv[1]}: {empty} untranslated, {fuzzy} fuzzy")
sys.exit(1 if empty or fuzzy else 0)
PY
