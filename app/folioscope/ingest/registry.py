"""Readers registered by file type. The file dialog's filter is built from the same table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core import Document, Progress, UnreadableFile
from .options import IngestOptions

ReadFn = Callable[[Path, IngestOptions, Progress], Document]


@dataclass(frozen=True)
class Reader:
    name: str
    label: str  # for the file dialog
    extensions: tuple[str, ...]
    read: ReadFn


READERS: dict[str, Reader] = {}


def register(reader: Reader) -> None:
    READERS[reader.name] = reader


def reader_for(path: Path) -> Reader:
    suffix = path.suffix.lower()
    for reader in READERS.values():
        if suffix in reader.extensions:
            return reader
    kinds = ", ".join(r.label for r in READERS.values())
    what = f"'{suffix}' files" if suffix else "files without an extension"
    raise UnreadableFile(f"{path.name}: Folioscope cannot read {what}; it reads {kinds}.")


def supported_extensions() -> list[str]:
    return sorted(ext for r in READERS.values() for ext in r.extensions)


def dialog_filter() -> str:
    all_ext = " ".join(f"*{e}" for e in supported_extensions())
    parts = [f"All documents ({all_ext})"]
    parts += [f"{r.label} ({' '.join('*' + e for e in r.extensions)})" for r in READERS.values()]
    return ";;".join(parts)


# Magic bytes of formats people rename by mistake.
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF", "pdf", "a PDF"),
    (b"\x89PNG\r\n\x1a\n", "image", "a PNG image"),
    (b"\xff\xd8\xff", "image", "a JPEG image"),
    (b"II*\x00", "image", "a TIFF image"),
    (b"MM\x00*", "image", "a TIFF image"),
    (b"GIF8", "image", "a GIF image"),
    (b"PK\x03\x04", "zip", "a ZIP archive (or an Office file)"),
]


def sniff(head: bytes) -> tuple[str, str] | None:
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image", "a WEBP image"
    if b"%PDF" in head[:1024]:
        return "pdf", "a PDF"
    for magic, kind, label in SIGNATURES:
        if head.startswith(magic):
            return kind, label
    return None


def check_content(path: Path, reader: Reader, head: bytes) -> None:
    """Refuse a file whose content is not what its extension says."""
    found = sniff(head)
    expected = {"pdf": "pdf", "image": "image", "docx": "zip"}.get(reader.name)
    if expected is None:  # text formats: anything decodable goes
        if found is not None and found[0] != "zip":
            raise UnreadableFile(f"{path.name} is named like a text file but is {found[1]}.")
        return
    if found is None or found[0] != expected:
        what = found[1] if found else "not a recognised format"
        article = f"is {what}" if found else "is damaged or not what its extension says"
        raise UnreadableFile(f"{path.name} is named '{path.suffix}' but {article}; "
                             f"rename it or export it again.")
