"""Headings a reader sees without a bigger font, and a document title a person recognises.

A filing, a report or a book often sets its headings in the body's size: "Item 1A. Risk
Factors" in bold, "PART II" in capitals, "2.3 Results" on a line of its own. These cues
(numbering, weight, capitals, a short line of its own) mark a heading; a line that ends in a
page number is a table-of-contents entry, not a heading, and so is an earlier line with the
same text as a later heading (the contents page lists what the document then heads). A
conformed signature ("/s/ Jane Doe") is never a heading.
"""

from __future__ import annotations

import re

from ..core import Block, Role

# numbering families, from the top of a document's hierarchy down
_WORD = r"(?:[IVXLC]+|\d{1,3}[A-Z]?|[A-Z])"
NUMBERED = (
    re.compile(rf"^(?:part|book)\s+{_WORD}\b[.:]?", re.IGNORECASE),
    re.compile(rf"^(?:chapter|item|article|appendix|annex|schedule|section)\s+{_WORD}(?:\.\d+)?\b[.:]?",
               re.IGNORECASE),
    re.compile(r"^\d{1,2}\.?\s+[A-Z][^.]{2,}$"),          # "1. Introduction", "3 Method"
    re.compile(r"^\d{1,2}\.\d{1,2}\.?\s+[A-Z][^.]{2,}$"),  # "2.3 Results"
)
SIGNATURE = re.compile(r"(?:^|[\s:])/s/\s*\S")  # a conformed signature: "By: /s/ Jane Doe"
TOC_ENTRY = re.compile(r"(?:\.{3,}|\s)\s*(?:\d{1,4}|[ivxlc]{1,6})$")  # "... 12" at the end of a line
MAX_HEADING_CHARS = 120


def numbered_rank(text: str) -> int | None:
    """The numbering family of a heading-like line (0 = Part, 1 = Chapter/Item, 2 = "1.", 3 =
    "2.3"), or None when the line is not numbered like a heading."""
    line = " ".join(text.split())
    if not line or len(line) > MAX_HEADING_CHARS:
        return None
    for rank, pattern in enumerate(NUMBERED):
        if pattern.match(line):
            return rank
    return None


UNNUMBERED = len(NUMBERED)  # the rank of a bold line of its own without a number: below every numbered one


def in_capitals(text: str) -> bool:
    """Whether more than four letters in five are capitals ("PART II", "ITEM 7.")."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) > 0.8 * len(letters)


def is_signature(text: str) -> bool:
    """A conformed signature ("By: /s/ Jane Doe", as a filing signs), which is no heading,
    however large or bold it is set."""
    return SIGNATURE.search(text) is not None


def looks_like_heading(text: str, bold: bool, lines: int, pieces: int = 1) -> int | None:
    """The rank of a body-size block that reads as a heading: numbered, on at most two
    rows (`lines`; "ITEM 7." and its title at a tab stop share a row), set in bold or
    capitals, not a contents entry and not a sentence; or a single bold line without a number
    (one piece: a row of table cells is no heading) that starts with a capital and ends
    without punctuation."""
    line = " ".join(text.split())
    rank = numbered_rank(line)
    if rank is None and bold and lines == 1 and pieces == 1 and 3 <= len(line) <= 80 and line[0].isupper() \
            and not line.endswith((".", ",", ";", ":")) and sum(c.isalpha() for c in line) >= 3:
        return UNNUMBERED
    if rank is None or lines > 2 or TOC_ENTRY.search(line) and not line.rstrip(".").isalpha():
        return None
    if not (bold or in_capitals(line)) or line.endswith((",", ";")):
        return None
    return rank


def drop_contents_entries(blocks: list[Block]) -> int:
    """A heading whose text comes back as a later heading is the contents page's entry for
    it: a paragraph again. Returns how many were dropped."""
    headings = [b for b in blocks if b.role == Role.HEADING]
    last_at: dict[str, int] = {}
    for i, block in enumerate(headings):
        last_at[_key(block.text)] = i
    dropped = 0
    for i, block in enumerate(headings):
        if last_at[_key(block.text)] != i and block.page < headings[last_at[_key(block.text)]].page:
            block.role, block.level = Role.PARAGRAPH, 0
            dropped += 1
    return dropped


def lift_parts(blocks: list[Block]) -> bool:
    """Parts above their Items. A filing or a book may set "PART II" in the body's size and
    bold, and its Items or Chapters larger, so that font size alone puts each Part below the
    Items it holds. When there are two Part headings or more, each followed by an Item or
    Chapter heading before the next Part, and the Parts sit deeper than the level most Items
    share (one set larger in an exhibit at the back does not count), the Parts take that level
    and every heading from it down goes one level deeper. Returns whether the levels changed."""
    headings = [b for b in blocks if b.role == Role.HEADING]
    ranks = [numbered_rank(b.text) for b in headings]
    parts = [b for b, r in zip(headings, ranks) if r == 0]
    items = [b.level for b, r in zip(headings, ranks) if r == 1]
    if len(parts) < 2 or not items:
        return False
    top = max(set(items), key=lambda level: (items.count(level), -level))
    if min(b.level for b in parts) <= top:
        return False
    sequence = [r for r in ranks if r in (0, 1)]
    if sequence[0] != 0 or any(a == b == 0 for a, b in zip(sequence, sequence[1:])) or sequence[-1] == 0:
        return False  # a Part without an Item under it: not a document built of Parts and Items
    lifted = {id(b) for b in parts}
    for block in headings:
        if id(block) in lifted:
            block.level = top
        elif block.level >= top:
            block.level += 1
    return True


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


IDENTIFIER = re.compile(r"^[\W\d_]*$|^[\w-]*\d{4,}[\w-]*$")  # "0001193125-15-123456", "2015_10K"
SOFTWARE = re.compile(r"^(?:microsoft\s+\w+\s*-|untitled|document\d*$)", re.IGNORECASE)
FILE_NAME = re.compile(r"^\S+\.[a-z]{2,4}$|\.(?:docx?|pdf|txt|rtf|odt|indd|tex|html?|qxd|xlsx?)$", re.IGNORECASE)
MAX_TITLE_CHARS = 250
PROMINENT = 1.15  # the title's font is at least this much larger than the body's


def reads_like_title(text: str) -> bool:
    """Not empty, not an identifier or a file name, not a word processor's placeholder."""
    line = " ".join(text.split())
    return (len(line) >= 3 and sum(c.isalpha() for c in line) >= 3 and not IDENTIFIER.match(line)
            and not SOFTWARE.match(line) and not FILE_NAME.search(line))


