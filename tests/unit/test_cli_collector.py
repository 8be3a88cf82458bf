"""The short engine commands, and the app until its first frame, run with the garbage
collector off; each leaves it on."""

from __future__ import annotations

import argparse
import gc
import subprocess
import sys

import pytest

from tutor import cli


@pytest.mark.parametrize("command", ["layers", "diff", "shared"])
def test_a_one_shot_command_runs_without_the_collector(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []

    def handler(args: argparse.Namespace) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(cli, f"_{command}", handler)
    argv = {"layers": ["layers", "img"], "diff": ["diff", "c"], "shared": ["shared", "a", "b"]}
    assert gc.isenabled()
    assert cli.main(argv[command]) == 0
    assert seen == [False]
    assert gc.isenabled()  # on again for whoever called main in-process


def test_the_collector_comes_back_after_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(args: argparse.Namespace) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_diff", handler)
    assert cli.main(["diff", "c"]) == 130
    assert gc.isenabled()


def test_the_app_starts_without_the_collector_and_it_is_on_again_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Off while the tutor imports and draws its first frame (the app turns it on
    after that frame); on again however the app ends, for an in-process caller."""
    import tutor.launch

    seen: list[bool] = []

    def run_tutor(**options: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(tutor.launch, "run_tutor", run_tutor)
    assert cli.main([]) == 0
    assert seen == [False]
    assert gc.isenabled()

    def interrupted(**options: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(tutor.launch, "run_tutor", interrupted)
    assert cli.main([]) == 130
    assert gc.isenabled()


def _run_as_program(handler_body: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    """``tutor.cli.main()`` as the process's own entry point, with one handler replaced."""
    script = (
        "import atexit, sys\n"
        "from tutor import cli\n"
        "atexit.register(lambda: print('torn down', file=sys.stderr))\n"
        f"def handler(args):\n{handler_body}\n"
        f"cli._{command[0]} = handler\n"
        f"sys.argv = ['layers-tutor', *{command!r}]\n"
        "sys.exit(cli.main())\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize("command", [["diff", "c"], ["layers", "img"], ["shared", "a", "b"]])
def test_a_one_shot_command_ends_its_process_once_its_output_is_out(command: list[str]) -> None:
    """No interpreter tear-down after a one-shot command (atexit does not run), yet
    every byte it printed arrives, and its status is the process's."""
    done = _run_as_program("    print('x' * 300_000, end='')\n    return 3", command)
    assert done.returncode == 3
    assert done.stdout == "x" * 300_000
    assert "torn down" not in done.stderr


def test_an_engine_error_still_ends_a_one_shot_process_with_its_message() -> None:
    body = (
        "    from tutor.engine.errors import EngineUnreachable\n"
        "    raise EngineUnreachable('no engine here')"
    )
    done = _run_as_program(body, ["diff", "c"])
    assert done.returncode == 2
    assert "error: no engine here" in done.stderr
    assert "torn down" not in done.stderr


def test_other_commands_end_the_ordinary_way() -> None:
    done = _run_as_program("    print('checked')\n    return 0", ["validate", "lessons"])
    assert done.returncode == 0
    assert done.stdout == "checked\n"
    assert "torn down" in done.stderr
