"""The install is reproducible and honestly licensed: the locked versions are the installed
ones, the installer uses the lock, and the licence notices are in step with what is installed."""

import re
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, pinned = line.partition("==")
            pins[name.strip()] = pinned.strip()
    return pins


def test_every_locked_package_is_installed_at_its_locked_version():
    pins = locked()
    assert len(pins) > 50 and "pymupdf" in pins and "PySide6_Essentials" in pins
    wrong = {}
    for name, pinned in pins.items():
        try:
            found = version(name)
        except PackageNotFoundError:
            found = None
        if found != pinned:
            wrong[name] = (pinned, found)
    assert not wrong, wrong


def test_the_installer_installs_from_the_lock_and_the_stamp_follows_it():
    script = (ROOT / "tools" / "install.sh").read_text()
    assert "-c requirements.lock" in script
    assert re.search(r'\$pip install -q "\$\{locked\[@\]\}" -e "\.\[dev,ray,export\]"', script)
    assert "requirements.lock" in (ROOT / "Makefile").read_text().split("STAMP :=")[0]


def test_pymupdf_is_held_to_the_tested_major_version():
    pin = re.search(r'^\s*"(pymupdf[^"]*)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert pin == "pymupdf>=2.0,<2.1" and version("pymupdf").startswith("2.0")


def test_the_licence_matches_what_is_bundled_and_the_notices_are_in_step():
    assert re.search(r'^license = "AGPL-3.0-or-later"', (ROOT / "pyproject.toml").read_text(), re.M)  # PyMuPDF
    assert (ROOT / "LICENSE").read_text().startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "notices.py"), "--check"], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    notices = (ROOT / "THIRD_PARTY_NOTICES.md").read_text()
    assert "| pymupdf | 2.0 | Dual Licensed - GNU AFFERO GPL 3.0" in notices and "SmolLM2-135M" in notices
    assert "THIRD_PARTY_NOTICES.md" in (ROOT / "packaging" / "folioscope.spec").read_text()
