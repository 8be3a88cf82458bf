"""layers() against the Docker CLI (`docker image history` and `inspect`) on real images."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import docker
import pytest

from tutor.engine.connection import Engine, connect
from tutor.engine.errors import ImageNotFound
from tutor.engine.history_rows import RowFacts, align_filesystem
from tutor.engine.labels import labels_for
from tutor.engine.layers import LayerStack, layers
from tutor.engine.missing_rows import MissingCause, MissingReason
from tutor.engine.profile import profile

pytestmark = pytest.mark.skipif(shutil.which("docker") is None, reason="needs the docker CLI")


def cli(*args: str) -> str:
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout


def cli_history(image: str) -> list[dict[str, Any]]:
    """`docker image history` rows, oldest first, sizes in bytes."""
    out = cli("image", "history", "--no-trunc", "--human=false", "--format", "{{json .}}", image)
    return [json.loads(line) for line in reversed(out.splitlines())]


def cli_inspect(image: str) -> dict[str, Any]:
    return dict(json.loads(cli("image", "inspect", image))[0])


def sizes_are_disk_usage() -> bool:
    """The engine profile's word on history sizes (blocks, under the containerd store)."""
    eng = connect()
    try:
        return profile(eng).history_size_is_disk_usage
    finally:
        eng.close()


def loaded_cause() -> MissingCause:
    """Why a loaded image's rows are <missing>: it came finished, or (containerd) never per step.

    The containerd store gives a loaded image a repo digest like a pulled one,
    and keeps no image per step for any image, so that is the reason it gives.
    """
    eng = connect()
    try:
        return MissingCause.CONTAINERD if profile(eng).containerd_store else MissingCause.ELSEWHERE
    finally:
        eng.close()


def loaded_reason() -> str:
    """:func:`loaded_cause` as its English sentence, ``{name}`` still to fill."""
    return loaded_cause().value


def assert_agrees_with_cli(stack: LayerStack, image: str) -> None:
    """Every row matches `docker image history`; filesystem rows match RootFS in order."""
    rows = cli_history(image)
    inspect = cli_inspect(image)
    assert stack.image_id == inspect["Id"]
    assert len(stack.layers) == len(rows)
    for layer, row in zip(stack.layers, rows, strict=True):
        assert (layer.image_id or "<missing>") == row["ID"]
        assert layer.created_by == row["CreatedBy"]
        assert layer.size == int(row["Size"])
        assert layer.comment == row["Comment"]
        assert (layer.missing_reason is not None) == (row["ID"] == "<missing>")
        assert layer.missing_reason == (layer.missing_why.text if layer.missing_why else None)
    fs = stack.filesystem_layers
    assert [layer.diff_id for layer in fs] == inspect["RootFS"]["Layers"]
    if sizes_are_disk_usage():
        # The containerd store measures a snapshot by the blocks it takes, not its bytes.
        assert all(layer.size % 4096 == 0 for layer in fs)
        assert stack.total_size == sum(int(row["Size"]) for row in rows)
    else:
        assert stack.total_size == inspect["Size"]
    assert_chain_ids_are_stored(stack, inspect)


def assert_chain_ids_are_stored(stack: LayerStack, inspect: dict[str, Any]) -> None:
    """Where the engine's layer database is readable here, each chain id is a stored layer."""
    info = json.loads(cli("info", "--format", "{{json .}}"))
    layerdb = Path(info["DockerRootDir"]) / "image" / info["Driver"] / "layerdb" / "sha256"
    if not os.access(layerdb, os.R_OK):
        return  # a remote engine: the chain ids are still checked by the unit tests
    for layer in stack.filesystem_layers:
        stored = layerdb / str(layer.chain_id).removeprefix("sha256:")
        assert (stored / "diff").read_text() == layer.diff_id


def build(client: docker.DockerClient, tag: str, text: str, ns: str) -> str:
    """Build with raw docker-py (independent of the code under test)."""
    events = list(
        client.api.build(
            fileobj=io.BytesIO(text.encode()),
            tag=tag,
            labels=labels_for(ns, "test"),
            rm=True,
            forcerm=True,
            decode=True,
        )
    )
    assert [e["errorDetail"] for e in events if "errorDetail" in e] == []
    return tag


def save_remove_load(client: docker.DockerClient, tag: str) -> None:
    """`docker save | docker rmi | docker load`: the image comes back without its parents."""
    data = b"".join(client.images.get(tag).save(named=True))
    client.images.remove(tag)
    client.images.load(data)


def test_busybox_fixture(engine: Engine, fixture_images: dict[str, str]) -> None:
    image = fixture_images["busybox"]
    stack = layers(engine, image)
    assert_agrees_with_cli(stack, image)
    assert [layer.is_filesystem for layer in stack.layers] == [True, True, False, False, False]
    assert stack.layers[0].instruction.startswith("COPY file:")
    assert stack.layers[1].instruction == "RUN /bin/busybox --install -s /bin"
    assert stack.layers[2].instruction == 'CMD ["sh"]'
    assert stack.layers[-1].tags == (image,)
    store = json.loads(cli("info", "--format", "{{json .DriverStatus}}")) or []
    assert stack.containerd_store is any("containerd.snapshotter" in str(r) for r in store)


