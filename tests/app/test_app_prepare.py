"""The app on an engine without the course's images offers to prepare them (P), on a real engine.

As on a lab machine that reaches no registry: the base image the lessons
build FROM is neither there nor pullable. The course screen says so, P
prepares the stand-ins with a progress bar, the settings file keeps them,
and the next runner builds FROM them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import screen_text, settle
from tutor import settings
from tutor.engine.connection import Engine, connect
from tutor.launch import make_app
from tutor.prepare.stand_ins import PYTHON_STAND_IN
from tutor.screens.prepare import PrepareScreen
from tutor.widgets.images_banner import ImagesBanner

ABSENT = "layers-tutor-test/absent-python:3.8"


@pytest.mark.parametrize("language", ["en", "pt-BR"])
async def test_a_missing_base_image_is_offered_and_prepared_with_one_key(
    engine: Engine,
    fixture_images: dict[str, str],
    tmp_path: Path,
    namespace: str,
    monkeypatch: pytest.MonkeyPatch,
    language: str,
) -> None:
    settings_file = tmp_path / "settings.toml"
    monkeypatch.setenv(settings.FILE_VARIABLE, str(settings_file))
    # The course's own base, as a fresh lab has it: not here, and no registry gives it.
    params: dict[str, Any] = {"base_image": ABSENT, "registry_image": fixture_images["registry"]}
    app = make_app(
        connect_engine=connect,
        progress_root=tmp_path / "progress",
        workspace_root=tmp_path / "ws",
        namespace=namespace,
        params=params,
        language=language,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.runner is not None and app.runner.params["base_image"] == ABSENT
        assert [o.needed.image for o in app.missing_images] == [ABSENT]
        assert app.screen.query_one(ImagesBanner).display
        shown = " ".join(screen_text(app).split())
        assert ABSENT in shown
        assert ("Press P" if language == "en" else "Tecle P") in shown

        await pilot.press("P")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, PrepareScreen)
        assert dialog.report is not None and dialog.report.ready
        assert dialog.report.settings == {"base_image": PYTHON_STAND_IN}
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, PrepareScreen)
        assert app.missing_images == ()
        assert not app.screen.query_one(ImagesBanner).display
        assert app.runner is not None and app.runner.params["base_image"] == PYTHON_STAND_IN
        assert settings.load(settings_file).params == {"base_image": PYTHON_STAND_IN}
