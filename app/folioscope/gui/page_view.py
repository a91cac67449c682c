"""The page view: a document's pages stacked in a scene, rendered lazily off the GUI thread.

Scene coordinates are page units times `unit` (so the widest page is PAGE_WIDTH scene units
wide); the view's transform is the zoom. Overlays (route badges now; chunks, boundaries and
evidence later) are scene items placed with `page_rect_to_scene`.
"""

from __future__ import annotations

import queue

from PySide6.QtCore import QRectF, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (QGraphicsPixmapItem, QGraphicsRectItem, QGraphicsScene,
                               QGraphicsSimpleTextItem, QGraphicsView)

from ..core import Box, Route

PAGE_WIDTH = 800.0  # scene units for the widest page
GAP = 16.0
ROUTE_LABELS = {Route.TEXT_LAYER.value: "TEXT", Route.OCR.value: "OCR",
                Route.TEXT_AND_OCR.value: "TEXT+OCR", Route.EMPTY.value: "EMPTY",
                Route.STRUCTURE.value: "STRUCTURE"}
ROUTE_COLOURS = {"TEXT": "#2e7d32", "OCR": "#c62828", "TEXT+OCR": "#ef6c00", "EMPTY": "#757575",
                 "REPAIRED": "#6a1b9a", "STRUCTURE": "#1565c0"}


class RenderThread(QThread):
    """Renders pages of one document at a time; newer requests supersede older ones."""

    rendered = Signal(int, int, float, QImage)  # generation, page, scale, image

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("render")
        self._requests: queue.Queue = queue.Queue()
        self._generation = 0

    def set_document(self, source: bytes | None, kind: str | None) -> int:
        self._generation += 1
        self._requests.put(("open", self._generation, source, kind))
        return self._generation

    def request(self, generation: int, page: int, page_width: float, scale: float) -> None:
        self._requests.put(("render", generation, page, page_width, scale))

    def stop(self) -> None:
        self._requests.put(("stop",))
        self.wait(5000)

    def run(self) -> None:
        from ..ingest.render import PageRenderer
        renderer = None
        generation = 0
        while True:
            message = self._requests.get()
            if message[0] == "stop":
                break
            if message[0] == "open":
                if renderer is not None:
                    renderer.close()
                _, generation, source, kind = message
                renderer = PageRenderer(source, kind) if source is not None else None
                continue
            _, gen, page, page_width, scale = message
            if gen != self._generation or gen != generation or renderer is None:
                continue  # superseded by a newer document
            try:
                out = renderer.render(page, page_width, scale)
            except Exception:  # a page that cannot be rendered stays blank
                continue
            image = QImage(out.samples, out.width, out.height, out.stride,
                           QImage.Format.Format_RGB888).copy()
            self.rendered.emit(gen, page, scale, image)
        if renderer is not None:
            renderer.close()


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


class PageView(QGraphicsView):
    page_changed = Signal(int)  # the page at the top of the view

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setBackgroundBrush(QColor("#e8e8e8"))
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.pages: list[PageItem] = []
        self.page_sizes: list[tuple[float, float]] = []
        self.unit = 1.0
        self.zoom = 1.0
        self.fit_width = True
        self._generation = 0
        self._renderer = RenderThread()
        self._renderer.rendered.connect(self._on_rendered)
        self._renderer.start()
        self._refresh = QTimer(self, singleShot=True, interval=40, timeout=self._request_visible)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)

    # ---- document ---------------------------------------------------------------------------

    def set_document(self, source: bytes | None, kind: str | None, pages: list[dict]) -> None:
        """Show the pages of a stored document. `pages` are library page rows."""
        self.scene().clear()
        self.pages = []
        self.page_sizes = [(p["width"], p["height"]) for p in pages]
        self._generation = self._renderer.set_document(source, kind)
        if not pages:
            return
        self.unit = PAGE_WIDTH / max(w for w, _ in self.page_sizes)
        y = 0.0
        for row in pages:
            w, h = row["width"] * self.unit, row["height"] * self.unit
            item = PageItem(row["page_no"], QRectF((PAGE_WIDTH - w) / 2, y, w, h))
            self.scene().addItem(item)
            self.pages.append(item)
            self._add_route_badge(item, row)
            y += h + GAP
        self.scene().setSceneRect(QRectF(-GAP, -GAP, PAGE_WIDTH + 2 * GAP, y + GAP))
        self.apply_zoom()
        self.verticalScrollBar().setValue(self.verticalScrollBar().minimum())

    def _add_route_badge(self, item: PageItem, row: dict) -> None:
        label = ROUTE_LABELS.get(row["route"], row["route"].upper())
        if row["reason"].get("repair", {}).get("accepted"):
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
        reason = row["reason"]
        tip = [f"Page {row['page_no'] + 1}: {label.lower()}", reason.get("why", "")]
        if "ocr_confidence" in reason:
            tip.append(f"OCR confidence {reason['ocr_confidence']:.3f}")
        timings = ", ".join(f"{k} {v:.2f} s" for k, v in row.get("timings", {}).items())
        if timings:
            tip.append(timings)
        badge.setToolTip("\n".join(t for t in tip if t))
        badge.setData(0, label)
        item.badge = badge

    def page_rect_to_scene(self, page: int, box: Box) -> QRectF:
        origin = self.pages[page].rect().topLeft()
        return QRectF(origin.x() + box.x0 * self.unit, origin.y() + box.y0 * self.unit,
                      box.width * self.unit, box.height * self.unit)

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
