"""Build a document's chapters: from its outline or headings when it has usable ones,
otherwise by cutting its chunk sequence at the strongest topic shifts and titling each part."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..core import Chapter, ChatModel, Document, Role, SpanTable
from ..segment.cohesion import depth_scores, window_similarity
from .roles import ROLE_SOURCE, RoleModel, chapter_features
from .structure import Heading, Mark, heading_marks, norm, outline_marks
from .titles import EmbeddingTitler, KeyphraseTitler, LLMTitler, words

# chunk-based chapters: about this long; with the weight of the topic shift and the minimum
# length, chosen on the Qasper tune papers read as plain text (eval chapters --tune)
WORDS_PER_CHAPTER = 300
DEPTH_WEIGHT = 0.5
MIN_CHAPTER_CHUNKS = 3
MAX_CHAPTERS = 15
MIN_FRONT_WORDS = 40  # text before the first heading shorter than this joins chapter 1
MIN_MARK_WORDS = 1  # a heading followed by no words (a title line, a part right above its first section) starts no chapter
# headings too few to navigate by: one chapter holding more than this share of a long
# document's words, or fewer chapters than one per PAGES_PER_HEADING pages
MAX_CHAPTER_SHARE = 0.5
LONG_DOCUMENT_WORDS = 3000
PAGES_PER_HEADING = 40


@dataclass
class ChapterInput:
    title: str
    text: str
    chunks: list[tuple[int, int, float]]  # (start, end, score of the boundary ending it)
    vectors: np.ndarray | None = None  # unit chunk embeddings, one row per chunk
    headings: list[Heading] = field(default_factory=list)
    outline: list = field(default_factory=list)  # [[level, title, page], ...]
    blocks_by_page: dict[int, list[tuple[int, str]]] = field(default_factory=dict)
    pages_of: Callable[[int, int], list[int]] = lambda start, end: []
    time_at: Callable[[int], float | None] = lambda offset: None

    @classmethod
    def from_document(cls, document: Document, chunks: list[tuple[int, int, float]],
                      vectors: np.ndarray | None = None) -> ChapterInput:
        body = document.body_text()
        spans = SpanTable(body.spans)
        headings, by_page, times, title_lines = [], {}, [], []
        top = min((b.level or 1 for b, _ in body.block_starts if b.role == Role.HEADING), default=1)
        opening = True  # before the first paragraph: top-level headings there are the title
        for block, start in body.block_starts:
            by_page.setdefault(block.page, []).append((start, block.text))
            if block.role != Role.HEADING:
                opening = False
            elif _in_title(block.text, document.title) or (opening and (block.level or 1) == top):
                title_lines.append(block.text)
            else:
                headings.append(Heading(start, block.text, block.level or 1, block.page))
            if block.time is not None:
                times.append((start, block.time))

        def time_at(offset: int) -> float | None:
            before = [t for s, t in times if s <= offset]
            return before[-1] if before else (times[0][1] if times else None)

        return cls(title=(" ".join(title_lines) or document.title)[:200], text=body.text, chunks=chunks, vectors=vectors,
                   headings=headings, outline=document.metadata.get("outline") or [],
                   blocks_by_page=by_page, pages_of=spans.pages, time_at=time_at)


def _in_title(text: str, title: str) -> bool:
    """A heading that is a line of the document's title (a title set on two lines)."""
    return bool(norm(text)) and norm(text) in norm(title)


