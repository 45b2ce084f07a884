"""The Python code passes ruff with the configuration in pyproject.toml."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT


def ruff() -> str | None:
    here = Path(sys.executable).with_name("ruff")
    return str(here) if here.exists() else shutil.which("ruff")


def test_ruff_finds_nothing():
    command = ruff()
    if command is None:
        if os.environ.get("CI"):
            pytest.fail("ruff is missing: `python3 scripts/dev.py test` installs requirements-test.txt")
        pytest.skip("ruff not installed (pip install -r requirements-test.txt)")
    result = subprocess.run([command, "check", "scripts", "tests"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
