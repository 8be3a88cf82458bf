"""How the course's heavy moments cost, measured on the real engine through the runner's actions.

Run ``python benchmarks/course_bench.py`` (fixture images from
``tests/provision.py`` must exist). Three moments a learner can cause:

* a ``docker diff`` of 20,000 paths, as the lesson's ``diff`` action shows it
  (one output line per path, each with the layer it came from);
* a build whose ``RUN`` prints 2,000 lines: the engine alone, the tutor's
  ``build()`` and the lesson's ``build`` action (which also keeps the journal),
  and the stream parser on its own;
* 30 images: built through ``build()``, listed, their stacks read and compared,
  30 failed builds' step images forgotten, and all of it cleaned.

It prints figures only (timings depend on the machine), and removes what it made.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tutor.course.actions import ActionOutput, perform
from tutor.course.context import Context
from tutor.course.journal import Journal
from tutor.course.listing import image_table
from tutor.course.loader import default_course_root, load_course
from tutor.course.model import Action
from tutor.course.workspace import Workspace
from tutor.engine.build import build
from tutor.engine.build_events import BuildError
from tutor.engine.build_leftovers import forget_intermediates
from tutor.engine.build_stream import BuildStreamParser
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine, connect
from tutor.engine.containers import run
from tutor.engine.labels import labels_for
from tutor.engine.layers import layers
from tutor.engine.sharing import shared

PATHS, LINES, IMAGES = 20_000, 2_000, 30
Rows = list[tuple[str, float, str]]


def timed(action: Callable[[], Any], repeat: int = 1) -> tuple[float, Any]:
    """Median seconds of ``repeat`` runs of ``action``, and its last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def context(engine: Engine, lesson_id: str, namespace: str, root: Path) -> Context:
    """What a lesson's action works on, as the runner would hand it over."""
    course = load_course(default_course_root())
    lesson = next(lesson for lesson in course.lessons if lesson.id == lesson_id)
    journal = Journal.load(root / "journal.json")
    return Context(engine, lesson, dict(course.params), Workspace(root / "ws"), namespace, journal)


def act(ctx: Context, kind: str, **args: Any) -> list[Any]:
    return list(perform(ctx, Action(kind, args)))


def wait_ready(engine: Engine, container: str) -> None:
    """Until the container's script has written every file (``/ready`` exists)."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        exec_id = engine.api.exec_create(container, ["test", "-e", "/ready"])["Id"]
        engine.api.exec_start(exec_id)
        if engine.api.exec_inspect(exec_id)["ExitCode"] == 0:
            return
        time.sleep(0.2)
    raise SystemExit("the benchmark container did not finish its script in 5 minutes")


def bench_diff(engine: Engine, busybox: str, namespace: str, root: Path, rows: Rows) -> None:
    """The lesson's ``diff`` action over a container that added 20,000 files."""
    script = (
        f"mkdir /bench && cd /bench && i=0; while [ $i -lt {PATHS} ]; do : > f$i; i=$((i+1)); "
        "done; rm /bin/vi; touch /bin/busybox /ready; sleep 3600"
    )
    info = run(engine, busybox, name=f"{namespace}-diff", namespace=namespace,
               lesson="bench", command=["sh", "-c", script])  # fmt: skip
    wait_ready(engine, info.id)
    ctx = context(engine, "copy-on-write", namespace, root)
    seconds, raw = timed(lambda: engine.api.diff(info.id), repeat=3)
    rows.append(("docker diff (engine only)", seconds, f"{len(raw)} entries"))
    seconds, events = timed(lambda: act(ctx, "diff", container=info.id))
    lines = sum(isinstance(e, ActionOutput) for e in events)
    rows.append(("diff action, first (layers indexed)", seconds, f"{lines} output lines"))
    seconds, events = timed(lambda: act(ctx, "diff", container=info.id), repeat=3)
    rows.append(("diff action, again", seconds, f"{lines} output lines"))


