"""Reading the classic builder's output stream: pure code, testable without an engine.

Facts about the stream (see ENGINE_NOTES.md): ``Step N/M : INSTR`` and its
newline arrive as separate events and output chunks hold several lines, so
text is buffered and split on ``\\n``. The first ``--->`` line after a step
decides it: ``---> Using cache`` is a cache hit; ``---> Running in ID`` or a
bare ``---> ID`` is a miss (for ``FROM`` the bare id is the base image, reused
as it is). "Removing intermediate container" is never relied upon (Engine 25+
says "Removed"). Every stage ends with ``{"aux": {"ID": ...}}``; the last one
is the image. A failure is an ``errorDetail`` event.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tutor.engine.build_events import (
    STREAM_CUT,
    BuildDone,
    BuildError,
    BuildEvent,
    OutputLine,
    StepFinished,
    StepStarted,
)
from tutor.engine.cache_miss import PreviousStep, miss_reason, miss_reason_from_cache
from tutor.engine.dockerfile_steps import BuildStep

_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_IMAGE_ID = re.compile(r"^(?:sha256:)?[0-9a-f]{12,64}$")
_RUNNING_IN = "Running in "
#: Output without a newline is passed on once it is this long, not kept forever.
_LONGEST_LINE = 16 * 1024


@dataclass
class _OpenStep:
    number: int
    instruction: str
    keyword: str
    started: float
    parent_id: str | None
    parent_is_base: bool
    cached: bool | None = None
    image_id: str | None = None
    done_at: float | None = None


class BuildStreamParser:
    """Turns the engine's build events into :data:`BuildEvent` values.

    Args:
        steps: The Dockerfile's steps (for line numbers and stages); may be empty.
        previous: The history of the image the tag named before this build,
            oldest first, for explaining cache misses.
        created_by_of: Looks up the ``CreatedBy`` of a freshly built step
            image (one call, for the first miss of the last stage); ``None``
            to explain without it.
        cached_after: Looks up the ``CreatedBy`` of the other step images
            built on a parent (``parent id, new step image id``), for a first
            miss that ``previous`` cannot explain (``None`` back when the
            engine keeps no step images); ``None`` to go without.
        clock: Seconds, monotonic (tests pass a fake clock).
    """

    def __init__(
        self,
        steps: Sequence[BuildStep] = (),
        previous: Sequence[PreviousStep] = (),
        created_by_of: Callable[[str], str | None] | None = None,
        clock: Callable[[], float] = time.monotonic,
        cached_after: Callable[[str, str], Sequence[str] | None] | None = None,
    ) -> None:
        self._steps = {step.number: step for step in steps}
        self._last_from = max((s.number for s in steps if s.keyword == "FROM"), default=0)
        self._previous = tuple(previous)
        self._created_by_of = created_by_of
        self._cached_after = cached_after
        self._clock = clock
        self._buffer = ""
        self._open: _OpenStep | None = None
        self._parent: str | None = None  # image of the last finished step
        self._parent_is_base = False
        self._dirty = False  # a step of the current stage was rebuilt
        self._rebuilt: set[str] = set()
        self.image_id: str | None = None
        self.failed = False
        self.containers: list[tuple[str, str | None]] = []
        """(container id, image it was started from) for each ``Running in`` seen."""
        self.made: list[str] = []
        """Short ids of the step images this build made (cache misses), oldest first."""

    def feed(self, event: Mapping[str, Any]) -> list[BuildEvent]:
        """Take one decoded JSON event from the stream.

        Args:
            event: As ``APIClient.build(decode=True)`` yields it.

        Returns:
            The build events it completes (often none: half a line waits for the rest).
        """
        out: list[BuildEvent] = []
        if "errorDetail" in event or "error" in event:
            detail = event.get("errorDetail") or {}
            message = str(detail.get("message") or event.get("error") or "the build failed")
            out += self._flush_partial()
            out += self._fail(message.strip())
        elif isinstance(event.get("stream"), str):
            self._buffer += event["stream"]
            *lines, self._buffer = self._buffer.split("\n")
            for line in lines:
                out += self._line(line.rstrip("\r"))
            if len(self._buffer) > _LONGEST_LINE:  # e.g. a progress bar drawn with \r only
                out += self._flush_partial()
        elif isinstance(event.get("aux"), Mapping) and event["aux"].get("ID"):
            out += self._flush_partial()
            out += self._close()
            self.image_id = str(event["aux"]["ID"])
        elif isinstance(event.get("status"), str) and not event.get("progressDetail"):
            label = f"{event['id']}: " if event.get("id") else ""
            out.append(OutputLine(self._number(), label + event["status"]))
        return out

    def finish(self, tag: str) -> list[BuildEvent]:
        """The stream ended: close the last step and say how the build ended.

        Args:
            tag: The tag the build gives the image (for :class:`BuildDone`).

        Returns:
            The last events: the last :class:`StepFinished` and :class:`BuildDone`,
            or a :class:`BuildError` when the stream stopped before an image was made.
        """
        out = self._flush_partial()
        if self.failed:
            return out
        if self.image_id is None:
            return out + self._fail(STREAM_CUT)
        out += self._close()
        out.append(BuildDone(self.image_id, tag))
        return out

    def close_open(self) -> list[BuildEvent]:
        """The build stopped early: finish a step whose image is already made.

        The engine prints a step's image id before the next step's header, so
        without this a build stopped in between would never report that image.

        Returns:
            Its :class:`StepFinished` (and any half line), or nothing.
        """
        if self._open is None or self._open.image_id is None:
            return []
        return self._flush_partial() + self._close()

    def _number(self) -> int | None:
        return self._open.number if self._open else None

    def _flush_partial(self) -> list[BuildEvent]:
        text, self._buffer = self._buffer, ""
        return self._line(text.rstrip("\r")) if text else []

    def _line(self, line: str) -> list[BuildEvent]:
        header = _STEP.match(line)
        if header:
            out = self._close()
            number, total = int(header.group(1)), int(header.group(2))
            step = self._steps.get(number)
            keyword = header.group(3).split(" ", 1)[0].upper()
            if keyword == "FROM":
                self._dirty = False
            self._open = _OpenStep(
                number, header.group(3), keyword, self._clock(), self._parent, self._parent_is_base
            )
            lines = (step.start_line, step.end_line) if step else (0, 0)
            return [*out, StepStarted(number, total, header.group(3), *lines)]
        step_open = self._open
        if step_open is not None and line.startswith(" ---> "):
            self._arrow(step_open, line[len(" ---> ") :].strip())
        return [OutputLine(self._number(), line)]

    def _arrow(self, step: _OpenStep, said: str) -> None:
        if said == "Using cache":
            step.cached = True if step.cached is None else step.cached
        elif said.startswith(_RUNNING_IN):
            self.containers.append((said[len(_RUNNING_IN) :].strip(), self._parent))
            step.cached = False if step.cached is None else step.cached
        elif _IMAGE_ID.match(said):
            step.image_id, step.done_at = said.removeprefix("sha256:"), self._clock()
            if step.cached is None:
                step.cached = step.keyword == "FROM"
            if step.keyword == "FROM" and said in self._rebuilt:
                self._dirty = True  # this stage starts on a stage rebuilt just now
            self._parent = step.image_id
            self._parent_is_base = step.keyword == "FROM"

    def _close(self) -> list[BuildEvent]:
        step, self._open = self._open, None
        if step is None:
            return []
        nothing_built = step.keyword == "FROM" or (step.keyword == "ARG" and step.parent_id is None)
        cached = bool(step.cached) or (step.cached is None and nothing_built)
        reason = None if cached else self._why(step)
        if not cached:
            self._dirty = True
            if step.image_id:
                self._rebuilt.add(step.image_id)
                self.made.append(step.image_id)
        seconds = max(0.0, (step.done_at or self._clock()) - step.started)
        return [StepFinished(step.number, step.instruction, cached, seconds, step.image_id, reason)]

    def _why(self, step: _OpenStep) -> str | None:
        final_stage = step.number > self._last_from
        created_by = None
        if final_stage and not self._dirty and step.image_id and self._created_by_of:
            created_by = self._created_by_of(step.image_id)
        reason = self._compared_with_previous(step, final_stage, created_by)
        if reason is not None or self._dirty or self._cached_after is None:
            return reason
        if not (step.image_id and step.parent_id and self._created_by_of):
            return None
        cached = self._cached_after(step.parent_id, step.image_id)
        if cached is None:
            return None
        if created_by is None:
            created_by = self._created_by_of(step.image_id)
        return miss_reason_from_cache(keyword=step.keyword, created_by=created_by, cached=cached)

    def _compared_with_previous(
        self, step: _OpenStep, final_stage: bool, created_by: str | None
    ) -> str | None:
        return miss_reason(
            keyword=step.keyword,
            earlier_rebuilt=self._dirty,
            final_stage=final_stage,
            parent_id=step.parent_id,
            parent_is_base=step.parent_is_base,
            created_by=created_by,
            previous=self._previous,
        )

    def _fail(self, message: str) -> list[BuildEvent]:
        step, self._open = self._open, None
        self.failed = True
        if step is not None and step.image_id is None:
            return [BuildError(step.number, step.instruction, message, tuple(self.made))]
        self._open = step
        closed = self._close()
        return [*closed, BuildError(None, None, message, tuple(self.made))]
