"""Command line: a thin shell over the library (a stable contract: scripts call it).

    folioscope                       open the GUI (also with files: folioscope a.pdf b.docx)
    folioscope ingest PATH... [--jobs N] [--json]
    folioscope docs [--json]
    folioscope pages DOC [--json]
    folioscope chunks DOC [--json]      chunks with offsets, pages, boxes and boundary scores
    folioscope chapters DOC [--json]    chapters with titles and page ranges
    folioscope ask "QUESTION" [--doc DOC] [--json]
    folioscope rechunk / edit / export DOC ...
    folioscope segment [--strategy S] [--json] < text
    folioscope eval {segmentation,retrieval,answers,chapters,ocr,routes,robustness} [--tune] [--save DIR] [--json]
    folioscope eval segmentation --layers K   (sentence vectors from MiniLM's first K layers)
    folioscope bench [--json]
    folioscope bench scale --measure DIR [--list-rows N] [--json]
    folioscope bench scale --documents N [--distinct M] [--sections S] [--keep DIR] [--list-rows N] [--json]
    folioscope bench vectors --chunks N [--json]
    folioscope bench text --chunks N [--json]      (BM25 in memory against FTS5 over N chunks)
    folioscope library {check,backup DEST,rebuild}
    folioscope batch ingest DIR --out SHARDS [--ray ADDRESS] [--jobs N] [--json]
    folioscope import SHARDS [--json]

Every command exits non-zero with a one-line reason on bad input.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from pathlib import Path

from .core import FolioscopeError, Progress, ProgressEvent

COMMANDS = ("ingest", "docs", "pages", "chunks", "chapters", "ask", "rechunk", "edit", "export", "segment",
            "eval", "bench", "library", "batch", "import")


def _library(args):
    from .index import Store
    return Store(args.library)


def _print_json(data) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


class StderrProgress:
    """Progress on stderr: one rewritten line on a terminal, a line per file otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.last_label = None

    def __call__(self, event: ProgressEvent) -> None:
        if self.tty:
            sys.stderr.write(f"\r\033[K{event.label}: {event.detail} ({event.done}/{event.total})")
            sys.stderr.flush()
        elif event.label != self.last_label:
            sys.stderr.write(f"{event.label} ...\n")
        self.last_label = event.label

    def finish(self) -> None:
        if self.tty and self.last_label:
            sys.stderr.write("\r\033[K")


def _ingest_options(args):
    from .ingest import IngestOptions
    return IngestOptions(ocr_engine=args.ocr_engine, repair=args.repair, dpi=args.dpi)


def cmd_ingest(args) -> int:
    from .pipeline import ingest_paths
    options = _ingest_options(args)
    reporter = StderrProgress()
    with _library(args) as library:
        results = _each_result(ingest_paths(library, [Path(p) for p in args.paths], options,
                                            Progress(None if args.quiet else reporter), jobs=args.jobs),
                               reporter, args.json, "interrupted: the file being read was not added.")
    if results is None:
        return 130
    if not results:
        print("No supported files found in " + ", ".join(args.paths) + ".", file=sys.stderr)
        return 1
    if args.json:
        _print_json([r.as_dict() for r in results])
    return 0 if all(r.ok for r in results) else 1


def _each_result(results, reporter: StderrProgress, as_json: bool, interrupted: str) -> list | None:
    """The ingest results, each printed as it comes unless the output is JSON; None after
    Ctrl+C (with the sentence `interrupted`)."""
    done = []
    try:
        for result in results:
            reporter.finish()
            done.append(result)
            if not as_json:
                print(f"{result.status:9} {result.message}", file=sys.stdout if result.ok else sys.stderr)
    except KeyboardInterrupt:
        reporter.finish()
        print(interrupted, file=sys.stderr)
        return None
    return done


