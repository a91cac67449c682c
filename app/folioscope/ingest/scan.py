"""Turn a page image into blocks: OCR upright, group lines, order by layout, map boxes back."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..core import Block, Box, Piece, Role
from .layout import reading_order
from .ocr import OcrEngine
from .ocr.orientation import box_to_original, read_upright


@dataclass
class ScanResult:
    blocks: list[Block]
    rotation: int
    confidence: float  # mean line confidence, weighted by characters (1.0 if no text)
    n_lines: int
    layout: dict  # the reading order decided: columns, rows or both, and how many regions
    timings: dict  # seconds per OCR stage (detect, orientation, recognise, layout)


def scan_blocks(engine: OcrEngine, image: np.ndarray, page: int, scale: float) -> ScanResult:
    """OCR `image` (RGB, pixels) into blocks for page `page`. Boxes are divided by `scale`
    (pixels per page unit) and placed on the image as given, whatever its text orientation."""
    height, width = image.shape[:2]
    upright = read_upright(engine, image)
    lines = [line for line in upright.lines if line.text.strip()]
    started = time.perf_counter()
    groups, layout = reading_order([line.box for line in lines])
    timings = {**upright.timings, "layout": time.perf_counter() - started}

    def page_box(pixel_box) -> Box:
        x0, y0, x1, y1 = box_to_original(pixel_box, upright.rotation, width, height)
        return Box(x0 / scale, y0 / scale, x1 / scale, y1 / scale)

    blocks: list[Block] = []
    for group in groups:
        parts: list[str] = []
        block_lines: list[Piece] = []
        confidences: list[float] = []
        offset = 0
        for li in group.indices:
            line = lines[li]
            text = line.text.strip()
            if parts:
                parts.append(" ")
                offset += 1
            block_lines.append(Piece(offset, offset + len(text), page_box(line.box), line.confidence))
            parts.append(text)
            offset += len(text)
            confidences.append(line.confidence)
        blocks.append(Block(text="".join(parts), page=page, box=page_box(group.box),
                            role=Role.PARAGRAPH, source=f"ocr:{engine.name}",
                            confidence=float(np.mean(confidences)), pieces=block_lines))
    n_chars = sum(len(line.text) for line in lines)
    confidence = (sum(line.confidence * len(line.text) for line in lines) / n_chars
                  if n_chars else 1.0)
    return ScanResult(blocks, upright.rotation, confidence, len(lines), layout, timings)
