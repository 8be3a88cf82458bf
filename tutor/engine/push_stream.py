"""Reading the engine's push stream: what happened to each layer, and the result.

The engine reports a push as a stream of JSON events per layer: ``Preparing``,
``Waiting``, ``Pushing`` (whose ``current`` may exceed ``total``: it counts
compressed bytes against the uncompressed size), then ``Pushed``, ``Layer
already exists`` or ``Mounted from REPO``. A failure is an event with
``errorDetail``, never an HTTP error. :func:`parse_push_stream` turns that
stream into :data:`PushEvent` values; it is pure, so it is tested on recorded
streams, and :func:`tutor.engine.push.push` feeds it from the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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
