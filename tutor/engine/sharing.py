"""Which layers several images share on disk, and how many bytes that saves.

The engine stores a layer once per *chain id*: the digest of the layer
together with everything under it. Two images share a stored layer exactly
when their ``RootFS.Layers`` lists start the same way up to it. A diff id
alone is not enough: the same ``COPY app.py`` on two different parents has
the same diff id but is stored twice, because it sits on different stacks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from tutor.engine.connection import Engine
from tutor.engine.layers import Layer, LayerStack, layers


@dataclass(frozen=True)
class Sharing:
    """What a set of images shares.

    Attributes:
        images: The names asked for, in order.
        stacks: Their layer stacks, in the same order.
        shared_chain_ids: Chain ids of the layers that two or more of the
            images use, oldest first (for two images: their common prefix).
        bytes_stored: Bytes of layers on disk, each distinct layer counted once.
        bytes_without_sharing: What the images would take if nothing were
            shared (the sum of each image's layers).
    """

    images: tuple[str, ...]
    stacks: tuple[LayerStack, ...]
    shared_chain_ids: tuple[str, ...]
    bytes_stored: int
    bytes_without_sharing: int

    @property
    def bytes_saved(self) -> int:
        """Bytes that sharing saves: stored once instead of once per image."""
        return self.bytes_without_sharing - self.bytes_stored


def shared(engine: Engine, images: Sequence[str]) -> Sharing:
    """Compare the layers of several images.

    Args:
        engine: The engine.
        images: Names, tags or ids (two or more to find anything shared).

    Returns:
        The :class:`Sharing` between them.

    Raises:
        ImageNotFound: one of them is not on this engine.
        EngineError: the engine went away.
    """
    stacks = tuple(layers(engine, image) for image in images)
    return sharing_of(tuple(images), stacks)


def sharing_of(images: tuple[str, ...], stacks: tuple[LayerStack, ...]) -> Sharing:
    """Compute :class:`Sharing` from layer stacks already read (pure).

    Args:
        images: The names, in order.
        stacks: Their stacks, in the same order.

    Returns:
        The sharing between them.
    """
    per_image = [_filesystem(stack) for stack in stacks]
    users = Counter(chain for rows in per_image for chain in {row.chain_id for row in rows})
    distinct: dict[str, int] = {}
    order: list[str] = []
    for rows in per_image:
        for row in rows:
            chain = str(row.chain_id)
            if chain not in distinct:
                distinct[chain] = row.size
                if users[chain] >= 2:
                    order.append(chain)
    return Sharing(
        images=images,
        stacks=stacks,
        shared_chain_ids=tuple(order),
        bytes_stored=sum(distinct.values()),
        bytes_without_sharing=sum(row.size for rows in per_image for row in rows),
    )


def _filesystem(stack: LayerStack) -> list[Layer]:
    return [row for row in stack.filesystem_layers if row.chain_id is not None]
