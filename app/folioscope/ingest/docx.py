"""Word documents through python-docx: the document's own structure, no layout guessing.

Body paragraphs and tables are read in document order (content controls included);
headings keep their level, list items their depth, table cells their reading order
(merged cells once), text boxes their text; page headers and footers are kept as their own
roles, apart from the body text.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path

from docx import Document as open_docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml.etree import XMLSyntaxError

from ..core import Block, Document, Page, Progress, Role, Route, UnreadableFile
from .options import IngestOptions

HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
TXBX = qn("w:txbxContent")
FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def read_docx(path: Path, options: IngestOptions, progress: Progress) -> Document:
    doc = _open(path)
    progress.step(path.name, 0, 1, "reading structure")
    blocks = list(_walk(doc.element.body, doc))
    blocks.extend(_header_footer_blocks(doc))
    title = (doc.core_properties.title or "").strip()
    if not title:
        first = next((b for b in blocks if b.role in (Role.TITLE, Role.HEADING)), None)
        title = first.text if first else path.stem
    page = Page(index=0, width=0, height=0, route=Route.STRUCTURE,
                reason={"why": "Word document: paragraphs, headings, lists and tables read "
                               "from its structure"}, blocks=blocks)
    return Document(title=title, kind="docx", pages=[page],
                    metadata={"outline": [[b.level, b.text, 0] for b in blocks
                                          if b.role is Role.HEADING]})


STRICT_NS = re.compile(rb"http://purl\.oclc\.org/ooxml/(wordprocessingml|drawingml|officeDocument|"
                       rb"spreadsheetml|presentationml)/(\w+)")


def _open(path: Path):
    """python-docx opens Transitional OOXML; Strict files get their namespaces mapped first."""
    try:
        with zipfile.ZipFile(path) as archive:
            strict = b"purl.oclc.org/ooxml" in archive.read("[Content_Types].xml") or any(
                b"purl.oclc.org/ooxml" in archive.read(n) for n in archive.namelist() if n.endswith(".rels"))
            if not strict:
                return open_docx(str(path))
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
                for item in archive.infolist():
                    data = archive.read(item.filename)
                    if item.filename.endswith((".xml", ".rels")):
                        data = STRICT_NS.sub(rb"http://schemas.openxmlformats.org/\1/2006/\2", data)
                    out.writestr(item, data)
            buffer.seek(0)
            return open_docx(buffer)
    except (PackageNotFoundError, zipfile.BadZipFile, zlib.error, EOFError, KeyError, ValueError,
            NotImplementedError) as exc:  # NotImplementedError: a zip "version" zipfile does not know
        raise UnreadableFile(f"{path.name} is damaged or not a Word (.docx) document.") from exc
    except XMLSyntaxError as exc:  # broken XML, or nesting and text beyond the parser's safety limits
        raise UnreadableFile(f"{path.name} is damaged, or its XML is too deep or too large to read safely.") from exc


def _walk(parent, doc):
    """Blocks of paragraphs and tables in document order, looking through content controls
    and custom XML wrappers (which python-docx's own iterators skip)."""
    for child in parent.iterchildren():
        tag = child.tag
        if tag == qn("w:p"):
            yield from _paragraph_blocks(child, doc)
        elif tag == qn("w:tbl"):
            yield from _table_blocks(child, doc)
        elif tag in (qn("w:sdt"), qn("w:customXml"), qn("w:sdtContent"), qn("w:smartTag")):
            yield from _walk(child, doc)


def _paragraph_blocks(p, doc) -> list[Block]:
    paragraph = Paragraph(p, doc)
    blocks: list[Block] = []
    text = _clean(_paragraph_text(p))
    if text:
        role, level = _role(paragraph)
        blocks.append(Block(text=text, page=0, box=None, role=role, level=level, source="docx"))
    for box in p.iter(TXBX):
        if any(anc.tag == FALLBACK for anc in box.iterancestors()):
            continue  # the VML copy of a DrawingML text box
        for inner in box.iter(qn("w:p")):
            inner_text = _clean(_paragraph_text(inner))
            if inner_text:
                blocks.append(Block(text=inner_text, page=0, box=None, role=Role.TEXT_BOX,
                                    source="docx"))
    return blocks


TEXT_TAGS = {qn("w:t"): None, qn("m:t"): None, qn("w:tab"): " ", qn("w:br"): " ", qn("w:cr"): " ",
             qn("w:noBreakHyphen"): "-"}


def _paragraph_text(p) -> str:
    """Run text, tabs, breaks and equation text in document order; text boxes excluded
    (they are their own blocks)."""
    parts: list[str] = []

    def visit(element) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag in (TXBX, FALLBACK, qn("w:del"), qn("w:instrText")):
                continue
            if tag in TEXT_TAGS:
                parts.append(child.text or "" if TEXT_TAGS[tag] is None else TEXT_TAGS[tag])
            else:
                visit(child)

    visit(p)
    return "".join(parts)


def _role(paragraph: Paragraph) -> tuple[Role, int]:
    style = paragraph.style
    names = [s for s in (getattr(style, "name", None), getattr(style, "style_id", None)) if s]
    for name in names:
        if name.lower() == "title":
            return Role.TITLE, 0
        match = HEADING_STYLE.match(name)
        if match:
            return Role.HEADING, int(match.group(1))
    level = _outline_level(paragraph)
    if level is not None:
        return Role.HEADING, level + 1
    depth = _list_level(paragraph)
    if depth is not None:
        return Role.LIST_ITEM, depth
    return Role.PARAGRAPH, 0


def _outline_level(paragraph: Paragraph) -> int | None:
    ppr = paragraph._p.pPr
    lvl = ppr.find(qn("w:outlineLvl")) if ppr is not None else None
    if lvl is not None:
        value = int(lvl.get(qn("w:val"), 9))
        return value if value < 9 else None
    return None


def _list_level(paragraph: Paragraph) -> int | None:
    for ppr in (paragraph._p.pPr, _style_ppr(paragraph)):
        num = ppr.find(qn("w:numPr")) if ppr is not None else None
        if num is not None:
            num_id = num.find(qn("w:numId"))
            if num_id is not None and num_id.get(qn("w:val")) == "0":
                return None  # numbering switched off
            ilvl = num.find(qn("w:ilvl"))
            return int(ilvl.get(qn("w:val"), 0)) if ilvl is not None else 0
    return None


def _style_ppr(paragraph: Paragraph):
    style = paragraph.style
    return style.element.pPr if style is not None else None


def _table_blocks(tbl, doc) -> list[Block]:
    """One block per cell, row by row; a cell merged across columns is one w:tc already,
    a cell merged down the rows appears once (continuation cells are skipped)."""
    blocks: list[Block] = []
    for tr in _children(tbl, qn("w:tr")):
        for tc in _children(tr, qn("w:tc")):
            props = tc.find(qn("w:tcPr"))
            vmerge = props.find(qn("w:vMerge")) if props is not None else None
            if vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue":
                continue
            inner = list(_walk(tc, doc))
            text = _clean(" ".join(b.text for b in inner if b.role is not Role.TABLE_CELL))
            if text:
                blocks.append(Block(text=text, page=0, box=None, role=Role.TABLE_CELL, source="docx"))
            blocks.extend(b for b in inner if b.role is Role.TABLE_CELL)  # nested tables
    return blocks


def _children(parent, tag):
    """Children with `tag`, looking through content controls and custom XML wrappers."""
    for child in parent.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag in (qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")):
            yield from _children(child, tag)


def _header_footer_blocks(doc) -> list[Block]:
    blocks: list[Block] = []
    seen: set[tuple[Role, str]] = set()
    for section in doc.sections:
        parts = [(Role.HEADER, section.header), (Role.FOOTER, section.footer)]
        if section.different_first_page_header_footer:
            parts += [(Role.HEADER, section.first_page_header), (Role.FOOTER, section.first_page_footer)]
        for role, part in parts:
            if part.is_linked_to_previous and section is not doc.sections[0]:
                continue
            for paragraph in part.paragraphs:
                text = _clean(_paragraph_text(paragraph._p))
                if text and (role, text) not in seen:
                    seen.add((role, text))
                    blocks.append(Block(text=text, page=0, box=None, role=role, source="docx"))
    return blocks


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()
