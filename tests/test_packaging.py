"""The double-clickable app: build it with `make app` and run its self-test.

Slow (a PyInstaller build takes minutes), so it is in the slow group, which CI runs on every
change."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_built_app_passes_its_self_test(tmp_path):
    build = subprocess.run(["make", "app"], cwd=ROOT, capture_output=True, text=True, timeout=3000)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    app = ROOT / "dist" / "Folioscope" / "Folioscope"
    assert app.is_file()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PATH="/usr/bin:/bin")
    run = subprocess.run([str(app), "--self-test"], cwd=tmp_path, capture_output=True, text=True,
                         timeout=900, env=env)
    print(run.stdout)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "self-test passed" in run.stdout
    # the frozen command line works too, and bad input is one sentence and exit 1
    bad = subprocess.run([str(app), "--library", str(tmp_path / "lib"), "ask", "x", "--doc", "nope"],
                         capture_output=True, text=True, timeout=300, env=env)
    assert bad.returncode == 1 and "No document 'nope'" in bad.stderr
