"""Pure checks of what a build reports about the step images it made (no engine needed).

The engine prints a step's image id (`` ---> ID``) before the next step's
header; a build stopped in between must still report that image, and a
failed build names every step image it made, so the tutor can forget them.
"""

from __future__ import annotations

from typing import Any

from tutor.engine.build_events import BuildError, StepFinished
from tutor.engine.build_stream import BuildStreamParser

BASE = "2838e4c1716d"


def s(text: str) -> dict[str, Any]:
    return {"stream": text}


def steps(parser: BuildStreamParser, events: list[dict[str, Any]]) -> list[Any]:
    out: list[Any] = []
    for event in events:
        out += parser.feed(event)
    return out


HEAD = [
    s("Step 1/4 : FROM busybox"),
    s("\n"),
    s(f" ---> {BASE}\n"),
    s("Step 2/4 : ENV A=1"),
    s("\n"),
    s(" ---> Running in 1111aaaa2222\n"),
    s(" ---> b2f790f94b6b\n"),
    s("Step 3/4 : RUN echo one > /one"),
    s("\n"),
    s(" ---> Using cache\n"),
    s(" ---> 4a585b83583a\n"),
    s("Step 4/4 : COPY a /a"),
    s("\n"),
    s(" ---> 45ce1e143401\n"),
]


def test_a_build_stopped_after_a_step_image_still_reports_it() -> None:
    parser = BuildStreamParser()
    out = steps(parser, HEAD)
    assert [e.number for e in out if isinstance(e, StepFinished)] == [1, 2, 3]
    last = parser.close_open()
    assert [(e.number, e.image_id, e.cached) for e in last if isinstance(e, StepFinished)] == [
        (4, "45ce1e143401", False)
    ]
    assert parser.made == ["b2f790f94b6b", "45ce1e143401"]  # not the cached step 3
    assert parser.close_open() == []  # once only


def test_a_step_without_its_image_yet_is_not_reported() -> None:
    parser = BuildStreamParser()
    steps(parser, [*HEAD[:7], s("Step 3/4 : RUN sleep 60"), s("\n"), s(" ---> Running in 9\n")])
    assert parser.close_open() == []
    assert parser.made == ["b2f790f94b6b"]


def test_a_failed_build_names_the_step_images_it_made() -> None:
    message = "The command '/bin/sh -c exit 3' returned a non-zero code: 3"
    fail = [s("Step 4/4 : RUN exit 3"), s("\n"), s(" ---> Running in 3333bbbb4444\n"),
            {"errorDetail": {"message": message}, "error": message}]  # fmt: skip
    out = steps(BuildStreamParser(), [*HEAD[:11], *fail])
    assert out[-1] == BuildError(4, "RUN exit 3", message, ("b2f790f94b6b",))
    assert (
        BuildError(4, "RUN exit 3", message).intermediates == ()
    )  # the old constructor still works
