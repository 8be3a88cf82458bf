"""What drawing leaves in Textual's and Rich's caches is emptied at a lesson switch,
and a cache cleared leaves no cycle behind."""

from __future__ import annotations

import gc
import weakref

import rich._unicode_data
import rich.cells
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region

from tutor.screens.render_caches import forget_drawing_caches, unlink_cleared_entries


def test_the_drawing_caches_are_emptied_and_nothing_else() -> None:
    Region(0, 0, 10, 10).overlaps(Region(5, 5, 10, 10))
    Region(0, 0, 10, 10).union(Region(5, 5, 10, 10))
    rich.cells.cached_cell_len("copy-on-write")
    _ = Style(bold=True) + Style(italic=True)
    # Rich's Unicode width tables: rich.cells imports their loader, which a module of
    # its own caches. Loading them again would cost far more than it frees.
    rich._unicode_data.load()
    loaded = rich._unicode_data.load.cache_info().currsize
    assert loaded >= 1

    assert forget_drawing_caches() >= 10

    assert Region.overlaps.cache_info().currsize == 0
    assert Region.union.cache_info().currsize == 0
    assert rich.cells.cached_cell_len.cache_info().currsize == 0
    assert Style._add.cache_info().currsize == 0
    assert rich._unicode_data.load.cache_info().currsize == loaded


class _Drawn:
    """A value a cache keeps, which a weak reference can watch."""


def test_a_cleared_lru_cache_frees_its_values_without_the_collector() -> None:
    assert unlink_cleared_entries()
    assert unlink_cleared_entries()  # once per process: a second app changes nothing
    cache: LRUCache[int, _Drawn] = LRUCache(4)
    watched = []
    for key in range(6):  # two pushed out on the way
        value = _Drawn()
        watched.append(weakref.ref(value))
        cache.set(key, value)
    del value
    was_on = gc.isenabled()
    gc.disable()
    try:
        assert [ref() is not None for ref in watched] == [False, False, True, True, True, True]
        cache.clear()
        # Freed by reference counting alone: Textual's own clear left them in a ring.
        assert [ref() for ref in watched] == [None] * 6
    finally:
        if was_on:
            gc.enable()
    assert len(cache) == 0 and cache.get(5) is None

    again = [_Drawn() for _ in range(5)]
    for key, value in enumerate(again):
        cache.set(key, value)
    assert len(cache) == 4 and cache.get(0) is None and cache.get(4) is again[4]
    assert cache.get(1) is again[1]  # used last: the next one in pushes out 2
    cache.set(9, again[0])
    assert cache.get(2) is None and cache.get(1) is again[1] and cache.get(9) is again[0]
