"""Fuzzing the loader and the validator with broken lesson files (hypothesis).

Teachers will save half-edited files; the app must still open and say where
the mistake is. Starting from the real lessons, these tests delete lines, swap
values, splice in random text and bytes, and write random TOML documents, then
check that ``load_course`` never raises, that every problem names a file and a
line inside that file, that a lesson either loads or says why not, and that the
validator's ``main`` never raises.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.course.loader import load_course
from tutor.course.model import Course
from tutor.course.tomldoc import KeyLines
from tutor.course.validate import main

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
FOLDERS = sorted(p.name for p in LESSONS.iterdir() if (p / "lesson.toml").is_file())
# The example count comes from the hypothesis profile (tests/conftest.py): 60
# locally, 1,000 under CI.
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def courses(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One single-lesson course per real lesson, so each example loads little."""
    index = (LESSONS / "course.toml").read_text(encoding="utf-8")
    head, *blocks = index.split("\n[[lessons]]\n")
    roots = {}
    for folder in FOLDERS:
        block = next(b for b in blocks if f'folder = "{folder}"' in b)
        root = tmp_path_factory.mktemp(folder)
        (root / "course.toml").write_text(f"{head}\n[[lessons]]\n{block}", encoding="utf-8")
        shutil.copytree(LESSONS / folder, root / folder)
        roots[folder] = root
    return roots


@contextlib.contextmanager
def replaced(path: Path, data: bytes) -> Iterator[None]:
    """``path`` holds ``data`` for the duration, then its original bytes again."""
    original = path.read_bytes()
    path.write_bytes(data)
    try:
        yield
    finally:
        path.write_bytes(original)


def assert_well_reported(course: Course, root: Path) -> None:
    """Every problem is located inside its file; a lesson loads or says why not."""
    for problem in course.all_problems:
        assert problem.message.strip()
        assert problem.line >= 1
        assert root in problem.file.parents
        if problem.file.is_file():
            lines = problem.file.read_bytes().count(b"\n") + 1
            assert problem.line <= lines, str(problem)
    for entry in course.entries:
        assert (entry.lesson is None) == bool(entry.problems), entry.id
    assert str(course.all_problems)  # every problem renders as file:line: message


def validate_quietly(root: Path) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main([str(root)])


# -- mutations of the real lesson files ---------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, text: str) -> bytes:
    """``text`` after a few random edits of the kinds a hurried teacher makes."""
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            lines = [""]
        at = draw(st.integers(0, len(lines) - 1))
        other = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "swap-values", "swap-lines", "splice", "value"]))
        if edit == "delete":
            del lines[at : at + draw(st.integers(1, 3))]
        elif edit == "swap-values" and "=" in lines[at] and "=" in lines[other]:
            key_a, _, value_a = lines[at].partition("=")
            key_b, _, value_b = lines[other].partition("=")
            lines[at], lines[other] = f"{key_a}={value_b}", f"{key_b}={value_a}"
        elif edit == "swap-lines":
            lines[at], lines[other] = lines[other], lines[at]
        elif edit == "splice":
            lines.insert(at, draw(st.text(max_size=30)))
        else:
            key = lines[at].partition("=")[0] if "=" in lines[at] else "x "
            lines[at] = f"{key}= {draw(toml_values)}\n"
    data = "".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
    return data


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


scalars = st.one_of(
    st.integers(-3, 9).map(str),
    st.booleans().map(lambda b: str(b).lower()),
    st.text(max_size=12).map(_string),
    st.sampled_from(['"{image}"', '"{nope}"', '"build"', '"answered"', '"A"', '"Dockerfile"']),
)
toml_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(
            st.tuples(st.sampled_from(["kind", "tag", "image", "x", "files"]), inner),
            max_size=3,
            unique_by=lambda kv: kv[0],
        ).map(lambda kvs: "{" + ", ".join(f"{k} = {v}" for k, v in kvs) + "}"),
    ),
    max_leaves=6,
)


@SETTINGS
@given(data=st.data(), folder=st.sampled_from(FOLDERS))
def test_mutated_lesson_files_never_break_loading(
    courses: dict[str, Path], data: st.DataObject, folder: str
) -> None:
    root = courses[folder]
    path = root / folder / "lesson.toml"
    broken = data.draw(mutated(path.read_text(encoding="utf-8")))
    with replaced(path, broken):
        course = load_course(root)
        assert_well_reported(course, root)
        assert [e.id for e in course.entries] == [course.entries[0].id]
        assert validate_quietly(root) in (0, 1)


