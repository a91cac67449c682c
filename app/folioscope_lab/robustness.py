"""Hostile input at volume: every PDF, Word file and image of the data, damaged in several
ways, read into one library by the reader child (a time limit and a memory cap on each),
as the window reads dropped files.

Mutations (each file gets every one that applies to its kind):
- truncated at 10%, 25%, 50%, 75% and 90% of its bytes; 8, 64 or 512 bits flipped (fixed
  seeds); a tenth of it zeroed in the middle; 4 KB of garbage appended;
- PDF: a page box of a million points square; an object nested 50,000 arrays deep; a stream
  that inflates to 512 MB;
- Word: the zip's central directory damaged; the document part deleted; XML nested 100,000
  elements deep; a 256 MB part that compresses to a few hundred kilobytes;
- images: width and height declared as 60,000 pixels; a 30,000 x 30,000 PNG of one colour
  (a decompression bomb of a few kilobytes).

Every outcome must be "added" or one clear sentence; a crash or a hang is a failure, and the
library must pass SQLite's integrity check afterwards. A refusal caused by an unexpected error
in Folioscope (any exception that is not a damaged, unsupported or too-large file) is a **bug**,
never a refusal, however tidy its sentence: `bugs` counts them, with the file, mutation and
exception type. Every outcome's message is kept (`outcomes`) and refusals are counted by
reason (`refusals_by_reason`: the message with the file's name and numbers taken out).
"""

from __future__ import annotations

import functools
import io
import random
import struct
import tempfile
import time
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from folioscope.core import Cancelled, Progress

TIME_LIMIT = 90.0  # seconds for one file
MEMORY_LIMIT = 6 << 30  # bytes of address space for the reader child (torch and ONNX Runtime map ~3 GB)
KINDS = {".pdf": "pdf", ".docx": "docx", ".png": "image", ".jpg": "image", ".jpeg": "image"}


# ---- mutations -----------------------------------------------------------------------------

def truncate(share: float) -> Callable[[bytes], bytes]:
    return lambda data: data[:max(1, int(len(data) * share))]


def flip(data: bytes, count: int = 32, seed: int = 7) -> bytes:
    """`count` bits flipped at random places (a fixed seed)."""
    rng = random.Random(seed + len(data))
    out = bytearray(data)
    for _ in range(count):
        at = rng.randrange(len(out))
        out[at] ^= 1 << rng.randrange(8)
    return bytes(out)


def zero_middle(data: bytes) -> bytes:
    """A tenth of the file, in its middle, overwritten with zeros (a bad sector)."""
    at, size = len(data) // 2, max(1, len(data) // 10)
    return data[:at] + b"\0" * size + data[at + size:]


def pdf_huge_page(data: bytes) -> bytes:
    import re
    return re.sub(rb"/MediaBox\s*\[[^\]]*\]", b"/MediaBox [0 0 1000000 1000000]", data, count=0) or data


def pdf_deep_nesting(data: bytes) -> bytes:
    depth = 50_000
    return data + b"\n999 0 obj\n" + b"[" * depth + b"]" * depth + b"\nendobj\n"


@functools.lru_cache(maxsize=1)
def _zeros_deflated() -> bytes:
    return zlib.compress(b"\0" * (512 << 20), 9)


def pdf_bomb(data: bytes) -> bytes:
    stream = _zeros_deflated()
    return data + (b"\n998 0 obj\n<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream)
                   + stream + b"\nendstream\nendobj\n")


