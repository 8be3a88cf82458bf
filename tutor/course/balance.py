"""Predictions a learner cannot pass by a pattern: the warnings behind ``validate``.

A prediction teaches only when the learner has to think. Two patterns let
them skip that: the right answer is nearly always at the same position
("pick 2"), or it is always the longest, most self-explaining choice. Neither
makes a lesson unusable, so they are *warnings*: ``validate`` prints them as
``file:line: warning: ...`` and still exits 0.

Both are about the course as a whole, so they are located at ``course.toml``;
the message says where the predictions stand, so the teacher knows which
answers to move.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from tutor.course.index import COURSE_FILE
from tutor.course.model import Course, Problem
from tutor.course.vocabulary import fill_known

#: The most predictions one answer position may hold before it looks like a habit.
MOST_AT_ONE_POSITION = 0.40
#: Below this many predictions a pattern is chance, not a habit: no warning.
FEWEST_PREDICTIONS = 5


@dataclass(frozen=True)
class Asked:
    """One prediction of the course, as the balance check sees it.

    Attributes:
        where: ``lesson/step``.
        answer: The right choice, from 0.
        choices: The choices per language, placeholders filled with the defaults.
    """

    where: str
    answer: int
    choices: dict[str, tuple[str, ...]]

    def longest_is_right(self, language: str) -> bool:
        """Whether the right choice is longer than every other one in ``language``."""
        choices = self.choices.get(language, ())
        if len(choices) <= self.answer:
            return False
        right = len(choices[self.answer])
        return all(len(c) < right for n, c in enumerate(choices) if n != self.answer)


def predictions(course: Course) -> list[Asked]:
    """Every prediction of the course's lessons that loaded, in course order."""
    asked = []
    for lesson in course.lessons:
        for step in lesson.steps:
            if step.prediction is None:
                continue
            choices = {
                lang: tuple(fill_known(c, course.params) for c in text.choices)
                for lang, text in step.text.items()
            }
            asked.append(Asked(f"{lesson.id}/{step.id}", step.prediction.answer, choices))
    return asked


def prediction_warnings(course: Course) -> list[Problem]:
    """The patterns that would let a learner pass the course's predictions unthinking.

    Args:
        course: A loaded course.

    Returns:
        Warnings (``Problem``s whose message starts with ``warning:``), at
        ``course.toml`` line 1; empty when the predictions are balanced or
        too few to judge.
    """
    asked = predictions(course)
    if len(asked) < FEWEST_PREDICTIONS:
        return []
    where = course.root / COURSE_FILE
    warnings = []
    positions = Counter(a.answer for a in asked)
    spread = ", ".join(f"{n + 1}: {positions[n]}" for n in sorted(positions))
    for answer, count in sorted(positions.items()):
        if count / len(asked) > MOST_AT_ONE_POSITION:
            share = round(100 * count / len(asked))
            warnings.append(
                Problem(
                    where,
                    1,
                    f"warning: choice {answer + 1} is the right answer in {count} of the "
                    f"course's {len(asked)} predictions ({share} %, more than "
                    f"{round(100 * MOST_AT_ONE_POSITION)} %): a learner can pass by habit; "
                    f"spread the right answers (now {spread})",
                )
            )
    for language in course.languages:
        if all(a.longest_is_right(language) for a in asked):
            warnings.append(
                Problem(
                    where,
                    1,
                    f"warning: in {language}, the right choice is the longest one in every "
                    f"prediction ({len(asked)}): a learner can pass by picking the longest; "
                    "make the choices of similar length",
                )
            )
    return warnings
