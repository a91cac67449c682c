"""The code's rules, checked: import contracts (and that each one can fail), ruff, mypy."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    env = {"PATH": str(BIN), "PYTHONPATH": str(root / "app")}
    return subprocess.run([str(BIN / "lint-imports"), "--no-cache"], cwd=root, capture_output=True, text=True,
                          env=env, timeout=300)


def test_import_contracts_hold():
    out = lint_imports(ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "BROKEN" not in out.stdout and out.stdout.count("KEPT") == 5


# each line, added to the file, breaks the named contract
VIOLATIONS = [
    ("core/errors.py", "from ..index import store", "each layer imports only the layers below it"),
    ("core/errors.py", "from ..index import store", "core imports no GUI, model or numerical library"),
    ("segment/chunker.py", "from ..retrieve import select", "each layer imports only the layers below it"),
    ("index/store.py", "from .. import pipeline", "each layer imports only the layers below it"),
    ("pipeline/__init__.py", "import PySide6", "only the GUI imports Qt"),
    ("answer/ask.py", "from folioscope_lab import metrics", "the product imports nothing from the lab"),
    ("segment/learned.py", "from .strategies import get_strategy", "no import cycle between the packages"),
]


@pytest.mark.parametrize("module, line, contract", VIOLATIONS)
def test_each_contract_fails_when_broken(tmp_path, module, line, contract):
    for package in ("folioscope", "folioscope_lab"):
        shutil.copytree(ROOT / "app" / package, tmp_path / "app" / package,
                        ignore=shutil.ignore_patterns("__pycache__", "gold"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with (tmp_path / "app" / "folioscope" / module).open("a") as fh:
        fh.write(f"\n{line}  # noqa\n")
    out = lint_imports(tmp_path)
    assert out.returncode != 0
    broken = [row for row in out.stdout.splitlines() if " BROKEN" in row]
    assert any(row.startswith(contract) for row in broken), out.stdout


def test_ruff_is_clean():
    out = subprocess.run([str(BIN / "ruff"), "check", "app", "tests", "tools", "packaging"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean():
    out = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr


def test_no_module_over_500_lines_and_no_function_over_80():
    """Rooms a newcomer can read: the product's modules and functions stay small."""
    import ast
    too_long = []
    for path in sorted((ROOT / "app" / "folioscope").rglob("*.py")):
        text = path.read_text()
        if len(text.splitlines()) > 500:
            too_long.append(f"{path.name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno - node.lineno >= 80:
                too_long.append(f"{path.name}:{node.name}: {node.end_lineno - node.lineno + 1} lines")
    assert not too_long, too_long
