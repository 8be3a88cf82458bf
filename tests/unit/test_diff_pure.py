"""Layer file lists, whiteouts and attribution, on small tars made in the test."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import posixpath
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tutor.engine.diff import ChangeKind, ContainerDiff, PathChange, changes_since
from tutor.engine.layer_index import LayerIndex, LayerNotIndexed, attribute
from tutor.engine.layer_tar import LayerFiles, layer_files, read_saved_image
from tutor.engine.tar_blocks import Blocks, NotATar, member_names


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


def save_archive(layout: Mapping[str, bytes | None], links: dict[str, str] | None = None) -> bytes:
    """A ``docker save`` archive: ``layout`` as in :func:`make_tar`, plus symlinks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in layout.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buf.getvalue()


def pieces(data: bytes, size: int) -> list[bytes]:
    """``data`` cut as an HTTP stream might cut it."""
    return [data[i : i + size] for i in range(0, len(data), size)]


def config(*layers: bytes) -> bytes:
    rootfs = {"type": "layers", "diff_ids": [digest(x) for x in layers]}
    return json.dumps({"rootfs": rootfs}).encode()


@pytest.mark.parametrize("cut", [7, 512, 32768, 1 << 20])
def test_legacy_save_names_layers_from_the_manifest_that_comes_after_them(cut: int) -> None:
    one = make_tar({"bin/": None, "bin/sh": b"#!" * 700})
    two = make_tar({"bin/": None, "bin/.wh.sh": b"", "srv/x": b"1"})
    manifest = [{"Config": "cfg.json", "Layers": ["bb/layer.tar", "aa/layer.tar", "cc/layer.tar"]}]
    saved = save_archive(
        {"aa/": None, "aa/VERSION": b"1.0", "aa/json": b"{}", "aa/layer.tar": two}
        | {"bb/": None, "bb/layer.tar": one, "cc/": None}
        | {"cfg.json": config(one, two, two), "manifest.json": json.dumps(manifest).encode()},
        links={"cc/layer.tar": "../aa/layer.tar"},  # the same layer twice: a link
    )
    got = list(read_saved_image(pieces(saved, cut)))
    assert [f.diff_id for f in got] == [digest(one), digest(two)]
    assert got[0].paths == {"/bin", "/bin/sh"}
    assert got[1].whiteouts == {"/bin/sh"} and got[1].paths == {"/bin", "/srv", "/srv/x"}


def test_oci_save_plain_blobs_by_digest_packed_ones_by_manifest() -> None:
    plain = make_tar({"etc/hosts": b"127.0.0.1 localhost\n"})
    packed = make_tar({"app/": None, "app/main.py": b"print(1)\n", "app/.wh.old.py": b""})
    cfg = config(plain, packed)
    zipped = gzip.compress(packed)
    saved = save_archive(
        {
            "blobs/": None,
            f"blobs/sha256/{digest(cfg)[7:]}": cfg,
            f"blobs/sha256/{digest(plain)[7:]}": plain,
            f"blobs/sha256/{digest(zipped)[7:]}": zipped,
            "index.json": b'{"schemaVersion":2}',
            "manifest.json": json.dumps(
                [
                    {
                        "Config": f"blobs/sha256/{digest(cfg)[7:]}",
                        "Layers": [f"blobs/sha256/{digest(x)[7:]}" for x in (plain, zipped)],
                    }
                ]
            ).encode(),
            "oci-layout": b'{"imageLayoutVersion":"1.0.0"}',
        }
    )
    got = list(read_saved_image(pieces(saved, 4096)))
    assert [(f.diff_id, f.paths) for f in got] == [
        (digest(plain), {"/etc", "/etc/hosts"}),
        (digest(packed), {"/app", "/app/main.py"}),
    ]
    assert got[1].whiteouts == {"/app/old.py"}
    # A blob already indexed is stepped over unread.
    again = list(read_saved_image(pieces(saved, 4096), known={digest(plain)}))
    assert [f.diff_id for f in again] == [digest(packed)]


def test_an_empty_layer_counts_and_unreadable_or_unnamed_layers_do_not() -> None:
    empty = b"\0" * 1024  # what a WORKDIR-only layer looks like
    zstd = b"\x28\xb5\x2f\xfd" + b"\0" * 600
    stray = make_tar({"x": b"1"})  # in no manifest
    manifest = [{"Config": "c.json", "Layers": ["e/layer.tar", "z/layer.tar"]}]
    saved = save_archive(
        {"e/layer.tar": empty, "s/layer.tar": stray, "z/layer.tar": zstd}
        | {"c.json": config(empty, zstd), "manifest.json": json.dumps(manifest).encode()}
    )
    assert list(read_saved_image(pieces(saved, 1000))) == [LayerFiles(digest(empty), frozenset())]


