"""Table rows as evidence: a row is read with its table's column headers.

A table row alone ("USER_NAME | VARCHAR(10) | Name of the user profile ...") says nothing of
what its cells are; with its headers it answers "what data type is USER_NAME?". The reader
stores each row of a born-digital table as one block, the first as the table's header row
(`ingest/tables.py`). Here a row is given its header: cell by cell where the two have as many
cells ("Column name: USER_NAME | Data type: VARCHAR(10) | ..."), else the header row before it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

SEPARATOR = " | "


@dataclass(frozen=True)
class Row:
    start: int
    end: int
    text: str  # the row with its headers


def labelled(header: str, row: str) -> str:
    names, cells = header.split(SEPARATOR), row.split(SEPARATOR)
    if len(names) == len(cells) > 1:
        return SEPARATOR.join(f"{n}: {c}" for n, c in zip(names, cells))
    return f"{header}: {row}"


class TableRows:
    """The body rows of one document's tables, found by offset."""

    def __init__(self, blocks: list[tuple[str, int, int, int]], text: str):
        """`blocks`: (role, table number, start, end) of the table blocks, in text order
        (`Store.table_blocks`); `text`: the document text."""
        headers = {number: text[a:b] for role, number, a, b in blocks if role == "table_header"}
        self.rows = [Row(a, b, labelled(headers[number], text[a:b]) if number in headers else text[a:b])
                     for role, number, a, b in blocks if role == "table_row"]
        self._starts = [r.start for r in self.rows]
        self.headers = [(a, b) for role, _, a, b in blocks if role == "table_header"]

    def in_header(self, start: int, end: int) -> bool:
        """Whether [start, end) lies in a header row (context for its rows, never evidence)."""
        return any(a <= start and end <= b for a, b in self.headers)

    def at(self, start: int, end: int) -> Row | None:
        """The row holding [start, end), if any."""
        i = bisect.bisect_right(self._starts, start) - 1
        if i >= 0 and self.rows[i].start <= start and end <= self.rows[i].end:
            return self.rows[i]
        return None
