"""Parquet shards written by a batch run: which files they hold, and loading them into a
library."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..core import FolioscopeError, Progress
from ..core.results import IngestResult
from ..index.store import Store
from ..pipeline import failure_message, store_prepared
from .records import prepared_of

NEEDS_ARROW = "Reading batch shards needs pyarrow, which is not installed: pip install 'folioscope[ray]'."


def _parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:
        raise FolioscopeError(NEEDS_ARROW) from exc
    return pq


def shard_files(folder: Path) -> list[Path]:
    """The shard files of a batch output folder (none if it does not exist yet)."""
    return sorted(p for p in Path(folder).rglob("*.parquet") if not p.name.startswith(".")) if Path(folder).is_dir() else []


def _open(path: Path):
    try:
        return _parquet().ParquetFile(path)
    except FolioscopeError:
        raise
    except Exception as exc:  # pyarrow's own errors: ArrowInvalid, OSError
        raise FolioscopeError(f"{path.name} is not a Parquet shard Folioscope can read ({exc}).") from exc


def finished(folder: Path) -> dict[str, tuple[str, str]]:
    """sha256 -> (status: "ok" or "failed", message) of every file the shards in `folder` hold."""
    done: dict[str, tuple[str, str]] = {}
    for path in shard_files(folder):
        table = _open(path).read(columns=["sha256", "status", "message"])
        done.update(zip(table["sha256"].to_pylist(),
                        zip(table["status"].to_pylist(), table["message"].to_pylist())))
    return done


def shard_rows(folder: Path, batch_rows: int = 8) -> Iterator[dict]:
    """Every row of every shard, a few at a time (a row carries a whole file)."""
    files = shard_files(folder)
    if not files:
        raise FolioscopeError(f"{Path(folder).name or folder} holds no Parquet shards "
                              "(folioscope batch ingest DIR --out SHARDS writes them).")
    for path in files:
        for batch in _open(path).iter_batches(batch_size=batch_rows):
            yield from batch.to_pylist()


def import_shards(store: Store, folder: Path, progress: Progress | None = None) -> Iterator[IngestResult]:
    """Store every document the shards hold (those already in the library are reported
    unchanged; files the batch could not read are reported failed with its reason)."""
    progress = progress or Progress()
    for n, row in enumerate(shard_rows(folder)):
        path = Path(row["path"])
        progress.step(path.name, n, n + 1, "storing")
        result = IngestResult(path=path, status="failed", message=row["message"], seconds=row["seconds"] or 0.0)
        try:
            if row["status"] == "ok":
                result = store_prepared(store, path, row["sha256"], prepared_of(row), row["source"], row["seconds"])
                yield result
                continue
        except FolioscopeError as exc:
            result.message = failure_message(path.name, exc)
        except (ValueError, KeyError, TypeError) as exc:
            result.message = f"{path.name}: its record in the shards is damaged ({type(exc).__name__}: {exc})."
        store.log(result)
        yield result
