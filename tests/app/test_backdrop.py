"""The dimmed screen behind a dialog: drawn as Textual draws it, each style tinted once."""

from __future__ import annotations

import pytest
from rich.segment import ControlType, Segment
from rich.style import Style
from textual.color import Color
from textual.renderables.background_screen import BackgroundScreen

from tutor.screens.backdrop import CachedTint, tinted

SEGMENTS = [
    Segment("plain"),
    Segment("coloured", Style(color="#e0e0e0", bgcolor="#121212", bold=True)),
    Segment("foreground only", Style(color="red", italic=True)),
    Segment("background only", Style(bgcolor="rgb(0,48,84)")),
    Segment("a link", Style(color="cyan", link="https://example.org/")),
    Segment("with meta", Style(bgcolor="blue", meta={"@click": "app.bell"})),
    Segment("", None, [(ControlType.HOME,)]),  # a control segment: left as it is
    Segment("coloured", Style(color="#e0e0e0", bgcolor="#121212", bold=True)),  # again
]


@pytest.mark.parametrize(
    "tint", [Color(18, 18, 18, 0.6), Color(0, 0, 0, 0), Color(255, 255, 255, 0.1)]
)
def test_each_segment_is_tinted_as_textual_tints_it(tint: Color) -> None:
    ours = list(CachedTint.process_segments(SEGMENTS, tint))
    textuals = list(BackgroundScreen.process_segments(SEGMENTS, tint))
    assert ours == textuals
    assert ours[6] is SEGMENTS[6]
    assert ours[4].style is not None and ours[4].style.link is None


def test_a_style_is_blended_once_and_reused() -> None:
    tinted.cache_clear()
    tint = Color(18, 18, 18, 0.6)
    list(CachedTint.process_segments(SEGMENTS * 50, tint))
    info = tinted.cache_info()
    assert info.misses == 6  # six styles: the repeated one is blended once
    assert info.hits == 7 * 50 - 6  # every other text segment (the control one is not tinted)
