"""Shared layers on a real engine: by chain id, checked against `docker system df`."""

from __future__ import annotations

import io
import tarfile
import time
from typing import Any

import docker
import pytest

from tutor.engine.connection import Engine
from tutor.engine.errors import ImageNotFound
from tutor.engine.labels import labels_for
from tutor.engine.sharing import shared


def build(client: docker.DockerClient, tag: str, dockerfile: str, shared_text: str, ns: str) -> str:
    """Build from an in-memory context whose shared.txt is byte-for-byte the same each time."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in (
            ("Dockerfile", dockerfile.encode()),
            ("shared.txt", shared_text.encode()),
        ):
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    buffer.seek(0)
    events = client.api.build(
        fileobj=buffer,
        custom_context=True,
        tag=tag,
        labels=labels_for(ns, "test"),
        rm=True,
        forcerm=True,
        decode=True,
    )
    assert [e["errorDetail"] for e in events if "errorDetail" in e] == []
    return tag


@pytest.fixture
def three_images(
    docker_client: docker.DockerClient, namespace: str, fixture_images: dict[str, str]
) -> dict[str, str]:
    """a and b: the same base and first step; c: the same COPY on another parent."""
    base = fixture_images["busybox"]
    text = f"shared by a and b in {namespace}\n" * 100
    copy = "COPY shared.txt /shared.txt\n"
    return {
        "a": build(
            docker_client,
            f"{namespace}/a:1",
            f"FROM {base}\n{copy}RUN echo a > /a\n",
            text,
            namespace,
        ),
        "b": build(
            docker_client,
            f"{namespace}/b:1",
            f"FROM {base}\n{copy}RUN echo bb > /b\n",
            text,
            namespace,
        ),
        "c": build(
            docker_client,
            f"{namespace}/c:1",
            f"FROM {base}\nRUN echo c > /c\n{copy}",
            text,
            namespace,
        ),
    }


def system_df(client: docker.DockerClient, image_id: str) -> dict[str, Any]:
    """The engine's own account of an image's size and of the part it shares."""
    for _ in range(3):
        for row in client.df()["Images"]:
            if row["Id"] == image_id:
                return dict(row)
        time.sleep(0.5)
    raise AssertionError(f"{image_id} not in docker system df")


@pytest.mark.engine_differs(
    "history_size_is_disk_usage",
    reason="layer sizes are blocks on disk, so the bytes saved are not docker system df's",
)
def test_same_base_and_first_steps_share_exactly_those_layers(
    engine: Engine,
    docker_client: docker.DockerClient,
    three_images: dict[str, str],
    fixture_images: dict[str, str],
) -> None:
    result = shared(engine, [three_images["a"], three_images["b"]])
    a, b = result.stacks
    base = docker_client.images.get(fixture_images["busybox"]).attrs["RootFS"]["Layers"]
    # busybox's two layers and the COPY: the common prefix of the two RootFS lists.
    assert len(result.shared_chain_ids) == len(base) + 1
    assert result.shared_chain_ids == tuple(x.chain_id for x in a.filesystem_layers[:3])
    assert result.shared_chain_ids == tuple(x.chain_id for x in b.filesystem_layers[:3])
    assert a.filesystem_layers[3].chain_id != b.filesystem_layers[3].chain_id
    copy_size = a.filesystem_layers[2].size
    assert copy_size == len(f"shared by a and b in {three_images['a'].split('/')[0]}\n") * 100
    base_size = docker_client.images.get(fixture_images["busybox"]).attrs["Size"]
    df_a = system_df(docker_client, a.image_id)
    df_b = system_df(docker_client, b.image_id)
    assert result.bytes_without_sharing == df_a["Size"] + df_b["Size"]
    assert result.bytes_saved == base_size + copy_size
    # Everything a shares (with b, and busybox with the fixture) is what sharing saves here.
    assert df_a["SharedSize"] == df_b["SharedSize"] == result.bytes_saved
    assert result.bytes_stored == df_a["Size"] + df_b["Size"] - base_size - copy_size
    assert result.bytes_stored == base_size + copy_size + 2 + 3  # "a\n" and "bb\n"


def test_same_content_on_another_parent_is_not_shared(
    engine: Engine, three_images: dict[str, str]
) -> None:
    result = shared(engine, [three_images["a"], three_images["c"]])
    a, c = result.stacks
    copy_a = a.filesystem_layers[2]
    copy_c = c.filesystem_layers[3]
    assert copy_a.instruction == copy_c.instruction
    assert copy_a.diff_id == copy_c.diff_id  # the very same tar ...
    assert copy_a.chain_id != copy_c.chain_id  # ... on another stack: stored twice
    assert copy_c.chain_id not in result.shared_chain_ids
    assert result.shared_chain_ids == tuple(x.chain_id for x in a.filesystem_layers[:2])
    assert result.bytes_saved == sum(x.size for x in a.filesystem_layers[:2])


def test_three_images_and_a_missing_one(
    engine: Engine, three_images: dict[str, str], namespace: str
) -> None:
    result = shared(engine, list(three_images.values()))
    a = result.stacks[0]
    assert result.images == tuple(three_images.values())
    assert result.shared_chain_ids == tuple(x.chain_id for x in a.filesystem_layers[:3])
    # busybox is stored once instead of three times, the COPY once instead of twice.
    busybox = sum(x.size for x in a.filesystem_layers[:2])
    assert result.bytes_saved == 2 * busybox + a.filesystem_layers[2].size
    with pytest.raises(ImageNotFound):
        shared(engine, [three_images["a"], f"{namespace}/none:1"])
