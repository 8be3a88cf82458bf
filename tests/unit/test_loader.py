"""The loader: a course folder into typed objects, every mistake as ``file:line: message``.

Each test writes a small course to ``tmp_path``, breaks one thing, and asserts
the exact problem, line number included, because a teacher's editor jumps to
that line.
"""

from __future__ import annotations

from pathlib import Path

from tutor.course.loader import default_course_root, load_course
from tutor.course.model import Course, Problem
from tutor.course.tomldoc import KeyLines

COURSE = """\
[course]
id = "mini"
languages = ["pt-BR", "en"]
default_language = "en"
title = { pt-BR = "Mini", en = "Mini" }

[params]
image = "hello"
port = 5001
repository = "{registry}/hello"
registry = ""

[[lessons]]
id = "one"
folder = "01-one"
title = { pt-BR = "Um", en = "One" }
"""

LESSON = """\
[lesson]
id = "one"
files = ["Dockerfile", "app.py"]

[[steps]]
id = "build"
command = "docker build -t {image} ."
action = { kind = "build", tag = "{image}" }
check = { kind = "image_exists", image = "{image}" }

[steps.text.pt-BR]
title = "Construa"

[steps.text.en]
title = "Build"

[[steps]]
id = "guess"
check = { kind = "answered" }

[steps.prediction]
answer = 2

[steps.text.pt-BR]
title = "Adivinhe"
question = "Quantas?"
choices = ["Uma", "Duas"]

[steps.text.en]
title = "Guess"
question = "How many?"
choices = ["One", "Two"]
"""


def write_course(
    root: Path, lesson: str = LESSON, course: str = COURSE, folder: str = "01-one"
) -> Path:
    """A valid two-step course in ``root``; pass other text to break it."""
    (root / "course.toml").write_text(course, encoding="utf-8")
    lesson_dir = root / folder
    (lesson_dir / "files").mkdir(parents=True, exist_ok=True)
    (lesson_dir / "lesson.toml").write_text(lesson, encoding="utf-8")
    (lesson_dir / "files" / "Dockerfile").write_text("FROM busybox\nCOPY app.py /\n")
    (lesson_dir / "files" / "app.py").write_text('print("hello world!")\n')
    for lang in ("pt-BR", "en"):
        (lesson_dir / f"{lang}.md").write_text(f"# {lang}\n\nUse {{image}}.\n", encoding="utf-8")
    return root


def problems(course: Course, root: Path) -> list[str]:
    """Every problem as ``relative/file:line: message``, by file and line."""
    found = [Problem(p.file.relative_to(root), p.line, p.message) for p in course.all_problems]
    return [str(p) for p in sorted(found, key=lambda p: (str(p.file), p.line))]


def lesson_problems(tmp_path: Path, lesson: str) -> list[str]:
    root = write_course(tmp_path, lesson=lesson)
    course = load_course(root)
    assert course.lessons == ()
    return problems(course, root)


def test_a_valid_course_loads_with_typed_steps(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    course = load_course(root)
    assert course.all_problems == ()
    assert (course.id, course.languages, course.default_language) == ("mini", ("pt-BR", "en"), "en")
    assert course.params == {
        "image": "hello",
        "port": 5001,
        "repository": "{registry}/hello",
        "registry": "",
    }
    [lesson] = course.lessons
    assert lesson.title_in("pt-BR") == "Um"
    assert [f.name for f in lesson.files] == ["Dockerfile", "app.py"]
    assert lesson.files[0].source == root / "01-one" / "files" / "Dockerfile"
    assert lesson.prose_in("en").startswith("# en")
    build, guess = lesson.steps
    assert build.action is not None
    assert build.action.kind == "build"
    # Defaults are filled in, so the runner always finds them.
    assert dict(build.action.args) == {"tag": "{image}", "dockerfile": "Dockerfile", "context": "."}
    assert build.check.kind == "image_exists"
    assert build.line == 5
    assert guess.line == 17
    assert guess.prediction is not None
    assert guess.prediction.answer == 1  # the file counts from 1, the model from 0
    assert guess.words("en").choices == ("One", "Two")


def test_overrides_replace_defaults_with_the_default_type(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    course = load_course(root, overrides={"port": "5003", "image": "other"})
    assert course.params["port"] == 5003
    assert course.params["image"] == "other"
    assert course.all_problems == ()


def test_a_bad_override_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    course = load_course(root, overrides={"prot": "1", "port": "abc"})
    assert problems(course, root) == [
        "course.toml:7: override of 'prot': the course has no such parameter; did you mean 'port'?",
        "course.toml:9: override of 'port': 'abc' is not a whole number",
    ]


def test_toml_syntax_error_names_the_parser_line(tmp_path: Path) -> None:
    broken = LESSON.replace('command = "docker build -t {image} ."', 'command = "docker build')
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:7: TOML syntax: Illegal character '\\n' (column 24)"
    ]


def test_a_missing_key_is_reported_at_its_table(tmp_path: Path) -> None:
    broken = LESSON.replace('check = { kind = "image_exists", image = "{image}" }\n', "")
    assert lesson_problems(tmp_path, broken) == ["01-one/lesson.toml:5: steps.check is missing"]


def test_a_wrong_type_is_reported_at_its_key(tmp_path: Path) -> None:
    broken = LESSON.replace('command = "docker build -t {image} ."', "command = 5")
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:7: steps.command must be a string, not a whole number (5)"
    ]


