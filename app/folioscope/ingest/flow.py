"""Text that flows across page and column breaks: running lines set apart, paragraphs joined.

A reader sees a page at a time, so a paragraph that runs over the foot of a column or page
arrives as two blocks, and between them may stand the running header, footer or page number
of the next page. Two passes over a read document's pages fix that:

1. `mark_running_lines`: a short line near the top or bottom of the page that repeats on
   other pages (digits aside: "Annual Report 2023 | 14") or that is only a page number, and a
   short line repeated at the same place on most pages (a logo's caption, a watermark),
   becomes a HEADER or FOOTER, which is kept out of the body text.
2. `join_continued`: a paragraph block that does not end a sentence, followed in reading order
   by a paragraph block that goes on with it (a lower-case start, a hyphenated word, or a
   break after a word such as "of" or "the"), is marked as continuing it; the body text then
   joins the two with a space (or nothing after a hyphen, which is taken out), so sentences,
   chunks and evidence see one paragraph whose span table still points at both pages.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..core import Block, Page, Piece, Role
from ..core.document import BODY_ROLES

EDGE = 0.15  # top and bottom share of the page where running lines are looked for
RUNNING_CHARS = 160  # longer lines are body text
MIN_REPEATS = 3  # pages a line must stand on to count as running

PAGE_NUMBER = re.compile(r"^(?:page\s+)?(?:\d{1,4}|[ivxlcdm]{1,7})(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$",
                         re.IGNORECASE)
SENTENCE_END = re.compile(r"[.!?:;][\"'\u2019\u201d)\]]*$")
JOINABLE = (Role.PARAGRAPH,)
# words that never end a sentence: a break after one is a break inside a sentence
OPEN_WORDS = frozenset("a an the of to in on at by for with from into onto and or nor but than that which "
                       "whose who whom is are was were be been has have had as its their our his her".split())


def _near_edge(block: Block, page: Page) -> str | None:
    if block.box is None or not page.height or len(block.text) > RUNNING_CHARS:
        return None
    if block.box.y1 <= page.height * EDGE:
        return "top"
    if block.box.y0 >= page.height * (1 - EDGE):
        return "bottom"
    return None


def _shape(text: str) -> str:
    return re.sub(r"\d+", "#", " ".join(text.lower().split()))


def mark_running_lines(pages: list[Page]) -> int:
    """Mark repeated lines and page numbers at the page edges, and short lines repeated at the
    same place on most pages (a logo, a watermark), as headers and footers; returns how many
    blocks were marked. A heading repeats only as a heading: "PART II" set as a heading under
    a running head that reads "PART II" stays a heading."""
    seen: dict[tuple[str, str, bool], set[int]] = defaultdict(set)
    placed: dict[tuple[str, int, bool], set[int]] = defaultdict(set)
    candidates = [(page, block) for page in pages for block in page.blocks
                  if block.role in (Role.PARAGRAPH, Role.HEADING, Role.TITLE) and block.box is not None
                  and len(block.text) <= RUNNING_CHARS]
    for page, block in candidates:
        edge = _near_edge(block, page)
        if edge:
            seen[(edge, _shape(block.text), block.role == Role.HEADING)].add(page.index)
        placed[(_shape(block.text), round(block.box.y0 / 10), block.role == Role.HEADING)].add(page.index)
    marked = 0
    for page, block in candidates:
        edge = _near_edge(block, page)
        text = block.text.strip()
        heading = block.role == Role.HEADING
        # a lone number is a page number only in a document of pages (not on a one-page receipt)
        running = edge is not None and ((len(pages) > 1 and PAGE_NUMBER.match(text))
                                        or len(seen[(edge, _shape(text), heading)]) >= MIN_REPEATS)
        fixed = (len(text) <= 40 and len(pages) >= 4
                 and len(placed[(_shape(text), round(block.box.y0 / 10), heading)]) >= max(MIN_REPEATS, len(pages) / 2))
        if running or fixed:
            below = block.box.y0 >= page.height / 2
            block.role = Role.FOOTER if below else Role.HEADER
            marked += 1
    return marked


def goes_on(previous: str, following: str) -> str | None:
    """The joiner when `following` continues the sentence `previous` leaves open: "" after a
    hyphenated word, " " otherwise; None when `following` starts something new."""
    previous, following = previous.rstrip(), following.lstrip()
    if not previous or not following or SENTENCE_END.search(previous):
        return None
    first = following[0]
    if previous.endswith("-") and len(previous) > 1 and previous[-2].isalpha() and first.islower():
        return ""
    if first.islower():
        return " "
    last_word = re.findall(r"\w+", previous[-30:].lower())
    if (previous[-1] == "," or (last_word and last_word[-1] in OPEN_WORDS)) and _reads_as_prose(following):
        return " "
    return None


def _reads_as_prose(text: str) -> bool:
    """Words that end a sentence soon, not a flattened table row or a list of figures."""
    head = text[:300]
    digits = sum(ch.isdigit() for ch in head)
    return (head[0].isalnum() or head[0] in "(\"'") and digits < 0.1 * len(head) and bool(re.search(r"[.!?](\s|$)", head))


def join_continued(pages: list[Page]) -> int:
    """Mark each paragraph block that goes on with the previous body paragraph (in reading
    order, over page and column breaks); returns how many were joined."""
    body = [b for page in pages for b in page.blocks if b.role in BODY_ROLES and b.text]
    joined = 0
    for previous, block in zip(body, body[1:]):
        if previous.role not in JOINABLE or block.role not in JOINABLE:
            continue
        joiner = goes_on(previous.text, block.text)
        if joiner is None:
            continue
        if joiner == "":
            _drop_trailing_hyphen(previous)
        block.continues = joiner
        joined += 1
    return joined


def _drop_trailing_hyphen(block: Block) -> None:
    """Take out the hyphen of a word broken at the block's end (its last piece shrinks)."""
    block.text = block.text.rstrip()[:-1]
    end = len(block.text)
    block.pieces = [p if p.end <= end else Piece(p.start, end, p.box, p.confidence)
                    for p in block.pieces if p.start < end]
