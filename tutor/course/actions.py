"""What the tutor does when the learner asks it to perform a step: one function per kind.

Every kind of ``tutor.course.vocabulary.ACTIONS`` is implemented on the engine
modules, and nothing else: a lesson can only name these kinds, none of which
runs a program on the learner's machine (``exec`` runs inside one of the
learner's own containers). Engine events (build steps, push progress) pass
through as they come; the rest is :class:`ActionOutput` lines shaped like the
docker command's own output. Every action ends with :class:`ActionDone` or
:class:`ActionFailed`; :func:`perform` never raises.

The kinds live in modules by what they act on:

* ``file_actions``: the lesson's files and the builds made from them;
* ``container_actions``: the learner's containers;
* ``registry_actions``: the registry, pushes and pulls (the push lesson);
* ``listing``: the tables ``list_images``, ``list_containers`` and ``history`` show;
* here: ``clean``, which undoes everything the tutor made.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

from tutor.course import container_actions, file_actions, registry_actions
from tutor.course.context import (
    ActionDone,
    ActionEvent,
    ActionFailed,
    ActionOutput,
    Args,
    Context,
)
from tutor.course.leftovers import forget_step_images
from tutor.course.listing import container_table, history_table, image_table
from tutor.course.model import Action
from tutor.course.params import ParamError, fill_value
from tutor.course.workspace import WorkspaceError
from tutor.engine import cleanup, registry
from tutor.engine.connection import engine_refusals
from tutor.engine.errors import EngineError, EngineRejected
from tutor.engine.printed import short_id
from tutor.sentence import Sentence

__all__ = [
    "PERFORMERS",
    "ActionDone",
    "ActionEvent",
    "ActionFailed",
    "ActionOutput",
    "Args",
    "Context",
    "Performer",
    "container_table",
    "history_table",
    "image_table",
    "perform",
]

Performer = Callable[[Context, Args, "threading.Event | None"], Iterator[ActionEvent]]


def perform(
    ctx: Context, action: Action, cancel: threading.Event | None = None
) -> Iterator[ActionEvent]:
    """Do one action for the learner, reporting as it goes.

    Args:
        ctx: Who and where.
        action: The step's action; its ``{param}``s are filled here.
        cancel: Set it to stop a build or a push promptly.

    Yields:
        Engine events and action events; the last is ActionDone or ActionFailed.
    """
    performer = PERFORMERS.get(action.kind)
    if performer is None:
        yield ActionFailed(Sentence("action.unknown", kind=action.kind), Sentence("action.yours"))
        return
    try:
        args = {k: fill_value(v, ctx.params) for k, v in action.args.items()}
        with engine_refusals():  # refusals an engine function let through
            yield from performer(ctx, args, cancel)
    except EngineRejected as exc:
        yield ActionFailed(Sentence("action.refused", explanation=exc.explanation), "")
    except EngineError as exc:
        yield ActionFailed(exc.message, exc.hint)
    except (ParamError, WorkspaceError) as exc:
        yield ActionFailed(str(exc), Sentence("action.lesson_wrong"))
    except OSError as exc:
        yield ActionFailed(
            Sentence("action.files_error", error=exc), Sentence("action.check_folder")
        )
    except Exception as exc:  # a bug must not take the app down with it
        error = f"{type(exc).__name__}: {exc}"
        yield ActionFailed(Sentence("action.bug", error=error), Sentence("action.report"))


def clean(ctx: Context, args: Args, cancel: threading.Event | None) -> Iterator[ActionEvent]:
    """Remove every container, image and registry the tutor made for this learner.

    Only objects with the learner's labels go (see ``tutor.engine.cleanup``);
    the tutor's registry goes too, so ``{registry}`` is empty again afterwards.

    Args:
        ctx: Who and where.
        args: None are used.
        cancel: Not used.

    Yields:
        One line per object removed or kept, then ActionDone.
    """
    report = cleanup.clean(ctx.engine, ctx.namespace)
    forgotten = forget_step_images(ctx.engine, ctx.journal, ctx.namespace)
    for kind, names in (
        ("container", report.containers),
        ("image", report.images),
        ("network", report.networks),
        ("volume", report.volumes),
    ):
        yield from (ActionOutput(Sentence(f"action.removed.{kind}", name=n)) for n in names)
    for image in forgotten:
        yield ActionOutput(Sentence("action.removed.step_image", name=short_id(image)))
    yield from (ActionOutput(Sentence("action.kept", why=why)) for why in report.kept)
    if registry.registry_container_name(ctx.namespace) in report.containers:
        ctx.params["registry"] = ""  # the tutor's registry is gone with everything else
    total = report.total + len(forgotten)
    yield ActionDone(Sentence("action.cleaned", count=total))


def _lines(rows: list[str], summary: str) -> Iterator[ActionEvent]:
    yield from (ActionOutput(row) for row in rows)
    yield ActionDone(summary)


PERFORMERS: dict[str, Performer] = {
    "write_files": file_actions.write_files,
    "edit": file_actions.edit,
    "move_line": file_actions.move_line,
    "build": file_actions.build_image,
    "run": container_actions.run,
    "fetch": container_actions.fetch,
    "logs": container_actions.logs,
    "list_images": lambda ctx, a, c: _lines(image_table(ctx.engine), Sentence("action.images")),
    "list_containers": lambda ctx, a, c: _lines(
        container_table(ctx.engine), Sentence("action.containers")
    ),
    "history": lambda ctx, a, c: _lines(
        history_table(ctx.engine, str(a["image"])), Sentence("action.history")
    ),
    "exec": container_actions.exec_inside,
    "diff": container_actions.show_diff,
    "start_registry": registry_actions.start_registry,
    "push": registry_actions.push_image,
    "remove_image": registry_actions.remove_image,
    "pull": registry_actions.pull,
    "stop": container_actions.stop,
    "clean": clean,
}
