"""The step flow of the lesson screen: predictions, checks and moving on.

A step is decided by its check on the engine, run in a thread worker; a step
with a prediction asks it first and shows the outcome after. The panels and
the tutor's runs of a step live in :mod:`tutor.screens.lesson_engine`, the
layout in :mod:`tutor.screens.lesson`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual import on, work
from textual.await_complete import AwaitComplete

from tutor.course.model import Lesson, Step
from tutor.course.runner import CheckResult
from tutor.course.vocabulary import fill_known
from tutor.engine.errors import EngineError
from tutor.i18n import say
from tutor.messages import StepChecked
from tutor.screens.keys import TranslatedKeys
from tutor.screens.panel_data import PanelTargets
from tutor.screens.prediction import OutcomeScreen, PredictionScreen
from tutor.widgets.step_panel import StepPanel, StepState, StepView

if TYPE_CHECKING:
    from tutor.app import TutorApp
    from tutor.course.runner import LessonRunner


class LessonSteps(TranslatedKeys[None]):
    """The lesson screen's steps (the screen itself is :class:`~tutor.screens.lesson.LessonScreen`).

    Args:
        lesson: The lesson.
        step_id: The step to start at ("" for the first one not done).
    """

    def __init__(self, lesson: Lesson, step_id: str = "") -> None:
        super().__init__()
        self.lesson = lesson
        self.index = 0
        self.wide = False
        #: The lesson's prose in the learner's language, once the screen has said it.
        self._prose: str | None = None
        self.ran: set[str] = set()
        self.passed: set[str] = set()
        self.explicit = False
        self.running = False
        #: The lesson's files are in the workspace (a run before that would fail).
        self.prepared = False
        #: t was pressed before they were: run the step once they are.
        self.run_when_prepared = False
        #: The step whose run just failed: its message stays until the next run.
        self.failed_step: str | None = None
        self.output: list[str] = []
        self.files: dict[str, str] = {}
        self.start_step = step_id
        self._checking = self._check_again = False
        self._loading = self._load_again = False
        self._diff_reading = False
        self._targets = PanelTargets()
        self._shown: dict[str, Any] = {}

    @property
    def tutor(self) -> TutorApp:
        """The app, typed."""
        return cast("TutorApp", self.app)

    def _start_at(self, step_id: str) -> None:
        done = set(self.tutor.progress.of(self.lesson.id).steps_done)
        ids = [s.id for s in self.lesson.steps]
        if step_id in ids and step_id not in done:
            self.index = ids.index(step_id)
        else:
            self.index = next((i for i, s in enumerate(ids) if s not in done), len(ids))

    def _fill(self, text: str) -> str:
        return fill_known(text, self.tutor.current_params)

    def _step(self) -> Step | None:
        steps = self.lesson.steps
        return steps[self.index] if self.index < len(steps) else None

    def _view(self, step: Step) -> StepView:
        words = step.words(self.tutor.language)
        runner = self.tutor.runner
        command = runner.command_for(step) if runner else self._fill(step.command)
        return StepView(
            number=self.index + 1,
            total=len(self.lesson.steps),
            title=self._fill(words.title),
            body=self._fill(words.body),
            command=command,
            can_run=step.action is not None,
            hints=tuple(self._fill(hint) for hint in words.hints),
        )

    def _answer(self, step: Step) -> int | None:
        return self.tutor.progress.of(self.lesson.id).answers.get(step.id)

    def _needs_prediction(self, step: Step) -> bool:
        return step.prediction is not None and self._answer(step) is None

    def _waits(self, step: Step) -> bool:
        """A step whose check is only "answered" but that shows something: it is done
        once run (t) or once the learner says they ran it (c), not on answering."""
        return step.check.kind == "answered" and step.action is not None and step.id not in self.ran

    def _enter_step(self) -> None:
        step = self._step()
        if step is None:
            self._show_complete()
            return
        self.tutor.progress.move_to(self.lesson.id, step.id)
        self.tutor.save_progress()
        self.explicit, self.output, self.failed_step = False, [], None
        panel = self.query_one(StepPanel)
        drawn = panel.show(self._view(step))
        self.refresh_bindings()
        if self._needs_prediction(step):
            panel.set_state(StepState.PREDICT_FIRST)
            self.call_next(self._predict_when_drawn, drawn)
        else:
            self._ready(step)
        self.refresh_panels()

    def _ready(self, step: Step) -> None:
        """The step can be decided now: check it, unless it waits for a run."""
        answer, journal = self._answer(step), self.tutor.journal
        if answer is not None and journal.answer(self.lesson.id, step.id) is None:
            self._record(step, answer)  # the journal was reset; the progress remembers
        panel = self.query_one(StepPanel)
        if self.tutor.runner is None:
            panel.set_state(StepState.OFFLINE)
            return
        if self._waits(step):
            panel.set_state(StepState.RUN_OR_CHECK)
        else:
            panel.set_state(StepState.WAITING)
            self.check_step()

    def _record(self, step: Step, choice: int) -> None:
        self.tutor.progress.record_answer(self.lesson.id, step.id, choice)
        self.tutor.save_progress()
        try:
            self.tutor.journal.record_answer(self.lesson.id, step.id, choice)
        except OSError as exc:
            self.notify(
                say(self.tutor.language, "step.saved", error=exc), severity="error", markup=False
            )

    def check_step(self) -> None:
        """Check the current step on the engine; one check at a time, and a request
        that comes during a check runs once it is over (events come in bursts)."""
        runner, step = self.tutor.runner, self._step()
        if runner is None or step is None:
            return
        if self._checking:
            self._check_again = True
            return
        self._checking, self._check_again = True, False
        self._check_worker(runner, step)

    @work(thread=True, exclusive=True, group="check")
    def _check_worker(self, runner: LessonRunner, step: Step) -> None:
        try:
            result = runner.check(self.lesson, step)
        except EngineError as exc:
            result = CheckResult(False, exc.message)
        self.post_message(StepChecked(self.lesson.id, step.id, result))

    @on(StepChecked)
    def _checked(self, message: StepChecked) -> None:
        self._checking = False
        step = self._step()
        if step is not None and message.step_id == step.id and message.result.passed:
            self._passed(step, message.result)
            return
        if (
            step is not None
            and message.step_id == step.id
            and step.id not in self.passed
            and not self.running  # the run shows its own progress; its check comes after
            and self.failed_step != step.id  # "not yet" must not hide why the run failed
        ):
            state = StepState.NOT_YET if self.explicit else StepState.WAITING
            self.query_one(StepPanel).set_state(state, message.result.detail)
        if self._check_again:
            self.check_step()

    def _passed(self, step: Step, result: CheckResult) -> None:
        if step.id in self.passed:
            return
        self.passed.add(step.id)
        lang, ids = self.tutor.language, [s.id for s in self.lesson.steps]
        self.tutor.progress.mark_step_done(self.lesson.id, step.id, ids)
        self.tutor.save_progress()
        self.query_one(StepPanel).set_state(StepState.PASSED)
        words = step.words(lang)
        if step.prediction is None:
            if words.explanation.strip():
                title = f"✔ {self._fill(words.title)}"
                self.notify(self._fill(words.explanation), title=title, timeout=8, markup=False)
            self._advance()
            return
        outcome = OutcomeScreen(
            self._fill(words.question),
            [self._fill(choice) for choice in words.choices],
            chosen=self._answer(step),
            answer=step.prediction.answer,
            explanation=self._fill(words.explanation),
            happened=what_happened(step, result),
            language=lang,
        )
        self.app.push_screen(outcome, lambda _: self._advance())

    def _advance(self) -> None:
        self.index += 1
        self._enter_step()

    def _next_lesson(self) -> Lesson | None:
        lessons = self.tutor.course.lessons
        ids = [lesson.id for lesson in lessons]
        here = ids.index(self.lesson.id) if self.lesson.id in ids else len(ids)
        return lessons[here + 1] if here + 1 < len(lessons) else None

    def _show_complete(self) -> None:
        following = self._next_lesson()
        self.tutor.progress.move_to(following.id if following else self.lesson.id)
        self.tutor.save_progress()
        key = "lesson.complete" if following else "lesson.last"
        self.query_one(StepPanel).show_finished(say(self.tutor.language, key))
        self.refresh_bindings()

    async def _predict_when_drawn(self, drawn: AwaitComplete) -> None:
        """Ask once the step's text is on screen: the question covers the lesson,
        and a screen under a modal keeps the picture it had when covered."""
        await drawn
        self.call_after_refresh(self.action_predict)

    def action_predict(self) -> None:
        """Answer the step's prediction question (asked before the step runs)."""
        step = self._step()
        if step is None or step.prediction is None or isinstance(self.app.screen, PredictionScreen):
            return  # the question is already asked
        lang = self.tutor.language
        words = step.words(lang)

        def answered(choice: int | None) -> None:
            if choice is None or self._step() is not step:
                return
            self._record(step, choice)
            self.refresh_bindings()
            self._ready(step)

        question = PredictionScreen(
            self._fill(words.question), [self._fill(c) for c in words.choices], lang
        )
        self.app.push_screen(question, answered)

    def action_check(self) -> None:
        """Check the step now (e.g. after running its command in another terminal)."""
        step = self._step()
        if step is None:
            return
        if self.tutor.runner is None:
            self.notify(say(self.tutor.language, "step.offline"), severity="warning", markup=False)
            return
        if self._needs_prediction(step):
            self.action_predict()
            return
        self.explicit = True
        self.ran.add(step.id)  # the learner says they ran it themselves
        self.query_one(StepPanel).set_state(StepState.CHECKING)
        self.check_step()

    def refresh_panels(self) -> None:
        """Read the panels' engine state again (see ``LessonEngineWork``)."""

    def show_pane(self, name: str | None, *, focus: bool = False) -> None:
        """Bring a pane forward (see ``LessonScreen``)."""


def what_happened(step: Step, result: CheckResult) -> str:
    """The check's own words about what it found, when they say more than "done"."""
    plain = CheckResult.of(True, "").detail
    return "" if step.check.kind == "answered" or result.detail == plain else result.detail
