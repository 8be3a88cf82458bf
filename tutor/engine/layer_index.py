"""Which files each image layer holds, read once per layer and kept by diff-id.

The copy-on-write lesson says where a changed file came from: the topmost
image layer that holds it. :mod:`tutor.engine.layer_tar` reads the file lists
from the image's ``docker save`` stream; this module decides when to read
them, answers "which layer holds this path", and keeps the lists. A diff-id
names content, so a list once read stays true: it is kept in memory and, given
a cache folder, in one JSON file per diff-id.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

from tutor.engine import docker_errors
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import EngineRefused, ImageNotFound
from tutor.engine.layer_tar import CHUNK_SIZE, LayerFiles, cancellable, read_saved_image
from tutor.engine.streams import catch_response
from tutor.engine.tar_blocks import NotATar
from tutor.sentence import Sentence
from tutor.user_files import read_text, set_aside

CACHE_FORMAT = 1  # bump when the JSON written by LayerIndex changes shape
#: Largest cache file read back: a layer of some 500,000 paths. A larger file is
#: not one this module wrote whole; the layer is read again instead.
CACHE_MAX_BYTES = 64 * 1024 * 1024
MAX_VIEWS = 16  # stacks whose path -> layer answers are remembered


class LayerNotIndexed(LookupError):
    """A layer's file list was needed before :meth:`LayerIndex.index_image` read it."""


class LayerLike(Protocol):
    """What attribution needs of a layer row (``tutor.engine.layers.Layer`` fits)."""

    @property
    def index(self) -> int: ...
    @property
    def instruction(self) -> str: ...
    @property
    def diff_id(self) -> str | None: ...
    @property
    def is_filesystem(self) -> bool: ...


