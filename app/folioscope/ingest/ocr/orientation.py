"""Decide a page's text orientation once per page, then read it upright.

Line geometry tells 0/180 from 90/270 (text lines are wide when upright or upside down, tall
when turned a quarter); recognition confidence on a few of the longest lines, tried both
ways, tells which of the two. This replaces a per-line angle classifier, which garbles
upright lines.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import OcrEngine, OcrLine

SAMPLE_LINES = 6


@dataclass
class UprightPage:
    lines: list[OcrLine]  # boxes in the upright image's pixels
    rotation: int  # clockwise degrees turning the original image upright
    width: int  # upright image size
    height: int


def rotate_cw(image: np.ndarray, degrees: int) -> np.ndarray:
    return np.ascontiguousarray(np.rot90(image, k=-(degrees // 90) % 4))


def box_to_original(box: tuple[float, float, float, float], degrees: int,
                    width: int, height: int) -> tuple[float, float, float, float]:
    """Map a box in an image turned `degrees` clockwise back onto the original image of
    size (width, height)."""
    x0, y0, x1, y1 = box
    if degrees == 90:
        xs, ys = (y0, y1), (height - x1, height - x0)
    elif degrees == 180:
        xs, ys = (width - x1, width - x0), (height - y1, height - y0)
    elif degrees == 270:
        xs, ys = (width - y1, width - y0), (x0, x1)
    else:
        xs, ys = (x0, x1), (y0, y1)
    return (min(xs), min(ys), max(xs), max(ys))


def _crop(image: np.ndarray, box) -> np.ndarray:
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    return image[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)]


def _sample_confidence(engine: OcrEngine, image: np.ndarray, boxes, degrees: int) -> float:
    crops = [rotate_cw(_crop(image, b), degrees) for b in boxes]
    crops = [c for c in crops if c.size]
    if not crops:
        return 0.0
    return float(np.mean([score for _, score in engine.recognize_lines(crops)]))


def choose_rotation(engine: OcrEngine, image: np.ndarray,
                    boxes: list[tuple[float, float, float, float]]) -> int:
    """Clockwise degrees (0, 90, 180, 270) that make the text in `image` upright."""
    if not boxes:
        return 0
    widths = np.array([b[2] - b[0] for b in boxes])
    heights = np.array([b[3] - b[1] for b in boxes])
    tall = int((heights > 1.5 * widths).sum())
    wide = int((widths > 1.5 * heights).sum())
    candidates = (90, 270) if tall > wide else (0, 180)
    longest = sorted(boxes, key=lambda b: max(b[2] - b[0], b[3] - b[1]), reverse=True)
    sample = longest[:SAMPLE_LINES]
    scores = {deg: _sample_confidence(engine, image, sample, deg) for deg in candidates}
    return max(candidates, key=lambda deg: (scores[deg], deg == 0))


def read_upright(engine: OcrEngine, image: np.ndarray) -> UprightPage:
    """Read `image` with its text turned upright; line boxes are in the upright frame."""
    height, width = image.shape[:2]
    lines = engine.read(image)
    degrees = choose_rotation(engine, image, [line.box for line in lines])
    if degrees == 0:
        return UprightPage(lines, 0, width, height)
    upright = rotate_cw(image, degrees)
    return UprightPage(engine.read(upright), degrees, upright.shape[1], upright.shape[0])
