"""Where each key of a TOML file is written, since tomllib keeps no positions.

``tomllib`` parses but keeps no positions, and a teacher needs
``file:line: message``. So after a successful parse the text is scanned once
more, lightly, to learn the line of each key, addressed by its path in the
parsed data: ``("steps", 2, "text", "en", "title")`` is the ``title`` of the
``en`` text of the third ``[[steps]]`` table. Arrays of tables are counted in
order, so ``[steps.text.en]`` after the third ``[[steps]]`` lands in step 2.
Array items get the line they start on. A path not written in the file (an
implicit table, a key that is missing) falls back to its nearest written
ancestor, usually the table where the key should go.
"""

from __future__ import annotations

import bisect
import contextlib
import re
import sys

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - the project's venv is 3.11
    import tomli as tomllib

Key = tuple[str | int, ...]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# The scanner's runs, matched by the regex engine rather than a character at a time:
# every lesson file is scanned before the tutor's first frame.
_BLANK = re.compile(r"(?:[ \t\r]+|#[^\n]*)*")
_BLANK_LINES = re.compile(r"(?:[ \t\r\n]+|#[^\n]*)*")
_BASIC_STRING = re.compile(r'"(?:[^"\\]|\\[\s\S])*')
_LITERAL_STRING = re.compile(r"'[^']*")
_SCALAR = re.compile(r"[^,\]}\n#]*")


class _Stop(Exception):
    """The scanner met text it does not understand; keep what it found so far."""


class KeyLines:
    """The line on which each key of one TOML text is written.

    Args:
        text: The TOML text (already known to parse).
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[Key, int] = {}
        self._text = text
        self._pos = 0
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self._arrays: dict[Key, int] = {}
        # Positions found before any surprise stay usable; the rest fall back to line 1.
        with contextlib.suppress(_Stop, IndexError, ValueError, tomllib.TOMLDecodeError):
            self._document()

    def line_of(self, path: Key) -> int:
        """The line of ``path``, else of its nearest written ancestor, else 1."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(path[:end])
            if line is not None:
                return line
        return 1

    # -- scanning -------------------------------------------------------
    def _line(self) -> int:
        return bisect.bisect_left(self._newlines, self._pos) + 1

    def _peek(self, n: int = 1) -> str:
        return self._text[self._pos : self._pos + n]

    def _skip(self, newlines: bool) -> None:
        """Past blanks and comments (and line ends, when ``newlines``)."""
        blank = _BLANK_LINES if newlines else _BLANK
        match = blank.match(self._text, self._pos)
        if match is not None:
            self._pos = match.end()

    def _document(self) -> None:
        table: Key = ()
        while True:
            self._skip(newlines=True)
            if self._pos >= len(self._text):
                return
            start, line = self._pos, self._line()
            if self._peek() == "[":
                many = self._peek(2) == "[["
                self._pos += 2 if many else 1
                table = self._header(self._key(), many, line)
                self._pos += 2 if many else 1
            else:
                self._pair(table)
            if self._pos <= start:
                raise _Stop

    def _header(self, keys: list[str], many: bool, line: int) -> Key:
        path: Key = ()
        for i, key in enumerate(keys):
            path += (key,)
            if (i < len(keys) - 1 or not many) and path in self._arrays:
                path += (self._arrays[path],)
        if many:
            self.lines.setdefault(path, line)  # the array itself: where it starts
            self._arrays[path] = self._arrays.get(path, -1) + 1
            path += (self._arrays[path],)
        self.lines[path] = line
        return path

    def _pair(self, table: Key) -> None:
        line = self._line()
        keys = self._key()
        self._skip(newlines=False)
        if self._peek() != "=":
            raise _Stop
        self._pos += 1
        path = table
        for key in keys:
            path += (key,)
            self.lines.setdefault(path, line)
        self._value(path)

    def _key(self) -> list[str]:
        keys: list[str] = []
        while True:
            self._skip(newlines=False)
            c = self._peek()
            if c in "\"'":
                start = self._pos
                self._string()
                keys.append(tomllib.loads("k = " + self._text[start : self._pos])["k"])
            else:
                match = _BARE_KEY.match(self._text, self._pos)
                if match is None:
                    raise _Stop
                keys.append(match.group(0))
                self._pos = match.end()
            self._skip(newlines=False)
            if self._peek() != ".":
                return keys
            self._pos += 1

    def _value(self, path: Key) -> None:
        self._skip(newlines=False)
        c = self._peek()
        if c in "\"'":
            self._string()
        elif c == "[":
            self._pos += 1
            self._items(path)
        elif c == "{":
            self._pos += 1
            self._inline_table(path)
        else:
            match = _SCALAR.match(self._text, self._pos)
            if match is not None:
                self._pos = match.end()

    def _items(self, path: Key) -> None:
        index = 0
        while True:
            self._skip(newlines=True)
            if self._peek() in ("]", ""):
                self._pos += 1
                return
            start = self._pos
            self.lines.setdefault((*path, index), self._line())
            self._value((*path, index))
            self._skip(newlines=True)
            if self._peek() == ",":
                self._pos += 1
            elif self._pos == start:
                raise _Stop
            index += 1

    def _inline_table(self, path: Key) -> None:
        while True:
            self._skip(newlines=False)
            if self._peek() in ("}", ""):
                self._pos += 1
                return
            start = self._pos
            self._pair(path)
            self._skip(newlines=False)
            if self._peek() == ",":
                self._pos += 1
            elif self._pos == start:
                raise _Stop

    def _string(self) -> None:
        text, quote = self._text, self._peek()
        if self._peek(3) == quote * 3:
            end = text.find(quote * 3, self._pos + 3)
            while quote == '"' and end > 0 and _escaped(text, end):
                end = text.find(quote * 3, end + 1)
            if end < 0:
                raise _Stop
            end += 3
            while end < len(text) and text[end] == quote and end - self._pos < 8:
                end += 1  # up to two quotes may end the content: """a""""
            self._pos = end
            return
        # One line: up to the closing quote (a basic string's may be escaped).
        match = (_BASIC_STRING if quote == '"' else _LITERAL_STRING).match(text, self._pos)
        self._pos = (match.end() if match is not None else self._pos) + 1


def _escaped(text: str, at: int) -> bool:
    """Whether the character at ``at`` is escaped by an odd run of backslashes."""
    run = 0
    while at - run - 1 >= 0 and text[at - run - 1] == "\\":
        run += 1
    return run % 2 == 1
