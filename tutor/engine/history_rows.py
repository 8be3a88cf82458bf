"""Pure rules for reading ``docker image history``: no engine needed, unit-tested.

* :func:`instruction_of` turns a row's ``CreatedBy`` into the instruction a
  learner wrote (``/bin/sh -c #(nop)  CMD ["sh"]`` -> ``CMD ["sh"]``).
* :func:`align_filesystem` decides which rows add a filesystem layer.
  ``Size == 0`` does not answer that: the classic builder gives ``WORKDIR
  /app`` a real 0-byte layer (it holds the new folder) and gives a ``RUN``
  that changed nothing no layer at all (its diff was the empty tar, so the
  image config marks it ``empty_layer``). What does answer it is counting:
  each row whose ``Id`` is not ``<missing>`` names a local image, and that
  image's ``RootFS.Layers`` says how many layers exist up to that row.
* :func:`chain_ids` computes the ids under which the engine stores each layer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Instructions that only change the image config; the builder never gives them a layer.
METADATA_INSTRUCTIONS = frozenset(
    {
        *("ARG", "CMD", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL"),
        *("MAINTAINER", "ONBUILD", "SHELL", "STOPSIGNAL", "USER", "VOLUME"),
    }
)
ALL_INSTRUCTIONS = METADATA_INSTRUCTIONS | {"ADD", "COPY", "FROM", "RUN", "WORKDIR"}
_NOP = re.compile(r"#\(nop\)\s*")
_ARGS_PREFIX = re.compile(r"^\|(\d+) ")
_ARG_ITEM = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_SHELL = re.compile(r"^(?:/bin/(?:ba)?sh -c |cmd /S /C |powershell -command )", re.IGNORECASE)
_CONTENT = re.compile(r"\b(file|dir|multi):([0-9a-f]{64})\b")
#: BuildKit ends the CreatedBy of RUN, COPY and ADD rows with this.
BUILDKIT_MARK = "# buildkit"


def split_build_args(command: str) -> tuple[str, str]:
    """Split the classic builder's ``|N K=V ...`` build-argument prefix off a command.

    Args:
        command: A ``CreatedBy`` value (or the part after ``RUN`` for BuildKit).

    Returns:
        ``(prefix, rest)``; ``prefix`` is ``""`` when there is none.
    """
    found = _ARGS_PREFIX.match(command)
    if not found:
        return "", command
    count = int(found.group(1))
    tokens = command[found.end() :].split(" ")
    used = items = 0
    while items < count and used < len(tokens) and _ARG_ITEM.match(tokens[used]):
        used += 1
        items += 1
        # A value may hold spaces: until the next KEY= token, words belong to it.
        # (The last value cannot be told from the command, so it is taken as one word.)
        while items < count and used < len(tokens) and not _ARG_ITEM.match(tokens[used]):
            used += 1
    prefix = " ".join([found.group(0).strip(), *tokens[:used]])
    return prefix, " ".join(tokens[used:])


def instruction_of(created_by: str, comment: str = "") -> str:
    """The Dockerfile instruction a history row came from, as a learner would write it.

    Args:
        created_by: The row's ``CreatedBy``.
        comment: The row's ``Comment`` (``docker import`` leaves one).

    Returns:
        E.g. ``RUN pip install flask``, ``CMD ["sh"]``, ``COPY file:0123abcd4567 in /app``.
    """
    text = created_by.strip()
    if not text:
        if comment.startswith("Imported from"):
            return "(imported from a tar file with docker import)"
        return "(no instruction recorded)"
    if text.endswith(BUILDKIT_MARK):
        text = text[: -len(BUILDKIT_MARK)].rstrip()
    keyword, _, rest = text.partition(" ")
    if keyword in ALL_INSTRUCTIONS:
        # BuildKit writes the instruction itself, with "# buildkit" after RUN/COPY/ADD.
        if keyword == "RUN":
            return "RUN " + _SHELL.sub("", split_build_args(rest)[1], count=1)
        return text
    nop = _NOP.search(text)
    if nop:
        return shorten_content(text[nop.end() :].strip())
    _, command = split_build_args(text)
    return "RUN " + _SHELL.sub("", command, count=1).strip()


def shorten_content(text: str) -> str:
    """Shorten ``file:<64 hex>`` content hashes to 12 digits, as ``docker`` shows ids.

    Args:
        text: An instruction such as ``COPY file:<hash> in /app``.

    Returns:
        The same text with each content hash cut to 12 hex digits.
    """
    return _CONTENT.sub(lambda m: f"{m.group(1)}:{m.group(2)[:12]}", text)


def without_content(text: str) -> str:
    """Blank COPY/ADD content hashes, to compare two COPY rows by what they do.

    Args:
        text: A ``CreatedBy`` value.

    Returns:
        The text with every ``file:``/``dir:``/``multi:`` hash replaced by ``*``:
        equal results with different inputs mean "same COPY, other files".
    """
    return _CONTENT.sub(lambda m: f"{m.group(1)}:*", text)


def keyword_of(instruction: str) -> str:
    """The keyword of a readable instruction, to sort rows by kind.

    Args:
        instruction: E.g. ``RUN pip install flask``.

    Returns:
        Its first word in capitals (``RUN``).
    """
    return instruction.split(" ", 1)[0].upper()


def chain_ids(diff_ids: Sequence[str]) -> list[str]:
    """The chain id of each layer: the id of the stack from the base up to it.

    ``chain_id(0) = diff_id(0)``; ``chain_id(n) = sha256(chain_id(n-1) + " " +
    diff_id(n))``. Two images share a stored layer only when the chain ids match:
    the same diff on another parent is another layer.

    Args:
        diff_ids: ``RootFS.Layers``, oldest first.

    Returns:
        One chain id per diff id.
    """
    import hashlib  # here: 4 ms of a command line's start, and rarely needed

    out: list[str] = []
    for diff_id in diff_ids:
        if not out:
            out.append(diff_id)
        else:
            digest = hashlib.sha256(f"{out[-1]} {diff_id}".encode()).hexdigest()
            out.append(f"sha256:{digest}")
    return out


@dataclass(frozen=True)
class RowFacts:
    """What alignment needs of one history row.

    Attributes:
        size: The row's ``Size`` (bytes of its layer, 0 when it has none).
        created_by: The row's ``CreatedBy``.
    """

    size: int
    created_by: str


def align_filesystem(
    rows: Sequence[RowFacts], layer_counts: Mapping[int, int], total: int
) -> tuple[bool, ...] | None:
    """Decide exactly which rows add a filesystem layer, or say it cannot be decided.

    Args:
        rows: History rows, oldest first.
        layer_counts: Row index -> number of layers of the image named by that
            row's ``Id`` (``len(RootFS.Layers)``), for rows that are not ``<missing>``.
        total: Number of layers of the image itself.

    Returns:
        One flag per row, or ``None`` when the counts leave a choice open (then
        the image config's ``empty_layer`` flags must be read).
    """
    if not rows:
        return () if total == 0 else None
    checkpoints = dict(layer_counts)
    if checkpoints.get(len(rows) - 1, total) != total:
        return None
    checkpoints[len(rows) - 1] = total
    flags: list[bool] = []
    start, before = 0, 0
    for index in sorted(checkpoints):
        filled = _fill(rows[start : index + 1], checkpoints[index] - before)
        if filled is None:
            return None
        flags.extend(filled)
        start, before = index + 1, checkpoints[index]
    return tuple(flags)


def _fill(segment: Sequence[RowFacts], need: int) -> list[bool] | None:
    kinds = [_kind(row) for row in segment]
    sure, maybe = kinds.count("layer"), kinds.count("maybe")
    if need == sure:
        return [kind == "layer" for kind in kinds]
    if need == sure + maybe:
        return [kind != "empty" for kind in kinds]
    return None


def guess_filesystem(rows: Sequence[RowFacts], total: int) -> tuple[bool, ...]:
    """A best guess for when neither counting nor the image config can decide.

    Rows with bytes have a layer; metadata rows have none; 0-byte RUN/COPY/
    ADD/WORKDIR rows are given layers from the oldest up until ``total`` is met.
    """
    kinds = [_kind(row) for row in rows]
    spare = max(0, total - kinds.count("layer"))
    flags: list[bool] = []
    for kind in kinds:
        take = kind == "layer" or (kind == "maybe" and spare > 0)
        spare -= kind == "maybe" and take
        flags.append(take)
    return tuple(flags)


def _kind(row: RowFacts) -> str:
    if row.size > 0:
        return "layer"
    if keyword_of(instruction_of(row.created_by)) in METADATA_INSTRUCTIONS:
        return "empty"
    return "maybe"