@SETTINGS
@given(data=st.data(), folder=st.sampled_from(FOLDERS))
def test_mutated_course_index_and_prose_never_break_loading(
    courses: dict[str, Path], data: st.DataObject, folder: str
) -> None:
    root = courses[folder]
    target = data.draw(st.sampled_from(["course.toml", f"{folder}/en.md", f"{folder}/pt-BR.md"]))
    path = root / target
    broken = data.draw(mutated(path.read_text(encoding="utf-8")))
    with replaced(path, broken):
        course = load_course(root)
        assert_well_reported(course, root)
        assert validate_quietly(root) in (0, 1)


@SETTINGS
@given(noise=st.binary(max_size=300), folder=st.sampled_from(FOLDERS))
def test_random_bytes_as_a_lesson_file(courses: dict[str, Path], noise: bytes, folder: str) -> None:
    root = courses[folder]
    with replaced(root / folder / "lesson.toml", noise):
        course = load_course(root)
        assert_well_reported(course, root)
        assert course.lessons == ()
        assert validate_quietly(root) == 1


# -- random TOML documents -------------------------------------------------------

KEYS = [
    "lesson",
    "steps",
    "id",
    "files",
    "command",
    "action",
    "check",
    "kind",
    "text",
    "pt-BR",
    "en",
    "title",
    "body",
    "hints",
    "question",
    "choices",
    "explanation",
    "prediction",
    "answer",
    "tag",
    "image",
    "file",
    "find",
    "count",
    "cached",
    "x y",
]
plain = st.one_of(
    st.integers(-2, 5), st.booleans(), st.text(max_size=10), st.sampled_from(["one", "build"])
)
values = st.recursive(
    plain,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    ),
    max_leaves=8,
)
documents = st.dictionaries(
    st.sampled_from(KEYS),
    st.one_of(
        values,
        st.dictionaries(st.sampled_from(KEYS), values, max_size=4),
        st.lists(
            st.dictionaries(st.sampled_from(KEYS), values, max_size=4), min_size=1, max_size=3
        ),
    ),
    max_size=5,
)


def _inline(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{_string(k)} = {_inline(v)}" for k, v in value.items()) + "}"


def emit(document: dict[str, object]) -> tuple[str, dict[str, int]]:
    """TOML text for ``document`` and the line of each top-level key.

    Tables become ``[key]`` sections and lists of tables ``[[key]]`` sections,
    so the scanner meets headers as well as inline values.
    """
    lines: list[str] = []
    where: dict[str, int] = {}
    sections = []
    for key, value in document.items():
        if isinstance(value, dict) or (
            isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
        ):
            sections.append((key, value))
        else:
            where[key] = len(lines) + 1
            lines.append(f"{_string(key)} = {_inline(value)}")
    for key, value in sections:
        tables = value if isinstance(value, list) else [value]
        for table in tables:
            where.setdefault(key, len(lines) + 1)
            assert isinstance(table, dict)
            header = f"[[{_string(key)}]]" if isinstance(value, list) else f"[{_string(key)}]"
            lines.append(header)
            lines += [f"{_string(k)} = {_inline(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n", where


@SETTINGS
@given(document=documents, folder=st.sampled_from(FOLDERS))
def test_random_toml_documents_as_a_lesson_file(
    courses: dict[str, Path], document: dict[str, object], folder: str
) -> None:
    text, where = emit(document)
    assert tomllib.loads(text) == document  # the emitter itself is right
    lines = KeyLines(text)
    for key, line in where.items():
        assert lines.line_of((key,)) == line
    root = courses[folder]
    with replaced(root / folder / "lesson.toml", text.encode("utf-8")):
        course = load_course(root)
        assert_well_reported(course, root)
        assert validate_quietly(root) in (0, 1)


@SETTINGS
@given(document=documents)
def test_random_toml_documents_as_the_course_index(
    courses: dict[str, Path], document: dict[str, object]
) -> None:
    root = courses[FOLDERS[0]]
    text, _ = emit(document)
    with replaced(root / "course.toml", text.encode("utf-8")):
        course = load_course(root)
        assert_well_reported(course, root)
        assert validate_quietly(root) in (0, 1)
