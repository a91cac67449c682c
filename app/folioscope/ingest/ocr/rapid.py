"""PaddleOCR's PP-OCR models (shipped inside the `rapidocr` wheel) run by onnxruntime."""

from __future__ import annotations

import threading

import numpy as np

from . import OcrLine


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR  # heavy: onnxruntime + OpenCV

        # The models ship inside the wheel; the angle classifier is never used (it garbles
        # upright lines); orientation is decided per page by `orientation.py`.
        self._ocr = RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False})
        self._lock = threading.Lock()  # the engine keeps per-call state

    def detect(self, image: np.ndarray) -> list[tuple[float, float, float, float]]:
        with self._lock:
            out = self._ocr(image, use_det=True, use_cls=False, use_rec=False)
        if out.boxes is None:
            return []
        return [_bounds(quad) for quad in out.boxes]

    def recognize_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        results = []
        with self._lock:
            for crop in crops:
                out = self._ocr(crop, use_det=False, use_cls=False, use_rec=True)
                text = out.txts[0] if out.txts else ""
                score = float(out.scores[0]) if out.scores is not None and len(out.scores) else 0.0
                results.append((text, score))
        return results

    def read(self, image: np.ndarray) -> list[OcrLine]:
        with self._lock:
            out = self._ocr(image, use_det=True, use_cls=False, use_rec=True)
        if out.boxes is None or out.txts is None:
            return []
        return [OcrLine(text=str(text), box=_bounds(quad), confidence=float(score))
                for quad, text, score in zip(out.boxes, out.txts, out.scores)]


def _bounds(quad) -> tuple[float, float, float, float]:
    q = np.asarray(quad, dtype=float)
    return (float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
