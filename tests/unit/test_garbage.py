"""A full collection that hands the dead over, and freeing them in pieces (tutor.garbage)."""

from __future__ import annotations

import functools
import gc
import weakref
from collections import deque
from collections.abc import Iterator

import pytest

from tutor.garbage import find_dead, free_some


class Node:
    """A widget-like object: attributes in a ``__dict__``, parent and children."""

    def __init__(self) -> None:
        self.children: list[Node] = []
        self.parent: Node | None = None

    def on_event(self) -> None:
        """A method to bind: a bound method refers back to its object."""


class Slotted:
    __slots__ = ("__weakref__", "other", "unset")

    def __init__(self) -> None:
        self.other: object = None


class Table(dict[str, object]):
    """A container with attributes of its own, both holding references."""


def _cycles() -> list[object]:
    """One of each kind of cycle a closed screen leaves; returns weak references' targets."""
    parent, child = Node(), Node()
    parent.children.append(child)
    child.parent = parent
    parent.handler = parent.on_event  # type: ignore[attr-defined]
    parent.later = functools.partial(child.on_event)  # type: ignore[attr-defined]
    child.queue = deque([parent])  # type: ignore[attr-defined]
    child.seen = {frozenset({1}), (parent,)}  # type: ignore[attr-defined]
    first, second = Slotted(), Slotted()
    first.other, second.other = second, first
    table = Table()
    table["self"] = table
    table.note = Node()  # type: ignore[attr-defined]
    table.note.table = table  # type: ignore[attr-defined]

    def closure() -> object:
        return holder

    holder = Node()
    holder.callback = closure  # type: ignore[attr-defined]
    return [parent, child, first, second, table, table.note, holder]  # type: ignore[attr-defined]


def _made(kinds: tuple[type, ...]) -> int:
    return sum(1 for obj in gc.get_objects() if type(obj) in kinds)


@pytest.fixture
def no_automatic_collection() -> Iterator[None]:
    """The cycles are made, then found: no collection in between may free them first."""
    was = gc.isenabled()
    gc.disable()
    gc.collect()
    try:
        yield
    finally:
        if was:
            gc.enable()


def test_the_dead_are_found_kept_and_then_freed_in_pieces(no_automatic_collection: None) -> None:
    kinds = (Node, Slotted, Table)
    refs: list[weakref.ref[object]] = [weakref.ref(obj) for obj in _cycles()]
    assert _made(kinds) == 7  # nothing frees a cycle but a collection

    dead = find_dead()

    assert all(ref() is None for ref in refs)  # no living code can reach one any more
    assert sum(1 for obj in dead if type(obj) in kinds) == 7  # found, not freed yet
    assert not gc.garbage
    pieces = 1
    while free_some(dead, count=5):
        pieces += 1
    assert not dead and pieces > 2
    del dead
    assert _made(kinds) == 0  # freed by reference counting: no cycle was left
    saved = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        assert gc.collect() == 0  # and no garbage of theirs waits for a collection
    finally:
        gc.set_debug(saved)
        gc.garbage.clear()


def test_what_is_alive_is_neither_found_nor_emptied(no_automatic_collection: None) -> None:
    alive = _cycles()
    dead = find_dead()
    assert not any(obj is thing for obj in dead for thing in alive)
    parent, child = alive[0], alive[1]
    assert isinstance(parent, Node) and parent.children == [child]
    assert isinstance(child, Node) and child.parent is parent
    assert free_some(dead) is False


def test_someone_debugging_with_saveall_keeps_their_garbage(
    no_automatic_collection: None,
) -> None:
    saved = gc.get_debug()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        _cycles()
        assert find_dead() == []
        assert sum(1 for obj in gc.garbage if type(obj) is Node) == 4
    finally:
        gc.set_debug(saved)
        gc.garbage.clear()


def test_garbage_found_before_is_left_where_it_was(no_automatic_collection: None) -> None:
    earlier = object()
    gc.garbage.append(earlier)
    try:
        _cycles()
        dead = find_dead()
        assert gc.garbage == [earlier]
        assert sum(1 for obj in dead if type(obj) is Node) == 4
        free_some(dead, count=len(dead))
    finally:
        gc.garbage.clear()


def test_what_python_cannot_empty_is_left_as_it_is() -> None:
    """Emptying never raises: a C object without attributes (an iterator), a tuple,
    a string, a class with ``__slots__`` of its own it never set are passed by."""
    numbers = iter([1, 2])
    unset = Slotted()
    del unset.other
    dead: list[object] = [numbers, (1, 2), "text", unset]
    assert free_some(dead) is False and not dead
    assert list(numbers) == [1, 2]
