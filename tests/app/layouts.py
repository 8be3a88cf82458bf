"""Counting the screen's layouts: what a test of "no layout for this" watches."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App


def counting_layouts(app: App[Any], monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The current screen's layouts from now on, one item each (17-24 ms each at
    160x48 for the lesson screen: the cost these tests keep away)."""
    layouts: list[int] = []
    lay_out = app.screen._refresh_layout

    def counted(*args: Any, **kwargs: Any) -> None:
        layouts.append(1)
        lay_out(*args, **kwargs)

    monkeypatch.setattr(app.screen, "_refresh_layout", counted)
    return layouts
