"""What drawing leaves in Textual's and Rich's caches is emptied at a lesson switch,
and neither a cache cleared nor a line drawn leaves a cycle behind."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable

import pytest
import rich._unicode_data
import rich.cells
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.geometry import Region
from textual.strip import Strip

from tutor.screens.render_caches import (
    TEXTUAL_CROP_EXTEND,
    TEXTUAL_DIVIDE,
    forget_drawing_caches,
    strips_without_self_cycles,
    unlink_cleared_entries,
)


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


class _Line(Strip):
    """A strip a weak reference can watch (``Strip`` has slots and no ``__weakref__``)."""


def _strip_parts(strip: Strip) -> tuple[list[Segment], int]:
    return list(strip), strip.cell_length


def test_a_line_cut_or_padded_to_itself_is_freed_without_the_collector() -> None:
    assert strips_without_self_cycles()
    assert strips_without_self_cycles()  # once per process
    cuts: list[Callable[[Strip], object]] = [
        lambda s: s.divide([13]),
        lambda s: s.divide([13, 20]),  # a cut past the end is dropped
        lambda s: s.crop_extend(0, 13, None),
        lambda s: s.crop_extend(-3, 13, Style(bold=True)),
    ]
    was_on = gc.isenabled()
    gc.disable()
    try:
        for cut in cuts:
            line = _Line([Segment("copy-on-"), Segment("write", Style(bold=True))])
            assert line.cell_length == 13
            assert cut(line) in ([line], line)  # the line itself, as Textual answers
            watched = weakref.ref(line)
            del line
            # Textual's own divide and crop_extend cached the line in itself: a cycle.
            assert watched() is None
    finally:
        if was_on:
            gc.enable()


_SEGMENTS = [Segment("docker ", Style(color="blue")), Segment("diff"), Segment(" -")]


@pytest.mark.parametrize("cuts", [[13], [13, 40], [4, 13], [4, 8], [30], [], [5, 13, 13]])
def test_the_tutor_s_divide_gives_textual_s_strips(cuts: list[int]) -> None:
    """The same strips as Textual's own method, for cuts around the line's own length
    (given as an iterator, read once, as Textual allows)."""
    strips_without_self_cycles()
    ours = Strip(_SEGMENTS).divide(iter(cuts))
    theirs = TEXTUAL_DIVIDE(Strip(_SEGMENTS), cuts)
    assert [_strip_parts(s) for s in ours] == [_strip_parts(s) for s in theirs]


@pytest.mark.parametrize(
    ("start", "end", "style"),
    [(0, 13, None), (-2, 13, None), (0, 20, Style(reverse=True)), (3, 13, None), (2, 8, None),
     (0, 5, None), (0, 13, Style(bold=True)), (20, 25, None)],
)  # fmt: skip
def test_the_tutor_s_crop_extend_gives_textual_s_strip(
    start: int, end: int, style: Style | None
) -> None:
    strips_without_self_cycles()
    ours = Strip(_SEGMENTS).crop_extend(start, end, style)
    theirs = TEXTUAL_CROP_EXTEND(Strip(_SEGMENTS), start, end, style)
    assert _strip_parts(ours) == _strip_parts(theirs)