def cmd_batch(args) -> int:
    from .batch.run import batch_ingest
    options = _ingest_options(args)
    reporter = StderrProgress()
    summary = batch_ingest(Path(args.folder), Path(args.out), args.ray, args.jobs, options, Progress(reporter))
    reporter.finish()
    if args.json:
        _print_json(summary)
    else:
        rate = f" in {summary['seconds']:.1f} s ({summary['documents_per_s']} documents/s)" if summary["seconds"] else ""
        print(f"{summary['read']} files read{rate}, {len(summary['failed'])} could not be read, "
              f"{summary['skipped']} already in {args.out}.")
        for failure in summary["failed"]:
            print(f"failed    {failure['message']}", file=sys.stderr)
        print(f"Load them into a library with: folioscope import {args.out}", file=sys.stderr)
    return 1 if summary["failed"] else 0


def cmd_import(args) -> int:
    from .batch.shards import import_shards
    reporter = StderrProgress()
    with _library(args) as library:
        results = _each_result(import_shards(library, Path(args.shards), Progress(reporter)), reporter, args.json,
                               "interrupted: the documents stored so far stay in the library.")
    if results is None:
        return 130
    if args.json:
        _print_json([r.as_dict() for r in results])
    return 0 if all(r.ok for r in results) else 1


def cmd_docs(args) -> int:
    with _library(args) as library:
        docs = library.documents()
    if args.json:
        _print_json([d.as_dict() for d in docs])
        return 0
    if not docs:
        print("The library is empty: folioscope ingest FILE adds documents.")
    for d in docs:
        routes = ", ".join(f"{n} {r}" for r, n in sorted(d.routes.items()))
        print(f"{d.id:4}  {d.name[:40]:40}  {d.kind:10} {d.n_pages:4} pages  {routes}")
    return 0


def cmd_pages(args) -> int:
    with _library(args) as library:
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
        _print_json(rows)
        return 0
    for row in rows:
        print(f"--- page {row['page']}  [{row['route']}] {row['reason'].get('why', '')}")
        print(row["text"])
    return 0


def _chunk_options(args):
    from .core import ChunkOptions
    return ChunkOptions(**{k: v for k, v in (("strategy", args.strategy), ("budget", args.budget))
                           if v is not None})


def cmd_chunks(args) -> int:
    from .index.export import chunk_records
    with _library(args) as library:
        records = chunk_records(library, library.resolve(args.doc))
    if args.json:
        _print_json(records)
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
    with _library(args) as library:
        doc_id = library.resolve(args.doc)
        chapters = library.chapters(doc_id)
        if args.retitle or not chapters:
            from .pipeline import rebuild_chapters
            llm = None
            if args.titles == "llm":
                from .llm import shared_llm
                llm = shared_llm(args.model)
            chapters = rebuild_chapters(library, doc_id, args.titles, llm, roles=not args.no_roles)
    if args.json:
        _print_json([{**c.__dict__, "first_page": c.first_page + 1, "last_page": c.last_page + 1}
                     for c in chapters])
        return 0
    for c in chapters:
        where = (_time(c.start_time) if c.start_time is not None
                 else f"p{c.first_page + 1}" + (f"-{c.last_page + 1}" if c.last_page != c.first_page else ""))
        print(f"{c.index + 1:3}  {where:9} {c.title}  ({c.title_source})")
    return 0


