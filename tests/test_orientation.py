"""Deciding a page's orientation: what is read, and how often (a counting engine, no models)."""

import numpy as np

from folioscope.ingest.ocr.orientation import SURE_UPRIGHT, read_upright, rotate_cw, turn_quad


class CountingEngine:
    """Finds the given line quads; recognises every crop with the given confidence, counting
    the crops it is asked to read and the detection passes."""
    name = "counting"
    min_score = 0.5

    def __init__(self, quads, confidence):
        self.quads, self.confidence = quads, confidence
        self.detections, self.recognised = 0, 0

    def detect_quads(self, image):
        self.detections += 1
        return [np.asarray(q, dtype=np.float32) for q in self.quads]

    def crop(self, image, quad):
        x0, y0 = quad.min(axis=0).astype(int)
        x1, y1 = quad.max(axis=0).astype(int)
        return image[y0:y1, x0:x1]

    def recognize_lines(self, crops):
        self.recognised += len(crops)
        return [(f"{c.shape[1]}x{c.shape[0]}", self.confidence) for c in crops]


def _rect(x0, y0, x1, y1):
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


WIDE_LINES = [_rect(10, 20 + 30 * k, 300 + k, 40 + 30 * k) for k in range(10)]


def test_a_page_read_with_confidence_is_upright_and_each_line_is_read_once():
    engine = CountingEngine(WIDE_LINES, confidence=SURE_UPRIGHT + 0.1)
    page = read_upright(engine, np.zeros((400, 400, 3), np.uint8))
    assert page.rotation == 0 and len(page.lines) == 10
    assert engine.recognised == 10 and engine.detections == 1


def test_an_unsure_sample_is_read_turned_over_too():
    engine = CountingEngine(WIDE_LINES, confidence=SURE_UPRIGHT - 0.1)
    page = read_upright(engine, np.zeros((400, 400, 3), np.uint8))
    assert page.rotation == 0  # equally unsure both ways: as it lies
    assert engine.recognised == 10 + 6 and engine.detections == 1


def test_a_page_turned_a_quarter_is_detected_once_and_its_lines_are_read_upright():
    tall_lines = [_rect(20 + 30 * k, 10, 40 + 30 * k, 300) for k in range(8)]  # on a 400 x 500 image
    engine = CountingEngine(tall_lines, confidence=0.9)
    page = read_upright(engine, np.zeros((500, 400, 3), np.uint8))
    assert page.rotation in (90, 270) and engine.detections == 1
    assert (page.width, page.height) == (500, 400)
    assert all(line.text == "290x20" for line in page.lines)  # every crop wide, as read upright
    assert all(b.box[2] - b.box[0] > b.box[3] - b.box[1] for b in page.lines)


def test_a_quad_turns_with_its_image_and_keeps_its_corners_in_crop_order():
    height, width = 50, 80
    image = np.zeros((height, width), np.uint8)
    image[10:14, 20:60] = 1  # a wide line: rows 10-13, columns 20-59
    quad = np.array(_rect(20, 10, 60, 14), dtype=np.float32)
    for degrees in (90, 270):
        turned = rotate_cw(image, degrees)
        q = turn_quad(quad, degrees, width, height)
        (x0, y0), (x1, _), (_, y1), _ = q
        assert x0 < x1 and y0 < y1  # top-left, top-right, bottom-right, bottom-left
        ys, xs = np.nonzero(turned)
        assert (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1) == (x0, y0, q[:, 0].max(), q[:, 1].max())
