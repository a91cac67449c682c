"""How long the window's library list blocks the GUI thread on a large library:
`python -m folioscope_lab.list_probe LIBRARY [--rows N]` prints one JSON line.

`bench scale` runs it after building its library. The list is filled from the library's own
document rows; with `--rows` larger than the library, its rows are repeated (each copy with
a distinct name) up to N, so the list's behaviour at ten thousand documents can be measured
on a library that took minutes, not hours, to build. Every time is the longest the GUI
thread was busy without returning to its event loop: the operation with the first turn of
the events it queues, or any later turn (the list lays out its rows a batch per turn).

- `list_documents_ms`: reading the document rows from the library (SQLite);
- `list_fill_ms`: the model filled and the view shown;
- `list_filter_ms`: each keystroke of typing a filter one character at a time and deleting
  it again (median and max);
- `list_scroll_ms`: each page-down from the top to the end of the list (median and max);
- `list_select_ms`: choosing a row far down the list;
- `list_add_ms`: a document just read put into the full list (its row alone read from the
  library, as the window does after each file of an import).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

FILTER_TEXT = "doc-0123"  # typed one character at a time, then deleted


QUIET_TURNS = 20  # turns of the event loop under a millisecond: the work queued is done


def _timed(app, action) -> float:
    """The longest stretch in ms the GUI thread spends away from its event loop on `action`."""
    start = time.perf_counter()
    action()
    app.processEvents()
    longest = time.perf_counter() - start
    quiet = 0
    while quiet < QUIET_TURNS:
        start = time.perf_counter()
        app.processEvents()
        turn = time.perf_counter() - start
        longest = max(longest, turn)
        quiet = quiet + 1 if turn < 0.001 else 0
    return longest * 1000


def probe(folder: Path, rows: int = 0) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from folioscope.gui.library_list import LibraryList, listed_document
    from folioscope.index import Store
    app = QApplication.instance() or QApplication([])
    store = Store(folder)
    start = time.perf_counter()
    documents = store.documents()
    read_ms = (time.perf_counter() - start) * 1000
    listed = [listed_document(d) for d in documents]
    copies, copy = list(listed), 1
    while listed and len(copies) < rows:
        for d in documents:
            if len(copies) >= rows:
                break
            name = f"copy{copy}-{d.name}"
            copies.append(listed_document(dataclasses.replace(d, id=d.id + copy * 10_000_000, name=name)))
        copy += 1
    view = LibraryList()
    view.resize(260, 420)
    fill_ms = _timed(app, lambda: (view.set_rows(copies), view.show()))
    typed = [FILTER_TEXT[:i] for i in range(1, len(FILTER_TEXT) + 1)]
    filter_ms = [_timed(app, lambda t=t: view.set_filter(t)) for t in typed + typed[-2::-1] + [""]]
    scroll_ms = []
    bar = view.verticalScrollBar()
    while bar.value() < bar.maximum():
        scroll_ms.append(_timed(app, lambda: bar.setValue(bar.value() + bar.pageStep())))
    select_ms = _timed(app, lambda: view.select_row(view.count() - 1))
    # a document read while the list is full: its row alone read and put in
    add_ms = _timed(app, lambda: view.put_row(listed_document(store.document(documents[-1].id)))) if documents else None
    store.close()
    return {
        "list_rows": len(copies), "library_documents": len(documents),
        "list_documents_ms": round(read_ms, 1), "list_fill_ms": round(fill_ms, 1),
        "list_filter_ms": {"median": round(statistics.median(filter_ms), 1), "max": round(max(filter_ms), 1),
                           "keystrokes": len(filter_ms)},
        "list_scroll_ms": {"median": round(statistics.median(scroll_ms), 1) if scroll_ms else None,
                           "max": round(max(scroll_ms), 1) if scroll_ms else None, "pages": len(scroll_ms)},
        "list_select_ms": round(select_ms, 1),
        "list_add_ms": round(add_ms, 1) if add_ms is not None else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m folioscope_lab.list_probe", description=__doc__.split("\n")[0])
    parser.add_argument("library", type=Path, help="a library folder")
    parser.add_argument("--rows", type=int, default=0, help="repeat the library's rows up to this many")
    args = parser.parse_args(argv)
    print(json.dumps(probe(args.library, args.rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