def bench_build_log(engine: Engine, busybox: str, namespace: str, root: Path, rows: Rows) -> None:
    """A RUN that prints 2,000 lines: the engine alone, build(), the lesson's action, the parser."""
    ctx = context(engine, "build", namespace, root)
    folder = ctx.folder
    folder.mkdir(parents=True, exist_ok=True)
    loop = f"i=0; while [ $i -lt {LINES} ]; do echo line $i of the log; i=$((i+1)); done"

    def write(salt: str) -> None:
        (folder / "Dockerfile").write_text(f"FROM {busybox}\nENV SALT={salt}\nRUN {loop}\n")

    write(f"{namespace}-raw")
    raw: list[dict[str, Any]] = []
    seconds, _ = timed(lambda: raw.extend(engine.api.build(path=str(folder), decode=True,
                                                           rm=True, forcerm=True)))  # fmt: skip
    rows.append((f"engine build, {LINES}-line RUN (raw stream)", seconds, f"{len(raw)} events"))
    write(f"{namespace}-build")
    labels = labels_for(namespace, "bench")
    seconds, events = timed(
        lambda: list(build(engine, folder, f"{namespace}-log:1", labels=labels))
    )
    rows.append(("build() of the same", seconds, f"{len(events)} build events"))
    write(f"{namespace}-action")
    seconds, events = timed(lambda: act(ctx, "build", tag=f"{namespace}-log:2"))
    rows.append(("lesson build action (with journal)", seconds, f"{len(events)} events"))

    def parse() -> int:
        parser = BuildStreamParser()
        return sum(len(parser.feed(event)) for event in raw)

    seconds, count = timed(parse, repeat=5)
    rows.append(("parser alone on the raw stream", seconds, f"{count} events"))
    unlabelled = BuildStreamParser()  # the raw build made images without our labels
    for event in raw:
        unlabelled.feed(event)
    forget_intermediates(engine, [*unlabelled.made, unlabelled.image_id or ""])


def bench_images(engine: Engine, busybox: str, namespace: str, root: Path, rows: Rows) -> None:
    """30 labelled images: build, list, read, compare; 30 failed builds; clean it all."""
    folder = root / "images"
    folder.mkdir()
    tags = [f"{namespace}-img-{i}:1" for i in range(IMAGES)]
    labels = labels_for(namespace, "bench")

    def build_all(salt: str, last: str) -> list[Any]:
        out = []
        for i, tag in enumerate(tags):
            text = f"FROM {busybox}\nENV N={namespace}-{salt}-{i}\n{last}\n"
            (folder / "Dockerfile").write_text(text)
            out.append(list(build(engine, folder, tag, labels=labels))[-1])
        return out

    seconds, _ = timed(lambda: build_all("ok", "RUN echo $N > /n"))
    rows.append((f"build() {IMAGES} images", seconds, f"{seconds / IMAGES:.3f} s each"))
    seconds, table = timed(lambda: image_table(engine), repeat=3)
    rows.append(("image_table (docker image ls)", seconds, f"{len(table) - 1} rows"))
    seconds, _ = timed(lambda: [layers(engine, tag) for tag in tags])
    rows.append((f"layers() of {IMAGES} images", seconds, "stacks with history"))
    seconds, found = timed(lambda: shared(engine, tags))
    rows.append((f"shared() across {IMAGES}", seconds, f"{len(found.shared_chain_ids)} shared"))
    failed = build_all("failed", "RUN exit 1")
    ids = [i for e in failed if isinstance(e, BuildError) for i in e.intermediates]
    seconds, report = timed(lambda: clean(engine, namespace))
    rows.append((f"clean() of {report.total} objects", seconds, f"kept {len(report.kept)}"))
    seconds, gone = timed(lambda: forget_intermediates(engine, ids, namespace=namespace))
    rows.append((f"forget_intermediates({len(ids)} ids)", seconds, f"{len(gone)} removed"))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print a table of figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--busybox", default="layers-tutor-test/busybox:latest")
    args = parser.parse_args(argv)
    engine = connect()
    version = engine.facts().server_version
    namespace = f"bench{uuid.uuid4().hex[:8]}"
    rows: Rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="course-bench-") as folder:
            root = Path(folder)
            bench_diff(engine, args.busybox, namespace, root, rows)
            bench_build_log(engine, args.busybox, namespace, root, rows)
            bench_images(engine, args.busybox, namespace, root, rows)
    finally:  # exactly what this run labelled, even after a failure
        clean(engine, namespace)
        engine.close()
    print(f"course benchmark on Docker {version}")
    print(f"{'what':<46} {'seconds':>9}  note")
    for what, seconds, note in rows:
        print(f"{what:<46} {seconds:>9.4f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
