"""Filling ``{param}`` placeholders into commands, arguments and a teacher's overrides.

A lesson says ``docker image build -t {image} .``; the learner sees (and the
tutor runs) the command with the session's value in its place. Here are the
rules for that, with no engine involved:

* a placeholder is ``{`` + a name + ``}``; ``{{...}}`` (a Go template in
  ``docker --format``) is left alone;
* a placeholder that names no parameter is a lesson bug, reported as a
  :class:`ParamError` rather than shown to the learner as ``{imgae}``;
* a parameter may name others (``repository = "{registry}/app"``);
* an argument that is exactly one placeholder keeps the parameter's type, so
  ``port = "{port}"`` stays a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tutor.course.model import Value
from tutor.course.vocabulary import PLACEHOLDER, fill_known, placeholders


class ParamError(ValueError):
    """A template names a parameter the course does not define (a lesson bug)."""


def fill(template: str, params: Mapping[str, Value]) -> str:
    """Replace every ``{param}`` in ``template`` by its value.

    Args:
        template: Text such as ``docker build -t {image} .``.
        params: The resolved parameters.

    Returns:
        The text with every placeholder replaced.

    Raises:
        ParamError: a placeholder names no parameter (so a lesson typo shows
            up as a clear message, not as a command with ``{imgae}`` in it).
    """

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in params:
            known = ", ".join(sorted(params)) or "none"
            raise ParamError(f"Unknown parameter {{{name}}} in {template!r} (known: {known}).")
        value = params[name]
        # A parameter may name others (repository = "{registry}/python-hello-world").
        return fill_known(value, params) if isinstance(value, str) else str(value)

    return PLACEHOLDER.sub(replace, template)


def expand(params: Mapping[str, Value]) -> dict[str, Value]:
    """The parameters with references to other parameters filled in.

    Args:
        params: Raw values, e.g. ``repository = "{registry}/python-hello-world"``.

    Returns:
        The values as a learner sees them (``127.0.0.1:5000/python-hello-world``).
    """
    return {k: fill_known(v, params) if isinstance(v, str) else v for k, v in params.items()}


def fill_value(value: object, params: Mapping[str, Value]) -> object:
    """Fill placeholders in an action or check argument of any shape.

    A string that is exactly one placeholder (``"{port}"``) takes the
    parameter's own type, so a port stays an ``int``; lists and mappings are
    filled item by item; other values are returned as they are.

    Args:
        value: An argument as the lesson wrote it.
        params: The resolved parameters.

    Returns:
        The filled argument.

    Raises:
        ParamError: a placeholder names no parameter.
    """
    if isinstance(value, str):
        names = placeholders(value)
        if len(names) == 1 and value == f"{{{names[0]}}}" and names[0] in params:
            whole = params[names[0]]
            return fill_known(whole, params) if isinstance(whole, str) else whole
        return fill(value, params)
    if isinstance(value, Mapping):
        return {str(k): fill_value(v, params) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [fill_value(v, params) for v in value]
    return value


def merge(defaults: Mapping[str, Value], overrides: Mapping[str, Any] | None) -> dict[str, Value]:
    """The course defaults with overrides applied, each keeping the default's type.

    Args:
        defaults: ``Course.params``.
        overrides: A teacher's or the test harness's values (strings from a
            command line are converted to the default's type).

    Returns:
        The merged parameters.

    Raises:
        ParamError: an override cannot be converted (``port=abc``).
    """
    merged: dict[str, Value] = dict(defaults)
    for key, raw in (overrides or {}).items():
        merged[key] = coerce(key, raw, defaults.get(key))
    return merged


def coerce(key: str, raw: Any, default: Value | None) -> Value:
    """``raw`` converted to the type of the parameter's default.

    Args:
        key: The parameter's name (for the message).
        raw: The given value, often a string from a command line.
        default: The course's default (None: any text or number is kept).

    Returns:
        The converted value.

    Raises:
        ParamError: ``raw`` cannot be converted (``port=abc``).
    """
    if isinstance(default, bool):
        if isinstance(raw, str):
            return raw.strip().lower() in {"1", "true", "yes", "on"}
        return bool(raw)
    if isinstance(default, int):
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ParamError(f"Parameter {key} must be a whole number, not {raw!r}.") from None
    if isinstance(raw, (str, int, bool)):
        return raw
    raise ParamError(f"Parameter {key} must be text or a number, not {raw!r}.")
