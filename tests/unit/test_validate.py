"""The validator: the real course is clean, and each kind of mistake is located exactly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.unit.test_loader import COURSE, LESSON, write_course
from tutor.course.balance import Asked, prediction_warnings, predictions
from tutor.course.loader import load_course
from tutor.course.validate import main, validate_course
from tutor.course.vocabulary import ACTIONS, CHECKS

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "lessons"
FIXTURE_PARAMS = {"base_image": "layers-tutor-test/python:3-bookworm", "registry": "127.0.0.1:5999"}


def found(root: Path, overrides: dict[str, str] | None = None) -> list[str]:
    """The validator's problems as ``relative/file:line: message``."""
    _course, problems = validate_course(root, overrides)
    return [f"{p.file.relative_to(root)}:{p.line}: {p.message}" for p in problems]


def test_the_real_course_validates_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(LESSONS)]) == 0
    out = capsys.readouterr().out
    assert out == f"{LESSONS}: 10 lessons, 46 steps, in pt-BR and en: no problems.\n"


def test_the_real_course_validates_with_the_test_harness_params() -> None:
    course, problems = validate_course(LESSONS, FIXTURE_PARAMS)
    assert problems == []
    assert course.params["base_image"] == FIXTURE_PARAMS["base_image"]


def test_the_real_course_has_ten_lessons_in_both_languages() -> None:
    course = load_course(LESSONS)
    assert course.languages == ("pt-BR", "en")
    assert [lesson.id for lesson in course.lessons] == [
        "the-app",
        "build",
        "run",
        "history",
        "cache",
        "sharing",
        "copy-on-write",
        "push",
        "base-image",
        "clean-up",
    ]
    accents = set("áâãàçéêíóôõú")
    for lesson in course.lessons:
        assert set(lesson.title) == {"pt-BR", "en"}
        assert set(lesson.prose) == {"pt-BR", "en"}
        assert accents & set(lesson.prose["pt-BR"]), f"{lesson.id}: pt-BR prose without accents"
        assert lesson.steps, lesson.id
        for step in lesson.steps:
            pt, en = step.text["pt-BR"], step.text["en"]
            assert pt.title and en.title
            assert (len(pt.hints), len(pt.choices)) == (len(en.hints), len(en.choices))
            if step.prediction is not None:
                assert 0 <= step.prediction.answer < len(en.choices)
                assert pt.question and en.question and pt.explanation and en.explanation
            if step.check.kind == "answered":
                assert step.prediction is not None, f"{lesson.id}/{step.id}"


def test_the_real_course_follows_the_lab() -> None:
    course = load_course(LESSONS)
    the_app = course.lesson("the-app")
    assert the_app is not None
    dockerfile = (the_app.folder / "files" / "Dockerfile").read_text()
    assert dockerfile == (
        'FROM {base_image}\nRUN pip install flask\nCMD ["python","app.py"]\nCOPY app.py /app.py\n'
    )
    assert 'return "hello world!"' in (the_app.folder / "files" / "app.py").read_text()
    assert course.params["base_image"] == "python:3.8-alpine"
    run = course.lesson("run")
    assert run is not None
    assert (
        run.steps[0].command
        == "docker run -p {port}:{container_port} -d --name {container} {image}"
    )
    cache = course.lesson("cache")
    assert cache is not None
    predicted = [s for s in cache.steps if s.prediction and s.check.kind == "build_cached"]
    assert predicted, "the cache lesson asks before a rebuild"


def test_every_copied_app_names_its_learner() -> None:
    # The build cache is shared on a class's engine: without the learner's
    # name in the file, one learner's COPY would come from another's build.
    course = load_course(LESSONS)
    assert "learner" in course.params
    apps = [f for lesson in course.lessons for f in lesson.files if f.name.endswith(".py")]
    assert len(apps) == 11
    for app in apps:
        head = app.source.read_text(encoding="utf-8").splitlines()[:3]
        assert any(line.startswith("#") and "{learner}" in line for line in head), app.source


