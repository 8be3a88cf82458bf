"""Typed reading of a parsed TOML file that records, instead of raising, what is wrong.

The loader asks for ``lesson.id`` as a string or ``steps`` as a list of tables;
when the file says something else, a :class:`Problem` is recorded at the line
of that key (or of the table where it is missing) and the caller carries on
with ``None``, so that one broken key never hides the others.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time
from pathlib import Path, PurePosixPath
from typing import Any

from tutor import user_files
from tutor.course.model import Problem, Value
from tutor.course.tomldoc import Key, KeyLines, tomllib
from tutor.course.vocabulary import placeholders

#: Largest course file read (a lesson's TOML or prose): far above any real one.
COURSE_FILE_MAX_BYTES = 2 * 1024 * 1024

_AT_LINE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = re.compile(r"\s*\(at end of document\)$")

#: What each wanted type is called in messages.
WANTS = {
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
    "table": "a table",
    "strings": "a list of strings",
    "tables": "a list of tables ([[...]])",
}

#: Ids name folders and progress entries, so they stay plain.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*\Z")


def describe(value: object) -> str:
    """How a TOML value reads in a message: ``a string ("x")``, ``a list``..."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int):
        return f"a whole number ({value})"
    if isinstance(value, float):
        return f"a decimal number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"a string ({shown!r})"
    if isinstance(value, (datetime, date, time)):
        return "a date or time"
    if isinstance(value, list):
        return "a list"
    return "a table"


def is_a(want: str, value: object) -> bool:
    """Whether ``value`` is of the wanted type (booleans are not numbers here)."""
    if want == "string":
        return isinstance(value, str)
    if want == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if want == "boolean":
        return isinstance(value, bool)
    if want == "table":
        return isinstance(value, dict)
    if want == "strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if want == "tables":
        return isinstance(value, list) and all(isinstance(v, dict) for v in value)
    raise ValueError(want)


def dotted(path: Key) -> str:
    """A key path as a teacher writes it: ``steps.text.en.title`` (indices dropped)."""
    return ".".join(p for p in path if isinstance(p, str)) or "the file"


