"""A command whose reader went away (``tutor diff --json | head``) ends quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tutor.course.loader import default_course_root


def test_a_closed_pipe_ends_the_command_without_a_traceback() -> None:
    read_end, write_end = os.pipe()
    os.close(read_end)  # gone before the first byte: every write finds no reader
    try:
        done = subprocess.run(
            [sys.executable, "-m", "tutor", "validate", str(default_course_root())],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            cwd=Path(__file__).parent,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert done.stderr == ""
