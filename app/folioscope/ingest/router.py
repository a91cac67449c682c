"""The per-page routing decision for PDFs, from measured page features.

Pure function of `PageFeatures` so it can be tested without files. The reason dict is
stored with the page and shown in the GUI: it holds the numbers the decision used.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass

from ..core import Route

MIN_TEXT_CHARS = 40  # visible characters for a text layer to count on a page with a scan
SCAN_COVERAGE = 0.5  # an image covering this much of the page makes it a scan candidate
MAX_INVISIBLE = 0.3  # larger share of invisible text: an old OCR layer or hidden text
MAX_GARBAGE = 0.25  # larger share of unreadable characters: a broken text layer
UNTEXTED_IMAGE_COVERAGE = 0.25  # images without text over them this large get OCR too
MIN_VECTOR_DRAWINGS = 200  # a page of paths and nothing else may be outlined text


@dataclass(frozen=True)
class PageFeatures:
    visible_chars: int  # non-space characters drawn visibly
    invisible_chars: int  # non-space characters in render mode 3 or fully transparent
    garbage_chars: int  # replacement, private-use, control characters, "(cid:" markers
    image_coverage: float  # share of the page area covered by images (0..1)
    untexted_image_coverage: float  # share covered by images with no visible text on them
    drawings: int  # vector paths on a page with no text and no image

    @property
    def total_chars(self) -> int:
        return self.visible_chars + self.invisible_chars


def decide(f: PageFeatures, ocr_images: bool = True) -> tuple[Route, dict]:
    reason = {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(f).items()}

    def why(route: Route, text: str) -> tuple[Route, dict]:
        reason["why"] = text
        return route, reason

    invisible_share = f.invisible_chars / f.total_chars if f.total_chars else 0.0
    garbage_share = f.garbage_chars / f.visible_chars if f.visible_chars else 0.0
    if f.total_chars == 0 and f.image_coverage == 0 and f.drawings < MIN_VECTOR_DRAWINGS:
        return why(Route.EMPTY, "no text layer, no image and no drawn text on the page")
    if f.total_chars and invisible_share > MAX_INVISIBLE:
        return why(Route.OCR, f"{invisible_share:.0%} of the text layer is invisible")
    if f.visible_chars and garbage_share > MAX_GARBAGE:
        return why(Route.OCR, f"{garbage_share:.0%} of the text layer is unreadable")
    if f.visible_chars < MIN_TEXT_CHARS and f.image_coverage >= SCAN_COVERAGE:
        return why(Route.OCR, f"scanned page: an image covers {f.image_coverage:.0%} of it "
                              f"and the text layer has {f.visible_chars} characters")
    if f.visible_chars == 0:
        if f.image_coverage > 0:
            return why(Route.OCR, f"no text layer; images cover {f.image_coverage:.0%}")
        return why(Route.OCR, f"no text layer but {f.drawings} vector paths (outlined text?)")
    if ocr_images and f.untexted_image_coverage >= UNTEXTED_IMAGE_COVERAGE:
        return why(Route.TEXT_AND_OCR,
                   f"good text layer ({f.visible_chars} characters) and images without text "
                   f"covering {f.untexted_image_coverage:.0%} of the page")
    return why(Route.TEXT_LAYER, f"good text layer: {f.visible_chars} visible characters")


def is_garbage_char(ch: str) -> bool:
    if ch == "\ufffd":
        return True
    cat = unicodedata.category(ch)
    return cat in ("Co", "Cs", "Cn") or (cat == "Cc" and ch not in "\t\n\r")
