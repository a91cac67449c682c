"""A damaged library: its original files salvaged and read again into a new library file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import FolioscopeError, Progress
from ..index.store import Store
from . import ingest_paths

if TYPE_CHECKING:
    from ..ingest import IngestOptions


def salvage_originals(db_file: Path, into: Path) -> list[tuple[Path, str]]:
    """Copy every original file a (possibly damaged) library keeps into `into`; returns
    (copy, original path) for each one that could be read (`index.salvage`). A copy whose
    name is lost is named by its content hash and the kind of file it looks like."""
    from ..index.salvage import read_originals
    from ..ingest.registry import sniff
    into.mkdir(parents=True, exist_ok=True)
    suffix = {"pdf": ".pdf", "zip": ".docx", "image": ".png"}
    out: list[tuple[Path, str]] = []
    for original in read_originals(db_file):
        if original.name is not None:
            copy = into / f"{original.key}-{Path(original.name).name}"
        else:
            found = sniff(original.data[:2048])
            copy = into / f"{original.key[:16]}{suffix.get(found[0], '.txt') if found else '.txt'}"
        copy.write_bytes(original.data)
        out.append((copy, original.path or str(copy)))
    return out


def rebuild_library(folder: Path, options: IngestOptions | None = None, progress: Progress | None = None
                    ) -> dict[str, Any]:
    """Read a library's documents again from the originals it keeps, into a new library
    file; the damaged file is kept beside it as library.db.damaged-<time>."""
    import shutil
    from datetime import datetime

    from ..index.store import DB_NAME
    folder = Path(folder)
    db_file = folder / DB_NAME
    if not db_file.exists():
        raise FolioscopeError(f"There is no library in {folder}.")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    work = folder / f".rebuild-{stamp}"
    originals = salvage_originals(db_file, work)
    kept = folder / f"{DB_NAME}.damaged-{stamp}"
    for suffix in ("", "-wal", "-shm"):
        part = folder / (DB_NAME + suffix)
        if part.exists():
            part.rename(folder / (kept.name + suffix))
    added, failed = 0, []
    try:
        with Store(folder) as store:
            for result in ingest_paths(store, [copy for copy, _ in originals], options, progress):
                if result.ok and result.doc_id is not None:
                    original = next(path for copy, path in originals if copy == result.path)
                    store.set_path(result.doc_id, original)
                    added += 1
                else:
                    failed.append(result.message)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"recovered": len(originals), "added": added, "failed": failed, "damaged_file_kept_as": str(kept)}
