"""The build stream parser, the Dockerfile step parser and cache-miss reasons, on recorded streams.

The event dicts below were recorded from Engine 20.10's classic builder
(``APIClient.build(decode=True)``); the Engine 25+ variants differ only in
"Removed intermediate container".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from tutor.engine.build_events import (
    BuildDone,
    BuildError,
    BuildEvent,
    OutputLine,
    StepFinished,
    StepStarted,
)
from tutor.engine.build_stream import BuildStreamParser
from tutor.engine.cache_miss import (
    BASE_CHANGED,
    BUILD_ARG_CHANGED,
    EARLIER_STEP_REBUILT,
    FILE_CHANGED,
    INSTRUCTION_CHANGED,
    NEW_AFTER_PARENT,
    PreviousStep,
    miss_reason,
    miss_reason_from_cache,
)
from tutor.engine.dockerfile_steps import (
    DockerfileError,
    engine_parse_error,
    parse_steps,
    readable,
)

DOCKERFILE = """FROM layers-tutor-test/busybox:latest
ENV NS=exp1
# a comment line
COPY a.txt /app/a.txt
RUN cat /app/a.txt && \\
    echo done
CMD ["sh"]
"""
BASE = "2838e4c1716d"
COPY_OLD = "/bin/sh -c #(nop) COPY file:" + "a" * 64 + " in /app/a.txt "
COPY_NEW = "/bin/sh -c #(nop) COPY file:" + "b" * 64 + " in /app/a.txt "


def s(text: str) -> dict[str, Any]:
    return {"stream": text}


def step(n: int, total: int, instruction: str) -> list[dict[str, Any]]:
    """A step header as the engine sends it: the text, then its newline alone."""
    return [s(f"Step {n}/{total} : {instruction}"), s("\n")]


def first_build(removed: str = "Removing") -> list[dict[str, Any]]:
    return [
        *step(1, 5, "FROM layers-tutor-test/busybox:latest"),
        s(f" ---> {BASE}\n"),
        *step(2, 5, "ENV NS=exp1"),
        s(" ---> Running in ba11d0c00fff\n"),
        s(f"{removed} intermediate container ba11d0c00fff\n"),
        s(" ---> b2f790f94b6b\n"),
        *step(3, 5, "COPY a.txt /app/a.txt"),
        s(" ---> 4a585b83583a\n"),
        *step(4, 5, "RUN cat /app/a.txt &&     echo done"),
        s(" ---> Running in 3b9739d91817\n"),
        s("one\ndo"),  # one chunk ends mid-line ...
        s("ne\n"),  # ... and the next one finishes it
        s(f"{removed} intermediate container 3b9739d91817\n ---> 45ce1e143401\n"),
        *step(5, 5, 'CMD ["sh"]'),
        s(" ---> Running in a1e29d8280d8\n"),
        s(f"{removed} intermediate container a1e29d8280d8\n"),
        s(" ---> 490f5ff7f917\n"),
        {"aux": {"ID": "sha256:490f5ff7f917" + "0" * 52}},
        s("Successfully built 490f5ff7f917\n"),
        s("Successfully tagged lt:1\n"),
    ]


def cached_build() -> list[dict[str, Any]]:
    ids = [BASE, "b2f790f94b6b", "4a585b83583a", "45ce1e143401", "490f5ff7f917"]
    texts = ["FROM layers-tutor-test/busybox:latest", "ENV NS=exp1", "COPY a.txt /app/a.txt"]
    texts += ["RUN cat /app/a.txt &&     echo done", 'CMD ["sh"]']
    events: list[dict[str, Any]] = []
    for n, (text, image) in enumerate(zip(texts, ids, strict=True), start=1):
        events += step(n, 5, text)
        events += [s(" ---> Using cache\n")] if n > 1 else []
        events += [s(f" ---> {image}\n")]
    return [*events, {"aux": {"ID": "sha256:490f5ff7f917" + "0" * 52}}]


class Clock:
    """A fake monotonic clock that advances one second per reading."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def run(events: Iterable[dict[str, Any]], parser: BuildStreamParser | None = None) -> list[Any]:
    parser = parser or BuildStreamParser(parse_steps(DOCKERFILE), clock=Clock())
    out: list[BuildEvent] = []
    for event in events:
        out += parser.feed(event)
    return out + parser.finish("lt:1")


