"""Whether the UI keeps answering in the course's heavy moments, measured in the real app.

Run ``python benchmarks/ui_bench.py`` (fixture images from ``tests/provision.py``
must exist; two to three minutes; ``--help`` lists the options, e.g. smaller
``--paths``, ``--lines``, ``--images`` or one of the ``--sizes``). It builds the
tutor with ``tutor.launch.make_app`` on the real engine, under a namespace of
its own (``bench-<random>``) with temporary progress and workspace folders,
runs it headless (``App.run_test``) at 160x48 (panels side by side) and at
80x24 (panels as tabs), and presses keys as a terminal sends them. Each
session plays the learner's heavy moments through the app's own code paths:

* opening a lesson (lesson 2, until its question is up), as a baseline;
* a build whose ``RUN`` prints 2,000 lines: the learner's Dockerfile in lesson
  2, ``t`` on its build step (build worker, build panel), until the log shows
  the "Built" line;
* a 20,000-path diff: a labelled container of the lesson's image writes
  20,000 files while the copy-on-write lesson shows its diff panel (the
  panel's one-second poll worker), until all of them are on screen; the
  lesson opened again on the finished diff; the list scrolled with held keys;
  10 s of looking at it; ``t`` on the step whose action prints the 20,000
  lines of ``docker diff``;
* 30 images: built (the tutor's ``build()``, in a thread of the benchmark)
  while the lesson screen follows the engine's events, listed by lesson 2's
  ``docker image ls`` step, the lesson opened again (layers, containers and
  history panels read), and removed by the clean-up lesson's step.

A heartbeat task sleeps 5 ms at a time on the app's event loop and records
how late each wake-up is: that lateness is how long the UI could not answer
a key or draw a frame (a stall). Per moment the table gives the wall time
(until the first frame that shows the result; an opened lesson's row also
covers what the app does after it, until its workers are done), the longest
stall, the 99th percentile, how many stalls passed 100 ms, the full garbage
collections during the moment and the longest one (they stop every thread),
and the process's peak RSS so far, then the objects the collector tracks (what a
full collection walks), those frozen out of it (``gc.freeze``) and the longest
full collection's CPU time (which a busy machine does not stretch, as it does
the wall time). Below the table, one line a size takes every wake-up of its
session together: its 99th percentile, its longest stall and how many passed
100 ms (a short moment has too few wake-ups for a 99th percentile of its
own to differ from its longest). ``--tracemalloc`` adds the Python heap
peak of each moment (slowly); ``--blame`` samples the loop's stack while it
is more than 50 ms late and says where it was. Frames are turned into
terminal bytes as a real terminal's would be, then dropped (``--no-encode``
skips that). The benchmark's own engine calls run in threads, off the loop.
It prints figures only (they depend on the machine), removes everything it
made (the tutor's clean-up for its namespace, then its step images) and
checks that nothing with its labels is left.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import platform
import resource
import signal
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
import weakref
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import docker.errors
import textual
from rich.console import RenderableType
from textual import events
from textual.css.query import NoMatches
from textual.screen import Screen

from tutor.app import TutorApp
from tutor.course.journal import Journal
from tutor.engine import containers
from tutor.engine.build import build
from tutor.engine.build_events import BuildDone, BuildError, StepFinished
from tutor.engine.build_leftovers import forget_intermediates
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine, connect
from tutor.engine.labels import label_filters, labels_for
from tutor.engine.printed import short_id
from tutor.launch import make_app
from tutor.screens.lesson import LessonScreen
from tutor.screens.prediction import OutcomeScreen, PredictionScreen
from tutor.widgets import BuildLog, ContainersPanel, DiffView, HistoryTable

PATHS, LINES, IMAGES = 20_000, 2_000, 30
#: How often the heartbeat wakes, and from how long a stall counts as a freeze.
PERIOD, FREEZE = 0.005, 0.100
#: The p99 target: a wake-up later than this is one of the 1% a session may have.
SMOOTH = 0.020
#: Innermost Python functions of a thread that waits (the OS, a lock, the network).
WAITING = frozenset(
    {"select", "_read_from_self", "wait", "_wait_for_tstate_lock", "readinto", "recv_into"}
    | {"sleep", "_worker"}
)
#: Seconds the learner looks at the big diff without touching a key.
IDLE = 10.0
#: Seconds between two keys while scrolling (a held key's auto-repeat).
KEY_REPEAT = 0.03
#: The last file the diff container writes (its diff is complete once it is there).
READY = "/ready"
#: Seconds a watched result is in place with no frame drawing it before the wait ends.
UNDRAWN = 0.5
MiB = 1024 * 1024


@dataclass
class Row:
    """The figures of one moment."""

    what: str
    size: str
    wall: float = 0.0
    worst: float = 0.0
    p99: float = 0.0
    late: int = 0
    """Wake-ups later than the p99 target (:data:`SMOOTH`)."""
    freezes: int = 0
    beats: int = 0
    gc_full: int = 0
    gc_worst: float = 0.0
    gc_cpu: float = 0.0
    """The longest full collection's CPU time: what it cost, however busy the machine."""
    rss: float = 0.0
    objects: int = 0
    frozen: int = 0
    """Objects the garbage collector tracks after the moment: what a full collection walks."""
    heap: float | None = None
    note: str = ""
    blame: list[tuple[str, int]] | None = None
    """Where the loop was while stalled (``--blame``): place, 10 ms samples."""
    done_at: float | None = None
    """When the result was first on a frame (perf_counter); None: the moment's end."""
    stalls: list[float] = field(default_factory=list, repr=False)
    """How late each wake-up of the heartbeat was, in seconds."""


