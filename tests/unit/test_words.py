"""The tutor's words in the gettext catalogs: every key in every language, with the same blanks.

``say`` falls back to English for a missing text, and would raise at the
moment a text is shown if a translation named a ``{field}`` the caller does
not pass: both mistakes are caught here, before a learner switches language.
"""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor import i18n
from tutor.engine import cache_miss, errors, missing_rows, profile
from tutor.i18n import CatalogError, read_po, say

LANGUAGES = i18n.languages()
SOURCE = read_po(i18n.LOCALE / "en.po")


def forms(text: i18n.Text) -> tuple[str, ...]:
    return text if isinstance(text, tuple) else (text,)


def fields(text: str) -> set[str]:
    """The names of a text's ``{field}`` blanks."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_course_languages_all_have_catalogs() -> None:
    assert LANGUAGES == ["en", "pt-BR"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_is_said_in_every_language(language: str) -> None:
    catalog = read_po(i18n.LOCALE / f"{language}.po")
    assert sorted(catalog.texts) == sorted(SOURCE.texts)


@pytest.mark.parametrize("key", sorted(SOURCE.texts))
def test_every_translation_has_the_same_blanks_and_plural_shape(key: str) -> None:
    wanted = {frozenset(fields(f)) for f in forms(SOURCE.texts[key])}
    for language in LANGUAGES:
        text = read_po(i18n.LOCALE / f"{language}.po").texts[key]
        assert isinstance(text, tuple) == isinstance(SOURCE.texts[key], tuple), (language, key)
        assert {frozenset(fields(f)) for f in forms(text)} == wanted, (language, key)
        assert all(f.strip() for f in forms(text)), (language, key)


def test_say_fills_the_blanks_and_falls_back_to_english() -> None:
    assert say("pt-BR", "diff.from.layer", index=3, instruction="RUN x") == "da layer 3: RUN x"
    assert say("xx", "diff.from.new") == "new in the container"
    assert say("pt-BR", "no.such.key") == "no.such.key"


@pytest.mark.parametrize(
    ("language", "count", "said"),
    [("pt-BR", 1, "1 mudança"), ("pt-BR", 2, "2 mudanças"), ("en", 1, "1 change"),
     ("en", 0, "0 changes")],
)  # fmt: skip
def test_counts_agree_in_number(language: str, count: int, said: str) -> None:
    text = say(language, "diff.summary", name="c", count=count, parts="A 1", size="0 B")
    assert text.startswith(f"c: {said} (")


def test_the_engine_owns_its_english_sentences() -> None:
    # The panels say these in the learner's language; in English they are the
    # engine's own constants, so the two cannot drift apart.
    owned = {
        "miss.earlier": cache_miss.EARLIER_STEP_REBUILT,
        "miss.instruction": cache_miss.INSTRUCTION_CHANGED,
        "miss.file": cache_miss.FILE_CHANGED,
        "miss.build_arg": cache_miss.BUILD_ARG_CHANGED,
        "miss.base": cache_miss.BASE_CHANGED,
        "miss.new": cache_miss.NEW_AFTER_PARENT,
        "missing.parent_removed": missing_rows.MISSING_PARENT_REMOVED,
        "missing.pulled": missing_rows.MISSING_PULLED,
        "missing.buildkit": missing_rows.MISSING_BUILDKIT,
        "missing.containerd": missing_rows.MISSING_CONTAINERD,
        "missing.elsewhere": missing_rows.MISSING_ELSEWHERE,
        "missing.this_image": missing_rows.THIS_IMAGE,
        "missing.its_base_image": missing_rows.ITS_BASE_IMAGE,
        "engine.unreachable": errors.UNREACHABLE,
        "engine.unreachable.hint": errors.UNREACHABLE_HINT,
        "engine.denied": errors.DENIED,
        "engine.denied.hint": errors.DENIED_HINT,
        "engine.exec_outside": profile.EXEC_OUTSIDE,
    }
    assert {key: SOURCE.texts[key] for key in owned} == owned


def test_the_reader_takes_gettext_syntax_and_leaves_fuzzy_entries_out(tmp_path: Path) -> None:
    po = tmp_path / "xx.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);\\n"\n\n'
        '# a comment\nmsgid "a"\nmsgstr "first "\n"line\\twith \\"quotes\\""\n\n'
        '#, fuzzy\nmsgid "b"\nmsgstr "not yet"\n\n'
        'msgid "c"\nmsgid_plural "c"\nmsgstr[0] "one"\nmsgstr[1] "two"\nmsgstr[2] "many"\n\n'
        'msgid "d"\nmsgstr ""\n',
        encoding="utf-8",
    )
    catalog = read_po(po)
    assert catalog.texts == {"a": 'first line\twith "quotes"', "c": ("one", "two", "many")}
    assert [catalog.plural(n) for n in (1, 2, 5)] == [0, 1, 2]


@given(st.text().filter(lambda text: "\0" not in text))
def test_a_quoted_string_reads_back_as_written(text: str) -> None:
    # The reader skips parsing a string with nothing escaped; both ways agree.
    quoted = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    )
    assert i18n._unquote(Path("xx.po"), 1, f'"{quoted}"') == text


@pytest.mark.parametrize(
    ("content", "where"),
    [(b"\xff\xfe", "cannot be read"), (b'msgid "a"\nmsgstr oops\n', ":2:"),
     (b'"dangling"\n', ":1:"), (b'bogus "x"\n', ":1:")],
)  # fmt: skip
def test_a_broken_catalog_says_its_file_and_line(
    tmp_path: Path, content: bytes, where: str
) -> None:
    po = tmp_path / "xx.po"
    po.write_bytes(content)
    with pytest.raises(CatalogError, match=where):
        read_po(po)
