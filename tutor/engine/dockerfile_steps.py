"""A Dockerfile as the classic builder will run it: numbered steps tied to file lines.

The classic builder prints ``Step N/M : INSTRUCTION`` and counts *every*
instruction as a step, ``FROM`` and ``ARG`` lines before the first ``FROM``
included. Parsing the file with Docker's own parser (the ``dockerfile``
package wraps the Go code the engine uses) lets the build log point at the
lines of the file that a step came from, and lets us refuse a file the
engine would refuse with a message that names the line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import dockerfile

from tutor.engine.errors import BuildFailed
from tutor.sentence import Sentence

#: Instructions the classic builder knows (heredocs and ``# syntax`` are BuildKit's).
KNOWN_INSTRUCTIONS = frozenset(c.upper() for c in dockerfile.all_cmds())
#: How many lines we re-parse to find where a parse error sits (beyond that: no line).
_LOCATE_LIMIT = 2000
_SPACES = re.compile(r"\s+")
_ENGINE_LINE = re.compile(r"\bline (\d+)\b")


def _empty_file_error() -> str:
    try:
        dockerfile.parse_string("")
    except dockerfile.GoParseError as exc:
        return str(exc)
    return ""


#: What the parser says about a file without instructions (no line to point at).
_EMPTY_FILE_ERROR = _empty_file_error()


class DockerfileError(BuildFailed):
    """A Dockerfile the engine would refuse, with the line at fault when known.

    Args:
        message: What is wrong, in the learner's words.
        hint: What to do about it.
        line: The 1-based line in the Dockerfile, or ``None`` when unknown.
    """

    def __init__(self, message: str, hint: str = "", line: int | None = None) -> None:
        super().__init__(message, hint)
        self.line = line


@dataclass(frozen=True)
class BuildStep:
    """One instruction of the Dockerfile, numbered as ``docker build`` numbers it.

    Attributes:
        number: 1-based step number (``Step N/M``).
        keyword: The instruction in capitals: ``FROM``, ``RUN``, ``COPY``...
        instruction: A one-line readable form (keyword in capitals, spaces
            folded), e.g. ``RUN pip install flask``.
        start_line: First line of the instruction in the file (1-based).
        end_line: Last line (differs from ``start_line`` after ``\\`` continuations).
        stage: 0-based build stage (each ``FROM`` starts one); -1 for ``ARG``
            lines before the first ``FROM``.
    """

    number: int
    keyword: str
    instruction: str
    start_line: int
    end_line: int
    stage: int


def readable(original: str) -> str:
    """Fold an instruction's text onto one line with its keyword in capitals.

    Args:
        original: The instruction as the parser joined it (continuations removed).

    Returns:
        E.g. ``RUN echo a b`` for ``run echo a \\`` + ``   b``.
    """
    text = _SPACES.sub(" ", original.strip())
    keyword, _, rest = text.partition(" ")
    return f"{keyword.upper()} {rest}".rstrip()


def parse_steps(text: str) -> tuple[BuildStep, ...]:
    """Parse Dockerfile text into the steps the classic builder will run.

    Args:
        text: The whole Dockerfile.

    Returns:
        The steps in order, numbered from 1.

    Raises:
        DockerfileError: the engine would refuse this file (syntax error,
            unknown instruction, heredoc, no ``FROM``); ``line`` says where
            when that can be known.
    """
    try:
        commands: Sequence[dockerfile.Command] = dockerfile.parse_string(text)
    except dockerfile.GoParseError as exc:
        line = locate_error(text, str(exc))
        raise DockerfileError(
            _with_line(str(exc), line), Sentence("engine.dockerfile.fix_line"), line
        ) from exc
    steps: list[BuildStep] = []
    stage = -1
    for number, command in enumerate(commands, start=1):
        keyword = command.cmd.upper()
        if keyword not in KNOWN_INSTRUCTIONS:
            raise DockerfileError(
                _with_line(f"unknown instruction: {command.cmd}", command.start_line),
                Sentence("engine.dockerfile.spelling"),
                command.start_line,
            )
        if command.heredocs:
            raise DockerfileError(
                _with_line(Sentence("engine.dockerfile.heredoc"), command.start_line),
                Sentence("engine.dockerfile.heredoc.hint"),
                command.start_line,
            )
        if keyword == "FROM":
            stage += 1
        elif stage < 0 and keyword != "ARG":
            raise DockerfileError(
                _with_line(
                    Sentence("engine.dockerfile.before_from", keyword=keyword), command.start_line
                ),
                Sentence("engine.dockerfile.before_from.hint"),
                command.start_line,
            )
        steps.append(
            BuildStep(
                number=number,
                keyword=keyword,
                instruction=readable(command.original),
                start_line=command.start_line,
                end_line=command.end_line,
                stage=stage,
            )
        )
    if stage < 0:
        raise DockerfileError(
            Sentence("engine.dockerfile.no_from"), Sentence("engine.dockerfile.no_from.hint")
        )
    return tuple(steps)


def read_steps(path: Path) -> tuple[BuildStep, ...]:
    """Read and parse a Dockerfile from disk.

    Args:
        path: The Dockerfile.

    Returns:
        Its steps (see :func:`parse_steps`).

    Raises:
        BuildFailed: the file cannot be read.
        DockerfileError: it cannot be parsed.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildFailed(
            Sentence("engine.dockerfile.unreadable", path=path, why=exc),
            Sentence("engine.dockerfile.unreadable.hint"),
        ) from exc
    return parse_steps(text)


def locate_error(text: str, message: str) -> int | None:
    """Find the line of a parse error the Go parser reported without one.

    The parser raises the same message as soon as the broken instruction is
    part of the text, so the first prefix of the file that reproduces the
    message ends on the line at fault.

    Args:
        text: The Dockerfile.
        message: The parser's message.

    Returns:
        The 1-based line, or ``None`` when no prefix reproduces it (e.g. an
        empty file).
    """
    if message == _EMPTY_FILE_ERROR:
        return None  # the whole file is at fault, not a line
    lines = text.splitlines(keepends=True)
    for end in range(1, min(len(lines), _LOCATE_LIMIT) + 1):
        try:
            dockerfile.parse_string("".join(lines[:end]))
        except dockerfile.GoParseError as exc:
            if str(exc) == message:
                return end
    return None


def engine_parse_error(message: str) -> DockerfileError:
    """Turn the engine's refusal of a Dockerfile (HTTP 400) into a typed error.

    Args:
        message: The engine's explanation, e.g. ``dockerfile parse error line
            2: unknown instruction: FOO``.

    Returns:
        A :class:`DockerfileError` carrying the line the engine named, if any.
    """
    found = _ENGINE_LINE.search(message)
    return DockerfileError(
        Sentence("engine.dockerfile.refused", message=message),
        Sentence("engine.dockerfile.fix"),
        int(found.group(1)) if found else None,
    )


def _with_line(message: str, line: int | None) -> str:
    if line:
        return Sentence("engine.dockerfile.at_line", line=line, message=message)
    return Sentence("engine.dockerfile.says", message=message)
