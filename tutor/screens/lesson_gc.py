"""Which objects the garbage collector walks while a lesson is open, and when it lets them go.

A full collection stops the event loop (and every thread) for as long as
it takes to walk every tracked object. What start-up made is frozen once
the first frame is up (``TutorApp.on_ready``); a lesson screen then adds
some 100,000 more (its widgets, their styles, the lines drawn), which live
as long as the screen. Walked again at every full collection, they made
most of the stalls over 100 ms in ``benchmarks/ui_bench.py``. So once a
lesson's first frame is drawn, and again once its panels are composed (one
per frame after the first, see ``PanelDeck.compose_rest``), they are frozen
too: the collections while the learner works in the lesson walk only what
was made since.

What a panel keeps from the engine lives as long as the panel shows it: a
20,000-path diff is some 40,000 objects, and the poll that reads it every
second makes enough new ones to start a full collection every few seconds,
which walked the shown diff each time. So a panel's large value is frozen
too once it is shown (:func:`data_kept`).

Frozen objects are still freed when nothing refers to them any more (a
replaced diff, which has no cycles), but not those in reference cycles (a
widget and its parent). So when a lesson screen closes, everything is let
back in (``gc.unfreeze``), and the next lesson's first frame collects once,
before freezing again: one full walk per lesson opened, instead of one
every few seconds while it is open. That walk is over before the panels
not shown are composed, so it does not walk them too.

That walk takes in start-up's frozen objects too (some 80,000), since
``gc.unfreeze`` has no way to let back in only a lesson's. The other design
was measured (``benchmarks/ui_bench.py``, its ``frozen`` column): start-up
frozen for good, lessons never frozen, one collection at each close. The
walk at a lesson switch was no shorter (the new lesson's objects are
walked instead), and the automatic collections walked the open lesson's
100,000 to 190,000 objects again and again: 36 stalls over 100 ms in one
session against 11 with this design, the longest about the same.
"""

from __future__ import annotations

import gc
import weakref
from functools import partial

from textual.app import App
from textual.widget import Widget
from textual.widgets import RichLog

__all__ = ["data_kept", "drop_drawn_lines", "lesson_closed", "lesson_drawn", "lesson_shown"]

#: The apps whose closed lesson screen was let back in since their last freeze (one app
#: per process, but tests run many: a new app's first lesson has nothing to collect).
_thawed: weakref.WeakSet[App[object]] = weakref.WeakSet()
#: How many lesson screens of each app are past their first frame and not closed.
_shown: weakref.WeakKeyDictionary[App[object], int] = weakref.WeakKeyDictionary()
#: Seconds after a lesson closes under a lesson already shown until the collection,
#: so that the closing screen is no longer referenced by Textual's removal.
CLOSED_COLLECT_DELAY = 0.1
#: Seconds after which automatic collections resume if no lesson frame collected.
RESUME_AFTER = 1.0


def _collect_if_due(app: App[object]) -> None:
    """Collect what a closed lesson left (once), then freeze what exists now."""
    if app in _thawed:
        gc.collect()  # what the closed screen left in cycles, before it is frozen again
        _thawed.discard(app)
        gc.enable()
    gc.freeze()


def lesson_shown(app: App[object]) -> None:
    """The lesson's first frame: collect what a closed lesson left (once), freeze the rest."""
    _shown[app] = _shown.get(app, 0) + 1
    _collect_if_due(app)


def lesson_drawn(app: App[object]) -> None:
    """Every panel is composed: leave what exists now out of later collections."""
    _collect_if_due(app)


def data_kept(app: App[object]) -> None:
    """A panel keeps a large value from the engine: leave it out of later collections.

    Not before the lesson's first frame has collected what a closed lesson left
    (frozen, its cycles would stay until the next lesson closes).
    """
    if app not in _thawed:
        gc.freeze()


def drop_drawn_lines(screen: Widget) -> None:
    """Let go of the lines a closing screen's widgets last drew, before they are removed.

    Textual (8.2.8, pinned) keeps each widget's styled lines (``_styles_cache``)
    after it is removed, and a log keeps every line it wrote: each line is a
    ``Strip`` with its segments and seven small caches. Held by widgets that
    are freed only by the collection (their cycles), they were most of the
    garbage a closed lesson left (some 55,000 of 79,000 objects at 160x48),
    all walked by it. Dropped here, they are freed at once by refcounting.
    """
    for widget in screen.walk_children(Widget, with_self=True):
        widget._styles_cache.clear()
        if isinstance(widget, RichLog):
            widget.clear()


def lesson_closed(app: App[object], *, was_shown: bool, following: bool) -> None:
    """Let every frozen object back in, so that the closed screen's cycles can be freed.

    When another lesson follows (``following``: it is on the screen stack), its
    first frame collects them. Until then no automatic collection runs: one
    started now (they come often while a screen is built) walked everything
    too, a second full walk for one lesson. When that frame came first (Textual
    removes the old screen while it composes the new one), everything would
    stay unfrozen, and every full collection walk it all, for as long as the
    new lesson is open: it is collected and frozen again shortly instead.
    """
    gc.unfreeze()
    _thawed.add(app)
    if was_shown:
        _shown[app] = max(0, _shown.get(app, 0) - 1)
    if not following:
        gc.enable()  # back to the list of lessons: collections as usual
    elif _shown.get(app):
        # From the app's own context: a timer made here would keep, in its task's
        # context variables, this closing screen alive through the collection.
        later = partial(_collect_if_due, app)
        app.call_later(app.set_timer, CLOSED_COLLECT_DELAY, later)
    else:
        gc.disable()
        # Should that frame never come (the lesson closed before it), not for long.
        app.call_later(app.set_timer, RESUME_AFTER, partial(_resume, app))


def _resume(app: App[object]) -> None:
    """No lesson frame collected: automatic collections walk everything again."""
    if app in _thawed:
        gc.enable()
