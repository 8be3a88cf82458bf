"""Letting go of what Textual keeps of a closed screen's widgets.

Textual (8.2.8, pinned) caches ``StylesCache.get_inner_outer`` with
``functools.lru_cache`` on the method, so the cache's keys hold every
widget's styles cache - and with it the lines last drawn for that widget -
long after the widget is gone: up to 1,024 of them. Each lesson screen the
learner opened and left added some 30,000 objects that every full garbage
collection walked again (longer pauses on screen). The cached values are two
colours, quick to compute again, so the cache is emptied when a lesson
screen closes.

Textual and Rich also cache, with ``functools.lru_cache``, what drawing
computes again and again: regions' overlaps and unions, cells' widths,
styles added together. Thousands of entries, each a few small objects that
live until pushed out; every one was walked again by the collection at a
lesson switch (some 25,000 objects of 150,000 at 160x48). They are emptied
just before it (:func:`forget_drawing_caches`), and fill again as the next
lesson is drawn.

Textual's ``LRUCache`` (the data table's rows and cells, every widget's
box models) links its entries in a ring of lists, and its ``clear`` leaves
the ring as it is: one reference cycle holding every value it cached, which
only a garbage collection frees. A data table that follows the engine
clears six of them at each update; while 30 images were built in
``benchmarks/ui_bench.py``, that left some 130,000 lists, segments and texts
for the collector (counted with ``gc.DEBUG_SAVEALL``). The tutor's ``clear``
(:func:`unlink_cleared_entries`) empties each entry first, so the values are
freed at once, by reference counting.

A ``Strip`` (one drawn line) caches what it is cut and padded into, and
when that is the strip itself (divided at its own length, or cropped and
extended to its own width, as most lines are at every frame), it caches
itself: one reference cycle per line, which only a garbage collection
frees, with the line's segments and seven small caches of its own. They
were the largest kind of garbage a closed lesson left for the collection at
a lesson switch (``gc.DEBUG_SAVEALL`` at the first switch of ``ui_bench``
at 160x48: 1,690 lines and 12,155 of their caches in 75,140 objects; 430
and 3,334 in 56,782 since), and lines drawn and replaced while a lesson is
open piled up the same way between collections. The tutor's
``Strip.divide`` and ``Strip.crop_extend`` (:func:`strips_without_self_cycles`)
return the strip itself without caching it: the same result, freed at once.

Textual's ``Header`` also watches the app's title; the app forgets a closed
watcher only when that value next changes, which the tutor's title never
does, so every lesson screen's header stayed. Closed watchers are dropped
now, as Textual itself would on the next change. The same holds for every
node: a ``Footer`` binds each key it makes to its own ``compact`` value,
and makes them all again whenever the screen's keys change, so the course
screen's footer kept every key it had ever shown (47 to 73 of them, some
100 objects each, after a few lessons in ``benchmarks/ui_bench.py``, more
after every lesson). The watchers of the open screens' nodes are pruned too.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from textual._styles_cache import StylesCache
from textual.app import App
from textual.cache import LRUCache
from textual.strip import Strip

if TYPE_CHECKING:
    from rich.style import Style

__all__ = [
    "forget_closed_widgets",
    "forget_drawing_caches",
    "strips_without_self_cycles",
    "unlink_cleared_entries",
]

#: The modules whose functools caches fill as screens are drawn (Textual 8.2.8, Rich 14).
DRAWING_CACHE_MODULES = (
    "rich.cells",
    "rich.style",
    "textual.color",
    "textual.css.scalar",
    "textual.filter",
    "textual.geometry",
    "textual.strip",
)


def forget_closed_widgets(app: App[object]) -> None:
    """Empty the Textual caches, and the watchers of the app and of its screens' nodes,
    that keep closed widgets alive."""
    cache_clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if cache_clear is not None:  # a Textual that no longer caches there needs nothing
        cache_clear()
    _drop_closed_watchers(app)
    for screen in app.screen_stack:
        for node in screen.walk_children(with_self=True):
            _drop_closed_watchers(node)


def _drop_closed_watchers(watched: object) -> None:
    """What Textual does to a value's watchers when the value changes, done now."""
    watchers: dict[str, list[tuple[object, object]]] = getattr(watched, "__watchers", {})
    for watching in watchers.values():
        if any(getattr(pair[0], "_closing", False) for pair in watching):
            watching[:] = [pair for pair in watching if not getattr(pair[0], "_closing", False)]


