"""Notes out: a document's questions, answers and quoted evidence as Markdown, each quote with
its page and a `folioscope://` link that opens the window at that sentence."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..index import Store, default_folder
from .annotated import Exported, check_target, chosen_entries, write_atomically
from .links import make_link


def _when(at: str) -> str:
    try:
        return datetime.fromisoformat(at).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return at


def notes_markdown(store: Store, doc_id: int, ask_ids: list[int] | None = None) -> tuple[str, int, int]:
    """The notes, and how many questions and quotes they hold."""
    row = store.document(doc_id)
    entries = chosen_entries(store, doc_id, ask_ids)
    library = None if store.folder.resolve() == default_folder().resolve() else store.folder.resolve()
    title = row.title or row.name
    lines = [f"# Notes on {title}", ""]
    lines.append(" · ".join(p for p in (row.citation, f"`{row.name}`",
                                        f"[open in Folioscope]({make_link(doc_id, library=library)})") if p))
    lines.append("")
    quotes = 0
    for entry in entries:
        answer = entry.answer
        lines += [f"## {answer.question}", "", f"*Asked {_when(entry.at)} · {entry.model}*", ""]
        lines += [f"**Answer:** {' '.join(answer.text.split())}", ""]
        if answer.generated and answer.text != answer.generated:
            lines += [f"*The model said:* {' '.join(answer.generated.split())} "
                      f"*(not shown as the answer: {answer.support_note})*", ""]
        for n, e in enumerate(answer.evidence, 1):
            if e.doc_id != doc_id:
                continue
            link = make_link(doc_id, e.page + 1, e.start, library)
            lines += [f"> [{n}] {' '.join(e.text.split())}", ">",
                      f"> — p. {e.page + 1}{', ' + row.citation if row.citation else ''} · [open]({link})", ""]
            quotes += 1
    if not entries:
        lines += ["No questions have been asked of this document yet.", ""]
    return "\n".join(lines), len(entries), quotes


def export_notes(store: Store, doc_id: int, out: Path, ask_ids: list[int] | None = None) -> Exported:
    check_target(store, doc_id, Path(out))
    text, questions, quotes = notes_markdown(store, doc_id, ask_ids)
    write_atomically(Path(out), text.encode("utf-8"))
    return Exported(Path(out), questions, quotes)
