"""The journal survives restarts, damage and concurrent readers without a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tutor.course.journal import BuildRecord, Journal, PushRecord, reference_key
from tutor.user_files import write_atomic


def test_missing_file_gives_an_empty_journal(tmp_path: Path) -> None:
    journal = Journal.load(tmp_path / "journal.json")
    assert journal.builds == {} and journal.answers == {} and journal.notes == []


def test_round_trip_keeps_builds_pushes_answers_and_params(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "journal.json"
    journal = Journal.load(path)
    steps = [{"number": 1, "instruction": "FROM busybox", "cached": True}]
    journal.record_build("app:latest", BuildRecord("sha256:aa", "l1", 1.0, 2.0, steps))
    journal.record_push("localhost:5000/app", PushRecord("localhost:5000/app:latest", pushed=3))
    journal.record_answer("l1", "predict", 2)
    journal.params["image"] = "app"
    journal.save()

    again = Journal.load(path)
    assert again.builds["app:latest"].steps == steps
    assert again.builds["app:latest"].image_id == "sha256:aa"
    assert again.images_seen == {"app:latest": ["sha256:aa"]}
    assert again.pushes["localhost:5000/app"].pushed == 3
    assert again.answer("l1", "predict") == 2
    assert again.answer("l1", "other") is None
    assert again.params == {"image": "app"}
    assert json.loads(path.read_text())["format"] == 1


def test_step_images_are_saved_as_they_come_and_dropped_once_dealt_with(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    journal = Journal.load(path)
    journal.record_step_images(["aaa111", "bbb222"])
    journal.record_step_images(["bbb222", "", "ccc333"])  # repeats and blanks are skipped
    assert Journal.load(path).step_images == ["aaa111", "bbb222", "ccc333"]  # on disk at once

    journal.forget_step_images(["aaa111", "ccc333"])
    assert Journal.load(path).step_images == ["bbb222"]


def test_a_journal_from_before_step_images_reads_as_none_recorded(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    path.write_text(json.dumps({"format": 1, "params": {"image": "app"}}))
    journal = Journal.load(path)
    assert journal.step_images == [] and journal.params == {"image": "app"}
    assert journal.notes == []


def test_images_seen_skips_repeats_and_stays_short(tmp_path: Path) -> None:
    journal = Journal(path=None)
    for n in range(30):
        journal.saw_image("app", f"sha256:{n}")
        journal.saw_image("app", f"sha256:{n}")
    assert len(journal.images_seen["app"]) == 20
    assert journal.images_seen["app"][-1] == "sha256:29"


def test_corrupt_journal_is_moved_aside_and_a_fresh_one_starts(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    path.write_text("{ not json")
    journal = Journal.load(path)
    assert journal.builds == {}
    assert journal.notes and "damaged" in journal.notes[0]
    backups = list(tmp_path.glob("journal.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_text() == "{ not json"
    journal.record_answer("l", "s", 0)
    assert Journal.load(path).answer("l", "s") == 0


def test_wrong_shape_counts_as_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "journal.json"
    path.write_text(json.dumps({"format": 1, "builds": {"x": {"nonsense": 1}}}))
    journal = Journal.load(path)
    assert journal.builds == {} and journal.notes


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    write_atomic(target, "one")
    write_atomic(target, b"two")
    assert target.read_text() == "two"
    assert os.listdir(tmp_path) == ["f.txt"]


def test_unwritable_journal_keeps_going_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    journal = Journal.load(blocker / "journal.json")  # its folder is a file
    journal.record_answer("l", "s", 1)
    assert journal.answer("l", "s") == 1
    assert journal.notes and "Could not save" in journal.notes[-1]


def test_reference_key_spells_out_the_tag() -> None:
    assert reference_key("app") == "app:latest"
    assert reference_key("app:v2") == "app:v2"
    assert reference_key("127.0.0.1:5000/app") == "127.0.0.1:5000/app:latest"


def test_a_journal_that_is_not_utf8_is_kept_aside_and_a_fresh_one_starts(tmp_path: Path) -> None:
    # Issue 16: 37 random bytes in journal.json stopped the tutor with
    # "'utf-8' codec can't decode byte 0x8e" (read_text raised, load let it out).
    path = tmp_path / "journal.json"
    noise = bytes([0x7B, 0x22, 0x66, 0x8E, 0xFF, 0x00]) + os.urandom(31)
    path.write_bytes(noise)
    journal = Journal.load(path)
    assert journal.builds == {} and journal.answers == {}
    assert journal.damage is not None and journal.damage.reason == "not-text"
    backups = list(tmp_path.glob("journal.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == noise
    assert not path.exists()
    journal.record_answer("l", "s", 1)
    assert Journal.load(path).answer("l", "s") == 1
