"""Every sentence the code says has a translation in every course language.

The keys are found in the source itself, with ``ast``: the first argument of
each ``Sentence(...)`` and the second of each ``say(language, ...)``. A key
missing from a catalog would show the learner English inside a sentence of
their language (or the key itself), and a blank the caller does not fill
would raise when the text is shown; both are caught here, for every key the
code uses, not only for the keys the catalogs happen to hold.

A key built with an f-string (``f"action.removed.{kind}"``) must match at
least one entry by its fixed prefix. The course's checks and actions must not
build English sentences themselves, nor may the engine word its errors so: a
string literal or f-string handed to a check result, an action's result or an
engine error is caught by the last test.
"""

from __future__ import annotations

import ast
import string
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tutor import i18n
from tutor.course.loader import load_course
from tutor.i18n import read_po

PACKAGE = Path(i18n.__file__).resolve().parent
LESSONS = PACKAGE.parent / "lessons"


@dataclass(frozen=True)
class Use:
    """One lookup in the code: where, which key, and which blanks it fills."""

    where: str
    key: str
    prefix: bool  # the key is an f-string: only its fixed start is known
    blanks: frozenset[str] | None  # None: ``**values`` passes blanks not known here


def _key(node: ast.expr) -> tuple[str, bool] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, False
    if isinstance(node, ast.JoinedStr) and node.values:
        first = node.values[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value, True
    return None


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def uses(root: Path = PACKAGE) -> Iterator[Use]:
    """Every ``Sentence(KEY, ...)`` and ``say(LANG, KEY, ...)`` under ``root``."""
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name, position = _name(node.func), None
            if name == "Sentence" and node.args:
                position = 0
            elif name == "say" and len(node.args) >= 2:
                position = 1
            found = _key(node.args[position]) if position is not None else None
            if found is None:
                continue
            given = [k.arg for k in node.keywords]
            blanks = None if None in given else frozenset(k for k in given if k)
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            yield Use(where, found[0], found[1], blanks)


USES = list(uses())
COURSE_LANGUAGES = load_course(LESSONS).languages


def catalog_texts(language: str) -> dict[str, i18n.Text]:
    """The tutor's catalog of ``language`` with the course's own entries over it."""
    texts: dict[str, i18n.Text] = {}
    for folder in (i18n.LOCALE, LESSONS / "locale"):
        if (folder / f"{language}.po").is_file():
            texts.update(read_po(folder / f"{language}.po").texts)
    return texts


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_the_scan_finds_the_lookups() -> None:
    # A scan that found nothing would pass everything below.
    keys = {use.key for use in USES}
    assert {"check.image.missing", "action.built", "banner.title"} <= keys
    assert len(USES) > 200


@pytest.mark.parametrize("language", COURSE_LANGUAGES)
def test_every_key_the_code_uses_is_in_the_catalog(language: str) -> None:
    texts = catalog_texts(language)
    missing = [
        f"{use.where}: {use.key}{'*' if use.prefix else ''}"
        for use in USES
        if not (any(k.startswith(use.key) for k in texts) if use.prefix else use.key in texts)
    ]
    assert not missing, f"not in {language}.po:\n" + "\n".join(missing)


@pytest.mark.parametrize("language", COURSE_LANGUAGES)
def test_the_code_fills_every_blank_of_its_texts(language: str) -> None:
    texts = catalog_texts(language)
    unfilled = []
    for use in USES:
        if use.prefix or use.blanks is None or use.key not in texts:
            continue
        text = texts[use.key]
        forms = text if isinstance(text, tuple) else (text,)
        wanted = set().union(*(fields(form) for form in forms))
        if isinstance(text, tuple):
            wanted.add("count")
        if not wanted <= use.blanks:
            unfilled.append(f"{use.where}: {use.key} needs {sorted(wanted - use.blanks)}")
    assert not unfilled, "\n".join(unfilled)


def test_a_missing_translation_is_found(tmp_path: Path) -> None:
    # The scan on a module that says a key no catalog has.
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(
        'from tutor.i18n import Sentence\nX = Sentence("no.such.key", name="a")\n'
    )
    found = list(uses(tmp_path / "pkg"))
    assert [(u.key, u.blanks) for u in found] == [("no.such.key", frozenset({"name"}))]
    assert "no.such.key" not in catalog_texts("pt-BR")


#: What carries a learner-facing sentence out of a check, an action or the engine.
RESULTS = {"CheckResult", "of", "ActionDone", "ActionFailed"} | {
    "EngineError", "EngineRefused", "BadDockerHost", "ImageNotFound", "ContainerNotFound",
    "PortInUse", "NameTaken", "BuildFailed", "PushFailed", "PullFailed", "NotOurs",
    "RegistryError", "DockerfileError", "EngineUnreachable", "EnginePermissionDenied",
}  # fmt: skip


@pytest.mark.parametrize("part", ["course", "engine"])
def test_checks_actions_and_engine_errors_build_no_english_sentences(part: str) -> None:
    english = []
    for path in sorted((PACKAGE / part).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _name(node.func) in RESULTS:
                for arg in node.args:
                    literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                    if (literal and ast.literal_eval(arg)) or isinstance(arg, ast.JoinedStr):
                        english.append(f"{path.name}:{node.lineno}: {ast.unparse(arg)}")
    assert not english, "say these with Sentence(...):\n" + "\n".join(english)
