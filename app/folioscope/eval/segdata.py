"""Segmentation data in the `==========` format (Choi, clinical): one sentence per line,
segments separated by a line of ten '='.

The train/test split is by a hash of each file's path under the data set folder, so it is
stable across machines and runs: `split_of(name) == "train"` for about half of the files.
The boundary model trains only on "train" files; every number reported is on "test" files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .metrics import boundaries_from_segments

SEPARATOR = "=========="


@dataclass
class SegDoc:
    name: str  # path relative to the data set folder
    sentences: list[str]
    boundaries: set[int]  # gap indices where a gold segment starts


def split_of(name: str) -> str:
    digest = hashlib.sha1(name.encode()).digest()
    return "train" if digest[0] % 2 == 0 else "test"


def parse(text: str) -> tuple[list[str], set[int]]:
    segments: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip() == SEPARATOR:
            if segments[-1]:
                segments.append([])
            continue
        line = " ".join(line.split())
        if line:
            segments[-1].append(line)
    segments = [s for s in segments if s]
    sentences = [s for seg in segments for s in seg]
    return sentences, boundaries_from_segments([len(s) for s in segments])


def load(folder: Path, split: str | None = None, limit: int | None = None) -> list[SegDoc]:
    docs = []
    for path in sorted(folder.rglob("*.ref")):
        name = str(path.relative_to(folder))
        if split is not None and split_of(name) != split:
            continue
        sentences, boundaries = parse(path.read_text(encoding="utf-8", errors="replace"))
        if len(sentences) >= 2:
            docs.append(SegDoc(name, sentences, boundaries))
        if limit is not None and len(docs) >= limit:
            break
    return docs
