"""The exec probe's answer kept between command-line runs, per container start."""

from __future__ import annotations

from pathlib import Path

from tutor.engine import exec_memo


def info(cid: str, started: str = "2026-12-06T09:25:44.9Z") -> dict[str, object]:
    return {"Id": cid, "State": {"Running": True, "StartedAt": started}}


def test_kept_per_container_start(tmp_path: Path) -> None:
    assert exec_memo.recall(tmp_path, info("a")) is None
    exec_memo.remember(tmp_path, info("a"), True)
    exec_memo.remember(tmp_path, info("b"), False)
    assert exec_memo.recall(tmp_path, info("a")) is True
    assert exec_memo.recall(tmp_path, info("b")) is False
    assert exec_memo.recall(tmp_path, info("a", started="2026-12-06T10:00:00Z")) is None


def test_nothing_kept_without_a_folder_or_a_start(tmp_path: Path) -> None:
    exec_memo.remember(None, info("a"), True)
    assert exec_memo.recall(None, info("a")) is None
    exec_memo.remember(tmp_path, {"Id": "a", "State": {}}, True)
    assert not (tmp_path / exec_memo.FILE).exists()


def test_only_the_latest_starts_are_kept(tmp_path: Path) -> None:
    for n in range(exec_memo.KEEP + 5):
        exec_memo.remember(tmp_path, info(f"c{n}"), True)
    assert exec_memo.recall(tmp_path, info("c0")) is None
    assert exec_memo.recall(tmp_path, info(f"c{exec_memo.KEEP + 4}")) is True


def test_a_damaged_file_means_probing_again(tmp_path: Path) -> None:
    for text in ("{not json", '["a"]', '{"a@x": "yes"}', "\x00\xff"):
        (tmp_path / exec_memo.FILE).write_text(text, "latin-1")
        assert exec_memo.recall(tmp_path, info("a", started="x")) is None
        exec_memo.remember(tmp_path, info("a", started="x"), False)
        assert exec_memo.recall(tmp_path, info("a", started="x")) is False
    (tmp_path / exec_memo.FILE).unlink()
    (tmp_path / exec_memo.FILE).mkdir()  # a folder in its place: nothing raised
    exec_memo.remember(tmp_path, info("a"), True)
    assert exec_memo.recall(tmp_path, info("a")) is None
