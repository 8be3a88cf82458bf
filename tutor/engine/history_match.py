"""Whether an image's history is what a Dockerfile makes: pure rules, no engine needed.

A learner may build a lesson's image in a terminal instead of through the
tutor; then it carries no tutor label, and only its history can say where it
came from. The history is the base image's rows with one row per instruction
of the Dockerfile's last stage on top (newest first), so an image counts as
built from a Dockerfile when:

1. its oldest rows are exactly the rows of the ``FROM`` image;
2. the rows above them say, in order, the Dockerfile's instructions.

Rows are compared by what they do, not by how a builder wrote them down:
the classic builder writes ``/bin/sh -c #(nop)  CMD ["python" "app.py"]`` and
``COPY file:<hash> in /app.py``, BuildKit ``CMD ["python" "app.py"]`` and
``COPY app.py /app.py # buildkit``; a ``COPY``/``ADD`` row is matched by its
destination, since the source names are gone from the classic row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.engine.dockerfile_steps import BuildStep
from tutor.engine.history_rows import BUILDKIT_MARK, instruction_of, keyword_of

_PUNCTUATION = re.compile(r'[\[\],"]')


@dataclass(frozen=True)
class Row:
    """The two fields of a history row that say what made it.

    Attributes:
        created_by: The row's ``CreatedBy``.
        comment: The row's ``Comment``.
    """

    created_by: str
    comment: str = ""


@dataclass(frozen=True)
class Mismatch:
    """Where an image's history parts from the Dockerfile.

    Attributes:
        base: The history does not begin with the ``FROM`` image's rows.
        number: The Dockerfile step number that is not in the history
            (``None`` when the history has a row more than the Dockerfile).
        expected: That step's instruction ("" with ``number`` None).
        found: The history's instruction at that place ("" when it has none).
    """

    base: bool = False
    number: int | None = None
    expected: str = ""
    found: str = ""


def base_of(steps: Sequence[BuildStep]) -> str:
    """The image the Dockerfile's last stage is built ``FROM`` ("" when none)."""
    froms = [s for s in steps if s.keyword == "FROM"]
    if not froms:
        return ""
    words = [w for w in froms[-1].instruction.split()[1:] if not w.startswith("--")]
    return words[0] if words else ""


def first_mismatch(
    steps: Sequence[BuildStep], rows: Sequence[Row], base_rows: Sequence[Row] | None
) -> Mismatch | None:
    """Compare an image's history with the Dockerfile it should come from.

    Args:
        steps: The Dockerfile's steps (``read_steps``).
        rows: The image's history, newest first.
        base_rows: The ``FROM`` image's history, newest first; ``None`` when
            that image is not on the engine.

    Returns:
        ``None`` when the history is the Dockerfile's, else the first difference.
    """
    if base_rows is None or len(rows) < len(base_rows):
        return Mismatch(base=True)
    own_count = len(rows) - len(base_rows)
    if [r.created_by for r in rows[own_count:]] != [r.created_by for r in base_rows]:
        return Mismatch(base=True)
    last_from = max((s.number for s in steps if s.keyword == "FROM"), default=0)
    wanted = [s for s in steps if s.number > last_from and s.keyword != "ARG"]
    made = [instruction_of(r.created_by, r.comment) for r in reversed(rows[:own_count])]
    for index, step in enumerate(wanted):
        found = made[index] if index < len(made) else ""
        if not same_instruction(step.instruction, found):
            return Mismatch(number=step.number, expected=step.instruction, found=found)
    if len(made) > len(wanted):
        return Mismatch(found=made[len(wanted)])
    return None


def same_instruction(written: str, recorded: str) -> bool:
    """Whether a history row's instruction does what the Dockerfile line says.

    Args:
        written: The Dockerfile's instruction (``COPY app.py /app.py``).
        recorded: The row's instruction (:func:`~tutor.engine.history_rows.instruction_of`).

    Returns:
        True when they do the same thing.
    """
    recorded = recorded.removesuffix(BUILDKIT_MARK).strip()
    keyword = keyword_of(written)
    if not recorded or keyword != keyword_of(recorded):
        return False
    if keyword in {"COPY", "ADD"}:
        return _words(written)[-1:] == _words(recorded)[-1:]
    return _words(written) == _words(recorded)


def _words(instruction: str) -> list[str]:
    return _PUNCTUATION.sub(" ", instruction).split()
