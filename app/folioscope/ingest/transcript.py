"""Transcripts (.srt, .vtt): one block per cue, keeping the cue's start time."""

from __future__ import annotations

import re
from pathlib import Path

from ..core import Block, Document, Page, Progress, Role, Route, UnreadableFile
from .options import IngestOptions
from .text import decode_text

TIMING = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})\s*-->\s*"
                    r"(?:(\d+):)?(\d{1,2}):(\d{2})[.,](\d{1,3})")
TAG = re.compile(r"<[^>]+>")


def _seconds(h, m, s, ms) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000


def parse_cues(text: str) -> list[tuple[float, float, str]]:
    """(start, end, text) for every cue of an SRT or WebVTT file."""
    cues = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        lines = chunk.strip().split("\n")
        for i, line in enumerate(lines):
            match = TIMING.search(line)
            if match:
                g = match.groups()
                body = " ".join(TAG.sub("", t).strip() for t in lines[i + 1:])
                body = " ".join(body.split())
                if body:
                    cues.append((_seconds(*g[:4]), _seconds(*g[4:]), body))
                break
    return cues


def read_transcript(path: Path, options: IngestOptions, progress: Progress) -> Document:
    text = decode_text(path)
    progress.step(path.name, 0, 1, "reading cues")
    cues = parse_cues(text)
    if not cues:
        raise UnreadableFile(f"{path.name} has no timed cues; is it really a subtitle file?")
    blocks = [Block(text=body, page=0, box=None, role=Role.CUE, source="transcript", time=start)
              for start, end, body in cues]
    page = Page(index=0, width=0, height=0, route=Route.STRUCTURE,
                reason={"why": f"transcript: {len(cues)} timed cues"}, blocks=blocks)
    return Document(title=path.stem, kind="transcript", pages=[page],
                    metadata={"duration": cues[-1][1]})
