"""Start the Folioscope window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from ..core import FolioscopeError


def run(files: list[Path] | None = None, library: str | None = None,
        open_at: tuple[int, int, int | None] | None = None) -> int:
    """The window; `open_at`: a document shown at once at (doc_id, page, character offset)."""
    from .platform_check import problem
    why = problem()
    if why:  # Qt would print a page of warnings and abort
        print(f"folioscope: {why}", file=sys.stderr)
        return 1
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ..index import Store
    from .main_window import MainWindow

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Folioscope")
    app.setOrganizationName("Folioscope")
    from PySide6.QtGui import QIcon

    from ..models import sample_document
    icon = sample_document().parent.parent / "icons" / "folioscope.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    if library is None:
        from .settings import Settings
        library = Settings.load().library_folder or None
    try:
        lib = Store(library)
    except FolioscopeError as exc:
        QMessageBox.critical(None, "Folioscope", str(exc))
        return 1
    window = MainWindow(lib)
    window.show()
    if open_at is not None:
        window.open_at(*open_at)
    if files:
        missing = [f for f in files if not f.exists()]
        if missing:
            window.show_message("Folioscope", "\n".join(f"{f} does not exist." for f in missing))
        existing = [f for f in files if f.exists()]
        if existing:
            window.add_paths(existing)
    code = app.exec()
    lib.close()
    return code
