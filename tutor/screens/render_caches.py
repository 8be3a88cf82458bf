"""Letting go of what Textual keeps of a closed screen's widgets.

Textual (8.2.8, pinned) caches ``StylesCache.get_inner_outer`` with
``functools.lru_cache`` on the method, so the cache's keys hold every
widget's styles cache - and with it the lines last drawn for that widget -
long after the widget is gone: up to 1,024 of them. Each lesson screen the
learner opened and left added some 30,000 objects that every full garbage
collection walked again (longer pauses on screen). The cached values are two
colours, quick to compute again, so the cache is emptied when a lesson
screen closes.

Textual's ``Header`` also watches the app's title; the app forgets a closed
watcher only when that value next changes, which the tutor's title never
does, so every lesson screen's header stayed. Closed watchers are dropped
now, as Textual itself would on the next change.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache
from textual.app import App

__all__ = ["forget_closed_widgets"]


def forget_closed_widgets(app: App[object]) -> None:
    """Empty the Textual caches and the app's watchers that keep closed widgets alive."""
    cache_clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if cache_clear is not None:  # a Textual that no longer caches there needs nothing
        cache_clear()
    watchers: dict[str, list[tuple[object, object]]] = getattr(app, "__watchers", {})
    for watching in watchers.values():
        watching[:] = [pair for pair in watching if not getattr(pair[0], "_closing", False)]
