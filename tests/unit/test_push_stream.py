"""The push stream parser, on streams recorded from Engine 20.10 (overlay2) pushing
to a local distribution registry."""

from __future__ import annotations

from typing import Any

from tutor.engine.push_stream import (
    PushDone,
    PushError,
    PushProgress,
    match_diff_id,
    parse_push_event,
    parse_push_stream,
)

BASE = "sha256:2bb1f9c32efd07005d2ba6a48a3ed6a5a22e0e8f0e5ce364f6f4c0a2b997bf70"
BIN = "sha256:d45af42b983f8d009b7633a840ed402a75b035b3963d40f8361f32c81ab83a9e"
HI = "sha256:52ecf6b9cc393dbcbff951b6b1dcbe9b581cc58da9d09fbedda75c3eda48d953"
DIGEST = "sha256:84cdd9cf66d509facb91de2906bdcff446cc37b09ac090ac1e0f857eb46597bf"
REF = "127.0.0.1:32768/rec/bb:latest"


def _pushing(layer: str, current: int, total: int) -> dict[str, Any]:
    return {
        "status": "Pushing",
        "progressDetail": {"current": current, "total": total},
        "progress": "[=====>   ]",
        "id": layer,
    }


FIRST_PUSH: list[dict[str, Any]] = [
    {"status": "The push refers to repository [127.0.0.1:32768/rec/bb]"},
    {"status": "Preparing", "progressDetail": {}, "id": "d45af42b983f"},
    {"status": "Preparing", "progressDetail": {}, "id": "2bb1f9c32efd"},
    _pushing("d45af42b983f", 512, 3216),
    _pushing("2bb1f9c32efd", 33792, 1982256),
    _pushing("d45af42b983f", 138752, 3216),
    {"status": "Pushed", "progressDetail": {}, "id": "d45af42b983f"},
    _pushing("2bb1f9c32efd", 1984512, 1982256),
    {"status": "Pushed", "progressDetail": {}, "id": "2bb1f9c32efd"},
    {"status": f"latest: digest: {DIGEST} size: 736"},
    {"progressDetail": {}, "aux": {"Tag": "latest", "Digest": DIGEST, "Size": 736}},
]

SECOND_PUSH: list[dict[str, Any]] = [
    {"status": "The push refers to repository [127.0.0.1:32768/rec/bb]"},
    {"status": "Preparing", "progressDetail": {}, "id": "d45af42b983f"},
    {"status": "Preparing", "progressDetail": {}, "id": "2bb1f9c32efd"},
    {"status": "Layer already exists", "progressDetail": {}, "id": "d45af42b983f"},
    {"status": "Layer already exists", "progressDetail": {}, "id": "2bb1f9c32efd"},
    {"status": f"latest: digest: {DIGEST} size: 736"},
    {"progressDetail": {}, "aux": {"Tag": "latest", "Digest": DIGEST, "Size": 736}},
]

OTHER_REPO_PUSH: list[dict[str, Any]] = [
    {"status": "The push refers to repository [127.0.0.1:32768/rec/bb2]"},
    {"status": "Preparing", "progressDetail": {}, "id": "52ecf6b9cc39"},
    {"status": "Preparing", "progressDetail": {}, "id": "d45af42b983f"},
    {"status": "Preparing", "progressDetail": {}, "id": "2bb1f9c32efd"},
    _pushing("52ecf6b9cc39", 512, 3),
    {"status": "Mounted from rec/bb", "progressDetail": {}, "id": "2bb1f9c32efd"},
    {"status": "Mounted from rec/bb", "progressDetail": {}, "id": "d45af42b983f"},
    {"status": "Pushed", "progressDetail": {}, "id": "52ecf6b9cc39"},
    {"status": f"v1: digest: {DIGEST} size: 943"},
    {"progressDetail": {}, "aux": {"Tag": "v1", "Digest": DIGEST, "Size": 943}},
]

REFUSED = 'Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused'
NO_REGISTRY_PUSH: list[dict[str, Any]] = [
    {"status": "The push refers to repository [127.0.0.1:1/rec/bb2]"},
    {"errorDetail": {"message": REFUSED}, "error": REFUSED},
]


def _final_status(events: list[Any]) -> dict[str, PushProgress]:
    last: dict[str, PushProgress] = {}
    for event in events:
        if isinstance(event, PushProgress):
            last[event.layer] = event
    return last


