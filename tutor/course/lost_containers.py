"""Starting again the container an earlier step of the lesson made, when it is gone.

The progress file can say a ``run`` step is done while its container is gone
or stopped: quitting (q, SIGTERM, a hang-up) removes the containers the
session started, a learner may ``docker rm`` one by hand, and a restart after
a crash finds whatever the engine kept. A later step of that lesson (visit
the page, exec, diff, logs) would then fail on every t, and the lesson could
not go on. Before such a step, the run step that made the container is done
again, exactly as written in the lesson, and the learner is told so.

Only the lesson's own run steps are redone, and ``run`` replaces only the
learner's own containers (``tutor.engine.containers.run``), so nothing
another learner or the machine's owner has is touched. A container that is
there and running is never replaced.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

from tutor.course.actions import perform
from tutor.course.container_actions import run_names
from tutor.course.context import ActionDone, ActionEvent, ActionFailed, ActionOutput, Context
from tutor.course.filling import ParamError, fill_value
from tutor.course.model import Step
from tutor.engine.container_info import container_info
from tutor.sentence import Sentence

#: Actions that need a container of the lesson, and the argument naming it.
NEEDS_CONTAINER = {kind: "container" for kind in ("fetch", "logs", "exec", "diff")}
#: Of those, the ones that need it running (logs and diff read a stopped one too).
NEEDS_RUNNING = {"fetch", "exec"}


def start_again(ctx: Context, step: Step, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Redo the lesson's run step whose container ``step`` needs, when it is gone.

    Args:
        ctx: Who and where (the lesson is ``ctx.lesson``).
        step: The step about to be done.
        cancel: Passed on to the run action.

    Yields:
        Nothing when the container is there (or the step needs none); else the
        run's output and a sentence saying the container was started again,
        or the run's ActionFailed (then the step itself must not be done).

    Raises:
        EngineError: the engine cannot be asked (the step's own action says so too).
    """
    needed = _needed(ctx, step)
    if needed is None or step.action is None:
        return
    info = container_info(ctx.engine, needed)
    if info is not None and (info.status == "running" or step.action.kind not in NEEDS_RUNNING):
        return
    maker = _run_step_for(ctx, step, needed)
    if maker is None or maker.action is None:
        return
    for event in perform(ctx, maker.action, cancel):
        if isinstance(event, ActionFailed):
            yield event
            return
        if not isinstance(event, ActionDone):
            yield event
    yield ActionOutput(Sentence("runner.container_again", name=needed))


def _needed(ctx: Context, step: Step) -> str | None:
    if step.action is None or step.action.kind not in NEEDS_CONTAINER:
        return None
    value = step.action.args.get(NEEDS_CONTAINER[step.action.kind])
    try:
        return None if value is None else str(fill_value(value, ctx.params))
    except ParamError:
        return None


def _run_step_for(ctx: Context, step: Step, name: str) -> Step | None:
    """The last run step before ``step`` in the lesson that names ``name``."""
    steps = ctx.lesson.steps
    for earlier in reversed(steps[: steps.index(step)] if step in steps else []):
        action = earlier.action
        if action is None or action.kind != "run":
            continue
        try:
            base = str(fill_value(action.args["name"], ctx.params))
            count = int(str(action.args.get("count") or 1))
        except (KeyError, ParamError, ValueError):
            continue
        if name in run_names(base, count):
            return earlier
    return None
