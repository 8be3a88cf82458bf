"""The progress store and its file format: round trips, atomic saves, damaged files, resets."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tutor import user_files
from tutor.progress import LessonStatus, Progress
from tutor.progress_format import FormatError, parse, render
from tutor.progress_store import FILE_NAME, ProgressStore

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project's dependency on 3.10
    import tomli as tomllib

STEPS = ["write", "build", "rebuild"]


def sample(store: ProgressStore) -> Progress:
    """Progress with a bit of everything the format holds."""
    p = store.fresh()
    p.language = "pt-BR"
    p.mark_step_done("01-first-image", "write", STEPS)
    p.mark_step_done("01-first-image", "build", STEPS)
    p.mark_step_done("01-first-image", "rebuild", STEPS)
    p.mark_step_done("02-cache", "write", STEPS)
    p.record_answer("02-cache", "predict-cache", 2)
    p.record_answer("02-cache", 'odd "id" \\ ção', 0)
    p.move_to("02-cache", "build")
    return p


@pytest.fixture
def store(tmp_path: Path) -> ProgressStore:
    return ProgressStore("docker-layers", "alice", root=tmp_path)


def test_missing_file_gives_fresh_progress_and_no_problem(store: ProgressStore) -> None:
    loaded = store.load()
    assert loaded.problem is None and loaded.backup is None
    assert loaded.progress == store.fresh()


def test_round_trip_keeps_everything(store: ProgressStore) -> None:
    before = sample(store)
    store.save(before)
    loaded = store.load()
    assert loaded.problem is None
    assert loaded.progress == before
    assert loaded.progress.of("01-first-image").done
    assert loaded.progress.of("02-cache").steps_done == ["write"]


def test_file_is_readable_toml_at_the_documented_place(store: ProgressStore) -> None:
    store.save(sample(store))
    assert store.path.parts[-3:] == ("docker-layers", "alice", FILE_NAME)
    text = store.path.read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert data["format"] == 1 and data["language"] == "pt-BR"
    assert data["lesson"] == "02-cache" and data["step"] == "build"
    assert data["lessons"]["01-first-image"]["steps"] == STEPS
    assert data["lessons"]["02-cache"]["answers"]["predict-cache"] == 2
    assert "end" in data


def test_default_root_is_the_platform_user_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    s = ProgressStore("docker-layers", "bob")
    assert s.path == tmp_path / "layers-tutor" / "docker-layers" / "bob" / FILE_NAME


def test_odd_names_cannot_escape_the_progress_folder(tmp_path: Path) -> None:
    s = ProgressStore("../../etc", "..", root=tmp_path)
    assert tmp_path in s.path.parents


def test_failed_rename_leaves_the_previous_file_intact(
    store: ProgressStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(sample(store))
    before = store.path.read_bytes()

    def crash(src: object, dst: object) -> None:
        raise OSError("disk pulled out mid-save")

    monkeypatch.setattr(user_files.os, "replace", crash)
    changed = sample(store)
    changed.reset_all()
    with pytest.raises(OSError):
        store.save(changed)
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == [FILE_NAME]


def test_failed_write_leaves_the_previous_file_intact(
    store: ProgressStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.save(sample(store))
    before = store.path.read_bytes()

    def crash(fd: int) -> None:
        raise OSError("no space left")

    monkeypatch.setattr(user_files.os, "fsync", crash)
    with pytest.raises(OSError):
        store.save(store.fresh())
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in store.path.parent.iterdir()) == [FILE_NAME]


def good_text(store: ProgressStore) -> str:
    return render(sample(store))


def assert_reported_and_kept(store: ProgressStore, damaged: bytes) -> None:
    store.path.parent.mkdir(parents=True, exist_ok=True)
    store.path.write_bytes(damaged)
    loaded = store.load()
    assert loaded.problem is not None and "damaged" in loaded.problem
    assert loaded.progress == store.fresh()
    assert loaded.backup is not None
    assert loaded.backup.name.startswith(f"{FILE_NAME}.corrupt-")
    assert loaded.backup.read_bytes() == damaged
    assert loaded.backup.name in loaded.problem
    assert not store.path.exists()
    # The next start is clean, and saving works again.
    assert store.load().problem is None
    store.save(sample(store))
    assert store.load().progress == sample(store)


def test_every_truncation_is_reported(store: ProgressStore) -> None:
    text = good_text(store).encode("utf-8")
    assert text.endswith(b"[end]\n")
    # Every cut that loses more than the final newline loses the [end] line.
    for cut in range(len(text) - 1):
        assert_reported_and_kept(store, text[:cut])
        for backup in store.path.parent.glob(f"{FILE_NAME}.corrupt-*"):
            backup.unlink()


def test_final_newline_is_optional(store: ProgressStore) -> None:
    text = good_text(store)
    assert parse(text[:-1]) == sample(store)


DAMAGED = {
    "binary": b"\x00\xff\xfe\x9c garbage \x80",
    "blank": b"\n\n   \n",
    "nulls": b"\x00" * 64,
    "json": b'{"format": 1}',
    "newer format": b'format = 2\ncourse = "docker-layers"\nnamespace = "alice"\n[end]\n',
    "no format": b'course = "docker-layers"\nnamespace = "alice"\n[end]\n',
    "format as string": b'format = "1"\ncourse = "docker-layers"\nnamespace = "alice"\n[end]\n',
    "format as bool": b'format = true\ncourse = "docker-layers"\nnamespace = "alice"\n[end]\n',
    "no course": b'format = 1\nnamespace = "alice"\n[end]\n',
    "other course": b'format = 1\ncourse = "other"\nnamespace = "alice"\n[end]\n',
    "other namespace": b'format = 1\ncourse = "docker-layers"\nnamespace = "bob"\n[end]\n',
}
BODY = 'format = 1\ncourse = "docker-layers"\nnamespace = "alice"\n'
BROKEN_LINES = {
    "unknown key": 'colour = "blue"',
    "duplicate key": 'course = "docker-layers"',
    "no equals": "language",
    "unquoted string": "language = en",
    "float": "language = 1.5",
    "leading zero": "format = 01",
    "unknown section": "[settings]",
    "end in the middle": "[end]",
    "lesson twice": '[lessons."a"]\n[lessons."a"]',
    "done as text": '[lessons."a"]\ndone = "yes"',
    "steps of numbers": '[lessons."a"]\nsteps = [1, 2]',
    "steps unclosed": '[lessons."a"]\nsteps = ["a", "b"',
    "negative answer": '[lessons."a"]\nanswers."s" = -1',
    "answer as bool": '[lessons."a"]\nanswers."s" = true',
    "top key in lesson": '[lessons."a"]\nlanguage = "en"',
    "done twice": '[lessons."a"]\ndone = true\ndone = false',
    "control char": 'language = "e\x01n"',
}


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damaged_files_are_reported_backed_up_and_replaced(store: ProgressStore, name: str) -> None:
    assert_reported_and_kept(store, DAMAGED[name])


@pytest.mark.parametrize("name", sorted(BROKEN_LINES))
def test_each_broken_line_is_reported(store: ProgressStore, name: str) -> None:
    text = f"{BODY}{BROKEN_LINES[name]}\n[end]\n"
    with pytest.raises(FormatError):
        parse(text)
    assert_reported_and_kept(store, text.encode("utf-8"))


def test_two_damaged_files_in_one_second_keep_both_backups(store: ProgressStore) -> None:
    store.path.parent.mkdir(parents=True)
    backups = []
    for junk in (b"one", b"two", b"three"):
        store.path.write_bytes(junk)
        loaded = store.load()
        assert loaded.backup is not None
        backups.append(loaded.backup)
    assert [b.read_bytes() for b in backups] == [b"one", b"two", b"three"]


def test_unreadable_file_is_reported(store: ProgressStore) -> None:
    store.path.mkdir(parents=True)  # a folder where the file should be
    loaded = store.load()
    assert loaded.problem is not None
    assert loaded.progress == store.fresh()


#: TOML the tutor does not write but reads, as tomllib does (a teacher's hand edit).
TOML_SPELLINGS = {
    "inline comment": ('language = "en"  # English', "en"),
    "single quotes": ("language = 'en'", "en"),
}


@pytest.mark.parametrize("name", sorted(TOML_SPELLINGS))
def test_any_toml_spelling_of_a_value_is_read(store: ProgressStore, name: str) -> None:
    line, language = TOML_SPELLINGS[name]
    assert parse(f"{BODY}{line}\n[end]\n").language == language


#: A progress file as the tutor wrote it before tomli-w (its own TOML writer):
#: quoted headers, dotted answer keys, lists on one line.
OLD_LAYOUT = """# layers-tutor progress. Written by the tutor, read back on start;
# the format is described in tutor/progress_format.py.
format = 1
course = "docker-layers"
namespace = "alice"
language = "pt-BR"
lesson = "02-cache"
step = "build"

