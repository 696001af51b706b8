"""The layers hold: import-linter checks the contracts in pyproject.toml.

The second test proves the check has teeth: a copy of the package with one forbidden import
added must fail it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = [
    sys.executable,
    "-c",
    "from importlinter.cli import lint_imports_command; lint_imports_command()",
]


def lint(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [*LINT, str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_layer_contracts_hold() -> None:
    result = lint(ROOT / "src", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("domain/teams.py", "import wap.adapters.sql.tables"),
        ("domain/members.py", "import sqlalchemy"),
        ("application/teams/queries.py", "from wap.entrypoints import config"),
        ("application/members/get_profile.py", "import litestar"),
    ],
)
def test_a_forbidden_import_is_caught(tmp_path: Path, module: str, line: str) -> None:
    shutil.copytree(ROOT / "src", tmp_path / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "src" / "wap" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = lint(tmp_path / "src", tmp_path)
    assert result.returncode != 0, result.stdout
    assert "BROKEN" in result.stdout
