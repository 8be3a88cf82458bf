"""The course's parameters for one learner: names, ports and images, made their own.

A course says ``{image}`` where a lesson names the image the learner builds,
so that a teacher (or the test suite) can choose other names, another base
image or another port (how ``{param}``s are filled in: ``tutor.course.filling``;
how names and ports are made the learner's own: ``tutor.course.shared_engine``).
Resolution happens once per session, in three layers:

1. the course's defaults (``course.toml``);
2. overrides from the teacher or the test harness;
3. adjustments for a shared engine: when a name the course creates (an image,
   a container, a repository) is already used on the engine by something that
   is not this learner's, the learner gets ``<name>-<namespace>`` instead, and
   a busy host port is replaced by a free one. The other user's object is
   never touched; each adjustment comes with a note the app shows.

One parameter is the tutor's, not the teacher's: ``{learner}`` is always the
learner's namespace. The lessons write it into the app files the learner
copies into their images, because the build cache is shared by everyone on
an engine: with the same files, learner A's build would make learner B's
``COPY`` step (and every step after it) come from the cache, and B's lesson
on the cache would show A's work instead of B's. With the learner's name in
``app.py``, ``COPY`` and what follows are each learner's own, while the slow
``RUN pip install flask`` above it is still shared (as it should be).

Names chosen in an earlier session are passed back in (``remembered``) and kept,
so that a learner's images do not change name between sessions, unless someone
else has taken one since: it is checked and claimed like a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tutor.course.engine_facts import engine_facts
from tutor.course.filling import (
    ParamError,
    coerce,
    expand,
    fill,
    fill_value,
    merge,
)
from tutor.course.model import Course, Value
from tutor.course.shared_engine import name_for, namespaced, port_for, split_tag
from tutor.course.vocabulary import placeholders
from tutor.engine.connection import Engine
from tutor.sentence import Sentence

__all__ = [
    "CREATED_BY",
    "LEARNER",
    "ParamError",
    "ResolvedParams",
    "coerce",
    "created_params",
    "expand",
    "fill",
    "fill_value",
    "merge",
    "namespaced",
    "placeholders",
    "resolve",
    "split_tag",
]

#: The parameter the tutor fills with the learner's namespace (never a teacher's value).
LEARNER = "learner"

#: Which action argument names which kind of object the course creates.
#: ``(action kind, argument)`` -> ``image`` | ``container`` | ``port``.
#: (A repository is ``{registry}/NAME`` on the learner's own registry: never shared.)
CREATED_BY: dict[tuple[str, str], str] = {
    ("build", "tag"): "image",
    ("run", "name"): "container",
    ("run", "port"): "port",
}


@dataclass(frozen=True)
class ResolvedParams:
    """The parameters a learner's session uses, and why any differ from the course.

    Attributes:
        values: Parameter name -> value.
        notes: One sentence per adjustment, for the app to show.
    """

    values: Mapping[str, Value]
    notes: tuple[str, ...] = ()


def created_params(course: Course) -> dict[str, str]:
    """Which parameters name something the course creates, and what kind.

    Read from the lessons' actions (see :data:`CREATED_BY`), so a course that
    adds an image parameter needs no change here. ``{learner}`` is never one
    of them: it is the learner's own already.

    Args:
        course: The loaded course.

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
                        if name != LEARNER:  # already the learner's own
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
            (``Journal.params``); kept unless overridden or taken by someone else since.

    Returns:
        The values (``learner`` is ``namespace``, whatever was asked) and a
        note per adjustment.

    Raises:
        ParamError: an override has the wrong type.
        EngineError: the engine cannot be asked (the app shows the banner).
    """
    values = merge(course.params, overrides)
    notes = _fill_learner(values, namespace, overrides)
    for key, kind in created_params(course).items():
        if key not in values:
            continue
        if remembered and key in remembered and not (overrides and key in overrides):
            values[key] = coerce(key, remembered[key], course.params.get(key))
        value = values[key]  # a remembered name too: someone may have taken it since
        if kind == "port" and isinstance(value, int) and not isinstance(value, bool):
            port = port_for(engine, value, namespace)
            if port != value:
                notes.append(Sentence("params.port_busy", port=value, other=port))
                values[key] = port
        elif kind in {"image", "container"} and isinstance(value, str):
            mine = name_for(engine, kind, value, namespace)
            if mine != value:
                notes.append(Sentence(f"params.name_taken.{kind}", name=value, mine=mine))
                values[key] = mine
    values.update(engine_facts(engine, values))  # {base_missing_rows}...: the engine's own
    return ResolvedParams(values=values, notes=tuple(notes))


def _fill_learner(
    values: dict[str, Value], namespace: str, overrides: Mapping[str, Any] | None
) -> list[str]:
    # Two learners with one {learner} would share each other's build cache
    # again, so no override can choose it: it is the namespace, always.
    asked = (overrides or {}).get(LEARNER)
    values[LEARNER] = namespace
    if asked is not None and str(asked) != namespace:
        return [
            f"The parameter {LEARNER} is always your namespace, {namespace}; "
            f"the value {asked!r} was not used."
        ]
    return []
