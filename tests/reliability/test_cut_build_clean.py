"""``clean`` after builds cut short: 0 labelled images left, hidden ones included.

Issue 16 wants kills mid-build in the cache lessons too. One hundred-kill run
that drew them (seed 152688262) ended with two untagged labelled images that
``clean`` did not remove. ``clean`` listed images without ``all=True``, and
the engine hides an untagged image that has a child: a labelled image hidden
like that whose child then went without pruning it (``--no-prune``, as the
tutor's own step-image clean-up removes, or another client at work on the
same engine) was never seen. The first test makes exactly that happen while
``clean`` runs; the second kills real builds of a cache-lesson rebuild
(earlier steps cached, COPY and the label steps rebuilt) at random moments,
builds again, and counts what ``clean`` leaves, with ``all=True``.
"""

from __future__ import annotations

import io
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest

from tests.reliability.engine_state import exists
from tutor.engine.cleanup import clean
from tutor.engine.connection import Engine
from tutor.engine.labels import label_filters, labels_for

#: The tutor's own build, in a process of its own, so the test can SIGKILL it.
BUILD = """
import sys
from pathlib import Path
from tutor.engine.build import build
from tutor.engine.connection import connect
from tutor.engine.labels import labels_for

folder, tag, namespace = sys.argv[1:4]
for event in build(connect(), Path(folder), tag, labels=labels_for(namespace, "cache")):
    print(type(event).__name__, flush=True)
"""


def _build(client: docker.DockerClient, dockerfile: str, tag: str, labels: dict[str, str]) -> str:
    for event in client.api.build(
        fileobj=io.BytesIO(dockerfile.encode()), tag=tag, labels=labels, rm=True,
        forcerm=True, decode=True,
    ):  # fmt: skip
        assert "errorDetail" not in event, event
    return str(client.images.get(tag).id)


def _labelled(client: docker.DockerClient, namespace: str) -> list[str]:
    mine = {"label": label_filters(namespace)}
    found = [c.id for c in client.containers.list(all=True, filters=mine)]
    return found + [i.id for i in client.images.list(all=True, filters=mine)]


def test_a_hidden_labelled_image_whose_child_goes_during_clean_is_removed(
    engine: Engine,
    docker_client: docker.DockerClient,
    busybox_base: str,
    namespace: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    labels = labels_for(namespace, "cache")
    parent = _build(
        docker_client, f"FROM {busybox_base}\nRUN echo p > /p\n", f"p-{namespace}", labels
    )
    child = _build(docker_client, f"FROM {parent}\nRUN echo c > /c\n", f"c-{namespace}", labels)
    docker_client.api.remove_image(f"p-{namespace}")  # untagged now, and hidden: it has a child
    mine = {"label": label_filters(namespace)}
    assert parent not in {i.id for i in docker_client.images.list(filters=mine)}

    listed = engine.api.images
    another_client: list[str] = []

    def images(*args: Any, **kwargs: Any) -> Any:
        rows = listed(*args, **kwargs)
        if not another_client:  # right after clean's first look: the child goes, unpruned
            docker_client.api.remove_image(child, force=True, noprune=True)
            another_client.append(child)
        return rows

    monkeypatch.setattr(engine.api, "images", images)
    report = clean(engine, namespace)

    assert another_client == [child]
    assert report.kept == []
    assert not exists(docker_client, parent), "the hidden labelled parent outlived clean"
    assert _labelled(docker_client, namespace) == []
    assert exists(docker_client, busybox_base)  # unlabelled: untouched


@pytest.mark.parametrize("seed", [1, 2])
def test_clean_after_killed_cache_rebuilds_leaves_nothing_labelled(
    seed: int,
    engine: Engine,
    docker_client: docker.DockerClient,
    busybox_base: str,
    namespace: str,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "Dockerfile").write_text(
        f'FROM {busybox_base}\nRUN echo flask > /flask\nCMD ["sh"]\nCOPY app.py /app.py\n'
    )
    tag, script = f"python-hello-world-{namespace}", [sys.executable, "-c", BUILD]
    args = [str(folder), tag, namespace]
    base_id = str(docker_client.images.get(busybox_base).id)
    bystander = f"python-hello-world:bystander-{namespace}"
    docker_client.api.tag(busybox_base, bystander)  # unlabelled, named like the course's
    rng = random.Random(seed)
    cut = 0
    try:
        for round_ in range(8):
            (folder / "app.py").write_text(f"print('hello {round_} {rng.random()}')\n")
            build = subprocess.Popen([*script, *args], stdout=subprocess.PIPE, text=True)
            time.sleep(rng.uniform(0.1, 1.5))  # RUN is cached: COPY, CMD and labels run now
            build.kill()
            out, _ = build.communicate()
            cut += "BuildDone" not in out
            if rng.random() < 0.6:  # the learner builds again after the restart
                done = subprocess.run([*script, *args], capture_output=True, text=True, timeout=120)
                assert "BuildDone" in done.stdout, done.stdout + done.stderr
        time.sleep(2)  # a build whose client vanished may still be finishing
        report = clean(engine, namespace)
        left = _labelled(docker_client, namespace)
        print(f"\nseed {seed}: {cut} of 8 builds cut; clean removed {len(report.images)} "
              f"image references, kept {report.kept}; {len(left)} labelled left")  # fmt: skip
        assert report.kept == []
        assert left == []
        assert docker_client.images.get(bystander).id == base_id
    finally:
        docker_client.api.remove_image(bystander)
