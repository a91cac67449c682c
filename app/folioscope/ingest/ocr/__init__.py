"""OCR engines behind one small protocol, registered by name.

An engine turns an RGB page image into lines (text, pixel box, confidence) in reading order
of the image as given. Orientation is decided per page (see `orientation.py`), never per
line: a per-line angle classifier garbles upright text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 in image pixels
    confidence: float


class OcrEngine(Protocol):
    name: str

    min_score: float  # lines recognised with less confidence are dropped

    def detect_quads(self, image: np.ndarray) -> list[np.ndarray]:
        """Corner points (4 x 2) of every text line, no recognition."""

    def crop(self, image: np.ndarray, quad: np.ndarray) -> np.ndarray:
        """A line's pixels, straightened."""

    def recognize_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence for each cropped, upright line image (in batches)."""


_ENGINES: dict[str, Callable[[], OcrEngine]] = {}
_INSTANCES: dict[str, OcrEngine] = {}


def register(name: str, factory: Callable[[], OcrEngine]) -> None:
    _ENGINES[name] = factory


def available() -> list[str]:
    return sorted(_ENGINES)


def get_engine(name: str = "rapidocr") -> OcrEngine:
    """The engine registered as `name`, created once per process (models load lazily)."""
    if name not in _ENGINES:
        raise KeyError(f"unknown OCR engine {name!r}; available: {', '.join(available())}")
    if name not in _INSTANCES:
        _INSTANCES[name] = _ENGINES[name]()
    return _INSTANCES[name]


def _rapidocr() -> OcrEngine:
    from .rapid import RapidOcrEngine
    return RapidOcrEngine()


register("rapidocr", _rapidocr)
