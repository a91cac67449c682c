"""Draft the receipts' gold text from the source's own line transcripts (how it was made).

github.com/softmatic/vision-data publishes, beside each 300-dpi receipt scan, the lines AWS
Textract read from it (`*_blocks.json`, LINE blocks with their polygons). This lays those
lines out as a person reads a receipt: the page deskewed by the lines' median slope, lines
sharing a row (vertical centres within half a line height) joined left to right, rows top
down. The drafts were then read against the scans by hand (PROTOCOL.md says what was
changed). The rows are grouped here by their own simple rule, not by the reader's
`ingest.layout.row_bands`: a gold drafted by the code it measures would lean towards it. Usage: python tools/receipt_gold.py CHECKOUT OUT_DIR
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path


def textract_lines(path: Path) -> list[dict]:
    lines = []
    for block in json.loads(path.read_text(encoding="utf-8")):
        if block["BlockType"] == "LINE":
            poly = block["Geometry"]["Polygon"]
            slope = math.atan2(poly[1]["Y"] - poly[0]["Y"], poly[1]["X"] - poly[0]["X"])
            lines.append({"text": block["Text"], "poly": poly, "slope": slope})
    return lines


def rows(lines: list[dict], aspect: float) -> list[str]:
    """`aspect`: the image's height over its width (Textract's coordinates are fractions)."""
    long = [line["slope"] for line in lines if len(line["text"]) > 4]
    angle = statistics.median(long) if long else 0.0
    c, s = math.cos(-angle), math.sin(-angle)
    items = []
    for line in lines:
        pts = [(p["X"] * c - p["Y"] * aspect * s, p["X"] * s + p["Y"] * aspect * c) for p in line["poly"]]
        items.append((min(x for x, _ in pts), min(y for _, y in pts), max(y for _, y in pts), line["text"]))
    items.sort(key=lambda t: (t[1] + t[2]) / 2)
    out: list[list[tuple]] = []
    for item in items:
        centre, height = (item[1] + item[2]) / 2, item[2] - item[1]
        for row in reversed(out[-3:]):
            row_centre = statistics.median((r[1] + r[2]) / 2 for r in row)
            row_height = statistics.median(r[2] - r[1] for r in row)
            if abs(centre - row_centre) <= 0.5 * min(height, row_height):
                row.append(item)
                break
        else:
            out.append([item])
    return [" ".join(t[3] for t in sorted(row)) for row in out]


def main(argv: list[str]) -> int:
    from PIL import Image
    checkout, out_dir = Path(argv[0]), Path(argv[1])
    for blocks in sorted((checkout / "2D" / "Receipts").glob("*/*_blocks.json")):
        image = blocks.with_name(blocks.name.replace("_blocks.json", ".jpg"))
        if not image.exists():
            continue
        with Image.open(image) as im:
            width, height = im.size
        name = f"{blocks.parent.name}_{image.stem}.txt"
        (out_dir / name).write_text("\n".join(rows(textract_lines(blocks), height / width)) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
