"""The loaded course, kept on disk between starts, so the first frame does not wait for it.

Reading the course (``tutor.course.loader``) parses ten ``lesson.toml`` files,
scans every key's line for the validator's messages and checks the prose's
placeholders: 25-40 ms of a start, plus 15-20 ms of importing the TOML parser
and the loader's modules. The course screen needs none of that work done
again while the course's files are the ones last read, so the result is
kept here as a pickle, under the learner's cache folder.

The cache is keyed by what the result depends on: the status (size, times,
inode) of every file under the course folder and of the tutor's own modules
that read it, the folder as given (problems name files under it) and the
Python version. Any change there, or a cache file that cannot be read back
into a :class:`~tutor.course.model.Course` (cut short, damaged, from another
tutor), means the course is read from its files again and the cache
rewritten: a damaged cache is never an error the learner sees.

The pickle is the learner's own file in the learner's own cache folder: it is
trusted as the bytecode cache next to it is, no more.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tutor.course.model import Course

#: A kept course is some 140 kB; a file much larger is not one (issue 16: a 100 MB file).
MAX_BYTES = 16 << 20
#: Bumped when what is pickled changes shape in a way file status cannot show.
FORMAT = 1
#: The tutor's modules that decide what a loaded course holds: this folder, and these.
_CODE = Path(__file__).resolve().parent
_CODE_FILES = ("i18n.py", "user_files.py", "sentence.py")


def default_cache_dir() -> Path:
    """The per-user folder for the kept course (next to the layer index)."""
    import platformdirs

    return Path(platformdirs.user_cache_dir("layers-tutor")) / "course"


def load_course_cached(root: Path, cache_dir: Path | None = None) -> Course:
    """The course in ``root``, from the cache when its files are unchanged.

    Args:
        root: The folder holding ``course.toml`` (as ``load_course`` takes it).
        cache_dir: Where the kept course lives (default: :func:`default_cache_dir`).

    Returns:
        The same :class:`Course` that ``load_course(root)`` returns.
    """
    folder = default_cache_dir() if cache_dir is None else cache_dir
    key = course_key(root)
    path = folder / f"{hashlib.sha256(str(root).encode()).hexdigest()[:16]}.pickle"
    kept = _read(path, key)
    if kept is not None:
        return kept
    from tutor.course.loader import load_course

    course = load_course(root)
    _write(path, key, course)
    return course


def course_key(root: Path) -> str:
    """A digest of everything a loaded course depends on, from file status alone."""
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{root}\0".encode())
    code = [(str(_CODE.parent / f), _CODE.parent / f) for f in _CODE_FILES]
    files = [*_statuses(root), *_statuses(_CODE)]
    for name, file in code:
        with contextlib.suppress(OSError):
            files.append((name, file.stat()))
    for name, st in files:
        digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}\0".encode())
        digest.update(f"{st.st_ino}\n".encode())
    return digest.hexdigest()


def _statuses(tree: Path) -> list[tuple[str, os.stat_result]]:
    """Every file and folder under ``tree`` with its status, in a stable order."""
    found: list[tuple[str, os.stat_result]] = []
    with contextlib.suppress(OSError):
        found.append((str(tree), tree.stat()))
    for top, folders, files in os.walk(tree):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(folders) + sorted(files):
            full = os.path.join(top, name)
            with contextlib.suppress(OSError):  # gone meanwhile: the key differs anyway
                found.append((full, os.stat(full, follow_symlinks=False)))
    return found


def _read(path: Path, key: str) -> Course | None:
    """The kept course when it was kept under ``key``; None for anything else."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:  # not what this module writes: read no further
            return None
        kept_key, course = pickle.loads(data)
    except Exception:
        return None
    if kept_key != key or not isinstance(course, Course):
        return None
    return course


def _write(path: Path, key: str, course: Course) -> None:
    """Keep ``course`` under ``key``; a folder that cannot be written only costs speed."""
    from io import BytesIO

    from tutor.user_files import write_atomic

    out = BytesIO()
    try:
        _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump((key, course))
        write_atomic(path, out.getvalue())
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return


def _proxy(items: dict[str, Any]) -> MappingProxyType[str, Any]:
    """A read-only mapping again (pickle cannot name ``mappingproxy`` itself)."""
    return MappingProxyType(items)


class _Pickler(pickle.Pickler):
    """A pickler that writes the course's read-only mappings as :func:`_proxy` calls."""

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _proxy, (dict(obj),)
        return NotImplemented
