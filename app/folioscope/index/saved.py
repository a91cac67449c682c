"""Indexes saved beside library.db: a data file, and a manifest naming it with the revision
of each document it holds (the vector index and the text index)."""

from __future__ import annotations

import json
import mmap
import os
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np

STALE_SECONDS = 600  # an index file named by no manifest and untouched this long is removed


def read_manifest(folder: Path, manifest: str) -> tuple[Path, dict[int, tuple[int, int]]]:
    """(the saved index file, doc_id -> (revision, chunks) it holds); OSError, ValueError or
    KeyError when there is none or it cannot be read."""
    saved = json.loads((folder / manifest).read_text())
    return folder / saved["index"], {int(k): (v[0], v[1]) for k, v in saved["documents"].items()}


def replace_saved(folder: Path, manifest: str, name: str, write: Callable[[Path], None],
                  documents: dict[int, tuple[int, int]]) -> None:
    """Write a new index file `name` with `write`, point `manifest` at it atomically, then
    remove the file it named before (and any of this index's files a stopped process left
    half-written): a crash leaves the previous pair."""
    path = folder / manifest
    try:
        old = json.loads(path.read_text()).get("index")
    except (OSError, ValueError):
        old = None
    write(folder / name)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps({"index": name, "documents": documents}))
    os.replace(temp, path)
    stem, _, rest = name.partition("-")
    for stale in folder.glob(f"{stem}-*{Path(rest).suffix}"):  # this index's files ("text-*.npz")
        # the file replaced, or one left by a process stopped while writing it (not one
        # another process is writing now)
        try:
            if stale.name != name and (stale.name == old or time.time() - stale.stat().st_mtime > STALE_SECONDS):
                stale.unlink(missing_ok=True)
        except OSError:
            pass  # gone already, or mapped by another process where that forbids removal


def mapped_arrays(path: Path) -> dict[str, np.ndarray]:
    """The arrays of an uncompressed .npz (`np.savez`), memory-mapped read-only rather than
    read: only the pages a search touches are brought into memory. ValueError when the file
    is not such an archive."""
    with open(path, "rb") as f:
        try:
            members = zipfile.ZipFile(f).infolist()
        except zipfile.BadZipFile as exc:
            raise ValueError(f"{path.name} is not an .npz archive") from exc
        whole = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)  # not empty: it is a zip archive
        out = {}
        for info in members:
            if info.compress_type != zipfile.ZIP_STORED or not info.filename.endswith(".npy"):
                raise ValueError(f"{path.name} holds a compressed or unknown member")
            f.seek(info.header_offset)
            local = f.read(30)  # the member's local header, then its name and extra field
            name_length, extra_length = struct.unpack("<HH", local[26:30])
            f.seek(info.header_offset + 30 + name_length + extra_length)
            version = np.lib.format.read_magic(f)
            header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                      else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = header(f)
            if dtype.hasobject or fortran:
                raise ValueError(f"{path.name} holds an array that cannot be mapped")
            count = int(np.prod(shape, dtype=np.int64))
            array = np.frombuffer(whole, dtype=dtype, count=count, offset=f.tell())
            out[info.filename[:-4]] = array.reshape(shape)
    return out
