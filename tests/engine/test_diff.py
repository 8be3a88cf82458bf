"""The copy-on-write lesson on a real engine: docker diff, its layer sources, its size."""

from __future__ import annotations

import gc
import gzip
import hashlib
import io
import tarfile
import threading
import uuid
import weakref
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest

from tests import provision
from tests.conftest import sweep_namespace
from tutor.engine.connection import Engine
from tutor.engine.containers import exec_in
from tutor.engine.diff import (
    ChangeKind,
    ContainerDiff,
    PathChange,
    diff,
    forget_answers,
    image_layers,
)
from tutor.engine.errors import ContainerNotFound, ImageNotFound
from tutor.engine.labels import labels_for
from tutor.engine.layer_index import LayerIndex
from tutor.engine.layer_tar import IndexCancelled, LayerFiles, layer_files
from tutor.engine.profile import EXEC_OUTSIDE, exec_reaches_container
from tutor.report import diff_table

# Three layers on busybox: make files, replace one and delete two (whiteouts),
# then make one of the deleted files again.
DOCKERFILE = """\
FROM {base}
RUN mkdir -p /data && echo one > /data/a && echo x > /data/b && echo c1 > /data/c \\
    && echo g > /data/gone
RUN echo two > /data/a && rm /data/c /data/gone
RUN echo c3 > /data/c
"""
# What the learner's container does on top of that image.
CHANGES = (
    "echo more >> /data/a && rm /data/b && echo new > /data/new && echo c > /data/c"
    " && echo back > /data/gone && touch /bin/busybox && ln -sf busybox /bin/ls"
)


@pytest.fixture(scope="module")
def lesson_image(engine_handle: provision.EngineHandle) -> Iterator[str]:
    """Build the three-layer image once for the module; removed afterwards."""
    client = engine_handle.client
    assert client is not None
    ns = f"t{uuid.uuid4().hex[:10]}"
    tag = f"{ns}/cow-lesson:latest"
    text = DOCKERFILE.format(base=provision.BUSYBOX)
    events = client.api.build(
        fileobj=io.BytesIO(text.encode()),
        tag=tag,
        labels=labels_for(ns, "test"),
        rm=True,
        forcerm=True,
        decode=True,
    )
    errors = [e["errorDetail"] for e in events if "errorDetail" in e]
    assert errors == []
    yield tag
    sweep_namespace(client, ns)


def start(client: docker.DockerClient, image: str, namespace: str, script: str) -> str:
    """Run ``script`` in a labelled container that stays up afterwards."""
    container = client.containers.run(
        image,
        ["sh", "-c", f"{script} && touch /ready && sleep 600"],
        name=f"{namespace}-cow",
        labels=labels_for(namespace, "test"),
        detach=True,
    )
    for _ in range(200):  # wait until the script has made all its changes
        if container.exec_run(["test", "-e", "/ready"]).exit_code == 0:
            return str(container.id)
    raise AssertionError(container.logs().decode())


def by_path(result: ContainerDiff) -> dict[str, PathChange]:
    return {c.path: c for c in result.changes}


def row_of(engine: Engine, image: str, text: str) -> int:
    """The layer index of the row whose instruction contains ``text``."""
    rows = image_layers(engine, engine.api.inspect_image(image)["Id"])
    return next(r.index for r in rows if text in r.instruction)


def test_diff_kinds_and_the_layer_each_file_came_from(
    engine: Engine, docker_client: docker.DockerClient, namespace: str, lesson_image: str
) -> None:
    cid = start(docker_client, lesson_image, namespace, CHANGES)
    result = diff(engine, cid, LayerIndex())
    got = {p: (c.kind, c.source_layer) for p, c in by_path(result).items()}
    first_run = row_of(engine, lesson_image, "echo one > /data/a")
    second_run = row_of(engine, lesson_image, "echo two > /data/a")
    third_run = row_of(engine, lesson_image, "echo c3 > /data/c")
    copy_busybox = row_of(engine, lesson_image, "COPY")
    assert got["/data/a"] == (ChangeKind.CHANGED, second_run)  # replaced by the later layer
    assert got["/data/b"] == (ChangeKind.DELETED, first_run)
    assert got["/data/c"] == (ChangeKind.CHANGED, third_run)  # made again after a whiteout
    assert got["/data/gone"] == (ChangeKind.ADDED, None)  # the whiteout layer does not hold it
    assert got["/data/new"] == (ChangeKind.ADDED, None)
    assert got["/data"] == (ChangeKind.CHANGED, third_run)  # a parent of changes
    assert got["/bin/busybox"] == (ChangeKind.CHANGED, copy_busybox)
    assert got["/bin/ls"] == (ChangeKind.CHANGED, row_of(engine, lesson_image, "--install"))
    assert copy_busybox == 0 and first_run < second_run < third_run
    assert "echo two > /data/a" in str(by_path(result)["/data/a"].source_instruction)
    assert [c.path for c in result.changes] == sorted(got)
    assert result.container == cid and result.image_id.startswith("sha256:")
    assert result.rw_size is not None and result.rw_size > 0


