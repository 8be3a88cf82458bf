"""The command line: the tutor itself, plus the same core for scripts and teachers.

``python -m tutor`` opens the Textual app. The sub-commands print what the
engine layer returns, as a readable table or as stable JSON (``--json``,
documented in the README), and exit non-zero with a one-line message and a
hint when something is wrong, never with a traceback.
"""

from __future__ import annotations

import argparse
import gc
import json
import json.encoder
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from tutor.engine.errors import EngineError
from tutor.engine.printed import short_id

if TYPE_CHECKING:
    from tutor.engine.connection import Engine
    from tutor.engine.diff import ContainerDiff

Handler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for ``python -m tutor`` and ``layers-tutor``."""
    parser = argparse.ArgumentParser(
        prog="python -m tutor",
        description="Learn how Docker images are made of layers, on your own engine.",
    )
    parser.add_argument("--course", type=Path, help="course folder (default: the built-in one)")
    parser.add_argument(
        "--lang", help="language of the lessons: one of the course's (pt-BR, en, or one it adds)"
    )
    parser.add_argument("--namespace", help="learner namespace (default: your user name)")
    parser.add_argument("--workspace", type=Path, help="folder for your lesson files")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a course parameter, e.g. base_image=python:3.12-alpine",
    )
    parser.add_argument(
        "--keep-containers",
        action="store_true",
        help="leave the containers you started running when you quit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "layers", help="an image's layer stack, newest on top (--json: oldest first)"
    )
    p.add_argument("image")
    p.add_argument("--json", action="store_true", help="print JSON (see README)")

    p = sub.add_parser("diff", help="a container's changes and where each file came from")
    p.add_argument("container")
    p.add_argument("--json", action="store_true", help="print JSON (see README)")

    p = sub.add_parser("shared", help="which layers two or more images share")
    p.add_argument("images", nargs="+", metavar="IMAGE")
    p.add_argument("--json", action="store_true", help="print JSON (see README)")

    p = sub.add_parser("doctor", help="check the engine, base image and registry")
    p.add_argument("--json", action="store_true", help="print JSON (see README)")

    p = sub.add_parser(
        "prepare", help="make every image the course needs present: pull, load, or make here"
    )
    p.add_argument("--save", type=Path, metavar="FILE", help="then write them all into FILE")
    p.add_argument("--load", type=Path, metavar="FILE", help="first load the images in FILE")
    p.add_argument(
        "--build-local",
        action="store_true",
        help="make stand-ins from this machine's packages for what cannot be pulled",
    )

    p = sub.add_parser("clean", help="remove what the tutor made (and nothing else)")
    p.add_argument("--all", action="store_true", help="every learner's objects, not only yours")

    p = sub.add_parser("validate", help="check a course folder; errors as file:line: message")
    p.add_argument("path", nargs="?", type=Path, help="course folder (default: built-in)")
    return parser


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs into a mapping.

    Raises:
        SystemExit: a pair without ``=``.
    """
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise SystemExit(f"--param expects NAME=VALUE, got {pair!r}")
        params[name.strip()] = value
    return params


def main(argv: Sequence[str] | None = None) -> int:
    """Run the tutor or one of its commands.

    Returns:
        The process exit status.
    """
    args = build_parser().parse_args(argv)
    handlers: dict[str | None, Handler] = {
        None: _run_app,
        "layers": _layers,
        "diff": _diff,
        "shared": _shared,
        "doctor": _doctor,
        "prepare": _prepare,
        "clean": _clean,
        "validate": _validate,
    }
    try:
        if args.command in ONE_SHOT:
            status = _without_collector(handlers[args.command], args)
        else:
            status = handlers[args.command](args)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        status = 2
    except KeyboardInterrupt:
        status = 130
    except BrokenPipeError:
        # The reader went away (`tutor diff --json | head`): nothing more to say to it.
        _quiet_stdout()
        status = 1
    if argv is None and args.command in ONE_SHOT:
        _end_process(status)
    return status


#: Commands that read a few answers, print them and end: no cyclic garbage worth collecting.
ONE_SHOT = frozenset({"layers", "diff", "shared"})


def _without_collector(handler: Handler, args: argparse.Namespace) -> int:
    """Run ``handler`` with the cyclic garbage collector off, and turn it back on after.

    A diff of 20,000 paths makes some 80,000 objects (the engine's answer,
    the sorted pairs, the changes): the collector ran over them, and over
    every module imported meanwhile, dozens of times, 13 ms of a 145 ms
    command's CPU here. A command that ends in a second has nothing for it
    to find; reference counting still frees everything as it goes.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        return handler(args)
    finally:
        if was_on:
            gc.enable()


def _end_process(status: int) -> NoReturn:
    """End a one-shot command's process as soon as its output is out.

    The diff's answer stays in memory for a later poll (``tutor.engine.diff``
    keeps the last one per container), and so do the layers' file lists:
    after a 20,000-path ``tutor diff --json``, tearing the interpreter down
    freed some 100,000 objects and 400 modules one by one, 20-25 ms of a
    0.34 s command here (``farm-bench``, 15 pairs: 0.91x wall without it).
    Nothing is left to do: the output is flushed here, cache files are
    written whole or not at all (``LayerIndex.add``), and the engine calls'
    threads are daemons that an ordinary exit would not wait for either.
    Only for ``main()`` reading the process's own command line, never for an
    in-process caller.
    """
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away, or the stream is closed
            status = status or 1
    os._exit(status)


def _quiet_stdout() -> None:
    """Point standard output at the null device, so that Python's own last flush
    of what is still buffered finds no closed pipe and prints no traceback."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file behind it (a test's capture)
        pass
    finally:
        os.close(devnull)


