"""The build's HTTP stream: reading it, cutting it on cancel, and telling why it ended.

A build's events come over one long HTTP response. Cancelling shuts that
response's socket (only that frees a read blocked on a silent ``RUN``), which
also tells the engine to stop the build. When the stream ends early, or a
step fails with the codes of a killed process (137, 143), the engine may
have gone away: a stopping engine kills the running step, and that must not
read to the learner like a broken Dockerfile.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from typing import Any

import docker.errors
import requests
import urllib3.exceptions
from docker.types import CancellableStream

from tutor.engine.build_events import STREAM_CUT, BuildError, BuildEvent
from tutor.engine.connection import Engine, classify, engine_errors
from tutor.engine.dockerfile_steps import engine_parse_error
from tutor.engine.errors import BuildFailed, EngineError
from tutor.sentence import Sentence

#: How often the cancel watcher looks at the cancel event (seconds).
_CANCEL_POLL = 0.1
#: A step killed by SIGKILL/SIGTERM (137/143) is what a stopping engine reports.
_KILLED = re.compile(r"non-zero code: (137|143)\b")
#: How long a killed step or a cut stream waits for the engine to show it is going.
_GONE_WAIT = 3.0
#: Seconds without an event after which a build asks whether the engine is still there.
QUIET = 10.0
#: Seconds that question may take.
PING_TIMEOUT = 5.0


def read_events(
    engine: Engine, stream: Iterator[dict[str, Any]], watch: StreamWatch
) -> Iterator[dict[str, Any]]:
    """The raw events, ending quietly when the stream was cut on purpose (a cancel)."""
    try:
        with engine_errors(engine.host):
            for event in stream:
                if watch.cancelled:
                    return
                watch.heard()
                yield event
    except docker.errors.APIError as exc:
        raise refused(exc) from exc
    except (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, OSError) as exc:
        if watch.cancelled:
            return
        raise classify(exc, engine.host) from exc
    except docker.errors.StreamParseError:
        return  # cut in the middle of an event: the parser says the build did not end
    except Exception:
        if watch.cancelled:
            return  # reading from a socket we shut down can fail in odd ways
        if watch.engine_gone:
            raise _went_away(engine) from None
        raise
    if watch.engine_gone:
        raise _went_away(engine)


def unless_gone(engine: Engine, events: list[BuildEvent]) -> Iterator[BuildEvent]:
    """Pass events on, but a failure caused by the engine going away is EngineUnreachable.

    A stopping engine kills the running step (code 137 or 143) and ends the
    stream, which reads like a broken Dockerfile; the learner must be told
    that the engine went away, with the hint that says what to do about it.
    """
    for event in events:
        if isinstance(event, BuildError):
            killed = bool(_KILLED.search(event.message)) or event.message == STREAM_CUT
            if _engine_gone(engine, _GONE_WAIT if killed else 0.0):
                raise _went_away(engine)
        yield event


def _engine_gone(engine: Engine, patience: float) -> bool:
    """Whether the engine stops answering within ``patience`` seconds (one ping at least)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            engine.ping()
        except EngineError:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)


def _answers(engine: Engine) -> bool:
    """A ping with a short timeout of its own (a silent connection must not hold it for long)."""
    try:
        with engine_errors(engine.host):
            engine.api.get(f"{engine.api.base_url}/_ping", timeout=PING_TIMEOUT).raise_for_status()
    except (EngineError, requests.exceptions.HTTPError):
        return False
    return True


def _went_away(engine: Engine) -> EngineError:
    """The same typed error any other call gives once the engine has gone."""
    try:
        engine.ping()
    except EngineError as exc:
        return exc
    return classify(ConnectionError("the engine stopped during the build"), engine.host)


def refused(exc: docker.errors.APIError) -> BuildFailed:
    """An error answer before any event: 400 is a Dockerfile the engine refuses."""
    message = str(exc.explanation or exc)
    if exc.status_code == 400:
        return engine_parse_error(message)
    refusal = Sentence("engine.build.refused", message=message)
    return BuildFailed(refusal, Sentence("engine.build.check_folder"))


class StreamWatch:
    """Shuts a build's stream when it is cancelled, or when it went quiet with the engine.

    A build's stream has no read timeout (a step may rightly print nothing for
    minutes), so a connection that goes silent (a suspended laptop, a dead SSH
    tunnel) would block the read for ever. After :data:`QUIET` seconds without
    an event the engine is asked, on a connection of its own, whether it is
    still there; when it is not, the stream is shut and the build raises
    :class:`~tutor.engine.errors.EngineUnreachable`.

    Args:
        engine: The engine the build runs on.
        stream: Closes the build's HTTP response (None: it cannot be closed).
        cancel: The learner's cancel event (None: none).
    """

    def __init__(
        self, engine: Engine, stream: CancellableStream | None, cancel: threading.Event | None
    ) -> None:
        self._engine, self._stream, self._cancel = engine, stream, cancel
        self._stop = threading.Event()
        self._last = time.monotonic()
        self.engine_gone = False

    @property
    def cancelled(self) -> bool:
        """Whether the learner cancelled the build."""
        return self._cancel is not None and self._cancel.is_set()

    def heard(self) -> None:
        """An event came: the engine is there."""
        self._last = time.monotonic()

    def start(self) -> StreamWatch:
        """Start watching in a daemon thread (until :meth:`stop`)."""
        if self._stream is not None:
            threading.Thread(target=self._run, name="build-watch", daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop watching (the build is over)."""
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(_CANCEL_POLL):
            if self.cancelled:
                self._close()
                return
            if time.monotonic() - self._last > QUIET:
                if not _answers(self._engine):
                    self.engine_gone = True
                    self._close()
                    return
                self._last = time.monotonic()  # ask again after another quiet spell

    def _close(self) -> None:
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.close()
