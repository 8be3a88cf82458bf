"""Where a learner is in a lesson, and what may happen next: the lesson screen's state machine.

Textual-free, so it is tested like the rest of the course model: the screen
asks it which step is current, whether a prediction must come first, whether
a check result should say "not yet", and tells it what happened (a run
started or ended, a step passed). What is saved goes into the learner's
:class:`~tutor.progress.Progress`; the screen saves it and reports a failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutor.course.model import Course, Lesson, Step
from tutor.progress import Progress

#: Actions that only read what is on the engine: when the learner presses c on such a
#: step (saying they typed it), the tutor runs it too, so its output is on screen.
READ_ONLY_ACTIONS = frozenset(
    {"history", "list_images", "list_containers", "diff", "logs", "fetch"}
)


@dataclass
class StepFlow:
    """One lesson's steps for one learner.

    Attributes:
        lesson: The lesson.
        progress: The learner's progress (steps done, answers, where they are).
        index: The current step's position (``len(steps)``: the lesson is done).
        ran: Steps run in this session (by the tutor, or the learner said so with c).
        passed: Steps whose check passed in this session.
        explicit: The learner asked for this check (c or t): "not yet" is said out loud.
        running: The tutor is running the current step.
        prepared: The lesson's files are in the workspace (a run before that fails).
        run_when_prepared: t was pressed before they were: run once they are.
        failed_step: The step whose run just failed: its message stays until the next run.
        output: What the current step's run printed so far.
    """

    lesson: Lesson
    progress: Progress
    index: int = 0
    ran: set[str] = field(default_factory=set)
    passed: set[str] = field(default_factory=set)
    explicit: bool = False
    running: bool = False
    prepared: bool = False
    run_when_prepared: bool = False
    failed_step: str | None = None
    output: list[str] = field(default_factory=list)

    def start_at(self, step_id: str = "") -> None:
        """Open at ``step_id`` when it is not done yet, else at the first step not done."""
        done = set(self.progress.of(self.lesson.id).steps_done)
        ids = [s.id for s in self.lesson.steps]
        if step_id in ids and step_id not in done:
            self.index = ids.index(step_id)
        else:
            self.index = next((i for i, s in enumerate(ids) if s not in done), len(ids))

    @property
    def step(self) -> Step | None:
        """The current step, or None once the lesson is done."""
        steps = self.lesson.steps
        return steps[self.index] if self.index < len(steps) else None

    def answer(self, step: Step) -> int | None:
        """The learner's prediction for ``step``, if they gave one."""
        return self.progress.of(self.lesson.id).answers.get(step.id)

    def needs_prediction(self, step: Step) -> bool:
        """Whether ``step`` asks its question before anything else may happen."""
        return step.prediction is not None and self.answer(step) is None

    def waits(self, step: Step) -> bool:
        """A step whose check is only "answered" but that shows something: it is done
        once run (t) or once the learner says they ran it (c), not on answering."""
        return step.check.kind == "answered" and step.action is not None and step.id not in self.ran

    def enter(self) -> Step | None:
        """Make the current step the learner's place; a fresh start for its run and checks."""
        step = self.step
        if step is not None:
            self.progress.move_to(self.lesson.id, step.id)
        self.explicit, self.output, self.failed_step = False, [], None
        return step

    def record_answer(self, step: Step, choice: int) -> None:
        """Keep the learner's prediction for ``step``."""
        self.progress.record_answer(self.lesson.id, step.id, choice)

    def begin_run(self) -> None:
        """The tutor starts running the current step."""
        self.running, self.explicit, self.output, self.failed_step = True, True, [], None

    def run_ended(self, step_id: str, ok: bool) -> bool:
        """The run of ``step_id`` is over; whether it concerns the current step."""
        self.running = False
        step = self.step
        if step is None or step.id != step_id or step.action is None:
            return False
        if ok:
            self.ran.add(step.id)
        else:
            self.failed_step = step.id
        return True

    def checked_by_learner(self, step: Step) -> None:
        """The learner pressed c: they say they ran it; say "not yet" if it is not."""
        self.explicit = True
        self.ran.add(step.id)

    def shows_on_check(self, step: Step) -> bool:
        """Whether c on ``step`` runs its command too: it only reads, and its check
        cannot tell whether the learner looked (e.g. ``docker image history``)."""
        return (
            step.action is not None
            and step.action.kind in READ_ONLY_ACTIONS
            and step.check.kind == "answered"
        )

    def says_not_yet(self, step_id: str) -> bool:
        """Whether a failed check of ``step_id`` should change what the step shows.

        Not while a run shows its own progress (its check comes after), and not
        when it would hide why the last run failed.
        """
        step = self.step
        return (
            step is not None
            and step.id == step_id
            and step.id not in self.passed
            and not self.running
            and self.failed_step != step.id
        )

    def pass_step(self, step: Step) -> bool:
        """``step``'s check passed: mark it done. False when it had already passed."""
        if step.id in self.passed:
            return False
        self.passed.add(step.id)
        self.progress.mark_step_done(self.lesson.id, step.id, [s.id for s in self.lesson.steps])
        return True

    def advance(self) -> None:
        """On to the next step."""
        self.index += 1

    def next_lesson(self, course: Course) -> Lesson | None:
        """The lesson after this one in the course, if any."""
        lessons = course.lessons
        ids = [lesson.id for lesson in lessons]
        here = ids.index(self.lesson.id) if self.lesson.id in ids else len(ids)
        return lessons[here + 1] if here + 1 < len(lessons) else None

    def finish(self, course: Course) -> Lesson | None:
        """The lesson is done: the learner's place moves to the next one (returned)."""
        following = self.next_lesson(course)
        self.progress.move_to(following.id if following else self.lesson.id)
        return following

    def allows(self, action: str, course: Course) -> bool:
        """Whether a lesson key's action makes sense now (the footer hides the others)."""
        step = self.step
        if action == "run_step":
            return step is not None and step.action is not None and not self.needs_prediction(step)
        if action == "predict":
            return step is not None and step.prediction is not None and self.answer(step) is None
        if action == "next_lesson":
            return step is None and self.next_lesson(course) is not None
        if action in ("hint", "check", "copy_command"):
            return step is not None
        return True


def resume_target(course: Course, progress: Progress) -> tuple[str, str] | None:
    """The lesson and step a learner continues with (``c`` on the course screen).

    Where they left off, unless that lesson is done by now (they reopened a
    finished lesson to look at it again): then the first lesson not done
    after it, else the first not done at all. ``None`` when no lesson loaded.
    """
    lessons = course.lessons
    if not lessons:
        return None
    ids = [lesson.id for lesson in lessons]
    saved = progress.lesson if progress.lesson in ids else ""
    if saved and progress.status(saved).value != "done":
        return saved, progress.step
    start = ids.index(saved) + 1 if saved else 0
    for lesson_id in [*ids[start:], *ids[:start]]:
        if progress.status(lesson_id).value != "done":
            return lesson_id, ""
    return (saved or ids[0]), ""
