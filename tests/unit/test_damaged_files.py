"""Every file the tutor reads survives any content (issue 16, item 1).

For the progress file, the journal and the layer-index cache, hypothesis feeds
random bytes, text that is not UTF-8, and JSON/TOML of the wrong shape (lists,
numbers, missing keys, wrong types, huge numbers); the kinds of file that are
not a file at all (100 MB, empty, a folder, no read permission, a symlink loop,
a named pipe) are each tried by name. The outcome is always the documented
one: loading never raises, a damaged progress file or journal is kept aside
byte for byte as ``<name>.corrupt-<time>`` with a reason, the file next to it
is untouched, and a fresh file can be saved; a damaged cache file is simply
read again. The lesson files' properties are in ``test_lessons_fuzz.py``; the
same kinds of file in their place are tried here.

The example count comes from the hypothesis profile (``tests/conftest.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tutor import settings
from tutor.course.journal import BuildRecord, Journal, PushRecord
from tutor.course.loader import load_course
from tutor.engine.layer_index import CACHE_FORMAT, LayerIndex
from tutor.engine.layer_tar import LayerFiles
from tutor.progress_format import FormatError, parse, render
from tutor.progress_store import ProgressStore
from tutor.user_files import MAX_BYTES, REASONS, read_text

LESSONS = Path(__file__).resolve().parents[2] / "lessons"
DIFF_ID = "sha256:" + "ab" * 32

# -- helpers ----------------------------------------------------------------------


def sample_store(root: Path) -> ProgressStore:
    store = ProgressStore("image-layers", "learner", root=root)
    progress = store.fresh()
    progress.language = "pt-BR"
    progress.mark_step_done("build", "build", ["build", "list"])
    progress.record_answer("cache", "predict", 1)
    progress.move_to("build", "list")
    store.save(progress)
    return store


def sample_journal(path: Path) -> Journal:
    journal = Journal.load(path)
    steps = [{"number": 1, "instruction": "FROM busybox", "cached": True}]
    journal.record_build("app:latest", BuildRecord("sha256:aa", "build", 1.0, 2.0, steps))
    journal.record_push("127.0.0.1:5000/app", PushRecord("127.0.0.1:5000/app:latest", pushed=2))
    journal.record_answer("cache", "predict", 1)
    journal.params["image"] = "app"
    journal.record_step_images(["abc123"])
    return journal


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A fresh folder per hypothesis example (tmp_path is shared by all examples)."""
    folder = Path(tempfile.mkdtemp(prefix="lt-damage-"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def fresh_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="lt-damage-"))


def assert_kept_aside(path: Path, original: bytes) -> Path:
    """The damaged file is gone from its place and kept, byte for byte, beside it."""
    backups = sorted(path.parent.glob(f"{path.name}.corrupt-*"))
    assert len(backups) == 1, backups
    assert not os.path.lexists(path)
    assert backups[0].read_bytes() == original
    return backups[0]


# -- the progress file: properties --------------------------------------------------


def check_progress_survives(data: bytes) -> None:
    folder = fresh_folder()
    try:
        store = sample_store(folder)
        neighbour = store.path.with_name("journal.json")
        neighbour.write_text('{"format": 1}', encoding="utf-8")
        store.path.write_bytes(data)
        loaded = store.load()  # never raises
        if loaded.problem is None:
            assert loaded.damage is None and store.path.read_bytes() == data
            assert render(parse(data.decode("utf-8"))) == render(loaded.progress)
        else:
            assert loaded.damage is not None and loaded.damage.reason in REASONS
            assert loaded.backup == assert_kept_aside(store.path, data)
            assert loaded.progress == store.fresh()
        assert neighbour.read_text(encoding="utf-8") == '{"format": 1}'  # nothing else lost
        store.save(loaded.progress)
        assert store.load().problem is None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@given(st.binary(max_size=400))
def test_random_bytes_as_the_progress_file(data: bytes) -> None:
    check_progress_survives(data)


