"""No panel's key shadows a key the screen or the app promises (the footer and README say
l switches the language everywhere; n opens the next lesson once one is done)."""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from textual.binding import Binding, BindingType

from tutor.app import TutorApp
from tutor.screens.lesson import LessonScreen
from tutor.screens.panels import PANELS, Panel


def keys_of(bindings: Iterable[BindingType]) -> set[str]:
    found: set[str] = set()
    for binding in bindings:
        if isinstance(binding, Binding):
            found.update(key.strip() for key in binding.key.split(","))
    return found


PROMISED = keys_of(TutorApp.BINDINGS) | keys_of(LessonScreen.BINDINGS)


@pytest.mark.parametrize("panel", [p for p in PANELS if p.widget is not None], ids=lambda p: p.name)
def test_a_focused_panel_leaves_the_screens_keys_alone(panel: Panel) -> None:
    shadowed = keys_of(panel.bindings()) & PROMISED
    assert shadowed == set(), f"{panel.name} takes {sorted(shadowed)}"


def test_every_panel_with_keys_lists_them_in_the_help() -> None:
    sections = {section.title: section.bindings for section in LessonScreen.panel_keys()}
    assert set(sections) >= {"Diff panel", "History panel", "Containers panel", "Layers panel"}
    assert all(sections.values()), [title for title, keys in sections.items() if not keys]
