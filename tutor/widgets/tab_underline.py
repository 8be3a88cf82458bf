"""Putting a tab bar's underline under the chosen tab once the tabs are laid out.

Textual (8.2.8, pinned) measures the chosen tab to place the underline
right after a refresh, which may come before the tab's new width is laid
out: after a language switch relabels every tab, or when a bar's tabs are
mounted one by one (the lesson's files). The underline then stayed under
part of a neighbour, or under nothing at all, until the learner chose
another tab. :func:`underline_chosen_tab` waits until Textual's own slide
is over and every tab has its label's width, then sets the underline.
"""

from __future__ import annotations

from functools import partial

from textual.widgets import Tab, Tabs
from textual.widgets._tabs import Underline

__all__ = ["underline_chosen_tab"]

#: Seconds between two looks, and how many looks at most (two seconds in all).
LOOK_AGAIN, LOOKS = 0.05, 40


def underline_chosen_tab(tabs: Tabs, looks: int = LOOKS) -> None:
    """Set the underline under the chosen tab, or look again soon if it is not laid out."""
    chosen = tabs.active_tab
    if chosen is None or not tabs.is_attached:
        return
    underline = tabs.query_one(Underline)
    sliding = tabs.app.animator.is_being_animated(underline, "highlight_start")
    # Every tab, not only the chosen one: "Diff" is as wide in both languages, yet it
    # moves when "Arquivos" becomes "Files" before it.
    stale = any(
        tab.virtual_region.shrink(tab.styles.gutter).width != tab.label.cell_length
        for tab in tabs.query(Tab)
        if tab.display and not tab.has_class("-hidden")
    )
    if (sliding or stale) and looks:
        tabs.set_timer(LOOK_AGAIN, partial(underline_chosen_tab, tabs, looks - 1))
        return
    region = chosen.virtual_region.shrink(chosen.styles.gutter)
    underline.highlight_start, underline.highlight_end = region.column_span