huge = st.integers(min_value=10**20, max_value=10**30).map(str) | st.just("9" * 5000)
toml_scalars = st.one_of(
    st.integers(-5, 5).map(str),
    huge,
    st.sampled_from(["true", "false", "nan", "inf", "1.5", "0x10", "1e9", '""', "[]", "{}"]),
    st.text(max_size=8).map(lambda t: json.dumps(t, ensure_ascii=False)),
    st.lists(st.text(max_size=5).map(json.dumps), max_size=3).map(lambda v: f"[{', '.join(v)}]"),
    st.just("[" * 3000),
    st.just("[1, 2]"),
)
progress_keys = st.sampled_from(
    ["format", "course", "namespace", "language", "lesson", "step", "done", "steps",
     'answers."predict"', '[lessons."build"]', "[end]", "x", ""]
)  # fmt: skip


@st.composite
def mutated_progress(draw: st.DrawFn) -> bytes:
    """A real progress file after the edits a crash, a sync tool or a person makes."""
    with tempfile.TemporaryDirectory(prefix="lt-p-") as folder:  # one per example: removed
        text = render(sample_store(Path(folder)).load().progress)
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "value", "key", "insert", "duplicate", "cut"]))
        if edit == "delete":
            del lines[at]
        elif edit == "value":
            lines[at] = f"{lines[at].partition('=')[0].strip() or 'x'} = {draw(toml_scalars)}"
        elif edit == "key":
            lines[at] = f"{draw(progress_keys)} = {lines[at].partition('=')[2].strip()}"
        elif edit == "insert":
            lines.insert(at, f"{draw(progress_keys)} = {draw(toml_scalars)}")
        elif edit == "duplicate":
            lines.insert(at, lines[at])
        else:
            lines = lines[:at]
        if not lines:
            lines = [""]
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@given(mutated_progress())
def test_wrong_shapes_and_huge_numbers_in_the_progress_file(data: bytes) -> None:
    check_progress_survives(data)


@given(st.text(max_size=300))
def test_the_progress_format_parser_accepts_or_says_why(text: str) -> None:
    try:
        progress = parse(text)
    except FormatError as exc:
        assert str(exc)
    else:
        assert parse(render(progress)) == progress


# -- the journal: properties --------------------------------------------------------

# A number of 5,000 digits: no Python int can be written by json.dumps, so it is
# spelled as a marker string and put in the text afterwards by dumps().
HUGE = "<a number of 5000 digits>"


def dumps(value: object) -> bytes:
    return json.dumps(value).replace(json.dumps(HUGE), "9" * 5000).encode()


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**20)
    | st.just(HUGE)
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)


def check_journal_survives(data: bytes) -> None:
    folder = fresh_folder()
    try:
        path = folder / "journal.json"
        neighbour = sample_store(folder)
        path.write_bytes(data)
        journal = Journal.load(path)  # never raises
        if journal.damage is None:
            assert path.read_bytes() == data
            assert journal.save()  # every field it kept is of a type it can write
            again = Journal.load(path)
            assert again.damage is None and again.to_json() == journal.to_json()
            for record in journal.builds.values():
                assert all(isinstance(int(s["number"]), int) for s in record.steps)
        else:
            assert journal.damage.reason in REASONS
            assert journal.damage.backup == assert_kept_aside(path, data)
            assert journal.to_json() == Journal(path=None).to_json()
            assert journal.save() and Journal.load(path).damage is None
        assert neighbour.load().problem is None  # the progress beside it is untouched
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@given(st.binary(max_size=400))
def test_random_bytes_as_the_journal(data: bytes) -> None:
    check_journal_survives(data)