def test_unknown_keys_suggest_the_likely_one(tmp_path: Path) -> None:
    broken = LESSON.replace('title = "Build"', 'title = "Build"\nhint = ["x"]')
    broken = broken.replace('id = "guess"', 'id = "guess"\ncomand = "x"')
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:16: unknown key steps.text.en.hint; did you mean 'hints'?",
        "01-one/lesson.toml:20: unknown key steps.comand; did you mean 'command'?",
    ]


def test_action_and_check_kinds_and_arguments_follow_the_vocabulary(tmp_path: Path) -> None:
    broken = LESSON.replace('kind = "build", tag', 'kind = "biuld", tag')
    broken = broken.replace('check = { kind = "answered" }', 'check = { kind = "answered", x = 1 }')
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:8: unknown action kind 'biuld'; did you mean 'build'?",
        "01-one/lesson.toml:19: check answered has no argument 'x' (it takes none)",
    ]


def test_argument_names_types_and_required_ones(tmp_path: Path) -> None:
    broken = LESSON.replace('tag = "{image}" }', 'tags = "{image}", context = 3 }')
    broken = broken.replace('"image_exists", image = "{image}"', '"image_exists", layers = -1')
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:8: action build has no argument 'tags'; did you mean 'tag'?",
        "01-one/lesson.toml:8: action build: context must be a string, not a whole number (3)",
        "01-one/lesson.toml:8: action build needs the argument 'tag'",
        "01-one/lesson.toml:9: check image_exists: layers must be at least 0, not -1",
        "01-one/lesson.toml:9: check image_exists needs the argument 'image'",
    ]


def test_placeholders_must_name_parameters(tmp_path: Path) -> None:
    broken = LESSON.replace("-t {image} .", "-t {imgae} .").replace('"Build"', '"Build {nope}"')
    broken = broken.replace(
        'kind = "image_exists", image = "{image}"',
        'kind = "containers_from_image", image = "{image}", count = "{image}"',
    )
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:7: steps.command: unknown parameter {imgae}; did you mean 'image'?",
        "01-one/lesson.toml:9: check containers_from_image: count must be a whole number or a "
        "{param} naming one, not a string ('{image}')",
        "01-one/lesson.toml:15: steps.text.en.title: unknown parameter {nope}; "
        "expected one of: image, port, registry, repository",
    ]


def test_an_int_argument_may_be_an_int_parameter(tmp_path: Path) -> None:
    lesson = LESSON.replace(
        'kind = "image_exists", image = "{image}"',
        'kind = "containers_from_image", image = "{image}", count = "{port}"',
    )
    course = load_course(write_course(tmp_path, lesson=lesson))
    assert course.all_problems == ()
    assert course.lessons[0].steps[0].check.args["count"] == "{port}"


def test_files_named_by_arguments_must_be_the_lessons(tmp_path: Path) -> None:
    broken = LESSON.replace('tag = "{image}" }', 'tag = "{image}", context = "app2" }')
    broken = broken.replace(
        'check = { kind = "answered" }',
        'check = { kind = "file_contains", file = "main.py", text = "x" }',
    )
    broken = broken.replace("[steps.prediction]\nanswer = 2\n", "")
    broken = broken.replace('question = "Quantas?"\nchoices = ["Uma", "Duas"]\n', "")
    broken = broken.replace('question = "How many?"\nchoices = ["One", "Two"]\n', "")
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:8: action build: 'app2/Dockerfile' (the Dockerfile in context "
        "'app2') is not one of the lesson's files",
        "01-one/lesson.toml:19: check file_contains: file 'main.py' is not one of the lesson's "
        "files (Dockerfile, app.py)",
    ]


