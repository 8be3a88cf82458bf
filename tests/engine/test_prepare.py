"""``python -m tutor prepare`` on the real engine: an offline classroom gets a doable course.

No registry is reachable here (as in a lab behind a firewall), so the
course's own ``python:3.8-alpine`` and ``registry:2`` cannot be pulled.
These tests run the command as a learner would, from a folder outside the
checkout, with a settings file of their own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests import provision
from tests.engine.test_solution import play
from tutor import settings
from tutor.course.filling import merge
from tutor.course.journal import Journal
from tutor.course.loader import default_course_root, load_course
from tutor.course.params import namespaced, resolve
from tutor.course.runner import LessonRunner
from tutor.engine.connection import Engine
from tutor.engine.images import save
from tutor.engine.layers import layers
from tutor.engine.ports import free_port
from tutor.prepare.stand_ins import PYTHON_STAND_IN, REGISTRY_STAND_IN

#: Names no registry will ever give and no engine has (the offline case, anywhere).
ABSENT_BASE = "layers-tutor-test/absent-python:3.8"
ABSENT_REGISTRY = "layers-tutor-test/absent-registry:2"


@pytest.fixture
def offline_course(tmp_path: Path) -> Path:
    """The built-in course whose base and registry images can be had from nowhere."""
    root = tmp_path / "course"
    subprocess.run(["cp", "-r", str(default_course_root()), str(root)], check=True)
    index = root / "course.toml"
    text = index.read_text()
    text = text.replace('"python:3.8-alpine"', f'"{ABSENT_BASE}"', 1)
    text = text.replace('"registry:2"', f'"{ABSENT_REGISTRY}"', 1)
    index.write_text(text)
    return root


def tutor(
    *args: str, cwd: Path, settings_file: Path, docker_host: str | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m tutor ARGS`` run from ``cwd`` (outside the checkout)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LAYERS_TUTOR_")}
    env[settings.FILE_VARIABLE] = str(settings_file)
    if docker_host:
        env["DOCKER_HOST"] = docker_host
    return subprocess.run(
        [sys.executable, "-m", "tutor", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_without_a_registry_prepare_says_what_is_missing_and_what_to_do(
    engine: Engine, offline_course: Path, tmp_path: Path
) -> None:
    done = tutor("--course", str(offline_course), "prepare",
                 cwd=tmp_path, settings_file=tmp_path / "s.toml")  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert f"missing  {ABSENT_BASE}" in done.stdout
    assert "cannot be pulled" in done.stdout
    assert "--build-local" in done.stdout and "--load FILE" in done.stdout
    assert "NOT ready" in done.stdout
    assert not (tmp_path / "s.toml").exists()  # nothing was decided for the learner


def test_build_local_records_the_stand_ins_and_lesson_2_builds_on_them(
    engine: Engine,
    offline_course: Path,
    tmp_path: Path,
    namespace: str,
    fixture_images: dict[str, str],
) -> None:
    settings_file = tmp_path / "s.toml"
    done = tutor("--course", str(offline_course), "prepare", "--build-local",
                 cwd=tmp_path, settings_file=settings_file)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"{ABSENT_BASE} -> {PYTHON_STAND_IN}" in done.stdout
    assert f"{ABSENT_REGISTRY} -> {REGISTRY_STAND_IN}" in done.stdout
    assert "ready for the course" in done.stdout
    assert settings.load(settings_file).params == {
        "base_image": PYTHON_STAND_IN,
        "registry_image": REGISTRY_STAND_IN,
    }

    # doctor now says the base is the stand-in, and where that came from.
    doctor = tutor("--course", str(offline_course), "doctor", "--json",
                   cwd=tmp_path, settings_file=settings_file)  # fmt: skip
    findings = {f["check"]: f for f in json.loads(doctor.stdout)}
    assert doctor.returncode == 0, doctor.stdout
    assert findings["param base_image"]["detail"] == (
        f"{PYTHON_STAND_IN} (from settings file {settings_file})"
    )
    assert findings["base image"]["ok"] is True

    # Lesson 2, played on the prepared base: the image is built FROM the stand-in.
    course = load_course(offline_course)
    layered = settings.layer(course.params, {}, settings=settings.load(settings_file), env={})
    names = {n: namespaced(str(course.params[n]), namespace) for n in ("image", "container")}
    port = free_port(int(course.params["port"]), engine)
    overrides = {**merge(course.params, layered.overrides), **names, "port": port}
    course = load_course(offline_course, overrides=overrides)
    values = resolve(engine, course, namespace=namespace).values
    assert values["base_image"] == PYTHON_STAND_IN
    journal = Journal.load(tmp_path / "j.json")
    runner = LessonRunner(engine, course, params=values, workspace=tmp_path / "ws",
                          namespace=namespace, journal=journal)  # fmt: skip
    lesson = course.lesson("build")
    assert lesson is not None
    builds = play(runner, lesson)
    assert any(steps for steps in builds.values())
    dockerfile = (runner.workspace.folder("build") / "Dockerfile").read_text()
    assert dockerfile.startswith(f"FROM {PYTHON_STAND_IN}\n")
    built, base = layers(engine, names["image"]), layers(engine, PYTHON_STAND_IN)
    base_chain = [x.chain_id for x in base.layers if x.chain_id]
    assert [x.chain_id for x in built.layers if x.chain_id][: len(base_chain)] == base_chain


def test_an_archive_carries_the_course_images_to_an_engine_without_them(
    engine: Engine,
    private_engine: provision.PrivateEngine,
    fixture_images: dict[str, str],
    tmp_path: Path,
) -> None:
    kit = tmp_path / "kit.tar"
    size = save(engine, [PYTHON_STAND_IN, REGISTRY_STAND_IN], kit)
    assert size == kit.stat().st_size > 100_000_000  # a whole Debian with Python
    with tarfile.open(kit) as archive:
        manifest = json.load(archive.extractfile("manifest.json"))  # type: ignore[arg-type]
    tags = sorted(tag for entry in manifest for tag in entry["RepoTags"] or [])
    assert tags == sorted([PYTHON_STAND_IN, REGISTRY_STAND_IN])

    settings_file = tmp_path / "s.toml"
    settings.save({"base_image": PYTHON_STAND_IN, "registry_image": REGISTRY_STAND_IN},
                  settings_file)  # fmt: skip
    before = tutor("prepare", cwd=tmp_path, settings_file=settings_file,
                   docker_host=private_engine.host)  # fmt: skip
    assert before.returncode == 1 and f"missing  {PYTHON_STAND_IN}" in before.stdout
    loaded = tutor("prepare", "--load", str(kit), cwd=tmp_path, settings_file=settings_file,
                   docker_host=private_engine.host)  # fmt: skip
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    # The engine decides the order it loads an archive in; the report sorts them.
    both = ", ".join(sorted([PYTHON_STAND_IN, REGISTRY_STAND_IN]))
    assert f"Loaded from the archive: {both}\n" in loaded.stdout
    assert "ready for the course" in loaded.stdout


def test_a_missing_archive_is_a_clear_error(engine: Engine, tmp_path: Path) -> None:
    done = tutor("prepare", "--load", str(tmp_path / "nowhere.tar"),
                 cwd=tmp_path, settings_file=tmp_path / "s.toml")  # fmt: skip
    assert done.returncode == 2
    assert "Cannot read" in done.stderr and "Traceback" not in done.stderr
