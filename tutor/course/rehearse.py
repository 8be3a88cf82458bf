"""A dry run of a lesson's file steps, so that a lesson cannot be stuck by its own text.

The validator plays each step on an in-memory copy of the lesson's files (as
the workspace would hold them, parameters filled in): ``write_files``,
``edit`` and ``move_line`` change the copy, ``build`` needs its Dockerfile to
be there and to parse. File checks (``files_written``, ``file_contains``) must
fail before their step and, when the tutor performs the step, pass after it.
A ``build_cached`` check next to a build may only name steps the Dockerfile has.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from pathlib import Path

from tutor.course.model import Action, Check, Lesson, Problem, Value
from tutor.course.reader import parse
from tutor.course.tomldoc import KeyLines
from tutor.course.vocabulary import fill_known
from tutor.engine.dockerfile_steps import DockerfileError, parse_steps

LESSON_FILE = "lesson.toml"
#: dockerfile_steps names the line in its message; ours says it as file:line already.
_LINE_PREFIX = re.compile(r"^Dockerfile line \d+: ")


class _Trouble(Exception):
    """A step that cannot be played: which argument is at fault, and why."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def rehearse(lesson: Lesson, params: Mapping[str, Value]) -> list[Problem]:
    """Play the lesson's file steps and report those that could not work.

    Args:
        lesson: A lesson that loaded without problems.
        params: The parameter values files and arguments are filled with.

    Returns:
        Problems located in ``lesson.toml`` (or in a Dockerfile that does not parse).
    """
    path = lesson.folder / LESSON_FILE
    _data, lines, _problems = parse(path)
    originals: dict[str, str] = {}
    for item in lesson.files:
        try:
            originals[item.name] = fill_known(item.source.read_text(encoding="utf-8"), params)
        except (OSError, UnicodeDecodeError):
            continue  # a binary file: nothing here edits it
    writes = any(s.action is not None and s.action.kind == "write_files" for s in lesson.steps)
    files = {} if writes else dict(originals)
    problems: list[Problem] = []
    for i, step in enumerate(lesson.steps):

        def at(*keys: str, index: int = i) -> int:
            return lines.line_of(("steps", index, *keys))

        if _passes(step.check, files, params) is True:
            message = f"check {step.check.kind} already passes before step {step.id!r} is done"
            problems.append(Problem(path, at("check"), message))
        if step.action is None:
            continue
        try:
            steps = _perform(step.action, files, originals, params)
        except _Trouble as trouble:
            problems.append(Problem(path, at("action", trouble.key), trouble.message))
            continue
        except DockerfileError as exc:
            problems.append(_refused(lesson, step.action, exc, files, originals, at("action")))
            continue
        if _passes(step.check, files, params) is False:
            message = f"check {step.check.kind} would still fail after the step's action"
            problems.append(Problem(path, at("check"), message))
        problems += _cached_steps(step.check, step.action, steps, path, lines, i)
    return problems


def _refused(
    lesson: Lesson,
    action: Action,
    exc: DockerfileError,
    files: Mapping[str, str],
    originals: Mapping[str, str],
    action_line: int,
) -> Problem:
    """A Dockerfile the engine would refuse: at its own line, or at the build if edited."""
    name = _dockerfile(action)
    reason = _LINE_PREFIX.sub("", str(exc))
    if files.get(name) != originals.get(name):
        message = f"action build: as the earlier steps leave it, {name} would be refused: {reason}"
        return Problem(lesson.folder / LESSON_FILE, action_line, message)
    source = next((f.source for f in lesson.files if f.name == name), lesson.folder)
    return Problem(source, exc.line or 1, f"the engine would refuse this Dockerfile: {reason}")


def _fill(value: object, params: Mapping[str, Value]) -> str:
    return fill_known(str(value), params)


def _passes(check: Check, files: Mapping[str, str], params: Mapping[str, Value]) -> bool | None:
    """Whether a file check passes on ``files``; None for checks on the engine."""
    if check.kind == "files_written":
        names = check.args["files"]
        return isinstance(names, tuple) and all(n in files for n in names)
    if check.kind == "file_contains":
        text = _fill(check.args["text"], params)
        return text in files.get(str(check.args["file"]), "")
    return None


def _dockerfile(action: Action) -> str:
    context, name = str(action.args["context"]), str(action.args["dockerfile"])
    return posixpath.normpath(posixpath.join(context, name))


def _perform(
    action: Action, files: dict[str, str], originals: Mapping[str, str], params: Mapping[str, Value]
) -> int | None:
    """Play one action on ``files``; for a build, return its number of steps."""
    args = action.args
    if action.kind == "write_files":
        files.update(originals)
    elif action.kind in ("edit", "move_line"):
        name = str(args["file"])
        if name not in files:
            raise _Trouble("file", f"action {action.kind}: {name} is not written yet at this step")
        if action.kind == "edit":
            find, replace = _fill(args["find"], params), _fill(args["replace"], params)
            if find not in files[name]:
                raise _Trouble("find", f"action edit: {name} does not contain {find!r} here")
            files[name] = files[name].replace(find, replace, 1)
        else:
            line, before = _fill(args["line"], params), _fill(args["before"], params)
            files[name] = _move(files[name], name, line, before)
    elif action.kind == "build":
        name = _dockerfile(action)
        if name not in files:
            raise _Trouble("dockerfile", f"action build: {name} is not written yet at this step")
        return len(parse_steps(files[name]))
    return None


def _move(text: str, name: str, line: str, before: str) -> str:
    rows = text.splitlines(keepends=True)
    stripped = [row.strip() for row in rows]
    for key, wanted in (("line", line), ("before", before)):
        if wanted.strip() not in stripped:
            raise _Trouble(key, f"action move_line: {name} has no line {wanted.strip()!r} here")
    moved = rows.pop(stripped.index(line.strip()))
    if not moved.endswith("\n"):
        moved += "\n"
    target = [row.strip() for row in rows].index(before.strip())
    rows.insert(target, moved)
    return "".join(rows)


def _cached_steps(
    check: Check, action: Action, steps: int | None, path: Path, lines: KeyLines, index: int
) -> list[Problem]:
    if check.kind != "build_cached" or steps is None or action.args["tag"] != check.args["image"]:
        return []
    problems = []
    for key in ("cached", "built"):
        numbers = check.args.get(key, ())
        for number in numbers if isinstance(numbers, tuple) else ():
            if isinstance(number, int) and number > steps:
                where = lines.line_of(("steps", index, "check", key))
                message = f"check build_cached: the Dockerfile has {steps} steps, not {number}"
                problems.append(Problem(path, where, message))
    return problems
