"""Segmentation data: gold topic boundaries in six sets, each cut into a tune and a test half
that share no source text.

| set | what | unit | group (never split across halves) |
|---|---|---|---|
| choi | Choi (2000): 10 snippets of Brown texts per document | sentence | all of it: 920 documents cut from 124 texts share sentences, so Choi cannot be halved; it is only ever held out whole |
| clinical | medical textbook chapters, sections as segments | sentence | chapter |
| lectures | AI and physics lecture transcripts (manual and ASR) | sentence | lecture (its ASR and manual transcripts together) |
| fiction | novels, chapters as segments (heading lines removed) | sentence, paragraphs marked | novel |
| qasper | NLP papers, sections as segments (section names removed) | sentence, paragraphs marked | paper; the same halves as the retrieval evaluation |
| docs | docling's Markdown ground truths with 3+ sections (headings removed) | sentence, paragraphs marked | file |

A group's half is fixed by a hash of its name (`halves`), so it is the same on every machine.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from .metrics import boundaries_from_segments

SEPARATOR = re.compile(r"^={8,}\s*$")
SETS = ("choi", "clinical", "lectures", "fiction", "qasper", "docs")
UNSPLITTABLE = {"choi"}


@dataclass
class SegDoc:
    name: str  # path or id inside its set
    group: str  # source text: documents of one group are always in the same half
    sentences: list[str]
    boundaries: set[int]  # gap indices (gap i follows sentence i) where a gold segment starts
    paragraph_starts: list[bool] | None = None  # per sentence, where the source marks paragraphs

    @property
    def n_gaps(self) -> int:
        return max(len(self.sentences) - 1, 0)


SMALL = 20  # sets with fewer groups than this are halved by rank, so both halves get some


def split_of(group: str) -> str:
    """"tune" or "test", from a hash of the group name (about half each)."""
    return "tune" if _digest(group)[0] % 2 == 0 else "test"


def _digest(group: str) -> bytes:
    return hashlib.sha1(group.encode()).digest()


def halves(groups: set[str]) -> dict[str, str]:
    """Each group's half: by `split_of`, or for a set of few groups, alternately in the
    order of their hashes (a set of three novels gets two in one half, one in the other)."""
    if len(groups) >= SMALL:
        return {g: split_of(g) for g in groups}
    return {g: ("tune", "test")[i % 2] for i, g in enumerate(sorted(groups, key=_digest))}


def parse(text: str) -> tuple[list[str], set[int]]:
    """Sentences and gold boundaries of a file with one sentence per line and segments
    separated by a line of '=' (8 or more)."""
    segments = _segments(text)
    sentences = [s for seg in segments for s in seg]
    return sentences, boundaries_from_segments([len(s) for s in segments])


def _segments(text: str) -> list[list[str]]:
    segments: list[list[str]] = [[]]
    for line in text.split("\n"):
        if SEPARATOR.match(line.strip()):
            if segments[-1]:
                segments.append([])
            continue
        line = " ".join(line.split())
        if line:
            segments[-1].append(line)
    return [s for s in segments if s]


def _doc(name: str, group: str, segments: list[list[tuple[str, bool]]]) -> SegDoc | None:
    """A document from segments of (sentence, starts a paragraph) pairs."""
    segments = [s for s in segments if s]
    units = [u for seg in segments for u in seg]
    if len(units) < 2 or len(segments) < 2:
        return None
    return SegDoc(name, group, [u[0] for u in units], boundaries_from_segments([len(s) for s in segments]),
                  [u[1] for u in units])


def _sentences(paragraph: str) -> list[tuple[str, bool]]:
    from folioscope.segment.sentences import split_block
    out = [(" ".join(s.text.split()), False) for s in split_block(paragraph)]
    return [(t, i == 0) for i, (t, _) in enumerate(out) if t]


# ---- the sets -------------------------------------------------------------------------------

def _line_files(folder: Path, group_of) -> list[SegDoc]:
    docs = []
    for path in sorted(folder.rglob("*.ref")):
        name = str(path.relative_to(folder))
        sentences, boundaries = parse(path.read_text(encoding="utf-8", errors="replace"))
        if len(sentences) >= 2 and boundaries:
            docs.append(SegDoc(name, group_of(name), sentences, boundaries))
    return docs


def _lecture_group(name: str) -> str:
    return re.sub(r"_(asr|manual)_", "_", Path(name).stem)


HEADING_LINE = re.compile(r"^(chapter|book|part)\b|^[IVXLC]+\.?$|^[^a-z]*$", re.IGNORECASE)


def _is_heading_line(line: str) -> bool:
    """A chapter heading line of a novel ("CHAPTER IV", "THE UMBRELLA"): short, no sentence
    punctuation at its end, or no lower-case letter at all."""
    words = line.split()
    return len(words) <= 10 and (bool(HEADING_LINE.match(line)) or line.isupper()) and not line.endswith((".", '"'))


def repair_lost_punctuation(text: str) -> str:
    """Put back the curly quotes, apostrophes and dashes that two of the novels lost to
    U+FFFD in the source's encoding ("don\ufffdt", "\ufffdIt is,\ufffd said"): left as they
    are, the sentence splitter cuts a lone "\ufffd" into a sentence of its own (15% of the
    test novel's sentences). Between letters before s, t, d, m, ll, re, ve: an apostrophe;
    other places between letters, or alone between spaces: a dash; after a space or at a
    line's start: an opening quote; anywhere else: a closing quote; two together are a quote
    inside a quote, opening or closing as above."""
    text = re.sub(r"(?<=\S)\ufffd\ufffd", "\u2019\u201d", text)
    text = re.sub(r"(?:(?<=\s)|^)\ufffd\ufffd", "\u201c\u2018", text, flags=re.MULTILINE)
    text = re.sub(r"(?<=[A-Za-z])\ufffd(?=(?:s|t|d|m|ll|re|ve)\b)", "\u2019", text)
    text = re.sub(r"(?<=[A-Za-z])\ufffd(?=[A-Za-z])|(?<=\s)\ufffd(?=\s)", "\u2014", text)
    text = re.sub(r"(?<=\s)\ufffd|^\ufffd", "\u201c", text, flags=re.MULTILINE)
    return text.replace("\ufffd", "\u201d")


def _fiction(folder: Path) -> list[SegDoc]:
    docs = []
    for path in sorted(folder.glob("*.ref")):
        segments = []
        text = repair_lost_punctuation(path.read_text(encoding="utf-8", errors="replace"))
        for paragraphs in _segments(text):
            while paragraphs and (_is_heading_line(paragraphs[0]) or paragraphs[0].startswith("Return to")):
                paragraphs = paragraphs[1:]
            segments.append([u for p in paragraphs for u in _sentences(p)])
        doc = _doc(path.name, path.stem, segments)
        if doc:
            docs.append(doc)
    return docs


def _qasper(data: Path) -> list[SegDoc]:
    file = data / "qa" / "qasper_dev.json"
    papers = json.loads(file.read_text(encoding="utf-8"))
    docs = []
    for pid in sorted(papers):
        paper = papers[pid]
        segments = [_sentences(paper["abstract"])]
        for section in paper["full_text"]:
            segments.append([u for p in section["paragraphs"] if p.strip() for u in _sentences(p)])
        doc = _doc(pid, pid, segments)
        if doc:
            docs.append(doc)
    return docs


def markdown_sections(text: str) -> list[list[str]]:
    """Prose paragraphs of a Markdown file, grouped by heading (headings themselves, tables,
    pictures, code and formulas left out)."""
    sections: list[list[str]] = [[]]
    fenced = False
    for block in re.split(r"\n\s*\n", text):
        block = block.strip()
        if block.startswith("```"):
            fenced = not fenced or block.count("```") >= 2
            continue
        if fenced or not block:
            continue
        if block.startswith("#"):
            heading, _, rest = block.partition("\n")
            sections.append([])
            block = rest.strip()
            if not block:
                continue
        if block.startswith(("|", "<!--", "$$", "!")):
            continue
        sections[-1].append(" ".join(block.split()))
    return [s for s in sections if s]


def _docs(data: Path) -> list[SegDoc]:
    docs = []
    for path in sorted((data / "pdfs" / "docling" / "groundtruth").glob("*.md")):
        sections = markdown_sections(path.read_text(encoding="utf-8"))
        if len(sections) < 3:
            continue
        doc = _doc(path.name, re.sub(r"(v\d+)?(-pg\d+)?$", "", path.stem),
                   [[u for p in s for u in _sentences(p)] for s in sections])
        if doc and len(doc.sentences) >= 40:
            docs.append(doc)
    return docs


def load_set(name: str, data: Path, split: str | None = None) -> list[SegDoc]:
    """The documents of one set; `split` "tune" or "test" keeps that half (Choi cannot be
    halved: both names return all of it)."""
    root = data / "segmentation"
    if name == "choi":
        docs = _line_files(root / "choi", lambda n: "choi")
    elif name == "clinical":
        docs = _line_files(root / "clinical", lambda n: n)
    elif name == "lectures":
        docs = _line_files(root / "lectures", _lecture_group)
    elif name == "fiction":
        docs = _fiction(root / "fiction")
    elif name == "qasper":
        docs = _qasper(data)
    elif name == "docs":
        docs = _docs(data)
    else:
        raise ValueError(f"unknown segmentation set {name!r}; sets: {', '.join(SETS)}")
    if split is None or name in UNSPLITTABLE:
        return docs
    half = halves({d.group for d in docs})
    return [d for d in docs if half[d.group] == split]


def plain_text(doc: SegDoc) -> str:
    """The document as a plain-text file: its sentences, a blank line where a paragraph starts."""
    starts = doc.paragraph_starts or [False] * len(doc.sentences)
    return "".join(("\n\n" if s and i else " " if i else "") + t
                   for i, (t, s) in enumerate(zip(doc.sentences, starts))) + "\n"


def sample(docs: list[SegDoc], limit: int | None) -> list[SegDoc]:
    """At most `limit` documents, spread evenly over the set (stable)."""
    if limit is None or len(docs) <= limit:
        return docs
    step = len(docs) / limit
    return [docs[int(i * step)] for i in range(limit)]
