"""Reading one ``[[steps]]`` table: its action and check against the vocabulary, its texts.

Each step is checked as a whole: the action and check kinds and their
arguments (types, ``{param}`` placeholders, files that must be the lesson's
own), the prediction's answer against the choices of every language, and the
texts, which must exist in every course language with the same number of
hints and choices.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from tutor.course.arguments import StepContext, read_order
from tutor.course.model import Action, Check, Prediction, Step, StepText, frozen_map
from tutor.course.reader import Reader
from tutor.course.tomldoc import Key
from tutor.course.vocabulary import ACTIONS, CHECKS

STEP_KEYS = ("id", "command", "action", "check", "prediction", "text")
TEXT_KEYS = ("title", "body", "hints", "question", "choices", "explanation")


def read_step(ctx: StepContext, table: Mapping[str, Any], path: Key) -> Step | None:
    """The step in ``table``, or None when it has problems (recorded in ``ctx.reader``).

    Args:
        ctx: The lesson's context.
        table: The parsed ``[[steps]]`` table.
        path: Its path in the file, ``("steps", index)``.

    Returns:
        The step, or None.
    """
    r = ctx.reader
    before = len(r.problems)
    r.unknown_keys(table, path, STEP_KEYS)
    step_id = r.ident(table, path)
    command = r.text(table, path, "command", required=False)
    r.known_params((*path, "command"), command, ctx.params)
    action = read_order(ctx, table, (*path, "action"), ACTIONS)
    check = read_order(ctx, table, (*path, "check"), CHECKS)
    answer = _answer(r, table, path)
    texts = _texts(ctx, table, path)
    _agree(r, path, texts, "prediction" in table, answer, check)
    if len(r.problems) > before or step_id is None or check is None:
        return None
    return Step(
        id=step_id,
        command=command,
        check=Check(check[0], frozen_map(check[1])),
        action=Action(action[0], frozen_map(action[1])) if action else None,
        prediction=Prediction(answer - 1) if answer is not None else None,
        text=MappingProxyType(texts),
        line=r.lines.line_of(path),
    )


def _answer(r: Reader, table: Mapping[str, Any], path: Key) -> int | None:
    where = (*path, "prediction")
    prediction = r.get(table, path, "prediction", "table", required=False)
    if prediction is None:
        return None
    r.unknown_keys(prediction, where, ("answer",))
    answer = r.get(prediction, where, "answer", "integer")
    if answer is not None and answer < 1:
        r.problem((*where, "answer"), "steps.prediction.answer counts the choices from 1")
        return None
    return int(answer) if answer is not None else None


def _texts(ctx: StepContext, table: Mapping[str, Any], path: Key) -> dict[str, StepText]:
    r = ctx.reader
    texts = r.get(table, path, "text", "table") or {}
    r.unknown_keys(texts, (*path, "text"), ctx.languages)
    result: dict[str, StepText] = {}
    for lang in ctx.languages if "text" in table else ():
        where = (*path, "text", lang)
        if lang not in texts:
            r.problem(
                path,
                f"steps.text.{lang} is missing: every step needs its words in "
                f"{' and '.join(ctx.languages)}",
            )
            continue
        t = r.get(texts, (*path, "text"), lang, "table")
        if t is None:
            continue
        r.unknown_keys(t, where, TEXT_KEYS)
        words = {
            key: r.text(t, where, key, required=key == "title")
            for key in ("title", "body", "question", "explanation")
        }
        lists = {
            key: r.get(t, where, key, "strings", required=False) or []
            for key in ("hints", "choices")
        }
        for key, value in words.items():
            r.known_params((*where, key), value, ctx.params)
        for key, items in lists.items():
            for i, item in enumerate(items):
                r.known_params((*where, key, i), item, ctx.params)
                if not item.strip():
                    r.problem((*where, key, i), f"steps.text.{lang}.{key}: item {i + 1} is empty")
        result[lang] = StepText(
            title=words["title"],
            body=words["body"],
            hints=tuple(lists["hints"]),
            question=words["question"],
            choices=tuple(lists["choices"]),
            explanation=words["explanation"],
        )
    return result


def _agree(
    r: Reader,
    path: Key,
    texts: Mapping[str, StepText],
    asks: bool,
    answer: int | None,
    check: tuple[str, dict[str, object]] | None,
) -> None:
    """The languages agree with each other and with the prediction."""
    langs = list(texts)
    for lang in langs[1:]:
        for key in ("hints", "choices"):
            mine, first = len(getattr(texts[lang], key)), len(getattr(texts[langs[0]], key))
            if mine != first:
                r.problem(
                    (*path, "text", lang, key),
                    f"steps.text.{lang}.{key} has {mine} "
                    f"but steps.text.{langs[0]}.{key} has {first}",
                )
    if not asks:
        for lang, words in texts.items():
            if words.question or words.choices:
                key = "question" if words.question else "choices"
                r.problem(
                    (*path, "text", lang, key),
                    f"steps.text.{lang}.{key}: a question "
                    "needs [steps.prediction] with the number of the right answer",
                )
        if check is not None and check[0] == "answered":
            r.problem(
                (*path, "check"),
                "check answered needs a prediction question: add "
                "[steps.prediction] and a question with choices",
            )
        return
    for lang, words in texts.items():
        if not words.question.strip():
            r.problem(
                (*path, "text", lang),
                f"steps.text.{lang}.question is missing (the step has a prediction)",
            )
        if len(words.choices) < 2:
            r.problem(
                (*path, "text", lang, "choices"),
                f"steps.text.{lang}.choices must offer at "
                "least 2 choices (the step has a prediction)",
            )
        elif answer is not None and answer > len(words.choices):
            r.problem(
                (*path, "prediction", "answer"),
                f"steps.prediction.answer is {answer} "
                f"but steps.text.{lang}.choices has {len(words.choices)} choices",
            )