def forget_drawing_caches() -> int:
    """Empty the functools caches of :data:`DRAWING_CACHE_MODULES`; how many there were.

    Found by looking, not named one by one: a Textual that caches one more
    function there gets it emptied too, one that caches none is left as it is.
    """
    caches = _drawing_caches()
    for cache in caches:
        cache.cache_clear()
    return len(caches)


def _drawing_caches() -> list[Any]:
    found: list[Any] = []
    for name in DRAWING_CACHE_MODULES:
        module = sys.modules.get(name)
        if module is None:
            continue
        for value in list(vars(module).values()):
            inside = vars(value).values() if isinstance(value, type) else ()
            for candidate in (value, *inside):
                candidate = getattr(candidate, "__func__", candidate)  # a cached classmethod
                if (
                    callable(getattr(candidate, "cache_clear", None))
                    and hasattr(candidate, "cache_info")
                    # Not what the module imported: Rich's Unicode tables are cached too.
                    and getattr(candidate, "__module__", None) == name
                ):
                    found.append(candidate)
    return found


#: Textual's own ``LRUCache.clear``, as it was before :func:`unlink_cleared_entries`
#: (a test puts it back, to show what the app changes).
TEXTUAL_CLEAR = LRUCache.clear


def unlink_cleared_entries() -> bool:
    """Make ``LRUCache.clear`` break its ring of entries; whether it does now.

    Once per process (an app made again changes nothing). A Textual whose
    cache is built otherwise is left as it is: this needs the ``_cache`` of
    ``[previous, next, key, value]`` lists and the ``_head`` it clears.
    """
    if LRUCache.clear is _clear_unlinked:
        return True
    if not {"_cache", "_head", "_full"} <= set(getattr(LRUCache, "__slots__", ())):
        return False
    LRUCache.clear = _clear_unlinked  # type: ignore[method-assign]
    return True


def _clear_unlinked(self: LRUCache[Any, Any]) -> None:
    """``LRUCache.clear``, each entry emptied first: no ring is left for the collector."""
    for entry in self._cache.values():
        entry.clear()
    self._cache.clear()
    self._full = False
    self._head = []


#: Textual's own ``Strip.divide`` and ``Strip.crop_extend``, as they were before
#: :func:`strips_without_self_cycles` (they do the work; a test puts them back).
TEXTUAL_DIVIDE = Strip.divide
TEXTUAL_CROP_EXTEND = Strip.crop_extend


def strips_without_self_cycles() -> bool:
    """Make a ``Strip`` whose cut or padding is itself not keep itself in its caches.

    Once per process. A Textual whose strips are built otherwise (no
    ``_divide_cache`` or ``_crop_extend_cache`` slot) is left as it is.
    """
    if Strip.divide is _divide:
        return True
    if not {"_divide_cache", "_crop_extend_cache"} <= set(getattr(Strip, "__slots__", ())):
        return False
    Strip.divide = _divide  # type: ignore[method-assign]
    Strip.crop_extend = _crop_extend  # type: ignore[method-assign]
    return True


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    """``Strip.divide``; divided at its own length only, the strip itself, uncached."""
    length = self.cell_length
    cuts = [cut for cut in cuts if cut <= length]  # as Textual drops the cuts past the end
    if cuts == [length]:
        return [self]  # Textual's answer too
    return TEXTUAL_DIVIDE(self, cuts)


def _crop_extend(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    """``Strip.crop_extend``; cropped and extended to its own width, the strip itself, uncached."""
    if start <= 0 and end == self.cell_length:
        return self  # Textual's answer too: no padding, and a crop from 0 to the end
    return TEXTUAL_CROP_EXTEND(self, start, end, style)
