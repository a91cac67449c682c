"""A candidate for the answer's lead, measured by `eval evidence` and not shipped: for a
factoid question, the words of the best evidence sentence that answer it.

On the Qasper tune papers, leading with this phrase instead of the whole sentence tied on
answer F1 (-0.011 [-0.038, +0.016]) and lost on holding a gold extractive span (-0.079
[-0.128, -0.038]): the annotators' spans are longer than the figures and names it takes, and
capitalised words that are not names ("Section", "Table") slip in. So the answer still leads
with the sentence.

Taken from the sentence, never generated: for a "how many / how much / what accuracy"
question, the figures (with their unit or percent sign); for a "which datasets / models /
languages" question, the names (capitalised words and acronyms, runs of them joined) that the
question does not already say. Any other question, or a sentence without such words, has no
phrase and the whole sentence stands.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from folioscope.retrieve.ranker import NAME_QUESTION, NUMBER_QUESTION

FIGURE = re.compile(r"(?<![\w.])[-+−]?\d+(?:[.,]\d+)*(?:\s?(?:%|percent|points?|pp|[kKMB]\b|million|billion|"
                    r"times|x\b|hours?|days?|words?|sentences?|documents?|tokens?|examples?|pairs?|"
                    r"questions?|languages?|annotators?))?")
NUMBER_WORD = re.compile(r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
                         r"forty|fifty|hundred|thousand|dozen)\b", re.IGNORECASE)
REFERENCE = re.compile(r"\s*\b[A-Z]+REF\d+.*$")  # a reference marker ends a run of names
NAME_RUN = re.compile(r"(?:[A-Z][\w\-]*[A-Z0-9][\w\-]*|[A-Z][a-z][\w\-]*)(?:[ \-](?:[A-Z][\w\-]*|\d[\w\-]*))*")
MAX_PARTS = 3


@dataclass(frozen=True)
class Phrase:
    text: str  # the parts joined: "SQuAD, TriviaQA"
    spans: tuple[tuple[int, int], ...]  # where each part stands in the sentence


def answer_phrase(question: str, sentence: str) -> Phrase | None:
    if NUMBER_QUESTION.search(question):
        found = [m for m in FIGURE.finditer(sentence) if not _is_citation_or_year(m.group(0), sentence, m.start())]
        found = found or list(NUMBER_WORD.finditer(sentence))
    elif NAME_QUESTION.search(question):
        asked = {w.lower() for w in re.findall(r"\w+", question)}
        found = [m for m in NAME_RUN.finditer(sentence)
                 if m.start() > 0 and not set(re.findall(r"\w+", m.group(0).lower())) <= asked
                 and not m.group(0).startswith(("BIBREF", "TABREF", "FIGREF", "SECREF"))]
    else:
        return None
    parts = [(m.start(), m.start() + len(REFERENCE.sub("", m.group(0)).rstrip())) for m in found]
    parts = [(a, b) for a, b in parts if b > a][:MAX_PARTS]
    if not parts:
        return None
    return Phrase(", ".join(sentence[a:b] for a, b in parts), tuple(parts))


def _is_citation_or_year(text: str, sentence: str, at: int) -> bool:
    """A reference number [12] or a bare year is not an answer to "how many"."""
    before = sentence[max(0, at - 1):at]
    return before == "[" or bool(re.fullmatch(r"(19|20)\d\d", text.strip()))