def chapter_count(n_words: int, n_chunks: int) -> int:
    return max(1, min(MAX_CHAPTERS, round(n_words / WORDS_PER_CHAPTER), n_chunks // 2))


def chunk_cuts(chunks: list[tuple[int, int, float]], vectors: np.ndarray | None, k: int) -> list[int]:
    """Indices of the chunks that start chapters 2..k: the chunk boundaries with the
    highest combined score (the boundary model's score, plus half the depth of the topic
    shift between the chunk vectors around it), no two closer than MIN_CHAPTER_CHUNKS."""
    n = len(chunks)
    if k <= 1 or n < 4:
        return []
    strength = np.array([c[2] for c in chunks[:-1]], dtype=np.float64)
    if vectors is not None and len(vectors) == n:
        depth = depth_scores(window_similarity(vectors, 2)).astype(np.float64)
        if depth.max() > 0:
            strength = strength + DEPTH_WEIGHT * depth / depth.max()
    cuts: list[int] = []
    for gap in np.argsort(-strength, kind="stable"):
        start = int(gap) + 1  # the chunk after the gap starts a chapter
        if any(abs(start - c) < MIN_CHAPTER_CHUNKS for c in cuts):
            continue
        cuts.append(start)
        if len(cuts) == k - 1:
            break
    return sorted(cuts)


def _chapter(index: int, title: str, start: int, end: int, source: str, inp: ChapterInput) -> Chapter:
    pages = inp.pages_of(start, end) or [0]
    return Chapter(index=index, title=title, start=start, end=end, first_page=min(pages),
                   last_page=max(pages), start_time=inp.time_at(start), title_source=source)


def build_chapters(inp: ChapterInput, llm: ChatModel | None = None, embed: Callable | None = None,
                   roles: RoleModel | None = None) -> tuple[list[Chapter], list[tuple[int, str, str]]]:
    """The chapters, and the generated titles rejected as junk (chapter, title, reason).

    Chapters cut from chunks are titled by their role ("Introduction", ...) where `roles` is
    sure of it; the others by `llm` when given (TF-IDF keyphrases where its title is junk),
    else by embedding keyphrases when `embed` (texts -> unit vectors) is given, else by TF-IDF
    keyphrases."""
    if not inp.text.strip():
        return [], []
    n_words = len(words(inp.text))
    marks = outline_marks(inp.outline, inp.headings, inp.blocks_by_page)
    if len(marks) < 2:
        marks = heading_marks(inp.headings, n_words)
    if len(marks) >= 2:
        chapters = _from_marks(marks, inp)
        if not navigable(chapters, inp, n_words):
            chapters = _from_marks(split_long(marks, inp, n_words), inp)
        if navigable(chapters, inp, n_words):
            return chapters, []
    return _from_chunks(inp, llm, embed, roles)


def navigable(chapters: list[Chapter], inp: ChapterInput, n_words: int) -> bool:
    """Whether headings give chapters to find one's way by: in a long document no chapter
    holds most of the text, and there is at least one per PAGES_PER_HEADING pages."""
    if n_words < LONG_DOCUMENT_WORDS:
        return True
    largest = max(len(words(inp.text[c.start:c.end])) for c in chapters)
    pages = max(c.last_page for c in chapters) - min(c.first_page for c in chapters) + 1
    return largest <= MAX_CHAPTER_SHARE * n_words and len(chapters) >= pages / PAGES_PER_HEADING


def split_long(marks: list[Mark], inp: ChapterInput, n_words: int) -> list[Mark]:
    """The marks, with a chapter that holds more than MAX_CHAPTER_SHARE of the words cut at
    the headings inside it (their first level with two headings or more), as its sections."""
    taken = {m.offset for m in marks}
    ends = [m.offset for m in marks[1:]] + [len(inp.text)]
    out = list(marks)
    for mark, end in zip(marks, ends):
        if len(words(inp.text[mark.offset:end])) <= MAX_CHAPTER_SHARE * n_words:
            continue
        inside = [h for h in inp.headings if mark.offset < h.offset < end and h.offset not in taken]
        levels = sorted({h.level for h in inside})
        level = next((lv for lv in levels if sum(h.level == lv for h in inside) >= 2), None)
        out += [Mark(h.offset, h.title.strip(), "headings", 2) for h in inside if h.level == level]
    return sorted(out, key=lambda m: m.offset)


def _from_marks(marks: list[Mark], inp: ChapterInput) -> list[Chapter]:
    """Chapters from the marks that head some text; a level-2 mark sits under the level-1
    mark before it (kept as its part even when that heads no text of its own, as "PART II"
    right above "Item 5."), and is level 1 where none comes before it."""
    part_of, part = {}, ""
    for m in marks:
        part = m.title if m.level == 1 else part
        part_of[m.offset] = part if m.level == 2 else ""
    ends = [m.offset for m in marks[1:]] + [len(inp.text)]
    marks = [m for m, end in zip(marks, ends)
             if len(words(inp.text[m.offset:end])) - len(words(m.title)) >= MIN_MARK_WORDS] or marks[:1]
    starts = [(m.offset, m.title, m.source, part_of[m.offset]) for m in marks]
    if len(words(inp.text[:starts[0][0]])) < MIN_FRONT_WORDS:
        starts[0] = (0, *starts[0][1:])
    else:
        starts.insert(0, (0, inp.title, starts[0][2], ""))
    ends = [s[0] for s in starts[1:]] + [len(inp.text)]
    chapters = [_chapter(i, title, start, end, source, inp)
                for i, ((start, title, source, _), end) in enumerate(zip(starts, ends))]
    for chapter, (_, _, _, part) in zip(chapters, starts):
        chapter.level, chapter.part = (2, part) if part else (1, "")
    return chapters


def _from_chunks(inp: ChapterInput, llm: ChatModel | None, embed: Callable | None,
                 roles: RoleModel | None) -> tuple[list[Chapter], list[tuple[int, str, str]]]:
    k = chapter_count(len(words(inp.text)), len(inp.chunks))
    cuts = chunk_cuts(inp.chunks, inp.vectors, k)
    role_titles: list[str | None] = [None] * (len(cuts) + 1)
    if roles is not None and inp.vectors is not None and len(inp.vectors) == len(inp.chunks):
        role_titles = roles.titles(chapter_features(inp.vectors, [0] + cuts))
    starts = [0] + [inp.chunks[c][0] for c in cuts]
    ends = starts[1:] + [len(inp.text)]
    texts = [inp.text[s:e] for s, e in zip(starts, ends)]
    keyphrases = KeyphraseTitler(texts)
    titler = LLMTitler(llm, inp.title, texts, keyphrases) if llm is not None else None
    phrases = EmbeddingTitler(texts, embed) if embed is not None and titler is None else keyphrases
    if titler is not None:
        title_of = titler.title
    else:
        def title_of(i: int, previous: list[str]) -> tuple[str, str]:
            return phrases.title(i, previous), phrases.name
    titled = with_roles(role_titles, title_of)
    chapters = [_chapter(i, title, start, end, source, inp)
                for i, ((title, source), start, end) in enumerate(zip(titled, starts, ends))]
    return chapters, (titler.rejected if titler else [])


def with_roles(role_titles: list[str | None],
               title_of: Callable[[int, list[str]], tuple[str, str]]) -> list[tuple[str, str]]:
    """(title, source) of each chapter: its role title where it has one not given yet (any
    case), else `title_of(index, titles so far)`."""
    out: list[tuple[str, str]] = []
    for i, role in enumerate(role_titles):
        previous = [t for t, _ in out]
        if role is not None and role.lower() not in {t.lower() for t in previous}:
            out.append((role, ROLE_SOURCE))
        else:
            out.append(title_of(i, previous))
    return out
