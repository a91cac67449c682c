"""Reading order for OCR output: group lines into blocks, then order blocks by XY-cut.

OCR engines return lines sorted top to bottom, which interleaves the columns of a
two-column page. Lines that sit under one another with a small gap and overlap
horizontally form a block; blocks are then ordered by recursive XY-cut (cut along the
widest empty horizontal band, else vertical band, recurse), the classic layout order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

BoxT = tuple[float, float, float, float]


@dataclass
class LineGroup:
    indices: list[int] = field(default_factory=list)
    box: BoxT = (0.0, 0.0, 0.0, 0.0)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def group_lines(boxes: Sequence[BoxT], gap_factor: float = 0.8) -> list[LineGroup]:
    """Lines that follow one another vertically (gap under `gap_factor` x line height)
    and overlap horizontally by half the narrower one's width form one group."""
    order = sorted(range(len(boxes)), key=lambda i: (boxes[i][1], boxes[i][0]))
    groups: list[LineGroup] = []
    for i in order:
        x0, y0, x1, y1 = boxes[i]
        height = y1 - y0
        best = None
        for g in groups:
            last = boxes[g.indices[-1]]
            gap = y0 - last[3]
            width = min(x1 - x0, last[2] - last[0])
            if -0.5 * height <= gap <= gap_factor * height and width > 0 and \
                    _overlap(x0, x1, last[0], last[2]) >= 0.5 * width and \
                    abs(height - (last[3] - last[1])) <= 0.6 * max(height, last[3] - last[1]):
                best = g
                break
        if best is None:
            groups.append(LineGroup([i], boxes[i]))
        else:
            best.indices.append(i)
            gx0, gy0, gx1, gy1 = best.box
            best.box = (min(gx0, x0), min(gy0, y0), max(gx1, x1), max(gy1, y1))
    return groups


def xy_cut_order(boxes: Sequence[BoxT], min_gap: float = 4.0) -> list[int]:
    """Indices of `boxes` in reading order (recursive XY-cut)."""

    def cut(indices: list[int]) -> list[int]:
        if len(indices) <= 1:
            return indices
        for axis in (1, 0):  # horizontal band first (rows), then vertical (columns)
            parts = _split(indices, axis)
            if len(parts) > 1:
                return [i for part in parts for i in cut(part)]
        return sorted(indices, key=lambda i: (boxes[i][1], boxes[i][0]))

    def _split(indices: list[int], axis: int) -> list[list[int]]:
        lo, hi = axis, axis + 2
        spans = sorted(indices, key=lambda i: boxes[i][lo])
        parts: list[list[int]] = [[spans[0]]]
        reach = boxes[spans[0]][hi]
        for i in spans[1:]:
            if boxes[i][lo] - reach >= min_gap:
                parts.append([i])
            else:
                parts[-1].append(i)
            reach = max(reach, boxes[i][hi])
        return parts

    return cut(list(range(len(boxes))))