def print_json(data: object) -> None:
    """Stable JSON: sorted keys, two-space indent."""
    print(stable_json(data))


def stable_json(data: object) -> str:
    """``json.dumps(data, indent=2, sort_keys=True)``, the same text, made faster.

    With an indent, Python 3.11's json module encodes in pure Python: 0.3 s
    for a diff of 20,000 paths, a third of the whole command. Here only the
    layout is Python; strings go through the C escaper.
    """
    out: list[str] = []
    _emit(data, "\n", out)
    return "".join(out)


def _emit(value: object, newline: str, out: list[str]) -> None:
    """Append ``value`` as json.dumps would lay it out at this depth (``newline`` + indent)."""
    if isinstance(value, str):
        out.append(_escape(value))
    elif value is None:
        out.append("null")
    elif value is True or value is False:
        out.append("true" if value else "false")
    elif type(value) is int:
        out.append(int.__repr__(value))
    elif isinstance(value, dict) and value and all(type(k) is str for k in value):
        inner = newline + "  "
        out.append("{")
        sep = inner
        for key in sorted(value):
            out.append(f"{sep}{_escape(key)}: ")
            _emit(value[key], inner, out)
            sep = "," + inner
        out.append(newline + "}")
    elif isinstance(value, (list, tuple)) and value:
        inner = newline + "  "
        if len(value) > 8 and _emit_records(value, inner, out):
            return
        out.append("[")
        sep = inner
        for item in value:
            out.append(sep)
            _emit(item, inner, out)
            sep = "," + inner
        out.append(newline + "]")
    else:  # floats, empty containers, odd keys: json's own words (no raw newline in them)
        out.append(json.dumps(value, indent=2, sort_keys=True).replace("\n", newline))


_escape = json.encoder.encode_basestring_ascii
_SCALAR: dict[type, Callable[[Any], str]] = {
    str: _escape,
    int: int.__repr__,
    bool: lambda v: "true" if v else "false",
    type(None): lambda v: "null",
}


def _emit_records(items: Sequence[object], inner: str, out: list[str]) -> bool:
    """A list of flat records (a diff's changes) laid out in one pass, or False.

    Every item must be a dict of the same text keys with scalar values; then
    the key prefixes are made once and each value is one call: 20,000 changes
    in about a third of the time of the general walk.
    """
    first = items[0]
    if not isinstance(first, dict) or not first or any(type(k) is not str for k in first):
        return False
    keys = sorted(first)
    deeper = inner + "  "
    heads = [f"{deeper}{_escape(k)}: " for k in keys]
    heads = [heads[0], *("," + h for h in heads[1:])]
    pairs = list(zip(keys, heads, strict=True))
    scalar = _SCALAR
    parts = ["["]
    sep = inner
    try:
        for item in items:
            if type(item) is not dict or len(item) != len(keys):
                return False
            parts.append(sep + "{")
            for key, head in pairs:
                value = item[key]
                parts.append(head + scalar[type(value)](value))
            parts.append(inner + "}")
            sep = "," + inner
    except KeyError:  # another key, or a value that is no scalar: the general walk
        return False
    parts.append(inner[:-2] + "]")
    out.extend(parts)
    return True


_CHANGES_PLACE = "\x00changes\x00"  # escaped as \u0000..., so no real value prints as it


def diff_json_text(result: ContainerDiff) -> str:
    """``stable_json(report.diff_json(result))``, the same text, without a dict per change.

    ``report.diff_json`` still shapes everything but the changes; each change
    is one formatted line instead of a dict that is made, sorted and walked
    (20,000 of them were a fifth of a cached ``tutor diff --json``'s Python
    time). Keys in sorted order, as ``json.dumps(sort_keys=True)`` puts them.
    """
    from dataclasses import replace

    from tutor import report

    head = report.diff_json(replace(result, changes=()))
    if not result.changes:
        return stable_json(head)
    head["changes"] = _CHANGES_PLACE
    esc = _escape
    n6, n4 = "\n      ", "\n    "
    # "kind" and "path" first, then "source_instruction" before "source_layer".
    plain = f'{{{n6}"kind": "%s",{n6}"path": %s,{n6}"source_instruction": null,'
    plain += f'{n6}"source_layer": null{n4}}}'
    lines = []
    for c in result.changes:
        kind = c.kind._value_  # the member's own slot: Enum.value is a slow descriptor
        if c.source_layer is None and c.source_instruction is None:
            lines.append(plain % (kind, esc(c.path)))
            continue
        instruction = "null" if c.source_instruction is None else esc(c.source_instruction)
        layer = "null" if c.source_layer is None else int.__repr__(c.source_layer)
        lines.append(
            f'{{{n6}"kind": "{kind}",{n6}"path": {esc(c.path)},'
            f'{n6}"source_instruction": {instruction},{n6}"source_layer": {layer}{n4}}}'
        )
    changes = "[" + n4 + ("," + n4).join(lines) + "\n  ]"
    return stable_json(head).replace(_escape(_CHANGES_PLACE), changes, 1)