def test_rw_size_grows_and_diff_works_when_stopped(
    engine: Engine, docker_client: docker.DockerClient, namespace: str, lesson_image: str
) -> None:
    cid = start(docker_client, lesson_image, namespace, CHANGES)
    before = diff(engine, cid)
    container = docker_client.containers.get(cid)
    run = container.exec_run(["dd", "if=/dev/zero", "of=/data/big", "bs=1024", "count=512"])
    assert run.exit_code == 0
    after = diff(engine, cid)
    assert before.rw_size is not None and after.rw_size is not None
    assert after.rw_size - before.rw_size >= 512 * 1024
    assert by_path(after)["/data/big"].kind is ChangeKind.ADDED
    container.stop(timeout=0)
    assert docker_client.containers.get(cid).status == "exited"
    stopped = diff(engine, cid)
    assert stopped.changes == after.changes


def test_a_fresh_container_has_an_empty_read_write_layer_not_an_unknown_one(
    engine: Engine, docker_client: docker.DockerClient, namespace: str, lesson_image: str
) -> None:
    # Docker leaves SizeRw out of its answer when it is 0: the layer is empty, and the
    # panels must say 0 B (the lesson says a fresh container shows 0B), not "?".
    container = docker_client.containers.create(
        lesson_image, ["sleep", "600"], name=f"{namespace}-fresh",
        labels=labels_for(namespace, "test"),
    )  # fmt: skip
    sized = docker_client.api.containers(all=True, size=True, filters={"id": container.id})
    fresh = diff(engine, str(container.id))
    # 0 on the classic store, where Docker leaves SizeRw out; the containerd store
    # counts disk blocks and says so (4096).
    assert fresh.changes == () and fresh.rw_size == sized[0].get("SizeRw", 0)
    assert fresh.rw_size is not None


def test_an_unchanged_container_gives_the_same_diff_object(
    engine: Engine, docker_client: docker.DockerClient, namespace: str, lesson_image: str
) -> None:
    """The app reads the diff every second: an answer equal to the last one is
    the last result itself, so no new entry is built for it."""
    cid = start(docker_client, lesson_image, namespace, CHANGES)
    first = diff(engine, cid)
    assert diff(engine, cid) is first
    container = docker_client.containers.get(cid)
    assert container.exec_run(["sh", "-c", "echo later > /data/later"]).exit_code == 0
    changed = diff(engine, cid)
    assert changed is not first
    assert by_path(changed)["/data/later"].kind is ChangeKind.ADDED
    assert "/data/later" not in by_path(first)
    assert diff(engine, cid) is changed


def test_a_file_that_only_grows_gives_a_new_size_on_the_same_entries(
    engine: Engine, docker_client: docker.DockerClient, namespace: str, lesson_image: str
) -> None:
    """The same paths with a bigger read-write layer: a new diff (its size is
    news to the panel) that shares the last one's entries instead of copying them."""
    cid = start(docker_client, lesson_image, namespace, CHANGES)
    first = diff(engine, cid)
    container = docker_client.containers.get(cid)
    grow = "head -c 262144 /dev/zero >> /data/new"
    assert container.exec_run(["sh", "-c", grow]).exit_code == 0
    grown = diff(engine, cid)
    assert grown is not first
    assert first.rw_size is not None and grown.rw_size is not None
    assert grown.rw_size - first.rw_size >= 262144
    assert grown.changes is first.changes
    assert diff(engine, cid) is grown


def test_a_forgotten_diff_is_freed_and_the_next_one_built_anew(
    engine: Engine, docker_client: docker.DockerClient, namespace: str, lesson_image: str
) -> None:
    """A closed lesson lets go of the diffs kept for the poll (``PanelDeck.forget``):
    kept, they outlived their screen and container for the rest of the session."""
    cid = start(docker_client, lesson_image, namespace, CHANGES)
    first = diff(engine, cid)
    kept = weakref.ref(first)
    forget_answers()
    again = diff(engine, cid)
    assert again is not first
    assert again == first
    del first
    gc.collect()
    assert kept() is None


