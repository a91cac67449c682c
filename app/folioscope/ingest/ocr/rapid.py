"""PaddleOCR's PP-OCR models (shipped inside the `rapidocr` wheel) run by onnxruntime."""

from __future__ import annotations

import threading

import numpy as np

Quad = np.ndarray  # 4 x 2 corner points of a text line, in image pixels


class RapidOcrEngine:
    name = "rapidocr"

    def __init__(self) -> None:
        from rapidocr import RapidOCR  # heavy: onnxruntime + OpenCV

        # The models ship inside the wheel; the angle classifier is never used (it garbles
        # upright lines); orientation is decided per page by `orientation.py`.
        self._ocr = RapidOCR(params={"Global.log_level": "error", "Global.use_cls": False})
        self._lock = threading.Lock()  # the engine keeps per-call state
        self.min_score = float(self._ocr.cfg.Global.text_score)

    def detect_quads(self, image: np.ndarray) -> list[Quad]:
        """Corner points of every text line, no recognition."""
        with self._lock:
            out = self._ocr(image, use_det=True, use_cls=False, use_rec=False)
        return [] if out.boxes is None else [np.asarray(q, dtype=np.float32) for q in out.boxes]

    def detect(self, image: np.ndarray) -> list[tuple[float, float, float, float]]:
        return [bounds(q) for q in self.detect_quads(image)]

    def crop(self, image: np.ndarray, quad: Quad) -> np.ndarray:
        """The line's pixels, straightened (as the engine crops them before recognition)."""
        from rapidocr.utils.process_img import get_rotate_crop_image
        return get_rotate_crop_image(image, quad.copy())

    def recognize_lines(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence of each line image, recognised in batches."""
        if not crops:
            return []
        from rapidocr.ch_ppocr_rec import TextRecInput
        with self._lock:
            out = self._ocr._load_rec_model()(TextRecInput(img=list(crops)))
        return [(str(t), float(s)) for t, s in zip(out.txts or (), out.scores)]


def bounds(quad) -> tuple[float, float, float, float]:
    q = np.asarray(quad, dtype=float)
    return (float(q[:, 0].min()), float(q[:, 1].min()), float(q[:, 0].max()), float(q[:, 1].max()))