def _run_app(args: argparse.Namespace) -> int:
    """Run the tutor, with the garbage collector off until its first frame is drawn.

    Importing Textual and the tutor and drawing the course make some 70,000
    objects that live as long as the process; the collector walked them a
    hundred times on the way, 12 ms of a 0.28 s start here. The app collects
    once and turns it back on after its first frame (``TutorApp``), or this
    does as the app ends, should it end before.
    """
    gc.disable()
    try:
        from tutor.launch import run_tutor

        return run_tutor(
            course_root=args.course,
            language=args.lang,
            namespace=args.namespace,
            workspace=args.workspace,
            params=parse_params(args.param),
            keep_containers=args.keep_containers,
        )
    finally:
        gc.enable()


def _prepare(args: argparse.Namespace) -> int:
    from tutor.prepare.command import run_prepare

    return run_prepare(
        course_root=args.course,
        params=parse_params(args.param),
        save=args.save,
        load=args.load,
        build_local=args.build_local,
    )


def _layers(args: argparse.Namespace) -> int:
    from tutor import report
    from tutor.engine.connection import connect
    from tutor.engine.layers import layers

    stack = layers(connect(lean=True), args.image)
    if args.json:
        print_json(report.stack_json(stack))
    else:
        print(report.stack_table(stack))
    return 0


def _diff(args: argparse.Namespace) -> int:
    from tutor import report
    from tutor.engine.connection import connect
    from tutor.engine.diff import diff
    from tutor.engine.layer_index import LayerIndex, default_cache_dir

    # The on-disk index makes a second `diff` of the same image instant.
    # The save is asked while the engine lists the changes: a cold diff waits once.
    index = LayerIndex(default_cache_dir())
    changes = diff(connect(lean=True), args.container, index, prefetch=True)
    if args.json:
        print(diff_json_text(changes))
    else:
        print(report.diff_table(changes))
    return 0


def _shared(args: argparse.Namespace) -> int:
    from tutor import report
    from tutor.engine.connection import connect
    from tutor.engine.sharing import shared

    if len(args.images) < 2:
        print("error: name at least two images", file=sys.stderr)
        return 2
    sharing = shared(connect(lean=True), args.images)
    if args.json:
        print_json(report.sharing_json(sharing))
    else:
        print(report.sharing_table(sharing))
    return 0


def _doctor(args: argparse.Namespace) -> int:
    from tutor import doctor

    findings = doctor.examine(course_root=args.course, command_line=parse_params(args.param))
    if args.json:
        print_json([f.as_json() for f in findings])
    else:
        print(doctor.render(findings))
    return 0 if all(f.ok for f in findings if f.required) else 1


def _clean(args: argparse.Namespace) -> int:
    from tutor.engine.cleanup import clean
    from tutor.engine.connection import connect
    from tutor.engine.labels import default_namespace, sanitize_namespace

    namespace = None if args.all else sanitize_namespace(args.namespace or default_namespace())
    engine = connect()
    report = clean(engine, namespace)
    forgotten = _forget_step_images(engine, namespace)
    who = "every learner" if namespace is None else f"namespace {namespace!r}"
    removed = {
        "containers": report.containers,
        "images": report.images,
        "networks": report.networks,
        "volumes": report.volumes,
    }
    removed["step images"] = [short_id(i) for i in forgotten]
    total = sum(len(v) for v in removed.values())
    print(f"Removed {total} object(s) made by layers-tutor for {who}.")
    for kind, names in removed.items():
        for name in names:
            print(f"  {kind[:-1]}: {name}")
    return 0


def _forget_step_images(engine: Engine, namespace: str | None) -> list[str]:
    """Step images of stopped builds, from every journal of this learner (or all).

    They carry no labels; only the journals under the progress folder say they
    are the tutor's (see ``tutor.course.leftovers``).
    """
    from tutor.course.journal import Journal
    from tutor.course.leftovers import forget_step_images
    from tutor.progress_store import default_root

    pattern = "*/*/journal.json" if namespace is None else f"*/{namespace}/journal.json"
    removed: list[str] = []
    for path in sorted(default_root().glob(pattern)):
        journal = Journal.load(path)
        owner = namespace if namespace is not None else path.parent.name
        removed += forget_step_images(engine, journal, owner)
    return removed


def _validate(args: argparse.Namespace) -> int:
    from tutor.course import validate

    argv = [str(args.path)] if args.path else []
    for pair in args.param:
        argv += ["--param", pair]
    return validate.main(argv)
