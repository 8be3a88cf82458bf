"""An image built with BuildKit in the learner's terminal (``docker build`` today).

docker-py only has the classic builder, so the tutor builds that way, but a
learner who types ``docker build`` gets BuildKit: its history keeps only the
finished image, and rows carry ``# buildkit``. The tutor must read such an
image on every engine the tests run on, the containerd store included.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import modern_engine
from tests.conftest import IN_CI
from tutor.engine.connection import Engine
from tutor.engine.labels import labels_for
from tutor.engine.layers import layers
from tutor.engine.missing_rows import MissingCause


@pytest.fixture(scope="module")
def docker_config() -> Iterator[Path]:
    """A ``DOCKER_CONFIG`` folder whose CLI has the buildx plugin (BuildKit)."""
    reason = modern_engine.why_not() or ("" if shutil.which("docker") else "no docker CLI")
    if reason:
        if IN_CI:
            pytest.fail(f"CI must build with BuildKit, but: {reason}")
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="lt-buildx-"))
    (folder / "cli-plugins").mkdir()
    (folder / "cli-plugins/docker-buildx").symlink_to(modern_engine.buildx_plugin())
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def test_an_image_built_with_buildkit_reads_like_docker_history(
    engine: Engine, docker_config: Path, fixture_images: dict[str, str], namespace: str
) -> None:
    context = Path(tempfile.mkdtemp(prefix="lt-bk-"))
    try:
        (context / "Dockerfile").write_text(
            f"FROM {fixture_images['busybox']}\nRUN echo {namespace} > /ns\nWORKDIR /srv\n"
            "COPY Dockerfile .\n"
        )
        tag = f"{namespace}/buildkit:1"
        labels = [f"--label={k}={v}" for k, v in labels_for(namespace, "test").items()]
        env = dict(os.environ, DOCKER_CONFIG=str(docker_config), DOCKER_BUILDKIT="1")
        out = subprocess.run(
            ["docker", "build", "-q", "-t", tag, *labels, str(context)],
            capture_output=True, text=True, env=env,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
    finally:
        shutil.rmtree(context, ignore_errors=True)
    stack = layers(engine, tag)
    own = stack.layers[-3:]
    assert [layer.instruction for layer in own] == [
        f"RUN echo {namespace} > /ns",
        "WORKDIR /srv",
        "COPY Dockerfile .",
    ]
    assert all(layer.is_filesystem for layer in own)
    assert own[-1].image_id == stack.image_id  # only the finished image is kept
    for layer in own[:-1]:
        assert layer.image_id is None
        assert layer.missing_why is not None and layer.missing_why.cause is MissingCause.BUILDKIT
    inspect = engine.api.inspect_image(tag)
    assert [x.diff_id for x in stack.filesystem_layers] == inspect["RootFS"]["Layers"]