def test_every_step_needs_text_in_every_language(tmp_path: Path) -> None:
    broken = LESSON.replace('[steps.text.en]\ntitle = "Build"\n', "")
    broken = broken.replace(
        '[steps.text.pt-BR]\ntitle = "Adivinhe"', '[steps.text.pt_BR]\ntitle = ""'
    )
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:5: steps.text.en is missing: every step needs its words in pt-BR "
        "and en",
        "01-one/lesson.toml:15: steps.text.pt-BR is missing: every step needs its words in pt-BR "
        "and en",
        "01-one/lesson.toml:22: unknown key steps.text.pt_BR; did you mean 'pt-BR'?",
    ]


def test_predictions_agree_across_languages(tmp_path: Path) -> None:
    broken = LESSON.replace("answer = 2", "answer = 3").replace('["Uma", "Duas"]', '["Uma"]')
    broken = broken.replace('title = "Build"', 'title = "Build"\nquestion = "Why?"')
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:16: steps.text.en.question: a question needs [steps.prediction] "
        "with the number of the right answer",
        "01-one/lesson.toml:23: steps.prediction.answer is 3 but steps.text.en.choices has 2 "
        "choices",
        "01-one/lesson.toml:28: steps.text.pt-BR.choices must offer at least 2 choices "
        "(the step has a prediction)",
        "01-one/lesson.toml:33: steps.text.en.choices has 2 but steps.text.pt-BR.choices has 1",
    ]


def test_answered_needs_a_prediction(tmp_path: Path) -> None:
    broken = LESSON.replace("[steps.prediction]\nanswer = 2\n", "")
    broken = broken.replace('question = "Quantas?"\nchoices = ["Uma", "Duas"]\n', "")
    broken = broken.replace('question = "How many?"\nchoices = ["One", "Two"]\n', "")
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:19: check answered needs a prediction question: add "
        "[steps.prediction] and a question with choices"
    ]


def test_ids_are_plain_and_unique(tmp_path: Path) -> None:
    broken = LESSON.replace('id = "guess"', 'id = "build"').replace('id = "one"', 'id = "One"')
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:2: lesson.id is 'One' but the course index calls this lesson 'one'",
        "01-one/lesson.toml:18: steps.id 'build' is already used at line 6",
    ]
    bad = LESSON.replace('id = "guess"', 'id = "Guess me"')
    assert lesson_problems(tmp_path, bad) == [
        "01-one/lesson.toml:18: steps.id 'Guess me' must use only lowercase letters, digits and "
        "dashes (it names folders and saved progress)"
    ]


def test_lesson_files_and_prose_must_exist(tmp_path: Path) -> None:
    root = write_course(tmp_path, lesson=LESSON.replace('"app.py"]', '"app.py", "../x", "no.py"]'))
    (root / "01-one" / "en.md").unlink()
    (root / "01-one" / "pt-BR.md").write_text("\n\n  \n")
    assert problems(load_course(root), root) == [
        "01-one/en.md:1: missing: the lesson's prose in en",
        "01-one/lesson.toml:3: lesson.files: '../x' must be a relative path inside files/",
        f"01-one/lesson.toml:3: lesson.files: 'no.py' is not a file in {root / '01-one' / 'files'}",
        "01-one/pt-BR.md:1: the lesson's prose in pt-BR is empty",
    ]


def test_a_broken_file_list_is_reported_once(tmp_path: Path) -> None:
    broken = LESSON.replace('files = ["Dockerfile", "app.py"]', 'files = "Dockerfile"')
    assert lesson_problems(tmp_path, broken) == [
        "01-one/lesson.toml:3: lesson.files must be a list of strings, not a string ('Dockerfile')"
    ]


