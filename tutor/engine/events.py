"""Following what happens on the engine, so the app can re-check the current step.

The learner may type ``docker run`` in another terminal; the engine's event
stream tells us, and :func:`watch` hands each container, image and network
event on. The stream blocks until the next event, so cancelling closes it
from another thread (:func:`close_when_set`) instead of waiting.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tutor.engine.connection import Engine, engine_errors

#: The kinds of object whose changes can change a lesson's check.
WATCHED_KINDS = ("container", "image", "network")
#: How long each request lasts where a stream cannot be closed early (ssh).
SSH_WINDOW = 1.0


@dataclass(frozen=True)
class EngineEvent:
    """One thing that happened on the engine.

    Attributes:
        kind: ``container``, ``image`` or ``network``.
        action: ``create``, ``start``, ``die``, ``destroy``, ``tag``,
            ``delete``, ``connect``... (``exec_start: sh -c ...`` becomes
            ``exec_start``).
        id: The object's id.
        name: Its name (container or network name, image reference).
        attributes: The engine's attributes (a container's carry its labels).
        time: When it happened, epoch seconds.
    """

    kind: str
    action: str
    id: str
    name: str
    attributes: dict[str, str] = field(default_factory=dict)
    time: float = 0.0


def parse_event(raw: Mapping[str, Any]) -> EngineEvent | None:
    """Turn one decoded ``/events`` object into an :class:`EngineEvent`.

    Args:
        raw: The engine's event (``Type``, ``Action``, ``Actor``, ``timeNano``).

    Returns:
        The event, or None for an object that is not an event.
    """
    kind = raw.get("Type")
    action = str(raw.get("Action") or raw.get("status") or "")
    if not kind or not action:
        return None
    actor = raw.get("Actor") or {}
    attributes = {str(k): str(v) for k, v in (actor.get("Attributes") or {}).items()}
    nanos = raw.get("timeNano")
    when = int(nanos) / 1e9 if nanos else float(raw.get("time") or 0)
    return EngineEvent(
        kind=str(kind),
        action=action.split(":", 1)[0].strip(),
        id=str(actor.get("ID") or raw.get("id") or ""),
        name=attributes.get("name", ""),
        attributes=attributes,
        time=when,
    )


@contextlib.contextmanager
def close_when_set(cancel: threading.Event | None, close: Callable[[], None]) -> Iterator[None]:
    """Call ``close`` from a helper thread as soon as ``cancel`` is set.

    A blocked read on a stream returns only when data arrives; closing the
    stream's socket from another thread makes it return at once.

    Args:
        cancel: The event to follow (None: nothing to do).
        close: Closes the stream; errors from it are ignored.
    """
    if cancel is None:
        yield
        return
    finished = threading.Event()

    def closer() -> None:
        while not finished.is_set():
            if cancel.wait(0.05):
                with contextlib.suppress(Exception):
                    close()
                return

    thread = threading.Thread(target=closer, name="close-on-cancel", daemon=True)
    thread.start()
    try:
        yield
    finally:
        finished.set()


def watch(
    engine: Engine, *, cancel: threading.Event, since: float | None = None
) -> Iterator[EngineEvent]:
    """Follow container, image and network events until ``cancel`` is set.

    Args:
        engine: The engine to follow.
        cancel: Set it to stop; the generator ends within a fraction of a second.
        since: Also replay events from this epoch time (default: from now).

    Yields:
        Each event as it happens.

    Raises:
        EngineUnreachable: the engine went away (the stream ended and the
            engine no longer answers).
    """
    ssh = str(engine.api.base_url).startswith("http+docker://ssh")
    start = None if since is None else int(since * 1e9)
    seen: set[tuple[int, str, str, str]] = set()  # events at the latest instant
    latest = 0
    while not cancel.is_set():
        opened = time.time_ns()
        until = opened + int(SSH_WINDOW * 1e9) if ssh else None
        with engine_errors(engine.host):
            stream = engine.client.events(
                since=_stamp(start),
                until=_stamp(until),
                filters={"type": list(WATCHED_KINDS)},
                decode=True,
            )
        with close_when_set(cancel, stream.close), engine_errors(engine.host):
            for raw in stream:
                if cancel.is_set():
                    return
                nanos = int(raw.get("timeNano") or 0)
                key = (nanos, str(raw.get("Type")), str(raw.get("Action")), _actor(raw))
                event = parse_event(raw)
                if event is None or key in seen:  # ``since`` replays the last instant
                    continue
                if nanos > latest:
                    latest, seen = nanos, set()
                seen.add(key)
                yield event
        if cancel.is_set():
            return
        if not ssh:
            engine.ping()  # the stream ended by itself: is the engine gone?
            cancel.wait(0.1)  # it answers (a restart?): resume, without spinning
        start = latest or until or opened


def _stamp(nanos: int | None) -> str | None:
    # The engine takes "seconds.nanoseconds"; a float would lose the nanoseconds.
    return None if nanos is None else f"{nanos // 10**9}.{nanos % 10**9:09d}"


def _actor(raw: Mapping[str, Any]) -> str:
    return str((raw.get("Actor") or {}).get("ID") or raw.get("id") or "")
