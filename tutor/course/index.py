"""Reading ``course.toml``: the course's languages, parameters and ordered lessons.

The index is read first and on its own, so that every lesson is listed with
its title even when its own folder is broken, and so that the validator knows
each lesson's folder whether or not the lesson loads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tutor import i18n
from tutor.course.model import KNOWN_LANGUAGES, Problem, Value
from tutor.course.reader import Reader, did_you_mean, inside, parse
from tutor.course.root import COURSE_FILE
from tutor.course.tomldoc import Key
from tutor.course.vocabulary import placeholders

_PARAM_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


@dataclass(frozen=True)
class IndexEntry:
    """One ``[[lessons]]`` table.

    Attributes:
        id: The lesson id (``lesson-N`` when the table gives none usable).
        title: Title per language.
        folder: The lesson's folder, or None when the table names no usable one.
        problems: What is wrong with this table.
    """

    id: str
    title: Mapping[str, str]
    folder: Path | None
    problems: tuple[Problem, ...] = ()


@dataclass
class Index:
    """What ``course.toml`` says, with its problems.

    Attributes:
        id: The course id.
        title: Title per language.
        languages: The course languages (the known ones when unusable).
        default_language: The language the app opens in.
        params: Parameter defaults with the overrides applied.
        entries: The lessons, in order.
        problems: Problems with the file that belong to no single lesson.
    """

    id: str
    title: Mapping[str, str] = field(default_factory=dict)
    languages: tuple[str, ...] = KNOWN_LANGUAGES
    default_language: str = KNOWN_LANGUAGES[0]
    params: dict[str, Value] = field(default_factory=dict)
    entries: list[IndexEntry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def read_index(root: Path, overrides: Mapping[str, Value]) -> Index:
    """Read ``root/course.toml``; problems are recorded, never raised.

    Args:
        root: The course folder.
        overrides: Parameter values replacing the defaults.

    Returns:
        The index; when the file cannot be parsed, an empty one with the reason.
    """
    path = root / COURSE_FILE
    data, lines, problems = parse(path)
    index = Index(id=root.name or "course", problems=problems)
    if data is None:
        return index
    r = Reader(path, lines)
    r.unknown_keys(data, (), ("course", "params", "lessons"))
    head = r.get(data, (), "course", "table")
    if head is not None:
        r.unknown_keys(head, ("course",), ("id", "languages", "default_language", "title"))
        index.id = r.ident(head, ("course",)) or index.id
        index.languages = _languages(r, head, spoken(root))
        default = r.text(head, ("course",), "default_language")
        if default and default not in index.languages:
            where = ("course", "default_language")
            r.problem(where, f"course.default_language {default!r} is not in course.languages")
        index.default_language = default if default in index.languages else index.languages[0]
        index.title = titles(r, head, ("course",), index.languages)
    index.params = _params(r, data, overrides)
    index.entries = _entries(r, root, data, index.languages)
    index.problems.extend(r.problems)
    return index


def spoken(root: Path) -> tuple[str, ...]:
    """The languages the tutor can speak for this course: those with a catalog.

    The tutor's own (``tutor/locale/*.po``) and the course's
    (``<course>/locale/*.po``), so a teacher adds a language with files only.
    """
    course_catalogs = {p.stem for p in (root / "locale").glob("*.po")}
    return tuple(dict.fromkeys((*KNOWN_LANGUAGES, *i18n.languages(), *sorted(course_catalogs))))


def _languages(r: Reader, head: Mapping[str, Any], known: Sequence[str]) -> tuple[str, ...]:
    raw = r.get(head, ("course",), "languages", "strings")
    good: list[str] = []
    for i, lang in enumerate(raw or []):
        where = ("course", "languages", i)
        if lang not in known:
            fix = did_you_mean(lang, known)
            why = "the tutor has no catalog for it (add locale/<language>.po to the course)"
            r.problem(where, f"course.languages: {lang!r}: {why}{fix}")
        elif lang in good:
            r.problem(where, f"course.languages lists {lang!r} twice")
        else:
            good.append(lang)
    if raw == []:
        r.problem(("course", "languages"), "course.languages names no language")
    return tuple(good) or KNOWN_LANGUAGES


def titles(
    r: Reader, table: Mapping[str, Any], path: Key, languages: Sequence[str]
) -> Mapping[str, str]:
    """The ``title`` table of ``table``: one non-empty string per course language."""
    found = r.get(table, path, "title", "table")
    if found is None:
        return MappingProxyType({})
    where = (*path, "title")
    r.unknown_keys(found, where, languages)
    texts = {lang: r.text(found, where, lang) for lang in languages}
    return MappingProxyType({k: v for k, v in texts.items() if v})


def _params(r: Reader, data: Mapping[str, Any], overrides: Mapping[str, Value]) -> dict[str, Value]:
    raw = r.get(data, (), "params", "table", required=False) or {}
    params: dict[str, Value] = {}
    for name, value in raw.items():
        where = ("params", name)
        if not _PARAM_NAME.match(name):
            r.problem(where, f"parameter name {name!r} must be letters, digits and underscores")
        elif isinstance(value, (str, int)):
            params[name] = value
        else:
            r.problem(where, f"params.{name} must be a string, a whole number or true/false")
    for name, value in params.items():
        if isinstance(value, str):
            r.known_params(("params", name), value, params)
        if _refers_to_itself(name, params):
            r.problem(("params", name), f"params.{name} refers to itself through its placeholders")
    for name, value in overrides.items():
        if name not in params:
            fix = did_you_mean(name, params)
            r.problem(("params",), f"override of {name!r}: the course has no such parameter{fix}")
            continue
        converted = _convert(value, params[name])
        if converted is None:
            kind = "true or false" if isinstance(params[name], bool) else "a whole number"
            r.problem(("params", name), f"override of {name!r}: {value!r} is not {kind}")
        else:
            params[name] = converted
    return params


def _convert(value: Value, default: Value) -> Value | None:
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        return True if text == "true" else False if text == "false" else None
    if isinstance(default, int):
        try:
            return int(value)
        except ValueError:
            return None
    return str(value)


def _refers_to_itself(name: str, params: Mapping[str, Value]) -> bool:
    seen: set[str] = set()
    todo = [name]
    while todo:
        value = params.get(todo.pop())
        for used in placeholders(value) if isinstance(value, str) else []:
            if used == name:
                return True
            if used not in seen:
                seen.add(used)
                todo.append(used)
    return False


def _entries(
    r: Reader, root: Path, data: Mapping[str, Any], languages: tuple[str, ...]
) -> list[IndexEntry]:
    if "lessons" not in data or data["lessons"] == []:
        r.problem(("lessons",), "the course lists no lessons: add [[lessons]] tables")
    tables = r.get(data, (), "lessons", "tables", required=False) or []
    entries: list[IndexEntry] = []
    seen: dict[tuple[str, str], Key] = {}
    for i, table in enumerate(tables):
        path: Key = ("lessons", i)
        own = Reader(r.file, r.lines)
        own.unknown_keys(table, path, ("id", "folder", "title"))
        lesson_id = own.ident(table, path)
        title = titles(own, table, path, languages)
        name = own.text(table, path, "folder")
        folder: Path | None = root / name
        for key, value in (("id", lesson_id), ("folder", name)):
            if value and (key, value) in seen:
                line = r.lines.line_of(seen[key, value])
                own.problem((*path, key), f"lessons.{key} {value!r} is already used at line {line}")
            elif value:
                seen[key, value] = (*path, key)
        if name and not inside(name):
            own.problem((*path, "folder"), f"lessons.folder {name!r} must be inside the course")
            folder = None
        elif name and not (root / name).is_dir():
            own.problem((*path, "folder"), f"lessons.folder {name!r} is not a folder in {root}")
            folder = None
        elif not name:
            folder = None
        entries.append(
            IndexEntry(lesson_id or f"lesson-{i + 1}", title, folder, tuple(own.problems))
        )
    return entries