def test_no_build_of_an_earlier_image_is_checked_by_its_existence() -> None:
    # image_exists cannot fail when an earlier lesson built the same tag.
    course = load_course(LESSONS)
    built: set[str] = set()
    for lesson in course.lessons:
        for step in lesson.steps:
            if step.action is None or step.action.kind != "build":
                continue
            tag = str(step.action.args["tag"])
            if tag in built:
                assert step.check.kind != "image_exists", f"{lesson.id}/{step.id}"
            built.add(tag)


def test_the_guide_documents_every_kind_and_argument() -> None:
    guide = (LESSONS / "README.md").read_text(encoding="utf-8")
    for table in (ACTIONS, CHECKS):
        for kind in table.values():
            row = next(
                (line for line in guide.splitlines() if line.startswith(f"| `{kind.name}` |")), None
            )
            assert row is not None, f"{kind.name} is not in the guide"
            for arg in kind.args:
                assert f"`{arg.name}`" in row, f"{kind.name}.{arg.name} is not in the guide"


def test_stray_files_and_folders(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    (root / "02-draft").mkdir()
    (root / "notes.txt").write_text("x")
    (root / "README.md").write_text("fine")
    (root / ".git").mkdir()
    (root / "01-one" / "fr.md").write_text("x")
    (root / "01-one" / "lesson.toml~").write_text("x")
    (root / "01-one" / "files" / "old").mkdir()
    (root / "01-one" / "files" / "old" / "app.py").write_text("x")
    assert found(root) == [
        "01-one/files/old/app.py:1: stray file: not listed in lesson.toml (add 'old/app.py' "
        "to [lesson] files)",
        "01-one/fr.md:1: stray file: a lesson folder holds en.md, files, lesson.toml, pt-BR.md",
        "01-one/lesson.toml~:1: stray file: a lesson folder holds en.md, files, lesson.toml, "
        "pt-BR.md",
        "02-draft:1: this folder is not a lesson of the course: no [[lessons]] names it",
        "notes.txt:1: stray file: a course folder holds course.toml, README.md and lesson folders",
    ]


EDITS = LESSON.replace(
    '[[steps]]\nid = "build"',
    """[[steps]]
id = "edit"
action = { kind = "edit", file = "app.py", find = "hello", replace = "bye" }
check = { kind = "file_contains", file = "app.py", text = "bye world" }
text = { pt-BR = { title = "Mude" }, en = { title = "Change" } }

[[steps]]
id = "build\"""",
)


def test_a_consistent_edit_rehearses_clean(tmp_path: Path) -> None:
    assert found(write_course(tmp_path, lesson=EDITS)) == []


def test_an_edit_whose_text_is_not_there(tmp_path: Path) -> None:
    lesson = EDITS.replace('find = "hello"', 'find = "{image}!"')
    assert found(write_course(tmp_path, lesson=lesson)) == [
        "01-one/lesson.toml:7: action edit: app.py does not contain 'hello!' here",
    ]


def test_file_checks_must_fail_before_and_pass_after(tmp_path: Path) -> None:
    already = EDITS.replace('text = "bye world"', 'text = "world"')
    assert found(write_course(tmp_path, lesson=already)) == [
        "01-one/lesson.toml:8: check file_contains already passes before step 'edit' is done",
    ]
    never = EDITS.replace('text = "bye world"', 'text = "bye bye"')
    assert found(write_course(tmp_path, lesson=never)) == [
        "01-one/lesson.toml:8: check file_contains would still fail after the step's action",
    ]


def test_move_line_needs_both_lines(tmp_path: Path) -> None:
    lesson = EDITS.replace(
        'action = { kind = "edit", file = "app.py", find = "hello", replace = "bye" }',
        'action = { kind = "move_line", file = "Dockerfile", line = "COPY app.py /", '
        'before = "RUN true" }',
    ).replace('file = "app.py", text = "bye world"', 'file = "Dockerfile", text = "/\\nRUN"')
    assert found(write_course(tmp_path, lesson=lesson)) == [
        "01-one/lesson.toml:7: action move_line: Dockerfile has no line 'RUN true' here",
    ]
    (tmp_path / "01-one" / "files" / "Dockerfile").write_text(
        "FROM busybox\nRUN true\nCOPY app.py /\n"
    )
    assert found(tmp_path) == []


def test_a_build_after_an_edit_that_breaks_the_dockerfile(tmp_path: Path) -> None:
    lesson = EDITS.replace(
        'action = { kind = "edit", file = "app.py", find = "hello", replace = "bye" }',
        'action = { kind = "move_line", file = "Dockerfile", line = "COPY app.py /", '
        'before = "FROM busybox" }',
    ).replace('file = "app.py", text = "bye world"', 'file = "Dockerfile", text = "/\\nFROM"')
    assert found(write_course(tmp_path, lesson=lesson)) == [
        "01-one/lesson.toml:14: action build: as the earlier steps leave it, Dockerfile would "
        "be refused: COPY comes before the first FROM",
    ]


def test_a_dockerfile_the_engine_would_refuse(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    (root / "01-one" / "files" / "Dockerfile").write_text("FROM busybox\n\nFROB x\n")
    assert found(root) == [
        "01-one/files/Dockerfile:3: the engine would refuse this Dockerfile: unknown "
        "instruction: FROB",
    ]


def test_build_cached_names_only_steps_the_dockerfile_has(tmp_path: Path) -> None:
    lesson = LESSON.replace(
        'check = { kind = "image_exists", image = "{image}" }',
        'check = { kind = "build_cached", image = "{image}", cached = [1], built = [2, 3] }',
    )
    assert found(write_course(tmp_path, lesson=lesson)) == [
        "01-one/lesson.toml:9: check build_cached: the Dockerfile has 2 steps, not 3",
    ]


def test_main_prints_file_line_message_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_course(tmp_path, lesson=LESSON.replace('command = "docker', "command = 1 #"))
    assert main([str(root), "--param", "port=6000"]) == 1
    captured = capsys.readouterr()
    lesson = root / "01-one" / "lesson.toml"
    assert captured.out == f"{lesson}:7: steps.command must be a string, not a whole number (1)\n"
    assert captured.err == "1 problem(s) in 1 file(s).\n"


def test_main_reports_a_bad_override(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_course(tmp_path)
    assert main([str(root), "--param", "port=many"]) == 1
    out = capsys.readouterr().out
    assert out == f"{root / 'course.toml'}:9: override of 'port': 'many' is not a whole number\n"
    with pytest.raises(SystemExit) as usage:
        main([str(root), "--param", "port"])
    assert usage.value.code == 2


def test_main_on_a_folder_without_a_course(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nowhere")]) == 1
    assert capsys.readouterr().out == f"{tmp_path / 'nowhere' / 'course.toml'}:1: file is missing\n"


def test_runs_as_a_module_from_the_repository(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "tutor.course.validate", *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)

    ok = run("lessons")
    assert (ok.returncode, ok.stdout) == (
        0,
        "lessons: 10 lessons, 46 steps, in pt-BR and en: no problems.\n",
    )
    root = write_course(tmp_path, course=COURSE.replace('id = "mini"', 'id = "Mini"'))
    bad = run(str(root))
    assert bad.returncode == 1
    assert bad.stdout.startswith(f"{root / 'course.toml'}:2: course.id 'Mini' must use only")


def test_byte_compiled_lesson_apps_are_not_stray(tmp_path: Path) -> None:
    """pip byte-compiles lessons/*/files/app.py when the course is installed as a wheel."""
    import shutil

    from tutor.course.loader import default_course_root
    from tutor.course.validate import main as validate_main

    course = tmp_path / "lessons"
    shutil.copytree(default_course_root(), course)
    cache = course / "01-the-app" / "files" / "__pycache__"
    cache.mkdir()
    (cache / "app.cpython-311.pyc").write_bytes(b"\x00compiled")
    stray = course / "01-the-app" / "files" / "notes.txt"
    stray.write_text("a teacher's stray file")
    assert validate_main([str(course)]) == 1  # the real stray is still found
    stray.unlink()
    assert validate_main([str(course)]) == 0


# -- predictions a learner could pass by a pattern: warnings, not errors --


def guesses(answers: list[int], choices: list[tuple[str, ...]]) -> str:
    """A lesson of answered predictions: ``answers`` from 1, the choices in both languages."""
    steps = ['[lesson]\nid = "one"\nfiles = ["Dockerfile", "app.py"]\n']
    for n, (answer, options) in enumerate(zip(answers, choices, strict=True)):
        listed = ", ".join(f'"{o}"' for o in options)
        steps.append(
            f'[[steps]]\nid = "guess-{n}"\ncheck = {{ kind = "answered" }}\n\n'
            f"[steps.prediction]\nanswer = {answer}\n\n"
            f'[steps.text.pt-BR]\ntitle = "Adivinhe"\nquestion = "Qual?"\nchoices = [{listed}]\n\n'
            f'[steps.text.en]\ntitle = "Guess"\nquestion = "Which?"\nchoices = [{listed}]\n'
        )
    return "\n".join(steps)


EVEN = ("abc", "abd", "abe")


def test_the_real_course_has_balanced_predictions(capsys: pytest.CaptureFixture[str]) -> None:
    course = load_course(LESSONS)
    assert prediction_warnings(course) == []
    asked = predictions(course)
    assert len(asked) >= 20
    # Stricter than the warning: the longest choice is right at most a third of the time.
    for language in course.languages:
        longest = [a.where for a in asked if a.longest_is_right(language)]
        assert len(longest) <= len(asked) // 3, (language, longest)


def test_one_position_holding_most_answers_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_course(tmp_path, lesson=guesses([2, 2, 2, 1, 3], [EVEN] * 5))
    course = load_course(root)
    assert [str(w) for w in prediction_warnings(course)] == [
        f"{root / 'course.toml'}:1: warning: choice 2 is the right answer in 3 of the "
        "course's 5 predictions (60 %, more than 40 %): a learner can pass by habit; "
        "spread the right answers (now 1: 1, 2: 3, 3: 1)"
    ]
    assert main([str(root)]) == 0  # a warning never breaks the course
    out = capsys.readouterr().out
    assert "course.toml:1: warning: choice 2 is the right answer" in out
    assert out.endswith("1 lessons, 5 steps, in pt-BR and en: no problems, 1 warning(s).\n")


def test_two_of_five_at_one_position_is_fine(tmp_path: Path) -> None:
    root = write_course(tmp_path, lesson=guesses([2, 2, 1, 1, 3], [EVEN] * 5))
    assert prediction_warnings(load_course(root)) == []


def test_the_right_choice_always_the_longest_is_a_warning(tmp_path: Path) -> None:
    answers = [1, 2, 3, 1, 2]
    longest = [
        tuple("a long right one" if n == a - 1 else "short" for n in range(3)) for a in answers
    ]
    root = write_course(tmp_path, lesson=guesses(answers, longest))
    warnings = [w.message for w in prediction_warnings(load_course(root))]
    assert warnings == [
        f"warning: in {lang}, the right choice is the longest one in every prediction (5): "
        "a learner can pass by picking the longest; make the choices of similar length"
        for lang in ("pt-BR", "en")
    ]
    # One prediction whose longest choice is wrong breaks the pattern.
    longest[4] = ("short", "a long right one", "an even longer wrong one")
    (tmp_path / "fixed").mkdir()
    root = write_course(tmp_path / "fixed", lesson=guesses(answers, longest))
    assert prediction_warnings(load_course(root)) == []


def test_a_tie_for_the_longest_is_no_giveaway() -> None:
    tied = Asked("one/guess", 0, {"en": ("same", "size", "tiny")})
    assert not tied.longest_is_right("en")
    assert Asked("one/guess", 0, {"en": ("longer", "short")}).longest_is_right("en")


def test_too_few_predictions_to_judge_give_no_warning(tmp_path: Path) -> None:
    root = write_course(tmp_path, lesson=guesses([2, 2, 2, 2], [("a", "long right")] * 4))
    assert prediction_warnings(load_course(root)) == []
