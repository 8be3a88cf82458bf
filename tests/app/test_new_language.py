"""A teacher adds a language with files only: a catalog, the lesson prose, a course.toml entry.

No Python is touched: the course folder gets ``locale/es.po`` (the tutor's
catalog, translated), ``es.md`` beside each lesson's prose, the Spanish step
texts in each ``lesson.toml``, and ``es`` in ``course.languages``. The real
app then opens a lesson in Spanish: prose, panels and footer keys.
"""

from __future__ import annotations

import re
from pathlib import Path

from tests.app.conftest import MakeTutor, screen_text, settle
from tests.app.test_app_snapshots import write_fixed_course
from tutor import i18n
from tutor.app import TutorApp
from tutor.course.loader import load_course
from tutor.screens.lesson import LessonScreen

#: Some of the tutor's words in Spanish; the rest of the catalog says what en.po says.
SPANISH = {
    "panel.lesson": "Lección",
    "panel.layers": "Capas",
    "key:Quit": "Salir",
    "key:Check": "Comprobar",
    "language": "Español",
}
TITLES = {
    "Docker image layers": "Las capas de una imagen Docker",
    "The app and its Dockerfile": "La app y su Dockerfile",
    "Build the image": "Construir la imagen",
    "Copy-on-write in a container": "Copy-on-write en un contenedor",
    "Push to a registry": "Enviar a un registry",
}


def add_spanish(root: Path) -> None:
    """What a teacher writes, by hand or with a translation tool: files, no code."""
    catalog = (i18n.LOCALE / "en.po").read_text(encoding="utf-8")
    for key, text in SPANISH.items():
        catalog = catalog.replace(f'msgid "{key}"\nmsgstr "', f'msgid "{key}"\nmsgstr "{text}" "#')
    catalog = re.sub(r'" "#.*"$', '"', catalog, flags=re.M).replace("Language: en", "Language: es")
    (root / "locale").mkdir()
    (root / "locale" / "es.po").write_text(catalog, encoding="utf-8")

    index = root / "course.toml"
    text = index.read_text(encoding="utf-8")
    text = text.replace('languages = ["pt-BR", "en"]', 'languages = ["pt-BR", "en", "es"]')
    for english, spanish in TITLES.items():
        text = text.replace(f'en = "{english}"', f'en = "{english}", es = "{spanish}"')
    text = text.replace('en = "Docker image layers", es =', 'en = "Docker image layers"\nes =')
    index.write_text(text, encoding="utf-8")

    for lesson in (p for p in root.iterdir() if (p / "lesson.toml").is_file()):
        prose = "# Copy-on-write\n\nUna imagen es una pila de **capas** de solo lectura.\n"
        (lesson / "es.md").write_text(prose, encoding="utf-8")
        toml = (lesson / "lesson.toml").read_text(encoding="utf-8")
        for block in re.findall(r"^\[steps\.text\.en\]\n(?:[^\[].*\n)*", toml, flags=re.M):
            spanish_block = block.replace("[steps.text.en]", "[steps.text.es]")
            spanish_block = spanish_block.replace('title = "', 'title = "ES: ')
            toml = toml.replace(block, block + spanish_block, 1)
        (lesson / "lesson.toml").write_text(toml, encoding="utf-8")


async def test_a_language_added_from_files_runs_a_lesson(
    tmp_path: Path, make_tutor: MakeTutor
) -> None:
    root = write_fixed_course(tmp_path / "course")
    add_spanish(root)
    course = load_course(root)
    broken = [str(p) for p in course.all_problems if "build_it" not in str(p)]
    assert broken == [] and course.languages == ("pt-BR", "en", "es")

    app = make_tutor(course_root=root, language="es")
    try:
        await play_in_spanish(app)
    finally:
        i18n.use_course_catalogs(None)  # the next app reads only the tutor's catalogs


async def play_in_spanish(app: TutorApp) -> None:
    """The course screen, then a lesson, as a Spanish-speaking learner sees them."""
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        shown = screen_text(app)
        assert "Las capas de una imagen Docker" in shown
        assert "Copy-on-write en un contenedor" in shown and "Salir" in shown
        assert "idioma" not in shown  # not Portuguese: what es.po did not translate is English
        app.open_lesson("copy-on-write")
        await settle(app, pilot)
        assert isinstance(app.screen, LessonScreen)
        shown = screen_text(app)
        assert "ES: Run a container to experiment on" in shown
        assert "Lección" in shown and "Capas" in shown
        assert "Comprobar" in shown
        await pilot.press("1")  # the lesson's prose
        await settle(app, pilot)
        assert "Una imagen es una pila de capas de solo lectura." in screen_text(app)