def did_you_mean(word: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for a close match, else the list of what is known."""
    options = sorted(known)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; expected one of: {', '.join(options)}" if options else ""


class Reader:
    """One parsed file plus the problems found in it so far.

    Args:
        file: The file (for messages).
        lines: Where its keys are written.
    """

    def __init__(self, file: Path, lines: KeyLines) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def problem(self, path: Key, message: str) -> None:
        """Record ``message`` at the line of ``path`` (or its nearest written parent)."""
        self.problems.append(Problem(self.file, self.lines.line_of(path), message))

    def get(
        self, table: Mapping[str, Any], path: Key, key: str, want: str, *, required: bool = True
    ) -> Any:
        """The value of ``key`` in ``table`` if it has the wanted type, else None.

        Args:
            table: The parsed table.
            path: The table's path in the file.
            key: The key to read.
            want: One of :data:`WANTS`.
            required: Record a problem when the key is absent.

        Returns:
            The value, or None when absent or of another type (then a problem
            has been recorded, except for an absent optional key).
        """
        where = (*path, key)
        if key not in table:
            if required:
                self.problem(where, f"{dotted(where)} is missing")
            return None
        value = table[key]
        if not is_a(want, value):
            self.problem(where, f"{dotted(where)} must be {WANTS[want]}, not {describe(value)}")
            return None
        return value

    def text(self, table: Mapping[str, Any], path: Key, key: str, *, required: bool = True) -> str:
        """A string that must not be blank when required; "" when absent or wrong."""
        value = self.get(table, path, key, "string", required=required)
        if value is not None and required and not value.strip():
            self.problem((*path, key), f"{dotted((*path, key))} is empty")
        return value or ""

    def ident(self, table: Mapping[str, Any], path: Key, key: str = "id") -> str | None:
        """An id: lowercase letters, digits and dashes, since it names folders and progress."""
        value = self.get(table, path, key, "string")
        if value is not None and not ID_PATTERN.match(value):
            self.problem(
                (*path, key),
                f"{dotted((*path, key))} {value!r} must use only lowercase letters, "
                "digits and dashes (it names folders and saved progress)",
            )
            return None
        return value

    def unknown_keys(self, table: Mapping[str, Any], path: Key, allowed: Collection[str]) -> None:
        """Record every key of ``table`` that is not ``allowed``, with a likely fix."""
        for key in table:
            if key not in allowed:
                where = (*path, key)
                self.problem(where, f"unknown key {dotted(where)}{did_you_mean(key, allowed)}")

    def known_params(self, path: Key, text: str, params: Mapping[str, Value]) -> None:
        """Record each ``{placeholder}`` in ``text`` that names no parameter."""
        for name in placeholders(text):
            if name not in params:
                self.problem(
                    path,
                    f"{dotted(path)}: unknown parameter {{{name}}}{did_you_mean(name, params)}",
                )


def inside(name: str) -> bool:
    """Whether ``name`` is a relative path that stays inside its folder (no ``..``)."""
    pure = PurePosixPath(name)
    return (
        bool(pure.parts) and not pure.is_absolute() and ".." not in pure.parts and "\\" not in name
    )


def read_text(path: Path) -> tuple[str | None, Problem | None]:
    """A course file's text, or the problem that stops it being read.

    Read through :func:`tutor.user_files.read_text`, so a folder, a pipe, a
    symlink loop or a 100 MB file in a lesson file's place is a problem like
    any other, never a hang or a traceback.

    Args:
        path: The file.

    Returns:
        ``(text, None)``, or ``(None, problem)`` when the file is missing,
        unreadable, too large or not UTF-8 (located at the line of the first
        bad byte).
    """
    read = user_files.read_text(path, limit=COURSE_FILE_MAX_BYTES)
    if read.text is not None:
        return read.text, None
    if read.missing:
        return None, Problem(path, 1, "file is missing")
    if read.reason == "not-text":
        try:
            data = path.read_bytes()  # read whole a moment ago: small, and a file
            data.decode("utf-8")
        except OSError:
            pass  # gone or changed since: said as "cannot be read" below
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            return None, Problem(path, line, f"is not UTF-8 text (byte 0x{data[exc.start]:02x})")
    message = {
        "not-a-file": "is not a file",
        "symlink-loop": "is a symbolic link that leads back to itself",
        "too-large": f"is too large for a course file (over {COURSE_FILE_MAX_BYTES} bytes)",
    }.get(read.reason or "", "cannot be read")
    return None, Problem(path, 1, f"{message} ({read.detail})" if read.detail else message)


def parse(path: Path) -> tuple[dict[str, Any] | None, KeyLines, list[Problem]]:
    """Read and parse one TOML file, locating every key and any syntax error.

    Args:
        path: The TOML file.

    Returns:
        ``(data, lines, problems)``; ``data`` is None when the file could not
        be read or parsed, and then ``problems`` says why and where.
    """
    text, problem = read_text(path)
    if text is None:
        return None, KeyLines(""), [problem] if problem else []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, KeyLines(""), [_syntax_problem(path, text, exc)]
    return data, KeyLines(text), []


def _syntax_problem(path: Path, text: str, exc: tomllib.TOMLDecodeError) -> Problem:
    message = str(exc)
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "colno", None)
    found = _AT_LINE.search(message)
    if found:
        line, column = int(found.group(1)), int(found.group(2))
        message = message[: found.start()]
    elif _AT_END.search(message):
        line = text.count("\n") + (0 if text.endswith("\n") else 1)
        message = _AT_END.sub("", message) + " at the end of the file"
    where = f" (column {column})" if column else ""
    return Problem(path, max(int(line or 1), 1), f"TOML syntax: {message}{where}")
