"""What a build reports, step by step: the events the tutor shows and records.

Plain frozen dataclasses with no engine in them, so the app, the journal and
the tests can build and compare them. :mod:`tutor.engine.build_stream` makes
them from the engine's output; :func:`tutor.engine.build.build` yields them.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The failure reported when the stream ends with neither an image nor an error.
STREAM_CUT = "The engine closed the build stream before the image was made."


@dataclass(frozen=True)
class StepStarted:
    """The engine began a step. ``start_line``/``end_line`` are 1-based lines of the
    Dockerfile, 0 for a step that is not in the file (the ``LABEL`` step the
    engine appends for the build's labels)."""

    number: int
    total: int
    instruction: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class OutputLine:
    """One line the engine printed (everything except the ``Step N/M`` headers,
    so also ``---> Using cache`` and ``---> Running in ID``); ``step`` is
    ``None`` outside a step (``Successfully built ...``)."""

    step: int | None
    text: str


@dataclass(frozen=True)
class StepFinished:
    """A step is done. ``cached``: its image came from the cache (``FROM`` and
    ``ARG`` before ``FROM`` count as cached: they build nothing). ``image_id``:
    the short id of the step's image. ``miss_reason``: why it was rebuilt,
    when that can be known (see :mod:`tutor.engine.cache_miss`)."""

    number: int
    instruction: str
    cached: bool
    seconds: float
    image_id: str | None
    miss_reason: str | None


@dataclass(frozen=True)
class BuildError:
    """The build failed: in ``step`` (``None`` when outside a step), with the
    engine's message (e.g. ``The command '/bin/sh -c exit 3' returned a non-zero code: 3``).
    ``intermediates``: short ids of the step images this build made before it
    failed; nothing names them, the engine keeps them as cache (see
    :func:`tutor.engine.cleanup.forget_intermediates`)."""

    step: int | None
    instruction: str | None
    message: str
    intermediates: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildRetried:
    """A cached step image this build was using disappeared mid-build, so the build
    starts again, once, from its first step (and reports every step again).

    On a shared engine, classic-builder cache images are shared by every
    learner whose Dockerfile has the same lines. Another learner's clean-up (or
    a ``docker image prune``) can remove one in the instant between the engine
    finding it in the cache and starting the next step from it; the engine then
    fails with ``No such image``, which is no fault of the learner's Dockerfile.
    ``lost_image`` is the short id of the image that went; ``intermediates``
    the step images the first try made (for the record, as in :class:`BuildError`)."""

    lost_image: str
    intermediates: tuple[str, ...] = ()


@dataclass(frozen=True)
class BuildDone:
    """The image is built and tagged. ``image_id`` is the full ``sha256:`` id."""

    image_id: str
    tag: str


BuildEvent = StepStarted | OutputLine | StepFinished | BuildError | BuildRetried | BuildDone
