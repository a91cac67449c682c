"""Sentences with exact character offsets, split inside each block.

sentencex (rule-based, no downloaded data) splits the text of one block at a time, so a
heading, list item or table cell never merges into the next paragraph's sentence. Its
segments join back to the input exactly, which gives offsets for free; each sentence is
trimmed of surrounding whitespace.
"""

from __future__ import annotations

import re

import sentencex

from ..core import BLOCK_SEPARATOR, Sentence


def split_block(text: str, offset: int = 0, language: str = "en") -> list[Sentence]:
    sentences = []
    position = 0
    for segment in sentencex.segment(language, text):
        start = position + (len(segment) - len(segment.lstrip()))
        end = position + len(segment.rstrip())
        position += len(segment)
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
