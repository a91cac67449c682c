"""Plain text and Markdown: paragraphs at blank lines; Markdown headings and list items keep
their role. One reflowed "page"; positions are character offsets."""

from __future__ import annotations

import re
from pathlib import Path

from ..core import Block, Document, Page, Progress, Role, Route, UnreadableFile
from .options import IngestOptions

MAX_TEXT_BYTES = 50_000_000
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*)$")
FENCE = re.compile(r"^\s*(```|~~~)")


def decode_text(path: Path) -> str:
    if path.stat().st_size > MAX_TEXT_BYTES:
        raise UnreadableFile(f"{path.name} is over {MAX_TEXT_BYTES // 1_000_000} MB of text; "
                             f"split it to read it.")
    data = path.read_bytes()
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UnreadableFile(f"{path.name} is binary, not text.")
    for encoding in ("utf-8-sig", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) \
            else ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(f"{path.name} is not in a text encoding Folioscope knows.")


def _page(blocks: list[Block], why: str) -> Page:
    return Page(index=0, width=0, height=0, route=Route.STRUCTURE, reason={"why": why}, blocks=blocks)


def read_text(path: Path, options: IngestOptions, progress: Progress) -> Document:
    text = decode_text(path)
    progress.step(path.name, 0, 1, "reading")
    blocks = [Block(text=" ".join(p.split()), page=0, box=None, source="text")
              for p in re.split(r"\n\s*\n", text) if p.strip()]
    return Document(title=path.stem, kind="text", pages=[_page(blocks, "plain text: paragraphs at blank lines")])


def read_markdown(path: Path, options: IngestOptions, progress: Progress) -> Document:
    text = decode_text(path)
    progress.step(path.name, 0, 1, "reading")
    blocks = parse_markdown(text)
    title = next((b.text for b in blocks if b.role is Role.HEADING), path.stem)
    return Document(title=title, kind="markdown",
                    pages=[_page(blocks, "Markdown: headings, lists and paragraphs from its syntax")],
                    metadata={"outline": [[b.level, b.text, 0] for b in blocks if b.role is Role.HEADING]})


def parse_markdown(text: str) -> list[Block]:
    blocks: list[Block] = []
    paragraph: list[str] = []
    code: list[str] | None = None

    def flush() -> None:
        if paragraph:
            blocks.append(Block(text=" ".join(" ".join(paragraph).split()), page=0, box=None,
                                source="markdown"))
            paragraph.clear()

    for line in text.split("\n"):
        if code is not None:
            if FENCE.match(line):
                if code:
                    blocks.append(Block(text="\n".join(code), page=0, box=None, role=Role.CODE,
                                        source="markdown"))
                code = None
            else:
                code.append(line)
            continue
        if FENCE.match(line):
            flush()
            code = []
            continue
        if not line.strip():
            flush()
            continue
        heading = HEADING.match(line)
        item = LIST_ITEM.match(line)
        if heading:
            flush()
            blocks.append(Block(text=heading.group(2), page=0, box=None, role=Role.HEADING,
                                level=len(heading.group(1)), source="markdown"))
        elif item and item.group(2).strip():
            flush()
            blocks.append(Block(text=item.group(2).strip(), page=0, box=None, role=Role.LIST_ITEM,
                                level=len(item.group(1).expandtabs(4)) // 2, source="markdown"))
        elif line.lstrip().startswith("|") and line.rstrip().endswith("|"):
            flush()
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(re.fullmatch(r":?-+:?", c) for c in cells if c):
                blocks.extend(Block(text=c, page=0, box=None, role=Role.TABLE_CELL, source="markdown")
                              for c in cells if c)
        else:
            paragraph.append(line.strip())
    flush()
    if code:
        blocks.append(Block(text="\n".join(code), page=0, box=None, role=Role.CODE, source="markdown"))
    return blocks
