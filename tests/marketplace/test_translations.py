"""Every string of ours is translated into Simplified Chinese, and the compiled catalogues
that ship in the repository match their sources."""

from pathlib import Path

import pytest
from django.conf import settings

BASE = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    p
    for p in BASE.glob("**/locale/zh_Hans/LC_MESSAGES/django.po")
    if ".venv" not in p.parts and "var" not in p.parts
)


def _entries(po_path):
    """(msgid, msgstr, fuzzy) triples of a .po file, read with the standard library only; an
    entry with a context has the msgid the compiled catalogue keys it by: "context\x04msgid"."""
    from django.utils.translation import trans_real  # noqa: F401  (Django is configured)

    entries, block = [], []
    for line in po_path.read_text(encoding="utf-8").splitlines() + [""]:
        if line.strip():
            block.append(line)
            continue
        if block:
            entries.append(_parse(block))
            block = []
    return [e for e in entries if e and e[0]]


def _parse(block):
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block)
    fields, current = {}, None
    for line in block:
        if line.startswith("#"):
            continue
        for key in ("msgctxt", "msgid_plural", "msgid", "msgstr[0]", "msgstr"):
            if line.startswith(key + " "):
                current = key
                fields[key] = _unquote(line[len(key) + 1 :])
                break
        else:
            if line.startswith('"') and current:
                fields[current] += _unquote(line)
    msgstr = fields.get("msgstr", fields.get("msgstr[0]", ""))
    msgid = fields.get("msgid", "")
    if "msgctxt" in fields and msgid:
        msgid = f"{fields['msgctxt']}\x04{msgid}"
    return msgid, msgstr, fuzzy


def _unquote(s):
    import ast

    return ast.literal_eval(s.strip())


def test_there_are_catalogues():
    assert BASE / "marketplace/locale/zh_Hans/LC_MESSAGES/django.po" in CATALOGUES


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))
def test_every_string_is_translated_into_chinese(po_path):
    untranslated = [msgid for msgid, msgstr, fuzzy in _entries(po_path) if not msgstr or fuzzy]
    assert untranslated == []


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(BASE)))
def test_the_compiled_catalogue_is_up_to_date(po_path):
    import gettext

    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run make messages"
    with mo_path.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msgid, msgstr, _fuzzy in _entries(po_path):
        if msgstr and "\x00" not in msgid:
            assert compiled.gettext(msgid) == msgstr, f"{mo_path} is stale: run make messages"
