"""Command line: a thin shell over the library (a stable contract: scripts call it).

    folioscope                       open the GUI (also with files: folioscope a.pdf b.docx)
    folioscope ingest PATH... [--jobs N] [--json]
    folioscope docs [--json]
    folioscope pages DOC [--json]
    folioscope chunks DOC [--json]      chunks with offsets, pages, boxes and boundary scores
    folioscope chapters DOC [--json]    chapters with titles and page ranges
    folioscope ask "QUESTION" [--doc DOC] [--model NAME] [--json]
    folioscope models [--folder DIR] [--json]   GGUF models on this machine (GPT4All, LM Studio, Ollama, ...)
    folioscope history [--doc DOC] [--json]      the questions asked, answers and evidence
    folioscope export DOC [--annotated-pdf OUT.pdf] [--notes OUT.md] [--question ID]
    folioscope import-zotero [--zotero-dir DIR] [--collection NAME] [--json]
    folioscope open DOC [--page N] [--offset K]  (or: folioscope folioscope://open?doc=...)
    folioscope rechunk / edit / export DOC ...
    folioscope segment [--strategy S] [--json] < text
    folioscope library {check,backup DEST,rebuild}
    folioscope batch ingest DIR --out SHARDS [--ray ADDRESS] [--jobs N] [--json]
    folioscope import SHARDS [--json]

Every command exits non-zero with a one-line reason on bad input. The evaluations, benchmarks
and model training are the lab's (`folioscope-lab`, in app/folioscope_lab), not the product's.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..core import FolioscopeError, Progress
from .common import StderrProgress, each_result, ingest_options, open_store, print_json, reading_args
from .interop import add_commands as add_interop_commands
from .interop import export_args, export_interop
from .library import add_commands as add_library_commands
from .models import add_commands as add_model_commands

__all__ = ["StderrProgress", "build_parser", "main", "print_json"]

COMMANDS = ("ingest", "docs", "pages", "chunks", "chapters", "ask", "rechunk", "edit", "export", "segment", "models",
            "library", "batch", "import", "history", "import-zotero", "open")


def cmd_ingest(args) -> int:
    options = ingest_options(args)
    reporter = StderrProgress()
    progress = Progress(None if args.quiet else reporter)
    paths = [Path(p) for p in args.paths]
    with open_store(args) as library:
        if args.jobs > 1:  # reader processes, each storing what it reads (workers.ReaderPool)
            results = each_result(_pooled(library.folder, paths, options, args.jobs, progress), reporter,
                                   args.json, "interrupted: the files being read were not added.")
        else:
            from ..pipeline import ingest_paths
            results = each_result(ingest_paths(library, paths, options, progress), reporter, args.json,
                                   "interrupted: the file being read was not added.")
    if results is None:
        return 130
    if not results:
        print("No supported files found in " + ", ".join(args.paths) + ".", file=sys.stderr)
        return 1
    if args.json:
        print_json([r.as_dict() for r in results])
    return 0 if all(r.ok for r in results) else 1


def _pooled(folder: Path, paths: list[Path], options, jobs: int, progress: Progress):
    """The pool's results, in the files' order."""
    from ..workers.pool import ReaderPool
    with ReaderPool(jobs) as pool:
        yield from pool.ingest(folder, paths, options, progress=progress, index=False)


def cmd_docs(args) -> int:
    with open_store(args) as library:
        docs = library.documents()
        collections = library.collections()
    if args.json:
        print_json([{**d.as_dict(), "collections": sorted(c for c, ids in collections.items() if d.id in ids)}
                    for d in docs])
        return 0
    if not docs:
        print("The library is empty: folioscope ingest FILE adds documents.")
    for d in docs:
        routes = ", ".join(f"{n} {r}" for r, n in sorted(d.routes.items()))
        print(f"{d.id:4}  {d.name[:40]:40}  {d.kind:10} {d.n_pages:4} pages  {routes}")
    return 0


def cmd_pages(args) -> int:
    with open_store(args) as library:
        doc_id = library.resolve(args.doc)
        pages = library.pages(doc_id)
        document = library.load_document(doc_id)
    rows = []
    for page, loaded in zip(pages, document.pages):
        text = "\n\n".join(b.text for b in loaded.blocks)
        rows.append({"page": page.page_no + 1, "route": page.route, "reason": page.reason,
                     "timings": page.timings, "rotation": page.rotation,
                     "blocks": len(loaded.blocks), "text": text})
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print(f"--- page {row['page']}  [{row['route']}] {row['reason'].get('why', '')}")
        print(row["text"])
    return 0


def _chunk_options(args):
    from ..core import ChunkOptions
    return ChunkOptions(**{k: v for k, v in (("strategy", args.strategy), ("budget", args.budget))
                           if v is not None})


def cmd_chunks(args) -> int:
    from ..index.export import chunk_records
    with open_store(args) as library:
        records = chunk_records(library, library.resolve(args.doc))
    if args.json:
        print_json(records)
        return 0
    for r in records:
        pages = ",".join(str(p) for p in r["pages"])
        preview = " ".join(r["text"].split())[:90]
        print(f"{r['chunk']:4}  p{pages:6} {r['tokens']:4} tok  score {r['boundary_score']:.2f}  {preview}")
    return 0


def _time(seconds: float | None) -> str:
    if seconds is None:
        return ""
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}" if minutes >= 60 else f"{minutes}:{secs:02d}"


def cmd_chapters(args) -> int:
    with open_store(args) as library:
        doc_id = library.resolve(args.doc)
        chapters = library.chapters(doc_id)
        if args.retitle or not chapters:
            from ..pipeline import rebuild_chapters
            llm = None
            if args.titles == "llm":
                from ..llm import shared_llm
                from ..local_models import resolve_model
                llm = shared_llm(resolve_model(args.model))
            chapters = rebuild_chapters(library, doc_id, args.titles, llm, roles=not args.no_roles)
    if args.json:
        print_json([{**c.__dict__, "first_page": c.first_page + 1, "last_page": c.last_page + 1}
                     for c in chapters])
        return 0
    for c in chapters:
        where = (_time(c.start_time) if c.start_time is not None
                 else f"p{c.first_page + 1}" + (f"-{c.last_page + 1}" if c.last_page != c.first_page else ""))
        print(f"{c.index + 1:3}  {where:9} {'    ' * (c.level - 1)}{c.title}  ({c.title_source})"
              + (f"  [in {c.part}]" if c.part else ""))
    return 0


def cmd_ask(args) -> int:
    from ..answer.ask import ask, indexing_pages
    from ..core.results import indexing_note
    from ..embed import shared_embedder
    from ..llm import answer_llm
    from ..local_models import resolve_model
    from ..pipeline import backfill
    llm = answer_llm(resolve_model(args.model))
    with open_store(args) as library:
        doc_ids = {library.resolve(args.doc)} if args.doc else None
        if not library.count():
            raise FolioscopeError("The library is empty; add documents with folioscope ingest.")
        backfill(library)
        stream = None if args.json else (lambda text: (sys.stdout.write(text), sys.stdout.flush()))
        result = ask(library, args.question, doc_ids, llm=llm, encoder=shared_embedder(), on_token=stream)
        history_id = library.remember(result.answer, llm.path.stem, result.timings.get("total", 0.0))
        rows = {d.id: d for d in library.documents()}
        names = {d: row.name for d, row in rows.items()}
        pages = indexing_pages(library, result)
    answer = result.answer
    evidence = [{"n": n, "doc_id": e.doc_id, "document": names.get(e.doc_id),
                 "cite": rows[e.doc_id].citation if e.doc_id in rows else "", "page": e.page + 1,
                 "start": e.start, "end": e.end, "text": e.text, "score": e.score, "chunk": e.chunk,
                 "boxes": [{"page": b[0] + 1, "box": [round(v, 2) for v in b[1:]]} for b in e.boxes]}
                for n, e in enumerate(answer.evidence, 1)]
    if args.json:
        from ..embed import count_tokens
        g = result.generation
        print_json({"history_id": history_id, "question": answer.question, "model": {"name": llm.path.stem, "path": str(llm.path)},
                    "extractive_answer": answer.extractive, "answer": answer.text,
                    "still_indexing": result.still_indexing, "indexing_pages": pages,
                     "model_answer": answer.generated, "model_supported": answer.supported,
                     "support_note": answer.support_note, "found": answer.found,
                     "citations": {str(n): i for n, i in answer.citations.items()}, "evidence": evidence,
                     "selection": result.retrieval.trace(),
                     "timings": {k: round(v, 4) for k, v in {**result.retrieval.timings, **result.timings}.items()},
                     "tokens": {"context_shown": result.retrieval.tokens,
                                "evidence_read": sum(count_tokens([e.text for e in answer.evidence])),
                                "prompt": g.prompt_tokens if g else 0,
                                "prompt_reused": g.reused_tokens if g else 0,
                                "output": g.output_tokens if g else 0}})
        return 0
    print("\n")
    if answer.found:
        print(f"From the document: {answer.extractive}")
        if answer.generated and not answer.supported:
            print(f"(The model's wording is not supported by its evidence: {answer.support_note}.)")
    for e in evidence:
        source = f"{e['cite']}, {e['document']}" if e["cite"] else e["document"]
        print(f"[{e['n']}] {source} p{e['page']} ({e['score']:.2f}): {' '.join(e['text'].split())}")
    if result.still_indexing:
        print(f"({indexing_note({'still_indexing': result.still_indexing, 'indexing_pages': pages})})")
    kept = [t for t in result.retrieval.trace() if t["kept"]]
    print(f"\n{len(kept)} chunks selected ({result.retrieval.tokens} tokens); "
          f"{result.timings.get('total', 0):.2f} s.")
    return 0


def cmd_rechunk(args) -> int:
    with open_store(args) as library:
        doc_id = library.resolve(args.doc)
        from ..pipeline import rechunk
        chunking = rechunk(library, doc_id, _chunk_options(args))
    print(f"{len(chunking.chunks)} chunks ({chunking.options.strategy}, budget {chunking.options.budget} tokens).")
    return 0


def cmd_edit(args) -> int:
    from ..core import Edit
    from ..pipeline import edit_chunks, redo_edit, undo_edit
    with open_store(args) as library:
        doc_id = library.resolve(args.doc)
        if args.action in ("undo", "redo"):
            done = undo_edit(library, doc_id) if args.action == "undo" else redo_edit(library, doc_id)
            if not done:
                raise FolioscopeError(f"Nothing to {args.action}.")
        else:
            if args.offset is None or (args.action == "move" and args.target is None):
                raise FolioscopeError(f"edit {args.action} needs an offset"
                                      + (" and a target offset." if args.action == "move" else "."))
            edit_chunks(library, doc_id, Edit(args.action, args.offset, args.target))
        print(f"{len(library.chunks(doc_id))} chunks.")
    return 0


def cmd_export(args) -> int:
    if export_interop(args):
        return 0
    from ..index.export import export_chunks
    with open_store(args) as library:
        text = export_chunks(library, library.resolve(args.doc), args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_segment(args) -> int:
    from ..segment.chunker import chunk_text
    text = sys.stdin.read()
    chunking = chunk_text(text, _chunk_options(args))
    if args.json:
        print_json({
            "sentences": [{"start": s.start, "end": s.end, "text": s.text} for s in chunking.sentences],
            "gaps": [{"after": b.after, "offset": b.offset, "score": b.score, "method": b.method}
                     for b in chunking.boundaries],
            "chunks": [{"start": c.start, "end": c.end, "score": c.score, "tokens": n, "text": c.text}
                       for c, n in zip(chunking.chunks, chunking.tokens)]})
        return 0
    cuts = {c.start for c in chunking.chunks[1:]}
    for i, sentence in enumerate(chunking.sentences):
        if sentence.start in cuts or i == 0:
            print(f"=== chunk (boundary {chunking.boundaries[i - 1].score:.2f})" if i else "=== chunk")
        score = f"{chunking.boundaries[i].score:.2f}" if i < len(chunking.boundaries) else "    "
        print(f"{score}  {sentence.text}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="folioscope", description="A local document workbench.")
    parser.add_argument("--library", metavar="DIR", default=None,
                        help="library folder (default: $FOLIOSCOPE_HOME or the user data folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="read files or folders into the library")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    reading_args(p)
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="reader processes, each reading and storing files (default 1: in this process)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("docs", help="list the documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("pages", help="route, reason and text of every page of a document")
    p.add_argument("doc", metavar="DOC", help="document id, file name or title")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pages)

    _add_chunk_commands(sub)
    add_library_commands(sub)
    add_model_commands(sub)
    add_interop_commands(sub)
    return parser


def _chunk_args(p) -> None:
    p.add_argument("--strategy", default=None, help="fixed, texttiling, perplexity or learned (the default)")
    p.add_argument("--budget", type=int, default=None, help="maximum tokens per chunk")


def _add_chunk_commands(sub) -> None:
    """The commands over a document's chunks and chapters, and asking."""
    p = sub.add_parser("chunks", help="chunks of a document with offsets, pages, boxes, scores")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_chunks)

    p = sub.add_parser("chapters", help="chapters of a document with titles and page ranges")
    p.add_argument("doc", help="document id, file name or title")
    p.add_argument("--retitle", action="store_true", help="build the chapters and titles again")
    p.add_argument("--titles", choices=("embedding", "llm", "keyphrases"), default="embedding",
                   help="with --retitle, titles of chapters cut from chunks: the keyphrase nearest the "
                        "chapter's embedding (default), the local LLM, or TF-IDF keyphrases")
    p.add_argument("--no-roles", action="store_true",
                   help="with --retitle, never name a chapter by its section role (Introduction, ...)")
    p.add_argument("--model", metavar="NAME", help="with --titles llm: a GGUF file, or a model's name from "
                                                  "folioscope models (default: the bundled one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_chapters)

    p = sub.add_parser("ask", help="answer a question from the library, with evidence")
    p.add_argument("question")
    p.add_argument("--doc", help="only this document (id, file name or title)")
    p.add_argument("--model", metavar="NAME", help="a GGUF file, or a model's name from folioscope models "
                                                  "(default: the bundled one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("rechunk", help="chunk a document again")
    p.add_argument("doc", metavar="DOC")
    _chunk_args(p)
    p.set_defaults(func=cmd_rechunk)

    p = sub.add_parser("edit", help="split, merge or move chunk boundaries; undo and redo")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("action", choices=["split", "merge", "move", "undo", "redo"])
    p.add_argument("offset", type=int, nargs="?", help="character offset of the boundary")
    p.add_argument("target", type=int, nargs="?", help="move: the new offset")
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("export", help="write the chunks for other pipelines; or an annotated PDF, or notes")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("--format", choices=["jsonl", "json", "md"], default="jsonl")
    p.add_argument("--output", "-o", metavar="FILE")
    export_args(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("segment", help="sentences, gap scores and chunks of text on stdin")
    _chunk_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_segment)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from ..interop.links import is_link
    if argv and is_link(argv[0]):  # a link clicked in notes (the desktop entry's %U)
        argv = ["open", *argv]
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")
                    and not (argv[0] == "--library" and len(argv) > 2 and argv[2] in COMMANDS)):
        return _gui(argv)
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FolioscopeError as exc:
        print(f"folioscope: {exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # damage found after the library opened
        from ..index.store import default_folder, explain
        print(f"folioscope: {explain(exc, Path(args.library) if args.library else default_folder())}",
              file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


def _gui(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="folioscope", description="Open the Folioscope window.")
    parser.add_argument("--library", metavar="DIR", default=None)
    parser.add_argument("files", nargs="*", help="files or folders to add on start")
    args = parser.parse_args(argv)
    # a desktop entry's %U passes files as file:// URLs
    files = [Path(url2pathname(urlsplit(f).path)) if f.startswith("file://") else Path(f) for f in args.files]
    return run_window(files=files, library=args.library)


def run_window(**kwargs) -> int:
    """The window (`gui.app.run`): the one place the command line starts it."""
    from ..gui.app import run
    return run(**kwargs)


if __name__ == "__main__":
    sys.exit(main())
