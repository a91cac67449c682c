"""The one sentence a file that could not be read gets, and whether its failure is a bug."""

from __future__ import annotations

import logging
import os

from ..core import FolioscopeError, UnreadableFile, out_of_memory
from ..core.results import IngestResult

log = logging.getLogger("folioscope.pipeline")


def strict_errors() -> bool:
    """Under tests, unexpected errors are raised instead of reported as a failed file."""
    return os.environ.get("FOLIOSCOPE_STRICT") == "1"


def fail(result: IngestResult, exc: Exception) -> None:
    """`result` failed by `exc`: its one sentence, and, for an unexpected error (a bug in
    Folioscope, not a bad file), the exception's type in `result.bug`."""
    result.status, result.message = "failed", failure_message(result.path.name, exc)
    if not expected_failure(exc):
        result.bug = type(exc).__name__


def expected_failure(exc: Exception) -> bool:
    """A file Folioscope refuses (damaged, unsupported, too large), not a bug of its own."""
    return isinstance(exc, (UnreadableFile, FolioscopeError, MemoryError)) or out_of_memory(exc)


def failure_message(name: str, exc: Exception) -> str:
    """The one sentence a file that could not be read gets. Under `strict_errors()` an
    unexpected error (a bug, not a bad file) is raised instead."""
    if isinstance(exc, UnreadableFile):
        return str(exc)
    if isinstance(exc, FolioscopeError):
        return f"{name}: {exc}"
    if expected_failure(exc):  # runtimes report failed allocations in their own words
        return f"{name} is too large to read with the memory available."
    if strict_errors():
        raise exc
    log.exception("unexpected error reading %s", name, exc_info=exc)
    return (f"{name} could not be read because of an unexpected problem in Folioscope "
            f"({type(exc).__name__}); the details are in the log.")
