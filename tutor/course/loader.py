"""Reading a course folder into :class:`Course`, never raising for bad content.

A course folder holds ``course.toml`` (the index: languages, parameters and
the ordered lessons) and one folder per lesson with ``lesson.toml`` (the
steps), ``<language>.md`` (the prose) and ``files/`` (what the learner works
with). A lesson that cannot be read becomes a :class:`LessonEntry` with
``lesson=None`` and precise problems (``file:line: message``), so the rest of
the course still opens and a teacher sees every mistake at once.
``lessons/README.md`` documents the format.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tutor.course.index import read_index
from tutor.course.model import Course, Lesson, LessonEntry, LessonFile, Problem, Step, Value
from tutor.course.reader import Reader, did_you_mean, inside, parse, read_text
from tutor.course.root import default_course_root
from tutor.course.steps import StepContext, read_step
from tutor.course.vocabulary import placeholders

__all__ = ["FILES_FOLDER", "LESSON_FILE", "default_course_root", "load_course", "load_lesson"]

LESSON_FILE = "lesson.toml"
FILES_FOLDER = "files"


def load_course(root: Path, *, overrides: Mapping[str, Value] | None = None) -> Course:
    """Read the course in ``root``; problems are returned, never raised.

    Args:
        root: The folder holding ``course.toml``. Problems name files under
            it as given, so a relative root gives relative paths.
        overrides: Parameter values replacing the course's defaults (a
            teacher's or the test harness's; strings such as ``"5003"`` are
            converted to the default's type). Naming no parameter is a problem.

    Returns:
        The course. Lessons that failed to load have ``lesson=None`` and their
        problems; problems of ``course.toml`` itself are in ``Course.problems``.
    """
    index = read_index(root, overrides or {})
    entries = []
    for item in index.entries:
        if item.folder is None or item.problems:
            entries.append(LessonEntry(item.id, item.title, None, item.problems))
            continue
        entries.append(
            load_lesson(
                item.folder,
                lesson_id=item.id,
                title=item.title,
                languages=index.languages,
                params=index.params,
            )
        )
    return Course(
        id=index.id,
        root=root,
        title=MappingProxyType(dict(index.title)),
        languages=index.languages,
        default_language=index.default_language,
        params=MappingProxyType(index.params),
        entries=tuple(entries),
        problems=tuple(index.problems),
    )


def load_lesson(
    folder: Path,
    *,
    lesson_id: str,
    title: Mapping[str, str],
    languages: Sequence[str],
    params: Mapping[str, Value],
) -> LessonEntry:
    """Read one lesson folder; problems are returned, never raised.

    Args:
        folder: The lesson's folder (``lesson.toml``, ``<language>.md``, ``files/``).
        lesson_id: The id the course index gives it; ``[lesson] id`` must match.
        title: Its title per language, from the index.
        languages: The languages it must be written in.
        params: The course parameters its placeholders may name.

    Returns:
        The entry: with the lesson when nothing is wrong, else with
        ``lesson=None`` and every problem found.
    """
    path = folder / LESSON_FILE
    data, lines, problems = parse(path)
    if data is None:
        return LessonEntry(lesson_id, title, None, tuple(problems))
    r = Reader(path, lines)
    r.unknown_keys(data, (), ("lesson", "steps"))
    head = r.get(data, (), "lesson", "table") or {}
    r.unknown_keys(head, ("lesson",), ("id", "files"))
    own_id = r.get(head, ("lesson",), "id", "string", required="lesson" in data)
    if own_id is not None and own_id != lesson_id:
        message = f"lesson.id is {own_id!r} but the course index calls this lesson {lesson_id!r}"
        r.problem(("lesson", "id"), message)
    before = len(r.problems)
    files = _files(r, folder, head)
    # When the list itself is wrong, say so once, not again at every step that names a file.
    names = frozenset(f.name for f in files) if len(r.problems) == before else None
    prose = {lang: _prose(r, folder, lang, params) for lang in languages}
    context = StepContext(r, tuple(languages), params, names if "lesson" in data else None)
    steps = _steps(context, data)
    if r.problems:
        return LessonEntry(lesson_id, title, None, tuple(r.problems))
    lesson = Lesson(lesson_id, folder, title, MappingProxyType(prose), tuple(files), tuple(steps))
    return LessonEntry(lesson_id, title, lesson)


def _steps(context: StepContext, data: Mapping[str, Any]) -> list[Step]:
    r = context.reader
    if "steps" not in data or data["steps"] == []:
        r.problem(("steps",), "the lesson has no steps: add [[steps]] tables")
    steps: list[Step] = []
    first_line: dict[str, int] = {}
    for i, table in enumerate(r.get(data, (), "steps", "tables", required=False) or []):
        step = read_step(context, table, ("steps", i))
        if step is None:
            continue
        if step.id in first_line:
            message = f"steps.id {step.id!r} is already used at line {first_line[step.id]}"
            r.problem(("steps", i, "id"), message)
        first_line.setdefault(step.id, r.lines.line_of(("steps", i, "id")))
        steps.append(step)
    return steps


def _files(r: Reader, folder: Path, head: Mapping[str, Any]) -> list[LessonFile]:
    names = r.get(head, ("lesson",), "files", "strings", required=False) or []
    files: list[LessonFile] = []
    for i, name in enumerate(names):
        where = ("lesson", "files", i)
        source = folder / FILES_FOLDER / name
        if not inside(name):
            r.problem(where, f"lesson.files: {name!r} must be a relative path inside files/")
        elif any(f.name == name for f in files):
            r.problem(where, f"lesson.files lists {name!r} twice")
        elif not source.is_file():
            r.problem(where, f"lesson.files: {name!r} is not a file in {folder / FILES_FOLDER}")
        else:
            files.append(LessonFile(name, source))
    return files


def _prose(r: Reader, folder: Path, language: str, params: Mapping[str, Value]) -> str:
    path = folder / f"{language}.md"
    if not path.exists():
        r.problems.append(Problem(path, 1, f"missing: the lesson's prose in {language}"))
        return ""
    text, problem = read_text(path)
    if text is None:
        r.problems.extend([problem] if problem else [])
        return ""
    if not text.strip():
        r.problems.append(Problem(path, 1, f"the lesson's prose in {language} is empty"))
    for number, line in enumerate(text.splitlines(), start=1):
        for name in placeholders(line):
            if name not in params:
                message = f"unknown parameter {{{name}}}{did_you_mean(name, params)}"
                r.problems.append(Problem(path, number, message))
    return text
