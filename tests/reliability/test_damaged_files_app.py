"""The tutor starts whatever is in place of the learner's files, and says so in their language.

Issue 16 began with 37 random bytes in ``journal.json`` ending ``python -m
tutor`` with a UnicodeDecodeError. Here the real tutor, in a terminal, starts
on exactly that (and on a progress file that is not text), and the app, driven
by Pilot, starts on each kind of damage in pt-BR and in English: the course
screen opens, the notice names the damage and the backup in the learner's
language, the backup holds the file, and the learner's lesson files are not
touched. No engine is needed: the tutor must start without one too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.tty import Tutor
from tutor.app import TutorApp
from tutor.engine.connection import Engine
from tutor.engine.errors import EngineUnreachable
from tutor.launch import make_app
from tutor.progress_store import ProgressStore
from tutor.screens.course import CourseScreen

COURSE = "image-layers"


def no_engine() -> Engine:
    raise EngineUnreachable("No Docker engine answers here.", "Start Docker.")


def folders(tmp_path: Path) -> tuple[ProgressStore, Path, Path]:
    store = ProgressStore(COURSE, "learner", root=tmp_path / "data")
    progress = store.fresh()
    progress.mark_step_done("build", "build", ["build", "list-images"])
    store.save(progress)
    work = tmp_path / "ws" / "learner" / "build" / "Dockerfile"
    work.parent.mkdir(parents=True)
    work.write_text("FROM busybox\n# the learner's own line\n", encoding="utf-8")
    return store, store.path.with_name("journal.json"), work


def damage(path: Path, kind: str) -> None:
    if os.path.lexists(path):
        path.unlink()
    if kind == "random bytes":
        path.write_bytes(b"\x8e\xff\x00" + os.urandom(34))
    elif kind == "a folder":
        path.mkdir()
    elif kind == "a symlink loop":
        os.symlink(path.name, path)
    elif kind == "wrong shape":
        path.write_text("[1, 2, 3]\n", encoding="utf-8")
    else:
        raise AssertionError(kind)


WORDS = {
    "en": ("progress file was damaged", "journal was damaged", "kept as"),
    "pt-BR": ("progresso estava danificado", "diário do tutor estava danificado", "guardado como"),
}


@pytest.mark.parametrize("language", ["en", "pt-BR"])
@pytest.mark.parametrize("kind", ["random bytes", "a folder", "a symlink loop", "wrong shape"])
async def test_the_app_starts_and_says_what_was_damaged(
    tmp_path: Path, kind: str, language: str
) -> None:
    store, journal, work = folders(tmp_path)
    damage(store.path, kind)
    damage(journal, kind)
    app: TutorApp = make_app(
        connect_engine=no_engine,
        store=store,
        namespace="learner",
        workspace_root=tmp_path / "ws",
        language=language,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, CourseScreen)
        notes = [f"{n.title} {n.message}" for n in app._notifications]
        progress_word, journal_word, kept_word = WORDS[language]
        assert sum(progress_word in n for n in notes) == 1, notes
        assert sum(journal_word in n for n in notes) == 1, notes
        assert all(kept_word in n for n in notes if "damag" in n or "danific" in n)
        assert app.progress == store.fresh()
        app.save_progress()  # a fresh progress file takes the damaged one's place
    assert store.load().problem is None
    for path in (store.path, journal):
        assert len(list(path.parent.glob(f"{path.name}.corrupt-*"))) == 1
    assert work.read_text(encoding="utf-8").endswith("# the learner's own line\n")


@pytest.fixture
def terminal() -> Iterator[list[Tutor]]:
    started: list[Tutor] = []
    yield started
    for each in started:
        each.close()


@pytest.mark.parametrize("language", ["pt-BR", "en"])
def test_the_real_tutor_starts_on_random_bytes_in_its_journal(
    tmp_path: Path, terminal: list[Tutor], language: str
) -> None:
    """The issue's own steps: ``head -c 37 /dev/urandom > journal.json``, then start."""
    data = tmp_path / "xdg"
    store, journal, _ = folders(tmp_path)
    real = ProgressStore(COURSE, "learner", root=data / "layers-tutor")
    real.path.parent.mkdir(parents=True)
    store.path.rename(real.path)
    journal = real.path.with_name("journal.json")
    noise = b"\x8e" + os.urandom(36)
    journal.write_bytes(noise)
    env = {
        "LAYERS_TUTOR_NAMESPACE": "learner",
        "XDG_DATA_HOME": str(data),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "DOCKER_HOST": f"unix://{tmp_path / 'no-engine.sock'}",
    }
    args = ["--lang", language, "--workspace", str(tmp_path / "ws")]
    terminal.append(Tutor(args, env, size=(120, 40)))
    word = {"pt-BR": "danificado", "en": "damaged"}[language]
    screen = terminal[0].wait_for(word, timeout=60)
    assert terminal[0].alive(), screen
    assert {"pt-BR": "Tecle c para continuar", "en": "Press c to continue"}[language] in screen
    backups = list(journal.parent.glob("journal.json.corrupt-*"))
    assert len(backups) == 1 and backups[0].read_bytes() == noise
    assert real.load().progress.is_step_done("build", "build")  # the progress is kept
