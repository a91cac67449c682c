"""Folioscope: a local document workbench."""

import sys

__version__ = "0.1.0"

# pymupdf-layout (installed with pymupdf4llm, which only the benchmark uses) loads an ONNX
# layout model every time PyMuPDF is imported: a second of work in every process and
# thread that opens a PDF. Folioscope does its own layout, so it stays unloaded unless
# `enable_pymupdf_layout()` asks for it.
if "pymupdf" not in sys.modules:
    sys.modules.setdefault("pymupdf.layout", None)


def enable_pymupdf_layout() -> None:
    if sys.modules.get("pymupdf.layout", ...) is None:
        del sys.modules["pymupdf.layout"]
    import pymupdf.layout  # noqa: F401  (activates itself on import)
