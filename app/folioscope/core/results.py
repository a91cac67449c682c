"""What happened to one file given to the library."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class IngestStage:
    """A file on its way in: "opened" (its page sizes known: `pages`, None for files without
    pages) or "text" (its pages and text stored as `doc_id`; chunks and chapters follow)."""

    path: Path
    stage: str
    doc_id: int | None = None
    pages: list[tuple[float, float]] | None = None


@dataclass
class IngestResult:
    path: Path
    status: str  # "added", "updated", "unchanged", "failed", "cancelled"; "read": the text stored, not the chunks
    message: str = ""
    doc_id: int | None = None
    seconds: float = 0.0
    routes: dict[str, int] = field(default_factory=dict)
    bug: str = ""  # failed by an unexpected error in Folioscope, not the file: the exception's type

    @property
    def ok(self) -> bool:
        return self.status in ("added", "updated", "unchanged")

    def as_dict(self) -> dict:
        return {"path": str(self.path), "status": self.status, "message": self.message,
                "doc_id": self.doc_id, "seconds": round(self.seconds, 3), "routes": self.routes,
                **({"bug": self.bug} if self.bug else {})}


def indexing_note(result: dict) -> str:
    """One sentence on the documents not yet searched by chunk, and where their text has the
    question's words (`result`: the ask's JSON-like dict)."""
    n = result.get("still_indexing", 0)
    if not n:
        return ""
    pages = result.get("indexing_pages") or []
    found = "; ".join(f"{p['document']} p{p['page']}" for p in pages[:3])
    return (f"{n} document{'s' if n > 1 else ''} still being indexed {'were' if n > 1 else 'was'} not searched "
            "for evidence" + (f"; the question's words are in {found}." if found else "."))

