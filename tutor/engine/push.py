"""Pushing an image, layer by layer, as events the lesson can show.

The engine reports a push as a stream of JSON events per layer: ``Preparing``,
``Waiting``, ``Pushing`` (whose ``current`` may exceed ``total``: it counts
compressed bytes against the uncompressed size), then ``Pushed``, ``Layer
already exists`` or ``Mounted from REPO``. A failure is an event with
``errorDetail``, never an HTTP error. :func:`parse_push_stream` turns that
stream into :data:`PushEvent` values and is pure, so it is tested on recorded
streams; :func:`push` feeds it from the engine.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import docker.auth
import docker.errors
from docker.types import CancellableStream

from tutor.engine.connection import Engine, engine_errors
from tutor.engine.errors import ImageNotFound, NameTaken, NotOurs, PushFailed
from tutor.engine.events import close_when_set
from tutor.engine.labels import is_ours

_STATUSES = {
    "Preparing": "preparing",
    "Waiting": "waiting",
    "Pushing": "pushing",
    "Pushed": "pushed",
    "Layer already exists": "exists",
}
_DIGEST_LINE = re.compile(r"digest: (sha256:[0-9a-f]{64})(?: size: (\d+))?")


@dataclass(frozen=True)
class PushProgress:
    """What happened to one layer.

    Attributes:
        layer: The engine's id for the layer: a short diff-id under overlay2,
            a blob digest under the containerd store.
        status: ``preparing``, ``waiting``, ``pushing``, ``pushed``,
            ``exists`` (the registry had it), ``mounted`` (the registry copied
            it from another repository) or ``retrying``.
        current: Bytes sent so far (``pushing`` only).
        total: The layer's size (``pushing`` only); ``current`` may exceed it.
        mounted_from: The repository a ``mounted`` layer came from.
        diff_id: The full diff-id from ``docker inspect`` when it could be
            matched (overlay2), else None.
    """

    layer: str
    status: str
    current: int | None = None
    total: int | None = None
    mounted_from: str | None = None
    diff_id: str | None = None

    @property
    def already_there(self) -> bool:
        """Whether the registry had the layer, so no bytes were sent."""
        return self.status in ("exists", "mounted")

    @property
    def fraction(self) -> float | None:
        """``current / total`` capped at 1.0, for a progress bar."""
        if self.current is None or not self.total:
            return None
        return min(1.0, self.current / self.total)


@dataclass(frozen=True)
class PushDone:
    """The registry accepted the image: ``reference`` now names ``digest``."""

    reference: str
    digest: str
    size: int | None = None


@dataclass(frozen=True)
class PushError:
    """The push failed; ``message`` is the engine's (or registry's) reason."""

    message: str


PushEvent = PushProgress | PushDone | PushError


def match_diff_id(layer: str, diff_ids: Sequence[str]) -> str | None:
    """The diff-id that a push event's short layer id abbreviates, if any.

    Args:
        layer: The event's ``id`` (12 hex digits under overlay2).
        diff_ids: The image's ``RootFS.Layers``.

    Returns:
        The full ``sha256:...`` diff-id, or None (containerd store ids are blob
        digests and match nothing).
    """
    short = layer.removeprefix("sha256:")
    if len(short) < 12:
        return None
    return next((d for d in diff_ids if d.removeprefix("sha256:").startswith(short)), None)


def parse_push_event(
    raw: Mapping[str, Any], *, reference: str, diff_ids: Sequence[str] = ()
) -> PushEvent | None:
    """Turn one decoded engine event into a :data:`PushEvent`.

    Args:
        raw: One JSON object of the push stream.
        reference: ``repository:tag`` being pushed (for :class:`PushDone`).
        diff_ids: The image's diff-ids, to tie layer events to them.

    Returns:
        The event, or None for lines that say nothing about a layer or the
        result (``The push refers to repository [...]``).
    """
    if raw.get("errorDetail") or raw.get("error"):
        detail = raw.get("errorDetail") or {}
        return PushError(str(detail.get("message") or raw.get("error") or "push failed"))
    aux = raw.get("aux")
    if isinstance(aux, Mapping) and aux.get("Digest"):
        size = aux.get("Size")
        return PushDone(reference, str(aux["Digest"]), int(size) if size is not None else None)
    status = str(raw.get("status") or "")
    layer = raw.get("id")
    if not layer:
        match = _DIGEST_LINE.search(status)
        if match:
            size_text = match.group(2)
            return PushDone(reference, match.group(1), int(size_text) if size_text else None)
        return None
    mounted_from = None
    if status.startswith("Mounted from "):
        kind, mounted_from = "mounted", status.removeprefix("Mounted from ").strip()
    elif status.startswith("Retrying"):
        kind = "retrying"
    elif status in _STATUSES:
        kind = _STATUSES[status]
    else:
        return None
    detail = raw.get("progressDetail") or {}
    current, total = detail.get("current"), detail.get("total")
    return PushProgress(
        layer=str(layer),
        status=kind,
        current=int(current) if current is not None else None,
        total=int(total) if total is not None else None,
        mounted_from=mounted_from,
        diff_id=match_diff_id(str(layer), diff_ids),
    )


def parse_push_stream(
    raws: Iterable[Mapping[str, Any]], *, reference: str, diff_ids: Sequence[str] = ()
) -> Iterator[PushEvent]:
    """:func:`parse_push_event` over a whole stream, with one :class:`PushDone`.

    The engine states the digest twice (a status line, then an ``aux``
    object); the learner should see the result once.
    """
    done = False
    for raw in raws:
        event = parse_push_event(raw, reference=reference, diff_ids=diff_ids)
        if isinstance(event, PushDone):
            if done:
                continue
            done = True
        if event is not None:
            yield event


def push(
    engine: Engine,
    image: str,
    repository: str,
    tag: str = "latest",
    *,
    cancel: threading.Event | None = None,
) -> Iterator[PushEvent]:
    """Tag one of our images as ``repository:tag`` and push it, as events.

    Args:
        engine: The engine (it does the pushing).
        image: Name or id of an image the tutor built.
        repository: ``REGISTRY/NAME``, e.g. ``127.0.0.1:5000/hello``.
        tag: The tag to push.
        cancel: Set it to stop: reading stops and the connection is closed,
            which makes the engine abandon the push.

    Yields:
        :class:`PushProgress` per layer step, then :class:`PushDone` or
        :class:`PushError`.

    Raises:
        ImageNotFound: no such image.
        NotOurs: the image was not made by the tutor (tagging would change it).
        NameTaken: ``repository:tag`` names an image that is not ours.
        PushFailed: the engine refused to start the push.
    """
    reference = f"{repository}:{tag}"
    attrs = _inspect_image(engine, image)
    if not is_ours((attrs.get("Config") or {}).get("Labels")):
        raise NotOurs(f"The image {image!r} was not built by the tutor.", "Push it yourself.")
    current = _inspect_image(engine, reference, missing_ok=True)
    theirs = current and not is_ours((current.get("Config") or {}).get("Labels"))
    if current and current["Id"] != attrs["Id"] and theirs:
        raise NameTaken(
            f"{reference!r} names an image that is not the tutor's.", "Use another tag."
        )
    containerd = engine.facts().containerd_store
    diff_ids = [] if containerd else list((attrs.get("RootFS") or {}).get("Layers") or [])
    with engine_errors(engine.host):
        try:
            engine.api.tag(attrs["Id"], repository, tag)
            stream = _open_stream(engine.api, repository, tag)
        except docker.errors.APIError as exc:
            raise PushFailed(f"The push could not start: {exc.explanation or exc}") from exc
    finished = False
    try:
        with close_when_set(cancel, lambda: _close_quietly(stream)), engine_errors(engine.host):
            for event in parse_push_stream(stream, reference=reference, diff_ids=diff_ids):
                if cancel is not None and cancel.is_set():
                    return
                finished = finished or isinstance(event, (PushDone, PushError))
                yield event
    finally:
        _close_quietly(stream)
    if not finished and not (cancel is not None and cancel.is_set()):
        engine.ping()  # EngineUnreachable when the engine went away mid-push
        yield PushError("The push stopped without a result from the engine.")


def _open_stream(api: Any, repository: str, tag: str) -> CancellableStream:
    # APIClient.push() keeps its HTTP response to itself, but cancelling must
    # close that response (a push can wait on the registry for a long time);
    # so this makes the same request push() makes and keeps the response.
    registry, _name = docker.auth.resolve_repository_name(repository)
    headers = {}
    auth_header = docker.auth.get_config_header(api, registry)
    if auth_header:
        headers["X-Registry-Auth"] = auth_header
    url = api._url("/images/{0}/push", repository)
    response = api._post_json(url, None, headers=headers, stream=True, params={"tag": tag})
    api._raise_for_status(response)
    return CancellableStream(api._stream_helper(response, decode=True), response)


def _close_quietly(stream: CancellableStream) -> None:
    try:
        stream.close()
    except Exception:  # ssh transports cannot be shut down early; drop the response
        with contextlib.suppress(Exception):
            stream._response.close()


def _inspect_image(engine: Engine, image: str, *, missing_ok: bool = False) -> Any:
    with engine_errors(engine.host):
        try:
            return engine.api.inspect_image(image)
        except docker.errors.ImageNotFound as exc:
            if missing_ok:
                return None
            raise ImageNotFound(f"There is no image {image!r}.", "Build it first.") from exc
