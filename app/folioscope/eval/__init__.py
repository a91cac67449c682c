"""Evaluations (quality against gold data) and the benchmark. Each prints numbers."""

from __future__ import annotations

from pathlib import Path


def default_data_dir() -> Path:
    """../shared/data beside the project checkout, or $FOLIOSCOPE_DATA."""
    import os
    env = os.environ.get("FOLIOSCOPE_DATA")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "data"


def run_eval(what: str, data: Path | None = None) -> dict:
    data = data or default_data_dir()
    if what == "retrieval":
        from .retrieval import evaluate_retrieval
        return evaluate_retrieval(data)
    if not data.is_dir():
        from ..core import FolioscopeError
        raise FolioscopeError(f"The evaluation data folder {data} does not exist.")
    if what == "segmentation":
        from .segmentation import evaluate_segmentation
        return evaluate_segmentation(data)
    if what == "ocr":
        from .ocr import evaluate_ocr
        return evaluate_ocr(data)
    raise ValueError(what)
