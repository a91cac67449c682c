"""The lab's command line: evaluations against gold data, benchmarks and model training.

    folioscope-lab eval {segmentation,retrieval,evidence,answers,chapters,structure,ocr,routes,robustness}
                        [--tune] [--limit N] [--save DIR] [--json]
    folioscope-lab eval long-structure --data CHECKOUT [--tune]   (chapters and titles of long real PDFs)
    folioscope-lab eval receipts --data CHECKOUT [--tune]   (reading order on scanned receipts)
    folioscope-lab eval forms [--tune]   (reading order on tax forms, rendered and degraded like scans)
    folioscope-lab eval order   (reading order of born-digital PDFs, beside PyMuPDF's own layout analysis)
    folioscope-lab eval segmentation --layers K   (sentence vectors from MiniLM's first K layers)
    folioscope-lab bench [--only PARTS] [--save DIR] [--json]
    folioscope-lab bench scale --documents N [--distinct M] [--sections S] [--keep DIR] [--list-rows N] [--json]
    folioscope-lab bench scale --measure DIR [--list-rows N] [--json]
    folioscope-lab bench vectors --chunks N [--json]
    folioscope-lab bench text --chunks N [--json]      (BM25 in memory against FTS5 over N chunks)
    folioscope-lab bench open FILE... [--rounds N] [--first-pages N] [--batch [--one-pass]] [--json]   (first page, text, ready: as a person opens it)
    folioscope-lab train {boundary,roles,evidence} [ARGS...]

The product (`folioscope`) never imports this package; the lab imports the product.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from folioscope.cli import StderrProgress, print_json
from folioscope.core import FolioscopeError, Progress

TRAINERS = ("boundary", "roles", "evidence")


def cmd_eval(args) -> int:
    from . import run_eval
    if args.layers is not None and (args.what != "segmentation" or not 1 <= args.layers <= 6):
        raise FolioscopeError("--layers takes 1 to 6, and only for eval segmentation.")
    if args.model and args.what != "answers":
        raise FolioscopeError("--model is for eval answers only.")
    report = run_eval(args.what, Path(args.data) if args.data else None, tune=args.tune, limit=args.limit,
                      layers=args.layers, model=args.model)
    if args.save:
        from .archive import save
        name = (args.what + (f"-layers{args.layers}" if args.layers else "") + ("-tune" if args.tune else "")
                + (f"-limit{args.limit}" if args.limit else "") + (f"-{Path(args.model).stem}" if args.model else ""))
        print(f"saved {save(report, Path(args.save), name)}", file=sys.stderr)
    shown = _show(report, args.json)
    if report.get("bugs"):  # robustness: an unexpected error in Folioscope is a failure of the run
        print(f"folioscope-lab: {report['bugs']} file(s) failed by an unexpected error in Folioscope (bugs).",
              file=sys.stderr)
        return 1
    return shown


def _show(report: dict, as_json: bool) -> int:
    if as_json:
        print_json(report)
    else:
        from .report import print_report
        print_report(report)
    return 0


def cmd_bench(args) -> int:
    from .archive import git_commit
    commit = git_commit()  # the tree as the run begins
    if args.what == "open":
        from .openbench import open_bench
        if not args.files:
            raise FolioscopeError("bench open needs the files to open.")
        if args.batch:  # the files dropped together on one window
            report = {"batch": open_bench([Path(f) for f in args.files], rounds=max(1, args.rounds),
                                          one_pass=args.one_pass, first_pages=args.first_pages)}
        else:
            report = {"files": [open_bench(Path(f), rounds=max(1, args.rounds), first_pages=args.first_pages)
                                for f in args.files]}
    elif args.what == "vectors":
        from .vectorbench import vector_bench
        if args.chunks < 100:
            raise FolioscopeError("bench vectors needs --chunks N with N of 100 or more.")
        report = vector_bench(args.chunks)
    elif args.what == "text":
        from . import default_data_dir
        from .textbench import text_bench
        if args.chunks < 100:
            raise FolioscopeError("bench text needs --chunks N with N of 100 or more.")
        report = text_bench(Path(args.data) if args.data else default_data_dir(), args.chunks,
                            progress=lambda message: print(message, file=sys.stderr))
    elif args.what == "scale" and args.measure:
        from . import default_data_dir
        from .scale import measure_existing
        report = measure_existing(Path(args.data) if args.data else default_data_dir(), Path(args.measure),
                                  args.list_rows)
    elif args.what == "scale":
        from . import default_data_dir
        from .scale import scale_bench
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
        from .bench import PARTS, run_bench
        only = tuple(args.only.split(",")) if args.only else PARTS
        if set(only) - set(PARTS):
            raise FolioscopeError(f"bench --only takes parts among {', '.join(PARTS)}.")
        report = run_bench(Path(args.data) if args.data else None, progress=StderrProgress(), only=only)
    if args.save:
        from . import default_data_dir
        from .archive import provenance, save
        data = Path(args.data) if args.data else default_data_dir()
        inputs = {"all": [data / "pdfs"], "scale": [data / "qa" / "qasper_dev.json"], "open": [Path(f) for f in args.files],
                  "text": [data / "qa" / "qasper_dev.json"]}.get(args.what, [])
        report = {"evaluation": f"bench {args.what}", **provenance(inputs, commit=commit), **report}
        print(f"saved {save(report, Path(args.save), _bench_name(args, report))}", file=sys.stderr)
    return _show(report, args.json)


def _bench_name(args, report: dict) -> str:
    """The archived report's file name (without .json)."""
    from .scale import SECTIONS
    if args.what == "all":
        return "bench" + (f"-{args.only.replace(',', '-')}" if args.only else "")
    if args.what == "open":
        if args.batch:
            return f"bench-open-batch-{len(args.files)}-files" + ("-one-pass" if args.one_pass else "")
        pages = f"-first-{args.first_pages}" if args.first_pages else ""
        return "bench-open-" + "-".join(Path(f).stem + pages for f in args.files)[:80]
    if args.what == "scale" and args.measure:
        return f"bench-scale-{report['documents']}-documents-{report['chunks']}-chunks-measured"
    if args.what == "scale":
        return f"bench-scale-{args.documents}" + (f"-{args.sections}-sections" if args.sections != SECTIONS else "")
    return f"bench-{args.what}-{args.chunks}"  # text, vectors


