"""Ids as Docker prints them: the first 12 hex digits, without the algorithm."""

from __future__ import annotations


def short_id(digest: str) -> str:
    """``sha256:abcdef...`` (or a bare hex id) as ``docker image ls`` shows it.

    Args:
        digest: An image, layer or container id, with or without ``sha256:``.

    Returns:
        Its first 12 hex digits.
    """
    return digest.split(":", 1)[-1][:12]
