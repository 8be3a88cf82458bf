"""A full disk: saving fails with a clear message, the previous files stay whole, the tutor runs on.

The learner's data folder is a tmpfs of 300 KB (issue 16, item 4), the real
app is started on it under Pilot, and the folder is filled to the last byte.
Every key that saves the progress (here ``l``, which saves the language
choice) then fails: the app says the disk is full, in the language it now
shows, keeps running, and the progress file on disk is byte for byte the one
saved before; no temporary file is left behind. Once space is freed, the
next save writes everything the learner did meanwhile.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tutor.course.journal import Journal
from tutor.engine.connection import Engine
from tutor.engine.errors import EngineUnreachable
from tutor.launch import make_app
from tutor.progress_store import ProgressStore
from tutor.screens.course import CourseScreen


def no_engine() -> Engine:
    raise EngineUnreachable("No Docker engine answers here.", "Start Docker.")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 300 KB tmpfs mounted for this test (root only), unmounted afterwards."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        if IN_CI:
            pytest.fail("CI must be able to mount a tmpfs (root needed) for the full-disk test")
        pytest.skip("mounting a tmpfs needs root")
    folder = tmp_path / "data"
    folder.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the disk refuses another byte; it is returned, to free space later."""
    filler = folder / "filler"
    with open(filler, "wb", buffering=0) as handle:
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\0" * 4096)
        with contextlib.suppress(OSError):
            while True:
                handle.write(b"\0")
    with pytest.raises(OSError) as full:
        (folder / "probe").write_bytes(b"x" * 4096)
    assert full.value.errno == errno.ENOSPC
    (folder / "probe").unlink(missing_ok=True)
    return filler


async def test_saving_on_a_full_disk_says_so_and_keeps_the_old_file(
    small_disk: Path, tmp_path: Path
) -> None:
    store = ProgressStore("image-layers", "learner", root=small_disk)
    progress = store.fresh()
    progress.language = "en"
    progress.mark_step_done("build", "build", ["build", "list-images"])
    progress.move_to("build", "list-images")
    store.save(progress)
    journal = Journal.load(store.path.with_name("journal.json"))
    journal.record_answer("cache", "predict", 1)
    saved = store.path.read_bytes()
    saved_journal = journal.path.read_bytes() if journal.path else b""
    app = make_app(
        connect_engine=no_engine,
        store=store,
        namespace="learner",
        workspace_root=tmp_path / "ws",
        language="en",
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        filler = fill(small_disk)

        await pilot.press("l")  # pt-BR now, and the choice is saved: the disk is full
        await pilot.pause()
        await pilot.press("l")  # back to English: fails again, said in English
        await pilot.pause()
        notes = [n.message for n in app._notifications if n.severity == "error"]
        assert any("o disco está cheio" in n for n in notes), notes
        assert any("the disk is full" in n for n in notes), notes
        assert store.path.read_bytes() == saved  # the previous progress, byte for byte
        assert app.is_running and isinstance(app.screen, CourseScreen)
        app.progress.record_answer("cache", "predict", 2)
        app.journal.record_answer("cache", "predict", 2)  # the journal fails quietly
        assert journal.path is not None and journal.path.read_bytes() == saved_journal
        assert app.journal.answer("cache", "predict") == 2  # kept in memory

        leftover = sorted(p.name for p in store.path.parent.iterdir())
        assert leftover == ["journal.json", "progress.toml"], leftover  # no temporary files

        filler.unlink()  # space again: the next save writes what was done meanwhile
        await pilot.press("l")
        await pilot.pause()
        assert app.is_running
    again = store.load()
    assert again.problem is None and again.progress.language == "pt-BR"
    assert again.progress.of("cache").answers == {"predict": 2}
    assert again.progress.is_step_done("build", "build")
