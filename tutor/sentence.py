"""A sentence the tutor says: English as a string, said again in the learner's language.

Kept apart from :mod:`tutor.i18n` so that the engine can word its errors
without loading the catalogs: ``python -m tutor layers`` and ``diff`` start
without them (tests/unit/test_import_hygiene.py), and the catalogs are read
only when a sentence is made (imported then, on purpose, for start-up time).
"""

from __future__ import annotations

from collections.abc import Mapping


class Sentence(str):
    """A sentence the tutor says: English as a string, and said again in any language.

    The English text is the string itself, so code that logs, compares or
    prints it needs nothing more; :meth:`said` (or :func:`in_language`, for a
    text that may be a plain string) looks ``key`` up again in another
    language. A value that is itself a Sentence is said in that language too;
    a plain string value (a name, Docker's own words) stays as it is.

    Args:
        key: The catalog entry (``check.image.missing``).
        **values: Values for its ``{name}`` blanks; ``count`` picks the plural form.
    """

    key: str
    values: Mapping[str, object]

    def __new__(cls, key: str, /, **values: object) -> Sentence:
        from tutor.i18n import SOURCE, say  # the catalogs, only once a sentence is said

        made = super().__new__(cls, say(SOURCE, key, **values))
        made.key, made.values = key, values
        return made

    def __reduce__(self) -> tuple[object, ...]:
        return (_remake, (self.key, dict(self.values)))

    def said(self, language: str) -> str:
        """The sentence in ``language`` (English where that catalog lacks it)."""
        from tutor.i18n import say

        values = {name: in_language(value, language) for name, value in self.values.items()}
        return say(language, self.key, **values)


def _remake(key: str, values: dict[str, object]) -> Sentence:
    return Sentence(key, **values)


def in_language(text: object, language: str) -> object:
    """``text`` in ``language`` when it is a :class:`Sentence`; anything else as it is.

    Args:
        text: A Sentence, or a string that is no sentence of the tutor's
            (Docker's output, a file name), or any other value.
        language: A course language.

    Returns:
        The text to show.
    """
    return text.said(language) if isinstance(text, Sentence) else text


def said(text: str, language: str) -> str:
    """:func:`in_language` for a string: what the screens call on a message or a hint."""
    return text.said(language) if isinstance(text, Sentence) else text
