"""Deciding that a step is done, from the engine's state, whoever did the step.

Every kind of ``tutor.course.vocabulary.CHECKS`` is implemented. A check
looks at the engine (images, containers, the registry), at the lesson's
workspace files, and, only where the engine cannot tell, at the runner's
journal. So a step the learner does in another terminal passes as well as one
the tutor performed. A check never raises: an engine error (including
``EngineUnreachable``, for which the app shows its banner) is a failed check
whose detail is the error's message.

The kinds live in modules by what they look at:

* here: the lesson's files and the learner's answers;
* ``image_checks``: images and the layers they share (``built_from``: an
  image built outside the tutor is the lesson's Dockerfile's);
* ``cache_checks``: which build steps came from the build cache;
* ``container_checks``: containers, their pages, output and changes, and
  that nothing is left at the end;
* ``registry_checks``: the registry and what pushes sent.
"""

from __future__ import annotations

from tutor.course import (
    built_from,
    cache_checks,
    container_checks,
    image_checks,
    registry_checks,
)
from tutor.course.cache_checks import created_at
from tutor.course.context import Args, CheckResult, Context, Decider
from tutor.course.model import Step
from tutor.course.params import ParamError, fill_value
from tutor.course.registry_checks import find_registry
from tutor.engine.connection import engine_refusals
from tutor.engine.errors import EngineError, EngineRejected
from tutor.sentence import Sentence

__all__ = ["DECIDERS", "CheckResult", "Decider", "created_at", "decide", "find_registry"]


def decide(ctx: Context, step: Step) -> CheckResult:
    """Run the step's check.

    Args:
        ctx: Who and where.
        step: The step; its check's ``{param}``s are filled here.

    Returns:
        The result; engine errors come back as a failed result, never raised.
    """
    decider = DECIDERS.get(step.check.kind)
    if decider is None:
        return CheckResult(False, Sentence("check.unknown", kind=step.check.kind))
    try:
        args = {k: fill_value(v, ctx.params) for k, v in step.check.args.items()}
        with engine_refusals():  # refusals an engine function let through
            return decider(ctx, step, args)
    except EngineRejected as exc:
        return CheckResult(False, Sentence("check.engine_said", explanation=exc.explanation))
    except EngineError as exc:
        return CheckResult(False, exc.message)
    except (ParamError, OSError, ValueError) as exc:
        return CheckResult(False, str(exc))
    except Exception as exc:  # a bug must not take the app down with it
        error = f"{type(exc).__name__}: {exc}"
        return CheckResult(False, Sentence("check.failed", error=error))


def _files_written(ctx: Context, step: Step, args: Args) -> CheckResult:
    missing = [n for n in args["files"] if not ctx.workspace.path(ctx.lesson.id, n).is_file()]
    files = ", ".join(missing)
    missed = Sentence("check.files_missing", count=len(missing), files=files, folder=ctx.folder)
    return CheckResult.of(not missing, missed)


def _file_contains(ctx: Context, step: Step, args: Args) -> CheckResult:
    name, text = str(args["file"]), str(args["text"])
    try:
        found = text in ctx.workspace.read(ctx.lesson.id, name)
    except FileNotFoundError:
        return CheckResult(False, Sentence("check.file_missing", name=name, folder=ctx.folder))
    return CheckResult.of(found, Sentence("check.file_lacks", name=name, text=text.strip()))


def _answered(ctx: Context, step: Step, args: Args) -> CheckResult:
    answer = ctx.journal.answer(ctx.lesson.id, step.id)
    first, answered = Sentence("check.answer_first"), Sentence("check.answered")
    return CheckResult.of(answer is not None, first, answered)


DECIDERS: dict[str, Decider] = {
    "files_written": _files_written,
    "file_contains": _file_contains,
    **image_checks.DECIDERS,
    **built_from.DECIDERS,  # image_exists with a dockerfile
    **cache_checks.DECIDERS,
    **container_checks.DECIDERS,
    **registry_checks.DECIDERS,
    "answered": _answered,
}
