"""Before the window opens: can Qt's platform plugin load on this system?

On Linux the window needs Qt's xcb plugin, which needs X11 libraries that a fresh desktop
may not have. Without them Qt prints a long message and aborts; instead, Folioscope names
what is missing and the one command that installs it (the same packages as the README).
"""

from __future__ import annotations

import ctypes.util
import os
import subprocess
import sys
from pathlib import Path

# Debian/Ubuntu packages that Qt's xcb plugin needs, by the library each provides
XCB_PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0", "libxcb-xkb.so.1": "libxcb-xkb1",
}
INSTALL = "sudo apt-get install " + " ".join(XCB_PACKAGES.values())


def uses_xcb(env: dict[str, str] | None = None) -> bool:
    """Whether Qt will start its xcb plugin (Linux, an X display, no other platform asked for)."""
    env = dict(os.environ if env is None else env)
    platform = env.get("QT_QPA_PLATFORM", "")
    if not sys.platform.startswith("linux") or (platform and not platform.startswith("xcb")):
        return False
    return not (env.get("WAYLAND_DISPLAY") and not platform)


def xcb_plugin() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    path = Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"
    return path if path.exists() else None


def missing_libraries(plugin: Path | None = None) -> list[str]:
    """The shared libraries the xcb plugin needs that the system does not have."""
    plugin = plugin or xcb_plugin()
    if plugin is None:
        return []
    missing: list[str] = []
    try:
        out = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        name, _, where = line.strip().partition(" => ")
        if where.strip() == "not found" and name not in missing:
            missing.append(name)
    if not ctypes.util.find_library("xcb-cursor"):  # loaded by Qt at run time, not linked
        missing.append("libxcb-cursor.so.0")
    return missing


def problem() -> str | None:
    """One sentence naming what keeps the window from opening and how to fix it, or None."""
    if not uses_xcb():
        return None
    missing = missing_libraries()
    if not missing:
        return None
    return (f"The Folioscope window cannot open: Qt's X11 platform plugin needs {', '.join(missing)}, "
            f"which this system lacks; install them with: {INSTALL}")
