"""Playing lessons through the real runner, as the app does when the learner presses t."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tutor.course.actions import ActionDone, ActionOutput
from tutor.course.journal import Journal
from tutor.course.loader import default_course_root, load_course
from tutor.course.model import Course
from tutor.course.params import ResolvedParams, resolve
from tutor.course.runner import ActionEvent, LessonRunner
from tutor.engine.connection import Engine


def course_with(images: dict[str, str]) -> Course:
    """The built-in course with the fixture images and nothing else overridden."""
    overrides = {"base_image": images["python"], "registry_image": images["registry"]}
    course = load_course(default_course_root(), overrides=overrides)
    assert not course.all_problems, "\n".join(map(str, course.all_problems))
    return course


def session(
    engine: Engine, course: Course, namespace: str, folder: Path
) -> tuple[LessonRunner, ResolvedParams]:
    """Resolve the learner's parameters and make their runner, as ``make_app`` does."""
    resolved = resolve(engine, course, namespace=namespace)
    journal = Journal.load(folder / "journal.json")
    runner = LessonRunner(
        engine,
        course,
        params=resolved.values,
        workspace=folder / "ws",
        namespace=namespace,
        journal=journal,
    )
    return runner, resolved


@dataclass
class Played:
    """What playing some lessons did.

    Attributes:
        failures: ``lesson/step: detail`` for every step whose action or check failed.
        output: Every output line the actions printed, in order.
        commands: The command shown for each step that has one.
    """

    failures: list[str] = field(default_factory=list)
    output: list[str] = field(default_factory=list)
    commands: list[str] = field(default_factory=list)


def play(runner: LessonRunner, lesson_ids: Sequence[str]) -> Played:
    """Do every step of the lessons for the learner, then check it, like pressing t."""
    played = Played()
    lessons = {lesson.id: lesson for lesson in runner.course.lessons}
    for lesson_id in lesson_ids:
        lesson = lessons[lesson_id]
        runner.prepare(lesson)
        for step in lesson.steps:
            where = f"{lesson.id}/{step.id}"
            if step.command:
                played.commands.append(runner.command_for(step))
            if step.prediction is not None:
                runner.record_answer(lesson, step, step.prediction.answer)
            if step.action is not None:
                events: list[ActionEvent] = list(runner.perform(lesson, step))
                played.output += [e.text for e in events if isinstance(e, ActionOutput)]
                if not isinstance(events[-1], ActionDone):
                    played.failures.append(f"{where}: {events[-1]}")
                    continue
            result = runner.check(lesson, step)
            if not result.passed:
                played.failures.append(f"{where}: {result.detail}")
    return played
