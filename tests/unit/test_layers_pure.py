"""Pure layer rules: readable instructions, row alignment, chain ids, <missing> reasons, sharing."""

from __future__ import annotations

import io
import json
import tarfile

import pytest

from tutor.engine.history_rows import (
    RowFacts,
    align_filesystem,
    chain_ids,
    guess_filesystem,
    instruction_of,
    split_build_args,
)
from tutor.engine.image_config import config_flags
from tutor.engine.layers import Layer, LayerStack
from tutor.engine.missing_rows import (
    MISSING_BUILDKIT,
    MISSING_CONTAINERD,
    MISSING_ELSEWHERE,
    MISSING_PARENT_REMOVED,
    MISSING_PULLED,
    Anchor,
    MissingCause,
    MissingReason,
)
from tutor.engine.missing_rows import missing_reason as why_missing
from tutor.engine.missing_rows import why_missing as why_missing_data
from tutor.engine.sharing import sharing_of

HASH = "fb2ef221e83c84a93740c829bee4baab212d1689bfb4058b34bada70a5899e97"


@pytest.mark.parametrize(
    ("created_by", "expected"),
    [
        ('/bin/sh -c #(nop)  CMD ["sh"]', 'CMD ["sh"]'),
        ("/bin/sh -c #(nop) WORKDIR /app", "WORKDIR /app"),
        ("/bin/sh -c pip install flask", "RUN pip install flask"),
        ("|1 V=3 /bin/sh -c echo $V > /v", "RUN echo $V > /v"),
        ("|2 A=x y B=2 /bin/sh -c make", "RUN make"),
        ("/bin/busybox --install -s /bin", "RUN /bin/busybox --install -s /bin"),
        (
            f"/bin/sh -c #(nop) COPY file:{HASH} in /app/a.txt ",
            "COPY file:fb2ef221e83c in /app/a.txt",
        ),
        (f"/bin/sh -c #(nop) ADD multi:{HASH} in /srv/ ", "ADD multi:fb2ef221e83c in /srv/"),
        ("/bin/bash -c #(nop)  ENV A=1", "ENV A=1"),
        ("RUN /bin/sh -c pip install flask # buildkit", "RUN pip install flask"),
        ("RUN |1 V=3 /bin/sh -c echo $V # buildkit", "RUN echo $V"),
        ("RUN python -m pip install flask # buildkit", "RUN python -m pip install flask"),
        ("COPY app.py /app/ # buildkit", "COPY app.py /app/"),
        ("WORKDIR /app", "WORKDIR /app"),
        ("EXPOSE map[5000/tcp:{}]", "EXPOSE map[5000/tcp:{}]"),
        ("", "(no instruction recorded)"),
    ],
)
def test_created_by_becomes_the_instruction_a_learner_wrote(created_by: str, expected: str) -> None:
    assert instruction_of(created_by) == expected


def test_an_imported_row_says_so() -> None:
    assert "docker import" in instruction_of("", "Imported from -")


def test_build_args_prefix_is_split_off() -> None:
    assert split_build_args("|1 V=3 /bin/sh -c echo") == ("|1 V=3", "/bin/sh -c echo")
    assert split_build_args("|2 A=x y B=2 /bin/sh -c make") == ("|2 A=x y B=2", "/bin/sh -c make")
    assert split_build_args("/bin/sh -c echo |1 V=3") == ("", "/bin/sh -c echo |1 V=3")


def test_chain_ids_match_what_the_engine_stores() -> None:
    # Read from an Engine 20.10 layerdb: the busybox fixture's two layers.
    diff_ids = [
        "sha256:2bb1f9c32efd07005d2ba6a48a3ed6a5a22e0e8f0e5ce364f6f4c0a2b997bf70",
        "sha256:d45af42b983f8d009b7633a840ed402a75b035b3963d40f8361f32c81ab83a9e",
    ]
    assert chain_ids(diff_ids) == [
        diff_ids[0],
        "sha256:5e39fbd4053fd9209214ee7a9076935eec5a731c161635b7bc9e2e0d27616407",
    ]
    assert chain_ids([]) == []
    # The same diff on another parent is another layer.
    assert chain_ids([diff_ids[1], diff_ids[0]])[1] != chain_ids(diff_ids)[1]


def rows(*spec: tuple[int, str]) -> list[RowFacts]:
    return [RowFacts(size, created_by) for size, created_by in spec]


BUILT = rows(
    (1982256, "/bin/sh -c #(nop) COPY file:x in /bin/busybox "),
    (0, '/bin/sh -c #(nop)  CMD ["sh"]'),
    (0, "/bin/sh -c true"),  # changed nothing: no layer
    (0, "/bin/sh -c #(nop) WORKDIR /app"),  # made /app: a 0-byte layer
    (2, "/bin/sh -c echo x > /app/f"),
)


def test_counts_from_every_row_decide_exactly() -> None:
    counts = {0: 1, 1: 1, 2: 1, 3: 2, 4: 3}
    assert align_filesystem(BUILT, counts, 3) == (True, False, False, True, True)