def test_first_push_reports_every_layer_pushed_with_its_diff_id() -> None:
    events = list(parse_push_stream(FIRST_PUSH, reference=REF, diff_ids=[BASE, BIN]))
    final = _final_status(events)
    assert {layer: e.status for layer, e in final.items()} == {
        "d45af42b983f": "pushed",
        "2bb1f9c32efd": "pushed",
    }
    assert {e.diff_id for e in final.values()} == {BASE, BIN}
    statuses = [
        e.status for e in events if isinstance(e, PushProgress) and e.layer == "2bb1f9c32efd"
    ]
    assert statuses == ["preparing", "pushing", "pushing", "pushed"]
    assert events[-1] == PushDone(REF, DIGEST, 736)
    assert sum(isinstance(e, PushDone) for e in events) == 1


def test_pushing_current_may_exceed_total_and_fraction_is_capped() -> None:
    events = list(parse_push_stream(FIRST_PUSH, reference=REF, diff_ids=[BASE, BIN]))
    over = [e for e in events if isinstance(e, PushProgress) and e.layer == "d45af42b983f"][2]
    assert (over.status, over.current, over.total) == ("pushing", 138752, 3216)
    assert over.fraction == 1.0
    first = next(e for e in events if isinstance(e, PushProgress) and e.status == "pushing")
    assert first.fraction is not None and abs(first.fraction - 512 / 3216) < 1e-9
    assert PushProgress("x", "preparing").fraction is None


def test_second_push_reports_every_layer_as_already_existing() -> None:
    final = _final_status(list(parse_push_stream(SECOND_PUSH, reference=REF, diff_ids=[BASE, BIN])))
    assert [e.status for e in final.values()] == ["exists", "exists"]
    assert all(e.already_there for e in final.values())
    assert all(e.current is None and e.total is None for e in final.values())


def test_push_to_another_repository_mounts_the_shared_layers() -> None:
    events = list(parse_push_stream(OTHER_REPO_PUSH, reference=REF, diff_ids=[BASE, BIN, HI]))
    final = _final_status(events)
    assert final["52ecf6b9cc39"].status == "pushed"
    assert final["52ecf6b9cc39"].diff_id == HI
    for layer in ("2bb1f9c32efd", "d45af42b983f"):
        assert final[layer].status == "mounted"
        assert final[layer].mounted_from == "rec/bb"
        assert final[layer].already_there
    done = [e for e in events if isinstance(e, PushDone)]
    assert done == [PushDone(REF, DIGEST, 943)]


def test_an_error_event_becomes_push_error_not_an_exception() -> None:
    events = list(parse_push_stream(NO_REGISTRY_PUSH, reference=REF))
    assert events == [PushError(REFUSED)]


def test_error_without_detail_uses_the_error_text() -> None:
    assert parse_push_event({"error": "denied"}, reference=REF) == PushError("denied")


def test_lines_about_nothing_in_particular_are_dropped() -> None:
    assert parse_push_event(FIRST_PUSH[0], reference=REF) is None
    assert parse_push_event({"status": "Something new", "id": "abc"}, reference=REF) is None


def test_retrying_is_reported_for_the_layer() -> None:
    event = parse_push_event(
        {"status": "Retrying in 5 seconds", "id": "d45af42b983f"}, reference=REF
    )
    assert event == PushProgress("d45af42b983f", "retrying")


def test_digest_line_alone_gives_the_result() -> None:
    event = parse_push_event({"status": f"v2: digest: {DIGEST} size: 12"}, reference="r:v2")
    assert event == PushDone("r:v2", DIGEST, 12)


def test_containerd_store_ids_are_blob_digests_and_match_no_diff_id() -> None:
    # Under the containerd store the id is a (short) compressed-blob digest.
    raw = {"status": "Pushed", "progressDetail": {}, "id": "ca53c7f9e69c"}
    event = parse_push_event(raw, reference=REF, diff_ids=[BASE, BIN])
    assert isinstance(event, PushProgress)
    assert event.diff_id is None
    assert parse_push_event(raw, reference=REF) == PushProgress("ca53c7f9e69c", "pushed")


def test_match_diff_id_needs_a_real_prefix() -> None:
    assert match_diff_id("2bb1f9c32efd", [BIN, BASE]) == BASE
    assert match_diff_id("sha256:2bb1f9c32efd", [BASE]) == BASE
    assert match_diff_id("2bb1", [BASE]) is None  # too short to be sure
    assert match_diff_id("000000000000", [BASE, BIN]) is None
