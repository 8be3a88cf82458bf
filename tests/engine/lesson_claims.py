"""What the lessons say about the engine, asserted while the solution check plays them.

A lesson that states a fact the engine can show (a step count, a layer's
presence, a size, a push result) must not mislead a learner when Docker
changes: each function here runs right after (or, for ``before_*``, right
before) the lesson of its name in ``test_solution``, on the real engine, and
fails if the text and the engine disagree. The text each one guards is named
in its docstring.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import docker
import docker.errors

from tutor.course.actions import ActionDone
from tutor.course.filling import fill
from tutor.course.runner import LessonRunner
from tutor.engine.build_events import StepFinished
from tutor.engine.connection import connect
from tutor.engine.diff import diff
from tutor.engine.labels import LESSON_LABEL, NAMESPACE_LABEL, TOOL_LABEL, TOOL_NAME
from tutor.engine.profile import profile
from tutor.engine.push_stream import PushProgress

#: Step id -> every event its action yielded.
Events = Mapping[str, Sequence[object]]


def name(runner: LessonRunner, template: str) -> str:
    """A course name (``{image}``, ``{container2}-1``) as this learner has it."""
    return fill(template, runner.params)


def history(client: docker.DockerClient, image: str) -> list[dict[str, Any]]:
    """``docker image history`` rows, newest first."""
    return list(client.api.history(image))


def layer_count(client: docker.DockerClient, image: str) -> int:
    """How many filesystem layers the image has."""
    return len(client.images.get(image).attrs["RootFS"]["Layers"])


def rw_size(client: docker.DockerClient, container: str) -> int:
    """The SIZE ``docker ps -s`` prints first: bytes in the container's writable layer.

    The engine leaves ``SizeRw`` out of its answer when it is 0 (the field is
    ``omitempty``); ``SizeRootFs`` is there whenever sizes were asked for.
    """
    cid = client.containers.get(container).id
    [row] = client.api.containers(all=True, size=True, filters={"id": cid})
    assert "SizeRootFs" in row, row
    return int(row.get("SizeRw") or 0)


def after_build(runner: LessonRunner, events: Events, client: docker.DockerClient) -> None:
    """Lesson 2: the tutor's build prints ``Step x/7`` (four instructions, then one
    ``LABEL`` step per label: lesson, namespace, tool), and the image has exactly
    two layers more than the base (``RUN`` and ``COPY``; ``CMD`` makes none)."""
    steps = [e for e in events["build"] if isinstance(e, StepFinished)]
    words = [s.instruction.split()[0] for s in steps]
    assert words == ["FROM", "RUN", "CMD", "COPY", "LABEL", "LABEL", "LABEL"], words
    labelled = [s.instruction.split()[1].split("=")[0] for s in steps[4:]]
    assert labelled == [LESSON_LABEL, NAMESPACE_LABEL, TOOL_LABEL]
    image, base = name(runner, "{image}"), name(runner, "{base_image}")
    assert layer_count(client, image) == layer_count(client, base) + 2


def sizes_are_blocks() -> bool:
    """The engine profile's word on history sizes (not a version check)."""
    eng = connect()
    try:
        return profile(eng).history_size_is_disk_usage
    finally:
        eng.close()


def after_history(runner: LessonRunner, events: Events, client: docker.DockerClient) -> None:
    """Lesson 4: ``CMD`` shows 0 B, ``COPY`` the size of ``app.py`` (a few hundred
    bytes), reading down, the base begins at the row with the base's own ID, and
    the count of ``<missing>`` rows step 2 gives is the base's on this engine."""
    image, base = name(runner, "{image}"), name(runner, "{base_image}")
    rows = history(client, image)
    created = [str(r.get("CreatedBy") or "") for r in rows]
    cmd = next(r for r, c in zip(rows, created, strict=True) if "CMD" in c and "app.py" in c)
    copy = next(r for r, c in zip(rows, created, strict=True) if "COPY" in c)
    assert cmd["Size"] == 0
    app_py = (runner.workspace.folder("history") / "app.py").read_bytes()
    assert 100 < len(app_py) < 1000
    if sizes_are_blocks():  # the containerd store: the snapshot's disk blocks, not the bytes
        assert copy["Size"] > 0 and copy["Size"] % 4096 == 0
    else:
        assert copy["Size"] == len(app_py)
    base_id = client.images.get(base).id
    top_of_base = [r["Id"] for r in rows].index(base_id)
    assert len(rows) - top_of_base == len(history(client, base))
    above = created[:top_of_base]  # the tutor's three LABELs, COPY, CMD, RUN
    assert len(above) == 6 and "pip install flask" in above[-1], above
    # Step 2 says how many of the base's rows show <missing> on this engine.
    base_rows = history(client, base)
    missing = sum(1 for r in base_rows if r["Id"] == "<missing>")
    said = (runner.params["base_missing_rows"], runner.params["base_history_rows"])
    assert said == (missing, len(base_rows)), said


