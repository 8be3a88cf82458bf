"""Layer file lists, whiteouts and attribution, on small tars made in the test."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange, changes_since
from tutor.engine.layer_index import LayerIndex, LayerNotIndexed, attribute
from tutor.engine.layer_tar import LayerFiles, layer_files, read_layer_tar, read_saved_image


def make_tar(entries: dict[str, bytes | None]) -> bytes:
    """A tar in memory: name -> file content, or None for a directory."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Row:
    index: int
    instruction: str
    is_filesystem: bool
    diff_id: str | None


def test_whiteouts_and_opaque_dirs_are_not_paths() -> None:
    files = layer_files(
        "sha256:x",
        ["etc/", "etc/.wh.motd", "./usr/lib/.wh..wh..opq", "usr/lib/new.so", "data/.wh..wh.plnk"],
    )
    assert files.whiteouts == {"/etc/motd"}
    assert files.opaque_dirs == {"/usr/lib"}
    # parents of every entry are held; whiteout markers and aufs bookkeeping are not
    assert files.paths == {"/etc", "/usr", "/usr/lib", "/usr/lib/new.so"}


def test_layer_tar_is_named_by_the_sha256_of_its_bytes_plain_or_gzip() -> None:
    data = make_tar({"app/": None, "app/main.py": b"print(1)\n", "app/.wh.old.py": b""})
    plain = read_layer_tar(io.BufferedReader(io.BytesIO(data)))
    packed = read_layer_tar(io.BufferedReader(io.BytesIO(gzip.compress(data))))
    assert plain is not None and packed is not None
    assert plain.diff_id == packed.diff_id == digest(data)
    assert plain.paths == {"/app", "/app/main.py"}
    assert plain.whiteouts == {"/app/old.py"}


def test_empty_layer_and_json_blob() -> None:
    empty = b"\0" * 1024  # what a WORKDIR-only layer looks like
    files = read_layer_tar(io.BufferedReader(io.BytesIO(empty)))
    assert files == LayerFiles(digest(empty), frozenset())
    assert read_layer_tar(io.BufferedReader(io.BytesIO(b'{"architecture":"amd64"}'))) is None


def test_legacy_save_with_manifest_after_the_layers() -> None:
    one = make_tar({"bin/": None, "bin/sh": b"#!"})
    two = make_tar({"bin/": None, "bin/.wh.sh": b"", "srv/x": b"1"})
    manifest = json.dumps([{"Layers": ["aa/layer.tar", "bb/layer.tar"]}]).encode()
    saved = make_tar(
        {"aa/": None, "aa/VERSION": b"1.0", "aa/layer.tar": one, "bb/layer.tar": two}
        | {"cfg.json": b"{}", "manifest.json": manifest}
    )
    got = list(read_saved_image(io.BytesIO(saved)))
    assert [f.diff_id for f in got] == [digest(one), digest(two)]
    assert got[0].paths == {"/bin", "/bin/sh"}
    assert got[1].whiteouts == {"/bin/sh"} and got[1].paths == {"/bin", "/srv", "/srv/x"}


def test_oci_save_reads_layer_blobs_and_skips_json_blobs() -> None:
    layer = make_tar({"etc/hosts": b"127.0.0.1 localhost\n"})
    config = b'{"rootfs":{"type":"layers"}}'
    saved = make_tar(
        {
            "blobs/": None,
            f"blobs/sha256/{digest(config)[7:]}": config,
            f"blobs/sha256/{digest(layer)[7:]}": gzip.compress(layer),
            "index.json": b'{"schemaVersion":2}',
            "oci-layout": b'{"imageLayoutVersion":"1.0.0"}',
        }
    )
    got = list(read_saved_image(io.BytesIO(saved)))
    assert [(f.diff_id, f.paths) for f in got] == [(digest(layer), {"/etc", "/etc/hosts"})]


STACK = [
    layer_files("l0", ["bin/sh", "etc/passwd", "etc/motd", "opt/a/x", "opt/a/y"]),
    layer_files("l1", ["etc/passwd", "etc/.wh.motd", "opt/a/.wh..wh..opq", "opt/a/z"]),
    layer_files("l2", ["etc/motd"]),
]


