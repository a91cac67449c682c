"""Command line: a thin shell over the library (a stable contract: scripts call it).

    folioscope                       open the GUI (also with files: folioscope a.pdf b.docx)
    folioscope ingest PATH... [--json]
    folioscope docs [--json]
    folioscope pages DOC [--json]
    folioscope eval ocr [--json]
    folioscope bench [--json]

Every command exits non-zero with a one-line reason on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .core import FolioscopeError, Progress, ProgressEvent

COMMANDS = ("ingest", "docs", "pages", "eval", "bench")


def _library(args):
    from .index import Library
    return Library(args.library)


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


def cmd_ingest(args) -> int:
    from .index import ingest_paths
    from .ingest import IngestOptions
    options = IngestOptions(ocr_engine=args.ocr_engine, repair=args.repair, dpi=args.dpi)
    reporter = StderrProgress()
    results = []
    with _library(args) as library:
        try:
            for result in ingest_paths(library, [Path(p) for p in args.paths], options,
                                       Progress(None if args.quiet else reporter)):
                reporter.finish()
                results.append(result)
                if not args.json:
                    stream = sys.stdout if result.ok else sys.stderr
                    print(f"{result.status:9} {result.message}", file=stream)
        except KeyboardInterrupt:
            reporter.finish()
            print("interrupted: the file being read was not added.", file=sys.stderr)
            return 130
    if not results:
        print("No supported files found in " + ", ".join(args.paths) + ".", file=sys.stderr)
        return 1
    if args.json:
        _print_json([r.as_dict() for r in results])
    return 0 if all(r.ok for r in results) else 1


def cmd_docs(args) -> int:
    with _library(args) as library:
        docs = library.documents()
    if args.json:
        _print_json(docs)
        return 0
    if not docs:
        print("The library is empty: folioscope ingest FILE adds documents.")
    for d in docs:
        routes = ", ".join(f"{n} {r}" for r, n in sorted(d["routes"].items()))
        print(f"{d['id']:4}  {d['name'][:40]:40}  {d['kind']:10} {d['n_pages']:4} pages  {routes}")
    return 0


def cmd_pages(args) -> int:
    with _library(args) as library:
        doc_id = library.resolve(args.doc)
        pages = library.pages(doc_id)
        document = library.load_document(doc_id)
    rows = []
    for page, loaded in zip(pages, document.pages):
        text = "\n\n".join(b.text for b in loaded.blocks)
        rows.append({"page": page["page_no"] + 1, "route": page["route"], "reason": page["reason"],
                     "timings": page["timings"], "rotation": page["rotation"],
                     "blocks": len(loaded.blocks), "text": text})
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        print(f"--- page {row['page']}  [{row['route']}] {row['reason'].get('why', '')}")
        print(row["text"])
    return 0


def cmd_eval(args) -> int:
    from .eval import run_eval
    report = run_eval(args.what, Path(args.data) if args.data else None)
    if args.json:
        _print_json(report)
    else:
        from .eval.report import print_report
        print_report(report)
    return 0


def cmd_bench(args) -> int:
    from .eval.bench import run_bench
    report = run_bench(Path(args.data) if args.data else None, progress=StderrProgress())
    if args.json:
        _print_json(report)
    else:
        from .eval.report import print_report
        print_report(report)
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
    p.add_argument("--ocr-engine", default="rapidocr")
    p.add_argument("--dpi", type=int, default=200, help="rendering resolution for OCR")
    p.add_argument("--repair", action="store_true", help="repair low-confidence OCR lines with the LLM")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("docs", help="list the documents")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_docs)

    p = sub.add_parser("pages", help="route, reason and text of every page of a document")
    p.add_argument("doc", metavar="DOC", help="document id, file name or title")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_pages)

    p = sub.add_parser("eval", help="evaluate quality against gold data")
    p.add_argument("what", choices=["ocr"])
    p.add_argument("--data", metavar="PATH", help="data folder (default: ../shared/data)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="the performance report")
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
