"""Chapter titles for chapters cut from chunks (documents without headings).

Three titlers, compared on real section names by `eval chapters`: embedding keyphrases
(the shipped default: the candidate phrase nearest the chapter's embedding, KeyBERT-style),
TF-IDF keyphrases, and the local LLM with the document's global context (PODTILE), which
falls back to TF-IDF keyphrases when its title is junk.

A generated title is accepted only if it is short, new (not a title already given, not the
document's title) and grounded: most of its content words occur in the chapter.
"""

from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from ..core import ChatModel, FolioscopeError
from ..core.stopwords import ENGLISH_STOP_WORDS

STOP_WORDS = ENGLISH_STOP_WORDS | {"et", "al", "fig", "figure", "table", "section", "bibref",
                                   "ie", "eg", "use", "used", "using"}
MAX_TITLE_WORDS = 10
MAX_TITLE_CHARS = 80
PROMPT_CHARS = 1200  # how much of the chapter's start the LLM sees
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_words(text: str) -> list[str]:
    return [w.lower() for w in words(text) if w.lower() not in STOP_WORDS and len(w) > 1]


def _stem(word: str) -> str:
    return word.lower()[:5]


def is_grounded(title: str, chapter_text: str, share: float = 0.5) -> bool:
    """At least `share` of the title's content words (compared by their first five letters)
    occur in the chapter."""
    wanted = {_stem(w) for w in content_words(title)}
    if not wanted:
        return False
    have = {_stem(w) for w in content_words(chapter_text)}
    return len(wanted & have) >= share * len(wanted)


def _key(title: str) -> str:
    return " ".join(w.lower() for w in words(title))


def clean_title(raw: str) -> str:
    title = raw.strip().splitlines()[0] if raw.strip() else ""
    title = re.sub(r"^(chapter\s+)?title\s*[:\-]\s*", "", title, flags=re.I)
    title = re.sub(r"^(chapter|section)\s+\d+\s*[:.\-]\s*", "", title, flags=re.I)
    title = title.strip(" \t\"'`*#.:;-")
    return re.sub(r"\s+", " ", title)


def junk_reason(title: str, chapter_text: str, previous: list[str], doc_title: str) -> str | None:
    """Why a generated title cannot be used, or None when it can."""
    if not title:
        return "empty"
    if len(words(title)) > MAX_TITLE_WORDS or len(title) > MAX_TITLE_CHARS:
        return "too long"
    key = _key(title)
    if key in {_key(t) for t in previous} or key == _key(doc_title):
        return "repeated"
    if not is_grounded(title, chapter_text):
        return "not grounded in the chapter"
    return None


class KeyphraseTitler:
    """The chapter's most distinctive phrase (1-3 content words, frequent here, rare in the
    document's other chapters), in title case."""

    name = "keyphrases"

    def __init__(self, chapter_texts: list[str]):
        self._forms: list[dict[str, Counter]] = [{} for _ in chapter_texts]  # phrase -> its spellings
        self._counts = [self._phrases(t, forms) for t, forms in zip(chapter_texts, self._forms)]
        self._df = Counter(p for counts in self._counts for p in counts)

    @staticmethod
    def _phrases(text: str, forms: dict[str, Counter]) -> Counter:
        counts: Counter = Counter()
        for sentence in re.split(r"[.!?;:()\[\]\n]", text):
            written = words(sentence)
            tokens = [w.lower() for w in written]
            for n in (1, 2, 3):
                for i in range(len(tokens) - n + 1):
                    gram = tokens[i:i + n]
                    if gram[0] in STOP_WORDS or gram[-1] in STOP_WORDS or len(gram[-1]) < 3:
                        continue
                    if any(len(w) < 2 or not w.isalpha() for w in gram):
                        continue
                    phrase = " ".join(gram)
                    counts[phrase] += 1
                    forms.setdefault(phrase, Counter())[" ".join(written[i:i + n])] += 1
        return counts

    def written(self, index: int, phrase: str, first: bool = True) -> str:
        """The phrase as the chapter most often writes it ("LSTM", not "lstm"); `first`: as
        the first words of a title, its first letter capitalised."""
        forms = self._forms[index].get(phrase)
        # the most frequent spelling; among equals, the one with fewer capitals (sentence starts)
        form = max(forms, key=lambda f: (forms[f], -sum(c.isupper() for c in f))) if forms else phrase
        return form[:1].upper() + form[1:] if first else form

    def ranked(self, index: int) -> list[str]:
        """The chapter's phrases, most distinctive first."""
        counts = self._counts[index]
        n = len(self._counts)

        def score(phrase: str) -> float:
            length = len(phrase.split())
            return counts[phrase] * math.log(1 + n / self._df[phrase]) ** 2 * (1 + 0.7 * (length - 1))

        return sorted((p for p, c in counts.items() if c >= 2 or len(counts) < 20), key=lambda p: (-score(p), p))

    def title(self, index: int, previous: list[str]) -> str:
        used = {_key(t) for t in previous}
        ranked = self.ranked(index)
        picked: list[str] = []
        for phrase in ranked:
            if any(phrase in p or p in phrase for p in picked):
                continue
            picked.append(phrase)
            if len(picked) == 2:
                break
        if not picked:
            return f"Part {index + 1}"
        if len(picked) == 2 and len(picked[0].split()) == 1 and len(picked[1].split()) <= 2:
            title = f"{self.written(index, picked[0])} and {self.written(index, picked[1], first=False)}"
        else:
            title = self.written(index, picked[0])
        return title if _key(title) not in used else f"{title} ({index + 1})"


