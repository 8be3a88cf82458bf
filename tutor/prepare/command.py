"""``python -m tutor prepare [--load FILE] [--build-local] [--save FILE]``, for a terminal.

Prints each stage as it happens (pull progress on one line that redraws
when the output is a terminal), then what was missing, what was done to
each image and how long it took. Exit status 0 when the course can be done
on this engine, 1 when an image is still missing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping
from pathlib import Path

from tutor import settings
from tutor.course.loader import default_course_root, load_course
from tutor.engine import images
from tutor.engine.connection import connect
from tutor.engine.images import Transfer
from tutor.prepare import plan
from tutor.prepare.needs import images_needed


def run_prepare(
    *,
    course_root: Path | None,
    params: Mapping[str, str],
    save: Path | None = None,
    load: Path | None = None,
    build_local: bool = False,
) -> int:
    """Make the course's images present; see the module docstring.

    Raises:
        EngineError: the engine cannot be reached (the command line reports it).
    """
    course = load_course(course_root or default_course_root())
    try:
        _, values = settings.effective(course.params, params)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = connect()
    started = time.monotonic()
    try:
        loaded: list[str] = []
        if load is not None:
            _say(f"loading {load}")
            loaded = images.load(engine, load)
        needed = images_needed(course, values)
        report = plan.prepare(
            engine, needed, build_local=build_local, say=_say, on_transfer=_transfer
        )
        report.loaded = loaded
        if report.settings:
            path = settings.update(report.settings)
            values.update(report.settings)
            _say(f"saved {', '.join(f'{k} = {v}' for k, v in report.settings.items())} in {path}")
        if save is not None and report.ready:
            names = [o.image for o in report.outcomes]
            _say(f"saving {len(names)} image(s) into {save}")
            size = images.save(engine, names, save)
            _say(f"wrote {save} ({size / 1e6:.1f} MB)")
    finally:
        engine.close()
    print(render(report, time.monotonic() - started))
    if save is not None and not report.ready:
        print(f"{save} was not written: an image is missing.", file=sys.stderr)
    return 0 if report.ready else 1


def render(report: plan.Report, seconds: float) -> str:
    """The report as a few readable lines."""
    lines = []
    if report.loaded:
        lines.append(f"Loaded from the archive: {', '.join(sorted(report.loaded))}")
    absent = [o for o in report.outcomes if o.state != plan.PRESENT or o.image != o.needed.image]
    lines.append(
        f"The course needs {len(report.outcomes)} image(s); "
        f"{len(absent)} of them were not on the engine."
    )
    width = max((len(o.needed.image) for o in report.outcomes), default=10)
    for o in report.outcomes:
        used = f" -> {o.image}" if o.image != o.needed.image else ""
        lines.append(
            f"  {o.state:8} {o.needed.image.ljust(width)}{used}  {o.detail} ({o.seconds:.1f} s)"
        )
        if o.state == plan.MISSING and o.hint:
            lines.append(f"           {o.hint}")
    verdict = "ready for the course" if report.ready else "NOT ready: an image is missing"
    lines.append(f"Done in {seconds:.1f} s: this engine is {verdict}.")
    return "\n".join(lines)


def _say(text: str) -> None:
    _end_progress()
    print(f"prepare: {text}", file=sys.stderr, flush=True)


_progress_shown = False


def _transfer(t: Transfer) -> None:
    global _progress_shown
    if not sys.stderr.isatty() or not t.total:
        return
    _progress_shown = True
    percent = 100 * t.done / t.total
    print(f"\r  {t.image}: {t.done / 1e6:6.1f} / {t.total / 1e6:.1f} MB ({percent:3.0f} %)",
          end="", file=sys.stderr, flush=True)  # fmt: skip


def _end_progress() -> None:
    global _progress_shown
    if _progress_shown:
        print(file=sys.stderr)
        _progress_shown = False
