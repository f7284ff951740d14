"""The Swedish catalogue ships complete and compiled."""

import re
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "sv" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def test_swedish_catalogue_is_complete_and_not_fuzzy():
    po = polib.pofile(LOCALE / "django.po")
    assert len(po) > 100
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


def test_swedish_placeholders_match_the_english_ones():
    for entry in polib.pofile(LOCALE / "django.po").translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            assert sorted(PLACEHOLDER.findall(text)) in (expected, sorted(PLACEHOLDER.findall(entry.msgid_plural))), (
                entry.msgid
            )


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(LOCALE / "django.po")
    mo = polib.mofile(LOCALE / "django.mo")
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in mo}
    for entry in po.translated_entries():
        msgstr, plural = compiled[(entry.msgctxt, entry.msgid)]
        assert (msgstr, {int(k): v for k, v in plural.items()}) == (
            entry.msgstr,
            {int(k): v for k, v in entry.msgstr_plural.items()},
        ), f"Run `make messages`: {entry.msgid!r} is stale in django.mo"
