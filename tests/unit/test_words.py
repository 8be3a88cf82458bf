"""The screens' and panels' words: every text in every language, with the same blanks.

``say`` falls back to English for a missing text, and would raise at the
moment a text is shown if a translation named a ``{field}`` the caller does
not pass: both mistakes are caught here, before a learner switches language.
"""

from __future__ import annotations

import string

import pytest

from tutor.screens import WORDS, say
from tutor.screens.panel_words import PANEL_WORDS

LANGUAGES = sorted(WORDS)


def fields(text: str) -> set[str]:
    """The names of a text's ``{field}`` blanks."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_course_languages_all_have_words() -> None:
    assert LANGUAGES == ["en", "pt-BR"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_is_said_in_every_language(language: str) -> None:
    assert sorted(WORDS[language]) == sorted(WORDS["en"])


@pytest.mark.parametrize("key", sorted(WORDS["en"]))
def test_every_translation_has_the_same_blanks(key: str) -> None:
    wanted = fields(WORDS["en"][key])
    for language in LANGUAGES:
        assert fields(WORDS[language][key]) == wanted, (language, key)
        assert WORDS[language][key].strip(), (language, key)


def test_the_panels_words_are_part_of_the_screens_words() -> None:
    for language, words in PANEL_WORDS.items():
        assert words.items() <= WORDS[language].items()


def test_say_fills_the_blanks_and_falls_back_to_english() -> None:
    assert say("pt-BR", "diff.from.layer", index=3, instruction="RUN x") == "da layer 3: RUN x"
    assert say("xx", "diff.from.new") == "new in the container"
    assert say("pt-BR", "no.such.key") == "no.such.key"
