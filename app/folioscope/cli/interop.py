"""The commands that connect Folioscope to a reader's other tools: the questions asked
(`history`), a document's annotated PDF and notes (`export --annotated-pdf/--notes`), a Zotero
library (`import-zotero`), and a document opened at a sentence (`open`, or a
`folioscope://open?...` link)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core import FolioscopeError, Progress
from .common import StderrProgress, ingest_options, open_store, print_json, reading_args


def cmd_history(args) -> int:
    with open_store(args) as library:
        doc_id = library.resolve(args.doc) if args.doc else None
        entries = library.history(doc_id, args.limit)
    if args.json:
        print_json([e.as_dict() for e in entries])
        return 0
    if not entries:
        print("No questions asked yet" + (" of this document." if doc_id is not None else "."))
    for e in entries:
        where = sorted({f"{e.documents.get(ev.doc_id, ev.doc_id)} p{ev.page + 1}" for ev in e.answer.evidence})
        print(f"{e.id:4}  {e.at[:16].replace('T', ' ')}  {e.answer.question}")
        print(f"      {' '.join(e.answer.text.split())}")
        if where:
            print(f"      evidence: {', '.join(where[:4])}{' ...' if len(where) > 4 else ''}")
    return 0


def export_interop(args) -> bool:
    """`export --annotated-pdf` / `--notes`: True when one of them was asked for (and done)."""
    if not (args.annotated_pdf or args.notes):
        if args.question or args.boundaries:
            raise FolioscopeError("--question and --boundaries go with --annotated-pdf or --notes.")
        return False
    from ..interop.annotated import export_annotated_pdf
    from ..interop.notes import export_notes
    with open_store(args) as library:
        doc_id = library.resolve(args.doc)
        if args.annotated_pdf:
            done = export_annotated_pdf(library, doc_id, Path(args.annotated_pdf), args.question, args.boundaries)
            print(f"{done.path}: {done.highlights} evidence sentences highlighted for {done.questions} questions"
                  + (f", {done.boundaries} chunk boundaries drawn" if args.boundaries else "") + ".")
        if args.notes:
            done = export_notes(library, doc_id, Path(args.notes), args.question)
            print(f"{done.path}: {done.questions} questions with {done.highlights} quotes.")
    return True


def cmd_import_zotero(args) -> int:
    from ..interop.zotero import default_zotero_dir, import_zotero
    reporter = StderrProgress()
    folder = Path(args.zotero_dir) if args.zotero_dir else default_zotero_dir()
    with open_store(args) as library:
        try:
            report = import_zotero(library, folder, args.collection, ingest_options(args),
                                   Progress(None if args.quiet else reporter))
        except KeyboardInterrupt:
            reporter.finish()
            print("interrupted: the items imported so far stay in the library.", file=sys.stderr)
            return 130
    reporter.finish()
    if args.json:
        print_json(report.as_dict())
    else:
        for entry in report.imported:
            print(f"imported  {entry['title']}")
        for entry in report.updated:
            print(f"updated   {entry['title']}")
        for entry in report.skipped:
            print(f"skipped   {entry['title']}: {entry['why']}", file=sys.stderr)
        for entry in report.failed:
            print(f"failed    {entry['message']}", file=sys.stderr)
        print(report.summary())
    return 1 if report.failed else 0


def cmd_open(args) -> int:
    """Open the window at a document's page and sentence (the target of `folioscope://` links)."""
    from ..interop.links import Location, is_link, parse_link
    location = parse_link(args.doc) if is_link(args.doc) else Location(
        args.doc, args.page, args.offset)
    return open_location(location, args.library)


def open_location(location, library: str | None) -> int:
    from ..index import Store
    library = location.library or library
    with Store(library) as store:  # the document must exist before a window opens for it
        doc_id = store.resolve(location.doc)
        n_pages = store.document(doc_id).n_pages
    if location.page is not None and not 1 <= location.page <= max(n_pages, 1):
        raise FolioscopeError(f"The document has {n_pages} pages; page {location.page} is not one of them.")
    from . import run_window
    return run_window(library=library, open_at=(doc_id, (location.page or 1) - 1, location.offset))


def add_commands(sub) -> None:
    p = sub.add_parser("history", help="the questions asked, with their answers and evidence")
    p.add_argument("--doc", help="only the questions with evidence in this document")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="the N most recent")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("import-zotero", help="import a Zotero library's PDFs with their metadata and collections")
    p.add_argument("--zotero-dir", metavar="DIR", help="Zotero's data folder (default: ~/Zotero)")
    p.add_argument("--collection", metavar="NAME", help="only this collection (and its sub-collections)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    reading_args(p)
    p.set_defaults(func=cmd_import_zotero)

    p = sub.add_parser("open", help="open the window at a document's page and sentence")
    p.add_argument("doc", metavar="DOC", help="document id, file name or title; or a folioscope:// link")
    p.add_argument("--page", type=int, default=None, metavar="N", help="page number (1 is the first)")
    p.add_argument("--offset", type=int, default=None, metavar="K",
                   help="character offset in the document's text: the sentence holding it is highlighted")
    p.set_defaults(func=cmd_open)


def export_args(p) -> None:
    p.add_argument("--annotated-pdf", metavar="OUT.pdf",
                   help="a copy of the PDF with each evidence sentence highlighted, the question and answer as notes")
    p.add_argument("--notes", metavar="OUT.md", help="the questions, answers and quoted evidence as Markdown")
    p.add_argument("--question", type=int, action="append", metavar="ID",
                   help="only this question (folioscope history); repeat for more (default: all)")
    p.add_argument("--boundaries", action="store_true", help="with --annotated-pdf, draw the chunk boundaries")
