"""Whether a panel's own parts were mounted, for what it does in ``on_mount``.

Textual (8.2.8, pinned) skips mounting the children a widget's ``compose``
made when the widget is being removed as it mounts (a lesson left while its
panels are composed one per frame, see ``PanelDeck.compose_rest``), and still
sends the widget ``Mount``. An ``on_mount`` that fills a table it composed
then finds no table, and the exception ended the tutor with a traceback (the
hundred-kills test, a learner pressing n as the history lesson opened).
"""

from __future__ import annotations

from textual.widget import Widget

__all__ = ["parts_mounted"]


def parts_mounted(widget: Widget) -> bool:
    """Whether ``widget``'s composed children are in place (False: it is being removed)."""
    return bool(widget.children)