def test_each_layer_is_indexed_once(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    lesson_image: str,
    tmp_path: Path,
) -> None:
    cid = start(docker_client, lesson_image, namespace, CHANGES)
    index = LayerIndex(tmp_path)
    first = diff(engine, cid, index)
    assert index.fetches == 1 and index.layers_read == 5  # busybox's 2 + our 3
    second = diff(engine, cid, index)
    assert second.changes == first.changes
    assert (index.fetches, index.layers_read) == (1, 5)  # nothing read again
    restarted = LayerIndex(tmp_path)  # a new tutor process finds the cache folder
    assert diff(engine, cid, restarted).changes == first.changes
    assert restarted.fetches == 0 and len(list(tmp_path.glob("*.json"))) == 5


class _SaveFirst:
    """The engine's API, except that ``/changes`` answers only once the save was asked.

    A diff that asked for the save only after the changes would wait here
    for the whole timeout, and ``asked`` would be unset when it returned.
    """

    def __init__(self, api: object) -> None:
        self._api = api
        self.asked = threading.Event()
        self.asked_in_time = False

    def diff(self, container: str) -> object:
        self.asked_in_time = self.asked.wait(60)
        return self._api.diff(container)  # type: ignore[attr-defined]

    def get_image(self, *args: object, **kwargs: object) -> object:
        self.asked.set()
        return self._api.get_image(*args, **kwargs)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._api, name)


class _GatedEngine(Engine):
    def __init__(self, real: Engine) -> None:
        super().__init__(real.client, real.host)
        self.gate = _SaveFirst(real.api)

    @property
    def api(self) -> docker.APIClient:
        return self.gate


def test_prefetch_asks_for_the_save_while_the_changes_are_listed(
    engine: Engine,
    docker_client: docker.DockerClient,
    namespace: str,
    lesson_image: str,
    tmp_path: Path,
) -> None:
    cid = start(docker_client, lesson_image, namespace, CHANGES)
    gated = _GatedEngine(engine)
    index = LayerIndex(tmp_path / "prefetched")
    result = diff(gated, cid, index, prefetch=True)
    assert gated.gate.asked_in_time
    assert index.fetches == 1 and index.layers_read == 5
    plain = LayerIndex(tmp_path / "plain")  # the same layers, read the ordinary way
    assert plain.index_image(engine, lesson_image) == 5
    rows = image_layers(engine, result.image_id)
    for change in result.changes:
        source = plain.source_of(rows, change.path)
        assert change.source_layer == (None if source is None else source.index)
    assert by_path(result)["/data/a"].source_layer == row_of(engine, lesson_image, "echo two")
    for cached in (tmp_path / "plain").glob("*.json"):
        assert (tmp_path / "prefetched" / cached.name).read_bytes() == cached.read_bytes()


def test_prefetch_for_a_container_that_only_added_files_still_gives_its_diff(
    engine: Engine, docker_client: docker.DockerClient, namespace: str
) -> None:
    cid = start(docker_client, provision.BUSYBOX, namespace, "mkdir -p /data && touch /data/gone")
    result = diff(engine, cid, LayerIndex(), prefetch=True)
    assert [(c.path, c.kind, c.source_layer) for c in result.changes] == [
        ("/data", ChangeKind.ADDED, None),
        ("/data/gone", ChangeKind.ADDED, None),
        ("/ready", ChangeKind.ADDED, None),
    ]


def test_index_of_an_image_with_files_it_deleted(engine: Engine, lesson_image: str) -> None:
    index = LayerIndex()
    attrs = engine.api.inspect_image(lesson_image)
    diff_ids = attrs["RootFS"]["Layers"]
    assert index.index_image(engine, lesson_image, diff_ids) == 5
    whiteout_layer = index.files(diff_ids[-2])  # the second RUN
    assert whiteout_layer is not None
    assert whiteout_layer.whiteouts == {"/data/c", "/data/gone"}
    rows = image_layers(engine, attrs["Id"])
    assert index.source_of(rows, "/data/gone") is None
    assert index.source_of(rows, "/data/b") == rows[row_of(engine, lesson_image, "echo one")]


def test_no_added_paths_need_no_index(
    engine: Engine, docker_client: docker.DockerClient, namespace: str
) -> None:
    cid = start(docker_client, provision.BUSYBOX, namespace, "mkdir -p /data && touch /data/gone")
    index = LayerIndex()
    result = diff(engine, cid, index)
    assert [(c.path, c.kind) for c in result.changes] == [
        ("/data", ChangeKind.ADDED),
        ("/data/gone", ChangeKind.ADDED),
        ("/ready", ChangeKind.ADDED),
    ]
    assert index.fetches == 0


