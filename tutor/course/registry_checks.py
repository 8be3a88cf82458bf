"""Checks on the learner's registry: it answers, it holds a tag, a push reused layers.

The registry is asked directly over its HTTP API (``tutor.engine.registry``),
so a push the learner typed in a terminal passes like one the tutor did.
Which registry is the learner's is decided by :func:`find_registry`: the
``registry`` parameter when the class has one, else the tutor's own registry
container, else a registry the learner started themselves.
"""

from __future__ import annotations

import contextlib

from tutor.course.context import Args, CheckResult, Context, Decider
from tutor.course.model import Step
from tutor.engine import containers, inventory, registry
from tutor.engine.errors import EngineRejected
from tutor.engine.inventory import ContainerRow
from tutor.engine.labels import is_ours
from tutor.sentence import Sentence


def find_registry(ctx: Context) -> str:
    """The address of the learner's registry: the parameter, else one that runs.

    The tutor's own registry container comes first; else a running container
    of ``{registry_image}`` that publishes the registry port (the learner ran
    ``docker run -p 127.0.0.1:5000:5000 registry:2`` in a terminal) and is not
    another learner's.

    Args:
        ctx: Who and where.

    Returns:
        ``HOST:PORT``, or "" when no registry runs.

    Raises:
        EngineError: the engine cannot be asked.
    """
    if ctx.params.get("registry"):
        return str(ctx.params["registry"])
    own = containers.container_info(ctx.engine, registry.registry_container_name(ctx.namespace))
    if own is not None and is_ours(own.labels, ctx.namespace) and own.status == "running":
        port = own.host_port(registry.REGISTRY_PORT)
        if port:
            return f"127.0.0.1:{port}"
    image = str(ctx.params.get("registry_image") or "")
    rows: list[ContainerRow] = []
    with contextlib.suppress(EngineRejected):
        # (newer engines refuse an ancestor filter naming an absent image)
        rows = inventory.list_containers(ctx.engine, status="running", ancestor=image)
    for row in rows if image else []:
        if is_ours(row.labels) and not is_ours(row.labels, ctx.namespace):
            continue  # another learner's registry
        for p in row.ports:
            if p.private_port == registry.REGISTRY_PORT and p.public_port:
                return f"127.0.0.1:{p.public_port}"
    return ""


def _registry_ready(ctx: Context, step: Step, args: Args) -> CheckResult:
    address = find_registry(ctx)
    if not address:
        return CheckResult(False, Sentence("check.registry.none"))
    reach = registry.reachable_address(ctx.engine, address)
    registry.registry_tags(reach, "layers-tutor-probe")  # RegistryError when it is silent
    return CheckResult(True, Sentence("check.registry.answers", address=address))


def _split_repository(ctx: Context, repository: str) -> tuple[str, str]:
    """``HOST:PORT/NAME`` -> (where this machine reads the registry, ``NAME``)."""
    host, _, name = repository.partition("/")
    return registry.reachable_address(ctx.engine, host), name


def _registry_has(ctx: Context, step: Step, args: Args) -> CheckResult:
    repository, tag = str(args["repository"]), str(args.get("tag") or "latest")
    tags = registry.registry_tags(*_split_repository(ctx, repository))
    lacks = Sentence("check.registry.lacks", reference=f"{repository}:{tag}")
    return CheckResult.of(tag in tags, lacks)


def _push_reused(ctx: Context, step: Step, args: Args) -> CheckResult:
    repository, tag = str(args["repository"]), str(args.get("tag") or "latest")
    fewest = int(args.get("min_existing") or 1)
    address, name = _split_repository(ctx, repository)
    tags = registry.registry_tags(address, name)
    if tag not in tags:
        reference = f"{repository}:{tag}"
        return CheckResult(False, Sentence("check.registry.lacks", reference=reference))
    record = ctx.journal.pushes.get(repository)
    if record is not None and record.reference == f"{repository}:{tag}":
        reused = record.existing + record.mounted
    else:  # pushed outside the tutor: count its layers that other tags already hold
        mine = set(registry.registry_manifest_layers(address, name, tag))
        others: set[str] = set()
        for other in (t for t in tags if t != tag):
            others |= set(registry.registry_manifest_layers(address, name, other))
        reused = len(mine & others)
    few = Sentence("check.registry.reused", count=reused, tag=tag)
    return CheckResult.of(reused >= fewest, few)


DECIDERS: dict[str, Decider] = {
    "registry_ready": _registry_ready,
    "registry_has": _registry_has,
    "push_reused": _push_reused,
}
