"""Filling {param}s and merging a teacher's overrides (the parts that need no engine)."""

from __future__ import annotations

from pathlib import Path
from types import MappingProxyType
from typing import cast

import pytest

from tutor.course.model import Action, Check, Course, Lesson, LessonEntry, Step, Value
from tutor.course.params import (
    LEARNER,
    ParamError,
    created_params,
    expand,
    fill,
    fill_value,
    merge,
    namespaced,
    placeholders,
    resolve,
    split_tag,
)
from tutor.engine.connection import Engine

PARAMS: dict[str, Value] = {
    "image": "python-hello-world",
    "port": 5000,
    "base_image": "python:3.8-alpine",
}


def test_fill_replaces_every_placeholder() -> None:
    text = fill("docker run -p {port}:5000 {image}", PARAMS)
    assert text == "docker run -p 5000:5000 python-hello-world"


def test_fill_leaves_go_templates_alone() -> None:
    text = "docker inspect --format '{{.Id}} {{json .Config}}' {image}"
    assert (
        fill(text, PARAMS)
        == "docker inspect --format '{{.Id}} {{json .Config}}' python-hello-world"
    )


def test_unknown_placeholder_is_a_clear_error() -> None:
    with pytest.raises(ParamError, match=r"Unknown parameter \{imgae\}.*known: base_image, image"):
        fill("docker build -t {imgae} .", PARAMS)


def test_fill_value_keeps_types_and_walks_containers() -> None:
    assert fill_value("{port}", PARAMS) == 5000
    assert fill_value("{image}:v2", PARAMS) == "python-hello-world:v2"
    assert fill_value({"ports": ["{port}"], "n": 3}, PARAMS) == {"ports": [5000], "n": 3}
    assert fill_value(True, PARAMS) is True


def test_placeholders_in_order() -> None:
    assert placeholders("{a} {{b}} {c}{a}") == ["a", "c", "a"]


def test_merge_converts_overrides_to_the_defaults_type() -> None:
    merged = merge(PARAMS, {"port": "5123", "image": "mine", "extra": "x"})
    assert merged == {**PARAMS, "port": 5123, "image": "mine", "extra": "x"}
    assert merge({"flag": False}, {"flag": "yes"}) == {"flag": True}
    with pytest.raises(ParamError, match="whole number"):
        merge(PARAMS, {"port": "abc"})


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("python-hello-world", "python-hello-world-ana"),
        ("app:v2", "app-ana:v2"),
        ("localhost:5000/app", "localhost:5000/app-ana"),
        ("localhost:5000/app:v2", "localhost:5000/app-ana:v2"),
        ("app-ana", "app-ana-ana"),
    ],
)
def test_namespaced_names(name: str, expected: str) -> None:
    assert namespaced(name, "ana") == expected


def test_split_tag_does_not_mistake_a_registry_port() -> None:
    assert split_tag("localhost:5000/app") == ("localhost:5000/app", "")
    assert split_tag("localhost:5000/app:1") == ("localhost:5000/app", "1")


def test_created_params_are_read_from_the_actions(tmp_path: Path) -> None:
    def step(sid: str, kind: str, **args: object) -> Step:
        return Step(sid, "", Check("image_exists"), Action(kind, MappingProxyType(args)))

    lesson = Lesson(
        "l",
        tmp_path,
        {"en": "L"},
        {"en": ""},
        (),
        (
            step("b", "build", tag="{image}:v2"),
            step("r", "run", image="{image}", name="{container}-cow", port="{port}"),
        ),
    )
    course = Course("c", tmp_path, {"en": "C"}, ("en",), "en", {}, (LessonEntry("l", {}, lesson),))
    assert created_params(course) == {"image": "image", "container": "container", "port": "port"}


def test_parameters_may_name_other_parameters() -> None:
    params: dict[str, Value] = {
        "registry": "127.0.0.1:5000",
        "repository": "{registry}/app",
        "port": 1,
    }
    assert fill("docker push {repository}", params) == "docker push 127.0.0.1:5000/app"
    assert fill_value("{repository}", params) == "127.0.0.1:5000/app"
    assert expand(params) == {**params, "repository": "127.0.0.1:5000/app"}


def test_learner_is_never_a_name_to_make_room_for(tmp_path: Path) -> None:
    build = Action("build", MappingProxyType({"tag": "{image}-{learner}"}))
    lesson = Lesson("l", tmp_path, {"en": "L"}, {"en": ""}, (),
                    (Step("b", "", Check("image_exists"), build),))  # fmt: skip
    course = Course("c", tmp_path, {"en": "C"}, ("en",), "en", {},
                    (LessonEntry("l", {}, lesson),))  # fmt: skip
    assert created_params(course) == {"image": "image"}


def test_learner_is_always_the_namespace(tmp_path: Path) -> None:
    # A course without actions names nothing to make room for: the engine is never asked.
    defaults = MappingProxyType({"image": "app", LEARNER: "learner"})
    course = Course("c", tmp_path, {"en": "C"}, ("en",), "en", defaults, ())
    nowhere = cast(Engine, None)
    session = resolve(nowhere, course, namespace="ana")
    assert session.values == {"image": "app", LEARNER: "ana"}
    assert session.notes == ()
    # A teacher cannot make two learners one (they would share their COPY steps again).
    forced = resolve(nowhere, course, namespace="ana", overrides={LEARNER: "bia"})
    assert forced.values[LEARNER] == "ana"
    assert forced.notes == ("The parameter learner is always your namespace, ana; "
                            "the value 'bia' was not used.",)  # fmt: skip
    # Filled in even when the course forgot to declare it.
    bare = resolve(nowhere, Course("c", tmp_path, {"en": "C"}, ("en",), "en", {}, ()),
                   namespace="ana")  # fmt: skip
    assert bare.values == {LEARNER: "ana"}
    assert fill("# {learner}'s copy", bare.values) == "# ana's copy"