def test_a_cut_or_foreign_stream_is_not_a_tar() -> None:
    saved = save_archive({"a/layer.tar": make_tar({"f": b"x" * 5000})})
    with pytest.raises(NotATar):
        list(read_saved_image([saved[:2048]]))
    with pytest.raises(NotATar):
        list(read_saved_image([b'{"message":"no such image"}' + bytes(600)]))


NAMES_IN = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="/\\."),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(NAMES_IN, min_size=1, max_size=5), st.integers(0, 1500)),
        max_size=6,
    ),
    st.sampled_from([tarfile.GNU_FORMAT, tarfile.PAX_FORMAT, tarfile.USTAR_FORMAT]),
    st.integers(1, 2000),
)
@example([(["d" * 60, "e" * 60, "f" * 40], 3)], tarfile.GNU_FORMAT, 100)  # GNU long name
@example([(["d" * 60, "e" * 60, "f" * 40], 3)], tarfile.USTAR_FORMAT, 100)  # ustar prefix
@example([(["é" * 60, "e" * 60], 513)], tarfile.PAX_FORMAT, 511)  # pax path
def test_header_reader_agrees_with_tarfile(
    entries: list[tuple[list[str], int]], fmt: int, cut: int
) -> None:
    """Long, deep and non-ASCII names, bodies of any size, any cut of the stream."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tar:
        for parts, size in entries:
            info = tarfile.TarInfo("/".join(parts))
            info.size = size
            try:
                tar.addfile(info, io.BytesIO(b"z" * size))
            except ValueError:  # ustar cannot hold this name
                return
    data = buf.getvalue()
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        expected = tar.getnames()
    assert list(member_names(Blocks(pieces(data, cut)))) == expected


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


def test_a_grown_layer_on_the_same_entries_has_nothing_new() -> None:
    first = ContainerDiff("c1", (entry("/a", ChangeKind.ADDED),), 10)
    grown = ContainerDiff("c1", first.changes, 4096)
    assert changes_since(first, grown) == ()
    assert changes_since(grown, ContainerDiff("c1", (entry("/a", ChangeKind.ADDED),), 9)) == ()


def slow_layer_files(names: list[str]) -> tuple[set[str], set[str], set[str]]:
    """What layer_files computes, the plain way (normpath on every name)."""
    paths: set[str] = set()
    whiteouts: set[str] = set()
    opaque: set[str] = set()
    for name in names:
        path = posixpath.normpath("/" + name.lstrip("/"))
        parent, base = posixpath.split(path)
        if base == ".wh..wh..opq":
            opaque.add(parent)
        elif base.startswith(".wh..wh."):
            continue
        elif base.startswith(".wh."):
            whiteouts.add(posixpath.join(parent, base[4:]))
        else:
            paths.add(path)
        while parent != "/":
            paths.add(parent)
            parent = posixpath.dirname(parent)
    paths.discard("/")
    return paths, whiteouts, opaque


NAME_PART = st.sampled_from(
    ["a", "b", ".", "..", "", ".wh.a", ".wh..wh..opq", ".wh..wh.plnk", ".x"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(NAME_PART, min_size=1, max_size=4).map("/".join), max_size=8))
def test_layer_files_fast_path_agrees_with_normpath(names: list[str]) -> None:
    files = layer_files("l", names)
    assert (files.paths, files.whiteouts, files.opaque_dirs) == slow_layer_files(names)


def test_changes_made_from_slots_are_the_dataclass_s_own() -> None:
    from types import SimpleNamespace

    from tutor.engine.diff import _path_changes

    layer = SimpleNamespace(index=2, instruction="RUN touch /a")
    found = [("/a", ChangeKind.CHANGED), ("/b", ChangeKind.ADDED), ("/c", ChangeKind.DELETED)]
    made = _path_changes(found, {"/a": layer, "/c": None})
    assert made == (
        PathChange("/a", ChangeKind.CHANGED, 2, "RUN touch /a"),
        PathChange("/b", ChangeKind.ADDED),
        PathChange("/c", ChangeKind.DELETED),
    )
    assert hash(made[0]) == hash(PathChange("/a", ChangeKind.CHANGED, 2, "RUN touch /a"))
    with pytest.raises(AttributeError):  # still frozen
        made[1].path = "/x"  # type: ignore[misc]
