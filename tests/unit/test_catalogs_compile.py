"""The tutor's reading of each ``.po`` file is what gettext's own compiled catalog says.

The tutor reads its ``.po`` catalogs as they are (``tutor.i18n.read_po``), so
there is no ``.mo`` file to fall out of step with its source and a teacher's
new catalog works without a build step. What this proves instead is that
nothing is lost in that reading: each catalog, compiled to a ``.mo`` by Babel
(the tool translators' pipelines use) and loaded with the standard library's
``gettext.GNUTranslations``, gives the same text for every key and for every
plural form, and holds no key the tutor's reader dropped. A catalog written
in a way gettext reads differently (an escape, a continuation line, a
``Plural-Forms`` rule, a fuzzy entry) fails here and in CI.
"""

from __future__ import annotations

import gettext
import io
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po as babel_read_po

from tutor import i18n
from tutor.i18n import read_po

LESSONS = Path(i18n.__file__).resolve().parent.parent / "lessons"
CATALOGS = sorted([*i18n.LOCALE.glob("*.po"), *(LESSONS / "locale").glob("*.po")])


def compiled(po: Path) -> gettext.GNUTranslations:
    """``po`` compiled to a ``.mo`` (fuzzy entries left out) and loaded by gettext."""
    with po.open("rb") as handle:
        catalog = babel_read_po(handle)
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return gettext.GNUTranslations(mo)


def test_there_are_catalogs_to_compare() -> None:
    assert {p.stem for p in CATALOGS} >= {"en", "pt-BR"}


def differences(po: Path) -> list[str]:
    """Where the tutor's reading of ``po`` and gettext's compiled catalog disagree."""
    ours, theirs = read_po(po), compiled(po)
    found = []
    for key, text in ours.texts.items():
        if isinstance(text, tuple):
            for n in range(30):
                if theirs.ngettext(key, key, n) != text[ours.plural(n)]:
                    found.append(f"{key} (n={n})")
        elif theirs.gettext(key) != text:
            found.append(key)
    # Keys gettext has that the tutor's reader left out (the header's key is "").
    held = {k[0] if isinstance(k, tuple) else k for k in theirs._catalog}  # type: ignore[attr-defined]
    found += sorted(f"{k!r} only in the compiled catalog" for k in held - {""} - set(ours.texts))
    return found


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.name)
def test_the_compiled_catalog_says_what_the_tutor_reads(po: Path) -> None:
    assert differences(po) == []


def test_a_difference_is_found(tmp_path: Path) -> None:
    # An entry with a context is one gettext keeps apart and the tutor's reader
    # does not: the comparison must say so.
    po = tmp_path / "xx.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"\n\n'
        'msgid "k"\nmsgid_plural "k"\nmsgstr[0] "one"\nmsgstr[1] "many"\n\n'
        'msgctxt "menu"\nmsgid "open"\nmsgstr "abrir"\n',
        encoding="utf-8",
    )
    assert differences(po) != []