def keeps_step_images() -> bool:
    """The engine profile's word on step images (the cache entries a reason is read from)."""
    eng = connect()
    try:
        return profile(eng).step_images_kept
    finally:
        eng.close()


def every_miss_says_why(events: Events, *step_ids: str) -> None:
    """Issue 12, finding 11: each BUILT step of these builds shows its reason
    (lesson 5's last COPY and lesson 9's first LABEL showed none). An engine
    that keeps no step image cannot show the builder's cache entries."""
    if not keeps_step_images():
        return
    for step_id in step_ids:
        steps = [e for e in events[step_id] if isinstance(e, StepFinished)]
        built = [s for s in steps if not s.cached]
        assert built, f"{step_id}: nothing was rebuilt"
        assert all(s.miss_reason for s in built), (step_id, built)


def after_cache(runner: LessonRunner, events: Events, client: docker.DockerClient) -> None:
    """Lesson 5: every rebuild says why each step missed the cache."""
    every_miss_says_why(events, "rebuild", "rebuild-moved", "rebuild-again", "rebuild-restored")


def after_sharing(runner: LessonRunner, events: Events, client: docker.DockerClient) -> None:
    """Lesson 6: the ``RUN pip install flask`` row of {image2}'s history shows the
    same image ID as {image}'s (one layer, stored once), and a fresh container's
    writable layer is empty: ``docker diff`` lists nothing, ``docker ps -s`` 0B."""

    def run_row(image: str) -> str:
        rows = history(client, name(runner, image))
        return next(str(r["Id"]) for r in rows if "pip install flask" in str(r["CreatedBy"]))

    assert run_row("{image2}") == run_row("{image}") != "<missing>"
    first = name(runner, "{container2}-1")
    if sizes_are_blocks():  # an empty read-write snapshot still takes a few blocks
        assert rw_size(client, first) % 4096 == 0
    else:
        assert rw_size(client, first) == 0
    assert diff(runner.engine, first).changes == ()
    shown = [e for e in events["what-containers-cost"] if isinstance(e, ActionDone)]
    assert shown and shown[-1].summary.startswith("0 paths differ")


def after_copy_on_write(runner: LessonRunner, events: Events, client: docker.DockerClient) -> None:
    """Lesson 7: the writable layer holds a few hundred bytes, under 1 kB, and
    ``docker ps -s`` counts file bytes only: the copied-up ``app.py`` plus
    ``notes.txt`` (folders and the whiteout count for nothing)."""
    cow = name(runner, "{container}-cow")
    container = client.containers.get(cow)
    app_py = container.exec_run(["cat", "/app.py"]).output
    notes = container.exec_run(["cat", "/notes.txt"]).output
    assert notes == b"a note\n"
    if sizes_are_blocks():  # the snapshot's blocks: each file and folder takes 4 KiB or more
        assert rw_size(client, cow) % 4096 == 0 and rw_size(client, cow) > 0
    else:
        assert rw_size(client, cow) == len(app_py) + len(notes) < 1000


def _outcomes(events: Sequence[object]) -> list[str]:
    """Each layer's last word in a push: pushed, exists or mounted."""
    last: dict[str, str] = {}
    for event in events:
        if isinstance(event, PushProgress) and event.status in ("pushed", "exists", "mounted"):
            last[event.layer] = event.status
    return sorted(last.values())


def after_push(runner: LessonRunner, events: Events, client: docker.DockerClient) -> None:
    """Lesson 8: into a registry of one's own, still empty, v1 sends every layer
    (``Pushed``); v2 sends only the new ``COPY`` layer, the rest already there."""
    v1, v2 = _outcomes(events["push-v1"]), _outcomes(events["push-v2"])
    assert len(v1) >= 3 and set(v1) == {"pushed"}, v1
    assert v2.count("pushed") == 1 and len(v2) == len(v1), v2


