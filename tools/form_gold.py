"""Draft the forms' gold text from the PDFs' own accessibility tags (how it was made).

The forms in `folioscope_lab/gold/ocr/forms/` are tagged PDFs: their publisher ordered every
piece of printed text in a structure tree, the order a screen reader reads the page in. This
writes each page's text in that order: the marked-content pieces of the page, in the order
the tree lists them, each piece's characters laid out in lines. Two things a reader does not
read are taken out, as rules are for the other gold pages (PROTOCOL.md): dot leaders
(". . . .") and the lone decimal marks printed inside empty amount boxes. Nothing else is
edited, so the order is the publisher's, not ours. Needs pdfplumber (`pip install
pdfplumber`), which reads the tags; the evaluation itself does not.
Usage: python tools/form_gold.py app/folioscope_lab/gold/ocr   (reads forms.json and forms/pdf/,
writes forms/gold/)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LEADER = re.compile(r"(?:\s*\.){3,}")  # ". . . ." between a label and its box
DECIMAL_MARK = re.compile(r"^\s*\.\s*$")  # the "." printed in an empty amount box


def tree_order(nodes: list[dict], page_number: int, out: list[int]) -> list[int]:
    """Marked-content ids of one page, in the order the structure tree lists them."""
    for node in nodes:
        if node.get("page_number") == page_number:
            out.extend(node.get("mcids") or [])
        tree_order(node.get("children", []), page_number, out)
    return out


def clean(piece: str) -> list[str]:
    lines = [LEADER.sub(" ", line).strip() for line in piece.splitlines()]
    return [line for line in lines if line and not DECIMAL_MARK.match(line)]


def page_text(pdf, tree: list[dict], index: int) -> str:
    """Page `index`'s text in the order of the document's structure tree `tree`."""
    page = pdf.pages[index]
    seen: set[int] = set()
    lines: list[str] = []
    for mcid in tree_order(tree, index + 1, []):
        if mcid in seen:
            continue
        seen.add(mcid)
        piece = page.filter(lambda o, m=mcid: o.get("object_type") != "char" or o.get("mcid") == m)
        lines += clean(piece.extract_text(x_tolerance=1.5, y_tolerance=3))
    untagged = [c for c in page.chars if c.get("mcid") not in seen and c["text"].strip()]
    if untagged:  # every page used has all its text tagged; say so if one does not
        raise SystemExit(f"page {index + 1}: {len(untagged)} characters are not in the structure tree")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    import pdfplumber
    gold_dir = Path(argv[0])
    manifest = json.loads((gold_dir / "forms.json").read_text(encoding="utf-8"))
    for name in dict.fromkeys(entry["pdf"] for entry in manifest["pages"]):
        with pdfplumber.open(gold_dir / "forms" / "pdf" / name) as pdf:
            tree = pdf.structure_tree  # parsed once per document
            for entry in (e for e in manifest["pages"] if e["pdf"] == name):
                (gold_dir / "forms" / "gold" / entry["gold"]).write_text(page_text(pdf, tree, entry["page"]),
                                                                         encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
