"""The progress file's text: written and read here, in a strict subset of TOML.

One file per course and namespace (see :mod:`tutor.progress` for where)::

    # layers-tutor progress. Written by the tutor, read back on start.
    format = 1
    course = "docker-layers"
    namespace = "alice"
    language = "pt-BR"
    lesson = "03-cache"
    step = "rebuild"

    [lessons."01-first-image"]
    done = true
    steps = ["write", "build"]
    answers."predict-size" = 1

    [end]

* One ``key = value`` per line; a value is a double-quoted string (JSON
  escapes), an integer, ``true``/``false`` or a list of strings. ``#`` starts a
  comment line (never after a value); blank lines are ignored.
* ``lesson``/``step``: where the learner left off (``""``: not yet started).
* ``steps`` lists the steps done, in the order the learner did them;
  ``answers."STEP"`` is the 0-based choice given to that step's prediction.
* The last line is ``[end]``: a file without it was cut short, and is treated
  as damaged like any file that does not follow these rules.

Nothing here imports Textual.
"""

from __future__ import annotations

import json
import re

from tutor.progress import LessonProgress, Progress

#: The version of the format this module writes; newer files are not guessed at.
FORMAT = 1

_HEADER = re.compile(r'\[lessons\.("(?:[^"\\]|\\.)*")\]')
_ANSWER = re.compile(r'answers\.("(?:[^"\\]|\\.)*")')
_BARE = re.compile(r"[A-Za-z0-9_-]+")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_TOP_KEYS = ("format", "course", "namespace", "language", "lesson", "step")


class FormatError(ValueError):
    """The progress file does not follow the format above; the message says where."""


def render(progress: Progress) -> str:
    """The text of a progress file, in the format the module docstring describes."""
    lines = [
        "# layers-tutor progress. Written by the tutor, read back on start;",
        "# the format is described in tutor/progress_format.py.",
        f"format = {FORMAT}",
        *(f"{key} = {_quote(getattr(progress, key))}" for key in _TOP_KEYS[1:]),
    ]
    for lesson_id, record in progress.lessons.items():
        lines += [
            "",
            f"[lessons.{_quote(lesson_id)}]",
            f"done = {'true' if record.done else 'false'}",
            f"steps = [{', '.join(_quote(s) for s in record.steps_done)}]",
            *(f"answers.{_quote(step)} = {int(n)}" for step, n in record.answers.items()),
        ]
    return "\n".join([*lines, "", "[end]", ""])


def parse(text: str) -> Progress:
    """Read the text of a progress file, refusing anything the format does not allow.

    Raises:
        FormatError: the text is cut short, malformed, or of another format.
    """
    rows = [(n, raw.strip()) for n, raw in enumerate(text.split("\n"), 1)]
    rows = [(n, line) for n, line in rows if line and not line.startswith("#")]
    if not rows or rows[-1][1] != "[end]":
        raise FormatError("it ends before its [end] line (cut short while being written?)")
    top: dict[str, object] = {}
    lessons: dict[str, LessonProgress] = {}
    record: LessonProgress | None = None
    seen: set[str] = set()
    for n, line in rows[:-1]:
        header = _HEADER.fullmatch(line)
        if header:
            lesson_id = _string(header.group(1), n)
            if lesson_id in lessons:
                raise FormatError(f"line {n}: lesson {lesson_id!r} appears twice")
            record, seen = lessons.setdefault(lesson_id, LessonProgress()), set()
            continue
        key, eq, raw = (part.strip() for part in line.partition("="))
        answer = _ANSWER.fullmatch(key)
        if not eq or not (_BARE.fullmatch(key) or answer):
            raise FormatError(f"line {n}: expected `key = value`, found {line[:40]!r}")
        value = _value(raw, n)
        if key in (top if record is None else seen):
            raise FormatError(f"line {n}: {key} is given twice")
        if record is None:
            wanted = int if key == "format" else str
            if key not in _TOP_KEYS or not isinstance(value, wanted) or isinstance(value, bool):
                raise FormatError(f"line {n}: unexpected {key} = {raw[:40]}")
            top[key] = value
        elif key == "done" and isinstance(value, bool):
            record.done = value
        elif key == "steps" and isinstance(value, list):
            record.steps_done = list(dict.fromkeys(value))
        elif answer and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            record.answers[_string(answer.group(1), n)] = value
        else:
            raise FormatError(f"line {n}: unexpected {key} = {raw[:40]}")
        seen.add(key)
    return _progress(top, lessons)


def _progress(top: dict[str, object], lessons: dict[str, LessonProgress]) -> Progress:
    if top.get("format") != FORMAT:
        raise FormatError(f"it is of format {top.get('format')!r}; this tutor reads {FORMAT}")
    for key in ("course", "namespace"):
        if key not in top:
            raise FormatError(f"it does not say its {key}")
    text = {k: str(top.get(k, "")) for k in _TOP_KEYS}
    return Progress(
        course=text["course"],
        namespace=text["namespace"],
        language=text["language"],
        lesson=text["lesson"],
        step=text["step"],
        lessons=lessons,
    )


def _quote(text: str) -> str:
    """A double-quoted string that both TOML and JSON read back the same."""
    return json.dumps(text, ensure_ascii=False)


def _string(raw: str, n: int) -> str:
    value = _value(raw, n)
    if not isinstance(value, str):
        raise FormatError(f"line {n}: {raw[:40]} is not a quoted name")
    return value


def _value(raw: str, n: int) -> object:
    """One value: a quoted string, an integer, true/false, or a list of strings."""
    if raw in ("true", "false"):
        return raw == "true"
    if _INT.fullmatch(raw):
        try:
            return int(raw)
        except ValueError:  # more digits than Python converts (4,300): not ours
            raise FormatError(f"line {n}: a number of {len(raw)} digits") from None
    if raw[:1] in ('"', "["):
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError):  # RecursionError: "[[[[..." nested too deep
            value = None
        if isinstance(value, str) or (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
        ):
            return value
    raise FormatError(f"line {n}: {raw[:40]!r} is not a value this file may hold")
