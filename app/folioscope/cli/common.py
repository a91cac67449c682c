"""What the command line's commands share: the library they open, progress on stderr, JSON
out, reading options, and results printed as they come."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

from ..core import ProgressEvent

if TYPE_CHECKING:
    from ..index import Store


def open_store(args) -> Store:
    from ..index import Store
    return Store(args.library)


def print_json(data) -> None:
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


def reading_args(p) -> None:
    p.add_argument("--ocr-engine", default="rapidocr")
    p.add_argument("--dpi", type=int, default=200, help="rendering resolution for OCR")
    p.add_argument("--repair", action="store_true", help="repair low-confidence OCR lines with the LLM")


def ingest_options(args):
    from ..ingest import IngestOptions
    return IngestOptions(ocr_engine=args.ocr_engine, repair=args.repair, dpi=args.dpi)


def each_result(results, reporter: StderrProgress, as_json: bool, interrupted: str) -> list | None:
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
