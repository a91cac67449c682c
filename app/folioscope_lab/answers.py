"""Answers on Qasper: are they right, and are they true to their evidence?

Every answerable question of the half is asked within its own paper (the library of
`retrieval.build_library`). Answer F1 is Qasper's: token F1 after SQuAD normalisation
(lower case, no punctuation or articles) against each annotator's answer (extractive spans
joined, else the free-form answer, else yes/no), the best annotator counted. Three answers
per question: the best evidence sentence alone (the baseline), the model's own wording,
and what Folioscope shows (the model's wording when its cited evidence supports it, else
the best evidence sentence). Support is checked again on what is shown: a number or name
that is not in the cited evidence would be a failure of the check itself.
"""

from __future__ import annotations

import re
import string
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from folioscope.embed import shared_embedder

from .segdata import split_of
from .stats import paired_bootstrap


def normalize(text: str) -> str:
    text = text.lower()
    text = "".join(ch for ch in text if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


def token_f1(prediction: str, gold: str) -> float:
    p, g = normalize(prediction).split(), normalize(gold).split()
    if not p or not g:
        return float(p == g)
    common = sum((Counter(p) & Counter(g)).values())
    if not common:
        return 0.0
    precision, recall = common / len(p), common / len(g)
    return 2 * precision * recall / (precision + recall)


def gold_answers(qa: dict) -> list[str]:
    out = []
    for answer in qa["answers"]:
        a = answer["answer"]
        if a.get("unanswerable"):
            continue
        if a.get("extractive_spans"):
            out.append(" ".join(a["extractive_spans"]))
        elif a.get("free_form_answer"):
            out.append(a["free_form_answer"])
        elif a.get("yes_no") is not None:
            out.append("yes" if a["yes_no"] else "no")
    return out


def strip_citations(text: str) -> str:
    return re.sub(r"\[[\d,\s]+\]", "", text).strip()


def evaluate_answers(data: Path, split: str = "test", limit: int | None = None, model: str | None = None,
                     library: Path | None = None) -> dict:
    """The default on the test half; on the tune half, also what the model reads (`ask.READS`),
    the choice made there."""
    from folioscope.answer.ask import READS
    from folioscope.llm import answer_llm

    from .retrieval import build_library, load_papers
    papers = load_papers(data)
    chosen = [p for p in sorted(papers) if split_of(p) == split][:limit]
    temp = None
    if library is None:
        temp = tempfile.TemporaryDirectory(prefix="folioscope-answers-")
        library = Path(temp.name)
    store, ids = build_library({p: papers[p] for p in chosen}, library)
    llm = answer_llm(model)
    report = {"split": split, "papers": len(chosen), "model": llm.path.name, "reads": "sentences"}
    default = _answer_rows(store, ids, papers, chosen, llm, "sentences")
    report.update(default)
    if split == "tune":
        report["by_what_the_model_reads"] = {reads: default if reads == "sentences" else
                                             _answer_rows(store, ids, papers, chosen, llm, reads) for reads in READS}
    store.close()
    if temp is not None:
        temp.cleanup()
    return report


def _answer_rows(store, ids: dict[str, int], papers: dict, chosen: list[str], llm, reads: str) -> dict:
    from folioscope.answer.ask import ask
    from folioscope.answer.grounding import check, names
    rows = []
    first_tokens = []
    started = time.perf_counter()
    for pid in chosen:
        for qa in papers[pid]["qas"]:
            golds = gold_answers(qa)
            if not golds:
                continue
            result = ask(store, qa["question"], {ids[pid]}, llm=llm, reads=reads, encoder=shared_embedder())
            a = result.answer
            if "first_token" in result.timings:
                first_tokens.append(result.timings["first_token"])
            shown, generated, extractive = (strip_citations(t) for t in (a.text, a.generated, a.extractive))
            cited = [a.evidence[i].text for i in a.citations.values()] if a.evidence else []
            recheck = check(a.text, cited) if a.text != a.extractive else None
            rows.append({
                "paper": pid,
                "f1_shown": max(token_f1(shown, g) for g in golds),
                "f1_model": max(token_f1(generated, g) for g in golds) if generated else 0.0,
                "f1_best_sentence": max(token_f1(extractive, g) for g in golds),
                "model_supported": bool(a.supported), "model_shown": a.text != a.extractive,
                "shown_unsupported_number_or_name": bool(recheck and (recheck.missing_numbers or recheck.missing_names)),
                "model_names_or_numbers": bool(generated and (re.search(r"\d", generated) or names(generated))),
            })
    seconds = time.perf_counter() - started
    papers_of = [r["paper"] for r in rows]

    def mean(key):
        return round(float(np.mean([r[key] for r in rows])), 4) if rows else None
    return {
        "questions": len(rows),
        "answer_f1": {"shown (model when supported, else best sentence)": mean("f1_shown"),
                      "model's wording": mean("f1_model"), "best evidence sentence (baseline)": mean("f1_best_sentence")},
        "model_answers_supported": mean("model_supported"),
        "model_answers_shown": mean("model_shown"),
        "shown_answers_with_a_number_or_name_not_in_their_evidence": sum(r["shown_unsupported_number_or_name"] for r in rows),
        "differences": {
            "f1: shown - best sentence": paired_bootstrap([r["f1_shown"] for r in rows],
                                                           [r["f1_best_sentence"] for r in rows], papers_of),
            "f1: model - best sentence": paired_bootstrap([r["f1_model"] for r in rows],
                                                           [r["f1_best_sentence"] for r in rows], papers_of)},
        "seconds_per_question": round(seconds / max(len(rows), 1), 2),
        "first_token_ms_p50": round(1000 * float(np.median(first_tokens)), 1) if first_tokens else None,
    }
