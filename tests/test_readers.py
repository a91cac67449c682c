"""Text, Markdown and transcript readers; the repair guard; the reader registry."""


import pytest

from folioscope.core import Role, Route, UnreadableFile
from folioscope.ingest import dialog_filter, read_document, supported_extensions
from folioscope.ingest.repair import accept_repair, clean_reply
from folioscope.ingest.transcript import parse_cues

MARKDOWN = """# Field notes

Some *opening* words
over two lines.

## Birds

- heron
- kingfisher
  - juvenile

| species | count |
|---|---|
| heron | 2 |

```
code stays as is
```
"""


def test_markdown_roles(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(MARKDOWN)
    doc = read_document(path)
    blocks = [(b.role, b.level, b.text) for b in doc.blocks()]
    assert blocks[0] == (Role.HEADING, 1, "Field notes")
    assert (Role.PARAGRAPH, 0, "Some *opening* words over two lines.") in blocks
    assert (Role.LIST_ITEM, 1, "juvenile") in blocks
    assert [t for r, _, t in blocks if r is Role.TABLE_CELL] == ["species", "count", "heron", "2"]
    assert (Role.CODE, 0, "code stays as is") in blocks
    assert doc.title == "Field notes" and doc.pages[0].route is Route.STRUCTURE
    assert doc.metadata["outline"] == [[1, "Field notes", 0], [2, "Birds", 0]]


SRT = """1
00:00:01,000 --> 00:00:04,500
Welcome to the <i>show</i>.

2
00:01:05,250 --> 00:01:09,000
Today: lighthouses.
"""

VTT = """WEBVTT

intro
00:01.000 --> 00:04.000
Hello there.

01:02:03.500 --> 01:02:05.000 align:start
Much later.
"""


def test_srt_and_vtt_keep_cue_times(tmp_path):
    assert parse_cues(SRT) == [(1.0, 4.5, "Welcome to the show."), (65.25, 69.0, "Today: lighthouses.")]
    assert parse_cues(VTT) == [(1.0, 4.0, "Hello there."), (3723.5, 3725.0, "Much later.")]
    path = tmp_path / "episode.vtt"
    path.write_text(VTT)
    doc = read_document(path)
    assert [(b.role, b.time) for b in doc.blocks()] == [(Role.CUE, 1.0), (Role.CUE, 3723.5)]


def test_transcript_without_cues_is_refused(tmp_path):
    path = tmp_path / "fake.srt"
    path.write_text("just some words\n")
    with pytest.raises(UnreadableFile, match="no timed cues"):
        read_document(path)


def test_text_encodings(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("Café au lait.\n\nSecond paragraph.".encode("cp1252"))
    doc = read_document(path)
    assert [b.text for b in doc.blocks()] == ["Café au lait.", "Second paragraph."]
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(UnreadableFile, match="binary"):
        read_document(binary)


def test_registry_builds_the_dialog_filter():
    for ext in (".pdf", ".docx", ".png", ".tiff", ".webp", ".md", ".txt", ".srt", ".vtt"):
        assert ext in supported_extensions()
        assert f"*{ext}" in dialog_filter()


@pytest.mark.parametrize("original, repaired, accepted", [
    ("The Linn5equencer is a state-of-the-art", "The LinnSequencer is a state-of-the-art", True),
    ("Recording a Sequence", "Recording a Sequence", False),  # no change
    ("Recording a Sequence", "", False),
    ("Recording a Sequence", "Here is the corrected line: Recording a Sequence", False),
    ("0 Optional SMPTE time code", "Optional remote control of everything", False),  # invented
])
def test_repair_is_accepted_only_as_a_small_edit(original, repaired, accepted):
    assert accept_repair(original, repaired) is accepted


def test_clean_reply_takes_the_first_line():
    assert clean_reply('Line: "Fixed text"\nExplanation: ...') == "Fixed text"
