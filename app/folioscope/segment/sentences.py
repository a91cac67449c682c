"""Sentences with exact character offsets, split inside each block.

sentencex (rule-based, no downloaded data) splits the text of one block at a time, so a
heading, list item or table cell never merges into the next paragraph's sentence. Its
segments join back to the input exactly, which gives offsets for free; each sentence is
trimmed of surrounding whitespace. Closing quotes and brackets at the start of a segment
go back to the sentence they close: sentencex splits a quote inside a quote between its
two marks ("case.’ | ” Then"), which would start the next sentence with the other;
likewise an opening mark after a space at a segment's end goes to the sentence it opens.
"""

from __future__ import annotations

import re

import sentencex

from ..core import BLOCK_SEPARATOR, Sentence

CLOSING = re.compile(r"[\"'\u2019\u201d\u00bb)\]]+")
OPENING = re.compile(r"(?<=\s)[\"'\u2018\u201c\u00ab(\[]+$")


def split_block(text: str, offset: int = 0, language: str = "en") -> list[Sentence]:
    spans: list[list[int]] = []
    position = 0
    for segment in sentencex.segment(language, text):
        start, end = position, position + len(segment)
        position = end
        # straight after the last sentence's end (no space: not an opening mark), a closing
        # mark split off the sentence it closes
        closing = CLOSING.match(text, start, end) if spans and not text[start - 1].isspace() else None
        if closing:
            spans[-1][1] = start = closing.end()
        spans.append([start, end])
    for this, after in zip(spans, spans[1:]):
        # after a space at the end, an opening mark of the next sentence
        opening = OPENING.search(text, this[0], this[1])
        if opening:
            this[1] = after[0] = opening.start()
    sentences = []
    for start, end in spans:
        segment = text[start:end]
        start, end = start + len(segment) - len(segment.lstrip()), start + len(segment.rstrip())
        if end > start:
            sentences.append(Sentence(offset + start, offset + end, text[start:end]))
    return sentences


def split_sentences(text: str, language: str = "en") -> list[Sentence]:
    """Sentences of a document text whose blocks are joined by a blank line."""
    sentences: list[Sentence] = []
    for match in re.finditer(r"(?:(?!" + re.escape(BLOCK_SEPARATOR) + r").)+", text, flags=re.DOTALL):
        sentences.extend(split_block(match.group(0), match.start(), language))
    return sentences


def block_starts(text: str, sentences: list[Sentence]) -> list[bool]:
    """For each sentence, whether it starts a block (a paragraph, heading, cell...)."""
    return [s.start == 0 or text[max(0, s.start - len(BLOCK_SEPARATOR)):s.start] == BLOCK_SEPARATOR
            for s in sentences]
