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
back in (``gc.unfreeze``), and the next lesson opened collects once, before
it is made (``TutorApp.open_lesson``, :func:`collect_closed`), then freezes
again: one full walk per lesson opened, instead of one every few seconds
while it is open. When a lesson is opened from another, the app closes the
first and waits for its removal (and, not long, for its cancelled workers)
before it collects and makes the next, so the walk leaves out the next
lesson's first frame. (Its workers' threads too: Textual calls a cancelled
thread worker finished before its thread has let go of it.) Textual may
still refer to the closed screen then (a timer cancelled in its context
stays scheduled until its time): it is not frozen while it does, and the
next lesson's first frame collects instead.

Three ``benchmarks/ui_bench.py`` sessions, interleaved with three where the
collection came at the next lesson's first frame: the longest collection at
a switch took 107-231 ms of CPU instead of 231-384, and the longest stall
of a session was 226-249 ms instead of 303-390.

That walk takes in start-up's frozen objects too (some 80,000), since
``gc.unfreeze`` has no way to let back in only a lesson's. Two other
designs were measured and dropped. Start-up frozen for good, lessons never
frozen, one collection at each close (``ui_bench``'s ``frozen`` column):
the walk at a switch was no shorter (the new lesson's objects are walked
instead), and the automatic collections walked the open lesson's 100,000
to 190,000 objects again and again: 36 stalls over 100 ms in one session
against 11 with this design, the longest about the same. The same, with
the third generation's threshold raised while a lesson is open so that no
automatic full collection walks it: the cyclic garbage a lesson makes then
piles up until it closes; the collection at a switch walked up to 390,000
objects (250,000 of them garbage), and the longest stall grew to 310-360 ms.

What one such walk is made of, counted for lesson 2 closed at 80x24
(``gc.DEBUG_SAVEALL``): 134,000 objects walked in 119 ms, 82,000 of them
alive (start-up's) and 52,000 the closed lesson's garbage. Of that garbage,
some 550 are the unseen nodes Textual makes to style a widget's parts
(``DOMNode`` in ``Stylesheet._process_component_classes``, new ones at
every restyle, with their styles, bindings and signals): restyles cost
twice, at the moment and again at the switch. That is why the lesson
screen sets its classes before its widgets mount (``LessonScreen.compose``).
Before each such walk, the caches that drawing fills in Textual and Rich
are emptied (``render_caches.forget_drawing_caches``, some 25,000 objects
at 160x48), and the closed lesson's cancelled timers let go of it. Two
``ui_bench`` sessions interleaved with two without that: the longest stall
of each lesson switch was lower in all 8 pairs, 121-164 ms against 141-172
ms where it was highest. It is still over 100 ms.
"""

from __future__ import annotations

import asyncio
import gc
import heapq
import weakref
from typing import Any

from textual.app import App
from textual.cache import FIFOCache, LRUCache
from textual.widget import Widget
from textual.widgets import RichLog
from textual.worker import Worker, active_worker

from tutor.screens.render_caches import forget_drawing_caches
from tutor.worker_threads import FreshContextExecutor

__all__ = [
    "collect_closed",
    "data_kept",
    "drop_drawn_lines",
    "lesson_closed",
    "lesson_drawn",
    "until_finished",
    "workers_of",
]

#: The apps whose closed lesson screen was let back in since their last freeze (one app
#: per process, but tests run many: a new app's first lesson has nothing to collect).
_thawed: weakref.WeakSet[App[Any]] = weakref.WeakSet()
#: The lesson screen each app closed last: whether it is freed yet (collect_closed).
_closed: weakref.WeakKeyDictionary[App[Any], weakref.ref[Widget]] = weakref.WeakKeyDictionary()
#: Seconds a lesson switch waits at most for the closed screen's workers to end.
LET_GO_WAIT = 0.25


def lesson_drawn(app: App[Any]) -> None:
    """A lesson's first frame is up, or all its panels are composed: collect what a
    closed lesson left (once), then leave what exists now out of later collections."""
    if app in _thawed:
        _walk_what_was_closed()  # before it is frozen again
        _thawed.discard(app)
        gc.enable()
    gc.freeze()


def data_kept(app: App[Any]) -> None:
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

    The same for what widgets cache in Textual's own caches (a data table's
    rendered rows, cells and lines, each node's box models and queries): found
    by looking at each widget's attributes, so that one cache more in a later
    Textual is emptied too. Each line kept a few of Textual's small caches of
    its own, and lines cropped from it: at 160x48 the collection at a switch
    still freed 4,000-12,000 of those caches and 600-1,700 lines.
    """
    for widget in screen.walk_children(Widget, with_self=True):
        widget._styles_cache.clear()
        if isinstance(widget, RichLog):
            widget.clear()
        for value in list(vars(widget).values()):
            if isinstance(value, LRUCache | FIFOCache):
                value.clear()


def workers_of(app: App[Any], screen: Widget) -> list[weakref.ref[Worker[Any]]]:
    """The workers of ``screen`` and its widgets, held weakly (each refers to its widget)."""
    nodes = set(screen.walk_children(Widget, with_self=True))
    return [weakref.ref(worker) for worker in app.workers if worker.node in nodes]


async def until_finished(
    workers: list[weakref.ref[Worker[Any]]], threads: FreshContextExecutor
) -> None:
    """Wait, not long, until the closed screen's cancelled workers have ended.

    A worker's task keeps its widget alive (and, in its context variables,
    the screen) until it ends: collected before, the closed screen would
    survive the collection. A thread worker ends only when its engine call
    returns, and Textual says a cancelled one is finished before that: the
    app's ``threads`` are asked whether its call still runs (the lesson's
    engine events, whose stream the cancellation closes, took a few
    milliseconds more; collected meanwhile, the screen outlived the switch's
    collection, and the next lesson's first frame walked everything again).
    :data:`LET_GO_WAIT` bounds the wait.
    """
    deadline = asyncio.get_running_loop().time() + LET_GO_WAIT
    while asyncio.get_running_loop().time() < deadline:
        alive = [w for ref in workers if (w := ref()) is not None]
        if not any(not w.is_finished for w in alive) and not threads.running(active_worker, alive):
            break
        del alive
        await asyncio.sleep(0.005)
    await asyncio.sleep(0)  # their tasks' last step


def collect_closed(app: App[Any]) -> None:
    """A lesson was closed and the next is not made yet: collect what it left, now.

    Called by ``TutorApp.open_lesson`` before it makes the next lesson, so that
    the walk takes in neither that lesson's first frame nor, frozen right after,
    start-up a second time. Should Textual still refer to the closed screen (its
    removal not quite over), nothing is frozen: a frozen cycle is never freed.
    The next lesson's first frame then collects and freezes, as it would have.
    """
    if app not in _thawed:
        return
    _walk_what_was_closed()
    # No timer for the other case: one made now would keep, in the context variables
    # it copies (the screens last drawn), the closed screen alive for its whole wait.
    # The next lesson is made right after this; its first frame, or its closing,
    # lets automatic collections run again.
    if _closed[app]() is None:  # set with _thawed, by lesson_closed
        _thawed.discard(app)
        gc.enable()
        gc.freeze()


def _walk_what_was_closed() -> None:
    """The full collection that frees a closed lesson's cycles, with what would only
    hold the lesson or lengthen the walk let go first."""
    _forget_cancelled_timers()
    forget_drawing_caches()
    gc.collect()


def _forget_cancelled_timers() -> None:
    """Take the cancelled timers out of the event loop's schedule, now.

    asyncio keeps a cancelled timer until its time comes, and with it the
    context it was set in: a closed lesson's timers (its diff poll, a sleep
    of a task it started) named that lesson as the active message pump for
    up to a second more. It outlived the collection at a lesson switch, and
    the next lesson's first frame walked every object again to free it.
    asyncio itself does this once half its timers are cancelled
    (``BaseEventLoop._run_once``); an event loop without that schedule is
    left as it is.
    """
    loop = asyncio.get_running_loop()
    scheduled = getattr(loop, "_scheduled", None)
    if not isinstance(scheduled, list) or not hasattr(loop, "_timer_cancelled_count"):
        return
    kept = [timer for timer in scheduled if not timer.cancelled()]
    if len(kept) == len(scheduled):
        return
    for timer in scheduled:
        if timer.cancelled():
            timer._scheduled = False
    heapq.heapify(kept)
    scheduled[:] = kept
    loop._timer_cancelled_count = 0


def lesson_closed(app: App[Any], screen: Widget, *, replaced: bool) -> None:
    """Let every frozen object back in, so that the closed screen's cycles can be freed.

    When the app replaces it by another lesson (``replaced``), it collects
    them before making that lesson (:func:`collect_closed`), and no automatic
    collection runs until then: one started now (they come often while
    screens change) walked everything too, a second full walk for one
    lesson. Otherwise the learner is back on the list of lessons:
    collections as usual, and the next lesson opened collects first.
    """
    gc.unfreeze()
    _thawed.add(app)
    _closed[app] = weakref.ref(screen)
    if replaced:
        # Not a message from here: it would name this screen as its sender, and keep
        # it alive, in the app's queue, through that collection.
        gc.disable()
    else:
        gc.enable()
