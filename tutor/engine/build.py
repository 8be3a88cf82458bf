"""Building an image on the learner's engine, step by step, with the cache made visible.

docker-py has no BuildKit, so builds use the classic builder through the
low-level ``APIClient.build``; :class:`~tutor.engine.build_stream.BuildStreamParser`
turns its output into typed events. A build can be cancelled at any moment:
the HTTP stream is shut down (the engine then stops the build and, with
``forcerm``, removes its container) and any intermediate container this
build started that still exists is removed. The images of the steps that
did finish stay, untagged, as the engine's cache: every one is reported in a
:class:`StepFinished` that missed the cache, however the build ends, so the
tutor can record them and forget them at clean-up
(:func:`tutor.engine.cleanup.forget_intermediates`). An engine that goes away
mid-build is :class:`~tutor.engine.errors.EngineUnreachable`, like everywhere else.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import docker.errors
from docker.types import CancellableStream

from tutor.engine.build_events import BuildError, BuildEvent, BuildRetried
from tutor.engine.build_leftovers import remove_leftovers
from tutor.engine.build_stream import BuildStreamParser
from tutor.engine.build_wire import StreamWatch, read_events, refused, unless_gone
from tutor.engine.cache_miss import PreviousStep
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.dockerfile_steps import BuildStep, read_steps
from tutor.engine.errors import BuildFailed, EngineError, NameTaken
from tutor.engine.labels import NAMESPACE_LABEL, is_ours
from tutor.engine.profile import profile
from tutor.engine.streams import catch_response
from tutor.sentence import Sentence

__all__ = ["LOST_CACHE_RETRIES", "build"]

#: How many times a build starts again after losing a cached step image mid-build.
#: Each loss is a new removal by someone else (a lost image cannot be lost twice),
#: so a few tries are bounded; one was not enough with 40 learners cleaning up at once.
LOST_CACHE_RETRIES = 3
#: An image id in an engine message: ``sha256:`` and 12 to 64 hex digits, or 64 bare ones.
_IMAGE_ID_IN_TEXT = re.compile(r"sha256:([0-9a-f]{12,64})|\b([0-9a-f]{64})\b")


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
        :data:`BuildEvent` values; a failed step ends with :class:`BuildError`
        (its ``intermediates`` are the step images made so far), a successful
        build with :class:`BuildDone`. Each step image the build made is in a
        :class:`StepFinished` with ``cached`` False, also when it is cancelled
        or the engine goes away. A build that fails because a cached step
        image it was using was removed meanwhile (another learner's clean-up
        on a shared engine) yields :class:`BuildRetried` instead of that
        error and starts again (up to :data:`LOST_CACHE_RETRIES` times),
        reporting its steps again from step 1.

    Raises:
        BuildFailed: the build could not start: no such folder, or a Dockerfile
            the engine refuses (:class:`~tutor.engine.dockerfile_steps.DockerfileError`
            carries the line).
        NameTaken: ``tag`` names another learner's image (the tutor's labels
            with another namespace than ``labels``'): it is not moved.
        EngineUnreachable: the engine went away, before or during the build
            (a step killed by a stopping engine is not reported as a failure).
    """
    folder = Path(context)
    if not folder.is_dir():
        raise BuildFailed(
            Sentence("engine.build.no_folder", folder=folder), Sentence("engine.build.check_files")
        )
    steps = read_steps(folder / dockerfile)
    _refuse_another_learners(engine, tag, labels)
    for attempt in range(1 + LOST_CACHE_RETRIES):
        lost: str | None = None
        may_retry = attempt < LOST_CACHE_RETRIES
        for event in _build_once(engine, folder, tag, steps, dockerfile, labels, buildargs, cancel):
            if isinstance(event, BuildError) and may_retry and not _cancelled(cancel):
                lost = _lost_image(engine, event.message)
                if lost is not None:
                    yield BuildRetried(lost, event.intermediates)
                    continue  # the stream ends here; read it out so its clean-up runs
            yield event
        if lost is None:
            return


def _cancelled(cancel: threading.Event | None) -> bool:
    return cancel is not None and cancel.is_set()


