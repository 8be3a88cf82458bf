"""Inline Markdown in one-line places (hints, notices, check messages) shows no raw markers."""

from __future__ import annotations

import pytest
from textual.content import Content

from tutor.widgets.inline import inline_markup, inline_text


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("`CMD`: `python app.py`.", "CMD: python app.py."),
        ("a *whiteout* file", "a whiteout file"),
        ("**only** the `COPY` layer", "only the COPY layer"),
        ("_its_ layer, not my_file_name", "its layer, not my_file_name"),
        ("2 * 3 * 4 stays", "2 * 3 * 4 stays"),
        ("no markers at all", "no markers at all"),
    ],
)
def test_markers_become_styles(markdown: str, plain: str) -> None:
    text = inline_text(markdown)
    assert text.plain == plain
    assert "`" not in text.plain


def test_code_is_bold_and_emphasis_italic() -> None:
    text = inline_text("run `docker diff` on a *copy*")
    styles = {text.plain[span.start : span.end]: str(span.style) for span in text.spans}
    assert styles == {"docker diff": "bold", "copy": "italic"}


def test_markup_escapes_what_is_not_markdown() -> None:
    content = Content.from_markup(inline_markup("`RUN [1]` and [b]x[/b] *now*"))
    assert content.plain == "RUN [1] and [b]x[/b] now"  # brackets in the text stay text
    assert [content.plain[s.start : s.end] for s in content.spans] == ["RUN [1]", "now"]
