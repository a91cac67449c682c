"""The rhetorical role of a chapter cut from chunks ("Introduction", "Related Work",
"Conclusion", ...), for titles that name a section the way its authors would.

Most documents with conventional sections name them by role, not by topic: of the 303 top
sections of the Qasper test papers, 31 are "Introduction", 27 "Conclusion(s)", 22 "Related
Work". A keyphrase title ("Neural machine translation") cannot say that a chapter is the
introduction. The role model reads a chapter's mean chunk embedding and its place in the
document and gives each role a probability; a chapter is titled by its role only when that
probability reaches the model's threshold (chosen on the tune papers), and each role is
used once per document. Everything else keeps its keyphrase title.

The model (`models/titles/roles.npz`, card in `roles.json`) is trained by
`folioscope-lab train roles` on the Qasper tune papers, plus chapters of other
kinds of text (clinical chapters, lecture transcripts) that must not get a role.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

# section names that mean one role, lower-cased words -> the title the role is given
ROLE_NAMES: dict[str, str] = {
    "introduction": "Introduction",
    "related work": "Related Work", "related works": "Related Work", "previous work": "Related Work",
    "prior work": "Related Work", "background and related work": "Related Work",
    "conclusion": "Conclusion", "conclusions": "Conclusion", "conclusion and future work": "Conclusion",
    "conclusions and future work": "Conclusion", "concluding remarks": "Conclusion",
    "summary and conclusion": "Conclusion", "summary and conclusions": "Conclusion",
    "acknowledgments": "Acknowledgments", "acknowledgements": "Acknowledgments",
    "acknowledgment": "Acknowledgments", "acknowledgement": "Acknowledgments",
    "results": "Results", "experimental results": "Results", "results and analysis": "Results",
    "results and discussion": "Results",
    "experiments": "Experiments", "experiment": "Experiments",
    "discussion": "Discussion",
    "experimental setup": "Experimental Setup", "experimental settings": "Experimental Setup",
    "experimental setting": "Experimental Setup", "experimental details": "Experimental Setup",
    "implementation details": "Experimental Setup",
    "methods": "Methods", "methodology": "Methods", "method": "Methods", "materials and methods": "Methods",
    "dataset": "Dataset", "datasets": "Dataset", "data": "Dataset", "data collection": "Dataset",
    "evaluation": "Evaluation",
    "analysis": "Analysis", "error analysis": "Analysis",
    "background": "Background",
}
OTHER = "other"
ROLE_SOURCE = "section role"  # a role-titled chapter's title_source
PLACE_FEATURES = 7


def role_of(section_name: str) -> str:
    """The role a section name stands for, or OTHER."""
    key = " ".join(re.findall(r"[a-z]+", section_name.lower()))
    return ROLE_NAMES.get(key, OTHER)


def chapter_features(vectors: np.ndarray, starts: list[int]) -> np.ndarray:
    """One row per chapter: its mean chunk vector (unit length), then where it lies in the
    document: its first and last chunk as a share of the chunks, whether it is the first,
    the last, the second, the second to last chapter, and its rank as a share of the
    chapters. `vectors` are the document's unit chunk vectors, `starts` the first chunk of
    each chapter."""
    n, k = len(vectors), len(starts)
    ends = starts[1:] + [n]
    rows = []
    for i, (a, b) in enumerate(zip(starts, ends)):
        mean = vectors[a:b].mean(axis=0)
        mean = mean / (np.linalg.norm(mean) or 1.0)
        place = [a / n, b / n, i == 0, i == k - 1, i == 1, i == k - 2, i / max(1, k - 1)]
        rows.append(np.concatenate([mean, np.asarray(place, dtype=np.float64)]))
    return np.asarray(rows, dtype=np.float32).reshape(k, vectors.shape[1] + PLACE_FEATURES)


@dataclass(frozen=True)
class RoleModel:
    roles: tuple[str, ...]  # class names, OTHER among them
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray  # (roles, features)
    intercept: np.ndarray
    threshold: float  # probability from which a chapter is titled by its role
    card: dict

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        z = ((features - self.mean) / self.scale) @ self.coef.T + self.intercept
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=1, keepdims=True)

    def titles(self, features: np.ndarray) -> list[str | None]:
        """Each chapter's role title, or None (see `assign`)."""
        return self.assign(self.probabilities(features))

    def assign(self, p: np.ndarray) -> list[str | None]:
        """Roles from the chapters' role probabilities: a role is given where its probability
        reaches the threshold, once per document (to the chapter most sure of it)."""
        out: list[str | None] = [None] * len(p)
        taken: set[str] = set()
        order = sorted(((float(p[i, j]), i, j) for i in range(len(p)) for j in range(len(self.roles))
                        if self.roles[j] != OTHER and p[i, j] >= self.threshold), reverse=True)
        for _, i, j in order:
            if out[i] is None and self.roles[j] not in taken:
                out[i] = self.roles[j]
                taken.add(self.roles[j])
        return out

    def save(self, file: Path) -> None:
        file.parent.mkdir(parents=True, exist_ok=True)
        np.savez(file, mean=self.mean, scale=self.scale, coef=self.coef, intercept=self.intercept,
                 threshold=np.float32(self.threshold), roles=np.array(self.roles))
        file.with_suffix(".json").write_text(json.dumps(self.card, indent=1) + "\n", encoding="utf-8")


def model_file() -> Path:
    from ..models import role_model_path
    return role_model_path()


@lru_cache(maxsize=2)
def _load(path: str) -> RoleModel:
    from ..models import read_trained
    data, card = read_trained(Path(path), "folioscope-lab train roles")
    return RoleModel(tuple(str(r) for r in data["roles"]), data["mean"], data["scale"], data["coef"],
                     data["intercept"], float(data["threshold"]), card)


def load_role_model(path: str | Path | None = None) -> RoleModel:
    return _load(str(Path(path) if path else model_file()))
