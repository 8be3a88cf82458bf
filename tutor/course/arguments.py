"""Checking an ``action`` or ``check`` table against the vocabulary.

The kind must be known; each argument must be one the kind takes, of its
type, with ``{param}`` placeholders that name course parameters, and files
that are the lesson's own. A few rules tie two arguments together (a build's
Dockerfile is a lesson file inside its context; ``build_cached`` never lists
a step as both cached and built).
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tutor.course.model import Value
from tutor.course.reader import Reader, describe, did_you_mean, is_a
from tutor.course.tomldoc import Key
from tutor.course.vocabulary import Arg, Kind, placeholders


@dataclass(frozen=True)
class StepContext:
    """What a step is checked against.

    Attributes:
        reader: The lesson file's reader (problems go there).
        languages: The course languages every text must exist in.
        params: The course parameters placeholders may name.
        files: The names of the lesson's files; None when ``[lesson] files`` could
            not be read, so that its one problem is not repeated at every step.
    """

    reader: Reader
    languages: tuple[str, ...]
    params: Mapping[str, Value]
    files: frozenset[str] | None


def read_order(
    ctx: StepContext, step: Mapping[str, Any], where: Key, table: Mapping[str, Kind]
) -> tuple[str, dict[str, object]] | None:
    r, what = ctx.reader, str(where[-1])
    spec = r.get(step, where[:-1], what, "table", required=what == "check")
    if spec is None:
        return None
    name = r.get(spec, where, "kind", "string")
    kind = table.get(name) if name is not None else None
    if name is not None and kind is None:
        r.problem((*where, "kind"), f"unknown {what} kind {name!r}{did_you_mean(name, table)}")
    if kind is None:
        return None
    args: dict[str, object] = {}
    for key, value in spec.items():
        arg = kind.arg(key)
        if key == "kind":
            continue
        if arg is None:
            known = [a.name for a in kind.args]
            r.problem(
                (*where, key),
                f"{what} {name} has no argument {key!r}"
                f"{did_you_mean(key, known) if known else ' (it takes none)'}",
            )
            continue
        problem = _arg_problem(ctx, arg, value)
        if problem:
            r.problem((*where, key), f"{what} {name}: {key} {problem}")
        args[key] = tuple(value) if isinstance(value, list) else value
    for arg in kind.args:
        if arg.name not in spec and arg.required:
            r.problem(where, f"{what} {name} needs the argument {arg.name!r}")
        elif arg.name not in spec and arg.default is not None:
            args[arg.name] = arg.default
    _together(ctx, where, kind.name, args)
    return kind.name, args


def _arg_problem(ctx: StepContext, arg: Arg, value: object) -> str | None:
    many = arg.type in ("texts", "ints", "files")
    numbers = arg.type in ("int", "ints")
    if many and not isinstance(value, list):
        return f"must be a list, not {describe(value)}"
    items = value if isinstance(value, list) else [value]
    if many and len(items) < arg.min_items:
        return f"must list at least {arg.min_items} items"
    for item in items:
        problem = _number_problem(ctx, arg, item) if numbers else _text_problem(ctx, arg, item)
        if problem:
            return problem
    return None


def _number_problem(ctx: StepContext, arg: Arg, item: object) -> str | None:
    if isinstance(item, str):
        names = placeholders(item)
        named = ctx.params.get(names[0]) if len(names) == 1 else None
        if item == f"{{{names[0] if names else ''}}}" and is_a("integer", named):
            return None
        return f"must be a whole number or a {{param}} naming one, not {describe(item)}"
    if not is_a("integer", item):
        return f"must be a whole number, not {describe(item)}"
    if arg.minimum is not None and isinstance(item, int) and item < arg.minimum:
        return f"must be at least {arg.minimum}, not {item}"
    return None


def _text_problem(ctx: StepContext, arg: Arg, item: object) -> str | None:
    if not isinstance(item, str):
        return f"must be a string, not {describe(item)}"
    for name in placeholders(item):
        if name not in ctx.params:
            return f"uses unknown parameter {{{name}}}{did_you_mean(name, ctx.params)}"
    if arg.type in ("file", "files") and ctx.files is not None and item not in ctx.files:
        return (
            f"{item!r} is not one of the lesson's files ({', '.join(sorted(ctx.files)) or 'none'})"
        )
    if arg.type == "choice" and item not in arg.choices:
        return f"must be one of {', '.join(arg.choices)}, not {item!r}"
    return None


def _together(ctx: StepContext, where: Key, kind: str, args: Mapping[str, object]) -> None:
    """Rules that involve two arguments of one kind."""
    r = ctx.reader
    context, dockerfile = args.get("context"), args.get("dockerfile")
    if kind == "build" and isinstance(context, str) and isinstance(dockerfile, str):
        joined = posixpath.normpath(posixpath.join(context, dockerfile))
        if ctx.files is not None and joined not in ctx.files:
            r.problem(
                (*where, "dockerfile"),
                f"action build: {joined!r} (the Dockerfile in "
                f"context {context!r}) is not one of the lesson's files",
            )
    if kind == "run" and ("port" in args) != ("container_port" in args):
        r.problem(where, "action run: give port and container_port together")
    if kind == "build_cached":
        cached, built = args.get("cached", ()), args.get("built", ())
        if isinstance(cached, tuple) and isinstance(built, tuple):
            both = set(cached) & set(built)
            if both:
                r.problem(where, f"check build_cached: step {min(both)} is both cached and built")
            if not cached and not built:
                r.problem(where, "check build_cached: list at least one step in cached or built")
