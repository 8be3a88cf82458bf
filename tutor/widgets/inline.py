"""Inline Markdown (`code`, *emphasis*, **strong**) as styled text, for one-line places.

Lesson texts are Markdown. The step body is drawn by a Markdown widget, but
hints, notices and check messages are single lines in a Static or a toast,
where the markers showed raw (`` `CMD` ``, ``*whiteout*``). Here they become
styles, and the markers go.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.markup import escape

#: `code`, **strong**, *emphasis* / _emphasis_ (not inside a word: file_name stays).
_INLINE = re.compile(
    r"`(?P<code>[^`]+)`|\*\*(?P<strong>[^*]+)\*\*|(?<![\w*])\*(?P<em>[^*\s][^*]*)\*(?![\w*])"
    r"|(?<![\w_])_(?P<em2>[^_\s][^_]*)_(?![\w_])"
)
STYLES = {"code": "bold", "strong": "bold", "em": "italic", "em2": "italic"}
MARKUP = {"code": "b", "strong": "b", "em": "i", "em2": "i"}


def inline_text(markdown: str) -> Text:
    """``markdown``'s inline markers turned into styles (for a Static with ``markup=False``)."""
    text = Text()
    last = 0
    for match in _INLINE.finditer(markdown):
        text.append(markdown[last : match.start()])
        kind = match.lastgroup or "code"
        text.append(match.group(kind), style=STYLES[kind])
        last = match.end()
    text.append(markdown[last:])
    return text


def inline_markup(markdown: str) -> str:
    """``markdown`` as Textual content markup (for a notice: ``notify(..., markup=True)``).

    Everything else in the text is escaped, so a ``[`` in a command stays a ``[``.
    """
    out, last = [], 0
    for match in _INLINE.finditer(markdown):
        out.append(escape(markdown[last : match.start()]))
        kind = match.lastgroup or "code"
        tag = MARKUP[kind]
        out.append(f"[{tag}]{escape(match.group(kind))}[/{tag}]")
        last = match.end()
    out.append(escape(markdown[last:]))
    return "".join(out)
