"""The command line on the real engine: what a teacher's script would read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import docker
import pytest

from tutor.engine.labels import labels_for
from tutor.engine.profile import EngineProfile


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args], capture_output=True, text=True, env=env, timeout=300
    )


def docker_history(image: str) -> list[dict[str, str]]:
    out = subprocess.run(
        ["docker", "image", "history", "--no-trunc", "--format", "{{json .}}", image],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture
def two_images(
    docker_client: docker.DockerClient,
    fixture_images: dict[str, str],
    namespace: str,
    tmp_path: Path,
) -> tuple[str, str]:
    """Two images on the busybox base that share their first step and differ after it."""
    names = []
    for n, extra in enumerate(("echo one > /one", "echo two > /two")):
        (tmp_path / f"Dockerfile{n}").write_text(
            f"FROM {fixture_images['busybox']}\n"
            "RUN echo shared > /shared.txt\n"
            f"RUN {extra}\n"
            "WORKDIR /work\n"
        )
        tag = f"cli-{namespace}-{n}:latest"
        docker_client.images.build(
            path=str(tmp_path),
            dockerfile=f"Dockerfile{n}",
            tag=tag,
            labels=labels_for(namespace, "test"),
            rm=True,
        )
        names.append(tag)
    return names[0], names[1]


def test_layers_json_matches_docker_image_history(
    two_images: tuple[str, str], engine_profile: EngineProfile
) -> None:
    image = two_images[0]
    result = run_cli("layers", image, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    history = docker_history(image)
    assert len(data["layers"]) == len(history)
    # history is newest first; ours is oldest first
    for ours, theirs in zip(reversed(data["layers"]), history, strict=True):
        assert ours["created_by"] == theirs["CreatedBy"]
        theirs_id = None if theirs["ID"] == "<missing>" else theirs["ID"]
        assert ours["id"] == theirs_id
    fs = [x for x in data["layers"] if x["filesystem"]]
    inspect = docker.from_env().images.get(image).attrs["RootFS"]["Layers"]
    assert [x["diff_id"] for x in fs] == inspect
    # build labels come after the Dockerfile's own rows, as metadata-only rows
    workdir = next(x for x in data["layers"] if x["instruction"].startswith("WORKDIR"))
    assert data["layers"][-1]["instruction"].startswith("LABEL")
    assert data["layers"][-1]["filesystem"] is False
    assert workdir["filesystem"] is True
    if engine_profile.history_size_is_disk_usage:  # a snapshot's blocks, even when empty
        assert workdir["size"] > 0 and workdir["size"] % 4096 == 0
    else:
        assert workdir["size"] == 0


def test_layers_table_lists_every_row(two_images: tuple[str, str]) -> None:
    result = run_cli("layers", two_images[0])
    assert result.returncode == 0, result.stderr
    assert "RUN echo one > /one" in result.stdout
    assert "WORKDIR /work" in result.stdout
    assert "filesystem" in result.stdout and "metadata" in result.stdout
    # Newest on top, as `docker image history` and the README say; --json is oldest first.
    numbers = [
        int(line.split()[0]) for line in result.stdout.splitlines()[2:] if line[:1].isdigit()
    ]
    assert numbers == sorted(numbers, reverse=True) and numbers[-1] == 0


def test_shared_json_counts_the_common_layers(two_images: tuple[str, str]) -> None:
    result = run_cli("shared", *two_images, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    # the busybox base (2 layers) and the shared RUN: 3 common layers
    assert len(data["shared_chain_ids"]) == 3
    assert data["bytes_saved"] == data["bytes_without_sharing"] - data["bytes_stored"]
    assert data["bytes_saved"] > 1_000_000  # busybox is stored once instead of twice


def test_diff_json_names_kinds_and_source_layers(
    docker_client: docker.DockerClient, two_images: tuple[str, str], namespace: str
) -> None:
    container = docker_client.containers.run(
        two_images[0],
        ["sh", "-c", "echo changed > /shared.txt && rm /one && echo new > /new.txt"],
        name=f"cli-{namespace}",
        labels=labels_for(namespace, "test"),
        detach=True,
    )
    container.wait(timeout=60)
    result = run_cli("diff", container.name, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    kinds = {c["path"]: c["kind"] for c in data["changes"]}
    assert kinds["/new.txt"] == "A"
    assert kinds["/shared.txt"] == "C"
    assert kinds["/one"] == "D"
    source = {c["path"]: c["source_instruction"] for c in data["changes"]}
    assert source["/shared.txt"] == "RUN echo shared > /shared.txt"
    assert source["/one"] == "RUN echo one > /one"
    assert data["rw_size"] > 0


def test_doctor_reports_the_engine(fixture_images: dict[str, str]) -> None:
    result = run_cli("--param", f"base_image={fixture_images['python']}", "doctor", "--json")
    data = {f["check"]: f for f in json.loads(result.stdout)}
    assert data["engine"]["ok"] is True
    assert data["base image"]["ok"] is True
    assert fixture_images["python"] in data["base image"]["detail"]
    assert result.returncode == 0, result.stdout


def test_doctor_says_when_the_base_image_cannot_be_had(engine_handle: object) -> None:
    result = run_cli("--param", "base_image=layers-tutor-test/absent:0", "doctor")
    assert result.returncode == 1
    assert "FAIL" in result.stdout and "layers-tutor-test/absent:0" in result.stdout


def test_errors_are_one_line_with_a_hint_never_a_traceback(engine_handle: object) -> None:
    result = run_cli("layers", "layers-tutor-test/absent:0")
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert "hint: " in result.stderr
    assert "Traceback" not in result.stderr
    down = run_cli("layers", "x", env={"DOCKER_HOST": "tcp://127.0.0.1:1", "PATH": "/usr/bin"})
    assert down.returncode == 2
    assert "No Docker engine answers at tcp://127.0.0.1:1" in down.stderr
    assert "Traceback" not in down.stderr
