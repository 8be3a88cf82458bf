"""Whether a panel is being removed as it mounts, for what it does once mounted.

Textual (8.2.8, pinned) skips mounting the children a widget's ``compose``
made when the widget is being removed as it mounts (a lesson left while its
panels are composed one per frame, see ``PanelDeck.compose_rest``), and still
sends the widget ``Mount``. An ``on_mount`` that fills a table it composed
then finds no table, and the exception ended the tutor with a traceback (the
hundred-kills test, a learner pressing n as the history lesson opened).

Textual has no public word for it: its own flags are read, as ``mount`` does.
"""

from __future__ import annotations

from textual.widget import Widget

__all__ = ["being_removed"]


def being_removed(widget: Widget) -> bool:
    """Whether ``widget`` is being removed, or is gone (its composed parts may be missing)."""
    return widget._closing or widget._closed or widget._pruning or not widget.is_attached