[lessons."01-first-image"]
done = true
steps = ["write", "build", "rebuild"]

[lessons."02-cache"]
done = false
steps = ["write"]
answers."predict-cache" = 2
answers."odd \\"id\\" \\\\ ção" = 0

[end]
"""


def test_a_file_in_the_old_layout_is_read_and_saved_in_the_new(store: ProgressStore) -> None:
    store.path.parent.mkdir(parents=True)
    store.path.write_text(OLD_LAYOUT, encoding="utf-8")
    loaded = store.load()
    assert loaded.problem is None
    assert loaded.progress == sample(store)
    store.save(loaded.progress)
    text = store.path.read_text(encoding="utf-8")
    assert text == render(sample(store)) and text != OLD_LAYOUT
    assert "[lessons.01-first-image]" in text and "[lessons.02-cache.answers]" in text
    assert store.load().progress == sample(store)


def test_comments_and_blank_lines_are_allowed(store: ProgressStore) -> None:
    text = f"# hand-edited by a teacher\n\n{BODY}\n# done\n[end]\n"
    assert parse(text) == store.fresh()


def test_statuses(store: ProgressStore) -> None:
    p = sample(store)
    assert p.status("01-first-image") is LessonStatus.DONE
    assert p.status("02-cache") is LessonStatus.IN_PROGRESS
    assert p.status("03-sharing") is LessonStatus.NOT_STARTED
    p.move_to("03-sharing")
    assert p.status("03-sharing") is LessonStatus.IN_PROGRESS
    assert p.is_step_done("01-first-image", "build")
    assert not p.is_step_done("02-cache", "build")


def test_a_step_done_twice_is_recorded_once(store: ProgressStore) -> None:
    p = store.fresh()
    p.mark_step_done("a", "write", STEPS)
    p.mark_step_done("a", "write", STEPS)
    assert p.of("a").steps_done == ["write"] and not p.of("a").done


def test_reset_one_lesson(store: ProgressStore) -> None:
    p = sample(store)
    p.reset_lesson("02-cache")
    assert p.status("02-cache") is LessonStatus.IN_PROGRESS  # still where they are
    assert p.of("02-cache").steps_done == [] and p.of("02-cache").answers == {}
    assert p.lesson == "02-cache" and p.step == ""
    assert p.status("01-first-image") is LessonStatus.DONE
    store.save(p)
    assert store.load().progress == p


def test_reset_all_keeps_the_language(store: ProgressStore) -> None:
    p = sample(store)
    p.reset_all()
    assert p.lessons == {} and p.lesson == "" and p.step == ""
    assert p.language == "pt-BR"
    assert p.status("01-first-image") is LessonStatus.NOT_STARTED
    store.save(p)
    assert store.load().progress == p


def test_saving_twice_leaves_no_temporary_files(store: ProgressStore) -> None:
    store.save(sample(store))
    store.save(store.fresh())
    assert os.listdir(store.path.parent) == [FILE_NAME]
