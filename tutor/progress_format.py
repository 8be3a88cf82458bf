"""The progress file's text: TOML, written with tomli-w and read with tomllib.

One file per course and namespace (see :mod:`tutor.progress_store` for where)::

    # layers-tutor progress. Written by the tutor, read back on start;
    # the format is described in tutor/progress_format.py.
    format = 1
    course = "docker-layers"
    namespace = "alice"
    language = "pt-BR"
    lesson = "03-cache"
    step = "rebuild"

    [lessons.01-first-image]
    done = true
    steps = [
        "write",
        "build",
    ]

    [lessons.01-first-image.answers]
    predict-size = 1

    [end]

* ``format`` is 1; ``course`` and ``namespace`` say whose file it is.
* ``lesson``/``step``: where the learner left off (``""``: not yet started).
* ``steps`` lists the steps done, in the order the learner did them;
  ``answers`` maps a step to the 0-based choice given to its prediction.
* The last table is an empty ``[end]``: a file without it was cut short, and
  is treated as damaged like any file that is not TOML or holds another
  key, type or shape than these.

Files written before the tutor used tomli-w (``[lessons."01-first-image"]``
headers, ``answers."predict-size" = 1`` lines, lists on one line) are the
same TOML document, so they are read as they are and written in this layout
at the next save: nothing to migrate by hand.

Nothing here imports Textual.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

import tomli_w

from tutor.progress import LessonProgress, Progress

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project's dependency on 3.10
    import tomli as tomllib

#: The version of the format this module writes; newer files are not guessed at.
FORMAT = 1

HEADER = (
    "# layers-tutor progress. Written by the tutor, read back on start;\n"
    "# the format is described in tutor/progress_format.py.\n"
)
_TOP_KEYS = ("format", "course", "namespace", "language", "lesson", "step")
_LESSON_KEYS = {"done", "steps", "answers"}


class FormatError(ValueError):
    """The progress file does not follow the format above; the message says where."""


def render(progress: Progress) -> str:
    """The text of a progress file, in the format the module docstring describes."""
    lessons: dict[str, object] = {}
    for lesson_id, record in progress.lessons.items():
        table: dict[str, object] = {"done": record.done, "steps": list(record.steps_done)}
        if record.answers:
            table["answers"] = {step: int(n) for step, n in record.answers.items()}
        lessons[lesson_id] = table
    data: dict[str, object] = {"format": FORMAT}
    data.update({key: getattr(progress, key) for key in _TOP_KEYS[1:]})
    if lessons:
        data["lessons"] = lessons
    data["end"] = {}  # last: a file cut short has no [end]
    return HEADER + tomli_w.dumps(data)


def parse(text: str) -> Progress:
    """Read the text of a progress file, refusing anything the format does not allow.

    Raises:
        FormatError: the text is cut short, not TOML, or of another shape or format.
    """
    rows = [line.strip() for line in text.split("\n")]
    rows = [line for line in rows if line and not line.startswith("#")]
    if not rows or rows[-1] != "[end]":
        raise FormatError("it ends before its [end] line (cut short while being written?)")
    try:
        data = tomllib.loads(text)
    except (ValueError, RecursionError) as exc:  # ValueError: TOMLDecodeError, huge ints
        raise FormatError(f"it is not TOML the tutor wrote: {exc}") from None
    if data.get("format") != FORMAT or isinstance(data.get("format"), bool):
        raise FormatError(f"it is of format {data.get('format')!r}; this tutor reads {FORMAT}")
    unknown = set(data) - {*_TOP_KEYS, "lessons", "end"}
    if unknown:
        raise FormatError(f"unexpected {sorted(unknown)[0]}")
    if data.get("end") != {}:
        raise FormatError("[end] must be the last table, and empty")
    for key in ("course", "namespace"):
        if key not in data:
            raise FormatError(f"it does not say its {key}")
    top = {key: data.get(key, "") for key in _TOP_KEYS[1:]}
    for key, value in top.items():
        if not isinstance(value, str):
            raise FormatError(f"unexpected {key} = {value!r:.40}")
    lessons = data.get("lessons", {})
    if not isinstance(lessons, dict):
        raise FormatError("lessons must be tables")
    return Progress(
        course=top["course"],
        namespace=top["namespace"],
        language=top["language"],
        lesson=top["lesson"],
        step=top["step"],
        lessons={lesson_id: _lesson(lesson_id, t) for lesson_id, t in lessons.items()},
    )


def _lesson(lesson_id: str, table: object) -> LessonProgress:
    """One ``[lessons.ID]`` table, checked key by key."""
    where = f"lesson {lesson_id!r}"
    if not isinstance(table, dict):
        raise FormatError(f"{where} is not a table")
    unknown = set(table) - _LESSON_KEYS
    if unknown:
        raise FormatError(f"{where}: unexpected {sorted(unknown)[0]}")
    done, steps, answers = (
        table.get("done", False),
        table.get("steps", []),
        table.get("answers", {}),
    )
    if not isinstance(done, bool):
        raise FormatError(f"{where}: done must be true or false")
    if not isinstance(steps, list) or not all(isinstance(s, str) for s in steps):
        raise FormatError(f"{where}: steps must be a list of step ids")
    if not isinstance(answers, Mapping) or not all(_is_choice(n) for n in answers.values()):
        raise FormatError(f"{where}: answers must be 0-based choices")
    return LessonProgress(list(dict.fromkeys(steps)), done, dict(answers))


def _is_choice(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
