"""Answering a question: retrieval, evidence sentences, then the local LLM writes an answer
from the numbered evidence, citing it as [n].

The answer leads with the best evidence sentence (an extractive answer: the document's own
words). The model's wording is shown instead only when the evidence it cites holds its
numbers, names and most of its words (`grounding.check`), whatever GGUF is loaded; else the
extractive answer stands and the answer says why. When the evidence is weak (no sentence
close enough to the question) the answer says the documents do not contain it, without
asking the model: a small model asked anyway would guess.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..core import Answer, Encoder, Evidence, StreamingModel
from ..index import Store
from ..retrieve import EvidenceOptions, PassageOptions, Retrieval, retrieve
from ..retrieve.search import reading_search
from .grounding import check, clean

NOT_FOUND = "The documents do not contain an answer to this question."
MIN_EVIDENCE_SCORE = 0.3  # best sentence's score (cosine + lexical share) under this: not found (eval retrieval --tune)
RELEVANT_SHARE = 0.9  # a shown model answer cites evidence scoring at least this share of the best
SYSTEM = ("You answer questions using only the numbered evidence from the user's documents. "
          "Answer in one or two sentences. After each claim, cite the evidence it comes from by "
          "its number in square brackets, like [1]. If the evidence does not answer the "
          "question, reply exactly: " + NOT_FOUND)


@dataclass
class AskResult:
    answer: Answer
    retrieval: Retrieval
    timings: dict[str, float] = field(default_factory=dict)
    generation: object | None = None  # llm.Generation
    still_indexing: int = 0  # documents asked over whose chunks are not stored yet (not searched by chunk)
    # their pages with the question's words, by BM25: (doc_id, page, score, snippet), best first
    indexing_pages: list[tuple[int, int, float, str]] = field(default_factory=list)


def build_messages(question: str, evidence: Sequence[Evidence], texts: list[str] | None = None) -> list[dict]:
    """The prompt: the numbered evidence (`texts`, one per evidence item, when the model reads
    more than the sentences themselves) and the question."""
    texts = texts if texts is not None else [e.text for e in evidence]
    lines = [f"[{n}] {' '.join(t.split())}" for n, t in enumerate(texts, 1)]
    return [{"role": "system", "content": SYSTEM},
            {"role": "user", "content": "Evidence:\n" + "\n".join(lines) + f"\n\nQuestion: {question}"}]


def parse_citations(text: str, n_evidence: int) -> dict[int, int]:
    """Citation numbers used in the answer that name an evidence item -> its index."""
    numbers = {int(m) for group in re.findall(r"\[([\d,\s]+)\]", text) for m in re.findall(r"\d+", group)}
    return {n: n - 1 for n in sorted(numbers) if 1 <= n <= n_evidence}


def attribute(text: str, evidence: Sequence[Evidence], share: float = 0.5) -> dict[int, int]:
    """Citations for an answer that gave none: the evidence items that contain at least
    `share` of the answer's content words (the answer's words are checked against the
    document, so no citation points at text that does not support the words)."""
    from ..retrieve.evidence import content_terms
    words = content_terms(text)
    if not words:
        return {}
    return {n: n - 1 for n, e in enumerate(evidence, 1) if len(words & content_terms(e.text)) >= share * len(words)}


def extractive_answer(evidence: Sequence[Evidence]) -> str:
    """The best evidence sentence, cited: an answer taken from the document itself."""
    return f"{' '.join(evidence[0].text.split())} [1]" if evidence else NOT_FOUND


READS = ("sentences", "neighbours", "passages")


PASSAGE_BUDGET = 1000  # word pieces of passage text the model may read (its context holds 2,048 tokens)


def model_reads(store: Store, evidence: Sequence[Evidence], reads: str = "sentences",
                passages: Sequence[tuple[int, int, int, int]] = ()) -> list[str]:
    """What the model reads for each evidence item: the sentence; the sentence with the ones
    before and after it in its paragraph; or the kept passage (`passages`: doc_id, start, end,
    word pieces) that holds it, once and within PASSAGE_BUDGET (else the sentence alone)."""
    if reads == "sentences":
        return [e.text for e in evidence]
    from ..retrieve.passages import block_around
    from ..segment.sentences import split_block
    out, seen, used = [], set(), 0
    for e in evidence:
        text = store.text(e.doc_id)
        if reads == "passages":
            holder = next((p for p in passages if p[0] == e.doc_id and p[1] <= e.start < p[2]), None)
            size = holder[3] if holder else 0
            if holder is None or holder in seen or used + size > PASSAGE_BUDGET:
                out.append(e.text)
            else:
                out.append(text[holder[1]:holder[2]])
                seen.add(holder)
                used += size
            continue
        start, end = block_around(text, e.start)
        sentences = split_block(text[start:end], start)
        i = next((k for k, s in enumerate(sentences) if s.start <= e.start < s.end), None)
        if i is None:
            out.append(e.text)
            continue
        window = sentences[max(0, i - 1):i + 2]
        out.append(text[window[0].start:window[-1].end])
    return out


def ask(store: Store, question: str, doc_ids: set[int] | None = None, *, llm: StreamingModel, encoder: Encoder,
        on_token: Callable[[str], object] | None = None,
        select: PassageOptions = PassageOptions(), evidence: EvidenceOptions = EvidenceOptions(),
        cache_prefix: bool = True, max_tokens: int = 160, reads: str = "sentences") -> AskResult:
    """`llm` and `encoder`: the models the caller chose (the window's or the command line's
    settings); `reads`: what the model is given for each evidence item (`model_reads`)."""
    started = time.perf_counter()
    found = retrieve(store, question, doc_ids, select, evidence=evidence, encoder=encoder)
    indexing = store.still_indexing(doc_ids)
    pages = reading_search(store, question, doc_ids) if indexing else []
    timings = {"retrieval": time.perf_counter() - started}
    best = max((e.score for e in found.evidence), default=0.0)
    if best < MIN_EVIDENCE_SCORE:
        if on_token is not None:
            on_token(NOT_FOUND)
        answer = Answer(question=question, text=NOT_FOUND, evidence=found.evidence, found=False,
                        extractive=NOT_FOUND)
        timings["total"] = time.perf_counter() - started
        return AskResult(answer, found, timings, still_indexing=indexing, indexing_pages=pages)
    texts = model_reads(store, found.evidence, reads, [(c.hit.doc_id, c.start, c.end, c.tokens) for c in found.kept])
    generation = llm.stream(build_messages(question, found.evidence, texts), on_token, max_tokens, cache_prefix)
    text = clean(generation.text)
    refused = NOT_FOUND.lower().rstrip(".") in text.lower()
    citations = parse_citations(text, len(found.evidence))
    if not citations and not refused:
        citations = attribute(text, found.evidence)
        if citations:
            text += " " + "".join(f"[{n}]" for n in citations)
    extractive = extractive_answer(found.evidence)
    if refused:
        support = check("", [])
        support.supported, shown = False, extractive
        note = "the model said the evidence does not answer; the best evidence sentence is shown"
    else:
        cited = [found.evidence[i] for i in citations.values()]
        support = check(text, [texts[i] for i in citations.values()], question)
        note = support.why
        if support.supported and not any(e.score >= RELEVANT_SHARE * best for e in cited):
            support.supported = False
            note = "it cites only evidence far less relevant than the best sentence"
        shown = text if support.supported else extractive
    answer = Answer(question=question, text=shown, evidence=found.evidence,
                    citations=citations if shown == text else {1: 0}, found=True, extractive=extractive,
                    generated=text, supported=support.supported, support_note=note)
    timings.update(first_token=generation.first_token_seconds, generation=generation.seconds,
                   total=time.perf_counter() - started)
    return AskResult(answer, found, timings, generation, still_indexing=indexing, indexing_pages=pages)


def indexing_pages(store: Store, result: AskResult) -> list[dict]:
    """The pages of documents still being indexed that have the question's words, as shown
    beside the answer: document name, page (1-based), a few words from it."""
    return [{"doc_id": d, "document": store.document(d).name, "page": page + 1, "score": round(score, 3),
             "text": snippet} for d, page, score, snippet in result.indexing_pages]

