"""One document as one row of a Parquet shard, and back.

A row holds what `pipeline.prepare` made of a file (pages with their blocks and spans,
sentences, gap scores, chunks, chapters, sentence and chunk vectors) and the file's own
bytes, keyed by its sha256, so a library can be built from shards on any machine without
reading or embedding anything again. Structured parts are JSON of the core dataclasses;
vectors are `.npy` bytes (no pickles: a shard is data, never code).
"""

from __future__ import annotations

import dataclasses
import enum
import io
import json
import tempfile
import time
import types
import typing
from pathlib import Path
from typing import Any

import numpy as np

from ..core import Chapter, Chunking, Document, FolioscopeError
from ..pipeline import Prepared, failure_message, prepare

FORMAT = 1  # bump when a column changes meaning; `import` refuses shards it does not know

COLUMNS = ("format", "sha256", "path", "name", "status", "message", "seconds", "source", "document",
           "chunking", "chapters", "sentence_vectors", "chunk_hashes", "chunk_vectors")


def schema():
    import pyarrow as pa
    return pa.schema([
        ("format", pa.int32()), ("sha256", pa.string()), ("path", pa.string()), ("name", pa.string()),
        ("status", pa.string()),  # "ok" or "failed"
        ("message", pa.string()), ("seconds", pa.float64()), ("source", pa.large_binary()),
        ("document", pa.large_string()), ("chunking", pa.large_string()), ("chapters", pa.large_string()),
        ("sentence_vectors", pa.large_binary()), ("chunk_hashes", pa.list_(pa.string())),
        ("chunk_vectors", pa.large_binary()),
    ])


# ---- dataclasses <-> JSON ----------------------------------------------------------------

def to_plain(value: Any) -> Any:
    """Dataclasses, enums, tuples and numpy scalars as JSON values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name != "sentence_vectors"}  # Chunking's vectors travel as .npy bytes
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def from_plain(kind: Any, value: Any) -> Any:
    """The inverse of `to_plain`, led by the type annotations of the core dataclasses."""
    origin = typing.get_origin(kind)
    if value is None or kind is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        options = [k for k in typing.get_args(kind) if k is not type(None)]
        return from_plain(options[0], value)
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        return kind(**{f.name: from_plain(hints[f.name], value[f.name])
                       for f in dataclasses.fields(kind) if f.name in value})
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [from_plain(item, v) for v in value]
    if origin is tuple:
        args = typing.get_args(kind)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_plain(args[0], v) for v in value)
        return tuple(from_plain(k, v) for k, v in zip(args, value))
    if kind is float:
        return float(value)
    return value


def _json(value: Any) -> str:
    return json.dumps(to_plain(value), ensure_ascii=False, allow_nan=True)


def _npy(array: np.ndarray | None) -> bytes | None:
    if array is None:
        return None
    out = io.BytesIO()
    np.save(out, np.ascontiguousarray(array), allow_pickle=False)
    return out.getvalue()


def _from_npy(data: bytes | None) -> np.ndarray | None:
    return None if data is None else np.load(io.BytesIO(data), allow_pickle=False)


# ---- rows --------------------------------------------------------------------------------

def record(path: str, data: bytes, sha256: str, prepared: Prepared | None, seconds: float,
           message: str = "") -> dict:
    """The row of one file: its prepared document, or (with `prepared` None) why it failed."""
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(format=FORMAT, sha256=sha256, path=path, name=Path(path).name, seconds=seconds, source=data,
               status="failed" if prepared is None else "ok", message=message, chunk_hashes=[])
    if prepared is not None:
        hashes = list(prepared.vectors)
        row.update(document=_json(prepared.document), chunking=_json(prepared.chunking),
                   chapters=_json(prepared.chapters), sentence_vectors=_npy(prepared.chunking.sentence_vectors),
                   chunk_hashes=hashes,
                   chunk_vectors=_npy(np.stack([prepared.vectors[h] for h in hashes]) if hashes else None))
    return row


def prepared_of(row: dict) -> Prepared:
    """The `Prepared` document a row holds (a row with status "ok")."""
    if row.get("format") != FORMAT:
        raise FolioscopeError(f"the shard row for {row.get('name')} has format {row.get('format')}; "
                              f"this Folioscope reads format {FORMAT}.")
    chunking = from_plain(Chunking, json.loads(row["chunking"]))
    chunking.sentence_vectors = _from_npy(row["sentence_vectors"])
    matrix = _from_npy(row["chunk_vectors"])
    vectors = {} if matrix is None else dict(zip(row["chunk_hashes"], matrix))
    return Prepared(from_plain(Document, json.loads(row["document"])), chunking, vectors,
                    from_plain(list[Chapter], json.loads(row["chapters"])))


def prepare_record(path: str, data: bytes, options=None) -> dict:
    """Read, chunk, embed and chapter one file given as bytes (the per-document function of a
    batch run): the file is written under its own name to a private folder and prepared as
    `folioscope ingest` would; a file that cannot be read gives a failed row with the reason."""
    import hashlib

    from ..ingest import check_readable
    name = Path(path).name
    sha = hashlib.sha256(data).hexdigest()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="folioscope-batch-") as folder:
        local = Path(folder) / name
        local.write_bytes(data)
        try:
            check_readable(local)
            prepared = prepare(local, options)
        except Exception as exc:
            return record(path, data, sha, None, time.perf_counter() - started, failure_message(name, exc))
    return record(path, data, sha, prepared, time.perf_counter() - started)
