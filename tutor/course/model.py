"""The course as typed, immutable objects: what the loader returns and the app renders.

A course is an ordered list of lessons; a lesson is prose plus the files the
learner works with plus an ordered list of steps. A step is something the
learner does (``command``, which the tutor can also do for them through a
fixed vocabulary of ``action`` kinds), decided done by a ``check`` on the
engine's state, so a step also passes when the learner types the command in
another terminal.

Nothing here imports Textual: a plain script can load and inspect a course.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

#: A value a lesson parameter, an action argument or a check argument can take.
Value = str | int | bool

#: The languages a course may be written in, by BCP 47 tag.
KNOWN_LANGUAGES = ("pt-BR", "en")


def frozen_map(items: Mapping[str, object] | None = None) -> Mapping[str, object]:
    """A read-only copy of ``items``, so that parsed objects cannot be changed."""
    return MappingProxyType(dict(items or {}))


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a course file, located for a teacher's editor.

    Attributes:
        file: The file at fault.
        line: 1-based line in that file (1 when unknown).
        message: What is wrong and, when it helps, what was expected.
    """

    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def shown_from(self, folder: Path) -> str:
        """``file:line: message`` with the file relative to ``folder`` when inside it
        (a course's own folder: short enough for an 80-column screen)."""
        try:
            where = self.file.relative_to(folder)
        except ValueError:
            where = self.file
        return f"{where}:{self.line}: {self.message}"


@dataclass(frozen=True)
class StepText:
    """The words of one step in one language.

    Attributes:
        title: A short imperative title ("Build the image").
        body: Markdown shown with the step.
        hints: Shown one at a time when the learner asks for a hint.
        question: The prediction question, when the step has one.
        choices: The possible answers, in the same order in every language.
        explanation: Shown after the step, next to what really happened.
    """

    title: str
    body: str = ""
    hints: tuple[str, ...] = ()
    question: str = ""
    choices: tuple[str, ...] = ()
    explanation: str = ""


@dataclass(frozen=True)
class Action:
    """What the tutor does when the learner asks it to run the step for them.

    ``kind`` is one of a fixed vocabulary (see ``tutor.course.vocabulary``);
    lesson files can never name a host command.

    Attributes:
        kind: e.g. ``build``, ``run``, ``exec``, ``edit``, ``push``.
        args: Arguments; strings may hold ``{param}`` placeholders.
    """

    kind: str
    args: Mapping[str, object] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class Check:
    """How the tutor decides, from the engine's state, that a step is done.

    Attributes:
        kind: e.g. ``image_exists``, ``step_cached``, ``page_contains``.
        args: Arguments; strings may hold ``{param}`` placeholders.
    """

    kind: str
    args: Mapping[str, object] = field(default_factory=frozen_map)


@dataclass(frozen=True)
class Prediction:
    """A question asked before the step runs, compared with what happened after.

    Attributes:
        answer: Index of the right choice (0-based) in every language's
            ``StepText.choices``.
    """

    answer: int


@dataclass(frozen=True)
class Step:
    """One thing the learner does in a lesson.

    Attributes:
        id: Unique within its lesson; progress is stored by it.
        command: What the learner would type, with ``{param}`` placeholders.
        check: Decides, from the engine, that the step is done.
        action: How the tutor does it for the learner (``None``: the learner
            must do it, e.g. read and answer).
        prediction: The prediction question, when there is one.
        text: The step's words per language.
        line: Line of the step in its lesson file (for messages).
    """

    id: str
    command: str
    check: Check
    action: Action | None = None
    prediction: Prediction | None = None
    text: Mapping[str, StepText] = field(default_factory=lambda: MappingProxyType({}))
    line: int = 1

    def words(self, language: str) -> StepText:
        """The step's text in ``language``, falling back to any language present."""
        if language in self.text:
            return self.text[language]
        return next(iter(self.text.values()))


@dataclass(frozen=True)
class LessonFile:
    """A file the learner works with, copied into their workspace.

    Attributes:
        name: Path relative to the lesson's workspace (``Dockerfile``, ``app.py``).
        source: Where the lesson folder keeps the original.
    """

    name: str
    source: Path


@dataclass(frozen=True)
class Lesson:
    """One lesson: its prose, its files and its steps.

    Attributes:
        id: Unique in the course; progress is stored by it.
        folder: The lesson's folder.
        title: Title per language.
        prose: Markdown per language.
        files: The files the learner works with.
        steps: The steps, in order.
    """

    id: str
    folder: Path
    title: Mapping[str, str]
    prose: Mapping[str, str]
    files: tuple[LessonFile, ...]
    steps: tuple[Step, ...]

    def title_in(self, language: str) -> str:
        """The title in ``language``, falling back to the id."""
        return str(self.title.get(language) or next(iter(self.title.values()), self.id))

    def prose_in(self, language: str) -> str:
        """The prose in ``language``, falling back to any language present."""
        return str(self.prose.get(language) or next(iter(self.prose.values()), ""))

    def step(self, step_id: str) -> Step | None:
        """The step with this id, or None."""
        return next((s for s in self.steps if s.id == step_id), None)


@dataclass(frozen=True)
class LessonEntry:
    """A lesson as the course index lists it, whether or not it loaded.

    Attributes:
        id: The lesson id.
        title: Title per language (from the index, so it shows even when the
            lesson's own files are broken).
        lesson: The parsed lesson, or ``None`` when it has problems.
        problems: What is wrong with it (empty when it loaded).
    """

    id: str
    title: Mapping[str, str]
    lesson: Lesson | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Course:
    """A whole course as loaded: broken lessons are listed with their problems.

    Attributes:
        id: Course id (progress files are kept per course).
        root: The folder holding ``course.toml``.
        title: Title per language.
        languages: Languages every lesson must be written in.
        default_language: The language the app opens in.
        params: Default parameter values (image names, ports, base image...).
        entries: Every lesson of the index, in order.
        problems: Problems with the index itself.
    """

    id: str
    root: Path
    title: Mapping[str, str]
    languages: tuple[str, ...]
    default_language: str
    params: Mapping[str, Value]
    entries: tuple[LessonEntry, ...]
    problems: tuple[Problem, ...] = ()

    @property
    def lessons(self) -> tuple[Lesson, ...]:
        """The lessons that loaded, in course order."""
        return tuple(e.lesson for e in self.entries if e.lesson is not None)

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        """Problems with the index and with every lesson."""
        return self.problems + tuple(p for e in self.entries for p in e.problems)

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The loaded lesson with this id, or None."""
        return next((x for x in self.lessons if x.id == lesson_id), None)
