"""``python -m tutor doctor``: is this machine ready for the course?

A teacher runs it on each lab machine before class; a learner runs it when
something does not work. Each finding says what was checked, what was found
and, when something is wrong, what to do.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from tutor.doctor_engine import engine_findings
from tutor.doctor_finding import Finding
from tutor.engine import images, inventory
from tutor.engine.connection import Engine, connect
from tutor.engine.errors import EngineError, EngineRejected
from tutor.engine.profile import profile

#: The parameters whose value and source ``doctor`` reports: what a lab sets up.
MACHINE_PARAMS = ("base_image", "registry", "registry_image")


def settings_findings(
    course_root: Path | None, command_line: Mapping[str, str]
) -> tuple[dict[str, object], list[Finding]]:
    """The parameters in effect, and a finding per machine parameter saying where it came from.

    Returns:
        ``(values, findings)``; a damaged settings file or a bad value is a failed finding.
    """
    from tutor import settings
    from tutor.course.loader import default_course_root, load_course

    course = load_course(course_root or default_course_root())
    try:
        layered, values = settings.effective(course.params, command_line)
    except ValueError as exc:
        return dict(course.params), [Finding("parameters", False, str(exc), "Fix the value.")]
    findings = []
    if layered.settings.problem:
        kept = f"; kept as {layered.settings.set_aside}" if layered.settings.set_aside else ""
        findings.append(
            Finding(
                "settings file",
                False,
                f"{layered.settings.path} {layered.settings.problem}{kept}",
                "The course's defaults are used; run `python -m tutor prepare` to write it again.",
                required=False,
            )
        )
    for name in MACHINE_PARAMS:
        if name in values:
            shown = repr(values[name]) if values[name] == "" else str(values[name])
            source = settings.source_of(name, layered)
            findings.append(
                Finding(f"param {name}", True, f"{shown} (from {source})", required=False)
            )
    return dict(values), findings


def course_lessons(course_root: Path | None) -> list[str]:
    """The course's lesson ids, in order (what the engine findings name)."""
    from tutor.course.loader import default_course_root, load_course

    return [entry.id for entry in load_course(course_root or default_course_root()).entries]


def examine(
    course_root: Path | None = None, command_line: Mapping[str, str] | None = None
) -> list[Finding]:
    """Check the parameters, the engine, the images the course needs, and the registry.

    Args:
        course_root: The course folder (default: the built-in course).
        command_line: ``--param`` overrides (``base_image``, ``registry``...); the
            settings file and ``LAYERS_TUTOR_<NAME>`` variables are read too.

    Returns:
        The findings, in the order a learner should fix them.
    """
    values, sources = settings_findings(course_root, command_line or {})
    try:
        engine = connect()
    except EngineError as exc:
        return [*sources, Finding("engine", False, str(exc), exc.hint)]
    try:
        facts = engine.facts()
        found = profile(engine)
        findings = [
            *sources,
            Finding("engine", True, f"{found.name} at {facts.host}"),
            Finding("api", True, f"API {facts.api_version} (negotiated)"),
            Finding("storage driver", True, facts.storage_driver, required=False),
            Finding(
                "image store",
                True,
                "containerd (image ids are manifest digests; most history rows are <missing>)"
                if facts.containerd_store
                else "classic (layers stored by the engine's graph driver)",
                required=False,
            ),
        ]
        findings += engine_findings(found, course_lessons(course_root))
        findings.append(image_finding(engine, "base image", str(values.get("base_image", ""))))
        registry = str(values.get("registry") or "")
        if registry:
            findings.append(registry_finding(registry))
        else:
            findings.append(
                image_finding(
                    engine, "registry image", str(values.get("registry_image", "")), required=False
                )
            )
        return findings
    finally:
        engine.close()


def image_finding(engine: Engine, label: str, image: str, required: bool = True) -> Finding:
    """Whether ``image`` is present on the engine, or could be pulled."""
    if not image:
        return Finding(label, False, "no image configured", "Set it with --param.", required)
    try:
        if inventory.inspect_image(engine, image) is not None:
            return Finding(label, True, f"{image} is present", required=required)
    except EngineRejected as exc:
        return Finding(label, False, f"{image}: {exc.explanation}", "", required)
    if not profile(engine).can_ask_registry_about_images:
        return Finding(
            label,
            False,
            f"{image} is not here, and this engine cannot say whether it can be pulled",
            "Run `python -m tutor prepare --load FILE` (or `--build-local`) to make it present.",
            required,
        )
    can_pull, why = images.pullable(engine, image)
    if can_pull:
        return Finding(label, True, f"{image} is not here yet but can be pulled", required=required)
    return Finding(
        label,
        False,
        f"{image} is not here and cannot be pulled ({why})",
        "Run `python -m tutor prepare` (it pulls, loads an archive with --load FILE, "
        "or makes a stand-in here with --build-local).",
        required,
    )


def registry_finding(address: str, timeout: float = 5.0) -> Finding:
    """Whether a registry answers at ``address`` (``host:port``)."""
    url = f"http://{address}/v2/"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return Finding("registry", True, f"{address} answers ({resp.status})")
    except urllib.error.HTTPError as exc:
        if exc.code == 401:
            return Finding("registry", True, f"{address} answers and asks for a login")
        return Finding("registry", False, f"{address} answered {exc.code}", "Check the address.")
    except (urllib.error.URLError, OSError) as exc:
        return Finding(
            "registry",
            False,
            f"no registry answers at {address} ({exc})",
            "Start it, or leave the registry parameter empty so lesson 8 starts one.",
        )


def render(findings: list[Finding]) -> str:
    """The findings as a readable report."""
    width = max(len(f.check) for f in findings)
    lines = []
    for f in findings:
        mark = "ok  " if f.ok else ("FAIL" if f.required else "warn")
        lines.append(f"[{mark}] {f.check.ljust(width)}  {f.detail}")
        if not f.ok and f.hint:
            lines.append(f"       {' ' * width}  -> {f.hint}")
    return "\n".join(lines)