class Heartbeat:
    """Wakes every ``period`` seconds on the event loop and records how late each wake-up is."""

    def __init__(self, period: float = PERIOD) -> None:
        self.period = period
        self._samples: list[float] | None = None
        self._asleep_since = time.perf_counter()

    async def run(self) -> None:
        """Beat until cancelled."""
        while True:
            self._asleep_since = start = time.perf_counter()
            await asyncio.sleep(self.period)
            late = time.perf_counter() - start - self.period
            if self._samples is not None:
                self._samples.append(max(late, 0.0))

    def overdue(self, after: float) -> bool:
        """Whether the current wake-up is more than ``after`` seconds late (any thread)."""
        return time.perf_counter() - self._asleep_since - self.period > after

    def start(self) -> None:
        """Start recording."""
        self._samples = []

    def stop(self) -> list[float]:
        """Stop recording; the lateness of each wake-up since ``start``, in seconds."""
        samples, self._samples = self._samples or [], None
        pending = time.perf_counter() - self._asleep_since - self.period
        if pending > 0:  # a wake-up overdue right now counts too
            samples.append(pending)
        return samples


class Collections:
    """The garbage collector's pauses: they stop every thread, the event loop's too."""

    def __init__(self) -> None:
        self.pauses: list[float] | None = None
        #: The CPU time of each full collection (its thread's), beside its wall time.
        self.cpu: list[float] = []
        self._started = self._started_cpu = 0.0
        gc.callbacks.append(self._note)

    def close(self) -> None:
        """Stop listening to the collector."""
        gc.callbacks.remove(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started, self._started_cpu = time.perf_counter(), time.thread_time()
        elif self.pauses is not None and info.get("generation") == 2:
            self.pauses.append(time.perf_counter() - self._started)
            self.cpu.append(time.thread_time() - self._started_cpu)


class Blame:
    """Samples the event loop's stack from a thread while the loop is stalled."""

    def __init__(self, heartbeat: Heartbeat, after: float = 0.05, every: float = 0.01) -> None:
        self.heartbeat = heartbeat
        self.after, self.every = after, every
        self.loop_thread = threading.get_ident()  # made on the loop's thread
        self.counts: Counter[str] | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="ui-bench-blame", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop sampling."""
        self._done.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._done.wait(self.every):
            counts = self.counts
            if counts is None or not self.heartbeat.overdue(self.after):
                continue
            frames = sys._current_frames()
            frame = frames.pop(self.loop_thread, None)
            frames.pop(threading.get_ident(), None)
            if frame is None:
                continue
            if frame.f_code.co_name not in WAITING:
                counts[place(frame)] += 1
                continue
            # The loop is back from select() but not running: another thread has the
            # GIL (or the collector runs). Name the threads that are not waiting.
            busy = sorted({place(f) for f in frames.values() if f.f_code.co_name not in WAITING})
            counts["loop waiting for the GIL; busy: " + " | ".join(busy or ["?"])] += 1


def place(frame: FrameType) -> str:
    """Where a stack is, in a few words: the innermost function of the tutor, else what
    Textual is doing (the message it dispatches, or drawing), else the innermost function."""
    inner = f"{short_path(frame.f_code.co_filename)}:{frame.f_code.co_name}"
    if frame.f_code.co_name == "_note" or inner.endswith("_weakrefset.py:_remove"):
        return "garbage collection (its end)"
    doing = ""
    here: FrameType | None = frame
    while here is not None:
        code = here.f_code
        if "/tutor/" in code.co_filename:
            return f"{short_path(code.co_filename)}:{code.co_name} ({inner})"
        if not doing and code.co_name == "_dispatch_message":
            found = here.f_locals
            node, message = type(found.get("self")).__name__, type(found.get("message")).__name__
            doing = f"textual: {message} to {node}"
        elif not doing and code.co_name in ("_refresh_layout", "_compositor_refresh"):
            doing = f"textual: {code.co_name}"
        here = here.f_back
    return f"{doing} ({inner})" if doing else inner


def short_path(path: str) -> str:
    """A source path from its package on (``textual/widget.py``, ``tutor/app.py``)."""
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1]
    if "/tutor/" in path:
        return path[path.rfind("/tutor/") + 1 :]
    return "/".join(Path(path).parts[-2:])


class Frames:
    """Sees every frame the app draws: encodes it as a terminal would, and notes
    the first frame on which a watched condition holds."""

    def __init__(self, app: TutorApp, *, encode: bool) -> None:
        self.shown_at: float | None = None
        self.undrawn = False
        """The last wait ended with the result in place but no frame drawing it."""
        self._condition: Callable[[], bool] | None = None
        display = app._display

        def draw(screen: Screen[Any], renderable: RenderableType | None) -> None:
            if renderable is not None:
                render = getattr(renderable, "render_segments", None)
                if encode and render is not None:
                    render(app.console)  # headless skips this; a terminal would not
                if self._condition is not None and self.shown_at is None and self._condition():
                    self.shown_at = time.perf_counter()
            display(screen, renderable)

        app._display = draw  # type: ignore[method-assign]

    def watch(self, condition: Callable[[], bool]) -> None:
        """Note the first frame drawn from now on while ``condition`` holds."""
        self.shown_at, self._condition = None, condition

    @property
    def condition(self) -> Callable[[], bool] | None:
        """What is watched for now (None: nothing)."""
        return self._condition

    def forget(self) -> None:
        """Stop watching. A condition holds what it looks at (a lesson screen, a
        20,000-path diff): kept, the app's closed screens stayed alive in the
        benchmark, and every later full collection walked them."""
        self._condition = None


class FullDiff:
    """Whether the lesson's diff panel holds a container's whole diff (``READY`` is in it)."""

    def __init__(self, view: Callable[[], DiffView | None], container: str) -> None:
        self.view = view
        self.container = container
        self.updates = 0
        self._last: object = None
        self._full = False

    def __call__(self) -> bool:
        panel = self.view()
        current = panel.diff if panel is not None else None
        if current is not self._last:  # one look per new diff, not per frame
            self._last = current
            self.updates += current is not None
            self._full = (
                current is not None
                and current.container == self.container
                and any(change.path == READY for change in current.changes)
            )
        return self._full


def rss_mib() -> float:
    """The process's peak resident set size so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MiB if sys.platform == "darwin" else peak / 1024


def percentile(values: list[float], share: float) -> float:
    """The value below which ``share`` of ``values`` lie (nearest rank)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Session:
    """One run of the app at one terminal size, and the moments measured in it."""

    def __init__(
        self, args: argparse.Namespace, engine: Engine, namespace: str, size: tuple[int, int]
    ) -> None:
        self.args = args
        self.engine = engine  # the benchmark's own connection, used from threads only
        self.namespace = namespace
        self.size = size
        self.label = f"{size[0]}x{size[1]}"
        self.tag = f"{namespace}-{self.label}"
        self.rows: list[Row] = []
        self.step_images: list[str] = []
        #: Set when the session ends early: the benchmark's own build stops promptly.
        self.stopping = threading.Event()
        self.journal: Journal | None = None
        self.heartbeat = Heartbeat()
        self.blame: Blame | None = None
        self.collections: Collections | None = None
        self._app: TutorApp | None = None
        self._frames: Frames | None = None

    @property
    def app(self) -> TutorApp:
        assert self._app is not None
        return self._app

    @property
    def frames(self) -> Frames:
        assert self._frames is not None
        return self._frames

    # -- driving the app -------------------------------------------------------------

    async def run(self, root: Path) -> None:
        """Start the app, play every moment, close the app."""
        params = {
            "base_image": self.args.busybox,
            "image": f"{self.tag}-hello",
            "image2": f"{self.tag}-hello-2",
            "base": f"{self.tag}-base",
            "container": self.tag,
            "container2": f"{self.tag}-2",
        }
        app = make_app(
            connect_engine=connect,
            progress_root=root / "progress",
            workspace_root=root / "workspace",
            namespace=self.namespace,
            params=params,
            language="en",
        )
        self._app, self.journal = app, app.journal
        self._frames = Frames(app, encode=not self.args.no_encode)
        self.collections = Collections()
        try:
            await self._play(app, root)
        finally:
            self.collections.close()
            # The next session starts without this one's app in memory.
            self._app = self._frames = None
            self.blame = self.collections = None

    async def _play(self, app: TutorApp, root: Path) -> None:
        """The moments, in the running app."""
        async with app.run_test(size=self.size, notifications=True):
            beating = asyncio.create_task(self.heartbeat.run())
            self.blame = Blame(self.heartbeat) if self.args.blame else None
            try:
                await self.until(lambda: app.runner is not None, "the engine", 60)
                await self.quiet()
                async with self.moment("idle on the course screen, 2 s"):
                    await asyncio.sleep(2)
                await self.build_log()
                await self.big_diff()
                await self.many_images(root)
            finally:
                self.stopping.set()
                if self.blame is not None:
                    self.blame.close()
                beating.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beating

    async def until(self, condition: Callable[[], bool], what: str, timeout: float = 120) -> None:
        """Wait (without blocking the loop) until ``condition`` holds."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                screen = type(self.app.screen).__name__
                raise TimeoutError(f"{self.label}: no {what} after {timeout:.0f} s (on {screen})")
            await asyncio.sleep(0.01)

    async def shown(self, what: str, timeout: float = 300) -> float:
        """Wait for the frame that ``Frames.watch`` is looking for; when it was drawn.

        What lands in a tab that is not shown (the narrow layout) changes no
        frame: nothing would be drawn until something else on screen moves
        (a notification leaving, seconds later). When the condition has held
        for ``UNDRAWN`` seconds with no frame, the time it began to hold is
        the answer, and ``Frames.undrawn`` says so.
        """
        held_since: float | None = None

        def done() -> bool:
            nonlocal held_since
            if self.frames.shown_at is not None:
                return True
            condition = self.frames.condition
            if condition is None or not condition():
                held_since = None
                return False
            if held_since is None:
                held_since = time.perf_counter()
            return time.perf_counter() - held_since >= UNDRAWN

        await self.until(done, what, timeout)
        self.frames.forget()
        self.frames.undrawn = self.frames.shown_at is None
        if self.frames.shown_at is not None:
            return self.frames.shown_at
        assert held_since is not None
        return held_since

    async def quiet(self, timeout: float = 60) -> None:
        """Let the app finish what it started (the engine follower and diff poll never do)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = [
                w
                for w in self.app.workers
                if w.group not in ("events", "diff") and not w.is_finished
            ]
            if not busy:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)

    @contextlib.asynccontextmanager
    async def moment(self, what: str) -> AsyncIterator[Row]:
        """Measure the stalls, the wall time and the memory of what runs inside."""
        row = Row(what, self.label)
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()
        self.heartbeat.start()
        collections = self.collections
        assert collections is not None
        collections.pauses, collections.cpu = [], []
        if self.blame is not None:
            self.blame.counts = Counter()
        start = time.perf_counter()
        try:
            yield row
        finally:
            stalls = self.heartbeat.stop()
            pauses, collections.pauses = collections.pauses or [], None
            if self.blame is not None and self.blame.counts is not None:
                row.blame, self.blame.counts = self.blame.counts.most_common(3), None
        row.wall = (row.done_at or time.perf_counter()) - start
        row.stalls = stalls
        row.worst, row.p99 = max(stalls, default=0.0), percentile(stalls, 0.99)
        row.freezes, row.beats = sum(s > FREEZE for s in stalls), len(stalls)
        row.late = sum(s > SMOOTH for s in stalls)
        row.gc_full, row.gc_worst = len(pauses), max(pauses, default=0.0)
        row.gc_cpu = max(collections.cpu, default=0.0)
        row.rss = rss_mib()
        row.objects = len(gc.get_objects())
        row.frozen = gc.get_freeze_count()
        if tracemalloc.is_tracing():
            row.heap = tracemalloc.get_traced_memory()[1] / MiB
        self.rows.append(row)

    def key(self, key: str) -> None:
        """Press a key as the terminal would send it. (Pilot's ``press`` also waits
        until the whole process is idle, up to seconds while a worker reads the
        engine: a learner does not wait for that.)"""
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(self.app)
        self.app.post_message(event)

    def lesson(self) -> LessonScreen:
        """The lesson screen on top of the stack (a question may cover it)."""
        return next(s for s in reversed(self.app.screen_stack) if isinstance(s, LessonScreen))

    async def open_lesson(self, lesson_id: str, step_id: str = "") -> LessonScreen:
        """Open a lesson as the course screen does, once it is mounted.

        The lesson it replaces is held weakly: held here, it outlived the
        collection that frees it (``TutorApp.open_lesson``), which a learner's
        app does not hold it through.
        """
        shown = self.lesson() if isinstance(self.app.screen, LessonScreen) else None
        before = weakref.ref(shown) if shown is not None else lambda: None
        del shown
        self.app.open_lesson(lesson_id, step_id)
        await self.until(
            lambda: (
                isinstance(self.app.screen, (LessonScreen, PredictionScreen))
                and self.lesson() is not before()
                and self.lesson().is_mounted
            ),
            f"lesson {lesson_id}",
        )
        return self.lesson()

    async def predict(self, key: str) -> None:
        """Answer the question the step asks before it runs."""
        await self.until(lambda: isinstance(self.app.screen, PredictionScreen), "question", 30)
        self.key(key)
        await self.until(lambda: isinstance(self.app.screen, LessonScreen), "lesson", 30)

    async def run_step(self, lesson: LessonScreen, step: str, what: str, counted: str) -> None:
        """``t`` on the current step: a moment until the frame that shows it ran."""
        self.frames.watch(lambda: step in lesson.steps.ran)
        async with self.moment(what) as row:
            self.key("t")
            row.done_at = await self.shown(f"the end of {step}", 300)
        row.note = f"{len(lesson.steps.output)} {counted}"

    async def go_on(self) -> None:
        """Close the outcome of a step that asked a question."""
        await self.until(lambda: isinstance(self.app.screen, OutcomeScreen), "outcome", 60)
        self.key("enter")
        await self.until(lambda: not isinstance(self.app.screen, OutcomeScreen), "lesson", 30)

    # -- the moments -----------------------------------------------------------------------

    async def build_log(self) -> None:
        """Lesson 2's build step on the learner's Dockerfile, whose RUN prints many lines."""
        runner = self.app.runner
        assert runner is not None
        folder = runner.workspace.folder("build")
        folder.mkdir(parents=True, exist_ok=True)
        loop = (
            f"i=0; while [ $i -lt {self.args.lines} ]; do echo line $i of the log; i=$((i+1)); done"
        )
        # Written before the lesson opens: the tutor keeps a learner's edited file.
        dockerfile = f"FROM {self.args.busybox}\nENV SALT={self.tag}\nRUN {loop}\n"
        (folder / "Dockerfile").write_text(dockerfile)
        self.frames.watch(lambda: isinstance(self.app.screen, PredictionScreen))
        async with self.moment("lesson opened (lesson 2, until its question)") as row:
            lesson = await self.open_lesson("build")
            row.done_at = await self.shown("the question", 60)
            await self.quiet()
        await self.predict("4")
        await self.until(
            lambda: lesson.flow is not None and lesson.steps.prepared, "the lesson's files", 60
        )
        log = lesson.query_one(BuildLog)
        self.frames.watch(lambda: log.done is not None or log.error is not None)
        async with self.moment(f"build log: RUN prints {self.args.lines} lines") as row:
            self.key("t")
            row.done_at = await self.shown("the build's last line", 600)
        if log.error is not None:
            raise RuntimeError(f"the benchmark build failed: {log.error.message}")
        lines = len(log.log_view.lines)
        row.note = f"{lines} log lines in {log.flush_count} writes"
        await self.go_on()  # the step passed; on to "list the images"
        await self.predict("2")
        await self.quiet()

    async def big_diff(self) -> None:
        """Lesson 7's diff panel on a container that writes 20,000 files, then the rest."""
        container = await self.growing_diff()
        lesson = await self.reopen_on_diff(container)
        await self.scroll(lesson)
        rows = len(lesson.query_one(DiffView).change_list.changes)
        async with self.moment(f"idle {IDLE:.0f} s, the {rows}-path diff on screen") as row:
            await asyncio.sleep(IDLE)
        row.note = "the panel's poll reads the unchanged diff every second"
        await self.diff_action(lesson)

    async def growing_diff(self) -> str:
        """The diff panel while its container writes the files; the container's id.

        A method of its own: its locals (the first lesson screen, its panel) are
        gone once the lesson is opened again, as they are from a learner's app.
        """
        runner = self.app.runner
        assert runner is not None
        image, name = str(runner.params["image"]), f"{runner.params['container']}-cow"
        script = (
            f"while [ ! -e /go ]; do sleep 0.1; done; mkdir /bench && cd /bench && i=0; "
            f"while [ $i -lt {self.args.paths} ]; do : > f$i; i=$((i+1)); done; "
            f"touch /bin/busybox; rm -f /bin/vi; touch {READY}; sleep 3600"
        )
        info = await asyncio.to_thread(
            containers.run,
            self.engine,
            image,
            name=name,
            namespace=self.namespace,
            lesson="copy-on-write",
            command=["sh", "-c", script],
        )
        lesson = await self.open_lesson("copy-on-write", "read-the-diff")
        await self.predict("2")
        self.key("6")  # the diff panel (as tabs it must be in front to poll)
        # Composed when first shown, or in the frames after the lesson's first.
        await self.until(lambda: bool(lesson.query(DiffView)), "the diff panel", 30)
        panel = lesson.query_one(DiffView)
        await self.until(
            lambda: panel.diff is not None and panel.diff.container == info.id, "first diff", 60
        )
        full = FullDiff(lambda: panel, info.id)
        self.frames.watch(full)
        async with self.moment(f"diff grows to {self.args.paths} paths (poll)") as row:
            await asyncio.to_thread(self._exec, info.id, ["touch", "/go"])
            row.done_at = await self.shown("the whole diff", 900)
        count = len(panel.diff.changes) if panel.diff else 0
        row.note = f"{count} rows, {full.updates} updates; the container's writing included"
        await self.quiet()
        return info.id

    async def reopen_on_diff(self, container: str) -> LessonScreen:
        """The lesson opened again on the finished diff, the diff panel brought forward."""
        screens: list[LessonScreen] = []

        def view() -> DiffView | None:
            try:
                return screens[0].query_one(DiffView) if screens else None
            except NoMatches:
                return None

        full = FullDiff(view, container)
        self.frames.watch(full)
        async with self.moment(f"lesson opened on a {self.args.paths}-path diff") as row:
            screens.append(await self.open_lesson("copy-on-write", "read-the-diff"))
            self.key("6")
            row.done_at = await self.shown("the whole diff", 120)
            await self.quiet()
        return screens[0]

    async def scroll(self, lesson: LessonScreen) -> None:
        """End, home, pages and lines through the change list, with the learner's keys."""
        changes = lesson.query_one(DiffView).change_list
        if not changes.has_focus:
            changes.focus()
        keys = ["end", "home", *["pagedown"] * 30, "end", *["pageup"] * 10, *["up"] * 20, "end"]
        last, sent = len(changes.changes) - 1, [False]
        # The last key's frame: the list at its end, every key sent (the keys before
        # the last "end" leave the cursor elsewhere).
        self.frames.watch(lambda: sent[0] and changes.cursor == last)
        title = f"scroll the {len(changes.changes)} rows, {len(keys)} keys"
        async with self.moment(title) as row:
            for n, key in enumerate(keys):
                if n:
                    await asyncio.sleep(KEY_REPEAT)
                self.key(key)
            sent[0] = True
            row.done_at = await self.shown("the last row", 60)
        lag = row.wall - KEY_REPEAT * (len(keys) - 1)
        row.note = (
            f"a key every {KEY_REPEAT * 1000:.0f} ms; last frame {lag * 1000:.0f} ms after "
            f"the last key; {changes.rows_drawn} rows drawn in all"
        )

    async def diff_action(self, lesson: LessonScreen) -> None:
        """``t`` on the step whose action prints ``docker diff`` (one line per path)."""
        await self.run_step(
            lesson, "read-the-diff", f"diff action prints {self.args.paths} lines", "output lines"
        )
        await self.go_on()
        await self.until(lambda: isinstance(self.app.screen, PredictionScreen), "question", 30)
        self.key("escape")  # the next question: decide later
        await self.until(lambda: isinstance(self.app.screen, LessonScreen), "lesson", 30)
        await self.quiet()

    async def many_images(self, root: Path) -> None:
        """30 images: built while the app follows the engine, listed, read, cleaned up."""
        await self.build_and_list(root)
        screens: list[LessonScreen] = []

        def filled() -> bool:
            try:
                screen = screens[0]
                history = screen.query_one(HistoryTable)
                return bool(history.rows and screen.query_one(ContainersPanel).containers)
            except (IndexError, NoMatches):
                return False

        self.frames.watch(filled)
        async with self.moment("lesson opened: layers, containers, history") as row:
            screens.append(await self.open_lesson("build"))
            row.done_at = await self.shown("the panels", 120)
            await self.quiet()
        row.note = f"{len(screens[0].query_one(HistoryTable).rows)} history rows"
        if self.frames.undrawn:
            row.note += " (in tabs not shown: until the panels hold them)"
        await self.quiet()
        screens.clear()

        lesson = await self.open_lesson("clean-up")
        await self.predict("2")
        await self.until(
            lambda: lesson.flow is not None and lesson.steps.prepared, "the lesson", 60
        )
        await self.run_step(lesson, "clean", "clean-up step removes it all", "objects reported")
        await self.quiet()

    async def build_and_list(self, root: Path) -> None:
        """The images built while lesson 2 follows the engine, then its list step.

        A method of its own: the lesson screen it holds is let go before the
        lesson is opened again, as a learner's app lets it go.
        """
        lesson = await self.open_lesson("build")  # at "list the images", answered already
        await self.quiet()
        folder = root / "images"
        folder.mkdir(exist_ok=True)
        async with self.moment(f"{self.args.images} images built, the app follows") as row:
            built = await asyncio.to_thread(self._build_images, folder)
            row.done_at = time.perf_counter()
            await self.quiet()
        row.note = f"{built} built with build(); wall time is the engine's"

        await self.run_step(lesson, "list-images", "image list action (docker image ls)", "lines")
        await self.go_on()
        await self.quiet()

    # -- engine work of the benchmark itself (in threads) -------------------------------

    def _exec(self, container: str, command: list[str]) -> None:
        exec_id = self.engine.api.exec_create(container, command)["Id"]
        self.engine.api.exec_start(exec_id)

    def _build_images(self, folder: Path) -> int:
        labels = labels_for(self.namespace, "bench")
        built = 0
        for i in range(self.args.images):
            if self.stopping.is_set():
                break
            text = f"FROM {self.args.busybox}\nENV N={self.tag}-{i}\nRUN echo $N > /n\n"
            (folder / "Dockerfile").write_text(text)
            tag = f"{self.tag}-img-{i}:1"
            for event in build(self.engine, folder, tag, labels=labels, cancel=self.stopping):
                if isinstance(event, StepFinished) and not event.cached and event.image_id:
                    self.step_images.append(event.image_id)
                elif isinstance(event, BuildError):
                    self.step_images.extend(event.intermediates)
                    raise RuntimeError(f"image {i} did not build: {event.message}")
                elif isinstance(event, BuildDone):
                    built += 1
        return built


def clean_up(engine: Engine, namespace: str, sessions: list[Session]) -> list[str]:
    """Remove what the benchmark made; what is still there with its labels (none, we hope)."""
    clean(engine, namespace)
    for session in sessions:
        # Step images of unfinished builds: the benchmark's own, and those the app's
        # journal recorded (read, not saved: its folder is gone already).
        recorded = list(session.journal.step_images) if session.journal is not None else []
        forget_intermediates(engine, [*session.step_images, *recorded], namespace=namespace)
    filters = {"label": label_filters(namespace)}
    api = engine.api
    left = [f"container {c['Names'][0]}" for c in api.containers(all=True, filters=filters)]
    left += [f"image {short_id(i['Id'])}" for i in api.images(all=True, filters=filters)]
    left += [f"volume {v['Name']}" for v in api.volumes(filters=filters).get("Volumes") or []]
    left += [f"network {n['Name']}" for n in api.networks(filters=filters)]
    return left


def print_table(title: str, rows: list[Row]) -> None:
    """The figures, one moment a line."""
    heap = any(row.heap is not None for row in rows)
    print(title)
    head = (
        f"{'moment':<46} {'size':>6} {'wall s':>7} {'max ms':>7} {'p99 ms':>7} "
        f"{'>20ms':>5} {'>100ms':>6} {'GCs':>3} {'GC ms':>6} {'RSS MiB':>8} {'k objs':>6} "
        f"{'frozen':>6} {'GC cpu':>6}"
    )
    print(head + (f" {'heap MiB':>8}" if heap else "") + "  note")
    for row in rows:
        line = (
            f"{row.what:<46} {row.size:>6} {row.wall:>7.2f} {row.worst * 1000:>7.1f} "
            f"{row.p99 * 1000:>7.1f} {row.late:>5} "
            f"{row.freezes:>6} {row.gc_full:>3} "
            f"{row.gc_worst * 1000:>6.0f} {row.rss:>8.0f} {row.objects // 1000:>6} "
            f"{row.frozen // 1000:>6} "
            f"{row.gc_cpu * 1000:>6.0f}"
        )
        if heap:
            line += f" {row.heap:>8.1f}" if row.heap is not None else f" {'':>8}"
        print(f"{line}  {row.note}")
    # A short moment has too few wake-ups for its own 99th percentile to be more
    # than its longest stall: over every wake-up of a session, it says how rare they are.
    for size in dict.fromkeys(row.size for row in rows):
        every = [late for row in rows if row.size == size for late in row.stalls]
        print(
            f"every moment at {size}: {len(every)} wake-ups, p99 "
            f"{percentile(every, 0.99) * 1000:.1f} ms, longest {max(every, default=0) * 1000:.1f} "
            f"ms, {sum(late > SMOOTH for late in every)} over 20 ms, "
            f"{sum(late > FREEZE for late in every)} over 100 ms"
        )
    blamed = [row for row in rows if row.blame]
    if blamed:
        print("where the loop was while over 50 ms late (10 ms samples):")
    for row in blamed:
        places = "; ".join(f"{count}x {where}" for where, count in row.blame or [])
        print(f"  {row.what} ({row.size}): {places}")


def forget_rendering() -> None:
    """Start the next session with the memory a new process would have.

    Textual 8.2 keeps the line caches of up to 1,024 widgets, gone or not, in a
    global ``lru_cache`` (``StylesCache.get_inner_outer``, Textualize/textual#6665):
    without this the next session would carry this one's and collect longer.
    """
    with contextlib.suppress(ImportError, AttributeError):
        from textual._styles_cache import StylesCache

        StylesCache.get_inner_outer.cache_clear()
    gc.collect()


def interrupted(number: int, frame: FrameType | None) -> None:
    """A signal to stop: leave as ^C does, through the clean-up."""
    raise KeyboardInterrupt(f"signal {number}")


def parse_size(text: str) -> tuple[int, int]:
    """``160x48`` as (160, 48)."""
    width, _, height = text.partition("x")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    """Run the sessions, print a table of figures, remove what was made."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--busybox", default="layers-tutor-test/busybox:latest")
    parser.add_argument("--sizes", default="160x48,80x24", help="terminal sizes, comma separated")
    parser.add_argument("--paths", type=int, default=PATHS, help="files the container writes")
    parser.add_argument("--lines", type=int, default=LINES, help="lines the build's RUN prints")
    parser.add_argument("--images", type=int, default=IMAGES, help="images to build")
    parser.add_argument("--tracemalloc", action="store_true", help="also the Python heap peak")
    parser.add_argument("--no-encode", action="store_true", help="do not encode frames")
    parser.add_argument("--blame", action="store_true", help="sample where the loop stalls")
    args = parser.parse_args(argv)
    sizes = [parse_size(text) for text in args.sizes.split(",") if text]
    # A true-colour terminal, as the app's snapshots assume (and as most learners have):
    # the same theme and the same escape codes wherever the benchmark runs.
    os.environ.update(TERM="xterm-256color", COLORTERM="truecolor")
    for name in ("TEXTUAL_COLOR_SYSTEM", "NO_COLOR", "TEXTUAL_THEME"):
        os.environ.pop(name, None)
    engine = connect()
    try:
        engine.api.inspect_image(args.busybox)
    except docker.errors.ImageNotFound:
        hint = "run `python tests/provision.py` first"
        print(f"missing image {args.busybox}: {hint}", file=sys.stderr)
        engine.close()
        return 2
    title = (
        f"UI benchmark on Docker {engine.facts().server_version}, "
        f"Python {platform.python_version()}, Textual {textual.__version__}, "
        f"{os.cpu_count()} CPUs; heartbeat every "
        f"{PERIOD * 1000:.0f} ms; frames {'not ' if args.no_encode else ''}encoded"
    )
    if args.tracemalloc:
        tracemalloc.start()
    namespace = f"bench-{uuid.uuid4().hex[:8]}"
    sessions: list[Session] = []
    # ``kill`` too leaves through the clean-up below, as ^C does.
    previous = signal.signal(signal.SIGTERM, interrupted)
    failed: BaseException | None = None
    try:
        for size in sizes:
            session = Session(args, engine, namespace, size)
            sessions.append(session)
            with tempfile.TemporaryDirectory(prefix="ui-bench-") as folder:
                asyncio.run(session.run(Path(folder)))
            forget_rendering()
    except (Exception, KeyboardInterrupt) as exc:  # the figures so far are still printed
        failed = exc
    finally:  # exactly what this run labelled, even after a failure, ^C or kill
        left = clean_up(engine, namespace, sessions)
        engine.close()
        signal.signal(signal.SIGTERM, previous)
    print_table(title, [row for session in sessions for row in session.rows])
    print(f"clean-up of {namespace}: " + (", ".join(left) + " LEFT" if left else "nothing left"))
    if failed is not None:
        print(f"error: {type(failed).__name__}: {failed}", file=sys.stderr)
        return 130 if isinstance(failed, KeyboardInterrupt) else 1
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main())
