"""The settings file and the layers of course parameters (tutor.settings)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tutor import settings

COURSE: dict[str, str | int | bool] = {
    "base_image": "python:3.8-alpine",
    "registry": "",
    "port": 5001,
}


def test_each_layer_wins_over_the_one_before(tmp_path: Path) -> None:
    path = settings.save({"base_image": "from-file", "port": 6000}, tmp_path / "s.toml")
    env = {"LAYERS_TUTOR_PORT": "7000", "LAYERS_TUTOR_REGISTRY": "reg:5050"}
    layered = settings.layer(COURSE, {"registry": "cli:1"}, settings=settings.load(path), env=env)
    assert layered.overrides == {"base_image": "from-file", "port": "7000", "registry": "cli:1"}
    assert layered.sources == {
        "base_image": settings.SETTINGS,
        "port": settings.ENVIRONMENT,
        "registry": settings.COMMAND_LINE,
    }
    assert settings.source_of("base_image", layered) == f"settings file {path}"
    assert settings.source_of("port", layered) == "environment LAYERS_TUTOR_PORT"
    assert settings.source_of("nothing", layered) == "course"


def test_a_setting_for_another_course_is_ignored_but_a_wrong_param_is_not(
    tmp_path: Path,
) -> None:
    path = settings.save({"other_course_param": "x"}, tmp_path / "s.toml")
    layered = settings.layer(COURSE, {}, settings=settings.load(path), env={})
    assert layered.overrides == {}
    with pytest.raises(ValueError, match="no parameter 'nope'"):
        settings.effective(COURSE, {"nope": "1"})


def test_update_keeps_the_other_settings_and_writes_readable_toml(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "settings.toml"
    settings.update({"base_image": "a"}, path)
    settings.update({"registry_image": "b"}, path)
    text = path.read_text()
    assert text.startswith("# layers-tutor settings")
    assert settings.load(path).params == {"base_image": "a", "registry_image": "b"}


def test_the_environment_names_the_file(tmp_path: Path) -> None:
    assert settings.default_path({"LAYERS_TUTOR_SETTINGS": str(tmp_path / "x.toml")}) == (
        tmp_path / "x.toml"
    )
    assert settings.default_path({}).name == "settings.toml"


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x8e\xff\x00 not text", "is not text"),
        (b"[params\nbase_image = ", "is not valid"),
        (b"params = [1, 2]", "is not a table"),
        (b"[params]\nbase_image = [1, 2]", "not a string"),
        (b"[params]\nport = 1.5", "not a string"),
        (b"x" * (settings.MAX_BYTES + 10), "larger than"),
    ],
)
def test_a_damaged_file_is_set_aside_and_reported(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(content)
    loaded = settings.load(path)
    assert problem in loaded.problem
    assert loaded.params == {}
    assert loaded.set_aside is not None and loaded.set_aside.read_bytes() == content
    assert not path.exists()  # the next save writes a fresh one
    settings.update({"base_image": "b"}, path)
    assert settings.load(path).params == {"base_image": "b"}


def test_a_folder_or_an_unreadable_file_is_reported_not_raised(tmp_path: Path) -> None:
    folder = tmp_path / "settings.toml"
    folder.mkdir()
    assert "cannot be read" in settings.load(folder).problem
    loop = tmp_path / "loop.toml"
    loop.symlink_to(loop)
    assert "cannot be read" in settings.load(loop).problem
    if os.geteuid() != 0:  # root reads anything
        locked = tmp_path / "locked.toml"
        locked.write_text("[params]\n")
        locked.chmod(0)
        assert "cannot be read" in settings.load(locked).problem


def test_a_missing_file_is_empty_and_fine(tmp_path: Path) -> None:
    loaded = settings.load(tmp_path / "none.toml")
    assert (loaded.params, loaded.problem, loaded.set_aside) == ({}, "", None)