class CancelAfter(threading.Event):
    """A cancel event that the reader finds set after ``reads`` checks."""

    def __init__(self, reads: int) -> None:
        super().__init__()
        self.left = reads

    def is_set(self) -> bool:
        self.left -= 1
        return self.left < 0


def test_cancel_stops_indexing_midway(engine: Engine) -> None:
    image = provision.PYTHON  # one 190 MB layer: cancel lands inside it
    diff_ids = engine.api.inspect_image(image)["RootFS"]["Layers"]
    index = LayerIndex()
    cancel = CancelAfter(reads=5)
    with pytest.raises(IndexCancelled):
        index.index_image(engine, image, diff_ids, cancel=cancel)
    assert index.layers_read == 0 and index.files(diff_ids[0]) is None
    assert index.index_image(engine, provision.BUSYBOX) == 2  # the engine is fine after it
    with pytest.raises(IndexCancelled):
        index.index_image(engine, provision.BUSYBOX, ["sha256:x"], cancel=CancelAfter(0))


def test_index_reads_the_layers_itself_and_names_missing_images(engine: Engine) -> None:
    index = LayerIndex()
    assert index.index_image(engine, provision.BUSYBOX) == 2  # diff-ids read from the engine
    assert index.index_image(engine, provision.BUSYBOX) == 0 and index.fetches == 1
    for diff_ids in (None, ["sha256:x"]):  # found missing by inspect, or by the save itself
        with pytest.raises(ImageNotFound):
            index.index_image(engine, "layers-tutor-test/no-such-image:0", diff_ids)


def test_missing_container_is_a_typed_error(engine: Engine, namespace: str) -> None:
    with pytest.raises(ContainerNotFound):
        diff(engine, f"{namespace}-no-such-container")


def test_changes_made_with_docker_exec_are_in_the_diff(
    engine: Engine, docker_client: docker.DockerClient, namespace: str, lesson_image: str
) -> None:
    """Lesson 7 writes with ``docker exec``: on every engine the tests run, the diff shows it."""
    cid = start(docker_client, lesson_image, namespace, "true")
    result = exec_in(engine, cid, "echo exec >> /data/a && echo n > /by-exec", require_ours=False)
    assert result.exit_code == 0, result.output
    found = diff(engine, cid, LayerIndex())
    assert found.exec_outside is False
    assert exec_reaches_container(engine, cid) is True
    kinds = {c.path: c.kind for c in found.changes}
    assert kinds["/data/a"] is ChangeKind.CHANGED
    assert kinds["/by-exec"] is ChangeKind.ADDED
    assert EXEC_OUTSIDE not in diff_table(found)


def tarfile_index(engine: Engine, image: str) -> dict[str, LayerFiles]:
    """The index the way it used to be read: ``tarfile`` and a sha256 per layer tar."""
    saved = io.BytesIO(b"".join(engine.api.get_image(image)))
    found: dict[str, LayerFiles] = {}
    with tarfile.open(fileobj=saved) as outer:
        for member in outer.getmembers():
            blob = outer.extractfile(member) if member.isfile() else None
            data = blob.read() if blob is not None else b""
            if member.name.endswith("layer.tar") or member.name.startswith("blobs/"):
                if data[:2] == b"\x1f\x8b":
                    data = gzip.decompress(data)
                if data[:1] in (b"{", b"["):
                    continue
                diff_id = "sha256:" + hashlib.sha256(data).hexdigest()
                with tarfile.open(fileobj=io.BytesIO(data)) as layer:
                    found[diff_id] = layer_files(diff_id, layer.getnames())
    return found


@pytest.mark.engine_differs(
    "containerd_store", reason="its save holds OCI blobs that the old tarfile reader cannot open"
)
@pytest.mark.parametrize("which", ["busybox", "lesson", "python"])
def test_header_reader_gives_the_index_tarfile_gives_on_a_real_image(
    engine: Engine, lesson_image: str, which: str
) -> None:
    image = {"busybox": provision.BUSYBOX, "lesson": lesson_image, "python": provision.PYTHON}
    diff_ids = engine.api.inspect_image(image[which])["RootFS"]["Layers"]
    index = LayerIndex()
    index.index_image(engine, image[which], diff_ids)
    expected = tarfile_index(engine, image[which])
    assert set(expected) == set(diff_ids)  # every layer named, by the sha256 of its bytes
    assert {d: index.files(d) for d in diff_ids} == expected
