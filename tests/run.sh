#!/usr/bin/env bash
# Install everything and run every check: lint, types, lesson validation, all tests.
#
# Uses a Docker engine that already answers; otherwise, as root with apt, the
# test suite installs and starts one (and stops only that one at the end).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
.venv/bin/python -m pip install -q -e '.[test]'

echo "== ruff"
.venv/bin/ruff check tutor tests benchmarks assets hatch_build.py
.venv/bin/ruff format --check tutor tests benchmarks assets hatch_build.py
echo "== mypy"
.venv/bin/mypy
echo "== lessons"
.venv/bin/python -m tutor validate lessons
echo "== pytest"
exec .venv/bin/python -m pytest "$@"
