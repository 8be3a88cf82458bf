"""What a container changed on top of its image, and which layer each file came from.

This is the copy-on-write lesson: the image layers stay read-only, and every
file the container adds, changes or deletes lives in its own thin read-write
layer. :func:`diff` is ``docker diff`` plus that layer's size, and for each
changed or deleted path the image layer the container copied it up from (the
topmost layer that holds it). The UI polls it about once a second while the
learner works in the container, so with a warm :class:`LayerIndex` it costs
three small engine calls and dictionary lookups.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.engine import docker_errors, exec_memo
from tutor.engine.background import Background
from tutor.engine.connection import Engine, engine_errors, engine_refusals
from tutor.engine.errors import ContainerNotFound, EngineError, EngineRefused, ImageNotFound
from tutor.engine.layer_index import LayerIndex
from tutor.engine.layers import Layer, layers
from tutor.engine.profile import (
    exec_known_outside,
    exec_probe_answer,
    exec_reaches_container,
    note_exec_probe,
)
from tutor.sentence import Sentence

if TYPE_CHECKING:
    import docker.errors

__all__ = [
    "ChangeKind",
    "ContainerDiff",
    "PathChange",
    "changes_since",
    "diff",
    "forget_answers",
    "image_layers",
    "plain_changes",
]


class ChangeKind(Enum):
    """How a path differs from the image, in ``docker diff``'s letters."""

    CHANGED = "C"
    ADDED = "A"
    DELETED = "D"


_KIND_CODES = {0: ChangeKind.CHANGED, 1: ChangeKind.ADDED, 2: ChangeKind.DELETED}


@dataclass(frozen=True, slots=True)
class PathChange:
    """One line of ``docker diff``, with the image layer the path came from.

    Attributes:
        path: Absolute path inside the container.
        kind: Added, changed or deleted. A folder shows as changed when
            something inside it changed.
        source_layer: ``Layer.index`` of the topmost image layer holding the
            path (None for added paths, or when no layer holds it).
        source_instruction: That layer's instruction, e.g. ``RUN echo two > /a``.
    """

    path: str
    kind: ChangeKind
    source_layer: int | None = None
    source_instruction: str | None = None


@dataclass(frozen=True)
class ContainerDiff:
    """Everything the container's read-write layer holds, sorted by path.

    Attributes:
        container: The container's full id.
        changes: One entry per path, sorted by path.
        rw_size: Bytes in the read-write layer (None if the engine did not say).
        image_id: The image the container was made from.
        exec_outside: This engine runs ``docker exec`` outside the container's
            filesystem (see :func:`tutor.engine.profile.exec_reaches_container`):
            what an exec'd command wrote is not in this list, and never will be.
            Whoever shows the list must say so, never "no changes".
    """

    container: str
    changes: tuple[PathChange, ...]
    rw_size: int | None
    image_id: str = ""
    exec_outside: bool = False

    @property
    def added(self) -> tuple[PathChange, ...]:
        """Paths the container created."""
        return tuple(c for c in self.changes if c.kind is ChangeKind.ADDED)

    @property
    def changed(self) -> tuple[PathChange, ...]:
        """Image paths the container copied up and changed (folders included)."""
        return tuple(c for c in self.changes if c.kind is ChangeKind.CHANGED)

    @property
    def deleted(self) -> tuple[PathChange, ...]:
        """Image paths the container hides with a whiteout."""
        return tuple(c for c in self.changes if c.kind is ChangeKind.DELETED)


_DEFAULT_INDEX = LayerIndex()  # memory only: layer file lists are read again per process
_STACKS: dict[str, tuple[Layer, ...]] = {}  # image id -> rows; ids never change meaning
_STACKS_LOCK = threading.Lock()


class _LastDiffs:
    """The last diff read per container, so an unchanged one is the same object.

    The app reads a shown container's diff every second. Building tens of
    thousands of new, equal entries each time would keep the garbage
    collector busy (long pauses on screen) and make every comparison walk
    them all; a poll that lists the same changes returns the last result,
    or shares its entries when only the layer's size moved. The changes
    are compared in path order (the engine lists them in a different order
    from one call to the next) against the last result's own entries: no
    second copy of the paths is kept for that, nor made while comparing.
    """

    KEEP = 8  # containers remembered; a lesson shows one or two

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._diffs: dict[str, ContainerDiff] = {}

    def same_changes(
        self, cid: str, found: list[tuple[str, ChangeKind]], image: str
    ) -> ContainerDiff | None:
        """The last diff of this container if it lists exactly ``found`` (sorted), else None."""
        with self._lock:
            last = self._diffs.get(cid)
        if last is None or last.image_id != image or len(last.changes) != len(found):
            return None
        for change, (path, kind) in zip(last.changes, found, strict=True):
            if change.kind is not kind or change.path != path:
                return None
        return last

    def put(self, result: ContainerDiff) -> None:
        with self._lock:
            self._diffs.pop(result.container, None)
            self._diffs[result.container] = result
            while len(self._diffs) > self.KEEP:
                del self._diffs[next(iter(self._diffs))]

    def clear(self) -> None:
        with self._lock:
            self._diffs.clear()


