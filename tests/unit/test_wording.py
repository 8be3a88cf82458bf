"""Words for order that cannot be read two ways (issue 12, finding 13).

"Em cima" meant two things: the lesson said "o que muda pouco, em cima; o que
muda sempre, embaixo" (the order of the lines in the Dockerfile) while the
Layers panel said "A mais nova no topo" (the order in the stack, where the
*last* line's layer is on top). So the course keeps one convention, in both
languages: up and down (em cima, embaixo, no topo, top, bottom) describe the
layer stack and the history table that prints it; the Dockerfile and the
build output, which run the other way, are said with first and last, start
and end, before and after. These tests keep the old phrasings from coming back.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tutor.course.loader import default_course_root
from tutor.i18n import LOCALE, read_po

#: Phrasings that place Dockerfile lines or build output with up/down words.
FILE_ORDER_IN_UP_DOWN = [
    r"\b(em cima|embaixo|no topo|no alto|acima|abaixo) (do|no) (seu )?Dockerfile",
    r"\b(top|bottom) of (the|your|a) Dockerfile",
    r"\bmuda\w* (pouco|sempre|muito),? (vai |fica )?(em cima|embaixo|no topo|no alto)",
    r"\bchang\w* (rarely|often|always|little),? (goes )?(at )?(the )?(top|bottom|above|below)",
    r"\b(executad\w*|lid\w*|leia) de cima para baixo",
    r"\b(carried out|run|read)( it)? from top to bottom",
]


def prose_files() -> list[Path]:
    root = default_course_root()
    return sorted(p for p in root.rglob("*") if p.suffix in {".md", ".toml"})


def catalog_texts() -> dict[str, str]:
    """Every text of the tutor's catalogs, keyed ``language:key`` (plural forms joined)."""
    texts = {}
    for path in sorted(LOCALE.glob("*.po")):
        for key, text in read_po(path).texts.items():
            texts[f"{path.stem}:{key}"] = text if isinstance(text, str) else " / ".join(text)
    return texts


def flat(text: str) -> str:
    """One line: TOML's line-ending backslashes and Markdown's wrapping undone."""
    return " ".join(text.replace("\\\n", " ").split())


def offending(text: str) -> list[str]:
    said = flat(text)
    return [m.group(0) for p in FILE_ORDER_IN_UP_DOWN for m in re.finditer(p, said, re.I)]


@pytest.mark.parametrize(
    "text",
    [
        "o que muda pouco, em cima; o que muda sempre, embaixo",
        "uma lista de instruções, executadas de cima para baixo",
        "Leia de cima para baixo:",
        "what changes rarely goes at the top",
        "instructions carried out from top to bottom",
        "put it at the bottom of the Dockerfile",
    ],
)
def test_the_old_phrasings_are_caught(text: str) -> None:
    assert offending(text)


def test_no_lesson_places_dockerfile_lines_with_up_and_down() -> None:
    found = {str(p): offending(p.read_text(encoding="utf-8")) for p in prose_files()}
    assert {p: words for p, words in found.items() if words} == {}


def test_no_catalog_text_places_dockerfile_lines_with_up_and_down() -> None:
    found = {key: offending(text) for key, text in catalog_texts().items()}
    assert {key: words for key, words in found.items() if words} == {}


def test_the_layers_panel_says_its_order_is_the_stacks() -> None:
    texts = catalog_texts()
    assert "pilha" in texts["pt-BR:layers.order"].lower()
    assert "stack" in texts["en:layers.order"].lower()
    # Any catalog text that puts the newest layer up must say it is the stack's up.
    for key, text in texts.items():
        newest_up = re.search(
            r"(mais nova|newest)\W+(\w+\W+){0,3}(no topo|no alto|on top|at the top)", text, re.I
        )
        if newest_up:
            assert re.search(r"\b(pilha|stack)\b", text, re.I), key


def test_the_cache_rule_says_where_in_the_file() -> None:
    """Lesson 5's rule, in both languages: start and end of the Dockerfile."""
    root = default_course_root()
    lesson = flat((root / "05-cache" / "lesson.toml").read_text(encoding="utf-8"))
    assert "o que muda pouco vai no começo do Dockerfile; o que muda sempre, no fim" in lesson
    assert "rarely changes goes early in the Dockerfile; what always changes, at the end" in lesson