class LayerIndex:
    """The file list of every image layer seen so far, computed once per diff-id.

    Args:
        cache_dir: Folder for one JSON file per layer, so that a restarted
            tutor does not read images again; ``None`` keeps lists in memory.

    Attributes:
        fetches: How many ``docker save`` streams were read (tests count them).
        layers_read: How many layer tars were read from those streams.
    """

    def __init__(self, cache_dir: str | os.PathLike[str] | None = None) -> None:
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.fetches = self.layers_read = 0
        self._layers: dict[str, LayerFiles] = {}
        self._views: dict[tuple[str, ...], dict[str, int | None]] = {}
        self._lock = threading.Lock()

    def files(self, diff_id: str) -> LayerFiles | None:
        """One layer's file list from memory or the cache folder, else None."""
        found = self._layers.get(diff_id)
        if found is None and self.cache_dir is not None:
            found = self._load(diff_id)
            if found is not None:
                self._layers[diff_id] = found
        return found

    def index_image(
        self,
        engine: Engine,
        image: str,
        diff_ids: Sequence[str] | None = None,
        *,
        cancel: threading.Event | None = None,
    ) -> int:
        """Read the file lists of an image's layers that are not known yet.

        Nothing is fetched when all are known; else the image's save stream
        is read once, only its tar headers, and only until the last unknown
        layer has been named (an OCI blob as it passes; a legacy layer when
        ``manifest.json`` comes, at the end). The
        app may call it when a lesson starts, so the first poll is quick.

        Args:
            engine: The engine that has the image.
            image: Image name or id.
            diff_ids: The image's ``RootFS.Layers`` (read from the engine if None).
            cancel: Set it to stop promptly; layers read so far are kept.

        Returns:
            How many layers were added.

        Raises:
            ImageNotFound: The engine has no such image.
            EngineRefused: The engine's archive was cut short or damaged.
            IndexCancelled: ``cancel`` was set.
            EngineError: The engine went away.
        """
        if diff_ids is None:
            diff_ids = _root_layers(engine, image)
        with self._lock:  # two workers asking at once read the image once
            wanted = {d for d in diff_ids if self.files(d) is None}
            if not wanted:
                return 0
            self.fetches += 1
            added = 0
            with engine_errors(engine.host), catch_response(engine.api, "/get") as caught:
                chunks = engine.api.get_image(image, chunk_size=CHUNK_SIZE)
                known = {d for d in self._layers if d not in wanted}
                try:
                    for files in read_saved_image(cancellable(chunks, cancel), known):
                        self.layers_read += 1
                        if files.diff_id in wanted:
                            wanted.discard(files.diff_id)
                            self.add(files)
                            added += 1
                            if not wanted:
                                break
                except docker_errors.NotFound as exc:
                    raise ImageNotFound(Sentence("engine.no_image", image=image)) from exc
                except NotATar as exc:  # the engine's archive ended early or is damaged
                    raise EngineRefused(
                        Sentence("engine.copy_unreadable", image=image, why=str(exc)),
                        Sentence("engine.copy_unreadable.hint"),
                    ) from exc
                finally:  # closing the response tells the engine to stop writing
                    chunks.close()
                    for response in caught:
                        with contextlib.suppress(Exception):
                            response.close()
            for diff_id in wanted:  # unreadable (zstd...): "unknown", never fetched again
                self._layers[diff_id] = LayerFiles(diff_id, frozenset(), readable=False)
            return added

    def source_of(self, stack_or_layers: Any, path: str) -> Any | None:
        """The topmost image layer that holds ``path``, as a container sees it.

        A later layer that replaced the file wins; a whiteout or an opaque
        directory hides every copy below it.

        Args:
            stack_or_layers: A ``LayerStack`` or layer rows, oldest first.
            path: An absolute path such as ``/etc/passwd``.

        Returns:
            The layer row, or None when no readable layer holds it.

        Raises:
            LayerNotIndexed: A filesystem layer was never indexed.
        """
        return self.sources(stack_or_layers, (path,))[path]

    def sources(self, stack_or_layers: Any, paths: Iterable[str]) -> dict[str, Any | None]:
        """:meth:`source_of` for many paths (set lookups; answers remembered per stack)."""
        rows: Sequence[LayerLike] = getattr(stack_or_layers, "layers", stack_or_layers)
        fs = [r for r in rows if r.is_filesystem and r.diff_id]
        key = tuple(str(r.diff_id) for r in fs)
        if key not in self._views:
            while len(self._views) >= MAX_VIEWS:
                self._views.pop(next(iter(self._views)))
        view = self._views.setdefault(key, {})
        stack: list[LayerFiles] = []
        out: dict[str, Any | None] = {}
        for path in paths:
            if path not in view:
                stack = stack or [self._require(d) for d in key]
                view[path] = attribute(stack, path)
            pos = view[path]
            out[path] = None if pos is None else fs[pos]
        return out

    def _require(self, diff_id: str) -> LayerFiles:
        found = self.files(diff_id)
        if found is None:
            raise LayerNotIndexed(diff_id)
        return found

    def add(self, files: LayerFiles) -> None:
        """Remember one layer's file list, in memory and in the cache folder."""
        self._layers[files.diff_id] = files
        if self.cache_dir is None or not files.readable:
            return
        data = {"format": CACHE_FORMAT, "diff_id": files.diff_id}
        for field in ("paths", "whiteouts", "opaque_dirs"):
            data[field] = sorted(getattr(files, field))
        target = self._cache_file(files.diff_id)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):  # an unwritable cache only costs time later
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
            os.replace(tmp, target)

    def _cache_file(self, diff_id: str) -> Path:
        assert self.cache_dir is not None
        return self.cache_dir / (diff_id.replace(":", "-").replace("/", "_") + ".json")

    def _load(self, diff_id: str) -> LayerFiles | None:
        """The cached file list of a layer, or None to read the layer again.

        A cache file may hold anything after a crash or a full disk; whatever
        is wrong with it (bytes, JSON of another shape, a folder or a link loop
        in its place) only means the layer is read again and the file
        rewritten, silently: it is a cache, not the learner's work.
        """
        path = self._cache_file(diff_id)
        read = read_text(path, limit=CACHE_MAX_BYTES)
        if read.text is None:
            if read.reason in ("not-a-file", "symlink-loop"):
                set_aside(path, read.reason)  # so the rewrite can take its place
            return None
        try:
            data = json.loads(read.text)
        except (ValueError, RecursionError):
            return None
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return None  # older format or a stray file: read the layer again
        lists: list[Any] = [data.get(key) for key in ("paths", "whiteouts", "opaque_dirs")]
        if data.get("diff_id") != diff_id or not all(_strings(v) for v in lists):
            return None
        paths, whiteouts, opaque = (frozenset(v) for v in lists)
        return LayerFiles(diff_id, paths, whiteouts, opaque)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def attribute(stack: Sequence[LayerFiles], path: str) -> int | None:
    """Position in ``stack`` (oldest first) of the topmost layer that holds ``path``.

    Args:
        stack: File lists of an image's filesystem layers, oldest first.
        path: An absolute, normalised path.

    Returns:
        The position, or None when no layer holds it, a whiteout or opaque
        directory hides it above its last copy, or an unreadable layer is
        on the way (then we do not know).
    """
    parts = path.split("/")
    above = {"/".join(parts[:i]) for i in range(2, len(parts))}
    lineage = above | {path}
    for pos in range(len(stack) - 1, -1, -1):
        layer = stack[pos]
        if not layer.readable:
            return None
        if path in layer.paths:
            return pos
        if not lineage.isdisjoint(layer.whiteouts) or not above.isdisjoint(layer.opaque_dirs):
            return None  # deleted here: the copies below are hidden
    return None


def _root_layers(engine: Engine, image: str) -> list[str]:
    with engine_errors(engine.host):
        try:
            attrs = engine.api.inspect_image(image)
        except docker_errors.NotFound as exc:
            raise ImageNotFound(Sentence("engine.no_image", image=image)) from exc
    return [str(d) for d in (attrs.get("RootFS") or {}).get("Layers") or []]


def default_cache_dir() -> Path:
    """The per-user folder where layer file lists are kept between runs."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("layers-tutor")) / "layer-index"