_LAST = _LastDiffs()


def forget_answers() -> None:
    """Let go of the last diffs kept for unchanged answers: nothing shows them any more.

    Kept, they outlived the screen that showed them, and the container too:
    up to :attr:`_LastAnswers.KEEP` containers' paths for the rest of the
    session (a 20,000-path diff is some 40,000 objects), walked by every
    collection that takes in the frozen objects (the one at each lesson
    switch, see ``tutor.screens.lesson_gc``). The next diff of a container is
    then built anew, once.
    """
    _LAST.clear()


def diff(
    engine: Engine,
    container: str,
    index: LayerIndex | None = None,
    *,
    cancel: threading.Event | None = None,
    prefetch: bool = False,
) -> ContainerDiff:
    """The container's changes to its image, each tied to the layer it came from.

    Works on running and stopped containers. The first call for an image reads
    the file list of each of its layers once (seconds for a big image); later
    calls reuse them.

    Args:
        engine: The engine that runs the container.
        container: Container name or id.
        index: Where layer file lists are kept; default: one shared in memory.
        cancel: Set it to stop a first-time layer indexing promptly.
        prefetch: Ask for the image's save stream while the engine is still
            listing the changes, when a layer is not indexed yet, instead of
            after (the command line: the two waits overlap). If no path came
            from the image after all, the save is told to stop and not waited
            for; it may have cost the engine some work.

    Returns:
        The :class:`ContainerDiff`.

    Raises:
        ContainerNotFound: There is no such container.
        IndexCancelled: ``cancel`` was set while layers were being read.
        EngineError: The engine went away.
    """
    index = _DEFAULT_INDEX if index is None else index
    with engine_errors(engine.host):
        try:
            info = engine.api.inspect_container(container)
            cid = str(info["Id"])
            # The engine walks the read-write layer once for the changes and once
            # for the size: both walks, and the exec probe, run side by side.
            sizing = Background(
                lambda: engine.api.containers(all=True, size=True, filters={"id": cid})
            )
            memo = exec_memo.folder_in(index.cache_dir)
            probing = Background(lambda: _exec_outside(engine, info, memo))
            image_id = str(info.get("Image") or "")
            # The image's rows (several round trips) and their cached file lists
            # are read while the engine walks the read-write layer, not after.
            stacking = _read_stack(engine, index, image_id)
            if prefetch:  # the save is asked while the engine walks the read-write layer
                listing = Background(lambda: _sorted_changes(engine.api.diff(cid)))
                indexing, stop = _prefetch_index(engine, index, image_id, cancel)
                try:
                    found = listing.result()
                except BaseException:
                    stop.set()
                    raise
            else:
                found = _sorted_changes(engine.api.diff(cid))
            last = _LAST.same_changes(cid, found, image_id)
            # Paths that came from the image, to attribute (none if nothing changed).
            wanted = (
                [path for path, kind in found if kind is not ChangeKind.ADDED]
                if last is None
                else []
            )
            # A save takes the engine seconds, mostly before its first byte:
            # started now, it hides the size walk and the probe in that wait.
            if not prefetch:
                _settle(stacking)
                indexing, stop = _start_index(engine, index, image_id, cancel, bool(wanted))
            try:
                sized = sizing.result()
                outside = probing.result()
            except BaseException:
                stop.set()
                raise
        except docker_errors.NotFound as exc:
            raise _gone(container) from exc
        except docker_errors.APIError as exc:
            raise _refused(engine, container, exc) from exc
    # Asked with size=true, Docker leaves SizeRw out when it is 0 (Go's omitempty):
    # a fresh container's layer is empty, not of an unknown size.
    rw = sized[0].get("SizeRw", 0) if sized else None
    rw_size = None if rw is None else int(rw)
    if last is not None:  # the same paths: the same entries, a new object only for news
        _drop(indexing, stop, wait=not prefetch)
        if last.rw_size == rw_size and last.exec_outside == outside:
            return last
        changes = last.changes
    else:
        sources: dict[str, Any | None] = {}
        if wanted and image_id:
            rows = image_layers(engine, image_id)
            diff_ids = [str(r.diff_id) for r in rows if r.is_filesystem and r.diff_id]
            if indexing is not None:
                indexing.result()
            index.index_image(engine, image_id, diff_ids, cancel=cancel)  # nothing left, or a retry
            sources = index.sources(rows, wanted)
        else:
            _drop(indexing, stop, wait=not prefetch)
        changes = _path_changes(found, sources)
    result = ContainerDiff(cid, changes, rw_size, image_id, outside)
    _LAST.put(result)
    return result