def test_counts_decide_when_a_segment_leaves_no_choice() -> None:
    assert align_filesystem(BUILT[:2], {}, 1) == (True, False)
    assert align_filesystem(BUILT, {2: 1}, 3) == (True, False, False, True, True)
    zero_run = rows((0, "/bin/sh -c true"), (0, "/bin/sh -c #(nop) WORKDIR /a"))
    assert align_filesystem(zero_run, {}, 0) == (False, False)
    assert align_filesystem(zero_run, {}, 2) == (True, True)


def test_counts_that_leave_a_choice_or_disagree_give_none() -> None:
    assert align_filesystem(BUILT, {}, 3) is None  # RUN true or WORKDIR: which one?
    assert align_filesystem(BUILT, {4: 2}, 3) is None  # the image disagrees with itself
    assert align_filesystem(BUILT, {1: 5}, 3) is None  # more layers than rows can hold
    assert align_filesystem([], {}, 0) == ()


def test_guess_fills_oldest_candidates_first() -> None:
    assert guess_filesystem(BUILT, 3) == (True, False, True, False, True)
    assert sum(guess_filesystem(BUILT, 2)) == 2


def config_blob(diff_ids: list[str], empty: list[bool]) -> str:
    history = [{"created_by": "x", **({"empty_layer": True} if e else {})} for e in empty]
    return json.dumps({"rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": history})


def tar_of(members: list[tuple[str, bytes]]) -> io.BytesIO:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    out.seek(0)
    return out


@pytest.mark.parametrize("layout", ["legacy", "oci"])
def test_config_flags_found_by_content_in_either_save_layout(layout: str) -> None:
    diff_ids = ["sha256:" + "a" * 64, "sha256:" + "b" * 64]
    config = config_blob(diff_ids, [False, True, False]).encode()
    other = config_blob(["sha256:" + "c" * 64], [False]).encode()
    if layout == "legacy":
        members = [("1" * 64 + "/layer.tar", b"\0" * 2048), ("2" * 64 + ".json", config)]
        members += [("manifest.json", b'[{"Config": "x"}]')]
    else:
        members = [("blobs/sha256/" + "0" * 64, other), ("blobs/sha256/" + "1" * 64, b"\0" * 99)]
        members += [("blobs/sha256/" + "2" * 64, config), ("index.json", b"{}")]
    assert config_flags(tar_of(members), diff_ids, 3) == (True, False, True)
    assert config_flags(tar_of(members), diff_ids, 4) is None  # must fit the history rows
    assert config_flags(tar_of(members), ["sha256:" + "d" * 64], 1) is None
    assert config_flags(io.BytesIO(b"not a tar"), diff_ids, 3) is None


ANCHOR = Anchor(name="base:1", parent_id="", parent_exists=False, pulled=False, buildkit=False)


def test_missing_rows_are_explained_by_where_the_id_walk_stopped() -> None:
    assert why_missing("x", ANCHOR, False) == MISSING_ELSEWHERE.format(name="base:1")
    pulled = Anchor("python:3", "", False, True, False)
    assert why_missing("x", pulled, False) == MISSING_PULLED.format(name="python:3")
    assert why_missing("RUN x # buildkit", ANCHOR, False) == MISSING_BUILDKIT.format(name="base:1")
    kit = Anchor("this image", "", False, False, True)
    assert why_missing("WORKDIR /a", kit, True) == MISSING_BUILDKIT.format(name="this image")
    assert why_missing("x", ANCHOR, True) == MISSING_CONTAINERD.format(name="base:1")
    gone = Anchor("this image", "sha256:" + "9" * 64, False, False, False)
    assert why_missing("x", gone, False) == MISSING_PARENT_REMOVED


def test_a_missing_reason_is_also_data_for_the_learners_language() -> None:
    pulled = Anchor("python:3", "", False, True, False)
    reason = why_missing_data("x", pulled, False)
    assert reason == MissingReason(MissingCause.PULLED, "python:3")
    assert reason.text == why_missing("x", pulled, False)
    gone = Anchor("this image", "sha256:" + "9" * 64, False, False, False)
    assert why_missing_data("x", gone, False).cause is MissingCause.PARENT_REMOVED


def layer(index: int, chain: str | None, size: int) -> Layer:
    return Layer(
        index=index,
        image_id=None,
        created_by="x",
        instruction="RUN x",
        size=size,
        created=0.0,
        is_filesystem=chain is not None,
        diff_id=chain,
        chain_id=chain,
        missing_reason=None,
        tags=(),
        comment="",
    )


def stack(name: str, *spec: tuple[str | None, int]) -> LayerStack:
    return LayerStack(name, name, tuple(layer(i, c, s) for i, (c, s) in enumerate(spec)), False)


def test_sharing_counts_each_stored_layer_once() -> None:
    a = stack("a", ("base", 100), (None, 0), ("copy", 10), ("a-run", 5))
    b = stack("b", ("base", 100), (None, 0), ("copy", 10), ("b-run", 7))
    c = stack("c", ("base", 100), ("c-run", 1))
    result = sharing_of(("a", "b", "c"), (a, b, c))
    assert result.shared_chain_ids == ("base", "copy")
    assert result.bytes_without_sharing == 115 + 117 + 101
    assert result.bytes_stored == 100 + 10 + 5 + 7 + 1
    assert result.bytes_saved == 2 * 100 + 10
    alone = sharing_of(("a",), (a,))
    assert alone.shared_chain_ids == () and alone.bytes_saved == 0