def finished(events: list[Any]) -> list[StepFinished]:
    return [e for e in events if isinstance(e, StepFinished)]


def only(events: list[Any], kind: type) -> Iterator[Any]:
    return (e for e in events if isinstance(e, kind))


@pytest.mark.parametrize("removed", ["Removing", "Removed"])
def test_first_build_every_step_rebuilt_with_lines_and_containers(removed: str) -> None:
    parser = BuildStreamParser(parse_steps(DOCKERFILE), clock=Clock())
    events = run(first_build(removed), parser)
    started = list(only(events, StepStarted))
    assert [(e.number, e.total, e.start_line, e.end_line) for e in started] == [
        (1, 5, 1, 1),
        (2, 5, 2, 2),
        (3, 5, 4, 4),
        (4, 5, 5, 6),
        (5, 5, 7, 7),
    ]
    done = finished(events)
    assert [e.cached for e in done] == [True, False, False, False, False]
    ids = [BASE, "b2f790f94b6b", "4a585b83583a", "45ce1e143401", "490f5ff7f917"]
    assert [e.image_id for e in done] == ids
    # No earlier image of the tag: the first miss cannot be explained, later ones can.
    assert [e.miss_reason for e in done] == [None, None] + [EARLIER_STEP_REBUILT] * 3
    assert events[-1] == BuildDone("sha256:490f5ff7f917" + "0" * 52, "lt:1")
    lines = [e.text for e in only(events, OutputLine) if e.step == 4]
    assert lines[:3] == [" ---> Running in 3b9739d91817", "one", "done"]
    assert parser.containers == [
        ("ba11d0c00fff", BASE),
        ("3b9739d91817", "4a585b83583a"),
        ("a1e29d8280d8", "45ce1e143401"),
    ]
    tail = [e for e in only(events, OutputLine) if e.step is None]
    assert [e.text for e in tail] == ["Successfully built 490f5ff7f917", "Successfully tagged lt:1"]


def test_seconds_run_from_step_start_to_its_image_line() -> None:
    done = finished(run(first_build()))
    # The fake clock ticks once when a step starts and once at its "---> ID" line.
    assert all(e.seconds == 1.0 for e in done)


def test_second_build_takes_every_step_from_cache() -> None:
    done = finished(run(cached_build()))
    assert len(done) == 5
    assert all(e.cached and e.miss_reason is None for e in done)


def test_a_step_header_split_anywhere_still_parses() -> None:
    text = "".join(e["stream"] for e in first_build() if "stream" in e)
    aux = {"aux": {"ID": "sha256:490f5ff7f917" + "0" * 52}}
    for size in (1, 3, 7, 64):
        chunks = [s(text[i : i + size]) for i in range(0, len(text), size)]
        done = finished(run([*chunks, aux]))
        assert [e.number for e in done] == [1, 2, 3, 4, 5]
        assert [e.cached for e in done] == [True, False, False, False, False]


