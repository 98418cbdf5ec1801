"""Fill given translations into the .po and drop their fuzzy flags (usage: python fill_po.py PO JSON)."""

import json
import re
import sys

po_path, tr_path = sys.argv[1], sys.argv[2]
translations = json.load(open(tr_path, encoding="utf-8"))
text = open(po_path, encoding="utf-8").read()
blocks = text.split("\n\n")
out = []
for b in blocks:
    m = re.search(r'^msgid "(.*)"\n((?:".*"\n)*)msgstr', b, re.M)
    msgid = (m.group(1) + "".join(re.findall(r'^"(.*)"$', m.group(2), re.M))) if m else None
    if msgid in translations:
        lines = [ln for ln in b.split("\n") if not ln.startswith("#| ")]
        lines = [ln.replace("#, fuzzy, ", "#, ") if ln.startswith("#, fuzzy,") else ln for ln in lines]
        lines = [ln for ln in lines if ln != "#, fuzzy"]
        i = next(k for k, ln in enumerate(lines) if ln.startswith("msgstr "))
        j = i + 1
        while j < len(lines) and lines[j].startswith('"'):
            j += 1
        value = translations[msgid].replace("\\", "\\\\").replace('"', '\\"')
        lines[i:j] = [f'msgstr "{value}"']
        b = "\n".join(lines)
    out.append(b)
open(po_path, "w", encoding="utf-8").write("\n\n".join(out))
