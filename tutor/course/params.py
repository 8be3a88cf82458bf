"""The course's parameters for one learner: names, ports and images, filled into text.

A course says ``{image}`` where a lesson names the image the learner builds,
so that a teacher (or the test suite) can choose other names, another base
image or another port. Resolution happens once per session, in three layers:

1. the course's defaults (``course.toml``);
2. overrides from the teacher or the test harness;
3. adjustments for a shared engine: when a name the course creates (an image,
   a container, a repository) is already used on the engine by something that
   is not this learner's, the learner gets ``<name>-<namespace>`` instead, and
   a busy host port is replaced by a free one. The other user's object is
   never touched; each adjustment comes with a note the app shows.

Names chosen in an earlier session are passed back in (``remembered``) and kept,
so that a learner's images do not change name between sessions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import docker.errors

from tutor.course.model import Course, Value
from tutor.course.vocabulary import PLACEHOLDER, fill_known
from tutor.engine.connection import Engine, engine_errors
from tutor.engine.labels import is_ours
from tutor.engine.ports import free_port

#: ``{name}`` placeholders; ``{{...}}`` (Go templates in ``docker --format``) is left alone.
_PLACEHOLDER = PLACEHOLDER

#: Which action argument names which kind of object the course creates.
#: ``(action kind, argument)`` -> ``image`` | ``container`` | ``port``.
#: (A repository is ``{registry}/NAME`` on the learner's own registry: never shared.)
CREATED_BY: dict[tuple[str, str], str] = {
    ("build", "tag"): "image",
    ("run", "name"): "container",
    ("run", "port"): "port",
}


class ParamError(ValueError):
    """A template names a parameter the course does not define (a lesson bug)."""


@dataclass(frozen=True)
class ResolvedParams:
    """The parameters a learner's session uses, and why any differ from the course.

    Attributes:
        values: Parameter name -> value.
        notes: One sentence per adjustment, for the app to show.
    """

    values: Mapping[str, Value]
    notes: tuple[str, ...] = ()


def placeholders(template: str) -> list[str]:
    """The parameter names a template uses, in order of appearance."""
    return _PLACEHOLDER.findall(template)


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

    return _PLACEHOLDER.sub(replace, template)


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
        default = defaults.get(key)
        merged[key] = _coerce(key, raw, default)
    return merged


def _coerce(key: str, raw: Any, default: Value | None) -> Value:
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


def namespaced(name: str, namespace: str) -> str:
    """``name`` made the learner's own: ``<repository>-<namespace>[:tag]``.

    A registry prefix (``localhost:5000/``) and a tag stay where they are:
    ``localhost:5000/app:v2`` -> ``localhost:5000/app-ana:v2``.
    """
    repository, tag = split_tag(name)
    return f"{repository}-{namespace}" + (f":{tag}" if tag else "")


def split_tag(reference: str) -> tuple[str, str]:
    """``repository``, ``tag`` of an image reference (``tag`` is "" when absent).

    The colon of a registry port (``localhost:5000/app``) is not a tag.
    """
    slash = reference.rfind("/")
    colon = reference.rfind(":")
    if colon > slash:
        return reference[:colon], reference[colon + 1 :]
    return reference, ""


def created_params(course: Course) -> dict[str, str]:
    """Which parameters name something the course creates, and what kind.

    Read from the lessons' actions (see :data:`CREATED_BY`), so a course that
    adds an image parameter needs no change here.

    Returns:
        Parameter name -> ``image`` | ``container`` | ``port``.
    """
    kinds: dict[str, str] = {}
    for lesson in course.lessons:
        for step in lesson.steps:
            if step.action is None:
                continue
            for arg, value in step.action.args.items():
                kind = CREATED_BY.get((step.action.kind, arg))
                if kind is not None:
                    for name in _names_in(value):
                        kinds.setdefault(name, kind)
    return kinds


def _names_in(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield from placeholders(value)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _names_in(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _names_in(item)


def resolve(
    engine: Engine,
    course: Course,
    *,
    namespace: str,
    overrides: Mapping[str, Any] | None = None,
    remembered: Mapping[str, Any] | None = None,
) -> ResolvedParams:
    """The learner's parameters: defaults, overrides, then room made on a shared engine.

    Args:
        engine: The learner's engine (asked which names and ports are taken).
        course: The course (its defaults, and which parameters name objects).
        namespace: The learner's namespace (labels and ``-<namespace>`` names).
        overrides: A teacher's or the test harness's values.
        remembered: Values of created names chosen in an earlier session
            (``Journal.params``); kept unless overridden.

    Returns:
        The values and a note per adjustment.

    Raises:
        ParamError: an override has the wrong type.
        EngineError: the engine cannot be asked (the app shows the banner).
    """
    values = merge(course.params, overrides)
    notes: list[str] = []
    for key, kind in created_params(course).items():
        if key not in values:
            continue
        if remembered and key in remembered and not (overrides and key in overrides):
            values[key] = _coerce(key, remembered[key], course.params.get(key))
            continue
        value = values[key]
        if kind == "port" and isinstance(value, int) and not isinstance(value, bool):
            port = _free(engine, value, namespace)
            if port != value:
                notes.append(f"Port {value} is busy on this machine; you will use {port} instead.")
                values[key] = port
        elif (
            kind in {"image", "container"}
            and isinstance(value, str)
            and _taken_by_others(engine, kind, value, namespace)
        ):
            mine = namespaced(value, namespace)
            for extra in range(2, 10):  # that one is taken too: a number after it
                if not _taken_by_others(engine, kind, mine, namespace):
                    break
                mine = namespaced(value, f"{namespace}-{extra}")
            notes.append(
                f"The {kind} name {value} is already used on this engine by something "
                f"that is not yours; you will use {mine} instead (theirs is left alone)."
            )
            values[key] = mine
    return ResolvedParams(values=values, notes=tuple(notes))


def _free(engine: Engine, port: int, namespace: str) -> int:
    # A port one of the learner's own containers publishes is theirs already
    # (the app from the last session still runs): keep it.
    with engine_errors(engine.host):
        rows = engine.api.containers(filters={"status": "running"})
    own = {
        int(p["PublicPort"])
        for row in rows
        if is_ours(row.get("Labels"), namespace)
        for p in row.get("Ports") or []
        if p.get("PublicPort")
    }
    if port in own:
        return port
    return free_port(port, engine)


def _taken_by_others(engine: Engine, kind: str, name: str, namespace: str) -> bool:
    with engine_errors(engine.host):
        if kind == "image":
            repository, _tag = split_tag(name)
            try:
                rows = engine.api.images(name=repository)
            except docker.errors.APIError:
                return False
            return any(not is_ours(row.get("Labels"), namespace) for row in rows)
        rows = engine.api.containers(all=True, filters={"name": name})
    wanted = f"/{name}"
    return any(
        wanted in (row.get("Names") or []) and not is_ours(row.get("Labels"), namespace)
        for row in rows
    )
