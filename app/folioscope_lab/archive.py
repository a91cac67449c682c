"""Evaluation reports archived as JSON, with what they were measured on: the commit, the
data and the models, so a number in the README can be traced to the run that made it."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def git_commit() -> str:
    """HEAD, with "+changes" when anything tracked or new in the tree differs from it (the
    archives in results/ aside: a run writes them)."""
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", ".", ":!results"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + ("+changes" if dirty else "")


def file_hash(*paths: Path) -> str:
    """sha256 over the files (folders: every file under them, by relative name)."""
    digest = hashlib.sha256()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(path) if path.is_dir() else f.name).encode())
            digest.update(f.read_bytes())
    return digest.hexdigest()[:16]


def bundled_models() -> dict[str, Path]:
    """Every model file the product ships (models/, its notes aside), by its path there."""
    folder = ROOT / "models"
    return {str(p.relative_to(folder)): p for p in sorted(folder.rglob("*"))
            if p.is_file() and p.suffix not in (".md", ".txt")}


def provenance(data_paths: list[Path], models: dict[str, Path] | None = None,
               commit: str | None = None) -> dict:
    """What a report was measured on. `commit`: the tree as the run began (`git_commit()`
    then): a run whose tree changed before it ended says so."""
    now = git_commit()
    return {
        "commit": commit or now,
        **({"commit_at_end": now} if commit and commit != now else {}),
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}",
        "data": {str(p.name): file_hash(p) for p in data_paths if p.exists()},
        "models": {name: file_hash(p) for name, p in {**bundled_models(), **(models or {})}.items() if p.exists()},
    }


def save(report: dict, folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n")
    return path


# The code each archived evaluation measures, by the archive's name (the longest matching
# prefix wins): a README number stays valid while none of it has changed since the run.
_READING = ["app/folioscope/ingest", "app/folioscope/core"]
# the OCR path of the reader: evaluations of text read as text (Qasper, Markdown) never run it
_NOT_OCR = [f":(exclude)app/folioscope/ingest/{p}" for p in ("ocr", "layout.py", "scan.py", "image.py", "repair.py")]
# the PDF reader, and the heading and page-flow helpers only it and the scan reader call:
# evaluations of Qasper and Markdown read as text never run them either
_NOT_PDF = [f":(exclude)app/folioscope/ingest/{p}"
            for p in ("pdf.py", "router.py", "tables.py", "heading_lines.py", "headings.py", "flow.py")]
# the Qasper library these read is built by the whole pipeline (retrieval.library_cache)
_RETRIEVAL = ["app/folioscope/retrieve", "app/folioscope/answer", "app/folioscope/segment", "app/folioscope/chapters",
              "app/folioscope/core", "app/folioscope/ingest", "app/folioscope/index", "app/folioscope/pipeline",
              "app/folioscope/embed.py", "app/folioscope/llm.py", "app/folioscope/models.py", "models/boundary",
              "models/evidence", "models/titles", "app/folioscope_lab/stats.py", *_NOT_OCR]
# headings, titles and chapters of documents ingested by the pipeline (no search, no answers)
_STRUCTURE = [*_READING, "app/folioscope/segment", "app/folioscope/chapters", "app/folioscope/index",
              "app/folioscope/pipeline", "app/folioscope/embed.py", "app/folioscope/llm.py", "app/folioscope/models.py",
              "models/boundary", "models/titles", "app/folioscope_lab/structure.py"]
MEASURED_CODE: dict[str, list[str]] = {
    "segmentation": ["app/folioscope/segment", "app/folioscope/core", "app/folioscope/embed.py", "models/boundary",
                     "app/folioscope_lab/segmentation.py", "app/folioscope_lab/segdata.py",
                     "app/folioscope_lab/train_boundary.py", "app/folioscope_lab/metrics.py"],
    "boundary-choice": ["app/folioscope/segment", "app/folioscope/core", "app/folioscope/embed.py",
                        "app/folioscope_lab/choose_boundary.py", "app/folioscope_lab/train_boundary.py",
                        "app/folioscope_lab/segdata.py"],
    "retrieval": [*_RETRIEVAL, *_NOT_PDF, "app/folioscope_lab/retrieval.py"],
    "evidence": [*_RETRIEVAL, "app/folioscope_lab/evidence.py", "app/folioscope_lab/retrieval.py"],
    "answers": [*_RETRIEVAL, *_NOT_PDF, "app/folioscope_lab/answers.py", "app/folioscope_lab/phrase.py"],
    "chapters": ["app/folioscope/chapters", "app/folioscope/segment", "app/folioscope/core", "app/folioscope/ingest",
                 "app/folioscope/index", "app/folioscope/pipeline", "models/titles", "models/boundary",
                 "app/folioscope_lab/chapters.py", *_NOT_OCR, *_NOT_PDF],
    "structure": _STRUCTURE,
    "long-structure": [*_STRUCTURE, "app/folioscope_lab/long_structure.py"],
    "ocr": [*_READING, "app/folioscope_lab/ocr.py"],
    "receipts": [*_READING, "app/folioscope_lab/ocr.py", "app/folioscope_lab/receipts.py"],
    "forms": [*_READING, "app/folioscope_lab/ocr.py", "app/folioscope_lab/receipts.py", "app/folioscope_lab/forms.py"],
    "routes": [*_READING, "app/folioscope_lab/routes.py"],
    "order": [*_READING, "app/folioscope_lab/order.py", "app/folioscope_lab/ocr.py"],
    "robustness": [*_READING, "app/folioscope/pipeline", "app/folioscope/index", "app/folioscope/segment",
                   "app/folioscope/chapters", "app/folioscope_lab/robustness.py"],
    "bench-answers": ["app/folioscope/answer", "app/folioscope/llm.py", "app/folioscope_lab/answerbench.py"],
    "bench-open": [*_READING, "app/folioscope/gui", "app/folioscope/workers", "app/folioscope/pipeline",
                   "app/folioscope/index", "app/folioscope/segment", "app/folioscope/chapters",
                   "app/folioscope_lab/openbench.py"],
}


def measured_code(archive_name: str) -> list[str]:
    """The paths whose change makes `archive_name`'s numbers stale (an archive not mapped:
    all of the product and its models)."""
    keys = [k for k in MEASURED_CODE if archive_name.startswith(k)]
    return MEASURED_CODE[max(keys, key=len)] if keys else ["app/folioscope", "models"]


def stale_reason(archive: Path, head: str = "HEAD") -> str | None:
    """Why `archive`'s numbers may not describe the code at `head` (None: they do): its run
    began on a changed tree, on a commit that is not an ancestor of `head`, or the code it
    measures has changed since."""
    report = json.loads(archive.read_text())
    commit = str(report.get("commit", ""))
    if not commit or commit == "unknown":
        return "it names no commit"
    if commit.endswith("+changes") or report.get("commit_at_end"):
        return f"its run began on (or ended on) a tree with uncommitted changes ({commit})"
    git = ["git", "-C", str(ROOT)]
    if subprocess.run([*git, "merge-base", "--is-ancestor", commit, head], capture_output=True).returncode:
        return f"its commit {commit[:9]} is not an ancestor of {head}"
    changed = subprocess.run([*git, "diff", "--name-only", commit, head, "--", *measured_code(archive.stem)],
                             capture_output=True, text=True).stdout.split()
    if changed:
        return f"the code it measures changed since {commit[:9]}: {', '.join(changed[:5])}" + (
            f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    return None