def test_changed_copied_file_names_the_reason() -> None:
    previous = [
        PreviousStep("sha256:" + BASE + "f" * 52, "/bin/sh -c #(nop)  CMD"),
        PreviousStep("sha256:b2f790f94b6b" + "1" * 52, "/bin/sh -c #(nop)  ENV NS=exp1"),
        PreviousStep("sha256:4a585b83583a" + "2" * 52, COPY_OLD),
    ]
    seen: list[str] = []

    def created_by_of(image_id: str) -> str:
        seen.append(image_id)
        return COPY_NEW

    events = [
        *step(1, 3, "FROM layers-tutor-test/busybox:latest"),
        s(f" ---> {BASE}\n"),
        *step(2, 3, "ENV NS=exp1"),
        s(" ---> Using cache\n ---> b2f790f94b6b\n"),
        *step(3, 3, "COPY a.txt /app/a.txt"),
        s(" ---> 671bfb9e24dc\n"),
        {"aux": {"ID": "sha256:671bfb9e24dc" + "0" * 52}},
    ]
    steps = parse_steps("FROM b\nENV NS=exp1\nCOPY a.txt /app/a.txt\n")
    done = finished(run(events, BuildStreamParser(steps, previous, created_by_of, Clock())))
    assert [e.cached for e in done] == [True, True, False]
    assert done[2].miss_reason == FILE_CHANGED
    assert seen == ["671bfb9e24dc"]


def test_failing_run_reports_its_step_and_the_engine_message() -> None:
    message = "The command '/bin/sh -c echo start && exit 3' returned a non-zero code: 3"
    events = [
        *step(1, 2, "FROM layers-tutor-test/busybox:latest"),
        s(f" ---> {BASE}\n"),
        *step(2, 2, "RUN echo start && exit 3"),
        s(" ---> Running in 94f29ebbdedb\n"),
        s("start\n"),
        s("Removed intermediate container 94f29ebbdedb\n"),
        {"errorDetail": {"code": 3, "message": message}, "error": message},
    ]
    parser = BuildStreamParser(clock=Clock())
    out = run(events, parser)
    assert out[-1] == BuildError(2, "RUN echo start && exit 3", message)
    assert not any(isinstance(e, BuildDone) for e in out)
    assert [e.number for e in finished(out)] == [1]
    assert parser.failed and parser.containers == [("94f29ebbdedb", BASE)]


def test_failure_outside_a_step_and_a_stream_cut_short() -> None:
    out = run([{"error": "no space left on device"}], BuildStreamParser(clock=Clock()))
    assert out == [BuildError(None, None, "no space left on device")]
    cut = run([*step(1, 2, "FROM x"), s(f" ---> {BASE}\n"), *step(2, 2, "RUN sleep 9")])
    assert isinstance(cut[-1], BuildError) and cut[-1].step == 2
    assert "before the image was made" in cut[-1].message


def test_multi_stage_build_ends_with_the_last_stage_image() -> None:
    dockerfile = (
        "ARG B=busybox\nFROM $B AS one\nRUN echo 1 > /one\nFROM $B\nCOPY --from=one /one /one\n"
    )
    events = [
        *step(1, 5, "ARG B=layers-tutor-test/busybox:latest"),
        *step(2, 5, "FROM $B AS one"),
        s(f" ---> {BASE}\n"),
        *step(3, 5, "RUN echo 1 > /one"),
        s(" ---> Running in f3afd448d772\n"),
        s("Removing intermediate container f3afd448d772\n"),
        s(" ---> 52ecb6ce7c40\n"),
        {"aux": {"ID": "sha256:52ecb6ce7c40" + "0" * 52}},
        *step(4, 5, "FROM $B"),
        s(f" ---> {BASE}\n"),
        *step(5, 5, "COPY --from=one /one /one"),
        s(" ---> 260f66e9a540\n"),
        {"aux": {"ID": "sha256:260f66e9a540" + "0" * 52}},
    ]
    out = run(events, BuildStreamParser(parse_steps(dockerfile), clock=Clock()))
    done = finished(out)
    assert [(e.number, e.cached) for e in done] == [
        (1, True),
        (2, True),
        (3, False),
        (4, True),
        (5, False),
    ]
    assert done[4].miss_reason is None  # a new stage on an unchanged base starts clean
    assert out[-1] == BuildDone("sha256:260f66e9a540" + "0" * 52, "lt:1")