def cmd_train(args) -> int:
    from importlib import import_module
    return import_module(f"folioscope_lab.train_{args.model}").main(args.rest) or 0


def build_parser() -> argparse.ArgumentParser:
    from .scale import SECTIONS
    parser = argparse.ArgumentParser(prog="folioscope-lab", description="Folioscope's evaluations, benchmarks "
                                                                          "and model training.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("eval", help="evaluate quality against gold data, beside the simplest baselines")
    p.add_argument("what", choices=["segmentation", "retrieval", "evidence", "answers", "chapters", "structure", "ocr",
                                    "routes", "robustness", "long-structure", "receipts", "forms", "order"])
    p.add_argument("--data", metavar="PATH", help="data folder (default: ../shared/data; for long-structure and receipts, "
                   "a checkout of the repository their gold names, or $FOLIOSCOPE_LONG_DATA / "
                   "$FOLIOSCOPE_RECEIPTS_DATA)")
    p.add_argument("--tune", action="store_true",
                   help="the tune halves, where settings are chosen (never prints test numbers)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="at most N documents or papers per set")
    p.add_argument("--layers", type=int, default=None, metavar="K",
                   help="segmentation: sentence vectors from MiniLM's first K layers, every model refitted on them")
    p.add_argument("--model", metavar="NAME", help="answers: a GGUF file or a model's name from folioscope models")
    p.add_argument("--save", metavar="DIR", help="also write the report as DIR/<evaluation>.json")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="the performance report; `bench scale --documents N`: a library of N documents")
    p.add_argument("what", nargs="?", choices=["all", "scale", "vectors", "text", "open"], default="all")
    p.add_argument("files", nargs="*", metavar="FILE", help="open: the files to open, one fresh window each")
    p.add_argument("--rounds", type=int, default=3, metavar="N", help="open: fresh runs per file (the median)")
    p.add_argument("--batch", action="store_true", help="open: drop the files together on one window")
    p.add_argument("--one-pass", action="store_true", help="open --batch: the baseline, each file read to the end")
    p.add_argument("--first-pages", type=int, metavar="N", help="open: a PDF's first N pages, as a PDF of its own")
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
    p = sub.add_parser("train", help="train a model shipped in models/ (boundary, roles, evidence)")
    p.add_argument("model", choices=TRAINERS)
    p.add_argument("rest", nargs=argparse.REMAINDER, help="the trainer's own options (--data, --out, ...)")
    p.set_defaults(func=cmd_train)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.func(args)
    except FolioscopeError as exc:
        print(f"folioscope-lab: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
