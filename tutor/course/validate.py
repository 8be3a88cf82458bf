"""``python -m tutor validate [PATH]``: prove a course is well-formed before a class uses it.

Everything the loader checks (TOML syntax, keys, types, the vocabulary,
placeholders, both languages complete and in agreement), plus what only a
teacher needs to hear: files that no lesson lists, folders the index does not
name, Dockerfiles the engine would refuse, and a rehearsal of each lesson's
file steps (an ``edit`` whose ``find`` text is not in the file by then, a
``file_contains`` check that would already pass before its step or would
still fail after it). Every problem is printed as ``file:line: message``; the
exit status is 1 when there is any, else 0 after a one-line summary.

Predictions a learner could pass by a pattern (the right answer nearly always
at one position, or always the longest choice) are printed as
``file:line: warning: ...`` and do not change the exit status (see
:mod:`tutor.course.balance`).

Also runs as ``python -m tutor.course.validate [PATH]``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from tutor.course.balance import prediction_warnings
from tutor.course.index import COURSE_FILE, read_index
from tutor.course.loader import FILES_FOLDER, LESSON_FILE, default_course_root, load_course
from tutor.course.model import Course, Lesson, Problem, Value
from tutor.course.rehearse import rehearse

#: Files a course folder may hold besides the lesson folders.
COURSE_EXTRAS = (COURSE_FILE, "README.md")


def validate_course(
    root: Path, overrides: Mapping[str, Value] | None = None
) -> tuple[Course, list[Problem]]:
    """Load the course in ``root`` and find every problem in it.

    Args:
        root: The course folder.
        overrides: Parameter values to validate with (as the app would run).

    Returns:
        The course as loaded, and its problems sorted by file and line.
    """
    course = load_course(root, overrides=overrides)
    problems = list(course.all_problems)
    index = read_index(root, overrides or {})
    folders = {e.folder for e in index.entries if e.folder is not None}
    if (root / COURSE_FILE).is_file():
        problems += _strays_in_course(root, folders)
    for entry in index.entries:
        if entry.folder is not None:
            problems += _strays_in_lesson(entry.folder, course.languages)
    for lesson in course.lessons:
        problems += _unlisted_files(lesson)
        problems += rehearse(lesson, course.params)
    unique = dict.fromkeys(problems)
    return course, sorted(unique, key=lambda p: (str(p.file), p.line))


def _visible(path: Path) -> bool:
    # Dot-files (.DS_Store, editor swap files) are the machine's, not the course's.
    return not path.name.startswith(".")


def _strays_in_course(root: Path, folders: set[Path]) -> list[Problem]:
    problems = []
    for item in sorted(filter(_visible, root.iterdir())):
        if item.is_dir() and item not in folders and item.name != "__pycache__":
            message = "this folder is not a lesson of the course: no [[lessons]] names it"
            problems.append(Problem(item, 1, message))
        elif item.is_file() and item.name not in COURSE_EXTRAS:
            message = "stray file: a course folder holds course.toml, README.md and lesson folders"
            problems.append(Problem(item, 1, message))
    return problems


def _strays_in_lesson(folder: Path, languages: Sequence[str]) -> list[Problem]:
    expected = {LESSON_FILE, FILES_FOLDER, *(f"{lang}.md" for lang in languages)}
    problems = []
    for item in sorted(filter(_visible, folder.iterdir())):
        if item.name not in expected or (item.name == FILES_FOLDER) != item.is_dir():
            allowed = ", ".join(sorted(expected))
            problems.append(Problem(item, 1, f"stray file: a lesson folder holds {allowed}"))
    return problems


def _unlisted_files(lesson: Lesson) -> list[Problem]:
    files = lesson.folder / FILES_FOLDER
    listed = {f.name for f in lesson.files}
    if not files.is_dir():
        return []
    problems = []
    for item in sorted(files.rglob("*")):
        name = item.relative_to(files).as_posix()
        # pip byte-compiles the lesson apps of an installed course; not a teacher's file
        if "__pycache__" in item.relative_to(files).parts:
            continue
        if item.is_file() and name not in listed:
            message = f"stray file: not listed in {LESSON_FILE} (add {name!r} to [lesson] files)"
            problems.append(Problem(item, 1, message))
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Validate a course folder and print what is wrong.

    Args:
        argv: ``[PATH] [--param NAME=VALUE ...]``; the built-in course when
            no path is given. ``None`` reads ``sys.argv``.

    Returns:
        0 when the course has no problem, 1 when it has any (2 for bad usage,
        through argparse).
    """
    parser = argparse.ArgumentParser(
        prog="python -m tutor validate",
        description="Check a course folder; every problem is printed as file:line: message.",
    )
    parser.add_argument("path", nargs="?", type=Path, help="course folder (default: built-in)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="validate with a parameter overridden, as the app would run",
    )
    args = parser.parse_args(argv)
    overrides: dict[str, Value] = {}
    for pair in args.param:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            parser.error(f"--param expects NAME=VALUE, got {pair!r}")
        overrides[name.strip()] = value
    root: Path = args.path if args.path is not None else default_course_root()
    course, problems = validate_course(root, overrides)
    for problem in problems:
        print(problem)
    warnings = prediction_warnings(course)
    for warning in warnings:
        print(warning)
    if problems:
        files = len({p.file for p in problems})
        print(f"{len(problems)} problem(s) in {files} file(s).", file=sys.stderr)
        return 1
    steps = sum(len(lesson.steps) for lesson in course.lessons)
    languages = " and ".join(course.languages)
    verdict = f"no problems, {len(warnings)} warning(s)" if warnings else "no problems"
    print(f"{root}: {len(course.lessons)} lessons, {steps} steps, in {languages}: {verdict}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
