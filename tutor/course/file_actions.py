"""Actions on the lesson's files: write them, change them, build an image from them.

The learner's files live in the lesson's workspace folder (see
``tutor.course.workspace``), and that folder is the build context. These
actions change only files of the lesson, through the workspace, so that a
file the learner edited is never overwritten behind their back; ``build``
records what each step did in the journal, because the engine does not
remember which steps came from the cache.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from tutor.course.context import ActionDone, ActionEvent, ActionFailed, ActionOutput, Args, Context
from tutor.course.journal import BuildRecord, reference_key
from tutor.course.workspace import safe_relative
from tutor.engine.build import build
from tutor.engine.build_events import BuildDone, BuildError, BuildRetried, StepFinished
from tutor.engine.labels import labels_for
from tutor.sentence import Sentence


def write_files(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Copy the lesson's files into its folder, keeping the learner's edited copies.

    Args:
        ctx: Who and where.
        args: None are used.
        cancel: Not used: copying a few files is quick.

    Yields:
        One line per file, then ActionDone.
    """
    report = ctx.workspace.prepare(ctx.lesson, ctx.params)
    for name in report.written + report.unchanged + report.kept:
        yield ActionOutput(f"{ctx.folder / name}")
    for name in report.conflicts:
        yield ActionOutput(Sentence("action.files.kept", path=ctx.folder / name))
    yield ActionDone(Sentence("action.files.ready", folder=ctx.folder))


def edit(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Replace the first ``find`` in a lesson file by ``replace``, as the learner would.

    Args:
        ctx: Who and where.
        args: ``file``, ``find`` and ``replace``.
        cancel: Not used.

    Yields:
        ActionDone saying what changed, or ActionFailed when ``find`` is not
        there (the learner may have made the change already).
    """
    name, find, replace = str(args["file"]), str(args["find"]), str(args["replace"])
    text = ctx.workspace.read(ctx.lesson.id, name)
    if find not in text:
        yield ActionFailed(
            Sentence("action.edit.lacks", name=name, find=find), Sentence("action.changed")
        )
        return
    ctx.workspace.write(ctx.lesson.id, name, text.replace(find, replace, 1))
    if "\n" in find.strip():
        lines = find.strip().count("\n") + 1
        yield ActionDone(Sentence("action.edit.lines", count=lines, name=name))
    else:
        now = Sentence("action.edit.done", name=name, find=find.strip(), replace=replace.strip())
        yield ActionDone(now)


def move_line(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Move the line ``line`` of a lesson file so that it comes just before ``before``.

    Args:
        ctx: Who and where.
        args: ``file``, ``line`` and ``before`` (spaces around the text are ignored).
        cancel: Not used.

    Yields:
        ActionDone, or ActionFailed when either line is missing.
    """
    name, line, before = str(args["file"]), str(args["line"]).strip(), str(args["before"]).strip()
    rows = ctx.workspace.read(ctx.lesson.id, name).splitlines(keepends=True)
    stripped = [row.strip() for row in rows]
    missing = [want for want in (line, before) if want not in stripped]
    if missing:
        no_line = Sentence("action.move.lacks", name=name, line=missing[0])
        yield ActionFailed(no_line, Sentence("action.changed"))
        return
    moved = rows.pop(stripped.index(line))
    moved = moved if moved.endswith("\n") else moved + "\n"
    rows.insert([row.strip() for row in rows].index(before), moved)
    ctx.workspace.write(ctx.lesson.id, name, "".join(rows))
    yield ActionDone(Sentence("action.move.done", line=line, before=before, name=name))


def build_image(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Build an image from the lesson's folder and remember what each step did.

    Args:
        ctx: Who and where.
        args: ``tag``, and optionally ``context`` (a folder of the lesson) and
            ``dockerfile`` (a path inside it).
        cancel: Set it to stop the build promptly.

    Yields:
        The engine's build events as they come, then ActionDone (with how
        many steps came from the cache) or ActionFailed.
    """
    tag = str(args["tag"])
    context = str(args.get("context") or ".")
    folder = ctx.folder if context in (".", "./") else ctx.folder / safe_relative(context)
    dockerfile = str(args.get("dockerfile") or "Dockerfile")
    started = time.time()
    steps: list[dict[str, Any]] = []
    labels = labels_for(ctx.namespace, ctx.lesson.id)
    for event in build(
        ctx.engine, folder, tag, dockerfile=dockerfile, labels=labels, cancel=cancel
    ):
        yield event
        if isinstance(event, StepFinished):
            if not event.cached and event.image_id:
                ctx.journal.record_step_images([event.image_id])  # a crash must not lose it
            steps.append(
                {"number": event.number, "instruction": event.instruction, "cached": event.cached}
            )
        elif isinstance(event, BuildRetried):
            ctx.journal.record_step_images(event.intermediates)
            steps.clear()  # the engine reports every step again
            lost = Sentence("action.build.lost_cache", image=event.lost_image)
            yield ActionOutput(lost)
        elif isinstance(event, BuildError):
            ctx.journal.record_step_images(event.intermediates)
            yield ActionFailed(event.message, Sentence("action.build.fix"))
            return
        elif isinstance(event, BuildDone):
            record = BuildRecord(event.image_id, ctx.lesson.id, started, time.time(), steps)
            ctx.journal.record_build(reference_key(tag), record)
            cached = sum(1 for s in steps if s["cached"])
            yield ActionDone(Sentence("action.built", tag=tag, count=len(steps), cached=cached))
            return
    yield ActionFailed(Sentence("action.build.stopped"), Sentence("action.build.again"))
