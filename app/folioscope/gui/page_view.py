"""The page view: a document's pages stacked in a scene, rendered lazily off the GUI thread.

Scene coordinates are page units times `unit` (so the widest page is PAGE_WIDTH scene units
wide); the view's transform is the zoom. Overlays (route badges, chunk regions, boundary lines,
evidence highlights) are scene items placed with `page_rect_to_scene`.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPainterPathStroker, QPen, QPixmap
from PySide6.QtWidgets import (
    QGraphicsLineItem,
    QGraphicsPathItem,
    QGraphicsPixmapItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from ..core import Box, Route
from ..index import ChunkRow, PageRow
from .render_thread import RenderThread

PAGE_WIDTH = 800.0  # scene units for the widest page
GAP = 16.0
ROUTE_LABELS = {Route.TEXT_LAYER.value: "TEXT", Route.OCR.value: "OCR",
                Route.TEXT_AND_OCR.value: "TEXT+OCR", Route.EMPTY.value: "EMPTY",
                Route.STRUCTURE.value: "STRUCTURE"}
ROUTE_COLOURS = {"TEXT": "#2e7d32", "OCR": "#c62828", "TEXT+OCR": "#ef6c00", "EMPTY": "#757575",
                 "REPAIRED": "#6a1b9a", "STRUCTURE": "#1565c0"}


class PageItem(QGraphicsRectItem):
    def __init__(self, index: int, rect: QRectF):
        super().__init__(rect)
        self.index = index
        self.setBrush(QBrush(Qt.GlobalColor.white))
        self.setPen(QPen(QColor("#b0b0b0"), 0))
        self.pixmap = QGraphicsPixmapItem(self)
        self.pixmap.setPos(rect.topLeft())
        self.pixmap.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scale_rendered = 0.0


CHUNK_TINTS = ("#1e88e5", "#43a047")  # alternating chunk colours (drawn translucent)
SELECTED_PEN = QPen(QColor("#0d47a1"), 1.2)
OVERLAY_SLICE = 0.006  # seconds of overlay drawing per turn of the event loop


class ChunkRegion(QGraphicsPathItem):
    """A chunk's line boxes on one page, as one tinted shape: the chunk's details on hover,
    a click selects it. (One item per chunk and page keeps a long paper to a few hundred
    items.)"""

    def __init__(self, rects: list[QRectF], chunk: int, colour: str, tip: str, view: PageView):
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        for rect in rects:
            path.addRect(rect)
        super().__init__(path)
        self.rects = rects
        self.chunk = chunk
        self._view = view
        tint = QColor(colour)
        tint.setAlphaF(0.16)
        self.setBrush(tint)
        self.setPen(QPen(Qt.PenStyle.NoPen))
        self.setToolTip(tip)
        self.setZValue(2)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def mousePressEvent(self, event) -> None:
        self._view.chunk_clicked.emit(self.chunk)
        event.accept()


class BoundaryLine(QGraphicsLineItem):
    """The boundary before a chunk, drawn over the chunk's first line. Drag it to another
    sentence gap of the two chunks it separates: the nearest gap to the pointer is shown
    as a dashed line, and releasing there moves the boundary (a stored "move" edit)."""

    GRAB_WIDTH = 10.0  # scene units: the line itself is only 1-4 wide

    def __init__(self, x0: float, y: float, x1: float, offset: int, lo: int, hi: int, view: PageView):
        super().__init__(x0, y, x1, y)
        self.offset, self.lo, self.hi = offset, lo, hi  # this chunk's start; the range it may move in
        self._view = view
        self.setCursor(Qt.CursorShape.SizeVerCursor)
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)

    def shape(self) -> QPainterPath:
        path = QPainterPath(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(self.GRAB_WIDTH)
        return stroker.createStroke(path)

    def mousePressEvent(self, event) -> None:
        self._view.start_boundary_drag(self)
        event.accept()

    def mouseMoveEvent(self, event) -> None:
        self._view.drag_boundary_to(event.scenePos())

    def mouseReleaseEvent(self, event) -> None:
        self._view.finish_boundary_drag()


class PageView(QGraphicsView):
    page_changed = Signal(int)  # the page at the top of the view
    chunk_clicked = Signal(int)  # a chunk region was clicked
    boundary_moved = Signal(int, int)  # a boundary dragged from one offset to another gap
    overlays_drawn = Signal()  # every chunk region and boundary line of set_chunks is there

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor("#e8e8e8"))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.pages: list[PageItem] = []
        self.chunk_items: dict[int, list[ChunkRegion]] = {}
        self.boundary_items: list = []
        self.evidence_items: list = []
        self.selected_chunk: int | None = None
        self.page_sizes: list[tuple[float, float]] = []
        self.unit = 1.0
        self.zoom = 1.0
        self.fit_width = True
        self._generation = 0
        self._renderer = RenderThread()
        self._renderer.rendered.connect(self._on_rendered)
        self._renderer.start()
        self._refresh = QTimer(self, singleShot=True, interval=40, timeout=self._request_visible)
        self._overlay_work = None  # the steps of set_chunks still to do
        self._stale: list = []  # overlay items replaced by a newer set_chunks, still to remove
        self._overlay_timer = QTimer(self, interval=0, timeout=self._draw_overlay_slice)
        # gap_locator(lo, hi) -> [(offset, page, Box)] of the sentence gaps strictly inside
        # (lo, hi), the Box at the start of each gap's sentence; set by the window
        self.gap_locator = None
        self._drag: dict | None = None
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    # ---- document ---------------------------------------------------------------------------

    def set_document(self, source: bytes | None, kind: str | None, pages: list[PageRow]) -> None:
        """Show the pages of a stored document. `pages` are library page rows."""
        self._overlay_work, self._stale = None, []  # their items go with the scene
        self._overlay_timer.stop()
        self.scene().clear()
        self.chunk_items: dict[int, list[ChunkRegion]] = {}
        self.boundary_items: list = []
        self.evidence_items: list = []
        self.selected_chunk: int | None = None
        self.pages = []
        self.page_sizes = [(p.width, p.height) for p in pages]
        self._generation = self._renderer.set_document(source, kind)
        if not pages:
            return
        self.unit = PAGE_WIDTH / max(w for w, _ in self.page_sizes)
        y = 0.0
        for row in pages:
            w, h = row.width * self.unit, row.height * self.unit
            item = PageItem(row.page_no, QRectF((PAGE_WIDTH - w) / 2, y, w, h))
            self.scene().addItem(item)
            self.pages.append(item)
            self._add_route_badge(item, row)
            y += h + GAP
        self.scene().setSceneRect(QRectF(-GAP, -GAP, PAGE_WIDTH + 2 * GAP, y + GAP))
        self.apply_zoom()
        self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())

    def set_routes(self, pages: list[PageRow]) -> bool:
        """The pages' route badges again, when the pages shown are these (a file shown while
        it was read, now stored): nothing is laid out or rendered again. False when the
        pages differ (the caller sets the document instead)."""
        if [(p.width, p.height) for p in pages] != self.page_sizes:
            return False
        for item, row in zip(self.pages, pages):
            old = getattr(item, "badge", None)
            if old is not None:
                self.scene().removeItem(old)
            self._add_route_badge(item, row)
        return True

    def _add_route_badge(self, item: PageItem, row: PageRow) -> None:
        label = ROUTE_LABELS.get(row.route, row.route.upper())
        if row.reason.get("repair", {}).get("accepted"):
            label = "REPAIRED"
        text = QGraphicsSimpleTextItem(label)
        font = text.font()
        font.setPointSizeF(7.5)
        font.setBold(True)
        text.setFont(font)
        text.setBrush(QColor("white"))
        bounds = text.boundingRect()
        rect = item.rect()
        badge = QGraphicsRectItem(0, 0, bounds.width() + 8, bounds.height() + 4, item)
        badge.setPos(rect.right() - bounds.width() - 14, rect.top() + 6)
        badge.setBrush(QColor(ROUTE_COLOURS.get(label, "#455a64")))
        badge.setPen(QPen(Qt.PenStyle.NoPen))
        badge.setZValue(10)
        text.setParentItem(badge)
        text.setPos(4, 2)
        reason = row.reason
        tip = [f"Page {row.page_no + 1}: {label.lower()}", reason.get("why", "")]
        if "ocr_confidence" in reason:
            tip.append(f"OCR confidence {reason['ocr_confidence']:.3f}")
        timings = ", ".join(f"{k} {v:.2f} s" for k, v in row.timings.items())
        if timings:
            tip.append(timings)
        badge.setToolTip("\n".join(t for t in tip if t))
        badge.setData(0, label)
        item.badge = badge

    def page_rect_to_scene(self, page: int, box: Box) -> QRectF:
        origin = self.pages[page].rect().topLeft()
        return QRectF(origin.x() + box.x0 * self.unit, origin.y() + box.y0 * self.unit,
                      box.width * self.unit, box.height * self.unit)

    # ---- overlays --------------------------------------------------------------------------

    def set_chunks(self, chunks: list[ChunkRow]) -> None:
        """Draw every chunk as tinted line boxes (alternating colours) and each boundary as a
        line above the chunk it starts, as thick as its score. Chunks are library rows with
        their line boxes ([page, x0, y0, x1, y1]).

        A long paper has hundreds of these items; they are added a slice at a time
        (OVERLAY_SLICE of work per event-loop turn) so the window keeps reacting while they
        appear. `overlays_drawn` is emitted when all are there."""
        self._stale += [item for items in self.chunk_items.values() for item in items] + self.boundary_items
        self.chunk_items, self.boundary_items, self.selected_chunk = {}, [], None
        self._overlay_work = self._overlay_steps(chunks)
        self._overlay_timer.start()

    @property
    def overlays_done(self) -> bool:
        return self._overlay_work is None

    def finish_overlays(self) -> None:
        """Draw whatever overlays are still queued, now (before they are looked up)."""
        if self._overlay_work is not None:
            for _ in self._overlay_work:
                pass
            self._overlays_finished()

    def _draw_overlay_slice(self) -> None:
        if self._overlay_work is None:
            return
        deadline = time.perf_counter() + OVERLAY_SLICE
        for _ in self._overlay_work:
            if time.perf_counter() > deadline:
                return  # the timer runs again in the next turn of the event loop
        self._overlays_finished()

    def _overlays_finished(self) -> None:
        self._overlay_work = None
        self._overlay_timer.stop()
        self.overlays_drawn.emit()

    def _overlay_steps(self, chunks: list[ChunkRow]):
        """The overlay work as steps: one item of an earlier set_chunks removed, or one chunk
        drawn, per step."""
        while self._stale:
            self.scene().removeItem(self._stale.pop())
            yield
        for n, chunk in enumerate(chunks):
            colour = CHUNK_TINTS[n % 2]
            tip = (f"Chunk {chunk.idx + 1}: {chunk.tokens} tokens, "
                   f"{len(chunk.text.split())} words\nboundary score {chunk.score:.2f} "
                   f"({chunk.strategy})")
            by_page: dict[int, list[QRectF]] = {}
            for page, *box in chunk.boxes:
                if page < len(self.pages):
                    by_page.setdefault(page, []).append(self.page_rect_to_scene(page, Box(*box)))
            items = []
            for rects in by_page.values():
                item = ChunkRegion(rects, chunk.idx, colour, tip, self)
                self.scene().addItem(item)
                items.append(item)
            self.chunk_items[chunk.idx] = items
            if n and items:
                self.boundary_items.append(self._boundary_line(items[0], chunks[n - 1].score, chunk.start,
                                                               chunks[n - 1].start, chunk.end))
            yield

    def _boundary_line(self, first: ChunkRegion, score: float, offset: int, lo: int, hi: int):
        """The boundary before a chunk: a line over its first line, weight = the score of
        the boundary (the previous chunk's end score); it can be dragged within (lo, hi)."""
        rect = first.rects[0]
        line = BoundaryLine(rect.left() - 6, rect.top() - 1.5, rect.left() + max(rect.width(), 60),
                            offset, lo, hi, self)
        line.setPen(QPen(QColor("#d81b60"), 0.6 + 3.0 * max(0.0, score)))
        line.setToolTip(f"Boundary score {score:.2f}; drag it to another sentence gap")
        line.setZValue(4)
        line.setData(0, score)
        self.scene().addItem(line)
        return line

    # ---- dragging a boundary ------------------------------------------------------------------

    def start_boundary_drag(self, line: BoundaryLine) -> None:
        gaps = self.gap_locator(line.lo, line.hi) if self.gap_locator else []
        targets = [(offset, self.page_rect_to_scene(page, box)) for offset, page, box in gaps
                   if page < len(self.pages)]
        ghost = self.scene().addLine(0, 0, 0, 0, QPen(QColor("#d81b60"), 2.0, Qt.PenStyle.DashLine))
        ghost.setZValue(6)
        ghost.hide()
        self._drag = {"line": line, "targets": targets, "ghost": ghost, "chosen": line.offset}

    def drag_boundary_to(self, point) -> int | None:
        """Show the gap nearest to a scene point as the boundary's new place; returns its offset."""
        if self._drag is None or not self._drag["targets"]:
            return None

        def distance(target):
            rect = target[1]
            dy = 0.0 if rect.top() <= point.y() <= rect.bottom() else min(abs(point.y() - rect.top()),
                                                                          abs(point.y() - rect.bottom()))
            return (dy, abs(point.x() - rect.left()))

        offset, rect = min(self._drag["targets"], key=distance)
        self._drag["chosen"] = offset
        self._drag["ghost"].setLine(rect.left() - 6, rect.top() - 1.5, rect.left() + 120, rect.top() - 1.5)
        self._drag["ghost"].show()
        return offset

    def finish_boundary_drag(self) -> None:
        if self._drag is None:
            return
        drag, self._drag = self._drag, None
        self.scene().removeItem(drag["ghost"])
        if drag["chosen"] != drag["line"].offset:
            self.boundary_moved.emit(drag["line"].offset, drag["chosen"])

    def select_chunk(self, idx: int | None, scroll: bool = True) -> None:
        self.finish_overlays()
        if self.selected_chunk is not None:
            for item in self.chunk_items.get(self.selected_chunk, []):
                item.setPen(QPen(Qt.PenStyle.NoPen))
        self.selected_chunk = idx
        items = self.chunk_items.get(idx, []) if idx is not None else []
        for item in items:
            item.setPen(SELECTED_PEN)
        if scroll and items:
            self.ensure_visible(items[0].rects[0])

    def ensure_visible(self, rect: QRectF) -> None:
        self.centerOn(rect.center().x(), rect.top() + self.viewport().height() / (3 * self.zoom))
        self._refresh.start()

    def set_evidence(self, evidence: list, numbers: list[int] | None = None) -> None:
        """Highlight evidence sentences (page, x0, y0, x1, y1 boxes), numbered as cited."""
        self.clear_evidence()
        for n, e in enumerate(evidence, 1):
            label = numbers[n - 1] if numbers else n
            for i, (page, *box) in enumerate(e.boxes):
                if page >= len(self.pages):
                    continue
                rect = self.page_rect_to_scene(page, Box(*box))
                item = self.scene().addRect(rect.adjusted(-1, -1, 1, 1), QPen(QColor("#f9a825"), 0.8),
                                            QColor(255, 214, 0, 110))
                item.setZValue(6)
                item.setToolTip(f"[{label}] evidence, score {e.score:.2f}")
                item.setData(0, label)
                self.evidence_items.append(item)
                if i == 0:
                    tag = QGraphicsSimpleTextItem(f"[{label}]")
                    tag.setBrush(QColor("#e65100"))
                    font = tag.font()
                    font.setBold(True)
                    font.setPointSizeF(7)
                    tag.setFont(font)
                    tag.setPos(rect.left() - tag.boundingRect().width() - 3, rect.top() - 1)
                    tag.setZValue(7)
                    self.scene().addItem(tag)
                    self.evidence_items.append(tag)

    def clear_evidence(self) -> None:
        for item in self.evidence_items:
            self.scene().removeItem(item)
        self.evidence_items = []

    def show_evidence(self, index: int) -> None:
        """Scroll to the boxes of evidence item `index` (1-based)."""
        for item in self.evidence_items:
            if item.data(0) == index and isinstance(item, QGraphicsRectItem):
                self.ensure_visible(item.rect())
                return

    # ---- zoom and scrolling ---------------------------------------------------------------

    def set_zoom(self, zoom: float) -> None:
        self.fit_width = False
        self.zoom = max(0.1, min(zoom, 8.0))
        self.apply_zoom()

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom * factor)

    def fit(self) -> None:
        self.fit_width = True
        self.apply_zoom()

    def apply_zoom(self) -> None:
        if self.fit_width:
            available = self.viewport().width() - 8
            self.zoom = max(0.1, available / (PAGE_WIDTH + 2 * GAP))
        self.resetTransform()
        self.scale(self.zoom, self.zoom)
        self._refresh.start()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_width:
            self.apply_zoom()

    def wheelEvent(self, event) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
        else:
            super().wheelEvent(event)

    def go_to_page(self, page: int) -> None:
        if 0 <= page < len(self.pages):
            top = self.pages[page].rect().top() - GAP / 2
            self.verticalScrollBar().setValue(int(top * self.zoom))

    def current_page(self) -> int:
        top = self.mapToScene(0, 0).y() + 1
        for item in self.pages:
            if item.rect().bottom() >= top:
                return item.index
        return max(len(self.pages) - 1, 0)

    def visible_pages(self) -> list[int]:
        area = self.mapToScene(self.viewport().rect()).boundingRect()
        return [p.index for p in self.pages if p.rect().intersects(area)]

    def _on_scrolled(self) -> None:
        self._refresh.start()
        self.page_changed.emit(self.current_page())

    def _request_visible(self) -> None:
        if not self.pages:
            return
        scale = self.unit * self.zoom * self.devicePixelRatioF()
        for index in self.visible_pages():
            item = self.pages[index]
            if abs(item.scale_rendered - scale) > 1e-3:
                w, _ = self.page_sizes[index]
                self._renderer.request(self._generation, index, w, scale)

    def _on_rendered(self, generation: int, page: int, scale: float, image: QImage) -> None:
        if generation != self._generation or page >= len(self.pages):
            return
        item = self.pages[page]
        pixmap = QPixmap.fromImage(image)
        ratio = item.rect().width() / max(pixmap.width(), 1)
        item.pixmap.setPixmap(pixmap)
        item.pixmap.setScale(ratio)
        item.scale_rendered = scale

    def shutdown(self) -> None:
        self._renderer.stop()
