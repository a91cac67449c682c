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