class EmbeddingTitler:
    """KeyBERT-style titles: among the chapter's candidate phrases (its 30 best TF-IDF
    keyphrases), the one whose embedding is nearest the chapter's own."""

    name = "embedding keyphrases"
    CANDIDATES = 30
    CHAPTER_CHARS = 2000  # the chapter text embedded (the encoder reads ~256 word pieces)

    def __init__(self, chapter_texts: list[str], embed):
        self.tfidf = KeyphraseTitler(chapter_texts)
        self.texts = chapter_texts
        self.embed = embed

    def title(self, index: int, previous: list[str]) -> str:
        candidates = self.tfidf.ranked(index)[:self.CANDIDATES]
        used = {_key(t) for t in previous}
        candidates = [c for c in candidates if _key(c) not in used]
        if not candidates:
            return self.tfidf.title(index, previous)
        vectors = self.embed(candidates + [self.texts[index][:self.CHAPTER_CHARS]])
        return self.tfidf.written(index, candidates[int(np.argmax(vectors[:-1] @ vectors[-1]))])


class LLMTitler:
    """Titles from the local LLM, each prompt carrying the document title and the titles
    generated so far; a junk title falls back to the keyphrase title."""

    name = "llm"

    def __init__(self, llm: ChatModel, doc_title: str, chapter_texts: list[str], fallback: KeyphraseTitler):
        self.llm = llm
        self.doc_title = doc_title
        self.texts = chapter_texts
        self.fallback = fallback
        self.rejected: list[tuple[int, str, str]] = []  # (chapter, title, reason)

    def prompt(self, index: int, previous: list[str], chars: int = PROMPT_CHARS) -> list[dict]:
        so_far = "; ".join(previous[-8:]) if previous else "(this is the first chapter)"
        start = self.texts[index][:chars]
        return [
            {"role": "system", "content": "You give chapters of documents short, specific titles."},
            {"role": "user", "content": f"Document: {self.doc_title[:200]}\nChapters so far: {so_far}\n\n"
                                        f"Start of the next chapter:\n{start}\n\n"
                                        "Give this chapter a title of 2 to 6 words. "
                                        "Reply with the title only."},
        ]

    def title(self, index: int, previous: list[str]) -> tuple[str, str]:
        """(title, source): source is "llm" or "keyphrases"."""
        raw, reason = "", None
        for chars in (PROMPT_CHARS, PROMPT_CHARS // 6):  # scripts that take a token per byte
            try:
                raw = self.llm.chat(self.prompt(index, previous, chars), max_tokens=16, stop=["\n"])
                break
            except ValueError as exc:  # the prompt is over the model's context
                reason = f"the model failed: {exc}"
            except (FolioscopeError, RuntimeError) as exc:  # the model does not load or run
                reason = f"the model failed: {exc}"
                break
        if raw:
            reason = None
        title = clean_title(raw)
        reason = reason or junk_reason(title, self.texts[index], previous, self.doc_title)
        if reason is None:
            return title, "llm"
        self.rejected.append((index, title, reason))
        return self.fallback.title(index, previous), self.fallback.name
