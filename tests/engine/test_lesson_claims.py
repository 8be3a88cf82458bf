"""Rules the lessons teach, proven on the real engine with the small busybox image.

The solution check (``test_solution.py`` with ``lesson_claims.py``) asserts
what each lesson says about the course's own images; these tests prove the
general rules behind that text in a second or two each, so that a Docker
that changes one of them fails here first:

- the classic builder numbers every instruction, and the tutor's labels add
  one ``LABEL`` step each (lesson 2: ``Step 1/7``, not ``1/4``);
- ``WORKDIR`` makes a layer only when it creates its folder (lesson 4);
- labels are inherited by containers and by images built ``FROM`` a labelled
  image, and the clean-up removes those too, while a container of an
  unlabelled image stays (lessons 2 and 10).
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from tutor.course.filling import fill
from tutor.course.journal import Journal
from tutor.course.loader import default_course_root, load_course
from tutor.course.params import resolve
from tutor.course.runner import LessonRunner
from tutor.engine.build import build
from tutor.engine.build_events import StepStarted
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.labels import NAMESPACE_LABEL, TOOL_LABEL, TOOL_NAME, labels_for


def by_hand(client: docker.DockerClient, dockerfile: str, tag: str) -> list[str]:
    """``docker build`` typed by a learner (no labels); returns its ``Step`` lines."""
    lines = []
    for event in client.api.build(
        fileobj=io.BytesIO(dockerfile.encode()), tag=tag, rm=True, forcerm=True, decode=True
    ):
        text = str(event.get("stream") or "")
        lines += [line for line in text.splitlines() if line.startswith("Step ")]
        assert "error" not in event, event
    return lines


@pytest.fixture
def hand_made(docker_client: docker.DockerClient, namespace: str) -> Iterator[list[str]]:
    """Names of images a test builds by hand; removed afterwards if still there."""
    tags: list[str] = []
    yield tags
    for tag in reversed(tags):
        with contextlib.suppress(docker.errors.NotFound):
            docker_client.images.remove(tag, force=True)


def test_the_tutor_build_counts_one_label_step_per_label(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
    hand_made: list[str],
) -> None:
    busybox = fixture_images["busybox"]
    dockerfile = f'FROM {busybox}\nRUN echo {namespace} > /made\nCMD ["sh"]\nCOPY app.py /app.py\n'
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "app.py").write_text(f"print('{namespace}')\n")
    tag = f"lt-steps-{namespace}"
    events = list(build(engine, tmp_path, tag, labels=labels_for(namespace, "build")))
    started = [e for e in events if isinstance(e, StepStarted)]
    assert {e.total for e in started} == {7}  # four instructions, three labels
    assert [e.instruction.split()[0] for e in started[4:]] == ["LABEL"] * 3
    base_layers = len(docker_client.images.get(busybox).attrs["RootFS"]["Layers"])
    # RUN and COPY add a layer each; CMD and the LABELs add none.
    assert len(docker_client.images.get(tag).attrs["RootFS"]["Layers"]) == base_layers + 2

    hand_made.append(f"lt-steps-by-hand-{namespace}")
    steps = by_hand(docker_client, dockerfile.replace("COPY app.py /app.py\n", ""), hand_made[0])
    assert steps == [
        f"Step 1/3 : FROM {busybox}",
        f"Step 2/3 : RUN echo {namespace} > /made",
        'Step 3/3 : CMD ["sh"]',
    ]


@pytest.mark.engine_differs(
    "history_size_is_disk_usage", reason="an empty WORKDIR takes 8 KiB of snapshot blocks"
)
def test_workdir_makes_a_layer_only_when_it_creates_its_folder(
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    hand_made: list[str],
) -> None:
    busybox = fixture_images["busybox"]
    base_layers = len(docker_client.images.get(busybox).attrs["RootFS"]["Layers"])
    hand_made += [f"lt-workdir-old-{namespace}", f"lt-workdir-new-{namespace}"]
    by_hand(docker_client, f"FROM {busybox}\nWORKDIR /bin\n", hand_made[0])
    by_hand(docker_client, f"FROM {busybox}\nWORKDIR /new-{namespace}\n", hand_made[1])
    existing, new = (docker_client.images.get(t) for t in hand_made)
    assert len(existing.attrs["RootFS"]["Layers"]) == base_layers  # /bin was there
    assert len(new.attrs["RootFS"]["Layers"]) == base_layers + 1  # a real layer...
    assert docker_client.api.history(hand_made[1])[0]["Size"] == 0  # ...that shows 0 B


def test_hand_made_objects_inherit_the_labels_and_are_cleaned(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
    hand_made: list[str],
) -> None:
    busybox = fixture_images["busybox"]
    (tmp_path / "Dockerfile").write_text(f'FROM {busybox}\nCMD ["sleep", "300"]\n')
    ours = f"lt-course-image-{namespace}"
    list(build(engine, tmp_path, ours, labels=labels_for(namespace, "build")))
    run_by_hand = docker_client.containers.run(ours, name=f"lt-by-hand-{namespace}", detach=True)
    on_ours, unlabelled = f"lt-on-ours-{namespace}", f"lt-unlabelled-{namespace}"
    hand_made += [on_ours, unlabelled]
    by_hand(docker_client, f'FROM {ours}\nCMD ["true"]\n', on_ours)
    by_hand(docker_client, f'FROM {busybox}\nCMD ["sleep", "300"]\n', unlabelled)
    # Lesson 10: "neither do its containers" (issue 12, finding 16): a container
    # run by hand from an unlabelled image carries no label, and clean spares it.
    spared = docker_client.containers.run(unlabelled, name=f"lt-spared-{namespace}", detach=True)
    try:
        label = {TOOL_LABEL: TOOL_NAME, NAMESPACE_LABEL: namespace}
        assert label.items() <= run_by_hand.labels.items()
        assert label.items() <= docker_client.images.get(on_ours).labels.items()
        assert TOOL_LABEL not in docker_client.images.get(unlabelled).labels
        assert TOOL_LABEL not in spared.labels

        report = clean(engine, namespace)
        assert run_by_hand.name in report.containers
        assert spared.name not in report.containers
        assert f"{on_ours}:latest" in report.images
        with pytest.raises(docker.errors.NotFound):
            docker_client.containers.get(run_by_hand.id)
        with pytest.raises(docker.errors.ImageNotFound):
            docker_client.images.get(on_ours)
        assert docker_client.images.get(unlabelled).tags == [f"{unlabelled}:latest"]
        assert docker_client.containers.get(spared.id).status == "running"
    finally:
        spared.remove(force=True)


def test_lesson_4_says_how_many_missing_rows_the_learners_own_base_has(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
    tmp_path: Path,
) -> None:
    """Issue 12, finding 19: the text said "many rows show <missing>", but the
    local stand-in base is one imported layer, with its own ID and no <missing>."""
    python = fixture_images["python"]
    course = load_course(default_course_root(), overrides={"base_image": python})
    values = resolve(engine, course, namespace=namespace).values
    rows = docker_client.api.history(python)
    missing = sum(1 for row in rows if row["Id"] == "<missing>")
    assert (values["base_missing_rows"], values["base_history_rows"]) == (missing, len(rows))
    lesson = course.lesson("history")
    assert lesson is not None
    step = lesson.step("history-of-the-base")
    assert step is not None
    said = {
        lang: " ".join(fill(step.words(lang).body, values).split()) for lang in course.languages
    }
    assert f"Linhas com `<missing>` no seu Docker: {missing} de {len(rows)}." in said["pt-BR"]
    assert f"Rows showing `<missing>` on your Docker: {missing} of {len(rows)}." in said["en"]

    # A base that arrives during the session, pulled or loaded: its rows below
    # the top have no local image. The lesson reads the engine again on opening.
    loaded = f"lt-loaded-{namespace}"
    course = load_course(default_course_root(), overrides={"base_image": loaded})
    values = resolve(engine, course, namespace=namespace).values
    assert values["base_missing_rows"] == values["base_history_rows"] == "?"
    journal = Journal.load(tmp_path / "journal.json")
    runner = LessonRunner(engine, course, params=values, workspace=tmp_path / "ws",
                          namespace=namespace, journal=journal)  # fmt: skip
    (tmp_path / "Dockerfile").write_text(
        f"FROM {fixture_images['busybox']}\nRUN echo {namespace}\n"
    )
    list(build(engine, tmp_path, loaded, labels=labels_for(namespace, "history")))
    archive = b"".join(docker_client.api.get_image(loaded))
    docker_client.images.remove(loaded, force=True)
    docker_client.images.load(archive)
    rows = docker_client.api.history(loaded)
    assert [row["Id"] for row in rows[1:]] == ["<missing>"] * (len(rows) - 1)
    lesson = course.lesson("history")
    assert lesson is not None
    runner.prepare(lesson)
    assert (runner.params["base_missing_rows"], runner.params["base_history_rows"]) == (
        len(rows) - 1,
        len(rows),
    )
