"""The lesson screen's state machine (tutor.course.step_flow), without any screen."""

from __future__ import annotations

import pytest

from tutor.course.loader import default_course_root, load_course
from tutor.course.model import Course, Lesson
from tutor.course.step_flow import StepFlow, resume_target
from tutor.progress import Progress


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(default_course_root())


def lesson_of(course: Course, lesson_id: str) -> Lesson:
    lesson = course.lesson(lesson_id)
    assert lesson is not None
    return lesson


def flow(course: Course, lesson_id: str, progress: Progress | None = None) -> StepFlow:
    return StepFlow(lesson_of(course, lesson_id), progress or Progress(course.id, "learner"))


def test_it_opens_at_the_first_step_not_done_and_skips_a_done_one(course: Course) -> None:
    progress = Progress(course.id, "learner")
    lesson = lesson_of(course, "cache")
    ids = [s.id for s in lesson.steps]
    assert len(ids) >= 3
    progress.mark_step_done("cache", ids[0], ids)
    steps = flow(course, "cache", progress)
    steps.start_at()
    assert steps.index == 1
    steps.start_at(ids[0])  # done: not reopened
    assert steps.index == 1
    steps.start_at(ids[2])
    assert steps.step is not None and steps.step.id == ids[2]


def test_a_prediction_comes_first_and_is_kept(course: Course) -> None:
    steps = flow(course, "build")
    steps.start_at()
    step = next(s for s in steps.lesson.steps if s.prediction is not None)
    steps.index = steps.lesson.steps.index(step)
    assert steps.needs_prediction(step)
    assert not steps.allows("run_step", course) and steps.allows("predict", course)
    steps.record_answer(step, 1)
    assert not steps.needs_prediction(step) and steps.answer(step) == 1
    assert steps.allows("run_step", course) == (step.action is not None)
    assert not steps.allows("predict", course)


def test_not_yet_is_said_only_when_it_hides_nothing(course: Course) -> None:
    steps = flow(course, "run")
    steps.start_at()
    step = steps.enter()
    assert step is not None
    assert steps.says_not_yet(step.id)
    assert not steps.says_not_yet("another-step")
    steps.begin_run()
    assert steps.explicit and not steps.says_not_yet(step.id)  # the run shows its progress
    assert steps.run_ended(step.id, ok=False)
    assert steps.failed_step == step.id and not steps.says_not_yet(step.id)  # why it failed stays
    steps.enter()  # the next visit starts fresh
    assert steps.failed_step is None and steps.says_not_yet(step.id)


def test_passing_marks_done_once_and_the_lesson_ends_on_the_next(course: Course) -> None:
    steps = flow(course, "history")
    steps.start_at()
    for step in steps.lesson.steps:
        assert steps.enter() is step
        assert steps.pass_step(step) and not steps.pass_step(step)
        steps.advance()
    assert steps.step is None and steps.enter() is None
    assert steps.allows("next_lesson", course) and not steps.allows("hint", course)
    following = steps.finish(course)
    assert following is not None and following.id == "cache"
    assert steps.progress.lesson == "cache"
    assert steps.progress.status("history").value == "done"


def test_the_last_lesson_has_no_next(course: Course) -> None:
    steps = flow(course, "clean-up")
    assert steps.next_lesson(course) is None
    steps.index = len(steps.lesson.steps)
    assert not steps.allows("next_lesson", course)
    assert steps.finish(course) is None and steps.progress.lesson == "clean-up"


def test_a_step_that_shows_something_waits_for_its_run(course: Course) -> None:
    for lesson in course.lessons:
        for step in lesson.steps:
            if step.check.kind == "answered" and step.action is not None:
                steps = flow(course, lesson.id)
                assert steps.waits(step)
                steps.checked_by_learner(step)
                assert not steps.waits(step) and steps.explicit
                return
    pytest.fail("the course has no step whose check is only 'answered' but that runs something")


def test_continue_never_points_at_a_finished_lesson(course: Course) -> None:
    progress = Progress(course.id, "learner")
    assert resume_target(course, progress) == ("the-app", "")
    for lesson in course.lessons[:7]:  # lessons 1-7 done
        ids = [s.id for s in lesson.steps]
        for step in ids:
            progress.mark_step_done(lesson.id, step, ids)
    progress.move_to("build")  # lesson 2 reopened to look at it again
    assert resume_target(course, progress) == (course.lessons[7].id, "")
    progress.move_to("push", "some-step")  # left off inside lesson 8
    assert resume_target(course, progress) == ("push", "some-step")


def test_c_on_a_step_that_only_reads_runs_it_too(course: Course) -> None:
    history = lesson_of(course, "history").steps[0]
    assert history.action is not None and history.action.kind == "history"
    assert flow(course, "history").shows_on_check(history)
    build = next(
        s for s in lesson_of(course, "build").steps if s.action and s.action.kind == "build"
    )
    assert not flow(course, "build").shows_on_check(build)  # c never builds for the learner
