"""Chapter starts a document already declares: its PDF outline or its headings."""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_WORDS_PER_CHAPTER = 45  # two heading levels whose chapters are shorter than this on average are too fine (chosen on the tune half of eval long-structure)


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
    """The document's two top heading levels, as parts and their sections: the first level
    with two headings or more after the first page (a lone line above them, or a cover's
    lines, are no parts) and the next level below it. Levels above the parts count only after
    the first part (an "Appendix" set larger); deeper levels are left to the text. When the
    two levels leave chapters shorter than MIN_WORDS_PER_CHAPTER on average, the parts alone;
    when those do too, no marks."""
    # a cover's lines set large are no parts: levels are counted after the first page, where
    # the headings there repeat a level
    for counted in ([h for h in headings if h.page > 0], headings):
        levels = sorted({h.level for h in counted})
        repeated = [lv for lv in levels if sum(h.level == lv for h in counted) >= 2]
        if repeated:
            break
    else:
        return []
    top = next((lv for lv in repeated if not _starts_late(lv, repeated, counted)), repeated[0])
    first_part = min(h.offset for h in headings if h.level == top)
    below = [lv for lv in levels if lv > top]
    for deepest in below[:1] + [top]:
        chosen = [h for h in headings if top <= h.level <= deepest or (h.level < top and h.offset > first_part)]
        if len(chosen) >= 2 and n_words / len(chosen) >= MIN_WORDS_PER_CHAPTER:
            return _ordered([Mark(h.offset, h.title.strip(), "headings", 1 if h.level <= top else 2)
                             for h in chosen])
    return []


def _starts_late(level: int, repeated: list[int], headings: list[Heading]) -> bool:
    """A level whose first heading comes after most of a deeper level's headings have passed
    is the style of something bound in at the back (a filing's exhibits, an appendix set
    larger), not the document's top level."""
    first = min(h.offset for h in headings if h.level == level)
    for deeper in (lv for lv in repeated if lv > level):
        offsets = [h.offset for h in headings if h.level == deeper]
        if sum(o < first for o in offsets) > len(offsets) / 2:
            return True
    return False


def _ordered(marks: list[Mark]) -> list[Mark]:
    seen: set[int] = set()
    out = []
    for mark in sorted(marks, key=lambda m: m.offset):
        if mark.offset not in seen:
            seen.add(mark.offset)
            out.append(mark)
    return out