def _lost_image(engine: Engine, message: str) -> str | None:
    """The image a failed build needed and that is gone now, if that is why it failed.

    The engine says ``No such image: sha256:...`` (or ``unable to find image
    "sha256:..."``) when a step image it found in the cache was removed before
    the next step started from it. Only an id that names no image any more
    counts: a failure that merely mentions an image that exists is the
    Dockerfile's own.
    """
    for match in _IMAGE_ID_IN_TEXT.finditer(message):
        image_id = match.group(1) or match.group(2)
        try:
            with engine_errors(engine.host):
                engine.api.inspect_image(image_id)
        except docker.errors.NotFound:
            return image_id[:12]
        except docker.errors.APIError:
            continue
    return None


def _build_once(
    engine: Engine,
    folder: Path,
    tag: str,
    steps: tuple[BuildStep, ...],
    dockerfile: str,
    labels: dict[str, str],
    buildargs: dict[str, str] | None,
    cancel: threading.Event | None,
) -> Iterator[BuildEvent]:
    """One build from start to end (the body of :func:`build`, which may start it again)."""
    parser = BuildStreamParser(
        steps,
        _previous(engine, tag),
        lambda i: _created_by(engine, i),
        cached_after=lambda p, n: _cached_after(engine, p, n),
    )
    if _cancelled(cancel):
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
            raise refused(exc) from exc
        except docker.errors.DockerException as exc:  # docker-py's own checks (a bad tag)
            raise BuildFailed(str(exc), Sentence("engine.build.tag_hint")) from exc
    closer = CancellableStream(stream, caught[0]) if caught else None
    watch = StreamWatch(engine, closer, cancel).start()
    try:
        try:
            for event in read_events(engine, stream, watch):
                yield from unless_gone(engine, parser.feed(event))
            if cancel is None or not cancel.is_set():
                yield from unless_gone(engine, parser.finish(tag))
                finished = parser.image_id is not None and not parser.failed
            else:
                yield from parser.close_open()  # the step images made so far, reported
        except EngineError:
            yield from parser.close_open()
            raise
    finally:
        watch.stop()
        if not finished and closer is not None:
            with contextlib.suppress(Exception):
                closer.close()  # the engine stops a build whose client went away
        for response in caught:
            with contextlib.suppress(Exception):
                response.close()
        if not finished:
            with contextlib.suppress(EngineError, docker.errors.APIError):
                remove_leftovers(engine, parser.containers)


def _refuse_another_learners(engine: Engine, tag: str, labels: dict[str, str]) -> None:
    """Never move a tag off another learner's image: their lessons point at it."""
    mine = labels.get(NAMESPACE_LABEL)
    try:
        with engine_errors(engine.host):
            found = (engine.api.inspect_image(tag).get("Config") or {}).get("Labels")
    except docker.errors.APIError:
        return  # no such image yet (or a tag the build itself will refuse)
    if mine and is_ours(found) and not is_ours(found, mine):
        raise NameTaken(
            Sentence("engine.build.name_taken", tag=tag),
            Sentence("engine.build.name_taken.hint"),
        )


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


def _cached_after(engine: Engine, parent: str, made: str) -> list[str] | None:
    """``CreatedBy`` of the step images built on ``parent`` before, ``made`` left out.

    These are the classic builder's cache entries for that point: it looked
    among them for one with the step's instruction and found none. An
    engine that keeps no image per step (the containerd store) has none to
    show, which would not mean the instruction is new: ``None`` then.
    """
    if not profile(engine).step_images_kept:
        return None
    parent_id, made_id = parent.removeprefix("sha256:"), made.removeprefix("sha256:")
    found = []
    try:
        with engine_errors(engine.host):
            for image in engine.api.images(all=True):
                child = str(image.get("Id") or "").removeprefix("sha256:")
                above = str(image.get("ParentId") or "").removeprefix("sha256:")
                if above.startswith(parent_id) and child and not child.startswith(made_id):
                    created_by = _created_by(engine, child)
                    if created_by is not None:
                        found.append(created_by)
    except docker.errors.APIError:
        return None
    return found
