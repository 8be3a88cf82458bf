"""The course runner the app uses: one learner, one engine, every lesson.

It composes the parts: the session's parameters (``params``), the learner's
files (``workspace``), the record of what happened (``journal``), what the
tutor does for the learner (``actions``) and how a step is decided done
(``checks``). It imports no Textual; the app calls it from thread workers.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path

from tutor.course.actions import (
    ActionDone,
    ActionEvent,
    ActionFailed,
    ActionOutput,
    Context,
    perform,
)
from tutor.course.checks import CheckResult, decide, find_registry
from tutor.course.engine_facts import engine_facts
from tutor.course.journal import Journal
from tutor.course.lost_containers import start_again
from tutor.course.model import Course, Lesson, Step, Value
from tutor.course.params import ParamError, created_params, fill
from tutor.course.workspace import Workspace
from tutor.engine.connection import Engine
from tutor.engine.errors import EngineError
from tutor.sentence import Sentence

__all__ = [
    "ActionDone",
    "ActionEvent",
    "ActionFailed",
    "ActionOutput",
    "CheckResult",
    "LessonRunner",
]


class LessonRunner:
    """Performs and checks the steps of a course for one learner.

    Args:
        engine: The learner's engine.
        course: The loaded course.
        params: The session's parameters (see ``tutor.course.params.resolve``).
        workspace: The workspace root; each lesson gets a folder under it.
        namespace: The learner's namespace (labels and names).
        journal: The runner's record, loaded from the learner's data folder.
    """

    def __init__(
        self,
        engine: Engine,
        course: Course,
        *,
        params: Mapping[str, Value],
        workspace: Path,
        namespace: str,
        journal: Journal,
    ) -> None:
        self.engine = engine
        self.course = course
        self.params: dict[str, Value] = dict(params)
        self.workspace = Workspace(workspace)
        self.namespace = namespace
        self.journal = journal
        self._lock = threading.Lock()
        names = {k: self.params[k] for k in created_params(course) if k in self.params}
        if any(journal.params.get(k) != v for k, v in names.items()):
            journal.params.update(names)  # keep the names stable in later sessions
            journal.save()

    def context(self, lesson: Lesson) -> Context:
        """What actions and checks of ``lesson`` work on."""
        ctx = Context(
            self.engine, lesson, self.params, self.workspace, self.namespace, self.journal
        )
        self._find_registry(ctx)
        return ctx

    def command_for(self, step: Step) -> str:
        """The command the learner would type for ``step``, parameters filled in.

        An unknown placeholder (a lesson bug the validator reports) is left as
        written rather than hiding the step.
        """
        try:
            return fill(step.command, self.params)
        except ParamError:
            return step.command

    def prepare(self, lesson: Lesson) -> list[str]:
        """Copy the lesson's files into its workspace folder, keeping the learner's edits.

        A lesson that has a ``write_files`` step leaves the copying to that
        step (its check must not pass before it). The parameters read from
        the engine (:mod:`tutor.course.engine_facts`) are read again first,
        so the lesson's text describes the engine as it is now.

        Returns:
            One sentence per file that was not written because the learner
            changed it (their copy is kept), for the app to show.
        """
        with contextlib.suppress(EngineError):  # the text keeps "?"; the banner says why
            # The base may have come since the session began (lesson 2's build pulls it).
            self.params.update(engine_facts(self.engine, self.params))
        if any(s.action is not None and s.action.kind == "write_files" for s in lesson.steps):
            return []
        report = self.workspace.prepare(lesson, self.params)
        folder = self.workspace.folder(lesson.id)
        return [Sentence("runner.kept", name=name, folder=folder) for name in report.conflicts]

    def perform(
        self, lesson: Lesson, step: Step, cancel: threading.Event | None = None
    ) -> Iterator[ActionEvent]:
        """Do the step for the learner (see ``tutor.course.actions``); never raises.

        Yields:
            Build and push events, output lines, then ActionDone or ActionFailed.
        """
        if step.action is None:
            yield ActionFailed(Sentence("runner.not_doable"), Sentence("runner.not_doable.hint"))
            return
        ctx = self.context(lesson)
        # A container an earlier, saved step started may be gone (quit, docker rm):
        # that step is done again first, so the lesson can go on.
        failed = False
        with contextlib.suppress(EngineError):  # the step's own action says so
            for event in start_again(ctx, step, cancel):
                failed = isinstance(event, ActionFailed)
                yield event
        if not failed:
            yield from perform(ctx, step.action, cancel)

    def check(self, lesson: Lesson, step: Step) -> CheckResult:
        """Decide from the engine (and the journal) whether the step is done; never raises."""
        try:
            ctx = self.context(lesson)
        except EngineError as exc:
            return CheckResult(False, exc.message)
        return decide(ctx, step)

    def record_answer(self, lesson: Lesson, step: Step, choice: int) -> None:
        """Remember the learner's prediction (0-based choice) for the ``answered`` check."""
        self.journal.record_answer(lesson.id, step.id, choice)

    def _find_registry(self, ctx: Context) -> None:
        """Use a registry started earlier (by the tutor, or by the learner in a terminal)."""
        if self.params.get("registry") != "" or not _uses_registry(ctx.lesson):
            return
        with self._lock, contextlib.suppress(EngineError):
            self.params["registry"] = find_registry(ctx)


def _uses_registry(lesson: Lesson) -> bool:
    """Whether a lesson pushes, pulls or asks a registry (only then is one looked for)."""
    kinds = {s.action.kind for s in lesson.steps if s.action} | {s.check.kind for s in lesson.steps}
    return bool(kinds & REGISTRY_KINDS)


REGISTRY_KINDS = {"start_registry", "push", "pull", "registry_ready", "registry_has", "push_reused"}
