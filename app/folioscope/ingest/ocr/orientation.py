"""Decide a page's text orientation once per page, then read it upright, detecting once.

Line geometry tells 0/180 from 90/270 (text lines are wide when upright or upside down, tall
when turned a quarter); recognition confidence on a few of the longest lines, tried both
ways in one batch, tells which of the two. For 0 and 180 degrees the lines found by the
single detection pass are recognised as they are or turned over, and the sample lines are
not read twice; only a page turned a quarter is detected again, upright. This replaces a
per-line angle classifier, which garbles upright lines.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import OcrEngine, OcrLine

SAMPLE_LINES = 6


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
        tried = engine.recognize_lines([crops[i] for i in sample] + [rotate_cw(crops[i], 180) for i in sample])
        lap("orientation")
        upright, turned = tried[:len(sample)], tried[len(sample):]
        degrees = 0 if _mean(upright) >= _mean(turned) else 180
        known = dict(zip(sample, upright if degrees == 0 else turned))
        rest = [i for i in range(len(quads)) if i not in known]
        texts = dict(zip(rest, engine.recognize_lines(
            [crops[i] if degrees == 0 else rotate_cw(crops[i], 180) for i in rest])))
        texts.update(known)
        lap("recognise")
        lines = [OcrLine(t, boxes[i] if degrees == 0 else _turn(boxes[i], width, height), c)
                 for i, (t, c) in sorted(texts.items()) if t.strip() and c >= engine.min_score]
        return UprightPage(lines, degrees, width, height, timings)
    # a page turned a quarter: pick the way from sample lines, then detect again upright
    scores = {}
    for degrees in candidates:
        x = [rotate_cw(image[int(b[1]):int(b[3]) + 1, int(b[0]):int(b[2]) + 1], degrees) for b in
             (boxes[i] for i in sample)]
        scores[degrees] = _mean(engine.recognize_lines([c for c in x if c.size]))
    degrees = max(candidates, key=lambda d: scores[d])
    lap("orientation")
    turned_image = rotate_cw(image, degrees)
    lines = [line for line in engine.read(turned_image) if line.confidence >= engine.min_score]
    lap("detect and recognise upright")
    return UprightPage(lines, degrees, turned_image.shape[1], turned_image.shape[0], timings)


def _mean(results: list[tuple[str, float]]) -> float:
    return float(np.mean([s for _, s in results])) if results else 0.0


def _turn(box: tuple[float, float, float, float], width: int, height: int) -> tuple[float, float, float, float]:
    """A box of the original image in the image turned 180 degrees."""
    x0, y0, x1, y1 = box
    return (width - x1, height - y1, width - x0, height - y0)