@st.composite
def mutated_journal(draw: st.DrawFn) -> bytes:
    """A real journal with one value, anywhere in it, replaced by any JSON value."""
    with tempfile.TemporaryDirectory(prefix="lt-j-") as folder:  # one per example: removed
        document = sample_journal(Path(folder) / "j.json").to_json()
    node: object = document
    for _ in range(draw(st.integers(0, 4))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if draw(st.booleans()) or not isinstance(node[key], (dict, list)):
                node[key] = draw(json_values)
                break
            node = node[key]
        elif isinstance(node, list) and node:
            i = draw(st.integers(0, len(node) - 1))
            if draw(st.booleans()) or not isinstance(node[i], (dict, list)):
                node[i] = draw(json_values)
                break
            node = node[i]
    if draw(st.integers(0, 9)) == 0:
        return dumps(draw(json_values))  # a whole document of another shape
    return dumps(document)


@given(mutated_journal())
def test_wrong_shapes_in_the_journal(data: bytes) -> None:
    check_journal_survives(data)


# -- the settings file: properties ----------------------------------------------------


def check_settings_survive(data: bytes) -> None:
    folder = fresh_folder()
    try:
        path = folder / "settings.toml"
        neighbour = sample_store(folder)
        path.write_bytes(data)
        read = settings.load(path)  # never raises
        if not read.problem:
            assert read.set_aside is None and path.read_bytes() == data
            assert all(isinstance(v, (str, int, bool)) for v in read.params.values())
        else:
            assert read.params == {} and read.set_aside == assert_kept_aside(path, data)
        settings.update({"base_image": "python:3.12-alpine"}, path)
        assert settings.load(path).params["base_image"] == "python:3.12-alpine"
        assert neighbour.load().problem is None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@given(st.binary(max_size=300))
def test_random_bytes_as_the_settings_file(data: bytes) -> None:
    check_settings_survive(data)


@given(st.sampled_from(["", "[params]\n", "params = ", "[params]\nbase_image = "]), toml_scalars)
def test_wrong_shapes_in_the_settings_file(head: str, value: str) -> None:
    check_settings_survive(f"{head}{value}\n".encode())


# -- the layer-index cache: properties -----------------------------------------------


def check_cache_rebuilt(data: bytes) -> None:
    folder = fresh_folder()
    try:
        index = LayerIndex(folder)
        target = index._cache_file(DIFF_ID)
        target.write_bytes(data)
        found = index._load(DIFF_ID)  # never raises
        if found is not None:
            assert all(isinstance(p, str) for p in found.paths | found.whiteouts)
            assert all(isinstance(p, str) for p in found.opaque_dirs)
        good = LayerFiles(DIFF_ID, frozenset({"/app/app.py"}), frozenset(), frozenset())
        index.add(good)  # what happens once the layer has been read again
        assert LayerIndex(folder)._load(DIFF_ID) == good
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@given(st.binary(max_size=300) | json_values.map(dumps))
def test_anything_in_a_layer_index_cache_file(data: bytes) -> None:
    check_cache_rebuilt(data)


@given(st.sampled_from(["paths", "whiteouts", "opaque_dirs", "diff_id", "format"]), json_values)
def test_a_cache_file_of_the_wrong_shape(key: str, value: object) -> None:
    document = {"format": CACHE_FORMAT, "diff_id": DIFF_ID, "paths": ["/a"], "whiteouts": []}
    document["opaque_dirs"] = []
    document[key] = value
    check_cache_rebuilt(dumps(document))


# -- things that are not a small file -------------------------------------------------


def make_kind(path: Path, kind: str) -> bytes | None:
    """Put a file of ``kind`` at ``path``; its bytes when it is a readable file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "100 MB":
        with open(path, "wb") as handle:
            handle.truncate(100 * 1024 * 1024)  # sparse: 100 MB as the tutor sees it
        return None
    if kind == "empty":
        path.write_bytes(b"")
        return b""
    if kind == "not UTF-8":
        path.write_bytes(b'{"format": 1, "\x8e\xff": 0}')
        return path.read_bytes()
    if kind == "a folder":
        path.mkdir()
        (path / "inside").write_text("kept", encoding="utf-8")
        return None
    if kind == "a symlink loop":
        os.symlink(path.name, path)
        return None
    if kind == "a named pipe":
        os.mkfifo(path)
        return None
    raise AssertionError(kind)


KINDS = ["100 MB", "empty", "not UTF-8", "a folder", "a symlink loop", "a named pipe"]


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_in_place_of_the_progress_file(tmp_path: Path, kind: str) -> None:
    store = sample_store(tmp_path)
    store.path.unlink()
    original = make_kind(store.path, kind)
    loaded = store.load()
    assert loaded.problem and loaded.damage is not None and loaded.backup is not None
    assert loaded.progress == store.fresh()
    if original is not None:
        assert_kept_aside(store.path, original)
    assert os.path.lexists(loaded.backup) and not os.path.lexists(store.path)
    store.save(loaded.progress)
    assert store.load().problem is None


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_in_place_of_the_journal(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "journal.json"
    original = make_kind(path, kind)
    journal = Journal.load(path)
    assert journal.damage is not None and journal.damage.backup is not None
    if original is not None:
        assert_kept_aside(path, original)
    if kind == "a folder":
        assert (journal.damage.backup / "inside").read_text(encoding="utf-8") == "kept"
    journal.record_answer("l", "s", 2)
    assert Journal.load(path).answer("l", "s") == 2


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_in_place_of_the_settings_file(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "settings.toml"
    original = make_kind(path, kind)
    read = settings.load(path)  # a pipe in its place must not block the start
    if kind == "empty":  # an empty TOML file: valid, and no settings
        assert read == settings.Settings(path)
    else:
        assert read.problem and read.set_aside is not None and read.params == {}
    if original is not None and kind != "empty":
        assert_kept_aside(path, original)
    settings.update({"port": 8080}, path)
    assert settings.load(path).params == {"port": 8080}


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_in_place_of_a_cache_file_is_rebuilt_silently(tmp_path: Path, kind: str) -> None:
    index = LayerIndex(tmp_path)
    make_kind(index._cache_file(DIFF_ID), kind)
    assert index._load(DIFF_ID) is None
    good = LayerFiles(DIFF_ID, frozenset({"/x"}), frozenset(), frozenset())
    index.add(good)
    assert LayerIndex(tmp_path)._load(DIFF_ID) == good


@pytest.mark.parametrize("target", ["course.toml", "02-build/lesson.toml", "02-build/en.md"])
@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_in_place_of_a_lesson_file(tmp_path: Path, kind: str, target: str) -> None:
    root = tmp_path / "course"
    shutil.copytree(LESSONS, root)
    (root / target).unlink()
    make_kind(root / target, kind)
    course = load_course(root)  # never raises, never blocks on the pipe
    assert course.all_problems
    assert any(p.file == root / target for p in course.all_problems)
    if target != "course.toml":
        assert len(course.lessons) == len(course.entries) - 1  # the other lessons open


def test_read_text_caps_what_it_reads(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"a" * (MAX_BYTES + 1))
    assert read_text(path).reason == "too-large"
    path.write_bytes(b"a" * MAX_BYTES)
    assert read_text(path).text == "a" * MAX_BYTES


UNREADABLE_PROBE = """
import json, sys
from pathlib import Path
from tutor import settings
from tutor.course.journal import Journal
from tutor.progress_store import ProgressStore
import os
if os.geteuid() == 0:  # root reads any file: become nobody, once the imports are done
    os.setgroups([])
    os.setgid(65534)
    os.setuid(65534)
store = ProgressStore("image-layers", "learner", root=Path(sys.argv[1]))
loaded = store.load()
journal = Journal.load(store.path.with_name("journal.json"))
print(json.dumps([loaded.damage.reason, journal.damage.reason, loaded.backup is not None,
                  journal.damage.backup is not None]))
"""


def test_files_without_read_permission(tmp_path: Path) -> None:
    """Root reads any file, so the loads run in a process that drops to nobody."""
    shared = Path(tempfile.mkdtemp(prefix="lt-perm-"))
    try:
        store = sample_store(shared)
        journal = sample_journal(store.path.with_name("journal.json"))
        for folder in (shared, store.path.parent.parent, store.path.parent):
            folder.chmod(0o777)
        for path in (store.path, journal.path):
            assert path is not None
            path.chmod(0o000)
        result = subprocess.run(
            [sys.executable, "-c", UNREADABLE_PROBE, str(shared)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert json.loads(result.stdout) == ["unreadable", "unreadable", True, True]
    finally:
        shutil.rmtree(shared, ignore_errors=True)


CASES: list[Callable[[bytes], None]] = [check_progress_survives, check_journal_survives]
