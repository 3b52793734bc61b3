"""The catalog: every key in both languages, and the language toggle persists across pages."""
from hflab.i18n import LANGUAGES, catalog, t


def test_every_key_has_both_languages():
    one_sided = [
        key for key, entry in catalog().items() if any(not (entry.get(lang) or "").strip() for lang in LANGUAGES)
    ]
    assert one_sided == []


def test_no_unknown_language_codes():
    extra = [key for key, entry in catalog().items() if set(entry) - set(LANGUAGES)]
    assert extra == []


def test_placeholders_match_between_languages():
    import string

    def fields(s):
        return {f for _, f, _, _ in string.Formatter().parse(s) if f}

    mismatched = [key for key, e in catalog().items() if fields(e["zh"]) != fields(e["en"])]
    assert mismatched == []


def test_unknown_key_falls_back_to_key():
    assert t("no.such.key", "en") == "no.such.key"