def test_a_stage_built_on_a_rebuilt_stage_is_rebuilt_for_that_reason() -> None:
    events = [
        *step(1, 3, "FROM busybox AS one"),
        s(f" ---> {BASE}\n"),
        *step(2, 3, "RUN echo 1"),
        s(" ---> Running in f3afd448d772\n ---> 52ecb6ce7c40\n"),
        *step(3, 4, "FROM one"),
        s(" ---> 52ecb6ce7c40\n"),
        *step(4, 4, "RUN echo 2"),
        s(" ---> Running in 0123456789ab\n ---> 1234567890ab\n"),
        {"aux": {"ID": "sha256:1234567890ab" + "0" * 52}},
    ]
    done = finished(run(events, BuildStreamParser(clock=Clock())))
    assert done[3].miss_reason == EARLIER_STEP_REBUILT


def test_label_steps_the_engine_appends_have_no_dockerfile_lines() -> None:
    events = [*step(1, 2, "FROM b"), s(f" ---> {BASE}\n"), *step(2, 2, "LABEL a=b")]
    parser = BuildStreamParser(parse_steps("FROM b\n"), clock=Clock())
    out: list[Any] = []
    for event in events:
        out += parser.feed(event)
    assert out[-1] == StepStarted(2, 2, "LABEL a=b", 0, 0)


def test_pull_status_events_become_output_lines_without_progress_noise() -> None:
    parser = BuildStreamParser(clock=Clock())
    out = parser.feed({"status": "Pulling from library/busybox", "id": "latest"})
    out += parser.feed({"status": "Downloading", "progressDetail": {"current": 1}, "id": "a"})
    assert out == [OutputLine(None, "latest: Pulling from library/busybox")]


# ---------------------------------------------------------------- miss reasons

PREVIOUS = (
    PreviousStep("sha256:" + "1" * 64, '/bin/sh -c #(nop)  CMD ["sh"]'),
    PreviousStep("sha256:" + "2" * 64, COPY_OLD),
    PreviousStep("sha256:" + "3" * 64, "|1 V=3 /bin/sh -c echo $V > /v"),
)


def reason(keyword: str, parent: str, created_by: str | None, **kw: Any) -> str | None:
    args: dict[str, Any] = {
        "keyword": keyword,
        "earlier_rebuilt": False,
        "final_stage": True,
        "parent_id": parent,
        "parent_is_base": False,
        "created_by": created_by,
        "previous": PREVIOUS,
    }
    return miss_reason(**{**args, **kw})


def test_miss_reasons_compare_with_the_previous_image_on_the_same_parent() -> None:
    assert reason("COPY", "111111111111", COPY_NEW) == FILE_CHANGED
    other_dest = COPY_NEW.replace("/app/a.txt", "/app/b.txt")
    assert reason("COPY", "111111111111", other_dest) == INSTRUCTION_CHANGED
    assert reason("RUN", "222222222222", "|1 V=4 /bin/sh -c echo $V > /v") == BUILD_ARG_CHANGED
    assert reason("RUN", "222222222222", "/bin/sh -c echo other") == INSTRUCTION_CHANGED
    assert reason("RUN", "333333333333", "/bin/sh -c echo new") == INSTRUCTION_CHANGED
    assert reason("RUN", "999999999999", "/bin/sh -c x", parent_is_base=True) == BASE_CHANGED
    assert reason("RUN", "999999999999", "/bin/sh -c x") is None
    assert reason("RUN", "222222222222", "|1 V=3 /bin/sh -c echo $V > /v") is None
    assert reason("COPY", "111111111111", COPY_NEW, earlier_rebuilt=True) == EARLIER_STEP_REBUILT
    assert reason("COPY", "111111111111", COPY_NEW, final_stage=False) is None
    assert reason("COPY", "111111111111", COPY_NEW, previous=()) is None


