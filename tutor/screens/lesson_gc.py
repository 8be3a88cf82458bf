"""Which objects the garbage collector walks while a lesson is open, and when it lets them go.

A full collection stops the event loop (and every thread) for as long as
it takes to walk every tracked object. What start-up made is frozen once
the first frame is up (``TutorApp.on_ready``); a lesson screen then adds
some 90,000 more (its widgets, their styles, the lines drawn), which live
as long as the screen. Walked again at every full collection, they made
most of the stalls over 100 ms in ``benchmarks/ui_bench.py``. So once a
lesson's first frame is drawn, they are frozen too: the collections while
the learner works in the lesson walk only what was made since.

Frozen objects are still freed when nothing refers to them any more, but
not those in reference cycles (a widget and its parent). So when a lesson
screen closes, everything is let back in (``gc.unfreeze``), and the next
lesson's first frame collects once, before freezing again: one full walk
per lesson opened, instead of one every few seconds while it is open.
"""

from __future__ import annotations

import gc
import weakref

from textual.app import App

__all__ = ["lesson_closed", "lesson_drawn"]

#: The apps whose closed lesson screen was let back in since their last freeze (one app
#: per process, but tests run many: a new app's first lesson has nothing to collect).
_thawed: weakref.WeakSet[App[object]] = weakref.WeakSet()


def lesson_drawn(app: App[object]) -> None:
    """Leave what exists now out of later collections (after one, if a lesson closed)."""
    if app in _thawed:
        gc.collect()  # what the closed screen left in cycles, before it is frozen again
        _thawed.discard(app)
    gc.freeze()


def lesson_closed(app: App[object]) -> None:
    """Let every frozen object back in, so that the closed screen's cycles can be freed."""
    gc.unfreeze()
    _thawed.add(app)
