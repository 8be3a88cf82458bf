"""Inline Markdown (`code`, *emphasis*, **strong**) as styled text, for one-line places.

Lesson texts are Markdown. The step body is drawn by a Markdown widget, but
hints, notices and check messages are single lines in a Static or a toast,
where the markers showed raw (`` `CMD` ``, ``*whiteout*``). Here they become
styles, and the markers go.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.text import Text
from textual.markup import escape

#: `code`, **strong**, *emphasis* / _emphasis_ (not inside a word: file_name stays).
_INLINE = re.compile(
    r"`(?P<code>[^`]+)`|\*\*(?P<strong>[^*]+)\*\*|(?<![\w*])\*(?P<em>[^*\s][^*]*)\*(?![\w*])"
    r"|(?<![\w_])_(?P<em2>[^_\s][^_]*)_(?![\w_])"
)
STYLES = {"code": "bold", "strong": "bold", "em": "italic", "em2": "italic"}
MARKUP = {"code": "b", "strong": "b", "em": "i", "em2": "i"}


def _segments(markdown: str) -> Iterator[tuple[str, str | None]]:
    """The text in runs: ``(text, kind)``, kind ``code``/``strong``/``em``/``em2`` or None."""
    last = 0
    for match in _INLINE.finditer(markdown):
        yield markdown[last : match.start()], None
        kind = match.lastgroup or "code"
        yield match.group(kind), kind
        last = match.end()
    yield markdown[last:], None


def inline_text(markdown: str) -> Text:
    """``markdown``'s inline markers turned into styles (for a Static with ``markup=False``)."""
    text = Text()
    for part, kind in _segments(markdown):
        text.append(part, style=STYLES[kind] if kind else "")
    return text


def inline_markup(markdown: str) -> str:
    """``markdown`` as Textual content markup (for a notice: ``notify(..., markup=True)``).

    Everything else in the text is escaped, so a ``[`` in a command stays a ``[``.
    """
    return "".join(
        f"[{MARKUP[kind]}]{escape(part)}[/{MARKUP[kind]}]" if kind else escape(part)
        for part, kind in _segments(markdown)
    )