def test_a_miss_the_previous_image_cannot_explain_is_read_from_the_cache_entries() -> None:
    cmd = '/bin/sh -c #(nop)  CMD ["sh"]'

    def why(keyword: str, created_by: str | None, *cached: str) -> str | None:
        return miss_reason_from_cache(keyword=keyword, created_by=created_by, cached=cached)

    assert why("COPY", COPY_NEW, cmd, COPY_OLD) == FILE_CHANGED
    assert why("RUN", "|1 V=4 /bin/sh -c echo $V", "|1 V=3 /bin/sh -c echo $V") == BUILD_ARG_CHANGED
    assert why("LABEL", "/bin/sh -c #(nop)  LABEL a=b", cmd) == NEW_AFTER_PARENT
    assert why("LABEL", "/bin/sh -c #(nop)  LABEL a=b") == NEW_AFTER_PARENT
    assert why("COPY", COPY_NEW, COPY_NEW) is None  # the builder matched on what we cannot see
    assert why("COPY", None, COPY_OLD) is None


def test_a_first_miss_after_cached_steps_asks_the_cache_only_when_needed() -> None:
    asked: list[tuple[str, str]] = []

    def cached_after(parent: str, made: str) -> list[str]:
        asked.append((parent, made))
        return [COPY_OLD]

    parser = BuildStreamParser(
        previous=(), created_by_of=lambda _: COPY_NEW, clock=Clock(), cached_after=cached_after
    )
    lines = [
        "Step 1/3 : FROM busybox", f" ---> {BASE}",
        "Step 2/3 : COPY a.txt /app/a.txt", " ---> 111111111111",
        "Step 3/3 : CMD [\"sh\"]", " ---> Running in 222222222222", " ---> 333333333333",
    ]  # fmt: skip
    done = [e for line in lines for e in parser.feed({"stream": line + "\n"})]
    done += parser.finish("t")
    reasons = [e.miss_reason for e in done if isinstance(e, StepFinished)]
    assert reasons == [None, FILE_CHANGED, EARLIER_STEP_REBUILT]
    assert asked == [(BASE, "111111111111")]


# ---------------------------------------------------------------- Dockerfile steps


def test_steps_count_every_instruction_and_know_their_lines() -> None:
    steps = parse_steps('ARG V=1\nFROM b AS one\nrun  echo a \\\n   b\n\nFROM b\nCMD ["sh"]\n')
    assert [(x.number, x.keyword, x.start_line, x.end_line, x.stage) for x in steps] == [
        (1, "ARG", 1, 1, -1),
        (2, "FROM", 2, 2, 0),
        (3, "RUN", 3, 4, 0),
        (4, "FROM", 6, 6, 1),
        (5, "CMD", 7, 7, 1),
    ]
    assert steps[2].instruction == "RUN echo a b"
    assert readable('cmd  ["sh",  "-c"]') == 'CMD ["sh", "-c"]'


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("FROM b\nENV A\n", 2, "ENV must have two arguments"),
        ("FROM b\nRUN x\nFOO bar\n", 3, "unknown instruction: FOO"),
        ("FROM b\nRUN <<EOF\necho\nEOF\n", 2, "heredocs"),
        ("FROM b\nRUN <<EOF\necho\n", 2, "unterminated heredoc"),
        ("RUN x\nFROM b\n", 1, "before the first FROM"),
        ("# only a comment\n", None, "no instructions"),
    ],
)
def test_broken_dockerfiles_raise_with_the_line(text: str, line: int | None, words: str) -> None:
    with pytest.raises(DockerfileError) as caught:
        parse_steps(text)
    assert caught.value.line == line
    assert words in caught.value.message
    assert caught.value.hint


def test_engine_refusal_keeps_the_line_it_names() -> None:
    error = engine_parse_error("dockerfile parse error line 2: unknown instruction: FOO")
    assert error.line == 2
    assert "unknown instruction: FOO" in error.message
    assert (
        engine_parse_error("failed to parse Dockerfile: ENV must have two arguments").line is None
    )
