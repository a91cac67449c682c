"""Images (PNG, JPEG, TIFF with several pages, WEBP, BMP): every frame is a page read by OCR."""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..core import Document, Page, Progress, Route, UnreadableFile
from .flow import join_continued, mark_running_lines
from .options import IngestOptions
from .repair import repair_page
from .scan import scan_blocks


def open_image(path: Path, options: IngestOptions) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (UnidentifiedImageError, Image.DecompressionBombError, SyntaxError) as exc:
        raise UnreadableFile(f"{path.name} is not an image Folioscope can decode.") from exc
    except OSError as exc:
        raise UnreadableFile(f"{path.name} cannot be read: {exc.strerror or exc}.") from exc
    pixels = image.width * image.height
    if pixels > options.max_image_pixels:
        image.close()
        raise UnreadableFile(
            f"{path.name} is {image.width:,} x {image.height:,} pixels "
            f"({pixels / 1e6:.0f} MP), over the {options.max_image_pixels / 1e6:.0f} MP limit; "
            f"scale it down to read it.")
    return image


def frames(image: Image.Image):
    """Each frame of a (multi-page) image, upright per its EXIF orientation, as RGB."""
    for index in range(getattr(image, "n_frames", 1)):
        image.seek(index)
        yield ImageOps.exif_transpose(image).convert("RGB")


def read_image(path: Path, options: IngestOptions, progress: Progress) -> Document:
    image = open_image(path, options)
    try:
        total = getattr(image, "n_frames", 1)
        pages = []
        try:
            for index, frame in enumerate(frames(image)):
                progress.step(path.name, index, total, f"page {index + 1}: OCR")
                t0 = time.perf_counter()
                scan = scan_blocks(options.engine(), np.asarray(frame), index, scale=1.0)
                reason = {"why": "an image has no text layer", "ocr_confidence": round(scan.confidence, 3),
                          "ocr_lines": scan.n_lines, "order": scan.layout["order"]}
                page = Page(index=index, width=frame.width, height=frame.height, route=Route.OCR,
                            reason=reason, blocks=scan.blocks, rotation=scan.rotation,
                            timings={"ocr": time.perf_counter() - t0,
                                     **{f"ocr {stage}": seconds for stage, seconds in scan.timings.items()}})
                repair_page(page, options)
                pages.append(page)
        except (OSError, SyntaxError) as exc:  # Pillow raises SyntaxError for a broken PNG
            raise UnreadableFile(f"{path.name} is truncated or damaged ({exc}).") from exc
        mark_running_lines(pages)
        join_continued(pages)
        return Document(title=path.stem, kind="image", pages=pages,
                        metadata={"page_count": len(pages), "format": image.format})
    finally:
        image.close()