@pytest.mark.engine_differs(
    "history_size_is_disk_usage", reason="an empty WORKDIR takes 8 KiB of snapshot blocks"
)
def test_workdir_is_a_zero_byte_layer_and_env_cmd_are_metadata(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
) -> None:
    tag = build(
        docker_client,
        f"{namespace}/workdir:1",
        f"FROM {fixture_images['busybox']}\nENV NS={namespace}\nRUN true\nWORKDIR /app\n"
        'RUN echo hi > /app/f\nCMD ["sh"]\n',
        namespace,
    )
    stack = layers(engine, tag)
    assert_agrees_with_cli(stack, tag)
    own = {layer.instruction: layer for layer in stack.layers[5:]}
    assert own["WORKDIR /app"].is_filesystem and own["WORKDIR /app"].size == 0
    assert own["RUN true"].size == 0 and not own["RUN true"].is_filesystem  # changed nothing
    assert not own[f"ENV NS={namespace}"].is_filesystem
    assert not own['CMD ["sh"]'].is_filesystem
    assert own["RUN echo hi > /app/f"].is_filesystem and own["RUN echo hi > /app/f"].size == 3
    assert len(stack.filesystem_layers) == 4
    assert tag in stack.layers[-1].tags
    assert all(layer.image_id for layer in stack.layers)


def test_imported_image_is_one_filesystem_layer(
    engine: Engine, fixture_images: dict[str, str]
) -> None:
    image = fixture_images["python"]
    stack = layers(engine, image)
    assert_agrees_with_cli(stack, image)
    (only,) = stack.layers
    assert only.is_filesystem and only.size > 50_000_000
    assert "docker import" in only.instruction
    assert only.comment.startswith("Imported from")


def test_loaded_image_has_missing_rows_explained_and_exactly_aligned(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
) -> None:
    tag = build(
        docker_client,
        f"{namespace}/loaded:1",
        # RUN true (0 bytes, no layer) comes before WORKDIR (0 bytes, a layer):
        # counting cannot tell them apart once their rows are <missing>.
        f"FROM {fixture_images['busybox']}\nENV NS={namespace}\nRUN true\nWORKDIR /app\n"
        "RUN echo hi > /app/f\n",
        namespace,
    )
    save_remove_load(docker_client, tag)
    stack = layers(engine, tag)
    assert_agrees_with_cli(stack, tag)
    missing = stack.layers[:-1]
    assert all(layer.image_id is None for layer in missing)
    assert {layer.missing_reason for layer in missing} == {
        loaded_reason().format(name="this image")
    }
    facts = [RowFacts(layer.size, layer.created_by) for layer in stack.layers]
    aligned = align_filesystem(facts, {}, len(stack.filesystem_layers))
    if sizes_are_disk_usage():  # every filesystem row takes blocks: sizes alone tell them apart
        assert aligned is not None
    else:
        assert aligned is None  # RUN true and WORKDIR are both 0 B: the config was needed
    flags = {layer.instruction: layer.is_filesystem for layer in stack.layers}
    assert flags["RUN true"] is False and flags["WORKDIR /app"] is True


def test_image_built_on_a_loaded_base_names_that_base(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
) -> None:
    base = build(
        docker_client,
        f"{namespace}/base:1",
        f"FROM {fixture_images['busybox']}\nRUN echo {namespace} > /ns\n",
        namespace,
    )
    save_remove_load(docker_client, base)
    tag = build(docker_client, f"{namespace}/app:1", f"FROM {base}\nRUN echo app > /a\n", namespace)
    stack = layers(engine, tag)
    assert_agrees_with_cli(stack, tag)
    base_rows = len(cli_history(base))
    assert all(layer.image_id for layer in stack.layers[base_rows - 1 :])
    assert stack.layers[base_rows - 1].tags == (base,)
    reasons = {layer.missing_reason for layer in stack.layers[: base_rows - 1]}
    assert reasons == {loaded_reason().format(name=base)}
    whys = {layer.missing_why for layer in stack.layers[: base_rows - 1]}
    assert whys == {MissingReason(loaded_cause(), base)}  # the panels translate this


def test_unknown_image_is_image_not_found(engine: Engine, namespace: str) -> None:
    with pytest.raises(ImageNotFound):
        layers(engine, f"{namespace}/never-built:1")


@pytest.mark.slow
def test_pip_install_on_the_python_image(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    fixture_images: dict[str, str],
) -> None:
    tag = build(
        docker_client,
        f"{namespace}/flask:1",
        f"FROM {fixture_images['python']}\nENV NS={namespace}\nRUN pip install flask\n",
        namespace,
    )
    stack = layers(engine, tag)
    assert_agrees_with_cli(stack, tag)
    pip = next(layer for layer in stack.layers if layer.instruction == "RUN pip install flask")
    assert pip.is_filesystem and pip.size > 1_000_000
    assert [layer.is_filesystem for layer in stack.layers][:2] == [True, False]
    assert len(stack.filesystem_layers) == 2