def _rezip(data: bytes, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = change(item.filename, src.read(item.filename))
            if body is not None:
                dst.writestr(item.filename, body)
        for name, body in (extra or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


def docx_broken_directory(data: bytes) -> bytes:
    at = data.rfind(b"PK\x01\x02")
    return data[:at] + b"\x00" * 64 + data[at + 64:] if at > 0 else flip(data)


def docx_no_document(data: bytes) -> bytes:
    return _rezip(data, lambda name, body: None if name == "word/document.xml" else body)


def docx_deep_nesting(data: bytes) -> bytes:
    depth = 100_000
    deep = b"<w:p>" * depth + b"</w:p>" * depth

    def change(name: str, body: bytes) -> bytes:
        return body.replace(b"<w:body>", b"<w:body>" + deep, 1) if name == "word/document.xml" else body
    return _rezip(data, change)


def docx_bomb(data: bytes) -> bytes:
    def change(name: str, body: bytes) -> bytes:
        if name == "word/document.xml":
            filler = b"<w:p><w:r><w:t>" + b"a" * (256 << 20) + b"</w:t></w:r></w:p>"
            return body.replace(b"<w:body>", b"<w:body>" + filler, 1)
        return body
    return _rezip(data, change)


def _png(width: int, height: int, rows: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def image_huge_dimensions(data: bytes) -> bytes:
    if data.startswith(b"\x89PNG"):
        header = struct.pack(">II", 60_000, 60_000) + data[24:29]
        crc = struct.pack(">I", zlib.crc32(b"IHDR" + header) & 0xFFFFFFFF)
        return data[:16] + header + crc + data[33:]
    at = data.find(b"\xff\xc0")  # JPEG start of frame: height and width follow the precision
    if at < 0:
        return flip(data)
    return data[:at + 5] + struct.pack(">HH", 60_000, 60_000) + data[at + 9:]


@functools.lru_cache(maxsize=1)
def image_bomb(data: bytes = b"") -> bytes:
    side = 30_000
    rows = zlib.compressobj(9)
    body = b"".join(rows.compress(b"\0" + b"\xff" * side) for _ in range(side)) + rows.flush()
    return _png(side, side, body)


MUTATIONS: dict[str, list[tuple[str, Callable[[bytes], bytes]]]] = {
    "any": [("truncated-10", truncate(0.1)), ("truncated-25", truncate(0.25)), ("truncated-50", truncate(0.5)),
            ("truncated-75", truncate(0.75)), ("truncated-90", truncate(0.9)),
            ("8-bits-flipped", lambda d: flip(d, 8, 1)), ("64-bits-flipped", lambda d: flip(d, 64, 2)),
            ("512-bits-flipped", lambda d: flip(d, 512, 3)), ("middle-zeroed", zero_middle),
            ("garbage-appended", lambda d: d + bytes(random.Random(len(d)).randrange(256) for _ in range(4096)))],
    "pdf": [("huge-page", pdf_huge_page), ("deep-nesting", pdf_deep_nesting), ("bomb", pdf_bomb)],
    "docx": [("zip-directory-damaged", docx_broken_directory), ("no-document-part", docx_no_document),
             ("deep-nesting", docx_deep_nesting), ("bomb", docx_bomb)],
    "image": [("huge-dimensions", image_huge_dimensions), ("bomb", image_bomb)],
}


def mutate(files: list[Path], into: Path) -> list[tuple[Path, Path, str]]:
    """(mutated file, original, mutation) for every file and every mutation of its kind."""
    into.mkdir(parents=True, exist_ok=True)
    out = []
    for n, path in enumerate(files):
        kind = KINDS[path.suffix.lower()]
        data = path.read_bytes()
        for name, fn in MUTATIONS["any"] + MUTATIONS[kind]:
            try:
                mutated = fn(data)
            except (zipfile.BadZipFile, ValueError, OSError):
                continue  # a file of that kind that cannot be mutated that way
            target = into / f"{n:03d}-{name}-{path.name}"
            target.write_bytes(mutated)
            out.append((target, path, name))
    return out


# ---- reading them ----------------------------------------------------------------------------

class Deadline(Progress):
    """Cancels the work when its time is up (the worker is then stopped)."""

    def __init__(self, seconds: float):
        super().__init__()
        self.until = time.monotonic() + seconds
        self.expired = False

    def check(self) -> None:
        if time.monotonic() > self.until:
            self.expired = True
            raise Cancelled()


def guarded_ingest(folder: Path, path: Path, options, chunk_options, threads: int | None = None, *,
                   memory: int, progress: Progress, emit):
    """Runs in the reader child: cap its memory, then read the file as the window would."""
    import resource
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > memory:
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard))
    from folioscope.ingest import IngestOptions
    from folioscope.workers.tasks import ingest_task
    return ingest_task(folder, path, options or IngestOptions(chapter_titles="keyphrases"), chunk_options, threads,
                       progress=progress, emit=emit)


def one_sentence(message: str) -> bool:
    """A message a user can read: one line, ends like a sentence, no exception names."""
    return (bool(message) and "\n" not in message.strip() and message.strip()[-1] in ".!?"
            and "Traceback" not in message and "Error:" not in message and " could not be read (" not in message)


def refusal_reason(message: str, name: str) -> str:
    """A refusal's reason: its sentence without the file's name and with numbers as N."""
    import re
    return re.sub(r"\d+(\.\d+)?", "N", message.replace(name, "FILE")).strip()


class Tally:
    """The outcomes of a robustness run, counted: each file added, refused (by reason, and
    whether its sentence is clear), a bug, a crash or a hang."""

    def __init__(self) -> None:
        self.counts = {"files": 0, "added": 0, "rejected": 0, "rejected_for_memory": 0, "crashed": 0, "hung": 0,
                       "unclear_messages": 0, "bugs": 0}
        self.failures: list[dict] = []
        self.bugs: list[dict] = []
        self.outcomes: list[dict] = []
        self.reasons: dict[str, int] = {}

    def add(self, result, where: dict, expired: bool = False) -> bool:
        """Count one file's result; True when the reader should be started afresh (it hung,
        or ran short of memory and stays so)."""
        from folioscope.workers.pool import READER_STOPPED
        self.counts["files"] += 1
        self.outcomes.append({**where, "status": result.status, "message": result.message,
                              **({"bug": result.bug} if result.bug else {})})
        if result.status == "cancelled":
            self.counts["hung" if expired else "crashed"] += 1
            self.failures.append({**where, "outcome": "hung"})
            return True
        if result.message.endswith(READER_STOPPED):
            self.counts["crashed"] += 1
            self.failures.append({**where, "outcome": f"crashed: {result.message[:200]}"})
            return False
        if result.bug:  # an error of Folioscope's own, not a file it refuses
            self.counts["bugs"] += 1
            self.bugs.append({**where, "exception": result.bug, "message": result.message[:200]})
            return False
        if result.ok:
            self.counts["added"] += 1
            return False
        reason = refusal_reason(result.message, result.path.name)
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        self.counts["rejected"] += 1
        if not one_sentence(result.message):
            self.counts["unclear_messages"] += 1
            self.failures.append({**where, "outcome": f"unclear: {result.message[:200]}"})
        if "memory available" in result.message:  # under the cap; counted apart
            self.counts["rejected_for_memory"] += 1
            return True  # a reader out of memory stays short of it
        return False

    def report(self) -> dict:
        return {**self.counts, "failures": self.failures, "bug_list": self.bugs,
                "refusals_by_reason": dict(sorted(self.reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
                "outcomes": self.outcomes}


def evaluate_robustness(data: Path, limit: int | None = None, time_limit: float = TIME_LIMIT,
                        memory: int = MEMORY_LIMIT) -> dict:
    from functools import partial

    from folioscope.index import Store
    from folioscope.workers.pool import ReaderPool
    originals = sorted(p for folder in ("pdfs", "docx", "images") for p in (data / folder).rglob("*")
                       if p.is_file() and p.suffix.lower() in KINDS)[:limit]
    tally = Tally()
    started = time.perf_counter()
    task = partial(guarded_ingest, memory=memory)  # the window's pool, each reader under the memory cap
    with tempfile.TemporaryDirectory(prefix="folioscope-robustness-") as temp:
        mutated = mutate(originals, Path(temp) / "files")
        folder = Path(temp) / "library"
        Store(folder).close()
        with ReaderPool(1, "folioscope-robustness") as pool:
            for path, original, mutation in mutated:
                deadline = Deadline(time_limit)
                [result] = pool.ingest(folder, [path], progress=deadline, task=task,
                                       file_progress=lambda n, count, p, progress: progress, index=False)
                if tally.add(result, {"file": str(original.relative_to(data)), "mutation": mutation},
                             deadline.expired):
                    pool.restart()
        with Store(folder) as store:
            problems = store.check()
            documents = len(store.documents())
    report = tally.report()
    return {**{k: report.pop(k) for k in tally.counts}, "originals": len(originals), "documents_in_library": documents,
            "integrity_errors": len(problems), "time_limit_s": time_limit, "memory_limit_gb": memory / (1 << 30),
            "seconds": round(time.perf_counter() - started, 1), **report}
