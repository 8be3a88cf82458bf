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
"""

from __future__ import annotations

import gc
import weakref

from textual.app import App

__all__ = ["data_kept", "lesson_closed", "lesson_drawn", "lesson_shown"]

#: The apps whose closed lesson screen was let back in since their last freeze (one app
#: per process, but tests run many: a new app's first lesson has nothing to collect).
_thawed: weakref.WeakSet[App[object]] = weakref.WeakSet()


def lesson_shown(app: App[object]) -> None:
    """The lesson's first frame: collect what a closed lesson left (once), freeze the rest."""
    if app in _thawed:
        gc.collect()  # what the closed screen left in cycles, before it is frozen again
        _thawed.discard(app)
    gc.freeze()


def lesson_drawn(app: App[object]) -> None:
    """Every panel is composed: leave what exists now out of later collections."""
    lesson_shown(app)


def data_kept(app: App[object]) -> None:
    """A panel keeps a large value from the engine: leave it out of later collections.

    Not before the lesson's first frame has collected what a closed lesson left
    (frozen, its cycles would stay until the next lesson closes).
    """
    if app not in _thawed:
        gc.freeze()


def lesson_closed(app: App[object]) -> None:
    """Let every frozen object back in, so that the closed screen's cycles can be freed."""
    gc.unfreeze()
    _thawed.add(app)