FORM = re.compile(r"\bFORM\s+(10-K|10-Q|8-K|20-F|40-F|6-K|S-1|10-KT|10-QT)\b", re.IGNORECASE)
REGISTRANT = re.compile(r"^(.*?)\(?\s*exact name of (?:the )?registrant", re.IGNORECASE)
NOT_A_NAME = re.compile(r"^(?:for|or|and|the)\b|commission|report|period|washington", re.IGNORECASE)
PERIOD = re.compile(r"for the (?:fiscal |quarterly )?(quarter|year|period)(?: period)? ended\s+([A-Z][a-z]+\s+\d{1,2},\s*\d{4})",
                    re.IGNORECASE)


def filing_title(lines: list[str]) -> str | None:
    """"Registrant — Form 10-Q, quarter ended June 30, 2023" for an SEC filing's cover pages
    (their text, line by line): the registrant is the line above "(Exact name of registrant
    as specified in its charter)", or above the form's own line on a page that names it; None
    when the lines are not a filing's."""
    text = "\n".join(lines)
    form = FORM.search(text)
    if form is None or "securities and exchange commission" not in text.lower():
        return None
    name = None
    for i, line in enumerate(lines):
        if (m := REGISTRANT.match(line)) is not None:
            name = _name(m.group(1)) or next((n for n in map(_name, reversed(lines[max(0, i - 2):i])) if n), None)
            break
    if name is None:
        name = next((n for i, line in enumerate(lines[1:], 1) if FORM.fullmatch(line.strip())
                     and (n := _name(lines[i - 1]))), None)
    if name is None:
        return None
    period = PERIOD.search(text)
    kind = next((k for k in ("quarter", "year") if period and k in period.group(0).lower()), "period")
    when = f", {kind} ended {' '.join(period.group(2).split())}" if period else ""
    return f"{name} — Form {form.group(1).upper()}{when}"


def _name(line: str) -> str | None:
    """A registrant's name as printed: letters, no digits (not an address or a file number)."""
    name = " ".join(re.split(r"_{2,}", line)[-1].split()).strip(" ,")  # after a rule drawn in underscores
    if (len(name) < 2 or any(c.isdigit() for c in name) or sum(c.isalpha() for c in name) < 2
            or NOT_A_NAME.search(name) or name.startswith("(")):
        return None
    return name


def document_title(metadata_title: str, stem: str, first_page: list[tuple[Block, float]],
                   body_size: float = 0.0) -> str:
    """The metadata title when it reads like one; else the first page's most prominent text
    (its largest font when that is larger than the body's, up to three short blocks, running
    headers aside; lines set one under the other are one line), or an unnumbered heading among
    its first three blocks; else the file's name.
    `first_page`: the page's blocks with their font sizes, in reading order."""
    if reads_like_title(metadata_title):
        return " ".join(metadata_title.split())
    shown = [(b, size) for b, size in first_page
             if b.role not in (Role.HEADER, Role.FOOTER) and reads_like_title(b.text) and len(b.text) <= MAX_TITLE_CHARS]
    if not shown or max(size for _, size in shown) < body_size * PROMINENT:
        # nothing set larger than the body: a heading among the page's first blocks
        opening = next((b for b, _ in shown[:3] if b.role == Role.HEADING and numbered_rank(b.text) is None), None)
        return " ".join(opening.text.split()) if opening is not None else stem
    largest = max(size for _, size in shown)
    title, above = "", None
    lines = [(b, s) for b, s in first_page if s >= largest * 0.95 and b.role not in (Role.HEADER, Role.FOOTER)]
    for block, size in lines[:3]:
        close = (above is not None and block.box is not None and above.box is not None
                 and -size < block.box.y0 - above.box.y1 < size)
        if not reads_like_title(block.text) and not (close and block.text.strip()):
            continue  # "2022-2026" set under the title's line is part of it; alone it is none
        title += (" " if close else " — ") * bool(title) + " ".join(block.text.split())
        above = block
    return title if len(title) <= MAX_TITLE_CHARS else stem
