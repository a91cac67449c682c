"""`folioscope batch ingest DIR --out SHARDS [--ray ADDRESS]`: read a corpus on Ray Data.

    read_binary_files(files not yet in SHARDS)
      -> map_batches(Reader, actor pool: models loaded once per actor, one file per call)
      -> write_parquet(SHARDS)

Without an address Ray starts a local cluster on this machine's cores. On a cluster, every
node needs Folioscope installed and DIR and SHARDS on storage all nodes see.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from ..core import FolioscopeError, Progress
from ..pipeline import expand_paths, file_sha256
from .records import prepare_record, schema
from .shards import finished

NEEDS_RAY = "Batch ingest runs on Ray Data, which is not installed: pip install 'folioscope[ray]'."


class Reader:
    """One actor of the pool: loads the models once, then prepares one file per call."""

    def __init__(self, options=None, threads: int = 1):
        from ..embed import shared_embedder, use_threads
        use_threads(threads)
        shared_embedder()
        self.options = options

    def __call__(self, batch):
        import pyarrow as pa
        rows = [prepare_record(path, data, self.options)
                for path, data in zip(batch["path"].to_pylist(), batch["bytes"].to_pylist())]
        return pa.Table.from_pylist(rows, schema=schema())


def _ray():
    try:
        import ray
        import ray.data  # noqa: F401  (the extra installs ray[data])
    except ImportError as exc:
        raise FolioscopeError(NEEDS_RAY) from exc
    return ray


def batch_ingest(folder: Path, out: Path, address: str | None = None, jobs: int | None = None,
                 options=None, progress: Progress | None = None) -> dict:
    """Prepare every supported file under `folder` that the shards in `out` do not already
    hold, on Ray, and write the rows as new shards in `out`. Returns a summary."""
    progress = progress or Progress()
    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise FolioscopeError(f"{folder} is not a folder.")
    files = expand_paths([folder])
    if not files:
        raise FolioscopeError(f"{folder} holds no files Folioscope reads.")
    done = finished(out)
    todo: dict[str, Path] = {}  # sha256 -> file not yet in the shards
    for n, path in enumerate(files):
        progress.step(path.name, n, len(files), "checking")
        sha = file_sha256(path)
        if sha not in done:
            todo[sha] = path
    summary = {"files": len(files), "skipped": len(files) - len(todo), "read": 0, "failed": [],
               "seconds": 0.0, "documents_per_s": None, "shards": str(out), "ray": address or "local"}
    if not todo:
        return summary
    ray = _ray()
    started_here = not ray.is_initialized()
    if started_here:
        logging.getLogger("ray").setLevel(logging.WARNING)
        # one logical CPU beyond the readers' for the reading and writing tasks (I/O): an
        # actor pool holding every CPU would leave the file reads unscheduled
        local_readers = jobs or os.cpu_count() or 1
        ray.init(address=address, num_cpus=None if address else local_readers + 1,
                 include_dashboard=False, log_to_driver=False, logging_level=logging.WARNING)
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        actors = jobs or max(1, int(ray.cluster_resources().get("CPU", 2)) - 1)
        clock = time.perf_counter()
        progress.step(folder.name, 0, len(todo), f"reading {len(todo)} files on Ray ({actors} readers)")
        (ray.data.read_binary_files([str(p.resolve()) for p in todo.values()], include_paths=True, num_cpus=0.1)
         .map_batches(Reader, fn_constructor_kwargs={"options": options}, batch_size=1, batch_format="pyarrow",
                      compute=ray.data.ActorPoolStrategy(size=actors), num_cpus=1)
         .write_parquet(str(out.resolve()), ray_remote_args={"num_cpus": 0.1}))
        summary["seconds"] = round(time.perf_counter() - clock, 3)
    finally:
        if started_here:
            ray.shutdown()
    now = finished(out)
    summary["read"] = sum(now.get(sha, ("",))[0] == "ok" for sha in todo)
    summary["failed"] = [{"name": p.name, "message": now[sha][1]} for sha, p in todo.items()
                         if now.get(sha, ("",))[0] == "failed"]
    summary["documents_per_s"] = round(len(todo) / summary["seconds"], 3) if summary["seconds"] else None
    return summary
