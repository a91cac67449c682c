"""`folioscope://` links: open a document of a library at a page and a sentence.

    folioscope://open?doc=12&page=3&offset=4180[&library=/path/to/library]

`doc` is the document's id in that library, `page` is 1-based, `offset` is a character offset
of the document's text (the sentence holding it is highlighted). The desktop entry registers
the scheme, so a click in a notes file opens the window there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

from ..core import FolioscopeError

SCHEME = "folioscope"


@dataclass(frozen=True)
class Location:
    doc: str  # an id, file name or title, as `Store.resolve` takes it
    page: int | None = None  # 1-based
    offset: int | None = None
    library: str | None = None


def make_link(doc_id: int, page: int | None = None, offset: int | None = None, library: Path | None = None) -> str:
    query: dict[str, object] = {"doc": doc_id}
    if page is not None:
        query["page"] = page
    if offset is not None:
        query["offset"] = offset
    if library is not None:
        query["library"] = str(library)
    return f"{SCHEME}://open?" + urlencode(query, quote_via=quote, safe="/")


def is_link(text: str) -> bool:
    return text.lower().startswith(f"{SCHEME}:")


def parse_link(url: str) -> Location:
    """The location a `folioscope://open?...` link names; one clear error for anything else."""
    parts = urlsplit(url)
    action = (parts.netloc or parts.path.strip("/")).lower()
    query = parse_qs(parts.query)
    if parts.scheme.lower() != SCHEME or action != "open" or not query.get("doc"):
        raise FolioscopeError(f"{url} is not a Folioscope link (folioscope://open?doc=ID&page=N&offset=K).")

    def number(name: str) -> int | None:
        value = query.get(name, [None])[0]
        if value is None:
            return None
        if not value.isdigit():
            raise FolioscopeError(f"The link's {name} must be a whole number, not '{value}'.")
        return int(value)
    return Location(query["doc"][0], number("page"), number("offset"), query.get("library", [None])[0])
