"""The words the tutor says around the lessons, from gettext catalogs (``.po``), in any language.

The lessons bring their own words in each language; everything else a
learner reads (screens, panels, keys, the tutor's wording of engine errors)
is looked up here by a key such as ``banner.title`` in the catalog of the
learner's language, with plural forms where a count is said:

* the tutor's catalogs are ``tutor/locale/<language>.po`` (``en.po`` is the
  source: its ``msgstr`` are the English texts);
* a course may bring catalogs of its own in ``<course>/locale/<language>.po``,
  which add a language or override entries: so a teacher adds a language with
  a catalog, the lesson prose and a ``course.toml`` entry, and no Python.

The ``.po`` files are read as they are, with the small reader below (the
standard library has none), so there is no compiled catalog to fall out of
step with its source. ``{name}`` blanks are filled with ``str.format``; a
text that says a count is a plural entry (``msgid_plural``) chosen by the
catalog's own ``Plural-Forms``, so Portuguese says "1 mudança" and "2 mudanças".

The course's checks and actions, and the engine, word what they find as a
:class:`tutor.sentence.Sentence`: a plain English string that keeps its key
and values, so the screen says it again in the learner's language.

Textual-free: usable by the command line and the course model too.
"""

from __future__ import annotations

import ast
import gettext
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

#: The tutor's own catalogs.
LOCALE = Path(__file__).resolve().parent / "locale"
#: The language every key is said in; others fall back to it, key by key.
SOURCE = "en"

Text = str | tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    """One language's texts.

    Attributes:
        language: The course's name for it (``pt-BR``).
        texts: Key -> text, or the plural forms of a text.
        plural: Which form a count takes (from the header's ``Plural-Forms``).
        source: The file read, for messages.
    """

    language: str
    texts: Mapping[str, Text] = field(default_factory=dict)
    plural: Callable[[int], int] = lambda n: int(n != 1)
    source: Path | None = None


class CatalogError(ValueError):
    """A ``.po`` file that cannot be read; says the file and the line."""


def read_po(path: Path, language: str | None = None) -> Catalog:
    """Read a ``.po`` file: ``msgid``/``msgid_plural``/``msgstr[n]``, comments, continuations.

    Fuzzy entries and empty translations are left out (the source language
    says them instead), as gettext's own tools do.

    Raises:
        CatalogError: the file is not UTF-8 or not a catalog (with its line).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot be read ({exc})") from exc
    entries = list(_entries(path, lines))
    header = next((e.strings.get("msgstr", "") for e in entries if e.msgid == ""), "")
    plural = _plural_rule(path, header)
    texts: dict[str, Text] = {}
    for entry in entries:
        if entry.msgid == "" or entry.fuzzy:
            continue
        if "msgid_plural" in entry.strings:
            forms = tuple(entry.strings.get(f"msgstr[{i}]", "") for i in range(_count(entry)))
            if forms and all(forms):
                texts[entry.msgid] = forms
        elif entry.strings.get("msgstr"):
            texts[entry.msgid] = entry.strings["msgstr"]
    return Catalog(language or path.stem, texts, plural, path)


@dataclass
class _Entry:
    msgid: str = ""
    strings: dict[str, str] = field(default_factory=dict)
    fuzzy: bool = False


def _entries(path: Path, lines: list[str]) -> Iterable[_Entry]:
    entry, key = _Entry(), ""
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                # It marks the entry that follows: close the one before it.
                if "msgid" in entry.strings:
                    yield _finish(entry)
                    entry, key = _Entry(), ""
                entry.fuzzy = True
            continue
        if line.startswith('"'):
            if not key:
                raise CatalogError(f"{path}:{number}: a string continues nothing")
            entry.strings[key] += _unquote(path, number, line)
            continue
        word, _, rest = line.partition(" ")
        if word not in {"msgid", "msgid_plural", "msgctxt", "msgstr"} and not (
            word.startswith("msgstr[") and word.endswith("]")
        ):
            raise CatalogError(f"{path}:{number}: expected msgid or msgstr, found {word!r}")
        if word == "msgid" and "msgid" in entry.strings:
            yield _finish(entry)
            entry = _Entry()
        key = word
        entry.strings[key] = _unquote(path, number, rest.strip())
    if "msgid" in entry.strings:
        yield _finish(entry)


def _finish(entry: _Entry) -> _Entry:
    entry.msgid = entry.strings.get("msgid", "")
    return entry


def _unquote(path: Path, number: int, text: str) -> str:
    if len(text) < 2 or not (text.startswith('"') and text.endswith('"')):
        raise CatalogError(f"{path}:{number}: a string must be in double quotes")
    inner = text[1:-1]
    if "\\" not in inner and '"' not in inner and "\0" not in inner:
        # Most strings escape nothing: what Python would read them as, without
        # parsing each one (both catalogs are read before the first frame).
        return inner
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError) as exc:
        raise CatalogError(f"{path}:{number}: a string that cannot be read ({exc})") from exc
    if not isinstance(value, str):
        raise CatalogError(f"{path}:{number}: not a string")
    return value


def _count(entry: _Entry) -> int:
    return sum(1 for k in entry.strings if k.startswith("msgstr["))


def _plural_rule(path: Path, header: str) -> Callable[[int], int]:
    for line in header.splitlines():
        name, _, value = line.partition(":")
        if name.strip().lower() == "plural-forms":
            expression = value.split("plural=", 1)[-1].strip().rstrip(";")
            try:
                return gettext.c2py(expression)
            except (ValueError, RecursionError) as exc:
                raise CatalogError(f"{path}: Plural-Forms cannot be read ({exc})") from exc
    return lambda n: int(n != 1)


# -- the catalogs in use ---------------------------------------------------------------

_course_locale: list[Path] = []


def use_course_catalogs(course_root: Path | None) -> None:
    """Also read the catalogs a course brings (``<course>/locale/*.po``)."""
    _course_locale[:] = [course_root / "locale"] if course_root is not None else []
    catalog.cache_clear()


@cache
def catalog(language: str) -> Catalog:
    """The catalog of ``language``: the tutor's, with the course's entries over it.

    A catalog that cannot be read counts as empty (its language then falls
    back to English); ``python -m tutor validate`` reports it with its line.
    """
    texts: dict[str, Text] = {}
    rule: Callable[[int], int] | None = None
    for folder in (LOCALE, *_course_locale):
        path = folder / f"{language}.po"
        if not path.is_file():
            continue
        try:
            read = read_po(path, language)
        except CatalogError:
            continue
        texts.update(read.texts)
        rule = read.plural
    return Catalog(language, texts, rule or (lambda n: int(n != 1)))


def languages() -> list[str]:
    """The languages with a catalog (the tutor's and the course's)."""
    found = {p.stem for folder in (LOCALE, *_course_locale) for p in folder.glob("*.po")}
    return sorted(found)


def say(language: str, key: str, **values: object) -> str:
    """The text ``key`` in ``language`` (in English where that catalog lacks it), filled in.

    A ``count`` among the values chooses the plural form of a plural entry.

    Args:
        language: A course language (``pt-BR``, ``en``...).
        key: The catalog entry (``banner.title``).
        **values: Values for the text's ``{name}`` blanks.

    Returns:
        The text, ready to show; the key itself when no catalog has it.
    """
    for name in (language, SOURCE):
        found = catalog(name)
        text = found.texts.get(key)
        if text is None:
            continue
        if isinstance(text, tuple):
            count = values.get("count", 1)
            index = found.plural(count if isinstance(count, int) else 1)
            text = text[min(index, len(text) - 1)]
        return text.format(**values) if values else text
    return key
