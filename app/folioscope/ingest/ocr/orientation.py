"""Decide a page's text orientation once per page, then read it upright, detecting once.

Line geometry tells 0/180 from 90/270 (text lines are wide when upright or upside down, tall
when turned a quarter); recognition confidence on a few of the longest lines tells which of
the two. For 0 and 180 degrees the sample is read as it lies first, and turned over only when
recognition is unsure of it; the lines found by the single detection pass are then recognised
as they are or turned over, and the sample lines are not read twice. A page turned a quarter
is not detected again: the lines found are turned with the image and read upright. This
replaces a per-line angle classifier, which garbles upright lines.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import OcrEngine, OcrLine

SAMPLE_LINES = 6
# Mean confidence of the sample read as it lies above which it is taken as upright without
# reading it turned over. Chosen on the tune pages (receipts' tune half and the OCR gold
# pages: upright at least 0.886, turned over at most 0.743; tools/orientation_margin.py).
SURE_UPRIGHT = 0.85


@dataclass
class UprightPage:
    lines: list[OcrLine]  # boxes in the upright image's pixels
    rotation: int  # clockwise degrees turning the original image upright
    width: int  # upright image size
    height: int
    timings: dict[str, float] = field(default_factory=dict)  # seconds per OCR stage


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


def _bounds(quad: np.ndarray) -> tuple[float, float, float, float]:
    return (float(quad[:, 0].min()), float(quad[:, 1].min()), float(quad[:, 0].max()), float(quad[:, 1].max()))


def candidate_rotations(boxes: list[tuple[float, float, float, float]]) -> tuple[int, int]:
    widths = np.array([b[2] - b[0] for b in boxes])
    heights = np.array([b[3] - b[1] for b in boxes])
    tall = int((heights > 1.5 * widths).sum())
    wide = int((widths > 1.5 * heights).sum())
    return (90, 270) if tall > wide else (0, 180)


def read_upright(engine: OcrEngine, image: np.ndarray) -> UprightPage:
    """Read `image` with its text turned upright; line boxes are in the upright frame."""
    height, width = image.shape[:2]
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock
        clock = now
    quads = engine.detect_quads(image)
    lap("detect")
    if not quads:
        return UprightPage([], 0, width, height, timings)
    boxes = [_bounds(q) for q in quads]
    candidates = candidate_rotations(boxes)
    sample = sorted(range(len(boxes)), key=lambda i: -max(boxes[i][2] - boxes[i][0], boxes[i][3] - boxes[i][1]))
    sample = sample[:SAMPLE_LINES]
    if candidates == (0, 180):
        crops = [engine.crop(image, q) for q in quads]
        lap("crop")
        degrees, read = 0, engine.recognize_lines([crops[i] for i in sample])
        if _mean(read) < SURE_UPRIGHT:  # unsure: read the sample turned over too, keep the surer
            turned = engine.recognize_lines([rotate_cw(crops[i], 180) for i in sample])
            if _mean(turned) > _mean(read):
                degrees, read = 180, turned
        lap("orientation")
        known = dict(zip(sample, read))
        rest = [i for i in range(len(quads)) if i not in known]
        texts = dict(zip(rest, engine.recognize_lines(
            [crops[i] if degrees == 0 else rotate_cw(crops[i], 180) for i in rest])))
        texts.update(known)
        lap("recognise")
        lines = [OcrLine(t, boxes[i] if degrees == 0 else _turn(boxes[i], width, height), c)
                 for i, (t, c) in sorted(texts.items()) if t.strip() and c >= engine.min_score]
        return UprightPage(lines, degrees, width, height, timings)
    # a page turned a quarter: pick the way from sample lines, then turn the lines found with it
    scores = {}
    for degrees in candidates:
        x = [rotate_cw(image[int(b[1]):int(b[3]) + 1, int(b[0]):int(b[2]) + 1], degrees) for b in
             (boxes[i] for i in sample)]
        scores[degrees] = _mean(engine.recognize_lines([c for c in x if c.size]))
    degrees = max(candidates, key=lambda d: scores[d])
    lap("orientation")
    turned_image = rotate_cw(image, degrees)
    turned_quads = [turn_quad(q, degrees, width, height) for q in quads]
    read = engine.recognize_lines([engine.crop(turned_image, q) for q in turned_quads])
    lines = [OcrLine(t, _bounds(q), c) for q, (t, c) in zip(turned_quads, read) if t.strip() and c >= engine.min_score]
    lap("recognise")
    return UprightPage(lines, degrees, turned_image.shape[1], turned_image.shape[0], timings)


def turn_quad(quad: np.ndarray, degrees: int, width: int, height: int) -> np.ndarray:
    """A line's corner points in the image of size (width, height) turned `degrees` (90 or
    270) clockwise, ordered top-left, top-right, bottom-right, bottom-left as a crop needs."""
    x, y = quad[:, 0], quad[:, 1]
    turned = np.stack([height - y, x] if degrees == 90 else [y, width - x], axis=1).astype(np.float32)
    by_x = np.argsort(turned[:, 0])
    left, right = turned[by_x[:2]], turned[by_x[2:]]
    top_left, bottom_left = left[np.argsort(left[:, 1])]
    top_right, bottom_right = right[np.argsort(right[:, 1])]
    return np.array([top_left, top_right, bottom_right, bottom_left], dtype=np.float32)


def _mean(results: list[tuple[str, float]]) -> float:
    return float(np.mean([s for _, s in results])) if results else 0.0


def _turn(box: tuple[float, float, float, float], width: int, height: int) -> tuple[float, float, float, float]:
    """A box of the original image in the image turned 180 degrees."""
    x0, y0, x1, y1 = box
    return (width - x1, height - y1, width - x0, height - y0)