# The slot descriptors of PathChange's fields (a slots dataclass), by name.
_SET_PATH, _SET_KIND, _SET_LAYER, _SET_INSTRUCTION = (
    vars(PathChange)[name].__set__
    for name in ("path", "kind", "source_layer", "source_instruction")
)


def _path_changes(
    found: list[tuple[str, ChangeKind]], sources: dict[str, Any | None]
) -> tuple[PathChange, ...]:
    """One :class:`PathChange` per ``(path, kind)``, with the layer ``sources`` names.

    A frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__`` by name: 20,000 changes took 25-30 ms, a tenth of
    a cached ``tutor diff``'s own time. Filling the slots through their
    descriptors makes the same, equal objects in a third of that.
    """
    new = object.__new__
    changes = []
    for path, kind in found:
        change = new(PathChange)
        _SET_PATH(change, path)
        _SET_KIND(change, kind)
        layer = sources.get(path)
        if layer is None:
            _SET_LAYER(change, None)
            _SET_INSTRUCTION(change, None)
        else:
            _SET_LAYER(change, layer.index)
            _SET_INSTRUCTION(change, layer.instruction)
        changes.append(change)
    return tuple(changes)


class _Either(threading.Event):
    """Set when this event is set, or the caller's ``cancel`` is."""

    def __init__(self, other: threading.Event | None) -> None:
        super().__init__()
        self._other = other

    def is_set(self) -> bool:
        return super().is_set() or (self._other is not None and self._other.is_set())


def _read_stack(engine: Engine, index: LayerIndex, image_id: str) -> Background[None] | None:
    """Start reading an image's rows and cached layer lists, unless they are known.

    Only the first diff of an image in a process waits on these (the command
    line, or the app's first poll); later polls find them in memory.
    """
    if not image_id or image_id in _STACKS:
        return None

    def read() -> None:
        rows = image_layers(engine, image_id)
        for row in rows:
            if row.is_filesystem and row.diff_id:
                index.files(row.diff_id)  # from the cache folder into memory

    return Background(read)


def _sorted_changes(entries: list[Any] | None) -> list[tuple[str, ChangeKind]]:
    """The engine's ``/changes`` answer as ``(path, kind)`` pairs sorted by path.

    The engine's dictionaries (a 20,000-path answer is some 5 MB of them)
    are let go as soon as the pairs are made, before the rest of a diff is
    built next to them: a lower peak of memory for the app's poll.
    """
    if not entries:  # the API answers null for no change
        return []
    found = [(str(e["Path"]), _KIND_CODES[int(e["Kind"])]) for e in entries]
    found.sort(key=_path_of)
    return found


def _path_of(pair: tuple[str, ChangeKind]) -> str:
    return pair[0]


def _start_index(
    engine: Engine,
    index: LayerIndex,
    image_id: str,
    cancel: threading.Event | None,
    needed: bool,
) -> tuple[Background[int] | None, threading.Event]:
    """Start reading the image's unknown layers in a thread, when the diff needs them.

    Only when a path came from the image and a layer is not indexed yet
    (never on a warm poll, never for a container that only added files).

    Returns:
        The running index (None when none is needed) and the event that stops it.
    """
    stop = _Either(cancel)
    if not image_id or not needed:
        return None, stop
    try:
        rows = image_layers(engine, image_id)
    except ImageNotFound:  # removed under its container: no attribution, as before
        return None, stop
    diff_ids = [str(r.diff_id) for r in rows if r.is_filesystem and r.diff_id]
    if all(index.files(d) is not None for d in diff_ids):
        return None, stop
    return Background(lambda: index.index_image(engine, image_id, diff_ids, cancel=stop)), stop


def _prefetch_index(
    engine: Engine, index: LayerIndex, image_id: str, cancel: threading.Event | None
) -> tuple[Background[int] | None, threading.Event]:
    """Start indexing the image's unknown layers now, before the diff says it is needed.

    ``index_image`` names the layers from one ``inspect`` (``RootFS``), not
    from the image's rows (several round trips), so the save is asked a few
    tens of milliseconds sooner; it fetches nothing when every layer is known.
    """
    stop = _Either(cancel)
    if not image_id:
        return None, stop

    def read() -> int:
        try:
            return index.index_image(engine, image_id, cancel=stop)
        except ImageNotFound:  # removed under its container: no attribution, as before
            return 0

    return Background(read), stop


def _drop(indexing: Background[int] | None, stop: threading.Event, *, wait: bool = True) -> None:
    """Stop an index started for nothing, and (``wait``) until it has let the engine go.

    A prefetched save may not have sent its first byte yet (seconds): the
    command line does not wait for it; the reader stops at that first chunk.
    """
    if indexing is not None:
        stop.set()
        if wait:
            _settle(indexing)