def after_base_image(runner: LessonRunner, events: Events, client: docker.DockerClient) -> None:
    """Lesson 9: a plain rebuild of the base comes entirely from the cache (updating
    it needs ``--pull``/``--no-cache``), and in an app's history the row below the
    app's ``CMD`` carries the base's own ID: the top of the base."""
    every_miss_says_why(events, "build-the-base", "build-the-first-app")
    lesson = runner.course.lesson("base-image")
    assert lesson is not None
    step = lesson.step("build-the-base")
    assert step is not None
    again = list(runner.perform(lesson, step))
    assert isinstance(again[-1], ActionDone), again[-1]
    steps = [e for e in again if isinstance(e, StepFinished)]
    assert len(steps) >= 2 and all(s.cached for s in steps), steps
    rows = history(client, name(runner, "{image2}:from-base"))
    created = [str(r.get("CreatedBy") or "") for r in rows]
    cmd = next(n for n, c in enumerate(created) if "CMD" in c and "app2.py" in c)
    assert rows[cmd + 1]["Id"] == client.images.get(name(runner, "{base}")).id


#: Lesson id -> the claims to check once it has been played.
AFTER: dict[str, Callable[[LessonRunner, Events, docker.DockerClient], None]] = {
    "build": after_build,
    "history": after_history,
    "cache": after_cache,
    "sharing": after_sharing,
    "copy-on-write": after_copy_on_write,
    "push": after_push,
    "base-image": after_base_image,
}


class HandMade:
    """Lesson 10's claim: what a learner makes by hand from a labelled image
    inherits the labels, and the clean-up removes it; a hand build from
    {base_image} carries none and stays.

    :meth:`make` runs before the clean-up lesson, :meth:`check` after it, and
    :meth:`remove` always (it removes only what :meth:`make` made).
    """

    def __init__(self, runner: LessonRunner, client: docker.DockerClient) -> None:
        self.client = client
        self.namespace = runner.namespace
        self.image = name(runner, "{image}")
        self.base = name(runner, "{base}")
        self.base_image = name(runner, "{base_image}")
        self.run_by_hand = f"lt-by-hand-{self.namespace}"
        self.on_base = f"lt-by-hand-on-base-{self.namespace}"
        self.unlabelled = f"lt-by-hand-unlabelled-{self.namespace}"

    def _build(self, tag: str, parent: str) -> None:
        dockerfile = f'FROM {parent}\nCMD ["python", "-c", "print(1)"]\n'
        for _ in self.client.api.build(
            fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True, forcerm=True, decode=True
        ):
            pass

    def make(self) -> None:
        """``docker run`` of a course image and two ``docker build``s, all without labels."""
        self.client.containers.run(self.image, name=self.run_by_hand, detach=True)
        self._build(self.on_base, self.base)
        self._build(self.unlabelled, self.base_image)
        ours = {TOOL_LABEL: TOOL_NAME, NAMESPACE_LABEL: self.namespace}
        for labels in (
            self.client.containers.get(self.run_by_hand).labels,
            self.client.images.get(self.on_base).labels,
        ):
            assert ours.items() <= labels.items(), labels
        assert TOOL_LABEL not in self.client.images.get(self.unlabelled).labels

    def check(self) -> None:
        """The inherited ones are gone; the unlabelled image stayed."""
        for missing, get in (
            (self.run_by_hand, self.client.containers.get),
            (self.on_base, self.client.images.get),
        ):
            try:
                get(missing)
            except docker.errors.NotFound:
                continue
            raise AssertionError(f"{missing} has the tutor's labels and survived the clean-up")
        assert self.client.images.get(self.unlabelled).tags == [f"{self.unlabelled}:latest"]

    def remove(self) -> None:
        """Remove what :meth:`make` made and the clean-up left (never anything else)."""
        for gone in (
            lambda: self.client.containers.get(self.run_by_hand).remove(force=True),
            lambda: self.client.images.remove(self.on_base, force=True),
            lambda: self.client.images.remove(self.unlabelled, force=True),
        ):
            with contextlib.suppress(docker.errors.NotFound):
                gone()
