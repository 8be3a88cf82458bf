"""Ids and sizes as the tutor prints them, in every panel, table and report alike.

One place for each: the short id is Docker's own (12 hex digits, no
algorithm), and a size is in decimal units as Docker counts them, with a
space and at most three significant digits (``364 B``, ``1.23 kB``,
``45.6 MB``) so that a column of sizes reads evenly.
"""

from __future__ import annotations

_UNITS = ("kB", "MB", "GB", "TB")


def short_id(digest: str) -> str:
    """``sha256:abcdef...`` (or a bare hex id) as ``docker image ls`` shows it.

    Args:
        digest: An image, layer or container id, with or without ``sha256:``.

    Returns:
        Its first 12 hex digits.
    """
    return digest.split(":", 1)[-1][:12]


def human_size(size: int | None) -> str:
    """Say a byte count in decimal units, as Docker counts them.

    Args:
        size: Bytes, or None when the engine did not say.

    Returns:
        "0 B", "512 B", "1.23 kB", "45.6 MB"...; "?" for None.
    """
    if size is None:
        return "?"
    if size < 1000:
        return f"{size} B"
    value = float(size)
    for unit in _UNITS:
        value /= 1000
        if value < 999.5 or unit == _UNITS[-1]:
            digits = 2 if value < 10 else 1 if value < 100 else 0
            return f"{value:.{digits}f} {unit}"
    raise AssertionError("unreachable")
