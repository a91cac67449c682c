"""The history room of the store: every question asked, with its answer and evidence.

An entry keeps what the person read: the question, the answer shown (and the model's own
wording with the reason it was or was not shown), the evidence sentences with their
document, page and boxes, the model and the time. Removing a document removes its evidence
from the entries that cite it; the questions and answers stay.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..core import Answer, Evidence, FolioscopeError
from .base import StoreBase, now


@dataclass(frozen=True)
class AskEntry:
    id: int
    at: str
    model: str
    seconds: float
    answer: Answer  # its evidence in cited order; the evidence of removed documents left out
    n_evidence: int  # evidence items when asked (more than `answer.evidence` once a document is removed)
    documents: dict[int, str] = field(default_factory=dict)  # doc_id -> name, for the evidence

    @property
    def removed(self) -> int:
        """Evidence items that were in documents removed since."""
        return self.n_evidence - len(self.answer.evidence)

    def as_dict(self) -> dict:
        """What `folioscope history --json` prints for the entry."""
        a = self.answer
        return {"id": self.id, "at": self.at, "question": a.question, "answer": a.text, "found": a.found,
                "extractive_answer": a.extractive, "model_answer": a.generated, "model_supported": a.supported,
                "model": self.model, "seconds": round(self.seconds, 3), "evidence_removed": self.removed,
                "evidence": [{"n": n, "doc_id": e.doc_id, "document": self.documents.get(e.doc_id),
                              "page": e.page + 1, "start": e.start, "end": e.end, "text": e.text,
                              "score": round(e.score, 4),
                              "boxes": [{"page": b[0] + 1, "box": list(b[1:])} for b in e.boxes]}
                             for n, e in enumerate(a.evidence, 1)]}


class HistoryRows(StoreBase):
    """Questions asked, their answers and evidence."""

    def remember(self, answer: Answer, model: str, seconds: float = 0.0) -> int:
        """Keep a question with its answer and evidence; returns the entry's id."""
        citations = json.dumps({str(n): i for n, i in answer.citations.items()})
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO asks (at, question, answer, extractive, generated, found, supported, support_note, "
                "citations, model, seconds, n_evidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (now(), answer.question, answer.text, answer.extractive, answer.generated, int(answer.found),
                 None if answer.supported is None else int(answer.supported), answer.support_note, citations,
                 model, seconds, len(answer.evidence)))
            ask_id = int(cur.lastrowid or 0)
            self.conn.executemany(
                "INSERT INTO ask_evidence (ask_id, idx, doc_id, page_no, start, end, text, score, chunk, boxes) "
                "VALUES (?,?,?,?,?,?,?,?,?,?)",
                [(ask_id, i, e.doc_id, e.page, e.start, e.end, e.text, e.score, e.chunk,
                  json.dumps([[b[0], *(round(v, 2) for v in b[1:])] for b in e.boxes]))
                 for i, e in enumerate(answer.evidence)])
        return ask_id

    def history(self, doc_id: int | None = None, limit: int | None = None) -> list[AskEntry]:
        """Entries, newest first; with `doc_id`, those with evidence in that document."""
        sql = "SELECT id FROM asks"
        params: list = []
        if doc_id is not None:
            sql += " WHERE id IN (SELECT ask_id FROM ask_evidence WHERE doc_id = ?)"
            params.append(doc_id)
        sql += " ORDER BY id DESC" + (" LIMIT ?" if limit is not None else "")
        if limit is not None:
            params.append(limit)
        return [self.ask_entry(int(r[0])) for r in self.conn.execute(sql, params).fetchall()]

    def ask_entry(self, ask_id: int) -> AskEntry:
        row = self.conn.execute(
            "SELECT id, at, question, answer, extractive, generated, found, supported, support_note, citations, "
            "model, seconds, n_evidence FROM asks WHERE id = ?", (ask_id,)).fetchone()
        if row is None:
            raise FolioscopeError(f"No question with id {ask_id} in the history (folioscope history lists them).")
        rows = self.conn.execute(
            "SELECT e.idx, e.doc_id, e.page_no, e.start, e.end, e.text, e.score, e.chunk, e.boxes, d.name "
            "FROM ask_evidence e JOIN documents d ON d.id = e.doc_id WHERE e.ask_id = ? ORDER BY e.idx",
            (ask_id,)).fetchall()
        kept = {r[0]: i for i, r in enumerate(rows)}  # index when asked -> index now
        evidence = [Evidence(doc_id=r[1], start=r[3], end=r[4], text=r[5], score=r[6], page=r[2],
                             boxes=[tuple(b) for b in json.loads(r[8] or "[]")], chunk=r[7]) for r in rows]
        citations = {int(n): kept[i] for n, i in json.loads(row[9] or "{}").items() if i in kept}
        answer = Answer(question=row[2], text=row[3], evidence=evidence, citations=citations, found=bool(row[6]),
                        extractive=row[4], generated=row[5], supported=None if row[7] is None else bool(row[7]),
                        support_note=row[8])
        return AskEntry(id=row[0], at=row[1], model=row[10], seconds=row[11] or 0.0, answer=answer,
                        n_evidence=row[12], documents={r[1]: r[9] for r in rows})

    def forget(self, ask_id: int) -> None:
        """Remove an entry from the history."""
        with self.transaction():
            self.conn.execute("DELETE FROM ask_evidence WHERE ask_id = ?", (ask_id,))
            self.conn.execute("DELETE FROM asks WHERE id = ?", (ask_id,))