def test_prose_placeholders_are_checked_at_their_line(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    (root / "01-one" / "en.md").write_text(
        "# T\n\nRun {image}.\n`{{.Names}}` is fine; {imag} is not.\n"
    )
    assert problems(load_course(root), root) == [
        "01-one/en.md:4: unknown parameter {imag}; did you mean 'image'?"
    ]


def test_a_file_that_is_not_utf8_is_located_at_the_bad_byte(tmp_path: Path) -> None:
    root = write_course(tmp_path)
    (root / "01-one" / "lesson.toml").write_bytes(b'[lesson]\nid = "one"\ntitle = "\xff"\n')
    assert problems(load_course(root), root) == [
        "01-one/lesson.toml:3: is not UTF-8 text (byte 0xff)"
    ]


def test_course_index_problems(tmp_path: Path) -> None:
    course = COURSE.replace('registry = ""', 'registry = "{repository}"')
    course += '\n[[lessons]]\nid = "one"\nfolder = "nowhere"\ntitle = { en = "Again" }\n'
    root = write_course(tmp_path, course=course)
    loaded = load_course(root)
    assert problems(loaded, root) == [
        "course.toml:10: params.repository refers to itself through its placeholders",
        "course.toml:11: params.registry refers to itself through its placeholders",
        "course.toml:19: lessons.id 'one' is already used at line 14",
        f"course.toml:20: lessons.folder 'nowhere' is not a folder in {root}",
        "course.toml:21: lessons.title.pt-BR is missing",
    ]
    # The first lesson still loads; the broken entry is listed with its title.
    assert [e.id for e in loaded.entries] == ["one", "one"]
    assert loaded.entries[0].lesson is not None
    assert loaded.entries[1].lesson is None
    assert loaded.entries[1].title == {"en": "Again"}


def test_course_languages_must_be_known(tmp_path: Path) -> None:
    course = COURSE.replace('["pt-BR", "en"]', '["pt_BR", "en", "en"]')
    course = course.replace('default_language = "en"', 'default_language = "fr"')
    root = write_course(tmp_path, course=course)
    loaded = load_course(root)
    assert problems(loaded, root) == [
        "course.toml:3: course.languages: 'pt_BR': the tutor has no catalog for it "
        "(add locale/<language>.po to the course); did you mean 'pt-BR'?",
        "course.toml:3: course.languages lists 'en' twice",
        "course.toml:4: course.default_language 'fr' is not in course.languages",
        # With pt_BR refused the course is in English only, so pt-BR titles are out of place.
        "course.toml:5: unknown key course.title.pt-BR; expected one of: en",
        "course.toml:16: unknown key lessons.title.pt-BR; expected one of: en",
    ]
    assert (loaded.languages, loaded.default_language) == (("en",), "en")


def test_a_broken_lesson_leaves_the_others_working(tmp_path: Path) -> None:
    course = (
        COURSE
        + '\n[[lessons]]\nid = "two"\nfolder = "02-two"\ntitle = { pt-BR = "Dois", en = "Two" }\n'
    )
    root = write_course(tmp_path, course=course)
    write_course(root, course=course, folder="02-two", lesson="[lesson\n")
    loaded = load_course(root)
    assert [lesson.id for lesson in loaded.lessons] == ["one"]
    assert loaded.entries[1].lesson is None
    assert problems(loaded, root) == [
        "02-two/lesson.toml:1: TOML syntax: Expected ']' at the end of a table declaration "
        "(column 8)"
    ]


def test_an_unreadable_index_gives_an_empty_course_with_the_reason(tmp_path: Path) -> None:
    course = load_course(tmp_path)
    assert course.entries == ()
    assert problems(course, tmp_path) == ["course.toml:1: file is missing"]
    (tmp_path / "course.toml").write_text("[course]\nid = 1\n[[lessons]]\n")
    assert problems(load_course(tmp_path), tmp_path) == [
        "course.toml:1: course.languages is missing",
        "course.toml:1: course.default_language is missing",
        "course.toml:1: course.title is missing",
        "course.toml:2: course.id must be a string, not a whole number (1)",
        "course.toml:3: lessons.id is missing",
        "course.toml:3: lessons.title is missing",
        "course.toml:3: lessons.folder is missing",
    ]


def test_default_course_root_is_the_repository_lessons() -> None:
    root = default_course_root()
    assert root == Path(__file__).resolve().parents[2] / "lessons"
    assert (root / "course.toml").is_file()


def test_key_lines_follow_arrays_of_tables_and_skip_strings() -> None:
    text = """\
# a comment with [fake] = "header"
title = "x"  # trailing
[[steps]]
id = "a"
body = \"\"\"
[[steps]]
id = "not a key"
\"\"\"
[steps.text.en]
hints = [
  "one",   # first
  'two',
]
[[steps]]
check = { kind = "build", "tag" = 'x' }
a.b.c = 1
[[steps.sub]]
x = 1
[[steps.sub]]
x = 2
"""
    lines = KeyLines(text)
    assert lines.line_of(("title",)) == 2
    assert lines.line_of(("steps",)) == 3  # an array of tables starts at its first header
    assert lines.line_of(("steps", 0)) == 3
    assert lines.line_of(("steps", 0, "id")) == 4
    assert lines.line_of(("steps", 0, "text", "en")) == 9
    assert lines.line_of(("steps", 0, "text", "en", "hints", 1)) == 12
    assert lines.line_of(("steps", 1)) == 14
    assert lines.line_of(("steps", 1, "check", "tag")) == 15
    assert lines.line_of(("steps", 1, "a", "b")) == 16
    assert lines.line_of(("steps", 1, "sub", 1, "x")) == 20
    # A key that is not written falls back to its nearest written parent.
    assert lines.line_of(("steps", 1, "check", "nope", 3)) == 15
    assert lines.line_of(("nothing",)) == 1
