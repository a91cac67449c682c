"""Chapter starts a document already declares: its PDF outline or its headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_WORDS_PER_CHAPTER = 60  # headings closer than this on average are too fine for chapters


@dataclass(frozen=True)
class Heading:
    offset: int  # where the heading's block starts in the document text
    title: str
    level: int  # 1 = top
    page: int


@dataclass(frozen=True)
class Mark:
    """A chapter start with a known title."""

    offset: int
    title: str
    source: str  # "outline" or "headings"
    level: int = 1  # 1: a part or chapter; 2: a section within the level-1 mark before it


def norm(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def outline_marks(outline: list, headings: list[Heading], blocks_by_page: dict[int, list[tuple[int, str]]]
                  ) -> list[Mark]:
    """Place each outline entry ([level, title, page]) of the top level (the first with two
    entries or more) and the level below it at the block on its page whose text starts like
    the title; entries that cannot be placed are dropped."""
    if not outline:
        return []
    levels = sorted({level for level, _, _ in outline})
    top = next((lv for lv in levels if sum(e[0] == lv for e in outline) >= 2), levels[0])
    marks = []
    for level, title, page in outline:
        if level not in (top, top + 1) or not title.strip():
            continue
        wanted = norm(title)
        for offset, text in blocks_by_page.get(page, []):
            have = norm(text)
            if have and (have.startswith(wanted) or wanted.startswith(have)):
                marks.append(Mark(offset, title.strip(), "outline", 1 if level == top else 2))
                break
    return _ordered(marks)


def heading_marks(headings: list[Heading], n_words: int) -> list[Mark]:
    """The finest heading level that still leaves chapters of a useful size."""
    levels = sorted({h.level for h in headings})
    chosen: list[Heading] = []
    for level in levels:
        candidate = [h for h in headings if h.level <= level]
        if len(candidate) >= 2 and n_words / len(candidate) < MIN_WORDS_PER_CHAPTER and chosen:
            break
        chosen = candidate
    if len(chosen) < 2 or n_words / len(chosen) < MIN_WORDS_PER_CHAPTER:
        return []
    # the parts: the first level with two headings or more (a lone line above them, as a
    # cover's, is level 1 but no part); the levels below are their sections
    levels = sorted({h.level for h in chosen})
    top = next((lv for lv in levels if sum(h.level == lv for h in chosen) >= 2), levels[0])
    return _ordered([Mark(h.offset, h.title.strip(), "headings", 1 if h.level <= top else 2) for h in chosen])


def _ordered(marks: list[Mark]) -> list[Mark]:
    seen: set[int] = set()
    out = []
    for mark in sorted(marks, key=lambda m: m.offset):
        if mark.offset not in seen:
            seen.add(mark.offset)
            out.append(mark)
    return out
