"""A full garbage collection that finds what is dead at once and frees it later, in pieces.

A full collection does two things while the event loop (and every thread)
waits: it walks every tracked object to find those that nothing alive can
reach, then frees them. At a lesson switch (``tutor.screens.lesson_gc``) the
dead are the closed lesson's widgets, styles and lines, 28,000-52,000
objects at 160x48, and that one collection was the longest stall of
``benchmarks/ui_bench.py``: 56-108 ms.

:func:`find_dead` runs the same collection with ``gc.DEBUG_SAVEALL``, the
collector's own way to hand the dead over instead of freeing them. By then
the collector has done everything that can reach back into living code:
weak references to the dead are cleared (their callbacks called) and their
finalizers have run, so no living object can reach one again. What is left
of freeing is what the collector itself would do next (``tp_clear``):
empty each dead container, so that the cycles between them break and
reference counting frees them. :func:`free_some` does that from Python, a
piece at a time, between two steps of the event loop.

Measured at five lesson switches of ``ui_bench`` at 160x48 (CPU time): the
collection that keeps the dead took 54-78 ms against 56-108 ms for the same
switches freeing them; emptying them took 6-11 ms and dropping them 1-3 ms
more; a collection right after found none of them left.

The dead that are emptied here cannot be reached, so nothing can notice
them emptied; this is not emptying a closed screen's widgets while they are
still reachable (a callback queued for one of them ran on an empty widget:
tried, and reverted, for issue 13). Should some cycle hold through an
object Python cannot empty, it is left to a later collection, as any other
garbage.
"""

from __future__ import annotations

import contextlib
import gc
from collections import deque
from collections.abc import MutableSequence
from types import CellType, FunctionType, MemberDescriptorType

__all__ = ["PIECE", "find_dead", "free_some"]

#: Dead objects emptied per step of the event loop (about 2 ms here).
PIECE = 8_000


def find_dead() -> list[object]:
    """Run a full collection; return what it found dead, not freed yet.

    Falls back to an ordinary collection (and returns nothing) when
    ``gc.DEBUG_SAVEALL`` is already set, by someone debugging: their
    ``gc.garbage`` is theirs to look at.
    """
    flags = gc.get_debug()
    if flags & gc.DEBUG_SAVEALL:
        gc.collect()
        return []
    before = len(gc.garbage)
    gc.set_debug(flags | gc.DEBUG_SAVEALL)
    try:
        gc.collect()
    finally:
        gc.set_debug(flags)
    dead = gc.garbage[before:]
    del gc.garbage[before:]
    return dead


def free_some(dead: MutableSequence[object], count: int = PIECE) -> bool:
    """Empty up to ``count`` of ``dead`` (from its end) and let them go; whether any are left."""
    for _ in range(min(count, len(dead))):
        _empty(dead.pop())
    return bool(dead)


def _empty(obj: object) -> None:
    """Drop the references ``obj`` holds, as the collector's ``tp_clear`` would."""
    kind = type(obj)
    try:
        if kind in _CLEARABLE:
            obj.clear()  # type: ignore[attr-defined]
        elif kind is FunctionType:
            _empty_function(obj)  # type: ignore[arg-type]
        elif kind is CellType:
            _empty_cell(obj)  # type: ignore[arg-type]
        else:
            _empty_instance(obj)
    except Exception:  # an odd object is left to a later collection
        return


def _empty_function(function: FunctionType) -> None:
    for cell in function.__closure__ or ():
        _empty_cell(cell)
    function.__defaults__ = None
    function.__kwdefaults__ = None
    function.__dict__.clear()


def _empty_cell(cell: CellType) -> None:
    with contextlib.suppress(ValueError):  # empty already
        del cell.cell_contents


def _empty_instance(obj: object) -> None:
    """An instance: its attributes (``__dict__``, ``__slots__``), and its items if a container."""
    if isinstance(obj, dict | list | set | deque):
        obj.clear()
    attributes = getattr(obj, "__dict__", None)
    if type(attributes) is dict:
        attributes.clear()
    for cls in type(obj).__mro__:
        for name in _slot_names(cls):
            member = cls.__dict__.get(name)
            if isinstance(member, MemberDescriptorType):
                with contextlib.suppress(AttributeError):  # never set
                    member.__delete__(obj)


def _slot_names(cls: type) -> tuple[str, ...]:
    slots = cls.__dict__.get("__slots__", ())
    return (slots,) if isinstance(slots, str) else tuple(slots)


#: Built-in containers whose ``clear`` drops every reference they hold.
_CLEARABLE: frozenset[type] = frozenset({dict, list, set, deque, bytearray})
