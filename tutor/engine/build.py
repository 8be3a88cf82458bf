"""Building an image on the learner's engine, step by step, with the cache made visible.

docker-py has no BuildKit, so builds use the classic builder through the
low-level ``APIClient.build``; :class:`~tutor.engine.build_stream.BuildStreamParser`
turns its output into typed events. A build can be cancelled at any moment:
the HTTP stream is shut down (the engine then stops the build and, with
``forcerm``, removes its container) and any intermediate container this
build started that still exists is removed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import docker.errors
import requests
import urllib3.exceptions
from docker.types import CancellableStream

from tutor.engine.build_stream import (
    BuildDone,
    BuildError,
    BuildEvent,
    BuildStreamParser,
    OutputLine,
    StepFinished,
    StepStarted,
)
from tutor.engine.cache_miss import PreviousStep
from tutor.engine.connection import Engine, classify, engine_errors
from tutor.engine.dockerfile_steps import engine_parse_error, read_steps
from tutor.engine.errors import BuildFailed, EngineError
from tutor.engine.streams import catch_response

__all__ = [
    "BuildDone",
    "BuildError",
    "BuildEvent",
    "OutputLine",
    "StepFinished",
    "StepStarted",
    "build",
    "catch_response",  # kept here for callers that imported it from build
]

#: How often the cancel watcher looks at the cancel event (seconds).
_CANCEL_POLL = 0.1
#: How long to wait for the engine to let go of a container it is removing itself.
_REMOVE_WAIT = 10.0


def build(
    engine: Engine,
    context: Path,
    tag: str,
    *,
    dockerfile: str = "Dockerfile",
    labels: dict[str, str],
    buildargs: dict[str, str] | None = None,
    cancel: threading.Event | None = None,
) -> Iterator[BuildEvent]:
    """Build ``context`` into ``tag`` and report every step as it happens.

    Nothing runs until the first event is asked for, so the whole build
    (upload included) happens in the thread that iterates.

    Args:
        engine: The engine to build on.
        context: The build folder (sent to the engine, minus ``.dockerignore``).
        tag: The name to give the image, e.g. ``learner/hello:1``.
        dockerfile: The Dockerfile's path inside ``context``.
        labels: Labels for the image (the tutor's labels, so clean-up finds
            it); the engine adds them as one last ``LABEL`` step.
        buildargs: Values for the Dockerfile's ``ARG``s.
        cancel: When set, the build stops promptly; the iterator then ends
            without :class:`BuildDone` and no container of this build is left.

    Yields:
        :data:`BuildEvent` values; a failed step ends with :class:`BuildError`,
        a successful build with :class:`BuildDone`.

    Raises:
        BuildFailed: the build could not start: no such folder, or a Dockerfile
            the engine refuses (:class:`~tutor.engine.dockerfile_steps.DockerfileError`
            carries the line).
        EngineError: the engine went away.
    """
    folder = Path(context)
    if not folder.is_dir():
        raise BuildFailed(f"The build folder {folder} does not exist.", "Check the lesson files.")
    steps = read_steps(folder / dockerfile)
    parser = BuildStreamParser(steps, _previous(engine, tag), lambda i: _created_by(engine, i))
    if cancel is not None and cancel.is_set():
        return
    finished = False
    with engine_errors(engine.host), catch_response(engine.api, "/build") as caught:
        try:
            stream = engine.api.build(
                path=str(folder),
                tag=tag,
                dockerfile=dockerfile,
                labels=labels,
                buildargs=buildargs,
                decode=True,
                rm=True,
                forcerm=True,
            )
        except docker.errors.APIError as exc:
            raise _refused(exc) from exc
        except docker.errors.DockerException as exc:  # docker-py's own checks (a bad tag)
            raise BuildFailed(str(exc), "Use a name like learner/hello:1 for the image.") from exc
    closer = CancellableStream(stream, caught[0]) if caught else None
    stop = threading.Event()
    if cancel is not None and closer is not None:
        _watch(cancel, stop, closer)
    try:
        for event in _events(engine, stream, cancel):
            yield from parser.feed(event)
        if cancel is None or not cancel.is_set():
            yield from parser.finish(tag)
            finished = parser.image_id is not None and not parser.failed
    finally:
        stop.set()
        if not finished and closer is not None:
            with contextlib.suppress(Exception):
                closer.close()  # the engine stops a build whose client went away
        for response in caught:
            with contextlib.suppress(Exception):
                response.close()
        if not finished:
            with contextlib.suppress(EngineError, docker.errors.APIError):
                remove_leftovers(engine, parser.containers)


def _events(
    engine: Engine, stream: Iterator[dict[str, Any]], cancel: threading.Event | None
) -> Iterator[dict[str, Any]]:
    """The raw events, ending quietly when the stream was cut on purpose."""
    try:
        with engine_errors(engine.host):
            for event in stream:
                if cancel is not None and cancel.is_set():
                    return
                yield event
    except docker.errors.APIError as exc:
        raise _refused(exc) from exc
    except (urllib3.exceptions.HTTPError, requests.exceptions.RequestException, OSError) as exc:
        if cancel is not None and cancel.is_set():
            return
        raise classify(exc, engine.host) from exc
    except Exception:
        if cancel is not None and cancel.is_set():
            return  # reading from a socket we shut down can fail in odd ways
        raise


def _refused(exc: docker.errors.APIError) -> BuildFailed:
    """An error answer before any event: 400 is a Dockerfile the engine refuses."""
    message = str(exc.explanation or exc)
    if exc.status_code == 400:
        return engine_parse_error(message)
    return BuildFailed(f"The engine refused to build: {message}", "Check the build folder.")


def _previous(engine: Engine, tag: str) -> tuple[PreviousStep, ...]:
    """History of the image ``tag`` names now (oldest first), to explain cache misses."""
    try:
        with engine_errors(engine.host):
            rows = engine.api.history(tag)
    except docker.errors.APIError:
        return ()  # no such image yet: a first build
    return tuple(
        PreviousStep(None if row.get("Id") in (None, "<missing>") else row["Id"], row["CreatedBy"])
        for row in reversed(rows or [])
    )


def _created_by(engine: Engine, image_id: str) -> str | None:
    """``CreatedBy`` of a step image (its newest history row)."""
    try:
        with engine_errors(engine.host):
            rows = engine.api.history(image_id)
    except docker.errors.APIError:
        return None
    return str(rows[0].get("CreatedBy") or "") if rows else None


def _watch(cancel: threading.Event, stop: threading.Event, stream: CancellableStream) -> None:
    """Shut the stream down as soon as ``cancel`` is set (until ``stop`` is)."""

    def run() -> None:
        while not stop.is_set():
            if cancel.wait(_CANCEL_POLL):
                with contextlib.suppress(Exception):
                    stream.close()
                return

    threading.Thread(target=run, name="build-cancel", daemon=True).start()


def remove_leftovers(engine: Engine, containers: Sequence[tuple[str, str | None]]) -> list[str]:
    """Remove intermediate containers of a stopped build that still exist.

    Only the containers the build announced (``Running in ID``) are touched,
    and only while their image is the step image they were started from:
    build containers carry no labels, so this is how we know they are ours.

    Args:
        engine: The engine.
        containers: ``(container id, image it was started from)`` pairs.

    Returns:
        The ids that were removed here (the engine usually removes them itself).
    """
    removed: list[str] = []
    for container_id, image in containers:
        deadline = time.monotonic() + _REMOVE_WAIT
        while time.monotonic() < deadline:
            try:
                with engine_errors(engine.host):
                    info = engine.api.inspect_container(container_id)
                    if image and not str(info.get("Image", "")).removeprefix("sha256:").startswith(
                        image
                    ):
                        break
                    engine.api.remove_container(container_id, force=True)
                removed.append(container_id)
                break
            except docker.errors.NotFound:
                break
            except docker.errors.APIError as exc:
                if exc.status_code != 409:  # 409: the engine is removing it right now
                    raise
                time.sleep(0.2)
    return removed
