"""Indexes saved beside library.db: a data file, and a manifest naming it with the revision
of each document it holds (the vector index and the text index)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path


def read_manifest(folder: Path, manifest: str) -> tuple[Path, dict[int, tuple[int, int]]]:
    """(the saved index file, doc_id -> (revision, chunks) it holds); OSError, ValueError or
    KeyError when there is none or it cannot be read."""
    saved = json.loads((folder / manifest).read_text())
    return folder / saved["index"], {int(k): (v[0], v[1]) for k, v in saved["documents"].items()}


def replace_saved(folder: Path, manifest: str, name: str, write: Callable[[Path], None],
                  documents: dict[int, tuple[int, int]]) -> None:
    """Write a new index file `name` with `write`, point `manifest` at it atomically, then
    remove the file it named before: a crash leaves the previous pair."""
    path = folder / manifest
    try:
        old = json.loads(path.read_text()).get("index")
    except (OSError, ValueError):
        old = None
    write(folder / name)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps({"index": name, "documents": documents}))
    os.replace(temp, path)
    if old and old != name:
        try:
            (folder / old).unlink(missing_ok=True)
        except OSError:
            pass  # mapped by another process where that forbids removal: a stale file, not an error