def _settle(work: Background[Any] | None) -> None:
    """Wait for background work to end (the image's rows read, an index stopped); a
    failure is met again, and handled, where it matters."""
    if work is not None:
        with contextlib.suppress(Exception):
            work.result()


def _exec_outside(engine: Engine, info: dict[str, Any], folder: Path | None) -> bool:
    """Whether this engine's ``docker exec`` misses the container's filesystem.

    Probed once per engine, on the first running container whose diff is
    read (one small exec); afterwards it is a dictionary lookup. A command
    line run takes an earlier run's answer for the same container start from
    ``folder`` (see :mod:`tutor.engine.exec_memo`).
    """
    if exec_known_outside(engine):
        return True
    if not (info.get("State") or {}).get("Running"):
        return False
    if (
        exec_probe_answer(engine) is None
        and (earlier := exec_memo.recall(folder, info)) is not None
    ):
        note_exec_probe(engine, earlier)
        return not earlier
    reaches = exec_reaches_container(engine, str(info["Id"]))
    if reaches is not None:
        exec_memo.remember(folder, info, reaches)
    return reaches is False


def plain_changes(engine: Engine, container: str) -> tuple[PathChange, ...]:
    """``docker diff`` as the engine gives it: no layer attribution, no caching.

    A check asks once whether one path changed; reading the image's layers to
    say where each file came from would cost it seconds for nothing.

    Args:
        engine: The engine that runs the container.
        container: Container name or id.

    Returns:
        One entry per path, in the engine's order (by path), ``source_layer`` None.

    Raises:
        ContainerNotFound: There is no such container.
        EngineRejected: The engine refused.
        EngineError: The engine went away.
    """
    with engine_errors(engine.host), engine_refusals():
        try:
            entries = engine.api.diff(container) or []  # null for no change
        except docker_errors.NotFound as exc:
            raise _gone(container) from exc
    return tuple(PathChange(str(e["Path"]), _KIND_CODES[int(e["Kind"])]) for e in entries)


def _gone(container: str) -> ContainerNotFound:
    return ContainerNotFound(
        Sentence("engine.container_gone", container=container),
        Sentence("engine.container_gone.hint"),
    )


#: States in which a container's read-write layer may already be released.
_LEAVING = ("removing", "dead")


def _refused(engine: Engine, container: str, exc: docker.errors.APIError) -> Exception:
    """Why the engine would not give the changes, asked again of the container itself.

    A container removed while its diff is read makes the engine answer 500
    ("RWLayer ... is unexpectedly nil", "no such file or directory"); a daemon
    that is shutting down answers 500 too, then stops answering at all.
    """
    try:
        with engine_errors(engine.host):
            state = engine.api.inspect_container(container).get("State") or {}
    except docker_errors.NotFound:
        return _gone(container)
    except docker_errors.APIError:
        state = {}
    except EngineError as again:  # the engine is gone now
        return again
    if state.get("Status") in _LEAVING:
        return _gone(container)
    return EngineRefused(
        Sentence("engine.diff_later", container=container, explanation=exc.explanation),
        Sentence("engine.diff_later.hint"),
    )


def changes_since(previous: ContainerDiff | None, current: ContainerDiff) -> tuple[PathChange, ...]:
    """The entries of ``current`` that were not in ``previous``, to highlight them.

    A path whose kind changed (added, then deleted) counts as new.

    Args:
        previous: The last poll's diff (None, or another container: all are new).
        current: This poll's diff.

    Returns:
        The new entries, sorted by path.
    """
    if previous is None or previous.container != current.container:
        return current.changes
    if previous.changes is current.changes:  # an unchanged poll shares its entries
        return ()
    # Keyed by the paths the entries already hold: no new object per path.
    kinds = {c.path: c.kind for c in previous.changes}
    return tuple(c for c in current.changes if kinds.get(c.path) is not c.kind)


def image_layers(engine: Engine, image_id: str) -> tuple[Layer, ...]:
    """The image's layer rows, oldest first, remembered per image id.

    Reading them can take several engine calls (see ``tutor.engine.layers``);
    an image id names content, so the answer never goes stale.

    Args:
        engine: The engine that has the image.
        image_id: The image id.

    Returns:
        The :class:`~tutor.engine.layers.Layer` rows of the image.

    Raises:
        ImageNotFound: The image is gone.
    """
    rows = _STACKS.get(image_id)
    if rows is None:
        rows = layers(engine, image_id).layers
        with _STACKS_LOCK:
            if len(_STACKS) > 64:
                _STACKS.clear()
            _STACKS[image_id] = rows
    return rows