@pytest.mark.parametrize(
    ("path", "owner"),
    [
        ("/bin/sh", 0),  # only the base holds it
        ("/etc/passwd", 1),  # replaced later: the later layer wins
        ("/etc/motd", 2),  # deleted in l1, made again in l2
        ("/etc", 2),  # a folder belongs to the topmost layer holding it
        ("/opt/a/x", None),  # hidden by l1's opaque folder
        ("/opt/a/z", 1),
        ("/opt/a", 1),
        ("/nowhere", None),
    ],
)
def test_attribution_takes_the_topmost_layer_that_still_holds_the_path(
    path: str, owner: int | None
) -> None:
    assert attribute(STACK, path) == owner


def test_whiteout_hides_lower_copies_and_unknown_layers_say_unknown() -> None:
    stack = [layer_files("a", ["srv/data/f"]), layer_files("b", ["srv/.wh.data"])]
    assert attribute(stack, "/srv/data/f") is None
    assert attribute(stack, "/srv/data") is None
    assert attribute(stack, "/srv") == 1
    unreadable = [stack[0], LayerFiles("c", frozenset(), readable=False)]
    assert attribute(unreadable, "/srv/data/f") is None


def test_index_source_of_returns_rows_and_needs_every_layer() -> None:
    index = LayerIndex()
    for files in STACK:
        index.add(files)
    rows = [
        Row(0, "COPY sh /bin/", True, "l0"),
        Row(1, "ENV A=1", False, None),
        Row(2, "RUN rm /etc/motd", True, "l1"),
        Row(3, "RUN echo hi > /etc/motd", True, "l2"),
    ]
    assert index.source_of(rows, "/etc/motd") == rows[3]
    assert index.source_of(rows, "/etc/passwd") == rows[2]
    assert index.sources(rows, ["/bin/sh", "/opt/a/x"]) == {"/bin/sh": rows[0], "/opt/a/x": None}
    with pytest.raises(LayerNotIndexed):
        index.source_of([*rows, Row(4, "RUN x", True, "never-read")], "/bin/sh")


def test_cache_folder_keeps_lists_across_indexes(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    LayerIndex(folder).add(STACK[1])
    again = LayerIndex(folder)
    assert again.files("l1") == STACK[1]
    (folder / "l1.json").write_text("{not json")
    assert LayerIndex(folder).files("l1") is None  # a damaged file means "read it again"
    (folder / "l1.json").write_text(json.dumps({"format": 0, "diff_id": "l1", "paths": []}))
    assert LayerIndex(folder).files("l1") is None


# Model check: attribution must agree with overlaying the layers one by one.
NAMES = ["a", "a/b", "a/b/c", "a/d", "e", "e/f"]
ENTRY = st.sampled_from(
    NAMES
    + [f"{n.rpartition('/')[0]}/.wh.{n.rpartition('/')[2]}".lstrip("/") for n in NAMES]
    + ["a/.wh..wh..opq", "a/b/.wh..wh..opq"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(ENTRY, max_size=5), min_size=1, max_size=5))
def test_attribution_matches_overlaying_layers(layers: list[list[str]]) -> None:
    stack = [layer_files(f"l{i}", names) for i, names in enumerate(layers)]
    owner: dict[str, int] = {}
    for pos, files in enumerate(stack):
        for gone in files.whiteouts:
            owner = {p: o for p, o in owner.items() if p != gone and not p.startswith(gone + "/")}
        for folder in files.opaque_dirs:
            owner = {p: o for p, o in owner.items() if not p.startswith(folder + "/")}
        owner |= dict.fromkeys(files.paths, pos)
    for path in {"/" + n for n in NAMES}:
        assert attribute(stack, path) == owner.get(path), path


def entry(path: str, kind: ChangeKind) -> PathChange:
    return PathChange(path, kind)


def test_changes_since_gives_only_new_entries() -> None:
    first = ContainerDiff("c1", (entry("/tmp", ChangeKind.CHANGED),), 10)
    second = ContainerDiff(
        "c1",
        (
            entry("/a", ChangeKind.ADDED),
            entry("/tmp", ChangeKind.CHANGED),
            entry("/tmp/x", ChangeKind.ADDED),
        ),
        20,
    )
    third = ContainerDiff("c1", (entry("/a", ChangeKind.DELETED),), 5)
    assert [c.path for c in changes_since(first, second)] == ["/a", "/tmp/x"]
    assert changes_since(second, third) == (entry("/a", ChangeKind.DELETED),)
    assert changes_since(None, first) == first.changes
    assert changes_since(ContainerDiff("other", first.changes, 1), first) == first.changes
    assert second.added == (second.changes[0], second.changes[2])
    assert third.deleted == third.changes and second.changed == (second.changes[1],)