def cmd_ask(args) -> int:
    from .answer.ask import ask
    from .llm import answer_llm
    from .pipeline import backfill
    with _library(args) as library:
        doc_ids = {library.resolve(args.doc)} if args.doc else None
        if not library.count():
            raise FolioscopeError("The library is empty; add documents with folioscope ingest.")
        backfill(library)
        stream = None if args.json else (lambda text: (sys.stdout.write(text), sys.stdout.flush()))
        result = ask(library, args.question, doc_ids, llm=answer_llm(args.model), on_token=stream)
        names = {d.id: d.name for d in library.documents()}
    answer = result.answer
    evidence = [{"n": n, "doc_id": e.doc_id, "document": names.get(e.doc_id), "page": e.page + 1,
                 "start": e.start, "end": e.end, "text": e.text, "score": e.score, "chunk": e.chunk,
                 "boxes": [{"page": b[0] + 1, "box": [round(v, 2) for v in b[1:]]} for b in e.boxes]}
                for n, e in enumerate(answer.evidence, 1)]
    if args.json:
        from .embed import count_tokens
        g = result.generation
        _print_json({"question": answer.question, "extractive_answer": answer.extractive, "answer": answer.text,
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
        print(f"[{e['n']}] {e['document']} p{e['page']} ({e['score']:.2f}): {' '.join(e['text'].split())}")
    kept = [t for t in result.retrieval.trace() if t["kept"]]
    print(f"\n{len(kept)} chunks selected ({result.retrieval.tokens} tokens); "
          f"{result.timings.get('total', 0):.2f} s.")
    return 0


def cmd_rechunk(args) -> int:
    with _library(args) as library:
        doc_id = library.resolve(args.doc)
        from .pipeline import rechunk
        chunking = rechunk(library, doc_id, _chunk_options(args))
    print(f"{len(chunking.chunks)} chunks ({chunking.options.strategy}, budget {chunking.options.budget} tokens).")
    return 0


def cmd_edit(args) -> int:
    from .core import Edit
    from .pipeline import edit_chunks, redo_edit, undo_edit
    with _library(args) as library:
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
    from .index.export import export_chunks
    with _library(args) as library:
        text = export_chunks(library, library.resolve(args.doc), args.format)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def cmd_segment(args) -> int:
    from .segment.chunker import chunk_text
    text = sys.stdin.read()
    chunking = chunk_text(text, _chunk_options(args))
    if args.json:
        _print_json({
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


def cmd_eval(args) -> int:
    from .eval import run_eval
    if args.layers is not None and (args.what != "segmentation" or not 1 <= args.layers <= 6):
        raise FolioscopeError("--layers takes 1 to 6, and only for eval segmentation.")
    report = run_eval(args.what, Path(args.data) if args.data else None, tune=args.tune, limit=args.limit,
                      layers=args.layers)
    if args.save:
        from .eval.archive import save
        name = (args.what + (f"-layers{args.layers}" if args.layers else "") + ("-tune" if args.tune else "")
                + (f"-limit{args.limit}" if args.limit else ""))
        print(f"saved {save(report, Path(args.save), name)}", file=sys.stderr)
    if args.json:
        _print_json(report)
    else:
        from .eval.report import print_report
        print_report(report)
    return 0


def cmd_library(args) -> int:
    """check, backup DEST, rebuild."""
    from .index.store import DB_NAME, LibraryDamaged, default_folder
    folder = Path(args.library) if args.library else default_folder()
    if args.action == "rebuild":
        from .pipeline import rebuild_library
        report = rebuild_library(folder, progress=Progress(StderrProgress()))
        print(f"{report['added']} of {report['recovered']} documents read again from their originals; "
              f"the damaged file is kept as {report['damaged_file_kept_as']}.")
        for message in report["failed"]:
            print(f"failed   {message}", file=sys.stderr)
        return 0 if not report["failed"] else 1
    if args.action == "check" and not (folder / DB_NAME).exists():
        raise FolioscopeError(f"There is no library in {folder}.")
    try:
        with _library(args) as library:
            if args.action == "check":
                problems = library.check()
                if problems:
                    raise LibraryDamaged(f"The library in {folder} is damaged ({problems[0]}); run folioscope "
                                         f"library rebuild.")
                print(f"The library in {folder} is sound: {library.count()} documents.")
                return 0
            if not args.dest:
                raise FolioscopeError("library backup needs a destination file or folder.")
            print(f"Backed up to {library.backup(Path(args.dest))}.")
            return 0
    except LibraryDamaged as exc:
        print(f"folioscope: {exc}", file=sys.stderr)
        return 2


def cmd_bench(args) -> int:
    if args.what == "vectors":
        from .eval.vectorbench import vector_bench
        if args.chunks < 100:
            raise FolioscopeError("bench vectors needs --chunks N with N of 100 or more.")
        report = vector_bench(args.chunks)
    elif args.what == "text":
        from .eval import default_data_dir
        from .eval.textbench import text_bench
        if args.chunks < 100:
            raise FolioscopeError("bench text needs --chunks N with N of 100 or more.")
        report = text_bench(Path(args.data) if args.data else default_data_dir(), args.chunks,
                            progress=lambda message: print(message, file=sys.stderr))
    elif args.what == "scale" and args.measure:
        from .eval import default_data_dir
        from .eval.scale import measure_existing
        report = measure_existing(Path(args.data) if args.data else default_data_dir(), Path(args.measure),
                                  args.list_rows)
    elif args.what == "scale":
        from .eval import default_data_dir
        from .eval.scale import scale_bench
        if args.documents < 1:
            raise FolioscopeError("bench scale needs --documents N with N of 1 or more.")
        if args.distinct is not None and args.distinct < 1:
            raise FolioscopeError("bench scale needs --distinct M with M of 1 or more.")
        if args.sections < 1:
            raise FolioscopeError("bench scale needs --sections S with S of 1 or more.")
        report = scale_bench(Path(args.data) if args.data else default_data_dir(), args.documents,
                             Path(args.keep) if args.keep else None, progress=Progress(StderrProgress()),
                             list_rows=args.list_rows, distinct=args.distinct, sections=args.sections)
    else:
        from .eval.bench import PARTS, run_bench
        only = tuple(args.only.split(",")) if args.only else PARTS
        if set(only) - set(PARTS):
            raise FolioscopeError(f"bench --only takes parts among {', '.join(PARTS)}.")
        report = run_bench(Path(args.data) if args.data else None, progress=StderrProgress(), only=only)
    if args.save:
        from .eval import default_data_dir
        from .eval.archive import provenance, save
        data = Path(args.data) if args.data else default_data_dir()
        inputs = {"all": [data / "pdfs"], "scale": [data / "qa" / "qasper_dev.json"],
                  "text": [data / "qa" / "qasper_dev.json"]}.get(args.what, [])
        report = {"evaluation": f"bench {args.what}", **provenance(inputs), **report}
        print(f"saved {save(report, Path(args.save), _bench_name(args, report))}", file=sys.stderr)
    if args.json:
        _print_json(report)
    else:
        from .eval.report import print_report
        print_report(report)
    return 0


def _bench_name(args, report: dict) -> str:
    """The archived report's file name (without .json)."""
    from .eval.scale import SECTIONS
    if args.what == "all":
        return "bench" + (f"-{args.only.replace(',', '-')}" if args.only else "")
    if args.what == "scale" and args.measure:
        return f"bench-scale-{report['documents']}-documents-{report['chunks']}-chunks-measured"
    if args.what == "scale":
        return f"bench-scale-{args.documents}" + (f"-{args.sections}-sections" if args.sections != SECTIONS else "")
    return f"bench-{args.what}-{args.chunks}"  # text, vectors


def build_parser() -> argparse.ArgumentParser:
    from .eval.scale import SECTIONS  # standard library imports only
    parser = argparse.ArgumentParser(prog="folioscope", description="A local document workbench.")
    parser.add_argument("--library", metavar="DIR", default=None,
                        help="library folder (default: $FOLIOSCOPE_HOME or the user data folder)")
    sub = parser.add_subparsers(dest="command", required=True)

    def reading_args(p):
        p.add_argument("--ocr-engine", default="rapidocr")
        p.add_argument("--dpi", type=int, default=200, help="rendering resolution for OCR")
        p.add_argument("--repair", action="store_true", help="repair low-confidence OCR lines with the LLM")

    p = sub.add_parser("ingest", help="read files or folders into the library")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--json", action="store_true")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    reading_args(p)
    p.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="reader processes reading files ahead of the one that stores them (default 1)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("docs", help="list the documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("pages", help="route, reason and text of every page of a document")
    p.add_argument("doc", metavar="DOC", help="document id, file name or title")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pages)

    def chunk_args(p, default_strategy=None):
        p.add_argument("--strategy", default=default_strategy,
                       help="fixed, texttiling, perplexity or learned (the default)")
        p.add_argument("--budget", type=int, default=None, help="maximum tokens per chunk")

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
    p.add_argument("--model", metavar="GGUF", help="with --titles llm: a GGUF model file (default: the bundled one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_chapters)

    p = sub.add_parser("ask", help="answer a question from the library, with evidence")
    p.add_argument("question")
    p.add_argument("--doc", help="only this document (id, file name or title)")
    p.add_argument("--model", metavar="GGUF", help="a GGUF model file (default: the bundled one)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("rechunk", help="chunk a document again")
    p.add_argument("doc", metavar="DOC")
    chunk_args(p)
    p.set_defaults(func=cmd_rechunk)

    p = sub.add_parser("edit", help="split, merge or move chunk boundaries; undo and redo")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("action", choices=["split", "merge", "move", "undo", "redo"])
    p.add_argument("offset", type=int, nargs="?", help="character offset of the boundary")
    p.add_argument("target", type=int, nargs="?", help="move: the new offset")
    p.set_defaults(func=cmd_edit)

    p = sub.add_parser("export", help="write the chunks for other pipelines")
    p.add_argument("doc", metavar="DOC")
    p.add_argument("--format", choices=["jsonl", "json", "md"], default="jsonl")
    p.add_argument("--output", "-o", metavar="FILE")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("segment", help="sentences, gap scores and chunks of text on stdin")
    chunk_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_segment)

    p = sub.add_parser("eval", help="evaluate quality against gold data, beside the simplest baselines")
    p.add_argument("what", choices=["segmentation", "retrieval", "evidence", "answers", "chapters", "ocr", "routes", "robustness"])
    p.add_argument("--data", metavar="PATH", help="data folder (default: ../shared/data)")
    p.add_argument("--tune", action="store_true",
                   help="the tune halves, where settings are chosen (never prints test numbers)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="at most N documents or papers per set")
    p.add_argument("--layers", type=int, default=None, metavar="K",
                   help="segmentation: sentence vectors from MiniLM's first K layers, every model refitted on them")
    p.add_argument("--save", metavar="DIR", help="also write the report as DIR/<evaluation>.json")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("library", help="check the library, back it up, or rebuild a damaged one")
    p.add_argument("action", choices=["check", "backup", "rebuild"])
    p.add_argument("dest", nargs="?", metavar="DEST", help="backup: a new file or a folder")
    p.set_defaults(func=cmd_library)

    p = sub.add_parser("batch", help="read a folder on a Ray cluster into Parquet shards (then: folioscope import)")
    p.add_argument("action", choices=["ingest"])
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--out", required=True, metavar="SHARDS", help="folder of Parquet shards (files already in it are skipped)")
    p.add_argument("--ray", metavar="ADDRESS", default=None,
                   help="a running Ray cluster (e.g. ray://head:10001 or auto); default: a local one on this machine")
    p.add_argument("--jobs", type=int, default=None, metavar="N", help="reader actors (default: one per CPU)")
    reading_args(p)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("import", help="store the documents of batch shards in the library")
    p.add_argument("shards", metavar="SHARDS")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("bench", help="the performance report; `bench scale --documents N`: a library of N documents")
    p.add_argument("what", nargs="?", choices=["all", "scale", "vectors", "text"], default="all")
    p.add_argument("--documents", type=int, default=1000, metavar="N", help="scale: documents in the library")
    p.add_argument("--keep", metavar="DIR", help="scale: build the library in DIR and keep it")
    p.add_argument("--measure", metavar="DIR", help="scale: measure the library kept in DIR by --keep as it is "
                                                    "(cold start, retrieval, memory, list); nothing is built")
    p.add_argument("--distinct", type=int, default=None, metavar="M",
                   help="scale: read only M distinct documents; the rest of the library are copies of them")
    p.add_argument("--sections", type=int, default=SECTIONS, metavar="S",
                   help=f"scale: sections per document (default {SECTIONS}, about 11 chunks a document; "
                        "30 makes about 110)")
    p.add_argument("--only", metavar="PARTS", help="all: only these parts, comma-separated (born_digital, ocr, "
                                                   "routes, chunking, answers, gui)")
    p.add_argument("--chunks", type=int, default=1_000_000, metavar="N",
                   help="vectors: exact against approximate search over N synthetic chunk vectors; "
                        "text: BM25 over N chunks of real text, in memory against FTS5")
    p.add_argument("--list-rows", type=int, default=10_000, metavar="N",
                   help="scale: rows in the measured library list (the library's rows repeated)")
    p.add_argument("--save", metavar="DIR", help="also write the report as DIR/bench*.json")
    p.add_argument("--data", metavar="PATH", help="data folder (default: ../shared/data)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
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
        from .index.store import default_folder, explain
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
    from .gui.app import run
    return run(files=[Path(f) for f in args.files], library=args.library)


if __name__ == "__main__":
    sys.exit(main())
