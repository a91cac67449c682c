"""The library's upkeep on the command line: check, back up or rebuild it; read a corpus on Ray
into shards, and import them."""

from __future__ import annotations

import sys
from pathlib import Path

from ..core import FolioscopeError, Progress
from .common import StderrProgress, each_result, ingest_options, open_store, print_json, reading_args


def cmd_batch(args) -> int:
    from ..batch.run import batch_ingest
    options = ingest_options(args)
    reporter = StderrProgress()
    summary = batch_ingest(Path(args.folder), Path(args.out), args.ray, args.jobs, options, Progress(reporter))
    reporter.finish()
    if args.json:
        print_json(summary)
    else:
        rate = f" in {summary['seconds']:.1f} s ({summary['documents_per_s']} documents/s)" if summary["seconds"] else ""
        print(f"{summary['read']} files read{rate}, {len(summary['failed'])} could not be read, "
              f"{summary['skipped']} already in {args.out}.")
        for failure in summary["failed"]:
            print(f"failed    {failure['message']}", file=sys.stderr)
        print(f"Load them into a library with: folioscope import {args.out}", file=sys.stderr)
    return 1 if summary["failed"] else 0


def cmd_import(args) -> int:
    from ..batch.shards import import_shards
    reporter = StderrProgress()
    with open_store(args) as library:
        results = each_result(import_shards(library, Path(args.shards), Progress(reporter)), reporter, args.json,
                               "interrupted: the documents stored so far stay in the library.")
    if results is None:
        return 130
    if args.json:
        print_json([r.as_dict() for r in results])
    return 0 if all(r.ok for r in results) else 1


def cmd_library(args) -> int:
    """check, backup DEST, rebuild."""
    from ..index.store import DB_NAME, LibraryDamaged, default_folder
    folder = Path(args.library) if args.library else default_folder()
    if args.action == "rebuild":
        from ..pipeline import rebuild_library
        report = rebuild_library(folder, progress=Progress(StderrProgress()))
        print(f"{report['added']} of {report['recovered']} documents read again from their originals; "
              f"the damaged file is kept as {report['damaged_file_kept_as']}.")
        for message in report["failed"]:
            print(f"failed   {message}", file=sys.stderr)
        return 0 if not report["failed"] else 1
    if args.action == "check" and not (folder / DB_NAME).exists():
        raise FolioscopeError(f"There is no library in {folder}.")
    try:
        with open_store(args) as library:
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


def add_commands(sub) -> None:
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
